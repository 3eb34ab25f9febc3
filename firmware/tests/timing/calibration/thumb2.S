@ Calibration sequences that need ARMv7-M/ARMv8-M mainline Thumb-2 (M4, M33, M7).
@ Same conventions as v6m.S (registers after the common set-up, seq_/setup_ macros, loops
@ counting r7 or r9 down from ITER); published counts and sources are in catalogue.toml.

@ jnk0le/random "pipeline cycle test/CM3_pipetest_tmpl.S" (the M3/M4 template loop as published:
@ 17 NOP.W, SUBS.W, BNE.W back to a word-aligned 32-bit instruction). The loop head is
@ word-aligned: the macro starts word-aligned and MOVS.W is 4 bytes.
.macro seq_template_m3m4
    movs.w r9, #ITER
2:  .rept 17
    nop.w
    .endr
    subs.w r9, #1
    bne.w 2b
.endm

@ jnk0le/random "pipeline cycle test/CM33_pipetest_tmpl.S": 17 MOV.N r10, r10, SUBS.W,
@ MOV.N, BNE (16-bit)
.macro seq_template_m33
    movs.w r9, #ITER
2:  .rept 17
    mov.n r10, r10
    .endr
    subs.w r9, #1
    mov.n r10, r10
    bne.n 2b
.endm

.macro seq_mul_use
    mul r1, r2, r3
    adds r4, r1, #1
.endm

.macro seq_mul_pair
    mul r1, r2, r3
    mul r4, r5, r6
.endm

.macro seq_mul_str
    mul r1, r2, r3
    str r4, [r0]
.endm

.macro seq_uxtab_use
    uxtab r1, r2, r3
    adds r4, r1, #1
.endm

.macro seq_uxtab_chain
    uxtab r1, r1, r2
    uxtab r1, r1, r3
.endm

.macro seq_mla
    mla r3, r1, r2, r3
.endm

.macro seq_mla_chain
    mla r3, r1, r2, r3
    mla r3, r1, r2, r3
.endm

.macro seq_mla_use
    mla r3, r1, r2, r3
    adds r4, r3, #1
.endm

.macro seq_umull
    umull r4, r5, r1, r2
.endm

.macro seq_smlal
    smlal r4, r5, r1, r2
.endm

@ 100 / 7
.macro setup_sdiv
    movs r5, #100
    movs r2, #7
.endm
.macro seq_sdiv
    sdiv r1, r5, r2
.endm

.macro seq_ldrd_strd
    ldrd r4, r5, [r0]
    strd r4, r5, [r0, #8]
.endm

@ two loads, different 32-bit banks (even and odd words) and the same bank
.macro seq_ldr_pair_banks
    ldr r1, [r0]
    ldr r2, [r0, #4]
.endm

.macro seq_ldr_pair_same_bank
    ldr r1, [r0]
    ldr r2, [r0, #8]
.endm

@ post-indexed loads on the same base, then on alternating bases
.macro seq_ldr_postinc_same_base
    ldr r1, [r0], #4
    ldr r2, [r0], #4
.endm

.macro seq_ldr_postinc_two_bases
    ldr r1, [r6], #4
    ldr r2, [r7], #4
.endm

.macro seq_movw_movt
    movw r1, #0x1234
    movt r1, #0x5678
.endm

.macro seq_const_pair
    add.w r1, r2, #1
    add.w r4, r5, #1
.endm

.macro seq_shifted_pair
    add.w r1, r2, r3, lsl #2
    add.w r4, r5, r6, lsl #2
.endm

.macro seq_shifted_use
    add.w r1, r2, r3, lsl #2
    adds r4, r1, #1
.endm

.macro seq_uxtb_pair
    uxtb r1, r2
    uxtb r3, r4
.endm

.macro seq_it_pair
    cmp r0, r0
    it eq
    moveq r1, r2
.endm

@ a word load from B+1 (unaligned; CCR.UNALIGN_TRP is 0 after reset)
.macro seq_ldr_unaligned
    ldr.w r1, [r0, #1]
.endm

@ store multiple of an even number of registers at an 8-byte-aligned address and at 4 mod 8
.macro seq_stm4_aligned8
    stm r6, {r1-r4}
.endm

.macro setup_stm4_misaligned8
    ldr r5, =0x20000144
.endm
.macro seq_stm4_misaligned8
    stm r5, {r1-r4}
.endm

@ TBB to entry 1 (r1 = 1) of a two-entry byte table that follows it
.macro seq_tbb
    tbb [pc, r1]
1:  .byte 0
    .byte (2f - 1b) / 2
2:
.endm
