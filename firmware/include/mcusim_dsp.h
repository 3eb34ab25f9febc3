/*
 * mcusim_dsp.h - fixed-point audio front end of the mcusim runtime (the DSP API).
 *
 * Framing, window, real FFT, magnitude spectrum, mel filterbank, log and DCT (MFCC or log-mel),
 * and the quantization of the features into a model's int8 input. Every q15 block gives, bit
 * for bit, the result of the CMSIS-DSP function named beside it as the `cmsisdsp` Python package
 * builds it (CMSIS-DSP's portable C arithmetic); the DSP-extension paths (SIMD on Cortex-M4/M7/
 * M33) reproduce that same arithmetic, so a board with and one without DSP give equal output.
 * Written for mcusim from the arithmetic each block must reproduce (docs/frontend.md); not
 * CMSIS-DSP source. Tables (window, twiddles, mel filters, DCT matrix, bit-reversal swaps) are
 * generated at build time by sim/mcusim/frontend and live in flash as const arrays.
 *
 * Formats: q15 = int16 with 15 fraction bits, q31 = int32 with 31; complex arrays interleave
 * (re, im). Buffers may be unaligned except where stated.
 */
#ifndef MCUSIM_DSP_H
#define MCUSIM_DSP_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ basic blocks */
/* arm_absmax_q15: largest |x| (|-32768| = 32767) and its first index */
void mcusim_absmax_q15(const int16_t *src, uint32_t n, int16_t *max, uint32_t *index);
/* arm_divide_q15: num / den = quotient * 2^shift; returns 0, or -1 when den == 0 */
int32_t mcusim_divide_q15(int16_t num, int16_t den, int16_t *quotient, int16_t *shift);
/* arm_scale_q15: dst = sat((src * scale) >> (15 - shift)) */
void mcusim_scale_q15(const int16_t *src, int16_t scale, int32_t shift, int16_t *dst, uint32_t n);
/* arm_mult_q15: dst = sat((a * b) >> 15) */
void mcusim_mult_q15(const int16_t *a, const int16_t *b, int16_t *dst, uint32_t n);
/* arm_dot_prod_q15: exact 64-bit sum of a[i] * b[i] */
int64_t mcusim_dot_prod_q15(const int16_t *a, const int16_t *b, uint32_t n);
/* arm_scale_q31: dst = sat(((src * scale) >> 32) << (shift + 1)) */
void mcusim_scale_q31(const int32_t *src, int32_t scale, int32_t shift, int32_t *dst, uint32_t n);
/* arm_sqrt_q31: sqrt of a q31 (0 for in <= 0) */
int32_t mcusim_sqrt_q31(int32_t in);
/* arm_vlog_q31: natural log, q5.26 out */
void mcusim_vlog_q31(const int32_t *src, int32_t *dst, uint32_t n);
/* arm_mat_vec_mult_q15: dst[r] = sat(sum_c mat[r][c] * vec[c] >> 15) */
void mcusim_mat_vec_mult_q15(const int16_t *mat, uint32_t rows, uint32_t cols,
                             const int16_t *vec, int16_t *dst);
/* arm_cmplx_mag_q15: |z| of n complex q15, q2.14 out */
void mcusim_cmplx_mag_q15(const int16_t *src, int16_t *dst, uint32_t n);

/* ------------------------------------------------------------------ FFT */
typedef struct {
    uint16_t fft_len;           /* complex points: 16, 32, ..., 2048 */
    uint16_t bitrev_len;        /* swaps in bitrev */
    const int16_t *twiddle;     /* (cos, sin) of 2*pi*k/fft_len for k < 3/4 fft_len, floor q15 */
    const uint16_t *bitrev;     /* pairs of complex indices to swap into natural order */
} mcusim_cfft_instance_q15;

typedef struct {
    uint16_t fft_len_real;      /* real points: 32 ... 4096 */
    const mcusim_cfft_instance_q15 *cfft;    /* fft_len_real / 2 points */
    const int16_t *coef_a;      /* split tables, fft_len_real / 2 (re, im) pairs, rounded q15 */
    const int16_t *coef_b;
} mcusim_rfft_instance_q15;

/* radix-4 decimation in frequency, in place, output in digit-reversed order (no bit reversal);
 * twiddle step `modifier` (1 for a table of fft_len, 2 for one of 2 * fft_len) */
void mcusim_radix4_butterfly_q15(int16_t *buf, uint32_t fft_len, const int16_t *twiddle,
                                 uint32_t modifier);
/* one radix-2 stage then two radix-4 halves: fft_len = 2 * 4^k */
void mcusim_radix4by2_q15(int16_t *buf, uint32_t fft_len, const int16_t *twiddle);
/* swap complex pairs (32-bit words) */
void mcusim_bitreversal_q15(int16_t *buf, const uint16_t *pairs, uint32_t n_pairs);
/* arm_cfft_q15 (forward, bit reversal on): in place, output scaled by 1/fft_len */
void mcusim_cfft_q15(const mcusim_cfft_instance_q15 *s, int16_t *buf);
/* arm_rfft_q15 (forward): src (fft_len_real q15, overwritten) -> dst bins 0..fft_len_real/2
 * as complex q15 (fft_len_real + 2 values); CMSIS also writes the mirrored upper half, which
 * no later block reads */
void mcusim_rfft_q15(const mcusim_rfft_instance_q15 *s, int16_t *src, int16_t *dst);

/* ------------------------------------------------------------------ MFCC / log-mel */
typedef struct {
    uint16_t fft_len;
    uint16_t n_mel;
    uint16_t n_dct;             /* 0: log-mel (no DCT) */
    uint16_t mag_bins;          /* FFT bins any mel filter reads (<= fft_len/2 + 1): the
                                 * magnitudes above them are never computed */
    const int16_t *window;      /* fft_len q15 (zero beyond the frame length) */
    const uint16_t *filter_pos; /* first FFT bin of each mel filter */
    const uint16_t *filter_len; /* bins of each filter */
    const int16_t *filter_coefs;/* the filters' non-zero weights, back to back, q15 */
    const int16_t *dct;         /* n_dct x n_mel, q15 */
    const mcusim_rfft_instance_q15 *rfft;
} mcusim_mfcc_instance_q15;

/* Scratch of one frame, in 32-bit words: `tmp` holds the spectrum (fft_len + 2 q15), later
 * the n_mel q31 energies (the spectrum is dead by then) */
#define MCUSIM_MFCC_TMP_WORDS(fft_len, n_mel) \
    (((fft_len) + 2) / 2 > (n_mel) ? ((fft_len) + 2) / 2 : (n_mel))

/* block of arm_mfcc_q15: the normalization of the frame to full scale; returns the peak m */
int16_t mcusim_normalize_q15(int16_t *frame, uint32_t n);
/* block of arm_mfcc_q15: mel energies of the magnitude spectrum, rescaled by the frame's peak */
void mcusim_mel_filterbank_q15(const mcusim_mfcc_instance_q15 *s, const int16_t *mag,
                               int16_t peak, int32_t *mel);
/* block of arm_mfcc_q15: ln of the mel energies, q8.7 (mel is overwritten) */
void mcusim_log_mel_q15(int32_t *mel, uint32_t n_mel, uint32_t fft_len, int16_t *logmel);
/* arm_mfcc_q15 of one frame (fft_len samples, overwritten): n_dct MFCC q8.7 into dst, or the
 * n_mel log-mel energies q8.7 when n_dct == 0 */
int32_t mcusim_mfcc_q15(const mcusim_mfcc_instance_q15 *s, int16_t *src, int16_t *dst,
                        int32_t *tmp);

/* ------------------------------------------------------------------ q31 (arm_mfcc_q31) */
typedef struct {
    uint16_t fft_len;
    uint16_t bitrev_len;
    const int32_t *twiddle;     /* (cos, sin) for k < 3/4 fft_len, as CMSIS's q31 tables */
    const uint16_t *bitrev;
} mcusim_cfft_instance_q31;

typedef struct {
    uint16_t fft_len_real;
    const mcusim_cfft_instance_q31 *cfft;
    const int32_t *coef_a;      /* fft_len_real / 2 (re, im) pairs, rounded q31 */
    const int32_t *coef_b;
} mcusim_rfft_instance_q31;

typedef struct {
    uint16_t fft_len;
    uint16_t n_mel;
    uint16_t n_dct;             /* 0: log-mel */
    uint16_t mag_bins;          /* as in mcusim_mfcc_instance_q15 */
    const int32_t *window;
    const uint16_t *filter_pos;
    const uint16_t *filter_len;
    const int32_t *filter_coefs;
    const int32_t *dct;
    const mcusim_rfft_instance_q31 *rfft;
} mcusim_mfcc_instance_q31;

void mcusim_absmax_q31(const int32_t *src, uint32_t n, int32_t *max, uint32_t *index);
int32_t mcusim_divide_q31(int32_t num, int32_t den, int32_t *quotient, int16_t *shift);
void mcusim_mult_q31(const int32_t *a, const int32_t *b, int32_t *dst, uint32_t n);
/* arm_dot_prod_q31: sum of (a[i] * b[i]) >> 14 (q16.48) */
int64_t mcusim_dot_prod_q31(const int32_t *a, const int32_t *b, uint32_t n);
void mcusim_mat_vec_mult_q31(const int32_t *mat, uint32_t rows, uint32_t cols,
                             const int32_t *vec, int32_t *dst);
/* arm_cmplx_mag_q31: q2.30 out */
void mcusim_cmplx_mag_q31(const int32_t *src, int32_t *dst, uint32_t n);
void mcusim_radix4_butterfly_q31(int32_t *buf, uint32_t fft_len, const int32_t *twiddle,
                                 uint32_t modifier);
void mcusim_radix4by2_q31(int32_t *buf, uint32_t fft_len, const int32_t *twiddle);
void mcusim_bitreversal_q31(int32_t *buf, const uint16_t *pairs, uint32_t n_pairs);
void mcusim_cfft_q31(const mcusim_cfft_instance_q31 *s, int32_t *buf);
/* arm_rfft_q31 (forward): bins 0..fft_len_real/2 into dst (fft_len_real + 2 values) */
void mcusim_rfft_q31(const mcusim_rfft_instance_q31 *s, int32_t *src, int32_t *dst);
int32_t mcusim_normalize_q31(int32_t *frame, uint32_t n);
void mcusim_mel_filterbank_q31(const mcusim_mfcc_instance_q31 *s, const int32_t *mag,
                               int32_t peak, int32_t *mel);
/* ln of the mel energies in place, q8.23 */
void mcusim_log_mel_q31(int32_t *mel, uint32_t n_mel, uint32_t fft_len);
/* arm_mfcc_q31 of one frame: MFCC q8.23 (n_dct == 0: log-mel); tmp: fft_len + 2 words */
int32_t mcusim_mfcc_q31(const mcusim_mfcc_instance_q31 *s, int32_t *src, int32_t *dst,
                        int32_t *tmp);

/* ------------------------------------------------------------------ f32 (arm_mfcc_f32's steps) */
/* Not bit-exact with CMSIS-DSP (a radix-2 FFT and logf instead of its radix-8/4/2 FFT and
 * arm_vlog_f32): equal up to a tolerance (docs/frontend.md). */
typedef struct {
    uint16_t fft_len;
    uint16_t bitrev_len;
    const float *twiddle;       /* (cos, sin)(2 pi k / fft_len), k < fft_len / 2 */
    const uint16_t *bitrev;
} mcusim_cfft_instance_f32;

typedef struct {
    uint16_t fft_len_real;
    const mcusim_cfft_instance_f32 *cfft;
    const float *coef_a;
    const float *coef_b;
} mcusim_rfft_instance_f32;

typedef struct {
    uint16_t fft_len;
    uint16_t n_mel;
    uint16_t n_dct;
    uint16_t mag_bins;
    const float *window;
    const uint16_t *filter_pos;
    const uint16_t *filter_len;
    const float *filter_coefs;
    const float *dct;
    const mcusim_rfft_instance_f32 *rfft;
} mcusim_mfcc_instance_f32;

void mcusim_cfft_f32(const mcusim_cfft_instance_f32 *s, float *buf);
void mcusim_rfft_f32(const mcusim_rfft_instance_f32 *s, float *src, float *dst);
void mcusim_mfcc_f32(const mcusim_mfcc_instance_f32 *s, float *src, float *dst, float *tmp);

/* ------------------------------------------------------------------ whole front end */
typedef struct {
    const mcusim_mfcc_instance_q15 *mfcc;
    uint32_t frame_len;         /* samples per frame (<= fft_len; the rest is zero) */
    uint32_t frame_step;        /* samples between frame starts */
    uint32_t n_frames;
    /* q8.7 feature -> int8: round(x * multiplier / 2^shift) + zero_point, clamped */
    int32_t q_multiplier;
    int32_t q_shift;
    int32_t q_zero_point;
} mcusim_features_q15_config;

/* copy frame_len samples and zero-fill to fft_len */
void mcusim_frame_q15(const int16_t *audio, uint32_t frame_len, uint32_t fft_len, int16_t *frame);
/* q8.7 features -> the model's int8 input */
void mcusim_quantize_q15_s8(const int16_t *src, uint32_t n, int32_t multiplier, int32_t shift,
                            int32_t zero_point, int8_t *dst);
/* every frame of `audio`: features (n_frames x (n_dct or n_mel)) as q15 into feat (may be NULL)
 * and int8 into out. Scratch: frame (fft_len q15), tmp (MCUSIM_MFCC_TMP_WORDS words), row
 * (n_mel q15). Returns 0 or the first error. */
int32_t mcusim_features_q15(const mcusim_features_q15_config *c, const int16_t *audio,
                            int16_t *feat, int8_t *out, int16_t *frame, int32_t *tmp,
                            int16_t *row);

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_DSP_H */
