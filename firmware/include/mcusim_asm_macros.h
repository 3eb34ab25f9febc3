/* Assembler text the kernels' top-level __asm__ blocks share, as C string literals, so a step or
 * a function's directives are written once. Each expands to exactly the text it replaces: the
 * assembled code does not change. */
#ifndef MCUSIM_ASM_MACROS_H
#define MCUSIM_ASM_MACROS_H

/* a Thumb function NAME in its own section (for --gc-sections); ends with MCUSIM_ASM_END */
#define MCUSIM_ASM_FUNC(NAME)                                                                      \
    "  .section .text." #NAME ",\"ax\",%progbits\n"                                                \
    "  .balign 4\n"                                                                                \
    "  .global " #NAME "\n"                                                                        \
    "  .thumb_func\n"                                                                              \
    "  .type " #NAME ", %function\n" #NAME ":\n"
#define MCUSIM_ASM_END(NAME) "  .size " #NAME ", .-" #NAME "\n"

/* Steps of the packed 4 x 2 block (mcusim_mat_mult_packed_s8.c, mcusim_mm_pw_s8.c): two column
 * elements of four pixels (int16 pair words at r0 + X .. X+12) against two channels (weight
 * words at r1 + W, W+4); accumulators r4-r11 (pixel p, channel c in r4 + 2p + c); r2, r3, r12,
 * lr scratch. MAC_LO/HI: the SMLADs of pixels 0, 1 / 2, 3. Each KP4X2 macro defines the
 * assembler macro NAME (its user purges it). */
#define MCUSIM_ASM_KP4X2_MAC_LO                                                                    \
    "  smlad r4, r2, r12, r4\n"                                                                    \
    "  smlad r5, r2, lr, r5\n"                                                                     \
    "  smlad r6, r3, r12, r6\n"                                                                    \
    "  smlad r7, r3, lr, r7\n"
#define MCUSIM_ASM_KP4X2_MAC_HI                                                                    \
    "  smlad r8, r2, r12, r8\n"                                                                    \
    "  smlad r9, r2, lr, r9\n"                                                                     \
    "  smlad r10, r3, r12, r10\n"                                                                  \
    "  smlad r11, r3, lr, r11\n"
/* the same onto the bias words r10, r11 (a record's first step; r10, r11 written last) */
#define MCUSIM_ASM_KP4X2_BIAS_LO                                                                   \
    "  smlad r4, r2, r12, r10\n"                                                                   \
    "  smlad r5, r2, lr, r11\n"                                                                    \
    "  smlad r6, r3, r12, r10\n"                                                                   \
    "  smlad r7, r3, lr, r11\n"
#define MCUSIM_ASM_KP4X2_BIAS_HI                                                                   \
    "  smlad r8, r2, r12, r10\n"                                                                   \
    "  smlad r9, r2, lr, r11\n"                                                                    \
    "  smlad r10, r3, r12, r10\n"                                                                  \
    "  smlad r11, r3, lr, r11\n"
/* one step: NAME X, W */
#define MCUSIM_ASM_KP4X2(NAME)                                                                     \
    "  .macro " #NAME " X, W\n"                                                                    \
    "  ldr r12, [r1, #\\W]\n"                                                                      \
    "  ldr lr, [r1, #\\W+4]\n"                                                                     \
    "  ldr r2, [r0, #\\X]\n"                                                                       \
    "  ldr r3, [r0, #\\X+4]\n" MCUSIM_ASM_KP4X2_MAC_LO                                             \
    "  ldr r2, [r0, #\\X+8]\n"                                                                     \
    "  ldr r3, [r0, #\\X+12]\n" MCUSIM_ASM_KP4X2_MAC_HI                                            \
    "  .endm\n"
/* the step opening an iteration: r0/r1 4 bytes before its data, moved 8 on by writeback (each
 * on the last load of its base in the group: a load right after a writeback from the same base
 * waits for it) */
#define MCUSIM_ASM_KP4X2_FIRST(NAME)                                                               \
    "  .macro " #NAME "\n"                                                                         \
    "  ldr r12, [r1, #4]\n"                                                                        \
    "  ldr lr, [r1, #8]!\n"                                                                        \
    "  ldr r2, [r0, #4]\n"                                                                         \
    "  ldr r3, [r0, #8]!\n" MCUSIM_ASM_KP4X2_MAC_LO                                                \
    "  ldr r2, [r0, #4]\n"                                                                         \
    "  ldr r3, [r0, #8]\n" MCUSIM_ASM_KP4X2_MAC_HI                                                 \
    "  .endm\n"
/* the last step of a 32-element iteration (offsets from its data + 4): r1 to its last weight
 * word, r0 to its last column word */
#define MCUSIM_ASM_KP4X2_LAST(NAME)                                                                \
    "  .macro " #NAME "\n"                                                                         \
    "  ldr r12, [r1, #116]\n"                                                                      \
    "  ldr lr, [r1, #120]!\n"                                                                      \
    "  ldr r2, [r0, #236]\n"                                                                       \
    "  ldr r3, [r0, #240]\n" MCUSIM_ASM_KP4X2_MAC_LO                                               \
    "  ldr r2, [r0, #244]\n"                                                                       \
    "  ldr r3, [r0, #248]!\n" MCUSIM_ASM_KP4X2_MAC_HI                                              \
    "  .endm\n"
/* a record's first step, the accumulators from its two bias words at r1 (NAME X, W) */
#define MCUSIM_ASM_KP4X2_BIAS(NAME)                                                                \
    "  .macro " #NAME " X, W\n"                                                                    \
    "  ldrd r10, r11, [r1]\n"                                                                      \
    "  ldr r12, [r1, #\\W]\n"                                                                      \
    "  ldr lr, [r1, #\\W+4]\n"                                                                     \
    "  ldr r2, [r0, #\\X]\n"                                                                       \
    "  ldr r3, [r0, #\\X+4]\n"                                                                     \
    MCUSIM_ASM_KP4X2_BIAS_LO                                                                       \
    "  ldr r2, [r0, #\\X+8]\n"                                                                     \
    "  ldr r3, [r0, #\\X+12]\n"                                                                    \
    MCUSIM_ASM_KP4X2_BIAS_HI                                                                       \
    "  .endm\n"

/* a word V of four int8 (quad bytes 0-3) into its two int16 column slots: bytes 0, 2 to
 * [r0 + OFF], 1, 3 to [r0 + OFF + 16] (the packed cols layout); T scratch, V overwritten. No
 * input offset (folded into the bias). */
#define MCUSIM_ASM_WIDEN_WORD(V, T, OFF)                                                           \
    "  sxtb16 " T ", " V "\n"                                                                      \
    "  sxtb16 " V ", " V ", ror #8\n"                                                              \
    "  str " T ", [r0, #" OFF "]\n"                                                                \
    "  str " V ", [r0, #" OFF "+16]\n"

#endif
