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
    };
    return cmocka_run_group_tests_name("assign_run", tests, setup, teardown);
}
