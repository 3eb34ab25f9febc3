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
        ram = board.memory_at(top - 4) or board.ram
        declared = _first(elf, _STACK_LIMIT)
        end_of_data = ram.base
        for s in elf.sections:   # highest end of any allocated section in the stack's RAM
            if s.alloc and s.size and ram.contains(s.address) and s.address < top:
                end_of_data = max(end_of_data, s.address + s.size)
        heap_base = _first(elf, _HEAP_BASE) or end_of_data
        if not ram.contains(heap_base) and heap_base != ram.end:
            heap_base = end_of_data
        if declared is not None and ram.base <= declared < top:
            limit, size = declared, top - declared
        else:
            limit, size = max(end_of_data, heap_base), 0
        heap_limit = _first(elf, _HEAP_LIMIT) or limit
        return Layout(stack_top=top, stack_limit=limit, stack_size=size,
                      heap_base=heap_base, heap_limit=heap_limit)


def check_placement(elf: ElfImage, board: Board) -> None:
    """Every loaded byte must land in a board memory: refuse with the section that does not."""
    for seg in elf.segments:
        for addr, size, what in ((seg.paddr, len(seg.data), "load"), (seg.vaddr, seg.memsz, "run")):
            if size and board.memory_at(addr, size) is None:
                names = [s for s in elf.sections if s.alloc and s.size and
                         (s.load_address if what == "load" else s.address) < addr + size and
                         (s.load_address if what == "load" else s.address) + s.size > addr]
                bad = [s for s in names if board.memory_at(
                    s.load_address if what == "load" else s.address, s.size) is None] or names
                if bad:
                    s = bad[0]
                    a = s.load_address if what == "load" else s.address
                    desc = f"section {s.name} ({_kb(s.size)} at {a:#010x})"
                else:
                    desc = f"a segment ({_kb(size)} at {addr:#010x})"
                raise BadInput(f"{elf.path}: {desc} does not fit the memories of board "
                               f"{board.name}: {board.describe_memories()}")


def _kb(n: int) -> str:
    return f"{n} bytes" if n < 1024 else f"{n / 1024:.1f} KB"


def sections_and_usage(elf: ElfImage, board: Board, layout: Layout) -> MemoryStat:
    """Flash/RAM used by section against the board's sizes."""
    sections, flash_used, ram_used, rams = [], 0, 0, {board.ram.name: board.ram}
    for s in elf.sections:
        if not s.alloc or not s.size:
            continue
        mem = board.memory_at(s.address, 1)
        if mem is None:
            continue
        load = not s.nobits
        sections.append(Section(name=s.name, address=s.address, size=s.size, region=mem.name,
                                kind=mem.kind, load=load))
        lmem = board.memory_at(s.load_address, 1)
        if load and lmem is not None and lmem.kind == "flash":
            flash_used += s.size
        if mem.kind == "ram":
            ram_used += s.size
            rams[mem.name] = mem
    ram_used += layout.stack_size       # the stack region the linker script reserves
    return MemoryStat(flash_used=flash_used, flash_size=board.flash.size, ram_used=ram_used,
                      ram_size=sum(m.size for m in rams.values()),
                      stack_size=layout.stack_size, sections=sections)


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
