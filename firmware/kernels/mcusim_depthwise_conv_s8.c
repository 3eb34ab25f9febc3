/* DEPTHWISE_CONV_2D, generic int8 path: any depth multiplier, padding, stride, dilation.
 * The valid taps of each output pixel's window are found once (mcusim_clip_window), so the tap
 * loops walk input and filter with fixed strides and no bounds tests; the input channel of each
 * output channel advances by counter, not by division. With DSP, multiplier 1 or a multiple of
 * 4 takes four output channels per pass (mcusim_dw_window_dsp); the rest stays scalar. */
#include "mcusim_nn.h"
#include "mcusim_nn_support.h"

#if MCUSIM_DSP
typedef struct {
    int32_t ny, nx;                       /* valid taps: ny rows of nx */
    int32_t i_ystep, i_xstep, f_ystep;    /* input/filter steps per tap row and per tap */
    int32_t out_c, mult, off, out_off, lo, hi, pc;
    const int32_t *bias, *qm, *qs;
} mcusim_dw_win;

/* Output channels [0, n4) of one pixel, four per pass (DSP), when ch_mult is 1 (four input
 * channels: one word per tap, both lanes offset with SADD16, SMLABB/SMLATT) or a multiple of 4
 * (the four outputs share one input channel: one byte per tap, SMLABB/SMLATB against the
 * widened filter word). i0/f0: first valid tap of channel 0 in input and filter. Not inlined
 * so the tap loops get the registers. */
static __attribute__((noinline)) void
mcusim_dw_window_dsp(const int8_t *i0, const int8_t *f0, int32_t n4, const mcusim_dw_win *k,
                     int8_t *out)
{
    const int32_t ny = k->ny, nx = k->nx, i_ystep = k->i_ystep, i_xstep = k->i_xstep;
    const int32_t f_ystep = k->f_ystep, out_c = k->out_c, mult = k->mult, off = k->off;
    const int32_t off2 = (int32_t)(((uint32_t)off & 0xFFFFu) | ((uint32_t)off << 16));
    const int32_t out_off = k->out_off, lo = k->lo, hi = k->hi, pc = k->pc;
    for (int32_t oc = 0; oc < n4; oc += 4) {
        int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        if (k->bias) {
            a0 = k->bias[oc];
            a1 = k->bias[oc + 1];
            a2 = k->bias[oc + 2];
            a3 = k->bias[oc + 3];
        }
        const int8_t *fr = f0 + oc;
        if (mult == 1) {
            const int8_t *ir = i0 + oc;
            for (int32_t y = 0; y < ny; y++, ir += i_ystep, fr += f_ystep) {
                const int8_t *ip = ir, *fp = fr;
                for (int32_t x = 0; x < nx; x++, ip += i_xstep, fp += out_c) {
                    int32_t xv, wv;
                    __builtin_memcpy(&xv, ip, 4);
                    __builtin_memcpy(&wv, fp, 4);
                    const int32_t x02 = __sadd16(__sxtb16(xv), off2);
                    const int32_t x13 = __sadd16(mcusim_sxtb16_ror8(xv), off2);
                    const int32_t w02 = __sxtb16(wv), w13 = mcusim_sxtb16_ror8(wv);
                    a0 = __smlabb(x02, w02, a0);
                    a2 = __smlatt(x02, w02, a2);
                    a1 = __smlabb(x13, w13, a1);
                    a3 = __smlatt(x13, w13, a3);
                }
            }
        } else {
            const int8_t *ir = i0 + oc / mult;
            for (int32_t y = 0; y < ny; y++, ir += i_ystep, fr += f_ystep) {
                const int8_t *ip = ir, *fp = fr;
                for (int32_t x = 0; x < nx; x++, ip += i_xstep, fp += out_c) {
                    int32_t wv;
                    __builtin_memcpy(&wv, fp, 4);
                    const int32_t xs = *ip + off;
                    const int32_t w02 = __sxtb16(wv), w13 = mcusim_sxtb16_ror8(wv);
                    a0 = __smlabb(w02, xs, a0);
                    a2 = __smlatb(w02, xs, a2);
                    a1 = __smlabb(w13, xs, a1);
                    a3 = __smlatb(w13, xs, a3);
                }
            }
        }
        const int32_t *m = k->qm + oc * pc, *s = k->qs + oc * pc;
        out[oc] = mcusim_finish(a0, m[0], s[0], out_off, lo, hi);
        out[oc + 1] = mcusim_finish(a1, m[pc], s[pc], out_off, lo, hi);
        out[oc + 2] = mcusim_finish(a2, m[2 * pc], s[2 * pc], out_off, lo, hi);
        out[oc + 3] = mcusim_finish(a3, m[3 * pc], s[3 * pc], out_off, lo, hi);
    }
}
#endif

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
                int32_t ic = 0, m = 0, oc = 0;
#if MCUSIM_DSP
                if ((mult == 1 || (mult & 3) == 0) && fy1 > fy0 && nx > 0) {
                    const mcusim_dw_win win = {fy1 - fy0, nx, i_ystep, i_xstep, f_ystep, out_c,
                                               mult, in_off, out_off, lo, hi, pc, bias, qm, qs};
                    oc = out_c & ~3;
                    mcusim_dw_window_dsp(i0, f0, oc, &win, out);
                    out += oc;
                    ic = oc / mult;   /* the scalar tail continues at this channel */
                }
#endif
                for (; oc < out_c; oc++) {
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
