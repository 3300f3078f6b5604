/*
 * aes_ct64_ige.c: AES-256-IGE on the bitsliced core.  IGE chains every
 * block on the previous one in both directions, so each pass carries one
 * block and three idle slots.
 */
#include "inner.h"

/*
 * Runs IGE over len bytes.  x and y are the two chaining blocks: x is
 * XORed into the input before the block cipher and y into its output;
 * afterwards the new x is this output block and the new y this input
 * block.  For encryption (x, y) = (c_0, p_0), for decryption (p_0, c_0).
 */
static void ige_run(const uint8_t key[32], const uint8_t x0[16],
                    const uint8_t y0[16], const uint8_t *in, uint8_t *out,
                    size_t len, int decrypt)
{
    mtc_aes256_keys ks;
    uint64_t q[8];
    uint8_t x[16], y[16], cur[16], buf[16];

    mtc_ct64_skey(ks.w, key);
    memcpy(x, x0, 16);
    memcpy(y, y0, 16);
    for (size_t off = 0; off < len; off += 16) {
        memcpy(cur, in + off, 16);
        mtc_xor(buf, cur, x, 16);
        mtc_ct64_load(q, buf, 1);
        if (decrypt) {
            mtc_ct64_decrypt(ks.w, q);
        } else {
            mtc_ct64_encrypt(ks.w, q);
        }
        mtc_ct64_store(buf, q, 1);
        mtc_xor(x, buf, y, 16);
        memcpy(y, cur, 16);
        memcpy(out + off, x, 16);
    }
    mtc_memzero(&ks, sizeof ks);
    mtc_memzero(q, sizeof q);
    mtc_memzero(x, sizeof x);
    mtc_memzero(y, sizeof y);
    mtc_memzero(cur, sizeof cur);
    mtc_memzero(buf, sizeof buf);
}

/* see mtc.h */
void mtc_ct64_ige_encrypt(const uint8_t key[32], const uint8_t iv[32],
                          const uint8_t *in, uint8_t *out, size_t len)
{
    ige_run(key, iv, iv + 16, in, out, len, 0);
}

/* see mtc.h */
void mtc_ct64_ige_decrypt(const uint8_t key[32], const uint8_t iv[32],
                          const uint8_t *in, uint8_t *out, size_t len)
{
    ige_run(key, iv + 16, iv, in, out, len, 1);
}
