"""Static arena plan: every activation and scratch buffer at a fixed offset in one arena.

Buffers are the storage roots of non-constant tensors (aliases share their root's storage), minus
the model's inputs and outputs, which live in the caller's buffers (model_invoke's arguments),
plus each layer's scratch. A buffer lives from the layer that writes it first to the layer that
reads it last. Placement is greedy first-fit, like TFLM's GreedyMemoryPlanner, tried in several
orders (largest first, earliest first, longest-lived first); the smallest arena wins.
Elementwise layers whose input dies at that layer write in place (unary ops, and ADD/MUL without
broadcasting: the kernels read element i of every input before they write element i).

Streaming overlap: a CONV_2D or DEPTHWISE_CONV_2D whose input dies at that layer may write its
output over the part of its input it has already consumed. The kernels' contract (every conv and
depthwise kernel, portable and optimized): output pixels are produced in raster order, a few at a
time; while any byte of output row r is written, the kernel may still read input rows from
(r - 1) * stride - pad_top onwards and may already have written up to the end of output row
r + 1 (one row of slack either way, for pixel blocking across a row end). So the input may start
`delta` bytes after the output (delta from that rule, see stream_delta) instead of after its end.
Overlaps are enabled where they shrink the arena: one at a time at the peak layers, by
live-bytes level (every layer holding at least L bytes), and with at most EXHAUSTIVE_MAX
candidates every subset, whichever plan is smallest.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from mcusim.compiler.ir import Graph
from mcusim.compiler.optimize import root
from mcusim.compiler.quant import compute_padding

ALIGN = 8            # offsets are 8-byte aligned: word loads and int64 scratch are safe
INPLACE_OPS = {"RELU", "RELU6", "RELU_N1_TO_1", "LOGISTIC", "TANH", "QUANTIZE", "LEAKY_RELU",
               "HARD_SWISH", "ABS", "NEG"}
INPLACE_BINARY = {"ADD", "MUL"}          # in place only when no input is broadcast
STREAMING_OPS = {"CONV_2D", "DEPTHWISE_CONV_2D"}
EXHAUSTIVE_MAX = 9   # up to this many overlap candidates every subset is tried (2^9 plans; KWS
                     # with its input in the arena has 9: 16,960 -> 16,264 B on the M4)


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
    # streaming overlaps: (layer position, input buffer key, output buffer key, delta): the
    # input starts at least delta bytes after the output (or the two do not overlap at all)
    overlaps: list[tuple[int, str, str, int]] = field(default_factory=list)
    # the model's inputs and outputs are planned in the arena (X-CUBE-AI's --allocate-inputs
    # / --allocate-outputs): offsets[root] of each I/O tensor is its place in the arena
    io_arena: bool = False


def _align(n: int) -> int:
    return (n + ALIGN - 1) // ALIGN * ALIGN


def plan(g: Graph, scratch_sizes: dict[int, int] | None = None, io_arena: bool = False) -> Plan:
    """io_arena: the model's inputs and outputs are arena buffers too: an input lives from
    before the first layer (the application writes it) to its last reader, an output from its
    producer to after the last layer (the application reads it), so in-place and streaming
    overlaps apply to them like to any activation (the inference may overwrite its input)."""
    io = set() if io_arena else {root(g, t) for t in list(g.inputs) + list(g.outputs)}
    ins = {root(g, t) for t in g.inputs}
    outs = {root(g, t) for t in g.outputs}
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
    for r, b in bufs.items():
        if r in ins:
            b.first = 0                          # written by the application before the run
        if r in outs:
            b.last = len(g.nodes)                # read by the application after the last layer
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
    candidates = {}
    for pos, node in enumerate(g.nodes):
        if node.op not in STREAMING_OPS or not node.inputs or node.inputs[0] < 0 \
                or root(g, node.inputs[0]) not in bufs or root(g, node.outputs[0]) not in bufs:
            continue
        bi, bo = merged[home(root(g, node.inputs[0]))], merged[home(root(g, node.outputs[0]))]
        if bi is not bo and bi.last == pos and bo.first == pos:
            d = stream_delta(g, node)
            if d is not None:
                candidates[(id(bi), id(bo))] = (pos, bi, bo, d)
    size, chosen = _choose_overlaps(items, candidates)
    offsets = {r: merged[home(r)].offset for r in bufs}
    scratch = {int(b.key[1:]): b.offset for b in items if b.key.startswith("s")}
    overlaps = sorted((pos, bi.key, bo.key, d) for pos, bi, bo, d in
                      (candidates[k] for k in chosen))
    return Plan(size, offsets, scratch, items, inplace, overlaps, io_arena)


def stream_delta(g: Graph, node) -> int | None:
    """Smallest (input offset - output offset) with which a streaming conv may overwrite its
    consumed input, under the contract in the module docstring; None when not applicable."""
    x, y = g.t(node.inputs[0]), g.t(node.outputs[0])
    if len(node.inputs) < 2 or node.inputs[1] < 0 or len(x.shape) != 4 or len(y.shape) != 4 \
            or x.shape[0] != 1 or y.shape[0] != 1 or len(g.t(node.inputs[1]).shape) != 4:
        return None
    _, ih, iw, ic = x.shape
    _, oh, ow, oc = y.shape
    kh = g.t(node.inputs[1]).shape[1]
    if min(ih, iw, ic, oh, ow, oc, kh) <= 0:
        return None
    sh = int(node.options.get("stride_h", 1) or 1)
    dh = int(node.options.get("dilation_h_factor", 1) or 1)
    _, pad_top = compute_padding(str(node.options.get("padding", "SAME")), ih, kh, sh, dh)
    in_row, out_row = x.nbytes // ih, y.nbytes // oh
    delta = 0
    for r in range(oh):
        first = (r - 1) * sh - pad_top          # first input row still needed (one row slack)
        if first >= ih:
            break
        delta = max(delta, min(r + 2, oh) * out_row - max(first, 0) * in_row)
    return _align(delta)


def _choose_overlaps(items: list[Buffer], candidates: dict) -> tuple[int, dict]:
    """Enable overlaps at the layers where the arena peaks: the one that shrinks it most, else
    all of that peak's together; again until nothing shrinks it. Returns (size, chosen) with
    the buffers placed for that choice."""
    chosen: dict = {}
    best = _place_best(items, chosen)
    while True:
        peaks = _peak_layers(items, best)
        tries = [k for k, c in candidates.items() if k not in chosen and c[0] in peaks]
        step = None
        for k in tries:
            size = _place_best(items, {**chosen, k: candidates[k][3]})
            if size < (step[0] if step else best):
                step = (size, {k: candidates[k][3]})
        if step is None and len(tries) > 1:
            group = {k: candidates[k][3] for k in tries}
            size = _place_best(items, {**chosen, **group})
            if size < best:
                step = (size, group)
        if step is None:
            break
        best = step[0]
        chosen.update(step[1])
        _place_best(items, chosen)            # the chosen plan's offsets, for _peak_layers
    # one at a time can stall when the next layers down need overlaps too: also try the
    # overlaps of every layer holding at least L live bytes, for each L
    live = {pos: sum(b.size for b in items if b.first <= pos <= b.last)
            for pos in {c[0] for c in candidates.values()}}
    for level in sorted(set(live.values()), reverse=True):
        group = {k: c[3] for k, c in candidates.items() if live[c[0]] >= level}
        size = _place_best(items, group)
        if size < best:
            best, chosen = size, group
    # few candidates: every subset (a chain of equal layers needs overlaps at some layers and
    # not others, which neither search above reaches: KWS 16,512 -> 16,264 B)
    if len(candidates) <= EXHAUSTIVE_MAX:
        keys = list(candidates)
        for n in range(1, len(keys) + 1):
            for sub in itertools.combinations(keys, n):
                group = {k: candidates[k][3] for k in sub}
                size = _place_best(items, group)
                if size < best:
                    best, chosen = size, group
    return _place_best(items, chosen), chosen


def _peak_layers(items: list[Buffer], size: int) -> set[int]:
    """Layers during which some live buffer reaches the top of the arena."""
    return {pos for b in items if b.offset + b.size >= size
            for pos in range(b.first, b.last + 1)}


def _merge_inplace(g: Graph, bufs: dict, share: dict, inplace: list) -> None:
    for pos, node in enumerate(g.nodes):
        if len(node.outputs) != 1:
            continue
        acts = [t for t in node.inputs if t >= 0 and not g.t(t).is_const]
        if node.op in INPLACE_BINARY:
            shape = tuple(g.t(node.outputs[0]).shape)
            if any(tuple(g.t(t).shape) != shape for t in node.inputs if t >= 0):
                continue                        # broadcasting reads inputs out of step
        elif node.op not in INPLACE_OPS or len(acts) != 1:
            continue
        ro = root(g, node.outputs[0])
        for t in acts:
            ri = root(g, t)
            if ri not in bufs or ro not in bufs or ri in share or ro in share or ri == ro:
                continue
            bi, bo = bufs[ri], bufs[ro]
            if bi.last == pos and bo.first == pos and bi.size == bo.size \
                    and g.t(ri).dtype == g.t(ro).dtype:
                share[ro] = ri
                inplace.append(pos)
                break


def _place_best(items: list[Buffer], pairs: dict | None = None) -> int:
    orders = [
        lambda b: (-b.size, b.first),
        lambda b: (b.first, -b.size),
        lambda b: (-(b.last - b.first), -b.size),
        lambda b: (-b.size * (b.last - b.first + 1), b.first),
        lambda b: (-b.last, -b.size),           # latest first: a streaming output below its input
    ]
    best, best_offsets = None, None
    pairs = pairs or {}
    for key in orders:
        order = sorted(items, key=key)
        for seq in ([order, _outputs_first(order, pairs), _pairs_first(order, pairs)]
                    if pairs else [order]):
            size = _place(seq, pairs)
            if best is None or size < best:
                best, best_offsets = size, [b.offset for b in items]
    for b, off in zip(items, best_offsets or []):
        b.offset = off
    return best or 0


def _outputs_first(order: list[Buffer], pairs: dict) -> list[Buffer]:
    """The same order, except that a streaming output comes before its input: first-fit then
    puts the output low and its input just above it (a chain of overlaps stacks downwards)."""
    outs: dict[int, list[Buffer]] = {}
    by_id = {id(b): b for b in order}
    for i, o in pairs:
        if i in by_id and o in by_id:
            outs.setdefault(i, []).append(by_id[o])
    seq, done = [], set()
    for first in order:                 # depth-first, outputs before inputs (no recursion)
        stack = [(first, False)]
        while stack:
            b, ready = stack.pop()
            if ready:
                seq.append(b)
            elif id(b) not in done:
                done.add(id(b))
                stack.append((b, True))
                stack.extend((o, False) for o in reversed(outs.get(id(b), ())))
    return seq


def _pairs_first(order: list[Buffer], pairs: dict) -> list[Buffer]:
    """The buffers of the enabled overlaps first (outputs before inputs), then the others: a
    chain of overlaps is laid out before anything else can take the room under it."""
    ids = {i for pair in pairs for i in pair}
    seq = _outputs_first([b for b in order if id(b) in ids], pairs)
    return seq + [b for b in order if id(b) not in ids]


def _busy(p: Buffer, b: Buffer, pairs: dict) -> tuple[int, int]:
    """(lo, hi): b may start at `off` only if off + size(b) <= lo or off >= hi."""
    d = pairs.get((id(p), id(b)))
    if d is not None:               # p is the streaming input, b its output: b at <= p - delta
        return p.offset - min(d, _align(b.size)) + _align(b.size), p.offset + _align(p.size)
    d = pairs.get((id(b), id(p)))
    if d is not None:               # p is the output, b its input: b at >= p + delta
        return p.offset, p.offset + min(d, _align(p.size))
    return p.offset, p.offset + _align(p.size)


def _place(order: list[Buffer], pairs: dict) -> int:
    placed: list[Buffer] = []
    top = 0
    for b in order:
        busy = sorted(_busy(p, b, pairs) for p in placed
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
