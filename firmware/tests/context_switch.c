/* Two threads on the process stack (PSP), started with SVC and switched by PendSV, the way
 * RTOS ports for Cortex-M do it. PendSV (lowest priority) is pended by SysTick (preemption,
 * every SLICE clocks) and by thread 1 itself through ICSR.PENDSVSET (yield). The switch saves
 * r4-r11 and the EXC_RETURN of the outgoing thread on its stack and, on cores with an FPU, also
 * s16-s31 when EXC_RETURN bit 4 is 0, i.e. the hardware stacked an extended (FP) frame because
 * the thread had used the FPU (CONTROL.FPCA; ARMv7-M ARM B1.5.7, B1.5.8). s0-s15 and FPSCR are
 * in that hardware frame (lazily, per FPCCR.LSPEN).
 * Each thread keeps values in callee-saved registers (r4-r11; s16-s31 with an FPU) across calls
 * and checks them every iteration: a switch that loses one is caught. Prints per-thread counts,
 * the number of switches and how many of them found an FP frame; exits 0 when both reach
 * TARGET.
 */
#include <stdio.h>
#include <stdlib.h>

#include "mcusim_cm.h"

#define TARGET 150u
#define SLICE 3000u
#define STACK_WORDS 1024u

static uint64_t stacks[2][STACK_WORDS / 2];     /* 8-byte aligned (AAPCS, exception frames) */
uint32_t *thread_sp[2];                         /* saved PSP of each thread (used from asm) */
static volatile unsigned current;
static volatile int started;
static volatile uint32_t count[2], switches, fp_frames;
static volatile int done[2];

static void yield(void)
{
    SCB_ICSR = ICSR_PENDSVSET;
    mcusim_dsb_isb();
}

/* noipa: gcc may not assume spin() leaves caller-saved registers alone, so the values below
 * live in callee-saved r4-r11 and s16-s31 as they do across any real call. */
__attribute__((noinline, noipa)) static void spin(unsigned n)
{
    for (volatile unsigned k = 0; k < n; k++) {
    }
}

static void fail(unsigned id, unsigned i, const char *what)
{
    SYST_CSR = 0;
    printf("thread %u lost its %s at iteration %u\n", id, what, i);
    exit(1);
}

static void thread(unsigned id)
{
    /* Integer values live across calls: the compiler keeps them in r4-r11. */
    uint32_t a = 1000u * id + 1, b = a + 7, c = a * 3;
#if MCUSIM_FP
    /* Float values live across calls: the compiler keeps them in s16-s31. Adding 0.5 stays
     * exact far beyond TARGET. */
    float x = 100.0f * (float)id + 0.25f, y = x * 2.0f, z = -x;
#endif
    for (unsigned i = 0; i < TARGET; i++) {
        a += 1;
        b += 2;
        c += 3;
#if MCUSIM_FP
        x += 0.5f;
        y += 1.0f;
        z -= 0.5f;
#endif
        spin(40 + 13 * id);
        if (id == 1 && i % 5 == 4)
            yield();
        uint32_t base = 1000u * id + 1;
        if (a != base + i + 1 || b != base + 7 + 2 * (i + 1) || c != base * 3 + 3 * (i + 1))
            fail(id, i, "integer registers");
#if MCUSIM_FP
        float fx = 100.0f * (float)id + 0.25f + 0.5f * (float)(i + 1);
        if (x != fx || y != 2.0f * (fx - 0.5f * (float)(i + 1)) + 1.0f * (float)(i + 1) ||
            z != -fx)
            fail(id, i, "FP registers");
#endif
        count[id]++;
    }
    done[id] = 1;
    if (!done[id ^ 1u]) {
        while (!done[id ^ 1u])
            yield();
        for (;;)                       /* the other thread prints and exits */
            yield();
    }
    SYST_CSR = 0;
    SCB_ICSR = ICSR_PENDSVCLR;
    printf("thread0 %lu thread1 %lu\n", (unsigned long)count[0], (unsigned long)count[1]);
    printf("switches %s fp_frames %lu\n", switches > 10 ? ">10" : "<=10",
           (unsigned long)fp_frames);
    exit(0);
}

static void thread_exit_trap(void)
{
    printf("a thread function returned\n");
    exit(2);
}

/* Initial stack of a thread: the frame an exception return unstacks (r0-r3, r12, lr, pc,
 * xPSR with the Thumb bit; ARMv7-M ARM B1.5.6), below it r4-r11 and (ARMv7-M/v8-M) the
 * EXC_RETURN slot that the switch code restores; SVC fills that slot in. */
static void make_thread(unsigned id, void (*entry)(unsigned))
{
    uint32_t *sp = (uint32_t *)&stacks[id][STACK_WORDS / 2];
    *--sp = 0x01000000u;                                   /* xPSR: T */
    *--sp = (uint32_t)entry & ~1u;                         /* pc */
    *--sp = (uint32_t)thread_exit_trap;                    /* lr */
    *--sp = 0;                                             /* r12 */
    *--sp = 0;
    *--sp = 0;
    *--sp = 0;                                             /* r3-r1 */
    *--sp = id;                                            /* r0: the argument */
#if !MCUSIM_V6M
    *--sp = 0;                                             /* EXC_RETURN: set by SVC */
#endif
    for (int r = 0; r < 8; r++)
        *--sp = 0;                                         /* r11..r4 */
    thread_sp[id] = sp;
}

/* Called by SVC_Handler with its EXC_RETURN: the threads return to Thread mode on PSP with a
 * basic frame (bits SPSEL and FType set; the other bits, e.g. ARMv8-M's security bits, as the
 * SVC's own). Returns thread 0's saved stack pointer. */
uint32_t *svc_start(uint32_t exc_return)
{
#if !MCUSIM_V6M
    for (unsigned id = 0; id < 2; id++)
        thread_sp[id][8] = exc_return | EXC_RETURN_SPSEL | EXC_RETURN_FTYPE;
#else
    (void)exc_return;
#endif
    current = 0;
    started = 1;
    return thread_sp[0];
}

/* Called by PendSV_Handler with the outgoing thread's stack pointer (after r4-r11, EXC_RETURN
 * and maybe s16-s31 were pushed) and its EXC_RETURN; returns the incoming thread's. */
uint32_t *switch_context(uint32_t *sp, uint32_t exc_return)
{
    thread_sp[current] = sp;
    if (!(exc_return & EXC_RETURN_FTYPE))
        fp_frames++;
    switches++;
    current ^= 1u;
    return thread_sp[current];
}

#if MCUSIM_V6M
__attribute__((naked)) void SVC_Handler(void)
{
    __asm volatile(
        ".syntax unified\n\t"      /* gcc passes Thumb-1 inline asm in divided syntax */
        "mov r0, lr\n\t"
        "bl svc_start\n\t"          /* r0 = thread 0's sp: r4-r11 (zeros) then the frame */
        "adds r0, #32\n\t"
        "msr psp, r0\n\t"
        "isb\n\t"
        "ldr r0, =0xFFFFFFFD\n\t"   /* Thread mode, PSP (ARMv6-M ARM B1.5.8) */
        "bx r0\n\t"
        ".ltorg");
}

__attribute__((naked)) void PendSV_Handler(void)
{
    __asm volatile(
        ".syntax unified\n\t"
        "mrs r0, psp\n\t"
        "subs r0, #32\n\t"
        "mov r2, r0\n\t"
        "stmia r2!, {r4-r7}\n\t"    /* ARMv6-M: STM takes r0-r7 only */
        "mov r4, r8\n\t"
        "mov r5, r9\n\t"
        "mov r6, r10\n\t"
        "mov r7, r11\n\t"
        "stmia r2!, {r4-r7}\n\t"
        "mov r1, lr\n\t"
        "bl switch_context\n\t"
        "adds r0, #16\n\t"
        "ldmia r0!, {r4-r7}\n\t"    /* r8-r11 */
        "mov r8, r4\n\t"
        "mov r9, r5\n\t"
        "mov r10, r6\n\t"
        "mov r11, r7\n\t"
        "msr psp, r0\n\t"
        "subs r0, #32\n\t"
        "ldmia r0!, {r4-r7}\n\t"
        "isb\n\t"
        "ldr r0, =0xFFFFFFFD\n\t"
        "bx r0\n\t"
        ".ltorg");
}
#else
__attribute__((naked)) void SVC_Handler(void)
{
    __asm volatile(
        "mov r0, lr\n\t"
        "bl svc_start\n\t"
        "ldmia r0!, {r4-r11, lr}\n\t"
        "msr psp, r0\n\t"
        "isb\n\t"
        "bx lr");
}

__attribute__((naked)) void PendSV_Handler(void)
{
    __asm volatile(
        "mrs r0, psp\n\t"
        "isb\n\t"
#if MCUSIM_FP
        "tst lr, #0x10\n\t"         /* FType 0: the thread has FP state, save s16-s31 too */
        "it eq\n\t"
        "vstmdbeq r0!, {s16-s31}\n\t"
#endif
        "stmdb r0!, {r4-r11, lr}\n\t"
        "mov r1, lr\n\t"
        "bl switch_context\n\t"
        "ldmia r0!, {r4-r11, lr}\n\t"
#if MCUSIM_FP
        "tst lr, #0x10\n\t"
        "it eq\n\t"
        "vldmiaeq r0!, {s16-s31}\n\t"
#endif
        "msr psp, r0\n\t"
        "isb\n\t"
        "bx lr");
}
#endif

void SysTick_Handler(void)
{
    if (started)
        SCB_ICSR = ICSR_PENDSVSET;
}

int main(void)
{
    make_thread(0, thread);
    make_thread(1, thread);
    mcusim_set_sys_priority(EXC_PENDSV, 0xC0);     /* lowest on every board */
    mcusim_set_sys_priority(EXC_SYSTICK, 0x80);
    SYST_RVR = SLICE - 1u;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CLKSOURCE;
    __asm volatile("svc #0" ::: "memory");
    printf("SVC returned to main\n");
    return 3;
}
