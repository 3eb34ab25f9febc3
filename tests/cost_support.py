"""Helpers for the cost-model tests: build a bare assembly/C program, run it on a bare Unicorn
with the Profiler, and minimal stand-ins for Board and ElfImage (only what the profiler reads)."""
from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from elftools.elf.elffile import ELFFile
from unicorn import UC_ARCH_ARM, UC_MODE_MCLASS, UC_MODE_THUMB, Uc
from unicorn.arm_const import UC_ARM_REG_SP

from mcusim.toolchain import core_flags, gcc

ROOT = Path(__file__).resolve().parent.parent
TIMING = ROOT / "firmware" / "tests" / "timing"
FLASH, RAM = 0x0800_0000, 0x2000_0000


@dataclass
class Memory:
    name: str
    kind: str
    base: int
    size: int
    wait_states: int = 0
    accelerator: dict | None = None


@dataclass
class MiniBoard:
    core: str = "cortex-m4"
    profile: str = "cortex-m4"
    clock_hz: int = 168_000_000
    memories: list = field(default_factory=lambda: [
        Memory("flash", "flash", FLASH, 0x10_0000), Memory("sram", "ram", RAM, 0x2_0000)])
    power: dict = field(default_factory=lambda: {"voltage_v": 3.3, "run_ua_per_mhz": 238})
    core_options: dict = field(default_factory=dict)

    def memory_at(self, addr):
        for m in self.memories:
            if m.base <= addr < m.base + m.size:
                return m
        return None


class MiniElf:
    def __init__(self, path: Path):
        self.path = path
        with open(path, "rb") as f:
            elf = ELFFile(f)
            self.entry = elf.header.e_entry
            self.segments = [(s["p_paddr"], s.data()) for s in elf.iter_segments()
                             if s["p_type"] == "PT_LOAD" and s["p_filesz"]]
            syms = elf.get_section_by_name(".symtab")
            fns = {}
            self.symbols = {}
            for s in syms.iter_symbols():
                self.symbols[s.name] = s["st_value"]
                if s["st_info"]["type"] == "STT_FUNC" and s.name:
                    fns[s["st_value"] & ~1] = (s.name, s["st_value"] & ~1, s["st_size"])
        self.functions = sorted(fns.values(), key=lambda t: t[1])

    def symbol(self, name):
        return self.symbols[name]

    def symbolize(self, addr):
        for name, a, size in self.functions:
            if a <= addr < a + max(size, 1):
                return f"{name}+{addr - a:#x}"
        return f"{addr:#x}"


def build(src: Path, core: str = "cortex-m4", extra: list[str] | None = None,
          out_dir: Path | None = None) -> Path:
    """Build a -nostdlib program at FLASH with entry _start; cached by source and flags."""
    args = [*core_flags(core), "-nostdlib", "-O2", "-ffreestanding",
            f"-Wl,-Ttext={FLASH:#x}", f"-Wl,-Tdata={RAM:#x}", "-Wl,-e,_start", *(extra or [])]
    key = hashlib.sha256(Path(src).read_bytes() + " ".join(args).encode()).hexdigest()[:16]
    out = (out_dir or Path("/tmp/mcusim-cost-tests")) / f"{Path(src).stem}-{core}-{key}.elf"
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([gcc(), *args, str(src), "-o", str(out)], check=True)
    return out


def machine(elf: MiniElf, board: MiniBoard) -> Uc:
    uc = Uc(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS)
    for m in board.memories:
        uc.mem_map(m.base, m.size)
    for addr, data in elf.segments:
        uc.mem_write(addr, data)
    uc.reg_write(UC_ARM_REG_SP, RAM + 0x1_0000)
    return uc


def run(elf_path: Path, board: MiniBoard | None = None, until: str = "done",
        max_cycles: int | None = None, profiler_cls=None, count: int = 0):
    """Run from _start to the symbol `until`; return (profiler, ProfileData, uc)."""
    from mcusim.cost.profiler import Profiler
    board = board or MiniBoard()
    elf = MiniElf(elf_path)
    uc = machine(elf, board)
    prof = (profiler_cls or Profiler)(uc, board, elf, max_cycles=max_cycles)
    prof.install()
    uc.emu_start(elf.entry | 1, elf.symbol(until) & ~1, count=count)
    return prof, prof.finish(), uc


def asm_program(body: str, core: str = "cortex-m4", prologue: str = "") -> Path:
    """A program whose _start runs `body` and then reaches `done` (the stop address)."""
    src = (".syntax unified\n.thumb\n.text\n.global _start, done\n.type _start, %function\n"
           f"_start:\n{body}\ndone:\n    b done\n.ltorg\n{prologue}\n")
    key = hashlib.sha256(src.encode()).hexdigest()[:16]
    path = Path("/tmp/mcusim-cost-tests") / f"snippet-{key}.S"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(src)
    return build(path, core)


def cycles_of(body: str, core: str = "cortex-m4", board: MiniBoard | None = None) -> int:
    profile = {"cortex-m4f": "cortex-m4"}.get(core, core)
    board = board or MiniBoard(core=core, profile=profile)
    return run(asm_program(body, core), board)[1].cycles
