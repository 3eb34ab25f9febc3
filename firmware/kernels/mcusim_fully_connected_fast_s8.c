/* FULLY_CONNECTED with the filter packed at build time (DSP cores; sim/mcusim/compiler/ops/
 * fully_connected.py, pack_rows4): rows in groups of four interleaved word by word (per group,
 * per quad of columns: the four rows' int8 words), the rows past the last full group plain after
 * them, every row zero-padded to a multiple of 8 columns; in place of the int8 filter; input
 * offset folded into the bias. Each group of four rows is one pass (mcusim_fc4_s8): per quad one
 * input word and four weight words loaded together (so the loads pipeline), ten SXTB16 and eight
 * SMLAD: 16 MACs in about 25 cycles on a Cortex-M4, where the row-pair kernel reloads and
 * re-widens the input for every pair. No scratch (a widened copy of the input would be twice the
 * input row: 8 KB for micro_speech's FC). */
#include "mcusim_nn.h"
#include "mcusim_nn_support.h"

#if MCUSIM_DSP
/* acc[r] += sum over 8 n columns of x[k] w_r[k]: x = the int8 input row (offset folded into the
 * bias), w = one group of four rows, n >= 1 pairs of quads. Accumulators r4-r7, the input word
 * r3 widened into r8-r9, weights r10-r12 and lr, widened weight r2; the loop end on the stack.
 * Assembly at file scope: fixed registers. */
void mcusim_fc4_s8(const int8_t *x, const int8_t *w, int32_t n, int32_t *acc);
#define MCUSIM_FC4_ROW(W, ACC)                                                                     \
    "  sxtb16 r2, " W "\n"                                                                       \
    "  smlad " ACC ", r8, r2, " ACC "\n"                                                         \
    "  sxtb16 r2, " W ", ror #8\n"                                                               \
    "  smlad " ACC ", r9, r2, " ACC "\n"
#define MCUSIM_FC4_ROWS                                                                            \
    "  sxtb16 r8, r3\n"                                                                          \
    "  sxtb16 r9, r3, ror #8\n"                                                                  \
    MCUSIM_FC4_ROW("r10", "r4") MCUSIM_FC4_ROW("r11", "r5")                                       \
    MCUSIM_FC4_ROW("r12", "r6") MCUSIM_FC4_ROW("lr", "r7")
__asm__(
    "  .section .text.mcusim_fc4_s8,\"ax\",%progbits\n"
    "  .syntax unified\n"
    "  .thumb\n"
    "  .balign 4\n"
    "  .global mcusim_fc4_s8\n"
    "  .thumb_func\n"
    "  .type mcusim_fc4_s8, %function\n"
    "mcusim_fc4_s8:\n"
    "  push {r3, r4, r5, r6, r7, r8, r9, r10, r11, lr}\n"
    "  sub sp, sp, #8\n"
    "  add r2, r0, r2, lsl #3\n"
    "  sub r2, r2, #4\n"                /* where r0 ends */
    "  str r2, [sp]\n"
    "  ldm r3, {r4, r5, r6, r7}\n"
    "  subs r0, r0, #4\n"               /* the pointers sit 4 bytes before each pass's data */
    "  subs r1, r1, #4\n"
    "  .balign 4\n"
    "1:\n"
    "  ldr r3, [r0, #4]\n"
    "  ldr r10, [r1, #4]\n"
    "  ldr r11, [r1, #8]\n"
    "  ldr r12, [r1, #12]\n"
    "  ldr lr, [r1, #16]\n"
    MCUSIM_FC4_ROWS
    /* the writeback on each base's last load, not followed by a load from that base (it
     * would wait for the new address) */
    "  ldr r10, [r1, #20]\n"
    "  ldr r11, [r1, #24]\n"
    "  ldr r12, [r1, #28]\n"
    "  ldr r3, [r0, #8]!\n"
    "  ldr lr, [r1, #32]!\n"
    MCUSIM_FC4_ROWS
    "  ldr r2, [sp]\n"
    "  cmp r0, r2\n"
    "  bne 1b\n"
    "  ldr r3, [sp, #8]\n"
    "  stm r3, {r4, r5, r6, r7}\n"
    "  add sp, sp, #8\n"
    "  pop {r3, r4, r5, r6, r7, r8, r9, r10, r11, pc}\n"
    "  .size mcusim_fc4_s8, .-mcusim_fc4_s8\n");
#else
/* the same sums in C (host tests, portable builds): the layout spelled out */
static void mcusim_fc4_s8(const int8_t *x, const int8_t *w, int32_t n, int32_t *acc)
{
    for (int32_t k = 0; k < 8 * n; k++) {
        for (int32_t r = 0; r < 4; r++) {
            acc[r] += x[k] * w[16 * (k >> 2) + 4 * r + (k & 3)];
        }
    }
}
#endif

int32_t mcusim_fully_connected_fast_s8_get_buffer_size(int32_t accum_depth)
{
    (void)accum_depth;
    return 0;
}

mcusim_status mcusim_fully_connected_fast_s8(void *buffer, const mcusim_fc_params *params,
                                             const mcusim_quant_params *quant,
                                             int32_t batches, int32_t accum_depth,
                                             int32_t output_depth, const int8_t *input,
                                             const int8_t *packed, const int32_t *bias,
                                             int8_t *output)
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
        const int8_t *w = packed;
        int32_t oc = 0;
        for (int32_t g = 0; g < groups; g++, oc += 4, w += 4 * depth) {
            int32_t acc[4] = {0, 0, 0, 0};
            if (bias) {
                acc[0] = bias[oc];
                acc[1] = bias[oc + 1];
                acc[2] = bias[oc + 2];
                acc[3] = bias[oc + 3];
            }
            if (n8) {
                mcusim_fc4_s8(ip, w, n8, acc);
            }
            for (int32_t k = k8; k < accum_depth; k++) {   /* the last columns (< 8) */
                for (int32_t r = 0; r < 4; r++) {
                    acc[r] += ip[k] * w[16 * (k >> 2) + 4 * r + (k & 3)];
                }
            }
            for (int32_t r = 0; r < 4; r++) {
                out[oc + r] = mcusim_finish(acc[r], mult[(oc + r) * pc], shift[(oc + r) * pc],
                                            out_off, lo, hi);
            }
        }
        for (; oc < output_depth; oc++, w += depth) {  /* the rows after the last group */
            int32_t acc = bias ? bias[oc] : 0;
            for (int32_t j = 0; j < accum_depth; j++) {
                acc += w[j] * ip[j];
            }
            out[oc] = mcusim_finish(acc, mult[oc * pc], shift[oc * pc], out_off, lo, hi);
        }
    }
    return MCUSIM_OK;
}
