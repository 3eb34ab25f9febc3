/* PAD / PADV2 int8 on up to 4 dims: fill with the pad code, copy the input rows in place. */
#include "mcusim_nn.h"

mcusim_status mcusim_pad_s8(const mcusim_dims *input_dims, const int32_t before[4],
                            const int32_t after[4], int8_t pad_value, const int8_t *input,
                            int8_t *output)
{
    const int32_t in[4] = {input_dims->n, input_dims->h, input_dims->w, input_dims->c};
    int32_t out[4];
    for (int k = 0; k < 4; k++) {
        if (before[k] < 0 || after[k] < 0) {
            return MCUSIM_ARG_ERROR;
        }
        out[k] = in[k] + before[k] + after[k];
    }
    const int32_t total = out[0] * out[1] * out[2] * out[3];
    for (int32_t i = 0; i < total; i++) {
        output[i] = pad_value;
    }
    for (int32_t n = 0; n < in[0]; n++) {
        for (int32_t h = 0; h < in[1]; h++) {
            for (int32_t w = 0; w < in[2]; w++) {
                const int8_t *src = input + ((n * in[1] + h) * in[2] + w) * in[3];
                int8_t *dst = output + (((n + before[0]) * out[1] + h + before[1]) * out[2] +
                                        w + before[2]) * out[3] + before[3];
                for (int32_t c = 0; c < in[3]; c++) {
                    dst[c] = src[c];
                }
            }
        }
    }
    return MCUSIM_OK;
}
