"""Instruction sites the exception model watches with code hooks (found by scanning the ELF).

Where the firmware can lower its interrupt mask: the instructions after CPSIE and MSR to
PRIMASK, BASEPRI or FAULTMASK.

Unicorn reports no event when these run, yet an interrupt pended while masked must be taken
right after the unmasking instruction. The machine puts a code hook on each following address;
it costs nothing elsewhere. Found by scanning the executable segments' halfwords for the
encodings (DDI 0403E A7.7.30 CPS: 0xB66x with im = 0; A7.7.83 MSR (register) T1:
0xF38n 0x88ss, SYSm 16 PRIMASK, 17 BASEPRI, 19 FAULTMASK); a literal-pool word that happens
to match only adds a harmless hook.
"""
from __future__ import annotations

import numpy as np

CPSIE = (0xB661, 0xB662, 0xB663)          # CPSIE f / i / if
MSR_SYSM = (0x10, 0x11, 0x13)             # PRIMASK, BASEPRI, FAULTMASK
PF_X = 1


def mask_lowering_sites(elf) -> list[int]:
    sites: set[int] = set()
    for seg in getattr(elf, "segments", []):
        if not seg.flags & PF_X or len(seg.data) < 2:
            continue
        h = np.frombuffer(seg.data[:len(seg.data) & ~1], dtype="<u2")
        for i in np.flatnonzero(np.isin(h, CPSIE)):
            sites.add(seg.vaddr + 2 * int(i) + 2)
        nxt = np.append(h[1:], 0)
        msr = ((h & 0xFFF0) == 0xF380) & ((nxt & 0xFF00) == 0x8800) & np.isin(nxt & 0xFF, MSR_SYSM)
        for i in np.flatnonzero(msr):
            sites.add(seg.vaddr + 2 * int(i) + 4)
    return sorted(sites)


def divide_sites(elf) -> list[tuple[int, int]]:
    """(address, Rm) of every SDIV/UDIV (DDI 0403E A7.7.127 / A7.7.195, T1: 0xFB9n/0xFBBn then
    0xFdFm): with CCR.DIV_0_TRP set, one whose Rm is 0 is a UsageFault DIVBYZERO, a trap the
    Unicorn core cannot be told about."""
    out: list[tuple[int, int]] = []
    for seg in getattr(elf, "segments", []):
        if not seg.flags & PF_X or len(seg.data) < 4:
            continue
        h = np.frombuffer(seg.data[:len(seg.data) & ~1], dtype="<u2")
        nxt = np.append(h[1:], 0)
        div = (((h & 0xFFF0) == 0xFB90) | ((h & 0xFFF0) == 0xFBB0)) & ((nxt & 0xF0F0) == 0xF0F0)
        for i in np.flatnonzero(div):
            out.append((seg.vaddr + 2 * int(i), int(nxt[i]) & 0xF))
    return out
