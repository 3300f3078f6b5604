/*
 * mtp_x86ni.c: the fused MTProto 2.0 kernels on AES-NI and SHA-NI: IGE
 * decryption with the msg_key SHA-256 in the same pass
 * (mtc_x86ni_mtp_ige_decrypt_sha256, written once in mtp_vec.h; 512 KiB:
 * 600 -> 380 us here, the time of the IGE alone), and the KDF's two
 * SHA-256 blocks built and compressed in registers
 * (core.telegram.org/mtproto/description).
 *
 * Valgrind cannot run SHA-NI: these kernels are argued constant-time,
 * instruction by instruction, in tests/c/ctgrind.c, which a change here
 * must keep true.
 */
#include "aes_x86ni.h"
#include "sha_x86ni.h"

#if MTC_X86

/* The primitives of mtp_vec.h, which is included below. */
#define MTC_MTP_V_TARGET MTC_TARGET("sse2,ssse3,sse4.1,aes,sha")

MTC_SHA_NI_INLINE void mtc_mtp_v_sha_init(__m128i *abef, __m128i *cdgh)
{
    mtc_sha256_ni_load(mtc_sha256_iv, abef, cdgh);
}

#include "mtp_vec.h"

/* see inner.h */
MTC_TARGET_SHANI
void mtc_x86ni_mtp_kdf(const uint8_t auth_key[256], unsigned x,
                       const uint8_t msg_key[16], uint8_t aes_key[32],
                       uint8_t aes_iv[32])
{
    /* Words 13..15 of the one block of a 52-byte message: 0x80, then the
     * bit length 416 (FIPS 180-4 5.1.1); lane 0 is taken from elsewhere. */
    const __m128i tail = _mm_set_epi32(416, 0, (int)0x80000000u, 0);
    const uint8_t *k = auth_key + x;
    __m128i mk = mtc_sha_v_words(msg_key);
    __m128i a_abef, a_cdgh, b_abef, b_cdgh, a03, a47, b03, b47;

    /* Both blocks are built in registers (no block buffer to store and
     * reload) and compressed side by side. */
    mtc_sha256_ni_load(mtc_sha256_iv, &a_abef, &a_cdgh);
    b_abef = a_abef;
    b_cdgh = a_cdgh;
    /* sha256_a = SHA256(msg_key + substr(auth_key, x, 36)) */
    mtc_sha256_v_block(&a_abef, &a_cdgh, mk, mtc_sha_v_words(k),
                        mtc_sha_v_words(k + 16),
                        _mm_blend_epi16(mtc_sha_v_words(k + 32), tail,
                                        0xfc));
    /* sha256_b = SHA256(substr(auth_key, 40 + x, 36) + msg_key) */
    mtc_sha256_v_block(&b_abef, &b_cdgh, mtc_sha_v_words(k + 40),
                        mtc_sha_v_words(k + 56),
                        _mm_alignr_epi8(mk, mtc_sha_v_words(k + 60), 12),
                        _mm_blend_epi16(_mm_srli_si128(mk, 12), tail, 0xfc));
    mtc_sha256_ni_unpack(a_abef, a_cdgh, &a03, &a47);
    mtc_sha256_ni_unpack(b_abef, b_cdgh, &b03, &b47);
    /* aes_key = substr(a, 0, 8) + substr(b, 8, 16) + substr(a, 24, 8),
     * aes_iv = substr(b, 0, 8) + substr(a, 8, 16) + substr(b, 24, 8). */
    mtc_sha256_ni_put(aes_key, _mm_blend_epi16(a03, b03, 0xf0));
    mtc_sha256_ni_put(aes_key + 16, _mm_blend_epi16(b47, a47, 0xf0));
    mtc_sha256_ni_put(aes_iv, _mm_blend_epi16(b03, a03, 0xf0));
    mtc_sha256_ni_put(aes_iv + 16, _mm_blend_epi16(a47, b47, 0xf0));
}

#endif /* MTC_X86 */
