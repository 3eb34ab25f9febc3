@ Function-call program for the profiler tests: main calls leaf 3 times and mid once;
@ mid calls leaf once. Ends at `done` (the test's stop address).
    .syntax unified
    .thumb
    .text
    .global _start, main, leaf, mid, done
    .type _start, %function
_start:
    ldr r0, =0x20001000
    mov sp, r0
    bl main
done:
    b done
    .type main, %function
main:
    push {r4, lr}
    movs r4, #3
1:  bl leaf
    subs r4, r4, #1
    bne 1b
    bl mid
    pop {r4, pc}
    .type mid, %function
mid:
    push {lr}
    bl leaf
    pop {pc}
    .type leaf, %function
leaf:
    movs r0, #10
2:  subs r0, r0, #1
    bne 2b
    bx lr
    .ltorg
    .size _start, done-_start
    .size main, mid-main
    .size mid, leaf-mid
    .size leaf, .-leaf
