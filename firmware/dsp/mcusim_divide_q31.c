/* mcusim_divide_q31: num / den as a q31 quotient and a power-of-two shift (arm_divide_q31). */
#include "mcusim_dsp_support.h"

int32_t mcusim_divide_q31(int32_t num, int32_t den, int32_t *quotient, int16_t *shift)
{
    const int neg = (num < 0) ^ (den < 0);
    *shift = 0;
    if (den == 0) {
        *quotient = neg ? INT32_MIN : INT32_MAX;
        return -1;
    }
    int64_t a = num < 0 ? (num == INT32_MIN ? INT32_MAX : -(int64_t)num) : num;
    int64_t b = den < 0 ? (den == INT32_MIN ? INT32_MAX : -(int64_t)den) : den;
    int64_t q = (a << 31) / b;
    int32_t norm = 32 - mcusim_clz((uint32_t)(q >> 31));    /* bring the quotient into 31 bits */
    if (norm > 0) {
        *shift = (int16_t)norm;
        q >>= norm;
    }
    *quotient = (int32_t)(neg ? -q : q);
    return 0;
}
