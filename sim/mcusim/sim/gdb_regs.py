"""The registers the gdb server shows for a board's core, and the target description for gdb.

Feature and register names are gdb's own (gdb manual, "Standard Target Features", ARM
Features): org.gnu.gdb.arm.m-profile (r0-r12, sp, lr, pc, xpsr) is required for M-profile;
org.gnu.gdb.arm.vfp (d0-d15, fpscr) on cores with an FPU, from which gdb makes s0-s31 itself;
org.gnu.gdb.arm.m-system (msp, psp) lets gdb unwind an exception frame from the stack it was
pushed on. The mask and CONTROL registers are in a feature of mcusim's own. Registers are
numbered in the order listed, which is also their order in the `g` packet.
"""
from __future__ import annotations

from dataclasses import dataclass

from unicorn import arm_const as A

from mcusim.boards import Board


@dataclass(frozen=True)
class Reg:
    name: str
    uc_id: int
    bits: int            # 32, or 64 for a VFP d register
    type: str            # gdb's type name
    group: str = ""


def registers(board: Board) -> list[tuple[str, list[Reg]]]:
    """(feature name, its registers) in register-number order."""
    core = [Reg(f"r{i}", A.UC_ARM_REG_R0 + i, 32, "uint32", "general") for i in range(13)]
    core += [Reg("sp", A.UC_ARM_REG_SP, 32, "data_ptr", "general"),
             Reg("lr", A.UC_ARM_REG_LR, 32, "uint32", "general"),
             Reg("pc", A.UC_ARM_REG_PC, 32, "code_ptr", "general"),
             Reg("xpsr", A.UC_ARM_REG_XPSR, 32, "uint32", "general")]
    feats = [("org.gnu.gdb.arm.m-profile", core)]
    if board.has_fpu:
        fp = [Reg(f"d{i}", A.UC_ARM_REG_D0 + i, 64, "ieee_double", "float") for i in range(16)]
        fp.append(Reg("fpscr", A.UC_ARM_REG_FPSCR, 32, "int", "float"))
        feats.append(("org.gnu.gdb.arm.vfp", fp))
    feats.append(("org.gnu.gdb.arm.m-system",
                  [Reg("msp", A.UC_ARM_REG_MSP, 32, "data_ptr", "system"),
                   Reg("psp", A.UC_ARM_REG_PSP, 32, "data_ptr", "system")]))
    # ARMv6-M has PRIMASK and CONTROL only; BASEPRI and FAULTMASK are ARMv7-M/ARMv8-M
    # mainline (DDI 0419E B1.4.3; DDI 0403E B1.4.3).
    masks = ["primask"] + ([] if board.core == "cortex-m0plus" else ["basepri", "faultmask"])
    special = [Reg(n, getattr(A, f"UC_ARM_REG_{n.upper()}"), 32, "uint32", "system")
               for n in masks + ["control"]]
    feats.append(("org.mcusim.arm.m-special", special))
    return feats


def flat(board: Board) -> list[Reg]:
    return [r for _, regs in registers(board) for r in regs]


def target_xml(board: Board) -> str:
    lines = ['<?xml version="1.0"?>', '<!DOCTYPE target SYSTEM "gdb-target.dtd">',
             '<target version="1.0">', '  <architecture>arm</architecture>']
    n = 0
    for feature, regs in registers(board):
        lines.append(f'  <feature name="{feature}">')
        for r in regs:
            group = f' group="{r.group}"' if r.group else ""
            lines.append(f'    <reg name="{r.name}" bitsize="{r.bits}" regnum="{n}" '
                         f'type="{r.type}"{group}/>')
            n += 1
        lines.append('  </feature>')
    lines.append('</target>')
    return "\n".join(lines) + "\n"
