"""The training firmware: the model's layers before its last FULLY_CONNECTED as a feature
extractor, that layer trained in float32 by SGD on the MCU.

The host writes a `train_config` (sample counts, epochs, learning rate, three file paths) into
RAM before reset; the firmware reads the training samples (input bytes + a label byte each) and
the evaluation inputs through semihosting files, writes the evaluation samples' features to the
third file (then, in the first epoch, the training samples' features), and leaves the trained
weights in `train_w` / `train_b` for the host to read.
Compiled with -ffp-contract=off: every float operation is rounded on its own, as in numpy.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mcusim.errors import BadInput
from mcusim.paths import cache_dir
from mcusim.train import fixed as fx
from mcusim.train import reference as ref

PATH_BYTES = 256


@dataclass
class Head:
    """The last FULLY_CONNECTED layer and what the firmware needs to train it."""
    position: int               # its layer index: layers 0 .. position-1 are the backbone
    n_in: int
    n_out: int
    feat_offset: int            # where its input lives in the arena after the backbone
    feat_scale: float
    feat_zero_point: int
    w: np.ndarray               # float32 [n_out, n_in], dequantized from the model
    b: np.ndarray               # float32 [n_out]


def find_head(opt, built) -> Head:
    g = opt.graph
    fcs = [i for i, n in enumerate(g.nodes) if n.op == "FULLY_CONNECTED"]
    if not fcs:
        raise BadInput(f"{built.model}: no FULLY_CONNECTED layer to train")
    pos = fcs[-1]
    if any(n.op not in ("SOFTMAX",) for n in g.nodes[pos + 1:]) or pos == 0:
        raise BadInput(f"{built.model}: the last FULLY_CONNECTED (layer {pos}) must be the last "
                       f"layer but a SOFTMAX, after at least one other layer")
    node = g.nodes[pos]
    x, wt = g.t(node.inputs[0]), g.t(node.inputs[1])
    bias = g.t(node.inputs[2]) if len(node.inputs) > 2 and node.inputs[2] >= 0 else None
    loc = next((t for t in built.tensors.get(str(pos - 1), []) if t["where"] == "arena"), None)
    n_out, n_in = wt.shape[0], int(np.prod(wt.shape[1:]))
    if loc is None or loc["nbytes"] != n_in:
        raise BadInput(f"{built.model}: the input of layer {pos} is not the arena output of "
                       f"layer {pos - 1}; cannot train this head")
    ws = np.asarray(wt.scale, np.float32).reshape(-1)
    wz = np.asarray(wt.zero_point).reshape(-1)
    per = (lambda a: a.reshape(-1, 1)) if len(ws) > 1 else (lambda a: a[0])
    w = (per(ws) * (wt.data.reshape(n_out, n_in).astype(np.int32) - per(wz)).astype(np.float32))
    if bias is not None:
        bs = np.float32(x.scale[0]) * ws
        b = (bs * bias.data.astype(np.float32)).astype(np.float32)
    else:
        b = np.zeros(n_out, np.float32)
    return Head(pos, n_in, n_out, loc["offset"], float(x.scale[0]), int(x.zero_point[0]),
                w.astype(np.float32), b.astype(np.float32))


def _f(x) -> str:
    """A float32 as an exact C literal."""
    return float(np.float32(x)).hex() + "f"


def _floats(name: str, a: np.ndarray) -> str:
    vals = [_f(v) for v in a.reshape(-1)]
    rows = ",\n".join("    " + ", ".join(vals[i:i + 6]) for i in range(0, len(vals), 6))
    return f"float {name}[{len(vals)}] = {{\n{rows}\n}};\n"


def float_step_c(head: Head) -> str:
    c = ref.EXP_C
    return f"""/* the head: weights and bias (from the model, dequantized), its input, its output */
{_floats("train_w", head.w)}{_floats("train_b", head.b)}float train_feat[N_IN];
float train_prob[N_OUT];

/* exp(x), x <= 0: 2^k e^r, r in [0, ln 2), degree-6 polynomial (reference.exp_neg) */
static float train_exp(float x)
{{
    if (x < -80.0f)
        x = -80.0f;
    float kf = floorf(x * {_f(ref.LOG2E)});
    float r = x - kf * {_f(ref.LN2)};
    float p = {_f(c[0])};
{chr(10).join(f"    p = p * r + {_f(v)};" for v in c[1:])}
    return ldexpf(p, (int)kf);
}}

/* one SGD step of softmax cross-entropy on (train_feat, label) */
__attribute__((noinline)) void mcusim_train_step(int label, float lr)
{{
    float m = 0.0f, s = 0.0f;
    for (int o = 0; o < N_OUT; o++) {{
        float acc = train_b[o];
        for (int i = 0; i < N_IN; i++)
            acc = acc + train_w[o * N_IN + i] * train_feat[i];
        train_prob[o] = acc;
        if (o == 0 || acc > m)
            m = acc;
    }}
    for (int o = 0; o < N_OUT; o++) {{
        train_prob[o] = train_exp(train_prob[o] - m);
        s = s + train_prob[o];
    }}
    for (int o = 0; o < N_OUT; o++) {{
        float g = train_prob[o] / s - (o == label ? 1.0f : 0.0f);
        float gl = lr * g;
        train_b[o] = train_b[o] - gl;
        for (int i = 0; i < N_IN; i++)
            train_w[o * N_IN + i] = train_w[o * N_IN + i] - gl * train_feat[i];
    }}
}}

"""


def main_c(built, head: Head, layers: list[dict], fixed=None) -> str:
    """The training firmware's C; `fixed` = (fixed.Format, fixed.Update) for the integer head."""
    protos = "\n".join(f"int {L['function']}(const int8_t *input, int8_t *output);"
                       for L in layers[:head.position])
    calls = "\n".join(f"    if ({L['function']}(mcusim_input, mcusim_output) != 0)\n"
                      f"        return -1;" for L in layers[:head.position])
    if getattr(built, "io_arena", None):    # the plan holds the model's inputs in the arena
        calls = "".join(f"    memcpy(model_input({k}), mcusim_input + MODEL_INPUT{k}_OFFSET, "
                        f"MODEL_INPUT{k}_SIZE);\n" for k in range(len(built.inputs))) + calls
    if fixed:
        head_c, feat_t, arith = fx.step_c(head, *fixed), "train_x", "fixed point"
        feat_c = f"q[i] - ({head.feat_zero_point})"
        call, inc = "mcusim_train_step(label)", '#include "mcusim_nn_support.h"\n'
    else:
        head_c, feat_t, arith = float_step_c(head), "train_feat", "float32"
        feat_c = f"{_f(head.feat_scale)} * (float)(q[i] - ({head.feat_zero_point}))"
        call, inc = "mcusim_train_step(label, train_config.lr)", ""
    return f"""/* train.c - generated by mcusim: layers 0..{head.position - 1} of {built.model} as a
 * feature extractor, layer {head.position} (FULLY_CONNECTED {head.n_in} -> {head.n_out}) trained by
 * SGD in {arith}. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "model.h"
{inc}
#define N_IN {head.n_in}
#define N_OUT {head.n_out}
#define PATH_BYTES {PATH_BYTES}

{protos}

int8_t mcusim_input[MODEL_INPUT_BYTES > 0 ? MODEL_INPUT_BYTES : 4] __attribute__((aligned(8)));
int8_t mcusim_output[MODEL_OUTPUT_BYTES > 0 ? MODEL_OUTPUT_BYTES : 4] __attribute__((aligned(8)));

/* written by the host before reset */
struct train_config {{
    uint32_t n_train, n_eval, epochs;
    float lr;
    char train_path[PATH_BYTES], eval_path[PATH_BYTES], feat_path[PATH_BYTES];
}};
volatile struct train_config train_config __attribute__((section(".noinit.train_config")));

{head_c}
/* int8 layers up to the head; its input (dequantized in float32, q - zp in fixed point) */
__attribute__((noinline)) int mcusim_train_backbone(void)
{{
{calls}
    const int8_t *q = model_arena + {head.feat_offset};
    for (int i = 0; i < N_IN; i++)
        {feat_t}[i] = {feat_c};
    return 0;
}}

int main(void)
{{
    char path[PATH_BYTES];
    for (int i = 0; i < PATH_BYTES; i++) path[i] = train_config.eval_path[i];
    FILE *ev = fopen(path, "rb");
    for (int i = 0; i < PATH_BYTES; i++) path[i] = train_config.feat_path[i];
    FILE *out = fopen(path, "wb");
    for (int i = 0; i < PATH_BYTES; i++) path[i] = train_config.train_path[i];
    FILE *tr = fopen(path, "rb");
    if (!ev || !out || !tr)
        return 3;
    for (uint32_t k = 0; k < train_config.n_eval; k++) {{      /* features of the eval set */
        if (fread(mcusim_input, 1, MODEL_INPUT_BYTES, ev) != MODEL_INPUT_BYTES)
            return 4;
        if (mcusim_train_backbone() != 0)
            return 1;
        fwrite({feat_t}, sizeof({feat_t}[0]), N_IN, out);
    }}
    for (uint32_t e = 0; e < train_config.epochs; e++) {{
        fseek(tr, 0, SEEK_SET);
        for (uint32_t k = 0; k < train_config.n_train; k++) {{
            int8_t label;
            if (fread(mcusim_input, 1, MODEL_INPUT_BYTES, tr) != MODEL_INPUT_BYTES ||
                fread(&label, 1, 1, tr) != 1)
                return 4;
            if (mcusim_train_backbone() != 0)
                return 1;
            if (e == 0)         /* the training features once, for the host's reference */
                fwrite({feat_t}, sizeof({feat_t}[0]), N_IN, out);
            {call};
        }}
    }}
    fclose(tr);
    fclose(ev);
    fclose(out);
    return 0;
}}
"""


def build(built, head: Head, board, fixed=None) -> Path:
    from mcusim.compiler.build import compile_flags
    from mcusim.sim.linker import linker_script
    from mcusim.toolchain import run_gcc
    text = main_c(built, head, built.layers, fixed)
    key = hashlib.sha256(text.encode() + built.elf.read_bytes() + str(built.dir).encode())
    d = cache_dir() / "train" / f"{Path(built.model).stem}-{board.name}-{key.hexdigest()[:20]}"
    elf = d / "train.elf"
    if elf.is_file():
        return elf
    d.mkdir(parents=True, exist_ok=True)
    (d / "train.c").write_text(text)
    (d / "train.ld").write_text(linker_script(board))
    bd = built.dir
    from mcusim.compiler.build import use_dsp
    flags = [f if f not in ("-I.", "-Iruntime/include") else f"-I{bd / f[2:]}"
             for f in compile_flags(board, dsp=use_dsp(board.core, "auto"))]
    kernels = sorted(str(p) for p in (bd / "runtime" / "kernels").rglob("*.c"))
    tmp = d / "train.tmp.elf"
    run_gcc([*flags, "-ffp-contract=off", str(d / "train.c"), str(bd / "model.c"),
             str(bd / "weights.c"), str(bd / "runtime" / "startup.c"), *kernels, "-lm",
             "-T", str(d / "train.ld"), f"-Wl,-Map={d / 'train.map'}", "-o", str(tmp)])
    tmp.replace(elf)
    return elf
