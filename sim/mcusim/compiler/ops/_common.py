"""Helpers shared by the operator modules (option access, C literals, int arrays)."""
from __future__ import annotations

import numpy as np

from mcusim.compiler import quant


def opt(node, key, default=None):
    return node.options.get(key, default) if node.options else default


def act(node) -> str:
    return str(opt(node, "fused_activation_function", "NONE") or "NONE").upper()


def no_sign_term(p: dict) -> bool:
    """Whether the layer's activation minimum is at or above its output zero point (RELU,
    RELU6): the requantization's [acc < 0] rounding term can then move no output past the clamp,
    so kernels drop it (and may take prescaled records, which have no such term)."""
    return p["activation"][0] >= p["output_offset"]


def i32(values) -> np.ndarray:
    return np.asarray(values, dtype=np.int32)


def nelems(shape) -> int:
    n = 1
    for d in shape:
        n *= int(d)
    return n


def bad(node, msg: str) -> Exception:
    """A model that breaks an operator's rule (TFLM's Prepare would refuse it): one line that
    names the node, the operator, and (in `msg`) the tensor and the rule."""
    from mcusim.compiler.errors import BadModel
    return BadModel(f"{node.op}: node {node.index}: {msg}")


def tdesc(g, t: int) -> str:
    ten = g.t(t)
    return f"tensor {t} ({ten.dtype}{list(ten.shape)})"


def check_operands(node, g, inputs: tuple[int, int], outputs: int = 1,
                   required: int | None = None) -> None:
    """TFLM's NumInputs/NumOutputs: `inputs` is (min, max) (max -1: any); the first `required`
    inputs (default min) must be present (not -1)."""
    lo, hi = inputs
    n = len(node.inputs)
    if n < lo or (hi >= 0 and n > hi):
        want = f"{lo}" if lo == hi else f"{lo} or more" if hi < 0 else f"{lo} to {hi}"
        raise bad(node, f"has {n} input tensor(s), the operator takes {want}")
    if len(node.outputs) != outputs:
        raise bad(node, f"has {len(node.outputs)} output tensor(s), the operator writes {outputs}")
    for k in range(lo if required is None else required):
        if node.inputs[k] < 0:
            raise bad(node, f"input {k} is absent (-1) but required")


def check_rank(node, g, t: int, role: str, ranks) -> None:
    """Tensor `t` must have one of `ranks` (an int, or a range/tuple of allowed ranks)."""
    ranks = (ranks,) if isinstance(ranks, int) else tuple(ranks)
    r = len(g.t(t).shape)
    if r not in ranks:
        want = (f"{ranks[0]}-D" if len(ranks) == 1 else f"{ranks[0]}-D to {ranks[-1]}-D")
        raise bad(node, f"{role} {tdesc(g, t)} must be {want}")


def check_shape(node, g, t: int, expected, why: str, role: str = "output") -> None:
    """The declared shape of `t` must be the one the operator computes (TFLM's Prepare
    resizes or checks its output the same way): a mismatch would make the kernel read or write
    outside the buffers planned for the declared shape."""
    exp = [int(x) for x in expected]
    if list(g.t(t).shape) != exp:
        raise bad(node, f"{role} {tdesc(g, t)} does not match the computed shape {exp} "
                        f"({why})")


def check_same_size(node, g) -> None:
    """Elementwise one-input operators: as many output elements as input elements."""
    i, o = node.inputs[0], node.outputs[0]
    if nelems(g.t(i).shape) != nelems(g.t(o).shape):
        raise bad(node, f"output {tdesc(g, o)} and input {tdesc(g, i)} differ in element count")


def check_bias(node, g, channels: int) -> None:
    """An int32 bias of exactly `channels` values (or none)."""
    check_int32_bias(node.op, node, g)
    if len(node.inputs) > 2 and node.inputs[2] >= 0:
        b = node.inputs[2]
        if nelems(g.t(b).shape) != channels:
            raise bad(node, f"bias {tdesc(g, b)} has {nelems(g.t(b).shape)} values for "
                            f"{channels} output channels")


def check_window(node, keys=("stride_h", "stride_w")) -> None:
    """Strides, dilations, filter sizes: integers >= 1; padding SAME or VALID."""
    for k in keys:
        v = opt(node, k, 1)
        if not isinstance(v, int) or v < 1:
            raise bad(node, f"option {k} = {v} must be >= 1")
    pad = str(opt(node, "padding", "SAME")).upper()
    if pad not in ("SAME", "VALID"):
        raise bad(node, f"option padding = {pad} must be SAME or VALID")


def check_zero_filter_offset(node, g, t: int) -> None:
    """Per-channel int8 weights have zero point 0 (TFLM's rule; the conv kernels take none)."""
    zp = g.t(t).zero_point
    if zp is not None and np.any(np.asarray(zp) != 0):
        raise bad(node, f"filter {tdesc(g, t)} has a non-zero zero point "
                        f"{int(np.asarray(zp)[np.asarray(zp) != 0][0])}; int8 weights are "
                        f"symmetric (zero point 0)")


def check_act(op: str, node) -> None:
    a = act(node)
    if a not in ("NONE", "RELU", "RELU6", "RELU_N1_TO_1"):
        raise quant.unsupported(f"{op}: node {node.index}: fused activation {a} is not supported")


def check_int8_filter(op: str, node, f) -> None:
    if f.dtype != "int8":
        raise quant.unsupported(f"{op}: node {node.index}: filter tensor {node.inputs[1]} is "
                                f"{f.dtype}; only int8 weights are supported")


def check_filter_quant(op: str, node, f, channel_axis: int) -> None:
    """One scale for the tensor or one per output channel (the filter's `channel_axis`)."""
    if f.scale is None or len(f.scale) not in (1, f.shape[channel_axis]):
        raise quant.unsupported(f"{op}: node {node.index}: filter tensor {node.inputs[1]} "
                                f"(int8) quantization must be per-tensor or per output channel")


def check_int32_bias(op: str, node, g) -> None:
    if len(node.inputs) > 2 and node.inputs[2] >= 0 and g.t(node.inputs[2]).dtype != "int32":
        raise quant.unsupported(f"{op}: node {node.index}: bias tensor {node.inputs[2]} is "
                                f"{g.t(node.inputs[2]).dtype}; int32 expected")


def conv_geometry(node, ih: int, iw: int, kh: int, kw: int) -> tuple[dict, tuple[int, int]]:
    """CONV_2D / DEPTHWISE_CONV_2D options as the kernels take them: stride, padding and dilation
    as (w, h) pairs (TFLM's ComputePaddingHeightWidth), and the output (h, w) that implies."""
    sh, sw = int(opt(node, "stride_h", 1)), int(opt(node, "stride_w", 1))
    dh, dw = int(opt(node, "dilation_h_factor", 1)), int(opt(node, "dilation_w_factor", 1))
    pad = str(opt(node, "padding", "SAME")).upper()
    oh, ph = quant.compute_padding(pad, ih, kh, sh, dh)
    ow, pw = quant.compute_padding(pad, iw, kw, sw, dw)
    return dict(stride=(sw, sh), padding=(pw, ph), dilation=(dw, dh)), (oh, ow)


def check_elementwise(op: str, node, g) -> None:
    """ADD / MUL: two int8 inputs and an int8 output of at most 6 dims (the broadcast walk),
    shaped as the inputs broadcast (TFLM's ProcessBroadcastShapes)."""
    check_operands(node, g, (2, 2))
    quant.require_int8(op, node, g, [node.inputs[0], node.inputs[1], node.outputs[0]],
                       ("input", "input", "output"))
    for t in (node.inputs[0], node.inputs[1], node.outputs[0]):
        if len(g.t(t).shape) > 6:
            raise quant.unsupported(f"{op}: node {node.index}: tensor {t} has more than 6 "
                                    f"dimensions")
    a, b = g.t(node.inputs[0]).shape, g.t(node.inputs[1]).shape
    try:
        shape = np.broadcast_shapes(a, b)
    except ValueError:
        raise bad(node, f"inputs {tdesc(g, node.inputs[0])} and {tdesc(g, node.inputs[1])} do "
                        f"not broadcast") from None
    check_shape(node, g, node.outputs[0], shape, "the inputs broadcast")
    check_act(op, node)


def dims_lit(d) -> str:
    return quant.c_dims(d)


def tile(w, h) -> str:
    return "{%d, %d}" % (int(w), int(h))


def quant_arrays(ctx, node, mults, shifts) -> tuple[str, str]:
    m = ctx.const(f"n{node.index}_mult", i32(mults), "int32_t")
    s = ctx.const(f"n{node.index}_shift", i32(shifts), "int32_t")
    return m, s


def cptr(ctx, t, ctype="int8_t", const=False) -> str:
    r = ctx.ref(t)
    if r == "NULL":
        return r
    return f"(({'const ' if const else ''}{ctype} *){r})"


def broadcast(shape1, shape2, out_shape):
    """TFLM's 6-D broadcast walk: output dims and per-input strides (0 where broadcast);
    None when both inputs have the output's shape (flat loop)."""
    s1, s2, so = (list(int(x) for x in s) for s in (shape1, shape2, out_shape))
    if s1 == s2 == so or (nelems(s1) == nelems(s2) == nelems(so) and s1 == s2):
        return None
    if len(so) > 6:
        raise ValueError("more than 6 dims")

    def ext(s):
        return [1] * (6 - len(s)) + s

    e1, e2, eo = ext(s1), ext(s2), ext(so)

    def strides(e):
        st, acc = [0] * 6, 1
        for k in range(5, -1, -1):
            st[k] = 0 if (e[k] == 1 and eo[k] != 1) else acc
            acc *= e[k]
        return st

    return eo, strides(e1), strides(e2)


def bcast_lit(ctx, node, b) -> str:
    if b is None:
        return "NULL"
    eo, st1, st2 = b
    arr = lambda v: "{" + ", ".join(str(int(x)) for x in v) + "}"
    return "&(const mcusim_broadcast){%s, %s, %s}" % (arr(eo), arr(st1), arr(st2))


def folded_bias(g, node, input_offset: int, rows: int):
    """bias + input_offset * sum(row of weights), computed at build time (int64, checked to fit
    int32), or None when the weights or bias are not constants. The kernel then runs with input
    offset 0: the same int32 sum as TFLM's sum(w * (x + offset)) + bias."""
    w = g.t(node.inputs[1])
    b = node.inputs[2] if len(node.inputs) > 2 else -1
    if w.data is None or (b >= 0 and g.t(b).data is None):
        return None
    sums = np.asarray(w.data, dtype=np.int64).reshape(rows, -1).sum(axis=1)
    bias = np.asarray(g.t(b).data, dtype=np.int64).reshape(-1) if b >= 0 else np.zeros(rows, np.int64)
    out = bias + int(input_offset) * sums
    if out.min() < -(1 << 31) or out.max() >= (1 << 31):
        return None
    return out.astype(np.int32)


def elementwise_call(fn: str, node, ctx, p: dict) -> str:
    """The ADD / MUL kernel call: params, broadcast (or NULL), size, the two inputs, the output."""
    return (f"{fn}(&params, {bcast_lit(ctx, node, p['broadcast'])}, {p['size']},\n"
            f"    {cptr(ctx, node.inputs[0], const=True)}, {cptr(ctx, node.inputs[1], const=True)}, "
            f"{cptr(ctx, node.outputs[0])});\n")


def bias_arg(ctx, g, node, input_offset: int, rows: int, fold: bool) -> tuple[str, int]:
    """The kernel's bias argument and the input offset it runs with. With `fold` and an input
    offset, the folded bias (folded_bias) replaces the model's bias in flash and the offset
    becomes 0; otherwise the model's bias (or NULL) and the offset unchanged."""
    if fold and input_offset != 0:
        fb = folded_bias(g, node, input_offset, rows)
        if fb is not None:
            return ctx.const(f"n{node.index}_bias_folded", fb, "int32_t"), 0
    bias = node.inputs[2] if len(node.inputs) > 2 else -1
    return cptr(ctx, bias, "int32_t", const=True), input_offset


def params_lit(ctype: str, fields, name: str = "params") -> str:
    """`static const <ctype> <name> = {.field = value, ...};` wrapped at 96 columns, so the
    generated C names every constant; a tuple value is a nested {a, b} (tiles are {w, h})."""
    def val(v):
        if isinstance(v, (tuple, list)):
            return "{" + ", ".join(val(x) for x in v) + "}"
        return str(int(v)) if not isinstance(v, str) else v
    items = [f".{k} = {val(v)}" for k, v in fields]
    lines, cur = [], f"static const {ctype} {name} = {{"
    for i, it in enumerate(items):
        piece = it + ("," if i < len(items) - 1 else "};")
        if len(cur) + 1 + len(piece) > 96 and not cur.endswith("{"):
            lines.append(cur)
            cur = "    " + piece
        else:
            cur = cur + ("" if cur.endswith("{") else " ") + piece
    lines.append(cur)
    return "\n".join(lines) + "\n"
