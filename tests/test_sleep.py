"""Sleep, simulated time and the stop controls for firmware that never exits (issue 7, item 3):
WFI and a branch to itself advance time to the next event without executing it, --until and
--max-time end such runs, and a core that nothing can wake is a hang with a one-line diagnosis."""
import json
import subprocess
import sys

import pytest

from mcusim.errors import BadInput, EXIT_FAULT, EXIT_LIMIT

BOARDS = ["stm32f4", "rp2040", "stm32u575"]     # M4F, M0+, M33


@pytest.mark.parametrize("board", BOARDS)
def test_max_time_sleeping_costs_no_host_time(firmware, run_elf, board):
    elf = firmware("idle.c", board, flags=("-DMODE=1",))
    r = run_elf(elf, board, max_time=2.0)
    assert r.stop.reason == "max_time" and r.exit_code == EXIT_LIMIT
    assert r.time_s == pytest.approx(2.0, rel=1e-3)
    # 2 s at the nominal clock asleep between 1 ms ticks: almost all of it asleep, and the
    # handler ran once per tick.
    assert r.sleep_s > 0.99 * r.time_s
    ticks = {e["name"]: e["count"] for e in r.exceptions}["SysTick"]
    assert 1995 <= ticks <= 2000
    # Executed cycles: a handler run per tick (entry + body + exit), not 2 s of instructions.
    assert r.cycles < 200 * ticks + 200_000
    assert r.host_seconds < 30


def test_spinning_main_is_fast_forwarded(firmware, run_elf):
    elf = firmware("idle.c", flags=("-DMODE=4",))
    r = run_elf(elf, max_time=1.0)
    assert r.stop.reason == "max_time"
    assert r.sleep_s == 0                        # spinning is executing, not sleeping
    assert r.time_s == pytest.approx(1.0, rel=1e-3)
    assert r.cycles == pytest.approx(r.time_s * r.clock_hz, rel=1e-3)
    assert {e["name"]: e["count"] for e in r.exceptions}["SysTick"] >= 995
    assert r.host_seconds < 30


def test_until_stops_with_status_0(firmware, run_elf):
    elf = firmware("idle.c", flags=("-DMODE=1",))
    r = run_elf(elf, until="ready")
    assert r.stop.reason == "until" and r.exit_code == 0
    assert r.stdout == "ready\n"


@pytest.mark.parametrize("mode,why", [(2, "WFI/WFE with no enabled interrupt"),
                                      (3, "a branch to itself with every interrupt masked")])
def test_hang_is_diagnosed(firmware, run_elf, mode, why):
    elf = firmware("idle.c", flags=(f"-DMODE={mode}",))
    r = run_elf(elf)
    assert r.stop.reason == "hang" and r.exit_code == EXIT_FAULT
    assert why in r.stop.message and "main" in r.stop.where


def test_cli_until_max_time_and_json(firmware, tmp_path):
    elf = firmware("idle.c", flags=("-DMODE=1",))
    out = tmp_path / "r.json"
    p = subprocess.run([sys.executable, "-m", "mcusim", "run", str(elf), "--max-time", "50ms",
                        "--json", str(out), "-q"], capture_output=True, text=True, timeout=120)
    assert p.returncode == EXIT_LIMIT, p.stderr
    assert "--max-time" in p.stderr and "Traceback" not in p.stderr
    d = json.loads(out.read_text())
    assert d["stop"]["reason"] == "max_time"
    assert d["time_s"] == pytest.approx(0.05, rel=1e-3)
    assert 0 < d["sleep_s"] < d["time_s"] and d["active_s"] == pytest.approx(
        d["time_s"] - d["sleep_s"])
    assert d["sleep_cycles"] > 0 and d["clock_changes"][-1]["hz"] == d["clock_hz"]
    p = subprocess.run([sys.executable, "-m", "mcusim", "run", str(elf), "--until", "ready",
                        "-q"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and p.stdout == "ready\n"


@pytest.mark.parametrize("args,msg", [
    (["--max-time", "soon"], "--max-time: expected a positive duration"),
    (["--max-time=-1s"], "--max-time: expected a positive duration"),
    (["--max-time", "0ms"], "--max-time: expected a positive duration"),
    (["--until", ""], "--until: expected the text"),
])
def test_cli_bad_stop_options(firmware, args, msg):
    elf = firmware("idle.c", flags=("-DMODE=1",))
    p = subprocess.run([sys.executable, "-m", "mcusim", "run", str(elf), *args],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and msg in p.stderr and "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


def test_api_refuses_bad_max_time(firmware, run_elf):
    with pytest.raises(BadInput, match="max_time must be a positive number"):
        run_elf(firmware("idle.c", flags=("-DMODE=1",)), max_time=0)
