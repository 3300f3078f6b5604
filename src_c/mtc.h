/*
 * mtc.h: the C kernels of mtcore, as the Cython layer sees them.
 *
 * Every function here assumes valid input: the callers (the Cython parts,
 * mtcore/_*.pyx) check lengths and buffers first.  Lengths are in bytes; "blocks" are 16
 * bytes.  Where a function takes `in` and `out`, they may be the same
 * pointer (in-place) but must not otherwise overlap.
 */
#ifndef MTC_H
#define MTC_H

#include <stddef.h>
#include <stdint.h>

/* C11's _Alignas(n), or MSVC's spelling (its C mode takes _Alignas only
 * with /std:c11). */
#if defined(_MSC_VER) && !defined(__clang__)
#define MTC_ALIGN(n) __declspec(align(n))
#else
#define MTC_ALIGN(n) _Alignas(n)
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*
 * An expanded AES-256 key for one direction, in whatever form the kernel
 * that made it wants (bitsliced words for "portable", round keys for the
 * AES-NI and ARMv8 kernels).  Only the kernel that filled it may read it.  Wipe it
 * with mtc_memzero when done.
 */
typedef struct {
    MTC_ALIGN(16) uint64_t w[120];
} mtc_aes256_keys;

struct mtc_sha_impl;

/* One independent IGE message of a batch (see ige_many). */
typedef struct {
    const uint8_t *key;  /* 32 bytes */
    const uint8_t *iv;   /* 32 bytes */
    const uint8_t *in;
    uint8_t *out;        /* may equal in; no other overlap */
    size_t len;          /* a multiple of 16 */
} mtc_ige_job;

/*
 * One AES-256 implementation.  Every function pointer is set but
 * ige_decrypt_sha256.
 *
 * ige_encrypt / ige_decrypt: AES-256-IGE over len bytes (a multiple of 16,
 *   possibly 0) with Telegram's 32-byte IV: iv[0:16] is the previous
 *   ciphertext block, iv[16:32] the previous plaintext block.  The key is
 *   expanded and wiped inside the call.
 * cbc_encrypt / cbc_decrypt: AES-256-CBC over len bytes (a multiple of 16).
 *   iv (16 bytes) is read and then overwritten with the last ciphertext
 *   block of this call (unchanged when len is 0), so chained calls continue
 *   the stream.
 * ige_decrypt_sha256: ige_decrypt that also writes SHA256(prefix + the
 *   plaintext) to digest, hashing each block while the next is decrypted
 *   (MTProto's msg_key check in the same pass); NULL where a kernel has no
 *   fused form.
 * ige_many: IGE-encrypts (decrypt == 0) or -decrypts count independent
 *   jobs, interleaving several at once where the kernel can; each result
 *   equals the one-job call.
 * ctr_key: expands key for CTR (the encryption direction).
 * ctr_blocks: XORs nblocks keystream blocks into in -> out, starting at the
 *   counter block ctr (one 128-bit big-endian integer) and leaves ctr at the
 *   next unused counter (mod 2^128).
 * The function types (mtc_ige_fn for ige_encrypt and ige_decrypt, and so
 * on) also declare each kernel's functions in inner.h.
 */
typedef void mtc_ige_fn(const uint8_t key[32], const uint8_t iv[32],
                        const uint8_t *in, uint8_t *out, size_t len);
typedef void mtc_cbc_fn(const uint8_t key[32], uint8_t iv[16],
                        const uint8_t *in, uint8_t *out, size_t len);
typedef void mtc_ige_sha256_fn(const uint8_t key[32], const uint8_t iv[32],
                               const uint8_t *in, uint8_t *out, size_t len,
                               const struct mtc_sha_impl *sha,
                               const uint8_t prefix[32],
                               uint8_t digest[32]);
typedef void mtc_ige_many_fn(int decrypt, const mtc_ige_job *jobs,
                             size_t count);
typedef void mtc_ctr_key_fn(mtc_aes256_keys *ks, const uint8_t key[32]);
typedef void mtc_ctr_blocks_fn(const mtc_aes256_keys *ks, uint8_t ctr[16],
                               const uint8_t *in, uint8_t *out,
                               size_t nblocks);

typedef struct mtc_aes_impl {
    const char *name;
    mtc_ige_fn *ige_encrypt;
    mtc_ige_fn *ige_decrypt;
    mtc_cbc_fn *cbc_encrypt;
    mtc_cbc_fn *cbc_decrypt;
    mtc_ige_sha256_fn *ige_decrypt_sha256;
    mtc_ige_many_fn *ige_many;
    mtc_ctr_key_fn *ctr_key;
    mtc_ctr_blocks_fn *ctr_blocks;
} mtc_aes_impl;

/*
 * The i-th implementation of this build, fastest first (whether this CPU
 * runs it or not), or NULL past the last.  Their names are the ones users
 * see ("vaes", "aesni", "armaes", "portable"; the table is in inner.h).
 */
const mtc_aes_impl *mtc_aes_at(size_t i);

/*
 * The implementation called name, or NULL when this build or this CPU
 * cannot run it.
 */
const mtc_aes_impl *mtc_aes_get(const char *name);

/*
 * The fastest implementation this CPU runs; the portable one when
 * force_portable is non-zero.  Never NULL.
 */
const mtc_aes_impl *mtc_aes_best(int force_portable);

/*
 * A position in a CTR keystream: the counter block of the keystream block
 * the next byte comes from, and the offset (0..15) of that byte;
 * keystream holds E(ctr) while offset is not 0.
 */
typedef struct {
    uint8_t ctr[16];
    uint8_t keystream[16];
    unsigned offset;
} mtc_ctr_pos;

/* A CTR stream: the expanded key and the position. */
typedef struct {
    mtc_aes256_keys ks;
    mtc_ctr_pos pos;
} mtc_ctr_stream;

/* Starts a stream at counter block iv, offset 0. */
void mtc_ctr_init(const mtc_aes_impl *impl, mtc_ctr_stream *st,
                  const uint8_t key[32], const uint8_t iv[16]);

/* XORs the next len keystream bytes into in -> out and advances. */
void mtc_ctr_update(const mtc_aes_impl *impl, mtc_ctr_stream *st,
                    const uint8_t *in, uint8_t *out, size_t len);

/*
 * The same at position pos under the expanded key ks (read only, so
 * several threads may use one key at once, each at its own position).
 */
void mtc_ctr_xor(const mtc_aes_impl *impl, const mtc_aes256_keys *ks,
                 mtc_ctr_pos *pos, const uint8_t *in, uint8_t *out,
                 size_t len);

/*
 * Advances pos past len keystream bytes without producing them: at most
 * one block is computed.  A caller that shares a stream reserves a range
 * this way (copy the position, skip it, then XOR from the copy).
 */
void mtc_ctr_skip(const mtc_aes_impl *impl, const mtc_aes256_keys *ks,
                  mtc_ctr_pos *pos, size_t len);

/*
 * One SHA-1/SHA-256 implementation ("shani", "armsha" or "portable"):
 * compression functions over nblocks whole 64-byte blocks, updating the
 * state words (host-order uint32: h0..h4 for SHA-1, h0..h7 for SHA-256,
 * FIPS 180-4).
 * Optional whole-message functions that keep the message in registers,
 * NULL where the generic code over the block functions serves
 * (sha_common.c, mtproto.c):
 * sha256: SHA256(data[0:len]) in one call.
 * sha256_prefixed: SHA256(prefix[0:32] + data[0:n]) for n % 16 == 0.
 * sha256_prefixed_many: the same for count messages (data[i], len[i]),
 *   digest i to out + 32 i, several at once.
 * mtp_kdf: the MTProto 2.0 KDF (mtc_mtp_kdf).
 * As for AES, the function types declare the kernels' functions too.
 */
typedef void mtc_sha1_blocks_fn(uint32_t state[5], const uint8_t *data,
                                size_t nblocks);
typedef void mtc_sha256_blocks_fn(uint32_t state[8], const uint8_t *data,
                                  size_t nblocks);
typedef void mtc_sha256_fn(const uint8_t *data, size_t len,
                           uint8_t out[32]);
typedef void mtc_sha256_prefixed_fn(const uint8_t prefix[32],
                                    const uint8_t *data, size_t n,
                                    uint8_t out[32]);
typedef void mtc_sha256_prefixed_many_fn(const uint8_t prefix[32],
                                         const uint8_t *const data[],
                                         const size_t len[], size_t count,
                                         uint8_t *out);
typedef void mtc_mtp_kdf_fn(const uint8_t auth_key[256], unsigned x,
                            const uint8_t msg_key[16], uint8_t aes_key[32],
                            uint8_t aes_iv[32]);

typedef struct mtc_sha_impl {
    const char *name;
    mtc_sha1_blocks_fn *sha1_blocks;
    mtc_sha256_blocks_fn *sha256_blocks;
    mtc_sha256_fn *sha256;
    mtc_sha256_prefixed_fn *sha256_prefixed;
    mtc_sha256_prefixed_many_fn *sha256_prefixed_many;
    mtc_mtp_kdf_fn *mtp_kdf;
} mtc_sha_impl;

/* As mtc_aes_at for SHA ("shani", "armsha", "portable"). */
const mtc_sha_impl *mtc_sha_at(size_t i);

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

/* The digest of len bytes at data in one call (no context). */
void mtc_sha256(const mtc_sha_impl *impl, const void *data, size_t len,
                uint8_t out[32]);
void mtc_sha1(const mtc_sha_impl *impl, const void *data, size_t len,
              uint8_t out[20]);

void mtc_sha1_init(mtc_sha1_ctx *ctx, const mtc_sha_impl *impl);
void mtc_sha1_update(mtc_sha1_ctx *ctx, const void *data, size_t len);
/* Writes the 20-byte digest and wipes ctx. */
void mtc_sha1_final(mtc_sha1_ctx *ctx, uint8_t out[20]);

/*
 * MTProto 2.0 (core.telegram.org/mtproto/description).  x is 0 for messages from the
 * client, 8 for messages from the server.  auth_key is the 256-byte key.
 */
typedef struct {
    const mtc_aes_impl *aes;
    const mtc_sha_impl *sha;
} mtc_kernels;

/* key_id = SHA1(auth_key)[12:20], aux_hash = SHA1(auth_key)[0:8]. */
void mtc_mtp_key_id(const mtc_sha_impl *sha, const uint8_t auth_key[256],
                    uint8_t key_id[8], uint8_t aux_hash[8]);

/* msg_key_large = SHA256(auth_key[88+x : 120+x] + a + b). */
void mtc_mtp_msg_key_large(const mtc_sha_impl *sha,
                           const uint8_t auth_key[256], unsigned x,
                           const uint8_t *a, size_t alen,
                           const uint8_t *b, size_t blen,
                           uint8_t out[32]);

/* The KDF: aes_key and aes_iv from msg_key. */
void mtc_mtp_kdf(const mtc_sha_impl *sha, const uint8_t auth_key[256],
                 unsigned x, const uint8_t msg_key[16], uint8_t aes_key[32],
                 uint8_t aes_iv[32]);

/* The padding length mtcore adds to n bytes: 12..27, total % 16 == 0. */
size_t mtc_mtp_padding(size_t n);

/*
 * Encrypts in place: out + 24 holds the n bytes of plaintext and padding
 * (n % 16 == 0); writes key_id + msg_key to out[0:24] and replaces the
 * plaintext with its IGE encryption.
 */
void mtc_mtp_encrypt(const mtc_kernels *k, const uint8_t auth_key[256],
                     const uint8_t key_id[8], unsigned x, uint8_t *out,
                     size_t n);

/*
 * mtc_mtp_encrypt over count messages (jobs[i].out + 24 holds the
 * jobs[i].len bytes of message i's plaintext and padding; the other job
 * fields are filled here), with their IGE passes run side by side by the
 * kernel's ige_many.  keyiv is scratch for 64 * count bytes, wiped after.
 */
void mtc_mtp_encrypt_many(const mtc_kernels *k, const uint8_t auth_key[256],
                          const uint8_t key_id[8], unsigned x,
                          mtc_ige_job *jobs, size_t count, uint8_t *keyiv);

/* Results of mtc_mtp_decrypt, in the order the checks fail. */
enum {
    MTC_MTP_OK = 0,
    MTC_MTP_BAD_KEY_ID = 1,      /* packet[0:8] is not key_id */
    MTC_MTP_BAD_LENGTH = 2,      /* len < 72 or (len - 24) % 16 */
    MTC_MTP_BAD_MSG_KEY = 3,     /* msg_key check failed */
    MTC_MTP_BAD_DATA_LENGTH = 4  /* message_data_length or padding */
};

/*
 * Checks and decrypts packet (len bytes) into out (len - 24 bytes; out may
 * be packet + 24).  The msg_key and length checks are both computed, with
 * no branch on the decrypted bytes, before either is reported.  *data_len
 * receives message_data_length (signed) once the msg_key check passed.
 * On any failure after decryption, out is zeroed.
 */
int mtc_mtp_decrypt(const mtc_kernels *k, const uint8_t auth_key[256],
                    const uint8_t key_id[8], unsigned x,
                    const uint8_t *packet, size_t len, uint8_t *out,
                    int32_t *data_len);

/*
 * Fills out with n random bytes: a per-thread 4 KiB buffer, refilled as
 * AES-256-CTR output (on kernel aes) under a fresh key from the OS CSPRNG,
 * or from the OS directly when aes is the portable kernel; a forked child
 * drops its parent's buffer.  Returns 0, or -1 where there is no OS source
 * (the caller then uses another).
 */
int mtc_random(const mtc_aes_impl *aes, uint8_t *out, size_t n);

/*
 * The key exchange's pq (core.telegram.org/mtproto/auth_key) split into
 * primes p < q: Pollard rho-Brent with Montgomery multiplication, bounded
 * work (well under a second even on input it cannot split).  Returns MTC_PQ_OK, or why pq is
 * not a product of two distinct odd primes (*p = *q = 0 then).
 */
#define MTC_PQ_OK            0
#define MTC_PQ_TOO_SMALL     1  /* 0 or 1 */
#define MTC_PQ_EVEN          2
#define MTC_PQ_PRIME         3
#define MTC_PQ_SQUARE        4
#define MTC_PQ_NOT_SEMIPRIME 5  /* more than two prime factors, or p^k */
#define MTC_PQ_GAVE_UP       6  /* no factor within the bound */
int mtc_factorize_pq(uint64_t pq, uint64_t *p, uint64_t *q);

/* 1 when n is prime (deterministic Miller-Rabin for every 64-bit n). */
int mtc_is_prime_u64(uint64_t n);

/*
 * out = base^exp mod mod, big-endian byte strings: mod of mod_len bytes
 * (odd, at least 3, at most MTC_MODEXP_MAX_BYTES), base of mod_len bytes
 * (any value below 2^(8 mod_len)), exp of exp_len bytes, out of mod_len
 * bytes.  Montgomery multiplication and a fixed 4-bit window whose table is
 * read whole: time and memory accesses depend on mod, mod_len and exp_len
 * only, never on the values of base or exp (the key exchange's and SRP's
 * secret exponents).  Returns 0, or -1 (out untouched) for a modulus it
 * does not take.  Wipes its intermediate values.
 */
#define MTC_MODEXP_MAX_BYTES 512
int mtc_modexp(uint8_t *out, const uint8_t *base, const uint8_t *exp,
               size_t exp_len, const uint8_t *mod, size_t mod_len);

/* 1 when the n bytes at a and b are equal, in time independent of them. */
int mtc_ct_equal(const uint8_t *a, const uint8_t *b, size_t n);

/*
 * CPU features, detected once: on x86-64 by CPUID (and XGETBV for the AVX
 * state); on AArch64 as the OS reports them (getauxval(AT_HWCAP) on Linux
 * and Android, sysctlbyname on macOS, IsProcessorFeaturePresent on
 * Windows).
 */
#define MTC_CPU_AESNI  0x01u  /* AES-NI, SSE4.1 (pshufb, pinsrq) */
#define MTC_CPU_VAES   0x02u  /* VAES on zmm with AVX-512F/VL/BW, OS-enabled */
#define MTC_CPU_SHANI  0x04u  /* SHA extensions, SSSE3, SSE4.1 */
#define MTC_CPU_AVX512 0x08u  /* AVX-512F/VL/BW, OS-enabled */
#define MTC_CPU_ARMAES 0x10u  /* ARMv8 AESE/AESD/AESMC/AESIMC (FEAT_AES) */
#define MTC_CPU_ARMSHA 0x20u  /* ARMv8 SHA-1 and SHA-256 (FEAT_SHA1, FEAT_SHA256) */
#define MTC_CPU_SSSE3  0x40u  /* SSSE3 (pshufb): the vector-permute AES kernel */
unsigned mtc_cpu_features(void);

/* A range of memory a call reads (write == 0) or writes. */
typedef struct {
    const uint8_t *p;
    size_t len;
    int write;
} mtc_span;

/*
 * 1 when a written span overlaps any other span (read or written), else 0;
 * reads may overlap each other, and empty spans overlap nothing.  Sorts
 * spans (O(n log n)).  Addresses only: no secret is involved.
 */
int mtc_spans_conflict(mtc_span *spans, size_t n);

/* Sets n bytes to zero in a way the compiler may not remove. */
void mtc_memzero(void *p, size_t n);

/*
 * Limit loops, for the benchmark only (bench_limits.c): plain C loops over
 * the kernels with no Python call between two calls, so that a report can
 * say how close a Python call comes to what this machine does.  Each makes
 * one call untimed, then times iters calls on a monotonic clock and gives
 * the nanoseconds.  Inputs are fixed patterns written into the caller's
 * buffers.
 *
 * mtc_limit_aes: one-stream calls on len bytes (a multiple of 16), from
 *   buf to buf + len (buf holds 2 len bytes): IGE or CBC with the key
 *   expanded in each call, as the one-shot functions do, or CTR continuing
 *   one stream whose key was expanded once.
 * mtc_limit_ige_many: IGE-encrypts lanes jobs of lane_len bytes each, in
 *   place in buf, in one ige_many call (keyiv: 64 lanes bytes, jobs: lanes
 *   entries of scratch).
 * mtc_limit_mtp: mtc_mtp_encrypt (client to server) or mtc_mtp_decrypt
 *   with every check (server to client) of one message of body_len bytes
 *   (a multiple of 4), whose plaintext is 32 header bytes, the body and
 *   mtc_mtp_padding bytes: n bytes; buf holds 2 (24 + n) bytes.  Writes the
 *   nanoseconds to *ns; returns MTC_MTP_OK, or a decryption's failure.
 * mtc_limit_sha256: SHA-256 of the len bytes at buf.
 */
enum {
    MTC_LIMIT_IGE_ENCRYPT = 0,
    MTC_LIMIT_IGE_DECRYPT = 1,
    MTC_LIMIT_CBC_ENCRYPT = 2,
    MTC_LIMIT_CBC_DECRYPT = 3,
    MTC_LIMIT_CTR = 4
};
uint64_t mtc_limit_aes(const mtc_aes_impl *aes, int op, uint8_t *buf,
                       size_t len, uint64_t iters);
uint64_t mtc_limit_ige_many(const mtc_aes_impl *aes, uint8_t *buf,
                            size_t lanes, size_t lane_len, uint8_t *keyiv,
                            mtc_ige_job *jobs, uint64_t iters);
int mtc_limit_mtp(const mtc_kernels *k, int decrypt, uint8_t *buf,
                  size_t body_len, uint64_t iters, uint64_t *ns);
uint64_t mtc_limit_sha256(const mtc_sha_impl *sha, uint8_t *buf, size_t len,
                          uint64_t iters);

#ifdef __cplusplus
}
#endif

#endif /* MTC_H */
