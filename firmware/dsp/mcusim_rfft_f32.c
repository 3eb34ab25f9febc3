/* mcusim_rfft_f32: forward real FFT in float32: the N samples as N/2 complex points, their FFT,
 * and the split X[k] = A[k] Z[k] + B[k] conj(Z[N/2 - k]) (A, B as for the q15/q31 chains, in
 * float). src is overwritten; dst gets bins 0..N/2 (N + 2 floats). */
#include "mcusim_dsp_support.h"

void mcusim_rfft_f32(const mcusim_rfft_instance_f32 *s, float *src, float *dst)
{
    const uint32_t h = s->fft_len_real >> 1;
    mcusim_cfft_f32(s->cfft, src);
    for (uint32_t k = 1; k < h; k++) {
        const float *z = src + 2 * k, *m = src + 2 * (h - k);
        const float *a = s->coef_a + 2 * k, *b = s->coef_b + 2 * k;
        dst[2 * k] = z[0] * a[0] - z[1] * a[1] + m[0] * b[0] + m[1] * b[1];
        dst[2 * k + 1] = z[0] * a[1] + z[1] * a[0] + m[0] * b[1] - m[1] * b[0];
    }
    dst[0] = src[0] + src[1];
    dst[1] = 0.0f;
    dst[2 * h] = src[0] - src[1];
    dst[2 * h + 1] = 0.0f;
}
