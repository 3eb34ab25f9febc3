"""--html: one self-contained page; opened in headless Chromium to check what it shows."""
from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from _results import KWS_LAYERS, KWS_PLAN, elf_result, kws_result
from mcusim.exports import render

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")


class Dom(HTMLParser):
    """The handful of DOM facts the tests look at: elements with their attributes and text."""

    def __init__(self, text: str):
        super().__init__()
        self.elements: list[dict] = []
        self._open: list[dict] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        el = {"tag": tag, **dict(attrs), "text": "", "parents": [e.get("id") for e in self._open]}
        self.elements.append(el)
        if tag not in ("meta", "br", "link", "img", "input", "rect", "line"):
            self._open.append(el)

    def handle_startendtag(self, tag, attrs):
        self.elements.append({"tag": tag, **dict(attrs), "text": "",
                              "parents": [e.get("id") for e in self._open]})

    def handle_endtag(self, tag):
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i]["tag"] == tag:
                del self._open[i:]
                break

    def handle_data(self, data):
        for el in self._open:
            el["text"] += data

    def find(self, tag=None, within=None, **attrs) -> list[dict]:
        return [e for e in self.elements
                if (tag is None or e["tag"] == tag)
                and (within is None or within in e["parents"])
                and all(e.get(k.replace("_", "-")) == v for k, v in attrs.items())]


def dump_dom(tmp_path, html: str) -> Dom:
    page = tmp_path / "report.html"
    page.write_text(html)
    profile = tmp_path / "chromium-profile"
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={profile}", "--window-size=1200,2000",
         "--virtual-time-budget=3000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=90)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return Dom(proc.stdout)


def test_page_is_self_contained():
    page = render("html", kws_result())
    assert page.startswith("<!DOCTYPE html>")
    # Nothing fetched: no external scripts, styles, images or fonts.
    assert not re.search(r"<(link|img|iframe)\b|\bsrc=|@import|url\(", page)
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", page)


def test_symbol_names_cannot_break_out_of_the_script():
    r = elf_result()
    r.functions[0].name = "</script><script>alert(1)</script>"
    page = render("html", r)
    assert page.count("</script>") == 2          # the data block and the code block only
    assert "<script>alert" not in page


@needs_chromium
def test_model_page_shows_layers_arena_and_memory(tmp_path):
    dom = dump_dom(tmp_path, render("html", kws_result()))
    body = dom.find("body")[0]
    assert body.get("data-rendered") == "1", "the page's script did not run to the end"
    assert "kws_ref_model" in dom.find("h1")[0]["text"]
    assert "4,953,795" in dom.find(id="head")[0]["text"]
    # per-layer cycles: one bar per layer, labelled with its op and cycles
    layers = dom.find("g", within="layers")
    assert [g["data-op"] for g in layers] == [l[0] for l in KWS_LAYERS]
    assert "1,104,230 cycles" in layers[0]["text"] and "22.3%" in layers[0]["text"]
    bars = [float(e["width"]) for e in dom.find("rect", within="layers")]
    assert bars.index(max(bars)) == 0 and bars[2] / bars[0] == pytest.approx(702_115 / 1_104_230,
                                                                            rel=0.01)
    # arena plan: one block per tensor, placed by offset (y) and lifetime (x)
    tensors = dom.find("g", within="arena-svg")
    tensors = [g for g in tensors if g.get("class") == "tensor"]
    assert sorted(int(g["data-tensor"]) for g in tensors) == [p[0] for p in KWS_PLAN]
    rects = {g["data-name"]: dom.elements[dom.elements.index(g) + 1] for g in tensors}
    a, b = rects["conv2d/Relu"], rects["depthwise_conv2d/Relu"]       # layers 0-1 / 1-2
    assert float(a["y"]) < float(b["y"]) and float(a["x"]) < float(b["x"])
    assert float(a["width"]) == pytest.approx(float(b["width"]))
    summary = dom.find(id="arena-summary")[0]["text"]
    assert "planned 15.6 KiB" in summary and "TFLM 22.4 KiB = 0.72x" in summary
    assert "arena + I/O 16.1 KiB" in summary             # like for like: TFLM's arena holds I/O
    # flash and RAM by section
    sections = {(r["data-section"]) for r in dom.find("rect", within="memory")
                if r.get("class") == "section"}
    assert {".text", ".rodata", ".data", ".bss", "._stack"} <= sections
    assert "flash: 117.7 KiB of 1.0 MiB" in dom.find(id="memory")[0]["text"]
    # top functions, sorted by self cycles
    first_row = dom.find("tr", within="functions-table")[1]
    assert first_row["text"].startswith("arm_convolve_1x1_s8_fast")
    assert "label: 3 (yes)" in dom.find(id="output")[0]["text"]


@needs_chromium
def test_elf_page_has_no_model_sections(tmp_path):
    dom = dump_dom(tmp_path, render("html", elf_result()))
    assert dom.find("body")[0].get("data-rendered") == "1"
    assert not dom.find(id="layers") and not dom.find(id="arena")
    assert not dom.find("div", within="head", **{"class": "bad"})     # a clean exit: no alarm
    assert dom.find(id="memory") and "crc32" in dom.find(id="functions")[0]["text"]


@needs_chromium
@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None, reason="no arm-none-eabi-gcc")
def test_real_model_page(tmp_path):
    """The demo model, compiled and simulated: the page shows its layers and its arena plan."""
    from mcusim.api import RunOptions, run
    from mcusim.errors import McusimError
    from mcusim.paths import models_dir
    try:
        r = run(models_dir() / "kws_ref_model.tflite", "stm32f4", RunOptions())
    except McusimError as e:
        pytest.skip(f"model runs not available: {e}")
    dom = dump_dom(tmp_path, render("html", r))
    assert dom.find("body")[0].get("data-rendered") == "1"
    assert [g["data-op"] for g in dom.find("g", within="layers")] == [l.op for l in r.layers]
    tensors = [g for g in dom.find("g", within="arena-svg") if g.get("class") == "tensor"]
    assert len(tensors) == len(r.model["arena_plan"]) > 0
    sections = {x["data-section"] for x in dom.find("rect", within="memory")
                if x.get("class") == "section"}
    assert {".text", ".data", ".bss"} <= sections
