@ Placement independence (docs/cost-model.md "Block boundaries"): the same loop placed PAD
@ bytes after a 1 KB boundary (build with -DPAD=...; the padding is never executed). Unicorn
@ ends a block at every 1 KB guest page, so with PAD = 512 or 768 the loop body (768 bytes)
@ runs as two blocks; real silicon does not see the split, and neither may the cycle count.
@ Every unit ends with an instruction the next unit's first one interacts with (an ALU write of
@ the base register before a load: M3/M4/M33 address-generation stall, M7 issue), and loads,
@ stores and a multiply in between (load pipelining, load-use stalls, pairing). Thumb-1 only:
@ it assembles for every core. PAD stays a multiple of 64: cache-line alignment is the same.
    .syntax unified
    .thumb
    .text
    .global _start, done, kernel
    .type _start, %function
#ifndef PAD
#define PAD 0
#endif
_start:
    movs r0, #0x20
    lsls r0, r0, #24            @ r0 = 0x20000000 (SRAM on every board used)
    movs r3, #0
    movs r4, #0
    movs r6, #3
    movs r7, #20                @ iterations
    b kernel
    .balign 1024
    .space PAD                  @ never executed
kernel:
1:
    .rept 48
    ldr r1, [r0]
    ldr r2, [r0, #4]
    adds r3, r3, r1
    adds r4, r4, r2
    str r3, [r0, #8]
    ldr r5, [r0, #12]
    muls r5, r6, r5
    adds r0, r0, #0             @ writes the base the next unit's first load uses
    .endr
    subs r7, r7, #1
    beq done
    b 1b
done:
    b done
    .size _start, done-_start
