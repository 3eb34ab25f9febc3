/* Console UART of each board family: set-up (mcusim_uart_init) and polled transmit.
 *
 * The register layout of each UART kind is cited below. What differs per board (which RCC bit
 * clocks the USART, which pin and alternate function carry TX, where the prescalers sit) comes
 * from the board's [uart] table as -D flags (mcusim.uart_console.defines): MCUSIM_UART_*. The
 * start-up calls mcusim_console_init() before main in builds that print through the UART
 * (MCUSIM_SEMIHOSTING=0), so printf works from main's first line, as on the board. */
#include <stdint.h>
#include "uart.h"

#define REG(off) (*(volatile uint32_t *)(MCUSIM_UART_BASE + (off)))
#define R32(addr) (*(volatile uint32_t *)(addr))

#if defined(MCUSIM_UART_BAUD)

#if defined(MCUSIM_UART_KIND_STM32_USART_V1) || defined(MCUSIM_UART_KIND_STM32_USART_V2)
/* USART_CR1 and USART_BRR: v1 (RM0090 30.6.3, 30.6.4) CR1 0x0C with UE bit 13, BRR 0x08;
 * v2 (RM0432 50.8.1, 50.8.4; the same on F7/G0/H7/U5) CR1 0x00 with UE bit 0, BRR 0x0C.
 * TE is CR1 bit 3 on both. */
#if defined(MCUSIM_UART_KIND_STM32_USART_V1)
#define USART_CR1 0x0Cu
#define USART_BRR 0x08u
#define CR1_UE (1u << 13)
#else
#define USART_CR1 0x00u
#define USART_BRR 0x0Cu
#define CR1_UE (1u << 0)
#endif
#define CR1_TE (1u << 3)

/* PCLK of the USART's APB: the core clock the start-up set (MCUSIM_CLOCK_HZ) through HPRE and
 * PPRE, read back from the RCC as vendor HALs do. HPRE 0xxx = /1, 1000..1111 = /2../512;
 * PPRE 0xx = /1, 100..111 = /2../16 (RM0090 7.3.3; the same codes in RM0385 5.3.3, RM0432
 * 6.4.3, RM0444 5.4.3, RM0433 8.7.8-8.7.9, RM0456 11.8.7). */
uint32_t mcusim_uart_clock_hz(void)
{
    static const uint8_t ahb_shift[8] = {1, 2, 3, 4, 6, 7, 8, 9};
    uint32_t hpre = (R32(MCUSIM_UART_HPRE_REG) >> MCUSIM_UART_HPRE_BIT) & 0xFu;
    uint32_t ppre = (R32(MCUSIM_UART_PPRE_REG) >> MCUSIM_UART_PPRE_BIT) & 0x7u;
    uint32_t hz = MCUSIM_CLOCK_HZ >> (hpre < 8u ? 0u : ahb_shift[hpre - 8u]);
    return hz >> (ppre < 4u ? 0u : ppre - 3u);
}

void mcusim_uart_init(uint32_t clock_hz, uint32_t baud)
{
    const uint32_t pin = MCUSIM_UART_TX_PIN, gpio = MCUSIM_UART_TX_GPIO;
    R32(MCUSIM_UART_CLKEN_REG) |= 1u << MCUSIM_UART_CLKEN_BIT;     /* the USART's bus clock */
    R32(MCUSIM_UART_PORTEN_REG) |= 1u << MCUSIM_UART_PORTEN_BIT;   /* the TX pin's GPIO port */
    /* Read back before the first access to the port: ST's errata sheets ask for a delay after
     * a peripheral clock enable (ES0182 "Delay after an RCC peripheral clock enabling"). */
    (void)R32(MCUSIM_UART_PORTEN_REG);
    /* GPIOx_MODER = 10 (alternate function) and the pin's AFRL/AFRH nibble = its AF number
     * (RM0090 8.3.2, 8.4.1, 8.4.9-8.4.10; the same GPIO on every STM32 in boards/). */
    R32(gpio + 0x00u) = (R32(gpio + 0x00u) & ~(3u << 2 * pin)) | 2u << 2 * pin;
    const uint32_t afr = gpio + 0x20u + 4u * (pin >> 3), at = 4u * (pin & 7u);
    R32(afr) = (R32(afr) & ~(0xFu << at)) | (uint32_t)MCUSIM_UART_TX_AF << at;
    /* UE off while BRR and the frame format change (v2: writable only with UE = 0, RM0432
     * 50.8.1/50.8.4); 8N1 = CR1.M and CR2.STOP at their reset 0. OVER8 = 0: BRR = fCK / baud
     * rounded (RM0090 30.3.4: mantissa and 4-bit fraction of USARTDIV x 16; RM0432 50.5.7). */
    REG(USART_CR1) = 0;
    REG(USART_BRR) = (clock_hz + baud / 2u) / baud;
    REG(USART_CR1) = CR1_UE | CR1_TE;        /* TE queues an idle frame, then data may follow */
}

#elif defined(MCUSIM_UART_KIND_NRF_UARTE)
/* The UART peripheral (legacy, one byte at a time) runs from the 16 MHz peripheral clock,
 * whatever the CPU clock (nRF52840 PS v1.7 5.4, 6.33). */
uint32_t mcusim_uart_clock_hz(void)
{
    return 16000000u;
}

void mcusim_uart_init(uint32_t clock_hz, uint32_t baud)
{
    (void)clock_hz;
    /* TXD an output driven high before the UART takes it (PS 6.33, pin configuration):
     * GPIO OUTSET 0x508, DIRSET 0x518 (6.9.2). */
    R32(MCUSIM_UART_TX_GPIO + 0x508u) = 1u << MCUSIM_UART_TX_PIN;
    R32(MCUSIM_UART_TX_GPIO + 0x518u) = 1u << MCUSIM_UART_TX_PIN;
    REG(0x50Cu) = MCUSIM_UART_TX_PIN | MCUSIM_UART_TX_PORT << 5;   /* PSEL.TXD, CONNECT = 0 */
    /* BAUDRATE = baud x 2^32 / 16 MHz, kept to 4096 steps: baud x 1024 / 15625, rounded,
     * x 4096. It gives the PS 6.33.9 table's value for every listed rate but 56000 and 921600
     * (one step, under 0.05 %). */
    REG(0x524u) = ((baud * 1024u + 15625u / 2u) / 15625u) << 12;
    REG(0x56Cu) = 0;                         /* CONFIG: no parity, one stop bit, no flow control */
    REG(0x500u) = 4;                         /* ENABLE = UART */
    REG(0x008u) = 1;                         /* TASKS_STARTTX: the transmitter stays started */
}

#elif defined(MCUSIM_UART_KIND_PL011)
/* UARTCLK is clk_peri, which mcusim's start-up runs from clk_sys at MCUSIM_CLOCK_HZ
 * (firmware/startup/clock_rp2040.c; RP2040 datasheet 2.15). */
uint32_t mcusim_uart_clock_hz(void)
{
    return MCUSIM_CLOCK_HZ;
}

void mcusim_uart_init(uint32_t clock_hz, uint32_t baud)
{
    const uint32_t mask = MCUSIM_UART_RESET_MASK, pin = MCUSIM_UART_TX_PIN;
    /* UART0, IO_BANK0 and PADS_BANK0 out of reset: RESET (clear alias +0x3000), then wait for
     * RESET_DONE (0x8) (RP2040 datasheet 2.14.3, 2.1.2). */
    R32(MCUSIM_UART_RESETS + 0x3000u) = mask;
    while ((R32(MCUSIM_UART_RESETS + 0x8u) & mask) != mask) {
    }
    /* The pad: input enable on, output disable off (PADS_BANK0 GPIOn: IE bit 6, OD bit 7,
     * 2.19.6.3); the pin's function: GPIOn_CTRL.FUNCSEL (IO_BANK0, 2.19.6.1). */
    const uint32_t pad = MCUSIM_UART_PADS_BANK + 4u + 4u * pin;
    R32(pad) = (R32(pad) & ~(1u << 7)) | 1u << 6;
    R32(MCUSIM_UART_IO_BANK + 4u + 8u * pin) = MCUSIM_UART_TX_FUNCSEL;
    /* PL011 (4.2.3.2, 4.2.8): disabled while configured; divisor = UARTCLK / (16 x baud) as
     * IBRD and FBRD (64ths, rounded); LCR_H (8 bits, FIFOs on) after them latches them; then
     * CR: UARTEN, TXE. */
    uint32_t div = (8u * clock_hz) / baud;   /* 128 x divisor */
    REG(0x30u) = 0;
    REG(0x24u) = div >> 7;
    REG(0x28u) = ((div & 0x7Fu) + 1u) / 2u;
    REG(0x2Cu) = 3u << 5 | 1u << 4;
    REG(0x30u) = 1u << 0 | 1u << 8;
}
#endif

/* The console at the board's rate; a weak definition: firmware with its own set-up (other pins,
 * clocks of its own) defines mcusim_console_init and the start-up calls that instead. */
__attribute__((weak)) void mcusim_console_init(void)
{
    mcusim_uart_init(mcusim_uart_clock_hz(), MCUSIM_UART_BAUD);
}

#endif /* MCUSIM_UART_BAUD */

void mcusim_uart_putc(char c)
{
#if defined(MCUSIM_UART_KIND_STM32_USART_V1) || defined(MCUSIM_UART_KIND_STM32_USART_V2)
    /* USART_SR / USART_ISR: TXE (bit 7) set when the data register can take a byte
     * (RM0090 30.6.1; RM0432 50.8.8). */
    while (!(REG(MCUSIM_UART_STATUS) & (1u << 7))) {
    }
    REG(MCUSIM_UART_DATA) = (uint8_t)c;
#elif defined(MCUSIM_UART_KIND_NRF_UARTE)
    /* Legacy UART, started by mcusim_uart_init: write TXD, wait for EVENTS_TXDRDY, clear it
     * (nRF52840 PS v1.7 6.33). */
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
