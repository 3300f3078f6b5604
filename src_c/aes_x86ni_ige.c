/*
 * aes_x86ni_ige.c: AES-256-IGE with AES-NI: mtc_x86ni_ige_encrypt and
 * mtc_x86ni_ige_decrypt, written once in aes_vec.h over the primitives of
 * aes_x86ni.h.
 *
 * IGE is sequential in both directions, so one block's 14 rounds are the
 * critical path.  Everything else is kept off it by folding the XORs that
 * link consecutive blocks into the last round key: AESENCLAST(s, k) XORs k
 * into the result, so with k = rk14 ^ y_i ^ x_next ^ rk0 the last round
 * yields the next block's first-round input directly, and the output block
 * is recovered from it in parallel with the next block's rounds
 * (mtc_aes_v_chain_* in aes_x86ni.h).
 */
#define MTC_AES_V_IGE
#include "aes_x86ni.h"
