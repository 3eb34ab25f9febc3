"""QUANTIZE: int8 -> int8 requantization, float32 -> int8 (per-tensor)."""
from __future__ import annotations

import numpy as np

from mcusim.compiler import quant
from mcusim.compiler.ops._common import (check_operands, check_same_size, cptr, nelems,
                                         params_lit)

OPS = ("QUANTIZE",)
OUTPUT_DTYPES = {"int8"}


def check(node, g) -> None:
    check_operands(node, g, (1, 1))
    check_same_size(node, g)
    i, o = g.t(node.inputs[0]), g.t(node.outputs[0])
    if i.dtype not in ("int8", "float32") or o.dtype != "int8":
        raise quant.unsupported(f"QUANTIZE: node {node.index}: {i.dtype} tensor "
                                f"{node.inputs[0]} -> {o.dtype} tensor {node.outputs[0]} is not "
                                f"supported (int8->int8 and float32->int8 are)")
    for t, ten in ((node.outputs[0], o),) + (((node.inputs[0], i),) if i.dtype == "int8" else ()):
        if ten.scale is None or len(ten.scale) != 1:
            raise quant.unsupported(f"QUANTIZE: node {node.index}: tensor {t} (int8) needs "
                                    f"per-tensor quantization")


def prepare(node, g) -> dict:
    i, o = g.t(node.inputs[0]), g.t(node.outputs[0])
    p = dict(kind="float" if i.dtype == "float32" else "requant", size=nelems(i.shape),
             output_zero_point=quant.zp_of(o), output_scale=float(np.float32(o.scale[0])))
    if p["kind"] == "requant":
        m, s = quant.quantize_multiplier(quant.scale_of(i) / quant.scale_of(o))
        p.update(input_offset=-quant.zp_of(i), multiplier=m, shift=s)
    return p


def macs(node, g) -> int:
    return 0


def emit(node, g, ctx) -> str:
    p = prepare(node, g)
    out = cptr(ctx, node.outputs[0])
    if p["kind"] == "float":
        return (f"mcusim_quantize_f32_s8({p['size']}, {p['output_scale']!r}f, "
                f"{p['output_zero_point']}, {cptr(ctx, node.inputs[0], 'float', const=True)}, "
                f"{out});\n")
    return (params_lit("mcusim_requant_params", [
                ("input_offset", p["input_offset"]), ("output_offset", p["output_zero_point"]),
                ("multiplier", p["multiplier"]), ("shift", p["shift"]),
                ("activation", (-128, 127))])
            + f"mcusim_requantize_s8(&params, {p['size']}, {cptr(ctx, node.inputs[0], const=True)}, "
            f"{out});\n")
