/*
 * aes_x86ni_cbc.c: AES-256-CBC with AES-NI: mtc_x86ni_cbc_encrypt
 * (sequential, the chaining XOR folded into the last round key, as in
 * IGE) and mtc_x86ni_cbc_decrypt (eight independent blocks at a time),
 * written once in aes_vec.h over the primitives of aes_x86ni.h.
 */
#define MTC_AES_V_CBC
#include "aes_x86ni.h"
