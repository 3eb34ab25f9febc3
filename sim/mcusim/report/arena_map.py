"""The arena plan as data for pictures: which tensor occupies which bytes during which layers.

The compiler puts the plan in RunResult.model["arena_plan"] as a list of
{"tensor", "name", "offset", "size", "first", "last"} (first/last = layer indices, inclusive).
Both the terminal picture and the HTML page draw from `blocks()` so they agree.
"""
from __future__ import annotations

from dataclasses import dataclass

# Keys of the legend: one character per tensor, readable without colour.
KEYS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


@dataclass(frozen=True)
class Block:
    key: str
    tensor: int
    name: str
    offset: int
    size: int
    first: int
    last: int
    label: str = ""              # short display name (see short_names)

    @property
    def end(self) -> int:
        return self.offset + self.size


def blocks(result) -> list[Block]:
    """The plan's tensors in offset order; malformed entries are skipped, not fatal."""
    plan = (result.model or {}).get("arena_plan") or []
    out = []
    for i, t in enumerate(plan):
        try:
            b = Block(KEYS[len(out) % len(KEYS)], int(t.get("tensor", i)), str(t.get("name", "")),
                      int(t["offset"]), int(t["size"]), int(t["first"]), int(t["last"]))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
        if b.size > 0 and b.last >= b.first:
            out.append(b)
    out.sort(key=lambda b: (b.offset, b.first))
    labels = short_names([b.name for b in out])
    # Re-key in display order so the legend reads top to bottom.
    return [Block(KEYS[i % len(KEYS)], b.tensor, b.name, b.offset, b.size, b.first, b.last,
                  labels[i] or f"t{b.tensor}") for i, b in enumerate(out)]


def short_names(names: list[str]) -> list[str]:
    """TFLite names of fused tensors run long ("functional_1/activation/Relu;functional_1/batch_
    normalization/..."): keep the first of the fused names and drop the path prefix they all
    share, so "activation/Relu" and "dense/BiasAdd" tell tensors apart in a narrow legend."""
    firsts = [n.split(";")[0] for n in names]
    paths = [f.split("/") for f in firsts if "/" in f]
    common = 0
    if len(paths) > 1:
        while all(len(p) > common + 1 and p[common] == paths[0][common] for p in paths):
            common += 1
    return ["/".join(f.split("/")[common:]) if "/" in f else f for f in firsts]


def extent(bs: list[Block]) -> int:
    return max((b.end for b in bs), default=0)


def layer_count(result, bs: list[Block]) -> int:
    return max(len(result.layers), max((b.last + 1 for b in bs), default=0))


def raster(bs: list[Block], layers: int, rows: int) -> tuple[list[list[Block | None]], int]:
    """Grid[row][layer] -> the block that covers most of that row's byte range, and the bytes per
    row. A tensor smaller than a row still shows when nothing larger shares its cell."""
    size = extent(bs)
    if not bs or not layers or not rows:
        return [], 0
    step = -(-size // rows)
    grid: list[list[Block | None]] = []
    for r in range(rows):
        lo, hi = r * step, (r + 1) * step
        row: list[Block | None] = []
        for layer in range(layers):
            best, best_overlap = None, 0
            for b in bs:
                if b.first <= layer <= b.last:
                    overlap = min(hi, b.end) - max(lo, b.offset)
                    if overlap > best_overlap:
                        best, best_overlap = b, overlap
            row.append(best)
        grid.append(row)
    return grid, step


def live_bytes(bs: list[Block], layers: int) -> list[int]:
    """Bytes of the arena in use during each layer (the plan's own peak is the max)."""
    return [sum(b.size for b in bs if b.first <= i <= b.last) for i in range(layers)]
