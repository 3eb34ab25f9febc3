/* CONV_2D, generic int8 path: any padding, stride, dilation and groups. The valid taps of each
 * output pixel's window are found once (mcusim_clip_window); without dilation and groups a
 * filter row's taps are one contiguous run of input and filter bytes. Taps outside the image
 * contribute nothing, as in the reference. */
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
    const int32_t in_off = params->input_offset, out_off = params->output_offset;
    const int32_t lo = params->activation.min, hi = params->activation.max;
    const int32_t dh = params->dilation.h, dw = params->dilation.w;
    const int32_t *mult = quant->multiplier, *shift = quant->shift;
    const int32_t pc = quant->per_channel ? 1 : 0;
    const int32_t f_size = f_h * f_w * f_c;
    const int32_t in_row = in_w * in_c;
    const int32_t contiguous = dw == 1 && groups == 1;
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
                const int32_t run = nx * f_c;
                for (int32_t oc = 0; oc < out_c; oc++) {
                    const int32_t group = oc / filters_per_group;
                    const int8_t *f_oc = filter + oc * f_size;
                    int32_t acc = 0;
                    for (int32_t fy = fy0; fy < fy1; fy++) {
                        const int8_t *ip = in_b + (y0 + dh * fy) * in_row + (x0 + dw * fx0) * in_c
                                           + group * f_c;
                        const int8_t *fp = f_oc + (fy * f_w + fx0) * f_c;
                        if (contiguous) {
                            for (int32_t k = 0; k < run; k++) {
                                acc += fp[k] * (ip[k] + in_off);
                            }
                            continue;
                        }
                        for (int32_t k = 0; k < nx; k++, ip += dw * in_c, fp += f_c) {
                            for (int32_t ic = 0; ic < f_c; ic++) {
                                acc += fp[ic] * (ip[ic] + in_off);
                            }
                        }
                    }
                    if (bias) {
                        acc += bias[oc];
                    }
                    *out++ = mcusim_finish(acc, mult[oc * pc], shift[oc * pc], out_off, lo, hi);
                }
            }
        }
    }
    return MCUSIM_OK;
}
