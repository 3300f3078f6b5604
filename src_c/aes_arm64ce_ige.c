/*
 * aes_arm64ce_ige.c: AES-256-IGE with the ARMv8 Crypto Extensions:
 * mtc_arm64ce_ige_encrypt and mtc_arm64ce_ige_decrypt, written once in
 * aes_vec.h over the primitives of aes_arm64ce.h.
 *
 * IGE is sequential in both directions: one block's 14 rounds are the
 * critical path, and the XORs that link consecutive blocks are folded into
 * the next block's first round key (mtc_aes_v_chain_* in aes_arm64ce.h), so
 * that path holds the AES instructions alone; the expected speed is
 * reasoned there (about 1.8 cycles a byte on Cortex-A76).
 */
#define MTC_AES_V_IGE
#include "aes_arm64ce.h"
