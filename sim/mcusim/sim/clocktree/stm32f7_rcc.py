"""STM32F74x/75x (board stm32f746): RCC, PWR with over-drive, FLASH_ACR, from RM0385 rev 8.

The RCC has the F4's layout (RM0385 5.3): RCC_CR 0x00 reset 0x0000_XX83 (5.3.1), RCC_PLLCFGR
0x04 reset 0x2400_3010 (5.3.2), RCC_CFGR 0x08 reset 0 (5.3.3), RCC_BDCR 0x70 (5.3.21), RCC_CSR
0x74 reset 0x0E00_0000 (5.3.22), RCC_PLLI2SCFGR 0x84 and RCC_PLLSAICFGR 0x88 reset 0x2400_3000
(5.3.24, 5.3.25); PLLSAION/PLLSAIRDY are RCC_CR bits 28/29. Same SYSCLK/HCLK formulas (5.2).
PWR at 0x40007000: PWR_CR1 reset 0x0000_C000 (VOS = scale 1), ODEN bit 16, ODSWEN bit 17
(4.4.1); PWR_CSR1: VOSRDY bit 14, ODRDY bit 16, ODSWRDY bit 17 (4.4.2). Over-drive (required
above 180 MHz, DS10916 Table 17) is ready as soon as it is requested.
FLASH at 0x40023C00: FLASH_ACR reset 0, LATENCY[3:0] (3.7.1).
"""
from __future__ import annotations

from mcusim.sim.clocktree.stm32 import Oscillator, StmFlash, StmPwr, stm32_tree
from mcusim.sim.clocktree.stm32f4_rcc import F4Rcc, _pll_input


class F7Rcc(F4Rcc):
    RESET = {**F4Rcc.RESET, 0x84: 0x2400_3000, 0x88: 0x2400_3000}
    OSCILLATORS = (*F4Rcc.OSCILLATORS, Oscillator("PLLSAI", 0x00, 28, 29, _pll_input))


class F7Pwr(StmPwr):
    RESET = {0x00: 0x0000_C000}
    ALWAYS = {0x04: 1 << 14}                            # VOSRDY
    FOLLOW = {(0x00, 16): (0x04, 16), (0x00, 17): (0x04, 17)}   # ODEN->ODRDY, ODSWEN->ODSWRDY


def install(machine, clock_tree: dict):
    tree = stm32_tree(machine, "RM0385 rev 8, Table 5")
    rcc = F7Rcc(0x4002_3800, tree, clock_tree.get("crystal_hz", 0))
    return tree, [rcc, F7Pwr(0x4000_7000, 0x400),
                  StmFlash(0x4002_3C00, tree, acr_reset=0, latency_mask=0xF)]
