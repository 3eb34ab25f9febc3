"""Signals over time for --vcd: pin levels the GPIO models drive and exception activity.

Devices declare a signal with its level at reset and report each new level; only real changes
are kept, with the core-clock tick they happened at (machine.now()). The exception model reports
entry and exit through `trace_exception(number, active)`; that wire is 1 while the handler is
active (also while a higher-priority handler preempts it, as the core's active bit says).

Device interrupt lines are levels (an STM32 TIM's UIF & UIE, an nRF52 EVENTS_COMPARE with its
INTEN bit): the NVIC latches a rising line as pending, and a line still high when its handler
returns pends the interrupt again (DDI 0403E B3.4.1, "level-sensitive interrupts"). Devices
register the line with `interrupt_line(irq, fn)`; `trace_exception(.., False)` re-pends it.
"""
from __future__ import annotations

from typing import Callable

# Core exception names (DDI 0403E B1.5.2, Table B1-4; ARMv8-M adds SecureFault, 7).
CORE_EXCEPTIONS = {1: "Reset", 2: "NMI", 3: "HardFault", 4: "MemManage", 5: "BusFault",
                   6: "UsageFault", 7: "SecureFault", 11: "SVCall", 12: "DebugMonitor",
                   14: "PendSV", 15: "SysTick"}
LIMIT = 5_000_000        # changes kept; a run that toggles pins forever stops recording here


class Signals:
    def __init__(self, now: Callable[[], int], set_pending: Callable[[int], None] | None = None):
        self.now = now
        self.set_pending = set_pending          # nvic.set_pending(irq), for level re-pends
        self.initial: dict[str, str] = {}       # name -> level at reset ("0", "1", "z", "x")
        self.kind: dict[str, str] = {}          # name -> "gpio" | "irq"
        self.level: dict[str, str] = {}
        self.changes: list[tuple[int, str, str] | None] = []   # (tick, name, level)
        self._last: dict[str, tuple[int, str]] = {}     # name -> (index in changes, level before)
        self.truncated = False
        self.irq_names: dict[int, list[str]] = {}        # external irq -> device names
        self._lines: dict[int, list[Callable[[], bool]]] = {}

    # --- pins ------------------------------------------------------------------------------------
    def declare(self, name: str, level: str, kind: str = "gpio") -> None:
        if name not in self.initial:
            self.initial[name], self.level[name], self.kind[name] = level, level, kind

    def set(self, name: str, level: str) -> None:
        if self.level.get(name) == level:
            return
        if name not in self.initial:
            self.declare(name, level)
            return
        t = self.now()
        last = self._last.get(name)
        if last is not None and self.changes[last[0]][0] == t:
            # two writes within one instant (one translated block): keep the final level only
            if level == last[1]:
                self.changes[last[0]] = None
                del self._last[name]
            else:
                self.changes[last[0]] = (t, name, level)
        elif len(self.changes) < LIMIT:
            self._last[name] = (len(self.changes), self.level[name])
            self.changes.append((t, name, level))
        else:
            self.truncated = True
        self.level[name] = level

    def changed(self) -> list[str]:
        """Names of the signals that changed at least once, in declaration order."""
        seen = {c[1] for c in self.changes if c is not None}
        return [n for n in self.initial if n in seen]

    # --- interrupts ---------------------------------------------------------------------------
    def name_irq(self, irq: int, device: str) -> None:
        names = self.irq_names.setdefault(irq, [])
        if device not in names:
            names.append(device)

    def exception_name(self, number: int) -> str:
        if number >= 16:
            irq = number - 16
            devices = self.irq_names.get(irq)
            return f"IRQ{irq}" + (f"_{'_'.join(devices)}" if devices else "")
        return CORE_EXCEPTIONS.get(number, f"exception{number}")

    def trace_exception(self, number: int, active: bool) -> None:
        """The exception model calls this on exception entry (active=True) and return (False)."""
        name = self.exception_name(number)
        self.declare(name, "0", "irq")
        self.set(name, "1" if active else "0")
        if not active and number >= 16:
            self.repend_if_high(number - 16)

    def interrupt_line(self, irq: int, high: Callable[[], bool]) -> None:
        self._lines.setdefault(irq, []).append(high)

    def raise_line(self, irq: int) -> None:
        """A device's line went high: the NVIC latches the interrupt as pending."""
        if self.set_pending is not None:
            self.set_pending(irq)

    def repend_if_high(self, irq: int) -> None:
        if self.set_pending is not None and any(fn() for fn in self._lines.get(irq, ())):
            self.set_pending(irq)

    # --- export -----------------------------------------------------------------------------
    def waveform(self, seconds: Callable[[int, int], float], end_tick: int) -> dict:
        """Plain data for RunResult.waveform: the pins that changed and every exception that
        was active, with times in picoseconds (`seconds(a, b)` follows clock changes)."""
        names = [n for n in self.changed() if self.kind[n] == "gpio"] + \
                [n for n in self.initial if self.kind[n] == "irq"]
        keep = set(names)

        def ps(tick: int) -> int:
            return round(seconds(0, tick) * 1e12)

        return {"timescale": "1ps",
                "signals": [{"name": n, "kind": self.kind[n], "initial": self.initial[n]}
                            for n in names],
                "changes": [[ps(c[0]), c[1], c[2]] for c in self.changes
                            if c is not None and c[1] in keep],
                "end": ps(end_tick), "truncated": self.truncated}
