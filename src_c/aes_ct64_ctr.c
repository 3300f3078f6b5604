/*
 * aes_ct64_ctr.c: AES-256-CTR on the bitsliced core, four counter blocks
 * per pass.
 */
#include "inner.h"

/* out = in ^ ks over nb bytes (a multiple of 8), eight bytes at a time. */
static void xor_bytes(uint8_t *out, const uint8_t *in, const uint8_t *ks,
                      size_t nb)
{
    for (size_t i = 0; i < nb; i += 8) {
        mtc_enc64le(out + i, mtc_dec64le(in + i) ^ mtc_dec64le(ks + i));
    }
}

/* see mtc.h */
void mtc_ct64_ctr_key(mtc_aes256_keys *ks, const uint8_t key[32])
{
    mtc_ct64_skey(ks->w, key);
}

/* see mtc.h */
void mtc_ct64_ctr_blocks(const mtc_aes256_keys *ks, uint8_t ctr[16],
                         const uint8_t *in, uint8_t *out, size_t nblocks)
{
    uint64_t q[8];
    uint8_t buf[64];
    uint64_t hi = mtc_dec64be(ctr);
    uint64_t lo = mtc_dec64be(ctr + 8);

    while (nblocks > 0) {
        size_t n = nblocks < 4 ? nblocks : 4;
        size_t nb = 16 * n;

        /* All four slots, so that no loop test involves the counter. */
        for (unsigned k = 0; k < 4; k++) {
            mtc_enc64be(buf + 16 * k, hi + mtc_carry64(lo, k));
            mtc_enc64be(buf + 16 * k + 8, lo + k);
        }
        hi += mtc_carry64(lo, n);
        lo += n;
        mtc_ct64_load(q, buf, n);
        mtc_ct64_encrypt(ks->w, q);
        mtc_ct64_store(buf, q, n);
        xor_bytes(out, in, buf, nb);
        in += nb;
        out += nb;
        nblocks -= n;
    }
    mtc_enc64be(ctr, hi);
    mtc_enc64be(ctr + 8, lo);
    mtc_memzero(q, sizeof q);
    mtc_memzero(buf, sizeof buf);
}
