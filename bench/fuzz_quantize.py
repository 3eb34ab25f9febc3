"""Byte-mutated float models through `mcusim quantize`: every one quantized or refused in one
line, no internal error, no crash.

    .venv/bin/python bench/fuzz_quantize.py [--front N] [--full M] [--seed S]

--front: N mutants through the in-process half (import, checks, graph optimizations);
--full: M mutants through the whole command in-process (quantize_model with the accuracy
report), whose LiteRT/TFLM half runs in a child process, so native crashes count as refusals.
The seed model is tests/test_quantize.py's float_cnn (CONV, batch norm as MUL/ADD, RELU,
RESHAPEs, FULLY_CONNECTED, SOFTMAX).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))


def mutants(base: bytes, n: int, seed: int):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        data = bytearray(base)
        for _ in range(int(rng.integers(1, 4))):
            data[int(rng.integers(0, len(data)))] = int(rng.integers(0, 256))
        yield bytes(data)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--front", type=int, default=5000)
    ap.add_argument("--full", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    import warnings
    warnings.simplefilter("error", RuntimeWarning)      # a warning is a second line: counted
    from test_quantize import calib, float_cnn

    from mcusim.errors import McusimError
    from mcusim.quantize import floatmodel, quantize_model
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        base = float_cnn(tmp / "m.tflite").read_bytes()
        cal = calib(tmp / "c.npy", (8, 8, 2), n=4)
        for kind, n in (("front", args.front), ("full", args.full)):
            counts = {"ok": 0, "refused": 0, "internal": 0}
            t0 = time.perf_counter()
            for k, data in enumerate(mutants(base, n, args.seed)):
                try:
                    if kind == "front":
                        floatmodel.prepare(data, "mutant.tflite")
                    else:
                        (tmp / "mut.tflite").write_bytes(data)
                        quantize_model(tmp / "mut.tflite", cal, report=True)
                    counts["ok"] += 1
                except McusimError as e:
                    counts["refused"] += 1
                    if "\n" in str(e):
                        counts["internal"] += 1
                except Exception as e:  # noqa: BLE001 - what this benchmark counts
                    counts["internal"] += 1
                    print(f"  {kind} mutant {k}: {type(e).__name__}: {e}")
            print(f"{kind}: {n} mutants, {counts['ok']} quantized, {counts['refused']} refused "
                  f"in one line, {counts['internal']} internal errors, "
                  f"{time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
