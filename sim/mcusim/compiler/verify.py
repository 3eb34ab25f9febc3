"""`mcusim verify`: the firmware in the simulator against TFLM's interpreter, bit for bit.

N random inputs plus all -128 and all 127 (as int8 codes; float-I/O models get the matching real
values). Prints the largest difference per output; on a mismatch re-runs that input with a
breakpoint at the entry of every layer to read the previous layer's output from the arena, and
names the first layer whose tensor differs from TFLM's (TFLM keeps every tensor for this).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from mcusim.compiler import modelio, tflm
from mcusim.compiler.build import Built, compile_model
from mcusim.compiler.runmodel import (ARENA_SYMBOL, INPUT_SYMBOL, OUTPUT_SYMBOL, pack_inputs,
                                      simulate, unpack_outputs)
from mcusim.errors import EXIT_FAULT, EXIT_MISMATCH, McusimError


@dataclass
class Case:
    label: str
    inputs: list[np.ndarray]
    max_diff: list[float] = field(default_factory=list)    # per output


@dataclass
class Report:
    cases: list[Case]
    first_bad_layer: str = ""

    @property
    def ok(self) -> bool:
        return all(d == 0 for c in self.cases for d in c.max_diff)

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else EXIT_MISMATCH


def cases_for(built: Built, n: int, seed: int) -> list[Case]:
    cases = []
    for k in range(n):
        rng = np.random.default_rng(seed + k)
        cases.append(Case(f"random (seed {seed + k})",
                          [modelio.random_input(p, rng) for p in built.inputs]))
    for code in (-128, 127):
        cases.append(Case(f"all {code}", [modelio.constant_input(p, code) for p in built.inputs]))
    return cases


def _diff(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.asarray(a).reshape(-1), np.asarray(b).reshape(-1)
    if a.shape != b.shape:
        return float("inf")
    if a.dtype.kind == "f" or b.dtype.kind == "f":
        return float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64)), initial=0))
    return float(np.max(np.abs(a.astype(np.int64) - b.astype(np.int64)), initial=0))


def verify(path: str | Path, board, options, n: int = 3,
           say: Callable[[str], None] = print) -> Report:
    path = Path(path)
    built = compile_model(path, board, options.kernels, options.build_dir)
    data = path.read_bytes()
    interp = tflm.interpreter(data)
    report = Report(cases_for(built, n, options.seed))
    names = [p.name for p in built.outputs]
    for case in report.cases:
        want = tflm.invoke(interp, case.inputs, len(built.outputs))
        result, raw = simulate(built, board, options, pack_inputs(built, case.inputs))
        if result.stop.reason != "exit" or raw is None:
            raise McusimError(f"{case.label}: the firmware stopped ({result.stop.reason}: "
                              f"{result.stop.message or result.stop.where})", EXIT_FAULT)
        got = unpack_outputs(built, raw)
        case.max_diff = [_diff(g, w) for g, w in zip(got, want)]
        for name, d in zip(names, case.max_diff):
            say(f"{case.label:<18} output '{name}': largest difference {d:g}")
        if any(d != 0 for d in case.max_diff) and not report.first_bad_layer:
            report.first_bad_layer = first_bad_layer(built, board, options, data, case)
            say(f"first mismatch: {report.first_bad_layer}")
    say("PASS: bit-exact with TFLM" if report.ok else "FAIL: differs from TFLM")
    return report


def first_bad_layer(built: Built, board, options, data: bytes, case: Case) -> str:
    """Re-run one input with a breakpoint at each layer's entry; compare tensors with TFLM's."""
    from mcusim.sim.elf import load_elf
    interp = tflm.interpreter(data, preserve=True)
    tflm.invoke(interp, case.inputs, len(built.outputs))
    elf = load_elf(built.elf)
    bases = {"arena": elf.symbol(ARENA_SYMBOL), "input": elf.symbol(INPUT_SYMBOL),
             "output": elf.symbol(OUTPUT_SYMBOL)}
    seen: dict[int, bytes] = {}
    bps = {}
    layers = built.layers

    def reader(pos: int):
        def read(m):
            if pos in seen:
                return
            seen[pos] = b"".join(bytes(m.read(bases[loc["where"]] + loc["offset"], loc["nbytes"]))
                                 for loc in built.tensors[str(pos)])
        return read

    # At layer p's entry every earlier layer is done and layer p-1's output is still intact.
    for p in range(1, len(layers)):
        addr = elf.symbol(layers[p]["function"])
        if addr is not None:
            bps[addr] = reader(p - 1)
    _, raw = simulate(built, board, options, pack_inputs(built, case.inputs), breakpoints=bps)
    if raw is not None and layers:
        last = len(layers) - 1
        locs = built.tensors[str(last)]
        # raw holds the outputs at their port offsets; an I/O-in-arena location is elsewhere
        port = {p.tensor: p.offset for p in built.outputs} if built.io_arena else \
            {loc["tensor"]: loc["offset"] for loc in locs}
        if all(loc["tensor"] in port for loc in locs):
            seen[last] = b"".join(raw[port[loc["tensor"]]:port[loc["tensor"]] + loc["nbytes"]]
                                  for loc in locs)
    for L in layers:
        pos = L["position"]
        if pos not in seen:
            continue
        blob, at = seen[pos], 0
        for loc in built.tensors[str(pos)]:
            dt = np.dtype(loc["dtype"])
            got = np.frombuffer(blob[at:at + loc["nbytes"]], dt)
            at += loc["nbytes"]
            try:
                want = tflm.tensor(interp, loc["tensor"]).reshape(-1)
            except Exception:       # noqa: BLE001 - TFLM may not keep this tensor
                continue
            bad = np.flatnonzero(got.astype(np.int64) != want.astype(np.int64)) \
                if got.size == want.size else np.arange(got.size)
            if bad.size:
                d = _diff(got, want)
                return (f"layer {pos} {L['op']} (TFLite node {L['node_index']}), tensor "
                        f"{loc['tensor']} {loc['shape']}: {bad.size} of {got.size} values differ, "
                        f"largest difference {d:g}")
    return "no layer output differs (the difference is in the host-side I/O conversion)"
