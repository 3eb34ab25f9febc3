/* mcusim_log_mel_q31: natural log of the mel energies as in arm_mfcc_q31: vlog (q5.26), plus
 * the log of the chain's scalings (1 / fft_len, q2.30 magnitudes, >> 10), >> 3 to q8.23. */
#include "mcusim_dsp_support.h"

#define LN2_Q26 0x02C5C860          /* ln(2) in q5.26 */

void mcusim_log_mel_q31(int32_t *mel, uint32_t n_mel, uint32_t fft_len)
{
    const int32_t fft_shift = 31 - mcusim_clz(fft_len);
    const int32_t offset = (fft_shift + 2 + 10) * LN2_Q26;
    mcusim_vlog_q31(mel, mel, n_mel);
    for (uint32_t i = 0; i < n_mel; i++)
        mel[i] = mcusim_sat64_q31((int64_t)mel[i] + offset) >> 3;
}
