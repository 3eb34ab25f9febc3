/* mcusim_cmplx_mag_q31: |re + j im| of q31 complex values, q2.30 out (arm_cmplx_mag_q31):
 * each square's high part >> 33, summed, square root. */
#include "mcusim_dsp_support.h"

void mcusim_cmplx_mag_q31(const int32_t *src, int32_t *dst, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        int32_t re = src[2 * i], im = src[2 * i + 1];
        int32_t acc = (int32_t)(((int64_t)re * re) >> 33) + (int32_t)(((int64_t)im * im) >> 33);
        dst[i] = mcusim_sqrt_q31(acc);
    }
}
