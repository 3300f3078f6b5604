/*
 * aes_x86ni_ige.c: AES-256-IGE with AES-NI.
 *
 * IGE is sequential in both directions, so one block's 14 rounds are the
 * critical path.  Everything else is kept off it by folding the XORs that
 * link consecutive blocks into the last round key: AESENCLAST(s, k) XORs k
 * into the result, so with k = rk14 ^ y_i ^ x_next ^ rk0 the last round
 * yields the next block's first-round input directly, and the output block
 * is recovered from it in parallel with the next block's rounds.
 */
#include "aes_x86ni.h"

#if MTC_X86

/* see inner.h */
MTC_TARGET_AESNI
void mtc_x86ni_ige_encrypt(const uint8_t key[32], const uint8_t iv[32],
                           const uint8_t *in, uint8_t *out, size_t len)
{
    /* c_i = E(p_i ^ c_{i-1}) ^ p_{i-1};  c_0 = iv[0:16], p_0 = iv[16:32] */
    __m128i rk[15];
    size_t n = len / 16;

    if (n == 0) {
        return;
    }
    mtc_ni_key_enc(rk, key);
    __m128i pprev = mtc_ni_load(iv + 16);
    __m128i p = mtc_ni_load(in);
    __m128i s = _mm_xor_si128(_mm_xor_si128(p, mtc_ni_load(iv)), rk[0]);
    __m128i last = _mm_xor_si128(rk[14], pprev);
    for (size_t i = 0; i + 1 < n; i++) {
        __m128i pn = mtc_ni_load(in + 16 * (i + 1));
        __m128i link = _mm_xor_si128(pn, rk[0]);
        /* s' = c_i ^ p_{i+1} ^ rk0: the next block's round-0 state. */
        s = _mm_aesenclast_si128(mtc_ni_enc13(s, rk),
                                 _mm_xor_si128(last, link));
        mtc_ni_store(out + 16 * i, _mm_xor_si128(s, link));
        last = _mm_xor_si128(rk[14], p);
        p = pn;
    }
    s = _mm_aesenclast_si128(mtc_ni_enc13(s, rk), last);
    mtc_ni_store(out + 16 * (n - 1), s);
    mtc_ni_wipe(rk, 15);
}

/* see inner.h */
MTC_TARGET_AESNI
void mtc_x86ni_ige_decrypt(const uint8_t key[32], const uint8_t iv[32],
                           const uint8_t *in, uint8_t *out, size_t len)
{
    __m128i dk[15];
    mtc_ni_ige_dec_state st;
    size_t n = len / 16;

    if (n == 0) {
        return;
    }
    mtc_ni_ige_dec_keys(dk, key);
    mtc_ni_ige_dec_init(&st, dk, iv, in);
    for (size_t i = 0; i + 1 < n; i++) {
        mtc_ni_ige_dec_next(&st, dk, in + 16 * (i + 1), out + 16 * i);
    }
    mtc_ni_ige_dec_last(&st, dk, out + 16 * (n - 1));
    mtc_ni_wipe(dk, 15);
    mtc_memzero(&st, sizeof st); /* last holds dk[14] ^ c, key material */
}

#endif /* MTC_X86 */
