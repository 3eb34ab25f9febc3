"""GPIO ports: STM32 GPIOx, nRF52 P0/P1, RP2040 SIO. Every pin level change goes to
machine.signals (for --vcd) with its time.

A pin's level is what the port drives: the output bit in output mode, the pull in input mode
('1' pull-up, '0' pull-down, 'z' floating), 'x' when an alternate function (a peripheral not
modelled here) drives it. Nothing outside drives the pins, so input registers read back those
levels. The board's [gpio] table says which kind of port, where, how many (docs/boards.md).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from mcusim.sim.peripherals import Device

if TYPE_CHECKING:
    from mcusim.sim.machine import Machine
    from mcusim.sim.rp2040_io import Rp2040Pins
    from mcusim.sim.signals import Signals


def _merge(old: int, offset: int, size: int, value: int) -> tuple[int, int, int]:
    """A byte/halfword write into a 32-bit register: (aligned offset, merged value, the bits
    written as a mask)."""
    shift = 8 * (offset & 3)
    mask = (((1 << (8 * size)) - 1) << shift) & 0xFFFFFFFF
    return offset & ~3, (old & ~mask) | ((value << shift) & mask), mask


class Port(Device):
    """Common part: pin names, level bookkeeping, signal reports."""

    def __init__(self, base: int, size: int, names: list[str], signals: "Signals"):
        super().__init__(base, size)
        self.names, self.signals = names, signals
        for name, level in zip(self.names, self.levels()):
            signals.declare(name, level)

    def levels(self) -> list[str]:
        raise NotImplementedError

    def report(self) -> None:
        for name, level in zip(self.names, self.levels()):
            self.signals.set(name, level)

    def input_bits(self) -> int:
        return sum(1 << i for i, lv in enumerate(self.levels()) if lv == "1")


class Stm32Port(Port):
    """One STM32 GPIO port (RM0090 8.4, RM0385 6.4, RM0433 11.4, RM0432 8.5, RM0444 7.4,
    RM0456 13.4: the same register layout on every family). MODER/OTYPER/OSPEEDR/PUPDR/ODR/AFR
    hold what is written; IDR reads the pin levels; BSRR (and BRR where the family has it)
    set/reset ODR bits atomically; a BSRR write naming a pin in both halves sets it (RM0090
    8.4.7: "If both BSx and BRx are set, BSx has priority"). LCKR is storage (no lock)."""

    MODER, OTYPER, OSPEEDR, PUPDR, IDR, ODR, BSRR, LCKR, AFRL, AFRH, BRR = (
        0x00, 0x04, 0x08, 0x0C, 0x10, 0x14, 0x18, 0x1C, 0x20, 0x24, 0x28)

    def __init__(self, base: int, letter: str, signals, has_brr: bool, reset: dict[int, int]):
        self.has_brr = has_brr
        self.r = {self.MODER: 0, self.OTYPER: 0, self.OSPEEDR: 0, self.PUPDR: 0, self.ODR: 0,
                  self.LCKR: 0, self.AFRL: 0, self.AFRH: 0}
        self.r.update(reset)
        self.name = f"GPIO{letter}"
        super().__init__(base, 0x400, [f"P{letter}{i}" for i in range(16)], signals)

    def levels(self) -> list[str]:
        moder, odr, pupd, otype = (self.r[self.MODER], self.r[self.ODR], self.r[self.PUPDR],
                                   self.r[self.OTYPER])
        out = []
        for i in range(16):
            mode, pull = (moder >> 2 * i) & 3, (pupd >> 2 * i) & 3
            pulled = {1: "1", 2: "0"}.get(pull, "z")
            if mode == 1:
                bit = (odr >> i) & 1
                out.append("0" if not bit else (pulled if (otype >> i) & 1 else "1"))
            elif mode == 0:
                out.append(pulled)
            elif mode == 2:
                out.append("x")          # alternate function: driven by a peripheral
            else:
                out.append("z")          # analog
        return out

    def read(self, offset, size):
        aligned, shift = offset & ~3, 8 * (offset & 3)
        if aligned == self.IDR:
            value = self.input_bits()
        elif aligned in (self.BSRR, self.BRR) and (aligned != self.BRR or self.has_brr):
            value = 0                    # write-only: reads 0
        elif aligned in self.r:
            value = self.r[aligned]
        else:
            value = self.regs.get(aligned, 0)
        return value >> shift

    def write(self, offset, size, value):
        aligned = offset & ~3
        bits = (value << (8 * (offset & 3))) & 0xFFFFFFFF
        if aligned == self.BSRR:
            # set bits 0-15, reset bits 16-31; set wins when both name a pin
            self.r[self.ODR] = (self.r[self.ODR] & ~(bits >> 16) | bits) & 0xFFFF
        elif aligned == self.BRR and self.has_brr:
            self.r[self.ODR] &= ~bits & 0xFFFF
        elif aligned == self.IDR:
            return                        # read-only
        elif aligned in self.r:
            _, self.r[aligned], _ = _merge(self.r[aligned], offset, size, value)
            if aligned == self.ODR:
                self.r[self.ODR] &= 0xFFFF
        else:
            _, self.regs[aligned], _ = _merge(self.regs.get(aligned, 0), offset, size, value)
            return
        self.report()


class NrfGpio(Port):
    """nRF52840 GPIO P0 (32 pins) and P1 (16 pins), one device over both (P1's registers sit
    0x300 above P0's): OUT/OUTSET/OUTCLR, IN, DIR/DIRSET/DIRCLR, PIN_CNF[n] (nRF52840 PS v1.7,
    section 6.9.2, registers; PIN_CNF reset 0x00000002, input buffer disconnected)."""

    name = "gpio"
    OUT, OUTSET, OUTCLR, IN, DIR, DIRSET, DIRCLR, LATCH, DETECTMODE = (
        0x504, 0x508, 0x50C, 0x510, 0x514, 0x518, 0x51C, 0x520, 0x524)
    PIN_CNF = 0x700

    def __init__(self, base: int, stride: int, pins: list[int], signals):
        self.stride, self.pins = stride, pins
        self.out = [0] * len(pins)
        self.cnf = [[0x2] * n for n in pins]
        self.other: dict[tuple[int, int], int] = {}
        names = [f"P{p}_{i:02d}" for p, n in enumerate(pins) for i in range(n)]
        super().__init__(base, stride * (len(pins) - 1) + 0x800, names, signals)

    def _dir(self, p: int) -> int:
        return sum((c & 1) << i for i, c in enumerate(self.cnf[p]))

    def levels(self) -> list[str]:
        out = []
        for p, n in enumerate(self.pins):
            for i in range(n):
                c = self.cnf[p][i]
                if c & 1:
                    out.append(str((self.out[p] >> i) & 1))
                else:
                    out.append({1: "0", 3: "1"}.get((c >> 2) & 3, "z"))
        return out

    def _locate(self, offset: int) -> tuple[int, int] | None:
        for p in range(len(self.pins)):
            local = offset - self.stride * p
            if 0x500 <= local < 0x800:
                return p, local
        return None

    def read(self, offset, size):
        loc = self._locate(offset & ~3)
        if loc is None:
            return 0
        p, reg = loc
        mask = (1 << self.pins[p]) - 1
        if reg in (self.OUT, self.OUTSET, self.OUTCLR):
            return self.out[p]
        if reg in (self.DIR, self.DIRSET, self.DIRCLR):
            return self._dir(p)
        if reg == self.IN:
            levels = self.levels()[sum(self.pins[:p]):sum(self.pins[:p + 1])]
            return sum(1 << i for i, lv in enumerate(levels)
                       if lv == "1" and not (self.cnf[p][i] >> 1) & 1) & mask
        if self.PIN_CNF <= reg < self.PIN_CNF + 4 * self.pins[p]:
            return self.cnf[p][(reg - self.PIN_CNF) // 4]
        return self.other.get((p, reg), 0)

    def write(self, offset, size, value):
        loc = self._locate(offset & ~3)
        if loc is None:
            return
        p, reg = loc
        mask = (1 << self.pins[p]) - 1
        value &= 0xFFFFFFFF
        if reg == self.OUT:
            self.out[p] = value & mask
        elif reg == self.OUTSET:
            self.out[p] |= value & mask
        elif reg == self.OUTCLR:
            self.out[p] &= ~value & mask
        elif reg in (self.DIR, self.DIRSET, self.DIRCLR):
            d = self._dir(p)
            d = {self.DIR: value, self.DIRSET: d | value, self.DIRCLR: d & ~value}[reg] & mask
            for i in range(self.pins[p]):
                self.cnf[p][i] = (self.cnf[p][i] & ~1) | ((d >> i) & 1)
        elif self.PIN_CNF <= reg < self.PIN_CNF + 4 * self.pins[p]:
            self.cnf[p][(reg - self.PIN_CNF) // 4] = value
        elif reg == self.IN:
            return
        else:
            self.other[(p, reg)] = value
            return
        self.report()


class Rp2040Sio(Port):
    """RP2040 SIO (single-cycle I/O) at 0xD0000000 (RP2040 datasheet section 2.3.1.7, list of
    registers): GPIO_OUT/OE with SET/CLR/XOR aliases for GPIO0-29 and the QSPI pins, CPUID (core
    0: one core is simulated), the inter-core FIFO status (empty, ready: no second core), the
    spinlocks, and the integer divider (section 2.3.1.5: results readable at once; the 8-cycle
    latency the SDK waits out is in its own code). The interpolators are not modelled. With
    `pins` (mcusim.sim.rp2040_io: IO_BANK0 + PADS_BANK0) SIO drives only the pins whose FUNCSEL
    is SIO (datasheet 2.19.2), and GPIO_IN reads the pads' inputs."""

    name = "sio"
    CPUID, GPIO_IN, GPIO_HI_IN = 0x000, 0x004, 0x008
    GPIO_OUT, GPIO_OE = 0x010, 0x020             # each followed by SET, CLR, XOR (+4, +8, +C)
    GPIO_HI_OUT, GPIO_HI_OE = 0x030, 0x040
    FIFO_ST, FIFO_WR, FIFO_RD, SPINLOCK_ST = 0x050, 0x054, 0x058, 0x05C
    DIV_UDIVIDEND, DIV_UDIVISOR, DIV_SDIVIDEND, DIV_SDIVISOR = 0x060, 0x064, 0x068, 0x06C
    DIV_QUOTIENT, DIV_REMAINDER, DIV_CSR = 0x070, 0x074, 0x078
    INTERP = (0x080, 0x100)
    SPINLOCK0 = 0x100
    PINS = 30

    def __init__(self, base: int, signals, machine: "Machine | None" = None,
                 pins: "Rp2040Pins | None" = None):
        self.machine, self.pins = machine, pins
        self.r = {self.GPIO_OUT: 0, self.GPIO_OE: 0, self.GPIO_HI_OUT: 0, self.GPIO_HI_OE: 0}
        self.locks = 0
        self.div = {self.DIV_UDIVIDEND: 0, self.DIV_UDIVISOR: 0, self.DIV_SDIVIDEND: 0,
                    self.DIV_SDIVISOR: 0, self.DIV_QUOTIENT: 0, self.DIV_REMAINDER: 0}
        super().__init__(base, 0x180, [f"GPIO{i}" for i in range(self.PINS)], signals)
        if pins is not None:
            pins.changed = self.report         # a FUNCSEL or pad write moves the levels too

    def levels(self) -> list[str]:
        out, oe = self.r[self.GPIO_OUT], self.r[self.GPIO_OE]
        if self.pins is not None:
            self.pins.sio_out, self.pins.sio_oe = out, oe
            return [self.pins.level(i) for i in range(self.PINS)]
        # an input pin: the pad's reset pull-down (datasheet 2.19.6.3, PADS_BANK0 GPIOx PDE=1)
        return [str((out >> i) & 1) if (oe >> i) & 1 else "0" for i in range(self.PINS)]

    def input_bits(self) -> int:
        if self.pins is None:
            return super().input_bits()
        self.levels()                     # brings the SIO outputs to the pins
        return sum(self.pins.input(i) << i for i in range(self.PINS))

    def read(self, offset, size):
        if offset == self.CPUID:
            return 0
        if offset == self.GPIO_IN:
            return self.input_bits()
        if offset == self.GPIO_HI_IN:
            return self.r[self.GPIO_HI_OUT] & self.r[self.GPIO_HI_OE]
        for reg in self.r:
            if reg <= offset < reg + 0x10:
                return self.r[reg]
        if offset == self.FIFO_ST:
            return 0b10                   # RDY (TX FIFO not full), VLD 0 (RX FIFO empty)
        if offset == self.SPINLOCK_ST:
            return self.locks
        if self.SPINLOCK0 <= offset < self.SPINLOCK0 + 0x80:
            bit = 1 << ((offset - self.SPINLOCK0) // 4)
            if self.locks & bit:
                return 0                  # already claimed
            self.locks |= bit
            return bit
        if offset in self.div:
            return self.div[offset]
        if offset == self.DIV_CSR:
            return 1                      # READY; DIRTY is never left set
        if self.INTERP[0] <= offset < self.INTERP[1] and self.machine is not None:
            self.machine.fault_access("bad read", self.base + offset,
                                      "read of a peripheral register mcusim does not model:")
        return 0

    def write(self, offset, size, value):
        value &= 0xFFFFFFFF
        for reg in self.r:
            if reg <= offset < reg + 0x10:
                op, old = offset - reg, self.r[reg]
                mask = (1 << self.PINS) - 1 if reg in (self.GPIO_OUT, self.GPIO_OE) else 0x3F
                self.r[reg] = (value, old | value, old & ~value, old ^ value)[op // 4] & mask
                self.report()
                return
        if self.SPINLOCK0 <= offset < self.SPINLOCK0 + 0x80:
            self.locks &= ~(1 << ((offset - self.SPINLOCK0) // 4))
        elif offset in (self.DIV_UDIVIDEND, self.DIV_UDIVISOR):
            self.div[offset] = value
            self._divide(self.div[self.DIV_UDIVIDEND], self.div[self.DIV_UDIVISOR], False)
        elif offset in (self.DIV_SDIVIDEND, self.DIV_SDIVISOR):
            self.div[offset] = value
            self._divide(self.div[self.DIV_SDIVIDEND], self.div[self.DIV_SDIVISOR], True)
        elif offset in (self.DIV_QUOTIENT, self.DIV_REMAINDER):
            self.div[offset] = value      # save/restore of the divider state (the SDK does)
        elif self.INTERP[0] <= offset < self.INTERP[1] and self.machine is not None:
            self.machine.fault_access("bad write", self.base + offset,
                                      "write of a peripheral register mcusim does not model:")

    def _divide(self, n: int, d: int, signed: bool) -> None:
        if signed:
            n, d = _s32(n), _s32(d)
        if d == 0:
            # datasheet 2.3.1.5: quotient -1 (all ones), or +1 for a negative signed dividend
            q, r = (1 if signed and n < 0 else -1), n
        else:
            q = abs(n) // abs(d) * (1 if (n < 0) == (d < 0) else -1)   # C: towards zero
            r = n - q * d
        self.div[self.DIV_QUOTIENT] = q & 0xFFFFFFFF
        self.div[self.DIV_REMAINDER] = r & 0xFFFFFFFF


def _s32(v: int) -> int:
    return v - (1 << 32) if v & 0x80000000 else v


def add_gpio(machine: "Machine", signals: "Signals") -> list[Device]:
    """Put the board's GPIO ports on the bus (none when the board has no [gpio] table)."""
    g = machine.board.gpio
    if not g:
        return []
    devices: list[Device] = []
    if g["kind"] == "stm32":
        resets = {Stm32Port.MODER: g["moder_reset"], Stm32Port.OSPEEDR: g["ospeedr_reset"],
                  Stm32Port.PUPDR: g["pupdr_reset"]}
        for n in range(g["ports"]):
            reset = {reg: vals[min(n, len(vals) - 1)] for reg, vals in resets.items() if vals}
            devices.append(Stm32Port(g["base"] + g["stride"] * n, chr(ord("A") + n), signals,
                                     g["brr"], reset))
    elif g["kind"] == "nrf52":
        devices.append(NrfGpio(g["base"], g["stride"], g["pins"], signals))
    elif g["kind"] == "rp2040-sio":
        pins = None
        if g.get("io_bank") is not None:
            from mcusim.sim.rp2040_io import IoBank0, PadsBank0, Rp2040Pins
            io, pads = IoBank0(g["io_bank"]), PadsBank0(g["pads_bank"])
            pins = Rp2040Pins(io, pads)
            devices += [io, pads]
        devices.append(Rp2040Sio(g["base"], signals, machine, pins))
    for d in devices:
        machine.bus.add(d)
    return devices
