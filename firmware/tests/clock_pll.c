/* Clock switch to the PLL the way vendor start-up code does it, reading back every ready flag
 * and the switch status (built with -DMCUSIM_KEEP_RESET_CLOCK so the chip starts at its reset
 * clock). STM32F4: HSE 8 MHz -> PLL 168 MHz (RM0090 7.3); STM32G0: HSI16 -> PLL 64 MHz
 * (RM0444 5.4); STM32U5: HSI16 -> PLL1 160 MHz with range 1 and the booster (RM0456 11.8, 10.10);
 * RP2040: XOSC 12 MHz -> PLL_SYS 133 MHz (datasheet 2.15-2.18). -DTEST_LATENCY=n writes n
 * flash wait states instead of the required ones. Prints what it read; exit 0 when every
 * flag read as the manual says. */
#include <stdint.h>
#include <stdio.h>

#define REG(a) (*(volatile uint32_t *)(a))
static int bad;

static void expect(const char *what, uint32_t got, uint32_t want)
{
    printf("%s=%lx%s\n", what, (unsigned long)got, got == want ? "" : " (unexpected)");
    bad |= got != want;
}

#if defined(MCUSIM_BOARD_STM32F4)
#ifndef TEST_LATENCY
#define TEST_LATENCY 5
#endif
static void clock_switch(void)
{
    expect("SWS", REG(0x40023808) & 0xC, 0);                   /* HSI after reset */
    REG(0x40023800) |= 1u << 16;                               /* HSEON */
    while (!(REG(0x40023800) & (1u << 17)))
        ;
    expect("HSERDY", REG(0x40023800) >> 17 & 1, 1);
    REG(0x40023804) = 8 | 336u << 6 | 0u << 16 | 1u << 22 | 7u << 24;   /* M8 N336 P2 Q7, HSE */
    expect("PLLRDY before PLLON", REG(0x40023800) >> 25 & 1, 0);
    REG(0x40023800) |= 1u << 24;
    while (!(REG(0x40023800) & (1u << 25)))
        ;
    expect("PLLRDY", REG(0x40023800) >> 25 & 1, 1);
    *(volatile uint8_t *)0x40023C00 = TEST_LATENCY;            /* byte store, as ST's HAL */
    expect("LATENCY", REG(0x40023C00) & 7, TEST_LATENCY);
    REG(0x40023808) = (REG(0x40023808) & ~0xFCF3u) | 5u << 10 | 4u << 13 | 2u;
    while ((REG(0x40023808) & 0xC) != 0x8)
        ;
    expect("SWS", REG(0x40023808) & 0xC, 0x8);
    REG(0x40023800) &= ~(1u << 24 | 1u << 16);                 /* in use: stays on */
    expect("PLLON kept", REG(0x40023800) >> 24 & 1, 1);
}
#elif defined(MCUSIM_BOARD_STM32G0B1)
static void clock_switch(void)
{
    expect("SWS", REG(0x40021008) >> 3 & 7, 0);                /* HSISYS after reset */
    REG(0x4002100C) = 2u | 0u << 4 | 8u << 8 | 1u << 28 | 1u << 29;   /* HSI16 M1 N8 R2 */
    REG(0x40021000) |= 1u << 24;
    while (!(REG(0x40021000) & (1u << 25)))
        ;
    expect("PLLRDY", REG(0x40021000) >> 25 & 1, 1);
    REG(0x40022000) = (REG(0x40022000) & ~7u) | 2u;
    expect("LATENCY", REG(0x40022000) & 7, 2);
    REG(0x40021008) = (REG(0x40021008) & ~7u) | 2u;
    while ((REG(0x40021008) >> 3 & 7) != 2)
        ;
    expect("SWS", REG(0x40021008) >> 3 & 7, 2);
}
#elif defined(MCUSIM_BOARD_STM32U575)
static void clock_switch(void)
{
    expect("SWS", REG(0x46020C1C) >> 2 & 3, 0);                /* MSIS after reset */
    REG(0x46020C00) |= 1u << 8;                                /* HSION */
    while (!(REG(0x46020C00) & (1u << 10)))
        ;
    REG(0x46020C28) = 2u | 3u << 2 | 1u << 18;                 /* HSI16, 8-16 MHz, M1, PLL1REN */
    REG(0x46020C34) = 19u | 1u << 9 | 1u << 16 | 1u << 24;     /* N20 P2 Q2 R2: 160 MHz */
    REG(0x4602080C) = 3u << 16 | 1u << 18;                     /* VOS range 1, BOOSTEN */
    while ((REG(0x4602080C) & 0xC000u) != 0xC000u)
        ;
    expect("VOSRDY|BOOSTRDY", REG(0x4602080C) >> 14 & 3, 3);
    REG(0x46020C00) |= 1u << 24;
    while (!(REG(0x46020C00) & (1u << 25)))
        ;
    expect("PLL1RDY", REG(0x46020C00) >> 25 & 1, 1);
    REG(0x40022000) = 4u;
    expect("LATENCY", REG(0x40022000) & 0xF, 4);
    REG(0x46020C1C) = 3u;
    while ((REG(0x46020C1C) & 0xC) != 0xC)
        ;
    expect("SWS", REG(0x46020C1C) >> 2 & 3, 3);
}
#elif defined(MCUSIM_BOARD_RP2040)
static void clock_switch(void)
{
    expect("CLK_SYS_SELECTED", REG(0x40008044), 1);            /* clk_ref (ROSC) after reset */
    REG(0x40024000) = 0xAA0;
    REG(0x40026000) = 0xFABu << 12;                            /* XOSC ENABLE via the set alias */
    while (!(REG(0x40024004) & (1u << 31)))
        ;
    REG(0x40008030) = 2;                                       /* clk_ref = XOSC */
    expect("CLK_REF_SELECTED", REG(0x40008038), 4);
    REG(0x4000E000) = 1u << 12;                                /* PLL_SYS into reset (set) */
    expect("RESET_DONE pll_sys in reset", REG(0x4000C008) >> 12 & 1, 0);
    REG(0x4000F000) = 1u << 12;                                /* ... and out (clear) */
    expect("RESET_DONE pll_sys", REG(0x4000C008) >> 12 & 1, 1);
    REG(0x40028000) = 1;                                       /* REFDIV 1 */
    REG(0x40028008) = 133;                                     /* VCO 1596 MHz */
    expect("LOCK while powered down", REG(0x40028000) >> 31, 0);
    REG(0x4002B004) = 1u << 0 | 1u << 5;                       /* PWR: PD, VCOPD off (clear) */
    while (!(REG(0x40028000) & (1u << 31)))
        ;
    expect("LOCK", REG(0x40028000) >> 31, 1);
    REG(0x4002800C) = 6u << 16 | 2u << 12;
    REG(0x4002B004) = 1u << 3;                                 /* POSTDIVPD off */
    REG(0x4000803C) = 0;                                       /* AUXSRC pll_sys */
    REG(0x4000903C) = 1;                                       /* SRC aux through the XOR alias */
    expect("CLK_SYS_SELECTED", REG(0x40008044), 2);
}
#endif

int main(void)
{
    clock_switch();
    printf("%s\n", bad ? "FAIL" : "clock ok");
    return bad;
}
