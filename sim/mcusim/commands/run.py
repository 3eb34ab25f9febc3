"""mcusim run TARGET --board B: run an ELF or a .tflite model and report what it cost."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import mcusim.api
from mcusim.api import DEFAULT_MAX_CYCLES, RunOptions
from mcusim import files
from mcusim.commands import values
from mcusim.errors import BadInput


def add_arguments(p) -> None:
    p.add_argument("target", help="an ELF file, a .tflite model (built and cached), or an audio "
                                  "pipeline .toml (docs/frontend.md)")
    p.add_argument("--board", "-b", default="stm32f4",
                   help="board name (see `mcusim boards`) or path to a board TOML file")
    p.add_argument("--clock", help="override the board clock, e.g. 80MHz")
    p.add_argument("--max-cycles", metavar="N",
                   help=f"stop the program after N cycles (default {DEFAULT_MAX_CYCLES:,}, "
                        f"so a firmware that never exits cannot hang a CI job; 'none' lifts "
                        f"the limit; Ctrl-C stops a run at any time)")
    p.add_argument("--until", metavar="TEXT",
                   help="stop with status 0 once the firmware's console has printed TEXT")
    p.add_argument("--max-time", metavar="TIME",
                   help="stop after this much simulated time, e.g. 500ms or 2s (exit status "
                        "as for --max-cycles)")
    p.add_argument("--watch", action="append", default=[], metavar="SYMBOL",
                   help="report the high-water mark of this buffer (repeatable); "
                        "symbols containing 'arena' are watched by default")
    p.add_argument("--stdin", metavar="FILE", help="file the firmware reads as its stdin")
    p.add_argument("--uart-timing", action="store_true",
                   help="console UART bytes take their frame time at the configured baud rate "
                        "(TXE/TC, UARTFR, TXDRDY follow); default: sent instantly")
    p.add_argument("--strict-peripherals", action="store_true",
                   help="fault on any register no mcusim device models, even one the board's "
                        "SVD register file describes")
    p.add_argument("--gdb", metavar="PORT",
                   help="wait for gdb-multiarch on localhost:PORT (0: any free port) and let "
                        "it drive the run: breakpoints, watchpoints, steps, registers, memory")
    p.add_argument("--json", metavar="FILE", type=files.argparse_output("--json"),
                   help="write every figure as JSON (docs/json-schema.md)")
    p.add_argument("--calibration", metavar="DATA",
                   help="TARGET is a float model (.tflite; .onnx/.keras with their extras): "
                        "quantize it to int8 on these inputs first (cached; docs/quantize.md)")
    p.add_argument("--input", metavar="X.npy", help="model input (int8 or float .npy); a mono "
                                                    "16-bit .wav for a pipeline")
    p.add_argument("--output", metavar="Y.npy", type=files.argparse_output("--output"),
                   help="save the model output as .npy")
    p.add_argument("--seed", type=values.seed, default=0, help="seed of the random input (models)")
    p.add_argument("--kernels", choices=["auto", "portable", "optimized"], default=None,
                   help="kernel variant for models (default: the fastest for the core)")
    p.add_argument("--build-dir", metavar="DIR", help="keep the generated model project here")
    p.add_argument("--every", metavar="TIME",
                   help="pipelines: one decision every TIME (e.g. 1s) on a SysTick timer, the "
                        "core asleep (WFI) between; reports average power")
    p.add_argument("--decisions", type=values.count, metavar="N",
                   help="pipelines with --every: decisions to simulate (default 3)")
    p.add_argument("--battery", metavar="CAP@V",
                   help="pipelines with --every: battery life on this battery, e.g. 220mAh@3V")
    p.add_argument("--quiet", "-q", action="store_true", help="no report, only firmware output")
    p.add_argument("--top", type=values.count, default=12, help="functions shown in the report")
    from mcusim.exports import add_arguments as add_export_arguments
    add_export_arguments(p)


def options_from_args(args) -> RunOptions:
    from mcusim.frontend.pipeline import is_pipeline
    if args.kernels is not None and not (mcusim.api.is_model(Path(args.target)) or
                                         is_pipeline(Path(args.target))):
        raise BadInput(f"--kernels: for .tflite models only; {args.target} is run as an ELF")
    stdin = None
    if args.stdin is not None:
        stdin = files.read_bytes(args.stdin, "--stdin")
    if args.input is not None:
        files.input_file(args.input, "--input", "a .npy or .npz file")
    return RunOptions(
        clock_hz=values.clock(args.clock) if args.clock is not None else None,
        max_cycles=values.max_cycles(args.max_cycles) if args.max_cycles is not None
        else mcusim.api.DEFAULT_MAX_CYCLES,
        watch=list(args.watch),
        until=values.until(args.until),
        max_time=values.duration(args.max_time) if args.max_time is not None else None,
        strict_peripherals=bool(getattr(args, "strict_peripherals", False)),
        gdb_port=values.gdb_port(getattr(args, "gdb", None)),
        uart_timing=bool(getattr(args, "uart_timing", False)),
        stdin=stdin,
        echo_stdout=True,
        progress=sys.stdout.isatty() and not args.quiet and getattr(args, "gdb", None) is None,
        input_path=Path(args.input) if args.input is not None else None,
        output_path=Path(args.output) if args.output is not None else None,
        seed=args.seed,
        kernels=args.kernels or "auto",
        build_dir=Path(args.build_dir) if args.build_dir else None,
        every_s=values.duration(args.every, "--every") if getattr(args, "every", None) else None,
        decisions=getattr(args, "decisions", None),
        battery=values.battery(args.battery) if getattr(args, "battery", None) else None,
    )


def main(args) -> int:
    if args.calibration is None and Path(args.target).suffix.lower() in (
            ".onnx", ".keras", ".h5", ".hdf5"):
        raise BadInput(f"{args.target}: a float model; quantize it first: mcusim run "
                       f"{args.target} --calibration DATA (or mcusim quantize)")
    if args.calibration is not None:
        from mcusim.quantize import cached_model
        path, hit = cached_model(args.target, args.calibration)
        if not args.quiet:
            print(f"quantized {args.target} -> {path}{' (cached)' if hit else ''}", flush=True)
        args.target = str(path)
    result = mcusim.api.run(args.target, args.board, options_from_args(args))
    # The report first: a file that still cannot be written (the paths were checked before the
    # run) must not cost the user the report of a long run.
    if not args.quiet:
        from mcusim.report.terminal import print_report
        from mcusim.sim.runner import stdout_meets_stderr
        if result.stdout and not result.stdout.endswith("\n") and not stdout_meets_stderr():
            print()     # the report starts on a line of its own (else the runner ended it)
        print_report(result, top=args.top)
    if args.json:
        files.write_text(args.json, json.dumps(result.to_json(), indent=2) + "\n", "--json")
    from mcusim.exports import write_exports
    write_exports(args, result)
    return result.exit_code
