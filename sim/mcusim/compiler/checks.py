"""Refuse, with one line naming operator, node and tensor type, what the int8 pipeline cannot run.

`check_graph` runs on the imported graph (before optimization) to spot custom ops and float or
hybrid models; `check_nodes` runs on the optimized graph and asks each operator module.
"""
from __future__ import annotations

from mcusim.compiler.errors import UnsupportedModel
from mcusim.compiler.ir import Graph, Node

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
                        f"{_desc(g, t)}; mcusim runs fully int8-quantized models only")
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
