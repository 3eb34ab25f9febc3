"""Where a float model comes from: a float .tflite as it is; ONNX through onnx2tf (extra
`onnx`, which brings TensorFlow); Keras `.keras`/`.h5` or a SavedModel folder through
TensorFlow's TFLiteConverter (extra `tensorflow`). Every path ends as float .tflite bytes.

onnx2tf writes NHWC models: a 4-D ONNX input [N, C, H, W] becomes [N, H, W, C], and the
calibration data must follow the converted model's layout (the error names the shape).
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from pathlib import Path

from mcusim import files
from mcusim.errors import BadInput
from mcusim.quantize.extras import need, quiet

KERAS = (".keras", ".h5", ".hdf5")
_ONNX2TF_SAMPLES = "calibration_image_sample_data_20x128x128x3_float32.npy"


def kind(path: Path) -> str:
    if path.is_dir():
        if (path / "saved_model.pb").is_file():
            return "savedmodel"
        raise BadInput(f"{path}: a folder without saved_model.pb; expected a float .tflite, "
                       f".onnx, .keras/.h5 file or a TensorFlow SavedModel folder")
    s = path.suffix.lower()
    if s == ".tflite":
        return "tflite"
    if s == ".onnx":
        return "onnx"
    if s in KERAS:
        return "keras"
    raise BadInput(f"{path}: unknown model format {s or '(no suffix)'!r}; expected a float "
                   f".tflite, .onnx, .keras/.h5 file or a SavedModel folder")


def float_tflite(path: str | Path) -> tuple[bytes, str]:
    """The float .tflite bytes of the model at `path`, and the name to show."""
    path = Path(path)
    if not path.exists():
        raise BadInput(f"{path}: no such file")
    k = kind(path)
    if k == "tflite":
        return files.read_bytes(path, expected="a float .tflite model"), path.name
    if k == "onnx":
        return _from_onnx(path), path.stem + ".tflite"
    return _from_keras(path, k), path.stem + ".tflite"


def _from_onnx(path: Path) -> bytes:
    onnx = need("onnx", "onnx", "an ONNX model")
    legacy = os.environ.get("TF_USE_LEGACY_KERAS")
    onnx2tf = need("onnx2tf", "onnx", "an ONNX model")
    # onnx2tf sets TF_USE_LEGACY_KERAS=1 for the whole process on import: keep ours as it was
    if legacy is None:
        os.environ.pop("TF_USE_LEGACY_KERAS", None)
    else:
        os.environ["TF_USE_LEGACY_KERAS"] = legacy
    files.input_file(path, expected="an .onnx model")
    try:
        model = onnx.load(str(path))
        onnx.checker.check_model(model)
    except Exception as e:  # noqa: BLE001 - onnx's parse/check errors, in one line
        raise BadInput(f"{path}: not a valid ONNX model ({type(e).__name__}: "
                       f"{_first(e)})") from None
    opset = max((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")),
                default=0)
    if opset < 13:
        raise BadInput(f"{path}: ONNX opset {opset}; opset 13 or later is supported "
                       f"(re-export with a newer opset)")
    with tempfile.TemporaryDirectory(prefix="mcusim-onnx-") as tmp:
        # For a model with 3-channel image inputs onnx2tf runs a check inference on sample
        # images it downloads into the working folder unless the file is already there: give
        # it local random images instead (no network at run time; the check only needs data).
        import numpy as np
        np.save(Path(tmp) / _ONNX2TF_SAMPLES, np.random.default_rng(0).random(
            (20, 128, 128, 3), dtype=np.float32))
        cwd, source = os.getcwd(), str(path.resolve())
        said = io.StringIO()
        try:
            os.chdir(tmp)
            with quiet(), contextlib.redirect_stdout(said):
                onnx2tf.convert(input_onnx_file_path=source, output_folder_path=tmp,
                                non_verbose=True, verbosity="error", not_use_onnxsim=True)
        except BaseException as e:  # noqa: BLE001 - onnx2tf exits (SystemExit) on a refusal
            if isinstance(e, KeyboardInterrupt):
                raise
            errors = [ln for ln in re.sub(r"\x1b\[[0-9;]*m", "", said.getvalue()).splitlines()
                      if "ERROR" in ln]
            why = errors[0].strip() if errors else f"{type(e).__name__}: {_first(e)}"
            raise BadInput(f"{path}: onnx2tf could not convert it ({why[:300]})") from None
        finally:
            os.chdir(cwd)
        out = sorted(Path(tmp).glob("*_float32.tflite"))
        if not out:
            raise BadInput(f"{path}: onnx2tf wrote no float32 .tflite model")
        return out[0].read_bytes()


def _from_keras(path: Path, k: str) -> bytes:
    tf = need("tensorflow", "tensorflow", "a Keras or SavedModel model")
    try:
        with quiet():
            if k == "savedmodel":
                conv = tf.lite.TFLiteConverter.from_saved_model(str(path))
            else:
                # Keras 3 itself, not tf.keras (which onnx2tf may have made Keras 2)
                keras = need("keras", "tensorflow", "a Keras model")
                model = keras.models.load_model(str(path), compile=False)
                conv = tf.lite.TFLiteConverter.from_keras_model(_batch_of_one(keras, model))
            return bytes(conv.convert())
    except BadInput:
        raise
    except Exception as e:  # noqa: BLE001 - TensorFlow's load/convert errors, in one line
        raise BadInput(f"{path}: TensorFlow could not load or convert it ({type(e).__name__}: "
                       f"{_first(e)})") from None


def _batch_of_one(keras, model):
    """The same model with a static batch of 1: the converter then folds the shape arithmetic
    (Flatten's SHAPE/STRIDED_SLICE/PACK) a dynamic batch leaves in the graph."""
    try:
        inp = [keras.Input(batch_size=1, shape=i.shape[1:], dtype=i.dtype)
               for i in model.inputs]
        return keras.Model(inp, model(inp if len(inp) > 1 else inp[0]))
    except Exception:  # noqa: BLE001 - a model Keras cannot re-wire: convert it as it is
        return model


def _first(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0][:300] if text else "no message"
