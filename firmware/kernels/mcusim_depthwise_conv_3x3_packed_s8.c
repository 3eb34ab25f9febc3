/* DEPTHWISE_CONV_2D, 3x3 filter, multiplier 1, dilation 1, channels a multiple of 4, with the
 * filter, bias and requantization re-laid out at build time (the compiler's choice on DSP cores
 * and ARMv6-M; sim/mcusim/compiler/ops/depthwise_pack.py pack_3x3). One record of 10 words per
 * channel:
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
 * two output rows share each loaded pair (rows r..r+3: the second row takes SMLATB and SMLAD);
 * with stride 2 two output columns share a column. The tap loops and the requantization are
 * assembly, four channels per call (fixed registers at any -O level). Small maps (every row pair
 * fits 8 slots: mcusim_dw3p_small_pairs) keep all their row pairs in the scratch at once, slot p
 * = input rows 2p - pad and 2p + 1 - pad, so one call runs every step of a channel (a step
 * moves the slot base by 4 bytes) and the channel's record is loaded once. Stride 2 with even
 * heights can take two output rows per pass from three consecutive pairs (the middle pair's
 * words serve row 0's kernel row 2 and row 1's kernel rows 0-1, loaded once: 15 loads per 4
 * outputs instead of 18): in the small layout (kind 10, slots 2d..2d + 2) and in a row walk of
 * three slots (kind 9, 48-byte columns, the slots rotating by two pairs per call).
 * ARMv6-M path: channel by channel over a ring of three int32 input rows, one output row per call
 * of an assembly loop, the high multiply in three MULS (mcusim_dw3p_v6m_line; needs |acc| < 2^19,
 * which the compiler checks).
 * The portable path computes the same sums pixel by pixel: it is the readable reference for the
 * record layout, and what host builds (no DSP) run. */
#include <stddef.h>

#include "mcusim_nn.h"
#include "mcusim_nn_support.h"

/* a Thumb function's directives inside an assembler macro whose parameter name is the function
 * (in the section the macro is in) */
#define MCUSIM_DW3_ASM_FUNC                                                                        \
    "  .balign 4\n"                                                                                \
    "  .global \\name\n"                                                                           \
    "  .thumb_func\n"                                                                              \
    "  .type \\name, %function\n"                                                                  \
    "\\name:\n"

enum { DW_W01 = 0, DW_W12 = 3, DW_BIAS = 6, DW_MULT = 7, DW_RND = 8, DW_EXP = 9 };
/* A prescaled layer (the compiler's choice: FPU, full int8 range, output zero point -128,
 * equal strides 1 or 2; depthwise_pack.pack_3x3 pre=True) has word [9] = DW3P_PRE | 12 in every
 * record: channel c's weights and bias are scaled by 2^k more (k = 12 - e >= 1) and [8] holds
 * R = 2^(k-1) + 2^k rnd, so that
 *   floor((2 acc m + 2^31 + 2^32 rnd) / 2^(32+e)) = SMMLA(2^k 2 acc, m, R) >> 12
 * (the same value, numerator and denominator times 2^k, SMMLAR's 2^31 moved into R): the
 * fused loops requantize with SMMLA and one SSAT ..., asr #12 (no ASR by a register, no
 * exponent to fetch). Such layers never need the sign term (lo >= the output zero point). */
enum { DW3P_PRE = 0x100, DW3P_PRE_E = 12 };

#if defined(__ARM_ARCH_6M__) && !MCUSIM_DSP
#define MCUSIM_DW3P_V6M 1
#else
#define MCUSIM_DW3P_V6M 0
#endif

/* DSP cores with an FPU (M4F, M7, M33 with FP): the fused taps-and-requantization loops keep
 * per-channel constants in s0-s6 (startup.c enables the FPU) */
#if MCUSIM_DSP && defined(__ARM_FP)
#define MCUSIM_DW3P_FUSED 1
#else
#define MCUSIM_DW3P_FUSED 0
#endif

/* scratch: two slots of row pairs, 4 channels x (columns) words each, and one int32 accumulator
 * per output of two rows */
static inline int32_t mcusim_dw3p_columns(const mcusim_dw_conv_params *params, int32_t out_w)
{
    return (out_w - 1) * params->stride.w + 3;
}

/* Whether channel-major order would break the planner's streaming overlap (the kernel contract
 * in sim/mcusim/compiler/planner.py: output [out, out + on) written over the consumed part of
 * input [in, in + n) by a kernel that writes in raster order). Channel-major order is still safe
 * when the input starts a multiple of ch bytes above the output: a byte of channel c then only
 * lands on channel c of an input row the raster contract has already released, which the pass
 * for channel c has read. */
static inline int32_t mcusim_dw3p_overlap(const int8_t *in, int32_t n, const int8_t *out,
                                          int32_t on, int32_t ch)
{
    const uintptr_t i = (uintptr_t)in, o = (uintptr_t)out;
    if (!(i < o + (uintptr_t)on && o < i + (uintptr_t)n)) {
        return 0;
    }
    return !(i > o && (i - o) % (uintptr_t)ch == 0);
}

/* Whether every step of a layer runs the fused loops (no sums in scratch, no spare columns):
 * an FPU, the SSAT modes (the full int8 range) and horizontal stride 1 or 2 (the kernel's
 * frame). The compiler's ops/depthwise_pack.buffer_size makes the same choice. */
static inline int32_t mcusim_dw3p_all_fused(const mcusim_dw_conv_params *params, int32_t sw)
{
    return MCUSIM_DW3P_FUSED && params->activation.min == -128 &&
           params->activation.max == 127 && (sw == 1 || sw == 2);
}

/* Small maps, fused, equal strides 1 or 2 (the row walk): every row pair the map needs fits
 * the 8 slots of the small layout, so each channel runs all its steps in one pass over its
 * record (mcusim_dw3f_*_m). Returns those pairs, or 0. The compiler's ops/depthwise_pack.py
 * small_pairs makes the same choice. */
enum { DW3P_SLOTS = 8 };
static inline int32_t mcusim_dw3p_small_pairs(int32_t oh, int32_t sh, int32_t sw, int32_t fused)
{
    if (!fused || sh != sw) {
        return 0;
    }
    /* stride 1: row pairs, an odd height's last row alone (rows 2p and 2p + 2 of pair p and
     * p + 1); stride 2: one row per step */
    const int32_t np = sh == 1 ? (oh & 1 ? (oh < 3 ? DW3P_SLOTS + 1 : (oh + 3) / 2) : oh / 2 + 1)
                               : oh + 1;
    return np <= DW3P_SLOTS ? np : 0;
}

/* Bigger maps of the fused row walk with rows of 8 or more outputs whose small layout stays
 * within 4 KB of scratch: the rows in nb equal blocks that each fit the small layout (stride 1:
 * even heights), one call per group and block running every step of each channel. Returns the
 * block height, or 0. The compiler's ops/depthwise_pack.py block_rows makes the same choice. */
enum { DW3P_BLOCK_SCRATCH = 4096 };
static inline int32_t mcusim_dw3p_block_rows(int32_t oh, int32_t ow, int32_t sh, int32_t sw,
                                             int32_t fused)
{
    if (!fused || sh != sw || ow < 8 || 16 * DW3P_SLOTS * ((ow - 1) * sw + 3) > DW3P_BLOCK_SCRATCH ||
        mcusim_dw3p_small_pairs(oh, sh, sw, fused)) {
        return 0;
    }
    for (int32_t nb = 2; nb <= oh; nb++) {
        const int32_t bh = oh / nb;
        if (bh * nb == oh && (sh == 2 || !(bh & 1)) && mcusim_dw3p_small_pairs(bh, sh, sw, fused)) {
            return bh;
        }
    }
    return 0;
}

/* scratch for output rows of ow columns at horizontal stride sw (the kernel's frame); oh > 0:
 * the row walk, which takes the small layout when mcusim_dw3p_small_pairs allows */
static int32_t mcusim_dw3p_buffer(int32_t ow, int32_t sw, int32_t sh, int32_t fused, int32_t oh)
{
#if MCUSIM_DSP
    if (oh > 0 && (mcusim_dw3p_small_pairs(oh, sh, sw, fused) ||
                   mcusim_dw3p_block_rows(oh, ow, sh, sw, fused))) {
        return 16 * DW3P_SLOTS * ((ow - 1) * sw + 3);
    }
    if (fused && oh > 0 && sh == 2 && sw == 2 && !(oh & 1)) {
        return 48 * ((ow - 1) * sw + 3);    /* room for the three-slot walk (kind 9) */
    }
    if (fused) {
        return 32 * ((ow - 1) * sw + 3);
    }
    /* pair2 (stride 2) reads two columns more and writes sums for an even count; only stride
     * 1 takes two rows (two sums per column) */
    const int32_t spare = sw == 2 ? 2 : 0;
    const int32_t sums = sh == 1 && sw == 1 ? 2 * ow : ow + 1;
    return 32 * ((ow - 1) * sw + 3 + spare) + 4 * sums;
#elif MCUSIM_DW3P_V6M
    (void)sh;
    (void)fused;
    (void)oh;
    return 16 * ((ow - 1) * sw + 3);
#else
    (void)ow;
    (void)sw;
    (void)sh;
    (void)fused;
    (void)oh;
    return 0;
#endif
}

int32_t mcusim_depthwise_conv_3x3_packed_s8_get_buffer_size(const mcusim_dw_conv_params *params,
                                                            const mcusim_dims *output_dims)
{
    return mcusim_dw3p_buffer(output_dims->w, params->stride.w, params->stride.h,
                              mcusim_dw3p_all_fused(params, params->stride.w), output_dims->h);
}

/* transposed: rows along the width, so a row is an output column */
int32_t mcusim_depthwise_conv_3x3_packed_t_s8_get_buffer_size(const mcusim_dw_conv_params *params,
                                                              const mcusim_dims *output_dims)
{
#if MCUSIM_DSP
    return mcusim_dw3p_buffer(output_dims->h, params->stride.h, params->stride.w,
                              mcusim_dw3p_all_fused(params, params->stride.h), 0);
#else
    (void)params;
    (void)output_dims;
    return 0;      /* the pixel loop */
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
/* One output row (single) or two (dual, stride 1) of a group of four channels, in file-scope
 * assembly (fixed registers at any -O level; gcc spilled the C form). Per channel:
 * 1. taps: r4-r6 the (w0, w1) pairs, r7-r9 the (w1, w2) pairs, r10 the doubled bias, r3/r12
 *    the loaded scratch words, r11/lr the sums; per output column three (T, B) word pairs:
 *    dual: out0 = rows r..r+2 (SMLAD T, SMLABT B), out1 = rows r+1..r+3 (SMLATB T, SMLAD B);
 *    single: out0 only. Sums go to acc (pairs for dual).
 * 2. requantization from acc: SMMLAR, the sign, ASR, then SSAT (full int8 range) or the clamp
 *    to [lo, hi]; bytes stored at the channel stride.
 * Scratch words: column j, channel i, slot s at byte 32 j + 8 i + 4 s; t/b: byte offsets of the
 * slots holding the pairs (r, r+1) and (r+2, r+3). The job's v, rec and out advance by one
 * channel per pass. */
typedef struct {
    const int32_t *v;       /* scratch at channel 0 of the group, first output's left column */
    int32_t *acc;           /* n (single) or 2 n (dual) sums */
    int32_t n;              /* output columns */
    const int32_t *rec;     /* the group's first channel record */
    int8_t *out;            /* first output of the group's first channel */
    int32_t ch;             /* output column stride (bytes) */
    int32_t orow;           /* output row stride (dual) */
    int32_t vstep;          /* scratch bytes per output column (single: 32 stride_w) */
    int32_t lo, hi;
    int32_t qmode;          /* 0 SSAT, 1 clamp; + 2: without the sign term (lo >= output zp);
                               4: prescaled records (fused loops only) */
    int32_t steps;          /* small maps (mcusim_dw3f_*_m): steps per channel, */
    int32_t outstep;        /* output bytes per step */
} mcusim_dw3p_job;
void mcusim_dw3p_dual_t0(mcusim_dw3p_job *job);
void mcusim_dw3p_dual_t1(mcusim_dw3p_job *job);
void mcusim_dw3p_single_t0(mcusim_dw3p_job *job);
void mcusim_dw3p_single_t1(mcusim_dw3p_job *job);
void mcusim_dw3p_pair2_t0(mcusim_dw3p_job *job);
void mcusim_dw3p_pair2_t1(mcusim_dw3p_job *job);
__asm__(
    "  .pushsection .text.mcusim_dw3p, \"ax\", %progbits\n"
    "  .syntax unified\n"
    "  .thumb\n"
    /* requantize reg in place with r4 m, r5 rnd, r6 e (r12 scratch); sign 0: without the
     * [acc < 0] term, exact when the activation's lower bound is at or above the output zero
     * point (every negative sum clamps to it either way) */
    "  .macro MCUSIM_DW3P_RQ reg, sign\n"
    "  smmlar r12, \\reg, r4, r5\n"
    "  .if \\sign\n"
    "  add r12, r12, \\reg, asr #31\n"
    "  .endif\n"
    "  asr \\reg, r12, r6\n"
    "  .endm\n"
    "  .macro MCUSIM_DW3P_CLAMP reg\n"
    "  cmp \\reg, r10\n"
    "  it lt\n"
    "  movlt \\reg, r10\n"
    "  cmp \\reg, r11\n"
    "  it gt\n"
    "  movgt \\reg, r11\n"
    "  .endm\n"
    /* one requantization loop over acc (r0 to r2): SSAT or the clamp, with or without the sign */
    "  .macro MCUSIM_DW3P_LOOP dual, sign, clamp\n"
    "9:\n"
    "  .if \\dual == 1\n"
    "  ldrd r1, r3, [r0], #8\n"
    "  MCUSIM_DW3P_RQ r1, \\sign\n"
    "  MCUSIM_DW3P_RQ r3, \\sign\n"
    "  .if \\clamp\n"
    "  MCUSIM_DW3P_CLAMP r1\n"
    "  MCUSIM_DW3P_CLAMP r3\n"
    "  .else\n"
    "  ssat r1, #8, r1\n"
    "  ssat r3, #8, r3\n"
    "  .endif\n"
    "  strb r1, [r7]\n"
    "  strb r3, [r7, r9]\n"
    "  .else\n"
    "  ldr r1, [r0], #4\n"
    "  MCUSIM_DW3P_RQ r1, \\sign\n"
    "  .if \\clamp\n"
    "  MCUSIM_DW3P_CLAMP r1\n"
    "  .else\n"
    "  ssat r1, #8, r1\n"
    "  .endif\n"
    "  strb r1, [r7]\n"
    "  .endif\n"
    "  add r7, r7, r8\n"
    "  cmp r0, r2\n"
    "  bne 9b\n"
    "  .endm\n"
    /* a loop over one-word outputs: r2 at acc's end, then label 1 and one output column's
     * taps (slot columns 32 bytes apart) into r11 from the bias r10 */
    "  .macro MCUSIM_DW3P_COL1 t, b\n"
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
    "  .endm\n"
    "  .macro MCUSIM_DW3P name, dual, t, b\n"
    MCUSIM_DW3_ASM_FUNC
    "  push {r4-r11, lr}\n"
    "  sub sp, #8\n"
    "  movs r1, #4\n"
    "  strd r0, r1, [sp]\n"              /* job, channels left */
    "10:\n"
    "  ldr r12, [sp]\n"
    "  ldm r12, {r0-r3}\n"                /* v, acc, n, rec */
    "  ldm r3, {r4-r10}\n"
    "  .if \\dual == 1\n"
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
    "  .elseif \\dual == 2\n"                /* stride 2: output columns in pairs, 5 columns */
    "  MCUSIM_DW3P_COL1 \\t, \\b\n"
    "  smlad lr, r3, r4, r10\n"
    "  smlabt lr, r12, r7, lr\n"
    "  ldr r3, [r0, #96+\\t]\n"
    "  ldr r12, [r0, #96+\\b]\n"
    "  smlad lr, r3, r5, lr\n"
    "  smlabt lr, r12, r8, lr\n"
    "  ldr r3, [r0, #128+\\t]\n"
    "  ldr r12, [r0, #128+\\b]\n"
    "  smlad lr, r3, r6, lr\n"
    "  smlabt lr, r12, r9, lr\n"
    "  add r0, r0, #128\n"
    "  strd r11, lr, [r1], #8\n"
    "  cmp r1, r2\n"
    "  blo 1b\n"
    "  .else\n"
    "  ldr lr, [r12, #28]\n"              /* vstep */
    "  MCUSIM_DW3P_COL1 \\t, \\b\n"
    "  add r0, r0, lr\n"
    "  str r11, [r1], #4\n"
    "  cmp r1, r2\n"
    "  bne 1b\n"
    "  .endif\n"
    /* requantize: r0 acc, r2 its end, r4-r6 m/rnd/e, r7 out, r8 ch, r9 orow, r10/r11 lo/hi */
    "  ldr r12, [sp]\n"
    "  ldr r0, [r12, #4]\n"
    "  ldr r3, [r12, #12]\n"
    "  add r3, r3, #28\n"
    "  ldm r3, {r4-r6}\n"
    "  ldrd r7, r8, [r12, #16]\n"
    "  ldr r9, [r12, #24]\n"
    "  ldrd r10, r11, [r12, #32]\n"
    "  ldr r1, [r12, #40]\n"              /* qmode */
    "  cmp r1, #1\n"
    "  beq 3f\n"
    "  cmp r1, #2\n"
    "  beq 5f\n"
    "  cmp r1, #3\n"
    "  beq 6f\n"
    "2:\n"
    "  MCUSIM_DW3P_LOOP \\dual, 1, 0\n"
    "  b 4f\n"
    "3:\n"
    "  MCUSIM_DW3P_LOOP \\dual, 1, 1\n"
    "  b 4f\n"
    "5:\n"
    "  MCUSIM_DW3P_LOOP \\dual, 0, 0\n"
    "  b 4f\n"
    "6:\n"
    "  MCUSIM_DW3P_LOOP \\dual, 0, 1\n"
    "4:\n"                                /* next channel: v + 8 bytes, rec + 40, out + 1 */
    "  ldrd r12, r1, [sp]\n"
    "  ldr r0, [r12]\n"
    "  ldr r3, [r12, #12]\n"
    "  ldr r2, [r12, #16]\n"
    "  adds r0, #8\n"
    "  adds r3, #40\n"
    "  adds r2, #1\n"
    "  str r0, [r12]\n"
    "  str r3, [r12, #12]\n"
    "  str r2, [r12, #16]\n"
    "  subs r1, #1\n"
    "  str r1, [sp, #4]\n"
    "  bne 10b\n"
    "  add sp, #8\n"
    "  pop {r4-r11, pc}\n"
    "  .size \\name, .-\\name\n"
    "  .endm\n"
    "  MCUSIM_DW3P mcusim_dw3p_dual_t0, 1, 0, 4\n"
    "  MCUSIM_DW3P mcusim_dw3p_dual_t1, 1, 4, 0\n"
    "  MCUSIM_DW3P mcusim_dw3p_single_t0, 0, 0, 4\n"
    "  MCUSIM_DW3P mcusim_dw3p_single_t1, 0, 4, 0\n"
    "  MCUSIM_DW3P mcusim_dw3p_pair2_t0, 2, 0, 4\n"
    "  MCUSIM_DW3P mcusim_dw3p_pair2_t1, 2, 4, 0\n"
    "  .purgem MCUSIM_DW3P\n"
    "  .purgem MCUSIM_DW3P_LOOP\n"
    "  .purgem MCUSIM_DW3P_RQ\n"
    "  .purgem MCUSIM_DW3P_CLAMP\n"
    "  .purgem MCUSIM_DW3P_COL1\n"
    "  .popsection\n");

#if MCUSIM_DW3P_FUSED
/* Fused taps and requantization (SSAT modes: the full int8 range, or a lower bound at or above
 * the output zero point), one store per output and no sums in scratch: the per-channel
 * constants that do not fit the core registers live in FPU registers s0-s6 (caller-saved; VMOV
 * core <-> FPU is one cycle, Cortex-M4 TRM Table 7-1), read back where the requantization needs
 * them: s0 m, s1 rnd, s2 e, s3 output row stride, s4 output column stride, s5 the loop's end,
 * s6 the doubled bias.
 * dual (stride 1): two output columns x two output rows per pass (4 sums: r10/r11 the first
 *   column's rows, lr/r2 the second's), four scratch columns of loads per four outputs; a last
 *   odd column alone.
 * pair2 (stride 2): two output columns of one row per pass (r11, lr), five scratch columns; a
 *   last odd column alone. pair1: the same at stride 1 (four columns), for a row left alone.
 * sign 1 adds the [acc < 0] term of RoundingDivideByPOT through the rounding constant:
 *   SMMLAR(a, m, rnd - [a < 0]) = SMMLAR(a, m, rnd) - [a < 0]. Same job as mcusim_dw3p_*. */
/* the loops of one rounding form S (s: with the sign term; none: without; p: prescaled records,
 * DW3P_PRE: SMMLA and SSAT ..., asr #DW3P_PRE_E): each kind per scratch word order (t0, t1),
 * then the small-map loops (all steps of a channel in one call) */
typedef void mcusim_dw3f_loop(mcusim_dw3p_job *job);
#define MCUSIM_DW3F_DECL(S)                                                                        \
    mcusim_dw3f_loop mcusim_dw3f_dual_t0##S, mcusim_dw3f_dual_t1##S, mcusim_dw3f_dualu_t0##S,      \
        mcusim_dw3f_dualu_t1##S, mcusim_dw3f_quad2u_t0##S, mcusim_dw3f_quad2u_t1##S,               \
        mcusim_dw3f_pair2_t0##S, mcusim_dw3f_pair2_t1##S, mcusim_dw3f_dual7_t0##S,                 \
        mcusim_dw3f_dual7_t1##S, mcusim_dw3f_pair27_t0##S, mcusim_dw3f_pair27_t1##S,               \
        mcusim_dw3f_quad2_t0##S, mcusim_dw3f_quad2_t1##S, mcusim_dw3f_quad27_t0##S,                \
        mcusim_dw3f_quad27_t1##S, mcusim_dw3f_pair1_t0##S, mcusim_dw3f_pair1_t1##S,                \
        mcusim_dw3f_dual_m##S, mcusim_dw3f_dual_mo##S, mcusim_dw3f_dual_mr##S,                     \
        mcusim_dw3f_dual_mor##S, mcusim_dw3f_dual_mu##S, mcusim_dw3f_pair2_m##S,                   \
        mcusim_dw3f_quad2_m##S, mcusim_dw3f_dual7_m##S, mcusim_dw3f_dual7_mo##S,                   \
        mcusim_dw3f_dual7_mr##S, mcusim_dw3f_dual7_mor##S, mcusim_dw3f_pair27_m##S,                \
        mcusim_dw3f_quad27_m##S;
MCUSIM_DW3F_DECL(s)
MCUSIM_DW3F_DECL()
MCUSIM_DW3F_DECL(p)
#undef MCUSIM_DW3F_DECL
/* the unrolled small-map loops (MCUSIM_DW3P_U_LIST, mcusim_nn.h) in the three forms */
#define MCUSIM_DW3F_UDECL(k, kind, P, ch)                                                          \
    mcusim_dw3f_loop mcusim_dw3f_u##k##P##c##ch, mcusim_dw3f_u##k##P##c##ch##p,                    \
        mcusim_dw3f_u##k##P##c##ch##s;
MCUSIM_DW3P_U_LIST(MCUSIM_DW3F_UDECL)
#undef MCUSIM_DW3F_UDECL
#define MCUSIM_DW3P_U_ASM1(k, kind, P, ch) "  MCUSIM_DW3F_DUALF3 " #kind ", " #P ", " #ch "\n"
#define MCUSIM_DW3P_U_ASM MCUSIM_DW3P_U_LIST(MCUSIM_DW3P_U_ASM1)
#define MCUSIM_DW3F_RDECL(k, kind, ow, ch, u)                                                      \
    mcusim_dw3f_loop mcusim_dw3f_r##k##ow##c##ch##_t0, mcusim_dw3f_r##k##ow##c##ch##_t0p,          \
        mcusim_dw3f_r##k##ow##c##ch##_t0s, mcusim_dw3f_r##k##ow##c##ch##_t1,                       \
        mcusim_dw3f_r##k##ow##c##ch##_t1p, mcusim_dw3f_r##k##ow##c##ch##_t1s,                      \
        mcusim_dw3f_r##k##ow##c##ch##_t2, mcusim_dw3f_r##k##ow##c##ch##_t2p,                       \
        mcusim_dw3f_r##k##ow##c##ch##_t2s;
MCUSIM_DW3P_R_LIST(MCUSIM_DW3F_RDECL)
#undef MCUSIM_DW3F_RDECL
/* MCUSIM_DW3F_RINST: rows of ow outputs, u: unrolled (else the generic loops, T6) */
/* fr: the whole row unrolled at any width; the M33 (ARMv8-M) takes it only for rows up to 24
 * outputs and unrolls half a row, run twice, for wider ones: a 48-wide row's two 4.6 KB loops
 * outgrow its instruction cache (VWW's 48x48x8 on stm32u575: generic loops 281k cycles, whole
 * row 289k, half a row 267k; on the M4 305k -> 287k whole) */
#if defined(__ARM_ARCH_8M_MAIN__)
#define MCUSIM_DW3P_FULLROW "0"
#else
#define MCUSIM_DW3P_FULLROW "1"
#endif
#define MCUSIM_DW3P_R_ASM1(k, kind, ow, ch, u)                                                     \
    "  MCUSIM_DW3F_RINST " #k ", " #kind ", " #ow ", " #ch ", " #u ", " MCUSIM_DW3P_FULLROW "\n"
#define MCUSIM_DW3P_R_ASM MCUSIM_DW3P_R_LIST(MCUSIM_DW3P_R_ASM1)
__asm__(
    "  .pushsection .text.mcusim_dw3f, \"ax\", %progbits\n"
    "  .syntax unified\n"
    "  .thumb\n"
    /* high multiply of reg in place: r3 = m; without the sign r12 = rnd already */
    "  .macro MCUSIM_DW3F_MUL sign, reg\n"
    "  .if \\sign == 1\n"
    "  vmov r12, s1\n"
    "  add r12, r12, \\reg, asr #31\n"
    "  .endif\n"
    "  .if \\sign == 2\n"              /* prescaled record: the rounding is in r12 */
    "  smmla \\reg, \\reg, r3, r12\n"
    "  .else\n"
    "  smmlar \\reg, \\reg, r3, r12\n"
    "  .endif\n"
    "  .endm\n"
    /* the exponent into r3 (a prescaled record's is the immediate DW3P_PRE_E) */
    "  .macro MCUSIM_DW3F_E sign\n"
    "  .if \\sign != 2\n"
    "  vmov r3, s2\n"
    "  .endif\n"
    "  .endm\n"
    /* shift by r3 = e (prescaled: by 12, DW3P_PRE_E) and saturate */
    "  .macro MCUSIM_DW3F_SH sign, reg\n"
    "  .if \\sign == 2\n"
    "  ssat \\reg, #8, \\reg, asr #12\n"
    "  .else\n"
    "  asr \\reg, \\reg, r3\n"
    "  ssat \\reg, #8, \\reg\n"
    "  .endif\n"
    "  .endm\n"
    "  .macro MCUSIM_DW3F_M sign\n"
    "  vmov r3, s0\n"
    "  .if \\sign != 1\n"
    "  vmov r12, s1\n"
    "  .endif\n"
    "  .endm\n"
    /* the two scratch words (T, B) of the column at byte offset off from r0 */
    "  .macro MCUSIM_DW3F_LD t, b, off\n"
    "  ldr r3, [r0, #\\off+\\t]\n"
    "  ldr r12, [r0, #\\off+\\b]\n"
    "  .endm\n"
    /* the same, r0 moved to that column (pre-indexed writeback on the slot at offset 0) */
    "  .macro MCUSIM_DW3F_LDW t, off\n"
    "  .if \\off > 255\n"                /* beyond the writeback's reach: one ADD more */
    "  ldr r3, [r0, #\\off+\\t]\n"
    "  ldr r12, [r0, #\\off+4-\\t]\n"
    "  add r0, r0, #\\off\n"
    "  .elseif \\t == 0\n"
    "  ldr r3, [r0, #\\off]!\n"
    "  ldr r12, [r0, #4]\n"
    "  .else\n"
    "  ldr r12, [r0, #\\off]!\n"
    "  ldr r3, [r0, #4]\n"
    "  .endif\n"
    "  .endm\n"
    /* one column k of a two-row window: kernel weights (r4 + k, r7 + k), sums a (row 0), c
     * (row 1), first: accumulate onto init */
    "  .macro MCUSIM_DW3F_TAP2 w01, w12, a, c, ia, ic\n"
    "  smlad \\a, r3, \\w01, \\ia\n"
    "  smlatb \\c, r3, \\w01, \\ic\n"
    "  smlabt \\a, r12, \\w12, \\a\n"
    "  smlad \\c, r12, \\w12, \\c\n"
    "  .endm\n"
    "  .macro MCUSIM_DW3F_TAP1 w01, w12, a, ia\n"
    "  smlad \\a, r3, \\w01, \\ia\n"
    "  smlabt \\a, r12, \\w12, \\a\n"
    "  .endm\n"
    /* the M4/M33 taps of a two-row pass (2 columns x 2 rows), then its requantization and
     * stores (r1 moved two columns on) */
    "  .macro MCUSIM_DW3F_DUALTAPS t, b, cs\n"
    "  MCUSIM_DW3F_LD \\t, \\b, 0\n"
    "  vmov r2, s6\n"
    "  MCUSIM_DW3F_TAP2 r4, r7, r10, r11, r2, r2\n"
    "  MCUSIM_DW3F_LD \\t, \\b, \\cs\n"
    "  MCUSIM_DW3F_TAP2 r4, r7, lr, r2, r2, r2\n"
    "  MCUSIM_DW3F_TAP2 r5, r8, r10, r11, r10, r11\n"
    "  MCUSIM_DW3F_LDW \\t, 2*\\cs\n"
    "  MCUSIM_DW3F_TAP2 r6, r9, r10, r11, r10, r11\n"
    "  MCUSIM_DW3F_TAP2 r5, r8, lr, r2, lr, r2\n"
    "  MCUSIM_DW3F_LD \\t, \\b, \\cs\n"
    "  MCUSIM_DW3F_TAP2 r6, r9, lr, r2, lr, r2\n"
    "  .endm\n"
    "  .macro MCUSIM_DW3F_QUADTAPS t, b, cs\n"
    "  MCUSIM_DW3F_LD \\t, \\b, 0\n"
    "  vmov r2, s6\n"
    "  MCUSIM_DW3F_TAP1 r4, r7, r10, r2\n"
    "  MCUSIM_DW3F_LD \\t, \\b, \\cs\n"
    "  MCUSIM_DW3F_TAP1 r5, r8, r10, r10\n"
    "  MCUSIM_DW3F_LD \\t, \\b, 2*\\cs\n"
    "  MCUSIM_DW3F_TAP1 r6, r9, r10, r10\n"
    "  MCUSIM_DW3F_TAP1 r4, r7, r11, r2\n"
    "  MCUSIM_DW3F_LD \\t, \\b, 3*\\cs\n"
    "  MCUSIM_DW3F_TAP1 r5, r8, r11, r11\n"
    "  MCUSIM_DW3F_LD \\t, \\b, 4*\\cs\n"
    "  MCUSIM_DW3F_TAP1 r6, r9, r11, r11\n"
    "  MCUSIM_DW3F_TAP1 r4, r7, lr, r2\n"
    "  MCUSIM_DW3F_LD \\t, \\b, 5*\\cs\n"
    "  MCUSIM_DW3F_TAP1 r5, r8, lr, lr\n"
    "  MCUSIM_DW3F_LD \\t, \\b, 6*\\cs\n"
    "  MCUSIM_DW3F_TAP1 r6, r9, lr, lr\n"
    "  MCUSIM_DW3F_TAP1 r4, r7, r2, r2\n"   /* the bias's last use: r2 becomes a sum */
    "  MCUSIM_DW3F_LD \\t, \\b, 7*\\cs\n"
    "  MCUSIM_DW3F_TAP1 r5, r8, r2, r2\n"
    "  MCUSIM_DW3F_LD \\t, \\b, 8*\\cs\n"
    "  add r0, r0, #8*\\cs\n"
    "  MCUSIM_DW3F_TAP1 r6, r9, r2, r2\n"
    "  .endm\n"
    /* the high multiply, shift and saturation of the four sums r10, r11, lr, r2 */
    "  .macro MCUSIM_DW3F_RQ4 sign\n"
    "  MCUSIM_DW3F_M \\sign\n"
    "  MCUSIM_DW3F_MUL \\sign, r10\n"
    "  MCUSIM_DW3F_MUL \\sign, r11\n"
    "  MCUSIM_DW3F_MUL \\sign, lr\n"
    "  MCUSIM_DW3F_MUL \\sign, r2\n"
    "  MCUSIM_DW3F_E \\sign\n"
    "  MCUSIM_DW3F_SH \\sign, r10\n"
    "  MCUSIM_DW3F_SH \\sign, r11\n"
    "  MCUSIM_DW3F_SH \\sign, lr\n"
    "  MCUSIM_DW3F_SH \\sign, r2\n"
    "  .endm\n"
    "  .macro MCUSIM_DW3F_QUADRQ sign, m7=0\n"
    "  MCUSIM_DW3F_RQ4 \\sign\n"
    "  vmov r3, s4\n"
    "  .if \\m7\n"                        /* each store after an ALU instruction */
    "  strb r10, [r1]\n"
    "  strb r11, [r1, r3]\n"
    "  add r1, r1, r3, lsl #1\n"
    "  strb lr, [r1]\n"
    "  strb r2, [r1, r3]\n"
    "  add r1, r1, r3, lsl #1\n"
    "  .else\n"
    "  add r12, r1, r3, lsl #1\n"        /* the third column (no address right after its add) */
    "  strb r10, [r1]\n"
    "  strb r11, [r1, r3]\n"
    "  strb lr, [r12]\n"
    "  strb r2, [r12, r3]\n"
    "  add r1, r1, r3, lsl #2\n"
    "  .endif\n"
    "  .endm\n"
    "  .macro MCUSIM_DW3F_DUALRQ sign\n"
    "  MCUSIM_DW3F_RQ4 \\sign\n"
    "  vmov r3, s3\n"
    "  vmov r12, s4\n"
    "  add r3, r1, r3\n"                  /* the second row (no address right after its add) */
    "  strb r10, [r1]\n"
    "  strb r11, [r3]\n"
    "  strb lr, [r1, r12]\n"
    "  strb r2, [r3, r12]\n"
    "  add r1, r1, r12, lsl #1\n"
    "  .endm\n"
    /* ch != 0: the output strides as immediates (ch the column stride, rows 2P ch apart for
     * the dual, 4P ch for the quad): every pass stores at fixed offsets from the step's first
     * output, no stride VMOVs, no register-offset stores, no pointer ADD per pass (the
     * unrolled small-map loops), or from r1 moved on per pass (the row walk's instances) */
    "  .macro MCUSIM_DW3F_DUALRQC sign, off, ch, orow\n"
    "  MCUSIM_DW3F_RQ4 \\sign\n"
    "  strb r10, [r1, #\\off]\n"
    "  strb r11, [r1, #\\off+\\orow]\n"
    "  strb lr, [r1, #\\off+\\ch]\n"
    "  strb r2, [r1, #\\off+\\orow+\\ch]\n"
    "  .endm\n"
    "  .macro MCUSIM_DW3F_QUADRQC sign, off, ch\n"
    "  MCUSIM_DW3F_RQ4 \\sign\n"
    "  strb r10, [r1, #\\off]\n"
    "  strb r11, [r1, #\\off+\\ch]\n"
    "  strb lr, [r1, #\\off+2*\\ch]\n"
    "  strb r2, [r1, #\\off+3*\\ch]\n"
    "  .endm\n"
    /* the row walk's requantization and stores: the strides from s3/s4, or immediates */
    "  .macro MCUSIM_DW3F_DUALRQR sign, ch, orow\n"
    "  .if \\ch\n"
    "  MCUSIM_DW3F_DUALRQC \\sign, 0, \\ch, \\orow\n"
    "  add r1, r1, #2*\\ch\n"
    "  .else\n"
    "  MCUSIM_DW3F_DUALRQ \\sign\n"
    "  .endif\n"
    "  .endm\n"
    "  .macro MCUSIM_DW3F_QUADRQR sign, ch\n"
    "  .if \\ch\n"
    "  MCUSIM_DW3F_QUADRQC \\sign, 0, \\ch\n"
    "  add r1, r1, #4*\\ch\n"
    "  .else\n"
    "  MCUSIM_DW3F_QUADRQ \\sign\n"
    "  .endif\n"
    "  .endm\n"
    /* the taps of a one-row pass (sums r11, lr from init r10): two output columns of stride 1
     * (COL2: r0 moved 2 columns on) or 2 (COL2_S2: 4 columns on) */
    "  .macro MCUSIM_DW3F_COL2 t, b, cs\n"
    "  MCUSIM_DW3F_LD \\t, \\b, 0\n"
    "  MCUSIM_DW3F_TAP1 r4, r7, r11, r10\n"
    "  MCUSIM_DW3F_LD \\t, \\b, \\cs\n"
    "  MCUSIM_DW3F_TAP1 r5, r8, r11, r11\n"
    "  MCUSIM_DW3F_TAP1 r4, r7, lr, r10\n"
    "  MCUSIM_DW3F_LDW \\t, 2*\\cs\n"
    "  MCUSIM_DW3F_TAP1 r6, r9, r11, r11\n"
    "  MCUSIM_DW3F_TAP1 r5, r8, lr, lr\n"
    "  MCUSIM_DW3F_LD \\t, \\b, \\cs\n"
    "  MCUSIM_DW3F_TAP1 r6, r9, lr, lr\n"
    "  .endm\n"
    "  .macro MCUSIM_DW3F_COL2_S2 t, b, cs\n"
    "  MCUSIM_DW3F_LD \\t, \\b, 0\n"
    "  MCUSIM_DW3F_TAP1 r4, r7, r11, r10\n"
    "  MCUSIM_DW3F_LD \\t, \\b, \\cs\n"
    "  MCUSIM_DW3F_TAP1 r5, r8, r11, r11\n"
    "  MCUSIM_DW3F_LD \\t, \\b, 2*\\cs\n"
    "  MCUSIM_DW3F_TAP1 r6, r9, r11, r11\n"
    "  MCUSIM_DW3F_TAP1 r4, r7, lr, r10\n"
    "  MCUSIM_DW3F_LD \\t, \\b, 3*\\cs\n"
    "  MCUSIM_DW3F_TAP1 r5, r8, lr, lr\n"
    "  MCUSIM_DW3F_LDW \\t, 4*\\cs\n"
    "  MCUSIM_DW3F_TAP1 r6, r9, lr, lr\n"
    "  .endm\n"
    /* one output column into r11 from init ia, its first column's words already loaded */
    "  .macro MCUSIM_DW3F_COL1 t, b, cs, ia\n"
    "  MCUSIM_DW3F_TAP1 r4, r7, r11, \\ia\n"
    "  MCUSIM_DW3F_LD \\t, \\b, \\cs\n"
    "  MCUSIM_DW3F_TAP1 r5, r8, r11, r11\n"
    "  MCUSIM_DW3F_LD \\t, \\b, 2*\\cs\n"
    "  MCUSIM_DW3F_TAP1 r6, r9, r11, r11\n"
    "  .endm\n"
    /* requantize and store r11, lr (two columns, r1 moved on) or r11 alone */
    "  .macro MCUSIM_DW3F_RQ2 sign\n"
    "  MCUSIM_DW3F_M \\sign\n"
    "  MCUSIM_DW3F_MUL \\sign, r11\n"
    "  MCUSIM_DW3F_MUL \\sign, lr\n"
    "  MCUSIM_DW3F_E \\sign\n"
    "  MCUSIM_DW3F_SH \\sign, r11\n"
    "  MCUSIM_DW3F_SH \\sign, lr\n"
    "  vmov r3, s4\n"
    "  strb r11, [r1]\n"
    "  strb lr, [r1, r3]\n"
    "  add r1, r1, r3, lsl #1\n"
    "  .endm\n"
    "  .macro MCUSIM_DW3F_RQ1 sign\n"
    "  MCUSIM_DW3F_M \\sign\n"
    "  MCUSIM_DW3F_MUL \\sign, r11\n"
    "  MCUSIM_DW3F_E \\sign\n"
    "  MCUSIM_DW3F_SH \\sign, r11\n"
    "  strb r11, [r1]\n"
    "  .endm\n"
    /* small maps of odd height: the last output row alone (the pair1 passes, then an odd
     * column when odd), r0 at its slots, r1 at its outputs */
    "  .macro MCUSIM_DW3F_ROW1 t, b, cs, sign, odd\n"
    "  vmov r10, s6\n"
    "  vmov r2, s10\n"
    "  add r2, r0, r2\n"
    "8:\n"
    "  MCUSIM_DW3F_COL2 \\t, \\b, \\cs\n"
    "  MCUSIM_DW3F_RQ2 \\sign\n"
    "  cmp r0, r2\n"
    "  bne 8b\n"
    "  .if \\odd\n"
    "  MCUSIM_DW3F_LD \\t, \\b, 0\n"
    "  MCUSIM_DW3F_COL1 \\t, \\b, \\cs, r10\n"
    "  MCUSIM_DW3F_RQ1 \\sign\n"
    "  .endif\n"
    "  .endm\n"
    /* each loop in its own section: --gc-sections drops those a build does not call (the
     * other core's schedules: mcusim_core_is_m7 is a constant in mcusim's builds) */
    /* a fused loop's turn to the next channel (MCUSIM_DW3F, MCUSIM_DW3F_DUALF): v + cs/4 bytes
     * (s7), out + 1 (s9), back to 10: until out reaches the group's end (s12) */
    "  .macro MCUSIM_DW3F_NEXT_CH cs\n"
    "  vmov r0, s7\n"
    "  adds r0, #\\cs/4\n"
    "  vmov s7, r0\n"
    "  vmov r1, s9\n"
    "  adds r1, #1\n"
    "  vmov s9, r1\n"
    "  vmov r2, s12\n"
    "  cmp r1, r2\n"
    "  bne 10b\n"
    "  .endm\n"
    "  .macro MCUSIM_DW3F name, kind, t, b, sign, m7=0, cs=32, lg=5, steps=0, unroll=0, odd=1, "
    "lastrow=0, flat=0, ch=0, orow=0\n"
    "  .pushsection .text.\\name, \"ax\", %progbits\n"
    MCUSIM_DW3_ASM_FUNC
    "  push {r4-r11, lr}\n"
    /* per call: s7 v, s8 rec, s9 out (the channel's), s10 the pair loop's bytes, s11 n odd,
     * s12 the group's end (out + 4); s3 orow, s4 ch */
    "  ldm r0, {r1-r4}\n"                /* v, (acc), n, rec */
    "  ldr r5, [r0, #16]\n"
    "  ldrd r6, r7, [r0, #20]\n"         /* ch, orow */
    "  vmov s7, r1\n"
    "  vmov s8, r4\n"
    "  vmov s9, r5\n"
    "  vmov s4, r6\n"
    "  vmov s3, r7\n"
    "  .if \\steps\n"                  /* [sp]: steps; s16 (callee-saved): out step */
    "  ldrd r8, r9, [r0, #44]\n"
    "  vpush {s16}\n"
    "  vmov s16, r9\n"
    /* flat (small dual maps of even width): the steps run as one loop, a step's end moving r0
     * back by s13 = pair bytes - 4 and r1 on by s14 = out step - n ch; [sp]: the last step's
     * end from the channel's first slot, 4 (steps - 1) + pair bytes */
    "  .if \\flat\n"
    "  mul r2, r3, r6\n"
    "  subs r2, r9, r2\n"
    "  vmov s14, r2\n"
    "  subs r8, r8, #1\n"
    "  lsls r8, r8, #2\n"
    "  .endif\n"
    "  str r8, [sp, #-4]!\n"
    "  .endif\n"
    "  .if \\kind == 4\n"                /* quads of columns, then n & 3 left */
    "  and r2, r3, #3\n"
    "  vmov s11, r2\n"
    "  lsrs r3, r3, #2\n"
    "  lsls r3, r3, #\\lg+3\n"
    "  .else\n"
    "  and r2, r3, #1\n"
    "  vmov s11, r2\n"
    "  lsrs r3, r3, #1\n"
    "  .if \\kind == 2\n"
    "  lsls r3, r3, #\\lg+2\n"
    "  .else\n"
    "  lsls r3, r3, #\\lg+1\n"
    "  .endif\n"
    "  .endif\n"
    "  vmov s10, r3\n"
    "  .if \\flat\n"
    "  subs r2, r3, #4\n"
    "  vmov s13, r2\n"
    "  ldr r2, [sp]\n"
    "  add r2, r2, r3\n"
    "  str r2, [sp]\n"
    "  .endif\n"
    "  adds r2, r5, #4\n"               /* the group's end: out + 4 channels */
    "  vmov s12, r2\n"
    "  vmov r0, s7\n"                   /* later channels: r0, r1 from the channel's end */
    "  vmov r1, s9\n"
    "  .if \\steps\n"
    "  .balign 4\n"                      /* branch targets word-aligned (see the loop head) */
    "  .endif\n"
    "10:\n"                               /* the record in one LDM: weights, bias, m, rnd, e */
    "  vmov r3, s8\n"
    "  ldm r3!, {r4-r12, lr}\n"
    "  vmov s8, r3\n"
    "  vmov s0, r11\n"
    "  vmov s1, r12\n"
    "  .if \\sign != 2\n"               /* prescaled: the exponent is an immediate */
    "  vmov s2, lr\n"
    "  .endif\n"
    "  vmov s6, r10\n"
    "  .if \\flat\n"                   /* s15: the last step's end */
    "  ldr r2, [sp]\n"
    "  add r2, r0, r2\n"
    "  vmov s15, r2\n"
    "  .elseif \\steps\n"             /* every step of the channel: s13 v, s14 out, s15 left */
    "  ldr r2, [sp]\n"
    "  vmov s15, r2\n"
    "  .balign 4\n"
    "11:\n"
    "  vmov s13, r0\n"
    "  vmov s14, r1\n"
    "  .endif\n"
    "  vmov r2, s10\n"
    "  add r2, r0, r2\n"                  /* end of the column pairs */
    "  .if \\kind != 2\n"
    "  vmov s5, r2\n"
    "  .endif\n"
    "  .if \\steps == 0\n"             /* small maps: at least one pass (the C side's rule) */
    "  cmp r0, r2\n"
    "  beq 2f\n"
    "  .endif\n"
    "  .if \\flat && \\unroll\n"      /* a flat step's start */
    "12:\n"
    "  .endif\n"
    "  .if \\unroll\n"                 /* an odd count of passes: in at the second one */
    "  vmov r3, s10\n"
    "  .if \\kind == 4\n"
    "  tst r3, #8*\\cs\n"
    "  .else\n"
    "  tst r3, #2*\\cs\n"
    "  .endif\n"
    "  bne 7f\n"
    "  .endif\n"
    /* the M4/M33 loop heads are a 16-bit LDR: a taken branch to a 32-bit instruction at 2 mod
     * 4 costs a cycle more (and a .balign a NOP on the way in) */
    "1:\n"
    "  .if \\kind == 1\n"
    "  .if \\m7\n"                        /* each later load issued beside a multiply */
    "  vmov r2, s6\n"
    "  MCUSIM_DW3F_LD \\t, \\b, 0\n"
    "  smlad r10, r3, r4, r2\n"
    "  smlatb r11, r3, r4, r2\n"
    "  ldr r3, [r0, #\\cs+\\t]\n"
    "  smlabt r10, r12, r7, r10\n"
    "  smlad r11, r12, r7, r11\n"
    "  ldr r12, [r0, #\\cs+\\b]\n"
    "  smlad lr, r3, r4, r2\n"
    "  smlatb r2, r3, r4, r2\n"
    "  smlad r10, r3, r5, r10\n"
    "  smlatb r11, r3, r5, r11\n"
    "  ldr r3, [r0, #2*\\cs+\\t]\n"
    "  smlabt lr, r12, r7, lr\n"
    "  smlad r2, r12, r7, r2\n"
    "  smlabt r10, r12, r8, r10\n"
    "  smlad r11, r12, r8, r11\n"
    "  ldr r12, [r0, #2*\\cs+\\b]\n"
    "  smlad r10, r3, r6, r10\n"
    "  smlatb r11, r3, r6, r11\n"
    "  smlad lr, r3, r5, lr\n"
    "  smlatb r2, r3, r5, r2\n"
    "  ldr r3, [r0, #3*\\cs+\\t]\n"
    "  smlabt r10, r12, r9, r10\n"
    "  smlad r11, r12, r9, r11\n"
    "  smlabt lr, r12, r8, lr\n"
    "  smlad r2, r12, r8, r2\n"
    "  ldr r12, [r0, #3*\\cs+\\b]\n"
    "  smlad lr, r3, r6, lr\n"
    "  smlatb r2, r3, r6, r2\n"
    "  smlabt lr, r12, r9, lr\n"
    "  smlad r2, r12, r9, r2\n"
    "  add r0, r0, #2*\\cs\n"
    "  MCUSIM_DW3F_DUALRQ \\sign\n"
    "  .elseif \\unroll\n"             /* two passes per turn: one end test per 8 outputs */
    "  MCUSIM_DW3F_DUALTAPS \\t, \\b, \\cs\n"
    "  MCUSIM_DW3F_DUALRQR \\sign, \\ch, \\orow\n"
    "7:\n"
    "  MCUSIM_DW3F_DUALTAPS \\t, \\b, \\cs\n"
    "  MCUSIM_DW3F_DUALRQR \\sign, \\ch, \\orow\n"
    "  .else\n"
    "  MCUSIM_DW3F_DUALTAPS \\t, \\b, \\cs\n"
    "  MCUSIM_DW3F_DUALRQR \\sign, \\ch, \\orow\n"
    "  .endif\n"
    "  vmov r3, s5\n"
    "  cmp r0, r3\n"
    "  bne 1b\n"
    "  .elseif \\kind == 4\n"             /* stride 2, four output columns over nine */
    "  .if \\m7\n"                        /* each later load issued beside a multiply */
    "  vmov r2, s6\n"
    "  MCUSIM_DW3F_LD \\t, \\b, 0\n"
    "  smlad r10, r3, r4, r2\n"
    "  ldr r3, [r0, #\\cs+\\t]\n"
    "  smlabt r10, r12, r7, r10\n"
    "  ldr r12, [r0, #\\cs+\\b]\n"
    "  smlad r10, r3, r5, r10\n"
    "  ldr r3, [r0, #2*\\cs+\\t]\n"
    "  smlabt r10, r12, r8, r10\n"
    "  ldr r12, [r0, #2*\\cs+\\b]\n"
    "  smlad r10, r3, r6, r10\n"
    "  smlad r11, r3, r4, r2\n"
    "  ldr r3, [r0, #3*\\cs+\\t]\n"
    "  smlabt r10, r12, r9, r10\n"
    "  smlabt r11, r12, r7, r11\n"
    "  ldr r12, [r0, #3*\\cs+\\b]\n"
    "  smlad r11, r3, r5, r11\n"
    "  ldr r3, [r0, #4*\\cs+\\t]\n"
    "  smlabt r11, r12, r8, r11\n"
    "  ldr r12, [r0, #4*\\cs+\\b]\n"
    "  smlad r11, r3, r6, r11\n"
    "  smlad lr, r3, r4, r2\n"
    "  ldr r3, [r0, #5*\\cs+\\t]\n"
    "  smlabt r11, r12, r9, r11\n"
    "  smlabt lr, r12, r7, lr\n"
    "  ldr r12, [r0, #5*\\cs+\\b]\n"
    "  smlad lr, r3, r5, lr\n"
    "  ldr r3, [r0, #6*\\cs+\\t]\n"
    "  smlabt lr, r12, r8, lr\n"
    "  ldr r12, [r0, #6*\\cs+\\b]\n"
    "  smlad lr, r3, r6, lr\n"
    "  smlad r2, r3, r4, r2\n"           /* the bias's last use: r2 becomes a sum */
    "  ldr r3, [r0, #7*\\cs+\\t]\n"
    "  smlabt lr, r12, r9, lr\n"
    "  smlabt r2, r12, r7, r2\n"
    "  ldr r12, [r0, #7*\\cs+\\b]\n"
    "  smlad r2, r3, r5, r2\n"
    "  ldr r3, [r0, #8*\\cs+\\t]\n"
    "  smlabt r2, r12, r8, r2\n"
    "  ldr r12, [r0, #8*\\cs+\\b]\n"
    "  smlad r2, r3, r6, r2\n"
    "  add r0, r0, #8*\\cs\n"
    "  smlabt r2, r12, r9, r2\n"
    "  MCUSIM_DW3F_QUADRQ \\sign, 1\n"
    "  .elseif \\unroll\n"             /* two passes per turn */
    "  MCUSIM_DW3F_QUADTAPS \\t, \\b, \\cs\n"
    "  MCUSIM_DW3F_QUADRQR \\sign, \\ch\n"
    "7:\n"
    "  MCUSIM_DW3F_QUADTAPS \\t, \\b, \\cs\n"
    "  MCUSIM_DW3F_QUADRQR \\sign, \\ch\n"
    "  .else\n"
    "  MCUSIM_DW3F_QUADTAPS \\t, \\b, \\cs\n"
    "  MCUSIM_DW3F_QUADRQR \\sign, \\ch\n"
    "  .endif\n"
    "  vmov r3, s5\n"
    "  cmp r0, r3\n"
    "  bne 1b\n"
    "  .else\n"
    "  .if \\m7\n"                        /* pair2, each later load beside a multiply */
    "  MCUSIM_DW3F_LD \\t, \\b, 0\n"
    "  smlad r11, r3, r4, r10\n"
    "  ldr r3, [r0, #\\cs+\\t]\n"
    "  smlabt r11, r12, r7, r11\n"
    "  ldr r12, [r0, #\\cs+\\b]\n"
    "  smlad r11, r3, r5, r11\n"
    "  ldr r3, [r0, #2*\\cs+\\t]\n"
    "  smlabt r11, r12, r8, r11\n"
    "  ldr r12, [r0, #2*\\cs+\\b]\n"
    "  smlad r11, r3, r6, r11\n"
    "  smlad lr, r3, r4, r10\n"
    "  ldr r3, [r0, #3*\\cs+\\t]\n"
    "  smlabt r11, r12, r9, r11\n"
    "  smlabt lr, r12, r7, lr\n"
    "  ldr r12, [r0, #3*\\cs+\\b]\n"
    "  smlad lr, r3, r5, lr\n"
    "  ldr r3, [r0, #4*\\cs+\\t]\n"
    "  smlabt lr, r12, r8, lr\n"
    "  ldr r12, [r0, #4*\\cs+\\b]\n"
    "  smlad lr, r3, r6, lr\n"
    "  add r0, r0, #4*\\cs\n"
    "  smlabt lr, r12, r9, lr\n"
    "  .elseif \\kind == 3\n"             /* stride 1, one row: four columns */
    "  MCUSIM_DW3F_COL2 \\t, \\b, \\cs\n"
    "  .else\n"
    "  MCUSIM_DW3F_COL2_S2 \\t, \\b, \\cs\n"
    "  .endif\n"
    "  MCUSIM_DW3F_RQ2 \\sign\n"
    "  cmp r0, r2\n"
    "  bne 1b\n"
    "  .endif\n"
    "2:\n"                                /* a last odd column */
    "  .if \\flat\n"                   /* r3 = this step's end (the loop's test) */
    "  vmov r2, s15\n"
    "  cmp r3, r2\n"
    "  beq 5f\n"
    "  adds r3, #4\n"
    "  vmov s5, r3\n"
    "  vmov r2, s13\n"
    "  sub r0, r0, r2\n"
    "  vmov r2, s14\n"
    "  add r1, r1, r2\n"
    "  .if \\unroll\n"
    "  b 12b\n"
    "  .else\n"
    "  b 1b\n"
    "  .endif\n"
    "  .endif\n"
    "  .if \\odd\n"                    /* 0: an even count of columns (the small dual loops) */
    "  .if \\kind == 4\n"                /* n & 2: one pair2 pass first */
    "  vmov r3, s11\n"
    "  tst r3, #2\n"
    "  beq 3f\n"
    "  vmov r10, s6\n"
    "  MCUSIM_DW3F_COL2_S2 \\t, \\b, \\cs\n"
    "  MCUSIM_DW3F_RQ2 \\sign\n"
    "3:\n"
    "  vmov r3, s11\n"
    "  tst r3, #1\n"
    "  .else\n"
    "  vmov r3, s11\n"
    "  cmp r3, #0\n"
    "  .endif\n"
    "  beq 4f\n"
    "  vmov r2, s6\n"
    "  MCUSIM_DW3F_LD \\t, \\b, 0\n"
    "  .if \\kind == 1\n"
    "  MCUSIM_DW3F_TAP2 r4, r7, r10, r11, r2, r2\n"
    "  MCUSIM_DW3F_LD \\t, \\b, \\cs\n"
    "  MCUSIM_DW3F_TAP2 r5, r8, r10, r11, r10, r11\n"
    "  MCUSIM_DW3F_LD \\t, \\b, 2*\\cs\n"
    "  MCUSIM_DW3F_TAP2 r6, r9, r10, r11, r10, r11\n"
    "  MCUSIM_DW3F_M \\sign\n"
    "  MCUSIM_DW3F_MUL \\sign, r10\n"
    "  MCUSIM_DW3F_MUL \\sign, r11\n"
    "  MCUSIM_DW3F_E \\sign\n"
    "  MCUSIM_DW3F_SH \\sign, r10\n"
    "  MCUSIM_DW3F_SH \\sign, r11\n"
    "  vmov r3, s3\n"
    "  strb r10, [r1]\n"
    "  strb r11, [r1, r3]\n"
    "  .else\n"
    "  MCUSIM_DW3F_COL1 \\t, \\b, \\cs, r2\n"
    "  MCUSIM_DW3F_RQ1 \\sign\n"
    "  .endif\n"
    "  .endif\n"
    "  .if \\steps\n"
    "  .balign 4\n"
    "  .endif\n"
    "4:\n"
    "  .if \\steps && !\\flat\n"       /* next step: slots + 4 bytes, out + out step */
    "  vmov r2, s15\n"
    "  subs r2, #1\n"
    "  beq 6f\n"
    "  vmov s15, r2\n"
    "  vmov r0, s13\n"
    "  adds r0, #4\n"
    "  vmov r1, s14\n"
    "  vmov r3, s16\n"
    "  add r1, r1, r3\n"
    "  b 11b\n"
    "6:\n"
    "  .if \\lastrow\n"                /* an odd height: its last row (slots + 4, out step) */
    "  vmov r0, s13\n"
    "  adds r0, #4\n"
    "  vmov r1, s14\n"
    "  vmov r3, s16\n"
    "  add r1, r1, r3\n"
    "  MCUSIM_DW3F_ROW1 \\t, \\b, \\cs, \\sign, \\odd\n"
    "  .endif\n"
    "  .endif\n"
    "5:\n"
    "  MCUSIM_DW3F_NEXT_CH \\cs\n"
    "  .if \\steps\n"
    "  add sp, #4\n"
    "  vpop {s16}\n"
    "  .endif\n"
    "  pop {r4-r11, pc}\n"
    "  .size \\name, .-\\name\n"
    "  .popsection\n"
    "  .endm\n"
    /* a loop of kind K in each rounding form: T6 in both scratch word orders (_t0, _t1) and
     * the forms none, p (prescaled), s (sign term) interleaved as the sections were listed; M3
     * a small-map loop (t 0) as none, p, s; rest: MCUSIM_DW3F's arguments after sign */
    "  .macro MCUSIM_DW3F_T6 name, kind, rest:vararg\n"
    "  MCUSIM_DW3F \\name\\()_t0, \\kind, 0, 4, 0, \\rest\n"
    "  MCUSIM_DW3F \\name\\()_t0p, \\kind, 0, 4, 2, \\rest\n"
    "  MCUSIM_DW3F \\name\\()_t1, \\kind, 4, 0, 0, \\rest\n"
    "  MCUSIM_DW3F \\name\\()_t1p, \\kind, 4, 0, 2, \\rest\n"
    "  MCUSIM_DW3F \\name\\()_t0s, \\kind, 0, 4, 1, \\rest\n"
    "  MCUSIM_DW3F \\name\\()_t1s, \\kind, 4, 0, 1, \\rest\n"
    "  .endm\n"
    "  .macro MCUSIM_DW3F_M3 name, kind, rest:vararg\n"
    "  MCUSIM_DW3F \\name, \\kind, 0, 4, 0, \\rest\n"
    "  MCUSIM_DW3F \\name\\()p, \\kind, 0, 4, 2, \\rest\n"
    "  MCUSIM_DW3F \\name\\()s, \\kind, 0, 4, 1, \\rest\n"
    "  .endm\n"
    "  MCUSIM_DW3F_T6 mcusim_dw3f_dual, 1\n"
    /* M4/M33, rows of at least 8 outputs: two passes per loop turn */
    "  MCUSIM_DW3F_T6 mcusim_dw3f_dualu, 1, 0, 32, 5, 0, 1\n"
    /* M4/M33 stride 2, rows of at least 8 outputs: two quads per loop turn */
    "  MCUSIM_DW3F_T6 mcusim_dw3f_quad2u, 4, 0, 32, 5, 0, 1\n"
    "  MCUSIM_DW3F_T6 mcusim_dw3f_pair2, 2\n"
    "  MCUSIM_DW3F_T6 mcusim_dw3f_dual7, 1, 1\n"
    "  MCUSIM_DW3F_T6 mcusim_dw3f_pair27, 2, 1\n"
    "  MCUSIM_DW3F_T6 mcusim_dw3f_pair1, 3\n"
    "  MCUSIM_DW3F_T6 mcusim_dw3f_quad2, 4\n"
    "  MCUSIM_DW3F_T6 mcusim_dw3f_quad27, 4, 1\n"
    /* small maps: every row pair of the map in its own slot (8 slots, 128-byte columns), all
     * steps of a channel in one pass over its record */
    "  MCUSIM_DW3F_M3 mcusim_dw3f_dual_m, 1, 0, 128, 7, 1, 0, 0, 0, 1\n"     /* even widths */
    /* the same for rows of at least 8 outputs: two passes per loop turn */
    "  MCUSIM_DW3F_M3 mcusim_dw3f_dual_mu, 1, 0, 128, 7, 1, 1, 0, 0, 1\n"
    "  MCUSIM_DW3F_M3 mcusim_dw3f_dual_mo, 1, 0, 128, 7, 1\n"                /* odd widths */
    /* odd heights: the pair steps, then the last row alone (even, odd widths) */
    "  MCUSIM_DW3F_M3 mcusim_dw3f_dual_mr, 1, 0, 128, 7, 1, 0, 0, 1\n"
    "  MCUSIM_DW3F_M3 mcusim_dw3f_dual_mor, 1, 0, 128, 7, 1, 0, 1, 1\n"
    "  MCUSIM_DW3F_M3 mcusim_dw3f_pair2_m, 2, 0, 128, 7, 1\n"
    "  MCUSIM_DW3F_M3 mcusim_dw3f_quad2_m, 4, 0, 128, 7, 1\n"
    "  MCUSIM_DW3F_M3 mcusim_dw3f_dual7_m, 1, 1, 128, 7, 1, 0, 0\n"
    "  MCUSIM_DW3F_M3 mcusim_dw3f_dual7_mo, 1, 1, 128, 7, 1\n"
    "  MCUSIM_DW3F_M3 mcusim_dw3f_dual7_mr, 1, 1, 128, 7, 1, 0, 0, 1\n"
    "  MCUSIM_DW3F_M3 mcusim_dw3f_dual7_mor, 1, 1, 128, 7, 1, 0, 1, 1\n"
    "  MCUSIM_DW3F_M3 mcusim_dw3f_pair27_m, 2, 1, 128, 7, 1\n"
    "  MCUSIM_DW3F_M3 mcusim_dw3f_quad27_m, 4, 1, 128, 7, 1\n"
    /* M4/M33 small maps of even heights and widths 2P (P in DW3P_DUALF_P): each step's P
     * passes unrolled at fixed offsets from the step's slot (no pointer move, no end test per
     * pass), one test per step: a pass's taps at byte q 256 of the step (a column is 128
     * bytes; q 256 + 3 128 <= 4095, LDR's immediate) */
    "  .macro MCUSIM_DW3F_DUALTAPSO off, cs=128, t=0\n"
    "  vmov r2, s6\n"                    /* first: no load right after the stores */
    "  MCUSIM_DW3F_LD \\t, 4-\\t, \\off+0*\\cs\n"
    "  MCUSIM_DW3F_TAP2 r4, r7, r10, r11, r2, r2\n"
    "  MCUSIM_DW3F_LD \\t, 4-\\t, \\off+1*\\cs\n"
    "  MCUSIM_DW3F_TAP2 r4, r7, lr, r2, r2, r2\n"
    "  MCUSIM_DW3F_TAP2 r5, r8, r10, r11, r10, r11\n"
    "  MCUSIM_DW3F_LD \\t, 4-\\t, \\off+2*\\cs\n"
    "  MCUSIM_DW3F_TAP2 r6, r9, r10, r11, r10, r11\n"
    "  MCUSIM_DW3F_TAP2 r5, r8, lr, r2, lr, r2\n"
    "  MCUSIM_DW3F_LD \\t, 4-\\t, \\off+3*\\cs\n"
    "  MCUSIM_DW3F_TAP2 r6, r9, lr, r2, lr, r2\n"
    "  .endm\n"
    /* the same for stride 2 (quads of output columns over nine scratch columns, 1024 bytes
     * a quad) */
    "  .macro MCUSIM_DW3F_QUADTAPSO off, cs=128, t=0\n"
    "  vmov r2, s6\n"                    /* first: no load right after the stores */
    "  MCUSIM_DW3F_LD \\t, 4-\\t, \\off+0*\\cs\n"
    "  MCUSIM_DW3F_TAP1 r4, r7, r10, r2\n"
    "  MCUSIM_DW3F_LD \\t, 4-\\t, \\off+1*\\cs\n"
    "  MCUSIM_DW3F_TAP1 r5, r8, r10, r10\n"
    "  MCUSIM_DW3F_LD \\t, 4-\\t, \\off+2*\\cs\n"
    "  MCUSIM_DW3F_TAP1 r6, r9, r10, r10\n"
    "  MCUSIM_DW3F_TAP1 r4, r7, r11, r2\n"
    "  MCUSIM_DW3F_LD \\t, 4-\\t, \\off+3*\\cs\n"
    "  MCUSIM_DW3F_TAP1 r5, r8, r11, r11\n"
    "  MCUSIM_DW3F_LD \\t, 4-\\t, \\off+4*\\cs\n"
    "  MCUSIM_DW3F_TAP1 r6, r9, r11, r11\n"
    "  MCUSIM_DW3F_TAP1 r4, r7, lr, r2\n"
    "  MCUSIM_DW3F_LD \\t, 4-\\t, \\off+5*\\cs\n"
    "  MCUSIM_DW3F_TAP1 r5, r8, lr, lr\n"
    "  MCUSIM_DW3F_LD \\t, 4-\\t, \\off+6*\\cs\n"
    "  MCUSIM_DW3F_TAP1 r6, r9, lr, lr\n"
    "  MCUSIM_DW3F_TAP1 r4, r7, r2, r2\n"   /* the bias's last use: r2 becomes a sum */
    "  MCUSIM_DW3F_LD \\t, 4-\\t, \\off+7*\\cs\n"
    "  MCUSIM_DW3F_TAP1 r5, r8, r2, r2\n"
    "  MCUSIM_DW3F_LD \\t, 4-\\t, \\off+8*\\cs\n"
    "  MCUSIM_DW3F_TAP1 r6, r9, r2, r2\n"
    "  .endm\n"
    /* per call: s7 v, s8 rec, s9 out (the channel's), s10 4 steps (the end of the steps from
     * the channel's first slot), s12 the group's end (out + 4), s14 r1's move from a step's end to the
     * next (out step - n ch); s3 orow, s4 ch; per channel s15 its steps' end */
    /* 3x3 maps with the channel count's immediate offsets, every output of a channel without
     * a loop: stride 1 (kind 2; slots 0-2, 5 scratch columns): rows 0-1 as a dual pass and
     * its third column, then row 2 (slots 1, 2); stride 2 (kind 6; 7 columns): each row's
     * three outputs from its slot pair (slot base + 4 per row), one load pair per column */
    /* two stride-2 outputs over five scratch columns from byte off, stored at out bytes o, o + ch
     * (kind 8: a row of 4P + 2 outputs ends with one) */
    "  .macro MCUSIM_DW3F_PAIR2O off, sign, o, ch\n"
    "  vmov r10, s6\n"
    "  MCUSIM_DW3F_LD 0, 4, \\off\n"
    "  MCUSIM_DW3F_TAP1 r4, r7, r11, r10\n"
    "  MCUSIM_DW3F_LD 0, 4, \\off+128\n"
    "  MCUSIM_DW3F_TAP1 r5, r8, r11, r11\n"
    "  MCUSIM_DW3F_LD 0, 4, \\off+256\n"
    "  MCUSIM_DW3F_TAP1 r6, r9, r11, r11\n"
    "  MCUSIM_DW3F_TAP1 r4, r7, lr, r10\n"
    "  MCUSIM_DW3F_LD 0, 4, \\off+384\n"
    "  MCUSIM_DW3F_TAP1 r5, r8, lr, lr\n"
    "  MCUSIM_DW3F_LD 0, 4, \\off+512\n"
    "  MCUSIM_DW3F_TAP1 r6, r9, lr, lr\n"
    "  MCUSIM_DW3F_M \\sign\n"
    "  MCUSIM_DW3F_MUL \\sign, r11\n"
    "  MCUSIM_DW3F_MUL \\sign, lr\n"
    "  MCUSIM_DW3F_E \\sign\n"
    "  MCUSIM_DW3F_SH \\sign, r11\n"
    "  MCUSIM_DW3F_SH \\sign, lr\n"
    "  strb r11, [r1, #\\o]\n"
    "  strb lr, [r1, #\\o+\\ch]\n"
    "  .endm\n"
    "  .macro MCUSIM_DW3F_MAP3S1 sign, ch\n"
    "  MCUSIM_DW3F_DUALTAPSO 0\n"
    "  MCUSIM_DW3F_DUALRQC \\sign, 0, \\ch, 3*\\ch\n"
    "  vmov r2, s6\n"
    "  MCUSIM_DW3F_LD 0, 4, 256\n"
    "  MCUSIM_DW3F_TAP2 r4, r7, r10, r11, r2, r2\n"
    "  MCUSIM_DW3F_LD 0, 4, 384\n"
    "  MCUSIM_DW3F_TAP2 r5, r8, r10, r11, r10, r11\n"
    "  MCUSIM_DW3F_LD 0, 4, 512\n"
    "  MCUSIM_DW3F_TAP2 r6, r9, r10, r11, r10, r11\n"
    "  MCUSIM_DW3F_M \\sign\n"
    "  MCUSIM_DW3F_MUL \\sign, r10\n"
    "  MCUSIM_DW3F_MUL \\sign, r11\n"
    "  MCUSIM_DW3F_E \\sign\n"
    "  MCUSIM_DW3F_SH \\sign, r10\n"
    "  MCUSIM_DW3F_SH \\sign, r11\n"
    "  strb r10, [r1, #2*\\ch]\n"
    "  strb r11, [r1, #5*\\ch]\n"
    "  MCUSIM_DW3F_LD 0, 4, 4\n"
    "  MCUSIM_DW3F_TAP1 r4, r7, r10, r2\n"
    "  MCUSIM_DW3F_LD 0, 4, 4+128\n"
    "  MCUSIM_DW3F_TAP1 r5, r8, r10, r10\n"
    "  MCUSIM_DW3F_TAP1 r4, r7, r11, r2\n"
    "  MCUSIM_DW3F_LD 0, 4, 4+256\n"
    "  MCUSIM_DW3F_TAP1 r6, r9, r10, r10\n"
    "  MCUSIM_DW3F_TAP1 r5, r8, r11, r11\n"
    "  MCUSIM_DW3F_TAP1 r4, r7, lr, r2\n"
    "  MCUSIM_DW3F_LD 0, 4, 4+384\n"
    "  MCUSIM_DW3F_TAP1 r6, r9, r11, r11\n"
    "  MCUSIM_DW3F_TAP1 r5, r8, lr, lr\n"
    "  MCUSIM_DW3F_LD 0, 4, 4+512\n"
    "  MCUSIM_DW3F_TAP1 r6, r9, lr, lr\n"
    "  MCUSIM_DW3F_M \\sign\n"
    "  MCUSIM_DW3F_MUL \\sign, r10\n"
    "  MCUSIM_DW3F_MUL \\sign, r11\n"
    "  MCUSIM_DW3F_MUL \\sign, lr\n"
    "  MCUSIM_DW3F_E \\sign\n"
    "  MCUSIM_DW3F_SH \\sign, r10\n"
    "  MCUSIM_DW3F_SH \\sign, r11\n"
    "  MCUSIM_DW3F_SH \\sign, lr\n"
    "  strb r10, [r1, #6*\\ch]\n"
    "  strb r11, [r1, #7*\\ch]\n"
    "  strb lr, [r1, #8*\\ch]\n"
    "  .endm\n"
    "  .macro MCUSIM_DW3F_MAP3S2 sign, ch\n"
    "  vmov r10, s6\n"
    "  .set mcusim_dw3f_s, 0\n"
    "  .rept 3\n"
    "  MCUSIM_DW3F_LD 0, 4, 4*mcusim_dw3f_s\n"
    "  MCUSIM_DW3F_TAP1 r4, r7, r11, r10\n"
    "  MCUSIM_DW3F_LD 0, 4, 4*mcusim_dw3f_s+128\n"
    "  MCUSIM_DW3F_TAP1 r5, r8, r11, r11\n"
    "  MCUSIM_DW3F_LD 0, 4, 4*mcusim_dw3f_s+256\n"
    "  MCUSIM_DW3F_TAP1 r6, r9, r11, r11\n"
    "  MCUSIM_DW3F_TAP1 r4, r7, lr, r10\n"
    "  MCUSIM_DW3F_LD 0, 4, 4*mcusim_dw3f_s+384\n"
    "  MCUSIM_DW3F_TAP1 r5, r8, lr, lr\n"
    "  MCUSIM_DW3F_LD 0, 4, 4*mcusim_dw3f_s+512\n"
    "  MCUSIM_DW3F_TAP1 r6, r9, lr, lr\n"
    "  MCUSIM_DW3F_TAP1 r4, r7, r2, r10\n"
    "  MCUSIM_DW3F_LD 0, 4, 4*mcusim_dw3f_s+640\n"
    "  MCUSIM_DW3F_TAP1 r5, r8, r2, r2\n"
    "  MCUSIM_DW3F_LD 0, 4, 4*mcusim_dw3f_s+768\n"
    "  MCUSIM_DW3F_TAP1 r6, r9, r2, r2\n"
    "  MCUSIM_DW3F_M \\sign\n"
    "  MCUSIM_DW3F_MUL \\sign, r11\n"
    "  MCUSIM_DW3F_MUL \\sign, lr\n"
    "  MCUSIM_DW3F_MUL \\sign, r2\n"
    "  MCUSIM_DW3F_E \\sign\n"
    "  MCUSIM_DW3F_SH \\sign, r11\n"
    "  MCUSIM_DW3F_SH \\sign, lr\n"
    "  MCUSIM_DW3F_SH \\sign, r2\n"
    "  strb r11, [r1, #3*\\ch*mcusim_dw3f_s]\n"
    "  strb lr, [r1, #3*\\ch*mcusim_dw3f_s+\\ch]\n"
    "  strb r2, [r1, #3*\\ch*mcusim_dw3f_s+2*\\ch]\n"
    "  .set mcusim_dw3f_s, mcusim_dw3f_s+1\n"
    "  .endr\n"
    "  .endm\n"
    /* Stride 2 over three row-pair slots (kind 9; the three-slot layout: column j, channel i,
     * slot s at byte 48 j + 12 i + 4 s): two output rows x two output columns per pass from
     * the pairs A = (r, r + 1), B = (r + 2, r + 3), C = (r + 4, r + 5) at slot bytes a, b, c
     * over five columns: row 0 = SMLAD A + SMLABT B, row 1 = SMLAD B + SMLABT C, so B is loaded
     * once for both rows: 15 loads per 4 outputs (the one-row quads: 18), the loads in pairs
     * but the last (the M4 pipelines a load only after a load). Sums r10 (row 0, column 0),
     * r11 (row 1, column 0), lr (row 0, column 1), r2 (row 1, column 1; the bias until its last
     * use); weights r4-r6 (w0, w1) and r7-r9 (w1, w2) of kernel columns 0-2. The small layout's
     * kind 10 runs the same pass over slots 2d, 2d + 1, 2d + 2 (cs 128). */
    "  .macro MCUSIM_DW3F_S3LD reg, k, x, off\n"
    "  ldr \\reg, [r0, #\\off+mcusim_dw3f_cs*\\k+\\x]\n"
    "  .endm\n"
    "  .macro MCUSIM_DW3F_S3PASS off, a, b, c, cs=48\n"
    "  .set mcusim_dw3f_cs, \\cs\n"
    "  vmov r2, s6\n"                    /* first: no load right after the stores */
    "  MCUSIM_DW3F_S3LD r3, 0, \\a, \\off\n"
    "  MCUSIM_DW3F_S3LD r12, 0, \\b, \\off\n"
    "  smlad r10, r3, r4, r2\n"
    "  smlabt r10, r12, r7, r10\n"
    "  smlad r11, r12, r4, r2\n"
    "  MCUSIM_DW3F_S3LD r3, 0, \\c, \\off\n"
    "  MCUSIM_DW3F_S3LD r12, 1, \\a, \\off\n"
    "  smlabt r11, r3, r7, r11\n"
    "  smlad r10, r12, r5, r10\n"
    "  MCUSIM_DW3F_S3LD r3, 1, \\b, \\off\n"
    "  MCUSIM_DW3F_S3LD r12, 1, \\c, \\off\n"
    "  smlabt r10, r3, r8, r10\n"
    "  smlad r11, r3, r5, r11\n"
    "  smlabt r11, r12, r8, r11\n"
    "  MCUSIM_DW3F_S3LD r3, 2, \\a, \\off\n"
    "  MCUSIM_DW3F_S3LD r12, 2, \\b, \\off\n"
    "  smlad r10, r3, r6, r10\n"
    "  smlad lr, r3, r4, r2\n"
    "  smlabt r10, r12, r9, r10\n"
    "  smlabt lr, r12, r7, lr\n"
    "  smlad r11, r12, r6, r11\n"
    "  smlad r2, r12, r4, r2\n"          /* the bias's last use: r2 becomes a sum */
    "  MCUSIM_DW3F_S3LD r3, 2, \\c, \\off\n"
    "  MCUSIM_DW3F_S3LD r12, 3, \\a, \\off\n"
    "  smlabt r11, r3, r9, r11\n"
    "  smlabt r2, r3, r7, r2\n"
    "  smlad lr, r12, r5, lr\n"
    "  MCUSIM_DW3F_S3LD r3, 3, \\b, \\off\n"
    "  MCUSIM_DW3F_S3LD r12, 3, \\c, \\off\n"
    "  smlabt lr, r3, r8, lr\n"
    "  smlad r2, r3, r5, r2\n"
    "  smlabt r2, r12, r8, r2\n"
    "  MCUSIM_DW3F_S3LD r3, 4, \\a, \\off\n"
    "  MCUSIM_DW3F_S3LD r12, 4, \\b, \\off\n"
    "  smlad lr, r3, r6, lr\n"
    "  MCUSIM_DW3F_S3LD r3, 4, \\c, \\off\n"
    "  smlabt lr, r12, r9, lr\n"
    "  smlad r2, r12, r6, r2\n"
    "  smlabt r2, r3, r9, r2\n"
    "  .endm\n"
    /* cs, t: the scratch's column bytes and word order (the row walk's 2-slot layout: 32, t0/t1);
     * row: one step per call (the row walk's loops, called per row or row pair) */
    "  .macro MCUSIM_DW3F_DUALF name, sign, P, kind=1, ch=0, cs=128, t=0, row=0\n"
    "  .pushsection .text.\\name, \"ax\", %progbits\n"
    MCUSIM_DW3_ASM_FUNC
    "  push {r4-r11, lr}\n"
    /* the entry past the PUSH, 4 bytes on (a widening's tail: mcusim_dw3p_widen_pairs8_c*_t;
     * MCUSIM_DW3F_BODY) */
    "  .if . - \\name - 4\n"
    "  .error \"the body entry moved\"\n"
    "  .endif\n"
    "  ldm r0, {r1-r4}\n"                /* v, (acc), n, rec */
    "  ldr r5, [r0, #16]\n"
    "  ldrd r6, r7, [r0, #20]\n"         /* ch, orow */
    "  ldrd r8, r9, [r0, #44]\n"         /* steps, out step */
    "  vmov s7, r1\n"
    "  vmov s8, r4\n"
    "  vmov s9, r5\n"
    "  vmov s4, r6\n"
    "  vmov s3, r7\n"
    "  mul r2, r3, r6\n"
    "  subs r2, r9, r2\n"
    "  vmov s14, r2\n"
    "  .if \\row == 2\n"                 /* two chunks of P passes: r0's end 4 P cs on */
    "  mov r8, #4*\\P*\\cs\n"
    "  .elseif \\row\n"
    "  movs r8, #4\n"
    "  .else\n"
    "  lsls r8, r8, #2\n"
    "  .endif\n"
    "  vmov s10, r8\n"
    "  adds r2, r5, #4\n"               /* the group's end: out + 4 channels */
    "  vmov s12, r2\n"
    "  vmov r0, s7\n"                   /* later channels: r0, r1 from the channel's end */
    "  vmov r1, s9\n"
    "10:\n"                               /* the record in one LDM: weights, bias, m, rnd, e */
    "  vmov r3, s8\n"
    "  ldm r3!, {r4-r12, lr}\n"
    "  vmov s8, r3\n"
    "  vmov s0, r11\n"
    "  vmov s1, r12\n"
    "  .if \\sign != 2\n"
    "  vmov s2, lr\n"
    "  .endif\n"
    "  vmov s6, r10\n"
    "  .if \\kind == 2\n"
    "  MCUSIM_DW3F_MAP3S1 \\sign, \\ch\n"
    "  .elseif \\kind == 6\n"
    "  MCUSIM_DW3F_MAP3S2 \\sign, \\ch\n"
    "  .elseif \\kind == 3\n"             /* a 2P x 2P map: its P steps unrolled too */
    "  .set mcusim_dw3f_st, 0\n"
    "  .rept \\P\n"
    "  .set mcusim_dw3f_q, 0\n"
    "  .rept \\P\n"
    "  MCUSIM_DW3F_DUALTAPSO 2*\\cs*mcusim_dw3f_q+4*mcusim_dw3f_st, \\cs, \\t\n"
    "  MCUSIM_DW3F_DUALRQC \\sign, 2*\\ch*mcusim_dw3f_q, \\ch, 2*\\P*\\ch\n"
    "  .set mcusim_dw3f_q, mcusim_dw3f_q+1\n"
    "  .endr\n"
    "  addw r1, r1, #4*\\P*\\ch\n"
    "  .set mcusim_dw3f_st, mcusim_dw3f_st+1\n"
    "  .endr\n"
    "  .else\n"
    "  vmov r2, s10\n"
    "  add r2, r0, r2\n"
    "  vmov s15, r2\n"
    "  .balign 4\n"                      /* the step loop's head is a 32-bit VMOV */
    "1:\n"
    "  .set mcusim_dw3f_q, 0\n"
    "  .rept \\P\n"
    "  .if \\kind == 10\n"              /* stride 2, two rows: slots 2d..2d + 2 */
    "  MCUSIM_DW3F_S3PASS 4*\\cs*mcusim_dw3f_q, 0, 4, 8, \\cs\n"
    "  MCUSIM_DW3F_DUALRQC \\sign, 2*\\ch*mcusim_dw3f_q, \\ch, 2*\\P*\\ch\n"
    "  .elseif \\kind == 4 || \\kind == 8\n"
    "  MCUSIM_DW3F_QUADTAPSO 8*\\cs*mcusim_dw3f_q, \\cs, \\t\n"
    "  .if \\ch\n"
    "  MCUSIM_DW3F_QUADRQC \\sign, 4*\\ch*mcusim_dw3f_q, \\ch\n"
    "  .else\n"
    "  MCUSIM_DW3F_QUADRQ \\sign\n"
    "  .endif\n"
    "  .else\n"
    "  MCUSIM_DW3F_DUALTAPSO 2*\\cs*mcusim_dw3f_q, \\cs, \\t\n"
    "  .if \\ch\n"
    "  MCUSIM_DW3F_DUALRQC \\sign, 2*\\ch*mcusim_dw3f_q, \\ch, (\\row/2+1)*2*\\P*\\ch\n"
    "  .else\n"
    "  MCUSIM_DW3F_DUALRQ \\sign\n"
    "  .endif\n"
    "  .endif\n"
    "  .set mcusim_dw3f_q, mcusim_dw3f_q+1\n"
    "  .endr\n"
    "  .if \\kind == 8\n"                /* width 4P + 2: a last pair of outputs */
    "  MCUSIM_DW3F_PAIR2O 1024*\\P, \\sign, 4*\\P*\\ch, \\ch\n"
    "  .endif\n"
    "  .if \\row == 2\n"                 /* the row's next chunk: 2P columns, 2P outputs on */
    "  add r0, r0, #2*\\P*\\cs\n"
    "  add r1, r1, #2*\\P*\\ch\n"
    "  .elseif \\kind == 10\n"
    "  adds r0, #8\n"                    /* the next two rows: two slots on */
    "  .else\n"
    "  adds r0, #4\n"                    /* the next step: the next slot, out + out step */
    "  .endif\n"
    "  .if \\row == 2\n"
    "  .elseif \\kind == 8\n"
    "  addw r1, r1, #(4*\\P+2)*\\ch\n"
    "  .elseif \\ch\n"
    "  addw r1, r1, #4*\\P*\\ch\n"
    "  .else\n"
    "  vmov r2, s14\n"
    "  add r1, r1, r2\n"
    "  .endif\n"
    "  vmov r2, s15\n"
    "  cmp r0, r2\n"
    "  bne 1b\n"
    "  .endif\n"
    "  MCUSIM_DW3F_NEXT_CH \\cs\n"
    "  pop {r4-r11, pc}\n"
    "  .size \\name, .-\\name\n"
    "  .popsection\n"
    "  .endm\n"
    /* mcusim_dw3f_u{d,q}<P>c<ch>{,p,s}: the instances the compiler can name (MCUSIM_DW3P_U) */
    "  .macro MCUSIM_DW3F_DUALF3 k, P, ch\n"
    "  .if \\k == 2\n"
    "  MCUSIM_DW3F_DUALF mcusim_dw3f_um\\P\\()c\\ch, 0, \\P, 2, \\ch\n"
    "  MCUSIM_DW3F_DUALF mcusim_dw3f_um\\P\\()c\\ch\\()p, 2, \\P, 2, \\ch\n"
    "  MCUSIM_DW3F_DUALF mcusim_dw3f_um\\P\\()c\\ch\\()s, 1, \\P, 2, \\ch\n"
    "  .elseif \\k == 6\n"
    "  MCUSIM_DW3F_DUALF mcusim_dw3f_un\\P\\()c\\ch, 0, \\P, 6, \\ch\n"
    "  MCUSIM_DW3F_DUALF mcusim_dw3f_un\\P\\()c\\ch\\()p, 2, \\P, 6, \\ch\n"
    "  MCUSIM_DW3F_DUALF mcusim_dw3f_un\\P\\()c\\ch\\()s, 1, \\P, 6, \\ch\n"
    "  .elseif \\k == 3\n"
    "  MCUSIM_DW3F_DUALF mcusim_dw3f_ue\\P\\()c\\ch, 0, \\P, 3, \\ch\n"
    "  MCUSIM_DW3F_DUALF mcusim_dw3f_ue\\P\\()c\\ch\\()p, 2, \\P, 3, \\ch\n"
    "  MCUSIM_DW3F_DUALF mcusim_dw3f_ue\\P\\()c\\ch\\()s, 1, \\P, 3, \\ch\n"
    "  .elseif \\k == 8\n"
    "  MCUSIM_DW3F_DUALF mcusim_dw3f_uv\\P\\()c\\ch, 0, \\P, 8, \\ch\n"
    "  MCUSIM_DW3F_DUALF mcusim_dw3f_uv\\P\\()c\\ch\\()p, 2, \\P, 8, \\ch\n"
    "  MCUSIM_DW3F_DUALF mcusim_dw3f_uv\\P\\()c\\ch\\()s, 1, \\P, 8, \\ch\n"
    "  .elseif \\k == 10\n"
    "  MCUSIM_DW3F_DUALF mcusim_dw3f_uw\\P\\()c\\ch, 0, \\P, 10, \\ch\n"
    "  MCUSIM_DW3F_DUALF mcusim_dw3f_uw\\P\\()c\\ch\\()p, 2, \\P, 10, \\ch\n"
    "  MCUSIM_DW3F_DUALF mcusim_dw3f_uw\\P\\()c\\ch\\()s, 1, \\P, 10, \\ch\n"
    "  .elseif \\k == 1\n"
    "  MCUSIM_DW3F_DUALF mcusim_dw3f_ud\\P\\()c\\ch, 0, \\P, 1, \\ch\n"
    "  MCUSIM_DW3F_DUALF mcusim_dw3f_ud\\P\\()c\\ch\\()p, 2, \\P, 1, \\ch\n"
    "  MCUSIM_DW3F_DUALF mcusim_dw3f_ud\\P\\()c\\ch\\()s, 1, \\P, 1, \\ch\n"
    "  .else\n"
    "  MCUSIM_DW3F_DUALF mcusim_dw3f_uq\\P\\()c\\ch, 0, \\P, 4, \\ch\n"
    "  MCUSIM_DW3F_DUALF mcusim_dw3f_uq\\P\\()c\\ch\\()p, 2, \\P, 4, \\ch\n"
    "  MCUSIM_DW3F_DUALF mcusim_dw3f_uq\\P\\()c\\ch\\()s, 1, \\P, 4, \\ch\n"
    "  .endif\n"
    "  .endm\n"
    MCUSIM_DW3P_U_ASM
    /* the row walk's instances the compiler can name (MCUSIM_DW3P_R_LIST): output strides as
     * immediates for one channel count and width; u: the whole row's passes unrolled (one
     * step per call over the 2-slot layout, both word orders), else the generic loops */
    "  .macro MCUSIM_DW3F_RINST1 name, kind, P, ch, t, row=1\n"
    "  MCUSIM_DW3F_DUALF \\name, 0, \\P, \\kind, \\ch, 32, \\t, \\row\n"
    "  MCUSIM_DW3F_DUALF \\name\\()p, 2, \\P, \\kind, \\ch, 32, \\t, \\row\n"
    "  MCUSIM_DW3F_DUALF \\name\\()s, 1, \\P, \\kind, \\ch, 32, \\t, \\row\n"
    "  .endm\n"
    /* one call: two output rows of the group's four channels, np passes per row in turns of
     * tp, output strides as immediates (ch, orow); r0 the channel's first scratch column, r1
     * its first output (the job's v, out) */
    "  .macro MCUSIM_DW3F_S3 name, sign, np, tp, ch, orow, a, b, c\n"
    "  .pushsection .text.\\name, \"ax\", %progbits\n"
    MCUSIM_DW3_ASM_FUNC
    "  push {r4-r11, lr}\n"
    "  ldm r0, {r1-r4}\n"                /* v, (acc), n, rec */
    "  ldr r5, [r0, #16]\n"
    "  vmov s7, r1\n"
    "  vmov s8, r4\n"
    "  vmov s9, r5\n"
    "  adds r2, r5, #4\n"               /* the group's end: out + 4 channels */
    "  vmov s12, r2\n"
    "  mov r0, r1\n"
    "  mov r1, r5\n"
    "10:\n"                               /* the record in one LDM: weights, bias, m, rnd, e */
    "  vmov r3, s8\n"
    "  ldm r3!, {r4-r12, lr}\n"
    "  vmov s8, r3\n"
    "  vmov s0, r11\n"
    "  vmov s1, r12\n"
    "  .if \\sign != 2\n"
    "  vmov s2, lr\n"
    "  .endif\n"
    "  vmov s6, r10\n"
    "  add r2, r0, #192*\\np\n"         /* the row's end: np passes of 4 columns */
    "  vmov s5, r2\n"
    "  .balign 4\n"
    "1:\n"
    "  .set mcusim_dw3f_q, 0\n"
    "  .rept \\tp\n"
    "  MCUSIM_DW3F_S3PASS 192*mcusim_dw3f_q, \\a, \\b, \\c\n"
    "  MCUSIM_DW3F_DUALRQC \\sign, 2*\\ch*mcusim_dw3f_q, \\ch, \\orow\n"
    "  .set mcusim_dw3f_q, mcusim_dw3f_q+1\n"
    "  .endr\n"
    "  add r0, r0, #192*\\tp\n"
    "  add r1, r1, #2*\\ch*\\tp\n"
    "  vmov r3, s5\n"
    "  cmp r0, r3\n"
    "  bne 1b\n"
    "  MCUSIM_DW3F_NEXT_CH 48\n"
    "  pop {r4-r11, pc}\n"
    "  .size \\name, .-\\name\n"
    "  .popsection\n"
    "  .endm\n"
    /* kind 9's three loops per form: _t<s> for the pair (r, r + 1) in slot s (the slots
     * rotate by two pairs per call) */
    "  .macro MCUSIM_DW3F_S3F name, np, tp, ch, orow, a, b, c\n"
    "  MCUSIM_DW3F_S3 \\name, 0, \\np, \\tp, \\ch, \\orow, \\a, \\b, \\c\n"
    "  MCUSIM_DW3F_S3 \\name\\()p, 2, \\np, \\tp, \\ch, \\orow, \\a, \\b, \\c\n"
    "  MCUSIM_DW3F_S3 \\name\\()s, 1, \\np, \\tp, \\ch, \\orow, \\a, \\b, \\c\n"
    "  .endm\n"
    "  .macro MCUSIM_DW3F_RINST k, kind, ow, ch, u, fr\n"
    "  .if \\kind == 9\n"                 /* passes per turn: 4, 3, 2 or 1 dividing ow / 2 */
    "  .if (\\ow/2) % 4 == 0\n"
    "  .set mcusim_dw3f_tp, 4\n"
    "  .elseif (\\ow/2) % 3 == 0\n"
    "  .set mcusim_dw3f_tp, 3\n"
    "  .elseif (\\ow/2) % 2 == 0\n"
    "  .set mcusim_dw3f_tp, 2\n"
    "  .else\n"
    "  .set mcusim_dw3f_tp, 1\n"
    "  .endif\n"
    "  MCUSIM_DW3F_S3F mcusim_dw3f_r\\k\\ow\\()c\\ch\\()_t0, \\ow/2, mcusim_dw3f_tp, \\ch, \\ow*\\ch, 0, 4, 8\n"
    "  MCUSIM_DW3F_S3F mcusim_dw3f_r\\k\\ow\\()c\\ch\\()_t1, \\ow/2, mcusim_dw3f_tp, \\ch, \\ow*\\ch, 4, 8, 0\n"
    "  MCUSIM_DW3F_S3F mcusim_dw3f_r\\k\\ow\\()c\\ch\\()_t2, \\ow/2, mcusim_dw3f_tp, \\ch, \\ow*\\ch, 8, 0, 4\n"
    "  .else\n"
    "  .if \\u && (\\fr || \\ow <= 24)\n"
    "  MCUSIM_DW3F_RINST1 mcusim_dw3f_r\\k\\ow\\()c\\ch\\()_t0, \\kind, \\ow/(\\kind+1-\\kind/4), \\ch, 0\n"
    "  MCUSIM_DW3F_RINST1 mcusim_dw3f_r\\k\\ow\\()c\\ch\\()_t1, \\kind, \\ow/(\\kind+1-\\kind/4), \\ch, 4\n"
    "  .elseif \\u && \\kind == 1\n"        /* M33, wide rows: half a row unrolled, twice */
    "  MCUSIM_DW3F_RINST1 mcusim_dw3f_r\\k\\ow\\()c\\ch\\()_t0, 1, \\ow/4, \\ch, 0, 2\n"
    "  MCUSIM_DW3F_RINST1 mcusim_dw3f_r\\k\\ow\\()c\\ch\\()_t1, 1, \\ow/4, \\ch, 4, 2\n"
    "  .else\n"
    "  MCUSIM_DW3F_T6 mcusim_dw3f_r\\k\\ow\\()c\\ch, \\kind, 0, 32, 5, 0, \\u, 1, 0, 0, \\ch, \\ow*\\ch\n"
    "  .endif\n"
    "  .endif\n"
    "  .endm\n"
    MCUSIM_DW3P_R_ASM
    "  .purgem MCUSIM_DW3F_RINST\n"
    "  .purgem MCUSIM_DW3F_RINST1\n"
    "  .purgem MCUSIM_DW3F_S3F\n"
    "  .purgem MCUSIM_DW3F_S3\n"
    "  .purgem MCUSIM_DW3F_S3PASS\n"
    "  .purgem MCUSIM_DW3F_S3LD\n"
    "  .purgem MCUSIM_DW3F_DUALF3\n"
    "  .purgem MCUSIM_DW3F_DUALRQC\n"
    "  .purgem MCUSIM_DW3F_QUADRQC\n"
    "  .purgem MCUSIM_DW3F_DUALRQR\n"
    "  .purgem MCUSIM_DW3F_MAP3S1\n"
    "  .purgem MCUSIM_DW3F_PAIR2O\n"
    "  .purgem MCUSIM_DW3F_MAP3S2\n"
    "  .purgem MCUSIM_DW3F_QUADRQR\n"
    "  .purgem MCUSIM_DW3F_QUADTAPSO\n"
    "  .purgem MCUSIM_DW3F_DUALF\n"
    "  .purgem MCUSIM_DW3F_DUALTAPSO\n"
    "  .purgem MCUSIM_DW3F\n"
    "  .purgem MCUSIM_DW3F_T6\n"
    "  .purgem MCUSIM_DW3F_M3\n"
    "  .purgem MCUSIM_DW3F_RQ4\n"
    "  .purgem MCUSIM_DW3F_COL2\n"
    "  .purgem MCUSIM_DW3F_COL2_S2\n"
    "  .purgem MCUSIM_DW3F_COL1\n"
    "  .purgem MCUSIM_DW3F_RQ2\n"
    "  .purgem MCUSIM_DW3F_RQ1\n"
    "  .purgem MCUSIM_DW3F_MUL\n"
    "  .purgem MCUSIM_DW3F_SH\n"
    "  .purgem MCUSIM_DW3F_E\n"
    "  .purgem MCUSIM_DW3F_M\n"
    "  .purgem MCUSIM_DW3F_LD\n"
    "  .purgem MCUSIM_DW3F_LDW\n"
    "  .purgem MCUSIM_DW3F_TAP2\n"
    "  .purgem MCUSIM_DW3F_TAP1\n"
    "  .purgem MCUSIM_DW3F_DUALTAPS\n"
    "  .purgem MCUSIM_DW3F_DUALRQ\n"
    "  .purgem MCUSIM_DW3F_QUADTAPS\n"
    "  .purgem MCUSIM_DW3F_QUADRQ\n"
    "  .purgem MCUSIM_DW3F_ROW1\n"
    "  .popsection\n");
#endif

/* Widening of input rows r and r + 1 of four channels into one scratch slot: per column one word
 * per channel, (row r, row r + 1) as int16 raw codes: the bytes (a0 a1 b0 b1) and (a2 a3 b2 b3)
 * by PKHBT/PKHTB, then SXTB16 gives (a0, b0), (a1, b1), ... Only the columns inside the image:
 * the padding columns hold (zp, zp) from the start; a row outside the image is read as the zero
 * point (a stride-0 pointer at four zero-point bytes). */
/* the in-image columns of the pair of input rows (r, r + 1) into slot s */
typedef struct {
    const int32_t *base;    /* the scratch */
    int32_t *v;             /* scratch at the first in-image column */
    int32_t n;              /* in-image columns */
    int32_t in_h, row, ch;
    const int32_t *zp4;     /* four zero-point bytes (rows outside the image) */
    int32_t pad;            /* (zp, zp): a scratch word of two rows outside the image */
} mcusim_dw3p_rows;

/* n columns of the row pair (p0, p1) into the slot at o (words o[0], o[2], o[4], o[6] per
 * column, 32 bytes apart): file-scope assembly, two columns per pass with the four loads back
 * to back (they pipeline), a light entry (it runs once per pair and group) */
void mcusim_dw3p_widen_cols(int32_t *o, const int8_t *p0, const int8_t *p1, int32_t n,
                            int32_t s0, int32_t s1);
void mcusim_dw3p_widen_cols3(int32_t *o, const int8_t *p0, const int8_t *p1, int32_t n,
                             int32_t s0, int32_t s1);
/* a small map's row pairs (8 slots, 128-byte columns: words o[0], o[8], o[16], o[24] per
 * column), all in one call (src per layer, c per group) */
typedef struct {            /* the order of the asm's LDM {r1, r2, r4, r5} */
    const int8_t *p0, *p1;
    int32_t s0, s1;
} mcusim_dw3p_src;
void mcusim_dw3p_widen_pairs8(int32_t *o, const mcusim_dw3p_src *src, int32_t np, int32_t n,
                              int32_t c);
__asm__(
    "  .syntax unified\n"
    "  .thumb\n"
    /* one column of the pair (a, b) at byte offset off from r0, channels c bytes apart */
    "  .macro MCUSIM_DW3P_WIDEN1 a, b, off, c\n"
    "  pkhbt r12, \\a, \\b, lsl #16\n"
    "  pkhtb lr, \\b, \\a, asr #16\n"
    "  sxtb16 \\a, r12\n"
    "  sxtb16 r12, r12, ror #8\n"
    "  sxtb16 \\b, lr\n"
    "  sxtb16 lr, lr, ror #8\n"
    "  str \\a, [r0, #\\off]\n"
    "  str r12, [r0, #\\off+\\c]\n"
    "  str \\b, [r0, #\\off+2*\\c]\n"
    "  str lr, [r0, #\\off+3*\\c]\n"
    "  .endm\n"
    /* c: channel stride, col: column stride (bytes) */
    /* n columns (r3) of the row pair at r1, r2 (strides r4, r5) into r0 */
    "  .macro MCUSIM_DW3P_WIDENLOOP c, col, align\n"
    "  subs r3, #2\n"
    "  blt 2f\n"
    "  .if \\align\n"
    "  .balign 4\n"
    "  .endif\n"
    "1:\n"
    "  ldr r6, [r1]\n"
    "  ldr r7, [r2]\n"
    "  ldr r8, [r1, r4]\n"
    "  ldr r9, [r2, r5]\n"
    "  add r1, r1, r4, lsl #1\n"
    "  add r2, r2, r5, lsl #1\n"
    /* WIDEN1 twice, interleaved so that each store follows an ALU instruction (the M7 issues
     * the pair together; the same cycles on the M4/M33); each column's word 0 stored last,
     * post-indexed to the next column (no pointer ADD) */
    "  pkhbt r12, r6, r7, lsl #16\n"
    "  pkhtb lr, r7, r6, asr #16\n"
    "  sxtb16 r6, r12\n"
    "  sxtb16 r12, r12, ror #8\n"
    "  str r12, [r0, #\\c]\n"
    "  sxtb16 r7, lr\n"
    "  str r7, [r0, #2*\\c]\n"
    "  sxtb16 lr, lr, ror #8\n"
    "  str lr, [r0, #3*\\c]\n"
    "  pkhbt r12, r8, r9, lsl #16\n"
    "  str r6, [r0], #\\col\n"
    "  pkhtb r6, r9, r8, asr #16\n"
    "  sxtb16 r8, r12\n"
    "  sxtb16 r12, r12, ror #8\n"
    "  str r12, [r0, #\\c]\n"
    "  sxtb16 r9, r6\n"
    "  str r9, [r0, #2*\\c]\n"
    "  sxtb16 r6, r6, ror #8\n"
    "  str r6, [r0, #3*\\c]\n"
    "  subs r3, #2\n"
    "  str r8, [r0], #\\col\n"
    "  bge 1b\n"
    "2:\n"
    "  adds r3, #2\n"
    "  beq 3f\n"
    "  ldr r6, [r1]\n"
    "  ldr r7, [r2]\n"
    "  MCUSIM_DW3P_WIDEN1 r6, r7, 0, \\c\n"
    "3:\n"
    "  .endm\n"
    "  .macro MCUSIM_DW3P_WIDEN name, c, col\n"
    "  .pushsection .text.\\name, \"ax\", %progbits\n"
    MCUSIM_DW3_ASM_FUNC
    "  push {r4-r9, lr}\n"
    "  ldrd r4, r5, [sp, #28]\n"          /* s0, s1 */
    "  MCUSIM_DW3P_WIDENLOOP \\c, \\col, 1\n"
    "  pop {r4-r9, pc}\n"
    "  .size \\name, .-\\name\n"
    "  .popsection\n"
    "  .endm\n"
    "  MCUSIM_DW3P_WIDEN mcusim_dw3p_widen_cols, 8, 32\n"
    /* the same into the three-slot layout (kind 9: 48-byte columns, channels 12 bytes apart) */
    "  MCUSIM_DW3P_WIDEN mcusim_dw3p_widen_cols3, 12, 48\n"
    /* all np row pairs of a small map's group, pair p into slot p: src[p] = {p0, p1, s0, s1}
     * for channel 0 (a row outside the image: the zero-point word, stride 0), c the group's
     * channel offset (added to the rows inside). One call per group instead of one per pair. */
    "  .pushsection .text.mcusim_dw3p_widen_pairs8, \"ax\", %progbits\n"
    "  .balign 4\n"
    "  .global mcusim_dw3p_widen_pairs8\n"
    "  .thumb_func\n"
    "  .type mcusim_dw3p_widen_pairs8, %function\n"
    "mcusim_dw3p_widen_pairs8:\n"
    "  push {r4-r11, lr}\n"
    "  ldr r12, [sp, #36]\n"             /* c */
    "  sub sp, #12\n"
    "  str r0, [sp]\n"                   /* [sp]: slot p's first column, n, c */
    "  strd r3, r12, [sp, #4]\n"
    "  mov r10, r1\n"
    "  add r11, r1, r2, lsl #4\n"
    "20:\n"
    "  ldm r10!, {r1, r2, r4, r5}\n"      /* p0, p1, s0, s1 */
    "  ldrd r3, r12, [sp, #4]\n"
    "  cmp r4, #0\n"
    "  it ne\n"
    "  addne r1, r1, r12\n"
    "  cmp r5, #0\n"
    "  it ne\n"
    "  addne r2, r2, r12\n"
    "  ldr r0, [sp]\n"
    "  adds r12, r0, #4\n"
    "  str r12, [sp]\n"
    "  MCUSIM_DW3P_WIDENLOOP 32, 128, 0\n"
    "  cmp r10, r11\n"
    "  bne 20b\n"
    "  add sp, #12\n"
    "  pop {r4-r11, pc}\n"
    "  .size mcusim_dw3p_widen_pairs8, .-mcusim_dw3p_widen_pairs8\n"
    "  .popsection\n"
    "  .purgem MCUSIM_DW3P_WIDENLOOP\n"
    "  .purgem MCUSIM_DW3P_WIDEN\n"
    "  .purgem MCUSIM_DW3P_WIDEN1\n");

#if MCUSIM_DW3P_FUSED
/* A small map's widening for one channel count CH and width N (the unrolled entries', so linked
 * with them alone): every column of a pair at immediate offsets (no pointer or stride moves, no
 * per-column loop test; widths over 12 in turns of 12 columns), the rows outside the image from
 * a register (one body per in/out combination of the pair's two rows), each pair's last store
 * after the next pair's loads (the M4 pipelines no load after a store). Width N only (the
 * caller checks; another width takes mcusim_dw3p_widen_pairs8). mcusim_dw3p_widen_pairs8's
 * arguments, then the group's job and its loop's entry past the loop's own PUSH
 * (mcusim_dw3f_<loop>_body): the widening ends by branching there with r0 = job, on its own
 * frame (the same registers pushed), so the loop's POP returns to the caller: one call, one
 * frame and no C between the widening and the taps of each group. */
typedef void (*mcusim_dw3p_widen_t_fn)(int32_t *, const mcusim_dw3p_src *, int32_t, int32_t,
                                       int32_t, void *, void (*)(void));
#define MCUSIM_DW3W_LIST(X) X(128, 6) X(64, 12) X(32, 24) X(256, 3)
#define MCUSIM_DW3W_DECL(ch, w)                                                                    \
    void mcusim_dw3p_widen_pairs8_c##ch##n##w##_t(int32_t *o, const mcusim_dw3p_src *src,          \
                                                  int32_t np, int32_t nc, int32_t c, void *job,    \
                                                  void (*body)(void));
MCUSIM_DW3W_LIST(MCUSIM_DW3W_DECL)
#undef MCUSIM_DW3W_DECL
typedef void (*mcusim_dw3p_widenc_fn)(int32_t *, const int8_t *, const int8_t *, int32_t, int32_t,
                                      int32_t);
#define MCUSIM_DW3WC_LIST(X) X(8, 48) X(16, 48)
#define MCUSIM_DW3WC3_LIST(X) X(16, 48)
#define MCUSIM_DW3W_DECL(ch, w)                                                                    \
    void mcusim_dw3p_widen_cols_c##ch##n##w(int32_t *o, const int8_t *p0, const int8_t *p1,       \
                                            int32_t nc, int32_t s0, int32_t s1);
MCUSIM_DW3WC_LIST(MCUSIM_DW3W_DECL)
#undef MCUSIM_DW3W_DECL
#define MCUSIM_DW3W_DECL(ch, w)                                                                    \
    void mcusim_dw3p_widen_cols3_c##ch##n##w(int32_t *o, const int8_t *p0, const int8_t *p1,      \
                                             int32_t nc, int32_t s0, int32_t s1);
MCUSIM_DW3WC3_LIST(MCUSIM_DW3W_DECL)
#undef MCUSIM_DW3W_DECL
__asm__(
    "  .syntax unified\n"
    "  .thumb\n"
    /* a row's word at column j: loaded, or the zero-point word r3 (a row outside the image) */
    "  .macro MCUSIM_DW3W_LD z, reg, p, off\n"
    "  .if \\z\n"
    "  mov \\reg, r3\n"
    "  .else\n"
    "  ldr \\reg, [\\p, #\\off]\n"
    "  .endif\n"
    "  .endm\n"
    /* columns j and j + 1 (one if one), cs bytes apart in the scratch, channels ws apart:
     * pend >= 0, the previous columns' last word (lr) still to store at that offset */
    "  .macro MCUSIM_DW3W_2 zt, zb, ch, j, pend, one, cs, ws\n"
    "  MCUSIM_DW3W_LD \\zt, r6, r1, (\\j)*\\ch\n"
    "  MCUSIM_DW3W_LD \\zb, r7, r2, (\\j)*\\ch\n"
    "  .if \\one == 0\n"
    "  MCUSIM_DW3W_LD \\zt, r8, r1, (\\j+1)*\\ch\n"
    "  MCUSIM_DW3W_LD \\zb, r9, r2, (\\j+1)*\\ch\n"
    "  .endif\n"
    "  .if \\pend >= 0\n"
    "  str lr, [r0, #\\pend]\n"
    "  .endif\n"
    "  pkhbt r12, r6, r7, lsl #16\n"
    "  pkhtb lr, r7, r6, asr #16\n"
    "  sxtb16 r6, r12\n"
    "  sxtb16 r12, r12, ror #8\n"
    "  str r6, [r0, #\\cs*(\\j)]\n"
    "  sxtb16 r7, lr\n"
    "  str r12, [r0, #\\cs*(\\j)+\\ws]\n"
    "  sxtb16 lr, lr, ror #8\n"
    "  str r7, [r0, #\\cs*(\\j)+2*\\ws]\n"
    "  .if \\one == 0\n"
    "  pkhbt r12, r8, r9, lsl #16\n"
    "  str lr, [r0, #\\cs*(\\j)+3*\\ws]\n"
    "  pkhtb lr, r9, r8, asr #16\n"
    "  sxtb16 r8, r12\n"
    "  sxtb16 r12, r12, ror #8\n"
    "  str r8, [r0, #\\cs*(\\j)+\\cs]\n"
    "  sxtb16 r9, lr\n"
    "  str r12, [r0, #\\cs*(\\j)+\\cs+\\ws]\n"
    "  sxtb16 lr, lr, ror #8\n"
    "  str r9, [r0, #\\cs*(\\j)+\\cs+2*\\ws]\n"
    "  .endif\n"
    "  .endm\n"
    /* columns j..k-1 of a turn */
    "  .macro MCUSIM_DW3W_RUN zt, zb, ch, j, k, pend, cs, ws\n"
    "  .if (\\k) - (\\j) >= 2\n"
    "  MCUSIM_DW3W_2 \\zt, \\zb, \\ch, \\j, \\pend, 0, \\cs, \\ws\n"
    "  MCUSIM_DW3W_RUN \\zt, \\zb, \\ch, (\\j+2), \\k, (\\cs*(\\j)+\\cs+3*\\ws), \\cs, \\ws\n"
    "  .elseif (\\k) - (\\j) == 1\n"
    "  MCUSIM_DW3W_2 \\zt, \\zb, \\ch, \\j, \\pend, 1, \\cs, \\ws\n"
    "  str lr, [r0, #\\cs*(\\j)+3*\\ws]\n"
    "  .else\n"
    "  str lr, [r0, #\\pend]\n"
    "  .endif\n"
    "  .endm\n"
    /* the widening's return: tail 1, into the loop's body (job, body: the stack arguments
     * after c) on this frame */
    "  .macro MCUSIM_DW3W_RET tail\n"
    "  .if \\tail\n"
    "  ldrd r0, r12, [sp, #40]\n"
    "  bx r12\n"
    "  .else\n"
    "  pop {r4-r11, pc}\n"
    "  .endif\n"
    "  .endm\n"
    /* one pair's n columns (r0 the slot's first column, r1/r2 the rows; over 12: turns of 12,
     * r11 the end) */
    "  .macro MCUSIM_DW3W_PAIR zt, zb, ch, n, cs=128, ws=32, tk=12\n"
    "  .if \\n <= \\tk\n"
    "  MCUSIM_DW3W_RUN \\zt, \\zb, \\ch, 0, \\n, -1, \\cs, \\ws\n"
    "  .else\n"
    "  add r11, r0, #\\cs*\\n\n"
    "1:\n"
    "  MCUSIM_DW3W_RUN \\zt, \\zb, \\ch, 0, \\tk, -1, \\cs, \\ws\n"
    "  add r1, r1, #\\tk*\\ch\n"
    "  add r2, r2, #\\tk*\\ch\n"
    "  add r0, r0, #\\tk*\\cs\n"
    "  cmp r0, r11\n"
    "  bne 1b\n"
    "  .endif\n"
    "  .endm\n"
    "  .macro MCUSIM_DW3W name, ch, n, tk=12, tail=0\n"
    "  .pushsection .text.\\name, \"ax\", %progbits\n"
    MCUSIM_DW3_ASM_FUNC
    "  .if \\tail == 0\n"
    "  cmp r3, #\\n\n"
    "  bne.w mcusim_dw3p_widen_pairs8\n"   /* another width: the generic loop (a tail call) */
    "  .endif\n"
    "  push {r4-r11, lr}\n"
    "  ldr r5, [sp, #36]\n"               /* c */
    "  mov r10, r1\n"
    "  .if \\n <= \\tk\n"                 /* no turns: r11 the src's end, r0 the slot (on at 90; 3 cycles a pair and call) */
    "  add r11, r1, r2, lsl #4\n"
    "  .else\n"
    "  add r12, r1, r2, lsl #4\n"
    "  sub sp, #4\n"
    "  str r12, [sp]\n"                   /* src's end */
    "  mov r4, r0\n"
    "  .endif\n"
    "20:\n"
    "  ldm r10!, {r1, r2, r6, r7}\n"      /* p0, p1, s0, s1 (0: a row outside the image) */
    "  .if \\n > \\tk\n"
    "  mov r0, r4\n"
    "  adds r4, #4\n"
    "  .endif\n"
    "  cmp r6, #0\n"
    "  beq 30f\n"
    "  add r1, r1, r5\n"
    "  cmp r7, #0\n"
    "  beq 40f\n"
    "  add r2, r2, r5\n"
    "  MCUSIM_DW3W_PAIR 0, 0, \\ch, \\n, 128, 32, \\tk\n"   /* both rows inside: no branch to the test */
    "90:\n"
    "  .if \\n <= \\tk\n"
    "  adds r0, #4\n"
    "  cmp r10, r11\n"
    "  bne 20b\n"
    "  .else\n"
    "  ldr r12, [sp]\n"
    "  cmp r10, r12\n"
    "  bne 20b\n"
    "  add sp, #4\n"
    "  .endif\n"
    "  MCUSIM_DW3W_RET \\tail\n"
    "30:\n"
    "  ldr r3, [r1]\n"
    "  cmp r7, #0\n"
    "  beq 50f\n"
    "  add r2, r2, r5\n"
    "  MCUSIM_DW3W_PAIR 1, 0, \\ch, \\n, 128, 32, \\tk\n"
    "  .if \\n <= \\tk\n"                 /* the pair test here (no branch back to it) */
    "  adds r0, #4\n"
    "  cmp r10, r11\n"
    "  bne 20b\n"
    "  MCUSIM_DW3W_RET \\tail\n"
    "  .else\n"
    "  b 90b\n"
    "  .endif\n"
    "40:\n"
    "  ldr r3, [r2]\n"
    "  MCUSIM_DW3W_PAIR 0, 1, \\ch, \\n, 128, 32, \\tk\n"
    "  .if \\n <= \\tk\n"                 /* the pair test here (no branch back to it) */
    "  adds r0, #4\n"
    "  cmp r10, r11\n"
    "  bne 20b\n"
    "  MCUSIM_DW3W_RET \\tail\n"
    "  .else\n"
    "  b 90b\n"
    "  .endif\n"
    "50:\n"
    "  MCUSIM_DW3W_PAIR 1, 1, \\ch, \\n, 128, 32, \\tk\n"
    "  .if \\n <= \\tk\n"                 /* the pair test here (no branch back to it) */
    "  adds r0, #4\n"
    "  cmp r10, r11\n"
    "  bne 20b\n"
    "  MCUSIM_DW3W_RET \\tail\n"
    "  .else\n"
    "  b 90b\n"
    "  .endif\n"
    "  .size \\name, .-\\name\n"
    "  .popsection\n"
    "  .endm\n"
#define MCUSIM_DW3W_INST(ch, n)                                                                    \
    "  MCUSIM_DW3W mcusim_dw3p_widen_pairs8_c" #ch "n" #n "_t, " #ch ", " #n ", 12, 1\n"
    MCUSIM_DW3W_LIST(MCUSIM_DW3W_INST)
#undef MCUSIM_DW3W_INST
    /* the row walk's pair of rows (mcusim_dw3p_widen_cols' arguments, both rows inside the
     * image at stride ch; anything else: the generic loop) */
    "  .macro MCUSIM_DW3WC name, ch, n, cs=32, ws=8, gen=mcusim_dw3p_widen_cols\n"
    "  .pushsection .text.\\name, \"ax\", %progbits\n"
    MCUSIM_DW3_ASM_FUNC
    "  cmp r3, #\\n\n"
    "  bne.w \\gen\n"
    "  ldrd r12, r3, [sp]\n"             /* s0, s1 */
    "  cmp r12, #\\ch\n"
    "  it eq\n"
    "  cmpeq r3, #\\ch\n"
    "  mov r3, #\\n\n"
    "  bne.w \\gen\n"
    "  push {r6-r9, r11, lr}\n"             /* turns of 24 columns: 12 and 6 lose to the turn tests, the whole row (48) to the M33 instruction cache */
    "  MCUSIM_DW3W_PAIR 0, 0, \\ch, \\n, \\cs, \\ws, 24\n"
    "  pop {r6-r9, r11, pc}\n"
    "  .size \\name, .-\\name\n"
    "  .popsection\n"
    "  .endm\n"
#define MCUSIM_DW3W_INST(ch, n) "  MCUSIM_DW3WC mcusim_dw3p_widen_cols_c" #ch "n" #n ", " #ch ", " #n "\n"
    MCUSIM_DW3WC_LIST(MCUSIM_DW3W_INST)
#undef MCUSIM_DW3W_INST
#define MCUSIM_DW3W_INST(ch, n)                                                                    \
    "  MCUSIM_DW3WC mcusim_dw3p_widen_cols3_c" #ch "n" #n ", " #ch ", " #n ", 48, 12, "           \
    "mcusim_dw3p_widen_cols3\n"
    MCUSIM_DW3WC3_LIST(MCUSIM_DW3W_INST)
#undef MCUSIM_DW3W_INST
    "  .purgem MCUSIM_DW3WC\n"
    "  .purgem MCUSIM_DW3W\n"
    "  .purgem MCUSIM_DW3W_PAIR\n"
    "  .purgem MCUSIM_DW3W_RUN\n"
    "  .purgem MCUSIM_DW3W_2\n"
    "  .purgem MCUSIM_DW3W_LD\n"
    "  .purgem MCUSIM_DW3W_RET\n");
/* the widening an unrolled instance's layer takes and its width (the channel count and width
 * it names; the any-channel instances: NULL, 0, the generic loop) */
#define MCUSIM_DW3W_OF_d3c0 NULL, 0
#define MCUSIM_DW3W_OF_d6c0 NULL, 0
#define MCUSIM_DW3W_OF_d12c0 NULL, 0
#define MCUSIM_DW3W_OF_q3c0 NULL, 0
#define MCUSIM_DW3W_OF_d3c128 mcusim_dw3p_widen_pairs8_c128n6_t, 6
#define MCUSIM_DW3W_OF_e3c128 mcusim_dw3p_widen_pairs8_c128n6_t, 6
#define MCUSIM_DW3W_OF_n3c128 mcusim_dw3p_widen_pairs8_c128n6_t, 6
#define MCUSIM_DW3W_OF_d6c64 mcusim_dw3p_widen_pairs8_c64n12_t, 12
#define MCUSIM_DW3W_OF_v1c64 mcusim_dw3p_widen_pairs8_c64n12_t, 12
#define MCUSIM_DW3W_OF_d12c32 mcusim_dw3p_widen_pairs8_c32n24_t, 24
#define MCUSIM_DW3W_OF_q3c32 mcusim_dw3p_widen_pairs8_c32n24_t, 24
#define MCUSIM_DW3W_OF_w6c32 mcusim_dw3p_widen_pairs8_c32n24_t, 24
#define MCUSIM_DW3W_OF_w3c64 mcusim_dw3p_widen_pairs8_c64n12_t, 12
#define MCUSIM_DW3W_OF_m3c256 mcusim_dw3p_widen_pairs8_c256n3_t, 3
/* the row walk's instances: VWW's 48-wide layers (KWS's 5-wide rows keep the generic loop: its
 * flash budget) */
#define MCUSIM_DW3WG_OF_d48c8 mcusim_dw3p_group_c8n48
#define MCUSIM_DW3WG_OF_q24c16 mcusim_dw3p_group_c16n48
#define MCUSIM_DW3WG_OF_s24c16 mcusim_dw3p_group3_c16n48
#define MCUSIM_DW3WG_OF_d5c64 NULL
#endif

static inline void mcusim_dw3p_widen_pair(const mcusim_dw3p_rows *k, const int8_t *in_c,
                                          int32_t r, int32_t s)
{
    if (k->n <= 0) {
        return;
    }
    const int32_t in0 = (uint32_t)r < (uint32_t)k->in_h, in1 = (uint32_t)(r + 1) < (uint32_t)k->in_h;
    const int8_t *p0 = in0 ? in_c + r * k->row : (const int8_t *)k->zp4;
    const int8_t *p1 = in1 ? in_c + (r + 1) * k->row : (const int8_t *)k->zp4;
    mcusim_dw3p_widen_cols(k->v + s, p0, p1, k->n, in0 ? k->ch : 0, in1 ? k->ch : 0);
}

#if MCUSIM_DW3P_FUSED
typedef void (*mcusim_dw3f_fn)(mcusim_dw3p_job *);
/* The loop tables, one set per rounding form (index: qmode >> 1; 0: with the sign term, suffix
 * s; 1: without; 2: prescaled, suffix p), so that a layer whose form the compiler names (the
 * _sign/_nosign/_pre entries) links only that form's loops. Per set: [mode - 1: pair1, dual,
 * pair2][t]; the two-row loops scheduled for the Cortex-M7's dual issue (each load beside a
 * multiply; on the M4 a load pipelines only after another load, so there the loads stay in
 * pairs); the M4/M33 two-row loops with two passes per turn (rows of at least 8 outputs) and
 * the stride-2 quads; the small-map loops (all steps per channel): [dual (even widths), quad2,
 * pair2, dual (odd widths), dual then a last row (odd heights; even, odd widths), dual of two
 * passes per turn (even widths of 8+ outputs; the M7 keeps its dual)], M4/M33 and M7 schedules
 * in separate tables so that a build links only its core's. */
/* a core's build names only its own schedules (MCUSIM_DW3F_FORM below) */
#define MCUSIM_DW3F_UNUSED __attribute__((unused))
#define MCUSIM_DW3F_TABLES(N, S)                                                                   \
    MCUSIM_DW3F_UNUSED static const mcusim_dw3f_fn mcusim_dw3f_fns_##N[3][2] = {                   \
        {mcusim_dw3f_pair1_t0##S, mcusim_dw3f_pair1_t1##S},                                        \
        {mcusim_dw3f_dual_t0##S, mcusim_dw3f_dual_t1##S},                                          \
        {mcusim_dw3f_pair2_t0##S, mcusim_dw3f_pair2_t1##S}};                                       \
    MCUSIM_DW3F_T01(N, dual7, S)                                                                   \
    MCUSIM_DW3F_T01(N, dualu, S)                                                                   \
    MCUSIM_DW3F_T01(N, quad2u, S)                                                                  \
    MCUSIM_DW3F_T01(N, quad2, S)                                                                   \
    MCUSIM_DW3F_T01(N, quad27, S)                                                                  \
    MCUSIM_DW3F_T01(N, pair27, S)                                                                  \
    MCUSIM_DW3F_UNUSED static const mcusim_dw3f_fn mcusim_dw3f_small4_##N[7] = {                   \
        mcusim_dw3f_dual_m##S, mcusim_dw3f_quad2_m##S, mcusim_dw3f_pair2_m##S,                     \
        mcusim_dw3f_dual_mo##S, mcusim_dw3f_dual_mr##S, mcusim_dw3f_dual_mor##S,                   \
        mcusim_dw3f_dual_mu##S};                                                                   \
    MCUSIM_DW3F_UNUSED static const mcusim_dw3f_fn mcusim_dw3f_small7_##N[7] = {                   \
        mcusim_dw3f_dual7_m##S, mcusim_dw3f_quad27_m##S, mcusim_dw3f_pair27_m##S,                  \
        mcusim_dw3f_dual7_mo##S, mcusim_dw3f_dual7_mr##S, mcusim_dw3f_dual7_mor##S,                \
        mcusim_dw3f_dual7_m##S};                                                                   \

/* the two loops of kind K and form S, one for each scratch word order (t0, t1) */
#define MCUSIM_DW3F_T01(N, K, S)                                                                   \
    MCUSIM_DW3F_UNUSED static const mcusim_dw3f_fn mcusim_dw3f_##K##_##N[2] = {                   \
        mcusim_dw3f_##K##_t0##S, mcusim_dw3f_##K##_t1##S};
MCUSIM_DW3F_TABLES(0, s)
MCUSIM_DW3F_TABLES(1, )
MCUSIM_DW3F_TABLES(2, p)
#undef MCUSIM_DW3F_TABLES
#undef MCUSIM_DW3F_T01
#undef MCUSIM_DW3F_UNUSED
/* one rounding form's tables, which the form's entries name (and so link) alone */
typedef struct {
    int32_t form;                             /* qmode >> 1 */
    const mcusim_dw3f_fn (*fns)[2];
    const mcusim_dw3f_fn *dual7, *dualu, *quad2u, *quad2, *quad27, *pair27, *small4, *small7;
} mcusim_dw3f_form;
/* a build that names its core (-DMCUSIM_CORE_M7=0/1) keeps only that core's schedules */
#if defined(MCUSIM_CORE_M7) && MCUSIM_CORE_M7
#define MCUSIM_DW3F_M4(T) NULL
#else
#define MCUSIM_DW3F_M4(T) T
#endif
#if defined(MCUSIM_CORE_M7) && !MCUSIM_CORE_M7
#define MCUSIM_DW3F_M7(T) NULL
#else
#define MCUSIM_DW3F_M7(T) T
#endif
#define MCUSIM_DW3F_FORM(N)                                                                        \
    static const mcusim_dw3f_form mcusim_dw3f_form_##N = {                                         \
        N, mcusim_dw3f_fns_##N, MCUSIM_DW3F_M7(mcusim_dw3f_dual7_##N),                             \
        MCUSIM_DW3F_M4(mcusim_dw3f_dualu_##N), MCUSIM_DW3F_M4(mcusim_dw3f_quad2u_##N),             \
        MCUSIM_DW3F_M4(mcusim_dw3f_quad2_##N), MCUSIM_DW3F_M7(mcusim_dw3f_quad27_##N),             \
        MCUSIM_DW3F_M7(mcusim_dw3f_pair27_##N), MCUSIM_DW3F_M4(mcusim_dw3f_small4_##N),            \
        MCUSIM_DW3F_M7(mcusim_dw3f_small7_##N)};
MCUSIM_DW3F_FORM(0)
MCUSIM_DW3F_FORM(1)
MCUSIM_DW3F_FORM(2)
#undef MCUSIM_DW3F_FORM
#undef MCUSIM_DW3F_M4
#undef MCUSIM_DW3F_M7
typedef void (*mcusim_dw3p_group_fn)(mcusim_dw3p_job *, const mcusim_dw3p_rows *,
                                     const int8_t *, const int32_t *, int8_t *, int32_t, int32_t,
                                     int32_t, int32_t, const mcusim_dw3f_fn (*)[2]);
#define MCUSIM_DW3W_DECL(ch, w)                                                                    \
    static void mcusim_dw3p_group_c##ch##n##w(mcusim_dw3p_job *, const mcusim_dw3p_rows *,        \
                                              const int8_t *, const int32_t *, int8_t *, int32_t, \
                                              int32_t, int32_t, int32_t,                          \
                                              const mcusim_dw3f_fn (*)[2]);
MCUSIM_DW3WC_LIST(MCUSIM_DW3W_DECL)
#undef MCUSIM_DW3W_DECL
#define MCUSIM_DW3W_DECL(ch, w)                                                                    \
    static void mcusim_dw3p_group3_c##ch##n##w(mcusim_dw3p_job *, const mcusim_dw3p_rows *,       \
                                               const int8_t *, const int32_t *, int8_t *, int32_t, \
                                               int32_t, int32_t, int32_t,                          \
                                               const mcusim_dw3f_fn (*)[2]);
MCUSIM_DW3WC3_LIST(MCUSIM_DW3W_DECL)
#undef MCUSIM_DW3W_DECL
/* An unrolled small-map loop as an entry names it (one per form, so that only it is linked):
 * the layer shape it fits, checked before it runs */
typedef struct {
    mcusim_dw3f_fn fn[3]; /* small map: [0]; row walk: per scratch word order t (kind 9: per
                             slot of the call's first pair) */
    int32_t kind;       /* 1: stride 1, two rows per pass (small: width 2P, even heights); 4:
                           stride 2, quads (small: width 4P); 2, 6: a 3x3 map at stride 1, 2;
                           8: stride 2, width 4P + 2 (quads, then a pair); 3: stride 1, a
                           2P x 2P map, every step unrolled; 9: stride 2, two output rows per
                           call over three row-pair slots (row walk, even heights); 10: stride
                           2, width 2P, two output rows per step (small: even heights) */
    int32_t p, ch;      /* small: passes per step; row walk: the width; the channel count of
                           the immediate offsets (0: any, small maps only) */
    int32_t form;       /* qmode >> 1 */
    int32_t row;        /* 1: a row-walk instance (MCUSIM_DW3P_R_LIST) */
    mcusim_dw3p_group_fn group; /* row walk: the group walk with its widening
                                   (MCUSIM_DW3WG_OF_*), or NULL: the generic widening (KWS's
                                   5-wide rows: its flash budget) */
    /* small map: its widening for wn input columns, tail-calling fn's body (MCUSIM_DW3W_OF_*;
       NULL: the generic widening, then fn) */
    mcusim_dw3p_widen_t_fn widen;
    int32_t wn;
} mcusim_dw3f_unrolled;
/* a DUALF loop's entry past its PUSH {r4-r11, lr} (a 32-bit instruction; the assembler checks
 * the offset), where a widening's tail enters it: a code address, no symbol of its own, so the
 * profile keeps the loop's cycles under the loop's name */
#define MCUSIM_DW3F_BODY(fn) ((void (*)(void))((uintptr_t)(fn) + 4))
#define MCUSIM_DW3F_USPEC1(k, P, ch, kind, N, S)                                                   \
    static const mcusim_dw3f_unrolled mcusim_dw3f_us_##k##P##c##ch##_##N = {                       \
        {mcusim_dw3f_u##k##P##c##ch##S, NULL}, kind, P, ch, N, 0, NULL,                           \
        MCUSIM_DW3W_OF_##k##P##c##ch};
#define MCUSIM_DW3F_USPEC(k, kind, P, ch)                                                          \
    MCUSIM_DW3F_USPEC1(k, P, ch, kind, 0, s)                                                       \
    MCUSIM_DW3F_USPEC1(k, P, ch, kind, 1, )                                                        \
    MCUSIM_DW3F_USPEC1(k, P, ch, kind, 2, p)
MCUSIM_DW3P_U_LIST(MCUSIM_DW3F_USPEC)
#undef MCUSIM_DW3F_USPEC
#undef MCUSIM_DW3F_USPEC1
#define MCUSIM_DW3F_RSPEC1(k, ow, ch, kind, N, S)                                                  \
    static const mcusim_dw3f_unrolled mcusim_dw3f_rs_##k##ow##c##ch##_##N = {                      \
        {mcusim_dw3f_r##k##ow##c##ch##_t0##S, mcusim_dw3f_r##k##ow##c##ch##_t1##S,                 \
         MCUSIM_DW3F_T2_##k(mcusim_dw3f_r##k##ow##c##ch##_t2##S)}, kind, ow, ch, N, 1,            \
        MCUSIM_DW3WG_OF_##k##ow##c##ch, NULL, 0};
/* the third loop: kind 9 (k = s) only, the other kinds have two word orders */
#define MCUSIM_DW3F_T2_s(fn) fn
#define MCUSIM_DW3F_T2_q(fn) NULL
#define MCUSIM_DW3F_T2_d(fn) NULL
#define MCUSIM_DW3F_RSPEC(k, kind, ow, ch, u)                                                      \
    MCUSIM_DW3F_RSPEC1(k, ow, ch, kind, 0, s)                                                      \
    MCUSIM_DW3F_RSPEC1(k, ow, ch, kind, 1, )                                                       \
    MCUSIM_DW3F_RSPEC1(k, ow, ch, kind, 2, p)
MCUSIM_DW3P_R_LIST(MCUSIM_DW3F_RSPEC)
#undef MCUSIM_DW3F_RSPEC
#undef MCUSIM_DW3F_RSPEC1

#endif

/* One step of one group: the pairs (y0, y0+1) and (y0+2, y0+3) in two slots (widened unless
 * held), then the output rows (mode 2: two rows, 3: stride-2 column pairs, 1: one row).
 * Returns the output rows done. fns: the layer's form's fused loops, [mode - 1][t]. */
static inline int32_t mcusim_dw3p_step(mcusim_dw3p_job *job, const mcusim_dw3p_rows *rows,
                                       int32_t *held, const int8_t *in_c, const int32_t *rec,
                                       int8_t *out, int32_t y0, int32_t mode,
                                       const void *fns)
{
    /* slot t holds the pair (y0, y0+1), slot 1 - t the pair (y0+2, y0+3) */
    const int32_t t = held[1] == y0 || (held[0] != y0 && held[0] == y0 + 2);
    if (held[t] != y0) {
        mcusim_dw3p_widen_pair(rows, in_c, y0, t);
        held[t] = y0;
    }
    if (held[1 - t] != y0 + 2) {
        mcusim_dw3p_widen_pair(rows, in_c, y0 + 2, 1 - t);
        held[1 - t] = y0 + 2;
    }
    job->v = rows->base;
    job->rec = rec;
    job->out = out;
#if MCUSIM_DW3P_FUSED
    if (job->qmode == 0 || job->qmode == 2 || job->qmode == 4) {   /* SSAT: in the tap loop */
        if (mode != 1 || job->vstep == 32) {      /* one row: stride 1 only */
            ((const mcusim_dw3f_fn (*)[2])fns)[mode - 1][t](job);
            return mode == 2 ? 2 : 1;
        }
    }
#else
    (void)fns;
#endif
    if (mode == 2) {
        (t ? mcusim_dw3p_dual_t1 : mcusim_dw3p_dual_t0)(job);
        return 2;
    }
    if (mode == 3) {
        (t ? mcusim_dw3p_pair2_t1 : mcusim_dw3p_pair2_t0)(job);
    } else {
        (t ? mcusim_dw3p_single_t1 : mcusim_dw3p_single_t0)(job);
    }
    return 1;
}

#if MCUSIM_DW3P_FUSED
/* All output rows of one group when every step moves two input rows down (stride 1 in pairs
 * of rows then a last odd row, or vertical stride 2): the slots simply alternate, the pair
 * (y0, y0+1) held from the step before and one new pair widened per step. fn[0]: the
 * two-row loops, fn[1]: the one-row loops, each [t]; widenc: the widening of a pair of rows
 * inside the image. */
/* the row walk's pair (y, y + 1) into slot s: both rows inside the image by widenc, both outside
 * (the last pair of a stride-2 map with padding below) as (zp, zp) words without loads or
 * widening, else the generic loop */
static inline __attribute__((always_inline)) void
mcusim_dw3p_group_pair(const mcusim_dw3p_rows *rows, const int8_t *in_c, int32_t y, int32_t s,
                       mcusim_dw3p_widenc_fn widenc)
{
    if (rows->n <= 0) {
        return;
    }
    if ((uint32_t)y < (uint32_t)(rows->in_h - 1)) {
        const int8_t *p = in_c + y * rows->row;
        widenc(rows->v + s, p, p + rows->row, rows->n, rows->ch, rows->ch);
    } else if ((uint32_t)(y + 1) > (uint32_t)rows->in_h) {
        int32_t *o = rows->v + s;
        const int32_t pad = rows->pad;
        for (int32_t j = 0; j < rows->n; j++, o += 8) {
            o[0] = pad;
            o[2] = pad;
            o[4] = pad;
            o[6] = pad;
        }
    } else {
        mcusim_dw3p_widen_pair(rows, in_c, y, s);
    }
}
static inline __attribute__((always_inline)) void
mcusim_dw3p_group_impl(mcusim_dw3p_job *job, const mcusim_dw3p_rows *rows, const int8_t *in_c,
                       const int32_t *rec, int8_t *out_c, int32_t koh, int32_t ors, int32_t y0,
                       int32_t dual_rows, const mcusim_dw3f_fn (*fn)[2],
                       mcusim_dw3p_widenc_fn widenc, int32_t pairs)
{
    int32_t t = 0;
    if (pairs) {        /* a constant: the instances' copies (mcusim_dw3p_group_pair) */
        mcusim_dw3p_group_pair(rows, in_c, y0, 0, widenc);
        mcusim_dw3p_group_pair(rows, in_c, y0 + 2, 1, widenc);
    } else {            /* the generic walk inlined in mcusim_dw3p_run: as small as before */
        mcusim_dw3p_widen_pair(rows, in_c, y0, 0);
        mcusim_dw3p_widen_pair(rows, in_c, y0 + 2, 1);
    }
    /* the loops only read the job: v and rec hold for the whole group */
    job->v = rows->base;
    job->rec = rec;
    for (int32_t oy = 0;;) {
        job->out = out_c;
        const int32_t two = oy < dual_rows;
        fn[!two][t](job);
        oy += two ? 2 : 1;
        out_c += two ? 2 * ors : ors;
        if (oy >= koh) {
            break;
        }
        y0 += 2;
        if (pairs) {
            mcusim_dw3p_group_pair(rows, in_c, y0 + 2, t, widenc);
        } else if ((uint32_t)(y0 + 2) < (uint32_t)(rows->in_h - 1) && rows->n > 0) {
            const int8_t *p = in_c + (y0 + 2) * rows->row;      /* both rows inside */
            widenc(rows->v + t, p, p + rows->row, rows->n, rows->ch, rows->ch);
        } else {
            mcusim_dw3p_widen_pair(rows, in_c, y0 + 2, t);
        }
        t ^= 1;
    }
}
/* the generic widening, inlined where the kernel runs it */
static void mcusim_dw3p_group(mcusim_dw3p_job *job, const mcusim_dw3p_rows *rows,
                              const int8_t *in_c, const int32_t *rec, int8_t *out_c,
                              int32_t koh, int32_t ors, int32_t y0, int32_t dual_rows,
                              const mcusim_dw3f_fn (*fn)[2])
{
    mcusim_dw3p_group_impl(job, rows, in_c, rec, out_c, koh, ors, y0, dual_rows, fn,
                           mcusim_dw3p_widen_cols, 0);
}
/* a row walk instance's widening (a copy per instance, linked only through the instance's
 * spec, so a model that never names it keeps the generic loop's code alone) */
#define MCUSIM_DW3W_GROUP(ch, w)                                                                   \
    static __attribute__((noinline)) void mcusim_dw3p_group_c##ch##n##w(                           \
        mcusim_dw3p_job *job, const mcusim_dw3p_rows *rows, const int8_t *in_c,                   \
        const int32_t *rec, int8_t *out_c, int32_t koh, int32_t ors, int32_t y0,                  \
        int32_t dual_rows, const mcusim_dw3f_fn (*fn)[2])                                         \
    {                                                                                              \
        mcusim_dw3p_group_impl(job, rows, in_c, rec, out_c, koh, ors, y0, dual_rows, fn,           \
                               mcusim_dw3p_widen_cols_c##ch##n##w, 1);                            \
    }
MCUSIM_DW3WC_LIST(MCUSIM_DW3W_GROUP)
#undef MCUSIM_DW3W_GROUP
/* the three-slot layout's pair (y, y + 1) into slot s (column j, channel i: word 12 j + 3 i + s),
 * as mcusim_dw3p_group_pair */
static inline __attribute__((always_inline)) void
mcusim_dw3p_group_pair3(const mcusim_dw3p_rows *rows, const int8_t *in_c, int32_t y, int32_t s,
                        mcusim_dw3p_widenc_fn widenc)
{
    if (rows->n <= 0) {
        return;
    }
    if ((uint32_t)y < (uint32_t)(rows->in_h - 1)) {
        const int8_t *p = in_c + y * rows->row;
        widenc(rows->v + s, p, p + rows->row, rows->n, rows->ch, rows->ch);
    } else if ((uint32_t)(y + 1) > (uint32_t)rows->in_h) {
        int32_t *o = rows->v + s;
        const int32_t pad = rows->pad;
        for (int32_t j = 0; j < rows->n; j++, o += 12) {
            o[0] = pad;
            o[3] = pad;
            o[6] = pad;
            o[9] = pad;
        }
    } else {
        const int32_t in0 = (uint32_t)y < (uint32_t)rows->in_h;
        const int8_t *p0 = in0 ? in_c + y * rows->row : (const int8_t *)rows->zp4;
        const int8_t *p1 = in0 ? (const int8_t *)rows->zp4 : in_c + (y + 1) * rows->row;
        mcusim_dw3p_widen_cols3(rows->v + s, p0, p1, rows->n, in0 ? rows->ch : 0,
                                in0 ? 0 : rows->ch);
    }
}
/* Stride 2 over the three-slot layout (kind 9, an even count of output rows): pair k = rows
 * y0 + 2k, y0 + 2k + 1 in slot k mod 3; each call runs output rows 2d and 2d + 1 from the
 * pairs 2d..2d + 2 (fn[s]: the pair 2d in slot s), two new pairs widened per call. fn: the
 * instance's three loops (mcusim_dw3f_unrolled.fn). */
#define MCUSIM_DW3W_GROUP(ch, w)                                                                   \
    static __attribute__((noinline)) void mcusim_dw3p_group3_c##ch##n##w(                          \
        mcusim_dw3p_job *job, const mcusim_dw3p_rows *rows, const int8_t *in_c,                   \
        const int32_t *rec, int8_t *out_c, int32_t koh, int32_t ors, int32_t y0,                  \
        int32_t dual_rows, const mcusim_dw3f_fn (*fn)[2])                                         \
    {                                                                                              \
        const mcusim_dw3f_fn *f3 = (const mcusim_dw3f_fn *)fn;                                    \
        (void)dual_rows;                                                                           \
        job->v = rows->base;                                                                       \
        job->rec = rec;                                                                            \
        mcusim_dw3p_group_pair3(rows, in_c, y0, 0, mcusim_dw3p_widen_cols3_c##ch##n##w);          \
        for (int32_t oy = 0, s = 0; oy < koh; oy += 2) {                                           \
            mcusim_dw3p_group_pair3(rows, in_c, y0 + 2, s == 2 ? 0 : s + 1,                        \
                                    mcusim_dw3p_widen_cols3_c##ch##n##w);                          \
            s = s == 0 ? 2 : s - 1;             /* (s + 2) mod 3: the pair 2d + 2, and 2d' */     \
            mcusim_dw3p_group_pair3(rows, in_c, y0 + 4, s,                                        \
                                    mcusim_dw3p_widen_cols3_c##ch##n##w);                          \
            job->out = out_c;                                                                      \
            f3[s == 2 ? 0 : s + 1](job);        /* the call's first pair: slot s - 2 = s + 1 */   \
            out_c += 2 * ors;                                                                      \
            y0 += 4;                                                                               \
        }                                                                                          \
    }
MCUSIM_DW3WC3_LIST(MCUSIM_DW3W_GROUP)
#undef MCUSIM_DW3W_GROUP
#endif
#endif

#if MCUSIM_DW3P_FUSED
/* A small map's block: src[p] for its np row pairs (kernel-frame rows y0 + 2p, y0 + 2p + 1 of
 * channel 0; a row outside the image reads the zero-point word at stride 0). Returns the pairs
 * to widen per group, up to the last with a row inside the image: the trailing pairs wholly
 * outside (padding below: VWW's stride-2 maps, 3x3 maps at stride 1) hold (zp, zp) in every
 * group, so their slots are written here once per block instead of widened per group. */
static __attribute__((noinline)) int32_t
mcusim_dw3p_small_src(mcusim_dw3p_src *src, const mcusim_dw3p_rows *rows, const int8_t *in_b,
                      int32_t y0, int32_t np, const int32_t *zp4)
{
    int32_t npw = 0;
    for (int32_t p = 0; p < np; p++) {
        const int32_t y = y0 + 2 * p;
        const int32_t in0 = (uint32_t)y < (uint32_t)rows->in_h;
        const int32_t in1 = (uint32_t)(y + 1) < (uint32_t)rows->in_h;
        src[p] = (mcusim_dw3p_src){in0 ? in_b + y * rows->row : (const int8_t *)zp4,
                                   in1 ? in_b + (y + 1) * rows->row : (const int8_t *)zp4,
                                   in0 ? rows->ch : 0, in1 ? rows->ch : 0};
        npw = in0 || in1 ? p + 1 : npw;
    }
    for (int32_t p = npw; p < np; p++) {
        int32_t *o = rows->v + p;     /* column j, channel i: word 32 j + 8 i + p */
        for (int32_t j = 0; j < rows->n; j++, o += 4 * DW3P_SLOTS) {
            o[0] = rows->pad;
            o[8] = rows->pad;
            o[16] = rows->pad;
            o[24] = rows->pad;
        }
    }
    return npw;
}

/* A small map's group: its np row pairs widened into slots 0..np-1 (src: pair p = kernel-frame
 * rows y0 + 2p, y0 + 2p + 1, for channel 0), then one call runs every step of each channel
 * (job: steps set) */
static void mcusim_dw3p_small_group(mcusim_dw3p_job *job, const mcusim_dw3p_rows *rows,
                                    const mcusim_dw3p_src *src, int32_t c, const int32_t *rec,
                                    int8_t *out_c, int32_t np, mcusim_dw3f_fn fn,
                                    const mcusim_dw3f_unrolled *wt)
{
    job->v = rows->base;
    job->rec = rec;
    job->out = out_c;
    if (wt != NULL) {           /* the widening runs on into fn (its body entry) */
        wt->widen(rows->v, src, np, rows->n, c, job, MCUSIM_DW3F_BODY(fn));
        return;
    }
    mcusim_dw3p_widen_pairs8(rows->v, src, np, rows->n, c);
    fn(job);
}
#endif

#if MCUSIM_DW3P_V6M
/* ARMv6-M (no DSP, no 64-bit product): channel by channel, the input rows one channel needs
 * copied once each into a ring of three int32 rows (padding in place, the zero point), so the
 * taps are word loads with immediate offsets, then the requantization, one output row per call.
 * Scratch: 4 rows of columns (the ring and a row of zero points). */

static __attribute__((noinline)) void
mcusim_dw3p_v6m_copy(int32_t *o, const int8_t *p, int32_t n, int32_t ch)
{
    for (const int32_t *end = o + n; o != end; o++, p += ch) {
        *o = *p;
    }
}

/* One output row of one channel: n windows over the rows r0..r2 (int32 words, s words apart),
 * k: the nine weights, then bias, m0, m1, m2, rnd, e, lo, hi. The compiler guarantees
 * |sum| < 2^19 on this path, so SaturatingRoundingDoublingHighMul floor((a m + 2^30) / 2^31)
 * splits m into 9 + 11 + 11 bits, m = m2 2^22 + m1 2^11 + m0, with every partial sum inside
 * int32 and the floors nested exactly: t0 = (a m0 + 2^30) >> 11, t1 = (a m1 + t0) >> 11,
 * h = (a m2 + t1) >> 9 (three MULS instead of four 16-bit partial products and their carries). */
enum { V6_BIAS = 9, V6_M0, V6_M1, V6_M2, V6_RND, V6_EXP, V6_LO, V6_HI, V6_N };
/* Assembly at file scope (fixed registers; gcc spilled the C form to about 166 cycles per
 * output): r0-r2 the three rows, r3 k (LDM of a kernel row's three weights, then back), r4-r7
 * temporaries, r8 the sum, r9 o, r10 the row step in bytes, r11 ostep, r12 the count.
 * AAPCS: r0-r3 r0, r1, r2, n; stack s, k, o, ostep. About 100 cycles per output. */
void mcusim_dw3p_v6m_line(const int32_t *r0, const int32_t *r1, const int32_t *r2, int32_t n,
                          int32_t s, const int32_t *k, int8_t *o, int32_t ostep);
#define MCUSIM_DW3P_V6M_ROW(rp)                                                            \
    "  ldm r3!, {r5, r6, r7}\n"                                                            \
    "  ldr r4, [" rp ", #0]\n"                                                             \
    "  muls r4, r5, r4\n"                                                                  \
    "  add r8, r4\n"                                                                       \
    "  ldr r4, [" rp ", #4]\n"                                                             \
    "  muls r4, r6, r4\n"                                                                  \
    "  add r8, r4\n"                                                                       \
    "  ldr r4, [" rp ", #8]\n"                                                             \
    "  muls r4, r7, r4\n"                                                                  \
    "  add r8, r4\n"
__asm__(
    "  .pushsection .text.mcusim_dw3p_v6m, \"ax\", %progbits\n"
    "  .syntax unified\n"
    "  .thumb\n"
    "  .balign 2\n"
    "  .global mcusim_dw3p_v6m_line\n"
    "  .thumb_func\n"
    "  .type mcusim_dw3p_v6m_line, %function\n"
    "mcusim_dw3p_v6m_line:\n"
    "  push {r4, r5, r6, r7, lr}\n"
    "  mov r4, r8\n"
    "  mov r5, r9\n"
    "  mov r6, r10\n"
    "  mov r7, r11\n"
    "  push {r4, r5, r6, r7}\n"
    "  ldr r4, [sp, #36]\n"                 /* s (words) */
    "  lsls r4, r4, #2\n"
    "  mov r10, r4\n"
    "  ldr r4, [sp, #44]\n"                 /* o */
    "  mov r9, r4\n"
    "  ldr r4, [sp, #48]\n"                 /* ostep */
    "  mov r11, r4\n"
    "  mov r12, r3\n"
    "  ldr r3, [sp, #40]\n"                 /* k */
    "1:\n"
    "  ldr r4, [r3, #36]\n"                 /* bias */
    "  mov r8, r4\n"
    MCUSIM_DW3P_V6M_ROW("r0")
    MCUSIM_DW3P_V6M_ROW("r1")
    MCUSIM_DW3P_V6M_ROW("r2")
    "  subs r3, #36\n"
    "  mov r4, r8\n"                        /* the sum a */
    "  ldr r6, [r3, #40]\n"                 /* t0 = (a m0 + 2^30) >> 11 */
    "  muls r6, r4, r6\n"
    "  movs r5, #1\n"
    "  lsls r5, r5, #30\n"
    "  adds r6, r6, r5\n"
    "  asrs r6, r6, #11\n"
    "  ldr r5, [r3, #44]\n"                 /* t1 = (a m1 + t0) >> 11 */
    "  muls r5, r4, r5\n"
    "  adds r6, r6, r5\n"
    "  asrs r6, r6, #11\n"
    "  ldr r5, [r3, #48]\n"                 /* h = (a m2 + t1) >> 9 */
    "  muls r5, r4, r5\n"
    "  adds r6, r6, r5\n"
    "  asrs r6, r6, #9\n"
    "  ldr r5, [r3, #52]\n"                 /* (h + rnd - [a < 0]) >> e */
    "  adds r6, r6, r5\n"
    "  asrs r5, r4, #31\n"
    "  adds r6, r6, r5\n"
    "  ldr r5, [r3, #56]\n"
    "  asrs r6, r6, r5\n"
    "  ldr r5, [r3, #60]\n"                 /* clamp to [lo, hi] */
    "  cmp r6, r5\n"
    "  bge 2f\n"
    "  movs r6, r5\n"
    "2:\n"
    "  ldr r5, [r3, #64]\n"
    "  cmp r6, r5\n"
    "  ble 3f\n"
    "  movs r6, r5\n"
    "3:\n"
    "  mov r5, r9\n"
    "  strb r6, [r5]\n"
    "  add r5, r11\n"
    "  mov r9, r5\n"
    "  mov r5, r10\n"
    "  adds r0, r0, r5\n"
    "  adds r1, r1, r5\n"
    "  adds r2, r2, r5\n"
    "  mov r5, r12\n"
    "  subs r5, #1\n"
    "  mov r12, r5\n"
    "  bne 1b\n"
    "  pop {r4, r5, r6, r7}\n"
    "  mov r8, r4\n"
    "  mov r9, r5\n"
    "  mov r10, r6\n"
    "  mov r11, r7\n"
    "  pop {r4, r5, r6, r7, pc}\n"
    "  .size mcusim_dw3p_v6m_line, .-mcusim_dw3p_v6m_line\n"
    "  .popsection\n");

typedef struct {
    int32_t *ring, *zrow;
    const int8_t *in;
    int8_t *out;
    int32_t in_h, ch, row, out_w, sh, sw, ph, pw, ncol, j0, j1;
} mcusim_dw3p_v6m_geo;

/* output rows [oy0, oy1) of channel c: k[] gets the channel's constants, each input row is
 * copied into the ring once (rows are needed in increasing order: row y goes to slot y mod 3,
 * kept by counting), then one assembly call per output row */
static inline void mcusim_dw3p_v6m_rows(const mcusim_dw3p_v6m_geo *m, const int32_t *packed,
                                        int32_t *k, int32_t c, int32_t oy0, int32_t oy1)
{
    const int32_t *q = packed + c * 10;
    for (int32_t j = 0; j < 3; j++) {                  /* undoubled weights */
        k[j] = (int16_t)(q[DW_W01 + j] & 0xFFFF) >> 1;
        k[3 + j] = q[DW_W01 + j] >> 17;
        k[6 + j] = q[DW_W12 + j] >> 17;
    }
    k[V6_BIAS] = q[DW_BIAS] >> 1;
    k[V6_M0] = q[DW_MULT] & 0x7FF;
    k[V6_M1] = (q[DW_MULT] >> 11) & 0x7FF;
    k[V6_M2] = q[DW_MULT] >> 22;
    k[V6_RND] = q[DW_RND];
    k[V6_EXP] = q[DW_EXP];
    const int32_t ncol = m->ncol, j0 = m->j0, j1 = m->j1, in_h = m->in_h, ch = m->ch;
    int32_t next = MCUSIM_MAX(oy0 * m->sh - m->ph, 0), nslot = 0;   /* next row to copy, slot */
    int8_t *o = m->out + oy0 * m->out_w * ch + c;
    for (int32_t oy = oy0; oy < oy1; oy++, o += m->out_w * ch) {
        const int32_t y0 = oy * m->sh - m->ph;
        for (; next <= y0 + 2 && next < in_h; next++, nslot = nslot == 2 ? 0 : nslot + 1) {
            if (next >= y0 && j1 > j0) {
                mcusim_dw3p_v6m_copy(m->ring + nslot * ncol + j0,
                                     m->in + next * m->row + (j0 - m->pw) * ch + c, j1 - j0, ch);
            }
        }
        const int32_t *r[3];
        for (int32_t ky = 0; ky < 3; ky++) {
            const int32_t y = y0 + ky;
            int32_t slot = nslot - (next - y);       /* next - y is 1..3 */
            slot = slot < 0 ? slot + 3 : slot;
            r[ky] = y >= 0 && y < in_h ? m->ring + slot * ncol : m->zrow;
        }
        mcusim_dw3p_v6m_line(r[0], r[1], r[2], m->out_w, m->sw, k, o, ch);
    }
}

static void mcusim_dw3p_v6m(int32_t *buffer, const int32_t *packed, const int8_t *in,
                            int8_t *out, int32_t in_h, int32_t in_w, int32_t ch, int32_t out_h,
                            int32_t out_w, int32_t sh, int32_t sw, int32_t ph, int32_t pw,
                            int32_t ncol, int32_t zp, int32_t lo, int32_t hi)
{
    int32_t *ring = buffer, *zrow = buffer + 3 * ncol;
    /* columns [j0, j1) of a row lie inside the image */
    const int32_t j0 = MCUSIM_MIN(pw, ncol);
    const int32_t j1 = MCUSIM_MAX(MCUSIM_MIN(in_w + pw, ncol), j0);
    for (int32_t j = 0; j < ncol; j++) {
        zrow[j] = zp;
        if (j < j0 || j >= j1) {
            ring[j] = ring[ncol + j] = ring[2 * ncol + j] = zp;
        }
    }
    const int32_t row = in_w * ch;
    /* Channel by channel over all rows copies each input row once. When that order would break
     * the planner's streaming overlap (mcusim_dw3p_overlap), raster order: output row by output
     * row, every channel in each, its three input rows copied again. */
    const int32_t streamed = mcusim_dw3p_overlap(in, in_h * row, out, out_h * out_w * ch, ch);
    int32_t k[V6_N];
    k[V6_LO] = lo;
    k[V6_HI] = hi;
    const mcusim_dw3p_v6m_geo geo = {ring, zrow, in, out, in_h, ch, row, out_w, sh, sw, ph, pw,
                                     ncol, j0, j1};
    if (!streamed) {
        for (int32_t c = 0; c < ch; c++) {
            mcusim_dw3p_v6m_rows(&geo, packed, k, c, 0, out_h);
        }
    } else {
        for (int32_t oy = 0; oy < out_h; oy++) {
            for (int32_t c = 0; c < ch; c++) {
                mcusim_dw3p_v6m_rows(&geo, packed, k, c, oy, oy + 1);
            }
        }
    }
}
#endif

/* The reference walk over the records, output pixels in raster order (every channel of a pixel
 * before the next): what builds without DSP run, and the DSP path's fallback for a transposed
 * layer whose output overlaps its input other than by whole rows. tr: the records hold the
 * transposed filter. */
static void mcusim_dw3p_pixels(const int32_t *packed, const int8_t *in_b, int8_t *out,
                               int32_t in_h, int32_t in_w, int32_t ch, int32_t out_h,
                               int32_t out_w, int32_t sh, int32_t sw, int32_t ph, int32_t pw,
                               int32_t zp, int32_t lo, int32_t hi, int32_t tr)
{
    const int32_t row = in_w * ch;
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
                        const int32_t r = tr ? kx : ky, k = tr ? ky : kx;
                        const int32_t pair = r < 2 ? q[DW_W01 + k] : q[DW_W12 + k];
                        const int32_t w2 = r == 0 ? (int16_t)(pair & 0xFFFF) : pair >> 16;
                        const int32_t xv = y >= 0 && y < in_h && x >= 0 && x < in_w
                                               ? in_b[y * row + x * ch + c] : zp;
                        acc2 += w2 * xv;
                    }
                }
#if MCUSIM_DW3P_V6M     /* never prescaled: the compiler prescales for FPU cores only */
                int32_t v = mcusim_dw3p_requant(acc2, q[DW_MULT], q[DW_RND], q[DW_EXP]);
#else
                int32_t v = q[DW_EXP] & DW3P_PRE
                                ? ((int32_t)(((int64_t)acc2 * q[DW_MULT]) >> 32) + q[DW_RND]) >>
                                      (q[DW_EXP] & 0xFF)
                                : mcusim_dw3p_requant(acc2, q[DW_MULT], q[DW_RND], q[DW_EXP]);
#endif
                v = v < lo ? lo : v;
                *out++ = (int8_t)(v > hi ? hi : v);
            }
        }
    }
}

/* tr = 1: the records hold the transposed filter and the DSP path runs in the transposed frame
 * (its rows are the map's columns: strides swapped, nothing copied) */
static __attribute__((noinline)) mcusim_status
mcusim_dw3p_run(void *buffer, const mcusim_dw_conv_params *params, const int32_t *packed,
                const mcusim_dims *input_dims, const int8_t *input,
                const mcusim_dims *output_dims, int8_t *output, int32_t tr, const void *form,
                const void *unrolled)
{
    (void)form;     /* the fused loops' tables (DSP cores with an FPU only) */
    (void)unrolled; /* a small map's unrolled loop (the same) */
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
    const int32_t in_n = in_h * row, out_n = out_h * out_w * ch;
#if !MCUSIM_DW3P_V6M
    /* prescaled records: only the fused loops (and the pixel walk) read them */
    const int32_t pre = (packed[DW_EXP] & DW3P_PRE) != 0;
    if (pre && !(sh == sw && mcusim_dw3p_all_fused(params, sw) && lo >= params->output_offset)) {
        for (int32_t b = 0; b < input_dims->n; b++) {
            mcusim_dw3p_pixels(packed, input + b * in_n, output + b * out_n, in_h, in_w, ch,
                               out_h, out_w, sh, sw, ph, pw, zp, lo, hi, tr);
        }
        return MCUSIM_OK;
    }
#endif
#if MCUSIM_DSP
    if (buffer == NULL) {
        return MCUSIM_ARG_ERROR;
    }
    const int32_t n_img = input_dims->n;
    if (tr) {
        /* Transposed order is channel-major over the map's columns: with the output over the
         * input it is safe only when the input starts whole rows (of equal widths) above it,
         * so that a byte lands on its own channel and column, already widened; otherwise the
         * raster-order pixel walk. */
        const uintptr_t i = (uintptr_t)input, o = (uintptr_t)output;
        const int32_t overlap = i < o + (uintptr_t)(n_img * out_n) &&
                                o < i + (uintptr_t)(n_img * in_n);
        if (overlap && !(i > o && in_w == out_w && (i - o) % (uintptr_t)row == 0)) {
            for (int32_t b = 0; b < n_img; b++) {
                mcusim_dw3p_pixels(packed, input + b * in_n, output + b * out_n, in_h, in_w, ch,
                                   out_h, out_w, sh, sw, ph, pw, zp, lo, hi, 1);
            }
            return MCUSIM_OK;
        }
    }
    /* the kernel's frame: rows r of kh (tr: the map's columns), columns of kw */
    const int32_t kh = tr ? in_w : in_h, kw = tr ? in_h : in_w;
    const int32_t koh = tr ? out_w : out_h, kow = tr ? out_h : out_w;
    const int32_t ksh = tr ? sw : sh, ksw = tr ? sh : sw, kph = tr ? pw : ph, kpw = tr ? ph : pw;
    const int32_t rs = tr ? ch : row, cs = tr ? row : ch;                 /* input strides */
    const int32_t ors = tr ? ch : out_w * ch, ocs = tr ? out_w * ch : ch; /* output strides */
    const int32_t ncol = (kow - 1) * ksw + 3;
    int32_t *v = (int32_t *)buffer;
    /* two spare columns: the unfused stride 2 works in pairs (the fused loops need none) */
    const int32_t spare = ksw == 2 && !mcusim_dw3p_all_fused(params, ksw) ? 2 : 0;
    int32_t *acc = v + 8 * (ncol + spare);
    const int32_t zp4 = (int32_t)(((uint32_t)zp & 0xFFu) * 0x01010101u);
    /* Group by group over all rows keeps each widened pair for the next step. When that order
     * would break the planner's streaming overlap (mcusim_dw3p_overlap; transposed: checked
     * above), raster order: output rows step by step, all groups in each step, both pairs
     * widened again for every group. */
    const int32_t streamed = !tr && mcusim_dw3p_overlap(input, n_img * in_n, output,
                                                        n_img * out_n, ch);
    /* small maps (row walk, channel-major): every row pair in its own slot, 8 slots per column
     * of 4 channels (32 words) instead of 2 (8 words) */
    const int32_t fall = mcusim_dw3p_all_fused(params, ksw);
    /* bh: output rows per small-layout block (the whole map, or mcusim_dw3p_block_rows) */
    const int32_t bh = tr || streamed || kow < 2 ? 0     /* the loops make at least one pass */
                       : mcusim_dw3p_small_pairs(koh, ksh, ksw, fall)
                           ? koh : mcusim_dw3p_block_rows(koh, kow, ksh, ksw, fall);
    const int32_t np = bh ? mcusim_dw3p_small_pairs(bh, ksh, ksw, fall) : 0;
    const int32_t qmode = pre ? 4
                          : (lo == -128 && hi == 127 ? 0 : 1) + (lo >= params->output_offset ? 2 : 0);
#if MCUSIM_DW3P_FUSED
    /* the row walk's three-slot instance the entry names (kind 9, M4/M33/M7: stride 2, two
     * output rows per call), when the layer fits it: 12 words per column */
    const mcusim_dw3f_unrolled *u3 = (const mcusim_dw3f_unrolled *)unrolled;
    const int32_t s3 = u3 != NULL && u3->row && u3->kind == 9 && !tr &&
                       !streamed && !np && (qmode == 0 || qmode == 2 || qmode == 4) &&
                       u3->form == (qmode >> 1) && u3->ch == ch && kow == u3->p && ksh == 2 &&
                       ksw == 2 && !(koh & 1);
#else
    const int32_t s3 = 0;
#endif
    const int32_t wpc = np ? 4 * DW3P_SLOTS : s3 ? 12 : 8;
    /* scratch columns [j0, j1) lie inside the image; the others are padding in every pass */
    const int32_t j0 = MCUSIM_MIN(kpw, ncol);
    const int32_t j1 = MCUSIM_MAX(MCUSIM_MIN(kw + kpw, ncol), j0);
    const int32_t pad = (int32_t)(((uint32_t)zp & 0xFFFFu) | ((uint32_t)zp << 16));
    for (int32_t j = 0; j < ncol + spare; j++) {
        if (j < j0 || j >= j1) {
            for (int32_t k = 0; k < wpc; k++) {
                v[wpc * j + k] = pad;
            }
        }
    }
    /* small maps: stride 1 takes output rows in pairs, stride 2 one row per step */
    mcusim_dw3p_job job = {v, acc, kow, packed, output, ocs, ors, 32 * ksw, lo, hi, qmode,
                           ksh == 1 ? bh / 2 : bh, ksh == 1 ? 2 * ors : ors};
    const mcusim_dw3p_rows rows = {v, v + wpc * j0, j1 - j0, kh, rs, cs, &zp4, pad};
    const int32_t dual_rows = ksh == 1 && ksw == 1 ? koh & ~1 : 0;   /* rows taken in pairs */
    /* the fused loops when each step moves two input rows down: [two rows, one row][t] */
#if MCUSIM_DW3P_FUSED
    /* the rounding form's loop tables (mcusim_dw3f_form: the entry's) */
    const mcusim_dw3f_form *f = (const mcusim_dw3f_form *)form;
    if (f == NULL || f->form != (qmode >> 1)) {
        return MCUSIM_ARG_ERROR;
    }
    const mcusim_dw3f_fn (*fns)[2] = f->fns;
    const int32_t m7 = mcusim_core_is_m7();
    /* the row walk's instance the entry names (M4/M33: immediate output offsets for this
     * channel count and width; the M7: the three-slot walk only), when the layer fits it */
    const mcusim_dw3f_unrolled *ur = (const mcusim_dw3f_unrolled *)unrolled;
    const int32_t rfit = ur != NULL && ur->row && (!m7 || ur->kind == 9) && !tr &&
                         ur->form == (qmode >> 1) &&
                         ur->ch == ch && kow == ur->p && ksh == ksw &&
                         (ur->kind == 1 ? ksw == 1 : ur->kind == 9 ? s3 : ksw == 2 && kow >= 4);
    const mcusim_dw3f_fn *dual = m7 ? f->dual7
                                 : rfit && ur->kind == 1 ? ur->fn
                                 : kow >= 8 ? f->dualu : fns[1];
    const mcusim_dw3f_fn fast_s1[2][2] = {
        {dual[0], dual[1]},
        {fns[0][0], fns[0][1]}};
    /* stride 2: quads of output columns once a row has four (a narrower row: the pair loop,
     * without the quad loop's remainder tests) */
    const mcusim_dw3f_fn *one = ksw != 2 ? fns[0]
                                : kow < 4 ? (m7 ? f->pair27 : fns[2])
                                : m7 ? f->quad27
                                : rfit && ur->kind == 4 ? ur->fn
                                : kow >= 8 ? f->quad2u
                                : f->quad2;
    const mcusim_dw3f_fn fast_s2[2][2] = {{one[0], one[1]}, {one[0], one[1]}};
    const mcusim_dw3f_fn (*fast)[2] =
        (qmode != 0 && qmode != 2 && qmode != 4) ? NULL
        : ksh == 1 && ksw == 1 ? fast_s1
        : ksh == 2 && (ksw == 1 || ksw == 2) ? fast_s2 : NULL;
#endif
#if MCUSIM_DW3P_FUSED
    const int32_t skind = ksh == 1 ? (bh & 1 ? 4 : 0) + (kow & 1 ? (bh & 1 ? 1 : 3)
                                                                  : (bh & 1) || kow < 8 ? 0 : 6)
                          : kow < 4 ? 2 : 1;
    /* the unrolled loop the entry names (M4/M33; the M7: the stride-2 two-row loops (kind 10)
     * only, its own schedules for the others), when the layer fits it */
    const mcusim_dw3f_unrolled *u = (const mcusim_dw3f_unrolled *)unrolled;
    const int32_t ufit =
        u != NULL && !u->row && (!m7 || u->kind == 10) && np && u->form == (qmode >> 1) &&
        (u->ch == 0 || u->ch == ch) &&
        (u->kind == 1   ? ksh == 1 && ksw == 1 && !(bh & 1) && kow == 2 * u->p
         : u->kind == 4 ? ksh == 2 && ksw == 2 && kow == 4 * u->p
        : u->kind == 8 ? ksh == 2 && ksw == 2 && kow == 4 * u->p + 2 && u->ch == ch
        : u->kind == 10 ? ksh == 2 && ksw == 2 && kow == 2 * u->p && !(bh & 1) && u->ch == ch
        : u->kind == 3 ? ksh == 1 && ksw == 1 && kow == 2 * u->p && bh == kow && koh == bh &&
                             u->ch == ch
                        : ksh == ksw && ksw == (u->kind == 2 ? 1 : 2) && u->ch == ch &&
                              bh == 3 && kow == 3);
    const mcusim_dw3f_fn small = ufit ? u->fn[0] : m7 ? f->small7[skind] : f->small4[skind];
    /* the instance's widening for its width, run on into the loop (else the generic one) */
    const mcusim_dw3f_unrolled *wt = ufit && u->widen != NULL && u->wn == j1 - j0 ? u : NULL;
    const void *step_fns = fns;
#else
    const void *step_fns = NULL;
    (void)form;
#endif
    for (int32_t b = 0; b < n_img; b++) {
        const int8_t *in_b = input + b * in_n + (j1 > j0 ? j0 - kpw : 0) * cs;
        int8_t *out_b = output + b * out_n;
#if MCUSIM_DW3P_FUSED
        for (int32_t oy = 0; np && oy < koh; oy += bh) {   /* small layout, block by block */
            mcusim_dw3p_src src[DW3P_SLOTS];
            const int32_t npw = mcusim_dw3p_small_src(src, &rows, in_b, oy * ksh - kph, np, &zp4);
            for (int32_t c = 0; c < ch; c += 4) {
                mcusim_dw3p_small_group(&job, &rows, src, c, packed + c * 10,
                                        out_b + oy * ors + c, npw, small, wt);
            }
        }
        if (np) {
            continue;
        }
        if (!streamed && fast != NULL) {
            for (int32_t c = 0; c < ch; c += 4) {
                if (s3) {          /* the instance's three loops for its walk */
                    ur->group(&job, &rows, in_b + c, packed + c * 10, out_b + c, koh, ors, -kph,
                              dual_rows, (const mcusim_dw3f_fn (*)[2])ur->fn);
                } else if (rfit && ur->group != NULL) {
                    ur->group(&job, &rows, in_b + c, packed + c * 10, out_b + c, koh, ors, -kph,
                              dual_rows, fast);
                } else {
                    mcusim_dw3p_group(&job, &rows, in_b + c, packed + c * 10, out_b + c, koh,
                                      ors, -kph, dual_rows, fast);
                }
            }
            continue;
        }
#endif
        if (!streamed) {
            for (int32_t c = 0; c < ch; c += 4) {
                int32_t held[2] = {INT32_MIN, INT32_MIN};  /* first row of the pair in each slot */
                for (int32_t oy = 0; oy < koh;) {
                    oy += mcusim_dw3p_step(&job, &rows, held, in_b + c, packed + c * 10,
                                           out_b + oy * ors + c, oy * ksh - kph,
                                           oy < dual_rows ? 2 : ksw == 2 ? 3 : 1, step_fns);
                }
            }
        } else {
            for (int32_t oy = 0; oy < koh;) {
                int32_t adv = 1;
                for (int32_t c = 0; c < ch; c += 4) {
                    int32_t held[2] = {INT32_MIN, INT32_MIN};
                    adv = mcusim_dw3p_step(&job, &rows, held, in_b + c, packed + c * 10,
                                           out_b + oy * ors + c, oy * ksh - kph,
                                           oy < dual_rows ? 2 : ksw == 2 ? 3 : 1, step_fns);
                }
                oy += adv;
            }
        }
    }
#elif MCUSIM_DW3P_V6M
    if (buffer == NULL) {
        return MCUSIM_ARG_ERROR;
    }
    for (int32_t b = 0; b < input_dims->n; b++) {
        if (tr) {
            mcusim_dw3p_pixels(packed, input + b * in_n, output + b * out_n, in_h, in_w, ch,
                               out_h, out_w, sh, sw, ph, pw, zp, lo, hi, 1);
        } else {
            mcusim_dw3p_v6m((int32_t *)buffer, packed, input + b * in_n, output + b * out_n,
                            in_h, in_w, ch, out_h, out_w, sh, sw, ph, pw,
                            mcusim_dw3p_columns(params, out_w), zp, lo, hi);
        }
    }
#else
    (void)buffer;
    for (int32_t b = 0; b < input_dims->n; b++) {
        mcusim_dw3p_pixels(packed, input + b * in_n, output + b * out_n, in_h, in_w, ch, out_h,
                           out_w, sh, sw, ph, pw, zp, lo, hi, tr);
    }
#endif
    return MCUSIM_OK;
}

/* the entries: tr (the transposed frame) and the rounding form: the form's entries (the
 * compiler's choice) name that form's tables alone, so only its loops are linked; the plain
 * entries read the form from the records and the activation, linking all three */
#if MCUSIM_DW3P_FUSED
#define MCUSIM_DW3P_FORM(N) (&mcusim_dw3f_form_##N)
static const void *mcusim_dw3p_form_of(const mcusim_dw_conv_params *params, const int32_t *packed)
{
    static const mcusim_dw3f_form *const forms[3] = {&mcusim_dw3f_form_0, &mcusim_dw3f_form_1,
                                                     &mcusim_dw3f_form_2};
    return forms[(packed[DW_EXP] & DW3P_PRE) ? 2
                 : params->activation.min >= params->output_offset ? 1 : 0];
}
#else
#define MCUSIM_DW3P_FORM(N) NULL
#define mcusim_dw3p_form_of(params, packed) NULL
#endif
#define MCUSIM_DW3P_ENTRY(NAME, TR, FORM, U)                                                       \
    mcusim_status NAME(void *buffer, const mcusim_dw_conv_params *params, const int32_t *packed,   \
                       const mcusim_dims *input_dims, const int8_t *input,                         \
                       const mcusim_dims *output_dims, int8_t *output)                             \
    {                                                                                              \
        return mcusim_dw3p_run(buffer, params, packed, input_dims, input, output_dims, output,     \
                               TR, FORM, U);                                                       \
    }
MCUSIM_DW3P_ENTRY(mcusim_depthwise_conv_3x3_packed_s8, 0, mcusim_dw3p_form_of(params, packed), NULL)
MCUSIM_DW3P_ENTRY(mcusim_depthwise_conv_3x3_packed_t_s8, 1, mcusim_dw3p_form_of(params, packed), NULL)
MCUSIM_DW3P_ENTRY(mcusim_depthwise_conv_3x3_packed_sign_s8, 0, MCUSIM_DW3P_FORM(0), NULL)
MCUSIM_DW3P_ENTRY(mcusim_depthwise_conv_3x3_packed_t_sign_s8, 1, MCUSIM_DW3P_FORM(0), NULL)
MCUSIM_DW3P_ENTRY(mcusim_depthwise_conv_3x3_packed_nosign_s8, 0, MCUSIM_DW3P_FORM(1), NULL)
MCUSIM_DW3P_ENTRY(mcusim_depthwise_conv_3x3_packed_t_nosign_s8, 1, MCUSIM_DW3P_FORM(1), NULL)
MCUSIM_DW3P_ENTRY(mcusim_depthwise_conv_3x3_packed_pre_s8, 0, MCUSIM_DW3P_FORM(2), NULL)
MCUSIM_DW3P_ENTRY(mcusim_depthwise_conv_3x3_packed_t_pre_s8, 1, MCUSIM_DW3P_FORM(2), NULL)
#if MCUSIM_DW3P_FUSED
#define MCUSIM_DW3P_USPEC(X) (&mcusim_dw3f_us_##X)
#else
#define MCUSIM_DW3P_USPEC(X) NULL
#endif
/* the three rounding forms' entries of one named loop: mcusim_depthwise_conv_3x3_packed_
 * {sign,nosign,pre}_NAME_s8, each with its form's loop table SPEC(X_form) */
#define MCUSIM_DW3P_FORM_ENTRIES(NAME, SPEC, X)                                                    \
    MCUSIM_DW3P_ENTRY(mcusim_depthwise_conv_3x3_packed_sign_##NAME##_s8, 0, MCUSIM_DW3P_FORM(0),   \
                      SPEC(X##_0))                                                                 \
    MCUSIM_DW3P_ENTRY(mcusim_depthwise_conv_3x3_packed_nosign_##NAME##_s8, 0, MCUSIM_DW3P_FORM(1), \
                      SPEC(X##_1))                                                                 \
    MCUSIM_DW3P_ENTRY(mcusim_depthwise_conv_3x3_packed_pre_##NAME##_s8, 0, MCUSIM_DW3P_FORM(2),    \
                      SPEC(X##_2))
#define MCUSIM_DW3P_UENTRY(k, kind, P, ch)                                                         \
    MCUSIM_DW3P_FORM_ENTRIES(u##k##P##c##ch, MCUSIM_DW3P_USPEC, k##P##c##ch)
MCUSIM_DW3P_U_LIST(MCUSIM_DW3P_UENTRY)
#undef MCUSIM_DW3P_UENTRY
#if MCUSIM_DW3P_FUSED
#define MCUSIM_DW3P_RSPEC(X) (&mcusim_dw3f_rs_##X)
#else
#define MCUSIM_DW3P_RSPEC(X) NULL
#endif
#define MCUSIM_DW3P_RENTRY(k, kind, ow, ch, u)                                                     \
    MCUSIM_DW3P_FORM_ENTRIES(r##k##ow##c##ch, MCUSIM_DW3P_RSPEC, k##ow##c##ch)
MCUSIM_DW3P_R_LIST(MCUSIM_DW3P_RENTRY)
#undef MCUSIM_DW3P_RENTRY
#undef MCUSIM_DW3P_RSPEC
#undef MCUSIM_DW3P_USPEC
#undef MCUSIM_DW3P_FORM_ENTRIES
#undef MCUSIM_DW3P_ENTRY
#undef MCUSIM_DW3P_FORM
