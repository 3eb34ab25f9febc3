"""The result of one simulated run: every figure the reports, exports and budgets use.

This is the contract between the simulator/profiler (producers) and the report, JSON, exports,
budget checker and pytest plugin (consumers). `to_json()` is the schema documented in
docs/json-schema.md; add fields, never rename them.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class FunctionStat:
    name: str
    address: int
    calls: int = 0
    self_cycles: int = 0
    total_cycles: int = 0        # inclusive: self plus callees
    instructions: int = 0        # self instructions
    total_instructions: int = 0  # inclusive; measured for layer functions only (else 0)


@dataclass
class LayerStat:
    index: int                   # operator index in the optimized graph
    op: str                      # e.g. "CONV_2D"
    name: str = ""               # the C function that runs it (its symbol)
    input_shapes: list[list[int]] = field(default_factory=list)
    output_shape: list[int] = field(default_factory=list)
    macs: int = 0
    cycles: int = 0
    instructions: int = 0
    start_cycle: int = 0         # cycle count when the layer first began (for traces)
    kernel: str = ""             # kernel variant used (e.g. "arm_convolve_s8")

    @property
    def macs_per_cycle(self) -> float:
        return self.macs / self.cycles if self.cycles else 0.0


@dataclass
class Section:
    name: str
    address: int
    size: int
    region: str                  # board memory name it lives in ("flash", "sram1", ...)
    kind: str                    # "flash" or "ram"
    load: bool = True            # occupies flash (has load image)
    # A section that runs across contiguous memories (region "dtcm+sram"): bytes per memory.
    split: dict[str, int] = field(default_factory=dict)


@dataclass
class MemoryStat:
    flash_used: int = 0
    flash_size: int = 0
    ram_used: int = 0            # static RAM: .data + .bss (+ reserved stack/heap regions)
    ram_size: int = 0
    stack_peak: int = 0          # bytes below the initial SP that were ever written
    stack_size: int = 0          # the stack region reserved by the linker script, 0 if unknown
    heap_peak: int = 0
    sections: list[Section] = field(default_factory=list)
    watches: dict[str, dict[str, int]] = field(default_factory=dict)  # sym -> {size, peak}
    flash_split: dict[str, int] = field(default_factory=dict)  # model runs: weights/code/runtime
    # Per physical memory of the board, by address: {name, kind, base, size, used}; RAM used
    # is its sections' bytes plus the reserved stack region's, flash used is load images.
    by_memory: list[dict[str, Any]] = field(default_factory=list)
    # Linker regions the sections show: memories one section runs across, e.g. CubeMX's F746
    # RAM = DTCM + SRAM: {name "dtcm+sram", base, size, used, memories}.
    regions: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Stop:
    reason: str                  # "exit" | "fault" | "max_cycles" | "timeout"
    message: str = ""
    pc: int | None = None
    where: str = ""              # symbol+offset of pc
    fault_address: int | None = None
    registers: dict[str, int] = field(default_factory=dict)
    call_stack: list[str] = field(default_factory=list)


@dataclass
class RunResult:
    board: str
    core: str
    clock_hz: int
    exit_code: int
    cycles: int
    instructions: int
    energy_uj: float
    memory: MemoryStat
    stop: Stop
    stdout: str = ""
    stderr: str = ""             # firmware output on its stderr (semihosting)
    warnings: list[str] = field(default_factory=list)   # e.g. the stack grew past its region
    functions: list[FunctionStat] = field(default_factory=list)
    layers: list[LayerStat] = field(default_factory=list)
    arena: dict[str, int] = field(default_factory=dict)   # {"planned", "peak", "io", "tflm"}
    energy_breakdown: dict[str, float] = field(default_factory=dict)  # class -> µJ
    cycle_breakdown: dict[str, int] = field(default_factory=dict)     # class -> cycles
    # Call tree for flame graphs: list of {"stack": [fn, ...], "cycles": n} (self cycles per stack)
    stacks: list[dict[str, Any]] = field(default_factory=list)
    # Timeline for traces: list of {"name", "cat" ("function"|"layer"), "start", "dur"} in cycles
    events: list[dict[str, Any]] = field(default_factory=list)
    # Pins and exception activity over time for --vcd (mcusim.sim.signals.Signals.waveform)
    waveform: dict[str, Any] = field(default_factory=dict)
    target: str = ""             # path of the ELF or model that ran
    elf: str = ""
    model: dict[str, Any] = field(default_factory=dict)  # model runs: name, inputs, outputs, ...
    host_seconds: float = 0.0    # wall time of the simulation (not a modelled figure)
    # Time: `cycles` are executed (active) cycles; the core may also have slept (WFI/WFE).
    # time_total_s follows every clock change (clock_changes); 0 means cycles / clock_hz.
    time_total_s: float = 0.0
    sleep_cycles: int = 0
    sleep_s: float = 0.0
    energy_sleep_uj: float = 0.0  # part of energy_uj spent asleep (board's sleep current)
    clock_changes: list[dict[str, Any]] = field(default_factory=list)   # {cycle, hz, why}
    exceptions: list[dict[str, Any]] = field(default_factory=list)      # {number, name, count}
    peripherals_unmodelled: list[str] = field(default_factory=list)
    # pipelines (mcusim.frontend.pipeline): [{name, cycles, time_s}], {label, index, score},
    # {preset, front-end scratch/table bytes, latency_s, energy_per_decision_uj}
    stages: list[dict[str, Any]] = field(default_factory=list)
    decision: dict[str, Any] = field(default_factory=dict)
    pipeline: dict[str, Any] = field(default_factory=dict)

    @property
    def time_s(self) -> float:
        if self.time_total_s:
            return self.time_total_s
        return self.cycles / self.clock_hz if self.clock_hz else 0.0

    @property
    def active_s(self) -> float:
        return max(0.0, self.time_s - self.sleep_s)

    @property
    def average_power_mw(self) -> float:
        return self.energy_uj / self.time_s / 1000 if self.time_s else 0.0

    @property
    def cpi(self) -> float:
        return self.cycles / self.instructions if self.instructions else 0.0

    @property
    def stack_peak(self) -> int:
        return self.memory.stack_peak

    @property
    def arena_peak(self) -> int:
        return self.arena.get("peak", 0)

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["time_s"] = self.time_s
        d["active_s"] = self.active_s
        d["average_power_mw"] = self.average_power_mw
        d["cpi"] = self.cpi
        for layer in d["layers"]:
            layer["macs_per_cycle"] = (layer["macs"] / layer["cycles"]) if layer["cycles"] else 0.0
        d.pop("events", None)    # large; exported by --trace instead
        d.pop("waveform", None)  # exported by --vcd
        d.pop("stacks", None)    # large; exported by --speedscope instead
        a = d.get("arena") or {}
        if "planned" in a and "io" in a:      # like for like with TFLM, whose arena holds its I/O
            a["with_io"] = a["planned"] + a["io"]
            if a.get("tflm"):
                a["tflm_ratio"] = round(a["with_io"] / a["tflm"], 4)
        d["schema"] = "mcusim-run/1"
        return d
