"""Optimizer and arena planner on the real models: aliases, edge I/O folding (checked against
TFLM's own QUANTIZE/DEQUANTIZE), a valid plan, and an arena no larger than TFLM's."""
from __future__ import annotations

import numpy as np
import pytest

from compiler_support import SUPPORTED, shared_model
from mcusim.compiler import importer, modelio, planner, tflm
from mcusim.compiler.build import frontend
from mcusim.compiler.optimize import optimize


def _opt(rel):
    return optimize(importer.load(shared_model(rel)))


def _scratch(opt):
    """Scratch bytes per layer as the operator modules ask for them (none without modules)."""
    from mcusim.compiler.codegen import _emit_all
    try:
        return _emit_all(opt, None, "cortex-m4f", True)[1].scratch_sizes
    except Exception:           # noqa: BLE001 - operator modules not there yet
        return {}


def test_reshape_becomes_alias():
    o = _opt("mlperf_tiny/kws_ref_model.tflite")
    assert "RESHAPE" not in [n.op for n in o.graph.nodes]
    assert any("RESHAPE: tensor" in line and "aliases" in line for line in o.log)


def test_edge_quantize_dequantize_folded():
    o = _opt("arm_kws/ds_cnn_s_quantized.tflite")
    ops = [n.op for n in o.graph.nodes]
    assert "QUANTIZE" not in ops and "DEQUANTIZE" not in ops
    assert o.inputs[0].dtype == "float32" and o.outputs[0].dtype == "float32"
    assert o.graph.t(o.inputs[0].tensor).dtype == "int8"
    # the ports keep the model's own I/O names (errors name what the user knows), not the
    # folded QUANTIZE/DEQUANTIZE's internal tensors
    src = importer.load(shared_model("arm_kws/ds_cnn_s_quantized.tflite"))
    assert o.inputs[0].name == src.t(src.inputs[0]).name
    assert o.outputs[0].name == src.t(src.outputs[0]).name


def test_host_conversions_bit_exact_with_tflm():
    """TFLM's QUANTIZE output (tensor 0) and DEQUANTIZE output vs modelio, on off-grid floats."""
    path = shared_model("arm_kws/ds_cnn_s_quantized.tflite")
    o = _opt("arm_kws/ds_cnn_s_quantized.tflite")
    pin, pout = o.inputs[0], o.outputs[0]
    it = tflm.interpreter(path.read_bytes(), preserve=True)
    rng = np.random.default_rng(7)
    for _ in range(3):
        x = modelio.random_input(pin, rng)
        x.reshape(-1)[:4] = [0.5 * pin.scale, -0.5 * pin.scale, 1e9, -1e9]   # ties, clamps
        (y,) = tflm.invoke(it, [x], 1)
        q_tflm = tflm.tensor(it, pin.tensor)
        assert np.array_equal(modelio.quantize(x, pin.scale, pin.zero_point).reshape(-1),
                              q_tflm.reshape(-1))
        pre = tflm.tensor(it, pout.tensor)
        assert np.array_equal(modelio.dequantize(pre, pout.scale, pout.zero_point).reshape(-1),
                              y.reshape(-1))


@pytest.mark.parametrize("io_arena", [False, True], ids=["io-outside", "io-in-arena"])
@pytest.mark.parametrize("rel", SUPPORTED)
def test_plan_is_valid_and_not_larger_than_tflm(rel, io_arena):
    path = shared_model(rel)
    data = path.read_bytes()
    opt = frontend(data, path.name) if _scratch_ok() else optimize(importer.parse(data))
    plan = planner.plan(opt.graph, _scratch(opt), io_arena)
    live = [b for b in plan.buffers if b.size]
    streams = {(i, o): d for _, i, o, d in plan.overlaps}
    for i, a in enumerate(live):            # no two buffers alive together share a byte...
        assert a.offset % planner.ALIGN == 0 and a.offset + a.size <= plan.size
        for b in live[i + 1:]:
            if a.first <= b.last and b.first <= a.last:
                if a.offset + a.size <= b.offset or b.offset + b.size <= a.offset:
                    continue
                # ...except a streaming conv's input, at least delta above its output
                d, inp, out = streams.get((a.key, b.key)), a, b
                if d is None:
                    d, inp, out = streams.get((b.key, a.key)), b, a
                assert d is not None and inp.offset - out.offset >= d, (a, b)
                assert inp.last == out.first                # they meet at one layer only
    # without overlaps no plan can be smaller than the most bytes alive during one layer; greedy
    # meets that bound, and streaming overlaps only ever go below it
    bound = max((sum(b.size for b in live if b.first <= i <= b.last)    # + 1: outputs are
                 for i in range(len(opt.graph.nodes) + 1)), default=0)  # read after the run
    assert plan.size <= bound + planner.ALIGN
    if not plan.overlaps:
        assert bound <= plan.size
    io = 0 if io_arena else sum(p.size for p in opt.inputs + opt.outputs)   # counted once
    tf = tflm.known_arena(data)
    print(f"{rel}: planned {plan.size} B + I/O {io} B vs TFLM {tf} B")
    assert plan.size + io <= tf


def test_kws_overlap_subsets_hide_the_conv_scratch():
    """KWS (M4 kernels): eight equal layers, each 1x1 conv with 512 B of scratch. Overlaps at
    every layer stack the chain 9 KB lower, at none they leave 2 x 8,000 + 512 B; only some
    layers' overlaps (the exhaustive subset search) reach the depthwise layers' bound."""
    path = shared_model("mlperf_tiny/kws_ref_model.tflite")
    data = path.read_bytes()
    opt = frontend(data, path.name)
    scratch = _scratch(opt)
    plan = planner.plan(opt.graph, scratch)
    conv_scratch = max(n for pos, n in scratch.items() if opt.graph.nodes[pos].op == "CONV_2D")
    assert plan.size < 2 * 8000 + conv_scratch
    assert 0 < len(plan.overlaps) < 8
    io = sum(p.size for p in opt.inputs + opt.outputs)
    assert plan.size + io <= 0.70 * tflm.known_arena(data)


def _scratch_ok() -> bool:
    from mcusim.compiler.checks import op_module
    return op_module("CONV_2D") is not None


def _conv_chain():
    """input -> CONV 3x3 -> DEPTHWISE 3x3 stride 2 -> CONV 1x1 -> output, 16x16 pixels."""
    from mcusim.compiler import modelgen as mg
    r = np.random.default_rng(3)
    mb = mg.ModelBuilder()
    x = mb.tensor([1, 16, 16, 4], scale=0.05, zero_point=-3)
    shapes = [([8, 3, 3, 4], [1, 16, 16, 8], "CONV_2D", 1),
              ([1, 3, 3, 8], [1, 8, 8, 8], "DEPTHWISE_CONV_2D", 2),
              ([16, 1, 1, 8], [1, 8, 8, 16], "CONV_2D", 1)]
    t = x
    for wshape, oshape, op, stride in shapes:
        axis = 3 if op == "DEPTHWISE_CONV_2D" else 0
        n = wshape[axis]
        w = mb.tensor(wshape, scale=[0.01] * n, zero_point=[0] * n, quantized_dimension=axis,
                      data=r.integers(-127, 128, wshape))
        y = mb.tensor(oshape, scale=0.05, zero_point=-128)
        opts = {"padding": "SAME", "stride_w": stride, "stride_h": stride,
                "fused_activation_function": "RELU"}
        if op == "DEPTHWISE_CONV_2D":
            opts["depth_multiplier"] = 1
        mb.op(op, [t, w, -1], [y], opts)
        t = y
    return optimize(importer.parse(mb.build([x], [t])))


def test_stream_delta_follows_the_row_contract():
    g = _conv_chain().graph
    conv3, dw, pw = g.nodes
    # 3x3 stride 1, pad 1, 4 -> 8 channels: writing up to output row r + 1 (128 B rows) while
    # input rows from r - 2 (64 B rows) are still needed; the gap is widest at r = 14
    assert planner.stream_delta(g, conv3) == 16 * 128 - 12 * 64
    # stride 2, pad 0 on 16 rows: output row r needs input rows from 2(r - 1); row 1 decides
    assert planner.stream_delta(g, dw) == 3 * 8 * 8
    # 1x1, 8 -> 16 channels: output rows are twice the input rows, so the gap grows to the end
    assert planner.stream_delta(g, pw) == max(min(r + 2, 8) * 8 * 16 - max(r - 1, 0) * 8 * 8
                                              for r in range(8))


def test_streaming_overlap_shrinks_the_arena_below_the_live_bytes():
    opt = _conv_chain()
    plan = planner.plan(opt.graph)
    # the 16x16x8 tensor and the 8x8x8 one are both alive at the depthwise layer: 2,560 B
    # without an overlap; its output may start below its input by the depthwise delta
    assert plan.overlaps and plan.size < 16 * 16 * 8 + 8 * 8 * 8
    pos, inp, out, d = plan.overlaps[0]
    bufs = {b.key: b for b in plan.buffers}
    assert bufs[inp].offset - bufs[out].offset >= d


def test_add_without_broadcast_runs_in_place():
    from mcusim.compiler import modelgen as mg
    r = np.random.default_rng(4)
    mb = mg.ModelBuilder()
    x = mb.tensor([1, 8, 8, 4], scale=0.05, zero_point=-3)
    ys = []
    for k in range(2):
        w = mb.tensor([4, 1, 1, 4], scale=[0.01] * 4, zero_point=[0] * 4,
                      data=r.integers(-127, 128, (4, 1, 1, 4)))
        ys.append(mb.tensor([1, 8, 8, 4], scale=0.05, zero_point=k))
        mb.op("CONV_2D", [x, w, -1], [ys[-1]], {"padding": "SAME", "stride_w": 1,
                                                "stride_h": 1})
    s = mb.tensor([1, 8, 8, 4], scale=0.07, zero_point=2)
    mb.op("ADD", [ys[0], ys[1]], [s], {})
    w = mb.tensor([2, 1, 1, 4], scale=[0.01] * 2, zero_point=[0] * 2,
                  data=r.integers(-127, 128, (2, 1, 1, 4)))
    y = mb.tensor([1, 8, 8, 2], scale=0.05, zero_point=0)
    mb.op("CONV_2D", [s, w, -1], [y], {"padding": "SAME", "stride_w": 1, "stride_h": 1})
    opt = optimize(importer.parse(mb.build([x], [y])))
    plan = planner.plan(opt.graph)
    assert plan.inplace == [2]
    assert plan.size == 2 * 8 * 8 * 4              # the two conv outputs; the sum reuses one
