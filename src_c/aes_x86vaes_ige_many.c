/*
 * aes_x86vaes_ige_many.c: AES-256-IGE over many independent messages with
 * VAES on 512-bit registers: each register carries four messages (one per
 * 128-bit lane, each lane with its own round keys), and four registers
 * run side by side so that the AES unit rarely waits on one chain.
 *
 * Valgrind cannot run this file's kernels: they are argued constant-time,
 * instruction by instruction, in tests/c/ctgrind.c, which a change here
 * must keep true.
 */
#include "aes_x86ni.h"

#if MTC_X86

/*
 * Four registers of four lanes: 16 messages in flight.  The AES unit is
 * about full with four: each register more adds its own time per step (so
 * eight registers, 32 lanes, measured slower on 32 x 64 KiB).  Batches of
 * 17 to 24 messages still run in one pass on five or six registers, which
 * beats a second pass for the last few on AES-NI (20 x 64 KiB: 207 ->
 * 140 us).
 */
#define MTC_VAES_GROUPS 4
#define MTC_VAES_GROUPS_MAX 6
#define MTC_VAES_LANES_MAX (4 * MTC_VAES_GROUPS_MAX)

/*
 * Where idle lanes read from and write to: MTC_VAES_IDLE_STEPS blocks, so
 * a run with an idle lane is at most that many steps.
 */
#define MTC_VAES_IDLE_STEPS 64
/*
 * Lanes start some steps apart.  Buffers from mmap (every large bytes
 * object) share their address mod 4096, so lanes in lockstep would load
 * and store 32 addresses with the same low 12 bits each step: L1 set
 * conflicts and 4K-aliasing stalls (16 x 512 KiB: 4.3 GB/s; one step
 * apart: 9.5 GB/s).  Jobs of 16 to 64 KiB start one step apart; on
 * shorter ones any ramp costs more than it saves.  Jobs of 64 KiB or more
 * start 1 to MTC_VAES_SPREAD steps apart, each lane at the delay that puts
 * its input and output furthest, mod 4096, from the streams of the lanes
 * before it (mtc_vaes_plan).  In C, over eight layouts of 16 x 512 KiB
 * and 32 x 64 KiB (all at one offset mod 4096 as from mmap, inputs and
 * outputs packed one after another as on the heap, others), the worst
 * layout ran at 9.7 GB/s one step apart and 9.1 twelve steps apart, for
 * which a layout's streams collide, and at 11.4 planned.
 */
#define MTC_VAES_STAGGER_MIN 1024  /* blocks: 16 KiB */
#define MTC_VAES_SPREAD_MIN 4096   /* blocks: 64 KiB */
#define MTC_VAES_SPREAD 16
typedef struct {
    MTC_ALIGN(64) uint8_t scratch[16 * MTC_VAES_IDLE_STEPS];
} mtc_vaes_idle;

typedef struct {
    /* Round keys: keys[g][r] holds round r of the four lanes of group g. */
    __m512i keys[MTC_VAES_GROUPS_MAX][15];
    __m128i x[MTC_VAES_LANES_MAX];  /* XORed in before AES */
    __m128i y[MTC_VAES_LANES_MAX];  /* XORed in after AES */
    const uint8_t *in[MTC_VAES_LANES_MAX];
    uint8_t *out[MTC_VAES_LANES_MAX];
    int idle[MTC_VAES_LANES_MAX];
    size_t left[MTC_VAES_LANES_MAX]; /* blocks to do; 0 when idle */
    const mtc_ige_job *job[MTC_VAES_LANES_MAX];
} mtc_vaes_lanes;

#define MTC_VAES_INLINE MTC_INLINE MTC_TARGET_VAES

/* Puts job j (or nothing, j == NULL) in lane l. */
MTC_VAES_INLINE void mtc_vaes_lane_start(mtc_vaes_lanes *ls,
                                         mtc_vaes_idle *idle, size_t l,
                                         const mtc_ige_job *j, int decrypt)
{
    __m128i rk[15], dk[15];
    const __m128i *use = rk;
    uint8_t *slot = (uint8_t *)ls->keys[l / 4] + 16 * (l % 4);

    ls->job[l] = j;
    if (j == NULL || j->len == 0) {
        ls->in[l] = idle->scratch;
        ls->out[l] = idle->scratch;
        ls->idle[l] = 1;
        ls->left[l] = 0;
        return;
    }
    mtc_ni_key_enc(rk, j->key);
    if (decrypt) {
        mtc_ni_key_dec(dk, rk);
        use = dk;
    }
    for (int r = 0; r < 15; r++) {
        mtc_ni_store(slot + 64 * r, use[r]);
    }
    mtc_ni_wipe(rk, 15);
    mtc_ni_wipe(dk, 15);
    /* Encrypt: c_i = E(p_i ^ c_{i-1}) ^ p_{i-1}; decrypt: p_i =
     * D(c_i ^ p_{i-1}) ^ c_{i-1}; c_0 = iv[0:16], p_0 = iv[16:32]. */
    ls->x[l] = mtc_ni_load(j->iv + (decrypt ? 16 : 0));
    ls->y[l] = mtc_ni_load(j->iv + (decrypt ? 0 : 16));
    ls->in[l] = j->in;
    ls->out[l] = j->out;
    ls->idle[l] = 0;
    ls->left[l] = j->len / 16;
}

/* Loads the block at offset off of each of the four lanes of group g. */
MTC_VAES_INLINE __m512i mtc_vaes_gather(const mtc_vaes_lanes *ls, size_t g,
                                        size_t off)
{
    __m512i v = _mm512_castsi128_si512(mtc_ni_load(ls->in[4 * g] + off));
    v = _mm512_inserti32x4(v, mtc_ni_load(ls->in[4 * g + 1] + off), 1);
    v = _mm512_inserti32x4(v, mtc_ni_load(ls->in[4 * g + 2] + off), 2);
    return _mm512_inserti32x4(v, mtc_ni_load(ls->in[4 * g + 3] + off), 3);
}

/*
 * Stores lane i of v straight from the register (the store form of
 * VEXTRACTI32X4 takes no shuffle port; GCC and Clang emit the register
 * form and a separate store).  MSVC has no inline assembly on x64: there
 * the intrinsic.
 */
#if MTC_MSVC
#define MTC_VAES_STORE_LANE(p, v, i) \
    mtc_ni_store((p), _mm512_extracti32x4_epi32((v), (i)))
#else
#define MTC_VAES_STORE_LANE(p, v, i) \
    __asm__ __volatile__("vextracti32x4 $" #i ", %1, %0" \
                         : "=m"(*(__m128i *)(void *)(p)) : "v"(v))
#endif

MTC_VAES_INLINE void mtc_vaes_scatter(const mtc_vaes_lanes *ls, size_t g,
                                      size_t off, __m512i v)
{
    mtc_ni_store(ls->out[4 * g] + off, _mm512_castsi512_si128(v));
    MTC_VAES_STORE_LANE(ls->out[4 * g + 1] + off, v, 1);
    MTC_VAES_STORE_LANE(ls->out[4 * g + 2] + off, v, 2);
    MTC_VAES_STORE_LANE(ls->out[4 * g + 3] + off, v, 3);
}

/* One step of all lanes of groups: out = AES(in ^ x) ^ y; x = out; y = in. */
MTC_VAES_INLINE void mtc_vaes_step(const mtc_vaes_lanes *ls, const int decrypt,
                                   const size_t groups, size_t off,
                                   __m512i *x, __m512i *y)
{
    __m512i s[MTC_VAES_GROUPS_MAX], in[MTC_VAES_GROUPS_MAX];

    for (size_t g = 0; g < groups; g++) {
        in[g] = mtc_vaes_gather(ls, g, off);
        /* in ^ x ^ round key 0 */
        s[g] = _mm512_ternarylogic_epi64(in[g], x[g], ls->keys[g][0], 0x96);
    }
    for (int r = 1; r < 14; r++) {
        for (size_t g = 0; g < groups; g++) {
            s[g] = decrypt ? _mm512_aesdec_epi128(s[g], ls->keys[g][r])
                           : _mm512_aesenc_epi128(s[g], ls->keys[g][r]);
        }
    }
    for (size_t g = 0; g < groups; g++) {
        s[g] = decrypt
            ? _mm512_aesdeclast_epi128(s[g], ls->keys[g][14])
            : _mm512_aesenclast_epi128(s[g], ls->keys[g][14]);
        x[g] = _mm512_xor_si512(s[g], y[g]);
        y[g] = in[g];
        mtc_vaes_scatter(ls, g, off, x[g]);
    }
}

/* Runs all lanes of groups (a constant at each call site) for steps blocks. */
MTC_VAES_INLINE void mtc_vaes_run(mtc_vaes_lanes *ls, const int decrypt,
                                  const size_t groups, size_t steps)
{
    __m512i x[MTC_VAES_GROUPS_MAX], y[MTC_VAES_GROUPS_MAX];
    for (size_t g = 0; g < groups; g++) {
        x[g] = _mm512_loadu_si512((const void *)&ls->x[4 * g]);
        y[g] = _mm512_loadu_si512((const void *)&ls->y[4 * g]);
    }
    for (size_t off = 0; off < 16 * steps; off += 16) {
        mtc_vaes_step(ls, decrypt, groups, off, x, y);
    }
    for (size_t g = 0; g < groups; g++) {
        _mm512_storeu_si512((void *)&ls->x[4 * g], x[g]);
        _mm512_storeu_si512((void *)&ls->y[4 * g], y[g]);
    }
    for (size_t l = 0; l < 4 * groups; l++) {
        if (!ls->idle[l]) {
            ls->in[l] += 16 * steps;
            ls->out[l] += 16 * steps;
            ls->left[l] -= steps;
        }
    }
}

/* The distance of a and b mod 4096. */
static inline uint32_t mtc_vaes_distance(uint32_t a, uint32_t b)
{
    uint32_t d = (a - b) & 4095;
    return d < 4096 - d ? d : 4096 - d;
}

/*
 * The step at which each lane opens (lane j takes job j of the first
 * jobs, as the lanes open in order); see MTC_VAES_SPREAD_MIN.
 */
static void mtc_vaes_plan(const mtc_ige_job *jobs, size_t first,
                          size_t lanes, size_t start[])
{
    uint32_t seen[2 * MTC_VAES_LANES_MAX];
    size_t nseen = 0, shortest = SIZE_MAX;

    for (size_t j = 0; j < first; j++) {
        shortest = jobs[j].len / 16 < shortest ? jobs[j].len / 16 : shortest;
    }
    for (size_t l = 0; l < lanes; l++) {
        start[l] = shortest < MTC_VAES_STAGGER_MIN ? 0
                   : l < first ? l : first - 1;
    }
    if (shortest < MTC_VAES_SPREAD_MIN) {
        return;
    }
    for (size_t j = 0; j < first; j++) {
        /* Where the job's streams are, mod 4096, when lane 0 is at its
         * start: a lane opened s steps later is 16 * s bytes behind. */
        uint32_t in = (uint32_t)(uintptr_t)jobs[j].in;
        uint32_t out = (uint32_t)(uintptr_t)jobs[j].out;
        size_t best = 0;
        uint32_t best_gap = 0;
        /* Lane 0 opens at once, lane j 1 to MTC_VAES_SPREAD steps after
         * lane j - 1. */
        for (size_t d = 1; j > 0 && d <= MTC_VAES_SPREAD; d++) {
            size_t s = start[j - 1] + d;
            uint32_t a = in - 16 * (uint32_t)s, b = out - 16 * (uint32_t)s;
            uint32_t gap = 4096;
            for (size_t k = 0; k < nseen; k++) {
                uint32_t ga = mtc_vaes_distance(a, seen[k]);
                uint32_t gb = mtc_vaes_distance(b, seen[k]);
                gap = ga < gap ? ga : gap;
                gap = gb < gap ? gb : gap;
            }
            if (best == 0 || gap > best_gap) {
                best = s;
                best_gap = gap;
            }
        }
        start[j] = best;
        seen[nseen++] = (in - 16 * (uint32_t)best) & 4095;
        seen[nseen++] = (out - 16 * (uint32_t)best) & 4095;
    }
    for (size_t l = first; l < lanes; l++) {
        start[l] = start[first - 1];
    }
}

/* The batch loop over `groups` registers (a constant at each call site). */
MTC_VAES_INLINE void mtc_vaes_ige_many(const int decrypt, const size_t groups,
                                       const mtc_ige_job *jobs, size_t count,
                                       mtc_vaes_lanes *ls,
                                       mtc_vaes_idle *idle)
{
    size_t next = 0, lanes = 4 * groups, elapsed = 0;
    size_t first = count < lanes ? count : lanes;
    size_t start[MTC_VAES_LANES_MAX];

    for (size_t l = 0; l < lanes; l++) {
        mtc_vaes_lane_start(ls, idle, l, NULL, decrypt);
    }
    mtc_vaes_plan(jobs, first, lanes, start);
    for (;;) {
        size_t busy = 0, steps = SIZE_MAX, wait = SIZE_MAX;
        for (size_t l = 0; l < lanes; l++) {
            if (start[l] > elapsed) {
                /* Not open yet (idle). */
                wait = start[l] - elapsed < wait ? start[l] - elapsed : wait;
                continue;
            }
            /* A lane whose job is done takes the next, or goes idle. */
            while (ls->left[l] == 0 && next < count) {
                mtc_vaes_lane_start(ls, idle, l, &jobs[next++], decrypt);
            }
            if (ls->left[l] == 0 && !ls->idle[l]) {
                mtc_vaes_lane_start(ls, idle, l, NULL, decrypt);
            }
            if (ls->left[l] != 0) {
                busy++;
                steps = ls->left[l] < steps ? ls->left[l] : steps;
            }
        }
        if (busy < lanes && steps > MTC_VAES_IDLE_STEPS) {
            steps = MTC_VAES_IDLE_STEPS;
        }
        if (steps > wait) {
            steps = wait;
        }
        /* A quarter full or less: the AES-NI lanes do better. */
        if (4 * busy <= lanes && wait == SIZE_MAX) {
            break;
        }
        mtc_vaes_run(ls, decrypt, groups, steps);
        elapsed += steps;
    }
    /* Hand the unfinished jobs, as (shortened) jobs, to AES-NI. */
    mtc_ige_job rest[MTC_VAES_LANES_MAX];
    uint8_t ivs[MTC_VAES_LANES_MAX][32];
    size_t nrest = 0;
    for (size_t l = 0; l < lanes; l++) {
        if (ls->left[l] != 0) {
            __m128i c = decrypt ? ls->y[l] : ls->x[l];
            __m128i p = decrypt ? ls->x[l] : ls->y[l];
            mtc_ni_store(ivs[nrest], c);
            mtc_ni_store(ivs[nrest] + 16, p);
            rest[nrest].key = ls->job[l]->key;
            rest[nrest].iv = ivs[nrest];
            rest[nrest].in = ls->in[l];
            rest[nrest].out = ls->out[l];
            rest[nrest].len = 16 * ls->left[l];
            nrest++;
        }
    }
    mtc_x86ni_ige_many(decrypt, rest, nrest);
    if (next < count) {
        mtc_x86ni_ige_many(decrypt, jobs + next, count - next);
    }
    mtc_memzero(ivs, sizeof ivs);
}

/* see inner.h */
MTC_TARGET_VAES
void mtc_x86vaes_ige_many(int decrypt, const mtc_ige_job *jobs, size_t count)
{
    mtc_vaes_lanes *ls;
    mtc_vaes_idle idle;
    /* The lane table is large (about 5 KiB of round keys): on the heap
     * would need a failure path, so it lives on this stack frame. */
    mtc_vaes_lanes table;

    if (count < 12) {
        mtc_x86ni_ige_many(decrypt, jobs, count);
        return;
    }
    ls = &table;
    memset(&idle, 0, sizeof idle);
    /* The group count is a constant in each inlined copy. */
#define MTC_VAES_CASE(g) \
    case g: \
        if (decrypt) { \
            mtc_vaes_ige_many(1, g, jobs, count, ls, &idle); \
        } else { \
            mtc_vaes_ige_many(0, g, jobs, count, ls, &idle); \
        } \
        break
    switch (count > 16 && count <= 24 ? (count + 3) / 4 : MTC_VAES_GROUPS) {
    MTC_VAES_CASE(5);
    MTC_VAES_CASE(6);
    default:
    MTC_VAES_CASE(MTC_VAES_GROUPS);
    }
#undef MTC_VAES_CASE
    mtc_memzero(ls, sizeof *ls);
    mtc_memzero(&idle, sizeof idle);
}

#endif /* MTC_X86 */
