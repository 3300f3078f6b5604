/*
 * mtp_arm64ce.c: the fused MTProto 2.0 kernel on the ARMv8 Crypto
 * Extensions: IGE decryption with the msg_key's SHA-256 in the same pass
 * (core.telegram.org/mtproto/description).
 *
 * Why fusing pays, reasoned from published latencies (no AArch64 hardware
 * here to measure it).  IGE decryption is one dependency chain of 27 AES
 * instructions a block, about 28 cycles a 16-byte block on Cortex-A76
 * (aes_arm64ce.h), during which the two AES pipelines are mostly idle.  The
 * SHA-256 of the same bytes is a second, independent chain: 16 steps of
 * SHA256H/SHA256H2 (4 cycles each) a 64-byte block, some 64 cycles, 16 a
 * 16-byte block (sha_arm64ce.c).  One after the other they take about
 * 28 + 16 = 44 cycles a 16-byte block; with each AES block's rounds next to
 * 16 SHA rounds in program order the out-of-order core (or the compiler's
 * schedule, on an in-order core) runs the two chains side by side, so the
 * pair costs about the IGE alone: roughly a third less time for MTProto's
 * decryption.
 *
 * Valgrind cannot run AArch64 code here: this kernel is argued
 * constant-time, instruction by instruction, in tests/c/ctgrind.c, which a
 * change here must keep true.
 */
#include "aes_arm64ce.h"
#include "sha_arm64ce.h"

#if MTC_ARM64

/*
 * IGE decryption of n blocks and SHA256(prefix[0:32] + plaintext) into
 * digest in one pass.  The hashed message's block j is the plaintext's
 * bytes 64 j - 32 .. 64 j + 32 (block 0: the prefix and the first 32
 * bytes), so it is complete once AES block 4 j + 1 is stored.  It is
 * compressed a quarter at a time after AES blocks 4 j + 2 .. 4 j + 5, the
 * same schedule as mtp_x86ni.c.  The blocks the loop leaves and the
 * padding follow in registers.
 */
MTC_TARGET_ARMCE
static void mtc_ce_ige_dec_sha256(const uint8_t key[32], const uint8_t iv[32],
                                  const uint8_t *in, uint8_t *out, size_t n,
                                  const uint8_t prefix[32],
                                  uint8_t digest[32])
{
    uint8x16_t dk[15];
    mtc_ce_ige_state st;
    mtc_sha256_v_run r;
    size_t done = 0; /* hash blocks compressed */

    mtc_ce_keys(dk, key, 1);
    mtc_ce_ige_init(&st, dk, iv, in, 1);
    r.s0 = vld1q_u32(mtc_sha256_iv);
    r.s1 = vld1q_u32(mtc_sha256_iv + 4);
    size_t i = 0;
    for (; i < 2 && i + 1 < n; i++) {
        mtc_ce_ige_next(&st, dk, in + 16 * (i + 1), out + 16 * i, 1);
    }
    /* AES blocks 4 j + 2 .. 4 j + 5 with hash block j. */
    for (; i + 4 < n; i += 4) {
        mtc_ce_ige_next(&st, dk, in + 16 * (i + 1), out + 16 * i, 1);
        if (done == 0) {
            mtc_sha256_v_begin(&r, prefix, out);
        } else {
            const uint8_t *block = out + 64 * done - 32;
            mtc_sha256_v_begin(&r, block, block + 32);
        }
        mtc_sha256_v_quarter(&r, 0);
        mtc_ce_ige_next(&st, dk, in + 16 * (i + 2), out + 16 * (i + 1), 1);
        mtc_sha256_v_quarter(&r, 1);
        mtc_ce_ige_next(&st, dk, in + 16 * (i + 3), out + 16 * (i + 2), 1);
        mtc_sha256_v_quarter(&r, 2);
        mtc_ce_ige_next(&st, dk, in + 16 * (i + 4), out + 16 * (i + 3), 1);
        mtc_sha256_v_quarter(&r, 3);
        done++;
    }
    for (; i + 1 < n; i++) {
        mtc_ce_ige_next(&st, dk, in + 16 * (i + 1), out + 16 * i, 1);
    }
    mtc_ce_ige_last(&st, dk, out + 16 * (n - 1));
    mtc_memzero(dk, sizeof dk);
    mtc_memzero(&st, sizeof st); /* k0k14 is key material */
    mtc_sha256_v_prefixed_from(&r.s0, &r.s1, prefix, out, 16 * n, done,
                               digest);
    mtc_memzero(&r, sizeof r);
}

/* see inner.h */
MTC_TARGET_ARMCE
void mtc_arm64ce_mtp_ige_decrypt_sha256(const uint8_t key[32],
                                        const uint8_t iv[32],
                                        const uint8_t *in, uint8_t *out,
                                        size_t len, const mtc_sha_impl *sha,
                                        const uint8_t prefix[32],
                                        uint8_t digest[32])
{
    if (len >= 16 && sha->sha256_blocks == mtc_arm64ce_sha256_blocks) {
        mtc_ce_ige_dec_sha256(key, iv, in, out, len / 16, prefix, digest);
        return;
    }
    /* Without the SHA instructions there is nothing to overlap. */
    mtc_arm64ce_ige_decrypt(key, iv, in, out, len);
    mtc_sha256_prefixed(sha, prefix, out, len & ~(size_t)15, digest);
}

#endif /* MTC_ARM64 */
