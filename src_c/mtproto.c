/*
 * mtproto.c: MTProto 2.0 message encryption and the receiver's checks,
 * as in core.telegram.org/mtproto/description.
 */
#include "inner.h"

/* see mtc.h */
void mtc_mtp_key_id(const mtc_sha_impl *sha, const uint8_t auth_key[256],
                    uint8_t key_id[8], uint8_t aux_hash[8])
{
    mtc_sha1_ctx ctx;
    uint8_t h[20];

    mtc_sha1_init(&ctx, sha);
    mtc_sha1_update(&ctx, auth_key, 256);
    mtc_sha1_final(&ctx, h);
    /* auth_key_id = SHA1(auth_key)[12:20]; aux_hash = SHA1(auth_key)[0:8] */
    memcpy(key_id, h + 12, 8);
    memcpy(aux_hash, h, 8);
    mtc_memzero(h, sizeof h);
}

/* see mtc.h */
void mtc_mtp_msg_key_large(const mtc_sha_impl *sha,
                           const uint8_t auth_key[256], unsigned x,
                           const uint8_t *a, size_t alen,
                           const uint8_t *b, size_t blen,
                           uint8_t out[32])
{
    mtc_sha256_ctx ctx;

    /* msg_key_large = SHA256(substr(auth_key, 88 + x, 32) + plaintext) */
    if (blen == 0) {
        mtc_sha256_prefixed(sha, auth_key + 88 + x, a, alen, out);
        return;
    }
    mtc_sha256_init(&ctx, sha);
    mtc_sha256_update(&ctx, auth_key + 88 + x, 32);
    mtc_sha256_update(&ctx, a, alen);
    mtc_sha256_update(&ctx, b, blen);
    mtc_sha256_final(&ctx, out);
}

/*
 * One-block SHA-256 message of a 52-byte input: the input, 0x80, zeros
 * and the bit length 416 (FIPS 180-4 5.1.1).
 */
MTC_INLINE void mtc_kdf_block(uint8_t block[64], const uint8_t *p,
                              size_t plen, const uint8_t *q)
{
    memcpy(block, p, plen);
    memcpy(block + plen, q, 52 - plen);
    block[52] = 0x80;
    memset(block + 53, 0, 9);
    block[62] = 416 >> 8;
    block[63] = 416 & 0xff;
}

/* see mtc.h */
void mtc_mtp_kdf(const mtc_sha_impl *sha, const uint8_t auth_key[256],
                 unsigned x, const uint8_t msg_key[16], uint8_t aes_key[32],
                 uint8_t aes_iv[32])
{
    uint8_t blocks[2][64];
    uint32_t a[8], b[8];

    if (sha->mtp_kdf != NULL) {
        sha->mtp_kdf(auth_key, x, msg_key, aes_key, aes_iv);
        return;
    }

    /*
     * sha256_a = SHA256(msg_key + substr(auth_key, x, 36)),
     * sha256_b = SHA256(substr(auth_key, 40 + x, 36) + msg_key): 52 bytes
     * each, one block each.  Both blocks are built first and compressed
     * without a streaming context, so the two compressions overlap (about
     * 30 ns less a message than two contexts).
     */
    mtc_kdf_block(blocks[0], msg_key, 16, auth_key + x);
    mtc_kdf_block(blocks[1], auth_key + 40 + x, 36, msg_key);
    memcpy(a, mtc_sha256_iv, sizeof a);
    memcpy(b, mtc_sha256_iv, sizeof b);
    sha->sha256_blocks(a, blocks[0], 1);
    sha->sha256_blocks(b, blocks[1], 1);
    /*
     * aes_key = substr(a, 0, 8) + substr(b, 8, 16) + substr(a, 24, 8),
     * aes_iv = substr(b, 0, 8) + substr(a, 8, 16) + substr(b, 24, 8),
     * in the digests' big-endian 32-bit words.
     */
    for (int i = 0; i < 8; i++) {
        int from_a = i < 2 || i >= 6;
        mtc_enc32be(aes_key + 4 * i, from_a ? a[i] : b[i]);
        mtc_enc32be(aes_iv + 4 * i, from_a ? b[i] : a[i]);
    }
    mtc_memzero(blocks, sizeof blocks);
    mtc_memzero(a, sizeof a);
    mtc_memzero(b, sizeof b);
}

/* see mtc.h */
size_t mtc_mtp_padding(size_t n)
{
    return 12 + ((16 - (n + 12) % 16) % 16);
}

/* see mtc.h */
void mtc_mtp_encrypt(const mtc_kernels *k, const uint8_t auth_key[256],
                     const uint8_t key_id[8], unsigned x, uint8_t *out,
                     size_t n)
{
    uint8_t large[32], key[32], iv[32];

    mtc_mtp_msg_key_large(k->sha, auth_key, x, out + 24, n, NULL, 0, large);
    memcpy(out, key_id, 8);
    /* msg_key = substr(msg_key_large, 8, 16) */
    memcpy(out + 8, large + 8, 16);
    mtc_mtp_kdf(k->sha, auth_key, x, large + 8, key, iv);
    k->aes->ige_encrypt(key, iv, out + 24, out + 24, n);
    mtc_memzero(large, sizeof large);
    mtc_memzero(key, sizeof key);
    mtc_memzero(iv, sizeof iv);
}

/*
 * Batches of at least MTC_MTP_MANY_MIN messages hash their msg_keys with
 * the SHA kernel's batch function where it has one, MTC_MTP_MANY_CHUNK
 * messages a call.
 */
#define MTC_MTP_MANY_MIN 8
#define MTC_MTP_MANY_CHUNK 64

/* see mtc.h */
void mtc_mtp_encrypt_many(const mtc_kernels *k, const uint8_t auth_key[256],
                          const uint8_t key_id[8], unsigned x,
                          mtc_ige_job *jobs, size_t count, uint8_t *keyiv)
{
    uint8_t large[MTC_MTP_MANY_CHUNK][32];
    const uint8_t *data[MTC_MTP_MANY_CHUNK];
    size_t len[MTC_MTP_MANY_CHUNK];
    int many = k->sha->sha256_prefixed_many != NULL
               && count >= MTC_MTP_MANY_MIN;

    for (size_t c = 0; c < count; c += MTC_MTP_MANY_CHUNK) {
        size_t m = count - c < MTC_MTP_MANY_CHUNK ? count - c
                                                  : MTC_MTP_MANY_CHUNK;
        for (size_t i = 0; i < m; i++) {
            data[i] = jobs[c + i].out + 24;
            len[i] = jobs[c + i].len;
            if (!many) {
                mtc_mtp_msg_key_large(k->sha, auth_key, x, data[i], len[i],
                                      NULL, 0, large[i]);
            }
        }
        if (many) {
            k->sha->sha256_prefixed_many(auth_key + 88 + x, data, len, m,
                                         large[0]);
        }
        for (size_t i = 0; i < m; i++) {
            mtc_ige_job *j = &jobs[c + i];
            uint8_t *key = keyiv + 64 * (c + i);
            memcpy(j->out, key_id, 8);
            /* msg_key = substr(msg_key_large, 8, 16) */
            memcpy(j->out + 8, large[i] + 8, 16);
            mtc_mtp_kdf(k->sha, auth_key, x, large[i] + 8, key, key + 32);
            j->key = key;
            j->iv = key + 32;
            j->in = j->out + 24;
            j->out += 24;
        }
    }
    k->aes->ige_many(0, jobs, count);
    for (size_t i = 0; i < count; i++) {
        jobs[i].out -= 24;
    }
    mtc_memzero(large, sizeof large);
    mtc_memzero(keyiv, 64 * count);
}

/* see mtc.h */
int mtc_mtp_decrypt(const mtc_kernels *k, const uint8_t auth_key[256],
                    const uint8_t key_id[8], unsigned x,
                    const uint8_t *packet, size_t len, uint8_t *out,
                    int32_t *data_len)
{
    uint8_t large[32], key[32], iv[32], msg_key[16];
    size_t n = len - 24;

    /* Public checks first: the key id and the packet's length. */
    if (len >= 8 && memcmp(packet, key_id, 8) != 0) {
        return MTC_MTP_BAD_KEY_ID;
    }
    if (len < 72 || (len - 24) % 16 != 0) {
        return MTC_MTP_BAD_LENGTH;
    }
    memcpy(msg_key, packet + 8, 16);
    mtc_mtp_kdf(k->sha, auth_key, x, msg_key, key, iv);
    if (k->aes->ige_decrypt_sha256 != NULL) {
        /* One pass: each block is hashed as soon as it is decrypted. */
        k->aes->ige_decrypt_sha256(key, iv, packet + 24, out, n, k->sha,
                                   auth_key + 88 + x, large);
    } else {
        k->aes->ige_decrypt(key, iv, packet + 24, out, n);
        mtc_mtp_msg_key_large(k->sha, auth_key, x, out, n, NULL, 0, large);
    }
    mtc_memzero(key, sizeof key);
    mtc_memzero(iv, sizeof iv);

    /*
     * Both checks are computed before either is reported, and neither
     * branches on the decrypted bytes: until the msg_key check has passed
     * they are unauthenticated, and the time a length check takes on them
     * would tell whoever forged the packet something of its plaintext (the
     * timing attack of Albrecht, Marekova, Paterson and Stepanovs, "Four
     * Attacks and a Proof for Telegram", 2022, on clients that checked the
     * length first).  The length is good (padding 12..1024, length >= 0
     * and a multiple of 4) when none of the values ORed into bad is
     * negative.
     */
    int key_ok = mtc_ct_equal(large + 8, msg_key, 16);
    int32_t length = (int32_t)mtc_dec32le(out + 28);
    int64_t padding = (int64_t)n - 32 - length;
    int64_t bad = (padding - 12) | (1024 - padding) | length
                  | -(int64_t)(length & 3);
    int len_ok = (int)(((uint64_t)bad >> 63) ^ 1);
    mtc_memzero(large, sizeof large);
    /*
     * The decision: which check failed is reported, so the msg_key check's
     * result is public from here, and once it has passed (the message is
     * authentic) so is the length check's.  Nothing before this point
     * branches on the decrypted bytes.
     */
    MTC_DECLASSIFY(&key_ok, sizeof key_ok);
    if (!key_ok) {
        mtc_memzero(out, n);
        return MTC_MTP_BAD_MSG_KEY;
    }
    /* Only an authentic message's length is told (for the error text). */
    *data_len = length;
    MTC_DECLASSIFY(&len_ok, sizeof len_ok);
    if (!len_ok) {
        mtc_memzero(out, n);
        return MTC_MTP_BAD_DATA_LENGTH;
    }
    return MTC_MTP_OK;
}
