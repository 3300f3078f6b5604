/*
 * sha_common.c: streaming and one-shot SHA-256 / SHA-1 (FIPS 180-4 5.1.1
 * padding) over any implementation's compression functions.
 */
#include "inner.h"

/* Both compression functions have this type (array parameters decay). */
typedef void (*mtc_sha_blocks_fn)(uint32_t *state, const uint8_t *data,
                                  size_t nblocks);

/*
 * Appends len bytes: tops up the partial block in buf, compresses every
 * whole block straight from data in one call, and keeps the tail.
 */
MTC_INLINE void mtc_sha_absorb(mtc_sha_blocks_fn blocks, uint32_t *h,
                               uint8_t buf[64], size_t *fill,
                               const uint8_t *p, size_t len)
{
    size_t n = *fill;

    if (n != 0) {
        size_t room = 64 - n;
        if (len < room) {
            memcpy(buf + n, p, len);
            *fill = n + len;
            return;
        }
        memcpy(buf + n, p, room);
        blocks(h, buf, 1);
        p += room;
        len -= room;
    }
    if (len >= 64) {
        blocks(h, p, len / 64);
        p += len & ~(size_t)63;
        len &= 63;
    }
    if (len != 0) {
        memcpy(buf, p, len);
    }
    *fill = len;
}

/* Pads (0x80, zeros, 64-bit big-endian bit count) and compresses. */
MTC_INLINE void mtc_sha_pad(mtc_sha_blocks_fn blocks, uint32_t *h,
                            uint8_t buf[64], size_t fill, uint64_t total)
{
    buf[fill++] = 0x80;
    if (fill > 56) {
        memset(buf + fill, 0, 64 - fill);
        blocks(h, buf, 1);
        fill = 0;
    }
    memset(buf + fill, 0, 56 - fill);
    mtc_enc64be(buf + 56, total << 3);
    blocks(h, buf, 1);
}

/* The initial hash values (FIPS 180-4 5.3.3 and 5.3.1). */
const uint32_t mtc_sha256_iv[8] = {
    0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
    0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u,
};
static const uint32_t mtc_sha1_iv[5] = {
    0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u, 0xc3d2e1f0u,
};

/*
 * The whole message at once: its whole blocks straight from data, then
 * the tail and the padding (one or two blocks) from a local buffer,
 * wiped after.  No context to set up, fill and wipe.
 */
MTC_INLINE void mtc_sha_oneshot(mtc_sha_blocks_fn blocks, uint32_t *h,
                                const uint8_t *data, size_t len)
{
    uint8_t tail[128];
    size_t whole = len & ~(size_t)63, rest = len - whole;
    size_t end = rest < 56 ? 64 : 128;

    if (whole != 0) {
        blocks(h, data, whole / 64);
    }
    memcpy(tail, data + whole, rest);
    tail[rest] = 0x80;
    memset(tail + rest + 1, 0, end - 8 - (rest + 1));
    mtc_enc64be(tail + end - 8, (uint64_t)len << 3);
    blocks(h, tail, end / 64);
    mtc_memzero(tail, end);
}

/* see mtc.h */
void mtc_sha256(const mtc_sha_impl *impl, const void *data, size_t len,
                uint8_t out[32])
{
    uint32_t h[8];

    if (impl->sha256 != NULL) {
        impl->sha256((const uint8_t *)data, len, out);
        return;
    }
    memcpy(h, mtc_sha256_iv, sizeof h);
    mtc_sha_oneshot(impl->sha256_blocks, h, (const uint8_t *)data, len);
    for (int i = 0; i < 8; i++) {
        mtc_enc32be(out + 4 * i, h[i]);
    }
    mtc_memzero(h, sizeof h);
}

/* see mtc.h */
void mtc_sha1(const mtc_sha_impl *impl, const void *data, size_t len,
              uint8_t out[20])
{
    uint32_t h[5];

    memcpy(h, mtc_sha1_iv, sizeof h);
    mtc_sha_oneshot(impl->sha1_blocks, h, (const uint8_t *)data, len);
    for (int i = 0; i < 5; i++) {
        mtc_enc32be(out + 4 * i, h[i]);
    }
    mtc_memzero(h, sizeof h);
}

/* see mtc.h */
void mtc_sha256_init(mtc_sha256_ctx *ctx, const mtc_sha_impl *impl)
{
    ctx->impl = impl;
    memcpy(ctx->h, mtc_sha256_iv, sizeof mtc_sha256_iv);
    ctx->total = 0;
    ctx->fill = 0;
}

/* see mtc.h */
void mtc_sha256_update(mtc_sha256_ctx *ctx, const void *data, size_t len)
{
    if (len == 0) {
        return;
    }
    ctx->total += len;
    mtc_sha_absorb(ctx->impl->sha256_blocks, ctx->h, ctx->buf, &ctx->fill,
                   (const uint8_t *)data, len);
}

/* see mtc.h */
void mtc_sha256_final(mtc_sha256_ctx *ctx, uint8_t out[32])
{
    mtc_sha_pad(ctx->impl->sha256_blocks, ctx->h, ctx->buf, ctx->fill,
                ctx->total);
    for (int i = 0; i < 8; i++) {
        mtc_enc32be(out + 4 * i, ctx->h[i]);
    }
    mtc_memzero(ctx, sizeof *ctx);
}

/* see mtc.h */
void mtc_sha1_init(mtc_sha1_ctx *ctx, const mtc_sha_impl *impl)
{
    ctx->impl = impl;
    memcpy(ctx->h, mtc_sha1_iv, sizeof mtc_sha1_iv);
    ctx->total = 0;
    ctx->fill = 0;
}

/* see mtc.h */
void mtc_sha1_update(mtc_sha1_ctx *ctx, const void *data, size_t len)
{
    if (len == 0) {
        return;
    }
    ctx->total += len;
    mtc_sha_absorb(ctx->impl->sha1_blocks, ctx->h, ctx->buf, &ctx->fill,
                   (const uint8_t *)data, len);
}

/* see mtc.h */
void mtc_sha1_final(mtc_sha1_ctx *ctx, uint8_t out[20])
{
    mtc_sha_pad(ctx->impl->sha1_blocks, ctx->h, ctx->buf, ctx->fill,
                ctx->total);
    for (int i = 0; i < 5; i++) {
        mtc_enc32be(out + 4 * i, ctx->h[i]);
    }
    mtc_memzero(ctx, sizeof *ctx);
}
