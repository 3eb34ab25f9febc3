"""STM32U575 (board stm32u575): RCC (MSIS/HSI16/HSE, PLL1, HPRE), PWR voltage scaling and EPOD
boost, FLASH_ACR, from RM0456 rev 4.

RCC at 0x46020C00 (non-secure; secure alias 0x56020C00), RM0456 Table 4; registers in 11.8:
  RCC_CR 0x00 reset 0x0000_0035 (MSISON, MSISRDY, MSIKON, MSIKRDY), 11.8.1: MSISON 0/MSISRDY 2,
    MSIKON 4/MSIKRDY 5, HSION 8/HSIRDY 10, HSI48ON 12/13, SHSION 14/15, HSEON 16/HSERDY 17,
    PLL1ON 24/PLL1RDY 25, PLL2 26/27, PLL3 28/29
  RCC_ICSCR1 0x08 reset 0x4400_0000 here (MSISRANGE 31:28 = MSIKRANGE 27:24 = 4: 4 MHz; the
    calibration fields read 0), MSIRGSEL bit 23, 11.8.2
  RCC_CFGR1 0x1C reset 0: SW 1:0 (MSIS, HSI16, HSE, PLL1), SWS 3:2, 11.8.6
  RCC_CFGR2 0x20 reset 0: HPRE 3:0, PPRE1 6:4, PPRE2 10:8, 11.8.7; RCC_CFGR3 0x24: PPRE3 6:4, 11.8.8
  RCC_PLL1CFGR 0x28 reset 0: PLL1SRC 1:0 (none, MSIS, HSI16, HSE), PLL1M 11:8 (/M+1), 11.8.9
  RCC_PLL1DIVR 0x34 reset 0x0101_0280: PLL1N 8:0 (N+1), PLL1R 30:24 (R+1), 11.8.12
  RCC_PLL1FRACR 0x38: PLL1FRACN 15:3 with PLL1CFGR.PLL1FRACEN (bit 4), 11.8.13
  RCC_BDCR 0xF0: LSEON 0/LSERDY 1, LSION 26/LSIRDY 27, 11.8.45; RCC_CSR 0xF4: MSISSRANGE 15:12
    (reset 4), used while MSIRGSEL = 0, 11.8.46
  pll1_r_ck = input / M * (N + FRACN / 2^13) / R (11.4.9); HCLK = SYSCLK / HPRE.
  MSIS ranges (11.4.4, Table 107): 48, 24, 16, 12, 4, 2, 1.33, 1, 3.072, 1.536, 1.024, 0.768,
  0.4, 0.2, 0.133, 0.1 MHz.
PWR at 0x46020800 (secure alias 0x56020800), 10.10: PWR_VOSR 0x0C reset 0x0000_8000 (VOS = range
4, VOSRDY): VOSRDY bit 15 reads 1, BOOSTRDY bit 14 follows BOOSTEN bit 18 (10.10.4); PWR_SVMSR
0x3C: ACTVOSRDY bit 15, ACTVOS 17:16 = VOS (10.10.12).
FLASH at 0x40022000 (secure alias 0x50022000): FLASH_ACR reset 0, LATENCY[3:0], 7.9.1.
Not modelled: PLL2/PLL3 and MSIK outputs, the MSI PLL mode (LSE trimming), kernel clock muxes,
the SMPS/LDO choice (PWR_CR3), the range limits on HCLK per VOS (no warning when exceeded).
"""
from __future__ import annotations

from mcusim.sim.clocktree.base import field
from mcusim.sim.peripherals import Device
from mcusim.sim.clocktree.stm32 import (Oscillator, frac_pll_hz, StmFlash, StmPwr, StmRcc, ahb_div, apb_div,
                                        stm32_tree)

HSI_HZ = 16_000_000
MSIS_HZ = (48_000_000, 24_000_000, 16_000_000, 12_000_000, 4_000_000, 2_000_000, 1_330_000,
           1_000_000, 3_072_000, 1_536_000, 1_024_000, 768_000, 400_000, 200_000, 133_000, 100_000)


def _pll_input(rcc: "U5Rcc") -> Oscillator | None:
    src = field(rcc.regs.get(rcc.PLL1CFGR, 0), 0, 2)
    return rcc.osc({1: "MSIS", 2: "HSI", 3: "HSE"}.get(src, ""))


class U5Rcc(StmRcc):
    CR, ICSCR1, CFGR1, CFGR2, CFGR3 = 0x00, 0x08, 0x1C, 0x20, 0x24
    PLL1CFGR, PLL1DIVR, PLL1FRACR, CSR = 0x28, 0x34, 0x38, 0xF4
    RESET = {0x00: 0x0000_0035, 0x08: 0x4400_0000, 0x34: 0x0101_0280, 0x3C: 0x0101_0280,
             0x44: 0x0101_0280, 0xF4: 0x0000_4400}
    OSCILLATORS = (Oscillator("MSIS", 0x00, 0, 2), Oscillator("MSIK", 0x00, 4, 5),
                   Oscillator("HSI", 0x00, 8, 10), Oscillator("HSI48", 0x00, 12, 13),
                   Oscillator("SHSI", 0x00, 14, 15), Oscillator("HSE", 0x00, 16, 17),
                   Oscillator("PLL1", 0x00, 24, 25, _pll_input),
                   Oscillator("PLL2", 0x00, 26, 27, _pll_input),
                   Oscillator("PLL3", 0x00, 28, 29, _pll_input),
                   Oscillator("LSE", 0xF0, 0, 1), Oscillator("LSI", 0xF0, 26, 27))
    SW_REG, SW_SHIFT, SW_WIDTH, SWS_SHIFT = 0x1C, 0, 2, 2
    SOURCES = {0: "MSIS", 1: "HSI", 2: "HSE", 3: "PLL1"}

    def msis_hz(self) -> int:
        ic = self.regs.get(self.ICSCR1, 0)
        rng = field(ic, 28, 4) if ic >> 23 & 1 else field(self.regs.get(self.CSR, 0), 12, 4)
        return MSIS_HZ[rng]

    def pll1_hz(self) -> int:
        c = self.regs.get(self.PLL1CFGR, 0)
        src = {1: self.msis_hz(), 2: HSI_HZ, 3: self.crystal_hz}.get(field(c, 0, 2), 0)
        d = self.regs.get(self.PLL1DIVR, 0)
        frac = field(self.regs.get(self.PLL1FRACR, 0), 3, 13) if c >> 4 & 1 else 0
        return frac_pll_hz(src, field(c, 8, 4) + 1, (field(d, 0, 9), field(d, 24, 7)), frac)

    def source_hz(self, sw: int) -> int:
        return {0: self.msis_hz(), 1: HSI_HZ, 2: self.crystal_hz, 3: self.pll1_hz()}.get(sw, 0)

    def derive(self, sysclk: int):
        c2 = self.regs.get(self.CFGR2, 0)
        hclk = sysclk // ahb_div(field(c2, 0, 4))
        return hclk, hclk, {"pclk1": hclk // apb_div(field(c2, 4, 3)),
                            "pclk2": hclk // apb_div(field(c2, 8, 3)),
                            "pclk3": hclk // apb_div(field(self.regs.get(self.CFGR3, 0), 4, 3))}


class U5Pwr(StmPwr):
    VOSR, SVMSR = 0x0C, 0x3C
    RESET = {0x0C: 0x0000_0000}
    ALWAYS = {0x0C: 1 << 15}                                  # VOSRDY
    FOLLOW = {(0x0C, 18): (0x0C, 14)}                         # BOOSTEN -> BOOSTRDY

    def load(self, off: int) -> int:
        if off == self.SVMSR:
            return (1 << 15) | (self.regs.get(self.VOSR, 0) & (3 << 16))
        return super().load(off)


class Alias(Device):
    """The same registers at a second address (the TrustZone secure alias)."""

    def __init__(self, base: int, target: Device):
        super().__init__(base, target.size)
        self.target, self.name = target, target.name + " (secure alias)"

    def read(self, offset, size):
        return self.target.read(offset, size)

    def write(self, offset, size, value):
        self.target.write(offset, size, value)


def install(machine, clock_tree: dict):
    tree = stm32_tree(machine, "RM0456 rev 4, Table 54")
    rcc = U5Rcc(0x4602_0C00, tree, clock_tree.get("crystal_hz", 0))
    pwr = U5Pwr(0x4602_0800, 0x400)
    flash = StmFlash(0x4002_2000, tree, acr_reset=0, latency_mask=0xF)
    return tree, [rcc, pwr, flash, Alias(0x5602_0C00, rcc), Alias(0x5602_0800, pwr),
                  Alias(0x5002_2000, flash)]
