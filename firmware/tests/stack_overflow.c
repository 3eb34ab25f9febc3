/* Recurses with 1 KB frames far past the 16 KB stack region of the generated linker script
 * (into the free heap area below it, so the program itself completes). -DDEPTH=n recurses n
 * frames: 200 runs out of the STM32F4's 128 KB SRAM altogether. */
#include <stdio.h>

__attribute__((noinline)) int deep(int n)
{
    volatile char frame[1024];
    frame[0] = (char)n;
    frame[sizeof frame - 1] = (char)n;
    return n == 0 ? frame[0] : deep(n - 1) + frame[sizeof frame - 1];
}

int main(void)
{
#ifndef DEPTH
#define DEPTH 40
#endif
    printf("%d\n", deep(DEPTH));
    return 0;
}
