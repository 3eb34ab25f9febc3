"""STM32H743 (board stm32h743): RCC (HSI/CSI/HSE, PLL1, D1CPRE/HPRE), PWR supply and VOS, FLASH_ACR,
from RM0433 rev 7.

RCC at 0x58024400 (RM0433 Table 8), registers in section 8.7:
  RCC_CR 0x00 reset 0x0000_0025 (HSION, HSIRDY, HSIDIVF; HSIDIV = /1: HSI 64 MHz), 8.7.2:
    HSION 0/HSIRDY 2, HSIDIV 4:3 (/2^n), CSION 7/CSIRDY 8, HSI48ON 12/13, D1CKRDY 14 and D2CKRDY
    15 (read 1: the domains run), HSEON 16/HSERDY 17, PLL1ON 24/PLL1RDY 25, PLL2 26/27, PLL3 28/29
  RCC_CFGR 0x10 reset 0: SW 2:0 (HSI, CSI, HSE, PLL1), SWS 5:3, 8.7.7
  RCC_D1CFGR 0x18 reset 0: HPRE 3:0, D1PPRE 6:4, D1CPRE 11:8, 8.7.8; RCC_D2CFGR 0x1C: D2PPRE1
    6:4, D2PPRE2 10:8, 8.7.9; RCC_D3CFGR 0x20: D3PPRE 6:4, 8.7.10
  RCC_PLLCKSELR 0x28 reset 0x0202_0200: PLLSRC 1:0 (HSI, CSI, HSE, none), DIVM1 9:4 (0: off), 8.7.11
  RCC_PLLCFGR 0x2C reset 0x01FF_0000: PLL1FRACEN bit 0, 8.7.12
  RCC_PLL1DIVR 0x30 reset 0x0101_0280: DIVN1 8:0 (N+1), DIVP1 15:9 (P+1), 8.7.13
  RCC_PLL1FRACR 0x34: FRACN1 15:3, 8.7.14; RCC_BDCR 0x70 (LSEON/LSERDY 0/1), RCC_CSR 0x74
    (LSION/LSIRDY 0/1), 8.7.23-24
  pll1_p_ck = input / DIVM1 * (DIVN1 + 1 + FRACN1 / 2^13) / (DIVP1 + 1) (8.5.5); the CPU runs at
  sys_d1cpre_ck = SYSCLK / D1CPRE, the AXI/AHB at HCLK = that / HPRE (8.5.6, Figure 52).
PWR at 0x58024800 (section 6.8): PWR_CR3 0x0C reset 0x0000_0046, SCUEN (bit 2) clears when the
supply configuration is written (6.8.4); PWR_CSR1 0x04: ACTVOSRDY bit 13 (1), ACTVOS 15:14 =
the VOS in force (6.8.3); PWR_D3CR 0x18 reset 0x0000_4000 (VOS = scale 3), VOSRDY bit 13 (6.8.7).
VOS0 is scale 1 with SYSCFG_PWRCR.ODEN (0x5800042C bit 0, section 12.3.10), modelled as storage.
FLASH at 0x52002000: FLASH_ACR reset 0x0000_0037 (LATENCY = 7, WRHIGHFREQ = 3), seen at 0x000 and
0x100 (bank 2 alias), 4.9.1. The board file has no latency table for the H7 (its wait states
depend on the AXI clock and VOS, Table 17), so no latency warning is given.
Not modelled: PLL2/PLL3 outputs, kernel clock muxes (D1CCIPR...), HSE CSS, the CSI/HSI48
calibration, the SMPS supply variants.
"""
from __future__ import annotations

from mcusim.sim.clocktree.base import RegisterBlock, field
from mcusim.sim.clocktree.stm32 import (Oscillator, frac_pll_hz, StmFlash, StmPwr, StmRcc, ahb_div, apb_div,
                                        stm32_tree)

HSI_HZ, CSI_HZ = 64_000_000, 4_000_000     # RM0433 8.5.2 (HSI), 8.5.2 (CSI)


def _pll_input(rcc: "H7Rcc") -> Oscillator | None:
    sel = rcc.regs.get(rcc.PLLCKSELR, 0)
    if field(sel, 4, 6) == 0:                  # DIVM1 = 0: the PLL1 input is switched off
        return None
    return rcc.osc({0: "HSI", 1: "CSI", 2: "HSE"}.get(field(sel, 0, 2), ""))


class H7Rcc(StmRcc):
    CR, CFGR, D1CFGR, D2CFGR, D3CFGR = 0x00, 0x10, 0x18, 0x1C, 0x20
    PLLCKSELR, PLLCFGR, PLL1DIVR, PLL1FRACR = 0x28, 0x2C, 0x30, 0x34
    RESET = {0x00: 0x0000_0025, 0x10: 0, 0x28: 0x0202_0200, 0x2C: 0x01FF_0000,
             0x30: 0x0101_0280, 0x38: 0x0101_0280, 0x40: 0x0101_0280}
    OSCILLATORS = (Oscillator("HSI", 0x00, 0, 2), Oscillator("CSI", 0x00, 7, 8),
                   Oscillator("HSI48", 0x00, 12, 13), Oscillator("HSE", 0x00, 16, 17),
                   Oscillator("PLL1", 0x00, 24, 25, _pll_input),
                   Oscillator("PLL2", 0x00, 26, 27, _pll_input),
                   Oscillator("PLL3", 0x00, 28, 29, _pll_input),
                   Oscillator("LSE", 0x70, 0, 1), Oscillator("LSI", 0x74, 0, 1))
    SW_REG, SW_SHIFT, SW_WIDTH, SWS_SHIFT = 0x10, 0, 3, 3
    SOURCES = {0: "HSI", 1: "CSI", 2: "HSE", 3: "PLL1"}
    STATUS_BITS = {0x00: (1 << 14) | (1 << 15)}          # D1CKRDY, D2CKRDY

    def hsi_hz(self) -> int:
        return HSI_HZ >> field(self.regs.get(self.CR, 0), 3, 2)

    def pll1_hz(self) -> int:
        sel = self.regs.get(self.PLLCKSELR, 0)
        m = field(sel, 4, 6)
        src = {0: self.hsi_hz(), 1: CSI_HZ, 2: self.crystal_hz}.get(field(sel, 0, 2), 0)
        if not m:
            return 0
        d = self.regs.get(self.PLL1DIVR, 0)
        frac = field(self.regs.get(self.PLL1FRACR, 0), 3, 13) \
            if self.regs.get(self.PLLCFGR, 0) & 1 else 0
        return frac_pll_hz(src, m, (field(d, 0, 9), field(d, 9, 7)), frac)

    def source_hz(self, sw: int) -> int:
        return {0: self.hsi_hz(), 1: CSI_HZ, 2: self.crystal_hz, 3: self.pll1_hz()}.get(sw, 0)

    def derive(self, sysclk: int):
        d1 = self.regs.get(self.D1CFGR, 0)
        cpu = sysclk // ahb_div(field(d1, 8, 4))
        hclk = cpu // ahb_div(field(d1, 0, 4))
        d2, d3 = self.regs.get(self.D2CFGR, 0), self.regs.get(self.D3CFGR, 0)
        return cpu, hclk, {"pclk3": hclk // apb_div(field(d1, 4, 3)),
                           "pclk1": hclk // apb_div(field(d2, 4, 3)),
                           "pclk2": hclk // apb_div(field(d2, 8, 3)),
                           "pclk4": hclk // apb_div(field(d3, 4, 3))}


class H7Pwr(StmPwr):
    CR3, CSR1, D3CR = 0x0C, 0x04, 0x18
    RESET = {0x0C: 0x0000_0046, 0x18: 0x0000_4000}
    ALWAYS = {0x18: 1 << 13}                              # D3CR.VOSRDY

    def load(self, off: int) -> int:
        if off == self.CSR1:                              # ACTVOSRDY, ACTVOS = VOS
            return (1 << 13) | (self.regs.get(self.D3CR, 0) & (3 << 14))
        return super().load(off)

    def store(self, off: int, value: int) -> None:
        if off == self.CR3:
            value &= ~(1 << 2)                            # SCUEN: written once after reset
        elif off == self.CSR1:
            return                                        # read-only status
        super().store(off, value)


class H7SyscfgPwrcr(RegisterBlock):
    """SYSCFG_PWRCR (ODEN: VOS0 with D3CR.VOS = scale 1), RM0433 12.3.10: storage."""
    name = "syscfg-pwrcr"


def install(machine, clock_tree: dict):
    tree = stm32_tree(machine, "RM0433 rev 7, Table 17")
    rcc = H7Rcc(0x5802_4400, tree, clock_tree.get("crystal_hz", 0))
    return tree, [rcc, H7Pwr(0x5802_4800, 0x400), H7SyscfgPwrcr(0x5800_042C, 4),
                  StmFlash(0x5200_2000, tree, acr_reset=0x0000_0037, latency_mask=0xF,
                           acr_offsets=(0x000, 0x100))]
