/* MAX_POOL_2D int8: max over the window clipped to the image, then the activation clamp. */
#include "mcusim_nn.h"
#include "mcusim_nn_support.h"

mcusim_status mcusim_maxpool_s8(const mcusim_pool_params *params,
                                const mcusim_dims *input_dims, const int8_t *input,
                                const mcusim_dims *filter_dims,
                                const mcusim_dims *output_dims, int8_t *output)
{
    const int32_t in_h = input_dims->h, in_w = input_dims->w, ch = input_dims->c;
    const int32_t out_h = output_dims->h, out_w = output_dims->w;
    for (int32_t b = 0; b < input_dims->n; b++) {
        const int8_t *in_b = input + b * in_h * in_w * ch;
        for (int32_t oy = 0; oy < out_h; oy++) {
            const int32_t y0 = oy * params->stride.h - params->padding.h;
            const int32_t fy0 = MCUSIM_MAX(0, -y0), fy1 = MCUSIM_MIN(filter_dims->h, in_h - y0);
            for (int32_t ox = 0; ox < out_w; ox++) {
                const int32_t x0 = ox * params->stride.w - params->padding.w;
                const int32_t fx0 = MCUSIM_MAX(0, -x0), fx1 = MCUSIM_MIN(filter_dims->w, in_w - x0);
                for (int32_t c = 0; c < ch; c++) {
                    int32_t m = -128;
                    for (int32_t fy = fy0; fy < fy1; fy++) {
                        for (int32_t fx = fx0; fx < fx1; fx++) {
                            const int32_t v = in_b[((y0 + fy) * in_w + x0 + fx) * ch + c];
                            m = v > m ? v : m;
                        }
                    }
                    m = MCUSIM_CLAMP(m, params->activation.min, params->activation.max);
                    output[((b * out_h + oy) * out_w + ox) * ch + c] = (int8_t)m;
                }
            }
        }
    }
    return MCUSIM_OK;
}
