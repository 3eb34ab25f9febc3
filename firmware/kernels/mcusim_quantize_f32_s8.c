/* QUANTIZE float32 -> int8 (TFLM AffineQuantize): round(x / scale) half away from zero, in
 * single precision as TFLM does, plus the zero point, saturated. */
#include <math.h>
#include "mcusim_nn.h"
#include "mcusim_nn_support.h"

mcusim_status mcusim_quantize_f32_s8(int32_t size, float scale, int32_t zero_point,
                                     const float *input, int8_t *output)
{
    for (int32_t i = 0; i < size; i++) {
        float r = roundf(input[i] / scale);
        /* keep the float->int conversion defined; beyond +-2^30 the result saturates anyway */
        r = r > 1073741824.0f ? 1073741824.0f : (r < -1073741824.0f ? -1073741824.0f : r);
        int32_t v = (int32_t)r + zero_point;
        output[i] = (int8_t)MCUSIM_CLAMP(v, -128, 127);
    }
    return MCUSIM_OK;
}
