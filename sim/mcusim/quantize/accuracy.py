"""Float vs quantized: how much the quantization cost, computed on a data set (the calibration
set, or `--eval DATA` with labels).

The float model runs in LiteRT (`ai-edge-litert`, the float oracle); the quantized model runs in
TFLM (`tflite-micro`), which mcusim's firmware equals bit for bit, so the figures are those of the
firmware. Both keep every intermediate tensor; a layer of the quantized model is compared with
the float tensor of the same name (the quantizer keeps names), dequantized with its own scale.

SNR (dB) = 10 log10(sum(float^2) / sum((float - dequantized)^2)) over all samples; infinite when
they agree exactly. Top-1 agreement: the share of samples whose arg-max over the output's last
axis is the same in both models (a first output of more than one class that a SOFTMAX or
LOGISTIC writes, or any when labels are given).
"""
from __future__ import annotations

import math

import numpy as np

from mcusim.compiler import importer, modelio, planner, tflm
from mcusim.errors import BadInput, McusimError
from mcusim.quantize.extras import need, quiet


def _snr(sig: float, err: float) -> float:
    if err == 0:
        return math.inf
    if sig == 0:
        return -math.inf
    return 10.0 * math.log10(sig / err)


class _Acc:
    """Running SNR and largest error of one tensor over the samples."""

    def __init__(self):
        self.sig = 0.0
        self.err = 0.0
        self.max_abs = 0.0

    def add(self, ref: np.ndarray, got: np.ndarray) -> None:
        r = ref.astype(np.float64).reshape(-1)
        d = r - got.astype(np.float64).reshape(-1)
        self.sig += float(r @ r)
        self.err += float(d @ d)
        self.max_abs = max(self.max_abs, float(np.max(np.abs(d), initial=0.0)))

    @property
    def snr(self) -> float:
        return _snr(self.sig, self.err)


def _deq(t, arr: np.ndarray) -> np.ndarray | None:
    """A quantized tensor as float; None when it is not a per-tensor int8/int16 activation."""
    if arr.dtype.kind == "f":
        return arr.astype(np.float32)
    if arr.dtype not in (np.int8, np.int16) or t.scale is None or len(t.scale) != 1:
        return None
    return modelio.dequantize(arr, float(t.scale[0]), int(t.zero_point[0]))


def evaluate(float_data: bytes, quant_data: bytes, samples: list[list[np.ndarray]],
             labels: np.ndarray | None = None, name: str = "model") -> dict:
    interp_mod = need("ai_edge_litert.interpreter", "quantize", "the accuracy report")
    fg = importer.parse(float_data, name)
    qg = importer.parse(quant_data, name)
    try:
        with quiet():
            lite = interp_mod.Interpreter(model_content=float_data,
                                          experimental_preserve_all_tensors=True,
                                          num_threads=1)
            lite.allocate_tensors()
    except (ValueError, RuntimeError) as e:
        raise BadInput(f"{name}: LiteRT cannot load the float model: "
                       f"{str(e).strip().splitlines()[0] if str(e).strip() else e}") from None
    f_in = [d["index"] for d in lite.get_input_details()]
    f_out = [d["index"] for d in lite.get_output_details()]
    f_names = {d["name"]: d["index"] for d in lite.get_tensor_details()}
    f_sizes = {d["index"]: int(np.prod(d["shape"])) for d in lite.get_tensor_details()}
    with quiet():       # TFLM prints its refusals on stderr itself: the error says it once
        micro = tflm.interpreter(quant_data, preserve=True)
    # layers of the quantized model whose output has a float counterpart of the same name
    layers = []
    for n in qg.nodes:
        for o in n.outputs:
            t = qg.t(o)
            # same name and element count: the same tensor (a layout change renames it)
            if o >= 0 and t.name in f_names and o not in qg.inputs and \
                    int(np.prod(t.shape)) == f_sizes[f_names[t.name]]:
                layers.append((n, o, f_names[t.name], _Acc()))
    outs = [_Acc() for _ in qg.outputs]
    agree, correct_f, correct_q, n = 0, 0, 0, 0
    for k, sample in enumerate(samples):
        try:
            for idx, x in zip(f_in, sample):
                lite.set_tensor(idx, x.astype(np.float32))
            lite.invoke()
        except (ValueError, RuntimeError) as e:
            raise McusimError(f"{name}: LiteRT failed on sample {k}: {e}") from None
        q_inputs = []
        for i, x in zip(qg.inputs, sample):
            t = qg.t(i)
            q_inputs.append(x.astype(np.float32) if t.dtype == "float32" else
                            _quantize(x, t))
        try:
            with quiet():
                got = tflm.invoke(micro, q_inputs, len(qg.outputs))
        except (RuntimeError, ValueError) as e:
            raise McusimError(f"{name}: TFLM failed on sample {k}: {e}") from None
        for i, (acc, fo, qo) in enumerate(zip(outs, f_out, qg.outputs)):
            ref = lite.get_tensor(fo)
            q = _deq(qg.t(qo), np.asarray(got[i]))
            if q is None or q.size != ref.size:
                raise BadInput(f"{name}: output {i} of the quantized model ("
                               f"{np.asarray(got[i]).size} values) does not match the float "
                               f"model's ({ref.size}): the model's shapes are inconsistent")
            acc.add(ref, q.reshape(ref.shape))
            if i == 0 and ref.shape[-1] > 1:
                fa, qa = np.argmax(ref.reshape(-1, ref.shape[-1]), -1), \
                    np.argmax(q.reshape(-1, ref.shape[-1]), -1)
                agree += int(np.all(fa == qa))
                if labels is not None:
                    correct_f += int(fa[0] == labels[k])
                    correct_q += int(qa[0] == labels[k])
        n += 1
        for node, qi, fi, acc in layers:
            q = _deq(qg.t(qi), tflm.tensor(micro, qi))
            ref = lite.get_tensor(fi)
            if q is not None and q.size == ref.size:
                acc.add(ref, q.reshape(ref.shape))
    # top-1 only where the first output is a class score: labels given, or a SOFTMAX/LOGISTIC
    # writes it (an autoencoder's 640 outputs are no classes)
    producer = {o: n.op for n in fg.nodes for o in n.outputs}
    classes = int(lite.get_output_details()[0]["shape"][-1]) if f_out else 0
    if labels is None and producer.get(fg.outputs[0]) not in ("SOFTMAX", "LOGISTIC"):
        classes = 0
    outputs = []
    for acc, qo in zip(outs, qg.outputs):
        outputs.append({"name": qg.t(qo).name, "snr_db": _num(acc.snr),
                        "max_abs_error": acc.max_abs})
    if classes > 1:
        outputs[0]["top1_agreement"] = agree / n
        if labels is not None:
            outputs[0]["accuracy_float"] = correct_f / n
            outputs[0]["accuracy_quantized"] = correct_q / n
    per_layer = [{"node": node.index, "op": node.op, "tensor": qg.t(qi).name,
                  "dtype": qg.t(qi).dtype, "snr_db": _num(acc.snr),
                  "max_abs_error": acc.max_abs}
                 for node, qi, _, acc in layers if acc.sig or acc.err]
    per_layer.sort(key=lambda r: (r["snr_db"] if r["snr_db"] is not None else math.inf))
    return {
        "samples": n,
        "labels": labels is not None,
        "outputs": outputs,
        "layers": per_layer,
        "size": {"float_file_bytes": len(float_data), "quantized_file_bytes": len(quant_data),
                 "float_weight_bytes": _weights(fg), "quantized_weight_bytes": _weights(qg)},
        "arena": {"float_bytes": _arena(fg), "quantized_bytes": _arena(qg, compiled=True,
                                                                      data=quant_data)},
    }


def _quantize(x: np.ndarray, t) -> np.ndarray:
    if t.dtype == "int8":
        return modelio.quantize(x, float(t.scale[0]), int(t.zero_point[0])).reshape(t.shape)
    if t.dtype == "int16":
        v = np.round(x.astype(np.float64) / float(t.scale[0])) + int(t.zero_point[0])
        return np.clip(v, -32768, 32767).astype(np.int16).reshape(t.shape)
    raise BadInput(f"model input {t.name}: {t.dtype} inputs are not supported")


def _num(v: float) -> float | None:
    """JSON has no infinity: an exact match is reported as null (and shown as 'exact')."""
    return None if math.isinf(v) and v > 0 else (v if math.isfinite(v) else -1e9)


def _weights(g) -> int:
    return sum(t.nbytes for t in g.tensors if t.is_const)


def _arena(g, compiled: bool = False, data: bytes | None = None) -> int | None:
    """Activation memory: the float graph planned by mcusim's planner (same greedy placement,
    no kernel scratch); the quantized one as mcusim compiles it (after its optimizations)."""
    try:
        if compiled:
            from mcusim.compiler.build import frontend
            return planner.plan(frontend(data, g.name).graph).size
        return planner.plan(g).size
    except McusimError:
        return None
