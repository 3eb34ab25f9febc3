"""Write train.npz and eval.npz for `mcusim train` on the MLPerf Tiny KWS model: two new classes
(two patterns over the 49 x 10 MFCC grid plus noise), labelled with outputs 2 and 5:

    python examples/train_new_classes.py
    mcusim train models/kws_ref_model.tflite --board stm32f4 --data train.npz --eval eval.npz
"""
import numpy as np


def kws_classes(n: int, seed: int, labels=(2, 5)):
    """n int8 49x10x1 MFCC grids of two new classes (two patterns plus noise) and their labels."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = rng.normal(0, 25, (n, 49, 10, 1))
    t = np.arange(49)[:, None, None]
    a = 60 * np.sin(2 * np.pi * t / 12.0) * (np.arange(10)[None, :, None] < 5)
    b = 60 * np.cos(2 * np.pi * t / 7.0) * (np.arange(10)[None, :, None] >= 5)
    x += np.where(y[:, None, None, None] == 0, a, b)
    return np.clip(np.round(x), -128, 127).astype(np.int8), np.array(labels)[y]


def dnn_classes(n: int, seed: int, labels=(3, 7)):
    """The same for the 250-feature float input of ARM's DNN-S KWS model (bench_train, tests)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = rng.normal(0, 10, (n, 250))
    x += np.where(y[:, None] == 0, 40 * np.sin(np.arange(250) / 5.0),
                  40 * np.cos(np.arange(250) / 3.0))
    return x.astype(np.float32), np.array(labels)[y]


if __name__ == "__main__":
    for name, seed in (("train", 1), ("eval", 2)):
        x, y = kws_classes(20, seed)
        np.savez(f"{name}.npz", x=x, y=y)
        print(f"wrote {name}.npz: x {list(x.shape)} int8, y {sorted(set(y.tolist()))}")
