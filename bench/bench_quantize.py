"""Post-training quantization of MLPerf Tiny's float models against MLPerf's own int8 models.

    .venv/bin/python bench/bench_quantize.py [--calibration N] [--eval N] [--board B]

For kws_ref_model_float32 (hybrid: int8 conv weights, float activations) and ad01_fp32:
quantize with `mcusim.quantize`, then on held-back inputs compare float (LiteRT) vs our int8
model (TFLM) and float vs MLPerf's published int8 model (kws_ref_model / ad01_int8): output SNR,
top-1 agreement and accuracy (KWS). Then verify ours bit-exact in mcusim and run both int8
models on the board (cycles, arena, flash).

Inputs: KWS uses spoken keywords (kws_speech.py: espeak-ng + MLPerf's MFCC in TensorFlow;
calibration on five voices, evaluation on five others, with labels) when espeak-ng and
TensorFlow are installed. Otherwise, and for ad01, N/M synthetic inputs uniform over the input
range MLPerf's int8 model was calibrated for: the Speech Commands and ToyADMOS data sets are not
available here. Writes bench/results/quantize.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import kws_speech  # noqa: E402 - beside this script
REPO = HERE.parent
SHARED = Path(os.environ.get("MCUSIM_SHARED_MODELS") or REPO.parent / "shared" / "models")
PAIRS = [("mlperf_tiny/kws_ref_model_float32.tflite", "mlperf_tiny/kws_ref_model.tflite"),
         ("mlperf_tiny/ad01_fp32.tflite", "mlperf_tiny/ad01_int8.tflite")]


def synthetic(ref_data: bytes, n: int, seed: int) -> np.ndarray:
    from mcusim.compiler import importer
    g = importer.parse(ref_data)
    t = g.t(g.inputs[0])
    s, zp = float(t.scale[0]), int(t.zero_point[0])
    lo, hi = s * (-128 - zp), s * (127 - zp)
    rng = np.random.default_rng(seed)
    return rng.uniform(lo, hi, (n,) + tuple(t.shape[1:])).astype(np.float32)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calibration", type=int, default=200)
    ap.add_argument("--eval", type=int, default=500)
    ap.add_argument("--board", default="stm32f4")
    args = ap.parse_args()
    import tempfile

    from mcusim.api import RunOptions, run
    from mcusim.boards import load_board
    from mcusim.compiler.verify import verify
    from mcusim.quantize import QuantizeOptions, accuracy, quantize_model
    board = load_board(args.board)
    rows = []
    for float_rel, ref_rel in PAIRS:
        fpath, rpath = SHARED / float_rel, SHARED / ref_rel
        if not fpath.is_file():
            print(f"bench_quantize: {fpath} not found (set MCUSIM_SHARED_MODELS)",
                  file=sys.stderr)
            return 2
        ref = rpath.read_bytes()
        with tempfile.TemporaryDirectory() as tmp:
            cal, held = Path(tmp) / "cal.npy", Path(tmp) / "held.npz"
            inputs = "synthetic: uniform over the MLPerf int8 model's input range"
            why_not = kws_speech.available() if "kws" in float_rel else "not a KWS model"
            if why_not is None:
                # spoken keywords: calibrate on five voices, evaluate on the five others
                from mcusim.paths import cache_dir
                sp = kws_speech.features(cache_dir() / "kws_speech.npz")
                first = sp["voice"] < 5
                np.save(cal, sp["x"][first])
                np.savez(held, x=sp["x"][~first], labels=sp["labels"][~first])
                inputs = (f"espeak-ng keywords, MLPerf's MFCC: calibration {int(first.sum())} "
                          f"clips of 5 voices, evaluation {int((~first).sum())} clips of 5 "
                          f"other voices")
            else:
                np.save(cal, synthetic(ref, args.calibration, 1))
                np.savez(held, x=synthetic(ref, args.eval, 2))
                if "kws" in float_rel:
                    inputs += f" (spoken keywords need: {why_not})"
            t0 = time.perf_counter()
            q = quantize_model(fpath, cal, QuantizeOptions())
            t_quant = time.perf_counter() - t0
            from mcusim.quantize import calibration
            ds = calibration.load(held, q.ports, what="--eval")
            t0 = time.perf_counter()
            ours = accuracy.evaluate(q.float_data, q.data, ds.samples, ds.labels,
                                     name=fpath.name)
            t_acc = time.perf_counter() - t0
            theirs = accuracy.evaluate(q.float_data, ref, ds.samples, ds.labels,
                                       name=rpath.name)
            out = Path(tmp) / (fpath.stem + "_mcusim_int8.tflite")
            out.write_bytes(q.data)
            rep = verify(out, board, RunOptions(seed=0), n=3, say=lambda s: None)
            runs = {}
            for label, path in (("ours", out), ("mlperf", rpath)):
                r = run(path, board.name, RunOptions(seed=0)).to_json()
                runs[label] = {"cycles": r["cycles"], "arena_planned": r["arena"]["planned"],
                               "flash_used": r["memory"]["flash_used"],
                               "weights_bytes": r["memory"]["flash_split"].get("model weights")
                               if isinstance(r["memory"].get("flash_split"), dict) else None}
        row = {
            "float_model": float_rel, "reference_int8": ref_rel,
            "inputs": inputs, "calibration_samples": len(q.calibration.samples),
            "eval_samples": len(ds.samples),
            "quantize_s": round(t_quant, 2), "accuracy_s": round(t_acc, 2),
            "optimizations": q.log,
            "ours": {"output": ours["outputs"][0], "worst_layers": ours["layers"][:3],
                     "size": ours["size"], "arena": ours["arena"], **runs["ours"]},
            "mlperf": {"output": theirs["outputs"][0], "file_bytes": len(ref),
                       **runs["mlperf"]},
            "bit_exact_in_mcusim": rep.ok,
        }
        rows.append(row)
        o, m = row["ours"]["output"], row["mlperf"]["output"]
        top = (f", top-1 agreement {100 * o['top1_agreement']:.1f}% (MLPerf int8 "
               f"{100 * m['top1_agreement']:.1f}%)") if "top1_agreement" in o else ""
        if "accuracy_float" in o:
            top += (f", accuracy float {100 * o['accuracy_float']:.1f}%, ours "
                    f"{100 * o['accuracy_quantized']:.1f}%, MLPerf int8 "
                    f"{100 * m['accuracy_quantized']:.1f}%")
        print(f"{fpath.name} ({inputs}): quantized in {t_quant:.1f} s; on "
              f"{len(ds.samples)} held-back inputs "
              f"output SNR {o['snr_db']:.1f} dB (MLPerf int8 {m['snr_db']:.1f} dB){top}; "
              f"bit-exact in mcusim: {rep.ok}; {board.name} cycles {row['ours']['cycles']:,} "
              f"(MLPerf int8 {row['mlperf']['cycles']:,})")
    doc = {"command": "bench/bench_quantize.py " + " ".join(sys.argv[1:]),
           "host": platform.platform(), "python": platform.python_version(),
           "board": board.name, "models": rows}
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "quantize.json").write_text(json.dumps(doc, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
