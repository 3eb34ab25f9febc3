"""mcusim train in fixed point (sim/mcusim/train/fixed.py), the default on cores without an FPU:
the M0+'s weights equal the host's integer reference bit for bit, adaptation raises held-back
accuracy, and the fixed-point helpers repeat gemmlowp's arithmetic."""
from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import needs_gcc
from mcusim.boards import load_board
from mcusim.cli import main
from mcusim.errors import BadInput
from mcusim.train import fixed
from mcusim.train.run import train
from test_train import DNN, sets  # noqa: F401  (the fixture)


@needs_gcc
@pytest.mark.parametrize("board", ["stm32g0b1", "rp2040"])
def test_fixed_point_matches_reference_and_adapts(sets, board):  # noqa: F811
    r = train(DNN, load_board(board), *sets, epochs=2, lr=0.05)
    assert r["arithmetic"] == "fixed" and r["fixed_format"]["weights"].startswith("Q")
    assert r["reference_identical"]
    assert r["accuracy_after"] >= 0.9 > r["accuracy_before"]
    m = r["train_memory"]
    assert m["weights"] == 4 * (12 * 144 + 12) and m["activations"] == 4 * 144
    assert m["gradients"] == 4 * 12 + 8 * 12 and r["step_cycles"] > 0


def test_exp_port_is_close_to_exp():
    for x in np.linspace(-31.9, 0, 1001):
        a = round(x * 2 ** 26)
        got = fixed.exp_on_negative_values(a, 5) / 2 ** 31
        assert got == pytest.approx(math.exp(a / 2 ** 26), abs=2e-9, rel=1e-6)


def test_rounding_helpers():
    xs = np.array([-6, -5, -4, -3, 3, 4, 5, 6, 2 ** 40 + 2], np.int64)
    assert fixed.rdivpot(xs, 2).tolist() == [-2, -1, -1, -1, 1, 1, 1, 2, 2 ** 38 + 1]
    assert [fixed.rdivpot(int(v), 2) for v in xs] == fixed.rdivpot(xs, 2).tolist()
    assert fixed.srdhm(-2 ** 31, -2 ** 31) == 2 ** 31 - 1
    assert fixed.srdhm(1 << 30, 3) == 2 and fixed.srdhm(-(1 << 30), 3) == -1   # ties up
    assert fixed.to_q26(-(1 << 40), 24) == -2 ** 31 and fixed.to_q26(-3, 28) == -1


def test_reference_step_moves_towards_the_label():
    rng = np.random.default_rng(0)
    fmt = fixed.Format(20, rng.integers(-2 ** 16, 2 ** 16, (4, 8)).astype(np.int32),
                       np.zeros(4, np.int32))
    x = rng.integers(-100, 100, 8)
    u = fixed.update(0.05, 0.1, fmt.frac)
    w, b = fixed.train(fmt, x[None, :], np.array([2]), 1, u)
    z0 = fmt.w.astype(np.int64) @ x + fmt.b
    z1 = w.astype(np.int64) @ x + b
    assert z1[2] - z0[2] > 0 and b[2] > 0 > b[0]


def test_learning_rate_outside_the_format_is_refused():
    with pytest.raises(BadInput, match="below 1"):
        fixed.update(1.5, 0.1, 24)
    with pytest.raises(BadInput, match="outside 0..31"):
        fixed.update(1e-9, 0.1, 24)


@needs_gcc
def test_bad_arithmetic_option_is_one_line(sets, capsys):  # noqa: F811
    code = main(["train", str(DNN), "--board", "rp2040", "--data", str(sets[0]), "--eval",
                 str(sets[1]), "--arithmetic", "double"])
    err = capsys.readouterr().err
    assert code != 0 and len(err.splitlines()) == 1 and "--arithmetic: float or fixed" in err


@needs_gcc
def test_a_reference_that_rounds_differently_is_caught(sets, monkeypatch):  # noqa: F811
    """The bit-for-bit comparison can fail: a reference whose shifts floor instead of rounding."""
    monkeypatch.setattr(fixed, "rdivpot", lambda x, e: x >> e)
    r = train(DNN, load_board("rp2040"), *sets, epochs=2, lr=0.05)
    assert not r["reference_identical"]


@needs_gcc
@pytest.mark.parametrize("frac", [20, 26, 28])
def test_other_formats_match_the_reference(sets, monkeypatch, frac):  # noqa: F811
    """The softmax input's three conversions (Q(F) below, at and above Q26) and, at Q28, weights
    clamped at 2^23 - 1 (the model's largest is 2^25 there) stay bit for bit."""
    choose = fixed.choose

    def at(head):
        f = choose(head)
        k = frac - f.frac
        scale = (lambda a: a.astype(np.int64) << k) if k >= 0 else (lambda a: a >> -k)
        return fixed.Format(frac, np.clip(scale(f.w), -fixed.WMAX, fixed.WMAX).astype(np.int32),
                            scale(f.b).astype(np.int32))
    monkeypatch.setattr(fixed, "choose", at)
    r = train(DNN, load_board("rp2040"), *sets, epochs=2, lr=0.05)
    assert r["fixed_format"]["weights"].startswith(f"Q{frac} ") and r["reference_identical"]
