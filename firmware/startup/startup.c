/* mcusim start-up for every Cortex-M core (M0+, M3, M4, M7, M33).
 *
 * Vector table, Reset_Handler (copy .data, zero .bss, enable the FPU, run constructors, call
 * main, exit with its status). Symbols come from the linker script that
 * mcusim.sim.linker.linker_script(board) generates. Built with -DMCUSIM_SEMIHOSTING=1 the
 * program links newlib's librdimon (printf, stdin, exit through semihosting); with 0 it links
 * libnosys and exits through SYS_EXIT_EXTENDED directly (see _exit below).
 */
#include <stdint.h>
#include <stdlib.h>

#ifndef MCUSIM_SEMIHOSTING
#define MCUSIM_SEMIHOSTING 1
#endif

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
extern int main(int argc, char **argv);
extern void __libc_init_array(void);
#if MCUSIM_SEMIHOSTING
extern void initialise_monitor_handles(void);
extern unsigned int __heap_limit;     /* librdimon's sbrk fails past it (rdimon-crt0 sets it) */
extern char __HeapLimit;              /* from the linker script */
#endif

void Reset_Handler(void);
void Default_Handler(void);

/* Core exception handlers: weak aliases so that firmware may override any of them. The
 * simulator does not model exception entry yet; the names are here so that the table matches
 * hardware and an NVIC model can dispatch through it later. */
#define WEAK_DEFAULT __attribute__((weak, alias("Default_Handler")))
void NMI_Handler(void) WEAK_DEFAULT;
void HardFault_Handler(void) WEAK_DEFAULT;
void MemManage_Handler(void) WEAK_DEFAULT;
void BusFault_Handler(void) WEAK_DEFAULT;
void UsageFault_Handler(void) WEAK_DEFAULT;
void SVC_Handler(void) WEAK_DEFAULT;
void DebugMon_Handler(void) WEAK_DEFAULT;
void PendSV_Handler(void) WEAK_DEFAULT;
void SysTick_Handler(void) WEAK_DEFAULT;

/* ARMv7-M ARM (DDI 0403E) B1.5.3 / ARMv6-M ARM (DDI 0419E) B1.5.3: the vector table. */
__attribute__((section(".isr_vector"), used))
void (*const mcusim_vectors[16])(void) = {
    (void (*)(void))(&_estack), Reset_Handler, NMI_Handler, HardFault_Handler,
    MemManage_Handler, BusFault_Handler, UsageFault_Handler, 0, 0, 0, 0,
    SVC_Handler, DebugMon_Handler, 0, PendSV_Handler, SysTick_Handler,
};

/* -nostartfiles drops crti.o, whose _init/_fini __libc_init_array calls. */
__attribute__((weak)) void _init(void) {}
__attribute__((weak)) void _fini(void) {}

__attribute__((noreturn)) void Reset_Handler(void)
{
    for (uint32_t *src = &_sidata, *dst = &_sdata; dst < &_edata;)
        *dst++ = *src++;
    for (uint32_t *dst = &_sbss; dst < &_ebss;)
        *dst++ = 0;
#if defined(__ARM_FP)
    /* CPACR (0xE000ED88): full access to CP10/CP11, DDI 0403E B3.2.20; then ISB. */
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
    __asm volatile("dsb\n\tisb" ::: "memory");
#endif
#if MCUSIM_SEMIHOSTING
    __heap_limit = (unsigned int)&__HeapLimit;
    initialise_monitor_handles();
#endif
    __libc_init_array();
    exit(main(0, 0));
    for (;;) {
    }
}

/* Not declared noreturn: the weak handlers above alias it, and gcc warns when an alias is
 * declared with fewer attributes than its target. */
void Default_Handler(void)
{
    for (;;) {
    }
}

#if !MCUSIM_SEMIHOSTING
/* Without librdimon: stop the simulation with the status (SYS_EXIT_EXTENDED, 0x20, with
 * ADP_Stopped_ApplicationExit 0x20026). On hardware without a debugger BKPT faults instead. */
__attribute__((noreturn)) void _exit(int status)
{
    volatile uint32_t block[2] = {0x20026u, (uint32_t)status};
    register uint32_t r0 __asm("r0") = 0x20;
    register volatile uint32_t *r1 __asm("r1") = block;
    __asm volatile("bkpt #0xab" : : "r"(r0), "r"(r1) : "memory");
    for (;;) {
    }
}
#endif
