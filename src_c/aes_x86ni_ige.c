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
#include "sha_x86ni.h"

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

/* The decryption round keys (equivalent inverse cipher) of key. */
MTC_NI_INLINE void mtc_ni_ige_dec_keys(__m128i dk[15], const uint8_t key[32])
{
    __m128i rk[15];

    mtc_ni_key_enc(rk, key);
    mtc_ni_key_dec(dk, rk);
    mtc_ni_wipe(rk, 15);
}

/*
 * IGE decryption: p_i = D(c_i ^ p_{i-1}) ^ c_{i-1}, c_0 = iv[0:16],
 * p_0 = iv[16:32].  As in encryption, the links are folded into the last
 * round key.  Block i is decrypted by mtc_ni_ige_dec_next (i + 1 < n) or
 * mtc_ni_ige_dec_last; st carries s (the next round-0 state), last and c.
 */
typedef struct {
    __m128i s, last, c;
} mtc_ni_ige_dec_state;

MTC_NI_INLINE void mtc_ni_ige_dec_init(mtc_ni_ige_dec_state *st,
                                       const __m128i dk[15],
                                       const uint8_t iv[32],
                                       const uint8_t *in)
{
    __m128i cprev = mtc_ni_load(iv);
    st->c = mtc_ni_load(in);
    st->s = _mm_xor_si128(_mm_xor_si128(st->c, mtc_ni_load(iv + 16)), dk[0]);
    st->last = _mm_xor_si128(dk[14], cprev);
}

MTC_NI_INLINE void mtc_ni_ige_dec_next(mtc_ni_ige_dec_state *st,
                                       const __m128i dk[15],
                                       const uint8_t *next_in, uint8_t *out)
{
    __m128i cn = mtc_ni_load(next_in);
    __m128i link = _mm_xor_si128(cn, dk[0]);
    /* s' = p_i ^ c_{i+1} ^ dk0: the next block's round-0 state. */
    st->s = _mm_aesdeclast_si128(mtc_ni_dec13(st->s, dk),
                                 _mm_xor_si128(st->last, link));
    mtc_ni_store(out, _mm_xor_si128(st->s, link));
    st->last = _mm_xor_si128(dk[14], st->c);
    st->c = cn;
}

MTC_NI_INLINE void mtc_ni_ige_dec_last(mtc_ni_ige_dec_state *st,
                                       const __m128i dk[15], uint8_t *out)
{
    mtc_ni_store(out, _mm_aesdeclast_si128(mtc_ni_dec13(st->s, dk),
                                           st->last));
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

#define MTC_TARGET_AESNI_SHANI MTC_TARGET("sse2,ssse3,sse4.1,aes,sha")

/*
 * One SHA-256 compression with SHA-NI a quarter (16 rounds) at a time,
 * the state in registers: begin takes the block's words and keeps the
 * state it starts from, quarter 3 adds it back (FIPS 180-4 6.2.2 step 4).
 */
typedef struct {
    __m128i abef, cdgh, abef0, cdgh0, w0, w1, w2, w3;
} mtc_ni_sha256_run;

MTC_SHA_NI_INLINE void mtc_ni_sha256_begin(mtc_ni_sha256_run *r, __m128i w0,
                                           __m128i w1, __m128i w2,
                                           __m128i w3)
{
    r->abef0 = r->abef;
    r->cdgh0 = r->cdgh;
    r->w0 = w0;
    r->w1 = w1;
    r->w2 = w2;
    r->w3 = w3;
}

MTC_SHA_NI_INLINE void mtc_ni_sha256_quarter(mtc_ni_sha256_run *r, int q)
{
    const uint32_t *k = mtc_sha256_k + 16 * q;

    if (q != 0) {
        r->w0 = mtc_sha256_next(r->w0, r->w1, r->w2, r->w3);
    }
    mtc_sha256_r4(&r->abef, &r->cdgh, r->w0, k);
    if (q != 0) {
        r->w1 = mtc_sha256_next(r->w1, r->w2, r->w3, r->w0);
    }
    mtc_sha256_r4(&r->abef, &r->cdgh, r->w1, k + 4);
    if (q != 0) {
        r->w2 = mtc_sha256_next(r->w2, r->w3, r->w0, r->w1);
    }
    mtc_sha256_r4(&r->abef, &r->cdgh, r->w2, k + 8);
    if (q != 0) {
        r->w3 = mtc_sha256_next(r->w3, r->w0, r->w1, r->w2);
    }
    mtc_sha256_r4(&r->abef, &r->cdgh, r->w3, k + 12);
    if (q == 3) {
        r->abef = _mm_add_epi32(r->abef, r->abef0);
        r->cdgh = _mm_add_epi32(r->cdgh, r->cdgh0);
    }
}

/*
 * IGE decryption of n blocks and SHA256(prefix[0:32] + plaintext) into
 * digest in one pass, with SHA-NI.  The hashed message's block j is the
 * plaintext's bytes 64 j - 32 .. 64 j + 32 (block 0: the prefix and the
 * first 32 bytes), so it is complete once AES block 4 j + 1 is stored.
 * It is compressed a quarter at a time after AES blocks 4 j + 2 .. 4 j + 5,
 * so each AES block's rounds sit next to 16 SHA rounds in program order
 * and the two dependency chains (AES and SHA units) run side by side
 * (512 KiB: 600 -> 380 us here, the time of the IGE alone).  The blocks
 * the loop leaves and the padding follow in registers.
 *
 * Valgrind cannot run SHA-NI: this function is argued constant-time,
 * instruction by instruction, in tests/c/ctgrind.c, which a change here
 * must keep true.
 */
MTC_TARGET_AESNI_SHANI
static void mtc_ni_ige_dec_sha256_ni(const uint8_t key[32],
                                     const uint8_t iv[32], const uint8_t *in,
                                     uint8_t *out, size_t n,
                                     const uint8_t prefix[32],
                                     uint8_t digest[32])
{
    __m128i dk[15];
    mtc_ni_ige_dec_state st;
    mtc_ni_sha256_run r;
    size_t done = 0; /* hash blocks compressed */

    mtc_ni_ige_dec_keys(dk, key);
    mtc_ni_ige_dec_init(&st, dk, iv, in);
    mtc_sha256_ni_load(mtc_sha256_iv, &r.abef, &r.cdgh);
    size_t i = 0;
    for (; i < 2 && i + 1 < n; i++) {
        mtc_ni_ige_dec_next(&st, dk, in + 16 * (i + 1), out + 16 * i);
    }
    /* AES blocks 4 j + 2 .. 4 j + 5 with hash block j. */
    for (; i + 4 < n; i += 4) {
        mtc_ni_ige_dec_next(&st, dk, in + 16 * (i + 1), out + 16 * i);
        if (done == 0) {
            mtc_ni_sha256_begin(&r, mtc_sha256_ni_words(prefix),
                                mtc_sha256_ni_words(prefix + 16),
                                mtc_sha256_ni_words(out),
                                mtc_sha256_ni_words(out + 16));
        } else {
            const uint8_t *block = out + 64 * done - 32;
            mtc_ni_sha256_begin(&r, mtc_sha256_ni_words(block),
                                mtc_sha256_ni_words(block + 16),
                                mtc_sha256_ni_words(block + 32),
                                mtc_sha256_ni_words(block + 48));
        }
        mtc_ni_sha256_quarter(&r, 0);
        mtc_ni_ige_dec_next(&st, dk, in + 16 * (i + 2), out + 16 * (i + 1));
        mtc_ni_sha256_quarter(&r, 1);
        mtc_ni_ige_dec_next(&st, dk, in + 16 * (i + 3), out + 16 * (i + 2));
        mtc_ni_sha256_quarter(&r, 2);
        mtc_ni_ige_dec_next(&st, dk, in + 16 * (i + 4), out + 16 * (i + 3));
        mtc_ni_sha256_quarter(&r, 3);
        done++;
    }
    for (; i + 1 < n; i++) {
        mtc_ni_ige_dec_next(&st, dk, in + 16 * (i + 1), out + 16 * i);
    }
    mtc_ni_ige_dec_last(&st, dk, out + 16 * (n - 1));
    mtc_ni_wipe(dk, 15);
    mtc_memzero(&st, sizeof st); /* last holds dk[14] ^ c, key material */
    mtc_sha256_ni_prefixed_from(&r.abef, &r.cdgh, prefix, out, 16 * n, done,
                                digest);
    mtc_memzero(&r, sizeof r);
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

    if (len >= 16 && sha->sha256_blocks == mtc_sha256_blocks_shani) {
        mtc_ni_ige_dec_sha256_ni(key, iv, in, out, len / 16, prefix, digest);
        return;
    }
    /* Without SHA-NI there is nothing to overlap. */
    mtc_x86ni_ige_decrypt(key, iv, in, out, len);
    mtc_sha256_init(&hash, sha);
    mtc_sha256_update(&hash, prefix, 32);
    mtc_sha256_update(&hash, out, len & ~(size_t)15);
    mtc_sha256_final(&hash, digest);
}

#endif /* MTC_X86 */
