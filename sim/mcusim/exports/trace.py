"""Chrome/Perfetto trace event JSON: layers and functions as complete ("X") slices on the
simulated time axis, in µs at the board clock (open in ui.perfetto.dev or chrome://tracing).

Layers and functions go on separate tracks (tids) so each track nests properly."""
from __future__ import annotations

import json

from mcusim.report.fmt import human_hz

PID = 1
TRACKS = {"layer": (1, "layers"), "function": (2, "functions")}


def _slices(result) -> list[dict]:
    """The profiler's events, plus layer slices from LayerStat when it recorded none."""
    events = [e for e in result.events if e.get("cat") in TRACKS and int(e.get("dur", 0)) > 0]
    if not any(e["cat"] == "layer" for e in events):
        events += [{"name": l.name or f"{l.index} {l.op}", "cat": "layer",
                    "start": l.start_cycle, "dur": l.cycles} for l in result.layers if l.cycles]
    return events


def build(result) -> dict:
    clock = result.clock_hz or 1
    us = 1e6 / clock
    by_name = {l.name: l for l in result.layers if l.name}
    trace = []
    for e in _slices(result):
        start, dur = int(e["start"]), int(e["dur"])
        ts = start * us
        args = {"cycles": dur, "start_cycle": start}
        layer = by_name.get(e["name"]) if e["cat"] == "layer" else None
        if layer is not None:
            args.update(index=layer.index, op=layer.op, macs=layer.macs, kernel=layer.kernel)
        # dur from the two rounded ends, so a child never sticks out of its parent.
        trace.append({"name": e["name"], "cat": e["cat"], "ph": "X", "pid": PID,
                      "tid": TRACKS[e["cat"]][0], "ts": ts, "dur": (start + dur) * us - ts,
                      "args": args})
    # Parents before children at equal start: longer first.
    trace.sort(key=lambda ev: (ev["ts"], -ev["dur"], ev["tid"]))
    meta = [{"name": "process_name", "ph": "M", "pid": PID, "tid": 0,
             "args": {"name": f"{result.board} ({result.core} @ {human_hz(result.clock_hz)})"}}]
    for tid, label in TRACKS.values():
        meta.append({"name": "thread_name", "ph": "M", "pid": PID, "tid": tid,
                     "args": {"name": label}})
        meta.append({"name": "thread_sort_index", "ph": "M", "pid": PID, "tid": tid,
                     "args": {"sort_index": tid}})
    return {"traceEvents": meta + trace, "displayTimeUnit": "ns",
            "otherData": {"time_axis": "simulated", "clock_hz": result.clock_hz,
                          "cycles": result.cycles, "target": result.target or result.elf}}


def render(result) -> str:
    return json.dumps(build(result), separators=(",", ":")) + "\n"
