/* Firmware that never exits on its own: prints a line, then idles, for the stop controls and
 * the hang diagnosis (tests/test_sleep.py). MODE selects the idle:
 *   1 SysTick every 1 ms with WFI forever (--until / --max-time end it)
 *   2 WFI with no interrupt enabled (a hang)
 *   3 interrupts masked, then a branch to itself (a hang)
 *   4 SysTick every 1 ms, main spinning in `while (1);` (fast-forwarded, --max-time ends it)
 */
#include <stdint.h>
#include <stdio.h>

#include "mcusim_cm.h"

#ifndef MODE
#define MODE 1
#endif

volatile uint32_t ticks;

void SysTick_Handler(void)
{
    ticks++;
}

int main(void)
{
    printf("ready\n");
    fflush(stdout);
#if MODE == 1 || MODE == 4
    SYST_RVR = MCUSIM_CLOCK_HZ / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CLKSOURCE;
#endif
#if MODE == 1 || MODE == 2
    for (;;)
        mcusim_wfi();
#elif MODE == 3
    __asm volatile("cpsid i" ::: "memory");
    for (;;) {
    }
#else
    for (;;) {
    }
#endif
}
