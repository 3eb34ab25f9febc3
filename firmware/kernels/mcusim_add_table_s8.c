/* ADD int8 of two same-shape inputs (no broadcast), the compiler's choice on DSP cores and
 * ARMv6-M. TFLM scales each input on its own: s_i = MultiplyByQuantizedMultiplierSmallerThanOneExp(
 * (x_i + offset_i) << left_shift, m_i, shift_i), a function of the int8 value alone, so the
 * build computes both for all 256 values (sim/mcusim/compiler/ops/add.py, add_tables) and the
 * loop is two table loads, one add and the output requantization of s_1 + s_2 - bit-exact.
 * Tables hold 2 s_i (|s_1 + s_2| < 2^29): on DSP cores the output requantization, both TFLM
 * roundings and the output offset, is one SMMLAR + ASR (mcusim_requant_smmlar) when
 * 1 <= r <= 22 (p->r, else 0: the generic mcusim_requant). ARMv6-M has no 64-bit product
 * (mcusim_requant takes four MULS and the carries): there the output is found from build-time
 * thresholds of 2 s instead (q != 0), exact by construction. */
#include "mcusim_nn.h"
#include "mcusim_nn_support.h"

mcusim_status mcusim_add_table_s8(const mcusim_add_table_params *params, int32_t size,
                                  const int8_t *input1, const int8_t *input2, int8_t *output)
{
    /* everything in locals: the output stores could alias *params for the compiler */
    const int32_t *t1 = params->table, *t2 = params->table + 256;
    const uint8_t *a = (const uint8_t *)input1, *b = (const uint8_t *)input2;
    const int32_t lo = params->activation.min, hi = params->activation.max;
    const int32_t m = params->output_multiplier;
#if MCUSIM_DSP
    if (params->r) {
        const int32_t acc = params->a, r = params->r;
        const uint8_t *end = a + size;
        uint8_t *out = (uint8_t *)output;
        while (a < end) {   /* pointer walk, clamp by compares: no spills on the M4 */
            int32_t o = mcusim_requant_smmlar(t1[*a++] + t2[*b++], m, acc, r);
            o = o < lo ? lo : o;
            o = o > hi ? hi : o;
            *out++ = (uint8_t)o;
        }
        return MCUSIM_OK;
    }
#endif
    const uint8_t *end = a + size;
    uint8_t *out = (uint8_t *)output;
    if (params->q) {
        /* the output is a nondecreasing step function of 2 s: a 32-bit guess of its step,
         * moved to the exact one by the thresholds (a step or none for a guess from 15 bits) */
        const int32_t *th = params->table + 512;
        const int32_t q = params->q, qb = params->qb, qj = params->qj, n = params->steps;
        (void)t2;
        for (int32_t k = 0; k < size; k++) {    /* one index for the three streams */
            const int32_t x2 = t1[a[k]] + t1[256 + b[k]];
            int32_t i = ((x2 >> 15) * q + qb) >> qj;
            i = i < 0 ? 0 : i;
            i = i > n ? n : i;
            const int32_t *t = th + i;
            while (x2 >= t[1]) {
                t++;
            }
            while (x2 < t[0]) {
                t--;
            }
            out[k] = (uint8_t)(lo + (int32_t)(t - th));
        }
        return MCUSIM_OK;
    }
    const int32_t shift = params->output_shift, off = params->output_offset;
    while (a < end) {
        int32_t o = mcusim_requant((t1[*a++] + t2[*b++]) >> 1, m, shift) + off;
        o = o < lo ? lo : o;
        o = o > hi ? hi : o;
        *out++ = (uint8_t)o;
    }
    return MCUSIM_OK;
}
