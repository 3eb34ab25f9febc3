/* mcusim_bitreversal_q31: the FFT's reordering into natural order as a list of swaps of
 * complex q31 values (two words each); the list is computed at build time. */
#include "mcusim_dsp_support.h"

void mcusim_bitreversal_q31(int32_t *buf, const uint16_t *pairs, uint32_t n_pairs)
{
    for (uint32_t k = 0; k < n_pairs; k++) {
        int32_t *a = buf + 2 * pairs[2 * k], *b = buf + 2 * pairs[2 * k + 1];
        const int32_t re = a[0], im = a[1];
        a[0] = b[0];
        a[1] = b[1];
        b[0] = re;
        b[1] = im;
    }
}
