"""DEPTHWISE_CONV_2D int8 (any depth multiplier, per-tensor or per-channel, all paddings)."""
from __future__ import annotations

from mcusim.compiler import quant
from mcusim.compiler.ops._common import (act, check_act, check_filter_quant, check_int8_filter,
                                         check_int32_bias, conv_geometry, cptr, dims_lit,
                                         params_lit, quant_arrays)

OPS = ("DEPTHWISE_CONV_2D",)


def check(node, g) -> None:
    op = "DEPTHWISE_CONV_2D"
    quant.require_int8(op, node, g, [node.inputs[0], node.outputs[0]])
    i, f, o = g.t(node.inputs[0]), g.t(node.inputs[1]), g.t(node.outputs[0])
    check_int8_filter(op, node, f)
    if len(i.shape) != 4 or len(f.shape) != 4:
        raise quant.unsupported(f"{op}: node {node.index}: input and filter must be 4-D")
    check_filter_quant(op, node, f, 3)
    if o.shape[3] % i.shape[3] != 0 or f.shape[3] != o.shape[3]:
        raise quant.unsupported(f"{op}: node {node.index}: output channels are not input "
                                f"channels x depth multiplier")
    check_int32_bias(op, node, g)
    check_act(op, node)


def prepare(node, g) -> dict:
    i, f, o = g.t(node.inputs[0]), g.t(node.inputs[1]), g.t(node.outputs[0])
    n, ih, iw, ic = i.shape
    _, kh, kw, oc = f.shape
    geometry, _ = conv_geometry(node, ih, iw, kh, kw)
    mults, shifts = quant.per_channel_multipliers(i, f, o, oc)
    amin, amax = quant.activation_range(act(node), o)
    return dict(input_offset=-quant.zp_of(i), output_offset=quant.zp_of(o), ch_mult=oc // ic,
                **geometry, activation=(amin, amax),
                multipliers=mults, shifts=shifts, input_dims=(n, ih, iw, ic),
                filter_dims=(1, kh, kw, oc), output_dims=tuple(int(x) for x in o.shape))


def variant(p: dict, dsp: bool) -> str:
    _, kh, kw, _ = p["filter_dims"]
    if kh == 3 and kw == 3 and p["ch_mult"] == 1 and p["dilation"] == (1, 1):
        return "3x3"
    return "generic"


def macs(node, g) -> int:
    f, o = g.t(node.inputs[1]), g.t(node.outputs[0])
    n, oh, ow, oc = o.shape
    return int(n * oh * ow * oc * f.shape[1] * f.shape[2])


def emit(node, g, ctx) -> str:
    p = prepare(node, g)
    fn = "mcusim_depthwise_conv_3x3_s8" if variant(p, ctx.dsp) == "3x3" else "mcusim_depthwise_conv_s8"
    m, s = quant_arrays(ctx, node, p["multipliers"], p["shifts"])
    bias = node.inputs[2] if len(node.inputs) > 2 else -1
    return (
        params_lit("mcusim_dw_conv_params", [(k, p[k]) for k in (
            "input_offset", "output_offset", "ch_mult", "stride", "padding", "dilation",
            "activation")])
        + params_lit("mcusim_quant_params", [("multiplier", m), ("shift", s),
                                             ("per_channel", 1)], "quant")
        + f"{fn}(&params, &quant,\n"
        f"    {dims_lit(p['input_dims'])}, {cptr(ctx, node.inputs[0], const=True)},\n"
        f"    {dims_lit(p['filter_dims'])}, {cptr(ctx, node.inputs[1], const=True)},\n"
        f"    {cptr(ctx, bias, 'int32_t', const=True)},\n"
        f"    {dims_lit(p['output_dims'])}, {cptr(ctx, node.outputs[0])});\n")
