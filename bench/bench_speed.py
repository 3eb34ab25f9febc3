"""Simulation speed: the same ELF with no hooks at all vs fully profiled (issue 2, item 8).

Builds bench/matmul.c (an int8 fully connected layer, weights in flash, repeated) for a board,
runs it on a bare Unicorn with the board's memory map (a) with no hook and (b) under the
Profiler (native block hook, call tree, flash cache and data-stall model), best of N each, and
prints M instructions/s for both and their ratio. Also checks that the profiled instruction
count equals a Python per-instruction counter on a short build. Then never-seen code: a ~1 MB
firmware of straight-line code that runs once (bench/straightline.py), where every block is
classified on its first and only execution. Writes bench/results/speed.json.

    .venv/bin/python bench/bench_speed.py [--board stm32f4] [--repeat 400] [--runs 3]
"""
from __future__ import annotations

import argparse
import ctypes as C
import hashlib
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

from unicorn import (UC_ARCH_ARM, UC_HOOK_BLOCK, UC_HOOK_CODE, UC_HOOK_MEM_READ, UC_MODE_MCLASS,
                     UC_MODE_THUMB, Uc)
from unicorn.arm_const import UC_ARM_REG_SP
from unicorn.unicorn_py3.arch.types import uc_hook_h
from unicorn.unicorn_py3.unicorn import uclib

from mcusim.boards import load_board
from mcusim.cost import native
from mcusim.cost.profiler import Profiler
from mcusim.cost.reference import ReferenceCounter
from mcusim.paths import cache_dir
from mcusim.sim.elf import load_elf
from mcusim.toolchain import core_flags, gcc
from straightline import gen_source  # bench/ is on sys.path when run as a script

HERE = Path(__file__).resolve().parent


def build(board, repeat: int) -> Path:
    out = cache_dir() / "bench" / f"matmul-{board.name}-{repeat}.elf"
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([gcc(), *core_flags(board.core), "-O2", "-ffreestanding", "-nostdlib",
                    "-fno-tree-vectorize", f"-DREPEAT={repeat}",
                    f"-Wl,-Ttext={board.flash.base:#x}", f"-Wl,-Tdata={board.ram.base:#x}",
                    "-Wl,-e,_start", str(HERE / "matmul.c"), "-lgcc", "-o", str(out)],
                   check=True)     # libgcc: the M0+ has no 64-bit multiply instruction
    return out


def build_straight(board, kbytes: int) -> Path:
    """bench/straightline.py's never-seen-code firmware, built in the cache directory."""
    text = gen_source(kbytes)
    key = hashlib.sha256(f"{text}{core_flags(board.core)}{board.flash.base}".encode())
    out = cache_dir() / "bench" / f"straight-{board.core}-{kbytes}k-{key.hexdigest()[:12]}.elf"
    if not out.exists():                 # ~1 MB of C: gcc takes a while, so built once
        src = out.with_suffix(".c")
        out.parent.mkdir(parents=True, exist_ok=True)
        src.write_text(text)
        subprocess.run([gcc(), *core_flags(board.core), "-O2", "-ffreestanding", "-nostdlib",
                        f"-Wl,-Ttext={board.flash.base:#x}", f"-Wl,-Tdata={board.ram.base:#x}",
                        "-Wl,-e,_start", str(src), "-lgcc", "-o", str(out)], check=True)
    return out


def machine(board, elf) -> Uc:
    uc = Uc(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS)
    for m in board.memories:
        uc.mem_map(m.base, m.size)
    for seg in elf.segments:
        uc.mem_write(seg.paddr, seg.data)
    uc.reg_write(UC_ARM_REG_SP, board.ram.base + 0x1_0000)
    return uc


def run_plain(board, elf) -> float:
    uc = machine(board, elf)
    t = time.perf_counter()
    uc.emu_start(elf.entry | 1, elf.symbol("done"))
    return time.perf_counter() - t


def run_profiled(board, elf, classifier: str = "native"):
    uc = machine(board, elf)
    t = time.perf_counter()          # set-up, run and results: what a user waits for
    prof = Profiler(uc, board, elf, classifier=classifier)
    prof.install()
    uc.emu_start(elf.entry | 1, elf.symbol("done"))
    data = prof.finish()
    return time.perf_counter() - t, data


def run_python_hook(board, elf, kind: int) -> float:
    """Seconds with a bare Python hook that only counts (for comparison)."""
    uc = machine(board, elf)
    n = [0]

    def hook(_uc, _addr, _size, _user):
        n[0] += 1
    uc.hook_add(kind, hook)
    t = time.perf_counter()
    uc.emu_start(elf.entry | 1, elf.symbol("done"))
    return time.perf_counter() - t


def run_read_hook(board, elf) -> tuple[float, int]:
    """Seconds with only a C memory-read hook restricted to the flash range (what modelling
    every flash data read exactly would cost at least), and the reads it saw."""
    lib = native.lib()
    lib.mcs_reads_counted.restype = C.c_uint64
    uc = machine(board, elf)
    before = lib.mcs_reads_counted()
    h = uc_hook_h()
    uclib.uc_hook_add(uc._uch, C.byref(h), UC_HOOK_MEM_READ,
                      C.c_void_p(native.fn_addr(lib, "mcs_count_read")), None,
                      C.c_uint64(board.flash.base), C.c_uint64(board.flash.end - 1))
    t = time.perf_counter()
    uc.emu_start(elf.entry | 1, elf.symbol("done"))
    return time.perf_counter() - t, lib.mcs_reads_counted() - before


def run_machine_irq(board, repeat: int, hz: int):
    """The whole simulator (mcusim.api.run: machine, exception model, peripherals, profiler,
    report figures) on the same layer with a SysTick interrupt at `hz`: (seconds of the run,
    instructions, interrupts taken)."""
    from mcusim.api import RunOptions, run
    from mcusim.firmware import build_elf
    out = cache_dir() / "bench" / f"matmul-irq-{board.name}-{repeat}-{hz}.elf"
    out.parent.mkdir(parents=True, exist_ok=True)
    build_elf([HERE / "matmul.c"], board, out,
              extra_flags=("-O2", "-fno-tree-vectorize", f"-DREPEAT={repeat}",
                           f"-DSYSTICK_HZ={hz}"))
    from mcusim.sim.machine import Machine
    inner = Machine.run
    spent = [0.0]

    def timed(self, pc, count=None):      # the run loop alone, without set-up and report
        t0 = time.perf_counter()
        try:
            return inner(self, pc, count)
        finally:
            spent[0] += time.perf_counter() - t0

    Machine.run = timed
    try:
        t = time.perf_counter()
        r = run(out, board.name, RunOptions())
        secs = time.perf_counter() - t
    finally:
        Machine.run = inner
    irqs = sum(e["count"] for e in r.exceptions)
    return spent[0], secs, r.instructions, irqs


def reference_count(board, elf) -> int:
    """Instructions counted by a Python per-instruction hook (slow, exact)."""
    uc = machine(board, elf)
    ref = ReferenceCounter(uc)
    ref.install()
    uc.emu_start(elf.entry | 1, elf.symbol("done"))
    return ref.instructions


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--board", default="stm32f4")
    ap.add_argument("--repeat", type=int, default=400)
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--irq-hz", type=int, default=1000,
                    help="SysTick rate of the whole-simulator run (interrupt load)")
    ap.add_argument("--straight-kb", type=int, default=900,
                    help="size of the never-seen-code firmware (bench/straightline.py)")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "speed.json")
    args = ap.parse_args(argv)
    board = load_board(args.board)
    elf = load_elf(build(board, args.repeat))

    # exactness on a short build of the same program
    small = load_elf(build(board, 4))
    ref = reference_count(board, small)
    got = run_profiled(board, small)[1].instructions
    mid = load_elf(build(board, 40))          # Python hooks are too slow for the full size
    n_mid = run_profiled(board, mid)[1].instructions
    py_block = n_mid / run_python_hook(board, mid, UC_HOOK_BLOCK) / 1e6
    py_code = got / run_python_hook(board, small, UC_HOOK_CODE) / 1e6

    run_profiled(board, elf)     # warm-up: builds the native hook once, loads capstone
    # interleaved, best of N each: other load on the host hits both alike
    plains, profs = [], []
    for _ in range(args.runs):
        plains.append(run_plain(board, elf))
        profs.append(run_profiled(board, elf))
    plain = min(plains)
    profiled, data = min(profs, key=lambda r: r[0])
    read_hook, flash_reads = min(run_read_hook(board, elf) for _ in range(3))
    # 10x the work: the whole simulator's fixed set-up (ELF, board, register file, report
    # figures) is then small beside the run, and rates (instructions/s) compare.
    irq_runs = [run_machine_irq(board, 10 * args.repeat, args.irq_hz) for _ in range(3)]
    irq_secs, irq_total, irq_n, irq_count = min(irq_runs)
    # never-seen code: every run is a new engine and a new profiler, so each one classifies (and
    # Unicorn translates) every block afresh
    straight = load_elf(build_straight(board, args.straight_kb))
    st_plain = min(run_plain(board, straight) for _ in range(3))
    st_prof, st_data = min((run_profiled(board, straight) for _ in range(3)),
                           key=lambda r: r[0])
    st_n = st_data.instructions
    # the Python reference classifier (classify.py) on the same code, for the speed-up
    st_py, st_py_data = min((run_profiled(board, straight, "python") for _ in range(2)),
                            key=lambda r: r[0])
    if st_py_data.cycles != st_data.cycles:
        raise SystemExit("native and Python classification gave different cycles")
    n = data.instructions
    res = {
        "board": board.name, "core": board.core, "program": "bench/matmul.c",
        "repeat": args.repeat, "instructions": n, "cycles": data.cycles,
        "plain_seconds": plain, "profiled_seconds": profiled,
        "plain_minstr_s": n / plain / 1e6, "profiled_minstr_s": n / profiled / 1e6,
        "ratio": plain / profiled,
        "irq": {"systick_hz": args.irq_hz, "interrupts": irq_count, "instructions": irq_n,
                "run_seconds": irq_secs, "total_seconds": irq_total,
                "minstr_s": irq_n / irq_secs / 1e6, "ratio": (irq_n / irq_secs) / (n / plain),
                "total_minstr_s": irq_n / irq_total / 1e6},
        "never_seen": {"program": f"bench/straightline.py ({args.straight_kb} KB)",
                       "image_bytes": sum(len(seg.data) for seg in straight.segments),
                       "instructions": st_n, "cycles": st_data.cycles,
                       "plain_minstr_s": st_n / st_plain / 1e6,
                       "profiled_minstr_s": st_n / st_prof / 1e6,
                       "ratio": st_plain / st_prof,
                       "python_classifier_minstr_s": st_n / st_py / 1e6},
        "python_block_hook_minstr_s": py_block, "python_code_hook_minstr_s": py_code,
        "flash_read_hook_only_minstr_s": n / read_hook / 1e6, "flash_reads": flash_reads,
        "exact": {"reference_instructions": ref, "profiled_instructions": got,
                  "equal": ref == got},
        "host": {"machine": platform.machine(), "python": platform.python_version(),
                 "processor": platform.processor() or platform.machine()},
        "runs": args.runs,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, indent=2) + "\n")
    print(f"{board.name} ({board.core}), {n:,} instructions, {data.cycles:,} cycles")
    print(f"  no hooks : {res['plain_minstr_s']:8.1f} M instr/s  ({plain:.3f} s)")
    print(f"  profiled : {res['profiled_minstr_s']:8.1f} M instr/s  ({profiled:.3f} s)")
    print(f"  ratio    : {res['ratio']:.2f} (target >= 0.5)")
    irq = res["irq"]
    print(f"  machine + SysTick {irq['systick_hz']} Hz ({irq['interrupts']:,} interrupts): "
          f"{irq['minstr_s']:6.1f} M instr/s, ratio {irq['ratio']:.2f} (target >= 0.5); "
          f"with set-up and report {irq['total_minstr_s']:.1f} M instr/s")
    ns = res["never_seen"]
    print(f"  never-seen code ({ns['image_bytes'] / 1e6:.2f} MB, {st_n:,} instructions run once): "
          f"no hooks {ns['plain_minstr_s']:.2f} M instr/s, profiled "
          f"{ns['profiled_minstr_s']:.3f} M instr/s (ratio {ns['ratio']:.2f}; Python reference "
          f"classifier {ns['python_classifier_minstr_s']:.3f} M instr/s, same cycles)")
    print(f"  for comparison, only a C read hook on flash ({flash_reads:,} reads): "
          f"{n / read_hook / 1e6:.1f} M instr/s")
    print(f"  for comparison, a bare Python hook that only counts: per block "
          f"{py_block:.1f} M instr/s, per instruction {py_code:.1f} M instr/s")
    print(f"  exact    : {got:,} profiled vs {ref:,} per-instruction reference "
          f"({'equal' if ref == got else 'DIFFERENT'})")
    return 0 if ref == got else 1


if __name__ == "__main__":
    sys.exit(main())
