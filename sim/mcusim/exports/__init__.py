"""Exports of a RunResult written by `mcusim run`: speedscope, Chrome/Perfetto trace, CSV, HTML.

One module per format, each with `render(result) -> str`; this module wires them to the command
line and owns the one-line error policy for files we cannot write.
"""
from __future__ import annotations

import importlib
import os
from pathlib import Path

from mcusim.errors import BadInput

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
}


def _writable(option: str):
    """argparse type: refuse an unwritable FILE before a possibly long run, in one line."""
    def check(text: str) -> Path:
        path = Path(text)
        parent = path.parent if str(path.parent) else Path(".")
        if path.is_dir():
            raise BadInput(f"{option} {text}: is a directory")
        if not parent.is_dir():
            raise BadInput(f"{option} {text}: no such directory {str(parent)!r}")
        if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
            raise BadInput(f"{option} {text}: permission denied")
        return path
    return check


def add_arguments(p) -> None:
    g = p.add_argument_group("exports")
    for name, (_, help_text) in FORMATS.items():
        g.add_argument(f"--{name}", metavar="FILE", type=_writable(f"--{name}"), help=help_text)


def render(name: str, result) -> str:
    return importlib.import_module(FORMATS[name][0]).render(result)


def write_text(path: Path, text: str, option: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as e:
        raise BadInput(f"{option} {path}: {e.strerror or e}") from None


def write_exports(args, result) -> None:
    for name in FORMATS:
        path = getattr(args, name, None)
        if path:
            write_text(path, render(name, result), f"--{name}")
