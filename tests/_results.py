"""Realistic RunResult fixtures for the report, export, budget and HTML tests.

`kws_result()` mirrors what `mcusim run models/kws_ref_model.tflite --board stm32f4` produces for
the MLPerf Tiny DS-CNN keyword-spotting model (13 layers, 8000-byte activations ping-ponging in a
16000-byte arena); `elf_result()` a plain firmware run. Functions, stacks and events are derived
from one call-stack list so they agree with each other the way the profiler's output does.
"""
from __future__ import annotations

from collections import defaultdict

from mcusim.result import FunctionStat, LayerStat, MemoryStat, RunResult, Section, Stop

CLOCK = 168_000_000

# (op, kernel function, input shapes, output shape, MACs, cycles)
KWS_LAYERS = [
    ("CONV_2D", "arm_convolve_s8", [[1, 49, 10, 1]], [1, 25, 5, 64], 320_000, 1_104_230),
    ("DEPTHWISE_CONV_2D", "arm_depthwise_conv_3x3_s8", [[1, 25, 5, 64]], [1, 25, 5, 64], 72_000, 251_870),
    ("CONV_2D", "arm_convolve_1x1_s8_fast", [[1, 25, 5, 64]], [1, 25, 5, 64], 512_000, 702_115),
    ("DEPTHWISE_CONV_2D", "arm_depthwise_conv_3x3_s8", [[1, 25, 5, 64]], [1, 25, 5, 64], 72_000, 251_866),
    ("CONV_2D", "arm_convolve_1x1_s8_fast", [[1, 25, 5, 64]], [1, 25, 5, 64], 512_000, 702_117),
    ("DEPTHWISE_CONV_2D", "arm_depthwise_conv_3x3_s8", [[1, 25, 5, 64]], [1, 25, 5, 64], 72_000, 251_869),
    ("CONV_2D", "arm_convolve_1x1_s8_fast", [[1, 25, 5, 64]], [1, 25, 5, 64], 512_000, 702_120),
    ("DEPTHWISE_CONV_2D", "arm_depthwise_conv_3x3_s8", [[1, 25, 5, 64]], [1, 25, 5, 64], 72_000, 251_868),
    ("CONV_2D", "arm_convolve_1x1_s8_fast", [[1, 25, 5, 64]], [1, 25, 5, 64], 512_000, 702_119),
    ("AVERAGE_POOL_2D", "arm_avgpool_s8", [[1, 25, 5, 64]], [1, 1, 1, 64], 8_000, 21_410),
    ("RESHAPE", "", [[1, 1, 1, 64]], [1, 64], 0, 112),
    ("FULLY_CONNECTED", "arm_fully_connected_s8", [[1, 64]], [1, 12], 768, 2_030),
    ("SOFTMAX", "arm_softmax_s8", [[1, 12]], [1, 12], 0, 3_551),
]

# (tensor, name, offset, size, first, last): activations ping-pong between two 8000-byte halves.
KWS_PLAN = [
    (0, "input_1", 8000, 490, 0, 0),
    (1, "conv2d/Relu", 0, 8000, 0, 1),
    (2, "depthwise_conv2d/Relu", 8000, 8000, 1, 2),
    (3, "conv2d_1/Relu", 0, 8000, 2, 3),
    (4, "depthwise_conv2d_1/Relu", 8000, 8000, 3, 4),
    (5, "conv2d_2/Relu", 0, 8000, 4, 5),
    (6, "depthwise_conv2d_2/Relu", 8000, 8000, 5, 6),
    (7, "conv2d_3/Relu", 0, 8000, 6, 7),
    (8, "depthwise_conv2d_3/Relu", 8000, 8000, 7, 8),
    (9, "conv2d_4/Relu", 0, 8000, 8, 9),
    (10, "average_pooling2d/AvgPool", 8000, 64, 9, 10),
    (11, "flatten/Reshape", 0, 64, 10, 11),
    (12, "dense/MatMul", 64, 12, 11, 12),
    (13, "Identity", 8000, 12, 12, 12),
]

STARTUP = ["Reset_Handler", "main"]


def _from_stacks(stacks: list[tuple[list[str], int, int]]):
    """FunctionStats (self/inclusive cycles, calls) from (stack, cycles, calls-of-leaf)."""
    selfc: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    calls: dict[str, int] = defaultdict(int)
    for stack, cycles, n in stacks:
        selfc[stack[-1]] += cycles
        for fn in set(stack):
            total[fn] += cycles
        calls[stack[-1]] = max(calls[stack[-1]], n)
    funcs = [FunctionStat(name, 0x0800_0200 + 0x40 * i, calls[name] or 1, selfc[name], total[name],
                          int(selfc[name] / 1.31))
             for i, name in enumerate(sorted(total))]
    funcs.sort(key=lambda f: -f.self_cycles)
    return funcs


def kws_result() -> RunResult:
    stacks: list[tuple[list[str], int, int]] = [(["Reset_Handler"], 1_210, 1),
                                                (STARTUP + ["__libc_init_array"], 388, 1),
                                                (STARTUP + ["memset"], 4_020, 3)]
    layers, events = [], []
    cycle = 5_618
    for i, (op, kernel, ins, out, macs, cycles) in enumerate(KWS_LAYERS):
        name = f"mcusim_layer_{i}_{op.lower()}"
        layers.append(LayerStat(i, op, name, ins, out, macs, cycles, int(cycles / 1.3), cycle,
                                kernel))
        events.append({"name": name, "cat": "layer", "start": cycle, "dur": cycles})
        base = STARTUP + ["mcusim_model_invoke", name]
        glue = 60 + i
        stacks.append((base, glue, 1))
        events.append({"name": name, "cat": "function", "start": cycle, "dur": cycles})
        if kernel:
            stacks.append((base + [kernel], cycles - glue, 1))
            events.append({"name": kernel, "cat": "function", "start": cycle + 30,
                           "dur": cycles - glue})
        else:
            stacks.append((base + ["memcpy"], cycles - glue, 1))
        cycle += cycles
    stacks.append((STARTUP, 900, 1))
    total = sum(c for _, c, _ in stacks)
    result = RunResult(
        board="stm32f4", core="cortex-m4f", clock_hz=CLOCK, exit_code=0,
        cycles=total, instructions=int(total / 1.31), energy_uj=round(total / CLOCK * 0.101e6, 3),
        memory=MemoryStat(
            flash_used=392 + 62_000 + 58_000 + 120, flash_size=1 << 20,
            ram_used=120 + 17_000 + 4096, ram_size=128 * 1024,
            stack_peak=1_392, stack_size=4096, heap_peak=0,
            sections=[Section(".isr_vector", 0x0800_0000, 392, "flash", "flash"),
                      Section(".text", 0x0800_0188, 62_000, "flash", "flash"),
                      Section(".rodata", 0x0800_F400, 58_000, "flash", "flash"),
                      Section(".data", 0x2000_0000, 120, "sram", "ram"),
                      Section(".bss", 0x2000_0078, 17_000, "sram", "ram", load=False),
                      Section("._stack", 0x2000_42F0, 4096, "sram", "ram", load=False)],
            watches={"mcusim_arena": {"size": 16_000, "peak": 16_000}},
            flash_split={"weights": 52_000, "code": 18_000, "runtime": 50_512}),
        stop=Stop("exit"),
        stdout="label: 3 (yes) score 0.93\n",
        functions=_from_stacks(stacks),
        layers=layers,
        arena={"planned": 16_000, "peak": 16_000, "io": 502, "tflm": 22_896},
        energy_breakdown={"alu": 40.1, "load_store": 31.2, "mul_dsp": 20.3, "branch": 4.4},
        cycle_breakdown={"alu": 1_800_000, "load_store": 1_900_000, "mul_dsp": 1_000_000,
                         "branch": 250_000},
        stacks=[{"stack": s, "cycles": c} for s, c, _ in stacks],
        events=sorted(events, key=lambda e: (e["start"], -e["dur"])),
        target="models/kws_ref_model.tflite", elf="/tmp/cache/kws_ref_model.elf",
        model={"name": "kws_ref_model", "inputs": [{"shape": [1, 49, 10, 1], "dtype": "int8"}],
               "outputs": [{"shape": [1, 12], "dtype": "int8"}],
               "arena_plan": [dict(zip(("tensor", "name", "offset", "size", "first", "last"), p))
                              for p in KWS_PLAN]},
        host_seconds=0.41)
    return result


def elf_result(exit_code: int = 0) -> RunResult:
    stacks = [(["Reset_Handler"], 900, 1),
              (STARTUP, 12_400, 1),
              (STARTUP + ["crc32"], 418_220, 64),
              (STARTUP + ["qsort"], 96_000, 8),
              (STARTUP + ["qsort", "cmp_u32"], 188_500, 14_210),
              (STARTUP + ["printf"], 3_100, 5),
              (STARTUP + ["printf", "_vfprintf_r"], 22_800, 5),
              (STARTUP + ["printf", "_vfprintf_r", "_write"], 2_950, 5)]
    total = sum(c for _, c, _ in stacks)
    events, t = [], 0
    for stack, c, _ in stacks:
        events.append({"name": stack[-1], "cat": "function", "start": t, "dur": c})
        t += c
    return RunResult(
        board="stm32f4", core="cortex-m4f", clock_hz=CLOCK, exit_code=exit_code,
        cycles=total, instructions=int(total / 1.22), energy_uj=round(total / CLOCK * 0.095e6, 3),
        memory=MemoryStat(flash_used=14_212, flash_size=1 << 20, ram_used=6_480,
                          ram_size=128 * 1024, stack_peak=612, stack_size=4096, heap_peak=1_040,
                          sections=[Section(".isr_vector", 0x0800_0000, 392, "flash", "flash"),
                                    Section(".text", 0x0800_0188, 13_700, "flash", "flash"),
                                    Section(".data", 0x2000_0000, 120, "sram", "ram"),
                                    Section(".bss", 0x2000_0078, 2_264, "sram", "ram", load=False),
                                    Section("._stack", 0x2000_0950, 4096, "sram", "ram",
                                            load=False)]),
        stop=Stop("exit"), stdout="crc=0x1c291ca3\nsorted 1024 words\n",
        functions=_from_stacks(stacks),
        stacks=[{"stack": s, "cycles": c} for s, c, _ in stacks], events=events,
        target="firmware/tests/bench.elf", elf="firmware/tests/bench.elf", host_seconds=0.05)
