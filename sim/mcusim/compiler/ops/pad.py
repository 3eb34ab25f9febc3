"""PAD / PADV2 int8 (up to 4-D; pad code = constant value or the output zero point)."""
from __future__ import annotations

import numpy as np

from mcusim.compiler import quant
from mcusim.compiler.ops._common import (bad, check_operands, check_rank, check_shape, cptr,
                                         dims_lit, tdesc)

OPS = ("PAD", "PADV2")


def check(node, g) -> None:
    check_operands(node, g, (2, 2) if node.op == "PAD" else (2, 3))
    quant.require_int8(node.op, node, g, [node.inputs[0], node.outputs[0]])
    pads = g.t(node.inputs[1])
    if pads.data is None:
        raise quant.unsupported(f"{node.op}: node {node.index}: paddings tensor "
                                f"{node.inputs[1]} ({pads.dtype}) must be constant")
    if len(g.t(node.inputs[0]).shape) > 4:
        raise quant.unsupported(f"{node.op}: node {node.index}: more than 4 dimensions")
    shape = g.t(node.inputs[0]).shape
    if pads.dtype not in ("int32", "int64") or list(pads.shape) != [len(shape), 2]:
        raise bad(node, f"paddings {tdesc(g, node.inputs[1])} must be int32 [{len(shape)}, 2] "
                        f"for input {tdesc(g, node.inputs[0])}")
    p = np.asarray(pads.data, np.int64).reshape(len(shape), 2)
    if (p < 0).any() or (p > (1 << 24)).any():
        raise bad(node, f"paddings {tdesc(g, node.inputs[1])} values {p.tolist()} must be "
                        f"between 0 and {1 << 24}")
    check_rank(node, g, node.outputs[0], "output", len(shape))
    check_shape(node, g, node.outputs[0], [d + a + b for d, (a, b) in zip(shape, p.tolist())],
                f"input padded by {p.tolist()}")
    if node.op == "PADV2" and len(node.inputs) > 2 and node.inputs[2] >= 0 \
            and g.t(node.inputs[2]).data is None:
        raise quant.unsupported(f"PADV2: node {node.index}: constant_values tensor "
                                f"{node.inputs[2]} must be constant")
    if node.op == "PADV2" and len(node.inputs) > 2 and node.inputs[2] >= 0:
        cv = g.t(node.inputs[2])
        if cv.dtype != "int8" or cv.data.size != 1:
            raise bad(node, f"constant_values {tdesc(g, node.inputs[2])} must be one int8 value")


def prepare(node, g) -> dict:
    i, o = g.t(node.inputs[0]), g.t(node.outputs[0])
    rank = len(i.shape)
    pads = np.asarray(g.t(node.inputs[1]).data).reshape(rank, 2).astype(np.int64)
    before = [0] * (4 - rank) + [int(x) for x in pads[:, 0]]
    after = [0] * (4 - rank) + [int(x) for x in pads[:, 1]]
    value = quant.zp_of(o)
    if len(node.inputs) > 2 and node.inputs[2] >= 0:
        value = int(np.asarray(g.t(node.inputs[2]).data).reshape(-1)[0])
    return dict(input_dims=quant.dims4(i.shape), before=before, after=after, pad_value=value)


def macs(node, g) -> int:
    return 0


def emit(node, g, ctx) -> str:
    p = prepare(node, g)
    arr = lambda v: "(const int32_t[4]){%s}" % ", ".join(str(x) for x in v)
    return (f"mcusim_pad_s8({dims_lit(p['input_dims'])}, {arr(p['before'])}, {arr(p['after'])}, "
            f"{p['pad_value']}, {cptr(ctx, node.inputs[0], const=True)}, "
            f"{cptr(ctx, node.outputs[0])});\n")
