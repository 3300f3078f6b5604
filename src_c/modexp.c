/*
 * modexp.c: base^exp mod n for the key exchange's and SRP's 2048-bit
 * Diffie-Hellman (core.telegram.org/mtproto/auth_key, core.telegram.org/api/srp),
 * where exp is a secret exponent.
 *
 * Montgomery multiplication (P. L. Montgomery, "Modular multiplication
 * without trial division", Math. Comp. 44, 1985) in its coarsely integrated
 * operand scanning form (C. K. Koc, T. Acar, B. S. Kaliski, "Analyzing and
 * comparing Montgomery multiplication algorithms", IEEE Micro 16(3), 1996)
 * on 64-bit limbs, and a fixed window of 4 exponent bits: every window
 * costs four squarings and one multiplication, by an entry of a 16-entry
 * table that is read whole and masked, so neither the time nor any memory
 * address depends on the bits of exp or on the base.  The final
 * subtraction of each multiplication is a masked select too.
 *
 * The modulus and the lengths are public (they decide the loop counts);
 * the caller pads exp to a public length.
 */
#include "inner.h"

#define MTC_MODEXP_LIMBS (MTC_MODEXP_MAX_BYTES / 8)

#if defined(__GNUC__) || defined(__clang__)
#define MTC_RESTRICT __restrict__
#else
#define MTC_RESTRICT
#endif

/* Montgomery arithmetic modulo n (R = 2^(64 L)), with scratch space, so
 * that one mtc_memzero at the end clears every intermediate value. */
typedef struct {
    size_t L;                           /* limbs, least significant first */
    uint64_t n0;                        /* -n^-1 mod 2^64 */
    uint64_t n[MTC_MODEXP_LIMBS];
    uint64_t t[MTC_MODEXP_LIMBS + 1];   /* the product being reduced */
    uint64_t d[MTC_MODEXP_LIMBS];       /* t - n */
    uint64_t one[MTC_MODEXP_LIMBS];     /* R mod n: 1 in Montgomery form */
    uint64_t rr[MTC_MODEXP_LIMBS];      /* R^2 mod n */
    uint64_t acc[MTC_MODEXP_LIMBS];
    uint64_t sel[MTC_MODEXP_LIMBS];
    uint64_t table[16][MTC_MODEXP_LIMBS];
} mtc_mont_ctx;

/* a * b + c + d as a 128-bit value: returns the high word, *lo the low
 * (it cannot overflow: (2^64 - 1)^2 + 2 (2^64 - 1) = 2^128 - 1). */
MTC_INLINE uint64_t mtc_mac(uint64_t a, uint64_t b, uint64_t c, uint64_t d,
                            uint64_t *lo)
{
#if defined(__SIZEOF_INT128__) && !defined(MTC_PORTABLE_C)
    unsigned __int128 t = (unsigned __int128)a * b + c + d;
    *lo = (uint64_t)t;
    return (uint64_t)(t >> 64);
#else
    uint64_t l;
    uint64_t h = mtc_mul64(a, b, &l);
    l += c;
    h += (uint64_t)(l < c);
    l += d;
    h += (uint64_t)(l < d);
    *lo = l;
    return h;
#endif
}

/* r = a * b / R mod n, for a * b < R n; r may be a or b.  Per limb of
 * a: t += a[i] b, then t = (t + q n) / 2^64 with q chosen to clear the low
 * limb (t < 2n throughout, so one bit above its L limbs). */
MTC_INLINE void mtc_mont_mul(mtc_mont_ctx *m, uint64_t *r, const uint64_t *a,
                             const uint64_t *b, const size_t L)
{
    uint64_t *MTC_RESTRICT t = m->t;
    uint64_t *MTC_RESTRICT d = m->d;
    const uint64_t *MTC_RESTRICT n = m->n;
    const uint64_t n0 = m->n0;
    uint64_t c, lo, s, top, borrow, take;

    memset(t, 0, (L + 1) * sizeof *t);
    for (size_t i = 0; i < L; i++) {
        uint64_t ai = a[i], q;
        c = 0;
        for (size_t j = 0; j < L; j++) {
            c = mtc_mac(ai, b[j], t[j], c, &t[j]);
        }
        s = t[L] + c;
        top = (uint64_t)(s < c);
        t[L] = s;
        q = t[0] * n0;
        c = mtc_mac(q, n[0], t[0], 0, &lo); /* lo is 0 */
        for (size_t j = 1; j < L; j++) {
            c = mtc_mac(q, n[j], t[j], c, &t[j - 1]);
        }
        s = t[L] + c;
        t[L - 1] = s;
        t[L] = top + (uint64_t)(s < c);
    }
    /* r = t - n if that does not borrow past t's top bit, else t */
    borrow = 0;
    for (size_t j = 0; j < L; j++) {
        uint64_t x = t[j] - n[j];
        uint64_t b1 = (uint64_t)(t[j] < n[j]);
        d[j] = x - borrow;
        borrow = b1 | (uint64_t)(x < borrow);
    }
    take = (uint64_t)0 - (t[L] | (borrow ^ 1));
    for (size_t j = 0; j < L; j++) {
        r[j] = (d[j] & take) | (t[j] & ~take);
    }
}

/* x = 2 x mod n, for x < n (n is public: the branch-free form only keeps
 * the code short). */
static void mtc_mod_double(mtc_mont_ctx *m, uint64_t *x)
{
    const size_t L = m->L;
    uint64_t top = x[L - 1] >> 63, borrow = 0, take;
    for (size_t j = L - 1; j > 0; j--) {
        x[j] = (x[j] << 1) | (x[j - 1] >> 63);
    }
    x[0] <<= 1;
    for (size_t j = 0; j < L; j++) {
        uint64_t v = x[j] - m->n[j];
        uint64_t b1 = (uint64_t)(x[j] < m->n[j]);
        m->d[j] = v - borrow;
        borrow = b1 | (uint64_t)(v < borrow);
    }
    take = (uint64_t)0 - (top | (borrow ^ 1));
    for (size_t j = 0; j < L; j++) {
        x[j] = (m->d[j] & take) | (x[j] & ~take);
    }
}

/* The limbs of a big-endian byte string of len <= 8 L bytes. */
static void mtc_load_be(uint64_t *x, size_t L, const uint8_t *p, size_t len)
{
    memset(x, 0, L * sizeof *x);
    for (size_t i = 0; i < len; i++) {
        size_t k = len - 1 - i; /* byte weight */
        x[k / 8] |= (uint64_t)p[i] << (8 * (k % 8));
    }
}

static void mtc_store_be(uint8_t *p, size_t len, const uint64_t *x)
{
    for (size_t i = 0; i < len; i++) {
        size_t k = len - 1 - i;
        p[i] = (uint8_t)(x[k / 8] >> (8 * (k % 8)));
    }
}

/* sel = table[digit], reading every entry (digit is secret). */
MTC_INLINE void mtc_select(mtc_mont_ctx *m, unsigned digit, const size_t L)
{
    memset(m->sel, 0, L * sizeof m->sel[0]);
    for (unsigned k = 0; k < 16; k++) {
        /* all ones when k == digit: (k ^ digit) - 1 wraps only from 0 */
        uint64_t mask = (uint64_t)0 - (uint64_t)((((k ^ digit) - 1) >> 31) & 1);
        for (size_t j = 0; j < L; j++) {
            m->sel[j] |= m->table[k][j] & mask;
        }
    }
}

/* The exponentiation for L limbs (inlined once with L = 32, the 2048-bit
 * case, which the compiler then unrolls, and once for any L). */
MTC_INLINE void mtc_modexp_limbs(mtc_mont_ctx *m, const uint8_t *exp,
                                 size_t exp_len, const size_t L)
{
    /* table[k] = base^k in Montgomery form; table[1] holds the base. */
    memcpy(m->table[0], m->one, L * sizeof m->one[0]);
    mtc_mont_mul(m, m->table[1], m->table[1], m->rr, L);
    for (unsigned k = 2; k < 16; k++) {
        mtc_mont_mul(m, m->table[k], m->table[k - 1], m->table[1], L);
    }
    memcpy(m->acc, m->one, L * sizeof m->one[0]);
    for (size_t i = 0; i < exp_len; i++) {
        for (int shift = 4; shift >= 0; shift -= 4) {
            for (int s = 0; s < 4; s++) {
                mtc_mont_mul(m, m->acc, m->acc, m->acc, L);
            }
            mtc_select(m, (unsigned)(exp[i] >> shift) & 15, L);
            mtc_mont_mul(m, m->acc, m->acc, m->sel, L);
        }
    }
    /* out of Montgomery form: acc * 1 / R */
    memset(m->sel, 0, L * sizeof m->sel[0]);
    m->sel[0] = 1;
    mtc_mont_mul(m, m->acc, m->acc, m->sel, L);
}

/* see mtc.h */
int mtc_modexp(uint8_t *out, const uint8_t *base, const uint8_t *exp,
               size_t exp_len, const uint8_t *mod, size_t mod_len)
{
    mtc_mont_ctx m;
    size_t L = (mod_len + 7) / 8;
    uint64_t x, high = 0;

    if (mod_len == 0 || mod_len > MTC_MODEXP_MAX_BYTES || !(mod[mod_len - 1] & 1)) {
        return -1;
    }
    m.L = L;
    mtc_load_be(m.n, L, mod, mod_len);
    for (size_t j = 1; j < L; j++) {
        high |= m.n[j];
    }
    if (high == 0 && m.n[0] < 3) {
        return -1;
    }
    /* -n^-1 mod 2^64 by Newton's iteration (n is its own inverse mod 8;
     * each step doubles the correct bits: 3, 6, ..., 96). */
    x = m.n[0];
    for (int i = 0; i < 5; i++) {
        x *= 2 - m.n[0] * x;
    }
    m.n0 = (uint64_t)0 - x;
    /* R mod n: R - n when n fills its top limb (n > R / 2), else 1
     * doubled 64 L times.  R^2 mod n: R 2^L by L more doublings, then six
     * Montgomery squarings, each doubling the exponent of 2 (up to 64 L). */
    memset(m.one, 0, L * sizeof m.one[0]);
    if (m.n[L - 1] >> 63) {
        uint64_t borrow = 0;
        for (size_t j = 0; j < L; j++) {
            m.one[j] = (uint64_t)0 - m.n[j] - borrow;
            borrow |= (uint64_t)(m.n[j] != 0);
        }
    } else {
        m.one[0] = 1;
        for (size_t i = 0; i < 64 * L; i++) {
            mtc_mod_double(&m, m.one);
        }
    }
    memcpy(m.rr, m.one, L * sizeof m.rr[0]);
    for (size_t i = 0; i < L; i++) {
        mtc_mod_double(&m, m.rr);
    }
    for (int i = 0; i < 6; i++) {
        mtc_mont_mul(&m, m.rr, m.rr, m.rr, L);
    }
    mtc_load_be(m.table[1], L, base, mod_len);
    if (L == 32) {
        mtc_modexp_limbs(&m, exp, exp_len, 32);
    } else {
        mtc_modexp_limbs(&m, exp, exp_len, L);
    }
    mtc_store_be(out, mod_len, m.acc);
    mtc_memzero(&m, sizeof m);
    return 0;
}
