/*
 * sha_arm64ce.h: SHA-256 with the ARMv8 Crypto Extensions, as inline
 * pieces shared by the compression function (sha_arm64ce.c) and the fused
 * MTProto kernel (mtp_arm64ce.c).  The state lives in two vector registers
 * in the order of FIPS 180-4 (abcd = h0..h3 and efgh = h4..h7, the first
 * in lane 0), which is the order SHA256H and SHA256H2 take; each message
 * vector holds four schedule words, the first in lane 0.
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

/* Four big-endian message words into lanes 0..3. */
MTC_SHA_CE_INLINE uint32x4_t mtc_sha_ce_words(const uint8_t *p)
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
MTC_SHA_CE_INLINE uint32x4_t mtc_sha256_ce_next(uint32x4_t w0, uint32x4_t w1,
                                                uint32x4_t w2, uint32x4_t w3)
{
    return vsha256su1q_u32(vsha256su0q_u32(w0, w1), w2, w3);
}

/*
 * Four rounds with schedule words w and constants k[0..3]: SHA256H gives
 * the new abcd and SHA256H2 the new efgh, both from the old state.
 */
MTC_SHA_CE_INLINE void mtc_sha256_ce_r4(uint32x4_t *abcd, uint32x4_t *efgh,
                                        uint32x4_t w, const uint32_t *k)
{
    uint32x4_t wk = vaddq_u32(w, vld1q_u32(k));
    uint32x4_t a = *abcd;
    *abcd = vsha256hq_u32(a, *efgh, wk);
    *efgh = vsha256h2q_u32(*efgh, a, wk);
}

/*
 * One whole block from four message vectors already in word order (w0
 * holds words 0..3): the 64 rounds, then the chaining addition.
 */
MTC_SHA_CE_INLINE void mtc_sha256_ce_block(uint32x4_t *abcd, uint32x4_t *efgh,
                                           uint32x4_t w0, uint32x4_t w1,
                                           uint32x4_t w2, uint32x4_t w3)
{
    uint32x4_t abcd0 = *abcd, efgh0 = *efgh;

    mtc_sha256_ce_r4(abcd, efgh, w0, mtc_sha256_k);
    mtc_sha256_ce_r4(abcd, efgh, w1, mtc_sha256_k + 4);
    mtc_sha256_ce_r4(abcd, efgh, w2, mtc_sha256_k + 8);
    mtc_sha256_ce_r4(abcd, efgh, w3, mtc_sha256_k + 12);
    for (int i = 16; i < 64; i += 16) {
        w0 = mtc_sha256_ce_next(w0, w1, w2, w3);
        mtc_sha256_ce_r4(abcd, efgh, w0, mtc_sha256_k + i);
        w1 = mtc_sha256_ce_next(w1, w2, w3, w0);
        mtc_sha256_ce_r4(abcd, efgh, w1, mtc_sha256_k + i + 4);
        w2 = mtc_sha256_ce_next(w2, w3, w0, w1);
        mtc_sha256_ce_r4(abcd, efgh, w2, mtc_sha256_k + i + 8);
        w3 = mtc_sha256_ce_next(w3, w0, w1, w2);
        mtc_sha256_ce_r4(abcd, efgh, w3, mtc_sha256_k + i + 12);
    }
    *abcd = vaddq_u32(*abcd, abcd0);
    *efgh = vaddq_u32(*efgh, efgh0);
}

/* nblocks whole blocks of data into the state in registers. */
MTC_SHA_CE_INLINE void mtc_sha256_ce_blocks(uint32x4_t *abcd,
                                            uint32x4_t *efgh,
                                            const uint8_t *data,
                                            size_t nblocks)
{
    for (; nblocks > 0; nblocks--, data += 64) {
        mtc_sha256_ce_block(abcd, efgh, mtc_sha_ce_words(data),
                            mtc_sha_ce_words(data + 16),
                            mtc_sha_ce_words(data + 32),
                            mtc_sha_ce_words(data + 48));
    }
}

/*
 * Vector d of the data-and-padding stream of SHA256(prefix[0:32] +
 * data[0:16 m]) after the prefix (FIPS 180-4 5.1.1): the m data vectors,
 * then 0x80 and zeros, the bit length in the last two words of the last
 * vector.
 */
MTC_SHA_CE_INLINE uint32x4_t mtc_sha256_ce_padded(const uint8_t *data,
                                                  size_t m, size_t d,
                                                  int last, uint64_t bits)
{
    if (d < m) {
        return mtc_sha_ce_words(data + 16 * d);
    }
    uint32x4_t v = vdupq_n_u32(0);
    if (d == m) {
        v = vsetq_lane_u32(0x80000000u, v, 0);
    }
    if (last) {
        v = vsetq_lane_u32((uint32_t)(bits >> 32), v, 2);
        v = vsetq_lane_u32((uint32_t)bits, v, 3);
    }
    return v;
}

/*
 * Finishes SHA256(prefix[0:32] + data[0:n]), n % 16 == 0, whose first
 * `done` blocks are already in the state, and writes the digest to out.
 * The message's vector s is the prefix's for s < 2, else data vector
 * s - 2; the padding (1 to 4 vectors) is built in registers.
 */
MTC_SHA_CE_INLINE void mtc_sha256_ce_prefixed_from(uint32x4_t *abcd,
                                                   uint32x4_t *efgh,
                                                   const uint8_t prefix[32],
                                                   const uint8_t *data,
                                                   size_t n, size_t done,
                                                   uint8_t out[32])
{
    size_t m = n / 16, total = (2 + m + 1 + 3) / 4 * 4;
    uint64_t bits = 8 * (uint64_t)(32 + n);
    size_t d;

    if (done == 0) {
        mtc_sha256_ce_block(abcd, efgh, mtc_sha_ce_words(prefix),
                            mtc_sha_ce_words(prefix + 16),
                            mtc_sha256_ce_padded(data, m, 0, 0, bits),
                            mtc_sha256_ce_padded(data, m, 1, total == 4,
                                                 bits));
        done = 1;
    }
    /* Block `done` starts at data vector 4 done - 2; whole blocks of data
     * straight from memory, then the rest with the padding. */
    d = 4 * done - 2;
    size_t whole = m > d ? (m - d) / 4 : 0;
    mtc_sha256_ce_blocks(abcd, efgh, data + 16 * d, whole);
    for (d += 4 * whole; d + 2 < total; d += 4) {
        mtc_sha256_ce_block(abcd, efgh,
                            mtc_sha256_ce_padded(data, m, d, 0, bits),
                            mtc_sha256_ce_padded(data, m, d + 1, 0, bits),
                            mtc_sha256_ce_padded(data, m, d + 2, 0, bits),
                            mtc_sha256_ce_padded(data, m, d + 3,
                                                 d + 6 == total, bits));
    }
    mtc_sha_ce_put(out, *abcd);
    mtc_sha_ce_put(out + 16, *efgh);
}

#endif /* MTC_ARM64 */
#endif /* MTC_SHA_ARM64CE_H */
