"""Shared Prepare of LOGISTIC and TANH (TFLM: frexp of scale * 2^27, radius for Q4.27)."""
from __future__ import annotations

from mcusim.compiler import quant
from mcusim.compiler.ops._common import cptr, nelems, params_lit

INPUT_INTEGER_BITS = 4


def prepare(node, g) -> dict:
    i = g.t(node.inputs[0])
    real = quant.scale_of(i) * float(1 << (31 - INPUT_INTEGER_BITS))
    m, s = quant.frexp_multiplier(real)
    return dict(input_zero_point=quant.zp_of(i),
                input_range_radius=quant.calculate_input_radius(INPUT_INTEGER_BITS, s, 31),
                input_multiplier=m, input_left_shift=s, size=nelems(i.shape))


def emit(fn, node, g, ctx) -> str:
    p = prepare(node, g)
    return (params_lit("mcusim_sigmoid_params", [
                (k, p[k]) for k in ("input_zero_point", "input_range_radius",
                                    "input_multiplier", "input_left_shift")])
            + f"{fn}(&params, {p['size']}, {cptr(ctx, node.inputs[0], const=True)}, "
            f"{cptr(ctx, node.outputs[0])});\n")
