"""Firmware that times itself (DWT CYCCNT, SysTick) reads the profiler's count; console UARTs."""
import pytest

from conftest import skip_without_profile


def test_cyccnt_matches_profiler(firmware, run_elf):
    r = run_elf(firmware("dwt_timing.c"))
    assert r.exit_code == 0, "CYCCNT must read 0 before TRCENA/CYCCNTENA enable it"
    cyc, systick = (int(x) for x in r.stdout.split()[1::2])
    work = next(f for f in r.functions if f.name == "work")
    # A read of CYCCNT sees the cycles of every instruction before it (exact to the reading
    # instruction, not to its block). Between the two reads run, besides work(): the first read
    # itself, two stores, the SysTick read, the argument, the call, and after the return a
    # literal load from flash (5 wait states at 168 MHz) and the ART fetch of the return line:
    # about 20 cycles of instructions and 10-20 of flash stalls.
    assert work.total_cycles > 1000
    assert 10 <= cyc - work.total_cycles <= 48, (cyc, work.total_cycles)
    # SysTick counts the same clock down; the reads sit two instructions apart.
    assert abs(systick - cyc) <= 8, (systick, cyc)


def test_cyccnt_deterministic(firmware, run_elf):
    a = run_elf(firmware("dwt_timing.c"))
    b = run_elf(firmware("dwt_timing.c"))
    assert a.stdout == b.stdout and a.cycles == b.cycles and a.instructions == b.instructions


@pytest.mark.parametrize("board", ["stm32f4", "stm32l4r5", "nrf52840", "rp2040"])
def test_uart_console(firmware, run_elf, board):
    skip_without_profile(board)
    r = run_elf(firmware("uart_hello.c", board, semihosting=False), board)
    assert r.stdout == "uart: hello\nuart printf 1234\n"
    assert r.exit_code == 3


def test_itm_stimulus_port(firmware, run_elf):
    r = run_elf(firmware("itm_hello.c"))
    assert r.stdout == "itm: hello\n" and r.exit_code == 0


def test_nrf_uarte_easydma(firmware, run_elf):
    r = run_elf(firmware("uarte_dma.c", "nrf52840", semihosting=False), "nrf52840")
    assert r.stdout == "uarte: dma hello\n" and r.exit_code == 0
