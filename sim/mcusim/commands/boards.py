"""mcusim boards: the boards mcusim knows, as a table (or one board's memory map with NAME)."""
from __future__ import annotations

from rich.console import Console
from rich.table import Table

from pathlib import Path

from mcusim.boards import list_boards, load_board
from mcusim.errors import BadInput


def add_arguments(p) -> None:
    p.add_argument("board", nargs="?", help="show one board (name or TOML path) in detail")
    p.add_argument("--export", metavar="DIR",
                   help="write the board's linker script, start-up code, UART HAL and a Makefile "
                        "into DIR, to build your own firmware for it")


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 and n % (1024 * 1024) == 0 \
        else f"{n // 1024} KB"


def main(args) -> int:
    console = Console()
    if not console.is_terminal:
        console = Console(width=120)  # piped: no terminal width to fit, keep rows on one line
    if args.export:
        if not args.board:
            raise BadInput("--export needs a board: mcusim boards BOARD --export DIR")
        from mcusim.board_kit import export_kit
        b = load_board(args.board)
        for path in export_kit(b, Path(args.export)):
            console.print(f"wrote {path}")
        console.print(f"build: make -C {args.export} APP=app   then: mcusim run "
                      f"{args.export}/app.elf --board {args.board}", soft_wrap=True)
        return 0
    if args.board:
        b = load_board(args.board)
        console.print(f"[bold]{b.name}[/]: {b.description}")
        console.print(f"core {b.core} (profile {b.profile}) at {b.clock_hz / 1e6:g} MHz, "
                      f"boot {b.boot_address:#010x}")
        t = Table("memory", "kind", "base", "size", "wait states", "accelerator", "source")
        for m in b.memories:
            acc = ", ".join(f"{k}={v}" for k, v in (m.accelerator or {}).items())
            kind = f"{m.kind} (alias of {m.alias_of})" if m.alias_of else m.kind
            t.add_row(m.name, kind, f"{m.base:#010x}", _size(m.size), str(m.wait_states),
                      acc, m.source)
        console.print(t)
        if b.uart:
            setup = (f", TX {b.uart['tx_name']} at {b.uart['baud']} baud (set up by the start-up "
                     f"in UART builds)" if "baud" in b.uart else "")
            console.print(f"console UART {b.uart['kind']} at {b.uart['base']:#010x}{setup} "
                          f"({b.uart['source']})")
        console.print(f"power {b.power['run_ua_per_mhz']:.1f} µA/MHz at {b.power['voltage_v']} V, "
                      f"{_status(b.power, 'run')} ({b.power['source']})")
        if b.power.get("sleep_ua_per_mhz") is not None:
            console.print(f"sleep {b.power['sleep_ua_per_mhz']:.1f} µA/MHz, "
                          f"{_status(b.power, 'sleep')} ({b.power['sleep_source']})")
        for s in b.sources:
            console.print(f"  source: {s}")
        return 0
    t = Table("board", "chip", "core", "clock", "flash", "RAM", "run power")
    for col in t.columns:
        col.no_wrap = True
    for name in list_boards():
        b = load_board(name)
        ram = sum(m.size for m in b.memories if m.kind == "ram" and not m.alias_of)
        chip = b.description.split(",")[0]   # "STMicroelectronics STM32F407VG, Cortex-M4F, ..."
        t.add_row(b.name, chip, b.core, f"{b.clock_hz / 1e6:g} MHz", _size(b.flash.size),
                  _size(ram), f"{b.power['run_ua_per_mhz']:.0f} µA/MHz"
                  + ("" if b.power.get("run_confirmed") else " *"))
    console.print(t)
    console.print("* run current not confirmed against a datasheet table (see the board file).")
    console.print("Use --board NAME, or --board path/to/your_board.toml (see docs/boards.md).")
    return 0


def _status(power: dict, kind: str) -> str:
    """'confirmed' when the figure was read in a datasheet table (power.<kind>_confirmed)."""
    return "confirmed" if power.get(f"{kind}_confirmed") else "NOT CONFIRMED"
