"""DS-CNN keyword-spotting models of several widths, for the architecture search in docs/sweep.md.

The MLPerf Tiny / ARM KWS DS-CNN shape (49x10 MFCC input, a 10x4 stride-2 convolution, blocks of
3x3 depthwise + 1x1 pointwise convolutions, average pool, a 12-way classifier) with `width`
channels, as full-int8 TFLite files built by mcusim's own model builder. The weights are random
(fixed seed): a search over cost (latency, energy, memory) does not need trained ones, and a
candidate that passes is then trained. Usage:

    .venv/bin/python examples/ds_cnn_widths.py OUT_DIR [WIDTH ...]     # default 16 32 48 64 96
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from mcusim.compiler.modelgen import ModelBuilder

WIDTHS = (16, 32, 48, 64, 96)
INPUT = (1, 49, 10, 1)
CLASSES = 12


def _conv(mb, rng, x, s_in, shape_in, out_ch, kernel, stride, depthwise=False):
    """A CONV_2D or DEPTHWISE_CONV_2D with fused ReLU and per-channel int8 weights."""
    n, h, w, c = shape_in
    oh, ow = -(-h // stride[0]), -(-w // stride[1])            # SAME padding
    kh, kw = kernel
    wshape = (1, kh, kw, c) if depthwise else (out_ch, kh, kw, c)
    wscale = rng.uniform(0.002, 0.02, out_ch).astype(np.float32)
    wt = mb.tensor(wshape, scale=wscale, zero_point=[0] * out_ch,
                   quantized_dimension=3 if depthwise else 0,
                   data=rng.integers(-127, 128, wshape))
    bt = mb.tensor([out_ch], "int32", scale=(s_in * wscale.astype(np.float64)),
                   zero_point=[0] * out_ch, data=rng.integers(-3000, 3000, out_ch))
    # int8 x int8 dot products of k terms spread about 40 * 70 * sqrt(k) (modelgen's rule)
    k = kh * kw * (1 if depthwise else c)
    s_out = float(40 * 70 * np.sqrt(k) * s_in * wscale.mean() * 3 / 127)
    y = mb.tensor([n, oh, ow, out_ch], scale=s_out, zero_point=-128)
    opts = {"padding": "SAME", "stride_w": stride[1], "stride_h": stride[0],
            "dilation_w_factor": 1, "dilation_h_factor": 1, "fused_activation_function": "RELU"}
    if depthwise:
        opts["depth_multiplier"] = 1
    mb.op("DEPTHWISE_CONV_2D" if depthwise else "CONV_2D", [x, wt, bt], [y], opts)
    return y, s_out, (n, oh, ow, out_ch)


def ds_cnn(width: int, blocks: int = 4, seed: int = 0) -> bytes:
    """The .tflite bytes of a DS-CNN with `width` channels and `blocks` separable blocks."""
    rng = np.random.default_rng([width, blocks, seed])
    mb = ModelBuilder(f"ds-cnn width {width}")
    s = 0.5
    x = mb.tensor(INPUT, scale=s, zero_point=83, name="input")
    h, s, shape = _conv(mb, rng, x, s, INPUT, width, (10, 4), (2, 2))
    for _ in range(blocks):
        h, s, shape = _conv(mb, rng, h, s, shape, width, (3, 3), (1, 1), depthwise=True)
        h, s, shape = _conv(mb, rng, h, s, shape, width, (1, 1), (1, 1))
    n, oh, ow, c = shape
    pooled = mb.tensor([n, 1, 1, c], scale=s, zero_point=-128)
    mb.op("AVERAGE_POOL_2D", [h], [pooled], {"padding": "VALID", "stride_w": ow, "stride_h": oh,
                                            "filter_width": ow, "filter_height": oh,
                                            "fused_activation_function": "NONE"})
    flat = mb.tensor([1, c], scale=s, zero_point=-128)
    mb.op("RESHAPE", [pooled, mb.tensor([2], "int32", data=[1, c])], [flat], {"new_shape": [1, c]})
    wscale = float(rng.uniform(0.002, 0.02))
    fw = mb.tensor([CLASSES, c], scale=wscale, zero_point=0,
                   data=rng.integers(-127, 128, (CLASSES, c)))
    fb = mb.tensor([CLASSES], "int32", scale=s * wscale, zero_point=0,
                   data=rng.integers(-3000, 3000, CLASSES))
    s_fc = float(40 * 70 * np.sqrt(c) * s * wscale * 3 / 127)
    logits = mb.tensor([1, CLASSES], scale=s_fc, zero_point=0)
    mb.op("FULLY_CONNECTED", [flat, fw, fb], [logits], {"fused_activation_function": "NONE"})
    probs = mb.tensor([1, CLASSES], scale=1 / 256, zero_point=-128, name="output")
    mb.op("SOFTMAX", [logits], [probs], {"beta": 1.0})
    return mb.build([x], [probs])


def write(out_dir: str | Path, widths=WIDTHS, blocks: int = 4) -> list[Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for w in widths:
        p = out / f"ds_cnn_w{w:03d}.tflite"
        p.write_bytes(ds_cnn(w, blocks))
        paths.append(p)
    return paths


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__.strip().splitlines()[-1].strip())
    for path in write(sys.argv[1], [int(w) for w in sys.argv[2:]] or WIDTHS):
        print(path)
