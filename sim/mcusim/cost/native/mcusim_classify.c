/* First-execution classification of a basic block: mcusim/cost/classify.py in C (that module
 * documents every rule and its source; the two must agree block for block, which
 * tests/test_native_classify.py checks). Decoding: capstone, as the Python side uses it. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "mcusim_classify.h"

#define LITERAL (-1)             /* tracked-load base meaning "constant address" */

/* ---- instruction names -> classes and the name sets the rules test ---- */
static const struct { int cls; const char *names; } BASE[] = {
    {CL_MUL, " mul "}, {CL_MLA, " mla mls "}, {CL_MULL, " umull smull "},
    {CL_MLAL, " umlal smlal umaal smlald smlsld smlalbb smlalbt smlaltb smlaltt "},
    {CL_DIV, " sdiv udiv "},
    {CL_DSP, " smlad smladx smlsd smlsdx smuad smuadx smusd smusdx smmul smmulr smmla smmlar "
             "smmls smmlsr smulbb smulbt smultb smultt smulwb smulwt smlabb smlabt smlatb "
             "smlatt smlawb smlawt sxtb16 uxtb16 sxtab16 uxtab16 qadd qsub qdadd qdsub qadd8 "
             "qadd16 qsub8 qsub16 qasx qsax uqadd8 uqadd16 uqsub8 uqsub16 uqasx uqsax ssat "
             "usat ssat16 usat16 sadd8 sadd16 ssub8 ssub16 sasx ssax uadd8 uadd16 usub8 usub16 "
             "uasx usax shadd8 shadd16 shsub8 shsub16 shasx shsax uhadd8 uhadd16 uhsub8 "
             "uhsub16 uhasx uhsax sel usad8 usada8 pkhbt pkhtb "},
    {CL_LOAD, " ldr ldrb ldrh ldrsb ldrsh ldrt ldrbt ldrht ldrsbt ldrsht ldrex ldrexb ldrexh "
              "lda ldab ldah ldaex ldaexb ldaexh "},
    {CL_STORE, " str strb strh strt strbt strht strex strexb strexh stl stlb stlh stlex "
               "stlexb stlexh "},
    {CL_LDM, " ldm ldmdb ldmia pop ldrd "}, {CL_STM, " stm stmdb stmia push strd "},
    {CL_TABLE_BRANCH, " tbb tbh "}, {CL_CALL, " bl blx "}, {CL_BRANCH, " b bx "},
    {CL_COND_BRANCH, " cbz cbnz "}, {CL_IT, " it "}, {CL_NOP, " nop yield "},
    {CL_BARRIER, " dmb dsb isb "},
    {CL_SYSTEM, " mrs msr cps cpsie cpsid svc bkpt wfi wfe sev udf clrex "},
    {CL_FPU_MAC, " vmla vmls vnmla vnmls vfma vfms vfnma vfnms "},
    {CL_FPU_DIV, " vdiv vsqrt "}, {CL_FPU_LOAD, " vldr "}, {CL_FPU_STORE, " vstr "},
    {CL_FPU_LDM, " vldmia vldmdb vstmia vstmdb vpush vpop vldm vstm "},
    {CL_FPU_MOV, " vmov vmrs vmsr "},
    {CL_FPU, " vadd vsub vmul vnmul vabs vneg vcmp vcmpe vcvt vcvtr vcvta vcvtn vcvtp vcvtm "
             "vcvtb vcvtt vmaxnm vminnm vrinta vrintn vrintp vrintm vrintr vrintx vrintz vsel "},
};
static const char BASED[] = " ldm ldmia ldmdb stm stmia stmdb vldmia vldmdb vstmia vstmdb vldm vstm ";
static const char NARROW[] = " ldrb ldrsb ldrh ldrsh ldrbt ldrsbt ldrht ldrsht ldrexb ldrexh ldab "
                             "ldah ldaexb ldaexh ";
static const char BITFIELD[] = " uxtb uxth sxtb sxth uxtab uxtah sxtab sxtah ubfx sbfx bfi bfc rev "
                               "rev16 revsh rbit clz pkhbt pkhtb ";
static const char EARLY_ALL[] = " ubfx sbfx rev rev16 revsh rbit ";
static const char EARLY_LAST[] = " bfi pkhbt pkhtb uxtab uxtah sxtab sxtah uxtab16 sxtab16 ";
static const char SHIFTS[] = " lsl lsr asr ror ";
static const char EXTEND_ADD[] = " uxtab uxtah sxtab sxtah uxtab16 sxtab16 ";
static const struct { uint8_t nm; const char *name; } SPECIAL[] = {
    {NM_MOV, "mov"}, {NM_MOVW, "movw"}, {NM_MOVT, "movt"}, {NM_ADD, "add"}, {NM_SUB, "sub"},
    {NM_LDR, "ldr"}, {NM_LDRD, "ldrd"}, {NM_STRD, "strd"}, {NM_BX, "bx"}, {NM_BLX, "blx"},
    {NM_B, "b"}, {NM_BL, "bl"}, {NM_CBZ, "cbz"}, {NM_CBNZ, "cbnz"}, {NM_PUSH, "push"},
    {NM_POP, "pop"}, {NM_LDM, "ldm"}, {NM_LDMIA, "ldmia"}, {NM_LDMDB, "ldmdb"}, {NM_IT, "it"},
};

static int in_set(const char *set, const char *name) {
    char buf[40];
    size_t n = strlen(name);
    if (n + 3 > sizeof buf) return 0;
    buf[0] = ' '; memcpy(buf + 1, name, n); buf[n + 1] = ' '; buf[n + 2] = 0;
    return strstr(set, buf) != NULL;
}

static void make_name(mcs_name *o, const char *raw) {
    size_t i;
    const char *name = !strcmp(raw, "adds") ? "add" : !strcmp(raw, "subs") ? "sub" : raw;
    memset(o, 0, sizeof *o);
    o->cls = raw[0] == 'v' ? CL_FPU : CL_ALU;          /* the class of the name as decoded */
    for (i = 0; i < sizeof BASE / sizeof BASE[0]; i++)
        if (in_set(BASE[i].names, raw)) { o->cls = (int8_t)BASE[i].cls; break; }
    for (i = 0; i < sizeof SPECIAL / sizeof SPECIAL[0]; i++)
        if (!strcmp(SPECIAL[i].name, name)) { o->nm = SPECIAL[i].nm; break; }
    o->based = (uint8_t)in_set(BASED, name);
    o->narrow = (uint8_t)in_set(NARROW, name);
    o->bitfield = (uint8_t)in_set(BITFIELD, name);
    o->early_all = (uint8_t)in_set(EARLY_ALL, name);
    o->early_last = (uint8_t)in_set(EARLY_LAST, name);
    o->shift = (uint8_t)in_set(SHIFTS, name);
    o->extend_add = (uint8_t)in_set(EXTEND_ADD, name);
    o->early_alu = o->nm == NM_ADD || o->nm == NM_SUB || o->nm == NM_MOV;
    o->macname = strstr(name, "mul") || strstr(name, "mla") || strstr(name, "mls") ||
                 strstr(name, "mua") || strstr(name, "mus");
    o->load_bytes = 4;
    if (!strcmp(name, "ldrb") || !strcmp(name, "ldrsb")) o->load_bytes = 1;
    else if (!strcmp(name, "ldrh") || !strcmp(name, "ldrsh")) o->load_bytes = 2;
    else if (!strcmp(name, "ldrd")) o->load_bytes = 8;
    o->store_bytes = 8;
    if (!strcmp(name, "strb")) o->store_bytes = 1;
    else if (!strcmp(name, "strh")) o->store_bytes = 2;
    else if (!strcmp(name, "str")) o->store_bytes = 4;
}

/* ---- the classifier ---- */
typedef struct { uint64_t key; const mcs_dec *d; } enc_slot;   /* key: encoding + 1, 0: empty */
#define POOL_BYTES (256u << 10)  /* cached decodings come from chunks this size: never moved */

static uint32_t enc_hash(uint64_t key, uint32_t mask)
{
    return (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & mask;
}

struct mcs_classifier {
    csh cs;
    cs_insn *insn;
    mcs_model m;
    int32_t uc_reg[NREG];
    int track_loads;
    mcs_name *names; uint32_t nnames;     /* per capstone instruction id */
    mcs_name nop_name;
    mcs_name odd;                         /* a name not in the table (rare): built on the fly */
    uint8_t **pools; uint32_t npools, cap_pools, ndecs;     /* per-encoding cache, in chunks */
    uint8_t *bump; size_t bump_left;                        /* the free end of the last chunk */
    uint16_t scratch[3 * MAXR];                             /* registers of a new decoding */
    enc_slot *table; uint32_t mask;
    const mcs_dec **seq; uint32_t cap_seq;        /* one block's instructions (no copies) */
    mcs_dec *blk; uint32_t cap_blk;               /* those decoded whole (IT blocks) */
    uint16_t *blkregs;                            /* their registers, 3 * MAXR per slot */
    mcs_board *board;
};

mcs_classifier *mcs_classifier_new(const mcs_model *m, const int32_t *uc_reg, int track_loads) {
    mcs_classifier *k = calloc(1, sizeof *k);
    uint32_t i;
    if (!k) return NULL;
    if (cs_open(CS_ARCH_ARM, CS_MODE_THUMB | CS_MODE_MCLASS, &k->cs) != CS_ERR_OK) {
        free(k);
        return NULL;
    }
    cs_option(k->cs, CS_OPT_DETAIL, CS_OPT_ON);
    k->insn = cs_malloc(k->cs);
    k->m = *m;
    memcpy(k->uc_reg, uc_reg, sizeof k->uc_reg);
    k->track_loads = track_loads;
    k->nnames = ARM_INS_ENDING;
    k->names = calloc(k->nnames, sizeof(mcs_name));
    for (i = 0; i < k->nnames; i++) {
        const char *n = cs_insn_name(k->cs, i);
        make_name(&k->names[i], n ? n : "");
    }
    make_name(&k->nop_name, "nop");
    k->mask = 4095;
    k->table = calloc(k->mask + 1, sizeof(enc_slot));
    k->board = mcs_board_new();
    return k;
}

void mcs_classifier_free(mcs_classifier *k) {
    if (!k) return;
    cs_free(k->insn, 1);
    cs_close(&k->cs);
    for (uint32_t i = 0; i < k->npools; i++) free(k->pools[i]);
    free(k->pools); free(k->seq); free(k->blkregs);
    free(k->names); free(k->table); free(k->blk); free(k->board); free(k);
}

static int shifted_constant(int64_t x) {
    uint32_t v = (uint32_t)x, b = v & 0xFF;
    return !(v <= 0xFF || v == b * 0x00010001u || v == b * 0x01010101u ||
             v == ((v >> 8) & 0xFF) * 0x01000100u);
}


/* classify.py _decode; -1 when a list does not fit (the Python path decides). The register
 * lists go to st (3 * MAXR entries). */
static int decode(mcs_classifier *k, const cs_insn *insn, mcs_dec *d, mcs_name *odd,
                  uint16_t *st) {
    uint16_t *rd = st, *wr = st + MAXR, *rg = st + 2 * MAXR;
    const cs_arm *a = &insn->detail->arm;
    const char *name = cs_insn_name(k->cs, insn->id);
    cs_regs rr, ww;
    uint8_t nr = 0, nw = 0;
    int i, cls, need_ops;
    memset(d, 0, offsetof(mcs_dec, reads));
    d->reads = rd; d->writes = wr; d->regs = rg;
    if (!name || !*name) { make_name(odd, insn->mnemonic); d->nm = odd; }
    else if (!strcmp(name, "hint") && !strncmp(insn->mnemonic, "nop", 3)) d->nm = &k->nop_name;
    else if (insn->id < k->nnames) d->nm = &k->names[insn->id];
    else { make_name(odd, name); d->nm = odd; }
    if (cs_regs_access(k->cs, insn, rr, &nr, ww, &nw) != CS_ERR_OK) return -1;
    if (nr > MAXR || nw > MAXR) return -1;
    for (i = 0; i < nr; i++) { if (rr[i] >= NREG) return -1; rd[i] = rr[i]; }
    for (i = 0; i < nw; i++) { if (ww[i] >= NREG) return -1; wr[i] = ww[i]; }
    d->nreads = nr; d->nwrites = nw;
    cls = d->nm->cls;
    need_ops = cls == CL_LOAD || cls == CL_STORE || cls == CL_LDM || cls == CL_STM ||
               cls == CL_FPU_LOAD || cls == CL_FPU_STORE || cls == CL_FPU_LDM ||
               cls == CL_TABLE_BRANCH || cls == CL_ALU || cls == CL_MLA ||
               d->nm->nm == NM_ADD || d->nm->nm == NM_SUB || d->nm->nm == NM_MOV ||
               d->nm->nm == NM_MOVW || d->nm->nm == NM_MOVT;
    if (need_ops) {
        for (i = 0; i < a->op_count; i++) {
            const cs_arm_op *o = &a->operands[i];
            if (o->type == ARM_OP_REG) {
                if (d->nops >= MAXR || o->reg >= NREG) return -1;
                rg[d->nops++] = (uint16_t)o->reg;
                if (o->shift.type && !d->shifted) { d->shifted = 1; d->shift_src = (uint16_t)o->reg; }
            } else if (o->type == ARM_OP_IMM) {
                if (d->nimms >= 8) return -1;
                d->imms[d->nimms++] = o->imm;
            } else if (o->type == ARM_OP_MEM && !d->has_mem) {
                d->has_mem = 1;
                d->mem[0] = o->mem.base; d->mem[1] = o->mem.index; d->mem[2] = o->mem.disp;
                d->mem[3] = o->shift.type ? (int32_t)o->shift.value : 0;
            }
        }
        d->writeback = a->writeback; d->post_index = a->post_index;
    }
    if (cls == CL_LDM || cls == CL_STM || cls == CL_FPU_LDM) {
        d->nregs = d->nops;
        if (d->nm->based && d->nregs) d->nregs--;        /* the first register is the base */
        if (d->nm->nm == NM_LDRD || d->nm->nm == NM_STRD) d->nregs = 2;
    }
    if (mcs_has(d->writes, d->nwrites, ARM_REG_PC)) {
        if (cls == CL_LDM) cls = CL_POP_PC;
        else if (cls == CL_LOAD) cls = CL_LOAD_PC;
        else if (cls == CL_ALU) cls = CL_ALU_PC;
    }
    if (cls == CL_BRANCH && a->cc != ARM_CC_AL && a->cc != ARM_CC_INVALID) cls = CL_COND_BRANCH;
    d->cls = (uint8_t)cls;
    if (d->nm->nm == NM_IT) {
        int mask = insn->bytes[0] & 0x0F, low = mask & -mask, bl = 0;
        while (low) { bl++; low >>= 1; }
        d->it_len = (uint8_t)(4 - bl + 1);
    }
    if (d->nm->nm == NM_B || d->nm->nm == NM_BL || d->nm->nm == NM_CBZ || d->nm->nm == NM_CBNZ) {
        for (i = 0; i < a->op_count; i++)
            if (a->operands[i].type == ARM_OP_IMM) {
                d->has_target = 1;
                d->target_off = (int64_t)a->operands[i].imm - (int64_t)insn->address;
                break;
            }
    }
    d->size = (uint8_t)insn->size;
    d->sets_flags = a->update_flags;
    if (insn->size == 4 && cls == CL_ALU && strncmp(insn->mnemonic, "movw", 4) &&
        strncmp(insn->mnemonic, "addw", 4) && strncmp(insn->mnemonic, "subw", 4) &&
        strncmp(insn->mnemonic, "movt", 4))
        for (i = 0; i < d->nimms; i++)
            if (shifted_constant(d->imms[i])) { d->wide_imm = 1; break; }
    return 0;
}

/* Room for n + 1 instruction pointers in k->seq. */
static int seq_room(mcs_classifier *k, uint32_t n) {
    if (n >= k->cap_seq) {
        uint32_t cap = k->cap_seq ? 2 * k->cap_seq : 64;
        while (cap <= n) cap *= 2;
        const mcs_dec **p = realloc(k->seq, cap * sizeof *p);
        if (!p) return -1;
        k->seq = p; k->cap_seq = cap;
    }
    return 0;
}

static mcs_dec *blk_slot(mcs_classifier *k, uint32_t n) {
    if (n >= k->cap_blk) {
        uint32_t cap = k->cap_blk ? 2 * k->cap_blk : 64;
        while (cap <= n) cap *= 2;
        mcs_dec *p = realloc(k->blk, cap * sizeof(mcs_dec));
        if (!p) return NULL;
        k->blk = p;
        uint16_t *r = realloc(k->blkregs, cap * 3 * MAXR * sizeof(uint16_t));
        if (!r) return NULL;
        k->blkregs = r; k->cap_blk = cap;
    }
    return &k->blk[n];
}

static inline uint64_t enc_key(const uint8_t *enc, uint32_t size) {
    return (uint64_t)size << 32 | (size == 4 ? (uint32_t)enc[0] | enc[1] << 8 |
           enc[2] << 16 | (uint32_t)enc[3] << 24 : (uint32_t)enc[0] | enc[1] << 8);
}

static inline uint32_t thumb_size(const uint8_t *code) {
    uint32_t hw = code[0] | code[1] << 8;
    return (hw >> 11 == 0x1D || hw >> 11 == 0x1E || hw >> 11 == 0x1F) ? 4 : 2;
}

/* A decoded encoding from the cache (decoding it first when new); NULL when it cannot be. */
static const mcs_dec *by_encoding(mcs_classifier *k, const uint8_t *enc, uint32_t size,
                                  uint64_t addr) {
    uint64_t key = enc_key(enc, size);
    uint32_t h = enc_hash(key, k->mask);
    const uint8_t *p = enc;
    size_t n = size;
    uint64_t at = addr;
    while (k->table[h].key) {
        if (k->table[h].key == key + 1) return k->table[h].d;
        h = (h + 1) & k->mask;
    }
    if (!cs_disasm_iter(k->cs, &p, &n, &at, k->insn) || k->insn->size != size) return NULL;
    mcs_dec tmp;
    if (decode(k, k->insn, &tmp, &k->odd, k->scratch) < 0 || tmp.nm == &k->odd)
        return NULL;                                 /* odd: not kept */
    size_t nr = (size_t)tmp.nreads + tmp.nwrites + tmp.nops;
    size_t bytes = (sizeof tmp + nr * sizeof(uint16_t) + 7) & ~(size_t)7;
    if (bytes > k->bump_left) {                      /* a new chunk */
        if (k->npools == k->cap_pools) {
            uint32_t cap = k->cap_pools ? 2 * k->cap_pools : 16;
            uint8_t **q = realloc(k->pools, cap * sizeof *q);
            if (!q) return NULL;
            k->pools = q; k->cap_pools = cap;
        }
        if (!(k->bump = malloc(POOL_BYTES))) return NULL;
        k->pools[k->npools++] = k->bump; k->bump_left = POOL_BYTES;
    }
    mcs_dec *d = (mcs_dec *)k->bump;
    uint16_t *r = (uint16_t *)(d + 1);
    k->bump += bytes; k->bump_left -= bytes;
    *d = tmp;
    memcpy(r, tmp.reads, tmp.nreads * sizeof *r); d->reads = r; r += tmp.nreads;
    memcpy(r, tmp.writes, tmp.nwrites * sizeof *r); d->writes = r; r += tmp.nwrites;
    memcpy(r, tmp.regs, tmp.nops * sizeof *r); d->regs = r;
    k->table[h].key = key + 1; k->table[h].d = d; k->ndecs++;
    if (2 * k->ndecs > k->mask) {                   /* grow at half load */
        uint32_t nm = 2 * k->mask + 1, i;
        enc_slot *t = calloc((size_t)nm + 1, sizeof(enc_slot));
        if (!t) return NULL;
        for (i = 0; i <= k->mask; i++) {
            if (!k->table[i].key) continue;
            uint32_t g = enc_hash(k->table[i].key - 1, nm);
            while (t[g].key) g = (g + 1) & nm;
            t[g] = k->table[i];
        }
        free(k->table); k->table = t; k->mask = nm;
    }
    return d;
}

/* The block's instructions into k->seq: pointers to the decoded encodings (cached), or, for a
 * block with an IT instruction or anything unusual, into k->blk decoded as one sequence like
 * Decoder._block (which also stops at an undecodable instruction). Returns the count, -1 on
 * failure. */
static int instructions(mcs_classifier *k, const uint8_t *code, uint32_t size, uint32_t addr) {
    uint32_t off, n = 0, sz, i;
    int fast = 1;
    /* The cache is large and its entries repeat from anywhere in the image: start every lookup's
     * memory reads first, so that the misses of a block's instructions overlap (speed only). */
    for (off = 0; off + 2 <= size && off + (sz = thumb_size(code + off)) <= size; off += sz)
        __builtin_prefetch(&k->table[enc_hash(enc_key(code + off, sz), k->mask)]);
    off = 0;
    while (off < size) {
        if (off + 2 > size) { fast = 0; break; }
        uint32_t hw = code[off] | code[off + 1] << 8;
        sz = thumb_size(code + off);
        if ((hw & 0xFF00) == 0xBF00 && (hw & 0xF)) { fast = 0; break; }    /* IT */
        if (off + sz > size) { fast = 0; break; }
        const mcs_dec *d = by_encoding(k, code + off, sz, (uint64_t)addr + off);
        if (!d) { fast = 0; break; }
        for (i = 0; i < sizeof *d + 32; i += 64) __builtin_prefetch((const char *)d + i);
        if (seq_room(k, n) < 0) return -1;
        k->seq[n++] = d;
        off += sz;
    }
    if (fast) return (int)n;
    /* the block path: one capstone pass over the whole block */
    {
        const uint8_t *p = code;
        size_t left = size;
        uint64_t at = addr;
        int it_left = 0;
        n = 0;
        while (left && cs_disasm_iter(k->cs, &p, &left, &at, k->insn)) {
            mcs_dec *s = blk_slot(k, n);
            if (!s || decode(k, k->insn, s, &k->odd, k->blkregs + n * 3 * MAXR) < 0) return -1;
            if (s->nm == &k->odd) return -1;
            s->conditional = it_left > 0;
            it_left = s->it_len ? s->it_len : (it_left > 0 ? it_left - 1 : 0);
            n++;
        }
        if (seq_room(k, n) < 0) return -1;
        for (off = 0; off < n; off++) {              /* blk and blkregs have stopped moving */
            uint16_t *st = k->blkregs + off * 3 * MAXR;
            k->blk[off].reads = st; k->blk[off].writes = st + MAXR;
            k->blk[off].regs = st + 2 * MAXR;
            k->seq[off] = &k->blk[off];
        }
        return (int)n;
    }
}

/* ---- symbolic register values (classify.py _AddrTracker) ---- */
typedef struct { int32_t reg, ind; int64_t j; } term_t;
typedef struct { int8_t known, n; term_t t[2]; int64_t k; } sym_t;
typedef struct { int64_t s, e; } range_t;

typedef struct {
    uint8_t set[NREG]; sym_t val[NREG];
    range_t *sp; uint32_t nsp, cap_sp; int sp_any;
    int other_store;
    uint32_t iaddr;
} tracker_t;

static sym_t unknown(void) { sym_t v; memset(&v, 0, sizeof v); return v; }

/* An empty tracker: val[r] is only read once set[r] is, so it is left as it is (6 KB). */
static void tracker_init(tracker_t *t) {
    memset(t->set, 0, sizeof t->set);
    t->sp = NULL; t->nsp = t->cap_sp = 0; t->sp_any = t->other_store = 0; t->iaddr = 0;
}

static sym_t tget(const tracker_t *t, int reg) {
    sym_t v;
    if (reg == ARM_REG_PC) return unknown();
    if (reg >= 0 && reg < NREG && t->set[reg]) return t->val[reg];
    memset(&v, 0, sizeof v);
    v.known = 1; v.n = 1; v.t[0].reg = reg;
    return v;
}
static sym_t plus(sym_t v, int64_t k) { if (v.known) v.k += k; return v; }
static sym_t add2(sym_t a, sym_t b) {
    int i;
    if (!a.known || !b.known || a.n + b.n > 2) return unknown();
    for (i = 0; i < b.n; i++) a.t[a.n + i] = b.t[i];
    a.n = (int8_t)(a.n + b.n); a.k += b.k;
    return a;
}
static int is_sp_term(const term_t *t) { return t->reg == ARM_REG_SP && !t->ind && !t->j; }
static int sp_offset(sym_t v, int64_t *k) {
    if (v.known && v.n == 1 && is_sp_term(&v.t[0])) { *k = v.k; return 1; }
    return 0;
}

static void note_store(tracker_t *t, const mcs_dec *d) {
    sym_t base = d->has_mem ? tget(t, d->mem[0]) : (d->nops ? tget(t, d->regs[0]) : unknown());
    int64_t k;
    if (!base.known) { t->sp_any = 1; t->other_store = 1; }
    else if (!sp_offset(base, &k)) t->other_store = 1;
    else if (!d->has_mem || t->sp_any) t->sp_any = 1;
    else {
        int64_t start = k + (d->post_index ? 0 : d->mem[2]);
        if (t->nsp == t->cap_sp) {
            t->cap_sp = t->cap_sp ? 2 * t->cap_sp : 16;
            t->sp = realloc(t->sp, t->cap_sp * sizeof(range_t));
        }
        t->sp[t->nsp].s = start; t->sp[t->nsp].e = start + d->nm->store_bytes; t->nsp++;
    }
}

static int word_unchanged(const tracker_t *t, sym_t base, int64_t j) {
    int64_t k, a;
    uint32_t i;
    if (!sp_offset(base, &k)) return !t->other_store;
    if (t->sp_any) return 0;
    a = k + j;
    for (i = 0; i < t->nsp; i++)
        if (!(t->sp[i].e <= a || a + 4 <= t->sp[i].s)) return 0;
    return 1;
}

typedef struct { int n; int reg[2]; sym_t val[2]; } news_t;     /* update()'s `new` dict */

static void set_new(news_t *w, int reg, sym_t v) {
    int j;
    for (j = 0; j < w->n && w->reg[j] != reg; j++) {}
    w->reg[j] = reg; w->val[j] = v;
    if (j == w->n) w->n++;
}
#define SETNEW(r, v) set_new(&w, (r), (v))

static void tupdate(tracker_t *t, const mcs_dec *d) {
    int i, j, nm = d->nm->nm;
    news_t w;
    w.n = 0;
    if (d->cls == CL_STORE || d->cls == CL_STM || d->cls == CL_FPU_STORE) note_store(t, d);
    if (d->conditional) {
    } else if (d->has_mem && d->writeback && mcs_has(d->writes, d->nwrites, d->mem[0])) {
        int64_t step = (d->post_index && d->nimms) ? d->imms[0] : d->mem[2];
        if (d->mem[1] == 0) SETNEW(d->mem[0], plus(tget(t, d->mem[0]), step));
    } else if (nm == NM_MOV && d->nops == 2 && !d->nimms && !d->shifted) {
        SETNEW(d->regs[0], tget(t, d->regs[1]));
    } else if ((nm == NM_MOV || nm == NM_MOVW) && d->nops == 1 && d->nimms == 1) {
        sym_t v = unknown(); v.known = 1; v.k = (uint32_t)d->imms[0];
        SETNEW(d->regs[0], v);
    } else if (nm == NM_MOVT && d->nops == 1 && d->nimms) {
        sym_t v = tget(t, d->regs[0]), r = unknown();
        if (v.known && !v.n) {
            r.known = 1;
            r.k = (v.k & 0xFFFF) | ((int64_t)((uint32_t)d->imms[d->nimms - 1] & 0xFFFF) << 16);
        }
        SETNEW(d->regs[0], r);
    } else if ((nm == NM_ADD || nm == NM_SUB) && d->nimms && d->nops && !d->has_mem) {
        sym_t rn = tget(t, d->nops > 1 ? d->regs[1] : d->regs[0]);
        SETNEW(d->regs[0], plus(rn, nm == NM_ADD ? d->imms[0] : -(int64_t)d->imms[0]));
    } else if (nm == NM_ADD && !d->nimms && !d->shifted && (d->nops == 2 || d->nops == 3)) {
        SETNEW(d->regs[0], add2(tget(t, d->regs[d->nops - 2]), tget(t, d->regs[d->nops - 1])));
    }
    if (nm == NM_LDR && d->cls == CL_LOAD && d->has_mem && d->mem[0] == ARM_REG_PC &&
        !d->mem[1] && !d->conditional) {
        sym_t v = unknown(); v.known = 1; v.n = 1;
        v.t[0].reg = LITERAL; v.t[0].ind = 1; v.t[0].j = (int64_t)((t->iaddr + 4) & ~3u) + d->mem[2];
        SETNEW(d->regs[0], v);
    } else if (nm == NM_LDR && d->cls == CL_LOAD && d->has_mem && !d->mem[1] && !d->writeback &&
               !d->conditional) {
        sym_t base = tget(t, d->mem[0]);
        if (base.known && base.n == 1 && base.t[0].ind == 0 && word_unchanged(t, base, d->mem[2])) {
            sym_t v = unknown(); v.known = 1; v.n = 1;
            v.t[0].reg = base.t[0].reg; v.t[0].ind = 1; v.t[0].j = base.k + d->mem[2];
            SETNEW(d->regs[0], v);
        }
    }
    for (i = 0; i < d->nwrites; i++) {
        int r = d->writes[i];
        sym_t v = unknown();
        for (j = 0; j < w.n; j++) if (w.reg[j] == r) v = w.val[j];
        t->set[r] = 1; t->val[r] = v;
    }
#undef SETNEW
}

/* classify.py _tracked_load: fills f[9] (register ids still capstone's), returns 1 if tracked */
static int tracked_load(const tracker_t *t, const mcs_dec *d, uint32_t iaddr, int64_t f[9]) {
    int64_t nbytes = d->nm->load_bytes;
    sym_t v;
    int i;
    if ((d->cls == CL_LOAD || d->cls == CL_FPU_LOAD || d->cls == CL_LDM) && d->has_mem) {
        int64_t shift = d->mem[3];
        if (d->mem[0] == ARM_REG_PC) {
            f[0] = LITERAL; f[1] = f[2] = f[3] = f[4] = f[5] = 0;
            f[6] = (int64_t)((iaddr + 4) & ~3u) + d->mem[2]; f[7] = nbytes; f[8] = 0;
            return 1;
        }
        v = tget(t, d->mem[0]);
        if (d->mem[1]) {
            sym_t iv = tget(t, d->mem[1]);
            if (!iv.known || !v.known) return 0;
            if (!iv.n) v = plus(v, iv.k * ((int64_t)1 << shift));
            else if (shift) {
                if (iv.n != 1 || v.n != 1 || is_sp_term(&v.t[0])) return 0;
                f[0] = v.t[0].reg; f[1] = v.t[0].ind; f[2] = v.t[0].j;
                f[3] = iv.t[0].reg; f[4] = iv.t[0].ind; f[5] = iv.t[0].j;
                f[6] = v.k + iv.k * ((int64_t)1 << shift) + (d->post_index ? 0 : d->mem[2]);
                f[7] = nbytes; f[8] = shift;
                return 1;
            } else v = add2(v, iv);
        }
        v = plus(v, d->post_index ? 0 : d->mem[2]);
    } else if (d->cls == CL_LDM && (d->nm->nm == NM_LDM || d->nm->nm == NM_LDMIA) && d->nops) {
        v = tget(t, d->regs[0]);
        nbytes = 4 * (int64_t)d->nregs;
    } else return 0;
    if (!v.known) return 0;
    for (i = 0; i < v.n; i++) if (is_sp_term(&v.t[i])) return 0;
    if (!v.n) {
        f[0] = LITERAL; f[1] = f[2] = f[3] = f[4] = f[5] = 0;
        f[6] = v.k & 0xFFFFFFFFll; f[7] = nbytes; f[8] = 0;
        return 1;
    }
    f[0] = v.t[0].reg; f[1] = v.t[0].ind; f[2] = v.t[0].j;
    if (v.n > 1) { f[3] = v.t[1].reg; f[4] = v.t[1].ind; f[5] = v.t[1].j; }
    else f[3] = f[4] = f[5] = 0;
    f[6] = v.k; f[7] = nbytes; f[8] = 0;
    return 1;
}

/* ---- the cost rules (classify.py classify_block) ---- */
static int is_mem1(int c) { return c == CL_LOAD || c == CL_STORE; }
static int is_simple(int c) {
    return c == CL_ALU || c == CL_LOAD || c == CL_STORE || c == CL_MUL || c == CL_DSP || c == CL_NOP;
}
static int is_loads(int c) { return c == CL_LOAD || c == CL_LDM || c == CL_POP_PC || c == CL_LOAD_PC ||
                                   c == CL_TABLE_BRANCH; }
static int is_addr(int c) {
    return c == CL_LOAD || c == CL_STORE || c == CL_LDM || c == CL_STM || c == CL_FPU_LOAD ||
           c == CL_FPU_STORE || c == CL_FPU_LDM;
}
static int is_mac16(int c) { return c == CL_MUL || c == CL_DSP; }

static int pairs16(const mcs_dec *d, int cls, int prev_cls) {
    if (cls == CL_COND_BRANCH) return d->nm->nm == NM_B;
    if (cls == CL_IT) return 1;
    if (cls == CL_NOP) return prev_cls == CL_ALU || prev_cls == CL_LOAD || prev_cls == CL_STORE;
    return 0;
}

static int reads_late(const mcs_dec *d, const uint16_t *late, int nlate, int from_extend_add) {
    int i;
    if (d->cls == CL_STORE && d->has_mem)
        return mcs_has(late, nlate, d->mem[0]) || (d->mem[1] && mcs_has(late, nlate, d->mem[1]));
    if (d->cls == CL_MLA && d->nops == 4)
        return mcs_has(late, nlate, d->regs[1]) || mcs_has(late, nlate, d->regs[2]);
    if (from_extend_add && d->nm->extend_add && d->nops >= 3)   /* XTA Rd, Rn, Rm */
        return mcs_has(late, nlate, d->regs[2]);
    for (i = 0; i < d->nreads; i++) if (mcs_has(late, nlate, d->reads[i])) return 1;
    return 0;
}

static int late_result(const mcs_model *m, const mcs_dec *d, const mcs_cc *cc, uint16_t *late,
                       int *nlate) {
    int i;
    *nlate = 0;
    if (d->conditional) return 0;
    if (cc->use_stall && d->cls == CL_LOAD && d->nops) { late[(*nlate)++] = d->regs[0]; return cc->use_stall; }
    if (cc->use_stall && d->cls != CL_LOAD) {
        for (i = 0; i < d->nwrites; i++) if (d->writes[i] != ARM_REG_CPSR) late[(*nlate)++] = d->writes[i];
        return cc->use_stall;
    }
    if (m->extend_add_use_stall && d->nm->extend_add) {
        for (i = 0; i < d->nwrites; i++) if (d->writes[i] != ARM_REG_CPSR) late[(*nlate)++] = d->writes[i];
        return m->extend_add_use_stall;
    }
    if (m->shifted_use_stall && d->cls == CL_ALU && d->shifted) {
        for (i = 0; i < d->nwrites; i++) if (d->writes[i] != ARM_REG_CPSR) late[(*nlate)++] = d->writes[i];
        return m->shifted_use_stall;
    }
    return 0;
}

static int push_pair(mcs_blockinfo *o, uint32_t a, uint32_t b) {
    if (o->nprefix + 2 > o->cap_prefix) {
        uint32_t cap = o->cap_prefix ? 2 * o->cap_prefix : 64;
        uint32_t *p = realloc(o->prefix, cap * sizeof(uint32_t));
        if (!p) return -1;
        o->prefix = p; o->cap_prefix = cap;
    }
    o->prefix[o->nprefix++] = a; o->prefix[o->nprefix++] = b;
    return 0;
}

static int push_load(mcs_blockinfo *o, const int32_t *f) {
    if (9 * (o->nloads + 1) > o->cap_loads) {
        uint32_t cap = o->cap_loads ? 2 * o->cap_loads : 9 * 16;
        int32_t *p = realloc(o->loads, cap * sizeof(int32_t));
        if (!p) return -1;
        o->loads = p; o->cap_loads = cap;
    }
    memcpy(o->loads + 9 * o->nloads, f, 9 * sizeof(int32_t));
    o->nloads++;
    return 0;
}

static int32_t s32(int64_t v) { return (int32_t)(uint32_t)(v & 0xFFFFFFFFll); }

int mcs_classify(mcs_classifier *k, const uint8_t *code, uint32_t size, uint32_t addr,
                 uint32_t pre, mcs_read_fn read, void *user, mcs_blockinfo *o) {
    const mcs_model *m = &k->m;
    int n = instructions(k, code, size, addr), i;
    int64_t cycles = 0;
    int prev_cls = -1, paired = 0, prev_size = 0, prev_flags = 0, nlate = 0, late_stall = 0,
        late_xta = 0;
    const mcs_dec *prev = NULL;
    uint16_t late[MAXR];
    tracker_t tr;
    uint32_t off = 0;
    if (n < 0) return -1;
    tracker_init(&tr);
    o->cycles = o->ninsns = o->taken = o->end = o->last_indirect = 0;
    o->last_cls = (uint32_t)-1;
    memset(o->class_cycles, 0, sizeof o->class_cycles);
    o->nprefix = o->nloads = 0;
    if (m->scoreboard) mcs_board_reset(k->board, m);
    for (i = 0; i < n; i++) {
        const mcs_dec *d = k->seq[i];
        uint32_t iaddr = addr + off;
        int cls = d->cls, j, depends = 0, addr_dep = 0;
        const mcs_cc *cc = &m->cls[cls];
        int64_t c = cc->cycles + (int64_t)cc->per_reg * d->nregs, this_taken, extra = 0;
        int counted = off >= pre;        /* else: the preamble (pipeline state only) */
        off += d->size;
        o->ninsns += counted;
        if (cc->flags_extra && d->sets_flags) c += cc->flags_extra;
        if (prev) for (j = 0; j < d->nreads; j++) if (mcs_has(prev->writes, prev->nwrites, d->reads[j])) { depends = 1; break; }
        if (prev && d->has_mem)
            addr_dep = mcs_has(prev->writes, prev->nwrites, d->mem[0]) ||
                       (d->mem[1] && mcs_has(prev->writes, prev->nwrites, d->mem[1]));
        if (is_addr(cls) && !is_mem1(prev_cls) && m->agu_stall && addr_dep) c += m->agu_stall;
        if (m->store_load_stall && prev_cls == CL_STORE && is_loads(cls)) c += m->store_load_stall;
        else if (is_mem1(cls) && is_mem1(prev_cls) && cc->pipelined >= 0 && !depends) c = cc->pipelined;
        if (cc->after_load >= 0 && prev_cls == CL_LOAD && !addr_dep && (!d->has_mem || !d->mem[1]))
            c = cc->after_load;
        else if (cc->reg_offset_extra && d->has_mem && d->mem[1] && !(prev_cls == CL_LOAD && !depends))
            c += cc->reg_offset_extra;
        if (late_stall && reads_late(d, late, nlate, late_xta)) c += late_stall;
        this_taken = cc->taken;
        if (m->register_target_extra && (d->nm->nm == NM_BX || d->nm->nm == NM_BLX))
            extra = m->register_target_extra;
        if (m->unaligned_target_extra && d->has_target && read) {
            int64_t target = (int64_t)iaddr + d->target_off;
            uint8_t hw[2];
            if ((target & 2) && target >= 0 && target <= 0xFFFFFFFFll &&
                read(user, (uint64_t)target, hw, 2) == 0) {
                uint32_t h = hw[0] | hw[1] << 8;
                if (h >> 11 == 0x1D || h >> 11 == 0x1E || h >> 11 == 0x1F)
                    extra += m->unaligned_target_extra;
            }
        }
        if (cls == CL_COND_BRANCH) this_taken += extra;
        else c += extra;
        if (m->scoreboard) {
            c = mcs_board_issue(k->board, d, cc);
        } else if (m->dual_issue && !paired && is_simple(cls) && is_simple(prev_cls) && !depends &&
                   !(is_mem1(cls) && is_mem1(prev_cls)) && !(is_mac16(cls) && is_mac16(prev_cls))) {
            c = 0; paired = 1;
        } else if (m->dual_issue_16 && !paired && d->size == 2 && prev_size == 2 &&
                   pairs16(d, cls, prev_cls)) {
            if (cls == CL_COND_BRANCH) this_taken = cc->cycles + cc->taken - (prev_flags ? 0 : 1);
            c = 0; paired = 1;
        } else {
            paired = 0;
        }
        prev_cls = cls; prev = d; prev_size = d->size; prev_flags = d->sets_flags;
        late_stall = late_result(m, d, cc, late, &nlate);
        late_xta = late_stall && d->nm->extend_add;
        if (!counted) continue;
        cycles += c;
        o->class_cycles[cls] += (uint32_t)c;
        if (push_pair(o, iaddr + d->size - (addr + pre), (uint32_t)cycles) < 0) return -1;
        if (k->track_loads) {
            int64_t f[9];
            if (tracked_load(&tr, d, iaddr, f)) {
                int32_t g[9];
                g[0] = f[0] == LITERAL ? -1 : k->uc_reg[f[0] & (NREG - 1)];
                g[1] = (int32_t)f[1]; g[2] = s32(f[2]);
                g[3] = f[3] ? (f[3] == LITERAL ? -1 : k->uc_reg[f[3] & (NREG - 1)]) : 0;
                g[4] = (int32_t)f[4]; g[5] = s32(f[5]); g[6] = s32(f[6]);
                g[7] = (int32_t)f[7]; g[8] = (int32_t)f[8];
                if (push_load(o, g) < 0) return -1;
            }
        }
        tr.iaddr = iaddr;
        tupdate(&tr, d);
        o->last_indirect = d->nm->nm == NM_BX || d->nm->nm == NM_BLX || cls == CL_POP_PC ||
                           cls == CL_LOAD_PC || cls == CL_TABLE_BRANCH || cls == CL_ALU_PC;
        if (cls == CL_CALL) o->end = 2;
        else if (cls == CL_COND_BRANCH) { o->end = 1; o->taken = (uint32_t)this_taken; }
        else o->end = 0;
    }
    free(tr.sp);
    o->cycles = (uint32_t)cycles;
    o->last_cls = (uint32_t)prev_cls;
    return 0;
}
