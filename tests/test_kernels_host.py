"""Every int8 kernel and variant, bit-exact with TFLM on one-operator models (host gcc build).

Each case builds a model with mcusim.compiler.modelgen, computes the kernel's parameters with the
operator module's prepare()/emit(), runs the C kernel through ctypes, and compares with TFLM's
interpreter on random inputs (fixed seeds) and the extremes (all -128, all 127): 0 difference.
"""
from __future__ import annotations

import re
import zlib

import numpy as np
import pytest

from mcusim.compiler import modelgen as mg
from kernel_support import Case, assert_bit_exact, build_kernel_lib


@pytest.fixture(scope="session")
def klib(tmp_path_factory):
    return build_kernel_lib(tmp_path_factory.mktemp("kernels"))


@pytest.fixture
def make(klib, tmp_path):
    def f(data, dsp=False, rewrite=None):
        return Case(data, klib, tmp_path, dsp=dsp, rewrite=rewrite)
    return f


def rng(*key):
    """A generator seeded by the case itself (crc32: stable across processes, unlike hash())."""
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


# ------------------------------------------------------------------ CONV_2D
CONV_CASES = [
    # in_shape, out_ch, kernel, stride, dilation, padding, per_channel, activation
    ([1, 8, 8, 3], 4, (3, 3), (1, 1), (1, 1), "SAME", True, "NONE"),
    ([1, 9, 7, 5], 6, (3, 3), (2, 2), (1, 1), "SAME", True, "RELU"),
    ([1, 9, 7, 5], 6, (3, 3), (2, 1), (1, 1), "VALID", False, "RELU6"),
    ([1, 10, 10, 3], 5, (3, 3), (1, 1), (2, 2), "SAME", True, "NONE"),
    ([1, 11, 9, 2], 3, (2, 3), (1, 2), (2, 1), "VALID", False, "NONE"),
    ([2, 6, 6, 4], 3, (5, 5), (1, 1), (1, 1), "SAME", True, "RELU_N1_TO_1"),
    ([1, 49, 10, 1], 8, (10, 4), (2, 2), (1, 1), "SAME", True, "RELU"),
    ([1, 7, 7, 16], 8, (1, 1), (1, 1), (1, 1), "VALID", True, "RELU6"),   # 1x1
    ([1, 7, 7, 13], 5, (1, 1), (2, 2), (1, 1), "SAME", False, "NONE"),    # 1x1 strided
    ([1, 5, 5, 7], 9, (1, 1), (1, 1), (2, 2), "SAME", True, "NONE"),      # 1x1 dilated
    ([1, 4, 3, 2], 3, (3, 3), (1, 1), (3, 4), "SAME", True, "NONE"),      # taps mostly outside
]


def as_generic(body: str) -> str:
    """Call the generic kernel where the compiler chose im2col (the generic path is also the
    wrappers' fallback without scratch, and grouped convolutions always take it)."""
    return re.sub(r"mcusim_convolve_im2col_s8\([^,]+, ", "mcusim_convolve_s8(", body)


@pytest.mark.parametrize("variant", ["chosen", "generic"])
@pytest.mark.parametrize("case", CONV_CASES, ids=lambda c: "x".join(map(str, c[0])) + f"_k{c[2]}s{c[3]}d{c[4]}{c[5]}{'pc' if c[6] else 'pt'}{c[7]}")
def test_conv_2d(make, case, variant):
    shape, oc, k, s, d, pad, pc, act = case
    data, _ = mg.conv_2d(rng("conv", case), shape, oc, k, s, d, pad, pc, act)
    c = make(data, rewrite=as_generic if variant == "generic" else None)
    assert_bit_exact(c, seed=1)


def test_conv_2d_variant_selection(make):
    data, _ = mg.conv_2d(rng("sel"), [1, 6, 6, 8], 4, (1, 1), padding="VALID")
    assert "mcusim_convolve_1x1_s8(" in make(data).body
    c = make(data, dsp=True)     # DSP cores: the filter packed at build time replaces it
    assert "mcusim_convolve_1x1_fast_s8(((void *)scratch)" in c.body
    assert "_conv_packed" in c.body and not re.search(r"\bc\d+_t1\b", c.body)
    data, _ = mg.conv_2d(rng("sel2"), [1, 6, 6, 8], 4, (3, 3))
    assert "mcusim_convolve_im2col_s8(((void *)scratch)" in make(data).body
    c = make(data, dsp=True)
    assert "mcusim_convolve_im2col_fast_s8(((void *)scratch)" in c.body
    assert "_conv_packed" in c.body
    assert_bit_exact(c, seed=1)
    assert "mcusim_convolve_s8(" in make(data, rewrite=as_generic).body


@pytest.mark.parametrize("shape,oc,stride,pad,act", [
    ([1, 9, 8, 3], 8, (2, 2), "SAME", "RELU"),          # VWW-like: padding right and below
    ([2, 7, 9, 3], 10, (2, 1), "SAME", "RELU6"),        # groups across rows/images, clamp, tail
    ([1, 6, 7, 3], 6, (1, 1), "VALID", "NONE"),         # a last group of two pixels
])
def test_conv_2d_rgb3x3_portable(make, monkeypatch, shape, oc, stride, pad, act):
    """mcusim_convolve_rgb3x3_fast_s8's C loop (what a host build of it runs): its records
    (columns of 28, input offset folded into the bias) against TFLM; the compiler picks it on the
    M4/M33, so the host core is added to its cores here."""
    from mcusim.compiler.ops import conv_2d
    monkeypatch.setattr(conv_2d, "M4_M33_CORES", conv_2d.M4_M33_CORES + ("host",))
    data, _ = mg.conv_2d(rng("rgb", shape, oc), shape, oc, (3, 3), stride, padding=pad,
                         activation=act)
    c = make(data, dsp=True)
    assert "mcusim_convolve_rgb3x3_fast_s8(((void *)scratch)" in c.body
    assert_bit_exact(c, seed=4)


def test_conv_2d_grouped(make):
    data, _ = mg.conv_2d(rng("groups"), [1, 6, 6, 8], 6, (3, 3), groups=2)
    c = make(data, dsp=True)
    assert "mcusim_convolve_s8(" in c.body
    assert_bit_exact(c, seed=2)


def test_conv_2d_no_bias(make):
    data, _ = mg.conv_2d(rng("nobias"), [1, 5, 5, 3], 4, bias=False)
    assert_bit_exact(make(data), seed=3)


# ------------------------------------------------------------------ DEPTHWISE_CONV_2D
DW_CASES = [
    # in_shape, multiplier, kernel, stride, dilation, padding, per_channel, activation
    ([1, 8, 8, 4], 1, (3, 3), (1, 1), (1, 1), "SAME", True, "NONE"),       # 3x3 fast path
    ([1, 9, 7, 5], 1, (3, 3), (2, 2), (1, 1), "SAME", True, "RELU6"),      # 3x3 strided
    ([1, 9, 7, 5], 1, (3, 3), (1, 2), (1, 1), "VALID", False, "RELU"),     # 3x3 per-tensor
    ([1, 8, 8, 3], 2, (3, 3), (1, 1), (1, 1), "SAME", True, "NONE"),
    ([1, 8, 8, 3], 3, (3, 3), (2, 2), (1, 1), "VALID", True, "RELU"),
    ([1, 10, 10, 4], 1, (3, 3), (1, 1), (2, 2), "SAME", True, "NONE"),     # dilated -> generic
    ([2, 7, 9, 2], 2, (5, 3), (2, 1), (1, 2), "SAME", False, "RELU6"),
    ([1, 25, 5, 64], 1, (3, 3), (1, 1), (1, 1), "SAME", True, "RELU"),     # KWS-like
    ([1, 30, 1, 40], 1, (3, 1), (1, 1), (1, 1), "VALID", True, "NONE"),    # str_ww-like
    ([1, 28, 1, 24], 1, (5, 1), (1, 1), (1, 1), "VALID", False, "RELU"),
    ([1, 4, 3, 2], 2, (3, 3), (1, 2), (3, 4), "SAME", True, "NONE"),       # taps mostly outside
    ([1, 49, 40, 1], 8, (10, 8), (2, 2), (1, 1), "SAME", False, "RELU"),   # micro_speech-like
]


@pytest.mark.parametrize("case", DW_CASES, ids=lambda c: "x".join(map(str, c[0])) + f"_m{c[1]}k{c[2]}s{c[3]}d{c[4]}{c[5]}{'pc' if c[6] else 'pt'}{c[7]}")
def test_depthwise_conv_2d(make, case):
    shape, m, k, s, d, pad, pc, act = case
    data, _ = mg.depthwise_conv_2d(rng("dw", case), shape, m, k, s, d, pad, pc, act)
    c = make(data)
    fast = m == 1 and k == (3, 3) and d == (1, 1)
    assert ("mcusim_depthwise_conv_3x3_s8(" in c.body) == fast
    assert_bit_exact(c, seed=4)


# the build-time packed 3x3 layout (the compiler's choice on DSP cores): on the host its portable
# C path runs, which checks the records and the three-instruction requantization against TFLM
DW_PACKED_CASES = [
    # in_shape, stride, padding, per_channel, activation
    ([1, 25, 5, 64], (1, 1), "SAME", True, "RELU"),      # KWS
    ([1, 9, 8, 8], (2, 2), "SAME", True, "RELU6"),       # VWW-like stride 2
    ([2, 7, 6, 12], (1, 1), "VALID", False, "NONE"),
    ([1, 6, 9, 4], (2, 1), "SAME", True, "RELU_N1_TO_1"),
    ([1, 10, 4, 8], (1, 1), "SAME", True, "RELU"),       # tall: the transposed records
]


@pytest.mark.parametrize("case", DW_PACKED_CASES, ids=lambda c: "x".join(map(str, c[0])) + f"_s{c[1]}{c[2]}")
def test_depthwise_conv_3x3_packed(make, case):
    shape, s, pad, pc, act = case
    data, _ = mg.depthwise_conv_2d(rng("dwp", case), shape, 1, (3, 3), s, (1, 1), pad, pc, act)
    c = make(data, dsp=True)
    # maps at least twice as tall as wide with a small enough scratch take the transposed
    # records and walk (not KWS's 25x5: its 864 B scratch would raise the arena)
    tall = shape == [1, 10, 4, 8]
    assert re.search(rf"mcusim_depthwise_conv_3x3_packed{'_t' if tall else ''}_(sign|nosign|pre)_s8\(",
                     c.body)
    assert_bit_exact(c, seed=5)


def test_depthwise_pack_bounds():
    """Layers whose requantization the packed form cannot reproduce keep the int8 kernel."""
    from mcusim.compiler.ops import depthwise_pack
    w = np.ones((1, 3, 3, 4), np.int8)
    p = dict(ch_mult=1, multipliers=[1 << 30] * 4, shifts=[-3] * 4, input_offset=128,
             output_offset=-5)
    rec = depthwise_pack.pack_3x3(w, np.arange(4), p)
    assert rec.shape == (4, 10) and list(rec[:, 9]) == [3] * 4
    assert rec[1, 6] == 2 * (1 + 128 * 9)                   # offset folded into the bias
    assert rec[0, 8] == 4 - 5 * 8                           # 2^(e-1) + out_off 2^e
    assert depthwise_pack.pack_3x3(w, None, dict(p, shifts=[0, -3, -3, -3])) is None   # e = 0
    assert depthwise_pack.pack_3x3(w, np.full(4, 1 << 30), p) is None   # accumulator range
    assert depthwise_pack.pack_3x3(np.ones((1, 3, 3, 6), np.int8), None, p) is None  # 6 channels
    # ARMv6-M: every |sum| < 2^19 for its split high multiply
    assert depthwise_pack.pack_3x3(w, np.full(4, 600_000), p) is not None
    assert depthwise_pack.pack_3x3(w, np.full(4, 600_000), p, v6m=True) is None


def test_depthwise_small_map_scratch():
    """The small-map layout (8 row-pair slots, the kernel's mcusim_dw3p_small_pairs) only for the
    fused row walk with equal strides: stride 1 in row pairs (heights 2 to 14, an odd one's last
    row alone), stride 2 one row per step (up to 7); its scratch is 128 B per column instead of
    32."""
    from mcusim.compiler.ops import depthwise_pack as dp
    assert [dp.small_pairs(oh, 1, 1) for oh in (2, 6, 12, 14, 16)] == [2, 4, 7, 8, 0]
    # odd heights: the pairs, then the last row alone (its rows in pairs (oh+1)/2 and (oh+3)/2)
    assert [dp.small_pairs(oh, 1, 1) for oh in (1, 3, 5, 13, 15)] == [0, 3, 4, 8, 0]
    assert [dp.small_pairs(oh, 2, 2) for oh in (3, 6, 7, 8)] == [4, 7, 8, 0]
    assert dp.small_pairs(6, 2, 1) == 0 and dp.small_pairs(6, 1, 2) == 0
    p = dict(stride=(1, 1), output_dims=(1, 6, 6, 128), activation=(-128, 127))
    assert dp.buffer_size(p, True, fpu=True) == 128 * 8            # VWW's 6x6 layers
    assert dp.buffer_size(p, True, fpu=False) == 32 * 8 + 4 * 12   # no FPU: the unfused loops
    assert dp.buffer_size(dict(p, activation=(-128, 0)), True, fpu=True) == 32 * 8 + 4 * 12
    assert dp.buffer_size(p, True, tr=True, fpu=True) == 32 * 8    # the transposed walk: 2 slots
    # taller maps with rows of 8+ outputs and a small layout within 4 KB: equal blocks of rows
    assert dp.block_rows(24, 24, 1, 1) == 12 and dp.block_rows(12, 12, 2, 2) == 6   # VWW 24x24
    assert dp.block_rows(18, 10, 1, 1) == 6            # 9-row blocks would be odd: three of 6
    assert dp.block_rows(48, 48, 1, 1) == 0            # 48 wide: 6.4 KB of scratch
    assert dp.block_rows(25, 5, 1, 1) == 0             # KWS: 5-wide rows keep the row walk
    assert dp.block_rows(17, 19, 1, 1) == 0 and dp.block_rows(12, 12, 1, 1) == 0   # prime; small
    assert dp.buffer_size(dict(p, output_dims=(1, 24, 24, 32)), True, fpu=True) == 128 * 26


def test_depthwise_unrolled_loop_names():
    """The entry suffix naming a small map's unrolled loop (M4/M33 with an FPU, fused, small
    layout, width 2P at stride 1 with even heights or 4P at stride 2), with the channel count's
    immediate offsets when the kernel has that instance; the list agrees with mcusim_nn.h's."""
    from kernel_support import INCLUDE
    from mcusim.compiler.ops import depthwise_pack as dp
    src = (INCLUDE / "mcusim_nn.h").read_text()
    body = src[src.index("#define MCUSIM_DW3P_U_LIST(X)"):].split("\n#define", 1)[0]
    got = [(k, int(a), int(b), int(c)) for k, a, b, c in
           re.findall(r"X\((\w), (\d+), (\d+), (\d+)\)", body)]
    assert got == list(dp.UNROLLED)

    def name(shape, stride, act=(-128, 127), core="cortex-m4f", fpu=True):
        return dp.unrolled_loop(dict(stride=(stride, stride), output_dims=(1, *shape),
                                     activation=act), True, fpu, core)
    # VWW's layers: 6x6x128, 12x12x64, 24x24x32 (blocks of 12 rows), 24 -> 12 stride 2 (blocks
    # of 6: two output rows per step), 12 -> 6 stride 2 (the same)
    assert [name((6, 6, 128), 1), name((12, 12, 64), 1), name((24, 24, 32), 1),
            name((12, 12, 32), 2), name((6, 6, 64), 2)] == \
        ["_ue3c128", "_ud6c64", "_ud12c32", "_uw6c32", "_uw3c64"]
    # stride 2 at odd heights: one output row per step
    assert name((3, 12, 32), 2) == "_uq3c32" and name((5, 6, 64), 2) == "_uv1c64"
    # the M7 takes the stride-2 two-row loops only
    assert [name((12, 12, 32), 2, core="cortex-m7"), name((6, 6, 64), 2, core="cortex-m7"),
            name((3, 12, 32), 2, core="cortex-m7"), name((3, 3, 128), 2, core="cortex-m7")] == \
        ["_uw6c32", "_uw3c64", "", ""]
    assert name((4, 6, 128), 1) == "_ud3c128"          # not square: the step loop
    assert name((6, 6, 12), 1) == "_ud3c0" and name((6, 12, 8), 2) == "_uq3c0"   # any channels
    assert name((6, 6, 128), 1, core="cortex-m33") == "_ue3c128"
    # 3x3 maps: the channel counts of VWW's last two layers only
    assert [name((3, 3, 256), 1), name((3, 3, 128), 2)] == ["_um3c256", "_un3c128"]
    assert name((3, 3, 64), 1) == "" and name((3, 3, 256), 2) == ""
    # not: the M7, no FPU, a clamped activation, odd heights, other widths, 48 wide, KWS 25x5
    assert name((6, 6, 128), 1, core="cortex-m7") == "" and name((6, 6, 128), 1, fpu=False) == ""
    assert name((6, 6, 128), 1, act=(-128, 0)) == "" and name((5, 6, 8), 1) == ""
    assert name((6, 8, 8), 1) == "" and name((6, 6, 32), 2) == ""
    assert name((3, 6, 64), 2) == "_uv1c64"            # a quad and a pair per row
    assert name((48, 48, 8), 1) == "" and name((25, 5, 64), 1) == ""
    # the row walk's instances (no small layout): VWW's 48-wide layers, KWS's 25x5x64
    body = re.search(r"#define MCUSIM_DW3P_R_LIST\(X\)((?:[^\n]*\\\n)*[^\n]*)", src).group(1)
    got = [(k, int(a), int(b), int(c), int(u)) for k, a, b, c, u in
           re.findall(r"X\((\w), (\d+), (\d+), (\d+), (\d+)\)", body)]
    assert got == list(dp.ROW_LOOPS)

    def row(shape, stride, core="cortex-m4f"):
        return dp.row_loop(dict(stride=(stride, stride), output_dims=(1, *shape),
                                activation=(-128, 127)), True, True, core)
    assert [row((48, 48, 8), 1), row((24, 24, 16), 2), row((25, 5, 64), 1)] == \
        ["_rd48c8", "_rs24c16", "_rd5c64"]
    # stride 2: two output rows per call over three slots at even heights, else one row (quads)
    assert row((23, 24, 16), 2) == "_rq24c16" and row((24, 24, 16), 2, "cortex-m33") == "_rs24c16"
    assert row((48, 48, 16), 1) == "" and row((6, 6, 128), 1) == ""      # no instance; small
    # the M7: the three-slot walk only (its own schedules for the rest)
    assert row((48, 48, 8), 1, core="cortex-m7") == "" and row((23, 24, 16), 2, "cortex-m7") == ""
    assert row((24, 24, 16), 2, "cortex-m7") == "_rs24c16"
    # the three-slot walk's scratch: 48 bytes per column (the two-slot walk's 32) when named

    def scratch(oh, core):
        return dp.buffer_size(dict(stride=(2, 2), output_dims=(1, oh, 24, 16),
                                   activation=(-128, 127)), True, False, True, core)
    assert [scratch(24, "cortex-m33"), scratch(24, "cortex-m4f"), scratch(24, "cortex-m7"),
            scratch(23, "cortex-m33"), scratch(24, "")] == [48 * 49] * 3 + [32 * 49] * 2


def test_v6m_split_high_multiply():
    """The ARMv6-M packed path's floor((a m + 2^30) / 2^31) as three MULS on an 9/11/11-bit split
    of m with nested floors (mcusim_dw3p_v6m_line): equal to the exact value for |a| < 2^19, every
    intermediate inside int32."""
    r = np.random.default_rng(19)
    lim = 1 << 19
    a_s = np.concatenate([r.integers(-lim + 1, lim, 20000), [lim - 1, -lim + 1, 0, 1, -1]])
    m_s = np.concatenate([r.integers(0, 1 << 31, 20000), [(1 << 31) - 1, 0, 1 << 30, 1, 2047]])
    for a, m in zip(a_s.tolist(), m_s.tolist()):
        m0, m1, m2 = m & 0x7FF, (m >> 11) & 0x7FF, m >> 22
        u0 = a * m0 + (1 << 30)
        t0 = u0 >> 11
        u1 = a * m1 + t0
        t1 = u1 >> 11
        u2 = a * m2 + t1
        assert all(-(1 << 31) <= u < (1 << 31) for u in (u0, u1, u2))
        assert u2 >> 9 == (a * m + (1 << 30)) >> 31


# ------------------------------------------------------------------ FULLY_CONNECTED
@pytest.mark.parametrize("dsp", [False, True], ids=["portable", "dsp-flag"])
@pytest.mark.parametrize("shape,units,pc,act,bias", [
    ([1, 10], 5, False, "NONE", True),
    ([1, 64], 12, True, "RELU", True),
    ([3, 33], 7, False, "RELU6", False),
    ([2, 4, 17], 9, True, "NONE", True),
    ([1, 640], 128, False, "RELU", True),     # anomaly-detection-like
])
def test_fully_connected(make, shape, units, pc, act, bias, dsp):
    data, _ = mg.fully_connected(rng("fc", shape, units, pc, act), shape, units, pc, act, bias)
    assert_bit_exact(make(data, dsp), seed=5)


def test_avgpool_reciprocal_division_is_exact():
    """mcusim_avgpool_s8's DSP means divide by multiplying: floor(n / c) = (n * recip) >> 32 with
    recip = 0xffffffff // c + 1, for every count c = 2..256 and every n the lanes can give
    (|sum| + c // 2 <= 256 * 128 + 128)."""
    n = np.arange(0, 256 * 128 + 129, dtype=np.uint64)
    for c in range(2, 257):
        recip = np.uint64(0xFFFFFFFF // c + 1)
        assert np.array_equal((n * recip) >> np.uint64(32), n // np.uint64(c)), c


# ------------------------------------------------------------------ pooling
@pytest.mark.parametrize("op", ["AVERAGE_POOL_2D", "MAX_POOL_2D"])
@pytest.mark.parametrize("shape,f,s,pad,act", [
    ([1, 8, 8, 3], (2, 2), (2, 2), "VALID", "NONE"),
    ([1, 9, 7, 5], (3, 3), (2, 2), "SAME", "RELU"),
    ([1, 9, 7, 5], (3, 2), (1, 2), "SAME", "RELU6"),
    ([2, 25, 5, 16], (25, 5), (1, 1), "VALID", "NONE"),   # global pool
    ([1, 6, 6, 2], (4, 4), (3, 3), "SAME", "NONE"),
])
def test_pool(make, op, shape, f, s, pad, act):
    data, _ = mg.pool_2d(rng(op, shape, f, s), op, shape, f, s, pad, act)
    assert_bit_exact(make(data), seed=6)


# ------------------------------------------------------------------ ADD, MUL
BIN_SHAPES = [
    ([1, 8, 8, 3], [1, 8, 8, 3]),
    ([1, 5, 5, 4], [4]),
    ([1, 5, 5, 4], [1, 1, 1, 4]),
    ([2, 1, 3], [1, 4, 1]),
    ([1, 6, 1, 5], [1, 1, 7, 1]),
    ([3, 1], [1]),
    ([2, 3, 1, 2, 2], [2, 1, 4, 1, 2]),
]


@pytest.mark.parametrize("op", ["ADD", "MUL"])
@pytest.mark.parametrize("act", ["NONE", "RELU6"])
@pytest.mark.parametrize("shapes", BIN_SHAPES, ids=lambda s: f"{s[0]}_{s[1]}".replace(" ", ""))
def test_binary(make, op, act, shapes):
    data, _ = mg.binary(rng(op, act, shapes), op, shapes[0], shapes[1], act)
    assert_bit_exact(make(data), seed=7)


@pytest.mark.parametrize("op", ["ADD", "MUL"])
def test_binary_const_operand(make, op):
    data, _ = mg.binary(rng(op, "const"), op, [1, 4, 4, 8], [8], "RELU", const_second=True)
    assert_bit_exact(make(data), seed=8)


# ------------------------------------------------------------------ SOFTMAX, LOGISTIC, TANH
@pytest.mark.parametrize("shape", [[1, 12], [3, 10], [1, 2, 2, 7], [1, 1]])
@pytest.mark.parametrize("beta", [1.0, 0.5, 2.7])
@pytest.mark.parametrize("in_scale", [0.02, 0.15, 1.0 / 16])
def test_softmax(make, shape, beta, in_scale):
    data, _ = mg.unary(rng("sm", shape, beta), "SOFTMAX", shape, in_scale=in_scale,
                       out_scale=1 / 256, out_zp=-128, options={"beta": beta})
    assert_bit_exact(make(data), seed=9)


@pytest.mark.parametrize("op,oscale,ozp", [("LOGISTIC", 1 / 256, -128), ("TANH", 1 / 128, 0)])
@pytest.mark.parametrize("in_scale,in_zp", [(0.02, 0), (0.08, -20), (0.003, 10), (0.5, 3)])
def test_sigmoid_tanh(make, op, oscale, ozp, in_scale, in_zp):
    data, _ = mg.unary(rng(op, in_scale), op, [1, 3, 50], in_scale=in_scale, in_zp=in_zp,
                       out_scale=oscale, out_zp=ozp)
    c = make(data)
    assert_bit_exact(c, seed=10)
    # the whole int8 domain at once
    x = np.arange(-128, 128, dtype=np.int8).repeat(2)[:150].reshape(1, 3, 50)
    from kernel_support import tflm
    assert np.array_equal(tflm(data, [x])[0], c.run([x])[0])


# ------------------------------------------------------------------ RELU, RELU6
@pytest.mark.parametrize("op", ["RELU", "RELU6"])
@pytest.mark.parametrize("in_q,out_q", [((0.05, -3), (0.05, -3)), ((0.05, 10), (0.03, -20)),
                                        ((0.02, -128), (0.1, 5))])
def test_relu(make, op, in_q, out_q):
    data, _ = mg.unary(rng(op, in_q, out_q), op, [1, 7, 9], in_scale=in_q[0], in_zp=in_q[1],
                       out_scale=out_q[0], out_zp=out_q[1])
    assert_bit_exact(make(data), seed=11)


# ------------------------------------------------------------------ QUANTIZE, DEQUANTIZE
@pytest.mark.parametrize("in_q,out_q", [((0.05, -3), (0.02, 7)), ((0.01, 0), (0.1, -100)),
                                        ((0.3, 20), (0.3, -20))])
def test_quantize_requantize(make, in_q, out_q):
    data, _ = mg.unary(rng("rq", in_q), "QUANTIZE", [2, 33], in_scale=in_q[0], in_zp=in_q[1],
                       out_scale=out_q[0], out_zp=out_q[1])
    assert_bit_exact(make(data), seed=12)


@pytest.mark.parametrize("scale,zp", [(0.05, -3), (0.0078125, 0), (0.37, 100)])
def test_quantize_float(make, scale, zp):
    data, _ = mg.unary(rng("qf", scale), "QUANTIZE", [1, 97], in_dtype="float32",
                       out_scale=scale, out_zp=zp)
    c = make(data)
    assert_bit_exact(c, seed=13)
    # exact ties: x = (k + 0.5) * scale rounds away from zero
    x = ((np.arange(97, dtype=np.float32) - 48.0) + np.float32(0.5)) * np.float32(scale)
    from kernel_support import tflm
    assert np.array_equal(tflm(data, [x.reshape(1, 97)])[0], c.run([x.reshape(1, 97)])[0])


@pytest.mark.parametrize("scale,zp", [(0.05, -3), (0.0003, 127), (1.7, -128)])
def test_dequantize(make, scale, zp):
    data, _ = mg.unary(rng("dq", scale), "DEQUANTIZE", [3, 40], in_scale=scale, in_zp=zp,
                       out_dtype="float32")
    assert_bit_exact(make(data), seed=14)


# ------------------------------------------------------------------ RESHAPE, PAD, CONCATENATION
def test_reshape_copy(make):
    mb = mg.ModelBuilder()
    x = mb.tensor([1, 4, 6], scale=0.1, zero_point=3)
    shp = mb.tensor([2], "int32", data=[4, 6])
    y = mb.tensor([4, 6], scale=0.1, zero_point=3)
    mb.op("RESHAPE", [x, shp], [y], {"new_shape": [4, 6]})
    assert_bit_exact(make(mb.build([x], [y])), seed=15)


@pytest.mark.parametrize("shape,pads,v2", [
    ([1, 5, 5, 3], [[0, 0], [1, 1], [2, 1], [0, 0]], None),
    ([1, 4, 3, 2], [[0, 0], [0, 3], [1, 0], [2, 1]], None),
    ([6, 5], [[2, 0], [1, 3]], None),
    ([1, 4, 4, 2], [[0, 0], [1, 1], [1, 1], [0, 0]], -77),
])
def test_pad(make, shape, pads, v2):
    data, _ = mg.pad(rng("pad", shape), shape, pads, v2)
    assert_bit_exact(make(data), seed=16)


@pytest.mark.parametrize("shapes,axis,act", [
    ([[1, 4, 4, 3], [1, 4, 4, 5]], 3, "NONE"),
    ([[1, 2, 4, 3], [1, 3, 4, 3], [1, 1, 4, 3]], 1, "NONE"),
    ([[2, 3], [2, 3]], 0, "NONE"),
    ([[1, 4, 2, 3], [1, 4, 5, 3]], -2, "NONE"),
])
def test_concatenation(make, shapes, axis, act):
    data, _ = mg.concatenation(rng("cat", shapes, axis), shapes, axis, act)
    assert_bit_exact(make(data), seed=17)


def test_concatenation_fused_relu(make):
    """TFLM refuses a fused activation on CONCATENATION, but mcusim's optimizer fuses a RELU
    that follows one (same quantization): the fused kernel must equal TFLM's CONCAT -> RELU."""
    def build(fused: bool) -> bytes:
        mb = mg.ModelBuilder()
        a = mb.tensor([1, 3, 4], scale=0.04, zero_point=-9)
        b = mb.tensor([1, 5, 4], scale=0.04, zero_point=-9)
        y = mb.tensor([1, 8, 4], scale=0.04, zero_point=-9)
        if fused:
            mb.op("CONCATENATION", [a, b], [y], {"axis": 1, "fused_activation_function": "RELU"})
            return mb.build([a, b], [y])
        r = mb.tensor([1, 8, 4], scale=0.04, zero_point=-9)
        mb.op("CONCATENATION", [a, b], [y], {"axis": 1})
        mb.op("RELU", [y], [r])
        return mb.build([a, b], [r])
    c = make(build(True))
    from kernel_support import input_sets, tflm
    for xs in input_sets(c.g, 18):
        assert np.array_equal(tflm(build(False), xs)[0], c.run(xs)[0])


# ------------------------------------------------------------------ MEAN
@pytest.mark.parametrize("shape,axes,keep", [
    ([1, 5, 5, 8], [1, 2], True),       # global average pool as MEAN
    ([1, 5, 5, 8], [1, 2], False),
    ([2, 3, 4, 5], [3], True),
    ([2, 3, 4, 5], [0, 2], False),
    ([1, 7, 9], [-1], True),
    ([6, 10], [0, 1], False),
    ([1, 49, 10, 3], [1, 2], True),
])
@pytest.mark.parametrize("same_quant", [False, True])
def test_mean(make, shape, axes, keep, same_quant):
    data, _ = mg.mean(rng("mean", shape, axes, keep, same_quant), shape, axes, keep, same_quant)
    assert_bit_exact(make(data), seed=19)


# ------------------------------------------------------------------ extreme quantization
@pytest.mark.parametrize("in_q,out_q", [((0.05, -128), (0.9, 127)), ((0.004, 127), (0.02, -128)),
                                        ((1.5, 0), (40.0, 0))])
def test_conv_2d_extreme_zero_points(make, in_q, out_q):
    data, _ = mg.conv_2d(rng("czp", in_q), [1, 6, 6, 3], 4, in_q=in_q, out_q=out_q)
    assert_bit_exact(make(data, dsp=True), seed=20)
    assert_bit_exact(make(data, dsp=False), seed=20)


@pytest.mark.parametrize("shape,units,pc,in_zp,bias", [
    ([1, 64], 12, False, 0, False),      # no bias at all (input zero point 0): NULL bias
    ([2, 40], 6, True, -3, True),        # one group of four + two plain rows, two batches
    ([1, 21], 9, False, 5, True),        # columns past the last 8 summed in C
    ([1, 8], 4, True, 0, False),         # one pass of the column loop
])
def test_fully_connected_merged(make, shape, units, pc, in_zp, bias):
    """The DSP merged-rows variant (two rows per int16 lane): chosen, and equal to TFLM."""
    data, _ = mg.fully_connected(rng("fcm", shape, units, pc), shape, units, pc, "RELU", bias,
                                 in_q=(0.05, in_zp))
    c = make(data, dsp=True)
    assert "mcusim_fully_connected_merged_s8(" in c.body
    assert ("\n    NULL, c" in c.body) == (not bias and in_zp == 0)
    assert_bit_exact(c, seed=27)


@pytest.mark.parametrize("shape,units,pc,in_zp,bias", [
    ([1, 64], 12, False, 0, False),      # NULL bias
    ([2, 40], 6, True, -3, True),        # one group + two plain rows, two batches
    ([1, 21], 9, False, 5, True),        # columns past the last 8 summed in C
    ([3, 640], 5, False, 100, True),     # AD-like depth, 128 sum x large, sums up to 2^22
])
def test_fully_connected_quads(klib, tmp_path, shape, units, pc, in_zp, bias):
    """The ARMv6-M unsigned-quads variant (its C loop on the host): chosen, equal to TFLM."""
    data, _ = mg.fully_connected(rng("fcq", shape, units, pc), shape, units, pc, "NONE", bias,
                                 in_q=(0.05, in_zp))
    c = Case(data, klib, tmp_path, core="cortex-m0plus")
    assert "mcusim_fully_connected_quads_s8(NULL" in c.body
    # the byte-split requantization where |acc| < 2^22 is proven, else mcusim_finish
    assert ("_requant," in c.body) == (shape[-1] < 640)
    assert_bit_exact(c, seed=28)


def test_fully_connected_fast_fallback(make, monkeypatch):
    """Weights the merged lanes refuse (pack_merged None) take the int8 groups of `fast`."""
    from mcusim.compiler.ops import fc_pack
    monkeypatch.setattr(fc_pack, "pack_merged", lambda w: None)
    data, _ = mg.fully_connected(rng("fcf"), [2, 37], 9, True, "RELU")
    c = make(data, dsp=True)
    assert "mcusim_fully_connected_fast_s8(" in c.body
    assert_bit_exact(c, seed=29)


def test_fc_pack_merged_layout_and_refusals():
    """Each lane read as int16 is 256 B + A and its low byte A; refused when a lane cannot hold
    B = -128 with A < 0, or when B's sum could reach 2^23; SMMLAR constants only for 1 <= r <= 22."""
    from mcusim.compiler.ops import fc_pack
    r = np.random.default_rng(3)
    w = r.integers(-127, 128, (10, 13))
    p = fc_pack.pack_merged(w).view(np.uint8)
    depth = 16
    grouped = p[:8 * depth].reshape(2, depth // 4, 2, 2, 2, 2)   # group, quad, pair, j, h, byte
    for g in range(2):
        for k in range(depth):
            for pair in range(2):
                lo, hi = (int(v) for v in grouped[g, k // 4, pair, k & 1, k >> 1 & 1])
                a = w[4 * g + 2 * pair, k] if k < 13 else 0
                b = w[4 * g + 2 * pair + 1, k] if k < 13 else 0
                assert np.int16(np.uint16(lo | hi << 8)) == 256 * b + a
                assert np.int8(np.uint8(lo)) == a
    assert np.array_equal(p[8 * depth:].view(np.int8).reshape(2, depth)[:, :13], w[8:])
    bad = w.copy()
    bad[1, 0], bad[0, 0] = -128, -1
    assert fc_pack.pack_merged(bad) is None
    bad[0, 0] = 0       # A >= 0: 256 * -128 + A still fits
    assert fc_pack.pack_merged(bad) is not None
    assert fc_pack.pack_merged(np.full((4, 520), 127)) is None      # 128 * 66040 >= 2^23
    assert fc_pack.pack_merged(np.full((4, 512), 127)) is not None
    assert fc_pack.smmlar_table(w, None, [1 << 30], [1], 0) is None
    t = fc_pack.smmlar_table(w, None, [1 << 30], [-3], 5)
    assert list(t) == [1 << 30, 4 + 5 * 8, 3]
    q = fc_pack.pack_quads(w).view(np.uint8)      # ARMv6-M: [group][k][4] of w + 128
    assert np.array_equal(q[:8 * depth].reshape(2, depth, 4)[:, :13].transpose(0, 2, 1).reshape(8, 13).astype(int) - 128, w[:8])
    assert np.array_equal(q[8 * depth:].view(np.int8).reshape(2, depth)[:, :13], w[8:])


def test_fully_connected_multiplier_above_one(make):
    """Output scale below input x weight scale: QuantizeMultiplier gives a left shift."""
    mb = mg.ModelBuilder()
    x = mb.tensor([1, 3], scale=0.02, zero_point=-7)
    w = mb.tensor([8, 3], scale=0.01, zero_point=0,
                  data=np.array([[1, -1, 0], [0, 1, 1], [-1, 0, 1], [1, 1, -1],
                                 [0, 0, 1], [-1, 1, 0], [1, 0, 0], [0, -1, -1]]))
    b = mb.tensor([8], "int32", scale=0.0002, zero_point=0, data=np.arange(-40, 40, 10))
    y = mb.tensor([1, 8], scale=0.00007, zero_point=3)
    mb.op("FULLY_CONNECTED", [x, w, b], [y], {})
    c = make(mb.build([x], [y]))
    assert c.prepared["shifts"][0] > 0
    assert_bit_exact(c, seed=21)


def test_add_very_different_scales(make):
    data, _ = mg.binary(rng("addscales"), "ADD", [1, 4, 4, 8], [1, 4, 4, 8],
                        q1=(0.001, -128), q2=(1.0, 127), out_q=(0.9, -3))
    assert_bit_exact(make(data), seed=22)


@pytest.mark.parametrize("in_scale,beta", [(1.0, 100.0), (0.5, 0.01), (4.0, 1.0)])
def test_softmax_extreme_scaling(make, in_scale, beta):
    """Capped beta multiplier (beta x scale x 2^26 > 2^31 - 1) and a near-flat distribution."""
    data, _ = mg.unary(rng("smx", in_scale, beta), "SOFTMAX", [2, 16], in_scale=in_scale,
                       out_scale=1 / 256, out_zp=-128, options={"beta": beta})
    assert_bit_exact(make(data), seed=23, min_unique=2)   # one-hot rows are the point here


@pytest.mark.parametrize("op,oscale,ozp", [("LOGISTIC", 1 / 256, -128), ("TANH", 1 / 128, 0)])
def test_sigmoid_tanh_tiny_scale(make, op, oscale, ozp):
    data, _ = mg.unary(rng(op, "tiny"), op, [4, 64], in_scale=0.0005, in_zp=-128,
                       out_scale=oscale, out_zp=ozp)
    assert_bit_exact(make(data), seed=24)


# ------------------------------------------------------------------ refusals
def test_unsupported_types_are_refused_with_one_line():
    from mcusim.compiler import importer, ops
    from mcusim.compiler.errors import UnsupportedModel
    mb = mg.ModelBuilder()
    x = mb.tensor([1, 4, 4, 2], "int16", scale=0.01, zero_point=0)
    w = mb.tensor([3, 1, 1, 2], scale=[0.01], zero_point=[0], data=np.ones((3, 1, 1, 2)))
    y = mb.tensor([1, 4, 4, 3], "int16", scale=0.02, zero_point=0)
    mb.op("CONV_2D", [x, w, -1], [y], {"padding": "VALID"})
    g = importer.parse(mb.build([x], [y]), "m")
    with pytest.raises(UnsupportedModel) as e:
        ops.get("CONV_2D").check(g.nodes[0], g)
    msg = str(e.value)
    assert "\n" not in msg and "CONV_2D" in msg and "node 0" in msg and "int16" in msg

    data, _ = mg.unary(rng("badsm"), "SOFTMAX", [1, 8], out_scale=0.1, out_zp=0,
                       options={"beta": 1.0})
    g = importer.parse(data, "m")
    with pytest.raises(UnsupportedModel, match=r"SOFTMAX: node 0: output tensor 1 \(int8\)"):
        ops.get("SOFTMAX").check(g.nodes[0], g)
    with pytest.raises(KeyError):
        ops.get("LSTM")
    assert {"CONV_2D", "MEAN", "DEQUANTIZE", "PADV2"} <= set(ops.supported())


@pytest.mark.parametrize("op", ["FULLY_CONNECTED", "CONV_2D"])
@pytest.mark.parametrize("per_channel", [True, False])
def test_weights_not_constant(make, op, per_channel):
    """Weights as a graph input: no build-time folding, the kernel sums the rows itself."""
    shape = [2, 37] if op == "FULLY_CONNECTED" else [1, 3, 4, 21]
    data, _ = mg.weights_as_input(rng("wi", op, per_channel), op, shape, 7, per_channel)
    c = make(data, dsp=True)
    assert "bias_folded" not in c.body
    assert_bit_exact(c, seed=25)


def test_input_offset_folded_into_bias(make):
    data, _ = mg.fully_connected(rng("fold"), [1, 40], 6)
    c = make(data)
    assert "bias_folded" in c.body and ".input_offset = 0," in c.body
    assert c.prepared["input_offset"] != 0


# ------------------------------------------------------------------ wrappers
WRAP = [
    ("mcusim_convolve_s8(&params", "mcusim_convolve_wrapper_s8(NULL, &params"),
    ("mcusim_convolve_1x1_s8(&params", "mcusim_convolve_wrapper_s8(NULL, &params"),
    ("mcusim_convolve_im2col_s8(", "mcusim_convolve_wrapper_s8("),
    ("mcusim_depthwise_conv_s8(&params", "mcusim_depthwise_conv_wrapper_s8(NULL, &params"),
    ("mcusim_depthwise_conv_3x3_s8(&params", "mcusim_depthwise_conv_wrapper_s8(NULL, &params"),
    ("mcusim_fully_connected_s8(&params", "mcusim_fully_connected_wrapper_s8(NULL, &params"),
]


def to_wrapper(body: str) -> str:
    for a, b in WRAP:
        body = body.replace(a, b)
    assert "wrapper" in body
    return body


@pytest.mark.parametrize("build", [
    lambda r: mg.conv_2d(r, [1, 7, 6, 5], 4, (3, 3), (2, 1), padding="SAME"),
    lambda r: mg.conv_2d(r, [1, 7, 6, 8], 6, (1, 1), padding="VALID", per_channel=False),
    lambda r: mg.conv_2d(r, [1, 8, 8, 4], 4, (3, 3), groups=2),
    lambda r: mg.depthwise_conv_2d(r, [1, 7, 7, 6], 1, (3, 3), (2, 2)),
    lambda r: mg.depthwise_conv_2d(r, [1, 7, 7, 3], 3, (3, 3), (1, 1), (2, 2)),
    lambda r: mg.fully_connected(r, [2, 19], 5, per_channel=True),
], ids=["conv3x3", "conv1x1", "grouped", "dw3x3", "dw_m3_dilated", "fc"])
@pytest.mark.parametrize("dsp", [False, True])
def test_wrappers_match(make, build, dsp):
    """The C wrappers route to a valid variant: same bytes as TFLM (DSP scratch passed or not)."""
    data, _ = build(rng("wrap", dsp))
    if re.search(r"_(fast|merged)_s8\(", make(data, dsp=dsp).body):   # packed: the wrapper takes int8
        dsp = False
    assert_bit_exact(make(data, dsp=dsp, rewrite=to_wrapper), seed=26)


@pytest.mark.parametrize("shape,oc,act", [
    ([1, 3, 3, 64], 12, "RELU6"),        # 9 pixels: three groups of three
    ([2, 2, 2, 64], 10, "NONE"),         # two images, the full rounding
    ([1, 4, 4, 96], 8, "RELU_N1_TO_1"),  # 96 = 3 x 32, a narrower clamp
])
def test_conv_1x1_merged(klib, tmp_path, shape, oc, act):
    """The Cortex-M4's merged records (conv_pack.records_merged, two channels per int16; its C
    loop on the host): chosen for cortex-m4f, equal to TFLM; the M33 keeps the int16 rows
    (mcusim_convolve_1x1_fast_pw_s8, on the host the C loops of _fast_s8)."""
    data, _ = mg.conv_2d(rng("pwm", shape, oc, act), shape, oc, (1, 1), padding="VALID",
                         activation=act)
    c = Case(data, klib, tmp_path, dsp=True, core="cortex-m4f")
    # 64 inputs: two groups per record pass (_m2_s8), else one (_m_s8)
    assert f"mcusim_convolve_1x1_fast_{'m2' if shape[-1] == 64 else 'm'}_s8(" in c.body
    assert_bit_exact(c, seed=30)
    c = Case(data, klib, tmp_path, dsp=True, core="cortex-m33")     # the int16 rows
    assert "mcusim_convolve_1x1_fast_pw_s8(" in c.body
    assert_bit_exact(c, seed=31)


@pytest.mark.parametrize("shape,oc,act,fn", [
    ([1, 6, 6, 128], 16, "RELU6", "mc"),     # 9 groups of merged records
    ([1, 5, 5, 96], 6, "NONE", "mc"),        # 7 groups, three of them of three pixels
    ([1, 7, 7, 32], 10, "RELU", "pwc"),      # int16 rows: 13 groups, 7 passes of two
])
def test_conv_1x1_records_copied(klib, tmp_path, shape, oc, act, fn):
    """On the Cortex-M4 a pointwise layer with six or more passes over its records copies them
    into its scratch first (mcusim_convolve_1x1_fast_mc_s8 / _pwc_s8); the copy is bit-exact
    (on the host the C loops over the copied records)."""
    data, _ = mg.conv_2d(rng("pwc", shape, oc, act), shape, oc, (1, 1), padding="VALID",
                         activation=act)
    c = Case(data, klib, tmp_path, dsp=True, core="cortex-m4f")
    assert f"mcusim_convolve_1x1_fast_{fn}_s8(" in c.body
    assert_bit_exact(c, seed=32)


def test_conv_1x1_records_not_copied_below_six_passes(klib, tmp_path):
    """Five passes (9 groups, two per pass over 160-byte merged records) stay in flash."""
    data, _ = mg.conv_2d(rng("pwc5"), [1, 6, 6, 64], 16, (1, 1), padding="VALID",
                         activation="RELU6")
    c = Case(data, klib, tmp_path, dsp=True, core="cortex-m4f")
    assert "mcusim_convolve_1x1_fast_m2_s8(" in c.body


def test_pointwise_loops_for_a_known_out_c():
    """The straight loops with the outputs at immediate offsets are named for their shapes only
    (conv_2d.PW_OUT_C_LOOPS), the straight 3 x 2 loops for 128 and 256 inputs; other channel
    counts keep the generic ones."""
    from mcusim.compiler.ops import conv_2d
    assert conv_2d._pw_loops(128, 128, True, False)[0] == "mcusim_mm4x2_rqm128o128_s16"
    assert conv_2d._pw_loops(128, 64, True, False)[0] == "mcusim_mm4x2_rqm128_s16"
    assert conv_2d._pw_loops(32, 64, False, True) == (
        "mcusim_mm4x2_rqh32o64_s16", "mcusim_mm3x2_rqh_s16", "mcusim_mm4x2_rqh32x2_s16")
    assert conv_2d._pw_loops(32, 64, False, False) == (
        "mcusim_mm4x2_rqh32o64_s16", "mcusim_mm3x2_rqh_s16", "mcusim_mm4x2_rqh32o64w_s16")
    assert conv_2d._pw_loops(128, 128, False, False)[2] == "0"
    assert conv_2d._pw_loops(128, 128, True, False)[2] == "mcusim_mm4x2_rqm128o128w_s16"
    assert conv_2d._pw_loops(64, 64, True, True) == (
        "mcusim_mm4x2_rqm64o64_s16", "mcusim_mm3x2_rqm_s16", "mcusim_mm4x2_rqm64o64x2_s16")
    assert conv_2d._pw_loops(64, 16, True, True)[2] == "mcusim_mm4x2_rqm64x2_s16"
    assert conv_2d._pw_loops(64, 128, True, True) == (
        "mcusim_mm4x2_rqm64o128_s16", "mcusim_mm3x2_rqm_s16", "mcusim_mm4x2_rqm64o128x2_s16")
    assert conv_2d._pw_loops(96, 96, False, False)[0] == "mcusim_mm4x2_rqh_s16"
    assert conv_2d._pw_loops(256, 256, True, False)[1] == "mcusim_mm3x2_rqm256_s16"
    assert conv_2d._pw_loops(128, 256, False, False)[1] == "mcusim_mm3x2_rqh128_s16"
    assert conv_2d._pw_loops(64, 64, True, True)[1] == "mcusim_mm3x2_rqm_s16"


def test_pointwise_loops_unused_slots_name_the_generic_loops():
    """With the layer's pixel count a slot it never runs names the generic loop (linked anyway):
    no groups of three (pixels a multiple of 4), or every group of four in the `eight` loop."""
    from mcusim.compiler.ops import conv_2d
    assert conv_2d._pw_loops(32, 64, False, False, 144) == (
        "mcusim_mm4x2_rqh32_s16", "mcusim_mm3x2_rqh_s16", "mcusim_mm4x2_rqh32o64w_s16")
    assert conv_2d._pw_loops(64, 64, False, False, 25) == (     # 4 fours + 3 threes
        "mcusim_mm4x2_rqh_s16", "mcusim_mm3x2_rqh_s16", "mcusim_mm4x2_rqh64o64w_s16")
    assert conv_2d._pw_loops(128, 256, False, False, 9)[:2] == (
        "mcusim_mm4x2_rqh_s16", "mcusim_mm3x2_rqh128_s16")
    assert conv_2d._pw_loops(64, 64, False, True, 16)[0] == "mcusim_mm4x2_rqh64o64_s16"
    assert conv_2d._pw_loops(128, 128, True, False, 36) == (
        "mcusim_mm4x2_rqm_s16", "mcusim_mm3x2_rqm_s16", "mcusim_mm4x2_rqm128o128w_s16")
    assert conv_2d._pw_loops(128, 256, True, False, 9)[:2] == (     # three groups of three
        "mcusim_mm4x2_rqm_s16", "mcusim_mm3x2_rqm128_s16")
    assert conv_2d._pw_loops(64, 64, True, True, 125) == (          # KWS: 29 fours + 3 threes
        "mcusim_mm4x2_rqm64o64_s16", "mcusim_mm3x2_rqm_s16", "mcusim_mm4x2_rqm64o64x2_s16")


def test_pointwise_block_loops_named_per_layer():
    """The M33's pointwise blocks name the loops their layer runs (MCUSIM_PW_BLOCK_LOOPS): every
    group in one call for all fours over 64/128 inputs and all threes over 128/256, the
    per-group loops where a pass mixes fours and threes, the generic ones in unused slots; first
    the input count the named loops have built in ("0": all generic)."""
    from mcusim.compiler.ops import conv_2d
    assert conv_2d._pw_block_loops(128, 128, 36) == ("128",
        "mcusim_mm4x2_rqh_s16", "mcusim_mm3x2_rqh_s16", "mcusim_mm4x2_rqh128o128g_s16", "0")
    assert conv_2d._pw_block_loops(256, 256, 9) == ("256",
        "mcusim_mm4x2_rqh_s16", "mcusim_mm3x2_rqh_s16", "0", "mcusim_mm3x2_rqh256g_s16")
    assert conv_2d._pw_block_loops(64, 128, 144)[3] == "mcusim_mm4x2_rqh64o128g_s16"
    assert conv_2d._pw_block_loops(128, 34, 35) == ("128",     # 8 fours + 1 three
        "mcusim_mm4x2_rqh128_s16", "mcusim_mm3x2_rqh128_s16", "mcusim_mm4x2_rqh128g_s16", "0")
    assert conv_2d._pw_block_loops(64, 36, 18) == ("64",
        "mcusim_mm4x2_rqh64_s16", "mcusim_mm3x2_rqh_s16", "mcusim_mm4x2_rqh64g_s16", "0")
    assert conv_2d._pw_block_loops(96, 64, 16) == ("0",    # generic: no count built in
        "mcusim_mm4x2_rqh_s16", "mcusim_mm3x2_rqh_s16", "0", "0")


@pytest.mark.parametrize("shape,oc,table", [
    ([1, 6, 6, 128], 128, "128, mcusim_mm4x2_rqh_s16, mcusim_mm3x2_rqh_s16, "
                          "mcusim_mm4x2_rqh128o128g_s16, 0"),
    ([1, 5, 7, 128], 34, "128, mcusim_mm4x2_rqh128_s16, mcusim_mm3x2_rqh128_s16, "
                         "mcusim_mm4x2_rqh128g_s16, 0"),       # 8 fours + a three
])
def test_conv_1x1_blocks_name_their_loops_on_m33(klib, tmp_path, shape, oc, table):
    """A pointwise layer in blocks on the M33 calls mcusim_convolve_1x1_fast_blk_pw_s8 with its
    table (so the build links only those loops); bit-exact (the host runs the C loops)."""
    data, _ = mg.conv_2d(rng("pwblk", shape, oc), shape, oc, (1, 1), padding="VALID",
                         activation="RELU6")
    c = Case(data, klib, tmp_path, dsp=True, core="cortex-m33")
    assert "mcusim_convolve_1x1_fast_blk_pw_s8(" in c.body
    assert f"MCUSIM_PW_BLOCK_LOOPS({table})" in c.body
    assert_bit_exact(c, seed=33)


@pytest.mark.parametrize("shape,oc,act", [
    ([1, 3, 3, 128], 60, "RELU6"),          # 30 pairs: blocks of 21 + 9
    ([1, 3, 3, 256], 50, "NONE"),           # 25 pairs: 11 + 11 + 3, the full rounding
    ([1, 3, 3, 256], 18, "RELU_N1_TO_1"),   # a narrower clamp
])
def test_conv_1x1_merged_blocks_on_m33(klib, tmp_path, shape, oc, act):
    """The M33's 3x3 maps over 128/256 inputs take merged records in blocks of their own size
    (mcusim_convolve_1x1_fast_blk_m_s8 with the straight all-threes loop); bit-exact (the host:
    mcusim_pw_layer's C loop over the merged records)."""
    data, _ = mg.conv_2d(rng("pwblkm", shape, oc, act), shape, oc, (1, 1), padding="VALID",
                         activation=act)
    c = Case(data, klib, tmp_path, dsp=True, core="cortex-m33")
    block = 6144 // (4 * (shape[-1] // 2 + 8))      # 0.75 of the 8 KB cache per block
    # one-op models: two groups' columns in the scratch for 128 inputs, one for 256
    # (conv_2d.scratch_fits), so two and three passes over the blocks
    groups = 2 if shape[-1] == 128 else 1
    assert f"mcusim_convolve_1x1_fast_blk_m_s8(((void *)scratch), {groups}, {block}, " in c.body
    assert (f"MCUSIM_PW_BLOCK_LOOPS_M({shape[-1]}, mcusim_mm4x2_rqm_s16, mcusim_mm3x2_rqm_s16, "
            f"0, mcusim_mm3x2_rqm{shape[-1]}g_s16, 0)") in c.body
    assert_bit_exact(c, seed=34)


@pytest.mark.parametrize("shape,oc,split", [
    ([1, 3, 3, 128], 256, True), ([1, 3, 3, 256], 256, True),   # VWW's 3x3 maps
    ([1, 3, 3, 256], 60, False),   # out_c not a multiple of 8: three groups of three
])
def test_conv_1x1_merged_split_with_three_groups(klib, tmp_path, monkeypatch, shape, oc, split):
    """With scratch for three groups' columns (VWW's arena; lifted here) the M33's 3x3 maps run
    4 + 4 + 1: the groups of four and the one-pixel loop named (MCUSIM_PW_BLOCK_LOOPS_M), blocks
    of a multiple of four pairs; bit-exact (the host: mcusim_pw_layer's C loop)."""
    from mcusim.compiler.ops import conv_2d
    monkeypatch.setattr(conv_2d, "scratch_fits", lambda *a, **k: True)
    data, _ = mg.conv_2d(rng("pwsplit", shape, oc), shape, oc, (1, 1), padding="VALID",
                         activation="RELU6")
    c = Case(data, klib, tmp_path, dsp=True, core="cortex-m33")
    kc = shape[-1]
    block = 6144 // (4 * (kc // 2 + 8))
    if split:
        four = f"mcusim_mm4x2_rqm{kc}{'o256' if oc == 256 else ''}_s16"
        assert (f"MCUSIM_PW_BLOCK_LOOPS_M({kc}, {four}, mcusim_mm3x2_rqm_s16, 0, 0, "
                f"mcusim_mm1x8_rqm{kc}_s16)") in c.body
        assert f"mcusim_convolve_1x1_fast_blk_m_s8(((void *)scratch), 3, {block & ~3}, " in c.body
    else:
        assert f"mcusim_mm3x2_rqm{kc}g_s16, 0)" in c.body and "mcusim_mm1x8" not in c.body
    assert_bit_exact(c, seed=35)


@pytest.mark.parametrize("shape,oc", [
    ([1, 6, 6, 128], 128),      # 36 pixels: nine groups per record repay no merged requantization
    ([1, 3, 3, 64], 160),       # 64 inputs: no straight all-threes merged loop
])
def test_conv_1x1_merged_blocks_only_for_3x3_maps(klib, tmp_path, shape, oc):
    """Other pointwise layers in blocks on the M33 keep the int16 records (_blk_pw_s8)."""
    data, _ = mg.conv_2d(rng("pwblkm-no", shape, oc), shape, oc, (1, 1), padding="VALID",
                         activation="RELU6")
    c = Case(data, klib, tmp_path, dsp=True, core="cortex-m33")
    assert "mcusim_convolve_1x1_fast_blk_pw_s8(" in c.body
    assert "blk_m_s8" not in c.body


@pytest.mark.parametrize("shape,oc", [
    ([1, 3, 3, 96], 64), ([1, 3, 3, 192], 48), ([1, 3, 3, 320], 34), ([1, 3, 3, 512], 40),
])
def test_conv_1x1_merged_blocks_refuse_other_input_counts(klib, tmp_path, monkeypatch, shape,
                                                          oc):
    """The merged block loops have 128 or 256 inputs built in (conv_2d.PW_MERGED_BLOCK_K): a 3x3
    map over another multiple of 32 keeps the int16 records (_blk_pw_s8 with scratch for
    several groups, _pw_s8 with one), never mcusim_convolve_1x1_fast_blk_m_s8; bit-exact."""
    from mcusim.compiler.ops import conv_2d
    for fits in (True, False):
        # fits: scratch for the three groups (VWW's arena); else for one group's columns only
        monkeypatch.setattr(conv_2d, "scratch_fits", lambda node, g, nbytes, *a, _f=fits, **k:
                            _f or nbytes <= 8 * shape[-1])
        data, _ = mg.conv_2d(rng("pwblkm-k", shape, oc), shape, oc, (1, 1), padding="VALID",
                             activation="RELU6")
        c = Case(data, klib, tmp_path, dsp=True, core="cortex-m33")
        assert "blk_m_s8" not in c.body and "LOOPS_M" not in c.body
        assert ("mcusim_convolve_1x1_fast_blk_pw_s8(" in c.body) == fits
        assert_bit_exact(c, seed=36)
    assert conv_2d.PW_MERGED_BLOCK_K == (128, 256)


def test_merged_record_size_matches_the_c_one():
    """A merged record's size, written in C (MCUSIM_PW_MERGED_EXTRA: the records' stride in
    mcusim_convolve_1x1_fast_blk_m_s8 and mcusim_pw_layer) and in the compiler
    (conv_pack.merged_record_words: the M33's block size), equals what records_merged makes."""
    from kernel_support import INCLUDE, KERNELS
    from mcusim.compiler.ops import conv_pack

    def defines(name):
        return [int(v) for f in [*INCLUDE.glob("*.h"), *KERNELS.glob("*.c")]
                for v in re.findall(rf"^#define {name} (\d+)$", f.read_text(), re.M)]
    assert defines("MCUSIM_PW_MERGED_EXTRA") == [conv_pack.MERGED_EXTRA_WORDS]
    r = rng("merged-size")
    for kc, oc in ((128, 6), (256, 4), (64, 2)):
        w = r.integers(-127, 128, (oc, 1, 1, kc))
        rec = conv_pack.records_merged(w, r.integers(-500, 500, oc), [1 << 30] * oc, [-8] * oc,
                                       -3, 128)
        assert rec is not None and len(rec) == oc // 2 * conv_pack.merged_record_words(kc)


def test_block_cache_bytes_fit_the_boards_caches():
    """conv_pack.BLOCK_CACHE_BYTES (by core: the compiler knows no board) is the smallest data
    cache of that core's boards (boards/*.toml, dcache_bytes), so a block sized from it fits
    every one (the M33: stm32u575's 8 KB ICACHE, RM0456 section 8.3)."""
    from mcusim.boards import list_boards, load_board
    from mcusim.compiler.ops import conv_pack
    sizes: dict[str, list[int]] = {}
    for name in list_boards():
        b = load_board(name)
        for m in b.memories:
            if m.accelerator and "dcache_bytes" in m.accelerator:
                sizes.setdefault(b.core, []).append(int(m.accelerator["dcache_bytes"]))
    for core, nbytes in conv_pack.BLOCK_CACHE_BYTES.items():
        assert nbytes == min(sizes[core]), (core, sizes.get(core))


def _tflm_requant(acc, m, shift, zp, lo, hi):
    """TFLM's MultiplyByQuantizedMultiplier (right shifts) + zero point + clamp, int64 arrays."""
    ab = acc * m
    nudge = np.where(ab >= 0, 1 << 30, 1 - (1 << 30))
    x = ab + nudge
    x = np.where(x >= 0, x >> 31, -((-x) >> 31))          # C division: toward zero
    e = -shift
    mask = (1 << e) - 1
    thr = (mask >> 1) + (x < 0)
    x = (x >> e) + ((x & mask) > thr)
    return np.clip(x + zp, lo, hi)


@pytest.mark.parametrize("depth", [32, 64, 128, 256])
def test_conv_pack_pw_prescaled_requantizes_as_tflm(depth):
    """Prescaled pointwise records (conv_pack.records_pw_prescaled, the M33's loops): bias and
    weights times 2^k, k = 12 - r, A -> 2^k A + 2^(k-1), every r word 12 | 0x100; the loops'
    SSAT(SMMLA(2^k 2acc, m, A') >> 12) then the activation clamp (minimum at or above the zero
    point) equals TFLM over the whole accumulator range, for every shift 5..11 and K = 32..256
    (2^k 2acc stays in int32). Refused (None: the plain records) for r outside 5..11, sums that
    2^k would take to 2^30, and odd channel counts."""
    from mcusim.compiler.ops import conv_pack
    r = np.random.default_rng(depth)
    sh = np.array([-5, -6, -7, -8, -9, -10, -11, -11])
    oc = len(sh)
    w = r.integers(-128, 128, (oc, 1, 1, depth))
    w[0, 0, 0, :] = -128                                  # -32768 as int16 at k = 7
    b = r.integers(-50000, 50000, oc)
    m = r.integers(1 << 30, (1 << 31) - 1, oc)
    zp = -128
    base = conv_pack.records(w, b, m, sh, zp, 128)
    pre = conv_pack.records_pw_prescaled(w, b, m, sh, zp, 128)
    k = 12 + sh
    scaled = conv_pack.records(w << k.reshape(-1, 1, 1, 1), b << k, m, [-12] * oc, zp, 128)
    words = 2 + depth + 6
    for p in range(oc // 2):
        bp, pp, sp = (v[p * words:(p + 1) * words] for v in (base, pre, scaled))
        assert np.array_equal(pp[:-6], sp[:-6])           # bias words and rows: times 2^k
        for c in range(2):
            ch, kc = 2 * p + c, int(k[2 * p + c])
            assert pp[c] == bp[c] << kc
            mm, a, rr = (int(v) for v in bp[words - 6 + 3 * c:words - 3 + 3 * c])
            mp, ap, rp = (int(v) for v in pp[words - 6 + 3 * c:words - 3 + 3 * c])
            assert mp == mm and rp == 12 | 0x100 and rr == -sh[ch]
            assert ap == (a << kc) + (1 << (kc - 1))
            bound = abs(int(b[ch])) + 128 * int(np.abs(w[ch]).sum())
            acc = np.concatenate([r.integers(-bound, bound + 1, 20000),
                                  [-bound, bound, 0, -1, 1]]).astype(np.int64)
            x2 = acc << (kc + 1)                          # the loops' accumulator
            assert np.abs(x2).max() < (1 << 31)
            got = ((x2 * mp + (ap << 32)) >> 32) >> 12    # SMMLA, asr #12
            got = np.clip(got, -128, 127)                 # SSAT #8
            for lo, hi in ((zp, 127), (zp, zp + 40), (zp + 3, 127)):   # ReLU, ReLU6, above zp
                want = _tflm_requant(acc, mm, int(sh[ch]), zp, lo, hi)
                assert np.array_equal(np.clip(got, lo, hi), want), (depth, ch, lo, hi)
    # refusals: a shift of 4 or 12 on one channel, an odd channel count, and sums that 2^7
    # would take to 2^30 (a bias of 2^23 at r = 5)
    for bad in (-4, -12):
        assert conv_pack.records_pw_prescaled(w, b, m, np.r_[bad, sh[1:]], zp, 128) is None
    assert conv_pack.records_pw_prescaled(w[:7], b[:7], m[:7], sh[:7], zp, 128) is None
    big = b.copy()
    big[0] = 1 << 23
    assert conv_pack.records(w, big, m, sh, zp, 128) is not None
    assert conv_pack.records_pw_prescaled(w, big, m, sh, zp, 128) is None


@pytest.mark.parametrize("act,core,pre", [("RELU", "cortex-m33", True),
                                           ("RELU6", "cortex-m33", True),
                                           ("NONE", "cortex-m33", False),
                                           ("RELU", "cortex-m4f", False)])
def test_conv_1x1_prescaled_only_on_m33_without_sign_term(klib, tmp_path, act, core, pre):
    """The compiler emits prescaled pointwise records (r words 12 | 0x100) for the M33 with the
    activation minimum at or above the output zero point only (conv_2d._pw_prescalable: not
    NONE at zero point -3, not the M4); the host build runs them through the C loop,
    bit-exact with TFLM."""
    from kernel_support import HostCtx
    from mcusim.compiler import importer
    from mcusim.compiler.ops import conv_2d
    data, _ = mg.conv_2d(rng("pwpre", act), [1, 6, 6, 64], 64, (1, 1), padding="VALID",
                         activation=act, out_q=(0.1, -3))
    g = importer.parse(data, "x")
    ctx = HostCtx(g, True)
    ctx.core = core
    conv_2d.emit(g.nodes[0], g, ctx)
    rec = [a for name, _, a in ctx.arrays if name.endswith("conv_packed")]
    assert len(rec) == 1
    r_words = rec[0].reshape(32, -1)[:, [-4, -1]]
    assert bool((r_words & 0x100).all()) == pre and bool((r_words & 0x100).any()) == pre
    c = Case(data, klib, tmp_path, dsp=True, core=core)
    assert_bit_exact(c, seed=34)


def test_conv_pack_records_merged_layout_and_refusals():
    """Each element's int16 is 256 w_c+1 + w_c with the low byte w_c, in SXTB16's order; the
    bias words b_c and b_c + 256 b_c+1, then `records`' constants (c + 1's A and r scaled for
    SMMLA); refused for -128 weights, an odd channel count, acc_c+1 that could reach 2^23 or a
    shift beyond 16 on an odd channel."""
    from mcusim.compiler.ops import conv_pack
    r = np.random.default_rng(5)
    w = r.integers(-127, 128, (4, 1, 1, 64))
    b = r.integers(-3000, 3000, 4)
    m, sh = [1 << 30] * 4, [-7] * 4
    rec = conv_pack.records_merged(w, b, m, sh, -5, 128)
    base = conv_pack.records(w, b, m, sh, -5, 128)
    assert len(rec) == 2 * (2 + 32 + 6)
    for pair in range(2):
        rp = rec[pair * 40:(pair + 1) * 40]
        assert rp[0] == b[2 * pair] and rp[1] == b[2 * pair] + 256 * b[2 * pair + 1]
        h = rp[2:34].view(np.int16)
        for k in range(64):
            v = h[2 * (2 * (k >> 2) + (k & 1)) + (k >> 1 & 1)]
            assert v == 256 * w[2 * pair + 1, 0, 0, k] + w[2 * pair, 0, 0, k]
            assert np.int8(v & 0xFF) == w[2 * pair, 0, 0, k]
        q = base[pair * 72 + 66:(pair + 1) * 72]
        assert list(rp[34:]) == [q[0], q[1], q[2], q[3], 128 * q[4] + 64, q[5] + 7]
    bad = w.copy()
    bad[0, 0, 0, 0] = -128
    assert conv_pack.records_merged(bad, b, m, sh, -5, 128) is None
    assert conv_pack.records_merged(w, b, m, [-7, -17, -7, -7], -5, 128) is None   # r > 16
    assert conv_pack.records_merged(w, b, m, [-17, -16, -7, -16], -5, 128) is not None
    assert conv_pack.records_merged(w[:3], b[:3], m[:3], sh[:3], -5, 128) is None
    big = np.full((2, 1, 1, 520), 127)
    assert conv_pack.records_merged(big, None, m[:2], sh[:2], 0, 128) is None   # 128 x 66040
    assert conv_pack.records_merged(big[..., :512], None, m[:2], sh[:2], 0, 128) is not None


def test_conv_pack_rgb_s2_records_follow_the_widened_rows():
    """conv_pack.records_rgb_s2 (mcusim_convolve_rgb3x3_s2_r_s8): the column words the kernel
    reads for a window - steps 0-11 the natural int16 pairs of its three widened input rows,
    step 12 (row 0 element 8, row 1 element 8), step 13 row 2's word at element 8 (element 9
    the next pixel's, weight 0) - against the records give 2^(k+1) times the window's dot
    product plus the prescaled bias, per channel; the flags, m and A as records(pre=True)."""
    from mcusim.compiler.ops import conv_pack
    r = np.random.default_rng(30)
    oc = 8
    w = r.integers(-128, 128, (oc, 3, 3, 3))
    w[3, 2, 2, 2] = -128
    b = r.integers(-20000, 20000, oc)
    m = r.integers(1 << 30, (1 << 31) - 1, oc)
    sh = np.array([-5, -11, -7, -8, -6, -10, -9, -8])
    rec = conv_pack.records_rgb_s2(w, b, m, sh, -128, 128)
    plain = conv_pack.records(w.reshape(oc, 27), b, m, sh, -128, 128, align=4, pre=True)
    words = 2 + 28 + 6
    assert rec is not None and rec.size == plain.size
    k = 12 + sh
    for _ in range(50):
        rows = r.integers(-128, 128, (3, 10))       # a window's rows and each row's 10th element
        cols = [(rows[i // 4, 2 * (i % 4)], rows[i // 4, 2 * (i % 4) + 1]) for i in range(12)]
        cols += [(rows[0, 8], rows[1, 8]), (rows[2, 8], rows[2, 9])]
        x = rows[:, :9].reshape(-1)
        for p in range(oc // 2):
            rp = rec[p * words:(p + 1) * words]
            assert np.array_equal(rp[words - 6:], plain[p * words + words - 6:(p + 1) * words])
            hw = rp[2:2 + 28].view(np.int16).reshape(14, 2, 2).astype(np.int64)  # [step, ch, h]
            for c in range(2):
                acc = int(rp[c]) + sum(int(hw[s, c, 0]) * int(lo) + int(hw[s, c, 1]) * int(hi)
                                       for s, (lo, hi) in enumerate(cols))
                ch = 2 * p + c
                want = (int(b[ch]) + int(w[ch].reshape(-1) @ x)) << (int(k[ch]) + 1)
                assert acc == want
    # a channel that cannot be prescaled: None (the layer keeps the widened-window kernel)
    assert conv_pack.records_rgb_s2(w, b, m, [-4] + [-8] * 7, -128, 128) is None


def test_rgb_s2_and_fc_widen_constants_match_the_c_ones():
    """Sizes written both in C and in the compiler: the first conv's row slot
    (MCUSIM_RGB_S2_SLOT, an immediate offset in its assembly; conv_2d.RGB_S2_SLOT, from which
    the compiler sizes the scratch and caps out_w) and the M7 FC's widened columns
    (MCUSIM_FC_WIDEN_MAX; fully_connected.FC_WIDEN_MAX_BYTES, the scratch it gives: smaller
    would let the kernel write past it). Defined once in C."""
    from kernel_support import INCLUDE, KERNELS
    from mcusim.compiler.ops import conv_2d, fully_connected

    def defines(name):
        return [int(v) for f in [*INCLUDE.glob("*.h"), *KERNELS.glob("*.c")]
                for v in re.findall(rf"^#define {name} (\d+)$", f.read_text(), re.M)]
    assert defines("MCUSIM_RGB_S2_SLOT") == [conv_2d.RGB_S2_SLOT]
    assert conv_2d.RGB_S2_SCRATCH == 5 * conv_2d.RGB_S2_SLOT
    assert defines("MCUSIM_FC_WIDEN_MAX") == [fully_connected.FC_WIDEN_MAX_BYTES // 2]


@pytest.mark.parametrize("shape,patched,want", [
    ([1, 160, 96, 3], False, "mcusim_convolve_rgb3x3_s2_r_s8("),   # 75 KB live: +3.8%
    ([1, 96, 96, 3], False, "mcusim_convolve_rgb3x3_fast_r_s8("),   # VWW's alone: +6.3%, no
    ([1, 8, 16, 3], False, "mcusim_convolve_rgb3x3_fast_r_s8("),    # 2,920 B on 0.7 KB: no
    ([1, 8, 16, 3], True, "mcusim_convolve_rgb3x3_s2_r_s8("),
])
def test_rgb_s2_kernel_only_where_its_scratch_fits(klib, tmp_path, monkeypatch, shape, patched,
                                                    want):
    """The M33's row-widening first conv takes a fixed 2,920-byte scratch (five 584-byte row
    slots): chosen only where conv_2d.scratch_fits allows it (one-op models here: within 1.05x
    their live bytes; in VWW the first layer is not the peak); otherwise the widened-window row
    kernel (a few hundred bytes)."""
    from mcusim.compiler.ops import conv_2d
    if patched:
        monkeypatch.setattr(conv_2d, "scratch_fits", lambda *a, **k: True)
    data, _ = mg.conv_2d(rng("rgbs2-fits", shape), shape, 8, (3, 3), (2, 2), padding="SAME",
                         activation="RELU6", out_q=(0.12, -128))
    c = Case(data, klib, tmp_path, dsp=True, core="cortex-m33")
    assert want in c.body, c.body


def test_conv_pack_prescaled_records_requantize_as_smmlar():
    """Prescaled records (conv_pack.prescale_shifts, the small-K OUTC routines): each channel's
    bias and weights times 2^k, k = 12 - r, A -> 2^k A + 2^(k-1), r words 12 (channel 0's
    flagged 0x100); SSAT(SMMLA(2^k 2acc, m, A') >> 12) equals SSAT(SMMLAR(2acc, m, A) >> r) for
    sums over the whole input range, -128 weights included (-32768 as int16). Refused (the
    unscaled records) for r outside 5..11 or 2^k |acc| that could reach 2^30."""
    from mcusim.compiler.ops import conv_pack
    r = np.random.default_rng(9)
    oc, n = 6, 28
    w = r.integers(-128, 128, (oc, n))
    w[0, 0] = -128
    b = r.integers(-20000, 20000, oc)
    m = r.integers(1 << 30, (1 << 31) - 1, oc)
    sh = np.array([-5, -11, -7, -8, -6, -10])
    base = conv_pack.records(w, b, m, sh, -17, 128, align=4)
    pre = conv_pack.records(w, b, m, sh, -17, 128, align=4, pre=True)
    words = 2 + n + 6
    k = 12 + sh
    for p in range(oc // 2):
        bp, pp = base[p * words:(p + 1) * words], pre[p * words:(p + 1) * words]
        for c in range(2):
            kc = int(k[2 * p + c])
            assert pp[c] == bp[c] << kc
            hb = bp[2:2 + n].view(np.int16).reshape(-1, 2, 2)[:, c].astype(np.int64)
            hp = pp[2:2 + n].view(np.int16).reshape(-1, 2, 2)[:, c].astype(np.int64)
            assert np.array_equal(hp, hb << kc)
            mm, a, rr = (int(v) for v in bp[words - 6 + 3 * c:words - 3 + 3 * c])
            mp, ap, rp = (int(v) for v in pp[words - 6 + 3 * c:words - 3 + 3 * c])
            assert mp == mm and rp == 12 | (0x100 if p == c == 0 else 0)
            bound = abs(int(b[2 * p + c])) + 128 * int(np.abs(w[2 * p + c]).sum())
            acc = np.concatenate([r.integers(-bound, bound + 1, 4000), [-bound, bound, 0, -1]])
            acc = acc.astype(np.int64)
            ref = np.clip(((2 * acc * mm + (a << 32) + (1 << 31)) >> 32) >> rr, -128, 127)
            got = np.clip((((acc << (kc + 1)) * mm + (ap << 32)) >> 32) >> 12, -128, 127)
            assert np.array_equal(got, ref)
    # refusals: a shift of 4 or 12, and sums that 2^k would take to 2^30
    for bad in ([-4] + [-8] * 5, [-12] + [-8] * 5):
        rec = conv_pack.records(w, b, m, bad, -17, 128, align=4, pre=True)
        assert np.array_equal(rec, conv_pack.records(w, b, m, bad, -17, 128, align=4))
    big = np.full((2, 1, 1, 8192), 127)     # |acc| <= 2^27: 2^(12-5) of it reaches 2^30
    rec = conv_pack.records(big, None, m[:2], [-5, -5], 0, 128, pre=True)
    assert rec is not None and not rec[2 + 8192 + 2] & 0x100
    assert conv_pack.records(big, None, m[:2], [-9, -9], 0, 128, pre=True)[2 + 8192 + 2] == \
        12 | 0x100


@pytest.mark.parametrize("in_c,fn", [(32, "pw2"), (64, "m2")])
def test_conv_1x1_two_groups_m4(klib, tmp_path, in_c, fn):
    """160-byte records on the Cortex-M4 (32 input channels as int16, 64 merged): two groups of
    pixels per record pass (mcusim_convolve_1x1_fast_pw2_s8 / _m2_s8, twice the column
    scratch; on the host the C loops), equal to TFLM."""
    data, _ = mg.conv_2d(rng("pw2", in_c), [1, 5, 4, in_c], 6, (1, 1), padding="VALID",
                         activation="RELU6")
    c = Case(data, klib, tmp_path, dsp=True, core="cortex-m4f")
    assert f"mcusim_convolve_1x1_fast_{fn}_s8(" in c.body
    assert_bit_exact(c, seed=32)


def test_depthwise_pack_prescaled():
    """Prescaled records (depthwise_pack.pack_3x3 pre=True, the kernel's DW3P_PRE): weights and
    bias times 2^k more (k = 12 - e), R = 2^(k-1) + 2^k rnd, so SMMLA(2^k 2 acc, m, R) >> 12
    equals the unscaled SMMLAR(2 acc, m, rnd) >> e for every sum, computed here from the records
    with exact integers; channels outside e = 5..11 keep the layer unscaled."""
    from mcusim.compiler.ops import depthwise_pack as dp
    r = np.random.default_rng(23)
    w = r.integers(-127, 128, (1, 3, 3, 8)).astype(np.int8)
    b = r.integers(-5000, 5000, 8)
    e = np.array([5, 6, 7, 8, 9, 10, 11, 7])
    p = dict(ch_mult=1, multipliers=r.integers(1 << 30, 1 << 31, 8).tolist(),
             shifts=(-e).tolist(), input_offset=128, output_offset=-128)
    base, pre = dp.pack_3x3(w, b, p), dp.pack_3x3(w, b, p, pre=True)
    assert list(base[:, 9]) == e.tolist() and list(pre[:, 9]) == [dp.PRE | dp.PRE_E] * 8
    x = r.integers(-128, 128, (3000, 9))
    for c in range(8):
        def sums(rec):     # 2 acc (times 2^k) from the record's int16 pairs and bias
            q = rec[c].astype(np.int64)
            lo = lambda v: ((v & 0xFFFF) ^ 0x8000) - 0x8000
            wk = [lo(q[k]) for k in range(3)] + [q[k] >> 16 for k in range(3)] + \
                 [q[3 + k] >> 16 for k in range(3)]
            return q[6] + x @ np.array(wk, np.int64)
        a, ap = sums(base), sums(pre)
        k = dp.PRE_E - e[c]
        assert (ap == a << k).all()
        m = int(base[c, 7])
        want = [((int(v) * m + (1 << 31)) >> 32) + int(base[c, 8]) >> int(e[c]) for v in a]
        got = [((int(v) * m) >> 32) + int(pre[c, 8]) >> dp.PRE_E for v in ap]
        assert got == want
    # one channel at e = 12 (k = 0) or 4 (k = 8: weights beyond int16): the layer stays unscaled
    for bad in (12, 4):
        q = dict(p, shifts=(-np.where(np.arange(8) == 3, bad, e)).tolist())
        assert not (dp.pack_3x3(w, b, q, pre=True)[:, 9] & dp.PRE).any()
    # the compiler's rule: FPU, full int8 range at output zero point -128, equal strides 1 or 2
    lay = dict(stride=(1, 1), activation=(-128, 127), output_offset=-128)
    assert dp.prescalable(lay, True, True) and dp.prescalable(dict(lay, stride=(2, 2)), True, True)
    assert not dp.prescalable(lay, True, False) and not dp.prescalable(lay, False, True)
    assert not dp.prescalable(dict(lay, stride=(1, 2)), True, True)
    assert not dp.prescalable(dict(lay, output_offset=-127), True, True)
    assert not dp.prescalable(dict(lay, activation=(-128, 100)), True, True)


@pytest.mark.parametrize("shape,stride", [([1, 7, 9, 8], (1, 1)), ([1, 9, 8, 12], (2, 2))])
def test_depthwise_packed_prescaled_pixels(klib, tmp_path, shape, stride):
    """Prescaled records (the compiler's choice for an FPU core, ReLU at output zero point -128)
    through the pixel walk, what a build without the fused loops runs: SMMLA(A', m, R) >> 12 in
    C, bit-exact with TFLM."""
    data, _ = mg.depthwise_conv_2d(rng("dwpre", shape), shape, 1, (3, 3), stride, (1, 1), "SAME",
                                   True, "RELU", out_q=(0.05, -128))
    c = Case(data, klib, tmp_path, dsp=True, core="cortex-m4f")
    assert "mcusim_depthwise_conv_3x3_packed_pre_s8(" in c.body     # only that form's loops
    m = re.search(r"dw3x3_packed\[\d*\]\s*=\s*\{([^}]*)\}", c.source)
    words = [int(x, 0) for x in m.group(1).replace("\n", " ").split(",") if x.strip()]
    assert words[9] == 0x100 | 12        # depthwise_pack.PRE | PRE_E: prescaled
    assert_bit_exact(c, seed=6)
