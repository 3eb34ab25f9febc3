/* CoreMark port for mcusim, written for bench/bench_fidelity.py. CoreMark itself is not in this
 * repository (EEMBC licence): bench_fidelity.py --coremark DIR builds it from a user's tree.
 * The timer is the semihosting SYS_ELAPSED call (0x30), which mcusim answers with the simulated
 * cycle count since reset; SYS_TICKFREQ (0x31) gives the clock. */
#include <stdint.h>
#include "coremark.h"

#if VALIDATION_RUN
volatile ee_s32 seed1_volatile = 0x3415, seed2_volatile = 0x3415, seed3_volatile = 0x66;
#endif
#if PERFORMANCE_RUN
volatile ee_s32 seed1_volatile = 0x0, seed2_volatile = 0x0, seed3_volatile = 0x66;
#endif
#if PROFILE_RUN
volatile ee_s32 seed1_volatile = 0x8, seed2_volatile = 0x8, seed3_volatile = 0x8;
#endif
volatile ee_s32 seed4_volatile = ITERATIONS;
volatile ee_s32 seed5_volatile = 0;
ee_u32 default_num_contexts = 1;

static int semihost(int op, void *arg)
{
    register int r0 __asm__("r0") = op;
    register void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

static uint64_t cycles_now(void)
{
    uint64_t c = 0;
    semihost(0x30, &c);
    return c;
}

static uint64_t t0, t1;
void start_time(void) { t0 = cycles_now(); }
void stop_time(void) { t1 = cycles_now(); }
CORE_TICKS get_time(void) { return (CORE_TICKS)(t1 - t0); }
secs_ret time_in_secs(CORE_TICKS ticks)
{
    return (secs_ret)ticks / (secs_ret)(unsigned)semihost(0x31, 0);
}

void portable_init(core_portable *p, int *argc, char *argv[])
{
    (void)argc; (void)argv;
    p->portable_id = 1;
}

void portable_fini(core_portable *p)
{
    unsigned hz = (unsigned)semihost(0x31, 0);
    double cyc = (double)(t1 - t0);
    printf("MCUSIM cycles %lu clock_hz %u iterations %d coremark_per_mhz %.4f\n",
           (unsigned long)(t1 - t0), hz, (int)seed4_volatile, seed4_volatile * 1e6 / cyc);
    p->portable_id = 0;
}
