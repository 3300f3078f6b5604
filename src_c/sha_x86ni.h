/*
 * sha_x86ni.h: SHA-256 with the Intel SHA extensions, as inline pieces
 * shared by the compression function (sha_x86ni.c) and the fused MTProto
 * kernels (mtp_x86ni.c).  The state
 * lives in two xmm registers in the lane order SHA256RNDS2 expects (ABEF
 * and CDGH); each message vector holds four schedule words, the first in
 * the lowest lane.
 *
 * Valgrind cannot run SHA-NI: these pieces are argued constant-time,
 * instruction by instruction, in tests/c/ctgrind.c, which a change here
 * must keep true.
 */
#ifndef MTC_SHA_X86NI_H
#define MTC_SHA_X86NI_H

#include "inner.h"

#if MTC_X86
#include <immintrin.h>

#define MTC_SHA_NI_INLINE MTC_INLINE MTC_TARGET_SHANI

/* Four big-endian message words into lanes 0..3. */
MTC_SHA_NI_INLINE __m128i mtc_sha256_ni_words(const uint8_t *p)
{
    const __m128i bswap = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5,
                                       6, 7, 0, 1, 2, 3);
    return _mm_shuffle_epi8(
        _mm_loadu_si128((const __m128i *)(const void *)p), bswap);
}

/* h0..h7 into ABEF (lanes 3..0 = A B E F) and CDGH. */
MTC_SHA_NI_INLINE void mtc_sha256_ni_load(const uint32_t state[8],
                                          __m128i *abef, __m128i *cdgh)
{
    __m128i abcd = _mm_loadu_si128((const __m128i *)(const void *)state);
    __m128i efgh = _mm_loadu_si128((const __m128i *)(const void *)(state + 4));
    __m128i badc = _mm_shuffle_epi32(abcd, 0xb1);
    __m128i hgfe = _mm_shuffle_epi32(efgh, 0x1b);
    *abef = _mm_alignr_epi8(badc, hgfe, 8);
    *cdgh = _mm_blend_epi16(hgfe, badc, 0xf0);
}

/* Back to h0..h3 and h4..h7 in lanes 0..3. */
MTC_SHA_NI_INLINE void mtc_sha256_ni_unpack(__m128i abef, __m128i cdgh,
                                            __m128i *h03, __m128i *h47)
{
    __m128i feba = _mm_shuffle_epi32(abef, 0x1b);
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xb1);
    *h03 = _mm_blend_epi16(feba, dchg, 0xf0);
    *h47 = _mm_alignr_epi8(dchg, feba, 8);
}

/* Back to h0..h7 in memory. */
MTC_SHA_NI_INLINE void mtc_sha256_ni_store(uint32_t state[8],
                                           __m128i abef, __m128i cdgh)
{
    __m128i h03, h47;
    mtc_sha256_ni_unpack(abef, cdgh, &h03, &h47);
    _mm_storeu_si128((__m128i *)(void *)state, h03);
    _mm_storeu_si128((__m128i *)(void *)(state + 4), h47);
}

/* Four words in lanes 0..3 out as 16 big-endian bytes. */
MTC_SHA_NI_INLINE void mtc_sha256_ni_put(uint8_t *p, __m128i w)
{
    const __m128i bswap = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5,
                                       6, 7, 0, 1, 2, 3);
    _mm_storeu_si128((__m128i *)(void *)p, _mm_shuffle_epi8(w, bswap));
}

/*
 * SHA-256 (FIPS 180-4 6.2.2): w[t] = SSIG1(w[t-2]) + w[t-7] +
 * SSIG0(w[t-15]) + w[t-16]; SHA256MSG1 gives w[t-16] + SSIG0(w[t-15]),
 * the middle term comes from w2:w3 shifted by one word, and SHA256MSG2
 * adds SSIG1(w[t-2]), including the two words it makes itself.
 */
MTC_SHA_NI_INLINE __m128i mtc_sha256_next(__m128i w0, __m128i w1,
                                          __m128i w2, __m128i w3)
{
    __m128i x = _mm_add_epi32(_mm_sha256msg1_epu32(w0, w1),
                              _mm_alignr_epi8(w3, w2, 4));
    return _mm_sha256msg2_epu32(x, w3);
}

/*
 * Four rounds with schedule words w and constants k[0..3]: SHA256RNDS2
 * does two rounds with the low two words of its third operand and
 * returns the new ABEF; the old ABEF is then the new CDGH.
 */
MTC_SHA_NI_INLINE void mtc_sha256_r4(__m128i *abef, __m128i *cdgh,
                                      __m128i w, const uint32_t *k)
{
    __m128i wk = _mm_add_epi32(
        w, _mm_loadu_si128((const __m128i *)(const void *)k));
    *cdgh = _mm_sha256rnds2_epu32(*cdgh, *abef, wk);
    *abef = _mm_sha256rnds2_epu32(*abef, *cdgh,
                                  _mm_shuffle_epi32(wk, 0x0e));
}

/*
 * One whole block from four message vectors already in word order (w0
 * holds words 0..3): the 64 rounds, then the chaining addition.
 */
MTC_SHA_NI_INLINE void mtc_sha256_ni_block(__m128i *abef, __m128i *cdgh,
                                           __m128i w0, __m128i w1,
                                           __m128i w2, __m128i w3)
{
    __m128i abef0 = *abef, cdgh0 = *cdgh;

    mtc_sha256_r4(abef, cdgh, w0, mtc_sha256_k);
    mtc_sha256_r4(abef, cdgh, w1, mtc_sha256_k + 4);
    mtc_sha256_r4(abef, cdgh, w2, mtc_sha256_k + 8);
    mtc_sha256_r4(abef, cdgh, w3, mtc_sha256_k + 12);
    for (int i = 16; i < 64; i += 16) {
        w0 = mtc_sha256_next(w0, w1, w2, w3);
        mtc_sha256_r4(abef, cdgh, w0, mtc_sha256_k + i);
        w1 = mtc_sha256_next(w1, w2, w3, w0);
        mtc_sha256_r4(abef, cdgh, w1, mtc_sha256_k + i + 4);
        w2 = mtc_sha256_next(w2, w3, w0, w1);
        mtc_sha256_r4(abef, cdgh, w2, mtc_sha256_k + i + 8);
        w3 = mtc_sha256_next(w3, w0, w1, w2);
        mtc_sha256_r4(abef, cdgh, w3, mtc_sha256_k + i + 12);
    }
    *abef = _mm_add_epi32(*abef, abef0);
    *cdgh = _mm_add_epi32(*cdgh, cdgh0);
}

/* nblocks whole blocks of data into the state in registers. */
MTC_SHA_NI_INLINE void mtc_sha256_ni_blocks(__m128i *abef, __m128i *cdgh,
                                            const uint8_t *data,
                                            size_t nblocks)
{
    for (; nblocks > 0; nblocks--, data += 64) {
        mtc_sha256_ni_block(abef, cdgh, mtc_sha256_ni_words(data),
                            mtc_sha256_ni_words(data + 16),
                            mtc_sha256_ni_words(data + 32),
                            mtc_sha256_ni_words(data + 48));
    }
}

/*
 * Vector d of the data-and-padding stream of SHA256(prefix[0:32] +
 * data[0:16 m]) after the prefix (FIPS 180-4 5.1.1): the m data vectors,
 * then 0x80 and zeros, the bit length in the last two words of the last
 * vector.
 */
MTC_SHA_NI_INLINE __m128i mtc_sha256_ni_padded(const uint8_t *data,
                                               size_t m, size_t d, int last,
                                               uint64_t bits)
{
    if (d < m) {
        return mtc_sha256_ni_words(data + 16 * d);
    }
    __m128i v = _mm_cvtsi32_si128(d == m ? (int)0x80000000u : 0);
    if (last) {
        v = _mm_insert_epi32(v, (int)(uint32_t)(bits >> 32), 2);
        v = _mm_insert_epi32(v, (int)(uint32_t)bits, 3);
    }
    return v;
}

/*
 * Finishes SHA256(prefix[0:32] + data[0:n]), n % 16 == 0, whose first
 * `done` blocks are already in the state, and writes the digest to out.
 * The message's vector s is the prefix's for s < 2, else data vector
 * s - 2; the padding (1 to 4 vectors) is built in registers.
 */
MTC_SHA_NI_INLINE void mtc_sha256_ni_prefixed_from(__m128i *abef,
                                                   __m128i *cdgh,
                                                   const uint8_t prefix[32],
                                                   const uint8_t *data,
                                                   size_t n, size_t done,
                                                   uint8_t out[32])
{
    size_t m = n / 16, total = (2 + m + 1 + 3) / 4 * 4;
    uint64_t bits = 8 * (uint64_t)(32 + n);
    __m128i h03, h47;
    size_t d;

    if (done == 0) {
        mtc_sha256_ni_block(abef, cdgh, mtc_sha256_ni_words(prefix),
                            mtc_sha256_ni_words(prefix + 16),
                            mtc_sha256_ni_padded(data, m, 0, 0, bits),
                            mtc_sha256_ni_padded(data, m, 1, total == 4, bits));
        done = 1;
    }
    /* Block `done` starts at data vector 4 done - 2; whole blocks of data
     * straight from memory, then the rest with the padding. */
    d = 4 * done - 2;
    size_t whole = m > d ? (m - d) / 4 : 0;
    mtc_sha256_ni_blocks(abef, cdgh, data + 16 * d, whole);
    for (d += 4 * whole; d + 2 < total; d += 4) {
        mtc_sha256_ni_block(abef, cdgh,
                            mtc_sha256_ni_padded(data, m, d, 0, bits),
                            mtc_sha256_ni_padded(data, m, d + 1, 0, bits),
                            mtc_sha256_ni_padded(data, m, d + 2, 0, bits),
                            mtc_sha256_ni_padded(data, m, d + 3,
                                                 d + 6 == total, bits));
    }
    mtc_sha256_ni_unpack(*abef, *cdgh, &h03, &h47);
    mtc_sha256_ni_put(out, h03);
    mtc_sha256_ni_put(out + 16, h47);
}

#endif /* MTC_X86 */
#endif /* MTC_SHA_X86NI_H */
