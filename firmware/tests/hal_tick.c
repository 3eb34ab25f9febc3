/* A HAL_Delay-style time base: SysTick interrupts every 1 ms, computed from SystemCoreClock as
 * vendor HAL code does (HAL_InitTick: reload = SystemCoreClock / 1000 - 1), a tick counter
 * incremented in SysTick_Handler, and delay(ms) polling it with WFI between ticks.
 * SystemCoreClock is the board's nominal clock (MCUSIM_CLOCK_HZ), the clock mcusim's start-up
 * is to configure (issue 7, item 4). Prints the ticks delay(DELAY_MS) took.
 */
#include <stdio.h>

#include "mcusim_cm.h"

#ifndef DELAY_MS
#define DELAY_MS 100u
#endif

uint32_t SystemCoreClock = MCUSIM_CLOCK_HZ;
static volatile uint32_t tick_ms;

void SysTick_Handler(void)
{
    tick_ms++;
}

static void init_tick(void)
{
    SYST_RVR = SystemCoreClock / 1000u - 1u;     /* 24-bit: fits up to 16.7 GHz/1000 */
    SYST_CVR = 0;
    mcusim_set_sys_priority(EXC_SYSTICK, 0x00);
    SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CLKSOURCE;
}

static void delay(uint32_t ms)
{
    uint32_t start = tick_ms;
    while (tick_ms - start < ms)
        mcusim_wfi();
}

int main(void)
{
    init_tick();
    uint32_t t0 = tick_ms;
    delay(DELAY_MS);
    uint32_t elapsed = tick_ms - t0;
    SYST_CSR = 0;
    printf("delay %lu ms: %lu ticks\n", (unsigned long)DELAY_MS, (unsigned long)elapsed);
    return elapsed == DELAY_MS ? 0 : 1;
}
