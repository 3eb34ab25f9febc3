"""CONV_2D int8 (per-tensor or per-channel weights, any padding/stride/dilation, groups)."""
from __future__ import annotations

from mcusim.compiler import quant
from mcusim.compiler.ops._common import (act, check_act, cptr, dims_lit, folded_bias, opt,
                                         params_lit, quant_arrays)

OPS = ("CONV_2D",)


def check(node, g) -> None:
    op = "CONV_2D"
    quant.require_int8(op, node, g, [node.inputs[0], node.outputs[0]])
    f = g.t(node.inputs[1])
    if f.dtype != "int8":
        raise quant.unsupported(f"{op}: node {node.index}: filter tensor {node.inputs[1]} is "
                                f"{f.dtype}; only int8 weights are supported")
    if f.scale is None or len(f.scale) not in (1, f.shape[0]):
        raise quant.unsupported(f"{op}: node {node.index}: filter tensor {node.inputs[1]} "
                                f"(int8) quantization must be per-tensor or per output channel")
    if len(node.inputs) > 2 and node.inputs[2] >= 0 and g.t(node.inputs[2]).dtype != "int32":
        raise quant.unsupported(f"{op}: node {node.index}: bias tensor {node.inputs[2]} is "
                                f"{g.t(node.inputs[2]).dtype}; int32 expected")
    if len(g.t(node.inputs[0]).shape) != 4 or len(f.shape) != 4:
        raise quant.unsupported(f"{op}: node {node.index}: input and filter must be 4-D")
    if g.t(node.inputs[0]).shape[3] % f.shape[3] != 0:
        raise quant.unsupported(f"{op}: node {node.index}: input channels not a multiple of "
                                f"filter channels")
    check_act(op, node)


def prepare(node, g) -> dict:
    i, f, o = g.t(node.inputs[0]), g.t(node.inputs[1]), g.t(node.outputs[0])
    n, ih, iw, ic = i.shape
    oc, kh, kw, kc = f.shape
    sh, sw = int(opt(node, "stride_h", 1)), int(opt(node, "stride_w", 1))
    dh, dw = int(opt(node, "dilation_h_factor", 1)), int(opt(node, "dilation_w_factor", 1))
    pad = str(opt(node, "padding", "SAME")).upper()
    oh, ph = quant.compute_padding(pad, ih, kh, sh, dh)
    ow, pw = quant.compute_padding(pad, iw, kw, sw, dw)
    mults, shifts = quant.per_channel_multipliers(i, f, o, oc)
    amin, amax = quant.activation_range(act(node), o)
    out_shape = tuple(o.shape)
    return dict(input_offset=-quant.zp_of(i), output_offset=quant.zp_of(o),
                stride=(sw, sh), padding=(pw, ph), dilation=(dw, dh), activation=(amin, amax),
                multipliers=mults, shifts=shifts,
                input_dims=(n, ih, iw, ic), filter_dims=(oc, kh, kw, kc),
                output_dims=(out_shape[0], out_shape[1], out_shape[2], out_shape[3]),
                computed_output_hw=(oh, ow))


def variant(p: dict, dsp: bool) -> str:
    """The wrapper's selection rule (firmware/kernels/mcusim_convolve_wrapper_s8.c)."""
    oc, kh, kw, kc = p["filter_dims"]
    if kc != p["input_dims"][3]:
        return "generic"
    if kh == 1 and kw == 1 and p["padding"] == (0, 0) and p["dilation"] == (1, 1):
        return "1x1"
    # im2col on every core: the window is gathered once per pixel, not once per output channel
    # (with DSP its dot product is __smlad; without, still about half the instructions per MAC)
    return "im2col"


def buffer_size(p: dict, dsp: bool) -> int:
    oc, kh, kw, kc = p["filter_dims"]
    return kh * kw * kc * 2 if variant(p, dsp) == "im2col" else 0


def macs(node, g) -> int:
    f, o = g.t(node.inputs[1]), g.t(node.outputs[0])
    n, oh, ow, oc = o.shape
    return int(n * oh * ow * oc * f.shape[1] * f.shape[2] * f.shape[3])


def emit(node, g, ctx) -> str:
    p = prepare(node, g)
    v = variant(p, ctx.dsp)
    m, s = quant_arrays(ctx, node, p["multipliers"], p["shifts"])
    bias = node.inputs[2] if len(node.inputs) > 2 else -1
    fn = {"generic": "mcusim_convolve_s8", "1x1": "mcusim_convolve_1x1_s8",
          "im2col": "mcusim_convolve_im2col_s8"}[v]
    buf = f"{ctx.scratch(buffer_size(p, ctx.dsp))}, " if v == "im2col" else ""
    in_off = p["input_offset"]
    fb = None
    if v == "1x1" and in_off != 0:
        # no padding in this variant: fold the input offset into the bias at build time
        fb = folded_bias(g, node, in_off, p["filter_dims"][0])
    if fb is not None:   # the folded bias replaces the model's bias in flash
        bias_ref, in_off = ctx.const(f"n{node.index}_bias_folded", fb, "int32_t"), 0
    else:
        bias_ref = cptr(ctx, bias, "int32_t", const=True)
    return (
        params_lit("mcusim_conv_params", [
            ("input_offset", in_off), ("output_offset", p["output_offset"]),
            ("stride", p["stride"]), ("padding", p["padding"]), ("dilation", p["dilation"]),
            ("activation", p["activation"])])
        + params_lit("mcusim_quant_params", [("multiplier", m), ("shift", s),
                                             ("per_channel", 1)], "quant")
        + f"{fn}({buf}&params, &quant,\n"
        f"    {dims_lit(p['input_dims'])}, {cptr(ctx, node.inputs[0], const=True)},\n"
        f"    {dims_lit(p['filter_dims'])}, {cptr(ctx, node.inputs[1], const=True)},\n"
        f"    {bias_ref},\n"
        f"    {dims_lit(p['output_dims'])}, {cptr(ctx, node.outputs[0])});\n")
