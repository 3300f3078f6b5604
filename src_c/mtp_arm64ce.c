/*
 * mtp_arm64ce.c: the fused MTProto 2.0 kernel on the ARMv8 Crypto
 * Extensions: IGE decryption with the msg_key's SHA-256 in the same pass
 * (mtc_arm64ce_mtp_ige_decrypt_sha256, written once in mtp_vec.h;
 * core.telegram.org/mtproto/description).
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

/* The primitives of mtp_vec.h, which is included below. */
#define MTC_MTP_V_TARGET MTC_TARGET_ARMCE

MTC_SHA_CE_INLINE void mtc_mtp_v_sha_init(uint32x4_t *abcd, uint32x4_t *efgh)
{
    *abcd = vld1q_u32(mtc_sha256_iv);
    *efgh = vld1q_u32(mtc_sha256_iv + 4);
}

#include "mtp_vec.h"

#endif /* MTC_ARM64 */
