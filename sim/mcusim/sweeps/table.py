"""The terminal table of a sweep: one row per point, best first, with pass/fail per requirement."""
from __future__ import annotations

from pathlib import Path

from rich import box
from rich.table import Table

from mcusim.report.fmt import human_bytes, human_energy

ERROR_CHARS = 70


def varying(rows: list[dict]) -> list[str]:
    """The axes that take more than one value (the others are the same on every row)."""
    names: list[str] = []
    for r in rows:
        for k in r["options"]:
            if k not in names:
                names.append(k)
    return [n for n in names if len({repr(r["options"].get(n)) for r in rows}) > 1]


def label(path: str) -> str:
    return Path(path).stem


def _num(v, fmt: str) -> str:
    return "-" if v is None else fmt.format(v)


def build(rows: list[dict], sweep, stats: dict | None = None) -> Table:
    axes = varying(rows)
    meets = sum(r["meets"] for r in rows)
    title = (f"sweep: {len(rows)} points · objective {sweep.objective.text}"
             + (f" · {meets} meet every requirement" if sweep.requirements else ""))
    if stats:
        title += f" · {stats['ran']} run, {stats['resumed']} resumed"
    caption = " · ".join(f"req{i}: {q.text}" for i, q in enumerate(sweep.requirements, 1))
    t = Table(title=title, title_justify="left", caption=caption or None,
              caption_justify="left", box=box.SIMPLE_HEAD, pad_edge=False,
              collapse_padding=True)
    # a model or board that is the same on every row goes to the title, not a column
    models = {r["model"] for r in rows}
    boards = {r["board"] for r in rows}
    if len(models) == 1:
        t.title += f" · model {label(next(iter(models)))}"
    if len(boards) == 1:
        t.title += f" · board {label(next(iter(boards)))}"
    t.add_column("#", justify="right", no_wrap=True)
    if len(models) > 1:
        t.add_column("model", overflow="fold")
    if len(boards) > 1:
        t.add_column("board", no_wrap=True)
    for a in axes:
        t.add_column(a, no_wrap=True)
    for name in ("latency", "energy", "flash", "RAM free", "arena"):
        t.add_column(name, justify="right", no_wrap=True)
    for i, _ in enumerate(sweep.requirements, 1):
        t.add_column(f"req{i}", justify="center", no_wrap=True)
    status = any(r["status"] != "ok" for r in rows)      # a column only when a point failed
    if status:
        t.add_column("status", min_width=8)
    for r in rows:
        f = r["figures"]
        cells = [str(r["rank"])] + ([label(r["model"])] if len(models) > 1 else []) \
            + ([label(r["board"])] if len(boards) > 1 else [])
        cells += [str(r["options"].get(a, "")) for a in axes]
        if r["result"]:
            cells += [_num(f["latency_ms"], "{:,.2f} ms"), human_energy(f["energy_uj"]),
                      human_bytes(f["flash_bytes"]), human_bytes(f["ram_free_bytes"]),
                      "-" if f["arena_bytes"] is None else human_bytes(f["arena_bytes"])]
        else:
            cells += ["-"] * 5
        cells += [("[green]✓[/]" if r["requirements"][q.text] else "[red]✗[/]")
                  if r["result"] else "-" for q in sweep.requirements]
        if not status:
            pass
        elif r["status"] == "ok":
            cells.append("[green]ok[/]")
        else:
            err = r["error"]
            err = err if len(err) <= ERROR_CHARS else err[:ERROR_CHARS - 1] + "…"
            cells.append(f"[red]{r['status']}[/]: {_escape(err)}")
        t.add_row(*cells)
    return t


def _escape(text: str) -> str:
    from rich.markup import escape
    return escape(text)
