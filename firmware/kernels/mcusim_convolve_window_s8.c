/* CONV_2D without scratch (DSP cores): a window with no padding and dilation 1 whose rows are
 * each one run of f_w * in_c input bytes (a multiple of 4) is read straight from the input, both
 * it and the filter widened by __sxtb16 on the fly. The input offset is folded into the bias at
 * build time (every tap is real), so each output is sum(x * w) + bias: the same int32 as the
 * reference's sum((x + off) * w) + bias, so bit-exact. Blocks of two pixels x two channels (four
 * accumulators, each pair of words widened once for two SMLADs), the filter's rows interleaved a
 * word at a time in pairs at build time (an odd last row plain after them: conv_2d._window_words). ARMv6-M (no DSP): the same
 * blocks in a Thumb-1 loop of LDRSB with one index register for both windows and both filter
 * rows (mcusim_window_v6m), requantized with the split multiplier where the compiler gives
 * its table (rq), in place of the pairs im2col's 4 bytes of scratch per window element and its
 * int16 copy of the filter in flash. Where it is chosen: the
 * compiler (conv_2d._window_ok), in place of the unpacked im2col, whose int16 column (2,240 B
 * for cnn_s's 10x4x28 window) sat at the arena's peak. */
#include "mcusim_nn.h"
#include "mcusim_nn_support.h"

#if MCUSIM_DSP
/* acc[0..3] += a.w0, a.w1, b.w0, b.w1 over f_h rows of `row` bytes (row % 4 == 0): a the first
 * window's top-left byte, the second's d bytes after it, `stride` bytes between their rows; w
 * the filter words of a channel pair interleaved (w0's word, w1's word: o1 = 4, wstep = 8) or
 * one row (o1 = 0, wstep = 4), so the loop keeps four pointers (a, the row's end, w; d) and no
 * accumulator leaves its register */
MCUSIM_INLINE void mcusim_window_2x2_s8(const int8_t *a, int32_t d, int32_t stride,
                                        const int8_t *w, int32_t f_h, int32_t row,
                                        int32_t acc[4], const int32_t o1, const int32_t wstep)
{
    int32_t a0 = acc[0], a1 = acc[1], b0 = acc[2], b1 = acc[3];
    for (int32_t fy = 0; fy < f_h; fy++, a += stride) {
        const int8_t *x = a, *const end = a + row;
        do {
            int32_t xa, xb, v;
            __builtin_memcpy(&xb, x + d, 4);
            __builtin_memcpy(&xa, x, 4);
            x += 4;
            const int32_t xa02 = __sxtb16(xa), xa13 = mcusim_sxtb16_ror8(xa);
            const int32_t xb02 = __sxtb16(xb), xb13 = mcusim_sxtb16_ror8(xb);
            __builtin_memcpy(&v, w, 4);
            int32_t v02 = __sxtb16(v), v13 = mcusim_sxtb16_ror8(v);
            a0 = __smlad(xa02, v02, a0);
            a0 = __smlad(xa13, v13, a0);
            b0 = __smlad(xb02, v02, b0);
            b0 = __smlad(xb13, v13, b0);
            __builtin_memcpy(&v, w + o1, 4);
            w += wstep;
            v02 = __sxtb16(v);
            v13 = mcusim_sxtb16_ror8(v);
            a1 = __smlad(xa02, v02, a1);
            a1 = __smlad(xa13, v13, a1);
            b1 = __smlad(xb02, v02, b1);
            b1 = __smlad(xb13, v13, b1);
        } while (x < end);
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = b0;
    acc[3] = b1;
}
#elif defined(__ARM_ARCH_6M__)
/* acc[0..3] += a.w, b.w, c.w, d.w over a whole window: p = {a, b, c, d, w, stride, row, f_h}
 * (row even, f_h >= 1; the filter's rows consecutive, the windows' `stride` bytes apart), four
 * windows against one filter row, so the weights are one sequential stream from flash (two
 * rows' streams miss its line buffer in turn: cnn_s's 10x4x28 layer 13.8 M cycles on the
 * stm32g0b1 in 2x2 blocks against 12.4 M for the pairs im2col). AAPCS: r0 p, r1 acc;
 * accumulators in r8-r11, the windows in r0-r3 and the filter in r7 with one index (r4), two
 * taps per pass; stride and the rows left on the stack. */
void mcusim_window_v6m(const intptr_t p[8], int32_t *acc);
#define MCUSIM_V6M_TAP4                                                                            \
    "  ldrsb r5, [r7, r4]\n"    /* w[k] */                                                       \
    "  ldrsb r6, [r0, r4]\n"                                                                     \
    "  muls r6, r5, r6\n"                                                                        \
    "  add r8, r6\n"                                                                             \
    "  ldrsb r6, [r1, r4]\n"                                                                     \
    "  muls r6, r5, r6\n"                                                                        \
    "  add r9, r6\n"                                                                             \
    "  ldrsb r6, [r2, r4]\n"                                                                     \
    "  muls r6, r5, r6\n"                                                                        \
    "  add r10, r6\n"                                                                            \
    "  ldrsb r6, [r3, r4]\n"                                                                     \
    "  muls r6, r5, r6\n"                                                                        \
    "  add r11, r6\n"                                                                            \
    "  adds r4, #1\n"
__asm__(
    "  .section .text.mcusim_window_v6m,\"ax\",%progbits\n"
    "  .syntax unified\n"
    "  .thumb\n"
    "  .balign 2\n"
    "  .global mcusim_window_v6m\n"
    "  .thumb_func\n"
    "  .type mcusim_window_v6m, %function\n"
    "mcusim_window_v6m:\n"
    "  push {r4, r5, r6, r7, lr}\n"
    "  mov r4, r8\n"
    "  mov r5, r9\n"
    "  mov r6, r10\n"
    "  mov r7, r11\n"
    "  push {r1, r4, r5, r6, r7}\n"
    "  ldr r4, [r1, #0]\n"
    "  mov r8, r4\n"
    "  ldr r4, [r1, #4]\n"
    "  mov r9, r4\n"
    "  ldr r4, [r1, #8]\n"
    "  mov r10, r4\n"
    "  ldr r4, [r1, #12]\n"
    "  mov r11, r4\n"
    "  ldr r5, [r0, #20]\n"     /* stride */
    "  ldr r6, [r0, #28]\n"     /* rows */
    "  push {r5, r6}\n"
    "  ldr r4, [r0, #24]\n"     /* row bytes */
    "  mov ip, r4\n"
    "  ldr r7, [r0, #16]\n"
    "  ldr r1, [r0, #4]\n"
    "  ldr r2, [r0, #8]\n"
    "  ldr r3, [r0, #12]\n"
    "  ldr r0, [r0, #0]\n"
    "2:\n"
    "  movs r4, #0\n"
    "1:\n"
    MCUSIM_V6M_TAP4
    MCUSIM_V6M_TAP4
    "  cmp r4, ip\n"
    "  bne 1b\n"
    "  ldr r5, [sp, #0]\n"
    "  adds r0, r0, r5\n"
    "  adds r1, r1, r5\n"
    "  adds r2, r2, r5\n"
    "  adds r3, r3, r5\n"
    "  adds r7, r7, r4\n"       /* the next filter row: r4 = row here */
    "  ldr r6, [sp, #4]\n"
    "  subs r6, #1\n"
    "  str r6, [sp, #4]\n"
    "  bne 2b\n"
    "  add sp, #8\n"
    "  pop {r1}\n"
    "  mov r5, r8\n"
    "  str r5, [r1, #0]\n"
    "  mov r5, r9\n"
    "  str r5, [r1, #4]\n"
    "  mov r5, r10\n"
    "  str r5, [r1, #8]\n"
    "  mov r5, r11\n"
    "  str r5, [r1, #12]\n"
    "  pop {r4, r5, r6, r7}\n"
    "  mov r8, r4\n"
    "  mov r9, r5\n"
    "  mov r10, r6\n"
    "  mov r11, r7\n"
    "  pop {r4, r5, r6, r7, pc}\n"
    "  .size mcusim_window_v6m, .-mcusim_window_v6m\n");

/* the ARMv6-M body: pixels in fours (the last windows repeated to fill a four), every channel
 * against the four windows, f_h calls per channel */
static mcusim_status mcusim_window_body_v6m(const mcusim_conv_params *params,
                                            const mcusim_quant_params *quant, const int32_t *rq,
                                            const mcusim_dims *input_dims, const int8_t *input,
                                            const mcusim_dims *filter_dims,
                                            const int8_t *filter, const int32_t *bias,
                                            const mcusim_dims *output_dims, int8_t *output)
{
    const int32_t in_h = input_dims->h, in_w = input_dims->w, in_c = input_dims->c;
    const int32_t f_h = filter_dims->h, f_w = filter_dims->w;
    const int32_t out_h = output_dims->h, out_w = output_dims->w, out_c = output_dims->c;
    const int32_t row = f_w * in_c, n = f_h * row, stride = in_w * in_c;
    const int32_t out_off = params->output_offset;
    const int32_t lo = params->activation.min, hi = params->activation.max;
    const int32_t *mult = quant->multiplier, *shift = quant->shift;
    const int32_t pc = quant->per_channel ? 1 : 0;
    const int32_t total = input_dims->n * out_h * out_w;
    const int8_t *win[4] = {0, 0, 0, 0};
    int32_t b = 0, oy = 0, ox = 0;      /* the next pixel, raster order */
    for (int32_t first = 0; first < total; first += 4) {
        const int32_t cnt = total - first < 4 ? total - first : 4;
        for (int32_t j = 0; j < 4; j++) {
            if (j >= cnt) {
                win[j] = win[cnt - 1];
                continue;
            }
            win[j] = input + ((b * in_h + oy * params->stride.h) * in_w +
                              ox * params->stride.w) * in_c;
            if (++ox == out_w) {
                ox = 0;
                if (++oy == out_h) {
                    oy = 0;
                    b++;
                }
            }
        }
        const int8_t *w = filter;
        for (int32_t oc = 0; oc < out_c; oc++, w += n) {
            const int32_t b0 = bias ? bias[oc] : 0;
            int32_t acc[4] = {b0, b0, b0, b0};
            const intptr_t p[8] = {(intptr_t)win[0], (intptr_t)win[1], (intptr_t)win[2],
                                   (intptr_t)win[3], (intptr_t)w, stride, row, f_h};
            mcusim_window_v6m(p, acc);
            for (int32_t j = 0; j < cnt; j++) {
                output[(first + j) * out_c + oc] =
                    rq ? mcusim_clamp8(mcusim_requant_split11(acc[j], rq + 5 * oc), lo, hi)
                       : mcusim_finish(acc[j], mult[oc * pc], shift[oc * pc], out_off, lo, hi);
            }
        }
    }
    return MCUSIM_OK;
}
#endif

mcusim_status mcusim_convolve_window_s8(const mcusim_conv_params *params,
                                        const mcusim_quant_params *quant, const int32_t *rq,
                                        const mcusim_dims *input_dims, const int8_t *input,
                                        const mcusim_dims *filter_dims, const int8_t *filter,
                                        const int32_t *bias,
                                        const mcusim_dims *output_dims, int8_t *output)
{
#if MCUSIM_DSP || defined(__ARM_ARCH_6M__)
    const int32_t in_h = input_dims->h, in_w = input_dims->w, in_c = input_dims->c;
    const int32_t f_h = filter_dims->h, f_w = filter_dims->w;
    const int32_t out_h = output_dims->h, out_w = output_dims->w, out_c = output_dims->c;
    const int32_t row = f_w * in_c, n = f_h * row, stride = in_w * in_c;
    const int32_t out_off = params->output_offset;
    const int32_t lo = params->activation.min, hi = params->activation.max;
    const int32_t *mult = quant->multiplier, *shift = quant->shift;
    const int32_t pc = quant->per_channel ? 1 : 0;
    if (filter_dims->c != in_c || (row & 3) || params->input_offset != 0 ||
        params->padding.h != 0 || params->padding.w != 0 || params->dilation.h != 1 ||
        params->dilation.w != 1 || (out_h - 1) * params->stride.h + f_h > in_h ||
        (out_w - 1) * params->stride.w + f_w > in_w) {
        return MCUSIM_ARG_ERROR;
    }
#if !MCUSIM_DSP
    (void)n, (void)out_c, (void)out_off, (void)lo, (void)hi, (void)mult, (void)shift, (void)pc;
    return mcusim_window_body_v6m(params, quant, rq, input_dims, input, filter_dims, filter,
                                  bias, output_dims, output);
#else
    const int32_t total = input_dims->n * out_h * out_w;
    const int8_t *win[2];
    int32_t b = 0, oy = 0, ox = 0;      /* the next pixel, raster order */
    for (int32_t first = 0; first < total; first += 2) {
        const int32_t two = first + 1 < total;
        for (int32_t j = 0; j < 2; j++) {
            if (j == 1 && !two) {       /* an odd last pixel: its window computed twice */
                win[1] = win[0];
                break;
            }
            win[j] = input + ((b * in_h + oy * params->stride.h) * in_w +
                              ox * params->stride.w) * in_c;
            if (++ox == out_w) {
                ox = 0;
                if (++oy == out_h) {
                    oy = 0;
                    b++;
                }
            }
        }
        int8_t *const outs[2] = {output + first * out_c, output + (first + 1) * out_c};
        const int8_t *w = filter;
        int32_t oc = 0;
        for (; oc + 2 <= out_c; oc += 2, w += 2 * n) {
            int32_t acc[4] = {0, 0, 0, 0};
            if (bias) {
                acc[0] = acc[2] = bias[oc];
                acc[1] = acc[3] = bias[oc + 1];
            }
            mcusim_window_2x2_s8(win[0], win[1] - win[0], stride, w, f_h, row, acc, 4, 8);
            mcusim_store_2x2(acc, oc, rq, mult, shift, pc, out_off, lo, hi, two, outs);
        }
        if (oc < out_c) {   /* an odd last channel: its row paired with itself */
            int32_t acc[4] = {0, 0, 0, 0};
            if (bias) {
                acc[0] = acc[1] = acc[2] = acc[3] = bias[oc];
            }
            mcusim_window_2x2_s8(win[0], win[1] - win[0], stride, w, f_h, row, acc, 0, 4);
            if (rq) {
                outs[0][oc] = mcusim_clamp8(mcusim_requant_split11(acc[0], rq + 5 * oc), lo, hi);
                if (two) {
                    outs[1][oc] = mcusim_clamp8(mcusim_requant_split11(acc[2], rq + 5 * oc), lo,
                                                hi);
                }
            } else {
                outs[0][oc] = mcusim_finish(acc[0], mult[oc * pc], shift[oc * pc], out_off, lo,
                                            hi);
                if (two) {
                    outs[1][oc] = mcusim_finish(acc[2], mult[oc * pc], shift[oc * pc], out_off,
                                                lo, hi);
                }
            }
        }
    }
    return MCUSIM_OK;
#endif
#else
    (void)params;
    (void)quant;
    (void)rq;
    (void)input_dims;
    (void)input;
    (void)filter_dims;
    (void)filter;
    (void)bias;
    (void)output_dims;
    (void)output;
    return MCUSIM_ARG_ERROR;
#endif
}
