@ Not-taken conditional branches in straight code (docs/cost-model.md "Block boundaries"): each
@ ends a simulated block, but the core runs on through them with its pipeline state, so the
@ run must cost what the same instructions cost as one block. None of the branches is taken
@ (r2 = 0); their targets lie past `done`, where the run stops. Interactions across them: a
@ load's result used after the branch (M7 latency, M33 load-use), a byte load (M7 latency 2),
@ an IT after an unpaired 16-bit branch (M33 pairing), a product used as an address (M7).
    .syntax unified
    .thumb
    .text
    .global _start, done
    .type _start, %function
_start:
    movs r0, #0x20
    lsls r0, r0, #24            @ r0 = 0x20000000
    movs r2, #0
    movs r4, #0
    .rept 4
    ldr r1, [r0]
    cmp r2, #0
    bne 9f                      @ not taken
    adds r4, r4, r1
    ldrb r5, [r0, #1]
    cmp r2, #1
    beq 9f                      @ not taken
    adds r6, r5, r4
    ldr r1, [r0, #4]
    cmp r2, #2
    beq 9f                      @ not taken
    ldr r3, [r0]
    adds r4, r4, r3
    muls r5, r2, r5             @ r5 = 0 (r2 = 0): a multiply's result (M7: latency 2)
    cmp r2, #1
    beq 9f                      @ not taken
    ldr r3, [r0, r5]            @ its address needs the product early (M7)
#if __ARM_ARCH_ISA_THUMB == 2
    cmp.w r2, #0
    bne.n 9f                    @ not taken; after a 32-bit instruction: not paired (M33)
    it eq
    addeq r4, r4, #1
    mul r5, r1, r5
    cmp r2, #1
    beq.n 9f                    @ not taken
    mla r6, r5, r1, r6
#endif
    .endr
done:
    b done
9:  b 9b
    .size _start, done-_start
