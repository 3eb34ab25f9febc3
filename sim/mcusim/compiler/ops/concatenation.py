"""CONCATENATION int8 along any axis; TFLM requires every input to share the output's
quantization for int8, so it is a copy (a fused activation becomes a clamp after it)."""
from __future__ import annotations

from mcusim.compiler import quant
from mcusim.compiler.ops._common import (act, bad, check_act, check_operands, check_shape, cptr,
                                         nelems, opt, tdesc)

OPS = ("CONCATENATION",)


def check(node, g) -> None:
    check_operands(node, g, (1, -1), required=len(node.inputs))
    o = g.t(node.outputs[0])
    quant.require_int8("CONCATENATION", node, g, list(node.inputs) + [node.outputs[0]],
                       ["input"] * len(node.inputs) + ["output"])
    for t in node.inputs:
        ten = g.t(t)
        if quant.scale_of(ten) != quant.scale_of(o) or quant.zp_of(ten) != quant.zp_of(o):
            raise quant.unsupported(f"CONCATENATION: node {node.index}: input tensor {t} (int8) "
                                    f"quantization differs from the output's")
    rank = len(o.shape)
    axis = opt(node, "axis", 0)
    if not isinstance(axis, int) or not -rank <= axis < rank:
        raise bad(node, f"option axis = {axis} outside output {tdesc(g, node.outputs[0])}")
    axis %= rank
    for t in node.inputs:
        s = g.t(t).shape
        if len(s) != rank or any(s[k] != o.shape[k] for k in range(rank) if k != axis):
            raise bad(node, f"input {tdesc(g, t)} does not match output "
                            f"{tdesc(g, node.outputs[0])} outside axis {axis}")
    shape = list(o.shape)
    shape[axis] = sum(g.t(t).shape[axis] for t in node.inputs)
    check_shape(node, g, node.outputs[0], shape, f"inputs joined along axis {axis}")
    check_act("CONCATENATION", node)


def prepare(node, g) -> dict:
    o = g.t(node.outputs[0])
    rank = len(o.shape)
    axis = int(opt(node, "axis", 0))
    axis = axis + rank if axis < 0 else axis
    outer = nelems(o.shape[:axis])
    inner = nelems(o.shape[axis + 1:])
    sizes = [int(g.t(t).shape[axis]) * inner for t in node.inputs]
    return dict(outer=outer, copy_sizes=sizes, size=nelems(o.shape),
                activation=quant.activation_range(act(node), o))


def macs(node, g) -> int:
    return 0


def emit(node, g, ctx) -> str:
    p = prepare(node, g)
    ins = ", ".join(cptr(ctx, t, const=True) for t in node.inputs)
    sizes = ", ".join(str(s) for s in p["copy_sizes"])
    out = cptr(ctx, node.outputs[0])
    code = (f"const int8_t *const inputs[{len(node.inputs)}] = {{{ins}}};\n"
            f"static const int32_t sizes[{len(node.inputs)}] = {{{sizes}}};\n"
            f"mcusim_concat_s8({p['outer']}, {len(node.inputs)}, inputs, sizes, {out});\n")
    lo, hi = p["activation"]
    if (lo, hi) != (-128, 127):
        code += f"mcusim_clamp_s8({p['size']}, {lo}, {hi}, {out}, {out});\n"
    return code
