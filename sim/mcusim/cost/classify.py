"""Instruction classification and static block cost, done once per basic block.

classify_block() disassembles a block with capstone (Thumb, M-class), maps every instruction to
a class of profiles/<core>.toml and sums the static cycles. What depends on run time (a taken
conditional branch, instruction-fetch misses in a flash cache) is left to the block hook, which
gets the pieces it needs in BlockInfo.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import capstone
from capstone import arm_const as A

from mcusim.cost.model import CoreModel
from mcusim.cost.superscalar import Scoreboard

END_PLAIN, END_COND, END_CALL = 0, 1, 2

_BASE = {}   # capstone instruction name -> class (names without condition/width suffixes)


def _names(cls: str, names: str) -> None:
    for n in names.split():
        _BASE[n] = cls


_names("mul", "mul")
_names("mla", "mla mls")
_names("mull", "umull smull")
_names("mlal", "umlal smlal umaal smlald smlsld smlalbb smlalbt smlaltb smlaltt")
_names("div", "sdiv udiv")
_names("dsp", "smlad smladx smlsd smlsdx smuad smuadx smusd smusdx smmul smmulr smmla smmlar "
              "smmls smmlsr smulbb smulbt smultb smultt smulwb smulwt smlabb smlabt smlatb "
              "smlatt smlawb smlawt sxtb16 uxtb16 sxtab16 uxtab16 qadd qsub qdadd qdsub qadd8 "
              "qadd16 qsub8 qsub16 qasx qsax uqadd8 uqadd16 uqsub8 uqsub16 uqasx uqsax ssat "
              "usat ssat16 usat16 sadd8 sadd16 ssub8 ssub16 sasx ssax uadd8 uadd16 usub8 usub16 "
              "uasx usax shadd8 shadd16 shsub8 shsub16 shasx shsax uhadd8 uhadd16 uhsub8 "
              "uhsub16 uhasx uhsax sel usad8 usada8 pkhbt pkhtb")
_names("load", "ldr ldrb ldrh ldrsb ldrsh ldrt ldrbt ldrht ldrsbt ldrsht ldrex ldrexb ldrexh "
               "lda ldab ldah ldaex ldaexb ldaexh")
_names("store", "str strb strh strt strbt strht strex strexb strexh stl stlb stlh stlex "
                "stlexb stlexh")
_names("ldm", "ldm ldmdb ldmia pop ldrd")
_names("stm", "stm stmdb stmia push strd")
_names("table_branch", "tbb tbh")
_names("call", "bl blx")
_names("branch", "b bx")
_names("cond_branch", "cbz cbnz")
_names("it", "it")
_names("nop", "nop yield")
_names("barrier", "dmb dsb isb")
_names("system", "mrs msr cps cpsie cpsid svc bkpt wfi wfe sev udf clrex")
_names("fpu_mac", "vmla vmls vnmla vnmls vfma vfms vfnma vfnms")
_names("fpu_div", "vdiv vsqrt")
_names("fpu_load", "vldr")
_names("fpu_store", "vstr")
_names("fpu_ldm", "vldmia vldmdb vstmia vstmdb vpush vpop vldm vstm")
_names("fpu_mov", "vmov vmrs vmsr")
_names("fpu", "vadd vsub vmul vnmul vabs vneg vcmp vcmpe vcvt vcvtr vcvta vcvtn vcvtp vcvtm "
              "vcvtb vcvtt vmaxnm vminnm vrinta vrintn vrintp vrintm vrintr vrintx vrintz vsel")

_SIMPLE = {"alu", "load", "store", "mul", "dsp", "nop"}   # M7 dual-issue candidates
_MEM1 = {"load", "store"}
_LOADS = {"load", "ldm", "pop_pc", "load_pc", "table_branch"}               # M4: not pipelined after a store
_MAC = {"mul", "dsp"}                                     # M7: one multiply/DSP pipeline
_ADDR = {"load", "store", "ldm", "stm", "fpu_load", "fpu_store", "fpu_ldm"}


@dataclass
class BlockInfo:
    addr: int
    size: int
    ninsns: int
    cycles: int                       # static cycles of the whole block
    end: int                          # END_PLAIN / END_COND / END_CALL
    taken: int                        # extra cycles when the final conditional branch is taken
    last_class: str = ""              # class of the final instruction
    last_indirect: bool = False       # the final instruction branches to a register (BX)
    class_cycles: dict[str, int] = field(default_factory=dict)
    # (offset of the instruction's end from addr, cumulative cycles through it), per instruction
    prefix: list[tuple[int, int]] = field(default_factory=list)
    # data loads whose address is computable at block entry (see _tracked_load); the hook
    # tracks their addresses through the data-side cache (mcusim_hook.c, docs/cost-model.md).
    loads: list[tuple] = field(default_factory=list)


_LOAD_BYTES = {"ldrb": 1, "ldrsb": 1, "ldrh": 2, "ldrsh": 2, "ldrd": 8, "vldr": 4}
LITERAL = -1          # tracked-load base meaning "constant address"
_COND = (A.ARM_CC_AL, A.ARM_CC_INVALID)


@dataclass(slots=True)
class _Decoded:
    """What the cost rules need of one instruction."""
    size: int
    name: str
    cls: str
    nregs: int
    reads: frozenset
    writes: tuple
    mem: tuple | None           # (base, index, disp, index LSL) of its memory operand
    writeback: bool
    post_index: bool
    imms: tuple
    regs: tuple                 # register operands in order
    it_len: int                 # IT: number of instructions it makes conditional
    shifted: bool = False       # a register operand is shifted (ADD Rd, Rn, Rm, LSL #2)
    conditional: bool = False   # inside an IT block
    sets_flags: bool = False    # writes the condition flags (CMP, ADDS, ...)
    shift_src: int = 0          # the register operand that is shifted inline (M7 scoreboard)
    wide_imm: bool = False      # a 32-bit operand2 constant that is a shifted 8-bit value
    target_off: int | None = None   # B/BL/B<cc>/CBZ: target minus the instruction's address


_STORE_BYTES = {"strb": 1, "strh": 2, "str": 4, "strd": 8, "vstr": 8}


class _AddrTracker:
    """Each register's value, symbolically, from block-entry state, so the hook can compute a
    load's address when the block starts: (terms, k) = the sum of up to two terms plus the
    constant k, a term being (R, 0, 0): the entry value of register R, or (R, 1, j): the word at
    entry R + j as memory was at block entry (a pointer the block loads, typically from a stack
    slot, before using it); None: unknown. Follows MOV, ADD/SUB #imm, ADD of two registers, LDR
    of a word, and writeback. A pointer is only taken from memory that no earlier store of the
    block may have changed: stack slots not stored to, other memory before any other store."""

    def __init__(self):
        self.sym: dict[int, tuple | None] = {}
        self.iaddr = 0                   # address of the instruction being followed
        self.sp_stores: list[tuple[int, int]] | None = []   # stack ranges written; None: any
        self.other_store = False

    def get(self, reg: int) -> tuple | None:
        if reg == A.ARM_REG_PC:
            return None                  # not its block-entry value: handled as literals
        return self.sym.get(reg, (((reg, 0, 0),), 0))

    @staticmethod
    def plus(v, k: int):
        return None if v is None else (v[0], v[1] + k)

    @staticmethod
    def add(a, b):
        if a is None or b is None or len(a[0]) + len(b[0]) > 2:
            return None
        return (a[0] + b[0], a[1] + b[1])

    @staticmethod
    def sp_offset(v) -> int | None:
        """k when v is exactly the entry SP plus k."""
        return v[1] if v is not None and v[0] == ((A.ARM_REG_SP, 0, 0),) else None

    def _note_store(self, d: _Decoded) -> None:
        base = self.get(d.mem[0]) if d.mem is not None else (
            self.get(d.regs[0]) if d.regs else None)
        k = self.sp_offset(base)
        if base is None:                                     # could be anywhere
            self.sp_stores, self.other_store = None, True
        elif k is None:                                      # through a pointer: not the stack
            self.other_store = True
        elif d.mem is None or self.sp_stores is None:       # PUSH/STM: anywhere near SP
            self.sp_stores = None
        else:
            start = k + (0 if d.post_index else d.mem[2])
            self.sp_stores.append((start, start + _STORE_BYTES.get(d.name, 8)))

    def _word_unchanged(self, base, j: int) -> bool:
        k = self.sp_offset(base)
        if k is None:
            return not self.other_store
        if self.sp_stores is None:
            return False
        a = k + j
        return all(e <= a or a + 4 <= s for s, e in self.sp_stores)

    def update(self, d: _Decoded) -> None:
        new: dict[int, tuple | None] = {}
        mem = d.mem
        if d.cls in ("store", "stm", "fpu_store"):
            self._note_store(d)
        if d.conditional:
            pass                                       # may or may not happen: unknown
        elif mem is not None and d.writeback and mem[0] in d.writes:
            step = d.imms[0] if d.post_index and d.imms else mem[2]
            if mem[1] == 0:
                new[mem[0]] = self.plus(self.get(mem[0]), step)
        elif d.name == "mov" and len(d.regs) == 2 and not d.imms and not d.shifted:
            new[d.regs[0]] = self.get(d.regs[1])
        elif d.name in ("mov", "movw") and len(d.regs) == 1 and len(d.imms) == 1:
            new[d.regs[0]] = ((), d.imms[0] & 0xFFFF_FFFF)          # a constant
        elif d.name == "movt" and len(d.regs) == 1 and d.imms:
            v = self.get(d.regs[0])
            new[d.regs[0]] = None if v is None or v[0] else (
                (), (v[1] & 0xFFFF) | (d.imms[-1] & 0xFFFF) << 16)
        elif d.name in ("add", "sub") and d.imms and d.regs and mem is None:
            rn = self.get(d.regs[1] if len(d.regs) > 1 else d.regs[0])
            new[d.regs[0]] = self.plus(rn, d.imms[0] if d.name == "add" else -d.imms[0])
        elif d.name == "add" and not d.imms and not d.shifted and len(d.regs) in (2, 3):
            rn, rm = d.regs[-2], d.regs[-1]
            new[d.regs[0]] = self.add(self.get(rn), self.get(rm))
        if (d.name == "ldr" and d.cls == "load" and mem is not None and mem[0] == A.ARM_REG_PC
                and not mem[1] and not d.conditional):
            # a literal: the word at a constant address (flash, never stored to by the block)
            new[d.regs[0]] = (((LITERAL, 1, ((self.iaddr + 4) & ~3) + mem[2]),), 0)
        elif (d.name == "ldr" and d.cls == "load" and mem is not None and not mem[1]
                and not d.writeback and not d.conditional):
            base = self.get(mem[0])
            if base is not None and len(base[0]) == 1 and base[0][0][1] == 0 \
                    and self._word_unchanged(base, mem[2]):
                new[d.regs[0]] = (((base[0][0][0], 1, base[1] + mem[2]),), 0)
        for r in d.writes:
            self.sym[r] = new.get(r)


def make_disassembler() -> capstone.Cs:
    md = capstone.Cs(capstone.CS_ARCH_ARM, capstone.CS_MODE_THUMB | capstone.CS_MODE_MCLASS)
    md.detail = True
    return md


def _decode(md: capstone.Cs, insn) -> _Decoded:
    name = md.insn_name(insn.id) or insn.mnemonic
    if name == "hint" and insn.mnemonic.startswith("nop"):
        name = "nop"            # capstone names every hint (NOP, WFI, SEV, ...) "hint"
    reads, writes = insn.regs_access()          # a C call; operands below copy the detail
    cls = _BASE.get(name) or ("fpu" if name.startswith("v") else "alu")
    need_ops = cls in _ADDR or cls in ("table_branch", "fpu_ldm", "alu", "mla") or name in (
        "add", "sub", "mov", "movw", "movt")
    ops = insn.operands if need_ops else ()
    regs = tuple(o.reg for o in ops if o.type == A.ARM_OP_REG)
    shifted = any(o.type == A.ARM_OP_REG and o.shift.type for o in ops)
    shift_src = next((o.reg for o in ops if o.type == A.ARM_OP_REG and o.shift.type), 0)
    nregs = 0
    if cls in ("ldm", "stm", "fpu_ldm"):
        nregs = len(regs)
        if name in ("ldm", "ldmia", "ldmdb", "stm", "stmia", "stmdb", "vldmia", "vldmdb",
                    "vstmia", "vstmdb", "vldm", "vstm") and nregs:
            nregs -= 1          # the first register operand is the base
        if name in ("ldrd", "strd"):
            nregs = 2
    if A.ARM_REG_PC in writes:
        cls = {"ldm": "pop_pc", "load": "load_pc", "alu": "alu_pc"}.get(cls, cls)
    if cls == "branch" and insn.cc not in _COND:
        cls = "cond_branch"
    mem = next(((o.mem.base, o.mem.index, o.mem.disp, o.shift.value if o.shift.type else 0)
                 for o in ops if o.type == A.ARM_OP_MEM), None)
    it_len = 0
    if name == "it":
        mask = insn.bytes[0] & 0x0F
        it_len = 4 - (mask & -mask).bit_length() + 1     # the mask's lowest 1 ends the block
    target_off = None
    if name in ("b", "bl", "cbz", "cbnz"):     # direct: kept relative (decoded per encoding)
        target_off = next((o.imm - insn.address for o in insn.operands
                           if o.type == A.ARM_OP_IMM), None)
    # Subtraction is normalised to add/sub without the flag-setting 's'
    base = name[:-1] if name in ("adds", "subs") else name
    return _Decoded(size=insn.size, name=base, cls=cls, nregs=nregs, reads=frozenset(reads),
                    writes=tuple(writes), mem=mem,
                    writeback=bool(insn.writeback) if need_ops else False,
                    post_index=bool(insn.post_index) if need_ops else False,
                    imms=tuple(o.imm for o in ops if o.type == A.ARM_OP_IMM), regs=regs,
                    it_len=it_len, shifted=shifted, sets_flags=bool(insn.update_flags),
                    shift_src=shift_src, target_off=target_off,
                    wide_imm=insn.size == 4 and cls == "alu" and any(
                        _shifted_constant(o.imm) for o in ops if o.type == A.ARM_OP_IMM)
                    and insn.mnemonic[:4] not in ("movw", "addw", "subw", "movt"))


def _shifted_constant(v: int) -> bool:
    """A Thumb-2 modified immediate built by rotating an 8-bit value (not 0..255 nor one of the
    byte patterns 0x00XY00XY, 0xXY00XY00, 0xXYXYXYXY): the M7's "shifted constant" operand2."""
    v &= 0xFFFF_FFFF
    b = v & 0xFF
    return not (v <= 0xFF or v in (b * 0x0001_0001, b * 0x0101_0101)
                or v == ((v >> 8) & 0xFF) * 0x0100_0100)


class Decoder:
    """capstone set up once per profiler; decodes a block in one call (which also gives
    instructions inside an IT block their condition).

    Decoding with capstone's details is most of the cost of a new block, and compiled code
    repeats encodings (PUSH, LDR r3, [r0, #4], ...), so decoded instructions are kept per
    encoding: outside an IT block an instruction decodes the same wherever it is (_Decoded holds
    no address). A block with an IT instruction, or anything unusual, takes the block path."""

    def __init__(self, cache: bool = True):
        self.md = make_disassembler()
        self._cache: dict[bytes, _Decoded] | None = {} if cache else None

    def instructions(self, code: bytes, addr: int):
        if self._cache is not None:
            fast = self._by_encoding(code, addr)
            if fast is not None:
                return fast
        return self._block(code, addr)

    def _block(self, code: bytes, addr: int) -> list:
        out, it_left = [], 0
        for insn in self.md.disasm(code, addr):
            d = _decode(self.md, insn)
            d.conditional = it_left > 0
            it_left = d.it_len or max(it_left - 1, 0)
            out.append((insn.address, d))
        return out

    def _by_encoding(self, code: bytes, addr: int) -> list | None:
        """The block from the per-encoding cache (decoding each new encoding alone), or None
        when it has an IT instruction, a truncated or undecodable instruction."""
        cache, md, out, off, n = self._cache, self.md, [], 0, len(code)
        while off < n:
            if off + 2 > n:
                return None
            hw = code[off] | code[off + 1] << 8
            size = 4 if hw >> 11 in (0x1D, 0x1E, 0x1F) else 2     # ARMv7-M ARM A5.1
            if (hw & 0xFF00) == 0xBF00 and hw & 0xF:                  # IT: conditions follow
                return None
            enc = code[off:off + size]
            d = cache.get(enc)
            if d is None:
                if len(enc) != size:
                    return None
                insn = next(md.disasm(enc, addr + off, 1), None)
                if insn is None or insn.size != size:
                    return None
                d = cache[enc] = _decode(md, insn)
            out.append((addr + off, d))
            off += size
        return out


def _tracked_load(d: _Decoded, iaddr: int, track: _AddrTracker):
    """How the hook computes a data load's address at block entry, as (base register, base
    indirect, base j, index register or 0, index indirect, index j, offset, bytes, shift):
    address = term1 + (term2 << shift) + offset (see _AddrTracker). A constant address (a
    PC-relative literal) has base LITERAL and offset = the address. None for stack (SP) loads
    and unknown addresses."""
    mem = d.mem
    nbytes = _LOAD_BYTES.get(d.name, 4)
    if d.cls in ("load", "fpu_load", "ldm") and mem is not None:      # LDR, VLDR, LDRD
        if mem[0] == A.ARM_REG_PC:
            return (LITERAL, 0, 0, 0, 0, 0, ((iaddr + 4) & ~3) + mem[2], nbytes, 0)
        v, shift = track.get(mem[0]), mem[3]
        if mem[1]:
            iv = track.get(mem[1])
            if iv is None or v is None:
                return None
            if not iv[0]:                                  # a constant index
                v = track.plus(v, iv[1] << shift)
            elif shift:                                    # base + (index << shift)
                if len(iv[0]) != 1 or len(v[0]) != 1 or v[0][0] == (A.ARM_REG_SP, 0, 0):
                    return None
                return (*v[0][0], *iv[0][0],
                        v[1] + (iv[1] << shift) + (0 if d.post_index else mem[2]), nbytes, shift)
            else:
                v = track.add(v, iv)
        v = track.plus(v, 0 if d.post_index else mem[2])
    elif d.cls == "ldm" and d.name in ("ldm", "ldmia") and d.regs:    # LDM Rn{!}, {...}
        v, nbytes = track.get(d.regs[0]), 4 * d.nregs
    else:
        return None
    if v is None or any(t == (A.ARM_REG_SP, 0, 0) for t in v[0]):
        return None                                                    # unknown, or the stack
    if not v[0]:                                                       # a constant address
        return (LITERAL, 0, 0, 0, 0, 0, v[1] & 0xFFFF_FFFF, nbytes, 0)
    t1, t2 = (v[0] + ((0, 0, 0),))[:2]
    return (*t1, *t2, v[1], nbytes, 0)


# M33 (J m33 'overall'): extend-and-add, result latency 2, the accumulate operand chained
_EXTEND_ADD = frozenset("uxtab uxtah sxtab sxtah uxtab16 sxtab16".split())


def _late_result(d: _Decoded, cc, model: CoreModel) -> tuple[tuple, int]:
    """The registers an instruction delivers late (result latency 2, profile `use_stall` per
    class, `extend_add_use_stall` or `shifted_use_stall`) and the stall of a next instruction
    that reads one of them. A load's late register is its destination (the written-back base
    is ready at once)."""
    if d.conditional:
        return (), 0
    if cc.use_stall and d.cls == "load" and d.regs:
        return (d.regs[0],), cc.use_stall
    if cc.use_stall and d.cls != "load":
        return tuple(r for r in d.writes if r != A.ARM_REG_CPSR), cc.use_stall
    if model.extend_add_use_stall and d.name in _EXTEND_ADD:
        return tuple(r for r in d.writes if r != A.ARM_REG_CPSR), model.extend_add_use_stall
    if model.shifted_use_stall and d.cls == "alu" and d.shifted:
        return tuple(r for r in d.writes if r != A.ARM_REG_CPSR), model.shifted_use_stall
    return (), 0


def _reads_late(d: _Decoded, late: tuple, from_extend_add: bool = False) -> bool:
    """Whether d needs a late register in time: a store takes its data a cycle later than its
    address, so storing a late result does not wait (M33: load-to-store latency 1), and a
    multiply-accumulate takes its accumulator a cycle later than its factors. An extend-and-add
    takes an extend-and-add's result as its accumulate operand Rn without waiting (J m33:
    "accumulate dependency can be chained"; a load's result it does wait for)."""
    if d.cls == "store" and d.mem is not None:
        return d.mem[0] in late or d.mem[1] in late
    if d.cls == "mla" and len(d.regs) == 4:   # MLA Rd, Rn, Rm, Ra: Ra is read a stage later
        return d.regs[1] in late or d.regs[2] in late
    if from_extend_add and d.name in _EXTEND_ADD and len(d.regs) >= 3:   # XTA Rd, Rn, Rm
        return d.regs[2] in late
    return any(r in late for r in d.reads)


# M33 (jnk0le/random, pipeline cycle test/doc/cortex_m33.md): the instructions that take the
# second slot of a 16-bit pair; two arithmetic or load/store instructions never pair.
def _pairs16(d: _Decoded, cls: str, prev_cls) -> bool:
    if cls == "cond_branch":
        return d.name == "b"            # B<cc>.N; CBZ/CBNZ were not measured
    if cls == "it":
        return True
    if cls == "nop":
        return prev_cls in ("alu", "load", "store")
    return False


def _wide_at(read_code, target: int) -> bool:
    """Whether the instruction at a branch target is 32-bit (ARMv7-M ARM A5.1)."""
    try:
        hw = int.from_bytes(read_code(target, 2), "little")
    except Exception:          # unmapped target: nothing to charge
        return False
    return hw >> 11 in (0x1D, 0x1E, 0x1F)


def classify_block(dec: Decoder, model: CoreModel, code: bytes, addr: int,
                   read_code=None, preamble: int = 0) -> BlockInfo:
    """`read_code(address, n)` gives code bytes outside the block (branch targets), or None.

    preamble: the first `preamble` bytes of `code` are the block that ran just before and fell
    through into this one (docs/cost-model.md "Block boundaries"): their instructions go
    through every pipeline rule but are not counted, so the result is the block at
    addr + preamble costed as if they preceded it. Its loads are tracked from its own entry."""
    cycles = 0
    class_cycles: dict[str, int] = {}
    prefix: list[tuple[int, int]] = []
    prev_cls = None
    prev_writes: tuple = ()
    paired = False        # M7: the previous instruction already took the second issue slot
    prev_size, prev_flags = 0, False
    late: tuple = ()      # registers the previous instruction delivers a cycle late
    late_stall = 0        # the cycles an instruction reading one of them waits
    late_xta = False      # ... delivered by an extend-and-add (chained as an accumulate)
    end, taken, n, last_indirect = END_PLAIN, 0, 0, False
    track = _AddrTracker()
    loads: list[tuple] = []
    board = Scoreboard(model) if model.scoreboard else None
    start = addr + preamble
    for iaddr, d in dec.instructions(code, addr):
        counted = iaddr >= start
        n += counted
        cls = d.cls
        cc = model[cls]
        c = cc.cycles + cc.per_reg * d.nregs
        if cc.flags_extra and d.sets_flags:
            c += cc.flags_extra   # M33 MULS: a two-stage instruction that sets the flags
        depends = any(r in prev_writes for r in d.reads)
        mem = d.mem
        if (cls in _ADDR and prev_cls not in _MEM1 and model.agu_stall and mem is not None
                and (mem[0] in prev_writes or mem[1] in prev_writes)):
            # TRM: an address computed by the preceding data-processing instruction stalls
            # (no forwarding path to the address generation unit)
            c += model.agu_stall
        addr_dep = mem is not None and (mem[0] in prev_writes or mem[1] in prev_writes)
        if model.store_load_stall and prev_cls == "store" and cls in _LOADS:
            # M4 (jnk0le "stores"): a store cannot pipeline with a following LDR/LDM; the
            # store takes an extra cycle (charged here, to the load)
            c += model.store_load_stall
        elif cls in _MEM1 and prev_cls in _MEM1 and cc.pipelined is not None and not depends:
            # TRM: neighbouring single loads/stores pipeline address and data phases; not when
            # this address needs the value the previous load is still fetching.
            c = cc.pipelined
        if (cc.after_load is not None and prev_cls == "load" and not addr_dep
                and (mem is None or not mem[1])):
            # M4 (jnk0le): an immediate-offset/indexed store (storing the loaded value too) or
            # a NOP right after a load runs in the load's second cycle
            c = cc.after_load
        elif cc.reg_offset_extra and mem is not None and mem[1] and not (
                prev_cls == "load" and not depends):
            c += cc.reg_offset_extra   # M4 (jnk0le): register-offset store 2 cycles
        if late_stall and _reads_late(d, late, late_xta):
            c += late_stall       # result latency 2: the previous result is not ready yet
        this_taken = cc.taken
        extra = 0
        if model.register_target_extra and d.name in ("bx", "blx"):
            extra = model.register_target_extra     # M4: a register target refills later
        if (model.unaligned_target_extra and d.target_off is not None and read_code
                and (iaddr + d.target_off) & 2 and _wide_at(read_code, iaddr + d.target_off)):
            extra += model.unaligned_target_extra   # M4: the target spans two fetch words
        if cls == "cond_branch":
            this_taken += extra
        else:
            c += extra
        if board is not None:
            c = board.issue(d, cc)     # M7: dual-issue scoreboard (cost/superscalar.py)
        elif (model.dual_issue and not paired and cls in _SIMPLE and prev_cls in _SIMPLE
                and not depends and not (cls in _MEM1 and prev_cls in _MEM1)
                and not (cls in _MAC and prev_cls in _MAC)):
            c, paired = 0, True   # issues alongside the previous instruction
        elif (model.dual_issue_16 and not paired and d.size == 2 and prev_size == 2
                and _pairs16(d, cls, prev_cls)):
            # M33: the second of two 16-bit instructions issues with the first. A paired taken
            # B<cc> costs its refill only, unless the first one set the flags it tests.
            if cls == "cond_branch":
                this_taken = cc.cycles + cc.taken - (0 if prev_flags else 1)
            c, paired = 0, True
        else:
            paired = False
        prev_cls, prev_writes = cls, d.writes
        prev_size, prev_flags = d.size, d.sets_flags
        late, late_stall = _late_result(d, cc, model)
        late_xta = bool(late_stall) and d.name in _EXTEND_ADD
        if not counted:
            continue                   # the preamble: pipeline state only
        cycles += c
        class_cycles[cls] = class_cycles.get(cls, 0) + c
        prefix.append((iaddr + d.size - start, cycles))
        load = _tracked_load(d, iaddr, track)
        if load is not None:
            loads.append(load)
        track.iaddr = iaddr
        track.update(d)
        last_indirect = d.name in ("bx", "blx") or cls in ("pop_pc", "load_pc", "table_branch", "alu_pc")
        if cls == "call":
            end = END_CALL
        elif cls == "cond_branch":
            end, taken = END_COND, this_taken
        else:
            end = END_PLAIN
    return BlockInfo(addr=start, size=len(code) - preamble, ninsns=n, cycles=cycles, end=end, taken=taken,
                     last_class=prev_cls or "", loads=loads, last_indirect=last_indirect,
                     class_cycles=class_cycles, prefix=prefix)
