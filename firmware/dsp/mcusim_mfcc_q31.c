/* mcusim_mfcc_q31: one frame of arm_mfcc_q31: normalize, window, real FFT, magnitude, mel
 * filterbank, log, DCT; MFCC q8.23 out (n_dct == 0: the log-mel energies, q8.23).
 * src (fft_len q31) is overwritten; tmp: fft_len + 2 words. */
#include "mcusim_dsp_support.h"

int32_t mcusim_mfcc_q31(const mcusim_mfcc_instance_q31 *s, int32_t *src, int32_t *dst,
                        int32_t *tmp)
{
    const uint32_t n = s->fft_len;
    int32_t peak = mcusim_normalize_q31(src, n);
    mcusim_mult_q31(src, s->window, src, n);
    mcusim_rfft_q31(s->rfft, src, tmp);
    mcusim_cmplx_mag_q31(tmp, src, s->mag_bins);          /* the bins the filters read */
    mcusim_mel_filterbank_q31(s, src, peak, tmp);
    mcusim_log_mel_q31(tmp, s->n_mel, n);
    if (s->n_dct)
        mcusim_mat_vec_mult_q31(s->dct, s->n_dct, s->n_mel, tmp, dst);
    else
        memcpy(dst, tmp, s->n_mel * sizeof(int32_t));
    return 0;
}
