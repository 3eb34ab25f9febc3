"""The generated MLPerf Tiny VWW and IC stand-ins: deterministic, laid out like the reference int8
files (operator sequence, shapes, per-channel weights), and bit-exact with TFLM on a board."""
from __future__ import annotations

import numpy as np
import pytest
import tflite

from mcusim.api import RunOptions
from mcusim.boards import load_board
from mcusim.compiler import mlperf_models
from mcusim.compiler.verify import verify

OPS = {v: k for k, v in vars(tflite.BuiltinOperator).items() if not k.startswith("_")}


def _graph(data: bytes):
    m = tflite.Model.GetRootAs(data, 0)
    sg = m.Subgraphs(0)
    ops = []
    for k in range(sg.OperatorsLength()):
        op = sg.Operators(k)
        out = sg.Tensors(op.Outputs(0))
        ops.append((OPS[m.OperatorCodes(op.OpcodeIndex()).BuiltinCode()],
                    [int(d) for d in out.ShapeAsNumpy()]))
    return m, sg, ops


@pytest.fixture(autouse=True, scope="module")
def cache(tmp_path_factory):
    """One cache for the module: the bit-exact test's IC build is reused below."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MCUSIM_CACHE", str(tmp_path_factory.mktemp("cache")))
        yield


def test_vww_layout_matches_the_reference_model():
    data = mlperf_models.vww()
    assert data == mlperf_models.vww()                      # deterministic
    assert data != mlperf_models.vww(seed=1)
    _, sg, ops = _graph(data)
    assert [int(d) for d in sg.Tensors(sg.Inputs(0)).ShapeAsNumpy()] == [1, 96, 96, 3]
    names = [o for o, _ in ops]
    assert names == (["CONV_2D"] + ["DEPTHWISE_CONV_2D", "CONV_2D"] * 13 +
                     ["AVERAGE_POOL_2D", "RESHAPE", "FULLY_CONNECTED", "SOFTMAX"])
    shapes = [s for _, s in ops]
    assert shapes[0] == [1, 48, 48, 8] and shapes[2] == [1, 48, 48, 16]
    assert shapes[23] == [1, 3, 3, 128] and shapes[24] == shapes[26] == [1, 3, 3, 256]
    assert shapes[-1] == [1, 2]


def test_ic_layout_matches_the_reference_model():
    data = mlperf_models.ic()
    m, sg, ops = _graph(data)
    assert [o for o, _ in ops] == (["CONV_2D"] * 3 + ["ADD"] + (["CONV_2D"] * 3 + ["ADD"]) * 2 +
                                   ["AVERAGE_POOL_2D", "RESHAPE", "FULLY_CONNECTED", "SOFTMAX"])
    assert [s for _, s in ops][4:8] == [[1, 16, 16, 32]] * 4
    assert ops[-1][1] == [1, 10]
    # per-channel symmetric weights, each output channel using the full int8 range
    conv = sg.Operators(1)
    w = sg.Tensors(conv.Inputs(1))
    q = w.Quantization()
    assert q.ScaleLength() == 16 and q.QuantizedDimension() == 0
    vals = m.Buffers(w.Buffer()).DataAsNumpy().view(np.int8).reshape(16, -1)
    assert (np.abs(vals.astype(int)).max(axis=1) == 127).all()
    # the output of a fused ReLU starts at zero: zero point -128
    assert sg.Tensors(conv.Outputs(0)).Quantization().ZeroPoint(0) == -128


def test_write_caches_by_version(tmp_path):
    p = mlperf_models.write("ic", tmp_path)
    assert p.name == "mlperf_ic.tflite" and p.read_bytes() == mlperf_models.ic()
    stamp = p.stat().st_mtime_ns
    assert mlperf_models.write("ic", tmp_path).stat().st_mtime_ns == stamp     # reused
    p.with_suffix(".version").write_text("0 0\n")
    mlperf_models.write("ic", tmp_path)
    assert p.with_suffix(".version").read_text() == f"{mlperf_models.GENERATOR_VERSION} 0\n"


@pytest.mark.parametrize("name", ["ic", "vww"])
def test_bit_exact_with_tflm(name):
    path = mlperf_models.cached(name)
    rep = verify(path, load_board("stm32l4r5"), RunOptions(), n=1, say=lambda _: None)
    assert rep.ok, [c.max_diff for c in rep.cases]
    assert len(rep.cases) == 3


def test_streaming_overlap_is_exercised_and_checked(monkeypatch, tmp_path):
    """IC's second 3x3 convolution writes over its consumed input (planner.stream_delta): the
    plan has the overlap, and a gap one row too small is caught by verify at that layer."""
    from mcusim.compiler import planner
    from mcusim.compiler.build import compile_model
    path = mlperf_models.cached("ic")
    board = load_board("stm32l4r5")
    model_c = (compile_model(path, board).dir / "model.c").read_text()
    assert "layer 2 streams its output over its consumed input" in model_c
    real = planner.stream_delta
    monkeypatch.setenv("MCUSIM_CACHE", str(tmp_path / "short"))   # the cache keys on sources
    monkeypatch.setattr(planner, "stream_delta",
                        lambda g, node: None if real(g, node) is None
                        else real(g, node) - 32 * 16 * 3)        # three 512 B rows short
    rep = verify(path, board, RunOptions(), n=1, say=lambda _: None)
    assert not rep.ok and rep.first_bad_layer.startswith("layer 2 CONV_2D")
