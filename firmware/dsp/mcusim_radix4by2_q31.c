/* mcusim_radix4by2_q31: FFT of 2 * 4^k points as in arm_cfft_radix4by2_q31: one radix-2 stage
 * (inputs >> 2; the difference times the twiddle with rounded high-word products, SMMULR then
 * SMMLAR/SMMLSR, << 1), two radix-4 halves on the same table with step 2, every value << 1. */
#include "mcusim_dsp_support.h"

void mcusim_radix4by2_q31(int32_t *buf, uint32_t fft_len, const int32_t *twiddle)
{
    const uint32_t h = fft_len >> 1;
    for (uint32_t i = 0; i < h; i++) {
        const int32_t c = twiddle[2 * i], s = twiddle[2 * i + 1];
        int32_t *a = buf + 2 * i, *b = buf + 2 * (i + h);
        const int32_t a0 = a[0] >> 2, a1 = a[1] >> 2, b0 = b[0] >> 2, b1 = b[1] >> 2;
        const int32_t xt = (int32_t)((uint32_t)a0 - (uint32_t)b0);
        const int32_t yt = (int32_t)((uint32_t)a1 - (uint32_t)b1);
        a[0] = (int32_t)((uint32_t)a0 + (uint32_t)b0);
        a[1] = (int32_t)((uint32_t)b1 + (uint32_t)a1);
        const int32_t p0 = mcusim_mmlar(mcusim_mmulr(xt, c), yt, s);
        const int32_t p1 = mcusim_mmlsr(mcusim_mmulr(yt, c), xt, s);
        b[0] = (int32_t)((uint32_t)p0 << 1);
        b[1] = (int32_t)((uint32_t)p1 << 1);
    }
    mcusim_radix4_butterfly_q31(buf, h, twiddle, 2);
    mcusim_radix4_butterfly_q31(buf + fft_len, h, twiddle, 2);
    for (uint32_t i = 0; i < 2 * fft_len; i++)
        buf[i] = (int32_t)((uint32_t)buf[i] << 1);
}
