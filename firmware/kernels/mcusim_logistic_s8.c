/* LOGISTIC int8 (TFLM reference): input rescaled to Q4.27, gemmlowp logistic, output
 * scale 1/256 zp -128; inputs beyond the radius saturate directly. */
#include "mcusim_nn.h"
#include "mcusim_nn_support.h"

mcusim_status mcusim_logistic_s8(const mcusim_sigmoid_params *params, int32_t size,
                                 const int8_t *input, int8_t *output)
{
    mcusim_sigmoid_like_s8(params, size, input, output, mcusim_logistic_fp, 8, -128);
    return MCUSIM_OK;
}
