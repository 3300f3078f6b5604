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
