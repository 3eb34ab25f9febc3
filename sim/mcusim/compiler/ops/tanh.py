"""TANH int8 (TFLM reference: gemmlowp fixed point; output scale 1/128, zero point 0)."""
from __future__ import annotations

from mcusim.compiler import quant
from mcusim.compiler.ops import _sigmoid
from mcusim.compiler.ops._common import check_operands, check_same_size

OPS = ("TANH",)


def check(node, g) -> None:
    check_operands(node, g, (1, 1))
    quant.require_int8("TANH", node, g, [node.inputs[0], node.outputs[0]])
    check_same_size(node, g)


def prepare(node, g) -> dict:
    return _sigmoid.prepare(node, g)


def macs(node, g) -> int:
    return 0


def emit(node, g, ctx) -> str:
    return _sigmoid.emit("mcusim_tanh_s8", node, g, ctx)
