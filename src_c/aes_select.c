/*
 * aes_select.c: the table of AES implementations and run-time choice.
 */
#include "inner.h"

/* see mtc.h */
const mtc_aes_impl *mtc_aes_get(const char *name)
{
    if (strcmp(name, "portable") == 0) {
        return &mtc_aes_portable;
    }
#if MTC_X86
    unsigned f = mtc_cpu_features();
    if (strcmp(name, "aesni") == 0 && (f & MTC_CPU_AESNI)) {
        return &mtc_aes_x86ni;
    }
    if (strcmp(name, "vaes") == 0 && (f & MTC_CPU_VAES)) {
        return &mtc_aes_x86vaes;
    }
#endif
    return NULL;
}

/* see mtc.h */
const mtc_aes_impl *mtc_aes_best(int force_portable)
{
    static const char *const order[] = {"vaes", "aesni"};
    if (!force_portable) {
        for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
            const mtc_aes_impl *impl = mtc_aes_get(order[i]);
            if (impl != NULL) {
                return impl;
            }
        }
    }
    return &mtc_aes_portable;
}

const mtc_aes_impl mtc_aes_portable = {
    "portable",
    mtc_ct64_ige_encrypt, mtc_ct64_ige_decrypt,
    mtc_ct64_cbc_encrypt, mtc_ct64_cbc_decrypt,
    mtc_ct64_ctr_key, mtc_ct64_ctr_blocks,
};

#if MTC_X86
const mtc_aes_impl mtc_aes_x86ni = {
    "aesni",
    mtc_x86ni_ige_encrypt, mtc_x86ni_ige_decrypt,
    mtc_x86ni_cbc_encrypt, mtc_x86ni_cbc_decrypt,
    mtc_x86ni_ctr_key, mtc_x86ni_ctr_blocks,
};

const mtc_aes_impl mtc_aes_x86vaes = {
    "vaes",
    mtc_x86ni_ige_encrypt, mtc_x86ni_ige_decrypt,
    mtc_x86ni_cbc_encrypt, mtc_x86vaes_cbc_decrypt,
    mtc_x86ni_ctr_key, mtc_x86vaes_ctr_blocks,
};
#endif
