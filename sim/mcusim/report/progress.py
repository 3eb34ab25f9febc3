"""A live progress line for long simulations: simulated cycles and time, instructions per second.

The runner calls `update(cycles, instructions)` between emulation slices (cheap: it returns at
once unless ~0.1 s passed), and `close()` at the end (or uses it as a context manager):

    with Progress(options.progress, board.clock_hz) as progress:
        while not done:
            uc.emu_start(pc, end, count=SLICE)        # or a timeout-bounded slice
            progress.update(profiler.cycles, profiler.instructions)

When the emulation runs as one long call (Unicorn releases the GIL while it runs native code),
`watching(read)` polls from a background thread instead, with no change to the run loop:

    with Progress(options.progress, board.clock_hz).watching(
            lambda: (profiler.cycles, profiler.instructions)):
        machine.run(pc)

Nothing is shown for the first second, nor ever when stdout is not a terminal. While the line is
up, text written to sys.stdout / sys.stderr (firmware output) is printed above it.
"""
from __future__ import annotations

import threading
import time

from rich.console import Console
from rich.live import Live
from rich.text import Text

from mcusim.report.fmt import grouped, human_hz, human_time

DELAY_S = 1.0        # runs shorter than this never show a line
REFRESH_S = 0.1


class Progress:
    def __init__(self, enabled: bool = True, clock_hz: int = 0, delay: float = DELAY_S,
                 console: Console | None = None, clock=time.monotonic):
        self.console = console or Console(highlight=False)
        self.enabled = bool(enabled) and self.console.is_terminal
        self.clock_hz = clock_hz
        self.delay = delay
        self._clock = clock
        self._start = clock()
        self._last = -1e9
        self._live: Live | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def shown(self) -> bool:
        return self._live is not None

    def line(self, cycles: int, instructions: int, now: float | None = None) -> Text:
        elapsed = max((now if now is not None else self._clock()) - self._start, 1e-9)
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("simulating… ", style="bold")
        text.append(f"{grouped(cycles)} cycles", style="bold")
        if self.clock_hz:
            text.append(f" = {human_time(cycles / self.clock_hz)} at {human_hz(self.clock_hz)}",
                        style="dim")
        text.append(f" · {instructions / elapsed / 1e6:,.1f} M instr/s · {elapsed:.0f} s")
        return text

    def update(self, cycles: int, instructions: int) -> None:
        if not self.enabled:
            return
        now = self._clock()
        if now - self._start < self.delay or now - self._last < REFRESH_S:
            return
        self._last = now
        text = self.line(cycles, instructions, now)
        if self._live is None:
            self._live = Live(text, console=self.console, auto_refresh=False, transient=True,
                              redirect_stdout=True, redirect_stderr=True)
            self._live.start()
        self._live.update(text, refresh=True)

    def watching(self, read) -> "Progress":
        """Poll `read() -> (cycles, instructions)` from a daemon thread until close()."""
        if self.enabled and self._thread is None:
            def poll():
                while not self._stop.wait(REFRESH_S):
                    try:
                        self.update(*read())
                    except Exception:  # noqa: BLE001 - a progress line must never kill a run
                        return
            self._thread = threading.Thread(target=poll, name="mcusim-progress", daemon=True)
            self._thread.start()
        return self

    def close(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None
        if self._live is not None:
            self._live.stop()
            self._live = None

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
