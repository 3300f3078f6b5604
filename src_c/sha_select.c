/*
 * sha_select.c: the table of SHA implementations and run-time choice
 * (the names users see are in inner.h).
 */
#include "inner.h"

/*
 * The entries a table leaves out are NULL: the generic code over the
 * block functions serves there (mtc.h).
 */
static const mtc_sha_impl mtc_sha_generic = {
    .name = MTC_NAME_GENERIC_SHA,
    .sha1_blocks = mtc_generic_sha1_blocks,
    .sha256_blocks = mtc_generic_sha256_blocks,
};

#if MTC_X86
/*
 * SHA-NI, with prefixed_many as sha256_prefixed_many: NULL, or the
 * batches of AVX-512 (x86mb), which hash messages side by side.
 */
#define MTC_SHA_X86NI(prefixed_many) \
    { \
        .name = MTC_NAME_X86NI_SHA, \
        .sha1_blocks = mtc_x86ni_sha1_blocks, \
        .sha256_blocks = mtc_x86ni_sha256_blocks, \
        .sha256 = mtc_x86ni_sha256, \
        .sha256_prefixed = mtc_x86ni_sha256_prefixed, \
        .sha256_prefixed_many = prefixed_many, \
        .mtp_kdf = mtc_x86ni_mtp_kdf, \
    }
static const mtc_sha_impl mtc_sha_x86ni = MTC_SHA_X86NI(NULL);
static const mtc_sha_impl mtc_sha_x86ni_x86mb =
    MTC_SHA_X86NI(mtc_x86mb_sha256_prefixed_many);
#endif

#if MTC_ARM64
static const mtc_sha_impl mtc_sha_arm64ce = {
    .name = MTC_NAME_ARM64CE_SHA,
    .sha1_blocks = mtc_arm64ce_sha1_blocks,
    .sha256_blocks = mtc_arm64ce_sha256_blocks,
    .sha256_prefixed = mtc_arm64ce_sha256_prefixed,
};
#endif

static const mtc_impl_entry mtc_sha_order[] = {
#if MTC_X86
    {MTC_NAME_X86NI_SHA, &mtc_sha_x86ni, MTC_CPU_SHANI},
#endif
#if MTC_ARM64
    {MTC_NAME_ARM64CE_SHA, &mtc_sha_arm64ce, MTC_CPU_ARMSHA},
#endif
    {MTC_NAME_GENERIC_SHA, &mtc_sha_generic, 0},
};

/* impl, or its batching twin where impl is SHA-NI and AVX-512 runs. */
static const mtc_sha_impl *mtc_sha_batching(const mtc_sha_impl *impl)
{
#if MTC_X86
    if (impl == &mtc_sha_x86ni && (mtc_cpu_features() & MTC_CPU_AVX512)) {
        return &mtc_sha_x86ni_x86mb;
    }
#endif
    return impl;
}

/* see mtc.h */
const mtc_sha_impl *mtc_sha_at(size_t i)
{
    return i < MTC_COUNT(mtc_sha_order) ? mtc_sha_order[i].impl : NULL;
}

/* see mtc.h */
const mtc_sha_impl *mtc_sha_get(const char *name)
{
    return mtc_sha_batching(
        mtc_impl_get(mtc_sha_order, MTC_COUNT(mtc_sha_order), name));
}

/* see mtc.h */
const mtc_sha_impl *mtc_sha_best(int force_portable)
{
    return mtc_sha_batching(mtc_impl_best(
        mtc_sha_order, MTC_COUNT(mtc_sha_order), force_portable));
}
