"""RELU6 int8 (TFLM clamps the input codes to [zp, quantize(6)] with the input's parameters)."""
from __future__ import annotations

import numpy as np

from mcusim.compiler import quant
from mcusim.compiler.ops._common import check_operands, check_same_size, cptr, nelems

OPS = ("RELU6",)


def check(node, g) -> None:
    check_operands(node, g, (1, 1))
    quant.require_int8("RELU6", node, g, [node.inputs[0], node.outputs[0]])
    check_same_size(node, g)


def prepare(node, g) -> dict:
    i = g.t(node.inputs[0])
    zp = quant.zp_of(i)
    six = int(quant.tflite_round(float(np.float32(6.0) / np.float32(i.scale[0])))) + zp
    six = max(quant.INT8_MIN, min(quant.INT8_MAX, six))
    return dict(lo=zp, hi=six, size=nelems(i.shape))


def macs(node, g) -> int:
    return 0


def emit(node, g, ctx) -> str:
    p = prepare(node, g)
    return (f"mcusim_clamp_s8({p['size']}, {p['lo']}, {p['hi']}, "
            f"{cptr(ctx, node.inputs[0], const=True)}, {cptr(ctx, node.outputs[0])});\n")
