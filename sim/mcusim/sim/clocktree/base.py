"""What every clock-tree device shares: 32-bit register blocks that accept the byte and
half-word accesses vendor code makes (ST's HAL sets FLASH_ACR.LATENCY with a byte store), and the
`ClockTree` that turns what the firmware configured into the machine's core clock, the cost
model's flash wait states and the latency warning.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from mcusim.sim.peripherals import Device

if TYPE_CHECKING:
    from mcusim.sim.machine import Machine


def mhz(hz: float) -> str:
    return f"{hz / 1e6:g} MHz"


class RegisterBlock(Device):
    """Word registers with reset values. Subclasses override `store(off, value)` (a whole word,
    after merging a narrower write) and `load(off)`; unknown offsets read back what was written."""

    RESET: dict[int, int] = {}

    def __init__(self, base: int, size: int):
        super().__init__(base, size)
        self.regs = dict(self.RESET)

    def load(self, off: int) -> int:
        return self.regs.get(off, 0)

    def store(self, off: int, value: int) -> None:
        self.regs[off] = value

    def read(self, offset: int, size: int) -> int:
        shift = 8 * (offset & 3)
        return (self.load(offset & ~3) >> shift) & ((1 << (8 * size)) - 1)

    def write(self, offset: int, size: int, value: int) -> None:
        off, shift = offset & ~3, 8 * (offset & 3)
        if size < 4:
            mask = ((1 << (8 * size)) - 1) << shift
            value = (self.load(off) & ~mask) | ((value << shift) & mask)
        self.store(off, value & 0xFFFFFFFF)


def field(value: int, shift: int, width: int) -> int:
    return (value >> shift) & ((1 << width) - 1)


class ClockTree:
    """One chip's clocks as the firmware configured them.

    `set(core_hz, hclk_hz, why)` is called by the clock controller after every write; a change of
    the core clock goes to `machine.clock` (time, energy and the JSON follow it). The flash
    latency the firmware writes (`set_latency`) becomes the cost model's wait states, and a
    latency below what the board's `latency` table requires at the current HCLK is a warning:
    on silicon the flash returns wrong data (a fault)."""

    def __init__(self, machine: "Machine", reset_hz: int, latency_source: str = ""):
        self.machine = machine
        self.core_hz = reset_hz
        self.hclk_hz = reset_hz
        self.clocks: dict[str, int] = {"sysclk": reset_hz, "hclk": reset_hz}
        self.latency: int | None = None
        self.latency_source = latency_source
        self.listeners: list[Callable[["ClockTree"], None]] = []   # bus-clock users (timers)

    @property
    def flash_table(self):
        flash = self.machine.board.flash
        return flash.latency

    def set(self, core_hz: int, hclk_hz: int, why: str, **buses: int) -> None:
        before = dict(self.clocks)
        self.clocks.update(hclk=hclk_hz, **buses)
        changed = core_hz != self.core_hz or hclk_hz != self.hclk_hz
        self.core_hz, self.hclk_hz = core_hz, hclk_hz
        clock = self.machine.clock
        hz_before = clock.hz
        if changed:
            clock.set_hz(core_hz, why)
            self.check_latency()
            for fn in list(self.listeners):
                fn(self)
        if self.clocks != before and clock.hz == hz_before:
            # Only a bus clock changed (an APB prescaler; or any change under --clock): the
            # core clock's listeners (timers, UART timing) still re-derive their rates.
            for fn in list(clock.listeners):
                fn(clock.hz)

    def set_latency(self, ws: int, why: str, initial: bool = False) -> None:
        """FLASH_ACR.LATENCY as written (or its reset value when `initial`)."""
        if ws == self.latency:
            return
        self.latency = ws
        if not getattr(self.machine.clock, "forced", False):
            # Under --clock the board's wait states at the forced clock stay in force.
            self.machine.set_flash_wait_states(ws, why)
        if not initial:
            self.check_latency()

    def required_latency(self, hclk_hz: int) -> int | None:
        table = self.flash_table
        return next((ws for hz, ws in table if hclk_hz <= hz), None)

    def check_latency(self) -> None:
        table = self.flash_table
        if self.latency is None or not table:
            return
        need = self.required_latency(self.hclk_hz)
        src = f" ({self.latency_source})" if self.latency_source else ""
        if need is None:
            self.machine.warn(f"HCLK {mhz(self.hclk_hz)} is above the flash latency table of "
                              f"{self.machine.board.name}{src}: up to {mhz(table[-1][0])}")
        elif self.latency < need:
            self.machine.warn(f"FLASH_ACR.LATENCY = {self.latency} wait states at HCLK "
                              f"{mhz(self.hclk_hz)}: {self.machine.board.name} needs {need}"
                              f"{src}; on silicon flash reads return wrong data")
