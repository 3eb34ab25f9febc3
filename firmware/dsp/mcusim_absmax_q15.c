/* mcusim_absmax_q15: the largest |x| of a q15 vector and its first index (arm_absmax_q15). */
#include "mcusim_dsp_support.h"

void mcusim_absmax_q15(const int16_t *src, uint32_t n, int16_t *max, uint32_t *index)
{
    int32_t best = -1;
    uint32_t at = 0;
    for (uint32_t i = 0; i < n; i++) {
        int32_t a = src[i] < 0 ? -(int32_t)src[i] : src[i];
        if (a > 32767)
            a = 32767;          /* |-32768| saturates, as QSUB16(0, x) */
        if (a > best) {
            best = a;
            at = i;
        }
    }
    *max = (int16_t)(best < 0 ? 0 : best);
    *index = at;
}
