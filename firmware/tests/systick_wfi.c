/* SysTick interrupt every PERIOD processor clocks (TICKINT), main asleep in WFI until the
 * handler has counted TICKS ticks. Prints the count, then per tick the DWT CYCCNT distance to
 * the previous tick (ARMv7-M/v8-M) and the spread of SysTick's CVR as read in the handler.
 *
 * Why the figures are exact on silicon: the SysTick counter reloads RVR on the clock after it
 * reaches 0, independently of software (ARMv7-M ARM B3.3.1), so ticks are PERIOD = RVR + 1
 * clocks apart; main is asleep at every tick, so the path from the tick to the handler's reads
 * is the same each time (no instruction in progress to finish). Tick 0 can differ (main may not
 * be asleep yet), so the figures start at tick 1.
 */
#include <stdio.h>

#include "mcusim_cm.h"

#ifndef PERIOD
#define PERIOD 4000u
#endif
#define TICKS 8u

static volatile uint32_t ticks;
static volatile uint32_t stamp[TICKS];   /* DWT CYCCNT in the handler (0 on ARMv6-M) */
static volatile uint32_t cvr[TICKS];     /* SysTick CVR in the handler */

void SysTick_Handler(void)
{
    uint32_t c = MCUSIM_V6M ? 0u : DWT_CYCCNT;
    uint32_t v = SYST_CVR;
    uint32_t n = ticks;
    if (n < TICKS) {
        stamp[n] = c;
        cvr[n] = v;
    }
    ticks = n + 1u;
}

int main(void)
{
#if !MCUSIM_V6M
    mcusim_cycles_start();
#endif
    SYST_RVR = PERIOD - 1u;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CLKSOURCE;
    while (ticks < TICKS)
        mcusim_wfi();
    SYST_CSR = 0;

    uint32_t lo = 0xFFFFFFFFu, hi = 0;
    for (unsigned i = 1; i < TICKS; i++) {
        lo = cvr[i] < lo ? cvr[i] : lo;
        hi = cvr[i] > hi ? cvr[i] : hi;
    }
    printf("ticks %lu\n", (unsigned long)ticks);
#if !MCUSIM_V6M
    printf("periods");
    for (unsigned i = 2; i < TICKS; i++)
        printf(" %lu", (unsigned long)(stamp[i] - stamp[i - 1]));
    printf("\n");
#endif
    printf("cvr spread %lu\n", (unsigned long)(hi - lo));
    return ticks == TICKS ? 0 : 1;
}
