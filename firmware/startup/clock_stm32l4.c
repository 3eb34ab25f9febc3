/* Clock set-up for STM32L4+ (included by startup.c when the board's [clock_tree] is stm32l4):
 * SYSCLK = PLL from HSI16 at MCUSIM_CLOCK_HZ, Range 1 boost above 80 MHz, flash latency
 * MCUSIM_FLASH_LATENCY. Written from RM0432 rev 9; sections in clocktree/stm32l4_rcc.py. */
#define RCC_BASE 0x40021000u
#define RCC_CR REG32(RCC_BASE + 0x00u)
#define RCC_CFGR REG32(RCC_BASE + 0x08u)
#define RCC_PLLCFGR REG32(RCC_BASE + 0x0Cu)
#define RCC_APB1ENR1 REG32(RCC_BASE + 0x58u)
#define PWR_CR1 REG32(0x40007000u)
#define PWR_SR2 REG32(0x40007014u)
#define PWR_CR5 REG32(0x40007080u)
#define FLASH_ACR REG32(0x40022000u)

static void mcusim_clock_init(void)
{
    const uint32_t f = MCUSIM_CLOCK_HZ;
    /* PLL input 8 MHz (HSI16 / M=2), VCO = 8 MHz * N in 64..344 MHz, PLLCLK = VCO / R. */
    uint32_t r = 2;
    while (f * r < 64000000u && r < 8)
        r += 2;
    const uint32_t n = f * r / 8000000u;
    if (n < 8 || n > 127 || f * r > 344000000u)
        return;                                        /* out of range: stay on MSI */
    RCC_APB1ENR1 |= 1u << 28;                          /* PWREN */
    PWR_CR1 = (PWR_CR1 & ~(3u << 9)) | 1u << 9;        /* VOS = Range 1 */
    if (f > 80000000u)
        PWR_CR5 &= ~(1u << 8);                         /* R1MODE = 0: boost (RM0432 5.1.8) */
    while (PWR_SR2 & (1u << 10))                       /* VOSF */
        ;
    RCC_CR |= 1u << 8;                                 /* HSION */
    while (!(RCC_CR & (1u << 10)))                     /* HSIRDY */
        ;
    RCC_PLLCFGR = 2u | 1u << 4 | n << 8 | 1u << 24 | (r / 2 - 1) << 25;  /* HSI16, M=2, PLLREN */
    RCC_CR |= 1u << 24;                                /* PLLON */
    while (!(RCC_CR & (1u << 25)))                     /* PLLRDY */
        ;
    FLASH_ACR = (FLASH_ACR & ~0xFu) | 1u << 8 | MCUSIM_FLASH_LATENCY;  /* PRFTEN, LATENCY */
    while ((FLASH_ACR & 0xFu) != MCUSIM_FLASH_LATENCY)
        ;
    /* Above 80 MHz switch with AHB /2 first and go to /1 after 1 us (RM0432 6.2.7). */
    const uint32_t hpre = f > 80000000u ? 8u : 0u;
    RCC_CFGR = (RCC_CFGR & ~0x3FF3u) | hpre << 4 | 3u; /* HPRE, PPRE1/2 /1, SW = PLL */
    while ((RCC_CFGR & 0xCu) != 0xCu)                  /* SWS = PLL */
        ;
    if (hpre) {
        for (volatile uint32_t i = 0; i < f / 2 / 1000000u / 4 + 1; i++)   /* >= 1 us */
            ;
        RCC_CFGR &= ~0xF0u;
    }
}
