"""Hardware-aware width search (docs/sweep.md): the widest DS-CNN that meets a latency budget on
each board, from one mcusim.sweep call.

    .venv/bin/python examples/width_search.py [--budget-ms 100] [--boards nrf52840 rp2040]
                                              [--widths 16 24 32 48 64 80 96] [--jobs 2]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import mcusim

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ds_cnn_widths import write  # noqa: E402


def search(widths, boards, budget_ms: float, out_dir: Path, jobs=None) -> dict:
    """-> {board: the passing row of the widest model, or None}, and every row."""
    models = [str(p) for p in write(out_dir, widths)]
    rows = mcusim.sweep(models, boards, jobs=jobs, objective="max macs",
                        requirements=[f"latency_ms <= {budget_ms}"])
    best = {}
    for board in boards:
        ok = [r for r in rows if r["board"] == board and r["meets"]]
        best[board] = ok[0] if ok else None          # rows come best first: most MACs
    return {"best": best, "rows": rows}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budget-ms", type=float, default=100.0)
    ap.add_argument("--boards", nargs="+", default=["nrf52840", "rp2040"])
    ap.add_argument("--widths", nargs="+", type=int, default=[16, 24, 32, 48, 64, 80, 96])
    ap.add_argument("--jobs", type=int, default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        found = search(args.widths, args.boards, args.budget_ms, Path(tmp), args.jobs)
    print(f"{'board':10} {'width':>5} {'MACs':>10} {'latency':>10} {'energy':>9} "
          f"{'arena':>8} {'flash':>8}")
    for r in sorted(found["rows"], key=lambda r: (r["board"], r["model"])):
        f = r["figures"]
        width = int(Path(r["model"]).stem.rsplit("_w", 1)[1])
        if not r["result"]:
            print(f"{r['board']:10} {width:5d} {r['status']}: {r['error']}")
            continue
        mark = " <- widest within budget" if found["best"][r["board"]] is r else \
            "" if r["meets"] else " (over budget)"
        print(f"{r['board']:10} {width:5d} {f['macs']:10,d} {f['latency_ms']:8.2f} ms "
              f"{f['energy_uj'] / 1000:6.3f} mJ {f['arena_bytes']:8,d} {f['flash_bytes']:8,d}"
              f"{mark}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
