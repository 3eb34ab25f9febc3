"""The fixed-point primitives of mcusim_nn_support.h against their exact definitions (Python
big integers), on edge values and random values: every kernel's rounding rests on these."""
from __future__ import annotations

import ctypes
import shutil
import subprocess

import numpy as np
import pytest

from kernel_support import INCLUDE

SHIM = r"""
#include "mcusim_nn_support.h"
int32_t srdhm(int32_t a, int32_t b) { return mcusim_srdhm(a, b); }
int32_t rdivpot(int32_t x, int32_t e) { return mcusim_rdivpot(x, e); }
int32_t requant(int32_t x, int32_t m, int32_t s) { return mcusim_requant(x, m, s); }
int32_t sat_shl(int32_t x, int32_t e) { return mcusim_sat_shl(x, e); }
int32_t requant_split11(int32_t x, int32_t m, int32_t s, int32_t off)
{
    const int32_t r = -s;
    const int32_t q[5] = {m >> 22, (m >> 11) & 0x7FF, m & 0x7FF,
                          (1 << 8) + (1 << (8 + r)) + (int32_t)((uint32_t)off << (9 + r)), 9 + r};
    return mcusim_requant_split11(x, q);
}
int32_t requant_split8(int32_t x, int32_t m, int32_t s, int32_t off)
{
    const int32_t r = -s;
    const int32_t q[6] = {m >> 24, (m >> 16) & 0xFF, (m >> 8) & 0xFF, m & 0xFF,
                          (1 << 6) + (1 << (6 + r)) + (int32_t)((uint32_t)off << (7 + r)), 7 + r};
    return mcusim_requant_split8(x, q);
}
int32_t requant_smmlar(int32_t x, int32_t m, int32_t s, int32_t off)
{
    const int32_t r = -s, a = (1 << (r - 1)) + (int32_t)((uint32_t)off << r);
    return mcusim_requant_smmlar(2 * x, m, a, r);
}
"""
I32_MIN, I32_MAX = -(1 << 31), (1 << 31) - 1
EDGES = [I32_MIN, I32_MIN + 1, -(1 << 30) - 1, -(1 << 30), -3, -2, -1, 0, 1, 2, 3, 1 << 30,
         (1 << 30) + 1, I32_MAX - 1, I32_MAX]


@pytest.fixture(scope="module", params=["native", "armv6m"])
def fx(request, tmp_path_factory):
    """The header as built for the host, and with its ARMv6-M branch (the 16x16 partial-product
    high multiply the M0+ uses instead of __aeabi_lmul) selected on the host."""
    if shutil.which("gcc") is None:
        pytest.skip("host gcc not installed")
    d = tmp_path_factory.mktemp("fx")
    (d / "shim.c").write_text(SHIM)
    extra = ["-D__ARM_ARCH_6M__=1"] if request.param == "armv6m" else []
    subprocess.run(["gcc", "-std=c99", "-O2", "-shared", "-fPIC", f"-I{INCLUDE}", *extra,
                    str(d / "shim.c"), "-o", str(d / "shim.so")], check=True)
    lib = ctypes.CDLL(str(d / "shim.so"))
    for f in ("srdhm", "rdivpot", "requant", "sat_shl", "requant_smmlar", "requant_split11",
              "requant_split8"):
        getattr(lib, f).restype = ctypes.c_int32
    return lib


def wrap(v: int) -> int:
    return (v + (1 << 31)) % (1 << 32) - (1 << 31)


def srdhm_def(a: int, b: int) -> int:
    """a*b/2^31 rounded half up (toward +inf), saturated: gemmlowp's VQRDMULH."""
    p = a * b
    q = (p + (1 << 30)) >> 31            # floor((p + 2^30) / 2^31)
    return max(I32_MIN, min(I32_MAX, q))


def rdivpot_def(x: int, e: int) -> int:
    """x / 2^e rounded to nearest, ties away from zero."""
    if e == 0:
        return x
    q, r = divmod(abs(x), 1 << e)
    if 2 * r >= (1 << e):
        q += 1
    return q if x >= 0 else -q


def values(rng, n=400):
    v = list(EDGES) + list(rng.integers(I32_MIN, I32_MAX, n, endpoint=True))
    v += list(rng.integers(-70000, 70000, n))
    return [int(x) for x in v]


def test_srdhm(fx):
    rng = np.random.default_rng(1)
    vs = values(rng, 150)
    for a in vs[::3]:
        for b in vs[::7]:
            assert fx.srdhm(a, b) == srdhm_def(a, b), (a, b)


def test_srdhm_rounding_ties(fx):
    """Products exactly halfway between two outputs, both signs (where truncating and flooring
    forms could differ), and the carries between the partial products of the ARMv6-M form."""
    rng = np.random.default_rng(4)
    ks = list(range(-40, 41)) + [int(k) for k in rng.integers(-(1 << 20), 1 << 20, 60)]
    for j in range(0, 31):
        for k in ks:
            for a, b in ((k, 1 << j), (1 << j, k), (2 * k + 1, (1 << j) + 1), (k, -(1 << j))):
                a, b = wrap(a), wrap(b)
                assert fx.srdhm(a, b) == srdhm_def(a, b), (a, b)
    for a in (0xFFFF, 0x10000, -0x10000, 0x7FFF0000, -0x7FFF0001, 0x8000FFFF - (1 << 32)):
        for b in (0xFFFF, 0x7FFFFFFF, 0x40000000, -0x10001, 0x1FFFF, 0x7FFF8000):
            assert fx.srdhm(a, b) == srdhm_def(a, b), (a, b)


def test_rounding_divide_by_pot(fx):
    rng = np.random.default_rng(2)
    for x in values(rng):
        for e in (0, 1, 2, 5, 12, 23, 30, 31):
            assert fx.rdivpot(x, e) == rdivpot_def(x, e), (x, e)


def test_requant_matches_tflite_definition(fx):
    """MultiplyByQuantizedMultiplier (double rounding): SRDHM of x << left, then RDivByPOT."""
    rng = np.random.default_rng(3)
    mults = [1 << 30, (1 << 31) - 1, 1518500250, 1073741825] + \
        [int(m) for m in rng.integers(1 << 30, 1 << 31, 20)]
    for x in values(rng, 100)[::2]:
        for m in mults:
            for s in (-31, -20, -9, -1, 0, 1, 3, 10):
                left, right = max(s, 0), max(-s, 0)
                want = rdivpot_def(srdhm_def(wrap(x << left), m), right)
                assert fx.requant(x, m, s) == want, (x, m, s)


def test_one_smmlar_requant_matches_tflite_definition(fx):
    """The packed CONV_2D kernels' requantization (mcusim_requant_smmlar: both roundings and the
    output offset in one SMMLAR of the doubled accumulator, shifts -22..-1, |acc| < 2^30)
    equals MultiplyByQuantizedMultiplier + offset, rounding ties included."""
    rng = np.random.default_rng(4)
    lim = (1 << 30) - 1
    mults = [0, 1 << 30, (1 << 31) - 1, 1518500250, 1073741825] + \
        [int(m) for m in rng.integers(1 << 30, 1 << 31, 12)]
    xs = [x for x in values(rng, 100)[::2] if abs(x) <= lim] + [lim, -lim]
    for s in (1, 2, 3, 7, 12, 22):        # ties: x m + 2^30 landing on a multiple of 2^(31+r)
        xs += [(k << (31 + s)) // (1 << 30) for k in (-3, -1, 1, 3)]
    for x in xs:
        for m in mults:
            for s in (-1, -2, -3, -5, -9, -16, -22):
                for off in (-128, -1, 0, 5, 127):
                    want = rdivpot_def(srdhm_def(x, m), -s) + off
                    assert fx.requant_smmlar(x, m, s, off) == want, (x, m, s, off)


def test_smmlar_requant_without_sign_term_under_a_floor_at_the_zero_point():
    """The RGB / small-K CONV_2D instances for RELU-like layers (MCUSIM_RQ8 with OUTC != 0) drop
    the - [acc < 0] of mcusim_requant_smmlar: SMMLAR(2 acc, m, a) >> r. That changes only results
    of negative accumulators, whose high product is <= 0, so both forms stay <= the output zero
    point; with the activation minimum lo >= the zero point the clamp makes them equal. Checked
    against TFLM's definition with ties and every sign, zero points and minima above them."""
    rng = np.random.default_rng(7)
    lim = (1 << 30) - 1
    mults = [0, 1 << 30, (1 << 31) - 1, 1518500250] + \
        [int(m) for m in rng.integers(1 << 30, 1 << 31, 10)]
    xs = [x for x in values(rng, 100)[::2] if abs(x) <= lim] + [lim, -lim, -1, 0, 1]
    for s in (1, 2, 3, 7, 12, 22):        # ties: x m + 2^30 landing on a multiple of 2^(31+r)
        xs += [(k << (31 + s)) // (1 << 30) for k in (-5, -3, -1, 1, 3)]
    diffs = 0
    for x in xs:
        for m in mults:
            for r in (1, 2, 3, 5, 9, 16, 22):
                h = srdhm_def(x, m)
                for off in (-128, -20, 0, 3, 100):
                    a = (1 << (r - 1)) + (off << r)
                    fast = max(-128, min(127, (h + a) >> r))     # SMMLAR, ASR, SSAT
                    exact = rdivpot_def(h, r) + off
                    diffs += fast != max(-128, min(127, exact))
                    for lo in sorted({off, min(off + 7, 127)}):
                        if lo < -128:
                            continue
                        assert max(lo, min(127, fast)) == max(lo, min(127, exact)), \
                            (x, m, r, off, lo)
    assert diffs > 0      # without the floor the sign term matters (the test can fail)


def test_split_multiplier_requant_matches_tflite_definition(fx):
    """The ARMv6-M pairs kernels' requantization (mcusim_requant_split11: the multiplier in
    9 + 11 + 11 bits, no 64-bit product; |acc| < 2^20, shifts -13..-1) equals
    MultiplyByQuantizedMultiplier + offset, rounding ties included."""
    rng = np.random.default_rng(5)
    lim = (1 << 20) - 1
    mults = [0, 1 << 30, (1 << 31) - 1, 1518500250, 1073741825] + \
        [int(m) for m in rng.integers(1 << 30, 1 << 31, 12)]
    xs = [int(x) for x in rng.integers(-lim, lim, 300)] + [lim, -lim, 0, 1, -1, 2, -2]
    for s in range(1, 14):                # ties: x = odd multiples of 2^(r-1) for m = 2^30
        xs += [k << s for k in (-3, -1, 1, 3)] + [(2 * k + 1) << (s - 1) for k in (-2, -1, 0, 1)]
    for x in xs:
        for m in mults:
            for s in (-1, -2, -3, -5, -9, -13):
                for off in (-128, -1, 0, 5, 127):
                    want = rdivpot_def(srdhm_def(x, m), -s) + off
                    assert fx.requant_split11(x, m, s, off) == want, (x, m, s, off)


def test_byte_split_multiplier_requant_matches_tflite_definition(fx):
    """The ARMv6-M FULLY_CONNECTED requantization (mcusim_requant_split8: the multiplier in four
    bytes; |acc| < 2^22, shifts -13..-1) equals MultiplyByQuantizedMultiplier + offset."""
    rng = np.random.default_rng(6)
    lim = (1 << 22) - 1
    mults = [0, 1 << 30, (1 << 31) - 1, 1518500250, 1073741825] + \
        [int(m) for m in rng.integers(1 << 30, 1 << 31, 12)]
    xs = [int(x) for x in rng.integers(-lim, lim, 300)] + [lim, -lim, 0, 1, -1, 2, -2]
    for s in range(1, 14):
        xs += [k << s for k in (-3, -1, 1, 3)] + [(2 * k + 1) << (s - 1) for k in (-2, -1, 0, 1)]
    for x in xs:
        for m in mults:
            for s in (-1, -2, -3, -5, -9, -13):
                for off in (-128, -1, 0, 5, 127):
                    want = rdivpot_def(srdhm_def(x, m), -s) + off
                    assert fx.requant_split8(x, m, s, off) == want, (x, m, s, off)


def test_saturating_shift_left(fx):
    for x in EDGES + [12345, -12345, (1 << 27), -(1 << 27)]:
        for e in (1, 2, 4, 5):
            assert fx.sat_shl(x, e) == max(I32_MIN, min(I32_MAX, x << e)), (x, e)
