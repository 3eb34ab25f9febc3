"""The kernels cross-compiled with arm-none-eabi-gcc and run in the simulator, against TFLM.

On a Cortex-M4 (stm32f4) the DSP paths are compiled in (__ARM_FEATURE_DSP: __smlad/__sxtb16 in
the 1x1 and im2col convolutions and FULLY_CONNECTED, __smlabb/__smlatt in the 3x3 depthwise);
on a Cortex-M7 (stm32f746) the same, with the packed convolution's M7 schedule; on a Cortex-M0+
(rp2040) the portable and ARMv6-M paths run. All must equal TFLM bit for bit. All cases share
one firmware image per core so the whole test is one build and one simulation each.
"""
from __future__ import annotations

import re
import shutil
import zlib

import numpy as np
import pytest

from mcusim.compiler import modelgen as mg
from kernel_support import INCLUDE, KERNELS, NP, ArmHarness, input_sets, tflm, importer

CHUNK = 64              # cases per firmware image (test_kernels_on_simulated_core) ...
IMAGE_RAM = 80 * 1024   # ... and their static buffers' bytes: the stm32f4 has 128 KB of SRAM

pytestmark = pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None,
                                reason="arm-none-eabi-gcc not installed")


def rng(*key):
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


RND = {"random": True}     # a case's attribute: random inputs, not the extremes (see cases)


def cases():
    r = rng("arm")
    yield mg.conv_2d(r, [1, 9, 7, 5], 6, (3, 3), (2, 2), padding="SAME", activation="RELU")[0]
    yield mg.conv_2d(r, [1, 10, 10, 3], 5, (3, 3), (1, 1), (2, 2), "VALID", False)[0]
    yield mg.conv_2d(r, [1, 49, 10, 1], 8, (10, 4), (2, 2), activation="RELU")[0]
    yield mg.conv_2d(r, [1, 7, 7, 13], 9, (1, 1), padding="VALID", activation="RELU6")[0]
    yield mg.conv_2d(r, [1, 5, 5, 16], 7, (1, 1), (2, 2), padding="VALID", per_channel=False)[0]
    yield mg.conv_2d(r, [2, 3, 5, 8], 6, (1, 1), padding="VALID")[0]   # pixel pairs across rows/images
    yield mg.conv_2d(r, [1, 5, 5, 9], 5, (1, 1), (2, 2), padding="VALID", activation="RELU")[0]
    # packed variants: a 3-pixel last group, 12 channels padded to 16, the RELU6 clamp pass
    yield mg.conv_2d(r, [1, 5, 7, 12], 8, (1, 1), padding="VALID", activation="RELU6")[0]
    yield mg.conv_2d(r, [1, 8, 8, 16], 16, (3, 3), padding="SAME", activation="RELU")[0]
    yield mg.conv_2d(r, [1, 3, 6, 20], 6, (1, 1), padding="VALID")[0]   # 24: entry at step 4
    yield mg.conv_2d(r, [1, 7, 1, 8], 6, (1, 1), padding="VALID")[0]    # one column: a 3-pixel group
    yield mg.depthwise_conv_2d(r, [1, 9, 7, 8], 1, (3, 3), (2, 2), activation="RELU6")[0]
    yield mg.depthwise_conv_2d(r, [2, 6, 5, 12], 1, (3, 3), (1, 1), padding="SAME",
                               activation="RELU")[0]       # interior and border pixels
    yield mg.depthwise_conv_2d(r, [1, 5, 4, 20], 1, (3, 3), (1, 1), padding="VALID",
                               per_channel=False)[0]       # 20 channels: ARMv6-M chunks of 16
    # generic depthwise, DSP four-channel passes: multiplier 8 on one channel (one input byte
    # per tap for four outputs), 5x5 multiplier 1 with a tail of 2, dilated multiplier 4
    yield mg.depthwise_conv_2d(r, [1, 10, 9, 1], 8, (3, 3), (2, 2), padding="SAME",
                               activation="RELU6")[0]
    yield mg.depthwise_conv_2d(r, [1, 7, 8, 6], 1, (5, 5), (1, 1), padding="SAME")[0]
    yield mg.depthwise_conv_2d(r, [1, 8, 7, 2], 4, (3, 3), (1, 1), (2, 2), padding="SAME")[0]
    yield mg.depthwise_conv_2d(r, [1, 8, 8, 3], 2, (3, 3), (1, 1), (2, 2))[0]
    yield mg.depthwise_conv_2d(r, [1, 6, 7, 6], 1, (3, 3), (1, 1), padding="VALID",
                               per_channel=False)[0]       # 4-channel DSP groups + a tail of 2
    # 3x3 with the build-time packed layout on DSP cores: stride 1 (two output rows per pass,
    # an odd last row), stride 2 with ReLU6 (single rows), two images
    yield mg.depthwise_conv_2d(r, [2, 7, 5, 8], 1, (3, 3), (1, 1), padding="SAME",
                               activation="RELU")[0]
    yield mg.depthwise_conv_2d(r, [1, 11, 12, 16], 1, (3, 3), (2, 2), padding="SAME",
                               activation="RELU6")[0]
    yield mg.depthwise_conv_2d(r, [1, 6, 9, 12], 1, (3, 3), (1, 1), padding="SAME",
                               activation="RELU_N1_TO_1")[0]   # clamp below the zero point
    yield mg.depthwise_conv_2d(r, [1, 5, 7, 4], 1, (3, 3), (1, 1), padding="VALID")[0]
    # the fused taps-and-requantization loops (SSAT modes, FPU cores): full range with the sign
    # term and ReLU at output zero point -128 without it; column pairs plus an odd last column,
    # a single column (no pairs), 12 channels (3 groups), stride 2 both ways and across only
    yield mg.depthwise_conv_2d(r, [1, 7, 7, 12], 1, (3, 3), (1, 1), padding="SAME")[0]
    yield mg.depthwise_conv_2d(r, [1, 6, 8, 8], 1, (3, 3), (1, 1), padding="SAME",
                               activation="RELU", out_q=(0.05, -128))[0]
    yield mg.depthwise_conv_2d(r, [1, 5, 1, 4], 1, (3, 3), (1, 1), padding="SAME",
                               activation="RELU", out_q=(0.04, -128))[0]
    yield mg.depthwise_conv_2d(r, [1, 10, 10, 8], 1, (3, 3), (2, 2), padding="SAME")[0]
    yield mg.depthwise_conv_2d(r, [1, 9, 12, 12], 1, (3, 3), (2, 2), padding="VALID",
                               activation="RELU", out_q=(0.05, -128))[0]
    # stride 2 in quads of output columns (quad2/quad27) then n & 3 left: widths 8 (quads
    # only), 6 (a quad and a pair), 7 (a quad, a pair and an odd column, without the sign term)
    yield mg.depthwise_conv_2d(r, [1, 7, 15, 8], 1, (3, 3), (2, 2), padding="SAME")[0]
    yield mg.depthwise_conv_2d(r, [1, 6, 13, 4], 1, (3, 3), (2, 2), padding="VALID")[0]
    yield mg.depthwise_conv_2d(r, [1, 9, 14, 12], 1, (3, 3), (2, 2), padding="SAME",
                               activation="RELU", out_q=(0.05, -128))[0]
    yield mg.depthwise_conv_2d(r, [1, 6, 6, 8], 1, (3, 3), (2, 2), padding="SAME")[0]  # 3 wide: pair2
    yield mg.depthwise_conv_2d(r, [1, 8, 9, 8], 1, (3, 3), (2, 1), padding="SAME")[0]
    # small maps (mcusim_dw3f_*_m: every row pair in its own slot, all steps of a channel per
    # call): stride 1 with the sign term, an odd last column, three groups and two images; 12
    # rows VALID (7 pairs) and 14 rows (all 8 slots); stride 2 over all 8 slots (7 rows of 5:
    # a quad and an odd column); 3 wide (pair2) and 4 to 5 rows of quads are above
    yield mg.depthwise_conv_2d(r, [2, 6, 7, 12], 1, (3, 3), (1, 1), padding="SAME")[0]
    yield mg.depthwise_conv_2d(r, [1, 14, 9, 8], 1, (3, 3), (1, 1), padding="VALID",
                               activation="RELU", out_q=(0.05, -128))[0]
    yield mg.depthwise_conv_2d(r, [1, 14, 14, 4], 1, (3, 3), (1, 1), padding="SAME")[0]
    yield mg.depthwise_conv_2d(r, [1, 14, 10, 8], 1, (3, 3), (2, 2), padding="SAME")[0]
    # odd heights in small maps: the pair steps then the last row alone (mcusim_dw3f_dual_m[o]r*;
    # 7x7 and 3x5 VALID above take it with the sign term): even width, odd width without it
    yield mg.depthwise_conv_2d(r, [1, 5, 6, 8], 1, (3, 3), (1, 1), padding="SAME",
                               activation="RELU", out_q=(0.05, -128))[0]
    yield mg.depthwise_conv_2d(r, [1, 9, 5, 4], 1, (3, 3), (1, 1), padding="SAME",
                               activation="RELU", out_q=(0.04, -128))[0]
    # rows of at least 8 outputs at stride 1 take two passes per loop turn (mcusim_dw3f_dualu_*):
    # 5 column pairs (in at the second pass) and a last odd row; 4 pairs and an odd column
    yield mg.depthwise_conv_2d(r, [1, 9, 10, 8], 1, (3, 3), (1, 1), padding="SAME")[0]
    yield mg.depthwise_conv_2d(r, [1, 16, 9, 4], 1, (3, 3), (1, 1), padding="SAME",
                               activation="RELU", out_q=(0.05, -128))[0]
    # the same at stride 2 (mcusim_dw3f_quad2u_*): 2 quads and an odd column; 3 quads
    yield mg.depthwise_conv_2d(r, [1, 17, 18, 4], 1, (3, 3), (2, 2), padding="SAME")[0]
    yield mg.depthwise_conv_2d(r, [1, 17, 24, 4], 1, (3, 3), (2, 2), padding="SAME",
                               activation="RELU", out_q=(0.05, -128))[0]
    # maps at least twice as tall as wide take the transposed walk (..._packed_t_s8): KWS-like
    # 5 wide, stride 2, strides (2, 1) (pair2 in the transposed frame), the RELU6 clamp (the
    # unfused loops), two images
    yield mg.depthwise_conv_2d(r, [1, 13, 5, 8], 1, (3, 3), (1, 1), padding="SAME")[0]
    yield mg.depthwise_conv_2d(r, [1, 15, 4, 4], 1, (3, 3), (2, 2), padding="SAME",
                               activation="RELU", out_q=(0.05, -128))[0]
    yield mg.depthwise_conv_2d(r, [1, 11, 3, 12], 1, (3, 3), (2, 1), padding="SAME")[0]
    yield mg.depthwise_conv_2d(r, [2, 12, 5, 8], 1, (3, 3), (1, 1), padding="SAME",
                               activation="RELU6")[0]
    yield mg.fully_connected(r, [1, 67], 10, per_channel=False, activation="RELU")[0]
    yield mg.fully_connected(r, [2, 32], 9, per_channel=True)[0]
    # DSP merged rows: the whole layer in assembly (columns a multiple of 8, bias, SMMLAR), with
    # per-tensor and per-channel constants, plain last rows, a narrowed activation range
    yield mg.fully_connected(r, [1, 64], 12, per_channel=False, activation="RELU6")[0]
    yield mg.fully_connected(r, [1, 40], 7, per_channel=True, activation="RELU")[0]   # 5 blocks of 8
    yield mg.fully_connected(r, [1, 24], 8, bias=False, in_q=(0.05, 0))[0]    # NULL bias
    yield mg.fully_connected(r, [2, 56], 8, per_channel=False)[0]   # per tensor, full range: SSAT
    yield mg.fully_connected(r, [1, 48], 6, per_channel=True)[0]   # 6 blocks: in at the third
    yield mg.pool_2d(r, "AVERAGE_POOL_2D", [1, 9, 7, 5], (3, 3), (2, 2), "SAME")[0]
    # DSP sums of eight channels in int16 lanes: a KWS-like global pool (125 taps, 2 groups of 8
    # + a tail of 4), clipped windows over two images, and 289 taps (> 256: the int32 loop)
    yield mg.pool_2d(r, "AVERAGE_POOL_2D", [1, 25, 5, 20], (25, 5), (1, 1), "VALID")[0]
    yield mg.pool_2d(r, "AVERAGE_POOL_2D", [2, 6, 6, 16], (3, 3), (2, 2), "SAME", "RELU")[0]
    yield mg.pool_2d(r, "AVERAGE_POOL_2D", [1, 17, 17, 8], (17, 17), (1, 1), "VALID")[0]
    # the DSP means by reciprocal (mean_recip): 256 taps (the lanes' limit, |sum| up to 32,768)
    # and windows of one valid tap (count 1: no reciprocal) at SAME's right and bottom edges
    yield mg.pool_2d(r, "AVERAGE_POOL_2D", [1, 16, 16, 8], (16, 16), (1, 1), "VALID")[0]
    yield mg.pool_2d(r, "AVERAGE_POOL_2D", [1, 5, 5, 16], (2, 2), (2, 2), "SAME")[0]
    yield mg.pool_2d(r, "MAX_POOL_2D", [1, 8, 8, 4], (2, 2), (2, 2), "VALID", "RELU")[0]
    yield mg.binary(r, "ADD", [1, 5, 5, 4], [4], "RELU6")[0]
    yield mg.binary(r, "MUL", [1, 6, 1, 5], [1, 1, 7, 1])[0]
    yield mg.unary(r, "SOFTMAX", [2, 12], in_scale=0.1, out_scale=1 / 256, out_zp=-128,
                   options={"beta": 1.0})[0]
    yield mg.unary(r, "LOGISTIC", [1, 64], in_scale=0.06, in_zp=-5, out_scale=1 / 256,
                   out_zp=-128)[0]
    yield mg.unary(r, "TANH", [1, 64], in_scale=0.03, in_zp=4, out_scale=1 / 128, out_zp=0)[0]
    yield mg.mean(r, [1, 5, 5, 8], [1, 2], True)[0]
    yield mg.pad(r, [1, 4, 3, 2], [[0, 0], [0, 3], [1, 0], [2, 1]])[0]
    yield mg.unary(r, "QUANTIZE", [1, 97], in_dtype="float32", out_scale=0.05, out_zp=-3)[0]
    yield mg.unary(r, "DEQUANTIZE", [2, 40], in_scale=0.037, in_zp=5, out_dtype="float32")[0]
    yield mg.unary(r, "QUANTIZE", [2, 33], in_scale=0.05, in_zp=10, out_scale=0.03,
                   out_zp=-20)[0]
    yield mg.weights_as_input(r, "FULLY_CONNECTED", [2, 37], 7)[0]      # DSP row sums
    yield mg.weights_as_input(r, "CONV_2D", [1, 3, 4, 21], 5, False)[0]
    # same-shape ADD from build-time tables (mcusim_add_table_s8): an odd size (pair loop +
    # tail), a constant second input, and an output scale whose shift SMMLAR cannot take
    yield mg.binary(r, "ADD", [1, 5, 7, 3], [1, 5, 7, 3], "RELU")[0]
    yield mg.binary(r, "ADD", [2, 4, 4, 5], [2, 4, 4, 5], const_second=True)[0]
    yield mg.binary(r, "ADD", [1, 3, 3, 8], [1, 3, 3, 8], q1=(0.02, -3), q2=(0.05, 7),
                    out_q=(1.0, 1))[0]
    # im2col of few input channels, windows widened straight from the input rows: 3x3 over RGB
    # (the written-out 3x3x3 quads, stride 2 as VWW and stride 1 as IC) and 3x6 over 3 channels
    # (18-byte rows: the row-crossing quads of the general walk)
    yield mg.conv_2d(r, [1, 9, 8, 3], 8, (3, 3), (2, 2), padding="SAME", activation="RELU")[0]
    yield mg.conv_2d(r, [1, 6, 7, 3], 6, (3, 3), padding="SAME")[0]
    yield mg.conv_2d(r, [1, 5, 8, 3], 5, (3, 6), padding="VALID")[0]
    # packed gathers of whole groups of four windows inside the image (issue 9): 8 channels
    # (whole quads, stride 1, groups crossing rows), RGB at stride 2 and 1 (odd widths and
    # channel counts, K = 27 and 36: entries at steps 4 and 12), 1x1 stride 1 with K = 4
    yield mg.conv_2d(r, [1, 7, 14, 8], 6, (3, 3), padding="SAME", activation="RELU")[0]
    yield mg.conv_2d(r, [1, 9, 21, 3], 7, (3, 3), (2, 2), padding="SAME", activation="RELU6")[0]
    yield mg.conv_2d(r, [1, 6, 13, 4], 5, (3, 3), padding="VALID")[0]
    yield mg.conv_2d(r, [1, 5, 9, 4], 3, (1, 1), padding="VALID", activation="RELU")[0]
    # pixel counts 4m + 1 and 4m + 2 with even channels end in groups of three (mcusim_mm3x2_rq_s16):
    # VWW's 3x3 maps (9 = 3 + 3 + 3) and a 3x3 window over 8 channels (25 = 4 * 4 + 3 * 3)
    yield mg.conv_2d(r, [1, 3, 3, 24], 10, (1, 1), padding="VALID", activation="RELU6")[0]
    yield mg.conv_2d(r, [1, 5, 5, 8], 6, (3, 3), padding="SAME")[0]
    yield mg.conv_2d(r, [2, 1, 3, 20], 4, (1, 1), padding="VALID")[0]   # 6 < 9: the overlapping group
    # columns of 8 and 16 elements (mcusim_mm4x2_rq_n1_s16 / _n2_s16, on the M7 _n1_s16_m7 /
    # _n2_s16_m7; 8 also from the 1x1 K = 4 case above): 1x1 over 16 channels and a
    # 3x3 window over one channel (9 elements padded to 16)
    yield mg.conv_2d(r, [1, 4, 6, 16], 10, (1, 1), padding="VALID", activation="RELU6")[0]
    yield mg.conv_2d(r, [1, 6, 7, 1], 4, (3, 3), padding="SAME", activation="RELU")[0]
    # 1x1 stride 1 with records beyond the data cache: groups of pixels gathered per weight
    # pass (mcusim_convolve_1x1_fast_blk_s8; the M4 keeps one group per pass). 17 pairs of
    # 544 B (> the M33's 8 KB): 35 pixels = 8 fours + a three in passes of 2 groups (the scratch
    # rule), blocks of 7, 7, 3 pairs (M33) / 3 .. 2 (M7), the RELU6 clamp over a whole pass;
    # 18 pairs of 288 B (> the M7's 4 KB only): 18 pixels across two images = 4 + 4 + 4 + 3 + 3,
    # passes of 4 groups and a last of one group of three, blocks of 7, 7, 4
    yield mg.conv_2d(r, [1, 5, 7, 128], 34, (1, 1), padding="VALID", activation="RELU6")[0]
    yield mg.conv_2d(r, [2, 3, 3, 64], 36, (1, 1), padding="VALID")[0]
    # the same passes in im2col (mcusim_convolve_im2col_fast_blk_s8): 3x3 over 12 channels to 36
    # (18 pairs of 480 B), 42 pixels = 9 fours + 2 threes with border windows (per pixel) and
    # inside groups (mcusim_gather4_inside) in one pass; 3x3 over 6 channels (the staging row
    # after the columns) to 34 (17 pairs of 256 B, > the M7's 4 KB only), ReLU
    yield mg.conv_2d(r, [1, 6, 7, 12], 36, (3, 3), padding="SAME")[0]
    yield mg.conv_2d(r, [1, 5, 6, 6], 34, (3, 3), padding="SAME", activation="RELU")[0]
    # columns of a multiple of 32 elements on the M4/M33 (mcusim_mm_pw_s8.c): K = 32 straight
    # (_rqh32) and K = 64, 96 in the loop (_rqh), with ReLU/ReLU6 (the rounding without the
    # [acc < 0] term: the minimum is the zero point) and without (the full rounding); 20 pixels =
    # 5 fours, 18 = 4 fours + 3 + 3... (groups of three), two images of 4 pixels
    yield mg.conv_2d(r, [1, 4, 5, 32], 10, (1, 1), padding="VALID", activation="RELU6")[0]
    yield mg.conv_2d(r, [1, 3, 6, 32], 6, (1, 1), padding="VALID")[0]
    yield mg.conv_2d(r, [1, 4, 3, 96], 8, (1, 1), padding="VALID", activation="RELU")[0]
    yield mg.conv_2d(r, [2, 2, 2, 64], 12, (1, 1), padding="VALID", activation="RELU_N1_TO_1")[0]
    # ... and the 3 x 2 block's (mcusim_mm3x2_rqh_s16): VWW's 3x3 maps, K = 64 with ReLU6 (the
    # 18-pixel K = 32 case above takes it without)
    yield mg.conv_2d(r, [1, 3, 3, 64], 12, (1, 1), padding="VALID", activation="RELU6")[0]
    # windows too large for the packed columns beside their layer (scratch_fits): DSP cores read
    # them straight from the input (mcusim_convolve_window_s8, no scratch): cnn_s's 10x4x28
    # stride (2, 1) with ReLU; 9 pixels (an odd last one) and 7 channels (an odd last one),
    # per-tensor; two images of 6 pixels (pairs across rows and images)
    yield mg.conv_2d(r, [1, 12, 7, 28], 30, (10, 4), (2, 1), padding="VALID",
                     activation="RELU")[0], RND
    yield mg.conv_2d(r, [1, 11, 7, 12], 7, (9, 5), padding="VALID", per_channel=False)[0], RND
    yield mg.conv_2d(r, [2, 10, 5, 16], 6, (8, 4), padding="VALID", activation="RELU6")[0]
    # same-shape MUL (the SMMLAR / split-multiplier loop): a clamp, and a shift out of range
    yield mg.binary(r, "MUL", [1, 4, 5, 6], [1, 4, 5, 6], "RELU6")[0]
    yield mg.binary(r, "MUL", [2, 3, 7], [2, 3, 7], q1=(0.5, 3), q2=(0.4, -2), out_q=(0.01, 0))[0]
    # (the cases below take random inputs, RND: pixel-order bugs need pixels that differ; the
    # narrow map keeps the extremes)
    # 3x3 over RGB on the M4/M33 (mcusim_convolve_rgb3x3_fast_s8: columns of 28, offset folded):
    # two images with groups across rows and images, stride (2, 1), the RELU6 clamp, a last group
    # of two pixels (through the scratch); VALID stride 1 with whole rows of inside groups and a
    # last group of one; SAME stride 2 with padding on every side (odd input)
    yield mg.conv_2d(r, [2, 7, 9, 3], 10, (3, 3), (2, 1), padding="SAME",
                     activation="RELU6")[0], RND
    yield mg.conv_2d(r, [1, 11, 15, 3], 4, (3, 3), (1, 1), padding="VALID")[0], RND
    yield mg.conv_2d(r, [1, 13, 17, 3], 8, (3, 3), (2, 2), padding="SAME",
                     activation="RELU")[0], RND
    # 1x1 stride 1 over 8 and 16 channels on the M4/M33 when the pixels are whole groups of four
    # (mcusim_convolve_1x1_fast_g_s8: every group in one call of mcusim_conv1x1_g8_s16 /
    # _g16_s16): 36 pixels with the RELU6 clamp over the call's outputs; two images of 20
    # pixels, 4 channels
    yield mg.conv_2d(r, [1, 6, 6, 16], 8, (1, 1), padding="VALID", activation="RELU6")[0], RND
    yield mg.conv_2d(r, [2, 4, 5, 8], 4, (1, 1), padding="VALID", activation="RELU")[0], RND
    # the RGB kernel without its scratch extras (the compiler's choice when the arena cannot take
    # them: records read from flash, edge windows per pixel), and a map narrower than a group
    yield mg.conv_2d(r, [2, 7, 9, 3], 6, (3, 3), (2, 1), padding="SAME", activation="RELU6")[0], \
        {"records_copy": frozenset(), "random": True}
    yield mg.conv_2d(r, [1, 9, 5, 3], 4, (3, 3), (2, 2), padding="SAME")[0]
    # whole staged rows (stride 1, padding on both sides: cheaper than two strips per row) with
    # a last group of two pixels per row (width 10)
    yield mg.conv_2d(r, [1, 6, 10, 3], 8, (3, 3), (1, 1), padding="SAME", activation="RELU")[0], RND
    # strips for the edge groups only (VWW-like: stride 2, padding right and below; a wide row
    # whose whole staging would cost more): inside runs, the bottom row's strips, a last pixel
    yield mg.conv_2d(r, [1, 6, 34, 3], 6, (3, 3), (2, 2), padding="SAME")[0], RND
    # the variants for VWW's / IC's channel counts (outputs at immediate offsets): RGB to 16
    # channels, 1x1 8 -> 16 and 16 -> 32
    yield mg.conv_2d(r, [1, 7, 12, 3], 16, (3, 3), (1, 1), padding="SAME",
                     activation="RELU")[0], RND
    yield mg.conv_2d(r, [1, 4, 4, 8], 16, (1, 1), padding="VALID", activation="RELU")[0], RND
    yield mg.conv_2d(r, [1, 2, 6, 16], 32, (1, 1), padding="VALID", activation="RELU6")[0], RND
    # the unrolled record passes of those instances (issue 9: out_c / 2 records per group in
    # passes of 4 (RGB, 1x1 16 -> 32) or 8 (1x1 8 -> 16), stores at immediate offsets): RGB to 16
    # channels at stride 2 over an odd map with padding right and below (two passes per group,
    # edge strips, a last pixel of a row), 1x1 16 -> 32 over two images (four passes, six groups),
    # 8 -> 16 with RELU6 at a nonzero output zero point (the clamp pass after the call)
    yield mg.conv_2d(r, [1, 9, 11, 3], 16, (3, 3), (2, 2), padding="SAME",
                     activation="RELU")[0], RND
    yield mg.conv_2d(r, [2, 3, 4, 16], 32, (1, 1), padding="VALID", activation="RELU")[0], RND
    yield mg.conv_2d(r, [1, 5, 4, 8], 16, (1, 1), padding="VALID", activation="RELU6",
                     out_q=(0.04, -9))[0], RND
    # those instances drop the requantization's sign term (activation minimum >= output zero
    # point): RELU at output zero point -20 (the clamp pass) and 3; the same shapes without an
    # activation (minimum -128 below the zero point) keep the generic routines
    yield mg.conv_2d(r, [1, 4, 8, 8], 16, (1, 1), padding="VALID", activation="RELU",
                     out_q=(0.02, -20))[0], RND
    yield mg.conv_2d(r, [1, 6, 8, 3], 8, (3, 3), (2, 2), padding="SAME", activation="RELU",
                     out_q=(0.03, 3))[0], RND
    yield mg.conv_2d(r, [1, 4, 8, 8], 16, (1, 1), padding="VALID", out_q=(0.02, 5))[0], RND
    yield mg.conv_2d(r, [1, 3, 4, 16], 32, (1, 1), padding="VALID", out_q=(0.03, -7))[0], RND
    yield mg.conv_2d(r, [1, 7, 12, 3], 16, (3, 3), (1, 1), padding="SAME", out_q=(0.05, 9))[0], RND
    # prescaled small-K records (conv_pack.prescale_shifts; the OUTC routines: SMMLA and SSAT
    # asr #12) with VWW's edge group in the row call (its window 3 one pixel past the right
    # edge, MCUSIM_RGBW_E): stride 2, padding right and below, two images, three groups a row
    # (the last one the edge group), and a map of one group a row (edge group alone, g = 0)
    yield mg.conv_2d(r, [2, 9, 24, 3], 8, (3, 3), (2, 2), padding="SAME", activation="RELU",
                     out_q=(0.05, -128))[0], RND
    yield mg.conv_2d(r, [1, 7, 8, 3], 8, (3, 3), (2, 2), padding="SAME", activation="RELU6",
                     out_q=(0.12, -128))[0], RND
    # prescaled depthwise records (FPU cores, output zero point -128: SMMLA and SSAT asr #12) in
    # the row-pair walk: stride 1 with an odd column and a last odd row (dualu, pair1), stride 2
    # three wide (pair2) and seven wide (a quad, a pair and an odd column); e up to 12 keeps the
    # unscaled records (same loops without the sign term)
    r = rng("prescaled")
    yield mg.depthwise_conv_2d(r, [1, 17, 19, 4], 1, (3, 3), (1, 1), padding="SAME",
                               activation="RELU", out_q=(0.05, -128))[0]
    yield mg.depthwise_conv_2d(r, [1, 17, 6, 4], 1, (3, 3), (2, 2), padding="SAME",
                               activation="RELU", out_q=(0.05, -128))[0]
    yield mg.depthwise_conv_2d(r, [1, 18, 13, 8], 1, (3, 3), (2, 2), padding="SAME",
                               activation="RELU", out_q=(0.05, -128))[0]
    yield mg.depthwise_conv_2d(r, [1, 8, 8, 8], 1, (3, 3), (1, 1), padding="SAME",
                               activation="RELU", out_q=(0.5, -128))[0]
    # the small layout in equal blocks of rows (mcusim_dw3p_block_rows, rows of 8+ outputs): VWW's
    # 24-wide stride 1 (two blocks of 12) and stride 2 (two of 6), three blocks of 6 rows with
    # the sign term
    r = rng("blocks")
    yield mg.depthwise_conv_2d(r, [1, 24, 24, 8], 1, (3, 3), (1, 1), padding="SAME",
                               activation="RELU", out_q=(0.05, -128))[0]
    yield mg.depthwise_conv_2d(r, [1, 24, 24, 8], 1, (3, 3), (2, 2), padding="SAME",
                               activation="RELU", out_q=(0.05, -128))[0]
    yield mg.depthwise_conv_2d(r, [1, 18, 10, 4], 1, (3, 3), (1, 1), padding="SAME")[0]
    # a prime output height keeps the row-pair walk: stride 2 in two quads per turn and an odd
    # column (quad2u; the 16x9 and 17-row stride-2 maps above now run in blocks)
    yield mg.depthwise_conv_2d(r, [1, 22, 18, 4], 1, (3, 3), (2, 2), padding="SAME",
                               activation="RELU", out_q=(0.05, -128))[0]
    # M4/M33 small maps of widths 6, 12 and 24 at even heights: each step's passes unrolled
    # (mcusim_dw3f_dualf*): VWW's 6x6 prescaled, 12 wide with the sign term and two images,
    # VALID padding into 6x6 and 6x12, 12 channels (three groups)
    r = rng("dualf")
    yield mg.depthwise_conv_2d(r, [1, 6, 6, 12], 1, (3, 3), (1, 1), padding="SAME",
                               activation="RELU", out_q=(0.05, -128))[0]
    yield mg.depthwise_conv_2d(r, [2, 12, 12, 8], 1, (3, 3), (1, 1), padding="SAME")[0]
    yield mg.depthwise_conv_2d(r, [1, 8, 8, 4], 1, (3, 3), (1, 1), padding="VALID",
                               activation="RELU", out_q=(0.05, -128))[0]
    yield mg.depthwise_conv_2d(r, [1, 8, 14, 12], 1, (3, 3), (1, 1), padding="VALID")[0]
    # stride 2 at width 12 (mcusim_dw3f_quadf3_*): SAME with the sign term, VALID prescaled
    yield mg.depthwise_conv_2d(r, [1, 12, 23, 4], 1, (3, 3), (2, 2), padding="SAME")[0]
    yield mg.depthwise_conv_2d(r, [1, 13, 25, 8], 1, (3, 3), (2, 2), padding="VALID",
                               activation="RELU", out_q=(0.05, -128))[0]
    # the instances with immediate output offsets for VWW's channel counts (_ud3c128, _ud6c64,
    # _ud12c32, _uq3c32), with and without the sign term; 4 rows (two steps) so that the
    # image's static buffers stay within the stm32f4's SRAM. Their widening at immediate
    # offsets (mcusim_dw3p_widen_pairs8_c<ch>n<w>): pairs with the top row, the bottom row or
    # both rows outside the image (the last: the stride-2 24-wide case), 24 columns in turns of
    # 12; the VALID cases below (7 and 13 columns) take the generic loop
    yield mg.depthwise_conv_2d(r, [1, 4, 6, 128], 1, (3, 3), (1, 1), padding="SAME",
                               activation="RELU", out_q=(0.05, -128))[0]
    yield mg.depthwise_conv_2d(r, [1, 4, 12, 64], 1, (3, 3), (1, 1), padding="SAME")[0]
    yield mg.depthwise_conv_2d(r, [1, 4, 24, 32], 1, (3, 3), (1, 1), padding="SAME",
                               activation="RELU", out_q=(0.05, -128))[0]
    yield mg.depthwise_conv_2d(r, [1, 4, 24, 32], 1, (3, 3), (2, 2), padding="SAME",
                               activation="RELU", out_q=(0.05, -128))[0]
    # 3x3 maps, every output of a channel without a loop (_um3c256 stride 1, _un3c128 stride 2:
    # VWW's last two depthwise layers), SAME and VALID, sign term and prescaled
    yield mg.depthwise_conv_2d(r, [1, 3, 3, 256], 1, (3, 3), (1, 1), padding="SAME",
                               activation="RELU", out_q=(0.05, -128))[0]
    yield mg.depthwise_conv_2d(r, [1, 3, 3, 256], 1, (3, 3), (1, 1), padding="SAME")[0]
    yield mg.depthwise_conv_2d(r, [1, 6, 6, 128], 1, (3, 3), (2, 2), padding="SAME",
                               activation="RELU", out_q=(0.05, -128))[0]
    yield mg.depthwise_conv_2d(r, [1, 7, 7, 128], 1, (3, 3), (2, 2), padding="VALID")[0]
    # a 6x6 map with 128 channels, every step unrolled (_ue3c128: VWW's 6x6 layers; one case:
    # the image's static buffers are near the stm32f4's 128 KB of SRAM)
    yield mg.depthwise_conv_2d(r, [1, 6, 6, 128], 1, (3, 3), (1, 1), padding="SAME",
                               activation="RELU", out_q=(0.05, -128))[0]
    # stride 2, 6 wide (_uv1c64: a quad and a pair per row, VWW's 12x12x64 -> 6x6)
    yield mg.depthwise_conv_2d(r, [1, 4, 12, 64], 1, (3, 3), (2, 2), padding="SAME",
                               activation="RELU", out_q=(0.05, -128))[0]
    yield mg.depthwise_conv_2d(r, [1, 5, 13, 64], 1, (3, 3), (2, 2), padding="VALID")[0]
    # the row walk's instances with immediate output offsets (_rd48c8, _rs24c16, _rq24c16,
    # _rd5c64): VWW's 48-wide layers (an odd height: a last row alone), KWS's 5-wide rows with
    # the sign term
    yield mg.depthwise_conv_2d(r, [1, 15, 48, 8], 1, (3, 3), (1, 1), padding="SAME",
                               activation="RELU", out_q=(0.05, -128))[0]
    yield mg.depthwise_conv_2d(r, [1, 15, 48, 16], 1, (3, 3), (2, 2), padding="SAME",
                               activation="RELU", out_q=(0.05, -128))[0]
    # stride 2, two output rows per call over three row-pair slots (_rs24c16, even heights):
    # SAME on an even input (the last pair wholly below the image, stored as the zero point),
    # on an odd one (a row above and below: the generic widening of the mixed pairs; 8 output
    # rows = four calls, so every slot rotation runs), with the sign term; VALID over 49 columns
    # (the generic three-slot widening: not the instance's 48) prescaled; an odd height keeps
    # the one-row quads (_rq24c16)
    yield mg.depthwise_conv_2d(r, [1, 12, 48, 16], 1, (3, 3), (2, 2), padding="SAME",
                               activation="RELU", out_q=(0.05, -128))[0]
    yield mg.depthwise_conv_2d(r, [1, 15, 47, 16], 1, (3, 3), (2, 2), padding="SAME")[0]
    yield mg.depthwise_conv_2d(r, [1, 13, 49, 16], 1, (3, 3), (2, 2), padding="VALID",
                               activation="RELU", out_q=(0.05, -128))[0]
    yield mg.depthwise_conv_2d(r, [1, 17, 48, 16], 1, (3, 3), (2, 2), padding="SAME",
                               activation="RELU", out_q=(0.05, -128))[0]
    # small maps at stride 2, even block heights: two output rows per step over three slots
    # (_uw6c32: VWW's 24 -> 12 in blocks; _uw3c64: its 12 -> 6); the 4-row cases above take
    # them too (SAME, and VALID over 13 columns: the generic widening); odd heights keep the
    # one-row loops (_uq3c32, _uv1c64)
    yield mg.depthwise_conv_2d(r, [1, 24, 24, 32], 1, (3, 3), (2, 2), padding="SAME")[0]
    yield mg.depthwise_conv_2d(r, [1, 11, 12, 64], 1, (3, 3), (2, 2), padding="SAME",
                               activation="RELU", out_q=(0.05, -128))[0]
    yield mg.depthwise_conv_2d(r, [1, 6, 24, 32], 1, (3, 3), (2, 2), padding="SAME",
                               activation="RELU", out_q=(0.05, -128))[0]
    yield mg.depthwise_conv_2d(r, [1, 6, 12, 64], 1, (3, 3), (2, 2), padding="SAME")[0]
    yield mg.depthwise_conv_2d(r, [1, 16, 5, 64], 1, (3, 3), (1, 1), padding="SAME")[0]
    # pointwise layers whose records the M4 copies into the scratch first (_mc_s8 / _pwc_s8:
    # from six passes over them): merged 128 -> 16 over 36 pixels (the straight 128 loop), 96
    # merged over 25 pixels (the loop, groups of three at the end), int16 32 -> 10 over 49 pixels
    # with the full rounding (13 groups, three of three); the M33 runs them as before
    r = rng("pwcopy")
    yield mg.conv_2d(r, [1, 6, 6, 128], 16, (1, 1), padding="VALID", activation="RELU6")[0], RND
    yield mg.conv_2d(r, [1, 5, 5, 96], 6, (1, 1), padding="VALID", activation="RELU")[0], RND
    yield mg.conv_2d(r, [1, 7, 7, 32], 10, (1, 1), padding="VALID")[0], RND
    # the straight loops for a known out_c (rqh<K>o<out_c>, outputs at immediate offsets; M4
    # int16 at 32 inputs and merged rqm128o128, M33 through the blocks' dispatch): with the
    # activation minimum at the zero point (r0 kept) and without (the frame reload)
    r = rng("pwoc")
    yield mg.conv_2d(r, [1, 3, 4, 32], 32, (1, 1), padding="VALID", activation="RELU6")[0], RND
    yield mg.conv_2d(r, [1, 2, 6, 32], 64, (1, 1), padding="VALID")[0], RND
    yield mg.conv_2d(r, [1, 3, 4, 64], 64, (1, 1), padding="VALID", activation="RELU")[0], RND
    yield mg.conv_2d(r, [1, 2, 4, 64], 128, (1, 1), padding="VALID")[0], RND
    yield mg.conv_2d(r, [1, 4, 4, 128], 128, (1, 1), padding="VALID")[0], RND
    yield mg.conv_2d(r, [1, 3, 4, 128], 128, (1, 1), padding="VALID", activation="RELU")[0], RND
    # the 3 x 2 block straight over 128 and 256 elements (VWW's 3x3 maps: mcusim_mm3x2_rqm128/256
    # on the M4's merged records, rqh128/256 through the M33 blocks' dispatch: 17 and 9 pairs
    # beyond its 8 KB cache), with and without the [acc < 0] term
    # every group of four in one call, the next widened in it (rqh32o32w / rqh32o64w: the
    # M4's copied int16 records, 10 and 12 groups, then groups of three; the M33's one group per
    # pass), with and without the [acc < 0] term
    r = rng("pww")
    yield mg.conv_2d(r, [1, 7, 7, 32], 32, (1, 1), padding="VALID", activation="RELU")[0], RND
    yield mg.conv_2d(r, [1, 6, 8, 32], 64, (1, 1), padding="VALID")[0], RND
    # KWS's merged 64 -> 64 with the records copied (M4: rqm64o64 per group, then rqm3x2 for
    # the threes; M33: the blocks' rqh64o64g)
    r = rng("pwm64")
    yield mg.conv_2d(r, [1, 7, 7, 64], 64, (1, 1), padding="VALID", activation="RELU6")[0], RND
    yield mg.conv_2d(r, [1, 5, 9, 64], 64, (1, 1), padding="VALID")[0], RND
    # ... and not copied, two groups per record pass (rqm64o64x2: group B's columns and
    # outputs from the frame at immediates), the full rounding; the ReLU case is 3x4x64 above
    yield mg.conv_2d(r, [1, 4, 4, 64], 64, (1, 1), padding="VALID")[0], RND
    # VWW's 64 -> 128 on the M4 (rqm64o128x2, then rqm64o128 for the odd group), ReLU6; the
    # full rounding is 2x4x64 -> 128 above
    yield mg.conv_2d(r, [1, 3, 4, 64], 128, (1, 1), padding="VALID", activation="RELU6")[0], RND
    r = rng("pw3")
    yield mg.conv_2d(r, [1, 3, 3, 128], 34, (1, 1), padding="VALID", activation="RELU6")[0], RND
    yield mg.conv_2d(r, [1, 3, 3, 256], 18, (1, 1), padding="VALID")[0], RND


def _buffer_bytes(g) -> int:
    """RAM of a case's static buffers in the harness: its inputs and its operator's outputs."""
    ts = list(g.inputs) + list(g.nodes[0].outputs)
    return sum(int(np.prod(g.t(t).shape)) * np.dtype(NP[g.t(t).dtype]).itemsize + 3 for t in ts)


def _run_bit_exact(tmp_path, board: str, h, want, max_cycles: int = 200_000_000):
    """Build the harness h's cases with the kernels for board, run them, and assert each output
    equals want's (TFLM's); the run's result (its functions' calls) back."""
    from mcusim.api import RunOptions, run
    from mcusim.boards import load_board
    from mcusim.firmware import build_elf
    src = tmp_path / "cases.c"
    src.write_text(h.source())
    elf = build_elf([src, *sorted(KERNELS.glob("*.c"))], load_board(board),
                    tmp_path / "cases.elf", extra_flags=[f"-I{INCLUDE}", "-O2"])
    res = run(elf, board, RunOptions(echo_stdout=False, max_cycles=max_cycles))
    assert res.exit_code == 0, f"{res.stop}\n{res.stdout}{res.stderr}"
    got = ArmHarness.parse(res.stdout)
    assert len(got) == len(want), (len(got), len(want))
    for i, w in enumerate(want):
        assert np.array_equal(np.frombuffer(got[i], dtype=w.dtype).reshape(w.shape), w), i
    return res


def rgb_s2_cases():
    """3x3 stride 2 over RGB to 8 channels, no top/left padding, prescaled (VWW's first layer:
    mcusim_convolve_rgb3x3_s2_r_s8 on the M33, input rows widened once into five slots): two
    images of an odd output height (the zp row below, a zp column right; slots 2-4 and the
    double store), VALID over 9 columns (27-byte rows: the odd tail pair) and 10 (30 bytes, 28
    used), VWW's 48 outputs a row (full slots), the clamp pass (RELU at output zero point 3);
    then the widened-window kernel: 52 outputs a row (beyond the slots), no activation (the
    sign term)."""
    r = rng("rgb_s2")
    for shape, pad, act, out_q in (
            ([2, 10, 16, 3], "SAME", "RELU", (0.05, -128)),
            ([1, 11, 9, 3], "VALID", "RELU6", (0.12, -128)),
            ([1, 9, 10, 3], "VALID", "RELU", (0.05, -128)),
            ([1, 6, 96, 3], "SAME", "RELU6", (0.12, -128)),
            ([1, 6, 8, 3], "SAME", "RELU", (0.05, 3)),
            ([1, 4, 104, 3], "SAME", "RELU", (0.05, -128)),
            ([1, 7, 8, 3], "SAME", "NONE", (0.05, 5))):
        yield mg.conv_2d(r, shape, 8, (3, 3), (2, 2), padding=pad, activation=act,
                         out_q=out_q)[0]


@pytest.mark.parametrize("board", ["stm32u575", "stm32l4r5"])
def test_rgb_stride2_rows_widened_once(tmp_path, board, monkeypatch):
    """rgb_s2_cases bit-exact with TFLM on random inputs; the M33 runs the first five through
    mcusim_convolve_rgb3x3_s2_r_s8 (the M4 keeps its FPU-held windows for all). Its 2,920-byte
    scratch allowed (conv_2d.scratch_fits refuses it on one-op models this small)."""
    from mcusim.boards import load_board
    monkeypatch.setattr("mcusim.compiler.ops.conv_2d.scratch_fits", lambda *a, **k: True)
    h = ArmHarness(True, load_board(board).core)
    want = []
    for k, data in enumerate(rgb_s2_cases()):
        xs = input_sets(importer.parse(data, "case"), seed=400 + k, n_random=1)[0]
        h.add(data, xs)
        want.append(np.asarray(tflm(data, xs)[0]))
    _run_bit_exact(tmp_path, board, h, want)
    assert h.source().count("mcusim_convolve_rgb3x3_s2_r_s8(") == \
        (5 if board == "stm32u575" else 0)


def test_rgb_stride2_rows_widened_once_forced_on_the_m4(tmp_path, monkeypatch):
    """mcusim_convolve_rgb3x3_s2_r_s8 on the M4F (its row routine's deferred stores,
    MCUSIM_DEFER: the M4 build of the kernel, which the compiler does not choose there) taken
    for the same cases by pretending the M33 in the selection: bit-exact with TFLM."""
    from mcusim.compiler.ops import conv_2d
    from mcusim.boards import load_board
    monkeypatch.setattr(conv_2d, "scratch_fits", lambda *a, **k: True)
    select = conv_2d._rgb_s2_records

    class M33:
        def __init__(self, ctx):
            self.ctx = ctx

        def __getattr__(self, name):
            return "cortex-m33" if name == "core" else getattr(self.ctx, name)
    monkeypatch.setattr(conv_2d, "_rgb_s2_records",
                        lambda node, g, p, ctx: select(node, g, p, M33(ctx)))
    h = ArmHarness(True, load_board("stm32l4r5").core)
    want = []
    for k, data in enumerate(rgb_s2_cases()):
        xs = input_sets(importer.parse(data, "case"), seed=400 + k, n_random=1)[0]
        h.add(data, xs)
        want.append(np.asarray(tflm(data, xs)[0]))
    assert h.source().count("mcusim_convolve_rgb3x3_s2_r_s8(") == 5
    _run_bit_exact(tmp_path, "stm32l4r5", h, want)


def pw_prescale_cases():
    """Prescaled records on the M33 (conv_pack.records_pw_prescaled: SMMLA + SSAT asr #12 in
    the 4 x 2 and 3 x 2 loops, blocks and single groups): ReLU/ReLU6, K = 32..256, the
    channels' largest shift 11 or smallest 5 (the limits of k = 12 - r in 1..7), and one past
    a limit (r = 12: the plain records). The 3x3 256-input case runs on the M33's merged blocks
    (mcusim_convolve_1x1_fast_blk_m_s8) since they exist; the 3x5 one (15 pixels: three groups
    of four, one of three) keeps the prescaled 3 x 2 loop over 256 inputs
    (mcusim_mm3x2_rqh256_s16), as the others keep prescaled records."""
    for k, (shape, oc, act, lim) in enumerate((
            ([1, 6, 6, 32], 32, "RELU", 11), ([1, 3, 5, 64], 64, "RELU6", 5),
            ([1, 5, 4, 128], 96, "RELU", 5), ([1, 3, 3, 256], 18, "RELU6", 11),
            ([1, 4, 9, 128], 34, "RELU6", 11), ([1, 4, 4, 64], 36, "RELU", 12),
            ([1, 3, 5, 256], 20, "RELU", 5))):
        yield pw_prescale_case(("pwpre", k), shape, oc, act, lim)


@pytest.mark.parametrize("board", ["stm32u575", "stm32l4r5"])
def test_pointwise_prescaled_records(tmp_path, board):
    """pw_prescale_cases on the M33, bit-exact with TFLM, its image with prescaled records (r
    words 12 | 0x100 = 268) but in the r = 12 case; on the M4 the same layers on its own records
    (the wide ones copied into the scratch first: mcusim_convolve_1x1_fast_mc_s8)."""
    from mcusim.boards import load_board
    h = ArmHarness(True, load_board(board).core)
    want = []
    for k, data in enumerate(pw_prescale_cases()):
        xs = input_sets(importer.parse(data, "case"), seed=300 + k, n_random=1)[0]
        h.add(data, xs)
        want.append(np.asarray(tflm(data, xs)[0]))
    _run_bit_exact(tmp_path, board, h, want)
    if board == "stm32u575":
        assert "268," in h.source() or "0x10c" in h.source().lower()
        assert "mcusim_mm3x2_rqh256_s16" in h.source()


def test_pointwise_prescaled_blocks_without_merged_records(tmp_path, monkeypatch):
    """The M33's 3x3 maps over 128/256 inputs whose merged records conv_pack.records_merged
    refuses (a -128 weight, |acc| >= 2^23, r > 16: forced here) keep the int16 blocks
    (mcusim_convolve_1x1_fast_blk_pw_s8) with every group of three of a block in one call
    (mcusim_mm3x2_rqh128g_s16 / _rqh256g_s16): prescaled records (ReLU/ReLU6) and the plain
    ones (NONE), three groups per pass (scratch lifted, as in VWW) and two; bit-exact."""
    from mcusim.boards import load_board
    from mcusim.compiler.ops import conv_2d
    monkeypatch.setattr(conv_2d, "_merged_records", lambda *a, **k: None)
    h = ArmHarness(True, load_board("stm32u575").core)
    want = []
    for k, (shape, oc, act, lim, three) in enumerate((
            ([1, 3, 3, 128], 40, "RELU6", 11, True), ([1, 3, 3, 256], 34, "RELU", 5, True),
            ([3, 1, 3, 256], 26, "NONE", 8, True), ([1, 3, 3, 128], 36, "RELU", 5, False))):
        data = pw_prescale_case(("pwpreblk", k), shape, oc, act, lim)
        monkeypatch.setattr(conv_2d, "scratch_fits", lambda node, g, nbytes, *a, _t=three,
                            _k=shape[-1], **kw: _t or nbytes <= 16 * _k)
        xs = input_sets(importer.parse(data, "case"), seed=600 + k, n_random=1)[0]
        h.add(data, xs)
        want.append(np.asarray(tflm(data, xs)[0]))
    src = h.source()
    assert src.count("mcusim_convolve_1x1_fast_blk_pw_s8(") == len(want)
    assert src.count("mcusim_mm3x2_rqh128g_s16)") == 2 and \
        src.count("mcusim_mm3x2_rqh256g_s16)") == 2
    assert src.count("mcusim_convolve_1x1_fast_blk_pw_s8(((void *)scratch), 3, ") == 3
    assert "268," in src
    _run_bit_exact(tmp_path, "stm32u575", h, want)


def pw_merged_block_cases():
    """The M33's 3x3 maps (9 pixels) over 128/256 inputs on merged records in blocks
    (mcusim_convolve_1x1_fast_blk_m_s8: every group of three of a block in one call,
    mcusim_mm3x2_rqm128g/256g_s16): blocks of 21 / 11 pairs with a short last block, one block,
    ReLU6 / ReLU (no sign term), NONE (the full rounding), a narrower clamp, three images."""
    for k, (shape, oc, act) in enumerate((
            ([1, 3, 3, 128], 60, "RELU6"), ([1, 3, 3, 256], 50, "NONE"),
            ([1, 3, 3, 256], 18, "RELU_N1_TO_1"), ([3, 1, 3, 128], 34, "RELU"),
            ([1, 3, 3, 256], 26, "RELU6"))):
        yield mg.conv_2d(rng("pwblkm", k), shape, oc, (1, 1), padding="VALID", activation=act)[0]


@pytest.mark.parametrize("board", ["stm32u575", "stm32l4r5"])
def test_pointwise_merged_blocks(tmp_path, board):
    """pw_merged_block_cases bit-exact with TFLM: on the M33 through the merged blocks (each
    case's body names mcusim_convolve_1x1_fast_blk_m_s8), on the M4 through its own merged
    records per group."""
    from mcusim.boards import load_board
    h = ArmHarness(True, load_board(board).core)
    want = []
    for k, data in enumerate(pw_merged_block_cases()):
        xs = input_sets(importer.parse(data, "case"), seed=400 + k, n_random=1)[0]
        h.add(data, xs)
        want.append(np.asarray(tflm(data, xs)[0]))
    _run_bit_exact(tmp_path, board, h, want)
    if board == "stm32u575":
        assert h.source().count("mcusim_convolve_1x1_fast_blk_m_s8(") == len(want)


def test_pointwise_merged_blocks_refuse_another_input_count(tmp_path):
    """mcusim_convolve_1x1_fast_blk_m_s8 checks the input count its table carries
    (MCUSIM_PW_BLOCK_LOOPS_M: the loops have it built in): a 128-input layer whose table says
    256 returns MCUSIM_ARG_ERROR (-1) and writes nothing; the same layer with its own table 0
    and TFLM's output."""
    from mcusim.api import RunOptions, run
    from mcusim.boards import load_board
    from mcusim.firmware import build_elf
    data = mg.conv_2d(rng("pwblkm-bad"), [1, 3, 3, 128], 34, (1, 1), padding="VALID",
                      activation="RELU")[0]
    xs = input_sets(importer.parse(data, "case"), seed=450, n_random=1)[0]
    want = np.asarray(tflm(data, xs)[0])
    h = ArmHarness(True, load_board("stm32u575").core)
    h.add(data, xs)
    h.add(data, xs)
    call = "    mcusim_convolve_1x1_fast_blk_m_s8("
    for i in range(2):
        assert h.parts[i].count(call) == 1 and h.parts[i].count("&loops);") == 1
        h.parts[i] = h.parts[i].replace(call, '    printf("status %d\\n", (int)' + call.strip()) \
            .replace("&loops);", "&loops));")
    assert "MCUSIM_PW_BLOCK_LOOPS_M(128, " in h.parts[1]
    h.parts[1] = h.parts[1].replace("LOOPS_M(128, ", "LOOPS_M(256, ")     # the wrong count
    (tmp_path / "bad.c").write_text(h.source())
    elf = build_elf([tmp_path / "bad.c", *sorted(KERNELS.glob("*.c"))], load_board("stm32u575"),
                    tmp_path / "bad.elf", extra_flags=[f"-I{INCLUDE}", "-O2"])
    res = run(elf, "stm32u575", RunOptions(echo_stdout=False, max_cycles=50_000_000))
    assert res.exit_code == 0, f"{res.stop}\n{res.stdout}{res.stderr}"
    assert re.findall(r"^status (-?\d+)$", res.stdout, re.M) == ["0", "-1"]
    got = ArmHarness.parse(res.stdout)
    assert np.array_equal(np.frombuffer(got[0], np.int8).reshape(want.shape), want)
    assert not any(got[1])      # the static output untouched


def test_pointwise_blocks_refuse_another_input_count(tmp_path, monkeypatch):
    """mcusim_convolve_1x1_fast_blk_pw_s8 checks the input count its table carries
    (MCUSIM_PW_BLOCK_LOOPS: mcusim_mm3x2_rqh128g_s16 and kin have it built in): a 3x3 128-input
    layer on int16 blocks (merged records refused: forced) whose table is the 256-input one
    (rqh256g, count 256) returns MCUSIM_ARG_ERROR (-1) and writes nothing; the same layer with
    its own table 0 and TFLM's output."""
    from mcusim.api import RunOptions, run
    from mcusim.boards import load_board
    from mcusim.compiler.ops import conv_2d
    from mcusim.firmware import build_elf
    monkeypatch.setattr(conv_2d, "_merged_records", lambda *a, **k: None)
    monkeypatch.setattr(conv_2d, "scratch_fits", lambda *a, **k: True)
    data = mg.conv_2d(rng("pwblk-bad"), [1, 3, 3, 128], 34, (1, 1), padding="VALID",
                      activation="RELU")[0]
    xs = input_sets(importer.parse(data, "case"), seed=460, n_random=1)[0]
    want = np.asarray(tflm(data, xs)[0])
    h = ArmHarness(True, load_board("stm32u575").core)
    h.add(data, xs)
    h.add(data, xs)
    call = "    mcusim_convolve_1x1_fast_blk_pw_s8("
    for i in range(2):
        assert h.parts[i].count(call) == 1 and h.parts[i].count("&loops);") == 1
        h.parts[i] = h.parts[i].replace(call, '    printf("status %d\\n", (int)' + call.strip()) \
            .replace("&loops);", "&loops));")
    assert "MCUSIM_PW_BLOCK_LOOPS(128, " in h.parts[1] and "rqh128g_s16)" in h.parts[1]
    h.parts[1] = h.parts[1].replace("LOOPS(128, ", "LOOPS(256, ") \
        .replace("rqh128g_s16)", "rqh256g_s16)")       # the 256-input layer's table
    (tmp_path / "bad.c").write_text(h.source())
    elf = build_elf([tmp_path / "bad.c", *sorted(KERNELS.glob("*.c"))], load_board("stm32u575"),
                    tmp_path / "bad.elf", extra_flags=[f"-I{INCLUDE}", "-O2"])
    res = run(elf, "stm32u575", RunOptions(echo_stdout=False, max_cycles=50_000_000))
    assert res.exit_code == 0, f"{res.stop}\n{res.stdout}{res.stderr}"
    assert re.findall(r"^status (-?\d+)$", res.stdout, re.M) == ["0", "-1"]
    got = ArmHarness.parse(res.stdout)
    assert np.array_equal(np.frombuffer(got[0], np.int8).reshape(want.shape), want)
    assert not any(got[1])      # the static output untouched


def pw_split_cases():
    """The M33's 3x3 maps split 4 + 4 + 1 (scratch for three groups' columns, out_c a multiple
    of 8): two groups of four (mcusim_mm4x2_rqm128_s16 / the loop for 256) and the ninth pixel
    against four records at a time (mcusim_mm1x8_rqm128/256_s16): blocks of 20 / 8 pairs with a
    short last one (24 and 20 pairs), 12 pairs in 8 + 4, 16 in one, 256 outputs (the stores at
    immediate offsets, VWW's shapes), ReLU6 (no sign term) and NONE (the sign term); the 8- and 16-channel cases (three images, RELU_N1_TO_1, RELU) take the 3 x 2
    path beside them."""
    for k, (shape, oc, act) in enumerate((
            ([1, 3, 3, 128], 48, "RELU6"), ([1, 3, 3, 256], 40, "NONE"),
            ([1, 3, 3, 256], 8, "RELU_N1_TO_1"), ([3, 1, 3, 128], 16, "RELU"),
            ([1, 3, 3, 256], 24, "RELU6"), ([1, 3, 3, 128], 8, "NONE"),
            ([1, 3, 3, 128], 32, "NONE"), ([1, 3, 3, 256], 256, "RELU6"),
            ([1, 3, 3, 128], 256, "NONE"))):
        yield mg.conv_2d(rng("pwsplit", k), shape, oc, (1, 1), padding="VALID", activation=act)[0]


def test_pointwise_merged_split(tmp_path, monkeypatch):
    """pw_split_cases bit-exact with TFLM on stm32u575 through the 4 + 4 + 1 split (one-op
    models have scratch for one or two groups only: the arena bound is lifted, as in VWW)."""
    from mcusim.boards import load_board
    from mcusim.compiler.ops import conv_2d
    monkeypatch.setattr(conv_2d, "scratch_fits", lambda *a, **k: True)
    h = ArmHarness(True, load_board("stm32u575").core)
    want = []
    for k, data in enumerate(pw_split_cases()):
        xs = input_sets(importer.parse(data, "case"), seed=500 + k, n_random=1)[0]
        h.add(data, xs)
        want.append(np.asarray(tflm(data, xs)[0]))
    src = h.source()
    # 8 and 16 channels: one group per pass (conv_pack.groups_plan), the 3 x 2 path
    assert src.count("mcusim_mm1x8_rqm") == 6
    assert "mcusim_mm4x2_rqm256o256_s16" in src and "mcusim_mm4x2_rqm128o256_s16" in src
    assert "LOOPS_M(128, mcusim_mm4x2_rqm128o256_s16, mcusim_mm3x2_rqm_s16, 0, 0, " \
        "mcusim_mm1x8_rqm128_s16)" in src
    assert "LOOPS_M(256, mcusim_mm4x2_rqm256o256_s16, mcusim_mm3x2_rqm_s16, 0, 0, " \
        "mcusim_mm1x8_rqm256_s16)" in src
    _run_bit_exact(tmp_path, "stm32u575", h, want)


def pw_prescale_case(key, shape, oc, act, lim):
    """A 1x1 layer whose per-channel shifts reach `lim` (-shift): 11 and 12 at the channel with
    the smallest scale, 5 at the largest (the output scale set from the filter's scales)."""
    in_q = (0.03, -7)
    g = importer.parse(mg.conv_2d(rng(*key), shape, oc, (1, 1), padding="VALID",
                                  activation=act, in_q=in_q)[0], "probe")
    ws = np.asarray(g.t(g.nodes[0].inputs[1]).scale, np.float64)
    w_ref = ws.min() if lim >= 11 else ws.max()
    s_out = in_q[0] * w_ref / (1.5 * 2.0 ** -(lim + 1))   # effective scale 1.5 2^-(lim+1)
    return mg.conv_2d(rng(*key), shape, oc, (1, 1), padding="VALID", activation=act,
                      in_q=in_q, out_q=(float(s_out), -128))[0]


@pytest.mark.parametrize("board,dsp", [("stm32f4", True), ("stm32f746", True), ("rp2040", False),
                                       ("stm32f4:cortex-m4", True), ("stm32u575", True)])
def test_kernels_on_simulated_core(tmp_path, board, dsp):
    """stm32f4:cortex-m4: the same M4 built without an FPU (-mfloat-abi=soft), so the DSP
    kernels' paths that keep constants in FPU registers fall back to their integer-only loops."""
    import dataclasses

    from mcusim.api import RunOptions, run
    from mcusim.boards import load_board as _load
    from mcusim.firmware import build_elf

    board, _, core = board.partition(":")

    def load_board(name):
        b = _load(name)
        return dataclasses.replace(b, core=core) if core else b

    want, items = [], []
    for k, data in enumerate(cases()):
        data, attrs = data if isinstance(data, tuple) else (data, {})
        attrs = dict(attrs)
        g = importer.parse(data, "case")
        sets = input_sets(g, seed=100 + k, n_random=1)
        # random inputs for most, the extremes for some
        xs = sets[0] if attrs.pop("random", False) else sets[k % len(sets)]
        items.append((data, xs, attrs, _buffer_bytes(g)))
        want.append(np.asarray(tflm(data, xs)[0]))
    # in images of at most CHUNK cases and IMAGE_RAM bytes: every case's buffers are static,
    # and all of them at once outgrow the stm32f4's 128 KB of SRAM
    images, size = [], IMAGE_RAM
    for k, item in enumerate(items):
        if len(images[-1] if images else ()) == CHUNK or size + item[3] > IMAGE_RAM:
            images.append([])
            size = 0
        images[-1].append(k)
        size += item[3]
    got, srcs = {}, []
    for ks in images:
        first = ks[0]
        h = ArmHarness(dsp, load_board(board).core)
        for k in ks:
            data, xs, attrs, _ = items[k]
            h.add(data, xs, **attrs)
        src = tmp_path / f"kernels_harness{first}.c"
        src.write_text(h.source())
        srcs.append(h.source())
        elf = build_elf([src, *sorted(KERNELS.glob("*.c"))], load_board(board),
                        tmp_path / f"k{first}.elf", extra_flags=[f"-I{INCLUDE}", "-O2"])
        r = run(elf, board, RunOptions(echo_stdout=False, max_cycles=200_000_000))
        assert r.exit_code == 0, r.stdout + r.stderr
        got.update({first + i: out for i, out in ArmHarness.parse(r.stdout).items()})
    assert sorted(got) == list(range(len(want)))
    bad = []
    for i, w in enumerate(want):
        o = np.frombuffer(got[i], dtype=w.dtype).reshape(w.shape)
        if w.dtype == np.float32:           # bit patterns, so -0.0 and NaN count too
            o, w = o.view(np.int32), w.view(np.int32)
        if not np.array_equal(o, w):
            bad.append((i, int(np.abs(o.astype(int) - w.astype(int)).max())))
    assert not bad, f"cases differing from TFLM on {board} (case, max diff): {bad}"
    src = "\n".join(srcs)
    if dsp:     # the packed-filter variants (unpacked only for a filter given as an input)
        assert "mcusim_convolve_im2col_fast_s8(" in src and "mcusim_convolve_1x1_fast_s8(" in src
        assert ("mcusim_convolve_rgb3x3_fast_s8(" in src) == (h.core != "cortex-m7")
        assert ("mcusim_convolve_1x1_fast_g_s8(" in src) == (h.core != "cortex-m7")
        # prescaled records name their routine (MCUSIM_SMALL_K_ROW): the linker drops the rest
        for row in ("mcusim_rgb_row_q7_o8_s16", "mcusim_rgb_row_q7_o16_s16",
                    "mcusim_conv1x1_g8_o16_s16", "mcusim_conv1x1_g16_o32_s16"):
            assert (f"MCUSIM_SMALL_K_ROW({row})" in src) == (h.core != "cortex-m7")
        assert "mcusim_fully_connected_merged_s8(" in src
        for v in ("1x1", "im2col"):
            assert (f"mcusim_convolve_{v}_fast_blk_s8(" in src) == (
                h.core in ("cortex-m7", "cortex-m33") if v == "im2col" else h.core == "cortex-m7")
        # the M33's pointwise blocks with the loops their layers name (mcusim_pw_block_loops)
        assert ("mcusim_convolve_1x1_fast_blk_pw_s8(" in src) == (h.core == "cortex-m33")
    else:       # ARMv6-M: conv rows in pairs, FC rows in unsigned quads; split-multiplier requant
        assert "mcusim_convolve_im2col_pairs_s8(" in src and "mcusim_convolve_1x1_pairs_s8(" in src
        assert "mcusim_fully_connected_quads_s8(" in src and "_requant," in src
    # windows read straight from the input (no scratch) on DSP and ARMv6-M cores alike
    assert src.count("mcusim_convolve_window_s8(") == 3
    # DSP and ARMv6-M paths; on DSP cores the entry names the records' rounding form
    form = "(_sign|_nosign|_pre)" if dsp else ""
    assert re.search(rf"mcusim_depthwise_conv_3x3_packed{form}_s8\(", src)
    # M4/M33 with an FPU: small maps name their unrolled loop (the specialised instances too)
    unrolled = set(re.findall(r"mcusim_depthwise_conv_3x3_packed_(?:sign|nosign|pre)_([ur]\w+?)_s8\(",
                              src))
    fpu = dsp and h.core in ("cortex-m4f", "cortex-m33")
    assert unrolled >= ({"ud3c0", "ud6c0", "ud12c0", "uq3c0", "ud3c128", "ud6c64", "ud12c32",
                         "uq3c32", "um3c256", "un3c128", "uv1c64", "ue3c128", "rd48c8",
                         "rq24c16", "rs24c16", "rd5c64", "uw6c32", "uw3c64"}
                        if fpu else set())
    # the M7: the stride-2 two-row loops only (its own schedules for the rest)
    assert fpu or unrolled == ({"rs24c16", "uw6c32", "uw3c64"} if h.core == "cortex-m7" else set())
    assert bool(re.search(rf"mcusim_depthwise_conv_3x3_packed_t{form}_s8\(", src)) == dsp
    assert src.count("mcusim_add_table_s8(") == 3 and ".r = 0," in src
    if not dsp:     # ARMv6-M: every table ADD takes the threshold steps (q != 0)
        assert src.count(".q = 0,") == 0


@pytest.mark.parametrize("board", ["stm32l4r5", "stm32u575"])
def test_depthwise_row_widening_other_width(tmp_path, board):
    """The 48-wide row walk instances (_rd48c8, _rs24c16) widen at immediate offsets for 48
    input columns (mcusim_dw3p_widen_cols_c8n48, _cols3_c16n48: the three-slot layout); a VALID
    input of 50 columns takes the generic loops (mcusim_dw3p_widen_cols, _cols3). Its own image: 15+ output rows (past the small layout) of these widths
    outgrow the stm32f4's SRAM beside the other cases."""
    from mcusim.api import RunOptions, run
    from mcusim.boards import load_board
    from mcusim.firmware import build_elf

    r = rng("dwwiden")
    h = ArmHarness(True, load_board(board).core)
    want = []
    for shape, stride in (([1, 17, 50, 8], (1, 1)), ([1, 17, 50, 16], (2, 2))):
        data = mg.depthwise_conv_2d(r, shape, 1, (3, 3), stride, padding="VALID",
                                    activation="RELU", out_q=(0.05, -128))[0]
        xs = input_sets(importer.parse(data, "case"), seed=len(want), n_random=1)[-1]
        h.add(data, xs)
        want.append(np.asarray(tflm(data, xs)[0]))
    src = tmp_path / "widen.c"
    src.write_text(h.source())
    assert "_rd48c8_s8(" in h.source() and "_rs24c16_s8(" in h.source()
    elf = build_elf([src, *sorted(KERNELS.glob("*.c"))], load_board(board), tmp_path / "w.elf",
                    extra_flags=[f"-I{INCLUDE}", "-O2"])
    res = run(elf, board, RunOptions(echo_stdout=False, max_cycles=100_000_000))
    assert res.exit_code == 0, res.stdout + res.stderr
    got = ArmHarness.parse(res.stdout)
    for i, w in enumerate(want):
        assert np.array_equal(np.frombuffer(got[i], dtype=w.dtype).reshape(w.shape), w), i


@pytest.mark.parametrize("board", ["stm32f746", "stm32l4r5"])
def test_fully_connected_widened_input(tmp_path, board, monkeypatch):
    """Cortex-M7: the merged FULLY_CONNECTED's input row widened once into the scratch (at most
    its first 256 columns). Per tensor over the full int8 range, whole row widened
    (mcusim_fc4m_m7w_s8): 8 columns (the quad loop's one turn, then the last quad) over 3 groups
    and a row after them; 136 columns (17 quads) over 5 groups and 2 rows after them, two images;
    16 columns over one group. 272 columns (256 widened, then 4 raw quads: _m7p_s8) over 2
    groups and a row, two images; a layer whose scratch the compiler refuses
    (conv_2d.scratch_fits) on the raw row (_m7r_s8). Per channel and with a clamp (8 to 264
    columns) no scratch: mcusim_fc4m_layer_s8's M7 loop. The M4 takes no scratch and must give
    the same bytes."""
    from mcusim.boards import load_board

    r = rng("fc-m7-widened")
    specs = [([1, 8], 13, False, "NONE"), ([2, 136], 22, False, "NONE"),
             ([1, 16], 4, False, "NONE"), ([2, 272], 9, False, "NONE"),
             ([1, 40], 9, False, "NONE", "refused"),
             ([1, 8], 9, True, "RELU"), ([1, 24], 10, True, "NONE"), ([1, 16], 6, False, "RELU6"),
             ([1, 264], 8, False, "RELU6")]
    m7 = load_board(board).core == "cortex-m7"
    h = ArmHarness(True, load_board(board).core)
    want = []
    for shape, units, pc, act, *refused in specs:
        data = mg.fully_connected(r, shape, units, per_channel=pc, activation=act)[0]
        xs = input_sets(importer.parse(data, "case"), seed=len(want), n_random=1)
        with monkeypatch.context() as mp:
            if refused:
                mp.setattr("mcusim.compiler.ops.conv_2d.scratch_fits", lambda *a, **k: False)
            h.add(data, xs[len(want) % len(xs)])
        want.append(np.asarray(tflm(data, xs[len(want) % len(xs)])[0]))
        body = h.parts[-1]
        assert "mcusim_fully_connected_merged_s8(" in body
        scratch = m7 and not refused and not pc and act == "NONE"
        assert ("merged_s8(NULL," not in body) == scratch, (shape, body)
    res = _run_bit_exact(tmp_path, board, h, want, max_cycles=100_000_000)
    calls = {f.name: f.calls for f in res.functions}
    # the per-tensor full-range cases in their routines, one call per image
    for fn, n in (("mcusim_fc4m_m7w_s8", 4), ("mcusim_fc4m_m7p_s8", 2), ("mcusim_fc4m_m7r_s8", 1)):
        assert calls.get(fn, 0) == (n if m7 else 0), (fn, calls)


@pytest.mark.parametrize("board,dsp", [("stm32f4", True), ("rp2040", False)])
def test_depthwise_packed_streamed_in_place(tmp_path, board, dsp):
    """The packed 3x3 depthwise kernel with its output placed over its own input as the planner's
    streaming overlap does (planner.stream_delta): input `gap` bytes above the output. A gap that
    is a multiple of the channel count keeps the channel-major order (each channel only
    overwrites its own consumed rows); any other gap takes the raster-order path. Both must equal
    TFLM."""
    import re

    from mcusim.api import RunOptions, run
    from mcusim.boards import load_board
    from mcusim.compiler.planner import stream_delta
    from mcusim.firmware import build_elf

    r = rng("streamed")
    models = [mg.depthwise_conv_2d(r, [1, 8, 6, 12], 1, (3, 3), (1, 1), padding="SAME",
                                   activation="RELU")[0],
              mg.depthwise_conv_2d(r, [1, 9, 8, 8], 1, (3, 3), (2, 2), padding="SAME",
                                   activation="RELU6")[0],
              # small map, fused (full range): every row pair widened before any output of
              # the group (mcusim_dw3f_dual_m; M4/M33: the unrolled loop the entry names), the
              # raster walk for the other gap
              mg.depthwise_conv_2d(r, [1, 6, 6, 8], 1, (3, 3), (1, 1), padding="SAME",
                                   activation="RELU", out_q=(0.05, -128))[0],
              # tall: the transposed walk on DSP cores, column-major, safe over the input only
              # when the gap is whole rows; a gap of whole pixels takes the raster pixel walk
              mg.depthwise_conv_2d(r, [1, 12, 5, 8], 1, (3, 3), (1, 1), padding="SAME",
                                   activation="RELU", out_q=(0.05, -128))[0]]
    h = ArmHarness(dsp, load_board(board).core)
    want, gaps = [], []
    for data in models:
        g = importer.parse(data, "case")
        node = g.nodes[0]
        delta = stream_delta(g, node)
        ch = g.t(node.inputs[0]).shape[3]
        row = ch * g.t(node.inputs[0]).shape[2]
        more = [delta + (-delta) % row] if (delta + (-delta) % ch) % row else []
        for gap in (delta + (-delta) % ch, delta + 4 if (delta + 4) % ch else delta + 8, *more):
            xs = input_sets(g, seed=7 + len(want), n_random=1)[0]
            i = len(want)
            h.add(data, xs)
            gaps.append((gap, ch))
            want.append(np.asarray(tflm(data, xs)[0]))
            tin, tout = g.inputs[0], node.outputs[0]
            nin = int(np.prod(g.t(tin).shape))
            part = h.parts[i]
            assert re.search(r"mcusim_depthwise_conv_3x3_packed(_t)?(_sign|_nosign|_pre)?(_u\w+?)?"
                             r"_s8\(", part)
            part = part.replace(f"    T[{tout}] = b{i}_{tout};",
                                f"    static int8_t shared{i}[{gap + nin}] __attribute__((aligned(8)));\n"
                                f"    for (int j = 0; j < {nin}; j++) shared{i}[{gap} + j] = b{i}_{tin}[j];\n"
                                f"    T[{tin}] = shared{i} + {gap};\n"
                                f"    T[{tout}] = shared{i};")
            part = re.sub(rf"dump\({i}, \(const uint8_t \*\)b{i}_{tout}",
                          f"dump({i}, (const uint8_t *)shared{i}", part)
            h.parts[i] = part
    assert any(gp % c for gp, c in gaps) and any(gp % c == 0 for gp, c in gaps)
    src = tmp_path / "streamed.c"
    src.write_text(h.source())
    elf = build_elf([src, *sorted(KERNELS.glob("*.c"))], load_board(board), tmp_path / "s.elf",
                    extra_flags=[f"-I{INCLUDE}", "-O2"])
    res = run(elf, board, RunOptions(echo_stdout=False, max_cycles=200_000_000))
    assert res.exit_code == 0, res.stdout + res.stderr
    got = ArmHarness.parse(res.stdout)
    for i, w in enumerate(want):
        o = np.frombuffer(got[i], dtype=np.int8).reshape(w.shape)
        assert np.array_equal(o, w), f"case {i} (gap, channels) {gaps[i]}: max diff " \
                                     f"{int(np.abs(o.astype(int) - w.astype(int)).max())}"
        assert len(np.unique(w)) > 4


@pytest.mark.parametrize("core,dsp", [("cortex-m4f", True), ("cortex-m7", True),
                                      ("cortex-m0plus", False)])
def test_window_kernel_selection(core, dsp):
    """mcusim_convolve_window_s8 (no scratch) only where every tap is real and each window row is
    whole words of input: a padded window, rows of 5 x 3 bytes and (ARMv6-M) rows under
    V6M_WINDOW_MIN_ROW bytes (cnn_s's first 10x4x1 layer) keep the im2col kernels, and so do
    windows whose packed columns fit (conv_2d.scratch_fits); the bit-exact
    runs are the cases in test_kernels_on_simulated_core. Generated only (no image)."""
    from mcusim.compiler.ops.conv_2d import V6M_WINDOW_MIN_ROW
    r = rng("window-select")
    takes = [mg.conv_2d(r, [1, 12, 7, 28], 30, (10, 4), (2, 1), padding="VALID")[0]]
    keeps = [mg.conv_2d(r, [1, 12, 7, 28], 30, (10, 4), (2, 1), padding="SAME")[0],
             mg.conv_2d(r, [1, 14, 9, 3], 8, (9, 5), padding="VALID")[0],
             # SAME at stride 2 over an even size: no padding above / left, one row below
             # and one column right (IC's downsampling convolutions)
             mg.conv_2d(r, [1, 8, 8, 16], 8, (3, 3), (2, 2), padding="SAME")[0]]
    # (on DSP cores its packed columns fit beside the layer: im2col_fast, as for cnn_s)
    keeps.append(mg.conv_2d(r, [1, 49, 10, 1], 28, (10, 4), padding="VALID")[0])
    assert 4 < V6M_WINDOW_MIN_ROW
    for data, want in [(d, True) for d in takes] + [(d, False) for d in keeps]:
        h = ArmHarness(dsp, core)
        g = importer.parse(data, "case")
        h.add(data, input_sets(g, seed=1, n_random=1)[0])
        src = h.source()
        assert ("mcusim_convolve_window_s8(" in src) == want, src[-600:]
