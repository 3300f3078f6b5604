/*
 * aes_arm64ce_ctr.c: AES-256-CTR with the ARMv8 Crypto Extensions, eight
 * blocks in flight (the speed is reasoned in aes_arm64ce.h).
 */
#include "aes_arm64ce.h"

#if MTC_ARM64

/* see inner.h */
MTC_TARGET_ARMCE
void mtc_arm64ce_ctr_key(mtc_aes256_keys *ks, const uint8_t key[32])
{
    uint8x16_t rk[15];
    mtc_ce_key_enc(rk, key);
    for (int i = 0; i < 15; i++) {
        vst1q_u8((uint8_t *)ks->w + 16 * i, rk[i]);
    }
    mtc_memzero(rk, sizeof rk);
}

/*
 * XORs the keystream of n blocks (n a constant at every call site, so the
 * loops unroll into registers) into in -> out, for the counters (hi, lo),
 * (hi, lo + 1), ... (mod 2^128).
 */
MTC_CE_INLINE void mtc_ce_ctr_run(const uint8x16_t rk[15], uint64_t hi,
                                  uint64_t lo, const uint8_t *in,
                                  uint8_t *out, const size_t n)
{
    uint8x16_t s[8];
    for (size_t j = 0; j < n; j++) {
        /* hi in bytes 0..7 and lo in 8..15, each reversed to big-endian. */
        uint64x2_t c = vcombine_u64(vcreate_u64(hi + mtc_carry64(lo, j)),
                                    vcreate_u64(lo + j));
        s[j] = vaesmcq_u8(vaeseq_u8(vrev64q_u8(vreinterpretq_u8_u64(c)),
                                    rk[0]));
    }
    for (int r = 1; r < 13; r++) {
        for (size_t j = 0; j < n; j++) {
            s[j] = vaesmcq_u8(vaeseq_u8(s[j], rk[r]));
        }
    }
    for (size_t j = 0; j < n; j++) {
        s[j] = veorq_u8(vaeseq_u8(s[j], rk[13]), rk[14]);
        vst1q_u8(out + 16 * j, veorq_u8(s[j], vld1q_u8(in + 16 * j)));
    }
}

/* see inner.h */
MTC_TARGET_ARMCE
void mtc_arm64ce_ctr_blocks(const mtc_aes256_keys *ks, uint8_t ctr[16],
                            const uint8_t *in, uint8_t *out, size_t nblocks)
{
    uint8x16_t rk[15];
    uint64_t hi = mtc_dec64be(ctr), lo = mtc_dec64be(ctr + 8);

    for (int i = 0; i < 15; i++) {
        rk[i] = vld1q_u8((const uint8_t *)ks->w + 16 * i);
    }
    while (nblocks > 0) {
        size_t n = nblocks >= 8 ? 8 : 1;
        if (n == 8) {
            mtc_ce_ctr_run(rk, hi, lo, in, out, 8);
        } else {
            mtc_ce_ctr_run(rk, hi, lo, in, out, 1);
        }
        hi += mtc_carry64(lo, n);
        lo += n;
        in += 16 * n;
        out += 16 * n;
        nblocks -= n;
    }
    mtc_enc64be(ctr, hi);
    mtc_enc64be(ctr + 8, lo);
    mtc_memzero(rk, sizeof rk);
}

#endif /* MTC_ARM64 */
