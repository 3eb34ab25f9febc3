/* FULLY_CONNECTED wrapper: one kernel (its DSP path is chosen at compile time); no scratch. */
#include "mcusim_nn.h"

int32_t mcusim_fully_connected_wrapper_s8_get_buffer_size(int32_t accum_depth)
{
    (void)accum_depth;
    return 0;
}

mcusim_status mcusim_fully_connected_wrapper_s8(void *buffer, const mcusim_fc_params *params,
                                                const mcusim_quant_params *quant,
                                                int32_t batches, int32_t accum_depth,
                                                int32_t output_depth, const int8_t *input,
                                                const int8_t *filter, const int32_t *bias,
                                                int8_t *output)
{
    (void)buffer;
    return mcusim_fully_connected_s8(params, quant, batches, accum_depth, output_depth, input,
                                     filter, bias, output);
}
