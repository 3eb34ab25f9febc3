"""mcusim quantize: float model + calibration set -> int8 model that runs bit-exact against TFLM
in mcusim, the float-graph optimizations (exact), the accuracy report, the cache of `run
--calibration`, and bad input (one line, exit 2, nothing written to -o).

Float models are built here with the compiler's flatbuffer builder (no Keras); the real ones are
MLPerf Tiny's float models from ../shared/models. Tests needing the `quantize` extra
(ai-edge-quantizer, LiteRT) skip without it; ONNX and Keras tests skip without theirs."""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import numpy as np
import pytest

from mcusim.cli import main
from mcusim.compiler.modelgen import ModelBuilder
from mcusim.errors import EXIT_USAGE

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MCUSIM_SHARED_MODELS", ROOT.parent / "shared" / "models"))
AD01 = SHARED / "mlperf_tiny" / "ad01_fp32.tflite"
KWS_FLOAT = SHARED / "mlperf_tiny" / "kws_ref_model_float32.tflite"
KWS_INT8 = ROOT / "models" / "kws_ref_model.tflite"



def _have(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


HAVE_QUANTIZER = _have("ai_edge_quantizer")
needs_quantizer = pytest.mark.skipif(not HAVE_QUANTIZER,
                                     reason="the quantize extra (ai-edge-quantizer) is missing")


def float_cnn(path: Path, nan: bool = False, op: str | None = None) -> Path:
    """CONV_2D -> MUL, ADD by per-channel constants (an unfolded batch norm) -> RELU ->
    RESHAPE to the same shape (an identity) -> RESHAPE -> FULLY_CONNECTED -> SOFTMAX."""
    rng = np.random.default_rng(3)
    mb = ModelBuilder()
    f = np.float32
    x = mb.tensor([1, 8, 8, 2], "float32", name="input")
    w = rng.normal(0, 0.4, (4, 3, 3, 2)).astype(f)
    if nan:
        w[1, 1, 1, 1] = np.nan
    wt = mb.tensor([4, 3, 3, 2], "float32", data=w, name="conv/w")
    bt = mb.tensor([4], "float32", data=rng.normal(0, 0.1, 4).astype(f), name="conv/b")
    c = mb.tensor([1, 8, 8, 4], "float32", name="conv")
    mb.op("CONV_2D", [x, wt, bt], [c], {"padding": "SAME", "stride_w": 1, "stride_h": 1,
                                        "dilation_w_factor": 1, "dilation_h_factor": 1})
    gamma = mb.tensor([4], "float32", data=rng.uniform(0.5, 1.5, 4).astype(f), name="bn/gamma")
    m = mb.tensor([1, 8, 8, 4], "float32", name="bn/mul")
    mb.op(op or "MUL", [c, gamma], [m], {})
    beta = mb.tensor([4], "float32", data=rng.normal(0, 0.2, 4).astype(f), name="bn/beta")
    a = mb.tensor([1, 8, 8, 4], "float32", name="bn/add")
    mb.op("ADD", [m, beta], [a], {})
    r = mb.tensor([1, 8, 8, 4], "float32", name="relu")
    mb.op("RELU", [a], [r])
    same = mb.tensor([4], "int32", data=np.array([1, 8, 8, 4], np.int32), name="same_shape")
    i = mb.tensor([1, 8, 8, 4], "float32", name="identity")
    mb.op("RESHAPE", [r, same], [i], {"new_shape": [1, 8, 8, 4]})
    flat_s = mb.tensor([2], "int32", data=np.array([1, 256], np.int32), name="flat_shape")
    fl = mb.tensor([1, 256], "float32", name="flat")
    mb.op("RESHAPE", [i, flat_s], [fl], {"new_shape": [1, 256]})
    fw = mb.tensor([5, 256], "float32", data=rng.normal(0, 0.1, (5, 256)).astype(f), name="fc/w")
    fb = mb.tensor([5], "float32", data=np.zeros(5, f), name="fc/b")
    lo = mb.tensor([1, 5], "float32", name="logits")
    mb.op("FULLY_CONNECTED", [fl, fw, fb], [lo], {})
    p = mb.tensor([1, 5], "float32", name="probs")
    mb.op("SOFTMAX", [lo], [p], {"beta": 1.0})
    path.write_bytes(mb.build(inputs=[x], outputs=[p]))
    return path


def calib(path: Path, shape, n: int = 16, seed: int = 0) -> Path:
    np.save(path, np.random.default_rng(seed).normal(0, 1, (n,) + tuple(shape)).astype(np.float32))
    return path


def one_error(capsys, argv, contains=""):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err, err
    lines = err.splitlines()
    assert code == EXIT_USAGE, (code, err)
    assert len(lines) == 1 and lines[0].startswith("mcusim: error: "), err
    assert contains in lines[0], lines[0]
    return lines[0]


# --- bad input: refused before any extra is needed -------------------------------------

def test_bad_models_are_one_line(tmp_path, capsys):
    cal = calib(tmp_path / "c.npy", (8, 8, 2))
    out = tmp_path / "o.tflite"
    (tmp_path / "junk.tflite").write_bytes(b"not a flatbuffer at all")
    good = float_cnn(tmp_path / "m.tflite").read_bytes()
    (tmp_path / "cut.tflite").write_bytes(good[:len(good) // 3])
    cases = [
        (tmp_path / "missing.tflite", "no such file"),
        (tmp_path / "junk.tflite", "not a TFLite model"),
        (tmp_path / "cut.tflite", "truncated"),
        (float_cnn(tmp_path / "nan.tflite", nan=True), "tensor 1 'conv/w' (weights) holds 1 NaN"),
        (float_cnn(tmp_path / "tanh.tflite", op="SQUARED_DIFFERENCE"),
         "node 1 (SQUARED_DIFFERENCE, output 'bn/mul'): mcusim has no int8 kernel"),
        (KWS_INT8, "already quantized"),
        (tmp_path / "m.pt", "unknown model format '.pt'"),
    ]
    (tmp_path / "m.pt").write_bytes(b"x")
    float_edges = SHARED / "arm_kws" / "ds_cnn_s_quantized.tflite"     # int8 core, float I/O
    if float_edges.is_file():
        cases.append((float_edges, "already quantized"))
    for model, contains in cases:
        one_error(capsys, ["quantize", model, "--calibration", cal, "-o", out], contains)
        assert not out.exists()


def test_float_model_refusal_points_at_quantize(tmp_path, capsys):
    model = float_cnn(tmp_path / "m.tflite")
    line = one_error(capsys, ["run", model, "--board", "stm32f4"], "fully int8-quantized")
    assert "mcusim quantize MODEL --calibration DATA" in line
    (tmp_path / "m.onnx").write_bytes(b"x")
    one_error(capsys, ["run", tmp_path / "m.onnx"], "a float model; quantize it first")


@pytest.mark.skipif(_have("onnx2tf"), reason="onnx extra present")
def test_onnx_without_the_extra(tmp_path, capsys):
    (tmp_path / "m.onnx").write_bytes(b"x")
    one_error(capsys, ["quantize", tmp_path / "m.onnx", "--calibration", tmp_path / "m.onnx"],
              "pip install 'mcusim[onnx]'")


# --- with the quantizer ----------------------------------------------------------------

@needs_quantizer
def test_bad_calibration_sets_are_one_line(tmp_path, capsys):
    model = float_cnn(tmp_path / "m.tflite")
    out = tmp_path / "o.tflite"
    np.save(tmp_path / "empty.npy", np.zeros((0, 8, 8, 2), np.float32))
    np.save(tmp_path / "shape.npy", np.zeros((4, 8, 8, 3), np.float32))
    np.save(tmp_path / "int.npy", np.zeros((4, 8, 8, 2), np.int8))
    nan = np.zeros((4, 8, 8, 2), np.float32)
    nan[2, 0, 0, 0] = np.inf
    np.save(tmp_path / "nan.npy", nan)
    (tmp_path / "cut.npy").write_bytes((tmp_path / "nan.npy").read_bytes()[:90])
    (tmp_path / "empty_dir").mkdir()
    cases = [("empty.npy", "empty calibration set (0 samples)"),
             ("shape.npy", "shape [4, 8, 8, 3] does not fit input input of shape [1, 8, 8, 2]"),
             ("int.npy", "dtype int8, expected float values"),
             ("nan.npy", "sample 2 holds inf"),
             ("cut.npy", "not a readable .npy file"),
             ("empty_dir", "empty folder"),
             ("none.npy", "no such file or directory")]
    for name, contains in cases:
        one_error(capsys, ["quantize", model, "--calibration", tmp_path / name, "-o", out],
                  contains)
        assert not out.exists()


@needs_quantizer
def test_graph_optimizations_are_exact(tmp_path):
    from ai_edge_litert.interpreter import Interpreter
    from mcusim.quantize import floatmodel
    data = float_cnn(tmp_path / "m.tflite").read_bytes()
    fm = floatmodel.prepare(data, "m.tflite")
    kinds = [line.split(":")[0] for line in fm.log]
    assert kinds == ["identity dropped", "batch-norm folding", "batch-norm folding",
                     "activation fusion"], fm.log
    x = np.random.default_rng(1).normal(0, 1, (1, 8, 8, 2)).astype(np.float32)
    outs = []
    for model in (data, fm.data):
        it = Interpreter(model_content=model)
        it.allocate_tensors()
        it.set_tensor(it.get_input_details()[0]["index"], x)
        it.invoke()
        outs.append(it.get_tensor(it.get_output_details()[0]["index"]))
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-5, atol=1e-6)
    from mcusim.compiler import importer
    assert [n.op for n in importer.parse(fm.data).nodes] == \
        ["CONV_2D", "RESHAPE", "FULLY_CONNECTED", "SOFTMAX"]


def _verify(path: Path) -> None:
    from mcusim.api import RunOptions
    from mcusim.boards import load_board
    from mcusim.compiler.verify import verify
    report = verify(path, load_board("stm32f4"), RunOptions(), n=1, say=lambda s: None)
    assert report.ok, [c.max_diff for c in report.cases]


@needs_quantizer
@pytest.mark.parametrize("flags", [[], ["--per-tensor", "--float-io"]])
def test_quantized_model_is_bit_exact_in_mcusim(tmp_path, capsys, flags):
    import json
    model = float_cnn(tmp_path / "m.tflite")
    out, js = tmp_path / "m_int8.tflite", tmp_path / "acc.json"
    np.savez(tmp_path / "eval.npz", input=np.random.default_rng(7).normal(
        0, 1, (12, 8, 8, 2)).astype(np.float32), labels=np.arange(12) % 5)
    assert main([str(a) for a in ["quantize", model, "--calibration",
                                  calib(tmp_path / "c.npy", (8, 8, 2)), "-o", out,
                                  "--eval", tmp_path / "eval.npz", "--json", js,
                                  "--html", tmp_path / "a.html", *flags]]) == 0
    text = capsys.readouterr().out
    assert "optimized: batch-norm folding" in text and "top-1 agreement" in text
    acc = json.loads(js.read_text())["accuracy"]
    assert acc["samples"] == 12 and acc["labels"]
    o = acc["outputs"][0]
    assert 10 < o["snr_db"] < 80 and 0.5 <= o["top1_agreement"] <= 1
    assert 0 <= o["accuracy_float"] <= 1 and 0 <= o["accuracy_quantized"] <= 1
    # every float layer is compared; SNRs are computed, worst first
    assert [r["op"] for r in acc["layers"]][-1] != "" and len(acc["layers"]) == 4
    snrs = [r["snr_db"] for r in acc["layers"] if r["snr_db"] is not None]
    assert snrs == sorted(snrs)
    assert acc["size"]["quantized_weight_bytes"] < acc["size"]["float_weight_bytes"] / 3
    assert acc["arena"]["quantized_bytes"] < acc["arena"]["float_bytes"]
    assert "<table>" in (tmp_path / "a.html").read_text()
    _verify(out)


@needs_quantizer
def test_int16_activations(tmp_path, capsys):
    model = float_cnn(tmp_path / "m.tflite")
    out = tmp_path / "m16.tflite"
    assert main([str(a) for a in ["quantize", model, "--calibration",
                                  calib(tmp_path / "c.npy", (8, 8, 2)), "-o", out,
                                  "--int16-activations"]]) == 0
    text = capsys.readouterr().out
    assert "int16 activations" in text and "SNR" in text
    one_error(capsys, ["run", out], "int16")


@needs_quantizer
def test_run_with_calibration_caches(tmp_path, capsys, monkeypatch, mcusim):
    monkeypatch.setenv("MCUSIM_CACHE", str(tmp_path / "cache"))
    from mcusim.quantize import cached_model
    model = float_cnn(tmp_path / "m.tflite")
    cal = calib(tmp_path / "c.npy", (8, 8, 2))
    path, hit = cached_model(model, cal)
    assert not hit and path.is_file()
    assert cached_model(model, cal) == (path, True)
    calib(cal, (8, 8, 2), seed=1)            # other data: another entry
    assert cached_model(model, cal)[1] is False
    assert main(["run", str(model), "--calibration", str(cal), "--board", "stm32f4"]) == 0
    assert "(cached)" in capsys.readouterr().out
    # the Python API and the pytest fixture take the same option
    r = mcusim.run(model, board="stm32f4", calibration=cal)
    assert r.exit_code == 0 and r.cycles > 0


@needs_quantizer
@pytest.mark.skipif(not AD01.is_file(), reason="shared models missing")
def test_mlperf_anomaly_detection_float_model(tmp_path, capsys):
    import json
    out, js = tmp_path / "ad01_int8.tflite", tmp_path / "acc.json"
    cal = calib(tmp_path / "c.npy", (640,), n=32)
    assert main([str(a) for a in ["quantize", AD01, "--calibration", cal, "-o", out,
                                  "--json", js]]) == 0
    acc = json.loads(js.read_text())["accuracy"]
    # computed, not asserted: the bounds only catch a broken quantization
    assert acc["outputs"][0]["snr_db"] > 15
    assert len(acc["layers"]) == 10
    _verify(out)


# --- ONNX and Keras inputs (their extras) -------------------------------------------------

def _tiny_onnx(path: Path) -> Path:
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(0)
    init = [numpy_helper.from_array(rng.normal(0, 0.3, (8, 3, 3, 3)).astype(np.float32), "W"),
            numpy_helper.from_array(rng.normal(0, 0.1, 8).astype(np.float32), "B"),
            numpy_helper.from_array(rng.normal(0, 0.05, (4, 512)).astype(np.float32), "G"),
            numpy_helper.from_array(np.zeros(4, np.float32), "GB")]
    nodes = [helper.make_node("Conv", ["x", "W", "B"], ["c"], pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c"], ["r"]),
             helper.make_node("Flatten", ["r"], ["f"]),
             helper.make_node("Gemm", ["f", "G", "GB"], ["y"], transB=1),
             helper.make_node("Softmax", ["y"], ["p"])]
    graph = helper.make_graph(
        nodes, "tiny", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("p", TensorProto.FLOAT, [1, 4])], init)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return path


@needs_quantizer
def test_onnx_model(tmp_path, capsys):
    pytest.importorskip("onnx2tf")
    model = _tiny_onnx(tmp_path / "tiny.onnx")
    out = tmp_path / "tiny_int8.tflite"
    # onnx2tf makes the graph NHWC: the calibration data follows the converted model; a
    # 3-channel image input is the case where onnx2tf would download sample images
    assert main([str(a) for a in ["quantize", model, "-o", out, "--calibration",
                                  calib(tmp_path / "c.npy", (8, 8, 3))]]) == 0
    text = capsys.readouterr().out
    assert "layout folding: TRANSPOSE [0, 3, 1, 2]" in text, text
    _verify(out)
    np.save(tmp_path / "nchw.npy", np.zeros((4, 3, 8, 8), np.float32))
    one_error(capsys, ["quantize", model, "--calibration", tmp_path / "nchw.npy", "-o", out],
              "does not fit input")
    (tmp_path / "bad.onnx").write_bytes(b"\x08\x07garbage")
    one_error(capsys, ["quantize", tmp_path / "bad.onnx", "--calibration", tmp_path / "c.npy"],
              "not a valid ONNX model")


@needs_quantizer
def test_keras_model(tmp_path, capsys):
    pytest.importorskip("tensorflow")
    import keras
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(4, 3, padding="same"),
                          keras.layers.BatchNormalization(), keras.layers.ReLU(),
                          keras.layers.Flatten(), keras.layers.Dense(3),
                          keras.layers.Softmax()])
    m.save(tmp_path / "tiny.keras")
    out = tmp_path / "tiny_int8.tflite"
    assert main([str(a) for a in ["quantize", tmp_path / "tiny.keras", "-o", out,
                                  "--calibration", calib(tmp_path / "c.npy", (8, 8, 1))]]) == 0
    assert "top-1 agreement" in capsys.readouterr().out
    from mcusim.compiler import importer      # the int8 graph mcusim compiles (bit-exactness of
    assert [n.op for n in importer.parse(out.read_bytes()).nodes] == \
        ["CONV_2D", "RESHAPE", "FULLY_CONNECTED", "SOFTMAX"]    # that path: tests above)
    # a SavedModel keeps the dynamic batch: Flatten's shape arithmetic is folded here
    m.export(tmp_path / "saved", verbose=False)
    assert main([str(a) for a in ["quantize", tmp_path / "saved", "-o", out, "--calibration",
                                  tmp_path / "c.npy"]]) == 0
    text = capsys.readouterr().out
    for op in ("SHAPE", "STRIDED_SLICE", "PACK"):
        assert f"constant folding: {op} -> constant" in text, text
    assert [n.op for n in importer.parse(out.read_bytes()).nodes] == \
        ["CONV_2D", "RESHAPE", "FULLY_CONNECTED", "SOFTMAX"]


@needs_quantizer
@pytest.mark.parametrize("flips", [[(415, 214), (5065, 171)],               # TFLM aborts
                                   [(941, 71), (1336, 252), (4480, 153)]])  # TFLM segfaults
def test_model_that_crashes_a_runtime_is_one_line(tmp_path, flips):
    """Mutants (found by mutating float_cnn's bytes) that LiteRT and the importer accept but
    that kill TFLM natively once quantized: a child process tries them first."""
    import subprocess
    import sys
    data = bytearray(float_cnn(tmp_path / "m.tflite").read_bytes())
    for at, value in flips:
        data[at] = value
    (tmp_path / "mut.tflite").write_bytes(bytes(data))
    out = tmp_path / "o.tflite"
    p = subprocess.run([sys.executable, "-m", "mcusim", "quantize", str(tmp_path / "mut.tflite"),
                        "--calibration", str(calib(tmp_path / "c.npy", (8, 8, 2), n=4)),
                        "-o", str(out)], capture_output=True, text=True, timeout=300)
    lines = p.stderr.splitlines()
    assert p.returncode in (0, EXIT_USAGE), p.stderr[-2000:]
    if p.returncode:
        assert len(lines) == 1 and lines[0].startswith("mcusim: error: "), p.stderr
        assert not out.exists()


@needs_quantizer
def test_mutated_float_models_are_prepared_or_refused(tmp_path):
    """The in-process half (import, checks, graph optimizations, signature) on byte-mutated
    float models: each one is prepared or refused with a McusimError, never another exception.
    (The native half runs in a child process: the test above.)"""
    from mcusim.errors import McusimError
    from mcusim.quantize import floatmodel
    base = float_cnn(tmp_path / "m.tflite").read_bytes()
    rng = np.random.default_rng(0)
    counts = {"prepared": 0, "refused": 0}
    for _ in range(300):
        data = bytearray(base)
        for _ in range(int(rng.integers(1, 4))):
            data[int(rng.integers(0, len(data)))] = int(rng.integers(0, 256))
        try:
            floatmodel.prepare(bytes(data), "mutant.tflite")
            counts["prepared"] += 1
        except McusimError as e:
            assert "\n" not in str(e)
            counts["refused"] += 1
    assert counts["prepared"] > 50 and counts["refused"] > 20, counts


@needs_quantizer
def test_wav_folder_through_a_preprocess_hook(tmp_path, capsys):
    import wave
    clips = tmp_path / "clips"
    clips.mkdir()
    rng = np.random.default_rng(5)
    for k in range(6):
        with wave.open(str(clips / f"c{k}.wav"), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(16000)
            w.writeframes((rng.normal(0, 3000, 1600)).astype("<i2").tobytes())
    (tmp_path / "features.py").write_text(
        "import wave, numpy as np\n"
        "def features(path):\n"
        "    with wave.open(path) as w:\n"
        "        x = np.frombuffer(w.readframes(w.getnframes()), '<i2') / 32768.0\n"
        "    return np.abs(np.fft.rfft(x[:256]))[:128].reshape(1, 8, 8, 2)\n")
    out = tmp_path / "m_int8.tflite"
    assert main([str(a) for a in ["quantize", float_cnn(tmp_path / "m.tflite"), "-o", out,
                                  "--calibration", clips,
                                  "--preprocess", f"{tmp_path / 'features.py'}:features"]]) == 0
    assert "calibrated on 6 sample(s)" in capsys.readouterr().out and out.is_file()
