/* mcusim_normalize_q15: first block of arm_mfcc_q15: scale the frame so its peak is full
 * scale (keeps the fixed-point FFT precise on quiet input); returns the peak m, by which the
 * mel energies are scaled back (mcusim_mel_filterbank_q15). Nothing is done for m == 0 or
 * full scale. */
#include "mcusim_dsp_support.h"

int16_t mcusim_normalize_q15(int16_t *frame, uint32_t n)
{
    int16_t m, quotient, shift;
    uint32_t at;
    mcusim_absmax_q15(frame, n, &m, &at);
    if (m != 0 && m != 0x7FFF && mcusim_divide_q15(0x7FFF, m, &quotient, &shift) == 0)
        mcusim_scale_q15(frame, quotient, shift, frame, n);
    return m;
}
