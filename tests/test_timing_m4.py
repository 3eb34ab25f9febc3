"""Cortex-M4 rules from silicon measurements where they disagree with or narrow the TRM table
(profiles/cortex-m4.toml): J = jnk0le/random "pipeline cycle test/doc/cortex_m3m4.md" (DWT
CYCCNT on an STM32F407 rev Y), JT = its test loop "pipeline cycle test/CM3_pipetest_tmpl.S"
("bne.w 1b // 2 cycles taken" to a word-aligned 32-bit target: P = 1).

Each sequence also runs on the M33, M7 and M0+, whose counts are the ones they had before these
M4 rules (checked against the previous commit): the rules are per-profile options.
"""
from __future__ import annotations

import pytest

from cost_support import cycles_of
from mcusim.cost.model import load_profile

M4, M33, M7, M0 = "cortex-m4", "cortex-m33", "cortex-m7", "cortex-m0plus"
# r0 = 0x20000000, r3 = 8; the NOP keeps the next address off the previous ALU result.
# M4: movs 1 + lsls 1 + movs 1 + nop 1 = 4
R0 = "    movs r0, #0x20\n    lsls r0, r0, #24\n    movs r3, #8\n    nop\n"


def _cycles(body: str) -> dict:
    return {c: cycles_of(body, core=c) for c in (M4, M33, M7, M0)}


@pytest.mark.parametrize("body,m4,others", [
    # JT: taken B<cc> 1 + P, P = 1 to a word-aligned 32-bit target: cmp 1 + beq 2 + add.w 1
    ("    cmp r0, r0\n    beq.n 1f\n    nop\n    nop\n1:  add.w r1, r1, #1", 4, (4, 10)),
    # a 32-bit target at an address = 2 mod 4 spans two fetch words: P + 1 (TRM: P depends on
    # "the alignment and width of the target instruction"; the 1 is an assumption)
    ("    cmp r0, r0\n    beq.n 1f\n    nop\n1:  add.w r1, r1, #1", 1 + 3 + 1, (4, 10)),
    # B (P = 1 as the measured B<cc>, assumption) to an unaligned 32-bit target: 3 + add.w 1
    ("    b.n 1f\n1:  add.w r1, r1, #1", 3 + 1, (3, 2)),
    # ... and to an aligned one: nop 1 + B 2 + add.w 1
    ("    nop\n    b.n 1f\n1:  add.w r1, r1, #1", 1 + 2 + 1, (4, 2)),
])
def test_direct_branch_refill(body, m4, others):
    got = {c: cycles_of(body, core=c) for c in (M4, M33, M7)}
    assert got == {M4: m4, M33: others[0], M7: others[1]}


def test_taken_branch_to_16_bit_target_any_alignment():
    # cmp 1 + beq 2 + adds 1 (a 16-bit target is fetched in one word wherever it is)
    assert _cycles("    cmp r0, r0\n    beq.n 1f\n    nop\n1:  adds r1, r1, #1") == {
        M4: 4, M33: 4, M7: 10, M0: 4}


@pytest.mark.parametrize("store,m4,others", [
    # J "stores": an immediate-offset store after a load "removes the stall, making effective
    # execution of 1 IPC, no need to forward data": ldr 2 + str 0 (the TRM's example gave 3)
    ("str r2, [r0, #4]", 4 + 2 + 0, (5, 3, 8)),
    ("str r1, [r0, #4]", 4 + 2 + 0, (5, 3, 8)),        # storing the loaded value: forwarded
    # "(+ pre and post indexed on cm4)"
    ("str r2, [r0, #4]!", 4 + 2 + 0, (5, 3, None)),
    # a register-offset store does not take the load's second cycle; it pipelines at 1 (TRM
    # §3.3.2 example LDR R0,[R1,R2]; STR R1,[R3,R2]: three cycles)
    ("str r2, [r0, r3]", 4 + 2 + 1, (5, 3, 8)),
])
def test_store_after_load(store, m4, others):
    body = R0 + "    ldr r1, [r0]\n    " + store
    cores = (M4, M33, M7) if others[2] is None else (M4, M33, M7, M0)
    got = {c: cycles_of(body, core=c) for c in cores}
    assert got == dict(zip(cores, (m4, *others)))


def test_register_offset_store_two_cycles():
    # J: "reg offset store execute in 2 cycles"; immediate offset 1 (TRM §3.3.2, J)
    assert _cycles(R0 + "    str r2, [r0, r3]") == {M4: 4 + 2, M33: 4, M7: 3, M0: 6}
    assert _cycles(R0 + "    str r2, [r0, #4]") == {M4: 4 + 1, M33: 4, M7: 3, M0: 6}


def test_load_after_store_not_pipelined():
    # J: "stores cannot be pipelined with following load instructions (adds extra cycle to
    # store)", nor with a following LDM (TRM §3.3.2: nothing pipelines after a store):
    # str 1 + ldr 2 + 1; str 1 + ldm 1+2 + 1. Store after store still pipelines: 1 + 1.
    assert _cycles(R0 + "    str r2, [r0]\n    ldr r1, [r0, #4]") == {
        M4: 4 + 1 + 3, M33: 5, M7: 3, M0: 8}
    assert _cycles(R0 + "    str r2, [r0]\n    ldm r0!, {r1, r2}") == {
        M4: 4 + 1 + 4, M33: 6, M7: 4, M0: 9}
    assert _cycles(R0 + "    str r2, [r0]\n    str r1, [r0, #4]") == {
        M4: 4 + 1 + 1, M33: 5, M7: 4, M0: 8}


def test_load_eats_following_nop():
    # J "loads": "load instructions can eat following nop (cmp, tst don't work)"
    assert _cycles(R0 + "    ldr r1, [r0]\n    nop") == {M4: 4 + 2, M33: 4, M7: 3, M0: 7}
    assert _cycles(R0 + "    ldr r1, [r0]\n    cmp r2, r3") == {M4: 4 + 2 + 1, M33: 5, M7: 3,
                                                                  M0: 7}


def test_rules_are_m4_options_only():
    for core in (M33, M7, M0, "cortex-m3"):
        m = load_profile(core)
        assert (m.store_load_stall, m.register_target_extra, m.unaligned_target_extra) == (0, 0, 0)
        assert m["store"].after_load is None and m["store"].reg_offset_extra == 0
    m4 = load_profile(M4)
    assert (m4.store_load_stall, m4.register_target_extra, m4.unaligned_target_extra) == (1, 1, 1)


def test_deterministic():
    body = R0 + "    str r2, [r0]\n    ldr r1, [r0, #4]\n    cmp r0, r0\n    beq.n 1f\n1:  nop"
    assert cycles_of(body) == cycles_of(body)
