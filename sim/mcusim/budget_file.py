"""BUDGETS.toml: reading and validating `[[budget]]` entries, and rewriting measured figures.

Every problem in the file is one BadInput line naming the file, the entry (1-based, in file
order) and the key, e.g. "budgets.toml: budget #2: unknown key 'max_cycle'".
tomlkit keeps comments, order and number style when `--update` rewrites the file.
"""
from __future__ import annotations

import math

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import Integer

from mcusim.budgets import METRICS, check_limit_value, check_tolerance, suggest
from mcusim.errors import BadInput
from mcusim.files import input_file

RUN_KEYS = {"target", "board", "name", "tolerance", "clock", "kernels", "seed", "input"}
TABLE_KEYS = {"layers", "functions"}
ENTRY_KEYS = RUN_KEYS | TABLE_KEYS | set(METRICS)
TOP_KEYS = {"budget", "tolerance"}


@dataclass
class Entry:
    number: int                  # 1-based position in the file, for messages
    target: Path                 # resolved against the file's folder
    board: str
    name: str = ""
    tolerance: float = 0.0
    limits: dict = field(default_factory=dict)      # max_* -> number
    layers: dict = field(default_factory=dict)      # index / op / layer name -> cycles
    functions: dict = field(default_factory=dict)   # function name -> inclusive cycles
    options: dict = field(default_factory=dict)     # RunOptions fields

    @property
    def label(self) -> str:
        return self.name or self.target.name


@dataclass
class BudgetFile:
    path: Path
    doc: tomlkit.TOMLDocument
    entries: list[Entry]

    def error(self, message: str, entry: int | None = None) -> BadInput:
        where = f"budget #{entry}: " if entry else ""
        return BadInput(f"{self.path}: {where}{message}")


def load(path: str | Path) -> BudgetFile:
    path = input_file(path, expected="a budgets TOML file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise BadInput(f"{path}: cannot read: {getattr(e, 'strerror', None) or e}") from None
    try:
        doc = tomlkit.parse(text)
    except (TOMLKitError, RecursionError) as e:
        raise BadInput(f"{path}: not valid TOML: {e}") from None
    bf = BudgetFile(path, doc, [])
    data = doc.unwrap()
    for key in data:
        if key not in TOP_KEYS:
            raise bf.error(f"unknown top-level key {key!r}{suggest(key, TOP_KEYS)}; "
                           "budgets go in [[budget]] entries")
    default_tol = _check(bf, None, lambda: check_tolerance(data.get("tolerance", 0.0)))
    entries = data.get("budget")
    if not isinstance(entries, list) or not entries or not all(isinstance(e, dict)
                                                               for e in entries):
        raise bf.error("no [[budget]] entries (each starts with a [[budget]] line)")
    bf.entries = [_entry(bf, i, e, default_tol) for i, e in enumerate(entries, 1)]
    return bf


def _check(bf: BudgetFile, number: int | None, fn):
    try:
        return fn()
    except BadInput as e:
        raise bf.error(str(e), number) from None


def _entry(bf: BudgetFile, n: int, raw: dict, default_tol: float) -> Entry:
    for key in raw:
        if key not in ENTRY_KEYS:
            raise bf.error(f"unknown key {key!r}{suggest(key, ENTRY_KEYS)}", n)
    for key in ("target", "board"):
        if key not in raw:
            raise bf.error(f"missing key {key!r}", n)
        if not isinstance(raw[key], str) or not raw[key]:
            raise bf.error(f"{key}: expected a string, got {raw[key]!r}", n)
    target = (bf.path.parent / raw["target"])
    if not target.exists():
        raise bf.error(f"target {raw['target']!r}: no such file (relative to {bf.path})", n)
    if target.is_dir():
        raise bf.error(f"target {raw['target']!r}: is a directory, expected an ELF or a "
                       f".tflite model", n)
    if not isinstance(raw.get("name", ""), str):
        raise bf.error(f"name: expected a string, got {raw['name']!r}", n)
    e = Entry(n, target, _board(bf, n, raw["board"]), str(raw.get("name", "")))
    e.tolerance = _check(bf, n, lambda: check_tolerance(raw.get("tolerance", default_tol)))
    e.limits = {k: _check(bf, n, lambda k=k: check_limit_value(k, raw[k]))
                for k in raw if k in METRICS}
    for table in TABLE_KEYS:
        if table not in raw:
            continue
        if not isinstance(raw[table], dict) or not raw[table]:
            raise bf.error(f"{table}: expected a table such as [budget.{table}] with "
                           "name = cycles", n)
        setattr(e, table, {k: _check(bf, n, lambda k=k, v=v: check_limit_value(f"{table}.{k}", v))
                           for k, v in raw[table].items()})
    if not (e.limits or e.layers or e.functions):
        raise bf.error(f"no limits (give any of {', '.join(METRICS)}, [budget.layers] or "
                       "[budget.functions])", n)
    e.options = _check(bf, n, lambda: _options(bf, raw))
    return e


def _board(bf: BudgetFile, n: int, board: str) -> str:
    """A board name, or a TOML path relative to the budget file (like target; else to the
    working folder). Checked now: a bad board must not wait for the earlier entries' runs."""
    from mcusim.boards import load_board
    if board.endswith(".toml") or "/" in board:
        beside = bf.path.parent / board
        if beside.is_file():
            board = str(beside)
    _check(bf, n, lambda: load_board(board))
    return board


def _options(bf: BudgetFile, raw: dict) -> dict:
    opts = {}
    if "clock" in raw:
        from mcusim.commands.values import clock as _clock
        if isinstance(raw["clock"], bool) or not isinstance(raw["clock"], (int, float, str)):
            raise BadInput(f"clock: expected a frequency such as 80_000_000 or \"80MHz\", "
                           f"got {raw['clock']!r}")
        opts["clock_hz"] = _clock(str(raw["clock"]), "clock")
    if "kernels" in raw:
        if raw["kernels"] not in ("auto", "portable", "optimized"):
            raise BadInput(f"kernels: expected auto, portable or optimized, got {raw['kernels']!r}")
        opts["kernels"] = raw["kernels"]
    if "seed" in raw:
        if isinstance(raw["seed"], bool) or not isinstance(raw["seed"], int) or raw["seed"] < 0:
            raise BadInput(f"seed: expected a whole number, 0 or more, got {raw['seed']!r}")
        opts["seed"] = raw["seed"]
    if "input" in raw:
        if not isinstance(raw["input"], str) or not raw["input"]:
            raise BadInput(f"input: expected the path of a .npy file, got {raw['input']!r}")
        p = bf.path.parent / raw["input"]
        if not p.is_file():
            raise BadInput(f"input {raw['input']!r}: no such file (relative to {bf.path})")
        opts["input_path"] = p
    return opts


def _new_value(old, value):
    """The measured figure in the style of the one it replaces (1_200_000 stays grouped)."""
    if isinstance(value, float):
        # Rounded up, so that a budget written from a measurement holds for that measurement.
        return math.ceil(value * 10) / 10
    if isinstance(old, Integer) and "_" in old.as_string():
        return Integer(value, old.trivia, f"{value:_}")
    return value


def set_measured(bf: BudgetFile, entry: Entry, path: tuple, value) -> None:
    table = bf.doc["budget"][entry.number - 1]
    for part in path[:-1]:
        table = table[part]
    table[path[-1]] = _new_value(table[path[-1]], value)


def save(bf: BudgetFile) -> None:
    """Write the document atomically: a temporary file beside it, then rename over it."""
    text = tomlkit.dumps(bf.doc)
    folder = bf.path.parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{bf.path.name}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, os.stat(bf.path).st_mode & 0o7777)
            os.replace(tmp, bf.path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError as e:
        raise BadInput(f"{bf.path}: cannot update: {e.strerror or e}") from None
