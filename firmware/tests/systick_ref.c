/* SysTick on its reference clock (CLKSOURCE = 0; STM32: HCLK/8, RM0090 7.2): the period between
 * two interrupts, measured with DWT CYCCNT in the handler, is (RVR + 1) x 8 core cycles. */
#include <stdio.h>

#include "mcusim_cm.h"

#define RELOAD 99u

static volatile uint32_t n, stamp[4];

void SysTick_Handler(void)
{
    if (n < 4)
        stamp[n] = DWT_CYCCNT;
    n++;
}

int main(void)
{
    mcusim_cycles_start();
    SYST_RVR = RELOAD;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_TICKINT;        /* CLKSOURCE = 0: the reference */
    while (n < 4)
        mcusim_wfi();
    SYST_CSR = 0;
    printf("periods %lu %lu %lu\n", (unsigned long)(stamp[1] - stamp[0]),
           (unsigned long)(stamp[2] - stamp[1]), (unsigned long)(stamp[3] - stamp[2]));
    return 0;
}
