"""Bit-band alias regions of the Cortex-M3/M4 (an implementation option the chip vendor chooses).

Cortex-M4 TRM (DDI 0439B) 3.7 / ARMv7-M ARM notes: 1 MB of SRAM at 0x2000_0000 and 1 MB of
peripherals at 0x4000_0000 each have a 32 MB alias (0x2200_0000, 0x4200_0000) in which every
word is one bit: alias = alias_base + byte_offset * 32 + bit * 4. A read returns the bit in bit 0;
a write of bit 0 sets or clears it with an atomic read-modify-write of the target. ST's F1/F2/F3/
F4/L1/L4 HAL use it for RCC_CR HSION/PLLON/PLLI2SON/CSSON, RCC_CSR LSION, RCC_BDCR RTCEN/BDRST,
PWR_CR DBP/PVDE/FPDS... (stm32f4xx_hal_rcc.h RCC_CR_PLLON_BB, PWR_CR_DBP_BB). STM32F4: RM0090 2.3.3
(Bit banding). Unicorn does not model it, so without this every CubeMX F4 project faults in
HAL_RCC_OscConfig (__HAL_RCC_PLL_DISABLE writes 0x42470060).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mcusim.sim.machine import Machine

REGIONS = ((0x2200_0000, 0x2000_0000), (0x4200_0000, 0x4000_0000))   # (alias, bit-band region)
ALIAS_SIZE = 0x0200_0000


def target(base: int, offset: int) -> tuple[int, int]:
    """(word address, bit in that word) of the alias word at `offset`."""
    byte = base + (offset >> 5)
    return byte & ~3, (byte & 3) * 8 + ((offset >> 2) & 7)


def install(machine: "Machine") -> None:
    """Map both alias regions as MMIO that turns each access into one on its target word: RAM
    through Unicorn, peripherals through the Bus (devices, clock tree, SVD register file)."""
    from mcusim.sim.peripherals import PAGE
    bus, uc = machine.bus, machine.uc

    def load(addr: int) -> int | None:
        mem = machine.board.memory_at(addr, 4)
        if mem is not None:
            return int.from_bytes(uc.mem_read(addr, 4), "little")
        page = addr & ~(PAGE - 1)
        if bus.maps(addr):
            return bus._read(uc, addr - page, 4, page)
        return None

    def store(addr: int, value: int) -> bool:
        mem = machine.board.memory_at(addr, 4)
        if mem is not None:
            if mem.kind == "flash":
                return False
            uc.mem_write(addr, value.to_bytes(4, "little"))
            return True
        if bus.maps(addr):
            page = addr & ~(PAGE - 1)
            bus._write(uc, addr - page, 4, value, page)
            return True
        return False

    for alias, base in REGIONS:
        def read(uc_, offset, size, _, alias=alias, base=base):
            word, bit = target(base, offset)
            v = load(word)
            if v is None:
                machine.fault_access("bad read", alias + offset,
                                     f"bit-band read of unmapped {word:#010x}")
                return 0
            return (v >> bit) & 1

        def write(uc_, offset, size, value, _, alias=alias, base=base):
            word, bit = target(base, offset)
            v = load(word)
            if v is None or not store(word, (v | 1 << bit) if value & 1 else (v & ~(1 << bit))):
                machine.fault_access("bad write", alias + offset,
                                     f"bit-band write to unmapped {word:#010x}")

        uc.mmio_map(alias, ALIAS_SIZE, read, None, write, None)
