"""DEPTHWISE_CONV_2D layers of KWS and VWW: cycles and MACs/cycle per layer and board, with the
build-time packed 3x3 kernel (the compiler's choice on DSP cores) against the int8 3x3 kernel it
replaced (the layer compiled with `depthwise_conv_2d.packed` switched off, same cost model).

    .venv/bin/python bench/bench_depthwise.py [--boards stm32l4r5,stm32f746,...] [--models KWS,VWW]
    .venv/bin/python bench/bench_depthwise.py --before REV [--boards ...] [--models KWS,VWW,PD]

KWS is ../shared/models/mlperf_tiny/kws_ref_model.tflite; VWW the MobileNetV1 0.25 96x96x3
stand-in of mcusim.compiler.mlperf_models (random weights); PD ../shared/models/tflite_micro/
person_detect.tflite. Writes bench/results/depthwise.json.

--before REV compares the packed kernel as it was at git revision REV (its
firmware/kernels/mcusim_depthwise_conv_3x3_packed_s8.c in a copy of today's firmware tree, and
without the transposed walk when REV's kernel has none) with today's, same cost model and every
other kernel as today: what a kernel change alone is worth. Writes bench/results/depthwise-before.json.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = Path(os.environ.get("MCUSIM_SHARED_MODELS") or REPO.parent / "shared" / "models")
BOARDS = ["stm32l4r5", "stm32f746", "stm32u575", "stm32g0b1"]


KERNEL = "firmware/kernels/mcusim_depthwise_conv_3x3_packed_s8.c"


def model_path(name: str) -> Path:
    if name == "KWS":
        return SHARED / "mlperf_tiny" / "kws_ref_model.tflite"
    if name == "PD":
        return SHARED / "tflite_micro" / "person_detect.tflite"
    from mcusim.compiler import mlperf_models
    return mlperf_models.cached(name.lower())


def dw_layers(path: Path, board: str, packed: bool) -> list[dict]:
    from mcusim.api import RunOptions, run
    from mcusim.compiler.ops import depthwise_conv_2d as dw
    saved = dw.packed
    if not packed:
        dw.packed = lambda *a, **k: None
    try:
        with tempfile.TemporaryDirectory() as d:   # a build dir: no cache, the patch applies
            r = run(path, board, RunOptions(seed=1, build_dir=Path(d)))
    finally:
        dw.packed = saved
    if r.exit_code != 0:
        raise SystemExit(f"bench_depthwise: {path.name} on {board} exited {r.exit_code}")
    shape = lambda v: "x".join(map(str, v))
    return [dict(index=L.index, shapes=f"{shape(L.input_shapes[0])} -> {shape(L.output_shape)}",
                 macs=L.macs, cycles=L.cycles)
            for L in r.layers if L.op == "DEPTHWISE_CONV_2D"]


def run_with_kernel(path: Path, board: str, firmware: Path | None, transposed: bool,
                    fused_scratch: bool = True):
    """The model with the firmware tree at `firmware` (None: the checkout's); every layer.
    transposed: whether the compiler may pick the transposed walk; fused_scratch: whether it
    may size the scratch for the fused loops (no sums), which a kernel without them overruns."""
    import mcusim.compiler.build as build
    from mcusim.api import RunOptions, run
    from mcusim.compiler.ops import depthwise_pack
    saved = build.firmware_dir, depthwise_pack.transposed, depthwise_pack.buffer_size
    if firmware is not None:
        build.firmware_dir = lambda: firmware
    if not transposed:
        depthwise_pack.transposed = lambda *a, **k: False
    if not fused_scratch:
        size = saved[2]
        depthwise_pack.buffer_size = lambda p, dsp, tr=False, fpu=False: size(p, dsp, tr, False)
    try:
        with tempfile.TemporaryDirectory() as d:
            r = run(path, board, RunOptions(seed=1, build_dir=Path(d)))
    finally:
        build.firmware_dir, depthwise_pack.transposed, depthwise_pack.buffer_size = saved
    if r.exit_code != 0:
        raise SystemExit(f"bench_depthwise: {path.name} on {board} exited {r.exit_code}")
    return r


def before_after(rev: str, models: list[str], boards: list[str]) -> int:
    import shutil
    import subprocess
    from mcusim.boards import load_board
    try:
        old = subprocess.run(["git", "-C", str(REPO), "show", f"{rev}:{KERNEL}"], check=True,
                             capture_output=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        raise SystemExit(f"bench_depthwise: cannot read {KERNEL} at {rev}: {e}")
    out = {}
    with tempfile.TemporaryDirectory() as d:
        fw = Path(d) / "firmware"
        shutil.copytree(REPO / "firmware", fw)
        (fw / "kernels" / Path(KERNEL).name).write_bytes(old)
        old_tr = b"packed_t_s8" in old
        old_fused = b"mcusim_dw3p_all_fused" in old
        for name in models:
            path = model_path(name)
            for board in boards:
                ra = run_with_kernel(path, board, fw, old_tr, old_fused)
                rb = run_with_kernel(path, board, None, True)
                clk = load_board(board).clock_hz
                ta, tb = (sum(L.cycles for L in r.layers) for r in (ra, rb))
                da, db = ([L for L in r.layers if L.op == "DEPTHWISE_CONV_2D"] for r in (ra, rb))
                print(f"{name} {board}: layers {ta:,} -> {tb:,} cycles ({ta / clk * 1e3:.2f} -> "
                      f"{tb / clk * 1e3:.2f} ms); depthwise {sum(L.cycles for L in da):,} -> "
                      f"{sum(L.cycles for L in db):,} (the same layers: "
                      f"{sum(L.cycles for L in rb.layers if L.index in {a.index for a in da}):,})")
                rows = []
                after = {L.index: L for L in rb.layers}     # a layer may change op (one-channel
                for a in da:                                # depthwise -> CONV_2D): by index
                    b = after[a.index]
                    sh = "x".join(map(str, a.input_shapes[0][1:])) + " -> " + \
                        "x".join(map(str, a.output_shape[1:]))
                    print(f"  #{a.index:<3} {sh:<24} {a.macs:>9,} MACs {a.cycles:>10,} -> "
                          f"{'(' + b.op + ') ' if b.op != a.op else ''}"
                          f"{b.cycles:>10,} cycles  {a.macs / a.cycles:.2f} -> "
                          f"{b.macs / b.cycles:.2f} MACs/cycle")
                    rows.append(dict(layer=a.index, shapes=sh, macs=a.macs, before=a.cycles,
                                     after=b.cycles))
                out[f"{name}/{board}"] = dict(rev=rev, clock_hz=clk, layers_before=ta,
                                              layers_after=tb, depthwise=rows)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "depthwise-before.json").write_text(json.dumps(out, indent=1) + "\n")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--boards", default=",".join(BOARDS))
    ap.add_argument("--models", default="KWS,VWW")
    ap.add_argument("--before", metavar="REV",
                    help="compare the packed kernel at git revision REV with today's")
    args = ap.parse_args()
    if args.before:
        return before_after(args.before, args.models.split(","), args.boards.split(","))
    out = {}
    for name in args.models.split(","):
        path = model_path(name)
        for board in args.boards.split(","):
            before = dw_layers(path, board, packed=False)
            after = dw_layers(path, board, packed=True)
            rows = []
            for b, a in zip(before, after):
                rows.append(dict(layer=a["index"], shapes=a["shapes"], macs=a["macs"],
                                 before=b["cycles"], after=a["cycles"]))
            out[f"{name}/{board}"] = rows
            tb, ta = sum(r["before"] for r in rows), sum(r["after"] for r in rows)
            print(f"{name} {board}: depthwise layers {tb:,} -> {ta:,} cycles "
                  f"({ta / tb:.2f}x)")
            for r in rows:
                print(f"  #{r['layer']:<3} {r['shapes']:<34} {r['macs']:>9,} MACs "
                      f"{r['before']:>10,} -> {r['after']:>10,} cycles  "
                      f"{r['macs'] / r['before']:.2f} -> {r['macs'] / r['after']:.2f} MACs/cycle")
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "depthwise.json").write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
