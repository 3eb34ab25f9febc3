"""Import and checks: every shared model imports; bad models are one clear line, never a crash."""
from __future__ import annotations

import random

import pytest

from compiler_support import (REFUSED, SHARED, SUPPORTED, find_tensor, shared_model,
                              with_op_input, with_shape_dim)
from mcusim.compiler import checks, importer
from mcusim.compiler.build import frontend
from mcusim.compiler.errors import BadModel, UnsupportedModel
from mcusim.errors import BadInput, McusimError


@pytest.mark.parametrize("rel", SUPPORTED)
def test_supported_models_import(rel):
    g = importer.load(shared_model(rel))
    checks.check_graph(g)
    assert g.nodes and g.inputs and g.outputs


def test_person_detect_quantized_dimension_3_accepted():
    g = importer.load(shared_model("tflite_micro/person_detect.tflite"))
    odd = [t for t in g.tensors if len(t.shape) == 1 and t.per_channel]
    assert odd and all(t.quantized_dimension == 0 for t in odd)


@pytest.mark.parametrize("rel,message", sorted(REFUSED.items()))
def test_float_and_hybrid_models_refused(rel, message):
    g = importer.load(shared_model(rel))
    with pytest.raises(UnsupportedModel) as e:
        checks.check_graph(g)
    assert message in str(e.value) and "float32" in str(e.value)
    assert "\n" not in str(e.value)


def _data(rel="tflite_micro/hello_world_int8.tflite") -> bytes:
    return shared_model(rel).read_bytes()


def _refused(data: bytes, *words: str) -> str:
    with pytest.raises(BadInput) as e:
        importer.parse(data, "m.tflite")
    msg = str(e.value)
    assert "\n" not in msg and all(w in msg for w in words), msg
    return msg


def test_not_a_flatbuffer():
    _refused(b"hello, this is plainly not a model at all", "file identifier")
    _refused(b"abc", "not a TFLite flatbuffer")


def test_wrong_file_identifier():
    d = bytearray(_data())
    d[4:8] = b"XXXX"
    _refused(bytes(d), "file identifier", "TFL3")


def test_truncated():
    d = _data()
    for n in (12, len(d) // 3, len(d) // 2):
        msg = _refused(d[:n], "m.tflite")
        assert "truncated" in msg or "corrupt" in msg or "out of range" in msg


def test_tensor_index_out_of_range():
    _refused(with_op_input(_data(), 1, 9999), "node 1", "input tensor index 9999 out of range")


def test_buffer_shorter_than_tensor():
    d = _data()
    w = find_tensor(d, lambda t, m: t.Buffer() and m.Buffers(t.Buffer()).DataLength() > 16
                    and t.ShapeLength() == 2)
    _refused(with_shape_dim(d, w, 0, 1000), f"tensor {w}", "needs")


def test_quantization_that_does_not_fit():
    d = _data("mlperf_tiny/kws_ref_model.tflite")
    w = find_tensor(d, lambda t, m: t.Quantization() and t.Quantization().ScaleLength() > 1
                    and t.ShapeLength() == 4)
    g = importer.parse(d, "m.tflite")
    dim = g.t(w).quantized_dimension
    half = g.t(w).shape[dim] // 2            # smaller: the buffer still suffices
    _refused(with_shape_dim(d, w, dim, half), f"tensor {w}", "per-channel scales")


def test_custom_op_refused():
    g = importer.load(shared_model("tflite_micro/hello_world_int8.tflite"))
    g.nodes[1].op = "CUSTOM:TFLite_Detection_PostProcess"
    with pytest.raises(UnsupportedModel, match="node 1: custom operator 'TFLite_Detection"):
        checks.check_graph(g)


def test_unsupported_op_named_with_node_and_types():
    g = importer.load(shared_model("tflite_micro/hello_world_int8.tflite"))
    g.nodes[0].op = "LSTM"
    with pytest.raises(UnsupportedModel, match=r"node 0: operator LSTM \(inputs int8"):
        checks.check_nodes(g)


@pytest.mark.parametrize("rel", ["tflite_micro/hello_world_int8.tflite",
                                 "mlperf_tiny/kws_ref_model.tflite"])
def test_fuzzed_models_never_crash(rel):
    """Truncations and random byte flips: a clean model or a McusimError, nothing else."""
    data = _data(rel)
    rng = random.Random(1234)
    for i in range(400):
        d = bytearray(data)
        if i % 2:
            d = d[:rng.randrange(len(d))]
        else:
            for _ in range(rng.randrange(1, 24)):
                d[rng.randrange(len(d))] = rng.randrange(256)
        try:
            frontend(bytes(d), "fuzz.tflite")
        except McusimError as e:
            assert "\n" not in str(e)


def test_cli_bad_model_is_one_line(tmp_path, capsys):
    from mcusim.cli import main
    bad = tmp_path / "cut.tflite"
    bad.write_bytes(_data("mlperf_tiny/kws_ref_model.tflite")[:3000])
    for cmd in ("build", "run", "verify"):
        assert main([cmd, str(bad), "--board", "stm32f4"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "cut.tflite: truncated or corrupt" in err, err


def _one_op_model(op, in_dtype="int8", out_dtype="int8"):
    from mcusim.compiler.modelgen import ModelBuilder
    mb = ModelBuilder()
    x = mb.tensor([1, 8], in_dtype, scale=0.1, zero_point=0)
    y = mb.tensor([1, 8], out_dtype, scale=0.1, zero_point=0)
    mb.op(op, [x], [y])
    return mb.build([x], [y])


def test_lstm_model_refused_by_name():
    with pytest.raises(UnsupportedModel, match=r"node 0: operator "
                                               r"UNIDIRECTIONAL_SEQUENCE_LSTM \(inputs int8\)"):
        frontend(_one_op_model("UNIDIRECTIONAL_SEQUENCE_LSTM"), "lstm.tflite")


def test_int16_activations_refused_with_type():
    with pytest.raises(UnsupportedModel) as e:
        frontend(_one_op_model("RELU", "int16", "int16"), "i16.tflite")
    msg = str(e.value)
    assert "int16" in msg and ("node 0" in msg or "RELU" in msg), msg


def test_opcode_only_in_the_new_field(monkeypatch):
    """A model whose OperatorCode fills only builtin_code (deprecated_builtin_code absent, as
    ai-edge-quantizer writes) is read as what it says, not as ADD (0): TFLite's GetBuiltinCode
    takes the max of the two fields; the `tflite` package's accessor does not."""
    import numpy as np
    import tflite as tfl
    from mcusim.compiler import modelgen
    monkeypatch.setattr(tfl, "OperatorCodeAddDeprecatedBuiltinCode", lambda b, code: None)
    data, _ = modelgen.fully_connected(np.random.default_rng(0), [1, 8], 4)
    g = importer.parse(bytes(data))
    assert [n.op for n in g.nodes] == ["FULLY_CONNECTED"]
