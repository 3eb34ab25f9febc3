"""The figures a sweep ranks and filters points by, read from `mcusim run --json`'s object, and
the requirement ("latency_ms <= 100") and objective ("min energy_uj") expressions over them."""
from __future__ import annotations

import math
import operator
import re
from dataclasses import dataclass

from mcusim.errors import BadInput


def _arena(r: dict):
    a = r.get("arena") or {}
    return a.get("peak", a.get("planned")) if a else None


def _macs(r: dict):
    return sum(l.get("macs", 0) for l in r.get("layers") or []) if r.get("layers") else None


def _weights(r: dict):
    return ((r.get("memory") or {}).get("flash_split") or {}).get("weights")


# name -> (unit, meaning, figure of a run's JSON object; None when the run has none)
FIGURES = {
    "latency_ms": ("ms", "time of the run at the board's clock, start-up included",
                   lambda r: r["time_s"] * 1e3),
    "cycles": ("", "core cycles", lambda r: r["cycles"]),
    "instructions": ("", "instructions executed", lambda r: r["instructions"]),
    "energy_uj": ("µJ", "modelled energy of the run", lambda r: r["energy_uj"]),
    "average_power_mw": ("mW", "energy / time", lambda r: r["average_power_mw"]),
    "flash_bytes": ("B", "boot flash used", lambda r: r["memory"]["flash_used"]),
    "flash_free_bytes": ("B", "boot flash left",
                         lambda r: r["memory"]["flash_size"] - r["memory"]["flash_used"]),
    "ram_bytes": ("B", "static RAM used in the main SRAM (with stack and heap regions)",
                  lambda r: r["memory"]["ram_used"]),
    "ram_free_bytes": ("B", "main SRAM left",
                       lambda r: r["memory"]["ram_size"] - r["memory"]["ram_used"]),
    "stack_bytes": ("B", "stack high-water mark", lambda r: r["memory"]["stack_peak"]),
    "arena_bytes": ("B", "tensor arena high-water mark (models)", _arena),
    "weights_bytes": ("B", "model weights in flash (models)", _weights),
    "macs": ("", "multiply-accumulates of all layers (models)", _macs),
    "clock_mhz": ("MHz", "core clock at the end of the run", lambda r: r["clock_hz"] / 1e6),
}


def figures(result: dict) -> dict:
    return {name: f(result) for name, (_, _, f) in FIGURES.items()}


def _unknown(name: str) -> BadInput:
    from mcusim.budgets import suggest
    return BadInput(f"unknown figure {name!r}{suggest(name, FIGURES)}; figures: "
                    f"{', '.join(FIGURES)}")


OPS = {"<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt,
       "==": operator.eq, "!=": operator.ne}
_REQ = re.compile(r"^\s*([A-Za-z_]\w*)\s*(<=|>=|==|!=|<|>)\s*([-+]?[\d_]*\.?[\d_]+(?:[eE][-+]?\d+)?)"
                  r"\s*$")


@dataclass(frozen=True)
class Requirement:
    text: str
    figure: str
    op: str
    value: float

    def holds(self, figs: dict) -> bool:
        v = figs.get(self.figure)
        return v is not None and OPS[self.op](v, self.value)


def parse_requirement(text) -> Requirement:
    if not isinstance(text, str):
        raise BadInput(f"requirements: expected text such as \"latency_ms <= 100\", got {text!r}")
    m = _REQ.match(text)
    if not m:
        raise BadInput(f"requirement {text!r}: expected FIGURE OP NUMBER, e.g. "
                       f"\"latency_ms <= 100\" (OP one of {' '.join(OPS)})")
    name, op, num = m.groups()
    if name not in FIGURES:
        raise _unknown(name)
    value = float(num.replace("_", ""))
    if not math.isfinite(value):
        raise BadInput(f"requirement {text!r}: the number must be finite")
    return Requirement(" ".join((name, op, num)), name, op, value)


@dataclass(frozen=True)
class Objective:
    figure: str
    maximize: bool = False

    @property
    def text(self) -> str:
        return f"{'max' if self.maximize else 'min'} {self.figure}"

    def sort_value(self, figs: dict) -> float:
        v = figs.get(self.figure)
        if v is None:
            return math.inf
        return -v if self.maximize else v


def parse_objective(text) -> Objective:
    if not isinstance(text, str) or not text.split():
        raise BadInput(f"objective: expected \"min FIGURE\" or \"max FIGURE\", got {text!r}")
    parts = text.split()
    if len(parts) == 1:
        parts = ["min", parts[0]]
    if len(parts) != 2 or parts[0] not in ("min", "max"):
        raise BadInput(f"objective {text!r}: expected \"min FIGURE\" or \"max FIGURE\"")
    if parts[1] not in FIGURES:
        raise _unknown(parts[1])
    return Objective(parts[1], parts[0] == "max")
