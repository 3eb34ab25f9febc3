"""Exports validated structurally: speedscope schema, trace events, CSV; unwritable files."""
from __future__ import annotations

import csv
import io
import json
import os
import re
from argparse import Namespace

import pytest

from _results import CLOCK, KWS_LAYERS, elf_result, kws_result
from mcusim.cli import main
from mcusim.errors import BadInput
from mcusim.exports import FORMATS, render, write_exports


@pytest.mark.parametrize("make", [kws_result, elf_result])
def test_speedscope_sampled_profile_weighted_by_cycles(make):
    r = make()
    doc = json.loads(render("speedscope", r))
    assert doc["$schema"] == "https://www.speedscope.app/file-format-schema.json"
    frames = doc["shared"]["frames"]
    assert all(set(f) == {"name"} and isinstance(f["name"], str) for f in frames)
    assert len({f["name"] for f in frames}) == len(frames)
    (prof,) = doc["profiles"]
    assert prof["type"] == "sampled" and prof["unit"] == "none"
    assert len(prof["samples"]) == len(prof["weights"]) > 0
    assert all(0 <= i < len(frames) for s in prof["samples"] for i in s)
    assert prof["startValue"] == 0 and prof["endValue"] == sum(prof["weights"]) == r.cycles
    # root first: every sample starts at the reset handler, and stacks keep their order
    assert {frames[s[0]]["name"] for s in prof["samples"]} == {"Reset_Handler"}
    by_stack = {tuple(frames[i]["name"] for i in s): w
                for s, w in zip(prof["samples"], prof["weights"])}
    for st in r.stacks:
        assert by_stack[tuple(st["stack"])] == st["cycles"]
    assert doc["activeProfileIndex"] == 0 and doc["exporter"].startswith("mcusim ")


def test_speedscope_without_stacks_falls_back_to_flat_self_cycles():
    r = elf_result()
    r.stacks = []
    prof = json.loads(render("speedscope", r))["profiles"][0]
    assert all(len(s) == 1 for s in prof["samples"])
    assert sum(prof["weights"]) == sum(f.self_cycles for f in r.functions)


def _slices(doc):
    return [e for e in doc["traceEvents"] if e["ph"] == "X"]


def test_trace_layers_and_functions_on_simulated_time():
    r = kws_result()
    doc = json.loads(render("trace", r))
    meta = {(e["name"], e["tid"]): e["args"] for e in doc["traceEvents"] if e["ph"] == "M"}
    assert meta[("thread_name", 1)]["name"] == "layers"
    assert meta[("thread_name", 2)]["name"] == "functions"
    assert "stm32f4" in meta[("process_name", 0)]["name"]
    xs = _slices(doc)
    assert [e["ts"] for e in xs] == sorted(e["ts"] for e in xs)
    assert all({"name", "cat", "ts", "dur", "pid", "tid"} <= set(e) for e in xs)
    layers = [e for e in xs if e["cat"] == "layer"]
    assert [e["args"]["index"] for e in layers] == list(range(len(KWS_LAYERS)))
    total_us = sum(l[5] for l in KWS_LAYERS) * 1e6 / CLOCK
    assert sum(e["dur"] for e in layers) == pytest.approx(total_us, rel=1e-9)
    first = layers[0]
    assert first["ts"] == pytest.approx(r.layers[0].start_cycle * 1e6 / CLOCK)
    assert first["args"]["op"] == "CONV_2D" and first["args"]["macs"] == 320_000
    # each function slice lies inside the layer that runs it (same clock, same rounding)
    for f in (e for e in xs if e["cat"] == "function"):
        outer = [l for l in layers if l["ts"] <= f["ts"] and f["ts"] + f["dur"] <= l["ts"] + l["dur"]]
        assert len(outer) == 1, f["name"]


def test_trace_builds_layer_slices_when_the_profiler_recorded_none():
    r = kws_result()
    r.events = [e for e in r.events if e["cat"] != "layer"]
    layers = [e for e in _slices(json.loads(render("trace", r))) if e["cat"] == "layer"]
    assert len(layers) == len(KWS_LAYERS)
    assert layers[-1]["args"]["cycles"] == KWS_LAYERS[-1][5]


def test_csv_per_layer_for_a_model():
    rows = list(csv.DictReader(io.StringIO(render("csv", kws_result()))))
    assert [r["op"] for r in rows] == [l[0] for l in KWS_LAYERS]
    assert sum(int(r["cycles"]) for r in rows) == sum(l[5] for l in KWS_LAYERS)
    assert rows[0]["input_shapes"] == "1x49x10x1" and rows[0]["output_shape"] == "1x25x5x64"
    assert float(rows[2]["macs_per_cycle"]) == pytest.approx(512_000 / 702_115, abs=1e-4)
    assert sum(float(r["share_pct"]) for r in rows) == pytest.approx(100, abs=0.1)


def test_csv_per_function_for_an_elf():
    r = elf_result()
    rows = list(csv.DictReader(io.StringIO(render("csv", r))))
    assert rows[0]["name"] == "crc32" and rows[0]["calls"] == "64"
    assert {x["name"] for x in rows} == {f.name for f in r.functions}
    assert sum(int(x["self_cycles"]) for x in rows) == r.cycles


def test_write_exports_writes_every_requested_file(tmp_path):
    args = Namespace(**{name: tmp_path / f"out.{name}" for name in FORMATS})
    write_exports(args, kws_result())
    for name in FORMATS:
        assert (tmp_path / f"out.{name}").stat().st_size > 100


def test_write_error_is_one_line(tmp_path):
    target = tmp_path / "gone" / "t.json"
    with pytest.raises(BadInput, match=r"^--trace .*t\.json: No such file or directory$"):
        write_exports(Namespace(trace=target, speedscope=None, csv=None, html=None), elf_result())


@pytest.mark.parametrize("option", sorted(FORMATS))
def test_unwritable_export_file_refused_before_the_run(tmp_path, capsys, option):
    # The check happens while parsing arguments, before (possibly long) simulation.
    code = main(["run", str(tmp_path / "never-run.elf"), f"--{option}",
                 str(tmp_path / "no" / "such" / "dir" / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith(f"mcusim: error: --{option} ")
    assert "no such directory" in err
    code = main(["run", str(tmp_path / "never-run.elf"), f"--{option}", str(tmp_path)])
    assert code == 2 and "is a directory" in capsys.readouterr().err


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_permission_denied(tmp_path, capsys):
    ro = tmp_path / "ro"
    ro.mkdir(mode=0o500)
    assert main(["run", "x.elf", "--csv", str(ro / "a.csv")]) == 2
    assert "permission denied" in capsys.readouterr().err


def test_json_schema_doc_lists_every_field():
    """docs/json-schema.md must name every field RunResult.to_json() writes."""
    import dataclasses
    from pathlib import Path

    from mcusim import result as res

    doc = (Path(__file__).resolve().parent.parent / "docs" / "json-schema.md").read_text()
    documented = set(re.findall(r"`([a-z_]+)`", doc))
    dumped = kws_result().to_json()
    names = set(dumped) | set(dumped["layers"][0])
    for cls in (res.RunResult, res.MemoryStat, res.Section, res.Stop, res.FunctionStat,
                res.LayerStat):
        names |= {f.name for f in dataclasses.fields(cls)}
    names -= {"events", "stacks"}            # not in the JSON: exported by --trace/--speedscope
    assert names - documented == set()


def test_real_run_writes_consistent_exports(firmware, tmp_path, capsys):
    """End to end on a real ELF: the report and every export agree with the --json figures."""
    elf = firmware("hello.c")
    out = {name: tmp_path / f"hello.{name}" for name in ("json", *FORMATS)}
    code = main(["run", str(elf), *[a for name, p in out.items() for a in (f"--{name}", str(p))]])
    report = capsys.readouterr().out
    assert code == 0
    data = json.loads(out["json"].read_text())
    assert f"{data['cycles']:,}" in report and "hello from mcusim" in report
    ss = json.loads(out["speedscope"].read_text())["profiles"][0]
    assert ss["endValue"] == sum(ss["weights"]) == data["cycles"]
    xs = _slices(json.loads(out["trace"].read_text()))
    assert xs and [e["ts"] for e in xs] == sorted(e["ts"] for e in xs)
    assert max(e["ts"] + e["dur"] for e in xs) <= data["time_s"] * 1e6 * (1 + 1e-9)
    rows = list(csv.DictReader(io.StringIO(out["csv"].read_text())))
    assert {r["name"] for r in rows} == {f["name"] for f in data["functions"]}
    assert "<!DOCTYPE html>" in out["html"].read_text()
