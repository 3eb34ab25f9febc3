/* nRF52840 UARTE0 EasyDMA transmit (PS v1.7, 6.34): TXD.PTR/MAXCNT, TASKS_STARTTX, EVENTS_ENDTX. */
#include <stdint.h>

#define UARTE0 0x40002000u
#define REG(off) (*(volatile uint32_t *)(UARTE0 + (off)))

static char msg[] = "uarte: dma hello\n";   /* EasyDMA reads RAM only (PS 6.34.2) */

int main(void)
{
    REG(0x500) = 8;                        /* ENABLE = UARTE */
    REG(0x544) = (uint32_t)msg;            /* TXD.PTR */
    REG(0x548) = sizeof msg - 1;           /* TXD.MAXCNT */
    REG(0x120) = 0;                        /* EVENTS_ENDTX */
    REG(0x008) = 1;                        /* TASKS_STARTTX */
    while (!REG(0x120)) {
    }
    return REG(0x54C) == sizeof msg - 1 ? 0 : 1;   /* TXD.AMOUNT */
}
