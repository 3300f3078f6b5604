/*
 * sha1_generic.c: portable SHA-1 compression (FIPS 180-4 6.1.2), fully unrolled
 * over a 16-word rolling message schedule.
 */
#include "inner.h"

#define ROL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))

/* FIPS 180-4 4.1.1: Ch, Parity, Maj (Maj with one AND fewer). */
#define F_CH(b, c, d) ((d) ^ ((b) & ((c) ^ (d))))
#define F_PAR(b, c, d) ((b) ^ (c) ^ (d))
#define F_MAJ(b, c, d) (((b) & (c)) | ((d) & ((b) | (c))))

/*
 * Schedule word t (a constant, so the test folds away): loaded for
 * t < 16, else ROL1(w[t-3] ^ w[t-8] ^ w[t-14] ^ w[t-16]) stored over
 * w[t-16].
 */
#define W(t) \
    ((t) < 16 ? (w[(t) & 15] = mtc_dec32be(data + 4 * (t))) \
              : (w[(t) & 15] = ROL(w[((t) - 3) & 15] ^ w[((t) - 8) & 15] \
                                   ^ w[((t) - 14) & 15] ^ w[(t) & 15], 1)))

/*
 * Round t with the working variables renamed instead of shifted: the
 * next round is ROUND(f, k, e, a, b, c, d, t + 1).
 */
#define ROUND(f, k, a, b, c, d, e, t) \
    do { \
        (e) += ROL(a, 5) + f(b, c, d) + (k) + W(t); \
        (b) = ROL(b, 30); \
    } while (0)

#define ROUNDS5(f, k, t) \
    do { \
        ROUND(f, k, a, b, c, d, e, (t)); \
        ROUND(f, k, e, a, b, c, d, (t) + 1); \
        ROUND(f, k, d, e, a, b, c, (t) + 2); \
        ROUND(f, k, c, d, e, a, b, (t) + 3); \
        ROUND(f, k, b, c, d, e, a, (t) + 4); \
    } while (0)

#define ROUNDS20(f, k, t) \
    do { \
        ROUNDS5(f, k, (t)); \
        ROUNDS5(f, k, (t) + 5); \
        ROUNDS5(f, k, (t) + 10); \
        ROUNDS5(f, k, (t) + 15); \
    } while (0)

/* see inner.h */
void mtc_generic_sha1_blocks(uint32_t state[5], const uint8_t *data,
                              size_t nblocks)
{
    uint32_t w[16];

    if (nblocks == 0) {
        return;
    }
    for (; nblocks > 0; nblocks--, data += 64) {
        uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
        uint32_t e = state[4];
        ROUNDS20(F_CH, 0x5a827999u, 0);
        ROUNDS20(F_PAR, 0x6ed9eba1u, 20);
        ROUNDS20(F_MAJ, 0x8f1bbcdcu, 40);
        ROUNDS20(F_PAR, 0xca62c1d6u, 60);
        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
    }
    mtc_memzero(w, sizeof w);
}
