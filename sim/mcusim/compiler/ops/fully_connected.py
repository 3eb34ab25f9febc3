"""FULLY_CONNECTED int8 (per-tensor or per-channel weights, any batch count)."""
from __future__ import annotations

import numpy as np

from mcusim.compiler import quant
from mcusim.compiler.ops import conv_2d, conv_pack, fc_pack
from mcusim.compiler.ops._common import (act, bad, bias_arg, check_act, check_bias,
                                         check_filter_quant, check_int8_filter, check_operands,
                                         check_rank, cptr, folded_bias, nelems, opt, params_lit,
                                         quant_arrays, tdesc)

OPS = ("FULLY_CONNECTED",)


def check(node, g) -> None:
    op = "FULLY_CONNECTED"
    check_operands(node, g, (2, 3))
    quant.require_int8(op, node, g, [node.inputs[0], node.outputs[0]])
    f = g.t(node.inputs[1])
    check_int8_filter(op, node, f)
    check_rank(node, g, node.inputs[1], "filter", 2)
    check_rank(node, g, node.outputs[0], "output", range(1, 7))
    check_filter_quant(op, node, f, 0)
    if str(opt(node, "weights_format", "DEFAULT")).upper() not in ("DEFAULT", "0"):
        raise quant.unsupported(f"{op}: node {node.index}: shuffled weights are not supported")
    units, depth = f.shape
    check_bias(node, g, units)
    size = nelems(g.t(node.inputs[0]).shape)
    if depth == 0 or size % depth != 0:
        raise bad(node, f"input {tdesc(g, node.inputs[0])} size is not a multiple of the "
                        f"filter {tdesc(g, node.inputs[1])} depth {depth}")
    o = g.t(node.outputs[0])
    if o.shape[-1] != units or nelems(o.shape) != size // depth * units:
        raise bad(node, f"output {tdesc(g, node.outputs[0])} does not match the computed "
                        f"{size // depth} batch(es) x {units} units")
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


def pack_rows4(w) -> np.ndarray:
    """The DSP kernel's filter (mcusim_fully_connected_fast_s8): rows zero-padded to a multiple
    of 8 columns; per group of four rows, per quad of columns, the four rows' 4-byte words; the
    rows after the last full group plain after them. Same bytes as the filter plus padding."""
    rows = np.asarray(w, dtype=np.int8).reshape(w.shape[0], -1)
    units, n = rows.shape
    depth = (n + 7) & ~7
    full = np.zeros((units, depth), dtype=np.int8)
    full[:, :n] = rows
    g = units & ~3
    grouped = full[:g].reshape(-1, 4, depth // 4, 4).transpose(0, 2, 1, 3).reshape(-1)
    return np.concatenate([grouped, full[g:].reshape(-1)])


def _bias_values(g, node, p):
    """The int32 bias the packed kernels run with (input offset folded in when it is not 0)."""
    rows = p["output_depth"]
    if p["input_offset"] != 0:
        return folded_bias(g, node, p["input_offset"], rows)
    b = node.inputs[2] if len(node.inputs) > 2 else -1
    return None if b < 0 else np.asarray(g.t(b).data, dtype=np.int64).reshape(-1)


# The M7 merged kernel widens at most this many bytes of the input row (its first 256 columns;
# the kernel's MCUSIM_FC_WIDEN_MAX): 16 MACs in 12 cycles instead of 14 over them. AD's 640-column
# first layer widened whole would take arena + I/O to 2,696 bytes, past X-CUBE-AI's 2.0 KB (issue
# 9); with 512 it is 1,920.
FC_WIDEN_MAX_BYTES = 512


def _widened_bytes(node, g, ctx, p) -> int:
    """The Cortex-M7 merged kernel's scratch (mcusim_fully_connected_merged_s8_get_buffer_size):
    the input row (at most its first FC_WIDEN_MAX_BYTES / 2 columns) widened to int16 once,
    when the whole layer runs in the M7 routines (per tensor over the full int8 range, columns a
    multiple of 8, a full group of four rows) and the scratch does not grow the arena much
    (conv_2d.scratch_fits); 0 elsewhere (the loops that widen each quad per group)."""
    k = p["accum_depth"]
    full = not p["per_channel"] and tuple(p["activation"]) == (-128, 127)
    if ctx.core != "cortex-m7" or k % 8 or p["output_depth"] < 4 or not full:
        return 0
    n = min(2 * k, FC_WIDEN_MAX_BYTES)
    return n if conv_2d.scratch_fits(node, g, n) else 0


def emit(node, g, ctx) -> str:
    p = prepare(node, g)
    m, s = quant_arrays(ctx, node, p["multipliers"], p["shifts"])
    # with no filter offset, fold the input offset into the bias: the kernel skips the row sums
    bias_ref, in_off = bias_arg(ctx, g, node, p["input_offset"], p["output_depth"],
                                fold=(p["filter_offset"] == 0))
    w = g.t(node.inputs[1]).data
    fast = ctx.dsp and w is not None and p["filter_offset"] == 0 and in_off == 0
    params = (
        params_lit("mcusim_fc_params", [
            ("input_offset", in_off), ("filter_offset", p["filter_offset"]),
            ("output_offset", p["output_offset"]), ("activation", p["activation"])])
        + params_lit("mcusim_quant_params", [("multiplier", m), ("shift", s),
                                             ("per_channel", p["per_channel"])], "quant"))
    args = (f"{p['batches']}, {p['accum_depth']}, {p['output_depth']},\n"
            f"    {cptr(ctx, node.inputs[0], const=True)}, ")
    if (not ctx.dsp and ctx.v6m_packed and w is not None and in_off == 0
            and p["filter_offset"] == 0):
        # ARMv6-M: rows in groups of four as unsigned bytes, in place of the int8 filter
        packed = ctx.const(f"n{node.index}_filter_quads", fc_pack.pack_quads(w), "int8_t")
        rq = fc_pack.split8_table(w, _bias_values(g, node, p), p["multipliers"], p["shifts"],
                                  p["output_offset"])
        rq_ref = "NULL" if rq is None else ctx.const(f"n{node.index}_requant", rq, "int32_t")
        return (params + "mcusim_fully_connected_quads_s8(NULL, &params, &quant, " + args
                + f"{packed},\n    {bias_ref}, {rq_ref}, {cptr(ctx, node.outputs[0])});\n")
    merged = fc_pack.pack_merged(w) if fast else None
    if merged is not None:  # two rows per int16 lane, in place of the int8 filter
        packed = ctx.const(f"n{node.index}_filter_merged", merged, "int8_t")
        rq = fc_pack.smmlar_table(w, _bias_values(g, node, p), p["multipliers"], p["shifts"],
                                  p["output_offset"])
        rq_ref = "NULL" if rq is None else ctx.const(f"n{node.index}_requant", rq, "int32_t")
        buf = ctx.scratch(_widened_bytes(node, g, ctx, p)) if rq is not None and \
            bias_ref != "NULL" else "NULL"
        return (params + f"mcusim_fully_connected_merged_s8({buf}, &params, &quant, " + args
                + f"{packed},\n    {bias_ref}, {rq_ref}, {cptr(ctx, node.outputs[0])});\n")
    if fast:    # the packed filter replaces the int8 one in flash
        packed = ctx.const(f"n{node.index}_filter_rows4", pack_rows4(w), "int8_t")
        return (params + "mcusim_fully_connected_fast_s8(NULL, &params, &quant, " + args
                + f"{packed},\n    {bias_ref}, {cptr(ctx, node.outputs[0])});\n")
    return (params + "mcusim_fully_connected_s8(&params, &quant, " + args
            + f"{cptr(ctx, node.inputs[1], const=True)},\n"
            f"    {bias_ref}, {cptr(ctx, node.outputs[0])});\n")
