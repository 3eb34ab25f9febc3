"""The training step of firmware.py in numpy float32, in the firmware's order of operations.

Every operation is one IEEE single-precision operation, rounded, as on the FPU (or gcc's soft
float on cores without one) with -ffp-contract=off; sums run in the firmware's order (numpy's
pairwise np.sum would not), so the weights come out identical, bit for bit."""
from __future__ import annotations

import numpy as np

F = np.float32
LOG2E, LN2 = F(1.44269502), F(0.693147182)
# exp on [0, ln 2): Taylor coefficients, Horner from the highest
EXP_C = [F(0.00138888892), F(0.00833333377), F(0.0416666679), F(0.166666672), F(0.5), F(1.0),
         F(1.0)]


def exp_neg(x: np.float32) -> np.float32:
    """mcusim_train_exp: exp(x) for x <= 0 as range reduction 2^k e^r and a degree-6 poly."""
    x = max(F(x), F(-80.0))
    kf = np.floor(F(x * LOG2E))
    r = F(x - F(kf * LN2))
    p = EXP_C[0]
    for c in EXP_C[1:]:
        p = F(F(p * r) + c)
    return F(np.ldexp(p, int(kf)))


def features(q: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    return (F(scale) * (q.astype(np.int32) - zero_point).astype(F)).astype(F)


def step(w: np.ndarray, b: np.ndarray, f: np.ndarray, label: int, lr: np.float32) -> None:
    """One SGD step of softmax cross-entropy on (f, label), in place."""
    n_out, n_in = w.shape
    z = b.copy()
    for i in range(n_in):                       # acc = acc + w[o][i] * f[i], i in order
        z = (z + (w[:, i] * f[i]).astype(F)).astype(F)
    m = z[0]
    for o in range(1, n_out):
        if z[o] > m:
            m = z[o]
    e = np.array([exp_neg(F(z[o] - m)) for o in range(n_out)], dtype=F)
    s = F(0.0)
    for o in range(n_out):
        s = F(s + e[o])
    for o in range(n_out):
        g = F(F(e[o] / s) - (F(1.0) if o == label else F(0.0)))
        gl = F(lr * g)
        b[o] = F(b[o] - gl)
        w[o, :] = (w[o, :] - (gl * f).astype(F)).astype(F)


def train(w: np.ndarray, b: np.ndarray, feats: np.ndarray, labels: np.ndarray, epochs: int,
          lr: float) -> tuple[np.ndarray, np.ndarray]:
    w, b = w.astype(F).copy(), b.astype(F).copy()
    for _ in range(epochs):
        for f, y in zip(feats, labels):
            step(w, b, f.astype(F), int(y), F(lr))
    return w, b


def accuracy(w: np.ndarray, b: np.ndarray, feats: np.ndarray, labels: np.ndarray) -> float:
    if len(labels) == 0:
        return 0.0
    logits = feats.astype(np.float64) @ w.astype(np.float64).T + b.astype(np.float64)
    return float(np.mean(np.argmax(logits, axis=1) == labels))
