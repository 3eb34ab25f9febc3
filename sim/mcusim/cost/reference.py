"""A slow, independent instruction counter to check the native hook against (tests, bench).

It counts with a Python UC_HOOK_CODE callback, one call per instruction. Unicorn does not call
code hooks for instructions of an IT block whose condition fails, but the core still issues
them (they execute as NOPs: ARMv7-M ARM, A7.3.3 "Conditional execution"), and the profiler,
which counts whole blocks, counts them too. So this counter also tracks IT blocks in the trace
and adds the instructions of each IT block that were not reported.
"""
from __future__ import annotations

import capstone
from unicorn import UC_HOOK_CODE


class ReferenceCounter:
    def __init__(self, uc):
        self.uc = uc
        self.reported = 0        # code-hook calls
        self.skipped = 0         # condition-failed instructions of IT blocks
        self._md = capstone.Cs(capstone.CS_ARCH_ARM,
                               capstone.CS_MODE_THUMB | capstone.CS_MODE_MCLASS)
        self._it_block: set[int] = set()   # addresses of the open IT block not yet reported
        self._it_all: set[int] = set()

    @property
    def instructions(self) -> int:
        return self.reported + self.skipped + len(self._it_block)

    def install(self) -> None:
        self.uc.hook_add(UC_HOOK_CODE, self._on_code)

    def _on_code(self, uc, addr, size, _user) -> None:
        self.reported += 1
        if self._it_all and addr not in self._it_all:
            self.skipped += len(self._it_block)      # left the IT block: the rest was skipped
            self._it_block, self._it_all = set(), set()
        self._it_block.discard(addr)
        code = bytes(uc.mem_read(addr, size))
        if size == 2 and code[1] == 0xBF and code[0] & 0x0F:    # IT{x{y{z}}} (T1 encoding)
            mask = code[0] & 0x0F
            n = 4 - (mask & -mask).bit_length() + 1           # trailing 1 of the mask ends it
            insns = list(self._md.disasm_lite(bytes(uc.mem_read(addr + 2, 4 * n)), addr + 2, n))
            self._it_all = {a for a, _, _, _ in insns}
            self._it_block = set(self._it_all)
