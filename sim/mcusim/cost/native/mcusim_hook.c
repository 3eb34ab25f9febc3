/* mcusim native block hook: Unicorn UC_HOOK_BLOCK callback that adds each basic block's
 * precomputed cost, the dynamic parts (taken conditional branch, instruction-fetch misses in a
 * flash cache, data reads from flash), and keeps the call stack, per-function and per-call-path
 * cycles and an enter/exit event log. Blocks are classified once, in Python, on first sight
 * (the classify callback) or natively (mcusim_classify.c, the same rules: mcs_native_init);
 * everything per executed block stays in C.
 *
 * Built by mcusim.cost.native at first use with the host C compiler; no Unicorn headers are
 * needed: Unicorn functions are passed in as pointers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "mcusim_classify.h"

/* How a block ends: END_COND_RET is a conditional indirect branch (BXNE LR): taken, it may be a
 * return. Kinds >= END_CALL go through control_flow(). */
enum { END_PLAIN = 0, END_COND = 1, END_CALL = 2, END_RET = 3, END_COND_RET = 4, END_SPIN = 5 };
#define IS_COND(e) ((e) == END_COND || (e) == END_COND_RET)
#define FN_ALWAYS_TRACE 1u
#define NO_FETCH 0xffu
#define MAX_FETCH 8
#define MAX_DATA 8

typedef int (*emu_stop_fn)(void *uc);
typedef int (*reg_read_fn)(void *uc, int regid, void *value);
typedef int (*mem_read_fn)(void *uc, uint64_t address, void *bytes, uint64_t size);
typedef int (*classify_fn)(uint32_t addr, uint32_t size);   /* returns block index or -1 */
/* the Python reference's fall-through edge (profiler.py _edge): out = delta, taken delta, class
 * deltas; 0: done */
typedef int (*edge_fn)(uint32_t a_addr, uint32_t a_size, uint32_t b_addr, uint32_t b_size,
                       int32_t *out);
#define NO_CARRY 0x10u               /* mcs_add_block's end flag: a trap/system instruction ends it */

/* Counters Python reads through ctypes while the program runs (keep in sync with native.py). */
typedef struct {
    uint64_t cycles;
    uint64_t max_cycles;          /* 0: no limit */
    uint64_t fetch_stall;         /* instruction-fetch wait states */
    uint64_t data_stall;          /* data-read wait states (flash) */
    int32_t limit_hit;
    int32_t depth;
    uint64_t stop_at;             /* min(max_cycles, deadline); UINT64_MAX: nothing armed */
    uint64_t deadline;            /* the machine's next event (0: none) */
    uint64_t exc_cycles;          /* exception entry/return/tail-chain cycles */
    int32_t deadline_hit;
    int32_t spin;                 /* a branch-to-self block started its second execution */
    uint64_t mispredict_cycles;   /* branch-predictor misses (cores with a predictor) */
} mcs_live;

typedef struct {                     /* hot fields first: the per-execution path reads them */
    uint32_t addr, size;
    uint32_t cycles, taken;          /* static cycles; extra when its final branch is taken */
    int32_t func;
    uint8_t end, is_entry, fetch, no_carry;
    uint32_t nloads, load_first;     /* tracked data loads (mcs_load pool) */
    uint32_t succ_addr[2], succ_size[2];  /* the last successors seen: skips the hash lookup */
    int32_t succ_idx[2];
    uint64_t execs;
    uint64_t fetch_epoch;            /* cache epoch when all its lines were last seen resident */
    int64_t last_pred;               /* the block executed before it last time */
    uint64_t path_epoch;             /* ctx path_epoch at its last execution */
    uint32_t quiet, skipped;         /* executions its loads may skip, and skipped so far */
    uint64_t quiet_epoch;            /* data_epoch when the quiet span was computed */
    uint32_t line_first, line_last;  /* instruction-fetch lines the block spans (addr >> shift) */
    uint32_t ninsns;
    uint32_t prefix;                 /* index into prefix pool: (end offset, cumulative cycles) */
    uint64_t takens;
    uint32_t slot[4];                /* where its lines were (fast path for blocks of <= 4 lines) */
    uint32_t pred;                   /* 2-bit counter of its final conditional branch */
    /* Its fall-through edge (docs/cost-model.md "Block boundaries"): the successor at its end
     * that the pipeline carry was computed for (index + 1, 0: none), what that successor costs
     * more (or less) after it than alone, per class (slot + 1 in the ecls pool), and how often
     * the edge ran. */
    uint32_t ft_idx, ft_cls;
    int32_t ft_delta, ft_taken;
    uint64_t ft_execs;
} mcs_block;

/* A data load whose address is reg[base] (+ reg[index]) + off at block entry (base -1: the
 * constant address off, a PC-relative literal). Its address is
 * read from the registers ("probed") now and then and predicted in between by its last stride;
 * every predicted or probed address goes through the data-side line cache. A probe that finds
 * the prediction wrong makes the load probed at every execution again; each right one doubles
 * the interval, up to PROBE_MAX. Regular streams (weights in a kernel's inner loop) thus cost
 * almost no register reads; irregular loads are probed every time, hence exact. */
typedef struct {
    int32_t base, base_ind, base_j;  /* term: reg[base], or word[reg[base] + base_j] if base_ind */
    int32_t index, index_ind, index_j;   /* second term (index 0: none) */
    int32_t off;                     /* address = term(base) + (term(index) << shift) + off */
    uint32_t bytes, shift;
    uint32_t addr;                   /* last (probed or predicted) address */
    int32_t stride;                  /* per execution */
    uint32_t interval, countdown;    /* executions between probes, and until the next one */
    uint32_t line, slot;             /* last line it touched and the cache slot holding it */
    uint32_t multi;                  /* that access spanned two lines */
    uint64_t epoch;                  /* that cache's fill count then: unchanged => still there */
    int32_t cache;                   /* data cache of that line, -1: none (RAM) */
    uint32_t seen;                   /* probed at least once; bit 1: the previous exec probed */
} mcs_load;
#define IS_LITERAL(l) ((l)->base < 0 && !(l)->base_ind)   /* a constant address */
#ifndef PROBE_MAX
#define PROBE_MAX 64
#endif

typedef struct {
    int32_t func;
    uint32_t ret;                    /* return address pushed by the call (0xffffffff: none) */
    uint32_t node;
    uint32_t traced;
    uint32_t is_exc;                 /* pushed by exception entry (mcs_exc_enter) */
    uint32_t exc_ret;                /* exception frames: the address the handler returns to */
    int64_t exc_prev;                /* exception frames: the block that ran before entry */
    int32_t exc_taken_adj;           /* exception frames: that block's taken_adj */
    uint64_t entry;                  /* cycle count at entry */
    uint64_t pend_c;                 /* self cycles not yet added to its function and node */
    uint64_t insn_entry;             /* instructions at entry (always-traced functions only) */
} mcs_frame;

typedef struct { uint32_t parent; int32_t func; uint64_t self; } mcs_node;
typedef struct { int32_t func; uint32_t enter; uint64_t cycle; } mcs_event;
typedef struct { uint64_t calls, self, insns_undone, incl, incl_insns; uint32_t active, flags; } mcs_func;

typedef struct {                     /* a set-associative LRU line cache in front of slow memory */
    uint32_t shift, nsets, ways, miss, prefetch, last_line;
    uint32_t base, end;              /* address range it serves (data side) */
    uint32_t *tags;                  /* line + 1, 0 = empty */
    uint64_t *stamp;
    uint64_t clock;
    uint64_t epoch;                  /* number of fills so far: unchanged => nothing evicted */
    uint32_t hit_slot;               /* slot of the last access */
    int64_t last_block;              /* index of the block whose lines were touched last */
} mcs_cache;

typedef struct {
    mcs_live live;                   /* first: Python maps the context's head as mcs_live */
    void *uc;
    emu_stop_fn emu_stop;
    classify_fn classify;
    /* blocks: open-addressing table of (addr,size) -> index + 1 */
    mcs_block *blocks; uint32_t nblocks, cap_blocks;
    uint32_t *table; uint32_t table_mask;
    uint32_t *prefix; uint32_t nprefix, cap_prefix;
    mcs_load *loads; uint32_t nloads, cap_loads;
    reg_read_fn reg_read;
    mem_read_fn mem_read;
    int64_t prev;                    /* index of the previous block, -1 none */
    /* functions: index nfuncs is "(no symbol)" */
    mcs_func *funcs; uint32_t nfuncs;
    mcs_frame *stack; uint32_t cap_stack;
    mcs_frame *top;                  /* &stack[depth - 1], NULL when empty */
    mcs_node *nodes; uint32_t nnodes, cap_nodes, max_nodes;
    uint32_t *node_table; uint32_t node_mask;
    mcs_event *events; uint64_t nevents, cap_events, event_limit;
    mcs_cache fetch[MAX_FETCH]; uint32_t nfetch;
    mcs_cache data[MAX_DATA]; uint32_t ndata;
    uint64_t insns_undone;           /* instructions taken back by mcs_rewind */
    uint64_t data_epoch;             /* fills of any data-side cache so far */
    uint64_t path_epoch;             /* times a block was entered from a new predecessor */
    int64_t data_last_block;         /* block that last accessed a data-side cache */
    int32_t prev_done;               /* prev ran to its end (restored by an exception return) */
    uint32_t mispredict;             /* cycles of a mispredicted conditional branch (0: none) */
    /* native classification (mcs_native_init): NULL -> every new block goes to Python */
    mcs_classifier *ncl;
    mcs_blockinfo nbi;
    uint32_t *fn_start, *fn_size, nfn;
    uint32_t nmem, mem_rows[4 * 16];       /* base, end, fetch model, static wait states */
    uint32_t *bcls; uint64_t cap_bcls;     /* NCLASS_OUT class cycles per block */
    uint32_t native_blocks;
    /* fall-through pipeline carry */
    edge_fn edge;                          /* the Python reference's (NULL: none) */
    mcs_blockinfo ebi;                     /* a block classified after its predecessor */
    int32_t *ecls; uint64_t cap_ecls; uint32_t necls;   /* NCLASS_OUT class deltas per edge */
    int64_t adj_cls[NCLASS_OUT];           /* retired edges' class deltas, taken adjustments */
    int32_t cur_delta;                     /* cycles the edge added to the running block */
    int32_t taken_adj;                     /* ... and to its final branch's taken cost */
} mcs_ctx;

static void *grow(void *p, uint64_t n, uint64_t *cap, uint64_t elem) {
    if (n < *cap) return p;
    uint64_t c = *cap ? *cap * 2 : 1024;
    while (c <= n) c *= 2;
    void *q = realloc(p, c * elem);
    if (!q) abort();
    memset((char *)q + *cap * elem, 0, (c - *cap) * elem);
    *cap = c;
    return q;
}
#define GROW(ptr, n, cap) do { uint64_t _c = (cap); (ptr) = grow((ptr), (n), &_c, sizeof *(ptr)); (cap) = _c; } while (0)

static inline uint32_t hash2(uint32_t a, uint32_t b) {
    uint64_t h = ((uint64_t)a * 0x9E3779B97F4A7C15ull) ^ ((uint64_t)b * 0xC2B2AE3D27D4EB4Full);
    return (uint32_t)(h >> 32);
}

mcs_ctx *mcs_new(uint32_t nfuncs, void *uc, void *emu_stop, void *reg_read, void *mem_read,
                 void *classify, uint64_t max_cycles, uint64_t event_limit, uint32_t max_nodes) {
    mcs_ctx *c = calloc(1, sizeof *c);
    c->uc = uc; c->emu_stop = (emu_stop_fn)emu_stop; c->classify = (classify_fn)classify;
    c->reg_read = (reg_read_fn)reg_read;
    c->mem_read = (mem_read_fn)mem_read;
    c->live.max_cycles = max_cycles;
    c->live.stop_at = max_cycles ? max_cycles : UINT64_MAX;
    c->event_limit = event_limit;
    c->max_nodes = max_nodes ? max_nodes : 1;
    c->nfuncs = nfuncs;
    c->funcs = calloc(nfuncs + 1, sizeof *c->funcs);
    c->table_mask = 4095; c->table = calloc(4096, sizeof(uint32_t));
    c->node_mask = 4095; c->node_table = calloc(4096, sizeof(uint32_t));
    c->prev = -1;
    c->data_last_block = -1;
    GROW(c->nodes, 0, c->cap_nodes);
    c->nodes[0].func = -1; c->nnodes = 1;             /* virtual root of the call tree */
    return c;
}

mcs_live *mcs_live_ptr(mcs_ctx *c) { return &c->live; }

void mcs_set_func_flags(mcs_ctx *c, uint32_t func, uint32_t flags) {
    if (func < c->nfuncs) c->funcs[func].flags = flags;
}

/* 0, or -1 when the geometry cannot be modelled or memory runs out (the board loader checks the
 * figures first; this keeps a bad caller from a hang or a NULL write). */
static int cache_init(mcs_cache *k, uint32_t line_bytes, uint32_t lines, uint32_t ways,
                      uint32_t miss, uint32_t prefetch, uint32_t base, uint32_t end) {
    uint32_t shift = 0;
    if (line_bytes == 0 || line_bytes > (1u << 16) || (line_bytes & (line_bytes - 1)))
        return -1;
    if (lines > (1u << 24)) return -1;
    while ((1u << shift) < line_bytes) shift++;
    if (!lines) lines = 1;
    if (!ways || ways > lines) ways = lines;
    k->shift = shift; k->ways = ways; k->nsets = lines / ways ? lines / ways : 1;
    k->miss = miss; k->prefetch = prefetch; k->last_line = 0xffffffffu - 1;
    k->base = base; k->end = end; k->last_block = -1;
    k->tags = calloc((size_t)k->nsets * ways, sizeof(uint32_t));
    k->stamp = calloc((size_t)k->nsets * ways, sizeof(uint64_t));
    if (!k->tags || !k->stamp) {
        free(k->tags); free(k->stamp); k->tags = NULL; k->stamp = NULL;
        return -1;
    }
    return 0;
}

/* Returns the fetch-model index used in mcs_add_block, or -1 when full. */
int mcs_add_fetch(mcs_ctx *c, uint32_t line_bytes, uint32_t lines, uint32_t ways, uint32_t miss,
                  uint32_t prefetch) {
    if (c->nfetch >= MAX_FETCH) return -1;
    if (cache_init(&c->fetch[c->nfetch], line_bytes, lines, ways, miss, prefetch, 0, 0))
        return -2;
    return (int)c->nfetch++;
}

int mcs_add_data(mcs_ctx *c, uint32_t base, uint32_t end, uint32_t line_bytes, uint32_t lines,
                 uint32_t ways, uint32_t miss) {
    if (c->ndata >= MAX_DATA) return -1;
    if (cache_init(&c->data[c->ndata], line_bytes, lines, ways, miss, 0, base, end))
        return -2;
    return (int)c->ndata++;
}

uint32_t mcs_line_shift(mcs_ctx *c, uint32_t fetch) { return fetch < c->nfetch ? c->fetch[fetch].shift : 0; }

/* 1 when the line missed (and is now filled). */
static inline int cache_access(mcs_cache *k, uint32_t line) {
    uint32_t set = line % k->nsets, w, victim = 0;
    uint32_t *tags = k->tags + (size_t)set * k->ways;
    uint64_t *st = k->stamp + (size_t)set * k->ways;
    k->clock++;
    for (w = 0; w < k->ways; w++)
        if (tags[w] == line + 1) { st[w] = k->clock; k->hit_slot = set * k->ways + w; return 0; }
    for (w = 1; w < k->ways; w++)
        if (st[w] < st[victim]) victim = w;
    tags[victim] = line + 1; st[victim] = k->clock;
    k->hit_slot = set * k->ways + victim;
    k->epoch++;
    return 1;
}

int64_t mcs_add_block(mcs_ctx *c, uint32_t addr, uint32_t size, uint32_t cycles, uint32_t ninsns,
                      uint32_t taken, int32_t func, uint32_t end, uint32_t is_entry,
                      uint32_t fetch, uint32_t n, const uint32_t *pairs,
                      uint32_t nloads, const int32_t *loads) {
    GROW(c->blocks, c->nblocks, c->cap_blocks);
    GROW(c->prefix, c->nprefix + 2 * (uint64_t)n, c->cap_prefix);
    {
        uint64_t old = c->cap_bcls;
        GROW(c->bcls, (c->nblocks + 1) * (uint64_t)NCLASS_OUT, c->cap_bcls);
        if (c->cap_bcls > old) memset(c->bcls + old, 0, (c->cap_bcls - old) * sizeof(uint32_t));
        memset(c->bcls + (uint64_t)c->nblocks * NCLASS_OUT, 0, NCLASS_OUT * sizeof(uint32_t));
    }
    mcs_block *b = &c->blocks[c->nblocks];
    memset(b, 0, sizeof *b);
    b->addr = addr; b->size = size; b->cycles = cycles; b->ninsns = ninsns; b->taken = taken;
    b->func = (func < 0 || (uint32_t)func >= c->nfuncs) ? (int32_t)c->nfuncs : func;
    b->end = (uint8_t)(end & 0xf); b->is_entry = (uint8_t)is_entry;
    b->no_carry = (end & NO_CARRY) != 0;
    b->pred = 1;                                     /* weakly not-taken */
    b->fetch = fetch < c->nfetch ? (uint8_t)fetch : NO_FETCH;
    b->fetch_epoch = UINT64_MAX;                 /* never checked yet */
    b->succ_addr[0] = b->succ_addr[1] = 0xffffffffu;   /* no successor seen (odd: no Thumb PC) */
    b->last_pred = -2;
    if (b->fetch != NO_FETCH) {
        uint32_t s = c->fetch[fetch].shift;
        b->line_first = addr >> s; b->line_last = (addr + size - 1) >> s;
    }
    b->prefix = c->nprefix;
    memcpy(c->prefix + c->nprefix, pairs, 2 * sizeof(uint32_t) * n);
    c->nprefix += 2 * n;
    if (c->ndata && nloads) {                 /* LOAD_FIELDS int32s each, as in profiler.py */
        uint32_t i;
        GROW(c->loads, c->nloads + (uint64_t)nloads, c->cap_loads);
        b->load_first = c->nloads; b->nloads = nloads;
        for (i = 0; i < nloads; i++) {
            mcs_load *l = &c->loads[c->nloads++];
            memset(l, 0, sizeof *l);
            const int32_t *f = loads + 9 * i;      /* LOAD_FIELDS in profiler.py */
            l->base = f[0]; l->base_ind = f[1]; l->base_j = f[2];
            l->index = f[3]; l->index_ind = f[4]; l->index_j = f[5];
            l->off = f[6]; l->bytes = (uint32_t)f[7]; l->shift = (uint32_t)f[8] & 31;
            l->cache = -1;
            l->interval = l->countdown = 1;
        }
    }
    /* index it; grow the table at half load */
    if (2 * (c->nblocks + 1) > c->table_mask) {
        uint32_t nm = c->table_mask * 2 + 1, i;
        uint32_t *nt = calloc((size_t)nm + 1, sizeof(uint32_t));
        for (i = 0; i <= c->nblocks; i++) {
            mcs_block *x = &c->blocks[i];
            if (i == c->nblocks) break;
            uint32_t h = hash2(x->addr, x->size) & nm;
            while (nt[h]) h = (h + 1) & nm;
            nt[h] = i + 1;
        }
        free(c->table); c->table = nt; c->table_mask = nm;
    }
    uint32_t h = hash2(addr, size) & c->table_mask;
    while (c->table[h]) h = (h + 1) & c->table_mask;
    c->table[h] = c->nblocks + 1;
    return c->nblocks++;
}

static inline int64_t lookup(mcs_ctx *c, uint32_t addr, uint32_t size) {
    uint32_t h = hash2(addr, size) & c->table_mask, v;
    while ((v = c->table[h])) {
        mcs_block *b = &c->blocks[v - 1];
        if (b->addr == addr && b->size == size) return v - 1;
        h = (h + 1) & c->table_mask;
    }
    return -1;
}

/* ---- call tree ---- */
static uint32_t child_node(mcs_ctx *c, uint32_t parent, int32_t func) {
    uint32_t h = hash2(parent, (uint32_t)func) & c->node_mask, v;
    while ((v = c->node_table[h])) {
        mcs_node *n = &c->nodes[v - 1];
        if (n->parent == parent && n->func == func) return v - 1;
        h = (h + 1) & c->node_mask;
    }
    if (c->nnodes >= c->max_nodes) return parent;   /* cap: charge deeper paths to the parent */
    GROW(c->nodes, c->nnodes, c->cap_nodes);
    mcs_node *n = &c->nodes[c->nnodes];
    n->parent = parent; n->func = func; n->self = 0;
    c->node_table[h] = ++c->nnodes;
    if (2 * c->nnodes > c->node_mask) {              /* rehash */
        uint32_t nm = c->node_mask * 2 + 1, i;
        uint32_t *nt = calloc((size_t)nm + 1, sizeof(uint32_t));
        for (i = 0; i < c->nnodes; i++) {
            uint32_t g = hash2(c->nodes[i].parent, (uint32_t)c->nodes[i].func) & nm;
            while (nt[g]) g = (g + 1) & nm;
            nt[g] = i + 1;
        }
        free(c->node_table); c->node_table = nt; c->node_mask = nm;
    }
    return c->nnodes - 1;
}

static void event(mcs_ctx *c, int32_t func, uint32_t enter) {
    GROW(c->events, c->nevents, c->cap_events);
    mcs_event *e = &c->events[c->nevents++];
    e->func = func; e->enter = enter; e->cycle = c->live.cycles;
}

static inline void flush(mcs_ctx *c, mcs_frame *f) {
    c->funcs[f->func].self += f->pend_c;
    c->nodes[f->node].self += f->pend_c;
    f->pend_c = 0;
}

static void flush_all(mcs_ctx *c) {
    int32_t i;
    for (i = 0; i < c->live.depth; i++) flush(c, &c->stack[i]);
}

uint64_t mcs_instructions(mcs_ctx *c);

static void push(mcs_ctx *c, int32_t func, uint32_t ret, int count_call) {
    uint32_t d = (uint32_t)c->live.depth;
    if (d) flush(c, &c->stack[d - 1]);
    GROW(c->stack, d, c->cap_stack);
    mcs_frame *f = &c->stack[d];
    f->func = func; f->ret = ret; f->entry = c->live.cycles; f->pend_c = 0; f->is_exc = 0;
    f->node = child_node(c, d ? c->stack[d - 1].node : 0, func);   /* node 0: the root */
    f->traced = c->nevents < c->event_limit || (func < (int32_t)c->nfuncs &&
                                                (c->funcs[func].flags & FN_ALWAYS_TRACE));
    if (f->traced) event(c, func, 1);
    /* Inclusive instructions only for the always-traced (layer) functions: the count is summed
     * over blocks, too slow to take at every call. */
    if (c->funcs[func].flags & FN_ALWAYS_TRACE) f->insn_entry = mcs_instructions(c);
    c->funcs[func].active++;
    if (count_call) c->funcs[func].calls++;
    c->live.depth = (int32_t)d + 1;
    c->top = f;
}

static void pop(mcs_ctx *c) {
    mcs_frame *f = &c->stack[--c->live.depth];
    mcs_func *fn = &c->funcs[f->func];
    flush(c, f);
    if (--fn->active == 0) {                                         /* outermost activation */
        fn->incl += c->live.cycles - f->entry;
        if (fn->flags & FN_ALWAYS_TRACE) fn->incl_insns += mcs_instructions(c) - f->insn_entry;
    }
    if (f->traced) event(c, f->func, 0);
    c->top = c->live.depth ? f - 1 : NULL;
}

static void start(mcs_ctx *c, int32_t func) {
    push(c, func, 0xffffffffu, 1);
    c->prev = -1;
}

/* Control reached `b` by something other than a call: a return, a tail call, a jump into
 * another function (e.g. a .cold part), or a longjmp. Keep the stack consistent. */
static void transfer(mcs_ctx *c, const mcs_block *p, const mcs_block *b, uint32_t addr) {
    int32_t d = c->live.depth, i, lo = 0;
    for (i = d - 1; i > 0; i--)          /* a handler's code never unwinds what it preempted */
        if (c->stack[i].is_exc) { lo = i; break; }
    if (p && (p->end == END_RET || p->end == END_COND_RET)) {
        if (d - 1 > lo && c->stack[d - 1].ret == addr) { pop(c); return; }
        for (i = d - 2; i >= lo + 1; i--)            /* several frames (longjmp) */
            if (c->stack[i].ret == addr) { while (c->live.depth > i) pop(c); return; }
    }
    if (b->func == c->stack[d - 1].func) return;
    for (i = d - 2; i >= lo; i--)                    /* back into a function on the stack */
        if (c->stack[i].func == b->func) { while (c->live.depth > i + 1) pop(c); return; }
    /* tail call or jump into another function: it replaces the top frame, same return (and,
     * for a handler's tail call, the frame stays the exception's) */
    mcs_frame old = c->stack[d - 1];
    pop(c);
    push(c, b->func, old.ret, b->is_entry);
    c->top->is_exc = old.is_exc;
    c->top->exc_ret = old.exc_ret;
    c->top->exc_prev = old.exc_prev;
    c->top->exc_taken_adj = old.exc_taken_adj;
}

static inline uint32_t fetch_stall(mcs_ctx *c, mcs_block *b) {
    mcs_cache *k = &c->fetch[b->fetch];
    uint32_t line, stall = 0, n = b->line_last - b->line_first + 1, i;
    if (b->fetch_epoch == k->epoch && n <= 4) {   /* no fill since: all lines still resident */
        if (k->last_block != b - c->blocks) {     /* else they are already the newest, in order */
            uint64_t clk = k->clock;
            for (i = 0; i < n; i++) k->stamp[b->slot[i]] = ++clk;   /* exact LRU order */
            k->clock = clk;
            k->last_block = b - c->blocks;
        }
        k->last_line = b->line_last;
        return 0;
    }
    k->last_block = -1;
    for (line = b->line_first, i = 0; line <= b->line_last; line++, i++) {
        int seq = k->prefetch && line == k->last_line + 1;   /* prefetched while executing */
        if (cache_access(k, line) && !seq) stall += k->miss;
        if (i < 4) b->slot[i] = k->hit_slot;
        k->last_line = line;
    }
    b->fetch_epoch = k->epoch;
    return stall;
}

static uint32_t reg(mcs_ctx *c, int32_t id) {
    uint64_t v = 0;
    c->reg_read(c->uc, id, &v);
    return (uint32_t)v;
}

/* reg[id], or the word at reg[id] + j as memory is now (block entry). */
static uint32_t term(mcs_ctx *c, int32_t id, int32_t indirect, int32_t j) {
    uint32_t r = id >= 0 ? reg(c, id) : 0, w = 0;     /* id -1: a constant address j */
    if (!indirect) return r;
    if (c->mem_read(c->uc, r + (uint32_t)j, &w, 4)) return 0;   /* unmapped: no address */
    return w;                                                   /* little-endian host */
}

/* Data-read stall of one access of `l` at address a (full lookup). */
static uint32_t data_access_slow(mcs_ctx *c, mcs_load *l, uint32_t a) {
    uint32_t j;
    for (j = 0; j < c->ndata; j++) {
        mcs_cache *k = &c->data[j];
        if (a - k->base < k->end - k->base) {         /* usually the first (one flash) */
            uint32_t first = a >> k->shift, last = (a + l->bytes - 1) >> k->shift, x, s = 0;
            uint64_t before = k->epoch;
            for (x = first; x <= last; x++) s += cache_access(k, x) ? k->miss : 0;
            l->cache = (int32_t)j; l->line = last; l->slot = k->hit_slot; l->epoch = k->epoch;
            l->multi = first != last;
            c->data_epoch += k->epoch - before;
            return s;
        }
    }
    l->cache = -1;
    return 0;
}

/* The common case inline: the same line as this load's last access, nothing evicted since. */
static inline uint32_t data_access(mcs_ctx *c, mcs_load *l, uint32_t a) {
    if (l->cache >= 0) {
        mcs_cache *k = &c->data[l->cache];
        if ((a >> k->shift) == l->line && !l->multi && l->epoch == k->epoch &&
            ((a + l->bytes - 1) >> k->shift) == l->line) {
            if (k->hit_slot != l->slot) {        /* a hit; keep the LRU order exact */
                k->stamp[l->slot] = ++k->clock;  /* (already the newest when it was the last) */
                k->hit_slot = l->slot;
            }
            return 0;
        }
    }
    return data_access_slow(c, l, a);
}

static inline uint32_t load_addr(mcs_ctx *c, const mcs_load *l) {
    return term(c, l->base, l->base_ind, l->base_j) + (uint32_t)l->off +
           (l->index ? term(c, l->index, l->index_ind, l->index_j) << l->shift : 0);
}

/* For how many following executions does load l change nothing but its address: no probe
 * due and its flash access inside the line it just hit? Repeating the same hits leaves the LRU
 * order as it is, so while no other block touches the data caches those executions of the
 * block can be skipped (their addresses are caught up afterwards). */
static inline uint32_t quiet_of(mcs_ctx *c, const mcs_load *l) {
    uint32_t q = !IS_LITERAL(l) ? l->countdown - 1 : 1u << 20;
    if (l->cache < 0 || IS_LITERAL(l) || l->stride == 0) return q;
    if (l->multi) return 0;
    uint32_t lb = 1u << c->data[l->cache].shift, off = l->addr & (lb - 1);
    uint32_t room = l->stride > 0 ? lb - off - l->bytes : off;     /* bytes left to move */
    uint32_t step = l->stride > 0 ? (uint32_t)l->stride : (uint32_t)-l->stride;
    uint32_t n = (step & (step - 1)) ? room / step : room >> __builtin_ctz(step);
    return n < q ? n : q;
}

/* `resync`: control took a new path since the block last ran (some block was entered from
 * another predecessor than last time: a loop starts over): pointers may have been reset, so
 * every address is read, not predicted. */
static uint32_t loads_stall(mcs_ctx *c, mcs_block *b, int64_t idx, int resync) {
    uint32_t i, stall = 0, quiet = 1u << 20, ahead;
    mcs_load *ls = &c->loads[b->load_first];
    if (b->quiet && !resync && c->data_epoch == b->quiet_epoch && c->data_last_block == idx) {
        b->quiet--;
        b->skipped++;
        return 0;
    }
    ahead = b->skipped + 1;                                   /* executions since the last pass */
    b->skipped = 0;
    for (i = 0; i < b->nloads; i++) {
        mcs_load *l = &ls[i];
        uint32_t a;
        if (IS_LITERAL(l)) a = (uint32_t)l->off;             /* a literal: constant address */
        else {
            a = l->addr + (uint32_t)l->stride * ahead;        /* predicted */
            l->countdown = l->countdown > ahead ? l->countdown - ahead : 0;
            if (l->countdown == 0) {                          /* probe: the real address */
                uint32_t r = load_addr(c, l);
                if (l->seen & 2) l->stride = (int32_t)(r - l->addr);   /* consecutive probes */
                if ((l->seen & 1) && r == a) {
                    if (l->interval < PROBE_MAX) l->interval *= 2;
                } else {
                    l->interval = 1;
                }
                a = r;
                l->countdown = l->interval;
                l->seen = 1 | (l->interval == 1 ? 2 : 0);
            } else if (resync) {
                a = load_addr(c, l);                          /* new start; stride kept */
            }
        }
        l->addr = a;
        if (l->cache >= 0 || l->countdown == l->interval || resync)   /* flash, or just probed */
            stall += data_access(c, l, a);
        uint32_t q = quiet_of(c, l);
        if (q < quiet) quiet = q;
    }
    for (i = 0; i < b->nloads && quiet; i++)      /* a later fill of this pass may have evicted */
        if (ls[i].cache >= 0 && ls[i].epoch != c->data[ls[i].cache].epoch) quiet = 0;
    b->quiet = quiet;
    b->quiet_epoch = c->data_epoch;
    c->data_last_block = idx;
    return stall;
}

static inline void charge(mcs_ctx *c, uint64_t cyc) {
    c->top->pend_c += cyc;
    c->live.cycles += cyc;
}

#define COLD __attribute__((noinline, cold))
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

static int read_code(void *user, uint64_t addr, void *buf, uint64_t n) {
    mcs_ctx *c = (mcs_ctx *)user;
    return c->mem_read(c->uc, addr, buf, n);
}

/* profiler.py Profiler._classify for a block inside one memory, natively; -2: Python decides
 * (a block across memories or in none, an unreadable or undecodable one). */
static COLD int64_t native_block(mcs_ctx *c, uint32_t addr, uint32_t size) {
    uint8_t small[512], *code = size <= sizeof small ? small : malloc(size);
    mcs_blockinfo *o = &c->nbi;
    const uint32_t *mem = NULL;
    uint32_t i, fetch, end, lo = 0, hi = c->nfn;
    int32_t func = -1, entry = 0;
    int64_t idx;
    for (i = 0; i < c->nmem; i++) {
        const uint32_t *r = c->mem_rows + 4 * i;
        if (r[0] <= addr && (uint64_t)addr + size <= r[1]) { mem = r; break; }
    }
    if (!mem || !code || c->mem_read(c->uc, addr, code, size) ||
        mcs_classify(c->ncl, code, size, addr, 0, read_code, c, o) < 0) {
        if (code != small) free(code);
        return -2;
    }
    fetch = mem[2];
    if (fetch == NO_FETCH) {                         /* memory.block_fetch: static wait states */
        uint32_t ws = mem[3];
        uint32_t stall = ws ? (((addr + size - 1) >> 2) - (addr >> 2) + 1) * ws : 0;
        o->class_cycles[CL_FETCH] = stall;
        o->cycles += stall;
    }
    while (lo < hi) {                                 /* bisect_right over function starts */
        uint32_t mid = (lo + hi) / 2;
        if (addr < c->fn_start[mid]) hi = mid; else lo = mid + 1;
    }
    if (lo > 0) {
        uint32_t s = c->fn_start[lo - 1], z = c->fn_size[lo - 1] ? c->fn_size[lo - 1] : 1;
        if ((uint64_t)addr < (uint64_t)s + z) { func = (int32_t)(lo - 1); entry = addr == s; }
    }
    end = o->end;
    if ((size == 2 && code[0] == 0xfe && code[1] == 0xe7) ||
        (size == 4 && code[0] == 0xff && code[1] == 0xf7 && code[2] == 0xfe && code[3] == 0xbf))
        end = END_SPIN;                               /* B.N . / B.W . */
    else if (end == END_PLAIN && (o->last_cls == CL_BRANCH || o->last_cls == CL_POP_PC ||
                                  o->last_cls == CL_LOAD_PC || o->last_cls == CL_TABLE_BRANCH ||
                                  o->last_cls == CL_ALU_PC))
        end = END_RET;
    else if (end == END_COND && o->last_indirect)
        end = END_COND_RET;
    if (code != small) free(code);
    if (o->last_cls == CL_SYSTEM) end |= NO_CARRY;   /* a trap (SVC, BKPT) or state change */
    idx = mcs_add_block(c, addr, size, o->cycles, o->ninsns, o->taken, func, end,
                        (uint32_t)entry, fetch, o->nprefix / 2, o->prefix,
                        c->ndata ? o->nloads : 0, o->loads);
    memcpy(c->bcls + (uint64_t)idx * NCLASS_OUT, o->class_cycles, sizeof o->class_cycles);
    c->native_blocks++;
    return idx;
}

/* Block boundaries (docs/cost-model.md): what block b costs more (or less) when it runs straight
 * after a, which fell through into it, than alone: b classified with a's instructions as its
 * preamble, minus b alone; out = cycles, taken-branch cycles, then cycles per class. 0: done,
 * -1: the Python reference decides (code the native classifier cannot take). */
static int native_edge(mcs_ctx *c, const mcs_block *a, const mcs_block *b, int32_t *out) {
    uint32_t n = a->size + b->size, k;
    uint8_t small[1024], *code = n <= sizeof small ? small : malloc(n);
    int r = -1;
    if (code && !c->mem_read(c->uc, a->addr, code, n) &&
        !mcs_classify(c->ncl, code, n, a->addr, a->size, read_code, c, &c->ebi) &&
        !mcs_classify(c->ncl, code + a->size, b->size, b->addr, 0, read_code, c, &c->nbi)) {
        out[0] = (int32_t)(c->ebi.cycles - c->nbi.cycles);
        out[1] = (int32_t)(c->ebi.taken - c->nbi.taken);
        for (k = 0; k < NCLASS_OUT; k++)
            out[2 + k] = (int32_t)(c->ebi.class_cycles[k] - c->nbi.class_cycles[k]);
        r = 0;
    }
    if (code != small) free(code);
    return r;
}

/* A new fall-through edge p -> blocks[idx] (once per edge; p keeps one: a block falls through
 * to one address, and a successor of another size there replaces it, its figures so far kept
 * in adj_cls). */
static COLD void carry_edge(mcs_ctx *c, mcs_block *p, int64_t idx) {
    const mcs_block *b = &c->blocks[idx];
    int32_t out[2 + NCLASS_OUT];
    uint32_t k;
    int r = -1;
    if (p->ft_cls) {
        const int32_t *x = c->ecls + (uint64_t)(p->ft_cls - 1) * NCLASS_OUT;
        for (k = 0; k < NCLASS_OUT; k++) c->adj_cls[k] += (int64_t)x[k] * (int64_t)p->ft_execs;
    } else {
        GROW(c->ecls, (c->necls + 1) * (uint64_t)NCLASS_OUT, c->cap_ecls);
        p->ft_cls = ++c->necls;
    }
    memset(out, 0, sizeof out);
    if (c->ncl) r = native_edge(c, p, b, out);
    if (r < 0 && c->edge) r = c->edge(p->addr, p->size, b->addr, b->size, out);
    if (r < 0) memset(out, 0, sizeof out);           /* undecidable: no carry */
    p->ft_idx = (uint32_t)idx + 1; p->ft_delta = out[0]; p->ft_taken = out[1]; p->ft_execs = 0;
    memcpy(c->ecls + (uint64_t)(p->ft_cls - 1) * NCLASS_OUT, out + 2, NCLASS_OUT * sizeof(int32_t));
}

/* Successor-cache miss: hash lookup, classification of a new block, cache update. */
static COLD int64_t find_block(mcs_ctx *c, uint32_t addr, uint32_t size) {
    int64_t idx = lookup(c, addr, size);
    if (idx < 0) {
        idx = c->ncl ? native_block(c, addr, size) : -2;
        if (idx == -2) idx = c->classify(addr, size);
        if (idx < 0) return -1;
    }
    if (c->prev >= 0) {                              /* remember it (the older slot goes) */
        mcs_block *q = &c->blocks[c->prev];
        q->succ_addr[1] = q->succ_addr[0]; q->succ_size[1] = q->succ_size[0];
        q->succ_idx[1] = q->succ_idx[0];
        q->succ_addr[0] = addr; q->succ_size[0] = size; q->succ_idx[0] = (int32_t)idx;
    }
    return idx;
}

/* Anything that may change the call stack: first block, call, return, tail call, jump. */
static COLD void control_flow(mcs_ctx *c, const mcs_block *p, const mcs_block *b, uint32_t addr) {
    if (!c->live.depth) start(c, b->func);           /* first block, or running on after finish */
    else if (p && p->end == END_CALL) push(c, b->func, p->addr + p->size, 1);
    else transfer(c, p, b, addr);
}

static COLD uint32_t fetch_slow(mcs_ctx *c, mcs_block *b) { return fetch_stall(c, b); }
/* The cycle count reached stop_at: the cycle limit, or the machine's next event (a timer,
 * SysTick). Disarm until the machine arms the next deadline (mcs_arm). */
static COLD void limit(mcs_ctx *c, void *uc) {
    if (c->live.max_cycles && c->live.cycles >= c->live.max_cycles) c->live.limit_hit = 1;
    else c->live.deadline_hit = 1;
    c->live.stop_at = UINT64_MAX;
    c->emu_stop(uc);
}

/* A block that is one branch to itself runs again: the core spins (an idle `while (1);`, a
 * fault handler's endless loop). Stop, so that the machine fast-forwards to the next event or
 * reports the hang. */
static COLD void spin(mcs_ctx *c, void *uc) {
    c->live.spin = 1;
    c->emu_stop(uc);
}

/* A core with a dynamic branch predictor: a 2-bit saturating counter per conditional branch
 * (per block, whose last instruction it is), starting weakly not-taken; a wrong prediction
 * costs `mispredict` cycles. Returns the cycles to add. */
static inline uint32_t predict(mcs_ctx *c, mcs_block *p, int taken) {
    uint32_t miss = ((p->pred >= 2) != taken) ? c->mispredict : 0;
    if (taken) { if (p->pred < 3) p->pred++; }
    else if (p->pred > 0) p->pred--;
    c->live.mispredict_cycles += miss;
    return miss;
}

/* UC_HOOK_BLOCK callback: the only code run per executed block; rare cases are out of line. */
void mcs_hook_block(void *uc, uint64_t address, uint32_t size, void *user) {
    mcs_ctx *c = (mcs_ctx *)user;
    uint32_t addr = (uint32_t)address;
    int64_t idx, prev = c->prev;
    /* The cycle limit or the machine's next event was reached by the blocks that ran: stop
     * before this one, uncounted (Unicorn does not run a block whose hook stops emulation). */
    if (UNLIKELY(c->live.cycles >= c->live.stop_at)) { limit(c, uc); return; }
    mcs_block *p = prev >= 0 ? &c->blocks[prev] : NULL;
    if (p && addr == p->addr && size == p->size && p->end <= END_COND && c->top) {
        /* A block looping on itself (an inner loop) in its steady state: nothing changes but
         * the counts. Same result as the general path below, with fewer checks: no other
         * block ran since its last execution, so no other block filled a cache, touched the
         * data caches or took a new path; what is left to check is that its own last execution
         * left its fetch lines and loads in the steady state. */
        mcs_cache *k = &c->fetch[p->fetch < MAX_FETCH ? p->fetch : 0];
        if ((p->fetch == NO_FETCH || k->last_block == prev) &&
            (!p->nloads || (p->quiet && p->last_pred == prev)) && LIKELY(!c->taken_adj)) {
            uint64_t cyc = p->cycles;
            if (p->end == END_COND) {
                p->takens++;
                cyc += p->taken;
                if (UNLIKELY(c->mispredict)) cyc += predict(c, p, 1);
            }
            if (p->fetch != NO_FETCH) k->last_line = p->line_last;
            if (p->nloads) { p->quiet--; p->skipped++; }
            p->execs++;
            charge(c, cyc);
            c->prev_done = 0;
            c->cur_delta = 0;
            return;
        }
    }
    if (LIKELY(p && p->succ_addr[0] == addr && p->succ_size[0] == size)) idx = p->succ_idx[0];
    else if (p && p->succ_addr[1] == addr && p->succ_size[1] == size) idx = p->succ_idx[1];
    else {
        idx = find_block(c, addr, size);
        if (idx < 0) return;
        p = prev >= 0 ? &c->blocks[prev] : NULL;     /* the table may have moved */
    }
    mcs_block *b = &c->blocks[idx];
    uint64_t cyc = b->cycles;
    int32_t delta = 0, tadj = 0;
    if (p && IS_COND(p->end) && addr != p->addr + p->size) {
        p->takens++;                                 /* a taken conditional branch */
        cyc += p->taken;
        if (UNLIKELY(c->taken_adj)) {                /* p's branch cost as it ran after its */
            cyc += (uint64_t)(int64_t)c->taken_adj;  /* fall-through predecessor */
            c->adj_cls[CL_COND_BRANCH] += c->taken_adj;
        }
        if (UNLIKELY(c->mispredict)) cyc += predict(c, p, 1);
    } else if (p && addr == p->addr + p->size && !c->prev_done && !p->no_carry &&
               (p->end <= END_COND || p->end == END_COND_RET)) {
        /* fall-through (a page split, a not-taken branch): the pipeline carries on, so b
         * costs what it costs after p's instructions */
        if (UNLIKELY(p->ft_idx != (uint32_t)idx + 1)) carry_edge(c, p, idx);
        delta = p->ft_delta; tadj = p->ft_taken;
        p->ft_execs++;
        if (UNLIKELY(c->mispredict) && IS_COND(p->end)) cyc += predict(c, p, 0);   /* not taken */
    } else if (UNLIKELY(c->mispredict) && p && IS_COND(p->end)) {
        cyc += predict(c, p, 0);                     /* not taken */
    }
    if (UNLIKELY(!c->top || (p && p->end >= END_CALL) || b->func != c->top->func)) {
        if (cyc != b->cycles && c->top) {            /* the branch is the caller's cost */
            charge(c, cyc - b->cycles);
            cyc = b->cycles;
        }
        control_flow(c, p, b, addr);
    }
    cyc = (uint64_t)((int64_t)cyc + delta);          /* b's own: its function, its classes */
    if (b->fetch != NO_FETCH) {
        mcs_cache *k = &c->fetch[b->fetch];
        if (LIKELY(b->fetch_epoch == k->epoch && k->last_block == idx))
            k->last_line = b->line_last;             /* same block again, nothing evicted */
        else {
            uint32_t s = fetch_slow(c, b);
            c->live.fetch_stall += s;
            cyc += s;
        }
    }
    if (b->last_pred != prev) {     /* control took a new path: loops may start over, */
        c->path_epoch++;            /* so tracked loads re-read their addresses once */
        b->last_pred = prev;
    }
    if (b->nloads) {
        uint32_t s = loads_stall(c, b, idx, b->path_epoch != c->path_epoch);
        b->path_epoch = c->path_epoch;
        if (s) { c->live.data_stall += s; cyc += s; }
    }
    b->execs++;
    charge(c, cyc);                                  /* instructions: execs x ninsns, summed on read */
    if (UNLIKELY(b->end == END_SPIN && prev == idx)) spin(c, uc);
    c->prev = idx;
    c->prev_done = 0;
    c->cur_delta = delta;
    c->taken_adj = tadj;
}

/* Cycles of a block's first instructions (`done` of them alone) when it was entered with an edge
 * delta: a stall it adds counts from the start; a saving, once instructions ran to cover it. */
static inline uint64_t carried(int32_t delta, uint32_t done) {
    int64_t v = (int64_t)done + delta;
    return delta >= 0 || v > 0 ? (uint64_t)v : 0;
}

/* The cycle count as of the instruction at `pc` in the block being executed: the hook counted
 * the whole block at its entry; take off the instructions from pc on (a peripheral read of
 * DWT_CYCCNT or SysTick mid-block then sees exactly the cycles before it). */
uint64_t mcs_cycles_at(mcs_ctx *c, uint32_t pc) {
    if (c->prev < 0 || c->prev_done) return c->live.cycles;
    const mcs_block *b = &c->blocks[c->prev];
    if (pc < b->addr || pc >= b->addr + b->size) return c->live.cycles;
    uint32_t i, off = pc - b->addr, done = 0;
    const uint32_t *pr = c->prefix + b->prefix;
    for (i = 0; i < b->ninsns; i++) {
        uint32_t st = i ? pr[2 * (i - 1)] : 0;
        if (st < off) done = pr[2 * i + 1];
        else break;
    }
    return c->live.cycles - (uint64_t)((int64_t)b->cycles + c->cur_delta) +
           carried(c->cur_delta, done);
}

/* The firmware changed the flash wait states (FLASH_ACR.LATENCY): the miss cost of that
 * memory's fetch and data models from now on (-1: the memory has no such model). */
void mcs_set_miss(mcs_ctx *c, int32_t fetch, int32_t data, uint32_t miss) {
    if (fetch >= 0 && (uint32_t)fetch < c->nfetch) c->fetch[fetch].miss = miss;
    if (data >= 0 && (uint32_t)data < c->ndata) c->data[data].miss = miss;
}

void mcs_set_mispredict(mcs_ctx *c, uint32_t cycles) { c->mispredict = cycles; }

/* Arm the machine's next event: stop once the cycle count reaches `deadline` (0: none). */
void mcs_arm(mcs_ctx *c, uint64_t deadline) {
    uint64_t at = UINT64_MAX;
    c->live.deadline = deadline;
    c->live.deadline_hit = 0;
    c->live.spin = 0;
    if (deadline) at = deadline;
    if (c->live.max_cycles && !c->live.limit_hit && c->live.max_cycles < at)
        at = c->live.max_cycles;
    c->live.stop_at = at;
}

/* Exception entry (or tail-chain into) the handler at `func`: a frame of its own on the call
 * stack, as if called from what it preempted; `cycles` (the entry latency) are its own. */
void mcs_exc_enter(mcs_ctx *c, int32_t func, uint64_t cycles, uint32_t ret_pc) {
    int64_t interrupted = c->prev;
    if (func < 0 || func > (int32_t)c->nfuncs) func = (int32_t)c->nfuncs;
    push(c, func, 0xfffffffeu, 1);
    c->top->is_exc = 1;
    c->top->exc_ret = ret_pc;
    c->top->exc_prev = interrupted;
    c->top->exc_taken_adj = c->taken_adj;
    charge(c, cycles);
    c->live.exc_cycles += cycles;
    c->prev = -1;
    c->taken_adj = c->cur_delta = 0;
}

/* Exception return to `ret_pc`: `cycles` (the exit latency) are the handler's; its frames come
 * off. Back where it was taken, the block that ran before it is again the predecessor of the
 * next (so a call or taken branch that preceded the exception is accounted as usual); a
 * return elsewhere (a context switch) starts afresh. */
void mcs_exc_exit(mcs_ctx *c, uint64_t cycles, uint32_t ret_pc) {
    int64_t prev = -1;
    int32_t tadj = 0;
    if (c->top) charge(c, cycles);
    else c->live.cycles += cycles;
    c->live.exc_cycles += cycles;
    while (c->live.depth > 0) {
        int exc = c->top->is_exc != 0;
        if (exc && c->top->exc_ret == ret_pc) { prev = c->top->exc_prev; tadj = c->top->exc_taken_adj; }
        pop(c);
        if (exc) break;
    }
    c->prev = prev;
    c->prev_done = 1;                 /* no pipeline carry into the next block: the core was away */
    c->taken_adj = tadj;
    c->cur_delta = 0;
}

/* Fast-forward a spinning block (a branch to itself) by `execs` executions. */
void mcs_spin_forward(mcs_ctx *c, uint64_t execs) {
    if (c->prev < 0 || !c->top) return;
    mcs_block *b = &c->blocks[c->prev];
    b->execs += execs;
    if (IS_COND(b->end)) b->takens += execs;
    charge(c, execs * (b->cycles + (IS_COND(b->end) ? b->taken : 0)));
}

uint64_t mcs_block_cycles(mcs_ctx *c) {
    if (c->prev < 0) return 0;
    mcs_block *b = &c->blocks[c->prev];
    return b->cycles + (IS_COND(b->end) ? b->taken : 0);
}

/* The run stopped (or trapped) at `pc` inside the current block: the instructions from `pc` on
 * were counted at block entry but did not execute (yet). Take them back. With keep_pc, the
 * instruction at pc itself did execute (e.g. a BKPT that trapped after executing). */
void mcs_rewind(mcs_ctx *c, uint32_t pc, int keep_pc) {
    if (c->prev < 0 || !c->live.depth || c->prev_done) return;
    mcs_block *b = &c->blocks[c->prev];
    if (pc < b->addr || pc >= b->addr + b->size) return;
    uint32_t i, n = b->ninsns, off = pc - b->addr, done_cyc = 0, done_ins = 0;
    const uint32_t *pr = c->prefix + b->prefix;
    for (i = 0; i < n; i++) {                 /* keep those that started before pc */
        uint32_t st = i ? pr[2 * (i - 1)] : 0;
        if (st < off || (keep_pc && st == off)) { done_cyc = pr[2 * i + 1]; done_ins = i + 1; }
        else break;
    }
    uint64_t undo_c = (uint64_t)((int64_t)b->cycles + c->cur_delta -
                                 (int64_t)carried(c->cur_delta, done_cyc)),
        undo_i = b->ninsns - done_ins;
    mcs_frame *f = &c->stack[c->live.depth - 1];
    flush(c, f);
    c->funcs[f->func].self -= undo_c;
    c->funcs[b->func].insns_undone += undo_i;
    c->insns_undone += undo_i;
    c->nodes[f->node].self -= undo_c;
    c->live.cycles -= undo_c;
    c->prev = -1;                             /* the rest runs as a new block: no taken check */
    c->taken_adj = c->cur_delta = 0;
}

/* The run ended with pc next: settle the last block's taken-branch penalty, which the hook
 * otherwise charges when the following block starts. */
void mcs_settle(mcs_ctx *c, uint32_t pc) {
    if (c->prev < 0 || !c->live.depth) return;
    mcs_block *p = &c->blocks[c->prev];
    if (IS_COND(p->end) && pc != p->addr + p->size) {
        p->takens++;
        charge(c, (uint64_t)((int64_t)p->taken + c->taken_adj));
        c->adj_cls[CL_COND_BRANCH] += c->taken_adj;
    }
    c->prev = -1;
    c->taken_adj = c->cur_delta = 0;
}

/* ---- results ---- */
void mcs_unwind(mcs_ctx *c) { while (c->live.depth > 0) pop(c); }
uint32_t mcs_nfuncs(mcs_ctx *c) { return c->nfuncs + 1; }
/* Instructions executed: blocks' executions x their length (not counted per block: speed). */
uint64_t mcs_instructions(mcs_ctx *c) {
    uint64_t n = 0;
    uint32_t i;
    for (i = 0; i < c->nblocks; i++) n += c->blocks[i].execs * c->blocks[i].ninsns;
    return n - c->insns_undone;
}

void mcs_get_funcs(mcs_ctx *c, uint64_t *out) {       /* calls, self, insns, incl per function */
    uint32_t i;
    uint64_t *insns = calloc(c->nfuncs + 1, sizeof *insns);
    flush_all(c);
    for (i = 0; i < c->nblocks; i++)                   /* a block's instructions are its function's */
        insns[c->blocks[i].func] += c->blocks[i].execs * c->blocks[i].ninsns;
    for (i = 0; i <= c->nfuncs; i++) {
        out[4 * i] = c->funcs[i].calls; out[4 * i + 1] = c->funcs[i].self;
        out[4 * i + 2] = insns[i] - c->funcs[i].insns_undone; out[4 * i + 3] = c->funcs[i].incl;
    }
    free(insns);
}
/* Inclusive instructions per function; measured for always-traced functions only (else 0). */
void mcs_get_incl_insns(mcs_ctx *c, uint64_t *out) {
    uint32_t i;
    for (i = 0; i <= c->nfuncs; i++) out[i] = c->funcs[i].incl_insns;
}
uint32_t mcs_nnodes(mcs_ctx *c) { return c->nnodes; }
void mcs_get_nodes(mcs_ctx *c, uint32_t *parent, int32_t *func, uint64_t *self) {
    uint32_t i;
    flush_all(c);
    for (i = 0; i < c->nnodes; i++) {
        parent[i] = c->nodes[i].parent; func[i] = c->nodes[i].func; self[i] = c->nodes[i].self;
    }
}
uint64_t mcs_nevents(mcs_ctx *c) { return c->nevents; }
void mcs_get_events(mcs_ctx *c, int32_t *func, uint32_t *enter, uint64_t *cycle) {
    uint64_t i;
    for (i = 0; i < c->nevents; i++) {
        func[i] = c->events[i].func; enter[i] = c->events[i].enter; cycle[i] = c->events[i].cycle;
    }
}
uint32_t mcs_nblocks(mcs_ctx *c) { return c->nblocks; }
uint32_t mcs_get_stack(mcs_ctx *c, int32_t *func, uint32_t max) {
    uint32_t i, n = (uint32_t)c->live.depth < max ? (uint32_t)c->live.depth : max;
    for (i = 0; i < n; i++) func[i] = c->stack[i].func;
    return n;
}

/* Native classification from now on: the core model (mcs_model), capstone -> Unicorn register
 * ids, whether data loads are tracked, the functions (sorted starts, sizes) and the memories
 * (rows of base, end, fetch model or NO_FETCH, static fetch wait states). 0: on. */
int mcs_native_init(mcs_ctx *c, const mcs_model *m, const int32_t *uc_reg, int32_t track_loads,
                    uint32_t nfn, const uint32_t *starts, const uint32_t *sizes,
                    uint32_t nmem, const uint32_t *rows) {
    if (nmem > 16) return -1;
    c->ncl = mcs_classifier_new(m, uc_reg, track_loads);
    if (!c->ncl) return -1;
    c->nfn = nfn;
    c->fn_start = malloc((nfn + 1) * sizeof(uint32_t));
    c->fn_size = malloc((nfn + 1) * sizeof(uint32_t));
    memcpy(c->fn_start, starts, nfn * sizeof(uint32_t));
    memcpy(c->fn_size, sizes, nfn * sizeof(uint32_t));
    c->nmem = nmem;
    memcpy(c->mem_rows, rows, 4 * nmem * sizeof(uint32_t));
    return 0;
}
uint32_t mcs_native_blocks(mcs_ctx *c) { return c->native_blocks; }
/* class cycles of a block Python classified */
void mcs_set_block_classes(mcs_ctx *c, uint32_t idx, const uint32_t *cls) {
    if (idx < c->nblocks) memcpy(c->bcls + (uint64_t)idx * NCLASS_OUT, cls, NCLASS_OUT * sizeof(uint32_t));
}
/* cycles per class over every execution of every block (the taken branches' extra included) */
void mcs_breakdown(mcs_ctx *c, uint64_t *out) {
    uint32_t i, k;
    memset(out, 0, NCLASS_OUT * sizeof(uint64_t));
    for (i = 0; i < c->nblocks; i++) {
        const mcs_block *b = &c->blocks[i];
        const uint32_t *x = c->bcls + (uint64_t)i * NCLASS_OUT;
        for (k = 0; k < NCLASS_OUT; k++) out[k] += (uint64_t)x[k] * b->execs;
        out[CL_COND_BRANCH] += b->takens * b->taken;
        if (b->ft_cls) {                      /* its fall-through edge's deltas (signed) */
            const int32_t *e = c->ecls + (uint64_t)(b->ft_cls - 1) * NCLASS_OUT;
            for (k = 0; k < NCLASS_OUT; k++) out[k] += (uint64_t)((int64_t)e[k] * (int64_t)b->ft_execs);
        }
    }
    for (k = 0; k < NCLASS_OUT; k++) out[k] += (uint64_t)c->adj_cls[k];
}
/* Fall-through edges costed so far (a block keeps one: the last successor it fell into). */
uint32_t mcs_nedges(mcs_ctx *c) { return c->necls; }
/* The Python reference's fall-through edge callback (profiler.py _edge). */
void mcs_set_edge_cb(mcs_ctx *c, void *fn) { c->edge = (edge_fn)fn; }
uint32_t mcs_nclasses(void) { return NCLASS_OUT; }
uint32_t mcs_model_size(void) { return sizeof(mcs_model); }

void mcs_free(mcs_ctx *c) {
    uint32_t i;
    if (!c) return;
    mcs_classifier_free(c->ncl);
    free(c->nbi.prefix); free(c->nbi.loads); free(c->ebi.prefix); free(c->ebi.loads); free(c->ecls); free(c->fn_start); free(c->fn_size); free(c->bcls);
    for (i = 0; i < c->nfetch; i++) { free(c->fetch[i].tags); free(c->fetch[i].stamp); }
    for (i = 0; i < c->ndata; i++) { free(c->data[i].tags); free(c->data[i].stamp); }
    free(c->blocks); free(c->table); free(c->prefix); free(c->funcs); free(c->stack);
    free(c->nodes); free(c->node_table); free(c->events); free(c);
}

/* Reference for the load tracking above (Profiler(exact_data=True), tests): a UC_HOOK_MEM_READ
 * callback, restricted to the slow memories, that sends every data read through the data-side
 * cache. Exact but slow: any read hook takes all loads off Unicorn's fast path. */
void mcs_hook_read(void *uc, int type, uint64_t address, int size, int64_t value, void *user) {
    mcs_ctx *c = (mcs_ctx *)user;
    uint32_t a = (uint32_t)address, j, x, s = 0;
    (void)uc; (void)type; (void)value;
    for (j = 0; j < c->ndata; j++) {
        mcs_cache *k = &c->data[j];
        if (a - k->base < k->end - k->base) {
            for (x = a >> k->shift; x <= (a + (uint32_t)size - 1) >> k->shift; x++)
                s += cache_access(k, x) ? k->miss : 0;
            break;
        }
    }
    if (s && c->top) { c->live.data_stall += s; charge(c, s); }
}

/* For bench/bench_speed.py only: a UC_HOOK_MEM_READ callback that just counts, to measure what
 * any read hook costs (docs/cost-model.md: why flash data reads are probed instead). */
static uint64_t reads_counted;
void mcs_count_read(void *uc, int type, uint64_t address, int size, int64_t value, void *user) {
    (void)uc; (void)type; (void)address; (void)size; (void)value; (void)user;
    reads_counted++;
}
uint64_t mcs_reads_counted(void) { return reads_counted; }
