/* mcusim_absmax_q15: the largest |x| of a q15 vector and its first index (arm_absmax_q15). */
#include "mcusim_dsp_support.h"

#if MCUSIM_DSP_SIMD
/* lane-wise signed maximum: SSUB16 sets the GE flags, SEL picks; one asm block so that nothing
 * comes between the two */
static inline int32_t max16(int32_t a, int32_t b)
{
    int32_t r;
    __asm__("ssub16 %0, %1, %2\n\tsel %0, %1, %2" : "=&r"(r) : "r"(a), "r"(b));
    return r;
}
#endif

void mcusim_absmax_q15(const int16_t *src, uint32_t n, int16_t *max, uint32_t *index)
{
    int32_t best = -1;
    uint32_t at = 0, i = 0;
#if MCUSIM_DSP_SIMD
    /* two lanes a word: |x| = max(x, QSUB16(0, x)) (saturating: |-32768| = 32767), a running
     * lane-wise maximum; then the first index of the maximum by a scalar scan */
    int32_t m = 0;
    for (; i + 2 <= n; i += 2) {
        int32_t x = mcusim_read_q15x2(src + i);
        m = max16(max16(x, __qsub16(0, x)), m);
    }
    int32_t lo = (int16_t)m, hi = m >> 16;
    best = i ? (lo > hi ? lo : hi) : -1;
    for (uint32_t k = i; k < n; k++) {      /* an odd last sample */
        int32_t a = src[k] < 0 ? -(int32_t)src[k] : src[k];
        if (a > 32767)
            a = 32767;
        if (a > best)
            best = a;
    }
    for (at = 0; at < n; at++) {
        int32_t a = src[at] < 0 ? -(int32_t)src[at] : src[at];
        if ((a > 32767 ? 32767 : a) == best)
            break;
    }
#else
    for (; i < n; i++) {
        int32_t a = src[i] < 0 ? -(int32_t)src[i] : src[i];
        if (a > 32767)
            a = 32767;          /* |-32768| saturates, as QSUB16(0, x) */
        if (a > best) {
            best = a;
            at = i;
        }
    }
#endif
    *max = (int16_t)(best < 0 ? 0 : best);
    *index = at;
}
