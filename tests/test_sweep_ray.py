"""mcusim sweep on Ray (extra mcusim[ray]; skipped without it): the same 3 models x 3 boards as
the local pool, identical point for point, on a local Ray instance of 2 CPUs started once."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")

import mcusim  # noqa: E402
from mcusim.cli import main  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MCUSIM_SHARED_MODELS") or ROOT.parent / "shared" / "models")
MODELS = [SHARED / "tflite_micro" / "hello_world_int8.tflite",
          SHARED / "arm_kws" / "dnn_s_quantized.tflite",
          SHARED / "arm_kws" / "ds_cnn_s_quantized.tflite"]
BOARDS = ["stm32f4", "rp2040", "stm32h743"]


def test_unreachable_cluster_is_one_line(tmp_path, capsys):
    """Before the module's instance starts: the command itself tries to join."""
    if not MODELS[0].is_file():
        pytest.skip("shared models folder not present")
    sweep = tmp_path / "s.toml"
    sweep.write_text(f'models = ["{MODELS[0]}"]\nboards = ["stm32f4"]\n')
    for address, contains in (("127.0.0.1:1", "cannot reach a Ray cluster there"),
                              ("nowhere", "expected HOST:PORT")):
        assert main(["sweep", str(sweep), "--ray", address]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and contains in err, err
    assert not ray.is_initialized()


@pytest.fixture(scope="module")
def ray_instance():
    if not all(m.is_file() for m in MODELS):
        pytest.skip("shared models folder not present")
    import logging
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             logging_level=logging.ERROR)
    yield
    ray.shutdown()


def comparable(row: dict) -> dict:
    r = json.loads(json.dumps(row))
    r["result"].pop("host_seconds")
    r["result"]["model"].pop("cached", None)
    return r


def test_ray_equals_the_local_pool_point_for_point(ray_instance, tmp_path, capsys):
    kw = dict(requirements=["latency_ms <= 20"], objective="min energy_uj")
    models = [str(m) for m in MODELS]
    local = mcusim.sweep(models, BOARDS, jobs=2, **kw)
    on_ray = mcusim.sweep(models, BOARDS, ray=True, **kw)
    assert len(local) == 9 and all(r["status"] == "ok" for r in local)
    assert [comparable(r) for r in on_ray] == [comparable(r) for r in local]
    # the command line joins the running instance too, and resumes what it streamed
    sweep = tmp_path / "s.toml"
    sweep.write_text(f'models = ["{MODELS[0]}"]\nboards = ["stm32f4", "rp2040"]\n')
    assert main(["sweep", str(sweep), "--ray", "-q"]) == 0
    assert len((tmp_path / "s.results.jsonl").read_text().splitlines()) == 2
    assert main(["sweep", str(sweep), "--ray", "--resume"]) == 0
    assert "0 points run" in capsys.readouterr().out
    assert ray.is_initialized()           # a sweep leaves an instance it did not start running


def _task_pids() -> list[int]:
    """Ray worker processes running a sweep task now (Ray sets their title to ray::_task)."""
    pids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if (d / "cmdline").read_bytes().startswith(b"ray::_task"):
                    pids.append(int(d.name))
            except OSError:
                continue
    return pids


def test_a_killed_worker_is_retried(ray_instance):
    import os
    import signal
    import threading
    import time
    if not Path("/proc/self/cmdline").exists():
        pytest.skip("needs /proc to find the worker")
    out = {}
    t = threading.Thread(target=lambda: out.update(rows=mcusim.sweep(
        str(MODELS[2]), BOARDS, ray=True)))
    t.start()
    killed, deadline = None, time.monotonic() + 60
    while killed is None and t.is_alive() and time.monotonic() < deadline:
        pids = _task_pids()
        if pids:
            killed = pids[0]
            os.kill(killed, signal.SIGKILL)
        time.sleep(0.02)
    t.join(120)
    assert killed is not None, "no task was seen running"
    assert [r["status"] for r in out["rows"]] == ["ok"] * 3, [r["error"] for r in out["rows"]]
