/* mcusim_mfcc_q15: one frame of arm_mfcc_q15: normalize, window, real FFT, magnitude, mel
 * filterbank, log, DCT. With n_dct == 0 the log-mel energies are the output (no DCT).
 * src (fft_len q15, 4-byte aligned) is overwritten; tmp: MCUSIM_MFCC_TMP_WORDS words. */
#include "mcusim_dsp_support.h"

int32_t mcusim_mfcc_q15(const mcusim_mfcc_instance_q15 *s, int16_t *src, int16_t *dst,
                        int32_t *tmp)
{
    const uint32_t n = s->fft_len;
    int16_t *spectrum = (int16_t *)(void *)tmp;
    int16_t peak = mcusim_normalize_q15(src, n);
    mcusim_mult_q15(src, s->window, src, n);
    mcusim_rfft_q15(s->rfft, src, spectrum);
    /* magnitudes over the frame; only of the bins the filters read: arm_mfcc_q15 computes all
     * n/2 + 1, the others never reach its output */
    mcusim_cmplx_mag_q15(spectrum, src, s->mag_bins);
    mcusim_mel_filterbank_q15(s, src, peak, tmp);           /* energies over the spectrum */
    int16_t *logmel = s->n_dct ? src : dst;
    mcusim_log_mel_q15(tmp, s->n_mel, n, logmel);
    if (s->n_dct)
        mcusim_mat_vec_mult_q15(s->dct, s->n_dct, s->n_mel, logmel, dst);
    return 0;
}
