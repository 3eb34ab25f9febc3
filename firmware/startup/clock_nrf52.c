/* Clock set-up for nRF52 (included by startup.c when the board's [clock_tree] is nrf52): start
 * the 32 MHz crystal oscillator for the 64 MHz HFCLK, as the SDKs do before using the radio or
 * precise timers (nRF52840 PS v1.7, section 5.4.1). The CPU clock stays 64 MHz. */
#define CLOCK_TASKS_HFCLKSTART REG32(0x40000000u)
#define CLOCK_EVENTS_HFCLKSTARTED REG32(0x40000100u)

static void mcusim_clock_init(void)
{
    CLOCK_EVENTS_HFCLKSTARTED = 0;
    CLOCK_TASKS_HFCLKSTART = 1;
    while (!CLOCK_EVENTS_HFCLKSTARTED)
        ;
    CLOCK_EVENTS_HFCLKSTARTED = 0;
}
