"""STM32G0B1 (board stm32g0b1): RCC, PWR and FLASH_ACR, from RM0444 rev 5.

RCC at 0x40021000 (RM0444 Table 6), registers in section 5.4:
  RCC_CR 0x00 reset 0x0000_0500 (HSION, HSIRDY, HSIDIV = /1: HSISYS 16 MHz), 5.4.1: HSION 8/
    HSIRDY 10, HSIDIV 13:11 (/2^n), HSEON 16/HSERDY 17, HSI48ON 22/HSI48RDY 23, PLLON 24/PLLRDY 25
  RCC_CFGR 0x08 reset 0: SW 2:0 (HSISYS, HSE, PLLRCLK, LSI, LSE), SWS 5:3, HPRE 11:8,
    PPRE 14:12, 5.4.3
  RCC_PLLCFGR 0x0C reset 0x0000_1000: PLLSRC 1:0 (none, -, HSI16, HSE), PLLM 6:4 (/M+1),
    PLLN 14:8, PLLR 31:29 (/R+1), 5.4.4; PLLRCLK = input / M * N / R (5.2.4)
  RCC_BDCR 0x5C (LSEON/LSERDY 0/1), 5.4.21; RCC_CSR 0x60 (LSION/LSIRDY 0/1), 5.4.22
PWR at 0x40007000: PWR_CR1 reset 0x0000_0208 (VOS = range 1), 4.4.1; PWR_SR2.VOSF (bit 10)
reads 0, 4.4.6.
FLASH at 0x40022000: FLASH_ACR reset 0x0004_0600 (LATENCY[2:0] 0, ICEN, PRFTEN off), 3.7.1.
"""
from __future__ import annotations

from mcusim.sim.clocktree.base import field
from mcusim.sim.clocktree.stm32 import (Oscillator, StmFlash, StmPwr, StmRcc, ahb_div, apb_div,
                                        stm32_tree)

HSI_HZ = 16_000_000          # RM0444 5.2.2
LSI_HZ, LSE_HZ = 32_000, 32_768


def _pll_input(rcc: "G0Rcc") -> Oscillator | None:
    src = field(rcc.regs.get(rcc.PLLCFGR, 0), 0, 2)
    return rcc.osc({2: "HSI", 3: "HSE"}.get(src, ""))


class G0Rcc(StmRcc):
    CR, CFGR, PLLCFGR = 0x00, 0x08, 0x0C
    RESET = {0x00: 0x0000_0500, 0x08: 0, 0x0C: 0x0000_1000}
    OSCILLATORS = (Oscillator("HSI", 0x00, 8, 10), Oscillator("HSE", 0x00, 16, 17),
                   Oscillator("HSI48", 0x00, 22, 23), Oscillator("PLL", 0x00, 24, 25, _pll_input),
                   Oscillator("LSE", 0x5C, 0, 1), Oscillator("LSI", 0x60, 0, 1))
    SW_REG, SW_SHIFT, SW_WIDTH, SWS_SHIFT = 0x08, 0, 3, 3
    SOURCES = {0: "HSI", 1: "HSE", 2: "PLL", 3: "LSI", 4: "LSE"}

    def pll_hz(self) -> int:
        c = self.regs.get(self.PLLCFGR, 0)
        m, n, r = field(c, 4, 3) + 1, field(c, 8, 7), field(c, 29, 3) + 1
        src = {2: HSI_HZ, 3: self.crystal_hz}.get(field(c, 0, 2), 0)
        return src * n // (m * r)

    def source_hz(self, sw: int) -> int:
        hsisys = HSI_HZ >> field(self.regs.get(self.CR, 0), 11, 3)
        return {0: hsisys, 1: self.crystal_hz, 2: self.pll_hz(), 3: LSI_HZ, 4: LSE_HZ}.get(sw, 0)

    def derive(self, sysclk: int):
        c = self.regs.get(self.CFGR, 0)
        hclk = sysclk // ahb_div(field(c, 8, 4))
        return hclk, hclk, {"pclk": hclk // apb_div(field(c, 12, 3))}


class G0Pwr(StmPwr):
    RESET = {0x00: 0x0000_0208}


def install(machine, clock_tree: dict):
    tree = stm32_tree(machine, "RM0444 rev 5, Table 24")
    rcc = G0Rcc(0x4002_1000, tree, clock_tree.get("crystal_hz", 0))
    return tree, [rcc, G0Pwr(0x4000_7000, 0x400),
                  StmFlash(0x4002_2000, tree, acr_reset=0x0004_0600, latency_mask=0x7)]
