"""--ray [ADDRESS]: the points as Ray tasks, on a local Ray instance or a cluster.

No shared filesystem is assumed: each task gets the model's bytes (and a board TOML's, for a
board given as a file) through Ray's object store, put once per file, and writes them into the
node's own cache folder (mcusim's cache_dir()/sweep-files/<sha256>/<name>) before running the
same `run_point` as the local pool. So each node keeps its own build cache, and the model's file
name (hence the cache entry's name) is the same everywhere. The record then names the user's
paths again, so it equals the local one field for field. Ray retries a task whose worker died
(MAX_RETRIES); a point lost more often than that is recorded as an error.

Nodes need the same mcusim (and arm-none-eabi-gcc) installed: tasks import it there.
"""
from __future__ import annotations

import hashlib
import logging
import os
import socket
import tempfile
from pathlib import Path

from mcusim.errors import BadInput
from mcusim.sweeps.pool import lost

MAX_RETRIES = 3
CONNECT_TIMEOUT_S = 5.0


def import_ray():
    try:
        import ray
    except ImportError:
        raise BadInput("--ray: Ray is not installed; install the extra: "
                       "pip install 'mcusim[ray]'") from None
    return ray


def _check_reachable(address: str) -> None:
    """One line at once for an address nobody answers on (ray.init would retry for a minute)."""
    if address in ("auto", "local"):
        return
    hostport = address.split("://", 1)[-1].rstrip("/")
    host, sep, port = hostport.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise BadInput(f"--ray {address}: expected HOST:PORT (e.g. 10.0.0.5:6379), "
                       f"ray://HOST:PORT or auto")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), CONNECT_TIMEOUT_S):
            pass
    except OSError as e:
        raise BadInput(f"--ray {address}: cannot reach a Ray cluster there: "
                       f"{e.strerror or e}") from None


def _local_file(data: bytes, name: str) -> str:
    """The shipped bytes as a file on this node, written once (atomically) per content."""
    from mcusim.paths import cache_dir
    folder = cache_dir() / "sweep-files" / hashlib.sha256(data).hexdigest()[:24]
    path = folder / name
    if not path.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".part-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    return str(path)


def _task(point: dict, model: bytes, board: bytes | None) -> dict:
    """Runs on a Ray worker. Ray resolved the object references to the files' bytes."""
    from mcusim.sweeps.worker import run_point
    here = dict(point, model=_local_file(model, Path(point["model"]).name))
    if board is not None:
        here["board"] = _local_file(board, Path(point["board"]).name)
    rec = run_point(here)
    rec["point"] = {k: point[k] for k in ("model", "board", "options")}
    res = rec.get("result")
    if res:
        for holder, key in ((res, "target"), (res.get("model") or {}, "path")):
            if holder.get(key) == here["model"]:
                holder[key] = point["model"]
    return rec


def run_ray(points: list[dict], address: str | None, jobs: int | None, on_record,
            board_file, tick=None) -> None:
    """board_file(board) -> True for a board given as a TOML file (shipped with the task)."""
    ray = import_ray()
    started = False
    if not ray.is_initialized():
        if address:
            _check_reachable(address)
        kwargs = dict(include_dashboard=False, log_to_driver=False,
                      logging_level=logging.ERROR)
        if not address:
            kwargs["num_cpus"] = jobs or os.cpu_count() or 1
        try:
            ray.init(address=address or None, **kwargs)
        except Exception as e:  # noqa: BLE001 - Ray raises many kinds; each is one line
            raise BadInput(f"--ray{' ' + address if address else ''}: cannot start or join "
                           f"Ray: {' '.join(str(e).split())[:300]}") from None
        started = True
    task = ray.remote(num_cpus=1, max_retries=MAX_RETRIES, retry_exceptions=False)(_task)
    shipped: dict[str, object] = {}

    def ref(path: str):
        if path not in shipped:
            shipped[path] = ray.put(Path(path).read_bytes())
        return shipped[path]

    pending = {}
    try:
        for p in points:
            board = ref(p["board"]) if board_file(p["board"]) else None
            pending[task.remote(p, ref(p["model"]), board)] = p
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1, timeout=0.5)
            if tick:
                tick()
            for r in ready:
                p = pending.pop(r)
                try:
                    rec = ray.get(r)
                except (ray.exceptions.WorkerCrashedError, ray.exceptions.NodeDiedError,
                        ray.exceptions.ObjectLostError) as e:
                    rec = lost(p, f"Ray worker lost {MAX_RETRIES + 1} times: {type(e).__name__}")
                except ray.exceptions.RayError as e:
                    rec = lost(p, "Ray: " + " ".join(str(e).split())[:300])
                on_record(rec)
    except BaseException:
        for r in pending:
            try:
                ray.cancel(r, force=True)
            except Exception:  # noqa: BLE001
                pass
        raise
    finally:
        if started:
            ray.shutdown()
