/* The matrix core of the packed CONV_2D kernels (mcusim_convolve_1x1_fast_s8,
 * mcusim_convolve_im2col_fast_s8): four output pixels x every output channel, two channels per
 * pass, requantized in registers.
 *
 * Layouts (docs/kernels.md, "Packed weights"). depth = the column length rounded up to 8 (zeros
 * past the end); within each group of four column elements the pairs are (0, 2) and (1, 3), the
 * order SXTB16 widens an int8 word into (bytes 0, 2) and with ROR #8 (1, 3):
 *  - cols (scratch, int16): for quad q, pair j, pixel p: the word (x_p[4q+j], x_p[4q+j+2]);
 *    MCUSIM_COL4_SLOT(k, p) is the int16 index of element k of pixel p;
 *  - packed (flash, written once at build time by sim/mcusim/compiler/ops/conv_pack.py in place
 *    of the int8 filter, bias and multipliers): per channel pair a record of 2 bias words, the
 *    two rows as doubled int16 (per quad q, pair j: the word of the first row then of the
 *    second: depth words in all), then m, a, r of each channel (mcusim_requant_smmlar).
 * One SMLAD multiplies a column word by a weight word, so the 4 x 2 block of accumulators takes
 * 6 word loads and 8 SMLAD per two column elements: 16 MACs in 16 cycles on a Cortex-M4 (loads
 * grouped so they pipeline), against 8 SXTB16 more with int8 weights. */
#include "mcusim_nn.h"
#include "mcusim_nn_support.h"
#include "mcusim_asm_macros.h"

#if MCUSIM_DSP
/* One 4 x 2 step: two column elements of four pixels (x words at X .. X+12) against two
 * channels (w words at W, W+4); accumulators r4-r11 (pixel p, channel c in r4 + 2p + c). */
__asm__(
    MCUSIM_ASM_KP4X2(MCUSIM_MM4X2_KP)
    /* the first and last steps of an iteration move the pointers by writeback (no ADD), each
     * on the last load of its base in the group (a load right after a writeback from the same
     * base waits for it): r0/r1 sit 4 bytes before the iteration's data on entry, 4 bytes into
     * it after the first step, on its last word after the last */
    MCUSIM_ASM_KP4X2_FIRST(MCUSIM_MM4X2_KP_FIRST)
    MCUSIM_ASM_KP4X2_LAST(MCUSIM_MM4X2_KP_LAST)
    /* the column loop: r0 = cols, r1 = rows, r2 = n8, [sp] = cols + 64 n8 - 4 (where r0 ends);
     * 32 elements (16 steps) per iteration; n8 % 4 = q > 0 enters at step 4 (4 - q) with the
     * pointers moved back to match; leaves r1 just past the rows. The middle steps' offsets are
     * relative to the iteration's data + 4. */
    "  .macro MCUSIM_MM4X2_LOOP\n"
    "  ands r2, r2, #3\n"
    "  beq 10f\n"
    "  rsb r2, r2, #4\n"
    "  sub r0, r0, r2, lsl #6\n"
    "  sub r1, r1, r2, lsl #5\n"
    "  adds r0, r0, #4\n"              /* as after a first step */
    "  adds r1, r1, #4\n"
    "  cmp r2, #2\n"
    "  blt 14f\n"
    "  beq 18f\n"
    "  b 22f\n"
    "10:\n"
    "  subs r0, r0, #4\n"
    "  subs r1, r1, #4\n"
    "  MCUSIM_MM4X2_BODY\n"
    "  .endm\n"
    /* the iterations alone: r0/r1 4 bytes before the data (mcusim_mm4x2_rq_s16 enters here
     * straight when n8 % 4 = 0, at step 4 (4 - q) through its out-of-line entry otherwise) */
    "  .macro MCUSIM_MM4X2_BODY\n"
    "  .balign 4\n"
    "11:\n"
    "  MCUSIM_MM4X2_KP_FIRST\n"
    "  MCUSIM_MM4X2_KP 12, 4\n"
    "  MCUSIM_MM4X2_KP 28, 12\n"
    "  MCUSIM_MM4X2_KP 44, 20\n"
    "14:\n"
    "  MCUSIM_MM4X2_KP 60, 28\n"
    "  MCUSIM_MM4X2_KP 76, 36\n"
    "  MCUSIM_MM4X2_KP 92, 44\n"
    "  MCUSIM_MM4X2_KP 108, 52\n"
    "18:\n"
    "  MCUSIM_MM4X2_KP 124, 60\n"
    "  MCUSIM_MM4X2_KP 140, 68\n"
    "  MCUSIM_MM4X2_KP 156, 76\n"
    "  MCUSIM_MM4X2_KP 172, 84\n"
    "22:\n"
    "  MCUSIM_MM4X2_KP 188, 92\n"
    "  MCUSIM_MM4X2_KP 204, 100\n"
    "  MCUSIM_MM4X2_KP 220, 108\n"
    "  MCUSIM_MM4X2_KP_LAST\n"
    "  ldr r2, [sp]\n"
    "  cmp r0, r2\n"
    "  bne 11b\n"
    "  adds r1, r1, #4\n"
    "  .endm\n");

/* acc[2p + c] += sum over k < 8 n8 of x_p[k] w_c[k] (w: one record's rows). For the last,
 * incomplete group of pixels. Assembly at file scope: fixed registers, the same code at any
 * optimization level. */
void mcusim_mm4x2_s16(const int16_t *x, const int32_t *w, int32_t n8, int32_t *acc);
__asm__(
    "  .syntax unified\n"
    "  .thumb\n"
    MCUSIM_ASM_FUNC(mcusim_mm4x2_s16)
    "  push {r3, r4, r5, r6, r7, r8, r9, r10, r11, lr}\n"
    "  sub sp, sp, #8\n"
    "  add r12, r0, r2, lsl #6\n"
    "  sub r12, r12, #4\n"              /* where r0 ends */
    "  str r12, [sp]\n"
    "  ldm r3, {r4, r5, r6, r7, r8, r9, r10, r11}\n"
    "  MCUSIM_MM4X2_LOOP\n"
    "  ldr r3, [sp, #8]\n"
    "  stm r3, {r4, r5, r6, r7, r8, r9, r10, r11}\n"
    "  add sp, sp, #8\n"
    "  pop {r3, r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    "  .size mcusim_mm4x2_s16, .-mcusim_mm4x2_s16\n");

/* Four pixels x every channel pair in one call: per record, the accumulators start from the
 * bias words, run the loop above, and each goes out as SUB (A = a - sign), SMMLAR, ASR, SSAT,
 * STRB and a pointer step (mcusim_requant_smmlar); the record's m, a, r come in with one LDM
 * per channel, the second channel's issued before the first channel's last store (a load right
 * after a store waits on the M4) and its outputs written backwards, so the output pointer ends
 * one channel on. Outputs are saturated to int8; the caller clamps a narrower activation range.
 * With n8 % 4 = q > 0 the entry (cols pointer, record adjustment, step 4 (4 - q)) is worked out
 * once per call, not per record. Frame: [sp] cols end, 4 r0 at entry, 8 r1 adjustment (0 when
 * q = 0), 12 out, 16 the records' end, 20 out_c, 24 the entry (q > 0). */
void mcusim_mm4x2_rq_s16(const int16_t *x, const int32_t *rec, const int32_t *args,
                         int8_t *out);
#define MCUSIM_RQ_ONE(ACC)                                                                         \
    "  sub r12, r2, " ACC ", lsr #31\n"                                                            \
    "  smmlar r12, " ACC ", r0, r12\n"                                                             \
    "  asr r12, r12, r3\n"                                                                         \
    "  ssat r12, #8, r12\n"                                                                        \
    "  strb r12, [lr]\n"
/* the second channel's: m, a, r in r6, r8, r10 */
#define MCUSIM_RQ_TWO(ACC)                                                                         \
    "  sub r12, r8, " ACC ", lsr #31\n"                                                            \
    "  smmlar r12, " ACC ", r6, r12\n"                                                             \
    "  asr r12, r12, r10\n"                                                                        \
    "  ssat r12, #8, r12\n"                                                                        \
    "  strb r12, [lr]\n"
__asm__(
    "  .syntax unified\n"
    "  .thumb\n"
    MCUSIM_ASM_FUNC(mcusim_mm4x2_rq_s16)
    "  push {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n"
    "  sub sp, sp, #28\n"
    "  ldr r4, [r2, #0]\n"                /* n8 */
    "  add r5, r0, r4, lsl #6\n"
    "  sub r5, r5, #4\n"                 /* where r0 ends */
    "  str r5, [sp, #0]\n"
    "  str r3, [sp, #12]\n"
    "  ldr r5, [r2, #4]\n"                /* pairs: the records end 32 (n8 + 1) bytes apart */
    "  mla r6, r4, r5, r5\n"
    "  add r6, r1, r6, lsl #5\n"
    "  str r6, [sp, #16]\n"
    "  ldr r6, [r2, #8]\n"                /* out_c */
    "  str r6, [sp, #20]\n"
    "  sub r6, r0, #4\n"                 /* cols - 4, as the loop body wants r0 */
    "  movs r7, #0\n"
    "  ands r5, r4, #3\n"                /* q = n8 % 4 */
    "  beq 5f\n"
    /* q > 0: enter at step 4 (4 - q), the pointers moved back to match (as after a first
     * step: + 8 on the record pointer, which the pair loop leaves 4 bytes before the rows) */
    "  rsb r5, r5, #4\n"
    "  sub r6, r6, r5, lsl #6\n"
    "  adds r6, r6, #8\n"
    "  lsls r7, r5, #5\n"
    "  subs r7, r7, #8\n"
    "  adr r8, 14f\n"
    "  cmp r5, #2\n"
    "  blt 4f\n"
    "  adr r8, 18f\n"
    "  beq 4f\n"
    "  adr r8, 22f\n"
    "4:\n"
    "  orr r8, r8, #1\n"                 /* Thumb state for the LDR PC */
    "  str r8, [sp, #24]\n"
    "5:\n"
    "  strd r6, r7, [sp, #4]\n"
    "3:\n"                                 /* next record: r1 */
    "  ldrd r4, r5, [r1], #4\n"           /* r1: 4 bytes before the rows */
    "  mov r6, r4\n"
    "  mov r7, r5\n"
    "  mov r8, r4\n"
    "  mov r9, r5\n"
    "  mov r10, r4\n"
    "  mov r11, r5\n"
    "  ldrd r0, r2, [sp, #4]\n"
    "  cbz r2, 11f\n"
    "  sub r1, r1, r2\n"
    "  ldr pc, [sp, #24]\n"
    "  MCUSIM_MM4X2_BODY\n"
    /* first channel: m, a, r; accumulators r4, r6, r8, r10 (pixels 0..3) */
    "  ldm r1!, {r0, r2, r3}\n"
    "  ldr lr, [sp, #12]\n"
    "  sub r12, r2, r4, lsr #31\n"
    "  smmlar r12, r4, r0, r12\n"
    "  ldr r4, [sp, #20]\n"               /* out_c: r4 is free now */
    "  asr r12, r12, r3\n"
    "  ssat r12, #8, r12\n"
    "  strb r12, [lr]\n"
    "  add lr, lr, r4\n"
    MCUSIM_RQ_ONE("r6")
    "  add lr, lr, r4\n"
    MCUSIM_RQ_ONE("r8")
    "  add lr, lr, r4\n"
    "  sub r12, r2, r10, lsr #31\n"
    "  smmlar r12, r10, r0, r12\n"
    "  asr r12, r12, r3\n"
    "  ssat r12, #8, r12\n"
    "  ldm r1!, {r6, r8, r10}\n"          /* the second channel's m, a, r */
    "  strb r12, [lr]\n"
    /* second channel, pixels 3..0: r11, r9, r7, r5 */
    "  add lr, lr, #1\n"
    "  ldr r0, [sp, #16]\n"              /* the records' end */
    MCUSIM_RQ_TWO("r11")
    "  sub lr, lr, r4\n"
    MCUSIM_RQ_TWO("r9")
    "  sub lr, lr, r4\n"
    MCUSIM_RQ_TWO("r7")
    "  sub lr, lr, r4\n"
    MCUSIM_RQ_TWO("r5")
    "  adds lr, lr, #1\n"
    "  str lr, [sp, #12]\n"
    "  cmp r1, r0\n"
    "  bne 3b\n"
    "  add sp, sp, #28\n"
    "  pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    MCUSIM_ASM_END(mcusim_mm4x2_rq_s16)
    "  .purgem MCUSIM_MM4X2_LOOP\n"
    "  .purgem MCUSIM_MM4X2_BODY\n"
    "  .purgem MCUSIM_MM4X2_KP_LAST\n"
    "  .purgem MCUSIM_MM4X2_KP_FIRST\n"
    );

/* Columns of 8 or 16 elements (n8 = 1, 2: VWW's 1x1 8 -> 16 and 16 -> 32 channels): each record
 * straight-line, no column loop, no entry, and the first step accumulating onto the bias words
 * (no copies: every accumulator reads r10/r11 before they are written); weights addressed from
 * the record's start. Same records, columns and requantization as mcusim_mm4x2_rq_s16.
 * Frame: [sp] cols, 4 out, 8 the records' end, 12 out_c. */
__asm__(
    MCUSIM_ASM_KP4X2_BIAS(MCUSIM_MM4X2_KPB)  /* the first step: accumulators from the bias */
    "  .macro MCUSIM_MM4X2_SMALL N8\n"
    "  push {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n"
    "  sub sp, sp, #16\n"
    "  str r0, [sp, #0]\n"
    "  str r3, [sp, #4]\n"
    "  ldr r4, [r2, #4]\n"                /* pairs: records of 32 (n8 + 1) bytes */
    "  .if \\N8 == 1\n"
    "  add r4, r1, r4, lsl #6\n"
    "  .else\n"
    "  add r4, r4, r4, lsl #1\n"
    "  add r4, r1, r4, lsl #5\n"
    "  .endif\n"
    "  str r4, [sp, #8]\n"
    "  ldr r4, [r2, #8]\n"                /* out_c */
    "  str r4, [sp, #12]\n"
    "1:\n"
    "  ldr r0, [sp, #0]\n"
    "  MCUSIM_MM4X2_KPB 0, 8\n"
    "  MCUSIM_MM4X2_KP 16, 16\n"
    "  MCUSIM_MM4X2_KP 32, 24\n"
    "  MCUSIM_MM4X2_KP 48, 32\n"
    "  .if \\N8 == 2\n"
    "  MCUSIM_MM4X2_KP 64, 40\n"
    "  MCUSIM_MM4X2_KP 80, 48\n"
    "  MCUSIM_MM4X2_KP 96, 56\n"
    "  MCUSIM_MM4X2_KP 112, 64\n"
    "  .endif\n"
    "  add r1, r1, #8 + 32 * \\N8\n"      /* m, a, r of the first channel */
    "  ldm r1!, {r0, r2, r3}\n"
    "  ldr lr, [sp, #4]\n"
    "  sub r12, r2, r4, lsr #31\n"
    "  smmlar r12, r4, r0, r12\n"
    "  ldr r4, [sp, #12]\n"               /* out_c: r4 is free now */
    "  asr r12, r12, r3\n"
    "  ssat r12, #8, r12\n"
    "  strb r12, [lr]\n"
    "  add lr, lr, r4\n"
    MCUSIM_RQ_ONE("r6")
    "  add lr, lr, r4\n"
    MCUSIM_RQ_ONE("r8")
    "  add lr, lr, r4\n"
    "  sub r12, r2, r10, lsr #31\n"
    "  smmlar r12, r10, r0, r12\n"
    "  asr r12, r12, r3\n"
    "  ssat r12, #8, r12\n"
    "  ldm r1!, {r6, r8, r10}\n"          /* the second channel's m, a, r */
    "  strb r12, [lr]\n"
    "  add lr, lr, #1\n"
    "  ldr r0, [sp, #8]\n"               /* the records' end */
    MCUSIM_RQ_TWO("r11")
    "  sub lr, lr, r4\n"
    MCUSIM_RQ_TWO("r9")
    "  sub lr, lr, r4\n"
    MCUSIM_RQ_TWO("r7")
    "  sub lr, lr, r4\n"
    MCUSIM_RQ_TWO("r5")
    "  adds lr, lr, #1\n"
    "  str lr, [sp, #4]\n"
    "  cmp r1, r0\n"
    "  bne 1b\n"
    "  add sp, sp, #16\n"
    "  pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    "  .endm\n"
    "  .syntax unified\n"
    "  .thumb\n"
    MCUSIM_ASM_FUNC(mcusim_mm4x2_rq_n1_s16)
    "  MCUSIM_MM4X2_SMALL 1\n"
    MCUSIM_ASM_END(mcusim_mm4x2_rq_n1_s16)
    "  .balign 4\n"
    "  .global mcusim_mm4x2_rq_n2_s16\n"
    "  .thumb_func\n"
    "  .type mcusim_mm4x2_rq_n2_s16, %function\n"
    "mcusim_mm4x2_rq_n2_s16:\n"
    "  MCUSIM_MM4X2_SMALL 2\n"
    MCUSIM_ASM_END(mcusim_mm4x2_rq_n2_s16)
    "  .purgem MCUSIM_MM4X2_SMALL\n"
    "  .purgem MCUSIM_MM4X2_KPB\n"
    "  .purgem MCUSIM_MM4X2_KP\n");
#undef MCUSIM_RQ_TWO
void mcusim_mm4x2_rq_n1_s16(const int16_t *x, const int32_t *rec, const int32_t *args,
                            int8_t *out);
void mcusim_mm4x2_rq_n2_s16(const int16_t *x, const int32_t *rec, const int32_t *args,
                            int8_t *out);

/* Three pixels x every channel pair (a layer's last pixels when their count is not a multiple of
 * four, so no group is computed twice): the same column layout (pixel 3's words skipped) and
 * records; a 3 x 2 block in r4-r9 (pixel p, channel c in r4 + 2p + c) takes 5 word loads issued
 * together and 6 SMLAD per two column elements, 12 MACs in 12 cycles on the M4 (as the 4 x 2
 * block), 8 elements per iteration. Frame: [sp] cols, 4 out, 8 the records' end, 12 out_c,
 * 16 the columns' bytes. */
void mcusim_mm3x2_rq_s16(const int16_t *x, const int32_t *rec, const int32_t *args,
                         int8_t *out);
__asm__(
    "  .macro MCUSIM_MM3X2_KP X, W\n"
    "  ldr r12, [r1, #\\W]\n"
    "  ldr lr, [r1, #\\W+4]\n"
    "  ldr r2, [r0, #\\X]\n"
    "  ldr r3, [r0, #\\X+4]\n"
    "  ldr r10, [r0, #\\X+8]\n"
    MCUSIM_ASM_KP4X2_MAC_LO
    "  smlad r8, r10, r12, r8\n"
    "  smlad r9, r10, lr, r9\n"
    "  .endm\n"
    "  .syntax unified\n"
    "  .thumb\n"
    MCUSIM_ASM_FUNC(mcusim_mm3x2_rq_s16)
    "  push {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n"
    "  sub sp, sp, #20\n"
    "  ldr r4, [r2, #0]\n"                /* n8 */
    "  lsls r5, r4, #6\n"
    "  str r5, [sp, #16]\n"
    "  str r0, [sp, #0]\n"
    "  str r3, [sp, #4]\n"
    "  ldr r5, [r2, #4]\n"                /* pairs: the records end 32 (n8 + 1) bytes apart */
    "  mla r4, r4, r5, r5\n"
    "  add r4, r1, r4, lsl #5\n"
    "  str r4, [sp, #8]\n"
    "  ldr r4, [r2, #8]\n"                /* out_c */
    "  str r4, [sp, #12]\n"
    "3:\n"
    "  ldrd r4, r5, [r1], #8\n"
    "  mov r6, r4\n"
    "  mov r7, r5\n"
    "  mov r8, r4\n"
    "  mov r9, r5\n"
    "  ldr r0, [sp, #0]\n"
    "  ldr r11, [sp, #16]\n"
    "  add r11, r11, r0\n"                /* where r0 ends */
    "1:\n"
    "  MCUSIM_MM3X2_KP 0, 0\n"
    "  MCUSIM_MM3X2_KP 16, 8\n"
    "  MCUSIM_MM3X2_KP 32, 16\n"
    "  MCUSIM_MM3X2_KP 48, 24\n"
    "  adds r0, r0, #64\n"
    "  adds r1, r1, #32\n"
    "  cmp r0, r11\n"
    "  bne 1b\n"
    /* first channel forwards over the pixels, the second backwards: lr ends at out + 1 */
    "  ldm r1!, {r0, r2, r3}\n"
    "  ldr lr, [sp, #4]\n"
    "  ldr r11, [sp, #12]\n"
    MCUSIM_RQ_ONE("r4")
    "  add lr, lr, r11\n"
    MCUSIM_RQ_ONE("r6")
    "  add lr, lr, r11\n"
    MCUSIM_RQ_ONE("r8")
    "  ldm r1!, {r0, r2, r3}\n"
    "  add lr, lr, #1\n"
    MCUSIM_RQ_ONE("r9")
    "  sub lr, lr, r11\n"
    MCUSIM_RQ_ONE("r7")
    "  sub lr, lr, r11\n"
    MCUSIM_RQ_ONE("r5")
    "  adds lr, lr, #1\n"
    "  str lr, [sp, #4]\n"
    "  ldr r0, [sp, #8]\n"
    "  cmp r1, r0\n"
    "  bne 3b\n"
    "  add sp, sp, #20\n"
    "  pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    MCUSIM_ASM_END(mcusim_mm3x2_rq_s16)
    "  .purgem MCUSIM_MM3X2_KP\n");

/* The 3 x 2 block on the Cortex-M7: each SMLAD paired with a load (the older slot a DSP op, the
 * younger a load) a step ahead: 6 cycles per 12 MACs in the M7 scoreboard, as the pipelined 4 x 2
 * block's 8 per 16. w0, w1, x0, x1 are carried from step to step (x2 is loaded beside the step's
 * first SMLAD); the last step reads one step past the columns and rows (the next words, never
 * used), as mcusim_mm4x2_rq_s16_m7. Frame as mcusim_mm3x2_rq_s16. */
void mcusim_mm3x2_rq_s16_m7(const int16_t *x, const int32_t *rec, const int32_t *args,
                            int8_t *out);
__asm__(
    "  .macro MCUSIM_MM3X2_KP7 X, W\n"
    "  smlad r4, r2, r12, r4\n"
    "  ldr r10, [r0, #\\X+8]\n"
    "  smlad r5, r2, lr, r5\n"
    "  ldr r2, [r0, #\\X+16]\n"
    "  smlad r6, r3, r12, r6\n"
    "  smlad r7, r3, lr, r7\n"
    "  ldr r3, [r0, #\\X+20]\n"
    "  smlad r8, r10, r12, r8\n"
    "  ldr r12, [r1, #\\W+8]\n"
    "  smlad r9, r10, lr, r9\n"
    "  ldr lr, [r1, #\\W+12]\n"
    "  .endm\n"
    "  .syntax unified\n"
    "  .thumb\n"
    MCUSIM_ASM_FUNC(mcusim_mm3x2_rq_s16_m7)
    "  push {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n"
    "  sub sp, sp, #20\n"
    "  ldr r4, [r2, #0]\n"                /* n8 */
    "  lsls r5, r4, #6\n"
    "  str r5, [sp, #16]\n"
    "  str r0, [sp, #0]\n"
    "  str r3, [sp, #4]\n"
    "  ldr r5, [r2, #4]\n"                /* pairs: the records end 32 (n8 + 1) bytes apart */
    "  mla r4, r4, r5, r5\n"
    "  add r4, r1, r4, lsl #5\n"
    "  str r4, [sp, #8]\n"
    "  ldr r4, [r2, #8]\n"                /* out_c */
    "  str r4, [sp, #12]\n"
    "3:\n"
    "  ldrd r4, r5, [r1], #8\n"
    "  ldr r0, [sp, #0]\n"
    "  ldr r11, [sp, #16]\n"
    "  mov r6, r4\n"
    "  mov r7, r5\n"
    "  ldr r12, [r1]\n"
    "  mov r8, r4\n"
    "  ldr lr, [r1, #4]\n"
    "  mov r9, r5\n"
    "  ldr r2, [r0]\n"
    "  add r11, r11, r0\n"                /* where r0 ends */
    "  ldr r3, [r0, #4]\n"
    "  .balign 8\n"
    "1:\n"
    "  MCUSIM_MM3X2_KP7 0, 0\n"
    "  MCUSIM_MM3X2_KP7 16, 8\n"
    "  MCUSIM_MM3X2_KP7 32, 16\n"
    "  MCUSIM_MM3X2_KP7 48, 24\n"
    "  adds r0, r0, #64\n"
    "  adds r1, r1, #32\n"
    "  cmp r0, r11\n"
    "  bne 1b\n"
    "  ldm r1!, {r0, r2, r3}\n"
    "  ldr lr, [sp, #4]\n"
    "  ldr r11, [sp, #12]\n"
    MCUSIM_RQ_ONE("r4")
    "  add lr, lr, r11\n"
    MCUSIM_RQ_ONE("r6")
    "  add lr, lr, r11\n"
    MCUSIM_RQ_ONE("r8")
    "  ldm r1!, {r0, r2, r3}\n"
    "  add lr, lr, #1\n"
    MCUSIM_RQ_ONE("r9")
    "  sub lr, lr, r11\n"
    MCUSIM_RQ_ONE("r7")
    "  sub lr, lr, r11\n"
    MCUSIM_RQ_ONE("r5")
    "  adds lr, lr, #1\n"
    "  str lr, [sp, #4]\n"
    "  ldr r0, [sp, #8]\n"
    "  cmp r1, r0\n"
    "  bne 3b\n"
    "  add sp, sp, #20\n"
    "  pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    MCUSIM_ASM_END(mcusim_mm3x2_rq_s16_m7)
    "  .purgem MCUSIM_MM3X2_KP7\n");

/* Cortex-M7 (dual issue, loads a cycle before their use): the same block software-pipelined,
 * each step's loads issued beside the previous step's SMLADs (a DSP op takes the older slot, a
 * load the younger one) and a step ahead of their use: 8 cycles per 16 MACs on the M7 against
 * 12 with the M4's grouped loads, which the M4 needs (its loads pipeline only back to back). */
__asm__(
    "  .macro MCUSIM_MM4X2_KP7 X, W\n"
    "  smlad r4, r2, r12, r4\n"
    "  ldr r3, [r0, #\\X+4]\n"
    "  smlad r5, r2, lr, r5\n"
    "  ldr r2, [r0, #\\X+8]\n"
    "  smlad r6, r3, r12, r6\n"
    "  smlad r7, r3, lr, r7\n"
    "  ldr r3, [r0, #\\X+12]\n"
    "  smlad r8, r2, r12, r8\n"
    "  smlad r9, r2, lr, r9\n"
    "  ldr r2, [r0, #\\X+16]\n"        /* the next step's operands */
    "  smlad r10, r3, r12, r10\n"
    "  ldr r12, [r1, #\\W+8]\n"
    "  smlad r11, r3, lr, r11\n"
    "  ldr lr, [r1, #\\W+12]\n"
    "  .endm\n");

/* mcusim_mm4x2_rq_s16 with that loop (8 columns per iteration; the last step reads one step
 * past the columns and rows: the next group's column words or whatever follows the scratch in
 * the arena, and the record's constants; never used). Frame as
 * there, but [sp] = cols + 64 n8. */
void mcusim_mm4x2_rq_s16_m7(const int16_t *x, const int32_t *rec, const int32_t *args,
                            int8_t *out);
__asm__(
    "  .macro MCUSIM_MM4X2_KP7B\n"          /* the first step: accumulators from the bias */
    "  smlad r4, r2, r12, r10\n"
    "  ldr r3, [r0, #4]\n"
    "  smlad r5, r2, lr, r11\n"
    "  ldr r2, [r0, #8]\n"
    "  smlad r6, r3, r12, r10\n"
    "  smlad r7, r3, lr, r11\n"
    "  ldr r3, [r0, #12]\n"
    "  smlad r8, r2, r12, r10\n"
    "  smlad r9, r2, lr, r11\n"
    "  ldr r2, [r0, #16]\n"
    "  smlad r10, r3, r12, r10\n"
    "  ldr r12, [r1, #8]\n"
    "  smlad r11, r3, lr, r11\n"
    "  ldr lr, [r1, #12]\n"
    "  .endm\n"
    "  .macro MCUSIM_MM4X2_M7 N8\n"         /* N8 = 0: the column loop; 1, 2: straight-line */
    "  push {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n"
    "  sub sp, sp, #28\n"
    "  ldr r4, [r2, #0]\n"                /* n8 */
    "  str r4, [sp, #24]\n"
    "  add r5, r0, r4, lsl #6\n"
    "  str r5, [sp, #0]\n"
    "  str r0, [sp, #4]\n"
    "  str r3, [sp, #12]\n"
    "  ldr r4, [r2, #4]\n"                /* pairs */
    "  str r4, [sp, #16]\n"
    "  ldr r4, [r2, #8]\n"                /* out_c */
    "  str r4, [sp, #20]\n"
    "3:\n"
    "  .if \\N8 == 0\n"
    "  ldrd r4, r5, [r1], #8\n"
    "  mov r6, r4\n"
    "  mov r7, r5\n"
    "  mov r8, r4\n"
    "  mov r9, r5\n"
    "  mov r10, r4\n"
    "  mov r11, r5\n"
    "  ldr r0, [sp, #4]\n"
    "  ldr r12, [r1]\n"
    "  ldr lr, [r1, #4]\n"
    "  ldr r2, [r0]\n"
    "  .balign 8\n"                     /* the M7 fetches 64 bits: its timing, not the layout's */
    "1:\n"
    "  MCUSIM_MM4X2_KP7 0, 0\n"
    "  MCUSIM_MM4X2_KP7 16, 8\n"
    "  MCUSIM_MM4X2_KP7 32, 16\n"
    "  MCUSIM_MM4X2_KP7 48, 24\n"
    "  add r0, r0, #64\n"
    "  add r1, r1, #32\n"
    "  ldr r3, [sp]\n"
    "  cmp r0, r3\n"
    "  bne 1b\n"
    "  .else\n"
    "  ldrd r10, r11, [r1], #8\n"
    "  ldr r0, [sp, #4]\n"
    "  ldr r12, [r1]\n"
    "  ldr lr, [r1, #4]\n"
    "  ldr r2, [r0]\n"
    "  MCUSIM_MM4X2_KP7B\n"
    "  MCUSIM_MM4X2_KP7 16, 8\n"
    "  MCUSIM_MM4X2_KP7 32, 16\n"
    "  MCUSIM_MM4X2_KP7 48, 24\n"
    "  .if \\N8 == 2\n"
    "  MCUSIM_MM4X2_KP7 64, 32\n"
    "  MCUSIM_MM4X2_KP7 80, 40\n"
    "  MCUSIM_MM4X2_KP7 96, 48\n"
    "  MCUSIM_MM4X2_KP7 112, 56\n"
    "  .endif\n"
    "  add r1, r1, #32 * \\N8\n"
    "  .endif\n"
    /* requantization in place (each output in its accumulator), the four outputs of a channel
     * interleaved so each SMMLAR issues beside a SUB or ASR and each SSAT beside a store or
     * load (the M7 pairs neither two multiplies nor two stores): channel 0 with temps r12, lr
     * (the output pointer loaded after), channel 1 with its constants in the freed r6, r8, r10
     * and temps r12, r3; the record pointer stays in r1 */
    "  ldm r1!, {r0, r2, r3}\n"
    "  sub r12, r2, r4, lsr #31\n"
    "  sub lr, r2, r6, lsr #31\n"
    "  smmlar r4, r4, r0, r12\n"
    "  sub r12, r2, r8, lsr #31\n"
    "  smmlar r6, r6, r0, lr\n"
    "  sub lr, r2, r10, lsr #31\n"
    "  smmlar r8, r8, r0, r12\n"
    "  asr r4, r4, r3\n"
    "  smmlar r10, r10, r0, lr\n"
    "  asr r6, r6, r3\n"
    "  ldr lr, [sp, #12]\n"
    "  ssat r4, #8, r4\n"
    "  asr r8, r8, r3\n"
    "  ssat r6, #8, r6\n"
    "  strb r4, [lr]\n"
    "  ldr r4, [sp, #20]\n"               /* out_c: r4 is free now */
    "  asr r10, r10, r3\n"
    "  ssat r8, #8, r8\n"
    "  add r0, lr, r4, lsl #1\n"          /* pixel 2 */
    "  strb r6, [lr, r4]\n"
    "  ssat r10, #8, r10\n"
    "  strb r8, [r0]\n"
    "  add r2, lr, r4\n"                  /* pixel 1 */
    "  strb r10, [r0, r4]\n"
    "  ldm r1!, {r6, r8, r10}\n"          /* the second channel's m, a, r */
    "  sub r12, r8, r5, lsr #31\n"
    "  sub r3, r8, r7, lsr #31\n"
    "  smmlar r5, r5, r6, r12\n"
    "  sub r12, r8, r9, lsr #31\n"
    "  smmlar r7, r7, r6, r3\n"
    "  sub r3, r8, r11, lsr #31\n"
    "  smmlar r9, r9, r6, r12\n"
    "  asr r5, r5, r10\n"
    "  smmlar r11, r11, r6, r3\n"
    "  asr r7, r7, r10\n"
    "  ssat r5, #8, r5\n"
    "  asr r9, r9, r10\n"
    "  ssat r7, #8, r7\n"
    "  strb r5, [lr, #1]\n"
    "  asr r11, r11, r10\n"
    "  ssat r9, #8, r9\n"
    "  strb r7, [r2, #1]\n"
    "  ssat r11, #8, r11\n"
    "  adds r0, r0, #1\n"
    "  strb r9, [r0]\n"
    "  strb r11, [r0, r4]\n"
    "  adds lr, lr, #2\n"
    "  str lr, [sp, #12]\n"
    "  ldr r0, [sp, #16]\n"
    "  subs r0, r0, #1\n"
    "  str r0, [sp, #16]\n"
    "  bne 3b\n"
    "  add sp, sp, #28\n"
    "  pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    "  .endm\n"
    "  .syntax unified\n"
    "  .thumb\n"
    MCUSIM_ASM_FUNC(mcusim_mm4x2_rq_s16_m7)
    "  MCUSIM_MM4X2_M7 0\n"
    MCUSIM_ASM_END(mcusim_mm4x2_rq_s16_m7)
    /* columns of 8 or 16 elements on the M7 (as mcusim_mm4x2_rq_n1_s16 / _n2_s16: no column
     * loop, no bias copies; the same pipelined steps) */
    MCUSIM_ASM_FUNC(mcusim_mm4x2_rq_n1_s16_m7)
    "  MCUSIM_MM4X2_M7 1\n"
    MCUSIM_ASM_END(mcusim_mm4x2_rq_n1_s16_m7)
    MCUSIM_ASM_FUNC(mcusim_mm4x2_rq_n2_s16_m7)
    "  MCUSIM_MM4X2_M7 2\n"
    MCUSIM_ASM_END(mcusim_mm4x2_rq_n2_s16_m7)
    "  .purgem MCUSIM_MM4X2_M7\n"
    "  .purgem MCUSIM_MM4X2_KP7B\n"
    "  .purgem MCUSIM_MM4X2_KP7\n");
void mcusim_mm4x2_rq_n1_s16_m7(const int16_t *x, const int32_t *rec, const int32_t *args,
                               int8_t *out);
void mcusim_mm4x2_rq_n2_s16_m7(const int16_t *x, const int32_t *rec, const int32_t *args,
                               int8_t *out);

/* Widening into the column scratch (the 1x1 and im2col gathers). One quad: a word of four int8
 * (unaligned loads are fine on ARMv7-M/v8-M), SXTB16 (+ SADD16 of the input offset in both
 * lanes unless the compiler folded it into the bias) into the words 0 and 16 bytes on; four
 * quads per pass with their loads together (they pipeline on the M4). */
#define MCUSIM_WQ_ONE(V, OFF)                                                                      \
    "  sxtb16 r8, " V "\n"                                                                         \
    "  sxtb16 " V ", " V ", ror #8\n"                                                              \
    MCUSIM_WQ_ADD(V)                                                                               \
    "  str r8, [r0, #" OFF "]\n"                                                                   \
    "  str " V ", [r0, #" OFF "+16]\n"
#define MCUSIM_WQ_LOOPS(TAG)                                                                       \
    "1" TAG ":\n"                     /* a run: r9 quads from r1 */                                \
    "  subs r3, r9, #4\n"                                                                          \
    "  blt 3" TAG "f\n"                                                                            \
    "2" TAG ":\n"                                                                                  \
    "  ldr r4, [r1]\n"                                                                             \
    "  ldr r5, [r1, #4]\n"                                                                         \
    "  ldr r6, [r1, #8]\n"                                                                         \
    "  ldr r7, [r1, #12]\n"                                                                        \
    "  adds r1, r1, #16\n"                                                                         \
    MCUSIM_WQ_ONE("r4", "0")                                                                       \
    MCUSIM_WQ_ONE("r5", "32")                                                                      \
    MCUSIM_WQ_ONE("r6", "64")                                                                      \
    MCUSIM_WQ_ONE("r7", "96")                                                                      \
    "  adds r0, r0, #128\n"                                                                        \
    "  subs r3, r3, #4\n"                                                                          \
    "  bge 2" TAG "b\n"                                                                            \
    "3" TAG ":\n"                                                                                  \
    "  adds r3, r3, #4\n"                                                                          \
    "  beq 5" TAG "f\n"                                                                            \
    "4" TAG ":\n"                                                                                  \
    "  ldr r4, [r1], #4\n"                                                                         \
    MCUSIM_WQ_ONE("r4", "0")                                                                       \
    "  adds r0, r0, #32\n"                                                                         \
    "  subs r3, r3, #1\n"                                                                          \
    "  bne 4" TAG "b\n"                                                                            \
    "5" TAG ":\n"                                                                                  \
    "  add r1, r1, r10\n"                                                                           \
    "  add r0, r0, r11\n"                                                                          \
    "  subs r2, r2, #1\n"                                                                          \
    "  bne 1" TAG "b\n"
/* r0 c32, r1 ip, r2 runs, r3 args {quads per run, ip step, c32 step, off2} (into r9-r12; r3
 * then counts quads): the steps are added after each run (ip and c32 then stand just past it).
 * Returns c32. */
__asm__(
    "  .syntax unified\n"
    "  .thumb\n"
    MCUSIM_ASM_FUNC(mcusim_widen_runs_s8)
    "  push {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n"
    "  ldm r3, {r9, r10, r11, r12}\n"
    "  cmp r2, #0\n"
    "  ble 9f\n"
    "  cmp r12, #0\n"
    "  bne 8f\n"
#define MCUSIM_WQ_ADD(V) ""
    MCUSIM_WQ_LOOPS("")
#undef MCUSIM_WQ_ADD
    "  b 9f\n"
    "8:\n"
#define MCUSIM_WQ_ADD(V) "  sadd16 r8, r8, r12\n  sadd16 " V ", " V ", r12\n"
    MCUSIM_WQ_LOOPS("")
#undef MCUSIM_WQ_ADD
    "9:\n"
    "  pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    "  .size mcusim_widen_runs_s8, .-mcusim_widen_runs_s8\n");
#undef MCUSIM_WQ_LOOPS
#undef MCUSIM_WQ_ONE

/* 3x3 windows over 3 channels (the RGB first convolutions of VWW and IC): each window's 27 bytes
 * plus the zero point are seven quads (rows joined by shifts, as mcusim_widen_rows_s8 in C),
 * widened with the input offset into pixel p's slots; the eighth quad's slots are left as they
 * are (zero). r0 c32, r1 the first window, r2 the row stride, r3 args {pixels, window step,
 * off2, zp << 24}. */
#define MCUSIM_RGB_WIDEN(V, T, OFF)                                                                \
    "  sxtb16 " T ", " V "\n"                                                                      \
    "  sxtb16 " V ", " V ", ror #8\n"                                                              \
    "  sadd16 " T ", " T ", r4\n"                                                                  \
    "  sadd16 " V ", " V ", r4\n"                                                                  \
    "  str " T ", [r0, #" OFF "]\n"                                                                \
    "  str " V ", [r0, #" OFF "+16]\n"
__asm__(
    "  .syntax unified\n"
    "  .thumb\n"
    MCUSIM_ASM_FUNC(mcusim_widen_rgb3x3_s8)
    "  push {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n"
    "  ldr lr, [r3, #4]\n"                /* window step */
    "  ldr r4, [r3, #8]\n"                /* off2 */
    "  ldr r12, [r3, #12]\n"              /* zp << 24 */
    "  ldr r3, [r3, #0]\n"                /* pixels */
    "1:\n"
    "  add r8, r1, r2\n"                  /* window row 1 */
    "  ldr r5, [r1]\n"                    /* row 0 bytes 0-3 */
    "  ldr r6, [r1, #4]\n"                /* 4-7 */
    "  ldr r7, [r1, #5]\n"                /* 5-8: byte 8 on top */
    "  ldr r9, [r8]\n"                    /* row 1 bytes 0-3 */
    "  ldr r10, [r8, #3]\n"               /* 3-6 */
    "  ldr r11, [r8, #5]\n"               /* 5-8: bytes 7, 8 on top */
    "  lsls r9, r9, #8\n"
    "  orr r9, r9, r7, lsr #24\n"         /* row 0 byte 8, row 1 bytes 0-2 */
    MCUSIM_RGB_WIDEN("r5", "r7", "0")
    MCUSIM_RGB_WIDEN("r6", "r7", "32")
    MCUSIM_RGB_WIDEN("r9", "r7", "64")
    MCUSIM_RGB_WIDEN("r10", "r7", "96")
    "  add r8, r8, r2\n"                  /* window row 2 */
    "  ldr r5, [r8]\n"                    /* bytes 0-3 */
    "  ldr r6, [r8, #2]\n"                /* 2-5 */
    "  ldr r7, [r8, #5]\n"                /* 5-8: bytes 6-8 in the top three */
    "  lsls r5, r5, #16\n"
    "  orr r11, r5, r11, lsr #16\n"       /* row 1 bytes 7, 8, row 2 bytes 0, 1 */
    "  lsrs r7, r7, #8\n"
    "  orr r7, r7, r12\n"                 /* row 2 bytes 6-8, the zero point */
    MCUSIM_RGB_WIDEN("r11", "r5", "128")
    MCUSIM_RGB_WIDEN("r6", "r5", "160")
    MCUSIM_RGB_WIDEN("r7", "r5", "192")
    "  adds r0, r0, #4\n"                 /* the next pixel's slots */
    "  add r1, r1, lr\n"
    "  subs r3, r3, #1\n"
    "  bne 1b\n"
    "  pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    "  .size mcusim_widen_rgb3x3_s8, .-mcusim_widen_rgb3x3_s8\n");
#undef MCUSIM_RGB_WIDEN

/* four contiguous pixels of 8 channels at r1 (32 bytes, in eight loads issued together) and
 * their words widened into pixel p, quad q at byte 32 q + 4 p of r0 (r8 scratch) */
#define MCUSIM_W4X8_LOADS                                                                          \
    "  ldr r2, [r1]\n"                                                                             \
    "  ldr r3, [r1, #4]\n"                                                                         \
    "  ldr r4, [r1, #8]\n"                                                                         \
    "  ldr r5, [r1, #12]\n"                                                                        \
    "  ldr r6, [r1, #16]\n"                                                                        \
    "  ldr r7, [r1, #20]\n"                                                                        \
    "  ldr r12, [r1, #24]\n"                                                                       \
    "  ldr lr, [r1, #28]\n"
#define MCUSIM_W4X8_WIDEN                                                                          \
    MCUSIM_ASM_WIDEN_WORD("r2", "r8", "0")                                                         \
    MCUSIM_ASM_WIDEN_WORD("r3", "r8", "32")                                                        \
    MCUSIM_ASM_WIDEN_WORD("r4", "r8", "4")                                                         \
    MCUSIM_ASM_WIDEN_WORD("r5", "r8", "36")                                                        \
    MCUSIM_ASM_WIDEN_WORD("r6", "r8", "8")                                                         \
    MCUSIM_ASM_WIDEN_WORD("r7", "r8", "40")                                                        \
    MCUSIM_ASM_WIDEN_WORD("r12", "r8", "12")                                                       \
    MCUSIM_ASM_WIDEN_WORD("lr", "r8", "44")
/* Four contiguous pixels of 8 channels (VWW's 48x48x8 1x1 layer), input offset folded: the 32
 * bytes in eight loads issued together, each word widened into its pixel's slots (pixel p, quad
 * q at byte 32 q + 4 p, its odd pair 16 bytes on). r0 c32, r1 the first pixel. */
__asm__(
    "  .syntax unified\n"
    "  .thumb\n"
    MCUSIM_ASM_FUNC(mcusim_widen4x8_s8)
    "  push {r4, r5, r6, r7, r8, lr}\n"
    MCUSIM_W4X8_LOADS
    MCUSIM_W4X8_WIDEN
    "  pop {r4, r5, r6, r7, r8, pc}\n"
    "  .size mcusim_widen4x8_s8, .-mcusim_widen4x8_s8\n");

int32_t *mcusim_zero_quads_s8(int32_t *c32, int32_t n4)
{
    for (; n4 > 0; n4--, c32 += 8) {
        c32[0] = 0;
        c32[4] = 0;
    }
    return c32;
}

/* ---- issue 9 (first convolutions, small-K 1x1): at the end of the file, so the kernels above
 * keep their addresses (and the code caches' line conflicts) in builds that do not use these */
/* A record's first step onto its bias words (as MCUSIM_ASM_KP4X2_BIAS; the record at r1 + O)
 * with the bias in two LDR: six single loads pipeline on the M4 (7 cycles, where LDRD's 3 does not pipeline with the
 * LDRs after it: 8); the M33 takes 2 cycles either way. */
#define MCUSIM_KP4X2_BIAS_LDR(NAME)                                                                \
    "  .macro " #NAME " X, W, O=0, D=0, DJ=0, OUTC=0\n"                                           \
    "  .if \\D\n"                                                            \
    "  ldr r6, [sp, #MCUSIM_RS_OUT]\n"                                                            \
    "  .endif\n"                                                            \
    "  ldr r10, [r1, #\\O]\n"                                                                      \
    "  ldr r11, [r1, #\\O+4]\n"                                                                    \
    "  ldr r12, [r1, #\\W+\\O]\n"                                                                  \
    "  ldr lr, [r1, #\\W+\\O+4]\n"                                                                 \
    "  ldr r2, [r0, #\\X]\n"                                                                       \
    "  ldr r3, [r0, #\\X+4]\n"                                                                     \
    "  .if \\D\n"                                                            \
    "  strb r5, [r6, #2*\\DJ+1]\n"                                                            \
    "  strb r7, [r6, #2*\\DJ+1+\\OUTC]\n"                                                            \
    "  strb r9, [r6, #2*\\DJ+1+2*\\OUTC]\n"                                                            \
    "  strb r4, [r6, #2*\\DJ+1+3*\\OUTC]\n"                                                            \
    "  .endif\n"                                                            \
    MCUSIM_ASM_KP4X2_BIAS_LO                                                                       \
    "  ldr r2, [r0, #\\X+8]\n"                                                                     \
    "  ldr r3, [r0, #\\X+12]\n"                                                                    \
    MCUSIM_ASM_KP4X2_BIAS_HI                                                                       \
    "  .endm\n"
/* One window at r1 widened into pixel slots at r0 (r2 the row stride, r12 zp << 24): its 27
 * bytes and the zero point as seven quads; r0, r1 then step to the next pixel's (lr the window
 * step) and r3 counts down. Also the inner loop of MCUSIM_RGB_ROW. */
#define MCUSIM_RGB_RAW_WINDOW                                                                      \
    "  add r8, r1, r2\n"                  /* window row 1 */                                       \
    "  ldr r5, [r1]\n"                    /* row 0 bytes 0-3 */                                    \
    "  ldr r6, [r1, #4]\n"                /* 4-7 */                                                \
    "  ldr r7, [r1, #5]\n"                /* 5-8: byte 8 on top */                                 \
    "  ldr r9, [r8]\n"                    /* row 1 bytes 0-3 */                                    \
    "  ldr r10, [r8, #3]\n"               /* 3-6 */                                                \
    "  ldr r11, [r8, #5]\n"               /* 5-8: bytes 7, 8 on top */                             \
    "  ldr r4, [r8, r2]\n"                /* row 2 bytes 0-3 (no ADD before: its address */         \
    "  add r8, r8, r2\n"                  /* would wait a cycle on the M4); window row 2 */         \
    "  lsls r9, r9, #8\n"                                                                          \
    "  orr r9, r9, r7, lsr #24\n"         /* row 0 byte 8, row 1 bytes 0-2 */                      \
    MCUSIM_ASM_WIDEN_WORD("r5", "r7", "0")                                                         \
    MCUSIM_ASM_WIDEN_WORD("r6", "r7", "32")                                                        \
    MCUSIM_ASM_WIDEN_WORD("r9", "r7", "64")                                                        \
    MCUSIM_ASM_WIDEN_WORD("r10", "r7", "96")                                                       \
    "  ldr r6, [r8, #2]\n"                /* 2-5 */                                                \
    "  ldr r7, [r8, #5]\n"                /* 5-8: bytes 6-8 in the top three */                    \
    "  lsls r4, r4, #16\n"                                                                         \
    "  orr r11, r4, r11, lsr #16\n"       /* row 1 bytes 7, 8, row 2 bytes 0, 1 */                 \
    "  lsrs r7, r7, #8\n"                                                                          \
    "  orr r7, r7, r12\n"                 /* row 2 bytes 6-8, the zero point */                    \
    MCUSIM_ASM_WIDEN_WORD("r11", "r5", "128")                                                      \
    MCUSIM_ASM_WIDEN_WORD("r6", "r5", "160")                                                       \
    MCUSIM_ASM_WIDEN_WORD("r7", "r5", "192")                                                       \
    "  adds r0, r0, #4\n"                 /* the next pixel's slots */                             \
    "  add r1, r1, lr\n"                                                                           \
    "  subs r3, r3, #1\n"
/* The same windows with the input offset folded into the bias (mcusim_convolve_rgb3x3_fast_s8):
 * SXTB16 alone, 14 SADD16 fewer per window, and no eighth quad (columns of 28). r0 c32, r1 the
 * first window, r2 the row stride, r3 args {pixels, window step, zp << 24}. */
__asm__(
    "  .syntax unified\n"
    "  .thumb\n"
    MCUSIM_ASM_FUNC(mcusim_widen_rgb3x3_raw_s8)
    "  push {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n"
    "  ldr lr, [r3, #4]\n"                /* window step */
    "  ldr r12, [r3, #8]\n"               /* zp << 24 */
    "  ldr r3, [r3, #0]\n"                /* pixels */
    "1:\n"
    MCUSIM_RGB_RAW_WINDOW
    "  bne 1b\n"
    "  pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    "  .size mcusim_widen_rgb3x3_raw_s8, .-mcusim_widen_rgb3x3_raw_s8\n");

/* The requantization of a 4 x 2 block for the q7 and g routines below: r1 at the record's m, a, r
 * (channel 0) on entry, just past the record on exit; [sp, #4] out (advanced by 2), [sp, #8]
 * the records' end (in r0 for the loop test), [sp, #12] out_c (left in r12). OUTC != 0: out_c
 * known, the stores at immediate offsets, r12 not loaded, and no sign term: SMMLAR(2 acc, m, a)
 * >> r without the - [acc < 0], for layers whose activation minimum is at or above the output
 * zero point only (the callers check): with acc < 0 the high product is <= 0, so both forms give
 * at most the zero point and the clamp takes either to the minimum. Each output in
 * place in its accumulator, the SUB of the next output issued before the SMMLAR of the current
 * one (a shifted-register result waits a cycle on the M33: profiles/cortex-m33.toml), the loads
 * grouped before the stores (a load after a store waits on the M4). */
__asm__(
#if defined(__ARM_ARCH_7EM__)
    "  .set MCUSIM_DEFER, 1\n"
#else
    "  .set MCUSIM_DEFER, 0\n"
#endif
    "  .macro MCUSIM_RQ8 OUTC\n"
    "  ldm r1!, {r0, r2, r3}\n"
    "  .if \\OUTC == 0\n"
    "  sub r12, r2, r4, lsr #31\n"
    "  sub lr, r2, r6, lsr #31\n"
    "  smmlar r4, r4, r0, r12\n"
    "  sub r12, r2, r8, lsr #31\n"
    "  smmlar r6, r6, r0, lr\n"
    "  sub lr, r2, r10, lsr #31\n"
    "  smmlar r8, r8, r0, r12\n"
    "  asr r4, r4, r3\n"
    "  smmlar r10, r10, r0, lr\n"
    "  .else\n"                          /* no sign term (see above) */
    "  smmlar r4, r4, r0, r2\n"
    "  smmlar r6, r6, r0, r2\n"
    "  smmlar r8, r8, r0, r2\n"
    "  asr r4, r4, r3\n"
    "  smmlar r10, r10, r0, r2\n"
    "  .endif\n"
    "  asr r6, r6, r3\n"
    "  ssat r4, #8, r4\n"
    "  asr r8, r8, r3\n"
    "  ssat r6, #8, r6\n"
    "  asr r10, r10, r3\n"
    "  ssat r8, #8, r8\n"
    "  ssat r10, #8, r10\n"
    "  ldr lr, [sp, #4]\n"
    "  .if \\OUTC == 0\n"
    "  ldr r12, [sp, #12]\n"
    "  .endif\n"
    "  ldm r1!, {r0, r2, r3}\n"          /* channel 1's m, a, r */
    "  strb r4, [lr]\n"
    "  .if \\OUTC == 0\n"
    "  strb r6, [lr, r12]\n"
    "  add r4, lr, r12, lsl #1\n"        /* pixel 2 */
    "  strb r8, [r4]\n"
    "  strb r10, [r4, r12]\n"
    "  .else\n"                          /* out_c known: immediate offsets */
    "  strb r6, [lr, #\\OUTC]\n"
    "  strb r8, [lr, #2 * \\OUTC]\n"
    "  strb r10, [lr, #3 * \\OUTC]\n"
    "  .endif\n"
    "  .if \\OUTC == 0\n"
    "  sub r6, r2, r5, lsr #31\n"
    "  sub r8, r2, r7, lsr #31\n"
    "  smmlar r5, r5, r0, r6\n"
    "  sub r6, r2, r9, lsr #31\n"
    "  smmlar r7, r7, r0, r8\n"
    "  sub r8, r2, r11, lsr #31\n"
    "  smmlar r9, r9, r0, r6\n"
    "  asr r5, r5, r3\n"
    "  smmlar r11, r11, r0, r8\n"
    "  .else\n"
    "  smmlar r5, r5, r0, r2\n"
    "  smmlar r7, r7, r0, r2\n"
    "  smmlar r9, r9, r0, r2\n"
    "  asr r5, r5, r3\n"
    "  smmlar r11, r11, r0, r2\n"
    "  .endif\n"
    "  asr r7, r7, r3\n"
    "  ssat r5, #8, r5\n"
    "  asr r9, r9, r3\n"
    "  ssat r7, #8, r7\n"
    "  asr r11, r11, r3\n"
    "  ssat r9, #8, r9\n"
    "  ldr r0, [sp, #8]\n"
    "  ssat r11, #8, r11\n"
    "  strb r5, [lr, #1]\n"
    "  .if \\OUTC == 0\n"
    "  add r6, lr, r12\n"                /* pixel 1 */
    "  strb r7, [r6, #1]\n"
    "  add r6, r4, r12\n"                /* pixel 3 */
    "  strb r9, [r4, #1]\n"
    "  strb r11, [r6, #1]\n"
    "  .else\n"
    "  strb r7, [lr, #\\OUTC + 1]\n"
    "  strb r9, [lr, #2 * \\OUTC + 1]\n"
    "  strb r11, [lr, #3 * \\OUTC + 1]\n"
    "  .endif\n"
    "  adds lr, lr, #2\n"
    "  str lr, [sp, #4]\n"
    "  .endm\n"
    /* MCUSIM_RQ8 for out_c known (OUTC) inside a pass of U records unrolled (MCUSIM_RECS) over
     * prescaled records (conv_pack.prescale_shifts: SMMLA(acc, m, A) >> 12 = SMMLAR(acc', m,
     * a) >> r, so SMMLA and SSAT #8, asr #12: 3 instructions per output, no shift loaded): m,
     * A (at r1 + MA) in r2, r3, so r0 (the columns) survives for the next record; record J of
     * the pass stores at immediate offsets from the pass's out ([sp, #4]), no pointer adds, no
     * loop test between the pass's records. No sign term (as MCUSIM_RQ8 with OUTC != 0). */
    "  .macro MCUSIM_RQ8U J, OUTC, MA, DEF=0\n"
    "  ldr r2, [r1, #\\MA]\n"
    "  ldr r3, [r1, #\\MA + 4]\n"
    "  smmla r4, r4, r2, r3\n"
    "  smmla r6, r6, r2, r3\n"
    "  smmla r8, r8, r2, r3\n"
    "  smmla r10, r10, r2, r3\n"
    "  ssat r4, #8, r4, asr #12\n"
    "  ssat r6, #8, r6, asr #12\n"
    "  ssat r8, #8, r8, asr #12\n"
    "  ssat r10, #8, r10, asr #12\n"
    "  ldr lr, [sp, #MCUSIM_RS_OUT]\n"
    "  ldr r2, [r1, #\\MA + 12]\n"      /* channel 1's m, a */
    "  ldr r3, [r1, #\\MA + 16]\n"
    "  strb r4, [lr, #2 * \\J]\n"        /* (a store right after a load: M4 one IPC) */
    "  strb r6, [lr, #2 * \\J + \\OUTC]\n"
    "  strb r8, [lr, #2 * \\J + 2 * \\OUTC]\n"
    "  strb r10, [lr, #2 * \\J + 3 * \\OUTC]\n"
    "  smmla r5, r5, r2, r3\n"
    "  smmla r7, r7, r2, r3\n"
    "  smmla r9, r9, r2, r3\n"
    "  smmla r11, r11, r2, r3\n"
    "  ssat r5, #8, r5, asr #12\n"
    "  ssat r7, #8, r7, asr #12\n"
    "  ssat r9, #8, r9, asr #12\n"
    "  .if \\DEF\n"                    /* stored by the next record, after its first loads */
    "  ssat r4, #8, r11, asr #12\n"
    "  .else\n"
    "  ssat r11, #8, r11, asr #12\n"
    "  strb r5, [lr, #2 * \\J + 1]\n"
    "  strb r7, [lr, #2 * \\J + 1 + \\OUTC]\n"
    "  strb r9, [lr, #2 * \\J + 1 + 2 * \\OUTC]\n"
    "  strb r11, [lr, #2 * \\J + 1 + 3 * \\OUTC]\n"
    "  .endif\n"
    "  .endm\n"
    /* a group's records for out_c = OUTC: passes of U records (U divides OUTC / 2), record J of a
     * pass at r1 + J RS (RS bytes long, its m, a, r at + MA) run by macro STEPS O, D, DJ, OUTC
     * (r0 the columns, the record at r1 + O) and MCUSIM_RQ8U, r1 moved on once per pass; the
     * pass's out at [sp, #4] (set by the caller; a single pass reads the group's, [sp, #28]),
     * [sp, #8] the records' end. MCUSIM_DEFER (the M4): a record's second channel's four
     * outputs (r5, r7, r9, r4) are stored by the next record of the pass (D, record DJ) right
     * after its first run of loads, with the out base loaded into r6 in that run: a load after
     * a store waits a cycle on the M4, a store after a load is free. */
    "  .macro MCUSIM_RECS STEPS, U, OUTC, MA, RS, FIXED=0\n"
    "  .if \\U < \\OUTC / 2\n"
    "  .set MCUSIM_RS_OUT, 4\n"
    "1:\n"
    "  .else\n"                          /* one pass: the group's out slot itself */
    "  .set MCUSIM_RS_OUT, 28\n"
    "  .endif\n"
    "  .set MCUSIM_RJ, 0\n"
    "  .rept \\U\n"
    "  .set MCUSIM_RD, MCUSIM_DEFER * (MCUSIM_RJ > 0)\n"
    "  .set MCUSIM_RF, MCUSIM_DEFER * (MCUSIM_RJ < \\U - 1)\n"
    "  \\STEPS (\\RS*MCUSIM_RJ), MCUSIM_RD, (MCUSIM_RJ-1), \\OUTC\n"
    "  MCUSIM_RQ8U MCUSIM_RJ, \\OUTC, (\\MA+\\RS*MCUSIM_RJ), MCUSIM_RF\n"
    "  .set MCUSIM_RJ, MCUSIM_RJ + 1\n"
    "  .endr\n"
    "  .if \\FIXED == 0\n"
    "  add r1, r1, #(\\RS*\\U)\n"       /* once per pass: the records at fixed offsets */
    "  .endif\n"
    "  .if \\U < \\OUTC / 2\n"
    "  ldr r2, [sp, #8]\n"
    "  adds lr, lr, #2 * \\U\n"
    "  str lr, [sp, #4]\n"
    "  cmp r1, r2\n"
    "  bne 1b\n"
    "  .endif\n"
    "  .endm\n"
    /* helpers of the routines below: VMOV to/from an s register by number, the deferred
     * stores, and the RGB window widening (written out per window: static register numbers) */
    "  .macro MCUSIM_VS R, N\n"           /* vmov R, sN (N a number: with .altmacro, %(expr)) */
    "  vmov \\R, s\\N\n"
    "  .endm\n"
    "  .macro MCUSIM_SV N, R\n"
    "  vmov s\\N, \\R\n"
    "  .endm\n"
    "  .macro MCUSIM_DEFST D, DJ, OUTC\n" /* the previous record's deferred stores (MCUSIM_RECS) */
    "  .if \\D\n"
    "  strb r5, [r6, #2*\\DJ+1]\n"
    "  strb r7, [r6, #2*\\DJ+1+\\OUTC]\n"
    "  strb r9, [r6, #2*\\DJ+1+2*\\OUTC]\n"
    "  strb r4, [r6, #2*\\DJ+1+3*\\OUTC]\n"
    "  .endif\n"
    "  .endm\n"
    "  .macro MCUSIM_RGBW_W V, T, Q, P, MODE\n"/* word Q of window P: T, V to its two slots */
    "  sxtb16 \\T, \\V\n"
    "  sxtb16 \\V, \\V, ror #8\n"
    "  .if \\MODE == 0\n"
    "  str \\T, [r0, #32*\\Q+4*\\P]\n"
    "  str \\V, [r0, #32*\\Q+16+4*\\P]\n"
    "  .elseif \\MODE == 1\n"
    "  str \\T, [r0, #16*\\Q+4*\\P]\n"
    "  str \\V, [r0, #16*\\Q+8+4*\\P]\n"
    "  .else\n"
    "  .altmacro\n"
    "  MCUSIM_SV %(4*\\Q+\\P-2), \\T\n"
    "  MCUSIM_SV %(4*\\Q+\\P), \\V\n"
    "  .noaltmacro\n"
    "  .endif\n"
    "  .endm\n"
    "  .macro MCUSIM_RGBW P, MODE, B=r1\n"      /* window P of a group at B (MODE as MCUSIM_RGBW_W) */
    "  add r8, \\B, r2\n"                  /* row 1 */
    "  ldr r5, [\\B]\n"
    "  ldr r6, [\\B, #4]\n"
    "  ldrb r7, [\\B, #8]\n"             /* row 0 byte 8 */
    "  ldr r9, [r8]\n"
    "  ldr r10, [r8, #3]\n"
    "  ldr r11, [r8, #7]\n"              /* row 1 bytes 7, 8 (9, 10 in the buffer, unused) */
    "  ldr r4, [r8, r2]\n"                /* row 2 bytes 0-3 (no ADD right before) */
    "  add r8, r8, r2\n"
    "  orr r9, r7, r9, lsl #8\n"
    "  MCUSIM_RGBW_W r5, r7, 0, \\P, \\MODE\n"
    "  MCUSIM_RGBW_W r6, r7, 1, \\P, \\MODE\n"
    "  MCUSIM_RGBW_W r9, r7, 2, \\P, \\MODE\n"
    "  .if \\MODE == 1\n"                 /* each store right after a load (free on the M4) */
    "  sxtb16 r7, r10\n"
    "  sxtb16 r10, r10, ror #8\n"
    "  ldr r6, [r8, #2]\n"
    "  str r7, [r0, #48+4*\\P]\n"
    "  ldr r7, [r8, #5]\n"
    "  str r10, [r0, #56+4*\\P]\n"
    "  pkhbt r11, r11, r4, lsl #16\n"
    "  .else\n"
    "  MCUSIM_RGBW_W r10, r7, 3, \\P, \\MODE\n"
    "  ldr r6, [r8, #2]\n"
    "  ldr r7, [r8, #5]\n"
    "  pkhbt r11, r11, r4, lsl #16\n"    /* row 1 bytes 7, 8 | row 2 bytes 0, 1 */
    "  .endif\n"
    "  orr r7, r12, r7, lsr #8\n"         /* row 2 bytes 6-8 | the zero point */
    "  MCUSIM_RGBW_W r11, r5, 4, \\P, \\MODE\n"
    "  MCUSIM_RGBW_W r6, r5, 5, \\P, \\MODE\n"
    "  MCUSIM_RGBW_W r7, r5, 6, \\P, \\MODE\n"
    "  add \\B, \\B, lr\n"
    "  .endm\n"
    /* window P at B whose third pixel is one past the image's right edge (VWW's last group of
     * a row: stride 2, padding right): as MCUSIM_RGBW with that pixel's bytes (row bytes 6-8)
     * the zero point, lr = zp in every byte (B not stepped: the row's last window); the loads
     * read at most row byte 7 (rows 0 and 1, inside the image: the next row's first pixel) */
    "  .macro MCUSIM_RGBW_E P, MODE, B\n"
    "  orr lr, r12, r12, lsr #8\n"
    "  add r8, \\B, r2\n"
    "  ldr r5, [\\B]\n"
    "  ldr r6, [\\B, #4]\n"
    "  ldr r9, [r8]\n"
    "  ldr r10, [r8, #3]\n"
    "  ldr r4, [r8, r2]\n"
    "  orr lr, lr, lr, lsr #16\n"
    "  add r8, r8, r2\n"
    "  pkhbt r6, r6, lr\n"              /* row 0 bytes 6, 7 */
    "  lsls r9, r9, #8\n"
    "  orr r9, r9, r12, lsr #24\n"      /* row 0 byte 8 */
    "  bfi r10, lr, #24, #8\n"           /* row 1 byte 6 */
    "  MCUSIM_RGBW_W r5, r7, 0, \\P, \\MODE\n"
    "  MCUSIM_RGBW_W r6, r7, 1, \\P, \\MODE\n"
    "  MCUSIM_RGBW_W r9, r7, 2, \\P, \\MODE\n"
    "  MCUSIM_RGBW_W r10, r7, 3, \\P, \\MODE\n"
    "  ldr r6, [r8, #2]\n"
    "  lsls r4, r4, #16\n"
    "  orr r11, r4, lr, lsr #16\n"      /* row 1 bytes 7, 8 */
    "  MCUSIM_RGBW_W r11, r5, 4, \\P, \\MODE\n"
    "  MCUSIM_RGBW_W r6, r5, 5, \\P, \\MODE\n"
    "  MCUSIM_RGBW_W lr, r5, 6, \\P, \\MODE\n"   /* row 2 bytes 6-8, the zero point */
    "  .endm\n"
    /* the next group's outputs: [sp, #28] += 4 out_c (r12 = out_c when OUTC = 0) */
    "  .macro MCUSIM_NEXT_OUT OUTC\n"
    "  ldr r5, [sp, #28]\n"
    "  ldr r6, [sp, #20]\n"
    "  .if \\OUTC == 0\n"
    "  add r5, r5, r12, lsl #2\n"
    "  .else\n"
    "  add r5, r5, #4 * \\OUTC\n"
    "  .endif\n"
    "  str r5, [sp, #28]\n"
    "  subs r6, r6, #1\n"
    "  str r6, [sp, #20]\n"
    "  .endm\n");


/* On the M4F the out_c-known RGB row routines (VWW's and IC's first layers) hold windows 2 and 3
 * of a group in FPU registers (s0-s27, by VMOV: 1 cycle, Cortex-M4 TRM Table 7-1) and windows 0
 * and 1 in the columns (8 bytes per element pair): a step loads its two weight words and two
 * column words in one run (5 cycles) and takes the other two by VMOV, 15 cycles per 16 MACs
 * instead of 16; the four windows' widening written out (static register numbers). */
#if defined(__ARM_FP) && defined(__ARM_ARCH_7EM__)
#define MCUSIM_Q_FPU 1
#define MCUSIM_QF_DEFS \
    "  .macro MCUSIM_QF_REC O=0, D=0, DJ=0, OUTC=0\n" \
    "  .if \\D\n" \
    "  ldr r6, [sp, #MCUSIM_RS_OUT]\n" \
    "  .endif\n" \
    "  ldr r10, [r1, #\\O]\n" \
    "  ldr r11, [r1, #4+\\O]\n" \
    "  ldr r12, [r1, #8+\\O]\n" \
    "  ldr lr, [r1, #12+\\O]\n" \
    "  ldr r2, [r0]\n" \
    "  ldr r3, [r0, #4]\n" \
    "  MCUSIM_DEFST \\D, \\DJ, \\OUTC\n" \
    "  smlad r4, r2, r12, r10\n" \
    "  smlad r5, r2, lr, r11\n" \
    "  smlad r6, r3, r12, r10\n" \
    "  smlad r7, r3, lr, r11\n" \
    "  vmov r2, s0\n" \
    "  vmov r3, s1\n" \
    "  smlad r8, r2, r12, r10\n" \
    "  smlad r9, r2, lr, r11\n" \
    "  smlad r10, r3, r12, r10\n" \
    "  smlad r11, r3, lr, r11\n" \
    "  .set MCUSIM_QK, 1\n" \
    "  .rept 13\n"                        /* steps 1-13 */ \
    "  ldr r12, [r1, #8+8*MCUSIM_QK+\\O]\n" \
    "  ldr lr, [r1, #12+8*MCUSIM_QK+\\O]\n" \
    "  ldr r2, [r0, #8*MCUSIM_QK]\n" \
    "  ldr r3, [r0, #8*MCUSIM_QK+4]\n" \
    "  smlad r4, r2, r12, r4\n" \
    "  smlad r5, r2, lr, r5\n" \
    "  smlad r6, r3, r12, r6\n" \
    "  smlad r7, r3, lr, r7\n" \
    "  .altmacro\n" \
    "  MCUSIM_VS r2, %(2*MCUSIM_QK)\n" \
    "  MCUSIM_VS r3, %(2*MCUSIM_QK+1)\n" \
    "  .noaltmacro\n" \
    "  smlad r8, r2, r12, r8\n" \
    "  smlad r9, r2, lr, r9\n" \
    "  smlad r10, r3, r12, r10\n" \
    "  smlad r11, r3, lr, r11\n" \
    "  .set MCUSIM_QK, MCUSIM_QK+1\n" \
    "  .endr\n" \
    "  .endm\n" \
    "  .macro MCUSIM_RGBF_ROW OUTC\n" \
    "  push {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n" \
    "  vpush {s16-s27}\n"                 /* callee-saved */ \
    "  sub sp, sp, #48\n" \
    "  str r1, [sp, #0]\n" \
    "  str r0, [sp, #16]\n" \
    "  str r3, [sp, #28]\n" \
    "  ldr r11, [r2, #28]\n"            /* the edge group's window 3, or 0 */ \
    "  str r11, [sp, #44]\n" \
    "  ldm r2, {r4, r5, r6, r7, r8, r9, r10}\n" \
    "  str r4, [sp, #24]\n" \
    "  movs r11, #144\n" \
    "  mla r5, r5, r11, r4\n"             /* the records' end */ \
    "  str r5, [sp, #8]\n" \
    "  str r6, [sp, #12]\n" \
    "  str r7, [sp, #20]\n" \
    "  add r11, sp, #32\n" \
    "  stm r11, {r8, r9, r10}\n" \
    "  mov r1, r4\n"                     /* the records, at fixed offsets for every group */ \
    "2:\n"                                /* a group (r3): windows 0, 1 to the columns, 2, 3 to s0-s27 */ \
    "  ldr r0, [sp, #0]\n" \
    "  ldr r3, [sp, #16]\n" \
    "  ldr r2, [sp, #32]\n" \
    "  ldr lr, [sp, #36]\n" \
    "  ldr r12, [sp, #40]\n" \
    "  MCUSIM_RGBW 0, 1, r3\n" \
    "  MCUSIM_RGBW 1, 1, r3\n" \
    "  MCUSIM_RGBW 2, 2, r3\n" \
    "  .if \\OUTC == 8\n"                /* VWW's edge group (MCUSIM_RGB_ROW) */ \
    "  ldr r4, [sp, #44]\n" \
    "  cmp r3, r4\n" \
    "  beq 5f\n" \
    "  .endif\n" \
    "  MCUSIM_RGBW 3, 2, r3\n" \
    "4:\n" \
    "  str r3, [sp, #16]\n" \
    "  MCUSIM_RECS MCUSIM_QF_REC, (\\OUTC/2), \\OUTC, 120, 144, 1\n" \
    "  MCUSIM_NEXT_OUT \\OUTC\n" \
    "  bne 2b\n" \
    "  add sp, sp, #48\n" \
    "  vpop {s16-s27}\n" \
    "  pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n" \
    "  .if \\OUTC == 8\n" \
    "5:\n" \
    "  MCUSIM_RGBW_E 3, 2, r3\n" \
    "  b 4b\n" \
    "  .endif\n" \
    "  .endm\n"
#else
#define MCUSIM_Q_FPU 0
#define MCUSIM_QF_DEFS
#endif

/* Columns of 4 nq elements with nq odd allowed (the 3x3 windows over 3 channels of VWW and IC:
 * K = 27 in 7 quads, not padded to 32; mcusim_convolve_rgb3x3_fast_s8): each record
 * straight-line, 2 nq steps, the first onto the bias words (no copies), as
 * mcusim_mm4x2_rq_n1_s16 but with records of 32 + 16 nq bytes (conv_pack.records(align=4)).
 * args {pairs, out_c}. Frame: [sp] cols, 4 out, 8 the records' end, 12 out_c. Own macro names,
 * so the shared ones above stay as they are. */
__asm__(
    MCUSIM_ASM_KP4X2(MCUSIM_Q_KP)
    MCUSIM_KP4X2_BIAS_LDR(MCUSIM_Q_KPB)
    "  .macro MCUSIM_Q_STEPS S, N, O=0\n"  /* steps S .. N - 1 (the record at r1 + O) */
    "  MCUSIM_Q_KP (16 * \\S), (8 + 8 * \\S + \\O)\n"
    "  .if \\S + 1 < \\N\n"
    "  MCUSIM_Q_STEPS (\\S + 1), \\N, \\O\n"
    "  .endif\n"
    "  .endm\n"
    "  .syntax unified\n"
    "  .thumb\n"
    MCUSIM_ASM_FUNC(mcusim_mm4x2_rq_q7_s16)
    "  push {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n"
    "  sub sp, sp, #16\n"
    "  str r0, [sp, #0]\n"
    "  str r3, [sp, #4]\n"
    "  ldr r4, [r2, #0]\n"                /* pairs: records of 144 bytes */
    "  movs r5, #144\n"
    "  mla r4, r4, r5, r1\n"
    "  str r4, [sp, #8]\n"
    "  ldr r4, [r2, #4]\n"                /* out_c */
    "  str r4, [sp, #12]\n"
    "1:\n"
    "  ldr r0, [sp, #0]\n"
    "  MCUSIM_Q_KPB 0, 8\n"
    "  MCUSIM_Q_STEPS 1, 14\n"
    "  add r1, r1, #120\n"                /* m, a, r of the first channel */
    "  MCUSIM_RQ8 0\n"
    "  cmp r1, r0\n"
    "  bne 1b\n"
    "  add sp, sp, #16\n"
    "  pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    MCUSIM_ASM_END(mcusim_mm4x2_rq_q7_s16)
    /* a group's four windows widened (as MCUSIM_RGB_RAW_WINDOW four times, offsets + 4p for
     * pixel p, r0 not moved); r1 left at the next group's first window */
    "  .macro MCUSIM_RGB_WIN4 B=r1\n"
    "  MCUSIM_RGBW 0, 0, \\B\n"
    "  MCUSIM_RGBW 1, 0, \\B\n"
    "  MCUSIM_RGBW 2, 0, \\B\n"
    "  MCUSIM_RGBW 3, 0, \\B\n"
    "  .endm\n"
    /* one record's steps (r0 the columns, r1 the record, not moved) */
    "  .macro MCUSIM_Q_REC O=0, D=0, DJ=0, OUTC=0\n"
    "  MCUSIM_Q_KPB 0, 8, \\O, \\D, \\DJ, \\OUTC\n"
    "  MCUSIM_Q_STEPS 1, 14, \\O\n"
    "  .endm\n"
    /* args[3] groups of four windows inside the image along one row (the inside groups of
     * mcusim_convolve_rgb3x3_fast_s8): each group's windows widened as in
     * mcusim_widen_rgb3x3_raw_s8, then every record as above, with no call or C between groups.
     * r0 the first window, r1 cols, r2 args {records, pairs, out_c, groups, row stride, window
     * step, zp << 24, e3}, r3 out; OUTC = 8 (and the FPU routines): the group whose window 3
     * starts at e3 (0: none) has that window's third pixel one past the right edge
     * (MCUSIM_RGBW_E: no staged strip for VWW's last group of a row). Frame: [sp] cols, 4 out,
     * 8 the records' end, 12 out_c, 16 the group's first window, 20 groups left, 24 the
     * records, 28 the group's out, 32 row stride, 36 window step, 40 zp << 24, 44 e3. */
    "  .macro MCUSIM_RGB_ROW OUTC\n"
    "  push {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n"
    "  sub sp, sp, #48\n"
    "  str r1, [sp, #0]\n"
    "  str r0, [sp, #16]\n"
    "  str r3, [sp, #28]\n"
    "  .if \\OUTC == 8\n"
    "  ldr r11, [r2, #28]\n"            /* the edge group's window 3, or 0 */
    "  str r11, [sp, #44]\n"
    "  .endif\n"
    "  ldm r2, {r4, r5, r6, r7, r8, r9, r10}\n"
    "  str r4, [sp, #24]\n"
    "  movs r11, #144\n"
    "  mla r5, r5, r11, r4\n"            /* the records' end */
    "  str r5, [sp, #8]\n"
    "  str r6, [sp, #12]\n"
    "  str r7, [sp, #20]\n"
    "  add r11, sp, #32\n"
    "  stm r11, {r8, r9, r10}\n"
    "  .if \\OUTC == 8\n"                /* one pass per group: r0 the columns, r1 the */
    "  mov r0, r1\n"                     /* records for the whole call, the windows by r3 */
    "  mov r1, r4\n"
    "2:\n"
    "  ldr r3, [sp, #16]\n"
    "  ldr r2, [sp, #32]\n"
    "  ldr lr, [sp, #36]\n"
    "  ldr r12, [sp, #40]\n"
    "  MCUSIM_RGBW 0, 0, r3\n"
    "  MCUSIM_RGBW 1, 0, r3\n"
    "  MCUSIM_RGBW 2, 0, r3\n"
    "  ldr r4, [sp, #44]\n"
    "  cmp r3, r4\n"
    "  beq 5f\n"
    "  MCUSIM_RGBW 3, 0, r3\n"
    "4:\n"
    "  str r3, [sp, #16]\n"
    "  MCUSIM_RECS MCUSIM_Q_REC, 4, \\OUTC, 120, 144, 1\n"
    "  .else\n"
    "2:\n"                                /* a group: its four windows widened */
    "  ldr r0, [sp, #0]\n"
    "  ldr r1, [sp, #16]\n"
    "  ldr r2, [sp, #32]\n"
    "  ldr lr, [sp, #36]\n"
    "  ldr r12, [sp, #40]\n"
    "  .if \\OUTC == 0\n"
    "  movs r3, #4\n"
    "3:\n"
    MCUSIM_RGB_RAW_WINDOW
    "  bne 3b\n"
    "  .else\n"                          /* written out: no counter, no pointer steps */
    "  MCUSIM_RGB_WIN4\n"
    "  .endif\n"
    "  str r1, [sp, #16]\n"
    "  ldr r1, [sp, #24]\n"
    "  .if (\\OUTC == 0) + (\\OUTC > 8)\n"
    "  ldr r4, [sp, #28]\n"
    "  str r4, [sp, #4]\n"
    "  .endif\n"
    "  .if \\OUTC == 0\n"
    "1:\n"                                /* a record */
    "  ldr r0, [sp, #0]\n"
    "  MCUSIM_Q_REC\n"
    "  add r1, r1, #120\n"
    "  MCUSIM_RQ8 \\OUTC\n"
    "  cmp r1, r0\n"
    "  bne 1b\n"
    "  .else\n"                          /* passes of four records, r0 kept */
    "  ldr r0, [sp, #0]\n"
    "  MCUSIM_RECS MCUSIM_Q_REC, 4, \\OUTC, 120, 144\n"
    "  .endif\n"
    "  .endif\n"
    "  MCUSIM_NEXT_OUT \\OUTC\n"
    "  bne 2b\n"
    "  add sp, sp, #48\n"
    "  pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    "  .if \\OUTC == 8\n"
    "5:\n"
    "  MCUSIM_RGBW_E 3, 0, r3\n"
    "  b 4b\n"
    "  .endif\n"
    "  .endm\n"
    MCUSIM_ASM_FUNC(mcusim_rgb_row_q7_s16)
    "  MCUSIM_RGB_ROW 0\n"
    MCUSIM_ASM_END(mcusim_rgb_row_q7_s16)
    MCUSIM_QF_DEFS
#if MCUSIM_Q_FPU
    MCUSIM_ASM_FUNC(mcusim_rgb_row_q7_o8_s16)
    "  MCUSIM_RGBF_ROW 8\n"
    MCUSIM_ASM_END(mcusim_rgb_row_q7_o8_s16)
    MCUSIM_ASM_FUNC(mcusim_rgb_row_q7_o16_s16)
    "  MCUSIM_RGBF_ROW 16\n"
    MCUSIM_ASM_END(mcusim_rgb_row_q7_o16_s16)
    "  .purgem MCUSIM_RGBF_ROW\n"
    "  .purgem MCUSIM_QF_REC\n"
#else
    MCUSIM_ASM_FUNC(mcusim_rgb_row_q7_o8_s16)
    "  MCUSIM_RGB_ROW 8\n"
    MCUSIM_ASM_END(mcusim_rgb_row_q7_o8_s16)
    MCUSIM_ASM_FUNC(mcusim_rgb_row_q7_o16_s16)
    "  MCUSIM_RGB_ROW 16\n"
    MCUSIM_ASM_END(mcusim_rgb_row_q7_o16_s16)
#endif
    "  .purgem MCUSIM_RGB_ROW\n"
    "  .purgem MCUSIM_Q_REC\n"
    "  .purgem MCUSIM_RGB_WIN4\n"
    "  .purgem MCUSIM_Q_STEPS\n"
    "  .purgem MCUSIM_Q_KPB\n"
    "  .purgem MCUSIM_Q_KP\n");
#undef MCUSIM_RGB_RAW_WINDOW
#undef MCUSIM_QF_DEFS
#undef MCUSIM_Q_FPU

/* VWW's first layer on the M33 (3x3 stride 2 over 3 channels -> 8, prescaled records, out_w a
 * multiple of 4 and at most 48; mcusim_convolve_rgb3x3_s2_r_s8): no window widened per pixel.
 * Each input row is widened once into int16 in natural order (mcusim_rgb_widen_s16) in one of
 * five row slots of MCUSIM_K28_RS bytes, three consecutive slots holding an output row's input
 * rows 0-2. A window row of pixel x is then the int16 elements 6x .. 6x + 8 of its slot, so
 * window elements 2i, 2i + 1 are the word at 12x + 4i: the steps read the four pixels' column
 * words at immediate offsets r RS + 12p + 4i from the group's slot base (r0, + 48 per group).
 * The records' K order (conv_pack.records_rgb_s2): steps 0-11 rows 0-2 elements (2i, 2i + 1),
 * step 12 (row 0 element 8, row 1 element 8), one word per pixel joined by PKHBT into the frame
 * per group, step 13 row 2's word at 12x + 16 (element 8, and element 9 with weight 0): 14 steps
 * as the widened-window layout. */
#define MCUSIM_K28_STR2(X) #X
#define MCUSIM_K28_STR(X) MCUSIM_K28_STR2(X)
__asm__(
    "  .set MCUSIM_K28_RS, " MCUSIM_K28_STR(MCUSIM_RGB_S2_SLOT) "\n"
    "  .set MCUSIM_K28_T, 48\n"           /* the frame's step-12 words */
    "  .macro MCUSIM_K28_LD R, S, P\n"    /* pixel P's column word of step S */
    "  .if \\S < 12\n"
    "  ldr \\R, [r0, #((\\S / 4) * MCUSIM_K28_RS + 4 * (\\S % 4) + 12 * \\P)]\n"
    "  .elseif \\S == 12\n"
    "  ldr \\R, [sp, #(MCUSIM_K28_T + 4 * \\P)]\n"
    "  .else\n"
    "  ldr \\R, [r0, #(2 * MCUSIM_K28_RS + 16 + 12 * \\P)]\n"
    "  .endif\n"
    "  .endm\n"
    "  .macro MCUSIM_K28_KP S, O\n"       /* step S of the record at r1 + O */
    "  ldr r12, [r1, #(8 + 8 * \\S + \\O)]\n"
    "  ldr lr, [r1, #(12 + 8 * \\S + \\O)]\n"
    "  MCUSIM_K28_LD r2, \\S, 0\n"
    "  MCUSIM_K28_LD r3, \\S, 1\n"
    MCUSIM_ASM_KP4X2_MAC_LO
    "  MCUSIM_K28_LD r2, \\S, 2\n"
    "  MCUSIM_K28_LD r3, \\S, 3\n"
    MCUSIM_ASM_KP4X2_MAC_HI
    "  .endm\n"
    /* a record (MCUSIM_RECS's STEPS: the first step onto the bias words, D as
     * MCUSIM_KP4X2_BIAS_LDR) */
    "  .macro MCUSIM_K28_REC O=0, D=0, DJ=0, OUTC=0\n"
    "  .if \\D\n"
    "  ldr r6, [sp, #MCUSIM_RS_OUT]\n"
    "  .endif\n"
    "  ldr r10, [r1, #\\O]\n"
    "  ldr r11, [r1, #\\O+4]\n"
    "  ldr r12, [r1, #8+\\O]\n"
    "  ldr lr, [r1, #12+\\O]\n"
    "  MCUSIM_K28_LD r2, 0, 0\n"
    "  MCUSIM_K28_LD r3, 0, 1\n"
    "  MCUSIM_DEFST \\D, \\DJ, \\OUTC\n"
    MCUSIM_ASM_KP4X2_BIAS_LO
    "  MCUSIM_K28_LD r2, 0, 2\n"
    "  MCUSIM_K28_LD r3, 0, 3\n"
    MCUSIM_ASM_KP4X2_BIAS_HI
    "  .set MCUSIM_K28_S, 1\n"
    "  .rept 13\n"
    "  MCUSIM_K28_KP MCUSIM_K28_S, \\O\n"
    "  .set MCUSIM_K28_S, MCUSIM_K28_S + 1\n"
    "  .endr\n"
    "  .endm\n"
    "  .syntax unified\n"
    "  .thumb\n"
    /* r0 the first group's slot base, r1 the records (4 pairs), r2 groups, r3 out. Frame as
     * MCUSIM_RGB_ROW's where MCUSIM_RECS and MCUSIM_NEXT_OUT read it: [sp, #20] groups left,
     * 28 the group's out; 48-60 the group's step-12 words. */
    MCUSIM_ASM_FUNC(mcusim_rgb_s2_row_o8_s16)
    "  push {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n"
    "  sub sp, sp, #64\n"
    "  str r2, [sp, #20]\n"
    "  str r3, [sp, #28]\n"
    "2:\n"                                /* a group: rows 0 and 1's element 8 joined */
    "  ldr r2, [r0, #16]\n"
    "  ldr r3, [r0, #MCUSIM_K28_RS + 16]\n"
    "  ldr r4, [r0, #28]\n"
    "  ldr r5, [r0, #MCUSIM_K28_RS + 28]\n"
    "  ldr r6, [r0, #40]\n"
    "  ldr r7, [r0, #MCUSIM_K28_RS + 40]\n"
    "  ldr r8, [r0, #52]\n"
    "  ldr r9, [r0, #MCUSIM_K28_RS + 52]\n"
    "  pkhbt r2, r2, r3, lsl #16\n"
    "  pkhbt r4, r4, r5, lsl #16\n"
    "  pkhbt r6, r6, r7, lsl #16\n"
    "  pkhbt r8, r8, r9, lsl #16\n"
    "  str r2, [sp, #MCUSIM_K28_T]\n"
    "  str r4, [sp, #MCUSIM_K28_T + 4]\n"
    "  str r6, [sp, #MCUSIM_K28_T + 8]\n"
    "  str r8, [sp, #MCUSIM_K28_T + 12]\n"
    "  MCUSIM_RECS MCUSIM_K28_REC, 4, 8, 120, 144, 1\n"
    "  add r0, r0, #48\n"
    "  MCUSIM_NEXT_OUT 8\n"
    "  bne 2b\n"
    "  add sp, sp, #64\n"
    "  pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    MCUSIM_ASM_END(mcusim_rgb_s2_row_o8_s16)
    /* n16 times: 16 int8 at r0 to 16 int16 at r1 (and r3 unless 0), natural order */
    "  .macro MCUSIM_K28_WIDEN8 D2\n"     /* 8 of them */
    "  ldr r5, [r0, #4]\n"                /* (rows of any width: LDRD needs word alignment) */
    "  ldr r4, [r0], #8\n"
    "  sxtb16 r8, r5\n"
    "  sxtb16 r9, r5, ror #8\n"
    "  sxtb16 r6, r4\n"
    "  sxtb16 r7, r4, ror #8\n"
    "  pkhbt r10, r6, r7, lsl #16\n"     /* elements 0, 1 */
    "  pkhtb r11, r7, r6, asr #16\n"     /* 2, 3 */
    "  pkhbt r12, r8, r9, lsl #16\n"
    "  pkhtb lr, r9, r8, asr #16\n"
    "  stm r1!, {r10, r11, r12, lr}\n"
    "  .if \\D2\n"
    "  stm r3!, {r10, r11, r12, lr}\n"
    "  .endif\n"
    "  .endm\n"
    "  .macro MCUSIM_K28_WIDEN2 D2\n"
    "1:\n"
    "  MCUSIM_K28_WIDEN8 \\D2\n"
    "  subs r2, r2, #1\n"
    "  MCUSIM_K28_WIDEN8 \\D2\n"
    "  bne 1b\n"
    "  .endm\n"
    MCUSIM_ASM_FUNC(mcusim_rgb_widen_s16)
    "  push {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n"
    "  cbz r3, 3f\n"
    "  MCUSIM_K28_WIDEN2 1\n"
    "  pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    "3:\n"
    "  MCUSIM_K28_WIDEN2 0\n"
    "  pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    MCUSIM_ASM_END(mcusim_rgb_widen_s16)
    "  .purgem MCUSIM_K28_WIDEN2\n"
    "  .purgem MCUSIM_K28_WIDEN8\n"
    "  .purgem MCUSIM_K28_REC\n"
    "  .purgem MCUSIM_K28_KP\n"
    "  .purgem MCUSIM_K28_LD\n");
#undef MCUSIM_K28_STR
#undef MCUSIM_K28_STR2

/* On the M4F the out_c-known 1x1 routines keep a group's columns in FPU registers (s0-s15 for 8
 * inputs, s0-s31 for 16): a step takes its columns by VMOV (1 cycle each, Cortex-M4 TRM Table
 * 7-1) and two steps' weights in one run of four LDRs (5 cycles): 29 cycles per two steps of 16
 * MACs where loading the columns took 32 (two load groups per step). r0 is free then, so it holds
 * a weight. The M33 keeps the loads (each 1 cycle there: no gain). */
#if defined(__ARM_FP) && defined(__ARM_ARCH_7EM__)
#define MCUSIM_G_FPU 1
#define MCUSIM_GF_DEFS \
    "  .macro MCUSIM_GF_RECN N8, O, D, DJ, OUTC\n"/* a record: step pairs, two steps' weights in one run */ \
    "  .if \\D\n" \
    "  ldr r6, [sp, #MCUSIM_RS_OUT]\n" \
    "  .endif\n" \
    "  ldr r10, [r1, #\\O]\n" \
    "  ldr r11, [r1, #4+\\O]\n" \
    "  .set MCUSIM_GS, 0\n" \
    "  .rept 2*\\N8\n" \
    "  ldr r12, [r1, #8+8*MCUSIM_GS+\\O]\n" \
    "  ldr lr, [r1, #12+8*MCUSIM_GS+\\O]\n" \
    "  ldr r0, [r1, #16+8*MCUSIM_GS+\\O]\n" \
    "  ldr r3, [r1, #20+8*MCUSIM_GS+\\O]\n" \
    "  .altmacro\n" \
    "  .if MCUSIM_GS == 0\n" \
    "  .noaltmacro\n" \
    "  MCUSIM_DEFST \\D, \\DJ, \\OUTC\n" \
    "  .altmacro\n" \
    "  MCUSIM_VS r2, %(4*(MCUSIM_GS)+0)\n" \
    "  smlad r4, r2, r12, r10\n" \
    "  smlad r5, r2, lr, r11\n" \
    "  MCUSIM_VS r2, %(4*(MCUSIM_GS)+1)\n" \
    "  smlad r6, r2, r12, r10\n" \
    "  smlad r7, r2, lr, r11\n" \
    "  MCUSIM_VS r2, %(4*(MCUSIM_GS)+2)\n" \
    "  smlad r8, r2, r12, r10\n" \
    "  smlad r9, r2, lr, r11\n" \
    "  MCUSIM_VS r2, %(4*(MCUSIM_GS)+3)\n" \
    "  smlad r10, r2, r12, r10\n" \
    "  smlad r11, r2, lr, r11\n" \
    "  .else\n" \
    "  MCUSIM_VS r2, %(4*(MCUSIM_GS)+0)\n" \
    "  smlad r4, r2, r12, r4\n" \
    "  smlad r5, r2, lr, r5\n" \
    "  MCUSIM_VS r2, %(4*(MCUSIM_GS)+1)\n" \
    "  smlad r6, r2, r12, r6\n" \
    "  smlad r7, r2, lr, r7\n" \
    "  MCUSIM_VS r2, %(4*(MCUSIM_GS)+2)\n" \
    "  smlad r8, r2, r12, r8\n" \
    "  smlad r9, r2, lr, r9\n" \
    "  MCUSIM_VS r2, %(4*(MCUSIM_GS)+3)\n" \
    "  smlad r10, r2, r12, r10\n" \
    "  smlad r11, r2, lr, r11\n" \
    "  .endif\n" \
    "  MCUSIM_VS r2, %(4*(MCUSIM_GS+1)+0)\n" \
    "  smlad r4, r2, r0, r4\n" \
    "  smlad r5, r2, r3, r5\n" \
    "  MCUSIM_VS r2, %(4*(MCUSIM_GS+1)+1)\n" \
    "  smlad r6, r2, r0, r6\n" \
    "  smlad r7, r2, r3, r7\n" \
    "  MCUSIM_VS r2, %(4*(MCUSIM_GS+1)+2)\n" \
    "  smlad r8, r2, r0, r8\n" \
    "  smlad r9, r2, r3, r9\n" \
    "  MCUSIM_VS r2, %(4*(MCUSIM_GS+1)+3)\n" \
    "  smlad r10, r2, r0, r10\n" \
    "  smlad r11, r2, r3, r11\n" \
    "  .noaltmacro\n" \
    "  .set MCUSIM_GS, MCUSIM_GS+2\n" \
    "  .endr\n" \
    "  .endm\n" \
    "  .macro MCUSIM_GF_REC1 O=0, D=0, DJ=0, OUTC=0\n" \
    "  MCUSIM_GF_RECN 1, \\O, \\D, \\DJ, \\OUTC\n" \
    "  .endm\n" \
    "  .macro MCUSIM_GF_REC2 O=0, D=0, DJ=0, OUTC=0\n" \
    "  MCUSIM_GF_RECN 2, \\O, \\D, \\DJ, \\OUTC\n" \
    "  .endm\n" \
    "  .macro MCUSIM_GFW V, OFF\n"        /* a pixel word into s(OFF/4) and s(OFF/4 + 4) */ \
    "  sxtb16 r8, \\V\n" \
    "  sxtb16 \\V, \\V, ror #8\n" \
    "  .altmacro\n" \
    "  MCUSIM_SV %(\\OFF/4), r8\n" \
    "  MCUSIM_SV %(\\OFF/4+4), \\V\n" \
    "  .noaltmacro\n" \
    "  .endm\n" \
    "  .macro MCUSIM_GF_BODY N8, OUTC, U\n" \
    "  push {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n" \
    "  .if \\N8 == 2\n" \
    "  vpush {s16-s31}\n"                 /* callee-saved: the columns' upper half */ \
    "  .endif\n" \
    "  sub sp, sp, #32\n" \
    "  str r0, [sp, #16]\n" \
    "  str r3, [sp, #28]\n" \
    "  ldm r2, {r4, r5, r6, r7}\n"        /* records, pairs, out_c, groups */ \
    "  str r4, [sp, #24]\n" \
    "  .if \\N8 == 1\n" \
    "  add r5, r4, r5, lsl #6\n" \
    "  .else\n" \
    "  add r5, r5, r5, lsl #1\n" \
    "  add r5, r4, r5, lsl #5\n" \
    "  .endif\n" \
    "  str r5, [sp, #8]\n" \
    "  str r6, [sp, #12]\n" \
    "  str r7, [sp, #20]\n" \
    "  .if \\U != \\OUTC / 2\n" \
    "  .error \"MCUSIM_GF_BODY runs a group in one pass\"\n" \
    "  .endif\n" \
    "  mov r1, r4\n"                     /* the records, at fixed offsets for every group */ \
    "2:\n"                                /* a group: its four pixels (r9) widened into s0-s15 / s31 */ \
    "  ldr r9, [sp, #16]\n" \
    "  ldr r2, [r9]\n" \
    "  ldr r3, [r9, #4]\n" \
    "  ldr r4, [r9, #8]\n" \
    "  ldr r5, [r9, #12]\n" \
    "  ldr r6, [r9, #16]\n" \
    "  ldr r7, [r9, #20]\n" \
    "  ldr r12, [r9, #24]\n" \
    "  ldr lr, [r9, #28]\n" \
    "  .if \\N8 == 1\n" \
    "  adds r9, r9, #32\n" \
    "  str r9, [sp, #16]\n" \
    "  MCUSIM_GFW r2, 0\n" \
    "  MCUSIM_GFW r3, 32\n" \
    "  MCUSIM_GFW r4, 4\n" \
    "  MCUSIM_GFW r5, 36\n" \
    "  MCUSIM_GFW r6, 8\n" \
    "  MCUSIM_GFW r7, 40\n" \
    "  MCUSIM_GFW r12, 12\n" \
    "  MCUSIM_GFW lr, 44\n" \
    "  .else\n" \
    "  MCUSIM_GFW r2, 0\n" \
    "  MCUSIM_GFW r3, 32\n" \
    "  MCUSIM_GFW r4, 64\n" \
    "  MCUSIM_GFW r5, 96\n" \
    "  MCUSIM_GFW r6, 4\n" \
    "  MCUSIM_GFW r7, 36\n" \
    "  MCUSIM_GFW r12, 68\n" \
    "  MCUSIM_GFW lr, 100\n" \
    "  ldr r2, [r9, #32]\n" \
    "  ldr r3, [r9, #36]\n" \
    "  ldr r4, [r9, #40]\n" \
    "  ldr r5, [r9, #44]\n" \
    "  ldr r6, [r9, #48]\n" \
    "  ldr r7, [r9, #52]\n" \
    "  ldr r12, [r9, #56]\n" \
    "  ldr lr, [r9, #60]\n" \
    "  adds r9, r9, #64\n" \
    "  str r9, [sp, #16]\n" \
    "  MCUSIM_GFW r2, 8\n" \
    "  MCUSIM_GFW r3, 40\n" \
    "  MCUSIM_GFW r4, 72\n" \
    "  MCUSIM_GFW r5, 104\n" \
    "  MCUSIM_GFW r6, 12\n" \
    "  MCUSIM_GFW r7, 44\n" \
    "  MCUSIM_GFW r12, 76\n" \
    "  MCUSIM_GFW lr, 108\n" \
    "  .endif\n" \
    "  MCUSIM_RECS MCUSIM_GF_REC\\N8, \\U, \\OUTC, (8+32*\\N8), (32*\\N8+32), 1\n" \
    "  MCUSIM_NEXT_OUT \\OUTC\n" \
    "  bne 2b\n" \
    "  add sp, sp, #32\n" \
    "  .if \\N8 == 2\n" \
    "  vpop {s16-s31}\n" \
    "  .endif\n" \
    "  pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n" \
    "  .endm\n"
#else
#define MCUSIM_G_FPU 0
#define MCUSIM_GF_DEFS
#endif
/* 1x1 convolutions of 8 or 16 input channels at stride 1 (VWW's 48x48x8 -> 16 and 24x24x16 ->
 * 32), input offset folded: args[3] groups of four contiguous pixels in one call, each group's
 * 32 or 64 input bytes widened into the columns (as mcusim_widen4x8_s8) and run against every
 * record (as mcusim_mm4x2_rq_n1_s16 / _n2_s16), so no C runs between groups. args {records,
 * pairs, out_c, groups}. Frame: [sp] cols, 4 out, 8 the records' end, 12 out_c, 16 in, 20 groups
 * left, 24 the records, 28 the group's out. */
__asm__(
    MCUSIM_ASM_KP4X2(MCUSIM_G_KP)
    MCUSIM_KP4X2_BIAS_LDR(MCUSIM_G_KPB)
    /* one record's steps over 8 (REC1) or 16 (REC2) elements (r1 not moved) */
    "  .macro MCUSIM_G_REC1 O=0, D=0, DJ=0, OUTC=0\n"
    "  MCUSIM_G_KPB 0, 8, \\O, \\D, \\DJ, \\OUTC\n"
    "  MCUSIM_G_KP 16, (16+\\O)\n"
    "  MCUSIM_G_KP 32, (24+\\O)\n"
    "  MCUSIM_G_KP 48, (32+\\O)\n"
    "  .endm\n"
    "  .macro MCUSIM_G_REC2 O=0, D=0, DJ=0, OUTC=0\n"
    "  MCUSIM_G_KPB 0, 8, \\O, \\D, \\DJ, \\OUTC\n"
    "  MCUSIM_G_KP 16, (16+\\O)\n"
    "  MCUSIM_G_KP 32, (24+\\O)\n"
    "  MCUSIM_G_KP 48, (32+\\O)\n"
    "  MCUSIM_G_KP 64, (40+\\O)\n"
    "  MCUSIM_G_KP 80, (48+\\O)\n"
    "  MCUSIM_G_KP 96, (56+\\O)\n"
    "  MCUSIM_G_KP 112, (64+\\O)\n"
    "  .endm\n"
    /* U: records per unrolled pass when OUTC != 0 (MCUSIM_RECS) */
    "  .macro MCUSIM_G_BODY N8, OUTC, U=0\n"
    "  push {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n"
    "  sub sp, sp, #32\n"
    "  str r1, [sp, #0]\n"
    "  str r0, [sp, #16]\n"
    "  str r3, [sp, #28]\n"
    "  ldm r2, {r4, r5, r6, r7}\n"        /* records, pairs, out_c, groups */
    "  str r4, [sp, #24]\n"
    "  .if \\N8 == 1\n"
    "  add r5, r4, r5, lsl #6\n"          /* records of 64 bytes */
    "  .else\n"
    "  add r5, r5, r5, lsl #1\n"
    "  add r5, r4, r5, lsl #5\n"          /* records of 96 bytes */
    "  .endif\n"
    "  str r5, [sp, #8]\n"
    "  str r6, [sp, #12]\n"
    "  str r7, [sp, #20]\n"
    "  .if (\\N8 == 1) * (\\OUTC > 0) * (\\U == \\OUTC / 2)\n"  /* one pass per group: r0 the */
    "  mov r0, r1\n"                     /* columns, r1 the records for the whole call, */
    "  mov r1, r4\n"                     /* the pixels by r9 */
    "2:\n"
    "  ldr r9, [sp, #16]\n"
    "  ldr r2, [r9]\n"
    "  ldr r3, [r9, #4]\n"
    "  ldr r4, [r9, #8]\n"
    "  ldr r5, [r9, #12]\n"
    "  ldr r6, [r9, #16]\n"
    "  ldr r7, [r9, #20]\n"
    "  ldr r12, [r9, #24]\n"
    "  ldr lr, [r9, #28]\n"
    "  adds r9, r9, #32\n"
    "  str r9, [sp, #16]\n"
    MCUSIM_W4X8_WIDEN
    "  MCUSIM_RECS MCUSIM_G_REC\\N8, \\U, \\OUTC, (8+32*\\N8), (32*\\N8+32), 1\n"
    "  .else\n"
    "2:\n"                                /* a group: widen its four pixels */
    "  ldr r1, [sp, #16]\n"
    "  ldr r0, [sp, #0]\n"
    "  .if \\N8 == 1\n"
    MCUSIM_W4X8_LOADS
    "  adds r1, r1, #32\n"
    "  str r1, [sp, #16]\n"
    MCUSIM_W4X8_WIDEN
    "  .else\n"
    MCUSIM_W4X8_LOADS                     /* pixels 0, 1: quads 0-3 */
    MCUSIM_ASM_WIDEN_WORD("r2", "r8", "0")
    MCUSIM_ASM_WIDEN_WORD("r3", "r8", "32")
    MCUSIM_ASM_WIDEN_WORD("r4", "r8", "64")
    MCUSIM_ASM_WIDEN_WORD("r5", "r8", "96")
    MCUSIM_ASM_WIDEN_WORD("r6", "r8", "4")
    MCUSIM_ASM_WIDEN_WORD("r7", "r8", "36")
    MCUSIM_ASM_WIDEN_WORD("r12", "r8", "68")
    MCUSIM_ASM_WIDEN_WORD("lr", "r8", "100")
    "  ldr r2, [r1, #32]\n"               /* pixels 2, 3 */
    "  ldr r3, [r1, #36]\n"
    "  ldr r4, [r1, #40]\n"
    "  ldr r5, [r1, #44]\n"
    "  ldr r6, [r1, #48]\n"
    "  ldr r7, [r1, #52]\n"
    "  ldr r12, [r1, #56]\n"
    "  ldr lr, [r1, #60]\n"
    "  adds r1, r1, #64\n"
    "  str r1, [sp, #16]\n"
    MCUSIM_ASM_WIDEN_WORD("r2", "r8", "8")
    MCUSIM_ASM_WIDEN_WORD("r3", "r8", "40")
    MCUSIM_ASM_WIDEN_WORD("r4", "r8", "72")
    MCUSIM_ASM_WIDEN_WORD("r5", "r8", "104")
    MCUSIM_ASM_WIDEN_WORD("r6", "r8", "12")
    MCUSIM_ASM_WIDEN_WORD("r7", "r8", "44")
    MCUSIM_ASM_WIDEN_WORD("r12", "r8", "76")
    MCUSIM_ASM_WIDEN_WORD("lr", "r8", "108")
    "  .endif\n"
    "  ldr r1, [sp, #24]\n"
    "  .if (\\OUTC == 0) + (\\U < \\OUTC / 2)\n"
    "  ldr r4, [sp, #28]\n"
    "  str r4, [sp, #4]\n"
    "  .endif\n"
    "  .if \\OUTC == 0\n"
    "1:\n"                                /* a record */
    "  ldr r0, [sp, #0]\n"
    "  MCUSIM_G_REC\\N8\n"
    "  add r1, r1, #8 + 32 * \\N8\n"
    "  MCUSIM_RQ8 \\OUTC\n"
    "  cmp r1, r0\n"
    "  bne 1b\n"
    "  .else\n"                          /* r0 kept: the columns (never moved above) */
    "  MCUSIM_RECS MCUSIM_G_REC\\N8, \\U, \\OUTC, (8+32*\\N8), (32*\\N8+32)\n"
    "  .endif\n"
    "  .endif\n"
    "  MCUSIM_NEXT_OUT \\OUTC\n"
    "  bne 2b\n"
    "  add sp, sp, #32\n"
    "  pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    "  .endm\n"
    "  .syntax unified\n"
    "  .thumb\n"
    MCUSIM_ASM_FUNC(mcusim_conv1x1_g8_s16)
    "  MCUSIM_G_BODY 1, 0\n"
    MCUSIM_ASM_END(mcusim_conv1x1_g8_s16)
    MCUSIM_GF_DEFS
    MCUSIM_ASM_FUNC(mcusim_conv1x1_g8_o16_s16)
#if MCUSIM_G_FPU
    "  MCUSIM_GF_BODY 1, 16, 8\n"
#else
    "  MCUSIM_G_BODY 1, 16, 8\n"
#endif
    MCUSIM_ASM_END(mcusim_conv1x1_g8_o16_s16)
    MCUSIM_ASM_FUNC(mcusim_conv1x1_g16_s16)
    "  MCUSIM_G_BODY 2, 0\n"
    MCUSIM_ASM_END(mcusim_conv1x1_g16_s16)
    MCUSIM_ASM_FUNC(mcusim_conv1x1_g16_o32_s16)
#if MCUSIM_G_FPU
    "  MCUSIM_GF_BODY 2, 32, 16\n"
#else
    "  MCUSIM_G_BODY 2, 32, 8\n"
#endif
    MCUSIM_ASM_END(mcusim_conv1x1_g16_o32_s16)
    "  .purgem MCUSIM_G_BODY\n"
#if MCUSIM_G_FPU
    "  .purgem MCUSIM_GF_BODY\n"
    "  .purgem MCUSIM_GF_REC1\n"
    "  .purgem MCUSIM_GF_REC2\n"
    "  .purgem MCUSIM_GF_RECN\n"
    "  .purgem MCUSIM_GFW\n"
#endif
    "  .purgem MCUSIM_G_REC1\n"
    "  .purgem MCUSIM_G_REC2\n"
    "  .purgem MCUSIM_RECS\n"
    "  .purgem MCUSIM_RQ8U\n"
    "  .purgem MCUSIM_VS\n"
    "  .purgem MCUSIM_SV\n"
    "  .purgem MCUSIM_DEFST\n"
    "  .purgem MCUSIM_RGBW_W\n"
    "  .purgem MCUSIM_RGBW\n"
    "  .purgem MCUSIM_RGBW_E\n"
    "  .purgem MCUSIM_NEXT_OUT\n"
    "  .purgem MCUSIM_RQ8\n"
    "  .purgem MCUSIM_G_KPB\n"
    "  .purgem MCUSIM_G_KP\n");
#undef MCUSIM_W4X8_WIDEN
#undef MCUSIM_W4X8_LOADS
#undef MCUSIM_KP4X2_BIAS_LDR
#undef MCUSIM_GF_DEFS
#undef MCUSIM_G_FPU

#else
/* the same sums in C (host tests, portable builds): the layout spelled out */
static void mcusim_mm4x2_s16(const int16_t *x, const int32_t *w32, int32_t n8, int32_t *acc)
{
    const int16_t *w = (const int16_t *)w32;
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


#if MCUSIM_DSP
/* mcusim_mm4x2_rq_s16, or for columns of a multiple of 32 elements the M4/M33 record loops of
 * mcusim_mm_pw_s8.c (args[3]: the activation minimum) */
void mcusim_mm4x2_pw_s16(const int16_t *x, const int32_t *rec, const int32_t *args, int8_t *out);
void mcusim_mm3x2_pw_s16(const int16_t *x, const int32_t *rec, const int32_t *args, int8_t *out);
/* npx (3 or 4) pixels' columns x args[1] channel pairs from rec (args: n8, pairs, out_c), SSAT
 * to int8: the core's block kernel for this column length and core; lo: the activation
 * minimum */
MCUSIM_INLINE void mcusim_mm_rq_s16(const int16_t *cols, int32_t depth, int32_t npx,
                                    const int32_t *rec, const int32_t *args, int32_t lo,
                                    int8_t *dst)
{
    if (npx == 3 && mcusim_core_is_m7()) {
        mcusim_mm3x2_rq_s16_m7(cols, rec, args, dst);
    } else if (npx == 3) {
        const int32_t args4[4] = {args[0], args[1], args[2], lo};
        mcusim_mm3x2_pw_s16(cols, rec, args4, dst);
    } else if (depth == 8 && !mcusim_core_is_m7()) {
        mcusim_mm4x2_rq_n1_s16(cols, rec, args, dst);
    } else if (depth == 16 && !mcusim_core_is_m7()) {
        mcusim_mm4x2_rq_n2_s16(cols, rec, args, dst);
    } else if (depth == 8) {
        mcusim_mm4x2_rq_n1_s16_m7(cols, rec, args, dst);
    } else if (depth == 16) {
        mcusim_mm4x2_rq_n2_s16_m7(cols, rec, args, dst);
    } else if (mcusim_core_is_m7()) {
        mcusim_mm4x2_rq_s16_m7(cols, rec, args, dst);
    } else {
        const int32_t args4[4] = {args[0], args[1], args[2], lo};
        mcusim_mm4x2_pw_s16(cols, rec, args4, dst);
    }
}

/* n int8 outputs clamped to [lo, hi] when that is narrower than SSAT's int8 */
MCUSIM_INLINE void mcusim_packed_clamp(int8_t *dst, int32_t n, int32_t lo, int32_t hi)
{
    if (lo > -128 || hi < 127) {
        /* four lanes at a time: SSUB8 sets GE where the lane is >= the bound, SEL picks */
        const int32_t lo4 = (int32_t)(((uint32_t)lo & 0xFFu) * 0x01010101u);
        const int32_t hi4 = (int32_t)(((uint32_t)hi & 0xFFu) * 0x01010101u);
        int32_t i = 0;
        for (; i + 4 <= n; i += 4) {
            int32_t v;
            __builtin_memcpy(&v, dst + i, 4);
            (void)__ssub8(v, lo4);
            v = (int32_t)__sel((uint32_t)v, (uint32_t)lo4);
            (void)__ssub8(hi4, v);
            v = (int32_t)__sel((uint32_t)v, (uint32_t)hi4);
            __builtin_memcpy(dst + i, &v, 4);
        }
        for (; i < n; i++) {
            const int32_t v = dst[i];
            dst[i] = (int8_t)(v < lo ? lo : (v > hi ? hi : v));
        }
    }
}
#endif

void mcusim_mat_mult_packed_s8(const int16_t *cols, int32_t depth, int32_t npx,
                               const int32_t *packed, const mcusim_activation *act,
                               int32_t out_c, int8_t *out)
{
    const int32_t lo = act->min, hi = act->max;
    const int32_t *rec = packed;
#if MCUSIM_DSP
    if ((npx == 4 || npx == 3) && !(out_c & 1)) {
        const int32_t args[3] = {depth >> 3, out_c >> 1, out_c};
        mcusim_mm_rq_s16(cols, depth, npx, packed, args, lo, out);
        mcusim_packed_clamp(out, npx * out_c, lo, hi);
        return;
    }
#endif
    for (int32_t oc = 0; oc < out_c; oc += 2) {
        int32_t acc[8] = {rec[0], rec[1], rec[0], rec[1], rec[0], rec[1], rec[0], rec[1]};
        mcusim_mm4x2_s16(cols, rec + 2, depth >> 3, acc);
        const int32_t *q = rec + 2 + depth;      /* m, a, r of each channel */
        for (int32_t c = 0; c < 2 && oc + c < out_c; c++) {
            for (int32_t p = 0; p < npx; p++) {
                int32_t v;
#if !MCUSIM_DSP
                if (q[3 * c + 2] & 0x100) {
                    /* prescaled (conv_pack.records_pw_prescaled, the M33's loops; here the
                     * host build): SMMLA(2^k 2acc, m, A') >> 12, no [acc < 0] term */
                    const int64_t t = (int64_t)((uint64_t)(uint32_t)q[3 * c + 1] << 32) +
                                      (int64_t)acc[2 * p + c] * q[3 * c];
                    v = (int32_t)(t >> 32) >> 12;
                } else
#endif
                v = mcusim_requant_smmlar(acc[2 * p + c], q[3 * c], q[3 * c + 1], q[3 * c + 2]);
                v = v < lo ? lo : v;
                v = v > hi ? hi : v;
                out[p * out_c + oc + c] = (int8_t)v;
            }
        }
        rec = q + 6;
    }
}

/* Groups of pixels against blocks of channel pairs: group g (npx[g] pixels, 3 or 4 on DSP
 * cores) has its columns at cols + 4 depth g and its outputs after the groups before it; each
 * block of block_pairs records is run for every group back to back, so a block that fits the
 * core's data cache is read from flash once per call instead of once per group (the records
 * of a 128 -> 128 layer are 34 KB of int16: VWW's 6x6 maps re-read them 9 times otherwise).
 * loops (the M33's pointwise blocks, depth a multiple of 32): the layer's record loops, every
 * group of the block in one call where the table has that loop; 0: the generic dispatch. */
MCUSIM_INLINE void mcusim_packed_groups(const int16_t *cols, int32_t depth, int32_t ngroups,
                                        const int8_t *npx, const int32_t *packed,
                                        const mcusim_activation *act, int32_t out_c,
                                        int32_t block_pairs, int8_t *out,
                                        const mcusim_pw_block_loops *loops)
{
#if MCUSIM_DSP
    int32_t total = 0, ok = !(out_c & 1) && block_pairs > 0;
    for (int32_t g = 0; g < ngroups; g++) {
        total += npx[g];
        ok &= npx[g] == 4 || npx[g] == 3;
    }
    if (ok) {
        const int32_t pairs = out_c >> 1, words = depth + 8;   /* a record: 2 + depth + 6 */
        /* every group in one call (mcusim_mm4x2_rqh64g_s16 and kin): all fours or all threes */
        const mcusim_pw_loop every = loops == 0 ? 0 : total == 4 * ngroups ? loops->fours
                                     : total == 3 * ngroups ? loops->threes : 0;
        for (int32_t p0 = 0; p0 < pairs; p0 += block_pairs) {
            const int32_t args[3] = {depth >> 3, pairs - p0 < block_pairs ? pairs - p0
                                                                          : block_pairs, out_c};
            int8_t *dst = out + 2 * p0;
            if (every != 0) {
                const int32_t args5[5] = {args[0], args[1], out_c, act->min, ngroups};
                every(cols, packed + p0 * words, args5, dst);
                continue;
            }
            for (int32_t g = 0; g < ngroups; g++) {
                if (loops != 0) {
                    const int32_t args4[4] = {args[0], args[1], out_c, act->min};
                    (npx[g] == 4 ? loops->four : loops->three)(cols + 4 * depth * g,
                                                               packed + p0 * words, args4, dst);
                } else {
                    mcusim_mm_rq_s16(cols + 4 * depth * g, depth, npx[g], packed + p0 * words,
                                     args, act->min, dst);
                }
                dst += npx[g] * out_c;
            }
        }
        mcusim_packed_clamp(out, total * out_c, act->min, act->max);
        return;
    }
#else
    (void)block_pairs;
    (void)loops;
#endif
    for (int32_t g = 0; g < ngroups; g++) {
        mcusim_mat_mult_packed_s8(cols + 4 * depth * g, depth, npx[g], packed, act, out_c, out);
        out += npx[g] * out_c;
    }
}

void mcusim_mat_mult_packed_groups_s8(const int16_t *cols, int32_t depth, int32_t ngroups,
                                      const int8_t *npx, const int32_t *packed,
                                      const mcusim_activation *act, int32_t out_c,
                                      int32_t block_pairs, int8_t *out)
{
    mcusim_packed_groups(cols, depth, ngroups, npx, packed, act, out_c, block_pairs, out, 0);
}

void mcusim_mat_mult_packed_groups_pw_s8(const int16_t *cols, int32_t depth, int32_t ngroups,
                                         const int8_t *npx, const int32_t *packed,
                                         const mcusim_activation *act, int32_t out_c,
                                         int32_t block_pairs, int8_t *out,
                                         const mcusim_pw_block_loops *loops)
{
    mcusim_packed_groups(cols, depth, ngroups, npx, packed, act, out_c, block_pairs, out, loops);
}
