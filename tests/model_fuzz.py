"""Flatbuffer-aware mutations of a real model for the fuzz tests (tests/test_fuzz_models.py) and
the long run (bench/fuzz_models.py): a hypothesis strategy of edits to tensors (shape, type,
buffer, quantization), operators (operands, opcode, options), operator codes, buffers and the
subgraph's inputs/outputs, made through the TFLite schema's object API, plus raw byte flips.

`front_end(data)` is what is fuzzed: import, validation, optimization, planning and C code
generation, stopping before gcc. A McusimError is a clean refusal; anything else is a bug."""
from __future__ import annotations

import math

import flatbuffers
import numpy as np
from hypothesis import strategies as st
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

INTS = [-(1 << 31), -100, -2, -1, 0, 1, 2, 3, 4, 5, 7, 16, 64, 100, 127, 128, 255, 1000,
        (1 << 31) - 1]
FLOATS = [0.0, -0.0, -1.0, 1e-45, 1e-30, 1e-8, 0.00390625, 0.5, 1.0, 3.0, 1e30, math.inf,
          -math.inf, math.nan]

ints = st.one_of(st.sampled_from(INTS), st.integers(-300, 300))
floats = st.one_of(st.sampled_from(FLOATS), st.floats(allow_nan=True, width=32))


def _pick(seq, k: int):
    return seq[k % len(seq)] if seq is not None and len(seq) else None


def _apply(m, kind: str, a: int, b: int, v, f: float) -> None:
    sg = m.subgraphs[0]
    t = _pick(sg.tensors, a)
    op = _pick(sg.operators, a)
    if kind == "shape_dim" and t is not None and t.shape is not None and len(t.shape):
        s = np.array(t.shape, np.int64)
        s[b % len(s)] = v
        t.shape = np.clip(s, -(1 << 31), (1 << 31) - 1).astype(np.int32)
    elif kind == "rank" and t is not None:
        s = list(t.shape if t.shape is not None else [])
        t.shape = np.array(s[:b % 6] if b % 2 else s + [abs(int(v)) % 9], np.int32)
    elif kind == "type" and t is not None:
        t.type = int(v) % 20
    elif kind == "buffer" and t is not None:
        t.buffer = abs(int(v))
    elif kind == "scale" and t is not None and t.quantization is not None \
            and t.quantization.scale is not None and len(t.quantization.scale):
        s = np.array(t.quantization.scale, np.float32)
        s[b % len(s)] = f
        t.quantization.scale = s
    elif kind == "zero_point" and t is not None and t.quantization is not None \
            and t.quantization.zeroPoint is not None and len(t.quantization.zeroPoint):
        z = np.array(t.quantization.zeroPoint, np.int64)
        z[b % len(z)] = v
        t.quantization.zeroPoint = z
    elif kind == "qdim" and t is not None and t.quantization is not None:
        t.quantization.quantizedDimension = int(v)
    elif kind == "op_input" and op is not None:
        ins = list(op.inputs if op.inputs is not None else [])
        if b % 3 == 0 and ins:
            ins.pop(b % len(ins))
        elif b % 3 == 1:
            ins.append(int(v))
        elif ins:
            ins[b % len(ins)] = int(v)
        op.inputs = np.array(ins, np.int32)
    elif kind == "op_output" and op is not None:
        outs = list(op.outputs if op.outputs is not None else [])
        if b % 2 and outs:
            outs[b % len(outs)] = int(v)
        else:
            outs.append(int(v))
        op.outputs = np.array(outs, np.int32)
    elif kind == "opcode_index" and op is not None:
        op.opcodeIndex = abs(int(v))
    elif kind == "opcode" and m.operatorCodes:
        oc = _pick(m.operatorCodes, a)
        if b % 2:
            oc.builtinCode = int(v)
        else:
            oc.deprecatedBuiltinCode = max(-128, min(127, int(v)))
    elif kind == "option" and op is not None and op.builtinOptions is not None:
        fields = sorted(vars(op.builtinOptions))
        if fields:
            name = fields[b % len(fields)]
            old = getattr(op.builtinOptions, name)
            if isinstance(old, float):
                setattr(op.builtinOptions, name, f)
            elif isinstance(old, bool):
                setattr(op.builtinOptions, name, bool(v % 2))
            elif isinstance(old, int):
                setattr(op.builtinOptions, name, int(v))
    elif kind == "buffer_data" and m.buffers:
        buf = _pick(m.buffers, a)
        if buf.data is not None:
            buf.data = None if b % 2 else np.array(buf.data[:abs(int(v)) % (len(buf.data) + 1)])
    elif kind == "graph_io":
        lst = list(sg.inputs if b % 2 else sg.outputs)
        if lst:
            lst[0] = int(v)
        if b % 2:
            sg.inputs = np.array(lst, np.int32)
        else:
            sg.outputs = np.array(lst, np.int32)
    elif kind == "swap_ops" and len(sg.operators) > 1:
        i, j = a % len(sg.operators), b % len(sg.operators)
        sg.operators[i], sg.operators[j] = sg.operators[j], sg.operators[i]


KINDS = ["shape_dim", "rank", "type", "buffer", "scale", "zero_point", "qdim", "op_input",
         "op_output", "opcode_index", "opcode", "option", "buffer_data", "graph_io", "swap_ops"]
edits = st.lists(st.tuples(st.sampled_from(KINDS), st.integers(0, 200), st.integers(0, 200),
                           ints, floats), min_size=1, max_size=4)
flips = st.lists(st.tuples(st.integers(0, 1 << 30), st.integers(0, 255)), max_size=6)


def mutate(seed: bytes, edit_list, flip_list) -> bytes | None:
    """The seed model with the edits applied and packed again, then the byte flips; None when
    the edited tree cannot be packed (the schema writer refuses it: nothing to fuzz)."""
    m = schema.ModelT.InitFromPackedBuf(bytearray(seed), 0)
    for e in edit_list:
        _apply(m, *e)
    b = flatbuffers.Builder(len(seed) + 4096)
    try:
        b.Finish(m.Pack(b), file_identifier=b"TFL3")
    except (TypeError, ValueError, OverflowError, AttributeError, IndexError):
        return None
    data = bytearray(b.Output())
    for pos, val in flip_list:
        data[pos % len(data)] = val
    return bytes(data)


def front_end(data: bytes) -> None:
    """Everything before gcc: import, validation, optimization, plan, code generation."""
    from mcusim.compiler.build import frontend
    from mcusim.compiler.codegen import generate
    opt = frontend(data, "fuzz.tflite")
    generate(opt, "cortex-m4", True)
