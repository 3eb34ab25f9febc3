"""Counting timers with interrupts: STM32 TIM2-TIM7, nRF52 TIMER0-4, RP2040 TIMER.

No timer ticks per cycle. Each keeps its state at an anchor tick (core-clock ticks,
machine.now()) and derives its count at any read from the ticks since then, exactly (the
fraction of a timer clock left at a re-anchor is carried, so nothing drifts). The next event
(an update, a compare, an alarm) is scheduled with machine.events.at(tick, fn) and the machine
stops the core there; the event re-anchors, sets the flag, and raises the interrupt line
(machine.signals: pending in the NVIC, re-pended when the handler returns with the line high).
Clock changes (the core's, and an STM32 APB prescaler's: clocktree.base.ClockTree.set)
reach the timers through machine.clock.listeners.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from mcusim.sim.peripherals import Device

if TYPE_CHECKING:
    from mcusim.sim.machine import Machine


# STM32 APB bridges by address, the same on every STM32 family in boards/: APB1 from 0x4000_0000,
# APB2 from 0x4001_0000, AHB1 from 0x4002_0000 (RM0090 rev 19 Table 1; RM0385 Table 1; RM0433
# Table 8, D2 domain; RM0432 Table 3; RM0456 Table 4). The G0 has a single APB (RM0444 Table 6):
# its tree names one "pclk", which serves both.
APB2_BASE, AHB1_BASE = 0x4001_0000, 0x4002_0000
BUS_CLOCKS = {"apb1": ("pclk1", "pclk"), "apb2": ("pclk2", "pclk"), "peri": ("clk_peri",)}


def console_bus(machine: "Machine") -> str:
    """The APB of the board's console UART, from its address (STM32)."""
    base = int((getattr(machine.board, "uart", None) or {}).get("base", 0))
    return "apb2" if APB2_BASE <= base < AHB1_BASE else "apb1"


def bus_clock_hz(machine: "Machine", bus: str, timer: bool = False) -> int:
    """The clock of a peripheral on `bus`: "apb1"/"apb2" (STM32 PCLK1/PCLK2), "apb" (the console
    UART's APB), "peri" (RP2040 clk_peri), from the clock tree's bus clocks.

    timer: the APB timer clock instead, PCLKx when the APB prescaler is 1 and 2 x PCLKx
    otherwise (RM0090 rev 19 7.2, "The timer clock frequencies are automatically set by
    hardware"; likewise RM0385 5.2, RM0433 8.5 with TIMPRE = 0, RM0432 6.2, RM0444 5.2, RM0456
    11.4). TIMPRE (H7, F42x DCKCFGR) is not modelled.
    Without a clock tree, or a bus the tree does not name, the core clock (right at reset, when
    every prescaler is 1). Under --clock the ratio to the core clock the firmware configured is
    kept, as the forced core clock replaces the configured one."""
    core = machine.clock.hz
    tree = getattr(machine, "clock_tree", None)
    if tree is None:
        return core
    clocks = tree.clocks
    if bus == "apb":
        bus = console_bus(machine)
    hz = next((clocks[n] for n in BUS_CLOCKS.get(bus, ()) if clocks.get(n)), None)
    if hz is None:
        return core
    if timer and hz != clocks.get("hclk", hz):
        hz *= 2
    if tree.core_hz and tree.core_hz != core:
        hz = hz * core // tree.core_hz
    return hz


class TickConverter:
    """Counts of a clock at `hz` since an anchor tick of the core clock at `core_hz`."""

    def __init__(self, t0: int, core_hz: int, hz: int):
        self.t0, self.core_hz, self.hz = t0, core_hz, hz
        self.acc = 0            # the part of a count already elapsed at t0, in 1/core_hz units

    def count(self, t: int) -> int:
        return ((t - self.t0) * self.hz + self.acc) // self.core_hz

    def tick_of(self, n: int) -> int:
        """The first core tick at which count() reaches n."""
        need = n * self.core_hz - self.acc
        return self.t0 + max(0, -(-need // self.hz))

    def rebase(self, t: int) -> int:
        """Move the anchor to t; returns the counts between the old anchor and t."""
        total = (t - self.t0) * self.hz + self.acc
        n = total // self.core_hz
        self.t0, self.acc = t, total - n * self.core_hz
        return n

    def restart(self, t: int, hz: int | None = None) -> None:
        self.t0, self.acc = t, 0
        if hz is not None:
            self.hz = hz

    def set_rates(self, t: int, core_hz: int, hz: int) -> int:
        n = self.rebase(t)
        self.acc = self.acc * core_hz // self.core_hz
        self.core_hz, self.hz = core_hz, hz
        return n


class _Scheduled:
    """One pending event of a device: (re)scheduled and cancelled through the machine."""

    def __init__(self, machine: "Machine", fire: Callable[[], None]):
        self.machine, self.fire = machine, fire
        self.ev, self.tick = None, None

    def set(self, tick: int | None) -> None:
        self.machine.events.cancel(self.ev)
        self.ev, self.tick = None, tick
        if tick is not None:
            self.ev = self.machine.events.at(tick, self._run)
            self.machine.rearm()

    def _run(self) -> None:
        self.ev = None
        self.fire()

    def catch_up(self) -> None:
        """A register access at or past the event's tick sees its effect (the core may reach
        the access before the machine stops for the event, inside a block)."""
        if self.ev is not None and self.machine.now() >= self.tick:
            self.machine.events.cancel(self.ev)
            self._run()


# --- STM32 TIM2-TIM7 -------------------------------------------------------------------------

class Stm32Timer(Device):
    """General-purpose (TIM2-TIM5) and basic (TIM6/TIM7) timers: time base unit only.

    RM0090 18.3.2 / 18.4 (F4 TIM2-5), 20.3 / 20.4 (TIM6/7); the same time base on F7 (RM0385
    ch. 24, 26), H7 (RM0433 ch. 38, 40), L4 (RM0432 ch. 39, 41), G0 (RM0444 ch. 22, 23), U5
    (RM0456 ch. 53, 55). Modelled: CR1 CEN/UDIS/URS/OPM/DIR/ARPE/UIFREMAP, DIER.UIE, SR.UIF
    (rc_w0), EGR.UG, CNT (live), PSC (preloaded: takes effect at the next update), ARR
    (preloaded when ARPE=1). Up and down counting; the counter is blocked while ARR is 0.
    Not modelled: center-aligned modes (warned, counted as edge-aligned), capture/compare
    flags, slave modes, external clocks, DMA requests; their registers hold what is written."""

    CR1, CR2, SMCR, DIER, SR, EGR, CNT, PSC, ARR = (0x00, 0x04, 0x08, 0x0C, 0x10, 0x14, 0x24,
                                                    0x28, 0x2C)
    CEN, UDIS, URS, OPM, DIR, CMS, ARPE, UIFREMAP = 1, 2, 4, 8, 0x10, 0x60, 0x80, 0x800
    UIF = UIE = UG = 1

    def __init__(self, machine: "Machine", name: str, base: int, irq: int, bits: int,
                 arr_reset: int, bus: str):
        super().__init__(base, 0x400)
        self.machine, self.name, self.irq, self.bus = machine, name, irq, bus
        self.mask = (1 << bits) - 1
        self.cr1 = self.dier = self.sr = 0
        self.c0 = self.p0 = 0                       # counter and prescaler counter at anchor
        self.psc = self.psc_pre = 0
        self.arr = self.arr_pre = arr_reset & self.mask
        self.conv = TickConverter(0, machine.clock.hz, bus_clock_hz(machine, bus, timer=True))
        self.next = _Scheduled(machine, self._on_update)
        self.warned = False
        machine.signals.name_irq(irq, name)
        machine.signals.interrupt_line(irq, self.line)

    # counting
    @property
    def running(self) -> bool:
        return bool(self.cr1 & self.CEN)

    @property
    def down(self) -> bool:
        return bool(self.cr1 & self.DIR)

    def _first(self) -> int:
        """Counter increments from the anchor to the next overflow/underflow."""
        if self.down:
            return self.c0 + 1
        if self.c0 <= self.arr:
            return self.arr - self.c0 + 1
        return (self.mask + 1 - self.c0) + self.arr + 1     # past ARR: wraps at its width first

    def _state(self, n: int) -> tuple[int, int, int]:
        """(counter, prescaler counter, updates crossed) n timer clocks after the anchor."""
        total = self.p0 + n
        k, p = divmod(total, self.psc + 1)
        if self.arr == 0:
            return self.c0, p, 0                     # blocked while ARR is 0 (RM0090 18.3.2)
        first = self._first()
        if k < first:
            c = (self.c0 - k) if self.down else (self.c0 + k) & self.mask
            return c, p, 0
        ups, r = divmod(k - first, self.arr + 1)
        return (self.arr - r if self.down else r), p, ups + 1

    def _sync(self, t: int | None = None) -> int:
        """Re-anchor at t (default now); returns the updates crossed since the old anchor."""
        t = self.machine.now() if t is None else t
        if not self.running:
            self.conv.restart(t)
            return 0
        self.c0, self.p0, ups = self._state(self.conv.rebase(t))
        return ups

    def _schedule(self) -> None:
        if not self.running or self.arr == 0:
            self.next.set(None)
            return
        need = self._first() * (self.psc + 1) - self.p0
        self.next.set(self.conv.tick_of(need))

    def _on_update(self) -> None:
        if self._sync(self.next.tick):
            self._update_event(overflow=True)
        self._schedule()

    def _update_event(self, overflow: bool) -> None:
        """UEV (RM0090 18.3.2): shadow registers loaded, UIF set (by UG only when URS=0), the
        counter stops in one-pulse mode."""
        if self.cr1 & self.UDIS:
            return
        self.psc, self.arr = self.psc_pre, self.arr_pre
        if overflow or not self.cr1 & self.URS:
            self._set_flags(self.UIF)
        if overflow and self.cr1 & self.OPM:
            self.cr1 &= ~self.CEN

    def _set_flags(self, bits: int) -> None:
        was = self.line()
        self.sr |= bits
        if self.line() and not was:
            self.machine.signals.raise_line(self.irq)

    def line(self) -> bool:
        return bool(self.sr & self.dier & 0x5F)

    def clock_changed(self) -> None:
        self.next.catch_up()
        t = self.machine.now()
        if self.running:
            self.c0, self.p0, _ = self._state(self.conv.set_rates(
                t, self.machine.clock.hz, bus_clock_hz(self.machine, self.bus, timer=True)))
        else:
            self.conv.set_rates(t, self.machine.clock.hz, bus_clock_hz(self.machine, self.bus, timer=True))
        self._schedule()

    # registers
    def read(self, offset, size):
        aligned, shift = offset & ~3, 8 * (offset & 3)
        self.next.catch_up()
        if aligned == self.CR1:
            v = self.cr1
        elif aligned == self.DIER:
            v = self.dier
        elif aligned == self.SR:
            v = self.sr
        elif aligned == self.EGR:
            v = 0
        elif aligned == self.CNT:
            c = self._state(self.conv.count(self.machine.now()))[0] if self.running else self.c0
            v = c | ((self.sr & 1) << 31 if self.cr1 & self.UIFREMAP else 0)
        elif aligned == self.PSC:
            v = self.psc_pre
        elif aligned == self.ARR:
            v = self.arr_pre
        else:
            v = self.regs.get(aligned, 0)
        return v >> shift

    def write(self, offset, size, value):
        aligned, shift = offset & ~3, 8 * (offset & 3)
        value = (value << shift) & 0xFFFFFFFF
        self.next.catch_up()
        if aligned == self.CR1:
            self._sync()
            was_running = self.running
            self.cr1 = value & 0xFFF
            if self.cr1 & self.CMS and not self.warned:
                self.warned = True
                self.machine.warn(f"{self.name}: center-aligned counting is not modelled; "
                                  f"counted as edge-aligned")
            if self.running and not was_running:
                self.conv.restart(self.machine.now(), bus_clock_hz(self.machine, self.bus, timer=True))
            if not self.cr1 & self.ARPE and self.arr != self.arr_pre:
                self.arr = self.arr_pre
            self._schedule()
        elif aligned == self.DIER:
            was = self.line()
            self.dier = value & 0x7FFF
            if self.line() and not was:
                self.machine.signals.raise_line(self.irq)
        elif aligned == self.SR:
            self.sr &= value                          # rc_w0: writing 0 clears, 1 leaves
        elif aligned == self.EGR:
            if value & self.UG:
                self._sync()
                self.c0, self.p0 = (self.arr_pre if self.down else 0), 0
                if not self.cr1 & self.UDIS:
                    self._update_event(overflow=False)
                if self.running:
                    self.conv.restart(self.machine.now())
                self._schedule()
            if value & 0x5E:
                self._set_flags(value & 0x5E)         # CCxG, TG set their flags
        elif aligned == self.CNT:
            self._sync()
            self.c0 = value & self.mask
            if self.running:
                self.conv.restart(self.machine.now())   # keeps the prescaler phase at p0
            self._schedule()
        elif aligned == self.PSC:
            self.psc_pre = value & 0xFFFF
        elif aligned == self.ARR:
            self.arr_pre = value & self.mask
            if not self.cr1 & self.ARPE:
                self._sync()
                self.arr = self.arr_pre
                self._schedule()
        else:
            self.regs[aligned] = value


# --- nRF52 TIMER -------------------------------------------------------------------------

class NrfTimer(Device):
    """nRF52840 TIMER0-4 (PS v1.7, section 6.30): timer mode counts f_TIMER = 16 MHz /
    2^PRESCALER (reset 4: 1 MHz); counter mode counts TASKS_COUNT. COMPARE[n] fires when the
    counter becomes equal to CC[n] (BITMODE width: 16, 8, 24 or 32 bits); SHORTS
    COMPARE[n]_CLEAR / _STOP; INTENSET/INTENCLR; TASKS_CAPTURE copies the counter to CC[n].
    The interrupt line is high while an enabled EVENTS_COMPARE is set."""

    TASKS_START, TASKS_STOP, TASKS_COUNT, TASKS_CLEAR, TASKS_SHUTDOWN = 0x0, 0x4, 0x8, 0xC, 0x10
    TASKS_CAPTURE, EVENTS_COMPARE, SHORTS, INTENSET, INTENCLR = 0x40, 0x140, 0x200, 0x304, 0x308
    MODE, BITMODE, PRESCALER, CC = 0x504, 0x508, 0x510, 0x540
    BITS = {0: 16, 1: 8, 2: 24, 3: 32}
    BASE_HZ = 16_000_000        # PCLK16M: PS v1.7 section 6.30 (f_TIMER = 16 MHz / 2^PRESCALER)

    def __init__(self, machine: "Machine", name: str, base: int, irq: int, channels: int):
        super().__init__(base, 0x1000)
        self.machine, self.name, self.irq, self.n = machine, name, irq, channels
        self.running = False
        self.c0 = 0
        self.cc = [0] * channels
        self.events = [0] * channels
        self.shorts = self.inten = self.mode = self.bitmode = 0
        self.prescaler = 4
        self.conv = TickConverter(0, machine.clock.hz, self.BASE_HZ >> 4)
        self.next = _Scheduled(machine, self._on_compare)
        machine.signals.name_irq(irq, name)
        machine.signals.interrupt_line(irq, self.line)

    @property
    def mask(self) -> int:
        return (1 << self.BITS[self.bitmode & 3]) - 1

    def counter(self) -> int:
        if self.running and self.mode == 0:
            return (self.c0 + self.conv.count(self.machine.now())) & self.mask
        return self.c0

    def _sync(self) -> None:
        if self.running and self.mode == 0:
            self.c0 = (self.c0 + self.conv.rebase(self.machine.now())) & self.mask
        else:
            self.conv.restart(self.machine.now())

    def _distance(self, n: int) -> int:
        """Counts until the counter next becomes equal to CC[n] (None: never)."""
        if self.cc[n] > self.mask:
            return 0
        return ((self.cc[n] - self.c0) & self.mask) or (self.mask + 1)

    def _schedule(self) -> None:
        if not self.running or self.mode != 0:
            self.next.set(None)
            return
        d = [x for x in (self._distance(i) for i in range(self.n)) if x]
        self.next.set(self.conv.tick_of(min(d)) if d else None)

    def _on_compare(self) -> None:
        self.c0 = (self.c0 + self.conv.rebase(self.next.tick)) & self.mask
        self._compare()
        self._schedule()

    def _compare(self) -> None:
        """The counter has just become c0: every CC[n] equal to it fires, then the shorts."""
        hit = [i for i in range(self.n) if self.cc[i] == self.c0]
        was = self.line()
        for i in hit:
            self.events[i] = 1
        if self.line() and not was:
            self.machine.signals.raise_line(self.irq)
        if any(self.shorts >> i & 1 for i in hit):          # COMPARE[n]_CLEAR
            self.c0 = 0
        if any(self.shorts >> (8 + i) & 1 for i in hit):    # COMPARE[n]_STOP
            self.running = False

    def line(self) -> bool:
        return any(self.events[i] and self.inten >> (16 + i) & 1 for i in range(self.n))

    def clock_changed(self) -> None:
        self.next.catch_up()
        n = self.conv.set_rates(self.machine.now(), self.machine.clock.hz, self.conv.hz)
        if self.running and self.mode == 0:
            self.c0 = (self.c0 + n) & self.mask
        self._schedule()

    def read(self, offset, size):
        self.next.catch_up()
        if self.EVENTS_COMPARE <= offset < self.EVENTS_COMPARE + 4 * self.n:
            return self.events[(offset - self.EVENTS_COMPARE) // 4]
        if self.CC <= offset < self.CC + 4 * self.n:
            return self.cc[(offset - self.CC) // 4]
        if offset in (self.INTENSET, self.INTENCLR):
            return self.inten
        if offset == self.SHORTS:
            return self.shorts
        if offset == self.MODE:
            return self.mode
        if offset == self.BITMODE:
            return self.bitmode
        if offset == self.PRESCALER:
            return self.prescaler
        if offset < 0x100:
            return 0                                   # tasks are write-only
        return super().read(offset, size)

    def write(self, offset, size, value):
        self.next.catch_up()
        value &= 0xFFFFFFFF
        if offset < 0x100 and not value & 1:
            return                                     # a task is triggered by writing 1
        if offset == self.TASKS_START:
            if not self.running:
                self.running = True
                self.conv.restart(self.machine.now(), self.BASE_HZ >> min(self.prescaler, 9))
        elif offset in (self.TASKS_STOP, self.TASKS_SHUTDOWN):
            self._sync()
            self.running = False
        elif offset == self.TASKS_COUNT:
            if self.running and self.mode != 0:
                self.c0 = (self.c0 + 1) & self.mask
                self._compare()
        elif offset == self.TASKS_CLEAR:
            self._sync()
            self.c0 = 0
        elif self.TASKS_CAPTURE <= offset < self.TASKS_CAPTURE + 4 * self.n:
            self.cc[(offset - self.TASKS_CAPTURE) // 4] = self.counter()
            return
        elif self.EVENTS_COMPARE <= offset < self.EVENTS_COMPARE + 4 * self.n:
            self.events[(offset - self.EVENTS_COMPARE) // 4] = value & 1
            return
        elif offset == self.SHORTS:
            self.shorts = value
            return
        elif offset in (self.INTENSET, self.INTENCLR):
            was = self.line()
            self.inten = self.inten | value if offset == self.INTENSET else self.inten & ~value
            if self.line() and not was:
                self.machine.signals.raise_line(self.irq)
            return
        elif self.CC <= offset < self.CC + 4 * self.n:
            self._sync()
            self.cc[(offset - self.CC) // 4] = value
        elif offset == self.MODE:
            self._sync()
            self.mode = value & 3
        elif offset == self.BITMODE:
            self._sync()
            self.bitmode = value & 3
            self.c0 &= self.mask
        elif offset == self.PRESCALER:
            self.prescaler = value & 0xF      # takes effect at the next START (PS 6.30.5)
            return
        else:
            super().write(offset, size, value)
            return
        self._schedule()


# --- RP2040 TIMER -------------------------------------------------------------------------

class Rp2040Timer(Device):
    """RP2040 TIMER (datasheet section 4.6): a 64-bit microsecond count (the 1 µs tick the
    watchdog derives from clk_ref, section 4.7.2, taken as exact), four 32-bit alarms matched
    against its low word, ARMED (write 1 to disarm), INTR (write 1 to clear), INTE, INTF,
    INTS; TIMELR latches the high word for TIMEHR; TIMELW then TIMEHW set the count. The APB
    atomic aliases (+0x1000 XOR, +0x2000 SET, +0x3000 CLR, section 2.1.2) apply."""

    TIMEHW, TIMELW, TIMEHR, TIMELR, ALARM0, ARMED = 0x00, 0x04, 0x08, 0x0C, 0x10, 0x20
    TIMERAWH, TIMERAWL, DBGPAUSE, PAUSE, INTR, INTE, INTF, INTS = (
        0x24, 0x28, 0x2C, 0x30, 0x34, 0x38, 0x3C, 0x40)
    TICK_HZ = 1_000_000

    def __init__(self, machine: "Machine", name: str, base: int, irqs: list[int]):
        super().__init__(base, 0x4000)
        self.machine, self.name, self.irqs = machine, name, irqs
        self.time0 = 0                   # count at the anchor
        self.paused = False
        self.latched_hi = 0
        self.lw = 0
        self.alarm = [0] * 4
        self.armed = 0
        self.intr = self.inte = self.intf = 0
        self.dbgpause = 0x7              # reset value (section 4.6.5)
        self.conv = TickConverter(0, machine.clock.hz, self.TICK_HZ)
        self.nexts = [_Scheduled(machine, lambda i=i: self._on_alarm(i)) for i in range(4)]
        for i, irq in enumerate(irqs):
            machine.signals.name_irq(irq, f"{name}_ALARM{i}")
            machine.signals.interrupt_line(irq, lambda i=i: bool(self._ints() >> i & 1))

    def time(self, t: int | None = None) -> int:
        t = self.machine.now() if t is None else t
        n = 0 if self.paused else self.conv.count(t)
        return (self.time0 + n) & (1 << 64) - 1

    def _sync(self) -> None:
        n = self.conv.rebase(self.machine.now())
        if not self.paused:
            self.time0 = (self.time0 + n) & (1 << 64) - 1

    def _schedule(self, i: int) -> None:
        if self.paused or not self.armed >> i & 1:
            self.nexts[i].set(None)
            return
        now = self.machine.now()
        delta = (self.alarm[i] - self.time(now)) & 0xFFFFFFFF
        # the comparator matches continuously: an alarm equal to the count fires at once
        self.nexts[i].set(max(now, self.conv.tick_of(self.conv.count(now) + delta)))

    def _on_alarm(self, i: int) -> None:
        self.armed &= ~(1 << i)
        was = self._ints()
        self.intr |= 1 << i
        if self._ints() >> i & 1 and not was >> i & 1:
            self.machine.signals.raise_line(self.irqs[i])

    def _ints(self) -> int:
        return (self.intr | self.intf) & self.inte & 0xF

    def clock_changed(self) -> None:
        for n in self.nexts:
            n.catch_up()
        n = self.conv.set_rates(self.machine.now(), self.machine.clock.hz, self.TICK_HZ)
        if not self.paused:
            self.time0 = (self.time0 + n) & (1 << 64) - 1
        for i in range(4):
            self._schedule(i)

    def _value(self, reg: int) -> int:
        if reg == self.TIMEHR:
            return self.latched_hi
        if reg == self.TIMELR:
            t = self.time()
            self.latched_hi = t >> 32
            return t & 0xFFFFFFFF
        if reg == self.TIMERAWH:
            return self.time() >> 32
        if reg == self.TIMERAWL:
            return self.time() & 0xFFFFFFFF
        if self.ALARM0 <= reg < self.ALARM0 + 16:
            return self.alarm[(reg - self.ALARM0) // 4]
        return {self.ARMED: self.armed, self.DBGPAUSE: self.dbgpause, self.PAUSE: int(self.paused),
                self.INTR: self.intr, self.INTE: self.inte, self.INTF: self.intf,
                self.INTS: self._ints()}.get(reg, 0)

    def read(self, offset, size):
        for n in self.nexts:
            n.catch_up()
        return self._value(offset & 0xFFF)

    def write(self, offset, size, value):
        for n in self.nexts:
            n.catch_up()
        reg, alias = offset & 0xFFF, offset >> 12
        value &= 0xFFFFFFFF
        if alias and reg not in (self.TIMEHW, self.TIMELW):
            old = self._value(reg) if reg not in (self.ARMED, self.INTR) else 0
            if reg in (self.ARMED, self.INTR):    # write-1-to-clear: an alias acts on the bits
                value = value if alias in (1, 2) else 0
            else:
                value = (old ^ value, old | value, old & ~value)[alias - 1]
        if reg == self.TIMELW:
            self.lw = value
        elif reg == self.TIMEHW:
            self.time0 = (value << 32) | self.lw
            self.conv.restart(self.machine.now())
            for i in range(4):
                self._schedule(i)
        elif self.ALARM0 <= reg < self.ALARM0 + 16:
            i = (reg - self.ALARM0) // 4
            self.alarm[i] = value
            self.armed |= 1 << i
            self._schedule(i)
        elif reg == self.ARMED:
            self.armed &= ~value
            for i in range(4):
                self._schedule(i)
        elif reg == self.PAUSE:
            self._sync()
            self.paused = bool(value & 1)
            for i in range(4):
                self._schedule(i)
        elif reg in (self.INTR, self.INTE, self.INTF):
            was = self._ints()
            if reg == self.INTR:
                self.intr &= ~value
            elif reg == self.INTE:
                self.inte = value & 0xF
            else:
                self.intf = value & 0xF
            rose = self._ints() & ~was
            for i in range(4):
                if rose >> i & 1:
                    self.machine.signals.raise_line(self.irqs[i])
        elif reg == self.DBGPAUSE:
            self.dbgpause = value & 0x6


def add_timers(machine: "Machine") -> list[Device]:
    """Put the board's [[timer]] entries on the bus; they follow core clock changes."""
    devices: list[Device] = []
    for t in machine.board.timers:
        if t["kind"] == "stm32":
            d: Device = Stm32Timer(machine, t["name"], t["base"], t["irq"][0], t["bits"],
                                   t["arr_reset"], t["bus"])
        elif t["kind"] == "nrf52":
            d = NrfTimer(machine, t["name"], t["base"], t["irq"][0], t["channels"])
        else:
            d = Rp2040Timer(machine, t["name"], t["base"], t["irq"])
        devices.append(machine.bus.add(d))
    if devices:
        machine.clock.listeners.append(lambda hz: [d.clock_changed() for d in devices])
    return devices
