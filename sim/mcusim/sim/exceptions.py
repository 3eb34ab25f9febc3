"""The M-profile exception model: NVIC and SCB state, priorities, entry, return, tail-chaining.

Unicorn runs instructions but takes no exceptions on M-profile (its interrupt hook reports SVC,
faults and the branch to an EXC_RETURN value, and nothing else happens). This module does what
the hardware does at those points, from the architecture manuals:
ARMv7-M ARM (DDI 0403E.e) B1.5 (exception model: B1.5.4 priorities, B1.5.6 entry, B1.5.7 stack
alignment, B1.5.8 return, B1.5.12 tail-chaining), ARMv6-M ARM (DDI 0419E) B1.5, ARMv8-M ARM
(DDI 0553B) B3. Entry, return and tail-chain latencies come from the core's profile
(profiles/<core>.toml, [exceptions]) and are charged as the `exception` class.

Unicorn specifics relied on (checked against Unicorn 2.1.4): writing IPSR through reg_write
switches QEMU between Thread and Handler mode and banks SP (MSP/PSP) the way CONTROL.SPSEL says;
MSP/PSP/CONTROL are only writable by reg_write in a privileged mode (Handler mode is).
"""
from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from unicorn import UcError
from unicorn import arm_const as A

from mcusim.sim.regs import Regs

if TYPE_CHECKING:
    from mcusim.sim.machine import Machine

RESET, NMI, HARDFAULT, MEMMANAGE, BUSFAULT, USAGEFAULT, SECUREFAULT = 1, 2, 3, 4, 5, 6, 7
SVCALL, DEBUGMON, PENDSV, SYSTICK = 11, 12, 14, 15
NAMES = {NMI: "NMI", HARDFAULT: "HardFault", MEMMANAGE: "MemManage", BUSFAULT: "BusFault",
         USAGEFAULT: "UsageFault", SECUREFAULT: "SecureFault", SVCALL: "SVCall",
         DEBUGMON: "DebugMonitor", PENDSV: "PendSV", SYSTICK: "SysTick"}
THREAD_PRIORITY = 256          # lower than any configurable priority (DDI 0403E B1.5.4)

# CFSR bits (DDI 0403E B3.2.15): UsageFault in [31:16], BusFault in [15:8], MemManage in [7:0]
CFSR_IACCVIOL, CFSR_DACCVIOL, CFSR_MMARVALID = 1 << 0, 1 << 1, 1 << 7
CFSR_IBUSERR, CFSR_PRECISERR, CFSR_BFARVALID = 1 << 8, 1 << 9, 1 << 15
CFSR_UNDEFINSTR, CFSR_INVSTATE, CFSR_INVPC, CFSR_NOCP = 1 << 16, 1 << 17, 1 << 18, 1 << 19
CFSR_STKOF, CFSR_UNALIGNED, CFSR_DIVBYZERO = 1 << 20, 1 << 24, 1 << 25
HFSR_VECTTBL, HFSR_FORCED = 1 << 1, 1 << 30
# SHCSR enable bits of the configurable faults (B3.2.13)
SHCSR_ENA = {MEMMANAGE: 1 << 16, BUSFAULT: 1 << 17, USAGEFAULT: 1 << 18}

FRAME_BASIC, FRAME_FP = 0x20, 0x68    # 8 words; + S0-S15, FPSCR, reserved (B1.5.7)
XPSR_ALIGN = 1 << 9                   # the frame was realigned by 4 bytes (B1.5.7)
CONTROL_NPRIV, CONTROL_SPSEL, CONTROL_FPCA = 1, 2, 4
FPCCR_ASPEN, FPCCR_LSPEN = 1 << 31, 1 << 30


def exception_name(n: int) -> str:
    return NAMES.get(n, f"IRQ{n - 16}" if n >= 16 else f"exception {n}")


class ExceptionError(Exception):
    """Something the firmware did that stops the run (bad vector, corrupt EXC_RETURN, lockup)."""

    def __init__(self, kind: str, message: str, address: int | None = None,
                 invpc: bool = False):
        super().__init__(message)
        self.kind, self.address = kind, address
        self.invpc = invpc          # an illegal exception return: UsageFault INVPC on silicon


class ExceptionModel:
    def __init__(self, machine: "Machine", irq_count: int, prio_bits: int, timing):
        self.m, self.uc = machine, machine.uc
        self.r = Regs(machine.uc)
        core = machine.board.core
        self.v6m = core == "cortex-m0plus"
        self.v8m = core == "cortex-m33"
        self.has_fp = machine.board.has_fpu
        self.irq_count = irq_count
        self.n = 16 + irq_count
        self.prio_bits = prio_bits
        self.timing = timing
        self.reset()

    def reset(self) -> None:
        n = self.n
        self.enabled = bytearray(n)
        self.pending = bytearray(n)
        self.active = bytearray(n)
        self.prio = bytearray(n)        # register values (implemented bits only)
        for e in (RESET, NMI, HARDFAULT, SVCALL, PENDSV, SYSTICK):
            self.enabled[e] = 1         # always enabled; MemManage/Bus/Usage follow SHCSR
        self.prigroup = 0
        self.vtor = self.m.vtor_reset
        self.scr = 0
        self.ccr = 0x204 if self.v6m else (0x201 if self.v8m else 0x200)   # STKALIGN (+UNALIGN_TRP on v6-M)
        self.shcsr_ena = 0
        self.cfsr = self.hfsr = self.mmfar = self.bfar = 0
        self.fpccr = FPCCR_ASPEN | FPCCR_LSPEN if self.has_fp else 0   # reset: DDI 0403E B3.2.33
        self.fpcar = 0
        self.sleep_on_exit = False      # set by a return to Thread mode with SCR.SLEEPONEXIT
        self.nesting: list[int] = []    # active exceptions in entry order (for reports)

    # --- priorities (B1.5.4) ---------------------------------------------------------------
    def priority(self, e: int) -> int:
        return {RESET: -3, NMI: -2, HARDFAULT: -1}.get(e, self.prio[e])

    def group(self, p: int) -> int:
        if p < 0:
            return p
        return p & ~((2 << self.prigroup) - 1) & 0xFF if not self.v6m else p

    def mask_prio(self, value: int) -> int:
        keep = (0xFF << (8 - self.prio_bits)) & 0xFF
        return value & keep

    def execution_priority(self, ignore_primask: bool = False) -> int:
        p = THREAD_PRIORITY
        for e in self.nesting:
            p = min(p, self.group(self.priority(e)))
        if not self.v6m:
            bp = self.r[A.UC_ARM_REG_BASEPRI] & 0xFF
            if bp:
                p = min(p, self.group(self.mask_prio(bp)))
            if self.r[A.UC_ARM_REG_FAULTMASK] & 1:
                p = min(p, -1)
        if not ignore_primask and self.r[A.UC_ARM_REG_PRIMASK] & 1:
            p = min(p, 0)
        return p

    def best_pending(self) -> int | None:
        """The pending, enabled exception of highest priority (lowest value, then number)."""
        best, best_p = None, None
        find = self.pending.find
        e = find(1, 2)                  # bytearray.find: the scan runs in C
        while e >= 0:
            if self.enabled[e]:
                p = self.priority(e)
                if best_p is None or p < best_p:
                    best, best_p = e, p
            e = find(1, e + 1)
        return best

    def can_preempt(self, e: int, exec_prio: int) -> bool:
        return self.group(self.priority(e)) < exec_prio

    def takeable(self, ignore_primask: bool = False) -> int | None:
        """The pending exception that would be taken now, if any."""
        e = self.best_pending()
        if e is not None and self.can_preempt(e, self.execution_priority(ignore_primask)):
            return e
        return None



    # --- pending ---------------------------------------------------------------------------
    def set_pending(self, e: int) -> None:
        if 1 < e < self.n:
            self.pending[e] = 1
            self.m.request_check()

    def clear_pending(self, e: int) -> None:
        if 1 < e < self.n:
            self.pending[e] = 0

    # --- entry (B1.5.6) --------------------------------------------------------------------
    def _vector(self, e: int) -> int:
        addr = self.vtor + 4 * e
        if not self.m.table_has(e):
            raise ExceptionError("bad vector", f"{exception_name(e)} was taken but the vector "
                                 f"table at {self.vtor:#010x} (VTOR) has no entry for it "
                                 f"(exception {e}, offset {4 * e:#x})", addr)
        try:
            handler = self.m.read_u32(addr)
        except Exception:   # noqa: BLE001 - any unreadable table
            raise ExceptionError("bad vector", f"the vector table entry of {exception_name(e)} "
                                 f"at {addr:#010x} (VTOR {self.vtor:#010x} + {4 * e:#x}) is "
                                 f"not in the board's memory", addr) from None
        if self.m.board.memory_at(handler & ~1, 2) is None:
            raise ExceptionError("bad vector", f"the vector table entry of {exception_name(e)} "
                                 f"at {addr:#010x} points outside memory: {handler:#010x}",
                                 handler)
        return handler

    def enter(self, e: int, return_pc: int, tail_chain_from: int | None = None) -> None:
        """Take exception e: stack the frame (unless tail-chaining), switch to Handler mode."""
        handler = self._vector(e)
        if tail_chain_from is None:
            exc_return, fp_frame = self._push_frame(return_pc)
            cycles = self.timing.entry + (self.timing.fp_frame_extra if fp_frame and not
                                          self.fpccr & FPCCR_LSPEN else 0)
        else:
            exc_return, cycles = tail_chain_from, self.timing.tail_chain
        self.pending[e] = 0
        self.active[e] = 1
        self.nesting.append(e)
        control = self.r[A.UC_ARM_REG_CONTROL]
        self.r[A.UC_ARM_REG_IPSR] = e
        # In Handler mode: MSP is the stack; CONTROL.SPSEL and FPCA clear, nPRIV kept (B1.5.6)
        self.r[A.UC_ARM_REG_CONTROL] = control & CONTROL_NPRIV
        self.r[A.UC_ARM_REG_LR] = exc_return
        self.r[A.UC_ARM_REG_PC] = handler | 1
        self.m.exception_taken(e, handler, cycles, return_pc)

    def _push_frame(self, return_pc: int) -> tuple[int, bool]:
        control = self.r[A.UC_ARM_REG_CONTROL]
        handler_mode = bool(self.nesting)
        on_psp = not handler_mode and bool(control & CONTROL_SPSEL)
        fp_frame = self.has_fp and bool(control & CONTROL_FPCA) and bool(self.fpccr & FPCCR_ASPEN)
        size = FRAME_FP if fp_frame else FRAME_BASIC
        sp = self.r[A.UC_ARM_REG_SP]
        xpsr = self.r[A.UC_ARM_REG_XPSR]
        frame = (sp - size) & 0xFFFFFFFF
        if frame & 4 and (self.v6m or self.ccr & 0x200):
            frame -= 4
            xpsr |= XPSR_ALIGN
        else:
            xpsr &= ~XPSR_ALIGN
        words = [self.r[r] for r in (A.UC_ARM_REG_R0, A.UC_ARM_REG_R1, A.UC_ARM_REG_R2,
                                        A.UC_ARM_REG_R3, A.UC_ARM_REG_R12, A.UC_ARM_REG_LR)]
        words += [return_pc & ~1, xpsr]
        data = struct.pack("<8I", *words)
        if fp_frame:
            # Registers are written at once even with lazy stacking (FPCCR.LSPEN): the space is
            # the frame's either way; only the cycles follow LSPEN.
            regs = [self.r[A.UC_ARM_REG_S0 + i] for i in range(16)]
            data += struct.pack("<16I", *regs) + struct.pack("<II", self.r[
                A.UC_ARM_REG_FPSCR], 0)
            self.fpcar = frame + 0x20
        # Only RAM takes a frame (checked before writing: never write what is not RAM); it may
        # cross contiguous RAMs (DTCM/SRAM).
        span = self.m.board.span(frame, len(data))
        if span is None or any(m.kind != "ram" for m in span):
            raise ExceptionError("stack overflow", f"exception entry could not stack its frame: "
                                 f"{'PSP' if on_psp else 'MSP'} {sp:#010x} - {len(data)} bytes "
                                 f"at {frame:#010x} is outside RAM", frame)
        self.uc.mem_write(frame, data)
        self.r[A.UC_ARM_REG_SP] = frame
        # 0xFFFFFFE1 | ...: on ARMv8-M the same bits read PREFIX, S = 1, DCRS = 1, ES = 1 (Secure
        # state: TrustZone is not modelled, the M33 runs Secure).
        mode = 0xFFFFFFE1
        if not fp_frame:
            mode |= 0x10                # FType: 1 = basic frame (always on ARMv6-M: no FPU)
        if not handler_mode:
            mode |= 0x08                # return to Thread mode
            if on_psp:
                mode |= 0x04
        return mode, fp_frame

    # --- return (B1.5.8) -------------------------------------------------------------------
    def exception_return(self, exc_return: int) -> None:
        exc_return |= 1
        if not self.nesting:
            raise ExceptionError("bad return", f"branch to EXC_RETURN {exc_return:#010x} in "
                                 f"Thread mode")
        e = self.r[A.UC_ARM_REG_IPSR] & 0x1FF
        low = exc_return & 0xF
        valid = (exc_return >> 24) == 0xFF and low in (0x1, 0x9, 0xD) and \
            (self.has_fp or exc_return & 0x10) and (exc_return >> 7 & 0x1FFFF) == 0x1FFFF
        if not self.v8m:
            valid = valid and (exc_return >> 5) & 0x7FFFF == 0x7FFFF
        if not valid or not self.active[e]:
            what = exception_name(e)
            if self.active[e]:
                # ExceptionReturn deactivates the returning exception before it takes the
                # UsageFault INVPC (DDI 0403E B1.5.8), so that fault can preempt what remains.
                self.active[e] = 0
                if e in self.nesting:
                    self.nesting.remove(e)
                self.m.exception_returned(e, 0, 0)
            raise ExceptionError("bad return", f"{what} handler returned with a corrupt "
                                 f"EXC_RETURN {exc_return:#010x} (UsageFault INVPC on silicon)",
                                 invpc=True)
        to_thread = bool(exc_return & 0x8)
        self.active[e] = 0
        if e in self.nesting:
            self.nesting.remove(e)
        if to_thread and self.nesting:
            raise ExceptionError("bad return", f"{exception_name(e)} returned to Thread mode "
                                 f"(EXC_RETURN {exc_return:#010x}) with "
                                 f"{exception_name(self.nesting[-1])} still active")
        # Tail-chaining (B1.5.12): a pending exception that can preempt what we return to is
        # taken at once, with the frame left where it is.
        nxt = self.best_pending()
        if nxt is not None:
            ret_prio = self.execution_priority()
            if self.can_preempt(nxt, ret_prio):
                ret_pc = self._stacked_pc(exc_return)
                self.m.exception_returned(e, 0, ret_pc)
                self.enter(nxt, ret_pc, tail_chain_from=exc_return)
                return
        pc = self._pop_frame(exc_return, to_thread)
        self.m.exception_returned(e, self.timing.exit, pc)
        if to_thread and self.scr & 0x2:
            self.sleep_on_exit = True

    def _pop_frame(self, exc_return: int, to_thread: bool) -> int:
        uc = self.uc
        use_psp = bool(exc_return & 0x4)
        fp_frame = not exc_return & 0x10
        sp_reg = A.UC_ARM_REG_PSP if use_psp else A.UC_ARM_REG_MSP
        frame = self.r[sp_reg]
        size = FRAME_FP if fp_frame else FRAME_BASIC
        try:
            data = bytes(uc.mem_read(frame, size))
        except UcError:
            raise ExceptionError("bad return", f"exception return could not unstack the frame "
                                 f"at {frame:#010x}: outside memory", frame) from None
        r0, r1, r2, r3, r12, lr, pc, xpsr = struct.unpack_from("<8I", data)
        new_sp = frame + size + (4 if xpsr & XPSR_ALIGN and (self.v6m or self.ccr & 0x200)
                                 else 0)
        self.r[sp_reg] = new_sp
        control = self.r[A.UC_ARM_REG_CONTROL] & CONTROL_NPRIV
        if to_thread and use_psp:
            control |= CONTROL_SPSEL
        if fp_frame:
            control |= CONTROL_FPCA
            for i, v in enumerate(struct.unpack_from("<16I", data, 0x20)):
                self.r[A.UC_ARM_REG_S0 + i] = v
            self.r[A.UC_ARM_REG_FPSCR] = struct.unpack_from("<I", data, 0x60)[0]
        self.r[A.UC_ARM_REG_CONTROL] = control
        ipsr = self.nesting[-1] if not to_thread else 0
        self.r[A.UC_ARM_REG_XPSR] = (xpsr & ~(0x1FF | XPSR_ALIGN)) | ipsr
        for r, v in ((A.UC_ARM_REG_R0, r0), (A.UC_ARM_REG_R1, r1), (A.UC_ARM_REG_R2, r2),
                     (A.UC_ARM_REG_R3, r3), (A.UC_ARM_REG_R12, r12), (A.UC_ARM_REG_LR, lr)):
            self.r[r] = v
        self.r[A.UC_ARM_REG_PC] = pc | 1
        return pc

    def _stacked_pc(self, exc_return: int) -> int:
        """The return address in the frame an EXC_RETURN value names (for a tail-chain)."""
        frame = self.r[A.UC_ARM_REG_PSP if exc_return & 0x4 else A.UC_ARM_REG_MSP]
        try:
            return struct.unpack("<I", bytes(self.uc.mem_read(frame + 24, 4)))[0]
        except UcError:
            return 0

    # --- faults ----------------------------------------------------------------------------
    def fault_target(self, kind: int) -> int:
        """The exception a synchronous fault of `kind` (MemManage/BusFault/UsageFault) takes:
        its own handler when enabled in SHCSR and able to preempt, else HardFault (FORCED)."""
        if self.v6m or kind == HARDFAULT:
            return HARDFAULT
        if self.shcsr_ena & SHCSR_ENA[kind] and \
                self.can_preempt(kind, self.execution_priority(ignore_primask=True)) and \
                not self.active[kind]:
            return kind
        self.hfsr |= HFSR_FORCED
        return HARDFAULT

    # --- registers: ICSR, SHCSR --------------------------------------------------------------
    def icsr(self) -> int:
        ipsr = self.r[A.UC_ARM_REG_IPSR] & 0x1FF
        v = ipsr
        if len(self.nesting) <= 1:
            v |= 1 << 11                # RETTOBASE
        nxt = self.best_pending()
        if nxt is not None:
            v |= (nxt & 0x1FF) << 12
        if any(self.pending[16:]):
            v |= 1 << 22                # ISRPENDING
        if self.pending[SYSTICK]:
            v |= 1 << 26
        if self.pending[PENDSV]:
            v |= 1 << 28
        if self.pending[NMI]:
            v |= 1 << 31
        return v

    def write_icsr(self, value: int) -> None:
        if value & (1 << 31):
            self.set_pending(NMI)
        if value & (1 << 28):
            self.set_pending(PENDSV)
        elif value & (1 << 27):
            self.clear_pending(PENDSV)
        if value & (1 << 26):
            self.set_pending(SYSTICK)
        elif value & (1 << 25):
            self.clear_pending(SYSTICK)

    SHCSR_ACT = ((MEMMANAGE, 0), (BUSFAULT, 1), (USAGEFAULT, 3), (SVCALL, 7), (DEBUGMON, 8),
                 (PENDSV, 10), (SYSTICK, 11))
    SHCSR_PEND = ((USAGEFAULT, 12), (MEMMANAGE, 13), (BUSFAULT, 14), (SVCALL, 15))

    def shcsr(self) -> int:
        v = self.shcsr_ena
        for e, bit in self.SHCSR_ACT:
            v |= self.active[e] << bit
        for e, bit in self.SHCSR_PEND:
            v |= self.pending[e] << bit
        return v

    def write_shcsr(self, value: int) -> None:
        self.shcsr_ena = value & (0x7 << 16)
        for e in (MEMMANAGE, BUSFAULT, USAGEFAULT):
            self.enabled[e] = 1 if value & SHCSR_ENA[e] else 0
        for e, bit in self.SHCSR_PEND:
            self.pending[e] = (value >> bit) & 1
