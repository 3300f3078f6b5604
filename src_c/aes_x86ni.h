/*
 * aes_x86ni.h: AES-NI helpers shared by the aes_x86ni*.c and aes_x86vaes.c
 * kernels.  Every function carries a target attribute, so the including
 * file needs no -maes.
 */
#ifndef MTC_AES_X86NI_H
#define MTC_AES_X86NI_H

#include "inner.h"

#if MTC_X86
#include <immintrin.h>

#define MTC_NI_INLINE MTC_INLINE MTC_TARGET_AESNI

MTC_NI_INLINE __m128i mtc_ni_load(const uint8_t *p)
{
    return _mm_loadu_si128((const __m128i *)(const void *)p);
}

MTC_NI_INLINE void mtc_ni_store(uint8_t *p, __m128i x)
{
    _mm_storeu_si128((__m128i *)(void *)p, x);
}

/*
 * One step of the AES-256 key schedule (FIPS-197 5.2): the next four words
 * from the words four back (prev) and t, the transformed last word spread
 * over all four lanes.
 */
MTC_NI_INLINE __m128i mtc_ni_expand(__m128i prev, __m128i t)
{
    prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 4));
    prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 4));
    prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 4));
    return _mm_xor_si128(prev, t);
}

/*
 * SubWord(RotWord(w3)) ^ Rcon (rot != 0) or SubWord(w3), in every lane.
 * AESKEYGENASSIST is slow on some CPUs; AESENCLAST on a state whose four
 * columns are equal is SubBytes alone (ShiftRows moves nothing), then the
 * XOR of its key, here Rcon in every column.
 */
MTC_NI_INLINE __m128i mtc_ni_subword(__m128i x, int rot, int rcon)
{
    const __m128i rotw = _mm_set_epi8(12, 15, 14, 13, 12, 15, 14, 13,
                                      12, 15, 14, 13, 12, 15, 14, 13);
    const __m128i w3 = _mm_set_epi8(15, 14, 13, 12, 15, 14, 13, 12,
                                    15, 14, 13, 12, 15, 14, 13, 12);
    x = _mm_shuffle_epi8(x, rot ? rotw : w3);
    return _mm_aesenclast_si128(x, _mm_set1_epi32(rcon));
}

/* The 15 encryption round keys of a 32-byte key. */
MTC_NI_INLINE void mtc_ni_key_enc(__m128i rk[15], const uint8_t key[32])
{
    static const int rcon[7] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40};
    rk[0] = mtc_ni_load(key);
    rk[1] = mtc_ni_load(key + 16);
    for (int i = 2; i < 15; i++) {
        rk[i] = mtc_ni_expand(
            rk[i - 2],
            mtc_ni_subword(rk[i - 1], (i & 1) == 0, (i & 1) ? 0 : rcon[i / 2 - 1]));
    }
}

/*
 * The 15 round keys of the equivalent inverse cipher (FIPS-197 5.3.5), in
 * the order AESDEC uses them: dk[0] = rk[14], dk[i] = InvMixColumns(
 * rk[14 - i]), dk[14] = rk[0].
 */
MTC_NI_INLINE void mtc_ni_key_dec(__m128i dk[15], const __m128i rk[15])
{
    dk[0] = rk[14];
    for (int i = 1; i < 14; i++) {
        dk[i] = _mm_aesimc_si128(rk[14 - i]);
    }
    dk[14] = rk[0];
}

/* Rounds 1..13 of encryption / decryption (the caller adds rk[0] first). */
MTC_NI_INLINE __m128i mtc_ni_enc13(__m128i s, const __m128i rk[15])
{
    for (int i = 1; i < 14; i++) {
        s = _mm_aesenc_si128(s, rk[i]);
    }
    return s;
}

MTC_NI_INLINE __m128i mtc_ni_dec13(__m128i s, const __m128i dk[15])
{
    for (int i = 1; i < 14; i++) {
        s = _mm_aesdec_si128(s, dk[i]);
    }
    return s;
}

/* Wipes n round keys held in a local array. */
MTC_NI_INLINE void mtc_ni_wipe(__m128i *rk, size_t n)
{
    mtc_memzero(rk, n * sizeof(__m128i));
}

/* Reverses the 16 bytes: a big-endian counter block <-> LE 128-bit int. */
MTC_NI_INLINE __m128i mtc_ni_bswap(__m128i x)
{
    return _mm_shuffle_epi8(
        x, _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
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

#endif /* MTC_X86 */
#endif /* MTC_AES_X86NI_H */
