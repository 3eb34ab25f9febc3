"""Block boundaries (docs/cost-model.md): Unicorn ends a simulated block at every 1 KB guest page
and at every conditional branch, but the core's pipeline runs on through both. A block entered
by fall-through from the one just before it is costed after that block's instructions, so

- the same loop costs the same wherever the linker puts it relative to a 1 KB boundary
  (firmware/tests/timing/placement.S, on every core and its boards), and
- straight code split by not-taken branches costs what the same instructions cost as one block
  (firmware/tests/timing/fallthrough.S), cycles and cycles per class.

Before the carry, placement.S cost 20 cycles less split than whole on the M4, M33 and M7
(the address-generation stall across the split was lost), and fallthrough.S split differed from
one block on the M7 (a product's latency) and the M33 (IT pairing after an unpaired branch).
"""
from __future__ import annotations

import pytest

from cost_support import TIMING, MiniBoard, build, run
from mcusim.boards import load_board
from mcusim.cost.classify import Decoder, classify_block
from mcusim.cost.model import load_profile

BOARDS = ["stm32g0b1", "rp2040", "stm32f4", "stm32l4r5", "stm32u575", "stm32f746", "stm32h743"]
PADS = (0, 512, 768)            # kernel 768 bytes at 1 KB + PAD: whole, split at 512, at 256
CORES = ["cortex-m0plus", "cortex-m4", "cortex-m33", "cortex-m7"]


def _placed(board: str, pad: int, classifier: str | None = None):
    b = load_board(board)
    elf = build(TIMING / "placement.S", b.core,
                extra=[f"-DPAD={pad}", f"-Wl,-Ttext={b.flash.base:#x}"])
    if classifier is not None:
        from functools import partial
        from mcusim.cost.profiler import Profiler
        prof, data, _ = run(elf, b, profiler_cls=partial(Profiler, classifier=classifier))
    else:
        prof, data, _ = run(elf, b)
    kernel = prof.elf.symbol("kernel")
    return kernel, data


@pytest.mark.parametrize("board", BOARDS)
def test_same_cycles_wherever_the_loop_is_placed(board):
    got = {}
    for pad in PADS:
        kernel, data = _placed(board, pad)
        crosses = kernel // 1024 != (kernel + 768 - 1) // 1024
        assert crosses == (pad != 0)          # the split is really there (or not)
        got[pad] = (data.cycles, data.instructions, data.cycle_breakdown)
    assert got[512] == got[0] and got[768] == got[0]


def _one_block(core: str, uc, start: int, end: int):
    """The reference rules over [start, end) as a single block."""
    code = bytes(uc.mem_read(start, end - start))
    return classify_block(Decoder(), load_profile(core), code, start,
                          read_code=lambda a, n: bytes(uc.mem_read(a, n)))


@pytest.mark.parametrize("core", CORES)
@pytest.mark.parametrize("classifier", ["native", "python"])
def test_not_taken_branches_cost_as_one_block(core, classifier, monkeypatch):
    monkeypatch.setenv("MCUSIM_CLASSIFIER", classifier)
    elf = build(TIMING / "fallthrough.S", core)
    prof, data, uc = run(elf, MiniBoard(core=core, profile=core))
    start, end = prof.elf.symbol("_start") & ~1, prof.elf.symbol("done") & ~1
    whole = _one_block(core, uc, start, end)
    assert whole.end == 0 and prof.classifier == classifier
    assert data.instructions == whole.ninsns
    assert data.cycles == whole.cycles
    assert data.cycle_breakdown == {k: v for k, v in sorted(whole.class_cycles.items()) if v}
    assert [(f.name, f.self_cycles) for f in data.functions] == [("_start", whole.cycles)]


def test_deterministic_and_native_equals_python():
    """Same cycles twice; the Python reference gives the same edges as the native classifier
    (tests/test_native_classify.py runs both programs under every core too)."""
    for board in ("stm32l4r5", "stm32u575", "stm32h743"):
        a = _placed(board, 512, "native")[1]
        b = _placed(board, 512, "native")[1]
        c = _placed(board, 512, "python")[1]
        assert (a.cycles, a.cycle_breakdown) == (b.cycles, b.cycle_breakdown) == (
            c.cycles, c.cycle_breakdown)
