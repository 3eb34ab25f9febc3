"""Per-core timing of short instruction sequences, each expected count derived by hand from the
core's TRM (the derivation is in the comment). Zero wait states unless a test sets them.

M4 = Cortex-M4 TRM r0p1 §3.3.1 Table 3-1 and §3.3.2; M3 = Cortex-M3 TRM r2p1 §3.3.1 Table 3-1;
M0+ = Cortex-M0+ TRM r0p1 §3.3. P (pipeline refill) = 2 on M3; on the M4 P = 1 for direct
branches (measured, jnk0le/random CM3_pipetest_tmpl.S on an STM32F407), +1 when the target is a
32-bit instruction at an address = 2 mod 4, and 2 for BX/BLX Rm (profiles/cortex-m4.toml,
tests/test_timing_m4.py). The test programs end in `done: b.w done` (32-bit).
"""
from __future__ import annotations

import pytest

from cost_support import FLASH, RAM, ROOT, Memory, MiniBoard, asm_program, cycles_of, run

# r0 = 0x20000000 (RAM) without a PC-relative load; the NOP keeps the next load's address off
# the previous data-processing result (M4 §3.3.2: that would stall one cycle). 1+1+1 = 3 cycles.
R0_RAM = "    movs r0, #0x20\n    lsls r0, r0, #24\n    nop\n"


def test_alu_one_cycle_each():
    # M4 Table 3-1: ADD, SUB, MOV, EOR, LSL: 1 each -> 5
    assert cycles_of("adds r1, #1\n subs r2, #1\n movs r3, #4\n eors r1, r2\n lsls r3, #2") == 5


def test_load_pipelining_m4():
    # 3 + LDR 2 + two neighbouring independent LDRs pipelined at 1 each (M4 §3.3.2: N loads
    # take N+1 cycles) -> 3 + 2 + 1 + 1 = 7
    assert cycles_of(R0_RAM + "    ldr r1, [r0]\n    ldr r2, [r0, #4]\n    ldr r3, [r0, #8]") == 7


def test_dependent_load_is_not_pipelined():
    # 3 + STR 1 (stores r0 at r0: a valid pointer to chase) + NOP 1 + LDR 2 + LDR whose base
    # is the register just loaded: cannot pipeline -> 2 => 9
    assert cycles_of(R0_RAM + "    str r0, [r0]\n    nop\n    ldr r1, [r0]\n    ldr r2, [r1]") == 9


def test_address_from_previous_result_stalls():
    # movs 1, lsls 1, LDR 2 + 1 stall (address depends on the preceding ALU result, M4 §3.3.2)
    assert cycles_of("    movs r0, #0x20\n    lsls r0, r0, #24\n    ldr r1, [r0]") == 5


def test_ldm_stm_push_pop_one_plus_n():
    # 3 + LDM {r1-r4}: 1+4 + STM {r1-r3}: 1+3 -> 3 + 5 + 4 = 12
    assert cycles_of(R0_RAM + "    ldm r0, {r1-r4}\n    stm r0, {r1-r3}") == 12
    # PUSH {r4-r7,lr}: 1+5; POP {r4-r7}: 1+4 -> 11
    assert cycles_of("    push {r4-r7, lr}\n    pop {r4-r7}\n    add sp, #4") == 6 + 5 + 1


def test_multiply_and_divide_m4():
    # MUL 1, MLA 1, SMULL 1, SMLAL 1 (M4 Table 3-1, Arm doc 100166_0001_00); SDIV 2..12, profile
    # takes 12
    assert cycles_of("    muls r1, r2, r1\n    mla r3, r1, r2, r3\n    smull r4, r5, r1, r2\n"
                     "    smlal r4, r5, r1, r2") == 1 + 1 + 1 + 1
    assert cycles_of("    movs r1, #100\n    movs r2, #7\n    sdiv r3, r1, r2") == 1 + 1 + 12


def test_multiply_m3_long_is_upper_bound():
    # M3 Table 3-1: UMULL 3..5 -> 5, UMLAL 4..7 -> 7, MLA 2
    assert cycles_of("    umull r4, r5, r1, r2\n    umlal r4, r5, r1, r2\n    mla r3, r1, r2, r3",
                     core="cortex-m3") == 5 + 7 + 2


def test_conditional_branch_taken_vs_not_taken():
    # cmp 1 + BNE not taken 1 + B 1+P to `done` (b.w at 0x...06: unaligned 32-bit, P=2) -> 5
    not_taken = cycles_of("    cmp r0, r0\n    bne 1f\n    b 1f\n1:")
    # cmp 1 + BEQ taken 1+P, P = 1 + 1 (the same unaligned 32-bit target) -> 4
    taken = cycles_of("    cmp r0, r0\n    beq 1f\n    nop\n1:")
    assert (not_taken, taken) == (5, 4)


def test_loop_counts_taken_iterations():
    # movs 1; 10 x (subs 1 + bne): 9 taken (1+P, P=1: 16-bit target) + 1 not taken (1)
    # -> 1 + 10 + 18 + 1 = 30
    assert cycles_of("    movs r0, #10\n2:  subs r0, #1\n    bne 2b") == 30


def test_call_and_return_m4():
    # BL 1+P = 2 (direct, 16-bit target), in f: movs 1, BX LR 1+P = 3 (register target, P=2)
    body = "    bl f\n    b done\n.type f, %function\nf:\n    movs r0, #1\n    bx lr"
    assert cycles_of(body) == 2 + 1 + 3 + 2
    # (the last 2 is the `b done` after the return: B 1+P, `done` word-aligned at offset 12)


def test_pop_pc_m4():
    # BL 2, PUSH {r4, lr} 1+2, POP {r4, pc} 1+N+P = 1+2+2 = 5, B done 2 (aligned)
    body = ("    bl f\n    b done\n.type f, %function\nf:\n    push {r4, lr}\n    pop {r4, pc}")
    assert cycles_of(body) == 2 + 3 + 5 + 2


def test_m0plus_branches_loads_and_multiplier():
    # M0+ §3.3: B<cc> taken 2, not taken 1; B 2; LDR 2 with no pipelining
    assert cycles_of("    cmp r0, r0\n    beq 1f\n    nop\n1:", core="cortex-m0plus") == 1 + 2
    assert cycles_of("    movs r0, #0x20\n    lsls r0, r0, #24\n    ldr r1, [r0]\n    ldr r2, [r0, #4]",
                     core="cortex-m0plus") == 1 + 1 + 2 + 2
    # BL 3 + movs 1 + BX 2 + B 2
    body = "    bl f\n    b done\n.type f, %function\nf:\n    movs r0, #1\n    bx lr"
    assert cycles_of(body, core="cortex-m0plus") == 3 + 1 + 2 + 2
    # MULS 1 (fast multiplier) or 32 when the board says so (M0+ TRM: "1 or 32")
    assert cycles_of("    muls r1, r2, r1", core="cortex-m0plus") == 1
    small = MiniBoard(core="cortex-m0plus", profile="cortex-m0plus",
                      core_options={"muls_cycles": 32})
    assert cycles_of("    muls r1, r2, r1", core="cortex-m0plus", board=small) == 32


def test_m7_dual_issue():
    # independent pair issues together (second costs 0); a pair that depends on a late-ALU
    # result does not (an early-ALU ADD feeds the younger op: tests/test_timing_m7.py)
    independent = cycles_of("    adds r1, r1, #1\n    adds r2, r2, #1", core="cortex-m7")
    dependent = cycles_of("    eors r1, r1, r3\n    adds r2, r1, #1", core="cortex-m7")
    assert (independent, dependent) == (1, 2)


def test_m4_fpu():
    # M4 Table 7-1: VADD 1, VMUL 1, VFMA 3, VDIV 14, VSQRT 14
    assert cycles_of("    vadd.f32 s0, s1, s2\n    vmul.f32 s3, s1, s2\n    vfma.f32 s4, s1, s2\n"
                     "    vdiv.f32 s5, s1, s2\n    vsqrt.f32 s6, s1", core="cortex-m4f") == 33


def test_flash_wait_states_without_accelerator():
    # 4 x 16-bit ADDS = 8 bytes = 2 fetch words, 3 wait states each, + 4 cycles
    slow = MiniBoard(memories=[Memory("flash", "flash", FLASH, 0x10_0000, wait_states=3),
                               Memory("sram", "ram", RAM, 0x2_0000)])
    assert cycles_of("    adds r1, #1\n    adds r1, #1\n    adds r1, #1\n    adds r1, #1",
                     board=slow) == 4 + 2 * 3


def test_flash_cache_hits_after_first_pass():
    # A loop in flash with a 16-byte-line cache and 5 wait states: the first pass misses
    # the loop's lines, later passes hit. Cycles with the cache exceed the zero-wait figure by
    # a few misses, not by a stall on every iteration.
    art = {"type": "st-art", "icache_lines": 64, "dcache_lines": 8, "line_bytes": 16,
           "prefetch": True}
    cached = MiniBoard(memories=[Memory("flash", "flash", FLASH, 0x10_0000, 5, art),
                                 Memory("sram", "ram", RAM, 0x2_0000)])
    body = "    movs r0, #100\n2:  subs r0, #1\n    bne 2b"
    base = cycles_of(body)                       # 1 + 100 + 99*2 + 1 = 300
    assert base == 300
    with_cache = cycles_of(body, board=cached)
    assert 0 < with_cache - base <= 2 * 5        # at most the two lines the code touches


def test_flash_data_reads_cost_wait_states():
    # 64 word loads from a table in flash with 16-byte lines, 5 wait states: 16 line misses
    art = {"type": "st-art", "icache_lines": 64, "dcache_lines": 8, "line_bytes": 16,
           "prefetch": True}
    cached = MiniBoard(memories=[Memory("flash", "flash", FLASH, 0x10_0000, 5, art),
                                 Memory("sram", "ram", RAM, 0x2_0000)])
    body = ("    ldr r0, =table\n    movs r2, #64\n3:  ldr r1, [r0], #4\n    subs r2, #1\n"
            "    bne 3b")
    prologue = ".align 4\ntable:\n.rept 64\n.word 7\n.endr"
    elf = asm_program(body, prologue=prologue)
    plain = run(elf)[1]
    data = run(elf, board=cached)[1]
    stall = data.cycle_breakdown.get("data_stall", 0)
    # 16 lines x 5 = 80 exactly while probed, amortized (stride 4 / 16 x 5 per load) after
    assert 70 <= stall <= 90
    assert data.cycles - plain.cycles >= stall


@pytest.mark.parametrize("core", ["cortex-m0plus", "cortex-m3", "cortex-m4", "cortex-m7",
                                  "cortex-m33"])
def test_every_profile_loads_and_runs(core):
    assert cycles_of("    adds r1, #1", core=core) == 1


def test_board_toml_core_options(tmp_path):
    # a user's board TOML may say the M0+ was built with the small (32-cycle) multiplier
    from mcusim.boards import load_board
    src = (ROOT / "boards" / "stm32g0b1.toml").read_text()
    path = tmp_path / "g0-small-mul.toml"
    path.write_text(src + "\n[core_options]\nmuls_cycles = 32\n")
    board = load_board(path)
    mini = MiniBoard(core="cortex-m0plus", profile="cortex-m0plus")
    mini.core_options = None
    mini.path = board.path
    assert cycles_of("    muls r1, r2, r1", core="cortex-m0plus", board=mini) == 32


def test_m7_one_multiply_pipeline():
    # two independent multiplies do not pair (one MAC pipeline): 1 + 1; ALU + MUL pair: 1
    assert cycles_of("    muls r1, r2, r1\n    muls r3, r4, r3", core="cortex-m7") == 2
    assert cycles_of("    adds r5, r5, #1\n    muls r3, r4, r3", core="cortex-m7") == 1
