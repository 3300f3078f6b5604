/*
 * mtp_vec.h: the fused MTProto 2.0 kernel, IGE decryption with the
 * msg_key's SHA-256 in the same pass (core.telegram.org/mtproto/
 * description), written once over the AES pieces of aes_vec.h and the
 * SHA-256 pieces of sha256_vec.h.  mtp_x86ni.c and mtp_arm64ce.c include
 * the two instruction set headers, define these primitives and then
 * include this file:
 * - MTC_MTP_V_TARGET, the target attribute of the AES and SHA-256
 *   instructions together;
 * - mtc_mtp_v_sha_init(s0, s1): the SHA-256 initial state (mtc_sha256_iv)
 *   into the two state vectors, in the lane order of sha256_vec.h.
 * Valgrind cannot run SHA-NI or AArch64 code here: this kernel is argued
 * constant-time, instruction by instruction, in tests/c/ctgrind.c, which
 * a change here must keep true.
 */
#ifndef MTC_MTP_VEC_H
#define MTC_MTP_VEC_H

/*
 * IGE decryption of n blocks and SHA256(prefix[0:32] + plaintext) into
 * digest in one pass.  The hashed message's block j is the plaintext's
 * bytes 64 j - 32 .. 64 j + 32 (block 0: the prefix and the first 32
 * bytes), so it is complete once AES block 4 j + 1 is stored.  It is
 * compressed a quarter at a time after AES blocks 4 j + 2 .. 4 j + 5, so
 * each AES block's rounds sit next to 16 SHA rounds in program order and
 * the two dependency chains (AES and SHA units) run side by side.  The
 * blocks the loop leaves and the padding follow in registers.
 */
MTC_MTP_V_TARGET
static void mtc_mtp_v_ige_dec_sha256(const uint8_t key[32],
                                     const uint8_t iv[32], const uint8_t *in,
                                     uint8_t *out, size_t n,
                                     const uint8_t prefix[32],
                                     uint8_t digest[32])
{
    mtc_aes_v dk[15];
    mtc_aes_v_chain st;
    mtc_sha256_v_run r;
    size_t done = 0; /* hash blocks compressed */

    /* p_i = D(c_i ^ p_{i-1}) ^ c_{i-1}; p_0 = iv[16:32], c_0 = iv[0:16] */
    mtc_aes_v_keys(dk, key, 1);
    mtc_aes_v_chain_init(&st, dk, mtc_aes_v_load(iv + 16), mtc_aes_v_load(iv),
                         in, 1);
    mtc_mtp_v_sha_init(&r.s0, &r.s1);
    size_t i = 0;
    for (; i < 2 && i + 1 < n; i++) {
        mtc_aes_v_chain_next(&st, dk, in + 16 * (i + 1), out + 16 * i, 1, 1);
    }
    /* AES blocks 4 j + 2 .. 4 j + 5 with hash block j. */
    for (; i + 4 < n; i += 4) {
        mtc_aes_v_chain_next(&st, dk, in + 16 * (i + 1), out + 16 * i, 1, 1);
        if (done == 0) {
            mtc_sha256_v_begin(&r, prefix, out);
        } else {
            const uint8_t *block = out + 64 * done - 32;
            mtc_sha256_v_begin(&r, block, block + 32);
        }
        mtc_sha256_v_quarter(&r, 0);
        mtc_aes_v_chain_next(&st, dk, in + 16 * (i + 2), out + 16 * (i + 1),
                             1, 1);
        mtc_sha256_v_quarter(&r, 1);
        mtc_aes_v_chain_next(&st, dk, in + 16 * (i + 3), out + 16 * (i + 2),
                             1, 1);
        mtc_sha256_v_quarter(&r, 2);
        mtc_aes_v_chain_next(&st, dk, in + 16 * (i + 4), out + 16 * (i + 3),
                             1, 1);
        mtc_sha256_v_quarter(&r, 3);
        done++;
    }
    for (; i + 1 < n; i++) {
        mtc_aes_v_chain_next(&st, dk, in + 16 * (i + 1), out + 16 * i, 1, 1);
    }
    mtc_aes_v_chain_last(&st, dk, out + 16 * (n - 1), 1);
    mtc_memzero(dk, sizeof dk);
    mtc_memzero(&st, sizeof st); /* it holds round keys XORed with data */
    mtc_sha256_v_prefixed_from(&r.s0, &r.s1, prefix, out, 16 * n, done,
                               digest);
    mtc_memzero(&r, sizeof r);
}

/* see inner.h */
MTC_AES_V_TARGET
void MTC_AES_V_KERNEL(mtp_ige_decrypt_sha256)(const uint8_t key[32],
                                              const uint8_t iv[32],
                                              const uint8_t *in, uint8_t *out,
                                              size_t len,
                                              const mtc_sha_impl *sha,
                                              const uint8_t prefix[32],
                                              uint8_t digest[32])
{
    if (len >= 16 && sha->sha256_blocks == MTC_AES_V_KERNEL(sha256_blocks)) {
        mtc_mtp_v_ige_dec_sha256(key, iv, in, out, len / 16, prefix, digest);
        return;
    }
    /* Without the SHA-256 instructions there is nothing to overlap. */
    MTC_AES_V_KERNEL(ige_decrypt)(key, iv, in, out, len);
    mtc_sha256_prefixed(sha, prefix, out, len & ~(size_t)15, digest);
}

#endif /* MTC_MTP_VEC_H */
