/* CONCATENATION int8: for each outer index, each input's contiguous slab in turn. */
#include "mcusim_nn.h"

mcusim_status mcusim_concat_s8(int32_t outer, int32_t num_inputs, const int8_t *const *inputs,
                               const int32_t *copy_sizes, int8_t *output)
{
    for (int32_t o = 0; o < outer; o++) {
        for (int32_t i = 0; i < num_inputs; i++) {
            const int8_t *src = inputs[i] + o * copy_sizes[i];
            for (int32_t k = 0; k < copy_sizes[i]; k++) {
                *output++ = src[k];
            }
        }
    }
    return MCUSIM_OK;
}
