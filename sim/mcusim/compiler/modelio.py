"""The model's inputs and outputs as the user sees them, and the host-side conversions.

Edge QUANTIZE (float->int8) and DEQUANTIZE (int8->float) nodes are folded out of the firmware
(optimize.py) and done here, in float32 exactly as TFLM's reference kernels do, so a float-I/O
model still matches TFLM bit for bit. The firmware exchanges all inputs (and all outputs) as one
int8 buffer each, tensors back to back at `offset`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mcusim.errors import BadInput


@dataclass
class Port:
    name: str
    tensor: int                 # int8 tensor index in the optimized graph
    shape: tuple[int, ...]
    dtype: str                  # what the user passes or gets: "int8" or "float32"
    scale: float                # int8 quantization of the firmware side
    zero_point: int
    offset: int = 0             # byte offset in the firmware's input or output buffer

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    def to_json(self) -> dict:
        return {"name": self.name, "shape": list(self.shape), "dtype": self.dtype,
                "scale": self.scale, "zero_point": self.zero_point}


def quantize(x: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """TFLM AffineQuantize: round(val / (float)scale) half away from zero, + zp, clamp."""
    v = np.asarray(x, np.float32) / np.float32(scale)          # float32 division, as in C++
    r = np.sign(v) * np.floor(np.abs(v.astype(np.float64)) + 0.5)   # TfLiteRound
    return np.clip(r + zero_point, -128, 127).astype(np.int8)


def dequantize(q: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """TFLM Dequantize: (float)((double)scale * (val - zp))."""
    return (np.float64(np.float32(scale)) * (q.astype(np.int32) - zero_point)).astype(np.float32)


def to_firmware(port: Port, x: np.ndarray, what: str = "input") -> np.ndarray:
    """A user array -> int8 for the firmware; float inputs are quantized with the port's params."""
    x = np.asarray(x)
    if x.size != port.size:
        raise BadInput(f"{what} {port.name}: expected shape {list(port.shape)} "
                       f"({port.size} values), got {list(x.shape)}")
    if x.dtype == np.int8:
        return x.reshape(-1)
    if np.issubdtype(x.dtype, np.floating):
        bad = ~np.isfinite(x)
        if bad.any():
            first = tuple(int(i) for i in np.argwhere(bad)[0])
            raise BadInput(f"{what} {port.name}: {int(bad.sum())} value(s) are NaN or infinite "
                           f"(the first at index {list(first)}); they have no int8 code")
        return quantize(x.reshape(-1), port.scale, port.zero_point)
    raise BadInput(f"{what} {port.name}: expected int8 or float values, got {x.dtype}")


def from_firmware(port: Port, raw: bytes | np.ndarray) -> np.ndarray:
    q = np.frombuffer(bytes(raw), np.int8).reshape(port.shape)
    if port.dtype == "float32":
        return dequantize(q, port.scale, port.zero_point)
    return q.copy()


def random_input(port: Port, rng: np.random.Generator) -> np.ndarray:
    """A random input in the port's own dtype. Float inputs are uniform over the real range the
    int8 codes cover, off the quantization grid, so the host-side rounding is exercised too."""
    if port.dtype == "float32":
        lo = (-128 - port.zero_point) * port.scale
        hi = (127 - port.zero_point) * port.scale
        return rng.uniform(lo, hi, size=port.shape).astype(np.float32)
    return rng.integers(-128, 128, size=port.shape, dtype=np.int64).astype(np.int8)


def constant_input(port: Port, code: int) -> np.ndarray:
    """Every element at the int8 code `code` (-128 or 127), in the port's own dtype."""
    q = np.full(port.shape, code, np.int8)
    return dequantize(q, port.scale, port.zero_point) if port.dtype == "float32" else q
