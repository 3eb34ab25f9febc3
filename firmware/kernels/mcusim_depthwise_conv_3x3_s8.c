/* DEPTHWISE_CONV_2D fast path: 3x3 filter, depth multiplier 1, dilation 1.
 * The window is clipped to the image once per output pixel (no per-tap bounds tests). With DSP,
 * four channels per pass: one word load per tap for input and filter, __sxtb16 to widen,
 * __sadd16 for the input offset, __smlabb/__smlatt into four per-channel accumulators; windows
 * inside the image run all nine taps unrolled (mcusim_dw3x3_interior_dsp). The
 * remaining channels (and every channel without DSP) take an unrolled 9-tap loop inside the
 * image (on ARMv6-M an assembly loop, mcusim_dw3x3_acc_v6m) and a clipped loop on its border.
 * Each channel's sum is the reference's sum of w * (x + offset), in a different order (exact in
 * int32). */
#include "mcusim_nn.h"
#include "mcusim_nn_support.h"

#if defined(__ARM_ARCH_6M__) && !MCUSIM_DSP
/* ARMv6-M: acc[i] += sum over the nine taps of w * (x + in_off) for channels i < n (n >= 1) of
 * one output pixel whose window lies inside the image; p, w: channel 0's top-left tap in input
 * and filter. Assembly at file scope (fixed registers, any -O level): per tap two LDRSB
 * [Rn, Rm] with the channel stride as index, the offset ADD from a high register, one MULS,
 * about 9 cycles; the C loop spent about twice that on addressing and spills.
 * AAPCS: r0 p, r1 w, r2 ch, r3 row, [sp] n, [sp, #4] in_off, [sp, #8] acc; r4-r11 saved. */
void mcusim_dw3x3_acc_v6m(const int8_t *p, const int8_t *w, int32_t ch, int32_t row, int32_t n,
                          int32_t in_off, int32_t *acc);
#define MCUSIM_DW_V6M_TAP                                                                  \
    "  ldrsb r7, [r4, r2]\n"                                                                 \
    "  ldrsb r3, [r5, r2]\n"                                                                 \
    "  add r7, r9\n"                                                                         \
    "  muls r7, r3, r7\n"                                                                    \
    "  adds r6, r6, r7\n"                                                                    \
    "  adds r4, r4, r2\n"                                                                    \
    "  adds r5, r5, r2\n"
__asm__(
    "  .section .text.mcusim_dw3x3_acc_v6m,\"ax\",%progbits\n"
    "  .syntax unified\n"
    "  .thumb\n"
    "  .balign 2\n"
    "  .global mcusim_dw3x3_acc_v6m\n"
    "  .thumb_func\n"
    "  .type mcusim_dw3x3_acc_v6m, %function\n"
    "mcusim_dw3x3_acc_v6m:\n"
    "  push {r4, r5, r6, r7, lr}\n"
    "  mov r4, r8\n"
    "  mov r5, r9\n"
    "  mov r6, r10\n"
    "  mov r7, r11\n"
    "  push {r4, r5, r6, r7}\n"
    "  ldr r4, [sp, #36]\n"           /* n */
    "  ldr r5, [sp, #40]\n"           /* in_off */
    "  ldr r6, [sp, #44]\n"           /* acc */
    "  mov r9, r5\n"
    "  mov r11, r6\n"
    "  lsls r4, r4, #2\n"
    "  add r4, r11\n"
    "  mov r10, r4\n"                 /* end of acc */
    "  subs r3, r3, r2\n"
    "  subs r3, r3, r2\n"
    "  subs r3, r3, r2\n"
    "  mov r8, r3\n"                  /* row - 3 ch: next row's tap, less one ch */
    "1:\n"
    "  mov r7, r11\n"
    "  ldr r6, [r7]\n"
    "  subs r4, r0, r2\n"             /* input, one ch before the tap */
    "  subs r5, r1, r2\n"             /* filter, likewise */
    MCUSIM_DW_V6M_TAP MCUSIM_DW_V6M_TAP MCUSIM_DW_V6M_TAP
    "  add r4, r8\n"
    MCUSIM_DW_V6M_TAP MCUSIM_DW_V6M_TAP MCUSIM_DW_V6M_TAP
    "  add r4, r8\n"
    MCUSIM_DW_V6M_TAP MCUSIM_DW_V6M_TAP MCUSIM_DW_V6M_TAP
    "  mov r7, r11\n"
    "  str r6, [r7]\n"
    "  adds r7, #4\n"
    "  mov r11, r7\n"
    "  adds r0, #1\n"
    "  adds r1, #1\n"
    "  cmp r7, r10\n"
    "  bne 1b\n"
    "  pop {r4, r5, r6, r7}\n"
    "  mov r8, r4\n"
    "  mov r9, r5\n"
    "  mov r10, r6\n"
    "  mov r11, r7\n"
    "  pop {r4, r5, r6, r7, pc}\n"
    "  .size mcusim_dw3x3_acc_v6m, .-mcusim_dw3x3_acc_v6m\n");
#define MCUSIM_DW_V6M 1
#else
#define MCUSIM_DW_V6M 0
#endif

#if MCUSIM_DSP
#define MCUSIM_DW_STORE4(c_)                                                               \
    do {                                                                                   \
        const int32_t *m_ = mult + (c_) * pc, *s_ = shift + (c_) * pc;                     \
        out[(c_)] = mcusim_finish(a0, m_[0], s_[0], out_off, lo, hi);                      \
        out[(c_) + 1] = mcusim_finish(a1, m_[pc], s_[pc], out_off, lo, hi);                \
        out[(c_) + 2] = mcusim_finish(a2, m_[2 * pc], s_[2 * pc], out_off, lo, hi);        \
        out[(c_) + 3] = mcusim_finish(a3, m_[3 * pc], s_[3 * pc], out_off, lo, hi);        \
    } while (0)

/* one tap of four channels: input and filter words widened (bytes 0,2 and 1,3), offset
 * added to both input lanes, one multiply-accumulate per channel */
#define MCUSIM_DW_TAP(xp, wp)                                                              \
    do {                                                                                   \
        int32_t xv_, wv_;                                                                  \
        __builtin_memcpy(&xv_, (xp), 4);                                                   \
        __builtin_memcpy(&wv_, (wp), 4);                                                   \
        const int32_t x02_ = __sadd16(__sxtb16(xv_), off2);                                \
        const int32_t x13_ = __sadd16(mcusim_sxtb16_ror8(xv_), off2);                      \
        const int32_t w02_ = __sxtb16(wv_), w13_ = mcusim_sxtb16_ror8(wv_);                \
        a0 = __smlabb(x02_, w02_, a0);                                                     \
        a2 = __smlatt(x02_, w02_, a2);                                                     \
        a1 = __smlabb(x13_, w13_, a1);                                                     \
        a3 = __smlatt(x13_, w13_, a3);                                                     \
        __asm__ volatile("" ::: "memory");  /* keeps gcc from hoisting every tap's loads */ \
    } while (0)

typedef struct {
    int32_t ch, row, off2, out_off, lo, hi, pc;
    const int32_t *bias, *mult, *shift;
} mcusim_dw3x3_ctx;

/* channels [0, n4) (a multiple of 4) of one output pixel whose window lies inside the image.
 * Not inlined: the tap sequence needs most registers, which the caller's loops do not leave. */
static __attribute__((noinline)) void
mcusim_dw3x3_interior_dsp(const int8_t *p0, const int8_t *w, int32_t n4,
                          const mcusim_dw3x3_ctx *k, int8_t *out)
{
    const int32_t ch = k->ch, ch2 = 2 * ch, ch3 = 3 * ch, row = k->row, off2 = k->off2;
    const int32_t out_off = k->out_off, lo = k->lo, hi = k->hi, pc = k->pc;
    const int32_t *bias = k->bias, *mult = k->mult, *shift = k->shift;
    for (int32_t c = 0; c < n4; c += 4, p0 += 4, w += 4) {
        int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        if (bias) {
            a0 = bias[c];
            a1 = bias[c + 1];
            a2 = bias[c + 2];
            a3 = bias[c + 3];
        }
        const int8_t *xp = p0, *wp = w;
        for (int32_t y = 0; y < 3; y++, xp += row, wp += ch3) {  /* unrolled by gcc */
            MCUSIM_DW_TAP(xp, wp);
            MCUSIM_DW_TAP(xp + ch, wp + ch);
            MCUSIM_DW_TAP(xp + ch2, wp + ch2);
        }
        MCUSIM_DW_STORE4(c);
    }
}

/* channels [0, n4) of one output pixel whose window is clipped by the image: the valid taps
 * form ny rows of nx; p and w point at the first valid tap of channel 0 in input and filter.
 * Not inlined, for the same reason (registers) as the interior kernel. */
static __attribute__((noinline)) void
mcusim_dw3x3_window_dsp(const int8_t *p, const int8_t *w, int32_t ny, int32_t nx, int32_t row,
                        int32_t n4, const mcusim_dw3x3_ctx *k, int8_t *out)
{
    const int32_t ch = k->ch, ch3 = 3 * ch, off2 = k->off2;
    const int32_t out_off = k->out_off, lo = k->lo, hi = k->hi, pc = k->pc;
    const int32_t *bias = k->bias, *mult = k->mult, *shift = k->shift;
    for (int32_t c = 0; c < n4; c += 4, p += 4, w += 4) {
        int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        if (bias) {
            a0 = bias[c];
            a1 = bias[c + 1];
            a2 = bias[c + 2];
            a3 = bias[c + 3];
        }
        const int8_t *pr = p, *wr = w;
        for (int32_t y = 0; y < ny; y++, pr += row, wr += ch3) {
            const int8_t *xp = pr, *wp = wr;
            for (int32_t x = 0; x < nx; x++, xp += ch, wp += ch) {
                MCUSIM_DW_TAP(xp, wp);
            }
        }
        MCUSIM_DW_STORE4(c);
    }
}
#endif

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
    const mcusim_dw3x3_ctx kctx = {ch, row, off2, out_off, lo, hi, pc, bias, mult, shift};
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
                if (fy0 == 0 && fy1 == 3 && fx0 == 0 && fx1 == 3) {
                    /* window inside the image: every tap unrolled (mcusim_dw3x3_interior_dsp) */
                    c = ch & ~3;
                    mcusim_dw3x3_interior_dsp(in_b + y0 * row + x0 * ch, filter, c, &kctx, out);
                } else {
                    c = ch & ~3;
                    if (fy1 > fy0 && fx1 > fx0) {
                        mcusim_dw3x3_window_dsp(in_b + (y0 + fy0) * row + (x0 + fx0) * ch,
                                                filter + (fy0 * 3 + fx0) * ch, fy1 - fy0,
                                                fx1 - fx0, row, c, &kctx, out);
                    } else {
                        c = 0;  /* no valid tap (only with padding >= 3): the scalar loop */
                    }
                }
#endif
                if (fy0 == 0 && fy1 == 3 && fx0 == 0 && fx1 == 3) {
                    const int8_t *ip = in_b + y0 * row + x0 * ch;
#if MCUSIM_DW_V6M
                    /* ARMv6-M: the nine taps of up to 16 channels in assembly, then requantize */
                    for (; c < ch; c += 16) {
                        const int32_t nb = ch - c < 16 ? ch - c : 16;
                        int32_t acc[16];
                        for (int32_t i = 0; i < nb; i++) {
                            acc[i] = bias ? bias[c + i] : 0;
                        }
                        mcusim_dw3x3_acc_v6m(ip + c, filter + c, ch, row, nb, in_off, acc);
                        for (int32_t i = 0; i < nb; i++) {
                            out[c + i] = mcusim_finish(acc[i], mult[(c + i) * pc],
                                                       shift[(c + i) * pc], out_off, lo, hi);
                        }
                    }
#endif
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
