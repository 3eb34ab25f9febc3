"""The Python API behind `mcusim run`, `mcusim check` and the pytest fixture.

run(target, board) runs an ELF, or builds (cached) and runs a .tflite model, and returns a
RunResult (mcusim.result). Everything a user can get wrong raises McusimError.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mcusim.errors import BadInput
from mcusim.result import RunResult


# A program that never exits is stopped here unless the caller lifts the limit (max_cycles=None,
# `--max-cycles none`): 10 G cycles is a minute of target time at 168 MHz and roughly one to two
# minutes of host time, so a hung firmware cannot hang a CI job, and the stop is deterministic.
DEFAULT_MAX_CYCLES = 10_000_000_000


@dataclass
class RunOptions:
    clock_hz: int | None = None          # override the board's clock
    # stop a runaway program (None: no limit); read when the options are made
    max_cycles: int | None = field(default_factory=lambda: DEFAULT_MAX_CYCLES)
    watch: list[str] = field(default_factory=list)   # symbols whose high-water mark to report
    stdin: bytes | None = None           # bytes the firmware reads through semihosting
    echo_stdout: bool = False            # stream firmware output to our stdout as it runs
    progress: bool = False               # show a progress line (terminal only)
    argv: list[str] = field(default_factory=list)   # SYS_GET_CMDLINE for the firmware
    # firmware that never exits: stop (status 0) once the console printed this text
    until: str | None = None
    max_time: float | None = None        # stop after this much simulated time (s), like max_cycles
    vcd_path: Path | None = None         # write pins and IRQ activity here (Value Change Dump)
    uart_timing: bool = False            # console UART bytes take their frame time at the baud
    # fault on every register no mcusim device models, even where the SVD describes it
    strict_peripherals: bool = False
    # serve the gdb remote protocol on localhost:gdb_port (0: a free port) and let gdb drive
    gdb_port: int | None = None
    # model runs
    input_path: Path | None = None       # .npy input (int8 or float); .wav for pipelines
    output_path: Path | None = None      # .npy output written after the run
    seed: int = 0                        # random input when input_path is None
    kernels: str = "auto"                # "portable" | "optimized" | "auto"
    build_dir: Path | None = None        # keep the generated project here (default: cache)
    # a float model (.tflite, .onnx, .keras): quantize it on these inputs first (cached;
    # docs/quantize.md)
    calibration: Path | None = None
    # pipelines (mcusim.frontend.pipeline): a decision every `every_s` seconds with the core
    # asleep between, `decisions` of them; battery = (mAh, volts) for the battery-life line
    every_s: float | None = None
    decisions: int | None = None
    battery: tuple[float, float] | None = None


def is_model(path: Path) -> bool:
    return path.suffix.lower() == ".tflite"


def run(target: str | Path, board: str = "stm32f4", options: RunOptions | None = None,
        **kwargs) -> RunResult:
    """Run an ELF or a .tflite model on `board` (a board name or a path to a TOML file)."""
    opts = options or RunOptions()
    for k, v in kwargs.items():
        if not hasattr(opts, k):
            raise BadInput(f"unknown run option {k!r}")
        setattr(opts, k, v)
    mc = opts.max_cycles
    if mc is not None and (isinstance(mc, bool) or not isinstance(mc, int) or mc <= 0):
        raise BadInput(f"max_cycles must be a positive whole number (or None for no limit), "
                       f"got {mc!r}")
    mt = opts.max_time
    if mt is not None and (isinstance(mt, bool) or not isinstance(mt, (int, float)) or
                           not mt > 0 or mt == float("inf")):
        raise BadInput(f"max_time must be a positive number of seconds, got {mt!r}")
    if opts.until is not None and (not isinstance(opts.until, str) or not opts.until):
        raise BadInput(f"until must be a non-empty text, got {opts.until!r}")
    gp = opts.gdb_port
    if gp is not None and (isinstance(gp, bool) or not isinstance(gp, int) or
                           not 0 <= gp <= 65535):
        raise BadInput(f"gdb_port must be a TCP port 1-65535 (or 0 for a free one), got {gp!r}")
    if isinstance(opts.seed, bool) or not isinstance(opts.seed, int) or opts.seed < 0:
        raise BadInput(f"seed must be a whole number, 0 or more, got {opts.seed!r}")
    from mcusim.files import input_file, output_file
    if opts.calibration is not None:
        from mcusim.quantize import cached_model
        target = cached_model(target, opts.calibration)[0]
    path = input_file(target, expected="an ELF, a .tflite model or a pipeline .toml")
    if opts.vcd_path is not None:
        output_file(opts.vcd_path, "vcd_path")     # refused before a long run, in one line
    from mcusim.frontend.pipeline import is_pipeline
    if is_pipeline(path):        # audio -> front end -> model (mcusim.frontend.pipeline)
        from mcusim.boards import load_board
        from mcusim.frontend.pipeline import run_pipeline
        return run_pipeline(path, load_board(board, clock_hz=opts.clock_hz), opts)
    pipe_only = [name for name, opt in (("--every", "every_s"), ("--decisions", "decisions"),
                                        ("--battery", "battery")) if getattr(opts, opt) is not None]
    if pipe_only:
        raise BadInput(f"{' and '.join(pipe_only)}: for pipelines (a pipeline .toml) only")
    if not is_model(path):
        given = [name for name, opt in (("--input", "input_path"), ("--output", "output_path"),
                                        ("--build-dir", "build_dir"))
                 if getattr(opts, opt) is not None]
        if given:
            raise BadInput(f"{' and '.join(given)}: for .tflite models only; {path} is run as "
                           f"an ELF")
    from mcusim.boards import load_board
    brd = load_board(board, clock_hz=opts.clock_hz)
    if is_model(path):
        if opts.input_path is not None:
            input_file(opts.input_path, "--input", "a .npy or .npz file")
        from mcusim.compiler.runmodel import run_model
        result = run_model(path, brd, opts)
    else:
        from mcusim.sim.runner import run_elf
        result = run_elf(path, brd, opts)
    if opts.vcd_path is not None:
        from mcusim.exports import vcd
        vcd.write(result, opts.vcd_path, "vcd_path")
    return result
