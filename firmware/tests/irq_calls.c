/* Call counting across interrupts (tests/test_profiler.py): the shape of ST's HAL time base.
 * SysTick_Handler tail-calls inc_tick (gcc turns the call into a branch), delay() polls a tiny
 * get_tick() in a loop, so interrupts land at every point of the call and return sequence. The
 * profile must count DELAYS calls of delay(), one per SysTick of inc_tick and of the handler. */
#include <stdint.h>

#include "mcusim_cm.h"

#define DELAYS 5u

static volatile uint32_t tick;

__attribute__((noinline)) void inc_tick(void) { tick++; }
void SysTick_Handler(void) { inc_tick(); }
__attribute__((noinline)) uint32_t get_tick(void) { return tick; }

__attribute__((noinline)) void delay(uint32_t ms)
{
    uint32_t start = get_tick();
    while (get_tick() - start < ms) {
    }
}

int main(void)
{
    SYST_RVR = MCUSIM_CLOCK_HZ / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CLKSOURCE;
    for (unsigned i = 0; i < DELAYS; i++)
        delay(3);
    SYST_CSR = 0;
    return 0;
}
