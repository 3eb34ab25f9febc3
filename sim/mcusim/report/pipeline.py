"""The pipeline section of the terminal report: decision, per-stage time, front-end memory."""
from __future__ import annotations

from rich.table import Table
from rich.text import Text


def pipeline_table(r) -> Table:
    hz = r.clock_hz or 1
    t = Table(box=None, pad_edge=False, show_edge=False)
    for col, just in (("stage", "left"), ("cycles", "right"), ("time", "right"),
                      ("share", "right")):
        t.add_column(col, justify=just)
    total = sum(s["cycles"] for s in r.stages if s["name"] in ("front end", "model")) or 1
    for s in r.stages:
        if s["name"].startswith("layer "):
            continue            # the layers table shows them
        top = s["name"] in ("front end", "model")
        name = s["name"] if top else "  " + s["name"].split(": ", 1)[-1]
        t.add_row(Text(name, style="bold" if top else ""), f"{s['cycles']:,}",
                  f"{1e3 * s['cycles'] / hz:.3f} ms",
                  f"{100 * s['cycles'] / total:.1f}%")
    return t


def pipeline_summary(r) -> Text:
    p, d = r.pipeline, r.decision
    t = Text()
    if d:
        t.append("decision: ", style="bold")
        t.append(f"{d['label']}", style="bold green")
        t.append(f" (output {d['index']}, score {d['score']:.3f})\n")
    t.append(f"end to end {1e3 * p['latency_s']:.2f} ms · {p['energy_per_decision_uj']:.1f} µJ "
             f"per decision · front end: scratch {p['frontend_scratch_bytes']:,} B"
             f"{' (in the model arena)' if p.get('frontend_scratch_in_arena') else ''}, tables "
             f"{p['frontend_table_bytes']:,} B flash, audio buffer {p['audio_bytes']:,} B")
    if "every_s" in p:
        t.append(f"\nevery {p['every_s']:g} s ({p['decisions']} simulated): active "
                 f"{100 * p['duty_cycle']:.2f}% · asleep at {p['sleep_power_mw']:.3f} mW · "
                 f"average {p['average_power_mw']:.3f} mW")
        b = p.get("battery")
        if b:
            t.append(f" · battery {b['capacity_mah']:g} mAh @ {b['volts']:g} V: ", style="")
            t.append(f"{b['life_days']:.1f} days", style="bold")
    return t
