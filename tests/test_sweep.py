"""mcusim sweep / mcusim.sweep: every point equals `mcusim run --json`, requirements and ranking,
resume after Ctrl-C, outputs, failed points, bad input in one line."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import mcusim
from mcusim.cli import main
from mcusim.errors import EXIT_USAGE

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MCUSIM_SHARED_MODELS") or ROOT.parent / "shared" / "models")
HELLO = SHARED / "tflite_micro" / "hello_world_int8.tflite"
DSCNN = SHARED / "arm_kws" / "ds_cnn_s_quantized.tflite"
DNN = SHARED / "arm_kws" / "dnn_s_quantized.tflite"
OWN = ROOT / "models" / "kws_ref_model.tflite"   # shipped with the project: bad-input tests
BOARDS = ["stm32f4", "rp2040", "stm32h743"]

needs_models = pytest.mark.skipif(not HELLO.is_file() or not DSCNN.is_file(),
                                  reason="shared models folder not present")


def comparable(result: dict) -> dict:
    """A run's JSON less what is not a figure of the run: host time, and whether the build
    came from the cache. (The cache folder stays: the same build gives the same figures.)"""
    r = json.loads(json.dumps(result))
    r.pop("host_seconds")
    r["model"].pop("cached", None)
    return r


def one_error(capsys, argv, contains=""):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert "Traceback" not in err and "internal error" not in err, err
    assert code == EXIT_USAGE, (code, err)
    assert len(lines) == 1 and lines[0].startswith("mcusim: error: "), err
    assert contains in lines[0], lines[0]
    return lines[0]


def write_sweep(tmp_path, text: str, name="sweep.toml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


@pytest.fixture(scope="module")
def grid():
    """3 models x 3 boards on the local pool (2 workers): the rows, best first."""
    if not (HELLO.is_file() and DSCNN.is_file() and DNN.is_file()):
        pytest.skip("shared models folder not present")
    return mcusim.sweep([str(HELLO), str(DNN), str(DSCNN)], BOARDS, jobs=2,
                        requirements=["latency_ms <= 20", "ram_free_bytes >= 131072"],
                        objective="min energy_uj")


def test_every_point_equals_mcusim_run_json(grid, tmp_path, capsys):
    assert len(grid) == 9 and all(r["status"] == "ok" for r in grid)
    assert {(Path(r["model"]).name, r["board"]) for r in grid} == {
        (m.name, b) for m in (HELLO, DNN, DSCNN) for b in BOARDS}
    for model, board in ((HELLO, "rp2040"), (DSCNN, "stm32h743")):
        out = tmp_path / f"{model.stem}-{board}.json"
        assert main(["run", str(model), "--board", board, "-q", "--json", str(out)]) == 0
        row = next(r for r in grid if r["model"] == str(model) and r["board"] == board)
        assert comparable(row["result"]) == comparable(json.loads(out.read_text()))
    capsys.readouterr()


def test_requirements_and_objective_rank_the_points(grid):
    for r in grid:
        f = r["figures"]
        assert f["latency_ms"] == r["result"]["time_s"] * 1e3
        assert f["ram_free_bytes"] == (r["result"]["memory"]["ram_size"]
                                       - r["result"]["memory"]["ram_used"])
        want = {"latency_ms <= 20": f["latency_ms"] <= 20,
                "ram_free_bytes >= 131072": f["ram_free_bytes"] >= 131072}
        assert r["requirements"] == want and r["meets"] == all(want.values())
    # stm32f4's 128 KiB main SRAM can never leave 128 KiB free; DS-CNN takes 65 ms there
    assert not any(r["meets"] for r in grid if r["board"] == "stm32f4")
    assert any(r["meets"] for r in grid) and not all(r["meets"] for r in grid)
    meets = [r["meets"] for r in grid]
    assert meets == sorted(meets, reverse=True)            # passing points first
    for group in (True, False):
        energy = [r["figures"]["energy_uj"] for r in grid if r["meets"] is group]
        assert energy == sorted(energy)                    # then by the objective
    assert [r["rank"] for r in grid] == list(range(1, 10))


def test_points_that_cannot_run_are_recorded_and_the_sweep_goes_on(tmp_path):
    if not HELLO.is_file():
        pytest.skip("shared models folder not present")
    broken = tmp_path / "broken.tflite"
    broken.write_bytes(b"not a flatbuffer" * 8)
    rows = mcusim.sweep([str(broken), str(HELLO)], "stm32f4", jobs=2,
                        max_cycles=["none", 1000])
    assert [(Path(r["model"]).name, r["options"]["max_cycles"], r["status"]) for r in rows] == [
        ("hello_world_int8.tflite", "none", "ok"),
        ("hello_world_int8.tflite", 1000, "failed"),      # it ran: its figures are kept
        ("broken.tflite", "none", "error"), ("broken.tflite", 1000, "error")]
    assert rows[1]["result"]["stop"]["reason"] == "max_cycles" and rows[1]["exit_code"] == 71
    assert "1,000" in rows[1]["error"] or "1000" in rows[1]["error"]
    assert rows[2]["result"] is None and "broken.tflite" in rows[2]["error"]
    assert all("\n" not in r["error"] for r in rows)
    rows = mcusim.sweep(str(HELLO), "stm32f4", clock="1GHz")    # refused by the board's table
    assert rows[0]["status"] == "error" and "latency table covers" in rows[0]["error"]


@needs_models
def test_cli_outputs_and_resume(tmp_path, capsys):
    sweep = write_sweep(tmp_path, f"""
models = ["{HELLO}"]
boards = ["stm32f4", "rp2040"]
requirements = ["latency_ms <= 0.08"]
objective = "max flash_free_bytes"
[axes]
seed = [0, 1]
""")
    js, cs = tmp_path / "out.json", tmp_path / "out.csv"
    assert main(["sweep", str(sweep), "--jobs", "2", "--json", str(js), "--csv", str(cs)]) == 0
    out = capsys.readouterr().out
    assert "4 points run" in out and "req1: latency_ms <= 0.08" in out
    # piped output (a CI log) is not cut at rich's default 80 columns
    from mcusim.commands.sweep import table_console
    assert table_console(io.StringIO()).width == 160
    data = json.loads(js.read_text())
    assert data["schema"] == "mcusim-sweep/1" and data["objective"] == "max flash_free_bytes"
    assert len(data["points"]) == 4 and data["axes"] == {"seed": [0, 1]}
    first = data["points"][0]
    assert first["result"]["schema"] == "mcusim-run/1" and first["result"]["layers"]
    rows = list(csv.DictReader(io.StringIO(cs.read_text())))
    assert len(rows) == 4
    assert all(p["status"] == "ok" for p in data["points"]), data["points"]
    for key in ("rank", "model", "board", "seed", "meets", "requirement: latency_ms <= 0.08",
                "latency_ms", "run.cycles", "run.memory.flash_used", "run.stop.reason",
                "run.arena.peak", "run.layers", "run.cycle_breakdown.alu"):
        assert key in rows[0], key
    assert [int(r["run.cycles"]) for r in rows] == [p["result"]["cycles"]
                                                    for p in data["points"]]
    assert json.loads(rows[0]["run.layers"]) == first["result"]["layers"]
    # the results file streamed every point; cut it to two and a line a kill left half-written
    results = tmp_path / "sweep.results.jsonl"
    lines = results.read_text().splitlines()
    assert len(lines) == 4
    results.write_text("\n".join(lines[:2]) + "\n" + lines[2][:100])
    assert main(["sweep", str(sweep), "--resume", "--json", str(js), "-q"]) == 0
    again = json.loads(js.read_text())
    assert len(results.read_text().splitlines()) == 5      # two kept + the cut line + two run
    strip = [[comparable(p["result"]) for p in d["points"]] for d in (data, again)]
    assert strip[0] == strip[1]
    assert main(["sweep", str(sweep), "--resume"]) == 0
    assert "0 points run" in capsys.readouterr().out


@needs_models
def test_ctrl_c_keeps_finished_points_and_resume_runs_only_the_rest(tmp_path):
    sweep = write_sweep(tmp_path, f"""
models = ["{HELLO}"]
boards = ["stm32f4", "rp2040"]
[axes]
seed = [0, 1, 2]
""")
    results = tmp_path / "sweep.results.jsonl"
    cmd = [sys.executable, "-m", "mcusim", "sweep", str(sweep), "--jobs", "2", "-q"]
    p = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and p.poll() is None:
        if results.is_file() and results.read_text().count("\n") >= 1:
            break
        time.sleep(0.05)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=30)
    kept = results.read_text().count("\n")
    if p.returncode == 0:
        pytest.skip("the sweep finished before the interrupt")   # a very fast host
    assert p.returncode == 130, err
    assert err.splitlines() == [f"mcusim: error: interrupted; {kept} finished point"
                                f"{'s' if kept != 1 else ''} kept in {results} (run again "
                                f"with --resume to skip them)"]
    assert 1 <= kept < 6
    p = subprocess.run(cmd + ["--resume"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert results.read_text().count("\n") == 6
    keys = [json.loads(line)["key"] for line in results.read_text().splitlines()]
    assert len(set(keys)) == 6                               # nothing ran twice


def dies_once(point):
    """run_point, except that the first rp2040 point kills its worker process."""
    from mcusim.sweeps.worker import run_point
    marker = Path(os.environ["MCUSIM_TEST_DIE_ONCE"])
    if point["board"] == "rp2040" and not marker.exists():
        marker.write_text("x")
        os._exit(9)
    return run_point(point)


def test_a_dead_worker_is_replaced_and_its_point_runs_again(tmp_path, monkeypatch):
    if not HELLO.is_file():
        pytest.skip("shared models folder not present")
    from mcusim.sweeps import pool
    marker = tmp_path / "died-once"
    monkeypatch.setenv("MCUSIM_TEST_DIE_ONCE", str(marker))
    monkeypatch.setattr(pool, "run_point", dies_once)      # forked workers inherit the patch
    rows = mcusim.sweep(str(HELLO), ["stm32f4", "rp2040"], jobs=2)
    assert marker.exists() and [r["status"] for r in rows] == ["ok", "ok"]


def test_pareto_front():
    from mcusim.sweeps.charts import pareto_front
    pts = [(1, 9), (2, 4), (3, 5), (4, 1), (2, 6), (5, 1)]
    assert pareto_front(pts) == [(1, 9), (2, 4), (4, 1)]


@needs_models
def test_html_has_the_two_charts(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    sweep = write_sweep(tmp_path, f'models = ["{HELLO}"]\nboards = ["stm32f4", "rp2040"]\n'
                                  'requirements = ["latency_ms <= 0.08"]\n')
    page = tmp_path / "s.html"
    assert main(["sweep", str(sweep), "-j", "1", "-q", "--html", str(page)]) == 0
    text = page.read_text()
    assert text.count("<svg") == 2 and "Pareto front" in text and "RAM left" in text
    assert not re.search(r'(src|href)="https?:|url\(https?:', text)      # no network
    assert main(["sweep", str(sweep), "-q", "--resume", "--html", str(page)]) == 0
    assert page.read_text() == text                               # same sweep, same page


# --- bad input: one line, exit 2, before any point runs ----------------------------------

@pytest.mark.parametrize("text, contains", [
    ('models = ["nope.tflite"]\nboards = ["stm32f4"]', "models: model "),
    ('models = ["*.nothing"]\nboards = ["stm32f4"]', "matches no file"),
    ('models = ["{m}"]\nboards = ["stm32f9"]', "unknown board 'stm32f9'"),
    ('models = ["{m}"]\nboards = ["stm32f4"]\n[axes]\nkernel = ["auto"]',
     "unknown axis 'kernel' (did you mean 'kernels'?)"),
    ('models = ["{m}"]\nboards = ["stm32f4"]\n[axes]\nkernels = ["fast"]',
     "axes.kernels: expected auto, portable or optimized"),
    ('models = ["{m}"]\nboards = ["stm32f4"]\n[axes]\nclock = ["fast"]', "axes.clock: clock:"),
    ('models = ["{m}"]\nboards = ["stm32f4"]\nrequirements = ["latency <= 3"]',
     "unknown figure 'latency'"),
    ('models = ["{m}"]\nboards = ["stm32f4"]\nrequirements = ["latency_ms => 3"]',
     "expected FIGURE OP NUMBER"),
    ('models = ["{m}"]\nboards = ["stm32f4"]\nobjective = "fastest latency_ms"',
     "expected \"min FIGURE\" or \"max FIGURE\""),
    ('models = ["{m}"]\nboard = ["stm32f4"]', "unknown key 'board' (did you mean 'boards'?)"),
    ('models = ["{m}"]', "missing key 'boards'"),
    ('models = [\n', "not valid TOML"),
    ('models = []\nboards = ["stm32f4"]', "models: expected a list"),
])
def test_bad_sweep_files_are_one_line(tmp_path, capsys, text, contains):
    sweep = write_sweep(tmp_path, text.replace("{m}", str(OWN)))
    line = one_error(capsys, ["sweep", sweep], contains)
    assert str(sweep) in line
    assert not (tmp_path / "sweep.results.jsonl").exists()


def test_bad_command_lines_are_one_line(tmp_path, capsys, monkeypatch):
    sweep = write_sweep(tmp_path, f'models = ["{OWN}"]\nboards = ["stm32f4"]')
    one_error(capsys, ["sweep", tmp_path / "missing.toml"], "no such file")
    one_error(capsys, ["sweep"], "sweep: the following arguments are required: sweep")
    one_error(capsys, ["sweep", "--ray", tmp_path / "missing.toml"], "missing.toml: no such file")
    one_error(capsys, ["sweep", sweep, "--jobs", "0"], "must be 1 or more")
    one_error(capsys, ["sweep", sweep, "--json", tmp_path / "no" / "x.json"], "no such directory")
    monkeypatch.setitem(sys.modules, "ray", None)          # as if the extra were not installed
    one_error(capsys, ["sweep", sweep, "--ray"], "pip install 'mcusim[ray]'")
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    one_error(capsys, ["sweep", sweep, "--html", tmp_path / "s.html"],
              "pip install 'mcusim[plot]'")
    assert not (tmp_path / "sweep.results.jsonl").exists()


def test_python_api_bad_input_raises_one_line():
    from mcusim.errors import BadInput
    with pytest.raises(BadInput, match="unknown axis 'clocks'"):
        mcusim.sweep(str(OWN), "stm32f4", clocks=["80MHz"])
    with pytest.raises(BadInput, match="unknown board"):
        mcusim.sweep(str(OWN), ["stm32f4", "nope"])


def test_docs_list_every_axis_and_figure_and_the_examples_load():
    from mcusim.sweeps import spec
    from mcusim.sweeps.figures import FIGURES
    doc = (ROOT / "docs" / "sweep.md").read_text()
    for name in list(spec.AXES) + list(FIGURES):
        assert f"`{name}`" in doc, name
    sw = spec.load(ROOT / "examples" / "sweep.toml")
    assert len(sw.points()) == 12 and [r.text for r in sw.requirements] == [
        "latency_ms <= 100", "energy_uj <= 5000", "ram_free_bytes >= 65536"]


def test_width_search_example_picks_the_widest_model_within_the_budget(tmp_path):
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        from width_search import search
    finally:
        sys.path.remove(str(ROOT / "examples"))
    found = search([8, 16], ["stm32f4"], 1e9, tmp_path, jobs=2)
    lat = {Path(r["model"]).stem: r["figures"]["latency_ms"] for r in found["rows"]}
    assert Path(found["best"]["stm32f4"]["model"]).stem == "ds_cnn_w016"
    assert lat["ds_cnn_w008"] < lat["ds_cnn_w016"]
    found = search([8, 16], ["stm32f4"], (lat["ds_cnn_w008"] + lat["ds_cnn_w016"]) / 2,
                   tmp_path, jobs=2)
    assert Path(found["best"]["stm32f4"]["model"]).stem == "ds_cnn_w008"
    assert search([8], ["stm32f4"], lat["ds_cnn_w008"] / 2, tmp_path)["best"] == {"stm32f4": None}


def test_rows_as_a_pandas_frame(grid):
    pytest.importorskip("pandas")
    from mcusim.sweeps import to_frame
    df = to_frame(grid)
    assert list(df["rank"]) == list(range(1, 10)) and len(df.columns) > 20
    assert df["latency_ms"].tolist() == [r["figures"]["latency_ms"] for r in grid]
    assert df["requirement: latency_ms <= 20"].tolist() == [
        r["requirements"]["latency_ms <= 20"] for r in grid]
    assert df.loc[0, "result"]["cycles"] == grid[0]["result"]["cycles"]


def test_resume_needs_a_results_file():
    from mcusim.errors import BadInput
    with pytest.raises(BadInput, match="resume=True needs results=FILE"):
        mcusim.sweep(str(HELLO), "stm32f4", resume=True)


def test_resume_reruns_points_whose_error_may_not_recur(tmp_path):
    if not HELLO.is_file():
        pytest.skip("shared models folder not present")
    results = tmp_path / "r.jsonl"
    broken = tmp_path / "broken.tflite"
    broken.write_bytes(b"junk" * 16)
    rows = mcusim.sweep([str(HELLO), str(broken)], "stm32f4", jobs=1, results=results)
    assert [r["status"] for r in rows] == ["ok", "error"]
    recs = [json.loads(line) for line in results.read_text().splitlines()]
    recs[0].update(status="error", exit_code=3, result=None, error="internal error: X")
    results.write_text("".join(json.dumps(r) + "\n" for r in recs))
    rows = mcusim.sweep([str(HELLO), str(broken)], "stm32f4", jobs=1, results=results,
                        resume=True)
    assert [r["status"] for r in rows] == ["ok", "error"]       # hello ran again, broken did not
    assert len(results.read_text().splitlines()) == 3
