/*
 * cpu.c: which x86 or ARM instruction sets this CPU and OS let us use.
 */
#include "inner.h"

#if MTC_ARM64
#if defined(__APPLE__)
#include <sys/sysctl.h>
#elif defined(_WIN32)
#include <windows.h>
#elif defined(__linux__)
#include <sys/auxv.h>
#endif
#endif

#if MTC_X86
#if MTC_MSVC
#include <intrin.h>
#include <immintrin.h>

/* CPUID leaf (and sub-leaf): EAX, EBX, ECX, EDX in r. */
static void mtc_cpuid(unsigned leaf, unsigned sub, unsigned r[4])
{
    int v[4];
    __cpuidex(v, (int)leaf, (int)sub);
    for (int i = 0; i < 4; i++) {
        r[i] = (unsigned)v[i];
    }
}

/* XCR0 through XGETBV; only called when CPUID says OSXSAVE. */
static uint64_t mtc_xgetbv0(void)
{
    return _xgetbv(0);
}
#else
#include <cpuid.h>

static void mtc_cpuid(unsigned leaf, unsigned sub, unsigned r[4])
{
    __cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
}

static uint64_t mtc_xgetbv0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}
#endif

static unsigned mtc_cpu_detect(void)
{
    unsigned r[4], f = 0;

    mtc_cpuid(0, 0, r);
    unsigned max = r[0];
    if (max < 1) {
        return 0;
    }
    mtc_cpuid(1, 0, r);
    unsigned c = r[2];
    unsigned aes = (c >> 25) & 1, sse41 = (c >> 19) & 1;
    unsigned ssse3 = (c >> 9) & 1, osxsave = (c >> 27) & 1;
    if (aes && sse41) {
        f |= MTC_CPU_AESNI;
    }
    if (ssse3) {
        f |= MTC_CPU_SSSE3;
    }
    if (max < 7) {
        return f;
    }
    mtc_cpuid(7, 0, r);
    unsigned b = r[1];
    c = r[2];
    unsigned avx512f = (b >> 16) & 1, avx512bw = (b >> 30) & 1;
    unsigned avx512vl = (b >> 31) & 1, vaes = (c >> 9) & 1;
    unsigned sha = (b >> 29) & 1;
    /* The SHA-NI kernels also use pshufb (SSSE3) and pblendw (SSE4.1). */
    if (sha && ssse3 && sse41) {
        f |= MTC_CPU_SHANI;
    }
    /* The OS must save XMM, YMM, opmask and both halves of ZMM (0xe6). */
    if (osxsave && avx512f && avx512bw && avx512vl
        && (mtc_xgetbv0() & 0xe6) == 0xe6) {
        f |= MTC_CPU_AVX512;
        if ((f & MTC_CPU_AESNI) && vaes) {
            f |= MTC_CPU_VAES;
        }
    }
    return f;
}
#endif

#if MTC_ARM64
#if defined(__APPLE__)
/*
 * 1 when sysctl name reads as a non-zero integer, or when it does not exist
 * and absent stands for present: macOS 12 introduced the FEAT_* names,
 * and every Apple CPU that runs macOS 11 on arm64 (M1) has the extensions.
 */
static unsigned mtc_sysctl_flag(const char *name, unsigned absent)
{
    int v = 0;
    size_t len = sizeof v;
    if (sysctlbyname(name, &v, &len, NULL, 0) != 0) {
        return absent;
    }
    return v != 0;
}
#endif

static unsigned mtc_cpu_detect(void)
{
    unsigned aes = 0, sha = 0;
#if defined(__APPLE__)
    aes = mtc_sysctl_flag("hw.optional.arm.FEAT_AES", 1);
    sha = mtc_sysctl_flag("hw.optional.arm.FEAT_SHA1", 1)
        && mtc_sysctl_flag("hw.optional.arm.FEAT_SHA256", 1);
#elif defined(_WIN32)
    /* One flag for AES, PMULL, SHA-1 and SHA-256. */
    aes = sha = IsProcessorFeaturePresent(
                    PF_ARM_V8_CRYPTO_INSTRUCTIONS_AVAILABLE) != 0;
#elif defined(__linux__)
    /* The AT_HWCAP bits of Linux's arch/arm64/include/uapi/asm/hwcap.h
     * (HWCAP_AES, HWCAP_SHA1, HWCAP_SHA2), also Android's. */
    unsigned long hw = getauxval(AT_HWCAP);
    aes = (hw >> 3) & 1;
    sha = ((hw >> 5) & 1) && ((hw >> 6) & 1);
#endif
    return (aes ? MTC_CPU_ARMAES : 0) | (sha ? MTC_CPU_ARMSHA : 0);
}
#endif

/* see mtc.h */
unsigned mtc_cpu_features(void)
{
#if MTC_X86 || MTC_ARM64
    /* Racing first calls compute and store the same value. */
    static volatile unsigned cached = 0;
    unsigned f = cached;
    if (f == 0) {
        f = mtc_cpu_detect() | 0x80000000u;
        cached = f;
    }
    return f & ~0x80000000u;
#else
    return 0;
#endif
}

/* see inner.h */
const void *mtc_impl_get(const mtc_impl_entry *t, size_t n, const char *name)
{
    unsigned f = mtc_cpu_features();
    for (size_t i = 0; i < n; i++) {
        if (strcmp(t[i].name, name) == 0 && (t[i].needs & ~f) == 0) {
            return t[i].impl;
        }
    }
    return NULL;
}

/* see inner.h */
const void *mtc_impl_best(const mtc_impl_entry *t, size_t n,
                          int force_portable)
{
    unsigned f = mtc_cpu_features();
    for (size_t i = 0; !force_portable && i < n; i++) {
        if ((t[i].needs & ~f) == 0) {
            return t[i].impl;
        }
    }
    return t[n - 1].impl;
}
