/* mcusim_radix4by2_q15: FFT of 2 * 4^k points as in arm_cfft_radix4by2_q15 (portable
 * arithmetic): one radix-2 stage (halves of the inputs, the sum halved again, the difference
 * times the twiddle with each product >> 16 on its own), two radix-4 halves of fft_len / 2 on
 * the same table with step 2, then every value doubled (wrapping, as a q15 << 1). */
#include "mcusim_dsp_support.h"

void mcusim_radix4by2_q15(int16_t *buf, uint32_t fft_len, const int16_t *twiddle)
{
    const uint32_t h = fft_len >> 1;
    for (uint32_t i = 0; i < h; i++) {
        const int32_t c = twiddle[2 * i], s = twiddle[2 * i + 1];
        int16_t *a = buf + 2 * i, *b = buf + 2 * (i + h);
        int32_t a0 = a[0] >> 1, a1 = a[1] >> 1, b0 = b[0] >> 1, b1 = b[1] >> 1;
        int32_t xt = (int16_t)(a0 - b0), yt = (int16_t)(a1 - b1);
        a[0] = (int16_t)((a0 + b0) >> 1);
        a[1] = (int16_t)((a1 + b1) >> 1);
        b[0] = (int16_t)((int16_t)((xt * c) >> 16) + (int16_t)((yt * s) >> 16));
        b[1] = (int16_t)((int16_t)((yt * c) >> 16) - (int16_t)((xt * s) >> 16));
    }
    mcusim_radix4_butterfly_q15(buf, h, twiddle, 2);
    mcusim_radix4_butterfly_q15(buf + fft_len, h, twiddle, 2);
    uint32_t i = 0;
#if MCUSIM_DSP_SIMD
    for (; i + 2 <= 2 * fft_len; i += 2) {       /* SADD16(x, x): both lanes << 1, wrapping */
        int32_t v = mcusim_read_q15x2(buf + i);
        mcusim_write_q15x2(buf + i, __sadd16(v, v));
    }
#endif
    for (; i < 2 * fft_len; i++)
        buf[i] = (int16_t)((uint32_t)buf[i] << 1);
}
