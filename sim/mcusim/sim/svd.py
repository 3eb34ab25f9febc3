"""The register file of a board's peripherals from its vendor CMSIS-SVD description.

Every peripheral address block the SVD describes (below the core's 0xE0000000 space, outside the
board's memories) is backed by one fallback device on the Bus: a read returns the register's
value (its SVD reset value until written), a write sticks in the bits the SVD says are writable
(read-only registers and fields ignore writes, write-only fields read 0, oneToClear/zeroToClear
fields clear; on RP2040-style peripherals with atomic aliases, the +0x1000 XOR, +0x2000 set and
+0x3000 clear aliases act on the register and narrow writes are replicated across the word).
Devices registered on the Bus explicitly (UART, SCS, clock tree, GPIO, timers)
always win; this is the fallback that keeps vendor start-up code from faulting on registers
mcusim does not model, and it records each peripheral touched so the report can say so.

Register files come from mcusim.sim.svd_files (parsed once and cached as JSON).
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mcusim.sim.peripherals import PAGE, Device

if TYPE_CHECKING:
    from mcusim.boards import Board
    from mcusim.sim.machine import Machine

# The core's own registers: the internal Private Peripheral Bus (ITM, DWT, FPB, SCS), never the
# SVD's. The external PPB above it (TPIU, ETM, and vendor blocks such as ST's DBGMCU at
# 0xE0042000) is the vendor's (DDI 0403E B3.1, Table B3-1).
CORE_SPACE = (0xE000_0000, 0xE004_0000)


def in_core_space(addr: int) -> bool:
    return CORE_SPACE[0] <= addr < CORE_SPACE[1]


@dataclass(slots=True)
class Register:
    name: str                  # "RCC.CFGR"
    addr: int                  # absolute address
    nbytes: int
    reset: int
    wmask: int                 # bits a write changes
    w1c: int = 0               # write 1 to clear
    w0c: int = 0               # write 0 to clear
    rzero: int = 0             # write-only bits: read as 0


class RegisterFile:
    """Peripherals (name, address blocks) and registers of one device description."""

    def __init__(self, data: dict):
        self.device: str = data["device"]
        self.source: str = data.get("source", "")
        self.blocks: list[tuple[int, int, str]] = []        # (start, end, peripheral)
        self.aliased: set[str] = set()                       # peripherals with atomic aliases
        self.registers: dict[int, Register] = {}             # by absolute address
        self._bytes: dict[int, Register] = {}                # every byte of every register
        for p in data["peripherals"]:
            for start, end in _blocks(p):
                self.blocks.append((start, end, p["name"]))
            if p.get("atomic_aliases"):
                self.aliased.add(p["name"])
            for name, addr, bits, reset, wmask, w1c, w0c, rzero in p["registers"]:
                n = max(1, bits // 8)
                reg = Register(f"{p['name']}.{name}", addr, n, reset, wmask, w1c, w0c, rzero)
                if any(addr + i in self._bytes for i in range(n)):
                    continue                # an alternate view of a register already placed
                self.registers[addr] = reg
                for i in range(n):
                    self._bytes[addr + i] = reg
        self.blocks.sort()
        self._starts = [b[0] for b in self.blocks]

    def peripheral_at(self, addr: int) -> str | None:
        i = bisect.bisect_right(self._starts, addr)
        # Blocks can overlap (STM32 ADC1/ADC2/ADC common): the nearest start wins.
        for start, end, name in reversed(self.blocks[max(0, i - 8):i]):
            if start <= addr < end:
                return name
        return None

    def register_at(self, addr: int) -> Register | None:
        return self._bytes.get(addr)

    def name(self, addr: int) -> str | None:
        """'RCC.CFGR', 'RCC.CFGR+2' (inside it), 'RCC+0x3fc' (no register there) or None."""
        reg = self._bytes.get(addr)
        if reg is not None:
            return reg.name + (f"+{addr - reg.addr}" if addr != reg.addr else "")
        periph = self.peripheral_at(addr)
        if periph is None:
            return None
        base = max(s for s, e, n in self.blocks if n == periph and s <= addr < e)
        return f"{periph}+{addr - base:#x}"

    def pages(self, board: "Board") -> list[int]:
        """1 KiB pages the blocks cover, less the core's space and the board's memories."""
        out: set[int] = set()
        for start, end, _ in self.blocks:
            for page in range(start & ~(PAGE - 1), end, PAGE):
                if in_core_space(page):
                    continue
                if not any(m.base < page + PAGE and page < m.end for m in board.memories):
                    out.add(page)
        return sorted(out)


MAX_BLOCK = 1 << 20     # larger address blocks are SVD errors (STM32F41x's OTG_HS_GLOBAL: 4 GB)


def _blocks(p: dict) -> list[tuple[int, int]]:
    """The peripheral's address blocks inside the 32-bit space; an implausible block is cut
    to the registers it holds, so a vendor typo cannot map gigabytes."""
    regs_end = max((addr + max(1, bits // 8) for _, addr, bits, *_ in p["registers"]),
                   default=0)
    out = []
    for start, size in p["blocks"]:
        if start >= 1 << 32:
            continue
        if size > MAX_BLOCK:
            size = max(regs_end - start, PAGE) if start <= regs_end else PAGE
        out.append((start, min(start + size, 1 << 32)))
    return out


class SvdRegisters(Device):
    """The fallback device: offsets are absolute addresses (base 0)."""

    name = "svd"

    def __init__(self, regfile: RegisterFile):
        super().__init__(0, 1 << 32)
        self.file = regfile
        self.values: dict[int, int] = {}        # register address -> value, once written
        self.touched: list[str] = []            # peripheral names, in first-access order
        self._seen: set[str] = set()

    def covers(self, addr: int) -> bool:
        return not in_core_space(addr) and self.file.peripheral_at(addr) is not None

    def _touch(self, addr: int) -> None:
        name = self.file.peripheral_at(addr)
        if name is not None and name not in self._seen:
            self._seen.add(name)
            self.touched.append(name)

    def _value(self, reg: Register) -> int:
        return self.values.get(reg.addr, reg.reset)

    def _alias(self, addr: int) -> tuple[int, int]:
        """(register address, alias 0-3): RP2040 datasheet 2.1.2, every 4 KB register block
        is seen at +0x1000 (XOR on write), +0x2000 (set), +0x3000 (clear); reads read it."""
        if self.file.aliased and self.file.peripheral_at(addr) in self.file.aliased:
            return addr & ~0x3000, (addr >> 12) & 3
        return addr, 0

    def read(self, addr: int, size: int) -> int:
        self._touch(addr)
        addr, _ = self._alias(addr)
        reg = self.file.registers.get(addr)
        if reg is not None and reg.nbytes == size:           # the usual aligned access
            return self._value(reg) & ~reg.rzero
        out = 0
        for i in range(size):                                # narrower/wider/unaligned
            reg = self.file.register_at(addr + i)
            if reg is not None:                              # reserved bytes read 0
                byte = ((self._value(reg) & ~reg.rzero) >> (8 * (addr + i - reg.addr))) & 0xFF
                out |= byte << (8 * i)
        return out

    def write(self, addr: int, size: int, value: int) -> None:
        self._touch(addr)
        addr, alias = self._alias(addr)
        if alias or (self.file.aliased and self.file.peripheral_at(addr) in self.file.aliased):
            self._aliased_write(addr, size, value, alias)
            return
        done: set[int] = set()
        for i in range(size):
            reg = self.file.register_at(addr + i)
            if reg is None or reg.addr in done:
                continue                                     # reserved bytes ignore writes
            done.add(reg.addr)
            # The written value and the lanes written, in the register's own bit positions.
            shift = 8 * (addr - reg.addr)
            lanes = ((1 << (8 * size)) - 1)
            lanes = lanes << shift if shift >= 0 else lanes >> -shift
            new = value << shift if shift >= 0 else value >> -shift
            lanes &= (1 << (8 * reg.nbytes)) - 1
            old = self._value(reg)
            plain = reg.wmask & ~(reg.w1c | reg.w0c) & lanes
            v = (old & ~plain) | (new & plain)
            v &= ~(new & reg.w1c & lanes)                    # 1 clears
            v &= ~(~new & reg.w0c & lanes)                   # 0 clears
            self.values[reg.addr] = v

    def _aliased_write(self, addr: int, size: int, value: int, alias: int) -> None:
        """A write to an RP2040 APB/AHB-lite register: a narrow write is replicated across the
        32-bit word (RP2040 datasheet 2.1.4), then the alias's operation applies to the
        writable bits; write-1-to-clear bits clear where a plain or set-alias write has a 1."""
        value &= (1 << (8 * size)) - 1
        if size == 1:
            value *= 0x0101_0101
        elif size == 2:
            value *= 0x0001_0001
        reg = self.file.register_at(addr & ~3)
        if reg is None:
            return                                           # reserved: ignored
        old = self._value(reg)
        new = (value, old ^ value, old | value, old & ~value)[alias]
        plain = reg.wmask & ~(reg.w1c | reg.w0c)
        v = (old & ~plain) | (new & plain)
        if alias in (0, 2):
            v &= ~(value & reg.w1c)
        self.values[reg.addr] = v


def install(machine: "Machine", strict: bool = False) -> tuple[SvdRegisters | None, list[str]]:
    """Back the board's SVD peripherals on machine.bus (a fallback behind explicit devices).

    With strict, nothing is served: an access outside the explicit devices still faults, and the
    fault names the SVD register. Returns (the device or None, warnings for the report)."""
    from mcusim.sim.svd_files import load_register_file
    board = machine.board
    if not getattr(board, "svd", ""):
        return None, []
    regfile, note = load_register_file(board)
    if regfile is None:
        return None, [note]
    dev = SvdRegisters(regfile)
    machine.bus.set_fallback(dev, regfile.pages(board), strict=strict)
    return dev, []
