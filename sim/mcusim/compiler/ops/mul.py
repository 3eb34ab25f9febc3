"""MUL int8 with TFLM's broadcasting (up to 6-D) and fused activation."""
from __future__ import annotations

from mcusim.compiler import quant
from mcusim.compiler.ops._common import (act, broadcast, check_elementwise, elementwise_call,
                                         nelems, params_lit)

OPS = ("MUL",)


def check(node, g) -> None:
    check_elementwise("MUL", node, g)


def prepare(node, g) -> dict:
    a, b, o = g.t(node.inputs[0]), g.t(node.inputs[1]), g.t(node.outputs[0])
    m, s = quant.quantize_multiplier(quant.scale_of(a) * quant.scale_of(b) / quant.scale_of(o))
    return dict(input1_offset=-quant.zp_of(a), input2_offset=-quant.zp_of(b),
                output_offset=quant.zp_of(o), output_multiplier=m, output_shift=s,
                activation=quant.activation_range(act(node), o), size=nelems(o.shape),
                broadcast=broadcast(a.shape, b.shape, o.shape))


def macs(node, g) -> int:
    return nelems(g.t(node.outputs[0]).shape)


def emit(node, g, ctx) -> str:
    p = prepare(node, g)
    return (
        params_lit("mcusim_mul_params", [(k, p[k]) for k in (
            "input1_offset", "input2_offset", "output_offset", "output_multiplier",
            "output_shift", "activation")])
        + elementwise_call("mcusim_mul_s8", node, ctx, p))
