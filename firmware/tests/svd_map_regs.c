/* Registers of the hand-written register maps (boards/svd/*.toml) on the boards no package
 * carries an SVD for: one reset value per board, a write that sticks, a write that read-only or
 * reserved bits ignore, and on the RP2040 the atomic aliases and narrow-write replication.
 * Prints "name=value" lines; tests/test_svd.py checks them against the reference manuals. */
#include <stdint.h>
#include <stdio.h>

#define REG(addr) (*(volatile uint32_t *)(addr))

static void show(const char *name, uint32_t value)
{
    printf("%s=%08lx\n", name, (unsigned long)value);
}

int main(void)
{
#if defined(MCUSIM_BOARD_STM32F746)
    /* SYSCFG 0x40013800, EXTI 0x40013C00 (RM0385) */
    show("reset EXTI_IMR", REG(0x40013C00u));
    show("reset SYSCFG_MEMRMP", REG(0x40013800u));
    REG(0x40013808u) = 0xFFFFFFFFu;                 /* SYSCFG_EXTICR1: 16 bits writable */
    show("written EXTICR1", REG(0x40013808u));
    REG(0x40013C00u) = 0x00002000u;                 /* EXTI_IMR: unmask line 13 */
    show("written EXTI_IMR", REG(0x40013C00u));
#elif defined(MCUSIM_BOARD_STM32H743)
    /* DBGMCU 0x5C001000, FMC 0x52004000, SYSCFG 0x58000400 (RM0433) */
    show("reset DBGMCU_IDC", REG(0x5C001000u));
    show("reset FMC_BCR1", REG(0x52004000u));
    REG(0x52004000u) = 0x000030D2u;                 /* what ST's SystemInit writes */
    show("written FMC_BCR1", REG(0x52004000u));
    REG(0x5C001000u) = 0u;                          /* DBGMCU_IDC is read-only */
    show("written DBGMCU_IDC", REG(0x5C001000u));
    REG(0x58000408u) = 0x00002000u;                 /* SYSCFG_EXTICR1: EXTI3 = port C */
    show("written EXTICR1", REG(0x58000408u));
#elif defined(MCUSIM_BOARD_STM32L4R5)
    /* SYSCFG 0x40010000, EXTI 0x40010400 (RM0432) */
    show("reset SYSCFG_CFGR1", REG(0x40010004u));
    show("reset EXTI_IMR1", REG(0x40010400u));
    REG(0x40010008u) = 0x00008000u;                 /* SYSCFG_EXTICR1: EXTI3 = port I */
    show("written EXTICR1", REG(0x40010008u));
    REG(0x40010420u) = 0u;                          /* EXTI_IMR2: only IM32-IM40 writable */
    show("written EXTI_IMR2", REG(0x40010420u));
#elif defined(MCUSIM_BOARD_RP2040)
    /* PADS_BANK0 0x4001C000, TBMAN 0x4006C000, IO_BANK0 0x40014000 (RP2040 datasheet) */
    show("reset PADS_GPIO0", REG(0x4001C004u));
    show("reset TBMAN_PLATFORM", REG(0x4006C000u));
    REG(0x4001C004u + 0x1000u) = 0xC0u;             /* XOR alias: OD on, IE off */
    show("xor PADS_GPIO0", REG(0x4001C004u));
    REG(0x4001C004u + 0x2000u) = 0x01u;             /* set alias: SLEWFAST */
    show("set PADS_GPIO0", REG(0x4001C004u));
    REG(0x4001C004u + 0x3000u) = 0x04u;             /* clear alias: PDE */
    show("clear PADS_GPIO0", REG(0x4001C004u));
    *(volatile uint8_t *)0x40014004u = 0x12u;       /* byte store to IO_BANK0 GPIO0_CTRL */
    show("byte GPIO0_CTRL", REG(0x40014004u));
#else
#error "svd_map_regs.c: a board with a hand-written register map (stm32f746, stm32h743, stm32l4r5, rp2040)"
#endif
    return 0;
}
