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
    if (!bcast) {
        for (int32_t i = 0; i < size; i++) {
            output[i] = mul_one(params, input1[i], input2[i]);
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
            *output++ = mul_one(params, input1[o1 + i5 * s1[5]], input2[o2 + i5 * s2[5]]);
        }
    }
    return MCUSIM_OK;
}
