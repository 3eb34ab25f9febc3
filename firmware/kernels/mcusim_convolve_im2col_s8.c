/* CONV_2D with im2col: gathers one output pixel's receptive field into an int16 column
 * (input + offset; 0 outside the image, so padding adds nothing, like the reference skip),
 * then each filter row is a dot product against it: __smlad on two int16 lanes with DSP. */
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
                                *c++ = (int16_t)(ip[ic] + params->input_offset);
                            }
                        }
                    }
                }
                const int8_t *fp = filter;
                for (int32_t oc = 0; oc < out_c; oc++, fp += col_len) {
                    int32_t acc = 0;
                    int32_t k = 0;
#if MCUSIM_DSP
                    for (; k + 4 <= col_len; k += 4) {
                        int32_t fv, c01, c23;
                        __builtin_memcpy(&fv, fp + k, 4);
                        __builtin_memcpy(&c01, col + k, 4);
                        __builtin_memcpy(&c23, col + k + 2, 4);
                        /* sxtb16 gives filter bytes (0,2) and (1,3); pair them with the column */
                        const int32_t f02 = __sxtb16(fv), f13 = __sxtb16(mcusim_ror((uint32_t)fv, 8));
                        const int32_t f01 = mcusim_pack_lo(f02, f13);
                        const int32_t f23 = mcusim_pack_hi(f02, f13);
                        acc = __smlad(f01, c01, acc);
                        acc = __smlad(f23, c23, acc);
                    }
#endif
                    for (; k < col_len; k++) {
                        acc += fp[k] * col[k];
                    }
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
