/*
 * aes_vp_ige.c: AES-256-IGE on the vector-permute kernel (aes_vp.h), one
 * block at a time: IGE chains every block on the previous one in both
 * directions.
 */
#include "aes_vp.h"

#if MTC_VP

/* see inner.h */
MTC_TARGET_VP void mtc_vp_ige_encrypt(const uint8_t key[32],
                                      const uint8_t iv[32],
                                      const uint8_t *in, uint8_t *out,
                                      size_t len)
{
    if (len >= 16) {
        mtc_vp_chain(key, mtc_vp_load(iv), mtc_vp_load(iv + 16), in, out,
                     len / 16, 0, 1);
    }
}

/* see inner.h */
MTC_TARGET_VP void mtc_vp_ige_decrypt(const uint8_t key[32],
                                      const uint8_t iv[32],
                                      const uint8_t *in, uint8_t *out,
                                      size_t len)
{
    if (len >= 16) {
        mtc_vp_chain(key, mtc_vp_load(iv + 16), mtc_vp_load(iv), in, out,
                     len / 16, 1, 1);
    }
}

#endif /* MTC_VP */
