/* FULLY_CONNECTED int8, per-tensor or per-channel: two output rows per pass (mcusim_dot2_s8,
 * __smlad with DSP). The input offset is folded in as off * sum(w) (equal to the reference's
 * int32 sum); the compiler folds it into the bias at build time and passes input_offset 0.
 * A nonzero filter offset (not produced by TFLite's int8 converter) takes the plain loop. */
#include "mcusim_nn.h"
#include "mcusim_nn_support.h"

mcusim_status mcusim_fully_connected_s8(const mcusim_fc_params *params,
                                        const mcusim_quant_params *quant,
                                        int32_t batches, int32_t accum_depth,
                                        int32_t output_depth, const int8_t *input,
                                        const int8_t *filter, const int32_t *bias,
                                        int8_t *output)
{
    const int32_t in_off = params->input_offset, f_off = params->filter_offset;
    const int32_t out_off = params->output_offset;
    const int32_t lo = params->activation.min, hi = params->activation.max;
    const int32_t *mult = quant->multiplier, *shift = quant->shift;
    const int32_t pc = quant->per_channel ? 1 : 0;
    for (int32_t b = 0; b < batches; b++) {
        const int8_t *ip = input + b * accum_depth;
        int8_t *out = output + b * output_depth;
        int32_t oc = 0;
        if (f_off == 0) {
            for (; oc + 2 <= output_depth; oc += 2) {
                const int8_t *fp = filter + oc * accum_depth;
                int32_t a0, a1, s0, s1;
                if (in_off) {
                    mcusim_dot2_s8(ip, fp, fp + accum_depth, accum_depth, &a0, &a1, &s0, &s1);
                    a0 += s0 * in_off;
                    a1 += s1 * in_off;
                } else {
                    mcusim_dot2_s8(ip, fp, fp + accum_depth, accum_depth, &a0, &a1, 0, 0);
                }
                if (bias) {
                    a0 += bias[oc];
                    a1 += bias[oc + 1];
                }
                out[oc] = mcusim_finish(a0, mult[oc * pc], shift[oc * pc], out_off, lo, hi);
                out[oc + 1] = mcusim_finish(a1, mult[(oc + 1) * pc], shift[(oc + 1) * pc],
                                            out_off, lo, hi);
            }
        }
        for (; oc < output_depth; oc++) {
            const int8_t *fp = filter + oc * accum_depth;
            int32_t acc = 0;
            for (int32_t d = 0; d < accum_depth; d++) {
                acc += (fp[d] + f_off) * (ip[d] + in_off);
            }
            if (bias) {
                acc += bias[oc];
            }
            out[oc] = mcusim_finish(acc, mult[oc * pc], shift[oc * pc], out_off, lo, hi);
        }
    }
    return MCUSIM_OK;
}
