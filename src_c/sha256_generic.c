/*
 * sha256_generic.c: portable SHA-256 compression (FIPS 180-4 6.2.2).
 */
#include "inner.h"

/* see inner.h */
MTC_ALIGN(16) const uint32_t mtc_sha256_k[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u,
    0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
    0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u,
    0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
    0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu,
    0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
    0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u,
    0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
    0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u,
    0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
    0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u,
    0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
    0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u,
    0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u,
    0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

/* FIPS 180-4 4.1.2 (Maj with one AND fewer). */
#define CH(e, f, g) ((g) ^ ((e) & ((f) ^ (g))))
#define MAJ(a, b, c) (((a) & (b)) | ((c) & ((a) | (b))))
#define BSIG0(x) (ROR(x, 2) ^ ROR(x, 13) ^ ROR(x, 22))
#define BSIG1(x) (ROR(x, 6) ^ ROR(x, 11) ^ ROR(x, 25))
#define SSIG0(x) (ROR(x, 7) ^ ROR(x, 18) ^ ((x) >> 3))
#define SSIG1(x) (ROR(x, 17) ^ ROR(x, 19) ^ ((x) >> 10))

/*
 * Schedule word t (a constant, so the test folds away): loaded for
 * t < 16, else SSIG1(w[t-2]) + w[t-7] + SSIG0(w[t-15]) + w[t-16] stored
 * over w[t-16].
 */
#define W(t) \
    ((t) < 16 ? (w[(t) & 15] = mtc_dec32be(data + 4 * (t))) \
              : (w[(t) & 15] += SSIG1(w[((t) - 2) & 15]) + w[((t) - 7) & 15] \
                                + SSIG0(w[((t) - 15) & 15])))

/*
 * Round t with the working variables renamed instead of shifted: the
 * next round is ROUND(h, a, b, c, d, e, f, g, t + 1).  a..h index v.
 */
#define ROUND(a, b, c, d, e, f, g, h, t) \
    do { \
        uint32_t t1 = v[h] + BSIG1(v[e]) + CH(v[e], v[f], v[g]) \
                      + mtc_sha256_k[t] + W(t); \
        uint32_t t2 = BSIG0(v[a]) + MAJ(v[a], v[b], v[c]); \
        v[d] += t1; \
        v[h] = t1 + t2; \
    } while (0)

#define ROUNDS8(t) \
    do { \
        ROUND(a, b, c, d, e, f, g, h, (t)); \
        ROUND(h, a, b, c, d, e, f, g, (t) + 1); \
        ROUND(g, h, a, b, c, d, e, f, (t) + 2); \
        ROUND(f, g, h, a, b, c, d, e, (t) + 3); \
        ROUND(e, f, g, h, a, b, c, d, (t) + 4); \
        ROUND(d, e, f, g, h, a, b, c, (t) + 5); \
        ROUND(c, d, e, f, g, h, a, b, (t) + 6); \
        ROUND(b, c, d, e, f, g, h, a, (t) + 7); \
    } while (0)

/* The 64 rounds on the working variables v[0..7] (a..h). */
MTC_INLINE void sha256_rounds(uint32_t v[8], uint32_t w[16],
                              const uint8_t *data)
{
    enum { a, b, c, d, e, f, g, h };

    ROUNDS8(0);
    ROUNDS8(8);
    ROUNDS8(16);
    ROUNDS8(24);
    ROUNDS8(32);
    ROUNDS8(40);
    ROUNDS8(48);
    ROUNDS8(56);
}

/* see inner.h */
void mtc_generic_sha256_blocks(uint32_t state[8], const uint8_t *data,
                               size_t nblocks)
{
    mtc_sha_generic_blocks(state, 8, data, nblocks, sha256_rounds);
}
