/* The STM32 timer and USART clocks follow the APB prescaler, not the core clock (RM0090 rev 19,
 * 7.2: "If the APB prescaler is 1, the timer clock frequencies are set to the same frequency as
 * that of the APB domain ... Otherwise, they are set to twice (x2)"; USART2's BRR divides PCLK1,
 * 30.3.4). For each APB1 prescaler (RCC_CFGR.PPRE1, RM0090 7.3.3), TIM2 free-runs beside DWT
 * CYCCNT over the same busy loop and the program prints TIM2 counts per 1000 core cycles:
 *   start-up APB1 /4 (42 MHz): timer 84 MHz   -> 500
 *   PPRE1 /2 (84 MHz):         timer 168 MHz  -> 1000
 *   PPRE1 /8 (21 MHz):         timer 42 MHz   -> 250
 * Only the prescaler changes between the steps (the core clock stays 168 MHz), so the timer must
 * follow a bus clock change on its own. stm32f4 only. */
#include <stdint.h>
#include <stdio.h>

#define REG32(a) (*(volatile uint32_t *)(a))
#define RCC_CFGR REG32(0x40023808u)
#define RCC_APB1ENR REG32(0x40023840u)
#define TIM2_CR1 REG32(0x40000000u)
#define TIM2_EGR REG32(0x40000014u)
#define TIM2_CNT REG32(0x40000024u)
#define TIM2_PSC REG32(0x40000028u)
#define TIM2_ARR REG32(0x4000002Cu)
#define DEMCR REG32(0xE000EDFCu)
#define DWT_CTRL REG32(0xE0001000u)
#define DWT_CYCCNT REG32(0xE0001004u)

static unsigned per_1000(void)
{
    TIM2_EGR = 1u;                                       /* UG: CNT = 0 */
    uint32_t c0 = DWT_CYCCNT, t0 = TIM2_CNT;
    for (volatile uint32_t i = 0; i < 20000u; i++) {
    }
    uint32_t t1 = TIM2_CNT, c1 = DWT_CYCCNT;
    return (unsigned)(((uint64_t)(t1 - t0) * 1000u + (c1 - c0) / 2u) / (c1 - c0));
}

static void set_ppre1(uint32_t code)
{
    RCC_CFGR = (RCC_CFGR & ~(7u << 10)) | code << 10;
}

int main(void)
{
    DEMCR |= 1u << 24;                                   /* TRCENA */
    DWT_CTRL |= 1u;                                      /* CYCCNTENA */
    RCC_APB1ENR |= 1u;                                   /* TIM2EN */
    TIM2_PSC = 0;
    TIM2_ARR = 0xFFFFFFFFu;
    TIM2_CR1 = 1u;                                       /* CEN */
    unsigned a = per_1000();
    set_ppre1(4u);                                       /* /2 */
    unsigned b = per_1000();
    set_ppre1(6u);                                       /* /8 */
    unsigned c = per_1000();
    printf("tim2 per 1000 cycles: %u %u %u\n", a, b, c);
    return 0;
}
