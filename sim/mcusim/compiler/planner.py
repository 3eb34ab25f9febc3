"""Static arena plan: every activation and scratch buffer at a fixed offset in one arena.

Buffers are the storage roots of non-constant tensors (aliases share their root's storage), minus
the model's inputs and outputs, which live in the caller's buffers (model_invoke's arguments),
plus each layer's scratch. A buffer lives from the layer that writes it first to the layer that
reads it last. Placement is greedy first-fit, like TFLM's GreedyMemoryPlanner, tried in several
orders (largest first, earliest first, longest-lived first); the smallest arena wins.
Elementwise layers whose input dies at that layer write in place.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from mcusim.compiler.ir import Graph
from mcusim.compiler.optimize import root

ALIGN = 8            # offsets are 8-byte aligned: word loads and int64 scratch are safe
INPLACE_OPS = {"RELU", "RELU6", "RELU_N1_TO_1", "LOGISTIC", "TANH", "QUANTIZE", "LEAKY_RELU",
               "HARD_SWISH", "ABS", "NEG"}


@dataclass
class Buffer:
    key: str                    # "t<index>" (tensor root) or "s<layer>" (scratch)
    size: int
    first: int                  # first layer position that writes it
    last: int                   # last layer position that reads it
    offset: int = -1
    tensors: list[int] = field(default_factory=list)


@dataclass
class Plan:
    size: int                               # arena bytes
    offsets: dict[int, int]                 # tensor root -> arena offset
    scratch: dict[int, int]                 # layer position -> arena offset
    buffers: list[Buffer]
    inplace: list[int]                      # layer positions that run in place


def _align(n: int) -> int:
    return (n + ALIGN - 1) // ALIGN * ALIGN


def plan(g: Graph, scratch_sizes: dict[int, int] | None = None) -> Plan:
    io = set(g.inputs) | set(g.outputs)
    bufs: dict[int, Buffer] = {}          # by tensor root
    share: dict[int, int] = {}            # in-place: root -> root whose storage it takes
    inplace: list[int] = []

    def home(r: int) -> int:
        while r in share:
            r = share[r]
        return r

    for pos, node in enumerate(g.nodes):
        for t in list(node.inputs) + list(node.outputs):
            if t < 0 or g.t(t).is_const:
                continue
            r = root(g, t)
            if r in io:
                continue
            b = bufs.setdefault(r, Buffer(f"t{r}", g.t(r).nbytes, pos, pos))
            b.first, b.last = min(b.first, pos), max(b.last, pos)
            b.tensors.append(t)
    _merge_inplace(g, bufs, share, inplace)
    merged: dict[int, Buffer] = {}
    for r, b in bufs.items():
        h = home(r)
        m = merged.setdefault(h, Buffer(f"t{h}", 0, b.first, b.last))
        m.size = max(m.size, b.size)
        m.first, m.last = min(m.first, b.first), max(m.last, b.last)
        m.tensors.extend(b.tensors)
    items = list(merged.values())
    for pos, n in sorted((scratch_sizes or {}).items()):
        if n > 0:
            items.append(Buffer(f"s{pos}", n, pos, pos))
    size = _place_best(items)
    offsets = {r: merged[home(r)].offset for r in bufs}
    scratch = {int(b.key[1:]): b.offset for b in items if b.key.startswith("s")}
    return Plan(size, offsets, scratch, items, inplace)


def _merge_inplace(g: Graph, bufs: dict, share: dict, inplace: list) -> None:
    for pos, node in enumerate(g.nodes):
        if node.op not in INPLACE_OPS or len(node.outputs) != 1:
            continue
        acts = [t for t in node.inputs if t >= 0 and not g.t(t).is_const]
        if len(acts) != 1:
            continue
        ri, ro = root(g, acts[0]), root(g, node.outputs[0])
        if ri not in bufs or ro not in bufs or ri in share or ro in share:
            continue
        bi, bo = bufs[ri], bufs[ro]
        if bi.last == pos and bo.first == pos and bi.size == bo.size \
                and g.t(ri).dtype == g.t(ro).dtype:
            share[ro] = ri
            inplace.append(pos)


def _place_best(items: list[Buffer]) -> int:
    orders = [
        lambda b: (-b.size, b.first),
        lambda b: (b.first, -b.size),
        lambda b: (-(b.last - b.first), -b.size),
        lambda b: (-b.size * (b.last - b.first + 1), b.first),
    ]
    best, best_offsets = None, None
    for key in orders:
        size = _place(sorted(items, key=key))
        if best is None or size < best:
            best, best_offsets = size, [b.offset for b in items]
    for b, off in zip(items, best_offsets or []):
        b.offset = off
    return best or 0


def _place(order: list[Buffer]) -> int:
    placed: list[Buffer] = []
    top = 0
    for b in order:
        busy = sorted((p.offset, p.offset + _align(p.size)) for p in placed
                      if p.first <= b.last and b.first <= p.last)
        off = 0
        for lo, hi in busy:
            if off + _align(b.size) <= lo:
                break
            off = max(off, hi)
        b.offset = off
        placed.append(b)
        top = max(top, off + b.size)      # the arena ends where the highest buffer ends
    return top
