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
    memcpy(st->pos.ctr, iv, 16);
    memset(st->pos.keystream, 0, 16);
    st->pos.offset = 0;
}

/* The keystream block of pos->ctr into pos->keystream. */
static void mtc_ctr_fill(const mtc_aes_impl *impl, const mtc_aes256_keys *ks,
                         mtc_ctr_pos *pos)
{
    uint8_t ctr[16];
    memcpy(ctr, pos->ctr, 16);
    memset(pos->keystream, 0, 16);
    impl->ctr_blocks(ks, ctr, pos->keystream, pos->keystream, 1);
    mtc_memzero(ctr, sizeof ctr);
}

/* see mtc.h */
void mtc_ctr_xor(const mtc_aes_impl *impl, const mtc_aes256_keys *ks,
                 mtc_ctr_pos *pos, const uint8_t *in, uint8_t *out,
                 size_t len)
{
    /* Finish the keystream block a previous call started. */
    if (pos->offset != 0) {
        size_t n = 16 - pos->offset;
        if (n > len) {
            n = len;
        }
        mtc_xor(out, in, pos->keystream + pos->offset, n);
        in += n;
        out += n;
        len -= n;
        pos->offset = (pos->offset + (unsigned)n) & 15u;
        if (pos->offset == 0) {
            mtc_ctr_add(pos->ctr, 1);
        }
    }
    size_t blocks = len / 16;
    if (blocks > 0) {
        impl->ctr_blocks(ks, pos->ctr, in, out, blocks);
        in += blocks * 16;
        out += blocks * 16;
        len -= blocks * 16;
    }
    /* Start a block and keep the rest of its keystream for later. */
    if (len > 0) {
        mtc_ctr_fill(impl, ks, pos);
        mtc_xor(out, in, pos->keystream, len);
        pos->offset = (unsigned)len;
    }
}

/* see mtc.h */
void mtc_ctr_skip(const mtc_aes_impl *impl, const mtc_aes256_keys *ks,
                  mtc_ctr_pos *pos, size_t len)
{
    /* offset < 16, so the sum cannot wrap where len fits memory. */
    size_t total = pos->offset + len;
    int had_block = pos->offset != 0;
    mtc_ctr_add(pos->ctr, (uint64_t)(total >> 4));
    pos->offset = (unsigned)(total & 15u);
    if (pos->offset == 0) {
        mtc_memzero(pos->keystream, 16);
    } else if (!had_block || total >= 16) {
        /* A block other than the one pos->keystream holds. */
        mtc_ctr_fill(impl, ks, pos);
    }
}

/* see mtc.h */
void mtc_ctr_update(const mtc_aes_impl *impl, mtc_ctr_stream *st,
                    const uint8_t *in, uint8_t *out, size_t len)
{
    mtc_ctr_xor(impl, &st->ks, &st->pos, in, out, len);
}
