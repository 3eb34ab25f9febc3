"""Run the native half of quantization (LiteRT calibration, TFLM and LiteRT inference for the
accuracy report) in a child process: a malformed model that makes LiteRT or TFLM abort or
segfault (found by mutating float models: tests/test_quantize.py) then becomes one error line
instead of killing mcusim, and nothing is written to -o.

    result = call("mcusim.quantize.engine:quantize", *args, **kwargs)

Arguments and result travel as pickles in a private temporary folder (our own data, never a
user's file). A McusimError raised in the child is raised again here; any other exception
comes back as an internal error with its type and message.
"""
from __future__ import annotations

import importlib
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

from mcusim.errors import BadInput, McusimError


class ChildError(RuntimeError):
    """An unexpected exception in the child (the CLI reports it as an internal error)."""


def call(target: str, *args, name: str = "model", **kwargs):
    with tempfile.TemporaryDirectory(prefix="mcusim-quantize-") as tmp:
        inp, out = Path(tmp) / "in.pickle", Path(tmp) / "out.pickle"
        inp.write_bytes(pickle.dumps((target, args, kwargs)))
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
        try:
            p = subprocess.run([sys.executable, "-m", "mcusim.quantize.isolate", str(inp),
                                str(out)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, env=env, timeout=3600)
        except subprocess.TimeoutExpired:
            raise BadInput(f"{name}: quantization did not finish in an hour") from None
        if p.returncode < 0 or not out.is_file():
            what = "LiteRT or TFLM" if p.returncode < 0 else "the quantization process"
            raise BadInput(f"{name}: {what} crashed on it (status {p.returncode}): the model "
                           f"is malformed")
        kind, value = pickle.loads(out.read_bytes())
    if kind == "ok":
        return value
    if kind == "mcusim":
        cls, message, code = value
        raise cls(message, code)
    raise ChildError(value)


def _main(inp: str, out: str) -> None:
    target, args, kwargs = pickle.loads(Path(inp).read_bytes())
    module, _, func = target.partition(":")
    try:
        result = ("ok", getattr(importlib.import_module(module), func)(*args, **kwargs))
    except McusimError as e:
        result = ("mcusim", (type(e), str(e), e.exit_code))
    except Exception as e:  # noqa: BLE001 - reported by the parent
        result = ("error", f"{type(e).__name__}: {e}")
    Path(out).write_bytes(pickle.dumps(result))


if __name__ == "__main__":
    _main(sys.argv[1], sys.argv[2])
