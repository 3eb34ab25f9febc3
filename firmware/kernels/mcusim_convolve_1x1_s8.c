/* CONV_2D fast path: 1x1 filter, no padding, no dilation, no groups, any stride.
 * Each output pixel is a dot product of one input pixel's channels with each filter row, two
 * output channels per pass (mcusim_dot2_s8). The input offset is folded in as off * sum(w): the
 * same int32 as the reference's sum(w * (x + off)). The compiler folds it into the bias at build
 * time and passes input_offset 0, which skips the row sums. */
#include "mcusim_nn.h"
#include "mcusim_nn_support.h"

mcusim_status mcusim_convolve_1x1_s8(const mcusim_conv_params *params, const mcusim_quant_params *quant,
                                     const mcusim_dims *input_dims, const int8_t *input,
                                     const mcusim_dims *filter_dims, const int8_t *filter,
                                     const int32_t *bias,
                                     const mcusim_dims *output_dims, int8_t *output)
{
    const int32_t in_h = input_dims->h, in_w = input_dims->w, in_c = input_dims->c;
    const int32_t out_h = output_dims->h, out_w = output_dims->w, out_c = output_dims->c;
    if (filter_dims->h != 1 || filter_dims->w != 1 || filter_dims->c != in_c ||
        params->padding.h != 0 || params->padding.w != 0) {
        return MCUSIM_ARG_ERROR;
    }
    const int32_t in_off = params->input_offset, out_off = params->output_offset;
    const int32_t lo = params->activation.min, hi = params->activation.max;
    const int32_t sh = params->stride.h, sw = params->stride.w;
    const int32_t *mult = quant->multiplier, *shift = quant->shift;
    const int32_t pc = quant->per_channel ? 1 : 0;
    int8_t *out = output;
    for (int32_t b = 0; b < input_dims->n; b++) {
        for (int32_t oy = 0; oy < out_h; oy++) {
            for (int32_t ox = 0; ox < out_w; ox++) {
                const int8_t *ip = input + ((b * in_h + oy * sh) * in_w + ox * sw) * in_c;
                const int8_t *fp = filter;
                int32_t oc = 0;
                for (; oc + 2 <= out_c; oc += 2, fp += 2 * in_c) {
                    int32_t a0, a1, s0, s1;
                    if (in_off) {
                        mcusim_dot2_s8(ip, fp, fp + in_c, in_c, &a0, &a1, &s0, &s1);
                        a0 += s0 * in_off;
                        a1 += s1 * in_off;
                    } else {
                        mcusim_dot2_s8(ip, fp, fp + in_c, in_c, &a0, &a1, 0, 0);
                    }
                    if (bias) {
                        a0 += bias[oc];
                        a1 += bias[oc + 1];
                    }
                    *out++ = mcusim_finish(a0, mult[oc * pc], shift[oc * pc], out_off, lo, hi);
                    *out++ = mcusim_finish(a1, mult[(oc + 1) * pc], shift[(oc + 1) * pc], out_off,
                                           lo, hi);
                }
                if (oc < out_c) {
                    int32_t a0, s0;
                    if (in_off) {
                        mcusim_dot1_s8(ip, fp, in_c, &a0, &s0);
                        a0 += s0 * in_off;
                    } else {
                        mcusim_dot1_s8(ip, fp, in_c, &a0, 0);
                    }
                    if (bias) {
                        a0 += bias[oc];
                    }
                    *out++ = mcusim_finish(a0, mult[oc * pc], shift[oc * pc], out_off, lo, hi);
                }
            }
        }
    }
    return MCUSIM_OK;
}
