"""Model -> generated C project -> ELF, cached by content hash.

compile_model(path, board, kernels, out_dir) runs import, checks, optimize, plan, codegen, writes
the project (with a Makefile that repeats the exact gcc command) and compiles it. Without
out_dir the project lives in the cache, keyed by the model, the board, the options and the
sources of the compiler and firmware, so a second build of the same thing is a lookup.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from mcusim import files
from mcusim.boards import Board
from mcusim.compiler import checks, importer, tflm
from mcusim.compiler.codegen import generate
from mcusim.compiler.context import DSP_CORES
from mcusim.compiler.modelio import Port
from mcusim.compiler.optimize import optimize
from mcusim.errors import BadInput
from mcusim.paths import cache_dir, firmware_dir
from mcusim.toolchain import run_gcc

FORMAT = 2          # bump when build.json changes shape


@dataclass
class Built:
    dir: Path
    elf: Path
    model: str
    board: str
    inputs: list[Port]
    outputs: list[Port]
    layers: list[dict]          # position, node_index, op, function, macs, kernel, shapes
    arena: int                  # planned bytes
    weights: int                # bytes of const arrays
    input_bytes: int
    output_bytes: int
    tensors: dict = field(default_factory=dict)   # str(layer) -> [{tensor, where, offset, ...}]
    arena_plan: list[dict] = field(default_factory=list)   # report/arena_map.py's format
    tflm_arena: int | None = None  # TFLM's minimum arena for the same model (tflm.py)
    # {"inputs": [arena offsets], "outputs": [...]} when the plan holds the model's I/O in the
    # arena (codegen._choose_io), else {}: then input_bytes/output_bytes are no extra RAM
    io_arena: dict = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    cached: bool = False

    def to_json(self) -> dict:
        d = asdict(self)
        d["dir"], d["elf"] = str(self.dir), str(self.elf)
        d["inputs"] = [asdict(p) for p in self.inputs]
        d["outputs"] = [asdict(p) for p in self.outputs]
        return d

    @classmethod
    def from_json(cls, d: dict) -> "Built":
        d = dict(d)
        d["dir"], d["elf"] = Path(d["dir"]), Path(d["elf"])
        d["inputs"] = [Port(**p) for p in d["inputs"]]
        d["outputs"] = [Port(**p) for p in d["outputs"]]
        for p in d["inputs"] + d["outputs"]:
            p.shape = tuple(p.shape)
        return cls(**d)


def use_dsp(core: str, kernels: str) -> bool:
    return kernels != "portable" and core in DSP_CORES


def _runtime_sources() -> list[Path]:
    fw = firmware_dir()
    files = [fw / "startup" / "startup.c", *sorted((fw / "startup").glob("clock_*.c"))]
    for sub in ("kernels", "include"):
        d = fw / sub
        if d.is_dir():
            files += sorted(p for p in d.rglob("*") if p.suffix in (".c", ".h", ".s", ".S"))
    return files


def cache_key(model_bytes: bytes, board: Board, kernels: str) -> str:
    h = hashlib.sha256()
    h.update(f"format={FORMAT}".encode())
    h.update(model_bytes)
    mem = [(m.name, m.kind, m.base, m.size) for m in board.memories]
    h.update(repr((board.name, board.core, board.boot_address, mem,
                   sorted((board.uart or {}).items()), kernels)).encode())
    # The start-up configures the board's clock (-DMCUSIM_CLOCK_HZ, crystal, flash latency).
    h.update(repr((board.clock_hz, board.flash.wait_states,
                   sorted((board.clock_tree or {}).items()))).encode())
    here = Path(__file__).resolve().parent
    srcs = sorted(here.rglob("*.py")) + _runtime_sources()
    pkg = here.parent
    srcs += [pkg / "firmware.py", pkg / "sim" / "linker.py", pkg / "toolchain.py"]
    for p in srcs:
        if p.exists():
            h.update(str(p.name).encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:24]


def compile_model(path: str | Path, board: Board, kernels: str = "auto",
                  out_dir: Path | None = None) -> Built:
    path = Path(path)
    data = files.read_bytes(path, expected="a .tflite model")
    if out_dir is None:
        key = cache_key(data, board, kernels)
        final = cache_dir() / "models" / f"{path.stem}-{board.name}-{key}"
        meta = final / "build.json"
        if meta.is_file():
            try:
                built = Built.from_json(json.loads(meta.read_text()))
                if built.elf.is_file():
                    built.cached = True
                    return built
            except (ValueError, TypeError, KeyError):
                pass        # a stale or partial entry: rebuild it
        files.output_dir(final.parent, "build cache")
        try:
            tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=final.parent))
        except OSError as e:
            raise BadInput(f"build cache {final.parent}: {e.strerror or e}") from None
        try:
            _build(data, path.name, board, kernels, tmp, final)
            if final.exists():
                shutil.rmtree(final, ignore_errors=True)
            try:
                os.replace(tmp, final)
            except OSError:
                if not meta.is_file():      # not a concurrent build of the same key: real
                    raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return Built.from_json(json.loads(meta.read_text()))
    out_dir = files.output_dir(out_dir, "output directory")
    _claim(out_dir)
    return _build(data, path.name, board, kernels, out_dir, out_dir)


PROJECT_MARK = ".mcusim-project"


def _claim(out_dir: Path) -> None:
    """-o/--build-dir writes main.c, Makefile, model.c...: only into an empty folder or one of
    our own earlier projects, never over a user's firmware (`mcusim build m.tflite -o .`)."""
    mark = out_dir / PROJECT_MARK
    try:
        entries = [p.name for p in out_dir.iterdir()]
    except OSError as e:
        raise BadInput(f"output directory {out_dir}: {e.strerror or e}") from None
    if entries and not (mark.exists() or (out_dir / "build.json").is_file()):
        shown = ", ".join(sorted(entries)[:3]) + (", ..." if len(entries) > 3 else "")
        raise BadInput(f"output directory {out_dir}: not empty ({shown}) and not an earlier "
                       f"mcusim project; the build would overwrite main.c, Makefile... there: "
                       f"give a new or empty folder")
    try:
        mark.write_text("generated by `mcusim build`: mcusim may overwrite this folder\n")
    except OSError as e:
        raise BadInput(f"output directory {out_dir}: {e.strerror or e}") from None


def frontend(data: bytes, name: str):
    """Import, check and optimize: the graph every later step uses."""
    g = importer.parse(data, name)
    checks.validate(g)
    opt = optimize(g)
    checks.check_nodes(opt.graph)
    return opt


def _build(data: bytes, name: str, board: Board, kernels: str, work: Path, final: Path) -> Built:
    opt = frontend(data, name)
    gen = generate(opt, board.core, use_dsp(board.core, kernels), kernels != "portable")
    _check_fits(name, board, gen)
    _write_project(work, board, gen)
    elf = work / "model.elf"
    _compile(name, board, gen, work)
    tensors = {str(L.position): [_location(opt, gen.plan, t) for t in
                                 opt.graph.nodes[L.position].outputs] for L in gen.layers}
    built = Built(
        dir=final, elf=final / elf.name, model=name, board=board.name,
        inputs=opt.inputs, outputs=opt.outputs,
        layers=[{k: v for k, v in asdict(L).items() if k != "body"} for L in gen.layers],
        arena=gen.plan.size, weights=gen.weights_bytes, input_bytes=gen.input_bytes,
        output_bytes=gen.output_bytes, tensors=tensors, log=opt.log,
        arena_plan=_arena_plan(opt.graph, gen.plan), tflm_arena=tflm.arena_figure(data),
        io_arena=gen.io_arena)
    (work / "build.json").write_text(json.dumps(built.to_json(), indent=1) + "\n")
    return built


def _arena_plan(g, plan) -> list[dict]:
    out = []
    for b in sorted(plan.buffers, key=lambda b: b.offset):
        if b.key.startswith("s"):
            t, name = -1, f"scratch of layer {b.key[1:]}"
        else:
            t = int(b.key[1:])
            name = g.t(t).name
        out.append({"tensor": t, "name": name, "offset": b.offset, "size": b.size,
                    "first": b.first, "last": b.last})
    return out


def _location(opt, plan, t: int) -> dict:
    """Where a layer's output tensor lives, for verify's layer-by-layer comparison."""
    from mcusim.compiler.optimize import root
    g = opt.graph
    ten, r = g.t(t), root(g, t)
    outs = {p.tensor: p.offset for p in opt.outputs}
    ins = {p.tensor: p.offset for p in opt.inputs}
    where, off = ("output", outs[r]) if r in outs else ("input", ins[r]) if r in ins \
        else ("arena", plan.offsets.get(r, 0))
    if plan.io_arena and where != "arena":   # I/O in the arena: read it there (verify.py)
        where, off = "arena", plan.offsets[r]
    return {"tensor": t, "where": where, "offset": off, "nbytes": ten.nbytes,
            "shape": list(ten.shape), "dtype": ten.dtype}


def _compile(name: str, board: Board, gen, work: Path) -> None:
    """gcc; a flash or RAM overflow the estimate missed becomes the same 'does not fit' line."""
    import re
    import subprocess
    from mcusim.toolchain import gcc
    proc = subprocess.run([gcc(), *compile_args(board, dsp=gen.dsp)], cwd=work,
                          capture_output=True, text=True)
    if proc.returncode == 0:
        return
    over = re.search(r"region `?(\w+)'? overflowed by (\d+) bytes", proc.stderr)
    if over or "do not fit in" in proc.stderr:
        what = (f"region {over.group(1)} overflowed by {int(over.group(2)):,} B" if over
                else f"RAM: .data + .bss + arena + I/O + stack exceed {board.ram.size:,} B")
        raise BadInput(f"{name} does not fit {board.name}: {what} (weights {gen.weights_bytes:,}"
                       f" B, arena {gen.plan.size:,} B)")
    run_gcc(compile_args(board, dsp=gen.dsp), cwd=work)      # re-run for run_gcc's one-line BuildError


def _check_fits(name: str, board: Board, gen) -> None:
    from mcusim.sim.linker import default_stack_size
    flash, ram = board.flash, board.ram
    if gen.weights_bytes > flash.size:
        raise BadInput(f"{name} does not fit {board.name}: its weights need "
                       f"{gen.weights_bytes:,} B of flash (before code), the board's "
                       f"{flash.name} has {flash.size:,} B")
    stack = default_stack_size(board)
    io = 0 if gen.plan.io_arena else gen.input_bytes + gen.output_bytes
    need = gen.plan.size + io
    if need + stack > ram.size:
        raise BadInput(f"{name} does not fit {board.name}: arena {gen.plan.size:,} B + "
                       f"input/output {io:,} B + stack "
                       f"{stack:,} B exceed the {ram.size:,} B of {ram.name}")


# --------------------------------------------------------------------- the project on disk

SOURCES = ["main.c", "model.c", "weights.c", "runtime/startup.c"]


def compile_flags(board: Board, dsp: bool = True) -> list[str]:
    from mcusim.firmware import base_flags
    # Without DSP, the kernels' inner DSP paths must go too, not only the variant choice.
    portable = [] if dsp else ["-DMCUSIM_PORTABLE"]
    return (base_flags(board) + portable
            + ["-DMCUSIM_SEMIHOSTING=1", "--specs=rdimon.specs", "-I.", "-Iruntime/include"])


def compile_args(board: Board, kernel_sources: list[str] | None = None,
                 dsp: bool = True) -> list[str]:
    ks = kernel_sources if kernel_sources is not None else _kernel_sources_rel()
    return [*compile_flags(board, dsp), *SOURCES, *ks, "-T", "mcusim.ld", "-Wl,-Map=model.map",
            "-o", "model.elf"]


def _kernel_sources_rel() -> list[str]:
    kd = firmware_dir() / "kernels"
    if not kd.is_dir():
        return []
    return [f"runtime/kernels/{p.relative_to(kd).as_posix()}"
            for p in sorted(kd.rglob("*")) if p.suffix in (".c", ".S", ".s")]


def _write_project(work: Path, board: Board, gen) -> None:
    from mcusim.sim.linker import linker_script
    for rel, text in gen.files.items():
        (work / rel).write_text(text)
    fw = firmware_dir()
    rt = work / "runtime"
    (rt / "include").mkdir(parents=True, exist_ok=True)
    shutil.copy2(fw / "startup" / "startup.c", rt / "startup.c")
    from mcusim.firmware import clock_source
    clock = clock_source(board)            # the clock set-up startup.c includes
    if clock is not None:
        shutil.copy2(clock, rt / clock.name)
    for sub in ("kernels", "include"):
        src = fw / sub
        if src.is_dir():
            for p in src.rglob("*"):
                if p.is_file() and p.suffix in (".c", ".h", ".s", ".S"):
                    dst = rt / sub / p.relative_to(src)
                    dst.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(p, dst)
    (work / "mcusim.ld").write_text(linker_script(board))
    (work / "Makefile").write_text(_makefile(board, gen.dsp))


def _makefile(board: Board, dsp: bool) -> str:
    flags = " \\\n\t".join(compile_flags(board, dsp))
    return f"""# Generated by mcusim for board {board.name} ({board.core}).
# `make` rebuilds model.elf with exactly the flags mcusim used: -O2 (speed; use -Os for size),
# -ffunction-sections/-fdata-sections with --gc-sections so unused kernels cost no flash,
# newlib + librdimon (semihosting) for exit(). To use the model in your own firmware, compile
# model.c, weights.c and runtime/kernels/*.c with your flags and call model_invoke() (model.h).
CC = arm-none-eabi-gcc
CFLAGS = {flags}
SRCS = {" ".join(SOURCES + _kernel_sources_rel())}

model.elf: $(SRCS) mcusim.ld model.h weights.h
\t$(CC) $(CFLAGS) $(SRCS) -T mcusim.ld -Wl,-Map=model.map -o $@

clean:
\trm -f model.elf model.map

.PHONY: clean
"""
