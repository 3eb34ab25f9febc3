"""The clock tree of each board family: the clock controller, power and flash-interface
registers vendor start-up code touches (CMSIS SystemInit/SystemCoreClockUpdate, ST HAL
RCC/PWR/FLASH set-up, pico-sdk clocks_init, nRF52 HFCLK start), and the core clock that follows
what the firmware configures.

`install(machine)` adds the board's devices to the machine's bus (explicit devices: they take
precedence over the SVD register file) and returns the `ClockTree` (also `machine.clock_tree`,
whose `clocks` dict gives SYSCLK/HCLK/PCLKx for timers and UARTs), or None for a board whose
file names no `[clock_tree]`. One module per family; docs/simulator.md "Clock tree".
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from mcusim.sim.clocktree.base import ClockTree

if TYPE_CHECKING:
    from mcusim.sim.machine import Machine

# [clock_tree] kind in a board file -> module of this package.
KINDS = {
    "stm32f4": "stm32f4_rcc", "stm32f7": "stm32f7_rcc", "stm32h7": "stm32h7_rcc",
    "stm32l4": "stm32l4_rcc", "stm32g0": "stm32g0_rcc", "stm32u5": "stm32u5_rcc",
    "nrf52": "nrf52_clock", "rp2040": "rp2040_clocks",
}


def install(machine: "Machine") -> ClockTree | None:
    spec = machine.board.clock_tree
    if not spec:
        return None
    module = importlib.import_module(f"mcusim.sim.clocktree.{KINDS[spec['kind']]}")
    tree, devices = module.install(machine, spec)
    for dev in devices:
        machine.bus.add(dev)
    machine.clock_tree = tree
    return tree
