"""Value Change Dump (IEEE 1364-2005 §18) of a run's waveform: the GPIO pins that changed and
the exceptions that were active (1 while the handler runs), for GTKWave or Surfer.

The waveform comes from mcusim.sim.signals through RunResult.waveform (times in picoseconds).
No $date: the same run writes the same file.
"""
from __future__ import annotations

import io

from mcusim import __version__

SCOPES = (("gpio", "gpio"), ("irq", "irq"))    # (signal kind, VCD scope name)


def _ident(i: int) -> str:
    """Identifier codes: printable ASCII 33-126 (§18.2.1), shortest first."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 94)
        out = chr(33 + r) + out
    return out


def render(result) -> str:
    w = result.waveform or {"timescale": "1ps", "signals": [], "changes": [], "end": 0}
    out = io.StringIO()
    out.write(f"$version mcusim {__version__} $end\n")
    out.write(f"$comment board {result.board}, {result.target} $end\n")
    out.write(f"$timescale {w['timescale']} $end\n")
    scope = "".join(c if c.isalnum() or c == "_" else "_" for c in result.board) or "chip"
    out.write(f"$scope module {scope} $end\n")
    ids: dict[str, str] = {}
    for kind, name in SCOPES:
        sigs = [s for s in w["signals"] if s["kind"] == kind]
        if not sigs:
            continue
        out.write(f"$scope module {name} $end\n")
        for s in sigs:
            ids[s["name"]] = _ident(len(ids))
            out.write(f"$var wire 1 {ids[s['name']]} {s['name']} $end\n")
        out.write("$upscope $end\n")
    out.write("$upscope $end\n$enddefinitions $end\n")
    out.write("#0\n$dumpvars\n")
    for s in w["signals"]:
        out.write(f"{s['initial']}{ids[s['name']]}\n")
    out.write("$end\n")
    last = 0
    for t, name, level in sorted(w["changes"], key=lambda c: c[0]):
        if t != last:
            out.write(f"#{t}\n")
            last = t
        out.write(f"{level}{ids[name]}\n")
    if w["end"] > last:
        out.write(f"#{w['end']}\n")
    return out.getvalue()


def write(result, path, what: str = "--vcd") -> None:
    from mcusim.files import write_text
    write_text(path, render(result), what)
