"""STM32F405/407 (board stm32f4): RCC, PWR and FLASH_ACR, from RM0090 rev 19.

RCC at 0x40023800 (RM0090 2.3, Table 1), registers in section 7.3:
  RCC_CR 0x00 reset 0x0000_XX83 (HSION, HSIRDY, HSITRIM=16; HSICAL reads 0 here), 7.3.1
  RCC_PLLCFGR 0x04 reset 0x2400_3010 (PLLM=16, PLLN=192, PLLP=/2, PLLSRC=HSI, PLLQ=4), 7.3.2
  RCC_CFGR 0x08 reset 0 (SW/SWS = HSI), 7.3.3; RCC_AHB1ENR 0x30 reset 0x0010_0000, 7.3.10
  RCC_BDCR 0x70 (LSEON/LSERDY), 7.3.20; RCC_CSR 0x74 reset 0x0E00_0000 (LSION/LSIRDY), 7.3.21
  RCC_PLLI2SCFGR 0x84 reset 0x2000_3000, 7.3.23
SYSCLK = HSI 16 MHz | HSE | PLL = input / PLLM * PLLN / PLLP (7.2.2, Figure 21); HCLK = SYSCLK /
HPRE, PCLK1 = HCLK / PPRE1, PCLK2 = HCLK / PPRE2 (7.3.3).
PWR at 0x40007000: PWR_CR reset 0x0000_4000 (VOS=1, scale 1), 5.4.1; PWR_CSR.VOSRDY (bit 14), 5.4.2.
FLASH at 0x40023C00: FLASH_ACR reset 0 (LATENCY[2:0] = 0 WS at 16 MHz), 3.9.1.
"""
from __future__ import annotations

from mcusim.sim.clocktree.base import field
from mcusim.sim.clocktree.stm32 import (Oscillator, StmFlash, StmPwr, StmRcc, ahb_div, apb_div,
                                        stm32_tree)

HSI_HZ = 16_000_000           # RM0090 7.2.2 (HSI clock): 16 MHz RC oscillator


def _pll_input(rcc: "F4Rcc") -> Oscillator | None:
    return rcc.osc("HSE" if rcc.regs.get(rcc.PLLCFGR, 0) >> 22 & 1 else "HSI")


class F4Rcc(StmRcc):
    CR, PLLCFGR, CFGR = 0x00, 0x04, 0x08
    RESET = {0x00: 0x0000_0083, 0x04: 0x2400_3010, 0x08: 0, 0x30: 0x0010_0000, 0x74: 0x0E00_0000,
             0x84: 0x2000_3000}
    OSCILLATORS = (Oscillator("HSI", 0x00, 0, 1), Oscillator("HSE", 0x00, 16, 17),
                   Oscillator("PLL", 0x00, 24, 25, _pll_input),
                   Oscillator("PLLI2S", 0x00, 26, 27, _pll_input),
                   Oscillator("LSE", 0x70, 0, 1), Oscillator("LSI", 0x74, 0, 1))
    SW_REG, SW_SHIFT, SW_WIDTH, SWS_SHIFT = 0x08, 0, 2, 2
    SOURCES = {0: "HSI", 1: "HSE", 2: "PLL"}
    HSI_HZ = HSI_HZ

    def pll_hz(self) -> int:
        c = self.regs.get(self.PLLCFGR, 0)
        m, n, p = field(c, 0, 6), field(c, 6, 9), 2 * (field(c, 16, 2) + 1)
        src = self.crystal_hz if c >> 22 & 1 else self.HSI_HZ
        return src * n // (m * p) if m else 0

    def source_hz(self, sw: int) -> int:
        return {0: self.HSI_HZ, 1: self.crystal_hz, 2: self.pll_hz()}.get(sw, 0)

    def derive(self, sysclk: int):
        c = self.regs.get(self.CFGR, 0)
        hclk = sysclk // ahb_div(field(c, 4, 4))
        return hclk, hclk, {"pclk1": hclk // apb_div(field(c, 10, 3)),
                            "pclk2": hclk // apb_div(field(c, 13, 3))}


class F4Pwr(StmPwr):
    RESET = {0x00: 0x0000_4000}
    ALWAYS = {0x04: 1 << 14}          # VOSRDY: the regulator is at the selected scale at once


def install(machine, clock_tree: dict):
    tree = stm32_tree(machine, "RM0090 rev 19, Table 10")
    rcc = F4Rcc(0x4002_3800, tree, clock_tree.get("crystal_hz", 0))
    return tree, [rcc, F4Pwr(0x4000_7000, 0x400),
                  StmFlash(0x4002_3C00, tree, acr_reset=0, latency_mask=0x7)]
