"""Every board's memory map against the vendor's own linker script for that part.

Each case links firmware/tests/memmap.c with mcusim's generated script whose MEMORY block is the
vendor's regions (written here from the cited file, which was read, not copied: only the region
lines matter), a .bss buffer that ends just below the heap and stack at the top of the vendor's
main RAM region, and, where the vendor names another writable region, a buffer in it. The run
must exit 0 (every word written came back) and the memory figures must put each byte in the
physical memory the address map says.
"""
from __future__ import annotations

import pytest

from mcusim.api import RunOptions, run
from mcusim.boards import load_board
from mcusim.firmware import build_elf
from mcusim.sim.elf import load_elf
from mcusim.sim.linker import Region, default_stack_size, main_ram_region

from conftest import FIRMWARE_TESTS, needs_gcc

K = 1024
SLACK = 12 * K      # newlib's .data/.bss and the 8-byte-aligned heap start beside the buffer

# board, vendor file, MEMORY lines (name, attributes, origin, length), extra section
CASES = [
    ("stm32f4",
     # STMicroelectronics/STM32CubeF4, Projects/STM32F4-Discovery/Examples/SPI/
     # SPI_FullDuplex_ComDMA/STM32CubeIDE/STM32F407VGTX_FLASH.ld (STM32CubeIDE generated)
     [("CCMRAM", "xrw", 0x1000_0000, 64 * K), ("RAM", "xrw", 0x2000_0000, 128 * K),
      ("ROM", "rx", 0x0800_0000, 1024 * K)], ".ccmram"),
    ("stm32f746",
     # STMicroelectronics/STM32CubeF7, Projects/STM32746G-Discovery/Templates/SW4STM32/
     # STM32746G_Discovery_ITCM-FLASH/STM32F746NGHx_FLASH.ld: one RAM region over DTCM + SRAM
     [("RAM", "xrw", 0x2000_0000, 320 * K), ("FLASH", "rx", 0x0800_0000, 1024 * K)], None),
    ("stm32h743",
     # STMicroelectronics/STM32CubeH7, Projects/NUCLEO-H743ZI/Examples/BSP/STM32CubeIDE/
     # STM32H743ZITX_FLASH.ld: RAM is the AXI SRAM (D1)
     [("ITCMRAM", "xrw", 0x0000_0000, 64 * K), ("RAM", "xrw", 0x2400_0000, 512 * K),
      ("ROM", "rx", 0x0800_0000, 2048 * K)], ".itcmram"),
    ("stm32h743",
     # STMicroelectronics/STM32CubeH7, Projects/NUCLEO-H743ZI/Templates_LL/SW4STM32/
     # STM32H743ZI-Nucleo/STM32H743ZITx_FLASH.ld: RAM is the DTCM
     [("FLASH", "rx", 0x0800_0000, 2048 * K), ("RAM", "xrw", 0x2000_0000, 128 * K),
      ("ITCMRAM", "xrw", 0x0000_0000, 64 * K)], None),
    ("stm32l4r5",
     # STMicroelectronics/STM32CubeL4, Projects/NUCLEO-L4R5ZI/Templates/STM32CubeIDE/
     # STM32L4R5ZITX_FLASH.ld: RAM over SRAM1/SRAM2/SRAM3, which it also names
     [("RAM", "xrw", 0x2000_0000, 640 * K), ("SRAM1", "xrw", 0x2000_0000, 192 * K),
      ("SRAM2", "xrw", 0x2003_0000, 64 * K), ("SRAM3", "xrw", 0x2004_0000, 384 * K),
      ("ROM", "rx", 0x0800_0000, 2048 * K)], None),
    ("stm32g0b1",
     # STMicroelectronics/STM32CubeG0, Projects/NUCLEO-G0B1RE/Examples/GPIO/GPIO_IOToggle/
     # STM32CubeIDE/STM32G0B1RETX_FLASH.ld
     [("RAM", "xrw", 0x2000_0000, 144 * K), ("FLASH", "rx", 0x0800_0000, 512 * K)], None),
    ("stm32u575",
     # STMicroelectronics/STM32CubeU5, Projects/NUCLEO-U575ZI-Q/Templates_LL/TrustZoneDisabled/
     # STM32CubeIDE/STM32U575ZITX_FLASH.ld
     [("RAM", "xrw", 0x2000_0000, 768 * K), ("ROM", "rx", 0x0800_0000, 2048 * K)], None),
    ("rp2040",
     # raspberrypi/pico-sdk, src/rp2_common/pico_crt0/rp2040/memmap_default.ld (FLASH comes from
     # pico_flash_region.ld: 0x10000000, the board's flash size, 2 MB on the Pico)
     [("FLASH", "rx", 0x1000_0000, 2048 * K), ("RAM", "rwx", 0x2000_0000, 256 * K),
      ("SCRATCH_X", "rwx", 0x2004_0000, 4 * K), ("SCRATCH_Y", "rwx", 0x2004_1000, 4 * K)],
     ".scratch_x"),
    ("nrf52840",
     # NordicSemiconductor/nrfx, mdk/nrf52840_xxaa.ld (nRF5 SDK 17: modules/nrfx/mdk), read
     # in the raitraak-rrk/nrfx copy. EXTFLASH (QSPI XIP, an external chip on the DK) is not
     # modelled: nothing is placed there; CODE_RAM is the board's code_ram alias
     # (test_nrf52840_code_ram_is_the_data_ram below).
     [("FLASH", "rx", 0x0000_0000, 0x10_0000), ("EXTFLASH", "rx", 0x1200_0000, 0x800_0000),
      ("RAM", "rwx", 0x2000_0000, 0x4_0000), ("CODE_RAM", "rwx", 0x80_0000, 0x4_0000)], None),
]


@needs_gcc
@pytest.mark.parametrize("name, lines, extra", CASES,
                         ids=[f"{c[0]}-{c[1][0][0].lower()}{i}" for i, c in enumerate(CASES)])
def test_vendor_memory_map_links_and_runs(tmp_path, name, lines, extra):
    board = load_board(name)
    regions = [Region(*line) for line in lines]
    main = main_ram_region(board, regions)
    big = main.length - default_stack_size(board) - SLACK
    flags = [f"-DBIG={big}"] + ([f"-DEXTRA=\"{extra}\""] if extra else [])
    elf_path = build_elf([FIRMWARE_TESTS / "memmap.c"], board, tmp_path / f"{name}.elf",
                         extra_flags=flags, regions=regions)
    result = run(elf_path, name, RunOptions(echo_stdout=False))
    assert result.stop.reason == "exit" and result.exit_code == 0, (result.stop, result.stdout)
    assert f"big {big} bytes" in result.stdout and ": 0 bad" in result.stdout

    elf = load_elf(elf_path)
    addr = elf.symbol("big")
    assert main.origin <= addr and addr + big <= main.origin + main.length
    # Every byte of the buffer is counted in the physical memory that holds it.
    mem = result.memory
    used = {r["name"]: r["used"] for r in mem.by_memory}
    for m in board.span(addr, big):
        lo, hi = max(addr, m.base), min(addr + big, m.end)
        assert used[m.name] >= hi - lo
    assert sum(r["used"] for r in mem.by_memory if r["kind"] == "ram") == mem.ram_used
    if extra:
        x = elf.symbol("extra")
        assert used[board.memory_at(x).name] >= 1024


@needs_gcc
def test_cubemx_f746_ram_runs_from_dtcm_into_sram(tmp_path):
    """The issue's case: CubeMX's 320 KB RAM region; .bss runs from DTCM (64 KB, 0x20000000)
    into SRAM (0x20010000). The figures split it by memory and show the region."""
    board = load_board("stm32f746")
    regions = [Region(*line) for line in CASES[1][1]]
    big = 200 * K
    elf_path = build_elf([FIRMWARE_TESTS / "memmap.c"], board, tmp_path / "f746.elf",
                         extra_flags=[f"-DBIG={big}"], regions=regions)
    result = run(elf_path, "stm32f746", RunOptions(echo_stdout=False))
    assert result.exit_code == 0, result.stop
    mem = result.memory
    bss = next(s for s in mem.sections if s.name == ".bss")
    assert bss.region == "dtcm+sram"
    assert bss.split["dtcm"] == 0x2001_0000 - bss.address
    assert bss.split["sram"] == bss.size - bss.split["dtcm"]
    used = {r["name"]: r for r in mem.by_memory}
    assert used["dtcm"]["used"] == 64 * K and used["dtcm"]["size"] == 64 * K
    # .bss tail plus the 16 KB stack at the top of the region, both in SRAM
    assert used["sram"]["used"] == bss.split["sram"] + mem.stack_size
    # ...and per physical bank of SRAM: the .bss tail in SRAM1, the stack filling SRAM2 (RM0385)
    banks = {b["name"]: b for b in used["sram"]["banks"]}
    assert banks["SRAM1"]["size"] == 240 * K and banks["SRAM2"]["size"] == 16 * K
    assert banks["SRAM1"]["used"] == bss.split["sram"]
    assert banks["SRAM2"]["used"] == mem.stack_size == 16 * K
    assert mem.regions == [{"name": "dtcm+sram", "base": 0x2000_0000, "size": 320 * K,
                            "used": used["dtcm"]["used"] + used["sram"]["used"],
                            "memories": ["dtcm", "sram"]}]


@needs_gcc
def test_nrf52840_code_ram_is_the_data_ram(tmp_path):
    """nRF52840 Code RAM (0x00800000) and Data RAM (0x20000000) are one physical RAM (PS v1.7
    section 4.2): a word written through one address is read through the other, and code written
    through the data address runs from the code address. Memory figures count RAM once."""
    board = load_board("nrf52840")
    elf = build_elf([FIRMWARE_TESTS / "code_ram.c"], board, tmp_path / "code_ram.elf")
    result = run(elf, "nrf52840", RunOptions(echo_stdout=False))
    assert result.stop.reason == "exit" and result.exit_code == 0, (result.stop, result.stdout)
    assert "routine returned 42" in result.stdout
    assert board.ram.name == "ram" and [m.name for m in board.physical_memories] == ["flash", "ram"]


def test_alias_of_must_name_a_memory_of_the_same_size(tmp_path):
    from mcusim.errors import BadInput
    src = (FIRMWARE_TESTS.parent.parent / "boards" / "nrf52840.toml").read_text()
    p = tmp_path / "b.toml"
    p.write_text(src.replace('alias_of = "ram"', 'alias_of = "sram"'))
    with pytest.raises(BadInput, match="alias_of 'sram' is not another memory"):
        load_board(str(p))
    p.write_text(src.replace("size = 0x4_0000                 # 256 KB, the Data RAM's size",
                             "size = 0x2_0000"))
    with pytest.raises(BadInput, match="differs from it in kind or size"):
        load_board(str(p))
