/*
 * aes_ctr_stream.c: byte-granular CTR streams over any kernel's
 * whole-block CTR function.
 */
#include "inner.h"

/* see mtc.h */
void mtc_ctr_init(const mtc_aes_impl *impl, mtc_ctr_stream *st,
                  const uint8_t key[32], const uint8_t iv[16])
{
    impl->ctr_key(&st->ks, key);
    memcpy(st->ctr, iv, 16);
    memset(st->keystream, 0, 16);
    st->offset = 0;
}

/* see mtc.h */
void mtc_ctr_update(const mtc_aes_impl *impl, mtc_ctr_stream *st,
                    const uint8_t *in, uint8_t *out, size_t len)
{
    /* Finish the keystream block a previous call started. */
    if (st->offset != 0) {
        size_t n = 16 - st->offset;
        if (n > len) {
            n = len;
        }
        mtc_xor(out, in, st->keystream + st->offset, n);
        in += n;
        out += n;
        len -= n;
        st->offset = (st->offset + (unsigned)n) & 15u;
        if (st->offset == 0) {
            mtc_ctr_add(st->ctr, 1);
        }
    }
    size_t blocks = len / 16;
    if (blocks > 0) {
        impl->ctr_blocks(&st->ks, st->ctr, in, out, blocks);
        in += blocks * 16;
        out += blocks * 16;
        len -= blocks * 16;
    }
    /* Start a block and keep the rest of its keystream for later. */
    if (len > 0) {
        uint8_t ctr[16];
        memcpy(ctr, st->ctr, 16);
        memset(st->keystream, 0, 16);
        impl->ctr_blocks(&st->ks, ctr, st->keystream, st->keystream, 1);
        mtc_memzero(ctr, sizeof ctr);
        mtc_xor(out, in, st->keystream, len);
        st->offset = (unsigned)len;
    }
}
