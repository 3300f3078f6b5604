/*
 * aes_x86ni_ige_many.c: AES-256-IGE over many independent messages at
 * once with AES-NI.  One message cannot go faster than its chain of AES
 * rounds, but eight messages' chains interleave, so the AES unit works on
 * eight blocks at a time (as in CTR) instead of waiting on one.
 */
#include "aes_x86ni.h"

#if MTC_X86

#define MTC_LANES 8

/* One lane: the job it works on and that job's IGE state. */
typedef struct {
    __m128i rk[15];       /* the job's round keys (decryption keys to decrypt) */
    __m128i x, y;         /* previous block XORed in before / after AES */
    const mtc_ige_job *job;
    const uint8_t *in;
    uint8_t *out;
    size_t left;          /* blocks still to do; 0: the lane is idle */
} mtc_ige_lane;

/* Starts job j in lane l. */
MTC_NI_INLINE void mtc_lane_start(mtc_ige_lane *l, const mtc_ige_job *j,
                                  int decrypt)
{
    __m128i rk[15];
    mtc_ni_key_enc(rk, j->key);
    if (decrypt) {
        mtc_ni_key_dec(l->rk, rk);
        mtc_ni_wipe(rk, 15);
        /* p_i = D(c_i ^ p_{i-1}) ^ c_{i-1} */
        l->x = mtc_ni_load(j->iv + 16);
        l->y = mtc_ni_load(j->iv);
    } else {
        memcpy(l->rk, rk, sizeof rk);
        mtc_ni_wipe(rk, 15);
        /* c_i = E(p_i ^ c_{i-1}) ^ p_{i-1} */
        l->x = mtc_ni_load(j->iv);
        l->y = mtc_ni_load(j->iv + 16);
    }
    l->job = j;
    l->in = j->in;
    l->out = j->out;
    l->left = j->len / 16;
}

/* The batch loop; decrypt is a constant at both call sites. */
MTC_NI_INLINE void mtc_ni_ige_many(const int decrypt, const mtc_ige_job *jobs,
                                   size_t count)
{
    mtc_ige_lane lanes[MTC_LANES];
    size_t next = 0, busy = 0;

    memset(lanes, 0, sizeof lanes);
    for (;;) {
        /* Give idle lanes the next jobs (empty jobs need no lane). */
        for (int l = 0; l < MTC_LANES; l++) {
            while (lanes[l].left == 0 && next < count) {
                mtc_lane_start(&lanes[l], &jobs[next++], decrypt);
            }
        }
        busy = 0;
        for (int l = 0; l < MTC_LANES; l++) {
            busy += lanes[l].left != 0;
        }
        if (busy < 2) {
            break;
        }
        /* Run every lane until the first busy one finishes its job. */
        size_t steps = SIZE_MAX;
        for (int l = 0; l < MTC_LANES; l++) {
            if (lanes[l].left != 0 && lanes[l].left < steps) {
                steps = lanes[l].left;
            }
        }
        for (size_t i = 0; i < steps; i++) {
            __m128i s[MTC_LANES], in[MTC_LANES];
            for (int l = 0; l < MTC_LANES; l++) {
                /* An idle lane runs on zeros and stores nothing. */
                in[l] = lanes[l].left ? mtc_ni_load(lanes[l].in)
                                      : _mm_setzero_si128();
                s[l] = _mm_xor_si128(_mm_xor_si128(in[l], lanes[l].x),
                                     lanes[l].rk[0]);
            }
            for (int r = 1; r < 14; r++) {
                for (int l = 0; l < MTC_LANES; l++) {
                    s[l] = decrypt ? _mm_aesdec_si128(s[l], lanes[l].rk[r])
                                   : _mm_aesenc_si128(s[l], lanes[l].rk[r]);
                }
            }
            for (int l = 0; l < MTC_LANES; l++) {
                s[l] = decrypt ? _mm_aesdeclast_si128(s[l], lanes[l].rk[14])
                               : _mm_aesenclast_si128(s[l], lanes[l].rk[14]);
                s[l] = _mm_xor_si128(s[l], lanes[l].y);
                lanes[l].x = s[l];
                lanes[l].y = in[l];
                if (lanes[l].left) {
                    mtc_ni_store(lanes[l].out, s[l]);
                    lanes[l].in += 16;
                    lanes[l].out += 16;
                }
            }
        }
        for (int l = 0; l < MTC_LANES; l++) {
            if (lanes[l].left) {
                lanes[l].left -= steps;
            }
        }
    }
    /* At most one job is left: finish it on the one-stream kernel. */
    for (int l = 0; l < MTC_LANES; l++) {
        if (lanes[l].left != 0) {
            uint8_t iv[32];
            __m128i c0 = decrypt ? lanes[l].y : lanes[l].x;
            __m128i p0 = decrypt ? lanes[l].x : lanes[l].y;
            mtc_ni_store(iv, c0);
            mtc_ni_store(iv + 16, p0);
            const mtc_ige_job *j = lanes[l].job;
            if (decrypt) {
                mtc_x86ni_ige_decrypt(j->key, iv, lanes[l].in, lanes[l].out,
                                      16 * lanes[l].left);
            } else {
                mtc_x86ni_ige_encrypt(j->key, iv, lanes[l].in, lanes[l].out,
                                      16 * lanes[l].left);
            }
            mtc_memzero(iv, sizeof iv);
        }
    }
    mtc_memzero(lanes, sizeof lanes);
}

/* see inner.h */
MTC_TARGET_AESNI
void mtc_x86ni_ige_many(int decrypt, const mtc_ige_job *jobs, size_t count)
{
    if (decrypt) {
        mtc_ni_ige_many(1, jobs, count);
    } else {
        mtc_ni_ige_many(0, jobs, count);
    }
}

#endif /* MTC_X86 */
