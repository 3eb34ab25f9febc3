"""Energy per cycle from the board's power figures (boards/*.toml [power]).

The datasheet gives a run current at a clock (`run_current_ma` at `run_current_at_hz`) or per MHz
(`run_ua_per_mhz`). Run current of these parts is dominated by dynamic current, proportional to
the clock, so energy per cycle = V * I / f is taken as independent of the clock. Per-class
factors (profiles/, `energy`) scale it; all are 1.0 until a published measurement is cited.
"""
from __future__ import annotations

from mcusim.errors import BadInput


def energy_per_cycle_uj(board) -> float:
    power = dict(getattr(board, "power", None) or {})
    if not power:
        return 0.0
    volts = float(power.get("voltage_v", 0.0))
    if "run_ua_per_mhz" in power:
        amps_per_hz = float(power["run_ua_per_mhz"]) * 1e-6 / 1e6
    elif "run_current_ma" in power and "run_current_at_hz" in power:
        amps_per_hz = float(power["run_current_ma"]) * 1e-3 / float(power["run_current_at_hz"])
    else:
        raise BadInput(f"board {getattr(board, 'name', '?')}: [power] needs voltage_v and "
                       "run_ua_per_mhz, or run_current_ma with run_current_at_hz")
    return volts * amps_per_hz * 1e6      # joules -> microjoules


def sleep_energy_per_cycle_uj(board) -> float:
    """Energy of one core-clock cycle asleep (WFI/WFE) from [power] sleep_ua_per_mhz; 0 when
    the board file gives no sleep figure."""
    power = dict(getattr(board, "power", None) or {})
    ua = power.get("sleep_ua_per_mhz")
    if not ua:
        return 0.0
    return float(power.get("voltage_v", 0.0)) * float(ua) * 1e-6 / 1e6 * 1e6
