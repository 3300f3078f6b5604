/*
 * aes_arm64ce_ige.c: AES-256-IGE with the ARMv8 Crypto Extensions.
 *
 * IGE is sequential in both directions: one block's 14 rounds are the
 * critical path, and the XORs that link consecutive blocks are folded into
 * the next block's first round key (mtc_ce_ige_* in aes_arm64ce.h), so that
 * path holds the AES instructions alone; the expected speed is reasoned
 * there (about 1.8 cycles a byte on Cortex-A76).
 */
#include "aes_arm64ce.h"

#if MTC_ARM64

/* One IGE pass; decrypt is a constant at both call sites. */
MTC_CE_INLINE void mtc_ce_ige(const uint8_t key[32], const uint8_t iv[32],
                              const uint8_t *in, uint8_t *out, size_t len,
                              const int decrypt)
{
    uint8x16_t k[15];
    mtc_ce_ige_state st;
    size_t n = len / 16;

    if (n == 0) {
        return;
    }
    mtc_ce_keys(k, key, decrypt);
    mtc_ce_ige_init(&st, k, iv, in, decrypt);
    for (size_t i = 0; i + 1 < n; i++) {
        mtc_ce_ige_next(&st, k, in + 16 * (i + 1), out + 16 * i, decrypt);
    }
    mtc_ce_ige_last(&st, k, out + 16 * (n - 1));
    mtc_memzero(k, sizeof k);
    mtc_memzero(&st, sizeof st); /* k0k14 is key material */
}

/* see inner.h */
MTC_TARGET_ARMCE
void mtc_arm64ce_ige_encrypt(const uint8_t key[32], const uint8_t iv[32],
                             const uint8_t *in, uint8_t *out, size_t len)
{
    mtc_ce_ige(key, iv, in, out, len, 0);
}

/* see inner.h */
MTC_TARGET_ARMCE
void mtc_arm64ce_ige_decrypt(const uint8_t key[32], const uint8_t iv[32],
                             const uint8_t *in, uint8_t *out, size_t len)
{
    mtc_ce_ige(key, iv, in, out, len, 1);
}

#endif /* MTC_ARM64 */
