/* mcusim_mel_filterbank_q15: mel energies of a magnitude spectrum as in arm_mfcc_q15: each
 * filter's dot product (64-bit) plus a small floor (1e-6 in this fixed-point scale), >> 10 so
 * that the sum fits, its low word saturated to 31 bits; then scaled back by the frame's peak
 * when mcusim_normalize_q15 scaled the frame. */
#include "mcusim_dsp_support.h"

#define MEL_FLOOR 0x219             /* MICRO_Q15 */
#define MEL_SHIFT 10                /* SHIFT_MELFILTER_SATURATION_Q15 */

void mcusim_mel_filterbank_q15(const mcusim_mfcc_instance_q15 *s, const int16_t *mag,
                               int16_t peak, int32_t *mel)
{
    const int16_t *coefs = s->filter_coefs;
    for (uint32_t i = 0; i < s->n_mel; i++) {
        const uint32_t len = s->filter_len[i];
        int64_t e = mcusim_dot_prod_q15(mag + s->filter_pos[i], coefs, len);
        coefs += len;
        e = (e + MEL_FLOOR) >> MEL_SHIFT;
        mel[i] = mcusim_ssat((int32_t)e, 31);
    }
    if (peak != 0 && peak != 0x7FFF)
        mcusim_scale_q31(mel, (int32_t)peak << 16, 0, mel, s->n_mel);
}
