/*
 * sha_x86ni.c: SHA-1 and SHA-256 compression with the Intel SHA
 * extensions, following the technique of Gulley et al., "Intel SHA
 * Extensions" (Intel, 2013): the state lives in two xmm registers in the
 * lane order the instructions expect, each message vector holds four
 * schedule words (the first in the highest lane for SHA-1, the lowest for
 * SHA-256), and the schedule runs one vector ahead of the rounds.
 */
#include "sha_x86ni.h"

#if MTC_X86

/*
 * The next four schedule words from the previous sixteen (w0 oldest).
 * SHA-1 (FIPS 180-4 6.1.2): w[t] = ROL1(w[t-3] ^ w[t-8] ^ w[t-14] ^
 * w[t-16]); SHA1MSG1 gives w[t-16] ^ w[t-14], SHA1MSG2 adds w[t-3] and
 * rotates.
 */
MTC_TARGET_SHANI
static inline __m128i mtc_sha1_next(__m128i w0, __m128i w1, __m128i w2,
                                    __m128i w3)
{
    __m128i x = _mm_xor_si128(_mm_sha1msg1_epu32(w0, w1), w2);
    return _mm_sha1msg2_epu32(x, w3);
}

/*
 * Four rounds: e1 = E + the four words, E being ROL30 of the A that
 * entered the previous four rounds (SHA1NEXTE).  prev keeps the ABCD the
 * rounds start from, for the next E.
 */
#define SHA1_R4(f, w) \
    do { \
        e1 = _mm_sha1nexte_epu32(prev, w); \
        prev = abcd; \
        abcd = _mm_sha1rnds4_epu32(abcd, e1, f); \
    } while (0)

/* see inner.h */
MTC_TARGET_SHANI
void mtc_sha1_blocks_shani(uint32_t state[5], const uint8_t *data,
                           size_t nblocks)
{
    /* Reverses all 16 bytes: the first big-endian word goes to lane 3. */
    const __m128i bswap = _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
                                       12, 13, 14, 15);
    /* abcd: A in lane 3 .. D in lane 0; e: E in lane 3, zeros below. */
    __m128i abcd = _mm_shuffle_epi32(
        _mm_loadu_si128((const __m128i *)(const void *)state), 0x1b);
    __m128i e = _mm_slli_si128(_mm_cvtsi32_si128((int)state[4]), 12);

    for (; nblocks > 0; nblocks--, data += 64) {
        __m128i abcd0 = abcd, e0 = e, prev, e1;
        __m128i w0 = _mm_shuffle_epi8(
            _mm_loadu_si128((const __m128i *)(const void *)data), bswap);
        __m128i w1 = _mm_shuffle_epi8(
            _mm_loadu_si128((const __m128i *)(const void *)(data + 16)),
            bswap);
        __m128i w2 = _mm_shuffle_epi8(
            _mm_loadu_si128((const __m128i *)(const void *)(data + 32)),
            bswap);
        __m128i w3 = _mm_shuffle_epi8(
            _mm_loadu_si128((const __m128i *)(const void *)(data + 48)),
            bswap);

        /* Rounds 0-3 take E itself; later ones get it from SHA1NEXTE. */
        prev = abcd;
        abcd = _mm_sha1rnds4_epu32(abcd, _mm_add_epi32(e, w0), 0);
        SHA1_R4(0, w1);
        SHA1_R4(0, w2);
        SHA1_R4(0, w3);
        w0 = mtc_sha1_next(w0, w1, w2, w3);
        SHA1_R4(0, w0);
        w1 = mtc_sha1_next(w1, w2, w3, w0);
        SHA1_R4(1, w1);
        w2 = mtc_sha1_next(w2, w3, w0, w1);
        SHA1_R4(1, w2);
        w3 = mtc_sha1_next(w3, w0, w1, w2);
        SHA1_R4(1, w3);
        w0 = mtc_sha1_next(w0, w1, w2, w3);
        SHA1_R4(1, w0);
        w1 = mtc_sha1_next(w1, w2, w3, w0);
        SHA1_R4(1, w1);
        w2 = mtc_sha1_next(w2, w3, w0, w1);
        SHA1_R4(2, w2);
        w3 = mtc_sha1_next(w3, w0, w1, w2);
        SHA1_R4(2, w3);
        w0 = mtc_sha1_next(w0, w1, w2, w3);
        SHA1_R4(2, w0);
        w1 = mtc_sha1_next(w1, w2, w3, w0);
        SHA1_R4(2, w1);
        w2 = mtc_sha1_next(w2, w3, w0, w1);
        SHA1_R4(2, w2);
        w3 = mtc_sha1_next(w3, w0, w1, w2);
        SHA1_R4(3, w3);
        w0 = mtc_sha1_next(w0, w1, w2, w3);
        SHA1_R4(3, w0);
        w1 = mtc_sha1_next(w1, w2, w3, w0);
        SHA1_R4(3, w1);
        w2 = mtc_sha1_next(w2, w3, w0, w1);
        SHA1_R4(3, w2);
        w3 = mtc_sha1_next(w3, w0, w1, w2);
        SHA1_R4(3, w3);

        /* E after round 79 is ROL30(A before round 76); add the old E. */
        e = _mm_sha1nexte_epu32(prev, e0);
        abcd = _mm_add_epi32(abcd, abcd0);
    }
    _mm_storeu_si128((__m128i *)(void *)state, _mm_shuffle_epi32(abcd, 0x1b));
    state[4] = (uint32_t)_mm_extract_epi32(e, 3);
}

/* see inner.h */
MTC_TARGET_SHANI
void mtc_sha256_blocks_shani(uint32_t state[8], const uint8_t *data,
                             size_t nblocks)
{
    __m128i abef, cdgh;

    mtc_sha256_ni_load(state, &abef, &cdgh);
    for (; nblocks > 0; nblocks--, data += 64) {
        __m128i abef0 = abef, cdgh0 = cdgh;
        __m128i w0 = mtc_sha256_ni_words(data);
        __m128i w1 = mtc_sha256_ni_words(data + 16);
        __m128i w2 = mtc_sha256_ni_words(data + 32);
        __m128i w3 = mtc_sha256_ni_words(data + 48);

        mtc_sha256_r4(&abef, &cdgh, w0, mtc_sha256_k);
        mtc_sha256_r4(&abef, &cdgh, w1, mtc_sha256_k + 4);
        mtc_sha256_r4(&abef, &cdgh, w2, mtc_sha256_k + 8);
        mtc_sha256_r4(&abef, &cdgh, w3, mtc_sha256_k + 12);
        for (int i = 16; i < 64; i += 16) {
            w0 = mtc_sha256_next(w0, w1, w2, w3);
            mtc_sha256_r4(&abef, &cdgh, w0, mtc_sha256_k + i);
            w1 = mtc_sha256_next(w1, w2, w3, w0);
            mtc_sha256_r4(&abef, &cdgh, w1, mtc_sha256_k + i + 4);
            w2 = mtc_sha256_next(w2, w3, w0, w1);
            mtc_sha256_r4(&abef, &cdgh, w2, mtc_sha256_k + i + 8);
            w3 = mtc_sha256_next(w3, w0, w1, w2);
            mtc_sha256_r4(&abef, &cdgh, w3, mtc_sha256_k + i + 12);
        }
        abef = _mm_add_epi32(abef, abef0);
        cdgh = _mm_add_epi32(cdgh, cdgh0);
    }
    mtc_sha256_ni_store(state, abef, cdgh);
}

#endif /* MTC_X86 */
