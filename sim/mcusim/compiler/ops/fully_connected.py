"""FULLY_CONNECTED int8 (per-tensor or per-channel weights, any batch count)."""
from __future__ import annotations

from mcusim.compiler import quant
from mcusim.compiler.ops._common import (act, check_act, cptr, folded_bias, nelems, opt,
                                         params_lit, quant_arrays)

OPS = ("FULLY_CONNECTED",)


def check(node, g) -> None:
    op = "FULLY_CONNECTED"
    quant.require_int8(op, node, g, [node.inputs[0], node.outputs[0]])
    f = g.t(node.inputs[1])
    if f.dtype != "int8":
        raise quant.unsupported(f"{op}: node {node.index}: filter tensor {node.inputs[1]} is "
                                f"{f.dtype}; only int8 weights are supported")
    if len(f.shape) != 2:
        raise quant.unsupported(f"{op}: node {node.index}: filter tensor {node.inputs[1]} must "
                                f"be 2-D, is {list(f.shape)}")
    if f.scale is None or len(f.scale) not in (1, f.shape[0]):
        raise quant.unsupported(f"{op}: node {node.index}: filter tensor {node.inputs[1]} "
                                f"(int8) quantization must be per-tensor or per output channel")
    if str(opt(node, "weights_format", "DEFAULT")).upper() not in ("DEFAULT", "0"):
        raise quant.unsupported(f"{op}: node {node.index}: shuffled weights are not supported")
    if len(node.inputs) > 2 and node.inputs[2] >= 0 and g.t(node.inputs[2]).dtype != "int32":
        raise quant.unsupported(f"{op}: node {node.index}: bias tensor {node.inputs[2]} is "
                                f"{g.t(node.inputs[2]).dtype}; int32 expected")
    if nelems(g.t(node.inputs[0]).shape) % f.shape[1] != 0:
        raise quant.unsupported(f"{op}: node {node.index}: input size is not a multiple of the "
                                f"filter depth {f.shape[1]}")
    check_act(op, node)


def prepare(node, g) -> dict:
    i, f, o = g.t(node.inputs[0]), g.t(node.inputs[1]), g.t(node.outputs[0])
    out_depth, accum = int(f.shape[0]), int(f.shape[1])
    per_channel = len(f.scale) > 1
    if per_channel:
        mults, shifts = quant.per_channel_multipliers(i, f, o, out_depth)
    else:
        # GetQuantizedConvolutionMultipler: double(in) * double(filter) / double(out)
        m, s = quant.quantize_multiplier(quant.scale_of(i) * quant.scale_of(f) / quant.scale_of(o))
        mults, shifts = [m], [s]
    amin, amax = quant.activation_range(act(node), o)
    return dict(input_offset=-quant.zp_of(i), filter_offset=-quant.zp_of(f),
                output_offset=quant.zp_of(o), activation=(amin, amax),
                multipliers=mults, shifts=shifts, per_channel=int(per_channel),
                batches=nelems(i.shape) // accum, accum_depth=accum, output_depth=out_depth)


def macs(node, g) -> int:
    p = prepare(node, g)
    return p["batches"] * p["accum_depth"] * p["output_depth"]


def emit(node, g, ctx) -> str:
    p = prepare(node, g)
    m, s = quant_arrays(ctx, node, p["multipliers"], p["shifts"])
    bias = node.inputs[2] if len(node.inputs) > 2 else -1
    in_off = p["input_offset"]
    fb = None
    if in_off != 0 and p["filter_offset"] == 0:
        # fold the input offset into the bias at build time: the kernel skips the row sums
        fb = folded_bias(g, node, in_off, p["output_depth"])
    if fb is not None:   # the folded bias replaces the model's bias in flash
        bias_ref, in_off = ctx.const(f"n{node.index}_bias_folded", fb, "int32_t"), 0
    else:
        bias_ref = cptr(ctx, bias, "int32_t", const=True)
    return (
        params_lit("mcusim_fc_params", [
            ("input_offset", in_off), ("filter_offset", p["filter_offset"]),
            ("output_offset", p["output_offset"]), ("activation", p["activation"])])
        + params_lit("mcusim_quant_params", [("multiplier", m), ("shift", s),
                                             ("per_channel", p["per_channel"])], "quant")
        + f"mcusim_fully_connected_s8(&params, &quant, {p['batches']}, {p['accum_depth']}, "
        f"{p['output_depth']},\n"
        f"    {cptr(ctx, node.inputs[0], const=True)}, {cptr(ctx, node.inputs[1], const=True)},\n"
        f"    {bias_ref}, {cptr(ctx, node.outputs[0])});\n")
