/* test_assign_run.c — the optimal mode of match_run (matcher.h) against an
 * exhaustive search, on random small instances.
 *
 * Each instance has up to 8 mentees and 5 coaches (free capacities 0-3, some
 * coaches with part of their capacity already taken), random profiles built
 * from the real catalogues of data/, random policies, forbidden pairs and
 * pinned pairs.  The oracle uses only the public API: match_explain_pair()
 * decides each pair's feasibility and score, pins are placed as matcher.h
 * documents them (mentee id order, then coach id order, while the coach has
 * free capacity and the pair is not forbidden), and a dynamic programme over
 * the coaches' remaining loads finds the lexicographic optimum:
 *   participation: most matched mentees, then the largest total gain;
 *   quality:       the largest total gain, then the most matched mentees;
 * where a pair's gain is its score plus the mentee's waitlist bonus.  The run
 * must reach exactly that optimum, propose only feasible pairs within the
 * capacities, and report the result certified.
 *
 * Warm starts (match_run_input.warm): a run of a changed instance started
 * from the state of the earlier one reaches the same optimum as the oracle
 * and as a cold run, is deterministic, and keeps every pair when nothing
 * changed.  Hard shapes (a hub coach every mentee ranks first, capacity 1,
 * ties everywhere) are checked against the oracle too.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matcher/matcher.h"

#define NM_MAX    8
#define NC_MAX    5
#define INSTANCES 600

static uint64_t rng_state;

static uint64_t rng_next(void) {
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int rnd(int lo, int hi) { /* inclusive */
    return lo + (int)(rng_next() % (uint64_t)(hi - lo + 1));
}

static match_catalog *cat;

static const char *const AGENCIES[] = { "kemenkeu", "kemenkes", "bkn", "lan", "bappenas" };
static const char *const LANGS[] = { "id", "en", "jv" };
static const char *const PROGRAMS[] = { "pkn-coaching", "digital-2026" };

/* Storage of one random instance (profiles point into it). */
typedef struct instance {
    int nm, nc;
    char mid[NM_MAX][24], cid[NC_MAX][24];
    match_need needs[NM_MAX][3];
    match_skill skills[NC_MAX][4];
    const char *mlang[NM_MAX][3], *clang[NC_MAX][3];
    const char *cprog[NC_MAX][1];
    match_mentee m[NM_MAX];
    match_coach c[NC_MAX];
    uint32_t waitlist[NM_MAX];
    match_pair_ref forb[12], pins[6];
    int nforb, npins;
    match_policy pol;
} instance;

static const char *random_code(match_vocab v) {
    size_t n = match_catalog_count(cat, v);
    return match_catalog_code(cat, v, (size_t)rnd(0, (int)n - 1));
}

/* Profiles are drawn so that about half of the pairs are feasible: most
 * speak "id", many accept both modalities or any time. */
static int pick_langs(const char **out) {
    int n = 0, mask = rnd(0, 4) ? (1 | rnd(0, 7)) : rnd(1, 7);
    for (int i = 0; i < 3; i++)
        if (mask & (1 << i)) out[n++] = LANGS[i];
    return n;
}

static uint32_t random_avail(void) {
    if (rnd(0, 1) == 0) return 0;
    uint32_t a = 0;
    int bits = rnd(3, 14);
    for (int i = 0; i < bits; i++) a |= 1u << rnd(0, MATCH_AVAIL_BITS - 1);
    return a;
}

/* Distinct competency codes: k of them. */
static void pick_codes(const char **codes, int k) {
    for (int i = 0; i < k; i++) {
        const char *code;
        int dup;
        do {
            code = random_code(MATCH_VOCAB_COMPETENCY);
            dup = 0;
            for (int j = 0; j < i; j++) dup |= strcmp(codes[j], code) == 0;
        } while (dup);
        codes[i] = code;
    }
}

static void make_instance(instance *in, int objective) {
    memset(in, 0, sizeof(*in));
    in->nm = rnd(0, 4) ? rnd(5, NM_MAX) : rnd(0, NM_MAX); /* mostly full size */
    in->nc = rnd(0, 4) ? rnd(3, NC_MAX) : rnd(0, NC_MAX);
    for (int i = 0; i < in->nm; i++) {
        match_mentee *m = &in->m[i];
        snprintf(in->mid[i], sizeof(in->mid[i]), "1990010120200%05d", rnd(0, 99999));
        for (int j = 0; j < i; j++) /* ids must be unique */
            if (strcmp(in->mid[i], in->mid[j]) == 0) {
                i--;
                goto next_mentee;
            }
        m->id = in->mid[i];
        m->agency = AGENCIES[rnd(0, 4)];
        do /* mostly junior classes, which most coaches outrank */
            m->position_class = random_code(MATCH_VOCAB_POSITION_CLASS);
        while (match_position_rank(cat, m->position_class) > 3 && rnd(0, 3) != 0);
        m->province = random_code(MATCH_VOCAB_PROVINCE);
        m->program = PROGRAMS[rnd(0, 5) == 0];
        int k = rnd(1, 3);
        const char *codes[4];
        pick_codes(codes, k);
        for (int j = 0; j < k; j++) {
            in->needs[i][j].code = codes[j];
            in->needs[i][j].current = rnd(0, 4);
            in->needs[i][j].required = rnd(1, 5);
        }
        m->competencies = in->needs[i];
        m->n_competencies = (size_t)k;
        m->modality = rnd(0, 1) ? MATCH_MOD_ALL : (unsigned)rnd(1, 3);
        m->n_languages = (size_t)pick_langs(in->mlang[i]);
        m->languages = in->mlang[i];
        m->availability = random_avail();
        in->waitlist[i] = rnd(0, 3) == 0 ? (uint32_t)rnd(1, 2) : 0;
    next_mentee:;
    }
    for (int i = 0; i < in->nc; i++) {
        match_coach *c = &in->c[i];
        snprintf(in->cid[i], sizeof(in->cid[i]), "coach-%03d", rnd(0, 999));
        for (int j = 0; j < i; j++)
            if (strcmp(in->cid[i], in->cid[j]) == 0) {
                i--;
                goto next_coach;
            }
        c->id = in->cid[i];
        c->kind = random_code(MATCH_VOCAB_COACH_KIND);
        c->organization = AGENCIES[rnd(0, 4)];
        c->rank = rnd(3, 6);
        c->province = random_code(MATCH_VOCAB_PROVINCE);
        int k = rnd(1, 4);
        const char *codes[4];
        pick_codes(codes, k);
        for (int j = 0; j < k; j++) {
            in->skills[i][j].code = codes[j];
            in->skills[i][j].level = rnd(1, 5);
        }
        c->competencies = in->skills[i];
        c->n_competencies = (size_t)k;
        int free_cap = rnd(0, 5) ? rnd(1, 3) : 0;
        c->load = rnd(0, 3) == 0 ? rnd(1, 2) : 0;
        c->capacity = free_cap + c->load;
        if (rnd(0, 5) == 0) {
            in->cprog[i][0] = PROGRAMS[rnd(0, 1)];
            c->programs = in->cprog[i];
            c->n_programs = 1;
        }
        c->modality = rnd(0, 1) ? MATCH_MOD_ALL : (unsigned)rnd(1, 3);
        c->n_languages = (size_t)pick_langs(in->clang[i]);
        c->languages = in->clang[i];
        c->availability = random_avail();
    next_coach:;
    }
    if (in->nm > 0 && in->nc > 0) {
        in->nforb = rnd(0, 4);
        for (int i = 0; i < in->nforb; i++)
            in->forb[i] = (match_pair_ref){ in->mid[rnd(0, in->nm - 1)], in->cid[rnd(0, in->nc - 1)] };
        in->npins = rnd(0, 3);
        for (int i = 0; i < in->npins; i++)
            in->pins[i] = (match_pair_ref){ in->mid[rnd(0, in->nm - 1)], in->cid[rnd(0, in->nc - 1)] };
    }
    /* an unknown id in a pin is skipped, not an error */
    if (in->npins > 0 && rnd(0, 9) == 0) in->pins[0].coach_id = "no-such-coach";

    match_policy_default(&in->pol);
    in->pol.objective = objective ? MATCH_OBJ_QUALITY : MATCH_OBJ_PARTICIPATION;
    in->pol.min_score = rnd(0, 3) == 0 ? rnd(1000, 4000) : 0;
    in->pol.forbid_same_agency = rnd(0, 3) != 0;
    in->pol.min_rank_gap = rnd(0, 3) ? rnd(0, 1) : 2;
    in->pol.waitlist_bonus = rnd(0, 1) ? 500 : rnd(0, 3000);
}

static int cmp_pin(const void *a, const void *b) {
    const match_pair_ref *x = a, *y = b;
    int d = strcmp(x->mentee_id, y->mentee_id);
    return d ? d : strcmp(x->coach_id, y->coach_id);
}

static int find_m(const instance *in, const char *id) {
    for (int i = 0; i < in->nm; i++)
        if (strcmp(in->mid[i], id) == 0) return i;
    return -1;
}

static int find_c(const instance *in, const char *id) {
    for (int i = 0; i < in->nc; i++)
        if (strcmp(in->cid[i], id) == 0) return i;
    return -1;
}

static int forbidden(const instance *in, int m, int c) {
    for (int i = 0; i < in->nforb; i++)
        if (strcmp(in->forb[i].mentee_id, in->mid[m]) == 0 && strcmp(in->forb[i].coach_id, in->cid[c]) == 0) return 1;
    return 0;
}

/* Lexicographic key of (count, gain) for the objective. */
static int64_t key_of(int objective, int64_t count, int64_t gain) {
    return objective ? gain * 16 + count : count * 100000000 + gain;
}

typedef struct oracle {
    int pinned_to[NM_MAX]; /* coach of a placed pin, or -1 */
    int remain[NC_MAX];
    int64_t gain[NM_MAX][NC_MAX]; /* -1: infeasible */
    int score[NM_MAX][NC_MAX];
    int64_t best_key;
} oracle;

static void solve_oracle(const instance *in, oracle *o) {
    int objective = in->pol.objective == MATCH_OBJ_QUALITY;
    for (int c = 0; c < in->nc; c++) o->remain[c] = in->c[c].capacity - in->c[c].load;
    for (int m = 0; m < in->nm; m++) o->pinned_to[m] = -1;
    match_pair_ref pins[6];
    memcpy(pins, in->pins, sizeof(pins));
    qsort(pins, (size_t)in->npins, sizeof(pins[0]), cmp_pin);
    for (int i = 0; i < in->npins; i++) {
        int m = find_m(in, pins[i].mentee_id), c = find_c(in, pins[i].coach_id);
        if (m < 0 || c < 0 || o->pinned_to[m] >= 0 || o->remain[c] <= 0 || forbidden(in, m, c)) continue;
        o->pinned_to[m] = c;
        o->remain[c]--;
    }
    for (int m = 0; m < in->nm; m++)
        for (int c = 0; c < in->nc; c++) {
            match_explain ex;
            match_err err;
            assert_int_equal(match_explain_pair(cat, &in->m[m], &in->c[c], &in->pol, forbidden(in, m, c), &ex, &err),
                             MATCH_OK);
            o->score[m][c] = ex.score;
            int64_t bonus = (int64_t)in->pol.waitlist_bonus * in->waitlist[m];
            o->gain[m][c] = ex.feasible ? ex.score + bonus : -1;
        }
    /* DP over the remaining loads of the coaches (at most 4^5 states). */
    int radix[NC_MAX], ns = 1;
    for (int c = 0; c < in->nc; c++) {
        radix[c] = o->remain[c] + 1;
        ns *= radix[c];
    }
    int64_t cur[1024], nxt[1024];
    for (int s = 0; s < ns; s++) cur[s] = -1;
    cur[0] = 0;
    for (int m = 0; m < in->nm; m++) {
        if (o->pinned_to[m] >= 0) continue;
        memcpy(nxt, cur, sizeof(int64_t) * (size_t)ns);
        for (int s = 0; s < ns; s++) {
            if (cur[s] < 0) continue;
            int rest = s, mul = 1;
            for (int c = 0; c < in->nc; c++) {
                int load = rest % radix[c];
                rest /= radix[c];
                if (o->gain[m][c] >= 0 && load < o->remain[c]) {
                    int64_t k = cur[s] + key_of(objective, 1, o->gain[m][c]);
                    if (k > nxt[s + mul]) nxt[s + mul] = k;
                }
                mul *= radix[c];
            }
        }
        memcpy(cur, nxt, sizeof(int64_t) * (size_t)ns);
    }
    o->best_key = 0;
    for (int s = 0; s < ns; s++)
        if (cur[s] > o->best_key) o->best_key = cur[s];
}

static void check_run(const instance *in, const oracle *o, const match_run_result *res) {
    int objective = in->pol.objective == MATCH_OBJ_QUALITY;
    int used[NC_MAX] = { 0 }, seen[NM_MAX] = { 0 };
    int64_t count = 0, gain = 0;
    assert_int_equal(res->stats.certified, 1);
    for (size_t i = 0; i < res->n_pairs; i++) {
        const match_proposal *p = &res->pairs[i];
        int m = find_m(in, p->mentee_id), c = find_c(in, p->coach_id);
        assert_true(m >= 0 && c >= 0);
        assert_false(seen[m]);
        seen[m] = 1;
        used[c]++;
        assert_int_equal(p->score, o->score[m][c]);
        if (p->pinned) {
            assert_int_equal(o->pinned_to[m], c);
            continue;
        }
        assert_int_equal(o->pinned_to[m], -1);
        assert_true(o->gain[m][c] >= 0); /* feasible */
        count++;
        gain += o->gain[m][c];
    }
    for (int m = 0; m < in->nm; m++) /* every placed pin is kept */
        if (o->pinned_to[m] >= 0) assert_true(seen[m]);
    for (int c = 0; c < in->nc; c++) assert_true(used[c] <= in->c[c].capacity - in->c[c].load);
    assert_int_equal(res->n_pairs + res->n_unmatched, (size_t)in->nm);
    if (key_of(objective, count, gain) != o->best_key)
        fail_msg("%s: run reached count %lld gain %lld (key %lld), exhaustive key %lld",
                 objective ? "quality" : "participation", (long long)count, (long long)gain,
                 (long long)key_of(objective, count, gain), (long long)o->best_key);
}

static void run_random(int objective, uint64_t seed, int candidates) {
    rng_state = seed;
    for (int it = 0; it < INSTANCES; it++) {
        instance in;
        make_instance(&in, objective);
        oracle o;
        solve_oracle(&in, &o);
        match_run_input ri;
        memset(&ri, 0, sizeof(ri));
        ri.mentees = in.m;
        ri.n_mentees = (size_t)in.nm;
        ri.waitlist = in.waitlist;
        ri.coaches = in.c;
        ri.n_coaches = (size_t)in.nc;
        ri.pinned = in.pins;
        ri.n_pinned = (size_t)in.npins;
        ri.forbidden = in.forb;
        ri.n_forbidden = (size_t)in.nforb;
        ri.policy = &in.pol;
        ri.threads = 1 + it % 2;
        ri.candidates = candidates;
        match_run_result *res = NULL;
        match_err err;
        int rc = match_run(cat, &ri, &res, &err);
        if (rc != MATCH_OK) fail_msg("instance %d: match_run %d: %s: %s", it, rc, err.field, err.msg);
        check_run(&in, &o, res);
        match_run_free(res);
    }
}

/* candidates = 1 keeps one coach per mentee before pricing, so the pricing
 * certificate has to bring the rest back. */
static void test_participation_vs_exhaustive(void **state) {
    (void)state;
    run_random(0, 11, 0);
}

static void test_quality_vs_exhaustive(void **state) {
    (void)state;
    run_random(1, 12, 0);
}

static void test_participation_pruned_to_one(void **state) {
    (void)state;
    run_random(0, 13, 1);
}

static void test_quality_pruned_to_one(void **state) {
    (void)state;
    run_random(1, 14, 1);
}

/* ---- warm starts ---- */

/* Point the profiles of a copied instance at its own storage (the pin and
 * forbid references keep pointing at the original's ids, which are equal). */
static void relink(instance *in) {
    for (int i = 0; i < in->nm; i++) {
        in->m[i].id = in->mid[i];
        in->m[i].competencies = in->needs[i];
        in->m[i].languages = in->mlang[i];
    }
    for (int i = 0; i < in->nc; i++) {
        in->c[i].id = in->cid[i];
        in->c[i].competencies = in->skills[i];
        in->c[i].languages = in->clang[i];
        if (in->c[i].n_programs) in->c[i].programs = in->cprog[i];
    }
}

/* The earlier instance: b with a few changes (or, now and then, many). */
static void mutate(instance *a) {
    int changes = rnd(0, 5) == 0 ? rnd(3, 8) : rnd(0, 2);
    for (int k = 0; k < changes; k++) {
        int what = rnd(0, 9);
        if (what == 0 && a->nm > 0) {
            a->nm--; /* b adds a mentee */
        } else if (what == 1 && a->nc > 0) {
            a->nc--; /* b adds a coach */
        } else if (what <= 3 && a->nm > 0) {
            match_need *n = &a->needs[rnd(0, a->nm - 1)][0];
            n->current = rnd(0, 4);
        } else if (what == 4 && a->nm > 0) {
            a->m[rnd(0, a->nm - 1)].availability = random_avail();
        } else if (what == 5 && a->nc > 0) {
            a->skills[rnd(0, a->nc - 1)][0].level = rnd(1, 5);
        } else if (what == 6 && a->nc > 0) {
            match_coach *c = &a->c[rnd(0, a->nc - 1)];
            c->load = rnd(0, c->capacity); /* room only: scores unchanged */
        } else if (what == 7 && a->nm > 0) {
            a->waitlist[rnd(0, a->nm - 1)] = (uint32_t)rnd(0, 2);
        } else if (what == 8) {
            a->nforb = a->nforb > 0 ? a->nforb - 1 : 0;
        } else {
            a->pol.objective = rnd(0, 1) ? MATCH_OBJ_QUALITY : MATCH_OBJ_PARTICIPATION;
            if (rnd(0, 3) == 0) a->pol.min_score = rnd(0, 3000); /* scoring policy: a stale state */
        }
    }
}

static void input_of(const instance *in, match_run_input *ri, int threads) {
    memset(ri, 0, sizeof(*ri));
    ri->mentees = in->m;
    ri->n_mentees = (size_t)in->nm;
    ri->waitlist = in->waitlist;
    ri->coaches = in->c;
    ri->n_coaches = (size_t)in->nc;
    ri->pinned = in->pins;
    ri->n_pinned = (size_t)in->npins;
    ri->forbidden = in->forb;
    ri->n_forbidden = (size_t)in->nforb;
    ri->policy = &in->pol;
    ri->threads = threads;
}

static match_run_result *run_or_fail(const match_run_input *ri) {
    match_run_result *res = NULL;
    match_err err;
    int rc = match_run(cat, ri, &res, &err);
    if (rc != MATCH_OK) fail_msg("match_run %d: %s: %s", rc, err.field, err.msg);
    return res;
}

static void assert_same_pairs(const match_run_result *x, const match_run_result *y) {
    assert_int_equal(x->n_pairs, y->n_pairs);
    for (size_t i = 0; i < x->n_pairs; i++) {
        assert_string_equal(x->pairs[i].mentee_id, y->pairs[i].mentee_id);
        assert_string_equal(x->pairs[i].coach_id, y->pairs[i].coach_id);
    }
}

/* Thousands of small instances: a warm run equals the exhaustive optimum
 * and the cold run's objective; twice the same warm run gives the same
 * pairs; a warm run of an unchanged instance gives the earlier pairs.
 * Most of them run warm (counted), the rest fall back to cold (a changed
 * scoring policy, too much changed). */
static void test_warm_equals_cold(void **state) {
    (void)state;
    rng_state = 20261203;
    int warm_runs = 0, n = 3000;
    for (int it = 0; it < n; it++) {
        instance b, a;
        make_instance(&b, it % 2);
        a = b;
        relink(&a);
        int same = it % 10 == 0;
        if (!same) mutate(&a);
        match_run_input ri;
        input_of(&a, &ri, 1 + it % 2);
        int k = it % 3 ? 1 + it % 2 : 0; /* short lists: pricing, bounds carried over */
        ri.candidates = k;
        ri.keep_warm = 1;
        match_run_result *ra = run_or_fail(&ri);
        match_warm *w = match_run_take_warm(ra);
        assert_non_null(w);
        assert_null(match_run_take_warm(ra)); /* taken once */
        input_of(&b, &ri, 1 + (it + 1) % 2);
        ri.candidates = k;
        ri.warm = w;
        match_run_result *rw = run_or_fail(&ri), *rw2 = run_or_fail(&ri);
        ri.warm = NULL;
        match_run_result *rc = run_or_fail(&ri);
        oracle o;
        solve_oracle(&b, &o);
        check_run(&b, &o, rw);
        check_run(&b, &o, rc);
        assert_int_equal(rw->stats.objective, rc->stats.objective);
        assert_int_equal(rw->stats.matched, rc->stats.matched);
        assert_same_pairs(rw, rw2);
        warm_runs += rw->stats.warm;
        if (same && b.pol.mode == MATCH_MODE_OPTIMAL) {
            assert_int_equal(rw->stats.warm, 1);
            assert_same_pairs(rw, ra);
        }
        match_run_free(ra);
        match_run_free(rw);
        match_run_free(rw2);
        match_run_free(rc);
        match_warm_free(w);
    }
    /* the warm path itself was exercised, not only its fallback */
    if (warm_runs < n / 3) fail_msg("only %d of %d runs started warm", warm_runs, n);
}

/* A state is not used across scoring policies or catalogues, and a run of
 * stable mode neither keeps nor uses one. */
static void test_warm_stale(void **state) {
    (void)state;
    rng_state = 77;
    instance b;
    do make_instance(&b, 0);
    while (b.nm < 3 || b.nc < 2);
    match_run_input ri;
    input_of(&b, &ri, 1);
    ri.keep_warm = 1;
    match_run_result *r0 = run_or_fail(&ri);
    match_warm *w = match_run_take_warm(r0);
    assert_non_null(w);
    assert_true(match_warm_bytes(w) > 0);
    assert_int_equal(match_warm_mentees(w), (size_t)b.nm);
    ri.keep_warm = 0;
    ri.warm = w;
    match_run_result *r1 = run_or_fail(&ri);
    assert_int_equal(r1->stats.warm, 1);
    match_run_free(r1);
    b.pol.w_location += 100; /* scores change: stale */
    r1 = run_or_fail(&ri);
    assert_int_equal(r1->stats.warm, 0);
    match_run_free(r1);
    b.pol.w_location -= 100;
    b.pol.objective = MATCH_OBJ_QUALITY; /* weights change, scores do not */
    r1 = run_or_fail(&ri);
    assert_int_equal(r1->stats.warm, 1);
    match_run_free(r1);
    b.pol.mode = MATCH_MODE_STABLE;
    ri.keep_warm = 1;
    r1 = run_or_fail(&ri);
    assert_int_equal(r1->stats.warm, 0);
    assert_null(match_run_take_warm(r1));
    match_run_free(r1);
    match_catalog *other;
    match_err err;
    assert_int_equal(match_catalog_load("data", &other, &err), MATCH_OK);
    b.pol.mode = MATCH_MODE_OPTIMAL;
    r1 = NULL;
    assert_int_equal(match_run(other, &ri, &r1, &err), MATCH_OK);
    assert_int_equal(r1->stats.warm, 0);
    match_run_free(r1);
    match_catalog_free(other);
    match_run_free(r0);
    match_warm_free(w);
}

/* ---- hard shapes ---- */

/* A hub coach that every mentee ranks first (every competency at level 5,
 * every language, any time, both modalities), capacity 1; the others weak
 * and alike, capacity 1; mentees alike (the same two competencies), so
 * that scores tie everywhere. */
static void make_hub(instance *in, int objective) {
    make_instance(in, objective);
    const char *codes[2];
    pick_codes(codes, 2);
    for (int i = 0; i < in->nm; i++) {
        for (int j = 0; j < 2; j++) {
            in->needs[i][j].code = codes[j];
            in->needs[i][j].current = 1;
            in->needs[i][j].required = 3 + (j & rnd(0, 1));
        }
        in->m[i].n_competencies = 2;
        in->m[i].modality = MATCH_MOD_ALL;
        in->m[i].availability = 0;
        in->m[i].position_class = "pelaksana";
    }
    for (int c = 0; c < in->nc; c++) {
        int hub = c < 1 + rnd(0, 1);
        for (int j = 0; j < 2; j++) {
            in->skills[c][j].code = codes[j];
            in->skills[c][j].level = hub ? 5 : 2 + (j & rnd(0, 1));
        }
        in->c[c].n_competencies = 2;
        in->c[c].capacity = 1;
        in->c[c].load = 0;
        in->c[c].rank = 6;
        in->c[c].modality = MATCH_MOD_ALL;
        in->c[c].availability = hub ? 0 : in->c[c].availability;
    }
}

static void test_hard_shapes_vs_exhaustive(void **state) {
    (void)state;
    rng_state = 16;
    for (int it = 0; it < 1500; it++) {
        instance in;
        make_hub(&in, it % 2);
        oracle o;
        solve_oracle(&in, &o);
        match_run_input ri;
        input_of(&in, &ri, 1 + it % 2);
        ri.candidates = 1 + it % 3; /* the hubs fill every short list */
        ri.check_bounds = 1;        /* and every pricing round's bounds */
        match_run_result *res = run_or_fail(&ri);
        assert_int_equal(res->stats.bound_errors, 0);
        check_run(&in, &o, res);
        match_run_free(res);
    }
}

static int setup(void **state) {
    (void)state;
    match_err err;
    return match_catalog_load("data", &cat, &err) == MATCH_OK ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    match_catalog_free(cat);
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_participation_vs_exhaustive),
        cmocka_unit_test(test_quality_vs_exhaustive),
        cmocka_unit_test(test_participation_pruned_to_one),
        cmocka_unit_test(test_quality_pruned_to_one),
        cmocka_unit_test(test_warm_equals_cold),
        cmocka_unit_test(test_warm_stale),
        cmocka_unit_test(test_hard_shapes_vs_exhaustive),
    };
    return cmocka_run_group_tests_name("assign_run", tests, setup, teardown);
}
