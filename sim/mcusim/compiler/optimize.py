"""Graph optimizations on the imported model, before planning and code generation.

Passes (in order): fold edge QUANTIZE/DEQUANTIZE into host-side I/O conversion (modelio.py),
fold constant-only nodes, turn RESHAPE/SQUEEZE/EXPAND_DIMS into storage aliases, fuse a
RELU/RELU6/RELU_N1_TO_1 into the conv/fc/pool/add that feeds it, drop dead nodes.
Nodes keep their TFLite index so messages and verify can name them.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from mcusim.compiler import modelio
from mcusim.compiler.checks import ALIAS_OPS
from mcusim.compiler.ir import Graph, Node
from mcusim.compiler.modelio import Port

# Ops whose kernels apply a fused activation (TFLite's fused_activation_function option).
FUSABLE = {"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "ADD", "MUL", "SUB",
           "AVERAGE_POOL_2D", "MAX_POOL_2D", "CONCATENATION"}
_ACT = {"RELU": "RELU", "RELU6": "RELU6", "RELU_N1_TO_1": "RELU_N1_TO_1"}


@dataclass
class Optimized:
    graph: Graph
    inputs: list[Port]
    outputs: list[Port]
    log: list[str]              # one line per change, for `mcusim build` and docs


def optimize(src: Graph) -> Optimized:
    g = Graph(tensors=[copy.copy(t) for t in src.tensors],
              nodes=[copy.deepcopy(n) for n in src.nodes],
              inputs=list(src.inputs), outputs=list(src.outputs), name=src.name)
    log: list[str] = []
    in_dtype = {t: g.t(t).dtype for t in g.inputs}
    out_dtype = {t: g.t(t).dtype for t in g.outputs}
    names: dict[int, str] = {}      # a port's model name where its tensor replaced the model's
    _fold_edges(g, in_dtype, out_dtype, names, log)
    _fold_constants(g, log)
    _alias_reshapes(g, log)
    _fuse_activations(g, log)
    _depthwise_one_channel_as_conv(g, log)
    _drop_dead(g, log)
    inputs = _ports(g, g.inputs, in_dtype, names)
    outputs = _ports(g, g.outputs, out_dtype, names)
    return Optimized(g, inputs, outputs, log)


def consumers(g: Graph, t: int) -> list[Node]:
    return [n for n in g.nodes if t in n.inputs]


def producer(g: Graph, t: int) -> Node | None:
    return next((n for n in g.nodes if t in n.outputs), None)


def _same_quant(a, b) -> bool:
    return (a.scale is not None and b.scale is not None and len(a.scale) == len(b.scale) == 1
            and float(a.scale[0]) == float(b.scale[0])
            and int(a.zero_point[0]) == int(b.zero_point[0]))


def _fold_edges(g: Graph, in_dtype: dict, out_dtype: dict, names: dict, log: list[str]) -> None:
    for node in list(g.nodes):
        src, dst = node.inputs[0], node.outputs[0]
        if node.op == "QUANTIZE" and src in g.inputs and g.t(src).dtype == "float32" \
                and g.t(dst).dtype == "int8" and len(consumers(g, src)) == 1:
            g.inputs[g.inputs.index(src)] = dst
            in_dtype[dst] = "float32"
            names[dst] = g.t(src).name
            g.nodes.remove(node)
            log.append(f"node {node.index} QUANTIZE: input conversion done on the host")
        elif node.op == "DEQUANTIZE" and dst in g.outputs and g.t(src).dtype == "int8" \
                and g.t(dst).dtype == "float32" and src not in g.outputs:
            g.outputs[g.outputs.index(dst)] = src
            out_dtype[src] = "float32"
            names[src] = g.t(dst).name
            g.nodes.remove(node)
            log.append(f"node {node.index} DEQUANTIZE: output conversion done on the host")


def _fold_constants(g: Graph, log: list[str]) -> None:
    """Evaluate nodes whose inputs are all constant (shape ops and (de)quantization)."""
    for node in list(g.nodes):
        ins = [t for t in node.inputs if t >= 0]
        if not ins or not all(g.t(t).is_const for t in ins) or len(node.outputs) != 1:
            continue
        src, out = g.t(ins[0]), g.t(node.outputs[0])
        if out.index in g.outputs:
            continue
        if node.op in ALIAS_OPS and src.nbytes == out.nbytes:
            out.data = src.data.reshape(out.shape)
        elif node.op == "QUANTIZE" and src.dtype == "float32" and out.dtype == "int8":
            out.data = modelio.quantize(src.data, float(out.scale[0]),
                                        int(out.zero_point[0])).reshape(out.shape)
        elif node.op == "DEQUANTIZE" and src.dtype == "int8" and out.dtype == "float32":
            out.data = modelio.dequantize(src.data, float(src.scale[0]),
                                          int(src.zero_point[0])).reshape(out.shape)
        else:
            continue
        g.nodes.remove(node)
        log.append(f"node {node.index} {node.op}: folded into constant tensor {out.index}")


def root(g: Graph, t: int) -> int:
    while g.t(t).alias_of is not None:
        t = g.t(t).alias_of
    return t


def _alias_reshapes(g: Graph, log: list[str]) -> None:
    for node in list(g.nodes):
        if node.op not in ALIAS_OPS:
            continue
        src, dst = node.inputs[0], node.outputs[0]
        if g.t(src).nbytes != g.t(dst).nbytes or g.t(src).dtype != g.t(dst).dtype:
            continue
        io = set(g.inputs) | set(g.outputs)
        src_root = root(g, src)
        if dst in g.outputs:
            if src_root in io or g.t(src).is_const or len(consumers(g, src)) > 1:
                continue           # caller-owned buffers on both sides: keep the copy
            g.t(src_root).alias_of = dst   # the producer writes straight into the output buffer
        else:
            g.t(dst).alias_of = src
        g.nodes.remove(node)
        log.append(f"node {node.index} {node.op}: tensor {dst} aliases tensor {src}")


def _fuse_activations(g: Graph, log: list[str]) -> None:
    for node in list(g.nodes):
        if node.op not in _ACT:
            continue
        src, dst = node.inputs[0], node.outputs[0]
        prod = producer(g, src)
        if prod is None or prod.op not in FUSABLE or len(prod.outputs) != 1:
            continue
        if prod.options.get("fused_activation_function", "NONE") != "NONE":
            continue
        if len(consumers(g, src)) != 1 or src in g.outputs or g.t(src).alias_of is not None \
                or any(t.alias_of == src for t in g.tensors):
            continue
        if not _same_quant(g.t(src), g.t(dst)) or g.t(src).shape != g.t(dst).shape:
            continue            # the activation requantizes: keep it as its own kernel
        prod.options["fused_activation_function"] = _ACT[node.op]
        prod.outputs[0] = dst
        g.nodes.remove(node)
        log.append(f"node {node.index} {node.op}: fused into node {prod.index} {prod.op}")


def _depthwise_one_channel_as_conv(g: Graph, log: list[str]) -> None:
    """A DEPTHWISE_CONV_2D over one input channel (person_detect's first layer: multiplier 8) is
    a CONV_2D with `multiplier` output channels: the same sums, bias and per-channel
    requantization in TFLM's reference kernels, so the packed convolution kernels take it
    (filter [1, kh, kw, M] re-laid as [M, kh, kw, 1], in a new array: the source graph keeps
    its own)."""
    for node in g.nodes:
        if node.op != "DEPTHWISE_CONV_2D" or len(node.inputs) < 2:
            continue
        x, f = g.t(node.inputs[0]), g.t(node.inputs[1])
        if len(x.shape) != 4 or x.shape[3] != 1 or f.data is None or len(f.shape) != 4:
            continue
        if any(f.index in n.inputs for n in g.nodes if n is not node):
            continue            # the filter is shared: leave both as they are
        f.data = np.ascontiguousarray(np.asarray(f.data).transpose(3, 1, 2, 0))
        f.shape = tuple(int(d) for d in f.data.shape)
        f.quantized_dimension = 0
        node.op = "CONV_2D"
        node.options = {k: v for k, v in node.options.items() if k != "depth_multiplier"}
        log.append(f"node {node.index} DEPTHWISE_CONV_2D: one input channel, run as CONV_2D "
                   f"with {f.shape[0]} output channels")


def _drop_dead(g: Graph, log: list[str]) -> None:
    changed = True
    while changed:
        changed = False
        live = set(g.outputs)
        for n in g.nodes:
            live.update(n.inputs)
        live.update(t.alias_of for t in g.tensors if t.alias_of is not None)
        for node in list(g.nodes):
            # an output aliased into a model output buffer is live through its root
            if not any(o in live or root(g, o) in g.outputs for o in node.outputs):
                g.nodes.remove(node)
                log.append(f"node {node.index} {node.op}: output unused, removed")
                changed = True


def _ports(g: Graph, tensors: list[int], dtypes: dict, names: dict) -> list[Port]:
    ports, offset = [], 0
    for t in tensors:
        ten = g.t(t)
        scale = float(ten.scale[0]) if ten.scale is not None else 1.0
        zp = int(ten.zero_point[0]) if ten.zero_point is not None else 0
        p = Port(name=names.get(t, ten.name), tensor=t, shape=tuple(ten.shape), dtype=dtypes.get(t, ten.dtype),
                 scale=scale, zero_point=zp, offset=offset)
        offset += (p.size + 3) & ~3     # keep every tensor of the buffer word-aligned
        ports.append(p)
    return ports
