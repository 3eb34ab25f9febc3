"""Run a sweep's points on a backend, streaming records to disk, then rank them.

The order of the result never depends on the backend or on which point finished first: rows
come back sorted (points meeting every requirement first, by the objective; then the others,
by the objective; then the points that could not run), ties kept in sweep order.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from mcusim.errors import EXIT_USAGE
from mcusim.sweeps import store
from mcusim.sweeps.figures import figures
from mcusim.sweeps.spec import Sweep, is_board_file


def execute(sweep: Sweep, jobs: int | None = None, ray: bool = False,
            ray_address: str | None = None, results: Path | None = None,
            resume: bool = False, progress: bool = False) -> tuple[list[dict], dict]:
    """-> (records in sweep order, stats {points, resumed, ran, seconds})."""
    points = sweep.points()
    todo = [dict(p.to_json(), key=p.key) for p in points]
    done: dict[str, dict] = {}
    if results is not None and resume:
        old = store.read(results)
        done = {p.key: old[p.key] for p in points if p.key in old and _final(old[p.key])}
        todo = [p for p in todo if p["key"] not in done]
    writer = store.Writer(results, resume) if results is not None else None
    jobs = jobs or os.cpu_count() or 1
    bar = _Progress(len(points), len(done)) if progress else None
    fresh: dict[str, dict] = {}

    def on_record(rec: dict) -> None:
        fresh[rec["key"]] = rec
        if writer:
            writer.write(rec)
        if bar:
            bar.advance(rec)

    t0 = time.perf_counter()
    try:
        if bar:
            bar.start()
        if todo and ray:
            from mcusim.sweeps.ray_backend import run_ray
            run_ray(todo, ray_address, jobs, on_record, is_board_file,
                    tick=bar.tick if bar else None)
        elif todo:
            from mcusim.sweeps.pool import run_local
            run_local(todo, jobs, on_record, tick=bar.tick if bar else None)
    finally:
        if bar:
            bar.stop()
        if writer:
            writer.close()
    seconds = time.perf_counter() - t0
    recs = [fresh.get(p.key) or done.get(p.key) for p in points]
    stats = {"points": len(points), "resumed": len(done), "ran": len(fresh),
             "seconds": seconds}
    return [r for r in recs if r is not None], stats


def _final(rec: dict) -> bool:
    """A record --resume keeps: a run, or a refusal of the input (it would be refused again).
    An internal error, a lost worker or a failed build may not recur: those points run again."""
    return rec.get("status") != "error" or rec.get("exit_code") == EXIT_USAGE


def rank(sweep: Sweep, records: list[dict]) -> list[dict]:
    """Records -> rows: the point, its status, figures, each requirement's verdict, `meets`
    (all of them hold) and `rank` (1 = best), sorted as the module says."""
    rows = []
    for i, rec in enumerate(records):
        res = rec.get("result")
        figs = figures(res) if res else {}
        checks = {r.text: bool(res) and r.holds(figs) for r in sweep.requirements}
        row = {"model": rec["point"]["model"], "board": rec["point"]["board"],
               "options": dict(rec["point"]["options"]), "status": rec["status"],
               "error": rec.get("error", ""), "exit_code": rec.get("exit_code"),
               "figures": figs, "requirements": checks,
               "meets": rec["status"] == "ok" and all(checks.values()),
               "result": res, "_order": i}
        rows.append(row)

    def sort_key(row):
        group = 0 if row["meets"] else 1 if row["result"] else 2
        return (group, sweep.objective.sort_value(row["figures"]), row["_order"])

    rows.sort(key=sort_key)
    for n, row in enumerate(rows, 1):
        row["rank"] = n
        del row["_order"]
    return rows


class _Progress:
    """A rich progress bar with ETA on stderr (terminal only). Refreshed by the backends' wait
    loops (tick), not by a thread: the local pool forks its workers after it has started."""

    def __init__(self, total: int, completed: int):
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                   TimeElapsedColumn, TimeRemainingColumn)
        self.p = Progress(TextColumn("sweep"), BarColumn(), MofNCompleteColumn(),
                          TextColumn("points ·"), TimeElapsedColumn(), TextColumn("· eta"),
                          TimeRemainingColumn(), TextColumn("{task.fields[last]}"),
                          console=Console(stderr=True), auto_refresh=False)
        self.task = self.p.add_task("sweep", total=total, completed=completed, last="")
        self.failed = 0

    def start(self) -> None:
        self.p.start()
        self.p.refresh()

    def stop(self) -> None:
        self.p.stop()

    def tick(self) -> None:
        self.p.refresh()

    def advance(self, rec: dict) -> None:
        if rec["status"] != "ok":
            self.failed += 1
        pt = rec["point"]
        last = f"· {Path(pt['model']).stem} on {Path(pt['board']).stem}"
        if self.failed:
            last += f" · {self.failed} failed"
        self.p.update(self.task, advance=1, last=last)
        self.p.refresh()
