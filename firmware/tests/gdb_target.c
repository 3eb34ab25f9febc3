/* A program for the gdb server tests: a global the debugger watches (`counter`, written three
 * times: 1, 3, 6), a float kept in s0 on FPU cores (`scaled`'s argument and result), a line on
 * the console before and after, and an exit status of its own (3) that must pass through.
 * With FAULT=1 it loads from an unmapped address after the first line, so the debugger sees a
 * SIGSEGV stop where the fault happened. Build with -g so gdb knows the types. */
#include <stdio.h>

#ifndef FAULT
#define FAULT 0
#endif

volatile unsigned int counter;
volatile float gain = 1.5f;

__attribute__((noinline)) float scaled(float x, int n)
{
    float acc = 0.0f;
    for (int i = 0; i < n; i++)
        acc += x * gain;
    return acc;
}

int main(void)
{
    printf("gdb target: start\n");
#if FAULT
    volatile unsigned int *nowhere = (volatile unsigned int *)0x3FFF0000u;
    counter = *nowhere;
#endif
    for (unsigned int i = 1; i <= 3; i++)
        counter += i;
    float f = scaled(2.0f, 4);          /* 2 * 1.5 * 4 = 12 */
    printf("gdb target: counter=%u scaled=%d\n", counter, (int)f);
    return 3;
}
