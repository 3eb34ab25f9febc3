/* CONV_2D fast path: 1x1 filter, no padding, no dilation, no groups, any stride.
 * Each output pixel is a dot product of one input pixel's channels with each filter row. With
 * a folded input offset, on DSP cores and ARMv6-M, output pixels go in pairs (raster order,
 * across rows) against two filter rows at a time: a 2x2 block of accumulators (SMLAD with DSP;
 * an assembly LDRSB/MULS loop on ARMv6-M), so every filter byte serves two pixels and every
 * input byte two channels. Otherwise one pixel, two output channels per pass
 * (mcusim_dot2_s8), with the input offset as off * sum(w): the same int32 as the reference's
 * sum(w * (x + off)). The compiler folds the offset into the bias at build time and passes
 * input_offset 0. */
#include "mcusim_nn.h"
#include "mcusim_nn_support.h"

#if defined(__ARM_ARCH_6M__) && !MCUSIM_DSP
/* ARMv6-M: the 2x2 block in a function of its own, in assembly at file scope (fixed registers,
 * so no optimization level can fail to allocate them): acc[0..3] += xa.w0, xa.w1, xb.w0, xb.w1
 * over n >= 1 int8 taps. Per tap: four LDRSB [Rn, Rm], four MULS, four ADD into r8-r11
 * (21 cycles for four multiply-accumulates on the 2-stage pipeline, against 15 for two with
 * the C loop). AAPCS: r0 xa, r1 xb, r2 w0, r3 w1, [sp] n, [sp, #4] acc; r4-r11 saved. */
void mcusim_mm2x2_s8_v6m(const int8_t *xa, const int8_t *xb, const int8_t *w0,
                         const int8_t *w1, int32_t n, int32_t *acc);
__asm__(
    "  .section .text.mcusim_mm2x2_s8_v6m,\"ax\",%progbits\n"
    "  .syntax unified\n"
    "  .thumb\n"
    "  .balign 2\n"
    "  .global mcusim_mm2x2_s8_v6m\n"
    "  .thumb_func\n"
    "  .type mcusim_mm2x2_s8_v6m, %function\n"
    "mcusim_mm2x2_s8_v6m:\n"
    "  push {r4, r5, r6, r7, lr}\n"
    "  mov r4, r8\n"
    "  mov r5, r9\n"
    "  mov r6, r10\n"
    "  mov r7, r11\n"
    "  push {r4, r5, r6, r7}\n"
    "  ldr r4, [sp, #40]\n"          /* acc */
    "  ldr r5, [r4, #0]\n"
    "  mov r8, r5\n"
    "  ldr r5, [r4, #4]\n"
    "  mov r9, r5\n"
    "  ldr r5, [r4, #8]\n"
    "  mov r10, r5\n"
    "  ldr r5, [r4, #12]\n"
    "  mov r11, r5\n"
    "  ldr r4, [sp, #36]\n"          /* n */
    "  mov ip, r4\n"
    "  movs r4, #0\n"                /* k */
    "1:\n"
    "  ldrsb r5, [r2, r4]\n"         /* p = w0[k] */
    "  ldrsb r6, [r0, r4]\n"         /* u = xa[k] */
    "  movs r7, r5\n"
    "  muls r7, r6, r7\n"
    "  add r8, r7\n"                 /* a00 += p u */
    "  ldrsb r7, [r1, r4]\n"         /* v = xb[k] */
    "  muls r5, r7, r5\n"
    "  add r10, r5\n"                /* a10 += p v */
    "  ldrsb r5, [r3, r4]\n"         /* q = w1[k] */
    "  muls r6, r5, r6\n"
    "  add r9, r6\n"                 /* a01 += q u */
    "  muls r7, r5, r7\n"
    "  add r11, r7\n"                /* a11 += q v */
    "  adds r4, #1\n"
    "  cmp r4, ip\n"
    "  bne 1b\n"
    "  ldr r4, [sp, #40]\n"
    "  mov r5, r8\n"
    "  str r5, [r4, #0]\n"
    "  mov r5, r9\n"
    "  str r5, [r4, #4]\n"
    "  mov r5, r10\n"
    "  str r5, [r4, #8]\n"
    "  mov r5, r11\n"
    "  str r5, [r4, #12]\n"
    "  pop {r4, r5, r6, r7}\n"
    "  mov r8, r4\n"
    "  mov r9, r5\n"
    "  mov r10, r6\n"
    "  mov r11, r7\n"
    "  pop {r4, r5, r6, r7, pc}\n"
    "  .size mcusim_mm2x2_s8_v6m, .-mcusim_mm2x2_s8_v6m\n");
#define MCUSIM_1X1_PAIRS 1
#elif MCUSIM_DSP
#define MCUSIM_1X1_PAIRS 1
#else
#define MCUSIM_1X1_PAIRS 0
#endif

#if MCUSIM_DSP
/* Two output pixels at once (input rows xa, xb of n channels), two filter rows per pass: each
 * filter word is loaded once for both pixels and each input word once for both channels, 16
 * multiply-accumulates (8 SMLAD) per four channels (ARMv6-M: mcusim_mm2x2_s8_v6m). Not
 * inlined: the inner loop needs nearly every register. Requires input_offset folded (0); the
 * caller handles the rest. */
/* a<p><c> += sum over k < n4 (a multiple of 4) of x_p[k] * w_c[k], x_1 = x_0 + dx, w_1 = w_0 + dw */
MCUSIM_INLINE void mcusim_mm_2x2_s8(const int8_t *x, int32_t dx, const int8_t *w, int32_t dw,
                                    int32_t n4, int32_t *a00, int32_t *a01, int32_t *a10,
                                    int32_t *a11)
{
    int32_t r00 = *a00, r01 = *a01, r10 = *a10, r11 = *a11;
    const int8_t *end = x + n4;
    while (x != end) {
        int32_t va, vb, v0, v1;
        __builtin_memcpy(&va, x, 4);
        __builtin_memcpy(&vb, x + dx, 4);
        __builtin_memcpy(&v0, w, 4);
        __builtin_memcpy(&v1, w + dw, 4);
        x += 4;
        w += 4;
        int32_t f0 = __sxtb16(v0), f1 = __sxtb16(v1);
        int32_t xs = __sxtb16(va);
        r00 = __smlad(xs, f0, r00);
        r01 = __smlad(xs, f1, r01);
        xs = __sxtb16(vb);
        r10 = __smlad(xs, f0, r10);
        r11 = __smlad(xs, f1, r11);
        f0 = mcusim_sxtb16_ror8(v0);
        f1 = mcusim_sxtb16_ror8(v1);
        xs = mcusim_sxtb16_ror8(va);
        r00 = __smlad(xs, f0, r00);
        r01 = __smlad(xs, f1, r01);
        xs = mcusim_sxtb16_ror8(vb);
        r10 = __smlad(xs, f0, r10);
        r11 = __smlad(xs, f1, r11);
    }
    *a00 = r00;
    *a01 = r01;
    *a10 = r10;
    *a11 = r11;
}
#endif

#if MCUSIM_1X1_PAIRS
static __attribute__((noinline)) void
mcusim_conv1x1_2px(const int8_t *xa, const int8_t *xb, const int8_t *filter, int32_t n,
                       int32_t out_c, const int32_t *bias, const mcusim_quant_params *quant,
                       const mcusim_conv_params *params, int8_t *outa, int8_t *outb)
{
    const int32_t out_off = params->output_offset;
    const int32_t lo = params->activation.min, hi = params->activation.max;
    const int32_t *mult = quant->multiplier, *shift = quant->shift;
    const int32_t pc = quant->per_channel ? 1 : 0;
#if MCUSIM_DSP
    const int32_t n4 = n & ~3;
#else
    const int32_t n4 = n;   /* the ARMv6-M core takes any n >= 1 */
#endif
    const int8_t *fp = filter;
    int32_t oc = 0;
    for (; oc + 2 <= out_c; oc += 2, fp += 2 * n) {
        int32_t a00 = 0, a01 = 0, a10 = 0, a11 = 0;  /* a<pixel><channel> */
        if (bias) {
            a00 = a10 = bias[oc];
            a01 = a11 = bias[oc + 1];
        }
#if MCUSIM_DSP
        if (xb == xa + n) {  /* stride 1: one offset register serves both pairs */
            mcusim_mm_2x2_s8(xa, n, fp, n, n4, &a00, &a01, &a10, &a11);
        } else {
            mcusim_mm_2x2_s8(xa, (int32_t)(xb - xa), fp, n, n4, &a00, &a01, &a10, &a11);
        }
#else
        int32_t acc[4] = {a00, a01, a10, a11};
        mcusim_mm2x2_s8_v6m(xa, xb, fp, fp + n, n4, acc);
        a00 = acc[0];
        a01 = acc[1];
        a10 = acc[2];
        a11 = acc[3];
#endif
        for (int32_t k = n4; k < n; k++) {
            a00 += fp[k] * xa[k];
            a01 += fp[n + k] * xa[k];
            a10 += fp[k] * xb[k];
            a11 += fp[n + k] * xb[k];
        }
        const int32_t m0 = mult[oc * pc], s0 = shift[oc * pc];
        const int32_t m1 = mult[(oc + 1) * pc], s1 = shift[(oc + 1) * pc];
        outa[oc] = mcusim_finish(a00, m0, s0, out_off, lo, hi);
        outa[oc + 1] = mcusim_finish(a01, m1, s1, out_off, lo, hi);
        outb[oc] = mcusim_finish(a10, m0, s0, out_off, lo, hi);
        outb[oc + 1] = mcusim_finish(a11, m1, s1, out_off, lo, hi);
    }
    if (oc < out_c) {
        /* last filter row against both pixels: the two-row dot product with roles swapped */
        int32_t a0, a1;
        mcusim_dot2_s8(fp, xa, xb, n, &a0, &a1, 0, 0);
        if (bias) {
            a0 += bias[oc];
            a1 += bias[oc];
        }
        outa[oc] = mcusim_finish(a0, mult[oc * pc], shift[oc * pc], out_off, lo, hi);
        outb[oc] = mcusim_finish(a1, mult[oc * pc], shift[oc * pc], out_off, lo, hi);
    }
}
#endif

mcusim_status mcusim_convolve_1x1_s8(const mcusim_conv_params *params, const mcusim_quant_params *quant,
                                     const mcusim_dims *input_dims, const int8_t *input,
                                     const mcusim_dims *filter_dims, const int8_t *filter,
                                     const int32_t *bias,
                                     const mcusim_dims *output_dims, int8_t *output)
{
    const int32_t in_h = input_dims->h, in_w = input_dims->w, in_c = input_dims->c;
    const int32_t out_h = output_dims->h, out_w = output_dims->w, out_c = output_dims->c;
    if (filter_dims->h != 1 || filter_dims->w != 1 || filter_dims->c != in_c ||
        params->padding.h != 0 || params->padding.w != 0) {
        return MCUSIM_ARG_ERROR;
    }
    const int32_t in_off = params->input_offset, out_off = params->output_offset;
    const int32_t lo = params->activation.min, hi = params->activation.max;
    const int32_t sh = params->stride.h, sw = params->stride.w;
    const int32_t *mult = quant->multiplier, *shift = quant->shift;
    const int32_t pc = quant->per_channel ? 1 : 0;
    int8_t *out = output;
    int32_t first = 0;  /* output pixels before this one were done by the paired path */
#if MCUSIM_1X1_PAIRS
    if (in_off == 0 && in_c > 0) {
        /* output pixels in pairs, in raster order across rows and batches (a pair may straddle
         * two rows); an odd last pixel is left to the loop below */
        const int32_t per_image = out_h * out_w, total = input_dims->n * per_image;
        for (; first + 2 <= total; first += 2, out += 2 * out_c) {
            const int8_t *x[2];
            for (int32_t j = 0; j < 2; j++) {
                const int32_t i = first + j, b = i / per_image, r = i - b * per_image;
                const int32_t oy = r / out_w, ox = r - oy * out_w;
                x[j] = input + ((b * in_h + oy * sh) * in_w + ox * sw) * in_c;
            }
            mcusim_conv1x1_2px(x[0], x[1], filter, in_c, out_c, bias, quant, params, out,
                                   out + out_c);
        }
    }
#endif
    for (int32_t b = 0; b < input_dims->n; b++) {
        for (int32_t oy = 0; oy < out_h; oy++) {
            int32_t ox = 0;
            if (first > 0) {  /* skip the pixels already written */
                const int32_t done = (b * out_h + oy) * out_w;
                if (done + out_w <= first) {
                    continue;
                }
                ox = first > done ? first - done : 0;
            }
            for (; ox < out_w; ox++) {
                const int8_t *ip = input + ((b * in_h + oy * sh) * in_w + ox * sw) * in_c;
                const int8_t *fp = filter;
                int32_t oc = 0;
                for (; oc + 2 <= out_c; oc += 2, fp += 2 * in_c) {
                    int32_t a0, a1, s0, s1;
                    if (in_off) {
                        mcusim_dot2_s8(ip, fp, fp + in_c, in_c, &a0, &a1, &s0, &s1);
                        a0 += s0 * in_off;
                        a1 += s1 * in_off;
                    } else {
                        mcusim_dot2_s8(ip, fp, fp + in_c, in_c, &a0, &a1, 0, 0);
                    }
                    if (bias) {
                        a0 += bias[oc];
                        a1 += bias[oc + 1];
                    }
                    *out++ = mcusim_finish(a0, mult[oc * pc], shift[oc * pc], out_off, lo, hi);
                    *out++ = mcusim_finish(a1, mult[(oc + 1) * pc], shift[(oc + 1) * pc], out_off,
                                           lo, hi);
                }
                if (oc < out_c) {
                    int32_t a0, s0;
                    if (in_off) {
                        mcusim_dot1_s8(ip, fp, in_c, &a0, &s0);
                        a0 += s0 * in_off;
                    } else {
                        mcusim_dot1_s8(ip, fp, in_c, &a0, 0);
                    }
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

/* ---- packed filter (DSP builds; the compiler packs the weights, sim/mcusim/compiler/ops/
 * conv_pack.py): output pixels in groups of four (raster order across rows and images), each
 * pixel's channels widened once into the int16 column scratch (SXTB16, input offset added with
 * SADD16), then mcusim_mat_mult_packed_s8 against every channel pair. */
int32_t mcusim_convolve_fast_s8_get_buffer_size(const mcusim_dims *filter_dims)
{
    const int32_t n = filter_dims->h * filter_dims->w * filter_dims->c;
    /* columns, and im2col's int8 staging row (only with input channels not a multiple of 4;
     * the compiler asks for what the variant uses) */
    return MCUSIM_PACKED_COLS_BYTES(n) + MCUSIM_PACKED_DEPTH(n);
}

mcusim_status mcusim_convolve_1x1_fast_s8(void *buffer, const mcusim_conv_params *params,
                                          const mcusim_dims *input_dims, const int8_t *input,
                                          const mcusim_dims *filter_dims, const int32_t *packed,
                                          const mcusim_dims *output_dims, int8_t *output)
{
    const int32_t in_h = input_dims->h, in_w = input_dims->w, in_c = input_dims->c;
    const int32_t out_h = output_dims->h, out_w = output_dims->w, out_c = output_dims->c;
    const int32_t sh = params->stride.h, sw = params->stride.w, in_off = params->input_offset;
    const int32_t depth = MCUSIM_PACKED_DEPTH(in_c);
    int16_t *cols = (int16_t *)buffer;
    if (buffer == 0 || filter_dims->h != 1 || filter_dims->w != 1 || filter_dims->c != in_c ||
        params->padding.h != 0 || params->padding.w != 0) {
        return MCUSIM_ARG_ERROR;
    }
    for (int32_t k = 0; k < 4 * depth; k++) {
        cols[k] = 0;    /* the padding past in_c stays zero */
    }
    const int32_t per_image = out_h * out_w, total = input_dims->n * per_image;
    int32_t b = 0, oy = 0, ox = 0;      /* the next pixel, raster order (no divisions) */
    /* a pixel count that is not a multiple of four ends in groups of three (4m + 3 = .. + 3,
     * 4m + 2 = .. + 3 + 3, 4m + 1 = .. + 3 + 3 + 3): no output computed twice (VWW's 3x3 maps) */
    const int32_t n3 = total >= 9 && !(out_c & 1) ? (4 - (total & 3)) & 3 : 0;
    const int32_t fours = total - 3 * n3;   /* pixels in groups of four */
    for (int32_t first = 0, npx = 4; first < total; first += npx) {
        npx = first < fours ? 4 : 3;
        if (n3 == 0 && first + 4 > total) {
            if (per_image >= 4 && out_w >= 2) {
                /* the last group overlaps the one before it: the same outputs written again
                 * (within the last two output rows, as the planner's streaming-overlap contract
                 * allows, docs/compiler.md) instead of a partial group */
                first = total - 4;
                b = first / per_image;
                oy = (first - b * per_image) / out_w;
                ox = first - b * per_image - oy * out_w;
            } else {
                npx = total - first;
            }
        }
#if MCUSIM_DSP
        /* off2 is 0 when the compiler folded the input offset into the bias: SXTB16 alone */
        const int32_t off2 = (int32_t)(((uint32_t)in_off & 0xFFFFu) * 0x10001u);
        if (sh == 1 && sw == 1 && (in_c & 3) == 0) {
            /* stride 1: output pixel i reads input pixel i, four runs back to back */
            if (in_c == 8 && off2 == 0 && npx == 4) {
                mcusim_widen4x8_s8((int32_t *)cols, input + first * in_c);
            } else {
                const int32_t args[4] = {in_c >> 2, 0, 4 - 8 * in_c, off2};
                mcusim_widen_runs_s8((int32_t *)cols, input + first * in_c, npx, args);
            }
            mcusim_mat_mult_packed_s8(cols, depth, npx, packed, &params->activation, out_c,
                                      output + first * out_c);
            continue;
        }
#endif
        for (int32_t p = 0; p < npx; p++, ox++) {
            if (ox == out_w) {
                ox = 0;
                if (++oy == out_h) {
                    oy = 0;
                    b++;
                }
            }
            const int8_t *ip = input + ((b * in_h + oy * sh) * in_w + ox * sw) * in_c;
            int32_t k = 0;
#if MCUSIM_DSP
            const int32_t args[4] = {in_c >> 2, 0, 0, off2};
            k = in_c & ~3;
            mcusim_widen_runs_s8((int32_t *)cols + p, ip, 1, args);
#endif
            for (; k < in_c; k++) {
                cols[MCUSIM_COL4_SLOT(k, p)] = (int16_t)(ip[k] + in_off);
            }
        }
        mcusim_mat_mult_packed_s8(cols, depth, npx, packed, &params->activation, out_c,
                                  output + first * out_c);
    }
    return MCUSIM_OK;
}

/* Stride 1, input channels a multiple of 4 (DSP builds; otherwise, or with groups = 1, as
 * mcusim_convolve_1x1_fast_s8): up to `groups` groups of pixels gathered (the same groups of
 * four, of three at the end, as above) into consecutive column scratches, then run against the
 * records block_pairs channel pairs at a time (mcusim_mat_mult_packed_groups_s8), so each block
 * is read from flash once per `groups` groups: the compiler's choice where a layer's records
 * outgrow the core's data cache (conv_pack.groups_plan). All of a pass's gathers precede its
 * writes, so the planner's streaming-overlap contract holds as for one group per pass. */
/* the groups kernel with the layer's loops, or without (its generic dispatch) */
#define MCUSIM_1X1_BLK_GROUPS(...)                                                                 \
    (loops != 0 ? mcusim_mat_mult_packed_groups_pw_s8(__VA_ARGS__, loops)                          \
                : mcusim_mat_mult_packed_groups_s8(__VA_ARGS__))

static inline __attribute__((always_inline)) mcusim_status
mcusim_1x1_blk(void *buffer, int32_t groups, int32_t block_pairs, const mcusim_conv_params *params,
               const mcusim_dims *input_dims, const int8_t *input, const mcusim_dims *filter_dims,
               const int32_t *packed, const mcusim_dims *output_dims, int8_t *output,
               const mcusim_pw_block_loops *loops)
{
    const int32_t in_c = input_dims->c, out_c = output_dims->c;
    if (!MCUSIM_DSP || groups <= 1 || groups > MCUSIM_PACKED_MAX_GROUPS || block_pairs < 1 ||
        params->stride.h != 1 || params->stride.w != 1 || (in_c & 3) != 0 ||
        params->input_offset != 0) {
        return mcusim_convolve_1x1_fast_s8(buffer, params, input_dims, input, filter_dims, packed,
                                           output_dims, output);
    }
    if (buffer == 0 || filter_dims->h != 1 || filter_dims->w != 1 || filter_dims->c != in_c ||
        params->padding.h != 0 || params->padding.w != 0) {
        return MCUSIM_ARG_ERROR;
    }
#if MCUSIM_DSP
    const int32_t depth = MCUSIM_PACKED_DEPTH(in_c);
    int16_t *cols = (int16_t *)buffer;
    for (int32_t k = 0; depth != in_c && k < 4 * depth * groups; k++) {
        cols[k] = 0;    /* the padding past in_c stays zero (none at a multiple of 8) */
    }
    const int32_t per_image = output_dims->h * output_dims->w;
    const int32_t total = input_dims->n * per_image;
    const int32_t n3 = total >= 9 && !(out_c & 1) ? (4 - (total & 3)) & 3 : 0;
    const int32_t fours = total - 3 * n3;
    const int32_t args[4] = {in_c >> 2, 0, 4 - 8 * in_c, 0};
    int8_t npx[MCUSIM_PACKED_MAX_GROUPS];   /* the pass's groups, from pixel gfirst */
    int32_t ng = 0, gfirst = 0;
    for (int32_t first = 0, n = 4; first < total; first += n) {
        n = first < fours ? 4 : 3;
        if (n3 == 0 && first + 4 > total) {
            if (per_image >= 4 && output_dims->w >= 2) {
                /* the overlapping last group (as above): its own pass, after the others' */
                if (ng > 0) {
                    MCUSIM_1X1_BLK_GROUPS(cols, depth, ng, npx, packed, &params->activation,
                                          out_c, block_pairs, output + gfirst * out_c);
                    ng = 0;
                }
                first = total - 4;
            } else {
                n = total - first;
            }
        }
        if (ng == 0) {
            gfirst = first;
        }
        int16_t *gc = cols + 4 * depth * ng;
        if (in_c == 8 && n == 4) {
            mcusim_widen4x8_s8((int32_t *)gc, input + first * in_c);
        } else {
            mcusim_widen_runs_s8((int32_t *)gc, input + first * in_c, n, args);
        }
        npx[ng++] = (int8_t)n;
        if (ng == groups || first + n >= total) {
            MCUSIM_1X1_BLK_GROUPS(cols, depth, ng, npx, packed, &params->activation, out_c,
                                  block_pairs, output + gfirst * out_c);
            ng = 0;
        }
    }
#else
    (void)out_c;
    (void)loops;
#endif
    return MCUSIM_OK;
}

mcusim_status mcusim_convolve_1x1_fast_blk_s8(void *buffer, int32_t groups, int32_t block_pairs,
                                              const mcusim_conv_params *params,
                                              const mcusim_dims *input_dims, const int8_t *input,
                                              const mcusim_dims *filter_dims,
                                              const int32_t *packed,
                                              const mcusim_dims *output_dims, int8_t *output)
{
    return mcusim_1x1_blk(buffer, groups, block_pairs, params, input_dims, input, filter_dims,
                          packed, output_dims, output, 0);
}

/* the same with the record loops of the layer's table (mcusim_nn.h): input channels a multiple
 * of 32 and even output channels (the compiler's choice on the Cortex-M33). Loops with the
 * input count built in (straight steps, records' stride) come with it (loops->in_c, 0 for the
 * generic ones): another in_c is refused with MCUSIM_ARG_ERROR, one test per call. */
mcusim_status mcusim_convolve_1x1_fast_blk_pw_s8(void *buffer, int32_t groups,
                                                 int32_t block_pairs,
                                                 const mcusim_conv_params *params,
                                                 const mcusim_dims *input_dims,
                                                 const int8_t *input,
                                                 const mcusim_dims *filter_dims,
                                                 const int32_t *packed,
                                                 const mcusim_dims *output_dims, int8_t *output,
                                                 const mcusim_pw_block_loops *loops)
{
    if ((input_dims->c & 31) || (output_dims->c & 1) ||
        (MCUSIM_DSP && (loops == 0 || loops->four == 0 || loops->three == 0 ||
                        (loops->in_c != 0 && loops->in_c != input_dims->c)))) {
        return MCUSIM_ARG_ERROR;
    }
    return mcusim_1x1_blk(buffer, groups, block_pairs, params, input_dims, input, filter_dims,
                          packed, output_dims, output, MCUSIM_DSP ? loops : 0);
}
#undef MCUSIM_1X1_BLK_GROUPS

/* 1x1 stride 1 over 8 or 16 input channels (VWW's 48x48x8 -> 16 and 24x24x16 -> 32), the
 * compiler's choice on the M4/M33 when the pixels are whole groups of four: the records and
 * columns of mcusim_convolve_1x1_fast_s8 (input offset folded), every group in one call of
 * mcusim_conv1x1_g8_s16 / _g16_s16 (widening and records in assembly, no C between groups);
 * copy != 0: the records copied into the scratch after the columns first. Anything else goes to
 * mcusim_convolve_1x1_fast_s8 (the columns' scratch only). */
#if MCUSIM_DSP
/* mcusim_convolve_1x1_fast_g_s8's shape: stride 1 over 8 or 16 input channels, offset folded,
 * even out_c, whole groups of four pixels (not the M7) */
static inline int32_t mcusim_1x1_g_shape(const void *buffer, const mcusim_conv_params *params,
                                         const mcusim_dims *input_dims,
                                         const mcusim_dims *filter_dims,
                                         const mcusim_dims *output_dims)
{
    const int32_t in_c = input_dims->c, out_c = output_dims->c;
    const int32_t total = input_dims->n * output_dims->h * output_dims->w;
    return buffer != 0 && params->stride.h == 1 && params->stride.w == 1 &&
           (in_c == 8 || in_c == 16) && params->input_offset == 0 && !(out_c & 1) &&
           (total & 3) == 0 && filter_dims->h == 1 && filter_dims->w == 1 &&
           filter_dims->c == in_c && params->padding.h == 0 && params->padding.w == 0 &&
           input_dims->h == output_dims->h && input_dims->w == output_dims->w &&
           !mcusim_core_is_m7();
}
#endif

/* channel 0's r word in prescaled records (conv_pack.PRE_FLAG) */
#define MCUSIM_CONV_PRE_FLAG 0x100
mcusim_status mcusim_convolve_1x1_fast_g_s8(void *buffer, int32_t copy,
                                            const mcusim_conv_params *params,
                                            const mcusim_dims *input_dims, const int8_t *input,
                                            const mcusim_dims *filter_dims, const int32_t *packed,
                                            const mcusim_dims *output_dims, int8_t *output)
{
#if MCUSIM_DSP
    const int32_t in_c = input_dims->c, out_c = output_dims->c;
    const int32_t total = input_dims->n * output_dims->h * output_dims->w;
    if (buffer != 0 && params->stride.h == 1 && params->stride.w == 1 &&
        (in_c == 8 || in_c == 16) && params->input_offset == 0 && !(out_c & 1) &&
        (total & 3) == 0 && filter_dims->h == 1 && filter_dims->w == 1 && filter_dims->c == in_c &&
        params->padding.h == 0 && params->padding.w == 0 && input_dims->h == output_dims->h &&
        input_dims->w == output_dims->w && !mcusim_core_is_m7()) {
        /* prescaled records (channel 0's r word flagged: conv_pack.prescale_shifts) run in the
         * out_c-known routines only, which take nothing else */
        const int32_t pre = (packed[in_c + 4] & MCUSIM_CONV_PRE_FLAG) != 0;
        if (copy) {     /* the records after the columns: no flash wait states per group */
            packed = mcusim_copy_records((int32_t *)buffer + 2 * in_c, packed,
                                         (out_c >> 1) * (in_c + 8));
        }
        const int32_t args[4] = {(int32_t)(uintptr_t)packed, out_c >> 1, out_c, total >> 2};
        const int32_t lo = params->activation.min, hi = params->activation.max;
        /* VWW's shapes with the activation minimum at or above the output zero point (RELU,
         * RELU6): stores at immediate offsets, no sign term in the requantization */
        const int32_t nosign = lo >= params->output_offset;
        if (pre && !(nosign && out_c == 2 * in_c)) {
            return MCUSIM_ARG_ERROR;
        }
        if (in_c == 8 && pre) {
            mcusim_conv1x1_g8_o16_s16(input, (int16_t *)buffer, args, output);
        } else if (in_c == 8) {
            mcusim_conv1x1_g8_s16(input, (int16_t *)buffer, args, output);
        } else if (pre) {
            mcusim_conv1x1_g16_o32_s16(input, (int16_t *)buffer, args, output);
        } else {
            mcusim_conv1x1_g16_s16(input, (int16_t *)buffer, args, output);
        }
        if (lo > -128 || hi < 127) {
            for (int32_t i = 0; i < total * out_c; i++) {
                output[i] = mcusim_clamp8(output[i], lo, hi);
            }
        }
        return MCUSIM_OK;
    }
    if ((in_c == 8 || in_c == 16) && (packed[in_c + 4] & MCUSIM_CONV_PRE_FLAG)) {
        return MCUSIM_ARG_ERROR;    /* prescaled: the routines above only */
    }
#endif
    return mcusim_convolve_1x1_fast_s8(buffer, params, input_dims, input, filter_dims, packed,
                                       output_dims, output);
}

/* the same for prescaled records with the routine named by the compiler (MCUSIM_SMALL_K_ROW:
 * mcusim_conv1x1_g8_o16_s16 / _g16_o32_s16), so --gc-sections drops the other routines */
mcusim_status mcusim_convolve_1x1_fast_g_r_s8(void *buffer, int32_t copy,
                                              const mcusim_conv_params *params,
                                              const mcusim_dims *input_dims,
                                              const int8_t *input,
                                              const mcusim_dims *filter_dims,
                                              const int32_t *packed,
                                              const mcusim_dims *output_dims, int8_t *output,
                                              mcusim_small_k_row row)
{
#if MCUSIM_DSP
    const int32_t in_c = input_dims->c, out_c = output_dims->c;
    const int32_t total = input_dims->n * output_dims->h * output_dims->w;
    const int32_t lo = params->activation.min, hi = params->activation.max;
    if (row != 0 && mcusim_1x1_g_shape(buffer, params, input_dims, filter_dims, output_dims) &&
        (packed[in_c + 4] & MCUSIM_CONV_PRE_FLAG) && out_c == 2 * in_c &&
        lo >= params->output_offset) {
        if (copy) {     /* the records after the columns: no flash wait states per group */
            packed = mcusim_copy_records((int32_t *)buffer + 2 * in_c, packed,
                                         (out_c >> 1) * (in_c + 8));
        }
        const int32_t args[4] = {(int32_t)(uintptr_t)packed, out_c >> 1, out_c, total >> 2};
        row(input, (int16_t *)buffer, args, output);
        if (lo > -128 || hi < 127) {
            for (int32_t i = 0; i < total * out_c; i++) {
                output[i] = mcusim_clamp8(output[i], lo, hi);
            }
        }
        return MCUSIM_OK;
    }
#else
    (void)buffer, (void)copy, (void)params, (void)input_dims, (void)input, (void)filter_dims;
    (void)packed, (void)output_dims, (void)output, (void)row;
#endif
    return MCUSIM_ARG_ERROR;
}

/* ---- ARMv6-M with a filter packed at build time (sim/mcusim/compiler/ops/conv_pack.py,
 * pack_pairs): the filter rows in pairs interleaved byte by byte ([pair][k][2]; an odd last row
 * plain after them; rows padded to an even length `depth2`), input offset folded into the bias.
 * Output pixels in pairs (raster order) are interleaved the same way into the scratch
 * (2 depth2 bytes), so the 2 x 2 block's four LDRSB share one index register and both streams
 * are sequential: the weights no longer alternate between two rows (a flash line-buffer miss
 * on every weight load) and the loop takes two taps per pass. */
#if defined(__ARM_ARCH_6M__) && !MCUSIM_DSP
/* acc[0..3] += a.w0, a.w1, b.w0, b.w1 over interleaved pairs: x = (a, b) bytes, w = (w0, w1)
 * bytes, nb = bytes (a multiple of 4: two taps per pass). AAPCS: r0 x, r1 w, r2 nb, r3 acc. */
void mcusim_mm2x2i_s8_v6m(const int8_t *x, const int8_t *w, int32_t nb, int32_t *acc);
#define MCUSIM_V6M_TAP                                                                             \
    "  ldrsb r5, [r2, r4]\n"    /* p = w0[k] */                                                 \
    "  ldrsb r6, [r0, r4]\n"    /* u = a[k] */                                                  \
    "  movs r7, r5\n"                                                                            \
    "  muls r7, r6, r7\n"                                                                        \
    "  add r8, r7\n"            /* a00 += p u */                                                \
    "  ldrsb r7, [r1, r4]\n"    /* v = b[k] */                                                  \
    "  muls r5, r7, r5\n"                                                                        \
    "  add r10, r5\n"           /* a10 += p v */                                                \
    "  ldrsb r5, [r3, r4]\n"    /* q = w1[k] */                                                 \
    "  muls r6, r5, r6\n"                                                                        \
    "  add r9, r6\n"            /* a01 += q u */                                                \
    "  muls r7, r5, r7\n"                                                                        \
    "  add r11, r7\n"           /* a11 += q v */                                                \
    "  adds r4, #2\n"
__asm__(
    "  .section .text.mcusim_mm2x2i_s8_v6m,\"ax\",%progbits\n"
    "  .syntax unified\n"
    "  .thumb\n"
    "  .balign 2\n"
    "  .global mcusim_mm2x2i_s8_v6m\n"
    "  .thumb_func\n"
    "  .type mcusim_mm2x2i_s8_v6m, %function\n"
    "mcusim_mm2x2i_s8_v6m:\n"
    "  push {r4, r5, r6, r7, lr}\n"
    "  mov r4, r8\n"
    "  mov r5, r9\n"
    "  mov r6, r10\n"
    "  mov r7, r11\n"
    "  push {r3, r4, r5, r6, r7}\n"
    "  ldr r4, [r3, #0]\n"
    "  mov r8, r4\n"
    "  ldr r4, [r3, #4]\n"
    "  mov r9, r4\n"
    "  ldr r4, [r3, #8]\n"
    "  mov r10, r4\n"
    "  ldr r4, [r3, #12]\n"
    "  mov r11, r4\n"
    "  mov ip, r2\n"                 /* end index */
    "  adds r2, r1, #0\n"            /* w0 = w, w1 = w + 1 */
    "  adds r3, r1, #1\n"
    "  adds r1, r0, #1\n"            /* a = x, b = x + 1 */
    "  movs r4, #0\n"
    "1:\n"
    MCUSIM_V6M_TAP
    MCUSIM_V6M_TAP
    "  cmp r4, ip\n"
    "  bne 1b\n"
    "  pop {r3}\n"
    "  mov r5, r8\n"
    "  str r5, [r3, #0]\n"
    "  mov r5, r9\n"
    "  str r5, [r3, #4]\n"
    "  mov r5, r10\n"
    "  str r5, [r3, #8]\n"
    "  mov r5, r11\n"
    "  str r5, [r3, #12]\n"
    "  pop {r4, r5, r6, r7}\n"
    "  mov r8, r4\n"
    "  mov r9, r5\n"
    "  mov r10, r6\n"
    "  mov r11, r7\n"
    "  pop {r4, r5, r6, r7, pc}\n"
    "  .size mcusim_mm2x2i_s8_v6m, .-mcusim_mm2x2i_s8_v6m\n");
#else
static void mcusim_mm2x2i_s8_v6m(const int8_t *x, const int8_t *w, int32_t nb, int32_t *acc)
{
    for (int32_t k = 0; k < nb; k += 2) {
        acc[0] += x[k] * w[k];
        acc[1] += x[k] * w[k + 1];
        acc[2] += x[k + 1] * w[k];
        acc[3] += x[k + 1] * w[k + 1];
    }
}
#endif

int32_t mcusim_convolve_1x1_pairs_s8_get_buffer_size(const mcusim_dims *filter_dims)
{
    return 2 * ((filter_dims->c + 1) & ~1);
}

mcusim_status mcusim_convolve_1x1_pairs_s8(void *buffer, const mcusim_conv_params *params,
                                           const mcusim_quant_params *quant, const int32_t *rq,
                                           const mcusim_dims *input_dims, const int8_t *input,
                                           const mcusim_dims *filter_dims, const int8_t *packed,
                                           const int32_t *bias,
                                           const mcusim_dims *output_dims, int8_t *output)
{
    const int32_t in_h = input_dims->h, in_w = input_dims->w, in_c = input_dims->c;
    const int32_t out_h = output_dims->h, out_w = output_dims->w, out_c = output_dims->c;
    const int32_t sh = params->stride.h, sw = params->stride.w, out_off = params->output_offset;
    const int32_t lo = params->activation.min, hi = params->activation.max;
    const int32_t *mult = quant->multiplier, *shift = quant->shift;
    const int32_t pc = quant->per_channel ? 1 : 0;
    const int32_t depth2 = (in_c + 1) & ~1;
    int8_t *xs = (int8_t *)buffer;
    if (buffer == 0 || params->input_offset != 0 || filter_dims->h != 1 ||
        filter_dims->w != 1 || filter_dims->c != in_c || params->padding.h != 0 ||
        params->padding.w != 0) {
        return MCUSIM_ARG_ERROR;
    }
    for (int32_t k = 2 * in_c; k < 2 * depth2; k++) {
        xs[k] = 0;      /* the padding tap stays zero */
    }
    const int32_t total = input_dims->n * out_h * out_w;
    int32_t b = 0, oy = 0, ox = 0;      /* the next pixel, raster order */
    for (int32_t first = 0; first < total; first += 2) {
        const int32_t two = first + 1 < total;
        int8_t *outs[2];
        for (int32_t j = 0; j < 2; j++, ox++) {
            if (ox == out_w) {
                ox = 0;
                if (++oy == out_h) {
                    oy = 0;
                    b++;
                }
            }
            outs[j] = output + (first + j) * out_c;
            if (j == 1 && !two) {
                for (int32_t k = 0; k < in_c; k++) {
                    xs[2 * k + 1] = 0;
                }
                break;
            }
            const int8_t *ip = input + ((b * in_h + oy * sh) * in_w + ox * sw) * in_c;
            for (int32_t k = 0; k < in_c; k++) {
                xs[2 * k + j] = ip[k];
            }
        }
        const int8_t *w = packed;
        int32_t oc = 0;
        for (; oc + 2 <= out_c; oc += 2, w += 2 * depth2) {
            int32_t acc[4] = {0, 0, 0, 0};   /* a0 c0, a0 c1, a1 c0, a1 c1 */
            if (bias) {
                acc[0] = acc[2] = bias[oc];
                acc[1] = acc[3] = bias[oc + 1];
            }
            mcusim_mm2x2i_s8_v6m(xs, w, 2 * depth2, acc);
            mcusim_store_2x2(acc, oc, rq, mult, shift, pc, out_off, lo, hi, two, outs);
        }
        if (oc < out_c) {   /* the odd last row, stored plain */
            int32_t a0 = bias ? bias[oc] : 0, a1 = a0;
            for (int32_t k = 0; k < in_c; k++) {
                a0 += xs[2 * k] * w[k];
                a1 += xs[2 * k + 1] * w[k];
            }
            outs[0][oc] = mcusim_finish(a0, mult[oc * pc], shift[oc * pc], out_off, lo, hi);
            if (two) {
                outs[1][oc] = mcusim_finish(a1, mult[oc * pc], shift[oc * pc], out_off, lo, hi);
            }
        }
    }
    return MCUSIM_OK;
}
