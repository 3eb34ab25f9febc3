/* mcusim_quantize_q15_s8: q8.7 features into a model's int8 input,
 * q = clamp(round_half_up(x * multiplier / 2^shift) + zero_point, -128, 127), where
 * multiplier / 2^shift ~ 1 / (128 * input_scale) is chosen at build time with multiplier
 * < 2^15 so the product and its rounding fit 32 bits. */
#include "mcusim_dsp_support.h"

void mcusim_quantize_q15_s8(const int16_t *src, uint32_t n, int32_t multiplier, int32_t shift,
                            int32_t zero_point, int8_t *dst)
{
    const int32_t round = shift > 0 ? (int32_t)(1u << (shift - 1)) : 0;
    for (uint32_t i = 0; i < n; i++) {
        int32_t q = ((src[i] * multiplier + round) >> shift) + zero_point;
        dst[i] = (int8_t)(q < -128 ? -128 : q > 127 ? 127 : q);
    }
}
