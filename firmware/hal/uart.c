/* Polled transmit for the console UART of each board family. */
#include <stdint.h>
#include "uart.h"

#define REG(off) (*(volatile uint32_t *)(MCUSIM_UART_BASE + (off)))

void mcusim_uart_putc(char c)
{
#if defined(MCUSIM_UART_KIND_STM32_USART_V1) || defined(MCUSIM_UART_KIND_STM32_USART_V2)
    /* USART_SR / USART_ISR: TXE (bit 7) set when the data register can take a byte
     * (RM0090 30.6.1; RM0432 50.8.8). */
    while (!(REG(MCUSIM_UART_STATUS) & (1u << 7))) {
    }
    REG(MCUSIM_UART_DATA) = (uint8_t)c;
#elif defined(MCUSIM_UART_KIND_NRF_UARTE)
    /* Legacy UART: TASKS_STARTTX, write TXD, wait for EVENTS_TXDRDY (nRF52840 PS 6.33). */
    REG(0x008) = 1;
    REG(MCUSIM_UART_DATA) = (uint8_t)c;
    while (!REG(MCUSIM_UART_STATUS)) {
    }
    REG(MCUSIM_UART_STATUS) = 0;
#elif defined(MCUSIM_UART_KIND_PL011)
    /* UARTFR.TXFF (bit 5): transmit FIFO full (RP2040 datasheet 4.2.8). */
    while (REG(MCUSIM_UART_STATUS) & (1u << 5)) {
    }
    REG(MCUSIM_UART_DATA) = (uint8_t)c;
#else
#error "define MCUSIM_UART_KIND_* (see mcusim.firmware.board_defines)"
#endif
}

void mcusim_uart_puts(const char *s)
{
    while (*s)
        mcusim_uart_putc(*s++);
}

/* newlib's stdout/stderr in builds without semihosting: printf goes to the UART. */
int _write(int fd, const char *buf, int len)
{
    (void)fd;
    for (int i = 0; i < len; i++)
        mcusim_uart_putc(buf[i]);
    return len;
}
