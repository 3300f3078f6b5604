/*
 * aes_x86vaes.c: AES-256-CTR and CBC decryption with VAES on 512-bit
 * registers: four blocks per instruction, 32 blocks in flight.
 *
 * Valgrind cannot run this file's kernels: they are argued constant-time,
 * instruction by instruction, in tests/c/ctgrind.c, which a change here
 * must keep true.
 */
#include "aes_x86ni.h"

#if MTC_X86

#define MTC_VAES_INLINE MTC_INLINE MTC_TARGET_VAES

/* Below this many blocks the AES-NI kernels win (no key broadcast). */
#define MTC_VAES_MIN_BLOCKS 8

MTC_VAES_INLINE void mtc_vaes_keys(__m512i k[15], const __m128i rk[15])
{
    for (int i = 0; i < 15; i++) {
        k[i] = _mm512_broadcast_i32x4(rk[i]);
    }
}

/* Reverses the bytes of each 128-bit lane. */
MTC_VAES_INLINE __m512i mtc_vaes_bswap(__m512i x)
{
    const __m512i rev = _mm512_broadcast_i32x4(_mm_set_epi8(
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    return _mm512_shuffle_epi8(x, rev);
}

/*
 * Adds d to the (lo, hi) qword pairs of every lane, carrying from lo to hi
 * with mask operations rather than branches (the counter may be secret).
 */
MTC_VAES_INLINE __m512i mtc_vaes_ctr_add(__m512i c, __m512i d)
{
    __m512i sum = _mm512_add_epi64(c, d);
    /* A low qword wrapped iff it ended below what was added. */
    __mmask8 wrapped = _mm512_cmplt_epu64_mask(sum, d) & 0x55;
    return _mm512_mask_add_epi64(sum, (__mmask8)(wrapped << 1), sum,
                                 _mm512_set1_epi64(1));
}

/*
 * XORs the keystream of 4 * regs blocks (regs a constant at every call
 * site) into in -> out.  c holds the first four counters as (lo, hi)
 * little-endian qword pairs; returns the four after the run.
 */
MTC_VAES_INLINE __m512i mtc_vaes_ctr_run(const __m512i k[15], __m512i c,
                                         const uint8_t *in, uint8_t *out,
                                         const size_t regs)
{
    __m512i s[8];
    for (size_t j = 0; j < regs; j++) {
        /* Independent adds from c, not a chain, to keep them off the
         * critical path. */
        __m512i d = _mm512_set1_epi64((long long)(4 * j));
        d = _mm512_maskz_mov_epi64(0x55, d);
        s[j] = _mm512_xor_si512(mtc_vaes_bswap(mtc_vaes_ctr_add(c, d)), k[0]);
    }
    c = mtc_vaes_ctr_add(c, _mm512_maskz_mov_epi64(
        0x55, _mm512_set1_epi64((long long)(4 * regs))));
    for (int r = 1; r < 14; r++) {
        for (size_t j = 0; j < regs; j++) {
            s[j] = _mm512_aesenc_epi128(s[j], k[r]);
        }
    }
    for (size_t j = 0; j < regs; j++) {
        s[j] = _mm512_aesenclast_epi128(s[j], k[14]);
        _mm512_storeu_si512(
            (void *)(out + 64 * j),
            _mm512_xor_si512(s[j],
                             _mm512_loadu_si512((const void *)(in + 64 * j))));
    }
    return c;
}

/* see inner.h */
MTC_TARGET_VAES
void mtc_x86vaes_ctr_blocks(const mtc_aes256_keys *ks, uint8_t ctr[16],
                            const uint8_t *in, uint8_t *out, size_t nblocks)
{
    __m128i rk[15];
    __m512i k[15];

    if (nblocks < MTC_VAES_MIN_BLOCKS) {
        mtc_x86ni_ctr_blocks(ks, ctr, in, out, nblocks);
        return;
    }
    for (int i = 0; i < 15; i++) {
        rk[i] = mtc_ni_load((const uint8_t *)ks->w + 16 * i);
    }
    mtc_vaes_keys(k, rk);
    /* Lanes 0..3: the counters ctr + 0..3 as (lo, hi) qword pairs. */
    __m512i c = mtc_vaes_ctr_add(
        _mm512_broadcast_i32x4(mtc_ni_bswap(mtc_ni_load(ctr))),
        _mm512_set_epi64(0, 3, 0, 2, 0, 1, 0, 0));
    for (; nblocks >= 32; nblocks -= 32, in += 512, out += 512) {
        c = mtc_vaes_ctr_run(k, c, in, out, 8);
    }
    for (; nblocks >= 4; nblocks -= 4, in += 64, out += 64) {
        c = mtc_vaes_ctr_run(k, c, in, out, 1);
    }
    mtc_ni_store(ctr, mtc_ni_bswap(_mm512_castsi512_si128(c)));
    mtc_ni_wipe(rk, 15);
    mtc_memzero(k, sizeof k);
    if (nblocks > 0) {
        mtc_x86ni_ctr_blocks(ks, ctr, in, out, nblocks);
    }
}

/*
 * Decrypts 4 * regs blocks (regs a constant at every call site); lane 3 of
 * prev is the ciphertext block before them.  All are loaded before any is
 * stored, so in == out works.  Returns the last four ciphertext blocks.
 */
MTC_VAES_INLINE __m512i mtc_vaes_cbc_dec_run(const __m512i k[15],
                                             __m512i prev, const uint8_t *in,
                                             uint8_t *out, const size_t regs)
{
    __m512i c[8], s[8];
    for (size_t j = 0; j < regs; j++) {
        c[j] = _mm512_loadu_si512((const void *)(in + 64 * j));
        s[j] = _mm512_xor_si512(c[j], k[0]);
    }
    for (int r = 1; r < 14; r++) {
        for (size_t j = 0; j < regs; j++) {
            s[j] = _mm512_aesdec_epi128(s[j], k[r]);
        }
    }
    for (size_t j = 0; j < regs; j++) {
        /* The four blocks before c[j]: the last lane of the register
         * before, then c[j]'s first three. */
        __m512i before = _mm512_alignr_epi64(c[j], j ? c[j - 1] : prev, 6);
        s[j] = _mm512_aesdeclast_epi128(s[j], _mm512_xor_si512(k[14], before));
        _mm512_storeu_si512((void *)(out + 64 * j), s[j]);
    }
    return c[regs - 1];
}

/* see inner.h */
MTC_TARGET_VAES
void mtc_x86vaes_cbc_decrypt(const uint8_t key[32], uint8_t iv[16],
                             const uint8_t *in, uint8_t *out, size_t len)
{
    __m128i rk[15], dk[15];
    __m512i k[15];
    size_t n = len / 16;

    if (n < MTC_VAES_MIN_BLOCKS) {
        mtc_x86ni_cbc_decrypt(key, iv, in, out, len);
        return;
    }
    mtc_ni_key_enc(rk, key);
    mtc_ni_key_dec(dk, rk);
    mtc_vaes_keys(k, dk);
    __m512i prev = _mm512_broadcast_i32x4(mtc_ni_load(iv));
    for (; n >= 32; n -= 32, in += 512, out += 512) {
        prev = mtc_vaes_cbc_dec_run(k, prev, in, out, 8);
    }
    for (; n >= 4; n -= 4, in += 64, out += 64) {
        prev = mtc_vaes_cbc_dec_run(k, prev, in, out, 1);
    }
    mtc_ni_store(iv, _mm512_extracti32x4_epi32(prev, 3));
    mtc_ni_wipe(rk, 15);
    mtc_ni_wipe(dk, 15);
    mtc_memzero(k, sizeof k);
    if (n > 0) {
        mtc_x86ni_cbc_decrypt(key, iv, in, out, 16 * n);
    }
}

#endif /* MTC_X86 */
