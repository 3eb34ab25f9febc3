"""The console UART's set-up (firmware/hal/uart.c from each board's [uart] keys, started by the
start-up in builds that print through the UART): an exported kit's SEMIHOSTING=0 firmware prints
on every board with the UART clocked, its TX pin given to it, the baud rate set and the
transmitter on, read back from the simulated registers after the run; --uart-timing has nothing
to warn about."""
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import skip_without_profile
from mcusim.api import RunOptions
from mcusim.boards import list_boards, load_board
from mcusim.cli import main
from mcusim.errors import BadInput
from mcusim.sim.runner import run_elf
from mcusim.sim.timers import bus_clock_hz

APP = '#include <stdio.h>\nint main(void) { printf("hello %d\\n", 42); return 3; }\n'


def build_kit_app(tmp_path: Path, board: str, app: str = APP) -> Path:
    if not (shutil.which("make") and shutil.which("arm-none-eabi-gcc")):
        pytest.skip("make or arm-none-eabi-gcc not installed")
    kit = tmp_path / board
    assert main(["boards", board, "--export", str(kit)]) == 0
    (kit / "app.c").write_text(app)
    proc = subprocess.run(["make", "-s", "-C", str(kit), "APP=app", "SEMIHOSTING=0"],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr      # -Wall clean
    return kit / "app.elf"


def run_and_read(elf: Path, board: str, addrs: dict[str, int], **kw):
    """Run with --uart-timing; the registers at `addrs` after the run, and the APB (or clk_peri)
    clock the simulator's clock tree gives the UART."""
    regs: dict[str, int] = {}

    def teardown(m):
        for name, addr in addrs.items():
            regs[name] = m.bus.debug_access(addr, 4)
        regs["uart_clock"] = bus_clock_hz(m, "peri" if m.board.uart["kind"] == "pl011" else "apb")

    r = run_elf(elf, load_board(board), RunOptions(echo_stdout=False, uart_timing=True, **kw),
                teardown=teardown)
    return r, regs


def stm32_addrs(u: dict, gpio: dict) -> dict[str, int]:
    v1 = u["kind"] == "stm32-usart-v1"
    port = gpio["base"] + gpio["stride"] * u["tx_port"]
    return {"cr1": u["base"] + (0x0C if v1 else 0x00), "brr": u["base"] + (0x08 if v1 else 0x0C),
            "status": u["base"] + u["status_offset"], "clken": u["clock_enable"][0],
            "porten": u["tx_port_enable"][0], "moder": port,
            "afr": port + 0x20 + 4 * (u["tx_pin"] >> 3)}


@pytest.mark.parametrize("board", sorted(list_boards()))
def test_kit_console_is_set_up_on_every_board(tmp_path, board):
    skip_without_profile(board)
    b = load_board(board)
    u = b.uart
    if u["kind"].startswith("stm32"):
        addrs = stm32_addrs(u, b.gpio)
    elif u["kind"] == "nrf-uarte":
        p0 = b.gpio["base"] + b.gpio["stride"] * u["tx_port"]
        addrs = {"enable": u["base"] + 0x500, "baudrate": u["base"] + 0x524,
                 "psel_txd": u["base"] + 0x50C, "out": p0 + 0x504, "dir": p0 + 0x514}
    else:
        addrs = {"ibrd": u["base"] + 0x24, "fbrd": u["base"] + 0x28, "lcr_h": u["base"] + 0x2C,
                 "cr": u["base"] + 0x30, "reset_done": u["resets"] + 0x8,
                 "ctrl": u["io_bank"] + 4 + 8 * u["tx_pin"],
                 "pad": u["pads_bank"] + 4 + 4 * u["tx_pin"]}
    r, regs = run_and_read(build_kit_app(tmp_path, board), board, addrs)
    assert r.stdout == "hello 42\n" and r.exit_code == 3 and r.stop.reason == "exit"
    assert not [w for w in r.warnings if "uart" in w.lower()], r.warnings
    if u["kind"].startswith("stm32"):
        v1 = u["kind"] == "stm32-usart-v1"
        assert regs["cr1"] & (1 << (13 if v1 else 0)) and regs["cr1"] & (1 << 3)      # UE, TE
        # BRR = USARTDIV: the rate the simulator's own PCLK gives must be the board's baud
        assert regs["brr"] and abs(regs["uart_clock"] / regs["brr"] / u["baud"] - 1) < 0.01
        if not v1:
            assert regs["status"] >> 21 & 1                                          # TEACK
        assert regs["clken"] >> u["clock_enable"][1] & 1
        assert regs["porten"] >> u["tx_port_enable"][1] & 1
        assert regs["moder"] >> 2 * u["tx_pin"] & 3 == 2                            # AF mode
        assert regs["afr"] >> 4 * (u["tx_pin"] & 7) & 0xF == u["tx_af"]
    elif u["kind"] == "nrf-uarte":
        assert regs["enable"] == 4 and regs["psel_txd"] == u["tx_pin"] | u["tx_port"] << 5
        assert regs["baudrate"] == 0x01D7_E000            # PS v1.7 6.33.9: Baud115200
        assert regs["out"] >> u["tx_pin"] & 1 and regs["dir"] >> u["tx_pin"] & 1
    else:
        baud = regs["uart_clock"] * 4 / (64 * regs["ibrd"] + regs["fbrd"])   # datasheet 4.2.3.2
        assert abs(baud / u["baud"] - 1) < 0.01
        assert regs["lcr_h"] >> 5 & 3 == 3 and regs["cr"] & 0x101 == 0x101   # 8 bits; UARTEN, TXE
        mask = sum(1 << bit for bit in u["reset_bits"])
        assert regs["reset_done"] & mask == mask
        assert regs["ctrl"] & 0x1F == u["tx_funcsel"] and not regs["pad"] >> 7 & 1


def test_kit_console_timed_and_deterministic(tmp_path):
    """The bytes now take their frame time at 115200 baud (8N1: 10 bits): printf's 9 bytes fill
    the holding and shift registers, so the run lasts at least 7 frame times; and twice the
    same ELF gives the same cycles."""
    elf = build_kit_app(tmp_path, "stm32f4")
    (a, _), (b, _) = (run_and_read(elf, "stm32f4", {}) for _ in range(2))
    assert a.cycles == b.cycles and a.stdout == b.stdout == "hello 42\n"
    assert a.cycles >= 7 * 10 / 115_200 * 168e6


def test_own_console_init_replaces_the_boards(tmp_path):
    """mcusim_console_init is weak: firmware's own runs instead (here at 9600 baud through
    mcusim_uart_init); one that sets nothing leaves the USART without a baud rate, which
    --uart-timing reports (so the test above would see a missing set-up)."""
    own = ('#include <stdio.h>\n#include "uart.h"\n'
           'void mcusim_console_init(void) { %s }\n'
           'int main(void) { printf("hi\\n"); return 0; }\n')
    b = load_board("stm32f4")
    addrs = stm32_addrs(b.uart, b.gpio)
    elf = build_kit_app(tmp_path / "slow", "stm32f4",
                        own % "mcusim_uart_init(mcusim_uart_clock_hz(), 9600);")
    r, regs = run_and_read(elf, "stm32f4", addrs)
    assert r.stdout == "hi\n" and not r.warnings
    assert abs(regs["uart_clock"] / regs["brr"] / 9600 - 1) < 0.01
    r, regs = run_and_read(build_kit_app(tmp_path / "none", "stm32f4", own % ""), "stm32f4", addrs)
    assert r.stdout == "hi\n" and regs["brr"] == 0
    assert any("no baud rate set" in w for w in r.warnings), r.warnings


BOARD = """name = "x"
core = "cortex-m4"
profile = "cortex-m4"
clock_hz = 16_000_000
boot_address = 0x0800_0000
[[memory]]
name = "flash"
kind = "flash"
base = 0x0800_0000
size = 0x1_0000
[[memory]]
name = "sram"
kind = "ram"
base = 0x2000_0000
size = 0x2_0000
[power]
voltage_v = 3.3
run_ua_per_mhz = 100
[gpio]
kind = "stm32"
base = 0x4002_0000
ports = 2
stride = 0x400
[uart]
kind = "stm32-usart-v1"
base = 0x4000_4400
status_offset = 0
data_offset = 4
baud = 115_200
clock_enable = [0x4002_3840, 17]
tx_pin = "PA2"
tx_af = 7
tx_port_enable = [0x4002_3830, 0]
ahb_prescaler = [0x4002_3808, 4]
apb_prescaler = [0x4002_3808, 10]
"""


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace('tx_af = 7\n', ''), "missing key 'uart.tx_af'"),
    (lambda t: t.replace('"PA2"', '"A2"'), "key 'uart.tx_pin' must be a pin like 'PA2'"),
    (lambda t: t.replace('"PA2"', '"PC2"'), "uart.tx_pin is not a pin of the board's [gpio]"),
    (lambda t: t.replace('[0x4002_3840, 17]', '[0x4002_3840, 32]'),
     "key 'uart.clock_enable' must be [register address, bit 0-31]"),
    (lambda t: t.replace('baud = 115_200\n', ''), "key 'uart.tx_pin' needs uart.baud"),
    (lambda t: t + 'tx_funcsel = 2\n', "key 'uart.tx_funcsel' is not used by a stm32-usart-v1"),
])
def test_bad_console_keys_are_one_line_errors(tmp_path, edit, message):
    p = tmp_path / "x.toml"
    p.write_text(BOARD)
    assert load_board(str(p)).uart["tx_pin"] == 2
    p.write_text(edit(BOARD))
    with pytest.raises(BadInput) as e:
        load_board(str(p))
    assert message in str(e.value) and "\n" not in str(e.value)
