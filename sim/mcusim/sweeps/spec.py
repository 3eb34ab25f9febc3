"""A sweep: models x boards x option axes, from SWEEP.toml or from the Python API.

Every problem is one BadInput line naming the file (or the argument) and the key, checked before
the first point runs: a typo must not surface after an hour of simulation.
"""
from __future__ import annotations

import glob
import hashlib
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path

from mcusim.boards import tomllib
from mcusim.errors import BadInput
from mcusim.files import input_file
from mcusim.sweeps.figures import Objective, Requirement, parse_objective, parse_requirement

TOP_KEYS = {"models", "boards", "axes", "requirements", "objective"}


def _clock(v) -> int:
    from mcusim.commands.values import clock as parse
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise BadInput(f"expected a frequency such as 80_000_000 or \"80MHz\", got {v!r}")
    return parse(str(v), "clock")


def _kernels(v) -> str:
    if v not in ("auto", "portable", "optimized"):
        raise BadInput(f"expected auto, portable or optimized, got {v!r}")
    return v


def _whole(v, what: str, positive: bool) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < (1 if positive else 0):
        raise BadInput(f"expected a whole number{' above 0' if positive else ', 0 or more'} "
                       f"({what}), got {v!r}")
    return v


def _max_cycles(v):
    if isinstance(v, str) and v.strip().lower() in ("none", "unlimited"):
        return None
    return _whole(v, "cycles, or \"none\"", positive=True)


def _max_time(v) -> float:
    from mcusim.commands.values import duration as _duration
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise BadInput(f"expected a duration such as \"500ms\" or 0.5, got {v!r}")
    return _duration(str(v), "max_time")


def _flag(v) -> bool:
    if not isinstance(v, bool):
        raise BadInput(f"expected true or false, got {v!r}")
    return v


# axis -> (RunOptions field, check/convert one value). The value kept in a point is the user's
# (e.g. "80MHz"), so tables and files show what was asked for; the converted one goes to run().
AXES = {
    "kernels": ("kernels", _kernels),
    "clock": ("clock_hz", _clock),
    "seed": ("seed", lambda v: _whole(v, "seed", positive=False)),
    "max_cycles": ("max_cycles", _max_cycles),
    "max_time": ("max_time", _max_time),
    "uart_timing": ("uart_timing", _flag),
}


def run_options(options: dict) -> dict:
    """A point's axis values -> RunOptions keyword arguments."""
    return {AXES[k][0]: AXES[k][1](v) for k, v in options.items()}


@dataclass
class Point:
    model: str                   # path the run uses (as resolved from the sweep file)
    board: str                   # board name or board TOML path
    options: dict = field(default_factory=dict)   # axis -> value as the user wrote it
    model_sha: str = ""          # content hashes: a changed file is a new point on --resume
    board_sha: str = ""

    @property
    def key(self) -> str:
        return json.dumps([self.model, self.model_sha, self.board, self.board_sha,
                           sorted(self.options.items())], sort_keys=True)

    def to_json(self) -> dict:
        return {"model": self.model, "board": self.board, "options": dict(self.options)}


@dataclass
class Sweep:
    models: list[str]
    boards: list[str]
    axes: dict[str, list]                      # axis -> values, in the order given
    requirements: list[Requirement] = field(default_factory=list)
    objective: Objective = field(default_factory=lambda: parse_objective("min latency_ms"))
    source: str = ""                           # the sweep file, for messages and outputs

    def points(self) -> list[Point]:
        """Model-major order: a model's builds for every board start early and in parallel."""
        names = list(self.axes)
        shas = {m: _sha(m) for m in self.models}
        bshas = {b: _sha(b) if is_board_file(b) else "" for b in self.boards}
        out = []
        for m, b in itertools.product(self.models, self.boards):
            for values in itertools.product(*(self.axes[n] for n in names)):
                out.append(Point(m, b, dict(zip(names, values)), shas[m], bshas[b]))
        return out


def _sha(path: str) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
    except OSError as e:
        raise BadInput(f"{path}: cannot read: {e.strerror or e}") from None


def is_board_file(board: str) -> bool:
    return board.endswith(".toml") or "/" in board


def make(models, boards, axes: dict, requirements=(), objective=None, where: str = "",
         base: Path | None = None) -> Sweep:
    """Check every part and build a Sweep. `where` prefixes messages ("sweep.toml: ");
    relative model and board paths are taken from `base` (the sweep file's folder)."""
    def err(msg: str) -> BadInput:
        return BadInput(f"{where}{msg}")

    models = [models] if isinstance(models, (str, Path)) else models
    boards = [boards] if isinstance(boards, (str, Path)) else boards
    if not isinstance(models, (list, tuple)) or not models:
        raise err("models: expected a list of model files or globs, e.g. "
                  "[\"models/*.tflite\"]")
    if not isinstance(boards, (list, tuple)) or not boards:
        raise err("boards: expected a list of board names, e.g. [\"stm32f4\", \"rp2040\"]")
    found: list[str] = []
    for m in models:
        if not isinstance(m, (str, Path)) or not str(m):
            raise err(f"models: expected file names or globs, got {m!r}")
        for p in _expand(str(m), base, err):
            if p not in found:
                found.append(p)
    from mcusim.boards import load_board
    checked: list[str] = []
    for b in boards:
        if not isinstance(b, (str, Path)) or not str(b):
            raise err(f"boards: expected board names or board TOML paths, got {b!r}")
        b = str(b)
        if is_board_file(b) and base is not None and not Path(b).is_absolute():
            b = str(base / b)
        try:
            load_board(b)
        except BadInput as e:
            raise err(f"boards: {e}") from None
        if b not in checked:
            checked.append(b)
    if not isinstance(axes, dict):
        raise err("axes: expected a table such as [axes] with kernels = [\"auto\", "
                  "\"portable\"]")
    clean: dict[str, list] = {}
    for name, values in axes.items():
        if name not in AXES:
            from mcusim.budgets import suggest
            raise err(f"unknown axis {name!r}{suggest(name, AXES)}; axes: {', '.join(AXES)}")
        values = list(values) if isinstance(values, (list, tuple)) else [values]
        if not values:
            raise err(f"axes.{name}: no values")
        for v in values:
            try:
                AXES[name][1](v)
            except BadInput as e:
                raise err(f"axes.{name}: {e}") from None
        clean[name] = values
    if isinstance(requirements, str):
        requirements = [requirements]
    if not isinstance(requirements, (list, tuple)):
        raise err("requirements: expected a list such as [\"latency_ms <= 100\"]")
    try:
        reqs = [parse_requirement(r) for r in requirements]
        obj = parse_objective(objective if objective is not None else "min latency_ms")
    except BadInput as e:
        raise err(str(e)) from None
    return Sweep(found, checked, clean, reqs, obj, where.rstrip(": "))


def _expand(pattern: str, base: Path | None, err) -> list[str]:
    full = pattern if base is None or Path(pattern).is_absolute() else str(base / pattern)
    if glob.has_magic(full):
        hits = sorted(p for p in glob.glob(full, recursive=True) if Path(p).is_file())
        if not hits:
            raise err(f"models: {pattern!r} matches no file")
        return hits
    try:
        input_file(full, "model", "a .tflite model or an ELF")
    except BadInput as e:
        raise err(f"models: {e}") from None
    return [full]


def load(path: str | Path) -> Sweep:
    path = input_file(path, expected="a sweep TOML file")
    where = f"{path}: "
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise BadInput(f"{where}cannot read: {getattr(e, 'strerror', None) or e}") from None
    except (tomllib.TOMLDecodeError, RecursionError) as e:
        raise BadInput(f"{where}not valid TOML: {e}") from None
    for key in data:
        if key not in TOP_KEYS:
            from mcusim.budgets import suggest
            raise BadInput(f"{where}unknown key {key!r}{suggest(key, TOP_KEYS)}; keys: "
                           f"{', '.join(sorted(TOP_KEYS))}")
    for key in ("models", "boards"):
        if key not in data:
            raise BadInput(f"{where}missing key {key!r}")
    return make(data["models"], data["boards"], data.get("axes", {}),
                data.get("requirements", []), data.get("objective"), where, path.parent)
