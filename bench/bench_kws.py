"""End-to-end time of kws_ref_model.tflite on stm32f4: build cold, build cached, simulate.

    .venv/bin/python bench/bench_kws.py [MODEL] [--board B]

Cold build uses an empty cache (a temporary MCUSIM_CACHE), so it includes code generation and
arm-none-eabi-gcc; the cached build is the lookup `mcusim run` does on every later run.
Writes bench/results/kws.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT = Path(os.environ.get("MCUSIM_SHARED_MODELS") or REPO.parent / "shared" / "models") \
    / "mlperf_tiny" / "kws_ref_model.tflite"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("model", nargs="?", default=str(DEFAULT))
    ap.add_argument("--board", default="stm32f4")
    args = ap.parse_args()
    model = Path(args.model)
    if not model.is_file():
        print(f"bench_kws: {model} not found (set MCUSIM_SHARED_MODELS)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as cache:
        os.environ["MCUSIM_CACHE"] = cache
        from mcusim.api import RunOptions
        from mcusim.boards import load_board
        from mcusim.compiler.build import compile_model
        from mcusim.compiler.runmodel import run_model
        board = load_board(args.board)
        t0 = time.perf_counter()
        built = compile_model(model, board)
        t1 = time.perf_counter()
        again = compile_model(model, board)
        t2 = time.perf_counter()
        result = run_model(model, board, RunOptions(seed=0))
        t3 = time.perf_counter()
        # Again: the first run in an empty cache also builds the native hook and parses the
        # board's SVD once (both cached from then on).
        run_model(model, board, RunOptions(seed=0))
        t4 = time.perf_counter()
    assert not built.cached and again.cached
    figures = {
        "model": model.name, "board": board.name,
        "build_cold_s": round(t1 - t0, 3), "build_cached_s": round(t2 - t1, 4),
        "run_s": round(t3 - t2, 3), "simulate_s": round(result.host_seconds, 3),
        "run_warm_s": round(t4 - t3, 3),
        "end_to_end_cold_s": round((t1 - t0) + (t3 - t2), 3),
        "cycles": result.cycles, "instructions": result.instructions,
        "time_on_board_s": result.time_s, "exit_code": result.exit_code,
        "arena": result.arena, "flash_split": result.memory.flash_split,
        "layers": [{"index": L.index, "op": L.op, "macs": L.macs, "cycles": L.cycles}
                   for L in result.layers],
        "host": {"python": platform.python_version(), "machine": platform.machine()},
    }
    out = HERE / "results" / "kws.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"{model.name} on {board.name}: build cold {figures['build_cold_s']} s, cached "
          f"{figures['build_cached_s']} s, run (cached build + simulate) {figures['run_s']} s "
          f"(first in an empty cache), {figures['run_warm_s']} s again; "
          f"{result.cycles:,} cycles; arena planned {result.arena.get('planned')} B, peak "
          f"{result.arena.get('peak')} B -> {out.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
