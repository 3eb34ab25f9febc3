/* Register addresses of the GPIO ports, counting timers and console UART the gpio/timer tests
 * use, written from the reference manuals (the same figures as boards/<board>.toml cites). */
#ifndef GPIO_TIMER_REGS_H
#define GPIO_TIMER_REGS_H

#include <stdint.h>

#define REG32(addr) (*(volatile uint32_t *)(addr))

/* STM32 RCC enables (RM0090 7.3.10 AHB1ENR, 7.3.13 APB1ENR; RCC at 0x46020C00 on the U575, RM0456 11.8.31 AHB2ENR1, 11.8.34
 * APB1ENR1): the chips gate each peripheral's clock until it is enabled. */
#if defined(MCUSIM_BOARD_STM32F4)
#define RCC_GPIO_EN REG32(0x40023830u)          /* AHB1ENR, GPIOAEN = bit 0 */
#define RCC_APB1_EN REG32(0x40023840u)           /* APB1ENR: TIM2EN bit 0, USART2EN bit 17 */
#define GPIOA_BASE 0x40020000u
#elif defined(MCUSIM_BOARD_STM32U575)
#define RCC_GPIO_EN REG32(0x46020C8Cu)          /* AHB2ENR1, GPIOAEN = bit 0 */
#define RCC_APB1_EN REG32(0x46020C9Cu)           /* APB1ENR1, TIM2EN = bit 0 */
#define GPIOA_BASE 0x42020000u
#endif

/* STM32 GPIO port (RM0090 8.4) */
#define GPIO_MODER(p) REG32((p) + 0x00u)
#define GPIO_ODR(p) REG32((p) + 0x14u)
#define GPIO_BSRR(p) REG32((p) + 0x18u)

/* STM32 TIM2 (RM0090 18.4) */
#define TIM2_BASE 0x40000000u
#define TIM_CR1 REG32(TIM2_BASE + 0x00u)
#define TIM_DIER REG32(TIM2_BASE + 0x0Cu)
#define TIM_SR REG32(TIM2_BASE + 0x10u)
#define TIM_EGR REG32(TIM2_BASE + 0x14u)
#define TIM_CNT REG32(TIM2_BASE + 0x24u)
#define TIM_PSC REG32(TIM2_BASE + 0x28u)
#define TIM_ARR REG32(TIM2_BASE + 0x2Cu)
#define TIM_CR1_CEN (1u << 0)
#define TIM_SR_UIF (1u << 0)
#define TIM_DIER_UIE (1u << 0)
#define TIM_EGR_UG (1u << 0)

/* nRF52840 P0 (PS v1.7 6.9.2) and TIMER0 (6.30.5) */
#define NRF_P0_OUTSET REG32(0x50000508u)
#define NRF_P0_OUTCLR REG32(0x5000050Cu)
#define NRF_P0_OUT REG32(0x50000504u)
#define NRF_P0_DIRSET REG32(0x50000518u)
#define NRF_TIMER0 0x40008000u
#define NRF_TIMER_START REG32(NRF_TIMER0 + 0x000u)
#define NRF_TIMER_STOP REG32(NRF_TIMER0 + 0x004u)
#define NRF_TIMER_CLEAR REG32(NRF_TIMER0 + 0x00Cu)
#define NRF_TIMER_COMPARE0 REG32(NRF_TIMER0 + 0x140u)
#define NRF_TIMER_SHORTS REG32(NRF_TIMER0 + 0x200u)
#define NRF_TIMER_INTENSET REG32(NRF_TIMER0 + 0x304u)
#define NRF_TIMER_BITMODE REG32(NRF_TIMER0 + 0x508u)
#define NRF_TIMER_PRESCALER REG32(NRF_TIMER0 + 0x510u)
#define NRF_TIMER_CC0 REG32(NRF_TIMER0 + 0x540u)

/* RP2040 SIO (datasheet 2.3.1.7) and TIMER (4.6.5) */
#define SIO_GPIO_OUT_XOR REG32(0xD000001Cu)
#define SIO_GPIO_OE_SET REG32(0xD0000024u)
/* IO_BANK0 GPIOn_CTRL (datasheet 2.19.6.1): FUNCSEL 5 = SIO (2.19.2) */
#define RP_IO_GPIO_CTRL(n) REG32(0x40014004u + 8u * (n))
#define RP_FUNCSEL_SIO 5u
#define RP_TIMER 0x40054000u
#define RP_TIMER_ALARM0 REG32(RP_TIMER + 0x10u)
#define RP_TIMER_RAWL REG32(RP_TIMER + 0x28u)
#define RP_TIMER_INTR REG32(RP_TIMER + 0x34u)
#define RP_TIMER_INTE REG32(RP_TIMER + 0x38u)

#endif
