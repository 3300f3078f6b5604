/*
 * aes_arm64ce_ige_many.c: AES-256-IGE over many independent messages at
 * once with the ARMv8 Crypto Extensions (mtc_arm64ce_ige_many, written once
 * in aes_vec.h over the primitives of aes_arm64ce.h).  One message cannot
 * go faster than its chain of AES rounds (aes_arm64ce_ige.c), but eight
 * messages' chains interleave, so the AES units work on eight blocks at a
 * time, as in CTR (the speed is reasoned in aes_arm64ce.h).  The lanes'
 * round keys do not fit in the 32 vector registers beside their states:
 * each round loads them, on the load pipelines, beside the AES ones.  The
 * lanes are scheduled by mtc_ige_many_lanes (aes_select.c).
 */
#define MTC_AES_V_IGE_MANY
#include "aes_arm64ce.h"
