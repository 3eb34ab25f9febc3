/* Clock set-up for STM32H743 (included by startup.c when the board's [clock_tree] is stm32h7):
 * CPU = PLL1P from HSI 64 MHz at MCUSIM_CLOCK_HZ, AXI/AHB at most 240 MHz, LDO supply, VOS0
 * above 400 MHz, flash latency MCUSIM_FLASH_LATENCY. Written from RM0433 rev 7; sections in
 * sim/mcusim/sim/clocktree/stm32h7_rcc.py. */
#define RCC_BASE 0x58024400u
#define RCC_CR REG32(RCC_BASE + 0x00u)
#define RCC_CFGR REG32(RCC_BASE + 0x10u)
#define RCC_D1CFGR REG32(RCC_BASE + 0x18u)
#define RCC_D2CFGR REG32(RCC_BASE + 0x1Cu)
#define RCC_D3CFGR REG32(RCC_BASE + 0x20u)
#define RCC_PLLCKSELR REG32(RCC_BASE + 0x28u)
#define RCC_PLLCFGR REG32(RCC_BASE + 0x2Cu)
#define RCC_PLL1DIVR REG32(RCC_BASE + 0x30u)
#define RCC_APB4ENR REG32(RCC_BASE + 0xF4u)
#define PWR_CSR1 REG32(0x58024804u)
#define PWR_CR3 REG32(0x5802480Cu)
#define PWR_D3CR REG32(0x58024818u)
#define SYSCFG_PWRCR REG32(0x5800042Cu)
#define FLASH_ACR REG32(0x52002000u)

static void mcusim_clock_init(void)
{
    const uint32_t f = MCUSIM_CLOCK_HZ;
    /* PLL1 input 16 MHz (HSI / DIVM1 = 4, PLL1RGE = 8-16 MHz), wide VCO 192..960 MHz. */
    uint32_t p = 2;
    while (f * p < 192000000u && p < 128)
        p += 2;
    const uint32_t n = f * p / 16000000u;
    if (f == 64000000u || n < 4 || n > 512 || (uint64_t)f * p > 960000000u)
        return;                                        /* HSI already, or out of range */
    PWR_CR3 = (PWR_CR3 & ~7u) | 1u << 1;               /* supply: LDOEN (written once) */
    while (!(PWR_CSR1 & (1u << 13)))                   /* ACTVOSRDY */
        ;
    PWR_D3CR = (PWR_D3CR & ~(3u << 14)) | 3u << 14;    /* VOS = scale 1 */
    while (!(PWR_D3CR & (1u << 13)))                   /* VOSRDY */
        ;
    if (f > 400000000u) {                              /* VOS0: scale 1 + ODEN (RM0433 6.6.2) */
        RCC_APB4ENR |= 1u << 1;                        /* SYSCFGEN */
        SYSCFG_PWRCR |= 1u;
        while (!(PWR_D3CR & (1u << 13)))
            ;
    }
    RCC_PLLCKSELR = (RCC_PLLCKSELR & ~0x3F3u) | 4u << 4;        /* PLLSRC = HSI, DIVM1 = 4 */
    RCC_PLLCFGR = (RCC_PLLCFGR & ~0xFu) | 3u << 2 | 1u << 16;   /* PLL1RGE = 3, DIVP1EN */
    RCC_PLL1DIVR = (n - 1) | (p - 1) << 9 | 3u << 16 | 1u << 24;
    RCC_CR |= 1u << 24;                                /* PLL1ON */
    while (!(RCC_CR & (1u << 25)))                     /* PLL1RDY */
        ;
    /* LATENCY and WRHIGHFREQ = 2 for an AXI clock above 185 MHz (RM0433 Table 17). */
    const uint32_t hclk = f > 240000000u ? f / 2 : f;
    FLASH_ACR = MCUSIM_FLASH_LATENCY | (hclk > 185000000u ? 2u : 1u) << 4;
    while ((FLASH_ACR & 0xFu) != MCUSIM_FLASH_LATENCY)
        ;
    const uint32_t hpre = f > 240000000u ? 8u : 0u;    /* AXI at most 240 MHz: HPRE /2 */
    const uint32_t ppre = hclk > 120000000u ? 4u : 0u; /* APBs at most 120 MHz: /2 */
    RCC_D1CFGR = hpre | ppre << 4;                     /* D1CPRE /1, HPRE, D1PPRE */
    RCC_D2CFGR = ppre << 4 | ppre << 8;                /* D2PPRE1, D2PPRE2 */
    RCC_D3CFGR = ppre << 4;                            /* D3PPRE */
    RCC_CFGR = (RCC_CFGR & ~7u) | 3u;                  /* SW = PLL1 */
    while ((RCC_CFGR & 0x38u) != 3u << 3)              /* SWS = PLL1 */
        ;
}
