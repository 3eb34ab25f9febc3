/* DEQUANTIZE int8 -> float32 (TFLM reference): computed in double, then rounded to float. */
#include "mcusim_nn.h"

mcusim_status mcusim_dequantize_s8_f32(int32_t size, double scale, int32_t zero_point,
                                       const int8_t *input, float *output)
{
    for (int32_t i = 0; i < size; i++) {
        output[i] = (float)(scale * (double)(input[i] - zero_point));
    }
    return MCUSIM_OK;
}
