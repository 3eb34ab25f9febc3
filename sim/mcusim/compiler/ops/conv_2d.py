"""CONV_2D int8 (per-tensor or per-channel weights, any padding/stride/dilation, groups)."""
from __future__ import annotations

import numpy as np

from mcusim.compiler import quant
from mcusim.compiler.ops import conv_pack
from mcusim.compiler.ops._common import (act, bad, bias_arg, check_act, check_bias,
                                         check_filter_quant, check_int8_filter, check_operands,
                                         check_rank, check_shape, check_window,
                                         check_zero_filter_offset, conv_geometry, cptr, dims_lit,
                                         folded_bias,
                                         no_sign_term, opt, params_lit, quant_arrays, tdesc)

OPS = ("CONV_2D",)


def check(node, g) -> None:
    op = "CONV_2D"
    check_operands(node, g, (2, 3))
    quant.require_int8(op, node, g, [node.inputs[0], node.outputs[0]])
    f = g.t(node.inputs[1])
    check_int8_filter(op, node, f)
    for t, role in ((node.inputs[0], "input"), (node.inputs[1], "filter"),
                    (node.outputs[0], "output")):
        check_rank(node, g, t, role, 4)
    check_filter_quant(op, node, f, 0)
    check_zero_filter_offset(node, g, node.inputs[1])
    check_bias(node, g, f.shape[0])
    check_window(node, ("stride_h", "stride_w", "dilation_h_factor", "dilation_w_factor"))
    n, ih, iw, ic = g.t(node.inputs[0]).shape
    oc, kh, kw, kc = f.shape
    if kc == 0 or ic % kc != 0:
        raise bad(node, f"input {tdesc(g, node.inputs[0])} channels are not a multiple of "
                        f"filter {tdesc(g, node.inputs[1])} channels")
    _, (oh, ow) = conv_geometry(node, ih, iw, kh, kw)
    check_shape(node, g, node.outputs[0], (n, oh, ow, oc), _why(node))
    check_act(op, node)


def _why(node) -> str:
    return (f"padding {str(opt(node, 'padding', 'SAME')).upper()}, stride "
            f"{opt(node, 'stride_h', 1)}x{opt(node, 'stride_w', 1)}, dilation "
            f"{opt(node, 'dilation_h_factor', 1)}x{opt(node, 'dilation_w_factor', 1)}")


def prepare(node, g) -> dict:
    i, f, o = g.t(node.inputs[0]), g.t(node.inputs[1]), g.t(node.outputs[0])
    n, ih, iw, ic = i.shape
    oc, kh, kw, kc = f.shape
    geometry, (oh, ow) = conv_geometry(node, ih, iw, kh, kw)
    mults, shifts = quant.per_channel_multipliers(i, f, o, oc)
    amin, amax = quant.activation_range(act(node), o)
    out_shape = tuple(o.shape)
    return dict(input_offset=-quant.zp_of(i), output_offset=quant.zp_of(o),
                **geometry, activation=(amin, amax), multipliers=mults, shifts=shifts,
                input_dims=(n, ih, iw, ic), filter_dims=(oc, kh, kw, kc),
                output_dims=(out_shape[0], out_shape[1], out_shape[2], out_shape[3]),
                computed_output_hw=(oh, ow))


def variant(p: dict, dsp: bool, packable: bool = False) -> str:
    """The wrapper's selection rule (firmware/kernels/mcusim_convolve_wrapper_s8.c); on DSP
    cores, when the layer's constants fit the packed kernels (`packed_records`), the same two
    variants with the filter packed at build time (`_fast`: conv_pack.py)."""
    oc, kh, kw, kc = p["filter_dims"]
    if kc != p["input_dims"][3]:
        return "generic"
    fast = "_fast" if dsp and packable else ""
    if _is_1x1(p):
        return "1x1" + fast
    # im2col on every core: the window is gathered once per pixel, not once per output channel
    # (with DSP its dot product is __smlad; without, still about half the instructions per MAC)
    return "im2col" + fast


# cores that take the M4-scheduled kernels (the RGB first layers' mcusim_convolve_rgb3x3_fast_s8,
# the small-K 1x1 and the pointwise record loops); the M7 keeps its own pipelined schedules
M4_M33_CORES = ("cortex-m4", "cortex-m4f", "cortex-m33")


def _is_rgb3x3(p: dict) -> bool:
    """A 3x3 window over 3 input channels, dilation 1, an even channel count (VWW's and IC's
    first layers)."""
    oc, kh, kw, kc = p["filter_dims"]
    return (kh, kw, kc) == (3, 3, 3) and p["input_dims"][3] == 3 and \
        p["dilation"] == (1, 1) and oc % 2 == 0


def _small_k_groups(p: dict, core: str) -> bool:
    """mcusim_convolve_1x1_fast_g_s8's case (M4/M33): stride 1 over 8 or 16 input channels, an
    even channel count, the pixels whole groups of four (VWW's 48x48x8 -> 16, 24x24x16 -> 32)."""
    n, oh, ow, oc = p["output_dims"]
    return core in M4_M33_CORES and p["stride"] == (1, 1) and p["filter_dims"][3] in (8, 16) and \
        oc % 2 == 0 and (n * oh * ow) % 4 == 0


def _is_1x1(p: dict) -> bool:
    oc, kh, kw, kc = p["filter_dims"]
    return kh == 1 and kw == 1 and p["padding"] == (0, 0) and p["dilation"] == (1, 1)


def packed_records(node, g, p: dict, rgb: bool = False, pre: bool = False):
    """The packed kernels' record stream (conv_pack.records) or None: needs a constant filter
    and bias, no groups, and constants the register requantization takes. 1x1 convolutions
    fold the input offset into the bias (no padding: every tap is real), and so does the RGB
    kernel (`rgb`: its taps outside the image hold the zero point, which the fold cancels;
    columns rounded to 28)."""
    f = g.t(node.inputs[1])
    b = node.inputs[2] if len(node.inputs) > 2 else -1
    if f.data is None or (b >= 0 and g.t(b).data is None) or \
            p["filter_dims"][3] != p["input_dims"][3]:
        return None
    fold = _is_1x1(p) or rgb
    w, bias = _filter_bias(node, g, p, fold)
    off = int(p["input_offset"])
    x_max = 128 if fold else max(abs(-128 + off), abs(127 + off))
    return conv_pack.records(w, bias, p["multipliers"], p["shifts"], p["output_offset"], x_max,
                             4 if rgb else 8, pre)


def _is_prescaled(rec, depth: int) -> bool:
    """Whether records of `depth` column words came out prescaled (channel 0's flag)."""
    return rec is not None and bool(rec[2 + depth + 2] & conv_pack.PRE_FLAG)


def _prescaled_outc(p: dict, pairs, core: str) -> bool:
    """The small-K assembly routines with out_c known (`OUTC`: RGB -> 8/16, 1x1 8 -> 16,
    16 -> 32) and no sign term (activation minimum at or above the output zero point) take
    prescaled records (conv_pack.prescale_shifts); the kernels run them in those routines only
    (the ARMv7E-M/ARMv8-M DSP builds: not the C loops of a host build)."""
    oc, kc = p["filter_dims"][0], p["filter_dims"][3]
    return core in ("cortex-m4", "cortex-m4f", "cortex-m33") and (kc, oc) in pairs and \
        no_sign_term(p)


def _filter_bias(node, g, p: dict, fold: bool):
    """The constant filter (int64) and bias (int64 per channel, zeros without one), with the
    input offset folded into the bias when `fold` (every tap real, or the zero point in the
    ones outside the image)."""
    f = g.t(node.inputs[1])
    b = node.inputs[2] if len(node.inputs) > 2 else -1
    w = np.asarray(f.data, dtype=np.int64)
    bias = (np.asarray(g.t(b).data, np.int64).reshape(-1) if b >= 0
            else np.zeros(w.shape[0], np.int64))
    if fold:
        bias = bias + int(p["input_offset"]) * w.reshape(w.shape[0], -1).sum(axis=1)
    return w, bias


def _pw_ok(ctx, p: dict) -> bool:
    """mcusim_convolve_1x1_fast_pw_s8's (and _m_s8's) shapes, on the Cortex-M4 and M33 (the
    M7 has its own record loops): stride 1, input channels a multiple of 32, even output
    channels, and a pixel count that is a multiple of 4 or at least 9 (groups of four and
    three, none overlapping)."""
    n, oh, ow, oc = p["output_dims"]
    total = n * oh * ow
    return (ctx.core in M4_M33_CORES and p["stride"] == (1, 1) and p["filter_dims"][3] % 32 == 0
            and oc % 2 == 0 and (total % 4 == 0 or total >= 9))


# (input, output channels) with a straight loop storing at immediate offsets (rq<h|m>KoOC):
# VWW's and KWS's pointwise shapes, 4 cycles less per record
PW_OUT_C_LOOPS = {"h": ((32, 32), (32, 64), (64, 64), (64, 128), (128, 128)),
                  "m": ((64, 64), (64, 128), (128, 128))}
# ... of which these also come with every group of four in one call (rqhKoOCw: the next
# group widened in it), in the `eight` slot of a layer of one group per pass (not merged 64 ->
# 64: KWS on the M4 would pass its flash budget, examples/budgets.toml, for ~13k cycles)
PW_GROUPS_LOOPS = {"h": ((32, 32), (32, 64), (64, 64)), "m": ((128, 128),)}


def _pw_loops(kc: int, oc: int, merged: bool, twice: bool,
              pixels: int | None = None) -> tuple[str, str, str]:
    """The record loops (mcusim_mm_pw_s8.c) a pointwise layer over kc input channels to oc runs,
    named in its MCUSIM_PW_LOOPS table so the linker keeps only those: groups of four
    (straight-line for 64/128 inputs, 32 too on the int16 records; 128 -> 128 with the outputs
    at immediate offsets), of three (straight for 128/256 inputs), and two groups of four per
    record pass (twice: 32 inputs on int16 records, 64 merged). With the layer's pixel count,
    a slot it never runs (no groups of three; no groups of four, or all in the `eight` loop)
    names the small generic loop (on int16 records linked anyway by mcusim_mm4x2_pw_s16)."""
    kind, sizes = ("m", (64, 128)) if merged else ("h", (32, 64, 128))
    known = PW_OUT_C_LOOPS["m" if merged else "h"]
    four = (f"mcusim_mm4x2_rq{kind}{kc if kc in sizes else ''}"
            f"{f'o{oc}' if (kc, oc) in known else ''}_s16")
    x2oc = f"o{oc}" if merged and kc == 64 and (kc, oc) in known else ""
    eight = f"mcusim_mm4x2_rq{kind}{kc}{x2oc}x2_s16" if twice else \
        (four[:-len("_s16")] + "w_s16" if (kc, oc) in PW_GROUPS_LOOPS[kind] else "0")
    three = f"mcusim_mm3x2_rq{kind}{kc if kc in (128, 256) else ''}_s16"
    if pixels is not None:
        n3 = (4 - pixels % 4) % 4
        fours = pixels - 3 * n3
        if fours == 0 or (not twice and eight != "0" and fours >= 4):  # as mcusim_pw_layer
            four = "mcusim_mm4x2_rqh32_s16" if kc == 32 and not merged else \
                f"mcusim_mm4x2_rq{kind}_s16"
        if n3 == 0:
            three = f"mcusim_mm3x2_rq{kind}_s16"
    return four, three, eight


def _pw_block_loops(kc: int, oc: int, pixels: int) -> tuple[str, str, str, str, str]:
    """The record loops the Cortex-M33's pointwise blocks (mcusim_convolve_1x1_fast_blk_pw_s8)
    run for kc (a multiple of 32) inputs to oc over `pixels` output pixels, named in the
    layer's MCUSIM_PW_BLOCK_LOOPS table so the linker keeps only those: a group of four
    (straight for 32/64/128 inputs, 64/128 with the outputs at immediates for VWW's out_c), of
    three (straight for 128/256), and every group of a block in one call, for fours over 64/128
    inputs and threes over 128/256. A slot the layer never runs (no groups of three, or every
    block call all fours / all threes with its loop) names the generic loop, linked anyway.
    First the input count the named loops have built in (kc; "0" where all are generic), which
    the kernel checks against the layer's."""
    known = PW_OUT_C_LOOPS["h"]
    oc_ = f"o{oc}" if (kc, oc) in known and kc in (64, 128) else ""
    n3 = (4 - pixels % 4) % 4               # groups of three at the end (as the kernel)
    fours = f"mcusim_mm4x2_rqh{kc}{oc_}g_s16" if kc in (64, 128) and pixels > 3 * n3 else "0"
    threes = f"mcusim_mm3x2_rqh{kc}g_s16" if kc in (128, 256) and pixels == 3 * n3 else "0"
    four = f"mcusim_mm4x2_rqh{kc if kc in (32, 64, 128) else ''}{oc_}_s16"
    three = f"mcusim_mm3x2_rqh{kc if kc in (128, 256) else ''}_s16"
    if n3 == 0 and fours != "0" or pixels == 3 * n3:
        four = "mcusim_mm4x2_rqh_s16"       # no group of four, or all in `fours`
    if n3 == 0 or threes != "0":
        three = "mcusim_mm3x2_rqh_s16"
    generic = ("0", "mcusim_mm4x2_rqh_s16", "mcusim_mm3x2_rqh_s16")
    count = "0" if all(x in generic for x in (four, three, fours, threes)) else str(kc)
    return count, four, three, fours, threes


# input counts of the M33's merged block loops (mcusim_mm3x2_rqm<K>g_s16, mcusim_mm4x2_rqm<K>*,
# mcusim_mm1x8_rqm<K>_s16): each has its count built in, so the layer's table carries it
# (MCUSIM_PW_BLOCK_LOOPS_M) and mcusim_convolve_1x1_fast_blk_m_s8 refuses another input count
PW_MERGED_BLOCK_K = (128, 256)


def _pw_block_merged(node, g, p: dict, pixels: int, groups: int = 1):
    """The Cortex-M33's 3x3 maps (9 pixels: three groups of three, every one in a block call)
    over 128 or 256 inputs (PW_MERGED_BLOCK_K) on merged records (conv_pack.records_merged):
    (records, kernel, block loops with the input count first, channel pairs per block) or
    None. Their blocks' reads from flash are compulsory (one per record for the three groups),
    and a merged record has half the lines of the int16 one (VWW 3x3 256 -> 256: 135 KB -> 70
    KB); the requantization of a merged pair costs ~12 instructions more per group, which the
    6x6 maps' nine groups per record do not repay."""
    kc, oc = p["filter_dims"][3], p["filter_dims"][0]
    if pixels != 9 or kc not in PW_MERGED_BLOCK_K:
        return None
    rec = _merged_records(node, g, p)
    if rec is None:
        return None
    block = max(1, int(conv_pack.BLOCK_CACHE_BYTES["cortex-m33"] * conv_pack.BLOCK_SHARE)
                // (4 * conv_pack.merged_record_words(kc)))
    if groups >= 3 and oc % 8 == 0 and block >= 4:
        # 4 + 4 + 1 (scratch for three groups' columns): two groups of four straight (14
        # cycles per 16 MACs against the 3 x 2 block's 11 per 12) and the ninth pixel against
        # four records at a time (mcusim_mm1x8_rqm*), blocks of a multiple of four pairs
        four = f"mcusim_mm4x2_rqm{kc}{'o256' if oc == 256 else ''}_s16"   # VWW: stores at
        # immediate offsets
        loops = (str(kc), four, "mcusim_mm3x2_rqm_s16", "0", "0", f"mcusim_mm1x8_rqm{kc}_s16")
        return rec, "mcusim_convolve_1x1_fast_blk_m_s8", loops, block & ~3
    loops = (str(kc), "mcusim_mm4x2_rqm_s16", "mcusim_mm3x2_rqm_s16", "0",
             f"mcusim_mm3x2_rqm{kc}g_s16", "0")
    return rec, "mcusim_convolve_1x1_fast_blk_m_s8", loops, block


def _pw_prescalable(ctx, p: dict) -> bool:
    """The Cortex-M33's pointwise record loops (mcusim_mm_pw_s8.c, 4 x 2 and 3 x 2) take
    prescaled records (conv_pack.records_pw_prescaled) on their path without the sign term
    (activation minimum at or above the output zero point)."""
    return ctx.core == "cortex-m33" and no_sign_term(p)


def _pw_prescaled_records(node, g, p: dict):
    """conv_pack.records_pw_prescaled for a 1x1 layer (input offset folded), or None."""
    w, bias = _filter_bias(node, g, p, fold=True)
    return conv_pack.records_pw_prescaled(w, bias, p["multipliers"], p["shifts"],
                                          p["output_offset"], 128)


def _is_m4(ctx) -> bool:
    return str(getattr(ctx, "core", "")).startswith("cortex-m4")


def _merged_ok(ctx, p: dict) -> bool:
    """The merged records on the Cortex-M4 only (the M33's and M7's caches hold the doubled rows
    across groups), from 64 input channels (at 32 the four requantization instructions per
    pixel they add cost more than the flash lines they save)."""
    return _is_m4(ctx) and p["filter_dims"][3] >= 64


# groups of four pixels from which copying a pointwise layer's records into RAM pays on the
# M4: a copy costs about one load, one store and the flash line's 5 wait states per 32 bytes
# (~0.7 cycles a byte), a pass over them from flash those wait states (~0.16 a byte)
PW_COPY_MIN_GROUPS = 6
# copied records up to this many input channels take the int16 rows rather than the merged ones
# (twice the bytes in RAM, ~8 cycles less per record: no acc_c / acc_h split) where the layer's
# input + output + that scratch stays within the largest input + output of the model (else the
# arena would likely grow, and the merged copy is kept: KWS's 64-channel layers)
PW_COPY_INT16_MAX_K = 64


def _pw_copy_pays(ctx, p: dict, merged: bool) -> bool:
    """Whether a pointwise layer on the Cortex-M4 copies its records into its scratch
    (mcusim_convolve_1x1_fast_pwc_s8 / _mc_s8): from PW_COPY_MIN_GROUPS passes over them from
    flash, the ART's data cache (256 bytes) holding no record set; a layer with 160-byte records
    (32 inputs as int16, 64 merged) makes one pass per two groups otherwise (_pw2_s8 / _m2_s8).
    VWW l4r5: 6x6x64 -> 128 (five passes) 347,702 cycles copied against 345,601."""
    n, oh, ow, _ = p["output_dims"]
    groups = (n * oh * ow + 3) // 4
    pair = p["filter_dims"][3] == (64 if merged else 32)
    return _is_m4(ctx) and (groups + 1) // (2 if pair else 1) >= PW_COPY_MIN_GROUPS


def _merged_records(node, g, p: dict):
    """conv_pack.records_merged for a 1x1 layer (input offset folded into the bias), or None."""
    w, bias = _filter_bias(node, g, p, fold=True)
    return conv_pack.records_merged(w, bias, p["multipliers"], p["shifts"], p["output_offset"],
                                    128)


def buffer_size(p: dict, dsp: bool, packable: bool = False) -> int:
    oc, kh, kw, kc = p["filter_dims"]
    v = variant(p, dsp, packable)
    if v.endswith("_fast"):
        return conv_pack.scratch_bytes(kh * kw * kc, v == "im2col_fast" and kc % 4 != 0)
    return kh * kw * kc * 2 if v == "im2col" else 0


def macs(node, g) -> int:
    f, o = g.t(node.inputs[1]), g.t(node.outputs[0])
    n, oh, ow, oc = o.shape
    return int(n * oh * ow * oc * f.shape[1] * f.shape[2] * f.shape[3])


def _nbytes(g, t: int) -> int:
    ten = g.t(t)
    return int(np.prod(ten.shape)) * (4 if ten.dtype in ("int32", "float32") else 1)


def scratch_fits(node, g, scratch: int, slack: float = 1.05) -> bool:
    """The packed kernels' column scratch must not grow the arena much: at most 2 KB, or this
    layer's input + output + scratch within 1.05 x the largest such sum (without scratch) of any
    layer of the model (a lower bound of the arena). cnn_s's second conv (10x4x28 window: 9 KB
    of columns) keeps the unpacked im2col; KWS's 1x1 layers (+512 B on 16 KB) and IC's 3x3x64
    (4.5 KB beside 8 KB of activations, where the model needs 32 KB) take the packed ones.
    slack: that 1.05 (1.0: within the bound itself, no 2 KB allowance)."""
    def live(n):
        ts = [t for t in list(n.inputs) + list(n.outputs) if t >= 0 and not g.t(t).is_const]
        return sum(_nbytes(g, t) for t in ts)
    peak = max(live(n) for n in g.nodes)
    return (scratch <= 2048 and slack > 1.0) or live(node) + scratch <= slack * peak


def _rgb_buffer_size(p: dict, copy: int = 0) -> int:
    """mcusim_convolve_rgb3x3_fast_s8_get_buffer_size: four columns of 28 int16, the records when
    copied to RAM (copy bit 0: 144 bytes per channel pair), the staging window, 4 out_c output
    bytes when the pixel count or the width is not a multiple of four, and with copy bit 1 three
    input rows with their padding ((out_w - 1) stride_w + 3 pixels each: a strip of an edge
    group's windows, or the whole rows)."""
    n, oh, ow, oc = p["output_dims"]
    wpad = (ow - 1) * p["stride"][1] + 3
    return 4 * 28 * 2 + (oc // 2 * 144 if copy & 1 else 0) + 28 + \
        (4 * oc if (n * oh * ow) % 4 or ow % 4 else 0) + (9 * max(wpad, 3) if copy & 2 else 0)


# mcusim_nn.h's MCUSIM_RGB_S2_SLOT (the row slot's bytes, an immediate offset in the assembly:
# 12 out_w + 8 of them used) and mcusim_convolve_rgb3x3_s2_r_s8_get_buffer_size() (five slots);
# test_kernels_host.test_rgb_s2_and_fc_widen_constants_match_the_c_ones checks them
RGB_S2_SLOT = 584
RGB_S2_SCRATCH = 5 * RGB_S2_SLOT


def _rgb_s2_records(node, g, p: dict, ctx):
    """mcusim_convolve_rgb3x3_s2_r_s8's records (conv_pack.records_rgb_s2) or None: on the M33
    (each input row widened once instead of every window: VWW's first layer 649,894 -> 606,100
    cycles; the M4F keeps its FPU-held windows), 3x3 stride 2 over 3 channels -> 8, no padding
    at the top or left (so at most one row and column of it below and right), out_w a multiple
    of 4 up to 48 (12 out_w + 8 bytes in a row slot: its immediate offsets), no sign term
    (prescaled records), and its fixed 2,920-byte scratch within scratch_fits (one-op and small
    models keep the widened-window kernel's few hundred bytes)."""
    n, oh, ow, oc = p["output_dims"]
    _, ih, iw, _ = p["input_dims"]
    if ctx.core != "cortex-m33" or p["stride"] != (2, 2) or p["padding"] != (0, 0) or \
            oc != 8 or ow % 4 or ow < 4 or 12 * ow + 8 > RGB_S2_SLOT or 2 * oh > ih or \
            2 * ow > iw or not no_sign_term(p) or not scratch_fits(node, g, RGB_S2_SCRATCH):
        return None
    w, bias = _filter_bias(node, g, p, True)      # constant: packed_records took them
    return conv_pack.records_rgb_s2(w, bias, p["multipliers"], p["shifts"],
                                    p["output_offset"], 128)


def records_copy(ctx, nbytes: int) -> bool:
    """Whether this layer's kernel copies its nbytes of records into its scratch: on a core whose
    flash data cache does not hold them (conv_pack.BLOCK_CACHE_BYTES: the M33's 8 KB does; the
    M4's ART keeps 256 bytes), where codegen._plan_copies finds the arena does not grow (a context
    without that plan, as the kernel tests', copies)."""
    return nbytes > conv_pack.BLOCK_CACHE_BYTES.get(ctx.core, 0) and _copy_wanted(ctx)


def _copy_wanted(ctx) -> bool:
    """codegen._plan_copies's choice for this layer (the scratch may grow without growing the
    arena); True for a context without that plan (the kernel tests')."""
    want = getattr(ctx, "records_copy", True)
    return want is True or (not isinstance(want, bool) and getattr(ctx, "layer", None) in want)


def emit(node, g, ctx) -> str:
    p = prepare(node, g)
    if ctx.dsp and getattr(ctx, "optimized", True) and ctx.core in M4_M33_CORES and \
            _is_rgb3x3(p) and variant(p, True, True) == "im2col_fast":
        rec = packed_records(node, g, p, rgb=True)
        if rec is not None:
            # bit 0: records in RAM; bit 1: edge groups through a staged strip (the row kernel)
            copy = int(records_copy(ctx, 4 * len(rec))) | (2 if _copy_wanted(ctx) else 0)
            s2 = _rgb_s2_records(node, g, p, ctx) if copy & 2 else None
            fn, row, size, copy_arg = "mcusim_convolve_rgb3x3_fast_s8", "", \
                _rgb_buffer_size(p, copy), f"{copy}, "
            if s2 is not None:      # the M33: input rows widened once (no copy argument)
                rec, fn, size, copy_arg = s2, "mcusim_convolve_rgb3x3_s2_r_s8", RGB_S2_SCRATCH, ""
            elif copy & 2 and p["output_dims"][2] >= 4 and \
                    _prescaled_outc(p, ((3, 8), (3, 16)), ctx.core):   # all in the row kernel
                pre = packed_records(node, g, p, rgb=True, pre=True)
                if _is_prescaled(pre, 28):  # the routine named: the linker drops the others
                    rec, fn = pre, "mcusim_convolve_rgb3x3_fast_r_s8"
                    row = f", MCUSIM_SMALL_K_ROW(mcusim_rgb_row_q7_o{p['filter_dims'][0]}_s16)"
            packed = ctx.const(f"n{node.index}_conv_packed", rec, "int32_t")
            return (_conv_params(p, p["input_offset"]) +
                    f"{fn}({ctx.scratch(size)}, {copy_arg}&params,\n"
                    f"    {dims_lit(p['input_dims'])}, {cptr(ctx, node.inputs[0], const=True)},\n"
                    f"    {dims_lit(p['filter_dims'])}, {packed},\n"
                    f"    {dims_lit(p['output_dims'])}, {cptr(ctx, node.outputs[0])}{row});\n")
    rec = packed_records(node, g, p) if ctx.dsp else None
    if rec is not None and not scratch_fits(node, g, buffer_size(p, True, True)):
        rec = None
    v = variant(p, ctx.dsp, rec is not None)
    if v == "im2col" and (ctx.dsp and getattr(ctx, "optimized", True) or ctx.v6m_packed) and \
            _window_ok(p, ctx.dsp):
        win = _window_call(node, g, p, ctx)
        if win is not None:
            return win
    size = buffer_size(p, ctx.dsp, rec is not None)
    groups, block = 1, 0
    staging = v == "im2col_fast" and p["filter_dims"][3] % 4 != 0
    if (v == "1x1_fast" and p["stride"] == (1, 1) and p["filter_dims"][3] % 4 == 0) or \
            v == "im2col_fast":
        n_, oh, ow, oc_ = p["output_dims"]
        _, kh_, kw_, kc_ = p["filter_dims"]
        groups, block = conv_pack.groups_plan(ctx.core, kh_ * kw_ * kc_, oc_, n_ * oh * ow,
                                              lambda b: scratch_fits(node, g, b), staging,
                                              ctx.group_cap() if hasattr(ctx, "group_cap")
                                              else conv_pack.MAX_GROUPS)
        if groups > 1:
            size = conv_pack.scratch_bytes(kh_ * kw_ * kc_, False) * groups + \
                (conv_pack.packed_depth(kh_ * kw_ * kc_) if staging else 0)
    n_, oh, ow, _ = p["output_dims"]
    # the M33's 3x3 maps over 128/256 inputs: merged records in blocks of their size, `groups`
    # slots of columns (decided first: none of the choices below applies to them)
    blk_m = _pw_block_merged(node, g, p, n_ * oh * ow, groups) if ctx.core == "cortex-m33" \
        and v == "1x1_fast" and _pw_ok(ctx, p) else None
    pw = blk_m is None and groups == 1 and v == "1x1_fast" and _pw_ok(ctx, p)
    merged = _merged_records(node, g, p) if pw and _merged_ok(ctx, p) else None
    # the M4: the records copied into the scratch where that pays and the arena does not grow
    pw_copy = pw and _pw_copy_pays(ctx, p, merged is not None)
    if pw_copy and merged is not None and p["filter_dims"][3] <= PW_COPY_INT16_MAX_K and \
            scratch_fits(node, g, size + 4 * len(rec), slack=1.0):
        merged = None   # in RAM the int16 rows: no split of the channels per record
    pw_copy = pw_copy and records_copy(ctx, 4 * len(merged if merged is not None else rec))
    if pw and not pw_copy and merged is None and _merged_ok(ctx, p):
        merged = _merged_records(node, g, p)    # not copied after all: the flash-saving rows
    # the M4 with 160-byte records (32 inputs as int16, 64 merged): two groups per record pass
    twice = pw and not pw_copy and _is_m4(ctx) and \
        p["filter_dims"][3] == (32 if merged is None else 64) and scratch_fits(node, g, 2 * size)
    if twice:           # two groups' columns (mcusim_convolve_1x1_fast_pw2_s8)
        size *= 2
    if pw_copy:         # one group's columns, then the records (mcusim_convolve_1x1_fast_pwc_s8)
        size += 4 * len(merged if merged is not None else rec)
    buf = f"{ctx.scratch(size)}, " if size else ""
    small_k_row = ""    # the named routine of mcusim_convolve_1x1_fast_g_r_s8
    fn = {"generic": "mcusim_convolve_s8", "1x1": "mcusim_convolve_1x1_s8",
          "im2col": "mcusim_convolve_im2col_s8", "1x1_fast": "mcusim_convolve_1x1_fast_s8",
          "im2col_fast": "mcusim_convolve_im2col_fast_s8"}[v]
    block_loops = None
    if blk_m is not None:   # one or more groups' columns per pass over the blocks
        rec, fn, block_loops, block = blk_m
        buf += f"{groups}, {block}, "
    elif groups > 1:    # records in blocks for several groups of pixels (conv_pack.groups_plan)
        buf += f"{groups}, {block}, "
        fn = fn.replace("_fast_s8", "_fast_blk_s8")
        if v == "1x1_fast" and ctx.core == "cortex-m33" and _pw_ok(ctx, p):
            # the M33's pointwise blocks name their record loops (the others are not linked)
            fn = "mcusim_convolve_1x1_fast_blk_pw_s8"
            block_loops = _pw_block_loops(p["filter_dims"][3], p["filter_dims"][0], n_ * oh * ow)
    elif v == "1x1_fast" and _small_k_groups(p, ctx.core):
        fn = "mcusim_convolve_1x1_fast_g_s8"
        if _prescaled_outc(p, ((8, 16), (16, 32)), ctx.core):
            rec = packed_records(node, g, p, pre=True)
            if _is_prescaled(rec, p["filter_dims"][3]):  # the routine named (MCUSIM_SMALL_K_ROW)
                kc, oc = p["filter_dims"][3], p["filter_dims"][0]
                fn, small_k_row = "mcusim_convolve_1x1_fast_g_r_s8", \
                    f", MCUSIM_SMALL_K_ROW(mcusim_conv1x1_g{kc}_o{oc}_s16)"
        copy = records_copy(ctx, 4 * len(rec))
        size += 4 * len(rec) if copy else 0
        buf = f"{ctx.scratch(size)}, {int(copy)}, "
    elif pw:
        # the M4/M33 record loops called per group straight (mcusim_mm_pw_s8.c); on the M4 from
        # 64 input channels with both channels of a pair in one int16 (conv_pack.records_merged):
        # half the flash lines of the doubled rows, which the ART's 256-byte data cache re-reads
        # for every group; with 160-byte records two groups per pass over each record, which
        # that cache keeps between them
        rec, fn = (merged, "mcusim_convolve_1x1_fast_m_s8") if merged is not None else \
            (rec, "mcusim_convolve_1x1_fast_pw_s8")
        if twice:
            fn = fn[:-len("_s8")] + "2_s8"     # _pw2_s8 / _m2_s8
        elif pw_copy:
            fn = fn[:-len("_s8")] + "c_s8"     # _pwc_s8 / _mc_s8
        loops = _pw_loops(p["filter_dims"][3], p["filter_dims"][0], merged is not None, twice,
                          n_ * oh * ow)
    if (block_loops is not None or (pw and merged is None)) and _pw_prescalable(ctx, p) and \
            blk_m is None:
        pre = _pw_prescaled_records(node, g, p)
        rec = pre if pre is not None else rec
    if rec is not None:     # the records replace the int8 filter, bias and multipliers in flash
        packed = ctx.const(f"n{node.index}_conv_packed", rec, "int32_t")
        in_off = 0 if v == "1x1_fast" else p["input_offset"]   # 1x1: folded into the bias
        table = (f"static const mcusim_pw_loops loops = MCUSIM_PW_LOOPS({', '.join(loops)});\n"
                 if pw else "")
        if block_loops is not None:     # with the loops' input count first
            table = ("static const mcusim_pw_block_loops loops = "
                     f"MCUSIM_PW_BLOCK_LOOPS{'_M' if blk_m is not None else ''}"
                     f"({', '.join(block_loops)});\n")
        return (_conv_params(p, in_off) + table + f"{fn}({buf}&params,\n"
                f"    {dims_lit(p['input_dims'])}, {cptr(ctx, node.inputs[0], const=True)},\n"
                f"    {dims_lit(p['filter_dims'])}, {packed},\n"
                f"    {dims_lit(p['output_dims'])}, {cptr(ctx, node.outputs[0])}"
                f"{', &loops' if pw or block_loops is not None else ''}{small_k_row});\n")
    m, s = quant_arrays(ctx, node, p["multipliers"], p["shifts"])
    # the 1x1 variant has no padding: its input offset can be folded into the bias at build time
    bias_ref, in_off = bias_arg(ctx, g, node, p["input_offset"], p["filter_dims"][0],
                                fold=(v == "1x1"))
    f = g.t(node.inputs[1])
    oc, kh, kw, kc = p["filter_dims"]
    pairs = None    # ARMv6-M: rows interleaved in pairs at build time, in place of the filter
    if ctx.v6m_packed and f.data is not None:
        if v == "1x1" and in_off == 0:
            pairs = ("mcusim_convolve_1x1_pairs_s8", conv_pack.pack_pairs(f.data), "int8_t",
                     ((kc + 1) & ~1) * 2)
        elif v == "im2col":
            pairs = ("mcusim_convolve_im2col_pairs_s8",
                     conv_pack.pack_pairs(f.data, np.int16), "int16_t",
                     ((kh * kw * kc + 1) & ~1) * 4)
    if pairs:
        fn, arr, ctype, size = pairs
        packed = ctx.const(f"n{node.index}_filter_pairs", arr, ctype)
        rq = _split11(node, g, p, f.data, in_off)
        rq_ref = ctx.const(f"n{node.index}_requant", rq, "int32_t") if rq is not None else "NULL"
        return (
            _conv_params(p, in_off)
            + params_lit("mcusim_quant_params", [("multiplier", m), ("shift", s),
                                                 ("per_channel", 1)], "quant")
            + f"{fn}({ctx.scratch(size)}, &params, &quant, {rq_ref},\n"
            f"    {dims_lit(p['input_dims'])}, {cptr(ctx, node.inputs[0], const=True)},\n"
            f"    {dims_lit(p['filter_dims'])}, {packed},\n"
            f"    {bias_ref},\n"
            f"    {dims_lit(p['output_dims'])}, {cptr(ctx, node.outputs[0])});\n")
    return (
        _conv_params(p, in_off)
        + params_lit("mcusim_quant_params", [("multiplier", m), ("shift", s),
                                             ("per_channel", 1)], "quant")
        + f"{fn}({buf}&params, &quant,\n"
        f"    {dims_lit(p['input_dims'])}, {cptr(ctx, node.inputs[0], const=True)},\n"
        f"    {dims_lit(p['filter_dims'])}, {cptr(ctx, node.inputs[1], const=True)},\n"
        f"    {bias_ref},\n"
        f"    {dims_lit(p['output_dims'])}, {cptr(ctx, node.outputs[0])});\n")


# ARMv6-M: window rows of at least this many bytes (mcusim_window_v6m steps ~12 cycles per row
# against ~19 per tap); shorter rows (cnn_s's first 10x4x1 layer: 4 bytes) keep the pairs
# im2col, whose small scratch is not at the arena's peak
V6M_WINDOW_MIN_ROW = 32


def _window_ok(p: dict, dsp: bool = True) -> bool:
    """mcusim_convolve_window_s8's case (DSP cores, in place of the unpacked im2col): no padding
    (every tap real: the input offset folds into the bias), dilation 1, window rows of
    f_w * in_c bytes a multiple of 4 (word loads straight from the input). No scratch: cnn_s's
    10x4x28 layer drops its 2,240-byte int16 column, which sat at the arena's peak (10,440 ->
    8,200 B), and runs at 0.7 MACs/cycle instead of 0.3 (docs/kernels.md)."""
    oc, kh, kw, kc = p["filter_dims"]
    _, ih, iw, _ = p["input_dims"]
    _, oh, ow, _ = p["output_dims"]
    sw, sh = p["stride"]         # (w, h): conv_geometry's order, the C struct's
    # no padding on any side: SAME at stride 2 over an even size pads only below / right
    inside = (oh - 1) * sh + kh <= ih and (ow - 1) * sw + kw <= iw
    return p["padding"] == (0, 0) and inside and p["dilation"] == (1, 1) and \
        kc == p["input_dims"][3] and (kw * kc) % 4 == 0 and (dsp or kw * kc >= V6M_WINDOW_MIN_ROW)


def _window_call(node, g, p: dict, ctx):
    """The mcusim_convolve_window_s8 call, or None when the folded bias does not fit int32 (or
    the filter is not constant): the im2col kernel then keeps the offset. On ARMv6-M with the
    split-multiplier table where conv_pack.split11_table gives one (raw int8 inputs: x_max 128)."""
    f = g.t(node.inputs[1])
    if f.data is None:
        return None
    oc = p["filter_dims"][0]
    b = node.inputs[2] if len(node.inputs) > 2 else -1
    bias = folded_bias(g, node, p["input_offset"], oc) if p["input_offset"] != 0 else \
        (np.asarray(g.t(b).data).reshape(-1) if b >= 0 and g.t(b).data is not None else
         None if b >= 0 else np.zeros(oc, np.int32))
    if bias is None:
        return None
    bias_ref, in_off = bias_arg(ctx, g, node, p["input_offset"], oc, fold=True)
    rq = conv_pack.split11_table(f.data, bias, p["multipliers"], p["shifts"],
                                 p["output_offset"], 128) if not ctx.dsp else None
    rq_ref = ctx.const(f"n{node.index}_requant", rq, "int32_t") if rq is not None else "NULL"
    m, s = quant_arrays(ctx, node, p["multipliers"], p["shifts"])
    w_ref = ctx.const(f"n{node.index}_filter_words", _window_words(f.data), "int8_t") \
        if ctx.dsp else cptr(ctx, node.inputs[1], const=True)
    return (
        _conv_params(p, 0)
        + params_lit("mcusim_quant_params", [("multiplier", m), ("shift", s),
                                             ("per_channel", 1)], "quant")
        + f"mcusim_convolve_window_s8(&params, &quant, {rq_ref},\n"
        f"    {dims_lit(p['input_dims'])}, {cptr(ctx, node.inputs[0], const=True)},\n"
        f"    {dims_lit(p['filter_dims'])}, {w_ref},\n"
        f"    {bias_ref},\n"
        f"    {dims_lit(p['output_dims'])}, {cptr(ctx, node.outputs[0])});\n")


def _window_words(w) -> np.ndarray:
    """The DSP window kernel's filter: rows in pairs, their 4-byte words interleaved (w0's,
    w1's, ...), an odd last row plain after them; the same bytes, once."""
    w = np.asarray(w, np.int8).reshape(w.shape[0], -1)
    pairs = w[: w.shape[0] // 2 * 2].reshape(-1, 2, w.shape[1] // 4, 4).transpose(0, 2, 1, 3)
    return np.concatenate([pairs.reshape(-1), w[w.shape[0] // 2 * 2:].reshape(-1)])


def _conv_params(p: dict, input_offset: int) -> str:
    return params_lit("mcusim_conv_params", [
        ("input_offset", input_offset), ("output_offset", p["output_offset"]),
        ("stride", p["stride"]), ("padding", p["padding"]), ("dilation", p["dilation"]),
        ("activation", p["activation"])])


def _split11(node, g, p: dict, w, in_off: int):
    """ARMv6-M requantization constants (conv_pack.split11_table) for the pairs variants: the
    bias the kernel starts from (folded for 1x1: in_off is then 0) and the input range."""
    b = node.inputs[2] if len(node.inputs) > 2 else -1
    if b >= 0 and g.t(b).data is None:
        return None
    bias = (np.asarray(g.t(b).data, np.int64).reshape(-1) if b >= 0
            else np.zeros(w.shape[0], np.int64))
    if _is_1x1(p):
        bias = bias + int(p["input_offset"]) * np.asarray(w, np.int64).reshape(w.shape[0], -1).sum(1)
    x_max = max(abs(-128 + in_off), abs(127 + in_off))
    return conv_pack.split11_table(w, bias, p["multipliers"], p["shifts"], p["output_offset"],
                                   x_max)
