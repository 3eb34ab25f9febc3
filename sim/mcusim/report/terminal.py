"""Rich terminal report of a RunResult (placeholder until the full report lands)."""
from __future__ import annotations


def print_report(result, top: int = 12) -> None:
    print(f"{result.board} {result.core} cycles={result.cycles} instructions={result.instructions}")
