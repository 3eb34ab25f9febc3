"""The native block classifier (cost/native/mcusim_classify.c) against the Python reference
(cost/classify.py + superscalar.py): the same cycles, instructions, cycles per class and per
function, on every core, for generated never-seen code, the timing programs, real firmware and
a model; and it is the one that runs by default."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from cost_support import ROOT, TIMING, MiniBoard, MiniElf, build, machine
from mcusim.boards import load_board
from mcusim.cost.profiler import Profiler

sys.path.insert(0, str(ROOT / "bench"))
from straightline import gen_source  # noqa: E402

CORES = [("cortex-m0plus", "stm32g0b1"), ("cortex-m4f", "stm32f4"), ("cortex-m7", "stm32f746"),
         ("cortex-m33", "stm32u575")]


def profile(elf_path: Path, board, classifier: str, until: str = "done"):
    elf = MiniElf(elf_path)
    uc = machine(elf, board)
    prof = Profiler(uc, board, elf, classifier=classifier)
    prof.install()
    uc.emu_start(elf.entry | 1, elf.symbol(until) & ~1)
    data = prof.finish()
    return prof, (data.cycles, data.instructions, data.cycle_breakdown,
                  [(f.name, f.calls, f.self_cycles, f.total_cycles) for f in data.functions])


def same(elf_path: Path, board, until: str = "done"):
    py, a = profile(elf_path, board, "python", until)
    nat, b = profile(elf_path, board, "native", until)
    assert a == b
    assert py.native_blocks == 0 and nat.native_blocks > 0
    assert py.carried_edges == nat.carried_edges      # fall-through edges, both sides
    return nat


@pytest.fixture(scope="module")
def straight(tmp_path_factory):
    """bench/straightline.py's never-seen code (40 KB: ALU, multiplies, loads, stores, literal
    pools, if/else, calls), one build per core."""
    d = tmp_path_factory.mktemp("straight")
    src = d / "straight.c"
    src.write_text(gen_source(40, seed=7))
    return {core: build(src, core, out_dir=d) for core, _ in CORES}


@pytest.mark.parametrize("core, board", CORES, ids=[c for c, _ in CORES])
def test_never_seen_code_same_as_python(straight, core, board):
    """The board's own memories (flash wait states, accelerators, data-side caches); its
    if/else blocks fall through into each other (pipeline carry on both sides)."""
    assert same(straight[core], load_board(board)).carried_edges > 100


@pytest.mark.parametrize("core, board", CORES, ids=[c for c, _ in CORES])
def test_timing_programs_same_as_python(core, board):
    """firmware/tests/timing's programs (Thumb-2: built for the M4 and run under each core's
    cost model; the M0+ model classifies what it is given the same way)."""
    b = load_board(board)
    for name in ("calls.S", "flash_streams.S", "recurse.S"):   # trap.S needs the machine's
        same(build(TIMING / name, "cortex-m4"), b)              # semihosting: see test_models
    # fall-through edges: a loop split by a 1 KB page, straight code split by not-taken branches
    # (every edge's delta, class deltas and taken adjustment from each side)
    assert same(build(TIMING / "placement.S", "cortex-m4", extra=["-DPAD=512"]),
                b).carried_edges >= 1
    assert same(build(TIMING / "fallthrough.S", "cortex-m4"), b).carried_edges >= 20


def test_static_wait_states_and_fetch_class():
    """A flash with wait states and no accelerator: the fetch stall is in the block, as "fetch"."""
    board = MiniBoard()
    board.memories[0].wait_states = 3
    nat = same(build(TIMING / "calls.S"), board)
    assert nat.finish().cycle_breakdown.get("fetch", 0) > 0


def test_model_run_same_as_python(monkeypatch):
    """A whole model through mcusim's own runner (exceptions off, semihosting, layers)."""
    import mcusim.api as api
    model = ROOT.parent / "shared" / "models" / "tflite_micro" / "hello_world_int8.tflite"
    if not model.exists():
        pytest.skip("shared models not present")
    out = {}
    for cl in ("python", "native"):
        monkeypatch.setenv("MCUSIM_CLASSIFIER", cl)
        r = api.run(str(model), "stm32f746", api.RunOptions(echo_stdout=False))
        out[cl] = (r.cycles, r.instructions, r.cycle_breakdown,
                   [(f.name, f.self_cycles) for f in r.functions])
    assert out["python"] == out["native"]


def test_native_is_the_default(monkeypatch):
    monkeypatch.delenv("MCUSIM_CLASSIFIER", raising=False)
    elf = MiniElf(build(TIMING / "calls.S"))
    prof = Profiler(machine(elf, MiniBoard()), MiniBoard(), elf)
    assert prof.classifier == "native"


def test_calibration_sequences_same_as_python(monkeypatch):
    """Every calibration sequence (firmware/tests/timing/calibration/) on every core it runs
    on: the per-instruction rules they pin (TBB/TBH's class, the M33 extend-and-add latency and
    its accumulate chaining, pairing, pipelining) give the same cycles on both sides."""
    from calibration_support import load_catalogue, measure
    cells = [(s, c) for s in load_catalogue() for c in s.cores]
    native = [measure(s, c) for s, c in cells]
    monkeypatch.setenv("MCUSIM_CLASSIFIER", "python")
    assert [measure(s, c) for s, c in cells] == native
