/*
 * aes_vp.h: constant-time AES-256 by vector permutes, for CPUs without AES
 * instructions: neonvp on AArch64 (NEON TBL; Raspberry Pi 4's Cortex-A72
 * and the like) and ssse3vp on x86-64 (SSSE3 PSHUFB; x86 CPUs before
 * AES-NI and the low-end ones sold without it).  The technique is M.
 * Hamburg's, "Accelerating AES with Vector Permute Instructions" (CHES
 * 2009).  Each byte's S-box value is found from its two 4-bit halves by
 * lookups in 16-entry tables held in registers (a permute: no memory access
 * depends on the data), the inversion in GF(2^8) done in a tower field over
 * GF(16) with five such lookups; ShiftRows and MixColumns are byte
 * permutations and XORs.  The field, the coordinates and every table are
 * derived, and checked on all inputs and on FIPS-197's example, by
 * tools/gen_vperm_tables.py, which writes aes_vp_tables.h and models the
 * rounds below.
 *
 * The rounds and modes are written once, here and in aes_vp*.c, over a few
 * primitives of each instruction set (the first part of this file): load,
 * store, the permute (TBL and PSHUFB agree on every index the kernel uses:
 * under 16, or with the top bit set, where both give 0), XOR, the two
 * nibbles of each byte, a byte broadcast and a big-endian counter block.
 *
 * An encryption round is 12 permutes and 14 other vector operations, a
 * decryption round 16 and 16, one block a register: the inversion (5
 * lookups), the output lookups (4; 8 to decrypt, one pair for each of
 * InvMixColumns' factors 14, 11, 13, 9), then MixColumns as u ^ R1(u) ^
 * R3(a), u = 2 a ^ R1(a) (3 permutes), or InvMixColumns as 14 a ^ R1(11 b)
 * ^ R2(13 c) ^ R3(9 d) (3 permutes side by side).  A block on its own
 * (the chained modes, whose time is the chain's) encrypts with six
 * lookups, 2 a ^ R1(3 b) ^ R2(c) ^ R3(d), whose permutes are side by side
 * too: 14 permutes and 15 other operations, a chain one step shorter.
 * ShiftRows is never applied: the S-box commutes with it, so the state
 * after round r is kept in the byte order ISR^r (SR^r to decrypt) of
 * AES's, whose row rotations (r mod 4, from the generator) the rounds
 * take; the round keys are stored in that order and the last round puts
 * the rest, SR^14 = SR^2, in place.
 * The round key goes in beside a lookup that is ready early, off the chain
 * of dependent operations, which is 13 deep to encrypt (12 on its own) and
 * 12 to decrypt (one less on NEON, whose TBL needs no AND of the high
 * nibble: a byte shift).  Measured on this project's x86-64 machine (AMD
 * EPYC under KVM), one IGE block takes about 13 TSC cycles a round either
 * way, bounded by the chain (a step less is about 0.4 cycles less) more
 * than by the vector pipes (two lookups less changed nothing); the
 * parallel modes are bounded by the pipes.  IGE moves from block to
 * block through the last round's inversion straight into the next block's
 * state (mtc_vp_next), skipping the output's change of coordinates, the
 * IGE XOR and the next first step on the chain, and the last round's
 * permute SR2 too: every other block runs two layouts on (about 3% faster
 * to decrypt here, 1% to encrypt).  The parallel modes (CBC
 * decryption, CTR) run MTC_VP_WAYS blocks side by side (three measured
 * best here; four spill registers on x86-64).
 *
 * On AArch64 time cannot be measured here (qemu only).  GCC 12 compiles
 * IGE to about 27 instructions a byte to encrypt, 30 to decrypt and 24 for
 * CTR (the loops' instructions, counted in the assembly); tgcrypto's
 * table-based IGE executes 53 (counted under qemu).  At 3 cycles for TBL
 * and EOR (Cortex-A72, Arm's optimization guide) the 11-deep chain is some
 * 33 cycles a round, about 29 cycles a byte for IGE, against roughly 25
 * for the table-based code's 53 instructions a byte at two or so a cycle;
 * cores with 2-cycle TBL (Cortex-A76 and later) take some 19.
 *
 * Constant time: the lookups are permutes of registers; branches and
 * addresses depend on lengths only (tests/c/ctgrind.c runs ssse3vp under
 * valgrind and argues neonvp).
 */
#ifndef MTC_AES_VP_H
#define MTC_AES_VP_H

#include "inner.h"

#if MTC_VP
#include "aes_vp_tables.h"

/* --- the primitives of each instruction set ---------------------------- */

#if MTC_ARM64VP
#include <arm_neon.h>

typedef uint8x16_t mtc_vp_v;

MTC_INLINE mtc_vp_v mtc_vp_load(const uint8_t *p)
{
    return vld1q_u8(p);
}

MTC_INLINE void mtc_vp_store(uint8_t *p, mtc_vp_v x)
{
    vst1q_u8(p, x);
}

/* table[idx] for each byte (0 where idx >= 16). */
MTC_INLINE mtc_vp_v mtc_vp_tbl(mtc_vp_v table, mtc_vp_v idx)
{
    return vqtbl1q_u8(table, idx);
}

MTC_INLINE mtc_vp_v mtc_vp_xor(mtc_vp_v a, mtc_vp_v b)
{
    return veorq_u8(a, b);
}

MTC_INLINE mtc_vp_v mtc_vp_splat(uint8_t c)
{
    return vdupq_n_u8(c);
}

/* x, computed here: the compiler may not reassociate XORs across it. */
MTC_INLINE mtc_vp_v mtc_vp_fence(mtc_vp_v x)
{
    __asm__("" : "+w"(x));
    return x;
}

MTC_INLINE mtc_vp_v mtc_vp_lo(mtc_vp_v x)
{
    return vandq_u8(x, vdupq_n_u8(15));
}

MTC_INLINE mtc_vp_v mtc_vp_hi(mtc_vp_v x)
{
    return vshrq_n_u8(x, 4);
}

/* The 16 bytes of the 128-bit big-endian number (hi, lo). */
MTC_INLINE mtc_vp_v mtc_vp_be128(uint64_t hi, uint64_t lo)
{
    uint64x2_t c = vcombine_u64(vcreate_u64(hi), vcreate_u64(lo));
    return vrev64q_u8(vreinterpretq_u8_u64(c));
}

#else /* MTC_X86VP */
#include <tmmintrin.h>

typedef __m128i mtc_vp_v;

MTC_INLINE MTC_TARGET_VP mtc_vp_v mtc_vp_load(const uint8_t *p)
{
    return _mm_loadu_si128((const __m128i *)(const void *)p);
}

MTC_INLINE MTC_TARGET_VP void mtc_vp_store(uint8_t *p, mtc_vp_v x)
{
    _mm_storeu_si128((__m128i *)(void *)p, x);
}

/* table[idx & 15] for each byte (0 where idx has its top bit set). */
MTC_INLINE MTC_TARGET_VP mtc_vp_v mtc_vp_tbl(mtc_vp_v table, mtc_vp_v idx)
{
    return _mm_shuffle_epi8(table, idx);
}

MTC_INLINE MTC_TARGET_VP mtc_vp_v mtc_vp_xor(mtc_vp_v a, mtc_vp_v b)
{
    return _mm_xor_si128(a, b);
}

MTC_INLINE MTC_TARGET_VP mtc_vp_v mtc_vp_splat(uint8_t c)
{
    return _mm_set1_epi8((char)c);
}

MTC_INLINE MTC_TARGET_VP mtc_vp_v mtc_vp_fence(mtc_vp_v x)
{
    __asm__("" : "+x"(x));
    return x;
}

MTC_INLINE MTC_TARGET_VP mtc_vp_v mtc_vp_lo(mtc_vp_v x)
{
    return _mm_and_si128(x, _mm_set1_epi8(15));
}

/* No byte shift in SSE: a 16-bit one brings the next byte's low nibble
 * into the top of each even byte, which the AND clears. */
MTC_INLINE MTC_TARGET_VP mtc_vp_v mtc_vp_hi(mtc_vp_v x)
{
    return _mm_and_si128(_mm_srli_epi16(x, 4), _mm_set1_epi8(15));
}

MTC_INLINE MTC_TARGET_VP mtc_vp_v mtc_vp_be128(uint64_t hi, uint64_t lo)
{
    const __m128i swap = _mm_set_epi8(8, 9, 10, 11, 12, 13, 14, 15,
                                      0, 1, 2, 3, 4, 5, 6, 7);
    return _mm_shuffle_epi8(_mm_set_epi64x((long long)lo, (long long)hi),
                            swap);
}
#endif

/* --- the rounds, once for both --------------------------------------- */

/* The rounds unrolled: each round's permutes (r mod 4) become constants,
 * with no index arithmetic between the vector operations. */
#if defined(__GNUC__) && !defined(__clang__)
#define MTC_VP_UNROLL _Pragma("GCC unroll 13")
#elif defined(__clang__)
#define MTC_VP_UNROLL _Pragma("unroll")
#else
#define MTC_VP_UNROLL
#endif

/* Blocks side by side in the parallel modes (CBC decryption, CTR). */
#define MTC_VP_WAYS 3

/* The byte-wise linear map of two tables (lo, hi) of x's nibbles. */
MTC_INLINE MTC_TARGET_VP mtc_vp_v mtc_vp_map(mtc_vp_v lo, mtc_vp_v hi,
                                             mtc_vp_v x)
{
    return mtc_vp_xor(mtc_vp_tbl(lo, mtc_vp_lo(x)), mtc_vp_tbl(hi, mtc_vp_hi(x)));
}

/* v ^ 1/(1/u ^ a/k), a/k = ak: one half of mtc_vp_inverse. */
MTC_INLINE MTC_TARGET_VP mtc_vp_v mtc_vp_half(mtc_vp_v inv, mtc_vp_v ak,
                                              mtc_vp_v u, mtc_vp_v v)
{
    return mtc_vp_xor(v, mtc_vp_tbl(inv, mtc_vp_xor(mtc_vp_tbl(inv, u), ak)));
}

/*
 * The two halves (io, jo) of the inverses of the 16 elements x in the
 * tower field (tools/gen_vperm_tables.py): with i, k the high and low
 * nibbles and j = i ^ k, io = j ^ 1/(1/i ^ a/k), jo = i ^ 1/(1/j ^ a/k).
 * jo_first (a constant) writes jo's operations first: the order changes
 * the compiler's schedule, and with it the time (GCC 12 on the x86-64
 * measured: encryption rounds 1.4% faster with jo first, decryption
 * rounds 3% slower).
 */
MTC_INLINE MTC_TARGET_VP void mtc_vp_inverse(mtc_vp_v inv, mtc_vp_v ak,
                                             mtc_vp_v x, mtc_vp_v *io,
                                             mtc_vp_v *jo, const int jo_first)
{
    mtc_vp_v i = mtc_vp_hi(x), k = mtc_vp_lo(x);
    mtc_vp_v j = mtc_vp_xor(i, k), a = mtc_vp_tbl(ak, k);
    if (jo_first) {
        *jo = mtc_vp_half(inv, a, j, i);
    }
    *io = mtc_vp_half(inv, a, i, j);
    if (!jo_first) {
        *jo = mtc_vp_half(inv, a, j, i);
    }
}

/*
 * f[io] ^ x ^ g[jo]: an output lookup, x XORed in beside it, while jo (one
 * step behind io) is still on its way; the fence keeps GCC from moving the
 * XOR of x after the last lookup, onto the chain.
 */
MTC_INLINE MTC_TARGET_VP mtc_vp_v mtc_vp_out(mtc_vp_v f, mtc_vp_v g,
                                             mtc_vp_v io, mtc_vp_v jo,
                                             mtc_vp_v x)
{
    mtc_vp_v fx = mtc_vp_fence(mtc_vp_xor(mtc_vp_tbl(f, io), x));
    return mtc_vp_xor(fx, mtc_vp_tbl(g, jo));
}

/*
 * The tables of one direction, loaded once into registers (the compiler
 * keeps in memory what does not fit).  m: the output pairs (F, G) of
 * the (Inv)MixColumns factors of the rows a, b, c, d: 2, 3 and 1 times
 * S(x) to encrypt (m[6..7] unused: d = c), 14, 11, 13 and 9 times x^-1 to
 * decrypt.  p[q][n - 1]: the row rotation Rn in the state's layout after
 * round r = q mod 4 (ERn_q, DRn_q).  (fo, go): the last round's output;
 * (fn, gn): IGE's next state from the last round (mtc_vp_next), T(S(x))
 * to encrypt, L(x^-1) to decrypt; sr2: ShiftRows twice, the last round's
 * permute.
 */
typedef struct {
    mtc_vp_v inv, ak, in_lo, in_hi, fo, go, fn, gn, sr2;
    mtc_vp_v m[8], p[4][3];
} mtc_vp_tabs;

MTC_INLINE MTC_TARGET_VP void mtc_vp_tabs_load(mtc_vp_tabs *t,
                                               const int decrypt)
{
    static const uint8_t *const enc[26] = {
        MTC_VP_TLO, MTC_VP_THI, MTC_VP_FO, MTC_VP_GO, MTC_VP_F1, MTC_VP_G1,
        MTC_VP_F2, MTC_VP_G2, MTC_VP_F3, MTC_VP_G3, MTC_VP_F1, MTC_VP_G1,
        MTC_VP_F1, MTC_VP_G1,
        MTC_VP_ER1_0, MTC_VP_ER2_0, MTC_VP_ER3_0,
        MTC_VP_ER1_1, MTC_VP_ER2_1, MTC_VP_ER3_1,
        MTC_VP_ER1_2, MTC_VP_ER2_2, MTC_VP_ER3_2,
        MTC_VP_ER1_3, MTC_VP_ER2_3, MTC_VP_ER3_3,
    };
    static const uint8_t *const dec[26] = {
        MTC_VP_LLO, MTC_VP_LHI, MTC_VP_FZ, MTC_VP_GZ, MTC_VP_FL, MTC_VP_GL,
        MTC_VP_F14, MTC_VP_G14, MTC_VP_F11, MTC_VP_G11, MTC_VP_F13,
        MTC_VP_G13, MTC_VP_F9, MTC_VP_G9,
        MTC_VP_DR1_0, MTC_VP_DR2_0, MTC_VP_DR3_0,
        MTC_VP_DR1_1, MTC_VP_DR2_1, MTC_VP_DR3_1,
        MTC_VP_DR1_2, MTC_VP_DR2_2, MTC_VP_DR3_2,
        MTC_VP_DR1_3, MTC_VP_DR2_3, MTC_VP_DR3_3,
    };
    const uint8_t *const *src = decrypt ? dec : enc;

    t->inv = mtc_vp_load(MTC_VP_INV);
    t->ak = mtc_vp_load(MTC_VP_AK);
    t->sr2 = mtc_vp_load(MTC_VP_SR2);
    t->in_lo = mtc_vp_load(src[0]);
    t->in_hi = mtc_vp_load(src[1]);
    t->fo = mtc_vp_load(src[2]);
    t->go = mtc_vp_load(src[3]);
    t->fn = mtc_vp_load(src[4]);
    t->gn = mtc_vp_load(src[5]);
    for (int i = 0; i < 8; i++) {
        t->m[i] = mtc_vp_load(src[6 + i]);
    }
    for (int i = 0; i < 12; i++) {
        t->p[i / 3][i % 3] = mtc_vp_load(src[14 + i]);
    }
}

/* The first step: a block in AES's basis to the state the rounds take,
 * its coordinates XOR the round key k0. */
MTC_INLINE MTC_TARGET_VP mtc_vp_v mtc_vp_first(const mtc_vp_tabs *t,
                                               mtc_vp_v k0, mtc_vp_v x)
{
    return mtc_vp_xor(mtc_vp_map(t->in_lo, t->in_hi, x), k0);
}

/*
 * Round r (1 to 13) under the round key k.  The fences keep GCC from
 * reassociating the XORs into a longer chain (the key, ready early, last).
 * chained (a constant): the round of a block on its own (the chained
 * modes), whose time is the chain's, else of blocks side by side, whose
 * time is the vector pipes'.
 */
MTC_INLINE MTC_TARGET_VP mtc_vp_v mtc_vp_round(const mtc_vp_tabs *t,
                                               mtc_vp_v k, mtc_vp_v s,
                                               int r, const int decrypt,
                                               const int chained)
{
    const mtc_vp_v *p = t->p[r & 3];
    mtc_vp_v io, jo;

    mtc_vp_inverse(t->inv, t->ak, s, &io, &jo, !decrypt);
    if (chained) {
        /* (Inv)MixColumns ma a ^ R1(mb b) ^ R2(mc c) ^ R3(md d): 2, 3, 1,
         * 1 to encrypt (one lookup pair for c and d), 14, 11, 13, 9 to
         * decrypt, the three permutes side by side.  The permuted rows
         * first, fenced (the CPU runs the oldest ready operation first,
         * and they are a permute deeper), then a with the key beside its
         * lookups: on the x86-64 measured IGE decryption is 3% faster so
         * (CBC decryption 9% slower, hence two orders: GCC schedules by
         * the order written), and encryption 2% faster than with
         * MixColumns' form below (whose permutes are 3 deep). */
        mtc_vp_v b = mtc_vp_xor(mtc_vp_tbl(t->m[2], io), mtc_vp_tbl(t->m[3], jo));
        mtc_vp_v c = mtc_vp_xor(mtc_vp_tbl(t->m[4], io), mtc_vp_tbl(t->m[5], jo));
        mtc_vp_v d = decrypt ? mtc_vp_xor(mtc_vp_tbl(t->m[6], io),
                                          mtc_vp_tbl(t->m[7], jo))
                             : c;
        b = mtc_vp_fence(mtc_vp_tbl(b, p[0]));
        c = mtc_vp_fence(mtc_vp_tbl(c, p[1]));
        d = mtc_vp_fence(mtc_vp_tbl(d, p[2]));
        mtc_vp_v a = mtc_vp_out(t->m[0], t->m[1], io, jo, k);
        return mtc_vp_xor(mtc_vp_fence(mtc_vp_xor(a, b)),
                          mtc_vp_fence(mtc_vp_xor(c, d)));
    }
    if (decrypt) {
        /* InvMixColumns for blocks side by side, 14 a first. */
        mtc_vp_v a = mtc_vp_out(t->m[0], t->m[1], io, jo, k);
        mtc_vp_v b = mtc_vp_xor(mtc_vp_tbl(t->m[2], io), mtc_vp_tbl(t->m[3], jo));
        mtc_vp_v c = mtc_vp_xor(mtc_vp_tbl(t->m[4], io), mtc_vp_tbl(t->m[5], jo));
        mtc_vp_v d = mtc_vp_xor(mtc_vp_tbl(t->m[6], io), mtc_vp_tbl(t->m[7], jo));
        return mtc_vp_xor(
            mtc_vp_fence(mtc_vp_xor(a, mtc_vp_tbl(b, p[0]))),
            mtc_vp_fence(mtc_vp_xor(mtc_vp_tbl(c, p[1]), mtc_vp_tbl(d, p[2]))));
    }
    /* MixColumns 2 a + 3 b + c + d for blocks side by side as
     * u ^ R1(u) ^ d, u = 2 a + b: four lookups and three permutes
     * (tools/gen_vperm_tables.py). */
    mtc_vp_v a = mtc_vp_xor(mtc_vp_tbl(t->m[4], io), mtc_vp_tbl(t->m[5], jo));
    mtc_vp_v a2 = mtc_vp_xor(mtc_vp_tbl(t->m[0], io), mtc_vp_tbl(t->m[1], jo));
    mtc_vp_v u = mtc_vp_xor(a2, mtc_vp_tbl(a, p[0]));
    mtc_vp_v dk = mtc_vp_fence(mtc_vp_xor(mtc_vp_tbl(a, p[2]), k));
    return mtc_vp_xor(mtc_vp_tbl(u, p[0]), mtc_vp_fence(mtc_vp_xor(u, dk)));
}

/* The last round's output in AES's basis, from the halves of its
 * inversion, under the round key k14: ShiftRows twice (SR^14) after. */
MTC_INLINE MTC_TARGET_VP mtc_vp_v mtc_vp_last(const mtc_vp_tabs *t,
                                              mtc_vp_v k14, mtc_vp_v io,
                                              mtc_vp_v jo)
{
    return mtc_vp_tbl(mtc_vp_out(t->fo, t->go, io, jo, k14), t->sr2);
}

/*
 * n blocks s[0..n-1] (n <= MTC_VP_WAYS, a constant at every call site)
 * through the cipher (decrypt 0) or the equivalent inverse cipher (decrypt
 * 1) under the kernel's keys k (mtc_vp_keys).  Each step is written for all
 * blocks before the next, so their chains interleave.
 */
MTC_INLINE MTC_TARGET_VP void mtc_vp_blocks(const mtc_vp_tabs *t,
                                            const mtc_vp_v k[15],
                                            mtc_vp_v *s, const size_t n,
                                            const int decrypt)
{
    mtc_vp_v io[MTC_VP_WAYS], jo[MTC_VP_WAYS];

    for (size_t b = 0; b < n; b++) {
        s[b] = mtc_vp_first(t, k[0], s[b]);
    }
    MTC_VP_UNROLL
    for (int r = 1; r < 14; r++) {
        for (size_t b = 0; b < n; b++) {
            s[b] = mtc_vp_round(t, k[r], s[b], r, decrypt, 0);
        }
    }
    for (size_t b = 0; b < n; b++) {
        mtc_vp_inverse(t->inv, t->ak, s[b], &io[b], &jo[b], 0);
        s[b] = mtc_vp_last(t, k[14], io[b], jo[b]);
    }
}

/*
 * IGE's step from block to block: the state after the first step of the
 * next block, whose input is the last round's output x XOR c (c public to
 * the chain: the next input block and the previous one), straight from the
 * halves (io, jo) of the last round's inversion.  The state is left in the
 * layout of the last round's output, so that no permute is on the chain
 * between the blocks: a block whose first state is in AES's byte order
 * ends in the layout SR^14 = SR2 of it (ISR^14 to encrypt), and the next
 * one runs its rounds two layouts on (r + 2 in mtc_vp_round, its keys
 * permuted by SR2) and ends in AES's order, ready for the one after it.
 * In the last round's layout x is fn[io] ^ gn[jo] ^ map(k14), so the next
 * state, map(c ^ x) ^ k0, is
 *   fn[io] ^ gn[jo] ^ cx,  cx = map(c) ^ kx,  kx = map(k14) ^ k0
 * with c, k14 and k0 in that layout (the byte-wise map commutes with any
 * permute).
 */
MTC_INLINE MTC_TARGET_VP mtc_vp_v mtc_vp_next(const mtc_vp_tabs *t,
                                              mtc_vp_v io, mtc_vp_v jo,
                                              mtc_vp_v cx)
{
    return mtc_vp_out(t->fn, t->gn, io, jo, cx);
}

/* The kernel's 15 round keys of key for one direction (aes_vp.c). */
MTC_INLINE MTC_TARGET_VP void mtc_vp_load_keys(mtc_vp_v k[15],
                                               const uint8_t key[32],
                                               const int decrypt)
{
    uint8_t buf[15 * 16];

    mtc_vp_keys(buf, key, decrypt);
    for (int i = 0; i < 15; i++) {
        k[i] = mtc_vp_load(buf + 16 * i);
    }
    mtc_memzero(buf, sizeof buf);
}


/*
 * The keys of the chained modes (mtc_vp_chain) for the two layouts l of a
 * block's first state (0: AES's byte order, 1: SR2 of it): k[0] the
 * kernel's, k[1] each of them permuted by SR2, and kx[l] the kx of
 * mtc_vp_next after a block of layout l, map(k[l][14]) ^ k[1 - l][0].
 */
typedef struct {
    mtc_vp_v k[2][15], kx[2];
} mtc_vp_chain_keys;

/*
 * One block of the chained modes from its state s after the first step,
 * in the layout off (0: AES's byte order, 2: SR2 of it; a constant at
 * every call site): out = E(..) ^ y, returned; for IGE (ige 1) y becomes
 * cur, the block's input.  When next is not NULL, *s becomes the next
 * block's state (in the other layout) and *cur its input, next XOR the
 * old y.  next is loaded before out is stored (in == out works).
 */
MTC_INLINE MTC_TARGET_VP mtc_vp_v mtc_vp_chain_block(
    const mtc_vp_tabs *t, const mtc_vp_chain_keys *ks, mtc_vp_v *s,
    mtc_vp_v *cur, mtc_vp_v *y, const uint8_t *next, uint8_t *out,
    const int off, const int decrypt, const int ige)
{
    const mtc_vp_v *k = ks->k[off / 2];
    mtc_vp_v io, jo, prev = *y;

    MTC_VP_UNROLL
    for (int r = 1; r < 14; r++) {
        *s = mtc_vp_round(t, k[r], *s, r + off, decrypt, 1);
    }
    mtc_vp_inverse(t->inv, t->ak, *s, &io, &jo, 0);
    if (ige) {
        *y = *cur;
    }
    if (next) {
        /* The next input XOR this block's y, into the next state. */
        *cur = mtc_vp_load(next);
        mtc_vp_v c = mtc_vp_xor(*cur, prev);
        *s = mtc_vp_next(t, io, jo,
                         mtc_vp_xor(mtc_vp_map(t->in_lo, t->in_hi,
                                               off ? c : mtc_vp_tbl(c, t->sr2)),
                                    ks->kx[off / 2]));
    }
    /* The last round's output ends in AES's order after a block that
     * started in SR2 of it; else SR2 puts it there. */
    mtc_vp_v x = off ? mtc_vp_out(t->fo, t->go, io, jo, k[14])
                     : mtc_vp_last(t, k[14], io, jo);
    x = mtc_vp_xor(x, prev);
    mtc_vp_store(out, x);
    return x;
}

/*
 * The chained modes, one block at a time: out_i = E(in_i ^ x) ^ y, then
 * x = out_i and, for IGE (ige 1), y = in_i.  IGE starts from (x, y) =
 * (c_0, p_0) to encrypt and (p_0, c_0) to decrypt (decrypt 1); CBC
 * encryption from (iv, 0) with y staying 0.  n >= 1 blocks; decrypt and
 * ige are constants at every call site.  Returns the last x.  The blocks
 * alternate between the two layouts of mtc_vp_next.
 */
MTC_INLINE MTC_TARGET_VP mtc_vp_v mtc_vp_chain(const uint8_t key[32],
                                               mtc_vp_v x, mtc_vp_v y,
                                               const uint8_t *in,
                                               uint8_t *out, size_t n,
                                               const int decrypt,
                                               const int ige)
{
    mtc_vp_tabs t;
    mtc_vp_chain_keys ks;

    mtc_vp_tabs_load(&t, decrypt);
    mtc_vp_load_keys(ks.k[0], key, decrypt);
    for (int r = 0; r < 15; r++) {
        ks.k[1][r] = mtc_vp_tbl(ks.k[0][r], t.sr2);
    }
    for (int l = 0; l < 2; l++) {
        ks.kx[l] = mtc_vp_xor(mtc_vp_map(t.in_lo, t.in_hi, ks.k[l][14]),
                              ks.k[1 - l][0]);
    }
    mtc_vp_v cur = mtc_vp_load(in);
    mtc_vp_v s = mtc_vp_first(&t, ks.k[0][0], mtc_vp_xor(cur, x));
    for (size_t i = 0; i < n; i += 2) {
        const uint8_t *next = i + 1 < n ? in + 16 * i + 16 : NULL;
        x = mtc_vp_chain_block(&t, &ks, &s, &cur, &y, next, out + 16 * i,
                               0, decrypt, ige);
        if (next) {
            next = i + 2 < n ? in + 16 * i + 32 : NULL;
            x = mtc_vp_chain_block(&t, &ks, &s, &cur, &y, next,
                                   out + 16 * i + 16, 2, decrypt, ige);
        }
    }
    mtc_memzero(&ks, sizeof ks);
    return x;
}

#endif /* MTC_VP */
#endif /* MTC_AES_VP_H */
