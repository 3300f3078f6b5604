/*
 * mtc.h: the C kernels of mtcore, as the Cython layer sees them.
 *
 * Every function here assumes valid input: the callers (mtcore/_aes.pyx)
 * check lengths and buffers first.  Lengths are in bytes; "blocks" are 16
 * bytes.  Where a function takes `in` and `out`, they may be the same
 * pointer (in-place) but must not otherwise overlap.
 */
#ifndef MTC_H
#define MTC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * An expanded AES-256 key for one direction, in whatever form the kernel
 * that made it wants (bitsliced words for "portable", round keys for the
 * AES-NI kernels).  Only the kernel that filled it may read it.  Wipe it
 * with mtc_memzero when done.
 */
typedef struct {
    _Alignas(16) uint64_t w[120];
} mtc_aes256_keys;

/*
 * One AES-256 implementation.  Every function pointer is set.
 *
 * ige_encrypt / ige_decrypt: AES-256-IGE over len bytes (a multiple of 16,
 *   possibly 0) with Telegram's 32-byte IV: iv[0:16] is the previous
 *   ciphertext block, iv[16:32] the previous plaintext block.  The key is
 *   expanded and wiped inside the call.
 * cbc_encrypt / cbc_decrypt: AES-256-CBC over len bytes (a multiple of 16).
 *   iv (16 bytes) is read and then overwritten with the last ciphertext
 *   block of this call (unchanged when len is 0), so chained calls continue
 *   the stream.
 * ctr_key: expands key for CTR (the encryption direction).
 * ctr_blocks: XORs nblocks keystream blocks into in -> out, starting at the
 *   counter block ctr (one 128-bit big-endian integer) and leaves ctr at the
 *   next unused counter (mod 2^128).
 */
typedef struct mtc_aes_impl {
    const char *name;
    void (*ige_encrypt)(const uint8_t key[32], const uint8_t iv[32],
                        const uint8_t *in, uint8_t *out, size_t len);
    void (*ige_decrypt)(const uint8_t key[32], const uint8_t iv[32],
                        const uint8_t *in, uint8_t *out, size_t len);
    void (*cbc_encrypt)(const uint8_t key[32], uint8_t iv[16],
                        const uint8_t *in, uint8_t *out, size_t len);
    void (*cbc_decrypt)(const uint8_t key[32], uint8_t iv[16],
                        const uint8_t *in, uint8_t *out, size_t len);
    void (*ctr_key)(mtc_aes256_keys *ks, const uint8_t key[32]);
    void (*ctr_blocks)(const mtc_aes256_keys *ks, uint8_t ctr[16],
                       const uint8_t *in, uint8_t *out, size_t nblocks);
} mtc_aes_impl;

/*
 * The implementation called name ("portable", "aesni", "vaes"), or NULL
 * when this build or this CPU cannot run it.
 */
const mtc_aes_impl *mtc_aes_get(const char *name);

/*
 * The fastest implementation this CPU runs; the portable one when
 * force_portable is non-zero.  Never NULL.
 */
const mtc_aes_impl *mtc_aes_best(int force_portable);

/*
 * A CTR stream: the expanded key, the counter block of the keystream
 * block the next byte comes from, and the offset (0..15) of that byte.
 * keystream holds E(ctr) while offset is not 0.
 */
typedef struct {
    mtc_aes256_keys ks;
    uint8_t ctr[16];
    uint8_t keystream[16];
    unsigned offset;
} mtc_ctr_stream;

/* Starts a stream at counter block iv, offset 0. */
void mtc_ctr_init(const mtc_aes_impl *impl, mtc_ctr_stream *st,
                  const uint8_t key[32], const uint8_t iv[16]);

/* XORs the next len keystream bytes into in -> out and advances. */
void mtc_ctr_update(const mtc_aes_impl *impl, mtc_ctr_stream *st,
                    const uint8_t *in, uint8_t *out, size_t len);

/*
 * One SHA-1/SHA-256 implementation ("shani" or "portable"): compression
 * functions over nblocks whole 64-byte blocks, updating the state words
 * (host-order uint32: h0..h4 for SHA-1, h0..h7 for SHA-256, FIPS 180-4).
 */
typedef struct mtc_sha_impl {
    const char *name;
    void (*sha1_blocks)(uint32_t state[5], const uint8_t *data,
                        size_t nblocks);
    void (*sha256_blocks)(uint32_t state[8], const uint8_t *data,
                          size_t nblocks);
} mtc_sha_impl;

/* The implementation called name, or NULL where it cannot run. */
const mtc_sha_impl *mtc_sha_get(const char *name);

/* The fastest one here; the portable one when force_portable. */
const mtc_sha_impl *mtc_sha_best(int force_portable);

/* Streaming SHA-256 and SHA-1 over any implementation. */
typedef struct {
    const mtc_sha_impl *impl;
    uint32_t h[8];
    uint64_t total;     /* bytes hashed so far */
    uint8_t buf[64];    /* a partial block */
    size_t fill;        /* bytes in buf */
} mtc_sha256_ctx;

typedef struct {
    const mtc_sha_impl *impl;
    uint32_t h[5];
    uint64_t total;
    uint8_t buf[64];
    size_t fill;
} mtc_sha1_ctx;

void mtc_sha256_init(mtc_sha256_ctx *ctx, const mtc_sha_impl *impl);
void mtc_sha256_update(mtc_sha256_ctx *ctx, const void *data, size_t len);
/* Writes the 32-byte digest and wipes ctx. */
void mtc_sha256_final(mtc_sha256_ctx *ctx, uint8_t out[32]);

void mtc_sha1_init(mtc_sha1_ctx *ctx, const mtc_sha_impl *impl);
void mtc_sha1_update(mtc_sha1_ctx *ctx, const void *data, size_t len);
/* Writes the 20-byte digest and wipes ctx. */
void mtc_sha1_final(mtc_sha1_ctx *ctx, uint8_t out[20]);

/* CPU features, detected once (CPUID, and XGETBV for AVX state). */
#define MTC_CPU_AESNI  0x01u  /* AES-NI, SSE4.1 (pshufb, pinsrq) */
#define MTC_CPU_VAES   0x02u  /* VAES on zmm with AVX-512F/VL/BW, OS-enabled */
#define MTC_CPU_SHANI  0x04u  /* SHA extensions */
unsigned mtc_cpu_features(void);

/* Sets n bytes to zero in a way the compiler may not remove. */
void mtc_memzero(void *p, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* MTC_H */
