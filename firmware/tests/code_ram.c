/* nRF52 Code RAM: the Data RAM (0x20000000) seen again on the code bus at 0x00800000 (nRF52840
 * PS v1.7, section 4.2). Writes through one address are read through the other, and a routine
 * written into RAM through the data address runs from its Code RAM address. Exit status: the
 * number of checks that failed. */
#include <stdint.h>
#include <stdio.h>

#define DATA_RAM 0x20000000u
#define CODE_RAM 0x00800000u

static volatile uint32_t word = 0x12345678u;
static uint16_t routine[4] __attribute__((aligned(4)));

static uintptr_t code_address(const volatile void *p)
{
    return (uintptr_t)p - DATA_RAM + CODE_RAM;
}

int main(void)
{
    int bad = 0;
    volatile uint32_t *alias = (volatile uint32_t *)code_address(&word);
    bad += *alias != 0x12345678u;                /* written at start-up, read via Code RAM */
    *alias = 0xCAFEF00Du;
    bad += word != 0xCAFEF00Du;                  /* written via Code RAM, read via Data RAM */
    routine[0] = 0x202A;                         /* movs r0, #42 */
    routine[1] = 0x4770;                         /* bx lr */
    __asm__ volatile("dsb\n isb" ::: "memory");
    int (*fn)(void) = (int (*)(void))(code_address(routine) | 1u);
    int got = fn();
    bad += got != 42;
    printf("code ram: alias read %s, write %s, routine returned %d\n",
           bad ? "checked" : "ok", word == 0xCAFEF00Du ? "ok" : "bad", got);
    return bad;
}
