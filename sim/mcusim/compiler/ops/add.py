"""ADD int8 with TFLM's broadcasting (up to 6-D) and fused activation."""
from __future__ import annotations

from mcusim.compiler import quant
from mcusim.compiler.ops._common import (act, broadcast, check_elementwise, elementwise_call,
                                         nelems, params_lit)

OPS = ("ADD",)


def check(node, g) -> None:
    check_elementwise("ADD", node, g)


def prepare(node, g) -> dict:
    a, b, o = g.t(node.inputs[0]), g.t(node.inputs[1]), g.t(node.outputs[0])
    sa, sb, so = quant.scale_of(a), quant.scale_of(b), quant.scale_of(o)
    left_shift = 20
    twice_max = 2.0 * max(sa, sb)
    m1, s1 = quant.quantize_multiplier_smaller_than_one_exp(sa / twice_max)
    m2, s2 = quant.quantize_multiplier_smaller_than_one_exp(sb / twice_max)
    mo, so_ = quant.quantize_multiplier_smaller_than_one_exp(twice_max / ((1 << left_shift) * so))
    return dict(input1_offset=-quant.zp_of(a), input2_offset=-quant.zp_of(b),
                output_offset=quant.zp_of(o), input1_multiplier=m1, input1_shift=s1,
                input2_multiplier=m2, input2_shift=s2, output_multiplier=mo, output_shift=so_,
                left_shift=left_shift, activation=quant.activation_range(act(node), o),
                size=nelems(o.shape), broadcast=broadcast(a.shape, b.shape, o.shape))


def macs(node, g) -> int:
    return 0


def emit(node, g, ctx) -> str:
    p = prepare(node, g)
    return (
        params_lit("mcusim_add_params", [(k, p[k]) for k in (
            "input1_offset", "input2_offset", "output_offset", "input1_multiplier",
            "input1_shift", "input2_multiplier", "input2_shift", "output_multiplier",
            "output_shift", "left_shift", "activation")])
        + elementwise_call("mcusim_add_s8", node, ctx, p))
