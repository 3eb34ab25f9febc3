/* High-water marks: writes the first 1000 bytes of a 4 KB arena (in .bss, zeroed by start-up),
 * byte 99 of a watched buffer, and allocates 10000 bytes from the heap. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

uint8_t tensor_arena[4096];
uint8_t scratch[256];
volatile uint8_t *keep;
#ifdef BIG_BSS
uint8_t big[BIG_BSS];                  /* -DBIG_BSS=n: a .bss larger than some boards' RAM */
#endif

int main(void)
{
    memset(tensor_arena, 0, 1000);     /* zeros: still counted, the paint is not zero */
    scratch[99] = 1;
    keep = malloc(10000);
    keep[9999] = 7;
#ifdef BIG_BSS
    big[BIG_BSS - 1] = 1;
#endif
    return 0;
}
