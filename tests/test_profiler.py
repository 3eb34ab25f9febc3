"""The profiler: call tree, per-function cycles, events, exact counts, stops, energy, speed path."""
from __future__ import annotations

import pytest
from unicorn import UC_HOOK_CODE, UC_HOOK_INTR
from unicorn.arm_const import UC_ARM_REG_PC

from cost_support import ROOT, TIMING, MiniBoard, MiniElf, build, machine, run
from mcusim.cost import native, profiler as profiler_mod
from mcusim.cost.profiler import Profiler
from mcusim.cost.reference import ReferenceCounter
from mcusim.errors import McusimError

MATMUL = ROOT / "bench" / "matmul.c"


def small_matmul():
    return build(MATMUL, extra=["-fno-tree-vectorize", "-DREPEAT=2"])


def by_name(data):
    return {f.name: f for f in data.functions}


def test_calls_self_and_inclusive_cycles():
    # Cortex-M4, derived from firmware/tests/timing/calls.S. A taken branch whose target is in
    # the instruction (B, BL, B<cc>) costs 2 (measured, profiles/cortex-m4.toml), BX/POP {pc}
    # keep 1+P = 3 (TRM Table 3-1, P=2):
    #   leaf  = movs 1 + 10 x subs 1 + 9 taken bne 2 + 1 not-taken bne 1 + bx lr 3 = 33
    #   mid   = push {lr} 2 + bl 2 + pop {pc} (1+1+2) 4 = 8 self, + leaf 33 = 41 inclusive
    #   main  = push {r4,lr} 3 + movs 1 + 3 x (bl 2 + subs 1) + bne (2+2+1) + bl 2
    #           + pop {r4,pc} 5 = 25 self; inclusive 25 + 3 x 33 + 41 = 165
    #   _start = ldr (literal) 2 + mov sp 1 + bl 2 = 5 self; inclusive 170 = total
    _, data, _ = run(build(TIMING / "calls.S"))
    f = by_name(data)
    assert (f["leaf"].calls, f["leaf"].self_cycles, f["leaf"].total_cycles) == (4, 132, 132)
    assert (f["mid"].calls, f["mid"].self_cycles, f["mid"].total_cycles) == (1, 8, 41)
    assert (f["main"].calls, f["main"].self_cycles, f["main"].total_cycles) == (1, 25, 165)
    assert (f["_start"].self_cycles, f["_start"].total_cycles) == (5, 170)
    assert data.cycles == 170
    assert sum(x.self_cycles for x in data.functions) == data.cycles


def test_stacks_and_events():
    _, data, _ = run(build(TIMING / "calls.S"))
    stacks = {tuple(s["stack"]): s["cycles"] for s in data.stacks}
    assert stacks[("_start", "main", "leaf")] == 3 * 33
    assert stacks[("_start", "main", "mid", "leaf")] == 33
    assert sum(stacks.values()) == data.cycles
    leaf = [e for e in data.events if e["name"] == "leaf"]
    assert [e["dur"] for e in leaf] == [33] * 4
    assert leaf == sorted(leaf, key=lambda e: e["start"])
    assert all(e["cat"] == "function" for e in data.events)


def test_layer_functions_always_traced(monkeypatch):
    monkeypatch.setattr(profiler_mod, "EVENT_LIMIT", 0)    # no ordinary events at all
    _, data, _ = run(small_matmul())
    names = {e["name"] for e in data.events}
    assert names == {"mcusim_layer_0_fully_connected"}
    layers = [e for e in data.events if e["cat"] == "layer"]
    assert len(layers) == 2
    assert sum(e["dur"] for e in layers) == by_name(data)["mcusim_layer_0_fully_connected"].total_cycles


def test_tail_call_and_longjmp_unwinding():
    _, data, _ = run(build(TIMING / "unwind.S"))
    f = by_name(data)
    assert f["f"].calls == 1 and f["g"].calls == 1          # g entered by a tail call
    assert f["h"].calls == 1 and f["k"].calls == 1
    # after k jumps back into main, main's own instructions are main's again
    main_path = [s for s in data.stacks if s["stack"] == ["_start", "main"]][0]
    assert main_path["cycles"] == f["main"].self_cycles
    # k: push {lr} 2 + movs 1 + bx 3 = 6; h: push 3 + bl 2 = 5 self (its pop never runs)
    assert f["k"].self_cycles == 6
    assert f["h"].total_cycles == 5 + 6
    assert sum(x.self_cycles for x in data.functions) == data.cycles


def test_call_stack_mid_run():
    elf_path = build(TIMING / "calls.S")
    elf = MiniElf(elf_path)
    board = MiniBoard()
    uc = machine(elf, board)
    prof = Profiler(uc, board, elf)
    prof.install()
    seen = []
    leaf = elf.symbol("leaf") & ~1

    def on_leaf(_uc, addr, _size, _user):
        seen.append(prof.call_stack())
    uc.hook_add(UC_HOOK_CODE, on_leaf, None, leaf, leaf)
    uc.emu_start(elf.entry | 1, elf.symbol("done"))
    addr = {n: a for n, a, _ in elf.functions}
    assert seen[0] == [addr["_start"], addr["main"], addr["leaf"]]
    assert seen[-1] == [addr["_start"], addr["main"], addr["mid"], addr["leaf"]]


def test_native_count_equals_per_instruction_reference():
    for path in (build(TIMING / "calls.S"), small_matmul()):   # the matmul has IT blocks
        elf = MiniElf(path)
        uc = machine(elf, MiniBoard())
        ref = ReferenceCounter(uc)
        ref.install()
        uc.emu_start(elf.entry | 1, elf.symbol("done"))
        assert run(path)[1].instructions == ref.instructions
    assert ref.skipped > 0                  # the IT case really was exercised


def test_trap_mid_block_is_counted_once():
    # As semihosting does: the trap handler moves PC past the BKPT and the run goes on.
    path = build(TIMING / "trap.S")
    elf = MiniElf(path)

    def step_over(uc, intno, _user):
        uc.reg_write(UC_ARM_REG_PC, (uc.reg_read(UC_ARM_REG_PC) + 2) | 1)

    uc = machine(elf, MiniBoard())
    ref = ReferenceCounter(uc)
    ref.install()
    uc.hook_add(UC_HOOK_INTR, step_over)
    uc.emu_start(elf.entry | 1, elf.symbol("done"))

    uc2 = machine(elf, MiniBoard())
    uc2.hook_add(UC_HOOK_INTR, step_over)      # the machine's hook comes first, as in runner
    prof = Profiler(uc2, MiniBoard(), elf)
    prof.install()
    uc2.emu_start(elf.entry | 1, elf.symbol("done"))
    data = prof.finish()
    assert data.instructions == ref.instructions == 3 + 3 + 2 * 5
    # movs 1, movs 1, bkpt 2 (system), adds 1, adds 1, movs 1, 5 x subs 1, bne 4 x 2 + 1
    # (a taken B<cc> costs 2 on the M4: profiles/cortex-m4.toml)
    assert data.cycles == 1 + 1 + 2 + 1 + 1 + 1 + 5 + 4 * 2 + 1


def test_deterministic():
    a = run(small_matmul())[1]
    b = run(small_matmul())[1]
    assert (a.cycles, a.instructions) == (b.cycles, b.instructions)
    assert [(f.name, f.self_cycles, f.calls) for f in a.functions] == \
           [(f.name, f.self_cycles, f.calls) for f in b.functions]
    assert a.stacks == b.stacks and a.events == b.events


def test_max_cycles_stops_the_run():
    prof, data, _ = run(small_matmul(), max_cycles=10_000)
    assert prof.limit_hit
    assert 10_000 <= data.cycles < 10_000 + 200      # stops at the end of the block that crossed
    prof, data, _ = run(small_matmul())
    assert not prof.limit_hit


def test_energy_from_board_power():
    board = MiniBoard(power={"voltage_v": 3.0, "run_current_ma": 30.0,
                             "run_current_at_hz": 100_000_000})
    _, data, _ = run(build(TIMING / "calls.S"), board=board)
    per_cycle_uj = 3.0 * 30e-3 / 100e6 * 1e6          # V * I / f, in microjoules
    assert data.energy_uj == pytest.approx(data.cycles * per_cycle_uj)
    assert sum(data.energy_breakdown.values()) == pytest.approx(data.energy_uj)
    assert sum(data.cycle_breakdown.values()) == data.cycles
    assert data.cycle_breakdown["cond_branch"] == 4 * (10 + 9 * 1) + 3 + 2 * 1   # taken +1


def test_missing_host_compiler_is_one_clear_line(monkeypatch, tmp_path):
    monkeypatch.setattr(native, "cache_dir", lambda: tmp_path)
    monkeypatch.setattr(native.shutil, "which", lambda _name: None)
    monkeypatch.delenv("CC", raising=False)
    with pytest.raises(McusimError) as err:
        native.library_path()
    assert "C compiler" in str(err.value) and "\n" not in str(err.value)


def test_native_library_is_cached_by_source_hash():
    first = native.library_path()
    assert first.exists() and native.library_path() == first
    assert first.name.startswith("mcusim_hook-")


def test_running_on_after_finish_and_teardown_are_safe():
    import gc
    path = build(TIMING / "calls.S")
    prof, data, uc = run(path)
    elf = MiniElf(path)
    uc.emu_start(elf.entry | 1, elf.symbol("done"))     # the hook is still attached
    assert prof.cycles == 2 * data.cycles
    del prof, uc
    gc.collect()


def test_conditional_return_in_recursion():
    _, data, _ = run(build(TIMING / "recurse.S"))
    f = by_name(data)
    assert f["rec"].calls == 4
    # self cycles per nesting level (M4): rec(n>0) = [cmp 1, it 1, bxeq not taken 1]
    # + [push {lr} 2, subs 1, bl 2 (a taken immediate branch: 2 on the M4, profiles/cortex-m4.toml)]
    # + after the return [pop {pc} 1+1+2] = 12;
    # rec(0) = cmp 1, it 1, bxeq taken 1+2 = 5 (its return lands in rec(1)'s pop)
    depth = {len(s["stack"]): s["cycles"] for s in data.stacks if s["stack"][-1] == "rec"}
    assert depth == {2: 12, 3: 12, 4: 12, 5: 5}
    rec = sorted((e for e in data.events if e["name"] == "rec"), key=lambda e: e["start"])
    assert len(rec) == 4
    for outer, inner in zip(rec, rec[1:]):            # properly nested
        assert outer["start"] < inner["start"] and inner["start"] + inner["dur"] <= outer["start"] + outer["dur"]
    assert f["rec"].total_cycles == rec[0]["dur"] == data.cycles - f["_start"].self_cycles


@pytest.mark.parametrize("board_name", ["stm32f4", "stm32h743", "stm32u575"])
def test_tracked_flash_reads_match_the_exact_read_hook(board_name):
    # Load-address tracking (cheap) vs a memory-read hook on every flash read (exact), through
    # the same data-side cache model: ART 8 x 16 B lines; M7 L1 D-cache 16 KB 4-way (the weights
    # fit: the second pass hits); one 16 B line buffer (two interleaved streams thrash it).
    from functools import partial
    from mcusim.boards import load_board
    board = load_board(board_name)
    for path in (small_matmul(), build(TIMING / "flash_streams.S")):
        tracked = run(path, board=board)[1].cycle_breakdown.get("data_stall", 0)
        exact = run(path, board=board, profiler_cls=partial(Profiler, exact_data=True)
                    )[1].cycle_breakdown.get("data_stall", 0)
        assert exact > 0
        assert abs(tracked - exact) <= 0.02 * exact + 50, (path.name, tracked, exact)


def test_two_flash_streams_thrash_a_one_line_buffer():
    # stm32u575 with its data-side cache taken out: a single 16-byte line buffer, so the two
    # streams evict each other and each of the 128 reads misses (4 wait states, RM0456 Table 54)
    from dataclasses import replace
    from mcusim.boards import load_board
    u575 = load_board("stm32u575")
    board = replace(u575, memories=[
        replace(m, accelerator={k: v for k, v in m.accelerator.items()
                                if not k.startswith("dcache")}) if m.accelerator else m
        for m in u575.memories])
    data = run(build(TIMING / "flash_streams.S"), board=board)[1]
    assert data.cycle_breakdown["data_stall"] == 128 * 4 + 2 * 4   # + the two literal loads


@pytest.mark.parametrize("board", ["stm32f4", "rp2040"])
def test_call_counts_across_interrupts(firmware, run_elf, board):
    """An interrupt between a call and the callee's first block, or a handler that tail-calls,
    must not add or lose calls: each delay() is one call, each tick one handler and one
    inc_tick, and the handler's inclusive cycles hold inc_tick's."""
    r = run_elf(firmware("irq_calls.c", board), board)
    assert r.exit_code == 0
    fn = {f.name: f for f in r.functions}
    ticks = {e["name"]: e["count"] for e in r.exceptions}["SysTick"]
    assert fn["delay"].calls == 5
    assert fn["main"].calls == 1
    assert fn["SysTick_Handler"].calls == ticks and fn["inc_tick"].calls == ticks
    assert 15 <= ticks <= 17
    assert fn["get_tick"].calls > 100
