"""Every int8 model in ../shared/models on every board: cycles, time, energy, arena, flash.

    .venv/bin/python bench/bench_models.py [--boards stm32f4,rp2040] [--markdown]

Uses the build cache (the first run compiles each model once per core). The arena columns do
not depend on the board: the plan, the high-water mark measured in simulation (must equal the
plan), the plan plus the input/output buffers (TFLM keeps those in its arena; mcusim's firmware
reads and writes the caller's buffers), and TFLM's minimum arena for the same model. Writes bench/results/models.json.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = Path(os.environ.get("MCUSIM_SHARED_MODELS") or REPO.parent / "shared" / "models")
# The float and hybrid models are refused by design (int8 only); see docs/compiler.md.
SKIP = {"kws_ref_model_float32.tflite", "ad01_fp32.tflite"}


def main() -> int:
    from mcusim.api import RunOptions, run
    from mcusim.boards import list_boards
    ap = argparse.ArgumentParser()
    ap.add_argument("--boards", default=",".join(list_boards()))
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    models = sorted(p for p in SHARED.glob("*/*.tflite") if p.name not in SKIP)
    if not models:
        print(f"bench_models: no models under {SHARED} (set MCUSIM_SHARED_MODELS)", file=sys.stderr)
        return 2
    rows = []
    t0 = time.perf_counter()
    for model in models:
        for board in args.boards.split(","):
            r = run(model, board, RunOptions(seed=0))
            rows.append({
                "model": f"{model.parent.name}/{model.name}", "board": board,
                "cycles": r.cycles, "ms": round(r.time_s * 1e3, 3),
                "energy_uj": round(r.energy_uj, 1), "arena_planned": r.arena.get("planned"),
                "arena_peak": r.arena.get("peak"), "arena_io": r.arena.get("io"),
                "arena_tflm": r.arena.get("tflm"),
                "flash_used": r.memory.flash_used, "exit_code": r.exit_code})
            print(f"{rows[-1]['model']:45s} {board:10s} {r.cycles:>12,} cycles "
                  f"{rows[-1]['ms']:>10.2f} ms {rows[-1]['energy_uj']:>10.1f} µJ", flush=True)
    out = HERE / "results" / "models.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"rows": rows, "seconds": round(time.perf_counter() - t0, 1)},
                              indent=1) + "\n")
    if args.markdown:
        boards = args.boards.split(",")
        print("\n| model | " + " | ".join(boards) + " |")
        print("|---|" + "---:|" * len(boards))
        for model in dict.fromkeys(r["model"] for r in rows):
            cells = [next(f"{x['ms']:,.2f} ms" for x in rows
                          if x["model"] == model and x["board"] == b) for b in boards]
            print(f"| {model.split('/')[1].removesuffix('.tflite')} | " + " | ".join(cells) + " |")
        # TFLM's arena also holds the model's input and output; mcusim's are the caller's buffers.
        print("\n| model | arena planned | peak in simulation | plan + I/O buffers | "
              "TFLM arena (I/O included) |")
        print("|---|---:|---:|---:|---:|")
        for model in dict.fromkeys(r["model"] for r in rows):
            x = next(r for r in rows if r["model"] == model)
            print(f"| {model.split('/')[1].removesuffix('.tflite')} | {x['arena_planned']:,} B | "
                  f"{x['arena_peak']:,} B | {x['arena_planned'] + x['arena_io']:,} B | "
                  f"{x['arena_tflm']:,} B |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
