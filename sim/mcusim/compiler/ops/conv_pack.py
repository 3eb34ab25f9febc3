"""Build-time weight layout of the packed CONV_2D kernels (DSP cores).

`pack_filter(w)` turns an int8 filter [out_ch, h, w, in_ch] into the int16 array that
mcusim_mat_mult_packed_s8.c reads: each row flattened to the column order (fy, fx, ic) and
padded with zeros to a multiple of 8; rows in pairs (an odd last row paired with zeros); per
pair, per quad q of elements, per pair j in (0, 1): the word (w_c[4q+j], w_c[4q+j+2]) of the
first row then of the second. This array replaces the int8 filter in flash (twice its bytes:
the weights are widened once here instead of by two SXTB16 per word in every pass)."""
from __future__ import annotations

import numpy as np


def packed_depth(n: int) -> int:
    """The column length rounded up to the kernel's block of eight (MCUSIM_PACKED_DEPTH)."""
    return (int(n) + 7) & ~7


def pack_filter(w) -> np.ndarray:
    w = np.asarray(w, dtype=np.int16)
    rows = w.reshape(w.shape[0], -1)
    oc, n = rows.shape
    depth = packed_depth(n)
    full = np.zeros((oc + (oc & 1), depth), dtype=np.int16)
    full[:oc, :n] = rows
    # [pair, row in pair, quad, element in quad] -> [pair, quad, j, row, half]
    q = full.reshape(-1, 2, depth // 4, 2, 2)          # element 4q + 2h + j
    return np.ascontiguousarray(q.transpose(0, 2, 4, 1, 3)).reshape(-1)


def cols_bytes(n: int) -> int:
    """Scratch of the packed kernels: four pixels' columns as int16
    (mcusim_convolve_fast_s8_get_buffer_size)."""
    return 4 * packed_depth(n) * 2
