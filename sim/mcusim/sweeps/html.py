"""--html of a sweep: one self-contained page (no network): the ranked table, the Pareto plot
(latency vs energy; colour = board, marker = model; hollow = misses a requirement) and each
board's memory headroom, both SVG from matplotlib (charts.py)."""
from __future__ import annotations

import html
from pathlib import Path

from mcusim.report.fmt import human_bytes, human_energy
from mcusim.sweeps import charts
from mcusim.sweeps.table import varying

CSS = """body{font:14px system-ui,sans-serif;margin:24px;color:#222}
table{border-collapse:collapse;font-size:13px}td,th{padding:3px 8px;border-bottom:1px solid #ddd}
td{white-space:nowrap}td.n{text-align:right;font-variant-numeric:tabular-nums}.ok{color:#1a7f37}.bad{color:#c62828}
svg{max-width:100%;height:auto}h2{margin-top:28px}"""


def _cell(text, cls: str = "") -> str:
    return f"<td{f' class={cls!r}' if cls else ''}>{html.escape(str(text))}</td>"


def render(rows: list[dict], sweep) -> str:
    e = html.escape
    axes = varying(rows)
    reqs = [r.text for r in sweep.requirements]
    head = ["#", "model", "board", *axes, "latency", "energy", "flash", "RAM free", "arena",
            *reqs, "status"]
    body = []
    for r in rows:
        f = r["figures"]
        cells = [_cell(r["rank"], "n"), _cell(Path(r["model"]).stem), _cell(Path(r["board"]).stem)]
        cells += [_cell(r["options"].get(a, "")) for a in axes]
        if r["result"]:
            cells += [_cell(f"{f['latency_ms']:,.3f} ms", "n"),
                      _cell(human_energy(f["energy_uj"]), "n"),
                      _cell(human_bytes(f["flash_bytes"]), "n"),
                      _cell(human_bytes(f["ram_free_bytes"]), "n"),
                      _cell("-" if f["arena_bytes"] is None else human_bytes(f["arena_bytes"]),
                            "n")]
            cells += [_cell("✓", "ok") if r["requirements"][q] else _cell("✗", "bad")
                      for q in reqs]
        else:
            cells += [_cell("-")] * (5 + len(reqs))
        status = "ok" if r["status"] == "ok" else f"{r['status']}: {r['error']}"
        cells.append(_cell(status, "ok" if r["status"] == "ok" else "bad"))
        body.append("<tr>" + "".join(cells) + "</tr>")
    ran = [r for r in rows if r["result"]]
    title = f"mcusim sweep {Path(sweep.source).name}" if sweep.source else "mcusim sweep"
    meets = sum(r["meets"] for r in rows)
    summary = (f"{len(rows)} points · objective {sweep.objective.text}"
               + (f" · requirements: {', '.join(reqs)} · {meets} meet all" if reqs else ""))
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{e(title)}</title>"
             f"<style>{CSS}</style></head><body><h1>{e(title)}</h1><p>{e(summary)}</p>"]
    if ran:
        parts.append("<h2>Latency and energy</h2><p>Colour = board, marker = model; hollow "
                     "markers miss a requirement; the grey steps join the Pareto front (no "
                     "other point is both faster and cheaper).</p>")
        parts.append(charts.pareto_svg(rows))
        parts.append("<h2>Memory headroom</h2><p>Flash and RAM left per board and model (the "
                     "least over the point's options).</p>")
        parts.append(charts.headroom_svg(rows))
    parts.append("<h2>Points</h2><table><thead><tr>"
                 + "".join(f"<th>{e(h)}</th>" for h in head)
                 + "</tr></thead><tbody>" + "".join(body) + "</tbody></table></body></html>\n")
    return "".join(parts)
