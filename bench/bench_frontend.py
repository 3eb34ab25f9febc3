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


def measure(p, board_name: str, audio: np.ndarray, ref) -> dict:
    b = load_board(board_name)
    elf = harness.build(p, b, input_scale=0.5847, input_zero_point=83)
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
    return row


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
    Path(args.out).write_text(json.dumps(doc, indent=1) + "\n")
    if args.markdown:
        print("| stage | " + " | ".join(f"{r['board']} ({r['core']})" for r in rows) + " |")
        print("|---|" + "---:|" * len(rows))
        for name, _ in STAGES:
            print(f"| {name} | " + " | ".join(f"{r['stages'][name]:,}" for r in rows) + " |")
        print("| **front end** | " + " | ".join(f"**{r['front_end_cycles']:,}** ({r['front_end_ms']} ms)"
                                                for r in rows) + " |")
        print("| bit-exact vs cmsisdsp | " + " | ".join(str(r.get("bit_exact", "n/a")) for r in rows) + " |")
    else:
        print(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
