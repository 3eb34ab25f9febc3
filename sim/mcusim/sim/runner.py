"""run_elf: load an ELF on a board, run it under the profiler, and gather every figure."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Callable

from mcusim.boards import Board
from mcusim.errors import EXIT_FAULT, EXIT_LIMIT
from mcusim.result import RunResult, Stop
from mcusim.sim import memory as mem
from mcusim.sim.elf import load_elf
from mcusim.sim.faults import format_stop
from mcusim.sim.machine import Machine
from mcusim.sim import bitband, clocktree, svd
from mcusim.report.progress import Progress


def run_elf(path: str | Path, board: Board, options, setup: Callable | None = None,
            teardown: Callable | None = None, watch_defaults: tuple[str, ...] = ()) -> RunResult:
    from mcusim.cost.profiler import Profiler

    t0 = time.perf_counter()
    elf = load_elf(path)
    mem.check_placement(elf, board)
    watch_targets = mem.watch_targets(elf, list(getattr(options, "watch", []) or []), board,
                                      tuple(watch_defaults))
    m = Machine(board, elf, stdin=options.stdin, argv=list(options.argv),
                echo_stdout=options.echo_stdout, clock_hz=getattr(options, "clock_hz", None),
                until=getattr(options, "until", None))
    m.uart_timing = bool(getattr(options, "uart_timing", False))   # console UART frame times
    # Every other register of the board's peripherals: the SVD register file (fallback).
    svd_regs, svd_notes = svd.install(m, strict=bool(getattr(options, "strict_peripherals",
                                                             False)))
    m.load()
    vec = m.vector_reset()
    initial_sp = vec[0] if vec else board.ram.end
    layout = mem.Layout.of(elf, board, initial_sp)
    m.layout = layout
    # Paint the stack and the free RAM below it (the heap) before reset: start-up code never
    # touches them, so every byte that changes was written by the program.
    paint_lo = min(layout.heap_base, layout.stack_limit)
    if paint_lo < layout.stack_top:
        m.write(paint_lo, mem.pattern(paint_lo, layout.stack_top - paint_lo))

    profiler = Profiler(m.uc, board, elf, max_cycles=options.max_cycles)
    m.attach_profiler(profiler)
    clocktree.install(m)     # RCC/PWR/FLASH, CLOCK, XOSC/PLL...: after the profiler (wait states)
    if board.bitband:
        bitband.install(m)   # after every device: its aliases reach them through the bus
    profiler.install(trap_hook=False)
    _paint_watches_at_main(m, elf, watch_targets)
    if setup is not None:
        setup(m)
    _, pc = m.reset()
    max_time = getattr(options, "max_time", None)
    if max_time:
        _stop_after(m, max_time)
    try:
        if getattr(options, "gdb_port", None) is not None:
            from mcusim.sim.gdbserver import serve
            serve(m, options.gdb_port)       # gdb drives the run (--gdb PORT)
        else:
            # Unicorn releases the GIL while it runs, so a thread can show the live counters.
            with Progress(bool(getattr(options, "progress", False)), board.clock_hz).watching(
                    lambda: (profiler.cycles, profiler.instructions)):
                m.run(pc)
    finally:
        m.semihosting.close_all()
        _flush()
    if m.stop is None:
        if profiler.limit_hit or m.limit_reached:
            m.stop = Stop(reason="max_cycles", message=_limit_message(profiler.cycles,
                                                                      options.max_cycles),
                          pc=m.reg("pc"), where=elf.symbolize(m.reg("pc")),
                          call_stack=m.call_stack_names())
        else:
            m.fault("fault", "the core stopped without exiting")
    if teardown is not None:
        teardown(m)
    profile = profiler.finish()
    stop = m.stop
    exit_code = {"exit": m.exit_code, "max_cycles": EXIT_LIMIT, "max_time": EXIT_LIMIT,
                 "debugger": EXIT_LIMIT, "until": 0}.get(stop.reason, EXIT_FAULT)

    stats = mem.sections_and_usage(elf, board, layout)
    sleep_uj = _sleep_energy_uj(board, m)
    warnings = m.warnings + _memory_figures(m, layout, watch_targets, stats) + svd_notes
    if options.echo_stdout:
        end_partial_lines(m.stdout, m.stderr)
    if stop.reason not in ("exit", "until") and options.echo_stdout:
        for line in (format_stop(stop) if stop.reason in ("fault", "hang") else [stop.message]):
            print(f"mcusim: {line}", file=sys.stderr)
    if options.echo_stdout:
        for w in warnings:
            print(f"mcusim: warning: {w}", file=sys.stderr)
    end = m.now()
    clock = m.clock
    return RunResult(
        board=board.name, core=board.core, clock_hz=clock.hz, exit_code=exit_code,
        time_total_s=clock.seconds(0, end), sleep_cycles=m.slept,
        sleep_s=_sleep_seconds(m), clock_changes=[
            {"cycle": c.tick, "hz": c.hz, "why": c.why} for c in clock.changes],
        exceptions=_exception_stats(m), energy_sleep_uj=sleep_uj,
        cycles=profile.cycles, instructions=profile.instructions,
        energy_uj=profile.energy_uj + sleep_uj,
        memory=stats, stop=stop, stdout=m.stdout.decode("utf-8", "replace"),
        stderr=m.stderr.decode("utf-8", "replace"), warnings=warnings,
        functions=profile.functions,
        energy_breakdown={**profile.energy_breakdown, **({"sleep": sleep_uj} if sleep_uj else {})},
        cycle_breakdown=profile.cycle_breakdown, stacks=profile.stacks, events=profile.events,
        target=str(path), elf=str(path), host_seconds=time.perf_counter() - t0,
        waveform=m.signals.waveform(clock.seconds, end),
        peripherals_unmodelled=list(svd_regs.touched) if svd_regs is not None else [])


def end_partial_lines(stdout: bytes, stderr: bytes) -> None:
    """Firmware output that stopped mid-line (a fault, the cycle limit, no final newline): end
    the line on stderr, so that our own lines (fault report, warnings) start on a line of their
    own. stdout itself is left byte-exact; a partial stdout line is ended (on stderr) only
    where the two meet: a terminal, or both redirected to one file (2>&1)."""
    if (stderr and not stderr.endswith(b"\n")) or \
            (stdout and not stdout.endswith(b"\n") and stdout_meets_stderr()):
        try:
            sys.stderr.write("\n")
            sys.stderr.flush()
        except (OSError, ValueError):
            pass


def stdout_meets_stderr() -> bool:
    """Does text on stderr land right after text on stdout (a terminal, or 2>&1)?"""
    try:
        if sys.stdout.isatty():
            return True
        a, b = os.fstat(sys.stdout.fileno()), os.fstat(sys.stderr.fileno())
        return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)
    except (OSError, ValueError, AttributeError):
        return False


def _limit_message(cycles: int, limit: int) -> str:
    import mcusim.api
    if limit == mcusim.api.DEFAULT_MAX_CYCLES:
        return (f"stopped after {cycles:,} cycles, the default limit; the program did not "
                f"exit (raise it with --max-cycles N, or lift it with --max-cycles none)")
    return f"stopped after {cycles:,} cycles (--max-cycles {limit:,}); the program did not exit"


def _paint_watches_at_main(m: Machine, elf, targets: dict[str, tuple[int, int]]) -> None:
    """Watched buffers are painted when main starts, after start-up code zeroed .bss, so that
    only the program's own writes count. A buffer that no longer holds what start-up code left
    there (a C++ constructor already wrote it) is not painted: painting would overwrite the
    program's data. Without a main symbol they are painted at reset."""
    painted = False

    def paint(machine: Machine) -> None:
        nonlocal painted
        if painted:              # main may be re-entered; only its first start counts
            return
        painted = True
        for name, (addr, size) in list(targets.items()):
            if machine.read(addr, size) != mem.initial_bytes(elf, addr, size):
                machine.warn(f"--watch {name}: written before main (by start-up code or a "
                             f"constructor), so not painted; no high-water mark")
                del targets[name]
                continue
            machine.write(addr, mem.pattern(addr, size))

    if not targets:
        return
    main = elf.symbol("main")
    if main is None:
        paint(m)
    else:
        m.add_breakpoint(main, paint)


def _memory_figures(m: Machine, lay: mem.Layout, targets, stats) -> list[str]:
    warnings: list[str] = []
    heap_end = _heap_end(m, lay)
    stats.heap_peak = max(0, heap_end - lay.heap_base) if heap_end else 0
    # The stack: the lowest painted byte that changed, above whatever the heap reached.
    lo = max(heap_end or 0, min(lay.heap_base, lay.stack_limit))
    if lo < lay.stack_top:
        ext = mem.written_extent(lo, m.read(lo, lay.stack_top - lo))
        stats.stack_peak = lay.stack_top - (lo + ext[0]) if ext else 0
        if ext and ext[0] == 0 and not lay.stack_size:
            warnings.append(f"stack overflow: the stack used all free RAM down to "
                            f"{lo:#010x}, the end of the static data and heap")
    from unicorn.arm_const import UC_ARM_REG_MSP
    sp = m.uc.reg_read(UC_ARM_REG_MSP)     # the main stack (threads may be on PSP)
    if lay.stack_size and (stats.stack_peak > lay.stack_size or sp < lay.stack_limit):
        warnings.append(f"stack overflow: the stack used {stats.stack_peak:,} bytes, past its "
                        f"{lay.stack_size:,}-byte region ({lay.stack_limit:#010x}-"
                        f"{lay.stack_top:#010x})")
    for name, (addr, size) in targets.items():
        ext = mem.written_extent(addr, m.read(addr, size))
        stats.watches[name] = {"address": addr, "size": size, "peak": ext[1] + 1 if ext else 0}
    return warnings


def _heap_end(m: Machine, lay: mem.Layout) -> int:
    """newlib's sbrk keeps its break in a static `heap_end` (libgloss/libnosys _sbrk)."""
    for name, addr, size in m.elf.objects:
        if (name == "heap_end" or name.startswith("heap_end.")) and size == 4:
            v = m.read_u32(addr)
            if lay.heap_base <= v <= lay.stack_top:
                return v
    return 0


def _flush() -> None:
    for s in (sys.stdout, sys.stderr):
        try:
            s.flush()
        except Exception:  # noqa: BLE001
            pass


def _stop_after(m: Machine, seconds: float) -> None:
    """--max-time: stop once `seconds` of simulated time have passed, following clock changes."""
    state = {"ev": None}

    def schedule(_hz=None) -> None:
        m.events.cancel(state["ev"])
        now = m.now()
        left = seconds - m.clock.seconds(0, now)
        state["ev"] = m.events.at(now + max(1, round(left * m.clock.hz)), fire)
        m.rearm()

    def fire() -> None:
        where = m.elf.symbolize(m.reg("pc"))
        m.request_stop(Stop(reason="max_time", message=f"stopped after {seconds:g} s of "
                            f"simulated time (--max-time); the program did not exit",
                            pc=m.reg("pc"), where=where, call_stack=m.call_stack_names()))

    m.clock.listeners.append(schedule)
    schedule()


def _sleep_seconds(m: Machine) -> float:
    return sum(m.clock.seconds(a, b) for a, b in m.sleep_spans)


def _sleep_energy_uj(board: Board, m: Machine) -> float:
    """Sleep energy at the board's sleep current; 0 without a sleep figure (a warning says so)."""
    from mcusim.cost.energy import sleep_energy_per_cycle_uj
    per = sleep_energy_per_cycle_uj(board)
    if m.slept and not per:
        m.warn(f"{board.name}: no sleep current in the board file; sleep energy counted as 0")
    return m.slept * per


def _exception_stats(m: Machine) -> list[dict]:
    from mcusim.sim.exceptions import exception_name
    return [{"number": e, "name": exception_name(e), "count": n}
            for e, n in sorted(m.exception_counts.items())]
