"""Semihosting through newlib + librdimon: print, read stdin, files, exit status."""
import os

from mcusim.errors import EXIT_FAULT


def test_printf_stdout_and_stderr(firmware, run_elf):
    r = run_elf(firmware("hello.c"))
    assert r.stop.reason == "exit" and r.exit_code == 0
    assert r.stdout == "hello from mcusim\n"
    assert r.stderr == "to stderr\n"
    assert r.instructions > 1000 and r.cycles >= r.instructions


def test_echo_streams_output_to_sys_stdout(firmware, run_elf, capfd):
    run_elf(firmware("hello.c"), echo_stdout=True)
    out, err = capfd.readouterr()
    assert out == "hello from mcusim\n"
    assert "to stderr" in err


def test_stdin_lines_and_exit_status(firmware, run_elf):
    r = run_elf(firmware("stdin_echo.c"), stdin=b"alpha\nbeta gamma\nlast")
    assert r.stdout == "1: alpha\n2: beta gamma\n3: last\nlines: 3\n"
    assert r.exit_code == 3


def test_no_stdin_is_end_of_file(firmware, run_elf):
    r = run_elf(firmware("stdin_echo.c"))
    assert r.stdout == "lines: 0\n" and r.exit_code == 0


def test_exit_status_passes_through(firmware, run_elf):
    assert run_elf(firmware("exit_status.c")).exit_code == 42
    r = run_elf(firmware("exit_status.c", flags=("-DSTATUS=7",)))
    assert r.exit_code == 7 and r.stdout == "exiting with 7\n"


def test_files_relative_to_cwd(firmware, run_elf, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = run_elf(firmware("files.c"))
    assert r.stdout == "read 456 len 10\n", r.stop
    assert r.exit_code == 0
    assert not os.listdir(tmp_path)       # the firmware removed its file


def test_exit_through_cli_status(firmware, capsys):
    from mcusim.cli import main
    assert main(["run", str(firmware("exit_status.c")), "--board", "stm32f4", "-q"]) == 42
    assert "exiting with 42" in capsys.readouterr().out


def test_operations_called_directly(firmware, run_elf):
    r = run_elf(firmware("semihost_ops.c"), argv=["a", "bc"])
    lines = r.stdout.splitlines()
    # :semihosting-features: "SHFB" + EXIT_EXTENDED | STDOUT_STDERR
    assert lines[0] == "features len 5 left 0 magic SHFB bits 3"
    assert lines[1:5] == ["istty 1", "tickfreq 168000000", "elapsed>0 1",
                          "heap base<limit 1 stack_base>limit 1"]
    assert lines[5].startswith("cmdline semihost_ops") and lines[5].endswith(".elf a bc")
    # legacy SYS_EXIT with ADP_Stopped_ApplicationExit: status 0 (not main's 99)
    assert r.stop.reason == "exit" and r.exit_code == 0


def test_unsupported_operation_is_a_fault(firmware, run_elf):
    r = run_elf(firmware("semihost_ops.c", flags=("-DBAD_OP=0x77",)))
    assert r.stop.reason == "fault" and r.exit_code == EXIT_FAULT
    assert "unsupported semihosting operation 0x77" in r.stop.message
    assert r.stop.where.startswith("main+")
