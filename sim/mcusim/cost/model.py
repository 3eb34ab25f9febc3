"""Per-core cost tables: profiles/<core>.toml -> CoreModel.

A profile gives, per instruction class, the cycles the core's TRM states and the energy factor
relative to the board's average run current. Every entry carries its source; see
docs/cost-model.md for the format and the meaning of each field.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mcusim.errors import BadInput
from mcusim.paths import profiles_dir

try:
    import tomllib as _toml
except ImportError:  # Python 3.10
    import tomlkit as _toml  # type: ignore[no-redef]

# Every class the classifier (classify.py) can produce; a profile must give all of them.
CLASSES = (
    "alu", "alu_pc", "mul", "mla", "mull", "mlal", "div", "dsp",
    "load", "store", "ldm", "stm", "pop_pc", "load_pc", "table_branch",
    "branch", "call", "cond_branch", "it", "nop", "barrier", "system",
    "fpu", "fpu_mac", "fpu_div", "fpu_load", "fpu_store", "fpu_ldm", "fpu_mov",
)


@dataclass(frozen=True)
class ClassCost:
    cycles: int                # base cycles
    per_reg: int = 0           # extra cycles per register in the list (LDM/STM/PUSH/POP/VLDM)
    taken: int = 0             # extra cycles when a conditional branch is taken
    pipelined: int | None = None   # cycles when it follows another single load/store
    use_stall: int = 0         # extra cycles of the next instruction when it reads the result
    flags_extra: int = 0       # extra cycles when the instruction sets the condition flags
    latency: int = 1           # scoreboard: cycles until a consumer may issue (M7 loads, MACs)
    latency_narrow: int = 0    # scoreboard: the same for byte/halfword loads (0: `latency`)
    regs_per_cycle: int = 1    # per_reg counts per this many registers (M7 LDM/STM: 2)
    after_load: int | None = None  # cycles right after a single load (M4: STR #imm, NOP)
    reg_offset_extra: int = 0  # extra cycles of a register-offset store (M4: 2 cycles)
    energy: float = 1.0        # energy per cycle relative to the board's run current
    source: str = ""


@dataclass(frozen=True)
class ExceptionTiming:
    """Exception latencies of a core at zero wait states (profile table `[exceptions]`)."""
    entry: int            # cycles from the exception being taken to the handler's first instruction
    exit: int             # cycles from the EXC_RETURN branch to the first instruction resumed
    tail_chain: int       # cycles from one handler's return to the next pending handler
    fp_frame_extra: int   # extra cycles to stack or unstack the extended (FP) frame in full
    source: str = ""


def _exception_timing(raw, path: Path) -> ExceptionTiming:
    if not isinstance(raw, dict):
        raise BadInput(f"{path}: profile lacks the [exceptions] table (entry, exit, tail_chain, "
                       "fp_frame_extra)")
    values = {}
    for key in ("entry", "exit", "tail_chain", "fp_frame_extra"):
        v = raw.get(key)
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise BadInput(f"{path}: [exceptions] {key} must be a cycle count >= 0, got {v!r}")
        values[key] = v
    if values["entry"] == 0 or values["exit"] == 0:
        raise BadInput(f"{path}: [exceptions] entry and exit cannot be 0 cycles")
    return ExceptionTiming(**values, source=str(raw.get("source", "")))


@dataclass
class CoreModel:
    core: str
    classes: dict[str, ClassCost]
    source: str = ""
    dual_issue: bool = False   # M7: pair independent simple instructions (see cost-model.md)
    agu_stall: int = 0         # M3/M4: extra cycle when an address needs the previous result
    dual_issue_16: bool = False    # M33: limited dual issue of 16-bit pairs (see cost-model.md)
    shifted_use_stall: int = 0     # M33: result latency of shifted-register operand2 ALU ops
    extend_add_use_stall: int = 0  # M33: result latency of {S,U}XTA{B,H,B16} (chained as Rn)
    scoreboard: bool = False       # M7: dual-issue scoreboard (cost/superscalar.py)
    early_operand: int = 0         # M7: cycles earlier an address/shifted operand is read
    mispredict: int = 0            # M7: cycles of a mispredicted conditional branch (predictor)
    store_load_stall: int = 0      # M4: extra cycle of a load/LDM right after a store
    register_target_extra: int = 0     # M4: BX/BLX Rm refill beyond a direct branch's
    unaligned_target_extra: int = 0    # M4: refill of a 32-bit branch target at addr % 4 == 2
    options: dict = field(default_factory=dict)
    exceptions: ExceptionTiming | None = None   # entry/exit/tail-chain latencies ([exceptions])

    def __getitem__(self, cls: str) -> ClassCost:
        return self.classes[cls]


def _load_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as f:
            if hasattr(_toml, "load"):
                try:
                    return _toml.load(f)
                except TypeError:
                    pass
            return dict(_toml.loads(f.read().decode()))
    except OSError as e:
        raise BadInput(f"{path}: cannot read profile: {e.strerror}") from None
    except Exception as e:  # a TOML syntax error
        raise BadInput(f"{path}: bad profile TOML: {e}") from None


def load_profile(name: str, options: dict | None = None) -> CoreModel:
    """Load profiles/<name>.toml. `options` (from the board) overrides class cycles, e.g.
    {"muls_cycles": 32} for a Cortex-M0+ built with the small multiplier."""
    path = Path(name) if name.endswith(".toml") else profiles_dir() / f"{name}.toml"
    data = _load_toml(path)
    raw = data.get("class", {})
    missing = [c for c in CLASSES if c not in raw]
    if missing:
        raise BadInput(f"{path}: profile lacks classes {', '.join(missing)}")
    classes = {}
    for cls in CLASSES:
        r = raw[cls]
        classes[cls] = ClassCost(
            cycles=int(r["cycles"]), per_reg=int(r.get("per_reg", 0)),
            taken=int(r.get("taken", 0)),
            pipelined=int(r["pipelined"]) if "pipelined" in r else None,
            use_stall=int(r.get("use_stall", 0)), flags_extra=int(r.get("flags_extra", 0)),
            latency=int(r.get("latency", 1)), latency_narrow=int(r.get("latency_narrow", 0)),
            regs_per_cycle=max(int(r.get("regs_per_cycle", 1)), 1),
            after_load=int(r["after_load"]) if "after_load" in r else None,
            reg_offset_extra=int(r.get("reg_offset_extra", 0)),
            energy=float(r.get("energy", 1.0)), source=str(r.get("source", "")))
    opts = dict(options or {})
    if "muls_cycles" in opts:   # M0+ multiplier is a build option of the core (TRM §3.3)
        for c in ("mul",):
            classes[c] = ClassCost(**{**classes[c].__dict__, "cycles": int(opts["muls_cycles"])})
    return CoreModel(core=str(data.get("core", name)), classes=classes,
                     source=str(data.get("source", "")),
                     dual_issue=bool(data.get("pipeline", {}).get("dual_issue", False)),
                     agu_stall=int(data.get("pipeline", {}).get("agu_stall", 0)),
                     dual_issue_16=bool(data.get("pipeline", {}).get("dual_issue_16", False)),
                     shifted_use_stall=int(data.get("pipeline", {}).get("shifted_use_stall", 0)),
                     extend_add_use_stall=int(
                         data.get("pipeline", {}).get("extend_add_use_stall", 0)),
                     scoreboard=bool(data.get("pipeline", {}).get("scoreboard", False)),
                     early_operand=int(data.get("pipeline", {}).get("early_operand", 0)),
                     mispredict=int(data.get("pipeline", {}).get("mispredict", 0)),
                     store_load_stall=int(data.get("pipeline", {}).get("store_load_stall", 0)),
                     register_target_extra=int(
                         data.get("pipeline", {}).get("register_target_extra", 0)),
                     unaligned_target_extra=int(
                         data.get("pipeline", {}).get("unaligned_target_extra", 0)),
                     options=opts,
                     exceptions=_exception_timing(data.get("exceptions"), path))


def board_core_options(board) -> dict:
    """Core build options of a board (e.g. {"muls_cycles": 32}): a `core_options` attribute, or
    the `[core_options]` table of the board's TOML file."""
    opts = getattr(board, "core_options", None)
    if opts is not None:
        return dict(opts)
    path = getattr(board, "path", None)
    if path is None or not Path(path).is_file():
        return {}
    return dict(_load_toml(Path(path)).get("core_options", {}))
