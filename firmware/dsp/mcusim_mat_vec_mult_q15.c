/* mcusim_mat_vec_mult_q15: dst[r] = sat((sum_c mat[r][c] * vec[c]) >> 15) with an exact 64-bit
 * sum (arm_mat_vec_mult_q15), e.g. the DCT of the log-mel energies. */
#include "mcusim_dsp_support.h"

void mcusim_mat_vec_mult_q15(const int16_t *mat, uint32_t rows, uint32_t cols,
                             const int16_t *vec, int16_t *dst)
{
    for (uint32_t r = 0; r < rows; r++) {
        const int16_t *row = mat + r * cols;
        int64_t sum = 0;
        uint32_t c = 0;
#if MCUSIM_DSP_SIMD
        for (; c + 2 <= cols; c += 2)
            sum = __smlald(mcusim_read_q15x2(row + c), mcusim_read_q15x2(vec + c), sum);
#endif
        for (; c < cols; c++)
            sum += (int32_t)row[c] * vec[c];
        /* the reference saturates the low word of sum >> 15 */
        dst[r] = (int16_t)mcusim_ssat((int32_t)(sum >> 15), 16);
    }
}
