/* mcusim_scale_q15: dst = sat((src * scale) >> (15 - shift)) (arm_scale_q15). */
#include "mcusim_dsp_support.h"

void mcusim_scale_q15(const int16_t *src, int16_t scale, int32_t shift, int16_t *dst, uint32_t n)
{
    const int32_t k = 15 - shift;
    uint32_t i = 0;
#if MCUSIM_DSP_SIMD
    for (; i + 2 <= n; i += 2) {        /* a word in, a word out: SMULBB/SMULTT, SSAT, PKHBT */
        int32_t x = mcusim_read_q15x2(src + i);
        int32_t lo = __ssat(((int32_t)(int16_t)x * scale) >> k, 16);
        int32_t hi = __ssat(((x >> 16) * scale) >> k, 16);
        mcusim_write_q15x2(dst + i, (int32_t)(((uint32_t)hi << 16) | ((uint32_t)lo & 0xFFFFu)));
    }
#endif
    for (; i < n; i++)
        dst[i] = (int16_t)mcusim_ssat(((int32_t)src[i] * scale) >> k, 16);
}
