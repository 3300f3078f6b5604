/*
 * aes_vp_ctr.c: AES-256-CTR on the vector-permute kernel (aes_vp.h),
 * MTC_VP_WAYS blocks side by side.
 */
#include "aes_vp.h"

#if MTC_VP

/* see inner.h */
void mtc_vp_ctr_key(mtc_aes256_keys *ks, const uint8_t key[32])
{
    mtc_vp_keys((uint8_t *)ks->w, key, 0);
}

/* n (1..MTC_VP_WAYS) blocks of key stream from the counter (hi, lo) + j,
 * XORed from in to out. */
MTC_INLINE MTC_TARGET_VP void mtc_vp_ctr(const mtc_vp_tabs *t,
                                         const mtc_vp_v k[15], uint64_t hi,
                                         uint64_t lo, size_t j,
                                         const uint8_t *in, uint8_t *out,
                                         const size_t n)
{
    mtc_vp_v s[MTC_VP_WAYS];

    for (size_t b = 0; b < n; b++) {
        s[b] = mtc_vp_be128(hi + mtc_carry64(lo, j + b), lo + j + b);
    }
    mtc_vp_blocks(t, k, s, n, 0);
    for (size_t b = 0; b < n; b++) {
        mtc_vp_store(out + 16 * (j + b),
                     mtc_vp_xor(s[b], mtc_vp_load(in + 16 * (j + b))));
    }
}

/* see inner.h */
MTC_TARGET_VP void mtc_vp_ctr_blocks(const mtc_aes256_keys *ks,
                                     uint8_t ctr[16], const uint8_t *in,
                                     uint8_t *out, size_t nblocks)
{
    mtc_vp_tabs t;
    mtc_vp_v k[15];
    uint64_t hi = mtc_dec64be(ctr), lo = mtc_dec64be(ctr + 8);
    size_t j = 0;

    mtc_vp_tabs_load(&t, 0);
    for (int i = 0; i < 15; i++) {
        k[i] = mtc_vp_load((const uint8_t *)ks->w + 16 * i);
    }
    /* The loops count j, public, and the counters are (hi, lo) + j: a
     * loop that stepped lo itself may be compiled to end on a comparison
     * of lo, a branch on the counter. */
    for (; j + MTC_VP_WAYS <= nblocks; j += MTC_VP_WAYS) {
        mtc_vp_ctr(&t, k, hi, lo, j, in, out, MTC_VP_WAYS);
    }
    for (; j < nblocks; j++) {
        mtc_vp_ctr(&t, k, hi, lo, j, in, out, 1);
    }
    mtc_enc64be(ctr, hi + mtc_carry64(lo, nblocks));
    mtc_enc64be(ctr + 8, lo + nblocks);
    mtc_memzero(k, sizeof k);
}

#endif /* MTC_VP */
