# The C kernels (src_c/mtc.h), documented there.
from libc.stdint cimport uint8_t, uint64_t


cdef extern from "mtc.h" nogil:
    ctypedef struct mtc_aes256_keys:
        uint64_t w[120]

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

    const mtc_aes_impl *mtc_aes_get(const char *name)
    const mtc_aes_impl *mtc_aes_best(int force_portable)

    ctypedef struct mtc_ctr_stream:
        pass

    void mtc_ctr_init(const mtc_aes_impl *impl, mtc_ctr_stream *st,
                      const uint8_t *key, const uint8_t *iv)
    void mtc_ctr_update(const mtc_aes_impl *impl, mtc_ctr_stream *st,
                        const uint8_t *inp, uint8_t *out, size_t n) noexcept nogil

    unsigned MTC_CPU_AESNI
    unsigned MTC_CPU_VAES
    unsigned MTC_CPU_SHANI
    unsigned mtc_cpu_features()

    void mtc_memzero(void *p, size_t n) noexcept nogil
