"""Cortex-M7 dual-issue scoreboard (profiles/cortex-m7.toml, cost/superscalar.py) against the
cycle behaviour measured on silicon in jnk0le/random "pipeline cycle test/doc/cortex_m7.md"
(DWT CYCCNT, STM32H743 rev Y; J below), with the Cortex-M4 (TRM r0p1 Table 3-1, §3.3.2) and the
Cortex-M33 (its own measured profile, tests/test_timing_m33.py) shown unchanged on the same
sequences.

Expected M7 figures count issue cycles: two instructions a cycle when J says they pair.
"""
from __future__ import annotations

import pytest

from cost_support import cycles_of

M7, M4, M33 = "cortex-m7", "cortex-m4", "cortex-m33"
# r0 = 0x20000000 (RAM). M7: movs and the shift pair (J: a simple-constant mov in the older op
# feeds the younger op in 0 cycles) = 1; M4: 2; M33: 2 (two 16-bit ALU ops never pair)
R0_RAM = "    movs r0, #0x20\n    lsls r0, r0, #24\n"
PRE = {M7: 1, M4: 2, M33: 2}
# M4/M33: the first memory access addresses r0 right after LSLS wrote it (address-generation
# stall, Cortex-M4 TRM r0p1 §3.3.2; the M33 profile keeps it); the M7 has no such stall (J: an
# early-ALU shift's result is ready for the AGU the next cycle)
AGU = {M7: 0, M4: 1, M33: 1}


def _run(body: str, core: str) -> int:
    return cycles_of(R0_RAM + body, core=core) - PRE[core]


@pytest.mark.parametrize("core,expect", [
    # J loads: "word loads can be consumed by late ALU in next cycle": ldr 1 + adds 1;
    # "byte/half loads can be consumed in second cycle": ldrb 1 + 1 stall + adds 1.
    # M4: ldr 2 + adds 1 (both); M33: load-to-use 2 (both); + AGU
    (M7, (1 + 1, 1 + 1 + 1)), (M4, (1 + 2 + 1, 1 + 2 + 1)), (M33, (1 + 1 + 2, 1 + 1 + 2))])
def test_load_to_use(core, expect):
    word = _run("    ldr r1, [r0]\n    adds r2, r1, #1", core)
    byte = _run("    ldrb r1, [r0]\n    adds r2, r1, #1", core)
    assert (word, byte) == expect


@pytest.mark.parametrize("core,expect", [
    # a loaded pointer used as an address: the address is read a cycle early (LLVM
    # ARMScheduleM7.td M7Read_ISS): str 1 + ldr paired (J: load and store pair) + 1 stall + ldr 1.
    # M4: AGU 1 + str 1 + ldr after a store 2 + 1 (jnk0le cortex_m3m4.md) + ldr 2 (dependent);
    # M33: AGU 1 + str 1 + ldr 1 + 1 load-to-use + ldr 1
    (M7, 1 + 0 + 1 + 1), (M4, 1 + 1 + 3 + 2), (M33, 1 + 1 + 1 + 1 + 1)])
def test_loaded_pointer_as_address(core, expect):
    assert _run("    str r0, [r0]\n    ldr r1, [r0]\n    ldr r2, [r1]", core) == expect


@pytest.mark.parametrize("core,expect", [
    # J: "two loads ... can be dual issued if each one is targeting different bank (even and odd
    # words)": [r0] + [r0, #4] 1; [r0] + [r0, #8] (same bank) 2. "can store any result in same
    # cycle, including ldr": ldr + str of it 1; "cannot dual issue two stores": 2.
    # M4: N neighbouring loads/stores N+1 (§3.3.2) + AGU, a store after a load 0 (jnk0le
    # cortex_m3m4.md); M33: 1 each (issue 1) + AGU
    (M7, (1, 2, 1, 2)), (M4, (4, 4, 3, 3)), (M33, (3, 3, 3, 3))])
def test_memory_pairs(core, expect):
    got = (_run("    ldr r1, [r0]\n    ldr r2, [r0, #4]", core),
           _run("    ldr r1, [r0]\n    ldr r2, [r0, #8]", core),
           _run("    ldr r1, [r0]\n    str r1, [r0, #8]", core),
           _run("    str r1, [r0]\n    str r2, [r0, #4]", core))
    assert got == expect


@pytest.mark.parametrize("core,expect", [
    # J load/store pair/multiple: "takes ceil(regnum/2) cycles", no pairing: LDM 4 -> 2,
    # STM 3 -> 2, LDRD 1, PUSH 5 -> 3. M4 Table 3-1 1+N; M33 (J m33) N; LDRD + AGU on both
    (M7, (2 + 2, 1, 3)), (M4, (5 + 4, 1 + 3, 6)), (M33, (4 + 3, 1 + 2, 5))])
def test_load_store_multiple(core, expect):
    ldm = _run("    ldm r0, {r1-r4}\n    stm r0, {r1-r3}", core)
    ldrd = _run("    ldrd r2, r3, [r0]", core)
    push = cycles_of("    push {r4-r7, lr}", core=core)
    assert (ldm, ldrd, push) == expect


@pytest.mark.parametrize("core,expect", [
    # J overall: add/sub/mov in the older op forward to the younger op in 0 cycles ("movw + movt
    # pair can dual issue with mutual dependency"): 1 each; a logical op's result is ready the next
    # cycle: 2. M4/M33: 1 per instruction
    (M7, (1, 1, 2)), (M4, (2, 2, 2)), (M33, (2, 2, 2))])
def test_early_alu_forwarding(core, expect):
    add = cycles_of("    add.w r1, r0, r3\n    add.w r1, r1, r2", core=core)
    movwt = cycles_of("    movw r0, #0x1234\n    movt r0, #0x5678", core=core)
    eor = cycles_of("    eor.w r1, r0, r3\n    eor.w r1, r1, r2", core=core)
    assert (add, movwt, eor) == expect


@pytest.mark.parametrize("core,expect", [
    # J operand2 matrix: two inline-shifted-register instructions do not pair (2), shifted
    # register + simple constant do (1); an inline-shifted operand is read a cycle early, so a
    # late-ALU result used as one stalls: eor 1 + 1 + add 1. M4: 1 each; M33: shifted result
    # latency 2 (only its consumer waits)
    (M7, (2, 1, 3)), (M4, (2, 2, 2)), (M33, (2, 2, 2))])
def test_operand2(core, expect):
    two = cycles_of("    add.w r1, r2, r3, lsl #2\n    add.w r4, r5, r6, lsl #2", core=core)
    mixed = cycles_of("    add.w r1, r2, r3, lsl #2\n    add.w r4, r5, #1", core=core)
    early = cycles_of("    eor.w r1, r2, r3\n    add.w r4, r5, r1, lsl #2", core=core)
    assert (two, mixed, early) == expect


@pytest.mark.parametrize("core,expect", [
    # J bitfield and DSP: "cannot dual issue wrt each other" (uxtb + uxtb 2); must be the older
    # op: adds + uxtb 2, uxtb + adds 1. M4/M33: 1 each
    (M7, (2, 2, 1)), (M4, (2, 2, 2)), (M33, (2, 2, 2))])
def test_bitfield(core, expect):
    got = (cycles_of("    uxtb r1, r2\n    uxtb r3, r4", core=core),
           cycles_of("    adds r5, #1\n    uxtb r3, r4", core=core),
           cycles_of("    uxtb r3, r4\n    adds r5, #1", core=core))
    assert got == expect


@pytest.mark.parametrize("core,expect", [
    # J multiplication, MAC: "1 additional cycle of result latency" (mul 1 + 1 stall + adds 1),
    # "can be chained on accumulator dependency each cycle" (mla, mla: 2), two multiplies do not
    # pair (2), a multiply pairs with an ALU op (1) but not with a store (2).
    # M4 Table 3-1 (Arm doc 100166_0001_00): MUL 1, MLA 1, ALU 1, STR 1; M33: MLA/MUL latency 2
    # (its own profile)
    (M7, (3, 2, 2, 1, 2)), (M4, (2, 2, 2, 2, 2)), (M33, (3, 2, 2, 2, 2))])
def test_multiply(core, expect):
    got = (cycles_of("    mul r1, r2, r3\n    adds r4, r1, #1", core=core),
           cycles_of("    mla r3, r1, r2, r3\n    mla r3, r1, r2, r3", core=core),
           cycles_of("    mul r1, r2, r3\n    mul r4, r5, r6", core=core),
           cycles_of("    mul r1, r2, r3\n    adds r4, r5, #1", core=core),
           _run("    mul r1, r2, r3\n    str r4, [r0]", core))
    assert got == expect


@pytest.mark.parametrize("core,expect", [
    # J branching: predicted branches take one issue slot and pair as the younger op ("not-taken
    # branch can dual issue", a predicted taken branch runs without a bubble): movs + subs pair,
    # bne alone (1 + 1), then 9 iterations of subs + bne paired (9); the predictor (2-bit
    # counter, weakly not-taken at first: an assumption, profiles/cortex-m7.toml) misses the
    # first taken bne and the final not-taken one, 8 cycles each (J branching/cmp).
    # M4: 1 + 10 + 9 x 2 + 1; M33: 1 + 10 + 9 x 2 + 0
    (M7, 2 + 9 + 2 * 8), (M4, 30), (M33, 29)])
def test_loop(core, expect):
    assert cycles_of("    movs r0, #10\n2:  subs r0, #1\n    bne 2b", core=core) == expect


@pytest.mark.parametrize("core,expect", [
    # BL 1 + movs paired? no: a new block starts at f (blocks are costed apart): movs 1 + BX LR
    # paired 0; then `b done` 1. M7 BL/BX are ASSUMED predicted like B (not measured).
    (M7, 1 + 1 + 0 + 1), (M4, 2 + 1 + 3 + 2), (M33, 2 + 1 + 2 + 2)])
def test_call_and_return(core, expect):
    body = "    bl f\n    b done\n.type f, %function\nf:\n    movs r0, #1\n    bx lr"
    assert cycles_of(body, core=core) == expect


def test_m7_it_pairs():
    # J: "it instruction ... behaves similar to predicted not-taken branch": cmp + it 1, moveq 1
    assert cycles_of("    cmp r0, r1\n    it eq\n    moveq r2, r3", core=M7) == 2


def test_m7_deterministic():
    body = R0_RAM + "    ldr r1, [r0]\n    adds r2, r1, #1\n2:  subs r1, #1\n    bne 2b"
    assert cycles_of(body, core=M7) == cycles_of(body, core=M7)


def test_branch_predictor_learns_a_loop():
    """A loop's backward branch: mispredicted the first time and at the exit only (8 cycles
    each, J), so 100 iterations cost the same two misses as 10."""
    short = cycles_of("    movs r0, #10\n2:  subs r0, #1\n    bne 2b", core=M7)
    long = cycles_of("    movs r0, #100\n2:  subs r0, #1\n    bne 2b", core=M7)
    assert long - short == 90                      # one paired cycle per extra iteration
    assert short == 2 + 9 + 16
