/* CONV_2D wrapper: picks the variant (rule mirrored by sim/mcusim/compiler/ops/conv_2d.py):
 *   grouped conv                                   -> generic (no scratch)
 *   1x1, no padding, dilation 1                    -> 1x1 (no scratch)
 *   otherwise                                      -> im2col (scratch; __smlad with DSP)
 *   no scratch given (buffer NULL)                 -> generic */
#include "mcusim_nn.h"
#include "mcusim_nn_support.h"

static int use_1x1(const mcusim_conv_params *p, const mcusim_dims *in, const mcusim_dims *f)
{
    return f->h == 1 && f->w == 1 && f->c == in->c && p->padding.h == 0 && p->padding.w == 0 &&
           p->dilation.h == 1 && p->dilation.w == 1;
}

int32_t mcusim_convolve_wrapper_s8_get_buffer_size(const mcusim_conv_params *params,
                                                   const mcusim_dims *input_dims,
                                                   const mcusim_dims *filter_dims)
{
    if (filter_dims->c != input_dims->c || use_1x1(params, input_dims, filter_dims)) {
        return 0;
    }
    return mcusim_convolve_im2col_s8_get_buffer_size(filter_dims);
}

mcusim_status mcusim_convolve_wrapper_s8(void *buffer, const mcusim_conv_params *params,
                                         const mcusim_quant_params *quant,
                                         const mcusim_dims *input_dims, const int8_t *input,
                                         const mcusim_dims *filter_dims, const int8_t *filter,
                                         const int32_t *bias,
                                         const mcusim_dims *output_dims, int8_t *output)
{
    if (filter_dims->c == input_dims->c) {
        if (use_1x1(params, input_dims, filter_dims)) {
            return mcusim_convolve_1x1_s8(params, quant, input_dims, input, filter_dims, filter,
                                          bias, output_dims, output);
        }
        if (buffer) {
            return mcusim_convolve_im2col_s8(buffer, params, quant, input_dims, input, filter_dims,
                                             filter, bias, output_dims, output);
        }
    }
    return mcusim_convolve_s8(params, quant, input_dims, input, filter_dims, filter, bias,
                              output_dims, output);
}
