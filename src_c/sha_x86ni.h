/*
 * sha_x86ni.h: SHA-256 with the Intel SHA extensions, as inline pieces
 * shared by the compression function (sha_x86ni.c) and the fused MTProto
 * kernels (mtp_x86ni.c): the primitives of sha256_vec.h, which writes the
 * blocks and the padding over them, and the state's moves.  The state
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

/* The primitives of sha256_vec.h, which is included below. */
#define MTC_SHA_V_INLINE MTC_SHA_NI_INLINE
typedef __m128i mtc_sha_v;
#define mtc_sha_v_add _mm_add_epi32

/* Four big-endian message words into lanes 0..3. */
MTC_SHA_NI_INLINE __m128i mtc_sha_v_words(const uint8_t *p)
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
MTC_SHA_NI_INLINE __m128i mtc_sha256_v_next(__m128i w0, __m128i w1,
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
MTC_SHA_NI_INLINE void mtc_sha256_v_r4(__m128i *abef, __m128i *cdgh,
                                        __m128i w, const uint32_t *k)
{
    __m128i wk = _mm_add_epi32(
        w, _mm_loadu_si128((const __m128i *)(const void *)k));
    *cdgh = _mm_sha256rnds2_epu32(*cdgh, *abef, wk);
    *abef = _mm_sha256rnds2_epu32(*abef, *cdgh,
                                  _mm_shuffle_epi32(wk, 0x0e));
}

/* A padding vector (as sha256_vec.h says). */
MTC_SHA_NI_INLINE __m128i mtc_sha256_v_pad(int first, int last, uint64_t bits)
{
    __m128i v = _mm_cvtsi32_si128(first ? (int)0x80000000u : 0);
    if (last) {
        v = _mm_insert_epi32(v, (int)(uint32_t)(bits >> 32), 2);
        v = _mm_insert_epi32(v, (int)(uint32_t)bits, 3);
    }
    return v;
}

/* The state out as the digest. */
MTC_SHA_NI_INLINE void mtc_sha256_v_digest(uint8_t out[32], __m128i abef,
                                           __m128i cdgh)
{
    __m128i h03, h47;
    mtc_sha256_ni_unpack(abef, cdgh, &h03, &h47);
    mtc_sha256_ni_put(out, h03);
    mtc_sha256_ni_put(out + 16, h47);
}

#include "sha256_vec.h"

#endif /* MTC_X86 */
#endif /* MTC_SHA_X86NI_H */
