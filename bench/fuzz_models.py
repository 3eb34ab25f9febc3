"""Long fuzz run of the model front end (import, validation, optimization, plan, codegen; no
gcc): flatbuffer-aware mutants of a real model (tests/model_fuzz.py), each built or refused
with a McusimError; anything else is an internal error.

    .venv/bin/python bench/fuzz_models.py [MODEL ...] [--shared] [-n 10000] [--seed 0]

--shared adds every .tflite of the shared model folder (MCUSIM_SHARED_MODELS, else
../shared/models) to the seeds; each mutant starts from one seed, drawn by hypothesis.

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
    from hypothesis import strategies as st

    import model_fuzz
    from mcusim.errors import McusimError

    ap = argparse.ArgumentParser()
    ap.add_argument("model", nargs="*")
    ap.add_argument("--shared", action="store_true",
                    help="seed from every shared model too (tests/compiler_support.SHARED)")
    ap.add_argument("-n", type=int, default=10000, help="mutants to try")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    from compiler_support import SHARED
    paths = [Path(m) for m in args.model]
    if args.shared:
        paths += sorted(SHARED.rglob("*.tflite"))
    if not paths:
        paths = [REPO / "models" / "kws_ref_model.tflite"]
    bases = [p.read_bytes() for p in paths]
    count, bugs, first = [0], collections.Counter(), {}

    @seed(args.seed)
    @settings(max_examples=args.n, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.integers(0, len(bases) - 1), model_fuzz.edits, model_fuzz.flips)
    def one(i, edit_list, flip_list):
        data = model_fuzz.mutate(bases[i], edit_list, flip_list if len(edit_list) == 4 else [])
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
            first.setdefault(key, (paths[i].name, edit_list, flip_list, str(e)[:200]))

    t0 = time.perf_counter()
    one()
    print(f"{count[0]} inputs, {sum(bugs.values())} internal errors "
          f"({', '.join(p.name for p in paths)}; {time.perf_counter() - t0:.0f} s)")
    for key, n in bugs.most_common():
        print(f"  {n} x {key}: {first[key]}")
    return 1 if bugs else 0


if __name__ == "__main__":
    raise SystemExit(main())
