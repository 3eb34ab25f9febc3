/* ADD int8 (TFLM reference): both inputs shifted left by left_shift (20), scaled to a common
 * scale, summed, requantized; broadcasting walks 6-D strides (0 on a broadcast axis). */
#include "mcusim_nn.h"
#include "mcusim_nn_support.h"

static int8_t add_one(const mcusim_add_params *p, int32_t a, int32_t b)
{
    const int32_t x1 = mcusim_shl(p->input1_offset + a, p->left_shift);
    const int32_t x2 = mcusim_shl(p->input2_offset + b, p->left_shift);
    /* MultiplyByQuantizedMultiplierSmallerThanOneExp == requant for shift <= 0 */
    const int32_t s1 = mcusim_requant(x1, p->input1_multiplier, p->input1_shift);
    const int32_t s2 = mcusim_requant(x2, p->input2_multiplier, p->input2_shift);
    int32_t out = mcusim_requant(s1 + s2, p->output_multiplier, p->output_shift) + p->output_offset;
    return (int8_t)MCUSIM_CLAMP(out, p->activation.min, p->activation.max);
}

mcusim_status mcusim_add_s8(const mcusim_add_params *params, const mcusim_broadcast *bcast,
                            int32_t size, const int8_t *input1, const int8_t *input2,
                            int8_t *output)
{
    MCUSIM_BINARY_WALK_S8(add_one, params, bcast, size, input1, input2, output);
    return MCUSIM_OK;
}
