"""Simulated time: the core clock the firmware configured, and events scheduled on it.

Time is counted in core-clock ticks since reset: the profiler's active cycles plus the cycles the
core slept (WFI/WFE). Peripherals that count (SysTick, timers) schedule their next event as a
tick; the machine stops the core at the earliest one (the profiler's deadline), fires it, and
resumes. When the firmware switches the core clock, `CoreClock` records the change with the tick
it happened at, so time in seconds is exact across changes and listeners (timers on a bus clock)
can re-derive their next event.
"""
from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field
from typing import Callable


@dataclass
class ClockChange:
    tick: int            # core-clock tick when the change took effect
    hz: int
    why: str             # e.g. "RCC: SW=PLL (PLLCLK 168 MHz)"


class CoreClock:
    """The core clock frequency over time. `forced` (--clock) pins it: changes the firmware makes
    are still recorded (with forced=True), but the frequency stays."""

    def __init__(self, reset_hz: int, forced_hz: int | None = None):
        self.forced = forced_hz is not None
        self.hz = forced_hz if forced_hz is not None else reset_hz
        self.changes: list[ClockChange] = [ClockChange(0, self.hz, "reset" if not self.forced
                                                       else "--clock")]
        self.requested: list[ClockChange] = []    # what the firmware asked for under --clock
        self.listeners: list[Callable[[int], None]] = []
        self.now: Callable[[], int] = lambda: 0

    def set_hz(self, hz: int, why: str) -> None:
        """The firmware switched the core clock to `hz` (from now on)."""
        hz = int(hz)
        if hz <= 0:
            return
        if self.forced:
            self.requested.append(ClockChange(self.now(), hz, why))
            return
        if hz == self.hz:
            return
        t = self.now()
        if self.changes and self.changes[-1].tick == t:
            self.changes[-1] = ClockChange(t, hz, why)
        else:
            self.changes.append(ClockChange(t, hz, why))
        self.hz = hz
        for fn in list(self.listeners):
            fn(hz)

    def seconds(self, tick_from: int, tick_to: int) -> float:
        """Seconds between two ticks, following every clock change in between."""
        total = 0.0
        for i, c in enumerate(self.changes):
            end = self.changes[i + 1].tick if i + 1 < len(self.changes) else None
            lo = max(tick_from, c.tick)
            hi = tick_to if end is None else min(tick_to, end)
            if hi > lo:
                total += (hi - lo) / c.hz
        return total

    def ticks_for(self, seconds: float) -> int:
        """Ticks from now that last `seconds` at the current frequency."""
        return max(1, round(seconds * self.hz))


@dataclass(order=True)
class _Event:
    tick: int
    seq: int
    fn: Callable[[], None] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)


class Scheduler:
    """Events at core-clock ticks. `next_tick()` is what the machine arms as the deadline."""

    def __init__(self):
        self._heap: list[_Event] = []
        self._seq = itertools.count()

    def at(self, tick: int, fn: Callable[[], None]) -> _Event:
        ev = _Event(int(tick), next(self._seq), fn)
        heapq.heappush(self._heap, ev)
        return ev

    @staticmethod
    def cancel(ev: _Event | None) -> None:
        if ev is not None:
            ev.cancelled = True

    def next_tick(self) -> int | None:
        while self._heap and self._heap[0].cancelled:
            heapq.heappop(self._heap)
        return self._heap[0].tick if self._heap else None

    def fire_due(self, now: int) -> int:
        """Run every event due at or before `now`, in tick order; returns how many ran."""
        n = 0
        while self._heap and self._heap[0].tick <= now:
            ev = heapq.heappop(self._heap)
            if not ev.cancelled:
                ev.fn()
                n += 1
        return n
