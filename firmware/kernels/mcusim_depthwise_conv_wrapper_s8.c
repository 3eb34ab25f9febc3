/* DEPTHWISE_CONV_2D wrapper: 3x3, multiplier 1, dilation 1 -> 3x3 fast path; else generic.
 * Neither needs scratch (kept in the API so the compiler treats every op alike). */
#include "mcusim_nn.h"

int32_t mcusim_depthwise_conv_wrapper_s8_get_buffer_size(const mcusim_dw_conv_params *params,
                                                         const mcusim_dims *input_dims,
                                                         const mcusim_dims *filter_dims)
{
    (void)params;
    (void)input_dims;
    (void)filter_dims;
    return 0;
}

mcusim_status mcusim_depthwise_conv_wrapper_s8(void *buffer, const mcusim_dw_conv_params *params,
                                               const mcusim_quant_params *quant,
                                               const mcusim_dims *input_dims, const int8_t *input,
                                               const mcusim_dims *filter_dims, const int8_t *filter,
                                               const int32_t *bias,
                                               const mcusim_dims *output_dims, int8_t *output)
{
    (void)buffer;
    if (filter_dims->h == 3 && filter_dims->w == 3 && params->ch_mult == 1 &&
        params->dilation.h == 1 && params->dilation.w == 1) {
        return mcusim_depthwise_conv_3x3_s8(params, quant, input_dims, input, filter_dims, filter,
                                            bias, output_dims, output);
    }
    return mcusim_depthwise_conv_s8(params, quant, input_dims, input, filter_dims, filter, bias,
                                    output_dims, output);
}
