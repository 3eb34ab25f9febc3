/* Compute-heavy int8 workload for bench_speed.py: a fully connected layer (int8 weights in
 * flash, int8 activations in RAM, int32 accumulate, requantize), repeated. Bare metal,
 * -nostdlib: _start sets the stack, runs main, then spins at `done` (the run's stop address). */
#include <stdint.h>

#define IN 256
#define OUT 64
#ifndef REPEAT
#define REPEAT 40
#endif

static const int8_t weights[OUT][IN] = {
#define W(i) (int8_t)(((i) * 37 + 11) & 0xff)
#define ROW(r) { [0 ... IN - 1] = 0 }
    [0 ... OUT - 1] = { [0 ... IN - 1] = 3 }
};
static int8_t input[IN];
static int8_t output[OUT];
volatile int32_t checksum;

__attribute__((noinline)) static void fill(uint32_t seed) {
    for (int i = 0; i < IN; i++) {
        seed = seed * 1103515245u + 12345u;
        input[i] = (int8_t)(seed >> 24);
    }
}

__attribute__((noinline)) void mcusim_layer_0_fully_connected(void) {
    for (int o = 0; o < OUT; o++) {
        int32_t acc = 0;
        const int8_t *w = weights[o];
        for (int i = 0; i < IN; i++)
            acc += (int32_t)input[i] * (int32_t)(w[i] + (o & 7));
        acc = (acc * 1518500250LL) >> 37;          /* requantize */
        if (acc > 127) acc = 127;
        if (acc < -128) acc = -128;
        output[o] = (int8_t)acc;
    }
}

#ifdef SYSTICK_HZ
/* The interrupt-load variant (bench_speed.py --irq): SysTick at SYSTICK_HZ with a handler that
 * counts, as an RTOS tick would, while the layer runs; built with mcusim's start-up. */
volatile uint32_t ticks;
void SysTick_Handler(void) { ticks++; }
#endif

int main(void) {
    int32_t sum = 0;
#ifdef SYSTICK_HZ
    *(volatile uint32_t *)0xE000E014 = MCUSIM_CLOCK_HZ / SYSTICK_HZ - 1;   /* SYST_RVR */
    *(volatile uint32_t *)0xE000E018 = 0;                                  /* SYST_CVR */
    *(volatile uint32_t *)0xE000E010 = 7;            /* SYST_CSR: ENABLE, TICKINT, CLKSOURCE */
#endif
    for (int r = 0; r < REPEAT; r++) {
        fill((uint32_t)r);
        mcusim_layer_0_fully_connected();
        for (int o = 0; o < OUT; o++) sum += output[o];
    }
    checksum = sum;
    return 0;
}

#ifndef SYSTICK_HZ
__attribute__((naked, noreturn)) void _start(void) {
    __asm__ volatile("ldr r0, =0x20010000\n mov sp, r0\n bl main\n"
                     ".global done\n done: b done\n .ltorg");
}
#endif
