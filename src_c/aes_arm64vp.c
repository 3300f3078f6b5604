/*
 * aes_arm64vp.c: the round keys of the vector-permute AES kernel
 * (aes_arm64vp.h): the AES-256 key schedule (FIPS-197 5.2) with the
 * kernel's own S-box, then the keys in the coordinates each direction's
 * rounds keep the state in, with the S-box constants folded in.
 */
#include "aes_arm64vp.h"

#if MTC_ARM64VP

/* S(x) of 16 bytes in AES's basis. */
static uint8x16_t mtc_vp_sbox(uint8x16_t x)
{
    uint8x16_t io, jo;

    mtc_vp_inverse(mtc_vp_load(MTC_VP_INV), mtc_vp_load(MTC_VP_AK),
                   mtc_vp_map(mtc_vp_load(MTC_VP_TLO),
                              mtc_vp_load(MTC_VP_THI), x),
                   &io, &jo);
    return veorq_u8(veorq_u8(mtc_vp_tbl(mtc_vp_load(MTC_VP_FO), io),
                             mtc_vp_tbl(mtc_vp_load(MTC_VP_GO), jo)),
                    vdupq_n_u8(0x63));
}

/* 2 x in GF(2^8) for 16 bytes, with a mask, not a branch. */
static uint8x16_t mtc_vp_xtime(uint8x16_t x)
{
    uint8x16_t top = vreinterpretq_u8_s8(vshrq_n_s8(vreinterpretq_s8_u8(x), 7));
    return veorq_u8(vshlq_n_u8(x, 1), vandq_u8(top, vdupq_n_u8(0x1b)));
}

/* InvMixColumns (FIPS-197 5.3.3) in AES's basis. */
static uint8x16_t mtc_vp_inv_mix(uint8x16_t x)
{
    uint8x16_t r1 = mtc_vp_load(MTC_VP_R1);
    uint8x16_t x2 = mtc_vp_xtime(x), x4 = mtc_vp_xtime(x2);
    uint8x16_t x8 = mtc_vp_xtime(x4);
    uint8x16_t m9 = veorq_u8(x8, x), m11 = veorq_u8(m9, x2);
    uint8x16_t m13 = veorq_u8(m9, x4), m14 = veorq_u8(veorq_u8(x8, x4), x2);
    /* 14 a + 11 b + 13 c + 9 d, by Horner over the row rotation R1. */
    uint8x16_t acc = veorq_u8(m13, mtc_vp_tbl(m9, r1));
    acc = veorq_u8(m11, mtc_vp_tbl(acc, r1));
    return veorq_u8(m14, mtc_vp_tbl(acc, r1));
}

/* see inner.h */
void mtc_arm64vp_keys(uint8_t out[240], const uint8_t key[32], int decrypt)
{
    static const uint8_t rcon[7] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40};
    const uint8x16_t zero = vdupq_n_u8(0);
    uint8x16_t rk[15], k[15];

    /* The schedule four words a step, as in aes_arm64ce.h: SubWord of the
     * last word in every lane (RotWord and Rcon on even steps), XORed into
     * the prefix XORs of the four words two steps back. */
    rk[0] = mtc_vp_load(key);
    rk[1] = mtc_vp_load(key + 16);
    for (int i = 2; i < 15; i++) {
        uint32x4_t w = vreinterpretq_u32_u8(mtc_vp_sbox(vreinterpretq_u8_u32(
            vdupq_laneq_u32(vreinterpretq_u32_u8(rk[i - 1]), 3))));
        if ((i & 1) == 0) {
            w = veorq_u32(vorrq_u32(vshrq_n_u32(w, 8), vshlq_n_u32(w, 24)),
                          vdupq_n_u32(rcon[i / 2 - 1]));
        }
        uint8x16_t p = rk[i - 2];
        p = veorq_u8(p, vextq_u8(zero, p, 12));
        p = veorq_u8(p, vextq_u8(zero, p, 12));
        p = veorq_u8(p, vextq_u8(zero, p, 12));
        rk[i] = veorq_u8(p, vreinterpretq_u8_u32(w));
    }
    if (decrypt) {
        /* L(rk14) ^ T(0x05), L(InvMixColumns(rk[14 - r])) ^ T(0x05), rk0. */
        uint8x16_t lo = mtc_vp_load(MTC_VP_LLO), hi = mtc_vp_load(MTC_VP_LHI);
        uint8x16_t c = vdupq_n_u8(MTC_VP_DEC_CONST);
        k[0] = veorq_u8(mtc_vp_map(lo, hi, rk[14]), c);
        for (int r = 1; r < 14; r++) {
            k[r] = veorq_u8(mtc_vp_map(lo, hi, mtc_vp_inv_mix(rk[14 - r])), c);
        }
        k[14] = rk[0];
    } else {
        /* T(rk0), T(rk_r) ^ T(0x63), rk14 ^ 0x63. */
        uint8x16_t lo = mtc_vp_load(MTC_VP_TLO), hi = mtc_vp_load(MTC_VP_THI);
        uint8x16_t c = vdupq_n_u8(MTC_VP_ENC_CONST);
        k[0] = mtc_vp_map(lo, hi, rk[0]);
        for (int r = 1; r < 14; r++) {
            k[r] = veorq_u8(mtc_vp_map(lo, hi, rk[r]), c);
        }
        k[14] = veorq_u8(rk[14], vdupq_n_u8(0x63));
    }
    for (int i = 0; i < 15; i++) {
        mtc_vp_store(out + 16 * i, k[i]);
    }
    mtc_memzero(rk, sizeof rk);
    mtc_memzero(k, sizeof k);
}

#endif /* MTC_ARM64VP */
