/* Registers no mcusim device models, backed by the board's SVD register file: SPI1's reset
 * values, a write that sticks (the CRC polynomial register) and a write to a read-only register
 * that does not. Prints "name=value" lines; tests/test_svd.py checks them against the
 * reference manual. */
#include <stdint.h>
#include <stdio.h>

#define SPI1 0x40013000u   /* SPI1 base on STM32F4 (RM0090), STM32G0 (RM0444), STM32U5 (RM0456) */
#define REG(off) (*(volatile uint32_t *)(SPI1 + (off)))

#if defined(MCUSIM_BOARD_STM32U575)
/* SPI v3: SPI_CFG1, SPI_SR, SPI_CRCPOLY (RM0456, SPI registers) */
static const struct { const char *name; uint32_t off; } reset_regs[] = {
    {"CFG1", 0x08}, {"SR", 0x14}, {"CRCPOLY", 0x40}};
#define CRC_REG 0x40u       /* SPI_CRCPOLY: read-write */
#define RO_REG 0x14u        /* SPI_SR: read-only */
#elif defined(MCUSIM_BOARD_STM32G0B1)
static const struct { const char *name; uint32_t off; } reset_regs[] = {
    {"CR2", 0x04}, {"SR", 0x08}, {"CRCPR", 0x10}};
#define CRC_REG 0x10u       /* SPIx_CRCPR: read-write */
#define RO_REG 0x14u        /* SPIx_RXCRCR: read-only */
#else   /* STM32F4 */
static const struct { const char *name; uint32_t off; } reset_regs[] = {
    {"SR", 0x08}, {"CRCPR", 0x10}};
#define CRC_REG 0x10u
#define RO_REG 0x14u
#endif

int main(void)
{
    for (unsigned i = 0; i < sizeof reset_regs / sizeof reset_regs[0]; i++)
        printf("reset %s=%08lx\n", reset_regs[i].name, (unsigned long)REG(reset_regs[i].off));
    REG(CRC_REG) = 0x1021u;                 /* CRC-16-CCITT polynomial */
    printf("written crc=%08lx\n", (unsigned long)REG(CRC_REG));
    REG(RO_REG) = 0xFFFFFFFFu;
    printf("written ro=%08lx\n", (unsigned long)REG(RO_REG));
    return 0;
}
