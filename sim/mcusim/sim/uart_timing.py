"""A UART transmitter that takes as long as the wire: --uart-timing.

Without the option a written byte is gone at once (status flags always say ready). With it, as
on silicon, a byte waits in the holding register (or FIFO) while the shift register sends the
previous one; each frame (start bit, data bits, parity, stop bits) lasts frame_bits / baud.
The frame's end is an event on machine.events; status flags read from this state. The byte
reaches the console when it is written, so output order never depends on the option.
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING, Callable

from mcusim.sim.timers import _Scheduled

if TYPE_CHECKING:
    from mcusim.sim.machine import Machine


class TxLine:
    def __init__(self, machine: "Machine", name: str, depth: Callable[[], int],
                 frame_seconds: Callable[[], Fraction | None],
                 sent: Callable[[], None] = lambda: None):
        self.machine, self.name = machine, name
        self.depth, self.frame_seconds, self.sent = depth, frame_seconds, sent
        self.waiting = 0            # bytes queued behind the shift register
        self.busy = False           # the shift register is sending a frame
        self.next = _Scheduled(machine, self._done)

    @property
    def timed(self) -> bool:
        return bool(getattr(self.machine, "uart_timing", False))

    def push(self) -> None:
        """A byte was written to the data register."""
        if not self.timed:
            self.sent()
            return
        self.next.catch_up()
        if self.busy:
            self.waiting = min(self.waiting + 1, max(1, self.depth()))   # a full FIFO overruns
        else:
            self._start(self.machine.now())

    def _start(self, t: int) -> None:
        seconds = self.frame_seconds()
        if seconds is None:
            self.machine.warn(f"--uart-timing: {self.name} has no baud rate set (its divider "
                              f"is 0); its bytes are sent instantly")
            self.sent()
            return
        self.busy = True
        self.next.set(t + max(1, math.ceil(seconds * self.machine.clock.hz)))

    def _done(self) -> None:
        end = self.next.tick
        self.busy = False
        self.sent()
        if self.waiting:
            self.waiting -= 1
            self._start(end)       # back to back: the next frame starts where this one ended

    # what status registers report
    def sync(self) -> None:
        self.next.catch_up()

    def holding_empty(self) -> bool:
        return not self.timed or self.waiting == 0

    def full(self) -> bool:
        return self.timed and self.busy and self.waiting >= max(1, self.depth())

    def idle(self) -> bool:
        return not self.timed or (not self.busy and self.waiting == 0)


STOP_BITS = {0: Fraction(1), 1: Fraction(1, 2), 2: Fraction(2), 3: Fraction(3, 2)}


def stm32_frame(machine: "Machine", regs: dict[int, int], v2: bool) -> Fraction | None:
    """Seconds per frame of an STM32 USART from CR1 (M/M1/M0, OVER8), CR2.STOP, BRR and (v2)
    PRESC: RM0090 30.3.4 (fractional baud rate, USARTDIV), 30.6.3-30.6.5; RM0432 50.5.7 and
    50.8.1-50.8.12 (USART_PRESC; a reserved 0 on families without it divides by 1)."""
    from mcusim.sim.timers import bus_clock_hz
    cr1, cr2, brr = ((regs.get(0x00, 0), regs.get(0x04, 0), regs.get(0x0C, 0)) if v2 else
                     (regs.get(0x0C, 0), regs.get(0x10, 0), regs.get(0x08, 0)))
    brr &= 0xFFFF
    if brr == 0:
        return None
    fck = Fraction(bus_clock_hz(machine, "apb"))
    if v2:
        presc = regs.get(0x2C, 0) & 0xF
        fck /= (1, 2, 4, 6, 8, 10, 12, 16, 32, 64, 128, 256)[min(presc, 11)]
    over8 = cr1 >> 15 & 1
    if not over8:
        baud = fck / brr                                   # USARTDIV = BRR / 16
    elif v2:
        baud = 2 * fck / ((brr & 0xFFF0) | ((brr & 7) << 1))
    else:
        baud = fck / (8 * (brr >> 4) + (brr & 7))
    if v2:
        data = {0: 8, 1: 9, 2: 7}.get((cr1 >> 27 & 2) | (cr1 >> 12 & 1), 8)
    else:
        data = 9 if cr1 >> 12 & 1 else 8
    return (1 + data + STOP_BITS[cr2 >> 12 & 3]) / baud


def pl011_frame(machine: "Machine", regs: dict[int, int]) -> Fraction | None:
    """PL011 (RP2040 datasheet 4.2.3.2 / 4.2.8): baud = UARTCLK / (16 x (IBRD + FBRD/64));
    LCR_H: WLEN (5-8 data bits), PEN (a parity bit), STP2 (two stop bits)."""
    from mcusim.sim.timers import bus_clock_hz
    ibrd, fbrd, lcr = regs.get(0x24, 0) & 0xFFFF, regs.get(0x28, 0) & 0x3F, regs.get(0x2C, 0)
    if ibrd == 0:
        return None
    baud = Fraction(bus_clock_hz(machine, "peri") * 4, 64 * ibrd + fbrd)
    bits = 1 + (5 + (lcr >> 5 & 3)) + (lcr >> 1 & 1) + (2 if lcr >> 3 & 1 else 1)
    return bits / baud


def nrf_frame(regs: dict[int, int]) -> Fraction:
    """nRF52 UART/UARTE: BAUDRATE (reset 0x04000000, 250 kbaud) is the rate x 2^32 / 16 MHz
    (PS v1.7 6.33.9 / 6.34.10, BAUDRATE); CONFIG.PARITY adds a bit, CONFIG.STOP a second stop
    bit (6.34.10, CONFIG)."""
    baud = Fraction(regs.get(0x524, 0x0400_0000) * 16_000_000, 1 << 32)
    cfg = regs.get(0x56C, 0)
    bits = 1 + 8 + (1 if cfg >> 1 & 7 == 7 else 0) + (2 if cfg >> 4 & 1 else 1)
    return bits / baud if baud else None
