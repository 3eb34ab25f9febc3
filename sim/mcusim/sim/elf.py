"""ELF loading with pyelftools: load segments, sections and symbols of a 32-bit Arm executable."""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import Path

from elftools.common.exceptions import ELFError
from elftools.elf.constants import SH_FLAGS
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

from mcusim.errors import BadInput

# e_machine values (ELF gABI, "Machine information") named in the refusal message.
_MACHINES = {3: "x86 (32-bit)", 62: "x86-64", 183: "AArch64 (64-bit Arm)", 243: "RISC-V",
             94: "Xtensa", 8: "MIPS", 83: "AVR"}
EM_ARM = 40


@dataclass(frozen=True)
class Segment:
    vaddr: int                   # run address (VMA)
    paddr: int                   # load address (LMA): where the bytes live at reset
    data: bytes                  # file bytes (p_filesz)
    memsz: int                   # p_memsz (>= len(data); the rest is zero-filled .bss)
    flags: int


@dataclass(frozen=True)
class ElfSection:
    name: str
    address: int                 # VMA
    size: int
    load_address: int            # LMA (differs from address for .data)
    alloc: bool
    nobits: bool                 # .bss-like: no bytes in the file
    writable: bool
    executable: bool


@dataclass
class ElfImage:
    path: Path
    entry: int
    segments: list[Segment]
    sections: list[ElfSection]
    functions: list[tuple[str, int, int]]    # sorted (name, addr, size), Thumb bit cleared
    objects: list[tuple[str, int, int]]      # sorted (name, addr, size)
    symbols: dict[str, int] = field(default_factory=dict)   # every named symbol -> value
    _starts: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._starts = [a for _, a, _ in self.functions]

    def symbol(self, name: str) -> int | None:
        """Address of a symbol (Thumb bit cleared for functions), or None."""
        return self.symbols.get(name)

    def object_size(self, name: str) -> int | None:
        for n, _, size in self.objects:
            if n == name:
                return size
        return None

    def function_at(self, addr: int) -> tuple[str, int, int] | None:
        i = bisect.bisect_right(self._starts, addr) - 1
        if i < 0:
            return None
        name, start, size = self.functions[i]
        if addr < start + max(size, 1):
            return self.functions[i]
        if size == 0:
            # An assembly label without a size: only addresses in its own section are its.
            sec = self.section_at(start)
            if sec is not None and sec is self.section_at(addr):
                return self.functions[i]
        return None

    def symbolize(self, addr: int) -> str:
        """'name+0x1a' for an address inside a function, else the hex address."""
        hit = self.function_at(addr & ~1)
        if hit is None:
            return f"{addr:#010x}"
        name, start, _ = hit
        off = (addr & ~1) - start
        return f"{name}+{off:#x}" if off else name

    def section_at(self, addr: int) -> ElfSection | None:
        for s in self.sections:
            if s.alloc and s.address <= addr < s.address + max(s.size, 1):
                return s
        return None


def load_elf(path: str | Path) -> ElfImage:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise BadInput(f"{path}: cannot read: {e.strerror}") from None
    if raw[:4] != b"\x7fELF":
        raise BadInput(f"{path}: not an ELF file (expected an executable built for Cortex-M)")
    if len(raw) < 52:
        raise BadInput(f"{path}: truncated ELF file ({len(raw)} bytes, the header alone is 52)")
    ei_class = raw[4]
    e_machine = int.from_bytes(raw[18:20], "little" if raw[5] == 1 else "big")
    if ei_class == 2 or e_machine != EM_ARM:
        name = _MACHINES.get(e_machine, f"machine {e_machine}")
        bits = "64-bit" if ei_class == 2 else "32-bit"
        raise BadInput(f"{path}: ELF for {name} ({bits}), not for 32-bit Arm (Cortex-M)")
    if raw[5] != 1:
        raise BadInput(f"{path}: big-endian Arm ELF; Cortex-M firmware must be little-endian")
    try:
        return _parse(path, raw)
    except BadInput:
        raise
    except (ELFError, ValueError, IndexError, OSError) as e:
        raise BadInput(f"{path}: truncated or corrupt ELF file ({e})") from None
    except Exception as e:  # noqa: BLE001 - pyelftools raises plain struct errors on short files
        raise BadInput(f"{path}: truncated or corrupt ELF file ({type(e).__name__})") from None


def _parse(path: Path, raw: bytes) -> ElfImage:
    import io
    elf = ELFFile(io.BytesIO(raw))
    if elf["e_type"] not in ("ET_EXEC", "ET_DYN"):
        raise BadInput(f"{path}: ELF type {elf['e_type']}, expected a linked executable "
                       f"(link with arm-none-eabi-gcc, not just -c)")
    segments = []
    for seg in elf.iter_segments():
        if seg["p_type"] != "PT_LOAD" or seg["p_memsz"] == 0:
            continue
        off, filesz = seg["p_offset"], seg["p_filesz"]
        if off + filesz > len(raw):
            raise BadInput(f"{path}: truncated ELF file (a segment at {seg['p_paddr']:#x} "
                           f"ends past the end of the file)")
        segments.append(Segment(vaddr=seg["p_vaddr"], paddr=seg["p_paddr"],
                                data=raw[off:off + filesz], memsz=seg["p_memsz"],
                                flags=seg["p_flags"]))
    if not segments:
        raise BadInput(f"{path}: ELF has no loadable segments")
    sections = []
    for sec in elf.iter_sections():
        if not sec.name or sec["sh_type"] == "SHT_NULL":
            continue
        flags = sec["sh_flags"]
        alloc = bool(flags & SH_FLAGS.SHF_ALLOC)
        addr = sec["sh_addr"]
        nobits = sec["sh_type"] == "SHT_NOBITS"
        sections.append(ElfSection(
            name=sec.name, address=addr, size=sec["sh_size"],
            load_address=_lma(segments, sec, addr) if alloc and not nobits else addr,
            alloc=alloc, nobits=nobits, writable=bool(flags & SH_FLAGS.SHF_WRITE),
            executable=bool(flags & SH_FLAGS.SHF_EXECINSTR)))
    functions: dict[int, tuple[str, int, int]] = {}
    objects: dict[str, tuple[str, int, int]] = {}
    symbols: dict[str, int] = {}
    symtab = elf.get_section_by_name(".symtab")
    if symtab is not None and not isinstance(symtab, SymbolTableSection):
        raise BadInput(f"{path}: corrupt ELF file (section .symtab has type "
                       f"{symtab['sh_type']}, not a symbol table)")
    if symtab is not None:
        for sym in symtab.iter_symbols():
            name, typ = sym.name, sym["st_info"]["type"]
            if not name or name.startswith("$"):    # $t/$d/$a mapping symbols
                continue
            value = sym["st_value"]
            if typ == "STT_FUNC":
                value &= ~1
                prev = functions.get(value)
                # Several names for one address (aliases): keep the global, else the first.
                if prev is None or (sym["st_info"]["bind"] == "STB_GLOBAL" and prev[2] == 0):
                    functions[value] = (name, value, sym["st_size"])
            elif typ == "STT_OBJECT":
                objects[name] = (name, value, sym["st_size"])
            if typ in ("STT_FUNC", "STT_OBJECT", "STT_NOTYPE") and sym["st_shndx"] != "SHN_UNDEF":
                if name not in symbols or sym["st_info"]["bind"] == "STB_GLOBAL":
                    symbols[name] = value
    return ElfImage(path=path, entry=elf["e_entry"], segments=segments, sections=sections,
                    functions=sorted(functions.values(), key=lambda f: (f[1], f[0])),
                    objects=sorted(objects.values(), key=lambda o: (o[1], o[0])),
                    symbols=symbols)


def _lma(segments: list[Segment], sec, addr: int) -> int:
    """Load address of a section: its segment's p_paddr plus its offset in that segment."""
    for seg in segments:
        if seg.vaddr <= addr < seg.vaddr + max(seg.memsz, 1):
            return seg.paddr + (addr - seg.vaddr)
    return addr
