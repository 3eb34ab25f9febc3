/*
 * mcusim_nn.h - int8 neural-network kernels of the mcusim runtime (the kernel API).
 *
 * Every kernel is bit-exact with TFLM's reference kernels. Conventions (CMSIS-NN style):
 *  - tensors are NHWC, int8, row-major; filters are [out_ch, h, w, in_ch] (depthwise: [1, h, w,
 *    in_ch * ch_mult]); biases are int32 (may be NULL).
 *  - input_offset = -input_zero_point, output_offset = +output_zero_point (TFLM's OpData).
 *  - a requantization multiplier/shift pair is TFLM's QuantizeMultiplier convention:
 *    real ~= multiplier * 2^(shift - 31), shift > 0 shifts left.
 *  - every constant is computed at build time (sim/mcusim/compiler/quant.py and ops/<op>.py).
 *  - each op has a wrapper (mcusim_<op>_wrapper_s8) that picks the fastest variant valid for the
 *    parameters and the core; *_get_buffer_size gives the scratch bytes the wrapper needs.
 *    The selection rule is documented in docs/kernels.md; the compiler mirrors it in Python.
 */
#ifndef MCUSIM_NN_H
#define MCUSIM_NN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { MCUSIM_OK = 0, MCUSIM_ARG_ERROR = -1 } mcusim_status;

typedef struct { int32_t n, h, w, c; } mcusim_dims;
typedef struct { int32_t w, h; } mcusim_tile;
typedef struct { int32_t min, max; } mcusim_activation;

/* Requantization per output channel (conv, depthwise) or per tensor (per_channel == 0: index 0
 * is used for every channel). */
typedef struct {
    const int32_t *multiplier;
    const int32_t *shift;
    int32_t per_channel;
} mcusim_quant_params;

/* ------------------------------------------------------------------ CONV_2D */
typedef struct {
    int32_t input_offset;
    int32_t output_offset;
    mcusim_tile stride;
    mcusim_tile padding;   /* top/left padding (TFLM's ComputePaddingHeightWidth) */
    mcusim_tile dilation;
    mcusim_activation activation;
} mcusim_conv_params;

/* filter_dims: n = output channels, h, w, c = input channels / groups */
int32_t mcusim_convolve_wrapper_s8_get_buffer_size(const mcusim_conv_params *params,
                                                   const mcusim_dims *input_dims,
                                                   const mcusim_dims *filter_dims);
mcusim_status mcusim_convolve_wrapper_s8(void *buffer, const mcusim_conv_params *params,
                                         const mcusim_quant_params *quant,
                                         const mcusim_dims *input_dims, const int8_t *input,
                                         const mcusim_dims *filter_dims, const int8_t *filter,
                                         const int32_t *bias,
                                         const mcusim_dims *output_dims, int8_t *output);
/* generic: any padding, stride, dilation, groups; no scratch */
mcusim_status mcusim_convolve_s8(const mcusim_conv_params *params, const mcusim_quant_params *quant,
                                 const mcusim_dims *input_dims, const int8_t *input,
                                 const mcusim_dims *filter_dims, const int8_t *filter,
                                 const int32_t *bias,
                                 const mcusim_dims *output_dims, int8_t *output);
/* 1x1 filter, no padding, dilation 1, no groups; any stride; no scratch */
mcusim_status mcusim_convolve_1x1_s8(const mcusim_conv_params *params, const mcusim_quant_params *quant,
                                     const mcusim_dims *input_dims, const int8_t *input,
                                     const mcusim_dims *filter_dims, const int8_t *filter,
                                     const int32_t *bias,
                                     const mcusim_dims *output_dims, int8_t *output);
/* im2col of one output pixel into int16 scratch, then a dot product (__smlad with DSP);
 * no groups; scratch: mcusim_convolve_im2col_s8_get_buffer_size */
int32_t mcusim_convolve_im2col_s8_get_buffer_size(const mcusim_dims *filter_dims);
mcusim_status mcusim_convolve_im2col_s8(void *buffer, const mcusim_conv_params *params,
                                        const mcusim_quant_params *quant,
                                        const mcusim_dims *input_dims, const int8_t *input,
                                        const mcusim_dims *filter_dims, const int8_t *filter,
                                        const int32_t *bias,
                                        const mcusim_dims *output_dims, int8_t *output);

/* DSP and ARMv6-M cores: no padding, dilation 1, window rows of f_w * in_c bytes a multiple of
 * 4, input offset folded into the bias (params->input_offset 0); no scratch, the window read
 * from the input (mcusim_convolve_window_s8.c); rq: ARMv6-M split-multiplier constants or NULL;
 * MCUSIM_ARG_ERROR otherwise or on other cores */
mcusim_status mcusim_convolve_window_s8(const mcusim_conv_params *params,
                                        const mcusim_quant_params *quant, const int32_t *rq,
                                        const mcusim_dims *input_dims, const int8_t *input,
                                        const mcusim_dims *filter_dims, const int8_t *filter,
                                        const int32_t *bias,
                                        const mcusim_dims *output_dims, int8_t *output);

/* The same two variants with the filter packed at build time (the compiler's choice on DSP
 * cores): `packed` is the record stream of sim/mcusim/compiler/ops/conv_pack.py (per channel
 * pair: bias, the two rows as doubled int16 in the kernel's order, the requantization
 * constants; layout in mcusim_mat_mult_packed_s8.c and docs/kernels.md), written in flash in
 * place of the int8 filter, bias and multipliers; the output offset is in the constants. Four
 * output pixels per pass. Scratch: mcusim_convolve_fast_s8_get_buffer_size. */
int32_t mcusim_convolve_fast_s8_get_buffer_size(const mcusim_dims *filter_dims);
mcusim_status mcusim_convolve_1x1_fast_s8(void *buffer, const mcusim_conv_params *params,
                                          const mcusim_dims *input_dims, const int8_t *input,
                                          const mcusim_dims *filter_dims, const int32_t *packed,
                                          const mcusim_dims *output_dims, int8_t *output);
/* the same for stride 1 over 8 or 16 input channels with whole groups of four pixels: every
 * group in one assembly call on the M4/M33 (the compiler's choice there); otherwise
 * mcusim_convolve_1x1_fast_s8. copy != 0: the scratch holds the records after the columns
 * (out_c / 2 records of 32 (n8 + 1) bytes), copied there once per call. */
mcusim_status mcusim_convolve_1x1_fast_g_s8(void *buffer, int32_t copy,
                                            const mcusim_conv_params *params,
                                            const mcusim_dims *input_dims, const int8_t *input,
                                            const mcusim_dims *filter_dims, const int32_t *packed,
                                            const mcusim_dims *output_dims, int8_t *output);
/* The record loops a pointwise layer runs (mcusim_mm_pw_s8.c, several KB of straight-line
 * assembly each): groups of four pixels, groups of three, and two groups of four per record pass
 * (0 where the layer takes one; in a layer of one group per pass, the loop that runs every group
 * of four in one call, or 0). The compiler names the ones its layer needs in a table
 * (MCUSIM_PW_LOOPS), so --gc-sections keeps only those; builds without the DSP extension run C
 * loops and leave the table empty. */
typedef void (*mcusim_pw_loop)(const int16_t *x, const int32_t *rec, const int32_t *args,
                               int8_t *out);
typedef struct {
    mcusim_pw_loop four, three, eight;
} mcusim_pw_loops;
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && !defined(MCUSIM_PORTABLE)
#define MCUSIM_PW_LOOPS(FOUR, THREE, EIGHT) {FOUR, THREE, EIGHT}
#define MCUSIM_PW_LOOP_DECL(NAME)                                                                  \
    void NAME(const int16_t *x, const int32_t *rec, const int32_t *args, int8_t *out);
MCUSIM_PW_LOOP_DECL(mcusim_mm4x2_rqm_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm4x2_rqm64_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm4x2_rqm128_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm4x2_rqm128o128_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm4x2_rqm128o128w_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm4x2_rqm64o64_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm4x2_rqh32o32_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm4x2_rqh32o64_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm4x2_rqh64o64_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm4x2_rqh64o128_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm4x2_rqh128o128_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm4x2_rqh32o32w_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm4x2_rqh32o64w_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm4x2_rqh64o64w_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm3x2_rqm_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm3x2_rqm128_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm3x2_rqm256_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm4x2_rqh_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm4x2_rqh32_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm4x2_rqh64_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm4x2_rqh128_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm3x2_rqh_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm3x2_rqh128_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm3x2_rqh256_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm4x2_rqh32x2_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm4x2_rqm64x2_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm4x2_rqm64o64x2_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm4x2_rqm64o128x2_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm4x2_rqm64o128_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm4x2_rqh64g_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm4x2_rqh64o64g_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm4x2_rqh64o128g_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm4x2_rqh128g_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm4x2_rqh128o128g_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm3x2_rqh128g_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm3x2_rqh256g_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm3x2_rqm128g_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm3x2_rqm256g_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm4x2_rqm256_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm4x2_rqm256o256_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm4x2_rqm128o256_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm1x8_rqm128_s16)
MCUSIM_PW_LOOP_DECL(mcusim_mm1x8_rqm256_s16)
#undef MCUSIM_PW_LOOP_DECL
#define MCUSIM_PW_BLOCK_LOOPS(IN_C, FOUR, THREE, FOURS, THREES)                                  \
    {FOUR, THREE, FOURS, THREES, 0, IN_C}
#define MCUSIM_PW_BLOCK_LOOPS_M(IN_C, FOUR, THREE, FOURS, THREES, ONE)                             \
    {FOUR, THREE, FOURS, THREES, ONE, IN_C}
#else
#define MCUSIM_PW_LOOPS(FOUR, THREE, EIGHT) {0, 0, 0}
#define MCUSIM_PW_BLOCK_LOOPS(IN_C, FOUR, THREE, FOURS, THREES) {0, 0, 0, 0, 0, IN_C}
#define MCUSIM_PW_BLOCK_LOOPS_M(IN_C, FOUR, THREE, FOURS, THREES, ONE) {0, 0, 0, 0, 0, IN_C}
#endif
/* The loops of a pointwise layer in blocks (mcusim_convolve_1x1_fast_blk_pw_s8, the Cortex-M33):
 * one group of four / of three against a block of records, and every group of a block in one
 * call when all are fours / all threes (mcusim_mm4x2_rqh64g_s16 and kin, 0 for none); named by
 * the compiler as MCUSIM_PW_LOOPS, so the block kernels link only the layers' loops */
/* one: the M33's 3x3 maps split 4 + 4 + 1 (mcusim_convolve_1x1_fast_blk_m_s8): the ninth pixel
 * against four merged records at a time (mcusim_mm1x8_rqm128_s16 / 256; 0 in the other tables).
 * in_c: the input count the named loops have built in (MCUSIM_PW_BLOCK_LOOPS_M, and
 * MCUSIM_PW_BLOCK_LOOPS where a slot names a loop with it: rqh128, rqh256g, ...; 0 where all are
 * generic): the block kernels refuse another count */
typedef struct {
    mcusim_pw_loop four, three, fours, threes, one;
    int32_t in_c;
} mcusim_pw_block_loops;
/* The 1x1 entries over the record loops (mcusim_mm_pw_s8.c), all with one signature: */
#define MCUSIM_PW_ENTRY_DECL(NAME)                                                                 \
    mcusim_status NAME(void *buffer, const mcusim_conv_params *params,                             \
                       const mcusim_dims *input_dims, const int8_t *input,                         \
                       const mcusim_dims *filter_dims, const int32_t *packed,                      \
                       const mcusim_dims *output_dims, int8_t *output,                             \
                       const mcusim_pw_loops *loops);
/* mcusim_convolve_1x1_fast_s8 on the Cortex-M4's merged records (two channels per int16,
 * conv_pack.records_merged): stride 1, input channels a multiple of 32, even output channels */
MCUSIM_PW_ENTRY_DECL(mcusim_convolve_1x1_fast_m_s8)
/* the same shapes on the records of mcusim_convolve_1x1_fast_s8, its groups run straight
 * against the M4/M33 record loops */
MCUSIM_PW_ENTRY_DECL(mcusim_convolve_1x1_fast_pw_s8)
/* mcusim_convolve_1x1_fast_pw_s8 for 32 input channels with scratch for two groups (512 bytes),
 * two groups of four pixels per record pass (the Cortex-M4's choice) */
MCUSIM_PW_ENTRY_DECL(mcusim_convolve_1x1_fast_pw2_s8)
/* mcusim_convolve_1x1_fast_m_s8 for 64 input channels with scratch for two groups (1 KB), two
 * groups of four pixels per record pass (the Cortex-M4's choice) */
MCUSIM_PW_ENTRY_DECL(mcusim_convolve_1x1_fast_m2_s8)
/* mcusim_convolve_1x1_fast_m_s8 / _pw_s8 with the records copied into the scratch after the
 * columns (one group's: 8 in_c bytes), once per call */
MCUSIM_PW_ENTRY_DECL(mcusim_convolve_1x1_fast_mc_s8)
MCUSIM_PW_ENTRY_DECL(mcusim_convolve_1x1_fast_pwc_s8)
#undef MCUSIM_PW_ENTRY_DECL
/* mcusim_convolve_1x1_fast_s8 with up to `groups` (1..16) groups of four pixels gathered at once
 * (stride 1, input channels a multiple of 4; scratch: groups x the columns of four pixels) and
 * run against block_pairs channel pairs' records at a time, so each block of records is read
 * from flash once per `groups` groups (the compiler's choice on the M7 and M33 where a layer's
 * records outgrow the data cache); groups = 1 is mcusim_convolve_1x1_fast_s8 */
mcusim_status mcusim_convolve_1x1_fast_blk_s8(void *buffer, int32_t groups, int32_t block_pairs,
                                              const mcusim_conv_params *params,
                                              const mcusim_dims *input_dims, const int8_t *input,
                                              const mcusim_dims *filter_dims,
                                              const int32_t *packed,
                                              const mcusim_dims *output_dims, int8_t *output);
/* the same over input channels a multiple of 32 with the record loops of its table (the
 * compiler's choice on the Cortex-M33) */
mcusim_status mcusim_convolve_1x1_fast_blk_pw_s8(void *buffer, int32_t groups,
                                                 int32_t block_pairs,
                                                 const mcusim_conv_params *params,
                                                 const mcusim_dims *input_dims,
                                                 const int8_t *input,
                                                 const mcusim_dims *filter_dims,
                                                 const int32_t *packed,
                                                 const mcusim_dims *output_dims, int8_t *output,
                                                 const mcusim_pw_block_loops *loops);
/* the same on merged records (conv_pack.records_merged), the M33's 3x3 maps: every group of
 * three of a block in one call (loops->threes), else mcusim_convolve_1x1_fast_m_s8's loops */
mcusim_status mcusim_convolve_1x1_fast_blk_m_s8(void *buffer, int32_t groups,
                                                 int32_t block_pairs,
                                                 const mcusim_conv_params *params,
                                                 const mcusim_dims *input_dims,
                                                 const int8_t *input,
                                                 const mcusim_dims *filter_dims,
                                                 const int32_t *packed,
                                                 const mcusim_dims *output_dims, int8_t *output,
                                                 const mcusim_pw_block_loops *loops);
mcusim_status mcusim_convolve_im2col_fast_s8(void *buffer, const mcusim_conv_params *params,
                                             const mcusim_dims *input_dims, const int8_t *input,
                                             const mcusim_dims *filter_dims,
                                             const int32_t *packed,
                                             const mcusim_dims *output_dims, int8_t *output);
/* the same with up to `groups` groups of pixels per weight pass (scratch: groups x the four
 * columns, then the staging row), as mcusim_convolve_1x1_fast_blk_s8 */
mcusim_status mcusim_convolve_im2col_fast_blk_s8(void *buffer, int32_t groups,
                                                 int32_t block_pairs,
                                                 const mcusim_conv_params *params,
                                                 const mcusim_dims *input_dims,
                                                 const int8_t *input,
                                                 const mcusim_dims *filter_dims,
                                                 const int32_t *packed,
                                                 const mcusim_dims *output_dims, int8_t *output);

/* 3x3 windows over 3 input channels (RGB first layers: VWW, IC), dilation 1, any stride and
 * padding, the compiler's choice on the M4/M33: records of conv_pack.records(align=4) (columns of
 * 28, not 32) with the input offset folded into the bias (the kernel adds none; -input_offset,
 * the input zero point, fills the taps outside the image, which then add nothing, as in TFLM).
 * copy: bit 0, the scratch also holds the records, copied there once per call (a core whose
 * flash data cache is smaller than the records re-reads them from flash for every group
 * otherwise); bit 1 (DSP builds), a group of windows at the image's edge is staged there as a
 * strip of three rows (zp outside the image; or each output row's input rows whole, when that
 * is cheaper), so it takes the row kernel too.
 * Scratch: mcusim_convolve_rgb3x3_fast_s8_get_buffer_size (the same copy). */
int32_t mcusim_convolve_rgb3x3_fast_s8_get_buffer_size(const mcusim_conv_params *params,
                                                       const mcusim_dims *output_dims,
                                                       int32_t copy);
mcusim_status mcusim_convolve_rgb3x3_fast_s8(void *buffer, int32_t copy,
                                             const mcusim_conv_params *params,
                                             const mcusim_dims *input_dims, const int8_t *input,
                                             const mcusim_dims *filter_dims,
                                             const int32_t *packed,
                                             const mcusim_dims *output_dims, int8_t *output);
/* The same two kernels over prescaled records (conv_pack.prescale_shifts) with the assembly
 * routine named by the compiler (MCUSIM_SMALL_K_ROW: RGB -> 8 / 16, 1x1 8 -> 16 / 16 -> 32), so
 * --gc-sections keeps only that one of the small-K routines (several KB each). */
typedef void (*mcusim_small_k_row)(const int8_t *in, int16_t *cols, const int32_t *args,
                                   int8_t *out);
mcusim_status mcusim_convolve_rgb3x3_fast_r_s8(void *buffer, int32_t copy,
                                               const mcusim_conv_params *params,
                                               const mcusim_dims *input_dims,
                                               const int8_t *input,
                                               const mcusim_dims *filter_dims,
                                               const int32_t *packed,
                                               const mcusim_dims *output_dims, int8_t *output,
                                               mcusim_small_k_row row);
mcusim_status mcusim_convolve_1x1_fast_g_r_s8(void *buffer, int32_t copy,
                                              const mcusim_conv_params *params,
                                              const mcusim_dims *input_dims,
                                              const int8_t *input,
                                              const mcusim_dims *filter_dims,
                                              const int32_t *packed,
                                              const mcusim_dims *output_dims, int8_t *output,
                                              mcusim_small_k_row row);
/* VWW's first layer on the M4/M33 (the compiler's choice on the M33): 3x3 stride 2 over 3
 * channels -> 8, no padding at the top or left (TF SAME on an even input, VALID), out_w a
 * multiple of 4 up to 48, the activation minimum at or above the output zero point; prescaled
 * records of conv_pack.records_rgb_s2 (the K order of input rows widened once: each input row
 * widened to int16 in place of every window, the steps reading it at immediate offsets). DSP
 * builds only (MCUSIM_ARG_ERROR otherwise). Scratch:
 * mcusim_convolve_rgb3x3_s2_r_s8_get_buffer_size() bytes (five row slots of
 * MCUSIM_RGB_S2_SLOT bytes: one input row widened, 12 out_w + 8 bytes). */
#define MCUSIM_RGB_S2_SLOT 584
int32_t mcusim_convolve_rgb3x3_s2_r_s8_get_buffer_size(void);
mcusim_status mcusim_convolve_rgb3x3_s2_r_s8(void *buffer, const mcusim_conv_params *params,
                                             const mcusim_dims *input_dims, const int8_t *input,
                                             const mcusim_dims *filter_dims,
                                             const int32_t *packed,
                                             const mcusim_dims *output_dims, int8_t *output);
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && !defined(MCUSIM_PORTABLE)
#define MCUSIM_SMALL_K_ROW(NAME) NAME
void mcusim_rgb_row_q7_o8_s16(const int8_t *in, int16_t *cols, const int32_t *args, int8_t *out);
void mcusim_rgb_row_q7_o16_s16(const int8_t *in, int16_t *cols, const int32_t *args,
                               int8_t *out);
void mcusim_conv1x1_g8_o16_s16(const int8_t *in, int16_t *cols, const int32_t *args,
                               int8_t *out);
void mcusim_conv1x1_g16_o32_s16(const int8_t *in, int16_t *cols, const int32_t *args,
                                int8_t *out);
#else
#define MCUSIM_SMALL_K_ROW(NAME) 0
#endif

/* ARMv6-M (the compiler's choice on the M0/M0+): the 1x1 variant with the filter rows packed
 * in pairs interleaved byte by byte (an odd last row plain after them; rows padded to an even
 * length) and the input offset folded into the bias (input_offset must be 0). rq: NULL, or five
 * requantization constants per channel (mcusim_requant_split11, valid for the layer's weight
 * bound; the compiler's split11_table). Scratch: mcusim_convolve_1x1_pairs_s8_get_buffer_size. */
int32_t mcusim_convolve_1x1_pairs_s8_get_buffer_size(const mcusim_dims *filter_dims);
mcusim_status mcusim_convolve_1x1_pairs_s8(void *buffer, const mcusim_conv_params *params,
                                           const mcusim_quant_params *quant, const int32_t *rq,
                                           const mcusim_dims *input_dims, const int8_t *input,
                                           const mcusim_dims *filter_dims, const int8_t *packed,
                                           const int32_t *bias,
                                           const mcusim_dims *output_dims, int8_t *output);

/* ARMv6-M: the im2col variant with the filter rows widened to int16 and interleaved in pairs
 * at build time (an odd last row plain after them; rows padded to an even length), two output
 * pixels per pass; rq as for the 1x1 pairs variant. Scratch:
 * mcusim_convolve_im2col_pairs_s8_get_buffer_size. */
int32_t mcusim_convolve_im2col_pairs_s8_get_buffer_size(const mcusim_dims *filter_dims);
mcusim_status mcusim_convolve_im2col_pairs_s8(void *buffer, const mcusim_conv_params *params,
                                              const mcusim_quant_params *quant, const int32_t *rq,
                                              const mcusim_dims *input_dims,
                                              const int8_t *input,
                                              const mcusim_dims *filter_dims,
                                              const int16_t *packed, const int32_t *bias,
                                              const mcusim_dims *output_dims, int8_t *output);

/* ------------------------------------------------------------------ DEPTHWISE_CONV_2D */
typedef struct {
    int32_t input_offset;
    int32_t output_offset;
    int32_t ch_mult;
    mcusim_tile stride;
    mcusim_tile padding;
    mcusim_tile dilation;
    mcusim_activation activation;
} mcusim_dw_conv_params;

/* filter_dims: n = 1, h, w, c = input channels * ch_mult (= output channels) */
int32_t mcusim_depthwise_conv_wrapper_s8_get_buffer_size(const mcusim_dw_conv_params *params,
                                                         const mcusim_dims *input_dims,
                                                         const mcusim_dims *filter_dims);
mcusim_status mcusim_depthwise_conv_wrapper_s8(void *buffer, const mcusim_dw_conv_params *params,
                                               const mcusim_quant_params *quant,
                                               const mcusim_dims *input_dims, const int8_t *input,
                                               const mcusim_dims *filter_dims, const int8_t *filter,
                                               const int32_t *bias,
                                               const mcusim_dims *output_dims, int8_t *output);
mcusim_status mcusim_depthwise_conv_s8(const mcusim_dw_conv_params *params,
                                       const mcusim_quant_params *quant,
                                       const mcusim_dims *input_dims, const int8_t *input,
                                       const mcusim_dims *filter_dims, const int8_t *filter,
                                       const int32_t *bias,
                                       const mcusim_dims *output_dims, int8_t *output);
/* 3x3 filter, ch_mult 1, dilation 1 */
mcusim_status mcusim_depthwise_conv_3x3_s8(const mcusim_dw_conv_params *params,
                                           const mcusim_quant_params *quant,
                                           const mcusim_dims *input_dims, const int8_t *input,
                                           const mcusim_dims *filter_dims, const int8_t *filter,
                                           const int32_t *bias,
                                           const mcusim_dims *output_dims, int8_t *output);
/* 3x3, ch_mult 1, dilation 1, channels a multiple of 4, with filter, bias and requantization
 * packed at build time into 10 int32 per channel (layout: mcusim_depthwise_conv_3x3_packed_s8.c;
 * the compiler's choice on DSP cores, sim/mcusim/compiler/ops/depthwise_pack.py). Scratch:
 * mcusim_depthwise_conv_3x3_packed_s8_get_buffer_size (0 without DSP). */
int32_t mcusim_depthwise_conv_3x3_packed_s8_get_buffer_size(const mcusim_dw_conv_params *params,
                                                            const mcusim_dims *output_dims);
mcusim_status mcusim_depthwise_conv_3x3_packed_s8(void *buffer,
                                                  const mcusim_dw_conv_params *params,
                                                  const int32_t *packed,
                                                  const mcusim_dims *input_dims,
                                                  const int8_t *input,
                                                  const mcusim_dims *output_dims,
                                                  int8_t *output);
/* The same with the records of the transposed filter (w[kx][ky]): the kernel walks the map
 * column by column (rows along the width), for maps much taller than wide (KWS's 25x5); the
 * compiler's choice there. */
int32_t mcusim_depthwise_conv_3x3_packed_t_s8_get_buffer_size(const mcusim_dw_conv_params *params,
                                                              const mcusim_dims *output_dims);
mcusim_status mcusim_depthwise_conv_3x3_packed_t_s8(void *buffer,
                                                    const mcusim_dw_conv_params *params,
                                                    const int32_t *packed,
                                                    const mcusim_dims *input_dims,
                                                    const int8_t *input,
                                                    const mcusim_dims *output_dims,
                                                    int8_t *output);
/* The same two for one rounding form of the records, named by the compiler so that only that
 * form's assembly loops are linked (the entries above read it from the records and link all
 * three): _sign (the requantization's sign term), _nosign (activation minimum >= the output
 * zero point), _pre (prescaled records, depthwise_pack.prescalable). A layer of another form
 * gets MCUSIM_ARG_ERROR. */
#define MCUSIM_DW3P_FORM_DECL(NAME)                                                                \
    mcusim_status NAME(void *buffer, const mcusim_dw_conv_params *params, const int32_t *packed,   \
                       const mcusim_dims *input_dims, const int8_t *input,                         \
                       const mcusim_dims *output_dims, int8_t *output);
MCUSIM_DW3P_FORM_DECL(mcusim_depthwise_conv_3x3_packed_sign_s8)
MCUSIM_DW3P_FORM_DECL(mcusim_depthwise_conv_3x3_packed_t_sign_s8)
MCUSIM_DW3P_FORM_DECL(mcusim_depthwise_conv_3x3_packed_nosign_s8)
MCUSIM_DW3P_FORM_DECL(mcusim_depthwise_conv_3x3_packed_t_nosign_s8)
MCUSIM_DW3P_FORM_DECL(mcusim_depthwise_conv_3x3_packed_pre_s8)
MCUSIM_DW3P_FORM_DECL(mcusim_depthwise_conv_3x3_packed_t_pre_s8)
/* The row-walk entries of each form with a small map's loop named, so that only it is linked
 * (M4/M33 with an FPU, the small layout, depthwise_pack.unrolled_loop): _u<k><P>c<ch>, each
 * step's P passes unrolled, k = d: stride 1, width 2P, even heights; q: stride 2, width 4P;
 * ch: the channel count the output offsets are immediates for (0: any); k = m, n: a 3x3 map
 * at stride 1, 2, every output of a channel without a loop (P 3, ch given); v: stride 2, width
 * 4P + 2 (P quads, then a pair; ch given); e: stride 1, a 2P x 2P map with its steps unrolled
 * too (ch given); w: stride 2, width 2P, two output rows per step over three slots (ch
 * given, even heights). A layer the loop
 * does not fit runs the generic loops. X(k, kind, P, ch): the instances. */
#define MCUSIM_DW3P_U_LIST(X)                                                                      \
    X(d, 1, 3, 0) X(d, 1, 6, 0) X(d, 1, 12, 0) X(q, 4, 3, 0) X(d, 1, 3, 128) X(d, 1, 6, 64)        \
    X(d, 1, 12, 32) X(q, 4, 3, 32) X(m, 2, 3, 256) X(n, 6, 3, 128)     \
    X(v, 8, 1, 64) X(e, 3, 3, 128) X(w, 10, 6, 32) X(w, 10, 3, 64)
#define MCUSIM_DW3P_U_DECL(k, kind, P, ch)                                                         \
    MCUSIM_DW3P_FORM_DECL(mcusim_depthwise_conv_3x3_packed_sign_u##k##P##c##ch##_s8)               \
    MCUSIM_DW3P_FORM_DECL(mcusim_depthwise_conv_3x3_packed_nosign_u##k##P##c##ch##_s8)             \
    MCUSIM_DW3P_FORM_DECL(mcusim_depthwise_conv_3x3_packed_pre_u##k##P##c##ch##_s8)
MCUSIM_DW3P_U_LIST(MCUSIM_DW3P_U_DECL)
#undef MCUSIM_DW3P_U_DECL
/* ... and with a row walk's loops named (no small layout): _r<k><ow>c<ch>, rows of ow outputs
 * and ch channels, whose output offsets the loops hold as immediates; k = d: stride 1, q:
 * stride 2 (ow >= 4); s: stride 2, two output rows per call over three row-pair slots (kind 9,
 * even heights). X(k, kind, ow, ch, u): u = 1 for the loops of two passes per turn (ow >= 8;
 * the kernel's dualu/quad2u). A layer the loops do not fit runs the generic ones. */
#define MCUSIM_DW3P_R_LIST(X)                                                                      \
    X(d, 1, 48, 8, 1) X(q, 4, 24, 16, 1) X(s, 9, 24, 16, 1) X(d, 1, 5, 64, 0)
#define MCUSIM_DW3P_R_DECL(k, kind, ow, ch, u)                                                     \
    MCUSIM_DW3P_FORM_DECL(mcusim_depthwise_conv_3x3_packed_sign_r##k##ow##c##ch##_s8)              \
    MCUSIM_DW3P_FORM_DECL(mcusim_depthwise_conv_3x3_packed_nosign_r##k##ow##c##ch##_s8)            \
    MCUSIM_DW3P_FORM_DECL(mcusim_depthwise_conv_3x3_packed_pre_r##k##ow##c##ch##_s8)
MCUSIM_DW3P_R_LIST(MCUSIM_DW3P_R_DECL)
#undef MCUSIM_DW3P_R_DECL
#undef MCUSIM_DW3P_FORM_DECL

/* ------------------------------------------------------------------ FULLY_CONNECTED */
typedef struct {
    int32_t input_offset;
    int32_t filter_offset;   /* -filter zero point (0 for TFLite's int8 weights) */
    int32_t output_offset;
    mcusim_activation activation;
} mcusim_fc_params;

/* filter is [output_depth, accum_depth]; input is [batches, accum_depth] */
int32_t mcusim_fully_connected_wrapper_s8_get_buffer_size(int32_t accum_depth);
mcusim_status mcusim_fully_connected_wrapper_s8(void *buffer, const mcusim_fc_params *params,
                                                const mcusim_quant_params *quant,
                                                int32_t batches, int32_t accum_depth,
                                                int32_t output_depth, const int8_t *input,
                                                const int8_t *filter, const int32_t *bias,
                                                int8_t *output);
mcusim_status mcusim_fully_connected_s8(const mcusim_fc_params *params,
                                        const mcusim_quant_params *quant,
                                        int32_t batches, int32_t accum_depth,
                                        int32_t output_depth, const int8_t *input,
                                        const int8_t *filter, const int32_t *bias,
                                        int8_t *output);

/* DSP cores, constant weights (the compiler's choice): the filter packed at build time, rows in
 * groups of four interleaved per quad of columns (the rows after the last full group plain after
 * them, every row zero-padded to a multiple of 8); input_offset (folded into the bias) and
 * filter_offset must be 0. No scratch (buffer unused). */
int32_t mcusim_fully_connected_fast_s8_get_buffer_size(int32_t accum_depth);
mcusim_status mcusim_fully_connected_fast_s8(void *buffer, const mcusim_fc_params *params,
                                             const mcusim_quant_params *quant,
                                             int32_t batches, int32_t accum_depth,
                                             int32_t output_depth, const int8_t *input,
                                             const int8_t *packed, const int32_t *bias,
                                             int8_t *output);

/* DSP cores, constant weights (the compiler's choice when the weights allow it): rows in groups
 * of four, each pair (A, B) merged into int16 lanes 256 B + A (sim/mcusim/compiler/ops/
 * fc_pack.py); rq = {m, 2^(r-1) + out_off 2^r, r} per channel (or one) for the one-SMMLAR
 * requantization, or NULL (mult/shift). input_offset and filter_offset must be 0. Scratch:
 * get_buffer_size() bytes on the Cortex-M7 (the input row's first 256 columns widened to int16,
 * used by per-tensor full-range layers; NULL: widened per quad instead), none elsewhere. */
int32_t mcusim_fully_connected_merged_s8_get_buffer_size(int32_t accum_depth);
mcusim_status mcusim_fully_connected_merged_s8(void *buffer, const mcusim_fc_params *params,
                                               const mcusim_quant_params *quant,
                                               int32_t batches, int32_t accum_depth,
                                               int32_t output_depth, const int8_t *input,
                                               const int8_t *packed, const int32_t *bias,
                                               const int32_t *rq, int8_t *output);

/* ARMv6-M, constant weights, input offset folded into the bias (the compiler's choice on the
 * M0/M0+): rows in groups of four interleaved byte by byte, each weight as the unsigned byte
 * w + 128 (sim/mcusim/compiler/ops/fc_pack.py; rows after the last group plain int8, rows padded
 * to a multiple of 8); rq = {m3, m2, m1, m0, k24, 7 + r} per channel (or one) for
 * mcusim_requant_split8, or NULL (mult/shift). input_offset and filter_offset must be 0. No
 * scratch (buffer unused). */
int32_t mcusim_fully_connected_quads_s8_get_buffer_size(int32_t accum_depth);
mcusim_status mcusim_fully_connected_quads_s8(void *buffer, const mcusim_fc_params *params,
                                              const mcusim_quant_params *quant,
                                              int32_t batches, int32_t accum_depth,
                                              int32_t output_depth, const int8_t *input,
                                              const int8_t *packed, const int32_t *bias,
                                              const int32_t *rq, int8_t *output);

/* ------------------------------------------------------------------ pooling */
typedef struct {
    mcusim_tile stride;
    mcusim_tile padding;
    mcusim_activation activation;
} mcusim_pool_params;

/* filter_dims: h, w used; input and output share quantization (TFLM requires it) */
mcusim_status mcusim_avgpool_s8(const mcusim_pool_params *params,
                                const mcusim_dims *input_dims, const int8_t *input,
                                const mcusim_dims *filter_dims,
                                const mcusim_dims *output_dims, int8_t *output);
mcusim_status mcusim_maxpool_s8(const mcusim_pool_params *params,
                                const mcusim_dims *input_dims, const int8_t *input,
                                const mcusim_dims *filter_dims,
                                const mcusim_dims *output_dims, int8_t *output);

/* ------------------------------------------------------------------ ADD, MUL */
#define MCUSIM_MAX_DIMS 6
/* Broadcasting as TFLM's BroadcastAdd6DSlow: output shape extended to 6 dims; an input's stride
 * is 0 along every axis where it is broadcast. NULL broadcast = same shape, flat loop. */
typedef struct {
    int32_t out[MCUSIM_MAX_DIMS];
    int32_t stride1[MCUSIM_MAX_DIMS];
    int32_t stride2[MCUSIM_MAX_DIMS];
} mcusim_broadcast;

typedef struct {
    int32_t input1_offset, input2_offset, output_offset;
    int32_t input1_multiplier, input1_shift;
    int32_t input2_multiplier, input2_shift;
    int32_t output_multiplier, output_shift;
    int32_t left_shift;
    mcusim_activation activation;
} mcusim_add_params;

typedef struct {
    int32_t input1_offset, input2_offset, output_offset;
    int32_t output_multiplier, output_shift;
    mcusim_activation activation;
} mcusim_mul_params;

mcusim_status mcusim_add_s8(const mcusim_add_params *params, const mcusim_broadcast *bcast,
                            int32_t size, const int8_t *input1, const int8_t *input2,
                            int8_t *output);
/* same-shape ADD from build-time tables (mcusim_add_table_s8.c): table[0..255] = 2 s_1 and
 * table[256..511] = 2 s_2 indexed by the input byte; output requantization (multiplier, shift),
 * a = 2^(r-1) + output_offset 2^r and r = -shift for SMMLAR (r = 0: not usable); without a
 * 64-bit multiply (q != 0): table[512 + i] = the least 2 s whose output is >= min + i
 * (i = 1..steps; INT32_MIN at i = 0, INT32_MAX at steps + 1) and the guess
 * i = ((2 s >> 15) q + qb) >> qj that the thresholds correct */
typedef struct {
    const int32_t *table;
    int32_t output_multiplier, output_shift, output_offset;
    int32_t a, r;
    int32_t q, qb, qj, steps;
    mcusim_activation activation;
} mcusim_add_table_params;

mcusim_status mcusim_add_table_s8(const mcusim_add_table_params *params, int32_t size,
                                  const int8_t *input1, const int8_t *input2, int8_t *output);
mcusim_status mcusim_mul_s8(const mcusim_mul_params *params, const mcusim_broadcast *bcast,
                            int32_t size, const int8_t *input1, const int8_t *input2,
                            int8_t *output);

/* ------------------------------------------------------------------ SOFTMAX, LOGISTIC, TANH */
typedef struct {
    int32_t input_multiplier;
    int32_t input_left_shift;
    int32_t diff_min;
} mcusim_softmax_params;

/* output quantization fixed by TFLM: scale 1/256, zero point -128 */
mcusim_status mcusim_softmax_s8(const mcusim_softmax_params *params, int32_t rows,
                                int32_t row_size, const int8_t *input, int8_t *output);

typedef struct {
    int32_t input_zero_point;
    int32_t input_range_radius;
    int32_t input_multiplier;
    int32_t input_left_shift;
} mcusim_sigmoid_params;

/* LOGISTIC: output scale 1/256, zp -128; TANH: output scale 1/128, zp 0 (TFLM requires both) */
mcusim_status mcusim_logistic_s8(const mcusim_sigmoid_params *params, int32_t size,
                                 const int8_t *input, int8_t *output);
mcusim_status mcusim_tanh_s8(const mcusim_sigmoid_params *params, int32_t size,
                             const int8_t *input, int8_t *output);

/* ------------------------------------------------------------------ RELU, RELU6, QUANTIZE, DEQUANTIZE */
typedef struct {
    int32_t input_offset;    /* -input zero point */
    int32_t output_offset;   /* output zero point */
    int32_t multiplier, shift;
    mcusim_activation activation;
} mcusim_requant_params;

/* out = clamp(output_offset + MBQM(in + input_offset)): QUANTIZE int8->int8, RELU */
mcusim_status mcusim_requantize_s8(const mcusim_requant_params *params, int32_t size,
                                   const int8_t *input, int8_t *output);
/* out = clamp(in, lo, hi): RELU6 (TFLM clamps the input codes, no requantization) */
mcusim_status mcusim_clamp_s8(int32_t size, int8_t lo, int8_t hi, const int8_t *input,
                              int8_t *output);
/* QUANTIZE float32 -> int8 and DEQUANTIZE int8 -> float32: the only float paths */
mcusim_status mcusim_quantize_f32_s8(int32_t size, float scale, int32_t zero_point,
                                     const float *input, int8_t *output);
mcusim_status mcusim_dequantize_s8_f32(int32_t size, double scale, int32_t zero_point,
                                       const int8_t *input, float *output);

/* ------------------------------------------------------------------ data movement */
/* RESHAPE when the compiler could not alias: a byte copy (no-op when input == output) */
mcusim_status mcusim_copy_s8(int32_t size, const int8_t *input, int8_t *output);

/* PAD / PADV2: dims extended to 4 (leading 1s); before/after per axis; value is the pad code */
mcusim_status mcusim_pad_s8(const mcusim_dims *input_dims, const int32_t before[4],
                            const int32_t after[4], int8_t pad_value, const int8_t *input,
                            int8_t *output);

/* CONCATENATION (all inputs share the output's quantization, as TFLM requires for int8):
 * outer = product of dims before the axis; copy_sizes[i] = input i's axis dim * inner size */
mcusim_status mcusim_concat_s8(int32_t outer, int32_t num_inputs, const int8_t *const *inputs,
                               const int32_t *copy_sizes, int8_t *output);

/* MEAN over any axes of an (up to) 4-D input, TFLM's integer path: the int32 sum of each output's
 * inputs, minus zero point x count, times one multiplier that folds in 1/count (quant.py).
 * reduce[k] != 0 marks axis k reduced; no scratch (the sum is taken output by output). */
typedef struct {
    int32_t input_zero_point;
    int32_t output_offset;    /* output zero point */
    int32_t multiplier, shift;
    int32_t count;            /* elements averaged per output */
} mcusim_mean_params;

mcusim_status mcusim_mean_s8(const mcusim_mean_params *params, const mcusim_dims *input_dims,
                             const int32_t reduce[4], const int8_t *input, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* MCUSIM_NN_H */
