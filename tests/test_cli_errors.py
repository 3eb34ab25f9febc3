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
from mcusim.cli import COMMANDS, main
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
    (["run", "x.elf", "--top", "x"], "run: argument --top: expected a whole number, got 'x'"),
    (["run", "x.elf", "--top", "-1"], "run: argument --top: must be 0 or more, got '-1'"),
    (["run", "x.elf", "--kernels", "fast"], "argument --kernels: invalid choice"),
    (["verify", "m.tflite", "-n", "x"], "verify: argument -n: invalid int value"),
    (["verify", "m.tflite", "--seed", "-1"], "verify: argument --seed: must be 0 or more"),
    (["run", "m.tflite", "--seed", "-1"], "run: argument --seed: must be 0 or more"),
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
        f"mcusim: error: no command given; choose one of {', '.join(COMMANDS)} "
        "(see mcusim --help)"]


@pytest.mark.parametrize("command", ["run", "boards", "build", "verify", "check", "sweep"])
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
    from mcusim.commands.values import max_cycles as _max_cycles
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
    ('name = "ccm"', 'name = "sram"', "two memories are named 'sram'"),
    ("[uart]", "[[[ nonsense", "invalid TOML"),
    # the cost model sizes its caches from these: a negative one crashed the process
    ("icache_lines = 64", "icache_lines = -1",
     "key 'memory[0].accelerator.icache_lines' must be a non-negative integer"),
    ("icache_lines = 64", 'icache_lines = "many"',
     "key 'memory[0].accelerator.icache_lines' must be a non-negative integer"),
    ("line_bytes = 16", "line_bytes = 0",
     "key 'memory[0].accelerator.line_bytes' must be between 1 and 4,096"),
    ("line_bytes = 16", "line_bytes = 0x8000_0000",
     "key 'memory[0].accelerator.line_bytes' must be between"),
    ("line_bytes = 16", "line_bytes = 12",
     "key 'memory[0].accelerator.line_bytes' must be a power of two"),
    ("prefetch = true", 'prefetch = "yes"',
     "key 'memory[0].accelerator.prefetch' must be true or false"),
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
    no_banks = "\n".join(l for l in STM32F4.splitlines() if not l.startswith("banks"))
    board.write_text(no_banks.replace("size = 0x2_0000 ", "size = 16 ").replace(
        "size = 0x1_0000", "size = 16"))
    line = one_error(capsys, ["run", firmware("hello.c"), "--board", board],
                     contains="does not fit the memories of board stm32f4")
    assert "sram 16 B at 0x20000000" in line


def test_elf_linked_for_another_board(capsys, firmware):
    one_error(capsys, ["run", firmware("hello.c"), "--board", "rp2040"],
              contains="section .isr_vector (192 bytes at 0x08000000) does not fit the memories "
                       "of board rp2040")


def test_overlapping_memories_name_both_ranges(capsys, tmp_path):
    board = tmp_path / "overlap.toml"
    board.write_text(STM32F4.replace("base = 0x1000_0000", "base = 0x2001_8000", 1))
    one_error(capsys, ["boards", board], contains=f"board file {board}: memories 'sram' "
                     "and 'ccm' overlap: sram is 0x20000000-0x2001ffff, ccm "
                     "0x20018000-0x20027fff")


@pytest.mark.parametrize("bad, contains", [
    ("size = 0x1_C000", "key 'memory[1].banks' covers 0x20000000-0x2001bfff, not the whole memory"),
    ("base = 0x2001_C000", "key 'memory[1].banks[1]' (SRAM2) must start at 0x2001c000"),
])
def test_banks_that_do_not_tile_their_memory(capsys, tmp_path, bad, contains):
    """SRAM1/SRAM2 banks with a gap, an overlap or a short cover: one line naming the key."""
    board = tmp_path / "banks.toml"
    new = {"size = 0x1_C000": "size = 0x1_8000", "base = 0x2001_C000": "base = 0x2001_D000"}[bad]
    line = next(l for l in STM32F4.splitlines() if l.startswith("banks"))
    text = STM32F4.replace(line, line.replace(bad, new))
    if bad == "size = 0x1_C000":    # SRAM1 shorter, SRAM2 moved down with it: the cover is short
        text = text.replace("base = 0x2001_C000", "base = 0x2001_8000")
    board.write_text(text)
    one_error(capsys, ["boards", board], contains=f"board file {board}: {contains}")


def test_memories_that_touch_are_one_address_range(capsys, tmp_path):
    """CCM moved right after SRAM: contiguous memories are fine; sharing a page is not."""
    from mcusim.boards import load_board
    board = tmp_path / "touch.toml"
    board.write_text(STM32F4.replace("base = 0x1000_0000", "base = 0x2002_0000", 1))
    b = load_board(str(board))
    assert [m.name for m in b.span(0x2001_FFF0, 32)] == ["sram", "ccm"]
    assert b.ram_span(0x2000_0000) == (0x2000_0000, 0x2003_0000)
    no_banks = "\n".join(l for l in STM32F4.splitlines() if not l.startswith("banks"))
    board.write_text(no_banks.replace("base = 0x1000_0000", "base = 0x2002_0000", 1)
                     .replace("size = 0x2_0000 ", "size = 0x1_FF00 ", 1)
                     .replace("base = 0x2002_0000", "base = 0x2001_FF00", 1))
    one_error(capsys, ["boards", board], contains="memory 'ccm' at 0x2001ff00 starts in the last "
              "1024-byte page of 'sram'")


def _linked(tmp_path, name, regions, flags=()):
    from mcusim.boards import load_board
    from mcusim.firmware import build_elf
    from mcusim.sim.linker import Region
    if not __import__("shutil").which("arm-none-eabi-gcc"):
        pytest.skip("arm-none-eabi-gcc not installed")
    return build_elf([ROOT / "firmware" / "tests" / "memmap.c"], load_board("stm32f4"),
                     tmp_path / f"{name}.elf", extra_flags=flags,
                     regions=[Region(*r) for r in regions])


def test_section_across_a_real_gap_names_it(capsys, tmp_path):
    """A RAM region 64 KB longer than the STM32F4's SRAM: .bss runs past 0x20020000, where
    nothing is mapped (CCM is at 0x10000000 on this part)."""
    elf = _linked(tmp_path, "gap", [("RAM", "xrw", 0x2000_0000, 192 * 1024),
                                    ("ROM", "rx", 0x0800_0000, 1024 * 1024)],
                  ["-DBIG=150000"])
    line = one_error(capsys, ["run", elf, "--board", "stm32f4"], status=2,
                     contains="does not fit the memories of board stm32f4: it reaches the "
                              "unmapped gap 0x20020000-0x")
    assert "section .bss (" in line


def test_writable_data_in_flash_is_refused(capsys, tmp_path):
    """A script whose RAM region lies in the flash: the image would copy .data into flash."""
    elf = _linked(tmp_path, "ro", [("ROM", "rx", 0x0800_0000, 512 * 1024),
                                   ("RAM", "xrw", 0x0808_0000, 128 * 1024)])
    one_error(capsys, ["run", elf, "--board", "stm32f4"], status=2,
              contains="section .data (2.4 KB at 0x08080000) is writable data placed in "
                       "read-only flash of board stm32f4 (0x08000000-0x080fffff)")


# --- files: targets, models, --stdin, --input, outputs -----------------------------------

@pytest.fixture
def junk(tmp_path):
    """A folder of unusable files: junk("name", bytes) -> path."""
    def make(name, data=b""):
        p = tmp_path / name
        p.write_bytes(data)
        return p
    (tmp_path / "adir").mkdir()
    (tmp_path / "adir.tflite").mkdir()
    return make


@pytest.mark.parametrize("command", ["run", "build", "verify"])
@pytest.mark.parametrize("name, data, contains", [
    ("missing.tflite", None, "missing.tflite: no such file"),
    ("adir.tflite", None, "adir.tflite: is a directory, expected a"),
    ("empty.tflite", b"", "empty.tflite: not a TFLite flatbuffer (0 bytes)"),
    ("text.tflite", b"hello", "not a TFLite flatbuffer (5 bytes)"),
    ("random.tflite", bytes(range(256)) * 8, "not a TFLite model (file identifier"),
    ("trunc.tflite", KWS.read_bytes()[:1000], "truncated or corrupt flatbuffer"),
])
def test_bad_model_file(capsys, junk, tmp_path, command, name, data, contains):
    path = junk(name, data) if data is not None else tmp_path / name
    one_error(capsys, [command, path], contains=contains)


@pytest.mark.parametrize("name, data, contains", [
    ("missing.elf", None, "missing.elf: no such file"),
    ("adir", None, "adir: is a directory, expected an ELF, a .tflite model or a pipeline .toml"),
    ("empty.elf", b"", "not an ELF file"),
    ("text.elf", b"hello world", "not an ELF file"),
    ("x86.elf", b"\x7fELF\x02\x01\x01" + bytes(11) + (62).to_bytes(2, "little") + bytes(44),
     "ELF for x86-64 (64-bit), not for 32-bit Arm (Cortex-M)"),
    ("a64.elf", b"\x7fELF\x02\x01\x01" + bytes(11) + (183).to_bytes(2, "little") + bytes(44),
     "ELF for AArch64 (64-bit Arm) (64-bit), not for 32-bit Arm"),
    ("short.elf", b"\x7fELF\x01\x01\x01" + bytes(20), "truncated ELF file"),
])
def test_bad_elf_file(capsys, junk, tmp_path, name, data, contains):
    path = junk(name, data) if data is not None else tmp_path / name
    one_error(capsys, ["run", path], contains=contains)


def test_elf_without_program_headers(capsys, firmware, tmp_path):
    raw = bytearray(firmware("hello.c").read_bytes())
    raw[44:46] = b"\0\0"                     # e_phnum = 0: nothing to load
    (tmp_path / "nophdr.elf").write_bytes(raw)
    one_error(capsys, ["run", tmp_path / "nophdr.elf"], contains="ELF has no loadable segments")


def test_model_only_options_on_an_elf(capsys, firmware, tmp_path):
    """--output on an ELF used to be silently ignored: no file, status 0."""
    elf = firmware("hello.c")
    one_error(capsys, ["run", elf, "--output", tmp_path / "y.npy"],
              contains="--output: for .tflite models only")
    _npy(tmp_path / "x.npy", np.zeros(490, np.int8))
    one_error(capsys, ["run", elf, "--kernels", "portable"],
              contains="--kernels: for .tflite models only")
    one_error(capsys, ["run", elf, "--input", tmp_path / "x.npy", "--build-dir", tmp_path],
              contains="--input and --build-dir: for .tflite models only")


@pytest.mark.parametrize("option", ["--json", "--html", "--csv", "--trace", "--speedscope",
                                    "--output"])
def test_output_file_checked_before_the_run(capsys, junk, tmp_path, option):
    target = tmp_path / "never-read.elf"    # refused before the target is even looked at
    one_error(capsys, ["run", target, option, tmp_path / "nodir" / "x"],
              contains=f"{option} {tmp_path / 'nodir' / 'x'}: no such directory")
    junk("x")
    one_error(capsys, ["run", target, option, tmp_path / "adir"], contains="adir: is a directory")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")
def test_unwritable_json_keeps_the_report(capsys, firmware):
    """Writing fails after the run (/proc passes the up-front check): the firmware output and
    the report are printed first, then one error line."""
    code = main(["run", str(firmware("hello.c")), "--json", "/proc/mcusim-test.json"])
    out, err = capsys.readouterr()
    assert code == EXIT_USAGE
    assert out.startswith("hello from mcusim\n") and "functions" in out
    assert err.splitlines() == ["to stderr", "mcusim: error: --json /proc/mcusim-test.json: "
                                "No such file or directory"]


def test_stdin_file(capsys, firmware, junk, tmp_path):
    elf = firmware("stdin_echo.c")
    one_error(capsys, ["run", elf, "--stdin", tmp_path / "nope"], contains="--stdin")
    one_error(capsys, ["run", elf, "--stdin", tmp_path / "adir"],
              contains="adir: is a directory")


@pytest.mark.parametrize("dirname, contains", [
    ("afile", "exists and is not a directory"),
    ("/proc/mcusim-nope", "cannot create the directory"),
])
def test_build_output_directory(capsys, junk, dirname, contains):
    path = junk("afile") if dirname == "afile" else dirname
    one_error(capsys, ["build", KWS, "-o", path], contains=contains)
    one_error(capsys, ["run", KWS, "--build-dir", path], contains=contains)


def test_unusable_cache_directory(capsys, junk, monkeypatch):
    monkeypatch.setenv("MCUSIM_CACHE", str(junk("not-a-dir")))
    one_error(capsys, ["build", KWS], contains="(set MCUSIM_CACHE to a writable folder)")


def _file(path, data):
    path.write_bytes(data)
    return path


def _npy(path, array):
    np.save(path, array, allow_pickle=True)
    return path


@pytest.mark.parametrize("make, contains", [
    (lambda p: _npy(p / "x.npy", np.zeros((3, 3), np.int8)),
     "input input_1: expected shape [1, 49, 10, 1] (490 values), got [3, 3]"),
    (lambda p: _npy(p / "x.npy", np.zeros((1, 49, 10, 1), np.int32)),
     "expected int8 or float values, got int32"),
    (lambda p: _npy(p / "x.npy", np.zeros((1, 49, 10, 1), bool)),
     "expected int8 or float values, got bool"),
    (lambda p: _npy(p / "x.npy", np.full((1, 49, 10, 1), None, object)),
     "object arrays need pickle, which mcusim does not load"),
    (lambda p: _npy(p / "x.npy", np.full((1, 49, 10, 1), np.nan, np.float32)),
     "490 value(s) are NaN or infinite (the first at index [0, 0, 0, 0])"),
    (lambda p: _npy(p / "x.npy", np.array([0.0] * 489 + [np.inf])),
     "1 value(s) are NaN or infinite (the first at index [489])"),
    (lambda p: _file(p / "x.npy", b"hello"), "not a readable .npy/.npz file (no NumPy header"),
    (lambda p: _file(p / "x.npy", b""), "not a readable .npy/.npz file (no NumPy header"),
    (lambda p: np.savez(p / "x.npz", a=np.zeros(490, np.int8), b=np.zeros(490, np.int8))
     or p / "x.npz", "the model has 1 inputs, the file holds 2 array(s)"),
    (lambda p: _file(p / "x.npz", b"PK\x03\x04broken"), "not a readable .npy/.npz file"),
    (lambda p: p / "missing.npy", "--input"),
])
def test_bad_model_input(capsys, tmp_path, make, contains):
    one_error(capsys, ["run", KWS, "-q", "--input", make(tmp_path)], contains=contains)


def test_float64_input_is_quantized(capsys, tmp_path):
    x = _npy(tmp_path / "x.npy", np.zeros((1, 49, 10, 1), np.float64))
    assert main(["run", str(KWS), "-q", "--input", str(x)]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("model, contains", [
    ("mlperf_tiny/kws_ref_model_float32.tflite", "hybrid model: node 0 (CONV_2D)"),
    ("mlperf_tiny/ad01_fp32.tflite", "float model: node 0 (FULLY_CONNECTED)"),
])
def test_float_and_hybrid_models(capsys, model, contains):
    from compiler_support import SHARED
    path = SHARED / model
    if not path.is_file():
        pytest.skip(f"{path} not here")
    one_error(capsys, ["build", path], contains=contains)


# --- output that must not be lost, pipes, Ctrl-C -----------------------------------------

def _mcusim(*args):
    return [sys.executable, "-m", "mcusim", *map(str, args)]


def test_output_printed_before_a_fault_is_kept(firmware):
    p = subprocess.run(_mcusim("run", firmware("print_then_fault.c"), "-q"),
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 70
    assert p.stdout.splitlines() == [f"line {i}" for i in range(2000)]
    err = p.stderr.splitlines()
    assert err[0] == "last words" and err[1].startswith("mcusim: fault: bad read")
    assert "Traceback" not in p.stderr


def test_fault_after_a_partial_line_starts_a_line_of_its_own(firmware, tmp_path):
    """2>&1 into one file: the fault report must not run on from the firmware's last line,
    and stdout alone stays byte-exact."""
    elf = firmware("print_then_fault.c", flags=("-DPARTIAL",))
    both = tmp_path / "both.txt"
    with open(both, "w") as f:
        code = subprocess.run(_mcusim("run", elf, "-q"), stdout=f, stderr=subprocess.STDOUT,
                              timeout=60).returncode
    assert code == 70
    lines = both.read_text().splitlines()
    assert lines[0] == "no newline" and lines[1].startswith("mcusim: fault: bad read")
    p = subprocess.run(_mcusim("run", elf, "-q"), capture_output=True, timeout=60)
    assert p.stdout == b"no newline" and p.stderr.startswith(b"mcusim: fault: bad read")
    p = subprocess.run(_mcusim("run", elf), capture_output=True, text=True, timeout=60)
    assert p.stdout.startswith("no newline\nmcusim ")       # the report on its own line


@pytest.mark.parametrize("extra", [[], ["-q"]])
def test_broken_pipe_is_quiet(firmware, extra):
    """`mcusim run x | head -1`: the reader goes away; no traceback, status 141 (128+SIGPIPE)
    whether the firmware or the report was writing."""
    p = subprocess.Popen(_mcusim("run", firmware("print_then_fault.c"), *extra),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.stdout.readline() == b"line 0\n"
    p.stdout.close()
    err = p.stderr.read().decode()
    assert p.wait(timeout=60) == 141
    assert "Traceback" not in err and "Exception ignored" not in err and "error" not in err


def test_broken_pipe_in_the_report(firmware):
    p = subprocess.Popen(_mcusim("boards"), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.readline()
    p.stdout.close()
    err = p.stderr.read().decode()
    assert p.wait(timeout=60) in (0, 141)     # 0 when the table fit in the pipe first
    assert err == ""


def test_ctrl_c_stops_a_run_that_never_returns_to_python(firmware):
    p = subprocess.Popen(_mcusim("run", firmware("runaway.c"), "--max-cycles", "none"),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(1.5)
    p.send_signal(signal.SIGINT)
    try:
        out, err = p.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        raise
    assert p.returncode == 130
    assert err.decode().splitlines() == ["mcusim: interrupted"]


# --- budget files ------------------------------------------------------------------------

@pytest.mark.parametrize("body, contains", [
    ("[[budget]\ntarget=", "not valid TOML"),
    ('[[budget]]\ntarget="app.elf"\nboard="stm32f4"\nmax_cycles="x"\n',
     "budget #1: max_cycles: expected a number, got 'x'"),
    ('[[budget]]\ntarget="app.elf"\nboard="stm32f4"\nmax_cycle=1\n',
     "budget #1: unknown key 'max_cycle' (did you mean 'max_cycles'?)"),
    ('[[budget]]\nboard="stm32f4"\nmax_cycles=1\n', "budget #1: missing key 'target'"),
    ('[[budget]]\ntarget="nope.elf"\nboard="stm32f4"\nmax_cycles=1\n',
     "budget #1: target 'nope.elf': no such file"),
    ('[[budget]]\ntarget="."\nboard="stm32f4"\nmax_cycles=1\n',
     "budget #1: target '.': is a directory"),
    ('[[budget]]\ntarget="app.elf"\nboard="stm32f4"\nmax_cycles=-1\n',
     "budget #1: max_cycles: must not be negative"),
    ('[[budget]]\ntarget="app.elf"\nboard="stm32f4"\nmax_energy_uj=inf\n',
     "budget #1: max_energy_uj: expected a number, got inf"),
    ('[[budget]]\ntarget="app.elf"\nboard="stm32f4"\nname=[1]\nmax_cycles=1\n',
     "budget #1: name: expected a string, got [1]"),
    ('[[budget]]\ntarget="app.elf"\nboard="stm32f4"\ninput=5\nmax_cycles=1\n',
     "budget #1: input: expected the path of a .npy file, got 5"),
    ('[[budget]]\ntarget="app.elf"\nboard="stm32f4"\nclock=[1]\nmax_cycles=1\n',
     "budget #1: clock: expected a frequency"),
    ('[[budget]]\ntarget="app.elf"\nboard="stm32f4"\nclock="0MHz"\nmax_cycles=1\n',
     "budget #1: clock: must be at least 1 Hz"),
    ('[[budget]]\ntarget="app.elf"\nboard="nope"\nmax_cycles=1\n',
     "budget #1: unknown board 'nope'"),
    ("", "no [[budget]] entries"),
    ('[[budget]]\ntarget="app.elf"\nboard="stm32f4"\nseed=-1\nmax_cycles=1\n',
     "budget #1: seed: expected a whole number, 0 or more, got -1"),
])
def test_bad_budget_file(capsys, tmp_path, body, contains):
    (tmp_path / "app.elf").write_bytes(b"")
    path = tmp_path / "budgets.toml"
    path.write_text(body)
    one_error(capsys, ["check", path], contains=f"{path}: {contains}")


def test_budget_file_itself_missing_or_a_directory(capsys, tmp_path):
    one_error(capsys, ["check", tmp_path / "nope.toml"], contains="nope.toml: no such file")
    one_error(capsys, ["check", tmp_path], contains="is a directory")


def test_check_of_a_runaway_target_ends(capsys, firmware, tmp_path, monkeypatch):
    """mcusim check in CI on a firmware that never exits: the default limit ends the run and
    the budget fails (status 1), instead of the job hanging."""
    monkeypatch.setattr(mcusim.api, "DEFAULT_MAX_CYCLES", 100_000)
    path = tmp_path / "budgets.toml"
    path.write_text(f'[[budget]]\ntarget="{firmware("runaway.c")}"\nboard="stm32f4"\n'
                    f'max_cycles=1000\n')
    assert main(["check", str(path)]) == 1
    out, err = capsys.readouterr()
    assert "run stopped: max_cycles" in out and "FAILED" in out and err == ""


@pytest.mark.parametrize("value", [0, -1, 1.5, "10"])
def test_api_refuses_a_bad_max_cycles(value):
    """max_cycles=0 meant "no limit" to the profiler, -1 an internal error."""
    from mcusim.errors import BadInput
    with pytest.raises(BadInput, match="max_cycles must be a positive whole number"):
        mcusim.api.run(KWS, "stm32f4", max_cycles=value)


def test_api_refuses_a_negative_seed(tmp_path):
    """The pytest fixture and `mcusim check` go through api.run: numpy's ValueError used to
    escape as an internal error."""
    from mcusim.errors import BadInput
    with pytest.raises(BadInput, match="seed must be a whole number, 0 or more, got -1"):
        mcusim.api.run(KWS, "stm32f4", seed=-1)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.parametrize("argv", [
    ["run", "/dev/zero"], ["build", "/dev/zero"], ["check", "/dev/zero"],
    ["run", KWS, "--input", "/dev/zero"], ["run", "x.elf", "--stdin", "/dev/zero"],
    ["run", KWS, "--board", "/dev/zero"], ["boards", "/dev/zero"],
])
def test_endless_device_is_refused_not_read_forever(capsys, argv):
    one_error(capsys, argv, contains="/dev/zero: not a regular file")


def test_misspelt_board_key_is_refused_not_ignored(capsys, tmp_path):
    """`wait_state = 5` used to be dropped silently: the flash ran at 0 wait states."""
    board = tmp_path / "typo.toml"
    board.write_text(STM32F4.replace("wait_states = 5 ", "wait_state = 5 ", 1))
    one_error(capsys, ["boards", board], contains="unknown key 'memory[0].wait_state' (did you "
                                                  "mean 'memory[0].wait_states'?)")


def test_build_never_overwrites_a_users_folder(capsys, tmp_path):
    """`mcusim build m.tflite -o .` in a firmware project used to replace its main.c/Makefile."""
    (tmp_path / "main.c").write_text("int main(void) { return 0; }\n")
    one_error(capsys, ["build", KWS, "-o", tmp_path],
              contains="not empty (main.c) and not an earlier mcusim project")
    one_error(capsys, ["run", KWS, "--build-dir", tmp_path], contains="not an earlier mcusim")
    assert (tmp_path / "main.c").read_text() == "int main(void) { return 0; }\n"
    out = tmp_path / "proj"
    assert main(["build", str(KWS), "-o", str(out)]) == 0
    assert main(["build", str(KWS), "-o", str(out)]) == 0       # our own project: rebuilt
    assert capsys.readouterr().err == ""


def test_verify_negative_count(capsys):
    one_error(capsys, ["verify", KWS, "-n", "-1"], contains="-n must be 0 or more, got -1")


def test_truncated_elf(capsys, firmware, tmp_path):
    path = tmp_path / "trunc.elf"
    path.write_bytes(firmware("hello.c").read_bytes()[:3000])
    one_error(capsys, ["run", path], contains="truncated")


def test_newline_in_a_file_name_keeps_the_error_on_one_line(capsys, tmp_path):
    one_error(capsys, ["run", tmp_path / "a\nb.elf"], contains="a\\nb.elf: no such file")


def test_check_keeps_the_measured_rows_when_a_later_target_fails(capsys, firmware, tmp_path):
    """A bad board is refused before any run; a target that cannot run stops the check with
    one line, after the table of the entries already measured."""
    elf = firmware("hello.c")
    path = tmp_path / "budgets.toml"
    first = f'[[budget]]\ntarget="{elf}"\nboard="stm32f4"\nmax_cycles=100_000_000\n\n'
    path.write_text(first + f'[[budget]]\ntarget="{elf}"\nboard="nope"\nmax_cycles=1\n')
    assert one_error(capsys, ["check", path], contains="budget #2: unknown board 'nope'")
    (tmp_path / "junk.elf").write_bytes(b"junk")
    path.write_text(first + '[[budget]]\ntarget="junk.elf"\nboard="stm32f4"\nmax_cycles=1\n')
    code = main(["check", str(path)])
    out, err = capsys.readouterr()
    assert code == EXIT_USAGE and "hello_stm32f4" in out and "100,000,000" in out
    assert err.splitlines() == [f"mcusim: error: {path}: budget #2 (junk.elf): "
                                f"{tmp_path / 'junk.elf'}: not an ELF file (expected an "
                                f"executable built for Cortex-M)"]


def test_board_path_in_a_budget_file_is_relative_to_it(capsys, firmware, tmp_path):
    (tmp_path / "boards").mkdir()
    (tmp_path / "boards" / "mine.toml").write_text(STM32F4)
    path = tmp_path / "budgets.toml"
    path.write_text(f'[[budget]]\ntarget="{firmware("hello.c")}"\nboard="boards/mine.toml"\n'
                    f'max_cycles=100_000_000\n')
    assert main(["check", str(path)]) == 0


def test_unreadable_and_unwritable_paths(capsys, firmware, tmp_path, monkeypatch):
    """As root every file is readable, so permissions are taken away through os.access."""
    elf = firmware("hello.c")
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, *a, **k:
                        False if str(p).startswith(str(tmp_path)) else real(p, mode, *a, **k))
    locked = tmp_path / "locked.elf"
    locked.write_bytes(elf.read_bytes())
    one_error(capsys, ["run", locked], contains=f"{locked}: permission denied")
    one_error(capsys, ["run", elf, "--json", tmp_path / "r.json"],
              contains=f"--json {tmp_path / 'r.json'}: permission denied")
    one_error(capsys, ["build", KWS, "-o", tmp_path / "out"], contains="permission denied")
