/*
 * ctmutant.c: util.c with mtc_ct_equal replaced by a comparison that
 * returns at the first differing byte (the timing leak a msg_key check must
 * not have; ctneg.c's early_exit_equal).  Linked into ctgrind in place of
 * util.c, it must make the run fail with every report in mtc_ct_equal
 * (tests/test_constant_time.py): the clean run then did check the real
 * mtc_ct_equal with secret operands, from the harness and from
 * mtc_mtp_decrypt.
 */
#define mtc_ct_equal mtc_ct_equal_replaced
#include "util.c"
#undef mtc_ct_equal

int mtc_ct_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (a[i] != b[i]) {
            return 0;
        }
    }
    return 1;
}
