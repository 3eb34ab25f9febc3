/* mcusim_divide_q15: num / den as a q15 quotient and a power-of-two shift (arm_divide_q15). */
#include "mcusim_dsp_support.h"

int32_t mcusim_divide_q15(int16_t num, int16_t den, int16_t *quotient, int16_t *shift)
{
    const int neg = (num < 0) ^ (den < 0);
    *shift = 0;
    if (den == 0) {
        *quotient = neg ? INT16_MIN : INT16_MAX;
        return -1;
    }
    /* |x| saturating, as arm_abs_q15 */
    int32_t a = num < 0 ? -(int32_t)num : num, b = den < 0 ? -(int32_t)den : den;
    if (a > 32767)
        a = 32767;
    if (b > 32767)
        b = 32767;
    int32_t q = (a << 15) / b;
    int32_t norm = 17 - mcusim_clz((uint32_t)q);   /* bring the quotient into 15 bits */
    if (norm > 0) {
        *shift = (int16_t)norm;
        q >>= norm;
    }
    *quotient = (int16_t)(neg ? -q : q);
    return 0;
}
