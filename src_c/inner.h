/*
 * inner.h: private helpers shared by the kernels in src_c/.
 */
#ifndef MTC_INNER_H
#define MTC_INNER_H

#include <string.h>

#include "mtc.h"

/*
 * MTC_MSVC: Microsoft's compiler (not clang-cl, which takes GCC's
 * attributes and builtins).
 */
#if defined(_MSC_VER) && !defined(__clang__)
#define MTC_MSVC 1
#else
#define MTC_MSVC 0
#endif

/*
 * MTC_X86: the AES-NI / VAES kernels can be compiled here: x86-64 with
 * GCC or Clang (per-function target attributes, so the rest of the build
 * keeps baseline flags) or MSVC (which compiles any intrinsic anywhere).
 * MTC_X86VP: the SSSE3 vector-permute kernel as well, with GCC or Clang
 * only (its register fence is an empty inline asm, which MSVC's x64
 * compiler lacks; a Windows CPU without AES-NI gets the portable kernel).
 * Build with -DMTC_NO_X86NI to leave them all out and check the
 * portable-only build.
 */
#if !defined(MTC_NO_X86NI) && (defined(__x86_64__) \
    || (defined(_M_X64) && !defined(_M_ARM64EC))) \
    && (defined(__GNUC__) || defined(__clang__) || MTC_MSVC)
#define MTC_X86 1
#else
#define MTC_X86 0
#endif

#if MTC_X86
#if MTC_MSVC
#define MTC_TARGET(x)
#else
#define MTC_TARGET(x) __attribute__((target(x)))
#endif
#define MTC_TARGET_AESNI MTC_TARGET("sse2,ssse3,sse4.1,aes")
#define MTC_TARGET_VAES \
    MTC_TARGET("sse2,ssse3,sse4.1,aes,avx,avx2,avx512f,avx512vl,avx512bw,vaes")
#endif
#if MTC_X86 && !MTC_MSVC
#define MTC_X86VP 1
#define MTC_TARGET_VP MTC_TARGET("sse2,ssse3")
#else
#define MTC_X86VP 0
#endif

/*
 * The AArch64 kernels, for GCC or Clang (MSVC builds for ARM64 get the
 * portable kernels); build with -DMTC_NO_ARM64 to leave them all out.
 * MTC_ARM64VP: the NEON vector-permute AES kernel, for any AArch64 CPU
 * (NEON is part of the base architecture: no target attribute).
 * MTC_ARM64: the ARMv8 Crypto Extensions kernels (AES, SHA-1, SHA-256),
 * again with per-function target attributes (GCC's "+crypto"; Clang's
 * "aes,sha2", whose arm_neon.h accepts them from Clang 16 on, and before
 * that only when the whole build targets the extensions, as Apple's does).
 */
#if !defined(MTC_NO_ARM64) && (defined(__aarch64__) || defined(_M_ARM64)) \
    && (defined(__GNUC__) || defined(__clang__))
#define MTC_ARM64VP 1
#else
#define MTC_ARM64VP 0
#endif
#if MTC_ARM64VP && !defined(__clang__)
#define MTC_ARM64 1
#define MTC_TARGET_ARMCE __attribute__((target("+crypto")))
#elif MTC_ARM64VP \
    && (__clang_major__ >= 16 \
        || (defined(__ARM_FEATURE_AES) && defined(__ARM_FEATURE_SHA2)))
#define MTC_ARM64 1
#define MTC_TARGET_ARMCE __attribute__((target("aes,sha2")))
#else
#define MTC_ARM64 0
#endif

/*
 * MTC_VP: a vector-permute AES kernel (aes_vp*.c) is compiled here, on
 * NEON (neonvp) or SSSE3 (ssse3vp): one build has at most one of them.
 * MTC_TARGET_VP: the target attribute of its functions (none on AArch64).
 */
#define MTC_VP (MTC_ARM64VP || MTC_X86VP)
#if MTC_ARM64VP
#define MTC_TARGET_VP
#endif

/*
 * MTC_DECLASSIFY(p, n): the n bytes at p were computed from secrets but are
 * public from here on by design (a result the caller is told).  A no-op,
 * except in the constant-time harness (tests/c/ctgrind.c, built with
 * -DMTC_CTGRIND), where it marks the bytes defined for valgrind's memcheck,
 * so that the branches on them after this point are not reported.  The
 * technique is BoringSSL's "declassify" (CONSTTIME_DECLASSIFY).
 */
#ifdef MTC_CTGRIND
#include <valgrind/memcheck.h>
#define MTC_DECLASSIFY(p, n) ((void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#else
#define MTC_DECLASSIFY(p, n) ((void)0)
#endif

#if defined(__GNUC__) || defined(__clang__)
#define MTC_INLINE static inline __attribute__((always_inline))
#elif MTC_MSVC
#define MTC_INLINE static __forceinline
#else
#define MTC_INLINE static inline
#endif

/* The 128-bit product of a and b: returns the high word, *lo the low. */
MTC_INLINE uint64_t mtc_mul64(uint64_t a, uint64_t b, uint64_t *lo)
{
#if defined(__SIZEOF_INT128__) && !defined(MTC_PORTABLE_C)
    unsigned __int128 t = (unsigned __int128)a * b;
    *lo = (uint64_t)t;
    return (uint64_t)(t >> 64);
#else
    /* Schoolbook on 32-bit halves, for compilers without __int128. */
    uint64_t al = (uint32_t)a, ah = a >> 32, bl = (uint32_t)b, bh = b >> 32;
    uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    uint64_t mid = (ll >> 32) + (uint32_t)lh + (uint32_t)hl;
    *lo = (mid << 32) | (uint32_t)ll;
    return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
#endif
}

/*
 * Loads and stores through memcpy: no alignment or aliasing assumptions.
 * On a little-endian GCC/Clang target, and with MSVC (whose targets are
 * all little-endian), one memcpy (and a byte swap for big-endian) each:
 * byte-by-byte code there gets merged into odd sequences (8-byte stores
 * re-read as 16, stalling store forwarding).
 */
#if ((defined(__GNUC__) || defined(__clang__)) && defined(__BYTE_ORDER__) \
     && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ || MTC_MSVC) \
    && !defined(MTC_PORTABLE_C)
#define MTC_LE_BUILTINS 1
#else
#define MTC_LE_BUILTINS 0
#endif

#if MTC_LE_BUILTINS && MTC_MSVC
#include <stdlib.h>
#define MTC_BSWAP32(x) _byteswap_ulong(x)
#define MTC_BSWAP64(x) _byteswap_uint64(x)
#elif MTC_LE_BUILTINS
#define MTC_BSWAP32(x) __builtin_bswap32(x)
#define MTC_BSWAP64(x) __builtin_bswap64(x)
#endif

MTC_INLINE uint32_t mtc_dec32le(const uint8_t *p)
{
#if MTC_LE_BUILTINS
    uint32_t x;
    memcpy(&x, p, 4);
    return x;
#else
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8)
        | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
#endif
}

MTC_INLINE void mtc_enc32le(uint8_t *p, uint32_t x)
{
#if MTC_LE_BUILTINS
    memcpy(p, &x, 4);
#else
    p[0] = (uint8_t)x;
    p[1] = (uint8_t)(x >> 8);
    p[2] = (uint8_t)(x >> 16);
    p[3] = (uint8_t)(x >> 24);
#endif
}

MTC_INLINE uint64_t mtc_dec64le(const uint8_t *p)
{
#if MTC_LE_BUILTINS
    uint64_t x;
    memcpy(&x, p, 8);
    return x;
#else
    return (uint64_t)mtc_dec32le(p) | ((uint64_t)mtc_dec32le(p + 4) << 32);
#endif
}

MTC_INLINE void mtc_enc64le(uint8_t *p, uint64_t x)
{
#if MTC_LE_BUILTINS
    memcpy(p, &x, 8);
#else
    mtc_enc32le(p, (uint32_t)x);
    mtc_enc32le(p + 4, (uint32_t)(x >> 32));
#endif
}

MTC_INLINE uint32_t mtc_dec32be(const uint8_t *p)
{
#if MTC_LE_BUILTINS
    return MTC_BSWAP32(mtc_dec32le(p));
#else
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16)
        | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
#endif
}

MTC_INLINE void mtc_enc32be(uint8_t *p, uint32_t x)
{
#if MTC_LE_BUILTINS
    mtc_enc32le(p, MTC_BSWAP32(x));
#else
    p[0] = (uint8_t)(x >> 24);
    p[1] = (uint8_t)(x >> 16);
    p[2] = (uint8_t)(x >> 8);
    p[3] = (uint8_t)x;
#endif
}

MTC_INLINE uint64_t mtc_dec64be(const uint8_t *p)
{
#if MTC_LE_BUILTINS
    return MTC_BSWAP64(mtc_dec64le(p));
#else
    uint64_t x = 0;
    for (int i = 0; i < 8; i++) {
        x = (x << 8) | p[i];
    }
    return x;
#endif
}

MTC_INLINE void mtc_enc64be(uint8_t *p, uint64_t x)
{
#if MTC_LE_BUILTINS
    mtc_enc64le(p, MTC_BSWAP64(x));
#else
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)x;
        x >>= 8;
    }
#endif
}

/* dst = a ^ b over n bytes (any alignment; dst may equal a or b). */
MTC_INLINE void mtc_xor(uint8_t *dst, const uint8_t *a, const uint8_t *b,
                        size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dst[i] = (uint8_t)(a[i] ^ b[i]);
    }
}

/*
 * The carry out of lo + d (0 or 1), by logic operations only: counters are
 * secret in some protocols, and a comparison may compile to a branch.
 */
MTC_INLINE uint64_t mtc_carry64(uint64_t lo, uint64_t d)
{
    uint64_t s = lo + d;
    return ((lo & d) | ((lo | d) & ~s)) >> 63;
}

/* Adds n to the 128-bit big-endian counter block ctr (mod 2^128). */
MTC_INLINE void mtc_ctr_add(uint8_t ctr[16], uint64_t n)
{
    uint64_t lo = mtc_dec64be(ctr + 8);
    uint64_t hi = mtc_dec64be(ctr) + mtc_carry64(lo, n);
    mtc_enc64be(ctr, hi);
    mtc_enc64be(ctr + 8, lo + n);
}

/*
 * The implementations, by the name of their code (the files and function
 * prefixes) and by the name users see (mtcore.backend_info(),
 * AesKernel(name), MtprotoKernel(aes, sha)):
 *
 *   code     user name  what                                 files
 *   ct64     portable   bitsliced constant-time AES-256      aes_ct64*.c
 *   x86ni    aesni      AES-NI                               aes_x86ni*.c
 *   x86vaes  vaes       VAES on AVX-512 (IGE on AES-NI)      aes_x86vaes*.c
 *   generic  portable   SHA-1 and SHA-256 in plain C         sha*_generic.c
 *   x86ni    shani      SHA-NI, with AVX-512 batches where   sha_x86ni.c,
 *                       the CPU has them (x86mb)             sha_x86mb.c
 *   x86ni    -          the fused MTProto kernels, used by   mtp_x86ni.c
 *                       the aesni/vaes and shani kernels
 *   vp       neonvp     constant-time AES-256 by vector      aes_vp*.c
 *            (AArch64)  permutes, for CPUs without AES
 *            ssse3vp    instructions: NEON TBL, SSSE3 PSHUFB
 *            (x86-64)
 *   arm64ce  armaes     AES with the ARMv8 Crypto Extensions aes_arm64ce*.c
 *   arm64ce  armsha     SHA-1 and SHA-256 with the ARMv8     sha_arm64ce.c
 *                       Crypto Extensions
 *   arm64ce  -          the fused MTProto kernel, used by    mtp_arm64ce.c
 *                       the armaes and armsha kernels
 *
 * aes_select.c and sha_select.c collect them, fastest first.
 */
#define MTC_NAME_CT64 "portable"
#define MTC_NAME_X86NI_AES "aesni"
#define MTC_NAME_X86VAES "vaes"
#define MTC_NAME_GENERIC_SHA "portable"
#define MTC_NAME_X86NI_SHA "shani"
#if MTC_ARM64VP
#define MTC_NAME_VP "neonvp"
#else
#define MTC_NAME_VP "ssse3vp"
#endif
#define MTC_NAME_ARM64CE_AES "armaes"
#define MTC_NAME_ARM64CE_SHA "armsha"

/*
 * The tables of aes_select.c and sha_select.c: the implementations this
 * build has, fastest first, each with the CPU features (MTC_CPU_*) it
 * needs; the last is the portable one, which needs none.  mtc_impl_get
 * (cpu.c) gives the implementation named name where the CPU has what it
 * needs, else NULL; mtc_impl_best the first the CPU runs, or the last
 * with force_portable.
 */
typedef struct {
    const char *name;
    const void *impl;
    unsigned needs;
} mtc_impl_entry;
#define MTC_COUNT(a) (sizeof(a) / sizeof((a)[0]))
const void *mtc_impl_get(const mtc_impl_entry *t, size_t n, const char *name);
const void *mtc_impl_best(const mtc_impl_entry *t, size_t n,
                          int force_portable);

extern const mtc_aes_impl mtc_aes_ct64;
#if MTC_X86
extern const mtc_aes_impl mtc_aes_x86ni;
extern const mtc_aes_impl mtc_aes_x86vaes;
#endif
#if MTC_VP
extern const mtc_aes_impl mtc_aes_vp;
#endif
#if MTC_ARM64
extern const mtc_aes_impl mtc_aes_arm64ce;
#endif

/*
 * The AES functions of a kernel set that has every entry of mtc_aes_impl
 * but the fused ige_decrypt_sha256, named mtc_<impl>_<mode>_<op>:
 * MTC_AES_KERNELS(x86ni) declares mtc_x86ni_ige_encrypt,
 * mtc_x86ni_ige_decrypt, mtc_x86ni_cbc_encrypt, mtc_x86ni_cbc_decrypt,
 * mtc_x86ni_ige_many, mtc_x86ni_ctr_key and mtc_x86ni_ctr_blocks, the
 * names under which aes_select.c puts the set in its table.
 */
#define MTC_AES_KERNELS(impl) \
    mtc_ige_fn mtc_##impl##_ige_encrypt, mtc_##impl##_ige_decrypt; \
    mtc_cbc_fn mtc_##impl##_cbc_encrypt, mtc_##impl##_cbc_decrypt; \
    mtc_ige_many_fn mtc_##impl##_ige_many; \
    mtc_ctr_key_fn mtc_##impl##_ctr_key; \
    mtc_ctr_blocks_fn mtc_##impl##_ctr_blocks

/*
 * Portable constant-time kernel (aes_ct64*.c): bitsliced AES-256, four
 * blocks per pass in eight 64-bit words, no table lookups and no branches
 * on secret data.
 */
MTC_AES_KERNELS(ct64);

/* One job after another, on any implementation's ige functions. */
void mtc_ige_many_serial(const mtc_aes_impl *impl, int decrypt,
                         const mtc_ige_job *jobs, size_t count);

/*
 * The scheduler of the ige_many kernels that interleave MTC_IGE_LANES jobs
 * (AES-NI, ARMv8), in aes_select.c: it gives each idle lane the next job,
 * runs every lane until the first busy one finishes, and leaves the last
 * job to the one-stream kernel, calling the kernel's ops on its lanes (an
 * array of the kernel's lane states, zeroed by the caller):
 * start: loads job's round keys and IV into lane l (the job has blocks).
 * run: runs every lane for steps blocks, lane l from slots[l].in to
 *   slots[l].out; an idle lane (slots[l].left == 0) runs on zeros and
 *   stores nothing.
 * finish: does the rest of lane l's job, slot, on the one-stream kernel.
 * decrypt is passed through to each.
 */
#define MTC_IGE_LANES 8

typedef struct {
    const mtc_ige_job *job;  /* the job the lane works on */
    const uint8_t *in;       /* its next block */
    uint8_t *out;
    size_t left;             /* blocks still to do; 0: the lane is idle */
} mtc_ige_slot;

typedef struct {
    void (*start)(void *lanes, int l, const mtc_ige_job *job, int decrypt);
    void (*run)(void *lanes, const mtc_ige_slot *slots, size_t steps,
                int decrypt);
    void (*finish)(void *lanes, int l, const mtc_ige_slot *slot,
                   int decrypt);
} mtc_ige_lane_ops;

void mtc_ige_many_lanes(const mtc_ige_lane_ops *ops, void *lanes,
                        int decrypt, const mtc_ige_job *jobs, size_t count);

/*
 * The bitsliced core (aes_ct64.c) under the functions above.  A state q[8]
 * holds four blocks; sk is the schedule of 15 round keys in 120 words (the
 * w of mtc_aes256_keys).
 * mtc_ct64_skey: expands key into sk.
 * mtc_ct64_load: loads nblocks (0..4) consecutive blocks from in into q;
 *   the other slots are zero.
 * mtc_ct64_store: writes the first nblocks (0..4) slots of q to out and
 *   leaves q scrambled.
 * mtc_ct64_encrypt / mtc_ct64_decrypt: run AES-256 on all four slots (the
 *   cipher and the inverse cipher of FIPS-197 5.1 and 5.3, on one sk).
 */
void mtc_ct64_skey(uint64_t sk[120], const uint8_t key[32]);
void mtc_ct64_load(uint64_t q[8], const uint8_t *in, size_t nblocks);
void mtc_ct64_store(uint8_t *out, uint64_t q[8], size_t nblocks);
void mtc_ct64_encrypt(const uint64_t sk[120], uint64_t q[8]);
void mtc_ct64_decrypt(const uint64_t sk[120], uint64_t q[8]);

#if MTC_X86
/* AES-NI kernels (aes_x86ni*.c). */
MTC_AES_KERNELS(x86ni);

/* VAES (AVX-512) kernels (aes_x86vaes*.c); IGE stays on AES-NI. */
mtc_cbc_fn mtc_x86vaes_cbc_decrypt;
mtc_ige_many_fn mtc_x86vaes_ige_many;
mtc_ctr_blocks_fn mtc_x86vaes_ctr_blocks;
#endif

/* SHA compression functions (sha*_generic.c, sha_x86ni.c, sha_x86mb.c). */
extern const uint32_t mtc_sha256_k[64];  /* FIPS 180-4 4.2.2, in sha256_generic.c */
extern const uint32_t mtc_sha256_iv[8];  /* FIPS 180-4 5.3.3, in sha_common.c */
/* SHA256(prefix[0:32] + data[0:len]) on impl: its sha256_prefixed where
 * it has one and len % 16 == 0. */
MTC_INLINE void mtc_sha256_prefixed(const mtc_sha_impl *impl,
                                    const uint8_t prefix[32],
                                    const uint8_t *data, size_t len,
                                    uint8_t out[32])
{
    mtc_sha256_ctx ctx;

    if (impl->sha256_prefixed != NULL && len % 16 == 0) {
        impl->sha256_prefixed(prefix, data, len, out);
        return;
    }
    mtc_sha256_init(&ctx, impl);
    mtc_sha256_update(&ctx, prefix, 32);
    mtc_sha256_update(&ctx, data, len);
    mtc_sha256_final(&ctx, out);
}
mtc_sha1_blocks_fn mtc_generic_sha1_blocks;
mtc_sha256_blocks_fn mtc_generic_sha256_blocks;

/*
 * The block loop of the generic compression functions (FIPS 180-4 6.1.2
 * and 6.2.2) over a state of nwords words (5 or 8): for each 64-byte
 * block, the working variables v start as the state, rounds runs the
 * rounds on them, with w as room for the message schedule, and the state
 * adds them (the chaining addition).  w is wiped once, at the end.  rounds
 * is an MTC_INLINE function, which the compiler then inlines here too: the
 * working variables stay in registers.
 */
MTC_INLINE void mtc_sha_generic_blocks(
    uint32_t *state, size_t nwords, const uint8_t *data, size_t nblocks,
    void (*rounds)(uint32_t v[8], uint32_t w[16], const uint8_t *block))
{
    uint32_t w[16];

    if (nblocks == 0) {
        return;
    }
    for (; nblocks > 0; nblocks--, data += 64) {
        uint32_t v[8];
        for (size_t i = 0; i < nwords; i++) {
            v[i] = state[i];
        }
        rounds(v, w, data);
        for (size_t i = 0; i < nwords; i++) {
            state[i] += v[i];
        }
    }
    mtc_memzero(w, sizeof w);
}
#if MTC_X86
#define MTC_TARGET_SHANI MTC_TARGET("sse2,ssse3,sse4.1,sha")
mtc_sha1_blocks_fn mtc_x86ni_sha1_blocks;
mtc_sha256_blocks_fn mtc_x86ni_sha256_blocks;
mtc_sha256_fn mtc_x86ni_sha256;
mtc_sha256_prefixed_fn mtc_x86ni_sha256_prefixed;
mtc_sha256_prefixed_many_fn mtc_x86mb_sha256_prefixed_many;

/* The fused MTProto kernels (mtp_x86ni.c): the mtc_aes_impl entry
 * ige_decrypt_sha256 and the mtc_sha_impl entry mtp_kdf. */
mtc_ige_sha256_fn mtc_x86ni_mtp_ige_decrypt_sha256;
mtc_mtp_kdf_fn mtc_x86ni_mtp_kdf;
#endif

#if MTC_VP
/*
 * The vector-permute kernel (aes_vp*.c).  mtc_vp_keys writes the kernel's
 * 15 round keys of key for encryption (decrypt == 0) or decryption, in the
 * coordinates its rounds use (aes_vp.c).
 */
MTC_TARGET_VP void mtc_vp_keys(uint8_t out[240], const uint8_t key[32],
                               int decrypt);
MTC_AES_KERNELS(vp);
#endif

#if MTC_ARM64
/* ARMv8 Crypto Extensions kernels (aes_arm64ce*.c, sha_arm64ce.c). */
MTC_AES_KERNELS(arm64ce);
mtc_sha1_blocks_fn mtc_arm64ce_sha1_blocks;
mtc_sha256_blocks_fn mtc_arm64ce_sha256_blocks;
mtc_sha256_prefixed_fn mtc_arm64ce_sha256_prefixed;

/* The fused MTProto kernel (mtp_arm64ce.c): the mtc_aes_impl entry
 * ige_decrypt_sha256. */
mtc_ige_sha256_fn mtc_arm64ce_mtp_ige_decrypt_sha256;
#endif

#endif /* MTC_INNER_H */
