/* internal.h — module-private declarations shared by the files of matcher/.
 *
 * Not installed, not included outside matcher/.  Names start with mt_.
 *
 * The engine works on compact integer profiles:
 *   - strings (competency codes, agencies, languages, programs, ids) are
 *     interned into small integers by an mt_map;
 *   - a set of coaches is held as structure-of-arrays (mt_coaches): one
 *     uint8 column of levels per competency, one array per attribute, so
 *     that scoring one mentee against a block of coaches is a handful of
 *     straight loops over small integer lanes that the compiler vectorises
 *     (kernel.c);
 *   - a mentee becomes an mt_query: its gaps and weights reduced to small
 *     integers, so that the kernel computes for each coach a 16-bit key
 *     monotone in the exact score, and only the pairs that pass a
 *     threshold are turned into exact scores.
 */
#ifndef COACHNET_MATCHER_INTERNAL_H
#define COACHNET_MATCHER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "matcher/matcher.h"

/* ---- String map (map.c): open addressing, owned keys, deletions ---------- */

typedef struct mt_map {
    char **keys; /* NULL = empty slot */
    uint32_t *vals;
    size_t cap; /* power of two */
    size_t len;
} mt_map;

#define MT_NONE UINT32_MAX

void mt_map_init(mt_map *m);
void mt_map_free(mt_map *m);
/* Value of key, or MT_NONE. */
uint32_t mt_map_get(const mt_map *m, const char *key);
/* Insert key -> val, or overwrite.  MATCH_OK / MATCH_ENOMEM. */
int mt_map_put(mt_map *m, const char *key, uint32_t val);
/* Remove key if present. */
void mt_map_del(mt_map *m, const char *key);
/* Intern: the value of key, or insert it with value m->len (so interned
 * ids are 0, 1, 2, ... in order of first appearance).  MT_NONE on ENOMEM. */
uint32_t mt_map_intern(mt_map *m, const char *key);

/* ---- Catalogue (catalog.c) ------------------------------------------------ */

typedef struct mt_vocab {
    char **codes;
    size_t n;
    mt_map index; /* code -> position in codes */
} mt_vocab;

struct match_catalog {
    mt_vocab vocab[MATCH_VOCAB__COUNT];
    uint8_t *class_rank;     /* per position class */
    uint8_t *class_required; /* per position class */
    uint8_t *prov_region;    /* per province: index into REGION vocab */
    uint32_t *prov_weight;   /* per province: PNS headcount, 0 unknown */
    uint8_t *comp_technical; /* per competency: 1 if kind technical */
};

/* ---- Validation helpers (profile.c) -------------------------------------- */

void mt_err(match_err *err, const char *field, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int mt_policy_resolve(const match_catalog *cat, const match_policy *in, match_policy *out, match_err *err);

/* ---- Compact coach set (coaches.c) ---------------------------------------- */

/* A space interns the strings that profiles share, so that the mentees and
 * coaches scored together use the same integers. */
typedef struct mt_space {
    const match_catalog *cat;
    mt_map comps;    /* competency code -> column (catalogue codes first) */
    mt_map agencies; /* agency / organisation -> id */
    mt_map langs;    /* language -> id; ids < MT_LANG_BITS are mask bits */
    mt_map programs; /* program -> id */
} mt_space;

int mt_space_init(mt_space *s, const match_catalog *cat);
void mt_space_free(mt_space *s);

/* Languages.  The first MT_LANG_BITS distinct languages interned in a space
 * each own one bit of a uint64 mask; every further ("overflow") language
 * sets the shared bit MT_LANG_OVERFLOW, and a profile keeps the ids of its
 * overflow languages in a short list.  So any number of distinct languages
 * is held, and the kernel's mask test (coach & mentee) != 0 stays exact
 * unless the only common bit is MT_LANG_OVERFLOW: then (and only then) the
 * two overflow lists decide.  mt_langs_common is that one rule; every
 * language feasibility decision goes through it (kernel.c). */
#define MT_LANG_BITS     63
#define MT_LANG_OVERFLOW ((uint64_t)1 << MT_LANG_BITS)

/* 1 if the two profiles share a language: masks a, b and overflow id lists
 * ax[0..na), bx[0..nb) (each at most MATCH_MAX_LANGUAGES ids). */
static inline int mt_langs_common(uint64_t a, const uint32_t *ax, size_t na, uint64_t b, const uint32_t *bx,
                                  size_t nb) {
    uint64_t x = a & b;
    if (x != MT_LANG_OVERFLOW) return x != 0;
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++)
            if (ax[i] == bx[j]) return 1;
    return 0;
}

typedef struct mt_coaches {
    size_t n, alloc;
    uint32_t *agency;
    uint8_t *rank;
    uint8_t *prov;
    uint8_t *region;
    uint8_t *modality;
    uint64_t *langs;
    uint32_t *langs32; /* low 32 bits of langs: the kernel's lanes when
                             the mentee's languages are all among them */
    uint8_t *n_xlangs; /* overflow languages of the coach (see above) */
    uint32_t *xlangs;  /* their ids, MATCH_MAX_LANGUAGES per coach */
    uint32_t *avail;   /* 0 replaced by MATCH_AVAIL_ALL */
    int32_t *capacity; /* profile capacity */
    int32_t *free;     /* free capacity: capacity - load, >= 0 */
    uint8_t *n_progs;  /* 0 = every program */
    uint32_t *prog0;   /* first program (MT_NONE if none): fast check */
    uint32_t *progs;   /* MATCH_MAX_PROGRAMS per coach */
    uint8_t **level;   /* level[comp][coach]; NULL column = all zero */
    size_t n_cols;     /* columns allocated in level[] */
    size_t touched;    /* slots >= touched are 0 in every column: never set */
    uint8_t *zeros;    /* alloc zero bytes: the column of an absent code */
} mt_coaches;

void mt_coaches_init(mt_coaches *cs);
void mt_coaches_free(mt_coaches *cs);
/* Room for n coaches at once (a run knows how many it sets): the arrays
 * are not grown by doubling, copied and faulted in again as slots are set.
 * MATCH_OK or MATCH_ENOMEM. */
int mt_coaches_reserve(mt_coaches *cs, size_t n);
/* Append (slot == cs->n) or overwrite slot with coach c, interning its
 * strings in s.  The profile must already be validated.  comp_ids: its
 * competencies' catalogue indexes as mt_coach_check found them (-1: a
 * T.<sector> code, interned here), or NULL (every code interned).  MATCH_OK
 * or MATCH_ENOMEM.  Any number of distinct languages is accepted. */
int mt_coaches_set(mt_coaches *cs, mt_space *s, size_t slot, const match_coach *c, const int32_t *comp_ids);
/* Move slot `from` onto slot `to` (for swap-removal); n is not changed. */
void mt_coaches_move(mt_coaches *cs, size_t to, size_t from);
/* dst = the n coaches perm[0..n) of src, in that order (n <= src->n).
 * dst is (re)allocated on first use and reused while it fits; initialise
 * it with mt_coaches_init.  Program lists are not copied (eligibility
 * arrays carry them).  MATCH_OK or MATCH_ENOMEM. */
int mt_coaches_permute(mt_coaches *dst, const mt_coaches *src, const int32_t *perm, size_t n);
/* 1 if coach i coaches in program id p (MT_NONE: a program no coach lists). */
int mt_coach_serves(const mt_coaches *cs, size_t i, uint32_t p);

/* ---- Query: one mentee, scored against coaches (kernel.c) ----------------- */

/* The kernel does not produce scores but a monotone 16-bit key per pair:
 * 0 when the pair fails a constraint the kernel checks, else key >= 1 with
 * score(pair) = mt_key_score(q, key), non-decreasing in key.  Selecting the
 * best pairs therefore compares keys in vector lanes and turns only the
 * few pairs that pass a threshold into exact scores. */
typedef struct mt_query {
    /* feasibility */
    uint32_t agency; /* MT_NONE: matches no coach */
    int check_agency;
    uint8_t min_rank; /* coach rank must be >= */
    uint8_t modality;
    uint64_t langs;   /* languages known to the space, as coach masks */
    uint8_t n_xlangs; /* overflow languages: ids, see MT_LANG_BITS */
    uint32_t xlangs[MATCH_MAX_LANGUAGES];
    uint32_t avail; /* 0 replaced by MATCH_AVAIL_ALL */
    uint8_t prov, region;
    uint32_t program;
    /* gaps: only competencies with gap > 0 and weight > 0 */
    int n_gap;
    const uint8_t *col[MATCH_MAX_COMPETENCIES];
    uint8_t cur[MATCH_MAX_COMPETENCIES];
    uint8_t gap[MATCH_MAX_COMPETENCIES];
    uint32_t w[MATCH_MAX_COMPETENCIES]; /* weights divided by their gcd */
    uint32_t gd;                        /* sum w * gap (reduced) */
    int unit_w;                         /* every reduced weight is 1 */
    /* factor weights (thousandths) */
    uint32_t wg, wl, wa;
    /* fast key: key = ka*gn + kb*l2 + kc*a3 + 1 = N + 1, score =
     * round(10000 N / kd); used when kd + 1 fits uint16 */
    int fast;
    int acc8; /* gd <= 255: accumulate gn in uint8 lanes */
    uint32_t ka, kb, kc, kd;
    double inv2d; /* 1 / (2 kd): mt_key_score's estimate */
} mt_query;

/* Build the query of mentee m (validated) over space s and coach set cs.
 * policy must be resolved (no NULL).  Unknown strings map to values that
 * match nothing.  Cannot fail. */
void mt_query_build(mt_query *q, const mt_space *s, const mt_coaches *cs, const match_mentee *m,
                    const match_policy *policy);

/* The part of a query that depends on the mentee and the policy only: its
 * strings as interned ids, and per competency (in profile order) its column
 * id in the space, its levels and its reduced weight, for its gaps only.  A query
 * costs some 10-20 hash lookups of strings; a run, which builds a mentee's
 * query in every pass (scoring, each pricing round, the reasons), codes each
 * mentee once (mt_mentee_code) and builds from the code (mt_query_coded),
 * which gives exactly mt_query_build's query and reads the profile m only
 * for languages beyond MT_LANG_BITS.  mt_mentee_code fills c->n_comp
 * (<= m->n_competencies) entries of cm.  Both cannot fail. */
typedef struct mt_mcode {
    uint64_t langs;           /* mask; the overflow ids are looked up again */
    uint32_t agency, program; /* MT_NONE: matches nothing */
    uint8_t prov, region, min_rank, n_xlangs;
    uint32_t avail;           /* 0 replaced by MATCH_AVAIL_ALL */
    uint8_t modality, n_comp; /* n_comp: the profile's gaps (mt_mcomp) */
    /* the query's gap and key fields (mt_query), which depend on the
     * mentee and the policy only */
    uint32_t gd, ka, kb, kc, kd;
    double inv2d;
    uint8_t unit_w, fast, acc8;
} mt_mcode;
/* Per gap, in profile order.  Its levels are copied here so that a
 * query is built from the code alone: the profile's competencies are
 * another cache line per mentee, and a pricing round builds the queries of
 * tens of thousands of mentees to score a handful of coaches each. */
typedef struct mt_mcomp {
    uint32_t id;      /* column in the space, MT_NONE: no coach has it */
    uint32_t w;       /* weight divided by the gaps' gcd, > 0 */
    uint8_t cur, gap; /* current level, required - current > 0 */
} mt_mcomp;
/* What checking a mentee learnt (mt_mentee_check) that coding it needs
 * again: the catalogue's index of its province, its position class's rank
 * and, per competency, the catalogue's index (-1: a T.<sector> code), which
 * is also its column in any space (mt_space_init gives the catalogue's
 * competencies the first columns, in catalogue order).  A run codes 10^6
 * mentees after checking them: this spares some 12 hash lookups each. */
typedef struct mt_mcheck {
    int32_t prov, rank;
    const int32_t *comp; /* m->n_competencies entries */
} mt_mcheck;
/* match_mentee_check that also fills *ck (ck->comp = comp_ids, which
 * gets m->n_competencies entries, written only once that count is checked
 * to be at most MATCH_MAX_COMPETENCIES). */
int mt_mentee_check(const match_catalog *cat, const match_mentee *m, mt_mcheck *ck, int32_t *comp_ids, match_err *err);
/* match_coach_check that also gives its competencies' catalogue indexes
 * (-1: a T.<sector> code) in comp_ids, c->n_competencies entries written
 * only once that count is checked (see mt_mcheck: a run sets 10^5 coaches
 * and spares their codes' lookups). */
int mt_coach_check(const match_catalog *cat, const match_coach *c, int32_t *comp_ids, match_err *err);
/* ck: what checking m against s's catalogue found, or NULL (looked up). */
void mt_mentee_code(mt_mcode *c, mt_mcomp *cm, const mt_space *s, const match_mentee *m, const match_policy *policy,
                    const mt_mcheck *ck);
void mt_query_coded(mt_query *q, const mt_space *s, const mt_coaches *cs, const match_mentee *m, const mt_mcode *c,
                    const mt_mcomp *cm, const match_policy *policy);

/* Exact score of one pair from its factors (reduced gap numbers). */
int mt_score_exact(uint64_t gn, uint64_t gd, int l2, int a3, uint32_t wg, uint32_t wl, uint32_t wa);

/* Keys of coaches [c0, c1) into key[0 .. c1-c0): 0 when the pair fails
 * program/capacity (elig[c] == 0, elig indexed from coach 0), agency, rank,
 * modality, language or availability.  Forbidden pairs and min_score are
 * the caller's. */
#define MT_BLOCK 1024
/* mt_key_block computes whole vectors of MT_ROW_ALIGN coaches, from c0
 * rounded down to c1 rounded up, and keeps [c0, c1): a range's odd ends
 * (a mentee's scan starts at its own coach) took scalar loops that cost
 * more than the vectors (bench/matcher/README.md, "Top lists in
 * registers, and whole vectors").  So every per-coach array it reads has
 * MT_ROWS(n) rows for n coaches: the coach set's (mt_coaches_reserve and
 * mt_coaches_permute see to it) and the eligibility array (mt_elig_alloc). */
#define MT_ROW_ALIGN 64
#define MT_ROWS(n)   (((size_t)(n) + MT_ROW_ALIGN - 1) & ~(size_t)(MT_ROW_ALIGN - 1))
void mt_key_block(const mt_query *q, const mt_coaches *cs, const uint8_t *elig, size_t c0, size_t c1, uint16_t *key);
/* An eligibility array for n coaches: MT_ROWS(n) bytes (at least one), all
 * 0; NULL when out of memory. */
uint8_t *mt_elig_alloc(size_t n);
/* The score of a key >= 1. */
int mt_key_score(const mt_query *q, uint16_t key);
/* The largest key whose score is <= s (0 when s < 0): a pair scores more
 * than s exactly when its key exceeds this. */
uint16_t mt_key_floor(const mt_query *q, int s);
/* Pricing filter over a block: s = mark[j] ? -1 : tab[key[j]];
 * flag[j] = s >= 0 && s > pi[j] + o (in int64: no clamping, so no
 * violation can be filtered out).  Returns max(best, every s), and raises
 * *rbest to the largest s - pi[j] over the s >= 0 (the block's reduced
 * bound). */
int32_t mt_price_block(const uint16_t *key, const uint8_t *mark, const int64_t *pi, int64_t o, const int32_t *tab,
                       size_t n, uint8_t *flag, int32_t best, int64_t *rbest);
/* Coach-side filter: s = tab[key[j]]; flag[j] = s >= 0 && s + bonus >
 * thr[j] (gains are small: 32-bit lanes). */
void mt_gain_block(const uint16_t *key, const int32_t *thr, int32_t bonus, const int32_t *tab, size_t n, uint8_t *flag);
/* Estimated prices (run.c: est_block): s = tab[key[j]]; flag[j] = s >= 0
 * && s - est[j] > thr (est is clamped to +-MT_EST_CLAMP, so no lane
 * overflows). */
void mt_est_block(const uint16_t *key, const int32_t *est, int32_t thr, const int32_t *tab, size_t n, uint8_t *flag);
/* mt_gain_block and mt_est_block in one pass (one lookup of s per pair):
 * gflag as mt_gain_block's flag, eflag as mt_est_block's. */
void mt_gain_est_block(const uint16_t *key, const int32_t *thr, int32_t bonus, const int32_t *tab, const int32_t *est,
                       int32_t est_thr, size_t n, uint8_t *gflag, uint8_t *eflag);
/* Warm stand-ins: red[j] = max(red[j], min(s, cap) - rb) over the j with
 * s = tab[key[j]] >= 0 (run.c: warm_score_one).  Returns the smallest
 * red[j] after the update (WARM_NO_PRICE_LOW when n is 0 or some red[j]
 * stayed at it). */
int64_t mt_red_block(int64_t *red, const uint16_t *key, const int32_t *tab, size_t n, int64_t rb, int32_t cap);
/* flag[j] = key[j] > kt. */
void mt_key_above(const uint16_t *key, size_t n, uint16_t kt, uint8_t *flag);
/* Maximum of key[0..n). */
uint16_t mt_key_max(const uint16_t *key, size_t n);

/* A top list's key of (gain, m): more gain first, then the smaller m;
 * and back. */
static inline int64_t mt_top_key(int32_t gain, int32_t m) {
    return (int64_t)((uint64_t)(int64_t)gain << 32 | (uint32_t)(UINT32_MAX - (uint32_t)m));
}
static inline int32_t mt_top_gain(int64_t x) { return (int32_t)(x >> 32); }
static inline int32_t mt_top_m(int64_t x) { return (int32_t)(UINT32_MAX - (uint32_t)x); }
/* The offers among n coaches whose flag is set (mt_gain_block's, or
 * mt_gain_est_block's gflag), appended as mt_gain_offers does; returns how
 * many.  Flags are rare: memchr (vectorised) finds them. */
size_t mt_flag_offers(const uint8_t *flag, const uint16_t *key, int32_t bonus, const int32_t *tab, size_t n, int32_t c0,
                      int32_t m, int32_t *oc, int64_t *okey);
/* Coach-side offers of a block (mentee m, bonus >= 0): in order of j,
 * every j with s = tab[key[j]] >= 0 and s + bonus > thr[j] (mt_gain_block's
 * flag) appends c0 + j to oc and mt_top_key(s + bonus, m) to okey; returns
 * how many.  Both arrays need room for n: the vector path stores whole
 * vectors of 16, but before coach j at most j offers are stored, so the
 * one of coaches j..j+15 ends before j + 16 <= n.  vec is mt_gain_vec()
 * or 0: the same result. */
size_t mt_gain_offers(const uint16_t *key, const int32_t *thr, int32_t bonus, const int32_t *tab, size_t n, int32_t c0,
                      int32_t m, int32_t *oc, int64_t *okey, int vec);
/* Whether this CPU has mt_gain_offers' vector path. */
int mt_gain_vec(void);

/* The first j in [i, n) with key[j] > kt, else n.  Only when mt_key_vec()
 * (AVX-512 BW): the callers without it keep mt_key_max, mt_key_above and
 * memchr, which a scalar search would be slower than. */
size_t mt_key_next(const uint16_t *key, size_t i, size_t n, uint16_t kt);
int mt_key_vec(void);

/* Top lists (run.c's coach-side lists): a[0..kd) holds the list's n
 * largest keys in descending order, then INT64_MIN in every empty slot.
 * mt_top_merge puts keys x[0..nx) in (distinct from each other and from
 * the list's, each > INT64_MIN), keeps the kd largest, and returns the
 * new count, min(n + nx, kd).  vec is mt_top_vec(kd) or 0: the same
 * result either way (a test compares them). */
size_t mt_top_merge(int64_t *a, size_t n, int kd, const int64_t *x, size_t nx, int vec);
/* Whether this CPU has mt_top_merge's vector path for lists of kd. */
int mt_top_vec(int kd);

/* Reason and breakdown of one pair, scalar (explanations, tests). */
void mt_explain(const mt_query *q, const mt_space *s, const mt_coaches *cs, size_t c, const match_mentee *m,
                const match_policy *policy, int elig_program, int forbidden, match_explain *out);

/* ---- Price estimates (estimate.c) ---------------------------------------- */

/* A cold optimal run of at least MT_EST_MIN_MENTEES free mentees splits
 * into nc / MT_EST_GROUP_COACHES sub-markets (at most MT_EST_MAX_GROUPS;
 * none below MT_EST_MIN_GROUPS: the probe alone, 1/G^2 of the pairs,
 * would cost an easy market too much) to estimate its coaches' prices,
 * unless the first of them certifies in under 1 + MT_EST_HARD_PCT / 100
 * passes over its pairs (estimate.c's comment). */
#define MT_EST_MIN_MENTEES   8192
#define MT_EST_GROUP_COACHES 125
#define MT_EST_MIN_GROUPS    8
#define MT_EST_MAX_GROUPS    32
#define MT_EST_HARD_PCT      7
#define MT_EST_CLAMP         (1 << 28) /* |estimate| < it; MT_EST_CLAMP: none */

typedef struct mt_est {
    int32_t *price; /* per listed coach, centred on its sub-market's
                       median; MT_EST_CLAMP: its sub-market gave none.
                       NULL unless groups >= 2 */
    uint64_t pairs; /* pair scorings of the sub-markets solved */
    int groups;     /* sub-markets solved: 0 (too small to split), 1 (the
                       first alone: an easy market, no estimate) or all of
                       them (the estimate) */
} mt_est;

/* The estimate's progress: done of total sub-markets solved (total is 1
 * while the probe runs alone, the number of sub-markets once they all
 * run).  Called only on mt_estimate's calling thread, from time to time
 * while a sub-market of that thread runs and once at the end; non-zero
 * cancels the estimate, the sub-markets running on other threads
 * included. */
typedef int (*mt_est_tick)(void *ud, uint64_t done, uint64_t total);

/* Estimate the prices of coaches c_in[0..nc) (input indices, free
 * capacities cap) for mentees m_in[0..nm) (input indices, id order) of
 * input in, on up to `threads` threads, reporting to tick (tick_ud) when
 * it splits the market.  MATCH_OK with out->price NULL when there is no
 * estimate (out->groups < 2); MATCH_ENOMEM, MATCH_ECANCELLED (in's cancel
 * flag or tick) as match_run.  out->price is the caller's to free. */
int mt_estimate(const match_catalog *cat, const match_run_input *in, const size_t *m_in, size_t nm, const size_t *c_in,
                const int32_t *cap, size_t nc, int threads, mt_est_tick tick, void *tick_ud, mt_est *out);
/* run.c: the prices (score units) of result r's last pricing round, by
 * input coach index (by_input: r's n_coaches); MATCH_ERR when r priced
 * nothing (then by_input is untouched). */
int mt_run_prices(const match_run_result *r, int64_t *by_input);

/* ---- Warm start state (warm.c) ------------------------------------------- */

/* Mentees and coaches sorted by id (byte order), as a run sorts them; edges
 * in CSR form by mentee, coaches by their index in c_id. */
struct match_warm {
    const match_catalog *cat; /* the catalogue the scores came from */
    uint64_t key;             /* mt_fp_policy of the run */
    int64_t mult, big;        /* the run's weights: v = mult*price + big */
    size_t nm, nc;
    char **m_id, *m_pool;
    uint64_t *m_fp;
    uint8_t *m_scored; /* 1: scored (free, not pinned) in that run */
    int16_t *t_score;  /* bound on every pair outside its edges, -1 none */
    int32_t *m_match;  /* coach index or -1 */
    size_t *e_off;     /* nm + 1 */
    int32_t *e_coach;
    int16_t *e_score;
    char **c_id, *c_pool;
    uint64_t *c_fp;
    uint8_t *c_scored; /* 1: had room, so its pairs were scored */
    int64_t *v;        /* final column dual */
    int has_rb;        /* the run priced: rb and pi below hold */
    int64_t *rb;       /* per mentee: reduced bound against pi (see run.c's
                            pricing), WARM_NO_RB: none */
    int64_t *pi;       /* per coach: final price, score units */
    uint32_t *m_in;    /* per mentee: its index in that run's input; with */
    uint32_t *c_in;    /* c_in, a guess at the next run's sort (run.c) */
    size_t bytes;
};
#define WARM_NO_RB        INT64_MIN
#define WARM_NO_PRICE     (INT64_MAX / 4)
#define WARM_NO_PRICE_LOW (INT64_MIN / 4)

/* A mentee's fingerprint: its profile, with ck (what checking it found)
 * standing in for the catalogue codes; mt_fp_forbidden mixes in its
 * forbidden coaches, if any.  A coach's: comp_ids as mt_coach_check gave
 * them. */
uint64_t mt_fp_mentee(const match_mentee *m, const mt_mcheck *ck);
uint64_t mt_fp_forbidden(uint64_t h, const char *const *forbidden, size_t n_forbidden);
uint64_t mt_fp_coach(const match_coach *c, const int32_t *comp_ids);
uint64_t mt_fp_policy(const match_policy *p);
/* A state with its arrays allocated (e_off zeroed, the rest to fill);
 * NULL on ENOMEM. */
match_warm *mt_warm_new(const match_catalog *cat, uint64_t key, size_t nm, char *const *m_ids, size_t nc,
                        char *const *c_ids, size_t n_edges);

#endif
