/* AVERAGE_POOL_2D int8: mean over the window clipped to the image, rounded half away from zero
 * (TFLM divides by the number of valid taps, not the filter size).
 * With DSP, a window of at most 256 taps sums eight channels at a time in int16 lanes
 * (SXTAB16 adds bytes 0,2 and, rotated, 1,3 of a word to two lanes): |sum| <= 256 * 128 fits
 * a lane exactly, so the sums, and the outputs, are the portable loop's. */
#include "mcusim_nn.h"
#include "mcusim_nn_support.h"

static inline int32_t mean_of(int32_t acc, int32_t count, const mcusim_pool_params *params)
{
    acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
    return MCUSIM_CLAMP(acc, params->activation.min, params->activation.max);
}

#if MCUSIM_DSP
/* mean_of without a division: q = floor(n / count) = (n * recip) >> 32 with recip =
 * ceil(2^32 / count) = 0xffffffff / count + 1 (0 for count 1: q = n). Exact for n < 2^24:
 * recip = (2^32 + e) / count with e < count <= 256, so n e / 2^32 < 1 cannot carry the
 * remainder past count; here n = |acc| + count / 2 <= 256 * 128 + 128. Rounded half away
 * from zero as mean_of (TFLM: (acc -/+ count / 2) / count, truncating). */
static inline int32_t mean_recip(int32_t acc, uint32_t half, uint32_t recip, int32_t lo,
                                 int32_t hi)
{
    const uint32_t n = (uint32_t)(acc < 0 ? -acc : acc) + half;
    int32_t q = recip ? (int32_t)(((uint64_t)n * recip) >> 32) : (int32_t)n;
    q = acc < 0 ? -q : q;
    return MCUSIM_CLAMP(q, lo, hi);
}

static inline int32_t sxtab16_ror8(int32_t acc, int32_t x)
{
    int32_t r;
    __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(acc), "r"(x));
    return r;
}

/* Channels [c, c + 8) of one output pixel: window rows [fy0, fy1) x columns [fx0, fx1) from
 * `first` (the window's top-left tap, channel c), `row` bytes between image rows. */
static __attribute__((noinline)) void sum8(const int8_t *first, int32_t rows, int32_t cols,
                                           int32_t ch, int32_t row, int32_t count,
                                           uint32_t recip, const mcusim_pool_params *params,
                                           int8_t *out)
{
    int32_t a02 = 0, a13 = 0, a46 = 0, a57 = 0;
    for (int32_t y = 0; y < rows; y++) {
        const int8_t *p = first + y * row;
        for (int32_t x = 0; x < cols; x++, p += ch) {
            int32_t w0, w1;
            __builtin_memcpy(&w0, p, 4);
            __builtin_memcpy(&w1, p + 4, 4);
            a02 = __sxtab16(a02, w0);
            a13 = sxtab16_ror8(a13, w0);
            a46 = __sxtab16(a46, w1);
            a57 = sxtab16_ror8(a57, w1);
        }
    }
    const int32_t lanes[8] = {(int16_t)a02, (int16_t)a13, a02 >> 16, a13 >> 16,
                              (int16_t)a46, (int16_t)a57, a46 >> 16, a57 >> 16};
    const int32_t lo = params->activation.min, hi = params->activation.max;
    for (int32_t k = 0; k < 8; k++) {   /* (lo, hi in locals: the byte stores may alias params) */
        out[k] = (int8_t)mean_recip(lanes[k], (uint32_t)count / 2, recip, lo, hi);
    }
}
#endif

mcusim_status mcusim_avgpool_s8(const mcusim_pool_params *params,
                                const mcusim_dims *input_dims, const int8_t *input,
                                const mcusim_dims *filter_dims,
                                const mcusim_dims *output_dims, int8_t *output)
{
    const int32_t in_h = input_dims->h, in_w = input_dims->w, ch = input_dims->c;
    const int32_t out_h = output_dims->h, out_w = output_dims->w;
    for (int32_t b = 0; b < input_dims->n; b++) {
        const int8_t *in_b = input + b * in_h * in_w * ch;
        for (int32_t oy = 0; oy < out_h; oy++) {
            const int32_t y0 = oy * params->stride.h - params->padding.h;
            const int32_t fy0 = MCUSIM_MAX(0, -y0), fy1 = MCUSIM_MIN(filter_dims->h, in_h - y0);
            for (int32_t ox = 0; ox < out_w; ox++) {
                const int32_t x0 = ox * params->stride.w - params->padding.w;
                const int32_t fx0 = MCUSIM_MAX(0, -x0), fx1 = MCUSIM_MIN(filter_dims->w, in_w - x0);
                const int32_t count = (fy1 - fy0) * (fx1 - fx0);
                if (fy1 <= fy0 || fx1 <= fx0) {
                    return MCUSIM_ARG_ERROR;   /* TFLM fails the same way */
                }
                int32_t c = 0;
                int8_t *out_px = output + ((b * out_h + oy) * out_w + ox) * ch;
#if MCUSIM_DSP
                if (count <= 256) {
                    const int8_t *first = in_b + ((y0 + fy0) * in_w + x0 + fx0) * ch;
                    const uint32_t recip = count > 1 ? 0xffffffffu / (uint32_t)count + 1u : 0u;
                    for (; c + 8 <= ch; c += 8) {
                        sum8(first + c, fy1 - fy0, fx1 - fx0, ch, in_w * ch, count, recip,
                             params, out_px + c);
                    }
                }
#endif
                for (; c < ch; c++) {
                    int32_t acc = 0;
                    for (int32_t fy = fy0; fy < fy1; fy++) {
                        for (int32_t fx = fx0; fx < fx1; fx++) {
                            acc += in_b[((y0 + fy) * in_w + x0 + fx) * ch + c];
                        }
                    }
                    out_px[c] = (int8_t)mean_of(acc, count, params);
                }
            }
        }
    }
    return MCUSIM_OK;
}
