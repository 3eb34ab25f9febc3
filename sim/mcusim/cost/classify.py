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
_names("load_pc", "tbb tbh")
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
    # data loads whose address is (base register at block entry) + offset [+ index register]:
    # (capstone base reg, capstone index reg or 0, offset, bytes). The hook probes them to find
    # loads that read flash and their stride (memory.py, mcusim_hook.c).
    loads: list[tuple[int, int, int, int]] = field(default_factory=list)


_LOAD_BYTES = {"ldrb": 1, "ldrsb": 1, "ldrh": 2, "ldrsh": 2, "ldrd": 8, "vldr": 4}
_COND = (A.ARM_CC_AL, A.ARM_CC_INVALID)


@dataclass(slots=True)
class _Decoded:
    """What the cost rules need of one instruction (decoded once per address, then cached)."""
    size: int
    name: str
    cls: str
    nregs: int
    reads: frozenset
    writes: tuple
    mem: tuple | None           # (base, index, disp) of its memory operand
    writeback: bool
    post_index: bool
    imms: tuple
    regs: tuple                 # register operands in order
    it_len: int                 # IT: number of instructions it makes conditional


class _AddrTracker:
    """Offsets of registers from their block-entry values, for the load-address probe."""

    def __init__(self):
        self.off: dict[int, int | None] = {}

    def get(self, reg: int) -> int | None:
        return self.off.get(reg, 0)

    def update(self, d: _Decoded) -> None:
        known: set[int] = set()
        mem = d.mem
        if mem is not None and d.writeback and mem[0] in d.writes:
            step = d.imms[0] if d.post_index and d.imms else mem[2]
            if mem[1] == 0 and self.get(mem[0]) is not None:
                self.off[mem[0]] = self.get(mem[0]) + step
                known.add(mem[0])
        elif d.name in ("add", "sub") and d.imms and d.regs:
            rd = d.regs[0]
            rn = d.regs[1] if len(d.regs) > 1 else rd
            if rn == rd and self.get(rd) is not None:
                self.off[rd] = self.get(rd) + (d.imms[0] if d.name == "add" else -d.imms[0])
                known.add(rd)
        for r in d.writes:
            if r not in known:
                self.off[r] = None


def make_disassembler() -> capstone.Cs:
    md = capstone.Cs(capstone.CS_ARCH_ARM, capstone.CS_MODE_THUMB | capstone.CS_MODE_MCLASS)
    md.detail = True
    return md


def _decode(md: capstone.Cs, insn) -> _Decoded:
    name = md.insn_name(insn.id) or insn.mnemonic
    reads, writes = insn.regs_access()          # a C call; operands below copy the detail
    cls = _BASE.get(name) or ("fpu" if name.startswith("v") else "alu")
    need_ops = cls in _ADDR or cls in ("load_pc", "fpu_ldm") or name in ("add", "sub")
    ops = insn.operands if need_ops else ()
    regs = tuple(o.reg for o in ops if o.type == A.ARM_OP_REG)
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
    mem = next(((o.mem.base, o.mem.index, o.mem.disp) for o in ops if o.type == A.ARM_OP_MEM),
                None)
    it_len = 0
    if name == "it":
        mask = insn.bytes[0] & 0x0F
        it_len = 4 - (mask & -mask).bit_length() + 1     # the mask's lowest 1 ends the block
    # Subtraction is normalised to add/sub without the flag-setting 's'
    base = name[:-1] if name in ("adds", "subs") else name
    return _Decoded(size=insn.size, name=base, cls=cls, nregs=nregs, reads=frozenset(reads),
                    writes=tuple(writes), mem=mem,
                    writeback=bool(insn.writeback) if need_ops else False,
                    post_index=bool(insn.post_index) if need_ops else False,
                    imms=tuple(o.imm for o in ops if o.type == A.ARM_OP_IMM), regs=regs,
                    it_len=it_len)


class Decoder:
    """capstone set up once per profiler; decodes a block in one call (which also gives
    instructions inside an IT block their condition)."""

    def __init__(self):
        self.md = make_disassembler()

    def instructions(self, code: bytes, addr: int):
        for insn in self.md.disasm(code, addr):
            yield insn.address, _decode(self.md, insn)


def classify_block(dec: Decoder, model: CoreModel, code: bytes, addr: int) -> BlockInfo:
    cycles = 0
    class_cycles: dict[str, int] = {}
    prefix: list[tuple[int, int]] = []
    prev_cls = None
    prev_writes: tuple = ()
    paired = False        # M7: the previous instruction already took the second issue slot
    end, taken, n, last_indirect = END_PLAIN, 0, 0, False
    track = _AddrTracker()
    loads: list[tuple[int, int, int, int]] = []
    for iaddr, d in dec.instructions(code, addr):
        n += 1
        cls = d.cls
        cc = model[cls]
        c = cc.cycles + cc.per_reg * d.nregs
        depends = any(r in prev_writes for r in d.reads)
        mem = d.mem
        if (cls in _ADDR and prev_cls not in _MEM1 and model.agu_stall and mem is not None
                and (mem[0] in prev_writes or mem[1] in prev_writes)):
            # TRM: an address computed by the preceding data-processing instruction stalls
            # (no forwarding path to the address generation unit)
            c += model.agu_stall
        if cls in _MEM1 and prev_cls in _MEM1 and cc.pipelined is not None and not depends:
            # TRM: neighbouring single loads/stores pipeline address and data phases; not when
            # this address needs the value the previous load is still fetching.
            c = cc.pipelined
        if (model.dual_issue and not paired and cls in _SIMPLE and prev_cls in _SIMPLE
                and not depends and not (cls in _MEM1 and prev_cls in _MEM1)
                and not (cls in _MAC and prev_cls in _MAC)):
            c, paired = 0, True   # issues alongside the previous instruction
        else:
            paired = False
        cycles += c
        class_cycles[cls] = class_cycles.get(cls, 0) + c
        prefix.append((iaddr + d.size - addr, cycles))
        prev_cls, prev_writes = cls, d.writes
        off = None
        if (cls in ("load", "fpu_load") and mem is not None
                and mem[0] not in (A.ARM_REG_SP, A.ARM_REG_PC) and track.get(mem[0]) is not None):
            off = track.get(mem[0]) + (0 if d.post_index else mem[2])
            if mem[1]:
                off = None if track.get(mem[1]) is None else off + track.get(mem[1])
        if off is not None:
            loads.append((mem[0], mem[1], off, _LOAD_BYTES.get(d.name, 4)))
        track.update(d)
        last_indirect = d.name in ("bx", "blx") or cls in ("pop_pc", "load_pc", "alu_pc")
        if cls == "call":
            end = END_CALL
        elif cls == "cond_branch":
            end, taken = END_COND, cc.taken
        else:
            end = END_PLAIN
    return BlockInfo(addr=addr, size=len(code), ninsns=n, cycles=cycles, end=end, taken=taken,
                     last_class=prev_cls or "", loads=loads, last_indirect=last_indirect,
                     class_cycles=class_cycles, prefix=prefix)
