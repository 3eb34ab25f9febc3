"""Fast register access for the exception model: Unicorn's C functions through ctypes.

Unicorn's Python `reg_read`/`reg_write` pick a register class per call (about 3 µs each); an
exception entry and return touch some 40 registers, so with a 1 kHz SysTick that overhead alone
would be a sizeable part of the run. These go straight to uc_reg_read/uc_reg_write with one
32-bit buffer (every register used here is 32 bits wide).
"""
from __future__ import annotations

import ctypes as C

from unicorn import UcError
from unicorn.unicorn_py3.unicorn import uclib


class Regs:
    def __init__(self, uc):
        self._h = uc._uch
        self._buf = C.c_uint32()
        self._ref = C.byref(self._buf)
        self._rd, self._wr = uclib.uc_reg_read, uclib.uc_reg_write

    def __getitem__(self, reg: int) -> int:
        err = self._rd(self._h, reg, self._ref)
        if err:
            raise UcError(err)
        return self._buf.value

    def __setitem__(self, reg: int, value: int) -> None:
        self._buf.value = value & 0xFFFFFFFF
        err = self._wr(self._h, reg, self._ref)
        if err:
            raise UcError(err)
