"""STM32L4+ (board stm32l4r5): RCC, PWR and FLASH_ACR, from RM0432 rev 9.

RCC at 0x40021000 (RM0432 Table 3), registers in section 6.4:
  RCC_CR 0x00 reset 0x0000_0063 (MSION, MSIRDY, MSIRANGE=6: 4 MHz), 6.4.1: MSION 0/MSIRDY 1,
    MSIRGSEL 3, MSIRANGE 7:4, HSION 8/HSIRDY 10, HSEON 16/HSERDY 17, PLLON 24/PLLRDY 25,
    PLLSAI1ON 26/27, PLLSAI2ON 28/29
  RCC_CFGR 0x08 reset 0: SW 1:0 (MSI, HSI16, HSE, PLL), SWS 3:2, HPRE 7:4, PPRE1 10:8,
    PPRE2 13:11, 6.4.3
  RCC_PLLCFGR 0x0C reset 0x0000_1000: PLLSRC 1:0 (none, MSI, HSI16, HSE), PLLM 7:4 (/M+1),
    PLLN 14:8, PLLR 26:25 (/2, /4, /6, /8), 6.4.4; SYSCLK from PLL = input / M * N / R (6.2.5)
  RCC_BDCR 0x90 (LSEON/LSERDY 0/1), 6.4.29; RCC_CSR 0x94 reset 0x0C00_0600 (LSION/LSIRDY 0/1,
    MSISRANGE 11:8 = 6), 6.4.30; RCC_CRRCR 0x98 (HSI48ON/HSI48RDY 0/1), 6.4.31
  MSI ranges (6.2.3): 100 k, 200 k, 400 k, 800 k, 1, 2, 4, 8, 16, 24, 32, 48 MHz; MSIRANGE
  applies when MSIRGSEL = 1, MSISRANGE (RCC_CSR) otherwise.
PWR at 0x40007000: PWR_CR1 reset 0x0000_0200 (VOS = range 1), 5.4.1; PWR_SR2.VOSF (bit 10) reads
0: the regulator reaches the selected range at once, 5.4.7; PWR_CR5 reset 0x0000_0100 (R1MODE:
boost off), 5.4.24.
FLASH at 0x40022000: FLASH_ACR reset 0x0000_0600 (ICEN, DCEN, LATENCY 0), 3.7.1.
"""
from __future__ import annotations

from mcusim.sim.clocktree.base import field
from mcusim.sim.clocktree.stm32 import (Oscillator, StmFlash, StmPwr, StmRcc, ahb_div, apb_div,
                                        stm32_tree)

HSI_HZ = 16_000_000
MSI_HZ = (100_000, 200_000, 400_000, 800_000, 1_000_000, 2_000_000, 4_000_000, 8_000_000,
          16_000_000, 24_000_000, 32_000_000, 48_000_000)


def _pll_input(rcc: "L4Rcc") -> Oscillator | None:
    src = field(rcc.regs.get(rcc.PLLCFGR, 0), 0, 2)
    return rcc.osc({1: "MSI", 2: "HSI", 3: "HSE"}.get(src, ""))


class L4Rcc(StmRcc):
    CR, CFGR, PLLCFGR, CSR = 0x00, 0x08, 0x0C, 0x94
    RESET = {0x00: 0x0000_0063, 0x08: 0, 0x0C: 0x0000_1000, 0x94: 0x0C00_0600}
    OSCILLATORS = (Oscillator("MSI", 0x00, 0, 1), Oscillator("HSI", 0x00, 8, 10),
                   Oscillator("HSE", 0x00, 16, 17), Oscillator("PLL", 0x00, 24, 25, _pll_input),
                   Oscillator("PLLSAI1", 0x00, 26, 27, _pll_input),
                   Oscillator("PLLSAI2", 0x00, 28, 29, _pll_input),
                   Oscillator("LSE", 0x90, 0, 1), Oscillator("LSI", 0x94, 0, 1),
                   Oscillator("HSI48", 0x98, 0, 1))
    SW_REG, SW_SHIFT, SW_WIDTH, SWS_SHIFT = 0x08, 0, 2, 2
    SOURCES = {0: "MSI", 1: "HSI", 2: "HSE", 3: "PLL"}

    def msi_hz(self) -> int:
        cr = self.regs.get(self.CR, 0)
        rng = field(cr, 4, 4) if cr >> 3 & 1 else field(self.regs.get(self.CSR, 0), 8, 4)
        return MSI_HZ[rng] if rng < len(MSI_HZ) else 0

    def input_hz(self, src: int) -> int:
        return {1: self.msi_hz(), 2: HSI_HZ, 3: self.crystal_hz}.get(src, 0)

    def pll_hz(self) -> int:
        c = self.regs.get(self.PLLCFGR, 0)
        m, n, r = field(c, 4, 4) + 1, field(c, 8, 7), 2 * (field(c, 25, 2) + 1)
        return self.input_hz(field(c, 0, 2)) * n // (m * r)

    def source_hz(self, sw: int) -> int:
        return {0: self.msi_hz(), 1: HSI_HZ, 2: self.crystal_hz, 3: self.pll_hz()}.get(sw, 0)

    def derive(self, sysclk: int):
        c = self.regs.get(self.CFGR, 0)
        hclk = sysclk // ahb_div(field(c, 4, 4))
        return hclk, hclk, {"pclk1": hclk // apb_div(field(c, 8, 3)),
                            "pclk2": hclk // apb_div(field(c, 11, 3))}


class L4Pwr(StmPwr):
    RESET = {0x00: 0x0000_0200, 0x80: 0x0000_0100}     # SR2.VOSF stays 0: never busy


def install(machine, clock_tree: dict):
    tree = stm32_tree(machine, "RM0432 rev 9, Table 12")
    rcc = L4Rcc(0x4002_1000, tree, clock_tree.get("crystal_hz", 0))
    return tree, [rcc, L4Pwr(0x4000_7000, 0x400),
                  StmFlash(0x4002_2000, tree, acr_reset=0x0000_0600, latency_mask=0xF)]
