/* mcusim_mfcc_f32: one frame of MFCC in float32, the steps of arm_mfcc_f32: peak normalization,
 * window, real FFT, magnitudes (scaled back by the peak), mel filters, ln(mel + 1e-6), DCT.
 * ln is logf (arm_mfcc_f32 uses its own approximation, arm_vlog_f32): equal up to rounding and
 * that approximation (the tolerance is in docs/frontend.md). src (fft_len floats) is
 * overwritten; tmp: fft_len + 2 floats. n_dct == 0: the log-mel energies. */
#include <math.h>

#include "mcusim_dsp_support.h"

void mcusim_mfcc_f32(const mcusim_mfcc_instance_f32 *s, float *src, float *dst, float *tmp)
{
    const uint32_t n = s->fft_len;
    float peak = 0.0f;
    for (uint32_t i = 0; i < n; i++)
        peak = fabsf(src[i]) > peak ? fabsf(src[i]) : peak;
    const float inv = peak != 0.0f ? 1.0f / peak : 1.0f;
    for (uint32_t i = 0; i < n; i++)
        src[i] = src[i] * inv * s->window[i];
    mcusim_rfft_f32(s->rfft, src, tmp);
    for (uint32_t k = 0; k < s->mag_bins; k++)      /* only the bins the filters read */
        src[k] = sqrtf(tmp[2 * k] * tmp[2 * k] + tmp[2 * k + 1] * tmp[2 * k + 1]) *
                 (peak != 0.0f ? peak : 1.0f);
    const float *coefs = s->filter_coefs;
    for (uint32_t i = 0; i < s->n_mel; i++) {
        float e = 0.0f;
        const float *mag = src + s->filter_pos[i];
        for (uint32_t j = 0; j < s->filter_len[i]; j++)
            e += mag[j] * coefs[j];
        coefs += s->filter_len[i];
        tmp[i] = logf(e + 1.0e-6f);
    }
    if (!s->n_dct) {
        memcpy(dst, tmp, s->n_mel * sizeof(float));
        return;
    }
    for (uint32_t r = 0; r < s->n_dct; r++) {
        float acc = 0.0f;
        for (uint32_t c = 0; c < s->n_mel; c++)
            acc += s->dct[r * s->n_mel + c] * tmp[c];
        dst[r] = acc;
    }
}
