"""Generate the C project for an optimized, planned graph.

Layout of DIR (docs/compiler.md):
    model.h      the API: model_invoke(), buffer sizes, input/output quantization
    model.c      the arena, one noinline function per layer (mcusim_layer_<i>_<op>), model_invoke
    weights.c/h  const arrays in flash: weights, biases, requantization multipliers and shifts
    main.c       harness: input/output buffers in .noinit (the simulator fills and reads them)
    runtime/     start-up code and the kernels, copied from firmware/
    mcusim.ld    the board's linker script;  Makefile  rebuilds model.elf with the same flags
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from mcusim.compiler.checks import op_module
from mcusim.compiler.context import ConstPool, EmitContext, c_ident
from mcusim.compiler.errors import UnsupportedModel
from mcusim.compiler.ops import conv_pack
from mcusim.compiler.optimize import Optimized, root
from mcusim.compiler.planner import Plan, plan as make_plan

ARENA_ALIGN = 16


@dataclass
class Layer:
    position: int
    node_index: int             # TFLite operator index
    op: str
    function: str
    body: str
    macs: int
    kernel: str
    input_shapes: list[list[int]] = field(default_factory=list)
    output_shape: list[int] = field(default_factory=list)


@dataclass
class Generated:
    files: dict[str, str]       # relative path -> text
    plan: Plan
    layers: list[Layer]
    weights_bytes: int
    input_bytes: int
    output_bytes: int
    dsp: bool = True            # False: the kernels are compiled with -DMCUSIM_PORTABLE
    inputs: list = field(default_factory=list)      # the model's ports (modelio.Port)
    outputs: list = field(default_factory=list)

    @property
    def io_arena(self) -> dict:
        """Arena offsets of the model's inputs and outputs when the plan holds them, else {}."""
        return io_offsets(self.plan, self.inputs, self.outputs) if self.plan.io_arena else {}


def io_offsets(plan: Plan, inputs, outputs) -> dict:
    return {"inputs": [plan.offsets[p.tensor] for p in inputs],
            "outputs": [plan.offsets[p.tensor] for p in outputs]}


def layer_function(position: int, op: str) -> str:
    return f"mcusim_layer_{position}_{c_ident(op)}"


def _emit_all(opt: Optimized, plan: Plan | None, core: str, dsp: bool,
              group_caps: dict[int, int] | int = 1, optimized: bool = True,
              records_copy: frozenset | bool = frozenset()):
    consts = ConstPool()
    ctx = EmitContext(opt.graph, plan, opt.inputs, opt.outputs, core, dsp, consts, optimized)
    ctx.group_caps = group_caps
    ctx.records_copy = records_copy     # layers copying their records to RAM (_plan_copies)
    bodies = []
    for pos, node in enumerate(opt.graph.nodes):
        mod = op_module(node.op)
        if mod is None:
            raise UnsupportedModel(f"{opt.graph.name}: node {node.index}: operator {node.op} "
                                   f"is not supported")
        ctx.begin(pos, node)
        bodies.append(mod.emit(node, opt.graph, ctx))
    return bodies, ctx, consts


class _ScratchSizes:
    """Each layer's scratch bytes for a choice of group caps and record copies: an emit pass
    without a plan, whose result does not depend on where the model's I/O live, so the plans
    with the I/O outside and inside the arena share one pass per choice."""

    def __init__(self, opt: Optimized, core: str, dsp: bool, optimized: bool):
        self.args, self.memo = (opt, None, core, dsp), {}

    def __call__(self, caps, optimized: bool, copies=frozenset()) -> dict[int, int]:
        key = (tuple(sorted(caps.items())) if isinstance(caps, dict) else caps, optimized,
               copies)
        if key not in self.memo:
            self.memo[key] = _emit_all(*self.args, caps, optimized, copies)[1].scratch_sizes
        return self.memo[key]


def _plan_groups(opt: Optimized, core: str, dsp: bool, scratch: _ScratchSizes,
                 optimized: bool = True,
                 io_arena: bool = False) -> tuple[Plan, dict[int, int] | int]:
    """The plan and, per layer, the cap on the packed convolutions' groups of pixels per weight
    pass (conv_pack.groups_plan: more column scratch, fewer flash reads of the records): layer
    by layer the largest cap with which the arena stays as small as with one group per pass,
    so memory never pays for it."""
    sizes1 = scratch(1, optimized)
    base = make_plan(opt.graph, sizes1, io_arena)
    if not dsp or core not in conv_pack.BLOCK_CACHE_BYTES:
        return base, 1
    by_cap = {c: scratch(c, True) for c in (conv_pack.MAX_GROUPS, 8, 4, 2)}
    sizes, caps, plan = dict(sizes1), {}, base
    for pos in sorted(by_cap[conv_pack.MAX_GROUPS]):
        for c, ss in by_cap.items():
            if ss.get(pos, 0) == sizes.get(pos, 0):
                break               # no groups at this cap (nor below)
            trial = {**sizes, pos: ss[pos]}
            p = make_plan(opt.graph, trial, io_arena)
            if p.size <= base.size:
                sizes, caps[pos], plan = trial, c, p
                break
    return plan, caps


def _plan_copies(opt: Optimized, plan: Plan, dsp: bool, caps, scratch: _ScratchSizes,
                 optimized: bool = True) -> tuple[Plan, frozenset]:
    """The layers whose packed convolution copies its records into its scratch once per call
    (ops/conv_2d.py: the RGB and small-K 1x1 kernels, whose groups otherwise re-read the records
    through a flash data cache smaller than them, the M4's 256-byte ART), each taken only where
    the arena stays as small as without (layer by layer, as _plan_groups)."""
    if not dsp or not optimized:
        return plan, frozenset()
    base = scratch(caps, optimized)
    every = scratch(caps, optimized, True)
    sizes, chosen = dict(base), set()
    for pos in sorted(every):
        if every[pos] == sizes.get(pos, 0):
            continue
        trial = {**sizes, pos: every[pos]}
        p = make_plan(opt.graph, trial, plan.io_arena)
        if p.size <= plan.size:
            sizes, plan = trial, p
            chosen.add(pos)
    return plan, frozenset(chosen)


def _plan_all(opt: Optimized, core: str, dsp: bool, optimized: bool, io_arena: bool,
              scratch: _ScratchSizes):
    plan, caps = _plan_groups(opt, core, dsp, scratch, optimized, io_arena)
    plan, copies = _plan_copies(opt, plan, dsp, caps, scratch, optimized)
    return plan, caps, copies


def _choose_io(opt: Optimized, core: str, dsp: bool, optimized: bool, io_arena: bool | None):
    """The plan with the model's I/O outside the arena (the caller's buffers) or inside it
    (planner.plan io_arena): io_arena None takes the inside one only where arena + I/O is
    smaller, so it never costs memory (simple_add: the ADD's output over an input)."""
    io_bytes = _buffer_bytes(opt.inputs) + _buffer_bytes(opt.outputs)
    used = {root(opt.graph, t) for n in opt.graph.nodes for t in list(n.inputs) + list(n.outputs)
            if t >= 0}
    if io_arena is None and any(p.tensor not in used for p in opt.inputs + opt.outputs):
        io_arena = False        # a port no layer touches (an output that is an input): outside
    scratch = _ScratchSizes(opt, core, dsp, optimized)
    if io_arena is None:
        sizes = scratch(1, optimized)
        if make_plan(opt.graph, sizes, True).size >= make_plan(opt.graph, sizes).size + io_bytes:
            io_arena = False    # not smaller even before the groups and copies: outside
    if io_arena is not None:
        return _plan_all(opt, core, dsp, optimized, io_arena, scratch)
    outside = _plan_all(opt, core, dsp, optimized, False, scratch)
    inside = _plan_all(opt, core, dsp, optimized, True, scratch)
    return inside if inside[0].size < outside[0].size + io_bytes else outside


def generate(opt: Optimized, core: str, dsp: bool, optimized: bool = True,
             io_arena: bool | None = None) -> Generated:
    """optimized=False (`--kernels portable`): no build-time packed variant on any core.
    io_arena: the model's I/O in the arena (True), in the caller's buffers (False), or
    whichever gives the smaller arena + I/O (None, the default)."""
    # Pass 1 learns each layer's scratch size; pass 2 emits with the planned offsets.
    plan, caps, copies = _choose_io(opt, core, dsp, optimized, io_arena)
    bodies, _, consts = _emit_all(opt, plan, core, dsp, caps, optimized, copies)
    g = opt.graph
    layers = []
    for pos, (node, body) in enumerate(zip(g.nodes, bodies)):
        mod = op_module(node.op)
        kernels = re.findall(r"\b(mcusim_\w+_s8\w*)\s*\(", body)
        layers.append(Layer(
            position=pos, node_index=node.index, op=node.op,
            function=layer_function(pos, node.op), body=body,
            macs=int(mod.macs(node, g)) if hasattr(mod, "macs") else 0,
            kernel=kernels[0] if kernels else "",
            input_shapes=[list(g.t(t).shape) for t in node.inputs
                          if t >= 0 and not g.t(t).is_const],
            output_shape=list(g.t(node.outputs[0]).shape) if node.outputs else []))
    in_bytes = _buffer_bytes(opt.inputs)
    out_bytes = _buffer_bytes(opt.outputs)
    files = {
        "model.h": _model_h(opt, plan, in_bytes, out_bytes),
        "model.c": _model_c(opt, plan, layers),
        "weights.h": _weights_h(consts),
        "weights.c": _weights_c(consts),
        "main.c": _main_c(plan.io_arena),
    }
    return Generated(files, plan, layers, consts.nbytes, in_bytes, out_bytes, dsp,
                     list(opt.inputs), list(opt.outputs))


def _buffer_bytes(ports) -> int:
    return max((p.offset + p.size for p in ports), default=0)


def _ports_doc(kind: str, ports) -> str:
    lines = []
    for i, p in enumerate(ports):
        lines.append(f" *   {kind} {i} '{p.name}': int8 {list(p.shape)} at byte {p.offset}, "
                     f"real = {p.scale!r} * (q {'-' if p.zero_point >= 0 else '+'} {abs(p.zero_point)})"
                     + (" (float32 for the user: converted on the host)"
                        if p.dtype == "float32" else ""))
    return "\n".join(lines)


def _model_h(opt: Optimized, plan: Plan, in_bytes: int, out_bytes: int) -> str:
    g = opt.graph
    defs = []
    for kind, ports in (("INPUT", opt.inputs), ("OUTPUT", opt.outputs)):
        for i, p in enumerate(ports):
            defs.append(f"#define MODEL_{kind}{i}_OFFSET {p.offset}\n"
                        f"#define MODEL_{kind}{i}_SIZE {p.size}\n"
                        f"#define MODEL_{kind}{i}_SCALE {float(p.scale)!r}f\n"
                        f"#define MODEL_{kind}{i}_ZERO_POINT ({p.zero_point})")
            if plan.io_arena:
                defs.append(f"#define MODEL_{kind}{i}_ARENA_OFFSET {plan.offsets[p.tensor]}")
    if plan.io_arena:
        io = io_offsets(plan, opt.inputs, opt.outputs)
        api = """ * int model_invoke(const int8_t *input, int8_t *output);
 *   Runs the model once. The model's inputs and outputs live IN the arena `model_arena`
 *   (MODEL_ARENA_SIZE bytes, planned at build time with the activations; MODEL_IO_IN_ARENA):
 *   write input k at model_input(k) (MODEL_INPUT<k>_SIZE bytes), call model_invoke(NULL,
 *   NULL), read output k at model_output(k). The inference OVERWRITES its inputs (a layer may
 *   write its output over them): write them again before every call. Outputs stay valid until
 *   the next call. Non-NULL `input`/`output` are copied: every input from `input` (back to
 *   back, MODEL_INPUT<k>_OFFSET) before the run, every output to `output` after it.
 *   No heap, no other RAM. Returns 0, or a kernel's negative status.
 *   Not reentrant: one invocation at a time (the arena is shared)."""
        acc = f"""
static inline int8_t *model_input(int k)
{{
    static const uint32_t offset[] = {{{", ".join(map(str, io["inputs"])) or "0"}}};
    return model_arena + offset[k];
}}

static inline int8_t *model_output(int k)
{{
    static const uint32_t offset[] = {{{", ".join(map(str, io["outputs"])) or "0"}}};
    return model_arena + offset[k];
}}
"""
    else:
        api = """ * int model_invoke(const int8_t *input, int8_t *output);
 *   Runs the model once. `input` holds every model input back to back (MODEL_INPUT_BYTES),
 *   `output` receives every output (MODEL_OUTPUT_BYTES); both are int8, quantized as below.
 *   Activations live in the static arena `model_arena` (MODEL_ARENA_SIZE bytes, planned at
 *   build time); no heap, no other RAM. Returns 0, or a kernel's negative status.
 *   Not reentrant: one invocation at a time (the arena is shared)."""
        acc = ""
    return f"""/* model.h - generated by mcusim from {g.name}. The whole API of the model.
 *
{api}
 *
{_ports_doc("input", opt.inputs)}
{_ports_doc("output", opt.outputs)}
 */
#ifndef MODEL_H
#define MODEL_H

#include <stdint.h>

#define MODEL_ARENA_SIZE {plan.size}
#define MODEL_IO_IN_ARENA {int(plan.io_arena)}
#define MODEL_INPUT_BYTES {in_bytes}
#define MODEL_OUTPUT_BYTES {out_bytes}
#define MODEL_NUM_INPUTS {len(opt.inputs)}
#define MODEL_NUM_OUTPUTS {len(opt.outputs)}
{chr(10).join(defs)}

extern int8_t model_arena[];
int model_invoke(const int8_t *input, int8_t *output);
{acc}
#endif /* MODEL_H */
"""


def _model_c(opt: Optimized, plan: Plan, layers: list[Layer]) -> str:
    g = opt.graph
    out = [f"""/* model.c - generated by mcusim from {g.name}: {len(layers)} layers.
 * Layer i runs in mcusim_layer_<i>_<op> (noinline, so a profiler sees each layer's cycles).
 * Tensors are at fixed offsets in model_arena (see the plan below); I/O are the caller's. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "mcusim_nn.h"
#include "model.h"
#include "weights.h"

/* The arena is in .noinit: start-up code does not zero it, so the simulator's high-water mark
 * of writes to it is the layers' own use. */
int8_t model_arena[MODEL_ARENA_SIZE > 0 ? MODEL_ARENA_SIZE : {ARENA_ALIGN}]
    __attribute__((section(".noinit.model_arena"), aligned({ARENA_ALIGN})));

/* Arena plan: buffer, bytes, offset, live from layer to layer"""]
    for b in sorted(plan.buffers, key=lambda b: b.offset):
        what = (f"scratch of layer {b.key[1:]}" if b.key.startswith("s")
                else "tensor " + ", ".join(str(t) for t in sorted(set(b.tensors))))
        out.append(f" *   {what:<32} {b.size:>7} B at {b.offset:>7}, layers {b.first}..{b.last}")
    for pos, inp, outp, d in plan.overlaps:
        out.append(f" * layer {pos} streams its output over its consumed input: buffer {inp} starts "
                   f">= {d} B after buffer {outp} (planner.stream_delta)")
    out.append(" */\n")
    for L in layers:
        node = g.nodes[L.position]
        outs = ", ".join(f"t{t}{list(g.t(t).shape)}" for t in node.outputs)
        ins = ", ".join(f"t{t}{list(g.t(t).shape)}" for t in node.inputs if t >= 0)
        opts = ", ".join(f"{k}={v}" for k, v in sorted(node.options.items())
                         if k in ("padding", "stride_w", "stride_h", "fused_activation_function",
                                  "depth_multiplier", "dilation_w_factor", "dilation_h_factor"))
        body = "\n".join("    " + l if l.strip() else "" for l in L.body.strip("\n").splitlines())
        out.append(f"""/* layer {L.position}: {L.op} (TFLite node {L.node_index}) {ins} -> {outs}
 * {opts or 'no options'}; {L.macs} MACs */
__attribute__((noinline)) int {L.function}(const int8_t *input, int8_t *output)
{{
    (void)input;
    (void)output;
{body}
    return 0;
}}
""")
    calls = "\n".join(f"    if ((rc = {L.function}(input, output)) != 0)\n        return rc;"
                      for L in layers)
    copy_in = copy_out = ""
    if plan.io_arena:           # the I/O live in the arena; a caller's buffers are copied
        copy_in = "".join(f"        memcpy(model_arena + {plan.offsets[p.tensor]}, input + "
                          f"{p.offset}, {p.size});\n" for p in opt.inputs)
        copy_in = f"    if (input != NULL) {{\n{copy_in}    }}\n" if copy_in else ""
        copy_out = "".join(f"        memcpy(output + {p.offset}, model_arena + "
                           f"{plan.offsets[p.tensor]}, {p.size});\n" for p in opt.outputs)
        copy_out = f"    if (output != NULL) {{\n{copy_out}    }}\n" if copy_out else ""
    out.append(f"""int model_invoke(const int8_t *input, int8_t *output)
{{
    int rc;
{copy_in}{calls}
{copy_out}    (void)rc;
    return 0;
}}
""")
    return "\n".join(out)


def _format_array(arr: np.ndarray, ctype: str) -> str:
    if ctype == "float":
        vals = [repr(float(v)) + "f" for v in arr.astype(np.float32).tolist()]
    else:
        vals = [str(int(v)) for v in arr.tolist()]
        if ctype == "int32_t":      # INT32_MIN has no literal; write it as an expression
            vals = ["(-2147483647 - 1)" if v == "-2147483648" else v for v in vals]
    per = 16 if ctype in ("int8_t", "uint8_t") else 8
    return ",\n".join("    " + ", ".join(vals[i:i + per]) for i in range(0, len(vals), per))


def _weights_h(consts: ConstPool) -> str:
    decls = "\n".join(f"extern const {ct} {name}[{max(1, a.size)}];"
                      for name, ct, a in consts.arrays)
    return f"""/* weights.h - generated by mcusim: the model's constants ({consts.nbytes} bytes). */
#ifndef WEIGHTS_H
#define WEIGHTS_H

#include <stdint.h>

{decls}

#endif /* WEIGHTS_H */
"""


def _weights_c(consts: ConstPool) -> str:
    parts = ["/* weights.c - generated by mcusim: weights, biases and the requantization\n"
             " * multipliers/shifts computed at build time. const: they stay in flash. */\n"
             "#include \"weights.h\"\n"]
    for name, ct, a in consts.arrays:
        body = _format_array(a, ct) if a.size else "    0"
        parts.append(f"const {ct} {name}[{max(1, a.size)}] __attribute__((aligned(4))) = {{\n"
                     f"{body}\n}};\n")
    return "\n".join(parts)


def _main_c(io_arena: bool = False) -> str:
    if io_arena:
        return """/* main.c - generated by mcusim: run the model once on the input in the arena.
 *
 * The model's inputs and outputs live in model_arena (model.h: model_input(k),
 * model_output(k)). The simulator writes the inputs there when model_invoke starts and reads
 * the outputs after exit (on hardware, fill model_input(k) from your sensor instead).
 * The exit status is model_invoke's (0 = success), reported through semihosting. */
#include <stddef.h>
#include <stdint.h>
#include "model.h"

int main(void)
{
    int rc = model_invoke(NULL, NULL);
    return rc == 0 ? 0 : 1;
}
"""
    return """/* main.c - generated by mcusim: run the model once on the input in mcusim_input.
 *
 * mcusim_input and mcusim_output are in .noinit: the simulator writes the input before reset
 * and reads the output after exit (on hardware, fill mcusim_input from your sensor instead).
 * The exit status is model_invoke's (0 = success), reported through semihosting. */
#include <stdint.h>
#include "model.h"

int8_t mcusim_input[MODEL_INPUT_BYTES > 0 ? MODEL_INPUT_BYTES : 4]
    __attribute__((section(".noinit.mcusim_input"), aligned(8)));
int8_t mcusim_output[MODEL_OUTPUT_BYTES > 0 ? MODEL_OUTPUT_BYTES : 4]
    __attribute__((section(".noinit.mcusim_output"), aligned(8)));

int main(void)
{
    int rc = model_invoke(mcusim_input, mcusim_output);
    return rc == 0 ? 0 : 1;
}
"""
