/*
 * aes_x86ni.h: AES-NI helpers shared by the aes_x86ni*.c, aes_x86vaes.c
 * and mtp_x86ni.c kernels, among them the primitives of aes_vec.h, which
 * writes the modes over them.  Every function carries a target attribute,
 * so the including file needs no -maes.
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

/* The primitives of aes_vec.h, which is included below. */
#define MTC_AES_V_INLINE MTC_NI_INLINE
#define MTC_AES_V_TARGET MTC_TARGET_AESNI
#define MTC_AES_V_KERNEL(name) mtc_x86ni_##name
#define MTC_AES_V_END 14
typedef __m128i mtc_aes_v;
#define mtc_aes_v_load mtc_ni_load
#define mtc_aes_v_store mtc_ni_store
#define mtc_aes_v_xor _mm_xor_si128
#define mtc_aes_v_zero _mm_setzero_si128
#define mtc_aes_v_key_enc mtc_ni_key_enc
#define mtc_aes_v_key_dec mtc_ni_key_dec

MTC_NI_INLINE __m128i mtc_aes_v_ctr(uint64_t hi, uint64_t lo)
{
    return mtc_ni_bswap(_mm_set_epi64x((long long)hi, (long long)lo));
}

/* Round 0 is the XOR of k0 alone, rounds 1..13 are AESENC (AESDEC). */
MTC_NI_INLINE __m128i mtc_aes_v_first(__m128i x, __m128i k0,
                                      const int decrypt)
{
    (void)decrypt;
    return _mm_xor_si128(x, k0);
}

MTC_NI_INLINE __m128i mtc_aes_v_round(__m128i s, __m128i k, const int decrypt)
{
    return decrypt ? _mm_aesdec_si128(s, k) : _mm_aesenc_si128(s, k);
}

/* Round 14: AESENCLAST (AESDECLAST) XORs kx into its result. */
MTC_NI_INLINE __m128i mtc_aes_v_last(__m128i s, const __m128i k[15],
                                     __m128i kx, const int decrypt)
{
    (void)k;
    return decrypt ? _mm_aesdeclast_si128(s, kx)
                   : _mm_aesenclast_si128(s, kx);
}

/* Rounds 1..14 of a block whose round-0 state is s, kx as above. */
MTC_NI_INLINE __m128i mtc_ni_rounds(__m128i s, const __m128i k[15],
                                    __m128i kx, const int decrypt)
{
    for (int r = 1; r < 14; r++) {
        s = mtc_aes_v_round(s, k[r], decrypt);
    }
    return mtc_aes_v_last(s, k, kx, decrypt);
}

/*
 * The chain of IGE and CBC encryption (mtc_aes_v_chain_pass in
 * aes_vec.h).  The links are folded into the last round key: with kx =
 * k14 ^ y_{i-1} ^ in_{i+1} ^ k0, the last round of block i yields
 * out_i ^ in_{i+1} ^ k0, block i + 1's round-0 state, directly, and out_i
 * is recovered from it in parallel with the next block's rounds.  st
 * carries s (the round-0 state of the block under way), last (k14 ^
 * y_{i-1}) and, in IGE, c (the block's input; CBC's y is zero, so its last
 * stays k14).
 */
typedef struct {
    __m128i s, last, c;
} mtc_aes_v_chain;

MTC_NI_INLINE void mtc_aes_v_chain_init(mtc_aes_v_chain *st,
                                        const __m128i k[15], __m128i x,
                                        __m128i y, const uint8_t *in,
                                        const int decrypt)
{
    (void)decrypt;
    st->c = mtc_ni_load(in);
    st->s = _mm_xor_si128(_mm_xor_si128(st->c, x), k[0]);
    st->last = _mm_xor_si128(k[14], y);
}

/* Stores block i and starts block i + 1 (its input at next_in). */
MTC_NI_INLINE void mtc_aes_v_chain_next(mtc_aes_v_chain *st,
                                        const __m128i k[15],
                                        const uint8_t *next_in, uint8_t *out,
                                        const int decrypt, const int ige)
{
    __m128i cn = mtc_ni_load(next_in);
    __m128i link = _mm_xor_si128(cn, k[0]);
    st->s = mtc_ni_rounds(st->s, k, _mm_xor_si128(st->last, link), decrypt);
    mtc_ni_store(out, _mm_xor_si128(st->s, link));
    if (ige) {
        st->last = _mm_xor_si128(k[14], st->c);
        st->c = cn;
    }
}

/* Stores the final block and returns it. */
MTC_NI_INLINE __m128i mtc_aes_v_chain_last(mtc_aes_v_chain *st,
                                           const __m128i k[15], uint8_t *out,
                                           const int decrypt)
{
    __m128i v = mtc_ni_rounds(st->s, k, st->last, decrypt);
    mtc_ni_store(out, v);
    return v;
}

#include "aes_vec.h"

#endif /* MTC_X86 */
#endif /* MTC_AES_X86NI_H */
