/* mcusim_radix4_butterfly_q31: in-place radix-4 decimation-in-frequency FFT stages with the
 * scaling of arm_radix4_butterfly_q31 (result: DFT / fft_len, bit-reversed order):
 *   first stage  inputs >> 4, twiddle products' high words summed and << 1
 *   middle       sums >> 2, twiddle products' high words summed and >> 1
 *   last         (no twiddles) plain sums
 * A twiddle product is the high word of the 64-bit product (SMULL/SMMUL, no rounding). Sums
 * wrap like the reference's int arithmetic (done in uint32_t). */
#include "mcusim_dsp_support.h"

static inline int32_t hi(int32_t a, int32_t b) { return mcusim_mul_shr(a, b, 32); }
static inline int32_t add(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }
static inline int32_t sub(int32_t a, int32_t b) { return (int32_t)((uint32_t)a - (uint32_t)b); }

/* (re c + im s, im c - re s) from high words, then << 1 (first stage) or >> 1 */
static inline void twiddle(int32_t *o, int32_t re, int32_t im, const int32_t *w, int first)
{
    const int32_t x = add(hi(re, w[0]), hi(im, w[1])), y = sub(hi(im, w[0]), hi(re, w[1]));
    o[0] = first ? (int32_t)((uint32_t)x << 1) : x >> 1;
    o[1] = first ? (int32_t)((uint32_t)y << 1) : y >> 1;
}

/* one stage over groups of `span` points, quarter q; first: inputs >> 4 */
static void stage(int32_t *b, uint32_t n, uint32_t span, const int32_t *tw, uint32_t mod,
                  int first)
{
    const uint32_t q = span >> 2;
    const int sh = first ? 4 : 0;
    for (uint32_t j = 0, ic = 0; j < q; j++, ic += mod) {
        const int32_t *w1 = tw + 2 * ic, *w2 = tw + 4 * ic, *w3 = tw + 6 * ic;
        for (uint32_t i0 = j; i0 < n; i0 += span) {
            int32_t *p0 = b + 2 * i0, *p1 = p0 + 2 * q, *p2 = p1 + 2 * q, *p3 = p2 + 2 * q;
            const int32_t x0 = p0[0] >> sh, y0 = p0[1] >> sh, x1 = p1[0] >> sh, y1 = p1[1] >> sh;
            const int32_t x2 = p2[0] >> sh, y2 = p2[1] >> sh, x3 = p3[0] >> sh, y3 = p3[1] >> sh;
            int32_t r1 = add(x0, x2), r2 = sub(x0, x2), s1 = add(y0, y2), s2 = sub(y0, y2);
            int32_t t1 = add(x1, x3), t2 = add(y1, y3);
            if (first) {
                p0[0] = add(r1, t1);
                p0[1] = add(s1, t2);
            } else {
                p0[0] = add(r1, t1) >> 2;
                p0[1] = add(s1, t2) >> 2;
            }
            r1 = sub(r1, t1);
            s1 = sub(s1, t2);
            twiddle(p1, r1, s1, w2, first);
            t1 = sub(y1, y3);
            t2 = sub(x1, x3);
            twiddle(p2, add(r2, t1), sub(s2, t2), w1, first);
            twiddle(p3, sub(r2, t1), add(s2, t2), w3, first);
        }
    }
}

void mcusim_radix4_butterfly_q31(int32_t *buf, uint32_t fft_len, const int32_t *twiddle,
                                 uint32_t modifier)
{
    stage(buf, fft_len, fft_len, twiddle, modifier, 1);
    modifier <<= 2;
    uint32_t span = fft_len >> 2;
    for (; span > 4; span >>= 2, modifier <<= 2)
        stage(buf, fft_len, span, twiddle, modifier, 0);
    for (uint32_t i = 0; i < fft_len; i += 4) {        /* last stage: groups of 4, no scaling */
        int32_t *p = buf + 2 * i;
        const int32_t xa = p[0], ya = p[1], xb = p[2], yb = p[3];
        const int32_t xc = p[4], yc = p[5], xd = p[6], yd = p[7];
        p[0] = add(add(xa, xb), add(xc, xd));
        p[1] = add(add(ya, yb), add(yc, yd));
        p[2] = sub(add(sub(xa, xb), xc), xd);
        p[3] = sub(add(sub(ya, yb), yc), yd);
        p[4] = sub(sub(add(xa, yb), xc), yd);
        p[5] = add(sub(sub(ya, xb), yc), xd);
        p[6] = add(sub(sub(xa, yb), xc), yd);
        p[7] = sub(sub(add(ya, xb), yc), xd);
    }
}
