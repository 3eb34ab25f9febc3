/* DEPTHWISE_CONV_2D, generic int8 path: any depth multiplier, padding, stride, dilation.
 * The valid taps of each output pixel's window are found once (mcusim_clip_window), so the tap
 * loops walk input and filter with fixed strides and no bounds tests; the input channel of each
 * output channel advances by counter, not by division. */
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
    if (mult <= 0 || out_c != in_c * mult || filter_dims->c != out_c) {
        return MCUSIM_ARG_ERROR;
    }
    const int32_t in_off = params->input_offset, out_off = params->output_offset;
    const int32_t lo = params->activation.min, hi = params->activation.max;
    const int32_t dh = params->dilation.h, dw = params->dilation.w;
    const int32_t *qm = quant->multiplier, *qs = quant->shift;
    const int32_t pc = quant->per_channel ? 1 : 0;
    const int32_t in_row = in_w * in_c;
    const int32_t i_ystep = dh * in_row, i_xstep = dw * in_c;    /* input step per tap */
    const int32_t f_ystep = f_w * out_c;                         /* filter step per row */
    int8_t *out = output;
    for (int32_t b = 0; b < input_dims->n; b++) {
        const int8_t *in_b = input + b * in_h * in_row;
        for (int32_t oy = 0; oy < out_h; oy++) {
            const int32_t y0 = oy * params->stride.h - params->padding.h;
            int32_t fy0, fy1;
            mcusim_clip_window(y0, f_h, dh, in_h, &fy0, &fy1);
            for (int32_t ox = 0; ox < out_w; ox++) {
                const int32_t x0 = ox * params->stride.w - params->padding.w;
                int32_t fx0, fx1;
                mcusim_clip_window(x0, f_w, dw, in_w, &fx0, &fx1);
                const int32_t nx = fx1 - fx0;
                /* first valid tap of channel 0 in the input and in the filter */
                const int8_t *i0 = in_b + (y0 + dh * fy0) * in_row + (x0 + dw * fx0) * in_c;
                const int8_t *f0 = filter + fy0 * f_ystep + fx0 * out_c;
                int32_t ic = 0, m = 0;
                for (int32_t oc = 0; oc < out_c; oc++) {
                    int32_t acc = 0;
                    const int8_t *ir = i0 + ic;
                    const int8_t *fr = f0 + oc;
                    for (int32_t fy = fy0; fy < fy1; fy++, ir += i_ystep, fr += f_ystep) {
                        const int8_t *ip = ir, *fp = fr;
                        for (int32_t k = 0; k < nx; k++, ip += i_xstep, fp += out_c) {
                            acc += *fp * (*ip + in_off);
                        }
                    }
                    if (bias) {
                        acc += bias[oc];
                    }
                    *out++ = mcusim_finish(acc, qm[oc * pc], qs[oc * pc], out_off, lo, hi);
                    if (++m == mult) {
                        m = 0;
                        ic++;
                    }
                }
            }
        }
    }
    return MCUSIM_OK;
}
