/*
 * sha_arm64ce.c: SHA-1 and SHA-256 compression with the ARMv8 Crypto
 * Extensions.  The state lives in vector registers in FIPS 180-4 order,
 * each message vector holds four schedule words (the first in lane 0), and
 * each instruction does four rounds (SHA1C/SHA1P/SHA1M, SHA256H with
 * SHA256H2) or four schedule words (SHA1SU0 with SHA1SU1, SHA256SU0 with
 * SHA256SU1).
 *
 * Speed, reasoned (not measured: no AArch64 hardware here).  On Cortex-A76
 * the Software Optimization Guide gives SHA256H and SHA256H2 a 4-cycle
 * latency, one a cycle on one pipeline; the two of a four-round step are
 * independent, so a 64-byte block's 16 steps take about 64 cycles, 1 cycle
 * a byte (the schedule runs beside them).  SHA-1's 20 steps of SHA1C/P/M
 * (also 4 cycles) take about 80 cycles a block.
 *
 * Valgrind cannot run this file's kernels here: they are argued
 * constant-time, instruction by instruction, in tests/c/ctgrind.c, which a
 * change here must keep true.
 */
#include "sha_arm64ce.h"

#if MTC_ARM64

/*
 * Four SHA-1 rounds (FIPS 180-4 6.1.2) with round function f (0: Ch for
 * rounds 0-19, 1 and 3: Parity, 2: Maj), e the E entering them and wk the
 * four schedule words plus the constant.
 */
MTC_SHA_CE_INLINE uint32x4_t mtc_sha1_ce_r4(uint32x4_t abcd, uint32_t e,
                                            uint32x4_t wk, const int f)
{
    if (f == 0) {
        return vsha1cq_u32(abcd, e, wk);
    }
    if (f == 2) {
        return vsha1mq_u32(abcd, e, wk);
    }
    return vsha1pq_u32(abcd, e, wk);
}

/*
 * Step g (0..19) of four rounds: schedule vector w[g % 4] (made here from
 * the four before it for g >= 4: SHA1SU0 gives w[t-16] ^ w[t-14] ^ w[t-8],
 * SHA1SU1 adds w[t-3] and rotates), then the rounds.  E for the next step
 * is ROL30 of this step's A (SHA1H).
 */
#define SHA1_STEP(g) \
    do { \
        if ((g) >= 4) { \
            w[(g) & 3] = vsha1su1q_u32( \
                vsha1su0q_u32(w[(g) & 3], w[((g) + 1) & 3], \
                              w[((g) + 2) & 3]), \
                w[((g) + 3) & 3]); \
        } \
        uint32_t e_next = vsha1h_u32(vgetq_lane_u32(abcd, 0)); \
        abcd = mtc_sha1_ce_r4(abcd, e, \
                              vaddq_u32(w[(g) & 3], \
                                        vdupq_n_u32(k[(g) / 5])), \
                              (g) / 5); \
        e = e_next; \
    } while (0)

/* see inner.h */
MTC_TARGET_ARMCE
void mtc_arm64ce_sha1_blocks(uint32_t state[5], const uint8_t *data,
                             size_t nblocks)
{
    static const uint32_t k[4] = {0x5a827999u, 0x6ed9eba1u, 0x8f1bbcdcu,
                                  0xca62c1d6u};
    uint32x4_t abcd = vld1q_u32(state);
    uint32_t e0 = state[4];

    for (; nblocks > 0; nblocks--, data += 64) {
        uint32x4_t abcd0 = abcd, w[4];
        uint32_t e = e0;
        for (int i = 0; i < 4; i++) {
            w[i] = mtc_sha_v_words(data + 16 * i);
        }
        SHA1_STEP(0);
        SHA1_STEP(1);
        SHA1_STEP(2);
        SHA1_STEP(3);
        SHA1_STEP(4);
        SHA1_STEP(5);
        SHA1_STEP(6);
        SHA1_STEP(7);
        SHA1_STEP(8);
        SHA1_STEP(9);
        SHA1_STEP(10);
        SHA1_STEP(11);
        SHA1_STEP(12);
        SHA1_STEP(13);
        SHA1_STEP(14);
        SHA1_STEP(15);
        SHA1_STEP(16);
        SHA1_STEP(17);
        SHA1_STEP(18);
        SHA1_STEP(19);
        /* e is now ROL30 of the A that entered the last step: the E after
         * round 79. */
        abcd = vaddq_u32(abcd, abcd0);
        e0 += e;
    }
    vst1q_u32(state, abcd);
    state[4] = e0;
}

/* see inner.h */
MTC_TARGET_ARMCE
void mtc_arm64ce_sha256_blocks(uint32_t state[8], const uint8_t *data,
                               size_t nblocks)
{
    uint32x4_t abcd = vld1q_u32(state), efgh = vld1q_u32(state + 4);

    mtc_sha256_v_blocks(&abcd, &efgh, data, nblocks);
    vst1q_u32(state, abcd);
    vst1q_u32(state + 4, efgh);
}

/* see inner.h */
MTC_TARGET_ARMCE
void mtc_arm64ce_sha256_prefixed(const uint8_t prefix[32],
                                 const uint8_t *data, size_t n,
                                 uint8_t out[32])
{
    uint32x4_t abcd = vld1q_u32(mtc_sha256_iv);
    uint32x4_t efgh = vld1q_u32(mtc_sha256_iv + 4);

    mtc_sha256_v_prefixed_from(&abcd, &efgh, prefix, data, n, 0, out);
}

#endif /* MTC_ARM64 */
