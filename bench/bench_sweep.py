"""Sweep throughput: points per minute on the local pool with --jobs 1 and --jobs 2, and on a
local Ray instance (when the extra is installed), for the same sweep with a warm build cache
(the builds are done once first: this measures running points, not compiling them). The
backends alternate over --rounds rounds and each keeps its best time: on a shared host the
load of other processes moves every single measurement.

    .venv/bin/python bench/bench_sweep.py [--jobs N] [--seeds S] [--rounds R] [--no-ray]

The sweep: the MLPerf Tiny KWS model shipped in models/ on four boards (M4F, M0+, M7, M33) with
S input seeds each (default 3: 12 points). Writes bench/results/sweep.json. Every backend's
figures are checked equal point for point (host time aside).
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "sim"))

from mcusim.sweeps import execute, spec  # noqa: E402

MODEL = ROOT / "models" / "kws_ref_model.tflite"
BOARDS = ["stm32f4", "rp2040", "stm32h743", "stm32u575"]


def figures(records: list[dict]) -> list[dict]:
    out = []
    for r in records:
        res = dict(r["result"])
        res.pop("host_seconds")
        res["model"] = {k: v for k, v in res["model"].items() if k != "cached"}
        out.append(res)
    return out


def timed(sweep, **kw) -> tuple[list[dict], dict]:
    records, stats = execute.execute(sweep, **kw)
    assert all(r["status"] == "ok" for r in records), [r["error"] for r in records]
    return records, stats


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=2, help="the parallel runs (default 2)")
    ap.add_argument("--seeds", type=int, default=3, help="input seeds per board (default 3)")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds, best kept")
    ap.add_argument("--no-ray", action="store_true", help="skip the Ray measurement")
    args = ap.parse_args()
    load = os.getloadavg()[0]      # other processes on the host: quoted with the figures
    sweep = spec.make([str(MODEL)], BOARDS, {"seed": list(range(args.seeds))})
    n = len(sweep.points())
    execute.execute(spec.make([str(MODEL)], BOARDS, {}), jobs=args.jobs)   # warm the cache
    base, _ = timed(sweep, jobs=1)
    backends = {f"local --jobs {j}": dict(jobs=j) for j in sorted({1, args.jobs})}
    ray_init = None
    if not args.no_ray:
        try:
            import ray
        except ImportError:
            print("ray not installed: skipping the Ray measurement", file=sys.stderr)
        else:
            t0 = time.perf_counter()
            ray.init(num_cpus=args.jobs, include_dashboard=False, log_to_driver=False,
                     logging_level=logging.ERROR)
            ray_init = time.perf_counter() - t0
            timed(sweep, ray=True)                    # workers start and import mcusim once
            backends[f"ray (local, {args.jobs} CPUs)"] = dict(ray=True)
    rows: dict[str, float] = {}
    busy: dict[str, float] = {}
    for _ in range(args.rounds):
        for name, kw in backends.items():
            recs, st = timed(sweep, **kw)
            assert figures(recs) == figures(base), name
            if st["seconds"] < rows.get(name, float("inf")):
                rows[name] = st["seconds"]
                # points simulated at once on average (host time of the runs / wall time): how
                # well the backend keeps its workers fed, whatever CPU the host gives them
                busy[name] = sum(r["result"]["host_seconds"] for r in recs) / st["seconds"]
    if ray_init is not None:
        ray.shutdown()
    one = rows["local --jobs 1"]
    result = {"points": n, "sweep": f"{MODEL.name} x {', '.join(BOARDS)} x {args.seeds} seeds",
              "host": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                      f"{platform.python_version()}",
              "load_average_at_start": round(load, 2), "rounds": args.rounds,
              "ray_init_s": ray_init,
              "runs": {k: {"seconds": round(s, 2), "points_per_minute": round(60 * n / s, 1),
                           "speedup": round(one / s, 2), "runs_at_once": round(busy[k], 2)}
                       for k, s in rows.items()}}
    print(f"{n} points: {result['sweep']}")
    for k, v in result["runs"].items():
        print(f"  {k:24} {v['seconds']:7.2f} s  {v['points_per_minute']:6.1f} points/min  "
              f"x{v['speedup']:.2f}  {v['runs_at_once']:.2f} runs at once")
    if ray_init is not None:
        print(f"  (ray.init: {ray_init:.1f} s, not counted)")
    out = ROOT / "bench" / "results" / "sweep.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
