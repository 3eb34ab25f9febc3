"""Refuse, with one line naming operator, node and tensor type, what the int8 pipeline cannot run.

`validate` is the one layer between the importer and the operators: `check_graph` (custom ops,
float or hybrid models), `check_structure` (schema level: types, sizes, quantization, data flow)
and every operator module's `check()` (operand counts, ranks, options, the output shape it
computes against the declared one). `check_nodes` runs again on the optimized graph, and probes
each operator's `prepare()` for scale combinations TFLM's Prepare refuses. Bad model: BadModel
(exit 2) naming node, operator, tensor and rule; a model mcusim cannot run: UnsupportedModel.
"""
from __future__ import annotations

import numpy as np

from mcusim.compiler import quant
from mcusim.compiler.errors import BadModel, UnsupportedModel
from mcusim.compiler.ir import Graph, Node

# Element types a tensor of a node may have (numpy's names); the kernels use int32 sizes.
KNOWN_DTYPES = {"float32", "float16", "float64", "int8", "uint8", "int16", "uint16", "int32",
                "uint32", "int64", "uint64", "bool"}
MAX_ELEMENTS = (1 << 31) - 1

# Ops that never reach a kernel: optimize.py turns them into aliases or host-side conversions.
ALIAS_OPS = {"RESHAPE", "SQUEEZE", "EXPAND_DIMS"}
ACTIVATION_DTYPES = {"int8"}


def op_module(name: str):
    """The operator module for `name`, or None when the kernels do not cover it."""
    from mcusim.compiler import ops
    try:
        return ops.get(name)
    except (KeyError, LookupError, ValueError):
        return None
    except ImportError:
        # One operator module failing to import must not take every other operator down.
        import importlib
        try:
            mod = importlib.import_module(f"mcusim.compiler.ops.{name.lower()}")
        except ImportError:
            return None
        return mod if name in getattr(mod, "OPS", ()) else None


def _desc(g: Graph, t: int) -> str:
    ten = g.t(t)
    return f"tensor {t} ({ten.name or '?'}) {ten.dtype}{list(ten.shape)}"


def _is_edge_conversion(g: Graph, node: Node) -> bool:
    """QUANTIZE float->int8 of a model input, DEQUANTIZE int8->float of a model output."""
    if node.op == "QUANTIZE" and node.inputs and node.inputs[0] in g.inputs:
        return g.t(node.inputs[0]).dtype == "float32" and g.t(node.outputs[0]).dtype == "int8"
    if node.op == "DEQUANTIZE" and node.outputs and node.outputs[0] in g.outputs:
        return g.t(node.inputs[0]).dtype == "int8" and g.t(node.outputs[0]).dtype == "float32"
    return False


def check_graph(g: Graph) -> None:
    name = g.name or "model"
    if not g.nodes:
        raise UnsupportedModel(f"{name}: the model has no operators")
    for node in g.nodes:
        if node.op.startswith("CUSTOM:"):
            raise UnsupportedModel(f"{name}: node {node.index}: custom operator "
                                   f"'{node.op[7:]}' is not supported")
        if not node.outputs or not any(t >= 0 for t in node.inputs):
            raise UnsupportedModel(f"{name}: node {node.index} ({node.op}) has no input or no "
                                   f"output tensor")
        if _is_edge_conversion(g, node):
            continue
        for role, lst in (("input", node.inputs), ("output", node.outputs)):
            for t in lst:
                if t < 0:
                    continue
                ten = g.t(t)
                if ten.dtype in ("float32", "float16", "float64") and not ten.is_const:
                    kind = "hybrid" if any(g.t(i).dtype == "int8" and g.t(i).is_const
                                           for i in node.inputs if i >= 0) else "float"
                    raise UnsupportedModel(
                        f"{name}: {kind} model: node {node.index} ({node.op}) has {role} "
                        f"{_desc(g, t)}; mcusim runs fully int8-quantized models only: "
                        f"quantize it with `mcusim quantize MODEL --calibration DATA` "
                        f"(or `mcusim run MODEL --calibration DATA`)")
                if ten.dtype not in ACTIVATION_DTYPES and not ten.is_const and \
                        ten.dtype not in ("float32", "float16", "float64"):
                    raise UnsupportedModel(
                        f"{name}: node {node.index} ({node.op}) has {role} {_desc(g, t)}; "
                        f"mcusim's kernels take int8 activations")
    for t in g.inputs + g.outputs:
        ten = g.t(t)
        if ten.dtype not in ("int8", "float32"):
            raise UnsupportedModel(f"{name}: model input/output {_desc(g, t)}: only int8 "
                                   f"(or float32 with QUANTIZE/DEQUANTIZE at the edge) is "
                                   f"supported")


def validate(g: Graph) -> None:
    """Everything the compiler assumes about an imported graph, before any pass uses it."""
    check_graph(g)
    check_structure(g)
    check_operators(g)


def _node_desc(node: Node) -> str:
    return f"node {node.index} ({node.op})"


def check_structure(g: Graph) -> None:
    """Schema-level rules every operator relies on: tensor types and sizes, quantization
    parameters, and a data flow the firmware can run in order (every tensor a node reads is
    a constant, a model input or written by an earlier node; nothing writes a constant, a
    model input or a tensor twice)."""
    name = g.name or "model"
    used = {t for n in g.nodes for t in n.inputs + n.outputs if t >= 0} | set(g.inputs) \
        | set(g.outputs)
    for t in sorted(used):
        ten = g.t(t)
        where = f"{name}: {_desc(g, t)}"
        if ten.dtype not in KNOWN_DTYPES:
            raise UnsupportedModel(f"{where}: element type {ten.dtype} is not supported")
        n = 1
        for d in ten.shape:
            n *= d
        if n > MAX_ELEMENTS:
            raise BadModel(f"{where}: {n:,} elements, more than the kernels' int32 sizes hold")
        if n == 0 and (not ten.is_const or len(ten.shape) > 1):
            raise BadModel(f"{where}: has a zero-length dimension")
        if ten.scale is not None and ten.dtype == "int8" and ten.zero_point is not None:
            zp = np.asarray(ten.zero_point)
            if zp.size and (zp.min() < -128 or zp.max() > 127):
                raise BadModel(f"{where}: zero point {int(zp[(zp < -128) | (zp > 127)][0])} "
                               f"is outside int8 [-128, 127]")
    written = set(g.inputs) | {t for t in used if g.t(t).is_const}
    writer: dict[int, Node] = {}
    for node in g.nodes:
        for k, t in enumerate(node.inputs):
            if t >= 0 and t not in written:
                later = next((n for n in g.nodes if t in n.outputs), None)
                why = (f"written only by the later node {later.index} ({later.op})" if later
                       else "neither a constant (its buffer is empty), a model input nor "
                            "written by any node")
                raise BadModel(f"{name}: {_node_desc(node)}: input {k} {_desc(g, t)} is {why}")
        for t in node.outputs:
            ten = g.t(t)
            if ten.is_const or t in g.inputs:
                what = "a constant" if ten.is_const else "a model input"
                raise BadModel(f"{name}: {_node_desc(node)}: output {_desc(g, t)} is {what}")
            if t in writer:
                raise BadModel(f"{name}: {_node_desc(node)}: output {_desc(g, t)} is also "
                               f"written by node {writer[t].index} ({writer[t].op})")
            writer[t] = node
            written.add(t)
    for t in g.outputs:
        if t not in written:
            raise BadModel(f"{name}: model output {_desc(g, t)} is written by no node")


def check_operators(g: Graph) -> None:
    """Each operator module's check() on the imported graph (before any pass relies on it)."""
    for node in g.nodes:
        mod = op_module(node.op)
        if mod is not None:
            mod.check(node, g)


def _probe_prepare(mod, node: Node, g: Graph) -> None:
    """prepare() computes what TFLM's Prepare does; scales that make TFLM's checks fail (a
    multiplier out of its range) are the model's fault, named here, not an internal error."""
    try:
        mod.prepare(node, g)
    except quant.OutOfRange as e:
        tensors = ", ".join(_desc(g, t) for t in node.inputs + node.outputs if t >= 0)
        raise BadModel(f"{g.name or 'model'}: {_node_desc(node)}: the quantization scales of "
                       f"{tensors} give a value TFLM's Prepare refuses ({e})") from None


def check_nodes(g: Graph) -> None:
    """Every remaining node must have an operator module whose check() accepts it."""
    name = g.name or "model"
    for node in g.nodes:
        mod = op_module(node.op)
        if mod is None:
            types = ", ".join(g.t(t).dtype for t in node.inputs if t >= 0)
            raise UnsupportedModel(f"{name}: node {node.index}: operator {node.op} "
                                   f"(inputs {types}) is not supported")
        allowed = getattr(mod, "OUTPUT_DTYPES", ACTIVATION_DTYPES)
        for t in node.outputs:
            if g.t(t).dtype not in allowed:
                raise UnsupportedModel(f"{name}: node {node.index}: operator {node.op} with "
                                       f"output {_desc(g, t)} is not supported")
        mod.check(node, g)
        _probe_prepare(mod, node, g)
