/*
 * ctgrind.c: constant-time check of the C AES kernels under valgrind's
 * memcheck (the "ctgrind" technique, Adam Langley 2010).
 *
 * Around every kernel call the key, IV, counter and data are marked
 * undefined (VALGRIND_MAKE_MEM_UNDEFINED); memcheck then reports any
 * conditional branch or memory address computed from them.  After the call
 * inputs and outputs are marked defined again (the caller publishes the
 * ciphertext), so the harness can compare results without a report of its
 * own.  Run as
 *
 *     valgrind --error-exitcode=99 --track-origins=no -q ./ctgrind
 *
 * Exit 0 with no memcheck report: no secret-dependent branch or address on
 * the paths exercised.  Exit 1: a kernel gave a wrong result.  Exit 99:
 * memcheck found a leak.  tests/test_constant_time.py builds and runs this
 * against src_c/; its negative control (ctneg.c) shows the same run does
 * catch a leak.
 *
 * Checked: every mtc_ct64_* kernel (IGE and CBC both ways, in place and
 * not, CTR key and blocks at counters next to a carry) over lengths
 * 0..4096, the mtc_ctr_update stream at odd byte offsets, and the same for
 * the mtc_x86ni_* kernels when the CPU has AES-NI.  The VAES (AVX-512)
 * kernels are left out: valgrind cannot run AVX-512.  mtc_cpu_features
 * branches on CPUID only, which is public.
 */
#include <stdio.h>
#include <string.h>

#include <valgrind/memcheck.h>

#include "inner.h"

#define SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))

#define MAXLEN 4096

/* Lengths in bytes: none, one block, under / at / over one ct64 pass of
 * four blocks, over one AES-NI pass of eight, and many. */
static const size_t LENS[] = {0, 16, 48, 64, 80, 144, MAXLEN};
#define NLENS (sizeof(LENS) / sizeof(LENS[0]))

/* Counter blocks: the 128-bit wrap, the carry out of the low 64 bits, and
 * one far from both. */
static const uint8_t CTRS[][16] = {
    {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfd},
    {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
     0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe},
};
#define NCTRS (sizeof(CTRS) / sizeof(CTRS[0]))

/* Chunk sizes for the stream: odd offsets, block-crossing and whole runs. */
static const size_t CHUNKS[] = {1, 3, 5, 0, 17, 31, 64, 7, 100, 13, 16, 2, 200};
#define NCHUNKS (sizeof(CHUNKS) / sizeof(CHUNKS[0]))

static uint8_t pt[MAXLEN], ct[MAXLEN], a[MAXLEN], b[MAXLEN];
static uint8_t key[32], iv[32];
static unsigned long calls, failures;

/* A fixed pseudo-random pattern (the values do not matter to memcheck). */
static void fill(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        p[i] = (uint8_t)(seed >> 24);
    }
}

static void expect(int ok, const char *kernel, const char *what, size_t n)
{
    if (!ok) {
        printf("MISMATCH %s: %s, %zu bytes\n", kernel, what, n);
        failures++;
    }
}

/* FNV-1a over published output, to compare kernels with each other. */
static void digest(uint64_t *h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        *h = (*h ^ p[i]) * 0x100000001b3u;
    }
}

/* --- the kernels, each call with secret inputs ---------------------------- */

static void ige(const mtc_aes_impl *k, int enc, const uint8_t *in,
                uint8_t *out, size_t n)
{
    uint8_t kc[32], ivc[32];
    memcpy(kc, key, 32);
    memcpy(ivc, iv, 32);
    SECRET(kc, 32);
    SECRET(ivc, 32);
    SECRET(in, n);
    (enc ? k->ige_encrypt : k->ige_decrypt)(kc, ivc, in, out, n);
    PUBLIC(in, n);
    PUBLIC(out, n);
    calls++;
}

/* civ is read and updated (the last ciphertext block). */
static void cbc(const mtc_aes_impl *k, int enc, uint8_t civ[16],
                const uint8_t *in, uint8_t *out, size_t n)
{
    uint8_t kc[32];
    memcpy(kc, key, 32);
    SECRET(kc, 32);
    SECRET(civ, 16);
    SECRET(in, n);
    (enc ? k->cbc_encrypt : k->cbc_decrypt)(kc, civ, in, out, n);
    PUBLIC(civ, 16);
    PUBLIC(in, n);
    PUBLIC(out, n);
    calls++;
}

/* ctr is read and advanced. */
static void ctr(const mtc_aes_impl *k, uint8_t c[16], const uint8_t *in,
                uint8_t *out, size_t nblocks)
{
    mtc_aes256_keys ks;
    uint8_t kc[32];
    memcpy(kc, key, 32);
    SECRET(kc, 32);
    k->ctr_key(&ks, kc);
    SECRET(c, 16);
    SECRET(in, 16 * nblocks);
    k->ctr_blocks(&ks, c, in, out, nblocks);
    PUBLIC(c, 16);
    PUBLIC(in, 16 * nblocks);
    PUBLIC(out, 16 * nblocks);
    mtc_memzero(&ks, sizeof ks);
    calls += 2;
}

/* --- the checks ----------------------------------------------------------- */

static void check_ige(const mtc_aes_impl *k, size_t n, uint64_t *h)
{
    ige(k, 1, pt, ct, n);
    digest(h, ct, n);
    memcpy(a, pt, n);
    ige(k, 1, a, a, n);
    expect(memcmp(a, ct, n) == 0, k->name, "IGE encrypt in place", n);
    ige(k, 0, ct, b, n);
    expect(memcmp(b, pt, n) == 0, k->name, "IGE decrypt", n);
    ige(k, 0, a, a, n);
    expect(memcmp(a, pt, n) == 0, k->name, "IGE decrypt in place", n);
}

static void check_cbc(const mtc_aes_impl *k, size_t n, uint64_t *h)
{
    uint8_t v[16], w[16];

    memcpy(v, iv, 16);
    cbc(k, 1, v, pt, ct, n);
    digest(h, ct, n);
    expect(memcmp(v, n ? ct + n - 16 : iv, 16) == 0, k->name,
           "CBC encrypt IV out", n);
    memcpy(w, iv, 16);
    memcpy(a, pt, n);
    cbc(k, 1, w, a, a, n);
    expect(memcmp(a, ct, n) == 0, k->name, "CBC encrypt in place", n);
    memcpy(v, iv, 16);
    cbc(k, 0, v, ct, b, n);
    expect(memcmp(b, pt, n) == 0 && memcmp(v, w, 16) == 0, k->name,
           "CBC decrypt", n);
    memcpy(v, iv, 16);
    cbc(k, 0, v, a, a, n);
    expect(memcmp(a, pt, n) == 0, k->name, "CBC decrypt in place", n);
}

static void check_ctr(const mtc_aes_impl *k, size_t n, uint64_t *h)
{
    size_t nb = n / 16;

    for (size_t i = 0; i < NCTRS; i++) {
        uint8_t c[16], d[16], want[16];
        memcpy(want, CTRS[i], 16);
        mtc_ctr_add(want, nb);

        memcpy(c, CTRS[i], 16);
        ctr(k, c, pt, ct, nb);
        digest(h, ct, n);
        expect(memcmp(c, want, 16) == 0, k->name, "CTR counter out", n);
        memcpy(d, CTRS[i], 16);
        memcpy(a, ct, n);
        ctr(k, d, a, a, nb);
        expect(memcmp(a, pt, n) == 0 && memcmp(d, want, 16) == 0, k->name,
               "CTR in place", n);
    }
}

/* The stream in odd chunks against one whole-block call. */
static void check_stream(const char *name, uint64_t *h)
{
    const mtc_aes_impl *impl = mtc_aes_get(name);
    mtc_ctr_stream st;
    uint8_t kc[32], c[16];
    size_t total = 0;

    if (impl == NULL) {
        printf("MISSING stream kernel %s\n", name);
        failures++;
        return;
    }
    for (size_t r = 0; r < NCTRS; r++) {
        memcpy(kc, key, 32);
        memcpy(c, CTRS[r], 16);
        SECRET(kc, 32);
        SECRET(c, 16);
        mtc_ctr_init(impl, &st, kc, c);
        calls++;
        size_t pos = 0;
        for (size_t i = 0; i < NCHUNKS; i++) {
            size_t m = CHUNKS[i];
            SECRET(pt + pos, m);
            mtc_ctr_update(impl, &st, pt + pos, a + pos, m);
            PUBLIC(pt + pos, m);
            PUBLIC(a + pos, m);
            pos += m;
            calls++;
        }
        mtc_memzero(&st, sizeof st);
        digest(h, a, pos);

        memcpy(c, CTRS[r], 16);
        ctr(impl, c, pt, b, (pos + 15) / 16);
        expect(memcmp(a, b, pos) == 0, name, "stream vs whole blocks", pos);
        total = pos;
    }
    printf("stream %-8s mtc_ctr_update in %zu chunks (%zu bytes) at %zu "
           "counters\n", name, NCHUNKS, total, NCTRS);
}

static uint64_t check_kernel(const mtc_aes_impl *k)
{
    uint64_t h = 0xcbf29ce484222325u;
    unsigned long before = calls;

    for (size_t i = 0; i < NLENS; i++) {
        check_ige(k, LENS[i], &h);
        check_cbc(k, LENS[i], &h);
        check_ctr(k, LENS[i], &h);
    }
    printf("kernel %-8s IGE/CBC enc+dec (in place too), CTR key+blocks at "
           "%zu counters; lengths", k->name, NCTRS);
    for (size_t i = 0; i < NLENS; i++) {
        printf(" %zu", LENS[i]);
    }
    printf("; %lu calls\n", calls - before);
    return h;
}

static const mtc_aes_impl CT64 = {
    .name = "ct64",
    .ige_encrypt = mtc_ct64_ige_encrypt,
    .ige_decrypt = mtc_ct64_ige_decrypt,
    .cbc_encrypt = mtc_ct64_cbc_encrypt,
    .cbc_decrypt = mtc_ct64_cbc_decrypt,
    .ctr_key = mtc_ct64_ctr_key,
    .ctr_blocks = mtc_ct64_ctr_blocks,
};

#if MTC_X86
static const mtc_aes_impl X86NI = {
    .name = "x86ni",
    .ige_encrypt = mtc_x86ni_ige_encrypt,
    .ige_decrypt = mtc_x86ni_ige_decrypt,
    .cbc_encrypt = mtc_x86ni_cbc_encrypt,
    .cbc_decrypt = mtc_x86ni_cbc_decrypt,
    .ctr_key = mtc_x86ni_ctr_key,
    .ctr_blocks = mtc_x86ni_ctr_blocks,
};
#endif

int main(void)
{
    uint64_t h_ct64, hs_portable = 0;

    printf("under valgrind: %s\n", RUNNING_ON_VALGRIND ? "yes" : "no");
    fill(key, sizeof key, 1);
    fill(iv, sizeof iv, 2);
    fill(pt, sizeof pt, 3);

    h_ct64 = check_kernel(&CT64);
    check_stream("portable", &hs_portable);

#if MTC_X86
    if (mtc_cpu_features() & MTC_CPU_AESNI) {
        uint64_t hs_aesni = 0;
        expect(check_kernel(&X86NI) == h_ct64, "x86ni", "output != ct64", 0);
        check_stream("aesni", &hs_aesni);
        expect(hs_aesni == hs_portable, "aesni", "stream != portable", 0);
    } else {
        printf("kernel x86ni    skipped: this CPU has no AES-NI\n");
    }
#else
    printf("kernel x86ni    not built here (MTC_X86 is 0)\n");
#endif
    printf("%lu kernel calls with secret inputs, %lu mismatches\n", calls,
           failures);
    return failures ? 1 : 0;
}
