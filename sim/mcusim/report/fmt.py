"""Number formatting shared by the terminal report, the HTML page, budgets and exports."""
from __future__ import annotations


def grouped(n: int | float) -> str:
    """12345678 -> '12,345,678' (integers); floats keep one decimal."""
    if isinstance(n, float) and not n.is_integer():
        return f"{n:,.1f}"
    return f"{int(n):,}"


def human_bytes(n: int | float) -> str:
    n = float(n)
    if abs(n) < 1024:
        return f"{int(n)} B"
    for unit in ("KiB", "MiB", "GiB"):
        n /= 1024
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.1f} {unit}" if abs(n) < 100 else f"{n:.0f} {unit}"
    raise AssertionError("unreachable")


def human_time(seconds: float) -> str:
    s = abs(seconds)
    if s >= 1:
        return f"{seconds:.3f} s"
    if s >= 1e-3:
        return f"{seconds * 1e3:.3f} ms"
    if s >= 1e-6:
        return f"{seconds * 1e6:.2f} µs"
    return f"{seconds * 1e9:.0f} ns"


def human_hz(hz: int) -> str:
    if hz >= 10**6:
        v = hz / 10**6
        return f"{v:g} MHz"
    if hz >= 10**3:
        return f"{hz / 10**3:g} kHz"
    return f"{hz} Hz"


def human_energy(uj: float) -> str:
    if uj >= 1e6:
        return f"{uj / 1e6:.3f} J"
    if uj >= 1e3:
        return f"{uj / 1e3:.3f} mJ"
    return f"{uj:.2f} µJ" if uj >= 1 else f"{uj * 1e3:.1f} nJ"


def shape(dims) -> str:
    return "x".join(str(d) for d in dims) if dims else "-"


def percent(part: float, whole: float) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else "-"
