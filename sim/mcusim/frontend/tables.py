"""Build-time tables of the q15 front end, each computed as CMSIS-DSP computes its own so the
firmware matches the `cmsisdsp` package bit for bit (tests/test_frontend_*.py check them):

- FFT twiddles: (cos, sin)(2 pi k / L) for k < 3L/4, floor(x * 2^15) clamped to q15 (CMSIS's
  twiddleCoef_*_q15 tables are floored, not rounded);
- real-FFT split tables A, B: round(0.5 (1 -+ sin), 0.5 (-+ cos)) at 2 pi i / 8192 for
  i = k * 8192 / N (CMSIS's realCoefAQ15/BQ15 read with step 8192 / N);
- the reordering after the radix-4 stages (bit reversal) as a list of swaps;
- mel filters (HTK mel, triangles between linearly spaced mel points, bins packed from the first
  to the last non-zero weight) and the DCT-II matrix scaled by sqrt(2 / n_mel): the formulas of
  cmsisdsp.mfcc, converted with round-half-even and saturation (cmsisdsp's toQ15).
"""
from __future__ import annotations

import numpy as np


def to_q31(x) -> np.ndarray:
    return np.clip(np.round(np.asarray(x, dtype=np.float64) * 2.0 ** 31), -2 ** 31, 2 ** 31 - 1) \
        .astype(np.int32)


def twiddle_q31(n: int) -> np.ndarray:
    """CMSIS's twiddleCoef_*_q31: floor(x * 2^31 + 0.05) reproduces every one of its tables
    (16..4096 points; plain floor misses those whose fraction is >= 0.95)."""
    k = np.arange(3 * n // 4)
    f = lambda x: np.clip(np.floor(x * 2.0 ** 31 + 0.05), -2 ** 31, 2 ** 31 - 1).astype(np.int32)
    return interleave(f(np.cos(k * 2 * np.pi / n)), f(np.sin(k * 2 * np.pi / n)))


def split_q31(n_real: int) -> tuple[np.ndarray, np.ndarray]:
    i = np.arange(n_real // 2) * (8192 // n_real)
    ang = 2 * np.pi / 8192.0 * i
    a = interleave(to_q31(0.5 * (1.0 - np.sin(ang))), to_q31(0.5 * (-1.0 * np.cos(ang))))
    b = interleave(to_q31(0.5 * (1.0 + np.sin(ang))), to_q31(0.5 * (1.0 * np.cos(ang))))
    return a, b


def to_f32(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64).astype(np.float32)


def twiddle_f32(n: int) -> np.ndarray:
    """(cos, sin)(2 pi k / n) for k < n / 2, float32 (mcusim_cfft_f32's radix-2 stages)."""
    k = np.arange(n // 2)
    return interleave(to_f32(np.cos(2 * np.pi * k / n)), to_f32(np.sin(2 * np.pi * k / n)))


def split_f32(n_real: int) -> tuple[np.ndarray, np.ndarray]:
    ang = 2 * np.pi * np.arange(n_real // 2) / n_real
    a = interleave(to_f32(0.5 * (1.0 - np.sin(ang))), to_f32(-0.5 * np.cos(ang)))
    b = interleave(to_f32(0.5 * (1.0 + np.sin(ang))), to_f32(0.5 * np.cos(ang)))
    return a, b


def to_q15(x) -> np.ndarray:
    return np.clip(np.round(np.asarray(x, dtype=np.float64) * 32768.0), -32768, 32767) \
        .astype(np.int16)


def interleave(re: np.ndarray, im: np.ndarray) -> np.ndarray:
    out = np.empty(2 * len(re), dtype=re.dtype)
    out[0::2], out[1::2] = re, im
    return out


def twiddle_q15(n: int) -> np.ndarray:
    k = np.arange(3 * n // 4)
    f = lambda x: np.clip(np.floor(x * 32768.0), -32768, 32767).astype(np.int16)
    return interleave(f(np.cos(k * 2 * np.pi / n)), f(np.sin(k * 2 * np.pi / n)))


def split_q15(n_real: int) -> tuple[np.ndarray, np.ndarray]:
    """CMSIS's split coefficients for a real FFT of n_real points: (A, B), n_real/2 pairs."""
    i = np.arange(n_real // 2) * (8192 // n_real)
    ang = 2 * np.pi / 8192.0 * i
    a = interleave(to_q15(0.5 * (1.0 - np.sin(ang))), to_q15(0.5 * (-1.0 * np.cos(ang))))
    b = interleave(to_q15(0.5 * (1.0 + np.sin(ang))), to_q15(0.5 * (1.0 * np.cos(ang))))
    return a, b


def bit_reverse(k: int, bits: int) -> int:
    return int(format(k, f"0{bits}b")[::-1], 2) if bits else 0


def bitrev_swaps(n: int) -> np.ndarray:
    """Swaps (k, rev(k)), k < rev(k), that put the radix-4 stages' output (X[k] at the bit
    reversal of k, for 4^d and 2 * 4^d points alike) into natural order."""
    bits = n.bit_length() - 1
    pairs = [(k, bit_reverse(k, bits)) for k in range(n) if k < bit_reverse(k, bits)]
    return np.array(pairs, dtype=np.uint16).reshape(-1)


def hann_q15(frame_len: int, fft_len: int, periodic: bool = True, conv=None) -> np.ndarray:
    """tf.signal.hann_window (periodic by default) over the frame, zero to the FFT length."""
    denom = frame_len if periodic else frame_len - 1
    w = np.zeros(fft_len)
    w[:frame_len] = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(frame_len) / denom)
    return (conv or to_q15)(w)


def hz_to_mel(f):
    return 1127.0 * np.log(1.0 + np.asarray(f) / 700.0)


def mel_filters(fmin: float, fmax: float, n_mel: int, sample_rate: int, fft_len: int,
                conv=None):
    """(lengths, first bins, packed q15 weights) of the triangular mel filters over bins
    0..fft_len/2, as cmsisdsp.mfcc.melFilterMatrix (and tf.signal.linear_to_mel_weight_matrix)."""
    n_bins = fft_len // 2 + 1
    mels = np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mel + 2)
    spec = hz_to_mel(np.linspace(0, sample_rate / 2.0, n_bins))[1:]
    lengths, starts, packed = [], [], []
    for n in range(n_mel):
        up = (spec - mels[n]) / (mels[n + 1] - mels[n])
        down = (mels[n + 2] - spec) / (mels[n + 2] - mels[n + 1])
        row = np.hstack([0.0, np.maximum(0.0, np.minimum(up, down))])
        nz = np.nonzero(row)[0]
        if len(nz) == 0:
            raise ValueError(f"mel filter {n} covers no FFT bin: too many mel bands for "
                             f"fft_len {fft_len} between {fmin} and {fmax} Hz")
        start = int(nz[0])
        end = start
        while end + 1 < n_bins and row[end + 1] != 0.0:
            end += 1
        starts.append(start)
        lengths.append(end - start + 1)
        packed += list(row[start:end + 1])
    return (np.array(lengths, dtype=np.uint16), np.array(starts, dtype=np.uint16),
            (conv or to_q15)(packed))


def dct_q15(n_dct: int, n_mel: int, conv=None) -> np.ndarray:
    s = (np.linspace(1, n_mel, n_mel) - 0.5) / n_mel
    m = np.array([np.cos(i * np.pi * s) * np.sqrt(2.0 / n_mel) for i in range(n_dct)])
    return (conv or to_q15)(m.reshape(-1))
