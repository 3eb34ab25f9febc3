/* Native first-execution classification of a basic block (issue 13, item 4): the same rules as
 * mcusim/cost/classify.py and superscalar.py (the reference; tests/test_native_classify.py
 * checks every block of several firmware images against it), in C so that never-seen code is
 * not held up by Python. Decoding is capstone's (the library the Python package ships). */
#ifndef MCUSIM_CLASSIFY_H
#define MCUSIM_CLASSIFY_H
#include <stdint.h>
#include <capstone/capstone.h>

/* Instruction classes, in the order of mcusim.cost.model.CLASSES; CL_FETCH is the output-only
 * "fetch" class (static fetch wait states of a block). */
enum {
    CL_ALU, CL_ALU_PC, CL_MUL, CL_MLA, CL_MULL, CL_MLAL, CL_DIV, CL_DSP,
    CL_LOAD, CL_STORE, CL_LDM, CL_STM, CL_POP_PC, CL_LOAD_PC, CL_TABLE_BRANCH,
    CL_BRANCH, CL_CALL, CL_COND_BRANCH, CL_IT, CL_NOP, CL_BARRIER, CL_SYSTEM,
    CL_FPU, CL_FPU_MAC, CL_FPU_DIV, CL_FPU_LOAD, CL_FPU_STORE, CL_FPU_LDM, CL_FPU_MOV,
    NCLASSES, CL_FETCH = NCLASSES, NCLASS_OUT
};

/* One class's costs (model.ClassCost); -1 in pipelined/after_load: not given. */
typedef struct {
    int32_t cycles, per_reg, taken, pipelined, use_stall, flags_extra, latency, latency_narrow,
        regs_per_cycle, after_load, reg_offset_extra;
} mcs_cc;

typedef struct {                 /* model.CoreModel's timing fields */
    mcs_cc cls[NCLASSES];
    int32_t dual_issue, agu_stall, dual_issue_16, shifted_use_stall, scoreboard, early_operand,
        store_load_stall, register_target_extra, unaligned_target_extra, extend_add_use_stall;
} mcs_model;

/* Names the rules look at (classify.py/superscalar.py compare instruction names). */
enum {
    NM_OTHER, NM_MOV, NM_MOVW, NM_MOVT, NM_ADD, NM_SUB, NM_LDR, NM_LDRD, NM_STRD, NM_BX, NM_BLX,
    NM_B, NM_BL, NM_CBZ, NM_CBNZ, NM_PUSH, NM_POP, NM_LDM, NM_LDMIA, NM_LDMDB, NM_IT
};

typedef struct {
    int8_t cls;                  /* _BASE class, or the fpu/alu default */
    uint8_t nm;                  /* NM_* */
    uint8_t based;               /* LDM/STM/VLDM.. names whose first register is the base */
    uint8_t narrow, bitfield, early_all, early_last, shift, early_alu, macname, extend_add;
    uint8_t load_bytes, store_bytes;
} mcs_name;

#define MAXR 48                  /* registers per list; more: the Python path decides */
#define NREG 128                 /* capstone ARM register ids are below ARM_REG_ENDING (111) */

typedef struct {                 /* classify.py _Decoded */
    const mcs_name *nm;
    uint8_t size, cls, nregs, it_len;
    uint8_t nreads, nwrites, nops, nimms;
    uint8_t writeback, post_index, shifted, sets_flags, wide_imm, has_mem, has_target, conditional;
    uint16_t shift_src;
    int32_t imms[8];
    int32_t mem[4];              /* base, index, disp, index LSL */
    int64_t target_off;
    /* nreads, nwrites, nops register ids, in the classifier's storage (a cached decoding keeps
     * just these, right after it: a third of the size of three MAXR arrays) */
    const uint16_t *reads, *writes, *regs;
} mcs_dec;

typedef struct {                 /* one classified block */
    uint32_t cycles, ninsns, taken, end, last_cls, last_indirect;
    uint32_t class_cycles[NCLASS_OUT];
    uint32_t *prefix; uint32_t nprefix, cap_prefix;        /* (end offset, cycles) pairs */
    int32_t *loads; uint32_t nloads, cap_loads;            /* 9 int32s each */
} mcs_blockinfo;

/* whether register r is among the n of v */
static inline int mcs_has(const uint16_t *v, int n, int r)
{
    int i;
    for (i = 0; i < n; i++) if (v[i] == r) return 1;
    return 0;
}

typedef struct mcs_classifier mcs_classifier;

/* code-read callback for branch targets outside the block (0: read) */
typedef int (*mcs_read_fn)(void *user, uint64_t addr, void *buf, uint64_t n);

mcs_classifier *mcs_classifier_new(const mcs_model *m, const int32_t *uc_reg, int track_loads);
void mcs_classifier_free(mcs_classifier *k);
/* 0: done; -1: the Python reference must decide (decode failure, a list longer than MAXR).
 * The first `pre` bytes of code (at addr) are the block that fell through into this one: their
 * instructions set the pipeline state but are not counted (classify.py's preamble). */
int mcs_classify(mcs_classifier *k, const uint8_t *code, uint32_t size, uint32_t addr,
                 uint32_t pre, mcs_read_fn read, void *user, mcs_blockinfo *out);

/* superscalar.c (M7 dual-issue scoreboard) */
typedef struct mcs_board mcs_board;
void mcs_board_reset(mcs_board *b, const mcs_model *m);
uint32_t mcs_board_issue(mcs_board *b, const mcs_dec *d, const mcs_cc *cc);
mcs_board *mcs_board_new(void);
#endif
