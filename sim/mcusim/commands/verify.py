"""mcusim verify MODEL.tflite --board B [-n N]: firmware output vs TFLM, bit for bit.

Exit status 0 only when every difference is 0, else errors.EXIT_MISMATCH."""
from __future__ import annotations

from mcusim.commands.values import seed
from mcusim.errors import BadInput
from mcusim.files import input_file


def add_arguments(p) -> None:
    p.add_argument("model", help="an int8 .tflite model")
    p.add_argument("--board", "-b", default="stm32f4",
                   help="board name (see `mcusim boards`) or path to a board TOML file")
    p.add_argument("-n", type=int, default=3, help="random inputs (plus all -128 and all 127)")
    p.add_argument("--seed", type=seed, default=0, help="seed of the first random input")
    p.add_argument("--kernels", choices=["auto", "portable", "optimized"], default="auto")

def main(args) -> int:
    from mcusim.api import RunOptions
    from mcusim.boards import load_board
    from mcusim.compiler.verify import verify
    path = input_file(args.model, expected="a .tflite model")
    if args.n < 0:
        raise BadInput(f"-n must be 0 or more, got {args.n}")
    board = load_board(args.board)
    report = verify(path, board, RunOptions(seed=args.seed, kernels=args.kernels), n=args.n,
                    say=lambda line: print(line, flush=True))
    return report.exit_code
