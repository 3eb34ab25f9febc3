"""Cycles of the audio front end per stage on each core: one 1 s clip through a preset.

    .venv/bin/python bench/bench_frontend.py [--preset mlperf-kws] [--boards B,B,...] [--markdown]

The clip is a speech-like test signal (tests/frontend_support.clip('chirp')); the figures are the
profiler's inclusive cycles of each block's function summed over the clip's frames (cycle counts
are deterministic: the same ELF and input give the same counts on any host). With cmsisdsp
installed the features are also checked against arm_mfcc_q15 (bit_exact in the JSON).
Writes bench/results/frontend.json.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import numpy as np  # noqa: E402

from mcusim.boards import load_board  # noqa: E402
from mcusim.frontend import harness, presets  # noqa: E402

import frontend_support as fs  # noqa: E402

STAGES = [("frame", "mcusim_frame_q15"), ("normalize", "mcusim_normalize_q15"),
          ("window", "mcusim_mult_q15"), ("rfft", "mcusim_rfft_q15"),
          ("magnitude", "mcusim_cmplx_mag_q15"), ("mel", "mcusim_mel_filterbank_q15"),
          ("log", "mcusim_log_mel_q15"), ("dct", "mcusim_mat_vec_mult_q15"),
          ("quantize", "mcusim_quantize_q15_s8")]
BOARDS = "stm32l4r5,stm32g0b1,stm32u575,stm32f746"


def f32_frames(p, b, elf, audio: np.ndarray) -> dict:
    """The float32 chain on every 8th frame of the clip and of a clipped and a silent one: cycles
    of one frame, and the largest difference from cmsisdsp's arm_mfcc_f32 per clip (float is not
    bit-exact)."""
    from mcusim.frontend import tables
    n, conv = p.fft_len, tables.to_f32
    worst, cycles = None, 0
    if fs.dsp is not None:
        flen, fpos, fcoef = tables.mel_filters(p.fmin, p.fmax, p.n_mel, p.sample_rate, n,
                                               conv=conv)
        m = fs.dsp.arm_mfcc_instance_f32()
        fs.dsp.arm_mfcc_init_f32(m, n, p.n_mel, p.n_dct, tables.dct_q15(p.n_dct, p.n_mel, conv),
                                 fpos, flen, fcoef, tables.hann_q15(p.frame_len, n, conv=conv))
        worst = {}
    for kind, clip in (("chirp", audio), ("loud", fs.clip("loud", n=len(audio))),
                       ("silence", fs.clip("silence", n=len(audio)))):
        for fr in fs.frames(p, clip)[::8]:
            x = fr.astype(np.float32) / 32768
            r, out = harness.run(elf, b, x, "mfcc_f32")
            if kind == "chirp":
                cycles = {f.name: f for f in r.functions}["mcusim_mfcc_f32"].total_cycles
            if worst is not None:
                want = fs.dsp.arm_mfcc_f32(m, x.copy(), np.zeros(n + 2, np.float32))
                d = float(np.abs(out["feat"].view(np.float32)[:p.n_dct] - want).max())
                worst[kind] = max(worst.get(kind, 0.0), d)
    return {"cycles_per_frame": cycles, "max_abs_vs_arm_mfcc_f32": worst}


def measure(p, board_name: str, audio: np.ndarray, ref) -> dict:
    b = load_board(board_name)
    elf = harness.build(p, b, input_scale=0.5847, input_zero_point=83, f32=p.n_dct > 0)
    r, out = harness.run(elf, b, audio)
    fn = {f.name: f for f in r.functions}
    total = fn["mcusim_features_q15"].total_cycles
    stages = {name: fn[f].total_cycles if f in fn else 0 for name, f in STAGES}
    row = {"board": b.name, "core": b.core, "clock_hz": b.clock_hz,
           "front_end_cycles": total, "front_end_ms": round(1e3 * total / b.clock_hz, 3),
           "cycles_per_frame": total // p.n_frames, "stages": stages,
           "run_cycles": r.cycles, "exit_code": r.exit_code}
    if ref is not None:
        row["bit_exact"] = bool(np.array_equal(out["feat"][:p.n_features], ref))
    if p.n_dct:
        row["f32"] = f32_frames(p, b, elf, audio)
    return row


def float_mlperf(audio: np.ndarray) -> np.ndarray:
    """MLPerf Tiny's float MFCC (get_dataset.py's tf.signal pipeline) in numpy float64: periodic
    Hann over 480 samples, |rfft 512|, the same mel matrix in float, ln(mel + 1e-6), DCT-II with
    sqrt(2 / 40) (tf.signal.mfccs_from_log_mel_spectrograms), first 10."""
    from mcusim.frontend import tables
    x = audio.astype(np.float64) / 32768.0
    w = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(480) / 480)
    mels = np.linspace(tables.hz_to_mel(20), tables.hz_to_mel(4000), 42)
    spec = tables.hz_to_mel(np.linspace(0, 8000, 257))[1:]
    mat = np.zeros((257, 40))
    for m in range(40):
        up = (spec - mels[m]) / (mels[m + 1] - mels[m])
        down = (mels[m + 2] - spec) / (mels[m + 2] - mels[m + 1])
        mat[1:, m] = np.maximum(0, np.minimum(up, down))
    s = (np.arange(40) + 0.5) / 40
    dct = np.array([np.cos(i * np.pi * s) * np.sqrt(2 / 40) for i in range(10)])
    rows = []
    for f in range(49):
        fr = np.zeros(512)
        fr[:480] = x[f * 320:f * 320 + 480] * w
        rows.append(dct @ np.log(np.abs(np.fft.rfft(fr)) @ mat + 1e-6))
    return np.array(rows).reshape(-1)


def float_gap(p, scale: float = 0.5847, zp: int = 83) -> list[dict]:
    """How far CMSIS-DSP's q15 MFCC (what the firmware computes, bit for bit) is from the float
    MFCC the MLPerf model was trained on, per test clip: in MFCC units and in int8 inputs."""
    from mcusim.frontend import codegen
    mult, shift, _ = codegen.quant_params(scale, zp)
    out = []
    for kind in ("chirp", "loud", "noise", "quiet", "gaps"):
        a = fs.clip(kind, n=p.clip_samples)
        q = fs.Cmsis(p).features(a)
        f = float_mlperf(a)
        qi = codegen.quantize_reference(q, mult, shift, zp).astype(int)
        fi = np.clip(np.round(f / scale) + zp, -128, 127).astype(int)
        out.append({"clip": kind, "max_abs": round(float(np.abs(q / 128.0 - f).max()), 4),
                    "mean_abs": round(float(np.abs(q / 128.0 - f).mean()), 4),
                    "int8_differ": int((qi != fi).sum()), "of": int(qi.size),
                    "int8_max_diff": int(np.abs(qi - fi).max())})
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="mlperf-kws")
    ap.add_argument("--boards", default=BOARDS)
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--out", default=str(HERE / "results" / "frontend.json"))
    args = ap.parse_args()
    p = presets.get(args.preset)
    audio = fs.clip("chirp", n=p.clip_samples)
    try:
        fs.load()
        ref = fs.Cmsis(p).features(audio)
    except ImportError:
        ref = None
    rows = [measure(p, name, audio, ref) for name in args.boards.split(",")]
    doc = {"command": " ".join(["bench/bench_frontend.py"] + sys.argv[1:]),
           "preset": p.to_json(), "clip": "tests/frontend_support.clip('chirp'), 1 s",
           "results": rows}
    if ref is not None and p.name == "mlperf-kws":
        doc["q15_vs_float_mfcc"] = float_gap(p)
    Path(args.out).write_text(json.dumps(doc, indent=1) + "\n")
    if args.markdown:
        print("| stage | " + " | ".join(f"{r['board']} ({r['core']})" for r in rows) + " |")
        print("|---|" + "---:|" * len(rows))
        for name, _ in STAGES:
            print(f"| {name} | " + " | ".join(f"{r['stages'][name]:,}" for r in rows) + " |")
        print("| **front end** | " + " | ".join(f"**{r['front_end_cycles']:,}** ({r['front_end_ms']} ms)"
                                                for r in rows) + " |")
        print("| bit-exact vs cmsisdsp | " + " | ".join(str(r.get("bit_exact", "n/a")) for r in rows) + " |")
        if all("f32" in r for r in rows):
            print("| q15 cycles per frame | " + " | ".join(f"{r['cycles_per_frame']:,}" for r in rows) + " |")
            print("| f32 cycles per frame | " + " | ".join(f"{r['f32']['cycles_per_frame']:,}" for r in rows) + " |")
            for kind in ("chirp", "loud", "silence"):
                print(f"| f32 max \\|diff\\| vs arm_mfcc_f32, {kind} | " + " | ".join(
                    f"{r['f32']['max_abs_vs_arm_mfcc_f32'][kind]:.1e}" for r in rows) + " |")
        for g in doc.get("q15_vs_float_mfcc", []):
            print(f"q15 vs float MFCC, {g['clip']}: max {g['max_abs']}, mean {g['mean_abs']}; "
                  f"int8 inputs differing {g['int8_differ']}/{g['of']} (max {g['int8_max_diff']})")
    else:
        print(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
