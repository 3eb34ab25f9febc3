"""Boards as data: boards/<name>.toml -> Board (core, clock, memory map, console UART, power).

Every figure in a board file carries the datasheet or reference-manual section it comes from;
docs/boards.md documents the schema and how to add a board of your own.
"""
from __future__ import annotations

try:
    import tomllib
    TOMLError = tomllib.TOMLDecodeError
except ImportError:  # Python 3.10: tomlkit is a dependency
    import tomlkit as tomllib  # type: ignore[no-redef]
    from tomlkit.exceptions import ParseError as TOMLError
# tomllib recurses once per nesting level: `a = {b={b={...` thousands deep is a RecursionError,
# a parse error like any other for the user's file (an `except` takes this tuple as one class).
TOMLError = (TOMLError, RecursionError)
import difflib
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mcusim.errors import BadInput
from mcusim import uart_console
from mcusim.paths import boards_dir
from mcusim.toolchain import CORE_FLAGS

MEMORY_KINDS = ("flash", "ram")
PAGE = 1024     # the simulator maps memory in Unicorn's ARM pages (mcusim.sim.peripherals.PAGE)
# The keys a board file may use (docs/boards.md): a misspelt one (wait_state) would otherwise be
# ignored and its default used without a word. [memory.accelerator] is free-form, and so is
# [core_options], which the cost model reads from the file (mcusim.cost.model).
TOP_KEYS = ("name", "description", "core", "profile", "clock_hz", "boot_address", "sources",
            "memory", "uart", "power", "core_options", "nvic")
MEMORY_KEYS = ("name", "kind", "base", "size", "wait_states", "latency", "accelerator", "source",
               "banks", "banks_source", "alias_of")
BANK_KEYS = ("name", "base", "size")
UART_KEYS = ("kind", "base", "data_offset", "status_offset", "source")
UART_KEYS += uart_console.KEYS      # the console set-up firmware/hal/uart.c does (uart_console.py)
POWER_KEYS = ("voltage_v", "run_ua_per_mhz", "run_current_ma", "run_current_at_hz", "source",
              "sleep_ua_per_mhz", "sleep_current_ma", "sleep_current_at_hz", "sleep_source",
              "run_confirmed", "sleep_confirmed", "run_current_table")
# A confirmed power figure names the datasheet table it was read from and the document's
# revision (docs/boards.md): table numbers move between revisions (the RP2040 datasheet's power
# table is 635, 637 or 653 depending on the build), so a number alone does not say what was read.
TABLE_REF = re.compile(r"\bTable \d+")
REV_REF = re.compile(r"\bRev\.? ?\d+", re.I)
UART_KINDS = ("stm32-usart-v1", "stm32-usart-v2", "nrf-uarte", "pl011")
SVD_KEYS = ("svd", "svd_source")   # the register file of the peripherals (mcusim.sim.svd)
# [gpio] and [[timer]] (docs/boards.md): the GPIO ports and counting timers mcusim models.
TOP_KEYS += ("gpio", "timer")
# reset_clock_hz and [clock_tree] (docs/boards.md): the reset clock and the clock controller.
TOP_KEYS += ("reset_clock_hz", "clock_tree")
TOP_KEYS += ("bitband", "bitband_source", "systick_ref_divider", "systick_ref_source")
CLOCK_TREE_KEYS = ("kind", "crystal_hz", "source")
GPIO_KEYS = ("kind", "base", "ports", "stride", "pins", "brr", "moder_reset", "ospeedr_reset",
             "pupdr_reset", "source", "io_bank", "pads_bank")
GPIO_KINDS = ("stm32", "nrf52", "rp2040-sio")
TIMER_KEYS = ("name", "kind", "base", "irq", "bits", "channels", "arr_reset", "bus", "source")
TIMER_KINDS = ("stm32", "nrf52", "rp2040")


@dataclass(frozen=True)
class Bank:
    """A physical bank of a memory (SRAM1, SRAM2...): same timing as the memory it is part of,
    named only so the memory figures can say which bank the bytes are in."""
    name: str
    base: int
    size: int

    @property
    def end(self) -> int:
        return self.base + self.size


@dataclass(frozen=True)
class Memory:
    name: str
    kind: str                    # "flash" | "ram"
    base: int
    size: int
    wait_states: int = 0         # access wait states at the board clock
    accelerator: dict[str, Any] | None = None   # flash accelerator / caches / TCM details
    source: str = ""
    latency: tuple[tuple[int, int], ...] = ()    # ((max clock Hz, wait states), ...) ascending
    banks: tuple[Bank, ...] = ()                 # the physical banks that tile it, by address
    alias_of: str = ""           # another window onto that memory's bytes (nRF52 Code RAM)

    def wait_states_at(self, clock_hz: int) -> int | None:
        """Wait states the latency table prescribes at clock_hz (None: above the table)."""
        if not self.latency:
            return self.wait_states
        return next((ws for hz, ws in self.latency if clock_hz <= hz), None)

    @property
    def end(self) -> int:
        return self.base + self.size

    def contains(self, addr: int, size: int = 1) -> bool:
        return self.base <= addr and addr + size <= self.end


@dataclass(frozen=True)
class Board:
    name: str
    description: str
    core: str                    # key of toolchain.CORE_FLAGS
    profile: str                 # stem of profiles/<profile>.toml
    clock_hz: int
    boot_address: int
    memories: list[Memory]
    uart: dict[str, Any]
    power: dict[str, Any]        # voltage_v, run_ua_per_mhz (always), source, ...
    sources: list[str] = field(default_factory=list)
    svd: str = ""                # register file: boards/svd/<svd>.toml or <svd>.svd
    svd_source: str = ""         # where that file comes from (package, manual)
    path: Path | None = None
    gpio: dict[str, Any] = field(default_factory=dict)          # [gpio], {} when absent
    timers: list[dict[str, Any]] = field(default_factory=list)  # [[timer]]
    nvic: dict[str, Any] = field(default_factory=dict)   # irqs, priority_bits, source
    reset_clock_hz: int = 0      # the chip's core clock at reset (clock_hz when not given)
    clock_tree: dict[str, Any] = field(default_factory=dict)   # kind, crystal_hz (sim/clocktree)
    bitband: bool = False        # SRAM and peripheral bit-band aliases (sim/bitband.py)
    systick_ref_divider: int = 0  # SysTick reference clock = core clock / this (0: none)

    def memory_at(self, addr: int, size: int = 1) -> Memory | None:
        for m in self.memories:
            if m.contains(addr, size):
                return m
        return None

    def span(self, addr: int, size: int = 1) -> list[Memory] | None:
        """The memories that hold [addr, addr+size), low to high, when they leave no gap (a
        range may run from one memory into the next one that starts where it ends, as DTCM into
        SRAM on the STM32F7); None when any byte of it is unmapped."""
        out, at, end = [], addr, addr + max(size, 1)
        while at < end:
            m = self.memory_at(at)
            if m is None:
                return None
            out.append(m)
            at = m.end
        return out

    def gap_in(self, addr: int, size: int) -> tuple[int, int] | None:
        """The first unmapped stretch [lo, hi) inside [addr, addr+size), or None."""
        at, end = addr, addr + max(size, 1)
        while at < end:
            m = self.memory_at(at)
            if m is None:
                nxt = min((x.base for x in self.memories if at < x.base < end), default=end)
                return at, nxt
            at = m.end
        return None

    def ram_span(self, addr: int) -> tuple[int, int] | None:
        """(base, end) of the run of contiguous RAM memories that holds addr."""
        m = self.memory_at(addr)
        if m is None or m.kind != "ram":
            return None
        lo, hi = m.base, m.end
        while (p := self.memory_at(lo - 1)) is not None and p.kind == "ram" and lo > 0:
            lo = p.base
        while (n := self.memory_at(hi)) is not None and n.kind == "ram":
            hi = n.end
        return lo, hi

    @property
    def flash(self) -> Memory:
        """The flash the board boots from (else the first flash)."""
        flashes = [m for m in self.memories if m.kind == "flash"]
        for m in flashes:
            if m.contains(self.boot_address):
                return m
        return flashes[0]

    @property
    def ram(self) -> Memory:
        """The main SRAM: the largest RAM region."""
        return max((m for m in self.memories if m.kind == "ram" and not m.alias_of),
                   key=lambda m: m.size)

    @property
    def physical_memories(self) -> list[Memory]:
        """The memories without their aliases: each physical byte once."""
        return [m for m in self.memories if not m.alias_of]

    @property
    def has_fpu(self) -> bool:
        return "-mfloat-abi=hard" in CORE_FLAGS[self.core]

    def describe_memories(self) -> str:
        return ", ".join(f"{m.name} {_kb(m.size)} at {m.base:#010x}" for m in self.memories)


def _kb(n: int) -> str:
    return f"{n // 1024} KB" if n % 1024 == 0 else f"{n:,} B"


def list_boards() -> list[str]:
    return sorted(p.stem for p in boards_dir().glob("*.toml"))


def load_board(name_or_path: str | Path, clock_hz: int | None = None) -> Board:
    """Load a shipped board by name, or a user's board TOML by path; optionally override the clock."""
    text = str(name_or_path)
    if not text.strip():
        raise BadInput(f"empty board name; known boards: {', '.join(list_boards())}")
    if Path(text).is_dir() and (text.endswith(".toml") or "/" in text
                                or not (boards_dir() / f"{text}.toml").is_file()):
        raise BadInput(f"board file {text}: is a directory, expected a board TOML file")
    if text.endswith(".toml") or "/" in text or Path(text).is_file():
        from mcusim.files import input_file
        path = input_file(text, "board file", "a board TOML file")
    else:
        path = boards_dir() / f"{text}.toml"
        if not path.is_file():
            raise BadInput(f"unknown board {text!r}; known boards: {', '.join(list_boards())} "
                           f"(or pass a path to a board TOML)")
    board = _parse(path)
    if clock_hz is not None:
        if clock_hz <= 0:
            raise BadInput(f"clock must be positive, got {clock_hz}")
        board = replace(board, clock_hz=int(clock_hz), memories=[
            _at_clock(board, m, int(clock_hz)) for m in board.memories],
            power=_power_at_clock(board.power, int(clock_hz)))
    return board


def _power_at_clock(power: dict[str, Any], clock_hz: int) -> dict[str, Any]:
    """[power] at another clock: with a run_current_table, the per-MHz current of the row for that
    clock (the first whose clock is at least it: the voltage scale the firmware sets there)."""
    table = power.get("run_current_table")
    if not table:
        return power
    hz, ma = next(((h, m) for h, m in table if clock_hz <= h), table[-1])
    return dict(power, run_ua_per_mhz=ma * 1000.0 / (hz / 1e6))


def _at_clock(board: Board, m: Memory, clock_hz: int) -> Memory:
    """The memory with the wait states its latency table gives at another clock."""
    ws = m.wait_states_at(clock_hz)
    if ws is None:
        raise BadInput(f"clock {clock_hz / 1e6:g} MHz is above what {board.name}'s {m.name} "
                       f"latency table covers ({m.latency[-1][0] / 1e6:g} MHz)")
    return replace(m, wait_states=ws)


def _parse(path: Path) -> Board:
    try:
        data = tomllib.loads(path.read_text())
        data = data.unwrap() if hasattr(data, "unwrap") else data
    except TOMLError as e:
        raise BadInput(f"board file {path}: invalid TOML: {e}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise BadInput(f"board file {path}: cannot read: {e}") from None
    f = _Fields(path, data, "")
    _known_keys(path, data, TOP_KEYS + SVD_KEYS, "")
    core = f.str("core")
    if core not in CORE_FLAGS:
        raise BadInput(f"board file {path}: core {core!r} is not one of {', '.join(CORE_FLAGS)}")
    profile = f.str("profile")   # resolved by mcusim.cost.model.load_profile when a run starts
    mems_raw = data.get("memory")
    if not isinstance(mems_raw, list) or not mems_raw:
        raise BadInput(f"board file {path}: missing key 'memory' (a [[memory]] table per region)")
    memories = [_memory(path, m, i) for i, m in enumerate(mems_raw)]
    _check_overlaps(path, memories)
    _check_aliases(path, memories)
    if not any(m.kind == "flash" for m in memories) or not any(m.kind == "ram" for m in memories):
        raise BadInput(f"board file {path}: needs at least one flash and one ram [[memory]]")
    uart = _uart(path, data)
    if uart and any(m.contains(uart["base"]) for m in memories):
        raise BadInput(f"board file {path}: uart.base {uart['base']:#x} lies inside a memory")
    power = _power(path, data)
    clock = f.int("clock_hz")
    if clock <= 0:
        raise BadInput(f"board file {path}: clock_hz must be positive")
    for i, m in enumerate(memories):
        if m.latency and m.wait_states_at(clock) != m.wait_states:
            raise BadInput(f"board file {path}: memory[{i}].wait_states = {m.wait_states} "
                           f"disagrees with its latency table at clock_hz "
                           f"({m.wait_states_at(clock)} wait states)")
    boot = f.int("boot_address")
    if not any(m.contains(boot) for m in memories):
        raise BadInput(f"board file {path}: boot_address {boot:#010x} is not inside any "
                       f"[[memory]] (the vector table is read from there at reset)")
    reset_clock = f.int("reset_clock_hz", clock)
    if reset_clock <= 0:
        raise BadInput(f"board file {path}: reset_clock_hz must be positive")
    gpio, timers = _gpio(path, data), _timers(path, data)
    uart_console.check(path, uart, gpio)
    for what, base in [("gpio.base", gpio.get("base"))] + [
            (f"timer[{i}].base", t["base"]) for i, t in enumerate(timers)]:
        if base is not None and any(m.contains(base) for m in memories):
            raise BadInput(f"board file {path}: {what} {base:#x} lies inside a memory")
    sources = data.get("sources", [])
    if not isinstance(sources, list):
        raise BadInput(f"board file {path}: key 'sources' must be a list of strings")
    return Board(name=f.str("name"), description=f.str("description", ""), core=core,
                 profile=profile, clock_hz=clock, boot_address=f.int("boot_address"),
                 memories=memories, uart=uart, power=_power_at_clock(power, clock),
                 sources=[str(s) for s in sources],
                 **_svd(path, data),
                 gpio=gpio, timers=timers,
                 path=path, nvic=_nvic(path, data, core),
                 reset_clock_hz=reset_clock, clock_tree=_clock_tree(path, data),
                 bitband=_bitband(path, data),
                 systick_ref_divider=_systick_ref(path, data))


class _Fields:
    """Typed access to one TOML table with one-line errors that name the file and key."""

    def __init__(self, path: Path, table: Any, prefix: str):
        if not isinstance(table, dict):
            raise BadInput(f"board file {path}: {prefix.rstrip('.') or 'top level'} must be a table")
        self.path, self.table, self.prefix = path, table, prefix

    def _get(self, key: str, default: Any):
        if key in self.table:
            return self.table[key]
        if default is not _MISSING:
            return default
        raise BadInput(f"board file {self.path}: missing key '{self.prefix}{key}'")

    def str(self, key: str, default: Any = None) -> str:
        v = self._get(key, _MISSING if default is None else default)
        if not isinstance(v, str):
            raise BadInput(f"board file {self.path}: key '{self.prefix}{key}' must be a string")
        return v

    def int(self, key: str, default: Any = None) -> int:
        v = self._get(key, _MISSING if default is None else default)
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise BadInput(f"board file {self.path}: key '{self.prefix}{key}' must be a "
                           f"non-negative integer")
        return v

    def num(self, key: str, default: Any = None) -> float:
        v = self._get(key, _MISSING if default is None else default)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v < math.inf:
            raise BadInput(f"board file {self.path}: key '{self.prefix}{key}' must be a "
                           f"non-negative number")
        return float(v)


_MISSING = object()


def _known_keys(path: Path, table: Any, allowed: tuple[str, ...], prefix: str) -> None:
    if not isinstance(table, dict):
        return          # _Fields names the table that is not one
    for key in table:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f" (did you mean '{prefix}{close[0]}'?)" if close else \
                f" (known: {', '.join(allowed)})"
            raise BadInput(f"board file {path}: unknown key '{prefix}{key}'{hint}")


def _memory(path: Path, raw: Any, i: int) -> Memory:
    f = _Fields(path, raw, f"memory[{i}].")
    _known_keys(path, raw, MEMORY_KEYS, f"memory[{i}].")
    kind = f.str("kind")
    if kind not in MEMORY_KINDS:
        raise BadInput(f"board file {path}: key 'memory[{i}].kind' must be flash or ram, got {kind!r}")
    size = f.int("size")
    if size == 0:
        raise BadInput(f"board file {path}: key 'memory[{i}].size' must be positive")
    acc = raw.get("accelerator")
    if acc is not None and not isinstance(acc, dict):
        raise BadInput(f"board file {path}: key 'memory[{i}].accelerator' must be a table")
    if acc is not None:
        _accelerator(path, acc, f"memory[{i}].accelerator.")
    latency = _latency(path, raw.get("latency", []), i)
    base = f.int("base")
    mem = Memory(name=f.str("name"), kind=kind, base=base, size=size,
                 wait_states=f.int("wait_states", 0), accelerator=acc,
                 source=f.str("source", ""), latency=latency,
                 banks=_banks(path, raw.get("banks", []), i, base, size),
                 alias_of=f.str("alias_of", ""))
    return mem


def _banks(path: Path, raw: Any, i: int, base: int, size: int) -> tuple[Bank, ...]:
    """memory[i].banks: consecutive banks that tile the memory exactly (no gap, no overlap)."""
    key = f"memory[{i}].banks"
    if not isinstance(raw, list) or not all(isinstance(b, dict) for b in raw):
        raise BadInput(f"board file {path}: key '{key}' must be a list of tables "
                       f"{{name, base, size}}")
    banks, at = [], base
    for j, b in enumerate(raw):
        _known_keys(path, b, BANK_KEYS, f"{key}[{j}].")
        f = _Fields(path, b, f"{key}[{j}].")
        bank = Bank(f.str("name"), f.int("base"), f.int("size"))
        if bank.base != at or bank.size <= 0:
            raise BadInput(f"board file {path}: key '{key}[{j}]' ({bank.name}) must start at "
                           f"{at:#010x} with a positive size: the banks tile the memory in order")
        banks.append(bank)
        at = bank.end
    if banks and at != base + size:
        raise BadInput(f"board file {path}: key '{key}' covers {base:#010x}-{at - 1:#010x}, "
                       f"not the whole memory {base:#010x}-{base + size - 1:#010x}")
    return tuple(banks)


# Accelerator figures the cost model reads, with the range it can model: (low, high).
ACCELERATOR_NUMBERS = {
    "line_bytes": (1, 4096), "icache_lines": (1, 1 << 16), "dcache_lines": (1, 1 << 16),
    "icache_bytes": (1, 1 << 24), "dcache_bytes": (1, 1 << 24), "ways": (1, 1 << 16),
    "miss_cycles": (0, 1000),
}


def _accelerator(path: Path, acc: dict, prefix: str) -> None:
    """The accelerator table is free-form, but the figures the cost model sizes its caches
    with must be whole numbers in range: a negative or huge one would crash or stall it."""
    f = _Fields(path, acc, prefix)
    for key, (lo, hi) in ACCELERATOR_NUMBERS.items():
        if key in acc and not lo <= f.int(key) <= hi:
            raise BadInput(f"board file {path}: key '{prefix}{key}' must be between {lo:,} and "
                           f"{hi:,}, got {acc[key]:,}")
    line = acc.get("line_bytes", 16)
    if line & (line - 1):
        raise BadInput(f"board file {path}: key '{prefix}line_bytes' must be a power of two, "
                       f"got {line}")
    for key in ("icache_bytes", "dcache_bytes"):
        if key in acc and acc[key] < line:
            raise BadInput(f"board file {path}: key '{prefix}{key}' ({acc[key]}) is smaller than "
                           f"one line ({line} bytes)")
    if "prefetch" in acc and not isinstance(acc["prefetch"], bool):
        raise BadInput(f"board file {path}: key '{prefix}prefetch' must be true or false")
    if "type" in acc:
        f.str("type")


def _latency(path: Path, raw: Any, i: int) -> tuple[tuple[int, int], ...]:
    key = f"memory[{i}].latency"
    ok = isinstance(raw, list) and all(
        isinstance(e, list) and len(e) == 2 and all(isinstance(v, int) and v >= 0 for v in e)
        for e in raw)
    if not ok:
        raise BadInput(f"board file {path}: key '{key}' must be a list of [max_hz, wait_states]")
    table = tuple((hz, ws) for hz, ws in raw)
    if list(table) != sorted(table):
        raise BadInput(f"board file {path}: key '{key}' must be in ascending clock order")
    return table


def _check_aliases(path: Path, memories: list[Memory]) -> None:
    """alias_of names another, non-alias memory of the same kind and size."""
    by_name = {m.name: m for m in memories}
    for m in memories:
        if not m.alias_of:
            continue
        t = by_name.get(m.alias_of)
        if t is None or t is m or t.alias_of:
            raise BadInput(f"board file {path}: memory {m.name!r}: alias_of {m.alias_of!r} is not "
                           f"another memory of the board (known: "
                           f"{', '.join(x.name for x in memories if not x.alias_of and x is not m)})")
        if (t.kind, t.size) != (m.kind, m.size):
            raise BadInput(f"board file {path}: memory {m.name!r} is an alias of {t.name!r} but "
                           f"differs from it in kind or size ({m.kind} {m.size:#x} vs "
                           f"{t.kind} {t.size:#x})")


def _check_overlaps(path: Path, memories: list[Memory]) -> None:
    names = [m.name for m in memories]
    for name in names:
        if names.count(name) > 1:
            raise BadInput(f"board file {path}: two memories are named {name!r} (each name "
                           f"becomes a linker section)")
    ordered = sorted(memories, key=lambda m: m.base)
    for a, b in zip(ordered, ordered[1:]):
        if b.base < a.end:
            raise BadInput(f"board file {path}: memories {a.name!r} and {b.name!r} overlap: "
                           f"{a.name} is {a.base:#010x}-{a.end - 1:#010x}, {b.name} "
                           f"{b.base:#010x}-{b.end - 1:#010x} (memories may touch, not overlap)")
        if b.base < -(-a.end // PAGE) * PAGE:
            # Unicorn maps whole pages: two memories cannot share one.
            raise BadInput(f"board file {path}: memory {b.name!r} at {b.base:#010x} starts in "
                           f"the last {PAGE}-byte page of {a.name!r} (ends {a.end:#010x}); "
                           f"memories that touch must meet on a {PAGE}-byte boundary")
    for m in memories:
        if m.end > 1 << 32 or m.base >= 0xE000_0000:
            raise BadInput(f"board file {path}: memory {m.name!r} is outside the code/SRAM/"
                           f"peripheral address space (must end below 0xE0000000)")


def _current_table(path: Path, power: dict) -> tuple[tuple[int, float], ...]:
    """power.run_current_table: [[clock_hz, mA at that clock], ...] ascending, one row per voltage
    scale the firmware uses; its row at run_current_at_hz must be run_current_ma."""
    raw, key = power["run_current_table"], "power.run_current_table"
    ok = isinstance(raw, list) and raw and all(
        isinstance(e, list) and len(e) == 2 and isinstance(e[0], int) and e[0] > 0
        and isinstance(e[1], (int, float)) and not isinstance(e[1], bool) and 0 < e[1] < 1e6
        for e in raw)
    if not ok:
        raise BadInput(f"board file {path}: key '{key}' must be a list of [clock_hz, mA] "
                       f"with positive values")
    table = tuple((hz, float(ma)) for hz, ma in raw)
    if [hz for hz, _ in table] != sorted({hz for hz, _ in table}):
        raise BadInput(f"board file {path}: key '{key}' must be in ascending clock order")
    at = dict(table).get(power.get("run_current_at_hz"))
    if "run_current_ma" not in power or at is None or not math.isclose(at, power["run_current_ma"]):
        raise BadInput(f"board file {path}: key '{key}' needs a row at power.run_current_at_hz "
                       f"equal to power.run_current_ma")
    return table


def _uart(path: Path, data: dict) -> dict[str, Any]:
    f = _Fields(path, data.get("uart", {}), "uart.")
    if "uart" not in data:
        return {}
    _known_keys(path, data["uart"], UART_KEYS, "uart.")
    kind = f.str("kind")
    if kind not in UART_KINDS:
        raise BadInput(f"board file {path}: key 'uart.kind' must be one of {', '.join(UART_KINDS)}")
    return {"kind": kind, "base": f.int("base"), "data_offset": f.int("data_offset"),
            "status_offset": f.int("status_offset"), "source": f.str("source", ""),
            **uart_console.parse(path, data["uart"], kind)}


def _power(path: Path, data: dict) -> dict[str, Any]:
    f = _Fields(path, data.get("power"), "power.") if "power" in data else None
    if f is None:
        raise BadInput(f"board file {path}: missing key 'power'")
    _known_keys(path, data["power"], POWER_KEYS, "power.")
    power = dict(data["power"])
    power["voltage_v"] = f.num("voltage_v")
    if "run_ua_per_mhz" in power:
        power["run_ua_per_mhz"] = f.num("run_ua_per_mhz")
    elif "run_current_ma" in power:
        ma, hz = f.num("run_current_ma"), f.num("run_current_at_hz")
        if hz <= 0:
            raise BadInput(f"board file {path}: key 'power.run_current_at_hz' must be positive")
        power["run_ua_per_mhz"] = ma * 1000.0 / (hz / 1e6)
    else:
        raise BadInput(f"board file {path}: missing key 'power.run_ua_per_mhz' "
                       f"(or power.run_current_ma with power.run_current_at_hz)")
    power["source"] = f.str("source", "")
    if "run_current_table" in power:
        power["run_current_table"] = _current_table(path, power)
    # Sleep mode (WFI/WFE, peripherals clocked): also dominated by the clock, so per MHz.
    if "sleep_ua_per_mhz" in power:
        power["sleep_ua_per_mhz"] = f.num("sleep_ua_per_mhz")
    elif "sleep_current_ma" in power:
        ma, hz = f.num("sleep_current_ma"), f.num("sleep_current_at_hz")
        if hz <= 0:
            raise BadInput(f"board file {path}: key 'power.sleep_current_at_hz' must be "
                           f"positive")
        power["sleep_ua_per_mhz"] = ma * 1000.0 / (hz / 1e6)
    if "sleep_ua_per_mhz" in power and power["sleep_ua_per_mhz"] < 0:
        raise BadInput(f"board file {path}: power sleep current must be 0 or more")
    power["sleep_source"] = f.str("sleep_source", "")
    for kind, source in (("run", "source"), ("sleep", "sleep_source")):
        flag = power.get(f"{kind}_confirmed", False)
        if not isinstance(flag, bool):
            raise BadInput(f"board file {path}: key 'power.{kind}_confirmed' must be true or false")
        if flag and not TABLE_REF.search(power[source]):
            raise BadInput(f"board file {path}: power.{kind}_confirmed = true needs "
                           f"power.{source} to cite the datasheet table ('Table N')")
        if flag and not REV_REF.search(power[source]):
            raise BadInput(f"board file {path}: power.{kind}_confirmed = true needs "
                           f"power.{source} to name the document revision ('Rev N')")
        power[f"{kind}_confirmed"] = flag
    return power


def _clock_tree(path: Path, data: dict) -> dict[str, Any]:
    """[clock_tree]: kind (a module of mcusim.sim.clocktree) and the board's crystal."""
    if "clock_tree" not in data:
        return {}
    from mcusim.sim.clocktree import KINDS
    f = _Fields(path, data["clock_tree"], "clock_tree.")
    _known_keys(path, data["clock_tree"], CLOCK_TREE_KEYS, "clock_tree.")
    kind = f.str("kind")
    if kind not in KINDS:
        raise BadInput(f"board file {path}: key 'clock_tree.kind' must be one of "
                       f"{', '.join(KINDS)}")
    return {"kind": kind, "crystal_hz": f.int("crystal_hz", 0), "source": f.str("source", "")}


def _nvic(path: Path, data: dict, core: str) -> dict[str, Any]:
    """[nvic]: external interrupts and implemented priority bits. Without the table: the
    architecture's most (ARMv6-M: 32 interrupts, 2 bits; ARMv7/8-M: 240 and 8 bits)."""
    v6m = core == "cortex-m0plus"
    raw = data.get("nvic", {})
    if not isinstance(raw, dict):
        raise BadInput(f"board file {path}: [nvic] must be a table")
    _known_keys(path, raw, ("irqs", "priority_bits", "source"), "nvic.")
    f = _Fields(path, raw, "nvic.")
    irqs = f.int("irqs", 32 if v6m else 240)
    bits = f.int("priority_bits", 2 if v6m else 8)
    if not 1 <= irqs <= (32 if v6m else 496):
        raise BadInput(f"board file {path}: nvic.irqs must be 1-{32 if v6m else 496} on "
                       f"{core}, got {irqs}")
    if not (2 if v6m else 3) <= bits <= (2 if v6m else 8):
        raise BadInput(f"board file {path}: nvic.priority_bits must be "
                       f"{'2' if v6m else '3-8'} on {core}, got {bits}")
    return {"irqs": irqs, "priority_bits": bits, "source": f.str("source", "")}


def _int_list(path: Path, raw: Any, key: str, lo: int, hi: int) -> list[int]:
    ok = isinstance(raw, list) and raw and all(
        isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi for v in raw)
    if not ok:
        raise BadInput(f"board file {path}: key '{key}' must be a non-empty list of integers "
                       f"{lo}-{hi:#x}")
    return list(raw)


def _gpio(path: Path, data: dict) -> dict[str, Any]:
    """[gpio]: kind, base, and per kind the port count/stride (stm32), the pins of each port
    (nrf52), the reset values of MODER/OSPEEDR/PUPDR as [port A, port B, every other port]."""
    if "gpio" not in data:
        return {}
    raw = data["gpio"]
    f = _Fields(path, raw, "gpio.")
    _known_keys(path, raw, GPIO_KEYS, "gpio.")
    kind = f.str("kind")
    if kind not in GPIO_KINDS:
        raise BadInput(f"board file {path}: key 'gpio.kind' must be one of {', '.join(GPIO_KINDS)}")
    g: dict[str, Any] = {"kind": kind, "base": f.int("base"), "source": f.str("source", "")}
    if kind == "stm32":
        g["ports"], g["stride"] = f.int("ports"), f.int("stride")
        if not 1 <= g["ports"] <= 16 or g["stride"] < 0x400:
            raise BadInput(f"board file {path}: gpio.ports must be 1-16 and gpio.stride at "
                           f"least 0x400 (one port's register block)")
        brr = raw.get("brr", False)
        if not isinstance(brr, bool):
            raise BadInput(f"board file {path}: key 'gpio.brr' must be true or false")
        g["brr"] = brr
        for key in ("moder_reset", "ospeedr_reset", "pupdr_reset"):
            g[key] = _int_list(path, raw[key], f"gpio.{key}", 0, 0xFFFFFFFF) if key in raw else []
    elif kind == "nrf52":
        g["stride"] = f.int("stride")
        g["pins"] = _int_list(path, raw.get("pins"), "gpio.pins", 1, 32)
        if g["stride"] < 0x300 and len(g["pins"]) > 1:
            raise BadInput(f"board file {path}: key 'gpio.stride' must be at least 0x300")
    elif "io_bank" in raw or "pads_bank" in raw:
        # rp2040-sio: IO_BANK0 and PADS_BANK0 together (mcusim.sim.rp2040_io), or neither
        g["io_bank"], g["pads_bank"] = f.int("io_bank"), f.int("pads_bank")
    return g


def _timers(path: Path, data: dict) -> list[dict[str, Any]]:
    """[[timer]]: one table per counting timer: name, kind, base, irq (one number, or one per
    alarm on rp2040), and per kind bits/arr_reset/bus (stm32) or channels (nrf52)."""
    raw = data.get("timer", [])
    if not isinstance(raw, list):
        raise BadInput(f"board file {path}: key 'timer' must be [[timer]] tables")
    out = []
    for i, t in enumerate(raw):
        prefix = f"timer[{i}]."
        f = _Fields(path, t, prefix)
        _known_keys(path, t, TIMER_KEYS, prefix)
        kind = f.str("kind")
        if kind not in TIMER_KINDS:
            raise BadInput(f"board file {path}: key '{prefix}kind' must be one of "
                           f"{', '.join(TIMER_KINDS)}")
        irq = t.get("irq")
        irqs = _int_list(path, [irq] if isinstance(irq, int) else irq, f"{prefix}irq", 0, 495)
        want = 4 if kind == "rp2040" else 1
        if len(irqs) != want:
            raise BadInput(f"board file {path}: key '{prefix}irq' must name {want} interrupt"
                           f"{'s (one per alarm)' if want > 1 else ''}")
        d: dict[str, Any] = {"name": f.str("name"), "kind": kind, "base": f.int("base"),
                             "irq": irqs, "source": f.str("source", "")}
        if kind == "stm32":
            d["bits"] = f.int("bits", 16)
            if d["bits"] not in (16, 32):
                raise BadInput(f"board file {path}: key '{prefix}bits' must be 16 or 32")
            d["arr_reset"] = f.int("arr_reset", (1 << d["bits"]) - 1)
            d["bus"] = f.str("bus", "apb1")
        elif kind == "nrf52":
            d["channels"] = f.int("channels", 4)
            if not 1 <= d["channels"] <= 6:
                raise BadInput(f"board file {path}: key '{prefix}channels' must be 1-6")
        out.append(d)
    names = [d["name"] for d in out]
    for n in names:
        if names.count(n) > 1:
            raise BadInput(f"board file {path}: two timers are named {n!r}")
    return out

def _svd(path: Path, data: dict) -> dict[str, str]:
    """svd (a register-file name, or a path to an .svd/.toml file) and its citation."""
    if "svd" not in data:
        if "svd_source" in data:
            raise BadInput(f"board file {path}: svd_source without svd")
        return {}
    f = _Fields(path, data, "")
    name, source = f.str("svd").strip(), f.str("svd_source", "").strip()
    if not name:
        raise BadInput(f"board file {path}: key 'svd' must name a register file")
    if not source:
        raise BadInput(f"board file {path}: key 'svd' needs 'svd_source' (the package or "
                       f"manual the register file comes from)")
    if name.endswith((".svd", ".toml")) or "/" in name:
        p = Path(name) if Path(name).is_absolute() else path.parent / name
        if not p.is_file():
            raise BadInput(f"board file {path}: svd file {p} does not exist")
    return {"svd": name, "svd_source": source}


def _bitband(path: Path, data: dict) -> bool:
    """`bitband = true` (with `bitband_source`): the chip implements the Cortex-M3/M4 bit-band
    option (an implementation choice of the vendor, not every M4 has it)."""
    v = data.get("bitband", False)
    if not isinstance(v, bool):
        raise BadInput(f"board file {path}: key 'bitband' must be true or false")
    if v and not str(data.get("bitband_source", "")).strip():
        raise BadInput(f"board file {path}: bitband = true needs bitband_source (the manual "
                       f"section that says the chip has it)")
    return v


def _systick_ref(path: Path, data: dict) -> int:
    """`systick_ref_divider = 8` (with `systick_ref_source`): SysTick's external reference clock
    (CLKSOURCE = 0) is the core clock divided by this; 0 or absent: no reference clock modelled."""
    v = data.get("systick_ref_divider", 0)
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 1024:
        raise BadInput(f"board file {path}: systick_ref_divider must be a whole number 1-1024 "
                       f"(0: none)")
    if v and not str(data.get("systick_ref_source", "")).strip():
        raise BadInput(f"board file {path}: systick_ref_divider needs systick_ref_source")
    return v
