/*
 * aes_vp_cbc.c: AES-256-CBC on the vector-permute kernel (aes_vp.h):
 * encryption one block at a time, decryption MTC_VP_WAYS blocks side by
 * side.
 */
#include "aes_vp.h"

#if MTC_VP

/* see inner.h */
MTC_TARGET_VP void mtc_vp_cbc_encrypt(const uint8_t key[32], uint8_t iv[16],
                                      const uint8_t *in, uint8_t *out,
                                      size_t len)
{
    if (len >= 16) {
        mtc_vp_store(iv, mtc_vp_chain(key, mtc_vp_load(iv), mtc_vp_splat(0),
                                      in, out, len / 16, 0, 0));
    }
}

/* n (1..MTC_VP_WAYS) blocks from in to out after prev; returns the last
 * ciphertext block.  All are loaded before any is stored (in == out). */
MTC_INLINE MTC_TARGET_VP mtc_vp_v mtc_vp_cbc_dec(const mtc_vp_tabs *t,
                                                 const mtc_vp_v k[15],
                                                 mtc_vp_v prev,
                                                 const uint8_t *in,
                                                 uint8_t *out, const size_t n)
{
    mtc_vp_v c[MTC_VP_WAYS], s[MTC_VP_WAYS];

    for (size_t b = 0; b < n; b++) {
        s[b] = c[b] = mtc_vp_load(in + 16 * b);
    }
    mtc_vp_blocks(t, k, s, n, 1);
    for (size_t b = 0; b < n; b++) {
        mtc_vp_store(out + 16 * b, mtc_vp_xor(s[b], b ? c[b - 1] : prev));
    }
    return c[n - 1];
}

/* see inner.h */
MTC_TARGET_VP void mtc_vp_cbc_decrypt(const uint8_t key[32], uint8_t iv[16],
                                      const uint8_t *in, uint8_t *out,
                                      size_t len)
{
    mtc_vp_tabs t;
    mtc_vp_v k[15];
    size_t n = len / 16, i = 0;

    if (n == 0) {
        return;
    }
    mtc_vp_tabs_load(&t, 1);
    mtc_vp_load_keys(k, key, 1);
    mtc_vp_v prev = mtc_vp_load(iv);
    for (; i + MTC_VP_WAYS <= n; i += MTC_VP_WAYS) {
        prev = mtc_vp_cbc_dec(&t, k, prev, in + 16 * i, out + 16 * i,
                              MTC_VP_WAYS);
    }
    for (; i < n; i++) {
        prev = mtc_vp_cbc_dec(&t, k, prev, in + 16 * i, out + 16 * i, 1);
    }
    mtc_vp_store(iv, prev);
    mtc_memzero(k, sizeof k);
}

#endif /* MTC_VP */
