"""RP2040 IO_BANK0 and PADS_BANK0 (mcusim.sim.rp2040_io): reset values, read-back, the atomic
aliases, FUNCSEL deciding whether SIO drives a pin, and the exported kit's UART set-up under
--strict-peripherals.

Expected values from the RP2040 datasheet (build 2023-03-02), not from the code:
  2.19.6.1 IO_BANK0: GPIOn_CTRL reset 0x0000_001F (FUNCSEL 0x1F = null), writable fields FUNCSEL
           4:0, OUTOVER 9:8, OEOVER 13:12, INOVER 17:16, IRQOVER 29:28; GPIOn_STATUS read-only,
           OUTTOPAD bit 9, OETOPAD bit 13.
  2.19.6.3 PADS_BANK0: VOLTAGE_SELECT reset 0, GPIOn reset 0x56, SWCLK 0xDA, SWD 0x5A.
  2.1.2    aliases: +0x1000 XOR, +0x2000 set, +0x3000 clear; 2.1.4: a byte write is replicated.
  2.19.2   FUNCSEL 5 = SIO, 2 on GPIO0 = UART0 TX.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from mcusim.cli import main
from mcusim.sim.gpio import Rp2040Sio
from mcusim.sim.rp2040_io import IoBank0, PadsBank0, Rp2040Pins
from mcusim.sim.signals import Signals
from test_uart_console import build_kit_app

IO, PADS, SIO = 0x4001_4000, 0x4001_C000, 0xD000_0000
XOR, SET, CLR = 0x1000, 0x2000, 0x3000
OE_SET, OUT_SET, OUT_XOR = 0x24, 0x14, 0x1C        # SIO (2.3.1.7)


def _chip():
    io, pads = IoBank0(IO), PadsBank0(PADS)
    sio = Rp2040Sio(SIO, Signals(lambda: 0), None, Rp2040Pins(io, pads))
    return io, pads, sio


def test_reset_values():
    io, pads, _ = _chip()
    for n in (0, 25, 29):
        assert io.read(4 + 8 * n, 4) == 0x1F
        assert io.read(8 * n, 4) == 0                 # STATUS: nothing driven
        assert pads.read(4 + 4 * n, 4) == 0x56
    assert pads.read(0x0, 4) == 0
    assert pads.read(0x7C, 4) == 0xDA and pads.read(0x80, 4) == 0x5A


def test_funcsel_and_pad_read_back_and_read_only_status():
    io, pads, _ = _chip()
    io.write(4 + 8 * 3, 4, 0xFFFF_FFFF)
    assert io.read(4 + 8 * 3, 4) == 0x3003_331F         # only the fields stick
    io.write(4 + 8 * 3, 4, 0x0000_3302)                 # OEOVER 3, OUTOVER 3, FUNCSEL UART
    assert io.read(4 + 8 * 3, 4) == 0x3302
    io.write(8 * 3, 4, 0xFFFF_FFFF)
    assert io.read(8 * 3, 4) & 0x2200 == 0x2200         # OUTTOPAD, OETOPAD: forced high
    pads.write(4 + 4 * 3, 4, 0x1234_5687)
    assert pads.read(4 + 4 * 3, 4) == 0x87
    pads.write(0x0, 4, 0xFFFF_FFFF)
    assert pads.read(0x0, 4) == 1                       # VOLTAGE_SELECT: 1.8 V
    pads.write(0x84, 4, 0xFF)                           # past SWD: reserved
    assert pads.read(0x84, 4) == 0


def test_atomic_aliases_and_byte_writes():
    io, pads, _ = _chip()
    pads.write(4 + XOR, 4, 0xC0)                        # OD on, IE off
    assert pads.read(4, 4) == 0x96
    pads.write(4 + SET, 4, 0x01)
    assert pads.read(4 + CLR, 4) == 0x97                # an alias reads the register
    pads.write(4 + CLR, 4, 0x04)
    assert pads.read(4, 4) == 0x93
    io.write(4 + CLR, 4, 0x1F)
    io.write(4 + SET, 4, 0x05)
    assert io.read(4, 4) == 5
    io.write(4 + 8 * 1, 1, 0x12)                        # replicated: 0x12121212 & fields
    assert io.read(4 + 8 * 1, 4) == 0x1212_1212 & 0x3003_331F


def test_sio_drives_only_pins_whose_funcsel_is_sio():
    io, pads, sio = _chip()
    sio.write(OE_SET, 4, (1 << 25) | 1)
    sio.write(OUT_SET, 4, (1 << 25) | 1)
    levels = sio.levels()
    assert levels[25] == "0" and levels[0] == "0"        # null function: the pad's pull-down
    io.write(4 + 8 * 25, 4, 5)                           # GPIO25 to SIO
    io.write(4 + 8 * 0, 4, 2)                            # GPIO0 to UART0 TX
    assert sio.levels()[25] == "1" and sio.read(0x4, 4) >> 25 & 1
    assert sio.levels()[0] == "x"                        # driven by the UART, not SIO
    sio.write(OUT_XOR, 4, (1 << 25) | 1)
    assert sio.levels()[25] == "0" and sio.levels()[0] == "x"
    assert io.read(8 * 25, 4) & 0x3300 == 0x3000         # OE from SIO and to the pad, out 0
    io.write(4 + 8 * 25 + SET, 4, 3 << 8)                # OUTOVER: drive high
    assert sio.levels()[25] == "1"
    pads.write(4 + 4 * 25 + SET, 4, 0x80)                # OD: the driver off, pull-down wins
    assert sio.levels()[25] == "0"


def test_kit_uart_hello_under_strict_peripherals(tmp_path, capsys):
    elf = build_kit_app(tmp_path, "rp2040")
    code = main(["run", str(elf), "--board", "rp2040", "--strict-peripherals", "-q"])
    out, err = capsys.readouterr()
    assert code == 3 and "hello 42\n" in out, err


SIO_APP = r'''#include <stdint.h>
#include <stdio.h>
#define R(a) (*(volatile uint32_t *)(a))
int main(void)
{
    R(0x40014004u + 8u * 25u) = 5u;           /* GPIO25 to SIO; GPIO0 stays UART0 TX */
    R(0xD0000024u) = 1u << 25 | 1u;           /* GPIO_OE_SET */
    for (int i = 0; i < 4; i++) {
        R(0xD000001Cu) = 1u << 25 | 1u;       /* GPIO_OUT_XOR */
        for (volatile int d = 0; d < 10; d++) {  /* apart in time: a waveform edge each */
        }
    }
    printf("ctrl0 %lx\n", (unsigned long)(R(0x40014004u) & 0x1Fu));
    return 0;
}
'''


def test_uart_pin_ignores_sio_in_the_waveform(tmp_path, capsys):
    vcdvcd = pytest.importorskip("vcdvcd")
    elf = build_kit_app(tmp_path, "rp2040", SIO_APP)
    vcd = tmp_path / "w.vcd"
    assert main(["run", str(elf), "--board", "rp2040", "--strict-peripherals", "-q",
                 "--vcd", str(vcd)]) == 0
    assert "ctrl0 2\n" in capsys.readouterr().out
    w = vcdvcd.VCDVCD(str(vcd))

    def levels(name):
        ref = next(r for r in w.references_to_ids if r.split(".")[-1] == name)
        return [v for _, v in w[ref].tv]
    assert levels("GPIO25")[-4:] == ["1", "0", "1", "0"]
    assert levels("GPIO0") == ["0", "x"]                 # pull-down at reset, then the UART's


def test_board_with_io_bank_but_no_pads_bank_is_refused(tmp_path):
    from mcusim.boards import load_board
    from mcusim.errors import BadInput
    src = (Path(__file__).parents[1] / "boards" / "rp2040.toml").read_text()
    board = tmp_path / "rp.toml"
    board.write_text(src.replace("pads_bank = 0x4001_C000         # PADS_BANK0 (VOLTAGE", "# (", 1))
    with pytest.raises(BadInput, match="missing key 'gpio.pads_bank'"):
        load_board(str(board))
