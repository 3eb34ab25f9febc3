"""Rich terminal report of a RunResult: header, totals, memory, functions, layers, arena.

At most 100 columns wide; when stdout is not a terminal rich emits no colour codes.
"""
from __future__ import annotations

import sys

from rich.console import Console, Group
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from mcusim.report.arena_view import arena_picture, arena_summary
from mcusim.report.fmt import grouped, human_energy, human_hz, human_time, percent
from mcusim.report.memory_view import memory_table
from mcusim.report.profile_view import functions_table, layers_table

WIDTH = 100


def make_console(file=None) -> Console:
    out = file or sys.stdout
    probe = Console(file=out)
    width = min(probe.width, WIDTH) if probe.is_terminal else WIDTH
    return Console(file=out, width=width, highlight=False, soft_wrap=False)


def print_report(result, top: int = 12, console: Console | None = None) -> None:
    c = console or make_console()
    c.print(_header(result))
    if result.stop.reason != "exit":
        c.print(_stop(result))
    c.print(_totals(result))
    if getattr(result, "peripherals_unmodelled", None):
        c.print(Text("peripherals touched but not modelled: "
                     + ", ".join(result.peripherals_unmodelled), style="yellow"))
    c.print(Rule("memory", style="dim", align="left"))
    c.print(memory_table(result))
    if result.functions:
        c.print(Rule("functions (by self cycles)", style="dim", align="left"))
        c.print(functions_table(result, top))
    if getattr(result, "stages", None):       # pipelines: audio -> front end -> model
        from mcusim.report.pipeline import pipeline_summary, pipeline_table
        c.print(Rule("pipeline", style="dim", align="left"))
        c.print(pipeline_table(result))
        c.print(pipeline_summary(result))
    if result.layers:
        c.print(Rule("layers", style="dim", align="left"))
        c.print(layers_table(result))
    if result.arena or (result.model or {}).get("arena_plan"):
        c.print(Rule("arena plan: tensor lifetimes (x: layers, y: offset)", style="dim",
                     align="left"))
        picture = arena_picture(result, width=c.width)
        if picture is not None:
            c.print(picture)
        c.print(arena_summary(result))


def _header(r) -> Text:
    t = Text()
    name = (r.model or {}).get("name") or r.target or r.elf
    t.append("mcusim ", style="bold")
    if name:
        t.append(f"{name} ", style="bold cyan")
    t.append(f"on {r.board} ({r.core} @ {human_hz(r.clock_hz)})  ")
    ok = r.stop.reason == "exit" and r.exit_code == 0
    t.append(f"exit {r.exit_code}", style="green" if ok else "bold red")
    t.append(f" · stop: {r.stop.reason}", style="" if r.stop.reason == "exit" else "bold red")
    return t


def _stop(r) -> Table:
    s = r.stop
    t = Table.grid(padding=(0, 1))
    t.add_column(style="bold red", no_wrap=True)
    t.add_column(overflow="fold")
    t.add_row(s.reason, s.message or "")
    if s.pc is not None:
        t.add_row("pc", f"0x{s.pc:08x} {s.where}".rstrip())
    if s.fault_address is not None:
        t.add_row("address", f"0x{s.fault_address:08x}")
    if s.call_stack:
        t.add_row("call stack", " ← ".join(reversed(s.call_stack)))
    if s.registers:
        t.add_row("registers", "  ".join(f"{k}={v:08x}" for k, v in s.registers.items()))
    return t


def _totals(r) -> Group:
    t = Table.grid(padding=(0, 3))
    for _ in range(5):
        t.add_column(no_wrap=True)
    t.add_row(Text("cycles", style="dim"), Text("instructions", style="dim"),
              Text("CPI", style="dim"), Text(f"time @ {human_hz(r.clock_hz)}", style="dim"),
              Text("energy", style="dim"))
    t.add_row(Text(grouped(r.cycles), style="bold"), grouped(r.instructions), f"{r.cpi:.3f}",
              Text(human_time(r.time_s), style="bold"), Text(human_energy(r.energy_uj),
                                                             style="bold"))
    lines = [t]
    timing = _time_line(r)
    if timing is not None:
        lines.append(timing)
    if r.cycle_breakdown:
        total = sum(r.cycle_breakdown.values()) or 1
        parts = sorted(r.cycle_breakdown.items(), key=lambda kv: -kv[1])
        lines.append(Text("cycles by class: " + " · ".join(f"{k} {percent(v, total)}"
                                                         for k, v in parts[:6]),
                          style="dim", overflow="ellipsis", no_wrap=True))
    if r.host_seconds:
        mips = r.instructions / r.host_seconds / 1e6
        lines.append(Text(f"simulated in {r.host_seconds:.2f} s on the host "
                          f"({mips:.1f} M instructions/s)", style="dim"))
    return Group(*lines)


def _time_line(r) -> Text | None:
    """Sleep, interrupts and clock changes, when the run had any."""
    parts = []
    if getattr(r, "sleep_s", 0):
        parts.append(f"active {human_time(r.active_s)} · asleep {human_time(r.sleep_s)} "
                     f"({percent(r.sleep_s, r.time_s or 1)}) · average "
                     f"{r.average_power_mw:.3g} mW")
    exc = getattr(r, "exceptions", None) or []
    if exc:
        parts.append("exceptions: " + ", ".join(f"{e['name']} x{grouped(e['count'])}"
                                                for e in exc[:6]))
    changes = getattr(r, "clock_changes", None) or []
    if len(changes) > 1:
        parts.append("clock: " + " → ".join(human_hz(c["hz"]) for c in changes[:5]) +
                     (" …" if len(changes) > 5 else ""))
    if not parts:
        return None
    return Text(" · ".join(parts), style="dim", overflow="ellipsis", no_wrap=True)
