/*
 * mcusim_nn_support.h - fixed-point helpers shared by the kernels (internal, header-only).
 *
 * These reproduce the integer arithmetic of TFLM's reference kernels (gemmlowp's fixedpoint
 * primitives and TFLite's double-rounding MultiplyByQuantizedMultiplier) so results are
 * bit-exact. Signed overflow that TFLM relies on to wrap is done in uint32_t (defined in C).
 */
#ifndef MCUSIM_NN_SUPPORT_H
#define MCUSIM_NN_SUPPORT_H

#include <stdint.h>

#define MCUSIM_MIN(a, b) ((a) < (b) ? (a) : (b))
#define MCUSIM_MAX(a, b) ((a) > (b) ? (a) : (b))
#define MCUSIM_CLAMP(x, lo, hi) MCUSIM_MIN(MCUSIM_MAX((x), (lo)), (hi))

/* DSP (SIMD) paths: on when the core has the DSP extension, unless the build asks for the
 * portable kernels only (-DMCUSIM_PORTABLE, e.g. `--kernels portable` to compare). */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && !defined(MCUSIM_PORTABLE)
#define MCUSIM_DSP 1
#include <arm_acle.h>
#else
#define MCUSIM_DSP 0
#endif

/* rotate right (the compiler emits ROR; sxtb16(ror(x, 8)) extracts bytes 1 and 3) */
static inline uint32_t mcusim_ror(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32u - n));
}

/* PKHBT/PKHTB by 16: low half of a with low half of b on top; high half of a over high of b */
static inline int32_t mcusim_pack_lo(int32_t a, int32_t b)
{
    return (int32_t)(((uint32_t)a & 0xFFFFu) | ((uint32_t)b << 16));
}

static inline int32_t mcusim_pack_hi(int32_t a, int32_t b)
{
    return (int32_t)(((uint32_t)a >> 16) | ((uint32_t)b & 0xFFFF0000u));
}

/* x << n with the wrap-around TFLM gets from `x * (1 << n)` */
static inline int32_t mcusim_shl(int32_t x, int n)
{
    return (int32_t)((uint32_t)x << n);
}

/* gemmlowp SaturatingRoundingDoublingHighMul (ARM VQRDMULH) */
static inline int32_t mcusim_srdhm(int32_t a, int32_t b)
{
    if (a == b && a == INT32_MIN) {
        return INT32_MAX;
    }
    const int64_t ab = (int64_t)a * (int64_t)b;
    const int64_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
    /* (ab + nudge) / 2^31 truncating toward zero, as the C++ original, but as a shift: a
     * negative dividend is biased by 2^31 - 1 first (a 64-bit division would be a libcall) */
    const int64_t x = ab + nudge;
    return (int32_t)((x + (x < 0 ? (((int64_t)1 << 31) - 1) : 0)) >> 31);
}

/* gemmlowp RoundingDivideByPOT: rounding arithmetic shift right, ties away from zero */
static inline int32_t mcusim_rdivpot(int32_t x, int exponent)
{
    const int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* TFLite MultiplyByQuantizedMultiplier (double rounding, TFLM's default build) */
static inline int32_t mcusim_requant(int32_t x, int32_t multiplier, int32_t shift)
{
    const int left = shift > 0 ? shift : 0;
    const int right = shift > 0 ? 0 : -shift;
    return mcusim_rdivpot(mcusim_srdhm(mcusim_shl(x, left), multiplier), right);
}

/* gemmlowp SaturatingRoundingMultiplyByPOT<exponent> for a positive exponent */
static inline int32_t mcusim_sat_shl(int32_t x, int exponent)
{
    const int32_t threshold = (int32_t)(((int64_t)1 << (31 - exponent)) - 1);
    if (x > threshold) {
        return INT32_MAX;
    }
    if (x < -threshold) {
        return INT32_MIN;
    }
    return mcusim_shl(x, exponent);
}

/* gemmlowp RoundingHalfSum for int32 */
static inline int32_t mcusim_rhalfsum(int32_t a, int32_t b)
{
    const int64_t sum = (int64_t)a + (int64_t)b;
    const int64_t sign = sum >= 0 ? 1 : -1;
    return (int32_t)((sum + sign) / 2);
}

static inline int32_t mcusim_wrap_add(int32_t a, int32_t b)
{
    return (int32_t)((uint32_t)a + (uint32_t)b);
}

static inline int32_t mcusim_wrap_sub(int32_t a, int32_t b)
{
    return (int32_t)((uint32_t)a - (uint32_t)b);
}

/* ---- gemmlowp transcendental functions on raw Q-format int32 values ---- */

/* exp(a) for a in [-1/4, 0), Q0.31 in and out */
static inline int32_t mcusim_exp_quarter(int32_t a)
{
    const int32_t constant_term = 1895147668;     /* exp(-1/8) */
    const int32_t constant_1_over_3 = 715827883;
    const int32_t x = mcusim_wrap_add(a, 1 << 28); /* a + 1/8 */
    const int32_t x2 = mcusim_srdhm(x, x);
    const int32_t x3 = mcusim_srdhm(x2, x);
    const int32_t x4 = mcusim_srdhm(x2, x2);
    const int32_t x4_over_4 = mcusim_rdivpot(x4, 2);
    const int32_t poly = mcusim_rdivpot(
        mcusim_wrap_add(mcusim_srdhm(mcusim_wrap_add(x4_over_4, x3), constant_1_over_3), x2), 1);
    return mcusim_wrap_add(constant_term, mcusim_srdhm(constant_term, mcusim_wrap_add(x, poly)));
}

/* exp(a) for a <= 0, a in Q(integer_bits), result Q0.31 */
static inline int32_t mcusim_exp_on_negative_values(int32_t a, int integer_bits)
{
    const int fractional_bits = 31 - integer_bits;
    const int32_t one_quarter = (int32_t)1 << (fractional_bits - 2);
    const int32_t mask = one_quarter - 1;
    const int32_t a_mod_quarter_minus_one_quarter = mcusim_wrap_sub(a & mask, one_quarter);
    /* Rescale<0> from Q(integer_bits): saturating multiply by 2^integer_bits */
    int32_t result = mcusim_exp_quarter(integer_bits > 0
                                            ? mcusim_sat_shl(a_mod_quarter_minus_one_quarter, integer_bits)
                                            : a_mod_quarter_minus_one_quarter);
    const int32_t remainder = mcusim_wrap_sub(a_mod_quarter_minus_one_quarter, a);
    static const int32_t multipliers[7] = {1672461947, 1302514674, 790015084, 290630308,
                                           39332535, 720401, 242};
    for (int k = 0; k < 7; k++) {
        const int exponent = k - 2;
        if (integer_bits > exponent) {
            const int shift_amount = fractional_bits + exponent;
            if (remainder & ((int32_t)1 << shift_amount)) {
                result = mcusim_srdhm(result, multipliers[k]);
            }
        }
    }
    if (integer_bits > 5) {
        const int32_t clamp = -((int32_t)1 << (36 - integer_bits)); /* -32.0 */
        if (a < clamp) {
            result = 0;
        }
    }
    if (a == 0) {
        result = INT32_MAX;
    }
    return result;
}

/* 1 / (1 + a) for a in (0, 1): Q0.31 in and out (Newton-Raphson as gemmlowp) */
static inline int32_t mcusim_one_over_one_plus_x(int32_t a)
{
    const int32_t half_denominator = mcusim_rhalfsum(a, INT32_MAX);
    const int32_t c48_17 = 1515870810;    /* Q2.29 */
    const int32_t cm32_17 = -1010580540;  /* Q2.29 */
    int32_t x = mcusim_wrap_add(c48_17, mcusim_srdhm(half_denominator, cm32_17));
    for (int i = 0; i < 3; i++) {
        const int32_t hdx = mcusim_srdhm(half_denominator, x);            /* Q2 */
        const int32_t one_minus = mcusim_wrap_sub((int32_t)1 << 29, hdx);  /* Q2 */
        x = mcusim_wrap_add(x, mcusim_sat_shl(mcusim_srdhm(x, one_minus), 2));
    }
    /* Rescale<0>(ExactMulByPot<-1>(x)): Q1 -> Q0, saturating shift left by 1 */
    return mcusim_sat_shl(x, 1);
}

/* (1 - a) / (1 + a) for a in (0, 1): Q0.31 in and out */
static inline int32_t mcusim_one_minus_x_over_one_plus_x(int32_t a)
{
    const int32_t half_denominator = mcusim_rhalfsum(a, INT32_MAX);
    const int32_t c48_17 = 1515870810;
    const int32_t cm32_17 = -1010580540;
    int32_t x = mcusim_wrap_add(c48_17, mcusim_srdhm(half_denominator, cm32_17));
    for (int i = 0; i < 3; i++) {
        const int32_t hdx = mcusim_srdhm(half_denominator, x);
        const int32_t one_minus = mcusim_wrap_sub((int32_t)1 << 29, hdx);
        x = mcusim_wrap_add(x, mcusim_sat_shl(mcusim_srdhm(x, one_minus), 2));
    }
    /* Rescale<0>(x - 1) from Q2 */
    return mcusim_sat_shl(mcusim_wrap_sub(x, (int32_t)1 << 29), 2);
}

/* gemmlowp logistic(a), a in Q(integer_bits), result Q0.31 */
static inline int32_t mcusim_logistic_fp(int32_t a, int integer_bits)
{
    if (a == 0) {
        return (int32_t)1 << 30;
    }
    const int32_t abs_a = a > 0 ? a : (int32_t)(0u - (uint32_t)a);
    const int32_t pos = mcusim_one_over_one_plus_x(
        mcusim_exp_on_negative_values((int32_t)(0u - (uint32_t)abs_a), integer_bits));
    return a > 0 ? pos : mcusim_wrap_sub(INT32_MAX, pos);
}

/* gemmlowp tanh(a), a in Q(integer_bits), result Q0.31 */
static inline int32_t mcusim_tanh_fp(int32_t a, int integer_bits)
{
    if (a == 0) {
        return 0;
    }
    const int32_t n = a < 0 ? a : (int32_t)(0u - (uint32_t)a);
    /* ExactMulByPot<1>: same raw value, one more integer bit */
    const int32_t t = mcusim_one_minus_x_over_one_plus_x(
        mcusim_exp_on_negative_values(n, integer_bits + 1));
    return a < 0 ? (int32_t)(0u - (uint32_t)t) : t;
}

#endif /* MCUSIM_NN_SUPPORT_H */
