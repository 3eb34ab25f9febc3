"""On-device learning (mcusim train) on synthetic two-class data: cost per step, accuracy, and
whether the MCU's weights equal the host reference bit for bit.

    .venv/bin/python bench/bench_train.py [--markdown]

Data: two new classes (a sine or a cosine pattern plus noise, tests/test_train.py's generator
for the 250-value DNN input; the same idea over the 49 x 10 MFCC grid for the KWS model),
labelled with two of the model's outputs; 20 training and 20 held-back samples, 3 epochs,
lr 0.05; float32 on every board, fixed point (sim/mcusim/train/fixed.py) on the M0+ boards and
the stm32f4 too. Writes bench/results/train.json.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = Path(os.environ.get("MCUSIM_SHARED_MODELS") or REPO.parent / "shared" / "models")
sys.path.insert(0, str(REPO / "examples"))
from train_new_classes import dnn_classes, kws_classes  # noqa: E402  (the example's data)


DNN = SHARED / "arm_kws" / "dnn_s_quantized.tflite"
# (name, model, data, board, arithmetic): the M0+ boards in soft float and in fixed point
CASES = [("kws_ref_model", REPO / "models" / "kws_ref_model.tflite", kws_classes, "stm32f4",
          "float"),
         ("kws_ref_model", REPO / "models" / "kws_ref_model.tflite", kws_classes, "rp2040",
          "float"),
         ("kws_ref_model", REPO / "models" / "kws_ref_model.tflite", kws_classes, "rp2040",
          "fixed"),
         ("dnn_s_quantized", DNN, dnn_classes, "stm32f4", "float"),
         ("dnn_s_quantized", DNN, dnn_classes, "stm32f4", "fixed"),
         ("dnn_s_quantized", DNN, dnn_classes, "rp2040", "float"),
         ("dnn_s_quantized", DNN, dnn_classes, "rp2040", "fixed"),
         ("dnn_s_quantized", DNN, dnn_classes, "stm32g0b1", "float"),
         ("dnn_s_quantized", DNN, dnn_classes, "stm32g0b1", "fixed")]


def main() -> int:
    from mcusim.boards import load_board
    from mcusim.train.run import train
    ap = argparse.ArgumentParser()
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, model, gen, board, arith in CASES:
            if not model.is_file():
                continue
            sets = []
            for part, seed in (("train", 1), ("eval", 2)):
                x, y = gen(20, seed)
                np.savez(Path(tmp) / f"{name}-{part}.npz", x=x, y=y)
                sets.append(Path(tmp) / f"{name}-{part}.npz")
            r = train(model, load_board(board), *sets, epochs=3, lr=0.05, arithmetic=arith)
            r["model"] = name
            rows.append(r)
    (HERE / "results" / "train.json").write_text(json.dumps(
        {"command": "bench/bench_train.py", "results": rows}, indent=1) + "\n")
    if args.markdown:
        print("| model | board | arithmetic | head | step cycles | step time | step energy "
              "| backbone cycles | training memory | accuracy before -> after "
              "| weights = reference |")
        print("|---|---|---|---|---:|---:|---:|---:|---:|---|---|")
        for r in rows:
            arith = ("fixed " + r["fixed_format"]["weights"].split()[0] if r["fixed_format"]
                     else "float32")
            print(f"| {r['model']} | {r['board']} | {arith} | "
                  f"{r['head_shape'][0]}x{r['head_shape'][1]} | {r['step_cycles']:,} | "
                  f"{1e3 * r['step_s']:.3f} ms | {r['step_energy_uj']:.1f} µJ"
                  f" | {r['backbone_cycles']:,} | {r['train_memory_bytes']:,} B | "
                  f"{r['accuracy_before']:.2f} -> {r['accuracy_after']:.2f} | "
                  f"{'yes' if r['reference_identical'] else 'NO'} |")
    else:
        print(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
