/* mcusim_mult_q31: dst = sat31((a * b) >> 32) << 1 (arm_mult_q31), e.g. a frame times its
 * window. */
#include "mcusim_dsp_support.h"

void mcusim_mult_q31(const int32_t *a, const int32_t *b, int32_t *dst, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        dst[i] = (int32_t)((uint32_t)mcusim_ssat(mcusim_mul_shr(a[i], b[i], 32), 31) << 1);
}
