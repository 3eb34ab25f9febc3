/* Console UART of the board, polled. The board's [uart] table supplies MCUSIM_UART_KIND_*,
 * MCUSIM_UART_BASE, MCUSIM_UART_DATA, MCUSIM_UART_STATUS and, with uart.baud, the set-up
 * (MCUSIM_UART_BAUD, clock enable, TX pin...: mcusim.firmware.board_defines). */
#ifndef MCUSIM_UART_H
#define MCUSIM_UART_H
#include <stdint.h>

/* Clock the UART, give it the TX pin, set the baud rate (8N1) and enable the transmitter.
 * clock_hz: the UART's clock (STM32: PCLK of its APB; RP2040: clk_peri; nRF52: unused).
 * The start-up calls mcusim_console_init() = mcusim_uart_init(mcusim_uart_clock_hz(), board
 * baud) before main; call it again after changing the clocks. */
void mcusim_uart_init(uint32_t clock_hz, uint32_t baud);
uint32_t mcusim_uart_clock_hz(void);     /* the UART's clock as mcusim's start-up set it */
void mcusim_console_init(void);          /* weak: define your own to replace the set-up */

void mcusim_uart_putc(char c);
void mcusim_uart_puts(const char *s);
#endif
