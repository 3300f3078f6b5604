/*
 * aes_x86ni_ctr.c: AES-256-CTR with AES-NI, eight blocks in flight:
 * mtc_x86ni_ctr_key and mtc_x86ni_ctr_blocks, written once in aes_vec.h
 * over the primitives of aes_x86ni.h.
 */
#define MTC_AES_V_CTR
#include "aes_x86ni.h"
