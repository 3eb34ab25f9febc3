"""mcusim train: the last FULLY_CONNECTED layer trained on the simulated MCU (float32 SGD; soft
float on the M0+ with --arithmetic float; fixed point: test_train_fixed.py) gives weights identical, bit for bit, to the host's numpy reference of the same
operations, and adapting to two new classes raises accuracy on held-back samples."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import needs_gcc
from mcusim.boards import load_board
from mcusim.errors import BadInput
from mcusim.train import reference
from mcusim.train.run import train

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MCUSIM_SHARED_MODELS") or REPO.parent / "shared" / "models")
DNN = SHARED / "arm_kws" / "dnn_s_quantized.tflite"       # FC x4 + SOFTMAX, float I/O
sys.path.insert(0, str(REPO / "examples"))
from train_new_classes import dnn_classes as two_classes  # noqa: E402  (the example's data)


@pytest.fixture
def sets(tmp_path):
    if not DNN.is_file():
        pytest.skip("shared models not present")
    out = []
    for name, n, seed in (("train", 12, 1), ("eval", 12, 2)):
        x, y = two_classes(n, seed)
        np.savez(tmp_path / f"{name}.npz", x=x, y=y)
        out.append(tmp_path / f"{name}.npz")
    return out


@needs_gcc
@pytest.mark.parametrize("board", ["stm32f4", "rp2040"])
def test_training_matches_reference_and_adapts(sets, board):
    # float32 on both: the rp2040's default is fixed point (test_train_fixed.py), soft float here
    r = train(DNN, load_board(board), *sets, epochs=2, lr=0.05, arithmetic="float")
    assert r["arithmetic"] == "float"
    assert r["reference_identical"]
    assert r["accuracy_after"] >= 0.9 > r["accuracy_before"]
    assert r["head_shape"] == [12, 144] and r["samples"] == 12 and r["epochs"] == 2
    assert r["step_cycles"] > 0 and r["backbone_cycles"] > 0 and r["step_energy_uj"] > 0
    m = r["train_memory"]
    assert m["weights"] == 4 * (12 * 144 + 12) and m["activations"] == 4 * 144
    assert m["gradients"] == 4 * 12 and r["train_memory_bytes"] == sum(
        m[k] for k in ("weights", "gradients", "activations"))


def test_reference_exp_is_close_to_exp():
    for x in np.linspace(-80, 0, 2001, dtype=np.float32):
        assert reference.exp_neg(x) == pytest.approx(np.exp(np.float64(x)), rel=2e-5)


@needs_gcc
@pytest.mark.parametrize("edit, msg", [
    (lambda x, y: (x, y + 20), "labels must be whole numbers 0..11"),
    (lambda x, y: (x[:, :100], y), "must hold 250 values"),
    (lambda x, y: (x, y[:3]), "one label per sample"),
    (lambda x, y: (x, y.astype(np.float32)), "labels must be whole numbers"),
])
def test_bad_training_data_is_one_line(sets, tmp_path, edit, msg):
    x, y = two_classes(4, 0)
    x, y = edit(x, y)
    bad = tmp_path / "bad.npz"
    np.savez(bad, x=x, y=y)
    with pytest.raises(BadInput, match=msg):
        train(DNN, load_board("stm32f4"), bad, sets[1])


@needs_gcc
def test_missing_arrays_and_epochs(sets, tmp_path):
    np.savez(tmp_path / "noy.npz", x=np.zeros((2, 250), np.float32))
    with pytest.raises(BadInput, match="needs arrays x and y"):
        train(DNN, load_board("stm32f4"), tmp_path / "noy.npz", sets[1])
    with pytest.raises(BadInput, match="--epochs"):
        train(DNN, load_board("stm32f4"), *sets, epochs=0)


@needs_gcc
def test_a_model_without_a_dense_head_is_refused(tmp_path):
    model = SHARED / "tflite_micro" / "simple_add_model.tflite"
    if not model.is_file():
        pytest.skip("shared models not present")
    np.savez(tmp_path / "d.npz", x=np.zeros((1, 128 * 128), np.int8), y=np.zeros(1, np.int64))
    with pytest.raises(BadInput, match="no FULLY_CONNECTED"):
        train(model, load_board("stm32f4"), tmp_path / "d.npz", tmp_path / "d.npz")


def test_example_data_script_writes_what_train_reads(tmp_path, monkeypatch):
    import runpy
    from mcusim.compiler.modelio import Port
    from mcusim.train.run import load_set
    monkeypatch.chdir(tmp_path)
    runpy.run_path(str(REPO / "examples" / "train_new_classes.py"), run_name="__main__")
    port = Port("input", 0, (1, 49, 10, 1), "int8", 0.5847, 83)
    for name in ("train", "eval"):
        x, y = load_set(tmp_path / f"{name}.npz", "--data", port, 12)
        assert x.shape == (20, 490) and set(y.tolist()) == {2, 5}
