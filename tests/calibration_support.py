"""The calibration suite (firmware/tests/timing/calibration/): load the catalogue of sequences
with published cycle counts, build each sequence for a core and time it in the simulator.

Timing is mcusim's own cycle count over the marked region, taken the way a bench takes DWT
CYCCNT deltas: a straight sequence costs (cycles of the program with it) - (cycles of the same
program without it); a loop sequence costs (cycles at ITER = 110 - cycles at ITER = 10) / 100 per
iteration (steady state: the set-up, the first and the last iteration cancel). The sequence
starts a basic block of its own after a taken branch to a word-aligned address (as after the
ISB of a published test template), so nothing before it pairs or pipelines with it; nothing
follows it. Zero wait states (cost_support.MiniBoard), the conditions of every cited figure.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from cost_support import ROOT, MiniBoard, build, run

CALIBRATION = ROOT / "firmware" / "tests" / "timing" / "calibration"
CATALOGUE = CALIBRATION / "catalogue.toml"
CORES = ("cortex-m0plus", "cortex-m4", "cortex-m33", "cortex-m7")
FILE_CORES = {"v6m.S": CORES, "thumb2.S": CORES[1:]}    # thumb2.S does not assemble for v6-M
LOOP_ITERATIONS = (10, 110)

# Common set-up (ARMv6-M instructions only): see the header of v6m.S.
PROLOGUE = """
    .syntax unified
    .thumb
    .text
    .global _start, done
    .type _start, %function
_start:
    ldr r0, =0x20000100
    ldr r6, =0x20000140
    ldr r7, =0x20000180
    str r0, [r0]
    str r0, [r0, #4]
    str r0, [r0, #8]
    str r0, [r0, #12]
    str r0, [r6]
    str r0, [r6, #4]
    str r0, [r7]
    movs r1, #1
    movs r2, #2
    movs r3, #8
    movs r4, #4
    movs r5, #5
    cmp r0, r0
"""
# The timed region: a block of its own, reached by a taken branch to a word-aligned address;
# `done` (where the run stops) is a 16-bit instruction, so a branch to it has the cost of a branch
# to any 16-bit instruction (the M4 charges one more for an unaligned 32-bit target).
REGION = """
    .balign 4
    b 1f
    .balign 4
1:
{body}
done:
    b.n done
    .ltorg
"""


@dataclass(frozen=True)
class Published:
    low: int
    high: int | None          # None: "at least low"; == low: an exact count
    source: str

    @property
    def exact(self) -> bool:
        return self.high == self.low

    def text(self) -> str:
        if self.exact:
            return str(self.low)
        return f">= {self.low}" if self.high is None else f"{self.low}-{self.high}"

    def error(self, predicted: Fraction) -> Fraction:
        """Relative error of `predicted` against the figure: 0 inside a published range."""
        if predicted < self.low:
            return (predicted - self.low) / self.low
        if self.high is not None and predicted > self.high:
            return (predicted - self.high) / self.high
        return Fraction(0)


@dataclass(frozen=True)
class Sequence:
    name: str
    file: str
    kind: str                                   # "straight" or "loop" (cycles per iteration)
    what: str
    published: dict = field(default_factory=dict)   # core -> Published

    @property
    def cores(self) -> tuple[str, ...]:
        return FILE_CORES[self.file]


def _published(core: str, entry, name: str) -> Published:
    if not isinstance(entry, dict) or "source" not in entry or not entry["source"]:
        raise ValueError(f"{name}: published figure for {core} needs a source")
    if "cycles" in entry:
        low = high = entry["cycles"]
    elif "range" in entry:
        low, high = entry["range"]
    elif "at_least" in entry:
        low, high = entry["at_least"], None
    else:
        raise ValueError(f"{name}: published figure for {core} needs cycles, range or at_least")
    return Published(low, high, entry["source"])


def load_catalogue(path: Path = CATALOGUE) -> list[Sequence]:
    data = tomllib.loads(path.read_text())
    out = []
    for s in data["sequence"]:
        if s["file"] not in FILE_CORES:
            raise ValueError(f"{s['name']}: unknown file {s['file']}")
        pub = {core: _published(core, e, s["name"]) for core, e in s.get("published", {}).items()}
        bad = set(pub) - set(FILE_CORES[s["file"]])
        if bad:
            raise ValueError(f"{s['name']}: {s['file']} does not run on {sorted(bad)}")
        out.append(Sequence(s["name"], s["file"], s.get("kind", "straight"), s["what"], pub))
    return out


def macros(file: str) -> set[str]:
    text = (CALIBRATION / file).read_text()
    return set(re.findall(r"^\.macro\s+seq_(\w+)", text, re.M))


def _program(seq: Sequence, core: str, with_body: bool, iterations: int | None) -> Path:
    text = (CALIBRATION / seq.file).read_text()
    setup = f"    setup_{seq.name}\n" if re.search(rf"^\.macro\s+setup_{seq.name}\b", text,
                                                   re.M) else ""
    body = f"    seq_{seq.name}" if with_body else ""
    defs = f"    .equ ITER, {iterations}\n" if iterations is not None else ""
    if not with_body and not setup:          # one baseline per core for most sequences
        src, name = PROLOGUE + REGION.format(body=""), "baseline"
    else:
        src, name = text + "\n" + defs + PROLOGUE + setup + REGION.format(body=body), seq.name
    out = Path("/tmp/mcusim-cost-tests") / f"cal-{name}-{core}-{with_body}-{iterations}.S"
    out.parent.mkdir(parents=True, exist_ok=True)
    if not out.exists() or out.read_text() != src:
        out.write_text(src)
    return build(out, core)


def _cycles(elf: Path, core: str) -> int:
    return run(elf, MiniBoard(core=core, profile=core))[1].cycles


def measure(seq: Sequence, core: str) -> Fraction:
    """Cycles of the sequence on `core` (per iteration for a loop sequence)."""
    if core not in seq.cores:
        raise ValueError(f"{seq.name} ({seq.file}) does not assemble for {core}")
    if seq.kind == "loop":
        lo, hi = LOOP_ITERATIONS
        a = _cycles(_program(seq, core, True, lo), core)
        b = _cycles(_program(seq, core, True, hi), core)
        return Fraction(b - a, hi - lo)
    return Fraction(_cycles(_program(seq, core, True, None), core)
                    - _cycles(_program(seq, core, False, None), core))
