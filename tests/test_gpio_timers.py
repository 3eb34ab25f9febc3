"""GPIO with the --vcd waveform, counting timers with interrupts, console UART timing.

Programs: firmware/tests/gpio_blink.c, timer_irq.c, uart_timing.c (register addresses in
firmware/tests/gpio_timer_regs.h). The VCD files are read back with vcdvcd, a maintained VCD
parser (the `test` extra), so the format is checked by someone else's reader.
"""
from __future__ import annotations

import re

import pytest

from mcusim.boards import load_board
from mcusim.cli import main
from mcusim.errors import BadInput, EXIT_USAGE
from mcusim.sim.timers import TickConverter

vcdvcd = pytest.importorskip("vcdvcd")


def _edges(path, name: str) -> list[tuple[float, str]]:
    """(time in seconds, level) of every change of the signal called `name` (any scope)."""
    vcd = vcdvcd.VCDVCD(str(path))
    assert float(vcd.timescale["timescale"]) == 1e-12, vcd.timescale
    refs = [r for r in vcd.references_to_ids if r.split(".")[-1] == name]
    assert refs, f"{name} not in {list(vcd.references_to_ids)}"
    return [(t * 1e-12, v) for t, v in vcd[refs[0]].tv]


# --- GPIO and the waveform -------------------------------------------------------------------

# board -> (pin, seconds between toggles as gpio_blink.c programs them, given the core clock)
BLINK = {
    # TIM2 PSC 0, ARR 999 on the APB1 timer clock: 2 x PCLK1 when the APB1 prescaler is not 1
    # (RM0090 7.2); mcusim's F4 start-up runs APB1 at HCLK/4 (42 MHz limit), so TIM2 at HCLK/2
    "stm32f4": ("PA5", lambda hz: 1000 / (hz / 2)),
    "stm32u575": ("PA5", lambda hz: 1000 / hz),        # U5 start-up: APB1 /1, the core clock
    "nrf52840": ("P0_13", lambda hz: 1000 / 16e6),     # TIMER0 at 16 MHz, CC0 1000, CLEAR
    "rp2040": ("GPIO25", lambda hz: 50e-6),            # alarm re-armed 50 us ahead
}


@pytest.mark.parametrize("board", sorted(BLINK))
def test_blink_waveform_edges_one_period_apart(firmware, run_elf, tmp_path, board):
    vcd = tmp_path / "blink.vcd"
    r = run_elf(firmware("gpio_blink.c", board), board, vcd_path=vcd)
    assert r.exit_code == 0 and r.stdout == "blinked 8 edges\n"
    pin, period = BLINK[board]
    edges = _edges(vcd, pin)
    toggles = edges[-8:]                        # before them: reset level, output enabled
    levels = [v for _, v in toggles]
    assert all(a != b for a, b in zip(levels, levels[1:])) and set(levels) == {"0", "1"}
    p = period(r.clock_hz)
    slack = 16 / r.clock_hz                     # the polling loop's phase: a few instructions
    t0 = toggles[0][0]
    for k, (t, _) in enumerate(toggles):
        assert abs((t - t0) - k * p) <= slack, (k, t - t0, k * p)
    # the pin's scope and name as a viewer shows them; no IRQ was active
    text = vcd.read_text()
    assert "$scope module gpio $end" in text and "$scope module irq $end" not in text
    assert r.to_json().get("waveform") is None          # large: --vcd only


def test_vcd_is_deterministic(firmware, run_elf, tmp_path):
    elf = firmware("gpio_blink.c", "stm32f4")
    run_elf(elf, vcd_path=tmp_path / "a.vcd")
    run_elf(elf, vcd_path=tmp_path / "b.vcd")
    a, b = (tmp_path / "a.vcd").read_text(), (tmp_path / "b.vcd").read_text()
    assert a == b and "$date" not in a


def test_cli_vcd_after_the_report(firmware, tmp_path, capsys):
    out = tmp_path / "w.vcd"
    assert main(["run", str(firmware("gpio_blink.c", "stm32f4")), "--vcd", str(out)]) == 0
    assert "blinked 8 edges" in capsys.readouterr().out
    assert len(_edges(out, "PA5")) >= 8


@pytest.mark.parametrize("where, contains", [("nodir/x.vcd", "no such directory"),
                                             (".", "is a directory")])
def test_vcd_bad_path_is_one_line(capsys, tmp_path, where, contains):
    target = tmp_path / "never-read.elf"       # refused before the target is looked at
    code = main(["run", str(target), "--vcd", str(tmp_path / where)])
    _, err = capsys.readouterr()
    assert code == EXIT_USAGE and "Traceback" not in err
    assert err.count("\n") == 1 and err.startswith("mcusim: error: --vcd ") and contains in err


def test_vcd_path_option_refused_before_the_run(firmware, run_elf, tmp_path):
    with pytest.raises(BadInput, match="vcd_path .*no such directory"):
        run_elf(firmware("gpio_blink.c", "stm32f4"), vcd_path=tmp_path / "no" / "x.vcd")


# --- timer interrupts ------------------------------------------------------------------------

# board -> the distance between ticks timer_irq.c prints (cycles; microseconds on the RP2040)
# (STM32: 2000 timer clocks; the F4's TIM2 counts at half the core clock, as above)
TIMER_PERIOD = {"stm32f4": 4000, "stm32u575": 2000, "nrf52840": 6400, "rp2040": 100}
TIMER_IRQ = {"stm32f4": "IRQ28_TIM2", "stm32u575": "IRQ45_TIM2", "nrf52840": "IRQ8_TIMER0",
             "rp2040": "IRQ0_TIMER_ALARM0"}


@pytest.mark.parametrize("board", sorted(TIMER_PERIOD))
def test_timer_interrupt_counted_while_main_sleeps(firmware, run_elf, tmp_path, board):
    vcd = tmp_path / "irq.vcd"
    r = run_elf(firmware("timer_irq.c", board), board, vcd_path=vcd)
    assert r.exit_code == 0, r.stop.message
    p = TIMER_PERIOD[board]
    assert r.stdout == f"ticks 8 period {p} {p}\n"
    assert r.sleep_cycles > 0                    # main waited in WFI between the ticks
    edges = _edges(vcd, TIMER_IRQ[board])
    assert [v for _, v in edges][:3] == ["0", "1", "0"]
    assert sum(1 for _, v in edges if v == "1") == 8      # one handler run per tick


# --- console UART timing ---------------------------------------------------------------------

@pytest.mark.parametrize("board", ["stm32f4", "nrf52840", "rp2040"])
@pytest.mark.parametrize("timed", [False, True])
def test_uart_bytes_take_ten_bit_times_when_asked(firmware, run_elf, board, timed):
    clock = load_board(board).clock_hz            # the divider is computed for this clock
    r = run_elf(firmware("uart_timing.c", board), board, clock_hz=clock, uart_timing=timed)
    assert r.exit_code == 0
    assert r.stdout.startswith("U" * 31 + "\nuart 32 bytes ")
    cycles = int(re.search(r"bytes (\d+) cycles", r.stdout).group(1))
    frame = 10 * clock / 115200                   # 8N1 at 115200 baud, in core cycles
    if timed:
        assert abs(cycles - 32 * frame) < frame, (cycles, 32 * frame)
    else:
        assert cycles < frame, cycles             # instantaneous, as without the option


def test_uart_timing_deterministic(firmware, run_elf):
    elf = firmware("uart_timing.c", "stm32f4")
    clock = load_board("stm32f4").clock_hz
    a, b = (run_elf(elf, clock_hz=clock, uart_timing=True) for _ in range(2))
    assert a.stdout == b.stdout and a.cycles == b.cycles


# --- the pieces ------------------------------------------------------------------------------

def test_tick_converter_is_exact_across_rebases():
    """A 1 MHz count from a 133 MHz core: re-anchoring at odd ticks loses nothing."""
    c = TickConverter(0, 133_000_000, 1_000_000)
    total, t = 0, 0
    for step in (7, 1000, 133, 1, 99_999, 12_345):
        t += step
        total += c.rebase(t)
        assert total == t * 1_000_000 // 133_000_000
    at = c.tick_of(5)                 # the first tick at which 5 more counts have passed
    assert c.count(at) == 5 and c.count(at - 1) == 4
    assert (total + 5) * 133 <= at < (total + 5) * 133 + 133


def _board(tmp_path, extra: str):
    text = (load_board("stm32f4").path.read_text()) + "\n" + extra
    p = tmp_path / "b.toml"
    p.write_text(text)
    return p


@pytest.mark.parametrize("extra, contains", [
    ('[[timer]]\nname = "TIM9"\nkind = "stm32"\nbase = 0x4001_4000\nirq = 24\nbits = 12\n',
     "timer[6].bits' must be 16 or 32"),
    ('[[timer]]\nname = "TIM2"\nkind = "stm32"\nbase = 0x4001_4000\nirq = 24\n',
     "two timers are named 'TIM2'"),
    ('[[timer]]\nname = "X"\nkind = "rp2040"\nbase = 0x4001_4000\nirq = 3\n',
     "must name 4 interrupts"),
    ('[[timer]]\nname = "X"\nkind = "stm32"\nbase = 0x4001_4000\nirq = 3\nperiod = 1\n',
     "unknown key 'timer[6].period'"),
])
def test_board_timer_table_checked(tmp_path, extra, contains):
    with pytest.raises(BadInput, match=re.escape(contains)):
        load_board(str(_board(tmp_path, extra)))


def test_board_gpio_table_checked(tmp_path):
    text = load_board("stm32f4").path.read_text().replace("ports = 9", "ports = 9\nport = 3")
    p = tmp_path / "b.toml"
    p.write_text(text)
    with pytest.raises(BadInput, match=r"unknown key 'gpio.port' \(did you mean 'gpio.ports'"):
        load_board(str(p))


def test_stm32_timer_counts_the_apb_timer_clock(firmware, run_elf):
    """TIM2 counts 2 x PCLK1 when the APB1 prescaler is not 1 (RM0090 7.2), following a change
    of the prescaler alone: start-up /4 -> half the core clock, /2 -> the core clock, /8 -> a
    quarter (apb_timer_clock.c)."""
    r = run_elf(firmware("apb_timer_clock.c", "stm32f4"), "stm32f4")
    assert r.exit_code == 0, r.stop.message
    a, b, c = map(int, re.search(r"cycles: (\d+) (\d+) (\d+)", r.stdout).groups())
    assert abs(a - 500) <= 2 and abs(b - 1000) <= 2 and abs(c - 250) <= 2, r.stdout


def test_console_usart_baud_from_its_apb_clock(firmware, run_elf):
    """USART2 sits on APB1: its frame time comes from PCLK1 (42 MHz after mcusim's F4 start-up),
    not the core clock; uart_timing.c computes BRR from PPRE1 as HAL does."""
    from mcusim.sim.timers import console_bus
    r = run_elf(firmware("uart_timing.c", "stm32f4"), "stm32f4", uart_timing=True)
    assert r.exit_code == 0
    cycles = int(re.search(r"bytes (\d+) cycles", r.stdout).group(1))
    frame = 10 * r.clock_hz / 115200
    assert abs(cycles - 32 * frame) < frame, (cycles, 32 * frame)
    for board, bus in (("stm32f4", "apb1"), ("stm32u575", "apb2"), ("stm32f746", "apb2"),
                       ("stm32h743", "apb1")):
        assert console_bus(type("M", (), {"board": load_board(board)})) == bus, board
