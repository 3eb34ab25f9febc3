@ A semihosting-style BKPT 0xAB in the middle of a straight-line block: the profiler must count
@ the block's instructions once although the rest of the block runs again after the trap.
    .syntax unified
    .thumb
    .text
    .global _start, done
    .type _start, %function
_start:
    movs r0, #1
    movs r1, #2
    bkpt 0xab
    adds r0, r0, r1
    adds r0, r0, r1
    movs r2, #5
1:  subs r2, #1
    bne 1b
done:
    b done
    .size _start, done-_start
