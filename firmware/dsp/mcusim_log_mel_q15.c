/* mcusim_log_mel_q15: natural log of the (q31) mel energies as in arm_mfcc_q15: vlog (q5.26), plus
 * the log of the scalings the fixed-point chain applied (the FFT's 1 / fft_len, the magnitude's
 * q2.14, the filterbank's >> 10) so the result is ln of the true energy, then >> 19 to q8.7
 * and the low 16 bits kept (the reference truncates before its saturation). */
#include "mcusim_dsp_support.h"

#define LN2_Q26 0x02C5C860          /* ln(2) in q5.26 */

void mcusim_log_mel_q15(int32_t *mel, uint32_t n_mel, uint32_t fft_len, int16_t *logmel)
{
    const int32_t fft_shift = 31 - mcusim_clz(fft_len);
    const int32_t offset = (fft_shift + 2 + 10) * LN2_Q26;
    mcusim_vlog_q31(mel, mel, n_mel);
    for (uint32_t i = 0; i < n_mel; i++) {
        int32_t v = mcusim_sat64_q31((int64_t)mel[i] + offset);    /* QADD */
        logmel[i] = (int16_t)(v >> 19);
    }
}
