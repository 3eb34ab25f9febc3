"""mcusim build MODEL.tflite --board B [-o DIR]: compile an int8 model into a C project + ELF."""
from __future__ import annotations

from pathlib import Path

from mcusim.files import input_file


def add_arguments(p) -> None:
    p.add_argument("model", help="an int8 .tflite model")
    p.add_argument("--board", "-b", default="stm32f4",
                   help="board name (see `mcusim boards`) or path to a board TOML file")
    p.add_argument("-o", "--output", metavar="DIR",
                   help="write the generated project here (default: the build cache)")
    p.add_argument("--kernels", choices=["auto", "portable", "optimized"], default="auto",
                   help="kernel variant (default: the fastest for the core)")


def main(args) -> int:
    from mcusim.boards import load_board
    from mcusim.compiler.build import compile_model
    path = input_file(args.model, expected="a .tflite model")
    board = load_board(args.board)
    built = compile_model(path, board, args.kernels, Path(args.output) if args.output else None)
    macs = sum(L["macs"] for L in built.layers)
    print(f"{built.model} -> {built.elf}{' (cached)' if built.cached else ''}")
    print(f"  board {board.name} ({board.core}), {len(built.layers)} layers, {macs:,} MACs")
    print(f"  arena {built.arena:,} B planned (+ {built.input_bytes + built.output_bytes:,} B "
          f"input/output buffers), weights {built.weights:,} B")
    if built.tflm_arena:        # TFLM's arena holds the model's I/O: compare arena + I/O with it
        mine = built.arena + built.input_bytes + built.output_bytes
        print(f"  TFLM's arena for the same model (its I/O included): {built.tflm_arena:,} B; "
              f"arena + I/O {mine:,} B = {mine / built.tflm_arena:.2f}x")
    for line in built.log:
        print(f"  optimized: {line}")
    return 0
