"""Calibration and evaluation sets: .npy, .npz, a folder of .npy files, or any files (WAV, PNG,
...) through a preprocessing hook. Every sample is checked against the float model's inputs
(shape, float dtype, finite values) and refused with one line naming the file and sample.

Layouts, for a model input of shape S (batch first, usually 1):
- x.npy: an array of shape (N, *S[1:]) or S itself: N samples of a one-input model;
- x.npz: one array per model input, named after the input or in input order, each (N, ...);
  an optional `labels` array of N class indices (for `--eval`);
- a folder: its `*.npy` files in name order, each one sample or a batch (N, *S[1:]);
- with `--preprocess FILE.py:FUNCTION`, a folder or a single file of any kind: FUNCTION(path)
  returns the sample as an array (for WAV/PNG: decode and extract features there).
"""
from __future__ import annotations

import importlib.util
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mcusim.errors import BadInput

MAX_SAMPLES = 100_000


@dataclass
class Port:
    name: str
    shape: tuple[int, ...]          # with the batch dimension (1 for a static model)


@dataclass
class DataSet:
    samples: list[list[np.ndarray]]     # samples[k][i]: input i of sample k, float32, port shape
    labels: np.ndarray | None           # class index per sample, or None
    source: str


_READ_ERRORS = (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error, KeyError,
                OverflowError, MemoryError, UnicodeDecodeError, NotImplementedError)


def load(path: str | Path, ports: list[Port], what: str = "--calibration",
         preprocess: str | None = None) -> DataSet:
    p = Path(path)
    label = f"{what} {p}"
    if not p.exists():
        raise BadInput(f"{label}: no such file or directory")
    hook = _hook(preprocess) if preprocess else None
    labels = None
    if p.is_dir():
        pattern = "*" if hook else "*.npy"
        paths = sorted(q for q in p.glob(pattern) if q.is_file() and not q.name.startswith("."))
        if not paths:
            raise BadInput(f"{label}: empty folder (no {'files' if hook else '.npy files'})")
        per_input = [[] for _ in ports]
        for q in paths:
            if len(ports) != 1:
                raise BadInput(f"{label}: a folder of samples needs a one-input model; this one "
                               f"has {len(ports)} inputs: give an .npz with one array per input")
            arr = _call(hook, q, label) if hook else _npy(q, f"{what} {q}")
            per_input[0].extend(_split(arr, ports[0], f"{what} {q}"))
    elif hook:
        per_input = [_split(_call(hook, p, label), ports[0], label)] if len(ports) == 1 else None
        if per_input is None:
            raise BadInput(f"{label}: --preprocess needs a one-input model")
    elif p.suffix.lower() == ".npz":
        per_input, labels = _npz(p, ports, label)
    elif p.suffix.lower() == ".npy":
        if len(ports) != 1:
            raise BadInput(f"{label}: the model has {len(ports)} inputs: give an .npz with one "
                           f"array per input")
        per_input = [_split(_npy(p, label), ports[0], label)]
    else:
        raise BadInput(f"{label}: expected a .npy or .npz file or a folder of .npy files "
                       f"(other files, e.g. WAV or PNG, need --preprocess FILE.py:FUNCTION)")
    counts = {len(x) for x in per_input}
    if len(counts) != 1:
        raise BadInput(f"{label}: the inputs have different sample counts {sorted(counts)}")
    n = counts.pop()
    if n == 0:
        raise BadInput(f"{label}: empty calibration set (0 samples)")
    if n > MAX_SAMPLES:
        raise BadInput(f"{label}: {n:,} samples; at most {MAX_SAMPLES:,} are used, give fewer")
    if labels is not None and len(labels) != n:
        raise BadInput(f"{label}: {len(labels)} labels for {n} samples")
    samples = [[per_input[i][k] for i in range(len(ports))] for k in range(n)]
    return DataSet(samples, labels, str(p))


def _npy(path: Path, label: str) -> np.ndarray:
    try:
        with open(path, "rb") as fp:
            version = np.lib.format.read_magic(fp)
            if version not in ((1, 0), (2, 0), (3, 0)):
                raise ValueError(f"unknown .npy format version {version}")
        arr = np.load(path, mmap_mode="r", allow_pickle=False)
    except BadInput:
        raise
    except _READ_ERRORS as e:
        raise BadInput(f"{label}: not a readable .npy file ({type(e).__name__}: "
                       f"{str(e).splitlines()[0] if str(e) else ''})") from None
    return arr


def _npz(path: Path, ports: list[Port], label: str):
    try:
        z = np.load(path, allow_pickle=False)
        if not isinstance(z, np.lib.npyio.NpzFile):
            raise ValueError("not an .npz archive")
        with z:
            names = list(z.files)
            lab = z["labels"] if "labels" in names else None
            data_names = [n for n in names if n != "labels"]
            arrays = []
            for i, port in enumerate(ports):
                key = port.name if port.name in data_names else (
                    data_names[i] if i < len(data_names) else None)
                if key is None:
                    raise BadInput(f"{label}: no array for model input {i} ({port.name}); the "
                                   f"archive holds {data_names}")
                arrays.append(z[key])
    except BadInput:
        raise
    except _READ_ERRORS as e:
        raise BadInput(f"{label}: not a readable .npz archive ({type(e).__name__}: "
                       f"{str(e).splitlines()[0] if str(e) else ''})") from None
    if len(data_names) > len(ports):
        extra = [n for n in data_names if n not in [p.name for p in ports]][:3]
        if extra:
            raise BadInput(f"{label}: {len(data_names)} arrays for a model with {len(ports)} "
                           f"input(s) (unexpected: {', '.join(extra)})")
    per_input = [_split(a, port, f"{label} [{port.name}]") for a, port in zip(arrays, ports)]
    labels = None
    if lab is not None:
        if lab.dtype.kind not in "iu" or lab.ndim != 1:
            raise BadInput(f"{label}: labels must be a 1-D array of class indices, got "
                           f"{lab.dtype} {list(lab.shape)}")
        labels = np.asarray(lab, dtype=np.int64)
    return per_input, labels


def _split(arr, port: Port, label: str) -> list[np.ndarray]:
    """Samples of one input: the array is one sample (its shape is the port's) or a batch
    (N, *shape[1:]); float values only, all finite."""
    arr = np.asarray(arr) if not isinstance(arr, np.ndarray) else arr
    if arr.dtype.hasobject or arr.dtype.kind not in "f":
        kind = "object" if arr.dtype.hasobject else str(arr.dtype)
        raise BadInput(f"{label}: dtype {kind}, expected float values (the float model's "
                       f"input {port.name} is float32)")
    shape = tuple(port.shape)
    tail = shape[1:] if shape and shape[0] == 1 else shape
    if tuple(arr.shape) == shape:
        batch = arr.reshape((1,) + tail) if shape and shape[0] == 1 else arr[None]
    elif tuple(arr.shape[1:]) == tail and arr.ndim == len(tail) + 1:
        batch = arr
    else:
        raise BadInput(f"{label}: shape {list(arr.shape)} does not fit input {port.name} of "
                       f"shape {list(shape)} (expected {list(shape)} or [N, "
                       f"{', '.join(map(str, tail))}])")
    out = []
    for k in range(batch.shape[0]):
        with np.errstate(over="ignore", invalid="ignore"):
            x = np.asarray(batch[k], dtype=np.float32).reshape(shape)
        bad = ~np.isfinite(x)
        if bad.any():
            v = np.asarray(batch[k]).reshape(-1)[int(np.argmax(bad.reshape(-1)))]
            raise BadInput(f"{label}: sample {k} holds {v} (NaN or Inf, or beyond float32); "
                           f"calibration data must be finite")
        out.append(np.ascontiguousarray(x))
    return out


def _hook(spec: str):
    """--preprocess FILE.py:FUNCTION (or module:function): FUNCTION(path) -> array."""
    mod_name, sep, fn_name = spec.rpartition(":")
    if not sep or not mod_name or not fn_name:
        raise BadInput(f"--preprocess: expected FILE.py:FUNCTION, got {spec!r}")
    try:
        if mod_name.endswith(".py"):
            if not Path(mod_name).is_file():
                raise BadInput(f"--preprocess: {mod_name}: no such file")
            s = importlib.util.spec_from_file_location("mcusim_preprocess", mod_name)
            mod = importlib.util.module_from_spec(s)
            s.loader.exec_module(mod)
        else:
            mod = importlib.import_module(mod_name)
    except BadInput:
        raise
    except Exception as e:  # noqa: BLE001 - the user's code: report it in one line
        raise BadInput(f"--preprocess: cannot load {mod_name}: {type(e).__name__}: {e}") \
            from None
    fn = getattr(mod, fn_name, None)
    if not callable(fn):
        raise BadInput(f"--preprocess: {mod_name} has no function {fn_name!r}")
    return fn


def _call(hook, path: Path, label: str) -> np.ndarray:
    try:
        return np.asarray(hook(str(path)))
    except Exception as e:  # noqa: BLE001 - the user's code: report it in one line
        raise BadInput(f"{label}: --preprocess failed on {path.name}: {type(e).__name__}: {e}") \
            from None
