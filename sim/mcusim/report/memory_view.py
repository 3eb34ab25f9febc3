"""The memory part of the terminal report: flash and RAM against the board, by section."""
from __future__ import annotations

from rich.table import Table
from rich.text import Text

from mcusim.report.bars import bar, usage_style
from mcusim.report.fmt import human_bytes, percent

BAR = 28


def flash_sections(memory) -> list:
    """Sections with bytes in flash: code and constants, plus the load image of .data."""
    return [s for s in memory.sections if s.size and (s.kind == "flash" or s.load)]


def ram_sections(memory) -> list:
    return [s for s in memory.sections if s.size and s.kind == "ram"]


def reserved(used: int, sections) -> int:
    """Bytes counted as used but in no section: regions the linker script reserves (stack, heap)."""
    return max(used - sum(s.size for s in sections), 0)


def ram_by_memory(memory) -> list[dict]:
    """RAM use per physical memory, and per bank (SRAM1, SRAM2) of a memory that has banks,
    when more than one holds something (a section running from DTCM into SRAM, a buffer in
    CCM, a stack at the top of SRAM2); [] when all of it is in one."""
    used = []
    for r in getattr(memory, "by_memory", None) or []:
        if r["kind"] != "ram" or not r["used"] or not r["size"]:
            continue
        banks = [b for b in r.get("banks", []) if b["used"]]
        used += [dict(b, bank=r["name"]) for b in banks] if len(banks) > 1 else [r]
    return used if len(used) > 1 else []


def _row(t: Table, label: str, used: int, size: int, sub: bool = False, note: str = "") -> None:
    """A memory (bold, coloured by how full it is) or one of its parts (dim, indented)."""
    frac = used / size if size else 0.0
    t.add_row(Text(("  " if sub else "") + label, style="dim" if sub else "bold"),
              bar(frac, BAR, "cyan" if sub else usage_style(frac)) if size else Text(""),
              human_bytes(used), f"of {human_bytes(size)}" if size and not sub else "",
              percent(used, size) if size else "", note)


def memory_table(result) -> Table:
    m = result.memory
    t = Table.grid(padding=(0, 1))
    for justify in ("left", "left", "right", "left", "right", "left"):
        t.add_column(justify=justify, no_wrap=True)
    _row(t, "flash", m.flash_used, m.flash_size)
    for s in sorted(flash_sections(m), key=lambda s: s.address):
        _row(t, s.name, s.size, m.flash_size, True, "load image" if s.kind == "ram" else "")
    for part, size in (m.flash_split or {}).items():
        _row(t, f"model {part}", size, m.flash_size, True)
    _row(t, "RAM", m.ram_used, m.ram_size)
    for s in sorted(ram_sections(m), key=lambda s: s.address):
        _row(t, s.name, s.size, m.ram_size, True, s.region)
    if reserved(m.ram_used, ram_sections(m)):
        _row(t, "reserved", reserved(m.ram_used, ram_sections(m)), m.ram_size, True,
             "stack/heap regions")
    for r in ram_by_memory(m):       # RAM per physical memory, when more than one is used
        frac = r["used"] / r["size"]
        t.add_row(Text(f"  in {r['name']}", style="dim"), bar(frac, BAR, usage_style(frac)),
                  human_bytes(r["used"]), f"of {human_bytes(r['size'])}",
                  percent(r["used"], r["size"]), f"bank of {r['bank']}" if "bank" in r else "memory")
    if m.stack_size:
        note = "OVERFLOW: past the reserved stack" if m.stack_peak > m.stack_size else "peak"
        _row(t, "stack", m.stack_peak, m.stack_size, note=note)
    else:
        t.add_row(Text("stack", style="bold"), "", human_bytes(m.stack_peak), "", "", "peak")
    if m.heap_peak:
        t.add_row(Text("heap", style="bold"), "", human_bytes(m.heap_peak), "", "", "peak")
    for sym, w in sorted((m.watches or {}).items()):
        _row(t, sym if len(sym) <= 18 else sym[:17] + "…", int(w.get("peak", 0)),
             int(w.get("size", 0)), note="high-water mark")
    return t
