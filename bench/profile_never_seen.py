"""Where the time of never-seen code goes: bench_speed.py's straight-line firmware (every block
runs once) under `perf record --call-graph dwarf`, sampled only while Unicorn runs and the
profiler is set up and read (perf's control FIFO), split by call stack into Unicorn translation,
Unicorn execution and hook dispatch, our per-block hook, capstone, our classification rules,
the M7 scoreboard, fall-through edges (pipeline carry), the block table, and Python. The same
firmware bare (no hook) and with a C block hook that does nothing give Unicorn's own time and
its block-hook dispatch. Needs Linux perf (Debian: apt-get install linux-perf).

    .venv/bin/python bench/profile_never_seen.py [--board stm32f4] [--runs 3]
"""
from __future__ import annotations

import argparse
import collections
import ctypes as C
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FREQ = 2000                      # samples per second of CPU time

# (category, test on the stack of one sample: (symbol, dso) pairs, leaf first); first match wins
_OURS = "mcusim_hook"
_RULES = ("mcs_classify", "decode", "by_encoding", "instructions", "tupdate", "tracked_load",
          "push_pair", "push_load")


def _category(stack) -> str:
    syms = [s for s, _ in stack]
    ours = [s for s, d in stack if _OURS in d]
    if ours:
        if not any(s.startswith("mcs_hook_block") for s in syms):
            return "python: profiler set-up and results (C part)"
        edge = any(s in ("carry_edge", "native_edge") for s in ours)
        tag = "fall-through edge: " if edge else ""
        for s in syms:
            if s in ("cs_disasm_iter", "cs_regs_access"):
                return f"{tag}capstone {s}"
        if any(s.startswith("mcs_board") or s in ("need_of", "pairs") for s in ours):
            return f"{tag}classification: M7 scoreboard"
        if any(s in _RULES for s in ours):
            return f"{tag}classification: rules, decode cache"
        if edge:
            return "fall-through edge: other"
        if "mcs_add_block" in ours or "native_block" in ours:
            return "classification: block table, code read"
        return "hook per executed block (successors, fetch cache, call stack)"
    if any("libpython" in d or "_ctypes" in d for _, d in stack) and "uc_emu_start" not in syms:
        return "python: profiler set-up and results"
    if any(s.startswith("tb_gen_code") for s in syms):
        return "unicorn: translation"
    return "unicorn: execution, block-hook dispatch, other"


def _samples(text: str):
    cur = []
    for line in text.splitlines():
        if not line.strip():
            if cur:
                yield cur
            cur = []
            continue
        rest = line.strip().split(None, 1)
        sym, _, dso = (rest[1] if len(rest) > 1 else "? (?)").rpartition(" (")
        cur.append((sym.split("+")[0], dso.rstrip(")")))
    if cur:
        yield cur


def child(board_name: str, mode: str, runs: int) -> None:
    """Run under perf: sampling enabled only around each run (perf --control)."""
    sys.path.insert(0, str(HERE))
    import bench_speed as B
    from mcusim.boards import load_board
    from mcusim.cost.profiler import Profiler
    from mcusim.sim.elf import load_elf
    from unicorn import UC_HOOK_BLOCK
    from unicorn.unicorn_py3.arch.types import uc_hook_h
    from unicorn.unicorn_py3.unicorn import uclib
    ctl, ack = os.environ.get("PERF_CTL"), os.environ.get("PERF_ACK")

    def perf(cmd):
        if not ctl:                              # timed without perf
            return
        with open(ctl, "w") as f:
            f.write(cmd + "\n")
        with open(ack) as f:
            f.read(5)
    board = load_board(board_name)
    elf = load_elf(B.build_straight(board, 900))
    B.run_profiled(board, elf)                   # builds the native library, loads capstone
    noop = C.CDLL(os.environ["NOOP_SO"]) if mode == "noop" else None
    spent = []
    for _ in range(runs):
        uc = B.machine(board, elf)
        perf("enable")
        t = time.process_time()
        if mode == "profiled":
            prof = Profiler(uc, board, elf)
            prof.install()
        elif mode == "noop":
            h = uc_hook_h()
            uclib.uc_hook_add(uc._uch, C.byref(h), UC_HOOK_BLOCK,
                              C.cast(noop.noop_block, C.c_void_p), None, C.c_uint64(1),
                              C.c_uint64(0))
        uc.emu_start(elf.entry | 1, elf.symbol("done"))
        if mode == "profiled":
            prof.finish()
        spent.append(time.process_time() - t)
        perf("disable")
    print(f"{min(spent):.4f}")


def measure(board: str, mode: str, runs: int, tmp: Path,
            env: dict) -> tuple[float, collections.Counter]:
    ctl, ack, data = tmp / "ctl", tmp / "ack", tmp / f"{mode}.data"
    for p in (ctl, ack):
        if p.exists():
            p.unlink()
        os.mkfifo(p)
    env = dict(env, PERF_CTL=str(ctl), PERF_ACK=str(ack))
    out = subprocess.run(["perf", "record", "-q", "--call-graph", "dwarf,16384", "-F", str(FREQ),
                          "-D", "-1", "--control", f"fifo:{ctl},{ack}", "-o", str(data),
                          sys.executable, __file__, "--child", mode, "--board", board,
                          "--runs", str(runs)], env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"perf record failed: {out.stderr.strip().splitlines()[-1:]}")
    secs = float(out.stdout.strip().splitlines()[-1])
    text = subprocess.run(["perf", "script", "-i", str(data), "-F", "ip,sym,dso"],
                          capture_output=True, text=True).stdout
    return secs, collections.Counter(_category(s) for s in _samples(text))


def timed(board: str, mode: str, runs: int, env: dict) -> float:
    """CPU seconds of one run without perf (best of `runs`)."""
    out = subprocess.run([sys.executable, __file__, "--child", mode, "--board", board, "--runs",
                          str(runs)], env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--board", default="stm32f4")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--child", choices=("plain", "noop", "profiled"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.board, args.child, args.runs)
        return 0
    if not shutil.which("perf"):
        print("profile_never_seen: needs Linux perf (Debian: apt-get install linux-perf)")
        return 2
    cc = shutil.which(os.environ.get("CC") or "cc") or shutil.which("gcc")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        (tmp / "noop.c").write_text("#include <stdint.h>\nvoid noop_block(void *uc, uint64_t a,"
                                    " uint32_t s, void *u) { (void)uc; (void)a; (void)s;"
                                    " (void)u; }\n")
        subprocess.run([cc, "-O2", "-shared", "-fPIC", "-o", str(tmp / "noop.so"),
                        str(tmp / "noop.c")], check=True)
        env = dict(os.environ, NOOP_SO=str(tmp / "noop.so"))
        t = {m: timed(args.board, m, 2 * args.runs, env) for m in ("plain", "noop", "profiled")}
        _, cats = measure(args.board, "profiled", args.runs, tmp, env)
    total = sum(cats.values())
    print(f"{args.board}: never-seen code (bench/straightline.py, 0.88 MB), CPU s per run, best "
          f"of {2 * args.runs}: no hook {t['plain']:.3f}, a C block hook that does nothing "
          f"{t['noop']:.3f}, profiled {t['profiled']:.3f} (set-up, run, results)")
    print(f"{'the profiled run by call stack (perf samples)':62s} {'%':>6s} {'ms/run':>7s}")
    for k, v in sorted(cats.items(), key=lambda kv: -kv[1]):
        print(f"  {k:60s} {100 * v / total:6.1f} {1000 * t['profiled'] * v / total:7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
