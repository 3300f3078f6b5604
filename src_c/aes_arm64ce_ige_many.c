/*
 * aes_arm64ce_ige_many.c: AES-256-IGE over many independent messages at
 * once with the ARMv8 Crypto Extensions.  One message cannot go faster
 * than its chain of AES rounds (aes_arm64ce_ige.c), but eight messages'
 * chains interleave, so the AES units work on eight blocks at a time, as
 * in CTR (the speed is reasoned in aes_arm64ce.h).  The lanes' round keys
 * do not fit in the 32 vector registers beside their states: each round
 * loads them, on the load pipelines, beside the AES ones.  The lanes are
 * scheduled by mtc_ige_many_lanes (aes_select.c).
 */
#include "aes_arm64ce.h"

#if MTC_ARM64

/* One lane's job state. */
typedef struct {
    uint8x16_t k[15];     /* the job's round keys (decryption keys to decrypt) */
    uint8x16_t x, y;      /* previous block XORed in before / after AES */
} mtc_ce_lane;

/* Starts job j in lane l (see mtc_ige_lane_ops). */
MTC_TARGET_ARMCE
static void mtc_ce_lane_start(void *lanes, int l, const mtc_ige_job *j,
                              int decrypt)
{
    mtc_ce_lane *lane = (mtc_ce_lane *)lanes + l;

    /* encrypt: c_i = E(p_i ^ c_{i-1}) ^ p_{i-1};
     * decrypt: p_i = D(c_i ^ p_{i-1}) ^ c_{i-1} */
    if (decrypt) {
        mtc_ce_keys(lane->k, j->key, 1);
        lane->x = vld1q_u8(j->iv + 16);
        lane->y = vld1q_u8(j->iv);
    } else {
        mtc_ce_keys(lane->k, j->key, 0);
        lane->x = vld1q_u8(j->iv);
        lane->y = vld1q_u8(j->iv + 16);
    }
}

/*
 * Every lane for steps blocks; decrypt is a constant at both call sites.
 * A block's input goes into its first round key, so the chain from one
 * block to the next holds a single XOR (of k14 and y).
 */
MTC_CE_INLINE void mtc_ce_lanes_run(mtc_ce_lane *lanes,
                                    const mtc_ige_slot *slots, size_t steps,
                                    const int decrypt)
{
    for (size_t i = 0; i < steps; i++) {
        uint8x16_t s[MTC_IGE_LANES], in[MTC_IGE_LANES];
        for (int l = 0; l < MTC_IGE_LANES; l++) {
            /* An idle lane runs on zeros and stores nothing. */
            in[l] = slots[l].left ? vld1q_u8(slots[l].in + 16 * i)
                                  : vdupq_n_u8(0);
            uint8x16_t k0 = veorq_u8(lanes[l].k[0], in[l]);
            s[l] = decrypt ? vaesimcq_u8(vaesdq_u8(lanes[l].x, k0))
                           : vaesmcq_u8(vaeseq_u8(lanes[l].x, k0));
        }
        for (int r = 1; r < 13; r++) {
            for (int l = 0; l < MTC_IGE_LANES; l++) {
                s[l] = decrypt
                    ? vaesimcq_u8(vaesdq_u8(s[l], lanes[l].k[r]))
                    : vaesmcq_u8(vaeseq_u8(s[l], lanes[l].k[r]));
            }
        }
        for (int l = 0; l < MTC_IGE_LANES; l++) {
            s[l] = decrypt ? vaesdq_u8(s[l], lanes[l].k[13])
                           : vaeseq_u8(s[l], lanes[l].k[13]);
            s[l] = veorq_u8(s[l], veorq_u8(lanes[l].k[14], lanes[l].y));
            lanes[l].x = s[l];
            lanes[l].y = in[l];
            if (slots[l].left) {
                vst1q_u8(slots[l].out + 16 * i, s[l]);
            }
        }
    }
}

MTC_TARGET_ARMCE
static void mtc_ce_lanes_run_either(void *lanes, const mtc_ige_slot *slots,
                                    size_t steps, int decrypt)
{
    if (decrypt) {
        mtc_ce_lanes_run((mtc_ce_lane *)lanes, slots, steps, 1);
    } else {
        mtc_ce_lanes_run((mtc_ce_lane *)lanes, slots, steps, 0);
    }
}

/* The rest of lane l's job on the one-stream kernel. */
MTC_TARGET_ARMCE
static void mtc_ce_lane_finish(void *lanes, int l, const mtc_ige_slot *slot,
                               int decrypt)
{
    const mtc_ce_lane *lane = (const mtc_ce_lane *)lanes + l;
    uint8_t iv[32];

    vst1q_u8(iv, decrypt ? lane->y : lane->x);
    vst1q_u8(iv + 16, decrypt ? lane->x : lane->y);
    if (decrypt) {
        mtc_arm64ce_ige_decrypt(slot->job->key, iv, slot->in, slot->out,
                                16 * slot->left);
    } else {
        mtc_arm64ce_ige_encrypt(slot->job->key, iv, slot->in, slot->out,
                                16 * slot->left);
    }
    mtc_memzero(iv, sizeof iv);
}

/* see inner.h */
void mtc_arm64ce_ige_many(int decrypt, const mtc_ige_job *jobs, size_t count)
{
    static const mtc_ige_lane_ops ops = {
        .start = mtc_ce_lane_start,
        .run = mtc_ce_lanes_run_either,
        .finish = mtc_ce_lane_finish,
    };
    mtc_ce_lane lanes[MTC_IGE_LANES];

    memset(lanes, 0, sizeof lanes);
    mtc_ige_many_lanes(&ops, lanes, decrypt, jobs, count);
    mtc_memzero(lanes, sizeof lanes);
}

#endif /* MTC_ARM64 */
