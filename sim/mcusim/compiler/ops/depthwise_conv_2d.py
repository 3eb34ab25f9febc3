"""DEPTHWISE_CONV_2D int8 (any depth multiplier, per-tensor or per-channel, all paddings)."""
from __future__ import annotations

import numpy as np

from mcusim.compiler import quant
from mcusim.compiler.context import V6M_CORES
from mcusim.compiler.ops import depthwise_pack
from mcusim.compiler.ops._common import (act, bad, check_act, check_bias, check_filter_quant,
                                         check_int8_filter, check_operands, check_rank,
                                         check_shape, check_window, check_zero_filter_offset,
                                         conv_geometry, cptr, dims_lit, no_sign_term,
                                         params_lit, quant_arrays, tdesc)
from mcusim.compiler.ops.conv_2d import _why
from mcusim.toolchain import CORE_FLAGS

OPS = ("DEPTHWISE_CONV_2D",)


def check(node, g) -> None:
    op = "DEPTHWISE_CONV_2D"
    check_operands(node, g, (2, 3))
    quant.require_int8(op, node, g, [node.inputs[0], node.outputs[0]])
    i, f, o = g.t(node.inputs[0]), g.t(node.inputs[1]), g.t(node.outputs[0])
    check_int8_filter(op, node, f)
    for t, role in ((node.inputs[0], "input"), (node.inputs[1], "filter"),
                    (node.outputs[0], "output")):
        check_rank(node, g, t, role, 4)
    check_filter_quant(op, node, f, 3)
    check_zero_filter_offset(node, g, node.inputs[1])
    if i.shape[3] == 0 or f.shape[0] != 1 or f.shape[3] % i.shape[3] != 0:
        raise bad(node, f"filter {tdesc(g, node.inputs[1])} is not [1, h, w, input channels x "
                        f"depth multiplier] for input {tdesc(g, node.inputs[0])}")
    check_bias(node, g, f.shape[3])
    check_window(node, ("stride_h", "stride_w", "dilation_h_factor", "dilation_w_factor"))
    n, ih, iw, _ = i.shape
    _, (oh, ow) = conv_geometry(node, ih, iw, f.shape[1], f.shape[2])
    check_shape(node, g, node.outputs[0], (n, oh, ow, f.shape[3]), _why(node))
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


def packed(node, g, p: dict, dsp: bool, core: str = ""):
    """The 3x3 records for mcusim_depthwise_conv_3x3_packed_s8 (DSP cores and ARMv6-M, constant
    filter and bias, bounds in depthwise_pack), or None: the layer keeps the int8 kernels."""
    if not (dsp or core in V6M_CORES) or variant(p, dsp) != "3x3":
        return None
    f = g.t(node.inputs[1])
    b = g.t(node.inputs[2]) if len(node.inputs) > 2 and node.inputs[2] >= 0 else None
    if f.data is None or (b is not None and b.data is None):
        return None
    fpu = "-mfloat-abi=hard" in CORE_FLAGS.get(core, ())
    w = f.data.transpose(0, 2, 1, 3) if depthwise_pack.transposed(p, dsp, fpu) else f.data
    return depthwise_pack.pack_3x3(w, None if b is None else b.data, p, v6m=not dsp,
                                   pre=depthwise_pack.prescalable(p, dsp, fpu))


def macs(node, g) -> int:
    f, o = g.t(node.inputs[1]), g.t(node.outputs[0])
    n, oh, ow, oc = o.shape
    return int(n * oh * ow * oc * f.shape[1] * f.shape[2])


def emit(node, g, ctx) -> str:
    p = prepare(node, g)
    params = params_lit("mcusim_dw_conv_params", [(k, p[k]) for k in (
        "input_offset", "output_offset", "ch_mult", "stride", "padding", "dilation",
        "activation")])
    # on ARMv6-M only with optimized kernels; the core also tells the DSP path about its FPU
    v6m_off = ctx.core in V6M_CORES and not ctx.v6m_packed
    rec = packed(node, g, p, ctx.dsp, "" if v6m_off else ctx.core)
    if rec is not None:   # the records replace filter, bias, multipliers and shifts in flash
        fpu = "-mfloat-abi=hard" in CORE_FLAGS.get(ctx.core, ())
        tr = depthwise_pack.transposed(p, ctx.dsp, fpu)
        # DSP cores: the records' rounding form named (as the kernel derives it) so that only
        # that form's loops are linked; ARMv6-M has one form
        form = "" if not ctx.dsp else "_pre" if int(np.ravel(rec)[9]) & depthwise_pack.PRE else \
            "_nosign" if no_sign_term(p) else "_sign"
        # M4/M33: a small map's unrolled loop, or the row walk's loops with immediate output
        # offsets, named in the entry (only they are linked)
        form += (depthwise_pack.unrolled_loop(p, ctx.dsp, fpu, ctx.core)
                 or depthwise_pack.row_loop(p, ctx.dsp, fpu, ctx.core)) if form else ""
        return (params + f"mcusim_depthwise_conv_3x3_packed{'_t' if tr else ''}{form}_s8("
                f"{ctx.scratch(depthwise_pack.buffer_size(p, ctx.dsp, tr, fpu, ctx.core))}, &params,\n"
                f"    {ctx.const(f'n{node.index}_dw3x3_packed', rec, 'int32_t')},\n"
                f"    {dims_lit(p['input_dims'])}, {cptr(ctx, node.inputs[0], const=True)},\n"
                f"    {dims_lit(p['output_dims'])}, {cptr(ctx, node.outputs[0])});\n")
    fn = "mcusim_depthwise_conv_3x3_s8" if variant(p, ctx.dsp) == "3x3" else "mcusim_depthwise_conv_s8"
    m, s = quant_arrays(ctx, node, p["multipliers"], p["shifts"])
    bias = node.inputs[2] if len(node.inputs) > 2 else -1
    return (
        params
        + params_lit("mcusim_quant_params", [("multiplier", m), ("shift", s),
                                             ("per_channel", 1)], "quant")
        + f"{fn}(&params, &quant,\n"
        f"    {dims_lit(p['input_dims'])}, {cptr(ctx, node.inputs[0], const=True)},\n"
        f"    {dims_lit(p['filter_dims'])}, {cptr(ctx, node.inputs[1], const=True)},\n"
        f"    {cptr(ctx, bias, 'int32_t', const=True)},\n"
        f"    {dims_lit(p['output_dims'])}, {cptr(ctx, node.outputs[0])});\n")
