"""The simulated chip: a Unicorn Cortex-M core, the board's memories and the peripheral bus.

Machine owns what stops a run (exit through semihosting, faults) as `self.stop`; the runner adds
the profiler and turns the outcome into a RunResult.
"""
from __future__ import annotations

import contextlib
import ctypes
import signal
import socket
import struct
import sys
import threading
from typing import Callable

from unicorn import (UC_ARCH_ARM, UC_HOOK_CODE, UC_HOOK_INTR, UC_HOOK_MEM_INVALID,
                     UC_MODE_MCLASS, UC_MODE_THUMB, UC_PROT_ALL, UC_PROT_EXEC, UC_PROT_READ,
                     Uc, UcError)
from unicorn import arm_const as A

from mcusim.boards import Board
from mcusim.errors import McusimError
from mcusim.result import Stop
from mcusim.sim import exceptions as X
from mcusim.sim import faults
from mcusim.sim.clock import CoreClock, Scheduler
from mcusim.sim.elf import ElfImage
from mcusim.sim.masks import divide_sites, mask_lowering_sites
from mcusim.sim.regs import Regs
from mcusim.sim.peripherals import PAGE, Bus, Dwt, Itm, SystemControl, make_uart
from mcusim.sim.semihosting import Semihosting
from mcusim.sim.gpio import add_gpio
from mcusim.sim.signals import Signals
from mcusim.sim.timers import add_timers

# Unicorn 2.1 CPU models for each board core (unicorn/arm.h: UC_CPU_ARM_CORTEX_*). There is
# no M0+ model: the M0 runs the same ARMv6-M instruction set.
CPU_MODELS = {
    "cortex-m0plus": A.UC_CPU_ARM_CORTEX_M0, "cortex-m3": A.UC_CPU_ARM_CORTEX_M3,
    "cortex-m4": A.UC_CPU_ARM_CORTEX_M4, "cortex-m4f": A.UC_CPU_ARM_CORTEX_M4,
    "cortex-m7": A.UC_CPU_ARM_CORTEX_M7, "cortex-m33": A.UC_CPU_ARM_CORTEX_M33,
}
SEMIHOSTING_BKPT = 0xBEAB     # BKPT #0xAB: the M-profile semihosting trap
# STM32 parts alias the boot memory at 0x00000000 (RM0090 rev 19, section 2.4 "Boot
# configuration": with BOOT0 = 0 main flash is aliased in the boot memory space at 0x0000 0000;
# the same holds for the other STM32 families' reference manuals). Vendor start-up code and
# RTOSes (FreeRTOS reads the initial MSP from VTOR = 0) read the vector table through it.
STM32_FLASH_BASE = 0x0800_0000

# Synchronous faults from Unicorn's interrupt hook -> (exception, CFSR bits) (DDI 0403E B3.2.15)
FAULT_EXCEPTIONS = {
    faults.EXCP_UDEF: (X.USAGEFAULT, X.CFSR_UNDEFINSTR),
    faults.EXCP_INVSTATE: (X.USAGEFAULT, X.CFSR_INVSTATE),
    faults.EXCP_NOCP: (X.USAGEFAULT, X.CFSR_NOCP),
    faults.EXCP_UNALIGNED: (X.USAGEFAULT, X.CFSR_UNALIGNED),
    faults.EXCP_DIVBYZERO: (X.USAGEFAULT, X.CFSR_DIVBYZERO),
    faults.EXCP_STKOF: (X.USAGEFAULT, X.CFSR_STKOF),
    faults.EXCP_PREFETCH_ABORT: (X.BUSFAULT, X.CFSR_IBUSERR),
    faults.EXCP_DATA_ABORT: (X.BUSFAULT, X.CFSR_PRECISERR),
}
FAULT_HANDLERS = (X.HARDFAULT, X.MEMMANAGE, X.BUSFAULT, X.USAGEFAULT)


class Machine:
    def __init__(self, board: Board, elf: ElfImage, stdin: bytes | None = None,
                 argv: list[str] | None = None, echo_stdout: bool = False,
                 clock_hz: int | None = None, until: str | None = None):
        self.board, self.elf = board, elf
        self.uc = Uc(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS)
        self.uc.ctl_set_cpu_model(CPU_MODELS[board.core])
        self.regs = Regs(self.uc)
        self.stop: Stop | None = None
        self.exit_code = 0
        self.echo = echo_stdout
        self.stdout = bytearray()
        self.stderr = bytearray()
        self.until = until.encode() if until else None
        self.cycles: Callable[[], int] = lambda: 0     # set by the runner from the profiler
        self.call_stack: Callable[[], list] = lambda: []
        self.profiler = None                            # set by attach_profiler
        self.layout = None                              # memory.Layout, set by the runner
        self.warnings: list[str] = []
        self._pending_access: tuple[str, str, int] | None = None
        self._breakpoints: dict[int, list[Callable[["Machine"], None]]] = {}
        # time: active cycles (the profiler) + cycles slept in WFI/WFE
        self.slept = 0
        self.sleep_spans: list[tuple[int, int]] = []    # (from tick, to tick) asleep
        reset_hz = int(getattr(board, "reset_clock_hz", 0) or board.clock_hz)
        self.clock = CoreClock(reset_hz, forced_hz=clock_hz)
        self.clock.now = self.now
        self.events = Scheduler()
        self._check = False              # something may have become takeable: look at a stop
        self.limit_reached = False       # the cycle limit, reached while fast-forwarding
        self.fault_report: Stop | None = None   # the fault a firmware handler was entered for
        self.resets = 0
        self.pause_reason: str | None = None
        self._reset_pending = False
        self._running = False            # inside emu_start: now() is exact to the PC
        self._counting = False           # a counted run (step) happened: see step()
        self.exception_counts: dict[int, int] = {}
        self.vtor_reset = 0
        self._map_memories()
        self.bus = Bus(self)
        self.dwt = self.bus.add(Dwt(self.now, has_cyccnt=board.core != "cortex-m0plus"))
        self.scs = self.bus.add(SystemControl(board.core, self.now, self.dwt))
        self.scs.ref_divider = getattr(board, "systick_ref_divider", 0)
        self.scs.warn = self.warn
        self.dwt.scs = self.scs
        self.bus.add(Itm(lambda data: self.console(1, data)))
        uart = make_uart(self, board.uart, lambda data: self.console(1, data))
        if uart is not None:
            self.bus.add(uart)
        self.exc: X.ExceptionModel | None = None     # made when the profiler (timing) arrives
        self.nvic = _Nvic(self)
        self.signals = Signals(self.now, self.nvic.set_pending)
        add_gpio(self, self.signals)      # the board's [gpio] ports and [[timer]]s
        add_timers(self)
        self.semihosting = Semihosting(self, stdin, argv or [])
        self.uc.hook_add(UC_HOOK_MEM_INVALID, self._on_invalid)
        self.uc.hook_add(UC_HOOK_INTR, self._on_intr)

    def _map_memories(self) -> None:
        alias = None
        if self.board.memory_at(0) is None:
            boot = self.board.memory_at(self.board.boot_address)
            if boot is not None and boot.base == STM32_FLASH_BASE == self.board.boot_address:
                alias = boot
        if alias is None:
            # No alias at 0: VTOR starts at the boot image's table. Cortex-M7/M33 parts wire
            # their reset VTOR to the boot address (INITVTOR / INITSVTOR: Cortex-M7 TRM
            # DDI 0489F 2.1.3, STM32F7 RM0385 2.5 BOOT_ADDx); RP2040's boot stage 2 sets VTOR to
            # the image (RP2040 datasheet 2.8.1); on nRF52 the image is at 0 anyway.
            self.vtor_reset = self.board.boot_address
        self._buffers = []
        # memories another one aliases (nRF52 Code RAM over Data RAM) live in a host buffer
        # that both address ranges map: a write through one is seen through the other
        shared = {m.alias_of for m in self.board.memories if m.alias_of}
        bufs = {}
        for m in self.board.memories:
            size = (m.size + PAGE - 1) & ~(PAGE - 1)
            perms = UC_PROT_READ | UC_PROT_EXEC if m.kind == "flash" else UC_PROT_ALL
            if m is alias or m.name in shared:
                buf = bufs[m.name] = ctypes.create_string_buffer(size)
                self._buffers.append(buf)
                self.uc.mem_map_ptr(m.base, size, perms, ctypes.addressof(buf))
                if m is alias:
                    self.uc.mem_map_ptr(0, size, perms, ctypes.addressof(buf))
            elif not m.alias_of:
                self.uc.mem_map(m.base, size, perms)
        for m in self.board.memories:
            if m.alias_of:
                size = (m.size + PAGE - 1) & ~(PAGE - 1)
                self.uc.mem_map_ptr(m.base, size, UC_PROT_ALL,
                                    ctypes.addressof(bufs[m.alias_of]))

    def attach_profiler(self, profiler) -> None:
        """The profiler counts cycles; the exception model takes its latencies from the
        profile's [exceptions] table."""
        self.profiler = profiler
        self.cycles = lambda: profiler.cycles
        self.call_stack = profiler.call_stack
        nv = self.board.nvic or {}
        v6m = self.board.core == "cortex-m0plus"
        self.exc = X.ExceptionModel(self, nv.get("irqs", 32 if v6m else 240),
                                    nv.get("priority_bits", 2 if v6m else 8),
                                    profiler.model.exceptions)
        self.scs.exc = self.exc
        self.scs.on_systick = self._systick_changed
        self._systick_event = None
        for addr in mask_lowering_sites(self.elf):
            self.uc.hook_add(UC_HOOK_CODE, self._after_unmask, None, addr, addr)
        self._divides: dict[int, int] | None = None     # hooked when CCR.DIV_0_TRP is set

    def now(self) -> int:
        """Core-clock ticks since reset: cycles executed plus cycles asleep. While the core runs
        (a peripheral access, a code hook), exact to the instruction at PC."""
        if self._running:
            return self.profiler.cycles_at(self.regs[A.UC_ARM_REG_PC]) + self.slept
        return self.cycles() + self.slept

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)

    def request_check(self) -> None:
        """An exception may have become takeable (pended, enabled, unmasked): stop the core at
        the next block boundary and look. Not uc.emu_stop(): called from an MMIO callback, that
        restarts the accessing instruction on resume (QEMU's cpu_loop_exit_restore), so the
        access would happen twice."""
        self._check = True
        self._stop_soon()

    def _stop_soon(self) -> None:
        if self.profiler is not None:
            self.profiler.arm(self.cycles())

    def rearm(self) -> None:
        """Arm the profiler's deadline at the next scheduled event."""
        if self.profiler is None:
            return
        t = self.events.next_tick()
        self.profiler.arm(None if t is None else max(t - self.slept, self.cycles() + 1))

    def set_flash_wait_states(self, ws: int, why: str) -> None:
        setter = getattr(self.profiler, "set_flash_wait_states", None)
        if setter is not None:
            setter(ws)

    def system_reset_requested(self) -> None:
        """AIRCR.SYSRESETREQ: the chip resets (DDI 0403E B3.2.6); memory keeps its contents."""
        self.resets += 1
        self._reset_pending = True
        self._stop_soon()

    # --- memory -------------------------------------------------------------------------------
    def read(self, addr: int, n: int) -> bytes:
        try:
            return bytes(self.uc.mem_read(addr, n))
        except UcError:
            raise McusimError(f"read of {n} bytes at {addr:#010x}: not in the board's memory") from None

    def write(self, addr: int, data: bytes) -> None:
        try:
            self.uc.mem_write(addr, bytes(data))
        except UcError:
            raise McusimError(f"write of {len(data)} bytes at {addr:#010x}: not in the board's "
                              f"memory") from None

    def read_quiet(self, addr: int, n: int) -> bytes:
        try:
            return self.read(addr, n)
        except McusimError:
            return b""

    def read_u32(self, addr: int) -> int:
        return struct.unpack("<I", self.read(addr, 4))[0]

    def load(self) -> None:
        """Place every PT_LOAD segment's bytes at its load address, as flashing would."""
        for seg in self.elf.segments:
            if seg.data:
                self.write(seg.paddr, seg.data)

    # --- reset and run ------------------------------------------------------------------------
    def vector_reset(self) -> tuple[int, int] | None:
        """(initial SP, reset PC) from the vector table at the boot address, if it is valid."""
        base = self.board.boot_address
        try:
            sp, pc = struct.unpack("<II", self.read(base, 8))
        except McusimError:
            return None
        sp_ok = any(m.kind == "ram" and m.base < sp <= m.end for m in self.board.memories) \
            and sp % 4 == 0
        pc_ok = pc & 1 and self.board.memory_at(pc & ~1, 2) is not None
        return (sp, pc & ~1) if sp_ok and pc_ok else None

    def reset(self) -> tuple[int, int]:
        """Reset the core; returns (initial SP, first PC). Falls back to the ELF entry point
        with SP at the top of the main RAM when the boot address holds no valid table."""
        vec = self.vector_reset()
        sp, pc = vec if vec else (self.board.ram.end, self.elf.entry & ~1)
        for r in (A.UC_ARM_REG_PRIMASK, A.UC_ARM_REG_CONTROL):
            self.uc.reg_write(r, 0)
        if self.board.core != "cortex-m0plus":
            self.uc.reg_write(A.UC_ARM_REG_BASEPRI, 0)
            self.uc.reg_write(A.UC_ARM_REG_FAULTMASK, 0)
        self.uc.reg_write(A.UC_ARM_REG_XPSR, 1 << 24)
        self.uc.reg_write(A.UC_ARM_REG_MSP, sp)
        self.uc.reg_write(A.UC_ARM_REG_SP, sp)
        self.uc.reg_write(A.UC_ARM_REG_LR, 0xFFFFFFFF)
        self.uc.reg_write(A.UC_ARM_REG_PC, pc | 1)
        if self.exc is not None:
            self.exc.reset()
        self._reset_pending = False
        return sp, pc

    def add_breakpoint(self, addr: int, fn: Callable[["Machine"], None]) -> None:
        """Call fn(machine) each time the instruction at addr is about to run."""
        addr &= ~1
        if addr not in self._breakpoints:
            self._breakpoints[addr] = []
            self.uc.hook_add(UC_HOOK_CODE, self._on_breakpoint, None, addr, addr)
        self._breakpoints[addr].append(fn)

    def _on_breakpoint(self, uc, addr, size, _):
        for fn in self._breakpoints.get(addr, ()):
            fn(self)

    def _after_unmask(self, uc, addr, size, _):
        """Right after CPSIE / MSR PRIMASK, BASEPRI or FAULTMASK: a pending exception the mask
        held back is taken before the next instruction (DDI 0403E B5.2.1: the change is
        visible to the next instruction after it, with interrupts recognised then)."""
        if self.exc is not None and self.exc.takeable() is not None:
            self._check = True
            self.uc.emu_stop()

    def pause(self, reason: str) -> None:
        """Stop the core before its next instruction and return from run() without ending the
        run (a debugger's breakpoint, watchpoint or Ctrl-C); run() again resumes."""
        self.pause_reason = reason
        self.uc.emu_stop()

    def step(self) -> None:
        """Execute one instruction (or take one pending exception), then return."""
        # Unicorn counts instructions (emu_start's count) with a code hook it adds the first
        # time a count is asked for; code translated before has no call to it: drop it once.
        if not self._counting:
            self.uc.ctl_flush_tb()
            self._counting = True
        self.run(self.reg("pc"), count=1)

    def trap_divide_by_zero(self) -> None:
        """CCR.DIV_0_TRP was set: watch every SDIV/UDIV (once) for a zero divisor."""
        if self._divides is not None:
            return
        self._divides = dict(divide_sites(self.elf))
        for addr in self._divides:
            self.uc.hook_add(UC_HOOK_CODE, self._on_divide, None, addr, addr)

    def _on_divide(self, uc, addr, size, _):
        rm = self._divides[addr]
        reg = A.UC_ARM_REG_R0 + rm if rm < 13 else (A.UC_ARM_REG_SP, A.UC_ARM_REG_LR,
                                                     A.UC_ARM_REG_PC)[rm - 13]
        if not self.exc.ccr & 0x10 or self.regs[reg]:
            return
        # UsageFault DIVBYZERO with the divide as the return address (B3.2.15, CCR B3.2.8)
        self.profiler.sync_stop(addr, executed=False)
        self._synchronous_fault("divide by zero", "SDIV/UDIV by zero with CCR.DIV_0_TRP set "
                                "(UsageFault DIVBYZERO)", None, X.USAGEFAULT, X.CFSR_DIVBYZERO)

    def run(self, pc: int, count: int | None = None) -> None:
        """Run from pc until the firmware exits, faults, hangs, or a limit stops it; or, with
        `count`, for that many instructions; or until pause()."""
        self.pause_reason = None
        if not count:
            self._counting = False    # a run without a count drops Unicorn's count hook
        with _stop_on_interrupt(self.uc):
            while self.stop is None:
                self._check = False
                self.rearm()
                try:
                    self._running = True
                    self.uc.emu_start(pc | 1, 0xFFFFFFFF, count=count or 0)
                except UcError as e:
                    self._running = False
                    if self.stop is None:
                        self._sync(self.reg("pc"))
                        self._uc_error(e)
                self._running = False
                if self.stop is not None:
                    break
                pc = self.reg("pc")
                prof = self.profiler
                if prof is None:
                    break
                # Deadline, limit and spin stops leave the count exact (the native hook stops
                # before an uncounted block, or after a branch-to-self that did run); any other
                # stop may be inside a block the hook counted whole.
                spinning = prof.spinning
                if not (spinning or prof.deadline_hit or prof.limit_hit):
                    self._sync(pc)
                if prof.limit_hit or self.pause_reason is not None:
                    break
                if self._reset_pending:
                    _, pc = self.reset()
                    continue
                # Events fire at the first block boundary at or after their tick.
                self.events.fire_due(self.now())
                if self.stop is not None or self.pause_reason is not None:
                    break
                woke = self._take_pending(pc)
                if woke:
                    pc = self.reg("pc")
                    if count:
                        break
                    continue
                asleep = self.exc.sleep_on_exit or (not self._check and not prof.deadline_hit
                                                    and not spinning and self.sleeping())
                if spinning or asleep:
                    self.exc.sleep_on_exit = False
                    self._idle(spinning)
                    if self.limit_reached:
                        break
                    if self._take_pending(self.reg("pc")) and count:
                        break
                pc = self.reg("pc")
                if count:
                    break

    def _sync(self, pc: int) -> None:
        """The core stopped at pc, possibly inside a block the profiler counted whole."""
        if self.profiler is not None:
            self.profiler.sync_stop(pc, executed=False)

    def _take_pending(self, pc: int) -> bool:
        e = self.exc.takeable()
        if e is None:
            return False
        try:
            self.exc.enter(e, pc)
        except X.ExceptionError as err:
            self.fault(err.kind, str(err), err.address)
        return True

    def _idle(self, spinning: bool) -> None:
        """WFI/WFE (or a branch to itself): nothing runs until the next event. Time goes to
        that event at once, asleep (WFI) or spinning (counted as executed branches)."""
        exc = self.exc
        if not spinning and exc.takeable(ignore_primask=True) is not None:
            return                      # WFI with a pending interrupt returns at once (B1.5.19)
        if spinning:
            active_fault = [e for e in exc.nesting if e in FAULT_HANDLERS]
            if active_fault and self.fault_report is not None:
                self.request_stop(self.fault_report)
                return
        while self.stop is None:
            nxt = self.events.next_tick()
            can_wake = exc.takeable(ignore_primask=not spinning) is not None
            if can_wake:
                return
            blocked = exc.best_pending() is not None
            if nxt is None or (spinning and blocked):
                self._hang(spinning)
                return
            now = self.now()
            dt = max(0, nxt - now)
            if spinning:
                per = max(1, self.profiler.spin_cycles())
                execs = -(-dt // per)
                limit = self.profiler.max_cycles
                if limit and self.cycles() + execs * per >= limit:
                    self.profiler.spin_forward(max(0, -(-(limit - self.cycles()) // per)))
                    self.limit_reached = True
                    return
                self.profiler.spin_forward(execs)
            else:
                self.sleep_spans.append((now, now + dt))
                self.slept += dt
            self.events.fire_due(self.now())
            if self.exc.takeable(ignore_primask=not spinning) is not None:
                return

    def _hang(self, spinning: bool) -> None:
        pc = self.reg("pc")
        where = self.elf.symbolize(pc)
        if spinning:
            why = ("a branch to itself with every interrupt masked or none able to preempt"
                   if self.exc.best_pending() is not None or self.exc.execution_priority() <= 0
                   else "a branch to itself with no interrupt or timer left that could end it")
        else:
            why = "WFI/WFE with no enabled interrupt or timer left that could wake the core"
        self.request_stop(Stop(reason="hang", message=f"the firmware hangs: {why}, at {where}",
                               pc=pc, where=where, call_stack=self.call_stack_names(),
                               registers={n: self.reg(n) for n in faults.REGISTERS}))

    def sleeping(self) -> bool:
        """Unicorn halts silently on WFI/WFE: is the instruction just executed one of them?"""
        pc = self.reg("pc") & ~1
        try:
            return struct.unpack("<H", self.read(pc - 2, 2))[0] in (0xBF30, 0xBF20)
        except McusimError:
            return False

    # --- events: SysTick ------------------------------------------------------------------------
    def _systick_changed(self) -> None:
        self.events.cancel(self._systick_event)
        self._systick_event = None
        if not self.scs.csr & 0x2:          # TICKINT
            return
        t = self.scs.next_zero()
        if t is not None:
            self._systick_event = self.events.at(t, self._systick_fired)
            self.rearm()

    def _systick_fired(self) -> None:
        self._systick_event = None
        if self.scs.csr & 0x3 == 0x3:
            self.exc.set_pending(X.SYSTICK)
        self._systick_changed()

    # --- exceptions -----------------------------------------------------------------------------
    def exception_taken(self, e: int, handler: int, cycles: int, return_pc: int) -> None:
        self.exception_counts[e] = self.exception_counts.get(e, 0) + 1
        self.profiler.exception_entered(handler, cycles, return_pc)
        self.signals.trace_exception(e, True)

    def exception_returned(self, e: int, cycles: int, return_pc: int) -> None:
        self.profiler.exception_returned(cycles, return_pc)
        self.signals.trace_exception(e, False)

    def _synchronous_fault(self, kind: str, message: str, address: int | None,
                           exc: int, cfsr: int) -> None:
        """A fault the firmware may handle: report it as today, or, when the vector table has
        a handler for it, enter that handler with the fault status registers set (B1.5.14).
        A handler that then spins ends the run with this report."""
        report = self._fault_report(kind, message, address)
        x = self.exc
        if x is None or any(e in (X.HARDFAULT, X.NMI) for e in x.nesting) or \
                self.vector_reset() is None:
            self.request_stop(report)        # lockup (fault in HardFault/NMI) or no table
            return
        target = x.fault_target(exc)
        if not self.table_has(target):
            self.request_stop(report)        # the firmware's table has no such entry
            return
        if target == X.HARDFAULT and exc == X.HARDFAULT:
            x.hfsr |= X.HFSR_FORCED
        x.cfsr |= cfsr
        if cfsr & X.CFSR_PRECISERR and address is not None:
            x.bfar, x.cfsr = address, x.cfsr | X.CFSR_BFARVALID
        try:
            x.enter(target, self.reg("pc"))
        except X.ExceptionError as err:
            report.message += f" (and the fault handler could not be entered: {err})"
            self.request_stop(report)
            return
        self.fault_report = report

    def table_has(self, e: int) -> bool:
        """Does the firmware's vector table have an entry for exception e? A table the ELF
        places at VTOR (or at the boot memory aliased there) ends with its section; a table
        elsewhere (copied to RAM by the firmware) is taken as complete."""
        vtor = self.exc.vtor
        if vtor == 0 and self._buffers:                 # the STM32 boot alias
            vtor = self.board.boot_address
        sec = self.elf.section_at(vtor)
        if sec is None or sec.address != vtor:
            return True
        return vtor + 4 * e + 4 <= sec.address + sec.size

    def _uc_error(self, e: UcError) -> None:
        """emu_start raised: an access Unicorn could not do (unmapped, flash write...)."""
        if self._pending_access is not None:
            kind, msg, addr = self._pending_access
            self._pending_access = None
            sp = self.reg("sp")
            if kind == "bad write" and sp - 64 <= addr < sp + 64 \
                    and self.board.memory_at(addr) is None:
                self.fault("stack overflow", f"the stack (sp={sp:#010x}) grew out of RAM: "
                                             f"write to unmapped address {addr:#010x}", addr)
                return
            cfsr = X.CFSR_IBUSERR if kind == "bad fetch" else X.CFSR_PRECISERR
            self._synchronous_fault(kind, f"{msg} {addr:#010x}", addr, X.BUSFAULT, cfsr)
            return
        kind, msg = faults.classify_error(e, self.reg("xpsr"))
        if kind == "undefined instruction":
            msg = faults.explain_undefined(self.read_quiet(self.reg("pc"), 4), msg)
        if kind == "non-thumb jump":
            self._synchronous_fault(kind, msg, None, X.USAGEFAULT, X.CFSR_INVSTATE)
        elif kind == "undefined instruction":
            self._synchronous_fault(kind, msg, None, X.USAGEFAULT, X.CFSR_UNDEFINSTR)
        else:
            self.fault(kind, msg)

    def request_stop(self, stop: Stop) -> None:
        if self.stop is None:
            self.stop = stop
        self.uc.emu_stop()

    def exit(self, code: int, message: str = "") -> None:
        self.exit_code = code
        self.request_stop(Stop(reason="exit", message=message or f"exit status {code}"))

    def fault(self, kind: str, message: str, address: int | None = None) -> None:
        self.request_stop(self._fault_report(kind, message, address))

    def _fault_report(self, kind: str, message: str, address: int | None = None) -> Stop:
        """The fault as the report shows it: kind, PC as symbol+offset, registers, call stack."""
        pc = self.reg("pc")
        where = self.elf.symbolize(pc)
        return Stop(reason="fault", message=f"{kind}: {message} at {where}", pc=pc,
                    where=where, fault_address=address,
                    registers={n: self.reg(n) for n in faults.REGISTERS},
                    call_stack=self.call_stack_names())

    def call_stack_names(self) -> list[str]:
        """The profiler's call stack (outermost first) as function names."""
        def name(frame) -> str:
            if isinstance(frame, str):
                return frame
            hit = self.elf.function_at(frame)
            return hit[0] if hit else "(no symbol)"
        return [name(f) for f in self.call_stack()]

    def fault_access(self, kind: str, addr: int, why: str) -> None:
        self.fault(kind, f"{why} {addr:#010x}", addr)

    def reg(self, name: str) -> int:
        return self.regs[faults.REGISTERS[name]]

    # --- output -------------------------------------------------------------------------------
    def console(self, stream: int, data: bytes) -> None:
        buf = self.stdout if stream == 1 else self.stderr
        buf += data
        if self.until is not None and stream == 1 and self.stop is None and \
                self.until in self.stdout[-(len(data) + len(self.until)):]:
            self.request_stop(Stop(reason="until", message=f"the console printed "
                                   f"{self.until.decode('utf-8', 'replace')!r} (--until)"))
        if self.echo:
            out = sys.stdout if stream == 1 else sys.stderr
            try:
                out.buffer.write(data)
            except AttributeError:          # a StringIO stand-in (tests, notebooks)
                out.write(data.decode("utf-8", "replace"))
            out.flush()

    # --- hooks --------------------------------------------------------------------------------
    def _on_invalid(self, uc, access, addr, size, value, _):
        kind, msg = faults.access_fault(access)
        if faults.is_peripheral(addr) and "unmapped" in msg:
            msg = f"{kind.split()[1]} of a peripheral register mcusim does not model:" \
                  f"{self.bus.svd_name(addr)}"     # the SVD's name (--strict-peripherals)
        self._pending_access = (kind, msg, addr)
        return False

    def _on_intr(self, uc, intno, _):
        if self.profiler is not None:
            self.profiler.trap()          # count the block only up to the trapping instruction
        pc = self.reg("pc")
        if intno == faults.EXCP_BKPT:
            try:
                insn = struct.unpack("<H", self.read(pc, 2))[0]
            except McusimError:
                insn = 0
            if insn == SEMIHOSTING_BKPT:
                try:
                    r0 = self.semihosting.call(self.reg("r0"), self.reg("r1"))
                except McusimError as e:     # a parameter block pointing outside memory
                    self.fault("bad semihosting call", str(e))
                    return
                if r0 is not None and self.stop is None:
                    uc.reg_write(A.UC_ARM_REG_R0, r0)
                    uc.reg_write(A.UC_ARM_REG_PC, (pc + 2) | 1)
                return
            self.fault("breakpoint", f"BKPT #{insn & 0xFF:#x} with no debugger attached")
            return
        x = self.exc
        if x is not None and intno == faults.EXCP_EXCEPTION_EXIT and x.nesting:
            try:
                x.exception_return(pc)
            except X.ExceptionError as err:
                if err.invpc:
                    # The return fails: UsageFault INVPC (HardFault on ARMv6-M), entered from
                    # the handler that tried to return (DDI 0403E B1.5.8, ExceptionReturn).
                    self._synchronous_fault(err.kind, str(err), err.address, X.USAGEFAULT,
                                            X.CFSR_INVPC)
                else:
                    self.fault(err.kind, str(err), err.address)
            return
        if x is not None and intno == faults.EXCP_SWI:
            # SVC: taken at once; when its priority cannot preempt (in a handler of equal or
            # higher priority, or with PRIMASK set) it escalates to HardFault (B1.5.14).
            try:
                if x.can_preempt(X.SVCALL, x.execution_priority()):
                    x.enter(X.SVCALL, pc)
                else:
                    self._synchronous_fault("svc", "SVC executed where SVCall cannot be taken "
                                            "(priority or PRIMASK): escalated to HardFault",
                                            None, X.HARDFAULT, 0)
            except X.ExceptionError as err:
                self.fault(err.kind, str(err), err.address)
            return
        if x is not None and intno in FAULT_EXCEPTIONS:
            exc, cfsr = FAULT_EXCEPTIONS[intno]
            kind, msg = faults.INTR_FAULTS.get(intno, ("exception", f"CPU exception {intno}"))
            if intno == faults.EXCP_UDEF:
                msg = faults.explain_undefined(self.read_quiet(pc, 4), msg)
            self._synchronous_fault(kind, msg, None, exc, cfsr)
            return
        kind, msg = faults.INTR_FAULTS.get(intno, ("exception", f"CPU exception {intno}"))
        self.fault(kind, msg)


class _Nvic:
    """What device models use: pend and clear their interrupt (external number, 0-based)."""

    def __init__(self, machine: Machine):
        self.m = machine

    @property
    def irq_count(self) -> int:
        return self.m.exc.irq_count if self.m.exc else 0

    def set_pending(self, irq: int) -> None:
        if self.m.exc is not None:
            self.m.exc.set_pending(16 + irq)

    def clear_pending(self, irq: int) -> None:
        if self.m.exc is not None:
            self.m.exc.clear_pending(16 + irq)


@contextlib.contextmanager
def _stop_on_interrupt(uc):
    """Let Ctrl-C stop a run that never returns to Python (native hooks, a tight loop).

    Python only runs its SIGINT handler between bytecodes, but its C-level handler writes to
    the wakeup fd at once; a helper thread waiting on that fd stops the emulator, and the
    KeyboardInterrupt is raised when emu_start returns."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    rd, wr = socket.socketpair()
    wr.setblocking(False)
    try:
        old = signal.set_wakeup_fd(wr.fileno(), warn_on_full_buffer=False)
    except (ValueError, OSError):
        rd.close(), wr.close()
        yield
        return
    done = threading.Event()

    def watch():
        while not done.is_set():
            try:
                rd.settimeout(0.2)
                data = rd.recv(64)     # one byte per signal: its number
                if not data:
                    return
                if signal.SIGINT in data:
                    uc.emu_stop()
                    return
            except socket.timeout:
                continue
            except OSError:
                return

    t = threading.Thread(target=watch, daemon=True)
    t.start()
    try:
        yield
    finally:
        done.set()
        signal.set_wakeup_fd(old)
        try:
            wr.send(b"\0")      # wake the watcher now, not at its next 0.2 s timeout
        except OSError:
            pass
        t.join(1)
        rd.close(), wr.close()
