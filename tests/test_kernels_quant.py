"""quant.py: TFLite's QuantizeMultiplier conventions and the Prepare-time helpers, on values
whose answers follow from the definitions (edge cases of the frexp/rounding/shift rules)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from mcusim.compiler import quant
from mcusim.compiler.ir import Tensor


@pytest.mark.parametrize("real,want", [
    (0.0, (0, 0)),
    (0.5, (1 << 30, 0)),
    (1.0, (1 << 30, 1)),
    (0.75, (3 << 29, 0)),
    (0.25, (1 << 30, -1)),
    (3.0, (3 << 29, 2)),
    ((2 ** 30 + 0.5) / 2 ** 31, (2 ** 30 + 1, 0)),      # .5 rounds away from zero
    (1.0 - 2.0 ** -40, (1 << 30, 1)),                   # significand rounds to 2^31: carry
    (2.0 ** -33, (0, 0)),                               # shift below -31: flushed to zero
    (2.0 ** 40, ((1 << 31) - 1, 30)),                   # shift above 30: saturated
])
def test_quantize_multiplier(real, want):
    assert quant.quantize_multiplier(real) == want


def test_quantize_multiplier_reconstructs_the_real_value():
    rng = np.random.default_rng(0)
    for real in rng.uniform(1e-6, 100.0, 500):
        m, s = quant.quantize_multiplier(float(real))
        assert (1 << 30) <= m < (1 << 31)
        assert math.isclose(m * 2.0 ** (s - 31), real, rel_tol=2 ** -30)


def test_multiplier_range_checks():
    with pytest.raises(ValueError):
        quant.quantize_multiplier_smaller_than_one_exp(1.5)
    with pytest.raises(ValueError):
        quant.quantize_multiplier_greater_than_one(0.5)
    assert quant.quantize_multiplier_greater_than_one(40.0) == (1342177280, 6)


def test_tflite_round_is_half_away_from_zero():
    assert [quant.tflite_round(x) for x in (0.5, 1.5, 2.5, -0.5, -2.5, 0.49999999999999994)] == \
        [1.0, 2.0, 3.0, -1.0, -3.0, 0.0]


def _t(scale, zp):
    return Tensor(0, "t", (1,), "int8", np.array([scale], np.float32), np.array([zp]))


@pytest.mark.parametrize("act,scale,zp,want", [
    ("NONE", 0.1, -10, (-128, 127)),
    ("RELU", 0.1, -10, (-10, 127)),
    ("RELU6", 0.1, -10, (-10, 50)),
    ("RELU6", 0.01, 0, (0, 127)),           # 6.0 beyond the int8 range
    ("RELU_N1_TO_1", 0.05, 3, (-17, 23)),
    ("RELU", 0.1, -128, (-128, 127)),
])
def test_activation_range(act, scale, zp, want):
    assert quant.activation_range(act, _t(scale, zp)) == want


@pytest.mark.parametrize("pad,n,k,s,d,want", [
    ("SAME", 10, 3, 1, 1, (10, 1)),
    ("SAME", 10, 3, 2, 1, (5, 0)),
    ("SAME", 9, 4, 2, 1, (5, 1)),
    ("SAME", 10, 3, 1, 2, (10, 2)),
    ("VALID", 10, 3, 1, 1, (8, 0)),
    ("VALID", 10, 3, 2, 2, (3, 0)),
])
def test_compute_padding(pad, n, k, s, d, want):
    assert quant.compute_padding(pad, n, k, s, d) == want


def test_input_radius_and_softmax_scaling():
    # CalculateInputRadius(4, 20) = floor(15 * 2^27 / 2^20) = 1920
    assert quant.calculate_input_radius(4, 20) == 1920
    assert quant.calculate_input_radius(5, 0) == int((1 << 5) - 1) * (1 << 26)
