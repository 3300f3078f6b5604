/*
 * aes_x86ni_cbc.c: AES-256-CBC with AES-NI.  Encryption is sequential
 * (the chaining XOR folded into the last round key, as in IGE);
 * decryption runs eight independent blocks at a time.
 */
#include "aes_x86ni.h"

#if MTC_X86

/* see inner.h */
MTC_TARGET_AESNI
void mtc_x86ni_cbc_encrypt(const uint8_t key[32], uint8_t iv[16],
                           const uint8_t *in, uint8_t *out, size_t len)
{
    /* c_i = E(p_i ^ c_{i-1}), c_0 = iv */
    __m128i rk[15];
    size_t n = len / 16;

    if (n == 0) {
        return;
    }
    mtc_ni_key_enc(rk, key);
    __m128i s = _mm_xor_si128(_mm_xor_si128(mtc_ni_load(in), mtc_ni_load(iv)),
                              rk[0]);
    for (size_t i = 0; i + 1 < n; i++) {
        __m128i link = _mm_xor_si128(mtc_ni_load(in + 16 * (i + 1)), rk[0]);
        /* s' = c_i ^ p_{i+1} ^ rk0 */
        s = _mm_aesenclast_si128(mtc_ni_enc13(s, rk),
                                 _mm_xor_si128(rk[14], link));
        mtc_ni_store(out + 16 * i, _mm_xor_si128(s, link));
    }
    s = _mm_aesenclast_si128(mtc_ni_enc13(s, rk), rk[14]);
    mtc_ni_store(out + 16 * (n - 1), s);
    mtc_ni_store(iv, s);
    mtc_ni_wipe(rk, 15);
}

/*
 * Decrypts n blocks (n <= 8, a constant at every call site so the loops
 * unroll into registers) that are independent given prev, the ciphertext
 * block before them; all are loaded before any is stored, so in == out
 * works.  Returns the last ciphertext block.
 */
MTC_NI_INLINE __m128i mtc_ni_cbc_dec_run(const __m128i dk[15], __m128i prev,
                                         const uint8_t *in, uint8_t *out,
                                         const size_t n)
{
    __m128i c[8], s[8];
    for (size_t j = 0; j < n; j++) {
        c[j] = mtc_ni_load(in + 16 * j);
        s[j] = _mm_xor_si128(c[j], dk[0]);
    }
    for (int r = 1; r < 14; r++) {
        for (size_t j = 0; j < n; j++) {
            s[j] = _mm_aesdec_si128(s[j], dk[r]);
        }
    }
    /* AESDECLAST XORs its key in: D(c_j) ^ c_{j-1} in one step. */
    for (size_t j = 0; j < n; j++) {
        s[j] = _mm_aesdeclast_si128(
            s[j], _mm_xor_si128(dk[14], j == 0 ? prev : c[j - 1]));
        mtc_ni_store(out + 16 * j, s[j]);
    }
    return c[n - 1];
}

/* see inner.h */
MTC_TARGET_AESNI
void mtc_x86ni_cbc_decrypt(const uint8_t key[32], uint8_t iv[16],
                           const uint8_t *in, uint8_t *out, size_t len)
{
    __m128i rk[15], dk[15];
    size_t n = len / 16, i = 0;

    if (n == 0) {
        return;
    }
    mtc_ni_key_enc(rk, key);
    mtc_ni_key_dec(dk, rk);
    mtc_ni_wipe(rk, 15);
    __m128i prev = mtc_ni_load(iv);
    for (; i + 8 <= n; i += 8) {
        prev = mtc_ni_cbc_dec_run(dk, prev, in + 16 * i, out + 16 * i, 8);
    }
    for (; i < n; i++) {
        prev = mtc_ni_cbc_dec_run(dk, prev, in + 16 * i, out + 16 * i, 1);
    }
    mtc_ni_store(iv, prev);
    mtc_ni_wipe(dk, 15);
}

#endif /* MTC_X86 */
