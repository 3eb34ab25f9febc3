/* MUL int8 (TFLM reference): (a + off1) * (b + off2) requantized once; broadcasting as ADD. */
#include "mcusim_nn.h"
#include "mcusim_nn_support.h"

static int8_t mul_one(const mcusim_mul_params *p, int32_t a, int32_t b)
{
    const int32_t prod = (p->input1_offset + a) * (p->input2_offset + b);
    int32_t out = p->output_offset + mcusim_requant(prod, p->output_multiplier, p->output_shift);
    return (int8_t)MCUSIM_CLAMP(out, p->activation.min, p->activation.max);
}

/* Same shape (no broadcast): |prod| <= 255^2 < 2^16, so the requantization and the output
 * offset take TFLM's two roundings merged: one SMMLAR + ASR with the DSP extension
 * (mcusim_requant_smmlar, 1 <= r <= 22), on ARMv6-M the 9 + 11 + 11-bit split multiplier
 * (mcusim_requant_split11, 1 <= r <= 13) instead of the 16 x 16 partial products. Other shifts,
 * and the portable build on DSP cores, take the reference loop (ARMv6-M builds are always
 * -DMCUSIM_PORTABLE, so the split path cannot follow that flag). Returns 0 when not applied. */
static int32_t mul_same_fast(const mcusim_mul_params *p, int32_t size, const int8_t *in1,
                             const int8_t *in2, int8_t *output)
{
    const int32_t o1 = p->input1_offset, o2 = p->input2_offset, off = p->output_offset;
    const int32_t m = p->output_multiplier, r = -p->output_shift;
    const int32_t lo = p->activation.min, hi = p->activation.max;
#if MCUSIM_DSP
    if (r < 1 || r > 22) {
        return 0;
    }
    const int32_t a = (1 << (r - 1)) + (int32_t)((uint32_t)off << r);
    for (int32_t i = 0; i < size; i++) {
        const int32_t prod = (in1[i] + o1) * (in2[i] + o2);
        int32_t o = mcusim_requant_smmlar(2 * prod, m, a, r);
        o = o < lo ? lo : o;
        o = o > hi ? hi : o;
        output[i] = (int8_t)o;
    }
    return 1;
#elif defined(__ARM_ARCH_6M__)
    if (r < 1 || r > 13) {
        return 0;
    }
    const int32_t q[5] = {m >> 22, (m >> 11) & 0x7FF, m & 0x7FF,
                          (1 << 8) + (1 << (8 + r)) + (int32_t)((uint32_t)off << (9 + r)), 9 + r};
    for (int32_t i = 0; i < size; i++) {
        const int32_t prod = (in1[i] + o1) * (in2[i] + o2);
        int32_t o = mcusim_requant_split11(prod, q);
        o = o < lo ? lo : o;
        o = o > hi ? hi : o;
        output[i] = (int8_t)o;
    }
    return 1;
#else
    (void)o1, (void)o2, (void)off, (void)m, (void)r, (void)lo, (void)hi;
    (void)size, (void)in1, (void)in2, (void)output;
    return 0;
#endif
}

mcusim_status mcusim_mul_s8(const mcusim_mul_params *params, const mcusim_broadcast *bcast,
                            int32_t size, const int8_t *input1, const int8_t *input2,
                            int8_t *output)
{
    if (!bcast && mul_same_fast(params, size, input1, input2, output)) {
        return MCUSIM_OK;
    }
    MCUSIM_BINARY_WALK_S8(mul_one, params, bcast, size, input1, input2, output);
    return MCUSIM_OK;
}
