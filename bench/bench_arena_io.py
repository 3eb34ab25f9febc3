"""Arena + model I/O per model and core: the model's I/O in the caller's buffers (outside the
arena) vs the default plan (codegen._choose_io: in the arena where that is smaller), like for
like with TFLM's minimum arena, which holds its I/O. Plans only: no gcc, no simulation (the
firmware's measured peak equals the plan: tests/test_models.py, `mcusim run`).

    .venv/bin/python bench/bench_arena_io.py [--boards stm32f4,rp2040/portable,...] [--models a.tflite,...]
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MCUSIM_SHARED_MODELS") or REPO.parent / "shared" / "models")
TARGETS = ["stm32f4", "rp2040", "stm32u575", "stm32f4/portable"]     # board[/kernels]


def models() -> list[Path]:
    from mcusim.compiler import mlperf_models
    found = sorted(SHARED.glob("*/*.tflite"))
    for name in ("vww", "ic"):              # generated MLPerf Tiny VWW / IC (bench_mlperf.py)
        found.append(mlperf_models.cached(name))
    return found


def main() -> int:
    from mcusim.compiler import tflm
    from mcusim.boards import load_board
    from mcusim.compiler.build import frontend, use_dsp
    from mcusim.compiler.codegen import generate
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--boards", default=",".join(TARGETS))
    ap.add_argument("--models", default="")
    args = ap.parse_args()
    paths = [Path(p) for p in args.models.split(",") if p] or models()
    print(f"{'model':<34} {'board':<19} {'TFLM':>7} {'I/O outside':>20} {'default plan':>20}")
    for path in paths:
        data = path.read_bytes()
        try:
            opt = frontend(data, path.name)
        except Exception as e:              # noqa: BLE001 - float models etc.: say and go on
            print(f"{path.stem:<34} skipped: {e}")
            continue
        ref = tflm.arena_figure(data) or 0
        for target in args.boards.split(","):
            board, _, kernels = target.partition("/")
            core = load_board(board).core
            dsp, optimized = use_dsp(core, kernels or "auto"), kernels != "portable"
            row = []
            for io_arena in (False, None):
                g = generate(opt, core, dsp, optimized, io_arena)
                io = 0 if g.plan.io_arena else g.input_bytes + g.output_bytes
                total = g.plan.size + io
                row.append(f"{total:>7,} ({total / ref:.2f}x){'*' if g.plan.io_arena else ' '}"
                           if ref else f"{total:>7,}")
            print(f"{path.stem:<34} {target:<19} {ref:>7,} {row[0]:>20} {row[1]:>20}", flush=True)
    print("* = the model's I/O planned in the arena")
    return 0


if __name__ == "__main__":
    sys.exit(main())
