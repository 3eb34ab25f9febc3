/* MUL int8 (TFLM reference): (a + off1) * (b + off2) requantized once; broadcasting as ADD. */
#include "mcusim_nn.h"
#include "mcusim_nn_support.h"

static int8_t mul_one(const mcusim_mul_params *p, int32_t a, int32_t b)
{
    const int32_t prod = (p->input1_offset + a) * (p->input2_offset + b);
    int32_t out = p->output_offset + mcusim_requant(prod, p->output_multiplier, p->output_shift);
    return (int8_t)MCUSIM_CLAMP(out, p->activation.min, p->activation.max);
}

mcusim_status mcusim_mul_s8(const mcusim_mul_params *params, const mcusim_broadcast *bcast,
                            int32_t size, const int8_t *input1, const int8_t *input2,
                            int8_t *output)
{
    MCUSIM_BINARY_WALK_S8(mul_one, params, bcast, size, input1, input2, output);
    return MCUSIM_OK;
}
