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
    if (!bcast) {
        for (int32_t i = 0; i < size; i++) {
            output[i] = add_one(params, input1[i], input2[i]);
        }
        return MCUSIM_OK;
    }
    const int32_t *d = bcast->out, *s1 = bcast->stride1, *s2 = bcast->stride2;
    for (int32_t i0 = 0; i0 < d[0]; i0++)
    for (int32_t i1 = 0; i1 < d[1]; i1++)
    for (int32_t i2 = 0; i2 < d[2]; i2++)
    for (int32_t i3 = 0; i3 < d[3]; i3++)
    for (int32_t i4 = 0; i4 < d[4]; i4++) {
        const int32_t o1 = i0 * s1[0] + i1 * s1[1] + i2 * s1[2] + i3 * s1[3] + i4 * s1[4];
        const int32_t o2 = i0 * s2[0] + i1 * s2[1] + i2 * s2[2] + i3 * s2[3] + i4 * s2[4];
        for (int32_t i5 = 0; i5 < d[5]; i5++) {
            *output++ = add_one(params, input1[o1 + i5 * s1[5]], input2[o2 + i5 * s2[5]]);
        }
    }
    return MCUSIM_OK;
}
