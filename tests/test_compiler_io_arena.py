"""The model's inputs and outputs planned in the arena (X-CUBE-AI's --allocate-inputs /
--allocate-outputs): lifetimes, in-place and streaming overlaps over the model's own input, the
generated API, and the end-to-end result (bit-exact with TFLM, arena + I/O vs TFLM)."""
from __future__ import annotations

import numpy as np
import pytest

from compiler_support import SUPPORTED, shared_model
from mcusim.api import RunOptions
from mcusim.boards import load_board
from mcusim.compiler import importer, planner, tflm
from mcusim.compiler.build import compile_model, frontend
from mcusim.compiler.codegen import generate
from mcusim.compiler.modelgen import ModelBuilder
from mcusim.compiler.optimize import optimize, root
from mcusim.compiler.runmodel import run_model
from mcusim.compiler.verify import verify


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MCUSIM_CACHE", str(tmp_path / "cache"))


def _add_then_relu():
    """ADD(x0, x1) -> RELU -> output, 8x8x4: the ADD's output may take an input's storage."""
    mb = ModelBuilder()
    x0 = mb.tensor([1, 8, 8, 4], scale=0.05, zero_point=-3)
    x1 = mb.tensor([1, 8, 8, 4], scale=0.04, zero_point=5)
    s = mb.tensor([1, 8, 8, 4], scale=0.07, zero_point=2)
    y = mb.tensor([1, 8, 8, 4], scale=0.07, zero_point=2)
    mb.op("ADD", [x0, x1], [s], {})
    mb.op("RELU", [s], [y], {})
    return optimize(importer.parse(mb.build([x0, x1], [y])))


def test_io_buffers_have_application_lifetimes_and_run_in_place():
    opt = _add_then_relu()
    g = opt.graph
    outside = planner.plan(g)           # the RELU is fused into the ADD: no activation at all
    assert not outside.io_arena and outside.size == 0 and len(g.nodes) == 1
    p = planner.plan(g, io_arena=True)
    assert p.io_arena
    x0, x1, y = root(g, g.inputs[0]), root(g, g.inputs[1]), root(g, g.outputs[0])
    bufs = {b.key: b for b in p.buffers}
    # inputs: from before the first layer; the output: to after the last (the app reads it)
    assert bufs[f"t{x0}"].first == 0 and bufs[f"t{x1}"].first == 0
    home = next(b for b in p.buffers if y in {root(g, t) for t in b.tensors})
    assert home.last == len(g.nodes)
    # the ADD writes over an input: two 256 B inputs only, no third buffer
    assert p.inplace == [0] and p.size == 2 * 256
    assert p.offsets[y] in (p.offsets[x0], p.offsets[x1])


def test_model_output_is_never_overwritten_in_place():
    """A model output read by a later layer must survive it: RELU over it would destroy it."""
    mb = ModelBuilder()
    x = mb.tensor([1, 64], scale=0.05, zero_point=-3)
    w = mb.tensor([64, 64], scale=0.02, zero_point=0,
                  data=np.random.default_rng(1).integers(-127, 128, (64, 64)))
    h = mb.tensor([1, 64], scale=0.05, zero_point=0)
    y = mb.tensor([1, 64], scale=0.05, zero_point=0)
    mb.op("FULLY_CONNECTED", [x, w, -1], [h], {})
    mb.op("RELU", [h], [y], {})
    g = optimize(importer.parse(mb.build([x], [h, y]))).graph
    p = planner.plan(g, io_arena=True)
    assert p.inplace == []
    assert p.offsets[root(g, g.outputs[0])] != p.offsets[root(g, g.outputs[1])]


def test_streaming_conv_overlaps_the_model_input():
    """micro_speech: CONV_2D 49x40x1 -> 25x20x8 writes over the input rows it has consumed."""
    path = shared_model("tflite_micro/micro_speech_quantized.tflite")
    opt = frontend(path.read_bytes(), path.name)
    g = opt.graph
    p = planner.plan(g, io_arena=True)
    xin = f"t{root(g, g.inputs[0])}"
    assert [(pos, i) for pos, i, _, _ in p.overlaps] == [(0, xin)]
    _, _, out, d = p.overlaps[0]
    bufs = {b.key: b for b in p.buffers}
    assert bufs[xin].offset - bufs[out].offset >= d
    # the 1,960 B input starts delta (2,400 B) into the 4,000 B conv output: 4,360 B in all,
    # below the caller-buffer plan (4,004 B) plus its 1,964 B of I/O
    io = sum(q.size for q in opt.inputs + opt.outputs)
    assert p.size == d + 1960 < 4000 + 1960 and p.size < planner.plan(g).size + io


@pytest.mark.parametrize("rel", SUPPORTED)
def test_default_plan_never_raises_arena_plus_io(rel):
    path = shared_model(rel)
    opt = frontend(path.read_bytes(), path.name)
    for core, dsp in (("cortex-m4", True), ("cortex-m0plus", False)):
        base = generate(opt, core, dsp, True, io_arena=False)
        best = generate(opt, core, dsp, True)
        mine = best.plan.size + (0 if best.plan.io_arena else best.input_bytes + best.output_bytes)
        assert mine <= base.plan.size + base.input_bytes + base.output_bytes
        if best.plan.io_arena:
            assert best.io_arena["inputs"] and "MODEL_IO_IN_ARENA 1" in best.files["model.h"]


def test_simple_add_in_place_over_its_input_bit_exact(cache, tmp_path):
    path = shared_model("tflite_micro/simple_add_model.tflite")
    board = load_board("stm32f4")
    for kernels in ("auto", "portable"):
        built = compile_model(path, board, kernels)
        assert built.io_arena and built.arena == 2 * 16384          # output over an input
        h = (built.dir / "model.h").read_text()
        assert "model_input(int k)" in h and "OVERWRITES its inputs" in h
        lines = []
        rep = verify(path, board, RunOptions(seed=3, kernels=kernels), n=2, say=lines.append)
        assert rep.ok, "\n".join(lines)
    r = run_model(path, board, RunOptions(seed=1))
    a = r.to_json()["arena"]
    assert a["io"] == 0 and a["io_in_arena"] == 1 and a["peak"] == a["planned"]
    assert a["with_io"] == 32768 and a["tflm_ratio"] <= 0.70


def test_micro_speech_arena_plus_io_within_0_7_of_tflm(cache):
    path = shared_model("tflite_micro/micro_speech_quantized.tflite")
    for board in ("stm32f4", "rp2040"):
        r = run_model(path, load_board(board), RunOptions(seed=1))
        a = r.to_json()["arena"]
        assert a["io_in_arena"] == 1 and a["peak"] <= a["planned"]
        assert a["with_io"] == a["planned"] and a["tflm"] == tflm.known_arena(path.read_bytes())
        assert a["tflm_ratio"] <= 0.70, a
