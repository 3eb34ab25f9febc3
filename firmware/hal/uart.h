/* Console UART of the board, polled. The board's [uart] table supplies MCUSIM_UART_KIND_*,
 * MCUSIM_UART_BASE, MCUSIM_UART_DATA and MCUSIM_UART_STATUS (mcusim.firmware.board_defines). */
#ifndef MCUSIM_UART_H
#define MCUSIM_UART_H
void mcusim_uart_putc(char c);
void mcusim_uart_puts(const char *s);
#endif
