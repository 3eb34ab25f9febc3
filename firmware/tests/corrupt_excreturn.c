/* A handler that returns with a corrupt EXC_RETURN: PendSV, taken from Thread mode, branches to
 * 0xFFFFFFF5. Its low bits (0101) are a reserved encoding on ARMv6-M and ARMv7-M (ARMv7-M ARM
 * B1.5.8 Table B1-8), and on ARMv8-M they ask for Handler mode on the process stack; none
 * returns to the interrupted Thread code. On silicon: UsageFault with CFSR.INVPC (ARMv7-M ARM
 * B1.5.8 ExceptionReturn()), HardFault on ARMv6-M.
 * OWN_HANDLER=1: the program's UsageFault (ARMv6-M: HardFault) handler prints CFSR and exits 3.
 * OWN_HANDLER=0: the start-up's spinning handler; mcusim is to stop with one clear line.
 */
#include <stdio.h>
#include <stdlib.h>

#include "mcusim_cm.h"

#ifndef OWN_HANDLER
#define OWN_HANDLER 0
#endif

__attribute__((naked)) void PendSV_Handler(void)
{
    __asm volatile("ldr r0, =0xFFFFFFF5\n\tbx r0\n\t.ltorg");
}

#if OWN_HANDLER
#if MCUSIM_V6M
void HardFault_Handler(void)
{
    printf("hardfault\n");
    exit(3);
}
#else
void UsageFault_Handler(void)
{
    printf("usagefault cfsr %08lx\n", (unsigned long)SCB_CFSR);
    exit(3);
}
#endif
#endif

int main(void)
{
#if OWN_HANDLER && !MCUSIM_V6M
    SCB_SHCSR |= SHCSR_USGFAULTENA;
#endif
    printf("pending PendSV\n");
    SCB_ICSR = ICSR_PENDSVSET;
    mcusim_dsb_isb();
    printf("returned to main\n");
    return 1;
}
