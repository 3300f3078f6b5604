/*
 * aes_arm64ce_cbc.c: AES-256-CBC with the ARMv8 Crypto Extensions.
 * Encryption is sequential (the chaining XOR folded into the next block's
 * first round key, as in IGE); decryption runs eight independent blocks
 * at a time (the speed of both is reasoned in aes_arm64ce.h).
 */
#include "aes_arm64ce.h"

#if MTC_ARM64

/* see inner.h */
MTC_TARGET_ARMCE
void mtc_arm64ce_cbc_encrypt(const uint8_t key[32], uint8_t iv[16],
                             const uint8_t *in, uint8_t *out, size_t len)
{
    /* c_i = E(p_i ^ c_{i-1}), c_0 = iv; with t_i the rounds before the
     * XOR of rk14, block i + 1 starts from t_i under rk0 ^ rk14 ^ p_{i+1}. */
    uint8x16_t rk[15];
    size_t n = len / 16;

    if (n == 0) {
        return;
    }
    mtc_ce_key_enc(rk, key);
    uint8x16_t k0k14 = veorq_u8(rk[0], rk[14]);
    uint8x16_t t = mtc_ce_rounds(vld1q_u8(in),
                                 veorq_u8(rk[0], vld1q_u8(iv)), rk, 0);
    for (size_t i = 0; i + 1 < n; i++) {
        uint8x16_t k0 = veorq_u8(k0k14, vld1q_u8(in + 16 * (i + 1)));
        vst1q_u8(out + 16 * i, veorq_u8(t, rk[14]));
        t = mtc_ce_rounds(t, k0, rk, 0);
    }
    t = veorq_u8(t, rk[14]);
    vst1q_u8(out + 16 * (n - 1), t);
    vst1q_u8(iv, t);
    mtc_memzero(rk, sizeof rk);
    mtc_memzero(&k0k14, sizeof k0k14);
}

/*
 * Decrypts n blocks (n <= 8, a constant at every call site so the loops
 * unroll into registers) that are independent given prev, the ciphertext
 * block before them; all are loaded before any is stored, so in == out
 * works.  Returns the last ciphertext block.
 */
MTC_CE_INLINE uint8x16_t mtc_ce_cbc_dec_run(const uint8x16_t dk[15],
                                            uint8x16_t prev,
                                            const uint8_t *in, uint8_t *out,
                                            const size_t n)
{
    uint8x16_t c[8], s[8];
    for (size_t j = 0; j < n; j++) {
        c[j] = vld1q_u8(in + 16 * j);
    }
    /* Round by round across the blocks, each AESD next to its AESIMC. */
    for (size_t j = 0; j < n; j++) {
        s[j] = vaesimcq_u8(vaesdq_u8(c[j], dk[0]));
    }
    for (int r = 1; r < 13; r++) {
        for (size_t j = 0; j < n; j++) {
            s[j] = vaesimcq_u8(vaesdq_u8(s[j], dk[r]));
        }
    }
    for (size_t j = 0; j < n; j++) {
        s[j] = vaesdq_u8(s[j], dk[13]);
        vst1q_u8(out + 16 * j,
                     veorq_u8(s[j], veorq_u8(dk[14],
                                             j == 0 ? prev : c[j - 1])));
    }
    return c[n - 1];
}

/* see inner.h */
MTC_TARGET_ARMCE
void mtc_arm64ce_cbc_decrypt(const uint8_t key[32], uint8_t iv[16],
                             const uint8_t *in, uint8_t *out, size_t len)
{
    uint8x16_t dk[15];
    size_t n = len / 16, i = 0;

    if (n == 0) {
        return;
    }
    mtc_ce_keys(dk, key, 1);
    uint8x16_t prev = vld1q_u8(iv);
    for (; i + 8 <= n; i += 8) {
        prev = mtc_ce_cbc_dec_run(dk, prev, in + 16 * i, out + 16 * i, 8);
    }
    for (; i < n; i++) {
        prev = mtc_ce_cbc_dec_run(dk, prev, in + 16 * i, out + 16 * i, 1);
    }
    vst1q_u8(iv, prev);
    mtc_memzero(dk, sizeof dk);
}

#endif /* MTC_ARM64 */
