/*
 * ctneg.c: negative control for ctgrind.c.  Two deliberately leaky
 * functions, run the same way (secret input marked undefined, output marked
 * defined), which memcheck MUST report:
 *
 *   lookup: a table lookup at a secret index (the classic T-table AES
 *     leak; memcheck says "Use of uninitialised value of size 8");
 *   branch: a branch on a secret bit ("Conditional jump or move depends
 *     on uninitialised value(s)").
 *
 * Under valgrind --error-exitcode=99 this must exit 99.  If it does not,
 * a clean ctgrind run proves nothing (tests/test_constant_time.py checks
 * both).
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

int main(int argc, char **argv)
{
    uint8_t secret[2];
    (void)argv;

    for (unsigned i = 0; i < 256; i++) {
        table[i] = (uint8_t)(i * 7 + 1);
    }
    memset(secret, argc + 4, sizeof secret);
    VALGRIND_MAKE_MEM_UNDEFINED(secret, sizeof secret);
    uint8_t out = lookup(secret);
    branch(secret);
    VALGRIND_MAKE_MEM_DEFINED(&out, sizeof out);
    printf("under valgrind: %s\n", RUNNING_ON_VALGRIND ? "yes" : "no");
    printf("lookup %u, branch %u\n", (unsigned)out, sink);
    return 0;
}
