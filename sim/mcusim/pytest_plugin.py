"""The `mcusim` pytest fixture (registered through the pytest11 entry point).

Work in progress: the budget check lands with mcusim.budgets.
"""
from __future__ import annotations

import pytest


@pytest.fixture
def mcusim():
    from mcusim.api import run

    class _Runner:
        def run(self, target, board="stm32f4", **options):
            return run(target, board, **options)

    return _Runner()
