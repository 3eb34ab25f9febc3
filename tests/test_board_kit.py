"""`mcusim boards B --export DIR`: a user's own C file, built with the exported Makefile, boots."""
import shutil
import subprocess

import pytest

from mcusim.api import RunOptions, run
from mcusim.cli import main

APP = '#include <stdio.h>\nint main(void) { printf("hello %d\\n", 42); return 3; }\n'


@pytest.mark.parametrize("board, semihosting", [("stm32f4", 1), ("rp2040", 1), ("stm32f4", 0)])
def test_exported_kit_builds_firmware_that_runs(tmp_path, capsys, board, semihosting):
    if not (shutil.which("make") and shutil.which("arm-none-eabi-gcc")):
        pytest.skip("make or arm-none-eabi-gcc not installed")
    kit = tmp_path / "kit"
    assert main(["boards", board, "--export", str(kit)]) == 0
    assert f"wrote {kit / (board + '.ld')}" in capsys.readouterr().out
    (kit / "app.c").write_text(APP)
    proc = subprocess.run(["make", "-s", "-C", str(kit), "APP=app", f"SEMIHOSTING={semihosting}"],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr   # -Wall clean
    r = run(kit / "app.elf", board, RunOptions(echo_stdout=False))
    assert r.stdout == "hello 42\n"
    assert r.exit_code == 3 and r.stop.reason == "exit"


def test_export_needs_a_board(tmp_path, capsys):
    assert main(["boards", "--export", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--export needs a board" in err
