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


@needs_gcc
def test_every_sleeps_between_decisions_and_gives_battery_life(tmp_path):
    """--every: decisions on a SysTick timer with WFI between; the average power and battery life
    follow from the run's own active energy and the board's sleep power (stm32f4 cites one)."""
    wav = write_wav(tmp_path / "c.wav", fs.clip("chirp", seed=2))
    r = run(EXAMPLE / "pipeline.toml", "stm32f4",
            RunOptions(input_path=wav, every_s=0.2, decisions=2, battery=(220.0, 3.0)))
    assert r.exit_code == 0 and r.stdout.count("decision: ") == 2
    p = r.pipeline
    assert p["decisions"] == 2 and p["every_s"] == 0.2
    assert 0.19 < r.time_s < 0.2 + 2 * p["latency_s"] and r.sleep_s > 0.1
    assert sum(e["count"] for e in r.exceptions if e["name"] == "SysTick") >= 20
    active_mw = p["energy_per_decision_uj"] / p["latency_s"] / 1e3
    assert p["sleep_power_mw"] > 0
    assert p["sleep_power_mw"] < p["average_power_mw"] < active_mw
    assert p["average_power_mw"] == pytest.approx(
        (p["energy_per_decision_uj"] / 1e3 + p["sleep_power_mw"] * (0.2 - p["latency_s"])) / 0.2)
    b = p["battery"]
    assert b["life_s"] == pytest.approx(0.220 * 3600 * 3.0 / (p["average_power_mw"] / 1e3))
    # per-decision stages, not the sum over both decisions (one front end: ~4.0 M cycles)
    assert 3_000_000 < r.stages[0]["cycles"] < 5_000_000


def test_every_options_are_checked(tmp_path):
    from mcusim.commands.values import battery as _battery
    assert _battery("220mAh@3V") == (220.0, 3.0) and _battery("1.2Ah@3.7V") == (1200.0, 3.7)
    for bad in ("220", "220mAh", "abc@3V", "0mAh@3V", "220mAh@-3V"):
        with pytest.raises(BadInput, match="--battery"):
            _battery(bad)
    wav = write_wav(tmp_path / "c.wav", np.zeros(16000, np.int16))
    with pytest.raises(BadInput, match="need --every"):
        run(EXAMPLE / "pipeline.toml", "stm32f4", RunOptions(input_path=wav, battery=(1.0, 3.0)))
    with pytest.raises(BadInput, match="multiple of 10 ms"):
        run(EXAMPLE / "pipeline.toml", "stm32f4", RunOptions(input_path=wav, every_s=0.015))
    with pytest.raises(BadInput, match="for pipelines"):
        run(REPO / "models" / "kws_ref_model.tflite", "stm32f4", RunOptions(every_s=1.0))


def test_example_clip_script_writes_what_the_pipeline_reads(tmp_path):
    import runpy
    import sys
    out = tmp_path / "clip.wav"
    argv, sys.argv = sys.argv, ["make_clip.py", str(out)]
    try:
        runpy.run_path(str(EXAMPLE / "make_clip.py"), run_name="__main__")
    finally:
        sys.argv = argv
    from mcusim.frontend.pipeline import read_wav
    x = read_wav(out, presets.get("mlperf-kws"))
    assert np.array_equal(x, fs.clip("chirp"))
