/* A counting timer's interrupt while main sleeps in WFI: STM32 TIM2 update (UIE), nRF52
 * TIMER0 COMPARE[0] with the CLEAR shortcut (INTENSET), RP2040 TIMER alarm 0 re-armed one
 * period after its previous target. The handler clears the flag and stamps the time (DWT
 * CYCCNT on M4/M33, the RP2040 timer's microseconds on the M0+); main prints the tick count and
 * the smallest and largest distance between consecutive stamps from tick 1 on (tick 0 may find
 * main not yet asleep).
 *
 * On silicon the distances are exact: the timer counts independently of software and main is
 * asleep at every tick, so the path from the event to the stamp is the same each time.
 *   STM32: (PSC + 1) x (ARR + 1) = 2 x 1000 timer clocks; the timer clock is 2 x PCLK1 when
 *   the APB1 prescaler is not 1 (RM0090 7.2): STM32F4 start-up APB1 /4, 84 MHz = half the core
 *   clock, 4000 core cycles; STM32U575 start-up APB1 /1, the core clock, 2000 core cycles
 *   nRF52: CC0 = 100 ticks of 1 MHz (PRESCALER 4) = 100 us = 6400 cycles at 64 MHz
 *   RP2040: 100 us, read in microseconds
 * The STM32U575's TIM2 is IRQ 45, past the 32 device slots of the start-up table: the program
 * moves VTOR to a table of its own in RAM, as firmware that installs handlers at run time does.
 */
#include <stdio.h>

#include "gpio_timer_regs.h"
#include "mcusim_cm.h"

#define TICKS 8u
static volatile uint32_t ticks;
static volatile uint32_t stamp[TICKS];

static inline uint32_t now(void)
{
#if MCUSIM_V6M
    return RP_TIMER_RAWL;
#else
    return DWT_CYCCNT;
#endif
}

static void tick(void)
{
    uint32_t t = now();
    uint32_t n = ticks;
    if (n < TICKS)
        stamp[n] = t;
    ticks = n + 1u;
}

#if defined(MCUSIM_BOARD_STM32F4) || defined(MCUSIM_BOARD_STM32U575)
#if defined(MCUSIM_BOARD_STM32F4)
#define TIMER_IRQ 28u                      /* TIM2: RM0090 rev 19, Table 61 */
#else
#define TIMER_IRQ 45u                      /* TIM2: RM0456 rev 4, vector table */
#endif
static void tim2_handler(void)
{
    TIM_SR = ~TIM_SR_UIF;                  /* rc_w0: clear UIF, else the line stays high */
    tick();
}
#if defined(MCUSIM_BOARD_STM32F4)
void IRQ28_Handler(void) { tim2_handler(); }
#else
static void (*ram_vectors[16 + 46])(void) __attribute__((aligned(256)));
#endif
#elif defined(MCUSIM_BOARD_NRF52840)
#define TIMER_IRQ 8u                       /* TIMER0: peripheral ID 8 (PS v1.7 6.30.7) */
void IRQ8_Handler(void)
{
    NRF_TIMER_COMPARE0 = 0;
    (void)NRF_TIMER_COMPARE0;              /* read back: the write has landed before return */
    tick();
}
#elif defined(MCUSIM_BOARD_RP2040)
#define TIMER_IRQ 0u                       /* TIMER_IRQ_0 (datasheet 2.3.2) */
#define PERIOD_US 100u
static uint32_t target;
void IRQ0_Handler(void)
{
    RP_TIMER_INTR = 1u;                    /* write 1 to clear */
    tick();
    target += PERIOD_US;
    RP_TIMER_ALARM0 = target;
}
#else
#error "timer_irq.c: no timer for this board"
#endif

int main(void)
{
#if !MCUSIM_V6M
    mcusim_cycles_start();
#endif
#if defined(MCUSIM_BOARD_STM32F4) || defined(MCUSIM_BOARD_STM32U575)
#if defined(MCUSIM_BOARD_STM32U575)
    const uint32_t *old = (const uint32_t *)SCB_VTOR;
    for (unsigned i = 0; i < sizeof ram_vectors / sizeof ram_vectors[0]; i++)
        ram_vectors[i] = (void (*)(void))(i < 48u ? old[i] : old[2]);
    ram_vectors[16u + 45u] = tim2_handler;
    SCB_VTOR = (uint32_t)ram_vectors;
    mcusim_dsb_isb();
#endif
    RCC_APB1_EN |= 1u;                      /* TIM2 clock */
    TIM_PSC = 1;
    TIM_ARR = 999;
    TIM_EGR = TIM_EGR_UG;                  /* load PSC; sets UIF (URS = 0) */
    TIM_SR = 0;
    TIM_DIER = TIM_DIER_UIE;
    NVIC_ISER(TIMER_IRQ / 32u) = 1u << (TIMER_IRQ % 32u);
    TIM_CR1 = TIM_CR1_CEN;
#elif defined(MCUSIM_BOARD_NRF52840)
    NRF_TIMER_PRESCALER = 4;               /* 1 MHz */
    NRF_TIMER_BITMODE = 0;                 /* 16 bit */
    NRF_TIMER_CC0 = 100;
    NRF_TIMER_SHORTS = 1u;                 /* COMPARE[0] -> CLEAR */
    NRF_TIMER_INTENSET = 1u << 16;         /* COMPARE[0] */
    NVIC_ISER(0) = 1u << TIMER_IRQ;
    NRF_TIMER_START = 1;
#elif defined(MCUSIM_BOARD_RP2040)
    RP_TIMER_INTE = 1u;
    NVIC_ISER(0) = 1u << TIMER_IRQ;
    target = RP_TIMER_RAWL + PERIOD_US;
    RP_TIMER_ALARM0 = target;
#endif
    while (ticks < TICKS)
        mcusim_wfi();
#if defined(MCUSIM_BOARD_STM32F4) || defined(MCUSIM_BOARD_STM32U575)
    TIM_CR1 = 0;
#elif defined(MCUSIM_BOARD_NRF52840)
    NRF_TIMER_STOP = 1;
#endif
    uint32_t lo = 0xFFFFFFFFu, hi = 0;
    for (unsigned i = 2; i < TICKS; i++) {
        uint32_t d = stamp[i] - stamp[i - 1];
        lo = d < lo ? d : lo;
        hi = d > hi ? d : hi;
    }
    printf("ticks %u period %u %u\n", (unsigned)ticks, (unsigned)lo, (unsigned)hi);
    return 0;
}
