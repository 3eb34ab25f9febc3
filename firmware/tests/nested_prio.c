/* Priorities, preemption, masking and tail-chaining with two software-pended device interrupts
 * A (MCUSIM_SOFT_IRQ_A) and B (MCUSIM_SOFT_IRQ_B). Each handler logs its entry in capitals and
 * its exit in lower case; main logs 'm' when it sees an interrupt still pending while masked.
 * Printed: "events " + the log, phases separated by '|'. Rules (ARMv7-M ARM B1.5.4, ARMv6-M
 * ARM B1.5.4): a lower priority number preempts; equal or lower priority waits and is
 * tail-chained after the handler returns; at equal priority the lower exception number goes
 * first; BASEPRI masks priorities >= its value; PRIMASK masks all configurable priorities.
 *   1 "ABba"  A (0x80) pends B (0x40) from its handler: B preempts A at once
 *   2 "BbAa"  B pends A from its handler: A waits until B returns, then tail-chains
 *   3 "mBbAa" BASEPRI = 0x80 holds A pending while B (0x40) is taken; A runs at BASEPRI = 0
 *             (ARMv6-M has no BASEPRI: "-")
 *   4 "mBb"   PRIMASK (cpsid i) holds B pending; cpsie i takes it
 *   5 "AaBb"  A and B both at 0x80, pended together under PRIMASK: A (lower number) first
 */
#include <stdio.h>

#include "mcusim_cm.h"

#define A MCUSIM_SOFT_IRQ_A
#define B MCUSIM_SOFT_IRQ_B
#define PRIO_LOW 0x80u
#define PRIO_HIGH 0x40u

static char log_buf[64];
static volatile unsigned log_len;
static volatile int phase;

static void note(char c)
{
    if (log_len < sizeof log_buf - 1)
        log_buf[log_len++] = c;
}

static void pend_b(void)
{
#if MCUSIM_V6M
    mcusim_irq_pend(B);
#else
    NVIC_STIR = B;               /* software trigger (ARMv7-M B3.4.4) */
#endif
    mcusim_dsb_isb();
}

#define IRQ_HANDLER(n) IRQ_HANDLER_(n)
#define IRQ_HANDLER_(n) void IRQ##n##_Handler(void)

IRQ_HANDLER(26)      /* A */
{
    note('A');
    if (phase == 1)
        pend_b();
    note('a');
}

IRQ_HANDLER(27)      /* B */
{
    note('B');
    if (phase == 2) {
        mcusim_irq_pend(A);
        mcusim_dsb_isb();
    }
    note('b');
}

int main(void)
{
    _Static_assert(A == 26 && B == 27, "handler names follow MCUSIM_SOFT_IRQ_A/B");
    mcusim_set_irq_priority(A, PRIO_LOW);
    mcusim_set_irq_priority(B, PRIO_HIGH);
    mcusim_irq_set_enabled(A);
    mcusim_irq_set_enabled(B);

    phase = 1;
    mcusim_irq_pend(A);
    mcusim_dsb_isb();
    note('|');

    phase = 2;
    pend_b();
    note('|');

    phase = 3;
#if MCUSIM_V6M
    note('-');
#else
    mcusim_set_basepri(PRIO_LOW);
    mcusim_dsb_isb();
    mcusim_irq_pend(A);
    mcusim_dsb_isb();
    if (mcusim_irq_is_pending(A))
        note('m');
    pend_b();
    mcusim_set_basepri(0);
    mcusim_dsb_isb();
#endif
    note('|');

    phase = 4;
    mcusim_irq_disable();
    pend_b();
    if (mcusim_irq_is_pending(B))
        note('m');
    mcusim_irq_enable();
    mcusim_dsb_isb();
    note('|');

    phase = 5;
    mcusim_set_irq_priority(B, PRIO_LOW);
    mcusim_irq_disable();
    pend_b();
    mcusim_irq_pend(A);
    mcusim_irq_enable();
    mcusim_dsb_isb();

    log_buf[log_len] = 0;
    printf("events %s\n", log_buf);
    return 0;
}
