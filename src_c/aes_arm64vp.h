/*
 * aes_arm64vp.h: constant-time AES-256 on NEON by vector permutes, for
 * AArch64 CPUs without the Crypto Extensions (Raspberry Pi 4's Cortex-A72
 * and the like): the technique of M. Hamburg, "Accelerating AES with
 * Vector Permute Instructions" (CHES 2009).  Each byte's S-box value is
 * found from its two 4-bit halves by lookups in 16-entry tables held in
 * registers (TBL, a permute: no memory access depends on the data), the
 * inversion in GF(2^8) done in a tower field over GF(16) with five such
 * lookups; MixColumns and ShiftRows are byte permutations and XORs.  The
 * field, the coordinates and every table are derived, and checked on all
 * inputs and on FIPS-197's example, by tools/gen_vperm_tables.py, which
 * writes aes_arm64vp_tables.h.
 *
 * A round costs 13 table lookups and about 13 other vector operations (17
 * and 15 to decrypt), one block per register.  Counted under qemu (GCC 12,
 * -O3, the instructions a 4 KiB call executes), the kernel runs 26
 * instructions a byte for IGE encryption, 30 for decryption and 25 for
 * CTR; the bitsliced portable kernel (aes_ct64*.c), which does four blocks
 * a pass and so one in IGE, 208, 267 and 54; tgcrypto 1.2.5's table-based
 * IGE 53 both ways.  Time cannot be measured here (no AArch64 hardware),
 * only reasoned: the chain through a round is 11 operations deep, so a
 * lone block (IGE, CBC encryption) waits on latencies, some 33 cycles a
 * round on Cortex-A72 (3-cycle TBL and EOR in Arm's optimization guide),
 * about 29 cycles a byte (about 19 on Cortex-A76, where they take 2), where
 * the portable kernel's 3,300 scalar instructions a block need over 100
 * and the table-based code's 53 a byte, at two or so a cycle, about 25;
 * the parallel modes run two blocks side by side, which about fills A72's
 * two vector pipelines, some 13 cycles a byte.
 *
 * Constant time: the lookups are TBL on registers; branches and addresses
 * depend on lengths only (argued in tests/c/ctgrind.c).
 */
#ifndef MTC_AES_ARM64VP_H
#define MTC_AES_ARM64VP_H

#include "inner.h"

#if MTC_ARM64VP
#include <arm_neon.h>

#include "aes_arm64vp_tables.h"

MTC_INLINE uint8x16_t mtc_vp_load(const uint8_t *p)
{
    return vld1q_u8(p);
}

MTC_INLINE void mtc_vp_store(uint8_t *p, uint8x16_t x)
{
    vst1q_u8(p, x);
}

MTC_INLINE uint8x16_t mtc_vp_tbl(uint8x16_t table, uint8x16_t idx)
{
    return vqtbl1q_u8(table, idx);
}

/* The byte-wise linear map of two tables (lo, hi) of x's nibbles. */
MTC_INLINE uint8x16_t mtc_vp_map(uint8x16_t lo, uint8x16_t hi, uint8x16_t x)
{
    return veorq_u8(mtc_vp_tbl(lo, vandq_u8(x, vdupq_n_u8(15))),
                    mtc_vp_tbl(hi, vshrq_n_u8(x, 4)));
}

/*
 * The two halves (io, jo) of the inverses of the 16 elements x in the
 * tower field (tools/gen_vperm_tables.py): with i, k the high and low
 * nibbles and j = i ^ k, io = j ^ 1/(1/i ^ a/k), jo = i ^ 1/(1/j ^ a/k).
 */
MTC_INLINE void mtc_vp_inverse(uint8x16_t inv, uint8x16_t ak, uint8x16_t x,
                               uint8x16_t *io, uint8x16_t *jo)
{
    uint8x16_t i = vshrq_n_u8(x, 4), k = vandq_u8(x, vdupq_n_u8(15));
    uint8x16_t j = veorq_u8(i, k), a = mtc_vp_tbl(ak, k);
    *io = veorq_u8(j, mtc_vp_tbl(inv, veorq_u8(mtc_vp_tbl(inv, i), a)));
    *jo = veorq_u8(i, mtc_vp_tbl(inv, veorq_u8(mtc_vp_tbl(inv, j), a)));
}

/* The tables of one direction, loaded once into registers. */
typedef struct {
    uint8x16_t inv, ak, in_lo, in_hi, out_f, out_g, r1;
    /* encryption: F1, G1, F2, G2, SR, R1SR, R3SR;
     * decryption: F9, G9, F11, G11, F13, G13, F14, G14, ISR */
    uint8x16_t m[9];
} mtc_vp_tabs;

MTC_INLINE void mtc_vp_tabs_load(mtc_vp_tabs *t, const int decrypt)
{
    t->inv = mtc_vp_load(MTC_VP_INV);
    t->ak = mtc_vp_load(MTC_VP_AK);
    t->r1 = mtc_vp_load(MTC_VP_R1);
    if (decrypt) {
        static const uint8_t *const m[9] = {
            MTC_VP_F9, MTC_VP_G9, MTC_VP_F11, MTC_VP_G11, MTC_VP_F13,
            MTC_VP_G13, MTC_VP_F14, MTC_VP_G14, MTC_VP_ISR,
        };
        t->in_lo = mtc_vp_load(MTC_VP_LLO);
        t->in_hi = mtc_vp_load(MTC_VP_LHI);
        t->out_f = mtc_vp_load(MTC_VP_FZ);
        t->out_g = mtc_vp_load(MTC_VP_GZ);
        for (int i = 0; i < 9; i++) {
            t->m[i] = mtc_vp_load(m[i]);
        }
    } else {
        static const uint8_t *const m[7] = {
            MTC_VP_F1, MTC_VP_G1, MTC_VP_F2, MTC_VP_G2, MTC_VP_SR,
            MTC_VP_R1SR, MTC_VP_R3SR,
        };
        t->in_lo = mtc_vp_load(MTC_VP_TLO);
        t->in_hi = mtc_vp_load(MTC_VP_THI);
        t->out_f = mtc_vp_load(MTC_VP_FO);
        t->out_g = mtc_vp_load(MTC_VP_GO);
        for (int i = 0; i < 7; i++) {
            t->m[i] = mtc_vp_load(m[i]);
        }
    }
}

/*
 * n blocks s[0..n-1] (n <= 2, a constant at every call site) through the
 * cipher (decrypt 0) or the equivalent inverse cipher (decrypt 1) under
 * the kernel's keys k (mtc_arm64vp_keys).  Each round is written for all
 * blocks before the next, so their chains interleave.
 */
MTC_INLINE void mtc_vp_blocks(const mtc_vp_tabs *t, const uint8x16_t k[15],
                              uint8x16_t *s, const size_t n,
                              const int decrypt)
{
    uint8x16_t io[2], jo[2];

    for (size_t b = 0; b < n; b++) {
        s[b] = veorq_u8(mtc_vp_map(t->in_lo, t->in_hi, s[b]), k[0]);
    }
    for (int r = 1; r < 14; r++) {
        for (size_t b = 0; b < n; b++) {
            if (decrypt) {
                /* InvShiftRows, then the inverse S-box's inversion, then
                 * InvMixColumns 14 a + 11 b + 13 c + 9 d by Horner:
                 * n14 ^ R1(n11 ^ R1(n13 ^ R1(n9))). */
                mtc_vp_inverse(t->inv, t->ak, mtc_vp_tbl(s[b], t->m[8]),
                               &io[b], &jo[b]);
                uint8x16_t acc = veorq_u8(mtc_vp_tbl(t->m[0], io[b]),
                                          mtc_vp_tbl(t->m[1], jo[b]));
                acc = veorq_u8(veorq_u8(mtc_vp_tbl(t->m[4], io[b]),
                                        mtc_vp_tbl(t->m[5], jo[b])),
                               mtc_vp_tbl(acc, t->r1));
                acc = veorq_u8(veorq_u8(mtc_vp_tbl(t->m[2], io[b]),
                                        mtc_vp_tbl(t->m[3], jo[b])),
                               mtc_vp_tbl(acc, t->r1));
                uint8x16_t n14 = veorq_u8(veorq_u8(mtc_vp_tbl(t->m[6], io[b]),
                                                   mtc_vp_tbl(t->m[7], jo[b])),
                                          k[r]);
                s[b] = veorq_u8(n14, mtc_vp_tbl(acc, t->r1));
            } else {
                /* S(x) and 2 S(x), then ShiftRows and MixColumns
                 * 2 a + 3 b + c + d as u ^ R1(u) ^ d, u = 2 a + b. */
                mtc_vp_inverse(t->inv, t->ak, s[b], &io[b], &jo[b]);
                uint8x16_t a = veorq_u8(mtc_vp_tbl(t->m[0], io[b]),
                                        mtc_vp_tbl(t->m[1], jo[b]));
                uint8x16_t a2 = veorq_u8(mtc_vp_tbl(t->m[2], io[b]),
                                         mtc_vp_tbl(t->m[3], jo[b]));
                uint8x16_t u = veorq_u8(mtc_vp_tbl(a2, t->m[4]),
                                        mtc_vp_tbl(a, t->m[5]));
                /* d ^ k beside u, so the chain ends R1(u), one XOR. */
                uint8x16_t dk = veorq_u8(mtc_vp_tbl(a, t->m[6]), k[r]);
                s[b] = veorq_u8(mtc_vp_tbl(u, t->r1), veorq_u8(u, dk));
            }
        }
    }
    /* The last round, out in AES's own basis. */
    for (size_t b = 0; b < n; b++) {
        uint8x16_t x = decrypt ? mtc_vp_tbl(s[b], t->m[8]) : s[b];
        mtc_vp_inverse(t->inv, t->ak, x, &io[b], &jo[b]);
        x = veorq_u8(mtc_vp_tbl(t->out_f, io[b]), mtc_vp_tbl(t->out_g, jo[b]));
        s[b] = veorq_u8(decrypt ? x : mtc_vp_tbl(x, t->m[4]), k[14]);
    }
}

/* The kernel's 15 round keys of key for one direction (aes_arm64vp.c). */
MTC_INLINE void mtc_vp_keys(uint8x16_t k[15], const uint8_t key[32],
                            const int decrypt)
{
    uint8_t buf[15 * 16];

    mtc_arm64vp_keys(buf, key, decrypt);
    for (int i = 0; i < 15; i++) {
        k[i] = mtc_vp_load(buf + 16 * i);
    }
    mtc_memzero(buf, sizeof buf);
}

#endif /* MTC_ARM64VP */
#endif /* MTC_AES_ARM64VP_H */
