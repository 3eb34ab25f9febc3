/* mcusim_mult_q15: dst = sat((a * b) >> 15) (arm_mult_q15), e.g. a frame times its window. */
#include "mcusim_dsp_support.h"

void mcusim_mult_q15(const int16_t *a, const int16_t *b, int16_t *dst, uint32_t n)
{
    uint32_t i = 0;
#if MCUSIM_DSP_SIMD
    /* two lanes a word: SMULBB/SMULTT, then SSAT #16 of the product >> 15 */
    for (; i + 2 <= n; i += 2) {
        int32_t x = mcusim_read_q15x2(a + i), y = mcusim_read_q15x2(b + i);
        int32_t lo = __ssat(((int32_t)(int16_t)x * (int16_t)y) >> 15, 16);   /* SMULBB */
        int32_t hi = __ssat(((x >> 16) * (y >> 16)) >> 15, 16);                /* SMULTT */
        mcusim_write_q15x2(dst + i, (int32_t)(((uint32_t)hi << 16) | ((uint32_t)lo & 0xFFFFu)));
    }
#endif
    for (; i < n; i++)
        dst[i] = (int16_t)mcusim_ssat(((int32_t)a[i] * b[i]) >> 15, 16);
}
