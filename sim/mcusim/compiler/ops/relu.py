"""RELU int8 (TFLM: requantize input->output scale, clamp at the output's zero)."""
from __future__ import annotations

import numpy as np

from mcusim.compiler import quant
from mcusim.compiler.ops._common import (check_operands, check_same_size, cptr, nelems,
                                         params_lit)

OPS = ("RELU",)


def check(node, g) -> None:
    check_operands(node, g, (1, 1))
    quant.require_int8("RELU", node, g, [node.inputs[0], node.outputs[0]])
    check_same_size(node, g)


def prepare(node, g) -> dict:
    i, o = g.t(node.inputs[0]), g.t(node.outputs[0])
    m, s = quant.quantize_multiplier(quant.scale_of(i) / quant.scale_of(o))
    # act_min = zp + roundf(0 / scale); act_max = int8 max
    lo = max(quant.INT8_MIN, quant.zp_of(o) + int(quant.tflite_round(
        float(np.float32(0.0) / np.float32(o.scale[0])))))
    return dict(input_offset=-quant.zp_of(i), output_offset=quant.zp_of(o), multiplier=m,
                shift=s, activation=(lo, quant.INT8_MAX), size=nelems(i.shape))


def macs(node, g) -> int:
    return 0


def emit(node, g, ctx) -> str:
    p = prepare(node, g)
    return (params_lit("mcusim_requant_params", [(k, p[k]) for k in (
                "input_offset", "output_offset", "multiplier", "shift", "activation")])
            + f"mcusim_requantize_s8(&params, {p['size']}, {cptr(ctx, node.inputs[0], const=True)}, "
            f"{cptr(ctx, node.outputs[0])});\n")
