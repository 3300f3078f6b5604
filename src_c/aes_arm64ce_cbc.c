/*
 * aes_arm64ce_cbc.c: AES-256-CBC with the ARMv8 Crypto Extensions:
 * mtc_arm64ce_cbc_encrypt (sequential, the chaining XOR folded into the
 * next block's first round key, as in IGE) and mtc_arm64ce_cbc_decrypt
 * (eight independent blocks at a time), written once in aes_vec.h over the
 * primitives of aes_arm64ce.h (the speed of both is reasoned there).
 */
#define MTC_AES_V_CBC
#include "aes_arm64ce.h"
