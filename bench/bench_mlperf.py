"""Issue 9's table in one run: the four MLPerf Tiny models on four boards against the targets
and the best published measurement, and the memory table (like for like with TFLM).

    .venv/bin/python bench/bench_mlperf.py [--boards stm32l4r5,...] [--models AD,KWS] [--no-verify]
                                           [--markdown] [--out FILE]

Models: KWS and AD are the MLPerf Tiny reference files in ../shared/models/mlperf_tiny; VWW and
IC are not in the shared folder, so they are generated (mcusim.compiler.mlperf_models: the
reference models' architecture, shapes, operator types and quantization scheme, random weights)
into mcusim's cache on first use. person_detect (TFLM's MobileNetV1 0.25, 96x96 greyscale, real
weights) is run beside them as the real-weights VWW-class check; it has no target.

Latency = the layer functions' inclusive cycles / the board's own clock (docs/validation.md:
no start-up, no input copy), default kernels, random input (seed 0). Every model is also checked
bit-exact against TFLM on every board (`mcusim verify -n 1`) unless --no-verify.

Published figures: MLPerf Tiny closed-division results (EEMBC EnergyRunner performance runs),
the median throughput line of each cited results.txt, typed in by hand; latency = 1000 /
throughput. Only runs at the same clock as mcusim's board are listed. Writes
bench/results/mlperf.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = Path(os.environ.get("MCUSIM_SHARED_MODELS") or REPO.parent / "shared" / "models")
OUT = HERE / "results" / "mlperf.json"

BOARDS = ["stm32l4r5", "stm32f746", "stm32u575", "stm32g0b1"]
MODELS = ["KWS", "VWW", "IC", "AD"]

# Issue 9's targets (ms at the board's own clock).
TARGET_MS = {
    "stm32l4r5": {"KWS": 38, "VWW": 80, "IC": 150, "AD": 3.6},
    "stm32f746": {"KWS": 16, "VWW": 31, "IC": 57, "AD": 1.6},
    "stm32u575": {"KWS": 26, "VWW": 53, "IC": 100, "AD": 3.1},
    "stm32g0b1": {"KWS": 430, "VWW": 1270, "IC": 1370, "AD": 37},
}

# X-CUBE-AI's activation sizes for the four models as given in issue 9 (bytes = KB x 1024).
XCUBE_ACTIVATIONS_KB = {"KWS": 29.7, "VWW": 73.8, "IC": 64.9, "AD": 2.0}

_GH = "https://github.com/mlcommons/tiny_results_v{}/blob/main/closed/{}/performance/results.txt"


def _pub(rnd, path, throughput, who):
    return {"round": f"v{rnd}", "who": who, "throughput": throughput,
            "ms": round(1000.0 / throughput, 3), "source": _GH.format(rnd, path)}


# The best (lowest-latency) published result per board and model at the board's clock, found
# by reading every v1.0-v1.3 closed results.txt for these four boards.
BEST_PUBLISHED = {
    "stm32l4r5": {
        "KWS": _pub("1.2", "STMicroelectronics/results/NUCLEO_L4R5ZI/kws", 23.155, "X-CUBE-AI 9.0"),
        "VWW": _pub("1.2", "STMicroelectronics/results/NUCLEO_L4R5ZI/vww", 11.245, "X-CUBE-AI 9.0"),
        "IC": _pub("1.2", "STMicroelectronics/results/NUCLEO_L4R5ZI/ic", 6.056, "X-CUBE-AI 9.0"),
        "AD": _pub("1.1", "plumerai/results/NUCLEO-L4R5ZI/ad", 246.814,
                   "Plumerai Inference Engine 2023.05"),
    },
    "stm32f746": {
        "KWS": _pub("1.1", "plumerai/results/DISCO-F746NG/kws", 56.341,
                    "Plumerai Inference Engine 2023.05"),
        "VWW": _pub("1.1", "plumerai/results/DISCO-F746NG/vww", 29.343,
                    "Plumerai Inference Engine 2023.05"),
        "IC": _pub("1.1", "bosch/results/DISCO_F746NG/ic", 16.242, "Bosch HALE 1.0"),
        "AD": _pub("1.2", "bosch/results/DISCO_F746NG_int8_max_performance/ad", 701.809,
                   "Bosch HALE 1.0.175 (max performance)"),
    },
    "stm32u575": {
        "KWS": _pub("1.3", "STMicroelectronics/results/NUCLEO_U575ZI_Q/kws", 34.489,
                    "X-CUBE-AI 10.2"),
        "VWW": _pub("1.3", "STMicroelectronics/results/NUCLEO_U575ZI_Q/vww", 16.873,
                    "X-CUBE-AI 10.2"),
        "IC": _pub("1.1", "plumerai/results/NUCLEO-U575ZI-Q/ic", 9.589,
                   "Plumerai Inference Engine 2023.05"),
        "AD": _pub("1.2", "bosch/results/NUCLEO_U575ZI_int8_max_performance/ad", 323.527,
                   "Bosch HALE 1.0.175 (max performance)"),
    },
    "stm32g0b1": {
        "KWS": _pub("1.2", "bosch/results/NUCLEO_G0B1RE_int8/kws", 2.107, "Bosch HALE 1.0.175"),
        "VWW": _pub("1.2", "bosch/results/NUCLEO_G0B1RE_int8/vww", 0.707, "Bosch HALE 1.0.175"),
        "IC": _pub("1.2", "bosch/results/NUCLEO_G0B1RE_int8/ic", 0.657, "Bosch HALE 1.0.175"),
        "AD": _pub("1.2", "bosch/results/NUCLEO_G0B1RE_int8/ad", 24.454, "Bosch HALE 1.0.175"),
    },
}


def model_paths() -> dict[str, Path]:
    from mcusim.compiler import mlperf_models
    paths = {"KWS": SHARED / "mlperf_tiny" / "kws_ref_model.tflite",
             "VWW": mlperf_models.cached("vww"), "IC": mlperf_models.cached("ic"),
             "AD": SHARED / "mlperf_tiny" / "ad01_int8.tflite",
             "person_detect": SHARED / "tflite_micro" / "person_detect.tflite"}
    return {k: p for k, p in paths.items() if p.is_file()}


def measure(path: Path, board: str, verify: bool) -> dict:
    from mcusim.api import RunOptions, run
    r = run(path, board, RunOptions(seed=0))
    assert r.exit_code == 0, (path, board, r.exit_code)
    layers = sum(L.cycles for L in r.layers)
    row = {"board": board, "clock_hz": r.clock_hz, "cycles_layers": layers,
           "cycles_total": r.cycles, "ms": round(layers / r.clock_hz * 1e3, 3),
           "macs": sum(L.macs for L in r.layers),
           "arena_planned": r.arena.get("planned"), "arena_peak": r.arena.get("peak"),
           "io": r.arena.get("io"), "flash_used": r.memory.flash_used}
    if verify:
        from mcusim.boards import load_board
        from mcusim.compiler.verify import verify as check
        rep = check(path, load_board(board), RunOptions(seed=0), n=1, say=lambda _: None)
        row["bit_exact"] = rep.ok
    return row


def tflm_arena(path: Path) -> tuple[int | None, str]:
    from mcusim.compiler import tflm
    data = path.read_bytes()
    if tflm.known_arena(data):
        return tflm.known_arena(data), "../shared/models/README.md (tflite-micro, measured)"
    return tflm.arena_figure(data), "measured here (tflite-micro interpreter, bisection to 16 B)"


def git(*args) -> str:
    return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True,
                          text=True).stdout.strip()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--boards", default=",".join(BOARDS))
    ap.add_argument("--models", default=",".join(MODELS),
                    help="a subset of " + ",".join(MODELS) + " (person_detect runs with VWW)")
    ap.add_argument("--out", default=str(OUT), help="the JSON written (default %(default)s)")
    ap.add_argument("--no-verify", action="store_true", help="skip the bit-exact checks")
    ap.add_argument("--markdown", action="store_true", help="also print the tables as markdown")
    ap.add_argument("--from-json", metavar="FILE",
                    help="print the tables of an earlier run's JSON instead of running")
    args = ap.parse_args()
    boards = args.boards.split(",")
    if args.from_json:
        result = json.loads(Path(args.from_json).read_text())
        print_tables(result, boards, markdown=args.markdown)
        return 0
    t0 = time.perf_counter()
    paths = model_paths()
    missing = [m for m in MODELS if m not in paths]
    if missing:
        print(f"bench_mlperf: {', '.join(missing)} not found under {SHARED} "
              "(set MCUSIM_SHARED_MODELS)", file=sys.stderr)
        return 2
    wanted = set(args.models.split(","))
    unknown = wanted - set(MODELS)
    if unknown:
        print(f"bench_mlperf: unknown model(s) {', '.join(sorted(unknown))} (choose from "
              f"{', '.join(MODELS)})", file=sys.stderr)
        return 2
    if "VWW" in wanted:
        wanted.add("person_detect")
    rows = []
    for board in boards:
        for model in [*MODELS, "person_detect"]:
            if model not in paths or model not in wanted:
                continue
            row = {"model": model, "file": paths[model].name,
                   **measure(paths[model], board, not args.no_verify)}
            target = TARGET_MS.get(board, {}).get(model)
            best = BEST_PUBLISHED.get(board, {}).get(model)
            row["target_ms"] = target
            row["pass"] = None if target is None else row["ms"] <= target
            row["best_published"] = best
            if best:
                row["ratio_to_best"] = round(row["ms"] / best["ms"], 3)
            rows.append(row)
            print(f"  {board:10s} {model:14s} {row['cycles_layers']:>12,} cycles "
                  f"{row['ms']:>10.2f} ms  ({time.perf_counter() - t0:.0f} s)",
                  file=sys.stderr, flush=True)
    memory = []
    for model in [*MODELS, "person_detect"]:
        mine = [r for r in rows if r["model"] == model]
        if not mine:
            continue
        # the largest arena + I/O over the boards (io is 0 where the plan holds the model's I/O
        # in the arena: counted once)
        worst = max(mine, key=lambda r: r["arena_planned"] + r["io"])
        arena, io = worst["arena_planned"], worst["io"]
        t_arena, t_src = tflm_arena(paths[model])
        xc = XCUBE_ACTIVATIONS_KB.get(model)
        m = {"model": model, "arena": arena, "arena_by_board": {r["board"]: r["arena_planned"]
                                                                 for r in mine},
             "peak_equals_plan": all(r["arena_peak"] == r["arena_planned"] for r in mine),
             "peak_within_plan": all(r["arena_peak"] <= r["arena_planned"] for r in mine),
             "io": io, "arena_plus_io": arena + io, "tflm_arena": t_arena,
             "tflm_arena_source": t_src,
             "ratio_to_tflm": round((arena + io) / t_arena, 3) if t_arena else None,
             "xcube_activations": round(xc * 1024) if xc else None,
             "ratio_to_xcube": round((arena + io) / (xc * 1024), 3) if xc else None}
        m["pass_tflm"] = None if m["ratio_to_tflm"] is None else m["ratio_to_tflm"] <= 0.7
        m["pass_xcube"] = None if xc is None else m["arena_plus_io"] <= xc * 1024
        memory.append(m)
    result = {
        "what": "issue 9: MLPerf Tiny models on four boards vs targets and best published results",
        "latency_definition": "sum of the layer functions' inclusive cycles / the board's clock "
                              "(no start-up, no input copy); published: 1000 / median throughput",
        "memory_definition": "mcusim: planned arena + the model's input and output buffers "
                             "outside it (0 where the plan holds them in the arena), largest over "
                             "the boards; TFLM keeps them inside its arena; TFLM: "
                             "its smallest working arena; X-CUBE-AI: activations as given in "
                             "issue 9",
        "models": {k: str(p) for k, p in paths.items()},
        "rows": rows, "memory": memory,
        "git_commit": git("rev-parse", "HEAD"),
        "git_dirty": git("status", "--porcelain", "--", "sim", "firmware", "profiles",
                         "boards").splitlines(),
        "host": {"python": platform.python_version(), "machine": platform.machine()},
        "bench_seconds": round(time.perf_counter() - t0, 1),
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    print_tables(result, boards, markdown=args.markdown)
    print(f"\nwrote {out} at commit {result['git_commit'][:7]}"
          f"{' (+ local changes)' if result['git_dirty'] else ''} in {result['bench_seconds']} s")
    return 0


def _matrix(result: dict) -> None:
    """README's compact table: one row per board, 'ours / target / best published' in ms."""
    rows = [r for r in result["rows"] if r["model"] in MODELS]
    boards = list(dict.fromkeys(r["board"] for r in rows))
    print("| board | " + " | ".join(MODELS) + " |")
    print("|---|" + "---:|" * len(MODELS))
    for b in boards:
        cells = []
        for m in MODELS:
            r = next((x for x in rows if x["board"] == b and x["model"] == m), None)
            if r is None:
                cells.append("-")
                continue
            best = r["best_published"]["ms"] if r["best_published"] else None
            cells.append(f"{r['ms']:,.1f} / {r['target_ms']:,} / {best:,.1f}"
                         f"{' ✓' if r['pass'] else ''}{'' if r.get('bit_exact', True) else ' ≠TFLM'}")
        mhz = next(x["clock_hz"] for x in rows if x["board"] == b) // 1_000_000
        print(f"| {b} @ {mhz} MHz | " + " | ".join(cells) + " |")


def _ok(flag) -> str:
    return "-" if flag is None else ("PASS" if flag else "fail")


def print_tables(result: dict, boards: list[str], markdown: bool = False) -> None:
    rows = result["rows"]
    print("latency: layers' inclusive cycles at the board's clock; target = issue 9; best "
          "published = MLPerf Tiny v1.0-v1.3 closed")
    head = ["board", "model", "cycles", "ms", "target ms", "best published ms", "by", "ours/best",
            "target", "bit-exact"]
    lines = []
    for r in rows:
        b = r["best_published"] or {}
        lines.append([r["board"], r["model"], f"{r['cycles_layers']:,}", f"{r['ms']:,.2f}",
                      f"{r['target_ms']:,}" if r["target_ms"] else "-",
                      f"{b['ms']:,.2f}" if b else "-",
                      f"{b['who']} ({b['round']})" if b else "-",
                      f"{r['ratio_to_best']:.2f}x" if b else "-", _ok(r["pass"]),
                      _ok(r.get("bit_exact"))])
    _table(head, lines, markdown)
    if markdown:
        print("\nms at the board's clock: ours / issue 9's target / best published (✓: target met)")
        _matrix(result)
    print("\nmemory: mcusim arena + input/output buffers (TFLM's arena holds its I/O) vs TFLM's "
          "minimal arena (target <= 0.7x) and X-CUBE-AI's activations")
    head = ["model", "arena", "I/O", "arena + I/O", "TFLM arena", "ratio", "<= 0.7x",
            "X-CUBE-AI", "ratio", "below", "TFLM figure"]
    lines = []
    for m in result["memory"]:
        lines.append([m["model"], f"{m['arena']:,}", f"{m['io']:,}", f"{m['arena_plus_io']:,}",
                      f"{m['tflm_arena']:,}" if m["tflm_arena"] else "-",
                      f"{m['ratio_to_tflm']:.2f}x" if m["ratio_to_tflm"] else "-",
                      _ok(m["pass_tflm"]),
                      f"{m['xcube_activations']:,}" if m["xcube_activations"] else "-",
                      f"{m['ratio_to_xcube']:.2f}x" if m["ratio_to_xcube"] else "-",
                      _ok(m["pass_xcube"]),
                      "README" if m["tflm_arena_source"].startswith("../") else "measured"])
    _table(head, lines, markdown)


def _table(head, lines, markdown):
    if markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for ln in lines:
            print("| " + " | ".join(ln) + " |")
        return
    widths = [max(len(str(x)) for x in col) for col in zip(head, *lines)]
    for ln in [head, *lines]:
        print("  ".join(str(x).rjust(w) if i > 1 else str(x).ljust(w)
                        for i, (x, w) in enumerate(zip(ln, widths))))


if __name__ == "__main__":
    raise SystemExit(main())
