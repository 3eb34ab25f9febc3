/* Clock set-up for STM32G0 (included by startup.c when the board's [clock_tree] is stm32g0):
 * SYSCLK = PLLRCLK from HSI16 at MCUSIM_CLOCK_HZ, flash latency MCUSIM_FLASH_LATENCY.
 * Written from RM0444 rev 5; register sections in sim/mcusim/sim/clocktree/stm32g0_rcc.py. */
#define RCC_BASE 0x40021000u
#define RCC_CR REG32(RCC_BASE + 0x00u)
#define RCC_CFGR REG32(RCC_BASE + 0x08u)
#define RCC_PLLCFGR REG32(RCC_BASE + 0x0Cu)
#define FLASH_ACR REG32(0x40022000u)

static void mcusim_clock_init(void)
{
    const uint32_t f = MCUSIM_CLOCK_HZ;
    /* PLL input 16 MHz (M = 1), VCO = 16 MHz * N in 64..344 MHz, PLLRCLK = VCO / R (R 2..8). */
    uint32_t r = 2;
    while (f * r < 64000000u && r < 8)
        r++;
    const uint32_t n = f * r / 16000000u;
    if (f == 16000000u || n < 8 || n > 86 || f * r > 344000000u)
        return;                                        /* HSISYS already, or out of range */
    RCC_PLLCFGR = 2u | 0u << 4 | n << 8 | 1u << 28 | (r - 1) << 29;   /* HSI16, M=1, PLLREN */
    RCC_CR |= 1u << 24;                                /* PLLON */
    while (!(RCC_CR & (1u << 25)))                     /* PLLRDY */
        ;
    FLASH_ACR = (FLASH_ACR & ~7u) | 1u << 8 | MCUSIM_FLASH_LATENCY;   /* PRFTEN, LATENCY */
    while ((FLASH_ACR & 7u) != MCUSIM_FLASH_LATENCY)
        ;
    RCC_CFGR = (RCC_CFGR & ~0x7F07u) | 2u;            /* HPRE, PPRE /1; SW = PLLRCLK */
    while ((RCC_CFGR & 0x38u) != 2u << 3)              /* SWS */
        ;
}
