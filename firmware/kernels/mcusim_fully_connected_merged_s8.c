/* FULLY_CONNECTED on DSP cores with two rows merged into each int16 lane (sim/mcusim/compiler/
 * ops/fc_pack.py, pack_merged; in place of the int8 filter, input offset folded into the bias).
 *
 * Rows go in groups of four = two pairs (A, B). Per quad of columns k..k+3 and per pair, two
 * words: "even" holds columns k, k+2 and "odd" k+1, k+3, each column as the bytes
 * (A[c] as an unsigned byte, B[c] - [A[c] < 0]), so the halfword read as int16 is exactly
 * 256 B[c] + A[c] (the compiler refuses B = -128 with A < 0, which would not fit). With the input
 * word widened by SXTB16 into X02 = (x[k], x[k+2]) and X13 = (x[k+1], x[k+3]):
 *   SMLAD(X02, SXTB16(even)) adds A's two products, and
 *   SMLAD(X02, even) adds 256 * (B's two products) + A's two products,
 * so per weight word (4 MACs) one SXTB16 and two SMLAD instead of two and two: the pair's sums
 * are A = accA and B = (accAB - accA) / 256, exact when |B's sum| < 2^23 (the compiler checks
 * 128 * sum|B| < 2^23; the int32 sums wrap harmlessly modulo 2^32 before the subtraction).
 * Per quad of a group: 5 loads issued together (they pipeline on the M4), 6 SXTB16, 8 SMLAD:
 * 16 MACs in about 20 cycles (mcusim_fully_connected_fast_s8: 24). No scratch.
 * Requantization: with `rq` (per channel or one: m, a = 2^(r-1) + out_off 2^r, r; built when
 * |acc| < 2^30 is proven and 1 <= r <= 22) one SMMLAR + ASR per output (mcusim_requant_smmlar),
 * else mcusim_finish. The rows after the last full group are plain int8 rows after the groups;
 * every row is zero-padded to a multiple of 8 columns, and columns past the last multiple of 8
 * of accum_depth are summed in C (the input is not read past its end). */
#include "mcusim_asm_macros.h"
#include "mcusim_nn.h"
#include "mcusim_nn_support.h"

/* the columns the Cortex-M7 widens into its scratch at most (512 bytes: AD's arena + I/O stays
 * below X-CUBE-AI's 2.0 KB of activations, issue 9) */
#define MCUSIM_FC_WIDEN_MAX 256

#if MCUSIM_DSP
/* acc = {A0, AB0, A1, AB1} += the merged sums over 8 n columns: x = the int8 input row,
 * w = one group. Input word r3 widened into r8 (x0, x2) and r9 (x1, x3), weights r10-r12 and
 * lr, SXTB16 temp r3, accumulators r4-r7, x's end r2. File-scope assembly: fixed registers. */
void mcusim_fc4m_s8(const int8_t *x, const int8_t *w, int32_t n, int32_t *acc);
#define MCUSIM_FC4M_PAIR(EVEN, ODD, A, AB)                                                         \
    "  sxtb16 r3, " EVEN "\n"                                                                    \
    "  smlad " A ", r8, r3, " A "\n"                                                             \
    "  smlad " AB ", r8, " EVEN ", " AB "\n"                                                     \
    "  sxtb16 r3, " ODD "\n"                                                                     \
    "  smlad " A ", r9, r3, " A "\n"                                                             \
    "  smlad " AB ", r9, " ODD ", " AB "\n"
#define MCUSIM_FC4M_QUAD                                                                           \
    "  sxtb16 r8, r3\n"                                                                          \
    "  sxtb16 r9, r3, ror #8\n"                                                                  \
    MCUSIM_FC4M_PAIR("r10", "r11", "r4", "r5") MCUSIM_FC4M_PAIR("r12", "lr", "r6", "r7")
__asm__(
    "  .section .text.mcusim_fc4m_s8,\"ax\",%progbits\n"
    "  .syntax unified\n"
    "  .thumb\n"
    "  .balign 4\n"
    "  .global mcusim_fc4m_s8\n"
    "  .thumb_func\n"
    "  .type mcusim_fc4m_s8, %function\n"
    "mcusim_fc4m_s8:\n"
    "  push {r3, r4, r5, r6, r7, r8, r9, r10, r11, lr}\n"
    "  ldm r3, {r4, r5, r6, r7}\n"
    "  subs r0, r0, #4\n"               /* the pointers sit 4 bytes before each pass's data */
    "  subs r1, r1, #4\n"
    "  add r2, r0, r2, lsl #3\n"        /* where r0 ends */
    "  .balign 4\n"
    "1:\n"
    "  ldr r3, [r0, #4]\n"
    "  ldr r10, [r1, #4]\n"
    "  ldr r11, [r1, #8]\n"
    "  ldr r12, [r1, #12]\n"
    "  ldr lr, [r1, #16]\n"
    MCUSIM_FC4M_QUAD
    /* the writeback on each base's last load, not followed by a load from that base */
    "  ldr r10, [r1, #20]\n"
    "  ldr r11, [r1, #24]\n"
    "  ldr r12, [r1, #28]\n"
    "  ldr r3, [r0, #8]!\n"
    "  ldr lr, [r1, #32]!\n"
    MCUSIM_FC4M_QUAD
    "  cmp r0, r2\n"
    "  bne 1b\n"
    "  pop {r3}\n"
    "  stm r3, {r4, r5, r6, r7}\n"
    "  pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    "  .size mcusim_fc4m_s8, .-mcusim_fc4m_s8\n");

/* Every full group of a layer whose columns are a multiple of 8, with a bias and the SMMLAR
 * constants: the group loop, the pair separation and the requantization in assembly too, so
 * per group of four outputs only ~70 cycles go outside the column loop. The job (on the
 * caller's stack) holds the state between groups; the offsets are the assembly's. */
typedef struct {
    const int8_t *x4;       /*  0: input row - 4 */
    const int8_t *x_end;    /*  4: where the column loop's input pointer ends */
    const int8_t *w4;       /*  8: first group - 4 */
    int32_t groups;         /* 12 */
    const int32_t *bias;    /* 16: the group's four biases */
    const int32_t *rq;      /* 20: the group's first {m, a, r} */
    int32_t rq_step;        /* 24: 12 per channel, 0 per tensor */
    int8_t *out;            /* 28 */
    int32_t lo, hi;         /* 32, 36: activation range */
    int32_t full;           /* 40: 1 per tensor with the range [-128, 127] (SSAT clamps) */
    int32_t mode;           /* 44: 0-3 the 8-column blocks the M4 loop's first pass skips
                               (its passes take four), 4 the Cortex-M7 loop */
} mcusim_fc_job;
void mcusim_fc4m_layer_s8(mcusim_fc_job *job);
/* out = clamp(SMMLAR(2 acc, m, a - [acc < 0]) >> r) (mcusim_requant_smmlar); rq in r9 */
#define MCUSIM_FC4M_OUT(ACC)                                                                       \
    "  ldr r2, [r9]\n"                                                                          \
    "  ldr r3, [r9, #4]\n"                                                                      \
    "  ldr r8, [r9, #8]\n"                                                                      \
    "  add r9, r9, lr\n"                                                                        \
    "  lsls " ACC ", " ACC ", #1\n"                                                             \
    "  sub r3, r3, " ACC ", lsr #31\n"                                                          \
    "  smmlar " ACC ", " ACC ", r2, r3\n"                                                       \
    "  asr " ACC ", " ACC ", r8\n"                                                              \
    "  cmp " ACC ", r11\n"                                                                      \
    "  it lt\n"                                                                                 \
    "  movlt " ACC ", r11\n"                                                                    \
    "  cmp " ACC ", r12\n"                                                                      \
    "  it gt\n"                                                                                 \
    "  movgt " ACC ", r12\n"                                                                    \
    "  strb " ACC ", [r10], #1\n"
/* per tensor over the full int8 range: m, a, r loaded once (r2, r8, r11), SSAT as the clamp */
#define MCUSIM_FC4M_OUT8(ACC)                                                                      \
    "  lsls " ACC ", " ACC ", #1\n"                                                             \
    "  sub r3, r8, " ACC ", lsr #31\n"                                                          \
    "  smmlar " ACC ", " ACC ", r2, r3\n"                                                       \
    "  asr " ACC ", " ACC ", r11\n"                                                             \
    "  ssat " ACC ", #8, " ACC "\n"                                                             \
    "  strb " ACC ", [r10], #1\n"
/* 8 columns: two quads, both pointers moved by the writeback on their last load (a load is not
 * followed by one from the base it updates) */
#define MCUSIM_FC4M_BLOCK8                                                                         \
    "  ldr r3, [r0, #4]\n"                                                                      \
    "  ldr r10, [r1, #4]\n"                                                                     \
    "  ldr r11, [r1, #8]\n"                                                                     \
    "  ldr r12, [r1, #12]\n"                                                                    \
    "  ldr lr, [r1, #16]\n"                                                                     \
    MCUSIM_FC4M_QUAD                                                                             \
    "  ldr r10, [r1, #20]\n"                                                                    \
    "  ldr r11, [r1, #24]\n"                                                                    \
    "  ldr r12, [r1, #28]\n"                                                                    \
    "  ldr r3, [r0, #8]!\n"                                                                     \
    "  ldr lr, [r1, #32]!\n"                                                                    \
    MCUSIM_FC4M_QUAD
/* Cortex-M7: one quad with the next quad's loads issued beside its DSP instructions (the M7
 * pairs a load as the younger instruction with an SXTB16/SMLAD, which never pair with each
 * other), each a register's last use before; r1 moved by the first load's writeback. On the
 * M4 the same order costs 2 cycles per load (they pipeline only back to back). */
#define MCUSIM_FC4M_QUAD_M7                                                                        \
    "  sxtb16 r8, r3\n"                                                                         \
    "  sxtb16 r9, r3, ror #8\n"                                                                 \
    "  sxtb16 r3, r10\n"                                                                        \
    "  smlad r4, r8, r3, r4\n"                                                                  \
    "  smlad r5, r8, r10, r5\n"                                                                 \
    "  ldr r10, [r1, #16]!\n"                                                                   \
    "  sxtb16 r3, r11\n"                                                                        \
    "  smlad r4, r9, r3, r4\n"                                                                  \
    "  smlad r5, r9, r11, r5\n"                                                                 \
    "  ldr r11, [r1, #4]\n"                                                                     \
    "  sxtb16 r3, r12\n"                                                                        \
    "  smlad r6, r8, r3, r6\n"                                                                  \
    "  smlad r7, r8, r12, r7\n"                                                                 \
    "  ldr r12, [r1, #8]\n"                                                                     \
    "  sxtb16 r3, lr\n"                                                                         \
    "  smlad r6, r9, r3, r6\n"                                                                  \
    "  ldr r3, [r0, #4]!\n"                                                                     \
    "  smlad r7, r9, lr, r7\n"                                                                  \
    "  ldr lr, [r1, #12]\n"
/* Cortex-M7 with the input widened once per row into the scratch (X02, X13 per quad):
 * per quad 12 DSP instructions (4 SXTB16, each in place on its weight word after the SMLAD that
 * takes the word raw, and 8 SMLAD) with the six loads, the loop's compare and its branch issued
 * beside them as younger ops: 16 MACs in 12 cycles (the loop above: 15 with its x widening
 * pairs). A quad's X13 and o1 load at its own first two instructions, the next quad's e0, e1,
 * X02 and o0 after their last use here. r0 the widened row, r1 the group's quad; r3 free. */
#define MCUSIM_FC4M_WQ_HEAD                                                                        \
    "  smlad r5, r8, r10, r5\n"                                                                 \
    "  ldr r9, [r0, #4]\n"                                                                      \
    "  sxtb16 r10, r10\n"                                                                       \
    "  ldr lr, [r1, #12]\n"                                                                     \
    "  smlad r4, r8, r10, r4\n"
#define MCUSIM_FC4M_WQ_REST(LD_E0, LD_E1, LD_X02, LD_O0, CMP)                                      \
    LD_E0                                                                                         \
    "  smlad r7, r8, r12, r7\n"                                                                 \
    "  sxtb16 r12, r12\n"                                                                       \
    "  smlad r6, r8, r12, r6\n"                                                                 \
    LD_E1                                                                                         \
    "  smlad r5, r9, r11, r5\n"                                                                 \
    LD_X02                                                                                        \
    "  sxtb16 r11, r11\n"                                                                       \
    "  smlad r4, r9, r11, r4\n"                                                                 \
    LD_O0                                                                                         \
    "  smlad r7, r9, lr, r7\n"                                                                  \
    "  sxtb16 lr, lr\n"                                                                         \
    CMP                                                                                           \
    "  smlad r6, r9, lr, r6\n"
__asm__(
    "  .section .text.mcusim_fc4m_layer_s8,\"ax\",%progbits\n"
    "  .syntax unified\n"
    "  .thumb\n"
    "  .balign 4\n"
    "  .global mcusim_fc4m_layer_s8\n"
    "  .thumb_func\n"
    "  .type mcusim_fc4m_layer_s8, %function\n"
    "mcusim_fc4m_layer_s8:\n"
    "  push {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n"
    "  sub sp, sp, #4\n"
    "  str r0, [sp]\n"
    "  ldr r1, [r0, #8]\n"
    "2:\n"                              /* a group: r0 the job, r1 its weights - 4 */
    "  ldr r3, [r0, #16]\n"
    "  ldr r2, [r0, #4]\n"
    "  ldr r4, [r3]\n"                  /* accA and accAB start at A's bias */
    "  ldr r6, [r3, #8]\n"
    "  ldr r3, [r0, #44]\n"
    "  ldr r0, [r0]\n"
    "  mov r5, r4\n"
    "  mov r7, r6\n"
    "  cmp r3, #3\n"                    /* blocks of 8 skipped on the first pass */
    "  bhi 6f\n"                        /* 4: the Cortex-M7 loop */
    "  beq 13f\n"
    "  cmp r3, #1\n"
    "  beq 11f\n"
    "  bhi 12f\n"
    "  .balign 4\n"
    "1:\n"                              /* 32 columns per pass */
    MCUSIM_FC4M_BLOCK8
    "11:\n"
    MCUSIM_FC4M_BLOCK8
    "12:\n"
    MCUSIM_FC4M_BLOCK8
    "13:\n"
    MCUSIM_FC4M_BLOCK8
    "  cmp r0, r2\n"
    "  bne 1b\n"
    "3:\n"
    /* B = (accAB - accA) / 256 + B's bias; then the four outputs */
    "  ldr r0, [sp]\n"
    "  ldr r2, [r0, #16]\n"
    "  ldr r3, [r2, #4]\n"
    "  ldr r8, [r2, #12]\n"
    "  ldr r9, [r0, #20]\n"
    "  ldr r10, [r0, #28]\n"
    "  ldr lr, [r0, #24]\n"
    "  adds r2, r2, #16\n"
    "  str r2, [r0, #16]\n"
    "  ldr r2, [r0, #40]\n"
    "  subs r5, r5, r4\n"
    "  add r5, r3, r5, asr #8\n"
    "  subs r7, r7, r6\n"
    "  add r7, r8, r7, asr #8\n"
    "  cmp r2, #0\n"
    "  bne 4f\n"
    "  ldr r11, [r0, #32]\n"             /* the activation range */
    "  ldr r12, [r0, #36]\n"
    MCUSIM_FC4M_OUT("r4") MCUSIM_FC4M_OUT("r5") MCUSIM_FC4M_OUT("r6") MCUSIM_FC4M_OUT("r7")
    "  b 5f\n"
    "4:\n"
    "  ldr r2, [r9]\n"
    "  ldr r8, [r9, #4]\n"
    "  ldr r11, [r9, #8]\n"
    MCUSIM_FC4M_OUT8("r4") MCUSIM_FC4M_OUT8("r5") MCUSIM_FC4M_OUT8("r6") MCUSIM_FC4M_OUT8("r7")
    "5:\n"
    "  str r9, [r0, #20]\n"
    "  str r10, [r0, #28]\n"
    "  ldr r3, [r0, #12]\n"
    "  subs r3, r3, #1\n"
    "  str r3, [r0, #12]\n"
    "  bne 2b\n"
    "  add sp, sp, #4\n"
    "  pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    /* Cortex-M7: the first quad's words loaded ahead, then per quad the next one's beside it;
     * r2 (x - 4 + 4 quads) is where x's pointer stands at the last quad, which loads nothing */
    "6:\n"
    "  adds r0, r0, #4\n"
    "  adds r1, r1, #4\n"
    "  ldr r3, [r0]\n"
    "  ldr r10, [r1]\n"
    "  ldr r11, [r1, #4]\n"
    "  ldr r12, [r1, #8]\n"
    "  ldr lr, [r1, #12]\n"
    "7:\n"
    MCUSIM_FC4M_QUAD_M7
    "  cmp r0, r2\n"
    "  bne 7b\n"
    MCUSIM_FC4M_QUAD
    "  adds r1, r1, #12\n"             /* the next group - 4, as the M4 loop leaves it */
    "  b 3b\n"
    "  .size mcusim_fc4m_layer_s8, .-mcusim_fc4m_layer_s8\n");

/* The M7 routines' requantization after the last quad, with m (r10), a (r12), r (r8), B1's
 * bias (r11) and B3's (r0) loaded: B = (accAB - accA) / 256 + B's bias; out = SSAT8(SMMLAR(2 acc,
 * m, a - [acc < 0]) >> r), interleaved over the four outputs up to the SMMLARs; then the
 * weights' end compared with r1 (the next group) and the output pointer in r9 */
#define MCUSIM_FC4M_M7_REQ                                                                         \
    "  subs r5, r5, r4\n"                                                                          \
    "  lsls r4, r4, #1\n"                                                                          \
    "  sub r9, r12, r4, lsr #31\n"                                                                 \
    "  subs r7, r7, r6\n"                                                                          \
    "  smmlar r4, r4, r10, r9\n"                                                                   \
    "  add r5, r11, r5, asr #8\n"                                                                  \
    "  lsls r6, r6, #1\n"                                                                          \
    "  lsls r5, r5, #1\n"                                                                          \
    "  sub r9, r12, r6, lsr #31\n"                                                                 \
    "  add r7, r0, r7, asr #8\n"                                                                   \
    "  smmlar r6, r6, r10, r9\n"                                                                   \
    "  sub lr, r12, r5, lsr #31\n"                                                                 \
    "  lsls r7, r7, #1\n"                                                                          \
    "  smmlar r5, r5, r10, lr\n"                                                                   \
    "  sub r9, r12, r7, lsr #31\n"                                                                 \
    "  ldr lr, [sp, #16]\n"                                                                        \
    "  smmlar r7, r7, r10, r9\n"                                                                   \
    "  ldr r9, [sp, #12]\n"                                                                        \
    "  cmp r1, lr\n"
/* the shifts, clamps and stores of the last group (the others' carry the next group's loads) */
#define MCUSIM_FC4M_M7_STORE                                                                       \
    "  asr r4, r4, r8\n"                                                                           \
    "  asr r6, r6, r8\n"                                                                           \
    "  ssat r4, #8, r4\n"                                                                          \
    "  asr r5, r5, r8\n"                                                                           \
    "  ssat r6, #8, r6\n"                                                                          \
    "  strb r4, [r9]\n"                                                                            \
    "  asr r7, r7, r8\n"                                                                           \
    "  ssat r5, #8, r5\n"                                                                          \
    "  strb r6, [r9, #2]\n"                                                                        \
    "  ssat r7, #8, r7\n"                                                                          \
    "  strb r5, [r9, #1]\n"                                                                        \
    "  strb r7, [r9, #3]\n"
/* ... and of the other groups: each store beside the SSAT that makes its byte, with r0 loaded
 * from the frame ([sp, #X]: the next group's first word of x or its widened columns), then the
 * next group's A biases (r4, r6 from r3) and first weight word (r10) as registers come free */
#define MCUSIM_FC4M_M7_NEXT(X)                                                                     \
    "  asr r4, r4, r8\n"                                                                           \
    "  ldr r0, [sp, #" #X "]\n"                                                                    \
    "  ssat r4, #8, r4\n"                                                                          \
    "  strb r4, [r9]\n"                                                                            \
    "  asr r6, r6, r8\n"                                                                           \
    "  ldr r4, [r3]\n"                                                                             \
    "  ssat r6, #8, r6\n"                                                                          \
    "  strb r6, [r9, #2]\n"                                                                        \
    "  asr r5, r5, r8\n"                                                                           \
    "  ldr r10, [r1]\n"                                                                            \
    "  ssat r5, #8, r5\n"                                                                          \
    "  strb r5, [r9, #1]\n"                                                                        \
    "  asr r7, r7, r8\n"                                                                           \
    "  ldr r6, [r3, #8]\n"                                                                         \
    "  ssat r7, #8, r7\n"                                                                          \
    "  strb r7, [r9, #3]\n"
/* the M7 routines' entry: registers saved, a frame of FRAME bytes, the job's m, a, r, out,
 * w_end and x into its first six words (EXTRA among the loads) */
#define MCUSIM_FC4M_M7_ENTRY(NAME, FRAME, EXTRA)                                                   \
    "  .syntax unified\n"                                                                          \
    "  .thumb\n" MCUSIM_ASM_FUNC(NAME)                                                             \
    "  push {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n"                                              \
    "  sub sp, sp, #" #FRAME "\n"                                                                  \
    "  ldr r4, [r0, #20]\n"                                                                        \
    "  ldr r5, [r0, #24]\n"                                                                        \
    "  ldr r6, [r0, #28]\n"                                                                        \
    "  ldr r7, [r0, #32]\n"                                                                        \
    "  ldr r8, [r0, #12]\n"                                                                        \
    "  ldr r9, [r0]\n"                                                                             \
    EXTRA                                                                                          \
    "  str r4, [sp]\n"                                                                             \
    "  str r5, [sp, #4]\n"                                                                         \
    "  str r6, [sp, #8]\n"                                                                         \
    "  str r7, [sp, #12]\n"                                                                        \
    "  str r8, [sp, #16]\n"                                                                        \
    "  str r9, [sp, #20]\n"
/* Cortex-M7, the input row widened, per tensor over the full int8 range (AD's layers):
 * the group loop on its own so that the job's state stays in registers and the frame (bias
 * pointer r3 and x's last quad r2 through every group; m, a, r, the output and the weights' end
 * on the stack), the B separation and the four SMMLAR requantizations interleaved, and the
 * last quad's DSP instructions carrying the epilogue's loads as younger ops. */
typedef struct {
    const int32_t *x;       /*  0: the widened row (mcusim_fc4m_m7w_s8), the int8 one (_m7r_s8) or
                               its part after the widened columns (_m7p_s8) */
    const int32_t *x_end;   /*  4: its last quad */
    const int8_t *w;        /*  8: the first group */
    const int8_t *w_end;    /* 12: after the last group */
    const int32_t *bias;    /* 16 */
    int32_t m, a, r;        /* 20, 24, 28: mcusim_requant_smmlar's constants (one per tensor) */
    int8_t *out;            /* 32 */
    const int32_t *xw;      /* 36: mcusim_fc4m_m7p_s8: the widened columns */
    const int32_t *xw_end;  /* 40: ... and their last quad */
} mcusim_fc_m7job;
void mcusim_fc4m_m7w_s8(const mcusim_fc_m7job *job);
__asm__(
    /* [sp]: m, a, r, out, w_end, xw */
    MCUSIM_FC4M_M7_ENTRY(mcusim_fc4m_m7w_s8, 24, "")
    "  ldr r2, [r0, #4]\n"
    "  ldr r1, [r0, #8]\n"
    "  ldr r3, [r0, #16]\n"
    "  mov r0, r9\n"
    /* the first group's first quad (X02, e0, o0, e1) and A's biases; later groups load theirs
     * beside the previous group's requantization */
    "  ldr r10, [r1]\n"
    "  ldr r11, [r1, #4]\n"
    "  ldr r8, [r0]\n"
    "  ldr r4, [r3]\n"
    "  ldr r12, [r1, #8]\n"
    "  ldr r6, [r3, #8]\n"
    "  mov r5, r4\n"                    /* accA and accAB start at A's bias */
    "  mov r7, r6\n"
    "1:\n"                              /* a group: r1 its weights, r3 its biases */
    MCUSIM_FC4M_WQ_HEAD
    MCUSIM_FC4M_WQ_REST("  ldr r10, [r1, #16]!\n", "  ldr r12, [r1, #8]\n", "  ldr r8, [r0, #8]!\n",
                        "  ldr r11, [r1, #4]\n", "  cmp r0, r2\n")
    "  bne 1b\n"
    /* the last quad with m (r10), B3's bias (r0), a (r12), r (r8) and B1's bias (r11) loaded
     * beside it; r1 and r3 on to the next group */
    MCUSIM_FC4M_WQ_HEAD
    MCUSIM_FC4M_WQ_REST("  ldr r10, [sp]\n", "  ldr r12, [sp, #4]\n", "  ldr r8, [sp, #8]\n",
                        "  ldr r11, [r3, #4]\n", "  ldr r0, [r3, #12]\n")
    "  adds r1, r1, #16\n"
    "  adds r3, r3, #16\n"
    MCUSIM_FC4M_M7_REQ
    "  beq 5f\n"                        /* the last group: no next one to load */
    /* the shifts, clamps and stores (each store beside the SSAT that makes its byte) with the
     * next group's first quad and A's biases loaded as each register comes free */
    MCUSIM_FC4M_M7_NEXT(20)
    "  ldr r8, [r0]\n"
    "  mov r5, r4\n"
    "  ldr r11, [r1, #4]\n"
    "  mov r7, r6\n"
    "  ldr r12, [r1, #8]\n"
    "  adds r9, r9, #4\n"
    "  str r9, [sp, #12]\n"
    "  b 1b\n"
    "5:\n"
    MCUSIM_FC4M_M7_STORE
    "  add sp, sp, #24\n"
    "  pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    MCUSIM_ASM_END(mcusim_fc4m_m7w_s8));

/* The same routine on the raw input (no scratch, or layers wider than it): per quad two more
 * SXTB16 widen x's word (14 cycles; r3 holds it and the next quad's word loads right after its
 * second use), the bias pointer in the frame ([sp, #24]) and in r3 from the last quad to the
 * next group's first word of x. The job's x and x_end: the int8 row and its last quad. */
#define MCUSIM_FC4M_RQ(LD_LR, LD_X, LD_E0, CMP, LD_E1, LD_O0)                                      \
    "  sxtb16 r8, r3\n"                                                                           \
    LD_LR                                                                                         \
    "  sxtb16 r9, r3, ror #8\n"                                                                   \
    LD_X                                                                                          \
    "  smlad r5, r8, r10, r5\n"                                                                   \
    "  sxtb16 r10, r10\n"                                                                         \
    "  smlad r4, r8, r10, r4\n"                                                                   \
    LD_E0                                                                                         \
    "  smlad r7, r8, r12, r7\n"                                                                   \
    "  sxtb16 r12, r12\n"                                                                         \
    CMP                                                                                           \
    "  smlad r6, r8, r12, r6\n"                                                                   \
    LD_E1                                                                                         \
    "  smlad r5, r9, r11, r5\n"                                                                   \
    "  sxtb16 r11, r11\n"                                                                         \
    "  smlad r4, r9, r11, r4\n"                                                                   \
    LD_O0                                                                                         \
    "  smlad r7, r9, lr, r7\n"                                                                    \
    "  sxtb16 lr, lr\n"                                                                           \
    "  smlad r6, r9, lr, r6\n"
/* the raw quads' loop (label L) up to the last quad, then the last quad with the bias pointer
 * (r3), m (r10), B3's bias (r0), a (r12), r (r8) and B1's bias (r11) loaded beside it, r1 on
 * to the next group, and the requantization; to 5f after the layer's last group */
#define MCUSIM_FC4M_RQ_LOOP(L)                                                                     \
    L ":\n"                                                                                        \
    MCUSIM_FC4M_RQ("  ldr lr, [r1, #12]\n", "  ldr r3, [r0, #4]!\n", "  ldr r10, [r1, #16]!\n",    \
                   "  cmp r0, r2\n", "  ldr r12, [r1, #8]\n", "  ldr r11, [r1, #4]\n")             \
    "  bne " L "b\n"
#define MCUSIM_FC4M_RQ_LAST                                                                        \
    MCUSIM_FC4M_RQ("  ldr lr, [r1, #12]\n", "  ldr r3, [sp, #24]\n", "  ldr r10, [sp]\n",          \
                   "  ldr r0, [r3, #-4]\n", "  ldr r12, [sp, #4]\n  ldr r8, [sp, #8]\n",          \
                   "  ldr r11, [r3, #-12]\n  adds r1, r1, #16\n")                                \
    MCUSIM_FC4M_M7_REQ                                                                            \
    "  beq 5f\n"
void mcusim_fc4m_m7r_s8(const mcusim_fc_m7job *job);
__asm__(
    /* [sp]: m, a, r, out, w_end, x, bias */
    MCUSIM_FC4M_M7_ENTRY(mcusim_fc4m_m7r_s8, 28, "  ldr r3, [r0, #16]\n")
    "  ldr r2, [r0, #4]\n"
    "  ldr r1, [r0, #8]\n"
    "  mov r0, r9\n"
    "  ldr r10, [r1]\n"
    "  ldr r11, [r1, #4]\n"
    "  ldr r4, [r3]\n"
    "  ldr r12, [r1, #8]\n"
    "  ldr r6, [r3, #8]\n"
    "  adds r3, r3, #16\n"
    "  str r3, [sp, #24]\n"
    "  ldr r3, [r0]\n"
    "  mov r5, r4\n"
    "  mov r7, r6\n"
    MCUSIM_FC4M_RQ_LOOP("1")           /* a group: r1 its weights, r3 its first word of x */
    MCUSIM_FC4M_RQ_LAST
    /* the shifts, clamps and stores (each store beside the SSAT that makes its byte) with the
     * next group's first quad and A's biases (r3 on past them in the frame, then x's first
     * word) loaded as each register comes free */
    MCUSIM_FC4M_M7_NEXT(20)
    "  adds r3, r3, #16\n"
    "  ldr r11, [r1, #4]\n"
    "  str r3, [sp, #24]\n"
    "  ldr r12, [r1, #8]\n"
    "  ldr r3, [r0]\n"
    "  mov r5, r4\n"
    "  adds r9, r9, #4\n"
    "  mov r7, r6\n"
    "  str r9, [sp, #12]\n"
    "  b 1b\n"
    "5:\n"
    MCUSIM_FC4M_M7_STORE
    "  add sp, sp, #28\n"
    "  pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    MCUSIM_ASM_END(mcusim_fc4m_m7r_s8));

/* The raw routine with its first quads widened (layers wider than the scratch the compiler
 * gives, MCUSIM_FC_WIDEN_MAX columns): per group the widened loop (12 cycles a quad), its last
 * quad loading the raw part's first word of x, then the raw loop and the last quad as above.
 * The job's xw and xw_end: the widened columns and their last quad; x and x_end: the raw part
 * (from the widened columns' end) and its last quad. */
void mcusim_fc4m_m7p_s8(const mcusim_fc_m7job *job);
__asm__(
    /* [sp]: m, a, r, out, w_end, x, bias, x_end, xw, xw_end */
    MCUSIM_FC4M_M7_ENTRY(mcusim_fc4m_m7p_s8, 40, "")
    "  ldr r4, [r0, #4]\n"
    "  ldr r5, [r0, #36]\n"
    "  ldr r2, [r0, #40]\n"
    "  str r4, [sp, #28]\n"
    "  str r5, [sp, #32]\n"
    "  str r2, [sp, #36]\n"
    "  ldr r3, [r0, #16]\n"
    "  ldr r1, [r0, #8]\n"
    "  mov r0, r5\n"
    "  ldr r10, [r1]\n"
    "  ldr r11, [r1, #4]\n"
    "  ldr r4, [r3]\n"
    "  ldr r12, [r1, #8]\n"
    "  ldr r6, [r3, #8]\n"
    "  adds r3, r3, #16\n"
    "  str r3, [sp, #24]\n"
    "  ldr r8, [r0]\n"
    "  mov r5, r4\n"
    "  mov r7, r6\n"
    "1:\n"                              /* a group: r1 its weights, r0 the widened columns */
    MCUSIM_FC4M_WQ_HEAD
    MCUSIM_FC4M_WQ_REST("  ldr r10, [r1, #16]!\n", "  ldr r12, [r1, #8]\n", "  ldr r8, [r0, #8]!\n",
                        "  ldr r11, [r1, #4]\n", "  cmp r0, r2\n")
    "  bne 1b\n"
    /* the last widened quad: the raw part's pointer (r0), its last quad (r2), its first word */
    MCUSIM_FC4M_WQ_HEAD
    MCUSIM_FC4M_WQ_REST("  ldr r10, [r1, #16]!\n  ldr r0, [sp, #20]\n",
                        "  ldr r12, [r1, #8]\n  ldr r2, [sp, #28]\n", "  ldr r3, [r0]\n",
                        "  ldr r11, [r1, #4]\n", "  cmp r0, r2\n")
    "  beq 2f\n"                        /* one raw quad: the last */
    MCUSIM_FC4M_RQ_LOOP("3")
    "2:\n"
    MCUSIM_FC4M_RQ_LAST
    /* the shifts, clamps and stores (each store beside the SSAT that makes its byte) with the
     * next group's first quad, A's biases (r3 on past them in the frame), X02 and the widened
     * columns' last quad (r2) loaded as each register comes free */
    MCUSIM_FC4M_M7_NEXT(32)
    "  adds r3, r3, #16\n"
    "  ldr r8, [r0]\n"
    "  str r3, [sp, #24]\n"
    "  ldr r11, [r1, #4]\n"
    "  mov r5, r4\n"
    "  ldr r12, [r1, #8]\n"
    "  mov r7, r6\n"
    "  ldr r2, [sp, #36]\n"
    "  adds r9, r9, #4\n"
    "  str r9, [sp, #12]\n"
    "  b 1b\n"
    "5:\n"
    MCUSIM_FC4M_M7_STORE
    "  add sp, sp, #40\n"
    "  pop {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    MCUSIM_ASM_END(mcusim_fc4m_m7p_s8));
#else
/* the same sums in C (host tests, portable builds), lane by lane as SMLAD sees them */
static void mcusim_fc4m_s8(const int8_t *x, const int8_t *w, int32_t n, int32_t *acc)
{
    uint32_t a[4] = {(uint32_t)acc[0], (uint32_t)acc[1], (uint32_t)acc[2], (uint32_t)acc[3]};
    for (int32_t q = 0; q < 2 * n; q++, x += 4, w += 16) {
        for (int32_t p = 0; p < 2; p++) {
            for (int32_t j = 0; j < 4; j++) {       /* column k + j: word j & 1, lane j >> 1 */
                const int8_t *b = w + 8 * p + 4 * (j & 1) + 2 * (j >> 1);
                const int32_t lane = (int16_t)(uint16_t)((uint8_t)b[0] | ((uint8_t)b[1] << 8));
                a[2 * p] += (uint32_t)(x[j] * b[0]);
                a[2 * p + 1] += (uint32_t)(x[j] * lane);
            }
        }
    }
    for (int32_t i = 0; i < 4; i++) {
        acc[i] = (int32_t)a[i];
    }
}
#endif


/* Cortex-M7: the scratch holds the input row's first MCUSIM_FC_WIDEN_MAX columns widened to
 * int16 once (two per column of the multiple of 8 the assembly takes); other cores take none.
 * With a NULL buffer the M7 widens each quad in registers per group (mcusim_fc4m_m7r_s8; the
 * mode 4 loop for other activation ranges and per-channel layers, which take no scratch). The
 * compiler mirrors the cap (ops/fully_connected.py, FC_WIDEN_MAX_BYTES; test_kernels_host's
 * test_rgb_s2_and_fc_widen_constants_match_the_c_ones checks the two agree). */
int32_t mcusim_fully_connected_merged_s8_get_buffer_size(int32_t accum_depth)
{
#if MCUSIM_DSP
    return mcusim_core_is_m7() ? 2 * MCUSIM_MIN(accum_depth & ~7, MCUSIM_FC_WIDEN_MAX) : 0;
#else
    (void)accum_depth;
    return 0;
#endif
}

#if MCUSIM_DSP
/* x[0..n) (n a multiple of 8) into xw as (x[k], x[k+2]), (x[k+1], x[k+3]) per quad: the int16
 * lanes the M7 routines' SMLADs take, widened once per row instead of once per group. Two quads a
 * turn, scheduled for the M7: the two loads pair (banks), each store beside an SXTB16. */
static void mcusim_fc4m_widen(const int8_t *x, int32_t n, int32_t *xw)
{
    const int8_t *end = x + n;
    int32_t v, u, a, b;
    __asm__ volatile(
        "1:\n"
        "  ldr %[v], [%[x]]\n"
        "  ldr %[u], [%[x], #4]\n"
        "  sxtb16 %[a], %[v]\n"
        "  adds %[x], %[x], #8\n"
        "  sxtb16 %[b], %[v], ror #8\n"
        "  str %[a], [%[w]]\n"
        "  sxtb16 %[a], %[u]\n"
        "  str %[b], [%[w], #4]\n"
        "  sxtb16 %[b], %[u], ror #8\n"
        "  str %[a], [%[w], #8]\n"
        "  str %[b], [%[w], #12]\n"
        "  adds %[w], %[w], #16\n"
        "  cmp %[x], %[e]\n"
        "  bne 1b\n"
        : [x] "+r"(x), [w] "+r"(xw), [v] "=&r"(v), [u] "=&r"(u), [a] "=&r"(a), [b] "=&r"(b)
        : [e] "r"(end)
        : "cc", "memory");
}
#endif

MCUSIM_INLINE int8_t mcusim_fc_out(int32_t acc, int32_t c, const int32_t *rq, const int32_t *mult,
                            const int32_t *shift, int32_t pc, int32_t out_off, int32_t lo,
                            int32_t hi)
{
    if (rq) {
        const int32_t *q = rq + 3 * c * pc;
        return mcusim_clamp8(mcusim_requant_smmlar(2 * acc, q[0], q[1], q[2]), lo, hi);
    }
    return mcusim_finish(acc, mult[c * pc], shift[c * pc], out_off, lo, hi);
}

mcusim_status mcusim_fully_connected_merged_s8(void *buffer, const mcusim_fc_params *params,
                                               const mcusim_quant_params *quant,
                                               int32_t batches, int32_t accum_depth,
                                               int32_t output_depth, const int8_t *input,
                                               const int8_t *packed, const int32_t *bias,
                                               const int32_t *rq, int8_t *output)
{
    const int32_t out_off = params->output_offset;
    const int32_t lo = params->activation.min, hi = params->activation.max;
    const int32_t *mult = quant->multiplier, *shift = quant->shift;
    const int32_t pc = quant->per_channel ? 1 : 0;
    const int32_t depth = (accum_depth + 7) & ~7, groups = output_depth >> 2;
    const int32_t n8 = accum_depth >> 3, k8 = 8 * n8;   /* the assembly's columns */
    if (params->input_offset != 0 || params->filter_offset != 0) {
        return MCUSIM_ARG_ERROR;
    }
    for (int32_t b = 0; b < batches; b++) {
        const int8_t *ip = input + b * accum_depth;
        int8_t *out = output + b * output_depth;
        const int8_t *w = packed;
        int32_t oc = 0;
        int32_t g = 0;
#if MCUSIM_DSP
        if (groups && n8 && k8 == accum_depth && bias && rq) {     /* all groups in assembly */
            mcusim_fc_job job = {ip - 4, ip - 4 + k8, w - 4, groups, bias, rq, 12 * pc, out,
                                 lo, hi, !pc && lo == -128 && hi == 127,
                                 mcusim_core_is_m7() ? 4 : (4 - (n8 & 3)) & 3};
            /* Cortex-M7, per tensor over the full range (the routines that read it): the first
             * kw columns widened into the scratch once */
            const int32_t kw = buffer && job.full && mcusim_core_is_m7()
                                   ? MCUSIM_MIN(k8, MCUSIM_FC_WIDEN_MAX) : 0;
            int32_t *xw = (int32_t *)buffer;
            if (kw) {
                mcusim_fc4m_widen(ip, kw, xw);
            }
            if (job.full && mcusim_core_is_m7()) {      /* per tensor, full range */
                const mcusim_fc_m7job m7 = {
                    kw == k8 ? xw : (const int32_t *)(ip + kw),
                    kw == k8 ? xw + 2 * (kw / 4 - 1) : (const int32_t *)(ip + k8 - 4),
                    w, w + 4 * depth * groups, bias, rq[0], rq[1], rq[2], out,
                    xw, xw + 2 * (kw / 4 - 1)};
                if (kw == k8) {
                    mcusim_fc4m_m7w_s8(&m7);
                } else if (kw) {
                    mcusim_fc4m_m7p_s8(&m7);
                } else {
                    mcusim_fc4m_m7r_s8(&m7);
                }
            } else {
                mcusim_fc4m_layer_s8(&job);
            }
            g = groups, oc = 4 * groups, w += 4 * depth * groups;
        }
#endif
        for (; g < groups; g++, oc += 4, w += 4 * depth) {
            /* accA and accAB both start at A's bias, so accAB - accA = 256 * B's sum */
            const int32_t b0 = bias ? bias[oc] : 0, b2 = bias ? bias[oc + 2] : 0;
            int32_t acc[4] = {b0, b0, b2, b2};
            if (n8) {
                mcusim_fc4m_s8(ip, w, n8, acc);
            }
            int32_t s[4] = {acc[0], (int32_t)((uint32_t)acc[1] - (uint32_t)acc[0]) >> 8,
                            acc[2], (int32_t)((uint32_t)acc[3] - (uint32_t)acc[2]) >> 8};
            if (bias) {
                s[1] += bias[oc + 1];
                s[3] += bias[oc + 3];
            }
            for (int32_t k = k8; k < accum_depth; k++) {   /* the last columns (< 8) */
                for (int32_t p = 0; p < 2; p++) {
                    const int8_t *c = w + 16 * (k >> 2) + 8 * p + 4 * (k & 1) + 2 * ((k >> 1) & 1);
                    s[2 * p] += ip[k] * c[0];
                    s[2 * p + 1] += ip[k] * (c[1] + (c[0] < 0));
                }
            }
            for (int32_t r = 0; r < 4; r++) {
                out[oc + r] = mcusim_fc_out(s[r], oc + r, rq, mult, shift, pc, out_off, lo, hi);
            }
        }
        for (; oc < output_depth; oc++, w += depth) {  /* the rows after the last group */
            int32_t acc = bias ? bias[oc] : 0;
            for (int32_t j = 0; j < accum_depth; j++) {
                acc += w[j] * ip[j];
            }
            out[oc] = mcusim_fc_out(acc, oc, rq, mult, shift, pc, out_off, lo, hi);
        }
    }
    return MCUSIM_OK;
}
