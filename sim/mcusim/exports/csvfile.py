"""CSV export: one row per layer for model runs, one row per function for a plain ELF."""
from __future__ import annotations

import csv
import io

from mcusim.report.fmt import shape

LAYER_COLUMNS = ["index", "op", "name", "kernel", "input_shapes", "output_shape", "macs",
                 "cycles", "instructions", "macs_per_cycle", "share_pct", "time_us",
                 "start_cycle"]
FUNCTION_COLUMNS = ["name", "address", "calls", "self_cycles", "total_cycles", "instructions",
                    "self_share_pct", "self_time_us"]


def rows(result) -> tuple[list[str], list[list]]:
    us = 1e6 / result.clock_hz if result.clock_hz else 0.0
    if result.layers:
        total = sum(l.cycles for l in result.layers) or 1
        return LAYER_COLUMNS, [
            [l.index, l.op, l.name, l.kernel, " ".join(shape(s) for s in l.input_shapes),
             shape(l.output_shape), l.macs, l.cycles, l.instructions, f"{l.macs_per_cycle:.4f}",
             f"{100 * l.cycles / total:.2f}", f"{l.cycles * us:.3f}", l.start_cycle]
            for l in result.layers]
    total = result.cycles or 1
    funcs = sorted(result.functions, key=lambda f: (-f.self_cycles, f.name))
    return FUNCTION_COLUMNS, [
        [f.name, f"0x{f.address:08x}", f.calls, f.self_cycles, f.total_cycles, f.instructions,
         f"{100 * f.self_cycles / total:.2f}", f"{f.self_cycles * us:.3f}"] for f in funcs]


def render(result) -> str:
    header, body = rows(result)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    w.writerows(body)
    return out.getvalue()
