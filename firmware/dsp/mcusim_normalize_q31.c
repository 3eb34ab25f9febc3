/* mcusim_normalize_q31: first block of arm_mfcc_q31: scale the frame so its peak is full scale;
 * returns the peak m (the mel energies are scaled back by it). */
#include "mcusim_dsp_support.h"

int32_t mcusim_normalize_q31(int32_t *frame, uint32_t n)
{
    int32_t m, quotient;
    int16_t shift;
    uint32_t at;
    mcusim_absmax_q31(frame, n, &m, &at);
    if (m != 0 && m != INT32_MAX && mcusim_divide_q31(INT32_MAX, m, &quotient, &shift) == 0)
        mcusim_scale_q31(frame, quotient, shift, frame, n);
    return m;
}
