"""`mcusim train`: data files in, the head trained on the simulated MCU, figures out."""
from __future__ import annotations

import struct
import tempfile
from pathlib import Path

import numpy as np

from mcusim import files
from mcusim.errors import BadInput
from mcusim.train import firmware, fixed, reference

ARITHMETIC = ("float", "fixed")


def load_set(path: Path, what: str, port, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    """(int8 inputs [n, size], labels [n]) from an .npz with `x` and `y`."""
    path = files.input_file(path, what, "an .npz file with x and y")
    try:
        with np.load(path, allow_pickle=False) as z:
            if "x" not in z or "y" not in z:
                raise BadInput(f"{what} {path}: needs arrays x and y (has {sorted(z.files)})")
            x, y = np.asarray(z["x"]), np.asarray(z["y"])
    except (ValueError, OSError, EOFError) as e:
        raise BadInput(f"{what} {path}: not a readable .npz ({e})") from None
    if y.ndim != 1 or len(y) == 0 or len(x) != len(y):
        raise BadInput(f"{what} {path}: y must be a non-empty 1-D array with one label per "
                       f"sample of x ({len(x)} samples, y shape {list(y.shape)})")
    if not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() >= n_out:
        raise BadInput(f"{what} {path}: labels must be whole numbers 0..{n_out - 1} (the "
                       f"model's outputs), got {y.min()}..{y.max()}")
    if x.size != len(y) * port.size:
        raise BadInput(f"{what} {path}: each sample of x must hold {port.size} values "
                       f"{list(port.shape)}, x has shape {list(x.shape)}")
    if x.dtype != np.int8 and not np.issubdtype(x.dtype, np.floating):
        raise BadInput(f"{what} {path}: x must be int8 (quantized) or float, got {x.dtype}")
    from mcusim.compiler import modelio
    q = np.stack([modelio.to_firmware(port, s, what) for s in x.reshape(len(y), -1)])
    return q.astype(np.int8), y.astype(np.int64)


def train(model: Path, board, data: Path, eval_data: Path, epochs: int = 5, lr: float = 0.05,
          kernels: str = "auto", options=None, arithmetic: str | None = None) -> dict:
    """`arithmetic`: "float" (float32 SGD) or "fixed" (fixed.py); default fixed point on cores
    without an FPU, float32 on the others."""
    from mcusim.api import RunOptions
    from mcusim.compiler.build import compile_model, frontend
    from mcusim.sim.runner import run_elf
    if arithmetic is None:
        arithmetic = "float" if board.has_fpu else "fixed"
    if arithmetic not in ARITHMETIC:
        raise BadInput(f"--arithmetic: float or fixed, got {arithmetic!r}")
    if epochs < 1:
        raise BadInput(f"--epochs: at least 1, got {epochs}")
    if not (np.isfinite(lr) and lr > 0):
        raise BadInput(f"--lr: a positive number, got {lr}")
    model = files.input_file(model, expected="a .tflite model")
    for path, what in ((data, "--data"), (eval_data, "--eval")):   # before a long build
        files.input_file(path, what, "an .npz file with x and y")
    built = compile_model(model, board, kernels)
    opt = frontend(files.read_bytes(model), model.name)
    head = firmware.find_head(opt, built)
    port = built.inputs[0]
    xt, yt = load_set(data, "--data", port, head.n_out)
    xe, ye = load_set(eval_data, "--eval", port, head.n_out)
    fx = None
    if arithmetic == "fixed":
        fmt = fixed.choose(head)
        fx = (fmt, fixed.update(lr, head.feat_scale, fmt.frac))
    elf = firmware.build(built, head, board, fx)
    with tempfile.TemporaryDirectory(prefix="mcusim-train-") as tmp:
        tmp = Path(tmp)
        rec = np.concatenate([xt.view(np.uint8), yt.astype(np.uint8)[:, None]], axis=1)
        (tmp / "train.bin").write_bytes(rec.tobytes())
        (tmp / "eval.bin").write_bytes(xe.tobytes())
        paths = [str(tmp / n).encode() for n in ("train.bin", "eval.bin", "feat.bin")]
        if max(map(len, paths)) >= firmware.PATH_BYTES:
            raise BadInput(f"temporary folder path too long for the firmware: {tmp}")
        cfg = struct.pack("<IIIf", len(yt), len(ye), epochs, lr) + b"".join(
            p.ljust(firmware.PATH_BYTES, b"\0") for p in paths)
        box: dict = {}

        def setup(m):
            m.write(m.elf.symbol("train_config"), cfg)

        def teardown(m):
            for name, n in (("train_w", head.n_in * head.n_out), ("train_b", head.n_out)):
                box[name] = np.frombuffer(bytes(m.read(m.elf.symbol(name), 4 * n)), np.float32)

        opts = options or RunOptions()
        result = run_elf(elf, board, opts, setup=setup, teardown=teardown)
        if result.stop.reason != "exit" or result.exit_code != 0:
            raise BadInput(f"training firmware stopped: {result.stop.reason}, exit "
                           f"{result.exit_code}")
        feats = np.fromfile(tmp / "feat.bin", np.int32 if fx else np.float32)
    n_e, n_t = len(ye), len(yt)
    if feats.size != (n_e + n_t) * head.n_in:
        raise BadInput(f"training firmware wrote {feats.size} features, expected "
                       f"{(n_e + n_t) * head.n_in}")
    fe = feats[:n_e * head.n_in].reshape(n_e, head.n_in)
    ft = feats[n_e * head.n_in:].reshape(n_t, head.n_in)
    w = box["train_w"].reshape(head.n_out, head.n_in)
    b = box["train_b"]
    if fx:
        w, b = w.view(np.int32), b.view(np.int32)
        rw, rb = fixed.train(fx[0], ft, yt, epochs, fx[1])
        acc_before = fixed.accuracy(fx[0].w, fx[0].b, fe, ye)
        acc_after = fixed.accuracy(w, b, fe, ye)
    else:
        rw, rb = reference.train(head.w, head.b, ft, yt, epochs, lr)
        acc_before = reference.accuracy(head.w, head.b, fe, ye)
        acc_after = reference.accuracy(w, b, fe, ye)
    fn = {f.name: f for f in result.functions}
    step, bb = fn.get("mcusim_train_step"), fn.get("mcusim_train_backbone")
    step_cycles = step.total_cycles // max(1, step.calls) if step else 0
    objs = {n: s for n, _, s in result_objects(elf)}
    mem = {"weights": objs.get("train_w", 0) + objs.get("train_b", 0),
           "gradients": objs.get("train_prob", 0) + objs.get("train_z", 0),
           "activations": objs.get("train_feat", 0) + objs.get("train_x", 0)}
    mem["total"] = sum(mem.values())
    return {
        "schema": "mcusim-train/1", "board": result.board, "core": result.core,
        "clock_hz": result.clock_hz, "model": str(model), "head_layer": head.position,
        "head_shape": [head.n_out, head.n_in], "samples": n_t, "eval_samples": n_e,
        "epochs": epochs, "lr": lr, "arithmetic": arithmetic,
        "fixed_format": ({"weights": f"Q{fx[0].frac} (W * feature scale)", "bias": f"Q{fx[0].frac}",
                          "features": "int32 q - zero_point", "gradient": "Q0.31"} if fx else None),
        "accuracy_before": acc_before, "accuracy_after": acc_after,
        "reference_identical": bool(np.array_equal(w.view(np.uint32), rw.view(np.uint32))
                                    and np.array_equal(b.view(np.uint32), rb.view(np.uint32))),
        "step_cycles": step_cycles, "step_s": step_cycles / result.clock_hz,
        # the run's energy per cycle times the step's cycles (energy is not split by function)
        "step_energy_uj": result.energy_uj * step_cycles / result.cycles if result.cycles else 0,
        "backbone_cycles": bb.total_cycles // max(1, bb.calls) if bb else 0,
        "train_memory_bytes": mem["total"], "train_memory": mem,
        "arena_bytes": built.arena, "cycles": result.cycles, "time_s": result.time_s,
        "energy_uj": result.energy_uj,
    }


def result_objects(elf: Path):
    from mcusim.sim.elf import load_elf
    return load_elf(elf).objects
