/*
 * ctneg.c: negative control for ctgrind.c.  Three deliberately leaky
 * functions, run the same way (secret input marked undefined, output marked
 * defined), which memcheck MUST report:
 *
 *   lookup: a table lookup at a secret index (the classic T-table AES
 *     leak; memcheck says "Use of uninitialised value of size 8");
 *   branch: a branch on a secret bit ("Conditional jump or move depends
 *     on uninitialised value(s)");
 *   early_exit_equal: a comparison that returns at the first differing
 *     byte, as memcmp does (the timing leak a msg_key check must not
 *     have; called as ctgrind.c calls mtc_ct_equal, both operands secret).
 *
 * Under valgrind --error-exitcode=99 this must exit 99 with a report in
 * each function.  If it does not, a clean ctgrind run proves nothing
 * (tests/test_constant_time.py checks it).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <valgrind/memcheck.h>

static uint8_t table[256];
static volatile unsigned sink;

__attribute__((noinline)) static uint8_t lookup(const uint8_t *secret)
{
    return table[secret[0]];
}

/* The call in one arm keeps the compiler from turning it into a cmov. */
__attribute__((noinline)) static void taken(void)
{
    sink++;
}

__attribute__((noinline)) static void branch(const uint8_t *secret)
{
    if (secret[1] & 1) {
        taken();
    }
}

__attribute__((noinline)) static int early_exit_equal(const uint8_t *a,
                                                      const uint8_t *b,
                                                      size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (a[i] != b[i]) {
            return 0;
        }
    }
    return 1;
}

int main(int argc, char **argv)
{
    uint8_t secret[2], x[16], y[16];
    (void)argv;

    for (unsigned i = 0; i < 256; i++) {
        table[i] = (uint8_t)(i * 7 + 1);
    }
    memset(secret, argc + 4, sizeof secret);
    VALGRIND_MAKE_MEM_UNDEFINED(secret, sizeof secret);
    uint8_t out = lookup(secret);
    branch(secret);
    VALGRIND_MAKE_MEM_DEFINED(&out, sizeof out);
    memset(x, argc, sizeof x);
    memset(y, argc, sizeof y);
    VALGRIND_MAKE_MEM_UNDEFINED(x, sizeof x);
    VALGRIND_MAKE_MEM_UNDEFINED(y, sizeof y);
    int eq = early_exit_equal(x, y, sizeof x);
    VALGRIND_MAKE_MEM_DEFINED(&eq, sizeof eq);
    printf("under valgrind: %s\n", RUNNING_ON_VALGRIND ? "yes" : "no");
    printf("lookup %u, branch %u, equal %d\n", (unsigned)out, sink, eq);
    return 0;
}
