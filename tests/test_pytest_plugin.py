"""The `mcusim` fixture as a user's test suite sees it (pytester runs a suite in-process)."""
from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

# A conftest that swaps the simulator for the realistic fixtures and records what was run.
CONFTEST = """
import pytest

import mcusim.api
from _results import elf_result, kws_result

RUNS = []

def fake_run(target, board="stm32f4", options=None, **kw):
    RUNS.append((str(target), board, kw))
    if str(target).endswith("missing.elf"):
        from mcusim.errors import BadInput
        raise BadInput(f"{target}: no such file")
    return kws_result() if str(target).endswith(".tflite") else elf_result()

@pytest.fixture(autouse=True)
def _fake_simulator(monkeypatch):   # undone after each test: the outer session keeps the real one
    monkeypatch.setattr(mcusim.api, "run", fake_run)
"""


@pytest.fixture
def suite(pytester):
    pytester.syspathinsert(Path(__file__).parent)        # for _results
    pytester.makeconftest(CONFTEST)
    (pytester.path / "kws.tflite").write_bytes(b"")
    return pytester


def test_fixture_runs_and_checks(suite):
    suite.makepyfile(test_user="""
        import conftest

        def test_model(mcusim):
            r = mcusim.run("kws.tflite", board="stm32h743", max_cycles=10**9)
            assert r.exit_code == 0 and r.stdout.startswith("label: 3")
            assert r.cycles == 4_953_795 and r.instructions > 0 and r.energy_uj > 0
            assert len(r.layers) == 13 and r.functions[0].name == "arm_convolve_1x1_s8_fast"
            assert r.arena_peak == 16_000 and r.stack_peak == 1_392
            checks = r.check(max_cycles=5_000_000, max_arena_bytes=16 * 1024,
                             layers={"CONV_2D": 4_000_000, 0: 1_200_000},
                             functions={"arm_convolve_s8": 1_200_000})
            assert [c.exceeded for c in checks] == [False] * 5
            target, board, kw = conftest.RUNS[-1]
            assert target == str(conftest.__file__).rsplit("/", 1)[0] + "/kws.tflite"
            assert board == "stm32h743" and kw == {"max_cycles": 10**9}
    """)
    suite.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_exceeded_budget_message_shows_budget_and_measured(suite):
    suite.makepyfile(test_user="""
        def test_slow(mcusim):
            r = mcusim.run("app.elf")
            r.check(max_cycles=700_000, max_stack_bytes=4096, max_energy_uj=1000)
    """)
    result = suite.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*AssertionError: mcusim budget exceeded for app.elf: cycles: measured 744,870 vs "
        "budget 700,000 (6.4% over)"])
    assert "stack" not in result.stdout.str().split("AssertionError")[1].split("\n")[0]


def test_tolerance_and_layer_budget(suite):
    suite.makepyfile(test_user="""
        import pytest

        def test_tol(mcusim):
            r = mcusim.run("kws.tflite")
            r.check(max_cycles=4_900_000, tolerance=0.02)
            with pytest.raises(AssertionError, match=r"layer 9 AVERAGE_POOL_2D: measured 21,410 "
                                                     r"vs budget 20,000 \\(7.0% over\\)"):
                r.check(layers={"AVERAGE_POOL_2D": 20_000})
    """)
    suite.runpytest().assert_outcomes(passed=1)


def test_mistyped_budget_and_run_errors_are_one_line(suite):
    suite.makepyfile(test_user="""
        def test_typo(mcusim):
            mcusim.run("app.elf").check(max_cycle=1)

        def test_missing(mcusim):
            mcusim.run("missing.elf")
    """)
    result = suite.runpytest()
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines([
        "*mcusim check: unknown budget 'max_cycle' (did you mean 'max_cycles'?)",
        "*mcusim run missing.elf: missing.elf: no such file"])
    assert "def fake_run" not in result.stdout.str()      # no traceback into the plugin


def test_default_board_from_the_command_line(suite):
    suite.makepyfile(test_user="""
        import conftest

        def test_board(mcusim):
            mcusim.run("app.elf")
            assert conftest.RUNS[-1][1] == "rp2040"
    """)
    suite.runpytest("--mcusim-board", "rp2040").assert_outcomes(passed=1)


def test_real_elf_through_the_fixture(pytester, firmware):
    """No fakes: the installed plugin runs a real ELF on the simulator."""
    elf = firmware("hello.c")
    pytester.makepyfile(test_real=f"""
        def test_hello(mcusim):
            r = mcusim.run({str(elf)!r}, board="stm32f4")
            assert r.exit_code == 0 and r.stdout == "hello from mcusim\\n"
            assert r.cycles > 0 and r.instructions > 0 and r.stack_peak > 0
            r.check(max_cycles=r.cycles, max_stack_bytes=r.stack_peak)

        def test_too_slow(mcusim):
            mcusim.run({str(elf)!r}).check(max_cycles=10)
    """)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*AssertionError: mcusim budget exceeded for *hello*: cycles: "
                                 "measured * vs budget 10 (*% over)"])
