"""Full-integer post-training quantization with Google's ai-edge-quantizer (the `quantize`
extra): it calibrates the float model through LiteRT and writes a standard TFLite flatbuffer.

The recipe: int8 activations (asymmetric, per tensor; `int16=True`: symmetric int16, the
a16w8 scheme, which TFLM runs but mcusim's kernels do not) and symmetric int8 weights, per
output channel (`per_channel=False`: per tensor); biases int32. Model inputs and outputs
are int8 unless `float_io`, which keeps float32 edges (QUANTIZE/DEQUANTIZE ops the compiler
moves to the host).
"""
from __future__ import annotations

import numpy as np

from mcusim.errors import BadInput
from mcusim.quantize.extras import need, quiet

SIGNATURE = "serving_default"


def recipe(per_channel: bool = True, int16: bool = False, float_io: bool = False):
    rm_mod = need("ai_edge_quantizer.recipe_manager", "quantize", "quantization")
    q = need("ai_edge_quantizer.qtyping", "quantize", "quantization")
    rm = rm_mod.RecipeManager()
    op = q.TFLOperationName
    tensorwise, channelwise = q.QuantGranularity.TENSORWISE, q.QuantGranularity.CHANNELWISE
    bits = 16 if int16 else 8
    rm.add_static_config(".*", op.ALL_SUPPORTED, bits, 8,
                         channelwise if per_channel else tensorwise)
    if float_io:
        for edge in (op.INPUT, op.OUTPUT):
            rm.add_quantization_config(".*", edge, algorithm_key="no_quantize")
    return rm.get_quantization_recipe()


def quantize(float_data: bytes, samples: list[list[np.ndarray]], input_names: list[str],
             name: str, per_channel: bool = True, int16: bool = False,
             float_io: bool = False) -> bytes:
    qz = need("ai_edge_quantizer.quantizer", "quantize", "quantization")
    dataset = [{n: x for n, x in zip(input_names, sample)} for sample in samples]
    try:
        with quiet():
            qt = qz.Quantizer(bytearray(float_data), recipe(per_channel, int16, float_io))
            calibration = qt.calibrate({SIGNATURE: dataset}, num_threads=1)
            result = qt.quantize(calibration, enable_progress_report=False)
    except BadInput:
        raise
    except Exception as e:  # noqa: BLE001 - the quantizer's own refusals, in one line
        msg = str(e).strip().splitlines()[0] if str(e).strip() else ""
        raise BadInput(f"{name}: ai-edge-quantizer refused the model: {type(e).__name__}: "
                       f"{msg}") from None
    return classic_layout(bytes(result.quantized_model))


def classic_layout(data: bytes) -> bytes:
    """The quantizer appends large buffers after the flatbuffer (Buffer.offset/size) and
    writes operator codes only in `builtin_code`. TFLM's Python interpreter reads such
    appended weights differently from LiteRT (ad01: first FULLY_CONNECTED differs by up to
    18), and the `tflite` schema package reads a code below 127 from the deprecated field:
    write the classic layout every reader agrees on, weights inline and both code fields."""
    fu = need("ai_edge_litert.tools.flatbuffer_utils", "quantize", "quantization")
    model = fu.convert_bytearray_to_object(bytearray(data))
    for b in model.buffers:
        if b.offset and b.offset > 1:
            b.data = np.frombuffer(data[b.offset:b.offset + b.size], dtype=np.uint8)
            b.offset, b.size = 0, 0
    for oc in model.operatorCodes:
        oc.deprecatedBuiltinCode = min(int(oc.builtinCode), 127)
    return bytes(fu.convert_object_to_bytearray(model))
