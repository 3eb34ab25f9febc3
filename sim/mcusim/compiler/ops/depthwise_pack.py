"""Build-time layout of a 3x3 depthwise layer for mcusim_depthwise_conv_3x3_packed_s8.

One record of 10 int32 per channel (layout: the kernel file's header): the doubled weights as
int16 pairs (kernel rows 0-1 and 1-2 of each column), the bias with the input offset folded in,
and the requantization as (multiplier, rounding constant with the output offset, exponent), so
the kernel requantizes with one SMMLAR, an add and a shift. `pack_3x3` returns None when a
channel is outside the bounds that make that exact (a left shift or none, an accumulator that
could reach 2^30, a rounding constant that could overflow); the layer then keeps the int8 kernel.
"""
from __future__ import annotations

import numpy as np

RECORD = 10
_LIM = 1 << 31
# prescaled records (the kernel's DW3P_PRE, DW3P_PRE_E): word [9] = PRE | PRE_E
PRE, PRE_E = 0x100, 12


def _pair(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return ((lo.astype(np.int64) & 0xFFFF) | ((hi.astype(np.int64) & 0xFFFF) << 16)).astype(
        np.uint32).view(np.int32)


def prescalable(p: dict, dsp: bool, fpu: bool) -> bool:
    """Whether the kernel would run every step of the layer in the fused loops without the sign
    term (an FPU, the full int8 range with the output zero point at -128, equal strides 1 or
    2), the only loops that read prescaled records."""
    sh, sw = p["stride"]
    return (dsp and fpu and tuple(p["activation"]) == (-128, 127)
            and int(p["output_offset"]) == -128 and sh == sw and sw in (1, 2))


def pack_3x3(weights, bias, p: dict, v6m: bool = False, pre: bool = False) -> np.ndarray | None:
    """weights [1, 3, 3, C] int8, bias [C] int32 or None, p: depthwise_conv_2d.prepare().
    v6m: the ARMv6-M path, whose high multiply needs every |sum| < 2^19. pre: prescale the
    records when every channel allows it (prescalable layers; the kernel file's DW3P_PRE): with
    k = PRE_E - e in 1..7 per channel, weights and bias times 2^k more and the rounding constant
    R = 2^(k-1) + 2^k rnd, so the kernel's SMMLA(2^k 2 acc, m, R) >> PRE_E equals
    (SMMLAR(2 acc, m, rnd)) >> e exactly (numerator and denominator times 2^k)."""
    w = np.asarray(weights, dtype=np.int64).reshape(3, 3, -1)
    ch = w.shape[2]
    if ch % 4 or p["ch_mult"] != 1:
        return None
    b = np.zeros(ch, np.int64) if bias is None else np.asarray(bias, np.int64).reshape(-1)
    mult = np.asarray(p["multipliers"], np.int64)
    e = -np.asarray(p["shifts"], np.int64)
    if (e < 1).any() or (e > 31).any():
        return None
    in_off, out_off = int(p["input_offset"]), int(p["output_offset"])
    wabs = np.abs(w).sum(axis=(0, 1))
    # |acc| = |sum w (x + offset) + bias| <= 255 sum|w| + |bias|, doubled into SMMLAR; the
    # running doubled sums over raw codes stay within 2 (|bias'| + 128 sum|w|)
    acc_max = 255 * wabs + np.abs(b)
    bias_f = b + in_off * w.sum(axis=(0, 1))
    if (2 * acc_max >= _LIM).any() or (2 * (np.abs(bias_f) + 128 * wabs) >= _LIM).any():
        return None
    if v6m and (acc_max >= 1 << 19).any():
        return None
    rnd = (1 << (e - 1)) + out_off * (1 << e)
    # h = floor((acc m + 2^30) / 2^31) + rnd, |floor(...)| <= |acc| + 1, then minus one
    if (np.abs(rnd) + acc_max + 2 >= _LIM).any():
        return None
    sc = np.ones(ch, np.int64)      # 2^k per channel (1: not prescaled)
    word9 = e
    if pre:
        k = PRE_E - e
        s = np.left_shift(1, np.clip(k, 0, 30))
        r_pre = np.where(k >= 1, np.left_shift(1, np.clip(k - 1, 0, 30)), 0) + s * rnd
        if ((k >= 1) & (k <= 7)).all() and (2 * s * np.abs(w).max(axis=(0, 1)) < 1 << 15).all() \
                and (2 * s * acc_max < _LIM).all() \
                and (2 * s * (np.abs(bias_f) + 128 * wabs) < _LIM).all() \
                and (np.abs(r_pre) + s * acc_max + 2 < _LIM).all():
            sc, rnd, word9 = s, r_pre, np.full(ch, PRE | PRE_E, np.int64)
    w2 = 2 * w * sc
    rec = np.zeros((ch, RECORD), np.int64)
    for k in range(3):
        rec[:, k] = _pair(w2[0, k], w2[1, k])
        rec[:, 3 + k] = _pair(w2[1, k], w2[2, k])
    rec[:, 6] = 2 * bias_f * sc
    rec[:, 7] = mult
    rec[:, 8] = rnd
    rec[:, 9] = word9
    return rec.astype(np.int32)


TRANSPOSED_SCRATCH = 512


def transposed(p: dict, dsp: bool, fpu: bool = False) -> bool:
    """Whether the DSP kernel walks the map column by column (mcusim_depthwise_conv_3x3_packed_t_s8,
    records of the transposed filter): for maps at least twice as tall as wide, so that its rows
    of columns, and the per-row costs they share, are long; and only while that walk's scratch
    (a row pair of the long side) stays within TRANSPOSED_SCRATCH bytes. KWS's 25x5 maps would
    need 864 B: 0.13 M cycles less on stm32l4r5, but its arena 16,224 -> 16,512 B, over the
    0.7x-of-TFLM memory target, so they keep the row walk."""
    _, oh, ow, _ = p["output_dims"]
    return dsp and 2 * ow <= oh and buffer_size(p, dsp, True, fpu) <= TRANSPOSED_SCRATCH


SMALL_SLOTS = 8


def small_pairs(oh: int, sh: int, sw: int) -> int:
    """The kernel's mcusim_dw3p_small_pairs for the fused row walk: with equal strides 1 or 2,
    the row pairs a map needs when they all fit the SMALL_SLOTS slots of the small-map layout
    (each channel then runs all its steps in one pass over its record), else 0. Stride 1 takes
    output rows in pairs (pair p: input rows 2p - pad, 2p + 1 - pad), an odd height's last row
    alone."""
    if sh != sw or sw not in (1, 2):
        return 0
    if sh == 1 and oh % 2:      # row pairs, then the last row alone (one row: the pair walk)
        np_ = (oh + 3) // 2 if oh >= 3 else SMALL_SLOTS + 1
    else:
        np_ = oh // 2 + 1 if sh == 1 else oh + 1
    return np_ if np_ <= SMALL_SLOTS else 0


BLOCK_SCRATCH = 4096


def block_rows(oh: int, ow: int, sh: int, sw: int) -> int:
    """The kernel's mcusim_dw3p_block_rows for the fused row walk: maps too tall for the small
    layout, with rows of at least 8 outputs and a small-layout scratch within BLOCK_SCRATCH
    bytes (VWW's 24-wide layers; not its 48-wide ones, not KWS's 5-wide rows, whose arena it
    would raise), run in equal blocks of rows that each fit it (stride 1: even heights). Returns
    the block height, or 0."""
    if sh != sw or sw not in (1, 2) or ow < 8 or small_pairs(oh, sh, sw) \
            or 16 * SMALL_SLOTS * ((ow - 1) * sw + 3) > BLOCK_SCRATCH:
        return 0
    for nb in range(2, oh + 1):
        bh = oh // nb
        if bh * nb == oh and (sh == 2 or bh % 2 == 0) and small_pairs(bh, sh, sw):
            return bh
    return 0


def buffer_size(p: dict, dsp: bool, tr: bool = False, fpu: bool = False, core: str = "") -> int:
    """mcusim_depthwise_conv_3x3_packed{,_t}_s8_get_buffer_size on a DSP core (dsp) or
    ARMv6-M; tr: the transposed walk (rows along the width); fpu: the core has an FPU, so with
    the full int8 range and stride 1 or 2 every step runs the fused loops, which keep no sums
    (the kernel's mcusim_dw3p_all_fused); small maps of the row walk take 8 row-pair slots
    (small_pairs) instead of 2; core: a layer whose entry names a three-slot row walk
    (row_loop `_rs...`, kind 9) takes 3 slots."""
    sw, sh = p["stride"][::-1] if tr else p["stride"]     # (w, h): the kernel's frame
    ow = p["output_dims"][1] if tr else p["output_dims"][2]
    cols = (ow - 1) * sw + 3
    if not dsp:
        return 16 * cols
    if fpu and tuple(p["activation"]) == (-128, 127) and sw in (1, 2):
        oh = p["output_dims"][1]
        if not tr and (small_pairs(oh, sh, sw) or block_rows(oh, ow, sh, sw)):
            return 16 * SMALL_SLOTS * cols
        if not tr and core and row_loop(p, dsp, fpu, core).startswith("_rs"):
            return 48 * cols
        return 32 * cols
    # stride 2 reads two columns more and writes sums for an even count; only stride 1 takes
    # two rows (two sums per column)
    spare = 2 if sw == 2 else 0
    sums = 2 * ow if (sh, sw) == (1, 1) else ow + 1
    return 32 * (cols + spare) + 4 * sums


# The unrolled small-map loops the kernel has (mcusim_nn.h MCUSIM_DW3P_U_LIST; a test checks
# the two lists agree): (k, kind, P, ch), k = d: stride 1, two output rows per pass, width 2P,
# even (block) heights; q: stride 2, quads, width 4P; m, n: a 3x3 map at stride 1, 2 (P 3,
# a whole channel without a loop); v: stride 2, width 4P + 2 (P quads then a pair); e: stride
# 1, a 2P x 2P map, its steps unrolled too; w: stride 2, width 2P, two output rows per step
# over three row-pair slots (even block heights); ch: the channel count whose output offsets
# are immediates (0: any; m, n, v, e, w: given)
UNROLLED = (("d", 1, 3, 0), ("d", 1, 6, 0), ("d", 1, 12, 0), ("q", 4, 3, 0),
            ("d", 1, 3, 128), ("d", 1, 6, 64), ("d", 1, 12, 32), ("q", 4, 3, 32),
            ("m", 2, 3, 256), ("n", 6, 3, 128), ("v", 8, 1, 64), ("e", 3, 3, 128),
            ("w", 10, 6, 32), ("w", 10, 3, 64))


def unrolled_loop(p: dict, dsp: bool, fpu: bool, core: str) -> str:
    """The entry suffix (`_u<k><P>c<ch>`) naming the unrolled loop the kernel would run for this
    layer's small layout, or "": an M4/M33 with an FPU (the M7: the stride-2 two-row loops
    `_uw` only, its own schedules for the rest), the
    row walk (not transposed), the fused loops (full int8 range, equal strides 1 or 2), the
    small layout (small_pairs, or block_rows blocks) and a width of 2P (stride 1, even
    heights) or 4P (stride 2). The kernel checks the same before it runs the loop (and takes
    its generic loops when the output overlaps the input other than as the planner streams)."""
    if not (dsp and fpu) or transposed(p, dsp, fpu):
        return ""
    sh, sw = p["stride"]
    _, oh, ow, ch = p["output_dims"]
    if tuple(p["activation"]) != (-128, 127) or sh != sw or sw not in (1, 2) or ow < 2:
        return ""
    bh = oh if small_pairs(oh, sh, sw) else block_rows(oh, ow, sh, sw)
    if bh == 3 and ow == 3 and core != "cortex-m7":   # a 3x3 map (the channel count's)
        k = "m" if sh == 1 else "n"
        return f"_u{k}3c{ch}" if (k, 2 if sh == 1 else 6, 3, ch) in UNROLLED else ""
    if not bh or (sh == 1 and bh % 2):
        return ""
    if sh == 2 and bh % 2 == 0 and ow % 2 == 0 and ("w", 10, ow // 2, ch) in UNROLLED:
        return f"_uw{ow // 2}c{ch}"         # two output rows per step (the M7 too)
    if core == "cortex-m7":                 # its own schedules for the rest (dual7, quad27)
        return ""
    if sh == 1 and bh == oh == ow and ("e", 3, ow // 2, ch) in UNROLLED:
        return f"_ue{ow // 2}c{ch}"         # a square map, every step unrolled
    k, n = ("d", 2) if sh == 1 else ("q", 4)
    if sh == 2 and ow % 4 == 2:     # quads, then a pair
        return f"_uv{ow // 4}c{ch}" if ("v", 8, ow // 4, ch) in UNROLLED else ""
    if ow % n:
        return ""
    fits = [c for kk, _, pp, c in UNROLLED if kk == k and pp == ow // n and c in (0, ch)]
    return f"_u{k}{ow // n}c{max(fits)}" if fits else ""


# The row walk's instances (mcusim_nn.h MCUSIM_DW3P_R_LIST): (k, kind, ow, ch, u), rows of ow
# outputs and ch channels with the output offsets as immediates; u: two passes per loop turn
# (the kernel's choice for rows of 8+ outputs); k = s (kind 9): stride 2, two output rows per
# call over three row-pair slots (even heights; buffer_size gives it 3 slots)
ROW_LOOPS = (("d", 1, 48, 8, 1), ("q", 4, 24, 16, 1), ("s", 9, 24, 16, 1), ("d", 1, 5, 64, 0))


def row_loop(p: dict, dsp: bool, fpu: bool, core: str) -> str:
    """The entry suffix (`_r<k><ow>c<ch>`) naming the row walk's loops with immediate output
    offsets for this layer, or "": as unrolled_loop (M4/M33 with an FPU, not transposed, fused)
    for a layer without the small layout whose width and channel count have an instance
    (stride 1, or stride 2 with rows of 4+ outputs); the M7 only the three-slot walk (`_rs`,
    stride 2, even heights: 21k cycles less than its quad27 on VWW's layer 3)."""
    if not (dsp and fpu) or transposed(p, dsp, fpu):
        return ""
    sh, sw = p["stride"]
    _, oh, ow, ch = p["output_dims"]
    if tuple(p["activation"]) != (-128, 127) or sh != sw or sw not in (1, 2) or ow < 2:
        return ""
    if small_pairs(oh, sh, sw) or block_rows(oh, ow, sh, sw):
        return ""
    m7 = core == "cortex-m7"
    for k in ("d",) if sh == 1 and not m7 else ("s",) if m7 else \
            ("s", "q") if oh % 2 == 0 else ("q",):
        if k == "s" and (sh != 2 or oh % 2):
            continue
        if any(kk == k and w == ow and c == ch for kk, _, w, c, _ in ROW_LOOPS):
            return f"_r{k}{ow}c{ch}"
    return ""
