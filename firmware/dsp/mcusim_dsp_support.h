/*
 * mcusim_dsp_support.h - helpers shared by the front-end blocks (internal, header-only).
 *
 * Saturation, count-leading-zeros and packed 16-bit loads. Signed overflow that the reference
 * arithmetic lets wrap is done in uint32_t here (defined in C, and what the hardware does).
 */
#ifndef MCUSIM_DSP_SUPPORT_H
#define MCUSIM_DSP_SUPPORT_H

#include <stdint.h>
#include <string.h>

#include "mcusim_dsp.h"

/* DSP (SIMD) paths: on when the core has the DSP extension, unless the build asks for the
 * portable code only (-DMCUSIM_PORTABLE, as for the kernels). */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && !defined(MCUSIM_PORTABLE)
#define MCUSIM_DSP_SIMD 1
#include <arm_acle.h>
#else
#define MCUSIM_DSP_SIMD 0
#endif

/* saturate to a signed `bits`-bit range (the SSAT instruction; bits 1..32) */
static inline int32_t mcusim_ssat(int32_t x, int bits)
{
    const int32_t hi = (int32_t)((1u << (bits - 1)) - 1u), lo = -1 - hi;
    return x > hi ? hi : x < lo ? lo : x;
}

static inline int32_t mcusim_sat64_q31(int64_t x)
{
    return x > INT32_MAX ? INT32_MAX : x < INT32_MIN ? INT32_MIN : (int32_t)x;
}

/* leading zeros of a 32-bit word (32 for 0: the CLZ instruction) */
static inline int32_t mcusim_clz(uint32_t x)
{
    return x == 0 ? 32 : __builtin_clz(x);
}

/* the low 32 bits of (a * b) >> k, 1 <= k <= 32, from the exact 64-bit product (SMULL and a
 * shift). ARMv6-M has no 32x32->64 multiply (gcc calls the 64x64 __aeabi_lmul and spills the
 * 64-bit temporaries): four 16x16 MULS partial products instead, each fitting 32 bits
 * (a = ah 2^16 + al with al unsigned: |ah bl| < 2^31), summed into hi:lo with carries by
 * compare. Same bits either way. */
static inline int32_t mcusim_mul_shr(int32_t a, int32_t b, int k)
{
#if defined(__ARM_ARCH_6M__)
    const uint32_t al = (uint32_t)a & 0xFFFFu, bl = (uint32_t)b & 0xFFFFu;
    const int32_t ah = a >> 16, bh = b >> 16;
    const int32_t m1 = ah * (int32_t)bl, m2 = (int32_t)al * bh;
    uint32_t lo = al * bl;
    int32_t hi = ah * bh;
    uint32_t t = (uint32_t)m1 << 16;
    lo += t;
    hi += (m1 >> 16) + (lo < t);
    t = (uint32_t)m2 << 16;
    lo += t;
    hi += (m2 >> 16) + (lo < t);
    return k == 32 ? hi : (int32_t)(((uint32_t)hi << (32 - k)) | (lo >> k));
#else
    return (int32_t)(((int64_t)a * b) >> k);
#endif
}

/* the high word of the exact 64-bit product, rounded: (a b + 2^31) >> 32 (SMMULR), and the
 * same added to / subtracted from acc * 2^32 (SMMLAR, SMMLSR): CMSIS-DSP's q31 FFT products */
static inline int32_t mcusim_mmulr(int32_t a, int32_t b)
{
#if MCUSIM_DSP_SIMD
    int32_t r;
    __asm__("smmulr %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
    return r;
#else
    return (int32_t)(((int64_t)a * b + 0x80000000LL) >> 32);
#endif
}

static inline int32_t mcusim_mmlar(int32_t acc, int32_t a, int32_t b)
{
#if MCUSIM_DSP_SIMD
    int32_t r;
    __asm__("smmlar %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc));
    return r;
#else
    /* in uint64_t: wraps (as the instruction) instead of overflowing */
    return (int32_t)(uint32_t)((((uint64_t)(uint32_t)acc << 32) + (uint64_t)((int64_t)a * b)
                                + 0x80000000u) >> 32);
#endif
}

static inline int32_t mcusim_mmlsr(int32_t acc, int32_t a, int32_t b)
{
#if MCUSIM_DSP_SIMD
    int32_t r;
    __asm__("smmlsr %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc));
    return r;
#else
    return (int32_t)(uint32_t)((((uint64_t)(uint32_t)acc << 32) - (uint64_t)((int64_t)a * b)
                                + 0x80000000u) >> 32);
#endif
}

/* two q15 as one word (low half = first), from any alignment */
static inline int32_t mcusim_read_q15x2(const int16_t *p)
{
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline void mcusim_write_q15x2(int16_t *p, int32_t v)
{
    memcpy(p, &v, 4);
}

/* low halves of two words' high results: (hi >> 16) of each, packed (PKHTB) */
static inline int32_t mcusim_pack_hi(int32_t re, int32_t im)
{
    return (int32_t)(((uint32_t)im & 0xFFFF0000u) | ((uint32_t)re >> 16));
}

#endif /* MCUSIM_DSP_SUPPORT_H */
