"""RP2040 clocks as far as pico-sdk's runtime_init/clocks_init needs them: XOSC, PLL_SYS, PLL_USB,
CLOCKS (clk_ref, clk_sys, clk_peri, frequency counter), RESETS and the WATCHDOG tick; from the
RP2040 datasheet (build 2023), sections 2.14 (Subsystem resets), 2.15 (Clocks), 2.16 (XOSC),
2.18 (PLL) and 4.7 (Watchdog).

Every block has the atomic aliases of datasheet 2.1.2: +0x1000 XOR, +0x2000 set, +0x3000 clear
on write (reads of an alias read the register); a narrow write is replicated across the word
(2.1.4). clk_sys is the core clock: at reset clk_ref = clk_sys = ROSC (nominal 6.5 MHz, 2.17).
Not modelled: ROSC registers and its frequency spread, GPOUT/GPIN, clk_usb/adc/rtc frequencies,
DORMANT, the resus (clock-loss) logic, the watchdog counting and reset, XOSC/PLL start-up and
lock times (STABLE and LOCK are set at the enabling write).
"""
from __future__ import annotations

from mcusim.sim.clocktree.base import ClockTree, RegisterBlock, field, mhz

ROSC_HZ = 6_500_000            # datasheet 2.17.1: nominal 6.5 MHz


class Rp2040Block(RegisterBlock):
    """A 4 KB register block with its three atomic aliases (16 KB in all)."""

    def __init__(self, base: int):
        super().__init__(base, 0x4000)

    def read(self, offset: int, size: int) -> int:
        return super().read(offset & 0xFFF, size)

    def write(self, offset: int, size: int, value: int) -> None:
        alias, off = offset >> 12, offset & 0xFFC
        if size == 1:
            value = (value & 0xFF) * 0x0101_0101
        elif size == 2:
            value = (value & 0xFFFF) * 0x0001_0001
        old = self.regs.get(off, 0)
        value = (value, old ^ value, old | value, old & ~value)[alias]
        self.store(off, value & 0xFFFF_FFFF)


class Xosc(Rp2040Block):
    """XOSC at 0x40024000 (2.16.7): CTRL 0x00 (ENABLE 23:12: 0xFAB on, 0xD1E off), STATUS 0x04
    (STABLE bit 31, ENABLED bit 12), STARTUP 0x0C reset 0xC4, COUNT 0x1C counting down at the
    crystal frequency."""

    name = "xosc"
    RESET = {0x0C: 0xC4}

    def __init__(self, machine, tree: "Rp2040Clocks"):
        super().__init__(0x4002_4000)
        self.machine, self.tree = machine, tree
        self.count_at: tuple[int, int] = (0, 0)        # (value written, tick written)

    @property
    def running(self) -> bool:
        return field(self.regs.get(0x00, 0), 12, 12) == 0xFAB

    def load(self, off):
        if off == 0x04:
            return (self.regs.get(0x00, 0) & 3) | ((1 << 31) | (1 << 12) if self.running else 0)
        if off == 0x1C:
            value, t0 = self.count_at
            s = self.machine.clock.seconds(t0, self.machine.now())
            return max(0, value - int(s * self.tree.crystal_hz)) if self.running else value
        return super().load(off)

    def store(self, off, value):
        if off == 0x04:
            return
        if off == 0x1C:
            self.count_at = (value & 0xFF, self.machine.now())
            return
        super().store(off, value)
        self.tree.update()


class Pll(Rp2040Block):
    """PLL_SYS 0x40028000 / PLL_USB 0x4002C000 (2.18.4): CS 0x0 reset 0x1 (REFDIV 5:0, BYPASS 8,
    LOCK 31), PWR 0x4 reset 0x2D (PD 0, DSMPD 2, POSTDIVPD 3, VCOPD 5), FBDIV_INT 0x8 (11:0),
    PRIM 0xC reset 0x7_7000 (POSTDIV1 18:16, POSTDIV2 14:12). Output (2.18.2) = FREF / REFDIV *
    FBDIV / (POSTDIV1 * POSTDIV2); locked when powered with FBDIV 16..320 and XOSC running."""

    RESET = {0x0: 0x1, 0x4: 0x2D, 0x8: 0, 0xC: 0x7_7000}

    def __init__(self, base: int, name: str, tree: "Rp2040Clocks"):
        super().__init__(base)
        self.name, self.tree = name, tree

    def reset(self) -> None:
        self.regs = dict(self.RESET)
        self.tree.update()

    @property
    def locked(self) -> bool:
        pwr, fb = self.regs.get(0x4, 0), self.regs.get(0x8, 0)
        return not pwr & 0x21 and 16 <= fb <= 320 and field(self.regs.get(0x0, 0), 0, 6) > 0 \
            and self.tree.xosc.running

    def hz(self) -> int:
        cs = self.regs.get(0x0, 0)
        ref = self.tree.crystal_hz if self.tree.xosc.running else 0
        if cs >> 8 & 1:
            return ref
        prim, pwr = self.regs.get(0xC, 0), self.regs.get(0x4, 0)
        if not self.locked or pwr & 0x8:
            return 0
        div = field(prim, 16, 3) * field(prim, 12, 3)
        return ref // field(cs, 0, 6) * self.regs.get(0x8, 0) // div if div else 0

    def load(self, off):
        if off == 0x0:
            return (self.regs.get(0x0, 0) & ~(1 << 31)) | (1 << 31 if self.locked else 0)
        return super().load(off)

    def store(self, off, value):
        super().store(off, value)
        self.tree.update()


class Resets(Rp2040Block):
    """RESETS at 0x4000C000 (2.14.3): RESET 0x0 reset 0x01FF_FFFF, WDSEL 0x4, RESET_DONE 0x8 =
    the blocks out of reset (done at once). Putting PLL_SYS (bit 12) or PLL_USB (bit 13) in
    reset returns its registers to their reset values."""

    name = "resets"
    ALL = 0x01FF_FFFF
    RESET = {0x0: ALL}

    def __init__(self, plls: dict[int, Pll]):
        super().__init__(0x4000_C000)
        self.plls = plls

    def load(self, off):
        if off == 0x8:
            return ~self.regs.get(0x0, 0) & self.ALL
        return super().load(off)

    def store(self, off, value):
        if off == 0x8:
            return
        if off == 0x0:
            value &= self.ALL
            for bit, pll in self.plls.items():
                if value >> bit & 1:
                    pll.reset()
        super().store(off, value)


# CLOCKS register offsets (2.15.7): CTRL/DIV/SELECTED per clock, 0xC apart.
GPOUT0, REF, SYS, PERI, USB, ADC, RTC = 0x00, 0x30, 0x3C, 0x48, 0x54, 0x60, 0x6C
FC0_SRC, FC0_STATUS, FC0_RESULT = 0x94, 0x98, 0x9C


class Clocks(Rp2040Block):
    """CLOCKS at 0x40008000 (2.15.7). clk_ref (CTRL SRC 1:0: ROSC, AUX, XOSC; AUXSRC 6:5: pll_usb,
    gpin0, gpin1; DIV INT 9:8) and clk_sys (CTRL SRC bit 0: clk_ref, AUX; AUXSRC 7:5: pll_sys,
    pll_usb, ROSC, XOSC, gpin0, gpin1; DIV INT 31:8, FRAC 7:0) have glitchless muxes whose
    SELECTED is one-hot of SRC (switching at once); the other clocks' SELECTED reads 0x1. DIV
    resets to 0x100 (/1); WAKE_EN0/SLEEP_EN0 reset 0xFFFF_FFFF, WAKE_EN1/SLEEP_EN1 0x7FFF. The
    frequency counter (FC0_SRC 0x94) reports PASS|DONE with the source's frequency in
    FC0_RESULT (KHZ 29:5, 2.15.6.2)."""

    name = "clocks"
    RESET = {**{c + 4: 0x100 for c in (0x00, 0x0C, 0x18, 0x24, REF, SYS, USB, ADC, RTC)},
             0x78: 0xFF, 0xA0: 0xFFFF_FFFF, 0xA4: 0x7FFF, 0xA8: 0xFFFF_FFFF, 0xAC: 0x7FFF}

    def __init__(self, tree: "Rp2040Clocks"):
        super().__init__(0x4000_8000)
        self.tree = tree

    def load(self, off):
        if off == REF + 8:
            return 1 << field(self.regs.get(REF, 0), 0, 2)
        if off == SYS + 8:
            return 1 << (self.regs.get(SYS, 0) & 1)
        if off in (c + 8 for c in (0x00, 0x0C, 0x18, 0x24, PERI, USB, ADC, RTC)):
            return 1
        if off == FC0_STATUS:
            return (1 << 0) | (1 << 4)                   # PASS, DONE
        if off == FC0_RESULT:
            hz = self.tree.fc0_hz(self.regs.get(FC0_SRC, 0) & 0xFF)
            return (hz // 1000) << 5 | ((hz % 1000) * 32 // 1000)
        return super().load(off)

    def store(self, off, value):
        if off in (REF + 8, SYS + 8, FC0_STATUS, FC0_RESULT):
            return
        super().store(off, value)
        self.tree.update()

    @staticmethod
    def divided(hz: int, div: int, frac_bits: bool) -> int:
        if not frac_bits:
            return hz // (field(div, 8, 2) or 4)
        d = div or (1 << 24)                             # INT = 0 means 2^16
        return hz * 256 // d if d else 0

    def ref_hz(self) -> int:
        ctrl = self.regs.get(REF, 0)
        src = field(ctrl, 0, 2)
        hz = {0: ROSC_HZ, 2: self.tree.xosc_hz()}.get(src, 0)
        if src == 1 and field(ctrl, 5, 2) == 0:
            hz = self.tree.pll_usb.hz()
        return self.divided(hz, self.regs.get(REF + 4, 0), False)

    def sys_hz(self) -> int:
        ctrl = self.regs.get(SYS, 0)
        if ctrl & 1:
            hz = {0: self.tree.pll_sys.hz(), 1: self.tree.pll_usb.hz(), 2: ROSC_HZ,
                  3: self.tree.xosc_hz()}.get(field(ctrl, 5, 3), 0)
        else:
            hz = self.ref_hz()
        return self.divided(hz, self.regs.get(SYS + 4, 0), True)

    def peri_hz(self) -> int:
        ctrl = self.regs.get(PERI, 0)
        if not ctrl >> 11 & 1:
            return 0
        return {0: self.sys_hz(), 1: self.tree.pll_sys.hz(), 2: self.tree.pll_usb.hz(),
                3: ROSC_HZ, 4: self.tree.xosc_hz()}.get(field(ctrl, 5, 3), 0)


class Watchdog(Rp2040Block):
    """WATCHDOG at 0x40058000 (4.7.6): CTRL reset 0x0700_0000, TICK 0x2C reset 0x200 (ENABLE;
    CYCLES 8:0 divides clk_ref into the 1 us tick of TIMER), RUNNING (bit 10) follows ENABLE.
    The watchdog counter and its reset are not modelled."""

    name = "watchdog"
    RESET = {0x00: 0x0700_0000, 0x2C: 0x200}

    def __init__(self, tree: "Rp2040Clocks"):
        super().__init__(0x4005_8000)
        self.tree = tree

    def load(self, off):
        v = super().load(off)
        if off == 0x2C:
            v = (v & 0x3FF) | ((v >> 9 & 1) << 10)
        return v

    def store(self, off, value):
        super().store(off, value)
        if off == 0x2C:
            self.tree.update()


class Rp2040Clocks(ClockTree):
    def __init__(self, machine, crystal_hz: int):
        super().__init__(machine, machine.board.reset_clock_hz)
        self.crystal_hz = crystal_hz
        self.ready = False
        self.xosc = Xosc(machine, self)
        self.pll_sys = Pll(0x4002_8000, "pll_sys", self)
        self.pll_usb = Pll(0x4002_C000, "pll_usb", self)
        self.clocks_dev = Clocks(self)
        self.resets = Resets({12: self.pll_sys, 13: self.pll_usb})
        self.watchdog = Watchdog(self)
        self.ready = True

    def xosc_hz(self) -> int:
        return self.crystal_hz if self.xosc.running else 0

    def fc0_hz(self, src: int) -> int:
        c = self.clocks_dev
        return {1: self.pll_sys.hz(), 2: self.pll_usb.hz(), 3: ROSC_HZ, 4: ROSC_HZ,
                5: self.xosc_hz(), 8: c.ref_hz(), 9: c.sys_hz(), 10: c.peri_hz()}.get(src, 0)

    def update(self) -> None:
        if not self.ready:
            return
        c = self.clocks_dev
        sys_hz, ref_hz = c.sys_hz(), c.ref_hz()
        if sys_hz <= 0:
            return                      # a source not running: the mux would not switch to it
        tick = self.watchdog.regs.get(0x2C, 0)
        cycles = tick & 0x1FF
        ctrl = c.regs.get(SYS, 0)
        src = "clk_ref" if not ctrl & 1 else \
            ("pll_sys", "pll_usb", "rosc", "xosc", "gpin0", "gpin1", "?", "?")[field(ctrl, 5, 3)]
        self.set(sys_hz, sys_hz, f"CLOCKS: clk_sys={src} {mhz(sys_hz)}", clk_ref=ref_hz,
                 clk_peri=c.peri_hz(), tick_hz=ref_hz // cycles if cycles and tick >> 9 & 1 else 0)


def install(machine, clock_tree: dict):
    tree = Rp2040Clocks(machine, clock_tree.get("crystal_hz", 12_000_000))
    return tree, [tree.clocks_dev, tree.resets, tree.xosc, tree.pll_sys, tree.pll_usb,
                  tree.watchdog]
