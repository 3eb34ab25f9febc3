/* mcusim_bitreversal_q15: the FFT's reordering into natural order as a list of swaps of
 * complex q15 values (one 32-bit word each); the list is computed at build time. */
#include "mcusim_dsp_support.h"

void mcusim_bitreversal_q15(int16_t *buf, const uint16_t *pairs, uint32_t n_pairs)
{
    uint32_t *w = (uint32_t *)(void *)buf;      /* buf is word-aligned (mcusim_cfft_q15) */
    for (uint32_t k = 0; k < n_pairs; k++) {
        const uint32_t a = pairs[2 * k], b = pairs[2 * k + 1];
        const uint32_t t = w[a];
        w[a] = w[b];
        w[b] = t;
    }
}
