"""TFLM (the `tflite-micro` package) as the oracle: outputs, intermediates, arena figures.

TFLM_ARENA holds the minimum arena TFLM's Python interpreter needed for the shared real models
(../shared/models/README.md), keyed by the model's SHA-256 prefix, so renamed copies still match.
"""
from __future__ import annotations

import hashlib

import numpy as np

from mcusim.errors import McusimError

TFLM_ARENA = {
    "e27f84423ba1d274": 12856,    # arm_kws/cnn_s_quantized.tflite
    "b34dea022996706a": 3344,     # arm_kws/dnn_s_quantized.tflite
    "b339d93da43a2305": 24600,    # arm_kws/ds_cnn_s_quantized.tflite
    "87cf24194ef93d1d": 4632,     # mlperf_tiny/ad01_int8.tflite
    "aeea436800704fce": 24272,    # mlperf_tiny/kws_ref_model.tflite
    "3af8550895ba7d5c": 16640,    # mlperf_tiny/str_ww_ref_model.tflite
    "505ee4fae7fa46ab": 1936,     # tflite_micro/hello_world_int8.tflite
    "09e5e2a9dfb2d8ed": 7584,     # tflite_micro/micro_speech_quantized.tflite
    "808cfdfc0cf3a6fa": 85264,    # tflite_micro/person_detect.tflite
    "ae54358831f8a6ce": 50168,    # tflite_micro/simple_add_model.tflite
}


def model_key(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def known_arena(data: bytes) -> int | None:
    return TFLM_ARENA.get(model_key(data))


def _runtime():
    try:
        from tflite_micro.python.tflite_micro import runtime
    except ImportError as e:
        raise McusimError(f"the tflite-micro package is needed as the oracle: {e}") from None
    return runtime


def interpreter(data: bytes, arena: int | None = None, preserve: bool = False):
    rt = _runtime()
    size = arena or max(4 * (known_arena(data) or 0), 10 * len(data), 1 << 20)
    config = (rt.InterpreterConfig.kPreserveAllTensors if preserve
              else rt.InterpreterConfig.kAllocationRecording)
    try:
        return rt.Interpreter.from_bytes(data, arena_size=size, intrepreter_config=config)
    except (RuntimeError, ValueError) as e:
        raise McusimError(f"TFLM refused the model: {str(e).strip().splitlines()[0]}") from None


def invoke(interp, inputs: list[np.ndarray], n_outputs: int) -> list[np.ndarray]:
    for i, x in enumerate(inputs):
        interp.set_input(x, i)
    interp.invoke()
    return [np.array(interp.get_output(i)) for i in range(n_outputs)]


def tensor(interp, index: int) -> np.ndarray:
    t = interp.GetTensor(index, 0)
    return np.array(t["tensor_data"] if isinstance(t, dict) else t)


class _quiet_stderr:
    """TFLM's C++ prints every failed allocation to fd 2; the bisection expects many."""

    def __enter__(self):
        import os
        import sys
        sys.stderr.flush()
        self.saved = os.dup(2)
        self.null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(self.null, 2)

    def __exit__(self, *exc):
        import os
        os.dup2(self.saved, 2)
        os.close(self.saved)
        os.close(self.null)


def measure_arena(data: bytes, hi: int = 1 << 22) -> int | None:
    """Smallest arena (to 16 B) with which TFLM allocates the model (tensors, scratch and its
    bookkeeping are all allocated up front), or None when TFLM cannot load it at all."""
    rt = _runtime()

    def ok(n: int) -> bool:
        try:
            rt.Interpreter.from_bytes(data, arena_size=n)
            return True
        except Exception:       # noqa: BLE001 - any failure means "too small"
            return False

    with _quiet_stderr():
        if not ok(hi):
            return None
        lo = 16
        while hi - lo > 16:
            mid = (lo + hi) // 2 // 16 * 16
            lo, hi = (lo, mid) if ok(mid) else (mid, hi)
    return hi


def arena_figure(data: bytes) -> int | None:
    """TFLM's minimum arena: the shared README's figure when known, else measured."""
    known = known_arena(data)
    if known:
        return known
    try:
        return measure_arena(data)
    except McusimError:
        return None
