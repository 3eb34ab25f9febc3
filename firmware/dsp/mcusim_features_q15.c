/* mcusim_features_q15: the whole front end over a clip: for each frame, the frame, its MFCC
 * (or log-mel) row in q8.7, and that row quantized into the model's int8 input. */
#include "mcusim_dsp_support.h"

int32_t mcusim_features_q15(const mcusim_features_q15_config *c, const int16_t *audio,
                            int16_t *feat, int8_t *out, int16_t *frame, int32_t *tmp,
                            int16_t *row)
{
    const mcusim_mfcc_instance_q15 *m = c->mfcc;
    const uint32_t width = m->n_dct ? m->n_dct : m->n_mel;
    for (uint32_t f = 0; f < c->n_frames; f++) {
        mcusim_frame_q15(audio + f * c->frame_step, c->frame_len, m->fft_len, frame);
        int32_t rc = mcusim_mfcc_q15(m, frame, row, tmp);
        if (rc != 0)
            return rc;
        if (feat)
            memcpy(feat + f * width, row, width * sizeof(int16_t));
        mcusim_quantize_q15_s8(row, width, c->q_multiplier, c->q_shift, c->q_zero_point,
                               out + f * width);
    }
    return 0;
}
