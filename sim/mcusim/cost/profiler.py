"""The profiler the runner installs on a Unicorn instance: cycles, instructions, call tree, energy.

Interface (docs/architecture.md): Profiler(uc, board, elf, max_cycles).install(); live `cycles`
and `instructions`; `limit_hit`; `call_stack()`; `finish() -> ProfileData`.

The per-block work is native (native/mcusim_hook.c, attached with uc_hook_add on the engine
handle). Each new block is classified once: natively (native/mcusim_classify.c) for a block
inside one memory, else by classify.py, the reference the native rules are tested against
(MCUSIM_CLASSIFIER=python classifies every block in Python). Python assembles the results.
"""
from __future__ import annotations

import ctypes as C
import gc
import os
from dataclasses import dataclass, field
from typing import Any

from unicorn import UC_HOOK_BLOCK, UC_HOOK_INTR, UC_HOOK_MEM_READ, UcError
from unicorn import arm_const
from unicorn.arm_const import UC_ARM_REG_PC
from unicorn.unicorn_py3.arch.types import uc_hook_h
from unicorn.unicorn_py3.unicorn import uclib

from mcusim.cost import native
from mcusim.cost.classify import END_COND, END_PLAIN, LITERAL, Decoder, classify_block
from mcusim.cost.energy import energy_per_cycle_uj
from mcusim.cost.memory import block_fetch, data_caches, fetch_models
from mcusim.cost.model import CLASSES, board_core_options, load_profile
from mcusim.result import FunctionStat

LOAD_FIELDS = 9                  # int32s per tracked load (mcs_add_block)
END_RET, END_COND_RET, END_SPIN = 3, 4, 5   # block ends of mcusim_hook.c beyond classify's
NO_CARRY = 0x10                  # end flag: ends with a trap/system instruction (no carry over)
_BRANCH_TO_SELF = (b"\xfe\xe7", b"\xff\xf7\xfe\xbf")   # B.N . / B.W . (a block of its own)
EVENT_LIMIT = 1_000_000          # enter/exit events kept for traces (layers are always kept)
MAX_NODES = 1 << 20              # call-tree nodes; deeper new paths charge their parent
ALWAYS_TRACE_PREFIX = "mcusim_layer_"
# indirect PC writes that can return
_RET_CLASSES = ("branch", "pop_pc", "load_pc", "table_branch", "alu_pc")
OUT_CLASSES = CLASSES + ("fetch",)   # the native side's class order (mcusim_classify.h)


def _uc_reg(md, cs_reg: int) -> int:
    """Unicorn's id of a capstone register (both named r0..r12, sp, lr, pc)."""
    return getattr(arm_const, f"UC_ARM_REG_{md.reg_name(cs_reg).upper()}")


def _ints(arr) -> list[int]:
    """A ctypes integer array as a list, in one copy (iterating the array itself costs ~1 us per
    item: finish() reads one entry per call and event)."""
    if not len(arr):
        return []
    code = {1: "B", 2: "H", 4: "I", 8: "Q"}[C.sizeof(arr._type_)]
    if arr._type_(-1).value < 0:
        code = code.lower()
    return memoryview(arr).cast("B").cast(code).tolist()


def _s32(v: int) -> int:
    """An address or offset as the int32 the C side stores (it adds modulo 2^32)."""
    v &= 0xFFFF_FFFF
    return v - (1 << 32) if v & 0x8000_0000 else v


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
    # Inclusive instructions of the always-traced functions (mcusim_layer_*), by name.
    inclusive_instructions: dict[str, int] = field(default_factory=dict)


class Profiler:
    def __init__(self, uc, board, elf, max_cycles: int | None = None, exact_data: bool = False,
                 classifier: str | None = None):
        """exact_data: cost flash data reads with a memory-read hook on every read instead of
        tracking load addresses (the reference the tracking is tested against; much slower).
        classifier: "native" (default) or "python" (every block by classify.py; also
        MCUSIM_CLASSIFIER=python)."""
        self.uc, self.board, self.elf = uc, board, elf
        self.max_cycles = max_cycles
        self.exact_data = exact_data
        self.model = load_profile(board.profile, board_core_options(board))
        self._dec = Decoder()
        self._fns = list(getattr(elf, "functions", None) or [])
        self._starts = [a for _, a, _ in self._fns]
        # by the C side's function index; its last, len(_fns), is code outside any symbol
        self._names = [n for n, _, _ in self._fns] + ["(no symbol)"]
        self._lib = native.lib()
        self._classify_cb = native.CLASSIFY_CB(self._classify)   # keep alive: C calls it
        self._edge_cb = native.EDGE_CB(self._edge)
        stop = native.fn_addr(uclib, "uc_emu_stop")
        reg_read = native.fn_addr(uclib, "uc_reg_read")
        mem_read = native.fn_addr(uclib, "uc_mem_read")
        self._ctx = self._lib.mcs_new(len(self._fns), uc._uch.value, stop, reg_read, mem_read,
                                      C.cast(self._classify_cb, C.c_void_p).value,
                                      max_cycles or 0, EVENT_LIMIT, MAX_NODES)
        self._live = self._lib.mcs_live_ptr(self._ctx).contents
        self._lib.mcs_set_edge_cb(self._ctx, C.cast(self._edge_cb, C.c_void_p).value)
        if self.model.mispredict:
            self._lib.mcs_set_mispredict(self._ctx, self.model.mispredict)
        for i, (name, _, _) in enumerate(self._fns):
            if name.startswith(ALWAYS_TRACE_PREFIX):
                self._lib.mcs_set_func_flags(self._ctx, i, 1)
        self._fetch = fetch_models(board, self._lib, self._ctx)   # memory -> fetch model index
        self._data = data_caches(board, self._lib, self._ctx)     # [(base, end)] with a D-model
        self.classifier = classifier or os.environ.get("MCUSIM_CLASSIFIER", "native")
        if self.classifier == "native":
            self._native_init()
        self._error: BaseException | None = None
        self._hooks: list[int] = []
        self._finished: ProfileData | None = None

    def _native_init(self) -> None:
        """Hand the cost model, register ids, functions and memories to the native classifier."""
        L = self._lib
        if L.mcs_nclasses() != len(OUT_CLASSES):
            raise RuntimeError("native classifier built for another class list")
        self._model_c = native.model_struct(self.model, CLASSES)
        if C.sizeof(self._model_c) != L.mcs_model_size():
            raise RuntimeError("native classifier model layout differs")
        md = self._dec.md
        regs = []
        for r in range(128):
            try:
                regs.append(_uc_reg(md, r))
            except Exception:         # no core register of that id (capstone has more)
                regs.append(-1)
        uc_reg = (C.c_int32 * 128)(*regs)
        n = len(self._fns)
        starts = (C.c_uint32 * max(n, 1))(*[a for _, a, _ in self._fns])
        sizes = (C.c_uint32 * max(n, 1))(*[max(0, z) & 0xFFFF_FFFF for _, _, z in self._fns])
        rows = []
        for mem in self.board.memories[:16]:
            fetch = self._fetch.get(id(mem), 0xFF)
            ws = 0 if mem.accelerator else max(0, int(mem.wait_states or 0))
            rows += [mem.base, min(mem.base + mem.size, 0xFFFF_FFFF), fetch, ws]
        crows = (C.c_uint32 * max(len(rows), 1))(*rows)
        track = int(bool(self._data) and not self.exact_data)
        if L.mcs_native_init(self._ctx, C.byref(self._model_c), uc_reg, track, n, starts, sizes,
                             len(rows) // 4, crows) != 0:
            raise RuntimeError("native classifier failed to start")

    @property
    def carried_edges(self) -> int:
        """Fall-through edges whose pipeline carry was computed (docs/cost-model.md)."""
        return self._lib.mcs_nedges(self._ctx)

    @property
    def native_blocks(self) -> int:
        """Blocks classified natively so far (the rest went through classify.py)."""
        return self._lib.mcs_native_blocks(self._ctx)

    def __del__(self):
        """Free the native context, but never under a live hook: if the engine is still open,
        detach our hooks first; if it was already released, nothing can call them any more."""
        ctx, self._ctx = getattr(self, "_ctx", None), None
        if not ctx:
            return
        fin = getattr(self.uc, "_Uc__finalizer", None)
        if fin is None:
            return                      # unknown binding internals: leak rather than risk it
        if fin.alive:
            for h in self._hooks:
                uclib.uc_hook_del(self.uc._uch, uc_hook_h(h))
        self._lib.mcs_free(ctx)

    # ---- live figures (read by DWT CYCCNT / SysTick MMIO handlers mid-run) ----
    @property
    def cycles(self) -> int:
        return self._live.cycles

    @property
    def instructions(self) -> int:
        return self._lib.mcs_instructions(self._ctx)

    @property
    def limit_hit(self) -> bool:
        return bool(self._live.limit_hit)

    @property
    def deadline_hit(self) -> bool:
        return bool(self._live.deadline_hit)

    @property
    def spinning(self) -> bool:
        return bool(self._live.spin)

    def arm(self, deadline: int | None) -> None:
        """Stop the core once the cycle count reaches `deadline` (None: no event pending)."""
        self._lib.mcs_arm(self._ctx, max(1, deadline) if deadline is not None else 0)

    def exception_entered(self, handler: int, cycles: int, return_pc: int) -> None:
        func, _ = self._func_of(handler & ~1)
        self._lib.mcs_exc_enter(self._ctx, func, cycles, return_pc & ~1)

    def exception_returned(self, cycles: int, return_pc: int) -> None:
        self._lib.mcs_exc_exit(self._ctx, cycles, return_pc & ~1)

    def cycles_at(self, pc: int) -> int:
        """The cycle count as of the instruction at pc in the block running now."""
        return self._lib.mcs_cycles_at(self._ctx, pc & ~1)

    def set_flash_wait_states(self, ws: int) -> None:
        """The boot flash's wait states from now on (the firmware wrote FLASH_ACR.LATENCY):
        the miss cost of its instruction- and data-side models. A memory whose accelerator
        states its own miss cost (miss_cycles) keeps it."""
        mem = self.board.flash
        if (mem.accelerator or {}).get("miss_cycles") is not None:
            return
        fetch = self._fetch.get(id(mem), -1)
        data = next((i for i, (base, _) in enumerate(self._data) if base == mem.base), -1)
        self._lib.mcs_set_miss(self._ctx, fetch, data, max(0, int(ws)))

    def spin_cycles(self) -> int:
        """Cycles of one more execution of the spinning block."""
        return self._lib.mcs_block_cycles(self._ctx)

    def spin_forward(self, execs: int) -> None:
        self._lib.mcs_spin_forward(self._ctx, execs)

    def install(self, trap_hook: bool = True) -> None:
        """trap_hook: account for traps mid-block with an interrupt hook of the profiler's own;
        a machine that takes exceptions calls `trap(pc)` itself, before it moves the PC."""
        self._add_hook(UC_HOOK_BLOCK, native.fn_addr(self._lib, "mcs_hook_block"), 1, 0)
        if trap_hook:
            self._hooks.append(self.uc.hook_add(UC_HOOK_INTR, self._on_intr))
        if self.exact_data:
            for base, end in self._data:
                self._add_hook(UC_HOOK_MEM_READ, native.fn_addr(self._lib, "mcs_hook_read"),
                               base, end - 1)

    def _on_intr(self, uc, intno, _user) -> None:
        self.trap()

    def trap(self) -> None:
        """A trap (semihosting BKPT, SVC, fault) mid-block: the block was counted whole at entry,
        and when the program goes on, the rest of it runs again as a new block. Count only what
        ran: through the trapping instruction. Works before or after the machine's own hook
        (which may already have moved PC past a BKPT)."""
        uc = self.uc
        pc = uc.reg_read(UC_ARM_REG_PC) & ~1
        try:
            half = int.from_bytes(uc.mem_read(pc, 2), "little")
        except UcError:
            half = 0
        at_trap = (half & 0xFF00) in (0xBE00, 0xDF00)      # BKPT #imm / SVC #imm
        self._lib.mcs_rewind(self._ctx, pc, int(at_trap))

    def _add_hook(self, kind: int, fn: int, begin: int, end: int) -> None:
        h = uc_hook_h()
        err = uclib.uc_hook_add(self.uc._uch, C.byref(h), kind, C.c_void_p(fn),
                                C.c_void_p(self._ctx), C.c_uint64(begin), C.c_uint64(end))
        if err:
            raise UcError(err)
        self._hooks.append(h.value)

    # ---- called from C on the first execution of a block ----
    def _classify(self, addr: int, size: int) -> int:
        try:
            code = bytes(self.uc.mem_read(addr, size))
            b = classify_block(self._dec, self.model, code, addr,
                               read_code=lambda a, n: bytes(self.uc.mem_read(a, n)))
            fetch, stall = block_fetch(self.board, self._fetch, addr, size)
            if fetch == 0xFF:
                b.class_cycles["fetch"] = stall
                b.cycles += stall
            func, entry = self._func_of(addr)
            last = b.last_class
            end = b.end
            if code in _BRANCH_TO_SELF:
                end = END_SPIN
            elif end == END_PLAIN and last in _RET_CLASSES:
                end = END_RET
            elif end == END_COND and b.last_indirect:
                end = END_COND_RET
            if last == "system":
                end |= NO_CARRY        # a trap (SVC, BKPT) or a state change: starts afresh
            pairs = (C.c_uint32 * (2 * len(b.prefix)))(*[v for p in b.prefix for v in p])
            loads = [v for base, bind, bj, index, iind, ij, off, nbytes, shift in b.loads
                     for v in (self._reg_id(base), bind, _s32(bj),
                               self._reg_id(index) if index else 0, iind, _s32(ij), _s32(off),
                               nbytes, shift)
                     ] if self._data and not self.exact_data else []
            cl = (C.c_int32 * max(len(loads), 1))(*loads)
            idx = self._lib.mcs_add_block(self._ctx, addr, size, b.cycles, b.ninsns, b.taken,
                                          func, end, entry, fetch, len(b.prefix), pairs,
                                          len(loads) // LOAD_FIELDS, cl)
            cls = (C.c_uint32 * len(OUT_CLASSES))(*[b.class_cycles.get(k, 0) & 0xFFFF_FFFF
                                                    for k in OUT_CLASSES])
            self._lib.mcs_set_block_classes(self._ctx, idx, cls)
            return idx
        except BaseException as e:        # never raise through C; report at finish()
            self._error = self._error or e
            self.uc.emu_stop()
            return -1

    def _edge(self, a_addr: int, a_size: int, b_addr: int, b_size: int, out) -> int:
        """A fall-through edge a -> b, on its first run (docs/cost-model.md "Block boundaries"):
        into out, what b costs more after a's instructions than alone (cycles, its final
        branch's taken cycles, cycles per class in OUT_CLASSES order)."""
        try:
            code = bytes(self.uc.mem_read(a_addr, a_size + b_size))
            rc = lambda a, n: bytes(self.uc.mem_read(a, n))   # noqa: E731
            after = classify_block(self._dec, self.model, code, a_addr, read_code=rc,
                                   preamble=a_size)
            alone = classify_block(self._dec, self.model, code[a_size:], b_addr, read_code=rc)
            out[0] = after.cycles - alone.cycles
            out[1] = after.taken - alone.taken
            for i, k in enumerate(OUT_CLASSES):
                out[2 + i] = after.class_cycles.get(k, 0) - alone.class_cycles.get(k, 0)
            return 0
        except BaseException as e:        # never raise through C; report at finish()
            self._error = self._error or e
            self.uc.emu_stop()
            return -1

    def _reg_id(self, cs_reg: int) -> int:
        """Unicorn's id of a capstone register; -1 for LITERAL (a constant address)."""
        return -1 if cs_reg == LITERAL else _uc_reg(self._dec.md, cs_reg)

    def _func_of(self, addr: int) -> tuple[int, int]:
        import bisect
        i = bisect.bisect_right(self._starts, addr) - 1
        if i >= 0:
            _, start, size = self._fns[i]
            if addr < start + max(size, 1):
                return i, int(addr == start)
        return -1, 0

    def _name(self, func: int) -> str:
        return self._names[func] if 0 <= func < len(self._fns) else "(no symbol)"

    def call_stack(self) -> list[int]:
        n = self._live.depth
        buf = (C.c_int32 * max(n, 1))()
        n = self._lib.mcs_get_stack(self._ctx, buf, n)
        return [self._fns[f][1] if 0 <= f < len(self._fns) else 0 for f in buf[:n]]

    def sync_stop(self, pc: int | None = None, executed: bool = False) -> None:
        """The run stopped (or trapped, e.g. a semihosting BKPT) at `pc` in the middle of a block:
        take back the instructions that were counted at block entry but did not run. With
        `executed`, the instruction at pc did run."""
        if pc is None:
            pc = self.uc.reg_read(UC_ARM_REG_PC)
        self._lib.mcs_rewind(self._ctx, pc & ~1, int(executed))

    def finish(self) -> ProfileData:
        if self._finished is not None:
            return self._finished
        if self._error is not None:
            raise self._error
        # One object per function, call-tree node and call: tens of thousands of new containers
        # that hold no cycles; the cyclic collector would sweep them ~70 times (16 ms of a
        # never-seen-code run of 0.4 s, bench/bench_speed.py).
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._finish()
        finally:
            if enabled:
                gc.enable()

    def _finish(self) -> ProfileData:
        L, ctx = self._lib, self._ctx
        try:
            L.mcs_settle(ctx, self.uc.reg_read(UC_ARM_REG_PC) & ~1)
        except UcError:
            pass
        L.mcs_unwind(ctx)
        nf = L.mcs_nfuncs(ctx)
        arr = (C.c_uint64 * (4 * nf))()
        L.mcs_get_funcs(ctx, arr)
        raw = _ints(arr)
        funcs = []
        for i in range(nf):
            calls, self_c, insns, incl = raw[4 * i:4 * i + 4]
            if calls or self_c or insns:
                addr = self._fns[i][1] if i < len(self._fns) else 0
                funcs.append(FunctionStat(name=self._name(i), address=addr, calls=calls,
                                          self_cycles=self_c, total_cycles=max(incl, self_c),
                                          instructions=insns))
        funcs.sort(key=lambda f: (-f.total_cycles, f.name))
        arr = (C.c_uint64 * nf)()
        L.mcs_get_incl_insns(ctx, arr)
        incl = _ints(arr)
        incl_insns = {self._name(i): incl[i] for i in range(nf) if incl[i]}
        for f in funcs:
            f.total_instructions = incl_insns.get(f.name, 0)
        cycle_breakdown = self._breakdown()
        epc = energy_per_cycle_uj(self.board)
        energy = {k: v * epc * self._factor(k) for k, v in cycle_breakdown.items()}
        self._finished = ProfileData(
            cycles=self._live.cycles, instructions=self.instructions, functions=funcs,
            stacks=self._stacks(), events=self._events(), energy_uj=sum(energy.values()),
            energy_breakdown=energy, cycle_breakdown=cycle_breakdown,
            inclusive_instructions=incl_insns)
        return self._finished

    def _factor(self, cls: str) -> float:
        c = self.model.classes.get(cls)
        return c.energy if c is not None else 1.0

    def _breakdown(self) -> dict[str, int]:
        raw = (C.c_uint64 * len(OUT_CLASSES))()
        self._lib.mcs_breakdown(self._ctx, raw)
        out: dict[str, int] = {k: v for k, v in zip(OUT_CLASSES, raw) if v}
        live = self._live
        if live.fetch_stall:
            out["fetch"] = out.get("fetch", 0) + live.fetch_stall
        if live.data_stall:
            out["data_stall"] = live.data_stall
        if live.exc_cycles:
            out["exception"] = live.exc_cycles
        if live.mispredict_cycles:
            out["mispredict"] = live.mispredict_cycles
        # a run stopped mid-block: the rewound tail is in no class; keep the sum exact
        diff = live.cycles - sum(out.values())
        if diff:
            out["alu"] = out.get("alu", 0) + diff
        return {k: v for k, v in sorted(out.items()) if v}

    def _stacks(self) -> list[dict[str, Any]]:
        L, ctx = self._lib, self._ctx
        n = L.mcs_nnodes(ctx)
        parent, func, self_c = (C.c_uint32 * n)(), (C.c_int32 * n)(), (C.c_uint64 * n)()
        L.mcs_get_nodes(ctx, parent, func, self_c)
        parent, func, self_c = _ints(parent), _ints(func), _ints(self_c)
        names = self._names          # the C side's function indexes: 0..len(_fns)
        paths: list[list[str]] = [[] for _ in range(n)]
        out = []
        for i in range(1, n):       # parents precede children; node 0 is the virtual root
            paths[i] = paths[parent[i]] + [names[func[i]]]
            if self_c[i]:
                out.append({"stack": paths[i], "cycles": self_c[i]})
        return out

    def _events(self) -> list[dict[str, Any]]:
        L, ctx = self._lib, self._ctx
        n = L.mcs_nevents(ctx)
        func, enter, cyc = (C.c_int32 * n)(), (C.c_uint32 * n)(), (C.c_uint64 * n)()
        L.mcs_get_events(ctx, func, enter, cyc)
        open_: list[tuple[int, int]] = []
        out = []
        names = self._names          # the C side's function indexes: 0..len(_fns)
        for f, e, t in zip(_ints(func), _ints(enter), _ints(cyc)):
            if e:
                open_.append((f, t))
            elif open_:
                g, start = open_.pop()
                name = names[g]
                cat = "layer" if name.startswith(ALWAYS_TRACE_PREFIX) else "function"
                out.append({"name": name, "cat": cat, "start": start, "dur": t - start})
        out.sort(key=lambda ev: (ev["start"], -ev["dur"]))
        return out
