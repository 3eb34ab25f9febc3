/* TANH int8 (TFLM reference): input rescaled to Q4.27, gemmlowp tanh, output scale 1/128 zp 0. */
#include "mcusim_nn.h"
#include "mcusim_nn_support.h"

mcusim_status mcusim_tanh_s8(const mcusim_sigmoid_params *params, int32_t size,
                             const int8_t *input, int8_t *output)
{
    mcusim_sigmoid_like_s8(params, size, input, output, mcusim_tanh_fp, 7, 0);
    return MCUSIM_OK;
}
