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


def _fits(data: bytes, n: int) -> bool:
    try:
        _runtime().Interpreter.from_bytes(data, arena_size=n)
        return True
    except Exception:       # noqa: BLE001 - any failure means "too small"
        return False


def _bisect_child(path: str, lo: int, hi: int) -> None:
    """Child process: print each probe before trying it, then its verdict."""
    import sys
    data = open(path, "rb").read()
    while hi - lo > 16:
        mid = (lo + hi) // 2 // 16 * 16
        print(f"probe {mid}", flush=True)
        ok = _fits(data, mid)
        print(f"{mid} {'ok' if ok else 'fail'}", flush=True)
        lo, hi = (lo, mid) if ok else (mid, hi)
    sys.exit(0)


def measure_arena(data: bytes, hi: int = 1 << 22) -> int | None:
    """Smallest arena (to 16 B) with which TFLM allocates the model (tensors, scratch and its
    bookkeeping are all allocated up front), or None when TFLM cannot load it at all.

    TFLM crashes (SIGSEGV) instead of failing cleanly for some kernels (MEAN) when the arena is
    too small, so the bisection runs in a child process; a probe that kills it counts as too
    small and a new child carries on from there."""
    import os
    import subprocess
    import sys
    import tempfile
    fd, path = tempfile.mkstemp(suffix=".tflite")
    try:
        os.write(fd, data)
        os.close(fd)
        lo = 16
        for _ in range(40):
            proc = subprocess.run([sys.executable, "-m", "mcusim.compiler.tflm", path, str(lo),
                                   str(hi)], capture_output=True, text=True, timeout=120)
            pending = None
            for line in proc.stdout.splitlines():
                word, _, verdict = line.partition(" ")
                if word == "probe":
                    pending = int(verdict)
                elif verdict in ("ok", "fail"):
                    lo, hi = (lo, int(word)) if verdict == "ok" else (int(word), hi)
                    pending = None
            if proc.returncode == 0:
                return hi if _confirm(path, hi) else None
            if pending is None:
                return None
            lo = max(lo, pending)       # the probe crashed TFLM: too small
        return None
    except (OSError, subprocess.SubprocessError):
        return None
    finally:
        if os.path.exists(path):
            os.unlink(path)


def _confirm(path: str, n: int) -> bool:
    """The answer must itself allocate (also rules out a model TFLM cannot load at all)."""
    import subprocess
    import sys
    proc = subprocess.run([sys.executable, "-m", "mcusim.compiler.tflm", path, str(n - 16),
                           str(n + 16)], capture_output=True, text=True, timeout=120)
    return proc.returncode == 0 and f"{n} ok" in proc.stdout


def arena_figure(data: bytes) -> int | None:
    """TFLM's minimum arena: the shared README's figure when known, else measured (once per
    model: the answer is kept in the cache, keyed by the model's hash)."""
    known = known_arena(data)
    if known:
        return known
    from mcusim.paths import cache_dir
    memo = cache_dir() / "tflm-arena" / hashlib.sha256(data).hexdigest()
    try:
        text = memo.read_text().strip()
        return int(text) if text != "none" else None
    except (OSError, ValueError):
        pass
    try:
        n = measure_arena(data)
    except McusimError:
        return None
    try:
        memo.parent.mkdir(parents=True, exist_ok=True)
        memo.write_text(f"{n if n else 'none'}\n")
    except OSError:
        pass
    return n

if __name__ == "__main__":
    import sys
    _bisect_child(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
