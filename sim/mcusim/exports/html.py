"""--html FILE: one self-contained page (inline CSS, SVG drawn by inline JS, no network) with
the totals, per-layer cycles, the arena plan, flash and RAM by section and the top functions."""
from __future__ import annotations

import html
import json

from mcusim.exports.html_assets import CSS, JS
from mcusim.report import arena_map
from mcusim.report.fmt import grouped, human_bytes, human_energy, human_time, shape
from mcusim.report.memory_view import flash_sections, ram_sections, reserved

TOP_FUNCTIONS = 40
STDOUT_CHARS = 4000    # the tail of the firmware's output


def _sections(secs, used: int) -> list[dict]:
    out = [{"name": s.name, "address": s.address, "size": s.size, "region": s.region}
           for s in sorted(secs, key=lambda s: s.address)]
    rest = reserved(used, secs)
    if rest:
        out.append({"name": "reserved (stack/heap)", "address": None, "size": rest, "region": ""})
    return out


def page_data(result) -> dict:
    m = result.memory
    bs = arena_map.blocks(result)
    total = result.cycles or 1
    funcs = sorted(result.functions, key=lambda f: (-f.self_cycles, f.name))[:TOP_FUNCTIONS]
    extra = [["stack peak", human_bytes(m.stack_peak)
              + (f" of {human_bytes(m.stack_size)}" if m.stack_size else "")]]
    if m.heap_peak:
        extra.append(["heap peak", human_bytes(m.heap_peak)])
    for sym, w in sorted((m.watches or {}).items()):
        extra.append([f"{sym} high-water mark",
                      f"{human_bytes(w.get('peak', 0))} of {human_bytes(w.get('size', 0))}"])
    for part, size in (m.flash_split or {}).items():
        extra.append([f"model flash: {part}", human_bytes(size)])
    clean = result.stop.reason == "exit" and result.exit_code == 0
    return {
        "title": (result.model or {}).get("name") or result.target or result.elf,
        "board": result.board, "core": result.core, "clock_mhz": result.clock_hz / 1e6,
        "exit_code": result.exit_code,
        "stop": {"reason": result.stop.reason, "where": result.stop.where,
                 "message": "" if clean else result.stop.message},
        "stdout": result.stdout[-STDOUT_CHARS:],
        "totals": [["cycles", grouped(result.cycles)],
                   ["instructions", grouped(result.instructions)],
                   ["CPI", f"{result.cpi:.3f}"],
                   ["time", human_time(result.time_s)],
                   ["energy", human_energy(result.energy_uj)]],
        "layers": [{"index": l.index, "op": l.op, "name": l.name, "kernel": l.kernel,
                    "shapes": " ".join(shape(s) for s in l.input_shapes)
                              + " → " + shape(l.output_shape),
                    "macs": l.macs, "cycles": l.cycles, "macs_per_cycle": l.macs_per_cycle}
                   for l in result.layers],
        "arena": dict(result.arena or {}),
        "arena_plan": [{"tensor": b.tensor, "name": b.name, "label": b.label, "offset": b.offset,
                        "size": b.size, "first": b.first, "last": b.last} for b in bs],
        "n_layers": arena_map.layer_count(result, bs),
        "memories": [{"name": "flash", "used": m.flash_used, "size": m.flash_size,
                      "sections": _sections(flash_sections(m), m.flash_used)},
                     {"name": "RAM", "used": m.ram_used, "size": m.ram_size,
                      "sections": _sections(ram_sections(m), m.ram_used)}],
        "extra_memory": extra,
        "functions": [{"name": f.name, "calls": f.calls, "self_cycles": f.self_cycles,
                       "total_cycles": f.total_cycles, "self_pct": 100 * f.self_cycles / total,
                       "total_pct": 100 * f.total_cycles / total} for f in funcs],
    }


def _script_json(data) -> str:
    # Inside <script>, "</script>" or "<!--" in a symbol name must not end the element.
    return (json.dumps(data).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026"))


def render(result) -> str:
    data = page_data(result)
    title = html.escape(f"mcusim: {data['title']} on {result.board}")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{title}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        "<header id=\"head\"></header>\n<main id=\"main\"></main>\n"
        "<noscript>This report draws its charts with JavaScript.</noscript>\n"
        f"<script type=\"application/json\" id=\"mcusim-data\">{_script_json(data)}</script>\n"
        f"<script>{JS}</script>\n</body>\n</html>\n")
