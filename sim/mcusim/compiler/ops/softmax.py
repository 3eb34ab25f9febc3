"""SOFTMAX int8 -> int8 (TFLM's int8 path; output scale 1/256, zero point -128)."""
from __future__ import annotations

from mcusim.compiler import quant
import math

from mcusim.compiler.ops._common import (bad, check_operands, check_rank, check_same_size, cptr,
                                         nelems, opt, params_lit)

OPS = ("SOFTMAX",)
SCALED_DIFF_INTEGER_BITS = 5


def check(node, g) -> None:
    check_operands(node, g, (1, 1))
    quant.require_int8("SOFTMAX", node, g, [node.inputs[0], node.outputs[0]])
    check_rank(node, g, node.inputs[0], "input", range(1, 9))
    check_same_size(node, g)
    beta = opt(node, "beta", 1.0)
    if not isinstance(beta, (int, float)) or not math.isfinite(beta) or beta <= 0:
        raise bad(node, f"option beta = {beta} must be finite and > 0")
    o = g.t(node.outputs[0])
    if quant.zp_of(o) != -128 or abs(quant.scale_of(o) - 1.0 / 256) > 0.001 / 256:
        raise quant.unsupported(f"SOFTMAX: node {node.index}: output tensor {node.outputs[0]} "
                                f"(int8) must have scale 1/256 and zero point -128 (TFLM's rule)")


def prepare(node, g) -> dict:
    i = g.t(node.inputs[0])
    beta = float(quant.f32(opt(node, "beta", 1.0)))
    # PreprocessSoftmaxScaling (double-rounding build): cap at 2^31 - 1
    real = min(beta * quant.scale_of(i) * (1 << (31 - SCALED_DIFF_INTEGER_BITS)),
               float((1 << 31) - 1))
    m, s = quant.quantize_multiplier_greater_than_one(real)
    diff_min = -quant.calculate_input_radius(SCALED_DIFF_INTEGER_BITS, s)
    depth = int(i.shape[-1])
    return dict(input_multiplier=m, input_left_shift=s, diff_min=diff_min,
                rows=nelems(i.shape) // depth, row_size=depth)


def macs(node, g) -> int:
    return 0


def emit(node, g, ctx) -> str:
    p = prepare(node, g)
    return (params_lit("mcusim_softmax_params", [(k, p[k]) for k in (
                "input_multiplier", "input_left_shift", "diff_min")])
            + f"mcusim_softmax_s8(&params, {p['rows']}, {p['row_size']}, "
            f"{cptr(ctx, node.inputs[0], const=True)}, {cptr(ctx, node.outputs[0])});\n")
