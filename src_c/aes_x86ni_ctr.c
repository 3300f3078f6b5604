/*
 * aes_x86ni_ctr.c: AES-256-CTR with AES-NI, eight blocks in flight.
 */
#include "aes_x86ni.h"

#if MTC_X86

/* see inner.h */
MTC_TARGET_AESNI
void mtc_x86ni_ctr_key(mtc_aes256_keys *ks, const uint8_t key[32])
{
    __m128i rk[15];
    mtc_ni_key_enc(rk, key);
    for (int i = 0; i < 15; i++) {
        mtc_ni_store((uint8_t *)ks->w + 16 * i, rk[i]);
    }
    mtc_ni_wipe(rk, 15);
}

/*
 * XORs the keystream of n blocks (n a constant at every call site, so the
 * loops unroll into registers) into in -> out, for the counters (hi, lo),
 * (hi, lo + 1), ... (mod 2^128).
 */
MTC_NI_INLINE void mtc_ni_ctr_run(const __m128i rk[15], uint64_t hi,
                                  uint64_t lo, const uint8_t *in,
                                  uint8_t *out, const size_t n)
{
    __m128i s[8];
    for (size_t j = 0; j < n; j++) {
        __m128i c = _mm_set_epi64x((long long)(hi + mtc_carry64(lo, j)),
                                   (long long)(lo + j));
        s[j] = _mm_xor_si128(mtc_ni_bswap(c), rk[0]);
    }
    for (int r = 1; r < 14; r++) {
        for (size_t j = 0; j < n; j++) {
            s[j] = _mm_aesenc_si128(s[j], rk[r]);
        }
    }
    for (size_t j = 0; j < n; j++) {
        s[j] = _mm_aesenclast_si128(s[j], rk[14]);
        mtc_ni_store(out + 16 * j,
                     _mm_xor_si128(s[j], mtc_ni_load(in + 16 * j)));
    }
}

/* see inner.h */
MTC_TARGET_AESNI
void mtc_x86ni_ctr_blocks(const mtc_aes256_keys *ks, uint8_t ctr[16],
                          const uint8_t *in, uint8_t *out, size_t nblocks)
{
    __m128i rk[15];
    uint64_t hi = mtc_dec64be(ctr), lo = mtc_dec64be(ctr + 8);

    for (int i = 0; i < 15; i++) {
        rk[i] = mtc_ni_load((const uint8_t *)ks->w + 16 * i);
    }
    while (nblocks > 0) {
        size_t n = nblocks >= 8 ? 8 : 1;
        if (n == 8) {
            mtc_ni_ctr_run(rk, hi, lo, in, out, 8);
        } else {
            mtc_ni_ctr_run(rk, hi, lo, in, out, 1);
        }
        hi += mtc_carry64(lo, n);
        lo += n;
        in += 16 * n;
        out += 16 * n;
        nblocks -= n;
    }
    mtc_enc64be(ctr, hi);
    mtc_enc64be(ctr + 8, lo);
    mtc_ni_wipe(rk, 15);
}

#endif /* MTC_X86 */
