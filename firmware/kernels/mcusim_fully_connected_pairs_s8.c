/* FULLY_CONNECTED on ARMv6-M with the filter packed at build time (sim/mcusim/compiler/ops/
 * conv_pack.py, pack_pairs): rows padded to an even length, in pairs interleaved byte by byte
 * ([pair][k][2]; an odd last row plain after them), input offset folded into the bias. The input
 * row is written twice over into the scratch ([k][2]: x[k], x[k]) so one index register serves
 * the three LDRSB of a tap (input, row c, row c+1) and the weights stream sequentially from
 * flash: 2 MACs in about 12 cycles on a Cortex-M0+, where the portable row-pair loop reloads
 * the input for each row and alternates between two rows (a flash line-buffer miss per load). */
#include "mcusim_nn.h"
#include "mcusim_nn_support.h"

#if defined(__ARM_ARCH_6M__) && !MCUSIM_DSP
/* acc[0..1] += x.w0, x.w1 over nb bytes of pairs (a multiple of 4: two taps per pass):
 * x = the doubled input, w = a pair of rows. AAPCS: r0 x, r1 w, r2 nb, r3 acc. */
void mcusim_mm1x2i_s8_v6m(const int8_t *x, const int8_t *w, int32_t nb, int32_t *acc);
#define MCUSIM_V6M_FC_TAP                                                                          \
    "  ldrsb r4, [r0, r3]\n"     /* u = x[k] */                                                 \
    "  ldrsb r5, [r1, r3]\n"     /* p = w0[k] */                                                \
    "  muls r5, r4, r5\n"                                                                        \
    "  adds r6, r6, r5\n"                                                                        \
    "  ldrsb r5, [r2, r3]\n"     /* q = w1[k] */                                                \
    "  muls r5, r4, r5\n"                                                                        \
    "  adds r7, r7, r5\n"                                                                        \
    "  adds r3, #2\n"
__asm__(
    "  .text\n"
    "  .syntax unified\n"
    "  .thumb\n"
    "  .balign 2\n"
    "  .global mcusim_mm1x2i_s8_v6m\n"
    "  .thumb_func\n"
    "  .type mcusim_mm1x2i_s8_v6m, %function\n"
    "mcusim_mm1x2i_s8_v6m:\n"
    "  push {r3, r4, r5, r6, r7, lr}\n"
    "  ldr r6, [r3, #0]\n"
    "  ldr r7, [r3, #4]\n"
    "  mov ip, r2\n"                 /* end index */
    "  adds r2, r1, #1\n"            /* w1 = w + 1 */
    "  movs r3, #0\n"
    "1:\n"
    MCUSIM_V6M_FC_TAP
    MCUSIM_V6M_FC_TAP
    "  cmp r3, ip\n"
    "  bne 1b\n"
    "  pop {r3}\n"
    "  str r6, [r3, #0]\n"
    "  str r7, [r3, #4]\n"
    "  pop {r4, r5, r6, r7, pc}\n"
    "  .size mcusim_mm1x2i_s8_v6m, .-mcusim_mm1x2i_s8_v6m\n");
#else
static void mcusim_mm1x2i_s8_v6m(const int8_t *x, const int8_t *w, int32_t nb, int32_t *acc)
{
    for (int32_t k = 0; k < nb; k += 2) {
        acc[0] += x[k] * w[k];
        acc[1] += x[k] * w[k + 1];
    }
}
#endif

int32_t mcusim_fully_connected_pairs_s8_get_buffer_size(int32_t accum_depth)
{
    return 2 * ((accum_depth + 1) & ~1);
}

mcusim_status mcusim_fully_connected_pairs_s8(void *buffer, const mcusim_fc_params *params,
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
    const int32_t depth2 = (accum_depth + 1) & ~1;
    int8_t *xx = (int8_t *)buffer;
    if (buffer == 0 || params->input_offset != 0 || params->filter_offset != 0) {
        return MCUSIM_ARG_ERROR;
    }
    for (int32_t k = 2 * accum_depth; k < 2 * depth2; k++) {
        xx[k] = 0;      /* the padding tap stays zero */
    }
    for (int32_t b = 0; b < batches; b++) {
        const int8_t *ip = input + b * accum_depth;
        int8_t *out = output + b * output_depth;
        for (int32_t k = 0; k < accum_depth; k++) {
            xx[2 * k] = xx[2 * k + 1] = ip[k];
        }
        const int8_t *w = packed;
        int32_t oc = 0;
        for (; oc + 2 <= output_depth; oc += 2, w += 2 * depth2) {
            int32_t acc[2] = {bias ? bias[oc] : 0, bias ? bias[oc + 1] : 0};
            mcusim_mm1x2i_s8_v6m(xx, w, 2 * depth2, acc);
            out[oc] = mcusim_finish(acc[0], mult[oc * pc], shift[oc * pc], out_off, lo, hi);
            out[oc + 1] = mcusim_finish(acc[1], mult[(oc + 1) * pc], shift[(oc + 1) * pc],
                                        out_off, lo, hi);
        }
        if (oc < output_depth) {   /* the odd last row, stored plain */
            int32_t acc = bias ? bias[oc] : 0;
            for (int32_t k = 0; k < accum_depth; k++) {
                acc += xx[2 * k] * w[k];
            }
            out[oc] = mcusim_finish(acc, mult[oc * pc], shift[oc * pc], out_off, lo, hi);
        }
    }
    return MCUSIM_OK;
}
