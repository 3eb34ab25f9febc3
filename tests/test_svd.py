"""The SVD register file: registers no mcusim device models read their reset value and keep what
is written (firmware/tests/svd_regs.c on an M4F, an M0+ and an M33 board); --strict-peripherals
keeps the fault and names the register; JSON and the report list the peripherals touched."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from mcusim.boards import load_board
from mcusim.cli import main
from mcusim.errors import EXIT_FAULT, BadInput
from mcusim.sim import svd_files
from mcusim.sim.svd import RegisterFile, SvdRegisters

# SPI1 (0x40013000) register values from each reference manual, not from the register file:
#  STM32F407: RM0090 rev 19, section 28.5 (SPI_SR reset 0x0002: TXE; SPI_CRCPR reset 0x0007;
#             SPI_RXCRCR read-only, 0 after reset).
#  STM32G0B1: RM0444 rev 5, SPI registers (SPIx_CR2 reset 0x0700: DS = 8 bits; SR 0x0002;
#             CRCPR 0x0007; RXCRCR read-only).
#  STM32U575: RM0456 rev 4, SPI registers (SPI_CFG1 reset 0x0007_0007; SPI_SR read-only,
#             reset 0x0000_1002: TXP, TXC; SPI_CRCPOLY reset 0x0000_0107).
EXPECTED = {
    "stm32f4": {"reset SR": 0x0002, "reset CRCPR": 0x0007, "written ro": 0},
    "stm32g0b1": {"reset CR2": 0x0700, "reset SR": 0x0002, "reset CRCPR": 0x0007,
                  "written ro": 0},
    "stm32u575": {"reset CFG1": 0x0007_0007, "reset SR": 0x0000_1002,
                  "reset CRCPOLY": 0x0000_0107, "written ro": 0x0000_1002},
}


def _needs_register_file(board: str) -> None:
    if svd_files.resolve(load_board(board)) is None:
        pytest.skip(f"{board}'s SVD is not installed (scripts/install.sh fetches it)")


def _values(stdout: str) -> dict[str, int]:
    out = {}
    for line in stdout.splitlines():
        key, _, value = line.partition("=")
        out[key] = int(value, 16)
    return out


@pytest.mark.parametrize("board", sorted(EXPECTED))
def test_svd_only_registers_read_reset_values_and_keep_writes(firmware, run_elf, board):
    _needs_register_file(board)
    r = run_elf(firmware("svd_regs.c", board), board)
    assert r.exit_code == 0, r.stop.message
    got = _values(r.stdout)
    for key, value in EXPECTED[board].items():
        assert got[key] == value, (board, key, hex(got[key]))
    assert got["written crc"] == 0x1021          # a read-write register keeps the write
    assert "SPI1" in r.peripherals_unmodelled
    assert len(set(r.peripherals_unmodelled)) == len(r.peripherals_unmodelled)


def test_strict_peripherals_faults_naming_the_register(firmware, capsys):
    _needs_register_file("stm32f4")
    elf = firmware("svd_regs.c", "stm32f4")
    code = main(["run", str(elf), "--board", "stm32f4", "--strict-peripherals", "-q"])
    err = capsys.readouterr().err
    assert code == EXIT_FAULT
    first = err.splitlines()[0]
    assert first.startswith("mcusim: fault: bad read: read of a peripheral register mcusim "
                            "does not model: SPI1.SR 0x40013008 at main"), err
    assert "Traceback" not in err


def test_json_and_report_list_the_touched_peripherals(firmware, tmp_path, capsys):
    _needs_register_file("stm32f4")
    elf = firmware("svd_regs.c", "stm32f4")
    out = tmp_path / "run.json"
    assert main(["run", str(elf), "--board", "stm32f4", "--json", str(out)]) == 0
    report = capsys.readouterr().out
    data = json.loads(out.read_text())
    assert "SPI1" in data["peripherals_unmodelled"]
    lines = [ln for ln in report.splitlines() if "touched but not modelled" in ln]
    assert len(lines) == 1
    assert lines[0].startswith("peripherals touched but not modelled: ")
    assert "SPI1" in lines[0].split(": ", 1)[1].split(", ")


def test_register_file_not_installed_is_a_warning_and_faults_as_before(firmware, run_elf,
                                                                         tmp_path):
    text = Path(load_board("stm32f4").path).read_text()
    text = text.replace('svd = "STM32F41x"', 'svd = "NoSuchChip"')
    board = tmp_path / "nosvd.toml"
    board.write_text(text)
    r = run_elf(firmware("svd_regs.c", "stm32f4"), str(board))
    assert r.exit_code == EXIT_FAULT
    assert "does not model: 0x40013008" in r.stop.message
    assert any("'NoSuchChip' is not installed" in w for w in r.warnings)
    assert r.peripherals_unmodelled == []


# --- the register semantics, on a register file of our own ----------------------------------

def _regfile() -> RegisterFile:
    # name, address, bits, reset, writable, write-1-to-clear, write-0-to-clear, reads-0
    return RegisterFile({"device": "T", "peripherals": [
        {"name": "P", "blocks": [[0x4000_0000, 0x400]], "registers": [
            ["CR", 0x4000_0000, 32, 0x0000_0083, 0xFFFF_FF00, 0, 0, 0],   # low byte read-only
            ["SR", 0x4000_0004, 32, 0x0000_0003, 0x0000_0003, 0x1, 0x2, 0],
            ["CMD", 0x4000_0008, 32, 0, 0xFFFF_FFFF, 0, 0, 0xFFFF_FFFF],  # write-only
            ["H", 0x4000_000C, 16, 0x1234, 0xFFFF, 0, 0, 0],
        ]}]})


def test_reset_values_read_only_bits_and_clear_flags():
    dev = SvdRegisters(_regfile())
    assert dev.read(0x4000_0000, 4) == 0x83
    dev.write(0x4000_0000, 4, 0xAABB_CCDD)
    assert dev.read(0x4000_0000, 4) == 0xAABB_CC83      # read-only byte kept its reset value
    dev.write(0x4000_0004, 4, 0x3)                       # bit 0 clears on 1, bit 1 keeps on 1
    assert dev.read(0x4000_0004, 4) == 0x2
    dev.write(0x4000_0004, 4, 0x0)                       # bit 1 clears on 0
    assert dev.read(0x4000_0004, 4) == 0x0
    dev.write(0x4000_0008, 4, 0x5)
    assert dev.read(0x4000_0008, 4) == 0                 # write-only reads 0
    assert dev.touched == ["P"]


def test_narrow_wide_and_reserved_accesses():
    dev = SvdRegisters(_regfile())
    assert dev.read(0x4000_000C, 2) == 0x1234
    assert dev.read(0x4000_000D, 1) == 0x12
    dev.write(0x4000_000D, 1, 0xAB)
    assert dev.read(0x4000_000C, 2) == 0xAB34
    assert dev.read(0x4000_000C, 4) == 0xAB34            # bytes 0x0E/0x0F are reserved: 0
    dev.write(0x4000_0100, 4, 0xFFFF_FFFF)               # reserved: ignored
    assert dev.read(0x4000_0100, 4) == 0
    f = _regfile()
    assert f.name(0x4000_0004) == "P.SR" and f.name(0x4000_0005) == "P.SR+1"
    assert f.name(0x4000_0100) == "P+0x100" and f.name(0x5000_0000) is None


SVD = textwrap.dedent("""\
    <?xml version="1.0" encoding="utf-8"?>
    <device schemaVersion="1.1">
      <name>TESTCHIP</name><version>1</version><description>t</description>
      <addressUnitBits>8</addressUnitBits><width>32</width>
      <size>32</size><access>read-write</access>
      <resetValue>0x00000000</resetValue><resetMask>0xFFFFFFFF</resetMask>
      <peripherals>
        <peripheral>
          <name>UNIT0</name><baseAddress>0x40001000</baseAddress>
          <addressBlock><offset>0</offset><size>0x400</size><usage>registers</usage></addressBlock>
          <registers>
            <register><name>CFG</name><description>c</description><addressOffset>0x0</addressOffset>
              <resetValue>0x00070007</resetValue></register>
            <register><name>STAT</name><description>s</description><addressOffset>0x4</addressOffset>
              <resetValue>0x2</resetValue>
              <fields><field><name>BUSY</name><bitOffset>1</bitOffset><bitWidth>1</bitWidth>
                <access>read-only</access></field>
                <field><name>ERR</name><bitOffset>4</bitOffset><bitWidth>1</bitWidth>
                <access>read-write</access><modifiedWriteValues>oneToClear</modifiedWriteValues>
                </field></fields></register>
          </registers>
        </peripheral>
        <peripheral derivedFrom="UNIT0">
          <name>UNIT1</name><baseAddress>0x40002000</baseAddress>
        </peripheral>
      </peripherals>
    </device>
    """)


def test_svd_parsed_with_cmsis_svd_and_cached(tmp_path, monkeypatch):
    pytest.importorskip("cmsis_svd")
    monkeypatch.setenv("MCUSIM_CACHE", str(tmp_path / "cache"))
    path = tmp_path / "TESTCHIP.svd"
    path.write_text(SVD)
    data = svd_files.cached_svd(path)
    assert list((tmp_path / "cache" / "svd").glob("TESTCHIP-*.json"))
    assert svd_files.cached_svd(path) == data            # the second load is the cache's
    dev = SvdRegisters(RegisterFile(data))
    assert dev.read(0x4000_2000, 4) == 0x0007_0007       # derivedFrom: UNIT1 has UNIT0's registers
    dev.write(0x4000_1004, 4, 0xFFFF_FFFF)               # BUSY read-only, ERR write-1-to-clear
    assert dev.read(0x4000_1004, 4) == 0x2
    assert dev.file.name(0x4000_2004) == "UNIT1.STAT"


def test_board_svd_keys_are_checked(tmp_path):
    text = Path(load_board("stm32f4").path).read_text()
    no_source = tmp_path / "a.toml"
    no_source.write_text("\n".join(ln for ln in text.splitlines()
                                   if not ln.startswith("svd_source")))
    with pytest.raises(BadInput, match="needs 'svd_source'"):
        load_board(str(no_source))
    missing = tmp_path / "b.toml"
    missing.write_text(text.replace('svd = "STM32F41x"', 'svd = "chips/none.svd"'))
    with pytest.raises(BadInput, match="svd file .* does not exist"):
        load_board(str(missing))


def test_register_maps_written_from_manuals_load():
    for board in ("stm32g0b1", "stm32u575"):
        regfile, note = svd_files.load_register_file(load_board(board))
        assert note == "" and regfile is not None
        assert regfile.name(0x4001_3000) == "SPI1.CR1"
        assert regfile.name(0x4000_3800) == "SPI2.CR1"     # derived_from SPI1


def test_svd_pages_leave_out_memories_and_the_core_space():
    board = load_board("stm32f4")
    regfile = RegisterFile({"device": "T", "peripherals": [
        {"name": "IN_FLASH", "blocks": [[0x0800_0000, 0x400]], "registers": []},
        {"name": "CORE", "blocks": [[0xE000_E000, 0x400]], "registers": []},
        {"name": "DBG", "blocks": [[0xE004_2000, 0x400]], "registers": []},
        {"name": "HUGE", "blocks": [[0x4004_0000, 0xFFFC_0000]], "registers": []},
        {"name": "OK", "blocks": [[0x4001_3000, 0x400]], "registers": []}]})
    # the internal PPB (SCS, DWT, ITM, FPB) is the core's; the external PPB holds vendor blocks
    # such as ST's DBGMCU (DDI 0403E B3.1)
    assert regfile.pages(board) == [0x4001_3000, 0x4004_0000, 0xE004_2000]


# --- register maps written from the manuals for the boards no package has an SVD of ---------
# Expected values from the manuals, not from the maps (firmware/tests/svd_map_regs.c prints them):
#  STM32F746: RM0385 rev 8, EXTI_IMR reset 0x0000_0000 (section 10.3), SYSCFG_MEMRMP reset 0 with
#             MEM_BOOT = 0 when booting from BOOT_ADD0 (7.2.1); SYSCFG_EXTICRx: EXTIx[3:0] in
#             bits 15:0, 31:16 reserved.
#  STM32H743: RM0433 rev 7, DBGMCU_IDC: DEV_ID 0x450, REV_ID 0x2003 = revision V (read-only);
#             FMC_BCR1 reset 0x0000_30DB (22.7); ST's system_stm32h7xx.c writes 0x0000_30D2.
#  STM32L4R5: RM0432 rev 9, SYSCFG_CFGR1 reset 0x7C00_0001 (FPU_IE[5:1], FWDIS); EXTI_IMR1 reset
#             0xFF82_0000 and EXTI_IMR2 bits 31:9 reserved (reset 0xFFFF_FF87; IM32-IM40 writable).
#  RP2040:    datasheet (build 2023-03-02), PADS_BANK0 GPIO0 reset 0x56 (2.19.6.3), TBMAN PLATFORM
#             reset 0x5 (ASIC); atomic aliases +0x1000 XOR / +0x2000 set / +0x3000 clear (2.1.2);
#             a byte write is replicated across the word (2.1.4): 0x12 -> 0x12121212, of which
#             GPIO0_CTRL keeps the fields 0x3003331F.
MAPS = {
    "stm32f746": {"reset EXTI_IMR": 0, "reset SYSCFG_MEMRMP": 0, "written EXTICR1": 0x0000_FFFF,
                  "written EXTI_IMR": 0x0000_2000},
    "stm32h743": {"reset DBGMCU_IDC": 0x2003_6450, "reset FMC_BCR1": 0x0000_30DB,
                  "written FMC_BCR1": 0x0000_30D2, "written DBGMCU_IDC": 0x2003_6450,
                  "written EXTICR1": 0x0000_2000},
    "stm32l4r5": {"reset SYSCFG_CFGR1": 0x7C00_0001, "reset EXTI_IMR1": 0xFF82_0000,
                  "written EXTICR1": 0x0000_8000, "written EXTI_IMR2": 0xFFFF_FE00},
    "rp2040": {"reset PADS_GPIO0": 0x56, "reset TBMAN_PLATFORM": 0x5, "xor PADS_GPIO0": 0x96,
               "set PADS_GPIO0": 0x97, "clear PADS_GPIO0": 0x93,
               "byte GPIO0_CTRL": 0x1212_1212 & 0x3003_331F},
}
TOUCHED = {"stm32f746": {"EXTI", "SYSCFG"}, "stm32h743": {"DBGMCU", "FMC", "SYSCFG"},
           "stm32l4r5": {"SYSCFG", "EXTI"}, "rp2040": {"TBMAN"}}   # rp2040: IO_BANK0 and
# PADS_BANK0 are devices (mcusim.sim.rp2040_io, tests/test_rp2040_io.py), same values expected


@pytest.mark.parametrize("board", sorted(MAPS))
def test_register_maps_of_the_boards_without_a_package_svd(firmware, run_elf, board):
    regfile, note = svd_files.load_register_file(load_board(board))
    assert note == "" and regfile is not None
    assert svd_files.resolve(load_board(board)).parent == svd_files.project_dir()
    r = run_elf(firmware("svd_map_regs.c", board), board)
    assert r.exit_code == 0, r.stop.message
    got = _values(r.stdout)
    assert got == MAPS[board], {k: hex(v) for k, v in got.items()}
    assert set(r.peripherals_unmodelled) == TOUCHED[board]


def test_map_without_a_package_svd_under_strict_faults_naming_the_register(firmware, capsys):
    elf = firmware("svd_map_regs.c", "stm32h743")
    code = main(["run", str(elf), "--board", "stm32h743", "--strict-peripherals", "-q"])
    err = capsys.readouterr().err
    assert code == EXIT_FAULT
    assert err.splitlines()[0].startswith(
        "mcusim: fault: bad read: read of a peripheral register mcusim does not model: "
        "DBGMCU.IDC 0x5c001000"), err


def test_atomic_aliases_and_write_1_to_clear_rows(tmp_path):
    path = tmp_path / "T.toml"
    path.write_text(textwrap.dedent("""\
        device = "T"
        source = "test"
        [[peripheral]]
        name = "P"
        base = 0x4001_4000
        size = 0x4000
        atomic_aliases = true
        source = "test"
        registers = [["CTRL", 0x0, 0x1F, 0x3003_331F], ["INTR", 0x4, 0, 0, 0xCC]]
        [[peripheral]]
        name = "Q"
        derived_from = "P"
        base = 0x4001_8000
        [[peripheral]]
        name = "S"
        base = 0x4002_0000
        size = 0x400
        source = "test"
        registers = [["PR", 0x0, 0, 0, 0xFF]]
        """))
    dev = SvdRegisters(RegisterFile(svd_files.parse_toml(path)))
    assert dev.read(0x4001_4000 + 0x2000, 4) == 0x1F      # an alias reads the register
    dev.write(0x4001_4000 + 0x1000, 4, 0x0000_0101)        # XOR
    assert dev.read(0x4001_4000, 4) == 0x1E | 0x100
    dev.write(0x4001_4000 + 0x3000, 4, 0x0000_0100)        # clear
    dev.write(0x4001_4000 + 0x2000, 4, 0x1000_0000)        # set
    assert dev.read(0x4001_4000, 4) == 0x1000_001E
    dev.write(0x4001_8001, 1, 0x03)                        # derived block, byte replicated
    assert dev.read(0x4001_8000, 4) == 0x0303_0303 & 0x3003_331F
    dev.values[0x4001_4004] = 0xCC                         # as if edges had latched
    dev.write(0x4001_4004 + 0x2000, 4, 0x04)               # set alias on a W1C bit clears it
    assert dev.read(0x4001_4004, 4) == 0xC8
    dev.write(0x4001_4004, 4, 0x80)
    assert dev.read(0x4001_4004, 4) == 0x48
    dev.values[0x4002_0000] = 0x0F                         # a plain (un-aliased) rc_w1 register
    dev.write(0x4002_0000, 4, 0x05)
    assert dev.read(0x4002_0000, 4) == 0x0A
