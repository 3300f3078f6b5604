/*
 * sha_arm64ce.h: SHA-256 with the ARMv8 Crypto Extensions, as inline
 * pieces shared by the compression function (sha_arm64ce.c) and the fused
 * MTProto kernel (mtp_arm64ce.c): the primitives of sha256_vec.h, which
 * writes the blocks and the padding over them.  The state lives in two
 * vector registers in the order of FIPS 180-4 (abcd = h0..h3 and efgh =
 * h4..h7, the first in lane 0), which is the order SHA256H and SHA256H2
 * take; each message vector holds four schedule words, the first in lane 0.
 *
 * Valgrind cannot run AArch64 code on this project's machines: these pieces
 * are argued constant-time, instruction by instruction, in
 * tests/c/ctgrind.c, which a change here must keep true.
 */
#ifndef MTC_SHA_ARM64CE_H
#define MTC_SHA_ARM64CE_H

#include "inner.h"

#if MTC_ARM64
#include <arm_neon.h>

#define MTC_SHA_CE_INLINE static inline __attribute__((always_inline)) \
    MTC_TARGET_ARMCE

/* The primitives of sha256_vec.h, which is included below. */
#define MTC_SHA_V_INLINE MTC_SHA_CE_INLINE
typedef uint32x4_t mtc_sha_v;
#define mtc_sha_v_add vaddq_u32

/* Four big-endian message words into lanes 0..3. */
MTC_SHA_CE_INLINE uint32x4_t mtc_sha_v_words(const uint8_t *p)
{
    return vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p)));
}

/* Four words in lanes 0..3 out as 16 big-endian bytes. */
MTC_SHA_CE_INLINE void mtc_sha_ce_put(uint8_t *p, uint32x4_t w)
{
    vst1q_u8(p, vrev32q_u8(vreinterpretq_u8_u32(w)));
}

/*
 * The next four schedule words (FIPS 180-4 6.2.2): w[t] = SSIG1(w[t-2]) +
 * w[t-7] + SSIG0(w[t-15]) + w[t-16]; SHA256SU0 adds SSIG0 of the words one
 * on to w0's, SHA256SU1 the rest, including the two words it makes itself.
 */
MTC_SHA_CE_INLINE uint32x4_t mtc_sha256_v_next(uint32x4_t w0,
                                               uint32x4_t w1, uint32x4_t w2,
                                               uint32x4_t w3)
{
    return vsha256su1q_u32(vsha256su0q_u32(w0, w1), w2, w3);
}

/*
 * Four rounds with schedule words w and constants k[0..3]: SHA256H gives
 * the new abcd and SHA256H2 the new efgh, both from the old state.
 */
MTC_SHA_CE_INLINE void mtc_sha256_v_r4(uint32x4_t *abcd, uint32x4_t *efgh,
                                       uint32x4_t w, const uint32_t *k)
{
    uint32x4_t wk = vaddq_u32(w, vld1q_u32(k));
    uint32x4_t a = *abcd;
    *abcd = vsha256hq_u32(a, *efgh, wk);
    *efgh = vsha256h2q_u32(*efgh, a, wk);
}

/* A padding vector (as sha256_vec.h says). */
MTC_SHA_CE_INLINE uint32x4_t mtc_sha256_v_pad(int first, int last,
                                              uint64_t bits)
{
    uint32x4_t v = vsetq_lane_u32(first ? 0x80000000u : 0, vdupq_n_u32(0), 0);
    if (last) {
        v = vsetq_lane_u32((uint32_t)(bits >> 32), v, 2);
        v = vsetq_lane_u32((uint32_t)bits, v, 3);
    }
    return v;
}

/* The state out as the digest. */
MTC_SHA_CE_INLINE void mtc_sha256_v_digest(uint8_t out[32], uint32x4_t abcd,
                                           uint32x4_t efgh)
{
    mtc_sha_ce_put(out, abcd);
    mtc_sha_ce_put(out + 16, efgh);
}

#include "sha256_vec.h"

#endif /* MTC_ARM64 */
#endif /* MTC_SHA_ARM64CE_H */
