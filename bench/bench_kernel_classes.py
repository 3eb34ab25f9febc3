"""MACs per cycle per kernel class and core, before and after a range of kernel work.

    .venv/bin/python bench/bench_kernel_classes.py [--before REV] [--boards stm32l4r5,...]
                                                   [--markdown]

"After" is the working tree: each MLPerf Tiny model (VWW, KWS, IC, AD) compiled and run with
`mcusim run MODEL --board B --json`. "Before" is the same models compiled by the compiler and
firmware of commit REV (default 3f77f6a, where bench_mlperf.py and issue 9's work began; checked
out into a temporary git worktree) and the ELFs run on the working tree's simulator, so both
sides share one cost model and only the generated code differs. A layer's cycles are the
inclusive cycles of its `mcusim_layer_<i>_<op>` function; MACs come from the model. Layers are
grouped into kernel classes (first convolution, 1x1 pointwise, depthwise 3x3 by stride, IC's
convolutions, AD's fully connected) and each class's MACs/cycle is its MACs over its cycles.
Writes bench/results/kernel_classes.json.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from bench_mlperf import model_paths  # noqa: E402

BOARDS = {"stm32l4r5": "M4F", "stm32f746": "M7", "stm32u575": "M33", "stm32g0b1": "M0+"}
MODELS = ["VWW", "KWS", "IC", "AD"]
CLASSES = ["first convolution (VWW, KWS, IC)", "1x1 pointwise (VWW, KWS)",
           "depthwise 3x3, stride 1 (VWW, KWS)", "depthwise 3x3, stride 2 (VWW)",
           "3x3 and 1x1 convolutions (IC)", "fully connected (AD)"]


def kernel_class(model: str, layer: dict) -> str | None:
    op = layer["op"]
    if op == "CONV_2D":
        if layer["index"] == 0:
            return CLASSES[0]
        return CLASSES[4] if model == "IC" else CLASSES[1]
    if op == "DEPTHWISE_CONV_2D":
        same = layer["input_shapes"][0][1] == layer["output_shape"][1]
        return CLASSES[2] if same else CLASSES[3]
    if op == "FULLY_CONNECTED" and model == "AD":
        return CLASSES[5]
    return None


def mcusim(args: list[str], env: dict | None = None, cwd: Path | None = None) -> None:
    r = subprocess.run([sys.executable, "-m", "mcusim", *args], env=env, cwd=cwd,
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"bench_kernel_classes: mcusim {' '.join(args)} failed: "
                         f"{(r.stderr or r.stdout).strip().splitlines()[-1:]}")


def layer_cycles(run_json: Path) -> dict[int, tuple[str, int]]:
    """Layer index -> (op, inclusive cycles) from a run's functions."""
    out = {}
    for f in json.loads(run_json.read_text())["functions"]:
        m = re.fullmatch(r"mcusim_layer_(\d+)_(\w+)", f["name"])
        if m:
            out[int(m.group(1))] = (m.group(2), f["total_cycles"])
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", default="3f77f6a", help="commit whose compiler builds 'before'")
    ap.add_argument("--boards", default=",".join(BOARDS))
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()
    boards = a.boards.split(",")
    if unknown := [b for b in boards if b not in BOARDS]:
        raise SystemExit(f"bench_kernel_classes: unknown board(s) {unknown}; choose from "
                         f"{', '.join(BOARDS)}")
    paths = model_paths()
    tmp = Path(tempfile.mkdtemp(prefix="kernel-classes-"))
    old_tree = tmp / "before"
    rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", a.before],
                         capture_output=True, text=True)
    if rev.returncode != 0:
        raise SystemExit(f"bench_kernel_classes: no commit {a.before!r} in this clone")
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(old_tree),
                    a.before], check=True)
    old_env = dict(os.environ, PYTHONPATH=str(old_tree / "sim"),
                   MCUSIM_CACHE=str(tmp / "cache-before"))
    acc: dict = {b: {"before": {}, "after": {}} for b in boards}
    try:
        for b in boards:
            for m in MODELS:
                if m not in paths:
                    continue
                new_json, old_dir = tmp / f"{b}-{m}.json", tmp / f"{b}-{m}-before"
                mcusim(["run", str(paths[m]), "--board", b, "--json", str(new_json)])
                mcusim(["build", str(paths[m]), "--board", b, "-o", str(old_dir)],
                       env=old_env, cwd=old_tree)
                mcusim(["run", str(old_dir / "model.elf"), "--board", b, "--json",
                        str(old_dir / "run.json")])
                layers = json.loads(new_json.read_text())["layers"]
                old = layer_cycles(old_dir / "run.json")
                if len(old) != len(layers):
                    raise SystemExit(f"bench_kernel_classes: {m} on {b}: {len(old)} layers "
                                     f"before, {len(layers)} now; classes not comparable")
                for L in layers:
                    c = kernel_class(m, L)
                    if c is None:
                        continue
                    for side, cycles in (("before", old[L["index"]][1]), ("after", L["cycles"])):
                        macs, cyc = acc[b][side].get(c, (0, 0))
                        acc[b][side][c] = (macs + L["macs"], cyc + cycles)
                print(f"  {b:10} {m:4} done", file=sys.stderr)
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old_tree)])
    sep = " | " if a.markdown else "  "
    head = ["kernel class (layers of)"] + [f"{b} ({BOARDS[b]})" for b in boards]
    print(f"MACs/cycle, before ({rev.stdout.strip()}) -> after (working tree), one cost model")
    if a.markdown:
        print("| " + " | ".join(head) + " |\n|---|" + "---:|" * len(boards))
    else:
        print(sep.join(f"{h:36}" if i == 0 else f"{h:>20}" for i, h in enumerate(head)))
    table = {}
    for c in CLASSES:
        cells = []
        for b in boards:
            o, n = acc[b]["before"].get(c), acc[b]["after"].get(c)
            table.setdefault(c, {})[b] = {"before": o and o[0] / o[1], "after": n and n[0] / n[1]}
            cells.append(f"{o[0] / o[1]:.2f} -> {n[0] / n[1]:.2f}" if o and n else "-")
        if a.markdown:
            print(f"| {c} | " + " | ".join(cells) + " |")
        else:
            print(f"{c:36}" + "".join(f"  {x:>20}" for x in cells))
    out = HERE / "results" / "kernel_classes.json"
    out.write_text(json.dumps({"before": rev.stdout.strip(), "macs_per_cycle": table}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
