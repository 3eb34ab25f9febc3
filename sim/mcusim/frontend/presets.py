"""Front-end presets: the parameters of a feature pipeline, by name or from TOML keys.

mlperf-kws follows MLPerf Tiny's keyword-spotting reference (mlcommons/tiny,
benchmark/training/keyword_spotting: kws_util.py defaults window_size_ms=30, window_stride_ms=20,
dct_coefficient_count=10, sample_rate=16000, clip_duration_ms=1000; get_dataset.py: tf.signal.stft
with fft_length=None, i.e. the next power of two, 512, and a periodic Hann window; 40 mel bins
from 20 to 4000 Hz; log(mel + 1e-6); mfccs_from_log_mel_spectrograms, first 10): 49 frames x 10.
micro-speech has the frame layout and band count of TFLM's micro_speech features (30 ms / 20 ms,
40 channels from 125 to 7500 Hz, 49 frames) but computes plain log-mel energies: TFLM's noise
reduction, PCAN gain control and log scaling are not reproduced (docs/frontend.md).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from mcusim.errors import BadInput

FFT_SIZES = (32, 64, 128, 256, 512, 1024, 2048, 4096)


@dataclass(frozen=True)
class Preset:
    name: str
    sample_rate: int = 16000
    clip_samples: int = 16000       # samples the front end reads per decision
    frame_len: int = 480            # samples per frame (the window's length)
    frame_step: int = 320
    fft_len: int = 512
    n_mel: int = 40
    n_dct: int = 10                 # 0: log-mel features, no DCT
    fmin: float = 20.0
    fmax: float = 4000.0

    @property
    def n_frames(self) -> int:
        return 1 + (self.clip_samples - self.frame_len) // self.frame_step

    @property
    def width(self) -> int:
        return self.n_dct or self.n_mel

    @property
    def n_features(self) -> int:
        return self.n_frames * self.width

    def to_json(self) -> dict:
        d = asdict(self)
        d.update(n_frames=self.n_frames, width=self.width)
        return d


PRESETS = {
    "mlperf-kws": Preset("mlperf-kws"),
    "micro-speech": Preset("micro-speech", n_dct=0, fmin=125.0, fmax=7500.0),
}

KEYS = {"sample_rate": int, "clip_samples": int, "frame_len": int, "frame_step": int,
        "fft_len": int, "n_mel": int, "n_dct": int, "fmin": float, "fmax": float}


def get(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise BadInput(f"front-end preset {name!r}: not one of "
                       f"{', '.join(sorted(PRESETS))}") from None


def from_table(table: dict, where: str = "[frontend]") -> Preset:
    """A preset from TOML keys: `preset = NAME` and/or explicit KEYS overriding it."""
    if not isinstance(table, dict):
        raise BadInput(f"{where}: expected a table")
    unknown = set(table) - set(KEYS) - {"preset"}
    if unknown:
        raise BadInput(f"{where}: unknown key {sorted(unknown)[0]!r} (known: preset, "
                       f"{', '.join(KEYS)})")
    base = get(str(table["preset"])) if "preset" in table else Preset("custom")
    values = asdict(base)
    for k, kind in KEYS.items():
        if k in table:
            v = table[k]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or \
                    (kind is int and not float(v).is_integer()):
                raise BadInput(f"{where}: {k} must be a number{' (whole)' if kind is int else ''}"
                               f", got {v!r}")
            values[k] = kind(v)
    if "preset" not in table or set(table) - {"preset"}:
        values["name"] = "custom" if "preset" not in table else f"{table['preset']}+custom"
    return validate(Preset(**values), where)


def validate(p: Preset, where: str = "front end") -> Preset:
    if p.fft_len not in FFT_SIZES:
        raise BadInput(f"{where}: fft_len must be one of {', '.join(map(str, FFT_SIZES))}, "
                       f"got {p.fft_len}")
    if not 0 < p.frame_len <= p.fft_len:
        raise BadInput(f"{where}: frame_len must be 1..fft_len ({p.fft_len}), got {p.frame_len}")
    if p.frame_step <= 0:
        raise BadInput(f"{where}: frame_step must be positive, got {p.frame_step}")
    if p.sample_rate <= 0 or p.clip_samples < p.frame_len:
        raise BadInput(f"{where}: clip_samples ({p.clip_samples}) must hold one frame "
                       f"({p.frame_len}) at a positive sample_rate")
    if not 0 <= p.fmin < p.fmax <= p.sample_rate / 2:
        raise BadInput(f"{where}: need 0 <= fmin < fmax <= sample_rate / 2, got {p.fmin}, "
                       f"{p.fmax}")
    if not 1 <= p.n_mel <= 128 or not 0 <= p.n_dct <= p.n_mel:
        raise BadInput(f"{where}: need 1 <= n_mel <= 128 and 0 <= n_dct <= n_mel, got "
                       f"{p.n_mel}, {p.n_dct}")
    return p
