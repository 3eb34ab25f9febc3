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


@pytest.mark.parametrize("rel", SUPPORTED)
def test_plan_is_valid_and_not_larger_than_tflm(rel):
    path = shared_model(rel)
    data = path.read_bytes()
    opt = frontend(data, path.name) if _scratch_ok() else optimize(importer.parse(data))
    plan = planner.plan(opt.graph, _scratch(opt))
    live = [b for b in plan.buffers if b.size]
    for i, a in enumerate(live):            # no two buffers alive together share a byte
        assert a.offset % planner.ALIGN == 0 and a.offset + a.size <= plan.size
        for b in live[i + 1:]:
            if a.first <= b.last and b.first <= a.last:
                assert a.offset + a.size <= b.offset or b.offset + b.size <= a.offset, (a, b)
    # no plan can be smaller than the most bytes alive during one layer; greedy meets it
    bound = max((sum(b.size for b in live if b.first <= i <= b.last)
                 for i in range(len(opt.graph.nodes))), default=0)
    assert bound <= plan.size <= bound + planner.ALIGN
    io = sum(p.size for p in opt.inputs + opt.outputs)
    tf = tflm.known_arena(data)
    print(f"{rel}: planned {plan.size} B + I/O {io} B vs TFLM {tf} B")
    assert plan.size + io <= tf


def _scratch_ok() -> bool:
    from mcusim.compiler.checks import op_module
    return op_module("CONV_2D") is not None
