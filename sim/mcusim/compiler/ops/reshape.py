"""RESHAPE / SQUEEZE / EXPAND_DIMS: usually an alias (optimize.py); a copy when not aliased."""
from __future__ import annotations

from mcusim.compiler import quant
from mcusim.compiler.ops._common import bad, check_operands, cptr, tdesc

OPS = ("RESHAPE", "SQUEEZE", "EXPAND_DIMS")


def check(node, g) -> None:
    check_operands(node, g, (1, 2))
    i, o = g.t(node.inputs[0]), g.t(node.outputs[0])
    if i.dtype != o.dtype:
        raise bad(node, f"output {tdesc(g, node.outputs[0])} and input "
                        f"{tdesc(g, node.inputs[0])} differ in type")
    if i.nbytes != o.nbytes:
        raise quant.unsupported(f"{node.op}: node {node.index}: input tensor {node.inputs[0]} "
                                f"({i.dtype}) and output differ in size")


def prepare(node, g) -> dict:
    return dict(size=g.t(node.outputs[0]).nbytes)


def macs(node, g) -> int:
    return 0


def emit(node, g, ctx) -> str:
    p = prepare(node, g)
    return (f"mcusim_copy_s8({p['size']}, {cptr(ctx, node.inputs[0], const=True)}, "
            f"{cptr(ctx, node.outputs[0])});\n")
