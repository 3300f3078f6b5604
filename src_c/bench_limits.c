/*
 * bench_limits.c: this machine's limits for the benchmark (mtcore bench),
 * measured by plain C loops over the kernels with no Python call between
 * two calls.  Each loop makes one call untimed (caches, first-touch page
 * faults), then times iters calls on a monotonic clock and returns the
 * nanoseconds.  Keys, IVs and messages are fixed patterns: nothing here
 * is secret, and nothing here is used outside the benchmark.
 */
#include "inner.h"

#if defined(_WIN32)
#include <windows.h>
#else
#include <time.h>
#endif

static uint64_t mtc_limit_now(void)
{
#if defined(_WIN32)
    LARGE_INTEGER freq, count;

    QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&count);
    return (uint64_t)((double)count.QuadPart * 1e9 / (double)freq.QuadPart);
#else
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#endif
}

/* Fills p with a pattern that depends on seed (inputs, not secrets). */
static void mtc_limit_fill(uint8_t *p, size_t n, unsigned seed)
{
    size_t i;

    for (i = 0; i < n; i++) {
        p[i] = (uint8_t)(i * 131u + seed * 7u + 1u);
    }
}

/* One call of a one-stream operation (see mtc_limit_aes). */
static void mtc_limit_aes_call(const mtc_aes_impl *aes, int op,
                               const uint8_t key[32], uint8_t iv[32],
                               const mtc_aes256_keys *ks, mtc_ctr_pos *pos,
                               uint8_t *buf, size_t len)
{
    if (op == MTC_LIMIT_IGE_ENCRYPT || op == MTC_LIMIT_IGE_DECRYPT) {
        (op == MTC_LIMIT_IGE_ENCRYPT ? aes->ige_encrypt : aes->ige_decrypt)(
            key, iv, buf, buf + len, len);
    } else if (op == MTC_LIMIT_CBC_ENCRYPT || op == MTC_LIMIT_CBC_DECRYPT) {
        (op == MTC_LIMIT_CBC_ENCRYPT ? aes->cbc_encrypt : aes->cbc_decrypt)(
            key, iv, buf, buf + len, len);
    } else {
        mtc_ctr_xor(aes, ks, pos, buf, buf + len, len);
    }
}

/* see mtc.h */
uint64_t mtc_limit_aes(const mtc_aes_impl *aes, int op, uint8_t *buf,
                       size_t len, uint64_t iters)
{
    uint8_t key[32], iv[32];
    mtc_aes256_keys ks;
    mtc_ctr_pos pos;
    uint64_t i, t0;

    mtc_limit_fill(key, sizeof key, 1);
    mtc_limit_fill(iv, sizeof iv, 2);
    mtc_limit_fill(buf, 2 * len, 3);
    /* A CTR stream expands its key once, when it is made. */
    memset(&pos, 0, sizeof pos);
    memcpy(pos.ctr, iv, 16);
    aes->ctr_key(&ks, key);
    mtc_limit_aes_call(aes, op, key, iv, &ks, &pos, buf, len);
    t0 = mtc_limit_now();
    for (i = 0; i < iters; i++) {
        mtc_limit_aes_call(aes, op, key, iv, &ks, &pos, buf, len);
    }
    return mtc_limit_now() - t0;
}

/* see mtc.h */
uint64_t mtc_limit_ige_many(const mtc_aes_impl *aes, uint8_t *buf,
                            size_t lanes, size_t lane_len, uint8_t *keyiv,
                            mtc_ige_job *jobs, uint64_t iters)
{
    uint64_t i, t0;
    size_t j;

    mtc_limit_fill(buf, lanes * lane_len, 4);
    mtc_limit_fill(keyiv, 64 * lanes, 5);
    for (j = 0; j < lanes; j++) {
        jobs[j].key = keyiv + 64 * j;
        jobs[j].iv = keyiv + 64 * j + 32;
        jobs[j].in = buf + lane_len * j;
        jobs[j].out = buf + lane_len * j;
        jobs[j].len = lane_len;
    }
    aes->ige_many(0, jobs, lanes);
    t0 = mtc_limit_now();
    for (i = 0; i < iters; i++) {
        aes->ige_many(0, jobs, lanes);
    }
    return mtc_limit_now() - t0;
}

/* see mtc.h */
int mtc_limit_mtp(const mtc_kernels *k, int decrypt, uint8_t *buf,
                  size_t body_len, uint64_t iters, uint64_t *ns)
{
    uint8_t auth_key[256], key_id[8], aux_hash[8];
    size_t inner = 32 + body_len;
    size_t n = inner + mtc_mtp_padding(inner);
    uint8_t *packet = buf, *out = buf + 24 + n;
    unsigned x = decrypt ? 8 : 0;
    int32_t data_len = 0;
    int status = MTC_MTP_OK;
    uint64_t i, t0;

    mtc_limit_fill(auth_key, sizeof auth_key, 6);
    mtc_mtp_key_id(k->sha, auth_key, key_id, aux_hash);
    mtc_limit_fill(packet + 24, n, 7);
    /* message_data_length, so that the receiver's checks pass */
    mtc_enc32le(packet + 24 + 28, (uint32_t)body_len);
    mtc_mtp_encrypt(k, auth_key, key_id, x, packet, n);
    if (decrypt) {
        status = mtc_mtp_decrypt(k, auth_key, key_id, x, packet, 24 + n, out,
                                 &data_len);
    }
    t0 = mtc_limit_now();
    for (i = 0; i < iters && status == MTC_MTP_OK; i++) {
        if (decrypt) {
            status = mtc_mtp_decrypt(k, auth_key, key_id, x, packet, 24 + n,
                                     out, &data_len);
        } else {
            mtc_mtp_encrypt(k, auth_key, key_id, x, packet, n);
        }
    }
    *ns = mtc_limit_now() - t0;
    return status;
}

/* see mtc.h */
uint64_t mtc_limit_sha256(const mtc_sha_impl *sha, uint8_t *buf, size_t len,
                          uint64_t iters)
{
    uint8_t digest[32];
    uint64_t i, t0;

    mtc_limit_fill(buf, len, 8);
    mtc_sha256(sha, buf, len, digest);
    t0 = mtc_limit_now();
    for (i = 0; i < iters; i++) {
        mtc_sha256(sha, buf, len, digest);
    }
    return mtc_limit_now() - t0;
}
