/* FULLY_CONNECTED int8, per-tensor or per-channel. With DSP, four weights and four inputs per
 * two __smlad; the input offset is folded in as off*sum(w), which equals the reference sum. */
#include "mcusim_nn.h"
#include "mcusim_nn_support.h"

mcusim_status mcusim_fully_connected_s8(const mcusim_fc_params *params,
                                        const mcusim_quant_params *quant,
                                        int32_t batches, int32_t accum_depth,
                                        int32_t output_depth, const int8_t *input,
                                        const int8_t *filter, const int32_t *bias,
                                        int8_t *output)
{
    const int32_t in_off = params->input_offset;
    const int32_t f_off = params->filter_offset;
    for (int32_t b = 0; b < batches; b++) {
        const int8_t *ip = input + b * accum_depth;
        for (int32_t oc = 0; oc < output_depth; oc++) {
            const int8_t *fp = filter + oc * accum_depth;
            int32_t acc = 0;
            int32_t d = 0;
#if MCUSIM_DSP
            if (f_off == 0) {
                int32_t xw = 0, wsum = 0;
                for (; d + 4 <= accum_depth; d += 4) {
                    int32_t xv, fv;
                    __builtin_memcpy(&xv, ip + d, 4);
                    __builtin_memcpy(&fv, fp + d, 4);
                    const int32_t x02 = __sxtb16(xv), x13 = __sxtb16(mcusim_ror((uint32_t)xv, 8));
                    const int32_t f02 = __sxtb16(fv), f13 = __sxtb16(mcusim_ror((uint32_t)fv, 8));
                    xw = __smlad(x02, f02, xw);
                    xw = __smlad(x13, f13, xw);
                    wsum = __smlad(f02, 0x00010001, wsum);
                    wsum = __smlad(f13, 0x00010001, wsum);
                }
                acc = xw + wsum * in_off;
            }
#endif
            for (; d < accum_depth; d++) {
                acc += (fp[d] + f_off) * (ip[d] + in_off);
            }
            if (bias) {
                acc += bias[oc];
            }
            const int32_t q = quant->per_channel ? oc : 0;
            acc = mcusim_requant(acc, quant->multiplier[q], quant->shift[q]);
            acc += params->output_offset;
            output[b * output_depth + oc] =
                (int8_t)MCUSIM_CLAMP(acc, params->activation.min, params->activation.max);
        }
    }
    return MCUSIM_OK;
}
