"""`mcusim run pipeline.toml --board B --input clip.wav`: audio -> front end -> model -> label,
all on the simulated MCU, with per-stage cycles, memory and the decision.

pipeline.toml:
    [frontend]
    preset = "mlperf-kws"            # or micro-speech, or explicit keys (presets.KEYS)
    [model]
    path = "kws_ref_model.tflite"    # relative to the TOML file
    labels = "labels.txt"            # optional, one label per line

The model is compiled as for `mcusim run MODEL` (cached); the pipeline firmware links its
model.c/weights.c/kernels with the front end (firmware/dsp + the preset's generated tables) and
a main that computes the features straight into the model's int8 input, invokes the model and
prints the winning label. The simulator writes the clip into `mcusim_audio` before reset.
"""
from __future__ import annotations

import hashlib
import json
import tomllib
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mcusim import files
from mcusim.errors import BadInput
from mcusim.frontend import codegen, presets
from mcusim.frontend.harness import dsp_sources
from mcusim.paths import cache_dir, firmware_dir

FRONTEND_FUNCTIONS = [("frame", "mcusim_frame_q15"), ("normalize", "mcusim_normalize_q15"),
                      ("window", "mcusim_mult_q15"), ("rfft", "mcusim_rfft_q15"),
                      ("magnitude", "mcusim_cmplx_mag_q15"),
                      ("mel", "mcusim_mel_filterbank_q15"), ("log", "mcusim_log_mel_q15"),
                      ("dct", "mcusim_mat_vec_mult_q15"), ("quantize", "mcusim_quantize_q15_s8")]


@dataclass
class Pipeline:
    path: Path
    preset: presets.Preset
    model: Path
    labels: list[str]


def is_pipeline(path: Path) -> bool:
    return path.suffix.lower() == ".toml"


def load(path: Path) -> Pipeline:
    text = files.read_bytes(path, expected="a pipeline TOML file")
    try:
        doc = tomllib.loads(text.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise BadInput(f"{path}: not a valid TOML file ({e})") from None
    for key in doc:
        if key not in ("frontend", "model"):
            raise BadInput(f"{path}: unknown table [{key}] (expected [frontend] and [model])")
    if "frontend" not in doc or "model" not in doc:
        raise BadInput(f"{path}: a pipeline needs a [frontend] and a [model] table")
    preset = presets.from_table(doc["frontend"], f"{path}: [frontend]")
    m = doc["model"]
    if isinstance(m, dict) and set(m) - {"path", "labels"}:
        raise BadInput(f"{path}: [model]: unknown key {sorted(set(m) - {'path', 'labels'})[0]!r}"
                       f" (known: path, labels)")
    if not isinstance(m, dict) or not isinstance(m.get("path"), str):
        raise BadInput(f"{path}: [model] needs path = \"model.tflite\"")
    model = files.input_file(path.parent / m["path"], "[model] path", "a .tflite model")
    labels: list[str] = []
    if "labels" in m:
        if not isinstance(m["labels"], str):
            raise BadInput(f"{path}: [model] labels must be a file name")
        lp = files.input_file(path.parent / m["labels"], "[model] labels", "a text file")
        try:
            labels = [s.strip() for s in lp.read_text().splitlines() if s.strip()]
        except (OSError, UnicodeDecodeError) as e:
            raise BadInput(f"{lp}: cannot read labels ({e})") from None
    return Pipeline(path, preset, model, labels)


def read_wav(path: Path, p: presets.Preset) -> np.ndarray:
    """Mono 16-bit PCM at the preset's rate, zero-padded or cut to clip_samples."""
    path = files.input_file(path, "--input", "a .wav file (mono, 16-bit PCM)")
    try:
        with wave.open(str(path), "rb") as w:
            ch, width, rate, n = w.getnchannels(), w.getsampwidth(), w.getframerate(), \
                w.getnframes()
            data = w.readframes(n)
    except (wave.Error, EOFError, OSError) as e:
        raise BadInput(f"--input {path}: not a readable WAV file ({e})") from None
    if ch != 1:
        raise BadInput(f"--input {path}: {ch} channels; the front end takes mono audio")
    if width != 2:
        raise BadInput(f"--input {path}: {8 * width}-bit samples; the front end takes 16-bit PCM")
    if rate != p.sample_rate:
        raise BadInput(f"--input {path}: sample rate {rate} Hz; front end '{p.name}' expects "
                       f"{p.sample_rate} Hz")
    x = np.frombuffer(data, dtype="<i2")
    if len(x) == 0:
        raise BadInput(f"--input {path}: no samples")
    out = np.zeros(p.clip_samples, np.int16)
    out[:min(len(x), p.clip_samples)] = x[:p.clip_samples]
    return out


TICK_HZ = 100      # SysTick rate of --every: the period's resolution is 10 ms


def _main_c(built, p: presets.Preset, labels: list[str], decisions: int = 1,
            period_ticks: int = 0) -> str:
    n_out = built.outputs[0].size
    names = labels + [str(i) for i in range(len(labels), n_out)]
    quoted = ", ".join(json.dumps(s) for s in names[:n_out])
    return f"""/* main.c - generated by mcusim: front end '{p.name}' -> {built.model} -> label. */
#include <stdint.h>
#include <stdio.h>
#include "frontend.h"
#include "model.h"

int16_t mcusim_audio[FRONTEND_CLIP_SAMPLES]
    __attribute__((section(".noinit.mcusim_audio"), aligned(8)));
int8_t mcusim_input[MODEL_INPUT_BYTES] __attribute__((aligned(8)));
int8_t mcusim_output[MODEL_OUTPUT_BYTES > 0 ? MODEL_OUTPUT_BYTES : 4]
    __attribute__((section(".noinit.mcusim_output"), aligned(8)));

/* front-end scratch: one frame, the spectrum / mel energies, one feature row. The front end
 * finishes before the model starts, so when the model's arena is large enough the scratch
 * lives at its start (lifetimes do not overlap); otherwise in its own buffer. */
#define FE_FRAME_BYTES (FRONTEND_FFT_LEN * 2)
#define FE_TMP_BYTES (FRONTEND_TMP_WORDS * 4)
#define FE_SCRATCH_BYTES (FE_FRAME_BYTES + FE_TMP_BYTES + FRONTEND_N_MEL * 2)
#if MODEL_ARENA_SIZE >= FE_SCRATCH_BYTES
const uint32_t mcusim_fe_scratch_in_arena = 1;
#define fe_frame ((int16_t *)(void *)model_arena)
#define fe_tmp ((int32_t *)(void *)(model_arena + FE_FRAME_BYTES))
#define fe_row ((int16_t *)(void *)(model_arena + FE_FRAME_BYTES + FE_TMP_BYTES))
#else
const uint32_t mcusim_fe_scratch_in_arena = 0;
static int16_t fe_frame[FRONTEND_FFT_LEN] __attribute__((aligned(4)));
static int32_t fe_tmp[FRONTEND_TMP_WORDS];
static int16_t fe_row[FRONTEND_N_MEL];
#endif

static const char *const labels[{n_out}] = {{{quoted}}};

#define DECISIONS {decisions}
#define PERIOD_TICKS {period_ticks}u    /* SysTick ticks ({TICK_HZ} Hz) between decisions; 0: none */
#if PERIOD_TICKS
#include "mcusim_cm.h"
static volatile uint32_t ticks;
void SysTick_Handler(void) {{ ticks++; }}
#endif

static int decide(void)
{{
    if (mcusim_features_q15(&mcusim_frontend, mcusim_audio, 0, mcusim_input, fe_frame, fe_tmp,
                            fe_row) != 0)
        return -1;
    if (model_invoke(mcusim_input, mcusim_output) != 0)
        return -1;
    int best = 0;
    for (int i = 1; i < MODEL_OUTPUT0_SIZE; i++)
        if (mcusim_output[MODEL_OUTPUT0_OFFSET + i] > mcusim_output[MODEL_OUTPUT0_OFFSET + best])
            best = i;
    printf("decision: %d %s\\n", best, labels[best]);
    return best;
}}

int main(void)
{{
#if PERIOD_TICKS
    /* a decision every PERIOD_TICKS ticks, the core asleep (WFI) in between */
    SYST_RVR = MCUSIM_CLOCK_HZ / {TICK_HZ}u - 1u;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CLKSOURCE;
#endif
    for (uint32_t k = 0; k < DECISIONS; k++) {{
#if PERIOD_TICKS
        while (ticks < k * PERIOD_TICKS)
            mcusim_wfi();
#endif
        if (decide() < 0)
            return 1;
    }}
    return 0;
}}
"""


def build(pipe: Pipeline, board, kernels: str = "auto", decisions: int = 1,
          period_ticks: int = 0):
    """(pipeline ELF, the model's Built) for `board`, cached by content."""
    from mcusim.compiler.build import compile_model, compile_flags
    from mcusim.sim.linker import linker_script
    from mcusim.toolchain import run_gcc
    built = compile_model(pipe.model, board, kernels)
    port = built.inputs[0]
    if len(built.inputs) != 1 or port.size != pipe.preset.n_features:
        raise BadInput(f"{pipe.path}: the model's input takes {port.size} values "
                       f"{list(port.shape)}, front end '{pipe.preset.name}' gives "
                       f"{pipe.preset.n_frames} x {pipe.preset.width} = "
                       f"{pipe.preset.n_features}")
    if pipe.labels and len(pipe.labels) != built.outputs[0].size:
        raise BadInput(f"{pipe.path}: {len(pipe.labels)} labels for a model with "
                       f"{built.outputs[0].size} outputs")
    srcs = codegen.frontend_sources(pipe.preset, port.scale, port.zero_point)
    srcs["main.c"] = _main_c(built, pipe.preset, pipe.labels, decisions, period_ticks)
    h = hashlib.sha256(str(built.dir).encode() + built.elf.read_bytes())
    for name in sorted(srcs):
        h.update(srcs[name].encode())
    for f in dsp_sources() + sorted((firmware_dir() / "dsp").glob("*.h")) + \
            [firmware_dir() / "include" / "mcusim_dsp.h"]:
        h.update(f.read_bytes())
    d = cache_dir() / "pipelines" / f"{pipe.path.stem}-{board.name}-{h.hexdigest()[:20]}"
    elf = d / "pipeline.elf"
    if not elf.is_file():
        d.mkdir(parents=True, exist_ok=True)
        for name, text in srcs.items():
            (d / name).write_text(text)
        (d / "pipeline.ld").write_text(linker_script(board))
        bd = built.dir
        kernels_c = sorted(str(p) for p in (bd / "runtime" / "kernels").rglob("*.c"))
        flags = [f if f not in ("-I.", "-Iruntime/include") else f"-I{bd / f[2:]}"
                 for f in compile_flags(board, dsp=_dsp(built, board, kernels))]
        tmp = d / "pipeline.tmp.elf"
        run_gcc([*flags, f"-I{d}", f"-I{firmware_dir() / 'include'}",
                 f"-I{firmware_dir() / 'dsp'}", str(d / "main.c"), str(d / "frontend.c"),
                 *map(str, dsp_sources()), str(bd / "model.c"), str(bd / "weights.c"),
                 str(bd / "runtime" / "startup.c"), *kernels_c, "-lm", "-T",
                 str(d / "pipeline.ld"), f"-Wl,-Map={d / 'pipeline.map'}", "-o", str(tmp)])
        tmp.replace(elf)
    return elf, built


def _dsp(built, board, kernels: str) -> bool:
    from mcusim.compiler.build import use_dsp
    return use_dsp(board.core, kernels)


def run_pipeline(path: Path, board, options):
    from mcusim.compiler.runmodel import ARENA_SYMBOL, describe
    from mcusim.sim.runner import run_elf
    pipe = load(Path(path))
    if options.input_path is None:
        raise BadInput(f"{path}: a pipeline needs --input clip.wav")
    audio = read_wav(options.input_path, pipe.preset)
    every = options.every_s
    if every is None and (options.decisions is not None or options.battery is not None):
        raise BadInput("--decisions and --battery need --every (a decision period)")
    n = 1 if every is None else (options.decisions if options.decisions is not None else 3)
    if n < 1:
        raise BadInput(f"--decisions: at least 1, got {n}")
    ticks = 0 if every is None else max(1, round(every * TICK_HZ))
    if every is not None and abs(ticks / TICK_HZ - every) > 1e-9:
        raise BadInput(f"--every: a multiple of {1000 // TICK_HZ} ms, got {every * 1e3:g} ms")
    elf, built = build(pipe, board, options.kernels, n, ticks)
    box: dict = {}

    def setup(m):
        m.write(m.elf.symbol("mcusim_audio"), audio.tobytes())

    def teardown(m):
        box["out"] = bytes(m.read(m.elf.symbol("mcusim_output"), built.output_bytes))

    result = run_elf(elf, board, options, setup=setup, teardown=teardown,
                     watch_defaults=(ARENA_SYMBOL,))
    describe(result, built, pipe.model)
    result.target = str(path)
    if n > 1:       # per decision: the profiler's totals cover all n
        for L in result.layers:
            L.cycles //= n
            L.instructions //= n
    fn = {f.name: f for f in result.functions}
    fe = fn.get("mcusim_features_q15")
    hz = result.clock_hz or board.clock_hz
    stages = [{"name": "front end", "cycles": (fe.total_cycles if fe else 0) // n}]
    stages += [{"name": f"front end: {k}", "cycles": (fn[f].total_cycles if f in fn else 0) // n}
               for k, f in FRONTEND_FUNCTIONS]
    stages += [{"name": f"layer {L.index}: {L.op}", "cycles": L.cycles} for L in result.layers]
    model_cycles = (fn["model_invoke"].total_cycles if "model_invoke" in fn else 0) // n
    stages.insert(len(FRONTEND_FUNCTIONS) + 1, {"name": "model", "cycles": model_cycles})
    for s in stages:
        s["time_s"] = s["cycles"] / hz
    result.stages = stages
    from mcusim.sim.elf import load_elf
    objs = {n: s for n, _, s in load_elf(elf).objects}
    p = pipe.preset
    scratch = 2 * p.fft_len + 4 * max((p.fft_len + 2) // 2, p.n_mel) + 2 * p.n_mel
    in_arena = "fe_frame" not in objs
    tables = sum(s for n, s in objs.items() if n.startswith("fe_") and n not in
                 ("fe_frame", "fe_tmp", "fe_row"))
    result.pipeline = {"path": str(path), "preset": pipe.preset.to_json(),
                       "model": str(pipe.model), "input": str(options.input_path),
                       "frontend_scratch_bytes": scratch, "frontend_scratch_in_arena": in_arena,
                       "frontend_table_bytes": tables,
                       "audio_bytes": audio.nbytes,
                       "latency_s": result.time_s, "energy_per_decision_uj": result.energy_uj}
    if every is not None:
        result.pipeline.update(duty_cycle(result, board, every, n, options.battery))
    if box.get("out") is not None and result.stop.reason == "exit" and result.exit_code == 0:
        port = built.outputs[0]
        q = np.frombuffer(box["out"][port.offset:port.offset + port.size], dtype=np.int8)
        i = int(np.argmax(q))
        names = pipe.labels or [str(k) for k in range(port.size)]
        result.decision = {"label": names[i], "index": i,
                           "score": float(port.scale * (int(q[i]) - port.zero_point))}
    return result


def duty_cycle(result, board, every: float, n: int, battery) -> dict:
    """Figures of a decision every `every` seconds, from the simulated run of n of them: each
    decision's active time and energy (the run's active part / n) and the sleep power the run
    measured between them (the board's sleep current); a period = one decision + sleep."""
    active_s = result.active_s / n
    active_uj = (result.energy_uj - result.energy_sleep_uj) / n
    sleep_mw = result.energy_sleep_uj / result.sleep_s / 1e3 if result.sleep_s > 0 else 0.0
    d = {"every_s": every, "decisions": n, "latency_s": active_s,
         "energy_per_decision_uj": active_uj, "sleep_power_mw": sleep_mw,
         "duty_cycle": min(1.0, active_s / every)}
    if active_s > every:
        result.warnings.append(f"--every {every:g}s: one decision takes {active_s * 1e3:.1f} ms, "
                               f"longer than the period; decisions ran back to back")
    if n > 1 and sleep_mw == 0.0:
        result.warnings.append(f"{board.name} has no sleep current in its board file: the "
                               f"average power and battery life count active energy only")
    avg_mw = (active_uj + sleep_mw * 1e3 * max(0.0, every - active_s)) / every / 1e3
    d["average_power_mw"] = avg_mw
    if battery is not None:
        mah, volts = battery
        joules = mah / 1000.0 * 3600.0 * volts
        life_s = joules / (avg_mw / 1e3) if avg_mw > 0 else float("inf")
        d["battery"] = {"capacity_mah": mah, "volts": volts, "life_s": life_s,
                        "life_days": life_s / 86400.0}
    return d
