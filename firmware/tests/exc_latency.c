/* Entry + exit latency of one exception, measured the way a bench would: the cycles between
 * two reads of a cycle clock around a store that pends PendSV (ICSR.PENDSVSET), minus the same
 * sequence storing 0 to ICSR (writes of 0 to ICSR change nothing, ARMv7-M ARM B3.2.4). The
 * difference is exactly: exception entry + the handler (one `bx lr`) + exception return.
 * PendSV is taken before the instruction after the ISB (ARMv7-M ARM B1.5.4, A3.7.3 context
 * synchronization). Repeated ROUNDS times so that caches and flash accelerators are warm; the
 * last round is printed. Clock: DWT CYCCNT, or SysTick's counter on ARMv6-M.
 */
#include <stdio.h>

#include "mcusim_cm.h"

#define ROUNDS 4

__attribute__((naked)) void PendSV_Handler(void)
{
    __asm volatile("bx lr");
}

static uint32_t span(uint32_t icsr_value)
{
    uint32_t t0, t1;
    volatile uint32_t *clock = MCUSIM_V6M ? &SYST_CVR : &DWT_CYCCNT;
    /* The ISB first: each timed sequence starts afresh (and outside the measured span). */
    __asm volatile(
        "isb\n\t"
        "ldr %0, [%2]\n\t"
        "str %3, [%4]\n\t"
        "dsb\n\t"
        "isb\n\t"
        "ldr %1, [%2]\n\t"
        : "=&l"(t0), "=&l"(t1)
        : "l"(clock), "l"(icsr_value), "l"(&SCB_ICSR)
        : "memory");
    /* SysTick counts down (modulo 2^24), CYCCNT up */
    return MCUSIM_V6M ? ((t0 - t1) & 0xFFFFFFu) : t1 - t0;
}

int main(void)
{
    mcusim_cycles_start();
    uint32_t plain = 0, with = 0;
    for (int i = 0; i < ROUNDS; i++) {
        plain = span(0);
        with = span(ICSR_PENDSVSET);
    }
    printf("plain %lu with %lu exception %lu\n", (unsigned long)plain, (unsigned long)with,
           (unsigned long)(with - plain));
    return 0;
}
