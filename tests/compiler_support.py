"""Shared helpers of the compiler tests: where the real models are, and byte-level model surgery."""
from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest
import tflite

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MCUSIM_SHARED_MODELS") or REPO.parent / "shared" / "models")

# Every int8 model in the shared folder that mcusim must run bit-exactly (README's table).
SUPPORTED = [
    "mlperf_tiny/kws_ref_model.tflite",
    "mlperf_tiny/ad01_int8.tflite",
    "mlperf_tiny/str_ww_ref_model.tflite",
    "tflite_micro/hello_world_int8.tflite",
    "tflite_micro/micro_speech_quantized.tflite",
    "tflite_micro/person_detect.tflite",
    "tflite_micro/simple_add_model.tflite",
    "arm_kws/ds_cnn_s_quantized.tflite",
    "arm_kws/cnn_s_quantized.tflite",
    "arm_kws/dnn_s_quantized.tflite",
]
REFUSED = {
    "mlperf_tiny/kws_ref_model_float32.tflite": "hybrid model: node 0 (CONV_2D)",
    "mlperf_tiny/ad01_fp32.tflite": "float model: node 0 (FULLY_CONNECTED)",
}


def shared_model(rel: str) -> Path:
    p = SHARED / rel
    if not p.is_file():
        pytest.skip(f"shared models not found ({SHARED}); set MCUSIM_SHARED_MODELS")
    return p


def _patch_i32(data: bytearray, pos: int, value: int) -> None:
    struct.pack_into("<i", data, pos, value)


def vector_pos(table, field_offset: int) -> int:
    """Byte position of element 0 of a vector field of a flatbuffer table."""
    o = table._tab.Offset(field_offset)
    assert o, "field absent"
    return table._tab.Vector(o)


def with_op_input(data: bytes, op_index: int, value: int) -> bytes:
    """The model with input 0 of operator `op_index` replaced by tensor index `value`."""
    m = tflite.Model.GetRootAs(data, 0)
    op = m.Subgraphs(0).Operators(op_index)
    d = bytearray(data)
    _patch_i32(d, vector_pos(op, 6), value)          # Operator.inputs is field 1 -> vtable 6
    return bytes(d)


def with_shape_dim(data: bytes, tensor_index: int, dim: int, value: int) -> bytes:
    m = tflite.Model.GetRootAs(data, 0)
    t = m.Subgraphs(0).Tensors(tensor_index)
    d = bytearray(data)
    _patch_i32(d, vector_pos(t, 4) + 4 * dim, value)  # Tensor.shape is field 0 -> vtable 4
    return bytes(d)


def find_tensor(data: bytes, pred) -> int:
    m = tflite.Model.GetRootAs(data, 0)
    sg = m.Subgraphs(0)
    for i in range(sg.TensorsLength()):
        if pred(sg.Tensors(i), m):
            return i
    raise AssertionError("no such tensor")
