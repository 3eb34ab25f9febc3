"""LOGISTIC int8 (TFLM reference: gemmlowp fixed point; output scale 1/256, zero point -128)."""
from __future__ import annotations

from mcusim.compiler import quant
from mcusim.compiler.ops import _sigmoid
from mcusim.compiler.ops._common import check_operands, check_same_size

OPS = ("LOGISTIC",)


def check(node, g) -> None:
    check_operands(node, g, (1, 1))
    quant.require_int8("LOGISTIC", node, g, [node.inputs[0], node.outputs[0]])
    check_same_size(node, g)
    if quant.zp_of(g.t(node.outputs[0])) != -128:
        raise quant.unsupported(f"LOGISTIC: node {node.index}: output tensor {node.outputs[0]} "
                                f"(int8) must have zero point -128 (TFLM's rule)")


def prepare(node, g) -> dict:
    return _sigmoid.prepare(node, g)


def macs(node, g) -> int:
    return 0


def emit(node, g, ctx) -> str:
    return _sigmoid.emit("mcusim_logistic_s8", node, g, ctx)
