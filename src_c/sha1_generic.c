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
 * next round is ROUND(f, k, e, a, b, c, d, t + 1).  a..e index v.
 */
#define ROUND(f, k, a, b, c, d, e, t) \
    do { \
        v[e] += ROL(v[a], 5) + f(v[b], v[c], v[d]) + (k) + W(t); \
        v[b] = ROL(v[b], 30); \
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

/* The 80 rounds on the working variables v[0..4] (a..e). */
MTC_INLINE void sha1_rounds(uint32_t v[8], uint32_t w[16],
                            const uint8_t *data)
{
    enum { a, b, c, d, e };

    ROUNDS20(F_CH, 0x5a827999u, 0);
    ROUNDS20(F_PAR, 0x6ed9eba1u, 20);
    ROUNDS20(F_MAJ, 0x8f1bbcdcu, 40);
    ROUNDS20(F_PAR, 0xca62c1d6u, 60);
}

/* see inner.h */
void mtc_generic_sha1_blocks(uint32_t state[5], const uint8_t *data,
                             size_t nblocks)
{
    mtc_sha_generic_blocks(state, 5, data, nblocks, sha1_rounds);
}
