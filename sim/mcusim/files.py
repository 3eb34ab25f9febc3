"""Paths the user names on the command line: one checked, one-line error for each way a file or
folder can be unusable, shared by every command (targets, models, --input, --stdin, --json,
exports, -o/--build-dir), so the messages read the same everywhere and come before a long run."""
from __future__ import annotations

import os
from pathlib import Path

from mcusim.errors import BadInput


def _label(what: str, path: Path) -> str:
    return f"{what} {path}" if what else str(path)


def input_file(path: str | Path, what: str = "", expected: str = "a file") -> Path:
    """A file we are about to read: it exists, is not a folder, and can be opened."""
    path = Path(path)
    label = _label(what, path)
    if path.is_dir():
        raise BadInput(f"{label}: is a directory, expected {expected}")
    if not path.exists():
        raise BadInput(f"{label}: no such file")
    if path.is_char_device() or path.is_block_device() or path.is_socket():
        # /dev/zero would be read forever; a pipe (/dev/stdin < file) ends and is fine
        raise BadInput(f"{label}: not a regular file, expected {expected}")
    if not os.access(path, os.R_OK):
        raise BadInput(f"{label}: permission denied")
    return path


def read_bytes(path: str | Path, what: str = "", expected: str = "a file") -> bytes:
    path = input_file(path, what, expected)
    try:
        return path.read_bytes()
    except OSError as e:
        raise BadInput(f"{_label(what, path)}: cannot read: {e.strerror or e}") from None


def output_file(path: str | Path, what: str = "") -> Path:
    """A file we will write after a possibly long run: refuse it now if it cannot be."""
    path = Path(path)
    label = _label(what, path)
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise BadInput(f"{label}: is a directory")
    if not parent.is_dir():
        raise BadInput(f"{label}: no such directory {str(parent)!r}")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise BadInput(f"{label}: permission denied")
    return path


def write_text(path: str | Path, text: str, what: str = "") -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as e:
        raise BadInput(f"{_label(what, Path(path))}: {e.strerror or e}") from None


def output_dir(path: str | Path, what: str = "") -> Path:
    """A folder we write into (created with its parents): one line when it cannot be."""
    path = Path(path)
    label = _label(what, path)
    if path.exists() and not path.is_dir():
        raise BadInput(f"{label}: exists and is not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise BadInput(f"{label}: cannot create the directory: {e.strerror or e}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise BadInput(f"{label}: permission denied")
    return path


def argparse_output(option: str):
    """argparse type for an output FILE option: checked before the run, in one line."""
    def check(text: str) -> Path:
        return output_file(text, option)
    return check
