@ Two word streams from two tables in flash, read alternately in one loop: a one-line flash
@ buffer thrashes (every read misses); a cache of several lines holds both streams.
    .syntax unified
    .thumb
    .text
    .global _start, done
    .type _start, %function
_start:
    ldr r0, =tab_a
    ldr r1, =tab_b
    movs r2, #64
    movs r4, #0
1:  ldr r3, [r0], #4
    ldr r5, [r1], #4
    add r4, r3
    add r4, r5
    subs r2, #1
    bne 1b
done:
    b done
    .ltorg
    .size _start, done-_start
    .align 4
tab_a:
    .rept 64
    .word 1
    .endr
tab_b:
    .rept 64
    .word 2
    .endr
