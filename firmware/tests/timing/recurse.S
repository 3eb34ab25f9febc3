@ Recursion with a conditional return (IT EQ; BXEQ LR): rec(3) calls rec(2) ... rec(0), which
@ returns from the middle of its first block. For the profiler's call-tree tests.
    .syntax unified
    .thumb
    .text
    .global _start, done
    .type _start, %function
_start:
    movs r0, #3
    bl rec
done:
    b done
    .type rec, %function
rec:
    cmp r0, #0
    it eq
    bxeq lr
    push {lr}
    subs r0, #1
    bl rec
    pop {pc}
    .size _start, done-_start
    .size rec, .-rec
