/* mcusim_dot_prod_q15: exact 64-bit sum of products (arm_dot_prod_q15). */
#include "mcusim_dsp_support.h"

int64_t mcusim_dot_prod_q15(const int16_t *a, const int16_t *b, uint32_t n)
{
    int64_t sum = 0;
    uint32_t i = 0;
#if MCUSIM_DSP_SIMD
    for (; i + 2 <= n; i += 2)      /* SMLALD: two products into the 64-bit sum, exactly */
        sum = __smlald(mcusim_read_q15x2(a + i), mcusim_read_q15x2(b + i), sum);
#endif
    for (; i < n; i++)
        sum += (int32_t)a[i] * b[i];
    return sum;
}
