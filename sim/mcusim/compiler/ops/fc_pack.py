"""Build-time layouts of the packed FULLY_CONNECTED kernels (written once in flash in place of the
int8 filter) and their requantization constants.

DSP cores, `pack_merged` (mcusim_fully_connected_merged_s8): rows in groups of four = two pairs
(A, B). Per group, per quad of columns k..k+3, per pair: the "even" word (columns k, k+2) then
the "odd" word (k+1, k+3), each column as two bytes (A as unsigned, B - [A < 0]): read as an
int16 lane the halfword is 256 B + A, and SXTB16 of the word gives A alone. One SMLAD against the
raw word sums 256 B + A, one against SXTB16 sums A, so B = (difference) / 256. Rows zero-padded
to a multiple of 8 columns; rows after the last full group plain int8 after the groups.
Exact when every lane fits int16 (no B = -128 with A < 0) and |B's sum| < 2^23 for every input
(128 * sum|B| < 2^23, the input offset folded into the bias so |x| <= 128); else None.

ARMv6-M, `pack_quads` (mcusim_fully_connected_quads_s8): rows in groups of four interleaved byte
by byte ([group][k][4]), each weight as the unsigned byte w + 128 (LDRB with an immediate offset
reads it; the kernel subtracts 128 sum x once per input row); rows zero-padded to a multiple of 8
columns; rows after the last full group plain int8 after the groups. Always exact.
"""
from __future__ import annotations

import numpy as np

X_MAX = 128                 # |x| of an int8 input with the offset folded into the bias
R_MIN, R_MAX = 1, 22        # shifts mcusim_requant_smmlar takes


def _padded(w) -> tuple[np.ndarray, int]:
    rows = np.asarray(w, dtype=np.int64).reshape(w.shape[0], -1)
    units, n = rows.shape
    depth = (n + 7) & ~7
    full = np.zeros((units, depth), dtype=np.int64)
    full[:, :n] = rows
    return full, depth


def pack_merged(w) -> np.ndarray | None:
    """The merged layout (module docstring) as int8, or None when a pair does not fit it."""
    full, depth = _padded(w)
    units = full.shape[0]
    g = units & ~3
    a, b = full[0:g:2], full[1:g:2]                    # [pairs, depth]
    neg = (a < 0).astype(np.int64)
    if np.any((b == -128) & (a < 0)) or (np.abs(b).sum(axis=1) * X_MAX >= (1 << 23)).any():
        return None
    lanes = np.stack([a & 0xFF, (b - neg) & 0xFF], axis=-1)   # [pairs, depth, 2] bytes
    # [group, pair, quad, lane h, word j, byte] (column 4q + 2h + j) -> [group, quad, pair, j, h, byte]
    q = lanes.reshape(-1, 2, depth // 4, 2, 2, 2).transpose(0, 2, 1, 4, 3, 5)
    grouped = np.ascontiguousarray(q).reshape(-1).astype(np.uint8).view(np.int8)
    return np.concatenate([grouped, full[g:].reshape(-1).astype(np.int8)])


def smmlar_table(w, bias, mults, shifts, out_off: int, x_max: int = X_MAX) -> np.ndarray | None:
    """{m, 2^(r-1) + out_off 2^r, r} per multiplier (mcusim_requant_smmlar), or None unless
    |acc| < 2^30 for every input (weights, bias, input range) and 1 <= r <= 22 for all."""
    rows = np.asarray(w, dtype=np.int64).reshape(w.shape[0], -1)
    b = np.zeros(rows.shape[0], np.int64) if bias is None else np.asarray(bias, np.int64).reshape(-1)
    r = -np.asarray(shifts, np.int64).reshape(-1)
    m = np.asarray(mults, np.int64).reshape(-1)
    bound = np.abs(b) + np.abs(rows).sum(axis=1) * int(x_max)
    if r.min() < R_MIN or r.max() > R_MAX or bound.max() >= (1 << 30):
        return None
    a = (np.int64(1) << (r - 1)) + (int(out_off) << r)
    return np.stack([m, a, r], axis=1).astype(np.int32).reshape(-1)


def pack_quads(w) -> np.ndarray:
    """The ARMv6-M layout (module docstring), as int8 bytes."""
    full, depth = _padded(w)
    g = full.shape[0] & ~3
    grouped = (full[:g] + 128).reshape(-1, 4, depth).transpose(0, 2, 1).reshape(-1)
    return np.concatenate([grouped.astype(np.uint8).view(np.int8),
                           full[g:].reshape(-1).astype(np.int8)])


def split8_table(w, bias, mults, shifts, out_off: int, x_max: int = X_MAX) -> np.ndarray | None:
    """ARMv6-M requantization constants (mcusim_requant_split8): per multiplier m3, m2, m1, m0
    (its four bytes), K / 2^24 for a non-negative accumulator, 7 + r. None unless |acc| < 2^22
    for every input (weights, bias, input range) and 1 <= r <= 13 for all."""
    rows = np.asarray(w, dtype=np.int64).reshape(w.shape[0], -1)
    b = np.zeros(rows.shape[0], np.int64) if bias is None else np.asarray(bias, np.int64).reshape(-1)
    r = -np.asarray(shifts, np.int64).reshape(-1)
    m = np.asarray(mults, np.int64).reshape(-1)
    bound = np.abs(b) + np.abs(rows).sum(axis=1) * int(x_max)
    if r.min() < 1 or r.max() > 13 or bound.max() >= (1 << 22):
        return None
    k24 = (np.int64(1) << 6) + (np.int64(1) << (6 + r)) + (int(out_off) << (7 + r))
    q = np.stack([m >> 24, (m >> 16) & 0xFF, (m >> 8) & 0xFF, m & 0xFF, k24, 7 + r], axis=1)
    return q.astype(np.int32).reshape(-1)
