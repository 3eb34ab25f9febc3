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
