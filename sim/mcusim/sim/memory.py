"""Memory figures: where the image sits on the board, stack/heap regions, high-water marks.

High-water marks use painting: a region is filled with a pattern the firmware is unlikely to
write, and after the run the extent of bytes that differ from it is what was written. The
pattern varies with the address (a 32-bit LCG of the offset), so a buffer zeroed or filled with
one constant byte is still seen; a byte counts as unwritten only if the firmware wrote exactly the
pattern value at exactly that address (about 1 in 256 per byte, and only the extreme byte
matters), which is the accepted cost of not hooking every store (that would slow the whole run).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mcusim.boards import Board
from mcusim.errors import BadInput
from mcusim.result import MemoryStat, Section
from mcusim.sim.elf import ElfImage

_STACK_TOP = ("_estack", "__StackTop", "__stack", "_stack_top", "__stack_top")
_STACK_LIMIT = ("__stack_limit", "__StackLimit", "_sstack", "__stack_start")
_HEAP_BASE = ("__heap_start", "__HeapBase", "end", "_end", "__end__", "_ebss", "__bss_end__")
_HEAP_LIMIT = ("__HeapLimit", "__heap_end")


def _first(elf: ElfImage, names) -> int | None:
    for n in names:
        v = elf.symbol(n)
        if v is not None:
            return v
    return None


def pattern(addr: int, n: int) -> bytes:
    """The paint for [addr, addr+n): one byte of an LCG of the word address per byte."""
    idx = np.arange(addr, addr + n, dtype=np.uint64)
    v = (idx * np.uint64(2654435761) + np.uint64(0x9E3779B9)) & np.uint64(0xFFFFFFFF)
    return (v >> np.uint64(13)).astype(np.uint8).tobytes()


def written_extent(addr: int, data: bytes) -> tuple[int, int] | None:
    """(lowest, highest) offsets whose bytes differ from the paint, or None if untouched."""
    diff = np.frombuffer(data, np.uint8) != np.frombuffer(pattern(addr, len(data)), np.uint8)
    hits = np.flatnonzero(diff)
    if hits.size == 0:
        return None
    return int(hits[0]), int(hits[-1])


@dataclass
class Layout:
    """Stack and heap of the image on the board, from linker symbols or the memory map."""
    stack_top: int           # initial SP
    stack_limit: int         # lowest address the stack may use (its region's bottom)
    stack_size: int          # reserved by the linker script; 0 when not declared
    heap_base: int
    heap_limit: int

    @staticmethod
    def of(elf: ElfImage, board: Board, initial_sp: int) -> "Layout":
        top = initial_sp
        # The stack's RAM: the run of contiguous RAM memories it sits in (a script's RAM region
        # may cover DTCM and SRAM together), else the main SRAM.
        lo, hi = board.ram_span(top - 4) or (board.ram.base, board.ram.end)
        declared = _first(elf, _STACK_LIMIT)
        end_of_data = lo
        for s in elf.sections:   # highest end of any allocated section in the stack's RAM
            if s.alloc and s.size and lo <= s.address < top:
                end_of_data = max(end_of_data, s.address + s.size)
        heap_base = _first(elf, _HEAP_BASE) or end_of_data
        if not lo <= heap_base <= hi:
            heap_base = end_of_data
        if declared is not None and lo <= declared < top:
            limit, size = declared, top - declared
        else:
            limit, size = max(end_of_data, heap_base), 0
        heap_limit = _first(elf, _HEAP_LIMIT) or limit
        return Layout(stack_top=top, stack_limit=limit, stack_size=size,
                      heap_base=heap_base, heap_limit=heap_limit)


def check_placement(elf: ElfImage, board: Board) -> None:
    """Every loaded byte must land in board memory. A section may run from one memory into the
    next when they are contiguous (DTCM into SRAM, SRAM1 into SRAM2); refuse one that reaches an
    unmapped gap, and writable data the program would have to write into flash."""
    for s in elf.sections:
        if not s.alloc or not s.size:
            continue
        places = [(s.address, "at")]
        if not s.nobits and s.load_address != s.address:
            places.append((s.load_address, "loaded at"))
        for addr, how in places:
            gap = board.gap_in(addr, s.size)
            if gap is not None:
                lo, hi = gap
                raise BadInput(f"{elf.path}: section {s.name} ({_kb(s.size)} {how} {addr:#010x}) "
                               f"does not fit the memories of board {board.name}: it reaches the "
                               f"unmapped gap {lo:#010x}-{hi - 1:#010x} (board: "
                               f"{board.describe_memories()})")
        ro = [m for m in board.span(s.address, s.size) or [] if m.kind == "flash"]
        # .bss-like (NOBITS) or copied-in (.data: load address elsewhere) writable data needs RAM;
        # a writable table linked in place in flash (.init_array) is only read.
        if ro and s.writable and (s.nobits or s.load_address != s.address):
            raise BadInput(f"{elf.path}: section {s.name} ({_kb(s.size)} at {s.address:#010x}) "
                           f"is writable data placed in read-only {ro[0].name} of board "
                           f"{board.name} ({ro[0].base:#010x}-{ro[0].end - 1:#010x})")
    for seg in elf.segments:     # bytes of a segment that no section names (rare, hand-made ELFs)
        for addr, size in ((seg.paddr, len(seg.data)), (seg.vaddr, seg.memsz)):
            gap = board.gap_in(addr, size) if size else None
            if gap is not None:
                raise BadInput(f"{elf.path}: a segment ({_kb(size)} at {addr:#010x}) does not fit "
                               f"the memories of board {board.name}: it reaches the unmapped gap "
                               f"{gap[0]:#010x}-{gap[1] - 1:#010x} (board: "
                               f"{board.describe_memories()})")


def _kb(n: int) -> str:
    return f"{n} bytes" if n < 1024 else f"{n / 1024:.1f} KB"


def _split(board: Board, addr: int, size: int) -> dict[str, int]:
    """{memory name: bytes} of [addr, addr+size) by the board memory each byte is in."""
    out: dict[str, int] = {}
    for m in board.span(addr, size) or []:
        n = min(addr + size, m.end) - max(addr, m.base)
        if n > 0:
            out[m.name] = out.get(m.name, 0) + n
    return out


def sections_and_usage(elf: ElfImage, board: Board, layout: Layout) -> MemoryStat:
    """Flash/RAM used by section against the board's sizes, and per physical memory: a section
    that runs across contiguous memories counts its bytes in each (`Section.split`)."""
    sections, flash_used, ram_used, rams = [], 0, 0, {board.ram.name: board.ram}
    used = {m.name: 0 for m in board.memories}
    groups: list[list[str]] = []       # memories one section spans: the script's regions
    ram_ranges: list[tuple[int, int]] = []      # RAM bytes in use, for the per-bank figures
    for s in elf.sections:
        if not s.alloc or not s.size:
            continue
        span = board.span(s.address, s.size)
        if not span:
            continue
        mem = span[0]
        load = not s.nobits
        split = _split(board, s.address, s.size)
        sections.append(Section(name=s.name, address=s.address, size=s.size,
                                region="+".join(m.name for m in span), kind=mem.kind, load=load,
                                split=split if len(split) > 1 else {}))
        if len(span) > 1:
            groups.append([m.name for m in span])
        lspan = board.span(s.load_address, s.size) if load else None
        if lspan and lspan[0].kind == "flash":
            flash_used += s.size
            for name, n in _split(board, s.load_address, s.size).items():
                used[name] += n
        if mem.kind == "ram":
            ram_used += s.size
            ram_ranges.append((s.address, s.size))
            for m in span:
                rams[m.name] = m
            for name, n in split.items():
                used[name] += n
    ram_used += layout.stack_size       # the stack region the linker script reserves
    if layout.stack_size:
        ram_ranges.append((layout.stack_limit, layout.stack_size))
        for name, n in _split(board, layout.stack_limit, layout.stack_size).items():
            used[name] += n
        span = board.span(layout.stack_limit, layout.stack_size) or []
        for m in span:
            rams[m.name] = m
        if len(span) > 1:
            groups.append([m.name for m in span])
    by_memory = [{"name": m.name, "kind": m.kind, "base": m.base, "size": m.size,
                  "used": used[m.name], **_banks_used(m, ram_ranges)}
                 for m in sorted(board.memories, key=lambda m: m.base)]
    return MemoryStat(flash_used=flash_used, flash_size=board.flash.size, ram_used=ram_used,
                      ram_size=sum(m.size for m in rams.values()),
                      stack_size=layout.stack_size, sections=sections, by_memory=by_memory,
                      regions=_regions(board, groups, used))


def _banks_used(mem, ranges: list[tuple[int, int]]) -> dict:
    """{"banks": [...]} with the bytes of `ranges` in each physical bank of a RAM that has them
    (SRAM1/SRAM2 of one board memory); {} otherwise."""
    if mem.kind != "ram" or not mem.banks:
        return {}
    return {"banks": [{"name": b.name, "base": b.base, "size": b.size,
                       "used": sum(max(0, min(a + n, b.end) - max(a, b.base)) for a, n in ranges)}
                      for b in mem.banks]}


def _regions(board: Board, groups: list[list[str]], used: dict[str, int]) -> list[dict]:
    """Linker regions the sections show: memories joined by a section that runs across them
    (CubeMX's F746 RAM region is DTCM + SRAM). Only regions of more than one memory."""
    merged: list[set[str]] = []
    for g in groups:
        g = set(g)
        for other in [o for o in merged if o & g]:
            g |= other
            merged.remove(other)
        merged.append(g)
    out = []
    for g in merged:
        mems = sorted((m for m in board.memories if m.name in g), key=lambda m: m.base)
        out.append({"name": "+".join(m.name for m in mems), "base": mems[0].base,
                    "size": sum(m.size for m in mems), "used": sum(used[m.name] for m in mems),
                    "memories": [m.name for m in mems]})
    return sorted(out, key=lambda r: r["base"])


def watch_targets(elf: ElfImage, names: list[str], board=None,
                  defaults: tuple[str, ...] = ()) -> dict[str, tuple[int, int]]:
    """symbol -> (address, size) of the buffers to paint and measure: the requested symbols
    (--watch) and `defaults` present in the ELF (the model compiler's arena). Only writable RAM
    objects: flash and read-only data are never painted (a C++ vtable is an object too)."""
    out: dict[str, tuple[int, int]] = {}
    for name in names:
        addr, size = elf.symbol(name), elf.object_size(name)
        if addr is None:
            raise BadInput(f"--watch {name}: no such symbol in {elf.path.name}")
        if not size:
            raise BadInput(f"--watch {name}: symbol has no size (not a data object)")
        why = _not_writable_ram(elf, board, addr, size)
        if why:
            raise BadInput(f"--watch {name}: {why}; only writable RAM objects can be watched")
        out[name] = (addr, size)
    for name in defaults:
        addr, size = elf.symbol(name), elf.object_size(name)
        if addr is not None and size and name not in out and \
                not _not_writable_ram(elf, board, addr, size):
            out[name] = (addr, size)
    return out


def _not_writable_ram(elf: ElfImage, board, addr: int, size: int) -> str:
    sec = elf.section_at(addr)
    if sec is None or not sec.writable or sec.executable:
        return f"it is at {addr:#010x}, in {'read-only ' + sec.name if sec else 'no'} section"
    mem = board.memory_at(addr, size) if board is not None else None
    if board is not None and (mem is None or mem.kind != "ram"):
        return f"it is at {addr:#010x}, not in RAM"
    return ""


def initial_bytes(elf: ElfImage, addr: int, size: int) -> bytes:
    """What start-up code leaves in [addr, addr+size) before main: the .data image, or zeros
    (.bss; .noinit is whatever the simulator mapped: zeros)."""
    out = bytearray(size)
    for seg in elf.segments:
        lo, hi = max(addr, seg.vaddr), min(addr + size, seg.vaddr + len(seg.data))
        if lo < hi:
            out[lo - addr:hi - addr] = seg.data[lo - seg.vaddr:hi - seg.vaddr]
    return bytes(out)
