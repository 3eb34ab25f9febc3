/* mcusim_sqrt_q31: square root of a q31 (arm_sqrt_q31): normalize to [0.25, 1), a 1/sqrt seed
 * from a table, three Newton steps on 1/sqrt in q28, multiply back, denormalize. */
#include "mcusim_dsp_support.h"

/* round(2^28 / sqrt(0.25 + i / 32)): 1/sqrt seeds in q28 for the top 6 bits of the normalized
 * input (indices 0..23 are reached) */
static const int32_t seed[24] = {
    536870912, 506166750, 480191942, 457845052, 438353264, 421156193, 405836263, 392075079,
    379625062, 368290407, 357913941, 348367849, 339546978, 331363921, 323745341, 316629190,
    309962566, 303700050, 297802400, 292235509, 286969573, 281978417, 277238947, 272730696,
};

int32_t mcusim_sqrt_q31(int32_t in)
{
    if (in <= 0)
        return 0;
    int32_t sign_bits = mcusim_clz((uint32_t)in) - 1;
    int32_t even = sign_bits & ~1;          /* shift by an even count: sqrt halves it */
    int32_t x = in << even;
    int32_t r = seed[(x >> 26) - 8];
    for (int k = 0; k < 3; k++) {
        int32_t t = mcusim_mul_shr(r, r, 28);
        t = mcusim_mul_shr(x, t, 31);
        t = 0x30000000 - t;                 /* 3 - x r^2, q28 */
        r = mcusim_mul_shr(r, t, 29);
    }
    r = mcusim_mul_shr(x, r, 28);
    return r >> (even / 2);
}
