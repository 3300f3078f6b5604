/*
 * aes_ct64_cbc.c: AES-256-CBC on the bitsliced core.  Encryption is
 * sequential (one block per pass); decryption fills all four slots.
 */
#include "inner.h"

/* see mtc.h */
void mtc_ct64_cbc_encrypt(const uint8_t key[32], uint8_t iv[16],
                          const uint8_t *in, uint8_t *out, size_t len)
{
    mtc_aes256_keys ks;
    uint64_t q[8];
    uint8_t c[16];

    mtc_ct64_skey(ks.w, key);
    memcpy(c, iv, 16);
    for (size_t off = 0; off < len; off += 16) {
        mtc_xor(c, c, in + off, 16);
        mtc_ct64_load(q, c, 1);
        mtc_ct64_encrypt(ks.w, q);
        mtc_ct64_store(c, q, 1);
        memcpy(out + off, c, 16);
    }
    memcpy(iv, c, 16);
    mtc_memzero(&ks, sizeof ks);
    mtc_memzero(q, sizeof q);
}

/* see mtc.h */
void mtc_ct64_cbc_decrypt(const uint8_t key[32], uint8_t iv[16],
                          const uint8_t *in, uint8_t *out, size_t len)
{
    mtc_aes256_keys ks;
    uint64_t q[8];
    uint8_t prev[16], ct[64], pt[64];
    size_t nblocks = len / 16;

    mtc_ct64_skey(ks.w, key);
    memcpy(prev, iv, 16);
    while (nblocks > 0) {
        size_t n = nblocks < 4 ? nblocks : 4;
        size_t nb = 16 * n;

        /* Copy the ciphertext first: out may be in. */
        memcpy(ct, in, nb);
        mtc_ct64_load(q, ct, n);
        mtc_ct64_decrypt(ks.w, q);
        mtc_ct64_store(pt, q, n);
        mtc_xor(pt, pt, prev, 16);
        mtc_xor(pt + 16, pt + 16, ct, nb - 16);
        memcpy(prev, ct + nb - 16, 16);
        memcpy(out, pt, nb);
        in += nb;
        out += nb;
        nblocks -= n;
    }
    memcpy(iv, prev, 16);
    mtc_memzero(&ks, sizeof ks);
    mtc_memzero(q, sizeof q);
    mtc_memzero(pt, sizeof pt);
}
