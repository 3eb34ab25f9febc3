/* Exits through exit() with the status given at build time (-DSTATUS=n), after printing. */
#include <stdio.h>
#include <stdlib.h>

#ifndef STATUS
#define STATUS 42
#endif

int main(void)
{
    printf("exiting with %d\n", STATUS);
    exit(STATUS);
}
