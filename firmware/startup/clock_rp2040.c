/* Clock set-up for RP2040 (included by startup.c when the board's [clock_tree] is rp2040): the
 * crystal oscillator, clk_ref from XOSC, PLL_SYS at MCUSIM_CLOCK_HZ, clk_sys and clk_peri from it,
 * the watchdog's 1 us tick. Written from the RP2040 datasheet sections 2.15 (clocks), 2.16
 * (XOSC), 2.18 (PLL), 2.14 (resets) and 4.7 (watchdog); register details in
 * sim/mcusim/sim/clocktree/rp2040_clocks.py. Writes through the atomic set/clear aliases
 * (+0x2000 / +0x3000, datasheet 2.1.2). */
#define SET 0x2000u
#define CLR 0x3000u
#define RESETS 0x4000C000u
#define CLOCKS 0x40008000u
#define XOSC 0x40024000u
#define PLL_SYS 0x40028000u
#define WATCHDOG 0x40058000u
#define CLK_REF_CTRL (CLOCKS + 0x30u)
#define CLK_REF_SELECTED REG32(CLOCKS + 0x38u)
#define CLK_SYS_CTRL (CLOCKS + 0x3Cu)
#define CLK_SYS_DIV REG32(CLOCKS + 0x40u)
#define CLK_SYS_SELECTED REG32(CLOCKS + 0x44u)
#define CLK_PERI_CTRL REG32(CLOCKS + 0x48u)

/* VCO = xtal * FBDIV in 750..1600 MHz, f = VCO / (POSTDIV1 * POSTDIV2), POSTDIV1 >= POSTDIV2 in
 * 1..7 (datasheet 2.18.2): the first fit from the highest VCO down, as constant expressions. */
#define PLL_VCO(a, b) ((uint64_t)MCUSIM_CLOCK_HZ * (a) * (b))
#define PLL_FITS(a, b) (MCUSIM_CRYSTAL_HZ && PLL_VCO(a, b) >= 750000000u \
                        && PLL_VCO(a, b) <= 1600000000u && PLL_VCO(a, b) % MCUSIM_CRYSTAL_HZ == 0)
#define TRY(a, b, rest) (PLL_FITS(a, b) ? ((a) << 4 | (b)) : (rest))
#define PLL_POSTDIVS \
    TRY(7, 7, TRY(7, 6, TRY(6, 6, TRY(7, 5, TRY(6, 5, TRY(7, 4, TRY(5, 5, TRY(6, 4, TRY(7, 3, \
    TRY(5, 4, TRY(6, 3, TRY(4, 4, TRY(5, 3, TRY(7, 2, TRY(6, 2, TRY(4, 3, TRY(5, 2, TRY(3, 3, \
    TRY(4, 2, TRY(7, 1, TRY(6, 1, TRY(3, 2, TRY(5, 1, TRY(4, 1, TRY(2, 2, TRY(3, 1, TRY(2, 1, \
    TRY(1, 1, 0u))))))))))))))))))))))))))))

static void mcusim_clock_init(void)
{
    const uint32_t xtal = MCUSIM_CRYSTAL_HZ, pds = PLL_POSTDIVS;
    const uint32_t pd1 = pds >> 4, pd2 = pds & 0xFu;
    const uint32_t fb = pds ? (uint32_t)(PLL_VCO(pd1, pd2) / xtal) : 0;
    REG32(WATCHDOG + 0x2Cu) = xtal / 1000000u | 1u << 9;   /* TICK: CYCLES, ENABLE */
    REG32(CLOCKS + 0x78u) = 0;                             /* CLK_SYS_RESUS_CTRL off */
    REG32(XOSC + 0x00u) = 0xAA0u;                          /* FREQ_RANGE 1_15MHZ */
    REG32(XOSC + 0x0Cu) = (xtal / 1000u + 128u) / 256u;    /* STARTUP.DELAY: about 1 ms */
    REG32(XOSC + SET + 0x00u) = 0xFABu << 12;              /* ENABLE */
    while (!(REG32(XOSC + 0x04u) & (1u << 31)))            /* STATUS.STABLE */
        ;
    REG32(CLK_SYS_CTRL + CLR) = 1u;                        /* clk_sys from clk_ref */
    while (CLK_SYS_SELECTED != 1u)
        ;
    REG32(CLK_REF_CTRL) = 2u;                              /* clk_ref from XOSC */
    while (CLK_REF_SELECTED != 1u << 2)
        ;
    if (!fb)
        return;                                            /* no PLL setting: clk_sys = XOSC */
    REG32(RESETS + SET) = 1u << 12;                        /* PLL_SYS through reset */
    REG32(RESETS + CLR) = 1u << 12;
    while (!(REG32(RESETS + 0x08u) & (1u << 12)))          /* RESET_DONE */
        ;
    REG32(PLL_SYS + 0x0u) = 1u;                            /* CS.REFDIV = 1 */
    REG32(PLL_SYS + 0x8u) = fb;                            /* FBDIV_INT */
    REG32(PLL_SYS + CLR + 0x4u) = 1u << 0 | 1u << 5;       /* PWR: PD, VCOPD off */
    while (!(REG32(PLL_SYS + 0x0u) & (1u << 31)))          /* CS.LOCK */
        ;
    REG32(PLL_SYS + 0xCu) = pd1 << 16 | pd2 << 12;         /* PRIM: POSTDIV1, POSTDIV2 */
    REG32(PLL_SYS + CLR + 0x4u) = 1u << 3;                 /* PWR: POSTDIVPD off */
    CLK_SYS_DIV = 1u << 8;
    REG32(CLK_SYS_CTRL) = 0u << 5;                         /* AUXSRC = pll_sys, SRC = clk_ref */
    REG32(CLK_SYS_CTRL + SET) = 1u;                        /* SRC = clksrc_clk_sys_aux */
    while (CLK_SYS_SELECTED != 1u << 1)
        ;
    CLK_PERI_CTRL = 1u << 11 | 0u << 5;                    /* ENABLE, AUXSRC = clk_sys */
}
