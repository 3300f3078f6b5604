/*
 * sha_x86ni.c: SHA-1 and SHA-256 compression with the Intel SHA
 * extensions, following the technique of Gulley et al., "Intel SHA
 * Extensions" (Intel, 2013): the state lives in two xmm registers in the
 * lane order the instructions expect, each message vector holds four
 * schedule words (the first in the highest lane for SHA-1, the lowest for
 * SHA-256), and the schedule runs one vector ahead of the rounds.
 * Whole-message SHA-256 (one-shot, MTProto's msg_key) builds the
 * padded last blocks in registers: a block assembled in memory from
 * smaller stores and read back as vectors stalls on store forwarding, on
 * the critical path of every message.
 *
 * Valgrind cannot run this file's kernels: they are argued constant-time,
 * instruction by instruction, in tests/c/ctgrind.c, which a change here
 * must keep true.
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
void mtc_x86ni_sha1_blocks(uint32_t state[5], const uint8_t *data,
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
void mtc_x86ni_sha256_blocks(uint32_t state[8], const uint8_t *data,
                             size_t nblocks)
{
    __m128i abef, cdgh;

    mtc_sha256_ni_load(state, &abef, &cdgh);
    mtc_sha256_v_blocks(&abef, &cdgh, data, nblocks);
    mtc_sha256_ni_store(state, abef, cdgh);
}

/* see inner.h */
MTC_TARGET_SHANI
void mtc_x86ni_sha256_prefixed(const uint8_t prefix[32], const uint8_t *data,
                               size_t n, uint8_t out[32])
{
    __m128i abef, cdgh;

    mtc_sha256_ni_load(mtc_sha256_iv, &abef, &cdgh);
    mtc_sha256_v_prefixed_from(&abef, &cdgh, prefix, data, n, 0, out);
}

/*
 * Vector j of the last one or two blocks of a one-shot message: the r
 * bytes of tail at t, 0x80, zeros (the bit length is put in by the
 * caller).  A vector cut by the end of the message is loaded as the 16
 * bytes that end there (len >= 16, so they are in the message) and moved
 * down by a byte shuffle.
 */
MTC_SHA_NI_INLINE __m128i mtc_sha256_ni_tail(const uint8_t *t, size_t r,
                                             size_t j)
{
    /* shuffle[p] = p below 16, zeroing (0x80) from 16; mark[16] = 0x80. */
    static const uint8_t shuffle[32] = {
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
        0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
    };
    static const uint8_t mark[32] = {[16] = 0x80};
    const __m128i bswap = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5,
                                       6, 7, 0, 1, 2, 3);
    size_t start = 16 * j;

    if (start + 16 <= r) {
        return mtc_sha_v_words(t + start);
    }
    if (start > r) {
        return _mm_setzero_si128();
    }
    /* k = r - start bytes of message (0..15), then 0x80. */
    size_t k = r - start;
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(t + r - 16));
    v = _mm_shuffle_epi8(
        v, _mm_loadu_si128((const __m128i *)(const void *)(shuffle + 16 - k)));
    v = _mm_or_si128(
        v, _mm_loadu_si128((const __m128i *)(const void *)(mark + 16 - k)));
    return _mm_shuffle_epi8(v, bswap);
}

/* see inner.h */
MTC_TARGET_SHANI
void mtc_x86ni_sha256(const uint8_t *data, size_t len, uint8_t out[32])
{
    size_t whole = len / 64, r = len % 64, last = r < 56 ? 4 : 8;
    uint64_t bits = 8 * (uint64_t)len;
    __m128i abef, cdgh, h03, h47, w[8];
    uint8_t small[16];

    if (len < 16) {
        /* At the end of a buffer of 16, so that 16 bytes end at data + len. */
        memset(small, 0, sizeof small);
        memcpy(small + 16 - len, data, len);
        data = small + 16 - len;
    }
    const uint8_t *t = data + 64 * whole;
    mtc_sha256_ni_load(mtc_sha256_iv, &abef, &cdgh);
    mtc_sha256_v_blocks(&abef, &cdgh, data, whole);
    for (size_t j = 0; j < last; j++) {
        w[j] = mtc_sha256_ni_tail(t, r, j);
    }
    w[last - 1] = _mm_insert_epi32(w[last - 1], (int)(uint32_t)(bits >> 32), 2);
    w[last - 1] = _mm_insert_epi32(w[last - 1], (int)(uint32_t)bits, 3);
    mtc_sha256_v_block(&abef, &cdgh, w[0], w[1], w[2], w[3]);
    if (last == 8) {
        mtc_sha256_v_block(&abef, &cdgh, w[4], w[5], w[6], w[7]);
    }
    mtc_sha256_ni_unpack(abef, cdgh, &h03, &h47);
    mtc_sha256_ni_put(out, h03);
    mtc_sha256_ni_put(out + 16, h47);
    if (len < 16) {
        mtc_memzero(small, sizeof small);
    }
}

#endif /* MTC_X86 */
