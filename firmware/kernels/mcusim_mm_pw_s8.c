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
#include "mcusim_asm_macros.h"

/* A merged record's words besides its in_c / 2 words of rows (conv_pack.records_merged): the two
 * bias words and six constants (conv_pack.MERGED_EXTRA_WORDS, which sizes the M33's blocks;
 * test_kernels_host.test_merged_record_size_matches_the_c_one) */
#define MCUSIM_PW_MERGED_EXTRA 8

#if MCUSIM_DSP
/* The Cortex-M33's 4 x 2 and 3 x 2 loops (MCUSIM_PW_FN, MCUSIM_PW3_FN) also run prescaled
 * records (conv_pack.records_pw_prescaled, flag 0x100 in every record's r words; the compiler emits
 * them for the M33 with the activation minimum at or above the output zero point only, so the
 * test sits on the z path): SMMLA + SSAT asr #12 per output, no ASR by a loaded shift. The M4
 * keeps two bodies per loop (its flash budgets). */
#if defined(__ARM_ARCH_8M_MAIN__)
#define MCUSIM_PW_PRE_TEST "  tst r9, #256\n  bne.w 21f\n"
/* the prescaled bodies leave r1 at a record's rows' end - 4 (no ADD per record): r1, the records'
 * end and (block groups, w loops) their restart in the frame 24 bytes lower */
#define MCUSIM_PW_PRE_ENTRY                                                                        \
    "21:\n  subs r1, r1, #24\n  ldr r3, [sp, #4]\n  subs r3, r3, #24\n  str r3, [sp, #4]\n"         \
    "  .if \\G\n  ldr r3, [sp, #24]\n  subs r3, r3, #24\n  str r3, [sp, #24]\n  .endif\n"
/* ... and with out_c known r0 where the steps leave it (cols + 252 after 32 elements, + 4 after
 * the straight ones): the next record's first column loads reach back (no SUB per record) */
#define MCUSIM_PW_PRE_BODY                                                                         \
    MCUSIM_PW_PRE_ENTRY                                                                            \
    "  .if \\OC && \\N8 == 4\n  add r0, r0, #252\n  .elseif \\OC\n  add r0, r0, #4\n  .endif\n"     \
    "  MCUSIM_PW_RECORDS \\N8, 2, \\OC, \\G\n"
#define MCUSIM_PW3_PRE_BODY MCUSIM_PW_PRE_ENTRY "  MCUSIM_PW3_RECORDS 2, \\N8, \\G\n"
#else
#define MCUSIM_PW_PRE_TEST ""
#define MCUSIM_PW_PRE_BODY ""
#define MCUSIM_PW3_PRE_BODY ""
#endif
/* 4 pixels x args[1] channel pairs (args: n8, pairs, out_c, the activation minimum): by n8,
 * mcusim_mm4x2_rqh32_s16 (n8 = 4), mcusim_mm4x2_rqh_s16 (a multiple of 4) or
 * mcusim_mm4x2_rq_s16 (mcusim_mat_mult_packed_s8.c) */
void mcusim_mm4x2_pw_s16(const int16_t *x, const int32_t *rec, const int32_t *args, int8_t *out);
void mcusim_mm4x2_rq_s16(const int16_t *x, const int32_t *rec, const int32_t *args,
                         int8_t *out);
/* the same for three pixels: mcusim_mm3x2_rqh_s16 (n8 a multiple of 4) or mcusim_mm3x2_rq_s16 */
void mcusim_mm3x2_pw_s16(const int16_t *x, const int32_t *rec, const int32_t *args, int8_t *out);
void mcusim_mm3x2_rq_s16(const int16_t *x, const int32_t *rec, const int32_t *args,
                         int8_t *out);
/* n words (a multiple of 8) from src to dst with LDM/STM of eight */
void mcusim_pw_copy8(int32_t *dst, const int32_t *src, int32_t n);

__asm__(
    /* one 4 x 2 step (as mcusim_mat_mult_packed_s8.c's MCUSIM_MM4X2_KP): column words at r0 + X,
     * weight words at r1 + W; accumulators r4-r11 (pixel p, channel c in r4 + 2p + c) */
    MCUSIM_ASM_KP4X2(MCUSIM_PW_KP)
    /* the step opening an iteration: r0/r1 4 bytes before its data, moved 8 on by writeback
     * (each on the last load of its base in the group: a load right after a writeback from the
     * same base waits for it) */
    MCUSIM_ASM_KP4X2_FIRST(MCUSIM_PW_KP_FIRST)
    /* a record's first step: r1 = record - 4, r0 = cols; the bias words go into r10/r11, which
     * every SMLAD reads before the last two write them; leaves r1 = rows + 4, r0 = cols + 4
     * (as after MCUSIM_PW_KP_FIRST) */
    "  .macro MCUSIM_PW_KP_BIAS D=0, E=0\n"  /* r1 = record - 4 - D, r0 = cols + E (prescaled) */
    "  ldr r10, [r1, #4+\\D]\n"
    "  ldr r11, [r1, #8+\\D]\n"
    "  ldr r12, [r1, #12+\\D]\n"
    "  ldr lr, [r1, #16+\\D]!\n"
    "  .if \\E\n"
    "  ldr r2, [r0, #-\\E]\n"
    "  ldr r3, [r0, #4-\\E]!\n"
    "  .else\n"
    "  ldr r2, [r0]\n"
    "  ldr r3, [r0, #4]!\n"
    "  .endif\n"
    MCUSIM_ASM_KP4X2_BIAS_LO
    "  ldr r2, [r0, #4]\n"
    "  ldr r3, [r0, #8]\n"
    MCUSIM_ASM_KP4X2_BIAS_HI
    "  .endm\n"
    MCUSIM_ASM_KP4X2_LAST(MCUSIM_PW_KP_LAST)
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
    "  MCUSIM_PW_KP_LAST\n"
    "  .endm\n"
    /* both channels of a prescaled record (conv_pack.records_pw_prescaled; Z = 2, the M33's
     * third bodies) requantized: SMMLA, then SSAT #8 asr #12, no shift loaded; accumulators
     * A0..A3 (channel c), B0..B3 (c + 1), A3/B3 blank: three (the 3 x 2 blocks). Every load at
     * least one instruction before its use (the M33's load-to-use latency 2); r1 stays at the
     * rows' end - 4 (the next record's first loads reach 24 bytes further: MCUSIM_PW_PRE_ENTRY) */
    "  .macro MCUSIM_PW_RQP A0, A1, A2, A3, B0, B1, B2, B3, M=r0\n"
    "  ldr \\M, [r1, #4]\n"
    "  ldr r2, [r1, #8]\n"
    "  ldr r3, [r1, #20]\n"
    "  smmla \\A0, \\A0, \\M, r2\n"
    "  smmla \\A1, \\A1, \\M, r2\n"
    "  smmla \\A2, \\A2, \\M, r2\n"
    "  .ifnb \\A3\n"
    "  smmla \\A3, \\A3, \\M, r2\n"
    "  .endif\n"
    "  ldr \\M, [r1, #16]\n"
    "  ssat \\A0, #8, \\A0, asr #12\n"
    "  ssat \\A1, #8, \\A1, asr #12\n"
    "  ssat \\A2, #8, \\A2, asr #12\n"
    "  .ifnb \\A3\n"
    "  ssat \\A3, #8, \\A3, asr #12\n"
    "  .endif\n"
    "  smmla \\B0, \\B0, \\M, r3\n"
    "  smmla \\B1, \\B1, \\M, r3\n"
    "  smmla \\B2, \\B2, \\M, r3\n"
    "  .ifnb \\B3\n"
    "  smmla \\B3, \\B3, \\M, r3\n"
    "  .endif\n"
    "  ssat \\B0, #8, \\B0, asr #12\n"
    "  ssat \\B1, #8, \\B1, asr #12\n"
    "  ssat \\B2, #8, \\B2, asr #12\n"
    "  .ifnb \\B3\n"
    "  ssat \\B3, #8, \\B3, asr #12\n"
    "  .endif\n"
    "  .endm\n"
    /* requantize one channel's four accumulators A0..A3 in place, constants at r1 + OFF (m, a,
     * r; the last loaded with writeback W); Z: no [acc < 0] term (r12, lr are free here); A3
     * blank: three (the 3 x 2 blocks) */
    "  .macro MCUSIM_PW_RQ A0, A1, A2, A3, OFF, Z, M=r0\n"
    "  ldr \\M, [r1, #\\OFF]\n"
    "  ldr r2, [r1, #\\OFF+4]\n"
    "  .if \\OFF == 4\n"
    "  ldr r3, [r1, #\\OFF+8]\n"
    "  .else\n"
    "  ldr r3, [r1, #\\OFF+8]!\n"        /* r1: the next record - 4 */
    "  .endif\n"
    "  .if \\Z\n"
    "  smmlar \\A0, \\A0, \\M, r2\n"
    "  smmlar \\A1, \\A1, \\M, r2\n"
    "  smmlar \\A2, \\A2, \\M, r2\n"
    "  .ifnb \\A3\n"
    "  smmlar \\A3, \\A3, \\M, r2\n"
    "  .endif\n"
    "  .else\n"                            /* each SUB a step ahead of its SMMLAR (M33 latency) */
    "  sub r12, r2, \\A0, lsr #31\n"
    "  sub lr, r2, \\A1, lsr #31\n"
    "  smmlar \\A0, \\A0, \\M, r12\n"
    "  sub r12, r2, \\A2, lsr #31\n"
    "  smmlar \\A1, \\A1, \\M, lr\n"
    "  .ifnb \\A3\n"
    "  sub lr, r2, \\A3, lsr #31\n"
    "  .endif\n"
    "  smmlar \\A2, \\A2, \\M, r12\n"
    "  .ifnb \\A3\n"
    "  smmlar \\A3, \\A3, \\M, lr\n"
    "  .endif\n"
    "  .endif\n"
    "  asr \\A0, \\A0, r3\n"
    "  asr \\A1, \\A1, r3\n"
    "  asr \\A2, \\A2, r3\n"
    "  .ifnb \\A3\n"
    "  asr \\A3, \\A3, r3\n"
    "  .endif\n"
    "  ssat \\A0, #8, \\A0\n"
    "  ssat \\A1, #8, \\A1\n"
    "  ssat \\A2, #8, \\A2\n"
    "  .ifnb \\A3\n"
    "  ssat \\A3, #8, \\A3\n"
    "  .endif\n"
    "  .endm\n"
    /* steps 1 .. N - 1 of a record straight, after MCUSIM_PW_KP_BIAS (offsets from the data
     * + 4, no loop test); the last leaves r1 at the rows' end - 4 */
    "  .macro MCUSIM_PW_STRAIGHT N\n"
    "  .set MCUSIM_PWS, 1\n"
    "  .rept \\N - 2\n"
    "  MCUSIM_PW_KP (16 * MCUSIM_PWS - 4), (8 * MCUSIM_PWS - 4)\n"
    "  .set MCUSIM_PWS, MCUSIM_PWS + 1\n"
    "  .endr\n"
    "  ldr r12, [r1, #(8 * MCUSIM_PWS - 4)]\n"
    "  ldr lr, [r1, #(8 * MCUSIM_PWS)]\n"
    "  ldr r2, [r0, #(16 * MCUSIM_PWS - 4)]\n"
    "  ldr r3, [r0, #(16 * MCUSIM_PWS)]\n"
    MCUSIM_ASM_KP4X2_MAC_LO
    "  ldr r2, [r0, #(16 * MCUSIM_PWS + 4)]\n"
    "  ldr r3, [r0, #(16 * MCUSIM_PWS + 8)]\n"
    MCUSIM_ASM_KP4X2_MAC_HI
    "  add r1, r1, #(8 * MCUSIM_PWS)\n"    /* (a writeback reaches 255 bytes only) */
    "  .endm\n"
    /* the record loop: r0 cols, r1 the first record - 4, frame [sp] cols, 4 the records' end
     * - 4, 8 out_c, 12 out, 16 where r0 ends (cols + 64 n8 - 4). N8 = 4: one iteration,
     * straight; 8, 16: 64 and 128 elements straight (the M33's blocks of records; no loop
     * test: 5 cycles per 32 elements); 0: any multiple of 4 (a loop of 32 elements). Z: see
     * the top. */
    /* four pixels of 8 N8 int8 each from r1 (contiguous) widened into the columns at r0 as
     * mcusim_widen_runs_s8 lays them out (no offset: folded): pixel p's quad q into the words
     * at 4 p + 32 q (elements 0, 2) and 16 bytes on (1, 3); eight words loaded together per
     * pass (unaligned LDR), a loop over the pixels (small for the M4's 1 KB instruction
     * cache). Clobbers r0-r11 (r0 ends 16 bytes on). */
    "  .macro MCUSIM_PW_WIDEN4 N8\n"
    "  movs r11, #4\n"
    "1:\n"
    "  .set MCUSIM_PWH, 0\n"
    "  .rept \\N8 / 4\n"
    "  ldr r2, [r1, #0]\n"
    "  ldr r3, [r1, #4]\n"
    "  ldr r4, [r1, #8]\n"
    "  ldr r5, [r1, #12]\n"
    "  ldr r6, [r1, #16]\n"
    "  ldr r7, [r1, #20]\n"
    "  ldr r8, [r1, #24]\n"
    "  ldr r9, [r1, #28]\n"
    "  adds r1, r1, #32\n"
    "  .irp R, r2, r3, r4, r5, r6, r7, r8, r9\n"
    "  sxtb16 r10, \\R\n"
    "  sxtb16 \\R, \\R, ror #8\n"
    "  str r10, [r0, #(32 * MCUSIM_PWH)]\n"
    "  str \\R, [r0, #(32 * MCUSIM_PWH + 16)]\n"
    "  .set MCUSIM_PWH, MCUSIM_PWH + 1\n"
    "  .endr\n"
    "  .endr\n"
    "  adds r0, r0, #4\n"
    "  subs r11, r11, #1\n"
    "  bne 1b\n"
    "  .endm\n"
    /* after a group's last record in the M33's blocks (frame 20 groups left, 24 the records -
     * 4, 28 the group's out): the next group's columns 64 N8 bytes on, its outputs NPX out_c
     * on, the records again (3b); after the last, r0 = 1 (taken) and the frame dropped */
    "  .macro MCUSIM_PW_NEXT_BLOCK_GROUP N8, NPX, E=0\n"
    "  ldr r3, [sp, #20]\n"
    "  subs r3, r3, #1\n"
    "  beq 8f\n"
    "  str r3, [sp, #20]\n"
    "  ldr r0, [sp, #0]\n"
    "  ldr r12, [sp, #8]\n"
    "  ldr lr, [sp, #28]\n"
    "  add r0, r0, #(64 * \\N8)\n"
    "  .if \\NPX == 4\n"
    "  add lr, lr, r12, lsl #2\n"
    "  .else\n"
    "  add lr, lr, r12\n"
    "  add lr, lr, r12, lsl #1\n"
    "  .endif\n"
    "  str r0, [sp, #0]\n"
    "  str lr, [sp, #28]\n"
    "  str lr, [sp, #12]\n"
    "  ldr r1, [sp, #24]\n"
    "  .if \\E\n"                        /* the records' loads from cols + E */
    "  add r0, r0, #\\E\n"
    "  .endif\n"
    "  b 3b\n"
    "8:\n"
    "  movs r0, #1\n"
    "  add sp, sp, #32\n"
    "  .endm\n"
    /* after a group's last record (frame of the w loops: 20 groups left, 24 the records - 4,
     * 28 the group's out, 32 the next group's input): the next group widened into the same
     * columns (its input 32 N8 bytes on), its outputs 4 out_c on, the records from the start
     * (3b); after the last, the frame dropped */
    "  .macro MCUSIM_PW_NEXT_GROUP N8, E=0\n"
    "  ldr r3, [sp, #20]\n"
    "  subs r3, r3, #1\n"
    "  beq 8f\n"
    "  str r3, [sp, #20]\n"
    "  ldr r1, [sp, #32]\n"
    "  ldr r0, [sp, #0]\n"
    "  add r12, r1, #(32 * \\N8)\n"
    "  str r12, [sp, #32]\n"
    "  MCUSIM_PW_WIDEN4 \\N8\n"
    "  ldr r12, [sp, #8]\n"
    "  ldr lr, [sp, #28]\n"
    "  ldr r0, [sp, #0]\n"
    "  ldr r1, [sp, #24]\n"
    "  add lr, lr, r12, lsl #2\n"
    "  str lr, [sp, #28]\n"
    "  str lr, [sp, #12]\n"
    "  .if \\E\n"                        /* the records' loads from cols + E */
    "  add r0, r0, #\\E\n"
    "  .endif\n"
    "  b 3b\n"
    "8:\n"
    "  add sp, sp, #40\n"
    "  .endm\n"
    "  .macro MCUSIM_PW_RECORDS N8, Z, OC=0, G=0\n"
    "  .balign 16\n"                     /* the records loop's head: not its address's luck */
    "3:\n"
    "  .if \\Z == 2 && \\OC && \\N8 == 4\n"  /* r0 left where the steps end (PW_PRE_ENTRY) */
    "  MCUSIM_PW_KP_BIAS 24, 252\n"
    "  .elseif \\Z == 2 && \\OC\n"
    "  MCUSIM_PW_KP_BIAS 24, 4\n"
    "  .elseif \\Z == 2\n"                /* r1 left at the rows' end - 4 (MCUSIM_PW_RQP) */
    "  MCUSIM_PW_KP_BIAS 24\n"
    "  .else\n"
    "  MCUSIM_PW_KP_BIAS\n"
    "  .endif\n"
    "  .if \\N8 == 0\n"
    "  b 12f\n"
    "  .balign 4\n"
    "11:\n"
    "  MCUSIM_PW_KP_FIRST\n"
    "12:\n"
    "  .endif\n"
    "  .if \\N8 > 4\n"
    "  MCUSIM_PW_STRAIGHT 4 * \\N8\n"
    "  .else\n"
    "  MCUSIM_PW_STEPS\n"
    "  .endif\n"
    "  .if \\N8 == 0\n"
    "  ldr r2, [sp, #16]\n"
    "  cmp r0, r2\n"
    "  bne 11b\n"
    "  .endif\n"
    /* r1 = the rows' end - 4: m, a, r of the first channel at r1 + 4, of the second at + 16 */
    "  .if \\OC && \\Z == 2\n"
    "  MCUSIM_PW_RQP r4, r6, r8, r10, r5, r7, r9, r11, r12\n"
    "  .elseif \\Z == 2\n"
    "  MCUSIM_PW_RQP r4, r6, r8, r10, r5, r7, r9, r11\n"
    "  .elseif \\OC && \\Z\n"             /* r0 (cols + 4) kept: the multiplier in r12 */
    "  MCUSIM_PW_RQ r4, r6, r8, r10, 4, \\Z, r12\n"
    "  MCUSIM_PW_RQ r5, r7, r9, r11, 16, \\Z, r12\n"
    "  .else\n"
    "  MCUSIM_PW_RQ r4, r6, r8, r10, 4, \\Z\n"
    "  MCUSIM_PW_RQ r5, r7, r9, r11, 16, \\Z\n"
    "  .endif\n"
    "  bfi r4, r5, #8, #8\n"
    "  bfi r6, r7, #8, #8\n"
    "  bfi r8, r9, #8, #8\n"
    "  bfi r10, r11, #8, #8\n"
    "  .if \\OC\n"                       /* out_c known: r0 back by 4, stores at immediates */
    "  .if \\Z == 2\n"                     /* r0 stays (the next record's loads reach back) */
    "  MCUSIM_PW_STORE_OC r4, r6, r8, r10, \\OC, \\Z, 0\n"
    "  .elseif \\N8 == 4\n"                /* r0 after MCUSIM_PW_STEPS: cols + 252 */
    "  MCUSIM_PW_STORE_OC r4, r6, r8, r10, \\OC, \\Z, 252\n"
    "  .else\n"
    "  MCUSIM_PW_STORE_OC r4, r6, r8, r10, \\OC, \\Z\n"
    "  .endif\n"
    "  .else\n"
    "  ldm sp, {r0, r2, r12, lr}\n"       /* cols, the records' end - 4, out_c, out */
    "  add r5, lr, r12\n"
    "  add r7, r5, r12\n"
    "  add r9, r7, r12\n"
    "  strh r4, [lr], #2\n"
    "  strh r6, [r5]\n"
    "  strh r8, [r7]\n"
    "  strh r10, [r9]\n"
    "  str lr, [sp, #12]\n"
    "  .endif\n"
    "  cmp r1, r2\n"
    "  bne 3b\n"
    "  .if \\G == 1 && \\Z == 2 && \\OC && \\N8 == 4\n"   /* r0 from cols + E: as */
    "  MCUSIM_PW_NEXT_BLOCK_GROUP \\N8, 4, 252\n"          /* MCUSIM_PW_PRE_BODY */
    "  .elseif \\G == 1 && \\Z == 2 && \\OC\n"
    "  MCUSIM_PW_NEXT_BLOCK_GROUP \\N8, 4, 4\n"
    "  .elseif \\G == 2 && \\Z == 2 && \\OC && \\N8 == 4\n"
    "  MCUSIM_PW_NEXT_GROUP \\N8, 252\n"
    "  .elseif \\G == 2 && \\Z == 2 && \\OC\n"
    "  MCUSIM_PW_NEXT_GROUP \\N8, 4\n"
    "  .elseif \\G == 1\n"
    "  MCUSIM_PW_NEXT_BLOCK_GROUP \\N8, 4\n"
    "  .elseif \\G == 2\n"
    "  MCUSIM_PW_NEXT_GROUP \\N8\n"
    "  .else\n"
    "  add sp, sp, #20\n"
    "  .endif\n"
    "  pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    "  .endm\n"
    /* the straight records' outputs for a known out_c (OC, at most 1365): the four pixels'
     * halfwords at immediate offsets from out (no adds, no out_c load); with Z r0 = cols + BACK
     * after the record (the requantization kept off it), so it steps back instead of a frame
     * load */
    "  .macro MCUSIM_PW_STORE_OC P0, P1, P2, P3, OC, Z, BACK=4, FR=0, ADJ=0\n"
    "  .if \\Z && \\BACK == 0 && \\ADJ == 0\n"   /* out first: a load before its use */
    "  ldr lr, [sp, #\\FR+12]\n"
    "  ldr r2, [sp, #\\FR+4]\n"
    "  .elseif \\Z\n"
    "  ldr r2, [sp, #\\FR+4]\n"          /* the records' end - 4 */
    "  ldr lr, [sp, #\\FR+12]\n"         /* out */
    "  .if \\ADJ > 0\n"                  /* two groups per pass: the other group's columns */
    "  add r0, r0, #\\ADJ-\\BACK\n"
    "  .elseif \\ADJ < 0\n"
    "  sub r0, r0, #-\\ADJ+\\BACK\n"
    "  .elseif \\BACK\n"
    "  sub r0, r0, #\\BACK\n"
    "  .endif\n"
    "  .else\n"
    "  ldrd r0, r2, [sp, #\\FR]\n"        /* cols (the next group's), the records' end - 4 */
    "  ldr lr, [sp, #\\FR+12]\n"
    "  .endif\n"
    "  strh \\P1, [lr, #\\OC]\n"
    "  strh \\P2, [lr, #2*\\OC]\n"
    "  strh \\P3, [lr, #3*\\OC]\n"
    "  strh \\P0, [lr], #2\n"
    "  str lr, [sp, #\\FR+12]\n"
    "  .endm\n"
    /* r8 = the output zero point from the first record's A (in r8) and r (r9): A = 2^(r-1) +
     * zp 2^r (conv_pack.records); r10, r11 scratch */
    "  .macro MCUSIM_PW_ZP\n"
    "  movs r10, #1\n"
    "  subs r11, r9, #1\n"
    "  lsl r10, r10, r11\n"
    "  subs r8, r8, r10\n"
    "  asr r8, r8, r9\n"                  /* the zero point */
    "  .endm\n"
    /* the entry of the functions with a 20-byte frame (r0 cols, r1 records, r2 args, r3 out):
     * r4-r7 = args {n8, pairs, out_c, minimum}, r8 the zero point (the first record's A, r at
     * r1 + (n8 << SHIFT) + 12: records of 32 (n8 + 1) bytes, SHIFT 5; merged ones of 16 (n8 + 2),
     * 4), frame [sp] cols, 8 out_c, 12 out */
    "  .macro MCUSIM_PW_PROLOGUE SHIFT, FRAME=20\n"
    "  push {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n"
    "  sub sp, sp, #\\FRAME\n"
    "  ldm r2, {r4, r5, r6, r7}\n"        /* n8, pairs, out_c, minimum */
    "  add r9, r1, r4, lsl #\\SHIFT\n"
    "  ldr r8, [r9, #12]\n"               /* A of channel 0 */
    "  ldr r9, [r9, #16]\n"               /* r */
    "  MCUSIM_PW_ZP\n"
    "  str r0, [sp, #0]\n"
    "  str r6, [sp, #8]\n"
    "  str r3, [sp, #12]\n"
    "  .endm\n"
    /* the two-group functions' entry: frame and z as MCUSIM_PW_FN, group B's columns at cols +
     * COLSB bytes and outputs at out + 4 out_c; records of 160 bytes (A of channel 0 at + 140);
     * branches to 20f for z */
    "  .macro MCUSIM_PW_X2_ENTRY COLSB\n"
    "  push {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n"
    "  sub sp, sp, #36\n"
    "  ldm r2, {r4, r5, r6, r7}\n"        /* n8 (4), pairs, out_c, minimum */
    "  ldr r8, [r1, #140]\n"              /* A of channel 0 */
    "  ldr r9, [r1, #144]\n"              /* r */
    "  MCUSIM_PW_ZP\n"
    "  add r10, r0, #\\COLSB\n"
    "  str r10, [sp, #0]\n"
    "  str r6, [sp, #8]\n"
    "  str r3, [sp, #12]\n"
    "  str r0, [sp, #16]\n"
    "  str r6, [sp, #24]\n"
    "  add r11, r3, r6, lsl #2\n"
    "  str r11, [sp, #28]\n"
    "  add r10, r5, r5, lsl #2\n"         /* records of 160 bytes */
    "  add r10, r1, r10, lsl #5\n"
    "  subs r10, r10, #4\n"
    "  str r10, [sp, #4]\n"
    "  str r10, [sp, #20]\n"
    "  subs r1, r1, #4\n"
    "  cmp r7, r8\n"
    "  bge 20f\n"
    "  .endm\n"
    /* Two groups of four pixels per record (n8 = 4 only, the Cortex-M4): the 160-byte record
     * is read from flash for the first group and from the ART's data cache for the second
     * (5 lines of its 8). Group B's columns follow group A's (cols + 256), its outputs too
     * (out + 4 out_c). Frame: [sp] cols B, 4 the records' end - 4, 8 out_c, 12 out A, 16 cols
     * A, 20 the records' end - 4, 24 out_c, 28 out B. */
    "  .macro MCUSIM_PW_BODY32 Z, FR\n"
    "  MCUSIM_PW_KP_BIAS\n"
    "  MCUSIM_PW_STEPS\n"
    "  MCUSIM_PW_RQ r4, r6, r8, r10, 4, \\Z\n"
    "  MCUSIM_PW_RQ r5, r7, r9, r11, 16, \\Z\n"
    "  bfi r4, r5, #8, #8\n"
    "  bfi r6, r7, #8, #8\n"
    "  bfi r8, r9, #8, #8\n"
    "  bfi r10, r11, #8, #8\n"
    "  .if \\FR == 0\n"
    "  ldm sp, {r0, r2, r12, lr}\n"       /* cols B, the end, out_c, out A */
    "  .else\n"
    "  ldrd r0, r2, [sp, #16]\n"          /* cols A, the end */
    "  ldrd r12, lr, [sp, #24]\n"         /* out_c, out B */
    "  .endif\n"
    "  add r5, lr, r12\n"
    "  add r7, r5, r12\n"
    "  add r9, r7, r12\n"
    "  strh r4, [lr], #2\n"
    "  strh r6, [r5]\n"
    "  strh r8, [r7]\n"
    "  strh r10, [r9]\n"
    "  str lr, [sp, #\\FR+12]\n"
    "  .endm\n"
    "  .macro MCUSIM_PW_RECORDS2 Z\n"
    "  .balign 4\n"
    "3:\n"
    "  MCUSIM_PW_BODY32 \\Z, 0\n"
    "  sub r1, r1, #160\n"                /* the same record again */
    "  MCUSIM_PW_BODY32 \\Z, 16\n"
    "  cmp r1, r2\n"
    "  bne 3b\n"
    "  add sp, sp, #36\n"
    "  pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    "  .endm\n"
    MCUSIM_ASM_FUNC(mcusim_mm4x2_rqh32x2_s16)
    "  MCUSIM_PW_X2_ENTRY 256\n"
    "  MCUSIM_PW_RECORDS2 0\n"
    "20:\n"
    "  MCUSIM_PW_RECORDS2 1\n"
    MCUSIM_ASM_END(mcusim_mm4x2_rqh32x2_s16)
    "  .purgem MCUSIM_PW_RECORDS2\n"
    "  .purgem MCUSIM_PW_BODY32\n"
    /* the function: r0 cols, r1 records, r2 args {n8, pairs, out_c, activation minimum}, r3
     * out. z = (minimum >= the output zero point), the zero point from the first record's
     * A = 2^(r-1) + zp 2^r (conv_pack.records) */
    "  .macro MCUSIM_PW_FN N8, OC=0, G=0\n"
    "  .if \\G\n"                        /* args[4] groups; frame 20 groups left, 24 the */
    "  MCUSIM_PW_PROLOGUE 5, (24 + 8 * \\G)\n"   /* records - 4, 28 the group's out */
    "  ldr r12, [r2, #16]\n"
    "  str r12, [sp, #20]\n"
    "  sub r12, r1, #4\n"
    "  str r12, [sp, #24]\n"
    "  str r3, [sp, #28]\n"
    "  .if \\G == 2\n"                   /* 32 the next group's input, 36 the widening args */
    "  ldr r12, [r2, #20]\n"
    "  str r12, [sp, #32]\n"
    "  ldr r12, [r2, #24]\n"
    "  str r12, [sp, #36]\n"
    "  .endif\n"
    "  .else\n"
    "  MCUSIM_PW_PROLOGUE 5\n"
    "  .endif\n"
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
    "  MCUSIM_PW_RECORDS \\N8, 0, \\OC, \\G\n"
    "20:\n"
    MCUSIM_PW_PRE_TEST
    "  MCUSIM_PW_RECORDS \\N8, 1, \\OC, \\G\n"
    MCUSIM_PW_PRE_BODY
    "  .endm\n"
    "  .syntax unified\n"
    "  .thumb\n"
    MCUSIM_ASM_FUNC(mcusim_mm4x2_rqh_s16)
    "  MCUSIM_PW_FN 0\n"
    MCUSIM_ASM_END(mcusim_mm4x2_rqh_s16)
    MCUSIM_ASM_FUNC(mcusim_mm4x2_rqh32_s16)
    "  MCUSIM_PW_FN 4\n"
    MCUSIM_ASM_END(mcusim_mm4x2_rqh32_s16)
    MCUSIM_ASM_FUNC(mcusim_mm4x2_rqh64_s16)
    "  MCUSIM_PW_FN 8\n"
    MCUSIM_ASM_END(mcusim_mm4x2_rqh64_s16)
    MCUSIM_ASM_FUNC(mcusim_mm4x2_rqh128_s16)
    "  MCUSIM_PW_FN 16\n"
    MCUSIM_ASM_END(mcusim_mm4x2_rqh128_s16)
    /* mcusim_mm4x2_rqh<K>_s16 for a known out_c, the outputs at immediate offsets (VWW's and
     * KWS's shapes: rqh<K>o<out_c>; conv_2d._pw_loops and mcusim_mm4x2_pw_s16 name them) */
#define MCUSIM_PW_FN_OC(K, N8, OC)                                                                 \
    MCUSIM_ASM_FUNC(mcusim_mm4x2_rqh##K##o##OC##_s16)                                             \
    "  MCUSIM_PW_FN " #N8 ", " #OC "\n"                                                           \
    MCUSIM_ASM_END(mcusim_mm4x2_rqh##K##o##OC##_s16)
    MCUSIM_PW_FN_OC(32, 4, 32)
    MCUSIM_PW_FN_OC(32, 4, 64)
    MCUSIM_PW_FN_OC(64, 8, 64)
    MCUSIM_PW_FN_OC(64, 8, 128)
    MCUSIM_PW_FN_OC(128, 16, 128)
#undef MCUSIM_PW_FN_OC
    /* the same with every group of four of a layer in one call, each next group widened into
     * the columns in the call (mcusim_convolve_1x1_fast_pw_s8 one group per pass: args {n8,
     * pairs, out_c, minimum, groups, the second group's input, the widening args}) */
#define MCUSIM_PW_FN_W(K, N8, OC)                                                                  \
    MCUSIM_ASM_FUNC(mcusim_mm4x2_rqh##K##o##OC##w_s16)                                            \
    "  MCUSIM_PW_FN " #N8 ", " #OC ", 2\n"                                                        \
    MCUSIM_ASM_END(mcusim_mm4x2_rqh##K##o##OC##w_s16)
    MCUSIM_PW_FN_W(32, 4, 32)
    MCUSIM_PW_FN_W(32, 4, 64)
    MCUSIM_PW_FN_W(64, 8, 64)
#undef MCUSIM_PW_FN_W
    /* The 3 x 2 block (a layer's groups of three pixels: VWW's 3x3 maps) likewise, and 32
     * elements per iteration instead of 8: per step 5 loads together + 6 SMLAD (12 MACs in 12
     * cycles on the M4), the pointers moved by the first and last steps' writebacks, the loop
     * test against the end kept in r11 (3 cycles per 32 elements, against 5 per 8). Pixel p,
     * channel c in r4 + 2p + c; column words at r0 + X (pixel 3's skipped), weights at r1 + W. */
    "  .macro MCUSIM_PW3_KP X, W, WBX=0, WBW=0\n"
    "  ldr r12, [r1, #\\W]\n"
    "  .if \\WBW\n"
    "  ldr lr, [r1, #\\W+4]!\n"
    "  .else\n"
    "  ldr lr, [r1, #\\W+4]\n"
    "  .endif\n"
    "  ldr r2, [r0, #\\X]\n"
    "  ldr r3, [r0, #\\X+4]\n"
    "  .if \\WBX\n"
    "  ldr r10, [r0, #\\X+8]!\n"
    "  .else\n"
    "  ldr r10, [r0, #\\X+8]\n"
    "  .endif\n"
    MCUSIM_ASM_KP4X2_MAC_LO
    "  smlad r8, r10, r12, r8\n"
    "  smlad r9, r10, lr, r9\n"
    "  .endm\n"
    /* a record's records loop: r0 cols, r1 the first record - 4, r11 where r0 ends (cols + 64 n8
     * - 8); frame as MCUSIM_PW_RECORDS. Iterations: r0 at their data - 8 (data + 8 after the
     * first step), r1 at their rows - 4 (+ 4). */
    "  .macro MCUSIM_PW3_RECORDS Z, N8=0, G=0\n"
    "  .balign 4\n"
    "3:\n"
    "  .if \\Z == 2\n"                   /* r1 = the record - 28 (see MCUSIM_PW_RQP) */
    "  ldr r8, [r1, #28]\n"
    "  ldr r9, [r1, #32]\n"
    "  ldr r12, [r1, #36]\n"
    "  ldr lr, [r1, #40]!\n"
    "  .else\n"
    "  ldr r8, [r1, #4]\n"                /* the bias words into r8/r9 (read before written) */
    "  ldr r9, [r1, #8]\n"
    "  ldr r12, [r1, #12]\n"
    "  ldr lr, [r1, #16]!\n"
    "  .endif\n"
    "  ldr r2, [r0]\n"
    "  ldr r3, [r0, #4]\n"
    "  ldr r10, [r0, #8]!\n"
    "  smlad r4, r2, r12, r8\n"
    "  smlad r5, r2, lr, r9\n"
    "  smlad r6, r3, r12, r8\n"
    "  smlad r7, r3, lr, r9\n"
    "  smlad r8, r10, r12, r8\n"
    "  smlad r9, r10, lr, r9\n"
    "  .if \\N8\n"                      /* 8 N8 elements straight: r0 = cols + 8, r1 = rows + 4 */
    "  .set MCUSIM_PWS, 1\n"
    "  .rept 4 * \\N8 - 1\n"
    "  MCUSIM_PW3_KP (16 * MCUSIM_PWS - 8), (8 * MCUSIM_PWS - 4)\n"
    "  .set MCUSIM_PWS, MCUSIM_PWS + 1\n"
    "  .endr\n"
    "  add r1, r1, #(32 * \\N8 - 8)\n"   /* the rows' end - 4 */
    "  .else\n"
    "  b 12f\n"
    "  .balign 4\n"
    "11:\n"
    "  MCUSIM_PW3_KP 8, 4, 1, 1\n"
    "12:\n"
    "  MCUSIM_PW3_KP 8, 4\n"
    "  MCUSIM_PW3_KP 24, 12\n"
    "  MCUSIM_PW3_KP 40, 20\n"
    "  MCUSIM_PW3_KP 56, 28\n"
    "  MCUSIM_PW3_KP 72, 36\n"
    "  MCUSIM_PW3_KP 88, 44\n"
    "  MCUSIM_PW3_KP 104, 52\n"
    "  MCUSIM_PW3_KP 120, 60\n"
    "  MCUSIM_PW3_KP 136, 68\n"
    "  MCUSIM_PW3_KP 152, 76\n"
    "  MCUSIM_PW3_KP 168, 84\n"
    "  MCUSIM_PW3_KP 184, 92\n"
    "  MCUSIM_PW3_KP 200, 100\n"
    "  MCUSIM_PW3_KP 216, 108\n"
    "  MCUSIM_PW3_KP 232, 116, 1, 1\n"
    "  cmp r0, r11\n"
    "  bne 11b\n"
    "  .endif\n"
    /* r1 = the rows' end - 4: m, a, r of the first channel at r1 + 4, of the second at + 16 */
    "  .if \\Z == 2\n"
    "  MCUSIM_PW_RQP r4, r6, r8, , r5, r7, r9, \n"
    "  .else\n"
    "  MCUSIM_PW_RQ r4, r6, r8, , 4, \\Z\n"
    "  MCUSIM_PW_RQ r5, r7, r9, , 16, \\Z\n"
    "  .endif\n"
    "  bfi r4, r5, #8, #8\n"
    "  bfi r6, r7, #8, #8\n"
    "  bfi r8, r9, #8, #8\n"
    "  ldm sp, {r0, r2, r12, lr}\n"       /* cols, the records' end - 4, out_c, out */
    "  add r5, lr, r12\n"
    "  add r7, r5, r12\n"
    "  strh r4, [lr], #2\n"
    "  strh r6, [r5]\n"
    "  strh r8, [r7]\n"
    "  str lr, [sp, #12]\n"
    "  cmp r1, r2\n"
    "  bne 3b\n"
    "  .if \\G\n"
    "  MCUSIM_PW_NEXT_BLOCK_GROUP \\N8, 3\n"
    "  .else\n"
    "  add sp, sp, #20\n"
    "  .endif\n"
    "  pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    "  .endm\n"
    "  .macro MCUSIM_PW3_FN N8=0, G=0\n"
    "  .if \\G\n"                        /* as MCUSIM_PW_FN's block groups */
    "  MCUSIM_PW_PROLOGUE 5, 32\n"
    "  ldr r12, [r2, #16]\n"
    "  str r12, [sp, #20]\n"
    "  sub r12, r1, #4\n"
    "  str r12, [sp, #24]\n"
    "  str r3, [sp, #28]\n"
    "  .else\n"
    "  MCUSIM_PW_PROLOGUE 5\n"
    "  .endif\n"
    "  add r11, r0, r4, lsl #6\n"
    "  sub r11, r11, #8\n"                /* where r0 ends */
    "  mla r3, r4, r5, r5\n"              /* records of 32 (n8 + 1) bytes */
    "  add r3, r1, r3, lsl #5\n"
    "  subs r3, r3, #4\n"
    "  str r3, [sp, #4]\n"
    "  subs r1, r1, #4\n"
    "  cmp r7, r8\n"
    "  bge 20f\n"
    "  MCUSIM_PW3_RECORDS 0, \\N8, \\G\n"
    "20:\n"
    MCUSIM_PW_PRE_TEST
    "  MCUSIM_PW3_RECORDS 1, \\N8, \\G\n"
    MCUSIM_PW3_PRE_BODY
    "  .endm\n"
    MCUSIM_ASM_FUNC(mcusim_mm3x2_rqh_s16)
    "  MCUSIM_PW3_FN\n"
    MCUSIM_ASM_END(mcusim_mm3x2_rqh_s16)
    /* 128 and 256 elements straight (VWW's 3x3 maps: no loop test, ~3 cycles per 32 elements) */
    MCUSIM_ASM_FUNC(mcusim_mm3x2_rqh128_s16)
    "  MCUSIM_PW3_FN 16\n"
    MCUSIM_ASM_END(mcusim_mm3x2_rqh128_s16)
    MCUSIM_ASM_FUNC(mcusim_mm3x2_rqh256_s16)
    "  MCUSIM_PW3_FN 32\n"
    MCUSIM_ASM_END(mcusim_mm3x2_rqh256_s16)
    MCUSIM_ASM_FUNC(mcusim_mm3x2_pw_s16)
    "  ldr r12, [r2]\n"
    "  tst r12, #3\n"
    "  bne.w mcusim_mm3x2_rq_s16\n"
    "  b.w mcusim_mm3x2_rqh_s16\n"
    MCUSIM_ASM_END(mcusim_mm3x2_pw_s16)
    /* Merged records (conv_pack.records_merged, Cortex-M4): one weight word W per step holds
     * both channels, h = 256 w_c+1 + w_c per element; SXTB16 gives A = (w_c, w_c) of the two
     * elements. Pixel p: acc_h in r4 + 2p (sums 256 acc_c+1 + acc_c), acc_c in r5 + 2p. Per
     * step the loads are W and the columns (5 for four pixels, in groups of 3 + 2) with one
     * SXTB16: 16 cycles per 16 MACs as the int16 rows, half the flash lines. Offsets: columns
     * as MCUSIM_PW_KP (r0 at the iteration's data + 4), weights r1 + 4 s (r1 at its rows). */
    /* the second channel of a merged record from x = 256 acc_c+1 (A0..A3): the record holds
     * A' = 128 A + 64 and r' = r + 7 (conv_pack.records_merged), so SMMLA(x, m, A' - 128 [x < 0])
     * >> r' = SMMLAR(2 acc_c+1, m, A - [x < 0]) >> r exactly (128 times the numerator, the
     * rounding 2^31 of SMMLAR in the 64 of A'); constants at r1 + 16, r1 then the next
     * record - 4 */
    "  .macro MCUSIM_PWM_RQB A0, A1, A2, A3, Z, M=r0\n"
    "  ldr \\M, [r1, #16]\n"
    "  ldr r2, [r1, #20]\n"
    "  ldr r3, [r1, #24]!\n"
    "  .if \\Z\n"
    "  smmla \\A0, \\A0, \\M, r2\n"
    "  smmla \\A1, \\A1, \\M, r2\n"
    "  smmla \\A2, \\A2, \\M, r2\n"
    "  smmla \\A3, \\A3, \\M, r2\n"
    "  .else\n"
    "  asr r12, \\A0, #31\n"
    "  asr lr, \\A1, #31\n"
    "  add r12, r2, r12, lsl #7\n"
    "  add lr, r2, lr, lsl #7\n"
    "  smmla \\A0, \\A0, \\M, r12\n"
    "  smmla \\A1, \\A1, \\M, lr\n"
    "  asr r12, \\A2, #31\n"
    "  asr lr, \\A3, #31\n"
    "  add r12, r2, r12, lsl #7\n"
    "  add lr, r2, lr, lsl #7\n"
    "  smmla \\A2, \\A2, \\M, r12\n"
    "  smmla \\A3, \\A3, \\M, lr\n"
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
    "  .macro MCUSIM_PWM_KP X, W, WB=0\n"
    "  .if \\WB\n"
    "  ldr r12, [r1, #\\W]!\n"
    "  .else\n"
    "  ldr r12, [r1, #\\W]\n"
    "  .endif\n"
    "  ldr r2, [r0, #\\X]\n"
    "  .if \\WB\n"
    "  ldr r3, [r0, #\\X+4]!\n"
    "  .else\n"
    "  ldr r3, [r0, #\\X+4]\n"
    "  .endif\n"
    "  sxtb16 lr, r12\n"
    MCUSIM_ASM_KP4X2_MAC_LO
    "  .if \\WB\n"
    "  ldr r2, [r0, #4]\n"
    "  ldr r3, [r0, #8]\n"
    "  .else\n"
    "  ldr r2, [r0, #\\X+8]\n"
    "  ldr r3, [r0, #\\X+12]\n"
    "  .endif\n"
    MCUSIM_ASM_KP4X2_MAC_HI
    "  .endm\n"
    /* the last step of an iteration: r0/r1 to the next iteration's data - 4 */
    "  .macro MCUSIM_PWM_KP_LAST\n"
    "  ldr r12, [r1, #60]!\n"
    "  ldr r2, [r0, #236]\n"
    "  ldr r3, [r0, #240]\n"
    "  sxtb16 lr, r12\n"
    MCUSIM_ASM_KP4X2_MAC_LO
    "  ldr r2, [r0, #244]\n"
    "  ldr r3, [r0, #248]!\n"
    MCUSIM_ASM_KP4X2_MAC_HI
    "  .endm\n"
    /* records of 16 (n8 + 2) bytes; frame as MCUSIM_PW_RECORDS; r1 = the record - 4, r0 = cols */
    /* a merged record for one group: r1 = the record - 4, r0 = cols; ends with the outputs
     * stored, r1 at the next record - 4 and r0, r2, r12 from the frame at FR (0: [sp] cols,
     * 4 the records' end - 4, 8 out_c, 12 out; 16: the second group's, see
     * mcusim_mm4x2_rqh32x2_s16). N8 = 8, 16: 64, 128 elements straight; 0: the loop. */
    "  .macro MCUSIM_PWM_BODY Z, N8, FR, OC=0, X2=0\n"
    "  ldr r11, [r1, #4]\n"               /* b_c: acc_c's start */
    "  ldr r10, [r1, #8]\n"               /* b_c + 256 b_c+1: acc_h's */
    "  ldr r12, [r1, #12]!\n"             /* r1: the rows */
    "  ldr r2, [r0]\n"
    "  ldr r3, [r0, #4]!\n"               /* r0: cols + 4 */
    "  sxtb16 lr, r12\n"
    MCUSIM_ASM_KP4X2_BIAS_LO
    "  ldr r2, [r0, #4]\n"
    "  ldr r3, [r0, #8]\n"
    MCUSIM_ASM_KP4X2_BIAS_HI
    "  .if \\N8 > 0\n"                    /* straight: steps 1 .. 4 N8 - 1 */
    "  .set MCUSIM_PWS, 1\n"
    "  .rept 4 * \\N8 - 2\n"
    "  MCUSIM_PWM_KP (16 * MCUSIM_PWS - 4), (4 * MCUSIM_PWS)\n"
    "  .set MCUSIM_PWS, MCUSIM_PWS + 1\n"
    "  .endr\n"
    "  .if 4 * MCUSIM_PWS > 255\n"          /* 256 elements: past LDR's writeback range */
    "  ldr r12, [r1, #(4 * MCUSIM_PWS)]\n"
    "  add r1, r1, #(4 * MCUSIM_PWS)\n"
    "  .else\n"
    "  ldr r12, [r1, #(4 * MCUSIM_PWS)]!\n"  /* r1: the rows' end - 4 */
    "  .endif\n"
    "  ldr r2, [r0, #(16 * MCUSIM_PWS - 4)]\n"
    "  ldr r3, [r0, #(16 * MCUSIM_PWS)]\n"
    "  sxtb16 lr, r12\n"
    MCUSIM_ASM_KP4X2_MAC_LO
    "  ldr r2, [r0, #(16 * MCUSIM_PWS + 4)]\n"
    "  ldr r3, [r0, #(16 * MCUSIM_PWS + 8)]\n"
    MCUSIM_ASM_KP4X2_MAC_HI
    "  .elseif \\N8 < 0\n"                /* n8 = -N8 in a loop of 64 steps (128 elements):
                                            * a quarter of the loop tests, 3.6 KB */
    "  b 12f\n"
    "  .balign 4\n"
    "11:\n"
    "  MCUSIM_PWM_KP 4, 4, 1\n"
    "12:\n"
    "  .set MCUSIM_PWS, 1\n"
    "  .rept 62\n"
    "  MCUSIM_PWM_KP (16 * MCUSIM_PWS - 4), (4 * MCUSIM_PWS)\n"
    "  .set MCUSIM_PWS, MCUSIM_PWS + 1\n"
    "  .endr\n"
    "  ldr r12, [r1, #252]!\n"           /* r1, r0: the next iteration's data - 4 */
    "  ldr r2, [r0, #1004]\n"
    "  ldr r3, [r0, #1008]\n"
    "  sxtb16 lr, r12\n"
    MCUSIM_ASM_KP4X2_MAC_LO
    "  ldr r2, [r0, #1012]\n"
    "  ldr r3, [r0, #1016]\n"
    "  add r0, r0, #1016\n"
    MCUSIM_ASM_KP4X2_MAC_HI
    "  ldr r2, [sp, #16]\n"
    "  cmp r0, r2\n"
    "  bne 11b\n"
    "  .else\n"
    "  b 12f\n"
    "  .balign 4\n"
    "11:\n"
    "  MCUSIM_PWM_KP 4, 4, 1\n"           /* r1: rows - 4 -> rows, r0: data - 4 -> data + 4 */
    "12:\n"
    "  MCUSIM_PWM_KP 12, 4\n"
    "  MCUSIM_PWM_KP 28, 8\n"
    "  MCUSIM_PWM_KP 44, 12\n"
    "  MCUSIM_PWM_KP 60, 16\n"
    "  MCUSIM_PWM_KP 76, 20\n"
    "  MCUSIM_PWM_KP 92, 24\n"
    "  MCUSIM_PWM_KP 108, 28\n"
    "  MCUSIM_PWM_KP 124, 32\n"
    "  MCUSIM_PWM_KP 140, 36\n"
    "  MCUSIM_PWM_KP 156, 40\n"
    "  MCUSIM_PWM_KP 172, 44\n"
    "  MCUSIM_PWM_KP 188, 48\n"
    "  MCUSIM_PWM_KP 204, 52\n"
    "  MCUSIM_PWM_KP 220, 56\n"
    "  MCUSIM_PWM_KP_LAST\n"
    "  ldr r2, [sp, #16]\n"
    "  cmp r0, r2\n"
    "  bne 11b\n"
    "  .endif\n"
    /* 256 acc_c+1 = acc_h - acc_c (MCUSIM_PWM_RQB), 2 acc_c = acc_c + acc_c */
    "  sub r4, r4, r5\n"
    "  sub r6, r6, r7\n"
    "  sub r8, r8, r9\n"
    "  sub r10, r10, r11\n"
    "  add r5, r5, r5\n"
    "  add r7, r7, r7\n"
    "  add r9, r9, r9\n"
    "  add r11, r11, r11\n"
    "  .if \\OC && \\Z\n"
    "  MCUSIM_PW_RQ r5, r7, r9, r11, 4, 1, r12\n"
    "  MCUSIM_PWM_RQB r4, r6, r8, r10, 1, r12\n"
    "  .else\n"
    "  MCUSIM_PW_RQ r5, r7, r9, r11, 4, \\Z\n"
    "  MCUSIM_PWM_RQB r4, r6, r8, r10, \\Z\n"
    "  .endif\n"
    "  bfi r5, r4, #8, #8\n"
    "  bfi r7, r6, #8, #8\n"
    "  bfi r9, r8, #8, #8\n"
    "  bfi r11, r10, #8, #8\n"
    "  .if \\OC\n"
    "  .if \\X2 == 0 && \\N8 < 0\n"      /* the 64-step loop: r0 at cols + 64 n8 - 4 */
    "  MCUSIM_PW_STORE_OC r5, r7, r9, r11, \\OC, \\Z, (-64 * \\N8 - 4)\n"
    "  .elseif \\X2 == 0\n"
    "  MCUSIM_PW_STORE_OC r5, r7, r9, r11, \\OC, \\Z\n"
    "  .elseif \\FR == 0\n"              /* group A done: r0 to group B's columns (+ X2) */
    "  MCUSIM_PW_STORE_OC r5, r7, r9, r11, \\OC, \\Z, 4, 0, \\X2\n"
    "  .else\n"
    "  MCUSIM_PW_STORE_OC r5, r7, r9, r11, \\OC, \\Z, 4, 16, -\\X2\n"
    "  .endif\n"
    "  .else\n"
    "  .if \\FR == 0\n"
    "  ldm sp, {r0, r2, r12, lr}\n"       /* cols (B), the records' end - 4, out_c, out (A) */
    "  .else\n"
    "  ldrd r0, r2, [sp, #16]\n"          /* cols A, the end */
    "  ldrd r12, lr, [sp, #24]\n"         /* out_c, out B */
    "  .endif\n"
    "  add r4, lr, r12\n"
    "  add r6, r4, r12\n"
    "  add r8, r6, r12\n"
    "  strh r5, [lr], #2\n"
    "  strh r7, [r4]\n"
    "  strh r9, [r6]\n"
    "  strh r11, [r8]\n"
    "  str lr, [sp, #\\FR+12]\n"
    "  .endif\n"
    "  .endm\n"
    "  .macro MCUSIM_PWM_RECORDS Z, N8=0, OC=0, G=0\n"
    "  .balign 4\n"
    "3:\n"
    "  MCUSIM_PWM_BODY \\Z, \\N8, 0, \\OC\n"
    "  cmp r1, r2\n"
    "  bne 3b\n"
    "  .if \\G\n"
    "  MCUSIM_PW_NEXT_GROUP \\N8\n"
    "  .else\n"
    "  add sp, sp, #20\n"
    "  .endif\n"
    "  pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    "  .endm\n"
    /* two groups per record pass over merged records of 64 elements (160 bytes), as
     * mcusim_mm4x2_rqh32x2_s16 */
    "  .macro MCUSIM_PWM_RECORDS2 Z, OC=0\n"
    "  .balign 4\n"
    "3:\n"
    "  MCUSIM_PWM_BODY \\Z, 8, 0, \\OC, 512\n"
    "  sub r1, r1, #160\n"
    "  MCUSIM_PWM_BODY \\Z, 8, 16, \\OC, 512\n"
    "  cmp r1, r2\n"
    "  bne 3b\n"
    "  add sp, sp, #36\n"
    "  pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    "  .endm\n"
    /* the 3 x 2 block on merged records: per step W + 3 columns in one group, one SXTB16, 6
     * SMLAD (12 cycles per 12 MACs); acc_h in r4 + 2p, acc_c in r5 + 2p; r11 where r0 ends;
     * columns as MCUSIM_PW3_KP (r0 at the iteration's data + 8) */
    "  .macro MCUSIM_PWM3_KP X, W, WBX=0, WBW=0\n"
    "  .if \\WBW\n"
    "  ldr r12, [r1, #\\W]!\n"
    "  .else\n"
    "  ldr r12, [r1, #\\W]\n"
    "  .endif\n"
    "  ldr r2, [r0, #\\X]\n"
    "  ldr r3, [r0, #\\X+4]\n"
    "  .if \\WBX\n"
    "  ldr r10, [r0, #\\X+8]!\n"
    "  .else\n"
    "  ldr r10, [r0, #\\X+8]\n"
    "  .endif\n"
    "  sxtb16 lr, r12\n"
    MCUSIM_ASM_KP4X2_MAC_LO
    "  smlad r8, r10, r12, r8\n"
    "  smlad r9, r10, lr, r9\n"
    "  .endm\n"
    "  .macro MCUSIM_PWM3_RECORDS Z, N8=0, G=0\n"
    "  .balign 4\n"
    "3:\n"
    "  ldr r9, [r1, #4]\n"                /* b_c */
    "  ldr r8, [r1, #8]\n"                /* b_c + 256 b_c+1 */
    "  ldr r12, [r1, #12]!\n"             /* r1: the rows */
    "  ldr r2, [r0]\n"
    "  ldr r3, [r0, #4]\n"
    "  ldr r10, [r0, #8]!\n"              /* r0: cols + 8 */
    "  sxtb16 lr, r12\n"
    "  smlad r4, r2, r12, r8\n"
    "  smlad r5, r2, lr, r9\n"
    "  smlad r6, r3, r12, r8\n"
    "  smlad r7, r3, lr, r9\n"
    "  smlad r8, r10, r12, r8\n"
    "  smlad r9, r10, lr, r9\n"
    "  .if \\N8\n"                      /* straight: r0 = cols + 8, r1 = the rows */
    "  .set MCUSIM_PWS, 1\n"
    "  .rept 4 * \\N8 - 1\n"
    "  MCUSIM_PWM3_KP (16 * MCUSIM_PWS - 8), (4 * MCUSIM_PWS)\n"
    "  .set MCUSIM_PWS, MCUSIM_PWS + 1\n"
    "  .endr\n"
    "  add r1, r1, #(16 * \\N8 - 4)\n"   /* the rows' end - 4 */
    "  .else\n"
    "  b 12f\n"
    "  .balign 4\n"
    "11:\n"
    "  MCUSIM_PWM3_KP 8, 4, 1, 1\n"
    "12:\n"
    "  MCUSIM_PWM3_KP 8, 4\n"
    "  MCUSIM_PWM3_KP 24, 8\n"
    "  MCUSIM_PWM3_KP 40, 12\n"
    "  MCUSIM_PWM3_KP 56, 16\n"
    "  MCUSIM_PWM3_KP 72, 20\n"
    "  MCUSIM_PWM3_KP 88, 24\n"
    "  MCUSIM_PWM3_KP 104, 28\n"
    "  MCUSIM_PWM3_KP 120, 32\n"
    "  MCUSIM_PWM3_KP 136, 36\n"
    "  MCUSIM_PWM3_KP 152, 40\n"
    "  MCUSIM_PWM3_KP 168, 44\n"
    "  MCUSIM_PWM3_KP 184, 48\n"
    "  MCUSIM_PWM3_KP 200, 52\n"
    "  MCUSIM_PWM3_KP 216, 56\n"
    "  MCUSIM_PWM3_KP 232, 60, 1, 1\n"
    "  cmp r0, r11\n"
    "  bne 11b\n"
    "  .endif\n"
    "  sub r4, r4, r5\n"
    "  sub r6, r6, r7\n"
    "  sub r8, r8, r9\n"
    "  add r5, r5, r5\n"
    "  add r7, r7, r7\n"
    "  add r9, r9, r9\n"
    "  MCUSIM_PW_RQ r5, r7, r9, , 4, \\Z\n"
    "  ldr r0, [r1, #16]\n"             /* as MCUSIM_PWM_RQB */
    "  ldr r2, [r1, #20]\n"
    "  ldr r3, [r1, #24]!\n"
    "  .if \\Z\n"
    "  smmla r4, r4, r0, r2\n"
    "  smmla r6, r6, r0, r2\n"
    "  smmla r8, r8, r0, r2\n"
    "  .else\n"
    "  asr r12, r4, #31\n"
    "  asr lr, r6, #31\n"
    "  add r12, r2, r12, lsl #7\n"
    "  add lr, r2, lr, lsl #7\n"
    "  smmla r4, r4, r0, r12\n"
    "  asr r12, r8, #31\n"
    "  smmla r6, r6, r0, lr\n"
    "  add r12, r2, r12, lsl #7\n"
    "  smmla r8, r8, r0, r12\n"
    "  .endif\n"
    "  asr r4, r4, r3\n"
    "  asr r6, r6, r3\n"
    "  asr r8, r8, r3\n"
    "  ssat r4, #8, r4\n"
    "  ssat r6, #8, r6\n"
    "  ssat r8, #8, r8\n"
    "  bfi r5, r4, #8, #8\n"
    "  bfi r7, r6, #8, #8\n"
    "  bfi r9, r8, #8, #8\n"
    "  ldm sp, {r0, r2, r12, lr}\n"
    "  add r4, lr, r12\n"
    "  add r6, r4, r12\n"
    "  strh r5, [lr], #2\n"
    "  strh r7, [r4]\n"
    "  strh r9, [r6]\n"
    "  str lr, [sp, #12]\n"
    "  cmp r1, r2\n"
    "  bne 3b\n"
    "  .if \\G\n"                        /* the M33's blocks: the block's next group of three */
    "  MCUSIM_PW_NEXT_BLOCK_GROUP \\N8, 3\n"
    "  .else\n"
    "  add sp, sp, #20\n"
    "  .endif\n"
    "  pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    "  .endm\n"
    /* mcusim_mm4x2_rqm_s16 / mcusim_mm3x2_rqm_s16 (npx = 4, 3): r0 cols, r1 records, r2 args
     * {n8 (a multiple of 4), pairs, out_c, activation minimum}, r3 out; z as MCUSIM_PW_FN */
    "  .macro MCUSIM_PWM_FN NPX, N8=0, OC=0, G=0\n"
    "  .if \\G && \\NPX == 3\n"           /* as MCUSIM_PW3_FN's block groups (the M33) */
    "  MCUSIM_PW_PROLOGUE 4, 32\n"
    "  ldr r12, [r2, #16]\n"
    "  str r12, [sp, #20]\n"
    "  sub r12, r1, #4\n"
    "  str r12, [sp, #24]\n"
    "  str r3, [sp, #28]\n"
    "  .elseif \\G\n"                    /* as MCUSIM_PW_FN's w loops */
    "  MCUSIM_PW_PROLOGUE 4, 40\n"
    "  ldr r12, [r2, #16]\n"
    "  str r12, [sp, #20]\n"
    "  sub r12, r1, #4\n"
    "  str r12, [sp, #24]\n"
    "  str r3, [sp, #28]\n"
    "  ldr r12, [r2, #20]\n"
    "  str r12, [sp, #32]\n"
    "  .else\n"
    "  MCUSIM_PW_PROLOGUE 4\n"
    "  .endif\n"
    "  add r11, r0, r4, lsl #6\n"
    "  .if \\NPX == 4\n"
    "  sub r11, r11, #4\n"
    "  str r11, [sp, #16]\n"              /* where r0 ends */
    "  .else\n"
    "  sub r11, r11, #8\n"                /* kept in r11 */
    "  .endif\n"
    "  adds r3, r4, #2\n"                 /* records of 16 (n8 + 2) bytes */
    "  mul r3, r3, r5\n"
    "  add r3, r1, r3, lsl #4\n"
    "  subs r3, r3, #4\n"
    "  str r3, [sp, #4]\n"
    "  subs r1, r1, #4\n"
    "  cmp r7, r8\n"
    "  bge 20f\n"
    "  .if \\NPX == 4\n"
    "  MCUSIM_PWM_RECORDS 0, \\N8, \\OC, \\G\n"
    "20:\n"
    "  MCUSIM_PWM_RECORDS 1, \\N8, \\OC, \\G\n"
    "  .else\n"
    "  MCUSIM_PWM3_RECORDS 0, \\N8, \\G\n"
    "20:\n"
    "  MCUSIM_PWM3_RECORDS 1, \\N8, \\G\n"
    "  .endif\n"
    "  .endm\n"
    MCUSIM_ASM_FUNC(mcusim_mm4x2_rqm_s16)
    "  MCUSIM_PWM_FN 4\n"
    MCUSIM_ASM_END(mcusim_mm4x2_rqm_s16)
    MCUSIM_ASM_FUNC(mcusim_mm4x2_rqm64_s16)
    "  MCUSIM_PWM_FN 4, 8\n"
    MCUSIM_ASM_END(mcusim_mm4x2_rqm64_s16)
    MCUSIM_ASM_FUNC(mcusim_mm4x2_rqm128_s16)
    "  MCUSIM_PWM_FN 4, 16\n"
    MCUSIM_ASM_END(mcusim_mm4x2_rqm128_s16)
#if defined(__ARM_ARCH_8M_MAIN__)
    /* a group of four on merged records in a loop of 128 elements (the M33's 3x3 256 -> 256,
     * split 4 + 4 + 1: mcusim_convolve_1x1_fast_blk_m_s8; 256 straight, 7 KB, would pass the
     * 8 KB ICACHE with the one-pixel loop) */
    MCUSIM_ASM_FUNC(mcusim_mm4x2_rqm256_s16)
    "  MCUSIM_PWM_FN 4, -32\n"
    MCUSIM_ASM_END(mcusim_mm4x2_rqm256_s16)
    /* the same and 128 inputs with the outputs at immediates (VWW's 256 channels) */
    MCUSIM_ASM_FUNC(mcusim_mm4x2_rqm256o256_s16)
    "  MCUSIM_PWM_FN 4, -32, 256\n"
    MCUSIM_ASM_END(mcusim_mm4x2_rqm256o256_s16)
    MCUSIM_ASM_FUNC(mcusim_mm4x2_rqm128o256_s16)
    "  MCUSIM_PWM_FN 4, 16, 256\n"
    MCUSIM_ASM_END(mcusim_mm4x2_rqm128o256_s16)
#endif
    MCUSIM_ASM_FUNC(mcusim_mm4x2_rqm128o128_s16)
    "  MCUSIM_PWM_FN 4, 16, 128\n"
    MCUSIM_ASM_END(mcusim_mm4x2_rqm128o128_s16)
    MCUSIM_ASM_FUNC(mcusim_mm4x2_rqm128o128w_s16)
    "  MCUSIM_PWM_FN 4, 16, 128, 1\n"
    MCUSIM_ASM_END(mcusim_mm4x2_rqm128o128w_s16)
    /* KWS's 64 -> 64 and VWW's 64 -> 128 (merged, out_c known; no w loop for them: KWS on
     * the M4 would pass its flash budget for ~13k cycles) */
    MCUSIM_ASM_FUNC(mcusim_mm4x2_rqm64o64_s16)
    "  MCUSIM_PWM_FN 4, 8, 64\n"
    MCUSIM_ASM_END(mcusim_mm4x2_rqm64o64_s16)
    MCUSIM_ASM_FUNC(mcusim_mm4x2_rqm64o128_s16)
    "  MCUSIM_PWM_FN 4, 8, 128\n"
    MCUSIM_ASM_END(mcusim_mm4x2_rqm64o128_s16)
    MCUSIM_ASM_FUNC(mcusim_mm4x2_rqm64x2_s16)
    "  MCUSIM_PW_X2_ENTRY 512\n"
    "  MCUSIM_PWM_RECORDS2 0\n"
    "20:\n"
    "  MCUSIM_PWM_RECORDS2 1\n"
    MCUSIM_ASM_END(mcusim_mm4x2_rqm64x2_s16)
    MCUSIM_ASM_FUNC(mcusim_mm4x2_rqm64o64x2_s16)
    "  MCUSIM_PW_X2_ENTRY 512\n"
    "  MCUSIM_PWM_RECORDS2 0, 64\n"
    "20:\n"
    "  MCUSIM_PWM_RECORDS2 1, 64\n"
    MCUSIM_ASM_END(mcusim_mm4x2_rqm64o64x2_s16)
    MCUSIM_ASM_FUNC(mcusim_mm4x2_rqm64o128x2_s16)   /* VWW's 6x6 64 -> 128 */
    "  MCUSIM_PW_X2_ENTRY 512\n"
    "  MCUSIM_PWM_RECORDS2 0, 128\n"
    "20:\n"
    "  MCUSIM_PWM_RECORDS2 1, 128\n"
    MCUSIM_ASM_END(mcusim_mm4x2_rqm64o128x2_s16)
    "  .purgem MCUSIM_PWM_RECORDS2\n"
    "  .purgem MCUSIM_PWM_BODY\n"
    "  .purgem MCUSIM_PW_X2_ENTRY\n"
    MCUSIM_ASM_FUNC(mcusim_mm3x2_rqm_s16)
    "  MCUSIM_PWM_FN 3\n"
    MCUSIM_ASM_END(mcusim_mm3x2_rqm_s16)
    MCUSIM_ASM_FUNC(mcusim_mm3x2_rqm128_s16)
    "  MCUSIM_PWM_FN 3, 16\n"
    MCUSIM_ASM_END(mcusim_mm3x2_rqm128_s16)
    MCUSIM_ASM_FUNC(mcusim_mm3x2_rqm256_s16)
    "  MCUSIM_PWM_FN 3, 32\n"
    MCUSIM_ASM_END(mcusim_mm3x2_rqm256_s16)
#if defined(__ARM_ARCH_8M_MAIN__)
    /* every group of three of a block in one call on merged records (the M33's 3x3 maps,
     * mcusim_convolve_1x1_fast_blk_m_s8): args {n8, pairs, out_c, minimum, groups}, as
     * mcusim_mm3x2_rqh128g_s16; half the flash lines of its int16 records per block */
    MCUSIM_ASM_FUNC(mcusim_mm3x2_rqm128g_s16)
    "  MCUSIM_PWM_FN 3, 16, 0, 1\n"
    MCUSIM_ASM_END(mcusim_mm3x2_rqm128g_s16)
    MCUSIM_ASM_FUNC(mcusim_mm3x2_rqm256g_s16)
    "  MCUSIM_PWM_FN 3, 32, 0, 1\n"
    MCUSIM_ASM_END(mcusim_mm3x2_rqm256g_s16)
    /* one pixel against four merged records at a time (the M33's 3x3 maps split 4 + 4 + 1:
     * mcusim_convolve_1x1_fast_blk_m_s8): per step the pixel's column word once, and per record
     * its weight word, one SXTB16 and two SMLADs (17 cycles per 16 MACs, against the 3 x 2
     * block's 11 per 12 for the ninth pixel of three groups of three). r0 cols (the pixel's
     * words 16 bytes apart, as in a group's slot), r1 records (16 (n8 + 2) bytes each), r2 args
     * {n8, pairs (a multiple of 4), out_c, minimum}, r3 out; acc_h of record k in r4 + 2k,
     * acc_c in r5 + 2k; z as MCUSIM_PW_FN. */
    "  .macro MCUSIM_PWM1_STEP S, R, D=0\n"   /* r1 = the first record + D */
    "  ldr r2, [r0, #(16 * \\S)]\n"
    "  ldr r3, [r1, #(8 + 4 * \\S + \\D)]\n"
    "  ldr r12, [r1, #(\\R + 8 + 4 * \\S + \\D)]\n"
    "  sxtb16 lr, r3\n"
    "  smlad r4, r2, r3, r4\n"
    "  smlad r5, r2, lr, r5\n"
    "  ldr r3, [r1, #(2 * \\R + 8 + 4 * \\S + \\D)]\n"
    "  sxtb16 lr, r12\n"
    "  smlad r6, r2, r12, r6\n"
    "  smlad r7, r2, lr, r7\n"
    "  ldr r12, [r1, #(3 * \\R + 8 + 4 * \\S + \\D)]\n"
    "  sxtb16 lr, r3\n"
    "  smlad r8, r2, r3, r8\n"
    "  smlad r9, r2, lr, r9\n"
    "  sxtb16 lr, r12\n"
    "  smlad r10, r2, r12, r10\n"
    "  smlad r11, r2, lr, r11\n"
    "  .endm\n"
    /* record K's two channels from acc_h H, acc_c C (its constants at Q: m, A, r of c, then
     * m, 128 A + 64, r + 7 of c + 1, as MCUSIM_PW_RQ and MCUSIM_PWM_RQB); C ends with both
     * outputs (c in the low byte) */
    "  .macro MCUSIM_PWM1_RQ H, C, Q, Z\n"
    "  sub \\H, \\H, \\C\n"
    "  add \\C, \\C, \\C\n"
    "  ldr r0, [r1, #\\Q]\n"
    "  ldr r2, [r1, #\\Q+4]\n"
    "  ldr r3, [r1, #\\Q+8]\n"
    "  .if \\Z\n"
    "  smmlar \\C, \\C, r0, r2\n"
    "  .else\n"
    "  sub r12, r2, \\C, lsr #31\n"
    "  smmlar \\C, \\C, r0, r12\n"
    "  .endif\n"
    "  ldr r0, [r1, #\\Q+12]\n"
    "  ldr r2, [r1, #\\Q+16]\n"
    "  asr \\C, \\C, r3\n"
    "  ldr r3, [r1, #\\Q+20]\n"
    "  .if \\Z\n"
    "  smmla \\H, \\H, r0, r2\n"
    "  .else\n"
    "  asr r12, \\H, #31\n"
    "  add r12, r2, r12, lsl #7\n"
    "  smmla \\H, \\H, r0, r12\n"
    "  .endif\n"
    "  ssat \\C, #8, \\C\n"
    "  asr \\H, \\H, r3\n"
    "  ssat \\H, #8, \\H\n"
    "  bfi \\C, \\H, #8, #8\n"
    "  .endm\n"
    /* the steps in a loop of 32 (64 elements, 2.2 KB: straight, 256 inputs would pass the 8 KB
     * ICACHE with the 4 x 2 groups' loop, and 128 inputs measured 2.2k cycles more) */
    "  .macro MCUSIM_PWM1_RECORDS Z, N8\n"
    "  .balign 4\n"
    "3:\n"
    "  .set MCUSIM_PWR, 16 * (\\N8 + 2)\n"
    "  ldr r5, [r1]\n"                    /* b_c, b_c + 256 b_c+1 of the four records */
    "  ldr r4, [r1, #4]\n"
    "  ldr r7, [r1, #MCUSIM_PWR]\n"
    "  ldr r6, [r1, #MCUSIM_PWR + 4]\n"
    "  ldr r9, [r1, #2 * MCUSIM_PWR]\n"
    "  ldr r8, [r1, #2 * MCUSIM_PWR + 4]\n"
    "  ldr r11, [r1, #3 * MCUSIM_PWR]\n"
    "  ldr r10, [r1, #3 * MCUSIM_PWR + 4]\n"
    "  adds r1, r1, #8\n"                 /* r1: the rows of the first record */
    "11:\n"
    "  .set MCUSIM_PWS, 0\n"
    "  .rept 32\n"
    "  MCUSIM_PWM1_STEP MCUSIM_PWS, MCUSIM_PWR, -8\n"
    "  .set MCUSIM_PWS, MCUSIM_PWS + 1\n"
    "  .endr\n"
    "  ldr r2, [sp, #16]\n"               /* where r0 ends */
    "  add r0, r0, #512\n"
    "  adds r1, r1, #128\n"
    "  cmp r0, r2\n"
    "  bne 11b\n"
    "  .set MCUSIM_PWQ, 0\n"              /* r1 at the first record's rows' end */
    "  MCUSIM_PWM1_RQ r4, r5, MCUSIM_PWQ, \\Z\n"
    "  MCUSIM_PWM1_RQ r6, r7, (MCUSIM_PWR + MCUSIM_PWQ), \\Z\n"
    "  MCUSIM_PWM1_RQ r8, r9, (2 * MCUSIM_PWR + MCUSIM_PWQ), \\Z\n"
    "  MCUSIM_PWM1_RQ r10, r11, (3 * MCUSIM_PWR + MCUSIM_PWQ), \\Z\n"
    "  ldr lr, [sp, #12]\n"               /* out */
    "  ldr r2, [sp, #4]\n"                /* the records' end */
    "  add r1, r1, #(4 * MCUSIM_PWR + MCUSIM_PWQ - 8 - 16 * \\N8)\n"
    "  strh r5, [lr]\n"
    "  strh r7, [lr, #2]\n"
    "  strh r9, [lr, #4]\n"
    "  strh r11, [lr, #6]\n"
    "  add lr, lr, #8\n"
    "  str lr, [sp, #12]\n"
    "  ldr r0, [sp]\n"
    "  cmp r1, r2\n"
    "  bne 3b\n"
    "  add sp, sp, #20\n"
    "  pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    "  .endm\n"
    "  .macro MCUSIM_PWM1_FN N8\n"
    "  MCUSIM_PW_PROLOGUE 4\n"
    "  adds r3, r4, #2\n"                 /* records of 16 (n8 + 2) bytes */
    "  mul r3, r3, r5\n"
    "  add r3, r1, r3, lsl #4\n"
    "  str r3, [sp, #4]\n"
    "  add r3, r0, r4, lsl #6\n"          /* the pixel's words end */
    "  str r3, [sp, #16]\n"
    "  cmp r7, r8\n"
    "  bge 20f\n"
    "  MCUSIM_PWM1_RECORDS 0, \\N8\n"
    "20:\n"
    "  MCUSIM_PWM1_RECORDS 1, \\N8\n"
    "  .endm\n"
    MCUSIM_ASM_FUNC(mcusim_mm1x8_rqm128_s16)
    "  MCUSIM_PWM1_FN 16\n"
    MCUSIM_ASM_END(mcusim_mm1x8_rqm128_s16)
    MCUSIM_ASM_FUNC(mcusim_mm1x8_rqm256_s16)
    "  MCUSIM_PWM1_FN 32\n"
    MCUSIM_ASM_END(mcusim_mm1x8_rqm256_s16)
    "  .purgem MCUSIM_PWM1_FN\n"
    "  .purgem MCUSIM_PWM1_RECORDS\n"
    "  .purgem MCUSIM_PWM1_RQ\n"
    "  .purgem MCUSIM_PWM1_STEP\n"
#endif
    "  .purgem MCUSIM_PWM_FN\n"
    "  .purgem MCUSIM_PWM3_RECORDS\n"
    "  .purgem MCUSIM_PWM3_KP\n"
    "  .purgem MCUSIM_PWM_RECORDS\n"
    "  .purgem MCUSIM_PWM_KP_LAST\n"
    "  .purgem MCUSIM_PWM_KP\n"
    "  .purgem MCUSIM_PWM_RQB\n"
    /* the entry mcusim_mat_mult_packed_s8.c calls: by n8 (args[0]), the generic loops only:
     * the straight-line 64/128 loops and their out_c forms are named per layer in tables
     * (mcusim_pw_loops, the M33's mcusim_pw_block_loops), so other builds do not link them */
    /* n words (a multiple of 8, n > 0) of records from src (r1) to dst (r0): 8 per LDM/STM pair,
     * one flash line of the ART per LDM, two pairs per loop test (an odd eight first) */
    MCUSIM_ASM_FUNC(mcusim_pw_copy8)
    "  push {r4, r5, r6, r7, r8, r9}\n"
    "  add r2, r1, r2, lsl #2\n"
    "  eor r12, r1, r2\n"                 /* bit 5 of the length: an odd count of eights */
    "  tst r12, #32\n"
    "  beq 1f\n"
    "  ldmia r1!, {r3, r4, r5, r6, r7, r8, r9, r12}\n"
    "  stmia r0!, {r3, r4, r5, r6, r7, r8, r9, r12}\n"
    "  cmp r1, r2\n"
    "  beq 2f\n"
    "1:\n"
    "  ldmia r1!, {r3, r4, r5, r6, r7, r8, r9, r12}\n"
    "  stmia r0!, {r3, r4, r5, r6, r7, r8, r9, r12}\n"
    "  ldmia r1!, {r3, r4, r5, r6, r7, r8, r9, r12}\n"
    "  stmia r0!, {r3, r4, r5, r6, r7, r8, r9, r12}\n"
    "  cmp r1, r2\n"
    "  bne 1b\n"
    "2:\n"
    "  pop {r4, r5, r6, r7, r8, r9}\n"
    "  bx lr\n"
    MCUSIM_ASM_END(mcusim_pw_copy8)
    MCUSIM_ASM_FUNC(mcusim_mm4x2_pw_s16)
    "  ldr r12, [r2]\n"
    "  tst r12, #3\n"
    "  bne.w mcusim_mm4x2_rq_s16\n"
    "  cmp r12, #4\n"
    "  beq.w mcusim_mm4x2_rqh32_s16\n"
    "  b.w mcusim_mm4x2_rqh_s16\n"
    MCUSIM_ASM_END(mcusim_mm4x2_pw_s16)
#if defined(__ARM_ARCH_8M_MAIN__)
    /* every group of a block in one call (the M33's blocks, mcusim_mat_mult_packed_groups_pw_s8):
     * args {n8, pairs, out_c, minimum, groups}, the groups' columns 8 depth bytes apart and
     * their outputs 4 out_c apart; after the last group the records start over for the next
     * (no C loop, dispatch, prologue and epilogue per group; placed last so the other loops
     * keep their addresses in the M33's 2-way cache); the layers name them in their
     * mcusim_pw_block_loops (conv_2d._pw_block_loops), each returns 1 in r0 */
#define MCUSIM_PW_FN_G(NAME, N8, OC)                                                               \
    MCUSIM_ASM_FUNC(NAME)                                                                          \
    "  MCUSIM_PW_FN " #N8 ", " #OC ", 1\n"                                                        \
    MCUSIM_ASM_END(NAME)
    MCUSIM_PW_FN_G(mcusim_mm4x2_rqh64g_s16, 8, 0)
    MCUSIM_PW_FN_G(mcusim_mm4x2_rqh64o64g_s16, 8, 64)
    MCUSIM_PW_FN_G(mcusim_mm4x2_rqh64o128g_s16, 8, 128)
    MCUSIM_PW_FN_G(mcusim_mm4x2_rqh128g_s16, 16, 0)
    MCUSIM_PW_FN_G(mcusim_mm4x2_rqh128o128g_s16, 16, 128)
#undef MCUSIM_PW_FN_G
    MCUSIM_ASM_FUNC(mcusim_mm3x2_rqh128g_s16)
    "  MCUSIM_PW3_FN 16, 1\n"
    MCUSIM_ASM_END(mcusim_mm3x2_rqh128g_s16)
    MCUSIM_ASM_FUNC(mcusim_mm3x2_rqh256g_s16)
    "  MCUSIM_PW3_FN 32, 1\n"
    MCUSIM_ASM_END(mcusim_mm3x2_rqh256g_s16)
#endif
    "  .purgem MCUSIM_PW3_RECORDS\n"
    "  .purgem MCUSIM_PW3_KP\n"
    "  .purgem MCUSIM_PW_FN\n"
    "  .purgem MCUSIM_PW_RECORDS\n"
    "  .purgem MCUSIM_PW_STORE_OC\n"
    "  .purgem MCUSIM_PW_WIDEN4\n"
    "  .purgem MCUSIM_PW_NEXT_GROUP\n"
    "  .purgem MCUSIM_PW_NEXT_BLOCK_GROUP\n"
    "  .purgem MCUSIM_PW3_FN\n"
    "  .purgem MCUSIM_PW_ZP\n"
    "  .purgem MCUSIM_PW_PROLOGUE\n"
    "  .purgem MCUSIM_PW_RQ\n"
    "  .purgem MCUSIM_PW_RQP\n"
    "  .purgem MCUSIM_PW_STEPS\n"
    "  .purgem MCUSIM_PW_STRAIGHT\n"
    "  .purgem MCUSIM_PW_KP_BIAS\n"
    "  .purgem MCUSIM_PW_KP_FIRST\n"
    "  .purgem MCUSIM_PW_KP\n");

/* the record loops above: declared in mcusim_nn.h (mcusim_pw_loops) */
#undef MCUSIM_PW_PRE_TEST
#undef MCUSIM_PW_PRE_BODY
#undef MCUSIM_PW_PRE_ENTRY
#undef MCUSIM_PW3_PRE_BODY
#endif

#if MCUSIM_DSP
/* n int8 outputs clamped to [lo, hi] when that is narrower than SSAT's int8 (lo4, hi4: the bounds
 * in four lanes; n even), four lanes at a time: SSUB8 sets GE where the lane is >= the bound,
 * SEL picks */
MCUSIM_INLINE void mcusim_pw_clamp(int8_t *out, int32_t n, int32_t lo, int32_t hi, int32_t lo4,
                                   int32_t hi4)
{
    if (lo > -128 || hi < 127) {
        int32_t i = 0;
        for (; i + 4 <= n; i += 4) {
            int32_t v;
            __builtin_memcpy(&v, out + i, 4);
            (void)__ssub8(v, lo4);
            v = (int32_t)__sel((uint32_t)v, (uint32_t)lo4);
            (void)__ssub8(hi4, v);
            v = (int32_t)__sel((uint32_t)v, (uint32_t)hi4);
            __builtin_memcpy(out + i, &v, 4);
        }
        for (; i < n; i++) {
            out[i] = (int8_t)(out[i] < lo ? lo : (out[i] > hi ? hi : out[i]));
        }
    }
}
#endif

/* A 1x1 stride-1 layer with input channels a multiple of 32 and even output channels, in groups
 * of four pixels (three at the end, as mcusim_convolve_1x1_fast_s8: at least 9 pixels or a
 * multiple of 4), each gathered into the column scratch and run straight against the record
 * loops above (no per-group dispatch through mcusim_mat_mult_packed_s8); merged: the records
 * of conv_pack.records_merged, else those of conv_pack.records. */
static mcusim_status mcusim_pw_layer(void *buffer, const mcusim_conv_params *params,
                                     const mcusim_dims *input_dims, const int8_t *input,
                                     const mcusim_dims *filter_dims, const int32_t *packed,
                                     const mcusim_dims *output_dims, int8_t *output,
                                     int32_t merged, int32_t twice, int32_t copy,
                                     const mcusim_pw_loops *loops)
{
    const int32_t in_c = input_dims->c, out_c = output_dims->c;
    const int32_t total = input_dims->n * output_dims->h * output_dims->w;
    const int32_t n3 = (4 - (total & 3)) & 3;   /* groups of three at the end (as _fast_s8) */
    if (buffer == 0 || filter_dims->h != 1 || filter_dims->w != 1 || filter_dims->c != in_c ||
        params->padding.h != 0 || params->padding.w != 0 || params->stride.h != 1 ||
        params->stride.w != 1 || params->input_offset != 0 || (in_c & 31) || (out_c & 1) ||
        (n3 && total < 9)) {
        return MCUSIM_ARG_ERROR;
    }
#if MCUSIM_DSP
    if (loops == 0 || loops->four == 0 || loops->three == 0 || (twice && loops->eight == 0)) {
        return MCUSIM_ARG_ERROR;
    }
#else
    (void)twice;
    (void)loops;
    if (!merged) {      /* the same records: the C loops of mcusim_mat_mult_packed_s8.c */
        return mcusim_convolve_1x1_fast_s8(buffer, params, input_dims, input, filter_dims,
                                           packed, output_dims, output);
    }
#endif
    const int32_t lo = params->activation.min, hi = params->activation.max;
    const int32_t depth = in_c, fours = total - 3 * n3;
    int16_t *cols = (int16_t *)buffer;
    if (copy) {         /* the records after the columns: no flash wait states per group */
        int32_t *dst = (int32_t *)buffer + (twice ? 4 : 2) * depth;
        const int32_t words = (out_c >> 1) *
            (merged ? depth / 2 + MCUSIM_PW_MERGED_EXTRA : depth + 8);
#if MCUSIM_DSP
        mcusim_pw_copy8(dst, packed, words);    /* words: a multiple of 8 (depth of 32) */
        packed = dst;
#else
        packed = mcusim_copy_records(dst, packed, words);
#endif
    }
#if MCUSIM_DSP
    const int32_t args[4] = {depth >> 3, out_c >> 1, out_c, lo};
    const int32_t wargs[4] = {in_c >> 2, 0, 4 - 8 * in_c, 0};
    const int32_t lo4 = (int32_t)(((uint32_t)lo & 0xFFu) * 0x01010101u);
    const int32_t hi4 = (int32_t)(((uint32_t)hi & 0xFFu) * 0x01010101u);
    const mcusim_pw_loop four = loops->four, three = loops->three;
#endif
    int32_t start = 0;
#if MCUSIM_DSP
    if (!twice && loops->eight != 0 && fours >= 4) {
        /* every group of four in one call, which widens each next one (`eight` without twice) */
        const int32_t gargs[7] = {depth >> 3, out_c >> 1, out_c, lo, fours >> 2,
                                  (int32_t)(uintptr_t)(input + 4 * in_c),
                                  (int32_t)(uintptr_t)wargs};
        mcusim_widen_runs_s8((int32_t *)cols, input, 4, wargs);
        loops->eight(cols, packed, gargs, output);
        mcusim_pw_clamp(output, fours * out_c, lo, hi, lo4, hi4);
        start = fours;
    }
    if (twice) {        /* pairs of groups of four per record pass (160-byte records) */
        for (; start + 8 <= fours; start += 8) {
            mcusim_widen_runs_s8((int32_t *)cols, input + start * in_c, 4, wargs);
            mcusim_widen_runs_s8((int32_t *)cols + 2 * in_c, input + (start + 4) * in_c, 4,
                                 wargs);
            loops->eight(
                cols, packed, args, output + start * out_c);
            mcusim_pw_clamp(output + start * out_c, 8 * out_c, lo, hi, lo4, hi4);
        }
    }
#endif
    for (int32_t first = start, npx = 4; first < total; first += npx) {
        npx = first < fours ? 4 : 3;
        int8_t *out = output + first * out_c;
#if MCUSIM_DSP
        mcusim_widen_runs_s8((int32_t *)cols, input + first * in_c, npx, wargs);
        (npx == 4 ? four : three)(cols, packed, args, out);
        mcusim_pw_clamp(out, npx * out_c, lo, hi, lo4, hi4);
#else
        /* the layout spelled out: per pair of channels c (low byte) and c + 1, h = 256 w_c+1 +
         * w_c, its low byte w_c; the sum over h is 256 acc_c+1 + acc_c (modulo 2^32) */
        for (int32_t p = 0; p < npx; p++) {
            const int8_t *x = input + (first + p) * in_c;
            const int32_t *rec = packed;
            for (int32_t oc = 0; oc < out_c;
                 oc += 2, rec += depth / 2 + MCUSIM_PW_MERGED_EXTRA) {
                const int16_t *h = (const int16_t *)(rec + 2);
                uint32_t acc_h = (uint32_t)rec[1];
                int32_t acc_c = rec[0];
                for (int32_t k = 0; k < depth; k++) {
                    /* element k = 4q + 2 hh + j: word 2q + j, halfword hh */
                    const int16_t hk = h[2 * (2 * (k >> 2) + (k & 1)) + ((k >> 1) & 1)];
                    acc_h += (uint32_t)(x[k] * hk);
                    acc_c += x[k] * (int8_t)(hk & 0xFF);
                }
                const int32_t *q = rec + 2 + depth / 2;
                /* channel c + 1 from x = 256 acc_c+1: SMMLA(x, m, A' - 128 [x < 0]) >> r' */
                const int32_t x = (int32_t)(acc_h - (uint32_t)acc_c);
                const int64_t t = (int64_t)((uint64_t)(uint32_t)(q[4] - (x < 0 ? 128 : 0)) << 32)
                                  + (int64_t)x * q[3];
                int32_t v[2] = {mcusim_requant_smmlar(2 * acc_c, q[0], q[1], q[2]),
                                (int32_t)(t >> 32) >> q[5]};
                for (int32_t c = 0; c < 2; c++) {
                    v[c] = v[c] < lo ? lo : (v[c] > hi ? hi : v[c]);
                    out[p * out_c + oc + c] = (int8_t)v[c];
                }
            }
        }
        (void)cols;
#endif
    }
    return MCUSIM_OK;
}

/* the layers' entry points: mcusim_pw_layer on merged (MERGED) or int16 records, two groups per
 * record pass (PAIR) or one, the records copied into the scratch first (COPY); C: the input
 * channels the entry takes (0: any) */
#define MCUSIM_PW_ENTRY(NAME, C, MERGED, PAIR, COPY)                                               \
    mcusim_status NAME(void *buffer, const mcusim_conv_params *params,                             \
                       const mcusim_dims *input_dims, const int8_t *input,                         \
                       const mcusim_dims *filter_dims, const int32_t *packed,                      \
                       const mcusim_dims *output_dims, int8_t *output,                             \
                       const mcusim_pw_loops *loops)                                               \
    {                                                                                              \
        if (C != 0 && input_dims->c != C) {                                                        \
            return MCUSIM_ARG_ERROR;                                                               \
        }                                                                                          \
        return mcusim_pw_layer(buffer, params, input_dims, input, filter_dims, packed,             \
                               output_dims, output, MERGED, PAIR, COPY, loops);                    \
    }
MCUSIM_PW_ENTRY(mcusim_convolve_1x1_fast_m_s8, 0, 1, 0, 0)
MCUSIM_PW_ENTRY(mcusim_convolve_1x1_fast_pw_s8, 0, 0, 0, 0)
/* the same with the records copied into the scratch after one group's columns (the compiler's
 * choice on the Cortex-M4 where the arena does not grow: its ART's 256-byte data cache re-reads
 * every record from flash for every group of pixels otherwise) */
MCUSIM_PW_ENTRY(mcusim_convolve_1x1_fast_mc_s8, 0, 1, 0, 1)
MCUSIM_PW_ENTRY(mcusim_convolve_1x1_fast_pwc_s8, 0, 0, 0, 1)
/* The same with 32 input channels and scratch for two groups' columns (512 bytes): pairs of
 * groups of four against each record (mcusim_mm4x2_rqh32x2_s16), the compiler's choice on the
 * Cortex-M4, whose 256-byte data cache holds one 160-byte record between the two */
/* ... and on merged records of 64 input channels (160 bytes too; scratch 1 KB) */
MCUSIM_PW_ENTRY(mcusim_convolve_1x1_fast_m2_s8, 64, 1, 1, 0)
MCUSIM_PW_ENTRY(mcusim_convolve_1x1_fast_pw2_s8, 32, 0, 1, 0)
#undef MCUSIM_PW_ENTRY

/* 1x1 stride 1 on merged records (conv_pack.records_merged) in blocks of block_pairs records,
 * the compiler's choice on the Cortex-M33 for VWW's 3x3 maps (9 pixels, 128 or 256 inputs): the
 * three groups of three widened into the scratch (`groups` column slots of four pixels: up to
 * that many per pass), then per block every group of the pass in one call (loops->threes,
 * mcusim_mm3x2_rqm128g_s16 / _rqm256g_s16). A block is read from flash once per pass (VWW: one
 * pass of three groups), and a merged record has half the flash lines of an int16 one (the
 * blocks' reads from flash are compulsory: 135 KB of int16 records for 256 -> 256). Other
 * pixel counts, and builds without the DSP extension, run mcusim_pw_layer on the same records
 * (loops->four, loops->three: merged loops). The loops have the input count built in
 * (records' stride, straight steps): an in_c other than the table's (loops->in_c,
 * MCUSIM_PW_BLOCK_LOOPS_M) is refused with MCUSIM_ARG_ERROR, one test per call. */
mcusim_status mcusim_convolve_1x1_fast_blk_m_s8(void *buffer, int32_t groups, int32_t block_pairs,
                                                const mcusim_conv_params *params,
                                                const mcusim_dims *input_dims,
                                                const int8_t *input,
                                                const mcusim_dims *filter_dims,
                                                const int32_t *packed,
                                                const mcusim_dims *output_dims, int8_t *output,
                                                const mcusim_pw_block_loops *loops)
{
    const mcusim_pw_loops one = {loops != 0 ? loops->four : 0, loops != 0 ? loops->three : 0, 0};
#if MCUSIM_DSP
    const int32_t in_c = input_dims->c, out_c = output_dims->c;
    const int32_t total = input_dims->n * output_dims->h * output_dims->w;
    if (loops != 0 && loops->in_c != in_c) {    /* the named loops have another count built in */
        return MCUSIM_ARG_ERROR;
    }
    const int shape_ok = loops != 0 && total == 9 && groups >= 1 && block_pairs > 0 &&
        buffer != 0 && filter_dims->h == 1 && filter_dims->w == 1 && filter_dims->c == in_c &&
        params->padding.h == 0 && params->padding.w == 0 && params->stride.h == 1 &&
        params->stride.w == 1 && params->input_offset == 0 && !(in_c & 31) && !(out_c & 1);
    const int split = shape_ok && loops->one != 0 && loops->four != 0 && groups >= 3 &&
        !(out_c & 7) && !(block_pairs & 3);
    if (split || (shape_ok && loops->threes != 0)) {
        const int32_t lo = params->activation.min, hi = params->activation.max;
        const int32_t wargs[4] = {in_c >> 2, 0, 4 - 8 * in_c, 0};
        const int32_t pairs = out_c >> 1, words = in_c / 2 + MCUSIM_PW_MERGED_EXTRA;
        int32_t *cols = (int32_t *)buffer;
        if (split) {
            /* 4 + 4 + 1: two groups of four (14 cycles per 16 MACs against the 3 x 2 block's
             * 11 per 12) and the ninth pixel against four records at a time (loops->one) */
            mcusim_widen_runs_s8(cols, input, 4, wargs);
            mcusim_widen_runs_s8(cols + 2 * in_c, input + 4 * in_c, 4, wargs);
            mcusim_widen_runs_s8(cols + 4 * in_c, input + 8 * in_c, 1, wargs);
            for (int32_t p0 = 0; p0 < pairs; p0 += block_pairs) {
                const int32_t args[4] = {in_c >> 3, pairs - p0 < block_pairs ? pairs - p0
                                                                            : block_pairs,
                                         out_c, lo};
                const int32_t *rec = packed + p0 * words;
                loops->four((const int16_t *)cols, rec, args, output + 2 * p0);
                loops->four((const int16_t *)(cols + 2 * in_c), rec, args,
                            output + 4 * out_c + 2 * p0);
                loops->one((const int16_t *)(cols + 4 * in_c), rec, args,
                           output + 8 * out_c + 2 * p0);
            }
        } else {
            for (int32_t g0 = 0; g0 < 3; g0 += groups) {   /* passes of up to `groups` groups */
                const int32_t ng = 3 - g0 < groups ? 3 - g0 : groups;
                for (int32_t g = 0; g < ng; g++) {          /* group g0 + g: its three pixels */
                    mcusim_widen_runs_s8(cols + 2 * in_c * g, input + 3 * (g0 + g) * in_c, 3,
                                         wargs);
                }
                for (int32_t p0 = 0; p0 < pairs; p0 += block_pairs) {
                    const int32_t args[5] = {in_c >> 3, pairs - p0 < block_pairs ? pairs - p0
                                                                                 : block_pairs,
                                             out_c, lo, ng};
                    loops->threes((const int16_t *)cols, packed + p0 * words, args,
                                  output + 3 * g0 * out_c + 2 * p0);
                }
            }
        }
        mcusim_pw_clamp(output, 9 * out_c, lo, hi,
                        (int32_t)(((uint32_t)lo & 0xFFu) * 0x01010101u),
                        (int32_t)(((uint32_t)hi & 0xFFu) * 0x01010101u));
        return MCUSIM_OK;
    }
#else
    (void)groups;
    (void)block_pairs;
#endif
    return mcusim_pw_layer(buffer, params, input_dims, input, filter_dims, packed, output_dims,
                           output, 1, 0, 0, &one);
}
