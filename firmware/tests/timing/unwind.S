@ Tail call and longjmp-style unwinding for the profiler tests.
@ main calls f; f tail-calls g (b g); g returns straight to main. main then calls h; h calls k;
@ k jumps back to main's return address after `bl h` (r5), skipping h's epilogue, as longjmp does.
    .syntax unified
    .thumb
    .text
    .global _start, done
    .type _start, %function
_start:
    bl main
done:
    b done
    .type main, %function
main:
    push {r4, lr}
    bl f
    adr r5, after_h + 1
    mov r6, sp
    bl h
after_h:
    mov sp, r6
    movs r0, #1
    pop {r4, pc}
    .type f, %function
f:
    movs r1, #1
    b g
    .type g, %function
g:
    movs r2, #2
    bx lr
    .type h, %function
h:
    push {r4, lr}
    bl k
    pop {r4, pc}
    .type k, %function
k:
    push {lr}
    movs r3, #3
    bx r5
    .size _start, done-_start
    .size main, f-main
    .size f, g-f
    .size g, h-g
    .size h, k-h
    .size k, .-k
