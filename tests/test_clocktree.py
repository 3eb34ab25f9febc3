"""The clock tree (mcusim.sim.clocktree): ready flags, clock switches, flash latency and the core
clock, with the project's own programs (firmware/tests/clock_pll.c, nrf_hfclk.c) and unit checks of
the devices against the reference manuals' register descriptions."""
from __future__ import annotations

import pytest

from mcusim.boards import list_boards, load_board
from mcusim.sim import clocktree
from mcusim.sim.clock import CoreClock

KEEP = ("-DMCUSIM_KEEP_RESET_CLOCK",)


# --- unit checks with a stand-in machine -------------------------------------------------------

class _Bus:
    def __init__(self):
        self.devices = []

    def add(self, dev):
        self.devices.append(dev)
        return dev


class _Machine:
    def __init__(self, board: str, forced: int | None = None):
        self.board = load_board(board)
        self.clock = CoreClock(self.board.reset_clock_hz, forced_hz=forced)
        self.bus, self.ws, self.warnings = _Bus(), [], []

    def set_flash_wait_states(self, ws, why):
        self.ws.append(ws)

    def warn(self, text):
        self.warnings.append(text)

    def now(self):
        return 0


def _dev(m, name):
    return next(d for d in m.bus.devices if d.name == name)


def test_every_board_has_a_reset_clock_and_a_clock_tree():
    expected = {"stm32f4": 16e6, "stm32f746": 16e6, "stm32h743": 64e6, "stm32l4r5": 4e6,
                "stm32g0b1": 16e6, "stm32u575": 4e6, "nrf52840": 64e6, "rp2040": 6.5e6}
    for name in list_boards():
        b = load_board(name)
        assert b.reset_clock_hz == expected[name], name
        m = _Machine(name)
        assert clocktree.install(m) is m.clock_tree and m.bus.devices, name


def test_f4_reset_values_ready_flags_and_switch():
    m = _Machine("stm32f4")
    clocktree.install(m)
    rcc, flash = _dev(m, "rcc"), _dev(m, "flash-interface")
    assert rcc.read(0x00, 4) == 0x83 and rcc.read(0x04, 4) == 0x2400_3010   # RM0090 7.3.1-2
    assert m.ws == [0]                                       # FLASH_ACR reset value: 0 WS
    rcc.write(0x00, 4, rcc.read(0x00, 4) | 1 << 16)
    assert rcc.read(0x00, 4) & 1 << 17                       # HSERDY follows HSEON
    rcc.write(0x08, 4, 2)                                    # SW = PLL while the PLL is off
    assert rcc.read(0x08, 4) & 0xC == 0                      # SWS stays HSI
    rcc.write(0x04, 4, 8 | 336 << 6 | 1 << 22 | 7 << 24)
    rcc.write(0x00, 4, rcc.read(0x00, 4) | 1 << 24)           # PLLON: the pending switch completes
    assert rcc.read(0x08, 4) & 0xC == 0x8 and m.clock.hz == 168_000_000
    assert m.warnings and "LATENCY = 0" in m.warnings[0] and "needs 5" in m.warnings[0]
    flash.write(0x00, 1, 5)                                  # a byte store, as ST's HAL does
    assert flash.read(0x00, 4) == 5 and m.ws[-1] == 5
    assert m.clock_tree.clocks["pclk1"] == 168_000_000       # PPRE1 still /1


def test_forced_clock_keeps_the_board_wait_states():
    m = _Machine("stm32f4", forced=100_000_000)
    clocktree.install(m)
    _dev(m, "flash-interface").write(0, 4, 3)
    assert m.ws == [] and m.clock.hz == 100_000_000


def test_hse_without_a_crystal_never_becomes_ready():
    m = _Machine("stm32g0b1")                                # crystal_hz = 0 in the board file
    clocktree.install(m)
    rcc = _dev(m, "rcc")
    rcc.write(0x00, 4, rcc.read(0x00, 4) | 1 << 16)
    assert not rcc.read(0x00, 4) & 1 << 17


def test_h7_cpu_and_axi_clocks():
    m = _Machine("stm32h743")
    clocktree.install(m)
    rcc = _dev(m, "rcc")
    assert m.ws == [7]                                       # FLASH_ACR reset: LATENCY = 7
    rcc.write(0x28, 4, 4 << 4)                               # HSI, DIVM1 = 4
    rcc.write(0x30, 4, 59 | 1 << 9 | 3 << 16 | 1 << 24)       # N = 60, P = 2
    rcc.write(0x00, 4, rcc.read(0x00, 4) | 1 << 24)
    rcc.write(0x18, 4, 8)                                    # HPRE /2
    rcc.write(0x10, 4, 3)
    assert m.clock.hz == 480_000_000 and m.clock_tree.hclk_hz == 240_000_000


def test_rp2040_atomic_aliases_and_resets():
    m = _Machine("rp2040")
    clocktree.install(m)
    resets, pll = _dev(m, "resets"), _dev(m, "pll_sys")
    assert resets.read(0x8, 4) == 0                          # everything held in reset
    resets.write(0x3000, 4, 1 << 12)                         # clear alias
    assert resets.read(0x8, 4) == 1 << 12
    pll.write(0x8, 4, 100)
    resets.write(0x2000, 4, 1 << 12)                         # back into reset: registers reset
    assert pll.read(0x8, 4) == 0 and pll.read(0x4, 4) == 0x2D
    resets.write(0x1000, 4, 1 << 12)                         # XOR alias toggles it out again
    assert resets.read(0x0, 4) & 1 << 12 == 0


# --- programs ---------------------------------------------------------------------------------

def _changes(res):
    return [(c["hz"], c["why"]) for c in res.to_json()["clock_changes"]]


def test_f4_switch_to_pll_reads_back_and_reports_168_mhz(firmware, run_elf):
    res = run_elf(firmware("clock_pll.c", "stm32f4", flags=KEEP), "stm32f4")
    assert res.exit_code == 0, res.stdout
    assert "SWS=8\n" in res.stdout and "PLLRDY=1" in res.stdout and "clock ok" in res.stdout
    j = res.to_json()
    assert j["clock_hz"] == 168_000_000
    assert _changes(res)[0] == (16_000_000, "reset")
    assert _changes(res)[-1] == (168_000_000, "RCC: SYSCLK=PLL 168 MHz")
    assert not [w for w in j.get("warnings", []) if "LATENCY" in w]


def test_f4_too_few_wait_states_is_a_warning(firmware, run_elf):
    res = run_elf(firmware("clock_pll.c", "stm32f4", flags=KEEP + ("-DTEST_LATENCY=2",)),
                  "stm32f4")
    assert res.exit_code == 0
    warnings = res.to_json()["warnings"]
    assert any("FLASH_ACR.LATENCY = 2" in w and "needs 5" in w for w in warnings), warnings


@pytest.mark.parametrize("board,hz", [("stm32g0b1", 64_000_000), ("stm32u575", 160_000_000),
                                      ("rp2040", 133_000_000)])
def test_m0plus_and_m33_clock_switch(firmware, run_elf, board, hz):
    res = run_elf(firmware("clock_pll.c", board, flags=KEEP), board)
    assert res.exit_code == 0, res.stdout
    assert "clock ok" in res.stdout
    changes = _changes(res)
    assert changes[0] == (load_board(board).reset_clock_hz, "reset") and changes[-1][0] == hz
    assert res.to_json()["clock_hz"] == hz


def test_nrf52_hfclk_start(firmware, run_elf):
    res = run_elf(firmware("nrf_hfclk.c", "nrf52840", flags=KEEP), "nrf52840")
    assert res.exit_code == 0, res.stdout
    assert "HFCLKSTAT 0 -> 10001, LFCLKSTAT 10001" in res.stdout
    assert [hz for hz, _ in _changes(res)] == [64_000_000]


@pytest.mark.parametrize("board", ["stm32f4", "stm32l4r5", "stm32h743", "rp2040"])
def test_mcusim_startup_configures_the_nominal_clock(firmware, run_elf, board):
    res = run_elf(firmware("hello.c", board), board)
    assert res.exit_code == 0
    b = load_board(board)
    assert _changes(res)[-1][0] == b.clock_hz and res.to_json()["clock_hz"] == b.clock_hz
    assert not [w for w in res.to_json().get("warnings", []) if "LATENCY" in w]
