"""AVERAGE_POOL_2D int8 (all paddings and strides, fused activation); input and output share quantization."""
from __future__ import annotations

from mcusim.compiler.ops import _pool

OPS = ("AVERAGE_POOL_2D",)


def check(node, g) -> None:
    _pool.check("AVERAGE_POOL_2D", node, g)


def prepare(node, g) -> dict:
    return _pool.prepare(node, g)


def macs(node, g) -> int:
    return _pool.macs(node, g)


def emit(node, g, ctx) -> str:
    return _pool.emit("mcusim_avgpool_s8", node, g, ctx)
