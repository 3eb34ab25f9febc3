/* mcusim_rfft_q15: forward real FFT (arm_rfft_q15): the N real samples as an N/2-point complex
 * FFT, then the split that separates the even and odd halves' spectra:
 *   X[k] = A[k] Z[k] + B[k] conj(Z[N/2 - k]),  products summed in 32 bits, >> 16.
 * Bins 0..N/2 only (the reference also writes their mirror image). src is overwritten and must
 * be 4-byte aligned; dst gets N + 2 q15. */
#include "mcusim_dsp_support.h"

void mcusim_rfft_q15(const mcusim_rfft_instance_q15 *s, int16_t *src, int16_t *dst)
{
    const uint32_t h = s->fft_len_real >> 1;
    mcusim_cfft_q15(s->cfft, src);
    const int16_t *ca = s->coef_a, *cb = s->coef_b;
    for (uint32_t i = 1; i < h; i++) {
        const int16_t *p = src + 2 * i, *q = src + 2 * (h - i);
        const int16_t *a = ca + 2 * i, *b = cb + 2 * i;
#if MCUSIM_DSP_SIMD
        int32_t z1 = mcusim_read_q15x2(p), z2 = mcusim_read_q15x2(q);
        int32_t wa = mcusim_read_q15x2(a), wb = mcusim_read_q15x2(b);
        int32_t re = __smlad(z2, wb, __smusd(z1, wa));     /* p.re a.re - p.im a.im + q.b */
        int32_t im = __smladx(z1, wa, __smusdx(z2, wb));   /* q.re b.im - q.im b.re + ... */
#else
        uint32_t re = (uint32_t)(p[0] * a[0]) - (uint32_t)(p[1] * a[1])
                      + (uint32_t)(q[0] * b[0]) + (uint32_t)(q[1] * b[1]);
        uint32_t im = (uint32_t)(q[0] * b[1]) - (uint32_t)(q[1] * b[0])
                      + (uint32_t)(p[1] * a[0]) + (uint32_t)(p[0] * a[1]);
#endif
        dst[2 * i] = (int16_t)((int32_t)re >> 16);
        dst[2 * i + 1] = (int16_t)((int32_t)im >> 16);
    }
    const int32_t r0 = src[0], i0 = src[1];
    dst[0] = (int16_t)((r0 + i0) >> 1);
    dst[1] = 0;
    dst[2 * h] = (int16_t)((r0 - i0) >> 1);
    dst[2 * h + 1] = 0;
}
