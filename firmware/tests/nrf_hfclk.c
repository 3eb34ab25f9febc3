/* nRF52840: start the HFXO (TASKS_HFCLKSTART) and LFCLK from the crystal, wait for their
 * events and read HFCLKSTAT/LFCLKSTAT (nRF52840 PS v1.7, section 5.4.4). Exit 0 when every
 * register read as the specification says. */
#include <stdint.h>
#include <stdio.h>

#define REG(a) (*(volatile uint32_t *)(a))

int main(void)
{
    int bad = 0;
    uint32_t before = REG(0x4000040C);                 /* HFCLKSTAT: HFINT, not started */
    REG(0x40000100) = 0;
    REG(0x40000000) = 1;                               /* TASKS_HFCLKSTART */
    while (!REG(0x40000100))                           /* EVENTS_HFCLKSTARTED */
        ;
    uint32_t hf = REG(0x4000040C);
    REG(0x40000518) = 1;                               /* LFCLKSRC = Xtal */
    REG(0x40000008) = 1;                               /* TASKS_LFCLKSTART */
    while (!REG(0x40000104))
        ;
    uint32_t lf = REG(0x40000418);
    printf("HFCLKSTAT %lx -> %lx, LFCLKSTAT %lx, RESETREAS %lx\n", (unsigned long)before,
           (unsigned long)hf, (unsigned long)lf, (unsigned long)REG(0x40000400));
    bad |= before != 0 || hf != 0x10001 || lf != 0x10001;
    return bad;
}
