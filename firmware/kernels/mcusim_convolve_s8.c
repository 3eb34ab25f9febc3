/* CONV_2D, generic int8 path: any padding, stride, dilation and groups (TFLM reference order). */
#include "mcusim_nn.h"
#include "mcusim_nn_support.h"

mcusim_status mcusim_convolve_s8(const mcusim_conv_params *params, const mcusim_quant_params *quant,
                                 const mcusim_dims *input_dims, const int8_t *input,
                                 const mcusim_dims *filter_dims, const int8_t *filter,
                                 const int32_t *bias,
                                 const mcusim_dims *output_dims, int8_t *output)
{
    const int32_t in_h = input_dims->h, in_w = input_dims->w, in_c = input_dims->c;
    const int32_t f_h = filter_dims->h, f_w = filter_dims->w, f_c = filter_dims->c;
    const int32_t out_h = output_dims->h, out_w = output_dims->w, out_c = output_dims->c;
    if (f_c <= 0 || in_c % f_c != 0) {
        return MCUSIM_ARG_ERROR;
    }
    const int32_t groups = in_c / f_c;
    if (out_c % groups != 0) {
        return MCUSIM_ARG_ERROR;
    }
    const int32_t filters_per_group = out_c / groups;

    for (int32_t b = 0; b < input_dims->n; b++) {
        const int8_t *in_b = input + b * in_h * in_w * in_c;
        for (int32_t oy = 0; oy < out_h; oy++) {
            const int32_t y0 = oy * params->stride.h - params->padding.h;
            for (int32_t ox = 0; ox < out_w; ox++) {
                const int32_t x0 = ox * params->stride.w - params->padding.w;
                for (int32_t oc = 0; oc < out_c; oc++) {
                    const int32_t group = oc / filters_per_group;
                    const int8_t *f_oc = filter + oc * f_h * f_w * f_c;
                    int32_t acc = 0;
                    for (int32_t fy = 0; fy < f_h; fy++) {
                        const int32_t y = y0 + params->dilation.h * fy;
                        if (y < 0 || y >= in_h) {
                            continue;
                        }
                        for (int32_t fx = 0; fx < f_w; fx++) {
                            const int32_t x = x0 + params->dilation.w * fx;
                            if (x < 0 || x >= in_w) {
                                continue;
                            }
                            const int8_t *ip = in_b + (y * in_w + x) * in_c + group * f_c;
                            const int8_t *fp = f_oc + (fy * f_w + fx) * f_c;
                            for (int32_t ic = 0; ic < f_c; ic++) {
                                acc += fp[ic] * (ip[ic] + params->input_offset);
                            }
                        }
                    }
                    if (bias) {
                        acc += bias[oc];
                    }
                    const int32_t q = quant->per_channel ? oc : 0;
                    acc = mcusim_requant(acc, quant->multiplier[q], quant->shift[q]);
                    acc += params->output_offset;
                    acc = MCUSIM_CLAMP(acc, params->activation.min, params->activation.max);
                    output[((b * out_h + oy) * out_w + ox) * out_c + oc] = (int8_t)acc;
                }
            }
        }
    }
    return MCUSIM_OK;
}
