"""The terminal report and the progress line: what they show, 100 columns, no colour off a tty."""
from __future__ import annotations

import io
import re

from rich.cells import cell_len
from rich.console import Console

from _results import KWS_LAYERS, KWS_PLAN, elf_result, kws_result
from mcusim.report import arena_map
from mcusim.report.progress import Progress
from mcusim.report.terminal import make_console, print_report
from mcusim.result import Stop

ANSI = re.compile(r"\x1b\[")


def render(result, top=12, **console_kw) -> str:
    buf = io.StringIO()
    console = make_console(buf) if not console_kw else Console(file=buf, **console_kw)
    print_report(result, top=top, console=console)
    return buf.getvalue()


def test_model_report_shows_every_part_in_100_plain_columns():
    out = render(kws_result())
    assert not ANSI.search(out), "colour codes written to a non-terminal"
    lines = out.splitlines()
    assert max(cell_len(l) for l in lines) <= 100
    head = lines[0]
    assert "kws_ref_model" in head and "stm32f4" in head and "cortex-m4f @ 168 MHz" in head
    assert "exit 0" in head and "stop: exit" in head
    # totals: cycles, instructions, CPI, time at the clock, energy
    r = kws_result()
    assert f"{r.cycles:,}" in out and f"{r.instructions:,}" in out and f"{r.cpi:.3f}" in out
    assert f"{r.cycles / 168e3:.3f} ms" in out and "mJ" in out
    # memory by section, stack, watched buffer
    for name in (".text", ".rodata", ".bss", "._stack", "model weights", "mcusim_arena"):
        assert name in out
    assert re.search(r"stack\s+\S+\s+1\.4 KiB of 4\.0 KiB\s+34\.0%", out)
    # every layer, with its MACs and cycles, and the total line
    for i, (op, _, _, _, macs, cycles) in enumerate(KWS_LAYERS):
        row = next(l for l in lines if re.match(rf"\s*{i}\s+{op}\s", l))
        assert f"{cycles:,}" in row and (f"{macs:,}" in row)
    assert f"{sum(l[5] for l in KWS_LAYERS):,}" in out
    # arena: the picture's legend names tensors; TFLM's arena holds the model's I/O, so it is
    # compared with mcusim's arena + I/O buffers (16,000 + 502 B vs 22,896 B), never the arena alone
    assert "arena plan" in out and "conv2d/Relu" in out and "input_1" in out
    assert "planned 15.6 KiB" in out and "model I/O buffers (outside it) 502 B" in out
    assert ("vs TFLM (both with model I/O): arena + I/O 16.1 KiB vs TFLM 22.4 KiB = 0.72x "
            "(27.9% smaller)") in out
    assert "30.1% smaller" not in out                   # the old arena-without-I/O comparison


def test_arena_summary_without_io_says_what_it_compares():
    r = kws_result()
    del r.arena["io"]
    out = render(r)
    assert "arena without I/O 15.6 KiB vs TFLM 22.4 KiB with I/O = 0.70x (30.1% smaller)" in out


def test_json_arena_is_like_for_like():
    a = kws_result().to_json()["arena"]
    assert a["with_io"] == 16_502 and a["tflm_ratio"] == round(16_502 / 22_896, 4)


def test_layer_bars_scale_with_cycles():
    lines = render(kws_result()).split("layers ─")[1].split("arena plan")[0].splitlines()

    def bar_len(i):
        row = next(l for l in lines if re.match(rf"\s*{i}\s+[A-Z0-9_]+\s", l))
        return row.count("█")
    assert bar_len(0) == 16                       # the slowest layer fills its bar
    assert 9 <= bar_len(2) <= 10                  # 702k / 1104k of 16 cells
    assert bar_len(12) == 0


def test_top_functions_limit_and_order():
    out = render(kws_result(), top=3)
    table = out.split("functions (by self cycles)")[1].split("layers")[0]
    names = [l.split()[0] for l in table.splitlines()[3:6]]
    assert names == ["arm_convolve_1x1_s8_fast", "arm_convolve_s8", "arm_depthwise_conv_3x3_s8"]
    assert "… 22 more" in table


def test_elf_report_has_no_model_parts():
    out = render(elf_result())
    assert "crc32" in out and "heap" in out and "1.0 KiB" in out
    assert "layers" not in out and "arena" not in out


def test_fault_report_names_where_it_stopped():
    r = elf_result(exit_code=70)
    r.stop = Stop("fault", "read of unmapped memory", pc=0x0800_0412, where="crc32+0x1a",
                  fault_address=0x6000_0000, registers={"r0": 1, "sp": 0x2001_fff0},
                  call_stack=["main", "crc32"])
    out = render(r)
    assert "exit 70" in out and "stop: fault" in out
    assert "read of unmapped memory" in out and "0x08000412 crc32+0x1a" in out
    assert "0x60000000" in out and "crc32 ← main" in out


def test_colour_on_a_terminal():
    out = render(kws_result(), force_terminal=True, width=100, color_system="standard")
    assert ANSI.search(out)


def test_arena_raster_places_tensors_by_offset_and_lifetime():
    r = kws_result()
    bs = arena_map.blocks(r)
    assert len(bs) == len(KWS_PLAN)
    grid, step = arena_map.raster(bs, 13, 8)
    assert step == 2000
    assert grid[0][0].name == "conv2d/Relu"                 # offset 0, layer 0
    assert grid[7][1].name == "depthwise_conv2d/Relu"       # top half, layers 1-2
    assert grid[4][0].name == "input_1"                     # 490 B at 8000, alone in its row
    assert grid[7][0] is None                               # nothing there during layer 0
    assert max(arena_map.live_bytes(bs, 13)) == 16_000


def test_malformed_arena_plan_entries_are_skipped():
    r = kws_result()
    r.model["arena_plan"] = [{"tensor": 1}, {"name": "x", "offset": 0, "size": 10,
                                             "first": 0, "last": 1}, "junk"]
    assert [b.name for b in arena_map.blocks(r)] == ["x"]
    render(r)   # and the report still draws


def test_progress_line_only_after_a_second_on_a_terminal():
    now = [0.0]
    buf = io.StringIO()
    p = Progress(True, 168_000_000, console=Console(file=buf, force_terminal=True,
                                                    color_system=None, width=100),
                 clock=lambda: now[0])
    p.update(1_000, 900)
    assert not p.shown and buf.getvalue() == ""
    now[0] = 2.0
    p.update(336_000_000, 250_000_000)
    assert p.shown
    p.close()
    text = buf.getvalue()
    assert "336,000,000 cycles = 2.000 s at 168 MHz" in text
    assert "125.0 M instr/s" in text


def test_progress_silent_off_a_terminal():
    buf = io.StringIO()
    p = Progress(True, 168_000_000, console=Console(file=buf), clock=lambda: 100.0)
    p.update(10**9, 10**9)
    p.close()
    assert buf.getvalue() == "" and not p.shown


def test_long_fused_tensor_names_are_shortened_for_the_legend():
    names = ["functional_1/activation/Relu;functional_1/batch_normalization/FusedBatchNormV3",
             "functional_1/dense/BiasAdd", "scratch of layer 0",
             "functional_1/average_pooling2d/AvgPool"]
    assert arena_map.short_names(names) == ["activation/Relu", "dense/BiasAdd",
                                            "scratch of layer 0", "average_pooling2d/AvgPool"]
    assert arena_map.short_names(["conv2d/Relu", "depthwise_conv2d/Relu"]) == \
        ["conv2d/Relu", "depthwise_conv2d/Relu"]


def test_progress_polls_from_a_thread_while_the_run_blocks():
    import time
    buf = io.StringIO()
    counts = iter(range(10**6, 10**9, 10**6))
    with Progress(True, 64_000_000, delay=0.0,
                  console=Console(file=buf, force_terminal=True, color_system=None,
                                  width=100)).watching(
            lambda: (next(counts), 1_000)) as p:
        deadline = time.monotonic() + 5
        while not p.shown and time.monotonic() < deadline:
            time.sleep(0.02)                 # the "emulation" holding the main thread
    assert p.shown is False                  # closed: the line is gone
    assert re.search(r"[\d,]+ cycles = .* at 64 MHz", buf.getvalue())


def test_ram_per_physical_memory_rows():
    """A section across DTCM and SRAM: the memory table adds one row per RAM memory used; a
    run whose RAM is all in one memory shows none."""
    r = kws_result()
    assert "in sram" not in render(r)
    r.memory.by_memory = [
        {"name": "flash", "kind": "flash", "base": 0x0800_0000, "size": 1 << 20, "used": 4096},
        {"name": "dtcm", "kind": "ram", "base": 0x2000_0000, "size": 65536, "used": 65536},
        {"name": "sram", "kind": "ram", "base": 0x2001_0000, "size": 262144, "used": 2048}]
    out = render(r)
    dtcm = next(l for l in out.splitlines() if "in dtcm" in l)
    sram = next(l for l in out.splitlines() if "in sram" in l)
    assert "64.0 KiB of 64.0 KiB" in dtcm and "100.0%" in dtcm
    assert "2.0 KiB of 256 KiB" in sram and "0.8%" in sram
    assert "in flash" not in out


def test_ram_per_bank_rows():
    """A memory made of banks (SRAM1 + SRAM2 of one board memory): one row per bank in use,
    in place of the memory's row, so the user sees which bank is full."""
    r = kws_result()
    r.memory.by_memory = [
        {"name": "sram", "kind": "ram", "base": 0x2000_0000, "size": 131072, "used": 18432,
         "banks": [{"name": "SRAM1", "base": 0x2000_0000, "size": 114688, "used": 2048},
                   {"name": "SRAM2", "base": 0x2001_C000, "size": 16384, "used": 16384}]}]
    out = render(r)
    s1 = next(l for l in out.splitlines() if "in SRAM1" in l)
    s2 = next(l for l in out.splitlines() if "in SRAM2" in l)
    assert "2.0 KiB of 112 KiB" in s1 and "16.0 KiB of 16.0 KiB" in s2 and "100.0%" in s2
    assert "in sram" not in out
