/* int8 -> int8 requantization: QUANTIZE between int8 scales, and RELU (TFLM requantizes and
 * clamps to the activation range computed from the output quantization). */
#include "mcusim_nn.h"
#include "mcusim_nn_support.h"

mcusim_status mcusim_requantize_s8(const mcusim_requant_params *params, int32_t size,
                                   const int8_t *input, int8_t *output)
{
    for (int32_t i = 0; i < size; i++) {
        int32_t v = params->output_offset +
                    mcusim_requant(input[i] + params->input_offset, params->multiplier, params->shift);
        output[i] = (int8_t)MCUSIM_CLAMP(v, params->activation.min, params->activation.max);
    }
    return MCUSIM_OK;
}
