/* DEPTHWISE_CONV_2D, 3x3 filter, multiplier 1, dilation 1, channels a multiple of 4, with the
 * filter, bias and requantization re-laid out at build time (the compiler's choice on DSP cores;
 * sim/mcusim/compiler/ops/depthwise_conv_2d.py pack_3x3). One record of 10 words per channel:
 *   [0..2] (2 w[0][k], 2 w[1][k]) int16 pairs, k = 0..2 (kernel rows 0 and 1 of column k)
 *   [3..5] (2 w[1][k], 2 w[2][k])                       (kernel rows 1 and 2)
 *   [6]    2 (bias + input_offset * sum w)              (the input offset folded in)
 *   [7]    m, the multiplier; [8] r = 2^(e-1) + output_offset 2^e; [9] e = -shift >= 1
 * The sum is taken over raw input codes, padding reads the input zero point (its w (zp + offset)
 * is 0 as in TFLM), and everything is doubled so that
 *   h = SMMLAR(2 acc, m, r) = floor((acc m + 2^30) / 2^31) + r   (SaturatingRoundingDoublingHighMul;
 *                                                                   m < 2^31, |acc| < 2^30)
 *   out = (h - [acc < 0]) >> e = RoundingDivideByPOT(., e) + output_offset
 * is TFLM's double-rounding requantization in three instructions (the compiler checks the
 * bounds per channel; layers outside them take mcusim_depthwise_conv_3x3_s8).
 *
 * DSP path, per group of four channels, whole rows at a time: the input rows the next output
 * row(s) need are widened once into a scratch of int16 row pairs, (row r, row r + 1) in one word
 * per column and channel, with the padding already in place. A 3x3 window is then three SMLAD
 * (kernel rows 0-1) and three SMLABT (row 2) against weights held in registers; with stride 1
 * two output rows share each loaded pair (rows r..r+3: the second row takes SMLATB and SMLAD).
 * The tap loops are assembly (fixed registers at any -O level); the requantization is C.
 * The portable path computes the same sums pixel by pixel: it is the readable reference for the
 * record layout, and what host builds (no DSP) run. */
#include <stddef.h>

#include "mcusim_nn.h"
#include "mcusim_nn_support.h"

enum { DW_W01 = 0, DW_W12 = 3, DW_BIAS = 6, DW_MULT = 7, DW_RND = 8, DW_EXP = 9 };

/* scratch: two slots of row pairs, 4 channels x (columns) words each, and one int32 accumulator
 * per output of two rows */
static inline int32_t mcusim_dw3p_columns(const mcusim_dw_conv_params *params, int32_t out_w)
{
    return (out_w - 1) * params->stride.w + 3;
}

int32_t mcusim_depthwise_conv_3x3_packed_s8_get_buffer_size(const mcusim_dw_conv_params *params,
                                                            const mcusim_dims *output_dims)
{
#if MCUSIM_DSP
    return 32 * mcusim_dw3p_columns(params, output_dims->w) + 8 * output_dims->w;
#else
    (void)params;
    (void)output_dims;
    return 0;
#endif
}

/* requantize one doubled accumulator (multiplier m, rounding constant r, exponent e) */
static inline int32_t mcusim_dw3p_requant(int32_t acc2, int32_t m, int32_t r, int32_t e)
{
#if MCUSIM_DSP
    int32_t h;
    __asm__("smmlar %0, %1, %2, %3" : "=r"(h) : "r"(acc2), "r"(m), "r"(r));
#else
    const int32_t h = (int32_t)(((int64_t)acc2 * m + (int64_t)r * 4294967296LL + 0x80000000LL)
                                >> 32);
#endif
    return (h + (acc2 >> 31)) >> e;
}

#if MCUSIM_DSP
/* n outputs of one channel, acc[k * astep] to out[k * ostep]: the record's constants in locals
 * (the byte stores could alias them otherwise); SSAT alone when the range is all of int8 */
static void mcusim_dw3p_store(const int32_t *acc, int32_t astep, int32_t n, const int32_t *q,
                              int32_t lo, int32_t hi, int8_t *out, int32_t ostep)
{
    const int32_t m = q[DW_MULT], r = q[DW_RND], e = q[DW_EXP];
    const int32_t *end = acc + n * astep;
    if (lo == -128 && hi == 127) {
        for (; acc != end; acc += astep, out += ostep) {
            *out = (int8_t)__ssat(mcusim_dw3p_requant(*acc, m, r, e), 8);
        }
        return;
    }
    for (; acc != end; acc += astep, out += ostep) {
        int32_t v = mcusim_dw3p_requant(*acc, m, r, e);
        v = v < lo ? lo : v;
        *out = (int8_t)(v > hi ? hi : v);
    }
}
#endif

#if MCUSIM_DSP
/* The tap loops. AAPCS: r0 v (scratch word of channel i, column of the first output's left tap),
 * r1 acc, r2 n outputs, r3 the channel's record; single rows take the column step in bytes as a
 * fifth argument. Scratch words: column j, channel i, slot s at byte 32 j + 8 i + 4 s; T/B: the
 * slots holding the pairs (r, r+1) and (r+2, r+3). Registers: r4-r6 the (w0, w1) pairs, r7-r9
 * the (w1, w2) pairs, r10 the doubled bias, r3/r12 the loaded pair words, r11/lr the sums.
 * dual (stride 1): out0 = rows r..r+2 (SMLAD T, SMLABT B), out1 = rows r+1..r+3 (SMLATB T,
 * SMLAD B), stored as pairs; single: out0 only. */
void mcusim_dw3p_dual_t0(const int32_t *v, int32_t *acc, int32_t n, const int32_t *rec);
void mcusim_dw3p_dual_t1(const int32_t *v, int32_t *acc, int32_t n, const int32_t *rec);
void mcusim_dw3p_single_t0(const int32_t *v, int32_t *acc, int32_t n, const int32_t *rec,
                           int32_t step);
void mcusim_dw3p_single_t1(const int32_t *v, int32_t *acc, int32_t n, const int32_t *rec,
                           int32_t step);
__asm__(
    "  .pushsection .text.mcusim_dw3p, \"ax\", %progbits\n"
    "  .syntax unified\n"
    "  .thumb\n"
    "  .macro MCUSIM_DW3P_DUAL name, t, b\n"
    "  .balign 4\n"
    "  .global \\name\n"
    "  .thumb_func\n"
    "  .type \\name, %function\n"
    "\\name:\n"
    "  push {r4-r11, lr}\n"
    "  ldm r3, {r4-r10}\n"
    "  add r2, r1, r2, lsl #3\n"
    "1:\n"
    "  ldr r3, [r0, #32+\\t]\n"
    "  ldr r12, [r0, #32+\\b]\n"
    "  smlad r11, r3, r5, r10\n"
    "  smlatb lr, r3, r5, r10\n"
    "  smlabt r11, r12, r8, r11\n"
    "  smlad lr, r12, r8, lr\n"
    "  ldr r3, [r0, #64+\\t]\n"
    "  ldr r12, [r0, #64+\\b]\n"
    "  smlad r11, r3, r6, r11\n"
    "  smlatb lr, r3, r6, lr\n"
    "  smlabt r11, r12, r9, r11\n"
    "  smlad lr, r12, r9, lr\n"
    "  .if \\t == 0\n"
    "  ldr r12, [r0, #4]\n"
    "  ldr r3, [r0], #32\n"
    "  .else\n"
    "  ldr r3, [r0, #4]\n"
    "  ldr r12, [r0], #32\n"
    "  .endif\n"
    "  smlad r11, r3, r4, r11\n"
    "  smlatb lr, r3, r4, lr\n"
    "  smlabt r11, r12, r7, r11\n"
    "  smlad lr, r12, r7, lr\n"
    "  strd r11, lr, [r1], #8\n"
    "  cmp r1, r2\n"
    "  bne 1b\n"
    "  pop {r4-r11, pc}\n"
    "  .size \\name, .-\\name\n"
    "  .endm\n"
    "  .macro MCUSIM_DW3P_SINGLE name, t, b\n"
    "  .balign 4\n"
    "  .global \\name\n"
    "  .thumb_func\n"
    "  .type \\name, %function\n"
    "\\name:\n"
    "  push {r4-r11, lr}\n"
    "  ldr lr, [sp, #36]\n"
    "  ldm r3, {r4-r10}\n"
    "  add r2, r1, r2, lsl #2\n"
    "1:\n"
    "  ldr r3, [r0, #\\t]\n"
    "  ldr r12, [r0, #\\b]\n"
    "  smlad r11, r3, r4, r10\n"
    "  smlabt r11, r12, r7, r11\n"
    "  ldr r3, [r0, #32+\\t]\n"
    "  ldr r12, [r0, #32+\\b]\n"
    "  smlad r11, r3, r5, r11\n"
    "  smlabt r11, r12, r8, r11\n"
    "  ldr r3, [r0, #64+\\t]\n"
    "  ldr r12, [r0, #64+\\b]\n"
    "  smlad r11, r3, r6, r11\n"
    "  smlabt r11, r12, r9, r11\n"
    "  add r0, r0, lr\n"
    "  str r11, [r1], #4\n"
    "  cmp r1, r2\n"
    "  bne 1b\n"
    "  pop {r4-r11, pc}\n"
    "  .size \\name, .-\\name\n"
    "  .endm\n"
    "  MCUSIM_DW3P_DUAL mcusim_dw3p_dual_t0, 0, 4\n"
    "  MCUSIM_DW3P_DUAL mcusim_dw3p_dual_t1, 4, 0\n"
    "  MCUSIM_DW3P_SINGLE mcusim_dw3p_single_t0, 0, 4\n"
    "  MCUSIM_DW3P_SINGLE mcusim_dw3p_single_t1, 4, 0\n"
    "  .purgem MCUSIM_DW3P_DUAL\n"
    "  .purgem MCUSIM_DW3P_SINGLE\n"
    "  .popsection\n");

/* Widen input rows r and r + 1 of four channels into scratch slot s: per column one word per
 * channel, (row r, row r + 1) as int16 (raw codes; the zero point where the window leaves the
 * image). row0/row1: the rows at the group's first channel, NULL outside the image. */
static void mcusim_dw3p_widen(int32_t *v, int32_t s, const int8_t *row0, const int8_t *row1,
                              int32_t x0, int32_t ncol, int32_t in_w, int32_t ch, int32_t zp4)
{
    int32_t *o = v + s;
    for (int32_t j = 0; j < ncol; j++, o += 8) {
        const int32_t x = x0 + j;
        int32_t a = zp4, b = zp4;
        if (x >= 0 && x < in_w) {
            if (row0) {
                __builtin_memcpy(&a, row0 + x * ch, 4);
            }
            if (row1) {
                __builtin_memcpy(&b, row1 + x * ch, 4);
            }
        }
        /* bytes (a0 a1 b0 b1) and (a2 a3 b2 b3): SXTB16 then gives (a0, b0), (a1, b1), ... */
        const int32_t lo = (int32_t)(((uint32_t)a & 0xFFFFu) | ((uint32_t)b << 16));
        const int32_t hi = (int32_t)(((uint32_t)b & 0xFFFF0000u) | ((uint32_t)a >> 16));
        o[0] = __sxtb16(lo);
        o[2] = mcusim_sxtb16_ror8(lo);
        o[4] = __sxtb16(hi);
        o[6] = mcusim_sxtb16_ror8(hi);
    }
}
#endif

mcusim_status mcusim_depthwise_conv_3x3_packed_s8(void *buffer,
                                                  const mcusim_dw_conv_params *params,
                                                  const int32_t *packed,
                                                  const mcusim_dims *input_dims,
                                                  const int8_t *input,
                                                  const mcusim_dims *output_dims,
                                                  int8_t *output)
{
    const int32_t in_h = input_dims->h, in_w = input_dims->w, ch = input_dims->c;
    const int32_t out_h = output_dims->h, out_w = output_dims->w;
    if ((ch & 3) != 0 || output_dims->c != ch || params->ch_mult != 1 ||
        params->dilation.h != 1 || params->dilation.w != 1) {
        return MCUSIM_ARG_ERROR;
    }
    const int32_t zp = -params->input_offset;
    const int32_t lo = params->activation.min, hi = params->activation.max;
    const int32_t sh = params->stride.h, sw = params->stride.w;
    const int32_t ph = params->padding.h, pw = params->padding.w;
    const int32_t row = in_w * ch;
#if MCUSIM_DSP
    if (buffer == NULL) {
        return MCUSIM_ARG_ERROR;
    }
    const int32_t ncol = mcusim_dw3p_columns(params, out_w);
    int32_t *v = (int32_t *)buffer;
    int32_t *acc = v + 8 * ncol;
    const int32_t zp4 = (int32_t)(((uint32_t)zp & 0xFFu) * 0x01010101u);
    for (int32_t b = 0; b < input_dims->n; b++) {
        const int8_t *in_b = input + b * in_h * row;
        int8_t *out_b = output + b * out_h * out_w * ch;
        for (int32_t c = 0; c < ch; c += 4) {
            int32_t held[2] = {INT32_MIN, INT32_MIN};   /* first row of the pair in each slot */
            for (int32_t oy = 0; oy < out_h;) {
                const int32_t y0 = oy * sh - ph;
                const int32_t dual = sh == 1 && sw == 1 && oy + 1 < out_h;
                /* the pairs (y0, y0+1) and (y0+2, y0+3) in two different slots */
                int32_t t = held[0] == y0 ? 0 : (held[1] == y0 ? 1 : -1);
                if (t < 0) {
                    t = held[0] == y0 + 2 ? 1 : 0;
                }
                for (int32_t k = 0; k < 2; k++) {
                    const int32_t s = k == 0 ? t : 1 - t, r = y0 + 2 * k;
                    if (held[s] != r) {
                        const int8_t *r0 = r >= 0 && r < in_h ? in_b + r * row + c : NULL;
                        const int8_t *r1 = r + 1 >= 0 && r + 1 < in_h ? in_b + (r + 1) * row + c
                                                                        : NULL;
                        mcusim_dw3p_widen(v, s, r0, r1, -pw, ncol, in_w, ch, zp4);
                        held[s] = r;
                    }
                }
                for (int32_t i = 0; i < 4; i++) {
                    const int32_t *q = packed + (c + i) * 10;
                    int8_t *o = out_b + oy * out_w * ch + c + i;
                    if (dual) {
                        (t ? mcusim_dw3p_dual_t1 : mcusim_dw3p_dual_t0)(v + 2 * i, acc, out_w, q);
                        mcusim_dw3p_store(acc, 2, out_w, q, lo, hi, o, ch);
                        mcusim_dw3p_store(acc + 1, 2, out_w, q, lo, hi, o + out_w * ch, ch);
                    } else {
                        (t ? mcusim_dw3p_single_t1 : mcusim_dw3p_single_t0)(v + 2 * i, acc, out_w,
                                                                           q, 32 * sw);
                        mcusim_dw3p_store(acc, 1, out_w, q, lo, hi, o, ch);
                    }
                }
                oy += dual ? 2 : 1;
            }
        }
    }
#else
    (void)buffer;
    int8_t *out = output;
    for (int32_t b = 0; b < input_dims->n; b++) {
        const int8_t *in_b = input + b * in_h * row;
        for (int32_t oy = 0; oy < out_h; oy++) {
            for (int32_t ox = 0; ox < out_w; ox++) {
                for (int32_t c = 0; c < ch; c++) {
                    const int32_t *q = packed + c * 10;
                    int32_t acc2 = q[DW_BIAS];
                    for (int32_t ky = 0; ky < 3; ky++) {
                        const int32_t y = oy * sh - ph + ky;
                        for (int32_t kx = 0; kx < 3; kx++) {
                            const int32_t x = ox * sw - pw + kx;
                            /* the doubled weight: low or high half of its pair word */
                            const int32_t pair = ky < 2 ? q[DW_W01 + kx] : q[DW_W12 + kx];
                            const int32_t w2 = ky == 0 ? (int16_t)(pair & 0xFFFF) : pair >> 16;
                            const int32_t xv = y >= 0 && y < in_h && x >= 0 && x < in_w
                                                   ? in_b[y * row + x * ch + c] : zp;
                            acc2 += w2 * xv;
                        }
                    }
                    int32_t v = mcusim_dw3p_requant(acc2, q[DW_MULT], q[DW_RND], q[DW_EXP]);
                    v = v < lo ? lo : v;
                    *out++ = (int8_t)(v > hi ? hi : v);
                }
            }
        }
    }
#endif
    return MCUSIM_OK;
}
