"""Build small int8 TFLite models with the `tflite` schema package's flatbuffer builder.

Shared test infrastructure: the kernel tests build one-operator models with it and check the
firmware against TFLM; the compiler tests build small graphs. Two layers:

    mb = ModelBuilder()
    x = mb.tensor([1, 8, 8, 3], scale=0.05, zero_point=-3)                 # activation
    w = mb.tensor([4, 3, 3, 3], scale=[...], zero_point=[0]*4, data=arr)   # constant, per-channel
    y = mb.tensor([1, 8, 8, 4], scale=0.1, zero_point=5)
    mb.op("CONV_2D", [x, w, -1], [y], {"padding": "SAME", "stride_w": 1, ...})
    data = mb.build(inputs=[x], outputs=[y])                               # .tflite bytes

and `single_op(...)` helpers per operator with random but well-conditioned weights and
quantization (fixed by a numpy Generator), returning (bytes, Spec).

Option names are TFLite's in snake_case; enum options take their names ("SAME", "RELU6").
"""
from __future__ import annotations

from dataclasses import dataclass, field

import flatbuffers
import numpy as np
import tflite

TENSOR_TYPES = {"float32": 0, "int32": 2, "uint8": 3, "int64": 4, "int16": 7, "int8": 9}

# builtin -> (options table name, BuiltinOptions union member); None: no options table
OPTIONS = {
    "ADD": "AddOptions", "AVERAGE_POOL_2D": "Pool2DOptions", "CONCATENATION": "ConcatenationOptions",
    "CONV_2D": "Conv2DOptions", "DEPTHWISE_CONV_2D": "DepthwiseConv2DOptions",
    "DEQUANTIZE": "DequantizeOptions", "FULLY_CONNECTED": "FullyConnectedOptions",
    "LOGISTIC": None, "MAX_POOL_2D": "Pool2DOptions", "MEAN": "ReducerOptions",
    "MUL": "MulOptions", "PAD": "PadOptions", "PADV2": "PadV2Options",
    "QUANTIZE": "QuantizeOptions", "RELU": None, "RELU6": None, "RESHAPE": "ReshapeOptions",
    "SOFTMAX": "SoftmaxOptions", "TANH": None, "SQUEEZE": "SqueezeOptions",
}
ENUMS = {"padding": tflite.Padding, "fused_activation_function": tflite.ActivationFunctionType,
         "weights_format": tflite.FullyConnectedOptionsWeightsFormat}


def _camel(snake: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in snake.split("_"))


@dataclass
class _T:
    shape: list[int]
    dtype: str
    scale: list[float] | None
    zero_point: list[int] | None
    qdim: int
    buffer: int
    name: str


class ModelBuilder:
    def __init__(self, description: str = "mcusim modelgen"):
        self.tensors: list[_T] = []
        self.buffers: list[bytes | None] = [None]     # buffer 0: the empty sentinel
        self.ops: list[tuple[str, list[int], list[int], dict]] = []
        self.description = description

    def tensor(self, shape, dtype: str = "int8", scale=None, zero_point=None,
               quantized_dimension: int = 0, data=None, name: str | None = None) -> int:
        """Add a tensor; `data` makes it a constant. Returns its index."""
        buf = 0
        if data is not None:
            arr = np.ascontiguousarray(np.asarray(data, dtype=np.dtype(dtype)).reshape(shape))
            self.buffers.append(arr.tobytes())
            buf = len(self.buffers) - 1
        if scale is not None:
            scale = [float(s) for s in np.atleast_1d(scale)]
            zp = zero_point if zero_point is not None else [0] * len(scale)
            zero_point = [int(z) for z in np.atleast_1d(zp)]
        self.tensors.append(_T([int(d) for d in shape], dtype, scale, zero_point,
                               int(quantized_dimension), buf, name or f"t{len(self.tensors)}"))
        return len(self.tensors) - 1

    def op(self, name: str, inputs, outputs, options: dict | None = None) -> None:
        self.ops.append((name, list(inputs), list(outputs), dict(options or {})))

    # ------------------------------------------------------------------ serialisation
    def _options(self, b, opname: str, options: dict):
        table = OPTIONS.get(opname)
        if table is None:
            return 0, 0
        vec_offsets = {}
        for k, v in options.items():   # vectors first: they cannot be built inside a table
            if isinstance(v, (list, tuple)):
                getattr(tflite, f"{table}Start{_camel(k)}Vector")(b, len(v))
                for x in reversed(v):
                    b.PrependInt32(int(x))
                vec_offsets[k] = b.EndVector()
        getattr(tflite, f"{table}Start")(b)
        for k, v in options.items():
            add = getattr(tflite, f"{table}Add{_camel(k)}")
            if k in vec_offsets:
                add(b, vec_offsets[k])
            elif k in ENUMS:
                add(b, getattr(ENUMS[k], str(v).upper()))
            else:
                add(b, v)
        off = getattr(tflite, f"{table}End")(b)
        return getattr(tflite.BuiltinOptions, table), off

    def build(self, inputs, outputs) -> bytes:
        b = flatbuffers.Builder(1024)
        codes = []
        for name, *_ in self.ops:
            if name not in codes:
                codes.append(name)

        def ivec(start, vals, prepend="PrependInt32"):
            start(b, len(vals))
            for x in reversed(vals):
                getattr(b, prepend)(x)
            return b.EndVector()

        # buffers
        buf_offs = []
        for data in self.buffers:
            dv = b.CreateByteVector(data) if data else None
            tflite.BufferStart(b)
            if dv is not None:
                tflite.BufferAddData(b, dv)
            buf_offs.append(tflite.BufferEnd(b))
        # tensors
        ten_offs = []
        for t in self.tensors:
            name = b.CreateString(t.name)
            shape = ivec(tflite.TensorStartShapeVector, t.shape)
            q = None
            if t.scale is not None:
                sv = ivec(tflite.QuantizationParametersStartScaleVector, t.scale, "PrependFloat32")
                zv = ivec(tflite.QuantizationParametersStartZeroPointVector, t.zero_point,
                          "PrependInt64")
                tflite.QuantizationParametersStart(b)
                tflite.QuantizationParametersAddScale(b, sv)
                tflite.QuantizationParametersAddZeroPoint(b, zv)
                tflite.QuantizationParametersAddQuantizedDimension(b, t.qdim)
                q = tflite.QuantizationParametersEnd(b)
            tflite.TensorStart(b)
            tflite.TensorAddShape(b, shape)
            tflite.TensorAddType(b, TENSOR_TYPES[t.dtype])
            tflite.TensorAddBuffer(b, t.buffer)
            tflite.TensorAddName(b, name)
            if q is not None:
                tflite.TensorAddQuantization(b, q)
            ten_offs.append(tflite.TensorEnd(b))
        # operators
        op_offs = []
        for name, ins, outs, options in self.ops:
            otype, ooff = self._options(b, name, options)
            iv = ivec(tflite.OperatorStartInputsVector, ins)
            ov = ivec(tflite.OperatorStartOutputsVector, outs)
            tflite.OperatorStart(b)
            tflite.OperatorAddOpcodeIndex(b, codes.index(name))
            tflite.OperatorAddInputs(b, iv)
            tflite.OperatorAddOutputs(b, ov)
            if otype:
                tflite.OperatorAddBuiltinOptionsType(b, otype)
                tflite.OperatorAddBuiltinOptions(b, ooff)
            op_offs.append(tflite.OperatorEnd(b))
        tv = self._offvec(b, tflite.SubGraphStartTensorsVector, ten_offs)
        inv = ivec(tflite.SubGraphStartInputsVector, list(inputs))
        outv = ivec(tflite.SubGraphStartOutputsVector, list(outputs))
        opv = self._offvec(b, tflite.SubGraphStartOperatorsVector, op_offs)
        sgname = b.CreateString("main")
        tflite.SubGraphStart(b)
        tflite.SubGraphAddTensors(b, tv)
        tflite.SubGraphAddInputs(b, inv)
        tflite.SubGraphAddOutputs(b, outv)
        tflite.SubGraphAddOperators(b, opv)
        tflite.SubGraphAddName(b, sgname)
        sg = tflite.SubGraphEnd(b)
        code_offs = []
        for name in codes:
            code = getattr(tflite.BuiltinOperator, name)
            tflite.OperatorCodeStart(b)
            tflite.OperatorCodeAddDeprecatedBuiltinCode(b, min(code, 127))
            tflite.OperatorCodeAddBuiltinCode(b, code)
            tflite.OperatorCodeAddVersion(b, 1)
            code_offs.append(tflite.OperatorCodeEnd(b))
        cv = self._offvec(b, tflite.ModelStartOperatorCodesVector, code_offs)
        sgv = self._offvec(b, tflite.ModelStartSubgraphsVector, [sg])
        bv = self._offvec(b, tflite.ModelStartBuffersVector, buf_offs)
        desc = b.CreateString(self.description)
        tflite.ModelStart(b)
        tflite.ModelAddVersion(b, 3)
        tflite.ModelAddOperatorCodes(b, cv)
        tflite.ModelAddSubgraphs(b, sgv)
        tflite.ModelAddDescription(b, desc)
        tflite.ModelAddBuffers(b, bv)
        b.Finish(tflite.ModelEnd(b), file_identifier=b"TFL3")
        return bytes(b.Output())

    @staticmethod
    def _offvec(b, start, offs):
        start(b, len(offs))
        for o in reversed(offs):
            b.PrependUOffsetTRelative(o)
        return b.EndVector()


# ---------------------------------------------------------------------- one-operator models
@dataclass
class Spec:
    """What a one-op model holds: its inputs/outputs (tensor indices) and the builder."""
    op: str
    inputs: list[int]
    outputs: list[int]
    builder: ModelBuilder
    options: dict = field(default_factory=dict)


def out_size(padding: str, n: int, k: int, stride: int, dilation: int = 1) -> int:
    eff = (k - 1) * dilation + 1
    return (n + stride - 1) // stride if padding == "SAME" else (n + stride - eff) // stride


def _qin(rng) -> tuple[float, int]:
    return float(rng.uniform(0.01, 0.08)), int(rng.integers(-20, 21))


def _weights(rng, shape, channels: int, per_channel: bool, qdim: int):
    w = rng.integers(-127, 128, size=shape).astype(np.int8)
    if per_channel:
        scales = rng.uniform(0.002, 0.02, size=channels)
    else:
        scales = np.array([rng.uniform(0.002, 0.02)])
    return w, scales.astype(np.float32), qdim


def _out_q(rng, in_scale, w_scale, k: int) -> tuple[float, int]:
    # int8 x int8 dot products of k terms have a spread of about 64 * 64 * sqrt(k)
    real_std = 40.0 * 70.0 * np.sqrt(k) * in_scale * float(np.mean(w_scale))
    return float(real_std * 3.0 / 127.0 * rng.uniform(0.8, 1.25)), int(rng.integers(-10, 11))


def conv_2d(rng, in_shape, out_ch, kernel=(3, 3), stride=(1, 1), dilation=(1, 1),
            padding="SAME", per_channel=True, activation="NONE", bias=True, groups=1,
            in_q=None, out_q=None):
    """CONV_2D; in_q/out_q = (scale, zero_point) override the random quantization."""
    n, h, w, c = in_shape
    kh, kw = kernel
    oh = out_size(padding, h, kh, stride[0], dilation[0])
    ow = out_size(padding, w, kw, stride[1], dilation[1])
    mb = ModelBuilder()
    s_in, z_in = in_q if in_q else _qin(rng)
    x = mb.tensor(in_shape, scale=s_in, zero_point=z_in, name="input")
    wdata, ws, _ = _weights(rng, (out_ch, kh, kw, c // groups), out_ch, per_channel, 0)
    wt = mb.tensor(wdata.shape, scale=ws, zero_point=[0] * len(ws), quantized_dimension=0,
                   data=wdata, name="filter")
    bt = -1
    if bias:
        bscale = (s_in * ws.astype(np.float64)).astype(np.float32)
        bt = mb.tensor([out_ch], "int32", scale=bscale if per_channel else bscale[:1],
                       zero_point=[0] * len(bscale), data=rng.integers(-3000, 3000, out_ch),
                       name="bias")
    s_out, z_out = out_q if out_q else _out_q(rng, s_in, ws, kh * kw * c // groups)
    y = mb.tensor([n, oh, ow, out_ch], scale=s_out, zero_point=z_out, name="output")
    opts = {"padding": padding, "stride_w": stride[1], "stride_h": stride[0],
            "dilation_w_factor": dilation[1], "dilation_h_factor": dilation[0],
            "fused_activation_function": activation}
    mb.op("CONV_2D", [x, wt, bt], [y], opts)
    return mb.build([x], [y]), Spec("CONV_2D", [x], [y], mb, opts)


def depthwise_conv_2d(rng, in_shape, multiplier=1, kernel=(3, 3), stride=(1, 1),
                      dilation=(1, 1), padding="SAME", per_channel=True, activation="NONE",
                      bias=True, in_q=None, out_q=None):
    n, h, w, c = in_shape
    kh, kw = kernel
    oc = c * multiplier
    oh = out_size(padding, h, kh, stride[0], dilation[0])
    ow = out_size(padding, w, kw, stride[1], dilation[1])
    mb = ModelBuilder()
    s_in, z_in = in_q if in_q else _qin(rng)
    x = mb.tensor(in_shape, scale=s_in, zero_point=z_in, name="input")
    wdata, ws, _ = _weights(rng, (1, kh, kw, oc), oc, per_channel, 3)
    wt = mb.tensor(wdata.shape, scale=ws, zero_point=[0] * len(ws), quantized_dimension=3,
                   data=wdata, name="filter")
    bt = -1
    if bias:
        bscale = (s_in * ws.astype(np.float64)).astype(np.float32)
        bt = mb.tensor([oc], "int32", scale=bscale, zero_point=[0] * len(bscale),
                       data=rng.integers(-3000, 3000, oc), name="bias")
    s_out, z_out = out_q if out_q else _out_q(rng, s_in, ws, kh * kw)
    y = mb.tensor([n, oh, ow, oc], scale=s_out, zero_point=z_out, name="output")
    opts = {"padding": padding, "stride_w": stride[1], "stride_h": stride[0],
            "depth_multiplier": multiplier, "dilation_w_factor": dilation[1],
            "dilation_h_factor": dilation[0], "fused_activation_function": activation}
    mb.op("DEPTHWISE_CONV_2D", [x, wt, bt], [y], opts)
    return mb.build([x], [y]), Spec("DEPTHWISE_CONV_2D", [x], [y], mb, opts)


def fully_connected(rng, in_shape, units, per_channel=False, activation="NONE", bias=True,
                    keep_num_dims=False, in_q=None, out_q=None):
    accum = int(in_shape[-1])
    batches = int(np.prod(in_shape[:-1]))
    mb = ModelBuilder()
    s_in, z_in = in_q if in_q else _qin(rng)
    x = mb.tensor(in_shape, scale=s_in, zero_point=z_in, name="input")
    wdata, ws, _ = _weights(rng, (units, accum), units, per_channel, 0)
    wt = mb.tensor(wdata.shape, scale=ws, zero_point=[0] * len(ws), data=wdata, name="weights")
    bt = -1
    if bias:
        bscale = (s_in * ws.astype(np.float64)).astype(np.float32)
        bt = mb.tensor([units], "int32", scale=bscale, zero_point=[0] * len(bscale),
                       data=rng.integers(-3000, 3000, units), name="bias")
    s_out, z_out = out_q if out_q else _out_q(rng, s_in, ws, accum)
    out_shape = list(in_shape[:-1]) + [units] if keep_num_dims else [batches, units]
    y = mb.tensor(out_shape, scale=s_out, zero_point=z_out, name="output")
    opts = {"fused_activation_function": activation, "keep_num_dims": keep_num_dims}
    mb.op("FULLY_CONNECTED", [x, wt, bt], [y], opts)
    return mb.build([x], [y]), Spec("FULLY_CONNECTED", [x], [y], mb, opts)


def pool_2d(rng, op, in_shape, filter=(2, 2), stride=(2, 2), padding="VALID",
            activation="NONE"):
    n, h, w, c = in_shape
    oh = out_size(padding, h, filter[0], stride[0])
    ow = out_size(padding, w, filter[1], stride[1])
    mb = ModelBuilder()
    s, z = _qin(rng)
    x = mb.tensor(in_shape, scale=s, zero_point=z, name="input")
    y = mb.tensor([n, oh, ow, c], scale=s, zero_point=z, name="output")
    opts = {"padding": padding, "stride_w": stride[1], "stride_h": stride[0],
            "filter_width": filter[1], "filter_height": filter[0],
            "fused_activation_function": activation}
    mb.op(op, [x], [y], opts)
    return mb.build([x], [y]), Spec(op, [x], [y], mb, opts)


def _bshape(a, b):
    ra, rb = list(a), list(b)
    r = max(len(ra), len(rb))
    ra, rb = [1] * (r - len(ra)) + ra, [1] * (r - len(rb)) + rb
    return [max(x, y) for x, y in zip(ra, rb)]


def binary(rng, op, shape1, shape2, activation="NONE", const_second=False, q1=None, q2=None,
           out_q=None):
    """ADD or MUL with TFLite broadcasting; the second input may be a constant."""
    mb = ModelBuilder()
    s1, z1 = q1 if q1 else _qin(rng)
    s2, z2 = q2 if q2 else _qin(rng)
    a = mb.tensor(shape1, scale=s1, zero_point=z1, name="a")
    data = rng.integers(-128, 128, size=shape2) if const_second else None
    bt = mb.tensor(shape2, scale=s2, zero_point=z2, data=data, name="b")
    if op == "ADD":
        so = (s1 + s2) * 128 / 127 * rng.uniform(0.9, 1.2)
    else:
        so = s1 * s2 * 128 * rng.uniform(0.5, 1.5)
    zo = int(rng.integers(-10, 11))
    if out_q:
        so, zo = out_q
    y = mb.tensor(_bshape(shape1, shape2), scale=so, zero_point=zo, name="output")
    opts = {"fused_activation_function": activation}
    mb.op(op, [a, bt], [y], opts)
    ins = [a] if const_second else [a, bt]
    return mb.build(ins, [y]), Spec(op, ins, [y], mb, opts)


def unary(rng, op, shape, in_scale=None, in_zp=None, out_scale=None, out_zp=None,
          options=None, in_dtype="int8", out_dtype="int8"):
    """One-input ops: SOFTMAX, LOGISTIC, TANH, RELU, RELU6, QUANTIZE, DEQUANTIZE, RESHAPE..."""
    mb = ModelBuilder()
    s, z = _qin(rng)
    s = s if in_scale is None else in_scale
    z = z if in_zp is None else in_zp
    x = mb.tensor(shape, in_dtype, scale=s if in_dtype != "float32" else None,
                  zero_point=z if in_dtype != "float32" else None, name="input")
    osc = s if out_scale is None else out_scale
    ozp = z if out_zp is None else out_zp
    y = mb.tensor(shape, out_dtype, scale=osc if out_dtype != "float32" else None,
                  zero_point=ozp if out_dtype != "float32" else None, name="output")
    mb.op(op, [x], [y], options or {})
    return mb.build([x], [y]), Spec(op, [x], [y], mb, options or {})


def pad(rng, shape, paddings, v2_value=None):
    mb = ModelBuilder()
    s, z = _qin(rng)
    x = mb.tensor(shape, scale=s, zero_point=z, name="input")
    p = mb.tensor([len(shape), 2], "int32", data=np.asarray(paddings, dtype=np.int32),
                  name="paddings")
    out = [d + a + b for d, (a, b) in zip(shape, paddings)]
    ins = [x, p]
    op = "PAD"
    if v2_value is not None:
        op = "PADV2"
        ins.append(mb.tensor([1], scale=s, zero_point=z, data=[v2_value], name="value"))
    y = mb.tensor(out, scale=s, zero_point=z, name="output")
    mb.op(op, ins, [y], {})
    return mb.build([x], [y]), Spec(op, [x], [y], mb)


def concatenation(rng, shapes, axis, activation="NONE"):
    mb = ModelBuilder()
    s, z = _qin(rng)
    xs = [mb.tensor(sh, scale=s, zero_point=z, name=f"in{i}") for i, sh in enumerate(shapes)]
    rank = len(shapes[0])
    ax = axis + rank if axis < 0 else axis
    out = list(shapes[0])
    out[ax] = sum(sh[ax] for sh in shapes)
    y = mb.tensor(out, scale=s, zero_point=z, name="output")
    opts = {"axis": axis, "fused_activation_function": activation}
    mb.op("CONCATENATION", xs, [y], opts)
    return mb.build(xs, [y]), Spec("CONCATENATION", xs, [y], mb, opts)


def mean(rng, shape, axes, keep_dims=True, same_quant=False):
    mb = ModelBuilder()
    s, z = _qin(rng)
    x = mb.tensor(shape, scale=s, zero_point=z, name="input")
    ax = mb.tensor([len(axes)], "int32", data=np.asarray(axes, dtype=np.int32), name="axis")
    rank = len(shape)
    norm = sorted(a + rank if a < 0 else a for a in axes)
    out = [1 if i in norm else d for i, d in enumerate(shape)] if keep_dims else \
        [d for i, d in enumerate(shape) if i not in norm]
    so, zo = (s, z) if same_quant else (s * rng.uniform(0.5, 1.5), int(rng.integers(-10, 11)))
    y = mb.tensor(out, scale=so, zero_point=zo, name="output")
    mb.op("MEAN", [x, ax], [y], {"keep_dims": keep_dims})
    return mb.build([x], [y]), Spec("MEAN", [x], [y], mb, {"keep_dims": keep_dims})


def weights_as_input(rng, op, in_shape, out_ch, per_channel=True):
    """FULLY_CONNECTED or 1x1 CONV_2D whose weights are a graph input, not a constant: the
    kernel then adds the input offset itself (nothing can be folded at build time)."""
    mb = ModelBuilder()
    s_in, z_in = _qin(rng)
    x = mb.tensor(in_shape, scale=s_in, zero_point=z_in, name="input")
    depth = int(in_shape[-1])
    ws = rng.uniform(0.002, 0.02, size=out_ch if per_channel else 1).astype(np.float32)
    if op == "FULLY_CONNECTED":
        w = mb.tensor([out_ch, depth], scale=ws, zero_point=[0] * len(ws), name="weights")
        out_shape = [int(np.prod(in_shape[:-1])), out_ch]
        opts = {}
    else:
        w = mb.tensor([out_ch, 1, 1, depth], scale=ws, zero_point=[0] * len(ws), name="filter")
        out_shape = list(in_shape[:-1]) + [out_ch]
        opts = {"padding": "VALID", "stride_w": 1, "stride_h": 1}
    bscale = (s_in * ws.astype(np.float64)).astype(np.float32)
    b = mb.tensor([out_ch], "int32", scale=bscale, zero_point=[0] * len(bscale),
                  data=rng.integers(-3000, 3000, out_ch), name="bias")
    s_out, z_out = _out_q(rng, s_in, ws, depth)
    y = mb.tensor(out_shape, scale=s_out, zero_point=z_out, name="output")
    mb.op(op, [x, w, b], [y], opts)
    return mb.build([x, w], [y]), Spec(op, [x, w], [y], mb, opts)
