"""Dual-issue scoreboard for the Cortex-M7 (profile `[pipeline] scoreboard = true`).

Arm publishes no instruction timing for the Cortex-M7. The rules here are the ones measured on
silicon by jnk0le/random "pipeline cycle test/doc/cortex_m7.md" (DWT CYCCNT, STM32H743 rev Y;
J below), with the pipeline stages of LLVM's Arm-contributed scheduling model
(llvm/lib/Target/ARM/ARMScheduleM7.td; L below) where J is silent. The numbers (result
latencies, issue cycles) come from the profile; this module holds the structure:

- In order, two instructions a cycle: the older op and the younger op of a pair.
- Never paired (J "load/store pair/multiple ... cannot dual issue with preceding or following
  instructions"; L SingleIssue: divide, MRS/MSR, barriers, TBB/TBH): LDM/STM/PUSH/POP/LDRD/STRD,
  divide, barrier, system, PC-writing ALU/load/POP, VLDM/VSTM, VDIV/VSQRT.
- Not paired with each other (J): two stores; two multiplies/MACs; a multiply/MAC and a store;
  two bitfield/DSP instructions (UXTB, UBFX, REV, QADD, ...), which also go in the older op
  only; two operand2 "shifted constant"/"inline shifted register" instructions, or one of them
  as the younger op after a shift, or either with a bitfield/DSP one; two FP arithmetic
  instructions; an FP multiply-accumulate with an FP load/store/move. Two loads pair only when
  they provably hit different 32-bit banks (J "two loads ... can be dual issued if each one is
  targeting different bank (even and odd words)"): word loads from one base register whose
  offsets differ in bit 2 (the base assumed word aligned).
- Result timing (cycle in which a consumer may issue, relative to the producer's issue cycle t):
  add/sub/mov (register or simple constant, no shift) and shifts by a constant issued as the
  older op run in the early ALU: a younger op of the same cycle may use the result (J "result of
  early alu can be forwarded to late alu in 0 cycles", "movw + movt pair can dual issue with
  mutual dependency"); other ALU results t+1; loads and multiplies from the profile (`latency`,
  `latency_narrow` for byte/halfword loads).
- Operands read a cycle early (`[pipeline] early_operand`): load/store addresses (L M7Read_ISS),
  an inline-shifted register, the source of UBFX/SBFX/REV*/RBIT and the extracted register of
  BFI/PKH/{S,U}XTA* (J "consume its operand in early ALU"), and a multiply's factors when they
  come from a load (J "can't consume ldr result from previous cycle"). An early-ALU result is
  early-ready the next cycle. A store's data and a MAC's accumulator are read late (J "can store
  any result in same cycle", "accumulate dependency is consumed cycle later").
- Branches issue in one slot as predicted (J: a predicted taken branch does not stall the
  loop; "not-taken branch can dual issue with following instruction": a conditional branch
  takes the older slot beside the instruction it falls through to); their operands do not
  stall issue.
- A block entered by fall-through is costed after the previous block's instructions
  (classify.py's preamble; docs/cost-model.md "Block boundaries"), so results in flight and
  a free younger slot carry across page splits and not-taken branches.
Not modelled here: mispredictions (J: 8 cycles, 6 with early flags; the native hook charges
them), unaligned accesses, store-buffer and bank conflicts, alignment/compression of the
instruction stream, FP result latencies, pairing with a taken branch's target.
"""
from __future__ import annotations

from math import ceil

from capstone import arm_const as A

_SINGLE = {"ldm", "stm", "pop_pc", "load_pc", "table_branch", "alu_pc", "div", "barrier",
           "system", "fpu_ldm", "fpu_div"}
_MAC = {"mul", "mla", "mull", "mlal"}
_BRANCH = {"branch", "call", "cond_branch"}
_FP_ARITH = {"fpu", "fpu_mac"}
_FP_MOVE = {"fpu_load", "fpu_store", "fpu_mov"}
_NARROW = {"ldrb", "ldrsb", "ldrh", "ldrsh", "ldrbt", "ldrsbt", "ldrht", "ldrsht", "ldrexb",
           "ldrexh", "ldab", "ldah", "ldaexb", "ldaexh"}
# bitfield/DSP (non-multiply) instructions: J "bitfield and DSP instructions except multiplication"
_BITFIELD = {"uxtb", "uxth", "sxtb", "sxth", "uxtab", "uxtah", "sxtab", "sxtah", "ubfx", "sbfx",
             "bfi", "bfc", "rev", "rev16", "revsh", "rbit", "clz", "pkhbt", "pkhtb"}
_EARLY_ALL = {"ubfx", "sbfx", "rev", "rev16", "revsh", "rbit"}     # every source read early
_EARLY_LAST = {"bfi", "pkhbt", "pkhtb", "uxtab", "uxtah", "sxtab", "sxtah", "uxtab16",
               "sxtab16"}                                          # the extracted register
_SHIFTS = {"lsl", "lsr", "asr", "ror"}
_EARLY_ALU = {"add", "sub", "mov"}
_NEVER = -(1 << 30)       # a register set before the block: ready


def _is_mac(d) -> bool:
    return d.cls in _MAC or (d.cls == "dsp" and any(s in d.name for s in ("mul", "mla", "mls",
                                                                           "mua", "mus")))


def _group(d) -> str:
    if d.cls in _SINGLE:
        return "single"
    if _is_mac(d):
        return "mac"
    if d.cls == "dsp" or d.name in _BITFIELD:
        return "bitfield"
    if d.cls == "alu" and (d.shifted or d.wide_imm):
        return "shiftop"        # J operand2: inline shifted register / shifted constant
    if d.cls == "alu" and d.name in _SHIFTS:
        return "shift"
    return d.cls


def _pairs(a, ga: str, b, gb: str) -> bool:
    """Whether b may issue as the younger op alongside a (J's pairing restrictions). A
    conditional branch followed by b did not branch: J "not-taken branch can dual issue with
    following instruction" (only seen across a fall-through block boundary)."""
    if "single" in (ga, gb) or ga in ("branch", "call"):
        return False
    if gb == "bitfield" or (ga == "bitfield" and gb == "shiftop"):
        return False
    if gb == "shiftop" and ga in ("shiftop", "shift", "bitfield"):
        return False
    if ga == gb and ga in ("store", "mac"):
        return False
    if {ga, gb} == {"mac", "store"}:
        return False
    if ga == gb == "load":
        ma, mb = a.mem, b.mem
        return (a.name == b.name == "ldr" and ma is not None and mb is not None
                and ma[0] == mb[0] and not ma[1] and not mb[1] and ma[0] not in a.writes
                and (ma[2] ^ mb[2]) & 4 != 0)
    if ga in _FP_ARITH and gb in _FP_ARITH:
        return False
    if ("fpu_mac" in (ga, gb)) and (ga in _FP_MOVE or gb in _FP_MOVE):
        return False
    return True


class Scoreboard:
    """Issue cycles of one block's instructions, in order, dual issue by the rules above."""

    def __init__(self, model):
        self.model = model
        self.early_op = model.early_operand
        self.end = 0              # cycles used so far (end of the last issue group)
        self.t = _NEVER           # issue cycle of the previous instruction
        self.older = None         # (decoded, group) of the older op when the slot beside it is free
        self.late: dict[int, int] = {}    # register -> first cycle a normal consumer may issue
        self.early: dict[int, int] = {}   # register -> first cycle an early consumer may issue
        self.loaded: set[int] = set()     # registers last written by a load

    def _need(self, d, group: str) -> int:
        """The first cycle d's operands allow it to issue."""
        if group in _BRANCH or d.cls == "it":
            return _NEVER                 # predicted: issue does not wait for the operands
        mem = d.mem
        addr = {mem[0], mem[1]} if mem is not None else set()
        if d.cls in ("ldm", "stm") and mem is None and d.regs:
            addr = {d.regs[0]} if d.name not in ("push", "pop") else {A.ARM_REG_SP}
        early = set(addr)
        if d.name in _EARLY_ALL:
            early |= set(d.reads)
        elif d.name in _EARLY_LAST and d.regs:
            early.add(d.regs[-1])
        if d.shift_src:
            early.add(d.shift_src)
        if group == "mac":
            early |= {r for r in d.reads if r in self.loaded}
        acc = ()
        if d.cls == "mla" and len(d.regs) == 4:
            acc = (d.regs[3],)                     # MLA Rd, Rn, Rm, Ra
        elif d.cls == "mlal":
            acc = tuple(r for r in d.reads if r in d.writes)   # UMLAL RdLo, RdHi, ...
        need = _NEVER
        for r in d.reads:
            if r in (A.ARM_REG_PC, 0):
                continue
            if d.cls in ("store", "stm", "fpu_store") and r not in addr:
                continue                  # store data: read late, any result in time
            if r in early and self.early_op:
                need = max(need, self.early.get(r, _NEVER))
            elif group == "mac" and r in acc:
                need = max(need, self.late.get(r, _NEVER) - 1)   # accumulator, a stage later
            else:
                need = max(need, self.late.get(r, _NEVER))
        return need

    def issue(self, d, cc) -> int:
        """Issue d (class costs cc); return the cycles it adds to the block."""
        group = _group(d)
        occ = cc.cycles + cc.per_reg * ceil(d.nregs / cc.regs_per_cycle) if d.nregs else \
            cc.cycles + (cc.flags_extra if d.sets_flags else 0)
        occ = max(occ, 0)
        need = self._need(d, group)
        younger = False
        if (self.older is not None and occ <= 1 and need <= self.t
                and _pairs(self.older[0], self.older[1], d, group)):
            t, younger = self.t, True
        else:
            t = max(self.end, need)
        cost = max(t + occ - self.end, 0)
        self.end = max(self.end, t + occ)
        self.t = t
        self.older = None if (younger or occ != 1 or group == "single") else (d, group)
        self._results(d, cc, group, t, occ, younger)
        return cost

    def _results(self, d, cc, group: str, t: int, occ: int, younger: bool) -> None:
        if d.conditional:
            late = early = t + max(occ, 1)      # may or may not write: ready as a late ALU
            for r in d.writes:
                self.late[r], self.early[r] = late, early + self.early_op
                self.loaded.discard(r)
            return
        dest_loaded = ()
        if d.cls in ("load", "fpu_load") and d.regs:
            dest_loaded = (d.regs[0],) if d.name != "ldrd" else d.regs[:2]
        elif d.cls in ("ldm", "pop_pc"):
            based = d.name in ("ldm", "ldmia", "ldmdb")        # the first operand is the base
            dest_loaded = d.regs[1:] if based else d.regs
        for r in d.writes:
            self.loaded.discard(r)
            if r in dest_loaded:
                lat = cc.latency_narrow if d.name in _NARROW and cc.latency_narrow else cc.latency
                late = t + max(occ - 1, 0) + lat
                self.late[r], self.early[r] = late, late + self.early_op
                self.loaded.add(r)
            elif group in ("load", "store", "ldm", "stm") or d.cls in ("ldm", "stm"):
                self.late[r] = self.early[r] = t + 1           # base writeback: from the AGU
            elif (r != A.ARM_REG_CPSR and not d.shifted and not d.wide_imm
                  and ((d.name in _EARLY_ALU and not younger) or (d.name in _SHIFTS and d.imms))):
                # J: add/sub/mov enter the early ALU from the older op only, shifts from either
                self.late[r], self.early[r] = t, t + 1          # early ALU
            else:
                lat = self.model["mul"].latency if group == "mac" else cc.latency
                late = t + max(occ, lat)
                self.late[r], self.early[r] = late, late + self.early_op
