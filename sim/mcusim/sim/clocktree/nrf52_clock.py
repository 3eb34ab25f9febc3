"""nRF52840 CLOCK and POWER (one peripheral at 0x40000000, ID 0, shared interrupt POWER_CLOCK =
IRQ 0), from the nRF52840 Product Specification v1.7, sections 5.3 (POWER) and 5.4 (CLOCK).

The CPU always runs at 64 MHz (PS 5.4, "HFCLK controller": the 64 MHz HFCLK comes from HFINT until
HFXO is started); starting HFXO changes the clock's accuracy, not its frequency, so the core clock
never changes here. Start-up times (HFXO about 0.25 ms, PS 6.x electrical specification) are not
modelled: a task's event is raised at the task write.

CLOCK registers (PS 5.4.4): TASKS_HFCLKSTART 0x000, TASKS_HFCLKSTOP 0x004, TASKS_LFCLKSTART 0x008,
TASKS_LFCLKSTOP 0x00C, TASKS_CAL 0x010, TASKS_CTSTART 0x014, TASKS_CTSTOP 0x018;
EVENTS_HFCLKSTARTED 0x100, EVENTS_LFCLKSTARTED 0x104, EVENTS_DONE 0x10C, EVENTS_CTSTARTED 0x128,
EVENTS_CTSTOPPED 0x12C; INTENSET 0x304 / INTENCLR 0x308 (shared with POWER); HFCLKRUN 0x408,
HFCLKSTAT 0x40C (SRC bit 0: 1 = Xtal, STATE bit 16), LFCLKRUN 0x414, LFCLKSTAT 0x418 (SRC 1:0,
STATE bit 16), LFCLKSRCCOPY 0x41C, LFCLKSRC 0x518; the rest (HFXODEBOUNCE, CTIV, TRACECONFIG,
LFRCMODE) read back what was written.
POWER registers (PS 5.3.7): RESETREAS 0x400 (reset 0: power-on reset; write 1 to clear),
USBREGSTATUS 0x438 (0: no VBUS), MAINREGSTATUS 0x640 (0: normal voltage), RAM[n].POWER
0x900 + 0x10 n (reset 0xFFFF) with POWERSET +4 / POWERCLR +8 (n = 0..8); POFCON, GPREGRET,
GPREGRET2, DCDCEN, DCDCEN0 are storage; SYSTEMOFF 0x500 is storage (System OFF is not modelled).
"""
from __future__ import annotations

from mcusim.sim.clocktree.base import ClockTree, RegisterBlock

IRQ_POWER_CLOCK = 0
# Event register -> its INTEN bit (PS 5.4.4 INTEN and 5.3.7 INTEN).
EVENT_BIT = {0x100: 0, 0x104: 1, 0x10C: 3, 0x110: 4, 0x128: 10, 0x12C: 11,
             0x108: 2, 0x114: 5, 0x118: 6, 0x11C: 7, 0x120: 8, 0x124: 9}
INTENSET, INTENCLR = 0x304, 0x308
HFCLKRUN, HFCLKSTAT, LFCLKRUN, LFCLKSTAT, LFCLKSRCCOPY, LFCLKSRC = \
    0x408, 0x40C, 0x414, 0x418, 0x41C, 0x518
RESETREAS = 0x400
RAM_POWER = range(0x900, 0x900 + 9 * 0x10, 0x10)


class Nrf52ClockPower(RegisterBlock):
    name = "clock-power"
    RESET = {0x510: 0, **{r: 0xFFFF for r in RAM_POWER}}

    def __init__(self, machine, tree: ClockTree):
        super().__init__(0x4000_0000, 0x1000)
        self.machine, self.tree = machine, tree
        self.inten = 0

    def _event(self, reg: int) -> None:
        self.regs[reg] = 1
        if self.inten >> EVENT_BIT[reg] & 1:
            nvic = getattr(self.machine, "nvic", None)
            if nvic is not None:
                nvic.set_pending(IRQ_POWER_CLOCK)

    def load(self, off: int) -> int:
        if off in (INTENSET, INTENCLR):
            return self.inten
        if off in (p + 4 for p in RAM_POWER) or off in (p + 8 for p in RAM_POWER):
            return 0                                   # POWERSET/POWERCLR are write-only
        return super().load(off)

    def store(self, off: int, value: int) -> None:
        if off < 0x100:                                # tasks: trigger on writing 1
            if value & 1:
                self._task(off)
        elif off == INTENSET:
            self.inten |= value
        elif off == INTENCLR:
            self.inten &= ~value
        elif off in (HFCLKSTAT, LFCLKSTAT, LFCLKSRCCOPY, HFCLKRUN, LFCLKRUN, 0x438, 0x640):
            pass                                       # read-only status
        elif off == RESETREAS:
            self.regs[off] = self.regs.get(off, 0) & ~value
        elif off - 4 in RAM_POWER:                     # RAM[n].POWERSET
            self.regs[off - 4] = self.regs.get(off - 4, 0) | value
        elif off - 8 in RAM_POWER:                     # RAM[n].POWERCLR
            self.regs[off - 8] = self.regs.get(off - 8, 0) & ~value
        else:
            self.regs[off] = value                     # events (firmware clears them), config

    def _task(self, off: int) -> None:
        if off == 0x000:                               # HFCLKSTART: HFXO runs, HFCLK from Xtal
            self.regs[HFCLKRUN] = 1
            self.regs[HFCLKSTAT] = 1 | 1 << 16
            self._event(0x100)
        elif off == 0x004:                             # HFCLKSTOP: back to HFINT
            self.regs[HFCLKRUN] = 0
            self.regs[HFCLKSTAT] = 0
        elif off == 0x008:                             # LFCLKSTART with the source in LFCLKSRC
            src = self.regs.get(LFCLKSRC, 0) & 3
            self.regs[LFCLKRUN] = 1
            self.regs[LFCLKSRCCOPY] = src
            self.regs[LFCLKSTAT] = src | 1 << 16
            self._event(0x104)
        elif off == 0x00C:
            self.regs[LFCLKRUN] = 0
            self.regs[LFCLKSTAT] = 0
        elif off == 0x010:                             # CAL: calibration of LFRC done
            self._event(0x10C)
        elif off == 0x014:
            self._event(0x128)
        elif off == 0x018:
            self._event(0x12C)
        # POWER tasks CONSTLAT (0x78) and LOWPWR (0x7C) change wake-up latency only.


def install(machine, clock_tree: dict):
    tree = ClockTree(machine, machine.board.reset_clock_hz)
    return tree, [Nrf52ClockPower(machine, tree)]
