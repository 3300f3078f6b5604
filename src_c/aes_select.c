/*
 * aes_select.c: the table of AES implementations and run-time choice
 * (the names users see are in inner.h).
 */
#include "inner.h"

static const mtc_impl_entry mtc_aes_order[] = {
#if MTC_X86
    {MTC_NAME_X86VAES, &mtc_aes_x86vaes, MTC_CPU_VAES},
    {MTC_NAME_X86NI_AES, &mtc_aes_x86ni, MTC_CPU_AESNI},
#endif
#if MTC_ARM64
    {MTC_NAME_ARM64CE_AES, &mtc_aes_arm64ce, MTC_CPU_ARMAES},
#endif
#if MTC_VP
    /* Every AArch64 CPU has NEON; x86-64 CPUs need SSSE3. */
    {MTC_NAME_VP, &mtc_aes_vp, MTC_ARM64VP ? 0 : MTC_CPU_SSSE3},
#endif
    {MTC_NAME_CT64, &mtc_aes_ct64, 0},
};

/* see mtc.h */
const mtc_aes_impl *mtc_aes_at(size_t i)
{
    return i < MTC_COUNT(mtc_aes_order) ? mtc_aes_order[i].impl : NULL;
}

/* see mtc.h */
const mtc_aes_impl *mtc_aes_get(const char *name)
{
    return mtc_impl_get(mtc_aes_order, MTC_COUNT(mtc_aes_order), name);
}

/* see mtc.h */
const mtc_aes_impl *mtc_aes_best(int force_portable)
{
    return mtc_impl_best(mtc_aes_order, MTC_COUNT(mtc_aes_order),
                         force_portable);
}

/*
 * The table of a kernel set declared by MTC_AES_KERNELS (inner.h), whose
 * names it takes, with fused as ige_decrypt_sha256 (NULL where the set has
 * no fused kernel).
 */
#define MTC_AES_IMPL(impl, user_name, fused) \
    { \
        .name = user_name, \
        .ige_encrypt = mtc_##impl##_ige_encrypt, \
        .ige_decrypt = mtc_##impl##_ige_decrypt, \
        .cbc_encrypt = mtc_##impl##_cbc_encrypt, \
        .cbc_decrypt = mtc_##impl##_cbc_decrypt, \
        .ige_decrypt_sha256 = fused, \
        .ige_many = mtc_##impl##_ige_many, \
        .ctr_key = mtc_##impl##_ctr_key, \
        .ctr_blocks = mtc_##impl##_ctr_blocks, \
    }

/* No fused kernel: there is no gain from fusing in software. */
const mtc_aes_impl mtc_aes_ct64 = MTC_AES_IMPL(ct64, MTC_NAME_CT64, NULL);

#if MTC_X86
const mtc_aes_impl mtc_aes_x86ni = MTC_AES_IMPL(
    x86ni, MTC_NAME_X86NI_AES, mtc_x86ni_mtp_ige_decrypt_sha256);

/*
 * VAES where it runs blocks side by side; AES-NI for the rest: IGE both
 * ways and CBC encryption are sequential, and the key schedule is the
 * same.
 */
const mtc_aes_impl mtc_aes_x86vaes = {
    .name = MTC_NAME_X86VAES,
    .ige_encrypt = mtc_x86ni_ige_encrypt,
    .ige_decrypt = mtc_x86ni_ige_decrypt,
    .cbc_encrypt = mtc_x86ni_cbc_encrypt,
    .cbc_decrypt = mtc_x86vaes_cbc_decrypt,
    .ige_decrypt_sha256 = mtc_x86ni_mtp_ige_decrypt_sha256,
    .ige_many = mtc_x86vaes_ige_many,
    .ctr_key = mtc_x86ni_ctr_key,
    .ctr_blocks = mtc_x86vaes_ctr_blocks,
};
#endif

#if MTC_VP
/* No fused kernel: the AES chain leaves no unit idle. */
const mtc_aes_impl mtc_aes_vp = MTC_AES_IMPL(vp, MTC_NAME_VP, NULL);
#endif

#if MTC_ARM64
const mtc_aes_impl mtc_aes_arm64ce = MTC_AES_IMPL(
    arm64ce, MTC_NAME_ARM64CE_AES, mtc_arm64ce_mtp_ige_decrypt_sha256);
#endif

/* see inner.h */
void mtc_ige_many_serial(const mtc_aes_impl *impl, int decrypt,
                         const mtc_ige_job *jobs, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const mtc_ige_job *j = &jobs[i];
        if (decrypt) {
            impl->ige_decrypt(j->key, j->iv, j->in, j->out, j->len);
        } else {
            impl->ige_encrypt(j->key, j->iv, j->in, j->out, j->len);
        }
    }
}

/* see inner.h */
void mtc_ige_many_lanes(const mtc_ige_lane_ops *ops, void *lanes,
                        int decrypt, const mtc_ige_job *jobs, size_t count)
{
    mtc_ige_slot slots[MTC_IGE_LANES];
    size_t next = 0;

    memset(slots, 0, sizeof slots);
    for (;;) {
        size_t busy = 0, steps = SIZE_MAX;
        /* Give idle lanes the next jobs (empty jobs need no lane). */
        for (int l = 0; l < MTC_IGE_LANES; l++) {
            while (slots[l].left == 0 && next < count) {
                const mtc_ige_job *j = &jobs[next++];
                if (j->len >= 16) {
                    ops->start(lanes, l, j, decrypt);
                    slots[l].job = j;
                    slots[l].in = j->in;
                    slots[l].out = j->out;
                    slots[l].left = j->len / 16;
                }
            }
            if (slots[l].left != 0) {
                busy++;
                steps = slots[l].left < steps ? slots[l].left : steps;
            }
        }
        if (busy < 2) {
            break;
        }
        /* Run every lane until the first busy one finishes its job. */
        ops->run(lanes, slots, steps, decrypt);
        for (int l = 0; l < MTC_IGE_LANES; l++) {
            if (slots[l].left != 0) {
                slots[l].in += 16 * steps;
                slots[l].out += 16 * steps;
                slots[l].left -= steps;
            }
        }
    }
    /* At most one job is left: finish it on the one-stream kernel. */
    for (int l = 0; l < MTC_IGE_LANES; l++) {
        if (slots[l].left != 0) {
            ops->finish(lanes, l, &slots[l], decrypt);
        }
    }
}

/* see inner.h */
void mtc_ct64_ige_many(int decrypt, const mtc_ige_job *jobs, size_t count)
{
    mtc_ige_many_serial(&mtc_aes_ct64, decrypt, jobs, count);
}

#if MTC_VP
/* see inner.h */
void mtc_vp_ige_many(int decrypt, const mtc_ige_job *jobs, size_t count)
{
    mtc_ige_many_serial(&mtc_aes_vp, decrypt, jobs, count);
}
#endif
