/* mcusim_cfft_f32: forward complex FFT in float32, in place: the bit-reversal swaps, then
 * radix-2 decimation-in-time butterflies; no scaling. Not CMSIS-DSP's algorithm (its
 * arm_cfft_f32 is radix 8/4/2): equal up to rounding (docs/frontend.md gives the tolerance). */
#include "mcusim_dsp_support.h"

void mcusim_cfft_f32(const mcusim_cfft_instance_f32 *s, float *buf)
{
    const uint32_t n = s->fft_len;
    for (uint32_t k = 0; k < s->bitrev_len; k++) {
        float *a = buf + 2 * s->bitrev[2 * k], *b = buf + 2 * s->bitrev[2 * k + 1];
        const float re = a[0], im = a[1];
        a[0] = b[0];
        a[1] = b[1];
        b[0] = re;
        b[1] = im;
    }
    for (uint32_t size = 2; size <= n; size <<= 1) {
        const uint32_t half = size >> 1, step = n / size;
        for (uint32_t i = 0; i < n; i += size) {
            for (uint32_t j = 0; j < half; j++) {
                const float c = s->twiddle[2 * j * step], si = s->twiddle[2 * j * step + 1];
                float *p = buf + 2 * (i + j), *q = p + 2 * half;
                /* t = q e^(-2 pi i j / size) */
                const float tr = q[0] * c + q[1] * si, ti = q[1] * c - q[0] * si;
                q[0] = p[0] - tr;
                q[1] = p[1] - ti;
                p[0] += tr;
                p[1] += ti;
            }
        }
    }
}
