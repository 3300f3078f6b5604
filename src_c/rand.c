/*
 * rand.c: padding bytes from the OS CSPRNG at a few nanoseconds a message.
 * Each thread keeps a 4 KiB buffer and hands each byte out once (wiped as
 * it goes).  A refill takes a fresh 32-byte key from the OS and expands it
 * with AES-256-CTR from a zero counter on the caller's AES kernel (a
 * pseudo-random generator keyed by the OS for every 4 KiB; the key is
 * wiped at once), or reads all 4 KiB from the OS when that kernel is the
 * (slower) portable one.  A forked child drops what its parent had
 * buffered, so the two never share bytes.
 *
 * The OS source: the getrandom system call on Linux, through syscall(2)
 * rather than glibc's wrapper, which glibc 2.25 added (a wheel for
 * manylinux2014 links against glibc 2.17; a kernel before 3.17 answers
 * ENOSYS, and the caller falls back to os.urandom); getentropy on macOS
 * and the BSDs; BCryptGenRandom on Windows, which has no fork.
 */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE 1 /* syscall() in unistd.h, in every C mode */
#endif
#include "inner.h"

#if defined(_WIN32)
#define MTC_RAND_OS 1
#include <windows.h>
#include <bcrypt.h>
#if defined(_MSC_VER)
#pragma comment(lib, "bcrypt")
#endif
#elif defined(__linux__) || defined(__APPLE__) || defined(__FreeBSD__) \
    || defined(__OpenBSD__) || defined(__NetBSD__)
#define MTC_RAND_OS 1
#define MTC_RAND_FORK 1
#include <errno.h>
#include <pthread.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#elif defined(__APPLE__)
#include <sys/random.h>
#endif
#else
#define MTC_RAND_OS 0
#endif

#if defined(_MSC_VER)
#define MTC_THREAD_LOCAL __declspec(thread)
#elif defined(__GNUC__) || defined(__clang__)
#define MTC_THREAD_LOCAL __thread
#endif

#if MTC_RAND_OS && defined(MTC_THREAD_LOCAL)

#define MTC_RAND_BUF 4096

static MTC_THREAD_LOCAL uint8_t mtc_rand_buf[MTC_RAND_BUF];
static MTC_THREAD_LOCAL size_t mtc_rand_left; /* unread bytes at the end */

#if defined(MTC_RAND_FORK)
static pthread_once_t mtc_rand_once = PTHREAD_ONCE_INIT;

/* In a forked child only the forking thread survives: drop its bytes. */
static void mtc_rand_child(void)
{
    mtc_memzero(mtc_rand_buf, sizeof mtc_rand_buf);
    mtc_rand_left = 0;
}

static void mtc_rand_register(void)
{
    pthread_atfork(NULL, NULL, mtc_rand_child);
}
#endif

/* Fills len bytes (a multiple of 256) at out from the OS; 0 or -1. */
static int mtc_rand_os(uint8_t *out, size_t len)
{
#if defined(_WIN32)
    return BCRYPT_SUCCESS(BCryptGenRandom(NULL, out, (ULONG)len,
                                          BCRYPT_USE_SYSTEM_PREFERRED_RNG))
        ? 0 : -1;
#elif defined(__linux__)
    size_t got = 0;
    while (got < len) {
        long n = syscall(SYS_getrandom, out + got, len - got, 0);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        got += (size_t)n;
    }
    return 0;
#else
    /* getentropy gives at most 256 bytes a call. */
    for (size_t got = 0; got < len; got += 256) {
        if (getentropy(out + got, 256) != 0) {
            return -1;
        }
    }
    return 0;
#endif
}

/* Fills the buffer; 0 or -1. */
static int mtc_rand_refill(const mtc_aes_impl *aes)
{
    mtc_aes256_keys ks;
    uint8_t key[256], ctr[16];

    if (aes == &mtc_aes_ct64) {
        /* The OS is faster than the bitsliced kernel here. */
        return mtc_rand_os(mtc_rand_buf, MTC_RAND_BUF);
    }
    if (mtc_rand_os(key, sizeof key) != 0) {
        return -1;
    }
    aes->ctr_key(&ks, key);
    memset(ctr, 0, sizeof ctr);
    memset(mtc_rand_buf, 0, MTC_RAND_BUF);
    aes->ctr_blocks(&ks, ctr, mtc_rand_buf, mtc_rand_buf, MTC_RAND_BUF / 16);
    mtc_memzero(&ks, sizeof ks);
    mtc_memzero(key, sizeof key);
    return 0;
}

/* see mtc.h */
int mtc_random(const mtc_aes_impl *aes, uint8_t *out, size_t n)
{
#if defined(MTC_RAND_FORK)
    pthread_once(&mtc_rand_once, mtc_rand_register);
#endif
    while (n > 0) {
        if (mtc_rand_left == 0) {
            if (mtc_rand_refill(aes) != 0) {
                return -1;
            }
            mtc_rand_left = MTC_RAND_BUF;
        }
        size_t take = n < mtc_rand_left ? n : mtc_rand_left;
        uint8_t *from = mtc_rand_buf + MTC_RAND_BUF - mtc_rand_left;
        memcpy(out, from, take);
        mtc_memzero(from, take);
        mtc_rand_left -= take;
        out += take;
        n -= take;
    }
    return 0;
}

#else

/* see mtc.h */
int mtc_random(const mtc_aes_impl *aes, uint8_t *out, size_t n)
{
    (void)aes;
    (void)out;
    (void)n;
    return -1;
}

#endif
