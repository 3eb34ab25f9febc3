/* DEPTHWISE_CONV_2D fast path: 3x3 filter, depth multiplier 1, dilation 1.
 * The window bounds are clipped once per output pixel instead of testing every tap, and the
 * channel loop is innermost so input and filter are read contiguously. */
#include "mcusim_nn.h"
#include "mcusim_nn_support.h"

mcusim_status mcusim_depthwise_conv_3x3_s8(const mcusim_dw_conv_params *params,
                                           const mcusim_quant_params *quant,
                                           const mcusim_dims *input_dims, const int8_t *input,
                                           const mcusim_dims *filter_dims, const int8_t *filter,
                                           const int32_t *bias,
                                           const mcusim_dims *output_dims, int8_t *output)
{
    const int32_t in_h = input_dims->h, in_w = input_dims->w, ch = input_dims->c;
    const int32_t out_h = output_dims->h, out_w = output_dims->w;
    if (filter_dims->h != 3 || filter_dims->w != 3 || params->ch_mult != 1 ||
        output_dims->c != ch || params->dilation.h != 1 || params->dilation.w != 1) {
        return MCUSIM_ARG_ERROR;
    }
    const int32_t in_off = params->input_offset;
    int8_t *out = output;
    for (int32_t b = 0; b < input_dims->n; b++) {
        const int8_t *in_b = input + b * in_h * in_w * ch;
        for (int32_t oy = 0; oy < out_h; oy++) {
            const int32_t y0 = oy * params->stride.h - params->padding.h;
            const int32_t fy0 = MCUSIM_MAX(0, -y0), fy1 = MCUSIM_MIN(3, in_h - y0);
            for (int32_t ox = 0; ox < out_w; ox++) {
                const int32_t x0 = ox * params->stride.w - params->padding.w;
                const int32_t fx0 = MCUSIM_MAX(0, -x0), fx1 = MCUSIM_MIN(3, in_w - x0);
                for (int32_t c = 0; c < ch; c++) {
                    int32_t acc = 0;
                    for (int32_t fy = fy0; fy < fy1; fy++) {
                        const int8_t *ip = in_b + ((y0 + fy) * in_w + x0) * ch + c;
                        const int8_t *fp = filter + fy * 3 * ch + c;
                        for (int32_t fx = fx0; fx < fx1; fx++) {
                            acc += fp[fx * ch] * (ip[fx * ch] + in_off);
                        }
                    }
                    if (bias) {
                        acc += bias[c];
                    }
                    const int32_t q = quant->per_channel ? c : 0;
                    acc = mcusim_requant(acc, quant->multiplier[q], quant->shift[q]);
                    acc += params->output_offset;
                    *out++ = (int8_t)MCUSIM_CLAMP(acc, params->activation.min, params->activation.max);
                }
            }
        }
    }
    return MCUSIM_OK;
}
