"""SysTick and DWT register models against the Armv7-M rules (DDI 0403E B3.3, C1.8), driven by a
stand-in cycle counter."""
from mcusim.sim.peripherals import DEMCR, DEMCR_TRCENA, Dwt, SystemControl

CSR, RVR, CVR = 0x010, 0x014, 0x018


class Clock:
    def __init__(self):
        self.now = 0

    def __call__(self):
        return self.now


def _devices(core="cortex-m4"):
    clock = Clock()
    dwt = Dwt(clock, has_cyccnt=core != "cortex-m0plus")
    scs = SystemControl(core, clock, dwt)
    dwt.scs = scs
    return clock, scs, dwt


def test_systick_counts_down_and_reloads():
    clock, scs, _ = _devices()
    scs.write(RVR, 4, 99)
    scs.write(CVR, 4, 12345)             # any write clears the counter
    assert scs.read(CVR, 4) == 0
    scs.write(CSR, 4, 5)                 # ENABLE | CLKSOURCE
    expected = {0: 0, 1: 99, 50: 50, 100: 0, 101: 99, 200: 0, 250: 50}
    for t, value in expected.items():
        clock.now = t
        assert scs.read(CVR, 4) == value, t


def test_systick_countflag_set_once_per_wrap_and_cleared_by_read():
    clock, scs, _ = _devices()
    scs.write(RVR, 4, 9)
    scs.write(CSR, 4, 1)
    clock.now = 9
    assert not scs.read(CSR, 4) & (1 << 16)
    clock.now = 10                       # reached 0
    assert scs.read(CSR, 4) & (1 << 16)
    assert not scs.read(CSR, 4) & (1 << 16)
    clock.now = 35                       # 0 again at 20 and 30
    assert scs.read(CSR, 4) & (1 << 16)


def test_systick_disabled_holds_value():
    clock, scs, _ = _devices()
    scs.write(RVR, 4, 999)
    scs.write(CSR, 4, 1)
    clock.now = 11
    scs.write(CSR, 4, 0)
    held = scs.read(CVR, 4)
    clock.now = 500
    assert scs.read(CVR, 4) == held == 989


def test_cyccnt_needs_trcena_and_cyccntena():
    clock, scs, dwt = _devices()
    dwt.write(0x0, 4, 1)                 # CYCCNTENA without TRCENA: still stopped
    clock.now = 100
    assert dwt.read(0x4, 4) == 0
    scs.write(DEMCR, 4, DEMCR_TRCENA)
    clock.now = 150
    assert dwt.read(0x4, 4) == 50
    dwt.write(0x4, 4, 1000)              # writable while running
    clock.now = 160
    assert dwt.read(0x4, 4) == 1010
    dwt.write(0x0, 4, 0)                 # stop: holds
    clock.now = 400
    assert dwt.read(0x4, 4) == 1010
    clock.now = 2**33
    dwt.write(0x0, 4, 1)
    clock.now += 5
    assert dwt.read(0x4, 4) == 1015      # 32-bit, continues from the held value


def test_m0plus_has_no_cyccnt():
    clock, scs, dwt = _devices("cortex-m0plus")
    scs.write(DEMCR, 4, DEMCR_TRCENA)
    dwt.write(0x0, 4, 1)
    clock.now = 100
    assert dwt.read(0x4, 4) == 0 and dwt.read(0x0, 4) & (1 << 25)     # NOCYCCNT
    assert scs.read(0xD00, 4) == 0x410CC601                             # CPUID: M0+ r0p1


def test_bit_band_aliases_on_stm32f4(firmware, run_elf):
    """SRAM and peripheral bit-band aliases (RM0090 2.3.3): what vendor HAL code uses for
    RCC_CR.PLLON and friends; boards without the option do not map them."""
    r = run_elf(firmware("bitband.c", startup=True, flags=("-DMCUSIM_KEEP_RESET_CLOCK",)))
    assert r.exit_code == 0, r.stop.message
    r = run_elf(firmware("bitband.c", "stm32f746", flags=("-DMCUSIM_KEEP_RESET_CLOCK",)),
                "stm32f746")
    assert r.exit_code == 70 and "0x22" in r.stop.message    # the M7 parts have no bit-band


def test_systick_reference_clock(firmware, run_elf):
    """CLKSOURCE = 0 counts the board's reference clock: HCLK/8 on STM32 (RM0090 7.2), so a
    reload of 99 gives 800 core cycles between interrupts; CALIB says a reference exists."""
    r = run_elf(firmware("systick_ref.c"))
    assert r.exit_code == 0, r.stdout
    first, *rest = (int(x) for x in r.stdout.split()[1:])
    # The handler reads CYCCNT after a few instructions; its first run also fetches its lines
    # from flash (ART misses), so only the later periods are exact.
    assert rest == [800, 800] and 800 - 32 <= first <= 800, r.stdout
    assert not any("CLKSOURCE" in w for w in r.warnings)


def test_pl011_atomic_aliases():
    """RP2040 register blocks have XOR/set/clear aliases at +0x1000/+0x2000/+0x3000 (datasheet
    2.1.2); pico-sdk's uart_init writes the PL011's LCR_H and CR through them."""
    from mcusim.sim.peripherals import Pl011
    out = []
    u = Pl011(0x40034000, 0x000, 0x018, out.append)
    LCR_H = 0x2C
    u.write(0x2000 + LCR_H, 4, 0x70)          # set FEN | WLEN
    assert u.read(LCR_H, 4) == 0x70
    u.write(0x3000 + LCR_H, 4, 0x10)          # clear FEN
    assert u.read(LCR_H, 4) == 0x60
    u.write(0x1000 + LCR_H, 4, 0x22)          # XOR
    assert u.read(LCR_H, 4) == 0x42 and u.read(0x1000 + LCR_H, 4) == 0x42
    u.write(0x000, 4, ord("A"))
    assert out == [b"A"]
