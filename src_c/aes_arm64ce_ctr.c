/*
 * aes_arm64ce_ctr.c: AES-256-CTR with the ARMv8 Crypto Extensions, eight
 * blocks in flight (the speed is reasoned in aes_arm64ce.h):
 * mtc_arm64ce_ctr_key and mtc_arm64ce_ctr_blocks, written once in
 * aes_vec.h over the primitives of aes_arm64ce.h.
 */
#define MTC_AES_V_CTR
#include "aes_arm64ce.h"
