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


# --- board files -------------------------------------------------------------------------

STM32F4 = BOARD.read_text()


@pytest.mark.parametrize("old, new, contains", [
    ('core = "cortex-m4f"', "", "missing key 'core'"),
    ("clock_hz = 168_000_000", "clock_hz = 0", "clock_hz must be positive"),
    ("clock_hz = 168_000_000", 'clock_hz = "fast"', "key 'clock_hz' must be a non-negative"),
    ("base = 0x1000_0000", "base = 0x2000_1000", "memories 'sram' and 'ccm' overlap"),
    ("size = 0x1_0000", "size = 0", "key 'memory[2].size' must be positive"),
    ("[uart]", "[[[ nonsense", "invalid TOML"),
    # the cost model sizes its caches from these: a negative one crashed the process
    ("icache_lines = 64", "icache_lines = -1",
     "key 'memory[0].accelerator.icache_lines' must be a non-negative integer"),
    ("icache_lines = 64", 'icache_lines = "many"',
     "key 'memory[0].accelerator.icache_lines' must be a non-negative integer"),
    ("line_bytes = 16", "line_bytes = 0", "key 'memory[0].accelerator.line_bytes' must be between 1 and 4,096"),
    ("line_bytes = 16", "line_bytes = 0x8000_0000", "key 'memory[0].accelerator.line_bytes' must be between"),
    ("line_bytes = 16", "line_bytes = 12", "key 'memory[0].accelerator.line_bytes' must be a power of two"),
    ("prefetch = true", 'prefetch = "yes"', "key 'memory[0].accelerator.prefetch' must be true or false"),
    ("voltage_v = 3.3", "voltage_v = nan", "key 'power.voltage_v' must be a non-negative number"),
    ("voltage_v = 3.3", "voltage_v = inf", "key 'power.voltage_v' must be a non-negative number"),
    ("boot_address = 0x0800_0000", "boot_address = 0x0900_0000",
     "boot_address 0x09000000 is not inside any [[memory]]"),
])
def test_bad_board_file(capsys, tmp_path, old, new, contains):
    assert old in STM32F4
    board = tmp_path / "myboard.toml"
    board.write_text(STM32F4.replace(old, new, 1))
    elf = tmp_path / "a.elf"
    elf.write_bytes(b"\x7fELF")
    one_error(capsys, ["run", elf, "--board", board], contains=f"board file {board}: {contains}")
    one_error(capsys, ["boards", board], contains=contains)


@pytest.mark.parametrize("name, contains", [
    ("nope", "unknown board 'nope'; known boards: nrf52840"),
    ("nope.toml", "board file nope.toml: no such file"),
    ("", "empty board name; known boards:"),
    (".", "board file .: is a directory"),
])
def test_unknown_or_missing_board(capsys, tmp_path, name, contains):
    one_error(capsys, ["build", KWS, "--board", name], contains=contains)


def test_section_outside_a_tiny_board_names_its_bytes(capsys, firmware, tmp_path):
    board = tmp_path / "tiny.toml"
    board.write_text(STM32F4.replace("size = 0x2_0000 ", "size = 16 ").replace(
        "size = 0x1_0000", "size = 16"))
    line = one_error(capsys, ["run", firmware("hello.c"), "--board", board],
                     contains="does not fit the memories of board stm32f4")
    assert "sram 16 B at 0x20000000" in line


def test_elf_linked_for_another_board(capsys, firmware):
    one_error(capsys, ["run", firmware("hello.c"), "--board", "rp2040"],
              contains="section .isr_vector (64 bytes at 0x08000000) does not fit the memories "
                       "of board rp2040")
