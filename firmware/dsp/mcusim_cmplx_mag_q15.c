/* mcusim_cmplx_mag_q15: |re + j im| of q15 complex values, q2.14 out (arm_cmplx_mag_q15). */
#include "mcusim_dsp_support.h"

void mcusim_cmplx_mag_q15(const int16_t *src, int16_t *dst, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
#if MCUSIM_DSP_SIMD
        uint32_t acc = (uint32_t)__smuad(mcusim_read_q15x2(src + 2 * i),
                                         mcusim_read_q15x2(src + 2 * i));  /* re^2 + im^2 */
#else
        int32_t re = src[2 * i], im = src[2 * i + 1];
        uint32_t acc = (uint32_t)(re * re) + (uint32_t)(im * im);
#endif
        dst[i] = (int16_t)(mcusim_sqrt_q31((int32_t)(acc >> 1)) >> 16);
    }
}
