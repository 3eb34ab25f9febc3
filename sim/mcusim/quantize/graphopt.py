"""Float-graph optimizations a converter does before quantization, on LiteRT's flatbuffer object
model (`ai_edge_litert.schema_py_generated`, part of the quantize extra).

In order, each only where the float graph allows it exactly:
1. constant folding of shape arithmetic and constants: SHAPE (the stored shape, batch 1),
   STRIDED_SLICE (1-D), PACK, CONCATENATION, GATHER, ADD/SUB/MUL, RESHAPE/SQUEEZE/
   EXPAND_DIMS/CAST of constants,
   DEQUANTIZE of a float16 constant: the result becomes a constant;
2. identity ops go: RESHAPE/SQUEEZE/EXPAND_DIMS whose output shape equals its input's;
3. batch-norm folding: a MUL by a per-output-channel constant after CONV_2D,
   DEPTHWISE_CONV_2D or FULLY_CONNECTED scales the filter and bias, an ADD of one is added to
   the bias (what a Keras BatchNormalization becomes when the converter did not fold it);
4. layout folding: TRANSPOSE -> RESHAPE to [1, N] -> FULLY_CONNECTED (how onnx2tf keeps an
   NCHW Flatten in an NHWC graph) becomes RESHAPE -> FULLY_CONNECTED with the filter's
   columns permuted, so no TRANSPOSE kernel is needed;
5. activation fusion: RELU, RELU6, RELU_N1_TO_1 after an op with a fused-activation option
   becomes that option, so the activation costs nothing and quantizes with its producer;
6. tensors and buffers nothing uses any more are dropped.
A fold applies only when the intermediate tensor has no other reader and is not a model output.
"""
from __future__ import annotations

import numpy as np

from mcusim.quantize.extras import need

_CONV = {"CONV_2D": 0, "DEPTHWISE_CONV_2D": 3, "FULLY_CONNECTED": 0}   # op -> out-channel axis
_FUSABLE = ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "ADD", "SUB", "MUL",
            "AVERAGE_POOL_2D", "MAX_POOL_2D", "CONCATENATION")
_ACT = {"RELU": 1, "RELU_N1_TO_1": 2, "RELU6": 3}
_SHAPE_OPS = ("RESHAPE", "SQUEEZE", "EXPAND_DIMS")


class _Graph:
    def __init__(self, model):
        self.S = need("ai_edge_litert.schema_py_generated", "quantize", "quantization")
        self.m = model
        self.sg = model.subgraphs[0]
        names = {v: k for k, v in vars(self.S.BuiltinOperator).items() if not k.startswith("_")}
        self.np_types = {self.S.TensorType.FLOAT32: np.float32, self.S.TensorType.FLOAT16:
                         np.float16, self.S.TensorType.INT32: np.int32,
                         self.S.TensorType.INT64: np.int64, self.S.TensorType.INT8: np.int8}
        self.opname = lambda op: names.get(self._code(op), "?")
        self.log: list[str] = []

    def _code(self, op) -> int:
        oc = self.m.operatorCodes[op.opcodeIndex]
        return max(int(oc.builtinCode), int(oc.deprecatedBuiltinCode))

    # --- tensors ---
    def t(self, i):
        return self.sg.tensors[i]

    def name(self, i) -> str:
        n = self.t(i).name
        return n.decode(errors="replace") if isinstance(n, bytes) else str(n)

    def const(self, i) -> np.ndarray | None:
        if i < 0:
            return None
        t = self.t(i)
        b = self.m.buffers[t.buffer] if 0 <= t.buffer < len(self.m.buffers) else None
        if b is None or b.data is None or len(b.data) == 0 or t.type not in self.np_types or \
                len(b.data) % np.dtype(self.np_types[t.type]).itemsize:
            return None
        arr = np.frombuffer(np.asarray(b.data, dtype=np.uint8).tobytes(),
                            dtype=self.np_types[t.type])
        shape = [int(d) for d in (t.shape if t.shape is not None else [])]
        return arr.reshape(shape) if int(np.prod(shape)) == arr.size else arr

    def set_const(self, i, arr: np.ndarray, dtype_code) -> None:
        buf = self.S.BufferT()
        buf.data = np.frombuffer(np.ascontiguousarray(arr).tobytes(), dtype=np.uint8)
        self.m.buffers.append(buf)
        t = self.t(i)
        t.buffer = len(self.m.buffers) - 1
        t.type = dtype_code
        t.shape = np.asarray(arr.shape, dtype=np.int32)
        t.shapeSignature = None

    def shape(self, i) -> list[int]:
        s = self.t(i).shape
        return [int(d) for d in s] if s is not None else []

    def readers(self, i) -> list:
        return [op for op in self.sg.operators if i in list(op.inputs)]

    def is_output(self, i) -> bool:
        return i in list(self.sg.outputs)

    def private(self, i) -> bool:
        """The tensor is read by exactly one op and is not a model output: safe to fold away."""
        return len(self.readers(i)) == 1 and not self.is_output(i)

    def replace_uses(self, old: int, new: int) -> None:
        for op in self.sg.operators:
            op.inputs = np.asarray([new if x == old else x for x in op.inputs], dtype=np.int32)

    def remove(self, op) -> None:
        self.sg.operators = [o for o in self.sg.operators if o is not op]

    def act(self, op) -> int | None:
        o = op.builtinOptions
        return getattr(o, "fusedActivationFunction", None) if o is not None else None


def optimize(model) -> list[str]:
    """Rewrite `model` (a ModelT) in place; return one line per change."""
    g = _Graph(model)
    # folding huge weights may overflow: the NaN/Inf check of the result refuses it in one line
    with np.errstate(all="ignore"):
        _passes(g)
    return g.log


def _passes(g: _Graph) -> None:
    _fold_constants(g)
    _drop_identities(g)
    _fold_batchnorm(g)
    _fold_transpose_flatten(g)
    _fuse_activations(g)
    _compact(g)


def _fold_constants(g: _Graph) -> None:
    """Until nothing changes: an op whose inputs are constant becomes a constant. SHAPE takes
    the stored shape (batch 1, what the firmware runs) even under a dynamic batch signature,
    so a Flatten's SHAPE -> STRIDED_SLICE -> PACK -> RESHAPE chain folds away."""
    changed = True
    while changed:
        changed = False
        for op in list(g.sg.operators):
            outs = [int(o) for o in op.outputs]
            if len(outs) != 1 or g.is_output(outs[0]) or g.t(outs[0]).type not in g.np_types:
                continue
            arr = _evaluate(g, op, g.opname(op), [int(i) for i in op.inputs], outs[0])
            if arr is None:
                continue
            out = outs[0]
            g.set_const(out, arr.astype(g.np_types[g.t(out).type]), g.t(out).type)
            g.remove(op)
            g.log.append(f"constant folding: {g.opname(op)} -> constant {g.name(out)}")
            changed = True


def _evaluate(g: _Graph, op, name: str, ins: list[int], out: int) -> np.ndarray | None:
    """The op's value when its inputs are constant (for the ops shape arithmetic uses)."""
    if name == "SHAPE":
        return np.asarray(g.shape(ins[0])) if ins and ins[0] >= 0 and g.shape(ins[0]) else None
    vals = [g.const(i) for i in ins if i >= 0]
    if not vals or any(v is None for v in vals):
        return None
    o = op.builtinOptions
    if name == "DEQUANTIZE" and g.t(ins[0]).type == g.S.TensorType.FLOAT16:
        return vals[0].astype(np.float32)
    if name in _SHAPE_OPS + ("CAST",) and -1 not in g.shape(out) and \
            vals[0].size == int(np.prod(g.shape(out))):
        return vals[0].reshape(g.shape(out))
    if name == "PACK" and o is not None and len({v.shape for v in vals}) == 1 and \
            -len(vals[0].shape) - 1 <= o.axis <= len(vals[0].shape):
        return np.stack(vals, axis=o.axis)
    if name == "CONCATENATION" and o is not None and vals[0].ndim >= 1 and \
            not o.fusedActivationFunction:
        try:
            return np.concatenate(vals, axis=o.axis)
        except ValueError:      # numpy.AxisError is one too
            return None
    if name == "GATHER" and o is not None and len(vals) == 2 and vals[1].dtype.kind == "i" and \
            -vals[0].ndim <= o.axis < max(vals[0].ndim, 1) and \
            np.all((vals[1] >= -vals[0].shape[o.axis]) & (vals[1] < vals[0].shape[o.axis])):
        return np.take(vals[0], vals[1], axis=o.axis)
    if name in ("ADD", "SUB", "MUL") and len(vals) == 2 and \
            (o is None or not getattr(o, "fusedActivationFunction", 0)):
        try:
            np.broadcast_shapes(vals[0].shape, vals[1].shape)
        except ValueError:
            return None
        fn = {"ADD": np.add, "SUB": np.subtract, "MUL": np.multiply}[name]
        return fn(vals[0], vals[1])
    if name == "STRIDED_SLICE" and o is not None and len(vals) == 4 and vals[0].ndim == 1 and \
            not o.ellipsisMask and not o.newAxisMask and all(v.size == 1 for v in vals[1:]):
        b, e, st = (int(v.reshape(-1)[0]) for v in vals[1:])
        if st == 0:
            return None
        if o.shrinkAxisMask & 1:
            return np.asarray(vals[0][b]) if -vals[0].size <= b < vals[0].size else None
        return vals[0][None if o.beginMask & 1 else b:None if o.endMask & 1 else e:st]
    return None


def _drop_identities(g: _Graph) -> None:
    for op in list(g.sg.operators):
        name = g.opname(op)
        if name not in _SHAPE_OPS:
            continue
        src, out = int(op.inputs[0]), int(op.outputs[0])
        if g.shape(src) != g.shape(out) or g.is_output(out) or g.const(src) is not None:
            continue
        g.replace_uses(out, src)
        g.remove(op)
        g.log.append(f"identity dropped: {name} {g.name(out)} (shape {g.shape(out)} unchanged)")


def _channel_vector(g: _Graph, i: int, channels: int) -> np.ndarray | None:
    """A constant that broadcasts along the last (channel) axis only: [C], [1,..,1,C] or [1]."""
    c = g.const(i)
    if c is None or c.dtype != np.float32:
        return None
    if c.size == 1:
        return np.full(channels, float(c.reshape(-1)[0]), dtype=np.float32)
    if c.size == channels and all(d == 1 for d in c.shape[:-1]) and c.shape[-1] == channels:
        return c.reshape(-1).astype(np.float32)
    return None


def _fold_batchnorm(g: _Graph) -> None:
    changed = True
    while changed:
        changed = False
        for op in list(g.sg.operators):
            kind = g.opname(op)
            if kind not in _CONV or g.act(op) not in (0, None) or len(op.inputs) < 2:
                continue
            out = int(op.outputs[0])
            if not g.private(out):
                continue
            nxt = g.readers(out)[0]
            nk = g.opname(nxt)
            if nk not in ("MUL", "ADD") or len(nxt.inputs) != 2:
                continue
            other = [int(x) for x in nxt.inputs if int(x) != out]
            if len(other) != 1:
                continue
            w = g.const(int(op.inputs[1]))
            if w is None or w.dtype != np.float32:
                continue
            axis = _CONV[kind]
            channels = w.shape[axis]
            vec = _channel_vector(g, other[0], channels)
            if vec is None or g.shape(int(nxt.outputs[0])) != g.shape(out):
                continue
            bias_i = int(op.inputs[2]) if len(op.inputs) > 2 else -1
            bias = g.const(bias_i) if bias_i >= 0 else None
            if bias_i >= 0 and bias is None:
                continue
            if nk == "MUL":
                shape = [1] * w.ndim
                shape[axis] = channels
                g.set_const(int(op.inputs[1]), (w * vec.reshape(shape)).astype(np.float32),
                            g.S.TensorType.FLOAT32)
                if bias is not None:
                    g.set_const(bias_i, (bias * vec).astype(np.float32), g.S.TensorType.FLOAT32)
            else:
                new_bias = (bias if bias is not None else 0) + vec
                if bias_i < 0:
                    bias_i = _new_tensor(g, f"{g.name(out)}/folded_bias")
                    op.inputs = np.asarray(list(op.inputs[:2]) + [bias_i], dtype=np.int32)
                g.set_const(bias_i, np.asarray(new_bias, dtype=np.float32),
                            g.S.TensorType.FLOAT32)
            # the conv now writes the MUL/ADD's output and takes over its activation
            op.outputs = np.asarray([int(nxt.outputs[0])], dtype=np.int32)
            if g.act(nxt):
                op.builtinOptions.fusedActivationFunction = g.act(nxt)
            g.remove(nxt)
            g.log.append(f"batch-norm folding: {nk} by {g.name(other[0])} folded into "
                         f"{kind} {g.name(int(op.outputs[0]))}")
            changed = True
            break


def _new_tensor(g: _Graph, name: str) -> int:
    t = g.S.TensorT()
    t.name = name.encode()
    t.type = g.S.TensorType.FLOAT32
    t.shape = np.asarray([0], dtype=np.int32)
    t.buffer = 0
    g.sg.tensors.append(t)
    return len(g.sg.tensors) - 1


def _fold_transpose_flatten(g: _Graph) -> None:
    for op in list(g.sg.operators):
        if g.opname(op) != "TRANSPOSE" or len(op.inputs) != 2:
            continue
        src, out = int(op.inputs[0]), int(op.outputs[0])
        perm = g.const(int(op.inputs[1]))
        if perm is None or not g.private(out):
            continue
        rs = g.readers(out)[0]
        if g.opname(rs) not in _SHAPE_OPS or int(rs.inputs[0]) != out:
            continue
        flat = int(rs.outputs[0])
        shape = g.shape(src)
        n = int(np.prod(shape)) if shape else 0
        if not g.private(flat) or g.shape(flat) not in ([1, n], [n]) or -1 in shape:
            continue
        fc = g.readers(flat)[0]
        w = g.const(int(fc.inputs[1])) if g.opname(fc) == "FULLY_CONNECTED" else None
        if w is None or w.dtype != np.float32 or w.ndim != 2 or w.shape[1] != n or \
                int(fc.inputs[0]) != flat:
            continue
        # flat(transpose(x))[k] = flat(x)[src_of[k]]: the filter column k moves to src_of[k]
        src_of = np.arange(n).reshape(shape).transpose([int(p) for p in perm]).reshape(-1)
        w2 = np.empty_like(w)
        w2[:, src_of] = w
        g.set_const(int(fc.inputs[1]), w2, g.S.TensorType.FLOAT32)
        rs.inputs = np.asarray([src] + [int(x) for x in rs.inputs[1:]], dtype=np.int32)
        # another element order than the float tensor of that name: not the same tensor
        g.t(flat).name = (g.name(flat) + "/untransposed").encode()
        g.remove(op)
        g.log.append(f"layout folding: TRANSPOSE {list(map(int, perm))} before the flatten "
                     f"folded into FULLY_CONNECTED {g.name(int(fc.outputs[0]))}'s filter")


def _fuse_activations(g: _Graph) -> None:
    for op in list(g.sg.operators):
        name = g.opname(op)
        if name not in _ACT:
            continue
        src = int(op.inputs[0])
        producer = [p for p in g.sg.operators if src in list(p.outputs)]
        if len(producer) != 1 or not g.private(src):
            continue
        p = producer[0]
        if g.opname(p) not in _FUSABLE or g.act(p) != 0 or len(p.outputs) != 1:
            continue
        p.builtinOptions.fusedActivationFunction = _ACT[name]
        p.outputs = np.asarray([int(op.outputs[0])], dtype=np.int32)
        g.remove(op)
        g.log.append(f"activation fusion: {name} fused into {g.opname(p)} "
                     f"{g.name(int(p.outputs[0]))}")


def _compact(g: _Graph) -> None:
    """Drop tensors no op or model input/output uses, then buffers no tensor uses, so folded
    weights leave no dead bytes in the file."""
    used = set(int(x) for x in g.sg.inputs) | set(int(x) for x in g.sg.outputs)
    for op in g.sg.operators:
        used |= {int(x) for x in op.inputs if int(x) >= 0}
        used |= {int(x) for x in op.outputs if int(x) >= 0}
        used |= {int(x) for x in (op.intermediates if op.intermediates is not None else [])}
    if len(used) == len(g.sg.tensors) and not g.log:
        return
    order = sorted(used)
    remap = {old: new for new, old in enumerate(order)}
    g.sg.tensors = [g.sg.tensors[i] for i in order]

    def re(xs):
        return np.asarray([remap[int(x)] if int(x) >= 0 else -1 for x in xs], dtype=np.int32)
    for op in g.sg.operators:
        op.inputs, op.outputs = re(op.inputs), re(op.outputs)
        if op.intermediates is not None and len(op.intermediates):
            op.intermediates = re(op.intermediates)
    g.sg.inputs, g.sg.outputs = re(g.sg.inputs), re(g.sg.outputs)
    # buffers: keep 0 (the empty sentinel) and those a tensor of any subgraph uses
    keep = {0} | {t.buffer for sg in g.m.subgraphs for t in sg.tensors}
    if g.m.metadata:
        keep |= {md.buffer for md in g.m.metadata}
    if len(g.m.subgraphs) > 1 or g.m.signatureDefs:
        return      # other subgraphs or signatures index buffers/tensors too: leave them
    border = sorted(b for b in keep if b < len(g.m.buffers))
    bmap = {old: new for new, old in enumerate(border)}
    g.m.buffers = [g.m.buffers[i] for i in border]
    for t in g.sg.tensors:
        t.buffer = bmap.get(t.buffer, 0)
    if g.m.metadata:
        for md in g.m.metadata:
            md.buffer = bmap.get(md.buffer, 0)
