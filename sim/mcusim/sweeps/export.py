"""--json and --csv of a sweep: every point with every figure of `mcusim run --json`.

JSON: {"schema": "mcusim-sweep/1", "sweep", "objective", "requirements", "axes", "points"},
one point a row as mcusim.sweeps.sweep returns it (its `result` is the run's JSON object).
CSV: one row a point: rank, model, board, the axes, status, error, meets, one column per
requirement, the sweep figures, then every field of the run's JSON object flattened with dots
(`memory.flash_used`, `cycle_breakdown.alu`, `arena.peak`); lists (layers, functions,
sections...) are one cell each, as JSON text.
"""
from __future__ import annotations

import csv
import io
import json

SCHEMA = "mcusim-sweep/1"


def to_json(rows: list[dict], sweep) -> dict:
    return {"schema": SCHEMA, "sweep": sweep.source, "objective": sweep.objective.text,
            "requirements": [r.text for r in sweep.requirements], "axes": sweep.axes,
            "points": rows}


def render_json(rows: list[dict], sweep) -> str:
    return json.dumps(to_json(rows, sweep), indent=1) + "\n"


def flatten(obj, prefix: str = "") -> dict:
    out = {}
    for k, v in obj.items():
        name = f"{prefix}{k}"
        if isinstance(v, dict) and v:
            out.update(flatten(v, name + "."))
        elif isinstance(v, (dict, list)):
            out[name] = json.dumps(v, separators=(",", ":"))
        else:
            out[name] = v
    return out


def render_csv(rows: list[dict], sweep) -> str:
    axes = list(sweep.axes)
    reqs = [r.text for r in sweep.requirements]
    flat = []
    for r in rows:
        row = {"rank": r["rank"], "model": r["model"], "board": r["board"],
               **{a: r["options"].get(a, "") for a in axes}, "status": r["status"],
               "error": r["error"], "meets": r["meets"],
               **{f"requirement: {q}": r["requirements"].get(q, "") for q in reqs},
               **r["figures"]}
        if r["result"]:
            row.update({f"run.{k}": v for k, v in flatten(r["result"]).items()})
        flat.append(row)
    columns: list[str] = []
    seen = set()
    for row in flat:
        for k in row:
            if k not in seen:
                seen.add(k)
                columns.append(k)
    out = io.StringIO()
    w = csv.DictWriter(out, columns, lineterminator="\n", restval="")
    w.writeheader()
    w.writerows(flat)
    return out.getvalue()
