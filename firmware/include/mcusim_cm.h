/* mcusim_cm.h: the Cortex-M system registers mcusim's own test programs use (SCB, NVIC, SysTick,
 * DWT, FPU control), with the bit names of the architecture manuals. Written from:
 *   ARMv7-M ARM (DDI 0403E.e): B3.2 System Control Space, B3.3 SysTick, B3.4 NVIC, C1.8 DWT,
 *     B1.5.6-B1.5.8 exception entry/return and EXC_RETURN, B1.5.7 FP extended frame;
 *   ARMv6-M ARM (DDI 0419E): B3.2-B3.4 (a subset: no STIR, IABR, BASEPRI, CFSR/HFSR, DWT
 *     CYCCNT; priority and SHPR registers are word-accessible only, B3.4.7/B3.2.2);
 *   ARMv8-M ARM (DDI 0553B): D1 register descriptions (same addresses as ARMv7-M for all below).
 * Not a CMSIS header: only the registers and bits the tests need, as plain addresses.
 */
#ifndef MCUSIM_CM_H
#define MCUSIM_CM_H

#include <stdint.h>

#define MCUSIM_REG(addr) (*(volatile uint32_t *)(addr))

/* Profile of the core being built for (gcc's ACLE macros). */
#if defined(__ARM_ARCH_6M__) || defined(__ARM_ARCH_8M_BASE__)
#define MCUSIM_V6M 1            /* no BASEPRI/FAULTMASK, no CFSR/HFSR, no STIR, no CYCCNT */
#else
#define MCUSIM_V6M 0
#endif
#if defined(__ARM_FP)
#define MCUSIM_FP 1             /* FPv4-SP / FPv5: extended frames, CONTROL.FPCA, FPCCR */
#else
#define MCUSIM_FP 0
#endif

/* --- SysTick (ARMv7-M B3.3.2, ARMv6-M B3.3.2) -------------------------------------------- */
#define SYST_CSR MCUSIM_REG(0xE000E010u)
#define SYST_RVR MCUSIM_REG(0xE000E014u)     /* 24-bit reload: period = RVR + 1 clocks */
#define SYST_CVR MCUSIM_REG(0xE000E018u)     /* any write clears it (and COUNTFLAG) */
#define SYST_CSR_ENABLE (1u << 0)
#define SYST_CSR_TICKINT (1u << 1)           /* count to 0 pends SysTick (exception 15) */
#define SYST_CSR_CLKSOURCE (1u << 2)         /* 1 = processor clock */
#define SYST_CSR_COUNTFLAG (1u << 16)

/* --- NVIC (ARMv7-M B3.4.3, ARMv6-M B3.4.2): bit n of word n/32 is external interrupt n ---- */
#define NVIC_ISER(n) MCUSIM_REG(0xE000E100u + 4u * (n))
#define NVIC_ICER(n) MCUSIM_REG(0xE000E180u + 4u * (n))
#define NVIC_ISPR(n) MCUSIM_REG(0xE000E200u + 4u * (n))
#define NVIC_ICPR(n) MCUSIM_REG(0xE000E280u + 4u * (n))
#define NVIC_IABR(n) MCUSIM_REG(0xE000E300u + 4u * (n))   /* ARMv7-M/v8-M only */
#define NVIC_IPR(n) MCUSIM_REG(0xE000E400u + 4u * (n))    /* 4 priorities a word, byte 0 low */
#define NVIC_STIR MCUSIM_REG(0xE000EF00u)                 /* ARMv7-M B3.4.4; not in ARMv6-M */

/* --- System Control Block (ARMv7-M B3.2.2, Table B3-4) ----------------------------------- */
#define SCB_ICSR MCUSIM_REG(0xE000ED04u)
#define SCB_VTOR MCUSIM_REG(0xE000ED08u)
#define SCB_AIRCR MCUSIM_REG(0xE000ED0Cu)
#define SCB_SCR MCUSIM_REG(0xE000ED10u)
#define SCB_CCR MCUSIM_REG(0xE000ED14u)
#define SCB_SHPR1 MCUSIM_REG(0xE000ED18u)    /* MemManage, BusFault, UsageFault (v7-M) */
#define SCB_SHPR2 MCUSIM_REG(0xE000ED1Cu)    /* SVCall in bits [31:24] */
#define SCB_SHPR3 MCUSIM_REG(0xE000ED20u)    /* PendSV [23:16], SysTick [31:24] */
#define SCB_SHCSR MCUSIM_REG(0xE000ED24u)
#define SCB_CFSR MCUSIM_REG(0xE000ED28u)     /* MMFSR [7:0], BFSR [15:8], UFSR [31:16] */
#define SCB_HFSR MCUSIM_REG(0xE000ED2Cu)
#define SCB_MMFAR MCUSIM_REG(0xE000ED34u)
#define SCB_BFAR MCUSIM_REG(0xE000ED38u)
#define SCB_CPACR MCUSIM_REG(0xE000ED88u)

/* ICSR (B3.2.4) */
#define ICSR_PENDSVSET (1u << 28)
#define ICSR_PENDSVCLR (1u << 27)
#define ICSR_PENDSTSET (1u << 26)
#define ICSR_PENDSTCLR (1u << 25)
#define ICSR_VECTACTIVE_MASK 0x1FFu
/* AIRCR (B3.2.6): writes need VECTKEY */
#define AIRCR_VECTKEY (0x05FAu << 16)
/* SCR (B3.2.7) */
#define SCR_SLEEPONEXIT (1u << 1)
#define SCR_SLEEPDEEP (1u << 2)
/* CCR (B3.2.8) */
#define CCR_UNALIGN_TRP (1u << 3)
#define CCR_DIV_0_TRP (1u << 4)
/* SHCSR (B3.2.13): enable the configurable faults (else they escalate to HardFault) */
#define SHCSR_MEMFAULTENA (1u << 16)
#define SHCSR_BUSFAULTENA (1u << 17)
#define SHCSR_USGFAULTENA (1u << 18)
/* CFSR (B3.2.15): BusFault status (bits 8-15), UsageFault status (bits 16-31) */
#define CFSR_IBUSERR (1u << 8)
#define CFSR_PRECISERR (1u << 9)
#define CFSR_BFARVALID (1u << 15)
#define CFSR_UNDEFINSTR (1u << 16)
#define CFSR_INVSTATE (1u << 17)
#define CFSR_INVPC (1u << 18)
#define CFSR_NOCP (1u << 19)
#define CFSR_DIVBYZERO (1u << 25)
/* HFSR (B3.2.16) */
#define HFSR_VECTTBL (1u << 1)
#define HFSR_FORCED (1u << 30)

/* --- FP context control (ARMv7-M B3.2.20-B3.2.22) ---------------------------------------- */
#define FPU_FPCCR MCUSIM_REG(0xE000EF34u)
#define FPCCR_LSPEN (1u << 30)               /* lazy state preservation (reset 1) */
#define FPCCR_ASPEN (1u << 31)               /* automatic state preservation (reset 1) */

/* --- DWT cycle counter (ARMv7-M C1.8.7, C1.6.5 DEMCR) ------------------------------------ */
#define DEMCR MCUSIM_REG(0xE000EDFCu)
#define DEMCR_TRCENA (1u << 24)
#define DWT_CTRL MCUSIM_REG(0xE0001000u)
#define DWT_CYCCNT MCUSIM_REG(0xE0001004u)
#define DWT_CTRL_CYCCNTENA (1u << 0)

/* --- Exception numbers (B1.5.2) and EXC_RETURN (B1.5.8; ARMv8-M D1.2.95) ----------------- */
#define EXC_SVCALL 11
#define EXC_PENDSV 14
#define EXC_SYSTICK 15
#define EXC_IRQ(n) (16 + (n))
#define EXC_RETURN_FTYPE (1u << 4)           /* 0: an extended (FP) frame was stacked */
#define EXC_RETURN_SPSEL (1u << 2)           /* 1: the frame is on (and return to) PSP */
#define EXC_RETURN_MODE (1u << 3)            /* 1: return to Thread mode */

/* Two external interrupt lines the tests pend by software: 26 and 27 are the RP2040's spare
 * lines, tied to zero and left for software interrupts (RP2040 datasheet §2.3.2); on the STM32F4
 * (TIM1 TRG/COM, TIM1 CC) and STM32U575 they belong to peripherals the tests never enable. */
#define MCUSIM_SOFT_IRQ_A 26u
#define MCUSIM_SOFT_IRQ_B 27u

/* --- Helpers ---------------------------------------------------------------------------- */
static inline void mcusim_dsb_isb(void) { __asm volatile("dsb\n\tisb" ::: "memory"); }
static inline void mcusim_irq_enable(void) { __asm volatile("cpsie i" ::: "memory"); }
static inline void mcusim_irq_disable(void) { __asm volatile("cpsid i" ::: "memory"); }
static inline void mcusim_wfi(void) { __asm volatile("wfi" ::: "memory"); }

static inline uint32_t mcusim_ipsr(void)
{
    uint32_t v;
    __asm volatile("mrs %0, ipsr" : "=r"(v));
    return v;
}

/* Priorities: the implemented bits are the top ones of each 8-bit field (B3.4.9): 4 on the
 * STM32F4/U5, 2 on the RP2040's M0+. The tests use multiples of 0x40, distinct on every board.
 * ARMv6-M allows only word accesses to IPR and SHPR: read-modify-write the whole word. */
static inline void mcusim_set_irq_priority(unsigned irq, uint8_t prio)
{
    uint32_t shift = 8u * (irq % 4u);
    uint32_t w = NVIC_IPR(irq / 4u);
    NVIC_IPR(irq / 4u) = (w & ~(0xFFu << shift)) | ((uint32_t)prio << shift);
}

static inline void mcusim_set_sys_priority(unsigned exc, uint8_t prio)
{
    /* SHPR1 holds exceptions 4-7, SHPR2 8-11, SHPR3 12-15; byte exc%4 of each. */
    volatile uint32_t *shpr = &SCB_SHPR1 + (exc - 4u) / 4u;
    uint32_t shift = 8u * (exc % 4u);
    *shpr = (*shpr & ~(0xFFu << shift)) | ((uint32_t)prio << shift);
}

static inline void mcusim_irq_set_enabled(unsigned irq) { NVIC_ISER(irq / 32u) = 1u << (irq % 32u); }
static inline void mcusim_irq_pend(unsigned irq) { NVIC_ISPR(irq / 32u) = 1u << (irq % 32u); }
static inline int mcusim_irq_is_pending(unsigned irq)
{
    return (NVIC_ISPR(irq / 32u) >> (irq % 32u)) & 1u;
}

#if !MCUSIM_V6M
static inline void mcusim_set_basepri(uint32_t v) { __asm volatile("msr basepri, %0" ::"r"(v) : "memory"); }
#endif

/* A cycle clock for measuring: DWT CYCCNT where the architecture has it; on ARMv6-M the
 * SysTick counter run free from the processor clock (it counts down, modulo 2^24). */
static inline void mcusim_cycles_start(void)
{
#if MCUSIM_V6M
    SYST_RVR = 0xFFFFFFu;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_CLKSOURCE;
#else
    DEMCR |= DEMCR_TRCENA;
    DWT_CYCCNT = 0;
    DWT_CTRL |= DWT_CTRL_CYCCNTENA;
#endif
}

static inline uint32_t mcusim_cycles(void)
{
#if MCUSIM_V6M
    return (0u - SYST_CVR) & 0xFFFFFFu;      /* up-counting view of the down counter */
#else
    return DWT_CYCCNT;
#endif
}

#define MCUSIM_CYCLES_MASK (MCUSIM_V6M ? 0xFFFFFFu : 0xFFFFFFFFu)

#endif
