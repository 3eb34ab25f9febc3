/* mcusim_cfft_q31: forward complex FFT in place (arm_cfft_q31, bit reversal on): radix 4 for
 * 4^k points, radix 4 by 2 for 2 * 4^k, then the swaps into natural order. Output / fft_len. */
#include "mcusim_dsp_support.h"

void mcusim_cfft_q31(const mcusim_cfft_instance_q31 *s, int32_t *buf)
{
    const uint32_t n = s->fft_len;
    if (__builtin_ctz(n) & 1)
        mcusim_radix4by2_q31(buf, n, s->twiddle);
    else
        mcusim_radix4_butterfly_q31(buf, n, s->twiddle, 1);
    mcusim_bitreversal_q31(buf, s->bitrev, s->bitrev_len);
}
