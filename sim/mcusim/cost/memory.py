"""Memory timing: instruction-fetch and data-read wait states of the board's memories.

A memory with an accelerator (ST ART, Cortex-M7 L1, XIP cache...) gets a line cache modelled in
C (native/mcusim_hook.c): a fetch line that misses costs the memory's wait states, except a line
that sequentially follows the previous one when the accelerator prefetches. A memory with wait
states and no accelerator costs its wait states on every 32-bit fetch (static, per block).
Data reads from flash (model weights, literal pools) go through the accelerator's data cache
when it has one, else through a one-line buffer of the flash read width.
"""
from __future__ import annotations

from mcusim.errors import McusimError

FETCH_BYTES = 4      # Cortex-M3/M4/M0+ fetch 32 bits per instruction-fetch access
NO_MODEL = 0xFF


def _miss(mem) -> int:
    acc = mem.accelerator or {}
    return int(acc.get("miss_cycles", mem.wait_states or 0))


def _lines(acc: dict, prefix: str, line_bytes: int) -> int:
    if f"{prefix}_lines" in acc:
        return int(acc[f"{prefix}_lines"])
    if f"{prefix}_bytes" in acc:
        return max(1, int(acc[f"{prefix}_bytes"]) // line_bytes)
    return 1            # no cache of that side: a single line buffer


def _ways(acc: dict, lines: int, side: str) -> int:
    if "ways" in acc:
        return int(acc["ways"])
    if acc.get("type") == "cortex-m7-l1":
        # Cortex-M7 TRM (DDI 0489F) §5.1: I-cache 2-way, D-cache 4-way set-associative
        return 2 if side == "icache" else 4
    return lines        # organisation not given (e.g. ST ART): fully associative LRU


def fetch_models(board, lib, ctx) -> dict[int, int]:
    """{id(memory): fetch model index} for memories with an accelerator and a miss cost."""
    out = {}
    for mem in board.memories:
        acc = mem.accelerator
        if not acc or _miss(mem) <= 0:
            continue
        line = int(acc.get("line_bytes", 16))
        lines = _lines(acc, "icache", line)
        idx = lib.mcs_add_fetch(ctx, line, lines, _ways(acc, lines, "icache"), _miss(mem),
                                int(bool(acc.get("prefetch", False))))
        _refuse_geometry(idx, board, mem)
        if idx >= 0:
            out[id(mem)] = idx
    return out


def static_fetch_stall(mem, addr: int, size: int) -> int:
    """Wait states of fetching [addr, addr+size) from a memory with no accelerator."""
    ws = int(mem.wait_states or 0)
    if ws <= 0 or mem.accelerator:
        return 0
    words = ((addr + size - 1) // FETCH_BYTES) - (addr // FETCH_BYTES) + 1
    return words * ws


def block_fetch(board, models: dict[int, int], addr: int, size: int) -> tuple[int, int]:
    """(fetch model index or NO_MODEL, static fetch stall) of the code block [addr, addr+size).

    A block inside one memory gets that memory's line model (accelerator) or its static wait
    states. A block that runs from one memory into a contiguous one (code linked across
    DTCM/SRAM or SRAM banks) is costed word by word: each 32-bit fetch word pays the wait states
    of the memory that holds it; words in an accelerated memory count as cache hits there (the
    line model follows whole blocks of its own memory only)."""
    span = board.span(addr, size) if hasattr(board, "span") else None
    if not span or len(span) == 1:
        mem = span[0] if span else _first_at(board, addr)
        idx = models.get(id(mem), NO_MODEL) if mem is not None else NO_MODEL
        stall = static_fetch_stall(mem, addr, size) if mem is not None and idx == NO_MODEL else 0
        return idx, stall
    stall = 0
    for word in range(addr // FETCH_BYTES, (addr + size - 1) // FETCH_BYTES + 1):
        mem = board.memory_at(word * FETCH_BYTES)
        if mem is not None:
            stall += static_fetch_stall(mem, word * FETCH_BYTES, 1)
    return NO_MODEL, stall


def _first_at(board, addr: int):
    at = getattr(board, "memory_at", None)
    if at is not None:
        return at(addr)
    return next((m for m in board.memories if m.base <= addr < m.base + m.size), None)


def data_caches(board, lib, ctx) -> list[tuple[int, int]]:
    """Register a data-side model for each flash with wait states; return their ranges."""
    out = []
    for mem in board.memories:
        if mem.kind != "flash" or _miss(mem) <= 0:
            continue
        acc = mem.accelerator or {}
        line = int(acc.get("line_bytes", FETCH_BYTES))
        lines = _lines(acc, "dcache", line)
        idx = lib.mcs_add_data(ctx, mem.base, mem.base + mem.size, line, lines,
                               _ways(acc, lines, "dcache"), _miss(mem))
        _refuse_geometry(idx, board, mem)
        if idx >= 0:
            out.append((mem.base, mem.base + mem.size))
    return out


def _refuse_geometry(idx: int, board, mem) -> None:
    """-2 from the native model: a cache it cannot build (line size, line count, memory)."""
    if idx == -2:
        raise McusimError(f"board {board.name}: memory {mem.name}: its accelerator's cache "
                          "geometry cannot be modelled (line_bytes a power of two up to 65536, "
                          "at most 16M lines)")
