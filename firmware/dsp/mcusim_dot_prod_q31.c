/* mcusim_dot_prod_q31: sum of (a[i] * b[i]) >> 14, each product exact in 64 bits
 * (arm_dot_prod_q31: a q16.48 result). */
#include "mcusim_dsp_support.h"

int64_t mcusim_dot_prod_q31(const int32_t *a, const int32_t *b, uint32_t n)
{
    int64_t sum = 0;
    for (uint32_t i = 0; i < n; i++)
        sum += ((int64_t)a[i] * b[i]) >> 14;
    return sum;
}
