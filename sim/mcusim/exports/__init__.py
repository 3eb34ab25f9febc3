"""Exports of a RunResult written by `mcusim run`: speedscope, Chrome/Perfetto trace, CSV, HTML,
VCD waveform.

One module per format, each with `render(result) -> str`; this module wires them to the command
line and owns the one-line error policy for files we cannot write.
"""
from __future__ import annotations

import importlib
from pathlib import Path

from mcusim import files

# option -> (module, help)
FORMATS = {
    "speedscope": ("mcusim.exports.speedscope",
                   "write the call stacks as a speedscope profile (weights = cycles)"),
    "trace": ("mcusim.exports.trace",
              "write layers and functions as Chrome/Perfetto trace slices (simulated µs)"),
    "csv": ("mcusim.exports.csvfile",
            "write per-layer (models) or per-function (ELF) figures as CSV"),
    "html": ("mcusim.exports.html",
             "write a self-contained HTML report (no network): layers, arena plan, memory"),
    "vcd": ("mcusim.exports.vcd",
            "write the GPIO pins that changed and IRQ activity as a Value Change Dump "
            "(GTKWave, Surfer)"),
}


def add_arguments(p) -> None:
    g = p.add_argument_group("exports")
    for name, (_, help_text) in FORMATS.items():
        g.add_argument(f"--{name}", metavar="FILE", type=files.argparse_output(f"--{name}"),
                       help=help_text)


def render(name: str, result) -> str:
    return importlib.import_module(FORMATS[name][0]).render(result)


def write_text(path: Path, text: str, option: str) -> None:
    files.write_text(path, text, option)


def write_exports(args, result) -> None:
    for name in FORMATS:
        path = getattr(args, name, None)
        if path:
            write_text(path, render(name, result), f"--{name}")
