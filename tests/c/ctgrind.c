/*
 * ctgrind.c: constant-time check of mtcore's C kernels under valgrind's
 * memcheck (the "ctgrind" technique, Adam Langley 2010).
 *
 * Around every call the secret inputs are marked undefined
 * (VALGRIND_MAKE_MEM_UNDEFINED); memcheck then reports any conditional
 * branch or memory address computed from them.  After the call inputs and
 * outputs are marked defined again (the caller publishes the ciphertext,
 * the digest, the key id), so the harness can compare results without a
 * report of its own.  Built with -DMTC_CTGRIND, under which MTC_DECLASSIFY
 * (inner.h) marks defined what the code documents as public: in
 * mtc_mtp_decrypt, the results of its checks at the decision after the
 * msg_key check.  Run as
 *
 *     valgrind --error-exitcode=99 --track-origins=no -q ./ctgrind
 *
 * Exit 0 with no memcheck report: no secret-dependent branch or address on
 * the paths exercised.  Exit 1: a kernel gave a wrong result.  Exit 99:
 * memcheck found a leak.  tests/test_constant_time.py builds and runs this
 * against src_c/; its negative controls (ctneg.c, and ctmutant.c linked in
 * place of util.c) show that the same run does catch leaks.
 *
 * Checked, on every implementation mtc_aes_get / mtc_sha_get give here:
 * - AES: IGE and CBC both ways, in place and not, CTR key and blocks at
 *   counters next to a carry, over lengths 0..4096 (secret key, IV,
 *   counter, data); the mtc_ctr_update stream at odd byte offsets;
 *   ige_many over batches of 1 to 20 jobs of mixed lengths, both ways.
 * - SHA-1 and SHA-256, one-shot and streaming in odd chunks, over lengths
 *   around the block and padding boundaries (secret message).
 * - mtc_ct_equal with both operands secret, equal and differing at the
 *   first, a middle and the last byte.
 * - mtc_modexp (secret base and exponent) on Telegram's 2048-bit prime
 *   and on a 100-byte modulus below 2^799 (the other setup path): Fermat's
 *   x^(p-1) = 1, x^1 = x, x^0 = 1, and x^e = x^(e + p - 1).
 * - MTProto 2.0 on every pair of an AES and a SHA implementation: the key
 *   id (secret auth_key), msg_key (secret auth_key and plaintext, in one
 *   and in two pieces), the KDF (secret auth_key and msg_key),
 *   mtc_mtp_encrypt and mtc_mtp_encrypt_many (secret auth_key and
 *   plaintext), and mtc_mtp_decrypt (secret auth_key, msg_key and
 *   ciphertext) of good, tampered and bad-length packets, up to the
 *   documented decision after the msg_key check; the status it returns
 *   must come out defined.
 * mtc_cpu_features branches on CPUID (x86) or what the OS reports of the
 * CPU (AArch64) only, which is public.
 *
 * ssse3vp (aes_vp.h with aes_vp.c and aes_vp_{ige,cbc,ctr}.c, the
 * vector-permute kernel on x86-64) runs here like the others: its lookups
 * are PSHUFB with a secret table and secret indices, which memcheck
 * propagates byte by byte without a report, as it must (a permute of
 * registers, no address).  Its timing (L) rests, as for all the code
 * valgrind runs, on Intel's DOIT list below, which holds PSHUFB, PXOR,
 * PAND and PSRLW by an immediate.
 *
 * Not run: what valgrind's virtual CPU lacks.  Valgrind 3.19 reports
 * AES-NI in CPUID but not SHA-NI, AVX-512 or VAES, and stops with SIGILL
 * on their instructions, so under it mtc_sha_get("shani") and
 * mtc_aes_get("vaes") are NULL and the harness says so (the test checks
 * that nothing else the CPU runs is left out).  Those kernels are argued
 * constant-time instruction by instruction in the next comment, to which
 * each of their files points: sha_x86ni.c with sha_x86ni.h and
 * sha256_vec.h, mtp_x86ni.c, sha_x86mb.c, aes_x86vaes.c and
 * aes_x86vaes_ige_many.c.  A valgrind whose CPUID offers them runs them
 * here unchanged.
 *
 * Not run here either: the AArch64 kernels (neonvp, the NEON vector-permute
 * AES, and the ARMv8 Crypto Extensions' armaes and armsha).  This project's machines are x86-64, where AArch64
 * code runs only under qemu-user, and valgrind runs programs of its own
 * architecture only (tests/test_constant_time.py skips under emulation,
 * saying so).  .ci/arm64 runs this harness there without valgrind, so
 * their results are checked against the portable kernels', and their
 * constant-time behaviour is argued in the comment after next.  On an
 * AArch64 machine valgrind (which decodes TBL, AESE, AESD, AESMC, AESIMC
 * and the SHA-1 and SHA-256 instructions) runs them here unchanged.
 */

/*
 * Kernels valgrind cannot run, argued
 *
 * The kernels below run only on SHA-NI, AVX-512 or VAES, which valgrind
 * 3.19 lacks (checked on this project's CI machine kind: its CPUID hides
 * them, and SHA256RNDS2 and VAESENC on ymm or zmm registers stop with
 * SIGILL).  They are argued instead, from their source and from every
 * instruction GCC 12.2 emits for them at -O3 with setup.py's flags (objdump
 * of each file; after a change of code or compiler, look again).  Each file is argued on the three
 * points that make code constant-time:
 *   (B) every conditional branch, SETcc and CMOVcc tests public values;
 *   (A) every load and store is at an address computed from public values;
 *   (L) every instruction with a secret operand takes a time independent of
 *       the operand's value.
 * Public: the caller's pointers, lengths and counts, loop indices, the lane
 * bookkeeping computed from them (blocks left, busy and idle lanes, start
 * steps), the KDF's x (0 or 8), constant tables.  Secret: keys, round keys,
 * IVs, counters, message bytes, hash states and digests.
 *
 * (L) rests on Intel's list of data operand independent timing (DOIT)
 * instructions ("Data Operand Independent Timing ISA Guidance", 2022); on
 * CPUs with the DOITM mode bit Intel promises it with the bit set, which is
 * up to the OS.  memcheck checks (B) and (A) only, so the code valgrind runs
 * rests on the same list.  The instructions these kernels apply to secrets:
 * - AES rounds: AESENC, AESENCLAST, AESDEC, AESDECLAST, AESIMC, their VEX
 *   forms on xmm (VAESIMC, VAESENCLAST in the key schedule, whose SubWord is
 *   an AESENCLAST) and VAESENC, VAESENCLAST, VAESDEC, VAESDECLAST on zmm.
 * - SHA: SHA1RNDS4 (its immediate, the round function, is a constant),
 *   SHA1NEXTE, SHA1MSG1, SHA1MSG2, SHA256RNDS2, SHA256MSG1, SHA256MSG2.
 * - Arithmetic and logic: (V)PADDD, VPADDQ, (V)PXOR, VPXORD, VPXORQ,
 *   VPTERNLOGD and VPTERNLOGQ (three-way XOR, Ch, Maj), VPRORD and VPROLD
 *   by an immediate, VPSRLD, (V)PSLLDQ and (V)PSRLDQ by an immediate.
 * - Moves: (V)MOVDQU, (V)MOVDQA and their AVX-512 forms, MOVAPS, MOVUPS,
 *   (V)MOVD, VMOVQ, (V)PINSRD, PEXTRD, VINSERTI128, VINSERTI32X4,
 *   VEXTRACTI32X4 (its store form too), VBROADCASTI32X4, VPBROADCASTD/Q,
 *   scalar MOV and BSWAP (digest words out big-endian); and shuffles whose
 *   control is an immediate or a constant: (V)PSHUFB (byte-order and lane
 *   masks; in mtc_sha256_ni_tail a mask read at a public offset),
 *   (V)PSHUFD, (V)PALIGNR, (V)PBLENDW, VPUNPCKLDQ, VPUNPCKHDQ, VPUNPCKLQDQ,
 *   VPUNPCKHQDQ, VSHUFI32X4, VALIGNQ.
 * - Masks: VPCMPLTUQ and a VPADDQ merge-masked by its result, with KMOVW
 *   and a scalar AND / SHL between (mtc_vaes_ctr_add: the carries of a
 *   counter that may be secret); register operands only, no memory access
 *   under that mask.
 * All else (scalar ADD, SUB, AND, SHL, SHR, SAR, LEA, CMP, TEST, BT,
 * POPCNT, SETcc, CMOVcc; KANDNW, KORW, KXORW, KSHIFTRW; VPMINUD, VPMINUQ,
 * VPCMPLEUQ, VPCMPEQD, VPSUBD, VPSUBQ, VPAND(D), VPMOVQD, VPEXTRD,
 * VINSERTPS, VPINSRQ; masked stores; REP STOS; calls) has public operands.
 *
 * sha_x86ni.c with sha_x86ni.h and sha256_vec.h (SHA-1 and SHA-256
 * blocks; the one-shot and prefixed SHA-256) and mtp_x86ni.c's KDF.
 * (B) The loops over nblocks; the one-shot's len < 16 and its tail
 * vectors (r = len % 64 against 16 j); the prefixed form's block and
 * padding vectors (done, m, d, total, from n); the KDF has no branch.
 * (A) Data and state at the caller's pointers plus multiples of 16,
 * mtc_sha256_k at 4 i, auth_key + x plus constants; the one-shot reads
 * its last partial vector as the 16 bytes that end at data + len and moves
 * it with masks read at shuffle + 16 - k and mark + 16 - k, k = r - 16 j;
 * the bit length (public) goes in by PINSRD; memcpy and memset of public
 * lengths, mtc_memzero.
 *
 * mtp_x86ni.c, mtp_vec.h's mtc_mtp_v_ige_dec_sha256 on AES-NI (IGE
 * decryption with the msg_key's SHA-256 interleaved).  (B) The dispatch (len >= 16, which SHA
 * kernel), the loops over blocks i < n, done == 0, then
 * mtc_sha256_v_prefixed_from as above.  (A) in + 16 i, out + 16 i,
 * out + 64 done - 32, the prefix, the round keys on the stack.  Its AES
 * steps are the inline functions of the AES-NI IGE decryption valgrind
 * checks (the chain steps mtc_aes_v_chain_* of aes_x86ni.h, driven as in
 * aes_vec.h's mtc_aes_v_chain_pass), its SHA steps those of sha_x86ni.h
 * and sha256_vec.h.
 *
 * sha_x86mb.c (SHA-256 of 16 messages, one per 32-bit lane of zmm
 * registers).  (B) Which lanes are busy, each lane's next block and block
 * count, the next message: all from count and the lengths (POPCNT and BT
 * of the busy mask, KMOVW, KANDNW, KORW, KXORW); the states are updated by
 * a VPADDD masked by the busy mask.  (A) A lane's block at
 * data + 64 next - 32 or in its head / tail buffer (built by memcpy of
 * public lengths, 0x80 at a public index), an idle lane's at a constant
 * zero block; digests stored after BSWAP at out + 32 msg + 4 i; states
 * spilled by stores at fixed stack offsets, masked by one lane (1 << l).
 * The last few messages finish in mtc_sha256_v_prefixed_from (above).
 *
 * aes_x86vaes.c (CTR and CBC decryption, four blocks a zmm register).
 * (B) nblocks < 8 (to the AES-NI kernels, checked), the loops over 32 and
 * over 4 blocks, the rest to AES-NI.  (A) The round keys at ks or on the
 * stack, in + 64 j, out + 64 j, the IV and counter at their pointers.  The
 * counter's carries are the masked VPADDQ above, not a branch.
 *
 * aes_x86vaes_ige_many.c (IGE over 12 or more messages, one per 128-bit
 * lane).  (B) count < 12 (to mtc_x86ni_ige_many, checked), the number of
 * groups, the lane scheduler (left, idle, start, elapsed, steps, wait) and
 * mtc_vaes_plan (start steps from the jobs' addresses mod 4096 and their
 * lengths; GCC vectorizes it with VPMINUD, VPMINUQ, VPCMPLEUQ, CMOVBE and
 * the like).  (A) A lane's blocks at in[l] + off and out[l] + off (an idle
 * lane's in its scratch buffer), round keys at keys[l / 4] + 16 (l % 4) +
 * 64 r, x and y at fixed offsets; the unfinished jobs go to
 * mtc_x86ni_ige_many (checked).
 */

/*
 * AArch64 kernels, argued
 *
 * Valgrind cannot run them on this project's machines (above).  They are
 * argued on the same three points, (B), (A) and (L), from their source and
 * from every instruction GCC 12.2 (Debian's aarch64-linux-gnu-gcc) emits
 * for them at -O3 with setup.py's flags (objdump of each file; after a
 * change of code or compiler, look again).  Public and secret as above.
 *
 * (L) rests on the Arm Architecture Reference Manual's list of
 * instructions whose timing is independent of their data when PSTATE.DIT
 * is set (FEAT_DIT, Armv8.4), which holds the ones below; setting DIT is up
 * to the OS (Linux leaves it clear), and on cores without FEAT_DIT the
 * AES and SHA instructions are fixed-latency pipelined operations in every
 * published Arm and Apple optimization guide.  The instructions these
 * kernels apply to secrets:
 * - AES rounds: AESE, AESD, AESMC, AESIMC (the key schedule's SubWord is
 *   an AESE under a zero key); in neonvp, TBL of one register (its table
 *   and its indices may both be secret: a permute of registers, no memory
 *   access, the premise of Hamburg's technique).
 * - SHA: SHA1C, SHA1P, SHA1M, SHA1H, SHA1SU0, SHA1SU1, SHA256H,
 *   SHA256H2, SHA256SU0, SHA256SU1.
 * - Arithmetic and logic: vector EOR, ORR, AND, ADD (.4S), USHR and SHL by
 *   an immediate (RotWord, neonvp's nibbles), CMLT against zero (neonvp's
 *   key schedule: the xtime mask, a signed shift by 7 in the source, a
 *   mask, not a branch); scalar ADD, BIC and LSR by an immediate (the CTR
 *   counter's carries, mtc_carry64: logic, not a comparison).
 * - Moves: LDR, LDP, LDUR, STR, STP, STUR of q, d and s registers and of
 *   x registers (counters), MOV between vector registers and into a lane
 *   (INS), DUP, FMOV between general and vector registers, MOVI; byte
 *   reorders whose control is fixed: REV32 (big-endian message words),
 *   REV64 and REV (big-endian counter blocks), EXT by an immediate (the key
 *   schedule's word shifts).
 * All else has public operands: CMP, SUBS, SUB, AND, ASR, LSL, LSR, SMULL,
 * SMADDL and ADRP on lengths, counts, indices and addresses; CBZ, CBNZ,
 * TBZ, B.cond, CSEL (the scheduler), CSET (whether a SHA-256 padding
 * vector starts with 0x80, from the length), B, BL, BLR, RET and NOP.
 *
 * aes_arm64ce.h and aes_vec.h, built by aes_arm64ce_ige.c,
 * aes_arm64ce_cbc.c and aes_arm64ce_ctr.c (IGE, CBC and CTR; the chain
 * steps mtc_aes_v_chain_* that mtp_arm64ce.c shares).  (B) n == 0, the loops over blocks and over 8 or
 * 1 block runs (from len and nblocks); the key schedule's loop and its
 * rot / rcon choices are fixed by the round index.  (A) in + 16 i,
 * out + 16 i, the IV and counter at their pointers, the round keys on the
 * stack or at ks, the constant rcon table at a fixed index.
 *
 * aes_arm64ce_ige_many.c (eight lanes, aes_vec.h's mtc_aes_v_lanes_run),
 * scheduled by mtc_ige_many_lanes in aes_select.c, which valgrind checks
 * on its AES-NI lanes.  (B) The
 * scheduler's (job lengths, blocks left, steps, busy lanes) and the lanes'
 * test of left (an idle lane loads zeros and stores nothing: CBZ on
 * left); the direction (decrypt), a public argument.  (A) A lane's blocks
 * at slots[l].in + 16 i and out + 16 i, its keys at lanes + l (SMADDL of
 * the lane index); the last job goes to the one-stream kernel above.
 *
 * sha_arm64ce.c with sha_arm64ce.h and sha256_vec.h (SHA-1 and SHA-256
 * blocks, the prefixed SHA-256).  (B) The loops over nblocks; the prefixed form's
 * block and padding vectors (done, m, d, total, from n); SHA-1's round
 * function by step number.  (A) Data at the caller's pointer plus
 * multiples of 16, the state at its pointer, mtc_sha256_k at 4 i, the SHA-1
 * constants at a fixed index; the bit length (public) goes in by INS.
 *
 * mtp_arm64ce.c, mtp_vec.h's kernel on the ARMv8 Crypto Extensions (IGE
 * decryption with the msg_key's SHA-256 interleaved).
 * (B) The dispatch (len >= 16, which SHA kernel), the loops over blocks
 * i < n, done == 0, then mtc_sha256_v_prefixed_from as above.  (A)
 * in + 16 i, out + 16 i, out + 64 done - 32, the prefix, the round keys on
 * the stack; its AES and SHA steps are those of the files above.
 *
 * aes_vp.h with aes_vp.c and aes_vp_{ige,cbc,ctr}.c (neonvp: the same
 * source as ssse3vp, which valgrind checks on x86-64, over NEON's
 * primitives).  (B) len < 16 and n == 0, the loops over blocks, over three
 * or one block runs and over the rounds (unrolled), the direction; the key
 * schedule's Rcon by round index.  (A) in + 16 i, out + 16 i, the IV and
 * counter at their pointers, the round keys on the stack or at ks, the
 * tables of aes_vp_tables.h loaded whole at fixed addresses (every lookup
 * by data is a TBL on registers); batches go one job after another
 * (mtc_ige_many_serial).
 *
 * cpu.c's AArch64 detection reads getauxval(AT_HWCAP), sysctlbyname or
 * IsProcessorFeaturePresent: no secret.
 */

#include <stdio.h>
#include <string.h>

#include <valgrind/memcheck.h>

#include "inner.h"

#define SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))

#define MAXLEN 4096

/* Lengths in bytes: none, one block, under / at / over one ct64 pass of
 * four blocks, over one AES-NI pass of eight, and many. */
static const size_t LENS[] = {0, 16, 48, 64, 80, 144, MAXLEN};
#define NLENS (sizeof(LENS) / sizeof(LENS[0]))

/* Counter blocks: the 128-bit wrap, the carry out of the low 64 bits, and
 * one far from both. */
static const uint8_t CTRS[][16] = {
    {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfd},
    {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
     0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe},
};
#define NCTRS (sizeof(CTRS) / sizeof(CTRS[0]))

/* Chunk sizes for the streams: odd offsets, block-crossing and whole runs. */
static const size_t CHUNKS[] = {1, 3, 5, 0, 17, 31, 64, 7, 100, 13, 16, 2, 200};
#define NCHUNKS (sizeof(CHUNKS) / sizeof(CHUNKS[0]))

/* ige_many jobs (the first count of these): empty, short and long, so
 * that lanes finish at different steps and take new jobs. */
static const size_t JOB_LENS[] = {64, 4096, 16, 0, 144, 48, 1024, 80, 16, 256,
                                  32, 4096, 112, 64, 0, 208, 16, 480, 96, 160};
#define NJOBS (sizeof(JOB_LENS) / sizeof(JOB_LENS[0]))
#define JOB_BYTES 11008 /* the sum of JOB_LENS, checked in main */
/* Batch sizes: one job, a few, over one pass of eight AES-NI lanes, and
 * over the 12 / 16 a VAES pass takes. */
static const size_t JOB_COUNTS[] = {1, 3, 9, 20};
#define NJOB_COUNTS (sizeof(JOB_COUNTS) / sizeof(JOB_COUNTS[0]))

/* SHA message lengths: empty, short, both sides of the one-block padding
 * limit (55 / 56) and of the block, two blocks and more. */
static const size_t SHA_LENS[] = {0, 1, 3, 55, 56, 63, 64, 65, 119, 120, 128,
                                  200, 1000};
#define NSHA_LENS (sizeof(SHA_LENS) / sizeof(SHA_LENS[0]))

/* MTProto plaintext-and-padding lengths (multiples of 16, 48 at least for a
 * packet that passes the length check). */
static const size_t MTP_LENS[] = {48, 64, 80, 1024};
#define NMTP_LENS (sizeof(MTP_LENS) / sizeof(MTP_LENS[0]))

static uint8_t pt[MAXLEN], ct[MAXLEN], a[MAXLEN], b[MAXLEN];
static uint8_t key[32], iv[32], auth_key[256];
static uint8_t job_in[JOB_BYTES], job_out[JOB_BYTES], job_ref[JOB_BYTES];
static uint8_t job_keys[NJOBS][64]; /* key and IV of each job */
static uint8_t pkts[NJOBS][24 + MAXLEN], ref[24 + MAXLEN];
static unsigned long calls, failures;

/* A fixed pseudo-random pattern (the values do not matter to memcheck). */
static void fill(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        p[i] = (uint8_t)(seed >> 24);
    }
}

static void expect(int ok, const char *kernel, const char *what, size_t n)
{
    if (!ok) {
        printf("MISMATCH %s: %s, %zu bytes\n", kernel, what, n);
        failures++;
    }
}

/* FNV-1a over published output, to compare kernels with each other. */
static void digest(uint64_t *h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        *h = (*h ^ p[i]) * 0x100000001b3u;
    }
}

/* --- AES ------------------------------------------------------------------ */

static void ige(const mtc_aes_impl *k, int enc, const uint8_t *in,
                uint8_t *out, size_t n)
{
    uint8_t kc[32], ivc[32];
    memcpy(kc, key, 32);
    memcpy(ivc, iv, 32);
    SECRET(kc, 32);
    SECRET(ivc, 32);
    SECRET(in, n);
    (enc ? k->ige_encrypt : k->ige_decrypt)(kc, ivc, in, out, n);
    PUBLIC(in, n);
    PUBLIC(out, n);
    calls++;
}

/* civ is read and updated (the last ciphertext block). */
static void cbc(const mtc_aes_impl *k, int enc, uint8_t civ[16],
                const uint8_t *in, uint8_t *out, size_t n)
{
    uint8_t kc[32];
    memcpy(kc, key, 32);
    SECRET(kc, 32);
    SECRET(civ, 16);
    SECRET(in, n);
    (enc ? k->cbc_encrypt : k->cbc_decrypt)(kc, civ, in, out, n);
    PUBLIC(civ, 16);
    PUBLIC(in, n);
    PUBLIC(out, n);
    calls++;
}

/* ctr is read and advanced. */
static void ctr(const mtc_aes_impl *k, uint8_t c[16], const uint8_t *in,
                uint8_t *out, size_t nblocks)
{
    mtc_aes256_keys ks;
    uint8_t kc[32];
    memcpy(kc, key, 32);
    SECRET(kc, 32);
    k->ctr_key(&ks, kc);
    SECRET(c, 16);
    SECRET(in, 16 * nblocks);
    k->ctr_blocks(&ks, c, in, out, nblocks);
    PUBLIC(c, 16);
    PUBLIC(in, 16 * nblocks);
    PUBLIC(out, 16 * nblocks);
    mtc_memzero(&ks, sizeof ks);
    calls += 2;
}

static void check_ige(const mtc_aes_impl *k, size_t n, uint64_t *h)
{
    ige(k, 1, pt, ct, n);
    digest(h, ct, n);
    memcpy(a, pt, n);
    ige(k, 1, a, a, n);
    expect(memcmp(a, ct, n) == 0, k->name, "IGE encrypt in place", n);
    ige(k, 0, ct, b, n);
    expect(memcmp(b, pt, n) == 0, k->name, "IGE decrypt", n);
    ige(k, 0, a, a, n);
    expect(memcmp(a, pt, n) == 0, k->name, "IGE decrypt in place", n);
}

static void check_cbc(const mtc_aes_impl *k, size_t n, uint64_t *h)
{
    uint8_t v[16], w[16];

    memcpy(v, iv, 16);
    cbc(k, 1, v, pt, ct, n);
    digest(h, ct, n);
    expect(memcmp(v, n ? ct + n - 16 : iv, 16) == 0, k->name,
           "CBC encrypt IV out", n);
    memcpy(w, iv, 16);
    memcpy(a, pt, n);
    cbc(k, 1, w, a, a, n);
    expect(memcmp(a, ct, n) == 0, k->name, "CBC encrypt in place", n);
    memcpy(v, iv, 16);
    cbc(k, 0, v, ct, b, n);
    expect(memcmp(b, pt, n) == 0 && memcmp(v, w, 16) == 0, k->name,
           "CBC decrypt", n);
    memcpy(v, iv, 16);
    cbc(k, 0, v, a, a, n);
    expect(memcmp(a, pt, n) == 0, k->name, "CBC decrypt in place", n);
}

static void check_ctr(const mtc_aes_impl *k, size_t n, uint64_t *h)
{
    size_t nb = n / 16;

    for (size_t i = 0; i < NCTRS; i++) {
        uint8_t c[16], d[16], want[16];
        memcpy(want, CTRS[i], 16);
        mtc_ctr_add(want, nb);

        memcpy(c, CTRS[i], 16);
        ctr(k, c, pt, ct, nb);
        digest(h, ct, n);
        expect(memcmp(c, want, 16) == 0, k->name, "CTR counter out", n);
        memcpy(d, CTRS[i], 16);
        memcpy(a, ct, n);
        ctr(k, d, a, a, nb);
        expect(memcmp(a, pt, n) == 0 && memcmp(d, want, 16) == 0, k->name,
               "CTR in place", n);
    }
}

/* The stream in odd chunks against one whole-block call. */
static void check_stream(const mtc_aes_impl *impl, uint64_t *h)
{
    mtc_ctr_stream st;
    uint8_t kc[32], c[16];
    size_t total = 0;

    for (size_t r = 0; r < NCTRS; r++) {
        memcpy(kc, key, 32);
        memcpy(c, CTRS[r], 16);
        SECRET(kc, 32);
        SECRET(c, 16);
        mtc_ctr_init(impl, &st, kc, c);
        calls++;
        size_t pos = 0;
        for (size_t i = 0; i < NCHUNKS; i++) {
            size_t m = CHUNKS[i];
            SECRET(pt + pos, m);
            mtc_ctr_update(impl, &st, pt + pos, a + pos, m);
            PUBLIC(pt + pos, m);
            PUBLIC(a + pos, m);
            pos += m;
            calls++;
        }
        mtc_memzero(&st, sizeof st);
        digest(h, a, pos);

        memcpy(c, CTRS[r], 16);
        ctr(impl, c, pt, b, (pos + 15) / 16);
        expect(memcmp(a, b, pos) == 0, impl->name, "stream vs whole blocks",
               pos);
        total = pos;
    }
    printf("stream %-8s mtc_ctr_update in %zu chunks (%zu bytes) at %zu "
           "counters\n", impl->name, NCHUNKS, total, NCTRS);
}

/*
 * The first count jobs, each with its own key and IV, from in to out
 * (in == out: in place), all of key, IV and input secret.
 */
static void ige_many(const mtc_aes_impl *k, int decrypt, size_t count,
                     const uint8_t *in, uint8_t *out)
{
    mtc_ige_job jobs[NJOBS];
    size_t off = 0;

    for (size_t i = 0; i < count; i++) {
        jobs[i].key = job_keys[i];
        jobs[i].iv = job_keys[i] + 32;
        jobs[i].in = in + off;
        jobs[i].out = out + off;
        jobs[i].len = JOB_LENS[i];
        off += JOB_LENS[i];
    }
    SECRET(job_keys, sizeof job_keys);
    SECRET(in, off);
    k->ige_many(decrypt, jobs, count);
    PUBLIC(job_keys, sizeof job_keys);
    PUBLIC(in, off);
    PUBLIC(out, off);
    calls++;
}

/* Each batch against one ige_encrypt call a job, then decrypted in place. */
static void check_ige_many(const mtc_aes_impl *k, uint64_t *h)
{
    size_t off = 0;

    fill(job_in, sizeof job_in, 5);
    for (size_t i = 0; i < NJOBS; i++) {
        k->ige_encrypt(job_keys[i], job_keys[i] + 32, job_in + off,
                       job_ref + off, JOB_LENS[i]);
        off += JOB_LENS[i];
    }
    for (size_t c = 0; c < NJOB_COUNTS; c++) {
        size_t count = JOB_COUNTS[c], n = 0;
        for (size_t i = 0; i < count; i++) {
            n += JOB_LENS[i];
        }
        ige_many(k, 0, count, job_in, job_out);
        digest(h, job_out, n);
        expect(memcmp(job_out, job_ref, n) == 0, k->name,
               "ige_many encrypt vs one job a call", n);
        ige_many(k, 1, count, job_out, job_out);
        expect(memcmp(job_out, job_in, n) == 0, k->name,
               "ige_many decrypt in place", n);
    }
    printf("ige_many %-8s encrypt + decrypt in place, batches of", k->name);
    for (size_t c = 0; c < NJOB_COUNTS; c++) {
        printf(" %zu", JOB_COUNTS[c]);
    }
    printf(" jobs of 0..%d bytes\n", MAXLEN);
}

static uint64_t check_aes(const mtc_aes_impl *k)
{
    uint64_t h = 0xcbf29ce484222325u;
    unsigned long before = calls;

    for (size_t i = 0; i < NLENS; i++) {
        check_ige(k, LENS[i], &h);
        check_cbc(k, LENS[i], &h);
        check_ctr(k, LENS[i], &h);
    }
    printf("kernel %-8s IGE/CBC enc+dec (in place too), CTR key+blocks at "
           "%zu counters; lengths", k->name, NCTRS);
    for (size_t i = 0; i < NLENS; i++) {
        printf(" %zu", LENS[i]);
    }
    printf("; %lu calls\n", calls - before);
    check_stream(k, &h);
    check_ige_many(k, &h);
    return h;
}

/* --- SHA-1 and SHA-256 ---------------------------------------------------- */

/* FIPS 180-2 appendices A.1 and B.1: the digests of "abc". */
static const uint8_t SHA1_ABC[20] = {
    0xa9, 0x99, 0x3e, 0x36, 0x47, 0x06, 0x81, 0x6a, 0xba, 0x3e,
    0x25, 0x71, 0x78, 0x50, 0xc2, 0x6c, 0x9c, 0xd0, 0xd8, 0x9d,
};
static const uint8_t SHA256_ABC[32] = {
    0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
    0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
    0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
};

/* Both digests of the n secret bytes at p, one-shot and streaming. */
static void sha_both(const mtc_sha_impl *s, const uint8_t *p, size_t n,
                     uint8_t d1[20], uint8_t d256[32])
{
    mtc_sha1_ctx c1;
    mtc_sha256_ctx c256;
    uint8_t e1[20], e256[32];

    SECRET(p, n);
    mtc_sha1(s, p, n, d1);
    mtc_sha256(s, p, n, d256);
    mtc_sha1_init(&c1, s);
    mtc_sha256_init(&c256, s);
    for (size_t pos = 0, i = 0; pos < n; i = (i + 1) % NCHUNKS) {
        size_t m = CHUNKS[i] < n - pos ? CHUNKS[i] : n - pos;
        mtc_sha1_update(&c1, p + pos, m);
        mtc_sha256_update(&c256, p + pos, m);
        pos += m;
    }
    mtc_sha1_final(&c1, e1);
    mtc_sha256_final(&c256, e256);
    PUBLIC(p, n);
    PUBLIC(d1, 20);
    PUBLIC(d256, 32);
    PUBLIC(e1, 20);
    PUBLIC(e256, 32);
    expect(memcmp(d1, e1, 20) == 0, s->name, "SHA-1 streaming", n);
    expect(memcmp(d256, e256, 32) == 0, s->name, "SHA-256 streaming", n);
    calls += 4;
}

static uint64_t check_sha(const mtc_sha_impl *s)
{
    uint64_t h = 0xcbf29ce484222325u;
    uint8_t d1[20], d256[32], abc[3] = {'a', 'b', 'c'};

    sha_both(s, abc, 3, d1, d256);
    expect(memcmp(d1, SHA1_ABC, 20) == 0, s->name, "SHA-1 of abc", 3);
    expect(memcmp(d256, SHA256_ABC, 32) == 0, s->name, "SHA-256 of abc", 3);
    for (size_t i = 0; i < NSHA_LENS; i++) {
        sha_both(s, pt, SHA_LENS[i], d1, d256);
        digest(&h, d1, 20);
        digest(&h, d256, 32);
    }
    printf("sha %-8s SHA-1 and SHA-256 one-shot and streaming; lengths",
           s->name);
    for (size_t i = 0; i < NSHA_LENS; i++) {
        printf(" %zu", SHA_LENS[i]);
    }
    printf("\n");
    return h;
}

/* --- mtc_ct_equal --------------------------------------------------------- */

static void check_ct_equal(void)
{
    static const size_t sizes[] = {1, 16, 256};
    size_t cases = 0;

    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        size_t n = sizes[i];
        /* No difference (n), then one at the first, a middle, the last. */
        size_t diffs[] = {n, 0, n / 2, n - 1};
        for (size_t j = 0; j < sizeof(diffs) / sizeof(diffs[0]); j++) {
            memcpy(a, pt, n);
            memcpy(b, pt, n);
            if (diffs[j] < n) {
                b[diffs[j]] ^= 0x80;
            }
            SECRET(a, n);
            SECRET(b, n);
            int eq = mtc_ct_equal(a, b, n);
            PUBLIC(&eq, sizeof eq);
            PUBLIC(a, n);
            PUBLIC(b, n);
            expect(eq == (diffs[j] == n), "ct_equal", "result", n);
            cases++;
            calls++;
        }
    }
    printf("ct_equal both operands secret, %zu cases of 1, 16 and 256 "
           "bytes, equal or one byte apart\n", cases);
}

/* --- mtc_modexp ----------------------------------------------------------- */

/* Telegram's 2048-bit prime (core.telegram.org/mtproto/auth_key). */
static const uint8_t DH_PRIME[256] = {
    0xc7, 0x1c, 0xae, 0xb9, 0xc6, 0xb1, 0xc9, 0x04, 0x8e, 0x6c, 0x52, 0x2f,
    0x70, 0xf1, 0x3f, 0x73, 0x98, 0x0d, 0x40, 0x23, 0x8e, 0x3e, 0x21, 0xc1,
    0x49, 0x34, 0xd0, 0x37, 0x56, 0x3d, 0x93, 0x0f, 0x48, 0x19, 0x8a, 0x0a,
    0xa7, 0xc1, 0x40, 0x58, 0x22, 0x94, 0x93, 0xd2, 0x25, 0x30, 0xf4, 0xdb,
    0xfa, 0x33, 0x6f, 0x6e, 0x0a, 0xc9, 0x25, 0x13, 0x95, 0x43, 0xae, 0xd4,
    0x4c, 0xce, 0x7c, 0x37, 0x20, 0xfd, 0x51, 0xf6, 0x94, 0x58, 0x70, 0x5a,
    0xc6, 0x8c, 0xd4, 0xfe, 0x6b, 0x6b, 0x13, 0xab, 0xdc, 0x97, 0x46, 0x51,
    0x29, 0x69, 0x32, 0x84, 0x54, 0xf1, 0x8f, 0xaf, 0x8c, 0x59, 0x5f, 0x64,
    0x24, 0x77, 0xfe, 0x96, 0xbb, 0x2a, 0x94, 0x1d, 0x5b, 0xcd, 0x1d, 0x4a,
    0xc8, 0xcc, 0x49, 0x88, 0x07, 0x08, 0xfa, 0x9b, 0x37, 0x8e, 0x3c, 0x4f,
    0x3a, 0x90, 0x60, 0xbe, 0xe6, 0x7c, 0xf9, 0xa4, 0xa4, 0xa6, 0x95, 0x81,
    0x10, 0x51, 0x90, 0x7e, 0x16, 0x27, 0x53, 0xb5, 0x6b, 0x0f, 0x6b, 0x41,
    0x0d, 0xba, 0x74, 0xd8, 0xa8, 0x4b, 0x2a, 0x14, 0xb3, 0x14, 0x4e, 0x0e,
    0xf1, 0x28, 0x47, 0x54, 0xfd, 0x17, 0xed, 0x95, 0x0d, 0x59, 0x65, 0xb4,
    0xb9, 0xdd, 0x46, 0x58, 0x2d, 0xb1, 0x17, 0x8d, 0x16, 0x9c, 0x6b, 0xc4,
    0x65, 0xb0, 0xd6, 0xff, 0x9c, 0xa3, 0x92, 0x8f, 0xef, 0x5b, 0x9a, 0xe4,
    0xe4, 0x18, 0xfc, 0x15, 0xe8, 0x3e, 0xbe, 0xa0, 0xf8, 0x7f, 0xa9, 0xff,
    0x5e, 0xed, 0x70, 0x05, 0x0d, 0xed, 0x28, 0x49, 0xf4, 0x7b, 0xf9, 0x59,
    0xd9, 0x56, 0x85, 0x0c, 0xe9, 0x29, 0x85, 0x1f, 0x0d, 0x81, 0x15, 0xf6,
    0x35, 0xb1, 0x05, 0xee, 0x2e, 0x4e, 0x15, 0xd0, 0x4b, 0x24, 0x54, 0xbf,
    0x6f, 0x4f, 0xad, 0xf0, 0x34, 0xb1, 0x04, 0x03, 0x11, 0x9c, 0xd8, 0xe3,
    0xb9, 0x2f, 0xcc, 0x5b,
};

/* out = base^exp mod mod with base and exp secret; out published. */
static int modexp(uint8_t *out, const uint8_t *mod, size_t len,
                  const uint8_t *base, const uint8_t *exp, size_t exp_len)
{
    static uint8_t bc[256], ec[512];
    memcpy(bc, base, len);
    memcpy(ec, exp, exp_len);
    SECRET(bc, len);
    SECRET(ec, exp_len);
    int rc = mtc_modexp(out, bc, ec, exp_len, mod, len);
    PUBLIC(out, len);
    calls++;
    return rc;
}

/* Big-endian a (n bytes) + b (m <= n bytes) into out (n + 1 bytes). */
static void add_be(uint8_t *out, const uint8_t *a, size_t n, const uint8_t *b,
                   size_t m)
{
    unsigned c = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned v = a[n - 1 - i] + c + (i < m ? b[m - 1 - i] : 0);
        out[n - i] = (uint8_t)v;
        c = v >> 8;
    }
    out[0] = (uint8_t)c;
}

static void check_modexp(void)
{
    static uint8_t x[256], e[256], pm1[256], one[256], r1[256], r2[256];
    static uint8_t e2[257], small[100], zero[256];
    size_t cases = 0;

    memcpy(pm1, DH_PRIME, 256);
    pm1[255] -= 1; /* p - 1: p is odd */
    memset(one, 0, 256);
    one[255] = 1;
    fill(x, 256, 7);
    x[0] &= 0x7f; /* below p */
    fill(e, 256, 8);
    expect(modexp(r1, DH_PRIME, 256, x, pm1, 256) == 0
           && memcmp(r1, one, 256) == 0, "modexp", "x^(p-1) != 1", 256);
    expect(modexp(r1, DH_PRIME, 256, x, one, 256) == 0
           && memcmp(r1, x, 256) == 0, "modexp", "x^1 != x", 256);
    expect(modexp(r1, DH_PRIME, 256, x, zero, 256) == 0
           && memcmp(r1, one, 256) == 0, "modexp", "x^0 != 1", 256);
    add_be(e2, e, 256, pm1, 256);
    expect(modexp(r1, DH_PRIME, 256, x, e, 256) == 0
           && modexp(r2, DH_PRIME, 256, x, e2, 257) == 0
           && memcmp(r1, r2, 256) == 0, "modexp", "x^e != x^(e+p-1)", 256);
    cases += 5; /* x^e and x^(e+p-1) are two calls */
    /* A 100-byte odd modulus with its top limb's high bit clear. */
    fill(small, 100, 9);
    small[0] = 0x7f;
    small[99] |= 1;
    memcpy(r2, x, 100);
    r2[0] = 0x01; /* x below the modulus */
    expect(modexp(r1, small, 100, r2, one + 156, 100) == 0
           && memcmp(r1, r2, 100) == 0, "modexp", "x^1 != x (100 bytes)", 100);
    expect(modexp(r1, small, 100, r2, zero, 100) == 0
           && memcmp(r1, one + 156, 100) == 0, "modexp", "x^0 != 1 (100 bytes)",
           100);
    cases += 2;
    printf("modexp secret base and exponent, %zu cases of 2048 and 800 bits\n",
           cases);
}

/* --- MTProto 2.0 ---------------------------------------------------------- */

/* SHA256(p[0:m] + q[0:r]) of public data, for the reference results. */
static void sha256_two(const mtc_sha_impl *s, const uint8_t *p, size_t m,
                       const uint8_t *q, size_t r, uint8_t out[32])
{
    uint8_t buf[32 + MAXLEN];
    memcpy(buf, p, m);
    memcpy(buf + m, q, r);
    mtc_sha256(s, buf, m + r, out);
}

static void check_key_id(const mtc_kernels *k, uint8_t key_id[8])
{
    uint8_t aux[8], h[20];

    SECRET(auth_key, 256);
    mtc_mtp_key_id(k->sha, auth_key, key_id, aux);
    PUBLIC(auth_key, 256);
    PUBLIC(key_id, 8);
    PUBLIC(aux, 8);
    mtc_sha1(k->sha, auth_key, 256, h);
    expect(memcmp(key_id, h + 12, 8) == 0 && memcmp(aux, h, 8) == 0,
           k->sha->name, "key_id and aux_hash", 256);
    calls++;
}

static void check_msg_key(const mtc_kernels *k, unsigned x, size_t n)
{
    uint8_t large[32], split[32], want[32];
    size_t cut = n / 3; /* off the 16-byte grid for most n */

    SECRET(auth_key, 256);
    SECRET(pt, n);
    mtc_mtp_msg_key_large(k->sha, auth_key, x, pt, n, NULL, 0, large);
    mtc_mtp_msg_key_large(k->sha, auth_key, x, pt, cut, pt + cut, n - cut,
                          split);
    PUBLIC(auth_key, 256);
    PUBLIC(pt, n);
    PUBLIC(large, 32);
    PUBLIC(split, 32);
    sha256_two(k->sha, auth_key + 88 + x, 32, pt, n, want);
    expect(memcmp(large, want, 32) == 0 && memcmp(split, want, 32) == 0,
           k->sha->name, "msg_key_large", n);
    calls += 2;
}

static void check_kdf(const mtc_kernels *k, unsigned x)
{
    uint8_t msg_key[16], key_out[32], iv_out[32], sa[32], sb[32];
    uint8_t want_key[32], want_iv[32];

    memcpy(msg_key, pt + 100, 16);
    SECRET(auth_key, 256);
    SECRET(msg_key, 16);
    mtc_mtp_kdf(k->sha, auth_key, x, msg_key, key_out, iv_out);
    PUBLIC(auth_key, 256);
    PUBLIC(msg_key, 16);
    PUBLIC(key_out, 32);
    PUBLIC(iv_out, 32);
    /* MTPROTO.md 3 (core.telegram.org/mtproto/description). */
    sha256_two(k->sha, msg_key, 16, auth_key + x, 36, sa);
    sha256_two(k->sha, auth_key + 40 + x, 36, msg_key, 16, sb);
    memcpy(want_key, sa, 8);
    memcpy(want_key + 8, sb + 8, 16);
    memcpy(want_key + 24, sa + 24, 8);
    memcpy(want_iv, sb, 8);
    memcpy(want_iv + 8, sa + 8, 16);
    memcpy(want_iv + 24, sb + 24, 8);
    expect(memcmp(key_out, want_key, 32) == 0
           && memcmp(iv_out, want_iv, 32) == 0, k->sha->name, "KDF", 52);
    calls++;
}

/*
 * A plaintext of n bytes (with its padding) in pkt + 24 whose
 * message_data_length (bytes 28..32) is length.
 */
static void plaintext(uint8_t *pkt, size_t n, uint32_t seed, int32_t length)
{
    fill(pkt + 24, n, seed);
    mtc_enc32le(pkt + 24 + 28, (uint32_t)length);
}

/* Encrypts the plaintext in pkt + 24 in place, auth_key and it secret. */
static void encrypt(const mtc_kernels *k, const uint8_t key_id[8],
                    unsigned x, uint8_t *pkt, size_t n)
{
    SECRET(auth_key, 256);
    SECRET(pkt + 24, n);
    mtc_mtp_encrypt(k, auth_key, key_id, x, pkt, n);
    PUBLIC(auth_key, 256);
    PUBLIC(pkt, 24 + n);
    calls++;
}

/*
 * Decrypts packet pkt (24 + n bytes) into out, auth_key, msg_key and
 * ciphertext secret.  The status is not marked defined here: it must come
 * out of mtc_mtp_decrypt defined (its decision is declassified there), or
 * the comparisons with it below are reported.
 */
static int decrypt(const mtc_kernels *k, const uint8_t key_id[8],
                   unsigned x, const uint8_t *pkt, size_t len, uint8_t *out,
                   int32_t *data_len)
{
    SECRET(auth_key, 256);
    SECRET(pkt + 8, len - 8);
    int rc = mtc_mtp_decrypt(k, auth_key, key_id, x, pkt, len, out,
                             data_len);
    PUBLIC(auth_key, 256);
    PUBLIC(pkt + 8, len - 8);
    PUBLIC(out, len - 24);
    calls++;
    return rc;
}

static int is_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++) {
        acc |= p[i];
    }
    return acc == 0;
}

static void check_packets(const mtc_kernels *k, const uint8_t key_id[8],
                          unsigned x, size_t n, uint64_t *h)
{
    const char *name = k->aes->name;
    uint8_t *pkt = pkts[0], *bad = pkts[1];
    int32_t length = (int32_t)n - 32 - 16, got;
    int rc;

    /* A good packet: decrypted into another buffer and in place. */
    plaintext(pkt, n, (uint32_t)n + x, length);
    memcpy(pt, pkt + 24, n);
    encrypt(k, key_id, x, pkt, n);
    digest(h, pkt, 24 + n);
    rc = decrypt(k, key_id, x, pkt, 24 + n, a, &got);
    if (rc == MTC_MTP_OK) {
        PUBLIC(&got, sizeof got);
    }
    expect(rc == MTC_MTP_OK && got == length && memcmp(a, pt, n) == 0, name,
           "decrypt of a good packet", n);
    memcpy(bad, pkt, 24 + n);
    rc = decrypt(k, key_id, x, bad, 24 + n, bad + 24, &got);
    expect(rc == MTC_MTP_OK && memcmp(bad + 24, pt, n) == 0, name,
           "decrypt in place", n);

    /* Tampered: a ciphertext byte, then a msg_key byte. */
    memcpy(bad, pkt, 24 + n);
    bad[24 + n - 1] ^= 1;
    rc = decrypt(k, key_id, x, bad, 24 + n, a, &got);
    expect(rc == MTC_MTP_BAD_MSG_KEY && is_zero(a, n), name,
           "decrypt of a tampered ciphertext", n);
    memcpy(bad, pkt, 24 + n);
    bad[8] ^= 0x40;
    rc = decrypt(k, key_id, x, bad, 24 + n, a, &got);
    expect(rc == MTC_MTP_BAD_MSG_KEY && is_zero(a, n), name,
           "decrypt of a tampered msg_key", n);

    /* An authentic packet whose message_data_length does not fit. */
    plaintext(bad, n, (uint32_t)n + x + 1, length + 2);
    encrypt(k, key_id, x, bad, n);
    rc = decrypt(k, key_id, x, bad, 24 + n, a, &got);
    if (rc == MTC_MTP_BAD_DATA_LENGTH) {
        PUBLIC(&got, sizeof got);
    }
    expect(rc == MTC_MTP_BAD_DATA_LENGTH && got == length + 2
           && is_zero(a, n), name, "decrypt with a bad data length", n);

    /* The public checks: another key id, a short packet. */
    memcpy(bad, pkt, 24 + n);
    bad[0] ^= 1;
    rc = decrypt(k, key_id, x, bad, 24 + n, a, &got);
    expect(rc == MTC_MTP_BAD_KEY_ID, name, "decrypt with another key id", n);
    rc = decrypt(k, key_id, x, pkt, 24 + 32, a, &got);
    expect(rc == MTC_MTP_BAD_LENGTH, name, "decrypt of a short packet", n);
}

/* A batch against mtc_mtp_encrypt of each message on its own. */
static void check_encrypt_many(const mtc_kernels *k,
                               const uint8_t key_id[8], unsigned x,
                               size_t count, uint64_t *h)
{
    mtc_ige_job jobs[NJOBS];
    uint8_t keyiv[64 * NJOBS];

    for (size_t i = 0; i < count; i++) {
        /* 16 to 4096 bytes: the job lengths, the empty ones made 16. */
        size_t n = JOB_LENS[i] ? JOB_LENS[i] : 16;
        plaintext(pkts[i], n, (uint32_t)(1000 + i), (int32_t)n - 48);
        jobs[i].out = pkts[i];
        jobs[i].len = n;
        SECRET(pkts[i] + 24, n);
    }
    SECRET(auth_key, 256);
    mtc_mtp_encrypt_many(k, auth_key, key_id, x, jobs, count, keyiv);
    PUBLIC(auth_key, 256);
    calls++;
    for (size_t i = 0; i < count; i++) {
        size_t n = jobs[i].len;
        PUBLIC(pkts[i], 24 + n);
        digest(h, pkts[i], 24 + n);
        plaintext(ref, n, (uint32_t)(1000 + i), (int32_t)n - 48);
        mtc_mtp_encrypt(k, auth_key, key_id, x, ref, n);
        expect(memcmp(pkts[i], ref, 24 + n) == 0, k->aes->name,
               "encrypt_many vs encrypt", n);
    }
}

static uint64_t check_mtproto(const mtc_kernels *k)
{
    uint64_t h = 0xcbf29ce484222325u;
    uint8_t key_id[8];

    check_key_id(k, key_id);
    for (unsigned x = 0; x <= 8; x += 8) {
        for (size_t i = 0; i < NSHA_LENS; i++) {
            check_msg_key(k, x, SHA_LENS[i]);
        }
        check_kdf(k, x);
        for (size_t i = 0; i < NMTP_LENS; i++) {
            check_packets(k, key_id, x, MTP_LENS[i], &h);
        }
        for (size_t c = 0; c < NJOB_COUNTS; c++) {
            check_encrypt_many(k, key_id, x, JOB_COUNTS[c], &h);
        }
    }
    printf("mtproto %s+%s key_id, msg_key, KDF, encrypt, decrypt (good, "
           "tampered, bad length), encrypt_many of 1..%zu; x = 0 and 8\n",
           k->aes->name, k->sha->name, NJOBS);
    return h;
}

/* --- main ----------------------------------------------------------------- */

static const char *const AES_NAMES[] = {"portable", "aesni", "vaes", "ssse3vp", "neonvp",
                                        "armaes"};
static const char *const SHA_NAMES[] = {"portable", "shani", "armsha"};
#define NAES (sizeof(AES_NAMES) / sizeof(AES_NAMES[0]))
#define NSHA (sizeof(SHA_NAMES) / sizeof(SHA_NAMES[0]))

/* The name of this build's i-th AES (sha == 0) or SHA implementation,
 * whether the CPU runs it or not (mtc_aes_at, mtc_sha_at), or NULL past
 * the last. */
static const char *built_name(int sha, size_t i)
{
    const mtc_aes_impl *a = sha ? NULL : mtc_aes_at(i);
    const mtc_sha_impl *s = sha ? mtc_sha_at(i) : NULL;
    return a != NULL ? a->name : s != NULL ? s->name : NULL;
}

/*
 * The AES (sha == 0) or SHA implementation called name, checked: the
 * digest of its output must equal *h0, which the first one checked (the
 * portable one) sets.  NULL where it does not run here, saying why: the
 * CPU lacks what it needs, or this build does not have it.
 */
static const void *check_named(int sha, const char *name, int first,
                               uint64_t *h0)
{
    const void *impl = sha ? (const void *)mtc_sha_get(name)
                           : (const void *)mtc_aes_get(name);
    const char *n;
    int built = 0;
    uint64_t h;

    if (impl == NULL) {
        for (size_t i = 0; (n = built_name(sha, i)) != NULL; i++) {
            built |= strcmp(n, name) == 0;
        }
        printf("%s %-8s skipped: %s\n", sha ? "sha" : "kernel", name,
               built ? "the CPU (or the one valgrind presents) does not offer it"
                     : "not in this build");
        return NULL;
    }
    h = sha ? check_sha(impl) : check_aes(impl);
    *h0 = first ? h : *h0;
    expect(h == *h0, name,
           sha ? "SHA output != portable's" : "AES output != portable's", 0);
    return impl;
}

int main(void)
{
    const mtc_aes_impl *aes[NAES];
    const mtc_sha_impl *sha[NSHA];
    uint64_t h0 = 0, h;
    unsigned f = mtc_cpu_features();
    size_t job_bytes = 0;

    for (size_t i = 0; i < NJOBS; i++) {
        job_bytes += JOB_LENS[i];
    }
    if (job_bytes != JOB_BYTES) {
        printf("JOB_BYTES is %d, the jobs take %zu\n", JOB_BYTES, job_bytes);
        return 1;
    }

    printf("under valgrind: %s\n", RUNNING_ON_VALGRIND ? "yes" : "no");
    printf("cpu features: aesni %u, shani %u, avx512 %u, vaes %u, "
           "ssse3 %u, armaes %u, armsha %u\n",
           !!(f & MTC_CPU_AESNI), !!(f & MTC_CPU_SHANI),
           !!(f & MTC_CPU_AVX512), !!(f & MTC_CPU_VAES),
           !!(f & MTC_CPU_SSSE3), !!(f & MTC_CPU_ARMAES),
           !!(f & MTC_CPU_ARMSHA));
    fill(key, sizeof key, 1);
    fill(iv, sizeof iv, 2);
    fill(pt, sizeof pt, 3);
    fill(auth_key, sizeof auth_key, 4);
    fill(&job_keys[0][0], sizeof job_keys, 6);

    for (size_t i = 0; i < NAES; i++) {
        aes[i] = check_named(0, AES_NAMES[i], i == 0, &h0);
    }
    for (size_t i = 0; i < NSHA; i++) {
        sha[i] = check_named(1, SHA_NAMES[i], i == 0, &h0);
    }
    check_ct_equal();
    check_modexp();
    for (size_t i = 0; i < NAES; i++) {
        for (size_t j = 0; j < NSHA; j++) {
            if (aes[i] == NULL || sha[j] == NULL) {
                continue;
            }
            mtc_kernels k = {aes[i], sha[j]};
            h = check_mtproto(&k);
            h0 = i + j == 0 ? h : h0;
            expect(h == h0, aes[i]->name, "MTProto output != portable's", 0);
        }
    }
    printf("%lu calls with secret inputs, %lu mismatches\n", calls,
           failures);
    return failures ? 1 : 0;
}
