/* CONV_2D with im2col: gathers one output pixel's receptive field into an int16 column
 * (input + offset; 0 outside the image, so padding adds nothing, like the reference skip),
 * then two filter rows at a time are dot products against it (mcusim_dot2_s16_s8: __smlad on
 * two int16 lanes with DSP). */
#include "mcusim_nn.h"
#include "mcusim_nn_support.h"

int32_t mcusim_convolve_im2col_s8_get_buffer_size(const mcusim_dims *filter_dims)
{
    return filter_dims->h * filter_dims->w * filter_dims->c * (int32_t)sizeof(int16_t);
}

mcusim_status mcusim_convolve_im2col_s8(void *buffer, const mcusim_conv_params *params,
                                        const mcusim_quant_params *quant,
                                        const mcusim_dims *input_dims, const int8_t *input,
                                        const mcusim_dims *filter_dims, const int8_t *filter,
                                        const int32_t *bias,
                                        const mcusim_dims *output_dims, int8_t *output)
{
    const int32_t in_h = input_dims->h, in_w = input_dims->w, in_c = input_dims->c;
    const int32_t f_h = filter_dims->h, f_w = filter_dims->w;
    const int32_t out_h = output_dims->h, out_w = output_dims->w, out_c = output_dims->c;
    const int32_t col_len = f_h * f_w * in_c;
    int16_t *col = (int16_t *)buffer;
    const int32_t in_off = params->input_offset, out_off = params->output_offset;
    const int32_t lo = params->activation.min, hi = params->activation.max;
    const int32_t *mult = quant->multiplier, *shift = quant->shift;
    const int32_t pc = quant->per_channel ? 1 : 0;
    if (buffer == 0 || filter_dims->c != in_c) {
        return MCUSIM_ARG_ERROR;
    }
    int8_t *out = output;
    for (int32_t b = 0; b < input_dims->n; b++) {
        const int8_t *in_b = input + b * in_h * in_w * in_c;
        for (int32_t oy = 0; oy < out_h; oy++) {
            const int32_t y0 = oy * params->stride.h - params->padding.h;
            for (int32_t ox = 0; ox < out_w; ox++) {
                const int32_t x0 = ox * params->stride.w - params->padding.w;
                int16_t *c = col;
                for (int32_t fy = 0; fy < f_h; fy++) {
                    const int32_t y = y0 + params->dilation.h * fy;
                    for (int32_t fx = 0; fx < f_w; fx++) {
                        const int32_t x = x0 + params->dilation.w * fx;
                        if (y < 0 || y >= in_h || x < 0 || x >= in_w) {
                            for (int32_t ic = 0; ic < in_c; ic++) {
                                *c++ = 0;
                            }
                        } else {
                            const int8_t *ip = in_b + (y * in_w + x) * in_c;
                            for (int32_t ic = 0; ic < in_c; ic++) {
                                *c++ = (int16_t)(ip[ic] + in_off);
                            }
                        }
                    }
                }
                const int8_t *fp = filter;
                int32_t oc = 0;
                for (; oc + 2 <= out_c; oc += 2, fp += 2 * col_len) {
                    int32_t a0, a1;
                    mcusim_dot2_s16_s8(col, fp, fp + col_len, col_len, &a0, &a1);
                    if (bias) {
                        a0 += bias[oc];
                        a1 += bias[oc + 1];
                    }
                    *out++ = mcusim_finish(a0, mult[oc * pc], shift[oc * pc], out_off, lo, hi);
                    *out++ = mcusim_finish(a1, mult[(oc + 1) * pc], shift[(oc + 1) * pc], out_off,
                                           lo, hi);
                }
                if (oc < out_c) {
                    int32_t a0;
                    mcusim_dot1_s16_s8(col, fp, col_len, &a0);
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
