"""NVIC and SCB registers of the System Control Space, over the exception model's state.

Offsets are from 0xE000E000. ARMv7-M ARM (DDI 0403E.e): B3.2.2 (SCB register summary), B3.4.3
(NVIC register summary); ARMv6-M (DDI 0419E) B3.2 and B3.4 have a subset; ARMv8-M (DDI 0553B)
D1.2 keeps the same offsets. Registers outside these maps fall through to plain storage in
SystemControl (CPACR, ACTLR...).
"""
from __future__ import annotations

from mcusim.sim import exceptions as X

ICTR = 0x004
ISER, ICER, ISPR, ICPR, IABR, IPR = 0x100, 0x180, 0x200, 0x280, 0x300, 0x400
ICSR, VTOR, AIRCR, SCR, CCR, SHPR, SHCSR = 0xD04, 0xD08, 0xD0C, 0xD10, 0xD14, 0xD18, 0xD24
CFSR, HFSR, MMFAR, BFAR = 0xD28, 0xD2C, 0xD34, 0xD38
STIR, FPCCR, FPCAR = 0xF00, 0xF34, 0xF38
VECTKEY = 0x05FA


def _bits(arr, first_irq: int) -> int:
    v = 0
    for i in range(32):
        e = 16 + first_irq + i
        if e < len(arr) and arr[e]:
            v |= 1 << i
    return v


def _bytes_of(value: int, size: int) -> list[int]:
    return [(value >> (8 * i)) & 0xFF for i in range(size)]


def read_register(exc: "X.ExceptionModel", off: int, size: int) -> int | None:
    """The register's value, or None when it is not an NVIC/SCB register of the model."""
    n_irq = exc.irq_count
    if off == ICTR and not exc.v6m:
        return max(0, (n_irq + 31) // 32 - 1)
    for base, arr in ((ISER, exc.enabled), (ICER, exc.enabled), (ISPR, exc.pending),
                      (ICPR, exc.pending), (IABR, exc.active)):
        if base <= off < base + 0x40:
            if base == IABR and exc.v6m:
                return None
            return _bits(arr, 32 * ((off - base) // 4))
    if IPR <= off < IPR + 0x1F0:
        first = off - IPR
        return sum((exc.prio[16 + first + i] if 16 + first + i < exc.n else 0) << (8 * i)
                   for i in range(size))
    if SHPR <= off < SHPR + 12:
        first = 4 + off - SHPR
        return sum(exc.prio[first + i] << (8 * i) for i in range(size) if first + i < 16)
    simple = {
        ICSR: exc.icsr, VTOR: lambda: exc.vtor,
        AIRCR: lambda: (0xFA05 << 16) | (exc.prigroup << 8),
        SCR: lambda: exc.scr, CCR: lambda: exc.ccr, SHCSR: exc.shcsr,
        CFSR: lambda: exc.cfsr, HFSR: lambda: exc.hfsr, MMFAR: lambda: exc.mmfar,
        BFAR: lambda: exc.bfar,
    }
    if exc.has_fp:
        simple[FPCCR] = lambda: exc.fpccr
        simple[FPCAR] = lambda: exc.fpcar
    aligned = off & ~3
    if aligned in simple:
        return simple[aligned]() >> (8 * (off - aligned))
    return None


def write_register(exc: "X.ExceptionModel", off: int, size: int, value: int) -> bool:
    """Apply a write; False when it is not an NVIC/SCB register of the model."""
    m = exc.m
    for base, arr, setting in ((ISER, exc.enabled, True), (ICER, exc.enabled, False),
                               (ISPR, exc.pending, True), (ICPR, exc.pending, False)):
        if base <= off < base + 0x40:
            first = 16 + 32 * ((off - base) // 4)
            for i in range(32):
                if value >> i & 1 and first + i < exc.n:
                    arr[first + i] = 1 if setting else 0
            if setting:
                m.request_check()
            return True
    if IABR <= off < IABR + 0x40:
        return True                           # read-only
    if IPR <= off < IPR + 0x1F0:
        for i, b in enumerate(_bytes_of(value, size)):
            e = 16 + off - IPR + i
            if e < exc.n:
                exc.prio[e] = exc.mask_prio(b)
        m.request_check()
        return True
    if SHPR <= off < SHPR + 12:
        for i, b in enumerate(_bytes_of(value, size)):
            e = 4 + off - SHPR + i
            if e in (X.MEMMANAGE, X.BUSFAULT, X.USAGEFAULT, X.SVCALL, X.DEBUGMON, X.PENDSV,
                     X.SYSTICK) and not (exc.v6m and e < X.SVCALL):
                exc.prio[e] = exc.mask_prio(b)
        m.request_check()
        return True
    if off == ICSR:
        exc.write_icsr(value)
    elif off == VTOR:
        exc.vtor = value & (0xFFFFFF80 if not exc.v6m else 0xFFFFFF00)
    elif off == AIRCR:
        if value >> 16 != VECTKEY:
            return True                       # writes without the key are ignored (B3.2.6)
        if not exc.v6m:
            exc.prigroup = (value >> 8) & 7
        if value & 0x4:
            m.system_reset_requested()
        m.request_check()
    elif off == SCR:
        exc.scr = value & 0x16
    elif off == CCR:
        if not exc.v6m:                       # read-only on ARMv6-M (DDI 0419E B3.2.8)
            exc.ccr = (value & 0x31B) | (0x200 if exc.v8m else 0)
            if exc.ccr & 0x10:                # DIV_0_TRP
                m.trap_divide_by_zero()
    elif off == SHCSR and not exc.v6m:
        exc.write_shcsr(value)
        m.request_check()
    elif CFSR <= off < CFSR + 4 and not exc.v6m:
        # write one to clear; MMFSR, BFSR and UFSR are also written as a byte or halfword
        exc.cfsr &= ~(value << (8 * (off - CFSR)))
    elif HFSR <= off < HFSR + 4 and not exc.v6m:
        exc.hfsr &= ~(value << (8 * (off - HFSR)))
    elif off in (MMFAR, BFAR) and not exc.v6m:
        setattr(exc, "mmfar" if off == MMFAR else "bfar", value)
    elif off == STIR and not exc.v6m:
        exc.set_pending(16 + (value & 0x1FF))
    elif off == FPCCR and exc.has_fp:
        exc.fpccr = value
    elif off == FPCAR and exc.has_fp:
        exc.fpcar = value & ~7
    else:
        return False
    return True
