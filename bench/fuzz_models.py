"""Long fuzz run of the model front end (import, validation, optimization, plan, codegen; no
gcc): flatbuffer-aware mutants of a real model (tests/model_fuzz.py), each built or refused
with a McusimError; anything else is an internal error.

    .venv/bin/python bench/fuzz_models.py [MODEL] [-n 10000] [--seed 0]

Prints "N inputs, K internal errors" and one line per distinct internal error (the edits that
found it), for a regression test in tests/test_compiler_validate.py."""
from __future__ import annotations

import argparse
import collections
import sys
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))


def main() -> int:
    from hypothesis import HealthCheck, given, seed, settings

    import model_fuzz
    from mcusim.errors import McusimError

    ap = argparse.ArgumentParser()
    ap.add_argument("model", nargs="?", default=str(REPO / "models" / "kws_ref_model.tflite"))
    ap.add_argument("-n", type=int, default=10000, help="mutants to try")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    base = Path(args.model).read_bytes()
    count, bugs, first = [0], collections.Counter(), {}

    @seed(args.seed)
    @settings(max_examples=args.n, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(model_fuzz.edits, model_fuzz.flips)
    def one(edit_list, flip_list):
        data = model_fuzz.mutate(base, edit_list, flip_list if len(edit_list) == 4 else [])
        if data is None:
            return
        count[0] += 1
        try:
            model_fuzz.front_end(data)
        except McusimError:
            pass
        except Exception as e:  # noqa: BLE001 - counting them is the point
            where = traceback.extract_tb(e.__traceback__)[-1]
            key = f"{type(e).__name__} at {Path(where.filename).name}:{where.lineno}"
            bugs[key] += 1
            first.setdefault(key, (edit_list, flip_list, str(e)[:200]))

    t0 = time.perf_counter()
    one()
    print(f"{count[0]} inputs, {sum(bugs.values())} internal errors "
          f"({Path(args.model).name}, {time.perf_counter() - t0:.0f} s)")
    for key, n in bugs.most_common():
        print(f"  {n} x {key}: {first[key]}")
    return 1 if bugs else 0


if __name__ == "__main__":
    raise SystemExit(main())
