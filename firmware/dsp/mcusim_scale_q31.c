/* mcusim_scale_q31: dst = sat(((src * scale) >> 32) << (shift + 1)) (arm_scale_q31). */
#include "mcusim_dsp_support.h"

void mcusim_scale_q31(const int32_t *src, int32_t scale, int32_t shift, int32_t *dst, uint32_t n)
{
    const int32_t k = shift + 1;
    for (uint32_t i = 0; i < n; i++) {
        int32_t in = mcusim_mul_shr(src[i], scale, 32);
        if (k >= 0) {
            int32_t out = (int32_t)((uint32_t)in << k);
            if (in != (out >> k))
                out = 0x7FFFFFFF ^ (in >> 31);     /* saturate toward the sign of in */
            dst[i] = out;
        } else {
            dst[i] = in >> -k;
        }
    }
}
