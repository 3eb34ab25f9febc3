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

#include "mcusim_nn.h"

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

#if MCUSIM_DSP
/* 1 on a Cortex-M7, whose dual issue wants its own loop schedules. mcusim's builds name the core
 * (-DMCUSIM_CORE_M7=0/1, toolchain.py), so the other core's schedules are dropped at compile time
 * and not linked; a build without it asks CPUID.PARTNO (SCB 0xE000ED00, bits 15:4 = 0xC27) once. */
static inline int32_t mcusim_core_is_m7(void)
{
#if defined(MCUSIM_CORE_M7)
    return MCUSIM_CORE_M7;
#else
    static int8_t m7 = -1;
    if (m7 < 0) {
        m7 = (int8_t)(((*(volatile const uint32_t *)0xE000ED00u >> 4) & 0xFFFu) == 0xC27u);
    }
    return m7;
#endif
}

/* SXTB16 with its rotate operand: bytes 1 and 3 sign-extended into two int16 lanes in one
 * instruction (gcc does not fold a separate rotate into the ACLE intrinsic) */
static inline int32_t mcusim_sxtb16_ror8(int32_t x)
{
    int32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
    return r;
}
#endif

/* x << n with the wrap-around TFLM gets from `x * (1 << n)` */
static inline int32_t mcusim_shl(int32_t x, int n)
{
    return (int32_t)((uint32_t)x << n);
}

/* floor((a * b + 2^30) / 2^31): the rounding doubling high multiply without its saturation.
 * gemmlowp computes (ab + nudge) / 2^31 truncating toward zero with nudge = 2^30 for ab >= 0 and
 * 1 - 2^30 below; for ab < 0 that is -floor((|ab| + 2^30 - 1) / 2^31) = floor((ab + 2^30) / 2^31)
 * (ties round up in both forms), so one rounding shift of the 64-bit product is exact for every
 * a, b except a == b == INT32_MIN (the caller's saturation case).
 * ARMv7-M/v8-M: one SMLAL with the rounding constant preloaded. ARMv6-M has no 32x32->64
 * multiply (gcc calls __aeabi_lmul): four 16x16 MULS partial products, each of which fits in 32
 * bits, summed exactly into a two-word result (carries by compare). tests/test_kernels_fixedpoint.py
 * checks both forms against gemmlowp's on the host; test_kernels_arm.py runs this one on the M0+. */
static inline int32_t mcusim_mulhi_round(int32_t a, int32_t b)
{
#if defined(__ARM_ARCH_6M__)
    const uint32_t al = (uint32_t)a & 0xFFFFu, bl = (uint32_t)b & 0xFFFFu;
    const int32_t ah = a >> 16, bh = b >> 16;
    uint32_t lo = al * bl;                                  /* < 2^32 */
    int32_t hi = ah * bh;                                   /* |.| <= 2^30 */
    /* cross terms, |.| < 2^31; the rounding 2^30 = 2^14 << 16 rides on the first one */
    const int32_t lh = (int32_t)al * bh + (1 << 14);
    const int32_t hl = ah * (int32_t)bl;
    uint32_t t = (uint32_t)lh << 16;
    lo += t;
    hi += (lh >> 16) + (lo < t ? 1 : 0);                    /* carry out of the low word */
    t = (uint32_t)hl << 16;
    lo += t;
    hi += (hl >> 16) + (lo < t ? 1 : 0);
    return (int32_t)(((uint32_t)hi << 1) | (lo >> 31));
#else
    return (int32_t)(((int64_t)a * (int64_t)b + (1 << 30)) >> 31);
#endif
}

/* gemmlowp SaturatingRoundingDoublingHighMul (ARM VQRDMULH) */
static inline int32_t mcusim_srdhm(int32_t a, int32_t b)
{
    if (a == b && a == INT32_MIN) {
        return INT32_MAX;
    }
    return mcusim_mulhi_round(a, b);
}

/* gemmlowp RoundingDivideByPOT: rounding arithmetic shift right, ties away from zero
 * (exponent 0..31; 32-bit mask: 1u << 31 is defined) */
static inline int32_t mcusim_rdivpot(int32_t x, int exponent)
{
    const int32_t mask = (int32_t)((1u << exponent) - 1u);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (int32_t)((uint32_t)x >> 31);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* TFLite MultiplyByQuantizedMultiplier (double rounding, TFLM's default build). The multiplier
 * comes from QuantizeMultiplier: in [0, 2^31), never INT32_MIN, so the high multiply cannot
 * saturate and its test is left out; its result x is then > INT32_MIN. Portable path (M0+, M3,
 * MCUSIM_PORTABLE): RoundingDivideByPOT by e >= 1 is floor((x - [x < 0]) / 2^e + 1/2), ties
 * away from zero; with x' = x - [x < 0] (no overflow as x > INT32_MIN) and y = x' >> (e - 1),
 * that is (y >> 1) + (y & 1), without the sum x' + 2^(e-1) that could overflow. (tests:
 * test_kernels_fixedpoint.py on the host, which builds this path.) */
static inline int32_t mcusim_requant(int32_t x, int32_t multiplier, int32_t shift)
{
#if MCUSIM_DSP
    /* branch-free (measured faster where the high multiply is one SMLAL): left = max(shift, 0)
     * by BIC with the sign, right = left - shift, RoundingDivideByPOT with its mask */
    const int32_t left = shift & ~(shift >> 31);
    const int32_t right = left - shift;
    return mcusim_rdivpot(mcusim_mulhi_round(mcusim_shl(x, left), multiplier), right);
#else
    if (shift >= 0) {
        return mcusim_mulhi_round(mcusim_shl(x, shift), multiplier);
    }
    const int32_t h = mcusim_mulhi_round(x, multiplier);
    const int32_t y = (h + (h >> 31)) >> (-shift - 1);
    return (y >> 1) + (y & 1);
#endif
}

/* MultiplyByQuantizedMultiplier(x, m, -r) + out_off for 1 <= r <= 22 and |x| < 2^30, from the
 * doubled accumulator x2 = 2x, in one SMMLAR (+ ASR): TFLM's two roundings,
 * floor((x m + 2^30) / 2^31) then ties away from zero by 2^r, are floor((x m + K) / 2^(31+r))
 * with K = 2^30 + 2^(30+r) - [x<0] 2^31 (nested floors of integer divisions merge; the [x<0]
 * term is RoundingDivideByPOT's larger threshold for negatives, and using x's sign for the
 * product's is exact because both give 0 whenever they differ), and out_off 2^(31+r) added to
 * K adds out_off. Doubled, that is floor((A 2^32 + x2 m + 2^31) / 2^32) >> r with
 * A = a - [x<0], a = 2^(r-1) + out_off 2^r: SMMLAR(x2, m, A) then ASR by r. The packed CONV_2D
 * kernels precompute a per channel at build time (sim/mcusim/compiler/ops/conv_pack.py) and
 * run these instructions in assembly; tests/test_kernels_fixedpoint.py checks this function
 * against the definition. */
static inline int32_t mcusim_requant_smmlar(int32_t x2, int32_t m, int32_t a, int32_t r)
{
    const int32_t acc = a - (int32_t)((uint32_t)x2 >> 31);
#if MCUSIM_DSP
    int32_t t;
    __asm__("smmlar %0, %1, %2, %3" : "=r"(t) : "r"(x2), "r"(m), "r"(acc));
    return t >> r;
#else
    const int64_t t = (int64_t)((uint64_t)(uint32_t)acc << 32) + (int64_t)x2 * m +
                      (int64_t)0x80000000;
    return (int32_t)(t >> 32) >> r;
#endif
}

/* MultiplyByQuantizedMultiplier(x, m, -r) + out_off for |x| < 2^20 and 1 <= r <= 13 without a
 * 64-bit product (ARMv6-M has none): m split into 9 + 11 + 11 bits, m = m2 2^22 + m1 2^11 + m0,
 * so x m2, x m1, x m0 fit in int32, and floor((x m + K) / 2^(31+r)) (the two roundings merged,
 * as in mcusim_requant_smmlar; K = 2^30 + 2^(30+r) - [x<0] 2^31 + out_off 2^(31+r) is a multiple
 * of 2^22) is (x m2 + ((x m1 + (x m0 >> 11)) >> 11) + K / 2^22) >> (9 + r) by nested floors.
 * q = {m2, m1, m0, k22, 9 + r} per channel with k22 = K / 2^22 for x >= 0, built by
 * sim/mcusim/compiler/ops/conv_pack.py (split11_table) when the weights bound |x|; five MULS-class
 * instructions instead of the 16 x 16 partial products of mcusim_mulhi_round.
 * tests/test_kernels_fixedpoint.py checks it against the definition. */
static inline int32_t mcusim_requant_split11(int32_t x, const int32_t *q)
{
    const int32_t t1 = x * q[1] + ((x * q[2]) >> 11);
    return (x * q[0] + (t1 >> 11) + q[3] + (x >> 31) * 512) >> q[4];
}

/* The same for |x| < 2^22 and 1 <= r <= 13 (AD's fully connected sums reach 2^21): m in four
 * bytes, m = m3 2^24 + m2 2^16 + m1 2^8 + m0, so every x m_i fits int32, and
 * floor((x m + K) / 2^(31+r)) = (x m3 + ((x m2 + ((x m1 + (x m0 >> 8)) >> 8)) >> 8) + K / 2^24)
 * >> (7 + r) by nested floors (K as for split11, a multiple of 2^24). q = {m3, m2, m1, m0, k24,
 * 7 + r} per channel, k24 = K / 2^24 for x >= 0 (sim/mcusim/compiler/ops/fc_pack.py,
 * split8_table); four MULS. tests/test_kernels_fixedpoint.py checks it against the definition. */
static inline int32_t mcusim_requant_split8(int32_t x, const int32_t *q)
{
    const int32_t t1 = x * q[2] + ((x * q[3]) >> 8);
    const int32_t t2 = x * q[1] + (t1 >> 8);
    return (x * q[0] + (t2 >> 8) + q[4] + (x >> 31) * 128) >> q[5];
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

/* The taps k in [*k0, *k1) of a window starting at `start` with `taps` taps `dilation` apart
 * that fall inside [0, size): computed once per output pixel instead of tested per tap. */
static inline void mcusim_clip_window(int32_t start, int32_t taps, int32_t dilation, int32_t size,
                                      int32_t *k0, int32_t *k1)
{
    int32_t lo = start >= 0 ? 0 : (-start + dilation - 1) / dilation;
    int32_t hi = start + dilation * (taps - 1) < size ? taps
                 : (size - 1 - start >= 0 ? (size - 1 - start) / dilation + 1 : 0);
    *k0 = lo;
    *k1 = hi > lo ? hi : lo;
}

/* ---- dot products shared by the convolutions and FULLY_CONNECTED ----
 * One int8 vector against two int8 rows at once, so each input word is loaded and widened once.
 * With DSP: __sxtb16 widens bytes 0,2 and (rotated) 1,3 into int16 pairs, __smlad adds two
 * products per instruction. Row sums (for folding an input offset) only when sum0 != NULL. */
#define MCUSIM_INLINE static inline __attribute__((always_inline))

MCUSIM_INLINE void mcusim_dot2_s8(const int8_t *x, const int8_t *w0, const int8_t *w1, int32_t n,
                                  int32_t *acc0, int32_t *acc1, int32_t *sum0, int32_t *sum1)
{
    int32_t a0 = 0, a1 = 0, s0 = 0, s1 = 0;
    int32_t k = 0;
#if MCUSIM_DSP
    for (; k + 4 <= n; k += 4) {
        int32_t xv, v0, v1;
        __builtin_memcpy(&xv, x + k, 4);
        __builtin_memcpy(&v0, w0 + k, 4);
        __builtin_memcpy(&v1, w1 + k, 4);
        const int32_t x02 = __sxtb16(xv), x13 = mcusim_sxtb16_ror8(xv);
        const int32_t f02 = __sxtb16(v0), f13 = mcusim_sxtb16_ror8(v0);
        const int32_t g02 = __sxtb16(v1), g13 = mcusim_sxtb16_ror8(v1);
        a0 = __smlad(x02, f02, a0);
        a0 = __smlad(x13, f13, a0);
        a1 = __smlad(x02, g02, a1);
        a1 = __smlad(x13, g13, a1);
        if (sum0) {
            s0 = __smlad(f02, 0x00010001, s0);
            s0 = __smlad(f13, 0x00010001, s0);
            s1 = __smlad(g02, 0x00010001, s1);
            s1 = __smlad(g13, 0x00010001, s1);
        }
    }
#endif
    for (; k < n; k++) {
        a0 += w0[k] * x[k];
        a1 += w1[k] * x[k];
        if (sum0) {
            s0 += w0[k];
            s1 += w1[k];
        }
    }
    *acc0 = a0;
    *acc1 = a1;
    if (sum0) {
        *sum0 = s0;
        *sum1 = s1;
    }
}

MCUSIM_INLINE void mcusim_dot1_s8(const int8_t *x, const int8_t *w0, int32_t n, int32_t *acc0,
                                  int32_t *sum0)
{
    int32_t a0 = 0, s0 = 0;
    int32_t k = 0;
#if MCUSIM_DSP
    for (; k + 4 <= n; k += 4) {
        int32_t xv, v0;
        __builtin_memcpy(&xv, x + k, 4);
        __builtin_memcpy(&v0, w0 + k, 4);
        const int32_t x02 = __sxtb16(xv), x13 = mcusim_sxtb16_ror8(xv);
        const int32_t f02 = __sxtb16(v0), f13 = mcusim_sxtb16_ror8(v0);
        a0 = __smlad(x02, f02, a0);
        a0 = __smlad(x13, f13, a0);
        if (sum0) {
            s0 = __smlad(f02, 0x00010001, s0);
            s0 = __smlad(f13, 0x00010001, s0);
        }
    }
#endif
    for (; k < n; k++) {
        a0 += w0[k] * x[k];
        if (sum0) {
            s0 += w0[k];
        }
    }
    *acc0 = a0;
    if (sum0) {
        *sum0 = s0;
    }
}

/* n words of packed records from flash into RAM (dst); returns dst */
static inline const int32_t *mcusim_copy_records(int32_t *dst, const int32_t *src, int32_t n)
{
    for (int32_t i = 0; i < n; i++) {
        dst[i] = src[i];
    }
    return dst;
}

/* ---- packed-weight CONV_2D (DSP builds; mcusim_mat_mult_packed_s8.c) ----
 * int16 index of column element k of pixel p (of four) in the im2col scratch: quads of
 * elements, pairs (0, 2) and (1, 3) in SXTB16 order, the four pixels' words side by side. */
#define MCUSIM_COL4_SLOT(k, p) \
    (((k) >> 2) * 16 + ((k) & 1) * 8 + (p) * 2 + (((k) >> 1) & 1))
/* column length padded to the core's block of eight elements */
#define MCUSIM_PACKED_DEPTH(n) (((n) + 7) & ~7)
/* four pixels' columns (npx of them real; fewer than four only in a layer of fewer than four
 * output pixels) x every channel: packed = the record stream of
 * sim/mcusim/compiler/ops/conv_pack.py (bias, doubled int16 rows, requantization) */
void mcusim_mat_mult_packed_s8(const int16_t *cols, int32_t depth, int32_t npx,
                               const int32_t *packed, const mcusim_activation *act,
                               int32_t out_c, int8_t *out);
/* ngroups groups of npx[g] pixels (columns 4 depth int16 apart, outputs back to back) x every
 * channel pair, block_pairs records at a time for all groups (each block read from flash once) */
void mcusim_mat_mult_packed_groups_s8(const int16_t *cols, int32_t depth, int32_t ngroups,
                                      const int8_t *npx, const int32_t *packed,
                                      const mcusim_activation *act, int32_t out_c,
                                      int32_t block_pairs, int8_t *out);
/* the same with the record loops of a layer's table (mcusim_nn.h, the Cortex-M33's pointwise
 * blocks; depth a multiple of 32) */
void mcusim_mat_mult_packed_groups_pw_s8(const int16_t *cols, int32_t depth, int32_t ngroups,
                                         const int8_t *npx, const int32_t *packed,
                                         const mcusim_activation *act, int32_t out_c,
                                         int32_t block_pairs, int8_t *out,
                                         const mcusim_pw_block_loops *loops);
/* most groups of four pixels gathered per call of the groups kernel */
#define MCUSIM_PACKED_MAX_GROUPS 16
/* scratch of the packed kernels: four int16 columns */
#define MCUSIM_PACKED_COLS_BYTES(n) (4 * MCUSIM_PACKED_DEPTH(n) * 2)
#if MCUSIM_DSP
/* `runs` runs of args[0] quads of int8 from ip widened into column slots from c32 (a pixel's
 * slots: (int32_t *)cols + p, 8 words per quad), args[3] (the input offset in both int16
 * lanes) added unless it is 0; after each run ip += args[1] and c32 += args[2] bytes, both from
 * just past the run (a window's rows: 0 for c32; four pixels: 4 - 32 quads). Returns c32. */
int32_t *mcusim_widen_runs_s8(int32_t *c32, const int8_t *ip, int32_t runs, const int32_t *args);
/* args[0] pixels' 3x3 windows over 3 channels (27 bytes, the zero point args[3] >> 24 as the
 * 28th) widened with args[2] into slots c32, c32 + 1, ..; the first window at ip, args[1] bytes
 * between windows, `stride` bytes between window rows (mcusim_mat_mult_packed_s8.c) */
void mcusim_widen_rgb3x3_s8(int32_t *c32, const int8_t *ip, int32_t stride, const int32_t *args);
/* mcusim_widen_rgb3x3_s8 with no offset added (folded into the bias) and no eighth quad:
 * args {pixels, window step, zp << 24} */
void mcusim_widen_rgb3x3_raw_s8(int32_t *c32, const int8_t *ip, int32_t stride,
                                const int32_t *args);
/* four pixels' columns of 28 elements x args[0] channel pairs of 144-byte records (args[1] =
 * out_c), SSAT to int8 */
void mcusim_mm4x2_rq_q7_s16(const int16_t *x, const int32_t *rec, const int32_t *args,
                            int8_t *out);
/* args[3] groups of four 3x3x3 windows inside the image along a row from in (the two calls
 * above fused): args {records, pairs, out_c, groups, row stride, window step, zp << 24} */
void mcusim_rgb_row_q7_s16(const int8_t *in, int16_t *cols, const int32_t *args, int8_t *out);
/* the same for 8 and 16 output channels (outputs stored at immediate offsets) */
void mcusim_rgb_row_q7_o8_s16(const int8_t *in, int16_t *cols, const int32_t *args, int8_t *out);
void mcusim_rgb_row_q7_o16_s16(const int8_t *in, int16_t *cols, const int32_t *args,
                               int8_t *out);
/* mcusim_convolve_rgb3x3_s2_r_s8's routines, over row slots of MCUSIM_RGB_S2_SLOT bytes
 * (mcusim_nn.h: int16 elements of one input row widened in natural order; the row routine reads
 * its three rows at immediate offsets): n16 times 16 int8 from in widened into dst (and dst2
 * unless 0), and groups of four output pixels of one row from the slots at rows (8 channels,
 * prescaled records rec) */
void mcusim_rgb_widen_s16(const int8_t *in, int16_t *dst, int32_t n16, int16_t *dst2);
void mcusim_rgb_s2_row_o8_s16(const int16_t *rows, const int32_t *rec, int32_t groups,
                              int8_t *out);
/* 1x1, stride 1, 8 (g8) or 16 (g16) input channels, offset folded: args[3] groups of four
 * contiguous pixels from in, each widened into cols and run against args[1] channel pairs of
 * records args[0] (args[2] = out_c), SSAT to int8, outputs from out on */
void mcusim_conv1x1_g8_s16(const int8_t *in, int16_t *cols, const int32_t *args, int8_t *out);
void mcusim_conv1x1_g16_s16(const int8_t *in, int16_t *cols, const int32_t *args, int8_t *out);
/* the same for 8 -> 16 and 16 -> 32 channels (outputs stored at immediate offsets) */
void mcusim_conv1x1_g8_o16_s16(const int8_t *in, int16_t *cols, const int32_t *args,
                               int8_t *out);
void mcusim_conv1x1_g16_o32_s16(const int8_t *in, int16_t *cols, const int32_t *args,
                                int8_t *out);
/* four contiguous pixels of 8 channels (32 bytes at ip, input offset folded) widened into the
 * column slots of pixels 0..3 (mcusim_mat_mult_packed_s8.c) */
void mcusim_widen4x8_s8(int32_t *cols, const int8_t *ip);
/* n4 quads of one pixel's column slots set to 0 (taps outside the image, input offset added) */
int32_t *mcusim_zero_quads_s8(int32_t *c32, int32_t n4);
#endif

/* clamp to the activation range and narrow */
MCUSIM_INLINE int8_t mcusim_clamp8(int32_t v, int32_t lo, int32_t hi)
{
    v = v < lo ? lo : v;
    v = v > hi ? hi : v;
    return (int8_t)v;
}

/* requantize one accumulator and clamp: the common epilogue of conv / FC */
MCUSIM_INLINE int8_t mcusim_finish(int32_t acc, int32_t m, int32_t s, int32_t out_off,
                                   int32_t lo, int32_t hi)
{
    acc = mcusim_requant(acc, m, s) + out_off;
    acc = acc < lo ? lo : acc;      /* one compare and one conditional move per bound */
    acc = acc > hi ? hi : acc;
    return (int8_t)acc;
}

/* The ARMv6-M pairs kernels' epilogue (1x1 and im2col): a 2x2 block, acc = {a c0, a c1, b c0,
 * b c1} for pixels a, b and channels oc, oc + 1, requantized with the split multiplier when
 * `rq` (5 constants per channel) is given, else as mcusim_finish; pixel b only when `two`. */
MCUSIM_INLINE void mcusim_store_2x2(const int32_t acc[4], int32_t oc, const int32_t *rq,
                                    const int32_t *mult, const int32_t *shift, int32_t pc,
                                    int32_t out_off, int32_t lo, int32_t hi, int32_t two,
                                    int8_t *const outs[2])
{
    if (rq) {
        const int32_t *q0 = rq + 5 * oc, *q1 = q0 + 5;
        outs[0][oc] = mcusim_clamp8(mcusim_requant_split11(acc[0], q0), lo, hi);
        outs[0][oc + 1] = mcusim_clamp8(mcusim_requant_split11(acc[1], q1), lo, hi);
        if (two) {
            outs[1][oc] = mcusim_clamp8(mcusim_requant_split11(acc[2], q0), lo, hi);
            outs[1][oc + 1] = mcusim_clamp8(mcusim_requant_split11(acc[3], q1), lo, hi);
        }
        return;
    }
    const int32_t m0 = mult[oc * pc], s0 = shift[oc * pc];
    const int32_t m1 = mult[(oc + 1) * pc], s1 = shift[(oc + 1) * pc];
    outs[0][oc] = mcusim_finish(acc[0], m0, s0, out_off, lo, hi);
    outs[0][oc + 1] = mcusim_finish(acc[1], m1, s1, out_off, lo, hi);
    if (two) {
        outs[1][oc] = mcusim_finish(acc[2], m0, s0, out_off, lo, hi);
        outs[1][oc + 1] = mcusim_finish(acc[3], m1, s1, out_off, lo, hi);
    }
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

/* ---- LOGISTIC, TANH (TFLM reference) ----
 * x = input - zero point; beyond the input radius the output saturates (-128 / 127), inside it
 * x is rescaled to Q4.27 and f(x) (Q0.31) goes out rounded to `out_bits` fractional bits plus
 * `out_offset`. Always inlined, so f is a direct call. */
MCUSIM_INLINE void mcusim_sigmoid_like_s8(const mcusim_sigmoid_params *params, int32_t size,
                                          const int8_t *input, int8_t *output,
                                          int32_t (*f)(int32_t, int), int out_bits,
                                          int32_t out_offset)
{
    for (int32_t i = 0; i < size; i++) {
        const int32_t x = input[i] - params->input_zero_point;
        if (x <= -params->input_range_radius) {
            output[i] = -128;
        } else if (x >= params->input_range_radius) {
            output[i] = 127;
        } else {
            const int32_t q4 = mcusim_requant(x, params->input_multiplier, params->input_left_shift);
            int32_t v = mcusim_rdivpot(f(q4, 4), 31 - out_bits) + out_offset;
            output[i] = (int8_t)MCUSIM_CLAMP(v, -128, 127);
        }
    }
}

/* ---- ADD, MUL: the element-wise walk ----
 * output element = ONE(params, a, b), with a and b walked as TFLM's 6-D broadcast (bcast strides
 * are 0 on a broadcast axis; see mcusim_broadcast), or element by element when bcast is NULL
 * (same shapes). A macro, not a function taking ONE by pointer: the kernels compile to the code
 * they had with the loops written out (an inlined function version moved registers around). */
#define MCUSIM_BINARY_WALK_S8(ONE, params, bcast, size, input1, input2, output)                    \
    do {                                                                                           \
        if (!(bcast)) {                                                                            \
            for (int32_t i_ = 0; i_ < (size); i_++) {                                              \
                (output)[i_] = ONE((params), (input1)[i_], (input2)[i_]);                          \
            }                                                                                      \
            break;                                                                                 \
        }                                                                                          \
        const int32_t *d_ = (bcast)->out, *s1_ = (bcast)->stride1, *s2_ = (bcast)->stride2;        \
        int8_t *out_ = (output);                                                                   \
        for (int32_t i0 = 0; i0 < d_[0]; i0++)                                                     \
        for (int32_t i1 = 0; i1 < d_[1]; i1++)                                                     \
        for (int32_t i2 = 0; i2 < d_[2]; i2++)                                                     \
        for (int32_t i3 = 0; i3 < d_[3]; i3++)                                                     \
        for (int32_t i4 = 0; i4 < d_[4]; i4++) {                                                   \
            const int32_t o1 = i0 * s1_[0] + i1 * s1_[1] + i2 * s1_[2] + i3 * s1_[3] + i4 * s1_[4]; \
            const int32_t o2 = i0 * s2_[0] + i1 * s2_[1] + i2 * s2_[2] + i3 * s2_[3] + i4 * s2_[4]; \
            for (int32_t i5 = 0; i5 < d_[5]; i5++) {                                               \
                *out_++ = ONE((params), (input1)[o1 + i5 * s1_[5]], (input2)[o2 + i5 * s2_[5]]);   \
            }                                                                                      \
        }                                                                                          \
    } while (0)

#endif /* MCUSIM_NN_SUPPORT_H */
