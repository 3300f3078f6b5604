/*
 * sha256_vec.h: the SHA-256 pieces that the instruction sets with SHA-256
 * rounds on four-word vectors share, written once over a few primitives of
 * each (Intel's SHA extensions in sha_x86ni.h, the ARMv8 Crypto Extensions
 * in sha_arm64ce.h, which define them and then include this file; one of
 * the two is built on any machine).  The primitives:
 * - mtc_sha_v, the vector of four 32-bit words, and MTC_SHA_V_INLINE;
 * - mtc_sha_v_words(p): four big-endian message words into lanes 0..3;
 * - mtc_sha_v_add(a, b): lane-wise addition;
 * - mtc_sha256_v_next(w0, w1, w2, w3): the next four schedule words;
 * - mtc_sha256_v_r4(s0, s1, w, k): four rounds with words w, constants k;
 * - mtc_sha256_v_pad(first, last, bits): a padding vector: 0x80 then zeros
 *   (first), zeros, or with the bit length in its last two words (last);
 * - mtc_sha256_v_digest(out, s0, s1): the state out as the 32-byte digest.
 * The state is two vectors s0, s1 in the lane order the instruction set's
 * rounds take.  Constant time is argued for both, instruction by
 * instruction, in tests/c/ctgrind.c, which a change here must keep true.
 */
#ifndef MTC_SHA256_VEC_H
#define MTC_SHA256_VEC_H

/*
 * One whole block from four message vectors already in word order (w0
 * holds words 0..3): the 64 rounds, then the chaining addition.
 */
MTC_SHA_V_INLINE void mtc_sha256_v_block(mtc_sha_v *s0, mtc_sha_v *s1,
                                         mtc_sha_v w0, mtc_sha_v w1,
                                         mtc_sha_v w2, mtc_sha_v w3)
{
    mtc_sha_v from0 = *s0, from1 = *s1;

    mtc_sha256_v_r4(s0, s1, w0, mtc_sha256_k);
    mtc_sha256_v_r4(s0, s1, w1, mtc_sha256_k + 4);
    mtc_sha256_v_r4(s0, s1, w2, mtc_sha256_k + 8);
    mtc_sha256_v_r4(s0, s1, w3, mtc_sha256_k + 12);
    for (int i = 16; i < 64; i += 16) {
        w0 = mtc_sha256_v_next(w0, w1, w2, w3);
        mtc_sha256_v_r4(s0, s1, w0, mtc_sha256_k + i);
        w1 = mtc_sha256_v_next(w1, w2, w3, w0);
        mtc_sha256_v_r4(s0, s1, w1, mtc_sha256_k + i + 4);
        w2 = mtc_sha256_v_next(w2, w3, w0, w1);
        mtc_sha256_v_r4(s0, s1, w2, mtc_sha256_k + i + 8);
        w3 = mtc_sha256_v_next(w3, w0, w1, w2);
        mtc_sha256_v_r4(s0, s1, w3, mtc_sha256_k + i + 12);
    }
    *s0 = mtc_sha_v_add(*s0, from0);
    *s1 = mtc_sha_v_add(*s1, from1);
}

/* nblocks whole blocks of data into the state in registers. */
MTC_SHA_V_INLINE void mtc_sha256_v_blocks(mtc_sha_v *s0, mtc_sha_v *s1,
                                          const uint8_t *data, size_t nblocks)
{
    for (; nblocks > 0; nblocks--, data += 64) {
        mtc_sha256_v_block(s0, s1, mtc_sha_v_words(data),
                           mtc_sha_v_words(data + 16),
                           mtc_sha_v_words(data + 32),
                           mtc_sha_v_words(data + 48));
    }
}

/*
 * One SHA-256 compression a quarter (16 rounds) at a time, the state in
 * registers, for kernels that put other work between the quarters: begin
 * takes the block (its 64 bytes at a[0:32] and b[0:32]) and keeps the
 * state it starts from, quarter 3 adds it back (FIPS 180-4 6.2.2 step 4).
 */
typedef struct {
    mtc_sha_v s0, s1, from0, from1, w0, w1, w2, w3;
} mtc_sha256_v_run;

MTC_SHA_V_INLINE void mtc_sha256_v_begin(mtc_sha256_v_run *r,
                                         const uint8_t *a, const uint8_t *b)
{
    r->w0 = mtc_sha_v_words(a);
    r->w1 = mtc_sha_v_words(a + 16);
    r->w2 = mtc_sha_v_words(b);
    r->w3 = mtc_sha_v_words(b + 16);
    r->from0 = r->s0;
    r->from1 = r->s1;
}

MTC_SHA_V_INLINE void mtc_sha256_v_quarter(mtc_sha256_v_run *r, int q)
{
    const uint32_t *k = mtc_sha256_k + 16 * q;

    if (q != 0) {
        r->w0 = mtc_sha256_v_next(r->w0, r->w1, r->w2, r->w3);
    }
    mtc_sha256_v_r4(&r->s0, &r->s1, r->w0, k);
    if (q != 0) {
        r->w1 = mtc_sha256_v_next(r->w1, r->w2, r->w3, r->w0);
    }
    mtc_sha256_v_r4(&r->s0, &r->s1, r->w1, k + 4);
    if (q != 0) {
        r->w2 = mtc_sha256_v_next(r->w2, r->w3, r->w0, r->w1);
    }
    mtc_sha256_v_r4(&r->s0, &r->s1, r->w2, k + 8);
    if (q != 0) {
        r->w3 = mtc_sha256_v_next(r->w3, r->w0, r->w1, r->w2);
    }
    mtc_sha256_v_r4(&r->s0, &r->s1, r->w3, k + 12);
    if (q == 3) {
        r->s0 = mtc_sha_v_add(r->s0, r->from0);
        r->s1 = mtc_sha_v_add(r->s1, r->from1);
    }
}

/*
 * Vector d of the data-and-padding stream of SHA256(prefix[0:32] +
 * data[0:16 m]) after the prefix (FIPS 180-4 5.1.1): the m data vectors,
 * then 0x80 and zeros, the bit length in the last two words of the last
 * vector.
 */
MTC_SHA_V_INLINE mtc_sha_v mtc_sha256_v_padded(const uint8_t *data, size_t m,
                                               size_t d, int last,
                                               uint64_t bits)
{
    if (d < m) {
        return mtc_sha_v_words(data + 16 * d);
    }
    return mtc_sha256_v_pad(d == m, last, bits);
}

/*
 * Finishes SHA256(prefix[0:32] + data[0:n]), n % 16 == 0, whose first
 * `done` blocks are already in the state, and writes the digest to out.
 * The message's vector s is the prefix's for s < 2, else data vector
 * s - 2; the padding (1 to 4 vectors) is built in registers.
 */
MTC_SHA_V_INLINE void mtc_sha256_v_prefixed_from(mtc_sha_v *s0, mtc_sha_v *s1,
                                                 const uint8_t prefix[32],
                                                 const uint8_t *data, size_t n,
                                                 size_t done, uint8_t out[32])
{
    size_t m = n / 16, total = (2 + m + 1 + 3) / 4 * 4;
    uint64_t bits = 8 * (uint64_t)(32 + n);
    size_t d;

    if (done == 0) {
        mtc_sha256_v_block(s0, s1, mtc_sha_v_words(prefix),
                           mtc_sha_v_words(prefix + 16),
                           mtc_sha256_v_padded(data, m, 0, 0, bits),
                           mtc_sha256_v_padded(data, m, 1, total == 4, bits));
        done = 1;
    }
    /* Block `done` starts at data vector 4 done - 2; whole blocks of data
     * straight from memory, then the rest with the padding. */
    d = 4 * done - 2;
    size_t whole = m > d ? (m - d) / 4 : 0;
    mtc_sha256_v_blocks(s0, s1, data + 16 * d, whole);
    for (d += 4 * whole; d + 2 < total; d += 4) {
        mtc_sha256_v_block(s0, s1, mtc_sha256_v_padded(data, m, d, 0, bits),
                           mtc_sha256_v_padded(data, m, d + 1, 0, bits),
                           mtc_sha256_v_padded(data, m, d + 2, 0, bits),
                           mtc_sha256_v_padded(data, m, d + 3,
                                               d + 6 == total, bits));
    }
    mtc_sha256_v_digest(out, *s0, *s1);
}

#endif /* MTC_SHA256_VEC_H */
