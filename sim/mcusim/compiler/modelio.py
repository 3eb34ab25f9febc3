"""The model's inputs and outputs as the user sees them, and the host-side conversions.

Edge QUANTIZE (float->int8) and DEQUANTIZE (int8->float) nodes are folded out of the firmware
(optimize.py) and done here, in float32 exactly as TFLM's reference kernels do, so a float-I/O
model still matches TFLM bit for bit. The firmware exchanges all inputs (and all outputs) as one
int8 buffer each, tensors back to back at `offset`.
"""
from __future__ import annotations

import tokenize
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

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
    # A float64 value beyond float32's range becomes +-inf and clamps to -128/127, as a large
    # one does: no numpy overflow warning (a second line on the terminal).
    with np.errstate(over="ignore"):
        v = np.asarray(x, np.float32) / np.float32(scale)      # float32 division, as in C++
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


# Everything a corrupt .npy header or .npz archive makes numpy, zipfile or the header's literal
# parser raise (tokenize errors come from numpy's repair of Python 2 headers).
_READ_ERRORS = (OSError, ValueError, EOFError, SyntaxError, TypeError, KeyError,
                UnicodeDecodeError, tokenize.TokenError, zipfile.BadZipFile, NotImplementedError,
                OverflowError, RecursionError, MemoryError, zlib.error)


def _header(fp, where: str, port: Port) -> None:
    """Read a .npy header and check it against the port before numpy allocates anything."""
    fmt = np.lib.format
    version = fmt.read_magic(fp)
    if version == (1, 0):
        shape, _, dtype = fmt.read_array_header_1_0(fp)
    elif version in ((2, 0), (3, 0)):
        # 3.0 is the 2.0 layout with a UTF-8 header (numpy has no public reader of it, and its
        # private one moved in numpy 2): read as 2.0, since every header accepted below (an
        # int8/float descr and a shape) is ASCII, where Latin-1 and UTF-8 agree.
        shape, _, dtype = fmt.read_array_header_2_0(fp)
    else:
        raise ValueError(f"unknown .npy format version {version}")
    count = 1
    for d in shape:
        count *= int(d)
    if count != port.size:
        raise BadInput(f"{where}: input {port.name}: expected shape {list(port.shape)} "
                       f"({port.size} values), got {list(shape)}")
    if dtype.hasobject:
        raise BadInput(f"{where}: object arrays need pickle, which mcusim does not load")
    if not (dtype == np.int8 or np.issubdtype(dtype, np.floating)):
        raise BadInput(f"{where}: input {port.name}: expected int8 or float values, got {dtype}")


def read_arrays(path: Path, ports: list[Port]) -> list[np.ndarray]:
    """The arrays of a .npy (one input) or .npz (one array per input, in order), each header
    checked against its port (shape, dtype) before its data is read, so a header that claims
    a huge shape is one line, not a MemoryError; any corrupt header or archive is one line."""
    where = f"--input {path}"
    with warnings.catch_warnings():     # numpy's "created on Python 2" notice: not a second line
        warnings.simplefilter("ignore")
        return _read_arrays(path, ports, where)


def _read_arrays(path: Path, ports: list[Port], where: str) -> list[np.ndarray]:
    try:
        with open(path, "rb") as f:
            magic = f.read(6)
            if magic.startswith(b"\x93NUMPY"):
                if len(ports) != 1:
                    raise BadInput(f"{where}: the model has {len(ports)} inputs, the file "
                                   f"holds 1 array (use .npz with one array per input)")
                f.seek(0)
                _header(f, where, ports[0])
                f.seek(0)
                return [np.load(f, allow_pickle=False)]
            if not magic.startswith(b"PK\x03\x04"):
                raise BadInput(f"{where}: not a readable .npy/.npz file (no NumPy header; "
                               f"save the array with numpy.save)")
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if n.endswith(".npy")]
            if len(names) != len(ports):
                raise BadInput(f"{where}: the model has {len(ports)} inputs, the file holds "
                               f"{len(names)} array(s) (use .npz with one array per input)")
            arrays = []
            for name, port in zip(names, ports):
                with z.open(name) as m:
                    _header(m, f"{where} ({name})", port)
                with z.open(name) as m:
                    arrays.append(np.lib.format.read_array(m, allow_pickle=False))
            return arrays
    except BadInput:
        raise
    except _READ_ERRORS as e:
        why = ("object arrays need pickle, which mcusim does not load"
               if "allow_pickle" in str(e) else f"{type(e).__name__}: {e}")
        raise BadInput(f"{where}: not a readable .npy/.npz file ({why})") from None
