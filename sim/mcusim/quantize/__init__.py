"""Post-training quantization: a float model (.tflite, ONNX, Keras) and a calibration set in,
a full-integer TFLite model out, which mcusim's compiler and TFLM take unchanged.

    sources      float model file -> float .tflite bytes (ONNX, Keras through optional extras)
    floatmodel   checks (ops, NaN/Inf weights, already int8) + graphopt + signature
    calibration  .npy/.npz/folder/--preprocess -> checked float samples
    engine       ai-edge-quantizer (extra `quantize`) -> int8 flatbuffer, classic layout
    accuracy     float (LiteRT) vs quantized (TFLM): output/per-layer SNR, top-1, size, arena
`quantize_model` runs them in order; `cached_model` is the content-hashed cache `mcusim run
float.tflite --calibration DATA` uses. Details: docs/quantize.md.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from mcusim.errors import BadInput


@dataclass
class QuantizeOptions:
    per_channel: bool = True
    int16: bool = False              # int16 activations (TFLM runs them; mcusim's kernels do not)
    float_io: bool = False           # keep float32 model inputs/outputs
    preprocess: str | None = None    # FILE.py:FUNCTION for non-.npy calibration files
    optimize: bool = True            # graph optimizations before quantization

    def key(self) -> str:
        return repr((self.per_channel, self.int16, self.float_io, self.preprocess,
                     self.optimize))


@dataclass
class Quantized:
    data: bytes                      # the quantized flatbuffer
    float_data: bytes                # the float model as read (the accuracy reference)
    name: str
    ports: list
    calibration: object              # calibration.DataSet
    log: list[str] = field(default_factory=list)
    accuracy: dict | None = None     # accuracy.evaluate's report, when asked for


def quantize_model(model: str | Path, calibration: str | Path,
                   options: QuantizeOptions | None = None, report: bool = False,
                   eval_data: str | Path | None = None) -> Quantized:
    """Quantize `model` on `calibration`; with `report`, also the accuracy report on
    `eval_data` (default: the calibration set). The LiteRT/TFLM work runs in a child process
    (isolate.py)."""
    from mcusim.quantize import calibration as cal
    from mcusim.quantize import floatmodel, isolate, sources
    from mcusim.quantize.extras import need
    opts = options or QuantizeOptions()
    data, name = sources.float_tflite(model)
    floatmodel.inspect(data, name)      # bad models are refused before any extra is needed
    if not Path(calibration).exists():
        raise BadInput(f"--calibration {calibration}: no such file or directory")
    need("ai_edge_quantizer", "quantize", "quantization")
    fm = floatmodel.prepare(data, name, optimize=opts.optimize)
    ds = cal.load(calibration, fm.ports, preprocess=opts.preprocess)
    ev = None
    if report:
        ev = ds if eval_data is None else cal.load(eval_data, fm.ports, what="--eval",
                                                  preprocess=opts.preprocess)
    q, acc = isolate.call("mcusim.quantize:_quantize_and_evaluate", fm.data, data, ds.samples,
                          [p.name for p in fm.ports], name, opts,
                          ev.samples if ev else None, ev.labels if ev else None, name=name)
    return Quantized(q, data, name, fm.ports, ds, fm.log, acc)


def _quantize_and_evaluate(prepared: bytes, original: bytes, samples, names, name: str,
                           opts: QuantizeOptions, eval_samples=None, labels=None):
    """The child process's half (isolate.py): calibrate and quantize, then the report."""
    from mcusim.quantize import accuracy, engine
    q = engine.quantize(prepared, samples, names, name, per_channel=opts.per_channel,
                        int16=opts.int16, float_io=opts.float_io)
    acc = accuracy.evaluate(original, q, eval_samples, labels, name=name) \
        if eval_samples is not None else None
    return q, acc


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: `path` holds a whole model or
    is left as it was."""
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=parent)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError as e:
        try:
            os.unlink(tmp)
        except (OSError, UnboundLocalError):
            pass
        raise BadInput(f"-o {path}: {e.strerror or e}") from None


def _calibration_digest(path: Path, h) -> None:
    if path.is_dir():
        for p in sorted(path.rglob("*")):
            if p.is_file():
                h.update(str(p.relative_to(path)).encode())
                h.update(p.read_bytes())
    else:
        h.update(path.read_bytes())


def cache_key(model: Path, calibration: Path, options: QuantizeOptions) -> str:
    """Content hash of everything the result depends on: the model, the calibration data,
    the options, the quantizer's version and this package's sources."""
    from importlib.metadata import PackageNotFoundError, version
    h = hashlib.sha256()
    h.update(model.read_bytes() if model.is_file() else b"")
    if model.is_dir():
        _calibration_digest(model, h)
    _calibration_digest(calibration, h)
    h.update(options.key().encode())
    for pkg in ("ai-edge-quantizer", "ai-edge-litert"):
        try:
            h.update(f"{pkg}={version(pkg)}".encode())
        except PackageNotFoundError:
            pass
    for p in sorted(Path(__file__).resolve().parent.glob("*.py")):
        h.update(p.read_bytes())
    return h.hexdigest()[:24]


def cached_model(model: str | Path, calibration: str | Path,
                 options: QuantizeOptions | None = None) -> tuple[Path, bool]:
    """The quantized model in the cache ($MCUSIM_CACHE/quantized), made on a miss; returns
    its path and whether it was already there."""
    from mcusim.paths import cache_dir
    opts = options or QuantizeOptions()
    model, calibration = Path(model), Path(calibration)
    if not model.exists():
        raise BadInput(f"{model}: no such file")
    if not calibration.exists():
        raise BadInput(f"--calibration {calibration}: no such file or directory")
    try:
        key = cache_key(model, calibration, opts)
    except OSError as e:
        raise BadInput(f"{e.filename}: {e.strerror or e}") from None
    folder = cache_dir() / "quantized"
    out = folder / f"{model.stem}-int8-{key}.tflite"
    if out.is_file():
        return out, True
    q = quantize_model(model, calibration, opts)
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(out, q.data)
    return out, False
