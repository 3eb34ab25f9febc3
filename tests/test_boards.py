"""Boards: the eight shipped TOMLs, user TOMLs, one-line errors, and each board boots a program."""
import re

import pytest

from conftest import skip_without_profile
from mcusim.boards import list_boards, load_board
from mcusim.cli import main
from mcusim.errors import BadInput
from mcusim.toolchain import CORE_FLAGS

EXPECTED = {  # issue 2: name -> (core, MHz)
    "stm32f4": ("cortex-m4f", 168), "stm32l4r5": ("cortex-m4f", 120),
    "stm32f746": ("cortex-m7", 216), "stm32h743": ("cortex-m7", 480),
    "nrf52840": ("cortex-m4f", 64), "rp2040": ("cortex-m0plus", 133),
    "stm32g0b1": ("cortex-m0plus", 64), "stm32u575": ("cortex-m33", 160),
}


def test_shipped_boards():
    assert set(list_boards()) == set(EXPECTED)
    for name, (core, mhz) in EXPECTED.items():
        b = load_board(name)
        assert (b.core, b.clock_hz) == (core, mhz * 10**6)
        assert b.core in CORE_FLAGS and b.sources
        assert b.flash.contains(b.boot_address) and b.ram.size >= 128 * 1024
        assert b.power["run_ua_per_mhz"] > 0 and b.power["source"]
        assert b.uart["kind"] and b.uart["source"]
        for m in b.memories:
            assert m.source, f"{name}: memory {m.name} has no source"


def test_every_figure_cites_a_source():
    from mcusim.paths import boards_dir
    for path in boards_dir().glob("*.toml"):
        for line in path.read_text().splitlines():
            if re.match(r"\s*(clock_hz|boot_address|wait_states|run_\w+)\s*=", line):
                assert "#" in line or "source" in line, f"{path.name}: {line.strip()}"


def test_power_figures_cite_sources_and_confirmed_means_a_table():
    """Issue 8 item 5: every [power] figure names its source; 'confirmed' only with the datasheet
    table (and revision) it was read from, and the file's stated arithmetic matches the loader."""
    from mcusim.boards import TABLE_REF
    from mcusim.paths import boards_dir
    confirmed = set()
    for name in EXPECTED:
        b = load_board(name)
        raw = (boards_dir() / f"{name}.toml").read_text()
        power_text = raw[raw.index("[power]"):]
        assert re.search(r"^run_confirmed = (true|false)", power_text, re.M), \
            f"{name}: [power] must state run_confirmed"
        assert b.power["source"], f"{name}: run current without a source"
        if b.power.get("sleep_ua_per_mhz") is not None:
            assert b.power["sleep_source"], f"{name}: sleep current without a source"
        for kind, src in (("run", "source"), ("sleep", "sleep_source")):
            if not b.power[f"{kind}_confirmed"]:
                continue
            confirmed.add((name, kind))
            text = b.power[src]
            assert TABLE_REF.search(text) and re.search(r"\bRev \d+", text), (name, kind, text)
            assert "NOT CONFIRMED" not in text and "ESTIMATE" not in text, (name, kind)
            # the figure's line states the per-MHz arithmetic; it must be what the loader uses
            key = "run_current_ma" if kind == "run" else "sleep_current_ma"
            line = next(ln for ln in power_text.splitlines() if ln.startswith(key))
            stated = float(re.search(r"= ([\d.]+) uA/MHz", line).group(1))
            assert stated == pytest.approx(b.power[f"{kind}_ua_per_mhz"], abs=0.05), (name, kind)
    assert {("stm32h743", "run"), ("stm32h743", "sleep"), ("stm32u575", "run"),
            ("stm32u575", "sleep"), ("stm32f4", "run"), ("stm32f4", "sleep")} <= confirmed


def test_unconfirmed_power_figures_say_so():
    """A shipped figure not read in a datasheet table must say so where it is cited, so a reader
    of the board file (or of `mcusim boards`) never takes an author's estimate for a datasheet's."""
    for name in EXPECTED:
        b = load_board(name)
        for kind, src, figure in (("run", "source", "run_ua_per_mhz"),
                                  ("sleep", "sleep_source", "sleep_ua_per_mhz")):
            if b.power.get(figure) is None or b.power[f"{kind}_confirmed"]:
                continue
            text = b.power[src]
            assert "NOT CONFIRMED" in text or "ESTIMATE" in text, (name, kind, text)


def test_clock_override_follows_run_current_table():
    """A --clock is charged the per-MHz current of the datasheet row for the voltage scale the
    start-up sets there; the file's stated arithmetic for every row matches."""
    from mcusim.paths import boards_dir
    h7 = lambda hz: load_board("stm32h743", clock_hz=hz).power["run_ua_per_mhz"]
    assert h7(480_000_000) == pytest.approx(110_000 / 480)     # VOS0 row
    assert h7(400_000_000) == pytest.approx(80_000 / 400)      # VOS1 rows
    assert h7(280_000_000) == h7(100_000_000) == pytest.approx(61_500 / 300)
    f4 = lambda hz: load_board("stm32f4", clock_hz=hz).power["run_ua_per_mhz"]
    assert f4(168_000_000) == pytest.approx(40_000 / 168)      # DS8626 Table 20 rows
    assert f4(84_000_000) == pytest.approx(20_000 / 90)
    assert f4(16_000_000) == pytest.approx(8_000 / 30)         # below the table: its first row
    assert load_board("stm32l4r5", clock_hz=80_000_000).power["run_ua_per_mhz"] == \
        load_board("stm32l4r5").power["run_ua_per_mhz"]       # no table: one figure per MHz
    for name in EXPECTED:
        table = load_board(name).power.get("run_current_table")
        if not table:
            continue
        line = next(ln for ln in (boards_dir() / f"{name}.toml").read_text().splitlines()
                    if ln.startswith("run_current_table"))
        for hz, ma in table:
            assert f"({ma * 1000 / (hz / 1e6):.1f} uA/MHz" in line, (name, hz, ma)


def test_clock_override_follows_latency_table():
    b = load_board("stm32f4", clock_hz=80_000_000)
    assert b.clock_hz == 80_000_000
    assert b.flash.wait_states == 2           # RM0090 Table 10: 60 < HCLK <= 90 MHz
    assert load_board("stm32f4", clock_hz=30_000_000).flash.wait_states == 0
    assert load_board("stm32f4").flash.wait_states == 5
    with pytest.raises(BadInput, match="above what stm32f4's flash latency table covers"):
        load_board("stm32f4", clock_hz=200_000_000)


def test_cli_clock_override(firmware, capsys, tmp_path):
    import json
    out = tmp_path / "r.json"
    assert main(["run", str(firmware("hello.c")), "--clock", "84MHz", "-q",
                 "--json", str(out)]) == 0
    assert json.loads(out.read_text())["clock_hz"] == 84_000_000


def test_unknown_board_lists_known():
    with pytest.raises(BadInput, match=r"unknown board 'stm32f9'; known boards: nrf52840, rp2040"):
        load_board("stm32f9")


def _write(tmp_path, text):
    p = tmp_path / "my_board.toml"
    p.write_text(text)
    return p


MINIMAL = """
name = "mine"
core = "cortex-m4"
profile = "cortex-m4"
clock_hz = 48_000_000
boot_address = 0
[[memory]]
name = "flash"
kind = "flash"
base = 0
size = 0x40000
[[memory]]
name = "ram"
kind = "ram"
base = 0x20000000
size = 0x10000
[uart]
kind = "pl011"
base = 0x40000000
data_offset = 0
status_offset = 0x18
[power]
voltage_v = 3.3
run_ua_per_mhz = 50
"""


def test_user_toml(tmp_path):
    b = load_board(str(_write(tmp_path, MINIMAL)))
    assert b.name == "mine" and b.flash.size == 0x40000 and b.ram.base == 0x20000000


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace('clock_hz = 48_000_000\n', ''), "missing key 'clock_hz'"),
    (lambda t: t.replace('kind = "ram"', 'kind = "rom"'), "memory[1].kind"),
    (lambda t: t.replace('size = 0x10000', 'size = "big"'), "memory[1].size"),
    (lambda t: t.replace('core = "cortex-m4"', 'core = "cortex-a53"'), "core 'cortex-a53'"),
    (lambda t: t.replace('base = 0x20000000', 'base = 0x100'), "overlap"),
    (lambda t: t.replace('run_ua_per_mhz = 50', ''), "power.run_ua_per_mhz"),
    (lambda t: t + "[[[", "invalid TOML"),
    (lambda t: t.replace('base = 0x40000000', 'base = 0x20000100'), "uart.base"),
    (lambda t: t.replace('size = 0x40000', 'size = 0x40000\nwait_states = 0\n'
                         'latency = [[24_000_000, 0], [48_000_000, 1]]'), "disagrees"),
    (lambda t: t.replace('size = 0x40000', 'size = 0x40000\nlatency = [[48_000_000, 0], '
                         '[24_000_000, 1]]'), "ascending"),
    (lambda t: t + 'run_confirmed = true\nsource = "DS0000 Rev 1, Features"\n',
     "power.run_confirmed = true needs power.source to cite the datasheet table"),
    (lambda t: t + 'run_confirmed = true\nsource = "DS0000, Table 3"\n',
     "power.run_confirmed = true needs power.source to name the document revision ('Rev N')"),
    (lambda t: t + 'run_confirmed = "yes"\n', "'power.run_confirmed' must be true or false"),
    (lambda t: t + 'sleep_confirmed = true\n', "power.sleep_confirmed = true needs power.sleep_source"),
    (lambda t: t.replace('run_ua_per_mhz = 50', 'run_current_ma = 5.0\nrun_current_at_hz = 48_000_000'
                         '\nrun_current_table = [[24_000_000, 2.0]]'), "needs a row at"),
    (lambda t: t.replace('run_ua_per_mhz = 50', 'run_current_ma = 5.0\nrun_current_at_hz = 48_000_000'
                         '\nrun_current_table = [[48_000_000, 5.0], [24_000_000, 2.0]]'),
     "run_current_table' must be in ascending"),
])
def test_bad_toml_one_line(tmp_path, edit, message):
    p = _write(tmp_path, edit(MINIMAL))
    with pytest.raises(BadInput) as e:
        load_board(str(p))
    assert message in str(e.value) and str(p) in str(e.value) and "\n" not in str(e.value)


def test_boards_command(capsys):
    assert main(["boards"]) == 0
    out = capsys.readouterr().out
    for name in EXPECTED:
        assert name in out
    assert main(["boards", "stm32h743"]) == 0
    out = capsys.readouterr().out
    assert "axi_sram" in out and "µA/MHz at 3.3 V, confirmed" in out
    assert main(["boards", "stm32l4r5"]) == 0
    assert "NOT CONFIRMED" in capsys.readouterr().out


@pytest.mark.parametrize("board", sorted(EXPECTED))
def test_each_board_boots(firmware, run_elf, board):
    skip_without_profile(board)
    r = run_elf(firmware("hello.c", board), board)
    assert r.stop.reason == "exit" and r.exit_code == 0, r.stop
    assert r.stdout == "hello from mcusim\n"
    assert r.board == board and r.core == EXPECTED[board][0]
    assert 0 < r.memory.flash_used < r.memory.flash_size
    assert r.memory.stack_peak > 0


def test_user_board_runs_firmware(firmware, run_elf, tmp_path):
    # The user's board has RAM at the same place as stm32f4 but flash only at 0x08000000.
    text = MINIMAL.replace("base = 0\n", "base = 0x08000000\n").replace(
        "boot_address = 0", "boot_address = 0x08000000")
    p = _write(tmp_path, text)
    # Built for stm32f4 but run on a board without a clock tree: keep the reset clock (no RCC).
    r = run_elf(firmware("hello.c", flags=("-DMCUSIM_KEEP_RESET_CLOCK",)), str(p))
    assert r.stdout == "hello from mcusim\n" and r.clock_hz == 48_000_000


@pytest.mark.parametrize("board", ["stm32f4", "stm32h743", "stm32u575", "stm32g0b1"])
def test_floating_point(firmware, run_elf, board):
    skip_without_profile(board)
    r = run_elf(firmware("float_check.c", board), board)
    assert r.stdout == "sqrt(2) = 1.414214\n" and r.exit_code == 0
