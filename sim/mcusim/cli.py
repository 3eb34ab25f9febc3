"""The `mcusim` command: argument parsing and the one-line error policy.

Each subcommand lives in mcusim.commands.<name> and exposes add_arguments(parser) and
main(args) -> int. Errors a user can cause are McusimError: printed as one line, non-zero exit.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys

from mcusim import __version__
from mcusim.errors import EXIT_INTERRUPTED, EXIT_PIPE, McusimError

COMMANDS = {
    "run": "run an ELF or a .tflite model on a simulated board and report its cost",
    "boards": "list the boards mcusim knows",
    "build": "compile an int8 .tflite model into C firmware and an ELF",
    "verify": "check a model's firmware output against TFLM, bit for bit",
    "check": "run the cycle/memory budgets in a TOML file (exit 1 when one is exceeded)",
    "quantize": "post-training quantization of a float model to int8, with an accuracy report",
    "sweep": "run models x boards x options in parallel (processes or Ray); rank, filter, plot",
    "train": "train a model's last fully connected layer on the simulated MCU (on-device learning)",
}


class UsageError(McusimError):
    """A command line argparse refuses: one line, with a pointer to --help, instead of usage."""


class _Parser(argparse.ArgumentParser):
    """argparse's usage errors (unknown option, bad int, missing argument) become one line."""

    def error(self, message: str):
        if "required: COMMAND" in message:
            message = f"no command given; choose one of {', '.join(COMMANDS)}"
        sub = self.prog.partition(" ")[2]          # "run" for "mcusim run", "" at the top
        raise UsageError(f"{sub + ': ' if sub else ''}{message} (see {self.prog} --help)")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="mcusim",
        description="Run Cortex-M firmware and int8 TFLite models on simulated boards; "
                    "report cycles, time, energy and memory.")
    p.add_argument("--version", action="version", version=f"mcusim {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name, help_text in COMMANDS.items():
        mod = importlib.import_module(f"mcusim.commands.{name}")
        sp = sub.add_parser(name, help=help_text, description=help_text)
        mod.add_arguments(sp)
        sp.set_defaults(_module=mod)
    return p


def _broken_pipe(console) -> None:
    """rich's Console.on_broken_pipe exits with status 1 by itself; raise instead, so that every
    broken pipe (firmware output or report) ends the same way, in main()."""
    console.quiet = True
    raise BrokenPipeError


def main(argv: list[str] | None = None) -> int:
    import rich.console
    rich.console.Console.on_broken_pipe = _broken_pipe
    try:
        args = _parser().parse_args(argv)
        return int(args._module.main(args) or 0)
    except McusimError as e:
        _flush_quietly()
        print(f"mcusim: error: {_one_line(str(e))}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        _flush_quietly()
        print("mcusim: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`mcusim run ... | head`): stop quietly, no traceback, and keep
        # Python's exit-time flush of stdout from failing again.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return EXIT_PIPE
    except Exception as e:  # noqa: BLE001 - the policy is one line, never a traceback
        if os.environ.get("MCUSIM_DEBUG"):
            raise
        print(f"mcusim: internal error: {type(e).__name__}: {_one_line(str(e))} "
              f"(set MCUSIM_DEBUG=1 for details)", file=sys.stderr)
        return 3


def _one_line(text: str) -> str:
    """A file name (or a tool's message) may hold a newline: the error stays one line."""
    return text.replace("\r", "\\r").replace("\n", "\\n")


def _flush_quietly() -> None:
    try:
        sys.stdout.flush()
    except Exception:  # noqa: BLE001
        pass


if __name__ == "__main__":
    raise SystemExit(main())
