/* Record loops of the packed CONV_2D core for columns of a multiple of 32 elements on the
 * Cortex-M4 and M33 (VWW's and KWS's pointwise layers; the records and columns of
 * mcusim_mat_mult_packed_s8.c, which dispatches here). Against mcusim_mm4x2_rq_s16 each record:
 *  - starts with its first step accumulating onto the bias words (no copies of the bias into
 *    the eight accumulators), its pointers set by the first step's writebacks;
 *  - requantizes in place (SMMLAR, ASR, SSAT into the accumulator), joins each pixel's two
 *    channels with BFI and stores them with one STRH (four stores and three pointer adds per
 *    record instead of eight stores and eight adds);
 *  - with `z` (the layer's activation minimum at or above the output zero point: RELU, RELU6)
 *    drops the SUB of [acc < 0] from the rounding: a negative accumulator then comes out at or
 *    below the zero point either way (the term moves the result by at most one, and only for
 *    acc < 0, where TFLM's result is at most the zero point too), which the clamp takes to the
 *    activation minimum, so the outputs are TFLM's;
 *  - with 32 elements (n8 = 4: VWW's 32-channel inputs, the first conv's 27 padded) runs
 *    straight, no loop test.
 * 16 MACs per 16 cycles in the steps on the M4 (as before: 6 loads in two groups + 8 SMLAD is
 * the ceiling with 14 registers), so what is saved is per record: ~30 cycles of ~85. */
#include "mcusim_nn.h"
#include "mcusim_nn_support.h"

#if MCUSIM_DSP
/* 4 pixels x args[1] channel pairs (args: n8, pairs, out_c, the activation minimum): by n8,
 * mcusim_mm4x2_rqh32_s16 (n8 = 4), mcusim_mm4x2_rqh_s16 (a multiple of 4) or
 * mcusim_mm4x2_rq_s16 (mcusim_mat_mult_packed_s8.c) */
void mcusim_mm4x2_pw_s16(const int16_t *x, const int32_t *rec, const int32_t *args, int8_t *out);
void mcusim_mm4x2_rq_s16(const int16_t *x, const int32_t *rec, const int32_t *args,
                         int8_t *out);

__asm__(
    /* one 4 x 2 step (as mcusim_mat_mult_packed_s8.c's MCUSIM_MM4X2_KP): column words at r0 + X,
     * weight words at r1 + W; accumulators r4-r11 (pixel p, channel c in r4 + 2p + c) */
    "  .macro MCUSIM_PW_KP X, W\n"
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
    /* the step opening an iteration: r0/r1 4 bytes before its data, moved 8 on by writeback
     * (each on the last load of its base in the group: a load right after a writeback from the
     * same base waits for it) */
    "  .macro MCUSIM_PW_KP_FIRST\n"
    "  ldr r12, [r1, #4]\n"
    "  ldr lr, [r1, #8]!\n"
    "  ldr r2, [r0, #4]\n"
    "  ldr r3, [r0, #8]!\n"
    "  smlad r4, r2, r12, r4\n"
    "  smlad r5, r2, lr, r5\n"
    "  smlad r6, r3, r12, r6\n"
    "  smlad r7, r3, lr, r7\n"
    "  ldr r2, [r0, #4]\n"
    "  ldr r3, [r0, #8]\n"
    "  smlad r8, r2, r12, r8\n"
    "  smlad r9, r2, lr, r9\n"
    "  smlad r10, r3, r12, r10\n"
    "  smlad r11, r3, lr, r11\n"
    "  .endm\n"
    /* a record's first step: r1 = record - 4, r0 = cols; the bias words go into r10/r11, which
     * every SMLAD reads before the last two write them; leaves r1 = rows + 4, r0 = cols + 4
     * (as after MCUSIM_PW_KP_FIRST) */
    "  .macro MCUSIM_PW_KP_BIAS\n"
    "  ldr r10, [r1, #4]\n"
    "  ldr r11, [r1, #8]\n"
    "  ldr r12, [r1, #12]\n"
    "  ldr lr, [r1, #16]!\n"
    "  ldr r2, [r0]\n"
    "  ldr r3, [r0, #4]!\n"
    "  smlad r4, r2, r12, r10\n"
    "  smlad r5, r2, lr, r11\n"
    "  smlad r6, r3, r12, r10\n"
    "  smlad r7, r3, lr, r11\n"
    "  ldr r2, [r0, #4]\n"
    "  ldr r3, [r0, #8]\n"
    "  smlad r8, r2, r12, r10\n"
    "  smlad r9, r2, lr, r11\n"
    "  smlad r10, r3, r12, r10\n"
    "  smlad r11, r3, lr, r11\n"
    "  .endm\n"
    /* steps 1..15 of an iteration (offsets from its data + 4); the last moves r0/r1 to the next
     * iteration's data - 4 */
    "  .macro MCUSIM_PW_STEPS\n"
    "  MCUSIM_PW_KP 12, 4\n"
    "  MCUSIM_PW_KP 28, 12\n"
    "  MCUSIM_PW_KP 44, 20\n"
    "  MCUSIM_PW_KP 60, 28\n"
    "  MCUSIM_PW_KP 76, 36\n"
    "  MCUSIM_PW_KP 92, 44\n"
    "  MCUSIM_PW_KP 108, 52\n"
    "  MCUSIM_PW_KP 124, 60\n"
    "  MCUSIM_PW_KP 140, 68\n"
    "  MCUSIM_PW_KP 156, 76\n"
    "  MCUSIM_PW_KP 172, 84\n"
    "  MCUSIM_PW_KP 188, 92\n"
    "  MCUSIM_PW_KP 204, 100\n"
    "  MCUSIM_PW_KP 220, 108\n"
    "  ldr r12, [r1, #116]\n"
    "  ldr lr, [r1, #120]!\n"
    "  ldr r2, [r0, #236]\n"
    "  ldr r3, [r0, #240]\n"
    "  smlad r4, r2, r12, r4\n"
    "  smlad r5, r2, lr, r5\n"
    "  smlad r6, r3, r12, r6\n"
    "  smlad r7, r3, lr, r7\n"
    "  ldr r2, [r0, #244]\n"
    "  ldr r3, [r0, #248]!\n"
    "  smlad r8, r2, r12, r8\n"
    "  smlad r9, r2, lr, r9\n"
    "  smlad r10, r3, r12, r10\n"
    "  smlad r11, r3, lr, r11\n"
    "  .endm\n"
    /* requantize one channel's four accumulators A0..A3 in place, constants at r1 + OFF (m, a,
     * r; the last loaded with writeback W); Z: no [acc < 0] term (r12, lr are free here) */
    "  .macro MCUSIM_PW_RQ A0, A1, A2, A3, OFF, Z\n"
    "  ldr r0, [r1, #\\OFF]\n"
    "  ldr r2, [r1, #\\OFF+4]\n"
    "  .if \\OFF == 4\n"
    "  ldr r3, [r1, #\\OFF+8]\n"
    "  .else\n"
    "  ldr r3, [r1, #\\OFF+8]!\n"        /* r1: the next record - 4 */
    "  .endif\n"
    "  .if \\Z\n"
    "  smmlar \\A0, \\A0, r0, r2\n"
    "  smmlar \\A1, \\A1, r0, r2\n"
    "  smmlar \\A2, \\A2, r0, r2\n"
    "  smmlar \\A3, \\A3, r0, r2\n"
    "  .else\n"                            /* each SUB a step ahead of its SMMLAR (M33 latency) */
    "  sub r12, r2, \\A0, lsr #31\n"
    "  sub lr, r2, \\A1, lsr #31\n"
    "  smmlar \\A0, \\A0, r0, r12\n"
    "  sub r12, r2, \\A2, lsr #31\n"
    "  smmlar \\A1, \\A1, r0, lr\n"
    "  sub lr, r2, \\A3, lsr #31\n"
    "  smmlar \\A2, \\A2, r0, r12\n"
    "  smmlar \\A3, \\A3, r0, lr\n"
    "  .endif\n"
    "  asr \\A0, \\A0, r3\n"
    "  asr \\A1, \\A1, r3\n"
    "  asr \\A2, \\A2, r3\n"
    "  asr \\A3, \\A3, r3\n"
    "  ssat \\A0, #8, \\A0\n"
    "  ssat \\A1, #8, \\A1\n"
    "  ssat \\A2, #8, \\A2\n"
    "  ssat \\A3, #8, \\A3\n"
    "  .endm\n"
    /* the record loop: r0 cols, r1 the first record - 4, frame [sp] cols, 4 the records' end
     * - 4, 8 out_c, 12 out, 16 where r0 ends (cols + 64 n8 - 4). N8 = 4: one iteration,
     * straight; 0: any multiple of 4 (a loop of 32 elements). Z: see the top. */
    "  .macro MCUSIM_PW_RECORDS N8, Z\n"
    "  .balign 4\n"
    "3:\n"
    "  MCUSIM_PW_KP_BIAS\n"
    "  .if \\N8 == 0\n"
    "  b 12f\n"
    "  .balign 4\n"
    "11:\n"
    "  MCUSIM_PW_KP_FIRST\n"
    "12:\n"
    "  .endif\n"
    "  MCUSIM_PW_STEPS\n"
    "  .if \\N8 == 0\n"
    "  ldr r2, [sp, #16]\n"
    "  cmp r0, r2\n"
    "  bne 11b\n"
    "  .endif\n"
    /* r1 = the rows' end - 4: m, a, r of the first channel at r1 + 4, of the second at + 16 */
    "  MCUSIM_PW_RQ r4, r6, r8, r10, 4, \\Z\n"
    "  MCUSIM_PW_RQ r5, r7, r9, r11, 16, \\Z\n"
    "  bfi r4, r5, #8, #8\n"
    "  bfi r6, r7, #8, #8\n"
    "  bfi r8, r9, #8, #8\n"
    "  bfi r10, r11, #8, #8\n"
    "  ldm sp, {r0, r2, r12, lr}\n"       /* cols, the records' end - 4, out_c, out */
    "  add r5, lr, r12\n"
    "  add r7, r5, r12\n"
    "  add r9, r7, r12\n"
    "  strh r4, [lr], #2\n"
    "  strh r6, [r5]\n"
    "  strh r8, [r7]\n"
    "  strh r10, [r9]\n"
    "  str lr, [sp, #12]\n"
    "  cmp r1, r2\n"
    "  bne 3b\n"
    "  add sp, sp, #20\n"
    "  pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    "  .endm\n"
    /* the function: r0 cols, r1 records, r2 args {n8, pairs, out_c, activation minimum}, r3
     * out. z = (minimum >= the output zero point), the zero point from the first record's
     * A = 2^(r-1) + zp 2^r (conv_pack.records) */
    "  .macro MCUSIM_PW_FN N8\n"
    "  push {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n"
    "  sub sp, sp, #20\n"
    "  ldm r2, {r4, r5, r6, r7}\n"        /* n8, pairs, out_c, minimum */
    "  add r9, r1, r4, lsl #5\n"
    "  ldr r8, [r9, #12]\n"               /* A of channel 0 */
    "  ldr r9, [r9, #16]\n"               /* r */
    "  movs r10, #1\n"
    "  subs r11, r9, #1\n"
    "  lsl r10, r10, r11\n"
    "  subs r8, r8, r10\n"
    "  asr r8, r8, r9\n"                  /* the zero point */
    "  str r0, [sp, #0]\n"
    "  str r6, [sp, #8]\n"
    "  str r3, [sp, #12]\n"
    "  add r3, r0, r4, lsl #6\n"
    "  subs r3, r3, #4\n"
    "  str r3, [sp, #16]\n"
    "  mla r3, r4, r5, r5\n"              /* records of 32 (n8 + 1) bytes */
    "  add r3, r1, r3, lsl #5\n"
    "  subs r3, r3, #4\n"
    "  str r3, [sp, #4]\n"
    "  subs r1, r1, #4\n"
    "  cmp r7, r8\n"
    "  bge 20f\n"
    "  MCUSIM_PW_RECORDS \\N8, 0\n"
    "20:\n"
    "  MCUSIM_PW_RECORDS \\N8, 1\n"
    "  .endm\n"
    "  .syntax unified\n"
    "  .thumb\n"
    "  .section .text.mcusim_mm4x2_rqh_s16,\"ax\",%progbits\n"
    "  .balign 4\n"
    "  .global mcusim_mm4x2_rqh_s16\n"
    "  .thumb_func\n"
    "  .type mcusim_mm4x2_rqh_s16, %function\n"
    "mcusim_mm4x2_rqh_s16:\n"
    "  MCUSIM_PW_FN 0\n"
    "  .size mcusim_mm4x2_rqh_s16, .-mcusim_mm4x2_rqh_s16\n"
    "  .section .text.mcusim_mm4x2_rqh32_s16,\"ax\",%progbits\n"
    "  .balign 4\n"
    "  .global mcusim_mm4x2_rqh32_s16\n"
    "  .thumb_func\n"
    "  .type mcusim_mm4x2_rqh32_s16, %function\n"
    "mcusim_mm4x2_rqh32_s16:\n"
    "  MCUSIM_PW_FN 4\n"
    "  .size mcusim_mm4x2_rqh32_s16, .-mcusim_mm4x2_rqh32_s16\n"
    /* the entry mcusim_mat_mult_packed_s8.c calls: by n8 (args[0]) */
    "  .section .text.mcusim_mm4x2_pw_s16,\"ax\",%progbits\n"
    "  .balign 4\n"
    "  .global mcusim_mm4x2_pw_s16\n"
    "  .thumb_func\n"
    "  .type mcusim_mm4x2_pw_s16, %function\n"
    "mcusim_mm4x2_pw_s16:\n"
    "  ldr r12, [r2]\n"
    "  cmp r12, #4\n"
    "  beq.w mcusim_mm4x2_rqh32_s16\n"
    "  tst r12, #3\n"
    "  beq.w mcusim_mm4x2_rqh_s16\n"
    "  b.w mcusim_mm4x2_rq_s16\n"
    "  .size mcusim_mm4x2_pw_s16, .-mcusim_mm4x2_pw_s16\n"
    "  .purgem MCUSIM_PW_FN\n"
    "  .purgem MCUSIM_PW_RECORDS\n"
    "  .purgem MCUSIM_PW_RQ\n"
    "  .purgem MCUSIM_PW_STEPS\n"
    "  .purgem MCUSIM_PW_KP_BIAS\n"
    "  .purgem MCUSIM_PW_KP_FIRST\n"
    "  .purgem MCUSIM_PW_KP\n");
#endif
