"""`mcusim run MODEL.tflite`: build (cached), fill the input, simulate, read the output, and put
the per-layer profile, the arena figures and the flash split into the RunResult."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from mcusim.compiler import modelio
from mcusim.compiler.build import Built, compile_model
from mcusim.errors import BadInput
from mcusim.files import input_file
from mcusim.result import LayerStat, RunResult

ARENA_SYMBOL = "model_arena"
INPUT_SYMBOL = "mcusim_input"
OUTPUT_SYMBOL = "mcusim_output"


def load_inputs(path: Path | None, built: Built, seed: int = 0) -> list[np.ndarray]:
    """User arrays, one per model input: .npy for one input, .npz (in order) for several."""
    ports = built.inputs
    if path is None:
        rng = np.random.default_rng(seed)
        return [modelio.random_input(p, rng) for p in ports]
    path = input_file(path, "--input", "a .npy or .npz file")
    return modelio.read_arrays(path, ports)


def pack_inputs(built: Built, arrays: list[np.ndarray]) -> bytes:
    buf = bytearray(max(built.input_bytes, 1))
    for p, x in zip(built.inputs, arrays):
        q = modelio.to_firmware(p, x)
        buf[p.offset:p.offset + p.size] = q.tobytes()
    return bytes(buf[:built.input_bytes])


def unpack_outputs(built: Built, raw: bytes) -> list[np.ndarray]:
    return [modelio.from_firmware(p, raw[p.offset:p.offset + p.size]) for p in built.outputs]


def simulate(built: Built, board, options, input_bytes: bytes, breakpoints=None):
    """Run the ELF once with `input_bytes`; returns (RunResult, raw output bytes or None).

    breakpoints: {address: fn(machine)} installed before reset (verify reads layer outputs)."""
    from mcusim.sim.runner import run_elf
    box: dict = {}

    io = built.io_arena

    def write_inputs(m):
        # I/O in the arena: written when model_invoke starts, after the runner painted the
        # arena at main (as an application fills model_input(k) before it calls model_invoke)
        if not box.get("written"):
            box["written"] = True
            base = m.elf.symbol(ARENA_SYMBOL)
            for p, off in zip(built.inputs, io["inputs"]):
                m.write(base + off, input_bytes[p.offset:p.offset + p.size])

    def setup(m):
        if io:
            m.add_breakpoint(m.elf.symbol("model_invoke"), write_inputs)
        else:
            m.write(m.elf.symbol(INPUT_SYMBOL), input_bytes)
        for addr, fn in (breakpoints or {}).items():
            m.add_breakpoint(addr, fn)

    def teardown(m):
        if not io:
            box["out"] = bytes(m.read(m.elf.symbol(OUTPUT_SYMBOL), built.output_bytes))
            return
        out, base = bytearray(built.output_bytes), m.elf.symbol(ARENA_SYMBOL)
        for p, off in zip(built.outputs, io["outputs"]):
            out[p.offset:p.offset + p.size] = bytes(m.read(base + off, p.size))
        box["out"] = bytes(out)

    # The arena's high-water mark: the runner paints it at main. An arena-less model (a single
    # ADD of two inputs) has none, the linker dropped it.
    result = run_elf(built.elf, board, options, setup=setup, teardown=teardown,
                     watch_defaults=(ARENA_SYMBOL,))
    return result, box.get("out")


def run_model(path: Path, board, options) -> RunResult:
    built = compile_model(path, board, options.kernels, options.build_dir)
    arrays = load_inputs(options.input_path, built, options.seed)
    result, raw = simulate(built, board, options, pack_inputs(built, arrays))
    outputs = unpack_outputs(built, raw) if raw is not None and result.stop.reason == "exit" \
        else None
    if outputs is not None and options.output_path:
        _save(options.output_path, outputs)
    describe(result, built, Path(path))
    return result


def _save(path: Path, outputs: list[np.ndarray]) -> None:
    try:
        if len(outputs) == 1:
            np.save(path, outputs[0])
        else:
            np.savez(path, *outputs)
    except OSError as e:
        raise BadInput(f"--output {path}: {e.strerror}") from None


def describe(result: RunResult, built: Built, path: Path) -> None:
    """Per-layer stats, arena figures, flash split and model facts into the RunResult."""
    funcs = {f.name: f for f in result.functions}
    starts: dict[str, int] = {}
    for ev in result.events:
        if ev.get("name") not in starts:
            starts[ev.get("name")] = int(ev.get("start", 0))
    result.layers = []
    for L in built.layers:
        f = funcs.get(L["function"])
        result.layers.append(LayerStat(
            index=L["position"], op=L["op"], name=L["function"],
            input_shapes=L["input_shapes"], output_shape=L["output_shape"], macs=L["macs"],
            cycles=f.total_cycles if f else 0, instructions=f.total_instructions if f else 0,
            start_cycle=starts.get(L["function"], 0), kernel=L["kernel"]))
    watch = (result.memory.watches or {}).get(ARENA_SYMBOL, {})
    # io: RAM outside the arena for the model's I/O (0 when the plan holds them: not counted twice)
    result.arena = {"planned": built.arena, "peak": int(watch.get("peak", 0)),
                    "io": 0 if built.io_arena else built.input_bytes + built.output_bytes,
                    "io_in_arena": int(bool(built.io_arena))}
    if built.tflm_arena:
        result.arena["tflm"] = built.tflm_arena
    result.memory.flash_split = flash_split(built, result.memory.flash_used)
    result.model = {
        "name": built.model, "path": str(path), "build_dir": str(built.dir),
        "cached": built.cached,
        "inputs": [p.to_json() for p in built.inputs],
        "outputs": [p.to_json() for p in built.outputs],
        "weights_bytes": built.weights, "arena_plan": built.arena_plan,
        "optimizations": built.log,
    }


def flash_split(built: Built, flash_used: int) -> dict[str, int]:
    from mcusim.sim.elf import load_elf
    elf = load_elf(built.elf)
    weights = sum(size for name, _, size in elf.objects if name.startswith("model_w_"))
    code = sum(size for name, _, size in elf.functions
               if name.startswith("mcusim_layer_") or name in ("model_invoke", "main"))
    return {"weights": weights, "code": code,
            "runtime": max(0, flash_used - weights - code)}
