"""The `mcusim` pytest fixture, registered through the pytest11 entry point.

    def test_kws_fits(mcusim):
        r = mcusim.run("models/kws_ref_model.tflite", board="stm32f4")
        assert r.exit_code == 0
        r.check(max_cycles=5_000_000, max_arena_bytes=16 * 1024, layers={"CONV_2D": 4_000_000})

Relative targets resolve against the test file's folder first, then the current directory.
`check` uses the same comparison as `mcusim check` (mcusim.budgets). Loaded by every pytest run
in an environment with mcusim installed, so importing this module must stay cheap.
"""
from __future__ import annotations

from pathlib import Path

import pytest


class McusimRun:
    """A RunResult (every attribute passes through) plus `check(...)`."""

    def __init__(self, result, target: str = ""):
        self.result = result
        self._target = target

    def __getattr__(self, name):
        if name == "result":        # not set yet (copy/pickle): do not recurse
            raise AttributeError(name)
        return getattr(self.result, name)

    def __repr__(self) -> str:
        return (f"<McusimRun {self._target} on {self.result.board}: exit {self.result.exit_code}, "
                f"{self.result.cycles:,} cycles>")

    def check(self, *, tolerance: float = 0.0, layers: dict | None = None,
              functions: dict | None = None, **limits) -> list:
        """Assert every limit holds (max_cycles=..., max_arena_bytes=..., max_flash_bytes=...,
        max_ram_bytes=..., max_stack_bytes=..., max_energy_uj=...; layers={index|op|name: cycles},
        functions={name: inclusive cycles}). Returns the checks so a test can log headroom."""
        __tracebackhide__ = True
        from mcusim.budgets import evaluate, failure_message
        from mcusim.errors import BadInput
        try:
            checks = evaluate(self.result, limits, layers, functions, tolerance)
        except BadInput as e:   # a mistyped budget is the test's bug: say so in one line
            pytest.fail(f"mcusim check: {e}", pytrace=False)
        if any(c.exceeded for c in checks):
            raise AssertionError(failure_message(checks, self._target))
        return checks


class McusimFixture:
    def __init__(self, base: Path, board: str):
        self._base = base
        self.board = board

    def resolve(self, target) -> Path:
        p = Path(target)
        if not p.is_absolute() and (self._base / p).exists():
            return self._base / p
        return p

    def run(self, target, board: str | None = None, **options) -> McusimRun:
        """Run an ELF or .tflite model; options are RunOptions fields (max_cycles, stdin, ...)."""
        __tracebackhide__ = True
        from mcusim.api import run
        from mcusim.errors import McusimError
        try:
            result = run(self.resolve(target), board or self.board, **options)
        except McusimError as e:
            pytest.fail(f"mcusim run {target}: {e}", pytrace=False)
        return McusimRun(result, str(target))


def pytest_addoption(parser):
    group = parser.getgroup("mcusim")
    group.addoption("--mcusim-board", default=None,
                    help="default board of the mcusim fixture (default: stm32f4)")
    parser.addini("mcusim_board", "default board of the mcusim fixture", default="stm32f4")


@pytest.fixture
def mcusim(request) -> McusimFixture:
    """Run firmware or a model on a simulated board: mcusim.run(target, board=..., **options)."""
    board = request.config.getoption("--mcusim-board") or request.config.getini("mcusim_board")
    return McusimFixture(Path(request.path).parent, board)
