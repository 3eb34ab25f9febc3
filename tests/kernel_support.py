"""Host harness of the kernel tests: the C kernels built once with the host gcc into a shared
library; each operator's emit() output compiled into a tiny case library against it and called
through ctypes, next to TFLM's interpreter on the same one-operator model."""
from __future__ import annotations

import ctypes
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from mcusim.compiler import importer, ops  # noqa: F401 (re-exported)

REPO = Path(__file__).resolve().parent.parent
KERNELS = REPO / "firmware" / "kernels"
INCLUDE = REPO / "firmware" / "include"
CTYPES = {"int8": "int8_t", "int32": "int32_t", "float32": "float", "int16": "int16_t",
          "uint8": "uint8_t", "int64": "int64_t"}
NP = {"int8": np.int8, "int32": np.int32, "float32": np.float32, "int16": np.int16,
      "uint8": np.uint8, "int64": np.int64}
CFLAGS = ["-std=c99", "-O1", "-Wall", "-Werror", "-Wno-unused-variable", "-fPIC"]


def build_kernel_lib(out_dir: Path) -> Path:
    if shutil.which("gcc") is None:
        pytest.skip("host gcc not installed")
    lib = out_dir / "libmcusim_nn.so"
    srcs = sorted(str(p) for p in KERNELS.glob("*.c"))
    subprocess.run(["gcc", *CFLAGS, "-shared", f"-I{INCLUDE}", *srcs, "-o", str(lib), "-lm"],
                   check=True, capture_output=True, text=True)
    return lib


class HostCtx:
    """The emit context on the host: tensors are T[i] pointers, constants static arrays."""

    def __init__(self, g, dsp: bool = False):
        self.g, self.dsp, self.core = g, dsp, "host"
        self.arrays: list[tuple[str, str, np.ndarray]] = []
        self.scratch_bytes = 0

    @property
    def v6m_packed(self) -> bool:    # as EmitContext with optimized kernels
        from mcusim.compiler.context import V6M_CORES
        return self.core in V6M_CORES

    def ref(self, t: int) -> str:
        if t < 0:
            return "NULL"
        ten = self.g.t(t)
        ct = CTYPES[ten.dtype]
        if ten.is_const:
            return self.const(f"t{t}", ten.data, ct)
        return f"(({ct} *)T[{t}])"

    def const(self, hint: str, array, ctype: str) -> str:
        name = f"c{len(self.arrays)}_{hint}"
        self.arrays.append((name, ctype, np.asarray(array).reshape(-1)))
        return name

    def scratch(self, nbytes: int) -> str:
        self.scratch_bytes = max(self.scratch_bytes, int(nbytes))
        return "((void *)scratch)" if nbytes > 0 else "NULL"

    def source(self, body: str) -> str:
        lines = ["#include <stddef.h>", "#include <stdint.h>", '#include "mcusim_nn.h"', ""]
        for name, ct, a in self.arrays:
            vals = ", ".join(repr(float(v)) + "f" if ct == "float" else str(int(v)) for v in a)
            lines.append(f"static const {ct} {name}[{max(1, a.size)}] = {{{vals or '0'}}};")
        lines.append(f"static int16_t scratch[{max(1, (self.scratch_bytes + 1) // 2)}];")
        lines.append("void run(void **T)\n{")
        lines.append("    (void)scratch;")
        lines += ["    " + ln for ln in body.strip().splitlines()]
        lines.append("}")
        return "\n".join(lines) + "\n"


class Case:
    """One operator model compiled for the host: call it like TFLM."""

    def __init__(self, data: bytes, lib: Path, work: Path, dsp: bool = False, node_index=0,
                 rewrite=None, core: str = "host"):
        self.data = data
        self.g = importer.parse(data, "case")
        self.node = self.g.nodes[node_index]
        mod = ops.get(self.node.op)
        mod.check(self.node, self.g)
        self.prepared = mod.prepare(self.node, self.g)
        ctx = HostCtx(self.g, dsp)
        ctx.core = core                  # "cortex-m0plus": the ARMv6-M variants' C loops
        self.body = mod.emit(self.node, self.g, ctx)
        if rewrite:                      # e.g. call the wrapper instead of the chosen variant
            self.body = rewrite(self.body)
        self.source = ctx.source(self.body)
        n = len(list(work.glob("case*.c")))
        src = work / f"case{n}.c"
        so = work / f"case{n}.so"
        src.write_text(self.source)
        proc = subprocess.run(["gcc", *CFLAGS, "-shared", f"-I{INCLUDE}", str(src), "-o", str(so),
                               f"-L{lib.parent}", "-lmcusim_nn", f"-Wl,-rpath,{lib.parent}"],
                              capture_output=True, text=True)
        if proc.returncode:
            raise AssertionError(f"case did not compile:\n{proc.stderr}\n{self.source}")
        self.dll = ctypes.CDLL(str(so))
        self.dll.run.argtypes = [ctypes.POINTER(ctypes.c_void_p)]

    def run(self, inputs: list[np.ndarray]) -> list[np.ndarray]:
        g = self.g
        bufs: dict[int, np.ndarray] = {}
        for t, x in zip(g.inputs, inputs):
            ten = g.t(t)
            bufs[t] = np.ascontiguousarray(np.asarray(x, dtype=NP[ten.dtype]).reshape(ten.shape))
        for t in self.node.outputs:
            ten = g.t(t)
            # poison the output so a kernel that skips an element cannot pass
            bufs[t] = np.full(ten.shape, 0x5A, dtype=NP[ten.dtype])
        T = (ctypes.c_void_p * len(g.tensors))()
        for t, b in bufs.items():
            T[t] = b.ctypes.data
        self.dll.run(T)
        return [bufs[t] for t in g.outputs]


def tflm(data: bytes, inputs: list[np.ndarray], arena: int = 400_000) -> list[np.ndarray]:
    from tflite_micro.python.tflite_micro import runtime
    it = runtime.Interpreter.from_bytes(data, arena_size=arena)
    for i, x in enumerate(inputs):
        it.set_input(x, i)
    it.invoke()
    outs, i = [], 0
    while True:
        try:
            outs.append(np.array(it.get_output(i)))
        except Exception:
            break
        i += 1
        if i >= 8:
            break
    return outs


def input_sets(g, seed: int, n_random: int = 2) -> list[list[np.ndarray]]:
    """Random inputs (fixed seed) plus the extremes: all -128 and all 127."""
    rng = np.random.default_rng(seed)
    sets = []
    for k in range(n_random + 2):
        xs = []
        for t in g.inputs:
            ten = g.t(t)
            if ten.dtype == "float32":
                v = rng.normal(0, 2.0, size=ten.shape).astype(np.float32)
                if k >= n_random:
                    v = np.full(ten.shape, -1e3 if k == n_random else 1e3, np.float32)
            elif k < n_random:
                v = rng.integers(-128, 128, size=ten.shape).astype(np.int8)
            else:
                v = np.full(ten.shape, -128 if k == n_random else 127, np.int8)
            xs.append(v)
        sets.append(xs)
    return sets


def assert_bit_exact(case: Case, seed: int = 0, n_random: int = 2, min_unique: int = 3) -> None:
    for k, xs in enumerate(input_sets(case.g, seed, n_random)):
        want = tflm(case.data, xs)
        got = case.run(xs)
        assert len(want) == len(got)
        for w, o in zip(want, got):
            w = np.asarray(w).reshape(o.shape)
            if k < n_random:
                # a case whose random outputs collapse to a constant would prove little
                assert w.size <= 4 or len(np.unique(w)) >= min_unique, f"degenerate case: {np.unique(w)}"
            if o.dtype == np.float32:
                same = np.array_equal(w.view(np.int32), o.view(np.int32))
            else:
                same = np.array_equal(w, o)
            if not same:
                diff = np.abs(w.astype(np.float64) - o.astype(np.float64))
                raise AssertionError(
                    f"{case.node.op}: {int((diff > 0).sum())} of {diff.size} differ, max "
                    f"{diff.max()}; prepared {case.prepared}\nemitted:\n{case.body}")


# ---------------------------------------------------------------------- on the simulated MCU
class ArmHarness:
    """Many one-op cases in one firmware image: each case's emitted body runs on embedded
    inputs and prints its output bytes as hex over semihosting ("case <i> <hex>")."""

    def __init__(self, dsp: bool, core: str = "host"):
        self.dsp, self.core = dsp, core    # core: emit() picks core-specific variants (ARMv6-M)
        self.parts: list[str] = []
        self.cases: list[tuple[bytes, list[np.ndarray]]] = []
        self.scratch_bytes = 8192     # the largest scratch a case's emitted body asks for

    def add(self, data: bytes, inputs: list[np.ndarray], **ctx_attrs) -> None:
        """ctx_attrs: set on the emit context (e.g. records_copy=frozenset(), the compiler's
        choice when the arena cannot take a layer's copies)."""
        i = len(self.cases)
        g = importer.parse(data, f"case{i}")
        node = g.nodes[0]
        mod = ops.get(node.op)
        mod.check(node, g)
        ctx = HostCtx(g, self.dsp)
        ctx.core = self.core
        for k, v in ctx_attrs.items():
            setattr(ctx, k, v)
        body = mod.emit(node, g, ctx)
        self.scratch_bytes = max(self.scratch_bytes, ctx.scratch_bytes)
        lines = []
        for name, ct, a in ctx.arrays:
            vals = ", ".join((float(v).hex() + "f") if ct == "float" else str(int(v)) for v in a)
            lines.append(f"static const {ct} k{i}_{name}[{max(1, a.size)}] = {{{vals or '0'}}};")
            body = re.sub(rf"\b{name}\b", f"k{i}_{name}", body)
        ptrs = []
        for t in list(g.inputs) + list(node.outputs):
            ten = g.t(t)
            ct = CTYPES[ten.dtype]
            n = max(1, int(np.prod(ten.shape)))
            if t in g.inputs:
                x = np.asarray(inputs[g.inputs.index(t)]).reshape(-1)
                if ct == "float":        # hex literals: exact
                    vals = ", ".join(float(v).hex() + "f" for v in x)
                else:
                    vals = ", ".join(str(int(v)) for v in x)
                lines.append(f"static {ct} b{i}_{t}[{n}] __attribute__((aligned(4))) = {{{vals}}};")
            else:
                lines.append(f"static {ct} b{i}_{t}[{n}] __attribute__((aligned(4)));")
            ptrs.append((t, f"b{i}_{t}"))
        out_t = node.outputs[0]
        nbytes = int(np.prod(g.t(out_t).shape)) * np.dtype(NP[g.t(out_t).dtype]).itemsize
        lines.append(f"static void case{i}(void)\n{{")
        lines.append(f"    void *T[{len(g.tensors)}] = {{0}};")
        lines += [f"    T[{t}] = {name};" for t, name in ptrs]
        lines += ["    " + ln for ln in body.strip().splitlines()]
        lines.append(f'    dump({i}, (const uint8_t *)b{i}_{out_t}, {nbytes});')
        lines.append("}")
        self.parts.append("\n".join(lines))
        self.cases.append((data, inputs))

    def source(self) -> str:
        # as large as the largest scratch a case asked for (a fixed 8 KB let the records copies
        # of wide 1x1 layers, 12 KB and more, overwrite the heap)
        scratch = f"static int32_t scratch[{(self.scratch_bytes + 3) // 4}];"
        head = ("#include <stdint.h>\n#include <stddef.h>\n#include <stdio.h>\n"
                '#include "mcusim_nn.h"\n' + scratch + "\n"
                "static void dump(int i, const uint8_t *p, int n)\n{\n"
                # the hex line in pieces of 2,047 bytes (a whole line in the 4 KB buffer
                # overflowed into the next static buffers for larger outputs)
                "    static char line[4096];\n    static const char hx[] = \"0123456789abcdef\";\n"
                "    printf(\"case %d \", i);\n"
                "    for (int j0 = 0; j0 < n; j0 += 2047) {\n"
                "        int k = 0;\n"
                "        for (int j = j0; j < n && j < j0 + 2047; j++) {\n"
                "            line[k++] = hx[p[j] >> 4];\n            line[k++] = hx[p[j] & 15];\n"
                "        }\n        line[k] = 0;\n        printf(\"%s\", line);\n    }\n"
                "    printf(\"\\n\");\n}\n")
        calls = "\n".join(f"    case{i}();" for i in range(len(self.cases)))
        return head + "\n\n".join(self.parts) + f"\n\nint main(void)\n{{\n{calls}\n    return 0;\n}}\n"

    @staticmethod
    def parse(stdout: str) -> dict[int, bytes]:
        out = {}
        for line in stdout.splitlines():
            if line.startswith("case "):
                _, i, hx = line.split(" ", 2)
                out[int(i)] = bytes.fromhex(hx)
        return out
