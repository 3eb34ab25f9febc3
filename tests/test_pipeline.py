"""`mcusim run pipeline.toml --input clip.wav`: audio -> front end -> model -> label on the MCU.

The decision is checked end to end against the host: cmsisdsp's arm_mfcc_q15 features,
quantized as the firmware quantizes them, through TFLM's interpreter, give the same output."""
from __future__ import annotations

import re
import shutil
import wave
from pathlib import Path

import numpy as np
import pytest

from conftest import needs_gcc
from mcusim.api import RunOptions, run
from mcusim.errors import BadInput
from mcusim.frontend import codegen, presets

import frontend_support as fs

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "kws_pipeline"


def write_wav(path: Path, x: np.ndarray, rate: int = 16000, channels: int = 1,
              width: int = 2) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(x.tobytes())
    return path


@pytest.fixture
def pipe_dir(tmp_path):
    """A copy of examples/kws_pipeline that may be edited."""
    d = tmp_path / "p"
    shutil.copytree(EXAMPLE, d)
    toml = d / "pipeline.toml"
    toml.write_text(toml.read_text().replace("../../models/",
                                             str(REPO / "models").replace("\\", "/") + "/"))
    return d


@needs_gcc
@pytest.mark.parametrize("board", ["stm32f4", "rp2040"])
def test_kws_pipeline_decision_matches_host(tmp_path, board):
    pytest.importorskip("cmsisdsp")
    runtime = pytest.importorskip("tflite_micro.python.tflite_micro.runtime")
    fs.load()
    audio = fs.clip("chirp", seed=11)
    wav = write_wav(tmp_path / "clip.wav", audio)
    r = run(EXAMPLE / "pipeline.toml", board, RunOptions(input_path=wav))
    assert r.exit_code == 0
    labels = (EXAMPLE / "labels.txt").read_text().split()
    d = r.decision
    assert d["label"] == labels[d["index"]]
    assert f"decision: {d['index']} {d['label']}" in r.stdout
    names = [s["name"] for s in r.stages]
    assert names[0] == "front end" and "model" in names and "layer 11: SOFTMAX" in names
    fe = r.stages[0]["cycles"]
    model = next(s["cycles"] for s in r.stages if s["name"] == "model")
    assert 0 < fe + model <= r.cycles
    assert r.pipeline["frontend_scratch_bytes"] > 0 and r.pipeline["latency_s"] == r.time_s
    # the host: cmsisdsp features -> the firmware's quantization -> TFLM
    p = presets.get("mlperf-kws")
    port = r.model["inputs"][0]
    q = codegen.quantize_reference(fs.Cmsis(p).features(audio),
                                   *codegen.quant_params(port["scale"], port["zero_point"]))
    interp = runtime.Interpreter.from_bytes((REPO / "models" / "kws_ref_model.tflite")
                                            .read_bytes(), arena_size=40_000)
    interp.set_input(q.reshape(1, 49, 10, 1), 0)
    interp.invoke()
    out = interp.get_output(0).reshape(-1)
    assert int(np.argmax(out)) == d["index"]
    oport = r.model["outputs"][0]
    assert d["score"] == pytest.approx(oport["scale"] * (int(out.max()) - oport["zero_point"]))


@pytest.mark.parametrize("make, msg", [
    (lambda p: write_wav(p, np.zeros(32000, np.int16), channels=2), "2 channels"),
    (lambda p: write_wav(p, np.zeros(8000, np.int16), rate=8000), "sample rate 8000 Hz"),
    (lambda p: write_wav(p, np.zeros(0, np.int16)), "no samples"),
    (lambda p: write_wav(p, np.zeros(16000, np.uint8), width=1), "8-bit samples"),
    (lambda p: (p.write_bytes(b"RIFFjunk"), p)[1], "not a readable WAV"),
])
def test_bad_wav_is_one_line(tmp_path, make, msg):
    wav = make(tmp_path / "x.wav")
    with pytest.raises(BadInput, match=msg):
        run(EXAMPLE / "pipeline.toml", "stm32f4", RunOptions(input_path=wav))


def test_pipeline_needs_an_input():
    with pytest.raises(BadInput, match="needs --input"):
        run(EXAMPLE / "pipeline.toml", "stm32f4", RunOptions())


@pytest.mark.parametrize("edit, msg", [
    (lambda t: t.replace('[model]', '[modle]'), "unknown table"),
    (lambda t: t.replace('preset = "mlperf-kws"', 'preset = "kws"'), "not one of"),
    (lambda t: t + 'extra = 1\n', "unknown key"),
    (lambda t: t.replace('path = ', 'pth = '), "unknown key 'pth'"),
    (lambda t: re.sub(r'path = ".*"', 'path = 3', t), "needs path"),
])
def test_bad_pipeline_toml_is_one_line(pipe_dir, tmp_path, edit, msg):
    toml = pipe_dir / "pipeline.toml"
    toml.write_text(edit(toml.read_text()))
    wav = write_wav(tmp_path / "c.wav", np.zeros(16000, np.int16))
    with pytest.raises(BadInput, match=msg):
        run(toml, "stm32f4", RunOptions(input_path=wav))


@needs_gcc
def test_labels_and_feature_shape_must_fit_the_model(pipe_dir, tmp_path):
    wav = write_wav(tmp_path / "c.wav", np.zeros(16000, np.int16))
    (pipe_dir / "labels.txt").write_text("yes\nno\n")
    with pytest.raises(BadInput, match="2 labels for a model with 12 outputs"):
        run(pipe_dir / "pipeline.toml", "stm32f4", RunOptions(input_path=wav))
    toml = pipe_dir / "pipeline.toml"
    toml.write_text(toml.read_text().replace('"mlperf-kws"', '"micro-speech"'))
    with pytest.raises(BadInput, match="gives 49 x 40 = 1960"):
        run(toml, "stm32f4", RunOptions(input_path=wav))
