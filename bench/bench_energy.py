"""MLPerf Tiny energy rows against mcusim: the power model checked apart from the kernels' speed.

    .venv/bin/python bench/bench_energy.py [--markdown]

Writes bench/results/energy.json. A published energy per inference is average power x latency,
and so is mcusim's:

    E_mcusim / E_published = (P_mcusim / P_published) x (t_mcusim / t_published)

The latency ratio is mostly the difference between two kernel libraries (mcusim's own kernels
against ST's X-CUBE-AI; docs/validation.md section 1); the power ratio is what the board's
[power] figures claim against what the board drew. The power ratio is the fair check of the power
model, and it is only fair at the published supply: the MLPerf runs powered the chips at 1.8 V or
3.3 V, on the LDO or the SMPS (system descriptions below), while a board file states one
operating point. So each row is simulated twice: with the board file as shipped, and with the
[power] figures of the published supply (each cited below; the H7A3, which mcusim has no board
for, is timed on the stand-in H743 at 280 MHz and charged the H7A3's own datasheet figure). The
published figures are typed in by hand from the cited files; nothing is fitted.
Models come from ../shared/models (or $MCUSIM_SHARED_MODELS); a missing one is reported skipped.
"""
from __future__ import annotations

import dataclasses
import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = Path(os.environ.get("MCUSIM_SHARED_MODELS") or REPO.parent / "shared" / "models")
OUT = HERE / "results" / "energy.json"
V10 = "https://github.com/mlcommons/tiny_results_v1.0/blob/main/closed/STMicroelectronics"
KWS, AD = "mlperf_tiny/kws_ref_model.tflite", "mlperf_tiny/ad01_int8.tflite"

# [power] at each published supply. The L4R5's figure is the board file's own unconfirmed one:
# on an LDO the current drawn from VDD hardly depends on VDD (the U575's DS13737 Table 41 gives
# the same 13.50 mA at 1.8, 3.0 and 3.3 V), so only the voltage changes - an assumption for the L4R5.
SUPPLY = {
    "L4R5 1.8 V": dict(
        voltage_v=1.8, run_ua_per_mhz=110.0, confirmed=False,
        source="the stm32l4r5 board's run current (NOT CONFIRMED, DS12023 not found) at the "
               "published 1.8 V; LDO current assumed independent of VDD"),
    "U575 1.8 V SMPS": dict(
        voltage_v=1.8, run_current_ma=10.50, run_current_at_hz=160_000_000, confirmed=True,
        source="STM32U575xx datasheet (DS13737) Rev 10, Table 43 (Run mode on SMPS, different "
               "codes, from flash, ICACHE on): 10.50 mA at 160 MHz, Range 1, VDD = 1.8 V, "
               "CoreMark (10.50 mA with reduced code too), all peripherals disabled, typ; the "
               "sister STM32U585 datasheet (DS13086 Rev 10, Table 44) gives the same"),
    # The H7A3's own figure (DS13195) on the SMPS at 3.3 V, the published supply. The run is
    # timed on the stand-in H743 board at 280 MHz (a different chip: mcusim has no H7A3 board).
    "H7A3 3.3 V SMPS": dict(
        voltage_v=3.3, run_current_ma=33.4, run_current_at_hz=280_000_000, confirmed=True,
        source="STM32H7A3xI/G datasheet (DS13195) Rev 8, Table 37 (Typical consumption in Run "
               "mode and corresponding performance versus code position): 33.4 mA typ on the "
               "SMPS (69.0 mA on the LDO) at 280 MHz, CoreMark from flash, cache ON, all "
               "peripherals disabled; Table 35 (Run mode from flash, its caption cut short in "
               "the extraction) gives 33.5 mA at the same point, VOS0. Read in a table-by-table "
               "extraction of ST's PDF (github.com/MaleBenAttia/st_datasheets153, "
               "outJason/H7/stm32h7a3ag/table_37.json; revision from its Table 145, revision "
               "history); the typ column's VDD (the datasheet's typical conditions) is not in "
               "the extraction"),
}

# ST's MLPerf Tiny v1.0 closed submissions (X-CUBE-AI 7.3.0, GCC 10.3). From each energy-mode
# results.txt: the median energy per inference, the power of the window that gave that median,
# and the median throughput of the energy run itself (P = E x throughput, checked below).
PUBLISHED = [
    dict(id="v1.0-st-L4R5-kws", model=KWS, board="stm32l4r5", clock_hz=120_000_000,
         energy_uj=3371.738, power_mw=44.892653, throughput=13.314, supply="L4R5 1.8 V",
         system_note="NUCLEO-L4R5ZI, STM32L4R5ZIT6U, 120 MHz, 'Operating at 1.8V / Dual Bank "
                     "Mode Activated'",
         source=f"{V10}/results/NUCLEO_L4R5ZI/kws/energy/results.txt",
         system=f"{V10}/systems/NUCLEO_L4R5ZI/NUCLEO_L4R5ZI_system_description.json"),
    dict(id="v1.0-st-L4R5-ad", model=AD, board="stm32l4r5", clock_hz=120_000_000,
         energy_uj=322.977, power_mw=42.654123, throughput=132.077, supply="L4R5 1.8 V",
         system_note="as above",
         source=f"{V10}/results/NUCLEO_L4R5ZI/ad/energy/results.txt",
         system=f"{V10}/systems/NUCLEO_L4R5ZI/NUCLEO_L4R5ZI_system_description.json"),
    dict(id="v1.0-st-U575-kws", model=KWS, board="stm32u575", clock_hz=160_000_000,
         energy_uj=1138.534, power_mw=25.836633, throughput=22.689, supply="U575 1.8 V SMPS",
         system_note="NUCLEO-U575ZI-Q, STM32U575ZIT6Q, 160 MHz, 'Operating at 1.8V / SMPS'",
         source=f"{V10}/results/NUCLEO-U575ZI-Q/kws/energy/results.txt",
         system=f"{V10}/systems/NUCLEO-U575ZI-Q/NUCLEO-U575ZI-Q_system_description.json"),
    dict(id="v1.0-st-U575-ad", model=AD, board="stm32u575", clock_hz=160_000_000,
         energy_uj=119.113, power_mw=24.704124, throughput=207.366, supply="U575 1.8 V SMPS",
         system_note="as above",
         source=f"{V10}/results/NUCLEO-U575ZI-Q/ad/energy/results.txt",
         system=f"{V10}/systems/NUCLEO-U575ZI-Q/NUCLEO-U575ZI-Q_system_description.json"),
    dict(id="v1.0-st-H7A3-kws", model=KWS, board="stm32h743", clock_hz=280_000_000,
         energy_uj=2721.781, power_mw=162.737250, throughput=59.782, supply="H7A3 3.3 V SMPS",
         system_note="NUCLEO-H7A3ZI-Q, STM32H7A3ZIT6Q, 280 MHz, 'Operating at 3.3V with SMPS'; "
                     "mcusim has no H7A3 board: the stm32h743 board at 280 MHz stands in",
         source=f"{V10}/results/NUCLEO-H7A3ZI-Q/kws/energy/results.txt",
         system=f"{V10}/systems/NUCLEO-H7A3ZI-Q/NUCLEO_H7A3ZI_Q_system_description.json"),
    dict(id="v1.0-st-H7A3-ad", model=AD, board="stm32h743", clock_hz=280_000_000,
         energy_uj=266.486, power_mw=146.206577, throughput=548.697, supply="H7A3 3.3 V SMPS",
         system_note="as above",
         source=f"{V10}/results/NUCLEO-H7A3ZI-Q/ad/energy/results.txt",
         system=f"{V10}/systems/NUCLEO-H7A3ZI-Q/NUCLEO_H7A3ZI_Q_system_description.json"),
]


def with_power(board, spec: dict):
    """The board with [power] replaced by the published-supply figures (normalised as the loader
    does: run_ua_per_mhz)."""
    if "run_current_ma" in spec:
        ua_per_mhz = spec["run_current_ma"] * 1000.0 / (spec["run_current_at_hz"] / 1e6)
    else:
        ua_per_mhz = spec["run_ua_per_mhz"]
    power = dict(board.power, voltage_v=spec["voltage_v"], run_ua_per_mhz=ua_per_mhz,
                 source=spec["source"], run_confirmed=spec["confirmed"])
    return dataclasses.replace(board, power=power)


def simulate(model: Path, board, clock_hz: int) -> dict:
    from mcusim.api import RunOptions
    from mcusim.compiler.runmodel import run_model
    r = run_model(model, board, RunOptions(seed=0, clock_hz=clock_hz))
    assert r.exit_code == 0, (model, board.name, r.exit_code)
    inf_cycles = sum(L.cycles for L in r.layers)           # the layers only, as in validation
    seconds = r.cycles / clock_hz
    return {
        "board": board.name, "clock_hz": clock_hz, "voltage_v": board.power["voltage_v"],
        "run_ua_per_mhz": round(board.power["run_ua_per_mhz"], 3),
        "run_confirmed": board.power.get("run_confirmed", False),
        "power_source": board.power["source"],
        "cycles_total": r.cycles, "cycles_inference": inf_cycles,
        "latency_ms": inf_cycles / clock_hz * 1e3,
        # average power over the whole run (start-up included); with every class factor 1.0 and
        # no sleep it is the same over the inference alone
        "power_mw": r.energy_uj / seconds * 1e-3,
        "energy_uj_inference": r.energy_uj * inf_cycles / r.cycles,
        "energy_sleep_uj": r.energy_sleep_uj,
    }


def compare(p: dict, sim: dict) -> dict:
    t_pub = 1000.0 / p["throughput"]
    p_pub = p["energy_uj"] / t_pub                 # uJ / ms = mW
    ratio_p = sim["power_mw"] / p_pub
    ratio_t = sim["latency_ms"] / t_pub
    ratio_e = sim["energy_uj_inference"] / p["energy_uj"]
    assert abs(ratio_e - ratio_p * ratio_t) < 1e-6 * ratio_e, (p["id"], ratio_e, ratio_p, ratio_t)
    return {"power_mw": round(sim["power_mw"], 2), "latency_ms": round(sim["latency_ms"], 3),
            "energy_uj": round(sim["energy_uj_inference"], 1),
            "power_ratio": round(ratio_p, 3), "latency_ratio": round(ratio_t, 3),
            "energy_ratio": round(ratio_e, 3)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--markdown", action="store_true", help="also print the tables as markdown")
    args = ap.parse_args()
    from mcusim.boards import load_board
    t0 = time.perf_counter()
    rows = []
    for p in PUBLISHED:
        row = dict(p)
        t_pub = 1000.0 / p["throughput"]
        row["published_latency_ms"] = round(t_pub, 3)
        row["published_power_mw_from_energy"] = round(p["energy_uj"] / t_pub, 3)
        # the window's power line and E x throughput agree to 0.1 %: the runner's own arithmetic
        assert abs(row["published_power_mw_from_energy"] / p["power_mw"] - 1) < 2e-3, p["id"]
        model = SHARED / p["model"]
        if not model.is_file():
            row["skipped"] = f"{model} not found"
            rows.append(row)
            continue
        board = load_board(p["board"], clock_hz=p["clock_hz"])
        shipped = simulate(model, board, p["clock_hz"])
        row["as_shipped"] = {**shipped, **compare(p, shipped)}
        spec = SUPPLY[p["supply"]]
        if spec is None:
            row["at_published_supply"] = None
        else:
            at = simulate(model, with_power(board, spec), p["clock_hz"])
            row["at_published_supply"] = {**at, **compare(p, at)}
        rows.append(row)
        a = row["at_published_supply"] or row["as_shipped"]
        print(f"{p['id']:18s} published {row['published_power_mw_from_energy']:7.1f} mW  "
              f"mcusim {row['as_shipped']['power_mw']:7.1f} mW as shipped, "
              f"{a['power_mw']:7.1f} mW at the published supply (ratio {a['power_ratio']:.2f}); "
              f"latency ratio {a['latency_ratio']:.2f}, energy ratio {a['energy_ratio']:.2f}",
              flush=True)
    result = {
        "what": "MLPerf Tiny v1.0 energy (ST, X-CUBE-AI) vs mcusim: E = P x t, power ratio "
                "separated from latency ratio (docs/validation.md section 3)",
        "supply_figures": SUPPLY,
        "rows": rows,
        "git_commit": subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"],
                                     capture_output=True, text=True).stdout.strip(),
        "bench_seconds": round(time.perf_counter() - t0, 1),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {OUT.relative_to(REPO)} in {result['bench_seconds']} s")
    if args.markdown:
        print_markdown(result)
    return 0


def print_markdown(result: dict) -> None:
    print("\n| id | mcusim board, clock | mcusim mW as shipped | mcusim mW at the published "
          "supply | published mW = µJ / ms | power ratio | latency ratio | energy ratio |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in result["rows"]:
        if "as_shipped" not in r:
            continue
        s, a = r["as_shipped"], r["at_published_supply"]
        best = a or s
        at = f"{a['power_mw']:.1f}" if a else "n/a"
        print(f"| {r['id']} | {r['board']} {r['clock_hz'] / 1e6:g} MHz | {s['power_mw']:.1f} | "
              f"{at} | {r['energy_uj']:.1f} / {r['published_latency_ms']:.2f} = "
              f"{r['published_power_mw_from_energy']:.1f} | {best['power_ratio']:.2f} | "
              f"{best['latency_ratio']:.2f} | {best['energy_ratio']:.2f} |")


if __name__ == "__main__":
    sys.exit(main())
