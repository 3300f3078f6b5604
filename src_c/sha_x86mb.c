/*
 * sha_x86mb.c: SHA256(prefix + message) of many messages side by side
 * with AVX-512, one message per 32-bit lane of 16 (multi-buffer hashing:
 * each round is one instruction sequence over all lanes).  MTProto's
 * batched encryption hashes every message for its msg_key before any AES
 * can start; one SHA-NI stream runs at about 1.8 GB/s on the CPUs this
 * was measured on, 16 lanes here at about 3.7 GB/s together.  A lane
 * whose message ends takes the next one; when fewer than MTC_MB_MIN lanes
 * have work left, they finish one at a time on SHA-NI from their state.
 *
 * Valgrind cannot run this file's kernels: they are argued constant-time,
 * instruction by instruction, in tests/c/ctgrind.c, which a change here
 * must keep true.
 */
#include "sha_x86ni.h"

#if MTC_X86

#define MTC_TARGET_MB \
    MTC_TARGET("sse2,ssse3,sse4.1,sha,avx,avx2,avx512f,avx512vl,avx512bw")
#define MTC_MB_INLINE MTC_INLINE MTC_TARGET_MB

#if MTC_MSVC
#include <intrin.h>
#define MTC_POPCOUNT(x) ((int)__popcnt(x)) /* every AVX-512 CPU has POPCNT */
#else
#define MTC_POPCOUNT(x) __builtin_popcount(x)
#endif

#define MTC_MB_LANES 16
/* Below this many busy lanes, a 16-lane step costs more than SHA-NI. */
#define MTC_MB_MIN 8

typedef struct {
    const uint8_t *data; /* the message after the prefix */
    size_t len;          /* its length, a multiple of 16 */
    size_t blocks;       /* blocks of prefix + message + padding */
    size_t next;         /* the next block to compress */
    size_t msg;          /* its index */
    /* Block 0 (the prefix and 32 bytes of message) and the last block
     * (the message's end and the padding), which are not in one piece
     * of memory. */
    MTC_ALIGN(64) uint8_t head[64];
    MTC_ALIGN(64) uint8_t tail[64];
} mtc_mb_lane;

/* Puts message i (data, len) in lane ln. */
static void mtc_mb_lane_start(mtc_mb_lane *ln, const uint8_t prefix[32],
                              const uint8_t *data, size_t len, size_t i)
{
    size_t total = 32 + len;

    ln->data = data;
    ln->len = len;
    ln->blocks = total / 64 + 1;
    ln->next = 0;
    ln->msg = i;
    /* The last block: what is left of the message, 0x80, zeros and the
     * bit length (FIPS 180-4 5.1.1; total % 16 == 0 leaves at least 16
     * bytes for them). */
    size_t from = 64 * (ln->blocks - 1), rest = total - from;
    memset(ln->tail, 0, 64);
    if (ln->blocks == 1) {
        memcpy(ln->tail, prefix, 32);
        if (len != 0) {
            memcpy(ln->tail + 32, data, len);
        }
    } else {
        memcpy(ln->head, prefix, 32);
        memcpy(ln->head + 32, data, 32);
        if (rest != 0) {
            memcpy(ln->tail, data + from - 32, rest);
        }
    }
    ln->tail[rest] = 0x80;
    mtc_enc64be(ln->tail + 56, 8 * (uint64_t)total);
}

static const uint8_t *mtc_mb_block(const mtc_mb_lane *ln)
{
    if (ln->next + 1 == ln->blocks) {
        return ln->tail;
    }
    return ln->next == 0 ? ln->head : ln->data + 64 * ln->next - 32;
}

/* 16 x 16 words: row l (lane l's block) into column l (word t of all). */
MTC_MB_INLINE void mtc_mb_transpose(__m512i r[16])
{
    __m512i t[16];
    for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_epi32(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_epi32(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 4; i++) {
        r[4 * i] = _mm512_unpacklo_epi64(t[4 * i], t[4 * i + 2]);
        r[4 * i + 1] = _mm512_unpackhi_epi64(t[4 * i], t[4 * i + 2]);
        r[4 * i + 2] = _mm512_unpacklo_epi64(t[4 * i + 1], t[4 * i + 3]);
        r[4 * i + 3] = _mm512_unpackhi_epi64(t[4 * i + 1], t[4 * i + 3]);
    }
    for (int i = 0; i < 2; i++) {
        for (int j = 0; j < 4; j++) {
            t[8 * i + j] = _mm512_shuffle_i32x4(r[8 * i + j],
                                                r[8 * i + 4 + j], 0x88);
            t[8 * i + 4 + j] = _mm512_shuffle_i32x4(r[8 * i + j],
                                                    r[8 * i + 4 + j], 0xdd);
        }
    }
    for (int j = 0; j < 8; j++) {
        r[j] = _mm512_shuffle_i32x4(t[j], t[8 + j], 0x88);
        r[8 + j] = _mm512_shuffle_i32x4(t[j], t[8 + j], 0xdd);
    }
}

/*
 * One block of each lane (p[l]) into the states s[0..7] (word i of all
 * lanes in s[i]); lanes outside `busy` keep their state.
 */
MTC_MB_INLINE void mtc_mb_compress(__m512i s[8], const uint8_t *const p[16],
                                   __mmask16 busy)
{
    const __m512i bswap = _mm512_set4_epi32(0x0c0d0e0f, 0x08090a0b,
                                            0x04050607, 0x00010203);
    __m512i w[16];

    for (int l = 0; l < 16; l++) {
        w[l] = _mm512_shuffle_epi8(_mm512_loadu_si512((const void *)p[l]),
                                   bswap);
    }
    mtc_mb_transpose(w);
    __m512i a = s[0], b = s[1], c = s[2], d = s[3];
    __m512i e = s[4], f = s[5], g = s[6], h = s[7];
    for (int t = 0; t < 64; t++) {
        __m512i wt = w[t & 15];
        if (t >= 16) {
            /* FIPS 180-4 6.2.2 step 1, with 0x96 = three-way XOR. */
            __m512i w2 = w[(t - 2) & 15], w15 = w[(t - 15) & 15];
            __m512i s1 = _mm512_ternarylogic_epi32(
                _mm512_ror_epi32(w2, 17), _mm512_ror_epi32(w2, 19),
                _mm512_srli_epi32(w2, 10), 0x96);
            __m512i s0 = _mm512_ternarylogic_epi32(
                _mm512_ror_epi32(w15, 7), _mm512_ror_epi32(w15, 18),
                _mm512_srli_epi32(w15, 3), 0x96);
            wt = _mm512_add_epi32(_mm512_add_epi32(wt, s0),
                                  _mm512_add_epi32(w[(t - 7) & 15], s1));
            w[t & 15] = wt;
        }
        /* Step 3; 0xca = Ch(e, f, g), 0xe8 = Maj(a, b, c). */
        __m512i bs1 = _mm512_ternarylogic_epi32(
            _mm512_ror_epi32(e, 6), _mm512_ror_epi32(e, 11),
            _mm512_ror_epi32(e, 25), 0x96);
        __m512i ch = _mm512_ternarylogic_epi32(e, f, g, 0xca);
        __m512i t1 = _mm512_add_epi32(
            _mm512_add_epi32(h, bs1),
            _mm512_add_epi32(ch, _mm512_add_epi32(
                                     wt, _mm512_set1_epi32(
                                             (int)mtc_sha256_k[t]))));
        __m512i bs0 = _mm512_ternarylogic_epi32(
            _mm512_ror_epi32(a, 2), _mm512_ror_epi32(a, 13),
            _mm512_ror_epi32(a, 22), 0x96);
        __m512i maj = _mm512_ternarylogic_epi32(a, b, c, 0xe8);
        h = g;
        g = f;
        f = e;
        e = _mm512_add_epi32(d, t1);
        d = c;
        c = b;
        b = a;
        a = _mm512_add_epi32(t1, _mm512_add_epi32(bs0, maj));
    }
    s[0] = _mm512_mask_add_epi32(s[0], busy, s[0], a);
    s[1] = _mm512_mask_add_epi32(s[1], busy, s[1], b);
    s[2] = _mm512_mask_add_epi32(s[2], busy, s[2], c);
    s[3] = _mm512_mask_add_epi32(s[3], busy, s[3], d);
    s[4] = _mm512_mask_add_epi32(s[4], busy, s[4], e);
    s[5] = _mm512_mask_add_epi32(s[5], busy, s[5], f);
    s[6] = _mm512_mask_add_epi32(s[6], busy, s[6], g);
    s[7] = _mm512_mask_add_epi32(s[7], busy, s[7], h);
}

/* see inner.h */
MTC_TARGET_MB
void mtc_x86mb_sha256_prefixed_many(const uint8_t prefix[32],
                                    const uint8_t *const data[],
                                    const size_t len[], size_t count,
                                    uint8_t *out)
{
    static const MTC_ALIGN(64) uint8_t idle_block[64] = {0};
    mtc_mb_lane lanes[MTC_MB_LANES];
    MTC_ALIGN(64) uint32_t st[8][MTC_MB_LANES];
    const uint8_t *p[MTC_MB_LANES];
    __m512i s[8];
    __mmask16 busy = 0;
    size_t next = 0;

    for (int i = 0; i < 8; i++) {
        s[i] = _mm512_set1_epi32((int)mtc_sha256_iv[i]);
    }
    for (; next < count && next < MTC_MB_LANES; next++) {
        mtc_mb_lane_start(&lanes[next], prefix, data[next], len[next], next);
        busy |= (__mmask16)(1u << next);
    }
    while (next < count || MTC_POPCOUNT(busy) >= MTC_MB_MIN) {
        for (int l = 0; l < MTC_MB_LANES; l++) {
            p[l] = (busy >> l) & 1 ? mtc_mb_block(&lanes[l]) : idle_block;
        }
        mtc_mb_compress(s, p, busy);
        int stored = 0;
        for (int l = 0; l < MTC_MB_LANES; l++) {
            if (!((busy >> l) & 1) || ++lanes[l].next < lanes[l].blocks) {
                continue;
            }
            /* Lane l's message is done: its digest out, the next in. */
            if (!stored) {
                for (int i = 0; i < 8; i++) {
                    _mm512_store_si512((void *)st[i], s[i]);
                }
                stored = 1;
            }
            for (int i = 0; i < 8; i++) {
                mtc_enc32be(out + 32 * lanes[l].msg + 4 * i, st[i][l]);
            }
            busy &= (__mmask16)~(1u << l);
            if (next < count) {
                for (int i = 0; i < 8; i++) {
                    s[i] = _mm512_mask_mov_epi32(
                        s[i], (__mmask16)(1u << l),
                        _mm512_set1_epi32((int)mtc_sha256_iv[i]));
                }
                mtc_mb_lane_start(&lanes[l], prefix, data[next], len[next],
                                  next);
                next++;
                busy |= (__mmask16)(1u << l);
            }
        }
    }
    /* The few messages left finish on SHA-NI from their states. */
    for (int i = 0; i < 8; i++) {
        _mm512_store_si512((void *)st[i], s[i]);
    }
    for (int l = 0; l < MTC_MB_LANES; l++) {
        if ((busy >> l) & 1) {
            uint32_t h[8];
            __m128i abef, cdgh;
            for (int i = 0; i < 8; i++) {
                h[i] = st[i][l];
            }
            mtc_sha256_ni_load(h, &abef, &cdgh);
            mtc_sha256_v_prefixed_from(&abef, &cdgh, prefix, lanes[l].data,
                                       lanes[l].len, lanes[l].next,
                                       out + 32 * lanes[l].msg);
        }
    }
    mtc_memzero(lanes, sizeof lanes);
    mtc_memzero(st, sizeof st);
}

#endif /* MTC_X86 */
