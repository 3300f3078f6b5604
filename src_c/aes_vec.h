/*
 * aes_vec.h: the AES-256 mode drivers that the instruction sets with AES
 * rounds on 16-byte vectors share, written once over a few primitives of
 * each (AES-NI in aes_x86ni.h, the ARMv8 Crypto Extensions in
 * aes_arm64ce.h, which define them and then include this file; one of the
 * two is built on any machine).  The primitives:
 * - mtc_aes_v, the 16-byte vector, MTC_AES_V_INLINE (inline, with the
 *   instruction set's target attribute) and MTC_AES_V_TARGET (the target
 *   attribute alone);
 * - MTC_AES_V_KERNEL(name): the instruction set's kernel of that name, as
 *   inner.h declares it (mtc_x86ni_name, mtc_arm64ce_name);
 * - mtc_aes_v_load(p), mtc_aes_v_store(p, x), mtc_aes_v_xor(a, b) and
 *   mtc_aes_v_zero();
 * - mtc_aes_v_key_enc(rk, key): the 15 encryption round keys of key, and
 *   mtc_aes_v_key_dec(dk, rk): the equivalent inverse cipher's, in the
 *   order the decryption rounds take them;
 * - mtc_aes_v_ctr(hi, lo): the counter block of the 128-bit integer
 *   hi * 2^64 + lo (big-endian);
 * - the 14 rounds of a block as mtc_aes_v_first(x, k0, decrypt), then
 *   mtc_aes_v_round(s, k[r], decrypt) for r = 1 .. MTC_AES_V_END - 1, then
 *   mtc_aes_v_last(s, k, kx, decrypt), whose final XOR is of kx (k[14], or
 *   k[14] XORed with a value that the caller would otherwise XOR into the
 *   output); k0 is k[0] itself, or k[0] XORed with a value that the caller
 *   would otherwise XOR into the input.  AES-NI XORs the first key alone
 *   and ends with AESENCLAST (AESDECLAST), which XORs kx; the ARM
 *   instructions XOR the key before each round, so their first round is
 *   AESE + AESMC under k0 and their last an AESE under k[13], then kx.
 *   decrypt is a constant at every call site;
 * - the sequential chain of IGE and CBC encryption, in which each block
 *   waits for the one before (see mtc_aes_v_chain_pass below): the state
 *   mtc_aes_v_chain, mtc_aes_v_chain_init(st, k, x, y, in, decrypt) (the
 *   chaining blocks and the first block's input), mtc_aes_v_chain_next(st,
 *   k, next_in, out, decrypt, ige) (stores a block, starts the next) and
 *   mtc_aes_v_chain_last(st, k, out, decrypt) (stores the final block and
 *   returns it).  The instruction sets fold the XORs that link two blocks
 *   into different round keys (AES-NI into the last, ARM into the next
 *   block's first), so each writes its own.
 * A file that includes the instruction set's header after defining
 * MTC_AES_V_CTR, MTC_AES_V_CBC, MTC_AES_V_IGE or MTC_AES_V_IGE_MANY gets
 * that mode's kernels (see inner.h) defined here.  Constant time is argued
 * for both, instruction by instruction, in tests/c/ctgrind.c, which a
 * change here must keep true.
 */
#ifndef MTC_AES_VEC_H
#define MTC_AES_VEC_H

/*
 * The round keys of key for one direction (decrypt: the inverse's, from
 * the encryption keys in rk).
 */
MTC_AES_V_INLINE void mtc_aes_v_keys(mtc_aes_v k[15], const uint8_t key[32],
                                     const int decrypt)
{
    mtc_aes_v rk[15];

    mtc_aes_v_key_enc(decrypt ? rk : k, key);
    if (decrypt) {
        mtc_aes_v_key_dec(k, rk);
        mtc_memzero(rk, sizeof rk);
    }
}

/*
 * IGE (ige != 0) or CBC encryption over the chain primitives.  With the
 * chaining blocks x (XORed into the input before the cipher) and y (into
 * its output), out_i = AES(in_i ^ x_{i-1}) ^ y_{i-1} with x_i = out_i, and
 * y_i = in_i in IGE, zero in CBC.  IGE: x_{-1}, y_{-1} = c_0, p_0
 * (iv[0:16], iv[16:32]) to encrypt and p_0, c_0 to decrypt.  CBC: x_{-1}
 * = iv and the last block goes back to iv (iv_out).  ige and decrypt are
 * constants at every call site.
 */
MTC_AES_V_INLINE void mtc_aes_v_chain_pass(const uint8_t key[32],
                                           const uint8_t *iv,
                                           uint8_t *iv_out, const uint8_t *in,
                                           uint8_t *out, size_t len,
                                           const int decrypt, const int ige)
{
    mtc_aes_v k[15];
    mtc_aes_v_chain st;
    size_t n = len / 16;

    if (n == 0) {
        return;
    }
    mtc_aes_v_keys(k, key, decrypt);
    mtc_aes_v_chain_init(&st, k, mtc_aes_v_load(decrypt ? iv + 16 : iv),
                         ige ? mtc_aes_v_load(decrypt ? iv : iv + 16)
                             : mtc_aes_v_zero(),
                         in, decrypt);
    for (size_t i = 0; i + 1 < n; i++) {
        mtc_aes_v_chain_next(&st, k, in + 16 * (i + 1), out + 16 * i,
                             decrypt, ige);
    }
    mtc_aes_v last = mtc_aes_v_chain_last(&st, k, out + 16 * (n - 1),
                                          decrypt);
    if (!ige) {
        mtc_aes_v_store(iv_out, last);
    }
    mtc_memzero(k, sizeof k);
    mtc_memzero(&st, sizeof st); /* it holds round keys XORed with data */
}

/*
 * XORs the keystream of n blocks (n a constant at every call site, so the
 * loops unroll into registers) into in -> out, for the counters (hi, lo),
 * (hi, lo + 1), ... (mod 2^128).
 */
MTC_AES_V_INLINE void mtc_aes_v_ctr_run(const mtc_aes_v rk[15], uint64_t hi,
                                        uint64_t lo, const uint8_t *in,
                                        uint8_t *out, const size_t n)
{
    mtc_aes_v s[8];
    for (size_t j = 0; j < n; j++) {
        s[j] = mtc_aes_v_first(
            mtc_aes_v_ctr(hi + mtc_carry64(lo, j), lo + j), rk[0], 0);
    }
    for (int r = 1; r < MTC_AES_V_END; r++) {
        for (size_t j = 0; j < n; j++) {
            s[j] = mtc_aes_v_round(s[j], rk[r], 0);
        }
    }
    for (size_t j = 0; j < n; j++) {
        s[j] = mtc_aes_v_last(s[j], rk, rk[14], 0);
        mtc_aes_v_store(out + 16 * j,
                        mtc_aes_v_xor(s[j], mtc_aes_v_load(in + 16 * j)));
    }
}

/*
 * CBC decryption of n blocks (n <= 8, a constant at every call site so the
 * loops unroll into registers), which are independent given prev, the
 * ciphertext block before them: round by round across the blocks, the
 * chaining XOR in the last round's key.  All are loaded before any is
 * stored, so in == out works.  Returns the last ciphertext block.
 */
MTC_AES_V_INLINE mtc_aes_v mtc_aes_v_cbc_dec_run(const mtc_aes_v dk[15],
                                                 mtc_aes_v prev,
                                                 const uint8_t *in,
                                                 uint8_t *out, const size_t n)
{
    mtc_aes_v c[8], s[8];
    for (size_t j = 0; j < n; j++) {
        c[j] = mtc_aes_v_load(in + 16 * j);
        s[j] = mtc_aes_v_first(c[j], dk[0], 1);
    }
    for (int r = 1; r < MTC_AES_V_END; r++) {
        for (size_t j = 0; j < n; j++) {
            s[j] = mtc_aes_v_round(s[j], dk[r], 1);
        }
    }
    for (size_t j = 0; j < n; j++) {
        s[j] = mtc_aes_v_last(
            s[j], dk, mtc_aes_v_xor(dk[14], j == 0 ? prev : c[j - 1]), 1);
        mtc_aes_v_store(out + 16 * j, s[j]);
    }
    return c[n - 1];
}

#ifdef MTC_AES_V_CTR
/* see inner.h */
MTC_AES_V_TARGET
void MTC_AES_V_KERNEL(ctr_key)(mtc_aes256_keys *ks, const uint8_t key[32])
{
    mtc_aes_v rk[15];
    mtc_aes_v_key_enc(rk, key);
    for (int i = 0; i < 15; i++) {
        mtc_aes_v_store((uint8_t *)ks->w + 16 * i, rk[i]);
    }
    mtc_memzero(rk, sizeof rk);
}

/* see inner.h */
MTC_AES_V_TARGET
void MTC_AES_V_KERNEL(ctr_blocks)(const mtc_aes256_keys *ks, uint8_t ctr[16],
                                  const uint8_t *in, uint8_t *out,
                                  size_t nblocks)
{
    mtc_aes_v rk[15];
    uint64_t hi = mtc_dec64be(ctr), lo = mtc_dec64be(ctr + 8);

    for (int i = 0; i < 15; i++) {
        rk[i] = mtc_aes_v_load((const uint8_t *)ks->w + 16 * i);
    }
    while (nblocks > 0) {
        size_t n = nblocks >= 8 ? 8 : 1;
        if (n == 8) {
            mtc_aes_v_ctr_run(rk, hi, lo, in, out, 8);
        } else {
            mtc_aes_v_ctr_run(rk, hi, lo, in, out, 1);
        }
        hi += mtc_carry64(lo, n);
        lo += n;
        in += 16 * n;
        out += 16 * n;
        nblocks -= n;
    }
    mtc_enc64be(ctr, hi);
    mtc_enc64be(ctr + 8, lo);
    mtc_memzero(rk, sizeof rk);
}
#endif /* MTC_AES_V_CTR */

#ifdef MTC_AES_V_CBC
/* see inner.h; c_i = E(p_i ^ c_{i-1}), c_0 = iv */
MTC_AES_V_TARGET
void MTC_AES_V_KERNEL(cbc_encrypt)(const uint8_t key[32], uint8_t iv[16],
                                   const uint8_t *in, uint8_t *out,
                                   size_t len)
{
    mtc_aes_v_chain_pass(key, iv, iv, in, out, len, 0, 0);
}

/* see inner.h; eight independent blocks at a time */
MTC_AES_V_TARGET
void MTC_AES_V_KERNEL(cbc_decrypt)(const uint8_t key[32], uint8_t iv[16],
                                   const uint8_t *in, uint8_t *out,
                                   size_t len)
{
    mtc_aes_v dk[15];
    size_t n = len / 16, i = 0;

    if (n == 0) {
        return;
    }
    mtc_aes_v_keys(dk, key, 1);
    mtc_aes_v prev = mtc_aes_v_load(iv);
    for (; i + 8 <= n; i += 8) {
        prev = mtc_aes_v_cbc_dec_run(dk, prev, in + 16 * i, out + 16 * i, 8);
    }
    for (; i < n; i++) {
        prev = mtc_aes_v_cbc_dec_run(dk, prev, in + 16 * i, out + 16 * i, 1);
    }
    mtc_aes_v_store(iv, prev);
    mtc_memzero(dk, sizeof dk);
}
#endif /* MTC_AES_V_CBC */

#ifdef MTC_AES_V_IGE
/* see inner.h; c_i = E(p_i ^ c_{i-1}) ^ p_{i-1} */
MTC_AES_V_TARGET
void MTC_AES_V_KERNEL(ige_encrypt)(const uint8_t key[32],
                                   const uint8_t iv[32], const uint8_t *in,
                                   uint8_t *out, size_t len)
{
    mtc_aes_v_chain_pass(key, iv, NULL, in, out, len, 0, 1);
}

/* see inner.h; p_i = D(c_i ^ p_{i-1}) ^ c_{i-1} */
MTC_AES_V_TARGET
void MTC_AES_V_KERNEL(ige_decrypt)(const uint8_t key[32],
                                   const uint8_t iv[32], const uint8_t *in,
                                   uint8_t *out, size_t len)
{
    mtc_aes_v_chain_pass(key, iv, NULL, in, out, len, 1, 1);
}
#endif /* MTC_AES_V_IGE */

#ifdef MTC_AES_V_IGE_MANY
/* One lane's job state. */
typedef struct {
    mtc_aes_v k[15];   /* the job's round keys (decryption keys to decrypt) */
    mtc_aes_v x, y;    /* previous block XORed in before / after AES */
} mtc_aes_v_lane;

/* Starts job j in lane l (see mtc_ige_lane_ops). */
MTC_AES_V_TARGET
static void mtc_aes_v_lane_start(void *lanes, int l, const mtc_ige_job *j,
                                 int decrypt)
{
    mtc_aes_v_lane *lane = (mtc_aes_v_lane *)lanes + l;

    /* encrypt: c_i = E(p_i ^ c_{i-1}) ^ p_{i-1};
     * decrypt: p_i = D(c_i ^ p_{i-1}) ^ c_{i-1} */
    mtc_aes_v_keys(lane->k, j->key, decrypt);
    lane->x = mtc_aes_v_load(decrypt ? j->iv + 16 : j->iv);
    lane->y = mtc_aes_v_load(decrypt ? j->iv : j->iv + 16);
}

/*
 * Every lane for steps blocks; decrypt is a constant at both call sites.
 * A block's input goes into its first round key (k0 ^ in, off the chain
 * from one block to the next), y into the output.
 */
MTC_AES_V_INLINE void mtc_aes_v_lanes_run(mtc_aes_v_lane *lanes,
                                          const mtc_ige_slot *slots,
                                          size_t steps, const int decrypt)
{
    for (size_t i = 0; i < steps; i++) {
        mtc_aes_v s[MTC_IGE_LANES], in[MTC_IGE_LANES];
        for (int l = 0; l < MTC_IGE_LANES; l++) {
            /* An idle lane runs on zeros and stores nothing. */
            in[l] = slots[l].left ? mtc_aes_v_load(slots[l].in + 16 * i)
                                  : mtc_aes_v_zero();
            s[l] = mtc_aes_v_first(
                lanes[l].x, mtc_aes_v_xor(lanes[l].k[0], in[l]), decrypt);
        }
        for (int r = 1; r < MTC_AES_V_END; r++) {
            for (int l = 0; l < MTC_IGE_LANES; l++) {
                s[l] = mtc_aes_v_round(s[l], lanes[l].k[r], decrypt);
            }
        }
        for (int l = 0; l < MTC_IGE_LANES; l++) {
            s[l] = mtc_aes_v_xor(
                mtc_aes_v_last(s[l], lanes[l].k, lanes[l].k[14], decrypt),
                lanes[l].y);
            lanes[l].x = s[l];
            lanes[l].y = in[l];
            if (slots[l].left) {
                mtc_aes_v_store(slots[l].out + 16 * i, s[l]);
            }
        }
    }
}

MTC_AES_V_TARGET
static void mtc_aes_v_lanes_run_either(void *lanes, const mtc_ige_slot *slots,
                                       size_t steps, int decrypt)
{
    if (decrypt) {
        mtc_aes_v_lanes_run((mtc_aes_v_lane *)lanes, slots, steps, 1);
    } else {
        mtc_aes_v_lanes_run((mtc_aes_v_lane *)lanes, slots, steps, 0);
    }
}

/* The rest of lane l's job on the one-stream kernel. */
MTC_AES_V_TARGET
static void mtc_aes_v_lane_finish(void *lanes, int l,
                                  const mtc_ige_slot *slot, int decrypt)
{
    const mtc_aes_v_lane *lane = (const mtc_aes_v_lane *)lanes + l;
    uint8_t iv[32];

    mtc_aes_v_store(iv, decrypt ? lane->y : lane->x);
    mtc_aes_v_store(iv + 16, decrypt ? lane->x : lane->y);
    if (decrypt) {
        MTC_AES_V_KERNEL(ige_decrypt)(slot->job->key, iv, slot->in,
                                      slot->out, 16 * slot->left);
    } else {
        MTC_AES_V_KERNEL(ige_encrypt)(slot->job->key, iv, slot->in,
                                      slot->out, 16 * slot->left);
    }
    mtc_memzero(iv, sizeof iv);
}

/* see inner.h */
void MTC_AES_V_KERNEL(ige_many)(int decrypt, const mtc_ige_job *jobs,
                                size_t count)
{
    static const mtc_ige_lane_ops ops = {
        .start = mtc_aes_v_lane_start,
        .run = mtc_aes_v_lanes_run_either,
        .finish = mtc_aes_v_lane_finish,
    };
    mtc_aes_v_lane lanes[MTC_IGE_LANES];

    memset(lanes, 0, sizeof lanes);
    mtc_ige_many_lanes(&ops, lanes, decrypt, jobs, count);
    mtc_memzero(lanes, sizeof lanes);
}
#endif /* MTC_AES_V_IGE_MANY */

#endif /* MTC_AES_VEC_H */
