"""One point of a sweep: the same `mcusim.api.run` as `mcusim run`, as a JSON-ready record.

Used unchanged by the local pool, by Ray tasks and in-process (--jobs 1), so every backend
gives the same record for the same point. A point that cannot run (a model that does not fit a
board, a clock the board cannot reach) is a record with its one-line reason, not an exception:
the sweep goes on.
"""
from __future__ import annotations

from mcusim.errors import McusimError


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def run_point(point: dict) -> dict:
    """point: {"key", "model", "board", "options"} -> {"key", "point", "status", "error",
    "exit_code", "result"}; status "ok" (exit 0), "failed" (the firmware faulted or hit a
    limit: figures kept) or "error" (no run)."""
    from mcusim import api
    from mcusim.sweeps.spec import run_options
    rec = {"key": point["key"],
           "point": {k: point[k] for k in ("model", "board", "options")}}
    try:
        opts = api.RunOptions(echo_stdout=False, progress=False,
                              **run_options(point["options"]))
        result = api.run(point["model"], point["board"], opts)
    except McusimError as e:
        return {**rec, "status": "error", "error": one_line(e), "exit_code": e.exit_code,
                "result": None}
    except Exception as e:  # noqa: BLE001 - a crash in one point must not end the sweep
        return {**rec, "status": "error", "exit_code": 3, "result": None,
                "error": one_line(f"internal error: {type(e).__name__}: {e}")}
    ok = result.exit_code == 0 and result.stop.reason == "exit"
    return {**rec, "status": "ok" if ok else "failed",
            "error": "" if ok else one_line(result.stop.message or f"exit {result.exit_code}"),
            "exit_code": result.exit_code, "result": result.to_json()}
