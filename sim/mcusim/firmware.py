"""Build firmware for a board: mcusim's start-up, the board's linker script and HAL, your sources.

    build_elf(["app.c"], load_board("stm32f4"), Path("app.elf"))

What goes into every build (also used by the model compiler):
  - firmware/startup/startup.c: vector table and Reset_Handler (.data/.bss, FPU, main, exit)
  - the linker script mcusim.sim.linker.linker_script(board)
  - semihosting=True: newlib + librdimon (--specs=rdimon.specs): printf/stdin/exit through BKPT
  - semihosting=False: newlib + libnosys, firmware/hal/uart.c (printf to the board's UART, which
    the start-up sets up first: mcusim_console_init, from the board's [uart] set-up keys)
  - flags: base_flags(board) = toolchain.core_flags(board.core) + COMMON_FLAGS + board_defines(board)
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from mcusim import uart_console
from mcusim.boards import Board
from mcusim.paths import firmware_dir
from mcusim.sim.linker import linker_script
from mcusim.toolchain import core_flags, run_gcc

COMMON_FLAGS = ["-O2", "-g", "-std=gnu11", "-ffunction-sections", "-fdata-sections",
                "-Wall", "-nostartfiles", "-Wl,--gc-sections"]


def startup_sources() -> list[Path]:
    return [firmware_dir() / "startup" / "startup.c"]


def clock_source(board: Board) -> Path | None:
    """The clock set-up startup.c includes for the board's [clock_tree] (None: none)."""
    kind = (board.clock_tree or {}).get("kind")
    if not kind:
        return None
    return firmware_dir() / "startup" / f"clock_{'stm32f4' if kind == 'stm32f7' else kind}.c"


def hal_sources() -> list[Path]:
    return [firmware_dir() / "hal" / "uart.c"]


def include_dirs() -> list[Path]:
    return [firmware_dir() / "include", firmware_dir() / "hal"]


def board_defines(board: Board) -> list[str]:
    """-D flags naming the board's console UART for firmware/hal/uart.c."""
    defs = [f"-DMCUSIM_BOARD_{board.name.upper().replace('-', '_')}=1",
            f"-DMCUSIM_CLOCK_HZ={board.clock_hz}u"]
    tree = board.clock_tree
    if tree:      # firmware/startup/clock_<family>.c configures clock_hz (startup.c)
        defs += [f"-DMCUSIM_CLOCK_TREE_{tree['kind'].upper()}=1",
                 f"-DMCUSIM_CRYSTAL_HZ={tree.get('crystal_hz', 0)}u",
                 f"-DMCUSIM_FLASH_LATENCY={board.flash.wait_states}u"]
    u = board.uart
    if u:
        defs += [f"-DMCUSIM_UART_KIND_{u['kind'].upper().replace('-', '_')}=1",
                 f"-DMCUSIM_UART_BASE={u['base']:#x}u",
                 f"-DMCUSIM_UART_DATA={u['data_offset']:#x}u",
                 f"-DMCUSIM_UART_STATUS={u['status_offset']:#x}u"]
        defs += uart_console.defines(board)    # its set-up: clock, TX pin, baud (uart.c)
    return defs


def base_flags(board: Board) -> list[str]:
    """The core's -mcpu/FPU/ABI, the common options and the board's -D flags: every build's."""
    return core_flags(board.core) + COMMON_FLAGS + board_defines(board)


def build_flags(board: Board, semihosting: bool = True) -> list[str]:
    flags = base_flags(board)
    flags += [f"-I{d}" for d in include_dirs()]
    flags.append(f"-DMCUSIM_SEMIHOSTING={1 if semihosting else 0}")
    flags.append("--specs=rdimon.specs" if semihosting else "--specs=nosys.specs")
    return flags


def build_elf(sources: Iterable[str | Path], board: Board, out: str | Path,
              extra_flags: Iterable[str] = (), semihosting: bool = True,
              stack_size: int | None = None, startup: bool = True,
              regions=None) -> Path:
    """Compile and link `sources` for `board` into the ELF `out` (its .ld is written beside it).

    startup=False links only your sources, without C library (-nostdlib): for assembly
    programs that bring their own vector table. `regions` (mcusim.sim.linker.Region list)
    replaces the board's MEMORY block, e.g. with a vendor's."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    ld = out.with_suffix(".ld")
    ld.write_text(linker_script(board, stack_size=stack_size, regions=regions))
    srcs = [str(s) for s in sources]
    if startup:
        flags = build_flags(board, semihosting)
        srcs += [str(s) for s in startup_sources()]
        if not semihosting:
            srcs += [str(s) for s in hal_sources()]
    else:
        flags = base_flags(board) + ["-nostdlib"]
    libs = ["-lm"] if startup else []
    run_gcc([*flags, *extra_flags, *srcs, *libs, "-T", str(ld),
             f"-Wl,-Map={out.with_suffix('.map')}", "-o", str(out)])
    return out
