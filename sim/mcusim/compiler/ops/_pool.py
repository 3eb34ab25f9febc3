"""Shared build-time half of AVERAGE_POOL_2D and MAX_POOL_2D."""
from __future__ import annotations

from mcusim.compiler import quant
from mcusim.compiler.ops._common import (act, check_act, check_operands, check_rank,
                                         check_shape, check_window, cptr, dims_lit, opt,
                                         params_lit)


def check(op, node, g) -> None:
    check_operands(node, g, (1, 1))
    quant.require_int8(op, node, g, [node.inputs[0], node.outputs[0]])
    check_rank(node, g, node.inputs[0], "input", 4)
    check_rank(node, g, node.outputs[0], "output", 4)
    check_window(node, ("stride_h", "stride_w", "filter_height", "filter_width"))
    n, ih, iw, c = g.t(node.inputs[0]).shape
    fh, fw = int(opt(node, "filter_height", 1)), int(opt(node, "filter_width", 1))
    sh, sw = int(opt(node, "stride_h", 1)), int(opt(node, "stride_w", 1))
    pad = str(opt(node, "padding", "VALID")).upper()
    oh, _ = quant.compute_padding(pad, ih, fh, sh)
    ow, _ = quant.compute_padding(pad, iw, fw, sw)
    check_shape(node, g, node.outputs[0], (n, oh, ow, c),
                f"padding {pad}, filter {fh}x{fw}, stride {sh}x{sw}")
    check_act(op, node)


def prepare(node, g) -> dict:
    i, o = g.t(node.inputs[0]), g.t(node.outputs[0])
    n, ih, iw, c = i.shape
    fh, fw = int(opt(node, "filter_height", 1)), int(opt(node, "filter_width", 1))
    sh, sw = int(opt(node, "stride_h", 1)), int(opt(node, "stride_w", 1))
    pad = str(opt(node, "padding", "VALID")).upper()
    _, ph = quant.compute_padding(pad, ih, fh, sh)
    _, pw = quant.compute_padding(pad, iw, fw, sw)
    amin, amax = quant.activation_range(act(node), o)
    return dict(stride=(sw, sh), padding=(pw, ph), activation=(amin, amax),
                input_dims=(n, ih, iw, c), filter_dims=(1, fh, fw, 1),
                output_dims=tuple(int(x) for x in o.shape))


def macs(node, g) -> int:
    p = prepare(node, g)
    n, oh, ow, c = p["output_dims"]
    return n * oh * ow * c * p["filter_dims"][1] * p["filter_dims"][2]


def emit(fn, node, g, ctx) -> str:
    p = prepare(node, g)
    return (
        params_lit("mcusim_pool_params", [("stride", p["stride"]), ("padding", p["padding"]),
                                          ("activation", p["activation"])])
        + f"{fn}(&params, {dims_lit(p['input_dims'])}, {cptr(ctx, node.inputs[0], const=True)},\n"
        f"    {dims_lit(p['filter_dims'])}, {dims_lit(p['output_dims'])}, "
        f"{cptr(ctx, node.outputs[0])});\n")
