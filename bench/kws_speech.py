"""Spoken keywords for the KWS benchmarks, made here: espeak-ng says MLPerf Tiny's ten keywords
in ten English voices at two speeds and two pitches (400 clips, 1 s at 16 kHz, word centred),
and TensorFlow computes the features exactly as MLPerf Tiny's keyword-spotting training does
(mlcommons/tiny benchmark/training/keyword_spotting/get_dataset.py: tf.signal.stft 480/320,
FFT 512, periodic Hann; 40 mel bins 20-4000 Hz; log(mel + 1e-6); first 10 MFCCs).

    features(cache) -> {"x": [400, 49, 10, 1] float32, "labels": [400], "voice": [400]}

Labels follow MLPerf's order (down go left no off on right stop up yes silence unknown).
Synthetic speech is not the Speech Commands data set: the float model scores about 60 % on it,
far from its published accuracy, but the inputs have the distribution of real features.
Needs espeak-ng (Debian package) and the `tensorflow` extra.
"""
from __future__ import annotations

import io
import itertools
import os
import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np

WORDS = "down go left no off on right stop up yes".split()
VOICES = ["en-gb", "en-us", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-gb-x-gbclan",
          "en-gb-x-gbcwmd", "en-us+f3", "en-gb+f2", "en-us+m3"]
SPEEDS, PITCHES = (130, 170), (35, 65)


def available() -> str | None:
    """None when the features can be made, else why not."""
    if shutil.which("espeak-ng") is None:
        return "espeak-ng is not installed (apt-get install espeak-ng)"
    import importlib.util
    if importlib.util.find_spec("tensorflow") is None:
        return "TensorFlow is not installed (pip install 'mcusim[tensorflow]')"
    return None


def _say(word: str, voice: str, speed: int, pitch: int) -> np.ndarray:
    from scipy.signal import resample_poly
    wav = subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch),
                          "--stdout", word], capture_output=True, check=True).stdout
    with wave.open(io.BytesIO(wav)) as w:
        rate = w.getframerate()
        x = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768
    x = resample_poly(x, 16000 // 100, rate // 100)[:16000]
    out = np.zeros(16000, np.float32)
    off = (16000 - len(x)) // 2
    out[off:off + len(x)] = x
    return out


def _mfcc(tf, audio: np.ndarray) -> np.ndarray:
    st = tf.signal.stft(audio, frame_length=480, frame_step=320, fft_length=None,
                        window_fn=tf.signal.hann_window)
    spec = tf.abs(st)
    mel_w = tf.signal.linear_to_mel_weight_matrix(40, spec.shape[-1], 16000, 20.0, 4000.0)
    log_mel = tf.math.log(tf.tensordot(spec, mel_w, 1) + 1e-6)
    return tf.signal.mfccs_from_log_mel_spectrograms(log_mel)[..., :10].numpy() \
        .reshape(49, 10, 1)


def features(cache: Path | None = None) -> dict:
    if cache is not None and cache.is_file():
        with np.load(cache) as z:
            return {k: z[k] for k in z.files}
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf
    x, labels, voice = [], [], []
    for wi, word in enumerate(WORDS):
        for vi, v in enumerate(VOICES):
            for s, p in itertools.product(SPEEDS, PITCHES):
                x.append(_mfcc(tf, _say(word, v, s, p)))
                labels.append(wi)
                voice.append(vi)
    d = {"x": np.stack(x).astype(np.float32), "labels": np.array(labels),
         "voice": np.array(voice)}
    if cache is not None:
        np.savez(cache, **d)
    return d
