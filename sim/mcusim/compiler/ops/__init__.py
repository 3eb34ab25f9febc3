"""One module per operator: the build-time half of each kernel (TFLM's Prepare).

Each module `ops/<op_lower>.py` defines:
    OPS = ("CONV_2D",)                         # builtin names it handles
    def check(node, g) -> None                 # raise UnsupportedModel naming op, node, tensor type
    def prepare(node, g) -> dict               # every constant the kernel needs, computed once
                                               # (multipliers, shifts, activation range, dims)
    def macs(node, g) -> int                   # multiply-accumulates of one invocation
    def emit(node, g, ctx) -> str              # C statements for the layer body, using ctx:
        ctx.ref(tensor_index) -> str           #   C pointer expression for a tensor (arena or flash)
        ctx.const(name_hint, array, ctype) -> str  # add a const array in flash, returns its name
        ctx.scratch(nbytes) -> str             #   pointer to scratch memory for this layer
        ctx.core -> str, ctx.dsp -> bool       #   target core; whether DSP kernels may be used
`prepare` is also what the host tests use to call the C kernels directly.

`get(op_name)` returns the module for a builtin name (KeyError when none handles it);
`supported()` lists every handled name.
"""
from __future__ import annotations

import importlib

_MODULES = ("conv_2d", "depthwise_conv_2d", "fully_connected", "average_pool_2d",
            "max_pool_2d", "add", "mul", "softmax", "logistic", "tanh", "relu", "relu6",
            "quantize", "dequantize", "reshape", "pad", "concatenation", "mean")

_registry: dict[str, object] | None = None


def _load() -> dict[str, object]:
    global _registry
    if _registry is None:
        reg = {}
        for name in _MODULES:
            try:
                mod = importlib.import_module(f"{__name__}.{name}")
            except ModuleNotFoundError as e:   # an operator not written yet: not supported
                if e.name != f"{__name__}.{name}":
                    raise
                continue
            for op in mod.OPS:
                reg[op] = mod
        _registry = reg
    return _registry


def get(op_name: str):
    """The operator module handling builtin `op_name`; KeyError if none does."""
    return _load()[op_name]


def supported() -> list[str]:
    return sorted(_load())
