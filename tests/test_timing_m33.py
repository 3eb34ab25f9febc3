"""Cortex-M33 timing of its own (profiles/cortex-m33.toml), against the cycle counts measured on
silicon in jnk0le/random "pipeline cycle test/doc/cortex_m33.md" (DWT CYCCNT, RP2350 Cortex-M33
r1p0; J below), and the Cortex-M4 left as it was (Cortex-M4 TRM r0p1 Table 3-1, §3.3.2).

The M33 rules: load issue 1 with load-to-use latency 2 (load-to-store 1); LDM/STM of n registers
n, LDRD/STRD 2; taken B<cc> 2, paired after a 16-bit instruction: not taken 0, taken 1 (2 when
that instruction set the flags); IT and NOP pair after a 16-bit instruction; MLA and shifted-
register operand2 results latency 2, MULS 2; refill P = 1 (from the taken B<cc>) for B/BL/BX.
"""
from __future__ import annotations

import pytest

from cost_support import cycles_of

M33, M4 = "cortex-m33", "cortex-m4"
# r0 = 0x20000000 (RAM): movs 1 + lsls 1 + nop (M33: pairs with the 16-bit lsls: 0; M4: 1)
R0_RAM = "    movs r0, #0x20\n    lsls r0, r0, #24\n    nop\n"
PRE = {M33: 2, M4: 3}


@pytest.mark.parametrize("core,expect", [
    # J "load to use latency is 2 cycles": ldr 1 + dependent adds 1 + 1 stall; M4: ldr 2 + adds 1
    (M33, 1 + 2), (M4, 2 + 1)])
def test_load_to_use(core, expect):
    assert cycles_of(R0_RAM + "    ldr r1, [r0]\n    adds r2, r1, #1", core=core) == PRE[core] + expect


@pytest.mark.parametrize("core,expect", [(M33, 1 + 1), (M4, 2 + 1)])
def test_independent_use_after_load_does_not_wait(core, expect):
    assert cycles_of(R0_RAM + "    ldr r1, [r0]\n    adds r2, r3, #1", core=core) == PRE[core] + expect


@pytest.mark.parametrize("core,expect", [
    # J "load to store latency is 1 cycle": storing the loaded value does not wait (ldr 1 +
    # str 1); used as the store's address it does: str 1 + ldr 1 + str 1 + 1 stall.
    # M4 (jnk0le cortex_m3m4.md "stores", tests/test_timing_m4.py): ldr 2 + str in the load's
    # second cycle 0; str 1 + ldr not pipelined after a store 2 + 1 + str (address from the
    # load: not pipelined) 1
    (M33, (1 + 1, 1 + 1 + 2)), (M4, (2 + 0, 1 + 3 + 1))])
def test_load_then_store(core, expect):
    data = cycles_of(R0_RAM + "    ldr r1, [r0]\n    str r1, [r0, #4]", core=core)
    addr = cycles_of(R0_RAM + "    str r0, [r0]\n    ldr r1, [r0]\n    str r2, [r1]", core=core)
    assert (data - PRE[core], addr - PRE[core]) == expect


@pytest.mark.parametrize("core,expect", [
    # J "load/store multiple of x registers execute in exactly x cycles", "load/store double
    # execute in 2 cycles"; M4 Table 3-1: 1+N
    (M33, (4 + 3, 2 + 2, 5 + 4 + 1)), (M4, (5 + 4, 3 + 3, 6 + 5 + 1))])
def test_multiple_and_double(core, expect):
    ldm = cycles_of(R0_RAM + "    ldm r0, {r1-r4}\n    stm r0, {r1-r3}", core=core) - PRE[core]
    dbl = cycles_of(R0_RAM + "    ldrd r2, r3, [r0]\n    strd r2, r3, [r0, #8]", core=core)
    push = cycles_of("    push {r4-r7, lr}\n    pop {r4-r7}\n    add sp, #4", core=core)
    assert (ldm, dbl - PRE[core], push) == expect


@pytest.mark.parametrize("core,expect", [
    # not taken: cmp 1 + bne.n paired 0 + b 1+P; taken: cmp 1 + beq.n paired after a flag
    # setter 2 (J: "bne 1b // 2 cycles taken, 0 not taken")
    (M33, (1 + 0 + 2, 1 + 2)), (M4, (1 + 1 + 3, 1 + 3))])
def test_conditional_branch(core, expect):
    not_taken = cycles_of("    cmp r0, r0\n    bne 1f\n    b 1f\n1:", core=core)
    taken = cycles_of("    cmp r0, r0\n    beq 1f\n    nop\n1:", core=core)
    assert (not_taken, taken) == expect


def test_m33_taken_branch_pairs_after_non_flag_setting_16bit():
    # J: "add r0, r1 // 1 cycle (must be .n); bne 1b // 1 cycle taken" -> cmp 1 + add 1 + beq 1
    assert cycles_of("    cmp r0, r0\n    add r1, r2\n    beq 1f\n    nop\n1:", core=M33) == 3
    # after a 32-bit instruction the branch does not pair: 1 + 1 taken
    assert cycles_of("    cmp r0, r0\n    add.w r1, r1, r2\n    beq 1f\n    nop\n1:",
                     core=M33) == 1 + 1 + 2
    # two 16-bit ALU instructions never pair (J: "can't dual issue arithmetic+arithmetic")
    assert cycles_of("    adds r1, #1\n    adds r2, #1\n    adds r3, #1", core=M33) == 3


@pytest.mark.parametrize("core,expect", [
    # movs 1; 10 x subs 1; bne paired: 9 taken at 2, the last not taken at 0; M4: 1 + 10 + 18 + 1
    (M33, 1 + 10 + 18 + 0), (M4, 30)])
def test_loop(core, expect):
    assert cycles_of("    movs r0, #10\n2:  subs r0, #1\n    bne 2b", core=core) == expect


@pytest.mark.parametrize("core,expect", [(M33, 1 + 0 + 1), (M4, 3)])
def test_it_pairs_on_m33(core, expect):
    # J: "`it` can dual issue with preceding instruction"
    assert cycles_of("    cmp r0, r0\n    it eq\n    moveq r1, r2", core=core) == expect


@pytest.mark.parametrize("core,expect", [
    # J: MACs chain on the accumulator every cycle, result latency 2 otherwise; MULS.N 2.
    # M4 Table 3-1 (Arm doc 100166_0001_00): MLA 1, MUL 1
    (M33, (1 + 1, 1 + 2, 2)), (M4, (1 + 1, 1 + 1, 1))])
def test_multiply_latency(core, expect):
    chain = cycles_of("    mla r3, r1, r2, r3\n    mla r3, r1, r2, r3", core=core)
    use = cycles_of("    mla r3, r1, r2, r3\n    adds r4, r3, #1", core=core)
    muls = cycles_of("    muls r1, r2, r1", core=core)
    assert (chain, use, muls) == expect


@pytest.mark.parametrize("core,expect", [(M33, (1 + 2, 1 + 1)), (M4, (2, 2))])
def test_shifted_operand_latency(core, expect):
    # J: "result latency of operand2 shifted reg/constant instructions is 2 cycles"
    dep = cycles_of("    add.w r1, r2, r3, lsl #2\n    adds r4, r1, #1", core=core)
    ind = cycles_of("    add.w r1, r2, r3, lsl #2\n    adds r4, r2, #1", core=core)
    assert (dep, ind) == expect


@pytest.mark.parametrize("core,expect", [
    # BL 1+P, movs 1, BX LR 1+P, then `b done` 1+P: P = 1 on the M33 (assumed from the measured
    # taken B<cc>); M4: P = 1 for BL/B (measured B<cc>), 2 for BX
    (M33, 2 + 1 + 2 + 2), (M4, 2 + 1 + 3 + 2)])
def test_call_and_return(core, expect):
    body = "    bl f\n    b done\n.type f, %function\nf:\n    movs r0, #1\n    bx lr"
    assert cycles_of(body, core=core) == expect


def test_m33_deterministic():
    body = R0_RAM + "    ldr r1, [r0]\n    adds r2, r1, #1\n2:  subs r1, #1\n    bne 2b"
    assert cycles_of(body, core=M33) == cycles_of(body, core=M33)
