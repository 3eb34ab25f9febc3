"""Faults and limits: bad access, undefined instruction, non-Thumb jump, flash write,
max-cycles, stack overflow; the CLI prints the fault report and exits with EXIT_FAULT."""
import pytest

from conftest import skip_without_profile

from mcusim.errors import EXIT_FAULT, EXIT_LIMIT


def _fault(firmware, run_elf, kind):
    return run_elf(firmware("faults.S", startup=False, flags=(f"-DFAULT_KIND={kind}",)))


def test_unmapped_read(firmware, run_elf):
    r = _fault(firmware, run_elf, 1)
    assert r.exit_code == EXIT_FAULT and r.stop.reason == "fault"
    assert r.stop.message.startswith("bad read")
    assert r.stop.fault_address == 0x90000000
    assert r.stop.where == "culprit+0x6"          # push, ldr r1,=; then the faulting ldr
    assert r.stop.registers["r1"] == 0x90000000
    assert r.stop.call_stack[-1] == "culprit"
    # movs, bl, push, ldr r1: the faulting load and what follows it in its block did not run
    assert r.instructions == 4


def test_return_to_exc_return_value(firmware, run_elf):
    # e.g. an entry function returning to the reset LR instead of calling exit()
    r = _fault(firmware, run_elf, 9)
    assert r.exit_code == EXIT_FAULT
    assert r.stop.message.startswith("bad return: branch to an EXC_RETURN address")
    assert r.stop.where == f"{r.stop.pc:#010x}"   # beyond every symbol: no 'name+offset'


def test_undefined_instruction(firmware, run_elf):
    r = _fault(firmware, run_elf, 2)
    assert r.exit_code == EXIT_FAULT
    assert r.stop.message.startswith("undefined instruction")
    assert "'udf #7'" in r.stop.message and r.stop.where == "culprit+0x2"


@pytest.mark.parametrize("kind", [3, 8])      # BX r1, POP {pc}
def test_jump_to_non_thumb_address(firmware, run_elf, kind):
    r = _fault(firmware, run_elf, kind)
    assert r.exit_code == EXIT_FAULT
    assert r.stop.message.startswith("non-thumb jump")
    assert r.stop.pc % 2 == 0 and r.stop.registers["r1"] == r.stop.pc


def test_write_to_flash(firmware, run_elf):
    r = _fault(firmware, run_elf, 4)
    assert r.stop.message.startswith("bad write") and "flash" in r.stop.message


def test_max_cycles_stops_runaway_loop(firmware, run_elf):
    r = run_elf(firmware("runaway.c"), max_cycles=200_000)
    assert r.stop.reason == "max_cycles" and r.exit_code == EXIT_LIMIT
    assert "--max-cycles 200,000" in r.stop.message
    assert 200_000 <= r.cycles < 200_100


def test_stack_overflow_is_reported(firmware, run_elf):
    r = run_elf(firmware("stack_overflow.c"))
    assert r.exit_code == 0 and r.stdout == "820\n"   # deep(40): 40 frames of n summed
    assert r.memory.stack_size == 16 * 1024
    assert r.memory.stack_peak > 40 * 1024
    assert any(w.startswith("stack overflow") for w in r.warnings)


def test_stack_out_of_ram_is_a_fault(firmware, run_elf):
    r = run_elf(firmware("stack_overflow.c", flags=("-DDEPTH=200",)))
    assert r.exit_code == EXIT_FAULT and r.stop.message.startswith("stack overflow")
    assert r.stop.fault_address < 0x2000_0000 and r.stop.where.startswith("deep")


def test_normal_stack_peak_is_small_and_no_warning(firmware, run_elf):
    r = run_elf(firmware("hello.c"))
    assert 0 < r.memory.stack_peak < 2048 and not r.warnings
    assert r.memory.heap_peak > 0                      # newlib's stdio buffers


def test_cli_fault_report_on_stderr(firmware, capsys):
    from mcusim.cli import main
    elf = firmware("faults.S", startup=False, flags=("-DFAULT_KIND=1",))
    assert main(["run", str(elf), "--board", "stm32f4", "-q"]) == EXIT_FAULT
    err = capsys.readouterr().err
    assert "bad read" in err and "culprit+0x6" in err and "0x90000000" in err
    assert "call stack" in err and "Traceback" not in err


def test_cli_max_cycles(firmware, capsys):
    from mcusim.cli import main
    assert main(["run", str(firmware("runaway.c")), "--max-cycles", "50000", "-q"]) == EXIT_LIMIT
    assert "--max-cycles 50,000" in capsys.readouterr().err


@pytest.mark.parametrize("kind", [1, 2, 3])
def test_faults_on_m0plus(firmware, run_elf, kind):
    skip_without_profile("stm32g0b1")
    r = run_elf(firmware("faults.S", "stm32g0b1", startup=False, flags=(f"-DFAULT_KIND={kind}",)),
                "stm32g0b1")
    assert r.exit_code == EXIT_FAULT


def test_unmodelled_peripheral(firmware, run_elf):
    r = _fault(firmware, run_elf, 5)
    assert r.exit_code == EXIT_FAULT and r.stop.fault_address == 0x40007c00
    assert "read of a peripheral register mcusim does not model: 0x40007c00" in r.stop.message


def test_wfi_with_nothing_to_wake_is_a_hang(firmware, run_elf):
    r = _fault(firmware, run_elf, 6)
    assert r.exit_code == EXIT_FAULT and r.stop.reason == "hang"
    assert "WFI/WFE with no enabled interrupt" in r.stop.message
    assert r.stop.where == "culprit+0x4"


def test_svc_without_a_vector_entry(firmware, run_elf):
    """faults.S has a two-word vector table: SVC is taken, and there is no SVCall entry."""
    r = _fault(firmware, run_elf, 7)
    assert r.exit_code == EXIT_FAULT and r.stop.reason == "fault"
    assert r.stop.message.startswith("bad vector: SVCall was taken but the vector table")
    assert "has no entry for it (exception 11, offset 0x2c)" in r.stop.message
