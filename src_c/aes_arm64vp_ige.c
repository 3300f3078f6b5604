/*
 * aes_arm64vp_ige.c: AES-256-IGE on the vector-permute kernel
 * (aes_arm64vp.h), one block at a time: IGE chains every block on the
 * previous one in both directions.
 */
#include "aes_arm64vp.h"

#if MTC_ARM64VP

/*
 * x is XORed into the input before the cipher and y into its output;
 * afterwards x is this output block and y this input block: (x, y) =
 * (c_0, p_0) = (iv[0:16], iv[16:32]) to encrypt, (p_0, c_0) to decrypt.
 * decrypt is a constant at both call sites.
 */
MTC_INLINE void mtc_vp_ige(const uint8_t key[32], const uint8_t iv[32],
                           const uint8_t *in, uint8_t *out, size_t len,
                           const int decrypt)
{
    mtc_vp_tabs t;
    uint8x16_t k[15];

    if (len < 16) {
        return;
    }
    mtc_vp_tabs_load(&t, decrypt);
    mtc_vp_keys(k, key, decrypt);
    uint8x16_t x = mtc_vp_load(decrypt ? iv + 16 : iv);
    uint8x16_t y = mtc_vp_load(decrypt ? iv : iv + 16);
    for (size_t off = 0; off + 16 <= len; off += 16) {
        uint8x16_t cur = mtc_vp_load(in + off);
        uint8x16_t s = veorq_u8(cur, x);
        mtc_vp_blocks(&t, k, &s, 1, decrypt);
        x = veorq_u8(s, y);
        y = cur;
        mtc_vp_store(out + off, x);
    }
    mtc_memzero(k, sizeof k);
}

/* see inner.h */
void mtc_arm64vp_ige_encrypt(const uint8_t key[32], const uint8_t iv[32],
                             const uint8_t *in, uint8_t *out, size_t len)
{
    mtc_vp_ige(key, iv, in, out, len, 0);
}

/* see inner.h */
void mtc_arm64vp_ige_decrypt(const uint8_t key[32], const uint8_t iv[32],
                             const uint8_t *in, uint8_t *out, size_t len)
{
    mtc_vp_ige(key, iv, in, out, len, 1);
}

#endif /* MTC_ARM64VP */
