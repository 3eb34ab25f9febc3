/* CONV_2D fast path: 1x1 filter, no padding, no dilation, no groups, any stride.
 * Each output pixel is a dot product of one input pixel's channels with each filter row.
 * The input offset is folded in once per output channel: sum(f*(x+off)) = sum(f*x) + off*sum(f),
 * the same integer result as the reference (int32 arithmetic is exact here). */
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
    int8_t *out = output;
    for (int32_t b = 0; b < input_dims->n; b++) {
        for (int32_t oy = 0; oy < out_h; oy++) {
            for (int32_t ox = 0; ox < out_w; ox++) {
                const int8_t *ip = input + ((b * in_h + oy * params->stride.h) * in_w +
                                            ox * params->stride.w) * in_c;
                const int8_t *fp = filter;
                for (int32_t oc = 0; oc < out_c; oc++, fp += in_c) {
                    int32_t acc = 0;
                    int32_t fsum = 0;
                    int32_t ic = 0;
#if MCUSIM_DSP
                    /* two int16 lanes per __smlad; sxtb16 takes bytes 0,2 and (ror 8) 1,3 */
                    for (; ic + 4 <= in_c; ic += 4) {
                        int32_t xv, fv;
                        __builtin_memcpy(&xv, ip + ic, 4);
                        __builtin_memcpy(&fv, fp + ic, 4);
                        const int32_t x02 = __sxtb16(xv), x13 = __sxtb16(mcusim_ror((uint32_t)xv, 8));
                        const int32_t f02 = __sxtb16(fv), f13 = __sxtb16(mcusim_ror((uint32_t)fv, 8));
                        acc = __smlad(x02, f02, acc);
                        acc = __smlad(x13, f13, acc);
                        fsum = __smlad(f02, 0x00010001, fsum);
                        fsum = __smlad(f13, 0x00010001, fsum);
                    }
#endif
                    for (; ic < in_c; ic++) {
                        acc += fp[ic] * ip[ic];
                        fsum += fp[ic];
                    }
                    acc += fsum * params->input_offset;
                    if (bias) {
                        acc += bias[oc];
                    }
                    const int32_t q = quant->per_channel ? oc : 0;
                    acc = mcusim_requant(acc, quant->multiplier[q], quant->shift[q]);
                    acc += params->output_offset;
                    *out++ = (int8_t)MCUSIM_CLAMP(acc, params->activation.min, params->activation.max);
                }
            }
        }
    }
    return MCUSIM_OK;
}
