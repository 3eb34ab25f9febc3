"""The float model: read it (float .tflite, or ONNX / Keras through sources.py), check it, and
prepare it for the quantizer.

Checks, one line each (exit 2): not a flatbuffer or truncated (the compiler's importer), a model
that is already int8, an operator mcusim cannot run once quantized (named with its node),
NaN/Inf in a float constant (named with its tensor). Preparation: the graph optimizations of
graphopt.py, operator codes normalised (models from older converters carry the operator only in
`deprecated_builtin_code`, which ai-edge-quantizer 0.10 reads as ADD), and a `serving_default`
signature when the model has none (the quantizer calibrates through LiteRT signature runners).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mcusim.compiler import checks, importer, ops
from mcusim.compiler.errors import UnsupportedModel
from mcusim.errors import BadInput
from mcusim.quantize.calibration import Port
from mcusim.quantize.extras import need

FLOAT = ("float32", "float16", "float64")
# Ops that leave the graph before mcusim compiles it (folded by graphopt or the compiler).
_FOLDED = {"DEQUANTIZE", "SHAPE", "CAST", "SQUEEZE", "EXPAND_DIMS", "RELU_N1_TO_1"}


@dataclass
class FloatModel:
    data: bytes                     # the prepared float flatbuffer (what is quantized)
    original: bytes                 # the float model as read (what accuracy compares against)
    name: str
    ports: list[Port]
    log: list[str] = field(default_factory=list)


def inspect(data: bytes, name: str, foldable=("TRANSPOSE", "STRIDED_SLICE", "PACK", "GATHER",
                                              "SUB")):
    """Import and check the float model; return the compiler's ir.Graph of it. Ops in
    `foldable` pass here: graphopt may remove them (checked again after it)."""
    g = importer.parse(data, name)
    if not g.nodes:
        raise UnsupportedModel(f"{name}: the model has no operators")
    checks.check_structure(g)       # types, sizes, data flow: as for an int8 model
    # float tensors that only feed a QUANTIZE or come out of a DEQUANTIZE are an int8 model's
    # float edges, not float activations
    edge = {i for n in g.nodes if n.op == "QUANTIZE" for i in n.inputs} | \
        {o for n in g.nodes if n.op == "DEQUANTIZE" for o in n.outputs}
    readers = {}
    for n in g.nodes:
        for i in n.inputs:
            readers.setdefault(i, []).append(n.op)
    floats = [t for t in g.tensors if t.dtype in FLOAT and not t.is_const and not (
        t.index in edge and all(op == "QUANTIZE" for op in readers.get(t.index, ["QUANTIZE"])))]
    if not floats:
        raise BadInput(f"{name}: already quantized (no float activations): run it as it is, "
                       f"e.g. mcusim run {name} --board B")
    known = set(ops.supported()) | _FOLDED | set(foldable)
    for n in g.nodes:
        if n.op.startswith("CUSTOM:"):
            raise UnsupportedModel(f"{name}: node {n.index}: custom operator '{n.op[7:]}' "
                                   f"cannot be quantized for mcusim")
        if n.op not in known:
            raise UnsupportedModel(
                f"{name}: node {n.index} ({n.op}, output {_tname(g, n.outputs)}): mcusim has "
                f"no int8 kernel for {n.op}; supported: {', '.join(sorted(ops.supported()))}")
    for t in g.tensors:
        if t.is_const and t.dtype in FLOAT:
            with np.errstate(all="ignore"):
                bad = ~np.isfinite(np.asarray(t.data))
            if bad.any():
                raise BadInput(f"{name}: tensor {t.index} '{t.name}' (weights) holds "
                               f"{int(bad.sum())} NaN/Inf value(s): the float model is broken")
    for i in g.inputs:
        if g.t(i).dtype != "float32":
            raise UnsupportedModel(f"{name}: model input {i} '{g.t(i).name}' is "
                                   f"{g.t(i).dtype}; float32 inputs expected")
    return g


def _tname(g, outs) -> str:
    return ", ".join(f"'{g.t(o).name}'" for o in outs if o >= 0) or "none"


def prepare(data: bytes, name: str, optimize: bool = True) -> FloatModel:
    g = inspect(data, name)
    fu = need("ai_edge_litert.tools.flatbuffer_utils", "quantize", "quantization")
    S = need("ai_edge_litert.schema_py_generated", "quantize", "quantization")
    try:
        model = fu.convert_bytearray_to_object(bytearray(data))
    except Exception as e:  # noqa: BLE001 - the schema reader on a file importer accepted
        raise BadInput(f"{name}: LiteRT cannot read the flatbuffer ({type(e).__name__})") \
            from None
    if len(model.subgraphs) != 1:
        raise UnsupportedModel(f"{name}: {len(model.subgraphs)} subgraphs; mcusim quantizes "
                               f"single-subgraph models")
    for oc in model.operatorCodes:
        oc.builtinCode = max(int(oc.builtinCode), int(oc.deprecatedBuiltinCode))
    log: list[str] = []
    if optimize:
        from mcusim.quantize import graphopt
        model.signatureDefs = None      # indices change: the signature is made again below
        log = graphopt.optimize(model)
    sg = model.subgraphs[0]

    def tmap(i):
        t = S.TensorMapT()
        t.name = sg.tensors[i].name
        t.tensorIndex = int(i)
        return t
    sd = S.SignatureDefT()
    sd.signatureKey = b"serving_default"
    sd.subgraphIndex = 0
    sd.inputs = [tmap(i) for i in sg.inputs]
    sd.outputs = [tmap(i) for i in sg.outputs]
    model.signatureDefs = [sd]
    prepared = bytes(fu.convert_object_to_bytearray(model))
    inspect(prepared, name, foldable=())
    ports = [Port(_str(sg.tensors[i].name), tuple(int(d) for d in sg.tensors[i].shape))
             for i in sg.inputs]
    return FloatModel(prepared, data, name, ports, log)


def _str(n) -> str:
    return n.decode(errors="replace") if isinstance(n, bytes) else str(n)
