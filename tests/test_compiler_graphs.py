"""The optimizer and planner on small graphs built with modelgen, simulated on stm32f4 and
verified bit-exact against TFLM: activation fusion, in-place elementwise layers, RESHAPE aliases
(also into the output buffer), float I/O folded to the host, an int8 QUANTIZE mid-graph."""
from __future__ import annotations

import numpy as np
import pytest

from mcusim.api import RunOptions
from mcusim.boards import load_board
from mcusim.compiler.build import compile_model
from mcusim.compiler.modelgen import ModelBuilder
from mcusim.compiler.verify import verify


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MCUSIM_CACHE", str(tmp_path / "cache"))


def _fc(mb, rng, x, k, units, out_scale, out_zp, act="NONE", out=None):
    w = mb.tensor([units, k], scale=0.02, zero_point=0,
                  data=rng.integers(-127, 128, (units, k)))
    in_scale = mb.tensors[x].scale[0]          # TFLM wants bias scale = input * filter scale
    b = mb.tensor([units], "int32", scale=0.02 * in_scale, zero_point=0,
                  data=rng.integers(-300, 300, units))
    y = out if out is not None else mb.tensor([1, units], scale=out_scale, zero_point=out_zp)
    mb.op("FULLY_CONNECTED", [x, w, b], [y], {"fused_activation_function": act})
    return y


def _check(tmp_path, data: bytes, ops: list[str]):
    path = tmp_path / "g.tflite"
    path.write_bytes(data)
    board = load_board("stm32f4")
    built = compile_model(path, board)
    assert [L["op"] for L in built.layers] == ops
    lines = []
    rep = verify(path, board, RunOptions(seed=2), n=2, say=lines.append)
    assert rep.ok, "\n".join(lines)
    # TFLM's arena for a model outside the shared table is measured at build time
    io = 0 if built.io_arena else built.input_bytes + built.output_bytes    # counted once
    assert built.tflm_arena and built.arena + io <= built.tflm_arena
    return built


def test_relu6_fused_into_conv(tmp_path):
    rng = np.random.default_rng(1)
    mb = ModelBuilder()
    x = mb.tensor([1, 6, 6, 3], scale=0.05, zero_point=-3)
    w = mb.tensor([4, 3, 3, 3], scale=[0.02, 0.03, 0.01, 0.02], zero_point=[0] * 4,
                  data=rng.integers(-127, 128, (4, 3, 3, 3)))
    c = mb.tensor([1, 6, 6, 4], scale=0.04, zero_point=-20)
    y = mb.tensor([1, 6, 6, 4], scale=0.04, zero_point=-20)
    mb.op("CONV_2D", [x, w, -1], [c], {"padding": "SAME", "stride_w": 1, "stride_h": 1,
                                        "fused_activation_function": "NONE"})
    mb.op("RELU6", [c], [y])
    built = _check(tmp_path, mb.build([x], [y]), ["CONV_2D"])
    assert any("RELU6: fused into node 0" in line for line in built.log)


def _arena_without_io(data: bytes) -> int:
    """The plan with the model's I/O in the caller's buffers (planner.plan's own default)."""
    from mcusim.compiler import planner
    from mcusim.compiler.build import frontend
    return planner.plan(frontend(data, "g.tflite").graph).size


def test_relu_with_own_quantization_runs_in_place(tmp_path):
    rng = np.random.default_rng(2)
    mb = ModelBuilder()
    x = mb.tensor([1, 40], scale=0.05, zero_point=-3)
    h = _fc(mb, rng, x, 40, 32, 0.1, 3)
    r = mb.tensor([1, 32], scale=0.06, zero_point=-128)       # RELU requantizes: not fusable
    mb.op("RELU", [h], [r])
    y = _fc(mb, rng, r, 32, 8, 0.2, 1)
    data = mb.build([x], [y])
    built = _check(tmp_path, data, ["FULLY_CONNECTED", "RELU", "FULLY_CONNECTED"])
    assert _arena_without_io(data) == 32   # RELU's output overwrites its input: one 32-B buffer
    assert built.io_arena and built.arena == 40 + 32   # + the 40 B input; the 8 B output over it


def test_reshapes_become_aliases_even_into_the_output(tmp_path):
    rng = np.random.default_rng(3)
    mb = ModelBuilder()
    x = mb.tensor([1, 4, 4, 2], scale=0.05, zero_point=0)
    flat = mb.tensor([1, 32], scale=0.05, zero_point=0)
    shape = mb.tensor([2], "int32", data=[1, 32])
    mb.op("RESHAPE", [x, shape], [flat], {"new_shape": [1, 32]})
    h = _fc(mb, rng, flat, 32, 12, 0.1, -5, act="RELU")
    y = mb.tensor([1, 3, 4], scale=0.1, zero_point=-5)
    shape2 = mb.tensor([3], "int32", data=[1, 3, 4])
    mb.op("RESHAPE", [h, shape2], [y], {"new_shape": [1, 3, 4]})
    built = _check(tmp_path, mb.build([x], [y]), ["FULLY_CONNECTED"])
    assert built.arena == 0 and built.outputs[0].shape == (1, 3, 4)


def test_float_io_folded_to_host(tmp_path):
    rng = np.random.default_rng(4)
    mb = ModelBuilder()
    xf = mb.tensor([1, 24], "float32")
    xq = mb.tensor([1, 24], scale=0.037, zero_point=11)
    mb.op("QUANTIZE", [xf], [xq])
    h = _fc(mb, rng, xq, 24, 10, 0.09, -7)
    yf = mb.tensor([1, 10], "float32")
    mb.op("DEQUANTIZE", [h], [yf])
    built = _check(tmp_path, mb.build([xf], [yf]), ["FULLY_CONNECTED"])
    assert built.inputs[0].dtype == built.outputs[0].dtype == "float32"


def test_int8_requantize_mid_graph(tmp_path):
    rng = np.random.default_rng(5)
    mb = ModelBuilder()
    x = mb.tensor([1, 16], scale=0.05, zero_point=-3)
    h = _fc(mb, rng, x, 16, 20, 0.1, 4)
    q = mb.tensor([1, 20], scale=0.23, zero_point=-60)
    mb.op("QUANTIZE", [h], [q])
    y = _fc(mb, rng, q, 20, 6, 0.3, 2)
    _check(tmp_path, mb.build([x], [y]), ["FULLY_CONNECTED", "QUANTIZE", "FULLY_CONNECTED"])


def test_logistic_and_tanh_in_place(tmp_path):
    rng = np.random.default_rng(6)
    mb = ModelBuilder()
    x = mb.tensor([1, 24], scale=0.05, zero_point=-3)
    h = _fc(mb, rng, x, 24, 16, 0.05, 2)
    s = mb.tensor([1, 16], scale=1 / 256, zero_point=-128)
    mb.op("LOGISTIC", [h], [s])
    h2 = _fc(mb, rng, s, 16, 16, 0.03, -4)
    t = mb.tensor([1, 16], scale=1 / 128, zero_point=0)
    mb.op("TANH", [h2], [t])
    y = _fc(mb, rng, t, 16, 4, 0.1, 0)
    data = mb.build([x], [y])
    built = _check(tmp_path, data, ["FULLY_CONNECTED", "LOGISTIC", "FULLY_CONNECTED", "TANH",
                                    "FULLY_CONNECTED"])
    assert _arena_without_io(data) == 32   # two 16-byte buffers, each activation in place
    assert built.io_arena and built.arena == 40        # + the 24 B input; the 4 B output over it


def _one_op_cases():
    from mcusim.compiler import modelgen as mg
    r = np.random.default_rng(11)
    yield "add_const_operand", mg.binary(r, "ADD", [1, 4, 4, 3], [3], const_second=True)[0]
    yield "concat_three_inputs", mg.concatenation(r, [[1, 2, 3, 2], [1, 2, 3, 5],
                                                      [1, 2, 3, 1]], 3)[0]
    yield "pad", mg.pad(r, [1, 4, 3, 2], [[0, 0], [1, 2], [0, 1], [0, 0]])[0]
    yield "mean", mg.mean(r, [1, 4, 5, 6], [1, 2], True)[0]
    yield "weights_as_input", mg.weights_as_input(r, "FULLY_CONNECTED", [2, 20], 5)[0]


@pytest.mark.parametrize("board", ["stm32f4", "rp2040"])
def test_one_op_models_through_the_compiler(tmp_path, board):
    """Constant operands, several inputs, weights fed as inputs: the refs codegen hands the
    kernels, end to end through build, simulation and verify."""
    for name, data in _one_op_cases():
        path = tmp_path / f"{name}.tflite"
        path.write_bytes(data)
        lines = []
        rep = verify(path, load_board(board), RunOptions(seed=4), n=1, say=lines.append)
        assert rep.ok, name + "\n" + "\n".join(lines)


@pytest.mark.parametrize("board", ["stm32f4", "rp2040"])
def test_one_channel_depthwise_runs_as_conv(tmp_path, board):
    """person_detect's first layer: DEPTHWISE_CONV_2D over one input channel with multiplier 8
    (stride 2, SAME, RELU6) is a CONV_2D with 8 output channels; the optimizer rewrites it so the
    packed convolution kernels take it, bit-exact with TFLM's depthwise kernel. A multiplier-2
    layer over two channels stays a depthwise layer."""
    from mcusim.compiler import modelgen as mg
    r = np.random.default_rng(21)
    for shape, mult, ops in (([1, 11, 9, 1], 8, ["CONV_2D"]),
                             ([1, 7, 6, 2], 2, ["DEPTHWISE_CONV_2D"])):
        data = mg.depthwise_conv_2d(r, shape, mult, (3, 3), (2, 2), activation="RELU6")[0]
        path = tmp_path / f"dw{mult}.tflite"
        path.write_bytes(data)
        built = compile_model(path, load_board(board))
        assert [L["op"] for L in built.layers] == ops
        assert any("run as CONV_2D" in line for line in built.log) == (ops == ["CONV_2D"])
        lines = []
        rep = verify(path, load_board(board), RunOptions(seed=3), n=2, say=lines.append)
        assert rep.ok, "\n".join(lines)
