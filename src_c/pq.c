/*
 * pq.c: factorization of the key exchange's pq
 * (core.telegram.org/mtproto/auth_key, step 2: a product of two distinct odd primes below 2^64) by Pollard's
 * rho with Brent's cycle finding (R. P. Brent, "An improved Monte Carlo
 * factorization algorithm", BIT 20, 1980): Montgomery multiplication
 * modulo pq, the differences of about a hundred steps multiplied together
 * before one gcd, and bounded work.  Deterministic Miller-Rabin (the seven
 * bases of J. Sinclair, which decide every n < 2^64) rejects a prime pq
 * and checks both factors.
 *
 * pq is public (the server sends it in clear), so none of this needs to
 * be constant-time.
 */
#include "inner.h"

/* The number of trailing zero bits of x != 0. */
static inline int mtc_ctz64(uint64_t x)
{
#if (defined(__GNUC__) || defined(__clang__)) && !defined(MTC_PORTABLE_C)
    return __builtin_ctzll(x);
#else
    int n = 0;
    for (; (x & 1) == 0; x >>= 1) {
        n++;
    }
    return n;
#endif
}

/* Arithmetic modulo an odd n in Montgomery form (R = 2^64). */
typedef struct {
    uint64_t n;
    uint64_t ninv; /* n^-1 mod 2^64 */
    uint64_t one;  /* R mod n */
    uint64_t r2;   /* R^2 mod n */
} mtc_mont;

/* a + b mod n; the sum can wrap around 2^64 only if wide (n >= 2^63). */
static inline uint64_t mtc_mod_add(uint64_t a, uint64_t b, uint64_t n,
                                   const int wide)
{
    uint64_t s = a + b;
    uint64_t over = wide ? (uint64_t)((s < a) | (s >= n)) : (s >= n);
    return s - (n & (0 - over));
}

static void mtc_mont_init(mtc_mont *m, uint64_t n)
{
    /* Newton's iteration: each step doubles the correct low bits; n is its
     * own inverse mod 8 (3 bits), so five steps give 96 >= 64. */
    uint64_t x = n;
    for (int i = 0; i < 5; i++) {
        x *= 2 - n * x;
    }
    m->n = n;
    m->ninv = x;
    /* R mod n = (R - n) mod n; R^2 mod n by doubling that 64 times. */
    m->one = (0 - n) % n;
    m->r2 = m->one;
    for (int i = 0; i < 64; i++) {
        m->r2 = mtc_mod_add(m->r2, m->r2, n, 1);
    }
}

/*
 * REDC(t) = t R^-1 mod n for t < n R: with u = t_lo * n^-1 mod 2^64, the
 * low words of t and u n are equal, so (t - u n) / R = t_hi - (u n)_hi,
 * in (-n, n).
 */
static inline uint64_t mtc_mont_mul(const mtc_mont *m, uint64_t a, uint64_t b)
{
    uint64_t lo, unlo;
    uint64_t hi = mtc_mul64(a, b, &lo);
    uint64_t u = lo * m->ninv;
    uint64_t un = mtc_mul64(u, m->n, &unlo);
    /* Masks, not branches: the comparisons are random, so a branch would
     * be mispredicted half the time (the walks' speed is this loop's). */
    return hi - un + (m->n & (0 - (uint64_t)(hi < un)));
}

static inline uint64_t mtc_mod_sub(uint64_t a, uint64_t b, uint64_t n)
{
    return a - b + (n & (0 - (uint64_t)(a < b)));
}

static uint64_t mtc_gcd(uint64_t a, uint64_t b)
{
    if (a == 0) {
        return b;
    }
    if (b == 0) {
        return a;
    }
    int shift = mtc_ctz64(a | b);
    a >>= mtc_ctz64(a);
    do {
        b >>= mtc_ctz64(b);
        if (a > b) {
            uint64_t t = a;
            a = b;
            b = t;
        }
        b -= a;
    } while (b != 0);
    return a << shift;
}

/* Whether the odd n > 2 passes the Miller-Rabin test to base a. */
static int mtc_mr_round(const mtc_mont *m, uint64_t a)
{
    uint64_t n = m->n, d = n - 1;
    int s = mtc_ctz64(d);
    d >>= s;
    a %= n;
    if (a == 0) {
        return 1;
    }
    uint64_t minus_one = n - m->one; /* -1 in Montgomery form */
    uint64_t x = m->one, b = mtc_mont_mul(m, a, m->r2);
    for (; d != 0; d >>= 1) {
        if (d & 1) {
            x = mtc_mont_mul(m, x, b);
        }
        b = mtc_mont_mul(m, b, b);
    }
    if (x == m->one || x == minus_one) {
        return 1;
    }
    for (int i = 1; i < s; i++) {
        x = mtc_mont_mul(m, x, x);
        if (x == minus_one) {
            return 1;
        }
    }
    return 0;
}

/* see mtc.h */
int mtc_is_prime_u64(uint64_t n)
{
    static const uint64_t bases[] = {
        2, 325, 9375, 28178, 450775, 9780504, 1795265022,
    };
    static const uint8_t small[] = {
        2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37,
    };
    mtc_mont m;

    if (n < 2) {
        return 0;
    }
    for (size_t i = 0; i < sizeof small; i++) {
        if (n % small[i] == 0) {
            return n == small[i];
        }
    }
    if (n < 41 * 41) {
        return 1;
    }
    mtc_mont_init(&m, n);
    for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
        if (!mtc_mr_round(&m, bases[i])) {
            return 0;
        }
    }
    return 1;
}

/* Steps between two gcds (Brent's m). */
#define MTC_RHO_BATCH 256
/* Walks run side by side (polynomials x^2 + c for MTC_RHO_WALKS c's). */
#define MTC_RHO_WALKS 4
/*
 * The cycle search gives up when Brent's r passes this (each walk then
 * has made about 2^21 steps, over ten times what a 32-bit factor takes;
 * the odds that all walks miss one are below e^-100) ...
 */
#define MTC_RHO_MAX_STEPS (1u << 20)
/* ... and on pq after this many sets of walks. */
#define MTC_RHO_MAX_TRIES 4

static inline uint64_t mtc_rho_f(const mtc_mont *m, uint64_t y, uint64_t c,
                                 const int wide)
{
    return mtc_mod_add(mtc_mont_mul(m, y, y), c, m->n, wide);
}

/*
 * A nontrivial factor of the odd composite n by Brent's rho, or 0 if none
 * was found within the bound.  MTC_RHO_WALKS walks f(x) = x^2 + c, each
 * with its own c (from c0 on), run side by side: their steps are
 * independent, so the CPU overlaps them, and the first walk to meet its
 * cycle ends the search.  Each walk multiplies its differences into its
 * own product; one gcd a batch takes the product of all of them.  wide
 * (n >= 2^63) is a constant in each inlined copy: below 2^63 a sum of two
 * residues cannot wrap, which saves a compare a step (10% here).
 */
MTC_INLINE uint64_t mtc_rho_walks(const mtc_mont *m, uint64_t c0,
                                  const int wide)
{
    enum { W = MTC_RHO_WALKS };
    uint64_t n = m->n, g = 1;
    uint64_t c[W], x[W], y[W], ys[W], acc[W];

    for (int j = 0; j < W; j++) {
        c[j] = mtc_mont_mul(m, c0 + (uint64_t)j, m->r2);
        y[j] = mtc_mont_mul(m, 2, m->r2);
        x[j] = ys[j] = y[j];
        acc[j] = m->one;
    }
    for (uint64_t r = 1; g == 1 && r <= MTC_RHO_MAX_STEPS; r <<= 1) {
        for (int j = 0; j < W; j++) {
            x[j] = y[j];
        }
        for (uint64_t i = 0; i < r; i++) {
            for (int j = 0; j < W; j++) {
                y[j] = mtc_rho_f(m, y[j], c[j], wide);
            }
        }
        for (uint64_t k = 0; k < r && g == 1; k += MTC_RHO_BATCH) {
            uint64_t steps = r - k < MTC_RHO_BATCH ? r - k : MTC_RHO_BATCH;
            for (int j = 0; j < W; j++) {
                ys[j] = y[j];
            }
            for (uint64_t i = 0; i < steps; i++) {
                for (int j = 0; j < W; j++) {
                    y[j] = mtc_rho_f(m, y[j], c[j], wide);
                    acc[j] = mtc_mont_mul(m, acc[j], mtc_mod_sub(x[j], y[j], n));
                }
            }
            /* The products are in Montgomery form: times powers of R,
             * which is prime to n, so the gcd is that of the plain one. */
            uint64_t all = acc[0];
            for (int j = 1; j < W; j++) {
                all = mtc_mont_mul(m, all, acc[j]);
            }
            g = mtc_gcd(all, n);
        }
    }
    if (g == n) {
        /* A difference was 0 mod n in this batch (or the product of
         * several walks' became): redo each walk's batch one gcd a step. */
        for (int j = 0; j < W; j++) {
            uint64_t t = ys[j];
            g = 1;
            for (uint64_t i = 0; g == 1 && i < MTC_RHO_BATCH; i++) {
                t = mtc_rho_f(m, t, c[j], wide);
                g = mtc_gcd(mtc_mod_sub(x[j], t, n), n);
            }
            if (g != 1 && g != n) {
                return g;
            }
        }
    }
    return g == 1 || g == n ? 0 : g;
}

static uint64_t mtc_rho(const mtc_mont *m, uint64_t c0)
{
    return m->n >> 63 ? mtc_rho_walks(m, c0, 1) : mtc_rho_walks(m, c0, 0);
}

/* The integer square root of n (the largest r with r * r <= n). */
static uint64_t mtc_isqrt(uint64_t n)
{
    if (n < 2) {
        return n;
    }
    /* Newton's iteration from 2^ceil(bits / 2) >= sqrt(n) falls to it. */
    int bits = 0;
    for (uint64_t t = n; t != 0; t >>= 1) {
        bits++;
    }
    uint64_t x = (uint64_t)1 << ((bits + 1) / 2);
    for (;;) {
        uint64_t y = (x + n / x) / 2;
        if (y >= x) {
            return x;
        }
        x = y;
    }
}

/* see mtc.h */
int mtc_factorize_pq(uint64_t pq, uint64_t *p, uint64_t *q)
{
    mtc_mont m;
    uint64_t f = 0;

    *p = 0;
    *q = 0;
    if (pq < 2) {
        return MTC_PQ_TOO_SMALL;
    }
    if (pq % 2 == 0) {
        return MTC_PQ_EVEN;
    }
    if (mtc_is_prime_u64(pq)) {
        return MTC_PQ_PRIME;
    }
    uint64_t root = mtc_isqrt(pq);
    if (root * root == pq) {
        return MTC_PQ_SQUARE;
    }
    mtc_mont_init(&m, pq);
    for (uint64_t t = 0; f == 0 && t < MTC_RHO_MAX_TRIES; t++) {
        f = mtc_rho(&m, 1 + MTC_RHO_WALKS * t);
    }
    if (f == 0) {
        return MTC_PQ_GAVE_UP;
    }
    uint64_t g = pq / f;
    if (f > g) {
        uint64_t t = f;
        f = g;
        g = t;
    }
    if (f == g || !mtc_is_prime_u64(f) || !mtc_is_prime_u64(g)) {
        return MTC_PQ_NOT_SEMIPRIME;
    }
    *p = f;
    *q = g;
    return MTC_PQ_OK;
}
