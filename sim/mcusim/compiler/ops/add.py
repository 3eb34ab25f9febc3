"""ADD int8 with TFLM's broadcasting (up to 6-D) and fused activation. Same-shape inputs on
DSP cores and ARMv6-M: mcusim_add_table_s8 with each input's scaling tabulated at build time."""
from __future__ import annotations

import numpy as np

from mcusim.compiler import quant
from mcusim.compiler.ops._common import (act, broadcast, check_elementwise, cptr,
                                         elementwise_call, nelems, params_lit)

OPS = ("ADD",)


def check(node, g) -> None:
    check_elementwise("ADD", node, g)


def prepare(node, g) -> dict:
    a, b, o = g.t(node.inputs[0]), g.t(node.inputs[1]), g.t(node.outputs[0])
    sa, sb, so = quant.scale_of(a), quant.scale_of(b), quant.scale_of(o)
    left_shift = 20
    twice_max = 2.0 * max(sa, sb)
    m1, s1 = quant.quantize_multiplier_smaller_than_one_exp(sa / twice_max)
    m2, s2 = quant.quantize_multiplier_smaller_than_one_exp(sb / twice_max)
    mo, so_ = quant.quantize_multiplier_smaller_than_one_exp(twice_max / ((1 << left_shift) * so))
    return dict(input1_offset=-quant.zp_of(a), input2_offset=-quant.zp_of(b),
                output_offset=quant.zp_of(o), input1_multiplier=m1, input1_shift=s1,
                input2_multiplier=m2, input2_shift=s2, output_multiplier=mo, output_shift=so_,
                left_shift=left_shift, activation=quant.activation_range(act(node), o),
                size=nelems(o.shape), broadcast=broadcast(a.shape, b.shape, o.shape))


def macs(node, g) -> int:
    return 0


SMMLAR_R = (1, 22)      # the shifts mcusim_requant_smmlar takes


def _mbqm(x: int, m: int, shift: int) -> int:
    """TFLite MultiplyByQuantizedMultiplier (double rounding) on Python ints."""
    x = x << shift if shift > 0 else x
    h = (x * m + (1 << 30)) >> 31          # SaturatingRoundingDoublingHighMul (m < 2^31)
    e = max(-shift, 0)
    mask = (1 << e) - 1
    return (h >> e) + int((h & mask) > (mask >> 1) + int(h < 0))


def add_tables(p: dict) -> np.ndarray:
    """[2 s_1(byte) for byte 0..255, 2 s_2(byte) ...]: TFLM's scaled inputs of every int8 value,
    indexed by the raw byte (mcusim_add_table_s8), doubled for the SMMLAR requantization."""
    vals = np.arange(256, dtype=np.int64)
    vals = np.where(vals >= 128, vals - 256, vals)
    out = []
    for k in ("1", "2"):
        off, m, sh = p[f"input{k}_offset"], p[f"input{k}_multiplier"], p[f"input{k}_shift"]
        out += [2 * _mbqm((int(v) + off) << p["left_shift"], m, sh) for v in vals]
    return np.asarray(out, dtype=np.int32)


I32_MIN, I32_MAX = -(1 << 31), (1 << 31) - 1


def _out(p: dict, s: int) -> int:
    lo, hi = p["activation"]
    o = _mbqm(s, p["output_multiplier"], p["output_shift"]) + p["output_offset"]
    return min(max(o, lo), hi)


def step_thresholds(p: dict) -> np.ndarray:
    """For ARMv6-M: th[i] = the least 2 s whose output is >= min + i (i = 1..steps; the output
    is nondecreasing in s), INT32_MIN at 0 and INT32_MAX at steps + 1 as sentinels."""
    lo, hi = p["activation"]
    bound = 1 << 30          # |s| < 2^29 (two scaled int8 values, multipliers < 1)
    th = [I32_MIN]
    for c in range(lo + 1, hi + 1):
        if _out(p, bound) < c:
            th.append(I32_MAX)
            continue
        a, b = -bound, bound    # least s in (a, b] with output >= c
        while b - a > 1:
            mid = (a + b) // 2
            a, b = (a, mid) if _out(p, mid) >= c else (mid, b)
        th.append(max(2 * b, I32_MIN + 1))
    th.append(I32_MAX)
    return np.asarray(th, dtype=np.int64).astype(np.int32)


def step_guess(p: dict) -> tuple[int, int, int]:
    """(q, qb, qj): i ~ ((2 s >> 15) q + qb) >> qj, the output's step from the real multiplier
    with q < 2^15 (the product fits in int32), or (0, 0, 0) when no such shift exists."""
    real = p["output_multiplier"] * 2.0 ** (p["output_shift"] - 31)
    per = real * 2.0 ** 14          # output units per unit of 2 s >> 15
    lo = p["activation"][0]
    for qj in range(22, -1, -1):
        q = int(round(per * (1 << qj)))
        if 0 < q < (1 << 15):
            qb = int(round((p["output_offset"] - lo + 0.5) * (1 << qj)))
            return q, qb, qj
    return 0, 0, 0


def _emit_table(node, ctx, p: dict) -> str:
    r = -p["output_shift"]
    ok = ctx.dsp and SMMLAR_R[0] <= r <= SMMLAR_R[1]
    a = (1 << (r - 1)) + (p["output_offset"] << r) if ok else 0
    tables = add_tables(p)
    q = qb = qj = 0
    if not ctx.dsp:
        q, qb, qj = step_guess(p)
        if q:
            tables = np.concatenate([tables, step_thresholds(p)])
    table = ctx.const(f"n{node.index}_add_tables", tables, "int32_t")
    steps = p["activation"][1] - p["activation"][0]
    return (
        params_lit("mcusim_add_table_params", [
            ("table", table), ("output_multiplier", p["output_multiplier"]),
            ("output_shift", p["output_shift"]), ("output_offset", p["output_offset"]),
            ("a", a), ("r", r if ok else 0), ("q", q), ("qb", qb), ("qj", qj),
            ("steps", steps), ("activation", p["activation"])])
        + f"mcusim_add_table_s8(&params, {p['size']},\n"
        f"    {cptr(ctx, node.inputs[0], const=True)}, {cptr(ctx, node.inputs[1], const=True)}, "
        f"{cptr(ctx, node.outputs[0])});\n")


def emit(node, g, ctx) -> str:
    p = prepare(node, g)
    if p["broadcast"] is None and (ctx.dsp or ctx.v6m_packed):
        return _emit_table(node, ctx, p)
    return (
        params_lit("mcusim_add_params", [(k, p[k]) for k in (
            "input1_offset", "input2_offset", "output_offset", "input1_multiplier",
            "input1_shift", "input2_multiplier", "input2_shift", "output_multiplier",
            "output_shift", "left_shift", "activation")])
        + elementwise_call("mcusim_add_s8", node, ctx, p))
