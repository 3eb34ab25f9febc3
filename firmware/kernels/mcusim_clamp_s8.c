/* Clamp int8 codes to [lo, hi]: RELU6 in TFLM works on the input codes directly. */
#include "mcusim_nn.h"

mcusim_status mcusim_clamp_s8(int32_t size, int8_t lo, int8_t hi, const int8_t *input,
                              int8_t *output)
{
    for (int32_t i = 0; i < size; i++) {
        const int8_t v = input[i];
        output[i] = v > hi ? hi : (v < lo ? lo : v);
    }
    return MCUSIM_OK;
}
