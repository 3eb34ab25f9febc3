"""mcusim's side of every comparison in docs/validation.md: published latencies measured on real
boards (MLPerf Tiny result files) against the simulated figure for the closest configuration.

    .venv/bin/python bench/bench_validation.py [--markdown]

Writes bench/results/validation.json. The published figures below are copied by hand from the
cited files (throughput in inferences/s -> latency = 1000 / throughput ms); nothing here is
fitted: the script only runs the simulator and divides. Models come from ../shared/models (or
$MCUSIM_SHARED_MODELS); a missing model is reported as skipped. Runs take ~30 s with a warm build
cache (first run also compiles each model once per board).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = Path(os.environ.get("MCUSIM_SHARED_MODELS") or REPO.parent / "shared" / "models")
OUT = HERE / "results" / "validation.json"

V05 = "https://github.com/mlcommons/tiny_results_v0.5/blob/main/closed/reference"
V10 = "https://github.com/mlcommons/tiny_results_v1.0/blob/main/closed"

# Published measurements. "throughput" is the median throughput line of the performance run's
# results.txt (EEMBC EnergyRunner, performance mode); latency_ms = 1000 / throughput.
PUBLISHED = [
    # --- NUCLEO-L4R5ZI, Cortex-M4F at 120 MHz -------------------------------------------------
    dict(id="v0.5-ref-L4R5-kws", model="mlperf_tiny/kws_ref_model.tflite", board="stm32l4r5",
         clock_hz=120_000_000, throughput=5.497,
         stack="TFLM v2.3.1 interpreter, mbed-os bare-metal, gcc-arm-none-eabi-6-2017-q2",
         source=f"{V05}/results/Nucleo-L4R5ZI/kws/performance/results.txt",
         energy_uj_per_inf=7373.704, power_mw=40.836,
         energy_source=f"{V05}/results/Nucleo-L4R5ZI/kws/energy/results.txt",
         system=f"{V05}/systems/Nucleo_L4R5ZI_System_Description.json", like_for_like_model=True),
    dict(id="v0.5-ref-L4R5-ad", model="mlperf_tiny/ad01_int8.tflite", board="stm32l4r5",
         clock_hz=120_000_000, throughput=99.487,
         stack="TFLM v2.3.1 interpreter, mbed-os bare-metal, gcc-arm-none-eabi-6-2017-q2",
         source=f"{V05}/results/Nucleo-L4R5ZI/ad/performance/results.txt",
         system=f"{V05}/systems/Nucleo_L4R5ZI_System_Description.json", like_for_like_model=True),
    dict(id="v0.5-ref-L4R5-vww", model="tflite_micro/person_detect.tflite", board="stm32l4r5",
         clock_hz=120_000_000, throughput=1.665,
         stack="TFLM v2.3.1 interpreter, mbed-os bare-metal, gcc-arm-none-eabi-6-2017-q2",
         source=f"{V05}/results/Nucleo-L4R5ZI/vww/performance/results.txt",
         system=f"{V05}/systems/Nucleo_L4R5ZI_System_Description.json", like_for_like_model=False,
         note="MLPerf VWW model (vww_96_int8, RGB input) is not in ../shared/models; "
              "person_detect.tflite (same MobileNetV1-0.25 96x96 family, greyscale input) is a proxy"),
    dict(id="v1.0-octoml-cmsisnn-L4R5-kws", model="mlperf_tiny/kws_ref_model.tflite",
         board="stm32l4r5", clock_hz=120_000_000, throughput=10.019,
         stack="microTVM AOT + CMSIS-NN (SHA 51263182), Zephyr 2.7.3, Zephyr SDK 0.13.2",
         source=f"{V10}/OctoML/results/microtvm_cmsis_nn/NUCLEO_L4R5ZI/kws/performance/results.txt",
         system=f"{V10}/OctoML/systems/system_description_NUCLEO_L4R5ZI_microtvm_cmsis_nn.json",
         like_for_like_model=True),
    dict(id="v1.0-octoml-cmsisnn-L4R5-ad", model="mlperf_tiny/ad01_int8.tflite",
         board="stm32l4r5", clock_hz=120_000_000, throughput=116.212,
         stack="microTVM AOT + CMSIS-NN (SHA 51263182), Zephyr 2.7.3, Zephyr SDK 0.13.2",
         source=f"{V10}/OctoML/results/microtvm_cmsis_nn/NUCLEO_L4R5ZI/ad/performance/results.txt",
         system=f"{V10}/OctoML/systems/system_description_NUCLEO_L4R5ZI_microtvm_cmsis_nn.json",
         like_for_like_model=True),
    dict(id="v1.0-octoml-cmsisnn-L4R5-vww", model="tflite_micro/person_detect.tflite",
         board="stm32l4r5", clock_hz=120_000_000, throughput=3.320,
         stack="microTVM AOT + CMSIS-NN (SHA 51263182), Zephyr 2.7.3, Zephyr SDK 0.13.2",
         source=f"{V10}/OctoML/results/microtvm_cmsis_nn/NUCLEO_L4R5ZI/vww/performance/results.txt",
         system=f"{V10}/OctoML/systems/system_description_NUCLEO_L4R5ZI_microtvm_cmsis_nn.json",
         like_for_like_model=False, note="person_detect.tflite as proxy for the MLPerf VWW model"),
    dict(id="v1.0-st-L4R5-kws", model="mlperf_tiny/kws_ref_model.tflite", board="stm32l4r5",
         clock_hz=120_000_000, throughput=13.323,
         stack="X-CUBE-AI v7.3.0, gcc-arm-none-eabi-10.3, dual bank mode",
         source=f"{V10}/STMicroelectronics/results/NUCLEO_L4R5ZI/kws/performance/results.txt",
         energy_uj_per_inf=3371.738, power_mw=44.893,
         energy_source=f"{V10}/STMicroelectronics/results/NUCLEO_L4R5ZI/kws/energy/results.txt",
         system=f"{V10}/STMicroelectronics/systems/NUCLEO_L4R5ZI/NUCLEO_L4R5ZI_system_description.json",
         like_for_like_model=True),
    dict(id="v1.0-st-L4R5-ad", model="mlperf_tiny/ad01_int8.tflite", board="stm32l4r5",
         clock_hz=120_000_000, throughput=131.950,
         stack="X-CUBE-AI v7.3.0, gcc-arm-none-eabi-10.3, dual bank mode",
         source=f"{V10}/STMicroelectronics/results/NUCLEO_L4R5ZI/ad/performance/results.txt",
         system=f"{V10}/STMicroelectronics/systems/NUCLEO_L4R5ZI/NUCLEO_L4R5ZI_system_description.json",
         like_for_like_model=True),
    dict(id="v1.0-st-L4R5-vww", model="tflite_micro/person_detect.tflite", board="stm32l4r5",
         clock_hz=120_000_000, throughput=4.339,
         stack="X-CUBE-AI v7.3.0, gcc-arm-none-eabi-10.3, dual bank mode",
         source=f"{V10}/STMicroelectronics/results/NUCLEO_L4R5ZI/vww/performance/results.txt",
         system=f"{V10}/STMicroelectronics/systems/NUCLEO_L4R5ZI/NUCLEO_L4R5ZI_system_description.json",
         like_for_like_model=False, note="person_detect.tflite as proxy for the MLPerf VWW model"),
    # --- NUCLEO-U575ZI-Q, Cortex-M33 at 160 MHz -----------------------------------------------
    dict(id="v1.0-st-U575-kws", model="mlperf_tiny/kws_ref_model.tflite", board="stm32u575",
         clock_hz=160_000_000, throughput=22.608,
         stack="X-CUBE-AI v7.3.0, gcc-arm-none-eabi-10.3, SMPS",
         source=f"{V10}/STMicroelectronics/results/NUCLEO-U575ZI-Q/kws/performance/results.txt",
         energy_uj_per_inf=1138.534, power_mw=25.837,
         energy_source=f"{V10}/STMicroelectronics/results/NUCLEO-U575ZI-Q/kws/energy/results.txt",
         system=f"{V10}/STMicroelectronics/systems/NUCLEO-U575ZI-Q/NUCLEO-U575ZI-Q_system_description.json",
         like_for_like_model=True),
    dict(id="v1.0-st-U575-ad", model="mlperf_tiny/ad01_int8.tflite", board="stm32u575",
         clock_hz=160_000_000, throughput=206.211,
         stack="X-CUBE-AI v7.3.0, gcc-arm-none-eabi-10.3, SMPS",
         source=f"{V10}/STMicroelectronics/results/NUCLEO-U575ZI-Q/ad/performance/results.txt",
         system=f"{V10}/STMicroelectronics/systems/NUCLEO-U575ZI-Q/NUCLEO-U575ZI-Q_system_description.json",
         like_for_like_model=True),
    # --- NUCLEO-H7A3ZI-Q, Cortex-M7 at 280 MHz (closest mcusim board: stm32h743 at --clock 280MHz)
    dict(id="v1.0-st-H7A3-kws", model="mlperf_tiny/kws_ref_model.tflite", board="stm32h743",
         clock_hz=280_000_000, throughput=59.667,
         stack="X-CUBE-AI v7.3.0, gcc-arm-none-eabi-10.3, SMPS",
         source=f"{V10}/STMicroelectronics/results/NUCLEO-H7A3ZI-Q/kws/performance/results.txt",
         system=f"{V10}/STMicroelectronics/systems/NUCLEO-H7A3ZI-Q/NUCLEO_H7A3ZI_Q_system_description.json",
         like_for_like_model=True,
         note="different chip: STM32H7A3 simulated as the STM32H743 board at 280 MHz"),
    dict(id="v1.0-st-H7A3-ad", model="mlperf_tiny/ad01_int8.tflite", board="stm32h743",
         clock_hz=280_000_000, throughput=547.705,
         stack="X-CUBE-AI v7.3.0, gcc-arm-none-eabi-10.3, SMPS",
         source=f"{V10}/STMicroelectronics/results/NUCLEO-H7A3ZI-Q/ad/performance/results.txt",
         system=f"{V10}/STMicroelectronics/systems/NUCLEO-H7A3ZI-Q/NUCLEO_H7A3ZI_Q_system_description.json",
         like_for_like_model=True,
         note="different chip: STM32H7A3 simulated as the STM32H743 board at 280 MHz"),
]

# Measured on hardware with one software stack on two cores, for the cross-core check only (no
# mcusim board for the nRF5340: its figures are not compared with a simulation).
HARDWARE_ONLY = [
    dict(id="v1.0-octoml-cmsisnn-nRF5340-kws", model="mlperf_tiny/kws_ref_model.tflite",
         chip="nRF5340 (Cortex-M33)", clock_hz=128_000_000, throughput=13.143,
         stack="microTVM AOT + CMSIS-NN (SHA 51263182), Zephyr 2.7.3",
         source=f"{V10}/OctoML/results/microtvm_cmsis_nn/NRF5340-DK/kws/performance/results.txt",
         system=f"{V10}/OctoML/systems/system_description_NRF5340DK_microtvm_cmsis_nn.json"),
    dict(id="v1.0-octoml-cmsisnn-nRF5340-ad", model="mlperf_tiny/ad01_int8.tflite",
         chip="nRF5340 (Cortex-M33)", clock_hz=128_000_000, throughput=159.579,
         stack="microTVM AOT + CMSIS-NN (SHA 51263182), Zephyr 2.7.3",
         source=f"{V10}/OctoML/results/microtvm_cmsis_nn/NRF5340-DK/ad/performance/results.txt",
         system=f"{V10}/OctoML/systems/system_description_NRF5340DK_microtvm_cmsis_nn.json"),
]

# Cross-core: (numerator id, denominator id) of published rows on the same software stack;
# the hardware cycle ratio is set against mcusim's cycle ratio for the same two boards.
CROSS_CORE = [
    ("v1.0-st-U575-kws", "v1.0-st-L4R5-kws"), ("v1.0-st-U575-ad", "v1.0-st-L4R5-ad"),
    ("v1.0-st-H7A3-kws", "v1.0-st-L4R5-kws"), ("v1.0-st-H7A3-ad", "v1.0-st-L4R5-ad"),
    ("v1.0-octoml-cmsisnn-nRF5340-kws", "v1.0-octoml-cmsisnn-L4R5-kws"),
    ("v1.0-octoml-cmsisnn-nRF5340-ad", "v1.0-octoml-cmsisnn-L4R5-ad"),
]


def simulate(model: Path, board_name: str | Path, clock_hz: int, kernels: str = "auto") -> dict:
    from mcusim.api import RunOptions
    from mcusim.boards import load_board
    from mcusim.compiler.runmodel import run_model
    board = load_board(board_name, clock_hz=clock_hz)
    t0 = time.perf_counter()
    r = run_model(model, board, RunOptions(seed=0, kernels=kernels, clock_hz=clock_hz))
    host = time.perf_counter() - t0
    assert r.exit_code == 0, (model, board_name, r.exit_code)
    inf_cycles = sum(L.cycles for L in r.layers)          # the layers only: no start-up
    macs = sum(L.macs for L in r.layers)
    stalls = {k: v for k, v in r.cycle_breakdown.items() if k in ("fetch", "data_stall")}
    return {
        "board": board.name, "clock_hz": clock_hz, "kernels": kernels,
        "cycles_total": r.cycles, "cycles_inference": inf_cycles, "macs": macs,
        "cycles_per_mac": round(inf_cycles / macs, 3) if macs else None,
        "instructions": r.instructions, "cpi": round(r.cpi, 4),
        "latency_ms": round(inf_cycles / clock_hz * 1e3, 3),
        # every energy factor is 1.0 (docs/cost-model.md), so energy per cycle is uniform
        "energy_uj_inference": round(r.energy_uj * inf_cycles / r.cycles, 1),
        "power_mw": round(r.energy_uj / r.cycles * clock_hz * 1e-3, 2),
        "stall_cycles": stalls, "host_s": round(host, 2),
        "kernels_used": sorted({L.kernel for L in r.layers if getattr(L, "kernel", None)}),
    }


def dwt_consistency() -> dict:
    """The same ELF timed two ways: DWT CYCCNT read by the firmware vs the profiler's own count
    for the timed function. Both come from the cost model, so this checks the simulator's
    bookkeeping (what firmware benchmarks would print), not its accuracy against silicon."""
    import shutil
    from mcusim.api import RunOptions, run
    from mcusim.boards import load_board
    from mcusim.firmware import build_elf
    if shutil.which("arm-none-eabi-gcc") is None:
        return {"skipped": "arm-none-eabi-gcc not installed"}
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for b in ("stm32l4r5", "stm32u575", "stm32h743"):
            elf = build_elf([REPO / "firmware" / "tests" / "dwt_timing.c"], load_board(b),
                            Path(tmp) / f"dwt_{b}.elf")
            r = run(elf, b, RunOptions(echo_stdout=False))
            cyc = int(r.stdout.split()[1])
            work = next(f for f in r.functions if f.name == "work")
            out.append({"board": b, "cyccnt_read_by_firmware": cyc,
                        "profiler_work_total_cycles": work.total_cycles,
                        "difference_cycles": cyc - work.total_cycles})
    return {"what": "firmware/tests/dwt_timing.c: CYCCNT delta around work(1000) vs profiler",
            "runs": out}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--markdown", action="store_true", help="also print the tables as markdown")
    args = ap.parse_args()
    t_start = time.perf_counter()
    sims: dict[tuple, dict] = {}
    rows = []
    for p in PUBLISHED:
        model = SHARED / p["model"]
        pub_ms = round(1000.0 / p["throughput"], 3)
        row = {k: v for k, v in p.items()}
        row["published_latency_ms"] = pub_ms
        row["published_cycles"] = round(pub_ms * 1e-3 * p["clock_hz"])
        if not model.is_file():
            row["skipped"] = f"{model} not found"
            rows.append(row)
            continue
        key = (p["model"], p["board"], p["clock_hz"])
        if key not in sims:
            sims[key] = simulate(model, p["board"], p["clock_hz"])
        s = sims[key]
        row["mcusim"] = s
        row["ratio_mcusim_over_published"] = round(s["latency_ms"] / pub_ms, 3)
        if "energy_uj_per_inf" in p:
            row["ratio_energy_mcusim_over_published"] = round(
                s["energy_uj_inference"] / p["energy_uj_per_inf"], 3)
            row["ratio_power_mcusim_over_published"] = round(s["power_mw"] / p["power_mw"], 3)
        rows.append(row)
        print(f"{p['id']:34s} published {pub_ms:9.2f} ms  mcusim {s['latency_ms']:9.2f} ms  "
              f"ratio {row['ratio_mcusim_over_published']:.2f}", flush=True)
    for p in HARDWARE_ONLY:
        row = dict(p)
        row["published_latency_ms"] = round(1000.0 / p["throughput"], 3)
        row["published_cycles"] = round(1.0 / p["throughput"] * p["clock_hz"])
        rows.append(row)
    by_id = {r["id"]: r for r in rows}
    cross = []
    for num, den in CROSS_CORE:
        a, b = by_id[num], by_id[den]
        entry = {"numerator": num, "denominator": den,
                 "hardware_cycle_ratio": round(a["published_cycles"] / b["published_cycles"], 3)}
        if "mcusim" in b:
            # nRF5340 has no mcusim board: the U575 (the other M33 board) stands in for it
            sim_a = a.get("mcusim") or sims.get((a["model"], "stm32u575", 160_000_000))
            entry["mcusim_board_numerator"] = sim_a["board"]
            entry["mcusim_cycle_ratio"] = round(sim_a["cycles_inference"]
                                                / b["mcusim"]["cycles_inference"], 3)
        cross.append(entry)
    # Context: the same KWS model with the portable kernels (no DSP instructions) on L4R5.
    kws = SHARED / "mlperf_tiny/kws_ref_model.tflite"
    context = {}
    if kws.is_file():
        context["kws_l4r5_portable_kernels"] = simulate(kws, "stm32l4r5", 120_000_000, "portable")
        context["kws_l4r5_optimized_kernels"] = sims.get(
            ("mlperf_tiny/kws_ref_model.tflite", "stm32l4r5", 120_000_000))
    result = {
        "what": "published real-hardware latencies vs mcusim (see docs/validation.md)",
        "latency_definition": "mcusim: sum of the layer functions' inclusive cycles / clock "
                              "(no start-up, no input copy); published: 1000 / median throughput "
                              "of the MLPerf Tiny performance run",
        "comparisons": rows,
        "cross_core": cross,
        "context": context,
        "dwt_consistency": dwt_consistency(),
        "git_commit": subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"],
                                     capture_output=True, text=True).stdout.strip(),
        "git_dirty": [ln[3:] for ln in subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--", "sim", "profiles", "firmware",
             "boards"], capture_output=True, text=True).stdout.splitlines()],
        "host": {"python": platform.python_version(), "machine": platform.machine()},
        "bench_seconds": round(time.perf_counter() - t_start, 1),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {OUT.relative_to(REPO)} in {result['bench_seconds']} s")
    if args.markdown:
        print_markdown(result)
    return 0


def print_markdown(result: dict) -> None:
    """The tables of docs/validation.md, from the figures just written."""
    print("\n| id | published ms | mcusim ms | mcusim / published | published cycles | mcusim cycles |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in result["comparisons"]:
        if "mcusim" not in r:
            continue
        s = r["mcusim"]
        print(f"| {r['id']} | {r['published_latency_ms']:.2f} | {s['latency_ms']:.2f} | "
              f"{r['ratio_mcusim_over_published']:.2f} | {r['published_cycles']:,} | "
              f"{s['cycles_inference']:,} |")
    print("\n| ratio | hardware | mcusim (boards) |\n|---|---:|---:|")
    for c in result["cross_core"]:
        print(f"| {c['numerator']} / {c['denominator']} | {c['hardware_cycle_ratio']:.3f} | "
              f"{c.get('mcusim_cycle_ratio', float('nan')):.3f} ({c.get('mcusim_board_numerator')}) |")
    print("\n| id | published uJ | mcusim uJ | ratio | published mW | mcusim mW | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in result["comparisons"]:
        if "ratio_energy_mcusim_over_published" in r:
            s = r["mcusim"]
            print(f"| {r['id']} | {r['energy_uj_per_inf']:.0f} | {s['energy_uj_inference']:.0f} | "
                  f"{r['ratio_energy_mcusim_over_published']:.2f} | {r['power_mw']:.1f} | "
                  f"{s['power_mw']:.1f} | {r['ratio_power_mcusim_over_published']:.2f} |")


if __name__ == "__main__":
    sys.exit(main())
