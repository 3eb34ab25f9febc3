/* mcusim_mat_vec_mult_q31: dst[r] = (sum_c mat[r][c] * vec[c]) >> 31 with an exact 64-bit sum,
 * low word kept (arm_mat_vec_mult_q31), e.g. the DCT of the log-mel energies. */
#include "mcusim_dsp_support.h"

void mcusim_mat_vec_mult_q31(const int32_t *mat, uint32_t rows, uint32_t cols,
                             const int32_t *vec, int32_t *dst)
{
    for (uint32_t r = 0; r < rows; r++) {
        const int32_t *row = mat + r * cols;
        int64_t sum = 0;
        for (uint32_t c = 0; c < cols; c++)
            sum += (int64_t)row[c] * vec[c];       /* SMLAL */
        dst[r] = (int32_t)(sum >> 31);
    }
}
