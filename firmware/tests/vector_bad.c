/* Bad vector tables (both on purpose). BAD=1: a copy of the vector table in RAM (VTOR) whose
 * entry for device interrupt MCUSIM_SOFT_IRQ_A points outside every memory; the program pends
 * that interrupt. On silicon the handler's first fetch is a bus error (IBUSERR), escalated to
 * HardFault, and the start-up's HardFault handler spins. BAD=2: VTOR itself points outside
 * memory, so the vector read fails (HFSR.VECTTBL, ARMv7-M ARM B3.2.16) and so does the
 * HardFault vector read: lockup. mcusim is to stop with one clear line in both cases.
 */
#include <stdio.h>
#include <string.h>

#include "mcusim_cm.h"

#ifndef BAD
#define BAD 1
#endif
#define OUTSIDE 0x3FFF0000u            /* nothing on the STM32F4, STM32U575 or RP2040 buses */

extern void (*const mcusim_vectors[48])(void);
/* VTOR needs the table aligned to a power of two >= its size (ARMv7-M ARM B3.2.5): 256. */
static uint32_t ram_vectors[48] __attribute__((aligned(256)));

int main(void)
{
    printf("pending IRQ %u\n", MCUSIM_SOFT_IRQ_A);
#if BAD == 1
    memcpy(ram_vectors, (const void *)mcusim_vectors, sizeof ram_vectors);
    ram_vectors[EXC_IRQ(MCUSIM_SOFT_IRQ_A)] = OUTSIDE | 1u;     /* Thumb bit set: a "valid" address */
    SCB_VTOR = (uint32_t)ram_vectors;
#else
    SCB_VTOR = OUTSIDE;
#endif
    mcusim_dsb_isb();
    mcusim_irq_set_enabled(MCUSIM_SOFT_IRQ_A);
    mcusim_irq_pend(MCUSIM_SOFT_IRQ_A);
    mcusim_dsb_isb();
    printf("interrupt returned\n");
    return 1;
}
