/*
 * aes_vp.c: the round keys of the vector-permute AES kernels (aes_vp.h):
 * the AES-256 key schedule (FIPS-197 5.2) with the kernels' own S-box,
 * then the keys in the coordinates each direction's rounds keep the state
 * in, with the S-box constants folded in.
 */
#include "aes_vp.h"

#if MTC_VP

/* S(x) of 16 bytes in AES's basis. */
MTC_TARGET_VP static mtc_vp_v mtc_vp_sbox(mtc_vp_v x)
{
    mtc_vp_v io, jo;

    mtc_vp_inverse(mtc_vp_load(MTC_VP_INV), mtc_vp_load(MTC_VP_AK),
                   mtc_vp_map(mtc_vp_load(MTC_VP_TLO),
                              mtc_vp_load(MTC_VP_THI), x),
                   &io, &jo, 0);
    return mtc_vp_out(mtc_vp_load(MTC_VP_FO), mtc_vp_load(MTC_VP_GO), io, jo,
                      mtc_vp_splat(0x63));
}

/* L(m x) of the 16 bytes x by their nibbles: the tables KLmLO, KLmHI. */
#define MTC_VP_KL(m, x) \
    mtc_vp_map(mtc_vp_load(MTC_VP_KL##m##LO), mtc_vp_load(MTC_VP_KL##m##HI), (x))

/* L(InvMixColumns(x)) (FIPS-197 5.3.3): 14 a ^ 11 b ^ 13 c ^ 9 d over each
 * column, the rows b, c, d brought by the row rotations R1, R2, R3. */
MTC_TARGET_VP static mtc_vp_v mtc_vp_inv_mix_l(mtc_vp_v x)
{
    return mtc_vp_xor(
        mtc_vp_xor(MTC_VP_KL(14, x),
                   mtc_vp_tbl(MTC_VP_KL(11, x), mtc_vp_load(MTC_VP_R1))),
        mtc_vp_xor(mtc_vp_tbl(MTC_VP_KL(13, x), mtc_vp_load(MTC_VP_R2)),
                   mtc_vp_tbl(MTC_VP_KL(9, x), mtc_vp_load(MTC_VP_R3))));
}

/* see inner.h */
MTC_TARGET_VP void mtc_vp_keys(uint8_t out[240], const uint8_t key[32],
                               int decrypt)
{
    /* Byte indices: the last word in every word, rotated (RotWord) or not;
     * the words one place up, the first zero (0x80 gives 0); Rcon's bytes
     * (0 takes the broadcast Rcon, 0x80 gives 0). */
    static const uint8_t rot[16] = {13, 14, 15, 12, 13, 14, 15, 12,
                                    13, 14, 15, 12, 13, 14, 15, 12};
    static const uint8_t last[16] = {12, 13, 14, 15, 12, 13, 14, 15,
                                     12, 13, 14, 15, 12, 13, 14, 15};
    static const uint8_t up[16] = {0x80, 0x80, 0x80, 0x80, 0, 1, 2, 3,
                                   4, 5, 6, 7, 8, 9, 10, 11};
    static const uint8_t rcon_at[16] = {0, 0x80, 0x80, 0x80, 0, 0x80, 0x80, 0x80,
                                        0, 0x80, 0x80, 0x80, 0, 0x80, 0x80, 0x80};
    mtc_vp_v rk[15], k[15];

    /* The schedule four words a step: SubWord of the last word of the step
     * before in every word (RotWord and Rcon on even steps), XORed into
     * the prefix XORs of the four words two steps back. */
    rk[0] = mtc_vp_load(key);
    rk[1] = mtc_vp_load(key + 16);
    for (int i = 2; i < 15; i++) {
        mtc_vp_v w = mtc_vp_tbl(mtc_vp_sbox(rk[i - 1]),
                                mtc_vp_load((i & 1) ? last : rot));
        if ((i & 1) == 0) {
            w = mtc_vp_xor(w, mtc_vp_tbl(mtc_vp_splat((uint8_t)(1 << (i / 2 - 1))),
                                         mtc_vp_load(rcon_at)));
        }
        mtc_vp_v p = rk[i - 2], sh = mtc_vp_load(up);
        p = mtc_vp_xor(p, mtc_vp_tbl(p, sh));
        p = mtc_vp_xor(p, mtc_vp_tbl(p, sh));
        p = mtc_vp_xor(p, mtc_vp_tbl(p, sh));
        rk[i] = mtc_vp_xor(p, w);
    }
    mtc_vp_tabs t;
    mtc_vp_tabs_load(&t, decrypt);
    mtc_vp_v layout = mtc_vp_load(decrypt ? MTC_VP_SR : MTC_VP_ISR);
    if (decrypt) {
        /* L(rk14) ^ T(0x05); L(InvMixColumns(rk[14 - r])) ^ T(0x05); rk0. */
        mtc_vp_v c = mtc_vp_splat(MTC_VP_DEC_CONST);
        k[0] = mtc_vp_xor(mtc_vp_map(t.in_lo, t.in_hi, rk[14]), c);
        for (int r = 1; r < 14; r++) {
            k[r] = mtc_vp_xor(mtc_vp_inv_mix_l(rk[14 - r]), c);
        }
        k[14] = rk[0];
    } else {
        /* T(rk0); T(rk_r) ^ T(0x63); rk14 ^ 0x63. */
        mtc_vp_v c = mtc_vp_splat(MTC_VP_ENC_CONST);
        k[0] = mtc_vp_map(t.in_lo, t.in_hi, rk[0]);
        for (int r = 1; r < 14; r++) {
            k[r] = mtc_vp_xor(mtc_vp_map(t.in_lo, t.in_hi, rk[r]), c);
        }
        k[14] = mtc_vp_xor(rk[14], mtc_vp_splat(0x63));
    }
    for (int r = 1; r < 14; r++) {
        for (int i = 0; i < (r & 3); i++) { /* the permute has order 4 */
            k[r] = mtc_vp_tbl(k[r], layout);
        }
    }
    k[14] = mtc_vp_tbl(k[14], t.sr2);
    for (int i = 0; i < 15; i++) {
        mtc_vp_store(out + 16 * i, k[i]);
    }
    mtc_memzero(rk, sizeof rk);
    mtc_memzero(k, sizeof k);
}

#endif /* MTC_VP */
