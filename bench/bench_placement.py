"""How much a model's cycle count depends on where the linker places its code.

    .venv/bin/python bench/bench_placement.py [--model M.tflite] [--boards stm32l4r5,...]
                                              [--pads 0,64,256,512,768]

Builds the model's firmware once per pad with a never-executed pad object of PAD bytes linked
before everything else (so all code and flash data move by PAD), runs it, and prints each run's
cycles and the classes that changed against PAD = 0. Pads that are multiples of 64 keep every
cache-line and fetch-word alignment, so what remains is what the model ties to addresses: block
splits at 1 KB pages (carried over since docs/cost-model.md "Block boundaries"), the set a line
maps to in the flash caches, and the M7's per-branch predictor state. Each pad builds into its
own cache directory under $MCUSIM_CACHE. Writes bench/results/placement.json.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODEL = HERE.parent / "models" / "kws_ref_model.tflite"


def run_padded(model: Path, board: str, pad: int, cache_root: Path) -> dict:
    import mcusim.compiler.build as build
    from mcusim import api
    src = Path(tempfile.mkdtemp()) / "mcusim_pad.S"
    src.write_text('.section .text,"ax",%progbits\n.balign 4\n.global mcusim_pad\n'
                   f"mcusim_pad:\n.space {pad}\n" if pad else "\n")
    orig = build.compile_args

    def padded(b, dsp):                      # the pad object first: it is linked first
        args = list(orig(b, dsp=dsp))
        first = next(i for i, a in enumerate(args) if str(a).endswith((".c", ".S")))
        return args[:first] + ["-Wl,-u,mcusim_pad", str(src)] + args[first:]
    build.compile_args = padded
    os.environ["MCUSIM_CACHE"] = str(cache_root / f"pad{pad}")
    try:
        r = api.run(str(model), board, api.RunOptions(echo_stdout=False))
    finally:
        build.compile_args = orig
    return {"pad": pad, "cycles": r.cycles, "instructions": r.instructions,
            "breakdown": dict(r.cycle_breakdown)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=MODEL)
    ap.add_argument("--boards", default="stm32l4r5,stm32f746,stm32u575")
    ap.add_argument("--pads", default="0,64,256,512,768")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "placement.json")
    args = ap.parse_args(argv)
    pads = [int(p) for p in args.pads.split(",")]
    if any(p % 64 for p in pads):
        print("pads must be multiples of 64 (cache-line and fetch alignment unchanged)",
              file=sys.stderr)
        return 2
    root = Path(os.environ.get("MCUSIM_CACHE") or Path.home() / ".cache" / "mcusim") / "placement"
    out = {"model": args.model.name, "pads": pads, "boards": {}}
    for board in args.boards.split(","):
        runs = [run_padded(args.model, board, p, root) for p in pads]
        base = runs[0]
        print(f"{board}: {args.model.name}, code shifted by {', '.join(map(str, pads))} bytes")
        for r in runs:
            diff = {k: r["breakdown"].get(k, 0) - base["breakdown"].get(k, 0)
                    for k in sorted(set(r["breakdown"]) | set(base["breakdown"]))}
            diff = {k: v for k, v in diff.items() if v}
            print(f"  pad {r['pad']:4d}: {r['cycles']:>12,} cycles  {r['instructions']:>11,} "
                  f"instructions  {r['cycles'] - base['cycles']:+,}  {diff or ''}")
        cyc = [r["cycles"] for r in runs]
        print(f"  spread {max(cyc) - min(cyc):,} cycles ({(max(cyc) - min(cyc)) / min(cyc):.3%})")
        out["boards"][board] = runs
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
