/* test_warmcache.c — server/warmcache.c: the per-program warm states of
 * match runs.
 *
 * The states are real ones (match_run with keep_warm on a tiny instance
 * built from the catalogues of data/), so their sizes are what
 * match_warm_bytes says, and the cache's frees are checked by ASan
 * (make check SANITIZE=1): a state freed while referenced would be a
 * use-after-free on the reads below, one never freed a leak.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "matcher/matcher.h"
#include "server/warmcache.h"

#define NM_MAX 16 /* mentees of the largest test instance */
#define NC     3  /* coaches of every test instance */
#define TTL_MS 1000

static match_catalog *cat;

/* A tiny instance of nm mentees (1..NM_MAX) and NC coaches, every pair
 * feasible (no agency or rank rule); the input points into it. */
typedef struct inst {
    char mid[NM_MAX][MATCH_ID_MAX + 1], cid[NC][MATCH_ID_MAX + 1];
    match_need need;
    match_skill skill;
    match_mentee m[NM_MAX];
    match_coach c[NC];
    match_policy pol;
    match_run_input in;
} inst;

static void inst_make(inst *t, int nm) {
    static const char *const langs[] = { "id" };
    const char *code = match_catalog_code(cat, MATCH_VOCAB_COMPETENCY, 0);
    const char *pclass = match_catalog_code(cat, MATCH_VOCAB_POSITION_CLASS, 0);
    const char *prov = match_catalog_code(cat, MATCH_VOCAB_PROVINCE, 0);
    const char *kind = match_catalog_code(cat, MATCH_VOCAB_COACH_KIND, 0);
    memset(t, 0, sizeof *t);
    t->need = (match_need){ code, 1, 3 };
    t->skill = (match_skill){ code, 4 };
    for (int i = 0; i < nm; i++) {
        snprintf(t->mid[i], sizeof t->mid[i], "19900101202001%04d", i);
        t->m[i] = (match_mentee){ .id = t->mid[i],
                                  .agency = "bkn",
                                  .position_class = pclass,
                                  .province = prov,
                                  .program = "p",
                                  .competencies = &t->need,
                                  .n_competencies = 1,
                                  .modality = MATCH_MOD_ALL,
                                  .languages = langs,
                                  .n_languages = 1 };
    }
    for (int j = 0; j < NC; j++) {
        snprintf(t->cid[j], sizeof t->cid[j], "19700101200001%04d", j);
        t->c[j] = (match_coach){ .id = t->cid[j],
                                 .kind = kind,
                                 .organization = "lan",
                                 .rank = 6,
                                 .province = prov,
                                 .competencies = &t->skill,
                                 .n_competencies = 1,
                                 .capacity = 2,
                                 .modality = MATCH_MOD_ALL,
                                 .languages = langs,
                                 .n_languages = 1 };
    }
    match_policy_default(&t->pol);
    t->pol.forbid_same_agency = 0;
    t->pol.min_rank_gap = -MATCH_MIN_RANK_GAP_MAX;
    t->in = (match_run_input){
        .mentees = t->m, .n_mentees = (size_t)nm, .coaches = t->c, .n_coaches = NC, .policy = &t->pol, .threads = 1
    };
}

static match_run_result *run_or_fail(const match_run_input *in) {
    match_run_result *res = NULL;
    match_err err;
    if (match_run(cat, in, &res, &err) != MATCH_OK) fail_msg("match_run: %s: %s", err.field, err.msg);
    return res;
}

/* The warm state of a run of the instance of nm mentees. */
static match_warm *make_state(int nm) {
    inst t;
    inst_make(&t, nm);
    t.in.keep_warm = 1;
    match_run_result *res = run_or_fail(&t.in);
    match_warm *w = match_run_take_warm(res);
    match_run_free(res);
    assert_non_null(w);
    assert_int_equal(match_warm_mentees(w), (size_t)nm);
    return w;
}

/* Put, take, replace, drop; a taken state is the one put. */
static void test_put_take_replace(void **state) {
    (void)state;
    wc_cache *c = wc_new(64 * WC_MB, TTL_MS);
    assert_true(wc_enabled(c));
    assert_null(wc_take(c, "p1", 0));
    match_warm *a = make_state(4), *b = make_state(5), *d = make_state(6);
    assert_int_equal(wc_put(c, "p1", a, 0), 1);
    assert_int_equal(wc_put(c, "p2", d, 0), 1);
    assert_int_equal(wc_count(c), 2);
    assert_int_equal(wc_bytes(c), match_warm_bytes(a) + match_warm_bytes(d));
    assert_ptr_equal(wc_take(c, "p1", 1), a);
    assert_int_equal(wc_release(c, a), 0);
    assert_int_equal(wc_put(c, "p1", b, 2), 1); /* a is freed here (nobody reads it) */
    assert_int_equal(wc_count(c), 2);
    assert_int_equal(wc_bytes(c), match_warm_bytes(b) + match_warm_bytes(d));
    assert_int_equal(wc_held_bytes(c), 0);
    const match_warm *got = wc_take(c, "p1", 3);
    assert_ptr_equal(got, b);
    assert_int_equal(match_warm_mentees(got), 5);
    assert_int_equal(wc_release(c, got), 0);
    assert_int_equal(wc_drop(c, "p1"), 1);
    assert_int_equal(wc_drop(c, "p1"), 0);
    assert_null(wc_take(c, "p1", 4));
    assert_ptr_equal(wc_take(c, "p2", 4), d);
    assert_int_equal(wc_release(c, d), 0);
    assert_int_equal(wc_count(c), 1);
    assert_int_equal(wc_free(c), 0);
}

/* A state replaced (or dropped) while a run reads it stays alive until the
 * run releases it, counted apart from the table; releasing more than was
 * taken, or a state never taken, is refused. */
static void test_refcount(void **state) {
    (void)state;
    wc_cache *c = wc_new(64 * WC_MB, TTL_MS);
    match_warm *a = make_state(4), *b = make_state(8), *d = make_state(3);
    size_t abytes = match_warm_bytes(a);
    wc_put(c, "p", a, 0);
    const match_warm *r1 = wc_take(c, "p", 1), *r2 = wc_take(c, "p", 1); /* two readers */
    assert_ptr_equal(r1, a);
    assert_ptr_equal(r2, a);
    wc_put(c, "p", b, 2);
    assert_int_equal(wc_bytes(c), match_warm_bytes(b));
    assert_int_equal(wc_held_bytes(c), abytes);
    assert_int_equal(match_warm_mentees(r1), 4); /* still readable */
    assert_int_equal(wc_release(c, r1), 0);
    assert_int_equal(wc_held_bytes(c), abytes);
    assert_int_equal(match_warm_mentees(r2), 4);
    assert_int_equal(wc_release(c, r2), 0); /* freed here */
    assert_int_equal(wc_held_bytes(c), 0);
    assert_int_equal(wc_release(c, r2), -1);
    assert_int_equal(wc_release(c, b), -1); /* in the table, not taken */
    const match_warm *rb = wc_take(c, "p", 3);
    assert_int_equal(wc_drop(c, "p"), 1);
    assert_int_equal(wc_count(c), 0);
    assert_int_equal(wc_held_bytes(c), match_warm_bytes(b));
    assert_int_equal(match_warm_mentees(rb), 8);
    assert_int_equal(wc_release(c, rb), 0);
    assert_int_equal(wc_held_bytes(c), 0);
    assert_int_equal(wc_release(c, d), -1); /* never in the cache */
    match_warm_free(d);
    assert_int_equal(wc_free(c), 0);
}

/* The table keeps at most max_bytes: a put evicts the least recently used
 * states (a take counts as a use), a referenced one lives on outside the
 * table, and a state larger than the whole cap is not kept. */
static void test_lru_cap(void **state) {
    (void)state;
    match_warm *s[5];
    for (int i = 0; i < 5; i++) s[i] = make_state(6);
    size_t b = match_warm_bytes(s[0]);
    for (int i = 1; i < 5; i++) assert_int_equal(match_warm_bytes(s[i]), b);
    wc_cache *c = wc_new(2 * b + b / 2, TTL_MS); /* room for two */
    assert_int_equal(wc_put(c, "p1", s[0], 0), 1);
    assert_int_equal(wc_put(c, "p2", s[1], 1), 1);
    assert_int_equal(wc_release(c, wc_take(c, "p1", 2)), 0); /* p1 now the most recent */
    assert_int_equal(wc_put(c, "p3", s[2], 3), 1);           /* evicts p2 */
    assert_int_equal(wc_count(c), 2);
    assert_int_equal(wc_bytes(c), 2 * b);
    assert_null(wc_take(c, "p2", 4));
    const match_warm *r1 = wc_take(c, "p1", 4);
    assert_ptr_equal(r1, s[0]);
    /* p3 is the least recent now, then p1 (held by a reader) */
    assert_int_equal(wc_put(c, "p4", s[3], 5), 1);
    assert_null(wc_take(c, "p3", 6));
    assert_int_equal(wc_put(c, "p5", s[4], 6), 1);
    assert_int_equal(wc_count(c), 2);
    assert_int_equal(wc_bytes(c), 2 * b);
    assert_int_equal(wc_held_bytes(c), b); /* p1, evicted while read */
    assert_null(wc_take(c, "p1", 7));
    assert_int_equal(match_warm_mentees(r1), 6);
    assert_int_equal(wc_release(c, r1), 0);
    assert_int_equal(wc_held_bytes(c), 0);
    /* larger than the cap: freed, and the program's older state dropped */
    match_warm *big = make_state(NM_MAX);
    assert_true(match_warm_bytes(big) > b);
    wc_cache *small = wc_new(b, TTL_MS);
    assert_int_equal(wc_put(small, "p", make_state(6), 0), 1);
    assert_int_equal(wc_put(small, "p", big, 1), 0);
    assert_int_equal(wc_count(small), 0);
    assert_int_equal(wc_bytes(small), 0);
    assert_int_equal(wc_free(small), 0);
    assert_int_equal(wc_free(c), 0);
}

/* A state older than the TTL is dropped by a take and by the sweep. */
static void test_ttl(void **state) {
    (void)state;
    wc_cache *c = wc_new(64 * WC_MB, TTL_MS);
    wc_put(c, "p1", make_state(2), 0);
    wc_put(c, "p2", make_state(3), 500);
    const match_warm *r = wc_take(c, "p1", TTL_MS); /* exactly TTL_MS old: kept */
    assert_non_null(r);
    wc_release(c, r);
    assert_null(wc_take(c, "p1", TTL_MS + 1));
    assert_int_equal(wc_count(c), 1);
    assert_int_equal(wc_sweep(c, TTL_MS + 500), 0);
    r = wc_take(c, "p2", TTL_MS + 500);             /* a take does not make it younger */
    assert_int_equal(wc_sweep(c, TTL_MS + 501), 1); /* dropped while read */
    assert_int_equal(wc_count(c), 0);
    assert_int_equal(wc_bytes(c), 0);
    assert_int_equal(match_warm_mentees(r), 3);
    assert_int_equal(wc_release(c, r), 0);
    assert_int_equal(wc_held_bytes(c), 0);
    /* a new put starts the age again */
    wc_put(c, "p1", make_state(2), 5000);
    assert_non_null(r = wc_take(c, "p1", 5000 + TTL_MS));
    wc_release(c, r);
    assert_int_equal(wc_free(c), 0);
}

/* max_bytes 0: nothing is kept. */
static void test_disabled(void **state) {
    (void)state;
    wc_cache *c = wc_new(0, TTL_MS);
    assert_false(wc_enabled(c));
    assert_int_equal(wc_put(c, "p", make_state(2), 0), 0);
    assert_null(wc_take(c, "p", 0));
    assert_int_equal(wc_count(c), 0);
    assert_int_equal(wc_free(c), 0);
}

/* wc_free with references out (a caller's bug): it says how many, and the
 * states they read (and the cache) live until the last release, which
 * frees them: ASan sees neither a use-after-free nor a leak. */
static void test_free_with_refs(void **state) {
    (void)state;
    wc_cache *c = wc_new(64 * WC_MB, TTL_MS);
    wc_put(c, "p1", make_state(2), 0);
    wc_put(c, "p2", make_state(3), 0);
    wc_put(c, "p3", make_state(4), 0); /* not referenced: freed by wc_free */
    const match_warm *r1 = wc_take(c, "p1", 1), *r1b = wc_take(c, "p1", 1);
    const match_warm *r2 = wc_take(c, "p2", 1);
    wc_put(c, "p2", make_state(5), 2); /* r2 retired */
    assert_int_equal(wc_free(c), 3);
    assert_int_equal(match_warm_mentees(r1), 2);
    assert_int_equal(match_warm_mentees(r2), 3);
    assert_int_equal(wc_release(c, r2), 0);
    assert_int_equal(wc_release(c, r1), 0);
    assert_int_equal(match_warm_mentees(r1b), 2);
    assert_int_equal(wc_release(c, r1b), 0); /* the last: the cache is gone */
    assert_int_equal(wc_free(NULL), 0);
}

/* A state from the cache starts the program's next run warm. */
static void test_state_serves_a_run(void **state) {
    (void)state;
    wc_cache *c = wc_new(64 * WC_MB, TTL_MS);
    wc_put(c, "p", make_state(4), 0);
    const match_warm *w = wc_take(c, "p", 1);
    inst t;
    inst_make(&t, 4);
    t.in.warm = w;
    match_run_result *res = run_or_fail(&t.in);
    assert_int_equal(res->stats.warm, 1);
    assert_int_equal(res->stats.warm_mentees, 4);
    assert_int_equal(res->stats.matched, 4);
    match_run_free(res);
    wc_release(c, w);
    assert_int_equal(wc_free(c), 0);
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
        cmocka_unit_test(test_put_take_replace),
        cmocka_unit_test(test_refcount),
        cmocka_unit_test(test_lru_cap),
        cmocka_unit_test(test_ttl),
        cmocka_unit_test(test_disabled),
        cmocka_unit_test(test_free_with_refs),
        cmocka_unit_test(test_state_serves_a_run),
    };
    return cmocka_run_group_tests_name("warmcache", tests, setup, teardown);
}
