"""A progress line on stderr for long runs (only when RunOptions.progress, i.e. a terminal).

A helper thread samples the profiler's live counters twice a second; the emulator itself is
never interrupted, so runs stay deterministic."""
from __future__ import annotations

import contextlib
import sys
import threading
import time


@contextlib.contextmanager
def progress_line(enabled: bool, counters, clock_hz: int, delay: float = 1.0):
    if not enabled:
        yield
        return
    done = threading.Event()
    shown = False

    def show():
        nonlocal shown
        start = time.perf_counter()
        if done.wait(delay):
            return
        while not done.is_set():
            cycles, insns = counters.cycles, counters.instructions
            wall = time.perf_counter() - start + delay
            sys.stderr.write(f"\r  simulating: {cycles:,} cycles ({cycles / clock_hz:.3f} s of "
                             f"target time), {insns / wall / 1e6:.0f} M instructions/s ")
            sys.stderr.flush()
            shown = True
            done.wait(0.5)

    t = threading.Thread(target=show, daemon=True)
    t.start()
    try:
        yield
    finally:
        done.set()
        t.join(1)
        if shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
