/* What the simulator must never paint (tests/test_memory.py): a table of function pointers in
 * flash whose name contains "arena" (the C analogue of a C++ vtable for an ArenaAllocator), and
 * a RAM buffer a constructor fills before main. The program checks both are intact and exits
 * with 0, or with the number of the check that failed. */
#include <stdint.h>
#include <string.h>

struct arena_ops {
    int (*alloc)(int);
    int (*release)(int);
};

static int do_alloc(int n) { return n + 1; }
static int do_release(int n) { return n - 1; }

/* In .rodata (flash): painting it would make the calls below jump to the paint. */
const struct arena_ops vtable_for_ArenaBufferAllocator = { do_alloc, do_release };

uint8_t ctor_arena[64];            /* .bss, filled by a constructor before main */
uint8_t main_arena[64];            /* .bss, written by main only */

__attribute__((constructor)) static void fill_ctor_arena(void)
{
    memset(ctor_arena, 0x5A, sizeof ctor_arena);
}

int main(void)
{
    const struct arena_ops *volatile ops = &vtable_for_ArenaBufferAllocator;
    if (ops->alloc(1) != 2 || ops->release(2) != 1)
        return 1;
    for (unsigned i = 0; i < sizeof ctor_arena; i++)
        if (ctor_arena[i] != 0x5A)
            return 2;
    memset(main_arena, 1, 40);
    return 0;
}
