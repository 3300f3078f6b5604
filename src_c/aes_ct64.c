/*
 * aes_ct64.c: bitsliced AES-256 for the portable kernel, four blocks at a
 * time, with no table lookups and no branches on secret data.
 *
 * The state of four blocks lives in eight 64-bit words: word b holds bit b
 * of all 64 bytes, and the byte in row r, column c of block k sits at bit
 * 16 * r + 4 * c + k.  A row of all four blocks is thus one 16-bit lane,
 * ShiftRows rotates nibbles inside lanes, and MixColumns combines whole
 * words rotated by multiples of 16 bits (with a twist, as the rounds leave
 * ShiftRows out: see "fixslicing" below).
 */
#include "inner.h"

/*
 * Swaps the bits of *b selected by m with the bits of *a selected by
 * m << s.
 */
MTC_INLINE void swap_bits(uint64_t *a, uint64_t *b, uint64_t m, unsigned s)
{
    uint64_t t = ((*a >> s) ^ *b) & m;
    *b ^= t;
    *a ^= t << s;
}

/*
 * Exchanges the three bits of the word index with the three low bits of
 * the bit index in q: an 8x8 bit-matrix transposition for each of the
 * eight byte positions.  It is its own inverse.
 */
static void ortho(uint64_t q[8])
{
    const uint64_t m1 = UINT64_C(0x5555555555555555);
    const uint64_t m2 = UINT64_C(0x3333333333333333);
    const uint64_t m4 = UINT64_C(0x0F0F0F0F0F0F0F0F);

    swap_bits(&q[0], &q[1], m1, 1);
    swap_bits(&q[2], &q[3], m1, 1);
    swap_bits(&q[4], &q[5], m1, 1);
    swap_bits(&q[6], &q[7], m1, 1);

    swap_bits(&q[0], &q[2], m2, 2);
    swap_bits(&q[1], &q[3], m2, 2);
    swap_bits(&q[4], &q[6], m2, 2);
    swap_bits(&q[5], &q[7], m2, 2);

    swap_bits(&q[0], &q[4], m4, 4);
    swap_bits(&q[1], &q[5], m4, 4);
    swap_bits(&q[2], &q[6], m4, 4);
    swap_bits(&q[3], &q[7], m4, 4);
}

/* Moves the four bytes of x to the even bytes of a 64-bit word. */
MTC_INLINE uint64_t spread(uint32_t x)
{
    uint64_t y = x;
    y = (y | (y << 16)) & UINT64_C(0x0000FFFF0000FFFF);
    y = (y | (y << 8)) & UINT64_C(0x00FF00FF00FF00FF);
    return y;
}

/* Collects the even bytes of x into 32 bits (the inverse of spread). */
MTC_INLINE uint32_t gather(uint64_t x)
{
    x &= UINT64_C(0x00FF00FF00FF00FF);
    x = (x | (x >> 8)) & UINT64_C(0x0000FFFF0000FFFF);
    x = (x | (x >> 16)) & UINT64_C(0x00000000FFFFFFFF);
    return (uint32_t)x;
}

/*
 * Places block k, given as its four columns (little-endian 32-bit words),
 * in q before ortho: word 4 * c0 + k gets columns c0 and c0 + 2 interleaved
 * byte by byte, row r of column c0 + 2 * c1 in byte 2 * r + c1.  Bit b of
 * that byte is then at index 8 * (2 * r + c1) + b, and ortho moves it to
 * word b, bit 16 * r + 4 * (c0 + 2 * c1) + k, as described above.
 */
MTC_INLINE void put_block(uint64_t q[8], size_t k, uint32_t c0, uint32_t c1,
                          uint32_t c2, uint32_t c3)
{
    q[k] = spread(c0) | (spread(c2) << 8);
    q[k + 4] = spread(c1) | (spread(c3) << 8);
}

/* see inner.h */
void mtc_ct64_load(uint64_t q[8], const uint8_t *in, size_t nblocks)
{
    for (size_t i = 0; i < 8; i++) {
        q[i] = 0;
    }
    for (size_t k = 0; k < nblocks; k++) {
        const uint8_t *b = in + 16 * k;
        put_block(q, k, mtc_dec32le(b), mtc_dec32le(b + 4),
                  mtc_dec32le(b + 8), mtc_dec32le(b + 12));
    }
    ortho(q);
}

/* see inner.h */
void mtc_ct64_store(uint8_t *out, uint64_t q[8], size_t nblocks)
{
    ortho(q);
    for (size_t k = 0; k < nblocks; k++) {
        uint8_t *b = out + 16 * k;
        mtc_enc32le(b, gather(q[k]));
        mtc_enc32le(b + 4, gather(q[k + 4]));
        mtc_enc32le(b + 8, gather(q[k] >> 8));
        mtc_enc32le(b + 12, gather(q[k + 4] >> 8));
    }
}

/*
 * S(x) ^ 0x63 on all 64 bytes, where S is the AES S-box: the 113-gate
 * circuit of depth 16 of J. Boyar and R. Peralta, "A depth-16 circuit for
 * the AES S-box" (2011, IACR ePrint 2011/332), without the NOTs of its
 * four XNOR gates (the bits of 0x63).  The names are the paper's: U0..U7
 * is the input byte and S0..S7 the output byte, most significant bit
 * first.  The round keys carry the missing 0x63 (see mtc_ct64_skey).
 */
MTC_INLINE void sbox(uint64_t q[8])
{
    uint64_t u0 = q[7], u1 = q[6], u2 = q[5], u3 = q[4];
    uint64_t u4 = q[3], u5 = q[2], u6 = q[1], u7 = q[0];

    /* Top linear layer. */
    uint64_t t1 = u0 ^ u3;
    uint64_t t2 = u0 ^ u5;
    uint64_t t3 = u0 ^ u6;
    uint64_t t4 = u3 ^ u5;
    uint64_t t5 = u4 ^ u6;
    uint64_t t6 = t1 ^ t5;
    uint64_t t7 = u1 ^ u2;
    uint64_t t8 = u7 ^ t6;
    uint64_t t9 = u7 ^ t7;
    uint64_t t10 = t6 ^ t7;
    uint64_t t11 = u1 ^ u5;
    uint64_t t12 = u2 ^ u5;
    uint64_t t13 = t3 ^ t4;
    uint64_t t14 = t6 ^ t11;
    uint64_t t15 = t5 ^ t11;
    uint64_t t16 = t5 ^ t12;
    uint64_t t17 = t9 ^ t16;
    uint64_t t18 = u3 ^ u7;
    uint64_t t19 = t7 ^ t18;
    uint64_t t20 = t1 ^ t19;
    uint64_t t21 = u6 ^ u7;
    uint64_t t22 = t7 ^ t21;
    uint64_t t23 = t2 ^ t22;
    uint64_t t24 = t2 ^ t10;
    uint64_t t25 = t20 ^ t17;
    uint64_t t26 = t3 ^ t16;
    uint64_t t27 = t1 ^ t12;

    /* Middle non-linear layer (inversion in GF(2^8)). */
    uint64_t m1 = t13 & t6;
    uint64_t m2 = t23 & t8;
    uint64_t m3 = t14 ^ m1;
    uint64_t m4 = t19 & u7;
    uint64_t m5 = m4 ^ m1;
    uint64_t m6 = t3 & t16;
    uint64_t m7 = t22 & t9;
    uint64_t m8 = t26 ^ m6;
    uint64_t m9 = t20 & t17;
    uint64_t m10 = m9 ^ m6;
    uint64_t m11 = t1 & t15;
    uint64_t m12 = t4 & t27;
    uint64_t m13 = m12 ^ m11;
    uint64_t m14 = t2 & t10;
    uint64_t m15 = m14 ^ m11;
    uint64_t m16 = m3 ^ m2;
    uint64_t m17 = m5 ^ t24;
    uint64_t m18 = m8 ^ m7;
    uint64_t m19 = m10 ^ m15;
    uint64_t m20 = m16 ^ m13;
    uint64_t m21 = m17 ^ m15;
    uint64_t m22 = m18 ^ m13;
    uint64_t m23 = m19 ^ t25;
    uint64_t m24 = m22 ^ m23;
    uint64_t m25 = m22 & m20;
    uint64_t m26 = m21 ^ m25;
    uint64_t m27 = m20 ^ m21;
    uint64_t m28 = m23 ^ m25;
    uint64_t m29 = m28 & m27;
    uint64_t m30 = m26 & m24;
    uint64_t m31 = m20 & m23;
    uint64_t m32 = m27 & m31;
    uint64_t m33 = m27 ^ m25;
    uint64_t m34 = m21 & m22;
    uint64_t m35 = m24 & m34;
    uint64_t m36 = m24 ^ m25;
    uint64_t m37 = m21 ^ m29;
    uint64_t m38 = m32 ^ m33;
    uint64_t m39 = m23 ^ m30;
    uint64_t m40 = m35 ^ m36;
    uint64_t m41 = m38 ^ m40;
    uint64_t m42 = m37 ^ m39;
    uint64_t m43 = m37 ^ m38;
    uint64_t m44 = m39 ^ m40;
    uint64_t m45 = m42 ^ m41;
    uint64_t m46 = m44 & t6;
    uint64_t m47 = m40 & t8;
    uint64_t m48 = m39 & u7;
    uint64_t m49 = m43 & t16;
    uint64_t m50 = m38 & t9;
    uint64_t m51 = m37 & t17;
    uint64_t m52 = m42 & t15;
    uint64_t m53 = m45 & t27;
    uint64_t m54 = m41 & t10;
    uint64_t m55 = m44 & t13;
    uint64_t m56 = m40 & t23;
    uint64_t m57 = m39 & t19;
    uint64_t m58 = m43 & t3;
    uint64_t m59 = m38 & t22;
    uint64_t m60 = m37 & t20;
    uint64_t m61 = m42 & t1;
    uint64_t m62 = m45 & t4;
    uint64_t m63 = m41 & t2;

    /* Bottom linear layer. */
    uint64_t l0 = m61 ^ m62;
    uint64_t l1 = m50 ^ m56;
    uint64_t l2 = m46 ^ m48;
    uint64_t l3 = m47 ^ m55;
    uint64_t l4 = m54 ^ m58;
    uint64_t l5 = m49 ^ m61;
    uint64_t l6 = m62 ^ l5;
    uint64_t l7 = m46 ^ l3;
    uint64_t l8 = m51 ^ m59;
    uint64_t l9 = m52 ^ m53;
    uint64_t l10 = m53 ^ l4;
    uint64_t l11 = m60 ^ l2;
    uint64_t l12 = m48 ^ m51;
    uint64_t l13 = m50 ^ l0;
    uint64_t l14 = m52 ^ m61;
    uint64_t l15 = m55 ^ l1;
    uint64_t l16 = m56 ^ l0;
    uint64_t l17 = m57 ^ l1;
    uint64_t l18 = m58 ^ l8;
    uint64_t l19 = m63 ^ l4;
    uint64_t l20 = l0 ^ l1;
    uint64_t l21 = l1 ^ l7;
    uint64_t l22 = l3 ^ l12;
    uint64_t l23 = l18 ^ l2;
    uint64_t l24 = l15 ^ l9;
    uint64_t l25 = l6 ^ l10;
    uint64_t l26 = l7 ^ l9;
    uint64_t l27 = l8 ^ l10;
    uint64_t l28 = l11 ^ l14;
    uint64_t l29 = l11 ^ l17;

    q[7] = l6 ^ l24;
    q[6] = l16 ^ l26;
    q[5] = l19 ^ l28;
    q[4] = l6 ^ l21;
    q[3] = l20 ^ l22;
    q[2] = l25 ^ l29;
    q[1] = l13 ^ l27;
    q[0] = l6 ^ l23;
}

/*
 * x -> A^-1 x, where the S-box is S(x) = A x^-1 ^ 0x63 with A linear
 * (FIPS-197 5.1.1 and 5.3.2): bit i of the result is x[i+2] ^ x[i+5] ^
 * x[i+7], indices mod 8.
 */
MTC_INLINE void inv_affine(uint64_t q[8])
{
    uint64_t x0 = q[0], x1 = q[1], x2 = q[2], x3 = q[3];
    uint64_t x4 = q[4], x5 = q[5], x6 = q[6], x7 = q[7];

    q[0] = x2 ^ x5 ^ x7;
    q[1] = x3 ^ x6 ^ x0;
    q[2] = x4 ^ x7 ^ x1;
    q[3] = x5 ^ x0 ^ x2;
    q[4] = x6 ^ x1 ^ x3;
    q[5] = x7 ^ x2 ^ x4;
    q[6] = x0 ^ x3 ^ x5;
    q[7] = x1 ^ x4 ^ x6;
}

/*
 * The inverse S-box, applied to y ^ 0x63.  L(z) = A^-1 (z ^ 0x63) maps
 * S(z) to the field inverse of z, so S^-1(y) = L(y)^-1 = L(S(L(y))), and
 * with sbox() computing S ^ 0x63 this is A^-1 sbox(A^-1 (y ^ 0x63)).
 */
MTC_INLINE void inv_sbox(uint64_t q[8])
{
    inv_affine(q);
    sbox(q);
    inv_affine(q);
}

MTC_INLINE uint64_t rotr(uint64_t x, unsigned n)
{
    return (x >> n) | (x << (64 - n));
}

/*
 * The rounds skip ShiftRows ("fixslicing": A. Adomnicai and T. Peyrin,
 * "Fixslicing AES-like ciphers", TCHES 2021(1)).  After j skipped
 * ShiftRows the words hold SR^-j of the state, so row r of column c sits
 * at nibble c + j * r (mod 4) of lane r; j only matters mod 4.  Row r + 1
 * of the same column is then one lane up and j nibbles further, the same
 * offset for every lane, so MixColumns still works on whole words, with
 * rotations that also move nibbles within lanes.  The round keys are
 * stored as SR^-j of themselves for the j of their round (see
 * mtc_ct64_skey), and one SR^2 at the end (14 = 2 mod 4) restores the
 * layout.  Each round below takes j as a constant.
 */

/* Row r + 1 of x moved into row r, for the offset j. */
MTC_INLINE uint64_t row_next(uint64_t x, unsigned j)
{
    switch (j & 3) {
    case 0:
        return rotr(x, 16);
    case 1:
        return (rotr(x, 20) & UINT64_C(0x0FFF0FFF0FFF0FFF))
            | (rotr(x, 4) & UINT64_C(0xF000F000F000F000));
    case 2:
        return (rotr(x, 24) & UINT64_C(0x00FF00FF00FF00FF))
            | (rotr(x, 8) & UINT64_C(0xFF00FF00FF00FF00));
    default:
        return (rotr(x, 28) & UINT64_C(0x000F000F000F000F))
            | (rotr(x, 12) & UINT64_C(0xFFF0FFF0FFF0FFF0));
    }
}

/* Row r + 2 of x moved into row r, for the offset j. */
MTC_INLINE uint64_t row_next2(uint64_t x, unsigned j)
{
    if ((j & 1) == 0) {
        return rotr(x, 32);
    }
    return (rotr(x, 40) & UINT64_C(0x00FF00FF00FF00FF))
        | (rotr(x, 24) & UINT64_C(0xFF00FF00FF00FF00));
}

/*
 * SR^-1 on one word: row r rotates right by r columns, i.e. left by 4 * r
 * bits in its lane (row 2 swaps its bytes).
 */
MTC_INLINE uint64_t inv_shift_rows1(uint64_t x)
{
    return (x & UINT64_C(0x000000000000FFFF))
        | ((x << 4) & UINT64_C(0x00000000FFF00000))
        | ((x >> 12) & UINT64_C(0x00000000000F0000))
        | ((x << 8) & UINT64_C(0x0000FF0000000000))
        | ((x >> 8) & UINT64_C(0x000000FF00000000))
        | ((x << 12) & UINT64_C(0xF000000000000000))
        | ((x >> 4) & UINT64_C(0x0FFF000000000000));
}

/* SR^2, which is its own inverse: rows 1 and 3 swap their bytes. */
MTC_INLINE void shift_rows2(uint64_t q[8])
{
    for (size_t i = 0; i < 8; i++) {
        uint64_t t = (q[i] ^ (q[i] >> 8)) & UINT64_C(0x00FF000000FF0000);
        q[i] ^= t ^ (t << 8);
    }
}

/*
 * MixColumns: row r of a column becomes 2 a[r] ^ 3 a[r+1] ^ a[r+2] ^
 * a[r+3] = 2 t[r] ^ a[r+1] ^ t[r+2] with t[r] = a[r] ^ a[r+1].  The
 * doubling in GF(2^8) (modulo x^8 + x^4 + x^3 + x + 1) moves bit plane i
 * to plane i + 1 and adds plane 7 into planes 0, 1, 3 and 4.
 */
MTC_INLINE void mix_columns(uint64_t q[8], unsigned j)
{
    uint64_t a0 = q[0], a1 = q[1], a2 = q[2], a3 = q[3];
    uint64_t a4 = q[4], a5 = q[5], a6 = q[6], a7 = q[7];
    uint64_t b0 = row_next(a0, j), b1 = row_next(a1, j);
    uint64_t b2 = row_next(a2, j), b3 = row_next(a3, j);
    uint64_t b4 = row_next(a4, j), b5 = row_next(a5, j);
    uint64_t b6 = row_next(a6, j), b7 = row_next(a7, j);
    uint64_t t0 = a0 ^ b0, t1 = a1 ^ b1, t2 = a2 ^ b2, t3 = a3 ^ b3;
    uint64_t t4 = a4 ^ b4, t5 = a5 ^ b5, t6 = a6 ^ b6, t7 = a7 ^ b7;

    q[0] = t7 ^ b0 ^ row_next2(t0, j);
    q[1] = t0 ^ t7 ^ b1 ^ row_next2(t1, j);
    q[2] = t1 ^ b2 ^ row_next2(t2, j);
    q[3] = t2 ^ t7 ^ b3 ^ row_next2(t3, j);
    q[4] = t3 ^ t7 ^ b4 ^ row_next2(t4, j);
    q[5] = t4 ^ b5 ^ row_next2(t5, j);
    q[6] = t5 ^ b6 ^ row_next2(t6, j);
    q[7] = t6 ^ b7 ^ row_next2(t7, j);
}

/*
 * InvMixColumns as MixColumns after the circulant (05 00 04 00), since
 * (0e 0b 0d 09) = (02 03 01 01) (05 00 04 00) (Daemen and Rijmen, "The
 * Design of Rijndael", 4.1.3): a[r] ^= 4 (a[r] ^ a[r+2]) first.
 */
MTC_INLINE void inv_mix_columns(uint64_t q[8], unsigned j)
{
    uint64_t t0 = q[0] ^ row_next2(q[0], j), t1 = q[1] ^ row_next2(q[1], j);
    uint64_t t2 = q[2] ^ row_next2(q[2], j), t3 = q[3] ^ row_next2(q[3], j);
    uint64_t t4 = q[4] ^ row_next2(q[4], j), t5 = q[5] ^ row_next2(q[5], j);
    uint64_t t6 = q[6] ^ row_next2(q[6], j), t7 = q[7] ^ row_next2(q[7], j);

    q[0] ^= t6;
    q[1] ^= t6 ^ t7;
    q[2] ^= t0 ^ t7;
    q[3] ^= t1 ^ t6;
    q[4] ^= t2 ^ t6 ^ t7;
    q[5] ^= t3 ^ t7;
    q[6] ^= t4;
    q[7] ^= t5;
    mix_columns(q, j);
}

MTC_INLINE void add_round_key(uint64_t q[8], const uint64_t *rk)
{
    q[0] ^= rk[0];
    q[1] ^= rk[1];
    q[2] ^= rk[2];
    q[3] ^= rk[3];
    q[4] ^= rk[4];
    q[5] ^= rk[5];
    q[6] ^= rk[6];
    q[7] ^= rk[7];
}

/* SubWord of the key schedule: the S-box on each byte of w. */
static uint32_t sub_word(uint32_t w)
{
    uint64_t q[8] = {0};
    uint32_t r;

    q[0] = spread(w);
    ortho(q);
    sbox(q);
    ortho(q);
    r = gather(q[0]) ^ 0x63636363;
    mtc_memzero(q, sizeof q);
    return r;
}

/* see inner.h */
void mtc_ct64_skey(uint64_t sk[120], const uint8_t key[32])
{
    /* 60 words of round keys (FIPS-197, 5.2), padded to 16 round keys. */
    uint32_t w[64];
    uint64_t q[8];
    uint32_t rcon = 1;

    for (size_t i = 0; i < 8; i++) {
        w[i] = mtc_dec32le(key + 4 * i);
    }
    for (size_t i = 8; i < 60; i++) {
        uint32_t t = w[i - 1];
        if (i % 8 == 0) {
            t = sub_word((t >> 8) | (t << 24)) ^ rcon;
            rcon <<= 1;
        } else if (i % 8 == 4) {
            t = sub_word(t);
        }
        w[i] = w[i - 8] ^ t;
    }
    for (size_t i = 60; i < 64; i++) {
        w[i] = 0;
    }

    /*
     * Bitslice four round keys at a time, one per block slot, then copy
     * each slot's bits to all four slots.  Round key i is stored as
     * SR^-(i mod 4) of itself, as the rounds expect, and from i = 1 on
     * XORed with 0x63 in every byte: that is the constant sbox() leaves
     * out, which ShiftRows, MixColumns and their inverses keep unchanged
     * (each row of the MixColumns matrices sums to 1).  In decryption the
     * state thus carries an extra 0x63, which inv_sbox() expects.
     */
    for (size_t g = 0; g < 4; g++) {
        for (size_t k = 0; k < 4; k++) {
            const uint32_t *c = w + 16 * g + 4 * k;
            put_block(q, k, c[0], c[1], c[2], c[3]);
        }
        ortho(q);
        for (size_t k = 0; k < 4 && 4 * g + k < 15; k++) {
            for (size_t b = 0; b < 8; b++) {
                uint64_t x = (q[b] >> k) & UINT64_C(0x1111111111111111);
                x |= x << 1;
                x |= x << 2;
                for (size_t i = 0; i < k; i++) {
                    x = inv_shift_rows1(x);
                }
                if (g + k > 0 && ((0x63u >> b) & 1) != 0) {
                    x = ~x;
                }
                sk[8 * (4 * g + k) + b] = x;
            }
        }
    }
    mtc_memzero(w, sizeof w);
    mtc_memzero(q, sizeof q);
}

/* Round r of encryption (1 <= r <= 13), for j = r mod 4. */
MTC_INLINE void enc_round(uint64_t q[8], const uint64_t *sk, size_t r,
                          unsigned j)
{
    sbox(q);
    mix_columns(q, j);
    add_round_key(q, sk + 8 * r);
}

/* Round r of decryption (13 >= r >= 1), for j = r mod 4. */
MTC_INLINE void dec_round(uint64_t q[8], const uint64_t *sk, size_t r,
                          unsigned j)
{
    inv_sbox(q);
    add_round_key(q, sk + 8 * r);
    inv_mix_columns(q, j);
}

/* see inner.h */
void mtc_ct64_encrypt(const uint64_t sk[120], uint64_t q[8])
{
    uint64_t s[8] = {q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7]};

    add_round_key(s, sk);
    for (size_t r = 1; r < 13; r += 4) {
        enc_round(s, sk, r, 1);
        enc_round(s, sk, r + 1, 2);
        enc_round(s, sk, r + 2, 3);
        enc_round(s, sk, r + 3, 0);
    }
    enc_round(s, sk, 13, 1);
    sbox(s);
    add_round_key(s, sk + 8 * 14);
    shift_rows2(s);
    memcpy(q, s, sizeof s);
}

/* see inner.h */
void mtc_ct64_decrypt(const uint64_t sk[120], uint64_t q[8])
{
    uint64_t s[8] = {q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7]};

    shift_rows2(s);
    add_round_key(s, sk + 8 * 14);
    dec_round(s, sk, 13, 1);
    for (size_t r = 12; r > 0; r -= 4) {
        dec_round(s, sk, r, 0);
        dec_round(s, sk, r - 1, 3);
        dec_round(s, sk, r - 2, 2);
        dec_round(s, sk, r - 3, 1);
    }
    inv_sbox(s);
    add_round_key(s, sk);
    memcpy(q, s, sizeof s);
}
