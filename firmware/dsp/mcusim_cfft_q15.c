/* mcusim_cfft_q15: forward complex FFT in place (arm_cfft_q15, bit reversal on): radix 4 for
 * 4^k points, radix 4 by 2 for 2 * 4^k, then the swaps into natural order. Output / fft_len.
 * buf must be 4-byte aligned. */
#include "mcusim_dsp_support.h"

void mcusim_cfft_q15(const mcusim_cfft_instance_q15 *s, int16_t *buf)
{
    const uint32_t n = s->fft_len;
    if (__builtin_ctz(n) & 1)
        mcusim_radix4by2_q15(buf, n, s->twiddle);
    else
        mcusim_radix4_butterfly_q15(buf, n, s->twiddle, 1);
    mcusim_bitreversal_q15(buf, s->bitrev, s->bitrev_len);
}
