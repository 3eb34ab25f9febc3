/* Times a loop with DWT CYCCNT and SysTick, the way TFLM and benchmarks do.
 * The readings are kept in globals so that the test can compare them with the profiler. */
#include <stdint.h>
#include <stdio.h>

#define DEMCR (*(volatile uint32_t *)0xE000EDFCu)
#define DWT_CTRL (*(volatile uint32_t *)0xE0001000u)
#define DWT_CYCCNT (*(volatile uint32_t *)0xE0001004u)
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

volatile uint32_t t_before_enable, t0, t1, s0, s1;
volatile uint32_t sink;

__attribute__((noinline)) void work(int n)
{
    for (int i = 0; i < n; i++)
        sink += (uint32_t)i * 3u;
}

int main(void)
{
    t_before_enable = DWT_CYCCNT;          /* counter off: reads 0 */
    DEMCR |= 1u << 24;                     /* TRCENA */
    DWT_CYCCNT = 0;
    DWT_CTRL |= 1u;                        /* CYCCNTENA */
    SYST_RVR = 0xFFFFFFu;
    SYST_CVR = 0;
    SYST_CSR = 5;                          /* ENABLE | CLKSOURCE = core clock */

    t0 = DWT_CYCCNT;
    s0 = SYST_CVR;
    work(1000);
    t1 = DWT_CYCCNT;
    s1 = SYST_CVR;
    /* SysTick counts down modulo 2^24 (it reloads from RVR after 0). */
    printf("cyccnt %lu systick %lu\n", (unsigned long)(t1 - t0),
           (unsigned long)((s0 - s1) & 0xFFFFFFu));
    return t_before_enable != 0;
}
