"""Exceptions and interrupts on an M4F (stm32f4), an M0+ (rp2040) and an M33 (stm32u575), with
the project's own programs in firmware/tests (each documents the architecture rules it relies on).

Cycle figures: the latencies are the profiles' [exceptions] tables (see the sources there):
entry 12 / exit 10 on the M4 and M33, entry 15 / exit 10 on the M0+.
"""
from __future__ import annotations

import pytest

from mcusim.errors import EXIT_FAULT

BOARDS = ["stm32f4", "rp2040", "stm32u575"]
V6M = {"rp2040"}                  # ARMv6-M: no BASEPRI, CFSR/HFSR, CYCCNT, FPU
FPU = {"stm32f4", "stm32u575"}


def _one_line(r):
    assert r.stop.message and "\n" not in r.stop.message and "Traceback" not in r.stop.message


@pytest.mark.parametrize("board", BOARDS)
def test_systick_interrupt_wakes_wfi(firmware, run_elf, board):
    r = run_elf(firmware("systick_wfi.c", board), board)
    assert r.exit_code == 0, r.stdout
    lines = r.stdout.splitlines()
    assert lines[0] == "ticks 8"
    if board not in V6M:
        # SysTick reloads RVR on the clock after reaching 0, whatever the software does
        # (ARMv7-M ARM B3.3.1), and main is asleep at every tick: the handler's CYCCNT reads
        # are exactly RVR + 1 = 4000 clocks apart.
        assert lines[1] == "periods " + " ".join(["4000"] * 6)
    # Woken from WFI each time, the handler reads SysTick's CVR at the same count every tick.
    assert lines[-1] == "cvr spread 0"
    # 8 ticks of 4000 clocks, the core asleep for most of them (WFI advances time).
    assert r.sleep_cycles > 8 * 4000 // 2
    assert r.sleep_cycles + r.cycles >= 8 * 4000


@pytest.mark.parametrize("board", BOARDS)
def test_hal_style_delay_with_systick_time_base(firmware, run_elf, board):
    r = run_elf(firmware("hal_tick.c", board), board)
    assert r.exit_code == 0 and r.stdout == "delay 100 ms: 100 ticks\n"
    # 100 ticks of SystemCoreClock / 1000 clocks: 100 ms of simulated time, nearly all asleep.
    assert 0.100 <= r.time_s < 0.102, r.time_s
    assert r.sleep_s > 0.095


@pytest.mark.parametrize("board", BOARDS)
def test_exception_entry_and_exit_latency(firmware, run_elf, board):
    r = run_elf(firmware("exc_latency.c", board), board)
    assert r.exit_code == 0
    # The program prints the extra cycles of the same instruction sequence when its store pends
    # PendSV, whose handler is a single `bx lr`: entry + BX + exit.
    #   M4:  entry 12 + BX 1+P = 3 (M4 TRM Table 3-1, P = 2) + exit 10 = 25
    #   M33: entry 12 + BX 2 (1 + the 1-cycle refill measured for a taken branch on the M33,
    #        profiles/cortex-m33.toml) + exit 10 = 24
    #   M0+: entry 15 + BX 2 (M0+ TRM §3.3) + exit 10 = 27
    expected = {"rp2040": 27, "stm32u575": 24}.get(board, 25)
    assert r.stdout.split()[-1] == str(expected), r.stdout


@pytest.mark.parametrize("board", BOARDS)
def test_nested_priorities_basepri_primask_tail_chain(firmware, run_elf, board):
    r = run_elf(firmware("nested_prio.c", board), board)
    assert r.exit_code == 0
    # Phases (nested_prio.c): preemption | tail-chain | BASEPRI | PRIMASK | equal priority.
    basepri = "-" if board in V6M else "mBbAa"
    assert r.stdout == f"events ABba|BbAa|{basepri}|mBb|AaBb\n"


@pytest.mark.parametrize("board", BOARDS)
def test_two_threads_on_psp_switched_by_pendsv(firmware, run_elf, board):
    r = run_elf(firmware("context_switch.c", board), board)
    assert r.exit_code == 0, r.stdout
    lines = r.stdout.splitlines()
    assert lines[0] == "thread0 150 thread1 150"
    switches, fp = lines[1].split()[1], int(lines[1].split()[3])
    assert switches == ">10"
    if board in FPU:
        # Both threads use the FPU, so PendSV finds extended frames (EXC_RETURN bit 4 = 0) and
        # saves s16-s31; their values survived every switch (the threads check them).
        assert fp > 0
    else:
        assert fp == 0


# --- faults with the firmware's own handlers -------------------------------------------------

# (FAULT, handler, CFSR, HFSR) per ARMv7-M ARM B3.2.15/B3.2.16: UNDEFINSTR bit 16, INVSTATE
# bit 17, DIVBYZERO bit 25 (with CCR.DIV_0_TRP), PRECISERR bit 9 | BFARVALID bit 15,
# HFSR.FORCED bit 30 when a fault escalates because its own handler is disabled.
V7_FAULTS = [
    (1, "usagefault", 1 << 16, 0),
    (2, "usagefault", 1 << 17, 0),
    (3, "usagefault", 1 << 25, 0),
    (4, "hardfault", 1 << 16, 1 << 30),
    (5, "busfault", (1 << 9) | (1 << 15), 0),
]


@pytest.mark.parametrize("board", ["stm32f4", "stm32u575"])
@pytest.mark.parametrize("fault, handler, cfsr, hfsr", V7_FAULTS)
def test_own_fault_handler_sees_status_registers(firmware, run_elf, board, fault, handler,
                                                 cfsr, hfsr):
    r = run_elf(firmware("fault_handler.c", board, flags=(f"-DFAULT={fault}",)), board)
    assert r.exit_code == 3, r.stdout
    expect = f"{handler} cfsr {cfsr:08x} hfsr {hfsr:08x} pc ok"
    if fault == 5:
        expect += " bfar 3fff0000"
    assert r.stdout == f"before fault\n{expect}\n"


@pytest.mark.parametrize("fault", [1, 2, 5])
def test_own_hardfault_handler_on_armv6m(firmware, run_elf, fault):
    # ARMv6-M: every fault is a HardFault; the stacked pc is the faulting instruction (the
    # branch target for the interworking fault).
    r = run_elf(firmware("fault_handler.c", "rp2040", flags=(f"-DFAULT={fault}",)), "rp2040")
    assert r.exit_code == 3 and r.stdout == "before fault\nhardfault pc ok\n"


@pytest.mark.parametrize("board", BOARDS)
@pytest.mark.parametrize("fault, words", [(1, "undefined instruction"), (2, "bit 0 clear"),
                                          (5, "0x3fff0000")])
def test_spinning_fault_handler_reports_the_original_fault(firmware, run_elf, board, fault,
                                                           words):
    r = run_elf(firmware("fault_handler.c", board, flags=(f"-DFAULT={fault}", "-DSPIN=1")),
                board)
    assert r.exit_code == EXIT_FAULT and r.stop.reason == "fault"
    assert r.stdout == "before fault\n"
    assert words in r.stop.message
    assert r.stop.where.startswith(("culprit", "fault_site"))
    _one_line(r)


# --- bad input: one clear line, no hang --------------------------------------------------------

@pytest.mark.parametrize("board", BOARDS)
def test_vector_entry_outside_memory(firmware, run_elf, board):
    r = run_elf(firmware("vector_bad.c", board, flags=("-DBAD=1",)), board)
    assert r.exit_code == EXIT_FAULT and r.stop.reason == "fault"
    assert r.stdout == "pending IRQ 26\n"
    assert "vector" in r.stop.message and "0x3fff0001" in r.stop.message
    _one_line(r)


@pytest.mark.parametrize("board", BOARDS)
def test_vtor_outside_memory(firmware, run_elf, board):
    r = run_elf(firmware("vector_bad.c", board, flags=("-DBAD=2",)), board)
    assert r.exit_code == EXIT_FAULT and r.stop.reason == "fault"
    assert "vector" in r.stop.message and "0x3fff00a8" in r.stop.message
    _one_line(r)


@pytest.mark.parametrize("board", BOARDS)
def test_corrupt_exc_return_stops_with_one_line(firmware, run_elf, board):
    r = run_elf(firmware("corrupt_excreturn.c", board), board)
    assert r.exit_code == EXIT_FAULT and r.stop.reason == "fault"
    assert r.stdout == "pending PendSV\n"
    assert "EXC_RETURN 0xfffffff5" in r.stop.message
    _one_line(r)


@pytest.mark.parametrize("board", BOARDS)
def test_corrupt_exc_return_enters_own_fault_handler(firmware, run_elf, board):
    # ARMv7-M ARM B1.5.8: an illegal EXC_RETURN is a UsageFault with CFSR.INVPC (bit 18);
    # ARMv6-M: a HardFault.
    r = run_elf(firmware("corrupt_excreturn.c", board, flags=("-DOWN_HANDLER=1",)), board)
    assert r.exit_code == 3
    tail = "hardfault" if board in V6M else f"usagefault cfsr {1 << 18:08x}"
    assert r.stdout == f"pending PendSV\n{tail}\n"


def test_fault_status_registers_clear_by_byte_and_halfword():
    """CFSR's MMFSR/BFSR/UFSR and HFSR are write-one-to-clear, also through byte and halfword
    accesses to their sub-registers (DDI 0403E B3.2.15/B3.2.16)."""
    from types import SimpleNamespace

    from mcusim.sim import scb
    exc = SimpleNamespace(v6m=False, cfsr=0x0203_8200, hfsr=0x4000_0002, m=None,
                          enabled=bytearray(16), pending=bytearray(16), n=16)
    assert scb.write_register(exc, 0xD2A, 2, 0x0002)      # UFSR: clear INVSTATE (bit 17)
    assert exc.cfsr == 0x0201_8200
    assert scb.write_register(exc, 0xD29, 1, 0x82)        # BFSR: PRECISERR | BFARVALID
    assert exc.cfsr == 0x0201_0000
    assert scb.write_register(exc, 0xD28, 4, 0x0201_0000)
    assert exc.cfsr == 0
    assert scb.write_register(exc, 0xD2F, 1, 0x40)        # HFSR byte 3: FORCED
    assert exc.hfsr == 0x0000_0002
