/* Cortex-M7 dual-issue scoreboard: mcusim/cost/superscalar.py in C (that module documents the
 * rules and their sources; keep the two identical, tests/test_native_classify.py compares). */
#include <stdlib.h>
#include "mcusim_classify.h"

#define NEVER (-(1LL << 30))
enum { G_SINGLE = 100, G_MAC, G_BITFIELD, G_SHIFTOP, G_SHIFT };

struct mcs_board {
    const mcs_model *m;
    int64_t end, t;
    const mcs_dec *older; int older_g;
    int64_t late[NREG], early[NREG];
    uint8_t loaded[NREG];
};

mcs_board *mcs_board_new(void) { return calloc(1, sizeof(mcs_board)); }

void mcs_board_reset(mcs_board *b, const mcs_model *m) {
    int r;
    b->m = m; b->end = 0; b->t = NEVER; b->older = NULL; b->older_g = 0;
    for (r = 0; r < NREG; r++) { b->late[r] = b->early[r] = NEVER; b->loaded[r] = 0; }
}

static int is_single(int cls) {
    switch (cls) {
    case CL_LDM: case CL_STM: case CL_POP_PC: case CL_LOAD_PC: case CL_TABLE_BRANCH: case CL_ALU_PC: case CL_DIV:
    case CL_BARRIER: case CL_SYSTEM: case CL_FPU_LDM: case CL_FPU_DIV: return 1;
    default: return 0;
    }
}
static int is_branch_g(int g) { return g == CL_BRANCH || g == CL_CALL || g == CL_COND_BRANCH; }

static int is_mac(const mcs_dec *d) {
    return d->cls == CL_MUL || d->cls == CL_MLA || d->cls == CL_MULL || d->cls == CL_MLAL ||
           (d->cls == CL_DSP && d->nm->macname);
}

static int group(const mcs_dec *d) {
    if (is_single(d->cls)) return G_SINGLE;
    if (is_mac(d)) return G_MAC;
    if (d->cls == CL_DSP || d->nm->bitfield) return G_BITFIELD;
    if (d->cls == CL_ALU && (d->shifted || d->wide_imm)) return G_SHIFTOP;
    if (d->cls == CL_ALU && d->nm->shift) return G_SHIFT;
    return d->cls;
}


static int pairs(const mcs_dec *a, int ga, const mcs_dec *b, int gb) {
    /* a conditional branch followed by b fell through: J "not-taken branch can dual issue" */
    if (ga == G_SINGLE || gb == G_SINGLE || ga == CL_BRANCH || ga == CL_CALL) return 0;
    if (gb == G_BITFIELD || (ga == G_BITFIELD && gb == G_SHIFTOP)) return 0;
    if (gb == G_SHIFTOP && (ga == G_SHIFTOP || ga == G_SHIFT || ga == G_BITFIELD)) return 0;
    if (ga == gb && (ga == CL_STORE || ga == G_MAC)) return 0;
    if ((ga == G_MAC && gb == CL_STORE) || (ga == CL_STORE && gb == G_MAC)) return 0;
    if (ga == CL_LOAD && gb == CL_LOAD)
        return a->nm->nm == NM_LDR && b->nm->nm == NM_LDR && a->has_mem && b->has_mem &&
               a->mem[0] == b->mem[0] && !a->mem[1] && !b->mem[1] &&
               !mcs_has(a->writes, a->nwrites, a->mem[0]) && ((a->mem[2] ^ b->mem[2]) & 4) != 0;
    if ((ga == CL_FPU || ga == CL_FPU_MAC) && (gb == CL_FPU || gb == CL_FPU_MAC)) return 0;
    int mv_a = ga == CL_FPU_LOAD || ga == CL_FPU_STORE || ga == CL_FPU_MOV;
    int mv_b = gb == CL_FPU_LOAD || gb == CL_FPU_STORE || gb == CL_FPU_MOV;
    if ((ga == CL_FPU_MAC || gb == CL_FPU_MAC) && (mv_a || mv_b)) return 0;
    return 1;
}

static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

static int64_t need_of(mcs_board *b, const mcs_dec *d, int g) {
    uint16_t addr[2]; int naddr = 0, i;
    uint8_t early[NREG] = {0};
    uint16_t acc[MAXR]; int nacc = 0;
    int64_t need = NEVER;
    if (is_branch_g(g) || d->cls == CL_IT) return NEVER;
    if (d->has_mem) { addr[naddr++] = (uint16_t)d->mem[0]; addr[naddr++] = (uint16_t)d->mem[1]; }
    if ((d->cls == CL_LDM || d->cls == CL_STM) && !d->has_mem && d->nops) {
        naddr = 0;
        addr[naddr++] = (d->nm->nm != NM_PUSH && d->nm->nm != NM_POP) ? d->regs[0] : ARM_REG_SP;
    }
    for (i = 0; i < naddr; i++) if (addr[i] < NREG) early[addr[i]] = 1;
    if (d->nm->early_all) { for (i = 0; i < d->nreads; i++) early[d->reads[i]] = 1; }
    else if (d->nm->early_last && d->nops) early[d->regs[d->nops - 1]] = 1;
    if (d->shift_src) early[d->shift_src] = 1;
    if (g == G_MAC)
        for (i = 0; i < d->nreads; i++) if (b->loaded[d->reads[i]]) early[d->reads[i]] = 1;
    if (d->cls == CL_MLA && d->nops == 4) acc[nacc++] = d->regs[3];
    else if (d->cls == CL_MLAL)
        for (i = 0; i < d->nreads; i++)
            if (mcs_has(d->writes, d->nwrites, d->reads[i])) acc[nacc++] = d->reads[i];
    for (i = 0; i < d->nreads; i++) {
        int r = d->reads[i];
        if (r == ARM_REG_PC || r == 0) continue;
        if ((d->cls == CL_STORE || d->cls == CL_STM || d->cls == CL_FPU_STORE) &&
            !mcs_has(addr, naddr, r)) continue;          /* store data: read late */
        if (early[r] && b->m->early_operand) need = max64(need, b->early[r]);
        else if (g == G_MAC && mcs_has(acc, nacc, r)) need = max64(need, b->late[r] - 1);
        else need = max64(need, b->late[r]);
    }
    return need;
}

static void results(mcs_board *b, const mcs_dec *d, const mcs_cc *cc, int g, int64_t t,
                    int64_t occ, int younger) {
    const mcs_model *m = b->m;
    uint16_t dest[MAXR]; int ndest = 0, i;
    if (d->conditional) {
        int64_t v = t + max64(occ, 1);
        for (i = 0; i < d->nwrites; i++) {
            int r = d->writes[i];
            b->late[r] = v; b->early[r] = v + m->early_operand; b->loaded[r] = 0;
        }
        return;
    }
    if ((d->cls == CL_LOAD || d->cls == CL_FPU_LOAD) && d->nops) {
        dest[ndest++] = d->regs[0];
        if (d->nm->nm == NM_LDRD && d->nops > 1) dest[ndest++] = d->regs[1];
    } else if (d->cls == CL_LDM || d->cls == CL_POP_PC) {
        int based = d->nm->nm == NM_LDM || d->nm->nm == NM_LDMIA || d->nm->nm == NM_LDMDB;
        for (i = based ? 1 : 0; i < d->nops; i++) dest[ndest++] = d->regs[i];
    }
    for (i = 0; i < d->nwrites; i++) {
        int r = d->writes[i];
        b->loaded[r] = 0;
        if (mcs_has(dest, ndest, r)) {
            int64_t lat = (d->nm->narrow && cc->latency_narrow) ? cc->latency_narrow : cc->latency;
            int64_t v = t + max64(occ - 1, 0) + lat;
            b->late[r] = v; b->early[r] = v + m->early_operand; b->loaded[r] = 1;
        } else if (g == CL_LOAD || g == CL_STORE || g == CL_LDM || g == CL_STM ||
                   d->cls == CL_LDM || d->cls == CL_STM) {
            b->late[r] = b->early[r] = t + 1;              /* base writeback: from the AGU */
        } else if (r != ARM_REG_CPSR && !d->shifted && !d->wide_imm &&
                   ((d->nm->early_alu && !younger) || (d->nm->shift && d->nimms))) {
            b->late[r] = t; b->early[r] = t + 1;           /* early ALU */
        } else {
            int64_t lat = g == G_MAC ? m->cls[CL_MUL].latency : cc->latency;
            int64_t v = t + max64(occ, lat);
            b->late[r] = v; b->early[r] = v + m->early_operand;
        }
    }
}

uint32_t mcs_board_issue(mcs_board *b, const mcs_dec *d, const mcs_cc *cc) {
    int g = group(d), younger = 0;
    int64_t occ, need, t, cost;
    if (d->nregs) {
        int64_t rpc = cc->regs_per_cycle;
        occ = cc->cycles + cc->per_reg * ((d->nregs + rpc - 1) / rpc);
    } else {
        occ = cc->cycles + (d->sets_flags ? cc->flags_extra : 0);
    }
    if (occ < 0) occ = 0;
    need = need_of(b, d, g);
    if (b->older && occ <= 1 && need <= b->t && pairs(b->older, b->older_g, d, g)) {
        t = b->t; younger = 1;
    } else {
        t = max64(b->end, need);
    }
    cost = t + occ - b->end;
    if (cost < 0) cost = 0;
    b->end = max64(b->end, t + occ);
    b->t = t;
    if (younger || occ != 1 || g == G_SINGLE) b->older = NULL;
    else { b->older = d; b->older_g = g; }
    results(b, d, cc, g, t, occ, younger);
    return (uint32_t)cost;
}
