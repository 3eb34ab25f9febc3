/* The matrix core of the packed-weight CONV_2D kernels (mcusim_convolve_1x1_fast_s8,
 * mcusim_convolve_im2col_fast_s8): four output pixels x every output channel, two channels per
 * pass, then requantization.
 *
 * Layouts (docs/kernels.md, "Packed weights"). depth = the column length rounded up to 8
 * (zeros past the end); within each group of four column elements the pairs are (0, 2) and
 * (1, 3), the order SXTB16 widens an int8 word into (bytes 0, 2) and with ROR #8 (1, 3):
 *  - cols (scratch, int16): for quad q, pair j, pixel p: the word (x_p[4q+j], x_p[4q+j+2]);
 *    MCUSIM_COL4_SLOT(k, p) is the int16 index of element k of pixel p;
 *  - packed (flash, int16, written once at build time by sim/mcusim/compiler/ops/conv_pack.py
 *    in place of the int8 filter): for each pair of output channels (c, c+1), quad q, pair j:
 *    the words (w_c[4q+j], w_c[4q+j+2]) then (w_c+1[4q+j], w_c+1[4q+j+2]); an odd last channel
 *    is paired with a zero row.
 * So one SMLAD multiplies a column word by a weight word, and the 4 x 2 block of accumulators
 * takes 6 word loads and 8 SMLAD per two column elements: 16 MACs in 16 cycles on a Cortex-M4
 * (loads in groups, so they pipeline), against 8 SXTB16 more with int8 weights. */
#include "mcusim_nn.h"
#include "mcusim_nn_support.h"

#if MCUSIM_DSP
/* acc[2p + c] += sum over k < 8 * n8 of x_p[k] * w_c[k]: x = cols, w = the channel pair's
 * packed rows, n8 >= 1 blocks of eight elements (64 bytes of cols, 32 of weights). The eight
 * accumulators live in r4-r11, the operands in r2, r3, r12, lr; the loop end is kept on the
 * stack (no register left). Sixteen elements per iteration; an odd n8 enters at the second
 * half with the pointers moved back by one block. Assembly at file scope: fixed registers, the
 * same code at any optimization level. */
void mcusim_mm4x2_s16(const int16_t *x, const int16_t *w, int32_t n8, int32_t *acc);
__asm__(
    "  .text\n"
    "  .syntax unified\n"
    "  .thumb\n"
    "  .macro MCUSIM_MM4X2_KP X, W\n"
    "  ldr r12, [r1, #\\W]\n"
    "  ldr lr, [r1, #\\W+4]\n"
    "  ldr r2, [r0, #\\X]\n"
    "  ldr r3, [r0, #\\X+4]\n"
    "  smlad r4, r2, r12, r4\n"
    "  smlad r5, r2, lr, r5\n"
    "  smlad r6, r3, r12, r6\n"
    "  smlad r7, r3, lr, r7\n"
    "  ldr r2, [r0, #\\X+8]\n"
    "  ldr r3, [r0, #\\X+12]\n"
    "  smlad r8, r2, r12, r8\n"
    "  smlad r9, r2, lr, r9\n"
    "  smlad r10, r3, r12, r10\n"
    "  smlad r11, r3, lr, r11\n"
    "  .endm\n"
    "  .balign 4\n"
    "  .global mcusim_mm4x2_s16\n"
    "  .thumb_func\n"
    "  .type mcusim_mm4x2_s16, %function\n"
    "mcusim_mm4x2_s16:\n"
    "  push {r3, r4, r5, r6, r7, r8, r9, r10, r11, lr}\n"
    "  sub sp, sp, #8\n"
    "  lsls r12, r2, #31\n"             /* Z: n8 even */
    "  add r2, r0, r2, lsl #6\n"        /* end of cols */
    "  str r2, [sp]\n"
    "  ldm r3, {r4, r5, r6, r7, r8, r9, r10, r11}\n"
    "  beq 1f\n"
    "  subs r0, r0, #64\n"
    "  subs r1, r1, #32\n"
    "  b 2f\n"
    "  .balign 4\n"
    "1:\n"
    "  MCUSIM_MM4X2_KP 0, 0\n"
    "  MCUSIM_MM4X2_KP 16, 8\n"
    "  MCUSIM_MM4X2_KP 32, 16\n"
    "  MCUSIM_MM4X2_KP 48, 24\n"
    "2:\n"
    "  MCUSIM_MM4X2_KP 64, 32\n"
    "  MCUSIM_MM4X2_KP 80, 40\n"
    "  MCUSIM_MM4X2_KP 96, 48\n"
    "  MCUSIM_MM4X2_KP 112, 56\n"
    "  add r0, r0, #128\n"
    "  add r1, r1, #64\n"
    "  ldr r2, [sp]\n"
    "  cmp r0, r2\n"
    "  bne 1b\n"
    "  ldr r3, [sp, #8]\n"
    "  stm r3, {r4, r5, r6, r7, r8, r9, r10, r11}\n"
    "  add sp, sp, #8\n"
    "  pop {r3, r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    "  .size mcusim_mm4x2_s16, .-mcusim_mm4x2_s16\n"
    "  .purgem MCUSIM_MM4X2_KP\n");

/* Four output pixels x every channel pair in one call, requantized in registers: per pair the
 * accumulators start from the bias, run the 4 x 2 block above (same loop), and each goes out
 * through mcusim_requant_rs as seven instructions (AND, ORR, ADD, SMLAL, ASR, SSAT, STRB) plus
 * the pointer step; the channel's constants (r - 1 = ~shift, hi0) are made once per channel.
 * Requires every shift in [-23, -2], an even channel count, a bias and four pixels (the caller
 * checks; otherwise mcusim_mat_mult_packed_s8 takes the C path). Outputs are saturated to int8
 * only: the caller clamps to a narrower activation range. */
typedef struct {
    int32_t n8;              /* column blocks of eight */
    int32_t pairs;           /* channel pairs */
    const int32_t *bias, *mult, *shift;
    int32_t out_off, out_c;
} mcusim_mm_args;
void mcusim_mm4x2_rq_s16(const int16_t *x, const int16_t *w, const mcusim_mm_args *a,
                         int8_t *out);
/* frame: [sp] cols end, 4 cols, 8 w, 12 out, 16 bias, 20 mult, 24 shift, 28 pairs left,
 * 32 out_off, 36 out_c, 40 n8 */
#define MCUSIM_RQ_ONE(ACC)                                                                         \
    "  and r3, " ACC ", #0x80000000\n"                                                             \
    "  orr r3, r3, #0x40000000\n"                                                                  \
    "  add r12, r1, " ACC ", asr #31\n"                                                            \
    "  smlal r3, r12, " ACC ", r0\n"                                                               \
    "  asr r12, r12, r2\n"                                                                         \
    "  ssat r12, #8, r12\n"                                                                        \
    "  strb r12, [lr]\n"
/* r0 = m, r1 = hi0, r2 = r - 1 for the channel at [mult], [shift] (+4 for the second) */
#define MCUSIM_RQ_CHANNEL(OFF)                                                                     \
    "  ldr r2, [sp, #24]\n"                                                                        \
    "  ldr r1, [r2, #" OFF "]\n"                                                                   \
    "  ldr r2, [sp, #20]\n"                                                                        \
    "  ldr r0, [r2, #" OFF "]\n"                                                                   \
    "  mvn r2, r1\n"                                 /* r - 1 = -shift - 1 */                      \
    "  ldr r1, [sp, #32]\n"                                                                        \
    "  lsl r1, r1, r2\n"                             /* out_off << (r - 1) */                      \
    "  sub r3, r2, #1\n"                                                                           \
    "  mov r12, #1\n"                                                                              \
    "  lsl r12, r12, r3\n"                                                                         \
    "  add r1, r1, r12\n"                            /* hi0 = 2^(r-2) + out_off 2^(r-1) */         \
    "  ldr lr, [sp, #12]\n"
__asm__(
    "  .text\n"
    "  .syntax unified\n"
    "  .thumb\n"
    "  .macro MCUSIM_RQ_KP X, W\n"
    "  ldr r12, [r1, #\\W]\n"
    "  ldr lr, [r1, #\\W+4]\n"
    "  ldr r2, [r0, #\\X]\n"
    "  ldr r3, [r0, #\\X+4]\n"
    "  smlad r4, r2, r12, r4\n"
    "  smlad r5, r2, lr, r5\n"
    "  smlad r6, r3, r12, r6\n"
    "  smlad r7, r3, lr, r7\n"
    "  ldr r2, [r0, #\\X+8]\n"
    "  ldr r3, [r0, #\\X+12]\n"
    "  smlad r8, r2, r12, r8\n"
    "  smlad r9, r2, lr, r9\n"
    "  smlad r10, r3, r12, r10\n"
    "  smlad r11, r3, lr, r11\n"
    "  .endm\n"
    "  .balign 4\n"
    "  .global mcusim_mm4x2_rq_s16\n"
    "  .thumb_func\n"
    "  .type mcusim_mm4x2_rq_s16, %function\n"
    "mcusim_mm4x2_rq_s16:\n"
    "  push {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n"
    "  sub sp, sp, #52\n"
    "  ldr r4, [r2, #0]\n"                /* n8 */
    "  str r4, [sp, #40]\n"
    "  add r5, r0, r4, lsl #6\n"
    "  str r5, [sp, #0]\n"
    "  str r0, [sp, #4]\n"
    "  str r1, [sp, #8]\n"
    "  str r3, [sp, #12]\n"
    "  ldr r4, [r2, #4]\n"
    "  str r4, [sp, #28]\n"
    "  ldr r4, [r2, #8]\n"
    "  str r4, [sp, #16]\n"
    "  ldr r4, [r2, #12]\n"
    "  str r4, [sp, #20]\n"
    "  ldr r4, [r2, #16]\n"
    "  str r4, [sp, #24]\n"
    "  ldr r4, [r2, #20]\n"
    "  str r4, [sp, #32]\n"
    "  ldr r4, [r2, #24]\n"
    "  str r4, [sp, #36]\n"
    "3:\n"                                 /* next channel pair */
    "  ldr r2, [sp, #16]\n"
    "  ldrd r4, r5, [r2], #8\n"
    "  str r2, [sp, #16]\n"
    "  mov r6, r4\n"
    "  mov r7, r5\n"
    "  mov r8, r4\n"
    "  mov r9, r5\n"
    "  mov r10, r4\n"
    "  mov r11, r5\n"
    "  ldr r0, [sp, #4]\n"
    "  ldr r1, [sp, #8]\n"
    "  ldr r2, [sp, #40]\n"
    "  lsls r2, r2, #31\n"
    "  beq 1f\n"
    "  subs r0, r0, #64\n"
    "  subs r1, r1, #32\n"
    "  b 2f\n"
    "  .balign 4\n"
    "1:\n"
    "  MCUSIM_RQ_KP 0, 0\n"
    "  MCUSIM_RQ_KP 16, 8\n"
    "  MCUSIM_RQ_KP 32, 16\n"
    "  MCUSIM_RQ_KP 48, 24\n"
    "2:\n"
    "  MCUSIM_RQ_KP 64, 32\n"
    "  MCUSIM_RQ_KP 80, 40\n"
    "  MCUSIM_RQ_KP 96, 48\n"
    "  MCUSIM_RQ_KP 112, 56\n"
    "  add r0, r0, #128\n"
    "  add r1, r1, #64\n"
    "  ldr r2, [sp]\n"
    "  cmp r0, r2\n"
    "  bne 1b\n"
    "  str r1, [sp, #8]\n"
    /* first channel of the pair: accumulators r4, r6, r8, r10 (pixels 0..3) */
    MCUSIM_RQ_CHANNEL("0")
    MCUSIM_RQ_ONE("r4")
    "  ldr r4, [sp, #36]\n"               /* out_c: r4 is free now */
    "  add lr, lr, r4\n"
    MCUSIM_RQ_ONE("r6")
    "  add lr, lr, r4\n"
    MCUSIM_RQ_ONE("r8")
    "  add lr, lr, r4\n"
    MCUSIM_RQ_ONE("r10")
    /* second channel: r5, r7, r9, r11 */
    MCUSIM_RQ_CHANNEL("4")
    "  add lr, lr, #1\n"
    MCUSIM_RQ_ONE("r5")
    "  add lr, lr, r4\n"
    MCUSIM_RQ_ONE("r7")
    "  add lr, lr, r4\n"
    MCUSIM_RQ_ONE("r9")
    "  add lr, lr, r4\n"
    MCUSIM_RQ_ONE("r11")
    "  ldr r0, [sp, #12]\n"
    "  adds r0, r0, #2\n"
    "  str r0, [sp, #12]\n"
    "  ldr r0, [sp, #20]\n"
    "  adds r0, r0, #8\n"
    "  str r0, [sp, #20]\n"
    "  ldr r0, [sp, #24]\n"
    "  adds r0, r0, #8\n"
    "  str r0, [sp, #24]\n"
    "  ldr r0, [sp, #28]\n"
    "  subs r0, r0, #1\n"
    "  str r0, [sp, #28]\n"
    "  bne 3b\n"
    "  add sp, sp, #52\n"
    "  pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    "  .size mcusim_mm4x2_rq_s16, .-mcusim_mm4x2_rq_s16\n"
    "  .purgem MCUSIM_RQ_KP\n");
#else
/* the same sums in C (host tests, portable builds): the layout spelled out */
static void mcusim_mm4x2_s16(const int16_t *x, const int16_t *w, int32_t n8, int32_t *acc)
{
    for (int32_t kp = 0; kp < 4 * n8; kp++) {          /* pairs of column elements */
        const int16_t *xk = x + 8 * kp, *wk = w + 4 * kp;
        for (int32_t p = 0; p < 4; p++) {
            for (int32_t c = 0; c < 2; c++) {
                acc[2 * p + c] += xk[2 * p] * wk[2 * c] + xk[2 * p + 1] * wk[2 * c + 1];
            }
        }
    }
}
#endif

/* one channel's outputs for the group's npx pixels (out_c apart) */
MCUSIM_INLINE void mcusim_requant_px(const int32_t *acc, int32_t npx, int32_t m, int32_t s,
                                     int32_t out_off, int32_t lo, int32_t hi, int8_t *out,
                                     int32_t out_c)
{
    if (s <= -2 && s >= -23) {
        const int32_t r1 = -s - 1, hi0 = mcusim_requant_rs_hi0(s, out_off);
        for (int32_t p = 0; p < npx; p++) {
            int32_t v = mcusim_requant_rs(acc[2 * p], m, hi0, r1);
            v = v < lo ? lo : v;
            v = v > hi ? hi : v;
            out[p * out_c] = (int8_t)v;
        }
    } else {
        for (int32_t p = 0; p < npx; p++) {
            out[p * out_c] = mcusim_finish(acc[2 * p], m, s, out_off, lo, hi);
        }
    }
}

int32_t mcusim_packed_rq_fast(const mcusim_quant_params *quant, int32_t out_c)
{
    if (!quant->per_channel || (out_c & 1)) {
        return 0;
    }
    for (int32_t c = 0; c < out_c; c++) {
        if (quant->shift[c] > -2 || quant->shift[c] < -23) {
            return 0;
        }
    }
    return 1;
}

void mcusim_mat_mult_packed_s8(const int16_t *cols, int32_t depth, int32_t npx,
                               const int16_t *packed, const int32_t *bias,
                               const mcusim_quant_params *quant, int32_t out_off,
                               const mcusim_activation *act, int32_t out_c, int8_t *out,
                               int32_t rq_fast)
{
    const int32_t *mult = quant->multiplier, *shift = quant->shift;
    const int32_t pc = quant->per_channel ? 1 : 0;
    const int32_t lo = act->min, hi = act->max;
#if MCUSIM_DSP
    if (rq_fast && npx == 4 && bias) {
        const mcusim_mm_args a = {depth >> 3, out_c >> 1, bias, mult, shift, out_off, out_c};
        mcusim_mm4x2_rq_s16(cols, packed, &a, out);
        if (lo > -128 || hi < 127) {    /* SSAT gave int8; the activation range is narrower */
            for (int32_t i = 0; i < 4 * out_c; i++) {
                const int32_t v = out[i];
                out[i] = (int8_t)(v < lo ? lo : (v > hi ? hi : v));
            }
        }
        return;
    }
#else
    (void)rq_fast;
#endif
    const int16_t *w = packed;
    for (int32_t oc = 0; oc < out_c; oc += 2, w += 2 * depth) {
        const int32_t two = oc + 1 < out_c;
        const int32_t b0 = bias ? bias[oc] : 0, b1 = bias && two ? bias[oc + 1] : 0;
        int32_t acc[8] = {b0, b1, b0, b1, b0, b1, b0, b1};
        mcusim_mm4x2_s16(cols, w, depth >> 3, acc);
        mcusim_requant_px(acc, npx, mult[oc * pc], shift[oc * pc], out_off, lo, hi, out + oc,
                          out_c);
        if (two) {
            mcusim_requant_px(acc + 1, npx, mult[(oc + 1) * pc], shift[(oc + 1) * pc], out_off,
                              lo, hi, out + oc + 1, out_c);
        }
    }
}
