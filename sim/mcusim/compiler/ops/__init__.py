"""One module per operator: the build-time half of each kernel (TFLM's Prepare).

Each module `ops/<op_lower>.py` defines:
    OPS = ("CONV_2D",)                         # builtin names it handles
    def check(node, g) -> None                 # raise UnsupportedModel naming op, node, tensor type
    def prepare(node, g) -> dict               # every constant the kernel needs, computed once
                                               # (multipliers, shifts, activation range, dims)
    def macs(node, g) -> int                   # multiply-accumulates of one invocation
    def emit(node, g, ctx) -> str              # C statements for the layer body, using ctx:
        ctx.ref(tensor_index) -> str           #   C pointer expression for a tensor (arena or flash)
        ctx.const(name_hint, array, ctype) -> str  # add a const array in flash, returns its name
        ctx.scratch(nbytes) -> str             #   pointer to scratch memory for this layer
        ctx.core -> str, ctx.dsp -> bool       #   target core; whether DSP kernels may be used
`prepare` is also what the host tests use to call the C kernels directly.
"""
