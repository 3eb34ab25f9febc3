"""The examples README shows are real: the budget file holds, the pytest example passes."""
import subprocess
import sys
from pathlib import Path

from mcusim.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_example_budgets_hold(capsys):
    assert main(["check", str(ROOT / "examples" / "budgets.toml")]) == 0
    assert "limits hold" in capsys.readouterr().out


def test_example_budget_detects_a_regression(tmp_path, capsys):
    # The same file with the stm32f4 cycle budget cut by 10% must fail: the check can fail.
    text = (ROOT / "examples" / "budgets.toml").read_text()
    import tomllib
    cycles = tomllib.loads(text)["budget"][0]["max_cycles"]
    tight = text.replace(f"max_cycles = {cycles}", f"max_cycles = {int(cycles * 0.9)}", 1)
    (tmp_path / "budgets.toml").write_text(tight.replace("../models/", f"{ROOT}/models/"))
    assert main(["check", str(tmp_path / "budgets.toml")]) == 1
    assert "1 of 10 limits exceeded" in capsys.readouterr().out


def test_pytest_example_passes():
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           str(ROOT / "examples" / "test_kws_budget.py")],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "2 passed" in proc.stdout
