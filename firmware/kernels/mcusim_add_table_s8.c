/* ADD int8 of two same-shape inputs (no broadcast), the compiler's choice on DSP cores and
 * ARMv6-M. TFLM scales each input on its own: s_i = MultiplyByQuantizedMultiplierSmallerThanOneExp(
 * (x_i + offset_i) << left_shift, m_i, shift_i), a function of the int8 value alone, so the
 * build computes both for all 256 values (sim/mcusim/compiler/ops/add.py, add_tables) and the
 * loop is two table loads, one add and the output requantization of s_1 + s_2 - bit-exact.
 * Tables hold 2 s_i (|s_1 + s_2| < 2^29): on DSP cores the output requantization, both TFLM
 * roundings and the output offset, is one SMMLAR + ASR (mcusim_requant_smmlar) when
 * 1 <= r <= 22 (p->r, else 0: the generic mcusim_requant). */
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
    const int32_t shift = params->output_shift, off = params->output_offset;
    const uint8_t *end = a + size;
    uint8_t *out = (uint8_t *)output;
    while (a < end) {
        int32_t o = mcusim_requant((t1[*a++] + t2[*b++]) >> 1, m, shift) + off;
        o = o < lo ? lo : o;
        o = o > hi ? hi : o;
        *out++ = (uint8_t)o;
    }
    return MCUSIM_OK;
}
