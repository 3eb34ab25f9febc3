"""Exports of a RunResult: speedscope, Chrome/Perfetto trace, CSV, HTML (owned by issue 4)."""
from __future__ import annotations


def add_arguments(p) -> None:
    pass


def write_exports(args, result) -> None:
    pass
