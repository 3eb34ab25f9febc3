/* Bit-band aliases (STM32F4: RM0090 2.3.3; Cortex-M4 TRM 3.7): a word in the alias region is
 * one bit of the SRAM or peripheral word it maps; alias = base + byte offset * 32 + bit * 4.
 * Vendor HAL code sets RCC_CR.PLLON, PWR_CR.DBP... this way. Exits 0 when every check holds,
 * else the number of the failing check. */
#include <stdint.h>

#define BB_SRAM(addr, bit) \
    (*(volatile uint32_t *)(0x22000000u + ((uint32_t)(addr) - 0x20000000u) * 32u + (bit) * 4u))
#define BB_PERIPH(addr, bit) \
    (*(volatile uint32_t *)(0x42000000u + ((uint32_t)(addr) - 0x40000000u) * 32u + (bit) * 4u))
#define RCC_CR 0x40023800u              /* RM0090 7.3.1: HSION bit 0, HSEON bit 16 */
#define RCC_CR_REG (*(volatile uint32_t *)RCC_CR)

volatile uint32_t word = 0x00F0u;

int main(void)
{
    BB_SRAM(&word, 0) = 1;                    /* set bit 0 */
    BB_SRAM(&word, 4) = 0;                    /* clear bit 4 */
    if (word != 0x00E1u)
        return 1;
    if (BB_SRAM(&word, 5) != 1 || BB_SRAM(&word, 4) != 0)
        return 2;
    BB_SRAM((uintptr_t)&word + 3, 7) = 1;     /* bit 31 through byte 3 */
    if (word != 0x800000E1u)
        return 3;
    BB_PERIPH(RCC_CR, 16) = 1;                /* HSEON through the alias, as HAL does */
    if (!(RCC_CR_REG & (1u << 16)) || BB_PERIPH(RCC_CR, 16) != 1)
        return 4;
    BB_PERIPH(RCC_CR, 16) = 0;
    if (RCC_CR_REG & (1u << 16))
        return 5;
    return 0;
}
