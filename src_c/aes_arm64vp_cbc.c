/*
 * aes_arm64vp_cbc.c: AES-256-CBC on the vector-permute kernel
 * (aes_arm64vp.h): encryption one block at a time, decryption two blocks
 * side by side.
 */
#include "aes_arm64vp.h"

#if MTC_ARM64VP

/* see inner.h */
void mtc_arm64vp_cbc_encrypt(const uint8_t key[32], uint8_t iv[16],
                             const uint8_t *in, uint8_t *out, size_t len)
{
    mtc_vp_tabs t;
    uint8x16_t k[15];

    if (len < 16) {
        return;
    }
    mtc_vp_tabs_load(&t, 0);
    mtc_vp_keys(k, key, 0);
    uint8x16_t c = mtc_vp_load(iv);
    for (size_t off = 0; off + 16 <= len; off += 16) {
        c = veorq_u8(c, mtc_vp_load(in + off));
        mtc_vp_blocks(&t, k, &c, 1, 0);
        mtc_vp_store(out + off, c);
    }
    mtc_vp_store(iv, c);
    mtc_memzero(k, sizeof k);
}

/* see inner.h */
void mtc_arm64vp_cbc_decrypt(const uint8_t key[32], uint8_t iv[16],
                             const uint8_t *in, uint8_t *out, size_t len)
{
    mtc_vp_tabs t;
    uint8x16_t k[15], s[2];
    size_t n = len / 16, i = 0;

    if (n == 0) {
        return;
    }
    mtc_vp_tabs_load(&t, 1);
    mtc_vp_keys(k, key, 1);
    uint8x16_t prev = mtc_vp_load(iv);
    /* Both blocks are loaded before either is stored (in == out works). */
    for (; i + 2 <= n; i += 2) {
        uint8x16_t c0 = mtc_vp_load(in + 16 * i);
        uint8x16_t c1 = mtc_vp_load(in + 16 * i + 16);
        s[0] = c0;
        s[1] = c1;
        mtc_vp_blocks(&t, k, s, 2, 1);
        mtc_vp_store(out + 16 * i, veorq_u8(s[0], prev));
        mtc_vp_store(out + 16 * i + 16, veorq_u8(s[1], c0));
        prev = c1;
    }
    if (i < n) {
        uint8x16_t c0 = mtc_vp_load(in + 16 * i);
        s[0] = c0;
        mtc_vp_blocks(&t, k, s, 1, 1);
        mtc_vp_store(out + 16 * i, veorq_u8(s[0], prev));
        prev = c0;
    }
    mtc_vp_store(iv, prev);
    mtc_memzero(k, sizeof k);
}

#endif /* MTC_ARM64VP */
