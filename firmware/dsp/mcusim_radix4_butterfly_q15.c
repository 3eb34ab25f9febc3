/* mcusim_radix4_butterfly_q15: in-place radix-4 decimation-in-frequency FFT stages with the
 * scaling of arm_radix4_butterfly_q15 (the result is the DFT / fft_len, digit-reversed):
 *   first stage  inputs >> 2, sums halved once more: / 8 overall with the twiddle's >> 16
 *   middle       sums of halves halved again: / 4
 *   last         (no twiddles) sums of halves: / 2
 * Sums and differences of full values saturate (SSAT 16); those of halves cannot overflow.
 * Twiddle products are (c * re + s * im) >> 16 and (c * im - s * re) >> 16 in 32 bits.
 *
 * The DSP path keeps each complex value in one word (re low, im high): QADD16/QSUB16 are the
 * saturating sums, SHADD16(x, 0) the arithmetic halving of both lanes, (Q/S)ASX/SAX the
 * +-j rotations, SMUAD/SMUSDX the twiddle products: the same arithmetic, lane by lane. */
#include "mcusim_dsp_support.h"

#if MCUSIM_DSP_SIMD
static inline int32_t ld(const int16_t *b, uint32_t i) { return mcusim_read_q15x2(b + 2 * i); }
static inline void st(int16_t *b, uint32_t i, int32_t v) { mcusim_write_q15x2(b + 2 * i, v); }
static inline int32_t half(int32_t x) { return __shadd16(x, 0); }
/* (c re + s im) >> 16, (c im - s re) >> 16 of z by the twiddle w = (c, s) */
static inline int32_t twiddle(int32_t w, int32_t z)
{
    return mcusim_pack_hi(__smuad(w, z), __smusdx(w, z));
}
#else
static inline int16_t sat(int32_t x) { return (int16_t)mcusim_ssat(x, 16); }
static inline void twiddle(int16_t *b, uint32_t i, int32_t c, int32_t s, int32_t re, int32_t im)
{
    b[2 * i] = (int16_t)((c * re + s * im) >> 16);
    b[2 * i + 1] = (int16_t)((c * im - s * re) >> 16);
}
#endif

/* first stage: inputs / 4 */
static void first_stage(int16_t *b, uint32_t n, const int16_t *tw, uint32_t mod)
{
    const uint32_t q = n >> 2;
    for (uint32_t i0 = 0, ic = 0; i0 < q; i0++, ic += mod) {
        const uint32_t i1 = i0 + q, i2 = i1 + q, i3 = i2 + q;
#if MCUSIM_DSP_SIMD
        int32_t x0 = half(half(ld(b, i0))), x1 = half(half(ld(b, i1)));
        int32_t x2 = half(half(ld(b, i2))), x3 = half(half(ld(b, i3)));
        int32_t r = __qadd16(x0, x2), s = __qsub16(x0, x2);
        int32_t t = __qadd16(x1, x3), u = __qsub16(x1, x3);
        st(b, i0, __sadd16(half(r), half(t)));
        st(b, i1, twiddle(ld(tw, 2 * ic), __qsub16(r, t)));
        st(b, i2, twiddle(ld(tw, ic), __qsax(s, u)));       /* s - j u */
        st(b, i3, twiddle(ld(tw, 3 * ic), __qasx(s, u)));   /* s + j u */
#else
        int32_t t0 = b[2 * i0] >> 2, t1 = b[2 * i0 + 1] >> 2;
        int32_t s0 = b[2 * i2] >> 2, s1 = b[2 * i2 + 1] >> 2;
        int32_t u0 = b[2 * i3] >> 2, u1 = b[2 * i3 + 1] >> 2;
        int32_t v0 = b[2 * i1] >> 2, v1 = b[2 * i1 + 1] >> 2;
        int32_t r0 = sat(t0 + s0), r1 = sat(t1 + s1);
        s0 = sat(t0 - s0);
        s1 = sat(t1 - s1);
        int32_t w0 = sat(v0 + u0), w1 = sat(v1 + u1);     /* x1 + x3 */
        b[2 * i0] = (int16_t)((r0 >> 1) + (w0 >> 1));
        b[2 * i0 + 1] = (int16_t)((r1 >> 1) + (w1 >> 1));
        twiddle(b, i1, tw[4 * ic], tw[4 * ic + 1], sat(r0 - w0), sat(r1 - w1));
        int32_t d0 = sat(v0 - u0), d1 = sat(v1 - u1);     /* x1 - x3 */
        twiddle(b, i2, tw[2 * ic], tw[2 * ic + 1], sat(s0 + d1), sat(s1 - d0));
        twiddle(b, i3, tw[6 * ic], tw[6 * ic + 1], sat(s0 - d1), sat(s1 + d0));
#endif
    }
}

/* one middle stage over groups of `span` points (quarter q = span / 4) */
static void middle_stage(int16_t *b, uint32_t n, uint32_t span, const int16_t *tw, uint32_t mod)
{
    const uint32_t q = span >> 2;
    for (uint32_t j = 0, ic = 0; j < q; j++, ic += mod) {
#if MCUSIM_DSP_SIMD
        const int32_t w1 = ld(tw, ic), w2 = ld(tw, 2 * ic), w3 = ld(tw, 3 * ic);
#else
        const int32_t c1 = tw[2 * ic], s1w = tw[2 * ic + 1];
        const int32_t c2 = tw[4 * ic], s2w = tw[4 * ic + 1];
        const int32_t c3 = tw[6 * ic], s3w = tw[6 * ic + 1];
#endif
        for (uint32_t i0 = j; i0 < n; i0 += span) {
            const uint32_t i1 = i0 + q, i2 = i1 + q, i3 = i2 + q;
#if MCUSIM_DSP_SIMD
            int32_t x0 = ld(b, i0), x1 = ld(b, i1), x2 = ld(b, i2), x3 = ld(b, i3);
            int32_t r = half(__qadd16(x0, x2)), s = half(__qsub16(x0, x2));
            int32_t t = half(__qadd16(x1, x3)), u = half(__qsub16(x1, x3));
            st(b, i0, __shadd16(r, t));
            st(b, i1, twiddle(w2, __ssub16(r, t)));
            st(b, i2, twiddle(w1, __ssax(s, u)));
            st(b, i3, twiddle(w3, __sasx(s, u)));
#else
            int32_t x00 = b[2 * i0], x01 = b[2 * i0 + 1], x10 = b[2 * i1], x11 = b[2 * i1 + 1];
            int32_t x20 = b[2 * i2], x21 = b[2 * i2 + 1], x30 = b[2 * i3], x31 = b[2 * i3 + 1];
            int32_t r0 = sat(x00 + x20) >> 1, r1 = sat(x01 + x21) >> 1;
            int32_t s0 = sat(x00 - x20) >> 1, s1 = sat(x01 - x21) >> 1;
            int32_t t0 = sat(x10 + x30) >> 1, t1 = sat(x11 + x31) >> 1;
            int32_t u0 = sat(x10 - x30) >> 1, u1 = sat(x11 - x31) >> 1;
            b[2 * i0] = (int16_t)((r0 + t0) >> 1);
            b[2 * i0 + 1] = (int16_t)((r1 + t1) >> 1);
            twiddle(b, i1, c2, s2w, (int16_t)(r0 - t0), (int16_t)(r1 - t1));
            twiddle(b, i2, c1, s1w, (int16_t)(s0 + u1), (int16_t)(s1 - u0));
            twiddle(b, i3, c3, s3w, (int16_t)(s0 - u1), (int16_t)(s1 + u0));
#endif
        }
    }
}

/* last stage: groups of 4, twiddles all 1 */
static void last_stage(int16_t *b, uint32_t n)
{
    for (uint32_t i0 = 0; i0 < n; i0 += 4) {
        const uint32_t i1 = i0 + 1, i2 = i0 + 2, i3 = i0 + 3;
#if MCUSIM_DSP_SIMD
        int32_t x0 = ld(b, i0), x1 = ld(b, i1), x2 = ld(b, i2), x3 = ld(b, i3);
        int32_t r = half(__qadd16(x0, x2)), s = half(__qsub16(x0, x2));
        int32_t t = half(__qadd16(x1, x3)), u = half(__qsub16(x1, x3));
        st(b, i0, __sadd16(r, t));
        st(b, i1, __ssub16(r, t));
        st(b, i2, __ssax(s, u));
        st(b, i3, __sasx(s, u));
#else
        int32_t x00 = b[2 * i0], x01 = b[2 * i0 + 1], x10 = b[2 * i1], x11 = b[2 * i1 + 1];
        int32_t x20 = b[2 * i2], x21 = b[2 * i2 + 1], x30 = b[2 * i3], x31 = b[2 * i3 + 1];
        int32_t r0 = sat(x00 + x20) >> 1, r1 = sat(x01 + x21) >> 1;
        int32_t s0 = sat(x00 - x20) >> 1, s1 = sat(x01 - x21) >> 1;
        int32_t t0 = sat(x10 + x30) >> 1, t1 = sat(x11 + x31) >> 1;
        int32_t u0 = sat(x10 - x30) >> 1, u1 = sat(x11 - x31) >> 1;
        b[2 * i0] = (int16_t)(r0 + t0);
        b[2 * i0 + 1] = (int16_t)(r1 + t1);
        b[2 * i1] = (int16_t)(r0 - t0);
        b[2 * i1 + 1] = (int16_t)(r1 - t1);
        b[2 * i2] = (int16_t)(s0 + u1);
        b[2 * i2 + 1] = (int16_t)(s1 - u0);
        b[2 * i3] = (int16_t)(s0 - u1);
        b[2 * i3 + 1] = (int16_t)(s1 + u0);
#endif
    }
}

void mcusim_radix4_butterfly_q15(int16_t *buf, uint32_t fft_len, const int16_t *twiddle,
                                 uint32_t modifier)
{
    first_stage(buf, fft_len, twiddle, modifier);
    modifier <<= 2;
    uint32_t span = fft_len >> 2;
    for (; span > 4; span >>= 2, modifier <<= 2)
        middle_stage(buf, fft_len, span, twiddle, modifier);
    last_stage(buf, fft_len);
}
