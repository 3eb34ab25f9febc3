@ Calibration sequences in ARMv6-M Thumb: they assemble for every core (M0+, M4, M33, M7).
@ Each `seq_NAME` macro is one sequence of catalogue.toml (published cycle counts and their sources
@ are there); an optional `setup_NAME` runs before the timed region. tests/calibration_support.py
@ wraps a macro in a program whose common set-up leaves:
@   r0 = B = 0x20000100 (SRAM, 8-byte aligned), r6 = B + 0x40, r7 = B + 0x80,
@   r1 = 1, r2 = 2, r3 = 8, r4 = 4, r5 = 5; the words at B, B+4, B+8, B+12, B+0x40, B+0x44,
@   B+0x80 hold B (a valid pointer); Z flag set.
@ A straight sequence is timed as (cycles with it) - (cycles without it); a loop sequence uses
@ r7 as its counter, ITER iterations, and is timed per iteration from two values of ITER.

.macro seq_alu5
    adds r1, #1
    subs r2, #1
    eors r1, r2
    lsls r3, #2
    movs r4, #5
.endm

.macro seq_ldr
    ldr r1, [r0]
.endm

@ Cortex-M4 TRM §3.3.2 example "LDR R0,[R1]; LDR R1,[R2]" with R0..R2 -> r5, r6, r7
.macro seq_ldr_ldr_trm
    ldr r5, [r6]
    ldr r6, [r7]
.endm

@ Cortex-M4 TRM §3.3.2 example "LDR R0,[R1,R5]; LDR R1,[R2]; LDR R2,[R3,#4]"
@ with R0, R1, R2, R3, R5 -> r5, r0, r6, r7, r4 ([r0, r4] = B+4)
.macro seq_ldr_x3_trm
    ldr r5, [r0, r4]
    ldr r0, [r6]
    ldr r6, [r7, #4]
.endm

.macro seq_str
    str r1, [r0, #4]
.endm

.macro seq_str_str
    str r1, [r0]
    str r2, [r0, #4]
.endm

@ Cortex-M4 TRM §3.3.2 example "LDR R0,[R1,R2]; STR R0,[R3,#20]" with R0..R3 -> r5, r0, r4, r6
.macro seq_ldr_str_trm
    ldr r5, [r0, r4]
    str r5, [r6, #20]
.endm

@ Cortex-M4 TRM §3.3.2 example "LDR R0,[R1,R2]; STR R1,[R3,R2]" with R0..R3 -> r5, r0, r4, r6
.macro seq_ldr_str_regoff_trm
    ldr r5, [r0, r4]
    str r0, [r6, r4]
.endm

@ jnk0le "stores": an immediate-offset store after a load
.macro seq_ldr_str
    ldr r1, [r0]
    str r2, [r0, #4]
.endm

.macro seq_str_ldr
    str r2, [r0]
    ldr r1, [r0, #4]
.endm

.macro seq_str_regoff
    str r2, [r0, r3]
.endm

.macro seq_ldr_nop
    ldr r1, [r0]
    nop
.endm

.macro seq_load_use
    ldr r1, [r0]
    adds r2, r1, #1
.endm

.macro seq_byte_load_use
    ldrb r1, [r0]
    adds r2, r1, #1
.endm

@ the address comes from the data-processing instruction just before
.macro seq_agu_stall
    adds r5, r0, #4
    ldr r1, [r5]
.endm

.macro seq_ldm4
    ldm r0!, {r1-r4}
.endm

.macro seq_stm3
    stm r0!, {r1-r3}
.endm

.macro seq_push_pop4
    push {r4-r7}
    pop {r4-r7}
.endm

.macro seq_bcc_taken
    cmp r0, r0
    beq 2f
    nop
2:
.endm

.macro seq_bcc_not_taken
    cmp r0, r0
    bne 2f
2:
.endm

.macro seq_bl_bx
    bl 3f
    b 4f
3:  bx lr
4:
.endm

.macro seq_pop_pc
    bl 3f
    b 4f
3:  push {r4, lr}
    pop {r4, pc}
4:
.endm

.macro seq_b
    b 2f
    nop
2:
.endm

@ MOV PC, Rm to the next instruction (`done`, where the run stops)
.macro setup_mov_pc
    ldr r5, =done
.endm
.macro seq_mov_pc
    mov pc, r5
.endm

.macro seq_muls
    muls r1, r2, r1
.endm

.macro seq_dmb
    dmb
.endm

.macro seq_mrs
    mrs r1, primask
.endm

@ loops (r7 = ITER iterations)
.macro seq_loop_subs_bne
    movs r7, #ITER
2:  subs r7, #1
    bne 2b
.endm

@ jnk0le cortex_m33.md: "subs r7, #1; add r0, r1 (must be .n); bne 1b // 1 cycle taken"
.macro seq_loop_paired_bne
    movs r7, #ITER
2:  subs r7, #1
    add r0, r1
    bne 2b
.endm

@ jnk0le cortex_m33.md: "subs r7, #1; ldmia r6!, {r0-r3} // 4 cycles; bne 1b // 1 cycle taken"
.macro seq_loop_ldm_bne
    movs r7, #ITER
2:  subs r7, #1
    ldmia r6!, {r0-r3}
    bne 2b
.endm
