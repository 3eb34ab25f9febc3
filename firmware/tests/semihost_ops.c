/* Calls semihosting operations directly (BKPT 0xAB) and prints what they return.
 * -DBAD_OP=n ends with an unsupported operation; otherwise it ends with the legacy SYS_EXIT
 * (reason ADP_Stopped_ApplicationExit in r1, no status: exit 0). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint32_t sh(uint32_t op, const void *arg)
{
    register uint32_t r0 __asm("r0") = op;
    register const void *r1 __asm("r1") = arg;
    __asm volatile("bkpt #0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

int main(void)
{
    const char *feat = ":semihosting-features";
    uint32_t open_args[3] = {(uint32_t)feat, 0, (uint32_t)strlen(feat)};
    uint32_t h = sh(0x01, open_args);
    uint32_t len = sh(0x0C, &h);
    uint8_t buf[8] = {0};
    uint32_t read_args[3] = {h, (uint32_t)buf, 5};
    uint32_t left = sh(0x06, read_args);
    sh(0x02, &h);
    printf("features len %lu left %lu magic %.4s bits %u\n", (unsigned long)len,
           (unsigned long)left, buf, buf[4]);

    uint32_t tt_args[3] = {(uint32_t)":tt", 4, 3};
    uint32_t tt = sh(0x01, tt_args);
    printf("istty %lu\n", (unsigned long)sh(0x09, &tt));
    printf("tickfreq %lu\n", (unsigned long)sh(0x31, 0));
    uint32_t ticks[2] = {0, 0};
    sh(0x30, ticks);
    printf("elapsed>0 %d\n", ticks[0] > 0 || ticks[1] > 0);
    uint32_t heap[4];
    uint32_t *heap_ptr = heap;
    sh(0x16, &heap_ptr);
    printf("heap base<limit %d stack_base>limit %d\n", heap[0] < heap[1], heap[2] > heap[3]);
    char cmd[64];
    uint32_t cmd_args[2] = {(uint32_t)cmd, sizeof cmd};
    sh(0x15, cmd_args);
    printf("cmdline %s\n", cmd);
    fflush(stdout);
#ifdef BAD_OP
    sh(BAD_OP, 0);
#endif
    sh(0x18, (const void *)0x20026);
    return 99; /* not reached */
}
