"""Memory-mapped devices: a bus of registered devices over Unicorn MMIO regions.

Modelled: the board's console UART (STM32 USART v1/v2, nRF52 UART/UARTE, PL011), the System
Control Space (SCB ID/config registers, SysTick, NVIC registers as plain storage) and the DWT
cycle counter. SysTick and DWT read the live modelled cycle count from the profiler, so firmware
that times itself reads what the profiler reports.

Exceptions are not modelled yet. To add them, SysTick (and an NVIC device owning ISER/ISPR)
would set a pending exception here, and Machine would perform exception entry (stack the frame,
load the handler from VTOR) at the next block boundary; see Machine.pending_exception.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from mcusim.sim import scb

if TYPE_CHECKING:
    from mcusim.sim.machine import Machine

PAGE = 1024   # Unicorn's ARM page size (uc.ctl_get_page_size()); MMIO regions align to it


class Device:
    """A register block. Subclasses override read/write; offsets are from `base`."""

    name = "device"

    def __init__(self, base: int, size: int):
        self.base, self.size = base, size
        self.regs: dict[int, int] = {}

    def read(self, offset: int, size: int) -> int:
        return self.regs.get(offset, 0)

    def write(self, offset: int, size: int, value: int) -> None:
        self.regs[offset] = value


class Bus:
    """Routes MMIO accesses of mapped pages to the devices registered on them."""

    def __init__(self, machine: "Machine"):
        self.machine = machine
        self.devices: list[Device] = []
        self._pages: dict[int, list[Device]] = {}
        # The SVD register file (mcusim.sim.svd): serves what no explicit device covers.
        self.fallback: Device | None = None
        self.strict = False           # --strict-peripherals: the fallback only names registers

    def add(self, dev: Device) -> Device:
        self.devices.append(dev)
        lo, hi = dev.base & ~(PAGE - 1), (dev.base + dev.size + PAGE - 1) & ~(PAGE - 1)
        for page in range(lo, hi, PAGE):
            if page not in self._pages:
                self._pages[page] = []
                self.machine.uc.mmio_map(page, PAGE, self._read, page, self._write, page)
            self._pages[page].append(dev)
        return dev

    def set_fallback(self, dev: Device, pages: list[int], strict: bool = False) -> None:
        """dev serves accesses no explicit device covers (offsets are absolute addresses);
        `pages` not mapped yet become MMIO. Explicit devices added before or after win.
        strict: map nothing, so such accesses fault as before; dev only names the register."""
        self.fallback, self.strict = dev, strict
        for page in ([] if strict else pages):
            if page not in self._pages:
                try:
                    self.machine.uc.mmio_map(page, PAGE, self._read, page, self._write, page)
                except Exception:     # already mapped as memory (e.g. a boot alias): skip it
                    continue
                self._pages[page] = []

    def _find(self, page: int, offset: int) -> Device | None:
        addr = page + offset
        for d in self._pages[page]:
            if d.base <= addr < d.base + d.size:
                return d
        fb = self.fallback
        if fb is not None and not self.strict and fb.covers(addr):
            return fb
        return None

    def svd_name(self, addr: int) -> str:
        """' RCC.CFGR' when the SVD register file names addr, else ''."""
        fb = self.fallback
        name = fb.file.name(addr) if fb is not None else None
        return f" {name}" if name else ""

    def maps(self, addr: int) -> bool:
        """Is addr on a page the bus serves (MMIO)?"""
        return (addr & ~(PAGE - 1)) in self._pages

    def debug_access(self, addr: int, size: int, value: int | None = None) -> int | None:
        """A debugger's read (value None) or write: the device's value (0 for a write), or
        None where no device serves addr (an error for the debugger, not a fault of the run)."""
        page = addr & ~(PAGE - 1)
        if page not in self._pages:
            return None
        dev = self._find(page, addr - page)
        if dev is None:
            return None
        if value is None:
            return dev.read(addr - dev.base, size) & ((1 << (8 * size)) - 1)
        dev.write(addr - dev.base, size, value)
        return 0

    def _unmodelled(self, kind: str, addr: int) -> None:
        self.machine.fault_access(f"bad {kind}", addr, f"{kind} of a peripheral register "
                                                       f"mcusim does not model:{self.svd_name(addr)}")

    def _read(self, uc, offset, size, page):
        dev = self._find(page, offset)
        if dev is None:
            self._unmodelled("read", page + offset)
            return 0
        return dev.read(page + offset - dev.base, size) & ((1 << (8 * size)) - 1)

    def _write(self, uc, offset, size, value, page):
        dev = self._find(page, offset)
        if dev is None:
            self._unmodelled("write", page + offset)
            return
        dev.write(page + offset - dev.base, size, value)


# --- console UART ---------------------------------------------------------------------------

class RegisterUart(Device):
    """A UART with a data register (a written byte goes out) and a status register. By default
    transmission is instantaneous and the status reads READY; with --uart-timing (machine.
    uart_timing) each byte takes its frame time on the wire (mcusim.sim.uart_timing) and the
    status flags follow. Other registers are storage."""

    SIZE = 0x1000
    READY = 0

    def __init__(self, base, data_offset, status_offset, out: Callable[[bytes], None],
                 machine: "Machine | None" = None):
        super().__init__(base, self.SIZE)
        self.data_offset, self.status_offset, self.out = data_offset, status_offset, out
        self.tx = None
        if machine is not None:
            from mcusim.sim.uart_timing import TxLine
            self.tx = TxLine(machine, self.name.upper(), self.depth,
                             lambda: self.frame_seconds(machine))

    def depth(self) -> int:
        return 1                        # the transmit holding register

    def frame_seconds(self, machine):
        return None

    def status(self) -> int:
        return self.READY

    def read(self, offset, size):
        if offset == self.status_offset:
            if self.tx is not None:
                self.tx.sync()
            return self.status()
        return super().read(offset, size)

    def write(self, offset, size, value):
        if offset == self.data_offset:
            self.out(bytes([value & 0xFF]))
            if self.tx is not None:
                self.tx.push()
        else:
            super().write(offset, size, value)


class StmUsart(RegisterUart):
    """STM32 USART: v1 (F1/F2/F4: SR, DR) and v2 (L4/F7/H7/G0/U5: ISR, TDR). TXE: the
    transmit data register is empty; TC: the last frame has left the shift register; RXNE
    stays 0 (nothing is received). RM0090 30.6.1; RM0432 50.8.8."""

    name = "usart"
    SIZE = 0x400
    TXE, TC = 1 << 7, 1 << 6
    READY = TXE | TC

    def __init__(self, base, data_offset, status_offset, out, machine=None, v2=False):
        self.v2 = v2
        super().__init__(base, data_offset, status_offset, out, machine)

    def frame_seconds(self, machine):
        from mcusim.sim.uart_timing import stm32_frame
        return stm32_frame(machine, self.regs, self.v2)

    def status(self) -> int:
        ack = 0
        if self.v2:    # ISR.TEACK/REACK (bits 21/22) follow CR1.TE/RE (RM0432 50.8.8); ST's HAL
            cr1 = self.regs.get(0x00, 0)           # waits for them after enabling the USART
            ack = (cr1 >> 3 & 1) << 21 | (cr1 >> 2 & 1) << 22
        if self.tx is None:
            return self.READY | ack
        return ((self.TXE if self.tx.holding_empty() else 0) | (self.TC if self.tx.idle() else 0)
                | ack)


class NrfUart(Device):
    """nRF52 UART (TXD byte register) and UARTE (EasyDMA from TXD.PTR/MAXCNT on STARTTX).
    Events are registers the hardware sets and the firmware clears (PS v1.7 6.33/6.34):
    TXDRDY after each byte, TXSTARTED and ENDTX around a DMA transfer; at once by default,
    after each frame's time with --uart-timing."""

    name = "uarte"
    TASKS_STARTTX, EVENTS_TXDRDY, EVENTS_ENDTX, EVENTS_TXSTARTED = 0x008, 0x11C, 0x120, 0x150
    TXD, TXD_PTR, TXD_MAXCNT, TXD_AMOUNT = 0x51C, 0x544, 0x548, 0x54C
    EVENTS = (EVENTS_TXDRDY, EVENTS_ENDTX, EVENTS_TXSTARTED)

    def __init__(self, base, machine: "Machine", out):
        super().__init__(base, 0x1000)
        self.machine, self.out = machine, out
        self.dma_left = 0                # bytes of a DMA transfer still on the wire
        from mcusim.sim.uart_timing import TxLine, nrf_frame
        self.tx = TxLine(machine, "UARTE", lambda: 1 << 16, lambda: nrf_frame(self.regs),
                         self._sent)

    def _sent(self) -> None:
        self.regs[self.EVENTS_TXDRDY] = 1
        if self.dma_left:
            self.dma_left -= 1
            if not self.dma_left:
                self.regs[self.EVENTS_ENDTX] = 1

    def read(self, offset, size):
        if offset in self.EVENTS:
            self.tx.sync()
        return super().read(offset, size)

    def write(self, offset, size, value):
        if offset == self.TXD:
            self.out(bytes([value & 0xFF]))
            self.tx.push()
        elif offset == self.TASKS_STARTTX and value and self.regs.get(self.TXD_PTR):
            n = self.regs.get(self.TXD_MAXCNT, 0)
            self.out(self.machine.read(self.regs[self.TXD_PTR], n))
            self.regs[self.TXD_AMOUNT] = n
            self.regs[self.EVENTS_TXSTARTED] = 1
            self.dma_left = n
            for _ in range(n):
                self.tx.push()
            if n == 0:
                self.regs[self.EVENTS_ENDTX] = 1
        elif offset in self.EVENTS:
            self.tx.sync()
            self.regs[offset] = value & 1
        else:
            super().write(offset, size, value)


class Pl011(RegisterUart):
    """Arm PL011 (RP2040 UART0/1): UARTDR writes go out. UARTFR: TXFE (transmit FIFO empty),
    TXFF (full: 32 entries with LCR_H.FEN, else the 1-byte holding register), BUSY (sending),
    RXFE = 1 (nothing received). RP2040 datasheet 4.2.8, UARTFR."""

    name = "pl011"
    TXFE, RXFE, TXFF, BUSY = 1 << 7, 1 << 4, 1 << 5, 1 << 3
    READY = TXFE | RXFE
    # RP2040 atomic aliases of every APB register block: +0x1000 XOR, +0x2000 set, +0x3000
    # clear (RP2040 datasheet 2.1.2); pico-sdk's uart_init writes LCR_H/CR through them.
    SIZE = 0x4000

    def read(self, offset, size):
        return super().read(offset & 0xFFF, size)

    def write(self, offset, size, value):
        alias, reg = offset >> 12, offset & 0xFFF
        if alias:
            cur = super().read(reg, 4)
            value = (cur ^ value, cur | value, cur & ~value)[alias - 1] & 0xFFFFFFFF
        super().write(reg, size, value)

    def depth(self) -> int:
        return 32 if self.regs.get(0x2C, 0) >> 4 & 1 else 1

    def frame_seconds(self, machine):
        from mcusim.sim.uart_timing import pl011_frame
        return pl011_frame(machine, self.regs)

    def status(self) -> int:
        if self.tx is None:
            return self.READY
        return (self.RXFE | (self.TXFE if self.tx.holding_empty() else 0)
                | (self.TXFF if self.tx.full() else 0) | (0 if self.tx.idle() else self.BUSY))


def make_uart(machine: "Machine", uart: dict, out) -> Device | None:
    if not uart:
        return None
    kind = uart["kind"]
    if kind in ("stm32-usart-v1", "stm32-usart-v2"):
        return StmUsart(uart["base"], uart["data_offset"], uart["status_offset"], out, machine,
                        v2=kind == "stm32-usart-v2")
    if kind == "nrf-uarte":
        return NrfUart(uart["base"], machine, out)
    if kind == "pl011":
        return Pl011(uart["base"], uart["data_offset"], uart["status_offset"], out, machine)
    return None


class Itm(Device):
    """ITM at 0xE0000000: stimulus port 0 writes go to stdout (CMSIS ITM_SendChar), reads of a
    port say its FIFO is ready; TER/TCR are storage (DDI 0403E C1.7, ITM registers)."""

    name = "itm"

    def __init__(self, out: Callable[[bytes], None]):
        super().__init__(0xE0000000, 0x1000)
        self.out = out

    def read(self, offset, size):
        if offset < 0x80:                  # STIM0-31: bit 0 = FIFOREADY
            return 1
        return super().read(offset, size)

    def write(self, offset, size, value):
        if offset == 0:
            self.out(value.to_bytes(size, "little"))
        elif offset >= 0x80:
            super().write(offset, size, value)


# --- System Control Space and DWT ------------------------------------------------------------

# CPUID reset values from each core's TRM ("CPUID Base Register").
CPUID = {
    "cortex-m0plus": 0x410CC601,   # DDI 0484C, 4.1 (r0p1)
    "cortex-m3": 0x412FC231,       # DDI 0337I, 4.3.1 (r2p1)
    "cortex-m4": 0x410FC241,       # DDI 0439B, 4.3 (r0p1)
    "cortex-m4f": 0x410FC241,
    "cortex-m7": 0x411FC272,       # DDI 0489F, 4.1 (r1p2)
    "cortex-m33": 0x410FD214,      # 100230_0004, 3.2 (r0p4)
}

DEMCR = 0xDFC                       # offsets in the SCS page at 0xE000E000
DEMCR_TRCENA = 1 << 24              # DDI 0403E C1.6.5


class Counter:
    """A free-running count derived from the profiler's cycles: enable/disable/write keep it exact."""

    def __init__(self, cycles: Callable[[], int]):
        self.cycles = cycles
        self.value = 0             # value when last frozen/written
        self.since: int | None = None   # cycle count when it started running

    def get(self) -> int:
        if self.since is None:
            return self.value
        return self.value + self.cycles() - self.since

    def set(self, value: int) -> None:
        self.value = value
        if self.since is not None:
            self.since = self.cycles()

    def run(self, on: bool) -> None:
        if on and self.since is None:
            self.since = self.cycles()
        elif not on and self.since is not None:
            self.value, self.since = self.get(), None


class SystemControl(Device):
    """SCS at 0xE000E000: SysTick (0x010-0x01C), NVIC (0x100-0x4EF), SCB (0xD00-0xD8F), DEMCR.

    Registers not named here read back what was written (CPACR, VTOR, AIRCR, NVIC enables...),
    which is what start-up code needs. DDI 0403E B3.2 (SCB), B3.3 (SysTick), B3.4 (NVIC).
    """

    name = "scs"
    CSR, RVR, CVR, CALIB = 0x010, 0x014, 0x018, 0x01C
    CPUID_OFF = 0xD00

    def __init__(self, core: str, cycles: Callable[[], int], dwt: "Dwt"):
        super().__init__(0xE000E000, 0x1000)
        self.cpuid = CPUID.get(core, 0)
        self.cycles, self.dwt = cycles, dwt
        self.csr = 0
        self.reload = 0
        self.cvr0 = 0              # counter value when (re)started
        self.t0 = 0                # cycle count when (re)started
        self.wraps_seen = 0        # wraps already reported through COUNTFLAG
        # COUNTFLAG latched: set by a count to 0, cleared only by a CSR read or a CVR write, so a
        # wrap survives disabling the counter (DDI 0403E B3.3.3, SYST_CSR; FreeRTOS tickless idle)
        self.countflag = False
        self.exc = None            # sim.exceptions.ExceptionModel: NVIC and SCB registers
        self.ref_divider = 0       # SysTick reference clock = core clock / this (0: none)
        self.warn: Callable[[str], None] = lambda text: None
        self.on_systick: Callable[[], None] | None = None   # SysTick reprogrammed: reschedule

    def next_zero(self) -> int | None:
        """The tick (of `cycles`) at which the counter next reaches 0 (the SysTick exception
        is pended on the 1 -> 0 count, DDI 0403E B3.3.1), or None when it never will."""
        if not self.csr & 1:
            return None
        e = self._ticks()
        if self.cvr0 and e < self.cvr0:
            return self._tick_of(self.cvr0)
        if not self.reload:
            return None
        period = self.reload + 1
        j = (e - self.cvr0) // period + 1
        return self._tick_of(self.cvr0 + period * j)

    def _divider(self) -> int:
        """Core clocks per count: 1 with CLKSOURCE = 1 (the processor clock), the board's
        reference divider with CLKSOURCE = 0 (STM32: HCLK/8, RM0090 7.2)."""
        return 1 if self.csr & 4 or not self.ref_divider else self.ref_divider

    def _tick_of(self, counts: int) -> int:
        """The core-clock tick of the counts-th count since (re)start."""
        d = self._divider()
        return self.t0 + counts if d == 1 else (self.t0 // d + counts) * d

    # SysTick: counts down every core clock (CLKSOURCE = 1) or every edge of the board's
    # reference clock (CLKSOURCE = 0), reloads RVR after reaching 0 (DDI 0403E B3.3.1).
    def _ticks(self) -> int:
        """Counts since (re)start: core clocks, or edges of the reference clock (a fixed
        divider of the core clock, so edges fall on multiples of it)."""
        if not self.csr & 1:
            return 0
        d = self._divider()
        return self.cycles() - self.t0 if d == 1 else self.cycles() // d - self.t0 // d

    def _systick(self) -> tuple[int, int]:
        """(current value, number of times the counter reached 0) at this cycle."""
        t = self._ticks()
        if not self.csr & 1:
            return self.cvr0, 0
        if t <= self.cvr0:
            return self.cvr0 - t, 1 if (t == self.cvr0 and self.cvr0) else 0
        period = self.reload + 1
        k = t - self.cvr0 - 1           # ticks since the first reload
        # 0 is reached at cvr0 (if it was not 0) and then every `period` ticks.
        zeros = (1 if self.cvr0 else 0) + ((k + 1) // period if self.reload else 0)
        return (self.reload - (k % period)) if self.reload else 0, zeros

    def _latch(self) -> None:
        """Fold the wraps since the last look into COUNTFLAG."""
        _, zeros = self._systick()
        if zeros > self.wraps_seen:
            self.countflag = True
        self.wraps_seen = zeros

    def read(self, offset, size):
        if offset == self.CSR:
            self._latch()
            flag, self.countflag = self.countflag, False
            return self.csr | (1 << 16 if flag else 0)
        if offset == self.RVR:
            return self.reload
        if offset == self.CVR:
            return self._systick()[0]
        if offset == self.CALIB:
            # NOREF (bit 31) when the board has no reference clock; SKEW (bit 30): TENMS unknown
            return (1 << 30) | (0 if self.ref_divider else 1 << 31)
        if offset == self.CPUID_OFF:
            return self.cpuid
        if self.exc is not None:
            v = scb.read_register(self.exc, offset, size)
            if v is not None:
                return v
        return super().read(offset, size)

    def write(self, offset, size, value):
        if offset == self.CSR:
            self._latch()                  # a wrap before this write stays in COUNTFLAG
            cur, _ = self._systick()
            old, self.csr = self.csr, value & 0x7
            if self.csr & 5 == 1 and not self.ref_divider:
                self.warn("SysTick CLKSOURCE = 0 (external reference clock): this board file "
                          "gives no reference clock, so SysTick counts the core clock")
            was_on = old & 1
            if self.csr & 1 and (not was_on or (old ^ self.csr) & 4):
                # started, or its clock source switched while counting: count on from here
                self.cvr0, self.t0, self.wraps_seen = cur, self.cycles(), 0
            elif not self.csr & 1 and was_on:
                self.cvr0 = cur
        elif offset == self.RVR:
            self.reload = value & 0xFFFFFF
        elif offset == self.CVR:
            # Any write clears the counter and COUNTFLAG; it reloads on the next tick.
            self.cvr0, self.t0, self.wraps_seen = 0, self.cycles(), 0
            self.countflag = False
        elif offset == self.CPUID_OFF:
            pass                           # read-only
        elif self.exc is not None and scb.write_register(self.exc, offset, size, value):
            pass
        else:
            super().write(offset, size, value)
            if offset == DEMCR:
                self.dwt.update()
        if offset in (self.CSR, self.RVR, self.CVR) and self.on_systick is not None:
            self.on_systick()


class Dwt(Device):
    """DWT at 0xE0001000: CTRL.CYCCNTENA (bit 0) and CYCCNT count modelled cycles while
    DEMCR.TRCENA is set (DDI 0403E C1.8.6, C1.8.7). ARMv6-M (Cortex-M0+) has no CYCCNT
    (DDI 0419E C1.8): CTRL.NOCYCCNT reads 1 and CYCCNT stays 0, as on the chip."""

    name = "dwt"
    CTRL, CYCCNT = 0x000, 0x004
    NOCYCCNT = 1 << 25

    def __init__(self, cycles: Callable[[], int], has_cyccnt: bool = True):
        super().__init__(0xE0001000, 0x1000)
        self.counter = Counter(cycles)
        self.ctrl = 0
        self.has_cyccnt = has_cyccnt
        self.numcomp = (4 if has_cyccnt else 2) << 28     # comparators (M3/M4/M7/M33: 4)
        self.scs: SystemControl | None = None

    def update(self) -> None:
        trcena = bool(self.scs and self.scs.regs.get(DEMCR, 0) & DEMCR_TRCENA)
        self.counter.run(self.has_cyccnt and trcena and bool(self.ctrl & 1))

    def read(self, offset, size):
        if offset == self.CTRL:
            return self.numcomp | self.ctrl | (0 if self.has_cyccnt else self.NOCYCCNT)
        if offset == self.CYCCNT:
            return self.counter.get() & 0xFFFFFFFF
        return super().read(offset, size)

    def write(self, offset, size, value):
        if offset == self.CTRL:
            self.ctrl = value & ~(0xF << 28)
            self.update()
        elif offset == self.CYCCNT:
            self.counter.set(value & 0xFFFFFFFF)
        else:
            super().write(offset, size, value)
