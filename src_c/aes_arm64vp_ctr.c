/*
 * aes_arm64vp_ctr.c: AES-256-CTR on the vector-permute kernel
 * (aes_arm64vp.h), two blocks side by side.
 */
#include "aes_arm64vp.h"

#if MTC_ARM64VP

/* see inner.h */
void mtc_arm64vp_ctr_key(mtc_aes256_keys *ks, const uint8_t key[32])
{
    mtc_arm64vp_keys((uint8_t *)ks->w, key, 0);
}

/* The counter block (hi, lo) + j (mod 2^128), big-endian. */
MTC_INLINE uint8x16_t mtc_vp_counter(uint64_t hi, uint64_t lo, uint64_t j)
{
    uint64x2_t c = vcombine_u64(vcreate_u64(hi + mtc_carry64(lo, j)),
                                vcreate_u64(lo + j));
    return vrev64q_u8(vreinterpretq_u8_u64(c));
}

/* see inner.h */
void mtc_arm64vp_ctr_blocks(const mtc_aes256_keys *ks, uint8_t ctr[16],
                            const uint8_t *in, uint8_t *out, size_t nblocks)
{
    mtc_vp_tabs t;
    uint8x16_t k[15], s[2];
    uint64_t hi = mtc_dec64be(ctr), lo = mtc_dec64be(ctr + 8);

    mtc_vp_tabs_load(&t, 0);
    for (int i = 0; i < 15; i++) {
        k[i] = mtc_vp_load((const uint8_t *)ks->w + 16 * i);
    }
    for (; nblocks >= 2; nblocks -= 2, in += 32, out += 32) {
        s[0] = mtc_vp_counter(hi, lo, 0);
        s[1] = mtc_vp_counter(hi, lo, 1);
        mtc_vp_blocks(&t, k, s, 2, 0);
        mtc_vp_store(out, veorq_u8(s[0], mtc_vp_load(in)));
        mtc_vp_store(out + 16, veorq_u8(s[1], mtc_vp_load(in + 16)));
        hi += mtc_carry64(lo, 2);
        lo += 2;
    }
    if (nblocks == 1) {
        s[0] = mtc_vp_counter(hi, lo, 0);
        mtc_vp_blocks(&t, k, s, 1, 0);
        mtc_vp_store(out, veorq_u8(s[0], mtc_vp_load(in)));
        hi += mtc_carry64(lo, 1);
        lo += 1;
    }
    mtc_enc64be(ctr, hi);
    mtc_enc64be(ctr + 8, lo);
    mtc_memzero(k, sizeof k);
}

#endif /* MTC_ARM64VP */
