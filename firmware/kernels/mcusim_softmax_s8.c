/* SOFTMAX int8 -> int8 (TFLM's reference int8 path): exp of (x - row max) scaled by beta in
 * Q5.26 fixed point, sum in Q12.19, reciprocal by Newton-Raphson, output scale 1/256 zp -128. */
#include "mcusim_nn.h"
#include "mcusim_nn_support.h"

#define SCALED_DIFF_INTEGER_BITS 5
#define ACCUMULATION_INTEGER_BITS 12

static int32_t clz32(uint32_t x)
{
    int32_t n = 0;
    if (x == 0) {
        return 32;
    }
    while (!(x & 0x80000000u)) {
        x <<= 1;
        n++;
    }
    return n;
}

static int32_t scaled_exp(int32_t diff, const mcusim_softmax_params *p)
{
    /* MultiplyByQuantizedMultiplierGreaterThanOne */
    const int32_t rescaled = mcusim_srdhm(mcusim_shl(diff, p->input_left_shift), p->input_multiplier);
    return mcusim_exp_on_negative_values(rescaled, SCALED_DIFF_INTEGER_BITS);
}

mcusim_status mcusim_softmax_s8(const mcusim_softmax_params *params, int32_t rows,
                                int32_t row_size, const int8_t *input, int8_t *output)
{
    for (int32_t r = 0; r < rows; r++) {
        const int8_t *in = input + r * row_size;
        int8_t *out = output + r * row_size;
        int32_t max_in_row = -128;
        for (int32_t c = 0; c < row_size; c++) {
            max_in_row = in[c] > max_in_row ? in[c] : max_in_row;
        }
        int32_t sum_of_exps = 0;
        for (int32_t c = 0; c < row_size; c++) {
            const int32_t diff = in[c] - max_in_row;
            if (diff >= params->diff_min) {
                /* Rescale<12> from Q0: rounding shift right by 12 */
                sum_of_exps = mcusim_wrap_add(
                    sum_of_exps, mcusim_rdivpot(scaled_exp(diff, params), ACCUMULATION_INTEGER_BITS));
            }
        }
        /* GetReciprocal: normalise the sum to [1, 2) and take 1/x */
        const int32_t headroom_plus_one = clz32((uint32_t)sum_of_exps);
        const int32_t num_bits_over_unit = ACCUMULATION_INTEGER_BITS - headroom_plus_one;
        const int32_t shifted_sum_minus_one =
            (int32_t)(((uint32_t)sum_of_exps << headroom_plus_one) - ((uint32_t)1 << 31));
        const int32_t shifted_scale = mcusim_one_over_one_plus_x(shifted_sum_minus_one);
        const int32_t exponent = num_bits_over_unit + 31 - 8;
        if (exponent < 0 || exponent > 31) {
            return MCUSIM_ARG_ERROR;
        }
        for (int32_t c = 0; c < row_size; c++) {
            const int32_t diff = in[c] - max_in_row;
            if (diff >= params->diff_min) {
                const int32_t e = scaled_exp(diff, params);
                int32_t v = mcusim_rdivpot(mcusim_srdhm(shifted_scale, e), exponent) - 128;
                out[c] = (int8_t)MCUSIM_CLAMP(v, -128, 127);
            } else {
                out[c] = -128;
            }
        }
    }
    return MCUSIM_OK;
}
