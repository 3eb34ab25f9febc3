"""Write a 1 s, 16 kHz, mono 16-bit test clip (a speech-like tone sweep with a syllable envelope
and noise; no data set needed) for the pipeline example:

    python examples/kws_pipeline/make_clip.py clip.wav
    mcusim run examples/kws_pipeline/pipeline.toml --board stm32l4r5 --input clip.wav
"""
import sys
import wave

import numpy as np


def clip(n: int = 16000, rate: int = 16000, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n) / rate
    env = 0.5 - 0.5 * np.cos(2 * np.pi * 3 * t)
    tone = np.sin(2 * np.pi * (150 * t + 1800 * t * t)) + 0.5 * np.sin(2 * np.pi * 620 * t)
    x = 8000 * env * tone + 300 * rng.standard_normal(n)
    return np.clip(np.round(x), -32768, 32767).astype("<i2")


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "clip.wav"
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(clip().tobytes())
    print(f"wrote {out}")
