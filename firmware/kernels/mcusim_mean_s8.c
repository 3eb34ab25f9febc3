/* MEAN int8 (TFLM's integer reference): per output element, the int32 sum over the reduced
 * axes, minus input zero point x count, requantized by a multiplier that includes 1/count.
 * Walking output-major needs no int32 scratch (integer sums do not depend on order). */
#include "mcusim_nn.h"
#include "mcusim_nn_support.h"

mcusim_status mcusim_mean_s8(const mcusim_mean_params *params, const mcusim_dims *input_dims,
                             const int32_t reduce[4], const int8_t *input, int8_t *output)
{
    const int32_t d[4] = {input_dims->n, input_dims->h, input_dims->w, input_dims->c};
    int32_t stride[4];
    int32_t outer[4], inner[4];   /* loop extents: kept axes outside, reduced axes inside */
    stride[3] = 1;
    for (int k = 2; k >= 0; k--) {
        stride[k] = stride[k + 1] * d[k + 1];
    }
    for (int k = 0; k < 4; k++) {
        outer[k] = reduce[k] ? 1 : d[k];
        inner[k] = reduce[k] ? d[k] : 1;
    }
    for (int32_t a = 0; a < outer[0]; a++)
    for (int32_t b = 0; b < outer[1]; b++)
    for (int32_t c = 0; c < outer[2]; c++)
    for (int32_t e = 0; e < outer[3]; e++) {
        const int8_t *base = input + a * stride[0] + b * stride[1] + c * stride[2] + e * stride[3];
        int32_t sum = 0;
        for (int32_t i = 0; i < inner[0]; i++)
        for (int32_t j = 0; j < inner[1]; j++)
        for (int32_t k = 0; k < inner[2]; k++)
        for (int32_t l = 0; l < inner[3]; l++) {
            sum += base[i * stride[0] + j * stride[1] + k * stride[2] + l * stride[3]];
        }
        const int32_t shifted = mcusim_wrap_sub(sum, params->input_zero_point * params->count);
        int32_t v = mcusim_requant(shifted, params->multiplier, params->shift) + params->output_offset;
        *output++ = (int8_t)MCUSIM_CLAMP(v, -128, 127);
    }
    return MCUSIM_OK;
}
