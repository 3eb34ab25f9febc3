"""Where mcusim's data lives: inside the installed wheel (mcusim/_data) or the source checkout."""
from __future__ import annotations

import os
from pathlib import Path

_PKG = Path(__file__).resolve().parent


def data_root() -> Path:
    installed = _PKG / "_data"
    if installed.is_dir():
        return installed
    return _PKG.parent.parent  # sim/mcusim -> repository root


def boards_dir() -> Path:
    return data_root() / "boards"


def profiles_dir() -> Path:
    return data_root() / "profiles"


def firmware_dir() -> Path:
    return data_root() / "firmware"


def models_dir() -> Path:
    return data_root() / "models"


def cache_dir() -> Path:
    """Per-user cache for built firmware and the native hook library."""
    base = os.environ.get("MCUSIM_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "mcusim")
    p = Path(base)
    try:
        p.mkdir(parents=True, exist_ok=True)
        usable = os.access(p, os.W_OK | os.X_OK)
    except OSError as e:
        usable, why = False, e.strerror or str(e)
    else:
        why = "not a writable directory"
    if not usable:
        from mcusim.errors import BadInput
        raise BadInput(f"cache directory {p}: {why} (set MCUSIM_CACHE to a writable folder)")
    return p
