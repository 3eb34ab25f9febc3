"""EmitContext: what an operator module's emit(node, g, ctx) uses to name memory.

ctx.ref(t)                  C pointer expression for tensor t: the caller's input/output buffer,
                            a const array in flash, or its planned place in the arena; typed by
                            the tensor's dtype (int8_t *, int32_t *, ...)
ctx.const(hint, arr, ctype) a const array in flash (weights.c); returns its C name
ctx.scratch(nbytes)         pointer to this layer's scratch, planned in the arena (void *)
ctx.core, ctx.dsp           target core; whether DSP (SIMD) kernels may be used
ctx.v6m_packed              whether ARMv6-M's packed variants may be used (not with --kernels portable)
ctx.layer, ctx.node, ctx.g  layer position, node, graph (for names and comments)
"""
from __future__ import annotations

import re

import numpy as np

from mcusim.compiler.optimize import root

CTYPES = {"int8": "int8_t", "uint8": "uint8_t", "int16": "int16_t", "int32": "int32_t",
          "int64": "int64_t", "float32": "float", "uint32": "uint32_t"}
DSP_CORES = {"cortex-m4", "cortex-m4f", "cortex-m7", "cortex-m33"}


def c_ident(text: str) -> str:
    s = re.sub(r"[^0-9A-Za-z_]", "_", text).strip("_").lower()
    return re.sub(r"_+", "_", s)[:40] or "x"


class ConstPool:
    """The const arrays of weights.c, deduplicated by content."""

    def __init__(self):
        self.arrays: list[tuple[str, str, np.ndarray]] = []   # (name, ctype, flat data)
        self._by_key: dict[tuple, str] = {}
        self._names: set[str] = set()

    def add(self, hint: str, array, ctype: str) -> str:
        arr = np.ascontiguousarray(np.asarray(array)).reshape(-1)
        key = (ctype, arr.dtype.str, arr.tobytes())
        if key in self._by_key:
            return self._by_key[key]
        base = "model_w_" + c_ident(hint)
        name, k = base, 1
        while name in self._names:
            k += 1
            name = f"{base}_{k}"
        self._names.add(name)
        self._by_key[key] = name
        self.arrays.append((name, ctype, arr))
        return name

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for _, _, a in self.arrays)


V6M_CORES = ("cortex-m0", "cortex-m0plus")


class EmitContext:
    def __init__(self, g, plan, inputs, outputs, core: str, dsp: bool, consts: ConstPool,
                 optimized: bool = True):
        self.g, self.plan, self.core, self.dsp = g, plan, core, dsp
        self.optimized = optimized    # False: `--kernels portable`, the C reference on every core
        self.consts = consts
        in_arena = plan is not None and plan.io_arena     # then the I/O have arena offsets
        self.io_in = {} if in_arena else {p.tensor: p.offset for p in inputs}
        self.io_out = {} if in_arena else {p.tensor: p.offset for p in outputs}
        self.layer = 0
        self.node = None
        self.scratch_sizes: dict[int, int] = {}
        # the packed convs' groups of pixels per weight pass: a cap, or caps by layer
        # (codegen._plan_groups); layers not listed take one group
        self.group_caps: dict[int, int] | int = 16

    @property
    def v6m_packed(self) -> bool:
        """ARMv6-M's build-time packed variants (pairs, quads, packed depthwise, ADD table)."""
        return self.optimized and self.core in V6M_CORES

    def group_cap(self) -> int:
        c = self.group_caps
        return c if isinstance(c, int) else c.get(self.layer, 1)

    def begin(self, layer: int, node) -> None:
        self.layer, self.node = layer, node

    def ref(self, t: int) -> str:
        if t < 0:
            return "NULL"
        ten = self.g.t(t)
        ctype = CTYPES.get(ten.dtype, "int8_t")
        if ten.is_const:
            return self.const(f"t{t}_{ten.name}", ten.data, ctype)
        r = root(self.g, t)
        if r in self.io_in:
            base = f"(input + {self.io_in[r]})"
        elif r in self.io_out:
            base = f"(output + {self.io_out[r]})"
        else:
            off = self.plan.offsets.get(r, 0) if self.plan else 0
            base = f"(model_arena + {off})"
        return base if ctype == "int8_t" else f"(({ctype} *){base})"

    def const(self, name_hint: str, array, ctype: str) -> str:
        return self.consts.add(name_hint, array, ctype)

    def scratch(self, nbytes: int) -> str:
        nbytes = int(nbytes)
        self.scratch_sizes[self.layer] = max(self.scratch_sizes.get(self.layer, 0), nbytes)
        if nbytes <= 0:
            return "NULL"
        off = self.plan.scratch.get(self.layer, 0) if self.plan else 0
        return f"((void *)(model_arena + {off}))"
