/* Faults, one per FAULT_KIND, with their own vector table (no C start-up, -nostdlib):
 * 1 read of an unmapped address, 2 undefined instruction, 3 jump to a non-Thumb address,
 * 4 write to flash, 5 read of a peripheral mcusim does not model (STM32F4 reserved block),
 * 6 WFI with no interrupt to wake the core (a hang), 7 SVC with no SVCall entry in this table,
 * 8 POP {pc} of an address with bit 0 clear, 9 a return to an EXC_RETURN value (0xFFFFFFFF, the LR
 * a reset leaves) with no exception active. Each faults inside `culprit`, called from Reset_Handler. */
    .syntax unified
    .thumb

    .section .isr_vector, "a"
    .word _estack
    .word Reset_Handler

    .text
    .global Reset_Handler
    .thumb_func
    .type Reset_Handler, %function
Reset_Handler:
    movs r0, #1
    bl culprit
    b .
    .size Reset_Handler, . - Reset_Handler

    .thumb_func
    .type culprit, %function
culprit:
    push {r4, lr}
#if FAULT_KIND == 1
    ldr r1, =0x90000000          /* nothing is mapped there on any board (external memory
                                    space, no register block in any board's SVD) */
    ldr r0, [r1]
#elif FAULT_KIND == 2
    udf #7
#elif FAULT_KIND == 3
    ldr r1, =target              /* Thumb bit clear: an Arm-state address */
    bx r1
#elif FAULT_KIND == 4
    ldr r1, =Reset_Handler
    str r0, [r1]
#elif FAULT_KIND == 5
    ldr r1, =0x40007C00          /* reserved on STM32F405/407 (RM0090 rev 19, Table 1; UART7 on
                                    F42x): neither modelled nor in the STM32F41x SVD */
    ldr r0, [r1]
#elif FAULT_KIND == 6
    wfi
#elif FAULT_KIND == 7
    svc #0
#elif FAULT_KIND == 8
    ldr r1, =target
    push {r1}
    pop {pc}
#elif FAULT_KIND == 9
    mvn r1, #0                   /* 0xFFFFFFFF: what LR holds after reset */
    bx r1
#endif
    pop {r4, pc}
    .size culprit, . - culprit
    .align 2
target:
    nop
    nop
