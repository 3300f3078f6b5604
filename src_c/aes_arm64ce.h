/*
 * aes_arm64ce.h: AES-256 with the ARMv8 Crypto Extensions, as inline
 * pieces shared by the aes_arm64ce*.c kernels and mtp_arm64ce.c: the
 * primitives of aes_vec.h, which writes the modes over them.  Every
 * function carries a target attribute, so the including file needs no
 * -march flag.
 *
 * The instructions differ from AES-NI in where the round key goes in:
 * AESE(s, k) = SubBytes(ShiftRows(s ^ k)) and AESMC is MixColumns, so a
 * full round is AESE + AESMC with the key XORed first; AESD and AESIMC are
 * the inverses.  AES-256 encryption is 13 AESE + AESMC pairs under round
 * keys rk0..rk12, an AESE under rk13 and an XOR of rk14; decryption the
 * same with AESD, AESIMC and the equivalent inverse cipher's keys.
 *
 * Speed, reasoned (it cannot be measured on this project's machines, which
 * run AArch64 only under emulation).  Arm's Cortex-A76 Software
 * Optimization Guide gives each of AESE, AESD, AESMC and AESIMC a 2-cycle
 * latency and two per cycle (pipelines V0 and V1), and the core fuses an
 * AESE (AESD) with the AESMC (AESIMC) that follows it on the same register
 * into one operation (its section on instruction fusion; the same holds on
 * Cortex-A72, A57 and Apple's cores).  The kernels keep each such pair
 * adjacent, on one register, which is what the fusion needs.
 * - IGE and CBC encryption are serial: each block waits for the previous
 *   one's 14 rounds.  The XORs that link blocks are folded into the next
 *   block's first round key (AESE(s ^ a, k) = AESE(s, a ^ k)), so the
 *   chain is the 27 AES instructions alone: about 14 fused steps of
 *   2 cycles, some 28 cycles a 16-byte block, 1.8 cycles a byte on A76
 *   (about 1.3 GB/s at 2.4 GHz); Apple's M1 and later (3-cycle fused pairs
 *   reported by public measurements) about 2.6 cycles a byte.
 * - CTR, CBC decryption and the multi-message IGE batch are parallel:
 *   eight blocks in flight, more than latency x throughput (2 x 2 = 4 on
 *   A76, 3 x 4 = 12 on M1's four vector pipelines, where eight already
 *   reach two thirds of the peak), so they run at the throughput of the
 *   AES units: 14 fused operations a block over two pipelines, about
 *   7 cycles a block, 0.45 cycles a byte on A76.
 */
#ifndef MTC_AES_ARM64CE_H
#define MTC_AES_ARM64CE_H

#include "inner.h"

#if MTC_ARM64
#include <arm_neon.h>

#define MTC_CE_INLINE static inline __attribute__((always_inline)) \
    MTC_TARGET_ARMCE

/*
 * One step of the AES-256 key schedule (FIPS-197 5.2): the next four words
 * from the four words before them (prev) and t, the transformed last word
 * in every lane: w[i] = w[i-4] ^ ... ^ w[i-4+k] prefix XORs, then ^ t.
 */
MTC_CE_INLINE uint8x16_t mtc_ce_expand(uint8x16_t prev, uint8x16_t t)
{
    const uint8x16_t zero = vdupq_n_u8(0);
    /* vextq_u8(zero, prev, 12): the words of prev moved up one lane. */
    prev = veorq_u8(prev, vextq_u8(zero, prev, 12));
    prev = veorq_u8(prev, vextq_u8(zero, prev, 12));
    prev = veorq_u8(prev, vextq_u8(zero, prev, 12));
    return veorq_u8(prev, t);
}

/*
 * SubWord(RotWord(w3)) ^ Rcon (rot != 0) or SubWord(w3) in every lane, w3
 * the last word of x.  AESE under a zero key on a state whose four columns
 * are equal is SubBytes alone (ShiftRows moves nothing); RotWord commutes
 * with SubWord and is a rotation of the little-endian word by 8 bits.
 */
MTC_CE_INLINE uint8x16_t mtc_ce_subword(uint8x16_t x, int rot, uint32_t rcon)
{
    uint32x4_t w = vdupq_laneq_u32(vreinterpretq_u32_u8(x), 3);
    w = vreinterpretq_u32_u8(
        vaeseq_u8(vreinterpretq_u8_u32(w), vdupq_n_u8(0)));
    if (rot) {
        w = veorq_u32(vorrq_u32(vshrq_n_u32(w, 8), vshlq_n_u32(w, 24)),
                      vdupq_n_u32(rcon));
    }
    return vreinterpretq_u8_u32(w);
}

/* The 15 encryption round keys of a 32-byte key. */
MTC_CE_INLINE void mtc_ce_key_enc(uint8x16_t rk[15], const uint8_t key[32])
{
    static const uint32_t rcon[7] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20,
                                     0x40};
    rk[0] = vld1q_u8(key);
    rk[1] = vld1q_u8(key + 16);
    for (int i = 2; i < 15; i++) {
        int even = (i & 1) == 0;
        rk[i] = mtc_ce_expand(
            rk[i - 2], mtc_ce_subword(rk[i - 1], even, even ? rcon[i / 2 - 1] : 0));
    }
}

/*
 * The 15 round keys of the equivalent inverse cipher (FIPS-197 5.3.5) in
 * the order AESD takes them: dk[0] = rk[14], dk[i] = InvMixColumns(
 * rk[14 - i]), and dk[14] = rk[0] for the closing XOR.
 */
MTC_CE_INLINE void mtc_ce_key_dec(uint8x16_t dk[15], const uint8x16_t rk[15])
{
    dk[0] = rk[14];
    for (int i = 1; i < 14; i++) {
        dk[i] = vaesimcq_u8(rk[14 - i]);
    }
    dk[14] = rk[0];
}

/* The primitives of aes_vec.h, which is included below. */
#define MTC_AES_V_INLINE MTC_CE_INLINE
#define MTC_AES_V_TARGET MTC_TARGET_ARMCE
#define MTC_AES_V_KERNEL(name) mtc_arm64ce_##name
#define MTC_AES_V_END 13
typedef uint8x16_t mtc_aes_v;
#define mtc_aes_v_load vld1q_u8
#define mtc_aes_v_store vst1q_u8
#define mtc_aes_v_xor veorq_u8
#define mtc_aes_v_key_enc mtc_ce_key_enc
#define mtc_aes_v_key_dec mtc_ce_key_dec

MTC_CE_INLINE uint8x16_t mtc_aes_v_zero(void)
{
    return vdupq_n_u8(0);
}

MTC_CE_INLINE uint8x16_t mtc_aes_v_ctr(uint64_t hi, uint64_t lo)
{
    /* hi in bytes 0..7 and lo in 8..15, each reversed to big-endian. */
    uint64x2_t c = vcombine_u64(vcreate_u64(hi), vcreate_u64(lo));
    return vrev64q_u8(vreinterpretq_u8_u64(c));
}

/*
 * Rounds 0..12 are AESE + AESMC (AESD + AESIMC) under k0, k[1] .. k[12],
 * the pair adjacent on one register, as the fusion needs.
 */
MTC_CE_INLINE uint8x16_t mtc_aes_v_round(uint8x16_t s, uint8x16_t k,
                                         const int decrypt)
{
    return decrypt ? vaesimcq_u8(vaesdq_u8(s, k))
                   : vaesmcq_u8(vaeseq_u8(s, k));
}

#define mtc_aes_v_first mtc_aes_v_round

/* Round 13 is an AESE (AESD) under k[13], then the XOR of kx. */
MTC_CE_INLINE uint8x16_t mtc_aes_v_last(uint8x16_t s, const uint8x16_t k[15],
                                        uint8x16_t kx, const int decrypt)
{
    return veorq_u8(decrypt ? vaesdq_u8(s, k[13]) : vaeseq_u8(s, k[13]), kx);
}

/*
 * The 14 rounds of one block but the final XOR of k[14], with k0 as in
 * mtc_aes_v_first.  decrypt is a constant at every call site.
 */
MTC_CE_INLINE uint8x16_t mtc_ce_rounds(uint8x16_t s, uint8x16_t k0,
                                       const uint8x16_t k[15],
                                       const int decrypt)
{
    s = mtc_aes_v_first(s, k0, decrypt);
    for (int i = 1; i < 13; i++) {
        s = mtc_aes_v_round(s, k[i], decrypt);
    }
    return decrypt ? vaesdq_u8(s, k[13]) : vaeseq_u8(s, k[13]);
}

/*
 * The chain of IGE and CBC encryption (mtc_aes_v_chain_pass in
 * aes_vec.h), with x, y and in as there.  out_i = t_i ^ k14 ^ y_{i-1},
 * where t_i is block i's rounds but the last XOR (mtc_ce_rounds).  Since
 * x_i = out_i, block i + 1's rounds start from t_i itself, under the first
 * round key k0 ^ k14 ^ y_{i-1} ^ in_{i+1}: the chain from block to block
 * holds no XOR.  st carries t (block i's rounds, done), in_i (IGE only:
 * CBC's y is zero) and y_{i-1}; mtc_aes_v_chain_next stores block i and
 * starts block i + 1, mtc_aes_v_chain_last stores the final block.
 */
typedef struct {
    uint8x16_t t, cur, prev, k0k14;
} mtc_aes_v_chain;

MTC_CE_INLINE void mtc_aes_v_chain_init(mtc_aes_v_chain *st,
                                        const uint8x16_t k[15], uint8x16_t x,
                                        uint8x16_t y, const uint8_t *in,
                                        const int decrypt)
{
    st->prev = y;
    st->cur = vld1q_u8(in);
    st->k0k14 = veorq_u8(k[0], k[14]);
    st->t = mtc_ce_rounds(st->cur, veorq_u8(k[0], x), k, decrypt);
}

MTC_CE_INLINE void mtc_aes_v_chain_next(mtc_aes_v_chain *st,
                                        const uint8x16_t k[15],
                                        const uint8_t *next_in, uint8_t *out,
                                        const int decrypt, const int ige)
{
    uint8x16_t next = vld1q_u8(next_in);
    uint8x16_t k0 = veorq_u8(st->k0k14, veorq_u8(st->prev, next));
    vst1q_u8(out, veorq_u8(st->t, veorq_u8(k[14], st->prev)));
    st->t = mtc_ce_rounds(st->t, k0, k, decrypt);
    if (ige) {
        st->prev = st->cur;
        st->cur = next;
    }
}

/* Stores the final block and returns it. */
MTC_CE_INLINE uint8x16_t mtc_aes_v_chain_last(const mtc_aes_v_chain *st,
                                              const uint8x16_t k[15],
                                              uint8_t *out, const int decrypt)
{
    uint8x16_t v = veorq_u8(st->t, veorq_u8(k[14], st->prev));
    (void)decrypt;
    vst1q_u8(out, v);
    return v;
}

#include "aes_vec.h"

#endif /* MTC_ARM64 */
#endif /* MTC_AES_ARM64CE_H */
