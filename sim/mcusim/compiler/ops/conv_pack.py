"""Build-time layout of the packed CONV_2D kernels (DSP cores): one record per pair of output
channels, written once in flash in place of the int8 filter, bias and requantization arrays.

Record of channels (c, c+1) (int32 words; an odd last channel is paired with a zero channel):
    2 b_c, 2 b_c+1                 the bias doubled (input offset folded in for 1x1 convs)
    the two rows as int16, doubled  per quad q of column elements, per pair j in (0, 1): the
                                   word (2 w_c[4q+j], 2 w_c[4q+j+2]) then the same of c+1;
                                   rows flattened in column order (fy, fx, ic), zero-padded
                                   to a multiple of 8 (MCUSIM_PACKED_DEPTH)
    m_c, A_c, r_c, m_c+1, A_c+1, r_c+1   requantization: multiplier, 2^(r-1) + out_off 2^r,
                                   r = -shift
(j pairs elements (0, 2) and (1, 3): the order SXTB16 widens an input word in.) Doubling makes
the accumulator 2 acc, so one SMMLAR does TFLM's two roundings and adds the output offset:
    out = SMMLAR(2 acc, m, A - [acc < 0]) >> r
(mcusim_requant_smmlar in mcusim_nn_support.h, which says why). Valid when |acc| < 2^30 for
every input (checked here from the weights, bias and input range) and 1 <= r <= 22; otherwise
`records` returns None and the layer keeps the unpacked kernels."""
from __future__ import annotations

import numpy as np

R_MIN, R_MAX = 1, 22


def packed_depth(n: int, align: int = 8) -> int:
    """The column length rounded up to the kernel's block of eight (MCUSIM_PACKED_DEPTH), or
    with align=4 to a quad (mcusim_convolve_rgb3x3_fast_s8: 27 -> 28)."""
    return (int(n) + align - 1) & ~(align - 1)


def pack_rows(w, align: int = 8) -> np.ndarray:
    """The doubled int16 rows of every channel pair, [pairs, depth] int32 words."""
    w = np.asarray(w, dtype=np.int32)
    rows = w.reshape(w.shape[0], -1)
    oc, n = rows.shape
    depth = packed_depth(n, align)
    full = np.zeros((oc + (oc & 1), depth), dtype=np.int32)
    full[:oc, :n] = 2 * rows
    # [pair, row in pair, quad, h, j] (element 4q + 2h + j) -> [pair, quad, j, row, h]
    q = full.reshape(-1, 2, depth // 4, 2, 2).transpose(0, 2, 4, 1, 3)
    halves = np.ascontiguousarray(q).reshape(-1, depth, 2).astype(np.uint32) & 0xFFFF
    return (halves[..., 0] | (halves[..., 1] << 16)).view(np.int32)


def records(w, bias, mults, shifts, out_off: int, x_max: int,
            align: int = 8, pre: bool = False) -> np.ndarray | None:
    """The record stream, or None when the requantization cannot take every channel.
    bias: int64 per channel (None: zeros); x_max: the largest |input value + offset|;
    align: the column length's rounding (packed_depth); pre: prescaled when every channel
    allows it (prescale_shifts), for the routines without the sign term only."""
    w = np.asarray(w)
    oc = int(w.shape[0])
    b = np.zeros(oc, np.int64) if bias is None else np.asarray(bias, np.int64).reshape(-1)
    r = -np.asarray(shifts, np.int64).reshape(-1)
    m = np.asarray(mults, np.int64).reshape(-1)
    if len(r) == 1:
        r, m = np.repeat(r, oc), np.repeat(m, oc)
    bound = np.abs(b) + np.abs(w.reshape(oc, -1).astype(np.int64)).sum(axis=1) * int(x_max)
    if r.min() < R_MIN or r.max() > R_MAX or bound.max() >= (1 << 30):
        return None
    a = (np.int64(1) << (r - 1)) + (int(out_off) << r)
    k = prescale_shifts(r, bound) if pre else None
    if k is not None:   # SMMLA(2^k 2 acc, m, 2^k A + 2^(k-1)) >> 12 (see prescale_shifts)
        w = np.asarray(w, np.int64) << k.reshape((-1,) + (1,) * (w.ndim - 1))
        b, a = b << k, (a << k) + (np.int64(1) << (k - 1))
        r = np.full(oc, PRE_SHIFT, np.int64)
        r[0] |= PRE_FLAG
    pairs = (oc + 1) // 2
    pad = lambda v: np.concatenate([v, np.zeros(2 * pairs - oc, np.int64)])
    b2, m, a = pad(2 * b), pad(m), pad(a)
    r = np.concatenate([r, np.ones(2 * pairs - oc, np.int64)])
    quant = np.stack([m, a, r], axis=1).reshape(pairs, 6)
    rec = np.concatenate([b2.reshape(pairs, 2), pack_rows(w, align).astype(np.int64), quant],
                         axis=1)
    return rec.astype(np.int32).reshape(-1)


PRE_SHIFT, PRE_FLAG = 12, 0x100


def _rgb_s2_order() -> np.ndarray:
    """mcusim_convolve_rgb3x3_s2_r_s8's K order: for step s the window elements (index
    9 row + 3 kx + c; 27: weight 0) its column word pairs. Steps 0-11: rows 0-2, elements
    (2i, 2i + 1) of the row (the natural int16 pairs of a widened input row); step 12: element 8
    of rows 0 and 1; step 13: element 8 of row 2 and the next row element (weight 0)."""
    pairs = [(9 * r + 2 * i, 9 * r + 2 * i + 1) for r in range(3) for i in range(4)]
    pairs += [(8, 17), (26, 27)]
    # pack_rows' word (quad q, pair j) holds elements 4q + j (low half) and 4q + 2 + j
    order = np.zeros(28, np.int64)
    for s, (lo, hi) in enumerate(pairs):
        q, j = divmod(s, 2)
        order[4 * q + j], order[4 * q + 2 + j] = lo, hi
    return order


def records_rgb_s2(w, bias, mults, shifts, out_off: int, x_max: int) -> np.ndarray | None:
    """Prescaled `records(align=4)` with each channel's 27 weights in _rgb_s2_order (a zero
    weight for the 28th element), or None when `records` refuses or a channel cannot be
    prescaled (the layer then keeps the widened-window kernel)."""
    w = np.asarray(w, np.int64)
    oc = int(w.shape[0])
    flat = np.concatenate([w.reshape(oc, 27), np.zeros((oc, 1), np.int64)], axis=1)
    rec = records(flat[:, _rgb_s2_order()], bias, mults, shifts, out_off, x_max, 4, pre=True)
    if rec is None or not rec[2 + 28 + 2] & PRE_FLAG:
        return None
    return rec


def prescale_shifts(r, bound) -> np.ndarray | None:
    """Per channel k = 12 - r for prescaled records, or None when a channel cannot take it.
    Numerator and denominator of the requantization times 2^k:
        floor((2acc m + 2^31 + 2^32 A) / 2^(32+r)) = SMMLA(2^k 2acc, m, 2^k A + 2^(k-1)) >> 12
    (SMMLAR's rounding half moves into the addend, so k >= 1), and the kernels requantize by
    SMMLA and SSAT #8, asr #12: one instruction per output less, no shift loaded (as
    depthwise_pack's prescaled records). Needs 1 <= k <= 7 (the doubled int16 weights times
    2^k: 2^(k+1) 128 <= 2^15) and 2^k |acc| < 2^30. Channel 0's r word is PRE_SHIFT | PRE_FLAG:
    the kernels read the flag there (the low byte is the shift either way)."""
    k = PRE_SHIFT - np.asarray(r, np.int64)
    if k.min() < 1 or k.max() > 7 or (np.asarray(bound, np.int64) << k).max() >= (1 << 30):
        return None
    return k


def records_pw_prescaled(w, bias, mults, shifts, out_off: int, x_max: int) -> np.ndarray | None:
    """`records(..., pre=True)` with every channel's r word PRE_SHIFT | PRE_FLAG (the M33's
    pointwise loops read the flag in each block call's first record), or None when `records`
    refuses or a channel cannot be prescaled (the layer keeps `records`). The loops then
    requantize by SMMLA and SSAT #8, asr #12 (no shift load, no ASR). Only for layers without
    the [acc < 0] term (activation minimum at or above the output zero point) and an even
    channel count: the loops take prescaled records on that path only."""
    oc = int(np.asarray(w).shape[0])
    rec = None if oc % 2 else records(w, bias, mults, shifts, out_off, x_max, pre=True)
    if rec is None or not rec.reshape(oc // 2, -1)[0, -4] & PRE_FLAG:
        return None
    rec = rec.reshape(oc // 2, -1).copy()
    rec[:, -4] = rec[:, -1] = PRE_SHIFT | PRE_FLAG
    return rec.reshape(-1)


def records_merged(w, bias, mults, shifts, out_off: int, x_max: int) -> np.ndarray | None:
    """Cortex-M4 records of `mcusim_convolve_1x1_fast_m_s8` (mcusim_mm_pw_s8.c), or None: the
    two rows of a channel pair in one int16 per element, h = 256 w_c+1 + w_c (the halfword's low
    byte is w_c: SXTB16 widens it, and SMLAD on h sums 256 acc_c+1 + acc_c), half the bytes of
    `records`' doubled rows, so half the flash lines per record (the ART's data cache holds 256
    bytes: each record is read from flash once per group of pixels). Record: the bias words
    b_c and b_c + 256 b_c+1 (modulo 2^32), per quad q and pair j the word (h[4q+j],
    h[4q+j+2]), then m, A, r of channel c as in `records` and m, 128 A + 64, r + 7 of c + 1
    (the kernel doubles acc_c, and takes x = acc_h - acc_c = 256 acc_c+1 into SMMLA(x, m,
    128 A + 64 - 128 [x < 0]) >> (r + 7), which is SMMLAR(2 acc_c+1, m, A - [x < 0]) >> r:
    128 times the numerator). Needs an even channel count, weights in [-127, 127] (the high
    byte of 256 w_c+1 + w_c is w_c+1 - [w_c < 0], an int8), |acc_c+1| < 2^23 (x exact in int32)
    and r <= 16 on c + 1 (128 A in int32), besides `records`' conditions."""
    w = np.asarray(w)
    oc = int(w.shape[0])
    base = records(w, bias, mults, shifts, out_off, x_max)
    if base is None or oc % 2 or np.abs(w).max() > 127:
        return None
    b = np.zeros(oc, np.int64) if bias is None else np.asarray(bias, np.int64).reshape(-1)
    bound = np.abs(b) + np.abs(w.reshape(oc, -1).astype(np.int64)).sum(axis=1) * int(x_max)
    if bound.max() >= (1 << 23):
        return None
    rows = w.reshape(oc, -1).astype(np.int64)
    n = rows.shape[1]
    depth = packed_depth(n)
    full = np.zeros((oc, depth), np.int64)
    full[:, :n] = rows
    h = (256 * full[1::2] + full[0::2]).astype(np.int16).astype(np.int64) & 0xFFFF   # [pairs, depth]
    # element 4q + 2h + j -> word (q, j), halfword h
    q = h.reshape(oc // 2, depth // 4, 2, 2).transpose(0, 1, 3, 2)      # [pair, quad, j, h]
    words = (q[..., 0] | (q[..., 1] << 16)).reshape(oc // 2, depth // 2)
    bw = np.stack([b[0::2], b[0::2] + 256 * b[1::2]], axis=1)
    quant = base.reshape(oc // 2, -1)[:, -6:].astype(np.int64)
    if quant[:, 5].max() > 16:          # 128 A' must stay in int32
        return None
    quant[:, 4] = 128 * quant[:, 4] + 64
    quant[:, 5] += 7
    rec = np.concatenate([bw, words, quant], axis=1)
    return ((rec + (1 << 31)) % (1 << 32) - (1 << 31)).astype(np.int32).reshape(-1)


def scratch_bytes(n: int, staging: bool) -> int:
    """Scratch of the packed kernels: four pixels' columns as int16, and for im2col with input
    channels not a multiple of 4 the int8 staging row of one window (depth bytes)."""
    return 4 * packed_depth(n) * 2 + (packed_depth(n) if staging else 0)


# The data cache that serves flash reads of the records, by core, where it holds more than one
# record set's block: the Cortex-M7's L1 D-cache (stm32f746: 4 KB, 4-way, 32-byte lines) and the
# STM32U5's ICACHE on the C-bus (8 KB, 2-way, 16-byte lines: boards/stm32u575.toml's
# dcache_bytes, RM0456 rev 4 section 8.3 and AN5212). By core, as the compiler knows no board:
# the smallest of that core's boards (the stm32h743's 16 KB take the M7's 4 KB blocks;
# test_block_cache_bytes_fit_the_boards_caches checks every board against it). Records are run
# in blocks of BLOCK_SHARE of it. The M4's ART holds 256 bytes (8 lines): smaller than one
# 64-channel record, so its layers keep one group per pass.
BLOCK_CACHE_BYTES = {"cortex-m7": 4096, "cortex-m33": 8192}
MAX_GROUPS = 16     # MCUSIM_PACKED_MAX_GROUPS
# Share of that cache per block of records: the rest for the columns and stack (the M7's
# D-cache also holds SRAM lines; the U5's ICACHE is shared with code, which mcusim does not
# model). VWW on stm32f746, cycles of the whole run by share: 0.5 6,876,974; 0.75 6,843,327;
# 0.875 6,832,884; 1.0 6,829,595; 1.5 7,309,309 (the blocks then miss).
BLOCK_SHARE = 0.75


# A merged record's words besides its rows (records_merged): the two bias words and the six
# constants; MCUSIM_PW_MERGED_EXTRA in mcusim_mm_pw_s8.c (test_merged_record_size_matches_the_c_one)
MERGED_EXTRA_WORDS = 8


def merged_record_words(n: int) -> int:
    """One channel pair's merged record (records_merged) in words: depth / 2 words of rows."""
    return packed_depth(n) // 2 + MERGED_EXTRA_WORDS


def record_bytes(n: int) -> int:
    """One channel pair's record: 2 bias words, depth words of rows, 6 constants."""
    return 4 * (packed_depth(n) + 8)


def groups_plan(core: str, n: int, out_c: int, pixels: int, fits,
                staging: bool = False, cap: int = MAX_GROUPS) -> tuple[int, int]:
    """(groups of four pixels gathered per weight pass, channel pairs per block) for the
    `_fast_blk` kernels (1x1 stride 1, im2col; `staging`: im2col's int8 row after the
    columns), or (1, 0): one group per pass. Taken
    when the layer's records do not fit the core's data cache (they are re-read from flash for
    every group otherwise); groups as many as the scratch rule allows (`fits(bytes)`), at most
    `cap` (codegen lowers it until the arena does not grow), spread evenly over the layer's
    groups."""
    cache = BLOCK_CACHE_BYTES.get(core)
    pairs, rb = (out_c + 1) // 2, record_bytes(n)
    if cache is None or out_c % 2 or pairs * rb <= cache or pixels < 8:
        return 1, 0
    total = (pixels + 3) // 4
    g = min(cap, MAX_GROUPS, total)
    g = -(-total // -(-total // g))         # the passes' groups evened out
    while g > 1 and not fits(g * scratch_bytes(n, False) + (packed_depth(n) if staging else 0)):
        g -= 1
    return (g, max(1, int(cache * BLOCK_SHARE) // rb)) if g > 1 else (1, 0)


def pack_pairs(w, dtype=np.int8) -> np.ndarray:
    """ARMv6-M layout (mcusim_convolve_1x1_pairs_s8, and with dtype int16
    mcusim_convolve_im2col_pairs_s8, whose column holds input + offset as int16): rows flattened
    in column order, padded to an even length, in pairs interleaved element by element
    ([pair][k][2]), an odd last row plain after them; in place of the int8 filter."""
    rows = np.asarray(w).astype(dtype).reshape(w.shape[0], -1)
    oc, n = rows.shape
    depth2 = (n + 1) & ~1
    full = np.zeros((oc, depth2), dtype=dtype)
    full[:, :n] = rows
    pairs = full[:oc & ~1].reshape(-1, 2, depth2).transpose(0, 2, 1).reshape(-1)
    return np.concatenate([pairs, full[oc & ~1:].reshape(-1)])


def split11_table(w, bias, mults, shifts, out_off: int, x_max: int) -> np.ndarray | None:
    """ARMv6-M requantization constants (mcusim_requant_split11): per output channel m2, m1, m0
    (the multiplier in 9 + 11 + 11 bits), K / 2^22 for a non-negative accumulator, 9 + r. None
    unless every accumulator is below 2^20 in magnitude (from the weights, bias and input range)
    and every shift is in [-13, -1]."""
    w = np.asarray(w)
    oc = int(w.shape[0])
    b = np.zeros(oc, np.int64) if bias is None else np.asarray(bias, np.int64).reshape(-1)
    r = -np.asarray(shifts, np.int64).reshape(-1)
    m = np.asarray(mults, np.int64).reshape(-1)
    if len(r) == 1:
        r, m = np.repeat(r, oc), np.repeat(m, oc)
    bound = np.abs(b) + np.abs(w.reshape(oc, -1).astype(np.int64)).sum(axis=1) * int(x_max)
    if r.min() < 1 or r.max() > 13 or bound.max() >= (1 << 20):
        return None
    k22 = (np.int64(1) << 8) + (np.int64(1) << (8 + r)) + (int(out_off) << (9 + r))
    q = np.stack([m >> 22, (m >> 11) & 0x7FF, m & 0x7FF, k22, 9 + r], axis=1)
    return q.astype(np.int32).reshape(-1)
