/* CONV_2D with im2col: gathers one output pixel's receptive field into an int16 column
 * (input + offset; 0 outside the image, so padding adds nothing, like the reference skip),
 * then two filter rows at a time are dot products against it (mcusim_dot2_s16r_s8: with DSP
 * the column is stored in SXTB16 order, so each filter word is two __sxtb16 and two __smlad
 * per row, no repacking). */
#include "mcusim_nn.h"
#include "mcusim_nn_support.h"

/* Column (int16, offset added) against two / one int8 filter rows. With DSP the column's full
 * groups of four are in SXTB16 order (0, 2, 1, 3): lanes (0,2) pair with __sxtb16(w), (1,3) with
 * its ROR #8 form, two SMLAD per row and group; the tail (n % 4) is in natural order. */
MCUSIM_INLINE void mcusim_dot2_s16r_s8(const int16_t *col, const int8_t *w0, const int8_t *w1,
                                       int32_t n, int32_t *acc0, int32_t *acc1)
{
    int32_t a0 = 0, a1 = 0;
    int32_t k = 0;
#if MCUSIM_DSP
    for (; k + 4 <= n; k += 4) {
        int32_t c02, c13, v0, v1;
        __builtin_memcpy(&c02, col + k, 4);
        __builtin_memcpy(&c13, col + k + 2, 4);
        __builtin_memcpy(&v0, w0 + k, 4);
        __builtin_memcpy(&v1, w1 + k, 4);
        a0 = __smlad(c02, __sxtb16(v0), a0);
        a0 = __smlad(c13, mcusim_sxtb16_ror8(v0), a0);
        a1 = __smlad(c02, __sxtb16(v1), a1);
        a1 = __smlad(c13, mcusim_sxtb16_ror8(v1), a1);
    }
#endif
    for (; k < n; k++) {
        a0 += w0[k] * col[k];
        a1 += w1[k] * col[k];
    }
    *acc0 = a0;
    *acc1 = a1;
}

MCUSIM_INLINE void mcusim_dot1_s16r_s8(const int16_t *col, const int8_t *w0, int32_t n,
                                       int32_t *acc0)
{
    int32_t a0 = 0;
    int32_t k = 0;
#if MCUSIM_DSP
    for (; k + 4 <= n; k += 4) {
        int32_t c02, c13, v0;
        __builtin_memcpy(&c02, col + k, 4);
        __builtin_memcpy(&c13, col + k + 2, 4);
        __builtin_memcpy(&v0, w0 + k, 4);
        a0 = __smlad(c02, __sxtb16(v0), a0);
        a0 = __smlad(c13, mcusim_sxtb16_ror8(v0), a0);
    }
#endif
    for (; k < n; k++) {
        a0 += w0[k] * col[k];
    }
    *acc0 = a0;
}

int32_t mcusim_convolve_im2col_s8_get_buffer_size(const mcusim_dims *filter_dims)
{
    return filter_dims->h * filter_dims->w * filter_dims->c * (int32_t)sizeof(int16_t);
}

/* where column element k is stored (see the gather below) */
#if MCUSIM_DSP
#define MCUSIM_COL_SLOT(k) ((k) < n4 ? ((k) & ~3) | (((k) & 1) << 1) | (((k) & 2) >> 1) : (k))
#else
#define MCUSIM_COL_SLOT(k) (k)
#endif

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
#if MCUSIM_DSP
    const int32_t n4 = col_len & ~3;   /* elements in SXTB16 order (MCUSIM_COL_SLOT) */
#endif
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
                /* k: position in the column; with DSP, each full group of four is stored in
                 * SXTB16 order (0, 2, 1, 3) so a filter word widened by __sxtb16 and its ROR #8
                 * form pairs with two column words without repacking (mcusim_dot2_s16r_s8) */
                int32_t k = 0;
                for (int32_t fy = 0; fy < f_h; fy++) {
                    const int32_t y = y0 + params->dilation.h * fy;
                    for (int32_t fx = 0; fx < f_w; fx++) {
                        const int32_t x = x0 + params->dilation.w * fx;
                        if (y < 0 || y >= in_h || x < 0 || x >= in_w) {
                            for (int32_t ic = 0; ic < in_c; ic++, k++) {
                                col[MCUSIM_COL_SLOT(k)] = 0;
                            }
                        } else {
                            const int8_t *ip = in_b + (y * in_w + x) * in_c;
                            for (int32_t ic = 0; ic < in_c; ic++, k++) {
                                col[MCUSIM_COL_SLOT(k)] = (int16_t)(ip[ic] + in_off);
                            }
                        }
                    }
                }
                const int8_t *fp = filter;
                int32_t oc = 0;
                for (; oc + 2 <= out_c; oc += 2, fp += 2 * col_len) {
                    int32_t a0, a1;
                    mcusim_dot2_s16r_s8(col, fp, fp + col_len, col_len, &a0, &a1);
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
                    mcusim_dot1_s16r_s8(col, fp, col_len, &a0);
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

/* ---- packed filter (DSP builds; the compiler packs the weights at build time): the receptive
 * fields of four output pixels (raster order across rows and images) gathered into the int16
 * column scratch in the packed core's order (MCUSIM_COL4_SLOT; input offset added, zeros
 * outside the image), then mcusim_mat_mult_packed_s8 against every channel pair. Each window is
 * first copied as int8 into a staging row, taps outside the image set to the input zero point
 * (-input_offset: it widens to 0, which is what the reference's skipped tap adds), then widened
 * four elements per word (SXTB16, SADD16 with the offset) into the column. */
/* n bytes of src to dst, four at a time (unaligned words: ARMv7-M loads and stores them) */
MCUSIM_INLINE void mcusim_copy_run_s8(int8_t *dst, const int8_t *src, int32_t n)
{
    int32_t k = 0;
    for (; k + 4 <= n; k += 4) {
        int32_t v;
        __builtin_memcpy(&v, src + k, 4);
        __builtin_memcpy(dst + k, &v, 4);
    }
    for (; k < n; k++) {
        dst[k] = src[k];
    }
}

#if defined(__GNUC__) && !defined(__clang__)
#define MCUSIM_NO_MEMSET __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define MCUSIM_NO_MEMSET
#endif
/* (the window copies below are a few bytes: gcc's loop-to-memset/memcpy rewrite would turn them
 * into library calls costing more than the stores) */

/* one window into the int8 staging row, taps outside the image = zp (border pixels): the row
 * filled with zp a word at a time, then each image row's valid taps copied over it */
MCUSIM_NO_MEMSET static void mcusim_stage_window(int8_t *stage, const int8_t *in_b,
                                                 const mcusim_conv_params *params, int32_t in_h,
                                                 int32_t in_w, int32_t in_c, int32_t f_h,
                                                 int32_t f_w, int32_t y0, int32_t x0,
                                                 int32_t fx0, int32_t fx1, int8_t zp)
{
    const int32_t dw = params->dilation.w, row = f_w * in_c, n = f_h * row;
    const uint32_t zp4 = (uint32_t)(uint8_t)zp * 0x01010101u;
    int32_t k = 0;
    for (; k + 4 <= n; k += 4) {
        __builtin_memcpy(stage + k, &zp4, 4);
    }
    for (; k < n; k++) {
        stage[k] = zp;
    }
    if (fx0 >= fx1) {
        return;
    }
    int8_t *st = stage;
    for (int32_t fy = 0; fy < f_h; fy++, st += row) {
        const int32_t y = y0 + params->dilation.h * fy;
        if (y < 0 || y >= in_h) {
            continue;
        }
        const int8_t *ip = in_b + (y * in_w + x0) * in_c;
        if (dw == 1) {      /* the valid taps are one run of input bytes */
            mcusim_copy_run_s8(st + fx0 * in_c, ip + fx0 * in_c, (fx1 - fx0) * in_c);
        } else {
            for (int32_t fx = fx0; fx < fx1; fx++) {
                mcusim_copy_run_s8(st + fx * in_c, ip + fx * dw * in_c, in_c);
            }
        }
    }
}

MCUSIM_NO_MEMSET
#if MCUSIM_DSP
/* A whole window of f_h rows of `row` bytes (row % 4 != 0, row >= 4: few input channels, e.g.
 * 3x3x3 over RGB) widened straight from the input rows into pixel p's column slots, no staging:
 * a quad inside one row is one unaligned LDR; one that crosses into the next row is the first
 * row's last m bytes (the row's last word shifted down) joined with the next row's first word
 * shifted up; past the last row the quad is padded with the zero point and the slots after the
 * column are zero (what staging with zp widens to). */
MCUSIM_INLINE void mcusim_widen_rows_s8(int32_t *c32, const int8_t *ip, int32_t stride,
                                        int32_t f_h, int32_t row, int32_t depth, int32_t off2,
                                        uint32_t zp4)
{
    int32_t *end = c32 + 2 * depth;
    if (row == 9 && f_h == 3) {     /* 3x3 over RGB (IC, VWW): the seven quads written out */
        const int8_t *r1 = ip + stride, *r2 = r1 + stride;
        uint32_t w, t;
#define MCUSIM_WIDEN_WORD(v)                                                                   \
    do {                                                                                       \
        c32[0] = __sadd16(__sxtb16((int32_t)(v)), off2);                                      \
        c32[4] = __sadd16(mcusim_sxtb16_ror8((int32_t)(v)), off2);                            \
        c32 += 8;                                                                              \
    } while (0)
        __builtin_memcpy(&w, ip, 4);
        MCUSIM_WIDEN_WORD(w);
        __builtin_memcpy(&w, ip + 4, 4);
        MCUSIM_WIDEN_WORD(w);
        __builtin_memcpy(&t, ip + 5, 4);
        __builtin_memcpy(&w, r1, 4);
        MCUSIM_WIDEN_WORD((t >> 24) | (w << 8));
        __builtin_memcpy(&w, r1 + 3, 4);
        MCUSIM_WIDEN_WORD(w);
        __builtin_memcpy(&t, r1 + 5, 4);
        __builtin_memcpy(&w, r2, 4);
        MCUSIM_WIDEN_WORD((t >> 16) | (w << 16));
        __builtin_memcpy(&w, r2 + 2, 4);
        MCUSIM_WIDEN_WORD(w);
        __builtin_memcpy(&t, r2 + 5, 4);
        MCUSIM_WIDEN_WORD((t >> 8) | (zp4 << 24));
#undef MCUSIM_WIDEN_WORD
        for (; c32 < end; c32 += 8) {
            c32[0] = 0;
            c32[4] = 0;
        }
        return;
    }
    int32_t j = 0;
    for (int32_t fy = 0; fy < f_h;) {
        uint32_t v;
        if (j + 4 <= row) {
            __builtin_memcpy(&v, ip + j, 4);
            j += 4;
            if (j == row) {
                j = 0;
                ip += stride;
                fy++;
            }
        } else {
            const int32_t m = row - j, sh = 8 * m;     /* 1..3 bytes left in this row */
            uint32_t lo, hi;
            __builtin_memcpy(&lo, ip + row - 4, 4);
            lo >>= 32 - sh;
            ip += stride;
            if (++fy < f_h) {
                __builtin_memcpy(&hi, ip, 4);
                j = 4 - m;
            } else {
                hi = zp4;
            }
            v = lo | (hi << sh);
        }
        c32[0] = __sadd16(__sxtb16((int32_t)v), off2);
        c32[4] = __sadd16(mcusim_sxtb16_ror8((int32_t)v), off2);
        c32 += 8;
    }
    for (; c32 < end; c32 += 8) {
        c32[0] = 0;
        c32[4] = 0;
    }
}
#endif

#if MCUSIM_DSP
/* npx (3 or 4) pixels of one output row whose windows lie inside the image (dilation 1 along x), ip at
 * the first window's top-left byte, px_step bytes between windows, stride between window rows:
 * each window's rows widened straight from the input. Out of line, once per group, so the
 * pixel loop's bookkeeping and bounds tests are skipped for most of a layer's pixels. */
static __attribute__((noinline)) void mcusim_gather4_inside(int32_t *c32, int32_t npx,
                                                            const int8_t *ip,
                                                            int32_t px_step, int32_t stride,
                                                            int32_t f_h, int32_t row,
                                                            int32_t depth, int32_t off2,
                                                            uint32_t zp4)
{
    if ((row & 3) == 0) {   /* whole quads (channels a multiple of 4; KWS's 10x4x1) */
        const int32_t args[4] = {row >> 2, stride - row, 0, off2};
        for (int32_t p = 0; p < npx; p++, ip += px_step) {
            mcusim_widen_runs_s8(c32 + p, ip, f_h, args);
        }
        return;
    }
    if (row == 9 && f_h == 3) {     /* 3x3 over RGB: seven quads, the eighth's slots stay 0 */
        const int32_t args[4] = {npx, px_step, off2, (int32_t)(zp4 << 24)};
        mcusim_widen_rgb3x3_s8(c32, ip, stride, args);
        return;
    }
    for (int32_t p = 0; p < npx; p++, ip += px_step) {
        mcusim_widen_rows_s8(c32 + p, ip, stride, f_h, row, depth, off2, zp4);
    }
}
#endif

/* The packed im2col convolution; groups > 1 (..._blk_s8): up to `groups` groups of pixels
 * gathered into consecutive column scratches (the staging row after them), then run against
 * the records block_pairs channel pairs at a time (mcusim_mat_mult_packed_groups_s8), so each
 * block is read from flash once per pass of groups. Inlined into both entry points, so the
 * one-group one keeps its registers (groups = 1 folds the pass bookkeeping away). */
MCUSIM_INLINE mcusim_status mcusim_im2col_fast_body(void *buffer, const int32_t groups,
                                                    const int32_t block_pairs,
                                                    const mcusim_conv_params *params,
                                                    const mcusim_dims *input_dims,
                                                    const int8_t *input,
                                                    const mcusim_dims *filter_dims,
                                                    const int32_t *packed,
                                                    const mcusim_dims *output_dims,
                                                    int8_t *output)
{
    const int32_t in_h = input_dims->h, in_w = input_dims->w, in_c = input_dims->c;
    const int32_t f_h = filter_dims->h, f_w = filter_dims->w;
    const int32_t out_h = output_dims->h, out_w = output_dims->w, out_c = output_dims->c;
    const int32_t in_off = params->input_offset, dw = params->dilation.w;
    const int32_t n = f_h * f_w * in_c, depth = MCUSIM_PACKED_DEPTH(n), row = f_w * in_c;
    const int8_t zp = (int8_t)(-in_off);
    int16_t *const cols0 = (int16_t *)buffer;
    int16_t *cols = cols0;
    /* in_c % 4 != 0 only */
    int8_t *stage = (int8_t *)buffer + groups * MCUSIM_PACKED_COLS_BYTES(n);
    if (buffer == 0 || filter_dims->c != in_c || in_off < -127 || in_off > 128) {
        return MCUSIM_ARG_ERROR;
    }
    for (int32_t k = 0; k < 4 * depth * groups; k++) {
        cols[k] = 0;
    }
    int8_t gnpx[MCUSIM_PACKED_MAX_GROUPS];  /* the pass's groups, pixels gfirst .. gnext - 1 */
    int32_t ng = 0, gfirst = 0, gnext = 0;
    for (int32_t k = n; (in_c & 3) && k < depth; k++) {
        stage[k] = zp;  /* the padding past the column widens to zero */
    }
    const int32_t off2 = (int32_t)(((uint32_t)in_off & 0xFFFFu) * 0x10001u);
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
        if (groups > 1) {
            if (ng > 0 && first != gnext) {     /* the overlapping last group: a pass alone */
                mcusim_mat_mult_packed_groups_s8(cols0, depth, ng, gnpx, packed,
                                                 &params->activation, out_c, block_pairs,
                                                 output + gfirst * out_c);
                ng = 0;
            }
            gfirst = ng == 0 ? first : gfirst;
            cols = cols0 + 4 * depth * ng;
            gnpx[ng++] = (int8_t)npx;
            gnext = first + npx;
        }
#if MCUSIM_DSP
        if (npx >= 3 && dw == 1 && row >= 4) {
            if (ox == out_w) {
                ox = 0;
                if (++oy == out_h) {
                    oy = 0;
                    b++;
                }
            }
            const int32_t sh = params->stride.h, sw = params->stride.w, dh = params->dilation.h;
            const int32_t y0 = oy * sh - params->padding.h, x0 = ox * sw - params->padding.w;
            if (ox + npx <= out_w && x0 >= 0 && x0 + (npx - 1) * sw + f_w <= in_w && y0 >= 0 &&
                y0 + dh * (f_h - 1) < in_h) {   /* the group's windows inside the image */
                mcusim_gather4_inside((int32_t *)cols, npx,
                                      input + ((b * in_h + y0) * in_w + x0) * in_c, sw * in_c,
                                      dh * in_w * in_c, f_h, row, depth, off2,
                                      (uint32_t)(uint8_t)zp * 0x01010101u);
                ox += npx;
                if (groups == 1) {
                    mcusim_mat_mult_packed_s8(cols, depth, npx, packed, &params->activation,
                                              out_c, output + first * out_c);
                } else if (ng == groups || gnext >= total) {
                    mcusim_mat_mult_packed_groups_s8(cols0, depth, ng, gnpx, packed,
                                                     &params->activation, out_c, block_pairs,
                                                     output + gfirst * out_c);
                    ng = 0;
                }
                continue;
            }
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
            const int8_t *in_b = input + b * in_h * in_w * in_c;
            const int32_t y0 = oy * params->stride.h - params->padding.h;
            const int32_t x0 = ox * params->stride.w - params->padding.w;
            int32_t fx0, fx1;   /* the window's taps inside the image along x */
            if (dw == 1) {
                fx0 = x0 < 0 ? -x0 : 0;
                fx1 = in_w - x0 < f_w ? in_w - x0 : f_w;
                fx1 = fx1 > fx0 ? fx1 : fx0;
            } else {
                mcusim_clip_window(x0, f_w, dw, in_w, &fx0, &fx1);
            }
#if MCUSIM_DSP
            if ((in_c & 3) == 0) {  /* every tap is whole quads: widen straight from the input */
                int32_t *c32 = (int32_t *)cols + p;
                const int32_t q = in_c >> 2, dh = params->dilation.h;
                if (dw == 1 && fx0 == 0 && fx1 == f_w && y0 >= 0 && y0 + dh * (f_h - 1) < in_h) {
                    /* the whole window inside: its rows are f_h runs of f_w * in_c bytes */
                    const int32_t args[4] = {f_w * q, (dh * in_w - f_w) * in_c, 0, off2};
                    mcusim_widen_runs_s8(c32, in_b + (y0 * in_w + x0) * in_c, f_h, args);
                    continue;
                }
                for (int32_t fy = 0; fy < f_h; fy++) {
                    const int32_t y = y0 + dh * fy;
                    if (y < 0 || y >= in_h) {
                        c32 = mcusim_zero_quads_s8(c32, f_w * q);
                        continue;
                    }
                    const int8_t *ip = in_b + (y * in_w + x0) * in_c;
                    if (dw == 1) {  /* the inside taps of a window row are one run of bytes */
                        const int32_t args[4] = {(fx1 - fx0) * q, 0, 0, off2};
                        c32 = mcusim_zero_quads_s8(c32, fx0 * q);
                        c32 = mcusim_widen_runs_s8(c32, ip + fx0 * in_c, 1, args);
                        c32 = mcusim_zero_quads_s8(c32, (f_w - fx1) * q);
                        continue;
                    }
                    const int32_t args[4] = {q, 0, 0, off2};
                    for (int32_t fx = 0; fx < f_w; fx++) {
                        if (fx >= fx0 && fx < fx1) {
                            c32 = mcusim_widen_runs_s8(c32, ip + fx * dw * in_c, 1, args);
                        } else {
                            c32 = mcusim_zero_quads_s8(c32, q);
                        }
                    }
                }
                continue;
            }
#endif
            const int32_t dh = params->dilation.h;
#if MCUSIM_DSP
            if ((row & 3) == 0 && dw == 1 && fx0 == 0 && fx1 == f_w && y0 >= 0 &&
                y0 + dh * (f_h - 1) < in_h) {
                /* the whole window inside and each window row whole quads (KWS's 10x4x1):
                 * widen straight from the input rows, no staging (slots past n stay 0) */
                const int8_t *ip = in_b + (y0 * in_w + x0) * in_c;
                int32_t *c32 = (int32_t *)cols + p;
                for (int32_t fy = 0; fy < f_h; fy++, ip += dh * in_w * in_c) {
                    for (int32_t k = 0; k < row; k += 4, c32 += 8) {
                        int32_t v;
                        __builtin_memcpy(&v, ip + k, 4);
                        c32[0] = __sadd16(__sxtb16(v), off2);
                        c32[4] = __sadd16(mcusim_sxtb16_ror8(v), off2);
                    }
                }
                continue;
            }
            if (row >= 4 && dw == 1 && fx0 == 0 && fx1 == f_w && y0 >= 0 &&
                y0 + dh * (f_h - 1) < in_h) {
                /* the whole window inside, rows not whole quads (RGB inputs): no staging */
                mcusim_widen_rows_s8((int32_t *)cols + p, in_b + (y0 * in_w + x0) * in_c,
                                     dh * in_w * in_c, f_h, row, depth, off2,
                                     (uint32_t)(uint8_t)zp * 0x01010101u);
                continue;
            }
#endif
            if (dw == 1 && fx0 == 0 && fx1 == f_w && y0 >= 0 && y0 + dh * (f_h - 1) < in_h) {
                /* the whole window inside the image: one run of bytes per window row */
                const int8_t *ip = in_b + (y0 * in_w + x0) * in_c;
                for (int32_t fy = 0; fy < f_h; fy++, ip += dh * in_w * in_c) {
                    mcusim_copy_run_s8(stage + fy * row, ip, row);
                }
            } else {
                mcusim_stage_window(stage, in_b, params, in_h, in_w, in_c, f_h, f_w, y0, x0,
                                    fx0, fx1, zp);
            }
            /* widen: column element k of pixel p at MCUSIM_COL4_SLOT(k, p) */
#if MCUSIM_DSP
            int32_t *c32 = (int32_t *)cols + p;
            for (int32_t k = 0; k < depth; k += 4, c32 += 8) {
                int32_t v;
                __builtin_memcpy(&v, stage + k, 4);
                c32[0] = __sadd16(__sxtb16(v), off2);
                c32[4] = __sadd16(mcusim_sxtb16_ror8(v), off2);
            }
#else
            (void)off2;
            for (int32_t k = 0; k < depth; k++) {
                cols[MCUSIM_COL4_SLOT(k, p)] = (int16_t)(stage[k] + in_off);
            }
#endif
        }
        if (groups == 1) {
            mcusim_mat_mult_packed_s8(cols, depth, npx, packed, &params->activation, out_c,
                                      output + first * out_c);
        } else if (ng == groups || gnext >= total) {
            mcusim_mat_mult_packed_groups_s8(cols0, depth, ng, gnpx, packed, &params->activation,
                                             out_c, block_pairs, output + gfirst * out_c);
            ng = 0;
        }
    }
    return MCUSIM_OK;
}

mcusim_status mcusim_convolve_im2col_fast_s8(void *buffer, const mcusim_conv_params *params,
                                             const mcusim_dims *input_dims, const int8_t *input,
                                             const mcusim_dims *filter_dims,
                                             const int32_t *packed,
                                             const mcusim_dims *output_dims, int8_t *output)
{
    return mcusim_im2col_fast_body(buffer, 1, 0, params, input_dims, input, filter_dims, packed,
                                   output_dims, output);
}

mcusim_status mcusim_convolve_im2col_fast_blk_s8(void *buffer, int32_t groups,
                                                 int32_t block_pairs,
                                                 const mcusim_conv_params *params,
                                                 const mcusim_dims *input_dims,
                                                 const int8_t *input,
                                                 const mcusim_dims *filter_dims,
                                                 const int32_t *packed,
                                                 const mcusim_dims *output_dims, int8_t *output)
{
    if (groups <= 1 || groups > MCUSIM_PACKED_MAX_GROUPS || block_pairs < 1) {
        return mcusim_convolve_im2col_fast_s8(buffer, params, input_dims, input, filter_dims,
                                              packed, output_dims, output);
    }
    return mcusim_im2col_fast_body(buffer, groups, block_pairs, params, input_dims, input,
                                   filter_dims, packed, output_dims, output);
}

/* ---- 3x3 windows over 3 channels (the RGB first layers of VWW and IC) on the M4/M33: columns
 * of 28 (27 taps and the zero point, whose weight is 0) instead of 32, so the block kernel
 * (mcusim_mm4x2_rq_q7_s16, straight-line) takes 14 steps instead of 16 with no entry or bias
 * copies; the input offset folded into the bias at build time (the widening is SXTB16 alone;
 * taps outside the image hold the zero point, whose w (zp + offset) is 0 as in TFLM). Groups of
 * four pixels in raster order: one call of the window widening for a group inside the image and
 * one row, the staging row per pixel otherwise; a last group of fewer than four pixels repeats
 * its last window and writes its outputs through the scratch. */
#define MCUSIM_RGB_DEPTH 28
#define MCUSIM_RGB_COLS_BYTES (4 * MCUSIM_RGB_DEPTH * 2)

/* the records of one channel pair: 2 bias words, 28 words of rows, 6 constants */
#define MCUSIM_RGB_RECORD_BYTES (4 * (2 + MCUSIM_RGB_DEPTH + 6))
/* channel 0's r word, flagged in prescaled records (conv_pack.PRE_FLAG) */
#define MCUSIM_RGB_R0 (2 + MCUSIM_RGB_DEPTH + 2)
#define MCUSIM_CONV_PRE_FLAG 0x100

/* the width (pixels) of a staged strip: the windows of one group of four, or of a whole row */
#define MCUSIM_RGB_WSTRIP(sw) (3 * (sw) + 3)
#define MCUSIM_RGB_WPAD(out_w, sw) (((out_w) - 1) * (sw) + 3)

int32_t mcusim_convolve_rgb3x3_fast_s8_get_buffer_size(const mcusim_conv_params *params,
                                                       const mcusim_dims *output_dims,
                                                       int32_t copy)
{
    const int32_t total = output_dims->n * output_dims->h * output_dims->w;
    return MCUSIM_RGB_COLS_BYTES +
           ((copy & 1) ? (output_dims->c >> 1) * MCUSIM_RGB_RECORD_BYTES : 0) +
           MCUSIM_RGB_DEPTH + (((total | output_dims->w) & 3) ? 4 * output_dims->c : 0) +
           ((copy & 2) ? 9 * MCUSIM_RGB_WPAD(output_dims->w, params->stride.w) : 0);
}

#if MCUSIM_DSP
/* a strip of the three input rows y0.. of wpad pixels from x0 on, zp outside the image (the
 * windows of one group of four at the image's edges) */
MCUSIM_NO_MEMSET static void mcusim_rgb_stage_strip(int8_t *rows, const int8_t *in_b,
                                                    int32_t in_h, int32_t in_w, int32_t y0,
                                                    int32_t x0, int32_t wpad, int8_t zp)
{
    const int32_t n = 3 * wpad;
    int32_t xa = x0 < 0 ? 0 : x0, xb = x0 + wpad < in_w ? x0 + wpad : in_w;
    xb = xb > xa ? xb : xa;
    const int32_t len = 3 * (xb - xa);
    if (xa == x0 && y0 >= 0 && y0 + 3 <= in_h && len >= 8 && (len & 7) == 0 && n - len < 4) {
        /* a strip over the right edge only (VWW's last group of a row: 24 of 27 bytes from
         * the image): each row's run two words at a time, the last bytes zp */
        const int8_t *ip = in_b + (y0 * in_w + xa) * 3;
        for (int32_t fy = 0; fy < 3; fy++, rows += n, ip += 3 * in_w) {
            for (int32_t k = 0; k < len; k += 8) {
                uint32_t a, b;
                __builtin_memcpy(&a, ip + k, 4);
                __builtin_memcpy(&b, ip + k + 4, 4);
                __builtin_memcpy(rows + k, &a, 4);
                __builtin_memcpy(rows + k + 4, &b, 4);
            }
            for (int32_t k = len; k < n; k++) {
                rows[k] = zp;
            }
        }
        return;
    }
    for (int32_t fy = 0; fy < 3; fy++, rows += n) {
        const int32_t y = y0 + fy;
        int32_t k = 0;
        if (y >= 0 && y < in_h && xb > xa) {
            for (; k < 3 * (xa - x0); k++) {
                rows[k] = zp;
            }
            mcusim_copy_run_s8(rows + k, in_b + (y * in_w + xa) * 3, 3 * (xb - xa));
            k += 3 * (xb - xa);
        }
        for (; k < n; k++) {
            rows[k] = zp;
        }
    }
}
#endif

/* one group's four columns against every channel pair's record, SSAT to int8 */
static void mcusim_rgb_mm(const int16_t *cols, const int32_t *packed, int32_t out_c, int8_t *dst)
{
#if MCUSIM_DSP
    const int32_t args[2] = {out_c >> 1, out_c};
    mcusim_mm4x2_rq_q7_s16(cols, packed, args, dst);
#else
    const int32_t *rec = packed;
    for (int32_t oc = 0; oc < out_c; oc += 2, rec += 2 + MCUSIM_RGB_DEPTH + 6) {
        const int16_t *w = (const int16_t *)(rec + 2);
        const int32_t *q = rec + 2 + MCUSIM_RGB_DEPTH;
        for (int32_t c = 0; c < 2; c++) {
            for (int32_t p = 0; p < 4; p++) {
                int32_t acc = rec[c];
                for (int32_t kp = 0; kp < MCUSIM_RGB_DEPTH / 2; kp++) {
                    const int16_t *xk = cols + 8 * kp, *wk = w + 4 * kp;
                    acc += xk[2 * p] * wk[2 * c] + xk[2 * p + 1] * wk[2 * c + 1];
                }
                int32_t v = mcusim_requant_smmlar(acc, q[3 * c], q[3 * c + 1], q[3 * c + 2]);
                v = v < -128 ? -128 : (v > 127 ? 127 : v);
                dst[p * out_c + oc + c] = (int8_t)v;
            }
        }
    }
#endif
}

/* a window over the image's edge into the staging row: its 27 bytes, taps outside = zp */
static void mcusim_stage_rgb3x3(int8_t *stage, const int8_t *in_b, int32_t in_h, int32_t in_w,
                                int32_t y0, int32_t x0, int8_t zp)
{
    for (int32_t fy = 0; fy < 3; fy++, stage += 9) {
        const int32_t y = y0 + fy;
        for (int32_t fx = 0; fx < 3; fx++) {
            const int32_t x = x0 + fx;
            if (y >= 0 && y < in_h && x >= 0 && x < in_w) {
                const int8_t *ip = in_b + (y * in_w + x) * 3;
                stage[3 * fx] = ip[0];
                stage[3 * fx + 1] = ip[1];
                stage[3 * fx + 2] = ip[2];
            } else {
                stage[3 * fx] = zp;
                stage[3 * fx + 1] = zp;
                stage[3 * fx + 2] = zp;
            }
        }
    }
}

#if MCUSIM_DSP
/* g groups of four windows inside the image along one row (ip: the first window's top-left
 * byte), widened and run against every record in one assembly call, outputs from dst on */
static __attribute__((noinline)) void mcusim_rgb_groups(int16_t *cols, const int8_t *ip,
                                                        int32_t in_w, int32_t sw, int8_t zp,
                                                        const int32_t *packed, int32_t out_c,
                                                        int8_t *dst, int32_t g, int32_t lo,
                                                        int32_t hi, mcusim_small_k_row row,
                                                        const int8_t *e3)
{
    /* e3: the last group's window 3 when its third pixel is one past the right edge (o8) */
    const int32_t args[8] = {(int32_t)(uintptr_t)packed, out_c >> 1, out_c, g, 3 * in_w, 3 * sw,
                             (int32_t)((uint32_t)(uint8_t)zp << 24), (int32_t)(uintptr_t)e3};
    row(ip, cols, args, dst);     /* the entry's choice (mcusim_rgb3x3_row) */
    if (lo > -128 || hi < 127) {
        for (int32_t i = 0; i < 4 * g * out_c; i++) {
            dst[i] = mcusim_clamp8(dst[i], lo, hi);
        }
    }
}
#endif

/* the driver of both entries below; row: the row routine of mcusim_rgb_groups (DSP builds) */
MCUSIM_NO_MEMSET
static inline __attribute__((always_inline)) mcusim_status
mcusim_rgb3x3_run(void *buffer, int32_t copy, const mcusim_conv_params *params,
                  const mcusim_dims *input_dims, const int8_t *input,
                  const mcusim_dims *filter_dims, const int32_t *packed,
                  const mcusim_dims *output_dims, int8_t *output, mcusim_small_k_row row)
{
    (void)row;
    const int32_t in_h = input_dims->h, in_w = input_dims->w, in_c = input_dims->c;
    const int32_t out_h = output_dims->h, out_w = output_dims->w, out_c = output_dims->c;
    const int32_t sh = params->stride.h, sw = params->stride.w;
    const int32_t ph = params->padding.h, pw = params->padding.w;
    const int32_t in_off = params->input_offset, out_off = params->output_offset;
    const int32_t lo = params->activation.min, hi = params->activation.max;
    if (buffer == 0 || in_c != 3 || filter_dims->c != 3 || filter_dims->h != 3 ||
        filter_dims->w != 3 || params->dilation.h != 1 || params->dilation.w != 1 ||
        (out_c & 1) || in_off < -127 || in_off > 128) {
        return MCUSIM_ARG_ERROR;
    }
    if ((packed[MCUSIM_RGB_R0] & MCUSIM_CONV_PRE_FLAG) &&
        !(MCUSIM_DSP && (copy & 2) && out_w >= 4 && (out_c == 8 || out_c == 16) && lo >= out_off)) {
        return MCUSIM_ARG_ERROR;    /* prescaled records: the row kernel's OUTC routines only */
    }
    int16_t *const cols = (int16_t *)buffer;
    int8_t *stage = (int8_t *)buffer + MCUSIM_RGB_COLS_BYTES;
    if (copy & 1) { /* the records into RAM after the columns: no flash wait states per group */
        packed = mcusim_copy_records((int32_t *)(void *)stage, packed,
                                     (out_c >> 1) * MCUSIM_RGB_RECORD_BYTES / 4);
        stage += (out_c >> 1) * MCUSIM_RGB_RECORD_BYTES;
    }
    int8_t *const tail = stage + MCUSIM_RGB_DEPTH;
    const int8_t zp = (int8_t)(-in_off);
    stage[27] = zp;     /* the 28th element (weight 0) */
    const int32_t total = input_dims->n * out_h * out_w;
#if MCUSIM_DSP
    if ((copy & 2) && out_w >= 4) {
        /* row by row: the groups whose windows are inside the image straight from the input,
         * in runs (the row kernel); a group at an edge through a staged strip of its windows
         * (zp outside), also in the row kernel; a row's last out_w % 4 pixels as the group
         * ending at the row's end, written through the scratch */
        const int32_t wst = MCUSIM_RGB_WSTRIP(sw), rem = out_w & 3;
        const int32_t wpad = MCUSIM_RGB_WPAD(out_w, sw);
        int8_t *const strip = tail + (((total | out_w) & 3) ? 4 * out_c : 0);
        /* edge groups per row; when the whole padded row pair is cheaper to stage than their
         * strips (about 256 cycles each: IC's stride-1 rows), every row is staged whole */
        int32_t nb = rem ? 1 : 0;
        for (int32_t ox = 0; ox + 4 <= out_w; ox += 4) {
            nb += ox * sw - pw < 0 || (ox + 3) * sw - pw + 3 > in_w;
        }
        const int32_t whole = 9 * wpad <= 256 * nb;
        /* o8 over prescaled records (mcusim_rgb_groups' choice) takes an edge window 3 */
        const int32_t e3_ok = out_c == 8 && (packed[MCUSIM_RGB_R0] & MCUSIM_CONV_PRE_FLAG);
        int8_t *dst = output;
        for (int32_t b = 0; b < input_dims->n; b++) {
            const int8_t *in_b = input + b * in_h * in_w * 3;
            for (int32_t oy = 0; oy < out_h; oy++, dst += out_w * out_c) {
                const int32_t y0 = oy * sh - ph;
                const int32_t yin = y0 >= 0 && y0 + 3 <= in_h;
                /* a row over the top or bottom padding: every group is an edge group, so its
                 * padded rows staged whole (one copy and one call, not a strip per group) */
                if (whole || !yin) {
                    mcusim_rgb_stage_strip(strip, in_b, in_h, in_w, y0, -pw, wpad, zp);
                    mcusim_rgb_groups(cols, strip, wpad, sw, zp, packed, out_c, dst, out_w >> 2,
                                      lo, hi, row, 0);
                    if (rem) {
                        mcusim_rgb_groups(cols, strip + (out_w - 4) * sw * 3, wpad, sw, zp,
                                          packed, out_c, tail, 1, lo, hi, row, 0);
                        for (int32_t i = 0; i < rem * out_c; i++) {
                            dst[(out_w - rem) * out_c + i] = tail[(4 - rem) * out_c + i];
                        }
                    }
                    continue;
                }
                for (int32_t ox = 0; ox + 4 <= out_w;) {
                    const int32_t x0 = ox * sw - pw;
                    int32_t g = yin && x0 >= 0 && x0 + 3 <= in_w
                                    ? ((in_w - 3 - x0) / sw + 1) >> 2 : 0;
                    g = g < (out_w - ox) >> 2 ? g : (out_w - ox) >> 2;
                    /* the next group's window 3 one pixel past the right edge, the rest
                     * inside (VWW's last group of a row): in the same call (o8, RGBW_E) */
                    const int32_t xe = x0 + 4 * g * sw;
                    const int8_t *e3 = 0;
                    if (e3_ok && yin && ox + 4 * g + 4 <= out_w && xe >= 0 &&
                        xe + 3 * sw + 3 == in_w + 1 && xe + 2 * sw + 3 <= in_w) {
                        e3 = in_b + (y0 * in_w + xe + 3 * sw) * 3;
                    }
                    if (g > 0 || e3) {
                        mcusim_rgb_groups(cols, in_b + (y0 * in_w + x0) * 3, in_w, sw, zp,
                                          packed, out_c, dst + ox * out_c, g + (e3 != 0), lo,
                                          hi, row, e3);
                        g += e3 != 0;
                    } else {
                        g = 1;
                        mcusim_rgb_stage_strip(strip, in_b, in_h, in_w, y0, x0, wst, zp);
                        mcusim_rgb_groups(cols, strip, wst, sw, zp, packed, out_c,
                                          dst + ox * out_c, 1, lo, hi, row, 0);
                    }
                    ox += 4 * g;
                }
                if (rem) {
                    const int32_t ox = out_w - 4;
                    mcusim_rgb_stage_strip(strip, in_b, in_h, in_w, y0, ox * sw - pw, wst, zp);
                    mcusim_rgb_groups(cols, strip, wst, sw, zp, packed, out_c, tail, 1, lo, hi,
                                      row, 0);
                    for (int32_t i = 0; i < rem * out_c; i++) {
                        dst[(out_w - rem) * out_c + i] = tail[(4 - rem) * out_c + i];
                    }
                }
            }
        }
        return MCUSIM_OK;
    }
#endif
    int32_t b = 0, oy = 0, ox = 0;      /* the next pixel, raster order (no divisions) */
    for (int32_t first = 0; first < total; first += 4) {
        const int32_t npx = total - first < 4 ? total - first : 4;
        int8_t *dst = npx == 4 ? output + first * out_c : tail;
#if MCUSIM_DSP
        if (npx == 4) {
            const int32_t y0 = oy * sh - ph, x0 = ox * sw - pw;
            /* whole groups of this row whose windows are inside the image: one pass */
            int32_t g = x0 >= 0 && y0 >= 0 && y0 + 3 <= in_h && x0 + 3 <= in_w
                            ? ((in_w - 3 - x0) / sw + 1) >> 2 : 0;
            g = g < (out_w - ox) >> 2 ? g : (out_w - ox) >> 2;
            g = g < (total - first) >> 2 ? g : (total - first) >> 2;
            if (g > 0) {
                mcusim_rgb_groups(cols, input + ((b * in_h + y0) * in_w + x0) * 3, in_w, sw, zp,
                                  packed, out_c, dst, g, lo, hi, row, 0);
                first += 4 * (g - 1);
                ox += 4 * g;
                if (ox == out_w) {
                    ox = 0;
                    if (++oy == out_h) {
                        oy = 0;
                        b++;
                    }
                }
                continue;
            }
        }
#endif
        for (int32_t p = 0; p < 4; p++) {
            if (p < npx) {      /* (past npx: the last window again, still staged) */
                const int8_t *in_b = input + b * in_h * in_w * 3;
                const int32_t y0 = oy * sh - ph, x0 = ox * sw - pw;
                if (++ox == out_w) {
                    ox = 0;
                    if (++oy == out_h) {
                        oy = 0;
                        b++;
                    }
                }
#if MCUSIM_DSP
                if (x0 >= 0 && x0 + 3 <= in_w && y0 >= 0 && y0 + 3 <= in_h) {
                    /* this window inside (a group at the image's edge or across rows) */
                    const int32_t args[3] = {1, 0, (int32_t)((uint32_t)(uint8_t)zp << 24)};
                    mcusim_widen_rgb3x3_raw_s8((int32_t *)cols + p,
                                               in_b + (y0 * in_w + x0) * 3, 3 * in_w, args);
                    if (npx < 4 && p == npx - 1) {  /* the repeats below widen a staged copy */
                        for (int32_t fy = 0; fy < 3; fy++) {
                            mcusim_copy_run_s8(stage + 9 * fy, in_b + ((y0 + fy) * in_w + x0) * 3,
                                               9);
                        }
                    }
                    continue;
                }
#endif
                mcusim_stage_rgb3x3(stage, in_b, in_h, in_w, y0, x0, zp);
            }
#if MCUSIM_DSP
            int32_t *c32 = (int32_t *)cols + p;
            for (int32_t k = 0; k < MCUSIM_RGB_DEPTH; k += 4, c32 += 8) {
                int32_t v;
                __builtin_memcpy(&v, stage + k, 4);
                c32[0] = __sxtb16(v);
                c32[4] = mcusim_sxtb16_ror8(v);
            }
#else
            for (int32_t k = 0; k < MCUSIM_RGB_DEPTH; k++) {
                cols[MCUSIM_COL4_SLOT(k, p)] = stage[k];
            }
#endif
        }
        mcusim_rgb_mm(cols, packed, out_c, dst);
        if (lo > -128 || hi < 127) {
            for (int32_t i = 0; i < 4 * out_c; i++) {
                dst[i] = mcusim_clamp8(dst[i], lo, hi);
            }
        }
        if (npx < 4) {
            for (int32_t i = 0; i < npx * out_c; i++) {
                output[first * out_c + i] = tail[i];
            }
        }
    }
    return MCUSIM_OK;
}

MCUSIM_NO_MEMSET
mcusim_status mcusim_convolve_rgb3x3_fast_s8(void *buffer, int32_t copy,
                                             const mcusim_conv_params *params,
                                             const mcusim_dims *input_dims, const int8_t *input,
                                             const mcusim_dims *filter_dims,
                                             const int32_t *packed,
                                             const mcusim_dims *output_dims, int8_t *output)
{
    mcusim_small_k_row row = 0;
#if MCUSIM_DSP
    /* VWW's and IC's channel counts over prescaled records (the driver checks the rest): the
     * out_c-known routines (stores at immediate offsets, SMMLA and SSAT with the shift) */
    const int32_t pre = (packed[MCUSIM_RGB_R0] & MCUSIM_CONV_PRE_FLAG) != 0;
    row = !pre ? mcusim_rgb_row_q7_s16 : output_dims->c == 8 ? mcusim_rgb_row_q7_o8_s16
                                                              : mcusim_rgb_row_q7_o16_s16;
#endif
    return mcusim_rgb3x3_run(buffer, copy, params, input_dims, input, filter_dims, packed,
                             output_dims, output, row);
}

/* the same with the row routine named by the compiler (MCUSIM_SMALL_K_ROW: prescaled records'
 * o8 / o16), so --gc-sections drops the other row routines */
MCUSIM_NO_MEMSET
mcusim_status mcusim_convolve_rgb3x3_fast_r_s8(void *buffer, int32_t copy,
                                               const mcusim_conv_params *params,
                                               const mcusim_dims *input_dims,
                                               const int8_t *input,
                                               const mcusim_dims *filter_dims,
                                               const int32_t *packed,
                                               const mcusim_dims *output_dims, int8_t *output,
                                               mcusim_small_k_row row)
{
    if (row == 0) {
        return MCUSIM_ARG_ERROR;
    }
    return mcusim_rgb3x3_run(buffer, copy, params, input_dims, input, filter_dims, packed,
                             output_dims, output, row);
}

/* ---- VWW's first layer on the M4/M33 (mcusim_nn.h): every input row widened once into one of
 * five row slots (MCUSIM_RGB_S2_SLOT bytes each), an output row's input rows 0-2 in three
 * consecutive slots: slots 0-2 for even output rows, 2-4 for odd ones, whose row 2 is also
 * written to slot 0 (the next even row's row 0): two rows widened per output row, no copy. */
int32_t mcusim_convolve_rgb3x3_s2_r_s8_get_buffer_size(void)
{
    return 5 * MCUSIM_RGB_S2_SLOT;
}

#if MCUSIM_DSP
/* input row y as int16 elements 0 .. n - 1 into dst (and dst2): runs of 16 in assembly, the
 * rest in pairs (the last pair's high half zp when n is odd); elements n .. need - 1 hold zp
 * from mcusim_rgb_s2_fill; a row below the image is zp throughout */
MCUSIM_NO_MEMSET static inline __attribute__((always_inline)) void
mcusim_rgb_s2_widen(int16_t *dst, int16_t *dst2, const int8_t *in_b, int32_t in_h, int32_t in_w,
                    int32_t y, int32_t n, int32_t need, uint32_t zz)
{
    uint32_t *d = (uint32_t *)(void *)dst, *d2 = (uint32_t *)(void *)dst2;
    if (y >= in_h) {
        for (int32_t i = 0; i < need >> 1; i++) {
            d[i] = zz;
        }
        for (int32_t i = 0; d2 != 0 && i < need >> 1; i++) {
            d2[i] = zz;
        }
        return;
    }
    const int8_t *src = in_b + y * in_w * 3;
    int32_t k = n & ~15;
    if (k > 0) {
        mcusim_rgb_widen_s16(src, dst, k >> 4, dst2);
    }
    for (; k < n; k += 2) {
        const uint32_t v = (uint16_t)src[k] |
                           (k + 1 < n ? (uint32_t)(uint16_t)src[k + 1] << 16 : zz & 0xFFFF0000u);
        d[k >> 1] = v;
        if (d2 != 0) {
            d2[k >> 1] = v;
        }
    }
}
#endif

MCUSIM_NO_MEMSET
mcusim_status mcusim_convolve_rgb3x3_s2_r_s8(void *buffer, const mcusim_conv_params *params,
                                             const mcusim_dims *input_dims, const int8_t *input,
                                             const mcusim_dims *filter_dims,
                                             const int32_t *packed,
                                             const mcusim_dims *output_dims, int8_t *output)
{
#if MCUSIM_DSP
    const int32_t in_h = input_dims->h, in_w = input_dims->w;
    const int32_t out_h = output_dims->h, out_w = output_dims->w, out_c = output_dims->c;
    const int32_t lo = params->activation.min, hi = params->activation.max;
    if (buffer == 0 || ((uintptr_t)buffer & 3) || input_dims->c != 3 || filter_dims->c != 3 ||
        filter_dims->h != 3 || filter_dims->w != 3 || out_c != 8 || params->stride.h != 2 ||
        params->stride.w != 2 || params->padding.h != 0 || params->padding.w != 0 ||
        params->dilation.h != 1 || params->dilation.w != 1 || (out_w & 3) || out_w < 4 ||
        12 * out_w + 8 > MCUSIM_RGB_S2_SLOT || params->input_offset < -127 ||
        params->input_offset > 128 || lo < params->output_offset ||
        !(packed[MCUSIM_RGB_R0] & MCUSIM_CONV_PRE_FLAG) || 2 * out_h > in_h ||
        2 * out_w > in_w) {
        return MCUSIM_ARG_ERROR;
    }
    const int8_t zp = (int8_t)(-params->input_offset);
    const int32_t need = 6 * out_w + 4;     /* the last window's row elements and one more */
    int16_t *const s[5] = {(int16_t *)buffer,
                           (int16_t *)((int8_t *)buffer + MCUSIM_RGB_S2_SLOT),
                           (int16_t *)((int8_t *)buffer + 2 * MCUSIM_RGB_S2_SLOT),
                           (int16_t *)((int8_t *)buffer + 3 * MCUSIM_RGB_S2_SLOT),
                           (int16_t *)((int8_t *)buffer + 4 * MCUSIM_RGB_S2_SLOT)};
    const uint32_t zz = (uint16_t)zp * 0x10001u;
    const int32_t n = 3 * in_w < need ? 3 * in_w : need;   /* elements from the image */
    for (int32_t j = 0; j < 5; j++) {   /* the zp past the right edge, kept by every row */
        for (int32_t i = (n + 1) >> 1; i < need >> 1; i++) {
            ((uint32_t *)(void *)s[j])[i] = zz;
        }
    }
    int8_t *dst = output;
    for (int32_t b = 0; b < input_dims->n; b++) {
        const int8_t *in_b = input + b * in_h * in_w * 3;
        mcusim_rgb_s2_widen(s[0], 0, in_b, in_h, in_w, 0, n, need, zz);
        for (int32_t oy = 0; oy < out_h; oy++, dst += out_w * 8) {
            const int32_t odd = oy & 1;
            mcusim_rgb_s2_widen(s[1 + 2 * odd], 0, in_b, in_h, in_w, 2 * oy + 1, n, need, zz);
            mcusim_rgb_s2_widen(s[2 + 2 * odd], odd ? s[0] : 0, in_b, in_h, in_w, 2 * oy + 2,
                                n, need, zz);
            mcusim_rgb_s2_row_o8_s16(s[2 * odd], packed, out_w >> 2, dst);
        }
    }
    if (lo > -128 || hi < 127) {
        const int32_t total = input_dims->n * out_h * out_w * 8;
        for (int32_t i = 0; i < total; i++) {
            output[i] = mcusim_clamp8(output[i], lo, hi);
        }
    }
    return MCUSIM_OK;
#else
    (void)buffer;
    (void)params;
    (void)input_dims;
    (void)input;
    (void)filter_dims;
    (void)packed;
    (void)output_dims;
    (void)output;
    return MCUSIM_ARG_ERROR;
#endif
}

/* ---- ARMv6-M with a filter packed at build time (sim/mcusim/compiler/ops/conv_pack.py,
 * pack_pairs_s16): the rows widened to int16 and interleaved in pairs ([pair][k][2]; an odd last
 * row plain after them; rows padded to an even length depth2). Output pixels go in pairs:
 * their receptive fields gathered interleaved into the int16 scratch (input offset added, zeros
 * outside the image), so the 2 x 2 block's four LDRSH share one index register, both streams are
 * sequential and the loop takes two taps per pass (the generic im2col column is read once per
 * output channel with two separate weight rows). */
#if defined(__ARM_ARCH_6M__) && !MCUSIM_DSP
/* acc[0..3] += a.w0, a.w1, b.w0, b.w1: x = (a, b) int16 pairs, w = (w0, w1) int16 pairs, nb =
 * bytes (a multiple of 8). AAPCS: r0 x, r1 w, r2 nb, r3 acc. */
void mcusim_mm2x2i_s16_v6m(const int16_t *x, const int16_t *w, int32_t nb, int32_t *acc);
#define MCUSIM_V6M_TAP16                                                                           \
    "  ldrsh r5, [r2, r4]\n"    /* p = w0[k] */                                                 \
    "  ldrsh r6, [r0, r4]\n"    /* u = a[k] */                                                  \
    "  movs r7, r5\n"                                                                            \
    "  muls r7, r6, r7\n"                                                                        \
    "  add r8, r7\n"                                                                             \
    "  ldrsh r7, [r1, r4]\n"    /* v = b[k] */                                                  \
    "  muls r5, r7, r5\n"                                                                        \
    "  add r10, r5\n"                                                                            \
    "  ldrsh r5, [r3, r4]\n"    /* q = w1[k] */                                                 \
    "  muls r6, r5, r6\n"                                                                        \
    "  add r9, r6\n"                                                                             \
    "  muls r7, r5, r7\n"                                                                        \
    "  add r11, r7\n"                                                                            \
    "  adds r4, #4\n"
__asm__(
    "  .section .text.mcusim_mm2x2i_s16_v6m,\"ax\",%progbits\n"
    "  .syntax unified\n"
    "  .thumb\n"
    "  .balign 2\n"
    "  .global mcusim_mm2x2i_s16_v6m\n"
    "  .thumb_func\n"
    "  .type mcusim_mm2x2i_s16_v6m, %function\n"
    "mcusim_mm2x2i_s16_v6m:\n"
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
    "  mov ip, r2\n"
    "  adds r2, r1, #0\n"            /* w0 = w, w1 = w + 2 bytes */
    "  adds r3, r1, #2\n"
    "  adds r1, r0, #2\n"            /* a = x, b = x + 2 bytes */
    "  movs r4, #0\n"
    "1:\n"
    MCUSIM_V6M_TAP16
    MCUSIM_V6M_TAP16
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
    "  .size mcusim_mm2x2i_s16_v6m, .-mcusim_mm2x2i_s16_v6m\n");
#else
static void mcusim_mm2x2i_s16_v6m(const int16_t *x, const int16_t *w, int32_t nb, int32_t *acc)
{
    for (int32_t k = 0; k < nb / 2; k += 2) {
        acc[0] += x[k] * w[k];
        acc[1] += x[k] * w[k + 1];
        acc[2] += x[k + 1] * w[k];
        acc[3] += x[k + 1] * w[k + 1];
    }
}
#endif

int32_t mcusim_convolve_im2col_pairs_s8_get_buffer_size(const mcusim_dims *filter_dims)
{
    const int32_t n = filter_dims->h * filter_dims->w * filter_dims->c;
    return 4 * ((n + 1) & ~1);
}

/* n input bytes + offset into every other int16 slot of the pairs scratch: from an aligned
 * address one word load per four taps (ARMv6-M faults on unaligned words), bytes otherwise */
MCUSIM_INLINE int16_t *mcusim_widen_run2(int16_t *col, const int8_t *ip, int32_t n, int32_t off)
{
    int32_t k = 0;
    if (((uintptr_t)ip & 3u) == 0) {
        const int8_t *ap = (const int8_t *)__builtin_assume_aligned(ip, 4);
        for (; k + 4 <= n; k += 4, col += 8) {
            int32_t w;
            __builtin_memcpy(&w, ap + k, 4);
            col[0] = (int16_t)((int8_t)w + off);
            col[2] = (int16_t)((int8_t)(w >> 8) + off);
            col[4] = (int16_t)((int8_t)(w >> 16) + off);
            col[6] = (int16_t)((w >> 24) + off);
        }
    }
    for (; k < n; k++, col += 2) {
        *col = (int16_t)(ip[k] + off);
    }
    return col;
}

MCUSIM_INLINE int16_t *mcusim_zero_run2(int16_t *col, int32_t n)
{
    for (int32_t k = 0; k < n; k++, col += 2) {
        *col = 0;
    }
    return col;
}

mcusim_status mcusim_convolve_im2col_pairs_s8(void *buffer, const mcusim_conv_params *params,
                                              const mcusim_quant_params *quant, const int32_t *rq,
                                              const mcusim_dims *input_dims,
                                              const int8_t *input,
                                              const mcusim_dims *filter_dims,
                                              const int16_t *packed, const int32_t *bias,
                                              const mcusim_dims *output_dims, int8_t *output)
{
    const int32_t in_h = input_dims->h, in_w = input_dims->w, in_c = input_dims->c;
    const int32_t f_h = filter_dims->h, f_w = filter_dims->w;
    const int32_t out_h = output_dims->h, out_w = output_dims->w, out_c = output_dims->c;
    const int32_t in_off = params->input_offset, out_off = params->output_offset;
    const int32_t lo = params->activation.min, hi = params->activation.max;
    const int32_t *mult = quant->multiplier, *shift = quant->shift;
    const int32_t pc = quant->per_channel ? 1 : 0;
    const int32_t n = f_h * f_w * in_c, depth2 = (n + 1) & ~1;
    int16_t *xs = (int16_t *)buffer;
    if (buffer == 0 || filter_dims->c != in_c) {
        return MCUSIM_ARG_ERROR;
    }
    for (int32_t k = 2 * n; k < 2 * depth2; k++) {
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
                for (int32_t k = 0; k < n; k++) {
                    xs[2 * k + 1] = 0;
                }
                break;
            }
            const int8_t *in_b = input + b * in_h * in_w * in_c;
            const int32_t y0 = oy * params->stride.h - params->padding.h;
            const int32_t x0 = ox * params->stride.w - params->padding.w;
            int16_t *col = xs + j;
            if (params->dilation.w == 1) {
                /* each window row: zeros left and right of the image, the inside taps one run */
                const int32_t fx0 = x0 < 0 ? -x0 : 0;
                int32_t fx1 = in_w - x0 < f_w ? in_w - x0 : f_w;
                fx1 = fx1 > fx0 ? fx1 : fx0;
                for (int32_t fy = 0; fy < f_h; fy++) {
                    const int32_t y = y0 + params->dilation.h * fy;
                    if (y < 0 || y >= in_h || fx0 == fx1) {
                        col = mcusim_zero_run2(col, f_w * in_c);
                        continue;
                    }
                    col = mcusim_zero_run2(col, fx0 * in_c);
                    col = mcusim_widen_run2(col, in_b + (y * in_w + x0 + fx0) * in_c,
                                            (fx1 - fx0) * in_c, in_off);
                    col = mcusim_zero_run2(col, (f_w - fx1) * in_c);
                }
                continue;
            }
            for (int32_t fy = 0; fy < f_h; fy++) {
                const int32_t y = y0 + params->dilation.h * fy;
                for (int32_t fx = 0; fx < f_w; fx++) {
                    const int32_t x = x0 + params->dilation.w * fx;
                    if (y < 0 || y >= in_h || x < 0 || x >= in_w) {
                        for (int32_t ic = 0; ic < in_c; ic++, col += 2) {
                            *col = 0;
                        }
                    } else {
                        const int8_t *ip = in_b + (y * in_w + x) * in_c;
                        for (int32_t ic = 0; ic < in_c; ic++, col += 2) {
                            *col = (int16_t)(ip[ic] + in_off);
                        }
                    }
                }
            }
        }
        const int16_t *w = packed;
        int32_t oc = 0;
        for (; oc + 2 <= out_c; oc += 2, w += 2 * depth2) {
            int32_t acc[4] = {0, 0, 0, 0};   /* a0 c0, a0 c1, a1 c0, a1 c1 */
            if (bias) {
                acc[0] = acc[2] = bias[oc];
                acc[1] = acc[3] = bias[oc + 1];
            }
            mcusim_mm2x2i_s16_v6m(xs, w, 4 * depth2, acc);
            mcusim_store_2x2(acc, oc, rq, mult, shift, pc, out_off, lo, hi, two, outs);
        }
        if (oc < out_c) {   /* the odd last row, stored plain */
            int32_t a0 = bias ? bias[oc] : 0, a1 = a0;
            for (int32_t k = 0; k < n; k++) {
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
