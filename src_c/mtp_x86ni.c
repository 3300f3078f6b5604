/*
 * mtp_x86ni.c: the fused MTProto 2.0 kernels on AES-NI and SHA-NI: IGE
 * decryption with the msg_key SHA-256 in the same pass, and the KDF's two
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

#define MTC_TARGET_AESNI_SHANI MTC_TARGET("sse2,ssse3,sse4.1,aes,sha")

/*
 * IGE decryption of n blocks and SHA256(prefix[0:32] + plaintext) into
 * digest in one pass, with SHA-NI.  The hashed message's block j is the
 * plaintext's bytes 64 j - 32 .. 64 j + 32 (block 0: the prefix and the
 * first 32 bytes), so it is complete once AES block 4 j + 1 is stored.
 * It is compressed a quarter at a time after AES blocks 4 j + 2 .. 4 j + 5,
 * so each AES block's rounds sit next to 16 SHA rounds in program order
 * and the two dependency chains (AES and SHA units) run side by side
 * (512 KiB: 600 -> 380 us here, the time of the IGE alone).  The blocks
 * the loop leaves and the padding follow in registers.
 *
 */
MTC_TARGET_AESNI_SHANI
static void mtc_ni_ige_dec_sha256_ni(const uint8_t key[32],
                                     const uint8_t iv[32], const uint8_t *in,
                                     uint8_t *out, size_t n,
                                     const uint8_t prefix[32],
                                     uint8_t digest[32])
{
    __m128i dk[15];
    mtc_ni_ige_dec_state st;
    mtc_sha256_v_run r;
    size_t done = 0; /* hash blocks compressed */

    mtc_ni_ige_dec_keys(dk, key);
    mtc_ni_ige_dec_init(&st, dk, iv, in);
    mtc_sha256_ni_load(mtc_sha256_iv, &r.s0, &r.s1);
    size_t i = 0;
    for (; i < 2 && i + 1 < n; i++) {
        mtc_ni_ige_dec_next(&st, dk, in + 16 * (i + 1), out + 16 * i);
    }
    /* AES blocks 4 j + 2 .. 4 j + 5 with hash block j. */
    for (; i + 4 < n; i += 4) {
        mtc_ni_ige_dec_next(&st, dk, in + 16 * (i + 1), out + 16 * i);
        if (done == 0) {
            mtc_sha256_v_begin(&r, prefix, out);
        } else {
            const uint8_t *block = out + 64 * done - 32;
            mtc_sha256_v_begin(&r, block, block + 32);
        }
        mtc_sha256_v_quarter(&r, 0);
        mtc_ni_ige_dec_next(&st, dk, in + 16 * (i + 2), out + 16 * (i + 1));
        mtc_sha256_v_quarter(&r, 1);
        mtc_ni_ige_dec_next(&st, dk, in + 16 * (i + 3), out + 16 * (i + 2));
        mtc_sha256_v_quarter(&r, 2);
        mtc_ni_ige_dec_next(&st, dk, in + 16 * (i + 4), out + 16 * (i + 3));
        mtc_sha256_v_quarter(&r, 3);
        done++;
    }
    for (; i + 1 < n; i++) {
        mtc_ni_ige_dec_next(&st, dk, in + 16 * (i + 1), out + 16 * i);
    }
    mtc_ni_ige_dec_last(&st, dk, out + 16 * (n - 1));
    mtc_ni_wipe(dk, 15);
    mtc_memzero(&st, sizeof st); /* last holds dk[14] ^ c, key material */
    mtc_sha256_v_prefixed_from(&r.s0, &r.s1, prefix, out, 16 * n, done,
                               digest);
    mtc_memzero(&r, sizeof r);
}

/* see inner.h */
MTC_TARGET_AESNI
void mtc_x86ni_mtp_ige_decrypt_sha256(const uint8_t key[32],
                                  const uint8_t iv[32], const uint8_t *in,
                                  uint8_t *out, size_t len,
                                  const mtc_sha_impl *sha,
                                  const uint8_t prefix[32],
                                  uint8_t digest[32])
{
    if (len >= 16 && sha->sha256_blocks == mtc_x86ni_sha256_blocks) {
        mtc_ni_ige_dec_sha256_ni(key, iv, in, out, len / 16, prefix, digest);
        return;
    }
    /* Without SHA-NI there is nothing to overlap. */
    mtc_x86ni_ige_decrypt(key, iv, in, out, len);
    mtc_sha256_prefixed(sha, prefix, out, len & ~(size_t)15, digest);
}

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
