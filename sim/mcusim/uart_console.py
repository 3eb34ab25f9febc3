"""The console UART's set-up from the board's [uart] table, for firmware/hal/uart.c.

Real firmware starts its console before the first byte: the UART's bus clock on, the TX pin
handed to the UART, the baud rate, transmitter enabled. The register layout of each UART kind
is fixed (uart.c cites it); what differs per board is data: which RCC bit clocks this USART,
which pin and alternate function carry TX, where the AHB/APB prescalers sit. Those come from
these [uart] keys (docs/boards.md), all optional together (without `baud` there is no set-up):

  baud                          every kind: the console's rate
  stm32-usart-v1/v2:  clock_enable = [RCC register, bit]    the USART's clock enable
                      tx_pin = "PA2", tx_af = 7             pin and alternate function
                      tx_port_enable = [RCC register, bit]  the pin's GPIO port clock enable
                      ahb_prescaler, apb_prescaler = [register, lsb]  HPRE and the PPRE of the
                                                            USART's APB: the firmware derives
                                                            PCLK from the core clock with them
  nrf-uarte:          tx_pin = "P0.06"
  pl011 (RP2040):     tx_pin = "GPIO0", tx_funcsel, resets (RESETS base), reset_bits (the
                      blocks to take out of reset), io_bank (IO_BANK0), pads_bank (PADS_BANK0)

defines(board) turns them into the -D flags uart.c reads (mcusim.firmware.board_defines).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mcusim.errors import BadInput

STM32 = ("stm32-usart-v1", "stm32-usart-v2")
PAIRS = ("clock_enable", "tx_port_enable", "ahb_prescaler", "apb_prescaler")
NEEDS = {"stm32-usart-v1": ("tx_pin", "tx_af") + PAIRS,
         "stm32-usart-v2": ("tx_pin", "tx_af") + PAIRS,
         "nrf-uarte": ("tx_pin",),
         "pl011": ("tx_pin", "tx_funcsel", "resets", "reset_bits", "io_bank", "pads_bank")}
KEYS = ("baud", "tx_pin", "tx_af", "tx_funcsel", "resets", "reset_bits", "io_bank", "pads_bank",
        "init_source") + PAIRS
PIN_FORMS = {"stm32": (r"P([A-P])(\d+)", "PA2"), "nrf-uarte": (r"P(\d)\.(\d+)", "P0.06"),
             "pl011": (r"GPIO(\d+)", "GPIO0")}


def parse(path: Path, raw: dict, kind: str) -> dict[str, Any]:
    """The set-up keys of [uart] (already known to be a table of known keys), checked."""
    if "baud" not in raw:
        extra = [k for k in KEYS if k in raw and k != "init_source"]
        if extra:
            raise BadInput(f"board file {path}: key 'uart.{extra[0]}' needs uart.baud "
                           f"(the console set-up)")
        return {}

    def bad(key: str, what: str):
        return BadInput(f"board file {path}: key 'uart.{key}' must be {what}")

    def integer(key: str, lo: int = 0, hi: int = 0xFFFF_FFFF) -> int:
        v = raw[key]
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise bad(key, f"an integer in {lo}..{hi:#x}")
        return v

    out: dict[str, Any] = {"baud": integer("baud", 1, 20_000_000),
                           "init_source": str(raw.get("init_source", "")),
                           "tx_name": str(raw.get("tx_pin", ""))}
    for key in NEEDS[kind]:
        if key not in raw:
            raise BadInput(f"board file {path}: missing key 'uart.{key}' (the {kind} console "
                           f"set-up needs it with uart.baud)")
    for key in KEYS:
        if key in raw and key not in NEEDS[kind] + ("baud", "init_source"):
            raise BadInput(f"board file {path}: key 'uart.{key}' is not used by a {kind} UART")
    for key in PAIRS:
        if key in raw:
            v = raw[key]
            if (not isinstance(v, list) or len(v) != 2 or any(isinstance(x, bool) or not
                    isinstance(x, int) for x in v) or not 0 <= v[1] <= 31 or v[0] & 3
                    or not 0 < v[0] <= 0xFFFF_FFFC):
                raise bad(key, "[register address, bit 0-31]")
            out[key] = (v[0], v[1])
    pattern, example = PIN_FORMS["stm32" if kind in STM32 else kind]
    m = re.fullmatch(pattern, str(raw["tx_pin"]))
    if m is None:
        raise bad("tx_pin", f"a pin like {example!r}")
    if kind in STM32:
        out["tx_port"], out["tx_pin"] = ord(m[1]) - ord("A"), int(m[2])
        out["tx_af"] = integer("tx_af", 0, 15)
        if out["tx_pin"] > 15:
            raise bad("tx_pin", "a pin 0-15 of its port")
    elif kind == "nrf-uarte":
        out["tx_port"], out["tx_pin"] = int(m[1]), int(m[2])
    else:
        out["tx_pin"] = int(m[1])
        if out["tx_pin"] > 29:
            raise bad("tx_pin", "GPIO0-GPIO29")
        out["tx_funcsel"] = integer("tx_funcsel", 0, 31)
        for key in ("resets", "io_bank", "pads_bank"):
            out[key] = integer(key)
        bits = raw["reset_bits"]
        if (not isinstance(bits, list) or not bits
                or any(isinstance(b, bool) or not isinstance(b, int) or not 0 <= b <= 31
                       for b in bits)):
            raise bad("reset_bits", "a list of bits 0-31")
        out["reset_bits"] = list(bits)
    return out


def check(path: Path, uart: dict, gpio: dict) -> None:
    """The TX pin must be on a port the board's [gpio] describes (its address comes from it)."""
    if "baud" not in uart or uart["kind"] == "pl011":
        return
    want = "stm32" if uart["kind"] in STM32 else "nrf52"
    if gpio.get("kind") != want:
        raise BadInput(f"board file {path}: uart.tx_pin needs a [gpio] table of kind {want} "
                       f"(the pin's port address)")
    ports = gpio["ports"] if want == "stm32" else len(gpio["pins"])
    pins = 16 if want == "stm32" else gpio["pins"][min(uart["tx_port"], ports - 1)]
    if uart["tx_port"] >= ports or uart["tx_pin"] >= pins:
        raise BadInput(f"board file {path}: uart.tx_pin is not a pin of the board's [gpio] ports")


def defines(board) -> list[str]:
    """-D flags for firmware/hal/uart.c's mcusim_uart_init (none without uart.baud)."""
    u = board.uart or {}
    if "baud" not in u:
        return []
    d = {"BAUD": f"{u['baud']}u", "TX_PIN": u["tx_pin"]}
    if u["kind"] in STM32 or u["kind"] == "nrf-uarte":
        d["TX_GPIO"] = f"{board.gpio['base'] + board.gpio['stride'] * u['tx_port']:#x}u"
    if u["kind"] in STM32:
        d["TX_AF"] = u["tx_af"]
        for key, name in (("clock_enable", "CLKEN"), ("tx_port_enable", "PORTEN"),
                          ("ahb_prescaler", "HPRE"), ("apb_prescaler", "PPRE")):
            reg, bit = u[key]
            d[f"{name}_REG"], d[f"{name}_BIT"] = f"{reg:#x}u", bit
    elif u["kind"] == "nrf-uarte":
        d["TX_PORT"] = u["tx_port"]
    else:
        d["TX_FUNCSEL"] = u["tx_funcsel"]
        d["RESETS"], d["IO_BANK"], d["PADS_BANK"] = (f"{u[k]:#x}u" for k in
                                                     ("resets", "io_bank", "pads_bank"))
        d["RESET_MASK"] = f"{sum(1 << b for b in set(u['reset_bits'])):#x}u"
    return [f"-DMCUSIM_UART_{k}={v}" for k, v in d.items()]
