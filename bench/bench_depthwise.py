"""DEPTHWISE_CONV_2D layers of KWS and VWW: cycles and MACs/cycle per layer and board, with the
build-time packed 3x3 kernel (the compiler's choice on DSP cores) against the int8 3x3 kernel it
replaced (the layer compiled with `depthwise_conv_2d.packed` switched off, same cost model).

    .venv/bin/python bench/bench_depthwise.py [--boards stm32l4r5,stm32f746,...] [--models KWS,VWW]

KWS is ../shared/models/mlperf_tiny/kws_ref_model.tflite; VWW the MobileNetV1 0.25 96x96x3
stand-in of mcusim.compiler.mlperf_models (random weights). Writes bench/results/depthwise.json.
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


def model_path(name: str) -> Path:
    if name == "KWS":
        return SHARED / "mlperf_tiny" / "kws_ref_model.tflite"
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


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--boards", default=",".join(BOARDS))
    ap.add_argument("--models", default="KWS,VWW")
    args = ap.parse_args()
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
