/* mcusim_absmax_q31: the largest |x| of a q31 vector and its first index (arm_absmax_q31). */
#include "mcusim_dsp_support.h"

void mcusim_absmax_q31(const int32_t *src, uint32_t n, int32_t *max, uint32_t *index)
{
    int32_t best = -1;
    uint32_t at = 0;
    for (uint32_t i = 0; i < n; i++) {
        int32_t a = src[i] > 0 ? src[i] : src[i] == INT32_MIN ? INT32_MAX : -src[i];
        if (a > best) {
            best = a;
            at = i;
        }
    }
    *max = best < 0 ? 0 : best;
    *index = at;
}
