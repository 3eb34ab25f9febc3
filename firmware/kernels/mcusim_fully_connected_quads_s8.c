/* FULLY_CONNECTED on ARMv6-M with the filter packed at build time (sim/mcusim/compiler/ops/
 * fc_pack.py, pack_quads; in place of the int8 filter, input offset folded into the bias): rows
 * in groups of four interleaved byte by byte ([group][k][4]), each weight stored as the unsigned
 * byte w + 128, rows zero-padded to a multiple of 8 columns; rows after the last group plain
 * int8 after the groups. Unsigned weights need no sign extension, so LDRB with an immediate
 * offset reads them: no index registers, and the input is read in place (the former pairs
 * kernel wrote it twice over into a scratch of 2 x accum_depth bytes so one LDRSB index served
 * it). sum x (u - 128) = sum x u - 128 sum x: the accumulators start at bias - 128 sum x (sum x
 * once per input row; int32 arithmetic modulo 2^32 is exact since TFLM's own sum fits).
 * Per column: one input byte (LDRB + SXTB) and four weights (LDRB, MULS, ADDS): 4 MACs in 19
 * cycles on a Cortex-M0+, where the pairs kernel took about 13 for 2. No scratch.
 * Requantization: with `rq` (built when |acc| < 2^22 and 1 <= -shift <= 13) four MULS per
 * output (mcusim_requant_split8), else mcusim_finish's 64-bit product in 16 x 16 parts. */
#include "mcusim_nn.h"
#include "mcusim_nn_support.h"

#if defined(__ARM_ARCH_6M__) && !MCUSIM_DSP
/* acc[0..3] += sum over 8 n columns of x[k] u_r[k]: x = the int8 input row, u = one group.
 * AAPCS: r0 x, r1 u, r2 n, r3 acc; accumulators r2, r4, r7, r3, input byte r5, product r6,
 * x's end in r8. */
void mcusim_fc4u_v6m(const int8_t *x, const uint8_t *u, int32_t n, int32_t *acc);
#define MCUSIM_FC4U_COL(J, W0, W1, W2, W3)                                                         \
    "  ldrb r5, [r0, #" J "]\n"                                                                  \
    "  sxtb r5, r5\n"                                                                            \
    "  ldrb r6, [r1, #" W0 "]\n"                                                                 \
    "  muls r6, r5, r6\n"                                                                        \
    "  adds r2, r2, r6\n"                                                                        \
    "  ldrb r6, [r1, #" W1 "]\n"                                                                 \
    "  muls r6, r5, r6\n"                                                                        \
    "  adds r4, r4, r6\n"                                                                        \
    "  ldrb r6, [r1, #" W2 "]\n"                                                                 \
    "  muls r6, r5, r6\n"                                                                        \
    "  adds r7, r7, r6\n"                                                                        \
    "  ldrb r6, [r1, #" W3 "]\n"                                                                 \
    "  muls r6, r5, r6\n"                                                                        \
    "  adds r3, r3, r6\n"
__asm__(
    "  .section .text.mcusim_fc4u_v6m,\"ax\",%progbits\n"
    "  .syntax unified\n"
    "  .thumb\n"
    "  .balign 2\n"
    "  .global mcusim_fc4u_v6m\n"
    "  .thumb_func\n"
    "  .type mcusim_fc4u_v6m, %function\n"
    "mcusim_fc4u_v6m:\n"
    "  push {r3, r4, r5, r6, r7, lr}\n"
    "  mov r4, r8\n"
    "  push {r4}\n"
    "  lsls r2, r2, #3\n"
    "  adds r2, r0, r2\n"
    "  mov r8, r2\n"                 /* x's end */
    "  ldr r2, [r3, #0]\n"
    "  ldr r4, [r3, #4]\n"
    "  ldr r7, [r3, #8]\n"
    "  ldr r3, [r3, #12]\n"
    "1:\n"
    MCUSIM_FC4U_COL("0", "0", "1", "2", "3")
    MCUSIM_FC4U_COL("1", "4", "5", "6", "7")
    MCUSIM_FC4U_COL("2", "8", "9", "10", "11")
    MCUSIM_FC4U_COL("3", "12", "13", "14", "15")
    MCUSIM_FC4U_COL("4", "16", "17", "18", "19")
    MCUSIM_FC4U_COL("5", "20", "21", "22", "23")
    MCUSIM_FC4U_COL("6", "24", "25", "26", "27")
    MCUSIM_FC4U_COL("7", "28", "29", "30", "31")
    "  adds r0, #8\n"
    "  adds r1, #32\n"
    "  cmp r0, r8\n"
    "  bne 1b\n"
    "  pop {r5}\n"
    "  mov r8, r5\n"
    "  pop {r5}\n"                   /* acc */
    "  str r2, [r5, #0]\n"
    "  str r4, [r5, #4]\n"
    "  str r7, [r5, #8]\n"
    "  str r3, [r5, #12]\n"
    "  pop {r4, r5, r6, r7, pc}\n"
    "  .size mcusim_fc4u_v6m, .-mcusim_fc4u_v6m\n");

/* Every full group of a layer whose columns are a multiple of 8, with a bias and the byte-split
 * constants: the accumulators' start, the column loop and mcusim_requant_split8 + clamp in
 * assembly (the C epilogue took ~400 cycles per group). The job (on the caller's stack) holds
 * the state between groups; the offsets are the assembly's. */
typedef struct {
    const int8_t *x;        /*  0: input row */
    const int8_t *x_end;    /*  4: x + 8 n */
    const uint8_t *u;       /*  8: the group's weights */
    int32_t groups;         /* 12 */
    const int32_t *bias;    /* 16: the group's four biases */
    uint32_t corr;          /* 20: 128 sum x */
    const int32_t *rq;      /* 24: the group's first {m3, m2, m1, m0, k24, 7 + r} */
    int32_t rq_step;        /* 28: 24 per channel, 0 per tensor */
    int8_t *out;            /* 32 */
    int32_t lo, hi;         /* 36, 40: activation range */
} mcusim_fcq_job;
void mcusim_fc4u_layer_v6m(mcusim_fcq_job *job);
/* out[K] = clamp(mcusim_requant_split8(ACC, q)): q r0, out r1, lo r10, hi r11, step r9 */
#define MCUSIM_FC4U_OUT(ACC, K)                                                                    \
    "  ldr r5, [r0, #12]\n"                                                                     \
    "  muls r5, " ACC ", r5\n"                                                                  \
    "  asrs r5, r5, #8\n"                                                                       \
    "  ldr r6, [r0, #8]\n"                                                                      \
    "  muls r6, " ACC ", r6\n"                                                                  \
    "  adds r5, r5, r6\n"                                                                       \
    "  asrs r5, r5, #8\n"                                                                       \
    "  ldr r6, [r0, #4]\n"                                                                      \
    "  muls r6, " ACC ", r6\n"                                                                  \
    "  adds r5, r5, r6\n"                                                                       \
    "  asrs r5, r5, #8\n"                                                                       \
    "  ldr r6, [r0, #0]\n"                                                                      \
    "  muls r6, " ACC ", r6\n"                                                                  \
    "  adds r5, r5, r6\n"                                                                       \
    "  ldr r6, [r0, #16]\n"                                                                     \
    "  adds r5, r5, r6\n"                                                                       \
    "  asrs r6, " ACC ", #31\n"                                                                 \
    "  lsls r6, r6, #7\n"                                                                       \
    "  adds r5, r5, r6\n"                                                                       \
    "  ldr r6, [r0, #20]\n"                                                                     \
    "  asrs r5, r5, r6\n"                                                                       \
    "  cmp r5, r10\n"                                                                           \
    "  bge 3f\n"                                                                                \
    "  mov r5, r10\n"                                                                           \
    "3:\n"                                                                                      \
    "  cmp r5, r11\n"                                                                           \
    "  ble 4f\n"                                                                                \
    "  mov r5, r11\n"                                                                           \
    "4:\n"                                                                                      \
    "  strb r5, [r1, #" K "]\n"                                                                 \
    "  add r0, r9\n"
__asm__(
    "  .section .text.mcusim_fc4u_layer_v6m,\"ax\",%progbits\n"
    "  .syntax unified\n"
    "  .thumb\n"
    "  .balign 2\n"
    "  .global mcusim_fc4u_layer_v6m\n"
    "  .thumb_func\n"
    "  .type mcusim_fc4u_layer_v6m, %function\n"
    "mcusim_fc4u_layer_v6m:\n"
    "  push {r4, r5, r6, r7, lr}\n"
    "  mov r4, r8\n"
    "  mov r5, r9\n"
    "  mov r6, r10\n"
    "  mov r7, r11\n"
    "  push {r4, r5, r6, r7}\n"
    "  sub sp, #8\n"
    "  str r0, [sp, #0]\n"
    "2:\n"                              /* a group: accumulators at bias - 128 sum x */
    "  ldr r0, [sp, #0]\n"
    "  ldr r1, [r0, #16]\n"
    "  ldr r5, [r0, #20]\n"
    "  ldr r2, [r1, #0]\n"
    "  subs r2, r2, r5\n"
    "  ldr r4, [r1, #4]\n"
    "  subs r4, r4, r5\n"
    "  ldr r7, [r1, #8]\n"
    "  subs r7, r7, r5\n"
    "  ldr r3, [r1, #12]\n"
    "  subs r3, r3, r5\n"
    "  adds r1, #16\n"
    "  str r1, [r0, #16]\n"
    "  ldr r5, [r0, #4]\n"
    "  mov r8, r5\n"
    "  ldr r1, [r0, #8]\n"
    "  ldr r0, [r0, #0]\n"
    "1:\n"
    MCUSIM_FC4U_COL("0", "0", "1", "2", "3")
    MCUSIM_FC4U_COL("1", "4", "5", "6", "7")
    MCUSIM_FC4U_COL("2", "8", "9", "10", "11")
    MCUSIM_FC4U_COL("3", "12", "13", "14", "15")
    MCUSIM_FC4U_COL("4", "16", "17", "18", "19")
    MCUSIM_FC4U_COL("5", "20", "21", "22", "23")
    MCUSIM_FC4U_COL("6", "24", "25", "26", "27")
    MCUSIM_FC4U_COL("7", "28", "29", "30", "31")
    "  adds r0, #8\n"
    "  adds r1, #32\n"
    "  cmp r0, r8\n"
    "  bne 1b\n"
    "  ldr r0, [sp, #0]\n"
    "  str r1, [r0, #8]\n"             /* the next group's weights */
    "  ldr r1, [r0, #32]\n"
    "  ldr r5, [r0, #36]\n"
    "  mov r10, r5\n"
    "  ldr r5, [r0, #40]\n"
    "  mov r11, r5\n"
    "  ldr r5, [r0, #28]\n"
    "  mov r9, r5\n"
    "  ldr r0, [r0, #24]\n"
    MCUSIM_FC4U_OUT("r2", "0") MCUSIM_FC4U_OUT("r4", "1")
    MCUSIM_FC4U_OUT("r7", "2") MCUSIM_FC4U_OUT("r3", "3")
    "  adds r1, #4\n"
    "  ldr r5, [sp, #0]\n"
    "  str r1, [r5, #32]\n"
    "  str r0, [r5, #24]\n"
    "  ldr r6, [r5, #12]\n"
    "  subs r6, #1\n"
    "  str r6, [r5, #12]\n"
    "  beq 5f\n"
    "  b 2b\n"
    "5:\n"
    "  add sp, #8\n"
    "  pop {r4, r5, r6, r7}\n"
    "  mov r8, r4\n"
    "  mov r9, r5\n"
    "  mov r10, r6\n"
    "  mov r11, r7\n"
    "  pop {r4, r5, r6, r7, pc}\n"
    "  .size mcusim_fc4u_layer_v6m, .-mcusim_fc4u_layer_v6m\n");
#else
/* the same sums in C (host tests, other cores' portable builds), modulo 2^32 as MULS/ADDS */
static void mcusim_fc4u_v6m(const int8_t *x, const uint8_t *u, int32_t n, int32_t *acc)
{
    for (int32_t k = 0; k < 8 * n; k++) {
        for (int32_t r = 0; r < 4; r++) {
            acc[r] = (int32_t)((uint32_t)acc[r] + (uint32_t)(x[k] * u[4 * k + r]));
        }
    }
}
#endif

MCUSIM_INLINE int8_t mcusim_fc_quads_out(int32_t acc, int32_t c, const int32_t *rq,
                                         const int32_t *mult, const int32_t *shift, int32_t pc,
                                         int32_t out_off, int32_t lo, int32_t hi)
{
    if (rq) {
        return mcusim_clamp8(mcusim_requant_split8(acc, rq + 6 * c * pc), lo, hi);
    }
    return mcusim_finish(acc, mult[c * pc], shift[c * pc], out_off, lo, hi);
}

int32_t mcusim_fully_connected_quads_s8_get_buffer_size(int32_t accum_depth)
{
    (void)accum_depth;
    return 0;
}

mcusim_status mcusim_fully_connected_quads_s8(void *buffer, const mcusim_fc_params *params,
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
    (void)buffer;
    if (params->input_offset != 0 || params->filter_offset != 0) {
        return MCUSIM_ARG_ERROR;
    }
    for (int32_t b = 0; b < batches; b++) {
        const int8_t *ip = input + b * accum_depth;
        int8_t *out = output + b * output_depth;
        const uint8_t *u = (const uint8_t *)packed;
        uint32_t sx = 0;
        for (int32_t k = 0; k < accum_depth; k++) {
            sx += (uint32_t)ip[k];
        }
        int32_t oc = 0, g = 0;
#if defined(__ARM_ARCH_6M__) && !MCUSIM_DSP
        if (groups && n8 && k8 == accum_depth && bias && rq) {     /* all groups in assembly */
            mcusim_fcq_job job = {ip, ip + k8, u, groups, bias, sx << 7, rq, 24 * pc, out,
                                  lo, hi};
            mcusim_fc4u_layer_v6m(&job);
            g = groups, oc = 4 * groups, u += 4 * depth * groups;
        }
#endif
        for (; g < groups; g++, oc += 4, u += 4 * depth) {
            int32_t acc[4];
            for (int32_t r = 0; r < 4; r++) {
                acc[r] = (int32_t)((uint32_t)(bias ? bias[oc + r] : 0) - (sx << 7));
            }
            if (n8) {
                mcusim_fc4u_v6m(ip, u, n8, acc);
            }
            for (int32_t k = k8; k < accum_depth; k++) {   /* the last columns (< 8) */
                for (int32_t r = 0; r < 4; r++) {
                    acc[r] = (int32_t)((uint32_t)acc[r] + (uint32_t)(ip[k] * u[4 * k + r]));
                }
            }
            if (rq) {
                const int32_t *q = rq + 6 * oc * pc, step = 6 * pc;
                out[oc] = mcusim_clamp8(mcusim_requant_split8(acc[0], q), lo, hi);
                out[oc + 1] = mcusim_clamp8(mcusim_requant_split8(acc[1], q + step), lo, hi);
                out[oc + 2] = mcusim_clamp8(mcusim_requant_split8(acc[2], q + 2 * step), lo, hi);
                out[oc + 3] = mcusim_clamp8(mcusim_requant_split8(acc[3], q + 3 * step), lo, hi);
                continue;
            }
            for (int32_t r = 0; r < 4; r++) {
                out[oc + r] = mcusim_finish(acc[r], mult[(oc + r) * pc], shift[(oc + r) * pc],
                                            out_off, lo, hi);
            }
        }
        const int8_t *w = (const int8_t *)u;
        for (; oc < output_depth; oc++, w += depth) {  /* the rows after the last group */
            int32_t acc = bias ? bias[oc] : 0;
            for (int32_t j = 0; j < accum_depth; j++) {
                acc += w[j] * ip[j];
            }
            out[oc] = mcusim_fc_quads_out(acc, oc, rq, mult, shift, pc, out_off, lo, hi);
        }
    }
    return MCUSIM_OK;
}
