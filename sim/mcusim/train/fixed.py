"""Fixed-point training of the head for cores without an FPU (the M0+), and its host reference.

Formats (one per-tensor power-of-two exponent F, chosen from the model):
- features: x = q - zero_point, the head's int8 input as an integer (|x| <= 255; int32, as the
  M0+ has no LDRSH with an immediate offset);
- weights:  V = W * s_x (the feature scale folded in, so the logit is b + sum V x), int32 in
  Q(F): V_real = Vq / 2^F; F puts the model's largest |V| at 2^21, 4x under the 2^23 - 1 clamp
  that keeps every product Vq * x inside int32 (|x| < 2^8);
- bias:     int32 in Q(F); logits summed in int64 (products exact in int32);
- softmax:  z - max(z) moved to Q5.26 (clamped at -32) for gemmlowp's exp_on_negative_values
  (mcusim_nn_support.h, Q0.31 out); p = round(e * 2^31 / sum e) by one unsigned 64-bit division;
- gradient: g = p - onehot(label) in Q0.31 (exact in int32);
- SGD: bias  b -= lr g:        t = srdhm(g, M_b), b -= rdivpot(t, 31 + k_b - F);
       weights V -= lr s_x^2 g x: t = srdhm(g, M_w), u = rdivpot(t, 8),
                                  V -= rdivpot(u * x, 23 + k_w - F), clamped to +-(2^23 - 1);
  where lr = M_b 2^-31 2^-k_b and lr s_x^2 = M_w 2^-31 2^-k_w (M in [2^30, 2^31)).
Rounding is gemmlowp's everywhere (srdhm: round half up; rdivpot: half away from zero), so the
reference below (Python ints for scalars, numpy int64 for the rows) repeats it bit for bit."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mcusim.errors import BadInput

WMAX = (1 << 23) - 1
I32_MIN, I32_MAX = -(1 << 31), (1 << 31) - 1


@dataclass
class Format:
    frac: int                   # F: weights and bias are Q(F)
    w: np.ndarray               # int32 [n_out, n_in], V * 2^F rounded
    b: np.ndarray               # int32 [n_out]


def choose(head) -> Format:
    v = head.w.astype(np.float64) * head.feat_scale
    b = head.b.astype(np.float64)
    vmax = max(float(np.abs(v).max()), 1e-30)
    frac = min(30, math.floor(math.log2((1 << 21) / vmax)))
    bmax = float(np.abs(b).max()) if b.size else 0.0
    while frac > 0 and bmax * 2.0 ** frac >= (1 << 30):
        frac -= 1
    if frac < 0:
        raise BadInput("the head's weights are too large for the fixed-point format")
    wq = np.clip(np.round(v * 2.0 ** frac), -WMAX, WMAX).astype(np.int32)
    bq = np.round(b * 2.0 ** frac).astype(np.int32)
    return Format(frac, wq, bq)


def multiplier(x: float, what: str) -> tuple[int, int]:
    """x = M 2^-31 2^-k with M in [2^30, 2^31) and k >= 0."""
    mant, e = math.frexp(x)
    m = round(mant * (1 << 31))
    if m == 1 << 31:
        m, e = m // 2, e + 1
    if e > 0:
        raise BadInput(f"--lr: {what} = {x:g} must be below 1 for fixed-point training")
    return m, -e


@dataclass
class Update:
    m_b: int
    shift_b: int                # rdivpot exponent of the bias update
    m_w: int
    shift_w: int                # rdivpot exponent of the weight update (after the >> 8)


def update(lr: float, feat_scale: float, frac: int) -> Update:
    m_b, k_b = multiplier(lr, "lr")
    m_w, k_w = multiplier(lr * feat_scale * feat_scale, "lr * feature scale^2")
    sb, sw = 31 + k_b - frac, 23 + k_w - frac
    for s, what in ((sb, "bias"), (sw, "weight")):
        if not 0 <= s <= 31:
            raise BadInput(f"--lr {lr:g}: the {what} update shift {s} is outside 0..31 for "
                           f"weights in Q{frac}; choose a learning rate nearer 0.05")
    return Update(m_b, sb, m_w, sw)


# ---- gemmlowp arithmetic on Python ints (as mcusim_nn_support.h) ----

def wrap(v: int) -> int:
    return ((v + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


def srdhm(a: int, b: int) -> int:
    if a == b == I32_MIN:
        return I32_MAX
    return (a * b + (1 << 30)) >> 31


def rdivpot(x, e: int):
    """Rounding shift right, ties away from zero: ints or numpy int64 arrays."""
    mask = (1 << e) - 1
    neg = (x < 0).astype(np.int64) if isinstance(x, np.ndarray) else int(x < 0)
    return (x >> e) + ((x & mask) > (mask >> 1) + neg)


def sat_shl(x: int, e: int) -> int:
    t = (1 << (31 - e)) - 1
    return I32_MAX if x > t else I32_MIN if x < -t else wrap(x << e)


def exp_quarter(a: int) -> int:
    c, third = 1895147668, 715827883
    x = wrap(a + (1 << 28))
    x2 = srdhm(x, x)
    x3 = srdhm(x2, x)
    x4 = srdhm(x2, x2)
    poly = rdivpot(wrap(srdhm(wrap(rdivpot(x4, 2) + x3), third) + x2), 1)
    return wrap(c + srdhm(c, wrap(x + poly)))


MULTS = [1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242]


def exp_on_negative_values(a: int, integer_bits: int) -> int:
    fb = 31 - integer_bits
    quarter = 1 << (fb - 2)
    amq = wrap((a & (quarter - 1)) - quarter)
    r = exp_quarter(sat_shl(amq, integer_bits) if integer_bits > 0 else amq)
    rem = wrap(amq - a)
    for k, m in enumerate(MULTS):
        if integer_bits > k - 2 and rem & (1 << (fb + k - 2)):
            r = srdhm(r, m)
    if integer_bits > 5 and a < -(1 << (36 - integer_bits)):
        r = 0
    return I32_MAX if a == 0 else r


def to_q26(d: int, frac: int) -> int:
    """z - max(z) (<= 0, Q(frac), int64) as Q5.26, clamped to int32."""
    if frac > 26:
        d = int(rdivpot(d, frac - 26))
    elif frac < 26:
        d = I32_MIN if d < (I32_MIN >> (26 - frac)) else d * (1 << (26 - frac))
    return max(d, I32_MIN)


def step(w: np.ndarray, b: np.ndarray, x: np.ndarray, label: int, frac: int, u: Update) -> None:
    """One fixed-point SGD step, in place (w, b int64 arrays holding int32 values)."""
    z = [int(v) for v in b + w @ x]     # exact: int32 products, int64 sums
    m = max(z)
    e = [exp_on_negative_values(to_q26(v - m, frac), 5) for v in z]
    s = sum(e)
    for o in range(len(z)):
        p = min(((e[o] << 31) + s // 2) // s, I32_MAX)
        g = p - ((1 << 31) if o == label else 0)
        b[o] = min(max(int(b[o]) - rdivpot(srdhm(g, u.m_b), u.shift_b), I32_MIN), I32_MAX)
        uu = rdivpot(srdhm(g, u.m_w), 8)
        w[o] = np.clip(w[o] - rdivpot(uu * x, u.shift_w), -WMAX, WMAX)


def train(fmt: Format, xs: np.ndarray, labels: np.ndarray, epochs: int, u: Update):
    w, b = fmt.w.astype(np.int64), fmt.b.astype(np.int64)
    for _ in range(epochs):
        for x, y in zip(xs.astype(np.int64), labels):
            step(w, b, x, int(y), fmt.frac, u)
    return w.astype(np.int32), b.astype(np.int32)


def accuracy(w: np.ndarray, b: np.ndarray, xs: np.ndarray, labels: np.ndarray) -> float:
    if len(labels) == 0:
        return 0.0
    logits = xs.astype(np.int64) @ w.astype(np.int64).T + b.astype(np.int64)
    return float(np.mean(np.argmax(logits, axis=1) == labels))


def step_c(head, fmt: Format, u: Update) -> str:
    """The C of the fixed-point head: arrays and mcusim_train_step(label)."""
    def ints(name, ctype, a):
        vals = [str(int(v)) for v in a.reshape(-1)]
        rows = ",\n".join("    " + ", ".join(vals[i:i + 10]) for i in range(0, len(vals), 10))
        return f"{ctype} {name}[{len(vals)}] = {{\n{rows}\n}};\n"
    f, sw = fmt.frac, u.shift_w
    if sw == 0:
        dv = "v"
    elif sw <= 23:      # rdivpot as one add: |v| <= 2^23 * 255, so v + 2^(sw-1) cannot overflow
        dv = f"(v + ({1 << (sw - 1)} - (int32_t)((uint32_t)v >> 31))) >> {sw}"
    else:
        dv = f"mcusim_rdivpot(v, {sw})"
    if f > 26:
        conv = (f"d = train_rshift64(d, {f - 26});\n"
                "        a = d < INT32_MIN ? INT32_MIN : (int32_t)d;")
    elif f < 26:
        conv = (f"a = d < ((int64_t)INT32_MIN >> {26 - f}) ? INT32_MIN : "
                f"(int32_t)(d * ((int64_t)1 << {26 - f}));")
    else:
        conv = "a = d < INT32_MIN ? INT32_MIN : (int32_t)d;"
    return f"""/* fixed point (sim/mcusim/train/fixed.py): V = W * s_x and b in Q{f}, x = q - zp */
{ints("train_w", "int32_t", fmt.w)}{ints("train_b", "int32_t", fmt.b)}int32_t train_x[N_IN];
int64_t train_z[N_OUT];
int32_t train_prob[N_OUT];

/* rounding shift right of an int64, ties away from zero (e >= 1) */
static int64_t train_rshift64(int64_t x, int e)
{{
    const int64_t mask = ((int64_t)1 << e) - 1;
    const int64_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> e) + ((x & mask) > threshold ? 1 : 0);
}}

__attribute__((noinline)) void mcusim_train_step(int label)
{{
    int64_t m = 0;
    for (int o = 0; o < N_OUT; o++) {{
        int64_t acc = train_b[o];
        const int32_t *w = &train_w[o * N_IN];
        for (int i = 0; i < N_IN; i++)
            acc += w[i] * train_x[i];           /* int32 product: |w| < 2^23, |x| < 2^8 */
        train_z[o] = acc;
        if (o == 0 || acc > m)
            m = acc;
    }}
    uint64_t s = 0;
    for (int o = 0; o < N_OUT; o++) {{
        int64_t d = train_z[o] - m;
        int32_t a;
        {conv}
        train_prob[o] = mcusim_exp_on_negative_values(a, 5);
        s += (uint32_t)train_prob[o];
    }}
    for (int o = 0; o < N_OUT; o++) {{
        uint64_t p = (((uint64_t)(uint32_t)train_prob[o] << 31) + s / 2) / s;
        if (p > INT32_MAX)
            p = INT32_MAX;
        const int32_t g = (int32_t)((int64_t)p - (o == label ? ((int64_t)1 << 31) : 0));
        int64_t nb = (int64_t)train_b[o] - mcusim_rdivpot(mcusim_srdhm(g, {u.m_b}), {u.shift_b});
        train_b[o] = nb < INT32_MIN ? INT32_MIN : nb > INT32_MAX ? INT32_MAX : (int32_t)nb;
        const int32_t t = mcusim_rdivpot(mcusim_srdhm(g, {u.m_w}), 8);
        int32_t *w = &train_w[o * N_IN];
        for (int i = 0; i < N_IN; i++) {{
            const int32_t v = t * train_x[i];
            const int32_t nw = w[i] - ({dv});
            w[i] = nw < -{WMAX} ? -{WMAX} : nw > {WMAX} ? {WMAX} : nw;
        }}
    }}
}}
"""
