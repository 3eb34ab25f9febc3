"""Memory figures: sections against board sizes, buffer high-water marks, heap and stack peaks."""
import pytest

from mcusim.errors import BadInput


def test_watched_buffers_and_heap(firmware, run_elf):
    assert run_elf(firmware("buffers.c")).memory.watches == {}   # no default watch (issue 7)
    r = run_elf(firmware("buffers.c"), watch=["scratch", "tensor_arena"])
    w = r.memory.watches
    assert w["tensor_arena"]["size"] == 4096 and w["tensor_arena"]["peak"] == 1000
    assert w["scratch"] == {"address": w["scratch"]["address"], "size": 256, "peak": 100}
    # The heap peak is how far sbrk moved the break: newlib's malloc grows it in 4 KB pages.
    assert 10000 <= r.memory.heap_peak <= 10000 + 2 * 4096


def test_sections_against_board(firmware, run_elf):
    r = run_elf(firmware("buffers.c"))
    m = r.memory
    by_name = {s.name: s for s in m.sections}
    assert by_name[".text"].kind == "flash" and by_name[".bss"].region == "sram"
    assert by_name[".bss"].size >= 4096 + 256 and not by_name[".bss"].load
    assert m.flash_size == 1024 * 1024 and m.ram_size == 128 * 1024
    loaded = sum(s.size for s in m.sections if s.load)
    assert m.flash_used == loaded
    assert m.ram_used == sum(s.size for s in m.sections if s.kind == "ram") + m.stack_size


def test_watch_unknown_symbol(firmware, run_elf):
    with pytest.raises(BadInput, match="--watch nope: no such symbol"):
        run_elf(firmware("buffers.c"), watch=["nope"])


def test_watch_function_is_refused(firmware, run_elf):
    with pytest.raises(BadInput, match="not a data object"):
        run_elf(firmware("buffers.c"), watch=["main"])


def test_never_paints_flash_or_what_start_up_wrote(firmware, run_elf):
    """Issue 7: a default watch once painted a C++ vtable in flash. Nothing is watched by name
    pattern any more; flash objects cannot be watched; a buffer a constructor filled before
    main is left alone (and says so)."""
    elf = firmware("watch_safety.c")
    r = run_elf(elf)
    assert r.exit_code == 0 and r.memory.watches == {}
    with pytest.raises(BadInput, match="--watch vtable_for_ArenaBufferAllocator: .*read-only"):
        run_elf(elf, watch=["vtable_for_ArenaBufferAllocator"])
    r = run_elf(elf, watch=["ctor_arena", "main_arena"])
    assert r.exit_code == 0                      # the constructor's bytes survived
    assert "ctor_arena" not in r.memory.watches
    assert any("--watch ctor_arena: written before main" in w for w in r.warnings)
    assert r.memory.watches["main_arena"]["peak"] == 40


def test_block_across_memories_costs_each_word_at_its_memory():
    """A code block from a 2-wait-state memory into a contiguous 0-wait-state one: each 32-bit
    fetch word pays its own memory's wait states (mcusim.cost.memory.block_fetch)."""
    from mcusim.boards import Board, Memory
    from mcusim.cost.memory import NO_MODEL, block_fetch
    slow = Memory("slow", "ram", 0x2000_0000, 0x1000, wait_states=2)
    fast = Memory("fast", "ram", 0x2000_1000, 0x1000)
    board = Board("t", "", "cortex-m4f", "cortex-m4", 1, 0x2000_0000, [slow, fast], {}, {})
    assert board.span(0x2000_0FF8, 16) == [slow, fast]
    assert block_fetch(board, {}, 0x2000_0FF8, 16) == (NO_MODEL, 2 * 2)   # 2 words in slow
    assert block_fetch(board, {}, 0x2000_0FF0, 8) == (NO_MODEL, 2 * 2)
    assert block_fetch(board, {}, 0x2000_1000, 8) == (NO_MODEL, 0)
    assert board.gap_in(0x2000_1FF0, 32) == (0x2000_2000, 0x2000_2010)
