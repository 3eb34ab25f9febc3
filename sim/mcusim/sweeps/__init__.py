"""Design-space sweeps: every combination of models x boards x option axes through
`mcusim.api.run`, on a local process pool or on Ray, ranked by an objective and filtered by
requirements. `mcusim sweep SWEEP.toml` (commands/sweep.py) and `mcusim.sweep(...)` below.

    spec.py          the sweep (TOML or arguments), its axes and points
    figures.py       figures per point; requirement and objective expressions
    worker.py        one point -> record (the same everywhere)
    pool.py          local process pool;   ray_backend.py: Ray tasks
    store.py         JSON-lines results on disk, --resume
    execute.py       runs a sweep on a backend, ranks the records
    table.py, export.py, html.py, charts.py: terminal table, JSON/CSV, HTML page with plots
"""
from __future__ import annotations

from pathlib import Path


def sweep(models, boards, *, requirements=(), objective: str | None = None,
          jobs: int | None = None, ray: bool | str = False, results: str | Path | None = None,
          resume: bool = False, progress: bool = False, frame: bool = False, **axes):
    """Run models x boards x axes; return one row per point, best first.

    models: a path, a glob or a list of them; boards: a board name or TOML path, or a list;
    axes: kernels=[...], clock=[...], seed=[...], max_cycles=[...], max_time=[...],
    uart_timing=[...] (a single value is a one-value axis). requirements: expressions such as
    "latency_ms <= 100"; objective: "min latency_ms" (default) or "max FIGURE".
    jobs: worker processes (default: the number of cores); ray: True for a local Ray instance
    (or the one already initialised), or a cluster address. results: a JSON-lines file the
    records stream to; with resume=True, points already in it are not run again.

    Each row is a dict: model, board, options (axis -> value), status ("ok", "failed",
    "error"), error, exit_code, figures (mcusim.sweeps.figures.FIGURES), requirements
    (expression -> bool), meets, rank, result (the `mcusim run --json` object, None when the
    point could not run). frame=True returns a pandas DataFrame of the same rows instead,
    figures and options as columns.
    """
    from mcusim.errors import BadInput
    from mcusim.sweeps import execute, spec
    if frame:
        try:
            import pandas  # noqa: F401
        except ImportError:
            raise BadInput("frame=True needs pandas (pip install pandas)") from None
    if resume and results is None:
        raise BadInput("resume=True needs results=FILE: the records it resumes from")
    sw = spec.make(models, boards, axes, requirements, objective)
    records, _ = execute.execute(sw, jobs=jobs, ray=bool(ray),
                                 ray_address=ray if isinstance(ray, str) else None,
                                 results=Path(results) if results is not None else None,
                                 resume=resume, progress=progress)
    rows = execute.rank(sw, records)
    return to_frame(rows) if frame else rows


def to_frame(rows: list[dict]):
    """The rows as a pandas DataFrame: options, figures and requirement verdicts as columns,
    the run's JSON object in `result`."""
    import pandas
    return pandas.DataFrame([
        {"rank": r["rank"], "model": r["model"], "board": r["board"], **r["options"],
         "status": r["status"], "error": r["error"], "meets": r["meets"], **r["figures"],
         **{f"requirement: {k}": v for k, v in r["requirements"].items()},
         "result": r["result"]} for r in rows])
