/* printf-style tracing through ITM stimulus port 0, as CMSIS ITM_SendChar does. */
#include <stdint.h>

#define ITM_PORT0_U8 (*(volatile uint8_t *)0xE0000000u)
#define ITM_PORT0_U32 (*(volatile uint32_t *)0xE0000000u)
#define ITM_TER (*(volatile uint32_t *)0xE0000E00u)
#define ITM_TCR (*(volatile uint32_t *)0xE0000E80u)

static void itm_putc(char c)
{
    while (ITM_PORT0_U32 == 0) {
    }
    ITM_PORT0_U8 = (uint8_t)c;
}

int main(void)
{
    ITM_TCR |= 1;
    ITM_TER |= 1;
    for (const char *s = "itm: hello\n"; *s; s++)
        itm_putc(*s);
    return 0;
}
