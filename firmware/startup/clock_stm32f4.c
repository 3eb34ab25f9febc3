/* Clock set-up for STM32F405/407 and STM32F74x (included by startup.c when the board's
 * [clock_tree] is stm32f4 or stm32f7): SYSCLK = PLL from HSE (or HSI without a crystal) at
 * MCUSIM_CLOCK_HZ, flash latency MCUSIM_FLASH_LATENCY from the board's latency table.
 * Written from RM0090 rev 19 (F4) and RM0385 rev 8 (F7); register sections in
 * sim/mcusim/sim/clocktree/stm32f4_rcc.py and stm32f7_rcc.py. */
#define RCC_BASE 0x40023800u
#define RCC_CR REG32(RCC_BASE + 0x00u)
#define RCC_PLLCFGR REG32(RCC_BASE + 0x04u)
#define RCC_CFGR REG32(RCC_BASE + 0x08u)
#define RCC_APB1ENR REG32(RCC_BASE + 0x40u)
#define PWR_CR REG32(0x40007000u)
#define PWR_CSR REG32(0x40007004u)
#define FLASH_ACR REG32(0x40023C00u)

#if defined(MCUSIM_CLOCK_TREE_STM32F7)
#define APB1_MAX 54000000u            /* DS10916 rev 6, section 3.x: APB1 up to 54 MHz */
#define APB2_MAX 108000000u           /* APB2 up to 108 MHz */
#define OVERDRIVE_ABOVE 180000000u    /* RM0385 4.1.4: over-drive needed above 180 MHz */
#define ACR_CACHES (1u << 8 | 1u << 9) /* PRFTEN, ARTEN: RM0385 3.7.1 */
#else
#define APB1_MAX 42000000u            /* RM0090 7.2: APB1 up to 42 MHz */
#define APB2_MAX 84000000u            /* APB2 up to 84 MHz */
#define ACR_CACHES (1u << 8 | 1u << 9 | 1u << 10)   /* PRFTEN, ICEN, DCEN: RM0090 3.9.1 */
#endif

/* PPRE code for the smallest divider that keeps the bus at or below max (RM0090 7.3.3). */
static uint32_t mcusim_ppre(uint32_t hclk, uint32_t max)
{
    uint32_t code = 0, div = 1;
    while (hclk / div > max && div < 16) {
        div *= 2;
        code = code ? code + 1 : 4;
    }
    return code;
}

static void mcusim_clock_init(void)
{
    const uint32_t f = MCUSIM_CLOCK_HZ;
    const uint32_t hse = MCUSIM_CRYSTAL_HZ;
    const uint32_t in = hse ? hse : 16000000u;        /* HSE, else HSI 16 MHz */
    /* VCO input 2 MHz (recommended, RM0090 7.2.3) or 1 MHz; VCO 100..432 MHz; P in 2,4,6,8. */
    const uint32_t ref = in % 2000000u == 0 ? 2000000u : 1000000u;
    uint32_t p = 2;
    while (f * p < 100000000u && p < 8)
        p += 2;
    const uint32_t m = in / ref, n = f * p / ref, q = (f * p + 47999999u) / 48000000u;
    if (f == 16000000u && !hse)
        return;                                        /* HSI already gives it */
    if (n < 50 || n > 432 || f * p > 432000000u)
        return;                                        /* out of the PLL's range: stay on HSI */

    RCC_APB1ENR |= 1u << 28;                           /* PWREN */
#if defined(MCUSIM_CLOCK_TREE_STM32F7)
    PWR_CR |= 3u << 14;                                /* VOS = scale 1 (RM0385 4.4.1) */
#else
    PWR_CR |= 1u << 14;                                /* VOS = scale 1 (RM0090 5.4.1) */
#endif
    if (hse) {
        RCC_CR |= 1u << 16;                            /* HSEON */
        while (!(RCC_CR & (1u << 17)))                 /* HSERDY */
            ;
    }
    RCC_PLLCFGR = m | n << 6 | (p / 2 - 1) << 16 | (hse ? 1u << 22 : 0) | (q < 2 ? 2 : q) << 24;
    RCC_CR |= 1u << 24;                                /* PLLON */
    while (!(RCC_CR & (1u << 25)))                     /* PLLRDY */
        ;
#if defined(MCUSIM_CLOCK_TREE_STM32F7)
    if (f > OVERDRIVE_ABOVE) {
        PWR_CR |= 1u << 16;                            /* ODEN */
        while (!(PWR_CSR & (1u << 16)))                /* ODRDY */
            ;
        PWR_CR |= 1u << 17;                            /* ODSWEN */
        while (!(PWR_CSR & (1u << 17)))                /* ODSWRDY */
            ;
    }
#endif
    /* Raise the latency before the clock (RM0090 3.5.1: "Increasing the CPU frequency"). */
    FLASH_ACR = ACR_CACHES | MCUSIM_FLASH_LATENCY;
    while ((FLASH_ACR & 0xFu) != MCUSIM_FLASH_LATENCY)
        ;
    RCC_CFGR = (RCC_CFGR & ~0xFCF0u) | mcusim_ppre(f, APB1_MAX) << 10
               | mcusim_ppre(f, APB2_MAX) << 13;       /* HPRE /1, PPRE1, PPRE2 */
    RCC_CFGR = (RCC_CFGR & ~3u) | 2u;                  /* SW = PLL */
    while ((RCC_CFGR & 0xCu) != 0x8u)                  /* SWS = PLL */
        ;
}
