/*
 * util.c: helpers with no secret-dependent behaviour.
 */
#include <stdlib.h>

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

static int mtc_span_cmp(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const mtc_span *)a)->p;
    uintptr_t y = (uintptr_t)((const mtc_span *)b)->p;
    return (x > y) - (x < y);
}

/* see mtc.h */
int mtc_spans_conflict(mtc_span *spans, size_t n)
{
    /* In order of start: a span overlaps an earlier one exactly when it
     * starts before the furthest end seen so far (of writes only, for a
     * read: reads may share memory). */
    uintptr_t reach = 0, reach_write = 0;
    qsort(spans, n, sizeof *spans, mtc_span_cmp);
    for (size_t i = 0; i < n; i++) {
        uintptr_t start = (uintptr_t)spans[i].p;
        uintptr_t end = start + spans[i].len;
        if (spans[i].len == 0) {
            continue;
        }
        if (start < (spans[i].write ? reach : reach_write)) {
            return 1;
        }
        if (end > reach) {
            reach = end;
        }
        if (spans[i].write && end > reach_write) {
            reach_write = end;
        }
    }
    return 0;
}
