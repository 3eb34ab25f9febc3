"""ELF loading: segments, symbols, symbolize; every bad input is refused with one line."""
import shutil
import struct
import subprocess

import pytest

from mcusim.cli import main
from mcusim.errors import BadInput
from mcusim.sim.elf import load_elf


def test_segments_sections_symbols(firmware):
    elf = load_elf(firmware("hello.c"))
    data = next(s for s in elf.sections if s.name == ".data")
    assert data.address == 0x2000_0000 and 0x0800_0000 <= data.load_address < 0x0810_0000
    assert any(seg.paddr == data.load_address for seg in elf.segments)
    main_addr = elf.symbol("main")
    assert main_addr is not None and main_addr % 2 == 0          # Thumb bit cleared
    assert [f[1] for f in elf.functions] == sorted(f[1] for f in elf.functions)
    assert elf.symbolize(main_addr) == "main"
    assert elf.symbolize(main_addr + 0x1a) == "main+0x1a"
    assert elf.symbolize(0x1234) == "0x00001234"
    assert elf.entry & ~1 == elf.symbol("Reset_Handler")


def _refused(path, capsys, *words):
    assert main(["run", str(path), "--board", "stm32f4", "-q"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("mcusim: error: "), err
    for w in words:
        assert w in err, err
    return err


def test_not_elf(tmp_path, capsys):
    p = tmp_path / "notes.elf"
    p.write_text("hello\n")
    _refused(p, capsys, "not an ELF file")


def test_empty_file(tmp_path, capsys):
    p = tmp_path / "empty.elf"
    p.write_bytes(b"")
    _refused(p, capsys, "not an ELF file")


@pytest.mark.parametrize("keep", [20, 60, 3000])
def test_truncated(firmware, tmp_path, capsys, keep):
    p = tmp_path / "cut.elf"
    p.write_bytes(firmware("hello.c").read_bytes()[:keep])
    _refused(p, capsys, "truncated")


@pytest.mark.skipif(shutil.which("gcc") is None, reason="host gcc not installed")
def test_x86_object(tmp_path, capsys):
    src = tmp_path / "x.c"
    src.write_text("int f(void) { return 1; }\n")
    subprocess.run(["gcc", "-c", str(src), "-o", str(tmp_path / "x.o")], check=True)
    _refused(tmp_path / "x.o", capsys, "x86", "not for 32-bit Arm")


def test_aarch64_header(tmp_path, capsys):
    # 64-byte ELF64 header: class 2, little-endian, ET_EXEC, EM_AARCH64 (183)
    hdr = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    hdr += struct.pack("<HHIQQQIHHHHHH", 2, 183, 1, 0x400000, 64, 0, 0, 64, 56, 0, 64, 0, 0)
    p = tmp_path / "a64.elf"
    p.write_bytes(hdr)
    _refused(p, capsys, "AArch64")


def test_segment_outside_board_memory(firmware, capsys):
    # Linked for stm32f4 (flash at 0x08000000): the nRF52840 has flash at 0 and RAM at 0x20000000.
    elf = firmware("hello.c")
    assert main(["run", str(elf), "--board", "nrf52840", "-q"]) == 2
    err = capsys.readouterr().err
    assert "section .isr_vector" in err and "0x08000000" in err and "nrf52840" in err
    assert "flash 1024 KB at 0x00000000" in err and err.count("\n") == 1


def test_no_such_file(tmp_path):
    with pytest.raises(BadInput, match="No such file"):
        load_elf(tmp_path / "missing.elf")


def test_bss_larger_than_board_ram(firmware, capsys):
    # 300 KB of .bss fits the STM32L4R5 (640 KB) but not the STM32F4's 128 KB main SRAM.
    elf = firmware("buffers.c", "stm32l4r5", flags=("-DBIG_BSS=300000",))
    assert main(["run", str(elf), "--board", "stm32f4", "-q"]) == 2
    err = capsys.readouterr().err
    assert "section .bss" in err and "stm32f4" in err and err.count("\n") == 1


def test_arm_object_file_is_not_an_executable(tmp_path, capsys):
    from mcusim.toolchain import gcc
    src = tmp_path / "f.c"
    src.write_text("int f(void) { return 1; }\n")
    subprocess.run([gcc(), "-mcpu=cortex-m4", "-mthumb", "-c", str(src), "-o",
                    str(tmp_path / "f.o")], check=True)
    _refused(tmp_path / "f.o", capsys, "ET_REL", "linked executable")


def test_stripped_elf_runs(firmware, run_elf, tmp_path):
    stripped = tmp_path / "hello_stripped.elf"
    subprocess.run(["arm-none-eabi-strip", "-o", str(stripped), str(firmware("hello.c"))],
                   check=True)
    elf = load_elf(stripped)
    assert not elf.functions and elf.symbolize(0x08000100) == "0x08000100"
    r = run_elf(stripped)
    assert r.stdout == "hello from mcusim\n" and r.exit_code == 0 and r.memory.stack_peak > 0
