/* Send BYTES bytes on the console UART at 115200 baud (8N1: 10 bits a frame), polling the
 * transmit flags as HAL code does, then wait until the last frame has left; print the cycles
 * it took. With --uart-timing that is BYTES frames at the baud rate the divider gives (the
 * first byte goes straight to the shift register, the next waits in the holding register
 * or FIFO); without it the bytes leave at once. The divider is computed for the board's
 * nominal clock (MCUSIM_CLOCK_HZ): run with that clock.
 *   STM32F4 USART2 (RM0090 30.6): BRR = PCLK1 / baud (OVER16), TXE/TC in SR
 *   nRF52840 UART0 (PS v1.7 6.33.9): BAUDRATE 0x01D7E000 = 115200 baud, EVENTS_TXDRDY
 *   RP2040 UART0 (datasheet 4.2.3.2, 4.2.8): IBRD/FBRD = UARTCLK / (16 x baud), UARTFR */
#include <stdio.h>

#include "gpio_timer_regs.h"
#include "mcusim_cm.h"

#ifndef BYTES
#define BYTES 32u
#endif
#define BAUD 115200u

#if defined(MCUSIM_BOARD_STM32F4)
#define U 0x40004400u
static void uart_init(void)
{
    /* USART2 is clocked by PCLK1 (APB1), not the core: RCC_CFGR.PPRE1 0xx /1, 100 /2, 101 /4,
     * 110 /8, 111 /16 (RM0090 7.3.3); the start-up runs HCLK at MCUSIM_CLOCK_HZ (HPRE /1). */
    uint32_t ppre1 = (REG32(0x40023808u) >> 10) & 7u;
    uint32_t pclk1 = ppre1 < 4u ? MCUSIM_CLOCK_HZ : MCUSIM_CLOCK_HZ >> (ppre1 - 3u);
    RCC_APB1_EN |= 1u << 17;                               /* USART2EN */
    REG32(U + 0x08u) = (pclk1 + BAUD / 2u) / BAUD;         /* BRR */
    REG32(U + 0x0Cu) = (1u << 13) | (1u << 3);            /* CR1: UE, TE */
}
static void uart_putc(char c)
{
    while (!(REG32(U + 0x00u) & (1u << 7))) {             /* SR.TXE */
    }
    REG32(U + 0x04u) = (uint8_t)c;
}
static void uart_flush(void)
{
    while (!(REG32(U + 0x00u) & (1u << 6))) {             /* SR.TC */
    }
}
#elif defined(MCUSIM_BOARD_NRF52840)
#define U 0x40002000u
static void uart_init(void)
{
    REG32(U + 0x500u) = 4;                                /* ENABLE = UART */
    REG32(U + 0x524u) = 0x01D7E000u;                      /* BAUDRATE: Baud115200 */
    REG32(U + 0x008u) = 1;                                /* TASKS_STARTTX */
}
static void uart_putc(char c)
{
    REG32(U + 0x11Cu) = 0;                                /* EVENTS_TXDRDY */
    REG32(U + 0x51Cu) = (uint8_t)c;                       /* TXD */
    while (!REG32(U + 0x11Cu)) {
    }
}
static void uart_flush(void)
{
}
#elif defined(MCUSIM_BOARD_RP2040)
#define U 0x40034000u
static void uart_init(void)
{
    uint32_t div = (8u * MCUSIM_CLOCK_HZ) / BAUD;         /* 128 x (UARTCLK / (16 x baud)) */
    REG32(U + 0x24u) = div >> 7;                          /* IBRD */
    REG32(U + 0x28u) = ((div & 0x7Fu) + 1u) / 2u;         /* FBRD: 64ths, rounded */
    REG32(U + 0x2Cu) = (3u << 5) | (1u << 4);             /* LCR_H: 8 bits, FIFOs on */
    REG32(U + 0x30u) = (1u << 0) | (1u << 8);             /* CR: UARTEN, TXE */
}
static void uart_putc(char c)
{
    while (REG32(U + 0x18u) & (1u << 5)) {                /* FR.TXFF */
    }
    REG32(U + 0x00u) = (uint8_t)c;
}
static void uart_flush(void)
{
    while (REG32(U + 0x18u) & (1u << 3)) {                /* FR.BUSY */
    }
}
#else
#error "uart_timing.c: no console UART for this board"
#endif

int main(void)
{
    mcusim_cycles_start();
    uart_init();
    uint32_t t0 = mcusim_cycles();
    for (unsigned i = 0; i < BYTES - 1u; i++)
        uart_putc('U');
    uart_putc('\n');
    uart_flush();
    uint32_t t1 = mcusim_cycles();
    printf("uart %u bytes %u cycles\n", (unsigned)BYTES, (unsigned)((t1 - t0) & MCUSIM_CYCLES_MASK));
    return 0;
}
