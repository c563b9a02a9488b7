/* run.c — match runs: the batch orchestration around assign_solve().
 *
 * A run (design.md §5) takes mentees, coaches with their free capacity, pinned
 * and forbidden pairs and a policy, and proposes pairs:
 *
 *   1. prepare  validate and copy the input, sort mentees and coaches by id
 *               (so the result does not depend on input order, and ties
 *               break by id), place pinned pairs (reducing capacities);
 *   2. score    for every free mentee, score every coach with the
 *               vectorised kernel on all threads and keep its best K+1
 *               (score desc, coach id asc).  The first K become the
 *               mentee's candidate edges; the (K+1)-th score is t_m, an
 *               upper bound on every pruned pair of the mentee.
 *               The same pass keeps each coach's best RUN_COACH_K
 *               mentees, so that coaches nobody ranks first are in the
 *               graph from the start;
 *   3. solve    optimal mode: assign_solve() on the candidate graph, with
 *               the pricing callback below; stable mode: the greedy;
 *   4. finish   a reason for every unmatched mentee, statistics.
 *
 * Weights (int64): participation w = (score + bonus) + BIG with
 * BIG = 1 + sum over mentees of their best gain, so one more matched mentee
 * always outweighs any score difference; quality w = (R+1)*(score + bonus)
 * + 1, which maximises the total score and only breaks ties by the matched
 * count.  bonus = waitlist_bonus * min(waitlist, MATCH_WAITLIST_MAX).
 *
 * Certificate (pricing): after a solve the solver gives duals u, v with
 * u[m] + v[c] >= w on every candidate edge.  A pruned pair (m, c) scores at
 * most t_m; in the simplest form, when u[m] >= weight(t_m) no pruned pair
 * of m can violate the dual constraint.  The pricing section below refines
 * this with the coaches' duals (only coaches cheaper than t_m - o[m] are
 * rescanned) and adds the most violated pairs, round after round; when a
 * round finds no violating pair at all, the duals are feasible for the
 * whole problem and prove the matching optimal over every pair:
 * stats.certified.
 *
 * Memory: O(mentees * K + coaches) — no mentees x coaches matrix is ever
 * held.  Determinism: per-mentee work is independent of the thread that
 * does it, everything shared is merged in mentee order, and the coach-side
 * lists the threads fill together, in no order, are the exact top by a
 * total order (gain, then mentee). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "matcher/assign.h"
#include "matcher/internal.h"
#include "matcher/par.h"

#define RUN_DEFAULT_K    12
#define RUN_COACH_K      8               /* coach-side candidates per coach */
#define RUN_COACH_D      32              /* coach-side list depth when seats are scarce */
#define RUN_SCARCE_DIV   2               /* ... at most 1 free seat per RUN_SCARCE_DIV mentees */
#define RUN_SCARCE_K     6               /* mentee-side candidates then (see coach_side_init) */
#define TOPK_SUB         128             /* keys per threshold refresh in top-K */
#define RUN_MAX_K        200             /* n_cand and stable cursors are uint8 */
#define RB_NONE          INT32_MIN       /* rb_k: no reduced bound (pricing) */
#define RB_EMPTY         (INT64_MIN / 4) /* rb of a bound over no pair */
#define RUN_MAX_PROGRAMS 64
#define RUN_CHUNK        64 /* mentees per unit of parallel work */
#define RUN_ARENA_CHUNK  (1 << 20)
#define RUN_PART_MIN     8192 /* profiles a thread takes at least in prepare's loops */

/* ---- arena: the result's strings and the copied profiles ---------------- */

typedef struct arena_blk {
    struct arena_blk *next;
    size_t used, cap;
    char data[];
} arena_blk;

static void *arena_alloc(arena_blk **a, size_t n) {
    n = (n + 15) & ~(size_t)15;
    if (!*a || (*a)->cap - (*a)->used < n) {
        size_t cap = n > RUN_ARENA_CHUNK ? n : RUN_ARENA_CHUNK;
        arena_blk *b = malloc(sizeof(*b) + cap);
        if (!b) return NULL;
        b->next = *a;
        b->used = 0;
        b->cap = cap;
        *a = b;
    }
    void *p = (*a)->data + (*a)->used;
    (*a)->used += n;
    return p;
}

static char *arena_str(arena_blk **a, const char *s) {
    size_t n = strlen(s) + 1;
    char *p = arena_alloc(a, n);
    if (p) memcpy(p, s, n);
    return p;
}

static void arena_free(arena_blk *a) {
    while (a) {
        arena_blk *n = a->next;
        free(a);
        a = n;
    }
}

/* ---- run state ------------------------------------------------------------ */

typedef struct cand {
    int32_t coach;
    int16_t score;
} cand;

struct match_run_state {
    arena_blk *arena;
    const match_catalog *cat;
    match_policy policy; /* deep copy */
    mt_space space;
    mt_coaches cs; /* sorted by id; free = before the run */
    size_t nm, nc;
    match_mentee *mentees; /* deep copies, sorted by id */
    mt_mcode *mcode;       /* per mentee: its query's coded part (run_query) */
    size_t *mcomp_off;     /* nm + 1: its competencies' entries in mcomp */
    mt_mcomp *mcomp;
    size_t *m_orig, *c_orig; /* sorted index -> input index */
    size_t *m_pos;           /* input index -> sorted index */
    char **c_id;             /* sorted coach ids (arena) */
    int64_t *bonus;          /* per mentee */
    /* forbidden pairs: CSR by mentee of sorted coach indices */
    size_t *forb_off;
    int32_t *forb;
    /* programs */
    uint32_t *m_prog; /* per mentee: program slot < n_prog */
    size_t n_prog;
    uint8_t **elig_free; /* [prog][coach]: serves and free > 0 */
    uint8_t **elig_any;  /* [prog][coach]: serves */
    /* work */
    int32_t *remain; /* capacity left, per coach */
    int32_t *cap0;   /* capacity after the pins, per coach */
    int32_t *match;  /* per mentee: coach or -1 */
    uint8_t *pinned; /* per mentee */
    int threads, k;
    cand *cands;      /* nm * (k + 1) */
    uint8_t *n_cand;  /* per mentee, <= k */
    int16_t *t_score; /* per mentee: best pruned score, -1 none */
    int32_t **extra;  /* per mentee: edges added by pricing */
    uint32_t *n_extra, *cap_extra;
    int32_t *extra_pool;    /* a warm run's kept edges: the extra lists of */
    uint8_t *extra_in_pool; /* reused mentees at once, not freed one by one */
    int64_t mult, big;
    /* pricing: coaches ordered by their dual price, rebuilt each round */
    mt_coaches pcs;    /* permuted copy of cs */
    int32_t *perm;     /* position -> coach */
    int32_t *pos_of;   /* coach -> position */
    uint8_t **pelig;   /* [prog][position]: elig_free permuted */
    int64_t *rb;       /* per mentee: reduced bound (see pricing) */
    int64_t *rp;       /* per mentee: rb covers the coaches priced below
                          rp in round rb_k (INT64_MAX: every coach) */
    int32_t *rb_k;     /* per mentee: the round of rb, RB_NONE: none */
    uint8_t *grow;     /* per mentee: rounds it violated in (capped) */
    size_t last_added; /* edges the last pricing round added */
    int64_t **pi_hist; /* [round][coach]: the prices of each round */
    size_t n_hist;
    /* estimated prices (see "Estimated prices") */
    int32_t *est;    /* per coach, NULL: none */
    int64_t *est_rb; /* per mentee: its first pass's bound against est */
    cand *est_cands; /* nm * (k + 1): the K best by s - est */
    uint8_t *n_est;  /* per mentee, <= k */
    uint32_t est_groups;
    uint64_t est_pairs;
    /* key -> score tables (or -1 below min_score), per thread, by the
     * query's effective gd (the table depends on nothing else within a
     * run); slot 0 is the slow path's identity table */
    int32_t **tabs[MATCH_MAX_THREADS];
    size_t n_tabs;
    /* coach-side candidates of the first scoring pass (optimal mode): per
     * coach the cside_k best mentees by gain, mentee asc, one list that
     * every thread's offers go into (cside_flush) */
    int64_t *cside_key;          /* nc * cside_k: mt_top_key(), mt_top_merge's lists */
    uint8_t *cside_n;            /* per coach: the list's length */
    pthread_mutex_t *cside_lock; /* per CSIDE_LOCK_COACHES coaches */
    size_t cside_nlock;
    int32_t *cside_thr[MATCH_MAX_THREADS];  /* per thread and coach: gain to beat */
    int32_t *cside_oc[MATCH_MAX_THREADS];   /* offers not yet in the lists: coach, */
    int64_t *cside_okey[MATCH_MAX_THREADS]; /*   key (mt_gain_offers) */
    int64_t *cside_tmp[MATCH_MAX_THREADS];  /* cside_flush's: the offers' keys by coach */
    uint32_t *cside_cnt[MATCH_MAX_THREADS]; /* cside_flush's, nc + 1 */
    size_t cside_caprec;
    int cside_k;          /* list depth: RUN_COACH_K, or RUN_COACH_D */
    int cside_vec;        /* mt_top_vec(cside_k), 0 when in->portable */
    int cside_gvec;       /* mt_gain_vec(), 0 when in->portable */
    int kvec;             /* mt_key_vec(), 0 when in->portable: top-K search */
    size_t *cs_off;       /* per mentee: its pairs of the lists are */
    int32_t *cs_c, *cs_g; /*   [cs_off[m], cs_off[m+1]): coach asc, gain */
    int32_t *cside_bound; /* per coach (cold runs): see "Coach-side bounds" */
    uint8_t *cside_cert;  /* per coach: certified by it in the last round */
    int64_t *pi_real;     /* per coach: the last round's prices (pricing) */
    /* warm start (see the warm start section) */
    uint64_t *m_fp, *c_fp; /* fingerprints (warm.c), when a state is in or out */
    int warm;              /* 1: the run starts from in->warm */
    int32_t *w_c;          /* per coach: index in in->warm by id, or -1 */
    int32_t *w_keep;       /* per warm coach: this run's index when kept */
    int32_t *w_m;          /* per mentee: warm index when its edges are reused */
    mt_coaches chs;        /* the coaches to rescore (changed or new) */
    int32_t *ch;           /* position -> coach */
    size_t n_ch;
    uint8_t **chelig;                     /* [prog][position]: elig_free of ch */
    int64_t *ch_red[MATCH_MAX_THREADS];   /* per thread and position of ch:
                                            see warm_score_one */
    uint16_t *ch_key[MATCH_MAX_THREADS];  /* per thread: a mentee's keys of ch */
    int64_t ch_red_lo[MATCH_MAX_THREADS]; /* per thread: <= every ch_red[t][i] */
    match_warm *warm_out;
    struct run_classes *cls; /* coach classes (see there), NULL: none */
    /* progress / cancel */
    const match_run_input *in;
    atomic_int stop;
    /* Counters the threads write all the time, each on a cache line of its
     * own (64 bytes from any other field, whatever calloc's alignment):
     * one shared, or two side by side, bounce between the cores. */
    char pad_counters[64];
    /* pair scorings, per thread (pairs_count): a shared atomic counter,
     * added to by every scan */
    struct {
        uint64_t n;
        char pad[64 - sizeof(uint64_t)];
    } pairs[MATCH_MAX_THREADS];
    /* the offers in each thread's coach-side buffer (cside_flush),
     * written at every block */
    struct {
        size_t n;
        char pad[64 - sizeof(size_t)];
    } cside_nrec[MATCH_MAX_THREADS];
    uint32_t rescanned;
    uint32_t bound_errors; /* input->check_bounds */
    match_round_stats rounds[MATCH_ROUNDS_KEPT];
    int n_rounds; /* pricing rounds so far */
    const char *phase;
};

/* Count n pair scorings by thread tid.  Read (pairs_total) only between
 * the parallel loops, whose joins order the threads' writes before it. */
static void pairs_count(struct match_run_state *st, int tid, uint64_t n) { st->pairs[tid].n += n; }

static uint64_t pairs_total(const struct match_run_state *st) {
    uint64_t n = 0;
    for (int t = 0; t < MATCH_MAX_THREADS; t++) n += st->pairs[t].n;
    return n;
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Report progress; returns 1 when the run must stop. */
static int run_tick(struct match_run_state *st, uint64_t done, uint64_t total) {
    const match_run_input *in = st->in;
    if (in->cancel && atomic_load(in->cancel)) atomic_store(&st->stop, 1);
    if (in->progress && in->progress(in->progress_ud, st->phase, done, total)) atomic_store(&st->stop, 1);
    return atomic_load(&st->stop);
}

/* ---- parallel loop over mentees ------------------------------------------ */

typedef struct par {
    struct match_run_state *st;
    const size_t *items; /* mentee indices to process */
    size_t n;
    atomic_size_t next, done;
    int (*fn)(struct par *p, int tid, size_t m);
    void *ctx;
    atomic_int failed;
} par;

typedef struct par_arg {
    par *p;
    int tid;
} par_arg;

/* Take and process one chunk of items; 0 when there is nothing left to do
 * (all taken, cancelled, or failed). */
static int par_chunk(par *p, int tid) {
    if (atomic_load(&p->st->stop) || atomic_load(&p->failed)) return 0;
    if (p->st->in->cancel && atomic_load(p->st->in->cancel)) {
        atomic_store(&p->st->stop, 1);
        return 0;
    }
    size_t i0 = atomic_fetch_add(&p->next, RUN_CHUNK);
    if (i0 >= p->n) return 0;
    size_t i1 = i0 + RUN_CHUNK < p->n ? i0 + RUN_CHUNK : p->n;
    for (size_t i = i0; i < i1; i++)
        if (p->fn(p, tid, p->items[i]) != MATCH_OK) {
            atomic_store(&p->failed, 1);
            return 0;
        }
    atomic_fetch_add(&p->done, i1 - i0);
    return 1;
}

static void *par_worker(void *arg) {
    par_arg *a = arg;
    while (par_chunk(a->p, a->tid)) {}
    return NULL;
}

/* Run fn over items on st->threads threads; the calling thread is worker 0
 * and the only one that reports progress.  MATCH_OK, MATCH_ENOMEM (fn
 * failed) or MATCH_ECANCELLED. */
static int par_run(struct match_run_state *st, const char *phase, const size_t *items, size_t n,
                   int (*fn)(par *, int, size_t), void *ctx) {
    par p = { .st = st, .items = items, .n = n, .fn = fn, .ctx = ctx };
    atomic_init(&p.next, 0);
    atomic_init(&p.done, 0);
    atomic_init(&p.failed, 0);
    st->phase = phase;
    if (run_tick(st, 0, n)) return MATCH_ECANCELLED;
    pthread_t tids[MATCH_MAX_THREADS];
    par_arg args[MATCH_MAX_THREADS];
    int started = 0;
    for (int t = 1; t < st->threads && (size_t)t * RUN_CHUNK < n; t++) {
        args[t] = (par_arg){ &p, t };
        if (pthread_create(&tids[t], NULL, par_worker, &args[t]) != 0) break;
        started = t;
    }
    /* Worker 0 interleaves its chunks with progress reports. */
    while (par_chunk(&p, 0)) run_tick(st, atomic_load(&p.done), n);
    for (int t = 1; t <= started; t++) pthread_join(tids[t], NULL);
    if (atomic_load(&p.failed)) return MATCH_ENOMEM;
    if (atomic_load(&st->stop)) return MATCH_ECANCELLED;
    run_tick(st, n, n);
    return atomic_load(&st->stop) ? MATCH_ECANCELLED : MATCH_OK;
}

/* ---- parallel parts of an index range (preparation) --------------------- */

/* Preparation runs before the run's state and its progress exist, and its
 * loops are even, so a static split does (par.h): no chunks, no
 * cancellation; at least RUN_PART_MIN profiles a part. */
_Static_assert(MT_PAR_MAX >= MATCH_MAX_THREADS, "a part per thread");
_Static_assert(MATCH_OK == 0, "par.h's success");
static int par_parts(int threads, size_t n, mt_part_fn fn, void *ctx) {
    return mt_par_parts(threads, n, RUN_PART_MIN, fn, ctx);
}

static int online_cpus(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > MATCH_MAX_THREADS ? MATCH_MAX_THREADS : (int)n;
}

/* The threads a run uses (match_run_input.threads, 0: one per CPU). */
static int run_threads(const match_run_input *in) {
    return in->threads > 0 ? (in->threads > MATCH_MAX_THREADS ? MATCH_MAX_THREADS : in->threads) : online_cpus();
}

/* ---- input ---------------------------------------------------------------- */

/* An id to sort with its first 8 bytes as a big-endian integer (zeros
 * past its end): ids compare as their prefixes do, as strcmp would, and
 * strcmp decides only between equal prefixes.  NIPs, 18 digits, mostly
 * differ in their first 8 (a date of birth): preparing 5,000 mentees in
 * no id order took 2.1 ms with strcmp alone, 1.7 with the prefix. */
typedef struct id_ix {
    uint64_t pre;
    const char *id;
    size_t ix;
} id_ix;

static uint64_t id_prefix(const char *s) {
    uint64_t k = 0;
    int i = 0;
    for (; i < 8 && s[i]; i++) k = k << 8 | (uint8_t)s[i];
    return i ? k << (8 * (8 - i)) : 0;
}

static int cmp_id_ix(const void *a, const void *b) {
    const id_ix *x = a, *y = b;
    if (x->pre != y->pre) return x->pre < y->pre ? -1 : 1;
    return strcmp(x->id, y->id);
}

static int guess_holds(size_t *order, const char **ids, size_t n, const uint32_t *hint) {
    for (size_t i = 0; i < n; i++) {
        size_t o = hint ? hint[i] : i;
        if (o >= n || (i && strcmp(ids[order[i - 1]], ids[o]) >= 0)) return 0;
        order[i] = o;
    }
    return 1;
}

/* order[] = 0..n-1 sorted by ids[]; *distinct = 1 when that proves the ids
 * distinct.  Two guesses are tried before a sort, each checked in O(n):
 * the input order itself (coachnetd's snapshot pages through its indexes
 * in id order), and hint[] (n_hint entries, may be NULL), the order of the
 * previous run of a warm start, which a caller passing its profiles in the
 * same order as before gets right.  A guess that holds is the sort, and
 * proves the ids distinct: they are strictly increasing under n distinct
 * indexes.  After a sort the caller compares neighbours (in its copies,
 * laid out in this order: the input's strings are not). */
static int sort_by_id(size_t *order, const char **ids, size_t n, const uint32_t *hint, size_t n_hint, int *distinct) {
    *distinct = 1;
    if (guess_holds(order, ids, n, NULL) || (hint && n_hint == n && guess_holds(order, ids, n, hint))) return MATCH_OK;
    *distinct = 0;
    id_ix *v = malloc(n * sizeof(*v) + 1);
    if (!v) return MATCH_ENOMEM;
    for (size_t i = 0; i < n; i++) v[i] = (id_ix){ id_prefix(ids[i]), ids[i], i };
    qsort(v, n, sizeof(*v), cmp_id_ix);
    for (size_t i = 0; i < n; i++) order[i] = v[i].ix;
    free(v);
    return MATCH_OK;
}

/* Binary search of id in the sorted ids; -1 when absent. */
static long find_id(char *const *sorted, size_t n, const char *id) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(sorted[mid], id);
        if (c == 0) return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* The bytes a mentee's deep copy takes (mentee_copy_at): its arrays, then
 * its strings packed without padding (a run copies every mentee: 10^6 of
 * them).  A borrowing run (match_run_input.borrow) copies the id only. */
static size_t mentee_size(const match_mentee *m, int borrow) {
    if (borrow) return strlen(m->id) + 1;
    size_t n =
        strlen(m->id) + strlen(m->agency) + strlen(m->position_class) + strlen(m->province) + strlen(m->program) + 5;
    for (size_t i = 0; i < m->n_competencies; i++) n += strlen(m->competencies[i].code) + 1;
    for (size_t i = 0; i < m->n_languages; i++) n += strlen(m->languages[i]) + 1;
    n += (m->n_competencies + 1) * sizeof(match_need) + (m->n_languages + 1) * sizeof(char *);
    return n;
}

static char *put_str(char **p, const char *s) {
    size_t n = strlen(s) + 1;
    char *d = memcpy(*p, s, n);
    *p += n;
    return d;
}

/* Deep copy of m into blk, which holds mentee_size(m, 0) bytes. */
static void mentee_copy_at(match_mentee *dst, const match_mentee *m, char *blk) {
    match_need *n = (match_need *)blk;
    const char **l = (const char **)(blk + (m->n_competencies + 1) * sizeof(match_need));
    char *p = (char *)(l + m->n_languages + 1);
    *dst = *m;
    dst->id = put_str(&p, m->id);
    dst->agency = put_str(&p, m->agency);
    dst->position_class = put_str(&p, m->position_class);
    dst->province = put_str(&p, m->province);
    dst->program = put_str(&p, m->program);
    for (size_t i = 0; i < m->n_competencies; i++) {
        n[i] = m->competencies[i];
        n[i].code = put_str(&p, m->competencies[i].code);
    }
    for (size_t i = 0; i < m->n_languages; i++) l[i] = put_str(&p, m->languages[i]);
    dst->competencies = n;
    dst->languages = l;
}

/* Deep copies of the n input mentees, dst[pos[o]] the copy of in[o], of
 * size[o] bytes (mentee_size, which validation took: the strings were in
 * the cache then).  The copies are laid out in the arena in dst's order
 * (sorted by id, orig[] its inverse), which a run's later passes walk; the
 * input is read in its own order, which is not that: read in dst's order,
 * it missed the cache at every mentee (3/4 of this step's time at 100,000
 * mentees).  The copies are made in parts (par_parts), the arena's
 * allocations in one thread.  A borrowing run's "copy" is the profile
 * struct, pointing into the input, with its own copy of the id. */
typedef struct copy_job {
    match_mentee *dst;
    const match_mentee *in;
    const size_t *pos;
    char **at;
    int borrow;
} copy_job;

static int copy_copies(void *ctx, size_t o0, size_t o1, int part) {
    copy_job *j = ctx;
    (void)part;
    for (size_t o = o0; o < o1; o++) {
        match_mentee *d = &j->dst[j->pos[o]];
        char *blk = j->at[j->pos[o]];
        if (j->borrow) { /* the profile is the input's, the id the run's */
            *d = j->in[o];
            d->id = put_str(&blk, j->in[o].id);
        } else {
            mentee_copy_at(d, &j->in[o], blk);
        }
    }
    return MATCH_OK;
}

static int copy_mentees(arena_blk **a, int threads, match_mentee *dst, const match_mentee *in, const size_t *pos,
                        const size_t *orig, const size_t *size, size_t n, int borrow) {
    copy_job j = { dst, in, pos, malloc(n * sizeof(char *) + 1), borrow };
    int rc = j.at ? MATCH_OK : MATCH_ENOMEM;
    for (size_t i = 0; i < n && rc == MATCH_OK; i++)
        if (!(j.at[i] = arena_alloc(a, size[orig[i]]))) rc = MATCH_ENOMEM;
    if (rc == MATCH_OK) par_parts(threads, n, copy_copies, &j);
    free(j.at);
    return rc;
}

static int copy_policy(struct match_run_state *st, const match_policy *p) {
    st->policy = *p;
    if (!p->n_comp_weights) return MATCH_OK;
    match_comp_weight *w = arena_alloc(&st->arena, p->n_comp_weights * sizeof(*w));
    if (!w) return MATCH_ENOMEM;
    for (size_t i = 0; i < p->n_comp_weights; i++) {
        w[i].weight = p->comp_weights[i].weight;
        if (!(w[i].code = arena_str(&st->arena, p->comp_weights[i].code))) return MATCH_ENOMEM;
    }
    st->policy.comp_weights = w;
    return MATCH_OK;
}

static void classes_free(struct match_run_state *st);

static void state_free(struct match_run_state *st) {
    if (!st) return;
    classes_free(st);
    free(st->est);
    free(st->est_rb);
    free(st->est_cands);
    free(st->n_est);
    mt_coaches_free(&st->cs);
    mt_space_free(&st->space);
    free(st->mentees);
    free(st->mcode);
    free(st->mcomp_off);
    free(st->mcomp);
    free(st->m_orig);
    free(st->m_pos);
    free(st->c_orig);
    free(st->c_id);
    free(st->bonus);
    free(st->forb_off);
    free(st->forb);
    free(st->m_prog);
    for (size_t p = 0; p < st->n_prog; p++) {
        free(st->elig_free[p]);
        free(st->elig_any[p]);
    }
    free(st->elig_free);
    free(st->elig_any);
    free(st->remain);
    free(st->cap0);
    free(st->match);
    free(st->pinned);
    free(st->cands);
    free(st->n_cand);
    free(st->t_score);
    if (st->extra)
        for (size_t m = 0; m < st->nm; m++)
            if (!st->extra_in_pool || !st->extra_in_pool[m]) free(st->extra[m]);
    free(st->extra);
    free(st->extra_pool);
    free(st->extra_in_pool);
    free(st->n_extra);
    free(st->cap_extra);
    for (int t = 0; t < MATCH_MAX_THREADS; t++) {
        for (size_t i = 0; st->tabs[t] && i < st->n_tabs; i++) free(st->tabs[t][i]);
        free(st->tabs[t]);
        free(st->cside_thr[t]);
        free(st->cside_oc[t]);
        free(st->cside_okey[t]);
        free(st->cside_tmp[t]);
        free(st->cside_cnt[t]);
    }
    free(st->cside_key);
    free(st->cside_n);
    for (size_t g = 0; g < st->cside_nlock; g++) pthread_mutex_destroy(&st->cside_lock[g]);
    free(st->cside_lock);
    free(st->cside_bound);
    free(st->cside_cert);
    free(st->cs_off);
    free(st->cs_c);
    free(st->cs_g);
    free(st->pi_real);
    mt_coaches_free(&st->pcs);
    mt_coaches_free(&st->chs);
    free(st->m_fp);
    free(st->c_fp);
    free(st->w_c);
    free(st->w_keep);
    free(st->w_m);
    free(st->ch);
    for (int t = 0; t < MATCH_MAX_THREADS; t++) {
        free(st->ch_red[t]);
        free(st->ch_key[t]);
    }
    if (st->chelig)
        for (size_t p = 0; p < st->n_prog; p++) free(st->chelig[p]);
    free(st->chelig);
    match_warm_free(st->warm_out);
    free(st->rb);
    free(st->rp);
    free(st->rb_k);
    free(st->grow);
    for (size_t k = 0; st->pi_hist && k < st->n_hist; k++) free(st->pi_hist[k]);
    free(st->pi_hist);
    free(st->perm);
    free(st->pos_of);
    if (st->pelig)
        for (size_t p = 0; p < st->n_prog; p++) free(st->pelig[p]);
    free(st->pelig);
    arena_free(st->arena);
    free(st);
}

/* What validation learnt of each mentee (input order) that its code needs
 * (mt_mcheck): checking and coding would otherwise look up the same
 * strings twice. */
typedef struct run_checked {
    mt_mcheck *m;
    int32_t *comp;     /* the mentees' competencies, one after another */
    int32_t *ccomp;    /* the coaches' (mt_coach_check), one after another */
    size_t *ccomp_off; /* coach i's from ccomp + ccomp_off[i] */
    uint64_t *m_fp;    /* the profiles' fingerprints when input_warm */
    uint64_t *c_fp;    /* (warm_fps), else NULL; in the input's order */
    size_t *m_size;    /* the mentees' copies' sizes (mentee_size) */
} run_checked;

static void checked_free(run_checked *ck) {
    free(ck->m);
    free(ck->comp);
    free(ck->ccomp);
    free(ck->ccomp_off);
    free(ck->m_fp);
    free(ck->c_fp);
    free(ck->m_size);
}

/* Does a run of this input fingerprint its profiles (a warm start given or
 * kept, optimal mode: the policy's mode, which resolving keeps)?  Read by
 * validation, which takes the fingerprints, and by the steps using them. */
static int input_warm(const match_run_input *in) {
    return (in->warm || in->keep_warm) && (!in->policy || in->policy->mode == MATCH_MODE_OPTIMAL);
}

static int run_warm(const struct match_run_state *st) { return input_warm(st->in); }

/* Validation's parts (par_parts): each checks its profiles and stops at
 * its first invalid one, naming it in err[part]. */
typedef struct check_job {
    const match_catalog *cat;
    const match_run_input *in;
    run_checked *ck;
    match_err err[MATCH_MAX_THREADS];
} check_job;

static int check_failed(match_err *out, const char *list, size_t i, const char *id, const match_err *e) {
    char f[sizeof(e->field) + 32];
    snprintf(f, sizeof(f), "%s[%zu].%.40s", list, i, e->field);
    mt_err(out, f, "%s[%zu] (%s): %s", list, i, id ? id : "?", e->msg);
    return MATCH_ERR;
}

static size_t capped(size_t n_competencies) {
    return n_competencies < MATCH_MAX_COMPETENCIES ? n_competencies : MATCH_MAX_COMPETENCIES;
}

static size_t capped_comps(const match_mentee *m) { return capped(m->n_competencies); }

static int check_mentees(void *ctx, size_t i0, size_t i1, int part) {
    check_job *j = ctx;
    const match_mentee *ms = j->in->mentees;
    /* each mentee's ids go straight into its slice: a check writes them
     * only once the count is known to be at most MATCH_MAX_COMPETENCIES */
    int32_t *comp = j->ck->comp;
    for (size_t i = 0; i < i0; i++) comp += capped_comps(&ms[i]);
    for (size_t i = i0; i < i1; i++) {
        match_err e;
        if (mt_mentee_check(j->cat, &ms[i], &j->ck->m[i], comp, &e) != MATCH_OK)
            return check_failed(&j->err[part], "mentees", i, ms[i].id, &e);
        if (j->ck->m_fp) j->ck->m_fp[i] = mt_fp_mentee(&ms[i], &j->ck->m[i]);
        j->ck->m_size[i] = mentee_size(&ms[i], j->in->borrow);
        comp += capped_comps(&ms[i]);
    }
    return MATCH_OK;
}

static int check_coaches(void *ctx, size_t i0, size_t i1, int part) {
    check_job *j = ctx;
    for (size_t i = i0; i < i1; i++) {
        match_err e;
        const match_coach *c = &j->in->coaches[i];
        int32_t *comp = j->ck->ccomp + j->ck->ccomp_off[i];
        if (mt_coach_check(j->cat, c, comp, &e) != MATCH_OK)
            return check_failed(&j->err[part], "coaches", i, c->id, &e);
        if (j->ck->c_fp) j->ck->c_fp[i] = mt_fp_coach(c, comp);
    }
    return MATCH_OK;
}

/* The first part's error in index order (par_parts stopped there). */
static void check_error(const check_job *j, match_err *err) {
    for (int p = 0; p < MATCH_MAX_THREADS; p++)
        if (j->err[p].msg[0]) {
            if (err) *err = j->err[p];
            return;
        }
}

/* Validate everything, naming "mentees[i].field" / "coaches[i].field", and
 * fill *ck (freed by the caller whatever the result): when the run takes
 * fingerprints (input_warm), the profiles' too, while each profile's
 * strings are in the cache. */
static int validate(const match_catalog *cat, const match_run_input *in, run_checked *ck, match_err *err) {
    if ((in->n_pinned && !in->pinned) || (in->n_forbidden && !in->forbidden) || (in->n_mentees && !in->mentees) ||
        (in->n_coaches && !in->coaches)) {
        mt_err(err, "", "an array is NULL but its count is not 0");
        return MATCH_ERR;
    }
    /* before anything is read or allocated for the counts */
    if (in->n_mentees > INT32_MAX / 2 || in->n_coaches > INT32_MAX / 2) {
        mt_err(err, "", "too many mentees or coaches");
        return MATCH_ERR;
    }
    if (in->candidates < 0 || in->candidates > RUN_MAX_K) {
        mt_err(err, "candidates", "candidates: must be 0..%d", RUN_MAX_K);
        return MATCH_ERR;
    }
    size_t n_comp = 0;
    for (size_t i = 0; i < in->n_mentees; i++) n_comp += capped_comps(&in->mentees[i]);
    ck->m = malloc(in->n_mentees * sizeof(*ck->m) + 1);
    ck->m_size = malloc(in->n_mentees * sizeof(*ck->m_size) + 1);
    ck->comp = malloc(n_comp * sizeof(*ck->comp) + 1);
    ck->ccomp_off = malloc((in->n_coaches + 1) * sizeof(*ck->ccomp_off));
    if (!ck->m || !ck->m_size || !ck->comp || !ck->ccomp_off) return MATCH_ENOMEM;
    ck->ccomp_off[0] = 0;
    for (size_t i = 0; i < in->n_coaches; i++)
        ck->ccomp_off[i + 1] = ck->ccomp_off[i] + capped(in->coaches[i].n_competencies);
    if (!(ck->ccomp = malloc(ck->ccomp_off[in->n_coaches] * sizeof(*ck->ccomp) + 1))) return MATCH_ENOMEM;
    if (input_warm(in)) {
        ck->m_fp = malloc(in->n_mentees * sizeof(uint64_t) + 1);
        ck->c_fp = malloc(in->n_coaches * sizeof(uint64_t) + 1);
        if (!ck->m_fp || !ck->c_fp) return MATCH_ENOMEM;
    }
    check_job *j = calloc(1, sizeof(*j)); /* err[]: empty */
    if (!j) return MATCH_ENOMEM;
    j->cat = cat;
    j->in = in;
    j->ck = ck;
    int threads = run_threads(in);
    int rc = par_parts(threads, in->n_mentees, check_mentees, j);
    if (rc == MATCH_OK) rc = par_parts(threads, in->n_coaches, check_coaches, j);
    if (rc != MATCH_OK) check_error(j, err);
    free(j);
    return rc;
}

static int64_t bonus_of(const match_run_input *in, const match_policy *p, size_t orig) {
    uint32_t w = in->waitlist ? in->waitlist[orig] : 0;
    if (w > MATCH_WAITLIST_MAX) w = MATCH_WAITLIST_MAX;
    return (int64_t)p->waitlist_bonus * w;
}

/* Copy and sort mentees and coaches, build the coach set. */
static int prepare_profiles(struct match_run_state *st, const run_checked *ck, match_err *err) {
    const match_run_input *in = st->in;
    size_t nm = st->nm, nc = st->nc;
    const char **ids = malloc((nm > nc ? nm : nc) * sizeof(*ids) + 1);
    st->m_orig = malloc(nm * sizeof(size_t) + 1);
    st->m_pos = malloc(nm * sizeof(size_t) + 1);
    st->c_orig = malloc(nc * sizeof(size_t) + 1);
    st->mentees = malloc(nm * sizeof(match_mentee) + 1);
    st->c_id = malloc(nc * sizeof(char *) + 1);
    st->bonus = malloc(nm * sizeof(int64_t) + 1);
    if (!ids || !st->m_orig || !st->m_pos || !st->c_orig || !st->mentees || !st->c_id || !st->bonus) {
        free(ids);
        return MATCH_ENOMEM;
    }
    int rc = MATCH_OK;
    const match_warm *w = in->warm;
    int distinct_m, distinct_c = 1;
    for (size_t i = 0; i < nm; i++) ids[i] = in->mentees[i].id;
    rc = sort_by_id(st->m_orig, ids, nm, w ? w->m_in : NULL, w ? w->nm : 0, &distinct_m);
    for (size_t i = 0; i < nc && rc == MATCH_OK; i++) ids[i] = in->coaches[i].id;
    if (rc == MATCH_OK) rc = sort_by_id(st->c_orig, ids, nc, w ? w->c_in : NULL, w ? w->nc : 0, &distinct_c);
    free(ids);
    if (rc != MATCH_OK) return rc;
    for (size_t i = 0; i < nm; i++) st->m_pos[st->m_orig[i]] = i;
    if (copy_mentees(&st->arena, st->threads, st->mentees, in->mentees, st->m_pos, st->m_orig, ck->m_size, nm,
                     in->borrow) != MATCH_OK)
        return MATCH_ENOMEM;
    for (size_t i = 0; i < nm; i++) {
        st->bonus[i] = bonus_of(in, &st->policy, st->m_orig[i]);
        if (!distinct_m && i && strcmp(st->mentees[i - 1].id, st->mentees[i].id) == 0) {
            mt_err(err, "mentees", "duplicate mentee id %s", st->mentees[i].id);
            return MATCH_ERR;
        }
    }
    if (mt_coaches_reserve(&st->cs, nc) != MATCH_OK) return MATCH_ENOMEM;
    if (run_warm(st)) {
        if (!(st->c_fp = malloc(nc * sizeof(uint64_t) + 1))) return MATCH_ENOMEM;
        for (size_t j = 0; j < nc; j++) st->c_fp[j] = ck->c_fp[st->c_orig[j]];
    }
    for (size_t j = 0; j < nc; j++) {
        const match_coach *c = &in->coaches[st->c_orig[j]];
        if (!(st->c_id[j] = arena_str(&st->arena, c->id))) return MATCH_ENOMEM;
        if (!distinct_c && j && strcmp(st->c_id[j - 1], st->c_id[j]) == 0) {
            mt_err(err, "coaches", "duplicate coach id %s", c->id);
            return MATCH_ERR;
        }
        const int32_t *comp = ck->ccomp + ck->ccomp_off[st->c_orig[j]];
        if ((rc = mt_coaches_set(&st->cs, &st->space, j, c, comp)) != MATCH_OK) return rc;
    }
    return MATCH_OK;
}

/* Codes in parts (par_parts), in the input's order, validation's (ck):
 * read in the sorted order, a mentee's check results missed the cache at
 * every mentee (4/5 of this loop's time at 100,000 mentees).  The input and
 * its copies hold the same profiles; the space is only read. */
typedef struct code_job {
    struct match_run_state *st;
    const run_checked *ck;
} code_job;

static int code_part(void *ctx, size_t o0, size_t o1, int part) {
    code_job *j = ctx;
    struct match_run_state *st = j->st;
    (void)part;
    for (size_t o = o0; o < o1; o++) {
        size_t m = st->m_pos[o];
        const match_mentee *me = &st->in->mentees[o];
        mt_mentee_code(&st->mcode[m], st->mcomp + st->mcomp_off[m], &st->space, me, &st->policy, &j->ck->m[o]);
        if (st->m_fp) st->m_fp[m] = j->ck->m_fp[o];
    }
    return MATCH_OK;
}

/* Each mentee's query code (mt_mentee_code): its queries are built in every
 * pass, the code once, from what validation found (ck), and so is its
 * profile's fingerprint when the run needs it (warm_fps).  After
 * prepare_profiles: the space is complete. */
static int prepare_codes(struct match_run_state *st, const run_checked *ck) {
    st->mcode = malloc(st->nm * sizeof(*st->mcode) + 1);
    st->mcomp_off = malloc((st->nm + 1) * sizeof(*st->mcomp_off));
    if (!st->mcode || !st->mcomp_off) return MATCH_ENOMEM;
    if (run_warm(st) && !(st->m_fp = malloc(st->nm * sizeof(uint64_t) + 1))) return MATCH_ENOMEM;
    size_t n = 0;
    for (size_t m = 0; m < st->nm; m++) {
        st->mcomp_off[m] = n;
        n += st->mentees[m].n_competencies;
    }
    st->mcomp_off[st->nm] = n;
    if (!(st->mcomp = malloc(n * sizeof(*st->mcomp) + 1))) return MATCH_ENOMEM;
    code_job j = { st, ck };
    par_parts(st->threads, st->nm, code_part, &j);
    return MATCH_OK;
}

/* Mentee m's query over coach set cs, from its code. */
static void run_query(const struct match_run_state *st, mt_query *q, const mt_coaches *cs, size_t m) {
    mt_query_coded(q, &st->space, cs, &st->mentees[m], &st->mcode[m], st->mcomp + st->mcomp_off[m], &st->policy);
}

typedef struct pair_ix {
    int32_t m, c;
} pair_ix;

static int cmp_pair(const void *a, const void *b) {
    const pair_ix *x = a, *y = b;
    if (x->m != y->m) return x->m < y->m ? -1 : 1;
    return (x->c > y->c) - (x->c < y->c);
}

/* Resolve pairs of ids to sorted (mentee, coach) indices; unknown ids are
 * dropped.  *out is malloc'ed (may be empty). */
static int resolve_pairs(struct match_run_state *st, const match_pair_ref *refs, size_t n, pair_ix **out,
                         size_t *n_out) {
    pair_ix *v = malloc(n * sizeof(*v) + 1);
    if (!v) return MATCH_ENOMEM;
    char **mids = malloc(st->nm * sizeof(*mids) + 1);
    if (!mids) {
        free(v);
        return MATCH_ENOMEM;
    }
    for (size_t i = 0; i < st->nm; i++) mids[i] = (char *)st->mentees[i].id;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!refs[i].mentee_id || !refs[i].coach_id) continue;
        long m = find_id(mids, st->nm, refs[i].mentee_id);
        long c = find_id(st->c_id, st->nc, refs[i].coach_id);
        if (m >= 0 && c >= 0) v[k++] = (pair_ix){ (int32_t)m, (int32_t)c };
    }
    free(mids);
    qsort(v, k, sizeof(*v), cmp_pair);
    *out = v;
    *n_out = k;
    return MATCH_OK;
}

static int is_forbidden(const struct match_run_state *st, size_t m, int32_t c) {
    for (size_t i = st->forb_off[m]; i < st->forb_off[m + 1]; i++)
        if (st->forb[i] == c) return 1;
    return 0;
}

static int prepare_pairs(struct match_run_state *st, match_stats *stats) {
    pair_ix *f, *p;
    size_t nf, np;
    if (resolve_pairs(st, st->in->forbidden, st->in->n_forbidden, &f, &nf) != MATCH_OK) return MATCH_ENOMEM;
    st->forb_off = calloc(st->nm + 1, sizeof(size_t));
    st->forb = malloc(nf * sizeof(int32_t) + 1);
    if (!st->forb_off || !st->forb) {
        free(f);
        return MATCH_ENOMEM;
    }
    size_t k = 0;
    for (size_t i = 0; i < nf; i++) {
        if (i && f[i].m == f[i - 1].m && f[i].c == f[i - 1].c) continue;
        st->forb[k++] = f[i].c;
        st->forb_off[f[i].m + 1]++;
    }
    for (size_t m = 0; m < st->nm; m++) st->forb_off[m + 1] += st->forb_off[m];
    free(f);

    if (resolve_pairs(st, st->in->pinned, st->in->n_pinned, &p, &np) != MATCH_OK) return MATCH_ENOMEM;
    stats->pins_skipped = (uint32_t)(st->in->n_pinned - np); /* unknown ids */
    for (size_t i = 0; i < np; i++) {
        int32_t m = p[i].m, c = p[i].c;
        if (st->match[m] >= 0 || st->remain[c] <= 0 || is_forbidden(st, (size_t)m, c)) {
            stats->pins_skipped++;
            continue;
        }
        st->match[m] = c;
        st->pinned[m] = 1;
        st->remain[c]--;
        stats->pinned++;
    }
    free(p);
    memcpy(st->cap0, st->remain, st->nc * sizeof(*st->cap0));
    return MATCH_OK;
}

/* Program slots and the eligibility rows. */
static int prepare_programs(struct match_run_state *st, match_err *err) {
    mt_map slots;
    mt_map_init(&slots);
    st->m_prog = malloc(st->nm * sizeof(uint32_t) + 1);
    if (!st->m_prog) return MATCH_ENOMEM;
    int rc = MATCH_OK;
    for (size_t m = 0; m < st->nm && rc == MATCH_OK; m++) {
        /* A run is mostly one program: the slot of the mentee before.  Its
         * code's program id tells without reading the strings (an id is one
         * string); only MT_NONE, a program no coach has, needs them. */
        uint32_t pid = st->mcode[m].program;
        if (m && (pid != MT_NONE ? pid == st->mcode[m - 1].program
                                 : strcmp(st->mentees[m].program, st->mentees[m - 1].program) == 0)) {
            st->m_prog[m] = st->m_prog[m - 1];
            continue;
        }
        uint32_t s = mt_map_get(&slots, st->mentees[m].program);
        if (s == MT_NONE) {
            if (slots.len >= RUN_MAX_PROGRAMS) {
                mt_err(err, "mentees", "a run covers at most %d programs", RUN_MAX_PROGRAMS);
                rc = MATCH_ERR;
                break;
            }
            s = mt_map_intern(&slots, st->mentees[m].program);
            if (s == MT_NONE) {
                rc = MATCH_ENOMEM;
                break;
            }
            uint8_t **ef = realloc(st->elig_free, (s + 1) * sizeof(*ef));
            if (ef) st->elig_free = ef;
            uint8_t **ea = realloc(st->elig_any, (s + 1) * sizeof(*ea));
            if (ea) st->elig_any = ea;
            if (!ef || !ea) {
                rc = MATCH_ENOMEM;
                break;
            }
            ef[s] = mt_elig_alloc(st->nc); /* both read by mt_key_block */
            ea[s] = mt_elig_alloc(st->nc);
            st->n_prog = s + 1;
            if (!ef[s] || !ea[s]) {
                rc = MATCH_ENOMEM;
                break;
            }
            for (size_t c = 0; c < st->nc; c++) {
                ea[s][c] = (uint8_t)mt_coach_serves(&st->cs, c, pid);
                ef[s][c] = (uint8_t)(ea[s][c] && st->remain[c] > 0);
            }
        }
        st->m_prog[m] = s;
    }
    mt_map_free(&slots);
    return rc;
}

/* ---- scoring one mentee against every coach ------------------------------ */

/* A visitor gets the keys of each block of coaches (kernel.c): 0 for a
 * pair that breaks a hard constraint or is forbidden, else a monotone proxy
 * of the score.  min_score is the visitor's: key_min() gives the largest
 * key below it. */
typedef void (*block_fn)(void *ctx, const mt_query *q, size_t c0, const uint16_t *key, size_t n);

static uint16_t key_min(const mt_query *q, int min_score) { return min_score > 0 ? mt_key_floor(q, min_score - 1) : 0; }

/* Coaches [c_lo, c_hi) of mentee m's query q, block by block. */
static void scan_range(struct match_run_state *st, size_t m, const mt_query *q, const uint8_t *elig, size_t c_lo,
                       size_t c_hi, block_fn fn, void *ctx) {
    uint16_t key[MT_BLOCK];
    size_t fi = st->forb_off[m], fe = st->forb_off[m + 1];
    while (fi < fe && (size_t)st->forb[fi] < c_lo) fi++;
    for (size_t c0 = c_lo; c0 < c_hi; c0 += MT_BLOCK) {
        size_t c1 = c0 + MT_BLOCK < c_hi ? c0 + MT_BLOCK : c_hi;
        mt_key_block(q, &st->cs, elig, c0, c1, key);
        for (; fi < fe && (size_t)st->forb[fi] < c1; fi++) key[st->forb[fi] - c0] = 0;
        fn(ctx, q, c0, key, c1 - c0);
    }
}

static void scan_mentee(struct match_run_state *st, size_t m, const uint8_t *elig, block_fn fn, void *ctx) {
    mt_query q;
    run_query(st, &q, &st->cs, m);
    scan_range(st, m, &q, elig, 0, st->nc, fn, ctx);
}

/* The coach a mentee's first scan starts from (optimal mode).  Among coaches
 * of equal score the first seen enters a candidate list; were every scan to
 * start at coach 0, mentees with the same profile shape would all keep the
 * same few coaches of a tie (the lowest ids), and the first solve would
 * have them compete for those few places while their equals stay unknown
 * until pricing finds them round after round.  Starting each mentee at its
 * own coach (a hash of its index) spreads the ties over the coaches; still a
 * function of the input alone. */
static size_t scan_start(const struct match_run_state *st, size_t m) {
    uint64_t z = (uint64_t)m * 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z ^= z >> 27;
    return st->nc ? (size_t)(z % st->nc) : 0;
}

static const int32_t *score_table(struct match_run_state *st, int tid, const mt_query *q);

/* Top-(k+1) by (score desc, coach asc); coaches arrive in ascending order,
 * so a later pair enters a full list only with a strictly higher score. */
typedef struct topk {
    cand *v;
    int n, cap;
    int min_score;
    /* stable mode cursor: only pairs after (after_s, after_c) count */
    int after_s;
    int32_t after_c;
    const int32_t *remain; /* stable mode: only coaches with capacity */
    const int32_t *map;    /* block positions -> coach (NULL: identity) */
    int init;
    uint16_t kt; /* keys <= kt cannot enter */
    int kvec;    /* st->kvec: search with mt_key_next */
    /* the query's score table (score_table) once the coach side has it,
     * else NULL: the keys above kt score at least min_score, so the table
     * has their scores (mt_key_score's, without the division) */
    const int32_t *tab;
    /* coach side (first pass of optimal mode), else st == NULL */
    struct match_run_state *st;
    int tid;
    int32_t m;
    int32_t bonus;
    int oom;
} topk;

/* A threshold no gain reaches (coach_side_init) */
#define CSIDE_CLOSED        (INT32_MAX / 2)
#define CSIDE_NONE          (INT32_MIN / 2) /* cside_bound: the list holds every offer */
#define CSIDE_BUF_PER_COACH 8               /* offers buffered per coach (cside_flush) */
#define CSIDE_LOCK_COACHES  64              /* coaches a lock of the lists (cside_flush) */

/* A coach-side list holds (gain, mentee) pairs as one int64 each
 * (mt_top_key), ordered as the lists rank them: more gain first, then the
 * earlier mentee. */

/* Offers of thread tid's buffer (their keys, sorted by coach: cnt[c] is
 * where coach c's end) to the lists of lock group g, whose lock the thread
 * holds and this releases: each goes in if it ranks above the list's last
 * (mt_top_merge, all of a coach's at once).  The
 * thread's thresholds of these coaches then follow the lists, which the
 * other threads' offers raise too.  The threads' offers arrive in no
 * order of mentees, so an equal gain may still rank above a list's last
 * (an earlier mentee): a threshold lets equal gains through, and the key
 * decides. */
static void cside_take(struct match_run_state *st, int tid, const int64_t *out, const uint32_t *cnt, size_t g) {
    const int kd = st->cside_k;
    size_t c0 = g * CSIDE_LOCK_COACHES, c1 = c0 + CSIDE_LOCK_COACHES < st->nc ? c0 + CSIDE_LOCK_COACHES : st->nc;
    int32_t *thr = st->cside_thr[tid];
    size_t i = c0 ? cnt[c0 - 1] : 0;
    for (size_t c = c0; c < c1; c++) {
        int64_t *a = st->cside_key + c * (size_t)kd;
        if (i < cnt[c])
            st->cside_n[c] = (uint8_t)mt_top_merge(a, st->cside_n[c], kd, out + i, cnt[c] - i, st->cside_vec);
        i = cnt[c];
        if (st->cside_n[c] == kd) thr[c] = mt_top_gain(a[kd - 1]) - 1;
    }
    pthread_mutex_unlock(&st->cside_lock[g]);
}

/* Put thread tid's buffered offers into the lists.  The buffer is sorted
 * by coach (a counting sort), then the lists are visited in coach order,
 * each once: where the offers went into the lists one by one as they
 * came, a list was a cache miss or two per offer, and the RUN_COACH_D
 * lists of a scarce run's 2,000 coaches took more time than the scoring
 * itself.  The threads share the lists, a lock per CSIDE_LOCK_COACHES
 * coaches, taken in order (visiting a group another thread held after the
 * others measured the same: the threads seldom flush at once).  A list of d from n offers in random order takes about d (1 + ln(n / d))
 * of them in, and a list per thread, each of its n / T mentees, took
 * nearly T times what one list does, then had to be merged. */
static void cside_flush(struct match_run_state *st, int tid) {
    size_t n = st->cside_nrec[tid].n, nc = st->nc, ng = st->cside_nlock;
    uint32_t *cnt = st->cside_cnt[tid];
    const int32_t *oc = st->cside_oc[tid];
    const int64_t *okey = st->cside_okey[tid];
    int64_t *out = st->cside_tmp[tid];
    if (!n) return;
    memset(cnt, 0, (nc + 1) * sizeof(*cnt));
    for (size_t i = 0; i < n; i++) cnt[oc[i] + 1]++;
    for (size_t c = 0; c < nc; c++) cnt[c + 1] += cnt[c];
    for (size_t i = 0; i < n; i++) out[cnt[oc[i]]++] = okey[i];
    for (size_t g = 0; g < ng; g++) {
        pthread_mutex_lock(&st->cside_lock[g]);
        cside_take(st, tid, out, cnt, g);
    }
    st->cside_nrec[tid].n = 0;
}

/* Room in thread tid's buffer for the offers of a block of n coaches:
 * flushed first when short.  The buffer holds CSIDE_BUF_PER_COACH offers a
 * coach and at least a block's. */
static void cside_room(struct match_run_state *st, int tid, size_t n) {
    if (st->cside_caprec - st->cside_nrec[tid].n < n) cside_flush(st, tid);
}

/* Offer mentee t->m to the coach-side lists of coaches [c0, c0+n) whose
 * flag is set (mt_gain_est_block): into the thread's buffer (cside_flush). */
static void coach_side_flags(topk *t, const int32_t *tab, size_t c0, const uint16_t *key, size_t n,
                             const uint8_t *flag) {
    struct match_run_state *st = t->st;
    const int tid = t->tid;
    cside_room(st, tid, n);
    size_t i = st->cside_nrec[tid].n;
    st->cside_nrec[tid].n +=
        mt_flag_offers(flag, key, t->bonus, tab, n, (int32_t)c0, t->m, st->cside_oc[tid] + i, st->cside_okey[tid] + i);
}

/* Offer mentee t->m to the coach-side lists of coaches [c0, c0+n): into
 * the thread's buffer (cside_flush). */
static void coach_side_block(topk *t, const mt_query *q, size_t c0, const uint16_t *key, size_t n) {
    struct match_run_state *st = t->st;
    const int tid = t->tid;
    const int32_t *tab = score_table(st, tid, q);
    if (!tab) {
        t->oom = 1;
        return;
    }
    t->tab = tab;
    cside_room(st, tid, n);
    size_t i = st->cside_nrec[tid].n;
    st->cside_nrec[tid].n += mt_gain_offers(key, st->cside_thr[tid] + c0, t->bonus, tab, n, (int32_t)c0, t->m,
                                            st->cside_oc[tid] + i, st->cside_okey[tid] + i, st->cside_gvec);
}

/* Key j of a block (c0) into t's list if it enters; returns the key
 * threshold, raised once the list is full. */
static uint16_t topk_take(topk *t, const mt_query *q, size_t c0, const uint16_t *key, size_t j, uint16_t kt) {
    int32_t c = t->map ? t->map[c0 + j] : (int32_t)(c0 + j);
    int s = t->tab ? t->tab[key[j]] : mt_key_score(q, key[j]);
    if (t->remain && t->remain[c] <= 0) return kt;
    if (s > t->after_s || (s == t->after_s && c <= t->after_c)) return kt;
    if (t->n == t->cap && s <= t->v[t->n - 1].score) return kt;
    int k = t->n < t->cap ? t->n++ : t->n - 1;
    while (k > 0 && t->v[k - 1].score < s) {
        t->v[k] = t->v[k - 1];
        k--;
    }
    t->v[k] = (cand){ c, (int16_t)s };
    if (t->n == t->cap) {
        uint16_t fl = mt_key_floor(q, t->v[t->n - 1].score);
        kt = fl > kt ? fl : kt;
    }
    return kt;
}

/* The top-K by score of topk_block (without the coach side). */
static void topk_scores(topk *t, const mt_query *q, size_t c0, const uint16_t *key, size_t n) {
    if (!t->init) {
        t->kt = key_min(q, t->min_score);
        t->init = 1;
    }
    uint16_t kt = t->kt;
    if (t->kvec) {
        for (size_t j = mt_key_next(key, 0, n, kt); j < n; j = mt_key_next(key, j + 1, n, kt))
            kt = topk_take(t, q, c0, key, j, kt);
        t->kt = kt;
        return;
    }
    /* Sub-blocks of TOPK_SUB keys, so that a threshold that rises early in
     * a block (while the list fills) filters the rest of it. */
    for (size_t b0 = 0; b0 < n; b0 += TOPK_SUB) {
        size_t bn = n - b0 < TOPK_SUB ? n - b0 : TOPK_SUB;
        const uint16_t *bk = key + b0;
        if (mt_key_max(bk, bn) <= kt) continue;
        uint8_t flag[TOPK_SUB];
        mt_key_above(bk, bn, kt, flag);
        for (const uint8_t *f = memchr(flag, 1, bn); f; f = memchr(f + 1, 1, (size_t)(flag + bn - f - 1))) {
            size_t j = b0 + (size_t)(f - flag);
            if (key[j] > kt) kt = topk_take(t, q, c0, key, j, kt); /* kt may rise within a sub-block */
        }
    }
    t->kt = kt;
}

static void topk_block(void *ctx, const mt_query *q, size_t c0, const uint16_t *key, size_t n) {
    topk *t = ctx;
    if (t->st) coach_side_block(t, q, c0, key, n);
    topk_scores(t, q, c0, key, n);
}

/* ---- estimated prices -------------------------------------------------------- *
 *
 * A cold run large enough (estimate.c) first estimates every coach's price
 * est[c].  The first pass then keeps, besides each mentee's K best coaches
 * by score (and t, the (K+1)-th score), its K best by s - est[c], and
 * est_rb, the (K+1)-th of those values: every pair left out of both lists
 * has s <= t and s - est[c] <= est_rb.  Pricing starts with est as the
 * prices of a round before the first, and est_rb as each mentee's reduced
 * bound against it, covering every coach (rp = INT64_MAX), exactly as a
 * warm start does with the previous run's prices (warm_seed_pricing): a
 * pair left out can violate only once its coach is in the mentee's prefix
 * (priced below t - o, as always) and its price has fallen below est[c] by
 * more than the mentee's margin, and the drop views find those coaches.
 * Where a few coaches outscore the others for everyone (hub), t is theirs
 * and the prefix is most of the market; the estimate's bound is what keeps
 * those mentees from scanning it round after round.  Where scores alone
 * bound well (broad, ties), the score list and t do as before.  A poor
 * estimate costs scans, never exactness (bench/matcher/README.md, "Prices
 * estimated before the first pass"). */
typedef struct estk {
    topk t;       /* the score list (and the coach side): topk_block */
    cand *v;      /* k + 1: the K best by s - est, then the first left out */
    int64_t *red; /* their s - est */
    int n, cap;
    int32_t thr; /* once full, a pair enters only with s - est > thr */
} estk;

/* Take the flagged pairs [b0, b0+n) of a block into e's list. */
static void est_take(estk *e, const int32_t *tab, size_t c0, const uint16_t *key, size_t b0, size_t n,
                     const uint8_t *flag) {
    const int32_t *est = e->t.st->est;
    for (const uint8_t *f = memchr(flag, 1, n); f; f = memchr(f + 1, 1, (size_t)(flag + n - f - 1))) {
        size_t j = b0 + (size_t)(f - flag);
        int32_t c = (int32_t)(c0 + j), s = tab[key[j]];
        int64_t x = (int64_t)s - est[c];
        if (x <= e->thr) continue; /* thr rose since the flags */
        int k = e->n < e->cap ? e->n++ : e->n - 1;
        while (k > 0 && e->red[k - 1] < x) {
            e->v[k] = e->v[k - 1];
            e->red[k] = e->red[k - 1];
            k--;
        }
        e->v[k] = (cand){ c, (int16_t)s };
        e->red[k] = x;
        if (e->n == e->cap) e->thr = (int32_t)e->red[e->n - 1];
    }
}

/* A block of the first pass with estimated prices: the coach side, the
 * score list (topk_scores) and the estimate's list.  Once the latter is
 * full, one kernel flags the pairs of both lists (mt_gain_est_block);
 * sub-blocks of TOPK_SUB keep the estimate list's rising threshold from
 * flagging pairs it no longer takes (while it fills, in a mentee's first
 * block, every pair). */
static void est_block(void *ctx, const mt_query *q, size_t c0, const uint16_t *key, size_t n) {
    estk *e = ctx;
    topk *t = &e->t;
    struct match_run_state *st = t->st; /* set: optimal mode has the coach side */
    const int32_t *tab = score_table(st, t->tid, q);
    if (!tab) {
        t->oom = 1;
        return;
    }
    t->tab = tab;
    if (e->n == e->cap) {
        uint8_t gflag[MT_BLOCK];
        const int32_t *cthr = st->cside_thr[t->tid] + c0;
        for (size_t b0 = 0; b0 < n; b0 += TOPK_SUB) {
            size_t bn = n - b0 < TOPK_SUB ? n - b0 : TOPK_SUB;
            uint8_t eflag[TOPK_SUB];
            mt_gain_est_block(key + b0, cthr + b0, t->bonus, tab, st->est + c0 + b0, e->thr, bn, gflag + b0, eflag);
            est_take(e, tab, c0, key, b0, bn, eflag);
        }
        /* a mentee meets each coach once: its offers do not depend on the
         * order they are made in */
        coach_side_flags(t, tab, c0, key, n, gflag);
        topk_scores(t, q, c0, key, n);
        return;
    }
    coach_side_block(t, q, c0, key, n);
    topk_scores(t, q, c0, key, n);
    for (size_t b0 = 0; b0 < n; b0 += TOPK_SUB) {
        size_t bn = n - b0 < TOPK_SUB ? n - b0 : TOPK_SUB;
        uint8_t flag[TOPK_SUB];
        mt_est_block(key + b0, st->est + c0 + b0, e->thr, tab, bn, flag);
        est_take(e, tab, c0, key, b0, bn, flag);
    }
}

/* The first pass of mentee m with estimated prices (optimal mode): t is
 * score_one's top-K, with the coach side. */
static int score_one_est(struct match_run_state *st, size_t m, topk *t) {
    int64_t red[RUN_MAX_K + 1];
    estk e = { .t = *t, .v = st->est_cands + m * (size_t)(st->k + 1), .red = red, .cap = st->k + 1, .thr = INT32_MIN };
    const uint8_t *elig = st->elig_free[st->m_prog[m]];
    mt_query q;
    run_query(st, &q, &st->cs, m);
    size_t off = scan_start(st, m);
    scan_range(st, m, &q, elig, off, st->nc, est_block, &e);
    scan_range(st, m, &q, elig, 0, off, est_block, &e);
    *t = e.t;
    st->n_est[m] = (uint8_t)(e.n > st->k ? st->k : e.n);
    st->est_rb[m] = e.n > st->k ? red[st->k] : RB_EMPTY;
    return MATCH_OK;
}

/* First pass: the mentee's candidates, and (optimal mode) its offers to
 * the coach-side lists. */
static int score_one(par *p, int tid, size_t m) {
    struct match_run_state *st = p->st;
    cand *v = st->cands + m * (size_t)(st->k + 1);
    topk t = { .v = v,
               .cap = st->k + 1,
               .min_score = st->policy.min_score,
               .after_s = MATCH_SCORE_MAX + 1,
               .after_c = -1,
               .kvec = st->kvec };
    if (st->cside_thr[0]) {
        t.st = st;
        t.tid = tid;
        t.m = (int32_t)m;
        t.bonus = (int32_t)st->bonus[m];
    }
    const uint8_t *elig = st->elig_free[st->m_prog[m]];
    if (st->est) {
        t.st = st; /* est_block reads the state through it */
        t.tid = tid;
        score_one_est(st, m, &t);
    } else if (st->policy.mode == MATCH_MODE_OPTIMAL) {
        mt_query q;
        run_query(st, &q, &st->cs, m);
        size_t off = scan_start(st, m);
        scan_range(st, m, &q, elig, off, st->nc, topk_block, &t);
        scan_range(st, m, &q, elig, 0, off, topk_block, &t);
    } else {
        scan_mentee(st, m, elig, topk_block, &t); /* stable mode's ties go by coach id */
    }
    pairs_count(st, tid, st->nc);
    if (t.oom) return MATCH_ENOMEM;
    st->n_cand[m] = (uint8_t)(t.n > st->k ? st->k : t.n);
    st->t_score[m] = (int16_t)(t.n > st->k ? v[st->k].score : -1);
    return MATCH_OK;
}

/* A coach whose edges a warm run reuses (warm_coaches). */
static int warm_kept(const struct match_run_state *st, size_t c) {
    return st->warm && st->w_c[c] >= 0 && st->w_keep[st->w_c[c]] == (int32_t)c;
}

/* The run certifies coaches by their coach-side bounds ("Coach-side
 * bounds"): a cold run, unless the caller turned them off.  After
 * warm_map. */
static int coach_bounds_on(const struct match_run_state *st) { return !st->warm && !st->in->no_coach_bounds; }

/* The coach-side lists, empty.  A warm run's coach side is that of the
 * changed coaches only, so a kept coach's list starts closed, and stays
 * empty: the mentees scored in full offer it nothing.
 * Open, such lists were offered every pair while they filled, to be
 * thrown away: 7 % of a two-thread warm re-run's CPU at 100,000 x 20,000.
 * No gain reaches CSIDE_CLOSED (a score <= MATCH_SCORE_MAX plus a bonus <=
 * MATCH_WAITLIST_MAX x MATCH_WAITLIST_BONUS_MAX).  After warm_map. */
static int coach_side_init(struct match_run_state *st, size_t n_free) {
    /* Deeper lists where they can certify coaches (see "Coach-side
     * bounds"): a cold run with at most one free seat for two free
     * mentees. */
    int64_t seats = 0;
    for (size_t c = 0; c < st->nc; c++) seats += st->remain[c] > 0 ? st->remain[c] : 0;
    int deep = coach_bounds_on(st) && seats * RUN_SCARCE_DIV <= (int64_t)n_free;
    st->cside_k = deep ? RUN_COACH_D : RUN_COACH_K;
    /* The coaches' lists then bring a mentee some 13 edges besides its own
     * candidates, mostly the coaches everyone ranks first, and pricing
     * scans little: RUN_SCARCE_K candidates do, with a shorter list to keep
     * in the pass and fewer edges to solve (bench/matcher/README.md,
     * "Coach-side bounds": 6 % less at 5,000 x 2,000 and at 100,000 x
     * 20,000, 16 % at 1,000,000 x 50,000).  Nothing is in cands yet. */
    if (deep && st->in->candidates <= 0 && st->k != RUN_SCARCE_K) {
        free(st->cands);
        st->k = RUN_SCARCE_K;
        if (!(st->cands = malloc(st->nm * (size_t)(st->k + 1) * sizeof(cand) + 1))) return MATCH_ENOMEM;
    }
    size_t n = st->nc * (size_t)st->cside_k + 1;
    st->cside_caprec = CSIDE_BUF_PER_COACH * st->nc + 1024;
    size_t ng = (st->nc + CSIDE_LOCK_COACHES - 1) / CSIDE_LOCK_COACHES;
    st->cside_key = malloc(n * sizeof(int64_t));
    st->cside_n = calloc(st->nc + 1, 1);
    st->cside_lock = malloc(ng * sizeof(*st->cside_lock) + 1);
    if (!st->cside_key || !st->cside_n || !st->cside_lock) return MATCH_ENOMEM;
    for (size_t i = 0; i < n; i++) st->cside_key[i] = INT64_MIN; /* empty (mt_top_merge) */
    st->cside_vec = !st->in->portable && mt_top_vec(st->cside_k);
    st->cside_gvec = !st->in->portable && mt_gain_vec();
    for (; st->cside_nlock < ng; st->cside_nlock++)
        if (pthread_mutex_init(&st->cside_lock[st->cside_nlock], NULL) != 0) return MATCH_ENOMEM;
    for (int t = 0; t < st->threads; t++) {
        st->cside_thr[t] = malloc((st->nc + 1) * sizeof(int32_t));
        st->cside_oc[t] = malloc(st->cside_caprec * sizeof(int32_t));
        st->cside_okey[t] = malloc(st->cside_caprec * sizeof(int64_t));
        st->cside_tmp[t] = malloc(st->cside_caprec * sizeof(int64_t));
        st->cside_cnt[t] = malloc((st->nc + 1) * sizeof(uint32_t));
        if (!st->cside_thr[t] || !st->cside_oc[t] || !st->cside_okey[t] || !st->cside_tmp[t] || !st->cside_cnt[t])
            return MATCH_ENOMEM;
        for (size_t c = 0; c < st->nc; c++) st->cside_thr[t][c] = warm_kept(st, c) ? CSIDE_CLOSED : -1;
    }
    return MATCH_OK;
}

/* Record coach c as an extra edge of mentee m (beyond its top-K). */
/* Mentee m's extra list, grown to hold cap entries; a list in the warm
 * pool (warm_pool) moves out of it, into an allocation of its own. */
static int extra_grow(struct match_run_state *st, size_t m, uint32_t cap) {
    int pooled = st->extra_in_pool && st->extra_in_pool[m];
    int32_t *e = pooled ? malloc(cap * sizeof(*e)) : realloc(st->extra[m], cap * sizeof(*e));
    if (!e) return MATCH_ENOMEM;
    if (pooled) {
        memcpy(e, st->extra[m], st->n_extra[m] * sizeof(*e));
        st->extra_in_pool[m] = 0;
    }
    st->extra[m] = e;
    st->cap_extra[m] = cap;
    return MATCH_OK;
}

static int push_extra(struct match_run_state *st, size_t m, int32_t c) {
    if (st->n_extra[m] == st->cap_extra[m] &&
        extra_grow(st, m, st->cap_extra[m] ? st->cap_extra[m] * 2 : 8) != MATCH_OK)
        return MATCH_ENOMEM;
    st->extra[m][st->n_extra[m]++] = c;
    return MATCH_OK;
}

/* The coach-side lists once the first pass is over: the offers still
 * buffered taken in, each coach's bound (cold runs, see "Coach-side
 * bounds"), and the lists turned around: cs_off / cs_c, each mentee's
 * coaches of the lists, for graph_build to add as edges.  A warm run has
 * lists for the changed coaches only (coach_side_init): a kept coach's
 * best mentees are among its old edges already, and its best among the
 * few mentees rescored in full would add some 10^5 edges (at 100,000 x
 * 20,000) that pricing finds when they matter. */
static int cside_finish(struct match_run_state *st) {
    for (int t = 0; t < st->threads; t++) cside_flush(st, t);
    const int kd = st->cside_k;
    /* The bounds.  A mentee outside a coach's list was left out by a
     * threshold or pushed out: it gains at most the list's last, full
     * then.  Short, the list holds every mentee offered: no threshold was
     * ever above -1. */
    if (coach_bounds_on(st)) {
        if (!(st->cside_bound = malloc(st->nc * sizeof(int32_t) + 1))) return MATCH_ENOMEM;
        for (size_t c = 0; c < st->nc; c++)
            st->cside_bound[c] =
                st->cside_n[c] == kd ? mt_top_gain(st->cside_key[c * (size_t)kd + kd - 1]) : CSIDE_NONE;
    }
    if (!(st->cs_off = calloc(st->nm + 1, sizeof(*st->cs_off)))) return MATCH_ENOMEM;
    for (size_t c = 0; c < st->nc; c++)
        for (int i = 0; i < st->cside_n[c]; i++) st->cs_off[mt_top_m(st->cside_key[c * (size_t)kd + i]) + 1]++;
    for (size_t m = 0; m < st->nm; m++) st->cs_off[m + 1] += st->cs_off[m];
    st->cs_c = malloc(st->cs_off[st->nm] * sizeof(*st->cs_c) + 1);
    st->cs_g = malloc(st->cs_off[st->nm] * sizeof(*st->cs_g) + 1);
    if (!st->cs_c || !st->cs_g) return MATCH_ENOMEM;
    size_t *at = malloc(st->nm * sizeof(*at) + 1);
    if (!at) return MATCH_ENOMEM;
    memcpy(at, st->cs_off, st->nm * sizeof(*at));
    for (size_t c = 0; c < st->nc; c++)
        for (int i = 0; i < st->cside_n[c]; i++) {
            int64_t x = st->cside_key[c * (size_t)kd + i];
            size_t e = at[mt_top_m(x)]++;
            st->cs_c[e] = (int32_t)c;
            st->cs_g[e] = mt_top_gain(x);
        }
    free(at);
    /* the extra lists the coach side starts (a cold run's are empty): one
     * pool, not an allocation per mentee (cside_edges; extra_grow moves a
     * list that outgrows its slice out) */
    if (!st->warm) {
        st->extra_pool = malloc(st->cs_off[st->nm] * sizeof(int32_t) + 1);
        st->extra_in_pool = calloc(st->nm + 1, 1);
        if (!st->extra_pool || !st->extra_in_pool) return MATCH_ENOMEM;
        for (size_t m = 0; m < st->nm; m++) {
            if (st->cap_extra[m] || st->cs_off[m] == st->cs_off[m + 1]) continue;
            st->extra[m] = st->extra_pool + st->cs_off[m];
            st->cap_extra[m] = (uint32_t)(st->cs_off[m + 1] - st->cs_off[m]);
            st->extra_in_pool[m] = 1;
        }
    }
    return MATCH_OK;
}

/* ---- optimal mode --------------------------------------------------------- */

static int warm_edges(struct match_run_state *st, size_t m, int32_t *cols, int64_t *ws, int32_t *n);

static int64_t weight(const struct match_run_state *st, size_t m, int s) {
    return st->mult * (s + st->bonus[m]) + st->big;
}

/* ---- pricing ----------------------------------------------------------------- *
 *
 * After each solve, every pair outside the graph must satisfy
 * w(m,c) <= u[m] + v[c].  With M = mult and B = big,
 *
 *   w > u + v  =>  s + bonus > floor(u/M) + floor((v - B)/M)
 *
 * (floor(a/M) + floor(b/M) <= floor((a+b)/M)).  Write pi[c] =
 * floor((v[c] - B)/M), the coach's price in score units, and o[m] =
 * floor(u[m]/M) - bonus[m]: a pair can violate only if s > pi[c] + o[m].
 * Every pair of m outside the graph scores at most t[m] (the best pruned
 * score, kept per mentee), so only coaches with pi[c] < t[m] - o[m] can
 * hold a violation.  Each round therefore sorts the coaches by price
 * (a permuted copy of the coach arrays) and rescans each mentee only over
 * the prefix of cheaper coaches — in a participation run with more mentees
 * than seats nearly every coach is saturated and expensive, so the prefixes
 * are short.  Mentees whose prefix is empty are certified as they are.
 *
 * Reduced bounds: what a scan learnt is kept for later rounds.  A complete
 * scan of m in round k gives rb[m] >= s - pi_k[c] for every pair of m
 * outside the graph (the scanned ones exactly; beyond the prefix s <= t[m]
 * and pi_k[c] >= t[m] - o_k[m], so s - pi_k[c] <= o_k[m]).  In a later round
 * a pair can then violate only if pi_k[c] - pi[c] > o[m] - rb[m]: only a
 * coach whose price fell (or rose less than m's own dual fell) since round
 * k.  The solver mostly raises prices, so after the first complete scan
 * most mentees are proved without a scan, and the others scan only the
 * coaches that fell by more than their margin (a drop view: the coaches by
 * their fall since round k), or, when those are more than the prefix, the
 * blocks of MT_BLOCK price-ordered coaches whose largest fall exceeds it.
 * This, with the near pairs and the speculative rounds below, is what cut
 * the pair scorings on hard shapes (hub coaches that everyone ranks first,
 * ties, seats as many as mentees), where one scan per round over whole
 * prefixes meant up to 20 rounds of near-full passes (bench/matcher's
 * README, "Hard shapes").
 *
 * Each scan starts at its own position of the mentee's prefix (a hash of
 * mentee and round) and wraps around: mentees alike then find different
 * violating coaches first, instead of all adding edges to the same
 * cheapest few.
 *
 * Adding every violating pair can flood the graph (early on, each unmatched
 * mentee violates with most cheap coaches), so a round adds only the worst
 * PRICE_PER_MENTEE of each mentee and the PRICE_PER_COACH worst of each
 * coach.  A mentee found violating round after round gets twice as many
 * each time, up to PRICE_PER_MENTEE_MAX (candidate growth driven by the
 * duals: where they keep moving, the graph is too thin).  The solver
 * re-optimises and the rounds go on until a pass finds no violation at all
 * — only then is the result certified, so the certificate covers every
 * pair. */

#define PRICE_PER_MENTEE     4
#define PRICE_PER_MENTEE_MAX 32
#define PRICE_PER_COACH      2
/* violations after which a round's scan of a mentee may stop (not a
 * certifying round; a partial scan leaves no reduced bound) */
#define PRICE_STOP 64
/* Positions a scan covers between two checks of PRICE_STOP (a divisor of
 * MT_BLOCK).  A scan that stops sooner scores fewer pairs: with whole
 * blocks of MT_BLOCK, the mentees of a hard shape's first rounds scored up
 * to a block more each before stopping (bench/matcher/README.md, "Scans
 * that stop sooner"). */
#define PRICE_SEG 256
_Static_assert(MT_BLOCK % PRICE_SEG == 0, "PRICE_SEG must divide MT_BLOCK");
#define PRICE_FLAGS 64 /* pairs the kernel flags at a time (rescan_block) */
/* Drift.  In markets full of ties, pairs outside the graph exactly as good
 * as a mentee's own are common, so its reduced bound equals its margin and
 * the smallest fall of its dual (every row search lowers the duals of the
 * rows in its tree a little) asks for a scan of every coach whose price did
 * not rise: late rounds that add a handful of edges each scanned nearly the
 * whole market.  After a round that added at most nm / PRICE_SPEC_DIV + 16
 * edges, the scans asked for by a drift of at most PRICE_DRIFT score units
 * that would cover more than PRICE_CHEAP coaches wait: they run in the same
 * round only if every other scan found nothing, so that the round that
 * certifies still checks every pair, and a round that finds violations
 * elsewhere does not pay for them; they run in batches, and the batches
 * after one that finds a violation wait as well (price_wait). */
/* Near pairs.  A round that adds edges anyway also adds, per rescanned
 * mentee, the PRICE_NEAR_KEEP pairs closest to violating among those within
 * PRICE_NEAR score units of it: in markets of ties those are the pairs the
 * next solve's small dual moves turn into violations, and with them in the
 * graph the mentee's reduced bound sits PRICE_NEAR below its margin, so a
 * small drift no longer asks for a scan. */
#define PRICE_NEAR      32
#define PRICE_NEAR_KEEP 8
#define PRICE_DRIFT     64
#define PRICE_CHEAP     256
#define PRICE_SPEC_DIV  64
#define PRICE_WAIT_DIV  32 /* see price_wait */

typedef struct viol {
    int64_t amount; /* w - u - v > 0 */
    int32_t m, c;
    int16_t score;
} viol;

/* a is more violated than b (ties: smaller mentee, then coach). */
static int viol_before(const viol *a, const viol *b) {
    if (a->amount != b->amount) return a->amount > b->amount;
    if (a->m != b->m) return a->m < b->m;
    return a->c < b->c;
}

/* Insert into a sorted list of at most cap entries. */
static void viol_insert(viol *list, int *n, int cap, const viol *x) {
    if (*n == cap && !viol_before(x, &list[cap - 1])) return;
    int k = *n < cap ? (*n)++ : cap - 1;
    while (k > 0 && viol_before(x, &list[k - 1])) {
        list[k] = list[k - 1];
        k--;
    }
    list[k] = *x;
}

/* viol_insert, and *dropped gets the reduced value s - pi of the entry left
 * out (x or the one it evicted), if any. */
static void viol_keep(viol *list, int *n, int cap, const viol *x, int64_t x_red, int64_t *red, int64_t *dropped) {
    int64_t out = INT64_MIN;
    if (*n == cap) out = viol_before(x, &list[cap - 1]) ? red[cap - 1] : x_red;
    if (out > *dropped) *dropped = out;
    if (*n == cap && !viol_before(x, &list[cap - 1])) return;
    int k = *n < cap ? (*n)++ : cap - 1;
    while (k > 0 && viol_before(x, &list[k - 1])) {
        list[k] = list[k - 1];
        red[k] = red[k - 1];
        k--;
    }
    list[k] = *x;
    red[k] = x_red;
}

typedef struct price_thread {
    uint8_t *mark;       /* per position: in the mentee's graph */
    uint8_t *dmark;      /* the same, per position of a drop view */
    viol *by_coach;      /* nc * PRICE_PER_COACH, by coach */
    uint8_t *n_by_coach; /* per coach */
} price_thread;

typedef struct price_ctx {
    struct match_run_state *st;
    const int64_t *u, *v;
    int64_t *pi; /* per position (sorted ascending) */
    size_t *todo;
    size_t *prefix; /* per todo item: positions to scan */
    size_t n_todo;
    price_thread *thr;
    viol *near;        /* per todo item: PRICE_NEAR_KEEP pairs close to
                          violating (see PRICE_NEAR), by amount */
    int64_t *near_red; /*   their s - pi */
    uint8_t *n_near;
    int64_t *rb_add; /* per todo item: its reduced bound if the round
                          adds its lists, and if it adds nothing */
    int64_t *rb_none;
    viol *by_mentee; /* per todo item i: lim[i] entries from off[i] */
    size_t *off;     /* n_todo + 1 */
    uint8_t *lim;    /* per todo item */
    uint8_t *n_by_mentee;
    int32_t k_now;   /* this round's index in st->pi_hist */
    size_t n_cert;   /* coaches certified by their coach-side bound */
    int64_t **bmax;  /* [round][segment of PRICE_SEG positions]: largest
                       pi_round - pi of the segment, for the rounds in use */
    int64_t **pkmax; /* [round][segment]: largest pi_round of the segment */
    int64_t **pkpre; /* [round][position p]: largest pi_round of [0, p] */
    size_t n_segs;
    struct drop_view **dv; /* [round]: for the rounds in use */
} price_ctx;

/* The coaches by how much their price fell since an earlier round k
 * (delta = pi_k - pi, descending): the mentees whose bound is of round k
 * and whose margin theta is large scan only the coaches with delta > theta,
 * a prefix of this order.  A compact copy of those coaches in this order,
 * with their prices, eligibility and positions, as for the price order. */
typedef struct drop_view {
    int32_t *perm;   /* position -> coach */
    int32_t *pos_of; /* coach -> position */
    int64_t *delta;  /* per position, descending */
    int64_t *pi;     /* per position: this round's price */
    uint8_t **elig;  /* [prog][position] */
    int64_t **pmin;  /* [prog][position i]: the lowest price among the
                        program's eligible coaches at positions <= i */
    mt_coaches cs;
} drop_view;

typedef struct rescan_ctx {
    price_ctx *pc;
    price_thread *t;
    const int64_t *pi;   /* per position of the order scanned */
    const int32_t *perm; /*   and its coaches */
    const uint8_t *mark; /*   and the mentee's graph marks */
    size_t m, item;
    int64_t o;          /* floor(u[m] / M) - bonus[m] */
    int best_out;       /* best score outside the graph (a bound) */
    int64_t rbest;      /* largest s - pi over the scanned pairs outside */
    int64_t dropped;    /* largest s - pi of a near pair or violator no
                           list kept (flagged or not) */
    int64_t *mine_red;  /* s - pi of the by_mentee entries */
    const int32_t *tab; /* key -> score or -1 */
    int found;          /* violations found */
} rescan_ctx;

/* floor(a / b) for b > 0 */
static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

/* A flagged pair (r->m, c) scoring s, red = s - pi: a violator goes into
 * the mentee's and the coach's lists, a near pair into the near list; a
 * pair a list does not keep raises r->dropped. */
static void rescan_pair(rescan_ctx *r, int32_t c, int s, int64_t red) {
    price_ctx *pc = r->pc;
    struct match_run_state *st = pc->st;
    int64_t amount = weight(st, r->m, s) - pc->u[r->m] - pc->v[c];
    viol x = { amount, (int32_t)r->m, c, (int16_t)s };
    if (amount <= 0) {
        int nn = pc->n_near[r->item];
        viol_keep(pc->near + r->item * PRICE_NEAR_KEEP, &nn, PRICE_NEAR_KEEP, &x, red,
                  pc->near_red + r->item * PRICE_NEAR_KEEP, &r->dropped);
        pc->n_near[r->item] = (uint8_t)nn;
        return;
    }
    r->found++;
    int nm = pc->n_by_mentee[r->item];
    viol_keep(pc->by_mentee + pc->off[r->item], &nm, pc->lim[r->item], &x, red, r->mine_red, &r->dropped);
    pc->n_by_mentee[r->item] = (uint8_t)nm;
    price_thread *t = r->t;
    int nc = t->n_by_coach[c];
    viol_insert(t->by_coach + (size_t)c * PRICE_PER_COACH, &nc, PRICE_PER_COACH, &x);
    t->n_by_coach[c] = (uint8_t)nc;
}

/* Keys of a block of positions [p0, p0 + n) of the price-ordered coaches.
 * In pieces of PRICE_FLAGS, flags the pairs within PRICE_NEAR of violating,
 * violators included; once the mentee's near list is full, only those that
 * could still enter it (above its last entry): in markets of ties thousands
 * of pairs per mentee sit at its margin.  The near pairs left unflagged are
 * in no list, so they count as dropped. */
static void rescan_block(void *ctx, const mt_query *q, size_t p0, const uint16_t *key, size_t n) {
    rescan_ctx *r = ctx;
    const price_ctx *pc = r->pc;
    (void)q;
    const uint8_t *n_near = &pc->n_near[r->item];
    const int64_t *last_near = &pc->near_red[r->item * PRICE_NEAR_KEEP + PRICE_NEAR_KEEP - 1];
    uint8_t flag[MT_BLOCK];
    for (size_t j0 = 0, bn; j0 < n; j0 += bn) {
        /* the whole block while the near list has room (one call, as most
         * mentees of most markets need) */
        bn = *n_near < PRICE_NEAR_KEEP || n - j0 < PRICE_FLAGS ? n - j0 : PRICE_FLAGS;
        const int64_t *pi = r->pi + p0 + j0;
        const uint16_t *bk = key + j0;
        int64_t of = r->o - PRICE_NEAR, rb = INT64_MIN;
        if (*n_near == PRICE_NEAR_KEEP && *last_near > of) of = *last_near < r->o ? *last_near : r->o;
        r->best_out = mt_price_block(bk, r->mark + p0 + j0, pi, of, r->tab, bn, flag, r->best_out, &rb);
        if (rb > r->rbest) r->rbest = rb;
        if (of > r->o - PRICE_NEAR && (rb < of ? rb : of) > r->dropped) r->dropped = rb < of ? rb : of;
        for (const uint8_t *f = memchr(flag, 1, bn); f; f = memchr(f + 1, 1, (size_t)(flag + bn - f - 1))) {
            size_t j = (size_t)(f - flag);
            int s = r->tab[bk[j]];
            rescan_pair(r, r->perm[p0 + j0 + j], s, (int64_t)s - pi[j]);
        }
    }
}

/* The key -> score table of query q for thread tid (built on first use:
 * it depends only on the query's effective gd within a run). */
static const int32_t *score_table(struct match_run_state *st, int tid, const mt_query *q) {
    size_t slot = q->fast ? (q->gd ? q->gd : 1) : 0;
    if (slot >= st->n_tabs) return NULL; /* sized by the largest gd */
    int32_t **tabs = st->tabs[tid];
    if (!tabs[slot]) {
        uint32_t top = q->fast ? q->kd + 1 : MATCH_SCORE_MAX + 1;
        int32_t *t = malloc((top + 1) * sizeof(*t));
        if (!t) return NULL;
        t[0] = -1;
        for (uint32_t k = 1; k <= top; k++) {
            int s = mt_key_score(q, (uint16_t)k);
            t[k] = s >= st->policy.min_score ? s : -1;
        }
        tabs[slot] = t;
    }
    return tabs[slot];
}

/* Scan mentee m's prefix of n price-ordered coaches, skipping the blocks
 * its reduced bound proves (bm: the block drops since its round, NULL: no
 * bound; theta = o - rb).  Returns 1 when the scan was complete, 0 when it
 * stopped early (PRICE_STOP); *scanned gets the pairs scored, *skip_max
 * the largest drop of a skipped block (INT64_MIN: none skipped). */
static int rescan_scan(rescan_ctx *r, const mt_query *q, size_t n, const int64_t *bm, const int64_t *pk, int64_t rp,
                       int64_t theta, size_t *scanned, int64_t *skip_max) {
    price_ctx *pc = r->pc;
    struct match_run_state *st = pc->st;
    const uint8_t *elig = st->pelig[st->m_prog[r->m]];
    uint16_t key[MT_BLOCK];
    *skip_max = INT64_MIN;
    *scanned = 0;
    /* Each mentee starts at its own position of the prefix (a hash of the
     * mentee and the round) and wraps around: mentees alike would otherwise
     * all find their first violations among the same cheapest coaches, all
     * add edges to them, and leave the rest of the market for later rounds.
     * Once PRICE_STOP violations are found this round adds edges anyway and
     * will not certify, so the rest of the scan can wait (checked every
     * PRICE_SEG positions) -- unless half of it is done: a finished scan
     * leaves a reduced bound, a stopped one none, and a mentee without one
     * rescans its whole prefix next round (with whole halves stopped, the
     * warm re-run of bench/matcher scored 13 % more pairs). */
    size_t start = n ? (size_t)((scan_start(st, r->m) + (size_t)pc->k_now * 40503u) % n) : 0, done = 0;
    size_t p0 = start;
    while (done < n && (r->found < PRICE_STOP || 2 * done >= n)) {
        size_t end = p0 < start ? start : n; /* this lap's end */
        size_t p1 = (p0 / PRICE_SEG + 1) * PRICE_SEG;
        if (p1 > end) p1 = end;
        done += p1 - p0;
        size_t sg = p0 / PRICE_SEG;
        if (bm && bm[sg] <= theta && pk[sg] < rp) {
            if (bm[sg] > *skip_max) *skip_max = bm[sg];
        } else {
            mt_key_block(q, &st->pcs, elig, p0, p1, key);
            for (size_t f = st->forb_off[r->m]; f < st->forb_off[r->m + 1]; f++) {
                size_t pos = (size_t)st->pos_of[st->forb[f]];
                if (pos >= p0 && pos < p1) key[pos - p0] = 0;
            }
            rescan_block(r, q, p0, key, p1 - p0);
            *scanned += p1 - p0;
        }
        p0 = p1 == n ? 0 : p1;
    }
    return done >= n;
}

/* mark[i] = 1 for the positions i < n of drop view d whose coach has an
 * edge of mentee m, else 0.  A drop scan covers a few coaches: this visits
 * the mentee's edges once, where marking them at their price positions
 * (graph_mark) would visit them twice and then read the n marks back. */
static void drop_mark(const struct match_run_state *st, size_t m, const drop_view *d, size_t n, uint8_t *mark) {
    memset(mark, 0, n);
    const cand *cv = st->cands + m * (size_t)(st->k + 1);
    for (int k = 0; k < st->n_cand[m]; k++) {
        size_t p = (size_t)d->pos_of[cv[k].coach];
        if (p < n) mark[p] = 1;
    }
    for (uint32_t k = 0; k < st->n_extra[m]; k++) {
        size_t p = (size_t)d->pos_of[st->extra[m][k]];
        if (p < n) mark[p] = 1;
    }
}

/* The largest s - pi over the n feasible pairs of keys key at positions
 * [0, n) of drop view d, graph edges included (INT64_MIN: none). */
static int64_t drop_red_max(const drop_view *d, const int32_t *tab, const uint16_t *key, size_t n) {
    int64_t mx = INT64_MIN;
    for (size_t j = 0; j < n; j++) {
        int s = tab[key[j]];
        if (s >= 0 && (int64_t)s - d->pi[j] > mx) mx = (int64_t)s - d->pi[j];
    }
    return mx;
}

/* Scan mentee m over the first n coaches of drop view d (those whose price
 * fell by more than its margin since its bound's round).  Returns 1 when
 * complete; *scanned gets the pairs scored.
 *
 * lim: the new bound without these pairs (the old one plus the drops left
 * out), capped at o - PRICE_NEAR.  When no pair of the block, edge or not,
 * has s - pi above it, the scan finds no violator and no near pair, and
 * the bound stays lim whatever it covers: the mentee's edges need not be
 * looked up (their loads, a cache miss or two per mentee, are most of a
 * late round's short scans). */
static int rescan_drops(rescan_ctx *r, int tid, const drop_view *d, size_t n, int64_t lim, size_t *scanned) {
    price_ctx *pc = r->pc;
    struct match_run_state *st = pc->st;
    r->pi = d->pi;
    r->perm = d->perm;
    r->mark = r->t->dmark;
    mt_query q;
    run_query(st, &q, &d->cs, r->m);
    *scanned = 0;
    if (!(r->tab = score_table(st, tid, &q))) return 0;
    const uint8_t *elig = d->elig[st->m_prog[r->m]];
    uint16_t key[MT_BLOCK];
    size_t p0;
    for (p0 = 0; p0 < n && r->found < PRICE_STOP; p0 += MT_BLOCK) {
        size_t p1 = p0 + MT_BLOCK < n ? p0 + MT_BLOCK : n;
        mt_key_block(&q, &d->cs, elig, p0, p1, key);
        for (size_t f = st->forb_off[r->m]; f < st->forb_off[r->m + 1]; f++) {
            size_t pos = (size_t)d->pos_of[st->forb[f]];
            if (pos >= p0 && pos < p1) key[pos - p0] = 0;
        }
        if (p0 == 0) {
            if (n <= MT_BLOCK && drop_red_max(d, r->tab, key, n) <= lim) {
                *scanned = n;
                return 1;
            }
            drop_mark(st, r->m, d, n, r->t->dmark);
        }
        rescan_block(r, &q, p0, key, p1 - p0);
        *scanned += p1 - p0;
    }
    return p0 >= n;
}

/* The price that ends a prefix of n positions: the coaches at or above it
 * are beyond it (INT64_MAX: none is). */
static int64_t price_end(const struct match_run_state *st, const price_ctx *pc, size_t n) {
    return n < st->nc ? pc->pi[n] : INT64_MAX;
}

/* A coach beyond the prefix of a bound's round k (pi_k >= rp) is covered
 * only by s <= t: it violates now only if its price fell below t - o, i.e.
 * by more than rp - (t - o).  INT64_MAX when rp covers every coach. */
static int64_t rp_margin(int64_t rp, int t, int64_t o) { return rp == INT64_MAX ? INT64_MAX : rp - ((int64_t)t - o); }

/* Number of positions of d with delta > theta. */
static size_t drop_count(const drop_view *d, size_t n, int64_t theta) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (d->delta[mid] > theta)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* mark[at(c)] = v for every graph edge (m, c): its candidates and extras;
 * at(c) = pos_of[c], or c when pos_of is NULL. */
static void graph_mark(const struct match_run_state *st, size_t m, uint8_t *mark, const int32_t *pos_of, uint8_t v) {
    const cand *cv = st->cands + m * (size_t)(st->k + 1);
    for (int k = 0; k < st->n_cand[m]; k++) mark[pos_of ? (size_t)pos_of[cv[k].coach] : (size_t)cv[k].coach] = v;
    for (uint32_t k = 0; k < st->n_extra[m]; k++) {
        int32_t c = st->extra[m][k];
        mark[pos_of ? (size_t)pos_of[c] : (size_t)c] = v;
    }
}

/* Rescan todo item i: mentee pc->todo[i] over the cheapest coaches. */
static int rescan_one(par *p, int tid, size_t i) {
    price_ctx *pc = p->ctx;
    struct match_run_state *st = pc->st;
    price_thread *t = &pc->thr[tid];
    size_t m = pc->todo[i], n = pc->prefix[i];
    rescan_ctx r = { .pc = pc,
                     .t = t,
                     .pi = pc->pi,
                     .perm = st->perm,
                     .mark = t->mark,
                     .m = m,
                     .item = i,
                     .best_out = -1,
                     .rbest = INT64_MIN,
                     .dropped = INT64_MIN };
    int64_t mine_red[PRICE_PER_MENTEE_MAX];
    r.mine_red = mine_red;
    r.o = floor_div(pc->u[m], st->mult) - st->bonus[m];
    int32_t k = st->rb_k[m];
    int64_t theta = k != RB_NONE ? r.o - st->rb[m] : 0, skip_max = INT64_MIN;
    /* the coaches it can violate with fell by more than theta (priced below
     * rp in round k) or by more than theta2 (the others) */
    int64_t theta2 = k != RB_NONE ? rp_margin(st->rp[m], st->t_score[m], r.o) : 0;
    size_t scanned, nd = k != RB_NONE ? drop_count(pc->dv[k], st->nc, theta < theta2 ? theta : theta2) : SIZE_MAX;
    int complete;
    if (nd < n) {                        /* fewer coaches fell enough than the prefix holds */
        skip_max = pc->dv[k]->delta[nd]; /* the largest drop left out (nd < n <= nc) */
        int64_t lim = st->rb[m] + skip_max < r.o - PRICE_NEAR ? st->rb[m] + skip_max : r.o - PRICE_NEAR;
        complete = rescan_drops(&r, tid, pc->dv[k], nd, lim, &scanned);
        if (!r.tab) return MATCH_ENOMEM;
    } else {
        mt_query q;
        run_query(st, &q, &st->pcs, m);
        if (!(r.tab = score_table(st, tid, &q))) return MATCH_ENOMEM;
        const int64_t *bm = k != RB_NONE ? pc->bmax[k] : NULL, *pk = k != RB_NONE ? pc->pkmax[k] : NULL;
        graph_mark(st, m, t->mark, st->pos_of, 1);
        complete = rescan_scan(&r, &q, n, bm, pk, k != RB_NONE ? st->rp[m] : 0, theta, &scanned, &skip_max);
        graph_mark(st, m, t->mark, st->pos_of, 0);
    }
    pairs_count(st, tid, scanned);
    if (!complete) { /* stopped early: nothing learnt for later rounds */
        st->rb_k[m] = RB_NONE;
        pc->rb_none[i] = pc->rb_add[i] = 0; /* unused */
        return MATCH_OK;
    }
    /* The new reduced bound, against this round's prices, over the prefix
     * (the coaches beyond it are covered by t): the scanned pairs, and the
     * coaches left out (old bound + their drop; none of them was beyond the
     * old bound's rp, see theta2). */
    int64_t rb = r.rbest;
    if (skip_max != INT64_MIN && st->rb[m] + skip_max > rb) rb = st->rb[m] + skip_max;
    /* If the round adds this mentee's lists (it adds edges anyway), the
     * pairs left outside are the unflagged ones, below o - PRICE_NEAR, and
     * those no list kept. */
    int64_t ra = r.rbest < r.o - PRICE_NEAR ? r.rbest : r.o - PRICE_NEAR;
    if (r.dropped > ra) ra = r.dropped;
    if (skip_max != INT64_MIN && st->rb[m] + skip_max > ra) ra = st->rb[m] + skip_max;
    pc->rb_none[i] = rb < RB_EMPTY ? RB_EMPTY : rb;
    pc->rb_add[i] = ra < RB_EMPTY ? RB_EMPTY : ra;
    st->rp[m] = price_end(st, pc, n);
    st->rb_k[m] = pc->k_now;
    /* A full scan gives a new bound (violators included: not all of them
     * are added this round); a partial one keeps the old, still valid. */
    if (n == st->nc && skip_max == INT64_MIN) st->t_score[m] = (int16_t)r.best_out;
    return MATCH_OK;
}

static int cmp_viol_mc(const void *a, const void *b) {
    const viol *x = a, *y = b;
    if (x->m != y->m) return x->m < y->m ? -1 : 1;
    return (x->c > y->c) - (x->c < y->c);
}

/* Add the selected violators to the graph and to the mentees' extra lists,
 * in (mentee, coach) order. */
static int price_add(struct match_run_state *st, viol *sel, size_t n, assign_graph *g, size_t *added) {
    qsort(sel, n, sizeof(*sel), cmp_viol_mc);
    for (size_t i = 0; i < n; i++) {
        if (i && sel[i].m == sel[i - 1].m && sel[i].c == sel[i - 1].c) continue;
        size_t m = (size_t)sel[i].m;
        if (push_extra(st, m, sel[i].c) != MATCH_OK) return MATCH_ENOMEM;
        if (assign_graph_add(g, sel[i].m, sel[i].c, weight(st, m, sel[i].score)) != ASSIGN_OK) return MATCH_ENOMEM;
        (*added)++;
    }
    return MATCH_OK;
}

static void drop_view_free(drop_view *d, size_t n_prog) {
    if (!d) return;
    free(d->perm);
    free(d->pos_of);
    free(d->delta);
    free(d->pi);
    if (d->elig)
        for (size_t p = 0; p < n_prog; p++) free(d->elig[p]);
    free(d->elig);
    if (d->pmin)
        for (size_t p = 0; p < n_prog; p++) free(d->pmin[p]);
    free(d->pmin);
    mt_coaches_free(&d->cs);
    free(d);
}

static void price_ctx_free(price_ctx *pc, int threads) {
    if (pc->thr)
        for (int t = 0; t < threads; t++) {
            free(pc->thr[t].mark);
            free(pc->thr[t].dmark);
            free(pc->thr[t].by_coach);
            free(pc->thr[t].n_by_coach);
        }
    for (int32_t k = 0; k < pc->k_now; k++) {
        if (pc->bmax) free(pc->bmax[k]);
        if (pc->pkmax) free(pc->pkmax[k]);
        if (pc->pkpre) free(pc->pkpre[k]);
    }
    free(pc->bmax);
    free(pc->pkmax);
    free(pc->pkpre);
    if (pc->dv)
        for (int32_t k = 0; k < pc->k_now; k++) drop_view_free(pc->dv[k], pc->st->n_prog);
    free(pc->dv);
    free(pc->thr);
    free(pc->pi);
    free(pc->todo);
    free(pc->prefix);
    free(pc->by_mentee);
    free(pc->near);
    free(pc->near_red);
    free(pc->n_near);
    free(pc->rb_add);
    free(pc->rb_none);
    free(pc->off);
    free(pc->lim);
    free(pc->n_by_mentee);
}

typedef struct price_key {
    int64_t pi;
    int32_t c;
} price_key;

/* Sort keys filled in coach order by (pi, c): a stable LSD radix sort of
 * pi - min, PRICE_RADIX_BITS a pass, as many passes as the span of pi
 * needs (ties keep coach order).  Every pricing round sorts the coaches
 * two or three times (price order, drop views); qsort's comparisons were
 * 3 % of a warm re-run. */
#define PRICE_RADIX_BITS 11
static int price_sort(price_key *a, size_t n) {
    if (n < 2) return MATCH_OK;
    int64_t lo = a[0].pi, hi = a[0].pi;
    for (size_t i = 1; i < n; i++) {
        lo = a[i].pi < lo ? a[i].pi : lo;
        hi = a[i].pi > hi ? a[i].pi : hi;
    }
    uint64_t span = (uint64_t)hi - (uint64_t)lo;
    if (span == 0) return MATCH_OK;
    price_key *tmp = malloc(n * sizeof(*tmp));
    if (!tmp) return MATCH_ENOMEM;
    price_key *src = a, *dst = tmp;
    for (int shift = 0; shift < 64 && (span >> shift) != 0; shift += PRICE_RADIX_BITS) {
        size_t cnt[1u << PRICE_RADIX_BITS] = { 0 };
        const uint64_t mask = (1u << PRICE_RADIX_BITS) - 1;
        for (size_t i = 0; i < n; i++) cnt[(((uint64_t)src[i].pi - (uint64_t)lo) >> shift) & mask]++;
        size_t sum = 0;
        for (size_t d = 0; d <= mask; d++) {
            size_t k = cnt[d];
            cnt[d] = sum;
            sum += k;
        }
        for (size_t i = 0; i < n; i++) dst[cnt[(((uint64_t)src[i].pi - (uint64_t)lo) >> shift) & mask]++] = src[i];
        price_key *t = src;
        src = dst;
        dst = t;
    }
    if (src != a) memcpy(a, src, n * sizeof(*a));
    free(tmp);
    return MATCH_OK;
}

/* ---- coach-side bounds ---------------------------------------------------- *
 *
 * Where seats are scarce (a cycle with far more applicants than places,
 * bench/matcher's scarce) nearly every coach is full, most mentees stay
 * unmatched with u = 0, and a pair violates as soon as the mentee gains
 * more from the coach than its price: the mentee side then proves little
 * (its bound t is a popular coach's score, far above most prices) and every
 * round rescanned nearly every mentee over nearly every coach (2.2 passes
 * at 5,000 x 2,000).
 *
 * The first pass keeps, per coach, its cside_k best mentees by gain (all of
 * them edges) and, in a cold run, cside_bound[c], a gain no mentee outside
 * that list exceeds (CSIDE_NONE: the list holds every mentee the coach can
 * take).  Since u >= 0, a pair (m, c) of a mentee outside the list cannot
 * violate once
 *
 *   mult * cside_bound[c] + big <= v[c]      (w <= mult*gain + big <= v <= u + v)
 *
 * and the list's own pairs are graph edges, which the duals cover (the
 * solver's invariant), so such a coach is certified for every mentee
 * without a scan.  A round gives it the price PI_CERT, above every real
 * price: it sorts last, is beyond every mentee's prefix, and every bound
 * made this round covers it as it covers any expensive coach (s - PI_CERT
 * is below anything); when a later round does not certify it, its price
 * falls from PI_CERT and the drop views send every mentee whose bound is
 * older to scan it, as after any price drop.
 * Nothing else changes, so exactness and the certificate stand; what leaves
 * the run (mt_run_prices, warm_save) gets the real prices (pi_real), and a
 * warm state's bounds are made to cover the certified coaches' pairs
 * against them (warm_cert_rb).  Warm runs keep RUN_COACH_K lists and no
 * bounds: their reused mentees offer nothing to the coach side.
 *
 * The list depth.  With RUN_COACH_K the bounds certify few coaches (a
 * quarter of scarce's at 5,000 x 2,000): a full coach's price covers the
 * best mentee it does not hold, and its 8 best are mostly held elsewhere.
 * With RUN_COACH_D, all 2,000 but 27 after the first solve.  Deeper lists
 * cost the first pass time and the solver edges, and pay only where most
 * mentees stay unmatched, so a cold run takes them when it has at most one
 * free seat per RUN_SCARCE_DIV free mentees (bench/matcher/README.md,
 * "Coach-side bounds": at 0.7 seats per mentee, a hub market's first solve
 * took 66 ms with them instead of 2). */
#define PI_CERT (INT64_C(1) << 50)

static int cside_certifies(const struct match_run_state *st, const int64_t *v, size_t c) {
    return st->mult * (int64_t)st->cside_bound[c] + st->big <= v[c];
}

/* Order the coaches by price and build the permuted arrays; a coach its
 * coach-side bound certifies is priced PI_CERT (see above). */
static int price_order(struct match_run_state *st, price_ctx *pc) {
    size_t nc = st->nc;
    price_key *pk = malloc(nc * sizeof(*pk) + 1);
    if (!pk) return MATCH_ENOMEM;
    for (size_t c = 0; c < nc; c++) pk[c] = (price_key){ floor_div(pc->v[c] - st->big, st->mult), (int32_t)c };
    if (st->cside_bound) {
        if (!st->pi_real && !(st->pi_real = malloc(nc * sizeof(int64_t) + 1))) goto oom;
        if (!st->cside_cert && !(st->cside_cert = malloc(nc + 1))) goto oom;
        pc->n_cert = 0;
        for (size_t c = 0; c < nc; c++) {
            st->pi_real[c] = pk[c].pi;
            st->cside_cert[c] = cside_certifies(st, pc->v, c);
            if (st->cside_cert[c]) {
                pk[c].pi = PI_CERT;
                pc->n_cert++;
            }
        }
    }
    if (price_sort(pk, nc) != MATCH_OK) goto oom;
    if (!st->perm) {
        st->perm = malloc(nc * sizeof(int32_t) + 1);
        st->pos_of = malloc(nc * sizeof(int32_t) + 1);
        st->pelig = calloc(st->n_prog + 1, sizeof(*st->pelig));
        if (!st->perm || !st->pos_of || !st->pelig) goto oom;
        for (size_t p = 0; p < st->n_prog; p++)
            if (!(st->pelig[p] = mt_elig_alloc(nc))) goto oom;
    }
    for (size_t i = 0; i < nc; i++) {
        st->perm[i] = pk[i].c;
        st->pos_of[pk[i].c] = (int32_t)i;
        pc->pi[i] = pk[i].pi;
    }
    free(pk);
    for (size_t p = 0; p < st->n_prog; p++)
        for (size_t i = 0; i < nc; i++) st->pelig[p][i] = st->elig_free[p][st->perm[i]];
    return mt_coaches_permute(&st->pcs, &st->cs, st->perm, nc);
oom:
    free(pk);
    return MATCH_ENOMEM;
}

/* Number of positions with pi < x (pi ascending). */
static size_t price_prefix(const int64_t *pi, size_t n, int64_t x) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (pi[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The drop view of round k (see drop_view), into pc->dv[k]. */
static int drop_view_build(struct match_run_state *st, price_ctx *pc, int32_t k) {
    size_t nc = st->nc;
    drop_view *d = calloc(1, sizeof(*d));
    if (!d) return MATCH_ENOMEM;
    pc->dv[k] = d;
    mt_coaches_init(&d->cs);
    price_key *pk = malloc(nc * sizeof(*pk) + 1);
    d->perm = malloc(nc * sizeof(int32_t) + 1);
    d->pos_of = malloc(nc * sizeof(int32_t) + 1);
    d->delta = malloc(nc * sizeof(int64_t) + 1);
    d->pi = malloc(nc * sizeof(int64_t) + 1);
    d->elig = calloc(st->n_prog + 1, sizeof(*d->elig));
    d->pmin = calloc(st->n_prog + 1, sizeof(*d->pmin));
    if (!pk || !d->perm || !d->pos_of || !d->delta || !d->pi || !d->elig || !d->pmin) {
        free(pk);
        return MATCH_ENOMEM;
    }
    const int64_t *old = st->pi_hist[k], *cur = st->pi_hist[pc->k_now];
    /* descending delta = ascending -delta; ties by coach */
    for (size_t c = 0; c < nc; c++) pk[c] = (price_key){ cur[c] - old[c], (int32_t)c };
    if (price_sort(pk, nc) != MATCH_OK) {
        free(pk);
        return MATCH_ENOMEM;
    }
    for (size_t i = 0; i < nc; i++) {
        int32_t c = pk[i].c;
        d->perm[i] = c;
        d->pos_of[c] = (int32_t)i;
        d->delta[i] = -pk[i].pi;
        d->pi[i] = cur[c];
    }
    free(pk);
    for (size_t p = 0; p < st->n_prog; p++) {
        if (!(d->elig[p] = mt_elig_alloc(nc)) || !(d->pmin[p] = malloc(nc * sizeof(int64_t) + 1))) return MATCH_ENOMEM;
        int64_t lo = INT64_MAX;
        for (size_t i = 0; i < nc; i++) {
            d->elig[p][i] = st->elig_free[p][d->perm[i]];
            if (d->elig[p][i] && d->pi[i] < lo) lo = d->pi[i];
            d->pmin[p][i] = lo;
        }
    }
    return mt_coaches_permute(&d->cs, &st->cs, d->perm, nc);
}

/* Keep this round's prices (by coach) for later reduced-bound checks, and
 * compute, for every earlier round some mentee's bound refers to, the
 * largest price drop since then per block of price-ordered positions.
 * A bound older than RB_ROUNDS rounds is dropped (its mentee rescans in
 * full once): this caps the history kept. */
#define RB_ROUNDS 64
static int price_history(struct match_run_state *st, price_ctx *pc) {
    size_t nc = st->nc;
    if (st->n_hist == RB_ROUNDS) { /* forget every bound */
        for (size_t k = 0; k < st->n_hist; k++) free(st->pi_hist[k]);
        st->n_hist = 0;
        for (size_t m = 0; m < st->nm; m++) st->rb_k[m] = RB_NONE;
    }
    int64_t *cur = malloc(nc * sizeof(int64_t) + 1);
    if (!cur) return MATCH_ENOMEM;
    for (size_t i = 0; i < nc; i++) cur[st->perm[i]] = pc->pi[i];
    st->pi_hist[st->n_hist] = cur;
    pc->k_now = (int32_t)st->n_hist++;
    pc->n_segs = (nc + PRICE_SEG - 1) / PRICE_SEG;
    uint8_t used[RB_ROUNDS] = { 0 };
    for (size_t m = 0; m < st->nm; m++)
        if (st->rb_k[m] != RB_NONE) used[st->rb_k[m]] = 1;
    pc->bmax = calloc(RB_ROUNDS, sizeof(*pc->bmax));
    pc->pkmax = calloc(RB_ROUNDS, sizeof(*pc->pkmax));
    pc->pkpre = calloc(RB_ROUNDS, sizeof(*pc->pkpre));
    pc->dv = calloc(RB_ROUNDS, sizeof(*pc->dv));
    if (!pc->bmax || !pc->pkmax || !pc->pkpre || !pc->dv) return MATCH_ENOMEM;
    for (int32_t k = 0; k < pc->k_now; k++) {
        if (!used[k]) continue;
        int64_t *bm = pc->bmax[k] = malloc(pc->n_segs * sizeof(int64_t) + 1);
        int64_t *pk = pc->pkmax[k] = malloc(pc->n_segs * sizeof(int64_t) + 1);
        int64_t *pp = pc->pkpre[k] = malloc(nc * sizeof(int64_t) + 1);
        if (!bm || !pk || !pp) return MATCH_ENOMEM;
        const int64_t *old = st->pi_hist[k];
        int64_t run = INT64_MIN;
        for (size_t b = 0; b < pc->n_segs; b++) {
            int64_t mx = INT64_MIN, px = INT64_MIN;
            size_t e = (b + 1) * PRICE_SEG < nc ? (b + 1) * PRICE_SEG : nc;
            for (size_t i = b * PRICE_SEG; i < e; i++) {
                int64_t was = old[st->perm[i]], d = was - pc->pi[i];
                mx = d > mx ? d : mx;
                px = was > px ? was : px;
                run = was > run ? was : run;
                pp[i] = run;
            }
            bm[b] = mx;
            pk[b] = px;
        }
        if (drop_view_build(st, pc, k) != MATCH_OK) return MATCH_ENOMEM;
    }
    return MATCH_OK;
}

/* Does mentee m need a scan this round?  *n gets its prefix.  A mentee
 * whose prefix is empty, or whose reduced bound covers every segment of
 * it, is proved here, and its bound moves to this round. */
static int price_needs_scan(struct match_run_state *st, price_ctx *pc, size_t m, size_t *n, int *may_wait) {
    int64_t o = floor_div(pc->u[m], st->mult) - st->bonus[m];
    *n = price_prefix(pc->pi, st->nc, (int64_t)st->t_score[m] - o);
    int32_t k = st->rb_k[m];
    *may_wait = 0;
    if (!*n) { /* every coach is beyond the prefix: t covers them all */
        st->rb[m] = RB_EMPTY;
    } else if (k == RB_NONE) {
        return 1;
    } else {
        /* A coach of the prefix that was beyond the bound's (priced at rp
         * or more in round k) is not covered by it: scan. */
        if (pc->pkpre[k][*n - 1] >= st->rp[m]) {
            *may_wait = rp_margin(st->rp[m], st->t_score[m], o) >= -PRICE_DRIFT && *n > PRICE_CHEAP;
            return 1;
        }
        const int64_t *bm = pc->bmax[k];
        int64_t theta = o - st->rb[m], mx = INT64_MIN;
        /* a small drift of a long scan: see PRICE_DRIFT */
        *may_wait = theta >= -PRICE_DRIFT && *n > PRICE_CHEAP;
        for (size_t b = 0; b * PRICE_SEG < *n; b++) mx = bm[b] > mx ? bm[b] : mx;
        if (mx > theta) {
            /* Some segment of the prefix holds a coach that fell by more
             * than the margin (after a warm start's rescored coaches,
             * nearly every one does).  Exactly: only the nd coaches that
             * fell by more than theta can violate, and only if one of them
             * (eligible) is cheap enough to be in the prefix, pi < t - o.
             * If none is, the prefix holds none of them, and its coaches
             * are covered by rb + their drop (<= delta[nd]). */
            const drop_view *d = pc->dv[k];
            size_t nd = drop_count(d, st->nc, theta);
            int64_t lo = d->pmin[st->m_prog[m]][nd - 1]; /* nd >= 1: mx > theta */
            if (lo < (int64_t)st->t_score[m] - o) return 1;
            mx = nd < st->nc ? d->delta[nd] : INT64_MIN; /* INT64_MIN: every coach fell, none is in the prefix */
        }
        st->rb[m] = mx == INT64_MIN || st->rb[m] + mx < RB_EMPTY ? RB_EMPTY : st->rb[m] + mx;
    }
    st->rp[m] = price_end(st, pc, *n);
    st->rb_k[m] = pc->k_now;
    return 0;
}

/* input->check_bounds (tests): every bound that refers to round k (the
 * round just priced, or the estimate's round 0 before the first), against
 * every feasible pair outside the graph (its edges after this round's): s
 * <= t, and s - pi <= rb when pi < rp; and, given the duals u, v (NULL
 * before the first round), every pair outside the graph of a coach its
 * coach-side bound certified this round against the duals themselves: w <=
 * u + v (no mentee scanned it).  Counts the pairs that break one in
 * st->bound_errors and names the first on stderr.  A full pass, not
 * counted in the pair scorings. */
typedef struct bound_check {
    struct match_run_state *st;
    const int64_t *pi; /* this round's, by coach */
    const int64_t *u, *v;
    const int32_t *tab;
    const uint8_t *in_graph;
    size_t m;
    int rb; /* the mentee's bound is of this round */
} bound_check;

static void check_block(void *ctx, const mt_query *q, size_t c0, const uint16_t *key, size_t n) {
    bound_check *b = ctx;
    struct match_run_state *st = b->st;
    (void)q;
    for (size_t j = 0; j < n; j++) {
        int s = b->tab[key[j]];
        if (s < 0 || b->in_graph[c0 + j]) continue;
        if (b->u && st->cside_cert && st->cside_cert[c0 + j] && weight(st, b->m, s) > b->u[b->m] + b->v[c0 + j]) {
            if (!st->bound_errors++)
                fprintf(stderr,
                        "price_check: round %zu mentee %zu coach %zu: certified by its coach-side bound "
                        "but violates\n",
                        st->n_hist - 1, b->m, c0 + j);
            continue;
        }
        if (!b->rb) continue;
        int64_t red = (int64_t)s - b->pi[c0 + j];
        if (s <= st->t_score[b->m] && (b->pi[c0 + j] >= st->rp[b->m] || red <= st->rb[b->m])) continue;
        if (!st->bound_errors++)
            fprintf(stderr, "price_check: round %zu mentee %zu coach %zu: s %d t %d s - pi %lld rb %lld rp %lld\n",
                    st->n_hist - 1, b->m, c0 + j, s, st->t_score[b->m], (long long)red, (long long)st->rb[b->m],
                    (long long)st->rp[b->m]);
    }
}

static int price_check(struct match_run_state *st, int32_t k, const int64_t *u, const int64_t *v) {
    uint8_t *in_graph = calloc(st->nc + 1, 1);
    if (!in_graph) return MATCH_ENOMEM;
    bound_check b = { .st = st, .pi = st->pi_hist[k], .u = u, .v = v, .in_graph = in_graph };
    for (size_t m = 0; m < st->nm; m++) {
        b.rb = st->rb_k[m] == k;
        if (st->pinned[m] || (!b.rb && !(u && st->cside_cert))) continue;
        graph_mark(st, m, in_graph, NULL, 1);
        mt_query q;
        run_query(st, &q, &st->cs, m);
        if (!(b.tab = score_table(st, 0, &q))) {
            free(in_graph);
            return MATCH_ENOMEM;
        }
        b.m = m;
        scan_range(st, m, &q, st->elig_free[st->m_prog[m]], 0, st->nc, check_block, &b);
        graph_mark(st, m, in_graph, NULL, 0);
    }
    free(in_graph);
    return MATCH_OK;
}

/* This round's line of stats.rounds (the first MATCH_ROUNDS_KEPT). */
static void price_round_stats(struct match_run_state *st, const price_ctx *pc, uint64_t pairs, size_t added,
                              size_t waited) {
    if (st->n_rounds++ >= MATCH_ROUNDS_KEPT) return;
    match_round_stats *rs = &st->rounds[st->n_rounds - 1];
    rs->pairs = pairs;
    rs->scans = (uint32_t)pc->n_todo;
    rs->added = (uint32_t)added;
    rs->waited = (uint32_t)waited;
    rs->cert = (uint32_t)pc->n_cert;
    for (size_t i = 0; i < pc->n_todo; i++) {
        rs->found += pc->n_by_mentee[i] > 0;
        rs->stopped += st->rb_k[pc->todo[i]] == RB_NONE;
    }
}

/* Any violation found by todo items [i0, i1)?  A violator always enters
 * its mentee's list (rescan_pair; a full list keeps its entries), so the
 * mentees' lists tell, and the coaches' need not be read. */
static int price_found(const price_ctx *pc, size_t i0, size_t i1) {
    for (size_t i = i0; i < i1; i++)
        if (pc->n_by_mentee[i]) return 1;
    return 0;
}

/* Per-mentee limits (candidate growth) and the violation lists. */
static int price_lists(struct match_run_state *st, price_ctx *pc) {
    pc->off = malloc((pc->n_todo + 1) * sizeof(*pc->off));
    pc->lim = malloc(pc->n_todo + 1);
    pc->n_by_mentee = calloc(pc->n_todo + 1, 1);
    if (!pc->off || !pc->lim || !pc->n_by_mentee) return MATCH_ENOMEM;
    size_t off = 0;
    for (size_t i = 0; i < pc->n_todo; i++) {
        int g = st->grow[pc->todo[i]];
        int lim = PRICE_PER_MENTEE << g;
        pc->lim[i] = (uint8_t)(lim > PRICE_PER_MENTEE_MAX ? PRICE_PER_MENTEE_MAX : lim);
        pc->off[i] = off;
        off += pc->lim[i];
    }
    pc->off[pc->n_todo] = off;
    pc->by_mentee = malloc(off * sizeof(viol) + 1);
    pc->near = malloc(pc->n_todo * PRICE_NEAR_KEEP * sizeof(viol) + 1);
    pc->near_red = malloc(pc->n_todo * PRICE_NEAR_KEEP * sizeof(int64_t) + 1);
    pc->n_near = calloc(pc->n_todo + 1, 1);
    pc->rb_add = malloc(pc->n_todo * sizeof(int64_t) + 1);
    pc->rb_none = malloc(pc->n_todo * sizeof(int64_t) + 1);
    if (!pc->by_mentee || !pc->near || !pc->near_red || !pc->n_near || !pc->rb_add || !pc->rb_none) return MATCH_ENOMEM;
    return MATCH_OK;
}

/* The pricing memory of a run (reduced bounds, price history), empty. */
static int price_state_init(struct match_run_state *st) {
    st->rb = malloc(st->nm * sizeof(int64_t) + 1);
    st->rp = malloc(st->nm * sizeof(int64_t) + 1);
    st->rb_k = malloc(st->nm * sizeof(int32_t) + 1);
    st->grow = calloc(st->nm + 1, 1);
    st->pi_hist = calloc(RB_ROUNDS, sizeof(*st->pi_hist));
    if (!st->rb || !st->rp || !st->rb_k || !st->grow || !st->pi_hist) return MATCH_ENOMEM;
    for (size_t m = 0; m < st->nm; m++) st->rb_k[m] = RB_NONE;
    return MATCH_OK;
}

/* The waiting scans, todo items [*done, n_todo), in batches: the first of
 * nm / PRICE_WAIT_DIV items (at least RUN_CHUNK), then as many as ran
 * before.  Once a batch finds a violation the round adds edges and will not
 * certify, so the rest wait for a later round (their bounds untouched)
 * instead of running in this round and again in the next.  A function of
 * the counts alone: which scans run does not depend on the threads.
 * *done gets the end of the items that ran. */
static int price_wait(struct match_run_state *st, price_ctx *pc, const size_t *items, size_t *done) {
    size_t i0 = *done;
    while (i0 < pc->n_todo) {
        size_t b = st->nm / PRICE_WAIT_DIV > RUN_CHUNK ? st->nm / PRICE_WAIT_DIV : RUN_CHUNK;
        if (i0 - *done > b) b = i0 - *done;
        size_t i1 = pc->n_todo - i0 > b ? i0 + b : pc->n_todo;
        int rc = par_run(st, "price", items + i0, i1 - i0, rescan_one, pc);
        st->rescanned += (uint32_t)(i1 - i0);
        if (rc != MATCH_OK) return rc;
        int found = price_found(pc, i0, i1);
        i0 = i1;
        if (found) break;
    }
    *done = i0;
    return MATCH_OK;
}

/* Which mentees a round scans (price_needs_scan), in parts: it reads the
 * round's shared lists and writes only the mentee's own bound, and over
 * 10^5 mentees it took 2.5-4 ms a round of a warm run on one thread.
 * need[m]: NEED_NONE, NEED_SCAN, or NEED_WAIT (a speculative round's
 * scan that waits, see PRICE_DRIFT); n[m] its prefix. */
enum { NEED_NONE = 0, NEED_SCAN = 1, NEED_WAIT = 2 };

typedef struct need_job {
    price_ctx *pc;
    int spec;
    uint8_t *need;
    uint32_t *n;
} need_job;

static int need_part(void *ctx, size_t m0, size_t m1, int part) {
    need_job *j = ctx;
    struct match_run_state *st = j->pc->st;
    (void)part;
    for (size_t m = m0; m < m1; m++) {
        size_t n = 0;
        int may_wait = 0;
        j->need[m] = NEED_NONE;
        if (st->t_score[m] < 0 || !price_needs_scan(st, j->pc, m, &n, &may_wait)) continue;
        j->need[m] = j->spec && may_wait ? NEED_WAIT : NEED_SCAN;
        j->n[m] = (uint32_t)n;
    }
    return MATCH_OK;
}

static int price_cb(void *ud, const int64_t *u, const int64_t *v, assign_graph *g, size_t *added) {
    struct match_run_state *st = ud;
    *added = 0;
    price_ctx pc = { .st = st, .u = u, .v = v };
    int rc = MATCH_OK;
    uint64_t pairs0 = pairs_total(st);
    pc.todo = malloc(st->nm * sizeof(*pc.todo) + 1);
    pc.prefix = malloc(st->nm * sizeof(*pc.prefix) + 1);
    pc.pi = malloc(st->nc * sizeof(*pc.pi) + 1);
    pc.thr = calloc((size_t)st->threads, sizeof(*pc.thr));
    if (!pc.todo || !pc.prefix || !pc.pi || !pc.thr) rc = MATCH_ENOMEM;
    if (rc == MATCH_OK && !st->rb) rc = price_state_init(st);
    if (rc == MATCH_OK) rc = price_order(st, &pc);
    if (rc == MATCH_OK) rc = price_history(st, &pc);
    /* Speculative rounds (see PRICE_DRIFT): after a round that added few
     * edges, the scans a small drift asks for wait at the end of the todo
     * list, and run only if the others find nothing. */
    need_job nj = { &pc, st->last_added > 0 && st->last_added <= st->nm / PRICE_SPEC_DIV + 16, malloc(st->nm + 1),
                    malloc(st->nm * sizeof(uint32_t) + 1) };
    if (rc == MATCH_OK && (!nj.need || !nj.n)) rc = MATCH_ENOMEM;
    if (rc == MATCH_OK) par_parts(st->threads, st->nm, need_part, &nj);
    /* The todo list in mentee order, the waiting scans after the others. */
    size_t n_first = 0;
    for (int pass = NEED_SCAN; rc == MATCH_OK && pass <= NEED_WAIT; pass++) {
        for (size_t m = 0; m < st->nm; m++) {
            if (nj.need[m] != pass) continue;
            pc.prefix[pc.n_todo] = nj.n[m];
            pc.todo[pc.n_todo++] = m;
        }
        if (pass == NEED_SCAN) n_first = pc.n_todo;
    }
    free(nj.need);
    free(nj.n);
    if (rc == MATCH_OK) rc = price_lists(st, &pc);
    for (int t = 0; rc == MATCH_OK && t < st->threads; t++) {
        price_thread *th = &pc.thr[t];
        th->mark = calloc(st->nc + 1, 1);
        th->dmark = malloc(st->nc + 1);
        th->by_coach = malloc(st->nc * PRICE_PER_COACH * sizeof(viol) + 1);
        th->n_by_coach = calloc(st->nc + 1, 1);
        if (!th->mark || !th->dmark || !th->by_coach || !th->n_by_coach) rc = MATCH_ENOMEM;
    }
    size_t n_asked = pc.n_todo;
    if (rc == MATCH_OK && pc.n_todo) {
        size_t *items = malloc(pc.n_todo * sizeof(*items));
        if (!items) rc = MATCH_ENOMEM;
        for (size_t i = 0; rc == MATCH_OK && i < pc.n_todo; i++) items[i] = i;
        if (rc == MATCH_OK) rc = par_run(st, "price", items, n_first, rescan_one, &pc);
        st->rescanned += (uint32_t)n_first;
        size_t done = n_first;
        if (rc == MATCH_OK && !price_found(&pc, 0, n_first)) rc = price_wait(st, &pc, items, &done);
        pc.n_todo = done; /* the waiting scans not run wait for a later round */
        free(items);
    } else if (rc == MATCH_OK) { /* every mentee proved: the round still reports */
        st->phase = "price";
        if (run_tick(st, 0, 0)) rc = MATCH_ECANCELLED;
    }
    /* Selection: each mentee's worst, and each coach's worst over all
     * threads (a total order, so the same whatever the thread split). */
    viol *sel = NULL;
    size_t n_sel = 0;
    if (rc == MATCH_OK) {
        size_t cap = pc.off[pc.n_todo] + pc.n_todo * PRICE_NEAR_KEEP + st->nc * PRICE_PER_COACH + 1;
        if (!(sel = malloc(cap * sizeof(*sel)))) rc = MATCH_ENOMEM;
    }
    int adds = rc == MATCH_OK && price_found(&pc, 0, pc.n_todo);
    for (size_t i = 0; rc == MATCH_OK && i < pc.n_todo; i++) {
        st->rb[pc.todo[i]] = adds ? pc.rb_add[i] : pc.rb_none[i];
        for (int k = 0; k < pc.n_by_mentee[i]; k++) sel[n_sel++] = pc.by_mentee[pc.off[i] + k];
        for (int k = 0; adds && k < pc.n_near[i]; k++) sel[n_sel++] = pc.near[i * PRICE_NEAR_KEEP + k];
        uint8_t *gr = &st->grow[pc.todo[i]];
        if (pc.n_by_mentee[i] && *gr < 8) (*gr)++;
    }
    for (size_t c = 0; rc == MATCH_OK && c < st->nc; c++) {
        viol best[PRICE_PER_COACH];
        int nb = 0;
        for (int t = 0; t < st->threads; t++)
            for (int k = 0; k < pc.thr[t].n_by_coach[c]; k++)
                viol_insert(best, &nb, PRICE_PER_COACH, &pc.thr[t].by_coach[c * PRICE_PER_COACH + k]);
        for (int k = 0; k < nb; k++) sel[n_sel++] = best[k];
    }
    if (rc == MATCH_OK) rc = price_add(st, sel, n_sel, g, added);
    if (rc == MATCH_OK && st->in->check_bounds) rc = price_check(st, pc.k_now, u, v);
    if (rc == MATCH_OK) price_round_stats(st, &pc, pairs_total(st) - pairs0, *added, n_asked - pc.n_todo);
    st->last_added = *added;
    free(sel);
    price_ctx_free(&pc, st->threads);
    st->phase = "solve";
    return rc == MATCH_OK ? ASSIGN_OK : ASSIGN_ERR;
}

/* ---- warm start ---------------------------------------------------------------- *
 *
 * A run given a warm state (match_warm: the previous run's candidate graph
 * with scores, per-mentee bounds, duals and matching) reuses it where the
 * fingerprints say nothing changed:
 *
 *   - a coach is kept when its fingerprint is unchanged and it had room in
 *     both runs (its pairs were scored then and are scored now); every other
 *     coach with room now is "changed" and gets rescored against every
 *     reused mentee;
 *   - a mentee is reused when it was scored then, is free now and its
 *     fingerprint (forbidden coaches included) is unchanged: its candidates
 *     are its old edges towards kept coaches plus its top K among the changed
 *     coaches, and its bound is the larger of the old bound (every old pair
 *     outside its edges) and the (K+1)-th changed-coach score: together they
 *     bound every pair outside its new edges, so pricing and the certificate
 *     are exactly as valid as after a cold scoring pass;
 *   - any other mentee is scored in full, as in a cold run.
 *
 * The solver then starts from the old duals (converted to this run's
 * weights) and the old pairs (assign_solve_warm): those still tight stay,
 * the rest are searched again.  The optimum and its certificate do not
 * depend on the state; only the work does.  When most of the problem
 * changed (WARM_MIN_REUSE), the state is not worth its bookkeeping and the
 * run is cold. */

/* A state is used when at least this share (in 1/100) of the free mentees
 * are reused and at most this share of the coaches must be rescored. */
#define WARM_MIN_REUSE 50
/* candidates a reused mentee keeps among the rescored coaches */
#define WARM_CH_K        2
#define WARM_MAX_CHANGED 25

/* The fingerprints: the profiles' were taken in validation (the mentees'
 * are in place since prepare_codes, the coaches' since prepare_profiles);
 * the mentees' forbidden coaches are mixed in here. */
static int warm_fps(struct match_run_state *st) {
    const char **f = malloc(st->nc * sizeof(*f) + 1);
    if (!st->m_fp || !st->c_fp || !f) {
        free(f);
        return MATCH_ENOMEM;
    }
    for (size_t m = 0; m < st->nm; m++) {
        size_t n = 0;
        for (size_t i = st->forb_off[m]; i < st->forb_off[m + 1]; i++) f[n++] = st->c_id[st->forb[i]];
        st->m_fp[m] = mt_fp_forbidden(st->m_fp[m], f, n);
    }
    free(f);
    return MATCH_OK;
}

/* Pair up two id-sorted lists: out[i] = index of a's i-th id in b, or -1.
 * a's ids are stride bytes apart (an array of ids, or the id fields of an
 * array of profiles). */
static void warm_pair_ids(const char *const *a, size_t stride, size_t na, char *const *b, size_t nb, int32_t *out) {
    size_t j = 0;
    for (size_t i = 0; i < na; i++) {
        const char *ai = *(const char *const *)((const char *)a + i * stride);
        int c = 1;
        while (j < nb && (c = strcmp(b[j], ai)) < 0) j++;
        out[i] = j < nb && c == 0 ? (int32_t)j : -1;
    }
}

/* Which coaches are kept, which are to be rescored (st->ch, with their
 * compact copy and eligibility rows); returns the number kept. */
static int warm_coaches(struct match_run_state *st, const match_warm *w, size_t *kept) {
    st->w_c = malloc(st->nc * sizeof(int32_t) + 1);
    st->w_keep = malloc(w->nc * sizeof(int32_t) + 1);
    st->ch = malloc(st->nc * sizeof(int32_t) + 1);
    st->chelig = calloc(st->n_prog + 1, sizeof(*st->chelig));
    if (!st->w_c || !st->w_keep || !st->ch || !st->chelig) return MATCH_ENOMEM;
    warm_pair_ids((const char *const *)st->c_id, sizeof(*st->c_id), st->nc, w->c_id, w->nc, st->w_c);
    for (size_t o = 0; o < w->nc; o++) st->w_keep[o] = -1;
    *kept = 0;
    st->n_ch = 0;
    for (size_t c = 0; c < st->nc; c++) {
        if (st->cap0[c] <= 0) continue; /* not scored in this run: nothing to do */
        int32_t o = st->w_c[c];
        if (o >= 0 && w->c_scored[o] && w->c_fp[o] == st->c_fp[c]) {
            st->w_keep[o] = (int32_t)c;
            (*kept)++;
        } else {
            st->ch[st->n_ch++] = (int32_t)c;
        }
    }
    for (size_t p = 0; p < st->n_prog; p++) {
        if (!(st->chelig[p] = mt_elig_alloc(st->n_ch))) return MATCH_ENOMEM;
        for (size_t i = 0; i < st->n_ch; i++) st->chelig[p][i] = st->elig_free[p][st->ch[i]];
    }
    return mt_coaches_permute(&st->chs, &st->cs, st->ch, st->n_ch);
}

/* Decide whether in->warm is used and map it (stats.warm*). */
static int warm_map(struct match_run_state *st, const size_t *free_m, size_t n_free, match_stats *stats) {
    const match_warm *w = st->in->warm;
    if (!w || w->cat != st->cat || w->key != mt_fp_policy(&st->policy)) return MATCH_OK;
    size_t kept_c = 0;
    int rc = warm_coaches(st, w, &kept_c);
    if (rc != MATCH_OK) return rc;
    if (st->n_ch * 100 > st->nc * WARM_MAX_CHANGED) return MATCH_OK;
    int32_t *wm = malloc(st->nm * sizeof(int32_t) + 1);
    st->w_m = malloc(st->nm * sizeof(int32_t) + 1);
    if (!wm || !st->w_m) {
        free(wm);
        return MATCH_ENOMEM;
    }
    warm_pair_ids(&st->mentees[0].id, sizeof(*st->mentees), st->nm, w->m_id, w->nm, wm);
    size_t reused = 0;
    for (size_t m = 0; m < st->nm; m++) st->w_m[m] = -1;
    for (size_t i = 0; i < n_free; i++) {
        size_t m = free_m[i];
        int32_t o = wm[m];
        if (o >= 0 && w->m_scored[o] && w->m_fp[o] == st->m_fp[m]) {
            st->w_m[m] = o;
            reused++;
        }
    }
    free(wm);
    if (reused * 100 < n_free * WARM_MIN_REUSE) return MATCH_OK;
    for (int t = 0; t < st->threads; t++) {
        if (!(st->ch_red[t] = malloc(st->n_ch * sizeof(int64_t) + 1)) ||
            !(st->ch_key[t] = malloc(st->n_ch * sizeof(uint16_t) + 1)))
            return MATCH_ENOMEM;
        for (size_t i = 0; i < st->n_ch; i++) st->ch_red[t][i] = WARM_NO_PRICE_LOW;
        st->ch_red_lo[t] = WARM_NO_PRICE_LOW;
    }
    st->warm = 1;
    stats->warm = 1;
    stats->warm_mentees = (uint32_t)reused;
    stats->warm_coaches = (uint32_t)kept_c;
    return MATCH_OK;
}

/* Scoring pass of a warm run: a reused mentee keeps its old edges towards
 * kept coaches (added in solve_optimal) and is scored against the changed
 * coaches only, keeping its best WARM_CH_K of them as candidates; any other
 * mentee is scored in full.
 *
 * The candidates among the changed coaches are what prices them in the
 * first solve.  Their old prices are unknown (warm_seed_pricing gives
 * stand-ins), and a changed coach that few mentees have edges to comes out
 * of the first solve cheap: then every mentee that could score above its
 * price must be rescanned in the first pricing round (nearly all of them on
 * a market of ties).  So every reused mentee takes some, whatever its old
 * bound, and each starts at its own position (scan_start) so that the ties
 * of a market where most pairs score alike spread over all changed coaches
 * instead of piling on the first few. */
static int warm_score_one(par *p, int tid, size_t m) {
    struct match_run_state *st = p->st;
    int32_t o = st->w_m[m];
    if (o < 0) return score_one(p, tid, m);
    const match_warm *w = st->in->warm;
    cand *v = st->cands + m * (size_t)(st->k + 1);
    int kc = st->k < WARM_CH_K ? st->k : WARM_CH_K;
    /* Only pairs up to the old bound's level: those below it are covered
     * by it (and by the stand-ins), those at it are the ties that leave a
     * changed coach without edges. */
    int floor_s = w->t_score[o] > st->policy.min_score ? w->t_score[o] : st->policy.min_score;
    topk t = { .v = v,
               .cap = kc + 1,
               .min_score = floor_s,
               .after_s = MATCH_SCORE_MAX + 1,
               .after_c = -1,
               .map = st->ch,
               .kvec = st->kvec };
    mt_query q;
    run_query(st, &q, &st->chs, m);
    /* the rescored coaches' old-price stand-ins (warm_seed_pricing) */
    int64_t *ch_red = w->has_rb && w->rb[o] != WARM_NO_RB ? st->ch_red[tid] : NULL;
    const int32_t *tab = ch_red ? score_table(st, tid, &q) : NULL;
    if (ch_red && !tab) return MATCH_ENOMEM;
    uint16_t *keys = st->ch_key[tid];
    const uint8_t *elig = st->chelig[st->m_prog[m]];
    size_t fi = st->forb_off[m], fe = st->forb_off[m + 1];
    for (size_t p0 = 0; p0 < st->n_ch; p0 += MT_BLOCK) {
        size_t p1 = p0 + MT_BLOCK < st->n_ch ? p0 + MT_BLOCK : st->n_ch;
        mt_key_block(&q, &st->chs, elig, p0, p1, keys + p0);
        /* ch and forb are both in coach order */
        for (size_t j = p0; j < p1 && fi < fe; j++) {
            while (fi < fe && st->forb[fi] < st->ch[j]) fi++;
            if (fi < fe && st->forb[fi] == st->ch[j]) keys[j] = 0;
        }
    }
    /* the candidates: from the mentee's own position on, wrapping around */
    size_t off = st->n_ch ? scan_start(st, m) % st->n_ch : 0;
    for (size_t p0 = off; p0 < st->n_ch; p0 += MT_BLOCK)
        topk_block(&t, &q, p0, keys + p0, (p0 + MT_BLOCK < st->n_ch ? p0 + MT_BLOCK : st->n_ch) - p0);
    for (size_t p0 = 0; p0 < off; p0 += MT_BLOCK)
        topk_block(&t, &q, p0, keys + p0, (p0 + MT_BLOCK < off ? p0 + MT_BLOCK : off) - p0);
    pairs_count(st, tid, st->n_ch);
    st->n_cand[m] = (uint8_t)(t.n > kc ? kc : t.n);
    /* every pair outside the graph: an old one (old bound) or a changed
     * coach's beyond the candidates */
    int16_t bound = (int16_t)(t.n > kc ? v[kc].score : -1);
    st->t_score[m] = bound > w->t_score[o] ? bound : w->t_score[o];
    /* The stand-ins: red[j] = max(red[j], min(s, t) - rb) over the feasible
     * pairs, the largest "old price" changed coach j may be given so that
     * this mentee's reduced bound rb covers its pair with it (mt_red_block).
     * Only the pairs left outside the graph need covering, and those score
     * at most t, the mentee's new bound (its candidates, the best scores,
     * are graph edges): capping keeps one mentee's best changed coaches
     * from raising their stand-ins for everyone.  A mentee whose every
     * pair offers at most t - rb, no more than the smallest stand-in so far,
     * changes none (on a market of ties, most of them). */
    if (ch_red && (int64_t)st->t_score[m] - w->rb[o] > st->ch_red_lo[tid])
        st->ch_red_lo[tid] = mt_red_block(ch_red, keys, tab, st->n_ch, w->rb[o], st->t_score[m]);
    return MATCH_OK;
}

/* Mentee m's kept edges (towards kept coaches) into cols/ws after its *n
 * candidates, and into its extra list, so that pricing knows them: its
 * slice of warm_pool's pool (10^5 allocations, then as many frees, were
 * 5 ms of a warm run). */
static int warm_edges(struct match_run_state *st, size_t m, int32_t *cols, int64_t *ws, int32_t *n) {
    const match_warm *w = st->in->warm;
    int32_t o = st->w_m[m];
    size_t ne = w->e_off[o + 1] - w->e_off[o];
    if (st->cap_extra[m] < st->n_extra[m] + ne && extra_grow(st, m, (uint32_t)(st->n_extra[m] + ne)) != MATCH_OK)
        return MATCH_ENOMEM; /* one allocation for them all */
    for (size_t e = w->e_off[o]; e < w->e_off[o + 1]; e++) {
        int32_t c = st->w_keep[w->e_coach[e]];
        if (c < 0) continue;
        st->extra[m][st->n_extra[m]++] = c;
        cols[*n] = c;
        ws[(*n)++] = weight(st, m, w->e_score[e]);
    }
    return MATCH_OK;
}

/* The old duals in this run's weights (v = mult * price + big, or a plain
 * score-scaled value below big) and the old pairs, as the solver's hints. */
static int warm_hints(struct match_run_state *st, int64_t *v, int32_t *row_col) {
    const match_warm *w = st->in->warm;
    for (size_t c = 0; c < st->nc; c++) {
        int32_t o = st->w_c[c];
        int64_t ov = o >= 0 ? w->v[o] : 0;
        if (ov >= ASSIGN_MAX_WEIGHT || ov <= 0)
            v[c] = 0;
        else if (ov >= w->big)
            v[c] = (int64_t)((double)(ov - w->big) / (double)w->mult * (double)st->mult) + st->big;
        else
            v[c] = (int64_t)((double)ov / (double)w->mult * (double)st->mult);
    }
    for (size_t m = 0; m < st->nm; m++) {
        int32_t o = st->w_m[m], oc = o >= 0 ? w->m_match[o] : -1;
        row_col[m] = oc >= 0 ? st->w_keep[oc] : -1;
    }
    return MATCH_OK;
}

/* Mentee m's bound rb against the prices of round 0 (a warm state's, or
 * the estimate), over every coach: what a seeded run starts from. */
static void seed_bound(struct match_run_state *st, size_t m, int64_t rb) {
    st->rb[m] = rb;
    st->rp[m] = INT64_MAX;
    st->rb_k[m] = 0;
}

/* Seed the pricing memory from the state: its final prices become round 0
 * of this run's history (a coach that is new or rescored gets a stand-in:
 * the smallest price at which every reused mentee's bound covers its pair
 * with it; a coach in no state and no run has none: an infinite drop), and a
 * reused mentee keeps its reduced bound, which holds for its old pairs with
 * kept coaches: exactly its pairs outside the graph but those of the
 * rescored coaches.  The first pricing round of a re-run after a small
 * change then scans only those coaches and the ones whose price fell. */
static int warm_seed_pricing(struct match_run_state *st) {
    const match_warm *w = st->in->warm;
    if (!w->has_rb) return MATCH_OK;
    int rc = price_state_init(st);
    if (rc != MATCH_OK) return rc;
    int64_t *pi0 = malloc(st->nc * sizeof(int64_t) + 1);
    if (!pi0) return MATCH_ENOMEM;
    for (size_t c = 0; c < st->nc; c++) pi0[c] = WARM_NO_PRICE;
    for (size_t o = 0; o < w->nc; o++)
        if (st->w_keep[o] >= 0) pi0[st->w_keep[o]] = w->pi[o];
    /* A rescored coach: the largest s - rb over the reused mentees' pairs
     * with it (warm_score_one), so that their bounds cover it as well; its
     * fall since "round 0" is then how far its price is below that. */
    for (size_t i = 0; i < st->n_ch; i++) {
        int64_t r = WARM_NO_PRICE_LOW;
        for (int t = 0; t < st->threads; t++) r = st->ch_red[t][i] > r ? st->ch_red[t][i] : r;
        pi0[st->ch[i]] = r;
    }
    st->pi_hist[0] = pi0;
    st->n_hist = 1;
    for (size_t m = 0; m < st->nm; m++) {
        int32_t o = st->w_m[m];
        if (o >= 0 && w->rb[o] != WARM_NO_RB) seed_bound(st, m, w->rb[o]);
    }
    return MATCH_OK;
}

/* Mentee m's bound as a state keeps it: over every coach (the coaches
 * beyond rp, covered by s <= t, at t - rp), WARM_NO_RB for one over no
 * pair. */
static int64_t warm_rb(const struct match_run_state *st, size_t m) {
    int64_t rb = st->rb[m];
    if (st->rp[m] != INT64_MAX && (int64_t)st->t_score[m] - st->rp[m] > rb) rb = (int64_t)st->t_score[m] - st->rp[m];
    return rb <= RB_EMPTY ? WARM_NO_RB : rb;
}

/* A warm state's bounds are against the real prices (pi_real), but the last
 * round's bounds covered the coaches certified by their coach-side bound
 * only at PI_CERT (see "Coach-side bounds").  Against their real prices a
 * pair (m, c) outside the graph (m is not in c's list: those are edges)
 * has s - pi <= cside_bound[c] - bonus[m] - pi: raise each mentee's bound
 * in rb (WARM_NO_RB stays) to cover those. */
static void warm_cert_rb(const struct match_run_state *st, int64_t *rb) {
    if (!st->cside_cert || !st->pi_real) return;
    int64_t d = INT64_MIN;
    for (size_t c = 0; c < st->nc; c++)
        if (st->cside_cert[c] && st->cside_bound[c] != CSIDE_NONE && st->cside_bound[c] - st->pi_real[c] > d)
            d = st->cside_bound[c] - st->pi_real[c];
    for (size_t m = 0; d != INT64_MIN && m < st->nm; m++)
        if (rb[m] != WARM_NO_RB && d - st->bonus[m] > rb[m]) rb[m] = d - st->bonus[m];
}

/* The state this run leaves (keep_warm): every free mentee's graph edges
 * with their scores and its bound, the duals, the matching. */
static int warm_save(struct match_run_state *st, const assign_graph *g, const assign_result *res) {
    char **ids = malloc(st->nm * sizeof(*ids) + 1);
    if (!ids) return MATCH_ENOMEM;
    for (size_t m = 0; m < st->nm; m++) ids[m] = (char *)st->mentees[m].id;
    match_warm *w =
        mt_warm_new(st->cat, mt_fp_policy(&st->policy), st->nm, ids, st->nc, st->c_id, assign_graph_edges(g));
    free(ids);
    if (!w) return MATCH_ENOMEM;
    w->mult = st->mult;
    w->big = st->big;
    /* The last pricing round certified the result: every bound it holds is
     * against its prices, the final ones. */
    int32_t last = st->n_hist ? (int32_t)st->n_hist - 1 : RB_NONE;
    w->has_rb = last != RB_NONE;
    size_t e = 0;
    for (size_t m = 0; m < st->nm; m++) {
        w->m_fp[m] = st->m_fp[m];
        w->m_in[m] = (uint32_t)st->m_orig[m];
        w->m_scored[m] = !st->pinned[m];
        w->t_score[m] = st->t_score[m];
        w->m_match[m] = st->pinned[m] ? -1 : res->row_col[m];
        w->rb[m] = w->has_rb && st->rb_k[m] == last ? warm_rb(st, m) : WARM_NO_RB;
        int32_t n = assign_graph_row_len(g, (int32_t)m);
        for (int32_t i = 0; i < n; i++) {
            int32_t c;
            int64_t wt;
            assign_graph_row_edge(g, (int32_t)m, i, &c, &wt);
            w->e_coach[e] = c;
            w->e_score[e] = (int16_t)((wt - st->big) / st->mult - st->bonus[m]);
            e++;
        }
        w->e_off[m + 1] = e;
    }
    for (size_t c = 0; c < st->nc; c++) {
        w->c_fp[c] = st->c_fp[c];
        w->c_in[c] = (uint32_t)st->c_orig[c];
        w->c_scored[c] = st->cap0[c] > 0;
        w->v[c] = res->v[c];
        w->pi[c] = !w->has_rb ? 0 : st->pi_real ? st->pi_real[c] : st->pi_hist[last][c];
    }
    if (w->has_rb) warm_cert_rb(st, w->rb);
    st->warm_out = w;
    return MATCH_OK;
}

static int tick_cb(void *ud, uint64_t done, uint64_t total) {
    struct match_run_state *st = ud;
    st->phase = "solve";
    return run_tick(st, done, total);
}

/* Append mentee m's estimate candidates that are not among its edges so
 * far (cols[0..*n): in a cold run, its score candidates) to cols/ws, and
 * to its extra list, so that pricing knows them. */
static int est_edges(struct match_run_state *st, size_t m, int32_t *cols, int64_t *ws, int32_t *n) {
    const cand *ev = st->est_cands + m * (size_t)(st->k + 1);
    int32_t n0 = *n;
    for (int k = 0; k < st->n_est[m]; k++) {
        int dup = 0;
        for (int32_t i = 0; i < n0 && !dup; i++) dup = cols[i] == ev[k].coach;
        if (dup) continue;
        if (push_extra(st, m, ev[k].coach) != MATCH_OK) return MATCH_ENOMEM;
        cols[*n] = ev[k].coach;
        ws[(*n)++] = weight(st, m, ev[k].score);
    }
    return MATCH_OK;
}

/* The pool of the kept edges of a warm run's reused mentees: each one's
 * slice, as its extra list (warm_edges fills it). */
static int warm_pool(struct match_run_state *st, const size_t *free_m, size_t n_free) {
    const match_warm *w = st->in->warm;
    size_t n = 0;
    for (size_t i = 0; i < n_free; i++) {
        int32_t o = st->w_m[free_m[i]];
        if (o >= 0) n += w->e_off[o + 1] - w->e_off[o];
    }
    st->extra_pool = malloc(n * sizeof(int32_t) + 1);
    st->extra_in_pool = calloc(st->nm + 1, 1);
    if (!st->extra_pool || !st->extra_in_pool) return MATCH_ENOMEM;
    n = 0;
    for (size_t i = 0; i < n_free; i++) {
        size_t m = free_m[i];
        int32_t o = st->w_m[m];
        if (o < 0 || st->cap_extra[m]) continue;
        st->extra[m] = st->extra_pool + n;
        st->cap_extra[m] = (uint32_t)(w->e_off[o + 1] - w->e_off[o]);
        st->extra_in_pool[m] = 1;
        n += st->cap_extra[m];
    }
    return MATCH_OK;
}

/* Mentee m's pairs of the coach-side lists (cside_finish) that are not among
 * its n edges so far join them, and its extra list.  The row comes out
 * sorted by coach, as the solver wants it (assign_graph_fill_row sorted
 * every row, 2 ms of a scarce run at 5,000 x 2,000): its edges so far are
 * sorted (a dozen), then merged with its coach-side pairs (in coach order
 * already), a pair in both taken once.  tc, tw: room for the row. */
static int cside_edges(struct match_run_state *st, size_t m, int32_t *cols, int64_t *ws, int32_t *n, int32_t *tc,
                       int64_t *tw) {
    size_t e = st->cs_off[m], e1 = st->cs_off[m + 1];
    if (e == e1) return MATCH_OK;
    size_t need = st->n_extra[m] + (e1 - e);
    if (need > st->cap_extra[m] && extra_grow(st, m, (uint32_t)need) != MATCH_OK) return MATCH_ENOMEM;
    for (int32_t i = 1; i < *n; i++) {
        int32_t c = cols[i], k = i;
        int64_t w = ws[i];
        for (; k > 0 && cols[k - 1] > c; k--) {
            cols[k] = cols[k - 1];
            ws[k] = ws[k - 1];
        }
        cols[k] = c;
        ws[k] = w;
    }
    int32_t i = 0, o = 0;
    while (i < *n || e < e1) {
        if (e == e1 || (i < *n && cols[i] < st->cs_c[e])) {
            tc[o] = cols[i];
            tw[o++] = ws[i++];
            continue;
        }
        if (i < *n && cols[i] == st->cs_c[e]) { /* an edge already */
            e++;
            continue;
        }
        st->extra[m][st->n_extra[m]++] = st->cs_c[e];
        tc[o] = st->cs_c[e];
        tw[o++] = st->mult * st->cs_g[e++] + st->big;
    }
    memcpy(cols, tc, (size_t)o * sizeof(*cols));
    memcpy(ws, tw, (size_t)o * sizeof(*ws));
    *n = o;
    return MATCH_OK;
}

/* The graph's first edges: each free mentee's candidates, for a reused
 * mentee of a warm run its old edges towards kept coaches, and with an
 * estimate its candidates by reduced score.  They are distinct coaches
 * (a candidate list holds each coach once, a reused mentee's candidates
 * are changed coaches, never kept ones, and est_edges skips the score
 * list's), which assign_graph_fill_row relies on.  The rows are counted,
 * then filled, in parts (par_parts), and their room reserved in between in
 * one thread, exactly (room for the estimate's duplicates was 80 MB of the
 * 1,000,000-mentee run): each part writes only its own mentees' counts,
 * rows and extra lists, and the rows come out sorted by column, which the
 * solver's first step did in one thread (a warm re-run: 14 ms building and
 * 10 ms sorting, on one thread). */
typedef struct build_job {
    struct match_run_state *st;
    const size_t *free_m;
    assign_graph *g;
    int32_t *rows_n; /* free mentee i's row: rows_n[i] edges (count_part) */
} build_job;

static int build_part(void *ctx, size_t i0, size_t i1, int part) {
    build_job *j = ctx;
    struct match_run_state *st = j->st;
    (void)part;
    int32_t *cols = malloc(2 * (st->nc + 1) * sizeof(*cols));
    int64_t *ws = malloc(2 * (st->nc + 1) * sizeof(*ws));
    int rc = cols && ws ? MATCH_OK : MATCH_ENOMEM;
    for (size_t i = i0; i < i1 && rc == MATCH_OK; i++) {
        size_t m = j->free_m[i];
        const cand *cv = st->cands + m * (size_t)(st->k + 1);
        int32_t n = 0;
        for (int k = 0; k < st->n_cand[m]; k++, n++) {
            cols[n] = cv[k].coach;
            ws[n] = weight(st, m, cv[k].score);
        }
        if (st->warm && st->w_m[m] >= 0) rc = warm_edges(st, m, cols, ws, &n);
        if (rc == MATCH_OK && st->est) rc = est_edges(st, m, cols, ws, &n);
        if (rc == MATCH_OK && st->cs_off) rc = cside_edges(st, m, cols, ws, &n, cols + st->nc + 1, ws + st->nc + 1);
        if (rc == MATCH_OK && assign_graph_fill_row(j->g, (int32_t)m, cols, ws, n) != ASSIGN_OK) rc = MATCH_ENOMEM;
    }
    free(cols);
    free(ws);
    return rc;
}

/* Each row's length (build_part's edges, counted), into rows_n: exact, as
 * a warm run has no estimate (est_prices runs cold); were both on, the
 * estimate's duplicates of kept edges would be counted, room to spare. */
static int count_part(void *ctx, size_t i0, size_t i1, int part) {
    build_job *j = ctx;
    struct match_run_state *st = j->st;
    const match_warm *w = st->in->warm;
    (void)part;
    for (size_t i = i0; i < i1; i++) {
        size_t m = j->free_m[i];
        int32_t n = st->n_cand[m], o = st->warm ? st->w_m[m] : -1;
        for (size_t e = o >= 0 ? w->e_off[o] : 0; o >= 0 && e < w->e_off[o + 1]; e++)
            n += st->w_keep[w->e_coach[e]] >= 0;
        const cand *cv = st->cands + m * (size_t)(st->k + 1);
        const cand *ev = st->est ? st->est_cands + m * (size_t)(st->k + 1) : NULL;
        for (int k = 0; ev && k < st->n_est[m]; k++) {
            int dup = 0;
            for (int c = 0; c < st->n_cand[m] && !dup; c++) dup = cv[c].coach == ev[k].coach;
            n += !dup;
        }
        for (size_t e = st->cs_off ? st->cs_off[m] : 0; st->cs_off && e < st->cs_off[m + 1]; e++) {
            int dup = 0;
            for (int k = 0; k < st->n_cand[m] && !dup; k++) dup = cv[k].coach == st->cs_c[e];
            for (int k = 0; ev && k < st->n_est[m] && !dup; k++) dup = ev[k].coach == st->cs_c[e];
            n += !dup;
        }
        j->rows_n[i] = n;
    }
    return MATCH_OK;
}

static int graph_build(struct match_run_state *st, const size_t *free_m, size_t n_free, assign_graph *g) {
    build_job j = { st, free_m, g, malloc(n_free * sizeof(int32_t) + 1) };
    int32_t *rows = malloc(n_free * sizeof(*rows) + 1);
    int rc = rows && j.rows_n ? MATCH_OK : MATCH_ENOMEM;
    if (rc == MATCH_OK && st->warm) rc = warm_pool(st, free_m, n_free);
    if (rc == MATCH_OK) par_parts(st->threads, n_free, count_part, &j);
    for (size_t i = 0; i < n_free && rc == MATCH_OK; i++) {
        rows[i] = (int32_t)free_m[i];
        if (assign_graph_reserve(g, rows[i], j.rows_n[i]) != ASSIGN_OK) rc = MATCH_ENOMEM;
    }
    if (rc == MATCH_OK) rc = par_parts(st->threads, n_free, build_part, &j);
    if (rc == MATCH_OK) assign_graph_filled(g, rows, n_free);
    free(rows);
    free(j.rows_n);
    return rc;
}

/* The estimate's progress (mt_est_tick): the phase "estimate", which a run
 * shows only when it splits its market. */
static int est_tick(void *ud, uint64_t done, uint64_t total) {
    struct match_run_state *st = ud;
    st->phase = "estimate";
    return run_tick(st, done, total);
}

/* The price estimate of a cold optimal run (estimate.c), into st->est by
 * coach; coaches without free capacity, never a candidate, get 0.  Its
 * sub-markets' pair scorings count as this run's. */
static int est_prices(struct match_run_state *st, const size_t *free_m, size_t n_free) {
    if (n_free < MT_EST_MIN_MENTEES) return MATCH_OK;
    size_t *m_in = malloc(n_free * sizeof(*m_in) + 1), *c_in = malloc(st->nc * sizeof(*c_in) + 1);
    int32_t *cap = malloc(st->nc * sizeof(*cap) + 1), *at = malloc(st->nc * sizeof(*at) + 1);
    int rc = m_in && c_in && cap && at ? MATCH_OK : MATCH_ENOMEM;
    size_t nc = 0;
    mt_est e = { 0 };
    for (size_t i = 0; rc == MATCH_OK && i < n_free; i++) m_in[i] = st->m_orig[free_m[i]];
    for (size_t c = 0; rc == MATCH_OK && c < st->nc; c++) {
        if (st->remain[c] <= 0) continue;
        at[nc] = (int32_t)c;
        c_in[nc] = st->c_orig[c];
        cap[nc++] = st->remain[c];
    }
    if (rc == MATCH_OK) rc = mt_estimate(st->cat, st->in, m_in, n_free, c_in, cap, nc, st->threads, est_tick, st, &e);
    if (rc == MATCH_OK) {
        pairs_count(st, 0, e.pairs);
        st->est_groups = (uint32_t)e.groups;
        st->est_pairs = e.pairs;
    }
    if (rc == MATCH_OK && e.price) {
        st->est = calloc(st->nc + 1, sizeof(*st->est));
        st->est_rb = malloc(st->nm * sizeof(*st->est_rb) + 1);
        st->est_cands = malloc(st->nm * (size_t)(st->k + 1) * sizeof(cand) + 1);
        st->n_est = calloc(st->nm + 1, 1);
        if (!st->est || !st->est_rb || !st->est_cands || !st->n_est) rc = MATCH_ENOMEM;
        for (size_t i = 0; rc == MATCH_OK && i < nc; i++) st->est[at[i]] = e.price[i];
    }
    free(e.price);
    free(m_in);
    free(c_in);
    free(cap);
    free(at);
    return rc;
}

/* Seed the pricing memory with the estimate: it becomes the prices of
 * round 0, and each scored mentee's first-pass bound against it its
 * reduced bound over every coach (see "Estimated prices"). */
static int est_seed_pricing(struct match_run_state *st) {
    int rc = price_state_init(st);
    if (rc != MATCH_OK) return rc;
    int64_t *pi0 = malloc(st->nc * sizeof(*pi0) + 1);
    if (!pi0) return MATCH_ENOMEM;
    for (size_t c = 0; c < st->nc; c++) pi0[c] = st->est[c];
    st->pi_hist[0] = pi0;
    st->n_hist = 1;
    for (size_t m = 0; m < st->nm; m++)
        if (!st->pinned[m] && st->t_score[m] >= 0) seed_bound(st, m, st->est_rb[m]);
    /* the first pass's bounds themselves, against the estimate */
    return st->in->check_bounds ? price_check(st, 0, NULL, NULL) : MATCH_OK;
}

/* ---- coach classes ----------------------------------------------------------
 *
 * Coaches that agree on everything a pair's score and feasibility read (the
 * level in every competency, rank, province, modality, languages,
 * availability, the programs they serve, and their organisation where it
 * can meet a mentee's agency under forbid_same_agency) score the same with
 * every mentee.  An optimum need not tell them apart: a class of such
 * coaches is one coach whose capacity is their summed free capacity, and
 * whose dual price is theirs.  A homogeneous pool (bench/matcher's `ties`,
 * one training centre's widyaiswara rated on a coarse scale) has few
 * classes: 76 for 2,000 coaches.  Solving by class divides the scoring
 * pass, the pricing and the graph by the classes' size, and the solver's
 * optimum and certificate hold for the coaches (every coach's pairs are
 * its class's, so the class duals are feasible duals of the coaches'
 * problem with the same objective).
 *
 * A run solves by class (optimal mode, unless input->no_classes) when its
 * coaches fall into at most nc / RUN_CLASS_SHRINK classes and have a seat
 * for every mentee.  Then the run is cheap cold, and it neither starts
 * from a warm state (whose graph and duals are by coach) nor keeps one;
 * below that shrink, a warm re-run would save more than the classes.
 * With fewer seats than mentees the solver fills columns one column search
 * per seat (assign.c's first round), each walking the column's edges and
 * rows: classes of hundreds of seats made that slower than solving by
 * coach (`ties` with half the seats at 100,000 x 20,000: 2.5 s against
 * 1.2 s), so such runs solve by coach.  A coach named by a forbidden pair,
 * or with languages beyond the space's mask (MT_LANG_BITS), is a class of
 * its own.  Classes are numbered in order of their first coach by id, so
 * the solver's ties still break towards lower ids.
 *
 * After the solve each class's mentees, in id order, are dealt round
 * robin to its coaches with room, in id order: equal coaches get equal
 * shares.  The class view (classes_enter) replaces the run's coach arrays
 * while scoring and solving; classes_leave puts the coaches' back. */
#define RUN_CLASS_SHRINK 8
/* Candidates per mentee in a class run (unless input->candidates): a
 * class has the seats of many coaches, and a mentee's K best classes
 * reach further down its ranking than its K best coaches.  With 12, the
 * first solve left 52,000 of 100,000 mentees of `ties` at 100,000 x
 * 20,000 with a violating class, and re-adding them into columns of
 * ~1,300 seats took the solver 7 s; with 24 the first round certifies
 * (bench/matcher/README.md, "Coach classes"). */
#define RUN_CLASS_K 24

/* The coach arrays a run reads while it scores and solves. */
typedef struct run_view {
    mt_coaches cs;
    size_t nc;
    int32_t *remain, *cap0, *forb;
    uint8_t **elig_free, **elig_any;
} run_view;

typedef struct run_classes {
    size_t n;       /* classes */
    int32_t *of;    /* per coach: its class */
    int32_t *rep;   /* per class: its first coach */
    run_view other; /* the view the run is not using */
    int in_class;   /* 1: the run uses the class view (other = coaches') */
} run_classes;

static void view_swap(struct match_run_state *st, run_view *v) {
    run_view t = { st->cs, st->nc, st->remain, st->cap0, st->forb, st->elig_free, st->elig_any };
    st->cs = v->cs;
    st->nc = v->nc;
    st->remain = v->remain;
    st->cap0 = v->cap0;
    st->forb = v->forb;
    st->elig_free = v->elig_free;
    st->elig_any = v->elig_any;
    *v = t;
}

/* Free the class view (the run is back on the coaches') and the maps. */
static void classes_free(struct match_run_state *st) {
    run_classes *k = st->cls;
    if (!k) return;
    if (k->in_class) view_swap(st, &k->other);
    run_view *v = &k->other;
    mt_coaches_free(&v->cs);
    free(v->remain);
    free(v->cap0);
    free(v->forb);
    for (size_t p = 0; p < st->n_prog; p++) {
        if (v->elig_free) free(v->elig_free[p]);
        if (v->elig_any) free(v->elig_any[p]);
    }
    free(v->elig_free);
    free(v->elig_any);
    free(k->of);
    free(k->rep);
    free(k);
    st->cls = NULL;
}

static uint64_t cls_mix(uint64_t h, uint64_t x) {
    h ^= x + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdull;
}

/* What a coach's class key holds besides its levels. */
typedef struct cls_key {
    uint64_t h;      /* hash of everything below and the levels */
    uint64_t progs;  /* bit p: serves program slot p */
    uint32_t agency; /* MT_NONE: meets no mentee's agency */
    uint8_t alone;   /* a class of its own */
} cls_key;

/* Coaches a and b in one class?  (The region follows the province.) */
static int cls_same(const struct match_run_state *st, const cls_key *key, size_t a, size_t b) {
    const mt_coaches *cs = &st->cs;
    if (key[a].h != key[b].h || key[a].progs != key[b].progs || key[a].agency != key[b].agency ||
        cs->rank[a] != cs->rank[b] || cs->prov[a] != cs->prov[b] || cs->modality[a] != cs->modality[b] ||
        cs->langs[a] != cs->langs[b] || cs->avail[a] != cs->avail[b])
        return 0;
    for (size_t i = 0; i < cs->n_cols; i++)
        if (cs->level[i] && cs->level[i][a] != cs->level[i][b]) return 0;
    return 1;
}

/* The keys of every coach. */
static int cls_keys(struct match_run_state *st, cls_key *key) {
    const mt_coaches *cs = &st->cs;
    size_t na = st->space.agencies.len;
    uint8_t *met = calloc(na + 1, 1); /* agencies some mentee has */
    if (!met) return MATCH_ENOMEM;
    if (st->policy.forbid_same_agency)
        for (size_t m = 0; m < st->nm; m++)
            if (st->mcode[m].agency < na) met[st->mcode[m].agency] = 1;
    for (size_t c = 0; c < st->nc; c++) {
        cls_key *k = &key[c];
        k->agency = cs->agency[c] < na && met[cs->agency[c]] ? cs->agency[c] : MT_NONE;
        k->progs = 0;
        for (size_t p = 0; p < st->n_prog; p++) k->progs |= (uint64_t)st->elig_any[p][c] << p;
        k->alone = cs->n_xlangs[c] != 0;
        uint64_t h = cls_mix(k->progs, k->agency);
        h = cls_mix(h, (uint64_t)cs->rank[c] | (uint64_t)cs->prov[c] << 8 | (uint64_t)cs->modality[c] << 16 |
                           (uint64_t)cs->avail[c] << 32);
        k->h = cls_mix(h, cs->langs[c]);
    }
    free(met);
    for (size_t i = 0; i < st->forb_off[st->nm]; i++) key[st->forb[i]].alone = 1;
    for (size_t i = 0; i < cs->n_cols; i++) {
        const uint8_t *col = cs->level[i];
        if (!col) continue;
        for (size_t c = 0; c < st->nc; c++) key[c].h = cls_mix(key[c].h, (uint64_t)col[c] << 32 | i);
    }
    return MATCH_OK;
}

/* Group the coaches (of[], rep[]): MATCH_OK with k->n classes, or
 * k->n = 0 when there are more than nc / RUN_CLASS_SHRINK of them. */
static int cls_group(struct match_run_state *st, const cls_key *key, run_classes *k) {
    size_t limit = st->nc / RUN_CLASS_SHRINK, cap = 16;
    while (cap < 2 * limit + 2) cap <<= 1;
    int32_t *slot = malloc(cap * sizeof(*slot));
    k->of = malloc(st->nc * sizeof(int32_t) + 1);
    k->rep = malloc((limit + 1) * sizeof(int32_t));
    if (!slot || !k->of || !k->rep) {
        free(slot);
        return MATCH_ENOMEM;
    }
    for (size_t i = 0; i < cap; i++) slot[i] = -1;
    k->n = 0;
    for (size_t c = 0; c < st->nc; c++) {
        size_t i = (size_t)key[c].h & (cap - 1);
        int32_t found = -1;
        if (!key[c].alone)
            for (; slot[i] >= 0; i = (i + 1) & (cap - 1))
                if (cls_same(st, key, (size_t)k->rep[slot[i]], c)) { /* slots hold no lone class */
                    found = slot[i];
                    break;
                }
        if (found < 0) {
            if (k->n == limit) { /* too many classes to pay */
                k->n = 0;
                break;
            }
            found = (int32_t)k->n++;
            k->rep[found] = (int32_t)c;
            if (!key[c].alone) slot[i] = found;
        }
        k->of[c] = found;
    }
    free(slot);
    return MATCH_OK;
}

/* The class view, in k->other. */
static int cls_view(struct match_run_state *st, run_classes *k) {
    run_view *v = &k->other;
    mt_coaches_init(&v->cs);
    v->nc = k->n;
    v->remain = calloc(k->n + 1, sizeof(int32_t));
    v->cap0 = calloc(k->n + 1, sizeof(int32_t));
    v->forb = malloc(st->forb_off[st->nm] * sizeof(int32_t) + 1);
    v->elig_free = calloc(st->n_prog + 1, sizeof(uint8_t *));
    v->elig_any = calloc(st->n_prog + 1, sizeof(uint8_t *));
    if (!v->remain || !v->cap0 || !v->forb || !v->elig_free || !v->elig_any ||
        mt_coaches_permute(&v->cs, &st->cs, k->rep, k->n) != MATCH_OK)
        return MATCH_ENOMEM;
    for (size_t i = 0; i < k->n; i++) v->cs.free[i] = v->cs.capacity[i] = 0;
    for (size_t c = 0; c < st->nc; c++) {
        int32_t j = k->of[c];
        v->remain[j] += st->remain[c];
        v->cap0[j] += st->cap0[c];
        v->cs.free[j] += st->cs.free[c];
        v->cs.capacity[j] += st->cs.capacity[c];
    }
    /* a forbidden pair's coach is alone in its class, and classes are in
     * their first coach's order: each mentee's list stays sorted */
    for (size_t i = 0; i < st->forb_off[st->nm]; i++) v->forb[i] = k->of[st->forb[i]];
    for (size_t p = 0; p < st->n_prog; p++) {
        v->elig_free[p] = mt_elig_alloc(k->n);
        v->elig_any[p] = mt_elig_alloc(k->n);
        if (!v->elig_free[p] || !v->elig_any[p]) return MATCH_ENOMEM;
        for (size_t j = 0; j < k->n; j++) {
            v->elig_any[p][j] = st->elig_any[p][k->rep[j]];
            v->elig_free[p][j] = (uint8_t)(v->elig_any[p][j] && v->remain[j] > 0);
        }
    }
    return MATCH_OK;
}

/* Find the classes and, when they pay, switch the run to their view
 * (st->cls).  After prepare_programs, before anything sized by coach. */
static int classes_enter(struct match_run_state *st, match_stats *stats) {
    if (st->nc < RUN_CLASS_SHRINK) return MATCH_OK;
    int64_t slots = 0;
    for (size_t c = 0; c < st->nc; c++) slots += st->remain[c];
    if (slots < (int64_t)st->nm) return MATCH_OK; /* see RUN_CLASS_SHRINK */
    cls_key *key = malloc(st->nc * sizeof(*key));
    run_classes *k = calloc(1, sizeof(*k));
    int rc = key && k ? cls_keys(st, key) : MATCH_ENOMEM;
    if (rc == MATCH_OK) rc = cls_group(st, key, k);
    free(key);
    if (rc != MATCH_OK || !k->n) {
        if (k) {
            free(k->of);
            free(k->rep);
            free(k);
        }
        return rc;
    }
    st->cls = k;
    if ((rc = cls_view(st, k)) != MATCH_OK) return rc; /* state_free frees it */
    view_swap(st, &k->other);
    k->in_class = 1;
    if (st->in->candidates <= 0 && st->k != RUN_CLASS_K) { /* nothing in cands yet: no copy */
        free(st->cands);
        st->k = RUN_CLASS_K;
        if (!(st->cands = malloc(st->nm * (size_t)(st->k + 1) * sizeof(cand) + 1))) return MATCH_ENOMEM;
    }
    stats->coach_classes = (uint32_t)k->n;
    return MATCH_OK;
}

/* Back to the coaches' view: deal each class's matched mentees (mentee
 * order) round robin to its coaches with room (coach order). */
static int classes_leave(struct match_run_state *st, match_err *err) {
    run_classes *k = st->cls;
    view_swap(st, &k->other);
    k->in_class = 0;
    size_t nc = st->nc, n = k->n;
    size_t *off = calloc(n + 1, sizeof(size_t)), *cur = malloc((n + 1) * sizeof(size_t));
    int32_t *mem = malloc(nc * sizeof(int32_t) + 1);
    if (!off || !cur || !mem) {
        free(off);
        free(cur);
        free(mem);
        return MATCH_ENOMEM;
    }
    for (size_t c = 0; c < nc; c++) off[k->of[c] + 1]++;
    for (size_t j = 0; j < n; j++) off[j + 1] += off[j];
    for (size_t j = 0; j < n; j++) cur[j] = off[j];
    for (size_t c = 0; c < nc; c++) mem[cur[k->of[c]]++] = (int32_t)c;
    for (size_t j = 0; j < n; j++) cur[j] = off[j];
    for (size_t m = 0; m < st->nm; m++) {
        int32_t j = st->match[m];
        if (j < 0 || st->pinned[m]) continue;
        /* the class had room for every mentee it took: a member has some */
        size_t i = cur[j], tried = 0;
        while (st->remain[mem[i]] <= 0 && ++tried <= off[j + 1] - off[j]) i = i + 1 < off[j + 1] ? i + 1 : off[j];
        int32_t c = mem[i];
        if (st->remain[c] <= 0) { /* a bug: the class took more than it had */
            free(off);
            free(cur);
            free(mem);
            mt_err(err, "", "internal error: a coach class took more mentees than its seats");
            return MATCH_ERR;
        }
        st->match[m] = c;
        st->remain[c]--;
        cur[j] = i + 1 < off[j + 1] ? i + 1 : off[j];
    }
    free(off);
    free(cur);
    free(mem);
    return MATCH_OK;
}

int mt_run_prices(const match_run_result *r, int64_t *by_input) {
    const struct match_run_state *st = r->state;
    if (!st || !st->n_hist) return MATCH_ERR;
    /* the real prices: the history prices certified coaches at PI_CERT */
    const int64_t *pi = st->pi_real ? st->pi_real : st->pi_hist[st->n_hist - 1];
    for (size_t c = 0; c < st->nc; c++) by_input[st->c_orig[c]] = pi[st->cls ? st->cls->of[c] : (int32_t)c];
    return MATCH_OK;
}

static int solve_optimal(struct match_run_state *st, const size_t *free_m, size_t n_free, match_stats *stats,
                         match_err *err) {
    /* Weights.  Participation's BIG bounds every mentee's gain by the
     * largest score, not by its best pair, so that it depends on the
     * mentees and their waitlists only: a warm run and a cold run of the
     * same input use the same weights and report the same objective. */
    int64_t max_gain = 0, big = 1;
    for (size_t i = 0; i < n_free; i++) {
        int64_t g = MATCH_SCORE_MAX + st->bonus[free_m[i]];
        big += g;
        if (g > max_gain) max_gain = g;
    }
    if (st->policy.objective == MATCH_OBJ_PARTICIPATION) {
        st->mult = 1;
        st->big = big;
    } else {
        st->mult = (int64_t)st->nm + 1;
        st->big = 1;
    }
    if (st->big > ASSIGN_MAX_WEIGHT / 2 || (max_gain && st->mult > (ASSIGN_MAX_WEIGHT / 2) / max_gain)) {
        mt_err(err, "", "run too large for exact int64 weights");
        return MATCH_ERR;
    }
    stats->mult = st->mult;
    stats->big = st->big;

    assign_graph *g = assign_graph_new((int32_t)st->nm, (int32_t)st->nc);
    if (!g) return MATCH_ENOMEM;
    assign_graph_threads(g, st->threads);
    int rc = cside_finish(st);
    if (rc == MATCH_OK) rc = graph_build(st, free_m, n_free, g);
    if (rc != MATCH_OK) {
        assign_graph_free(g);
        return rc;
    }
    st->phase = "solve";
    assign_result res;
    memset(&res, 0, sizeof(res));
    int64_t *hv = NULL;
    int32_t *hrc = NULL;
    if (st->warm) {
        hv = malloc(st->nc * sizeof(*hv) + 1);
        hrc = malloc(st->nm * sizeof(*hrc) + 1);
        if (!hv || !hrc || warm_hints(st, hv, hrc) != MATCH_OK) rc = MATCH_ENOMEM;
    }
    if (st->warm && rc == MATCH_OK) rc = warm_seed_pricing(st);
    if (st->est && rc == MATCH_OK) rc = est_seed_pricing(st);
    assign_start start = { hv, hrc };
    int arc = rc != MATCH_OK
                  ? ASSIGN_ERR
                  : assign_solve_warm(g, st->remain, st->warm ? &start : NULL, price_cb, st, tick_cb, st, &res);
    free(hv);
    free(hrc);
    stats->candidate_edges = assign_graph_edges(g);
    if (arc == ASSIGN_OK && st->in->keep_warm && !st->cls && warm_save(st, g, &res) != MATCH_OK) {
        /* the run stands; only the next one starts cold */
        match_warm_free(st->warm_out);
        st->warm_out = NULL;
    }
    assign_graph_free(g);
    if (arc == ASSIGN_CANCELLED || atomic_load(&st->stop)) {
        if (arc == ASSIGN_OK) assign_result_free(&res);
        return MATCH_ECANCELLED;
    }
    if (arc != ASSIGN_OK) {
        mt_err(err, "", "assignment solver failed");
        return MATCH_ENOMEM;
    }
    for (size_t i = 0; i < n_free; i++) {
        size_t m = free_m[i];
        int32_t c = res.row_col[m];
        if (c >= 0) {
            st->match[m] = c;
            st->remain[c]--;
        }
    }
    stats->objective = res.objective;
    stats->certified = res.certified;
    stats->pricing_rounds = res.pricing_rounds;
    assign_result_free(&res);
    return MATCH_OK;
}

/* ---- stable mode ------------------------------------------------------------ */

/* Heap of mentees keyed by their current candidate: score desc, mentee asc
 * (coach asc is implied: each mentee's list is in that order). */
typedef struct sheap {
    size_t *h;
    size_t n;
    const struct match_run_state *st;
    const uint8_t *pos; /* per mentee: index of current candidate */
} sheap;

static int sheap_before(const sheap *hp, size_t a, size_t b) {
    const struct match_run_state *st = hp->st;
    int sa = st->cands[a * (size_t)(st->k + 1) + hp->pos[a]].score;
    int sb = st->cands[b * (size_t)(st->k + 1) + hp->pos[b]].score;
    return sa != sb ? sa > sb : a < b;
}

static void sheap_down(sheap *hp, size_t i) {
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, best = i;
        if (l < hp->n && sheap_before(hp, hp->h[l], hp->h[best])) best = l;
        if (r < hp->n && sheap_before(hp, hp->h[r], hp->h[best])) best = r;
        if (best == i) return;
        size_t t = hp->h[i];
        hp->h[i] = hp->h[best];
        hp->h[best] = t;
        i = best;
    }
}

/* Stable mode's open set: the coaches that still have room, in index
 * order, as a compact coach set (st->pcs, st->perm; pos_of = -1 for the
 * others), rebuilt whenever it has shrunk by a quarter, so that the
 * rescans of mentees whose lists ran out look only at open coaches. */
static int stable_open_build(struct match_run_state *st, size_t *n_open) {
    size_t nc = st->nc, n = 0;
    if (!st->perm) {
        st->perm = malloc(nc * sizeof(int32_t) + 1);
        st->pos_of = malloc(nc * sizeof(int32_t) + 1);
        st->pelig = calloc(st->n_prog + 1, sizeof(*st->pelig));
        if (!st->perm || !st->pos_of || !st->pelig) return MATCH_ENOMEM;
        for (size_t p = 0; p < st->n_prog; p++)
            if (!(st->pelig[p] = mt_elig_alloc(nc))) return MATCH_ENOMEM;
    }
    for (size_t c = 0; c < nc; c++) {
        st->pos_of[c] = -1;
        if (st->remain[c] > 0) {
            st->pos_of[c] = (int32_t)n;
            st->perm[n++] = (int32_t)c;
        }
    }
    for (size_t p = 0; p < st->n_prog; p++)
        for (size_t i = 0; i < n; i++) st->pelig[p][i] = st->elig_free[p][st->perm[i]];
    *n_open = n;
    return mt_coaches_permute(&st->pcs, &st->cs, st->perm, n);
}

/* Rescan over the open set: the next best pairs of mentee m after
 * the cursor (after_s, after_c) among coaches with room. */
static void stable_rescan(struct match_run_state *st, size_t m, int after_s, int32_t after_c, size_t n_open) {
    cand *v = st->cands + m * (size_t)(st->k + 1);
    topk t = { .v = v,
               .cap = st->k + 1,
               .min_score = st->policy.min_score,
               .after_s = after_s,
               .after_c = after_c,
               .remain = st->remain,
               .map = st->perm,
               .kvec = st->kvec };
    mt_query q;
    run_query(st, &q, &st->pcs, m);
    const uint8_t *elig = st->pelig[st->m_prog[m]];
    uint16_t key[MT_BLOCK];
    for (size_t p0 = 0; p0 < n_open; p0 += MT_BLOCK) {
        size_t p1 = p0 + MT_BLOCK < n_open ? p0 + MT_BLOCK : n_open;
        mt_key_block(&q, &st->pcs, elig, p0, p1, key);
        for (size_t f = st->forb_off[m]; f < st->forb_off[m + 1]; f++) {
            int32_t pos = st->pos_of[st->forb[f]];
            if (pos >= (int32_t)p0 && pos < (int32_t)p1) key[pos - (int32_t)p0] = 0;
        }
        topk_block(&t, &q, p0, key, p1 - p0);
    }
    pairs_count(st, 0, n_open); /* stable mode: one thread */
    st->n_cand[m] = (uint8_t)(t.n > st->k ? st->k : t.n);
    st->t_score[m] = (int16_t)(t.n > st->k ? v[st->k].score : -1);
}

/* Greedy by descending score (ties: mentee id, then coach id) under the
 * capacities.  With symmetric preferences (both sides rank pairs by the
 * same score) this is the unique stable matching up to ties: a pair taken
 * earlier is at least as good for both of its sides as any later one. */
static int solve_stable(struct match_run_state *st, const size_t *free_m, size_t n_free, match_stats *stats) {
    uint8_t *pos = calloc(st->nm + 1, 1);
    size_t *h = malloc(n_free * sizeof(*h) + 1);
    if (!pos || !h) {
        free(pos);
        free(h);
        return MATCH_ENOMEM;
    }
    sheap hp = { h, 0, st, pos };
    for (size_t i = 0; i < n_free; i++)
        if (st->n_cand[free_m[i]]) h[hp.n++] = free_m[i];
    for (size_t i = hp.n; i-- > 0;) sheap_down(&hp, i);
    int64_t room = 0;
    for (size_t c = 0; c < st->nc; c++) room += st->remain[c];
    st->phase = "stable";
    uint64_t done = 0;
    size_t n_open = 0, open = 0;
    int rc = stable_open_build(st, &n_open);
    open = n_open;
    while (rc == MATCH_OK && hp.n && room > 0) {
        size_t m = h[0];
        cand *cv = st->cands + m * (size_t)(st->k + 1);
        cand cur = cv[pos[m]];
        if (st->remain[cur.coach] > 0) {
            st->match[m] = cur.coach;
            if (--st->remain[cur.coach] == 0) open--;
            room--;
            h[0] = h[--hp.n];
            sheap_down(&hp, 0);
            if ((++done & 1023) == 0 && run_tick(st, done, n_free)) {
                rc = MATCH_ECANCELLED;
                break;
            }
            continue;
        }
        if (pos[m] + 1 < st->n_cand[m]) {
            pos[m]++;
        } else if (st->t_score[m] >= 0) {
            /* List exhausted but pairs were pruned: the next ones after the
             * cursor, among coaches that still have room. */
            if (open * 4 < n_open * 3) {
                if ((rc = stable_open_build(st, &n_open)) != MATCH_OK) break;
                open = n_open;
            }
            stable_rescan(st, m, cur.score, cur.coach, n_open);
            st->rescanned++;
            pos[m] = 0;
            if (!st->n_cand[m]) { h[0] = h[--hp.n]; }
        } else {
            h[0] = h[--hp.n];
        }
        sheap_down(&hp, 0);
    }
    free(pos);
    free(h);
    stats->certified = rc == MATCH_OK;
    return rc;
}

/* ---- unmatched reasons ------------------------------------------------------ */

typedef struct reason_ctx {
    struct match_run_state *st;
    uint8_t *reason; /* per mentee */
} reason_ctx;

typedef struct any_ctx {
    uint16_t best;
    const mt_query *q;
    int best_score;
} any_ctx;

static void any_block(void *ctx, const mt_query *q, size_t c0, const uint16_t *key, size_t n) {
    (void)c0;
    any_ctx *a = ctx;
    uint16_t mx = mt_key_max(key, n);
    if (mx > a->best) {
        a->best = mx;
        a->best_score = mt_key_score(q, mx);
    }
}

static int reason_one(par *p, int tid, size_t m) {
    reason_ctx *rc = p->ctx;
    struct match_run_state *st = rc->st;
    if (st->n_cand[m] || st->n_extra[m]) { /* it had a feasible coach with room: capacity */
        rc->reason[m] = MATCH_UNMATCHED_CAPACITY;
        return MATCH_OK;
    }
    /* Every coach of its program, full or not, whatever the score. */
    any_ctx a = { 0, NULL, -1 };
    scan_mentee(st, m, st->elig_any[st->m_prog[m]], any_block, &a);
    pairs_count(st, tid, st->nc);
    rc->reason[m] = a.best_score >= st->policy.min_score ? MATCH_UNMATCHED_CAPACITY
                    : a.best_score >= 0                  ? MATCH_UNMATCHED_BELOW_MIN_SCORE
                                                         : MATCH_UNMATCHED_NO_FEASIBLE_COACH;
    return MATCH_OK;
}

/* ---- result ----------------------------------------------------------------- */

static int pair_score(struct match_run_state *st, size_t m, int32_t c, match_explain *ex) {
    mt_query q;
    run_query(st, &q, &st->cs, m);
    uint32_t pid = mt_map_get(&st->space.programs, st->mentees[m].program);
    mt_explain(&q, &st->space, &st->cs, (size_t)c, &st->mentees[m], &st->policy,
               mt_coach_serves(&st->cs, (size_t)c, pid), is_forbidden(st, m, c), ex);
    return MATCH_OK;
}

/* Score and gap coverage G of pair (m, c): the explanation's figures
 * without its breakdown (the query's weights are reduced by their gcd,
 * which changes neither). */
static void pair_brief(const struct match_run_state *st, size_t m, int32_t c, int *score, double *cov) {
    mt_query q;
    run_query(st, &q, &st->cs, m);
    uint64_t gn = 0;
    for (int k = 0; k < q.n_gap; k++) {
        int lv = q.col[k][c], d = lv > q.cur[k] ? lv - q.cur[k] : 0;
        gn += (uint64_t)q.w[k] * (uint64_t)(d < q.gap[k] ? d : q.gap[k]);
    }
    int slots = __builtin_popcount(st->cs.avail[c] & q.avail);
    int l2 = (st->cs.prov[c] == q.prov) + (st->cs.region[c] == q.region);
    *score = mt_score_exact(gn, q.gd, l2, slots < 3 ? slots : 3, q.wg, q.wl, q.wa);
    *cov = q.gd ? (double)gn / (double)q.gd : 0.0;
}

/* The matched mentees' scores and coverages, per mentee, in parts
 * (pair_brief builds a query for each: 11-16 ms of a warm run at 100,000
 * mentees on one thread). */
typedef struct brief_job {
    const struct match_run_state *st;
    int *score;
    double *cov;
} brief_job;

static int brief_part(void *ctx, size_t m0, size_t m1, int part) {
    brief_job *j = ctx;
    (void)part;
    for (size_t m = m0; m < m1; m++)
        if (j->st->match[m] >= 0) pair_brief(j->st, m, j->st->match[m], &j->score[m], &j->cov[m]);
    return MATCH_OK;
}

static int build_result(struct match_run_state *st, match_run_result *r, const uint8_t *reason) {
    match_stats *s = &r->stats;
    size_t np = 0;
    for (size_t m = 0; m < st->nm; m++) np += st->match[m] >= 0;
    r->pairs = calloc(np + 1, sizeof(*r->pairs));
    r->unmatched = calloc(st->nm - np + 1, sizeof(*r->unmatched));
    brief_job bj = { st, malloc((st->nm + 1) * sizeof(int)), malloc((st->nm + 1) * sizeof(double)) };
    if (!r->pairs || !r->unmatched || !bj.score || !bj.cov) {
        free(bj.score);
        free(bj.cov);
        return MATCH_ENOMEM;
    }
    par_parts(st->threads, st->nm, brief_part, &bj);
    double cov = 0;
    for (size_t m = 0; m < st->nm; m++) {
        int32_t c = st->match[m];
        if (c < 0) {
            match_unmatched *u = &r->unmatched[r->n_unmatched++];
            u->mentee = st->m_orig[m];
            u->mentee_id = st->mentees[m].id;
            u->reason = (match_unmatched_reason)reason[m];
            s->unmatched[u->reason]++;
            continue;
        }
        int score = bj.score[m];
        double g = bj.cov[m];
        match_proposal *p = &r->pairs[r->n_pairs++];
        p->mentee = st->m_orig[m];
        p->coach = st->c_orig[c];
        p->mentee_id = st->mentees[m].id;
        p->coach_id = st->c_id[c];
        p->score = score;
        p->pinned = st->pinned[m];
        s->total_score += score;
        s->objective_score += score + st->bonus[m];
        cov += g;
    }
    free(bj.score);
    free(bj.cov);
    s->matched = (uint32_t)r->n_pairs;
    s->mean_score = r->n_pairs ? (double)s->total_score / (double)r->n_pairs : 0;
    s->mean_gap_coverage = r->n_pairs ? cov / (double)r->n_pairs : 0;
    return MATCH_OK;
}

/* ---- the run ----------------------------------------------------------------- */

static int run_state_new(const match_catalog *cat, const match_run_input *in, const run_checked *ck,
                         struct match_run_state **out, match_err *err) {
    struct match_run_state *st = calloc(1, sizeof(*st));
    if (!st) return MATCH_ENOMEM;
    *out = st;
    st->cat = cat;
    st->in = in;
    st->nm = in->n_mentees;
    st->nc = in->n_coaches;
    atomic_init(&st->stop, 0);
    st->threads = run_threads(in);
    st->kvec = !in->portable && mt_key_vec();
    st->k = in->candidates > 0 ? in->candidates : RUN_DEFAULT_K;
    mt_coaches_init(&st->cs);
    mt_coaches_init(&st->pcs);
    mt_coaches_init(&st->chs);
    if (mt_space_init(&st->space, cat) != MATCH_OK) return MATCH_ENOMEM;
    match_policy pol;
    int rc = mt_policy_resolve(cat, in->policy, &pol, err);
    if (rc != MATCH_OK) return rc;
    if (copy_policy(st, &pol) != MATCH_OK) return MATCH_ENOMEM;
    if ((rc = prepare_profiles(st, ck, err)) != MATCH_OK) return rc;
    if ((rc = prepare_codes(st, ck)) != MATCH_OK) return rc;
    st->remain = malloc(st->nc * sizeof(int32_t) + 1);
    st->cap0 = malloc(st->nc * sizeof(int32_t) + 1);
    st->match = malloc(st->nm * sizeof(int32_t) + 1);
    st->pinned = calloc(st->nm + 1, 1);
    st->cands = malloc(st->nm * (size_t)(st->k + 1) * sizeof(cand) + 1);
    st->n_cand = calloc(st->nm + 1, 1);
    st->t_score = malloc(st->nm * sizeof(int16_t) + 1);
    st->extra = calloc(st->nm + 1, sizeof(*st->extra));
    st->n_extra = calloc(st->nm + 1, sizeof(uint32_t));
    st->cap_extra = calloc(st->nm + 1, sizeof(uint32_t));
    if (!st->remain || !st->cap0 || !st->match || !st->pinned || !st->cands || !st->n_cand || !st->t_score ||
        !st->extra || !st->n_extra || !st->cap_extra)
        return MATCH_ENOMEM;
    /* gd of a fast query is < 2^16 / 6 */
    st->n_tabs = UINT16_MAX / 6 + 2;
    for (int t = 0; t < st->threads; t++)
        if (!(st->tabs[t] = calloc(st->n_tabs, sizeof(int32_t *)))) return MATCH_ENOMEM;
    for (size_t c = 0; c < st->nc; c++) st->remain[c] = st->cs.free[c];
    for (size_t m = 0; m < st->nm; m++) {
        st->match[m] = -1;
        st->t_score[m] = -1;
    }
    return MATCH_OK;
}

static int run_body(struct match_run_state *st, match_run_result *r, match_err *err) {
    match_stats *stats = &r->stats;
    int rc = prepare_pairs(st, stats);
    if (rc == MATCH_OK) rc = prepare_programs(st, err);
    if (rc != MATCH_OK) return rc;
    size_t *free_m = malloc(st->nm * sizeof(*free_m) + 1);
    uint8_t *reason = calloc(st->nm + 1, 1);
    if (!free_m || !reason) {
        free(free_m);
        free(reason);
        return MATCH_ENOMEM;
    }
    size_t n_free = 0;
    for (size_t m = 0; m < st->nm; m++)
        if (!st->pinned[m]) free_m[n_free++] = m;
    int optimal = st->policy.mode == MATCH_MODE_OPTIMAL;
    if (optimal && !st->in->no_classes) rc = classes_enter(st, stats);
    if (rc == MATCH_OK && run_warm(st) && !st->cls) rc = warm_fps(st);
    if (rc == MATCH_OK && optimal && !st->cls) rc = warm_map(st, free_m, n_free, stats);
    if (rc == MATCH_OK && optimal) rc = coach_side_init(st, n_free);
    if (rc == MATCH_OK && optimal && !st->warm && !st->cls && !st->in->no_estimate) rc = est_prices(st, free_m, n_free);
    if (rc == MATCH_OK) rc = par_run(st, "score", free_m, n_free, st->warm ? warm_score_one : score_one, NULL);
    if (rc == MATCH_OK)
        rc = st->policy.mode == MATCH_MODE_STABLE ? solve_stable(st, free_m, n_free, stats)
                                                  : solve_optimal(st, free_m, n_free, stats, err);
    if (rc == MATCH_OK && st->cls) rc = classes_leave(st, err);
    if (rc == MATCH_OK) {
        size_t n_un = 0;
        for (size_t i = 0; i < n_free; i++)
            if (st->match[free_m[i]] < 0) free_m[n_un++] = free_m[i];
        reason_ctx rctx = { st, reason };
        rc = par_run(st, "finish", free_m, n_un, reason_one, &rctx);
    }
    if (rc == MATCH_OK) rc = build_result(st, r, reason);
    free(free_m);
    free(reason);
    return rc;
}

int match_run(const match_catalog *cat, const match_run_input *in, match_run_result **out, match_err *err) {
    double t0 = now_ms();
    *out = NULL;
    if (!in) {
        mt_err(err, "", "no input");
        return MATCH_ERR;
    }
    /* "prepare" starts before validation, which is part of it. */
    if ((in->cancel && atomic_load(in->cancel)) || (in->progress && in->progress(in->progress_ud, "prepare", 0, 2))) {
        mt_err(err, "", "run cancelled");
        return MATCH_ECANCELLED;
    }
    run_checked ck = { 0 };
    int rc = validate(cat, in, &ck, err);
    match_run_result *r = rc == MATCH_OK ? calloc(1, sizeof(*r)) : NULL;
    struct match_run_state *st = NULL;
    if (rc == MATCH_OK && !r) rc = MATCH_ENOMEM;
    if (rc != MATCH_OK) {
        if (rc == MATCH_ENOMEM) mt_err(err, "", "out of memory");
        checked_free(&ck);
        return rc;
    }
    rc = run_state_new(cat, in, &ck, &st, err);
    checked_free(&ck);
    if (rc == MATCH_OK) {
        st->phase = "prepare";
        if (run_tick(st, 1, 2)) rc = MATCH_ECANCELLED;
    }
    if (rc == MATCH_OK) rc = run_body(st, r, err);
    if (rc != MATCH_OK) {
        if (rc == MATCH_ENOMEM && err && !err->msg[0]) mt_err(err, "", "out of memory");
        if (rc == MATCH_ECANCELLED) mt_err(err, "", "run cancelled");
        state_free(st);
        r->state = NULL;
        match_run_free(r);
        return rc;
    }
    r->stats.mentees = (uint32_t)st->nm;
    r->stats.coaches = (uint32_t)st->nc;
    r->stats.pairs_scored = pairs_total(st);
    r->stats.rescanned = st->rescanned;
    r->stats.bound_errors = st->bound_errors;
    r->stats.est_groups = st->est_groups;
    r->stats.est_pairs = st->est_pairs;
    memcpy(r->stats.rounds, st->rounds, sizeof(st->rounds));
    /* Release the working memory; keep what explanations need. */
    free(st->cands);
    st->cands = NULL;
    free(st->t_score);
    st->t_score = NULL;
    free(st->est_cands);
    st->est_cands = NULL;
    free(st->est_rb);
    st->est_rb = NULL;
    r->state = st;
    r->stats.elapsed_ms = now_ms() - t0;
    st->phase = "finish";
    st->in = in;
    run_tick(st, 1, 1);
    st->in = NULL;
    *out = r;
    return MATCH_OK;
}

int match_run_explain(const match_run_result *r, size_t i, match_explain *out) {
    if (!r || !r->state || i >= r->n_pairs) return MATCH_ERR;
    struct match_run_state *st = r->state;
    /* pairs are in sorted mentee order: find the sorted mentee index */
    long m = -1;
    {
        size_t lo = 0, hi = st->nm;
        const char *id = r->pairs[i].mentee_id;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            int c = strcmp(st->mentees[mid].id, id);
            if (c == 0) {
                m = (long)mid;
                break;
            }
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
    }
    long c = find_id(st->c_id, st->nc, r->pairs[i].coach_id);
    if (m < 0 || c < 0) return MATCH_ERR;
    return pair_score(st, (size_t)m, (int32_t)c, out);
}

typedef struct gain_ctx {
    int32_t *gain;
    const size_t *c_orig;
    int64_t bonus;
    int min_score;
} gain_ctx;

static void gain_block(void *ctx, const mt_query *q, size_t c0, const uint16_t *key, size_t n) {
    gain_ctx *g = ctx;
    uint16_t kmin = key_min(q, g->min_score);
    for (size_t j = 0; j < n; j++)
        if (key[j] > kmin) g->gain[g->c_orig[c0 + j]] = (int32_t)(mt_key_score(q, key[j]) + g->bonus);
}

int match_run_problem(const match_run_result *r, size_t mentee, int32_t *gain, int32_t *cap) {
    if (!r || !r->state) return MATCH_ERR;
    struct match_run_state *st = r->state;
    if (mentee >= st->nm) return MATCH_ERR;
    size_t m = st->m_pos[mentee];
    for (size_t c = 0; c < st->nc; c++) {
        gain[c] = -1;
        if (cap) cap[st->c_orig[c]] = st->cap0[c];
    }
    if (st->pinned[m]) return MATCH_OK;
    gain_ctx g = { gain, st->c_orig, st->bonus[m], st->policy.min_score };
    scan_mentee(st, m, st->elig_free[st->m_prog[m]], gain_block, &g);
    return MATCH_OK;
}

match_warm *match_run_take_warm(match_run_result *r) {
    if (!r || !r->state) return NULL;
    match_warm *w = r->state->warm_out;
    r->state->warm_out = NULL;
    return w;
}

void match_run_free(match_run_result *r) {
    if (!r) return;
    state_free(r->state);
    free(r->pairs);
    free(r->unmatched);
    free(r);
}
