"""Budgets: what a limit means, how a RunResult is measured against it, and how a miss reads.

The one comparison behind `mcusim check BUDGETS.toml` and the pytest fixture's
`result.check(...)`. A limit holds when measured <= budget * (1 + tolerance).
"""
from __future__ import annotations

import difflib
import math
from dataclasses import dataclass

from mcusim.errors import BadInput
from mcusim.report.fmt import grouped

# key -> (metric label, unit)
METRICS = {
    "max_cycles": ("cycles", "cycles"),
    "max_arena_bytes": ("arena peak", "B"),
    "max_flash_bytes": ("flash", "B"),
    "max_ram_bytes": ("RAM", "B"),
    "max_stack_bytes": ("stack peak", "B"),
    "max_energy_uj": ("energy", "µJ"),
}


class Unmeasurable(BadInput):
    """The run has no figure for this limit (e.g. an arena budget on a plain ELF)."""


def suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check_limit_value(key: str, value) -> float:
    """A limit must be a non-negative number; only energy may be fractional."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise BadInput(f"{key}: expected a number, got {value!r}")
    if value < 0:
        raise BadInput(f"{key}: must not be negative, got {value!r}")
    if isinstance(value, float) and not value.is_integer() and key != "max_energy_uj":
        raise BadInput(f"{key}: expected a whole number, got {value!r}")
    return value


def check_tolerance(value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 10:
        raise BadInput(f"tolerance: expected a relative number such as 0.05 (= 5%), got {value!r}")
    return float(value)


@dataclass
class Check:
    metric: str                  # "cycles", "layer 3 CONV_2D", "function arm_convolve_s8"
    budget: float
    measured: float
    unit: str = ""
    tolerance: float = 0.0
    path: tuple = ()             # where the limit lives: ("max_cycles",), ("layers", "3"), ...

    @property
    def allowed(self) -> float:
        return self.budget * (1 + self.tolerance)

    @property
    def exceeded(self) -> bool:
        return self.measured > self.allowed

    @property
    def headroom_pct(self) -> float:
        """How far below the budget (negative: above), as a share of the budget."""
        if self.budget == 0:
            return 0.0 if self.measured == 0 else -math.inf
        return 100.0 * (self.budget - self.measured) / self.budget

    @property
    def status(self) -> str:
        if self.exceeded:
            return "EXCEEDED"
        return "ok (within tolerance)" if self.measured > self.budget else "ok"

    def value(self, v: float) -> str:
        text = f"{v:,.1f}" if self.unit == "µJ" else grouped(v)
        return f"{text} {self.unit}" if self.unit and self.unit != "cycles" else text

    def describe(self) -> str:
        tol = f", tolerance {self.tolerance:.1%}" if self.tolerance else ""
        over = -self.headroom_pct
        rel = "over" if over > 0 else "under"
        amount = "∞" if math.isinf(over) else f"{abs(over):.1f}%"
        return (f"{self.metric}: measured {self.value(self.measured)} vs budget "
                f"{self.value(self.budget)} ({amount} {rel}{tol})")


def _arena(result) -> int:
    if "peak" in (result.arena or {}):
        return int(result.arena["peak"])
    watched = [w.get("peak", 0) for sym, w in (result.memory.watches or {}).items()
               if "arena" in sym.lower()]
    if watched:
        return int(max(watched))
    raise Unmeasurable("max_arena_bytes: this run has no arena (not a model, and no watched "
                       "symbol containing 'arena')")


def measure(result, key: str) -> float:
    if key == "max_cycles":
        return result.cycles
    if key == "max_arena_bytes":
        return _arena(result)
    if key == "max_flash_bytes":
        return result.memory.flash_used
    if key == "max_ram_bytes":
        return result.memory.ram_used
    if key == "max_stack_bytes":
        return result.memory.stack_peak
    if key == "max_energy_uj":
        return result.energy_uj
    raise BadInput(f"unknown budget {key!r}{suggest(key, METRICS)}")


def measure_layer(result, key) -> tuple[str, int]:
    """A layer budget key: a layer index, a layer's function name, or an op name (then the sum
    over every layer with that op)."""
    layers = result.layers
    if not layers:
        raise Unmeasurable(f"layers: {key!r}: this run has no layers (not a model)")
    text = str(key)
    if text.isdigit():
        for l in layers:
            if l.index == int(text):
                return f"layer {l.index} {l.op}", l.cycles
        raise Unmeasurable(f"layers: no layer {text} (the model has layers "
                           f"{layers[0].index}-{layers[-1].index})")
    for l in layers:
        if l.name and l.name == text:
            return f"layer {l.index} {l.op}", l.cycles
    same_op = [l for l in layers if l.op.upper() == text.upper()]
    if same_op:
        return (f"layers {same_op[0].op} (x{len(same_op)})" if len(same_op) > 1
                else f"layer {same_op[0].index} {same_op[0].op}"), sum(l.cycles for l in same_op)
    ops = sorted({l.op for l in layers})
    raise Unmeasurable(f"layers: no layer or op {text!r}{suggest(text.upper(), ops)}; "
                       f"ops: {', '.join(ops)}")


def measure_function(result, name: str) -> int:
    """Inclusive cycles of a function (itself plus its callees)."""
    for f in result.functions:
        if f.name == name:
            return f.total_cycles
    raise Unmeasurable(f"functions: no function {name!r} in the profile"
                       f"{suggest(name, [f.name for f in result.functions])}")


def evaluate(result, limits: dict | None = None, layers: dict | None = None,
             functions: dict | None = None, tolerance: float = 0.0) -> list[Check]:
    """Every limit against `result`, in the order given. Unknown or unmeasurable limits raise
    BadInput (one line); a miss is a Check with .exceeded set, never an exception."""
    tolerance = check_tolerance(tolerance)
    checks = []
    for key, budget in (limits or {}).items():
        if key not in METRICS:
            raise BadInput(f"unknown budget {key!r}{suggest(key, METRICS)}")
        budget = check_limit_value(key, budget)
        label, unit = METRICS[key]
        checks.append(Check(label, budget, measure(result, key), unit, tolerance, (key,)))
    for key, budget in (layers or {}).items():
        budget = check_limit_value(f"layers.{key}", budget)
        label, cycles = measure_layer(result, key)
        checks.append(Check(label, budget, cycles, "cycles", tolerance, ("layers", str(key))))
    for name, budget in (functions or {}).items():
        budget = check_limit_value(f"functions.{name}", budget)
        checks.append(Check(f"function {name}", budget, measure_function(result, name),
                            "cycles", tolerance, ("functions", name)))
    return checks


def failure_message(checks: list[Check], target: str = "") -> str:
    """The assertion message of a failed check: every exceeded budget against its measurement."""
    bad = [c for c in checks if c.exceeded]
    head = f"mcusim budget exceeded{' for ' + target if target else ''}: "
    return head + "; ".join(c.describe() for c in bad)
