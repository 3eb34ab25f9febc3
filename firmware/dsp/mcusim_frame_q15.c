/* mcusim_frame_q15: one analysis frame: frame_len samples, zero-padded to the FFT length
 * (as tf.signal.stft pads a frame to fft_length). */
#include "mcusim_dsp_support.h"

void mcusim_frame_q15(const int16_t *audio, uint32_t frame_len, uint32_t fft_len, int16_t *frame)
{
    memcpy(frame, audio, frame_len * sizeof(int16_t));
    memset(frame + frame_len, 0, (fft_len - frame_len) * sizeof(int16_t));
}
