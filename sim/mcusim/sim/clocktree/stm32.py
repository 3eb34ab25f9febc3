"""What the STM32 clock controllers share: oscillator/PLL ready flags that follow their enables,
the clock switch (SWS follows SW once the selected source is ready), the AHB/APB prescaler
encodings, the FLASH interface's ACR, and a PWR block whose ready flags follow their requests.

Each family module (stm32f4_rcc.py, ...) gives its register offsets, bit positions, reset values
and clock formulas with their reference-manual sections. Ready flags are set at the write that
enables the oscillator (start-up and lock times are not modelled), as soon as what feeds it is
ready; a source in use as SYSCLK (or feeding the PLL in use) cannot be switched off, as on silicon.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from mcusim.sim.clocktree.base import ClockTree, RegisterBlock, field, mhz

if TYPE_CHECKING:
    from mcusim.sim.machine import Machine

# HPRE / D1CPRE: 0xxx = /1, 1000 = /2 ... 1111 = /512 (RM0090 7.3.3; the same encoding in
# RM0385 5.3.3, RM0432 6.4.3, RM0444 5.4.3, RM0433 8.7.8, RM0456 11.8.8).
AHB_DIV = {8: 2, 9: 4, 10: 8, 11: 16, 12: 64, 13: 128, 14: 256, 15: 512}


def ahb_div(code: int) -> int:
    return AHB_DIV.get(code, 1)


def frac_pll_hz(src_hz: int, m: int, divr: int, frac: int) -> int:
    """PLL1's P output of the H7/U5 fractional PLLs: src / M x (N + FRACN / 2^13) / P, with
    DIVN in PLL1DIVR[8:0] and DIVP in [15:9] (H7) or [30:24] (U5) already decoded by the
    caller into `divr` = (N - 1, P - 1). RM0433 8.7.2 / RM0456 11.4.6 (numbers not re-read)."""
    n_minus_1, p_minus_1 = divr
    if not m:
        return 0
    vco = src_hz * ((n_minus_1 + 1) * 8192 + frac) // (m * 8192)
    return vco // (p_minus_1 + 1)


def apb_div(code: int) -> int:
    """PPREx: 0xx = /1, 100 = /2, 101 = /4, 110 = /8, 111 = /16 (same manuals)."""
    return 1 << (code - 3) if code >= 4 else 1


class Oscillator:
    """An enable bit and the ready bit that follows it, in one register."""

    def __init__(self, name: str, reg: int, on: int, rdy: int, feeds_from=None):
        self.name, self.reg, self.on, self.rdy = name, reg, 1 << on, 1 << rdy
        self.feeds_from = feeds_from      # callable(rcc) -> Oscillator | None (a PLL's input)


class StmRcc(RegisterBlock):
    """An STM32 RCC. Subclasses set OSCILLATORS, the SW/SWS fields and the clock formulas."""

    name = "rcc"
    SIZE = 0x400
    OSCILLATORS: tuple[Oscillator, ...] = ()
    SW_REG, SW_SHIFT, SW_WIDTH, SWS_SHIFT = 0x08, 0, 2, 2
    SOURCES: dict[int, str] = {}          # SW value -> source name ("PLL" for the main PLL)
    STATUS_BITS: dict[int, int] = {}      # register -> bits that read as live status (not stored)

    def __init__(self, base: int, tree: ClockTree, crystal_hz: int = 0):
        super().__init__(base, self.SIZE)
        self.tree, self.crystal_hz = tree, crystal_hz
        self._sws = field(self.regs.get(self.SW_REG, 0), self.SWS_SHIFT, self.SW_WIDTH)

    # --- hooks for each family --------------------------------------------------------------
    def source_osc(self, sw: int) -> Oscillator | None:
        """The oscillator (or PLL) that must be ready for SYSCLK source `sw`."""
        return self.osc(self.SOURCES.get(sw, ""))

    def source_hz(self, sw: int) -> int:
        raise NotImplementedError

    def derive(self, sysclk: int) -> tuple[int, int, dict[str, int]]:
        """(core clock, HCLK, bus clocks) from SYSCLK and the prescalers."""
        raise NotImplementedError

    # --- ready flags and the switch ---------------------------------------------------------
    def osc(self, name: str) -> Oscillator | None:
        return next((o for o in self.OSCILLATORS if o.name == name), None)

    def is_on(self, o: Oscillator) -> bool:
        return bool(self.regs.get(o.reg, 0) & o.on)

    def is_ready(self, o: Oscillator | None) -> bool:
        """On, and (for a PLL) its input ready: a PLL with no input never locks."""
        if o is None or not self.is_on(o):
            return False
        if o.name == "HSE" and not self.crystal_hz:
            return False                             # no crystal on the board: never ready
        if o.feeds_from is None:
            return True
        return self.is_ready(o.feeds_from(self))

    def in_use(self) -> set[str]:
        """Oscillators SYSCLK runs from now: they cannot be switched off."""
        used, o = set(), self.source_osc(self._sws)
        while o is not None and o.name not in used:
            used.add(o.name)
            o = o.feeds_from(self) if o.feeds_from else None
        return used

    def load(self, off: int) -> int:
        v = self.regs.get(off, 0)
        for o in self.OSCILLATORS:
            if o.reg == off:
                v = (v | o.rdy) if self.is_ready(o) else (v & ~o.rdy)
        if off == self.SW_REG:
            mask = ((1 << self.SW_WIDTH) - 1) << self.SWS_SHIFT
            v = (v & ~mask) | (self._sws << self.SWS_SHIFT)
        return v | self.STATUS_BITS.get(off, 0)

    def store(self, off: int, value: int) -> None:
        used = self.in_use()
        for o in self.OSCILLATORS:
            if o.reg == off:
                value &= ~o.rdy                      # read-only flags
                if o.name in used:
                    value |= o.on                    # "cannot be reset if used as system clock"
        self.regs[off] = value
        self.settle()

    def settle(self) -> None:
        sw = field(self.regs.get(self.SW_REG, 0), self.SW_SHIFT, self.SW_WIDTH)
        if sw in self.SOURCES and self.is_ready(self.source_osc(sw)):
            self._sws = sw                           # the switch completes once it is ready
        sysclk = self.source_hz(self._sws)
        core, hclk, buses = self.derive(sysclk)
        name = self.SOURCES.get(self._sws, "?")
        why = f"RCC: SYSCLK={name} {mhz(sysclk)}"
        if core != sysclk:
            why += f", {'HCLK' if core == hclk else 'CPU'} {mhz(core)}"
        if hclk != core:
            why += f", HCLK {mhz(hclk)}"
        self.tree.set(core, hclk, why, sysclk=sysclk, **buses)


class StmFlash(RegisterBlock):
    """The FLASH interface registers: ACR.LATENCY is the wait-state count from now on (reads
    back what was written); the other registers read back what was written."""

    name = "flash-interface"
    SIZE = 0x400

    def __init__(self, base: int, tree: ClockTree, acr_reset: int, latency_mask: int,
                 acr_offsets: tuple[int, ...] = (0x00,), why: str = "FLASH_ACR"):
        self.RESET = {off: acr_reset for off in acr_offsets}
        super().__init__(base, self.SIZE)
        self.tree, self.mask, self.acr, self.why = tree, latency_mask, acr_offsets, why
        tree.set_latency(acr_reset & latency_mask, f"{why} reset value", initial=True)

    def store(self, off: int, value: int) -> None:
        if off in self.acr:
            for o in self.acr:                       # one register seen at each alias
                self.regs[o] = value
            self.tree.set_latency(value & self.mask, f"{self.why}.LATENCY written")
        else:
            self.regs[off] = value


class StmPwr(RegisterBlock):
    """A PWR block: `FOLLOW` maps (request register, bit) to (flag register, bit) set while the
    request is set; `ALWAYS` flags read 1 (the regulator is at the requested level at once)."""

    name = "pwr"
    SIZE = 0x400
    FOLLOW: dict[tuple[int, int], tuple[int, int]] = {}
    ALWAYS: dict[int, int] = {}

    def load(self, off: int) -> int:
        v = self.regs.get(off, 0) | self.ALWAYS.get(off, 0)
        for (req_reg, req_bit), (flag_reg, flag_bit) in self.FOLLOW.items():
            if flag_reg == off:
                if self.regs.get(req_reg, 0) >> req_bit & 1:
                    v |= 1 << flag_bit
                else:
                    v &= ~(1 << flag_bit)
        return v

    def store(self, off: int, value: int) -> None:
        for (_, _), (flag_reg, flag_bit) in self.FOLLOW.items():
            if flag_reg == off:
                value &= ~(1 << flag_bit)
        self.regs[off] = value & ~self.ALWAYS.get(off, 0)


def stm32_tree(machine: "Machine", latency_source: str) -> ClockTree:
    return ClockTree(machine, machine.board.reset_clock_hz, latency_source)
