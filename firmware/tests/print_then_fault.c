/* Prints many lines on stdout (semihosting) and one on stderr, then reads unmapped memory:
   every line must reach the terminal before the simulator's fault report. */
#include <stdio.h>

int main(void)
{
    for (int i = 0; i < 2000; i++)
        printf("line %d\n", i);
    fprintf(stderr, "last words\n");
    return *(volatile int *)0xF0000000;
}
