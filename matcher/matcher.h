/* matcher.h — the public interface of libmatcher (coachnet's matching engine).
 *
 * libmatcher scores mentee-coach pairs from the mentee's competency gaps
 * (design.md §5), suggests coaches for one mentee, and computes match runs: the
 * exact optimum of the whole capacitated assignment problem, certified by LP
 * duality, or the stable matching.  It is pure C: no I/O except loading the
 * catalogues of data/ once, no global state, no sockets.
 *
 * Objects and threads
 *   match_catalog   the catalogues of data/ (competencies, position classes,
 *                   provinces).  Immutable once loaded: share it freely
 *                   between threads.
 *   match_index     the in-memory coach index behind match.suggest and
 *                   match.explain.  The server keeps it in sync with upsert /
 *                   remove.  Not locked: one writer at a time, and no reader
 *                   while a writer runs (read-only calls may run together).
 *   match_run_*     a batch run.  Self-contained: it copies what it needs from
 *                   its input (but the mentees' profiles when the caller
 *                   lends them: match_run_input.borrow) and touches
 *                   neither the index nor any global,
 *                   so the server can run it on a worker thread while the
 *                   event loop keeps using the index.
 *
 * Profiles are plain structs of C strings and small integers (design.md §4); the
 * engine interns them into compact arrays itself.  Every function returning
 * int returns MATCH_OK or a negative MATCH_E* code and, when given a
 * match_err, fills it with the field at fault and a message.
 *
 * Numbers: scores are integers 0..MATCH_SCORE_MAX and computed in exact
 * integer arithmetic (docs/matching.md gives the formula and the rounding).
 * Policy weights are integers in thousandths (0.75 -> 750), so the same input
 * gives the same scores on every machine.
 */
#ifndef COACHNET_MATCHER_MATCHER_H
#define COACHNET_MATCHER_MATCHER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Return codes ------------------------------------------------------ */

#define MATCH_OK         0
#define MATCH_ERR        -1 /* invalid input: see match_err */
#define MATCH_ENOMEM     -2 /* allocation failed */
#define MATCH_ENOTFOUND  -3 /* no such id (index lookups) */
#define MATCH_ECANCELLED -4 /* the run was cancelled */
#define MATCH_EIO        -5 /* a catalogue file could not be read */

/* ---- Limits (one place; the protocol layer enforces the same ones) ------ */

#define MATCH_ID_MAX           64 /* bytes of an id (NIP: 18 digits) */
#define MATCH_CODE_MAX         48 /* bytes of a competency/class/agency code */
#define MATCH_LANG_MAX         16 /* bytes of a language code ("id", "jv") */
#define MATCH_MAX_COMPETENCIES 32 /* competencies in one profile */
#define MATCH_MAX_LANGUAGES    16 /* languages in one profile */
#define MATCH_MAX_PROGRAMS     32 /* programs of one coach */
/* Distinct languages across an index or a run: no limit (each coach and
 * mentee lists at most MATCH_MAX_LANGUAGES). */
#define MATCH_LEVEL_MAX          5 /* competency levels 0..5 */
#define MATCH_RANK_MIN           1
#define MATCH_RANK_MAX           6
#define MATCH_CAPACITY_MAX       50 /* concurrent mentees of one coach */
#define MATCH_AVAIL_BITS         21 /* 7 days x morning/afternoon/evening */
#define MATCH_AVAIL_ALL          ((uint32_t)0x1FFFFF)
#define MATCH_SCORE_MAX          10000
#define MATCH_WEIGHT_MAX         10000  /* policy weights, thousandths: 0..10.0 */
#define MATCH_WEIGHT_ONE         1000   /* a weight of 1.0 */
#define MATCH_COMP_WEIGHT_MAX    100000 /* competency weights, thousandths: 0..100.0 */
#define MATCH_MIN_RANK_GAP_MAX   5      /* |min_rank_gap| */
#define MATCH_WAITLIST_BONUS_MAX 10000
#define MATCH_WAITLIST_MAX       100 /* earlier unmatched runs counted (more: clamped) */
#define MATCH_MAX_POLICY_WEIGHTS 64  /* competency weights in a policy */
#define MATCH_MAX_THREADS        16
#define MATCH_SUGGEST_MAX        100 /* limit of one suggest call */

/* Availability mask: bit (day * 3 + part), day 0 = Monday .. 6 = Sunday,
 * part 0 morning, 1 afternoon, 2 evening.  0 means "any time". */

/* Modality bits. */
#define MATCH_MOD_ONLINE  1u
#define MATCH_MOD_OFFLINE 2u
#define MATCH_MOD_ALL     3u

typedef struct match_err {
    char field[64]; /* the field at fault ("competencies[2].code"), or "" */
    char msg[256];  /* a sentence naming what is wrong */
} match_err;

/* ---- Catalogues -------------------------------------------------------- */

typedef struct match_catalog match_catalog;

/* Load data_dir/competencies.tsv, data_dir/position_classes.tsv and
 * data_dir/provinces.tsv (tab separated, '#' comments, formats documented
 * at the top of each file).  On error *out is NULL and err->msg names the
 * file and line ("data/provinces.tsv:7: rank must be 1..6").  Returns
 * MATCH_OK, MATCH_EIO (missing/unreadable file), MATCH_ERR (bad line) or
 * MATCH_ENOMEM. */
int match_catalog_load(const char *data_dir, match_catalog **out, match_err *err);
void match_catalog_free(match_catalog *cat);

/* Vocabularies for validation and listing. */
typedef enum match_vocab {
    MATCH_VOCAB_COMPETENCY,     /* catalogue codes (T.<sector> listed too) */
    MATCH_VOCAB_POSITION_CLASS, /* pelaksana, ... */
    MATCH_VOCAB_PROVINCE,       /* "11" .. "96" */
    MATCH_VOCAB_REGION,         /* island regions: sumatera, jawa, ... */
    MATCH_VOCAB_COACH_KIND,     /* pkn1_alumni, ... (design.md §4) */
    MATCH_VOCAB_MODALITY,       /* online, offline */
    MATCH_VOCAB__COUNT
} match_vocab;

size_t match_catalog_count(const match_catalog *cat, match_vocab v);
/* The i-th code (catalogue order), or NULL when i is out of range. */
const char *match_catalog_code(const match_catalog *cat, match_vocab v, size_t i);
/* Index of code in v, or -1.  For MATCH_VOCAB_COMPETENCY this finds only
 * catalogue codes; use match_competency_valid() to accept any T.<sector>. */
int match_catalog_find(const match_catalog *cat, match_vocab v, const char *code);
/* 1 when code is a catalogue competency or a well-formed technical code
 * "T.<sector>" (sector: 1..MATCH_CODE_MAX-2 of [a-z0-9_-]), else 0. */
int match_competency_valid(const match_catalog *cat, const char *code);
/* Rank (1..6) / required managerial level (1..5) of a position class, or
 * -1 when unknown. */
int match_position_rank(const match_catalog *cat, const char *position_class);
int match_position_required(const match_catalog *cat, const char *position_class);
/* Island region of a province code, or NULL when unknown. */
const char *match_province_region(const match_catalog *cat, const char *province);

/* PNS headcount of a province as given in provinces.tsv (0: not given or
 * unknown province).  Used to draw realistic synthetic instances. */
uint32_t match_province_headcount(const match_catalog *cat, const char *province);

/* "online" -> MATCH_MOD_ONLINE, "offline" -> MATCH_MOD_OFFLINE, else 0. */
unsigned match_modality_bit(const char *name);

/* ---- Profiles (design.md §4) ---------------------------------------------- */

typedef struct match_need { /* a mentee's competency */
    const char *code;       /* catalogue code or T.<sector> */
    int current;            /* 0..5 */
    int required;           /* 1..5 */
} match_need;

typedef struct match_skill { /* a coach's competency */
    const char *code;
    int level; /* 1..5 */
} match_skill;

typedef struct match_mentee {
    const char *id;
    const char *agency;         /* instansi code */
    const char *position_class; /* its rank is the mentee's rank */
    const char *province;
    const char *program;
    const match_need *competencies;
    size_t n_competencies;
    unsigned modality; /* MATCH_MOD_* bits, at least one */
    const char *const *languages;
    size_t n_languages;    /* at least one */
    uint32_t availability; /* 21-bit mask, 0 = any */
} match_mentee;

typedef struct match_coach {
    const char *id;
    const char *kind;         /* MATCH_VOCAB_COACH_KIND */
    const char *organization; /* compared with the mentee's agency */
    int rank;                 /* 1..6 */
    const char *province;
    const match_skill *competencies;
    size_t n_competencies;
    int capacity; /* 0..50 concurrent mentees */
    int load;     /* mentees already taken (approved, requested,
                                   active); free capacity = capacity - load */
    const char *const *programs;
    size_t n_programs; /* 0: coaches in every program */
    unsigned modality;
    const char *const *languages;
    size_t n_languages;
    uint32_t availability;
} match_coach;

/* Validate a profile against the catalogue and the limits above (codes,
 * ranges, lengths, duplicates).  MATCH_ERR names the field. */
int match_mentee_check(const match_catalog *cat, const match_mentee *m, match_err *err);
int match_coach_check(const match_catalog *cat, const match_coach *c, match_err *err);

/* ---- Policy ------------------------------------------------------------ */

typedef enum match_objective {
    MATCH_OBJ_PARTICIPATION, /* most matched mentees, then total score */
    MATCH_OBJ_QUALITY        /* highest total score */
} match_objective;

typedef enum match_mode {
    MATCH_MODE_OPTIMAL, /* exact, certified optimum of the objective */
    MATCH_MODE_STABLE   /* greedy by descending score = stable matching */
} match_mode;

typedef struct match_comp_weight {
    const char *code;
    uint32_t weight; /* thousandths, 0..MATCH_WEIGHT_MAX */
} match_comp_weight;

typedef struct match_policy {
    match_objective objective;
    match_mode mode;
    int min_score;          /* 0..10000 */
    int forbid_same_agency; /* 0/1 */
    int min_rank_gap;       /* -5..5: coach rank >= mentee rank + gap
                                 (negative: coaches up to -gap ranks below) */
    int waitlist_bonus;     /* 0..10000 per earlier unmatched run */
    uint32_t w_gap;         /* factor weights, thousandths; normalised */
    uint32_t w_location;    /*   by their sum, which must be > 0 */
    uint32_t w_availability;
    const match_comp_weight *comp_weights; /* others weigh MATCH_WEIGHT_ONE */
    size_t n_comp_weights;
} match_policy;

/* DESIGN defaults: participation, optimal, min_score 0, forbid_same_agency
 * on, min_rank_gap 1, waitlist_bonus 500, weights 750/150/100, every
 * competency weight 1000. */
void match_policy_default(match_policy *p);
int match_policy_check(const match_catalog *cat, const match_policy *p, match_err *err);
/* "participation"/"quality", "optimal"/"stable"; MATCH_OK or MATCH_ERR. */
int match_objective_parse(const char *name, match_objective *out);
int match_mode_parse(const char *name, match_mode *out);
const char *match_objective_name(match_objective o);
const char *match_mode_name(match_mode m);

/* ---- Reasons and explanations ------------------------------------------ */

/* Why a pair is infeasible, in design.md §5's order of precedence (the first
 * failing constraint is reported).  MATCH_REASON_PROGRAM is coachnet's
 * addition: the coach does not coach in the mentee's program (coach
 * `programs` non-empty and without it); it comes first. */
typedef enum match_reason {
    MATCH_REASON_NONE = 0,
    MATCH_REASON_PROGRAM,
    MATCH_REASON_CAPACITY,
    MATCH_REASON_SAME_AGENCY,
    MATCH_REASON_RANK,
    MATCH_REASON_MODALITY,
    MATCH_REASON_LANGUAGE,
    MATCH_REASON_AVAILABILITY,
    MATCH_REASON_FORBIDDEN,
    MATCH_REASON_MIN_SCORE,
    MATCH_REASON__COUNT
} match_reason;

/* "program", "capacity", "same_agency", ... ; NULL for NONE. */
const char *match_reason_name(match_reason r);

/* Why a mentee of a run stays unmatched:
 *   CAPACITY          some coach passes every constraint but had no free
 *                     capacity left for this mentee;
 *   BELOW_MIN_SCORE   otherwise, some coach passes every constraint except
 *                     capacity and min_score;
 *   NO_FEASIBLE_COACH otherwise. */
typedef enum match_unmatched_reason {
    MATCH_UNMATCHED_NO_FEASIBLE_COACH,
    MATCH_UNMATCHED_CAPACITY,
    MATCH_UNMATCHED_BELOW_MIN_SCORE,
    MATCH_UNMATCHED__COUNT
} match_unmatched_reason;

/* "no_feasible_coach", "capacity", "below_min_score". */
const char *match_unmatched_name(match_unmatched_reason r);

typedef struct match_explain_comp {
    char code[MATCH_CODE_MAX + 1];
    uint8_t gap;         /* max(0, required - current) */
    uint8_t coach_level; /* 0 if the coach lacks it */
    uint8_t covered;     /* min(gap, max(0, coach_level - current)) */
    uint32_t weight;     /* thousandths */
} match_explain_comp;

typedef struct match_explain {
    int score;             /* 0..10000, computed even when infeasible */
    int feasible;          /* 1 or 0 */
    match_reason reason;   /* first failing constraint, NONE if feasible */
    double gap_coverage;   /* G = gap_num / gap_den, 0 when gap_den = 0 */
    int64_t gap_num;       /* sum w_i * covered_i */
    int64_t gap_den;       /* sum w_i * gap_i */
    double location;       /* 1, 0.5 or 0 */
    double availability;   /* min(1, common_slots / 3) */
    int common_slots;      /* 0..21 */
    size_t n_competencies; /* the mentee's competencies, in its order */
    match_explain_comp competencies[MATCH_MAX_COMPETENCIES];
} match_explain;

/* Score and explain one pair on its own (validates both profiles and the
 * policy; policy NULL = defaults; forbidden: the pair is forbidden).
 * Capacity means the coach's free capacity (capacity - load) is 0. */
int match_explain_pair(const match_catalog *cat, const match_mentee *m, const match_coach *c,
                       const match_policy *policy, int forbidden, match_explain *out, match_err *err);

/* ---- Coach index: suggest and explain ----------------------------------- */

typedef struct match_index match_index;

match_index *match_index_new(const match_catalog *cat); /* NULL: ENOMEM */
void match_index_free(match_index *idx);
/* Insert or replace the coach with c->id (the profile is validated and
 * copied).  MATCH_ERR names the field. */
int match_index_upsert(match_index *idx, const match_coach *c, match_err *err);
/* MATCH_OK or MATCH_ENOTFOUND. */
int match_index_remove(match_index *idx, const char *coach_id);
/* Mark and sweep, for a full reload from a store that may have lost
 * coaches (a failover, a flush): match_index_unmark clears every coach's
 * mark; match_index_upsert and match_index_mark (MATCH_OK or
 * MATCH_ENOTFOUND) set one; match_index_sweep removes the coaches left
 * unmarked and returns how many. */
void match_index_unmark(match_index *idx);
int match_index_mark(match_index *idx, const char *coach_id);
size_t match_index_sweep(match_index *idx);
/* Update the load (taken capacity) of a coach without a full upsert.
 * MATCH_OK, MATCH_ENOTFOUND, or MATCH_ERR when load < 0. */
int match_index_set_load(match_index *idx, const char *coach_id, int load);
size_t match_index_size(const match_index *idx);

typedef struct match_query {
    const match_mentee *mentee;
    const match_policy *policy;   /* NULL = defaults */
    const char *const *forbidden; /* coach ids forbidden for this */
    size_t n_forbidden;           /*   mentee (match.forbid) */
} match_query;

typedef struct match_suggestion {
    char coach_id[MATCH_ID_MAX + 1];
    int score;
} match_suggestion;

/* The top `limit` (1..MATCH_SUGGEST_MAX) feasible coaches with free capacity
 * for the query's mentee, by score descending then coach id ascending (byte
 * order).  out has room for limit entries; *n_out receives the count. */
int match_suggest(const match_index *idx, const match_query *q, size_t limit, match_suggestion *out, size_t *n_out,
                  match_err *err);
/* Explain the pair (query mentee, indexed coach).  MATCH_ENOTFOUND when the
 * coach is not indexed. */
int match_explain_coach(const match_index *idx, const match_query *q, const char *coach_id, match_explain *out,
                        match_err *err);

/* ---- Batch runs ---------------------------------------------------------- */

typedef struct match_pair_ref {
    const char *mentee_id;
    const char *coach_id;
} match_pair_ref;

/* Progress: phase is one of "prepare", "estimate" (only in a large cold
 * optimal run: done of total sub-markets solved, total 1 while the first
 * one runs alone), "score", "solve", "price", "stable", "finish"; done <=
 * total within a phase.  Called on the calling thread only.  A non-zero
 * return cancels. */
typedef int (*match_progress_fn)(void *ud, const char *phase, uint64_t done, uint64_t total);

/* A warm state: what an optimal-mode run leaves for the next run of the
 * same program (its candidate graph with scores, bounds and duals, keyed by
 * profile fingerprints).  Given to the next run as input->warm, it lets the
 * run rescore only the pairs of mentees and coaches that changed and start
 * the solver where the last one ended; the result is the same certified
 * optimum as a cold run (among optima of equal weight it tends to keep the
 * earlier pairs).  A state whose catalogue or scoring policy differs is
 * not used (stats.warm 0), nor one where too much changed for it to pay.
 * Owned by the caller; a run only reads it, so a state may serve several
 * runs, one at a time or concurrently. */
typedef struct match_warm match_warm;

typedef struct match_run_input {
    const match_mentee *mentees;
    size_t n_mentees;
    const uint32_t *waitlist;   /* n_mentees counts, or NULL (all 0) */
    const match_coach *coaches; /* free capacity = capacity - load */
    size_t n_coaches;
    const match_pair_ref *pinned; /* placed first, in (mentee id, coach id)
                                       order, while the coach has free
                                       capacity and the pair is not
                                       forbidden; other constraints are not
                                       checked (a coordinator's decision) */
    size_t n_pinned;
    const match_pair_ref *forbidden;
    size_t n_forbidden;
    const match_policy *policy; /* NULL = defaults */
    match_progress_fn progress; /* may be NULL */
    void *progress_ud;
    const atomic_int *cancel; /* may be NULL; non-zero cancels */
    int threads;              /* 0: online CPUs (max MATCH_MAX_THREADS) */
    int candidates;           /* K, candidate coaches kept per mentee
                                       before pricing, 0..200; 0: default
                                       (12).  A tuning knob: the result
                                       does not depend on it */
    const match_warm *warm;   /* may be NULL: start cold */
    int keep_warm;            /* 1: the result keeps a warm state for
                                       the next run (match_run_take_warm;
                                       optimal mode only) */
    int borrow;               /* 1: the result borrows the mentees'
                                       profiles instead of copying them
                                       (it still copies their ids): the
                                       caller keeps mentees[] and what it
                                       points to alive and unchanged until
                                       its last match_run_explain or
                                       match_run_problem of the result
                                       (match_run_free does not read them).
                                       Saves a deep copy of every profile,
                                       a fifth of a warm re-run's
                                       preparation */
    int no_estimate;          /* tests and benchmarks: 1 = never
                                       estimate prices before the first
                                       pass (stats.est_groups) */
    int no_classes;           /* tests and benchmarks: 1 = never
                                       solve identical coaches as one
                                       class (stats.coach_classes) */
    int no_coach_bounds;      /* tests and benchmarks: 1 = no coach
                                       certified by its coach-side bound,
                                       and short coach-side lists even
                                       where seats are scarce
                                       (stats.rounds[].cert) */
    int check_bounds;         /* tests: after each pricing round (and
                                       after a price estimate's first
                                       pass), check every mentee's bound
                                       against every pair (a full pass
                                       each time); failures in
                                       stats.bound_errors */
    int portable;             /* tests and benchmarks: 1 = only the
                                       kernel's portable paths, as on a
                                       CPU without AVX-512 (the same
                                       result, slower) */
} match_run_input;

typedef struct match_proposal {
    size_t mentee;         /* index into the input mentees */
    size_t coach;          /* index into the input coaches */
    const char *mentee_id; /* owned by the result */
    const char *coach_id;
    int score;  /* 0..10000 */
    int pinned; /* 1: a pinned pair placed before optimising */
} match_proposal;

typedef struct match_unmatched {
    size_t mentee; /* index into the input mentees */
    const char *mentee_id;
    match_unmatched_reason reason;
} match_unmatched;

#define MATCH_ROUNDS_KEPT 32
typedef struct match_round_stats {
    uint64_t pairs;   /* pair scorings of the round's scans */
    uint32_t scans;   /* mentees scanned (the others proved by bounds) */
    uint32_t found;   /*   of them, with a violating pair */
    uint32_t stopped; /*   of them, stopped early (no bound kept) */
    uint32_t added;   /* edges the round added */
    uint32_t waited;  /* scans asked for by a small drift that wait for a
                         later round (the round found violations first) */
    uint32_t cert;    /* coaches their coach-side bound certified (no mentee
                         scanned them) */
} match_round_stats;

typedef struct match_stats {
    uint32_t mentees, coaches; /* in the run */
    uint32_t matched;          /* proposals, pinned ones included */
    uint32_t pinned;           /* pinned pairs placed */
    uint32_t pins_skipped;     /* pins naming an unknown id, a full coach,
                                    a forbidden pair or a mentee already
                                    pinned */
    uint32_t unmatched[MATCH_UNMATCHED__COUNT];
    int64_t total_score;      /* sum of proposal scores */
    double mean_score;        /* total_score / matched, 0 if none */
    double mean_gap_coverage; /* mean G over proposals */
    int certified;            /* optimal: LP duals prove the optimum over
                                    every pair; stable: the greedy ran over
                                    every pair */
    double elapsed_ms;
    /* Engine figures (benchmarks, comparisons with reference solvers). */
    int64_t objective; /* optimal mode: sum of the optimised
                                    (non-pinned) pairs' weights, weight =
                                    mult * (score + bonus) + big
                                    (bench/matcher/README.md); 0 in stable
                                    mode, as mult and big */
    int64_t mult, big;
    int64_t objective_score;  /* sum of score + waitlist bonus over
                                    every proposal */
    uint64_t pairs_scored;    /* pair evaluations */
    uint64_t candidate_edges; /* edges of the final candidate graph */
    int pricing_rounds;
    uint32_t bound_errors; /* input->check_bounds: pairs a pricing
                                    round's bound failed to cover */
    uint32_t rescanned;    /* mentee rescans: pricing (over the
                                    coaches cheaper than their bound) or
                                    stable-mode list refills */
    int warm;              /* 1: started from input->warm */
    uint32_t warm_mentees; /* mentees whose candidates were reused */
    uint32_t warm_coaches; /* coaches whose pairs were not rescored */
    uint32_t est_groups;   /* sub-markets solved for a price estimate
                                    (cold optimal runs of >= 8,192 free
                                    mentees, >= 1,000 coaches with room):
                                    0 none, 1 the first alone
                                    (an easy market: no estimate used),
                                    more: the estimate was used.  Their
                                    pair scorings are in pairs_scored,
                                    est_pairs of them */
    uint64_t est_pairs;
    uint32_t coach_classes; /* optimal mode: 0 = coaches solved one by
                                    one; else the run found its coaches
                                    in this many classes of identical
                                    coaches (at most 1/8 of them) and
                                    solved each class as one coach of
                                    their summed capacity (run.c, "Coach
                                    classes").  Such a run does not start
                                    from a warm state nor keep one */
    /* The first MATCH_ROUNDS_KEPT pricing rounds (min(pricing_rounds,
     * MATCH_ROUNDS_KEPT) of them), for benchmarks: where the pair
     * scorings go (bench_matcher --verbose, bench/matcher/README.md). */
    match_round_stats rounds[MATCH_ROUNDS_KEPT];
} match_stats;

typedef struct match_run_result {
    match_proposal *pairs; /* sorted by mentee id */
    size_t n_pairs;
    match_unmatched *unmatched; /* sorted by mentee id */
    size_t n_unmatched;
    match_stats stats;
    struct match_run_state *state; /* private: explanations */
} match_run_result;

/* Run.  Ids of mentees and of coaches must be unique; pinned / forbidden
 * pairs naming unknown ids are skipped (counted in stats.pins_skipped for
 * pins).  On MATCH_OK *out holds the result (free it with
 * match_run_free).  MATCH_ECANCELLED when cancelled (no result). */
int match_run(const match_catalog *cat, const match_run_input *in, match_run_result **out, match_err *err);
/* The breakdown of proposal i of a result. */
int match_run_explain(const match_run_result *r, size_t i, match_explain *out);
/* The optimisation problem a run solved, row by row, for reference solvers
 * and exhaustive tests (bench/matcher/README.md): for input mentee `mentee`,
 * gain[j] = score + waitlist bonus of the pair with input coach j when the
 * pair was allowed (every hard constraint holds, capacity as before the
 * run), else -1; a pinned mentee's row is all -1.  gain has n_coaches
 * entries.  cap (n_coaches entries, may be NULL) receives each coach's free
 * capacity after the pins.  The weight the optimiser used for an allowed
 * pair is stats.mult * gain + stats.big. */
int match_run_problem(const match_run_result *r, size_t mentee, int32_t *gain, int32_t *cap);
void match_run_free(match_run_result *r);
/* The warm state of a run made with keep_warm (NULL otherwise, or when it
 * could not be kept: out of memory); the caller owns it from then on. */
match_warm *match_run_take_warm(match_run_result *r);
void match_warm_free(match_warm *w);
/* Heap bytes held by a state, and its number of mentees. */
size_t match_warm_bytes(const match_warm *w);
size_t match_warm_mentees(const match_warm *w);

#endif
