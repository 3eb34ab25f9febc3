/* mcusim_mel_filterbank_q31: mel energies of a q31 magnitude spectrum as in arm_mfcc_q31: each
 * filter's dot product (q16.48) plus a small floor, >> 28, its low word saturated to 31 bits;
 * then scaled back by the frame's peak when mcusim_normalize_q31 scaled the frame. */
#include "mcusim_dsp_support.h"

#define MEL_FLOOR 0x08637BD0        /* MICRO_Q31 */
#define MEL_SHIFT (10 + 18)         /* SHIFT_MELFILTER_SATURATION_Q31 + 18 */

void mcusim_mel_filterbank_q31(const mcusim_mfcc_instance_q31 *s, const int32_t *mag,
                               int32_t peak, int32_t *mel)
{
    const int32_t *coefs = s->filter_coefs;
    for (uint32_t i = 0; i < s->n_mel; i++) {
        const uint32_t len = s->filter_len[i];
        int64_t e = mcusim_dot_prod_q31(mag + s->filter_pos[i], coefs, len);
        coefs += len;
        e = (e + MEL_FLOOR) >> MEL_SHIFT;
        mel[i] = mcusim_ssat((int32_t)e, 31);
    }
    if (peak != 0 && peak != INT32_MAX)
        mcusim_scale_q31(mel, peak, 0, mel, s->n_mel);
}
