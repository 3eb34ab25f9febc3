/* Blink an LED pin EDGES times, one edge per timer period, by polling the timer's flag (no
 * interrupts): STM32 TIM2 update (UIF), nRF52 TIMER0 COMPARE[0] with the CLEAR shortcut,
 * RP2040 TIMER alarm 0 re-armed PERIOD_US ahead. The waveform (--vcd) must show the pin's edges
 * one period apart: PERIOD timer clocks (STM32: the APB1 timer clock, PSC = 0), PERIOD
 * timer ticks at 16 MHz (nRF52, PRESCALER 0), PERIOD_US microseconds (RP2040). */
#include <stdint.h>
#include <stdio.h>

#include "gpio_timer_regs.h"

#define EDGES 8u
#ifndef PERIOD
#define PERIOD 1000u
#endif
#define PERIOD_US 50u

int main(void)
{
#if defined(MCUSIM_BOARD_STM32F4) || defined(MCUSIM_BOARD_STM32U575)
    RCC_GPIO_EN |= 1u;                                   /* GPIOA clock */
    RCC_APB1_EN |= 1u;                                    /* TIM2 clock */
    GPIO_MODER(GPIOA_BASE) = (GPIO_MODER(GPIOA_BASE) & ~(3u << 10)) | (1u << 10);   /* PA5 out */
    TIM_PSC = 0;
    TIM_ARR = PERIOD - 1u;
    TIM_EGR = TIM_EGR_UG;                                /* load PSC, CNT = 0 */
    TIM_SR = 0;
    TIM_CR1 = TIM_CR1_CEN;
    for (unsigned i = 0; i < EDGES; i++) {
        while (!(TIM_SR & TIM_SR_UIF)) {
        }
        TIM_SR = ~TIM_SR_UIF;
        GPIO_BSRR(GPIOA_BASE) = (GPIO_ODR(GPIOA_BASE) & (1u << 5)) ? (1u << 21) : (1u << 5);
    }
    TIM_CR1 = 0;
#elif defined(MCUSIM_BOARD_NRF52840)
    NRF_P0_DIRSET = 1u << 13;                            /* P0.13: LED1 on the nRF52840-DK */
    NRF_P0_OUTSET = 1u << 13;                            /* LEDs are active low: off */
    NRF_TIMER_PRESCALER = 0;                             /* 16 MHz */
    NRF_TIMER_BITMODE = 3;                               /* 32 bit */
    NRF_TIMER_CC0 = PERIOD;
    NRF_TIMER_SHORTS = 1u;                               /* COMPARE[0] -> CLEAR */
    NRF_TIMER_START = 1;
    for (unsigned i = 0; i < EDGES; i++) {
        while (!NRF_TIMER_COMPARE0) {
        }
        NRF_TIMER_COMPARE0 = 0;
        if (NRF_P0_OUT & (1u << 13))
            NRF_P0_OUTCLR = 1u << 13;
        else
            NRF_P0_OUTSET = 1u << 13;
    }
    NRF_TIMER_STOP = 1;
#elif defined(MCUSIM_BOARD_RP2040)
    RP_IO_GPIO_CTRL(25) = RP_FUNCSEL_SIO;                /* the pin to SIO, as gpio_init */
    SIO_GPIO_OE_SET = 1u << 25;                          /* GPIO25: the Pico's LED */
    uint32_t target = RP_TIMER_RAWL + PERIOD_US;
    for (unsigned i = 0; i < EDGES; i++) {
        RP_TIMER_ALARM0 = target;
        while (!(RP_TIMER_INTR & 1u)) {
        }
        RP_TIMER_INTR = 1u;                              /* write 1 to clear */
        SIO_GPIO_OUT_XOR = 1u << 25;
        target += PERIOD_US;
    }
#else
#error "gpio_blink.c: no pin and timer for this board"
#endif
    printf("blinked %u edges\n", EDGES);
    return 0;
}
