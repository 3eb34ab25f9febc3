"""Where the cycles went: the top-functions table and the per-layer bars of the terminal report."""
from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text

from mcusim.report.bars import bar
from mcusim.report.fmt import grouped, percent, shape


def top_functions(functions, top: int) -> list:
    return sorted(functions, key=lambda f: (-f.self_cycles, f.name))[:max(top, 0)]


def functions_table(result, top: int) -> Table:
    total = result.cycles or sum(f.self_cycles for f in result.functions) or 1
    shown = top_functions(result.functions, top)
    t = Table(box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0), show_edge=False)
    t.add_column("function", no_wrap=True, max_width=34, overflow="ellipsis")
    t.add_column("calls", justify="right", no_wrap=True)
    t.add_column("self cycles", justify="right", no_wrap=True)
    t.add_column("self", justify="right", no_wrap=True)
    t.add_column("", no_wrap=True)
    t.add_column("inclusive", justify="right", no_wrap=True)
    t.add_column("incl", justify="right", no_wrap=True)
    for f in shown:
        t.add_row(f.name, grouped(f.calls), grouped(f.self_cycles), percent(f.self_cycles, total),
                  bar(f.self_cycles / total, 12, "magenta", track=False),
                  grouped(f.total_cycles), percent(f.total_cycles, total))
    if len(result.functions) > len(shown):
        rest_cycles = sum(f.self_cycles for f in result.functions) - sum(f.self_cycles for f in shown)
        t.add_row(Text(f"… {len(result.functions) - len(shown)} more", style="dim"), "",
                  grouped(rest_cycles), percent(rest_cycles, total), "", "", "")
    return t


def _shapes(layer) -> str:
    ins = layer.input_shapes or []
    first = shape(ins[0]) if ins else "-"
    more = f"+{len(ins) - 1}" if len(ins) > 1 else ""
    return f"{first}{more} → {shape(layer.output_shape)}"


def layers_table(result) -> Table:
    layers = result.layers
    total = sum(l.cycles for l in layers) or 1
    peak = max((l.cycles for l in layers), default=0) or 1
    t = Table(box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0), show_edge=False, show_footer=True)
    t.add_column("#", justify="right", no_wrap=True, footer="")
    t.add_column("op", no_wrap=True, max_width=18, overflow="ellipsis", footer="all layers")
    t.add_column("shapes", no_wrap=True, max_width=24, overflow="ellipsis", footer="")
    t.add_column("MACs", justify="right", no_wrap=True, footer=grouped(sum(l.macs for l in layers)))
    t.add_column("cycles", justify="right", no_wrap=True, footer=grouped(total))
    t.add_column("share of model cycles", no_wrap=True, footer="")
    macs = sum(l.macs for l in layers)
    t.add_column("MAC/c", justify="right", no_wrap=True, footer=f"{macs / total:.2f}")
    for l in layers:
        # Bars scale to the slowest layer so small layers stay visible; the % gives the share.
        row_bar = bar(l.cycles / peak, 16, "green", track=False)
        row_bar.append(f" {percent(l.cycles, total):>6}")
        t.add_row(str(l.index), l.op, _shapes(l), grouped(l.macs), grouped(l.cycles), row_bar,
                  f"{l.macs_per_cycle:.2f}" if l.macs else "-")
    return t
