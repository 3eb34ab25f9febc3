/* Semihosting hello: printf through newlib + librdimon, exit status 0. */
#include <stdio.h>

int main(void)
{
    printf("hello from mcusim\n");
    fprintf(stderr, "to stderr\n");
    return 0;
}
