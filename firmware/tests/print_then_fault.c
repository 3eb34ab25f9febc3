/* Prints many lines on stdout (semihosting) and one on stderr, then reads unmapped memory:
   every line must reach the terminal before the simulator's fault report.
   -DPARTIAL: prints one line without its newline instead, then faults. */
#include <stdio.h>

int main(void)
{
#ifdef PARTIAL
    printf("no newline");
    fflush(stdout);
#else
    for (int i = 0; i < 2000; i++)
        printf("line %d\n", i);
    fprintf(stderr, "last words\n");
#endif
    return *(volatile int *)0xF0000000;
}
