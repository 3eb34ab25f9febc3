/* CONV_2D, generic int8 path: any padding, stride, dilation and groups (TFLM reference order of
 * the valid taps). Without dilation the window is clipped to the image once per output pixel, so
 * the inner loops run over contiguous input and filter rows with no bounds tests; with dilation
 * each tap is tested as in the reference. Taps outside the image contribute nothing. */
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
    int8_t *out = output;

    for (int32_t b = 0; b < input_dims->n; b++) {
        const int8_t *in_b = input + b * in_h * in_w * in_c;
        for (int32_t oy = 0; oy < out_h; oy++) {
            const int32_t y0 = oy * params->stride.h - params->padding.h;
            for (int32_t ox = 0; ox < out_w; ox++) {
                const int32_t x0 = ox * params->stride.w - params->padding.w;
                /* valid taps: fy in [fy0, fy1), fx in [fx0, fx1) (exact when dilation is 1) */
                int32_t fy0 = 0, fy1 = f_h, fx0 = 0, fx1 = f_w;
                if (dh == 1) {
                    fy0 = MCUSIM_MAX(0, -y0);
                    fy1 = MCUSIM_MIN(f_h, in_h - y0);
                }
                if (dw == 1) {
                    fx0 = MCUSIM_MAX(0, -x0);
                    fx1 = MCUSIM_MIN(f_w, in_w - x0);
                }
                const int32_t run = (fx1 - fx0) * f_c;   /* contiguous taps of one filter row */
                for (int32_t oc = 0; oc < out_c; oc++) {
                    const int32_t group = oc / filters_per_group;
                    const int8_t *f_oc = filter + oc * f_size;
                    int32_t acc = 0;
                    for (int32_t fy = fy0; fy < fy1; fy++) {
                        const int32_t y = y0 + dh * fy;
                        if (y < 0 || y >= in_h) {
                            continue;
                        }
                        if (dw == 1 && groups == 1) {
                            if (run <= 0) {
                                continue;
                            }
                            const int8_t *ip = in_b + (y * in_w + x0 + fx0) * in_c;
                            const int8_t *fp = f_oc + (fy * f_w + fx0) * f_c;
                            for (int32_t k = 0; k < run; k++) {
                                acc += fp[k] * (ip[k] + in_off);
                            }
                            continue;
                        }
                        for (int32_t fx = fx0; fx < fx1; fx++) {
                            const int32_t x = x0 + dw * fx;
                            if (x < 0 || x >= in_w) {
                                continue;
                            }
                            const int8_t *ip = in_b + (y * in_w + x) * in_c + group * f_c;
                            const int8_t *fp = f_oc + (fy * f_w + fx) * f_c;
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
