"""The simulated chip: a Unicorn Cortex-M core, the board's memories and the peripheral bus.

Machine owns what stops a run (exit through semihosting, faults) as `self.stop`; the runner adds
the profiler and turns the outcome into a RunResult.
"""
from __future__ import annotations

import contextlib
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
from mcusim.sim import faults
from mcusim.sim.elf import ElfImage
from mcusim.sim.peripherals import PAGE, Bus, Dwt, Itm, SystemControl, make_uart
from mcusim.sim.semihosting import Semihosting

# Unicorn 2.1 CPU models for each board core (unicorn/arm.h: UC_CPU_ARM_CORTEX_*). There is
# no M0+ model: the M0 runs the same ARMv6-M instruction set.
CPU_MODELS = {
    "cortex-m0plus": A.UC_CPU_ARM_CORTEX_M0, "cortex-m3": A.UC_CPU_ARM_CORTEX_M3,
    "cortex-m4": A.UC_CPU_ARM_CORTEX_M4, "cortex-m4f": A.UC_CPU_ARM_CORTEX_M4,
    "cortex-m7": A.UC_CPU_ARM_CORTEX_M7, "cortex-m33": A.UC_CPU_ARM_CORTEX_M33,
}
SEMIHOSTING_BKPT = 0xBEAB     # BKPT #0xAB: the M-profile semihosting trap


class Machine:
    def __init__(self, board: Board, elf: ElfImage, stdin: bytes | None = None,
                 argv: list[str] | None = None, echo_stdout: bool = False):
        self.board, self.elf = board, elf
        self.uc = Uc(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS)
        self.uc.ctl_set_cpu_model(CPU_MODELS[board.core])
        self.stop: Stop | None = None
        self.exit_code = 0
        self.echo = echo_stdout
        self.stdout = bytearray()
        self.stderr = bytearray()
        self.cycles: Callable[[], int] = lambda: 0     # set by the runner from the profiler
        self.call_stack: Callable[[], list] = lambda: []
        self.layout = None                              # memory.Layout, set by the runner
        self._pending_access: tuple[str, str, int] | None = None
        self.stopped_mid_block = False   # a fault stopped the core inside a translated block
        self._breakpoints: dict[int, list[Callable[["Machine"], None]]] = {}
        for m in board.memories:
            size = (m.size + PAGE - 1) & ~(PAGE - 1)
            perms = UC_PROT_READ | UC_PROT_EXEC if m.kind == "flash" else UC_PROT_ALL
            self.uc.mem_map(m.base, size, perms)
        self.bus = Bus(self)
        self.dwt = self.bus.add(Dwt(lambda: self.cycles(), has_cyccnt=board.core != "cortex-m0plus"))
        self.scs = self.bus.add(SystemControl(board.core, lambda: self.cycles(), self.dwt))
        self.dwt.scs = self.scs
        self.bus.add(Itm(lambda data: self.console(1, data)))
        uart = make_uart(self, board.uart, lambda data: self.console(1, data))
        if uart is not None:
            self.bus.add(uart)
        self.semihosting = Semihosting(self, stdin, argv or [])
        self.uc.hook_add(UC_HOOK_MEM_INVALID, self._on_invalid)
        self.uc.hook_add(UC_HOOK_INTR, self._on_intr)

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
        self.uc.reg_write(A.UC_ARM_REG_SP, sp)
        self.uc.reg_write(A.UC_ARM_REG_LR, 0xFFFFFFFF)
        self.uc.reg_write(A.UC_ARM_REG_PC, pc | 1)
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

    def run(self, pc: int) -> None:
        """Run from pc until the firmware exits, faults or the profiler's limit stops it."""
        try:
            with _stop_on_interrupt(self.uc):
                self.uc.emu_start(pc | 1, 0xFFFFFFFF)
        except UcError as e:
            if self.stop is None:
                self.stopped_mid_block = True
                if self._pending_access is not None:
                    kind, msg, addr = self._pending_access
                    sp = self.reg("sp")
                    if kind == "bad write" and sp - 64 <= addr < sp + 64 \
                            and self.board.memory_at(addr) is None:
                        kind, msg = "stack overflow", f"the stack (sp={sp:#010x}) grew out of " \
                                                      f"RAM: write to unmapped address"
                    self.fault(kind, f"{msg} {addr:#010x}", addr)
                else:
                    kind, msg = faults.classify_error(e, self.reg("xpsr"))
                    if kind == "undefined instruction":
                        msg = faults.explain_undefined(self.read_quiet(self.reg("pc"), 4), msg)
                    self.fault(kind, msg)

    def sleeping(self) -> bool:
        """Unicorn halts silently on WFI/WFE (nothing can wake the core): is that where we are?"""
        pc = self.reg("pc") & ~1
        for addr in (pc - 2, pc):
            try:
                if struct.unpack("<H", self.read(addr, 2))[0] in (0xBF30, 0xBF20):  # WFI, WFE
                    return True
            except McusimError:
                pass
        return False

    def request_stop(self, stop: Stop) -> None:
        if self.stop is None:
            self.stop = stop
        self.uc.emu_stop()

    def exit(self, code: int, message: str = "") -> None:
        self.exit_code = code
        self.request_stop(Stop(reason="exit", message=message or f"exit status {code}"))

    def fault(self, kind: str, message: str, address: int | None = None) -> None:
        pc = self.reg("pc")
        stack = self.call_stack_names()
        regs = {n: self.reg(n) for n in faults.REGISTERS}
        where = self.elf.symbolize(pc)
        self.request_stop(Stop(reason="fault", message=f"{kind}: {message} at {where}",
                               pc=pc, where=where, fault_address=address, registers=regs,
                               call_stack=stack))

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
        return self.uc.reg_read(faults.REGISTERS[name])

    # --- output -------------------------------------------------------------------------------
    def console(self, stream: int, data: bytes) -> None:
        buf = self.stdout if stream == 1 else self.stderr
        buf += data
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
            msg = f"{kind.split()[1]} of a peripheral register mcusim does not model:"
        self._pending_access = (kind, msg, addr)
        return False

    def _on_intr(self, uc, intno, _):
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
        # Exception entry would go here once NVIC/SysTick exceptions are modelled: push the
        # frame, set LR to EXC_RETURN and branch to the handler read from VTOR + 4 * number.
        kind, msg = faults.INTR_FAULTS.get(intno, ("exception", f"CPU exception {intno}"))
        self.fault(kind, msg)


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
        t.join(1)
        rd.close(), wr.close()
