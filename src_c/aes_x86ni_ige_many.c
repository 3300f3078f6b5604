/*
 * aes_x86ni_ige_many.c: AES-256-IGE over many independent messages at
 * once with AES-NI.  One message cannot go faster than its chain of AES
 * rounds, but eight messages' chains interleave, so the AES unit works on
 * eight blocks at a time (as in CTR) instead of waiting on one.  The lanes
 * are scheduled by mtc_ige_many_lanes (aes_select.c).
 */
#include "aes_x86ni.h"

#if MTC_X86

/* One lane's job state. */
typedef struct {
    __m128i rk[15];       /* the job's round keys (decryption keys to decrypt) */
    __m128i x, y;         /* previous block XORed in before / after AES */
} mtc_ni_lane;

/* Starts job j in lane l (see mtc_ige_lane_ops). */
MTC_TARGET_AESNI
static void mtc_ni_lane_start(void *lanes, int l, const mtc_ige_job *j,
                              int decrypt)
{
    mtc_ni_lane *lane = (mtc_ni_lane *)lanes + l;
    __m128i rk[15];

    mtc_ni_key_enc(rk, j->key);
    if (decrypt) {
        mtc_ni_key_dec(lane->rk, rk);
        /* p_i = D(c_i ^ p_{i-1}) ^ c_{i-1} */
        lane->x = mtc_ni_load(j->iv + 16);
        lane->y = mtc_ni_load(j->iv);
    } else {
        memcpy(lane->rk, rk, sizeof rk);
        /* c_i = E(p_i ^ c_{i-1}) ^ p_{i-1} */
        lane->x = mtc_ni_load(j->iv);
        lane->y = mtc_ni_load(j->iv + 16);
    }
    mtc_ni_wipe(rk, 15);
}

/* Every lane for steps blocks; decrypt is a constant at both call sites. */
MTC_NI_INLINE void mtc_ni_lanes_run(mtc_ni_lane *lanes,
                                    const mtc_ige_slot *slots, size_t steps,
                                    const int decrypt)
{
    for (size_t i = 0; i < steps; i++) {
        __m128i s[MTC_IGE_LANES], in[MTC_IGE_LANES];
        for (int l = 0; l < MTC_IGE_LANES; l++) {
            /* An idle lane runs on zeros and stores nothing. */
            in[l] = slots[l].left ? mtc_ni_load(slots[l].in + 16 * i)
                                  : _mm_setzero_si128();
            s[l] = _mm_xor_si128(_mm_xor_si128(in[l], lanes[l].x),
                                 lanes[l].rk[0]);
        }
        for (int r = 1; r < 14; r++) {
            for (int l = 0; l < MTC_IGE_LANES; l++) {
                s[l] = decrypt ? _mm_aesdec_si128(s[l], lanes[l].rk[r])
                               : _mm_aesenc_si128(s[l], lanes[l].rk[r]);
            }
        }
        for (int l = 0; l < MTC_IGE_LANES; l++) {
            s[l] = decrypt ? _mm_aesdeclast_si128(s[l], lanes[l].rk[14])
                           : _mm_aesenclast_si128(s[l], lanes[l].rk[14]);
            s[l] = _mm_xor_si128(s[l], lanes[l].y);
            lanes[l].x = s[l];
            lanes[l].y = in[l];
            if (slots[l].left) {
                mtc_ni_store(slots[l].out + 16 * i, s[l]);
            }
        }
    }
}

MTC_TARGET_AESNI
static void mtc_ni_lanes_run_either(void *lanes, const mtc_ige_slot *slots,
                                    size_t steps, int decrypt)
{
    if (decrypt) {
        mtc_ni_lanes_run((mtc_ni_lane *)lanes, slots, steps, 1);
    } else {
        mtc_ni_lanes_run((mtc_ni_lane *)lanes, slots, steps, 0);
    }
}

/* The rest of lane l's job on the one-stream kernel. */
MTC_TARGET_AESNI
static void mtc_ni_lane_finish(void *lanes, int l, const mtc_ige_slot *slot,
                               int decrypt)
{
    const mtc_ni_lane *lane = (const mtc_ni_lane *)lanes + l;
    uint8_t iv[32];

    mtc_ni_store(iv, decrypt ? lane->y : lane->x);
    mtc_ni_store(iv + 16, decrypt ? lane->x : lane->y);
    if (decrypt) {
        mtc_x86ni_ige_decrypt(slot->job->key, iv, slot->in, slot->out,
                              16 * slot->left);
    } else {
        mtc_x86ni_ige_encrypt(slot->job->key, iv, slot->in, slot->out,
                              16 * slot->left);
    }
    mtc_memzero(iv, sizeof iv);
}

/* see inner.h */
void mtc_x86ni_ige_many(int decrypt, const mtc_ige_job *jobs, size_t count)
{
    static const mtc_ige_lane_ops ops = {
        .start = mtc_ni_lane_start,
        .run = mtc_ni_lanes_run_either,
        .finish = mtc_ni_lane_finish,
    };
    mtc_ni_lane lanes[MTC_IGE_LANES];

    memset(lanes, 0, sizeof lanes);
    mtc_ige_many_lanes(&ops, lanes, decrypt, jobs, count);
    mtc_memzero(lanes, sizeof lanes);
}

#endif /* MTC_X86 */
