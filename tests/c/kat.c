/*
 * kat.c: the C kernels against known answers, without Python: for builds
 * the Python suite cannot reach, such as src_c/ cross-compiled for Windows
 * with mingw-w64 and run under wine (.ci/mingw).  Every AES and SHA
 * implementation this CPU runs, on the vectors of tests/vectors/ (put in
 * kat_vectors.h by tests/c/kat_vectors.py): IGE and CBC in one call and
 * in place, IGE as a batch, CTR in one call and as a stream in uneven
 * pieces; SHA-1 and SHA-256 in one call and streamed.  Then the OS random
 * source, the CPU detection and the pq factorization of Telegram's worked
 * example.  Prints one line per failure and a last line "kat: N passed, M
 * failed"; exits non-zero on any failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtc.h"
#include "kat_vectors.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define MAXLEN 1024

static int passed, failed;

static void check(int ok, const char *impl, const char *what,
                  const char *name)
{
    if (ok) {
        passed++;
    } else {
        failed++;
        printf("FAILED %s %s %s\n", impl, what, name);
    }
}

/* Decodes hex into out (at most MAXLEN bytes); returns the length. */
static size_t unhex(const char *hex, uint8_t *out)
{
    size_t n = strlen(hex) / 2;
    if (n > MAXLEN) {
        fprintf(stderr, "kat: a vector is longer than %d bytes\n", MAXLEN);
        exit(2);
    }
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
    return n;
}

typedef struct {
    uint8_t key[32], iv[32], in[MAXLEN], out[MAXLEN], got[MAXLEN];
    size_t len;
} vec;

static void load(const kat_cipher *k, vec *v)
{
    unhex(k->key, v->key);
    unhex(k->iv, v->iv);
    v->len = unhex(k->in, v->in);
    unhex(k->out, v->out);
}

/* The modes whose vectors run in one call, into another buffer and in
 * place. */
static const struct {
    const char *what[2]; /* not in place, in place */
    int cbc;             /* CBC, else IGE */
    const kat_cipher *vectors;
    size_t n;
} one_call_modes[] = {
    {{"ige", "ige in place"}, 0, kat_ige, COUNT(kat_ige)},
    {{"cbc", "cbc in place"}, 1, kat_cbc, COUNT(kat_cbc)},
};

/* Vector k of an IGE or CBC mode (cbc) in one call into v->got, from
 * v->in or in place. */
static void one_call(const mtc_aes_impl *impl, int cbc, const kat_cipher *k,
                     vec *v, int in_place)
{
    const uint8_t *in = v->in;

    load(k, v); /* a fresh IV: CBC overwrites it */
    if (in_place) {
        memcpy(v->got, v->in, v->len);
        in = v->got;
    }
    if (cbc) {
        (k->decrypt ? impl->cbc_decrypt : impl->cbc_encrypt)(
            v->key, v->iv, in, v->got, v->len);
    } else {
        (k->decrypt ? impl->ige_decrypt : impl->ige_encrypt)(
            v->key, v->iv, in, v->got, v->len);
    }
}

static void test_aes(const mtc_aes_impl *impl)
{
    static vec v;
    mtc_ige_job jobs[COUNT(kat_ige)];
    static uint8_t batch[COUNT(kat_ige)][MAXLEN];
    static vec keep[COUNT(kat_ige)];

    for (size_t m = 0; m < COUNT(one_call_modes); m++) {
        for (size_t i = 0; i < one_call_modes[m].n; i++) {
            const kat_cipher *k = &one_call_modes[m].vectors[i];
            for (int in_place = 0; in_place < 2; in_place++) {
                one_call(impl, one_call_modes[m].cbc, k, &v, in_place);
                check(memcmp(v.got, v.out, v.len) == 0, impl->name,
                      one_call_modes[m].what[in_place], k->name);
            }
        }
    }
    /* Each direction as one batch of every vector of that direction. */
    for (int decrypt = 0; decrypt < 2; decrypt++) {
        size_t n = 0;
        for (size_t i = 0; i < COUNT(kat_ige); i++) {
            if (kat_ige[i].decrypt != decrypt) {
                continue;
            }
            load(&kat_ige[i], &keep[n]);
            jobs[n].key = keep[n].key;
            jobs[n].iv = keep[n].iv;
            jobs[n].in = keep[n].in;
            jobs[n].out = batch[n];
            jobs[n].len = keep[n].len;
            n++;
        }
        impl->ige_many(decrypt, jobs, n);
        for (size_t j = 0; j < n; j++) {
            check(memcmp(batch[j], keep[j].out, keep[j].len) == 0,
                  impl->name, "ige_many", decrypt ? "decrypt" : "encrypt");
        }
    }
    for (size_t i = 0; i < COUNT(kat_ctr); i++) {
        const kat_cipher *k = &kat_ctr[i];
        mtc_ctr_stream st;
        load(k, &v);
        mtc_ctr_init(impl, &st, v.key, v.iv);
        mtc_ctr_update(impl, &st, v.in, v.got, v.len);
        check(memcmp(v.got, v.out, v.len) == 0, impl->name, "ctr", k->name);
        /* Again in pieces of 1, 2, 3, ... bytes. */
        mtc_ctr_init(impl, &st, v.key, v.iv);
        for (size_t at = 0, step = 1; at < v.len; at += step, step++) {
            size_t n = v.len - at < step ? v.len - at : step;
            mtc_ctr_update(impl, &st, v.in + at, v.got + at, n);
        }
        check(memcmp(v.got, v.out, v.len) == 0, impl->name, "ctr pieces",
              k->name);
        mtc_memzero(&st, sizeof st);
    }
}

static void test_sha(const mtc_sha_impl *impl)
{
    static uint8_t unit[MAXLEN];
    uint8_t want[32], got[32];

    for (size_t i = 0; i < COUNT(kat_hashes); i++) {
        const kat_hash *k = &kat_hashes[i];
        size_t n = unhex(k->unit, unit), dlen = k->sha256 ? 32 : 20;
        unhex(k->digest, want);
        if (k->repeat == 1) {
            (k->sha256 ? mtc_sha256 : mtc_sha1)(impl, unit, n, got);
            check(memcmp(got, want, dlen) == 0, impl->name, "one call",
                  k->name);
        }
        if (k->sha256) {
            mtc_sha256_ctx c;
            mtc_sha256_init(&c, impl);
            for (long r = 0; r < k->repeat; r++) {
                mtc_sha256_update(&c, unit, n);
            }
            mtc_sha256_final(&c, got);
        } else {
            mtc_sha1_ctx c;
            mtc_sha1_init(&c, impl);
            for (long r = 0; r < k->repeat; r++) {
                mtc_sha1_update(&c, unit, n);
            }
            mtc_sha1_final(&c, got);
        }
        check(memcmp(got, want, dlen) == 0, impl->name, "streamed", k->name);
    }
}

int main(void)
{
    const mtc_aes_impl *aes;
    const mtc_sha_impl *sha;
    uint8_t a[64], b[64], zero[64] = {0};
    uint64_t p = 0, q = 0;

    printf("kat: cpu features 0x%x\n", mtc_cpu_features());
    /* Each implementation of the build that this CPU runs. */
    for (size_t i = 0; mtc_aes_at(i) != NULL; i++) {
        if ((aes = mtc_aes_get(mtc_aes_at(i)->name)) != NULL) {
            printf("kat: aes %s\n", aes->name);
            test_aes(aes);
        }
    }
    for (size_t i = 0; mtc_sha_at(i) != NULL; i++) {
        if ((sha = mtc_sha_get(mtc_sha_at(i)->name)) != NULL) {
            printf("kat: sha %s\n", sha->name);
            test_sha(sha);
        }
    }

    /* The OS source (BCryptGenRandom on Windows), through each path. */
    aes = mtc_aes_best(0);
    check(mtc_random(aes, a, sizeof a) == 0
              && mtc_random(mtc_aes_best(1), b, sizeof b) == 0,
          "rand", "mtc_random", "returns 0");
    check(memcmp(a, b, sizeof a) != 0 && memcmp(a, zero, sizeof a) != 0
              && memcmp(b, zero, sizeof b) != 0,
          "rand", "mtc_random", "bytes differ");

    /* pq = 0x17ED48941A08F981 of core.telegram.org/mtproto/samples-auth_key. */
    check(mtc_factorize_pq(0x17ED48941A08F981ull, &p, &q) == MTC_PQ_OK
              && p == 0x494C553Bull && q == 0x53911073ull,
          "pq", "factorize", "telegram sample");

    printf("kat: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
