"""DEQUANTIZE int8 -> float32 (scale as double, as TFLM)."""
from __future__ import annotations

from mcusim.compiler import quant
from mcusim.compiler.ops._common import check_operands, check_same_size, cptr, nelems

OPS = ("DEQUANTIZE",)
OUTPUT_DTYPES = {"float32"}


def check(node, g) -> None:
    check_operands(node, g, (1, 1))
    check_same_size(node, g)
    i, o = g.t(node.inputs[0]), g.t(node.outputs[0])
    if i.dtype != "int8" or o.dtype != "float32":
        raise quant.unsupported(f"DEQUANTIZE: node {node.index}: {i.dtype} tensor "
                                f"{node.inputs[0]} -> {o.dtype} is not supported (int8->float32 is)")
    if i.scale is None or len(i.scale) != 1:
        raise quant.unsupported(f"DEQUANTIZE: node {node.index}: tensor {node.inputs[0]} (int8) "
                                f"needs per-tensor quantization")


def prepare(node, g) -> dict:
    i = g.t(node.inputs[0])
    return dict(scale=quant.scale_of(i), zero_point=quant.zp_of(i), size=nelems(i.shape))


def macs(node, g) -> int:
    return 0


def emit(node, g, ctx) -> str:
    p = prepare(node, g)
    return (f"mcusim_dequantize_s8_f32({p['size']}, {p['scale']!r}, {p['zero_point']}, "
            f"{cptr(ctx, node.inputs[0], const=True)}, {cptr(ctx, node.outputs[0], 'float')});\n")
