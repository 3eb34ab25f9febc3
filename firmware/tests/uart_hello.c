/* Writes to the board's console UART (no semihosting): direct putc and printf via _write. */
#include <stdio.h>
#include "uart.h"

int main(void)
{
    mcusim_uart_puts("uart: hello\n");
    printf("uart printf %d\n", 1234);
    fflush(stdout);
    return 3;
}
