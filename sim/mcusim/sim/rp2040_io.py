"""RP2040 user-bank pin routing: IO_BANK0 (function select and overrides, RP2040 datasheet
build 2023-03-02, section 2.19.6.1) and PADS_BANK0 (pad controls, section 2.19.6.3).

A pin is driven by the function its GPIOn_CTRL.FUNCSEL selects (section 2.19.2): SIO (5) takes
output and output enable from the SIO's GPIO_OUT/GPIO_OE; the null function (0x1F, the reset
value) drives nothing; any other function is a peripheral mcusim does not route to pins, so the
pin is 'x' (as an STM32 alternate-function pin). OUTOVER/OEOVER/INOVER then apply (2.19.6.1),
the pad's OD disables the output driver whatever the function says and IE gates the input
(2.19.6.3); an undriven pin takes the pad's pull ('0' PDE, '1' PUE, 'z' neither or both: the
bus keeper is not modelled). Both blocks have the atomic XOR/set/clear aliases (2.1.2) and
replicate a narrow write across the word (2.1.4), as the other RP2040 devices do.

Not modelled: GPIO interrupts (INTR edge bits never latch; level bits and PROCx_INTS read from
the pin levels, but IO_IRQ_BANK0 is never raised), IRQOVER, DORMANT wake, the STATUS bits of a
peripheral other than SIO, slew rate, drive strength, Schmitt trigger and VOLTAGE_SELECT (stored).
"""
from __future__ import annotations

from typing import Callable

from mcusim.sim.clocktree.rp2040_clocks import Rp2040Block

PINS = 30
FUNCSEL_SIO, FUNCSEL_NULL = 5, 0x1F          # datasheet 2.19.2, function table (F5 = SIO)


class IoBank0(Rp2040Block):
    """IO_BANK0 (2.19.6.1, list of registers): GPIOn_STATUS at 8n (read-only), GPIOn_CTRL at
    8n + 4 (reset 0x1F: FUNCSEL null; FUNCSEL 4:0, OUTOVER 9:8, OEOVER 13:12, INOVER 17:16,
    IRQOVER 29:28), INTR0-3 at 0xF0, PROC0 INTE/INTF/INTS at 0x100/0x110/0x120, PROC1 at
    0x130/0x140/0x150, DORMANT_WAKE at 0x160/0x170/0x180 (4 registers each, 8 pins per
    register, 4 bits per pin: LEVEL_LOW, LEVEL_HIGH, EDGE_LOW, EDGE_HIGH)."""

    name = "io_bank0"
    CTRL_MASK = 0x3003_331F
    INTR, END = 0x0F0, 0x190
    INTS = (0x120, 0x150, 0x180)               # PROC0_INTS, PROC1_INTS, DORMANT_WAKE_INTS
    RESET = {8 * n + 4: FUNCSEL_NULL for n in range(PINS)}

    def __init__(self, base: int):
        super().__init__(base)
        self.pins: "Rp2040Pins | None" = None    # set by Rp2040Pins

    def ctrl(self, pin: int) -> int:
        return self.regs[8 * pin + 4]

    def load(self, off):
        if off < self.INTR:
            if off % 8 == 0:
                return self.pins.status(off // 8) if self.pins else 0
            return self.regs[off]
        if self.INTR <= off < self.INTR + 0x10:
            return self._levels(off - self.INTR)
        for ints in self.INTS:                   # (INTR & INTE) | INTF
            if ints <= off < ints + 0x10:
                i = off - ints
                return ((self._levels(i) & self.regs.get(ints - 0x20 + i, 0))
                        | self.regs.get(ints - 0x10 + i, 0))
        return self.regs.get(off, 0) if off < self.END else 0

    def _levels(self, i: int) -> int:
        """INTRn's LEVEL_LOW/LEVEL_HIGH bits of pins 8(i/4).. from their input levels."""
        if self.pins is None:
            return 0
        word, first = 0, 2 * i                   # i = byte offset: register i/4, pins 8(i/4)..
        for k in range(8):
            pin = first + k
            if pin < PINS:
                word |= (2 if self.pins.input(pin) else 1) << 4 * k
        return word

    def store(self, off, value):
        if off < self.INTR:
            if off % 8 == 4:                     # CTRL; STATUS is read-only
                self.regs[off] = value & self.CTRL_MASK
                if self.pins is not None:
                    self.pins.changed()
        elif 0x100 <= off < self.END and not any(s <= off < s + 0x10 for s in self.INTS):
            # INTE/INTF: 30 pins x 4 bits; register 3 has 6 pins (bits 23:0)
            self.regs[off] = value & (0x00FF_FFFF if off % 0x10 == 0xC else 0xFFFF_FFFF)
        # INTR edge bits are write-1-to-clear and never latch here; INTS is read-only


class PadsBank0(Rp2040Block):
    """PADS_BANK0 (2.19.6.3, list of registers): VOLTAGE_SELECT at 0x0 (reset 0: 3.3 V), GPIO0-29
    at 4 + 4n (reset 0x56: IE, DRIVE 4 mA, PDE, SCHMITT), SWCLK at 0x7C (reset 0xDA: OD, IE,
    4 mA, PUE, SCHMITT), SWD at 0x80 (reset 0x5A: IE, 4 mA, PUE, SCHMITT). Fields: OD bit 7, IE
    bit 6, DRIVE 5:4, PUE bit 3, PDE bit 2, SCHMITT bit 1, SLEWFAST bit 0."""

    name = "pads_bank0"
    OD, IE, PUE, PDE = 1 << 7, 1 << 6, 1 << 3, 1 << 2
    RESET = {0x0: 0, **{4 + 4 * n: 0x56 for n in range(PINS)}, 0x7C: 0xDA, 0x80: 0x5A}

    def __init__(self, base: int):
        super().__init__(base)
        self.on_change: Callable[[], None] | None = None

    def pad(self, pin: int) -> int:
        return self.regs[4 + 4 * pin]

    def load(self, off):
        return self.regs.get(off, 0)

    def store(self, off, value):
        if off in self.RESET:                    # reserved offsets ignore writes
            self.regs[off] = value & (0x1 if off == 0 else 0xFF)
            if off and self.on_change is not None:
                self.on_change()


def _override(sel: int, v: int | None) -> int | None:
    """OUTOVER/OEOVER/INOVER: 0 as is, 1 inverted, 2 forced 0, 3 forced 1 (2.19.6.1); None (a
    peripheral mcusim does not route) stays None unless forced."""
    if sel >= 2:
        return sel - 2
    return None if v is None else v ^ sel


class Rp2040Pins:
    """The pin levels from SIO, IO_BANK0 and PADS_BANK0 together; `changed` re-reports the
    levels (the SIO port's signals for --vcd) after a CTRL or pad write."""

    def __init__(self, io: IoBank0, pads: PadsBank0):
        self.io, self.pads = io, pads
        self.sio_out = self.sio_oe = 0
        self.changed: Callable[[], None] = lambda: None
        io.pins = self
        pads.on_change = lambda: self.changed()

    def _drive(self, pin: int) -> tuple[int | None, int | None, int | None, int | None]:
        """(output from the peripheral, to the pad, output enable from it, to the pad); None
        where a peripheral mcusim does not route to pins drives it."""
        ctrl = self.io.ctrl(pin)
        funcsel = ctrl & 0x1F
        if funcsel == FUNCSEL_SIO:
            out, oe = (self.sio_out >> pin) & 1, (self.sio_oe >> pin) & 1
        elif funcsel == FUNCSEL_NULL:
            out, oe = 0, 0
        else:
            out = oe = None
        outover, oeover = (ctrl >> 8) & 3, (ctrl >> 12) & 3
        to_pad, oe_pad = _override(outover, out), _override(oeover, oe)
        if self.pads.pad(pin) & PadsBank0.OD:
            oe_pad = 0                           # OD has priority over every output enable
        return out, to_pad, oe, oe_pad

    def level(self, pin: int) -> str:
        _, out, _, oe = self._drive(pin)
        if oe is None:
            return "x"
        if oe:
            return "x" if out is None else str(out)
        pad = self.pads.pad(pin)
        pu, pd = pad & PadsBank0.PUE, pad & PadsBank0.PDE
        return "1" if pu and not pd else "0" if pd and not pu else "z"

    def input(self, pin: int) -> int:
        """The input after the pad's IE and INOVER (GPIO_IN, the peripherals' input)."""
        raw = int(self.pads.pad(pin) & PadsBank0.IE != 0 and self.level(pin) == "1")
        return _override((self.io.ctrl(pin) >> 16) & 3, raw)

    def status(self, pin: int) -> int:
        """GPIOn_STATUS: OUTFROMPERI 8, OUTTOPAD 9, OEFROMPERI 12, OETOPAD 13, INFROMPAD 17,
        INTOPERI 19 (2.19.6.1); bits a peripheral mcusim does not route read 0."""
        out, to_pad, oe, oe_pad = self._drive(pin)
        raw = int(self.pads.pad(pin) & PadsBank0.IE != 0 and self.level(pin) == "1")
        return ((out or 0) << 8 | (to_pad or 0) << 9 | (oe or 0) << 12 | (oe_pad or 0) << 13
                | raw << 17 | self.input(pin) << 19)
