/* Recurses with 1 KB frames far past the 16 KB stack region of the generated linker script
 * (into the free heap area below it, so the program itself completes). */
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
    printf("%d\n", deep(40));
    return 0;
}
