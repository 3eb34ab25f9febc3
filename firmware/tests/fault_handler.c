/* Fault handlers of the firmware's own. FAULT selects the fault; the handler reads the fault
 * status registers, checks the stacked return address and prints, then exits with status 3.
 * With SPIN=1 the handler is the usual `while (1)` instead: mcusim is to stop and report the
 * original fault rather than simulate the spin.
 *   FAULT=1 UDF with UsageFault enabled      -> UsageFault, CFSR.UNDEFINSTR, stacked pc = the UDF
 *   FAULT=2 BX to an address with bit 0 clear -> UsageFault, CFSR.INVSTATE, stacked pc = target
 *   FAULT=3 SDIV by 0 with CCR.DIV_0_TRP      -> UsageFault, CFSR.DIVBYZERO, stacked pc = SDIV
 *   FAULT=4 UDF, UsageFault disabled          -> HardFault, HFSR.FORCED, CFSR.UNDEFINSTR
 *   FAULT=5 load from unmapped 0x3FFF0000, BusFault enabled -> BusFault, CFSR.PRECISERR and
 *           BFARVALID, BFAR = 0x3FFF0000, stacked pc = the LDR
 * ARMv7-M ARM B3.2.15 (CFSR), B3.2.16 (HFSR), B3.2.18 (BFAR), B1.5.6 (stacked return address
 * of a synchronous fault: the faulting instruction; for INVSTATE after an interworking branch,
 * the branch target, whose execution faults). ARMv6-M has none of the configurable faults or
 * status registers: every fault is a HardFault and the program prints only the stacked pc check.
 */
#include <stdio.h>
#include <stdlib.h>

#include "mcusim_cm.h"

#ifndef FAULT
#define FAULT 1
#endif
#ifndef SPIN
#define SPIN 0
#endif

#define UNMAPPED 0x3FFF0000u     /* nothing on the STM32F4, STM32U575 or RP2040 buses */

extern char fault_site[];        /* the faulting instruction (or the INVSTATE target) */
volatile uint32_t sink;

__attribute__((noinline, used)) void culprit(void)
{
#if FAULT == 1 || FAULT == 4
    __asm volatile(".global fault_site\nfault_site:\n\tudf #7" ::: "memory");
#elif FAULT == 2
    /* fault_site is a Thumb label; branching to it with bit 0 clear asks for ARM state */
    __asm volatile(".syntax unified\n\t"
                   "ldr r1, =fault_site\n\t"
                   "movs r2, #1\n\t"
                   "bics r1, r2\n\t"
                   "bx r1\n\t"
                   ".ltorg\n\t"
                   ".global fault_site\n\t.thumb_func\nfault_site:\n\tnop" ::: "r1", "r2", "memory");
#elif FAULT == 3 && !MCUSIM_V6M
    volatile uint32_t zero = 0;
    uint32_t q, n = 10, d = zero;
    __asm volatile(".global fault_site\nfault_site:\n\tsdiv %0, %1, %2" : "=r"(q) : "r"(n), "r"(d));
    sink = q;
#elif FAULT == 5
    uint32_t v;
    __asm volatile(".global fault_site\nfault_site:\n\tldr %0, [%1]" : "=l"(v) : "l"(UNMAPPED) : "memory");
    sink = v;
#else
#error "FAULT must be 1-5 (3 needs ARMv7-M or later)"
#endif
}

/* frame: r0, r1, r2, r3, r12, lr, pc, xPSR (ARMv7-M ARM B1.5.6) */
__attribute__((used)) void fault_report(uint32_t *frame, const char *kind)
{
    uint32_t pc = frame[6];
    int pc_ok = pc == ((uint32_t)fault_site & ~1u);
#if MCUSIM_V6M
    printf("%s pc %s\n", kind, pc_ok ? "ok" : "wrong");
#else
    printf("%s cfsr %08lx hfsr %08lx pc %s", kind, (unsigned long)SCB_CFSR,
           (unsigned long)SCB_HFSR, pc_ok ? "ok" : "wrong");
    if (SCB_CFSR & CFSR_BFARVALID)
        printf(" bfar %08lx", (unsigned long)SCB_BFAR);
    printf("\n");
#endif
    exit(3);
}

#if SPIN
void HardFault_Handler(void) { while (1) { } }
void UsageFault_Handler(void) { while (1) { } }
void BusFault_Handler(void) { while (1) { } }
#else
/* Pass the frame of the stack that was in use (EXC_RETURN bit 2) and the fault's name. */
#if MCUSIM_V6M
#define FAULT_ENTRY(name, label)                                                              \
    __attribute__((naked)) void name(void)                                                   \
    {                                                                                         \
        __asm volatile("movs r1, #4\n\tmov r2, lr\n\ttst r2, r1\n\tbne 1f\n\t"                \
                       "mrs r0, msp\n\tb 2f\n1:\n\tmrs r0, psp\n2:\n\t"                       \
                       "ldr r1, =" label "\n\tldr r2, =fault_report\n\tbx r2\n\t.ltorg");     \
    }
#else
#define FAULT_ENTRY(name, label)                                                              \
    __attribute__((naked)) void name(void)                                                   \
    {                                                                                         \
        __asm volatile("tst lr, #4\n\tite eq\n\tmrseq r0, msp\n\tmrsne r0, psp\n\t"           \
                       "ldr r1, =" label "\n\tb fault_report\n\t.ltorg");                     \
    }
#endif
const char name_hardfault[] = "hardfault", name_usagefault[] = "usagefault",
           name_busfault[] = "busfault";
FAULT_ENTRY(HardFault_Handler, "name_hardfault")
#if !MCUSIM_V6M
FAULT_ENTRY(UsageFault_Handler, "name_usagefault")
FAULT_ENTRY(BusFault_Handler, "name_busfault")
#endif
#endif

int main(void)
{
#if !MCUSIM_V6M
    if (FAULT == 3)
        SCB_CCR |= CCR_DIV_0_TRP;
    if (FAULT == 1 || FAULT == 2 || FAULT == 3)
        SCB_SHCSR |= SHCSR_USGFAULTENA;
    if (FAULT == 5)
        SCB_SHCSR |= SHCSR_BUSFAULTENA;
    mcusim_dsb_isb();
#endif
    printf("before fault\n");
    culprit();
    printf("no fault\n");
    return 1;
}
