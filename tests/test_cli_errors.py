"""Bad input to every command: one `mcusim: error: ...` line on stderr, a non-zero status, no
traceback, no hang, and no firmware output lost when an error follows it."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import mcusim.api
from mcusim.cli import main
from mcusim.errors import EXIT_LIMIT, EXIT_USAGE

ROOT = Path(__file__).resolve().parent.parent
KWS = ROOT / "models" / "kws_ref_model.tflite"
BOARD = ROOT / "boards" / "stm32f4.toml"


def one_error(capsys, argv, status=EXIT_USAGE, contains=""):
    """Run the CLI; assert `status` and exactly one stderr line, the error; return it."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert "Traceback" not in err and "internal error" not in err, err
    assert code == status, (code, err)
    assert len(lines) == 1 and lines[0].startswith("mcusim: error: "), err
    assert contains in lines[0], lines[0]
    return lines[0]


# --- the command line itself -------------------------------------------------------------

@pytest.mark.parametrize("argv, contains", [
    ([], "no command given; choose one of run, boards"),
    (["frob"], "invalid choice: 'frob'"),
    (["run"], "run: the following arguments are required: target"),
    (["run", "x.elf", "--top", "x"], "run: argument --top: invalid int value"),
    (["run", "x.elf", "--kernels", "fast"], "argument --kernels: invalid choice"),
    (["verify", "m.tflite", "-n", "x"], "verify: argument -n: invalid int value"),
    (["run", "x.elf", "--frob"], "unrecognized arguments: --frob"),
])
def test_usage_errors_are_one_line(capsys, argv, contains):
    line = one_error(capsys, argv, contains=contains)
    assert "--help" in line


def test_python_m_mcusim_without_arguments():
    p = subprocess.run([sys.executable, "-m", "mcusim"], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == EXIT_USAGE and p.stdout == ""
    assert p.stderr.splitlines() == [
        "mcusim: error: no command given; choose one of run, boards, build, verify, check "
        "(see mcusim --help)"]


@pytest.mark.parametrize("command", ["run", "boards", "build", "verify", "check"])
def test_help_of_every_command(capsys, command):
    with pytest.raises(SystemExit) as e:
        main([command, "--help"])
    out, err = capsys.readouterr()
    assert e.value.code == 0 and err == "" and f"usage: mcusim {command}" in out


# --- numbers: --clock, --max-cycles ------------------------------------------------------

@pytest.mark.parametrize("value, contains", [
    ("0", "--clock: must be at least 1 Hz"), ("-5", "--clock: must be at least 1 Hz"),
    ("0.5", "--clock: must be at least 1 Hz"), ("garbage", "--clock: expected a frequency"),
    ("inf", "--clock: expected a frequency"), ("nan", "--clock: expected a frequency"),
    ("1e400", "--clock: expected a frequency"), ("", "--clock: expected a frequency"),
    ("1GHz", "above what stm32f4's flash latency table covers"),
])
def test_bad_clock(capsys, tmp_path, value, contains):
    elf = tmp_path / "a.elf"      # the option is refused before the ELF is read
    elf.write_bytes(b"\x7fELF")
    one_error(capsys, ["run", elf, f"--clock={value}"], contains=contains)


@pytest.mark.parametrize("value, contains", [
    ("0", "positive number of cycles"), ("-1", "positive number of cycles"),
    ("garbage", "whole number of cycles"), ("1.5", "whole number of cycles"),
    ("", "whole number of cycles"),
])
def test_bad_max_cycles(capsys, tmp_path, value, contains):
    one_error(capsys, ["run", tmp_path / "a.elf", f"--max-cycles={value}"],
              contains=f"--max-cycles: expected a {contains} (or 'none' for no limit)")


def test_max_cycles_accepts_none_and_other_spellings():
    from mcusim.commands.run import _max_cycles
    assert _max_cycles("none") is None and _max_cycles("1e9") == 10**9
    assert _max_cycles("0x10") == 16 and _max_cycles("1_000") == 1000


def test_runaway_firmware_stops_at_the_default_limit(firmware, capsys, monkeypatch):
    """No --max-cycles: a firmware that never exits is still stopped (status 71), the message
    says it was the default and how to lift it. The default is shrunk here to keep it fast."""
    assert mcusim.api.RunOptions().max_cycles == mcusim.api.DEFAULT_MAX_CYCLES
    monkeypatch.setattr(mcusim.api, "DEFAULT_MAX_CYCLES", 100_000)
    code = main(["run", str(firmware("runaway.c")), "-q"])
    out, err = capsys.readouterr()
    assert code == EXIT_LIMIT and "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("mcusim: stopped after 100,0"), err
    assert "the default limit" in lines[0] and "lift it with --max-cycles none" in lines[0]
