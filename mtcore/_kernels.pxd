# The C kernels (src_c/mtc.h), documented there.
from libc.stdint cimport int32_t, uint8_t, uint32_t, uint64_t


cdef extern from "mtc.h" nogil:
    ctypedef struct mtc_aes256_keys:
        uint64_t w[120]

    ctypedef struct mtc_ige_job:
        const uint8_t *key
        const uint8_t *iv
        const uint8_t *inp "in"
        uint8_t *out
        size_t len

    ctypedef struct mtc_aes_impl:
        const char *name
        void (*ige_encrypt)(const uint8_t *key, const uint8_t *iv,
                            const uint8_t *inp, uint8_t *out, size_t n) noexcept nogil
        void (*ige_decrypt)(const uint8_t *key, const uint8_t *iv,
                            const uint8_t *inp, uint8_t *out, size_t n) noexcept nogil
        void (*cbc_encrypt)(const uint8_t *key, uint8_t *iv,
                            const uint8_t *inp, uint8_t *out, size_t n) noexcept nogil
        void (*cbc_decrypt)(const uint8_t *key, uint8_t *iv,
                            const uint8_t *inp, uint8_t *out, size_t n) noexcept nogil
        void (*ige_many)(int decrypt, const mtc_ige_job *jobs,
                         size_t count) noexcept nogil

    const mtc_aes_impl *mtc_aes_at(size_t i)
    const mtc_aes_impl *mtc_aes_get(const char *name)
    const mtc_aes_impl *mtc_aes_best(int force_portable)

    ctypedef struct mtc_sha_impl:
        const char *name

    const mtc_sha_impl *mtc_sha_at(size_t i)
    const mtc_sha_impl *mtc_sha_get(const char *name)
    const mtc_sha_impl *mtc_sha_best(int force_portable)

    ctypedef struct mtc_sha256_ctx:
        pass

    ctypedef struct mtc_sha1_ctx:
        pass

    void mtc_sha256_init(mtc_sha256_ctx *ctx, const mtc_sha_impl *impl)
    void mtc_sha256_update(mtc_sha256_ctx *ctx, const void *data, size_t n)
    void mtc_sha256_final(mtc_sha256_ctx *ctx, uint8_t *out)
    void mtc_sha256(const mtc_sha_impl *impl, const void *data, size_t n,
                    uint8_t *out)
    void mtc_sha1(const mtc_sha_impl *impl, const void *data, size_t n,
                  uint8_t *out)
    void mtc_sha1_init(mtc_sha1_ctx *ctx, const mtc_sha_impl *impl)
    void mtc_sha1_update(mtc_sha1_ctx *ctx, const void *data, size_t n)
    void mtc_sha1_final(mtc_sha1_ctx *ctx, uint8_t *out)

    ctypedef struct mtc_kernels:
        const mtc_aes_impl *aes
        const mtc_sha_impl *sha

    void mtc_mtp_key_id(const mtc_sha_impl *sha, const uint8_t *auth_key,
                        uint8_t *key_id, uint8_t *aux_hash)
    void mtc_mtp_msg_key_large(const mtc_sha_impl *sha,
                               const uint8_t *auth_key, unsigned x,
                               const uint8_t *a, size_t alen,
                               const uint8_t *b, size_t blen, uint8_t *out)
    void mtc_mtp_kdf(const mtc_sha_impl *sha, const uint8_t *auth_key,
                     unsigned x, const uint8_t *msg_key, uint8_t *aes_key,
                     uint8_t *aes_iv)
    size_t mtc_mtp_padding(size_t n)
    void mtc_mtp_encrypt(const mtc_kernels *k, const uint8_t *auth_key,
                         const uint8_t *key_id, unsigned x, uint8_t *out,
                         size_t n)
    void mtc_mtp_encrypt_many(const mtc_kernels *k, const uint8_t *auth_key,
                              const uint8_t *key_id, unsigned x,
                              mtc_ige_job *jobs, size_t count,
                              uint8_t *keyiv)
    enum:
        MTC_MTP_OK
        MTC_MTP_BAD_KEY_ID
        MTC_MTP_BAD_LENGTH
        MTC_MTP_BAD_MSG_KEY
        MTC_MTP_BAD_DATA_LENGTH
    int mtc_mtp_decrypt(const mtc_kernels *k, const uint8_t *auth_key,
                        const uint8_t *key_id, unsigned x,
                        const uint8_t *packet, size_t n, uint8_t *out,
                        int32_t *data_len)
    int mtc_random(const mtc_aes_impl *aes, uint8_t *out, size_t n)
    enum:
        MTC_PQ_OK
        MTC_PQ_TOO_SMALL
    int mtc_factorize_pq(uint64_t pq, uint64_t *p, uint64_t *q)
    enum:
        MTC_MODEXP_MAX_BYTES
    int mtc_modexp(uint8_t *out, const uint8_t *base, const uint8_t *exp,
                   size_t exp_len, const uint8_t *mod, size_t mod_len)
    int mtc_ct_equal(const uint8_t *a, const uint8_t *b, size_t n)

    ctypedef struct mtc_ctr_pos:
        uint8_t ctr[16]
        unsigned offset

    ctypedef struct mtc_ctr_stream:
        mtc_aes256_keys ks
        mtc_ctr_pos pos

    void mtc_ctr_init(const mtc_aes_impl *impl, mtc_ctr_stream *st,
                      const uint8_t *key, const uint8_t *iv)
    void mtc_ctr_update(const mtc_aes_impl *impl, mtc_ctr_stream *st,
                        const uint8_t *inp, uint8_t *out, size_t n) noexcept nogil
    void mtc_ctr_xor(const mtc_aes_impl *impl, const mtc_aes256_keys *ks,
                     mtc_ctr_pos *pos, const uint8_t *inp, uint8_t *out,
                     size_t n) noexcept nogil
    void mtc_ctr_skip(const mtc_aes_impl *impl, const mtc_aes256_keys *ks,
                      mtc_ctr_pos *pos, size_t n) noexcept nogil

    ctypedef struct mtc_span:
        const uint8_t *p
        size_t len
        int write
    int mtc_spans_conflict(mtc_span *spans, size_t n) noexcept nogil

    unsigned MTC_CPU_AESNI
    unsigned MTC_CPU_VAES
    unsigned MTC_CPU_SHANI
    unsigned MTC_CPU_ARMAES
    unsigned MTC_CPU_ARMSHA
    unsigned MTC_CPU_SSSE3
    unsigned mtc_cpu_features()

    void mtc_memzero(void *p, size_t n) noexcept nogil

    # Limit loops, for the benchmark only (src_c/bench_limits.c).
    enum:
        MTC_LIMIT_IGE_ENCRYPT
        MTC_LIMIT_IGE_DECRYPT
        MTC_LIMIT_CBC_ENCRYPT
        MTC_LIMIT_CBC_DECRYPT
        MTC_LIMIT_CTR
    uint64_t mtc_limit_aes(const mtc_aes_impl *aes, int op, uint8_t *buf,
                           size_t n, uint64_t iters) noexcept nogil
    uint64_t mtc_limit_ige_many(const mtc_aes_impl *aes, uint8_t *buf,
                                size_t lanes, size_t lane_len,
                                uint8_t *keyiv, mtc_ige_job *jobs,
                                uint64_t iters) noexcept nogil
    int mtc_limit_mtp(const mtc_kernels *k, int decrypt, uint8_t *buf,
                      size_t body_len, uint64_t iters,
                      uint64_t *ns) noexcept nogil
    uint64_t mtc_limit_sha256(const mtc_sha_impl *sha, uint8_t *buf,
                              size_t n, uint64_t iters) noexcept nogil


# The byte-order helpers of src_c/inner.h (through memcpy: alignment-safe).
cdef extern from "inner.h" nogil:
    uint64_t mtc_dec64le(const uint8_t *p)
    void mtc_enc64le(uint8_t *p, uint64_t x)
    uint32_t mtc_dec32le(const uint8_t *p)
    void mtc_enc32le(uint8_t *p, uint32_t x)
    void mtc_ctr_add(uint8_t *ctr, uint64_t n)
