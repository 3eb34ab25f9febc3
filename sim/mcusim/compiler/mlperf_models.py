"""Int8 stand-ins for the MLPerf Tiny VWW and IC reference models, built without TensorFlow.

The MLPerf Tiny reference models that are not in ../shared/models, rebuilt with the same
architecture, tensor shapes, operator types, options and operator order as the published int8
files (mlcommons/tiny benchmark/training: visual_wake_words/vww_96_int8.tflite, MobileNetV1
alpha 0.25 on 96x96x3, 2 classes; image_classification/pretrainedResnet_quant.tflite, ResNet-8
on 32x32x3, 10 classes), but with random weights (cycles and memory do not depend on them).

Quantized the way TFLite's converter does it: per-tensor asymmetric int8 activations whose range
comes from a float forward pass over calibration inputs (ReLU outputs: zero point -128), per-
channel symmetric int8 convolution weights (each channel's largest |w| is 127), per-tensor
FULLY_CONNECTED weights, int32 biases at input scale x weight scale, AVERAGE_POOL_2D and RESHAPE
keeping their input's quantization, SOFTMAX output 1/256 with zero point -128. The float
network is He-initialised with batch norm folded in (a random per-channel bias), like a trained
one before its weights are learnt. Deterministic: the same seed gives the same bytes.

    python -m mcusim.compiler.mlperf_models DIR      # writes DIR/mlperf_vww.tflite, mlperf_ic.tflite
"""
from __future__ import annotations

import numpy as np

from mcusim.compiler.modelgen import ModelBuilder, out_size

GENERATOR_VERSION = 1      # bump when the bytes change (names the cached files)


class _Net:
    """A float network traced alongside the int8 graph it becomes: each layer computes its float
    output on the calibration batch, takes its quantization from that, and adds int8 tensors."""

    def __init__(self, rng, x: np.ndarray, in_scale: float, description: str):
        self.rng = rng
        self.mb = ModelBuilder(description)
        self.count = 0
        self.input = self._act(x, in_scale, -128, "input_1_int8")

    def _act(self, value, scale, zp, name):
        t = self.mb.tensor([1, *value.shape[1:]], scale=scale, zero_point=zp, name=name)
        return {"t": t, "f": value, "s": float(scale), "z": int(zp)}

    def _calibrated(self, value, name, relu: bool):
        lo, hi = min(0.0, float(value.min())), max(0.0, float(value.max()))
        if relu:
            lo = 0.0
        scale = max(hi - lo, 1e-6) / 255.0
        zp = int(np.clip(round(-128 - lo / scale), -128, 127))
        return self._act(value, scale, zp, name)

    def _name(self, op):
        self.count += 1
        return f"{op}_{self.count}"

    def _bias(self, pre: np.ndarray, s_in: float, w_scales: np.ndarray, channels: int):
        # batch norm folded into the bias: a per-channel shift about a tenth of the spread
        b = self.rng.normal(0.0, 0.1 * float(pre.std()) + 1e-6, channels)
        bs = (s_in * w_scales.astype(np.float64)).astype(np.float32)
        q = np.clip(np.round(b / bs), -(2 ** 31), 2 ** 31 - 1).astype(np.int32)
        return q * bs.astype(np.float64), bs, q

    def conv(self, x, out_ch, k, stride, relu=True, depthwise=False):
        f = x["f"]
        c = f.shape[-1]
        fan_in = k * k * (1 if depthwise else c)
        shape = (1, k, k, c) if depthwise else (out_ch, k, k, c)
        w = self.rng.normal(0.0, np.sqrt(2.0 / fan_in), shape)
        axis = 3 if depthwise else 0
        red = tuple(i for i in range(4) if i != axis)
        ws = np.maximum(np.abs(w).max(axis=red), 1e-9) / 127.0            # per channel
        wq = np.clip(np.round(w / ws.reshape([-1 if i == axis else 1 for i in range(4)])),
                     -127, 127).astype(np.int8)
        wf = wq * ws.reshape([-1 if i == axis else 1 for i in range(4)])
        pre = (_depthwise if depthwise else _conv)(f, wf, stride)
        n = pre.shape[-1]
        bf, bs, bq = self._bias(pre, x["s"], ws.astype(np.float32), n)
        val = pre + bf
        if relu:
            val = np.maximum(val, 0.0)
        op = "DEPTHWISE_CONV_2D" if depthwise else "CONV_2D"
        name = self._name(op.lower())
        wt = self.mb.tensor(list(shape), scale=ws.astype(np.float32), zero_point=[0] * n,
                            quantized_dimension=axis, data=wq, name=f"{name}/weights")
        bt = self.mb.tensor([n], "int32", scale=bs, zero_point=[0] * n, data=bq,
                            name=f"{name}/bias")
        y = self._calibrated(val, name, relu)
        opts = {"padding": "SAME", "stride_w": stride, "stride_h": stride,
                "dilation_w_factor": 1, "dilation_h_factor": 1,
                "fused_activation_function": "RELU" if relu else "NONE"}
        if depthwise:
            opts["depth_multiplier"] = 1
        self.mb.op(op, [x["t"], wt, bt], [y["t"]], opts)
        return y

    def add(self, a, b, relu=True):
        val = a["f"] + b["f"]
        if relu:
            val = np.maximum(val, 0.0)
        y = self._calibrated(val, self._name("add"), relu)
        self.mb.op("ADD", [a["t"], b["t"]], [y["t"]],
                   {"fused_activation_function": "RELU" if relu else "NONE"})
        return y

    def global_avgpool_flatten(self, x):
        _, h, w, c = x["f"].shape
        pooled = x["f"].mean(axis=(1, 2), keepdims=True)
        p = self._act(pooled, x["s"], x["z"], self._name("average_pooling2d"))
        self.mb.op("AVERAGE_POOL_2D", [x["t"]], [p["t"]],
                   {"padding": "VALID", "stride_w": w, "stride_h": h, "filter_width": w,
                    "filter_height": h, "fused_activation_function": "NONE"})
        shape = self.mb.tensor([2], "int32", data=np.array([-1, c], np.int32),
                               name="flatten/shape")
        flat = self._act(pooled.reshape(pooled.shape[0], c), x["s"], x["z"], "flatten/Reshape")
        self.mb.op("RESHAPE", [p["t"], shape], [flat["t"]], {})
        return flat

    def dense_softmax(self, x, units):
        f = x["f"]
        depth = f.shape[-1]
        lim = np.sqrt(6.0 / (depth + units))                               # Glorot uniform
        w = self.rng.uniform(-lim, lim, (units, depth))
        ws = max(float(np.abs(w).max()), 1e-9) / 127.0                     # per tensor
        wq = np.clip(np.round(w / ws), -127, 127).astype(np.int8)
        pre = f @ (wq * ws).T
        bf, bs, bq = self._bias(pre, x["s"], np.array([ws], np.float32), units)
        logits = self._calibrated(pre + bf, "dense/BiasAdd", relu=False)
        wt = self.mb.tensor([units, depth], scale=[ws], zero_point=[0], data=wq,
                            name="dense/weights")
        bt = self.mb.tensor([units], "int32", scale=bs, zero_point=[0], data=bq,
                            name="dense/bias")
        self.mb.op("FULLY_CONNECTED", [x["t"], wt, bt], [logits["t"]],
                   {"fused_activation_function": "NONE", "keep_num_dims": False})
        out = self.mb.tensor([1, units], scale=1.0 / 256.0, zero_point=-128, name="Identity_int8")
        self.mb.op("SOFTMAX", [logits["t"]], [out], {"beta": 1.0})
        return self.mb.build([self.input["t"]], [out])


def _same_pad(x: np.ndarray, k: int, stride: int) -> np.ndarray:
    """TensorFlow's SAME padding: the odd pixel goes after."""
    _, h, w, _ = x.shape
    ph = max((out_size("SAME", h, k, stride) - 1) * stride + k - h, 0)
    pw = max((out_size("SAME", w, k, stride) - 1) * stride + k - w, 0)
    return np.pad(x, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))


def _conv(x, w, stride):
    k = w.shape[1]
    xp = _same_pad(x, k, stride)
    oh, ow = out_size("SAME", x.shape[1], k, stride), out_size("SAME", x.shape[2], k, stride)
    out = np.zeros((x.shape[0], oh, ow, w.shape[0]))
    for i in range(k):
        for j in range(k):
            patch = xp[:, i:i + stride * oh:stride, j:j + stride * ow:stride, :]
            out += patch @ w[:, i, j, :].T
    return out


def _depthwise(x, w, stride):
    k = w.shape[1]
    xp = _same_pad(x, k, stride)
    oh, ow = out_size("SAME", x.shape[1], k, stride), out_size("SAME", x.shape[2], k, stride)
    out = np.zeros((x.shape[0], oh, ow, x.shape[3]))
    for i in range(k):
        for j in range(k):
            out += xp[:, i:i + stride * oh:stride, j:j + stride * ow:stride, :] * w[0, i, j, :]
    return out


def vww(seed: int = 0, calibration: int = 4) -> bytes:
    """MobileNetV1 alpha 0.25, 96x96x3 in [0, 1], 2 classes (vww_96_int8.tflite's layout:
    CONV_2D, 13 x (DEPTHWISE_CONV_2D + 1x1 CONV_2D), AVERAGE_POOL_2D, RESHAPE,
    FULLY_CONNECTED, SOFTMAX; every convolution SAME with a fused ReLU)."""
    rng = np.random.default_rng(seed)
    net = _Net(rng, rng.random((calibration, 96, 96, 3)), 1.0 / 255.0,
               "mcusim: MLPerf Tiny VWW architecture (MobileNetV1 0.25), random weights")
    x = net.conv(net.input, 8, 3, 2)
    # (depthwise stride, pointwise filters) of the 13 depthwise-separable blocks
    for stride, filters in [(1, 16), (2, 32), (1, 32), (2, 64), (1, 64), (2, 128), (1, 128),
                            (1, 128), (1, 128), (1, 128), (1, 128), (2, 256), (1, 256)]:
        x = net.conv(x, None, 3, stride, depthwise=True)
        x = net.conv(x, filters, 1, 1)
    return net.dense_softmax(net.global_avgpool_flatten(x), 2)


def ic(seed: int = 0, calibration: int = 4) -> bytes:
    """ResNet-8 for CIFAR-10, 32x32x3 raw pixels (scale 1, zero point -128), 10 classes
    (pretrainedResnet_quant.tflite's layout: a 3x3 convolution, three residual stacks of 16, 32
    and 64 filters (the last two downsample with a strided 3x3 and a strided 1x1 shortcut, run
    after the main branch), ADD with a fused ReLU, AVERAGE_POOL_2D, RESHAPE, FULLY_CONNECTED,
    SOFTMAX)."""
    rng = np.random.default_rng(seed)
    net = _Net(rng, np.floor(rng.random((calibration, 32, 32, 3)) * 256.0), 1.0,
               "mcusim: MLPerf Tiny IC architecture (ResNet-8), random weights")
    x = net.conv(net.input, 16, 3, 1)
    y = net.conv(x, 16, 3, 1)
    y = net.conv(y, 16, 3, 1, relu=False)
    x = net.add(x, y)
    for filters in (32, 64):
        y = net.conv(x, filters, 3, 2)
        y = net.conv(y, filters, 3, 1, relu=False)
        shortcut = net.conv(x, filters, 1, 2, relu=False)
        x = net.add(shortcut, y)
    return net.dense_softmax(net.global_avgpool_flatten(x), 10)


MODELS = {"vww": vww, "ic": ic}


def write(name: str, directory, seed: int = 0):
    """The model's file in `directory` (created when missing or stale); returns its path."""
    from pathlib import Path
    path = Path(directory) / f"mlperf_{name}.tflite"
    tag = path.with_suffix(".version")
    want = f"{GENERATOR_VERSION} {seed}\n"
    if path.is_file() and tag.is_file() and tag.read_text() == want:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(MODELS[name](seed))
    tag.write_text(want)
    return path


def cached(name: str, seed: int = 0):
    """The model in mcusim's cache directory (generated on first use)."""
    from mcusim.paths import cache_dir
    return write(name, cache_dir() / "mlperf-models", seed)


if __name__ == "__main__":
    import sys
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    for n in MODELS:
        print(write(n, out))
