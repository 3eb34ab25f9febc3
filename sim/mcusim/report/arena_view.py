"""The arena plan in the terminal: tensor lifetimes (x: layers) against offsets (y), plus the
planned / measured / TFLM sizes. Each tensor is drawn with its legend letter, so the picture
reads the same with or without colour."""
from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from mcusim.report import arena_map
from mcusim.report.fmt import human_bytes, percent

PALETTE = ["cyan", "magenta", "green", "yellow", "blue", "red", "bright_cyan", "bright_magenta",
           "bright_green", "bright_yellow", "bright_blue", "bright_red"]
LABEL = 10          # width of the offset labels on the left


def _style(b: arena_map.Block) -> str:
    return f"black on {PALETTE[arena_map.KEYS.index(b.key) % len(PALETTE)]}"


def arena_summary(result) -> Text:
    """planned · measured peak · model I/O buffers, then mcusim against TFLM like for like: TFLM's
    arena holds the model's input and output tensors while mcusim's firmware reads and writes
    the caller's buffers, so both sides are compared with their I/O (arena + I/O vs TFLM)."""
    a = result.arena or {}
    text = Text("arena: ")
    parts = [(label, a[key]) for key, label in (("planned", "planned"), ("peak", "peak"),
                                                 ("io", "model I/O buffers (outside it)"))
             if key in a and not (key == "io" and a.get("io_in_arena"))]
    if a.get("io_in_arena"):        # planned with the activations: counted once, in the arena
        parts.append(("model I/O", 0))
    for i, (label, value) in enumerate(parts):
        text.append((" · " if i else "") + (f"{label} {human_bytes(value)}" if label !=
                                           "model I/O" else "model I/O inside the arena"))
    if a.get("peak", 0) > a.get("planned", a.get("peak", 0)):
        text.append("  measured peak exceeds the plan!", style="bold red")
    if a.get("tflm") and "planned" in a:
        tflm = a["tflm"]
        if "io" in a:
            mine = a["planned"] + a["io"]
            text.append(f"\nvs TFLM (both with model I/O): arena + I/O {human_bytes(mine)} vs "
                        f"TFLM {human_bytes(tflm)} = {mine / tflm:.2f}x ")
        else:       # an old result without the I/O size: say what is compared
            mine = a["planned"]
            text.append(f"\nvs TFLM: arena without I/O {human_bytes(mine)} vs TFLM "
                        f"{human_bytes(tflm)} with I/O = {mine / tflm:.2f}x ")
        saved = tflm - mine
        text.append(f"({percent(abs(saved), tflm)} {'smaller' if saved >= 0 else 'larger'})",
                    style="green" if saved >= 0 else "yellow")
    return text


def arena_picture(result, width: int = 100, rows: int = 12):
    """A Group (picture + legend), or None when the run has no arena plan."""
    bs = arena_map.blocks(result)
    if not bs:
        return None
    layers = arena_map.layer_count(result, bs)
    cell = max(1, min(6, (width - LABEL - 2) // max(layers, 1)))
    shown = min(layers, (width - LABEL - 2) // cell)
    grid, step = arena_map.raster(bs, shown, min(rows, max(4, len(bs))))
    lines = []
    header = Text(" " * LABEL + "│")
    for i in range(shown):
        header.append(str(i)[-cell:].ljust(cell) if cell > 1 or i % 5 == 0 else " ",
                      style="dim")
    lines.append(Text(" " * (LABEL - 7) + "layer →", style="dim"))
    lines.append(header)
    for r, row in enumerate(grid):
        line = Text()
        line.append(f"{human_bytes(r * step):>{LABEL - 1}} │", style="dim")
        for b in row:
            if b is None:
                line.append(" " * cell)
            else:
                line.append(b.key * cell, style=_style(b))
        lines.append(line)
    lines.append(Text(f"{human_bytes(arena_map.extent(bs)):>{LABEL - 1}} ┴" + "─" * (shown * cell),
                      style="dim"))
    if shown < layers:
        lines.append(Text(f"(first {shown} of {layers} layers shown)", style="dim"))
    return Group(*lines, _legend(bs, width))


def _legend(bs, width: int) -> Table:
    per_row = max(1, width // 33)
    cw = (width - 2 * (per_row - 1)) // per_row
    t = Table.grid(padding=(0, 2, 0, 0))
    for _ in range(per_row):
        t.add_column(no_wrap=True, width=cw, overflow="ellipsis")
    cells = []
    for b in bs:
        tail = f"{human_bytes(b.size)} L{b.first}-{b.last}"
        name = b.label
        room = cw - 3 - len(tail)
        if len(name) > room:      # cut the name, never the figures
            name = name[:room - 1] + "…"
        cell = Text()
        cell.append(b.key, style=_style(b))     # only the key is coloured, like its blocks
        cell.append(f" {name} ")
        cell.append(tail, style="dim")
        cells.append(cell)
    for i in range(0, len(cells), per_row):
        chunk = cells[i:i + per_row]
        t.add_row(*chunk, *[""] * (per_row - len(chunk)))
    return t
