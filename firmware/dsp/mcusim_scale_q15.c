/* mcusim_scale_q15: dst = sat((src * scale) >> (15 - shift)) (arm_scale_q15). */
#include "mcusim_dsp_support.h"

void mcusim_scale_q15(const int16_t *src, int16_t scale, int32_t shift, int16_t *dst, uint32_t n)
{
    const int32_t k = 15 - shift;
    for (uint32_t i = 0; i < n; i++)
        dst[i] = (int16_t)mcusim_ssat(((int32_t)src[i] * scale) >> k, 16);
}
