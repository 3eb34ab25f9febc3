"""TFLite flatbuffer -> ir.Graph, through the `tflite` schema package.

Structural problems (not a flatbuffer, truncated, out-of-range indices, buffers shorter than their
tensor, quantization that does not fit) raise BadModel with one line; semantic limits (ops, types)
are checks.py's job.
"""
from __future__ import annotations

import re
import struct
from pathlib import Path

import flatbuffers
import numpy as np
import tflite
from tflite.BuiltinOptions import BuiltinOptions
from tflite.utils import BUILTIN_OPCODE2NAME

from mcusim.compiler.errors import BadModel
from mcusim.compiler.ir import Graph, Node, Tensor

_DTYPES = {v: k.lower() for k, v in vars(tflite.TensorType).items() if not k.startswith("_")}
_NP = {"float32": np.float32, "float16": np.float16, "float64": np.float64, "int8": np.int8,
       "uint8": np.uint8, "int16": np.int16, "uint16": np.uint16, "int32": np.int32,
       "uint32": np.uint32, "int64": np.int64, "uint64": np.uint64, "bool": np.bool_}
_OPTION_CLASSES = {v: k for k, v in vars(BuiltinOptions).items() if not k.startswith("_")}
_PADDING = {0: "SAME", 1: "VALID"}
_ACTIVATION = {v: k for k, v in vars(tflite.ActivationFunctionType).items()
               if not k.startswith("_")}
_SKIP_METHODS = re.compile(r"(AsNumpy|Length|IsNone|BufferHasIdentifier)$|^(Init|GetRootAs)")


def _builtin_code(oc) -> int:
    """OperatorCode.builtin_code as stored (field 3, vtable offset 10). The `tflite` package's
    BuiltinCode() returns the deprecated field for any code below 127, so a model that fills
    only the new field (ai-edge-quantizer's output, other converters) read as all ADD (0)."""
    o = oc._tab.Offset(10)
    return oc._tab.Get(flatbuffers.number_types.Int32Flags, o + oc._tab.Pos) if o else 0


def load(path: str | Path) -> Graph:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise BadModel(f"{p}: {e.strerror}") from None
    return parse(data, name=p.name)


def parse(data: bytes, name: str = "model") -> Graph:
    if len(data) < 8:
        raise BadModel(f"{name}: not a TFLite flatbuffer ({len(data)} bytes)")
    if data[4:8] != b"TFL3":
        raise BadModel(f"{name}: not a TFLite model (file identifier {bytes(data[4:8])!r}, "
                       f"expected b'TFL3')")
    root = struct.unpack_from("<I", data, 0)[0]
    if root + 4 > len(data):
        raise BadModel(f"{name}: truncated flatbuffer (root table at {root}, file has "
                       f"{len(data)} bytes)")
    try:
        return _Importer(data, name).graph()
    except BadModel:
        raise
    except struct.error:
        raise BadModel(f"{name}: truncated or corrupt flatbuffer: an offset points past the end "
                       f"of the {len(data):,}-byte file") from None
    except ( IndexError, ValueError, TypeError, OverflowError, UnicodeDecodeError,
            MemoryError, AttributeError) as e:
        # The schema reader follows offsets blindly: a corrupt or truncated file shows up here.
        raise BadModel(f"{name}: corrupt or truncated flatbuffer ({type(e).__name__}: {e})") \
            from None


class _Importer:
    def __init__(self, data: bytes, name: str):
        self.data = data
        self.name = name
        self.model = tflite.Model.GetRootAs(data, 0)

    def fail(self, msg: str) -> BadModel:
        return BadModel(f"{self.name}: {msg}")

    def graph(self) -> Graph:
        m = self.model
        if m.SubgraphsLength() < 1:
            raise self.fail("model has no subgraph")
        sg = m.Subgraphs(0)
        ntens = sg.TensorsLength()
        tensors = [self.tensor(sg.Tensors(i), i) for i in range(ntens)]
        opcodes = [self.opcode(m.OperatorCodes(i)) for i in range(m.OperatorCodesLength())]
        nodes = []
        for i in range(sg.OperatorsLength()):
            op = sg.Operators(i)
            k = op.OpcodeIndex()
            if k >= len(opcodes):
                raise self.fail(f"node {i}: operator code index {k} out of range "
                                f"({len(opcodes)} codes)")
            ins = [int(x) for x in (op.InputsAsNumpy() if op.InputsLength() else [])]
            outs = [int(x) for x in (op.OutputsAsNumpy() if op.OutputsLength() else [])]
            for role, lst in (("input", ins), ("output", outs)):
                for t in lst:
                    if t >= ntens or t < -1 or (t == -1 and role == "output"):
                        raise self.fail(f"node {i} ({opcodes[k]}): {role} tensor index {t} out "
                                        f"of range ({ntens} tensors)")
            nodes.append(Node(index=i, op=opcodes[k], inputs=ins, outputs=outs,
                              options=self.options(op)))
        g_in = [int(x) for x in (sg.InputsAsNumpy() if sg.InputsLength() else [])]
        g_out = [int(x) for x in (sg.OutputsAsNumpy() if sg.OutputsLength() else [])]
        for role, lst in (("input", g_in), ("output", g_out)):
            for t in lst:
                if not 0 <= t < ntens:
                    raise self.fail(f"model {role} tensor index {t} out of range "
                                    f"({ntens} tensors)")
        if not g_in or not g_out:
            raise self.fail("model declares no inputs or no outputs")
        return Graph(tensors=tensors, nodes=nodes, inputs=g_in, outputs=g_out, name=self.name)

    def opcode(self, oc) -> str:
        # Newer files use BuiltinCode; older ones only the deprecated int8 field (max 127).
        # TFLite's GetBuiltinCode takes the max of the two (the deprecated one signed); a code no
        # table knows is named by its unsigned value (the deprecated field is one byte).
        builtin, deprecated = _builtin_code(oc), oc.DeprecatedBuiltinCode()
        code = max(builtin, deprecated)
        if code == tflite.BuiltinOperator.CUSTOM:
            custom = oc.CustomCode()
            return "CUSTOM:" + (custom.decode("utf-8", "replace") if custom else "?")
        if code in BUILTIN_OPCODE2NAME:
            return BUILTIN_OPCODE2NAME[code]
        unsigned = code & 0xFF if code == deprecated and code < 0 else code & 0xFFFFFFFF
        return f"BUILTIN_{unsigned}"

    def tensor(self, t, index: int) -> Tensor:
        name = (t.Name() or b"").decode("utf-8", "replace")
        type_code = t.Type()
        dtype = _DTYPES.get(type_code, f"type{type_code}")
        shape = tuple(int(d) for d in t.ShapeAsNumpy()) if t.ShapeLength() else ()
        if any(d < 0 for d in shape):
            raise self.fail(f"tensor {index} ({name}): dynamic shape {list(shape)} is not "
                            f"supported")
        tensor = Tensor(index=index, name=name, shape=shape, dtype=dtype)
        self.quantization(t, tensor)
        tensor.data = self.constant(t, tensor)
        return tensor

    def quantization(self, t, tensor: Tensor) -> None:
        q = t.Quantization()
        if q is None or q.ScaleLength() == 0:
            return
        scale = q.ScaleAsNumpy().astype(np.float32)
        zp = (q.ZeroPointAsNumpy().astype(np.int64) if q.ZeroPointLength()
              else np.zeros(len(scale), np.int64))
        dim = q.QuantizedDimension()
        where = f"tensor {tensor.index} ({tensor.name})"
        if len(zp) != len(scale):
            raise self.fail(f"{where}: {len(scale)} scales but {len(zp)} zero points")
        rank = len(tensor.shape)
        if rank == 1 and not 0 <= dim < rank:
            # person_detect.tflite carries quantized_dimension=3 on 1-D bias tensors; TFLM
            # never reads it there, so the only dimension a 1-D tensor has is meant.
            dim = 0
        if len(scale) > 1:
            if not 0 <= dim < rank:
                raise self.fail(f"{where}: quantized_dimension {dim} outside shape "
                                f"{list(tensor.shape)}")
            if tensor.shape[dim] != len(scale):
                raise self.fail(f"{where}: {len(scale)} per-channel scales for dimension {dim} "
                                f"of size {tensor.shape[dim]}")
        if not np.all(np.isfinite(scale)) or np.any(scale <= 0):
            bad = scale[~(np.isfinite(scale) & (scale > 0))]
            raise self.fail(f"{where}: quantization scale {float(bad[0])!r} must be finite and "
                            f"> 0")
        tensor.scale, tensor.zero_point, tensor.quantized_dimension = scale, zp, dim

    def constant(self, t, tensor: Tensor) -> np.ndarray | None:
        b = t.Buffer()
        nbuf = self.model.BuffersLength()
        if b >= nbuf:
            raise self.fail(f"tensor {tensor.index} ({tensor.name}): buffer index {b} out of "
                            f"range ({nbuf} buffers)")
        if b == 0:
            return None
        buf = self.model.Buffers(b)
        if buf.DataLength():
            raw = buf.DataAsNumpy().tobytes()
        elif buf.Offset() > 1:   # data appended after the flatbuffer (large models)
            off, size = buf.Offset(), buf.Size()
            if off + size > len(self.data):
                raise self.fail(f"tensor {tensor.index} ({tensor.name}): buffer {b} lies past "
                                f"the end of the file")
            raw = self.data[off:off + size]
        else:
            return None
        np_type = _NP.get(tensor.dtype)
        if np_type is None:
            return np.frombuffer(raw, np.uint8).copy()   # checks.py refuses the type by name
        need = tensor.nbytes
        if len(raw) < need:
            raise self.fail(f"tensor {tensor.index} ({tensor.name}): buffer {b} holds "
                            f"{len(raw)} bytes, tensor {list(tensor.shape)} {tensor.dtype} "
                            f"needs {need}")
        return np.frombuffer(raw[:need], np_type).reshape(tensor.shape).copy()

    def options(self, op) -> dict:
        kind = op.BuiltinOptionsType()
        table = op.BuiltinOptions()
        cls_name = _OPTION_CLASSES.get(kind)
        if not kind or table is None or cls_name is None or not hasattr(tflite, cls_name):
            return {}
        obj = getattr(tflite, cls_name)()
        obj.Init(table.Bytes, table.Pos)
        out = {}
        for attr in dir(obj):
            if attr.startswith("_") or _SKIP_METHODS.search(attr):
                continue
            fn = getattr(obj, attr)
            if not callable(fn):
                continue
            try:
                value = fn()
            except TypeError:   # vector element accessors need an index; use AsNumpy
                arr = getattr(obj, attr + "AsNumpy", None)
                value = arr().tolist() if arr and getattr(obj, attr + "Length")() else []
            key = re.sub(r"(?<!^)(?=[A-Z])", "_", attr).lower()
            if key == "padding":
                value = _PADDING.get(value, value)
            elif key == "fused_activation_function":
                value = _ACTIVATION.get(value, value)
            out[key] = value
        return out
