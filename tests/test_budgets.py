"""mcusim check: budgets that hold, budgets exceeded, bad files, --update keeping comments.

Runs are replaced by the realistic fixtures of _results (the simulator has its own tests); one
test at the end runs a real model when the toolchain is there."""
from __future__ import annotations

import shutil
import textwrap

import pytest

import mcusim.api
from _results import elf_result, kws_result
from mcusim import budget_file
from mcusim.budgets import Check, evaluate
from mcusim.cli import main
from mcusim.errors import BadInput

BUDGETS = """\
# Budgets checked in CI.
tolerance = 0.02   # allow 2% noise

[[budget]]
name = "kws"
target = "kws.tflite"     # the demo model
board = "stm32f4"
max_cycles = 5_000_000    # measured 2026-11-25
max_arena_bytes = 16384
max_flash_bytes = 131072
max_energy_uj = 3000.0

[budget.layers]
0 = 1_200_000
CONV_2D = 3_950_000

[[budget]]
target = "app.elf"
board = "stm32f4"
max_cycles = 800_000
max_stack_bytes = 1024

[budget.functions]
crc32 = 420000   # inclusive cycles
"""


@pytest.fixture
def fake_run(monkeypatch):
    calls = []

    def run(target, board="stm32f4", options=None, **kw):
        calls.append((target, board, options))
        return kws_result() if str(target).endswith(".tflite") else elf_result()
    monkeypatch.setattr(mcusim.api, "run", run)
    return calls


@pytest.fixture
def budgets(tmp_path):
    (tmp_path / "kws.tflite").write_bytes(b"")
    (tmp_path / "app.elf").write_bytes(b"")
    path = tmp_path / "budgets.toml"
    path.write_text(BUDGETS)
    return path


def check(capsys, *args):
    code = main(["check", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_all_budgets_hold(fake_run, budgets, capsys):
    code, out, err = check(capsys, budgets)
    assert (code, err) == (0, "")
    assert "all 9 limits hold" in out
    assert [c[0].name for c in fake_run] == ["kws.tflite", "app.elf"]
    assert fake_run[0][0].parent == budgets.parent         # targets relative to the file
    for metric in ("cycles", "arena peak", "flash", "energy", "layer 0 CONV_2D",
                   "layers CONV_2D (x5)", "stack peak", "function crc32"):
        assert metric in out
    assert "4,953,795" in out and "+0.9%" in out           # measured and headroom


def test_exceeded_budget_exits_1(fake_run, budgets, capsys):
    budgets.write_text(BUDGETS.replace("max_cycles = 800_000", "max_cycles = 700_000"))
    code, out, _ = check(capsys, budgets)
    assert code == 1
    row = next(l for l in out.splitlines() if "700,000" in l)
    assert "744,870" in row and "-6.4%" in row and "EXCEEDED" in row
    assert "1 of 9 limits exceeded" in out


def test_tolerance_lets_small_overruns_pass(fake_run, budgets, capsys):
    # 4,953,795 is 0.08% over 4,950,000: fine at 2%, exceeded at 0.
    budgets.write_text(BUDGETS.replace("5_000_000", "4_950_000"))
    code, out, _ = check(capsys, budgets)
    assert code == 0 and "ok (within tolerance)" in out
    budgets.write_text(BUDGETS.replace("5_000_000", "4_950_000").replace("tolerance = 0.02",
                                                                         "tolerance = 0"))
    assert check(capsys, budgets)[0] == 1


def test_failed_run_fails_its_budget(fake_run, budgets, capsys, monkeypatch):
    monkeypatch.setattr(mcusim.api, "run", lambda *a, **k: elf_result(exit_code=3))
    code, out, _ = check(capsys, budgets)
    assert code == 1 and "FAILED" in out and "run stopped: exit" in out and "exit 3" in out


@pytest.mark.parametrize("edit, message", [
    (("max_stack_bytes = 1024", "max_stack_byte = 1024"),
     "budget #2: unknown key 'max_stack_byte' (did you mean 'max_stack_bytes'?)"),
    (("max_cycles = 800_000", "max_cycles = \"fast\""),
     "budget #2: max_cycles: expected a number, got 'fast'"),
    (("max_cycles = 800_000", "max_cycles = -5"), "budget #2: max_cycles: must not be negative"),
    (("max_cycles = 800_000", "max_cycles = 1.5"),
     "budget #2: max_cycles: expected a whole number"),
    (('target = "app.elf"\n', ""), "budget #2: missing key 'target'"),
    (('target = "app.elf"', 'target = "gone.elf"'), "budget #2: target 'gone.elf': no such file"),
    (("tolerance = 0.02", "tolerance = \"2%\""), "tolerance: expected a relative number"),
    (("tolerance = 0.02", "tolerence = 0.02"), "unknown top-level key 'tolerence'"),
    (("0 = 1_200_000", "0 = 1_200_000\n99 = 5"), "budget #1: layers: no layer 99"),
    (("CONV_2D = ", "CONV_3D = "), "budget #1: layers: no layer or op 'CONV_3D' (did you mean "
                                   "'CONV_2D'?)"),
    (("crc32 = ", "crc33 = "), "budget #2: functions: no function 'crc33' in the profile "
                               "(did you mean 'crc32'?)"),
    (("max_stack_bytes = 1024", "max_arena_bytes = 1024"), "budget #2: max_arena_bytes: this run "
                                                          "has no arena"),
    (("max_cycles = 5_000_000", "max_cycles = = 5"), "not valid TOML: "),
])
def test_bad_file_is_one_line_exit_2(fake_run, budgets, capsys, edit, message):
    budgets.write_text(BUDGETS.replace(*edit, 1))
    code, out, err = check(capsys, budgets)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith(f"mcusim: error: {budgets}: ")
    assert message in err
    assert "Traceback" not in out + err


def test_file_without_entries_or_limits(fake_run, tmp_path, capsys):
    path = tmp_path / "b.toml"
    path.write_text("# nothing yet\n")
    assert check(capsys, path)[2] == f"mcusim: error: {path}: no [[budget]] entries (each " \
                                     "starts with a [[budget]] line)\n"
    (tmp_path / "a.elf").write_bytes(b"")
    path.write_text('[[budget]]\ntarget = "a.elf"\nboard = "stm32f4"\n')
    code, _, err = check(capsys, path)
    assert code == 2 and "budget #1: no limits" in err
    assert check(capsys, tmp_path / "missing.toml")[2].endswith("missing.toml: no such file\n")


def test_update_rewrites_figures_and_keeps_comments(fake_run, budgets, capsys):
    code, out, _ = check(capsys, budgets, "--update")
    assert code == 0 and "updated 9 figure(s)" in out
    text = budgets.read_text()
    expected = (BUDGETS.replace("5_000_000", "4_953_795").replace("16384", "16000")
                .replace("131072", "120512").replace("3000.0", "2978.2")  # µJ rounded up
                .replace("1_200_000", "1_104_230").replace("3_950_000", "3_912_701")
                .replace("800_000", "744_870").replace("1024", "612")
                .replace("420000", "418220"))
    assert text == expected                     # comments, order and number style kept
    assert sorted(p.name for p in budgets.parent.iterdir()) == \
        ["app.elf", "budgets.toml", "kws.tflite"]   # the temporary file was renamed away
    code, out, _ = check(capsys, budgets)
    assert code == 0


def test_update_leaves_failed_runs_alone(fake_run, budgets, capsys, monkeypatch):
    monkeypatch.setattr(mcusim.api, "run", lambda t, *a, **k: kws_result()
                        if str(t).endswith(".tflite") else elf_result(exit_code=1))
    code, out, _ = check(capsys, budgets, "--update")
    assert code == 1 and "1 failed run(s) left as they were" in out
    text = budgets.read_text()
    assert "max_cycles = 800_000" in text and "max_cycles = 4_953_795" in text


def test_run_error_names_the_entry(budgets, capsys):
    # The real api.run on an empty "ELF": the runner's one-line error, prefixed by the entry.
    budgets.write_text(BUDGETS.split("[[budget]]\ntarget = \"app.elf\"")[0].replace(
        'target = "kws.tflite"', 'target = "app.elf"').split("[budget.layers]")[0]
        .replace("max_arena_bytes = 16384\n", ""))
    code, out, err = check(capsys, budgets)
    assert code != 0 and err.count("\n") == 1
    assert err.startswith(f"mcusim: error: {budgets}: budget #1 (kws): ")


def test_evaluate_shared_semantics():
    r = kws_result()
    checks = evaluate(r, {"max_cycles": 5_000_000}, {"3": 300_000, "mcusim_layer_9_average_pool_2d": 20_000,
                                                     "softmax": 4000},
                      {"arm_convolve_s8": 1_104_170}, tolerance=0.0)
    assert [c.metric for c in checks] == ["cycles", "layer 3 DEPTHWISE_CONV_2D",
                                          "layer 9 AVERAGE_POOL_2D", "layer 12 SOFTMAX",
                                          "function arm_convolve_s8"]
    assert [c.exceeded for c in checks] == [False, False, True, False, False]
    assert checks[2].describe() == ("layer 9 AVERAGE_POOL_2D: measured 21,410 vs budget 20,000 "
                                    "(7.0% over)")
    with pytest.raises(BadInput, match="unknown budget 'max_cycle'"):
        evaluate(r, {"max_cycle": 1})


def test_arena_of_a_plain_elf_comes_from_a_watched_buffer():
    r = elf_result()
    r.memory.watches = {"tensor_arena": {"size": 20_000, "peak": 12_345}}
    (c,) = evaluate(r, {"max_arena_bytes": 12_000})
    assert c.measured == 12_345 and c.exceeded


def test_check_headroom_and_status():
    assert Check("x", 100, 90).headroom_pct == pytest.approx(10)
    assert Check("x", 100, 104, tolerance=0.05).status == "ok (within tolerance)"
    assert Check("x", 100, 106, tolerance=0.05).status == "EXCEEDED"
    assert Check("x", 0, 0).status == "ok"


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None, reason="no arm-none-eabi-gcc")
def test_real_model_budget(tmp_path, capsys):
    from mcusim.paths import models_dir
    model = models_dir() / "kws_ref_model.tflite"
    path = tmp_path / "b.toml"
    path.write_text(textwrap.dedent(f"""\
        [[budget]]
        target = "{model}"
        board = "stm32f4"
        max_cycles = 1   # certainly exceeded
        """))
    code, out, err = check(capsys, path)
    if code not in (0, 1):
        pytest.skip(f"model runs not available yet: {err.strip()}")
    assert code == 1 and "EXCEEDED" in out
    assert check(capsys, path, "--update")[0] == 0
    assert check(capsys, path)[0] == 0
    assert "# certainly exceeded" in path.read_text()
