"""The CMSIS-DSP oracle of the front-end tests: cmsisdsp (the `cmsisdsp` package, CMSIS-DSP's C
built for the host) computing what the firmware computes, and test signals.

cmsis_log_mel composes arm_mfcc_q15's own blocks (absmax, divide, scale, mult, rfft, cmplx_mag,
dot_prod, scale_q31, vlog_q31, offset_q31, shift_q31) in its order: the log-mel energies that
arm_mfcc_q15 keeps internal; tests check that its DCT equals arm_mfcc_q15's output exactly."""
from __future__ import annotations

import numpy as np

from mcusim.frontend import tables

dsp = None


def load():
    global dsp
    import cmsisdsp
    dsp = cmsisdsp
    return cmsisdsp


def frames(p, audio: np.ndarray) -> list[np.ndarray]:
    out = []
    for f in range(p.n_frames):
        fr = np.zeros(p.fft_len, np.int16)
        fr[:p.frame_len] = audio[f * p.frame_step:f * p.frame_step + p.frame_len]
        out.append(fr)
    return out


class Cmsis:
    """arm_mfcc_q15 and its blocks for one preset."""

    def __init__(self, p):
        self.p = p
        n = p.fft_len
        self.flen, self.fpos, self.fcoef = tables.mel_filters(p.fmin, p.fmax, p.n_mel,
                                                              p.sample_rate, n)
        self.win = tables.hann_q15(p.frame_len, n)
        self.dct = tables.dct_q15(max(p.n_dct, 1), p.n_mel)
        self.mfcc = dsp.arm_mfcc_instance_q15()
        assert dsp.arm_mfcc_init_q15(self.mfcc, n, p.n_mel, max(p.n_dct, 1), self.dct,
                                     self.fpos, self.flen, self.fcoef, self.win) == 0
        self.rfft = dsp.arm_rfft_instance_q15()
        assert dsp.arm_rfft_init_q15(self.rfft, n, 0, 1) == 0

    def arm_mfcc(self, frame: np.ndarray) -> np.ndarray:
        status, out = dsp.arm_mfcc_q15(self.mfcc, frame.copy(), np.zeros(2 * self.p.fft_len,
                                                                          np.int32))
        assert status == 0
        return out

    def log_mel(self, frame: np.ndarray) -> np.ndarray:
        n = self.p.fft_len
        x = frame.copy()
        m, _ = dsp.arm_absmax_q15(x)
        if m not in (0, 0x7FFF):
            _, quotient, shift = dsp.arm_divide_q15(0x7FFF, m)
            x = dsp.arm_scale_q15(x, quotient, shift)
        x = dsp.arm_mult_q15(x, self.win)
        spec = dsp.arm_rfft_q15(self.rfft, x)
        mag = dsp.arm_cmplx_mag_q15(spec[:n + 2])
        mel = []
        pos = 0
        for start, length in zip(self.fpos, self.flen):
            e = int(dsp.arm_dot_prod_q15(mag[start:start + length], self.fcoef[pos:pos + length]))
            pos += length
            e = (e + 0x219) >> 10
            e = ((e + 2 ** 31) % 2 ** 32) - 2 ** 31           # __SSAT takes an int32
            mel.append(min(max(e, -2 ** 30), 2 ** 30 - 1))
        mel = np.array(mel, np.int32)
        if m not in (0, 0x7FFF):
            mel = dsp.arm_scale_q31(mel, int(m) << 16, 0)
        mel = dsp.arm_vlog_q31(mel)
        shift = n.bit_length() - 1
        mel = dsp.arm_offset_q31(mel, (shift + 2 + 10) * 0x02C5C860)
        mel = dsp.arm_shift_q31(mel, -19)
        return mel.astype(np.int16)             # arm_mfcc_q15 keeps the low 16 bits

    def dct_of(self, logmel: np.ndarray) -> np.ndarray:
        m = self.dct.reshape(-1, self.p.n_mel).astype(np.int64)
        s = (m @ logmel.astype(np.int64)) >> 15
        return np.clip(s, -32768, 32767).astype(np.int16)

    def features(self, audio: np.ndarray) -> np.ndarray:
        """What the firmware's feature matrix must equal: arm_mfcc_q15 per frame (MFCC), or
        the composed log-mel (n_dct == 0)."""
        rows = [self.arm_mfcc(f) if self.p.n_dct else self.log_mel(f)
                for f in frames(self.p, audio)]
        return np.concatenate(rows).astype(np.int16)


def clip(kind: str, n: int = 16000, rate: int = 16000, seed: int = 0) -> np.ndarray:
    """Speech-like test audio (no data set): 'chirp' a rising tone with a syllable envelope and
    noise, 'quiet' the same 40 dB down, 'loud' clipped at full scale, 'noise', 'silence',
    'gaps' bursts of tone separated by exact silence."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / rate
    env = 0.5 - 0.5 * np.cos(2 * np.pi * 3 * t)
    tone = np.sin(2 * np.pi * (150 * t + 1800 * t * t)) + 0.5 * np.sin(2 * np.pi * 620 * t)
    if kind == "chirp":
        x = 8000 * env * tone + 300 * rng.standard_normal(n)
    elif kind == "quiet":
        x = 80 * env * tone + 3 * rng.standard_normal(n)
    elif kind == "loud":
        x = 60000 * tone
    elif kind == "noise":
        x = 4000 * rng.standard_normal(n)
    elif kind == "silence":
        x = np.zeros(n)
    elif kind == "gaps":
        x = 12000 * tone * (np.sin(2 * np.pi * 4 * t) > 0.3)
    else:
        raise ValueError(kind)
    return np.clip(np.round(x), -32768, 32767).astype(np.int16)
