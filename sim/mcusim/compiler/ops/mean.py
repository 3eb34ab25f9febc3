"""MEAN int8 over any axes of an (up to) 4-D input (TFLM's integer path)."""
from __future__ import annotations

import numpy as np

from mcusim.compiler import quant
from mcusim.compiler.ops._common import (bad, check_operands, cptr, dims_lit, nelems, params_lit,
                                         tdesc)

OPS = ("MEAN",)


def check(node, g) -> None:
    check_operands(node, g, (2, 2))
    quant.require_int8("MEAN", node, g, [node.inputs[0], node.outputs[0]])
    ax = g.t(node.inputs[1])
    if ax.data is None:
        raise quant.unsupported(f"MEAN: node {node.index}: axis tensor {node.inputs[1]} "
                                f"({ax.dtype}) must be constant")
    shape = g.t(node.inputs[0]).shape
    if len(shape) > 4:
        raise quant.unsupported(f"MEAN: node {node.index}: more than 4 dimensions")
    rank = len(shape)
    values = np.asarray(ax.data).reshape(-1)
    if ax.dtype not in ("int32", "int64") or not all(-rank <= int(a) < rank for a in values):
        raise bad(node, f"axis {tdesc(g, node.inputs[1])} values {values.tolist()[:8]} must be "
                        f"integers within the input's rank {rank}")
    axes = _axes(node, g)
    kept = nelems([d for k, d in enumerate(shape) if k not in axes])
    if nelems(g.t(node.outputs[0]).shape) != kept:
        raise bad(node, f"output {tdesc(g, node.outputs[0])} does not match the computed "
                        f"{kept} element(s) (input {list(shape)} reduced over axes {axes})")


def _axes(node, g) -> list[int]:
    rank = len(g.t(node.inputs[0]).shape)
    axes = {int(a) + rank if int(a) < 0 else int(a)
            for a in np.asarray(g.t(node.inputs[1]).data).reshape(-1)}
    return sorted(axes)


def prepare(node, g) -> dict:
    i, o = g.t(node.inputs[0]), g.t(node.outputs[0])
    rank = len(i.shape)
    axes = _axes(node, g)
    count = 1
    for a in axes:
        count *= int(i.shape[a])
    m, s = quant.quantize_multiplier(quant.scale_of(i) / quant.scale_of(o))
    if count > 0:
        # fold 1/count into the multiplier, as TFLM's QuantizedMeanOrSum does
        n = count.bit_length() - 1
        n = min(n, 32, 31 + s)
        m = int((m << n) // count) if n >= 0 else int(m // count)   # int64 division truncates
        s = s - n
    reduce = [0] * (4 - rank) + [1 if k in axes else 0 for k in range(rank)]
    return dict(input_zero_point=quant.zp_of(i), output_offset=quant.zp_of(o), multiplier=m,
                shift=s, count=count, input_dims=quant.dims4(i.shape), reduce=reduce)


def macs(node, g) -> int:
    return nelems(g.t(node.inputs[0]).shape)


def emit(node, g, ctx) -> str:
    p = prepare(node, g)
    red = "(const int32_t[4]){%s}" % ", ".join(str(x) for x in p["reduce"])
    return (params_lit("mcusim_mean_params", [(k, p[k]) for k in (
                "input_zero_point", "output_offset", "multiplier", "shift", "count")])
            + f"mcusim_mean_s8(&params, {dims_lit(p['input_dims'])}, {red}, "
            f"{cptr(ctx, node.inputs[0], const=True)}, {cptr(ctx, node.outputs[0])});\n")
