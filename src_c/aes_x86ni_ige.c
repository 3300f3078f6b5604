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

/*
 * IGE decryption; with hash != NULL, also SHA-256 of prefix (32 bytes) +
 * plaintext.  The hashed message's 64-byte blocks start 32 bytes before
 * each multiple of 64 in the plaintext, so block j is complete once the
 * plaintext reaches 64 j + 32; it is compressed right after that store,
 * while the next AES blocks run (the two dependency chains overlap).
 * Inlined with hash == NULL, the hashing compiles away.
 */
MTC_NI_INLINE void mtc_ni_ige_dec(const uint8_t key[32], const uint8_t iv[32],
                                  const uint8_t *in, uint8_t *out, size_t n,
                                  mtc_sha256_ctx *hash,
                                  const uint8_t prefix[32])
{
    /* p_i = D(c_i ^ p_{i-1}) ^ c_{i-1};  c_0 = iv[0:16], p_0 = iv[16:32] */
    __m128i rk[15], dk[15];
    uint8_t first[64];
    size_t hashed = 0; /* plaintext bytes compressed */

    mtc_ni_key_enc(rk, key);
    mtc_ni_key_dec(dk, rk);
    mtc_ni_wipe(rk, 15);
    __m128i cprev = mtc_ni_load(iv);
    __m128i c = mtc_ni_load(in);
    __m128i s = _mm_xor_si128(_mm_xor_si128(c, mtc_ni_load(iv + 16)), dk[0]);
    __m128i last = _mm_xor_si128(dk[14], cprev);
    for (size_t i = 0; i + 1 < n; i++) {
        __m128i cn = mtc_ni_load(in + 16 * (i + 1));
        __m128i link = _mm_xor_si128(cn, dk[0]);
        /* s' = p_i ^ c_{i+1} ^ dk0: the next block's round-0 state. */
        s = _mm_aesdeclast_si128(mtc_ni_dec13(s, dk),
                                 _mm_xor_si128(last, link));
        mtc_ni_store(out + 16 * i, _mm_xor_si128(s, link));
        last = _mm_xor_si128(dk[14], c);
        c = cn;
        if (hash != NULL && (i & 3) == 1) {
            /* The plaintext now ends at 16 (i + 1) = 64 j + 32. */
            if (i == 1) {
                memcpy(first, prefix, 32);
                memcpy(first + 32, out, 32);
                hash->impl->sha256_blocks(hash->h, first, 1);
            } else {
                hash->impl->sha256_blocks(hash->h, out + 16 * i - 48, 1);
            }
            hashed = 16 * (i + 1);
        }
    }
    s = _mm_aesdeclast_si128(mtc_ni_dec13(s, dk), last);
    mtc_ni_store(out + 16 * (n - 1), s);
    mtc_ni_wipe(dk, 15);
    if (hash != NULL) {
        if (hashed == 0) {
            mtc_sha256_update(hash, prefix, 32);
        } else {
            hash->total = 32 + hashed;
            mtc_memzero(first, sizeof first);
        }
        mtc_sha256_update(hash, out + hashed, 16 * n - hashed);
    }
}

/* see inner.h */
MTC_TARGET_AESNI
void mtc_x86ni_ige_decrypt(const uint8_t key[32], const uint8_t iv[32],
                           const uint8_t *in, uint8_t *out, size_t len)
{
    if (len >= 16) {
        mtc_ni_ige_dec(key, iv, in, out, len / 16, NULL, NULL);
    }
}

/* see inner.h */
MTC_TARGET_AESNI
void mtc_x86ni_ige_decrypt_sha256(const uint8_t key[32],
                                  const uint8_t iv[32], const uint8_t *in,
                                  uint8_t *out, size_t len,
                                  const mtc_sha_impl *sha,
                                  const uint8_t prefix[32],
                                  uint8_t digest[32])
{
    mtc_sha256_ctx hash;

    mtc_sha256_init(&hash, sha);
    if (len >= 16) {
        mtc_ni_ige_dec(key, iv, in, out, len / 16, &hash, prefix);
    } else {
        mtc_sha256_update(&hash, prefix, 32);
    }
    mtc_sha256_final(&hash, digest);
}

#endif /* MTC_X86 */
