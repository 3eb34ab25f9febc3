"""Parsers of command-line option values (cycles, durations, clocks, batteries, counts):
one clear BadInput or argparse error line for a bad value, shared by every command."""
from __future__ import annotations

import argparse
import math

from mcusim.errors import BadInput


def max_cycles(text: str, option: str = "--max-cycles") -> int | None:
    """A positive cycle count (1_000_000, 0x10, 1e9), or "none" for no limit at all."""
    t = text.strip().lower().replace("_", "")
    if t in ("none", "unlimited"):
        return None
    try:
        v = int(t, 0)
    except ValueError:
        try:
            f = float(t)
        except ValueError:
            f = math.nan
        if not (math.isfinite(f) and f.is_integer()):
            raise BadInput(f"{option}: expected a whole number of cycles (or 'none' for no "
                           f"limit), got {text!r}") from None
        v = int(f)
    if v <= 0:
        raise BadInput(f"{option}: expected a positive number of cycles (or 'none' for no "
                       f"limit), got {text!r}")
    return v


def until(text: str | None) -> str | None:
    if text is None:
        return None
    if not text:
        raise BadInput("--until: expected the text to wait for, got an empty string")
    return text


def _scaled(text: str, units: tuple[tuple[str, float], ...]) -> float:
    """A number with an optional unit suffix ("500ms", "80MHz"); NaN when it is not one."""
    t = text.strip().lower()
    scale = 1.0
    for suffix, mul in units:
        if t.endswith(suffix):
            t, scale = t[: -len(suffix)], mul
            break
    try:
        return float(t) * scale
    except ValueError:
        return math.nan


def duration(text: str, option: str = "--max-time") -> float:
    v = _scaled(text, (("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("min", 60.0), ("s", 1.0)))
    if not math.isfinite(v) or v <= 0:
        raise BadInput(f"{option}: expected a positive duration such as 500ms or 2s, "
                       f"got {text!r}")
    return v


def clock(text: str, option: str = "--clock") -> int:
    v = _scaled(text, (("ghz", 1e9), ("mhz", 1e6), ("khz", 1e3), ("hz", 1.0)))
    if not math.isfinite(v):
        raise BadInput(f"{option}: expected a frequency such as 80MHz or 80000000, "
                       f"got {text!r}")
    if v < 1:
        raise BadInput(f"{option}: must be at least 1 Hz, got {text!r}")
    return int(v)


def battery(text: str) -> tuple[float, float]:
    """--battery 220mAh@3V (or 1.2Ah@3.7V): capacity in mAh and voltage."""
    import re
    m = re.fullmatch(r"\s*([0-9.]+)\s*(m?ah)\s*@\s*([0-9.]+)\s*v\s*", text.lower())
    try:
        cap, volts = float(m.group(1)), float(m.group(3))
    except (AttributeError, ValueError):
        raise BadInput(f"--battery: expected a capacity and a voltage such as 220mAh@3V, "
                       f"got {text!r}") from None
    cap *= 1000.0 if m.group(2) == "ah" else 1.0
    if not (cap > 0 and volts > 0 and math.isfinite(cap) and math.isfinite(volts)):
        raise BadInput(f"--battery: capacity and voltage must be positive, got {text!r}")
    return cap, volts


def gdb_port(text: str | None) -> int | None:
    """--gdb PORT: a TCP port 1-65535, or 0 for a free one (printed when gdb is awaited)."""
    if text is None:
        return None
    try:
        v = int(text.strip(), 10)
    except ValueError:
        v = -1
    if not 0 <= v <= 65535:
        raise BadInput(f"--gdb: expected a TCP port 1-65535 (or 0 for a free one), got {text!r}")
    return v


def whole_number(minimum: int):
    """argparse type: a whole number of at least `minimum`."""
    def parse(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if v < minimum:
            raise argparse.ArgumentTypeError(f"must be {minimum} or more, got {text!r}")
        return v
    return parse


count = whole_number(0)
# --seed: numpy's generators take a non-negative integer.
seed = count
