"""Local backend: the points on a pool of worker processes (or in this process for one job).

Workers are forked where the platform allows it: spawned ones would re-import the user's main
script, which a search script without an `if __name__ == "__main__":` guard cannot survive. The
parent starts no thread before the fork (the progress display refreshes without one). Workers
ignore SIGINT, so Ctrl-C reaches only the parent, which stops them and keeps what finished.
A worker that dies (a crash in native code, the OOM killer) breaks the pool: the unfinished
points run again on a new pool, and a point is recorded as an error after MAX_TRIES losses.
"""
from __future__ import annotations

import multiprocessing
import signal
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from mcusim.sweeps.worker import run_point

MAX_TRIES = 3
TICK_S = 0.5


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def lost(point: dict, why: str) -> dict:
    return {"key": point["key"], "point": {k: point[k] for k in ("model", "board", "options")},
            "status": "error", "error": why, "exit_code": 3, "result": None}


def run_local(points: list[dict], jobs: int, on_record, tick=None) -> None:
    """Run every point; on_record(record) is called in this process as each one finishes,
    tick() about twice a second while workers run (the progress display's clock)."""
    if jobs <= 1 or len(points) <= 1:
        for p in points:
            on_record(run_point(p))
        return
    pending = {p["key"]: p for p in points}
    tries = dict.fromkeys(pending, 0)
    while pending:
        ex = ProcessPoolExecutor(max_workers=min(jobs, len(pending)),
                                 mp_context=_context(),
                                 initializer=_ignore_sigint)
        try:
            futures = {ex.submit(run_point, p): k for k, p in pending.items()}
            todo = set(futures)
            while todo:
                done, todo = wait(todo, timeout=TICK_S, return_when=FIRST_COMPLETED)
                if tick:
                    tick()
                for f in done:
                    key = futures[f]
                    try:
                        rec = f.result()
                    except BrokenProcessPool:
                        tries[key] += 1
                        if tries[key] >= MAX_TRIES:
                            on_record(lost(pending.pop(key), f"worker process died "
                                                             f"{MAX_TRIES} times on this point"))
                        continue
                    pending.pop(key, None)
                    on_record(rec)
        except BaseException:
            _stop(ex)
            raise
        ex.shutdown(wait=True)


def _stop(ex: ProcessPoolExecutor) -> None:
    """Ctrl-C or an error in the parent: end the workers now, not after their current point."""
    for proc in list((getattr(ex, "_processes", None) or {}).values()):
        try:
            proc.terminate()
        except Exception:  # noqa: BLE001 - already gone
            pass
    ex.shutdown(wait=False, cancel_futures=True)
