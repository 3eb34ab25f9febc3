/* Clock set-up for STM32U5 (included by startup.c when the board's [clock_tree] is stm32u5):
 * SYSCLK = PLL1R from HSI16 at MCUSIM_CLOCK_HZ, voltage range 1 with the EPOD booster, flash
 * latency MCUSIM_FLASH_LATENCY. Written from RM0456 rev 4; sections in clocktree/stm32u5_rcc.py. */
#define RCC_BASE 0x46020C00u
#define RCC_CR REG32(RCC_BASE + 0x00u)
#define RCC_CFGR1 REG32(RCC_BASE + 0x1Cu)
#define RCC_CFGR2 REG32(RCC_BASE + 0x20u)
#define RCC_PLL1CFGR REG32(RCC_BASE + 0x28u)
#define RCC_PLL1DIVR REG32(RCC_BASE + 0x34u)
#define RCC_AHB3ENR REG32(RCC_BASE + 0x94u)
#define PWR_VOSR REG32(0x4602080Cu)
#define FLASH_ACR REG32(0x40022000u)

static void mcusim_clock_init(void)
{
    const uint32_t f = MCUSIM_CLOCK_HZ;
    /* PLL1 input 16 MHz (HSI16, M = 1, PLL1RGE = 8-16 MHz), VCO = 16 MHz * N in 128..544 MHz,
     * PLL1R = VCO / R. */
    uint32_t r = 2;
    while (f * r < 128000000u && r < 16)
        r += 2;
    const uint32_t n = f * r / 16000000u;
    if (n < 4 || n > 512 || f * r > 544000000u)
        return;                                        /* out of range: stay on MSIS */
    RCC_AHB3ENR |= 1u << 2;                            /* PWREN */
    RCC_CR |= 1u << 8;                                 /* HSION */
    while (!(RCC_CR & (1u << 10)))                     /* HSIRDY */
        ;
    /* PLL1SRC = HSI16, PLL1RGE = 3, PLL1M = /1, PLL1MBOOST = /1 (EPOD clock 16 MHz), PLL1REN. */
    RCC_PLL1CFGR = 2u | 3u << 2 | 0u << 8 | 0u << 12 | 1u << 18;
    RCC_PLL1DIVR = (n - 1) | 1u << 9 | 1u << 16 | (r - 1) << 24;
    /* Range 1 and the booster (RM0456 10.5.4, needed above 55 MHz in ranges 1-2). */
    PWR_VOSR = (PWR_VOSR & ~(3u << 16)) | 3u << 16 | 1u << 18;
    while ((PWR_VOSR & (1u << 15 | 1u << 14)) != (1u << 15 | 1u << 14))   /* VOSRDY, BOOSTRDY */
        ;
    RCC_CR |= 1u << 24;                                /* PLL1ON */
    while (!(RCC_CR & (1u << 25)))                     /* PLL1RDY */
        ;
    FLASH_ACR = (FLASH_ACR & ~0xFu) | 1u << 8 | MCUSIM_FLASH_LATENCY;  /* PRFTEN, LATENCY */
    while ((FLASH_ACR & 0xFu) != MCUSIM_FLASH_LATENCY)
        ;
    RCC_CFGR2 &= ~0x77Fu;                              /* HPRE, PPRE1, PPRE2 /1 */
    RCC_CFGR1 = (RCC_CFGR1 & ~3u) | 3u;                /* SW = PLL1 */
    while ((RCC_CFGR1 & 0xCu) != 0xCu)                 /* SWS = PLL1 */
        ;
}
