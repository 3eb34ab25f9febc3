"""mcusim train MODEL --board B --data train.npz --eval eval.npz: on-device learning of the
model's last FULLY_CONNECTED layer (sim/mcusim/train)."""
from __future__ import annotations

import json
import math
from pathlib import Path

from mcusim import files
from mcusim.errors import BadInput


def _positive(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        v = math.nan
    if not (math.isfinite(v) and v > 0):
        raise BadInput(f"--lr: expected a positive number, got {text!r}")
    return v


def add_arguments(p) -> None:
    p.add_argument("model", help="an int8 .tflite model whose last layer (before SOFTMAX) is "
                                 "FULLY_CONNECTED")
    p.add_argument("--board", "-b", default="stm32f4")
    p.add_argument("--data", required=True, metavar="TRAIN.npz",
                   help="training samples: x (model inputs, int8 or float), y (labels)")
    p.add_argument("--eval", required=True, metavar="EVAL.npz", help="held-back samples, same form")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--lr", default="0.05", help="SGD learning rate (default 0.05)")
    p.add_argument("--arithmetic", default=None, metavar="float|fixed",
                   help="float32 SGD or fixed point (docs/training.md); default fixed point on "
                        "cores without an FPU (M0+), float32 on the others")
    p.add_argument("--json", metavar="FILE", type=files.argparse_output("--json"))


def main(args) -> int:
    from mcusim.boards import load_board
    from mcusim.train.run import train
    r = train(Path(args.model), load_board(args.board), Path(args.data), Path(args.eval),
              epochs=args.epochs, lr=_positive(args.lr), arithmetic=args.arithmetic)
    m = r["train_memory"]
    print(f"mcusim train {Path(r['model']).name} on {r['board']} ({r['core']} @ "
          f"{r['clock_hz'] / 1e6:g} MHz): layer {r['head_layer']} {r['head_shape'][0]}x"
          f"{r['head_shape'][1]}, {r['samples']} samples x {r['epochs']} epochs, lr {r['lr']:g}, "
          f"{'fixed point ' + r['fixed_format']['weights'] if r['fixed_format'] else 'float32'}")
    print(f"accuracy on {r['eval_samples']} held-back samples: {r['accuracy_before']:.3f} -> "
          f"{r['accuracy_after']:.3f}")
    print(f"per training step: {r['step_cycles']:,} cycles ({1e3 * r['step_s']:.3f} ms, "
          f"~{r['step_energy_uj']:.1f} uJ) + backbone {r['backbone_cycles']:,} cycles")
    print(f"training memory: {r['train_memory_bytes']:,} B (weights {m['weights']:,}, "
          f"gradients {m['gradients']:,}, activations {m['activations']:,}) + arena "
          f"{r['arena_bytes']:,} B")
    print(f"weights identical to the host reference: {'yes' if r['reference_identical'] else 'NO'}")
    if args.json:
        files.write_text(args.json, json.dumps(r, indent=2) + "\n", "--json")
    return 0 if r["reference_identical"] else 1
