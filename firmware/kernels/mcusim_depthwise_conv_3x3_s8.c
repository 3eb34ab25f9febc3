/* DEPTHWISE_CONV_2D fast path: 3x3 filter, depth multiplier 1, dilation 1.
 * The window is clipped to the image once per output pixel (no per-tap bounds tests). With DSP,
 * four channels per pass: one word load per tap for input and filter, __sxtb16 to widen,
 * __sadd16 for the input offset, __smlabb/__smlatt into four per-channel accumulators. The
 * remaining channels (and every channel without DSP) take an unrolled 9-tap loop inside the
 * image and a clipped loop on its border. Each channel's sum is the reference's sum of
 * w * (x + offset), in a different order (exact in int32). */
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
    const int32_t in_off = params->input_offset, out_off = params->output_offset;
    const int32_t lo = params->activation.min, hi = params->activation.max;
    const int32_t sh = params->stride.h, sw = params->stride.w;
    const int32_t ph = params->padding.h, pw = params->padding.w;
    const int32_t *mult = quant->multiplier, *shift = quant->shift;
    const int32_t pc = quant->per_channel ? 1 : 0;
    const int32_t row = in_w * ch;
#if MCUSIM_DSP
    const int32_t off2 = (int32_t)(((uint32_t)in_off & 0xFFFFu) | ((uint32_t)in_off << 16));
#endif
    int8_t *out = output;
    for (int32_t b = 0; b < input_dims->n; b++) {
        const int8_t *in_b = input + b * in_h * row;
        for (int32_t oy = 0; oy < out_h; oy++) {
            const int32_t y0 = oy * sh - ph;
            const int32_t fy0 = MCUSIM_MAX(0, -y0), fy1 = MCUSIM_MIN(3, in_h - y0);
            for (int32_t ox = 0; ox < out_w; ox++) {
                const int32_t x0 = ox * sw - pw;
                const int32_t fx0 = MCUSIM_MAX(0, -x0), fx1 = MCUSIM_MIN(3, in_w - x0);
                int32_t c = 0;
#if MCUSIM_DSP
                for (; c + 4 <= ch; c += 4) {
                    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                    for (int32_t fy = fy0; fy < fy1; fy++) {
                        const int8_t *p = in_b + (y0 + fy) * row + x0 * ch + c;
                        const int8_t *w = filter + fy * 3 * ch + c;
                        for (int32_t fx = fx0; fx < fx1; fx++) {
                            int32_t xv, wv;
                            __builtin_memcpy(&xv, p + fx * ch, 4);
                            __builtin_memcpy(&wv, w + fx * ch, 4);
                            const int32_t x02 = __sadd16(__sxtb16(xv), off2);
                            const int32_t x13 = __sadd16(mcusim_sxtb16_ror8(xv), off2);
                            const int32_t w02 = __sxtb16(wv);
                            const int32_t w13 = mcusim_sxtb16_ror8(wv);
                            a0 = __smlabb(x02, w02, a0);
                            a2 = __smlatt(x02, w02, a2);
                            a1 = __smlabb(x13, w13, a1);
                            a3 = __smlatt(x13, w13, a3);
                        }
                    }
                    if (bias) {
                        a0 += bias[c];
                        a1 += bias[c + 1];
                        a2 += bias[c + 2];
                        a3 += bias[c + 3];
                    }
                    out[c] = mcusim_finish(a0, mult[c * pc], shift[c * pc], out_off, lo, hi);
                    out[c + 1] = mcusim_finish(a1, mult[(c + 1) * pc], shift[(c + 1) * pc],
                                               out_off, lo, hi);
                    out[c + 2] = mcusim_finish(a2, mult[(c + 2) * pc], shift[(c + 2) * pc],
                                               out_off, lo, hi);
                    out[c + 3] = mcusim_finish(a3, mult[(c + 3) * pc], shift[(c + 3) * pc],
                                               out_off, lo, hi);
                }
#endif
                if (fy0 == 0 && fy1 == 3 && fx0 == 0 && fx1 == 3) {
                    const int8_t *ip = in_b + y0 * row + x0 * ch;
                    for (; c < ch; c++) {
                        const int8_t *p = ip + c;
                        const int8_t *w = filter + c;
                        int32_t acc = 0;
                        for (int32_t fy = 0; fy < 3; fy++) {   /* constant trip counts */
                            const int8_t *pr = p + fy * row;
                            const int8_t *wr = w + fy * 3 * ch;
                            acc += wr[0] * (pr[0] + in_off);
                            acc += wr[ch] * (pr[ch] + in_off);
                            acc += wr[2 * ch] * (pr[2 * ch] + in_off);
                        }
                        if (bias) {
                            acc += bias[c];
                        }
                        out[c] = mcusim_finish(acc, mult[c * pc], shift[c * pc], out_off, lo, hi);
                    }
                } else {
                    for (; c < ch; c++) {
                        int32_t acc = 0;
                        for (int32_t fy = fy0; fy < fy1; fy++) {
                            const int8_t *p = in_b + (y0 + fy) * row + x0 * ch + c;
                            const int8_t *w = filter + fy * 3 * ch + c;
                            for (int32_t fx = fx0; fx < fx1; fx++) {
                                acc += w[fx * ch] * (p[fx * ch] + in_off);
                            }
                        }
                        if (bias) {
                            acc += bias[c];
                        }
                        out[c] = mcusim_finish(acc, mult[c * pc], shift[c * pc], out_off, lo, hi);
                    }
                }
                out += ch;
            }
        }
    }
    return MCUSIM_OK;
}
