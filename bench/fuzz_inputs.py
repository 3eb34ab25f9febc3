"""Long fuzz run of the input files a user hands mcusim (tests/input_fuzz.py): ELF (load_elf and
placement on the board), board TOML, budget TOML, register-map TOML (boards/svd) and .npy/.npz
model inputs. Every mutant must be accepted or refused with a McusimError on one line; any other
exception, or no answer within the per-input deadline (a hang), is an internal error.

    .venv/bin/python bench/fuzz_inputs.py [-n 10000] [--kinds elf,board,...] [--seed 0]

Prints "KIND: N inputs, K internal errors, T s" per kind (with how many were accepted and how
many refused), one line per distinct internal error (the edits that found it, for a regression
test in tests/test_fuzz_inputs.py), and writes bench/results/fuzz.json."""
from __future__ import annotations

import argparse
import collections
import json
import sys
import tempfile
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))


def fuzz_kind(kind: str, n: int, seed_value: int, root: Path, cache: Path, deadline: float):
    from hypothesis import HealthCheck, given, seed, settings
    from hypothesis import strategies as st

    import input_fuzz

    seeds = input_fuzz.setup(kind, root / kind, cache)
    strat_a, strat_b = input_fuzz.STRATEGIES[kind]
    counts = collections.Counter()
    bugs, first = collections.Counter(), {}

    @seed(seed_value)
    @settings(max_examples=n, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.integers(0, len(seeds) - 1), strat_a, strat_b)
    def one(i, a, b):
        name, s, ctx = seeds[i]
        try:
            r = input_fuzz.run_one(kind, s, ctx, a, b, deadline)
        except (Exception, input_fuzz.Hang) as e:  # noqa: BLE001 - counting them is the point
            where = traceback.extract_tb(e.__traceback__)[-1]
            key = f"{type(e).__name__} at {Path(where.filename).name}:{where.lineno}"
            bugs[key] += 1
            counts["inputs"] += 1
            first.setdefault(key, (name, a, b, str(e)[:200]))
            return
        if r is not None:
            counts["inputs"] += 1
            counts["accepted" if r else "refused"] += 1

    t0 = time.perf_counter()
    one()
    return {"inputs": counts["inputs"], "accepted": counts["accepted"],
            "refused": counts["refused"], "internal_errors": sum(bugs.values()),
            "seconds": round(time.perf_counter() - t0, 1),
            "seeds": [name for name, _, _ in seeds],
            "errors": {k: {"count": v, "first": repr(first[k])} for k, v in bugs.most_common()}}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=10000, help="inputs to try per kind")
    ap.add_argument("--kinds", default="elf,board,budget,regmap,npy")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--deadline", type=float, default=10.0, help="seconds per input (a hang)")
    ap.add_argument("--no-save", action="store_true", help="do not write bench/results/fuzz.json")
    args = ap.parse_args()
    from mcusim.paths import cache_dir
    cache = cache_dir() / "bench"
    cache.mkdir(parents=True, exist_ok=True)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.kinds.split(","):
            r = fuzz_kind(kind, args.n, args.seed, Path(tmp), cache, args.deadline)
            results[kind] = r
            print(f"{kind}: {r['inputs']} inputs, {r['internal_errors']} internal errors, "
                  f"{r['seconds']:.0f} s ({r['accepted']} accepted, {r['refused']} refused; "
                  f"seeds: {', '.join(r['seeds'])})", flush=True)
            for key, e in r["errors"].items():
                print(f"  {e['count']} x {key}: {e['first']}", flush=True)
    if not args.no_save:
        out = REPO / "bench" / "results" / "fuzz.json"
        out.write_text(json.dumps({"n_per_kind": args.n, "seed": args.seed,
                                   "deadline_s": args.deadline, "kinds": results}, indent=1)
                       + "\n")
    return 1 if any(r["internal_errors"] for r in results.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
