"""Build-time quantization arithmetic, exactly as TFLM computes it in Prepare.

Everything here runs on the host, in Python floats (IEEE double, like TFLM's `double`) and numpy
float32 where TFLM uses `float`, so the integers handed to the C kernels are the ones TFLM would
compute. Conventions: a multiplier/shift pair means real ~= multiplier * 2**(shift - 31), shift > 0
shifts left (TFLite's QuantizeMultiplier).
"""
from __future__ import annotations

import math

import numpy as np

INT8_MIN, INT8_MAX = -128, 127


class OutOfRange(ValueError):
    """A value computed from the model's scales that TFLM's Prepare refuses (its TFLITE_CHECKs,
    e.g. a multiplier that must be below one): checks.py names the node."""


def unsupported(msg: str) -> Exception:
    """The error a module's check() raises: UnsupportedModel when the compiler has it."""
    try:
        from mcusim.compiler.errors import UnsupportedModel
        return UnsupportedModel(msg)
    except ImportError:  # pragma: no cover - the compiler package always has it
        from mcusim.errors import BadInput
        return BadInput(msg)


def tflite_round(x: float) -> float:
    """std::round: half away from zero (exact for doubles, unlike floor(x + 0.5))."""
    a = abs(x)
    f = math.floor(a)
    r = f + 1.0 if a - f >= 0.5 else f
    return math.copysign(r, x)


def quantize_multiplier(real: float) -> tuple[int, int]:
    """TFLite QuantizeMultiplier: frexp, round the Q31 significand, fix the 2**31 carry,
    flush tiny values to 0 and saturate shifts above 30."""
    real = float(real)
    if real == 0.0:
        return 0, 0
    q, shift = math.frexp(real)
    q_fixed = int(tflite_round(q * (1 << 31)))
    if q_fixed > (1 << 31):
        raise OutOfRange(f"multiplier {real!r} does not quantize")
    if q_fixed == (1 << 31):
        q_fixed //= 2
        shift += 1
    if shift < -31:
        shift, q_fixed = 0, 0
    if shift > 30:
        shift, q_fixed = 30, (1 << 31) - 1
    return q_fixed, shift


def quantize_multiplier_smaller_than_one_exp(real: float) -> tuple[int, int]:
    if not 0.0 < real < 1.0:
        raise OutOfRange(f"multiplier {real!r} is not in (0, 1)")
    m, s = quantize_multiplier(real)
    if s > 0:
        raise OutOfRange(f"multiplier {real!r} gives a left shift")
    return m, s


def quantize_multiplier_greater_than_one(real: float) -> tuple[int, int]:
    if not real > 1.0:
        raise OutOfRange(f"multiplier {real!r} is not greater than 1")
    m, s = quantize_multiplier(real)
    if s < 0:
        raise OutOfRange(f"multiplier {real!r} gives a right shift")
    return m, s


def frexp_multiplier(real: float) -> tuple[int, int]:
    """Logistic/Tanh Prepare: frexp without the 2**31 carry fix (TFLM does exactly this)."""
    q, shift = math.frexp(float(real))
    return int(tflite_round(q * (1 << 31))), shift


def calculate_input_radius(input_integer_bits: int, input_left_shift: int,
                           total_signed_bits: int = 31) -> int:
    if input_left_shift < 0:
        raise OutOfRange(f"input left shift {input_left_shift} is negative (input scale too small)")
    max_input_rescaled = (1.0 * ((1 << input_integer_bits) - 1)
                          * (1 << (total_signed_bits - input_integer_bits))
                          / (1 << input_left_shift))
    return int(math.floor(max_input_rescaled))


def f32(x) -> np.float32:
    return np.float32(x)


def scale_of(t) -> float:
    """Per-tensor scale as float32 (TfLiteQuantizationParams.scale), returned as a Python float."""
    return float(np.float32(t.scale[0]))


def zp_of(t) -> int:
    return int(t.zero_point[0]) if t.zero_point is not None and len(t.zero_point) else 0


def activation_range(fused: str | None, out) -> tuple[int, int]:
    """CalculateActivationRangeQuantized for an int8 output: quantize(f) = zp + round(f / scale)
    with the division in float32."""
    scale = np.float32(out.scale[0])
    zp = zp_of(out)

    def q(f: float) -> int:
        return zp + int(tflite_round(float(np.float32(f) / scale)))

    act = (fused or "NONE").upper()
    if act in ("NONE", ""):
        return INT8_MIN, INT8_MAX
    if act == "RELU":
        return max(INT8_MIN, q(0.0)), INT8_MAX
    if act == "RELU6":
        return max(INT8_MIN, q(0.0)), min(INT8_MAX, q(6.0))
    if act == "RELU_N1_TO_1":
        return max(INT8_MIN, q(-1.0)), min(INT8_MAX, q(1.0))
    raise ValueError(f"fused activation {fused}")


def per_channel_multipliers(input_t, filter_t, output_t, channels: int) -> tuple[list[int], list[int]]:
    """PopulateConvolutionQuantizationParams: one multiplier per output channel, per-tensor
    filter scales broadcast; double(input_scale) * double(filter_scale) / double(output_scale)."""
    in_s = float(np.float32(input_t.scale[0]))
    out_s = float(np.float32(output_t.scale[0]))
    fs = np.asarray(filter_t.scale, dtype=np.float32)
    mults, shifts = [], []
    for c in range(channels):
        f = float(fs[c] if len(fs) > 1 else fs[0])
        m, s = quantize_multiplier(in_s * f / out_s)
        mults.append(m)
        shifts.append(s)
    return mults, shifts


def compute_padding(padding: str, in_size: int, filter_size: int, stride: int,
                    dilation: int = 1) -> tuple[int, int]:
    """ComputePaddingHeightWidth for one axis: (output size, leading padding)."""
    eff = (filter_size - 1) * dilation + 1
    if padding.upper() == "SAME":
        out = (in_size + stride - 1) // stride
    else:
        out = (in_size + stride - eff) // stride
    total = (out - 1) * stride + eff - in_size
    total = total if total > 0 else 0
    return out, total // 2


def is_int8(t) -> bool:
    return t.dtype == "int8"


def require_int8(op: str, node, g, tensors, what=("input", "output")) -> None:
    for role, t in zip(what, tensors):
        if t < 0:
            continue
        ten = g.t(t)
        if ten.dtype != "int8":
            raise unsupported(f"{op}: node {node.index}: {role} tensor {t} is {ten.dtype}; "
                              f"only int8 is supported")
        if ten.scale is None or len(ten.scale) == 0:
            raise unsupported(f"{op}: node {node.index}: {role} tensor {t} (int8) has no "
                              f"quantization parameters")


def c_dims(d) -> str:
    """A compound literal for mcusim_dims {n, h, w, c}."""
    return "&(const mcusim_dims){%d, %d, %d, %d}" % tuple(int(x) for x in d)


def dims4(shape) -> tuple[int, int, int, int]:
    s = [int(x) for x in shape]
    if len(s) > 4:
        raise ValueError(f"shape {s} has more than 4 dims")
    s = [1] * (4 - len(s)) + s
    return tuple(s)
