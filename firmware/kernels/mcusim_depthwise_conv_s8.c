/* DEPTHWISE_CONV_2D, generic int8 path: any depth multiplier, padding, stride, dilation. */
#include "mcusim_nn.h"
#include "mcusim_nn_support.h"

mcusim_status mcusim_depthwise_conv_s8(const mcusim_dw_conv_params *params,
                                       const mcusim_quant_params *quant,
                                       const mcusim_dims *input_dims, const int8_t *input,
                                       const mcusim_dims *filter_dims, const int8_t *filter,
                                       const int32_t *bias,
                                       const mcusim_dims *output_dims, int8_t *output)
{
    const int32_t in_h = input_dims->h, in_w = input_dims->w, in_c = input_dims->c;
    const int32_t f_h = filter_dims->h, f_w = filter_dims->w;
    const int32_t out_h = output_dims->h, out_w = output_dims->w, out_c = output_dims->c;
    const int32_t mult = params->ch_mult;
    if (out_c != in_c * mult || filter_dims->c != out_c) {
        return MCUSIM_ARG_ERROR;
    }
    for (int32_t b = 0; b < input_dims->n; b++) {
        const int8_t *in_b = input + b * in_h * in_w * in_c;
        for (int32_t oy = 0; oy < out_h; oy++) {
            const int32_t y0 = oy * params->stride.h - params->padding.h;
            for (int32_t ox = 0; ox < out_w; ox++) {
                const int32_t x0 = ox * params->stride.w - params->padding.w;
                int8_t *out = output + ((b * out_h + oy) * out_w + ox) * out_c;
                for (int32_t ic = 0; ic < in_c; ic++) {
                    for (int32_t m = 0; m < mult; m++) {
                        const int32_t oc = ic * mult + m;
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
                                acc += filter[(fy * f_w + fx) * out_c + oc] *
                                       (in_b[(y * in_w + x) * in_c + ic] + params->input_offset);
                            }
                        }
                        if (bias) {
                            acc += bias[oc];
                        }
                        const int32_t q = quant->per_channel ? oc : 0;
                        acc = mcusim_requant(acc, quant->multiplier[q], quant->shift[q]);
                        acc += params->output_offset;
                        out[oc] = (int8_t)MCUSIM_CLAMP(acc, params->activation.min,
                                                       params->activation.max);
                    }
                }
            }
        }
    }
    return MCUSIM_OK;
}
