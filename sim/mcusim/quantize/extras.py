"""Optional extras: import a heavy package or say, in one line, which extra installs it."""
from __future__ import annotations

import contextlib
import importlib
import os
import sys
import warnings

from mcusim.errors import BadInput

EXTRAS = {
    "quantize": "ai-edge-quantizer (Google's post-training quantizer, with LiteRT)",
    "onnx": "onnx2tf with TensorFlow (ONNX to float TFLite)",
    "tensorflow": "TensorFlow (Keras / SavedModel to float TFLite)",
}


def need(module: str, extra: str, why: str):
    try:
        with quiet():
            return importlib.import_module(module)
    except ImportError as e:
        raise BadInput(f"{why} needs the optional extra: pip install 'mcusim[{extra}]' "
                       f"({EXTRAS[extra]}; {type(e).__name__}: {e})") from None


@contextlib.contextmanager
def quiet():
    """LiteRT, TensorFlow and the quantizer print progress bars, INFO lines (from C++, on file
    descriptor 2) and warnings: none of that belongs in mcusim's output."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    devnull = os.open(os.devnull, os.O_WRONLY)
    old_env = os.environ.get("TF_CPP_MIN_LOG_LEVEL")
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    try:
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink), \
                    contextlib.redirect_stderr(sink):
                yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in saved + [devnull]:
            os.close(fd)
        if old_env is None:
            os.environ.pop("TF_CPP_MIN_LOG_LEVEL", None)
        else:
            os.environ["TF_CPP_MIN_LOG_LEVEL"] = old_env
