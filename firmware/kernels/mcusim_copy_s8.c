/* RESHAPE (and any layout no-op) when input and output could not share storage. */
#include "mcusim_nn.h"

mcusim_status mcusim_copy_s8(int32_t size, const int8_t *input, int8_t *output)
{
    if (input != output) {
        for (int32_t i = 0; i < size; i++) {
            output[i] = input[i];
        }
    }
    return MCUSIM_OK;
}
