/* A vendor memory map, exercised: a .bss buffer of BIG bytes (-DBIG=n; the test sizes it to end
 * just below the heap and stack at the top of the main RAM region, so on the STM32F746 it runs
 * from DTCM into SRAM) and, with -DEXTRA='".name"', a buffer in another region's section.
 * Each buffer gets an address-dependent word every 4 KB and in its last word, read back after
 * all are written. Exit status: the number of words that did not come back. */
#include <stdint.h>
#include <stdio.h>

#ifndef BIG
#define BIG 4096
#endif

static volatile uint32_t big[BIG / 4];
#ifdef EXTRA
__attribute__((section(EXTRA))) static volatile uint32_t extra[256];
#endif

static uint32_t mark(volatile uint32_t *p) { return (uint32_t)(uintptr_t)p ^ 0xA5C3E1F7u; }

static void fill(volatile uint32_t *p, uint32_t words)
{
    for (uint32_t i = 0; i < words; i += 1024)
        p[i] = mark(&p[i]);
    p[words - 1] = mark(&p[words - 1]);
}

static int bad(volatile uint32_t *p, uint32_t words)
{
    int n = 0;
    for (uint32_t i = 0; i < words; i += 1024)
        n += p[i] != mark(&p[i]);
    return n + (p[words - 1] != mark(&p[words - 1]));
}

int main(void)
{
    fill(big, BIG / 4);
#ifdef EXTRA
    fill(extra, 256);
#endif
    int n = bad(big, BIG / 4);
#ifdef EXTRA
    n += bad(extra, 256);
    printf("extra at %p\n", (void *)extra);
#endif
    printf("big %u bytes at %p..%p: %d bad\n", (unsigned)BIG, (void *)big,
           (void *)&big[BIG / 4 - 1], n);
    return n;
}
