/* TANH int8 (TFLM reference): input rescaled to Q4.27, gemmlowp tanh, output scale 1/128 zp 0. */
#include "mcusim_nn.h"
#include "mcusim_nn_support.h"

mcusim_status mcusim_tanh_s8(const mcusim_sigmoid_params *params, int32_t size,
                             const int8_t *input, int8_t *output)
{
    for (int32_t i = 0; i < size; i++) {
        const int32_t x = input[i] - params->input_zero_point;
        if (x <= -params->input_range_radius) {
            output[i] = -128;
        } else if (x >= params->input_range_radius) {
            output[i] = 127;
        } else {
            const int32_t q4 = mcusim_requant(x, params->input_multiplier, params->input_left_shift);
            int32_t v = mcusim_rdivpot(mcusim_tanh_fp(q4, 4), 31 - 7);
            output[i] = (int8_t)MCUSIM_CLAMP(v, -128, 127);
        }
    }
    return MCUSIM_OK;
}
