/* mcusim_rfft_q31: forward real FFT (arm_rfft_q31): an N/2-point complex FFT, then the split
 *   X[k] = A[k] Z[k] + B[k] conj(Z[N/2 - k])
 * as a chain of rounded high-word products in the reference's order (SMMULR, SMMLAR, SMMLSR;
 * it uses -A.im for B.im). Bins 0..N/2 only; src is overwritten, dst gets N + 2 q31. */
#include "mcusim_dsp_support.h"

void mcusim_rfft_q31(const mcusim_rfft_instance_q31 *s, int32_t *src, int32_t *dst)
{
    const uint32_t h = s->fft_len_real >> 1;
    mcusim_cfft_q31(s->cfft, src);
    for (uint32_t i = 1; i < h; i++) {
        const int32_t *p = src + 2 * i, *q = src + 2 * (h - i);
        const int32_t a1 = s->coef_a[2 * i], a2 = s->coef_a[2 * i + 1], b1 = s->coef_b[2 * i];
        int32_t re = mcusim_mmulr(p[0], a1);
        int32_t im = mcusim_mmulr(p[0], a2);
        re = mcusim_mmlsr(re, p[1], a2);
        im = mcusim_mmlar(im, p[1], a1);
        re = mcusim_mmlsr(re, q[1], a2);
        im = mcusim_mmlsr(im, q[1], b1);
        re = mcusim_mmlar(re, q[0], b1);
        im = mcusim_mmlsr(im, q[0], a2);
        dst[2 * i] = re;
        dst[2 * i + 1] = im;
    }
    const int32_t r0 = src[0], i0 = src[1];
    dst[0] = (int32_t)((uint32_t)r0 + (uint32_t)i0) >> 1;
    dst[1] = 0;
    dst[2 * h] = (int32_t)((uint32_t)r0 - (uint32_t)i0) >> 1;
    dst[2 * h + 1] = 0;
}
