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

/* Core exception handlers: weak aliases so that firmware may override any of them by name. */
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

/* Device interrupts 0-31 (exception numbers 16-47): IRQ<n>_Handler, weak like the above, so a
 * program provides the handler of the external interrupt n it uses. 32 is the ARMv6-M maximum
 * and within every board's NVIC; firmware needing more lines brings its own table (VTOR). */
#define WEAK_IRQ(n) void IRQ##n##_Handler(void) WEAK_DEFAULT;
WEAK_IRQ(0) WEAK_IRQ(1) WEAK_IRQ(2) WEAK_IRQ(3) WEAK_IRQ(4) WEAK_IRQ(5) WEAK_IRQ(6) WEAK_IRQ(7)
WEAK_IRQ(8) WEAK_IRQ(9) WEAK_IRQ(10) WEAK_IRQ(11) WEAK_IRQ(12) WEAK_IRQ(13) WEAK_IRQ(14) WEAK_IRQ(15)
WEAK_IRQ(16) WEAK_IRQ(17) WEAK_IRQ(18) WEAK_IRQ(19) WEAK_IRQ(20) WEAK_IRQ(21) WEAK_IRQ(22) WEAK_IRQ(23)
WEAK_IRQ(24) WEAK_IRQ(25) WEAK_IRQ(26) WEAK_IRQ(27) WEAK_IRQ(28) WEAK_IRQ(29) WEAK_IRQ(30) WEAK_IRQ(31)

/* ARMv7-M ARM (DDI 0403E) B1.5.3 / ARMv6-M ARM (DDI 0419E) B1.5.3: the vector table. 48 words;
 * at the start of the boot flash it meets VTOR's alignment (B3.2.5: a power of two >= its size). */
__attribute__((section(".isr_vector"), used))
void (*const mcusim_vectors[16 + 32])(void) = {
    (void (*)(void))(&_estack), Reset_Handler, NMI_Handler, HardFault_Handler,
    MemManage_Handler, BusFault_Handler, UsageFault_Handler, 0, 0, 0, 0,
    SVC_Handler, DebugMon_Handler, 0, PendSV_Handler, SysTick_Handler,
    IRQ0_Handler, IRQ1_Handler, IRQ2_Handler, IRQ3_Handler,
    IRQ4_Handler, IRQ5_Handler, IRQ6_Handler, IRQ7_Handler,
    IRQ8_Handler, IRQ9_Handler, IRQ10_Handler, IRQ11_Handler,
    IRQ12_Handler, IRQ13_Handler, IRQ14_Handler, IRQ15_Handler,
    IRQ16_Handler, IRQ17_Handler, IRQ18_Handler, IRQ19_Handler,
    IRQ20_Handler, IRQ21_Handler, IRQ22_Handler, IRQ23_Handler,
    IRQ24_Handler, IRQ25_Handler, IRQ26_Handler, IRQ27_Handler,
    IRQ28_Handler, IRQ29_Handler, IRQ30_Handler, IRQ31_Handler,
};

/* -nostartfiles drops crti.o, whose _init/_fini __libc_init_array calls. */
__attribute__((weak)) void _init(void) {}
__attribute__((weak)) void _fini(void) {}

/* The board's clock set-up (firmware/startup/clock_<family>.c, chosen by the -D flags
 * mcusim.firmware.board_defines gives): the nominal MCUSIM_CLOCK_HZ, configured the way vendor
 * start-up code does, before .data is copied. Without a clock tree, or built with
 * -DMCUSIM_KEEP_RESET_CLOCK (firmware that configures the clocks itself, e.g. with ST's HAL),
 * the chip's reset clock stays. */
#define REG32(addr) (*(volatile uint32_t *)(addr))
#if defined(MCUSIM_KEEP_RESET_CLOCK)
static void mcusim_clock_init(void) {}
#elif defined(MCUSIM_CLOCK_TREE_STM32F4) || defined(MCUSIM_CLOCK_TREE_STM32F7)
#include "clock_stm32f4.c"
#elif defined(MCUSIM_CLOCK_TREE_STM32H7)
#include "clock_stm32h7.c"
#elif defined(MCUSIM_CLOCK_TREE_STM32L4)
#include "clock_stm32l4.c"
#elif defined(MCUSIM_CLOCK_TREE_STM32G0)
#include "clock_stm32g0.c"
#elif defined(MCUSIM_CLOCK_TREE_STM32U5)
#include "clock_stm32u5.c"
#elif defined(MCUSIM_CLOCK_TREE_NRF52)
#include "clock_nrf52.c"
#elif defined(MCUSIM_CLOCK_TREE_RP2040)
#include "clock_rp2040.c"
#else
static void mcusim_clock_init(void) {}
#endif

/* Builds that print through the UART (MCUSIM_SEMIHOSTING=0, firmware/hal/uart.c linked) start
 * the console before main, after the clocks, as a board's own start-up does: printf works from
 * main's first line. Not with MCUSIM_KEEP_RESET_CLOCK: firmware that sets its own clocks calls
 * mcusim_uart_init(clock_hz, baud) once they run. */
#if !MCUSIM_SEMIHOSTING && defined(MCUSIM_UART_BAUD) && !defined(MCUSIM_KEEP_RESET_CLOCK)
#define MCUSIM_CONSOLE_INIT 1
extern void mcusim_console_init(void);
#endif

__attribute__((noreturn)) void Reset_Handler(void)
{
    mcusim_clock_init();
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
#if defined(MCUSIM_CONSOLE_INIT)
    mcusim_console_init();
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
