"""Turning what stopped the core into a fault report (result.Stop).

Unicorn reports problems three ways: the invalid-memory hook (unmapped or protected access, seen
before the UcError), the interrupt hook (QEMU exception numbers for BKPT, SVC, ...) and the
UcError of emu_start. On M-profile, BX/BLX/POP {pc} to an address with bit 0 clear clears
EPSR.T; the next fetch then fails with UC_ERR_INSN_INVALID and xPSR bit 24 reads 0: that is
how a jump to a non-Thumb address is told apart from an undefined instruction.
"""
from __future__ import annotations

from unicorn import UcError
from unicorn import unicorn_const as uc_const
from unicorn.arm_const import (UC_ARM_REG_LR, UC_ARM_REG_PC, UC_ARM_REG_R0, UC_ARM_REG_R1,
                               UC_ARM_REG_R2, UC_ARM_REG_R3, UC_ARM_REG_R4, UC_ARM_REG_R5,
                               UC_ARM_REG_R6, UC_ARM_REG_R7, UC_ARM_REG_R8, UC_ARM_REG_R9,
                               UC_ARM_REG_R10, UC_ARM_REG_R11, UC_ARM_REG_R12, UC_ARM_REG_SP,
                               UC_ARM_REG_XPSR)

REGISTERS = {
    "r0": UC_ARM_REG_R0, "r1": UC_ARM_REG_R1, "r2": UC_ARM_REG_R2, "r3": UC_ARM_REG_R3,
    "r4": UC_ARM_REG_R4, "r5": UC_ARM_REG_R5, "r6": UC_ARM_REG_R6, "r7": UC_ARM_REG_R7,
    "r8": UC_ARM_REG_R8, "r9": UC_ARM_REG_R9, "r10": UC_ARM_REG_R10, "r11": UC_ARM_REG_R11,
    "r12": UC_ARM_REG_R12, "sp": UC_ARM_REG_SP, "lr": UC_ARM_REG_LR, "pc": UC_ARM_REG_PC,
    "xpsr": UC_ARM_REG_XPSR,
}

XPSR_T = 1 << 24
# Peripheral regions of the Cortex-M address map (DDI 0403E B3.1): on-chip peripherals
# (0x40000000-0x5FFFFFFF) and the Private Peripheral Bus (0xE0000000-0xE00FFFFF).
PERIPHERALS = ((0x4000_0000, 0x6000_0000), (0xE000_0000, 0xE010_0000))


def is_peripheral(addr: int) -> bool:
    return any(lo <= addr < hi for lo, hi in PERIPHERALS)

# QEMU's Arm exception numbers (target/arm/cpu.h) as the interrupt hook reports them.
EXCP_UDEF, EXCP_SWI, EXCP_PREFETCH_ABORT, EXCP_DATA_ABORT, EXCP_BKPT = 1, 2, 3, 4, 7
EXCP_NOCP, EXCP_INVSTATE, EXCP_STKOF, EXCP_UNALIGNED, EXCP_DIVBYZERO = 17, 18, 19, 22, 23
EXCP_EXCEPTION_EXIT = 8
INTR_FAULTS = {
    EXCP_UDEF: ("undefined instruction", "undefined instruction"),
    EXCP_PREFETCH_ABORT: ("bad fetch", "instruction fetch abort"),
    EXCP_DATA_ABORT: ("bad access", "data abort"),
    EXCP_NOCP: ("no coprocessor", "FPU/coprocessor instruction while the coprocessor is "
                                  "disabled or absent (UsageFault NOCP)"),
    EXCP_INVSTATE: ("non-thumb jump", "jump to an address with bit 0 clear (UsageFault INVSTATE)"),
    EXCP_STKOF: ("stack overflow", "stack pointer below its limit register (UsageFault STKOF)"),
    EXCP_UNALIGNED: ("unaligned access", "unaligned access (UsageFault UNALIGNED)"),
    EXCP_DIVBYZERO: ("divide by zero", "divide by zero with CCR.DIV_0_TRP set (UsageFault DIVBYZERO)"),
    EXCP_EXCEPTION_EXIT: ("bad return", "branch to an EXC_RETURN address (0xFFFFFFxx) with no "
                                        "exception active, e.g. the entry function returned "
                                        "instead of calling exit()"),
}

_ACCESS = {
    uc_const.UC_MEM_READ_UNMAPPED: ("bad read", "read of unmapped address"),
    uc_const.UC_MEM_WRITE_UNMAPPED: ("bad write", "write to unmapped address"),
    uc_const.UC_MEM_FETCH_UNMAPPED: ("bad fetch", "instruction fetch from unmapped address"),
    uc_const.UC_MEM_WRITE_PROT: ("bad write", "write to read-only memory (flash)"),
    uc_const.UC_MEM_READ_PROT: ("bad read", "read of protected memory"),
    uc_const.UC_MEM_FETCH_PROT: ("bad fetch", "instruction fetch from non-executable memory"),
}


def access_fault(access: int) -> tuple[str, str]:
    return _ACCESS.get(access, ("bad access", f"invalid memory access (type {access})"))


def classify_error(err: UcError, xpsr: int) -> tuple[str, str]:
    """(kind, message) for a UcError that no hook already explained."""
    if err.errno == uc_const.UC_ERR_INSN_INVALID:
        if not xpsr & XPSR_T:
            return INTR_FAULTS[EXCP_INVSTATE]
        return INTR_FAULTS[EXCP_UDEF]
    if err.errno in (uc_const.UC_ERR_READ_UNMAPPED, uc_const.UC_ERR_READ_PROT):
        return "bad read", str(err)
    if err.errno in (uc_const.UC_ERR_WRITE_UNMAPPED, uc_const.UC_ERR_WRITE_PROT):
        return "bad write", str(err)
    if err.errno in (uc_const.UC_ERR_FETCH_UNMAPPED, uc_const.UC_ERR_FETCH_PROT):
        return "bad fetch", str(err)
    if err.errno in (uc_const.UC_ERR_READ_UNALIGNED, uc_const.UC_ERR_WRITE_UNALIGNED,
                     uc_const.UC_ERR_FETCH_UNALIGNED):
        return INTR_FAULTS[EXCP_UNALIGNED]
    return "fault", f"the core stopped: {err}"


def explain_undefined(code: bytes, message: str) -> str:
    """Name the instruction, and say why when it is a double-precision FPU one."""
    from capstone import CS_ARCH_ARM, CS_MODE_MCLASS, CS_MODE_THUMB, Cs
    md = Cs(CS_ARCH_ARM, CS_MODE_THUMB | CS_MODE_MCLASS)
    insn = next(md.disasm(code, 0), None)
    if insn is None:
        return message
    text = f"{insn.mnemonic} {insn.op_str}".strip()
    if ".f64" in insn.mnemonic:
        return (f"{message} '{text}': double-precision FPU instructions are not implemented by "
                f"the simulated core (build with -mfpu=fpv5-sp-d16)")
    return f"{message} '{text}'"


def format_stop(stop) -> list[str]:
    """The fault report as lines for stderr."""
    lines = [f"{'hang' if stop.reason == 'hang' else 'fault'}: {stop.message}"]
    if stop.pc is not None:
        lines.append(f"  pc  {stop.pc:#010x}  {stop.where}")
    if stop.fault_address is not None:
        lines.append(f"  address {stop.fault_address:#010x}")
    regs = stop.registers
    if regs:
        names = [n for n in REGISTERS if n in regs]
        for i in range(0, len(names), 6):
            lines.append("  " + "  ".join(f"{n:>4}={regs[n]:08x}" for n in names[i:i + 6]))
    if stop.call_stack:
        lines.append("  call stack: " + " <- ".join(reversed(stop.call_stack)))
    return lines
