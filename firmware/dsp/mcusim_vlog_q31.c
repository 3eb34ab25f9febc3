/* mcusim_vlog_q31: natural log of q31 values, q5.26 out (arm_vlog_q31). log2 bit by bit:
 * normalize x to [1, 2) in q30, square it 31 times, each square >= 2 gives the next bit of
 * the fraction; subtract the normalization and multiply by ln 2. */
#include "mcusim_dsp_support.h"

#define LOG_BITS 31                 /* fraction bits computed */
#define LOG_INT_BITS 5              /* integer bits of the result */
#define LN2_Q31 0x58b90bfbu         /* ln(2) in q31 */

static int32_t log_q31(uint32_t src)
{
    int32_t c = mcusim_clz(src);
    uint32_t x = c - 1 < 0 ? src >> (1 - c) : src << (c - 1);   /* top bit at bit 30 */
    uint32_t inc = (1u << LOG_BITS) >> (LOG_INT_BITS + 1);
    uint32_t y = 0;
    for (int i = 0; i < LOG_BITS; i++) {
        x = (uint32_t)mcusim_mul_shr((int32_t)x, (int32_t)x, LOG_BITS - 1);    /* x < 2^31 */
        if (x >= (1u << LOG_BITS)) {
            y += inc;
            x >>= 1;
        }
        inc >>= 1;
    }
    /* wraps for src == 0 (c == 32) exactly as the reference's int arithmetic does */
    int32_t t = (int32_t)(y - ((uint32_t)c << (LOG_BITS - LOG_INT_BITS)));
    return mcusim_mul_shr(t, (int32_t)LN2_Q31, 31);
}

void mcusim_vlog_q31(const int32_t *src, int32_t *dst, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        dst[i] = log_q31((uint32_t)src[i]);
}
