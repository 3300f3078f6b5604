/*
 * util.c: helpers with no secret-dependent behaviour.
 */
#include "inner.h"

/* see mtc.h */
void mtc_memzero(void *p, size_t n)
{
#if defined(__GNUC__) || defined(__clang__)
    /* The empty asm claims to read the memory, so the memset stays. */
    memset(p, 0, n);
    __asm__ __volatile__("" : : "r"(p) : "memory");
#else
    volatile uint8_t *v = (volatile uint8_t *)p;
    while (n--) {
        *v++ = 0;
    }
#endif
}

/* see mtc.h */
int mtc_ct_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
    uint32_t d = 0;
    for (size_t i = 0; i < n; i++) {
        d |= (uint32_t)(a[i] ^ b[i]);
    }
    /* 1 when d == 0, without a branch: (d - 1) borrows only from zero. */
    return (int)(((d - 1) >> 8) & 1);
}
