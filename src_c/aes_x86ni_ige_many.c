/*
 * aes_x86ni_ige_many.c: AES-256-IGE over many independent messages at
 * once with AES-NI (mtc_x86ni_ige_many, written once in aes_vec.h over the
 * primitives of aes_x86ni.h).  One message cannot go faster than its chain
 * of AES rounds, but eight messages' chains interleave, so the AES unit
 * works on eight blocks at a time (as in CTR) instead of waiting on one.
 * The lanes are scheduled by mtc_ige_many_lanes (aes_select.c).
 */
#define MTC_AES_V_IGE_MANY
#include "aes_x86ni.h"
