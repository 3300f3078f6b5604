/*
 * sha_select.c: the table of SHA implementations and run-time choice
 * (the names users see are in inner.h).
 */
#include "inner.h"

static const mtc_sha_impl mtc_sha_generic = {
    .name = MTC_NAME_GENERIC_SHA,
    .sha1_blocks = mtc_generic_sha1_blocks,
    .sha256_blocks = mtc_generic_sha256_blocks,
    .sha256 = NULL,
    .sha256_prefixed = NULL,
    .sha256_prefixed_many = NULL,
    .mtp_kdf = NULL,
};

#if MTC_X86
static const mtc_sha_impl mtc_sha_x86ni = {
    .name = MTC_NAME_X86NI_SHA,
    .sha1_blocks = mtc_x86ni_sha1_blocks,
    .sha256_blocks = mtc_x86ni_sha256_blocks,
    .sha256 = mtc_x86ni_sha256,
    .sha256_prefixed = mtc_x86ni_sha256_prefixed,
    .sha256_prefixed_many = NULL,
    .mtp_kdf = mtc_x86ni_mtp_kdf,
};

/* The same where AVX-512 can hash batches of messages side by side. */
static const mtc_sha_impl mtc_sha_x86ni_x86mb = {
    .name = MTC_NAME_X86NI_SHA,
    .sha1_blocks = mtc_x86ni_sha1_blocks,
    .sha256_blocks = mtc_x86ni_sha256_blocks,
    .sha256 = mtc_x86ni_sha256,
    .sha256_prefixed = mtc_x86ni_sha256_prefixed,
    .sha256_prefixed_many = mtc_x86mb_sha256_prefixed_many,
    .mtp_kdf = mtc_x86ni_mtp_kdf,
};
#endif

#if MTC_ARM64
static const mtc_sha_impl mtc_sha_arm64ce = {
    .name = MTC_NAME_ARM64CE_SHA,
    .sha1_blocks = mtc_arm64ce_sha1_blocks,
    .sha256_blocks = mtc_arm64ce_sha256_blocks,
    .sha256 = NULL,
    .sha256_prefixed = mtc_arm64ce_sha256_prefixed,
    .sha256_prefixed_many = NULL,
    .mtp_kdf = NULL,
};
#endif

/* see mtc.h */
const mtc_sha_impl *mtc_sha_at(size_t i)
{
    static const mtc_sha_impl *const order[] = {
#if MTC_X86
        &mtc_sha_x86ni,
#endif
#if MTC_ARM64
        &mtc_sha_arm64ce,
#endif
        &mtc_sha_generic,
    };
    return i < sizeof(order) / sizeof(order[0]) ? order[i] : NULL;
}

/* see mtc.h */
const mtc_sha_impl *mtc_sha_get(const char *name)
{
    if (strcmp(name, MTC_NAME_GENERIC_SHA) == 0) {
        return &mtc_sha_generic;
    }
#if MTC_X86
    unsigned f = mtc_cpu_features();
    if (strcmp(name, MTC_NAME_X86NI_SHA) == 0 && (f & MTC_CPU_SHANI)) {
        return f & MTC_CPU_AVX512 ? &mtc_sha_x86ni_x86mb : &mtc_sha_x86ni;
    }
#endif
#if MTC_ARM64
    if (strcmp(name, MTC_NAME_ARM64CE_SHA) == 0
        && (mtc_cpu_features() & MTC_CPU_ARMSHA)) {
        return &mtc_sha_arm64ce;
    }
#endif
    return NULL;
}

/* see mtc.h */
const mtc_sha_impl *mtc_sha_best(int force_portable)
{
    const mtc_sha_impl *impl;
    for (size_t i = 0; !force_portable && (impl = mtc_sha_at(i)) != NULL;
         i++) {
        if ((impl = mtc_sha_get(impl->name)) != NULL) {
            return impl;
        }
    }
    return &mtc_sha_generic;
}
