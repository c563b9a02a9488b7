/* test_matcher.c — cmocka suite of libmatcher (matcher/matcher.h).
 *
 * The formula on hand-computed pairs (each factor, each hard constraint and
 * its precedence, competency weights, rounding), the vectorised kernel
 * against the scalar explanation on random pairs, suggest ordering, runs
 * against an exhaustive search on random small instances (both objectives,
 * pins, forbidden pairs, waitlist, a tiny K so that pricing must work),
 * stable mode without blocking pairs, determinism, edge cases, cancellation,
 * catalogue errors, and the worked example of docs/matching.md.
 *
 * Catalogues come from $CN_DATA or ./data (make check runs from the root). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "matcher/matcher.h"
#include "matcher/internal.h" /* struct match_warm: check_state_bounds; mt_map */

static match_catalog *cat;

static const char *data_dir(void) {
    const char *d = getenv("CN_DATA");
    return d ? d : "data";
}

static int setup_cat(void **state) {
    (void)state;
    match_err err = { 0 };
    return match_catalog_load(data_dir(), &cat, &err) == MATCH_OK ? 0 : -1;
}

static int teardown_cat(void **state) {
    (void)state;
    match_catalog_free(cat);
    cat = NULL;
    return 0;
}

/* ---- fixtures --------------------------------------------------------------- */

static const char *const LANG_ID[] = { "id" };
static const char *const LANG_EN[] = { "en" };

#define SLOTS(n) ((uint32_t)((1u << (n)) - 1)) /* slots 0..n-1 */

/* The base pair of the hand computations:
 *   mentee administrator (rank 3), province 32 (jawa), agency kemenkeu,
 *     M.01 1->3 (gap 2), M.02 2->3 (gap 1), M.03 3->3 (gap 0), slots 0..5
 *   coach rank 4, province 32, M.01 L2 (covers 1), M.02 L5 (covers 1),
 *     slots 0,1 (2 common)
 *   G = 2/3, location 1, availability 2/3
 *   score = 10000*(0.75*2/3 + 0.15*1 + 0.10*2/3) = 7166.67 -> 7167 */
static match_need base_needs[] = {
    { "M.01", 1, 3 },
    { "M.02", 2, 3 },
    { "M.03", 3, 3 },
};
static match_skill base_skills[] = { { "M.01", 2 }, { "M.02", 5 } };

static match_mentee base_mentee(void) {
    match_mentee m = {
        .id = "199001012020011001",
        .agency = "kemenkeu",
        .position_class = "administrator",
        .province = "32",
        .program = "coaching-2026",
        .competencies = base_needs,
        .n_competencies = 3,
        .modality = MATCH_MOD_ONLINE,
        .languages = LANG_ID,
        .n_languages = 1,
        .availability = SLOTS(6),
    };
    return m;
}

static match_coach base_coach(void) {
    match_coach c = {
        .id = "C-0001",
        .kind = "pkn2_alumni",
        .organization = "bappenas",
        .rank = 4,
        .province = "32",
        .competencies = base_skills,
        .n_competencies = 2,
        .capacity = 2,
        .load = 0,
        .modality = MATCH_MOD_ALL,
        .languages = LANG_ID,
        .n_languages = 1,
        .availability = 0x3,
    };
    return c;
}

static match_explain explain(const match_mentee *m, const match_coach *c, const match_policy *p, int forbidden) {
    match_explain ex;
    match_err err = { 0 };
    int rc = match_explain_pair(cat, m, c, p, forbidden, &ex, &err);
    if (rc != MATCH_OK) fail_msg("explain: %s (%s)", err.msg, err.field);
    return ex;
}

static int score_of(const match_mentee *m, const match_coach *c, const match_policy *p) {
    return explain(m, c, p, 0).score;
}

/* ---- catalogues ------------------------------------------------------------- */

static void test_catalog_loads(void **state) {
    (void)state;
    assert_int_equal(match_catalog_count(cat, MATCH_VOCAB_PROVINCE), 38);
    assert_int_equal(match_catalog_count(cat, MATCH_VOCAB_POSITION_CLASS), 10);
    assert_int_equal(match_catalog_count(cat, MATCH_VOCAB_COMPETENCY), 17);
    assert_int_equal(match_catalog_count(cat, MATCH_VOCAB_REGION), 7);
    assert_int_equal(match_catalog_count(cat, MATCH_VOCAB_COACH_KIND), 5);
    assert_int_equal(match_catalog_count(cat, MATCH_VOCAB_MODALITY), 2);
    assert_string_equal(match_catalog_code(cat, MATCH_VOCAB_COMPETENCY, 0), "M.01");
    assert_null(match_catalog_code(cat, MATCH_VOCAB_COMPETENCY, 17));
    assert_null(match_catalog_code(cat, (match_vocab)99, 0));
    assert_int_equal(match_catalog_find(cat, MATCH_VOCAB_PROVINCE, "96"), 37);
    assert_int_equal(match_catalog_find(cat, MATCH_VOCAB_PROVINCE, "99"), -1);
    assert_int_equal(match_position_rank(cat, "administrator"), 3);
    assert_int_equal(match_position_rank(cat, "ahli_utama"), 5);
    assert_int_equal(match_position_required(cat, "jpt_utama"), 5);
    assert_int_equal(match_position_rank(cat, "nope"), -1);
    assert_string_equal(match_province_region(cat, "31"), "jawa");
    assert_string_equal(match_province_region(cat, "96"), "papua");
    assert_null(match_province_region(cat, "00"));
    assert_true(match_competency_valid(cat, "SK.1"));
    assert_true(match_competency_valid(cat, "T.digital"));
    assert_true(match_competency_valid(cat, "T.new_sector-2"));
    assert_false(match_competency_valid(cat, "T.Bad"));
    assert_false(match_competency_valid(cat, "T."));
    assert_false(match_competency_valid(cat, "M.99"));
    assert_false(match_competency_valid(cat, NULL));
    assert_int_equal(match_modality_bit("online"), MATCH_MOD_ONLINE);
    assert_int_equal(match_modality_bit("offline"), MATCH_MOD_OFFLINE);
    assert_int_equal(match_modality_bit("phone"), 0);
}

/* Write a catalogue folder from the real files, with one file replaced. */
static uint64_t rng_state_cat;
static uint32_t cat_rnd(uint32_t n) {
    rng_state_cat = rng_state_cat * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)((rng_state_cat >> 33) % n);
}

static void make_dir(char *dir, size_t n, const char *file, const char *body) {
    snprintf(dir, n, "/tmp/test_matcher_cat_%d", (int)getpid());
    mkdir(dir, 0700);
    const char *names[] = { "competencies.tsv", "position_classes.tsv", "provinces.tsv" };
    for (int i = 0; i < 3; i++) {
        char src[512], dst[512], buf[8192];
        snprintf(src, sizeof(src), "%s/%s", data_dir(), names[i]);
        snprintf(dst, sizeof(dst), "%s/%s", dir, names[i]);
        unlink(dst);
        if (file && strcmp(file, names[i]) == 0) {
            if (!body) continue; /* missing file */
            FILE *f = fopen(dst, "w");
            assert_non_null(f);
            fputs(body, f);
            fclose(f);
            continue;
        }
        FILE *in = fopen(src, "r"), *out = fopen(dst, "w");
        assert_non_null(in);
        assert_non_null(out);
        size_t r;
        while ((r = fread(buf, 1, sizeof(buf), in)) > 0) fwrite(buf, 1, r, out);
        fclose(in);
        fclose(out);
    }
}

static void remove_dir(const char *dir) {
    const char *names[] = { "competencies.tsv", "position_classes.tsv", "provinces.tsv" };
    char p[512];
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
}

static void expect_load_error(const char *file, const char *body, int want_rc, const char *want_msg) {
    char dir[256];
    match_catalog *c = (match_catalog *)1;
    match_err err = { 0 };
    make_dir(dir, sizeof(dir), file, body);
    int rc = match_catalog_load(dir, &c, &err);
    remove_dir(dir);
    assert_int_equal(rc, want_rc);
    assert_null(c);
    if (!strstr(err.msg, want_msg)) fail_msg("message \"%s\" lacks \"%s\"", err.msg, want_msg);
}

static void test_catalog_errors(void **state) {
    (void)state;
    match_catalog *c = NULL;
    match_err err = { 0 };
    assert_int_equal(match_catalog_load("/nonexistent/dir", &c, &err), MATCH_EIO);
    assert_null(c);
    assert_non_null(strstr(err.msg, "/nonexistent/dir/competencies.tsv"));

    expect_load_error("provinces.tsv", NULL, MATCH_EIO, "provinces.tsv");
    expect_load_error("position_classes.tsv", "# c\tn\trank\treq\npelaksana\tPelaksana\t1\t1\nbad\tBad\t9\t1\n",
                      MATCH_ERR, "position_classes.tsv:3: rank must be 1..6");
    expect_load_error("position_classes.tsv", "x\tX\t1\t0\n", MATCH_ERR,
                      "position_classes.tsv:1: required_managerial_level");
    expect_load_error("position_classes.tsv", "x\tX\t1\n", MATCH_ERR, "position_classes.tsv:1: expected code");
    expect_load_error("position_classes.tsv", "x\tX\t1\t1\nx\tY\t2\t2\n", MATCH_ERR,
                      "position_classes.tsv:2: duplicate");
    expect_load_error("position_classes.tsv", "# only comments\n", MATCH_ERR, "no position classes");
    expect_load_error("competencies.tsv", "M.01\tmanagerial\ta\tb\nM.02\tbogus\ta\tb\n", MATCH_ERR,
                      "competencies.tsv:2: kind must be");
    expect_load_error("competencies.tsv", "M.01\ttechnical\ta\tb\n", MATCH_ERR, "competencies.tsv:1: technical codes");
    expect_load_error("competencies.tsv", "T.Up\ttechnical\ta\tb\n", MATCH_ERR,
                      "competencies.tsv:1: technical code must be");
    expect_load_error("provinces.tsv", "11\tAceh\tsumatera\tmany\n", MATCH_ERR, "provinces.tsv:1: pns");
    expect_load_error("provinces.tsv", "11\tAceh\n", MATCH_ERR, "provinces.tsv:1: expected code");
    expect_load_error("provinces.tsv", "11\tAceh\tsumatera\t\n11\tX\tjawa\t\n", MATCH_ERR,
                      "provinces.tsv:2: duplicate province");
    /* A good copy loads, CRLF line ends included. */
    char dir[256];
    make_dir(dir, sizeof(dir), "provinces.tsv", "# x\r\n11\tAceh\tsumatera\t5\r\n");
    assert_int_equal(match_catalog_load(dir, &c, &err), MATCH_OK);
    remove_dir(dir);
    assert_int_equal(match_catalog_count(c, MATCH_VOCAB_PROVINCE), 1);
    assert_string_equal(match_province_region(c, "11"), "sumatera");
    match_catalog_free(c);
}

/* Random bytes as a catalogue: an error naming the file (and a line when
 * one is at fault), or a catalogue; never a crash (ASan in check). */
static void test_catalog_garbage(void **state) {
    (void)state;
    rng_state_cat = 99;
    static const char alphabet[] = "\t\n#T.M01aZ-_ 9\r,:";
    for (int round = 0; round < 200; round++) {
        char body[512];
        size_t n = 1 + cat_rnd(sizeof(body) - 2);
        for (size_t i = 0; i < n; i++) body[i] = alphabet[cat_rnd(sizeof(alphabet) - 1)];
        body[n] = '\0';
        const char *files[] = { "competencies.tsv", "position_classes.tsv", "provinces.tsv" };
        const char *file = files[round % 3];
        char dir[256];
        match_catalog *c = NULL;
        match_err err = { 0 };
        make_dir(dir, sizeof(dir), file, body);
        int rc = match_catalog_load(dir, &c, &err);
        remove_dir(dir);
        if (rc == MATCH_OK) {
            assert_non_null(c);
            match_catalog_free(c);
        } else {
            assert_int_equal(rc, MATCH_ERR);
            assert_null(c);
            if (!strstr(err.msg, file)) fail_msg("\"%s\" does not name %s", err.msg, file);
        }
    }
}

/* ---- the string map (map.c) ------------------------------------------------------ */

/* Random puts, gets and deletes against a plain array: keys of 0..23 bytes
 * (both sides of the hash's 8-byte words) from a small alphabet, so that
 * keys share prefixes and differ only in their last byte, and the map
 * grows, deletes into probe runs and refills. */
static void test_map_ops(void **state) {
    (void)state;
    enum { NKEYS = 600 };
    static char keys[NKEYS][24];
    static uint32_t ref[NKEYS]; /* value + 1, 0 = absent */
    rng_state_cat = 7;
    for (int i = 0; i < NKEYS; i++) {
        size_t n;
        int dup;
        do { /* distinct keys */
            n = cat_rnd(24);
            for (size_t j = 0; j < n; j++) keys[i][j] = "ab.1"[cat_rnd(4)];
            keys[i][n] = '\0';
            dup = 0;
            for (int j = 0; j < i && !dup; j++) dup = strcmp(keys[i], keys[j]) == 0;
        } while (dup);
        ref[i] = 0;
    }
    mt_map m;
    mt_map_init(&m);
    assert_int_equal(mt_map_get(&m, "absent"), MT_NONE);
    mt_map_del(&m, "absent");
    for (int op = 0; op < 20000; op++) {
        int i = (int)cat_rnd(NKEYS), what = (int)cat_rnd(10);
        char probe[24];
        memcpy(probe, keys[i], sizeof(probe)); /* not the stored pointer */
        if (what < 5) {
            assert_int_equal(mt_map_put(&m, probe, (uint32_t)op), MATCH_OK);
            ref[i] = (uint32_t)op + 1;
        } else if (what < 7) {
            mt_map_del(&m, probe);
            ref[i] = 0;
        } else {
            assert_int_equal(mt_map_get(&m, probe), ref[i] ? ref[i] - 1 : MT_NONE);
        }
        if (op % 1000 == 999) {
            size_t len = 0;
            for (int j = 0; j < NKEYS; j++) {
                len += ref[j] != 0;
                assert_int_equal(mt_map_get(&m, keys[j]), ref[j] ? ref[j] - 1 : MT_NONE);
            }
            assert_int_equal(m.len, len);
        }
    }
    uint32_t v = mt_map_intern(&m, "fresh key");
    assert_int_equal(v, (uint32_t)m.len - 1);
    assert_int_equal(mt_map_intern(&m, "fresh key"), v);
    mt_map_free(&m);
}

/* ---- the formula --------------------------------------------------------------- */

static void test_score_base(void **state) {
    (void)state;
    match_mentee m = base_mentee();
    match_coach c = base_coach();
    match_explain ex = explain(&m, &c, NULL, 0);
    assert_int_equal(ex.score, 7167);
    assert_true(ex.feasible);
    assert_int_equal(ex.reason, MATCH_REASON_NONE);
    assert_int_equal(ex.gap_num, 2000);
    assert_int_equal(ex.gap_den, 3000);
    assert_true(ex.gap_coverage > 0.6666 && ex.gap_coverage < 0.6667);
    assert_true(ex.location == 1.0);
    assert_int_equal(ex.common_slots, 2);
    assert_true(ex.availability > 0.6666 && ex.availability < 0.6667);
    assert_int_equal(ex.n_competencies, 3);
    assert_string_equal(ex.competencies[0].code, "M.01");
    assert_int_equal(ex.competencies[0].gap, 2);
    assert_int_equal(ex.competencies[0].coach_level, 2);
    assert_int_equal(ex.competencies[0].covered, 1);
    assert_int_equal(ex.competencies[1].covered, 1); /* L5 covers only gap 1 */
    assert_int_equal(ex.competencies[2].gap, 0);
    assert_int_equal(ex.competencies[2].coach_level, 0);
    assert_int_equal(ex.competencies[2].covered, 0);
}

static void test_score_location(void **state) {
    (void)state;
    match_mentee m = base_mentee();
    match_coach c = base_coach();
    c.province = "33";                              /* Jawa Tengah: same region */
    assert_int_equal(score_of(&m, &c, NULL), 6417); /* 0.5+0.075+0.0667 */
    assert_true(explain(&m, &c, NULL, 0).location == 0.5);
    c.province = "11"; /* Aceh: another region */
    assert_int_equal(score_of(&m, &c, NULL), 5667);
    assert_true(explain(&m, &c, NULL, 0).location == 0.0);
}

static void test_score_availability(void **state) {
    (void)state;
    match_mentee m = base_mentee();
    match_coach c = base_coach();
    c.availability = 0x7; /* 3 common: 1.0 */
    assert_int_equal(score_of(&m, &c, NULL), 7500);
    c.availability = 0x1FFFFF & ~SLOTS(6);          /* none in common */
    c.availability |= 0x1;                          /* one */
    assert_int_equal(score_of(&m, &c, NULL), 6833); /* 0.5+0.15+0.0333 */
    c.availability = 0;                             /* any time: 6 common with the mentee */
    assert_int_equal(score_of(&m, &c, NULL), 7500);
    assert_int_equal(explain(&m, &c, NULL, 0).common_slots, 6);
    m.availability = 0; /* both any: 21 */
    assert_int_equal(explain(&m, &c, NULL, 0).common_slots, 21);
    m.availability = 0;
    c.availability = 0x3;
    assert_int_equal(score_of(&m, &c, NULL), 7167);
}

static void test_score_gap(void **state) {
    (void)state;
    match_mentee m = base_mentee();
    match_coach c = base_coach();
    match_skill none[] = { { "SK.1", 5 } };
    c.competencies = none;
    c.n_competencies = 1; /* covers nothing: G = 0 */
    assert_int_equal(score_of(&m, &c, NULL), 2167);
    match_skill full[] = { { "M.01", 4 }, { "M.02", 3 } };
    c.competencies = full;
    c.n_competencies = 2; /* covers all: G = 1 */
    assert_int_equal(score_of(&m, &c, NULL), 9667);
    match_skill low[] = { { "M.01", 1 }, { "M.02", 1 } }; /* at/below current */
    c.competencies = low;
    assert_int_equal(score_of(&m, &c, NULL), 2167);
    /* A mentee with no gap has G = 0 whatever the coach knows. */
    match_need nogap[] = { { "M.01", 3, 3 }, { "M.02", 4, 2 } };
    m.competencies = nogap;
    m.n_competencies = 2;
    c.competencies = full;
    match_explain ex = explain(&m, &c, NULL, 0);
    assert_int_equal(ex.score, 2167);
    assert_int_equal(ex.gap_den, 0);
    assert_true(ex.gap_coverage == 0.0);
    m.n_competencies = 0;
    assert_int_equal(score_of(&m, &c, NULL), 2167);
}

static void test_score_weights(void **state) {
    (void)state;
    match_mentee m = base_mentee();
    match_coach c = base_coach();
    match_policy p;
    match_policy_default(&p);
    /* M.01 weighs 3: G = (3*1 + 1*1) / (3*2 + 1*1) = 4/7;
     * 10000*(0.75*4/7 + 0.15 + 0.1*2/3) = 6452.38 -> 6452 */
    match_comp_weight w[] = { { "M.01", 3000 } };
    p.comp_weights = w;
    p.n_comp_weights = 1;
    assert_int_equal(score_of(&m, &c, &p), 6452);
    match_explain ex = explain(&m, &c, &p, 0);
    assert_int_equal(ex.gap_num, 4000);
    assert_int_equal(ex.gap_den, 7000);
    assert_int_equal(ex.competencies[0].weight, 3000);
    assert_int_equal(ex.competencies[1].weight, 1000);
    /* Weight 0 removes a competency: G = 1/1 from M.02 alone */
    w[0].weight = 0;
    assert_int_equal(score_of(&m, &c, &p), 9667 - 0); /* 0.75+0.15+0.0667 */
    /* Factor weights are normalised by their sum: 3/3/0 = 0.5/0.5/0 */
    p.n_comp_weights = 0;
    p.w_gap = 3000;
    p.w_location = 3000;
    p.w_availability = 0;
    assert_int_equal(score_of(&m, &c, &p), 8333); /* (2/3 + 1)/2 */
    p.w_gap = 0;
    p.w_location = 0;
    p.w_availability = 1;
    assert_int_equal(score_of(&m, &c, &p), 6667);
}

static void test_score_rounding(void **state) {
    (void)state;
    /* 4 gaps of 4, one unit covered: G = 1/16.  Weights gap 1, location 1:
     * same province 10000*(1/16 + 1)/2 = 5312.5 -> 5313 (half up), same
     * region 2812.5 -> 2813, other 312.5 -> 313. */
    match_need needs[] = { { "M.01", 1, 5 }, { "M.02", 1, 5 }, { "M.03", 1, 5 }, { "M.04", 1, 5 } };
    match_skill skills[] = { { "M.01", 2 } };
    match_mentee m = base_mentee();
    m.competencies = needs;
    m.n_competencies = 4;
    match_coach c = base_coach();
    c.competencies = skills;
    c.n_competencies = 1;
    match_policy p;
    match_policy_default(&p);
    p.w_gap = 1000;
    p.w_location = 1000;
    p.w_availability = 0;
    assert_int_equal(score_of(&m, &c, &p), 5313);
    c.province = "33";
    assert_int_equal(score_of(&m, &c, &p), 2813);
    c.province = "11";
    assert_int_equal(score_of(&m, &c, &p), 313);
    /* Below half rounds down: G = 1/3 of gap weight 1 only: 3333.33 */
    p.w_location = 0;
    match_need n3[] = { { "M.01", 2, 5 } };
    m.competencies = n3;
    m.n_competencies = 1;
    c.competencies = skills; /* L2 covers 0 */
    match_skill s3[] = { { "M.01", 3 } };
    c.competencies = s3;
    assert_int_equal(score_of(&m, &c, &p), 3333);
    match_skill s4[] = { { "M.01", 4 } };
    c.competencies = s4;
    assert_int_equal(score_of(&m, &c, &p), 6667); /* 6666.67 up */
}

static void expect_reason(const match_mentee *m, const match_coach *c, const match_policy *p, int forbidden,
                          match_reason r) {
    match_explain ex = explain(m, c, p, forbidden);
    if (ex.reason != r)
        fail_msg("reason %s, expected %s", match_reason_name(ex.reason) ? match_reason_name(ex.reason) : "none",
                 match_reason_name(r) ? match_reason_name(r) : "none");
    assert_int_equal(ex.feasible, r == MATCH_REASON_NONE);
}

static void test_hard_constraints(void **state) {
    (void)state;
    match_mentee m = base_mentee();
    match_coach c = base_coach();
    match_policy p;
    match_policy_default(&p);
    expect_reason(&m, &c, NULL, 0, MATCH_REASON_NONE);

    match_coach x = c;
    const char *progs[] = { "other-program" };
    x.programs = progs;
    x.n_programs = 1;
    expect_reason(&m, &x, NULL, 0, MATCH_REASON_PROGRAM);
    const char *progs2[] = { "other-program", "coaching-2026" };
    x.programs = progs2;
    x.n_programs = 2;
    expect_reason(&m, &x, NULL, 0, MATCH_REASON_NONE);

    x = c;
    x.load = 2;
    expect_reason(&m, &x, NULL, 0, MATCH_REASON_CAPACITY);
    x.load = 0;
    x.capacity = 0;
    expect_reason(&m, &x, NULL, 0, MATCH_REASON_CAPACITY);

    x = c;
    x.organization = "kemenkeu";
    expect_reason(&m, &x, NULL, 0, MATCH_REASON_SAME_AGENCY);
    p.forbid_same_agency = 0;
    expect_reason(&m, &x, &p, 0, MATCH_REASON_NONE);
    p.forbid_same_agency = 1;

    x = c;
    x.rank = 3; /* mentee rank 3 + gap 1 */
    expect_reason(&m, &x, NULL, 0, MATCH_REASON_RANK);
    p.min_rank_gap = 0;
    expect_reason(&m, &x, &p, 0, MATCH_REASON_NONE);
    p.min_rank_gap = 2;
    x.rank = 4;
    expect_reason(&m, &x, &p, 0, MATCH_REASON_RANK);
    x.rank = 5;
    expect_reason(&m, &x, &p, 0, MATCH_REASON_NONE);
    p.min_rank_gap = -1; /* a coach one rank below is allowed */
    x.rank = 2;
    expect_reason(&m, &x, &p, 0, MATCH_REASON_NONE);
    x.rank = 1;
    expect_reason(&m, &x, &p, 0, MATCH_REASON_RANK);
    p.min_rank_gap = -5; /* rank + gap below 1: any rank */
    expect_reason(&m, &x, &p, 0, MATCH_REASON_NONE);
    p.min_rank_gap = 1;

    x = c;
    x.modality = MATCH_MOD_OFFLINE;
    expect_reason(&m, &x, NULL, 0, MATCH_REASON_MODALITY);

    x = c;
    x.languages = LANG_EN;
    expect_reason(&m, &x, NULL, 0, MATCH_REASON_LANGUAGE);

    x = c;
    x.availability = 1u << 20;
    expect_reason(&m, &x, NULL, 0, MATCH_REASON_AVAILABILITY);

    expect_reason(&m, &c, NULL, 1, MATCH_REASON_FORBIDDEN);

    p.min_score = 7168;
    expect_reason(&m, &c, &p, 0, MATCH_REASON_MIN_SCORE);
    p.min_score = 7167; /* equal passes */
    expect_reason(&m, &c, &p, 0, MATCH_REASON_NONE);

    /* Precedence: every constraint broken at once reports them in DESIGN
     * order, one by one as each is fixed. */
    x = c;
    x.programs = progs;
    x.n_programs = 1;
    x.load = 2;
    x.organization = "kemenkeu";
    x.rank = 1;
    x.modality = MATCH_MOD_OFFLINE;
    x.languages = LANG_EN;
    x.availability = 1u << 20;
    p.min_score = 10000;
    expect_reason(&m, &x, &p, 1, MATCH_REASON_PROGRAM);
    x.n_programs = 0;
    expect_reason(&m, &x, &p, 1, MATCH_REASON_CAPACITY);
    x.load = 0;
    expect_reason(&m, &x, &p, 1, MATCH_REASON_SAME_AGENCY);
    x.organization = "bappenas";
    expect_reason(&m, &x, &p, 1, MATCH_REASON_RANK);
    x.rank = 6;
    expect_reason(&m, &x, &p, 1, MATCH_REASON_MODALITY);
    x.modality = MATCH_MOD_ALL;
    expect_reason(&m, &x, &p, 1, MATCH_REASON_LANGUAGE);
    x.languages = LANG_ID;
    expect_reason(&m, &x, &p, 1, MATCH_REASON_AVAILABILITY);
    x.availability = 0;
    expect_reason(&m, &x, &p, 1, MATCH_REASON_FORBIDDEN);
    expect_reason(&m, &x, &p, 0, MATCH_REASON_MIN_SCORE);

    /* names */
    assert_string_equal(match_reason_name(MATCH_REASON_CAPACITY), "capacity");
    assert_string_equal(match_reason_name(MATCH_REASON_SAME_AGENCY), "same_agency");
    assert_string_equal(match_reason_name(MATCH_REASON_RANK), "rank");
    assert_string_equal(match_reason_name(MATCH_REASON_MODALITY), "modality");
    assert_string_equal(match_reason_name(MATCH_REASON_LANGUAGE), "language");
    assert_string_equal(match_reason_name(MATCH_REASON_AVAILABILITY), "availability");
    assert_string_equal(match_reason_name(MATCH_REASON_FORBIDDEN), "forbidden");
    assert_string_equal(match_reason_name(MATCH_REASON_MIN_SCORE), "min_score");
    assert_string_equal(match_reason_name(MATCH_REASON_PROGRAM), "program");
    assert_null(match_reason_name(MATCH_REASON_NONE));
    assert_null(match_reason_name(MATCH_REASON__COUNT));
    assert_string_equal(match_unmatched_name(MATCH_UNMATCHED_NO_FEASIBLE_COACH), "no_feasible_coach");
    assert_string_equal(match_unmatched_name(MATCH_UNMATCHED_CAPACITY), "capacity");
    assert_string_equal(match_unmatched_name(MATCH_UNMATCHED_BELOW_MIN_SCORE), "below_min_score");
}

/* ---- validation ----------------------------------------------------------------- */

static void expect_field(int rc, const match_err *err, const char *field) {
    assert_int_equal(rc, MATCH_ERR);
    if (strcmp(err->field, field) != 0) fail_msg("field \"%s\" (%s), expected \"%s\"", err->field, err->msg, field);
    assert_true(err->msg[0] != '\0');
}

static void test_validation(void **state) {
    (void)state;
    match_err err;
    match_mentee m = base_mentee();
    match_coach c = base_coach();
    assert_int_equal(match_mentee_check(cat, &m, &err), MATCH_OK);
    assert_int_equal(match_coach_check(cat, &c, &err), MATCH_OK);

    match_mentee x = m;
    x.id = "";
    expect_field(match_mentee_check(cat, &x, &err), &err, "id");
    x = m;
    x.province = "99";
    expect_field(match_mentee_check(cat, &x, &err), &err, "province");
    x = m;
    x.position_class = "king";
    expect_field(match_mentee_check(cat, &x, &err), &err, "position_class");
    x = m;
    x.modality = 0;
    expect_field(match_mentee_check(cat, &x, &err), &err, "modality");
    x = m;
    x.availability = 1u << 21;
    expect_field(match_mentee_check(cat, &x, &err), &err, "availability");
    x = m;
    x.n_languages = 0;
    expect_field(match_mentee_check(cat, &x, &err), &err, "languages");
    match_need bad[] = { { "M.01", 1, 3 }, { "M.01", 1, 3 } };
    x = m;
    x.competencies = bad;
    x.n_competencies = 2;
    expect_field(match_mentee_check(cat, &x, &err), &err, "competencies[1].code");
    match_need bad2[] = { { "M.01", 6, 3 } };
    x.competencies = bad2;
    x.n_competencies = 1;
    expect_field(match_mentee_check(cat, &x, &err), &err, "competencies[0].current");
    match_need bad3[] = { { "M.01", 1, 0 } };
    x.competencies = bad3;
    expect_field(match_mentee_check(cat, &x, &err), &err, "competencies[0].required");
    match_need bad4[] = { { "Q.1", 1, 2 } };
    x.competencies = bad4;
    expect_field(match_mentee_check(cat, &x, &err), &err, "competencies[0].code");
    /* repeats: catalogue codes by index, T.<sector> codes by name, and a
     * catalogue code beside T.<sector> codes is none */
    match_need tdup[] = { { "T.digital", 1, 3 }, { "M.01", 1, 3 }, { "T.energy", 1, 3 }, { "T.digital", 1, 2 } };
    x.competencies = tdup;
    x.n_competencies = 4;
    expect_field(match_mentee_check(cat, &x, &err), &err, "competencies[3].code");
    assert_non_null(strstr(err.msg, "duplicate competency \"T.digital\""));
    x.n_competencies = 3;
    assert_int_equal(match_mentee_check(cat, &x, &err), MATCH_OK);
    match_skill sdup[] = { { "M.02", 3 }, { "T.digital", 3 }, { "M.02", 4 } };
    match_coach cx = c;
    cx.competencies = sdup;
    cx.n_competencies = 3;
    expect_field(match_coach_check(cat, &cx, &err), &err, "competencies[2].code");
    cx.n_competencies = 2;
    assert_int_equal(match_coach_check(cat, &cx, &err), MATCH_OK);

    match_coach y = c;
    y.rank = 7;
    expect_field(match_coach_check(cat, &y, &err), &err, "rank");
    y = c;
    y.capacity = 51;
    expect_field(match_coach_check(cat, &y, &err), &err, "capacity");
    y = c;
    y.kind = "guru";
    expect_field(match_coach_check(cat, &y, &err), &err, "kind");
    y = c;
    y.load = -1;
    expect_field(match_coach_check(cat, &y, &err), &err, "load");
    match_skill bs[] = { { "M.01", 0 } };
    y = c;
    y.competencies = bs;
    y.n_competencies = 1;
    expect_field(match_coach_check(cat, &y, &err), &err, "competencies[0].level");
    const char *dup[] = { "a", "a" };
    y = c;
    y.programs = dup;
    y.n_programs = 2;
    expect_field(match_coach_check(cat, &y, &err), &err, "programs[1]");

    match_policy p;
    match_policy_default(&p);
    assert_int_equal(match_policy_check(cat, &p, &err), MATCH_OK);
    p.min_score = 10001;
    expect_field(match_policy_check(cat, &p, &err), &err, "min_score");
    match_policy_default(&p);
    p.w_gap = p.w_location = p.w_availability = 0;
    expect_field(match_policy_check(cat, &p, &err), &err, "weights");
    match_policy_default(&p);
    match_comp_weight cw[] = { { "M.01", MATCH_COMP_WEIGHT_MAX } };
    p.comp_weights = cw;
    p.n_comp_weights = 1;
    assert_int_equal(match_policy_check(cat, &p, &err), MATCH_OK);
    cw[0].weight = MATCH_COMP_WEIGHT_MAX + 1;
    expect_field(match_policy_check(cat, &p, &err), &err, "competency_weights.M.01");
    match_policy_default(&p);
    p.min_rank_gap = -6;
    expect_field(match_policy_check(cat, &p, &err), &err, "min_rank_gap");
    p.min_rank_gap = 6;
    expect_field(match_policy_check(cat, &p, &err), &err, "min_rank_gap");
    /* explain_pair validates too */
    match_explain ex;
    expect_field(match_explain_pair(cat, &m, &c, &p, 0, &ex, &err), &err, "min_rank_gap");

    match_objective o;
    match_mode md;
    assert_int_equal(match_objective_parse("quality", &o), MATCH_OK);
    assert_int_equal(o, MATCH_OBJ_QUALITY);
    assert_int_equal(match_objective_parse("best", &o), MATCH_ERR);
    assert_int_equal(match_mode_parse("stable", &md), MATCH_OK);
    assert_int_equal(md, MATCH_MODE_STABLE);
    assert_int_equal(match_mode_parse(NULL, &md), MATCH_ERR);
    assert_string_equal(match_objective_name(MATCH_OBJ_PARTICIPATION), "participation");
    assert_string_equal(match_mode_name(MATCH_MODE_OPTIMAL), "optimal");
}

/* ---- random instances ----------------------------------------------------------- */

/* A small random world: everything drawn from few values so that ties,
 * infeasible pairs and shared agencies are common. */
#define RMAX_M 64
#define RMAX_C 64

typedef struct world {
    size_t nm, nc;
    match_mentee m[RMAX_M];
    match_coach c[RMAX_C];
    match_need needs[RMAX_M][4];
    match_skill skills[RMAX_C][4];
    char mid[RMAX_M][24], cid[RMAX_C][24];
    const char *langs[RMAX_M + RMAX_C][2];
    uint32_t waitlist[RMAX_M];
    match_pair_ref pins[8], forbids[16];
    size_t n_pins, n_forbids;
} world;

static uint64_t rng_state;
static uint32_t rnd(uint32_t n) {
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)((rng_state >> 33) % n);
}

static const char *const R_COMPS[] = { "M.01", "M.02", "M.04", "T.digital" };
static const char *const R_PROV[] = { "31", "32", "11" };
static const char *const R_AGENCY[] = { "kemenkeu", "bkn", "pemprov-31" };
static const char *const R_CLASS[] = { "pelaksana", "pengawas", "administrator" };
static const char *const R_LANG[] = { "id", "en", "jv" };

static void random_world(world *w, size_t nm, size_t nc, int with_pairs) {
    memset(w, 0, sizeof(*w));
    w->nm = nm;
    w->nc = nc;
    for (size_t i = 0; i < nm; i++) {
        match_mentee *m = &w->m[i];
        snprintf(w->mid[i], sizeof(w->mid[i]), "M%03u", rnd(1000));
        /* unique ids */
        for (size_t j = 0; j < i; j++)
            if (strcmp(w->mid[i], w->mid[j]) == 0) {
                snprintf(w->mid[i], sizeof(w->mid[i]), "M%zu-x", i);
                break;
            }
        int nk = (int)rnd(4);
        for (int k = 0; k < nk; k++) {
            w->needs[i][k].code = R_COMPS[k];
            w->needs[i][k].current = (int)rnd(4);
            w->needs[i][k].required = 1 + (int)rnd(5);
        }
        w->langs[i][0] = R_LANG[rnd(3)];
        w->langs[i][1] = "id";
        *m = (match_mentee){
            .id = w->mid[i],
            .agency = R_AGENCY[rnd(3)],
            .position_class = R_CLASS[rnd(3)],
            .province = R_PROV[rnd(3)],
            .program = rnd(8) ? "p1" : "p2",
            .competencies = w->needs[i],
            .n_competencies = (size_t)nk,
            .modality = 1 + rnd(3),
            .languages = w->langs[i],
            .n_languages = strcmp(w->langs[i][0], "id") ? 1 + rnd(2) : 1,
            .availability = rnd(4) ? (1u << rnd(4)) | (1u << rnd(4)) | (1u << rnd(6)) : 0,
        };
        w->waitlist[i] = rnd(3) ? 0 : rnd(3);
    }
    for (size_t i = 0; i < nc; i++) {
        match_coach *c = &w->c[i];
        snprintf(w->cid[i], sizeof(w->cid[i]), "C%03zu", (i * 7919) % 1000);
        int nk = (int)rnd(4);
        for (int k = 0; k < nk; k++) {
            w->skills[i][k].code = R_COMPS[k];
            w->skills[i][k].level = 1 + (int)rnd(5);
        }
        const char **l = w->langs[RMAX_M + i];
        l[0] = R_LANG[rnd(3)];
        l[1] = l[0][0] == 'i' ? "en" : "id";
        static const char *const progs[] = { "p2" };
        static const char *const progs2[] = { "p3", "p1" };
        *c = (match_coach){
            .id = w->cid[i],
            .kind = "widyaiswara",
            .organization = R_AGENCY[rnd(3)],
            .rank = 2 + (int)rnd(4),
            .province = R_PROV[rnd(3)],
            .competencies = w->skills[i],
            .n_competencies = (size_t)nk,
            .capacity = (int)rnd(4),
            .load = rnd(5) ? 0 : 1,
            .programs = rnd(6)   ? NULL
                        : rnd(2) ? progs
                                 : progs2,
            .modality = 1 + rnd(3),
            .languages = l,
            .n_languages = 1 + rnd(2),
            .availability = rnd(4) ? (1u << rnd(4)) | (1u << rnd(5)) | (1u << rnd(8)) : 0,
        };
        c->n_programs = !c->programs ? 0 : c->programs == progs ? 1 : 2;
    }
    if (with_pairs && nm && nc) {
        w->n_pins = rnd(3);
        for (size_t i = 0; i < w->n_pins; i++)
            w->pins[i] = (match_pair_ref){ w->mid[rnd((uint32_t)nm)], w->cid[rnd((uint32_t)nc)] };
        w->n_forbids = rnd(6);
        for (size_t i = 0; i < w->n_forbids; i++)
            w->forbids[i] = (match_pair_ref){ w->mid[rnd((uint32_t)nm)], w->cid[rnd((uint32_t)nc)] };
    }
}

static match_run_input world_input(world *w, const match_policy *p) {
    match_run_input in = {
        .mentees = w->m,
        .n_mentees = w->nm,
        .waitlist = w->waitlist,
        .coaches = w->c,
        .n_coaches = w->nc,
        .pinned = w->pins,
        .n_pinned = w->n_pins,
        .forbidden = w->forbids,
        .n_forbidden = w->n_forbids,
        .policy = p,
    };
    return in;
}

static match_run_result *run_ok(const match_run_input *in) {
    match_run_result *r = NULL;
    match_err err = { 0 };
    int rc = match_run(cat, in, &r, &err);
    if (rc != MATCH_OK) fail_msg("match_run: %d %s (%s)", rc, err.msg, err.field);
    return r;
}

/* The kernel (suggest) gives exactly the scalar explanation's scores. */
static void test_kernel_matches_explain(void **state) {
    (void)state;
    rng_state = 7;
    static world w;
    for (int round = 0; round < 30; round++) {
        random_world(&w, 8, 60, 0);
        match_index *idx = match_index_new(cat);
        assert_non_null(idx);
        match_err err;
        for (size_t i = 0; i < w.nc; i++) assert_int_equal(match_index_upsert(idx, &w.c[i], &err), MATCH_OK);
        match_policy p;
        match_policy_default(&p);
        match_comp_weight cw[] = { { "M.02", 2500 }, { "T.digital", 0 } };
        if (round % 3 == 1) {
            p.comp_weights = cw;
            p.n_comp_weights = 2;
        }
        if (round % 3 == 2) {
            p.w_gap = 333;
            p.w_location = 7;
            p.w_availability = 1000;
            p.min_rank_gap = 0;
        }
        for (size_t i = 0; i < w.nm; i++) {
            match_query q = { .mentee = &w.m[i], .policy = &p };
            match_suggestion s[100];
            size_t n;
            assert_int_equal(match_suggest(idx, &q, 100, s, &n, &err), MATCH_OK);
            size_t feasible = 0;
            for (size_t j = 0; j < w.nc; j++) {
                match_explain ex = explain(&w.m[i], &w.c[j], &p, 0);
                match_explain ex2;
                assert_int_equal(match_explain_coach(idx, &q, w.c[j].id, &ex2, &err), MATCH_OK);
                assert_int_equal(ex.score, ex2.score);
                assert_int_equal(ex.reason, ex2.reason);
                if (!ex.feasible) continue;
                feasible++;
                size_t k;
                for (k = 0; k < n && strcmp(s[k].coach_id, w.c[j].id); k++) {}
                if (k == n) fail_msg("feasible coach %s missing", w.c[j].id);
                assert_int_equal(s[k].score, ex.score);
            }
            assert_int_equal(n, feasible);
        }
        match_index_free(idx);
    }
}

static void test_suggest_order(void **state) {
    (void)state;
    match_index *idx = match_index_new(cat);
    match_err err;
    match_mentee m = base_mentee();
    match_coach c = base_coach();
    /* Scores: C-b 7167, C-a 7167 (tie: id order), C-c 7500, C-d full,
     * C-e same agency, C-f 6417 */
    match_coach cs[6];
    const char *ids[] = { "C-b", "C-a", "C-c", "C-d", "C-e", "C-f" };
    for (int i = 0; i < 6; i++) {
        cs[i] = c;
        cs[i].id = ids[i];
    }
    cs[2].availability = 0x7;
    cs[3].load = 2;
    cs[4].organization = "kemenkeu";
    cs[5].province = "33";
    for (int i = 0; i < 6; i++) assert_int_equal(match_index_upsert(idx, &cs[i], &err), MATCH_OK);
    assert_int_equal(match_index_size(idx), 6);
    match_query q = { .mentee = &m };
    match_suggestion s[10];
    size_t n;
    assert_int_equal(match_suggest(idx, &q, 10, s, &n, &err), MATCH_OK);
    assert_int_equal(n, 4);
    assert_string_equal(s[0].coach_id, "C-c");
    assert_int_equal(s[0].score, 7500);
    assert_string_equal(s[1].coach_id, "C-a");
    assert_string_equal(s[2].coach_id, "C-b");
    assert_int_equal(s[2].score, 7167);
    assert_string_equal(s[3].coach_id, "C-f");
    /* limit */
    assert_int_equal(match_suggest(idx, &q, 2, s, &n, &err), MATCH_OK);
    assert_int_equal(n, 2);
    assert_string_equal(s[1].coach_id, "C-a");
    assert_int_equal(match_suggest(idx, &q, 0, s, &n, &err), MATCH_ERR);
    assert_string_equal(err.field, "limit");
    /* forbidden coach ids */
    const char *forb[] = { "C-c", "nobody" };
    q.forbidden = forb;
    q.n_forbidden = 2;
    assert_int_equal(match_suggest(idx, &q, 10, s, &n, &err), MATCH_OK);
    assert_int_equal(n, 3);
    assert_string_equal(s[0].coach_id, "C-a");
    match_explain ex;
    assert_int_equal(match_explain_coach(idx, &q, "C-c", &ex, &err), MATCH_OK);
    assert_int_equal(ex.reason, MATCH_REASON_FORBIDDEN);
    q.n_forbidden = 0;
    /* load updates and removal */
    assert_int_equal(match_index_set_load(idx, "C-d", 1), MATCH_OK);
    assert_int_equal(match_index_set_load(idx, "C-x", 1), MATCH_ENOTFOUND);
    assert_int_equal(match_index_set_load(idx, "C-d", -1), MATCH_ERR);
    assert_int_equal(match_suggest(idx, &q, 10, s, &n, &err), MATCH_OK);
    assert_int_equal(n, 5);
    assert_int_equal(match_index_set_load(idx, "C-c", 2), MATCH_OK);
    assert_int_equal(match_explain_coach(idx, &q, "C-c", &ex, &err), MATCH_OK);
    assert_int_equal(ex.reason, MATCH_REASON_CAPACITY);
    assert_int_equal(match_index_remove(idx, "C-a"), MATCH_OK);
    assert_int_equal(match_index_remove(idx, "C-a"), MATCH_ENOTFOUND);
    assert_int_equal(match_explain_coach(idx, &q, "C-a", &ex, &err), MATCH_ENOTFOUND);
    assert_int_equal(match_index_size(idx), 5);
    assert_int_equal(match_suggest(idx, &q, 10, s, &n, &err), MATCH_OK);
    assert_int_equal(n, 3); /* C-b, C-d, C-f */
    assert_string_equal(s[0].coach_id, "C-b");
    assert_string_equal(s[1].coach_id, "C-d");
    assert_string_equal(s[2].coach_id, "C-f");
    /* upsert replaces: C-f now in Aceh */
    cs[5].province = "11";
    assert_int_equal(match_index_upsert(idx, &cs[5], &err), MATCH_OK);
    assert_int_equal(match_index_size(idx), 5);
    assert_int_equal(match_explain_coach(idx, &q, "C-f", &ex, &err), MATCH_OK);
    assert_int_equal(ex.score, 5667);
    /* a bad upsert names the field and leaves the index as it was */
    match_coach bad = c;
    bad.id = "C-z";
    bad.province = "00";
    assert_int_equal(match_index_upsert(idx, &bad, &err), MATCH_ERR);
    assert_string_equal(err.field, "province");
    assert_int_equal(match_index_size(idx), 5);
    /* a bad mentee */
    match_mentee bm = m;
    bm.position_class = "x";
    q.mentee = &bm;
    assert_int_equal(match_suggest(idx, &q, 10, s, &n, &err), MATCH_ERR);
    assert_string_equal(err.field, "position_class");
    /* an empty index */
    match_index *empty = match_index_new(cat);
    q.mentee = &m;
    assert_int_equal(match_suggest(empty, &q, 10, s, &n, &err), MATCH_OK);
    assert_int_equal(n, 0);
    match_index_free(empty);
    match_index_free(idx);
}

/* Languages beyond the mask's bits ("overflow" languages: every distinct
 * language after the first 63 shares one bit and is kept by id).  80
 * coaches C00..C79 speak l00..l79 (l63..l79 overflow), C80 speaks l70 and
 * l05.  Also more than 32 distinct languages (the kernel's 64-bit lanes). */
#define NLANG 80
static char lang_name[NLANG][16], lang_coach[NLANG + 1][16];
static const char *lang_list[NLANG][1];
static const char *const lang_c80[] = { "l70", "l05" };

static void overflow_coaches(match_coach *cs) {
    for (int i = 0; i < NLANG; i++) {
        snprintf(lang_name[i], sizeof(lang_name[i]), "l%02d", i);
        snprintf(lang_coach[i], sizeof(lang_coach[i]), "C%02d", i);
        lang_list[i][0] = lang_name[i];
        cs[i] = base_coach();
        cs[i].id = lang_coach[i];
        cs[i].languages = lang_list[i];
    }
    snprintf(lang_coach[NLANG], sizeof(lang_coach[NLANG]), "C%02d", NLANG);
    cs[NLANG] = base_coach();
    cs[NLANG].id = lang_coach[NLANG];
    cs[NLANG].languages = lang_c80;
    cs[NLANG].n_languages = 2;
}

/* Suggestions of a mentee speaking langs[0..n) are exactly the coaches
 * want (NULL-terminated, in suggestion order: equal scores, id order). */
static void expect_suggest(const match_index *idx, const char *const *langs, size_t n, const char *const *want) {
    match_mentee m = base_mentee();
    m.languages = langs;
    m.n_languages = n;
    match_query q = { .mentee = &m };
    match_suggestion sg[NLANG + 1];
    size_t got, k;
    match_err err;
    assert_int_equal(match_suggest(idx, &q, NLANG + 1, sg, &got, &err), MATCH_OK);
    for (k = 0; want[k]; k++) {
        if (k >= got) fail_msg("%s: only %zu suggestions", langs[0], got);
        assert_string_equal(sg[k].coach_id, want[k]);
    }
    assert_int_equal(got, k);
}

static void expect_coach_reason(const match_index *idx, const char *lang, const char *coach, match_reason r) {
    match_mentee m = base_mentee();
    const char *ml[] = { lang };
    m.languages = ml;
    m.n_languages = 1;
    match_query q = { .mentee = &m };
    match_explain ex;
    match_err err;
    assert_int_equal(match_explain_coach(idx, &q, coach, &ex, &err), MATCH_OK);
    assert_int_equal(ex.reason, r);
    assert_int_equal(ex.feasible, r == MATCH_REASON_NONE);
}

static void test_many_languages(void **state) {
    (void)state;
    static match_coach cs[NLANG + 1];
    overflow_coaches(cs);
    match_index *idx = match_index_new(cat);
    match_err err;
    for (int i = 0; i <= NLANG; i++) assert_int_equal(match_index_upsert(idx, &cs[i], &err), MATCH_OK);
    assert_int_equal(match_index_size(idx), NLANG + 1);

    const char *l45_03[] = { "l45", "l03" };
    expect_suggest(idx, l45_03, 2, (const char *[]){ "C03", "C45", NULL });
    expect_suggest(idx, l45_03, 1, (const char *[]){ "C45", NULL }); /* bit > 32 */
    expect_coach_reason(idx, "l45", "C44", MATCH_REASON_LANGUAGE);
    /* the last bit language and the first overflow one */
    expect_suggest(idx, (const char *[]){ "l62" }, 1, (const char *[]){ "C62", NULL });
    expect_suggest(idx, (const char *[]){ "l63" }, 1, (const char *[]){ "C63", NULL });
    /* an overflow language spoken by two coaches (C80 also speaks l05) */
    expect_suggest(idx, (const char *[]){ "l70" }, 1, (const char *[]){ "C70", "C80", NULL });
    /* both sides with overflow languages, different ones: infeasible */
    expect_suggest(idx, (const char *[]){ "l77" }, 1, (const char *[]){ "C77", NULL });
    expect_coach_reason(idx, "l77", "C80", MATCH_REASON_LANGUAGE);
    expect_coach_reason(idx, "l77", "C70", MATCH_REASON_LANGUAGE);
    expect_coach_reason(idx, "l77", "C77", MATCH_REASON_NONE);
    expect_coach_reason(idx, "l70", "C80", MATCH_REASON_NONE);
    /* a bit language and an overflow one */
    expect_suggest(idx, (const char *[]){ "l05", "l79" }, 2, (const char *[]){ "C05", "C79", "C80", NULL });
    /* a language no coach speaks matches nobody */
    expect_suggest(idx, (const char *[]){ "zz" }, 1, (const char *[]){ NULL });
    expect_suggest(idx, (const char *[]){ "zz", "l64" }, 2, (const char *[]){ "C64", NULL });
    expect_coach_reason(idx, "zz", "C64", MATCH_REASON_LANGUAGE);

    /* swap-removal moves the last slot (C80) with its overflow ids */
    assert_int_equal(match_index_remove(idx, "C00"), MATCH_OK);
    expect_suggest(idx, (const char *[]){ "l70" }, 1, (const char *[]){ "C70", "C80", NULL });
    expect_suggest(idx, (const char *[]){ "l00" }, 1, (const char *[]){ NULL });
    /* overwriting a slot replaces its overflow ids */
    cs[NLANG].languages = (const char *const[]){ "l71" };
    cs[NLANG].n_languages = 1;
    assert_int_equal(match_index_upsert(idx, &cs[NLANG], &err), MATCH_OK);
    expect_suggest(idx, (const char *[]){ "l70" }, 1, (const char *[]){ "C70", NULL });
    expect_suggest(idx, (const char *[]){ "l71" }, 1, (const char *[]){ "C71", "C80", NULL });
    expect_coach_reason(idx, "l70", "C80", MATCH_REASON_LANGUAGE);
    /* a new overflow language after removals still gets its own id */
    cs[NLANG].languages = (const char *const[]){ "new" };
    assert_int_equal(match_index_upsert(idx, &cs[NLANG], &err), MATCH_OK);
    expect_suggest(idx, (const char *[]){ "new" }, 1, (const char *[]){ "C80", NULL });
    expect_suggest(idx, (const char *[]){ "l71" }, 1, (const char *[]){ "C71", NULL });
    match_index_free(idx);
}

/* A slot freed by removing the last coach keeps its levels; a coach set
 * there later must not inherit those it does not hold (mt_coaches_set
 * clears a slot unless no coach was ever set in it). */
static void test_index_slot_reuse(void **state) {
    (void)state;
    match_index *idx = match_index_new(cat);
    match_err err;
    match_mentee m = base_mentee(); /* gaps in M.01 (1 -> 3) and M.02 */
    match_coach a = base_coach(), b = base_coach(), c = base_coach();
    match_skill strong[] = { { "M.01", 5 }, { "M.02", 5 }, { "T.digital", 5 } };
    match_skill only02[] = { { "M.02", 5 } };
    a.id = "C-a";
    b.id = "C-b";
    b.competencies = strong;
    b.n_competencies = 3;
    c.id = "C-c";
    c.competencies = only02;
    c.n_competencies = 1;
    assert_int_equal(match_index_upsert(idx, &a, &err), MATCH_OK);
    assert_int_equal(match_index_upsert(idx, &b, &err), MATCH_OK);
    assert_int_equal(match_index_remove(idx, "C-b"), MATCH_OK);    /* the last slot: nothing moves */
    assert_int_equal(match_index_upsert(idx, &c, &err), MATCH_OK); /* into C-b's slot */
    match_query q = { .mentee = &m };
    match_explain got, want = explain(&m, &c, NULL, 0);
    assert_int_equal(match_explain_coach(idx, &q, "C-c", &got, &err), MATCH_OK);
    assert_int_equal(got.competencies[0].coach_level, 0); /* M.01: not C-b's 5 */
    assert_int_equal(got.competencies[0].covered, 0);
    assert_int_equal(got.score, want.score);
    assert_int_equal(got.gap_num, want.gap_num);
    match_index_free(idx);
}

/* Mark and sweep (a resync after a store lost coaches): the coaches neither
 * upserted nor marked since match_index_unmark are removed, whichever slots
 * they hold, and the others keep their profiles and ids. */
static void test_index_sweep(void **state) {
    (void)state;
    match_index *idx = match_index_new(cat);
    match_err err;
    match_mentee m = base_mentee();
    match_coach c = base_coach();
    char ids[8][16];
    for (int i = 0; i < 8; i++) {
        snprintf(ids[i], sizeof ids[i], "C-%d", i);
        c.id = ids[i];
        assert_int_equal(match_index_upsert(idx, &c, &err), MATCH_OK);
    }
    assert_int_equal(match_index_sweep(idx), 0); /* all marked by their upserts */
    match_index_unmark(idx);
    assert_int_equal(match_index_mark(idx, "C-1"), MATCH_OK);
    assert_int_equal(match_index_mark(idx, "C-7"), MATCH_OK); /* the last slot */
    assert_int_equal(match_index_mark(idx, "C-none"), MATCH_ENOTFOUND);
    c.id = ids[4];
    assert_int_equal(match_index_upsert(idx, &c, &err), MATCH_OK); /* an upsert marks */
    assert_int_equal(match_index_sweep(idx), 5);
    assert_int_equal(match_index_size(idx), 3);
    match_query q = { .mentee = &m };
    match_explain got;
    for (int i = 0; i < 8; i++) {
        int want = i == 1 || i == 4 || i == 7 ? MATCH_OK : MATCH_ENOTFOUND;
        assert_int_equal(match_explain_coach(idx, &q, ids[i], &got, &err), want);
    }
    match_suggestion sg[8];
    size_t n;
    assert_int_equal(match_suggest(idx, &q, 8, sg, &n, &err), MATCH_OK);
    assert_int_equal(n, 3); /* equal scores: by id */
    assert_string_equal(sg[0].coach_id, "C-1");
    assert_string_equal(sg[1].coach_id, "C-4");
    assert_string_equal(sg[2].coach_id, "C-7");
    match_index_unmark(idx); /* nothing marked: all go */
    assert_int_equal(match_index_sweep(idx), 3);
    assert_int_equal(match_index_size(idx), 0);
    match_index_free(idx);
}

/* ---- runs against exhaustive search ------------------------------------------------- */

typedef struct brute {
    size_t nm, nc;
    int feas[RMAX_M][RMAX_C];
    int score[RMAX_M][RMAX_C];
    long bonus[RMAX_M];
    int cap[RMAX_C];
    int fixed[RMAX_M]; /* pinned coach or -1 */
    int objective;
    long best_n, best_g;
} brute;

static void brute_rec(brute *b, size_t i, long n, long g) {
    if (i == b->nm) {
        int better = b->objective == MATCH_OBJ_PARTICIPATION ? (n > b->best_n || (n == b->best_n && g > b->best_g))
                                                             : (g > b->best_g || (g == b->best_g && n > b->best_n));
        if (better) {
            b->best_n = n;
            b->best_g = g;
        }
        return;
    }
    if (b->fixed[i] >= 0) {
        brute_rec(b, i + 1, n, g);
        return;
    }
    brute_rec(b, i + 1, n, g);
    for (size_t c = 0; c < b->nc; c++) {
        if (!b->feas[i][c] || b->cap[c] <= 0) continue;
        b->cap[c]--;
        brute_rec(b, i + 1, n + 1, g + b->score[i][c] + b->bonus[i]);
        b->cap[c]++;
    }
}

static int find_ix(char ids[][24], size_t n, const char *id) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(ids[i], id) == 0) return (int)i;
    return -1;
}

/* Exhaustive optimum of world w under policy p (pins placed the engine's
 * way: in mentee id order, while the coach has room and the pair is not
 * forbidden). */
static void brute_force(world *w, const match_policy *p, brute *b) {
    memset(b, 0, sizeof(*b));
    b->nm = w->nm;
    b->nc = w->nc;
    b->objective = p->objective;
    b->best_n = -1;
    b->best_g = -1;
    for (size_t j = 0; j < w->nc; j++)
        b->cap[j] = w->c[j].capacity > w->c[j].load ? w->c[j].capacity - w->c[j].load : 0;
    for (size_t i = 0; i < w->nm; i++) {
        b->fixed[i] = -1;
        b->bonus[i] = (long)p->waitlist_bonus * w->waitlist[i];
        for (size_t j = 0; j < w->nc; j++) {
            int forb = 0;
            for (size_t f = 0; f < w->n_forbids; f++)
                if (!strcmp(w->forbids[f].mentee_id, w->mid[i]) && !strcmp(w->forbids[f].coach_id, w->cid[j])) forb = 1;
            match_explain ex = explain(&w->m[i], &w->c[j], p, forb);
            b->feas[i][j] = ex.feasible;
            b->score[i][j] = ex.score;
        }
    }
    /* pins, in (mentee id, coach id) order */
    for (;;) {
        int bi = -1, bj = -1;
        for (size_t k = 0; k < w->n_pins; k++) {
            int i = find_ix(w->mid, w->nm, w->pins[k].mentee_id);
            int j = find_ix(w->cid, w->nc, w->pins[k].coach_id);
            if (i < 0 || j < 0 || b->fixed[i] != -1) continue;
            if (bi < 0 || strcmp(w->mid[i], w->mid[bi]) < 0 || (i == bi && strcmp(w->cid[j], w->cid[bj]) < 0)) {
                bi = i;
                bj = j;
            }
        }
        if (bi < 0) break;
        int forb = 0;
        for (size_t f = 0; f < w->n_forbids; f++)
            if (!strcmp(w->forbids[f].mentee_id, w->mid[bi]) && !strcmp(w->forbids[f].coach_id, w->cid[bj])) forb = 1;
        if (b->cap[bj] > 0 && !forb) {
            b->cap[bj]--;
            b->fixed[bi] = bj;
        } else {
            /* mark this pin as handled: try the mentee's other pins */
            int handled = 0;
            for (size_t k = 0; k < w->n_pins; k++)
                if (!strcmp(w->pins[k].mentee_id, w->mid[bi]) && !strcmp(w->pins[k].coach_id, w->cid[bj])) {
                    w->pins[k].mentee_id = "~gone";
                    handled = 1;
                }
            assert_true(handled);
        }
    }
    brute_rec(b, 0, 0, 0);
}

/* Coaches 1.. of w become copies of coach 0's profile (their own ids,
 * capacities, loads and kinds; the organisation one no mentee has, or
 * coach 0's), so that a run finds them in one class (run.c, "Coach
 * classes"); a forbidden pair in a third of the worlds, at most one. */
static void template_coaches(world *w) {
    static const char *const kinds[] = { "widyaiswara", "pkn1_alumni" };
    for (size_t j = 1; j < w->nc; j++) {
        match_coach c = w->c[0];
        c.id = w->cid[j];
        c.kind = kinds[rnd(2)];
        c.capacity = (int)rnd(4);
        c.load = rnd(5) ? 0 : 1;
        if (rnd(2)) c.organization = "pt-swasta";
        w->c[j] = c;
    }
    w->c[0].capacity = 1 + (int)rnd(3);
    w->n_forbids = w->n_forbids && rnd(3) == 0 ? 1 : 0;
}

/* classes: the world's coaches are copies of one profile (template_coaches)
 * and the run may solve them as one class; fails unless at least a third
 * of the rounds did. */
static void check_run_vs_brute(match_objective obj, int k, uint64_t seed, int rounds, int classes) {
    static world w, w2;
    rng_state = seed;
    int class_runs = 0;
    for (int round = 0; round < rounds; round++) {
        if (classes) {
            random_world(&w, 1 + rnd(4), 8 + rnd(9), 1);
            template_coaches(&w);
        } else {
            random_world(&w, 1 + rnd(7), 1 + rnd(5), 1);
        }
        match_policy p;
        match_policy_default(&p);
        p.objective = obj;
        p.waitlist_bonus = (int)rnd(3) * 500;
        if (rnd(4) == 0) p.min_score = 4000;
        if (rnd(4) == 0) p.forbid_same_agency = 0;
        if (rnd(4) == 0) { /* gap only: feasible pairs of score 0 exist */
            p.w_location = 0;
            p.w_availability = 0;
        }
        match_run_input in = world_input(&w, &p);
        in.candidates = k;
        in.threads = 1 + (int)rnd(2);
        match_run_result *r = run_ok(&in);
        if (!classes) assert_int_equal(r->stats.coach_classes, 0);
        class_runs += r->stats.coach_classes > 0;
        w2 = w;
        brute b;
        brute_force(&w2, &p, &b);
        long pinned_n = 0, pinned_g = 0;
        for (size_t i = 0; i < w.nm; i++)
            if (b.fixed[i] >= 0) {
                pinned_n++;
                pinned_g += b.score[i][b.fixed[i]] + b.bonus[i];
            }
        long got_free_n = 0, got_free_g = 0;
        for (size_t i = 0; i < r->n_pairs; i++) {
            const match_proposal *pp = &r->pairs[i];
            assert_int_equal(pp->score, b.score[pp->mentee][pp->coach]);
            if (pp->pinned) {
                assert_int_equal(b.fixed[pp->mentee], (int)pp->coach);
                continue;
            }
            assert_true(b.feas[pp->mentee][pp->coach]);
            got_free_n++;
            got_free_g += pp->score + b.bonus[pp->mentee];
        }
        assert_int_equal(r->stats.pinned, pinned_n);
        if (got_free_n != b.best_n || got_free_g != b.best_g)
            fail_msg("round %d (%s, K=%d): engine %ld matched / %ld gain, exhaustive %ld / %ld", round,
                     match_objective_name(obj), k, got_free_n, got_free_g, b.best_n, b.best_g);
        assert_int_equal(r->stats.objective_score, got_free_g + pinned_g);
        assert_int_equal(r->stats.matched, r->n_pairs);
        assert_int_equal(r->n_pairs + r->n_unmatched, w.nm);
        assert_true(r->stats.certified);
        /* capacities respected */
        int used[RMAX_C] = { 0 };
        for (size_t i = 0; i < r->n_pairs; i++) used[r->pairs[i].coach]++;
        for (size_t j = 0; j < w.nc; j++) {
            int fc = w.c[j].capacity > w.c[j].load ? w.c[j].capacity - w.c[j].load : 0;
            assert_true(used[j] <= fc);
        }
        match_run_free(r);
    }
    if (classes && class_runs * 3 < rounds) fail_msg("%d of %d rounds solved by class", class_runs, rounds);
}

static void test_run_exhaustive_participation(void **state) {
    (void)state;
    check_run_vs_brute(MATCH_OBJ_PARTICIPATION, 0, 11, 150, 0);
}

static void test_run_exhaustive_quality(void **state) {
    (void)state;
    check_run_vs_brute(MATCH_OBJ_QUALITY, 0, 12, 150, 0);
}

/* Every bound a certified run leaves in its warm state holds for every
 * feasible pair of a free mentee outside its graph edges: s <= t_score and
 * s - pi <= rb (run.c's pricing).  A bound too low would certify a result
 * that a pair outside the graph beats; in a market of ties the optimum
 * often survives it, so the bounds themselves are checked. */
static void check_state_bounds(const match_run_input *in, const match_warm *w) {
    assert_true(w->has_rb);
    for (size_t m = 0; m < w->nm; m++) {
        if (!w->m_scored[m]) continue;
        const match_mentee *me = &in->mentees[w->m_in[m]];
        for (size_t c = 0; c < w->nc; c++) {
            int edge = !w->c_scored[c];
            for (size_t e = w->e_off[m]; e < w->e_off[m + 1] && !edge; e++) edge = w->e_coach[e] == (int32_t)c;
            if (edge) continue;
            const match_coach *co = &in->coaches[w->c_in[c]];
            int forb = 0;
            for (size_t f = 0; f < in->n_forbidden && !forb; f++)
                forb =
                    strcmp(in->forbidden[f].mentee_id, me->id) == 0 && strcmp(in->forbidden[f].coach_id, co->id) == 0;
            match_explain ex;
            match_err err = { 0 };
            assert_int_equal(match_explain_pair(cat, me, co, in->policy, forb, &ex, &err), MATCH_OK);
            if (!ex.feasible || ex.score < in->policy->min_score) continue;
            if (ex.score > w->t_score[m])
                fail_msg("mentee %zu coach %zu: score %d > t %d", m, c, ex.score, w->t_score[m]);
            if (w->rb[m] != WARM_NO_RB && (int64_t)ex.score - w->pi[c] > w->rb[m])
                fail_msg("mentee %zu coach %zu: s - pi = %lld > rb %lld", m, c, (long long)(ex.score - w->pi[c]),
                         (long long)w->rb[m]);
        }
    }
}

/* K = 1: nearly every optimum needs pairs found by pricing. */
static void test_run_pricing_small_k(void **state) {
    (void)state;
    check_run_vs_brute(MATCH_OBJ_PARTICIPATION, 1, 13, 150, 0);
    check_run_vs_brute(MATCH_OBJ_QUALITY, 1, 14, 150, 0);
}

/* Medium instances: a tiny candidate list (K = 1, everything else found by
 * pricing) reaches the same optimum as a graph holding every pair
 * (K >= coaches), for both objectives and 1 or 2 threads. */
static void test_run_pricing_medium(void **state) {
    (void)state;
    static world w;
    rng_state = 15;
    for (int round = 0; round < 30; round++) {
        random_world(&w, 20 + rnd(44), 5 + rnd(40), 1);
        for (size_t j = 0; j < w.nc; j++) w.c[j].capacity = 1 + (int)rnd(2);
        match_policy p;
        match_policy_default(&p);
        p.objective = round % 2 ? MATCH_OBJ_QUALITY : MATCH_OBJ_PARTICIPATION;
        p.min_score = round % 3 ? 0 : 3000;
        match_run_input in = world_input(&w, &p);
        in.candidates = 1;
        in.threads = 1 + round % 2;
        in.keep_warm = 1;
        in.check_bounds = 1;
        match_run_result *a = run_ok(&in);
        assert_int_equal(a->stats.bound_errors, 0);
        match_warm *st = match_run_take_warm(a);
        assert_non_null(st);
        if (st->has_rb) check_state_bounds(&in, st);
        match_warm_free(st);
        in.keep_warm = 0;
        in.candidates = 64;
        match_run_result *b = run_ok(&in);
        assert_true(a->stats.certified);
        assert_true(b->stats.certified);
        assert_int_equal(a->stats.objective, b->stats.objective);
        assert_int_equal(a->stats.matched, b->stats.matched);
        assert_int_equal(a->stats.objective_score, b->stats.objective_score);
        match_run_free(a);
        match_run_free(b);
    }
}

/* stats.rounds of a certified cold run without pins: the price estimate's
 * sub-markets (if any) and the first pass score every pair once and the
 * rounds' scans the rest; each round's counts are consistent, and the last
 * one, which certified, found and added nothing. */
static void check_round_stats(const match_stats *s) {
    assert_true(s->certified);
    assert_true(s->pricing_rounds >= 1 && s->pricing_rounds <= MATCH_ROUNDS_KEPT);
    uint64_t pairs = (uint64_t)s->mentees * s->coaches + s->est_pairs;
    for (int k = 0; k < s->pricing_rounds; k++) {
        const match_round_stats *r = &s->rounds[k];
        assert_true(r->found <= r->scans && r->stopped <= r->scans);
        assert_true(r->scans <= s->mentees);
        if (k < s->pricing_rounds - 1) assert_true(r->added > 0);
        pairs += r->pairs;
    }
    const match_round_stats *last = &s->rounds[s->pricing_rounds - 1];
    assert_int_equal(last->found, 0);
    assert_int_equal(last->stopped, 0);
    assert_int_equal(last->added, 0);
    assert_int_equal(pairs, s->pairs_scored);
}

/* A certified cold run of in (check_bounds and keep_warm set, no pins):
 * no bound error in any round, consistent round counts, and the warm state
 * it leaves holds bounds valid for every pair. */
static match_run_result *run_bounds_checked(const match_run_input *in) {
    match_run_result *r = run_ok(in);
    assert_int_equal(r->stats.bound_errors, 0);
    check_round_stats(&r->stats);
    match_warm *st = match_run_take_warm(r);
    assert_non_null(st);
    check_state_bounds(in, st);
    match_warm_free(st);
    return r;
}

/* A market run with K = 1 (everything beyond each mentee's best coach
 * found by pricing, every round's bounds checked, and the final ones) and
 * with K = 200: both certified, the same optimum, and the first in at least
 * min_rounds pricing rounds (so that pricing did the work: without the
 * coach-side bounds, whose deeper lists leave pricing little to do where
 * seats are scarce).  The K = 1 run again with the coach-side bounds: the
 * same optimum, its bounds and its warm state's checked as well. */
static void check_k1_vs_k200(match_mentee *ms, size_t nm, match_coach *cs, size_t nc, int min_rounds) {
    match_policy p;
    match_policy_default(&p);
    match_run_input in = { .mentees = ms, .n_mentees = nm, .coaches = cs, .n_coaches = nc, .policy = &p };
    in.threads = 1;
    in.candidates = 1;
    in.keep_warm = 1;
    in.check_bounds = 1;
    in.no_classes = 1; /* pricing by coach is what is tested */
    in.no_coach_bounds = 1;
    match_run_result *a = run_bounds_checked(&in);
    in.no_coach_bounds = 0;
    match_run_result *d = run_bounds_checked(&in);
    in.keep_warm = 0;
    in.candidates = 200;
    match_run_result *b = run_ok(&in);
    assert_true(a->stats.certified);
    assert_true(b->stats.certified);
    if (a->stats.pricing_rounds < min_rounds) fail_msg("%d pricing rounds", a->stats.pricing_rounds);
    assert_int_equal(a->stats.objective, b->stats.objective);
    assert_int_equal(a->stats.matched, b->stats.matched);
    assert_int_equal(a->stats.objective, d->stats.objective);
    assert_int_equal(a->stats.matched, d->stats.matched);
    match_run_free(d);
    /* and by class, where the coaches fall into few */
    in.no_classes = 0;
    in.candidates = 0;
    in.check_bounds = 0;
    match_run_result *c = run_ok(&in);
    assert_true(c->stats.certified);
    assert_int_equal(a->stats.objective, c->stats.objective);
    assert_int_equal(a->stats.matched, c->stats.matched);
    match_run_free(a);
    match_run_free(b);
    match_run_free(c);
}

/* A market of ties wide enough for the near lists to fill (pricing keeps
 * PRICE_NEAR_KEEP pairs close to violating per mentee and then flags only
 * the pairs above the last of them; those left unflagged must still count
 * against the mentee's bound): 400 coaches in two tiers of equal profiles,
 * two provinces, mentees of three gap shapes, so that a scan runs past its
 * first PRICE_SEG coaches with its near list full.  K = 1 (everything found
 * by pricing) reaches the optimum of K = 200, with and without seats for
 * everyone. */
static void test_run_pricing_ties_wide(void **state) {
    (void)state;
    enum { NM = 480, NC = 400 };
    static match_mentee ms[NM];
    static match_coach cs[NC];
    static char mid[NM][16], cid[NC][16];
    static match_need needs[3][3] = { { { "M.01", 1, 4 }, { "M.02", 2, 4 }, { "M.03", 1, 3 } },
                                      { { "M.01", 3, 4 }, { "M.02", 1, 5 }, { "M.03", 2, 3 } },
                                      { { "M.01", 0, 5 }, { "M.02", 2, 3 }, { "M.03", 3, 4 } } };
    static match_skill tiers[2][3] = { { { "M.01", 4 }, { "M.02", 4 }, { "M.03", 4 } },
                                       { { "M.01", 5 }, { "M.02", 5 }, { "M.03", 5 } } };
    for (int seats = 0; seats < 2; seats++) {
        for (int i = 0; i < NM; i++) {
            ms[i] = base_mentee();
            snprintf(mid[i], sizeof(mid[i]), "m%03d", i);
            ms[i].id = mid[i];
            ms[i].competencies = needs[i % 3];
            ms[i].province = i % 2 ? "32" : "33";
        }
        for (int j = 0; j < NC; j++) {
            cs[j] = base_coach();
            snprintf(cid[j], sizeof(cid[j]), "c%03d", j);
            cs[j].id = cid[j];
            cs[j].competencies = tiers[j % 2];
            cs[j].n_competencies = 3;
            cs[j].province = j % 3 ? "32" : "33";
            cs[j].capacity = seats ? 1 + j % 2 : 1; /* 600 or 400 seats */
        }
        check_k1_vs_k200(ms, NM, cs, NC, 2);
    }
}

/* A hub market: mentees with three of four competencies, every 15th coach
 * a hub (level 5 in all four), the others 2-5; three provinces.  Hubs have
 * one seat; the others one too, or seats + 0..1 when seats > 1. */
static void hub_market(match_mentee *ms, char (*mid)[16], match_need (*needs)[3], int nm, match_coach *cs,
                       char (*cid)[16], match_skill (*skills)[4], int nc, int seats) {
    static const char *const comps[] = { "M.01", "M.02", "M.03", "M.04" };
    for (int i = 0; i < nm; i++) {
        ms[i] = base_mentee();
        snprintf(mid[i], sizeof(mid[i]), "m%05d", i);
        ms[i].id = mid[i];
        for (int k = 0; k < 3; k++) needs[i][k] = (match_need){ comps[(i + k) % 4], (int)rnd(3), 3 + (int)rnd(3) };
        ms[i].competencies = needs[i];
        ms[i].n_competencies = 3;
        ms[i].province = R_PROV[rnd(3)];
    }
    for (int j = 0; j < nc; j++) {
        cs[j] = base_coach();
        snprintf(cid[j], sizeof(cid[j]), "c%04d", j);
        cs[j].id = cid[j];
        for (int k = 0; k < 4; k++) skills[j][k] = (match_skill){ comps[k], j % 15 ? 2 + (int)rnd(4) : 5 };
        cs[j].competencies = skills[j];
        cs[j].n_competencies = 4;
        cs[j].province = R_PROV[rnd(3)];
        cs[j].capacity = seats > 1 && j % 15 ? seats + (int)rnd(2) : 1;
    }
}

/* A market of hubs wider than a few PRICE_SEG segments of coaches, where
 * the duals move by hundreds of units from round to round: every 15th coach
 * is at the top level of every competency, the others at random levels,
 * one seat each, more mentees than seats.  The pricing rounds here prove
 * most mentees from an earlier round's bound, and skip segments of coaches
 * in their scans; a bound that covered a coach it does not (one beyond its
 * round's prefix, covered only by t) certifies a worse optimum, or leaves a
 * bound the check below rejects.  K = 1 reaches the optimum of K = 200. */
static void test_run_pricing_hub_wide(void **state) {
    (void)state;
    enum { NM = 1100, NC = 800 };
    static match_mentee ms[NM];
    static match_coach cs[NC];
    static char mid[NM][16], cid[NC][16];
    static match_need needs[NM][3];
    static match_skill skills[NC][4];
    rng_state = 21;
    hub_market(ms, mid, needs, NM, cs, cid, skills, NC, 1);
    check_k1_vs_k200(ms, NM, cs, NC, 4);
}

static int same_result(const match_run_result *a, const match_run_result *b);

/* A run sorts the profiles by id (run.c: sort_by_id, by an 8-byte prefix,
 * then strcmp): ids equal in their first 8 bytes, shorter than 8, a prefix
 * of another, with the last printable byte, given in no order, come out in
 * strcmp's order, and a duplicate among them is still found. */
static void test_run_id_order(void **state) {
    (void)state;
    static const char *const ids[] = { "abcdefgh1", "abcdefgh", "abcdefgh0",  "abcdefg", "abcdefgi",   "b",
                                       "abcdefg~",  "a",        "abcdefgh10", "~a",      "abcdefgh01", "ab" };
    enum { N = sizeof(ids) / sizeof(ids[0]) };
    match_mentee ms[N];
    match_coach c = base_coach();
    c.capacity = N; /* every mentee matched: the pairs list them all */
    for (int i = 0; i < N; i++) {
        ms[i] = base_mentee();
        ms[i].id = ids[i];
    }
    match_run_input in = { .mentees = ms, .n_mentees = N, .coaches = &c, .n_coaches = 1 };
    match_run_result *r = run_ok(&in);
    assert_int_equal(r->n_pairs, N);
    for (size_t i = 1; i < r->n_pairs; i++)
        if (strcmp(r->pairs[i - 1].mentee_id, r->pairs[i].mentee_id) >= 0)
            fail_msg("%s listed before %s", r->pairs[i - 1].mentee_id, r->pairs[i].mentee_id);
    match_run_free(r);
    ms[4].id = "abcdefgh0"; /* the same as ms[2], 8 bytes and more */
    match_run_result *bad = NULL;
    match_err err = { 0 };
    assert_int_equal(match_run(cat, &in, &bad, &err), MATCH_ERR);
    assert_non_null(strstr(err.msg, "duplicate mentee id abcdefgh0"));
}

static int cmp_i64_desc(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x < y) - (x > y);
}

/* The top lists of the coach side (kernel.c, mt_top_merge): random lists
 * of 8 and 32 keys, empty to full, take random batches of distinct keys
 * (above the first, among, below the last, at both ends of int64); the
 * list after each batch is the kd largest of all, sorted, INT64_MIN in
 * the empty slots, with its count, the same on the scalar and the vector
 * path (when the CPU has it; else both are the scalar one). */
static void test_top_merge(void **state) {
    (void)state;
    enum { POOL = 120, KMAX = 32 };
    static const int kds[] = { 8, 32 };
    rng_state = 91;
    for (size_t t = 0; t < sizeof(kds) / sizeof(kds[0]); t++) {
        int kd = kds[t];
        if (!mt_top_vec(kd)) print_message("mt_top_merge: no vector path on this CPU for lists of %d\n", kd);
        for (int trial = 0; trial < 3000; trial++) {
            int64_t pool[POOL], ref[POOL + KMAX], a[2][KMAX];
            for (int i = 0; i < POOL; i++) { /* distinct: i in the low bits */
                int64_t hi = (int64_t)rnd(64) - 32;
                pool[i] = trial % 7 == 0 ? (hi < 0 ? INT64_MIN + 1 + i : INT64_MAX - i) : hi * 4096 + i;
            }
            for (int i = POOL - 1; i > 0; i--) {
                uint32_t j = rnd((uint32_t)i + 1);
                int64_t x = pool[i];
                pool[i] = pool[j];
                pool[j] = x;
            }
            size_t n = rnd((uint32_t)kd + 1), used = n, nref = n;
            memcpy(ref, pool, n * sizeof(int64_t));
            qsort(ref, n, sizeof(int64_t), cmp_i64_desc);
            size_t cnt[2] = { n, n };
            for (int p = 0; p < 2; p++) {
                for (int i = 0; i < kd; i++) a[p][i] = INT64_MIN;
                memcpy(a[p], ref, n * sizeof(int64_t));
            }
            for (int batch = 0; batch < 4 && used < POOL; batch++) {
                size_t nx = rnd(41);
                if (nx > POOL - used) nx = POOL - used;
                for (int p = 0; p < 2; p++)
                    cnt[p] = mt_top_merge(a[p], cnt[p], kd, pool + used, nx, p ? mt_top_vec(kd) : 0);
                memcpy(ref + nref, pool + used, nx * sizeof(int64_t));
                nref += nx;
                used += nx;
                qsort(ref, nref, sizeof(int64_t), cmp_i64_desc);
                if (nref > (size_t)kd) nref = (size_t)kd;
                for (int p = 0; p < 2; p++) {
                    assert_int_equal(cnt[p], nref);
                    for (int i = 0; i < kd; i++)
                        if (a[p][i] != ((size_t)i < nref ? ref[i] : INT64_MIN))
                            fail_msg("kd %d trial %d batch %d path %d: slot %d is %lld", kd, trial, batch, p, i,
                                     (long long)a[p][i]);
                }
            }
        }
    }
}

/* The coach-side filter (kernel.c, mt_gain_offers): random blocks of 0 to
 * 1,100 coaches (whole vectors and tails), scores -1 (fails) or 0..10,000,
 * thresholds from closed to none, bonuses 0..500; a third of the trials
 * sparse (about one coach in 200 offers, so that whole 64-coach steps
 * offer nothing and some offer in one vector only).  The offers are
 * exactly the pairs with s >= 0 and s + bonus > thr, in coach order, with
 * their keys, on the flags path and the vector one (when the CPU has it),
 * into arrays of exactly n (ASan: no store past them). */
static void test_gain_offers(void **state) {
    (void)state;
    enum { NMAX = 1100, TOP = 300 };
    static uint16_t key[NMAX];
    static int32_t thr[NMAX], tab[TOP + 1], rc[NMAX];
    static int64_t rk[NMAX];
    rng_state = 17;
    if (!mt_gain_vec()) print_message("mt_gain_offers: no vector path on this CPU\n");
    for (int trial = 0; trial < 600; trial++) {
        size_t n = trial < 40 ? (size_t)trial : rnd(NMAX + 1);
        int sparse = trial % 3 == 2;
        int32_t bonus = trial % 3 ? (int32_t)rnd(501) : 0, c0 = (int32_t)rnd(5000), m = (int32_t)rnd(100000);
        for (int k = 0; k <= TOP; k++) tab[k] = k == 0 || rnd(8) == 0 ? -1 : (int32_t)rnd(10001);
        for (size_t j = 0; j < n; j++) {
            key[j] = (uint16_t)rnd(TOP + 1);
            uint32_t r = rnd(20);
            thr[j] = r == 0 ? INT32_MAX / 2 : r == 1 ? INT32_MIN / 2 : r == 2 ? -1 : (int32_t)rnd(10600) - 2;
            if (sparse && rnd(200)) thr[j] = INT32_MAX / 2;
        }
        size_t nr = 0;
        for (size_t j = 0; j < n; j++) {
            int32_t sc = tab[key[j]];
            if (sc >= 0 && (int64_t)sc + bonus > thr[j]) {
                rc[nr] = c0 + (int32_t)j;
                rk[nr++] = mt_top_key(sc + bonus, m);
            }
        }
        for (int p = 0; p < 2; p++) {
            int32_t *oc = malloc((n ? n : 1) * sizeof(*oc));
            int64_t *okey = malloc((n ? n : 1) * sizeof(*okey));
            assert_true(oc && okey);
            size_t k = mt_gain_offers(key, thr, bonus, tab, n, c0, m, oc, okey, p ? mt_gain_vec() : 0);
            assert_int_equal(k, nr);
            for (size_t i = 0; i < k; i++)
                if (oc[i] != rc[i] || okey[i] != rk[i])
                    fail_msg("trial %d path %d: offer %zu is coach %d key %lld, not %d %lld", trial, p, i, oc[i],
                             (long long)okey[i], rc[i], (long long)rk[i]);
            free(oc);
            free(okey);
        }
    }
}

/* A top-K list's search (kernel.c, mt_key_next, AVX-512 BW only): from
 * every start in blocks of 0 to 100 keys (whole vectors, tails, keys at
 * 0 and 65,535, thresholds at both ends), the first key above the
 * threshold, or n. */
static void test_key_next(void **state) {
    (void)state;
    if (!mt_key_vec()) {
        print_message("mt_key_next: no AVX-512 BW on this CPU, not used\n");
        skip();
    }
    uint16_t key[100];
    rng_state = 29;
    for (int trial = 0; trial < 2000; trial++) {
        size_t n = rnd(101);
        uint32_t spread = trial % 4 ? 64 : 3;
        for (size_t j = 0; j < n; j++) {
            uint32_t r = rnd(spread);
            key[j] = r == 0 ? 0 : r == 1 ? UINT16_MAX : (uint16_t)(30000 + r);
        }
        uint16_t kt = trial % 5 == 0 ? 0 : trial % 5 == 1 ? UINT16_MAX - 1 : (uint16_t)(30000 + rnd(64));
        for (size_t i = 0; i <= n; i++) {
            size_t want = i;
            while (want < n && key[want] <= kt) want++;
            size_t got = mt_key_next(key, i, n, kt);
            if (got != want) fail_msg("trial %d n %zu from %zu kt %u: %zu, not %zu", trial, n, i, kt, got, want);
        }
    }
}

/* The run on the kernel's portable paths (match_run_input.portable) and on
 * its vector paths where the CPU has them: the same pairs, unmatched and
 * statistics of the work (edges, pair scorings, rounds, rescans), on
 * scarce seats (lists of 32), 3-4 seats (lists of 8), 1 and 2 threads,
 * and small random worlds with pins, forbidden pairs, waitlists, both
 * objectives and stable mode.  Without AVX-512 both runs take the
 * portable paths, and the test checks only that the flag changes
 * nothing. */
static void check_portable(match_run_input *in) {
    in->portable = 0;
    match_run_result *a = run_ok(in);
    in->portable = 1;
    match_run_result *b = run_ok(in);
    if (!same_result(a, b)) fail_msg("the portable run differs");
    assert_int_equal(a->stats.candidate_edges, b->stats.candidate_edges);
    assert_int_equal(a->stats.pairs_scored, b->stats.pairs_scored);
    assert_int_equal(a->stats.pricing_rounds, b->stats.pricing_rounds);
    assert_int_equal(a->stats.rescanned, b->stats.rescanned);
    match_run_free(a);
    match_run_free(b);
}

static void test_run_portable(void **state) {
    (void)state;
    enum { NM = 1500, NC = 500 };
    static match_mentee ms[NM];
    static match_coach cs[NC];
    static char mid[NM][16], cid[NC][16];
    static match_need needs[NM][3];
    static match_skill skills[NC][4];
    if (!mt_top_vec(32) || !mt_gain_vec() || !mt_key_vec())
        print_message("run on the portable paths: this CPU lacks some vector path\n");
    for (int seats = 1; seats <= 3; seats += 2) {
        rng_state = 61 + (uint64_t)seats;
        hub_market(ms, mid, needs, NM, cs, cid, skills, NC, seats);
        for (int threads = 1; threads <= 2; threads++) {
            match_run_input in = { .mentees = ms, .n_mentees = NM, .coaches = cs, .n_coaches = NC, .threads = threads };
            check_portable(&in);
        }
    }
    static world w;
    rng_state = 67;
    for (int round = 0; round < 120; round++) {
        random_world(&w, 1 + rnd(RMAX_M), 1 + rnd(RMAX_C), round % 2);
        match_policy p;
        match_policy_default(&p);
        p.objective = round % 3 ? MATCH_OBJ_PARTICIPATION : MATCH_OBJ_QUALITY;
        if (round % 5 == 0) p.mode = MATCH_MODE_STABLE;
        if (round % 7 == 0) p.min_score = 6000;
        match_run_input in = world_input(&w, &p);
        in.threads = 1 + round % 2;
        check_portable(&in);
    }
}

/* Coach-side bounds (run.c, "Coach-side bounds"): where seats are scarce
 * (1,500 mentees, 500 coaches of one seat, every 15th a hub) a cold run
 * keeps deeper coach-side lists and certifies most coaches by their bound,
 * so no mentee scans them.  Against the same run without them (and K =
 * 200): the same optimum, every round's coach-certified pairs checked
 * against the duals (check_bounds: a coach certified wrongly leaves a pair
 * that violates), the warm state's bounds against the real prices, fewer
 * pair scorings, and the same pairs on one thread and two. */
static void test_run_coach_bounds(void **state) {
    (void)state;
    enum { NM = 1500, NC = 500 };
    static match_mentee ms[NM];
    static match_coach cs[NC];
    static char mid[NM][16], cid[NC][16];
    static match_need needs[NM][3];
    static match_skill skills[NC][4];
    rng_state = 57;
    hub_market(ms, mid, needs, NM, cs, cid, skills, NC, 1);
    for (int objective = 0; objective < 2; objective++) {
        match_policy p;
        match_policy_default(&p);
        p.objective = objective ? MATCH_OBJ_QUALITY : MATCH_OBJ_PARTICIPATION;
        match_run_input in = { .mentees = ms, .n_mentees = NM, .coaches = cs, .n_coaches = NC, .policy = &p };
        in.threads = 2;
        in.no_coach_bounds = 1;
        match_run_result *a = run_ok(&in);
        in.no_coach_bounds = 0;
        in.check_bounds = 1;
        in.keep_warm = 1;
        match_run_result *b = run_bounds_checked(&in);
        uint32_t cert = 0;
        for (int k = 0; k < b->stats.pricing_rounds && k < MATCH_ROUNDS_KEPT; k++)
            cert = b->stats.rounds[k].cert > cert ? b->stats.rounds[k].cert : cert;
        if (cert < NC / 2) fail_msg("%u coaches certified by their bound", cert);
        for (int k = 0; k < a->stats.pricing_rounds && k < MATCH_ROUNDS_KEPT; k++)
            assert_int_equal(a->stats.rounds[k].cert, 0);
        if (b->stats.pairs_scored >= a->stats.pairs_scored)
            fail_msg("pair scorings: %llu with the bounds, %llu without", (unsigned long long)b->stats.pairs_scored,
                     (unsigned long long)a->stats.pairs_scored);
        in.check_bounds = 0;
        in.keep_warm = 0;
        in.threads = 1;
        match_run_result *c = run_ok(&in);
        assert_true(same_result(b, c));
        /* the same lists: the threads share them, and offer in no order */
        assert_int_equal(b->stats.candidate_edges, c->stats.candidate_edges);
        assert_int_equal(b->stats.pairs_scored, c->stats.pairs_scored);
        for (int k = 0; k < b->stats.pricing_rounds && k < MATCH_ROUNDS_KEPT; k++)
            assert_int_equal(b->stats.rounds[k].cert, c->stats.rounds[k].cert);
        in.candidates = 200;
        in.no_coach_bounds = 1;
        match_run_result *d = run_ok(&in);
        assert_true(a->stats.certified && b->stats.certified && d->stats.certified);
        assert_int_equal(a->stats.objective, b->stats.objective);
        assert_int_equal(a->stats.objective, d->stats.objective);
        assert_int_equal(a->stats.matched, b->stats.matched);
        match_run_free(a);
        match_run_free(b);
        match_run_free(c);
        match_run_free(d);
    }
}

/* The market of the estimate's tests: 8,200 mentees x 1,000 coaches, hubs
 * (every 15th coach, one seat) and 8-9 seats elsewhere, fewer seats than
 * mentees (hub_market, seed 33): over MT_EST_MIN_MENTEES, 8 sub-markets. */
enum { EST_NM = 8200, EST_NC = 1000 };
typedef struct est_market {
    match_mentee ms[EST_NM];
    match_coach cs[EST_NC];
    char mid[EST_NM][16], cid[EST_NC][16];
    match_need needs[EST_NM][3];
    match_skill skills[EST_NC][4];
    match_policy p;
} est_market;

static match_run_input est_market_input(est_market *w) {
    rng_state = 33;
    hub_market(w->ms, w->mid, w->needs, EST_NM, w->cs, w->cid, w->skills, EST_NC, 8);
    match_policy_default(&w->p);
    return (match_run_input){
        .mentees = w->ms, .n_mentees = EST_NM, .coaches = w->cs, .n_coaches = EST_NC, .policy = &w->p
    };
}

/* Estimated prices (estimate.c, run.c "Estimated prices"): a cold run of
 * at least 8,192 free mentees first solves sub-markets of its own; with K =
 * 1 nearly every pair the optimum needs comes from the estimate's lists or
 * from pricing.  Hubs (every 15th coach, one seat) and 8-9 seats
 * elsewhere, fewer seats than mentees.  The run must certify the optimum
 * of the same run without the estimate, keep every round's bounds (the
 * estimate's bound is round 0's), give the same pairs on 1 and 2 threads,
 * and leave a warm state whose re-run does not estimate; so must a run
 * with pins, forbidden pairs and waitlists.  With seats to spare the first
 * sub-market finds the market easy and the run goes on without an
 * estimate. */
static void test_run_estimate(void **state) {
    (void)state;
    static est_market w;
    match_run_input in = est_market_input(&w);
    in.threads = 1;
    in.candidates = 1;
    in.check_bounds = 1;
    in.keep_warm = 1;
    match_run_result *a = run_ok(&in);
    assert_true(a->stats.est_groups >= 2);
    assert_true(a->stats.est_pairs > 0 && a->stats.est_pairs < a->stats.pairs_scored);
    assert_true(a->stats.certified);
    assert_int_equal(a->stats.bound_errors, 0);
    check_round_stats(&a->stats);
    match_warm *st = match_run_take_warm(a);
    assert_non_null(st);
    in.keep_warm = 0;
    in.threads = 2;
    match_run_result *b = run_ok(&in);
    assert_int_equal(b->n_pairs, a->n_pairs);
    for (size_t i = 0; i < a->n_pairs; i++) {
        assert_string_equal(b->pairs[i].mentee_id, a->pairs[i].mentee_id);
        assert_string_equal(b->pairs[i].coach_id, a->pairs[i].coach_id);
    }
    in.threads = 1;
    in.no_estimate = 1;
    match_run_result *c = run_ok(&in);
    assert_int_equal(c->stats.est_groups, 0);
    assert_true(c->stats.certified);
    assert_int_equal(a->stats.objective, c->stats.objective);
    assert_int_equal(a->stats.matched, c->stats.matched);
    in.no_estimate = 0;
    in.warm = st;
    match_run_result *d = run_ok(&in);
    assert_int_equal(d->stats.est_groups, 0);
    assert_int_equal(d->stats.objective, c->stats.objective);
    match_warm_free(st);
    match_run_free(a);
    match_run_free(b);
    match_run_free(c);
    match_run_free(d);
    /* Pins (the sub-markets get the seats they leave), forbidden pairs (the
     * sub-markets ignore them, the first pass does not) and waitlists (the
     * sub-markets get theirs): the optimum of the run without the
     * estimate, every bound kept. */
    static match_pair_ref pins[8], forb[400]; /* 8,192 free mentees left */
    static uint32_t wl[EST_NM];
    for (int i = 0; i < 8; i++) pins[i] = (match_pair_ref){ w.mid[i * 1000], w.cid[i * 15 + 1] };
    for (int i = 0; i < 400; i++) forb[i] = (match_pair_ref){ w.mid[(i * 37) % EST_NM], w.cid[(i * 53) % EST_NC] };
    for (int i = 0; i < EST_NM; i++) wl[i] = rnd(4) ? 0 : rnd(5);
    in.warm = NULL;
    const match_run_input plain = in; /* without them, for the end */
    in.pinned = pins;
    in.n_pinned = 8;
    in.forbidden = forb;
    in.n_forbidden = 400;
    in.waitlist = wl;
    in.no_estimate = 0;
    match_run_result *f = run_ok(&in);
    assert_true(f->stats.est_groups >= 2);
    assert_true(f->stats.certified);
    assert_int_equal(f->stats.bound_errors, 0);
    assert_int_equal(f->stats.pinned, 8);
    in.no_estimate = 1;
    match_run_result *g = run_ok(&in);
    assert_true(g->stats.certified);
    assert_int_equal(f->stats.objective, g->stats.objective);
    assert_int_equal(f->stats.matched, g->stats.matched);
    match_run_free(f);
    match_run_free(g);
    in = plain;
    /* Seats for everyone many times over, K = 12: sub-market 0 certifies
     * in about one pass, and the run goes on without an estimate (its
     * pairs still count). */
    for (int j = 0; j < EST_NC; j++) w.cs[j].capacity = 50;
    in.candidates = 0;
    match_run_result *e = run_ok(&in);
    assert_int_equal(e->stats.est_groups, 1);
    assert_true(e->stats.est_pairs > 0);
    check_round_stats(&e->stats);
    match_run_free(e);
}

/* The estimate's progress: what a run reports while it solves its
 * sub-markets, in order, and where a cancel inside them leads. */
typedef struct est_log {
    char last[16];
    int phases;   /* phase changes */
    int est_at;   /* at which change "estimate" began (0: never) */
    int score_at; /* ... "score" */
    uint64_t done, max_total, reports;
    int cancel;       /* 1: at the first report; 2: once a sub-market is
                           solved (sub-markets on the other thread) */
    atomic_int *flag; /* with cancel: raise this instead of returning 1 */
} est_log;

static int est_progress(void *ud, const char *phase, uint64_t done, uint64_t total) {
    est_log *l = ud;
    assert_true(done <= total);
    if (strcmp(phase, l->last) != 0) {
        snprintf(l->last, sizeof(l->last), "%s", phase);
        l->phases++;
        if (!strcmp(phase, "estimate")) l->est_at = l->phases;
        if (!strcmp(phase, "score") && !l->score_at) l->score_at = l->phases;
    }
    if (strcmp(phase, "estimate") != 0) return 0;
    assert_true(done >= l->done); /* never backwards */
    l->done = done;
    l->max_total = total > l->max_total ? total : l->max_total;
    l->reports++;
    int stop = (l->cancel == 1) || (l->cancel == 2 && done >= 1);
    if (stop && l->flag) {
        atomic_store(l->flag, 1);
        return 0;
    }
    return stop;
}

static void test_run_estimate_progress(void **state) {
    (void)state;
    static est_market w;
    match_run_input in = est_market_input(&w);
    in.candidates = 1;
    in.threads = 2;
    in.progress = est_progress;
    /* after "prepare", before "score"; done climbs to total = sub-markets */
    est_log l = { 0 };
    in.progress_ud = &l;
    match_run_result *r = run_ok(&in);
    assert_true(r->stats.est_groups >= 2);
    assert_int_equal(l.est_at, 2);
    assert_int_equal(l.score_at, 3);
    assert_int_equal(l.max_total, r->stats.est_groups);
    assert_int_equal(l.done, r->stats.est_groups);
    assert_true(l.reports > 2);
    match_run_free(r);
    /* without the estimate, no such phase */
    memset(&l, 0, sizeof(l));
    in.no_estimate = 1;
    r = run_ok(&in);
    assert_int_equal(l.est_at, 0);
    match_run_free(r);
    in.no_estimate = 0;
    /* Cancelled: at the start (no sub-market solved), and once the probe is
     * solved, by the callback and by the run's flag, while the other
     * thread solves sub-markets: MATCH_ECANCELLED, nothing leaked. */
    atomic_int flag;
    for (int c = 0; c < 3; c++) {
        memset(&l, 0, sizeof(l));
        l.cancel = c == 0 ? 1 : 2;
        atomic_init(&flag, 0);
        l.flag = c == 2 ? &flag : NULL;
        in.cancel = &flag;
        match_err err = { 0 };
        r = NULL;
        int rc = match_run(cat, &in, &r, &err);
        if (rc != MATCH_ECANCELLED) fail_msg("cancel %d: rc %d", c, rc);
        assert_null(r);
        assert_non_null(strstr(err.msg, "cancel"));
        assert_int_equal(l.score_at, 0);
        assert_true(c == 0 ? l.done == 0 : l.done >= 1);
    }
    in.cancel = NULL;
    /* An easy market: the probe alone, total 1 */
    for (int j = 0; j < EST_NC; j++) w.cs[j].capacity = 50;
    in.candidates = 0;
    memset(&l, 0, sizeof(l));
    r = run_ok(&in);
    assert_int_equal(r->stats.est_groups, 1);
    assert_int_equal(l.est_at, 2);
    assert_int_equal(l.max_total, 1);
    assert_int_equal(l.done, 1);
    match_run_free(r);
}

/* Change mentee i of w the way a re-run sees it: its availability and one
 * of: a competency level, a competency replaced by another code (catalogue
 * or T.<sector>), its province, position class, first language.  Every one
 * of them must change the mentee's fingerprint. */
static void warm_change_mentee(world *w, size_t i) {
    match_mentee *m = &w->m[i];
    m->availability = rnd(2) ? 0 : 0x7F;
    switch (rnd(5)) {
    case 0:
        w->needs[i][0].current = (int)rnd(3);
        if (!m->n_competencies) {
            w->needs[i][0] = (match_need){ "M.01", (int)rnd(3), 3 };
            m->n_competencies = 1;
        }
        break;
    case 1: /* the one code it does not have (it has at most three of four) */
        for (size_t k = 0; k < 4; k++) {
            int has = 0;
            for (size_t j = 0; j < m->n_competencies; j++) has |= strcmp(w->needs[i][j].code, R_COMPS[k]) == 0;
            if (has) continue;
            if (m->n_competencies)
                w->needs[i][rnd((uint32_t)m->n_competencies)].code = R_COMPS[k];
            else
                w->needs[i][m->n_competencies++] = (match_need){ R_COMPS[k], 0, 4 };
            break;
        }
        break;
    case 2: m->province = strcmp(m->province, R_PROV[0]) ? R_PROV[0] : R_PROV[1]; break;
    case 3: m->position_class = strcmp(m->position_class, R_CLASS[0]) ? R_CLASS[0] : R_CLASS[2]; break;
    default: w->langs[i][0] = strcmp(w->langs[i][0], "en") ? "en" : "jv"; break;
    }
}

/* Warm re-runs at medium size with short lists (so that pricing, its
 * reduced bounds and the bounds a state carries do the work): after a few
 * mentees and coaches changed (warm_change_mentee; coaches' competency
 * levels and free capacity), a run started from the earlier run's state
 * reaches the optimum of a cold run holding every pair, certified, and
 * starts warm. */
static void test_run_warm_medium(void **state) {
    (void)state;
    static world w;
    rng_state = 16;
    int warm = 0;
    for (int round = 0; round < 40; round++) {
        random_world(&w, 20 + rnd(44), 5 + rnd(40), 1);
        for (size_t j = 0; j < w.nc; j++) w.c[j].capacity = 1 + (int)rnd(2);
        match_policy p;
        match_policy_default(&p);
        p.objective = round % 2 ? MATCH_OBJ_QUALITY : MATCH_OBJ_PARTICIPATION;
        match_run_input in = world_input(&w, &p);
        in.candidates = 1 + round % 3;
        in.threads = 1 + round % 2;
        in.keep_warm = 1;
        in.check_bounds = 1;
        match_run_result *a = run_ok(&in);
        assert_int_equal(a->stats.bound_errors, 0);
        match_warm *st = match_run_take_warm(a);
        assert_non_null(st);
        for (int k = 0; k < 2; k++) { /* a few profiles change */
            size_t i = rnd((uint32_t)w.nm), j = rnd((uint32_t)w.nc);
            warm_change_mentee(&w, i);
            w.skills[j][0].level = 1 + (int)rnd(5);
            w.c[j].capacity = (int)rnd(3);
            w.c[j].load = 0;
        }
        in.keep_warm = 0;
        in.warm = st;
        match_run_result *b = run_ok(&in);
        assert_int_equal(b->stats.bound_errors, 0);
        in.warm = NULL;
        in.check_bounds = 0;
        in.candidates = 64;
        match_run_result *c = run_ok(&in);
        assert_true(b->stats.certified);
        assert_int_equal(b->stats.objective, c->stats.objective);
        assert_int_equal(b->stats.matched, c->stats.matched);
        assert_int_equal(b->stats.objective_score, c->stats.objective_score);
        warm += b->stats.warm;
        match_run_free(a);
        match_run_free(b);
        match_run_free(c);
        match_warm_free(st);
    }
    assert_true(warm >= 20);
}

/* A warm state reuses a mentee only when its fingerprint is unchanged:
 * every field the score or a hard constraint reads counts, catalogue codes
 * (taken by their catalogue index) and T.<sector> codes alike.  One mentee
 * changed at a time: all others are reused, it is not. */
static void test_run_warm_fingerprints(void **state) {
    (void)state;
    static world w;
    rng_state = 31;
    random_world(&w, 40, 12, 0);
    match_mentee *m = &w.m[7];
    w.needs[7][0] = (match_need){ "M.01", 1, 3 };
    w.needs[7][1] = (match_need){ "T.sector-a", 0, 2 }; /* not in the catalogue */
    m->n_competencies = 2;
    match_policy p;
    match_policy_default(&p);
    match_run_input in = world_input(&w, &p);
    in.threads = 1;
    in.keep_warm = 1;
    in.check_bounds = 1;
    match_run_result *a = run_ok(&in);
    assert_int_equal(a->stats.bound_errors, 0);
    match_warm *st = match_run_take_warm(a);
    assert_non_null(st);
    in.keep_warm = 0;
    in.warm = st;
    const match_mentee saved = *m;
    const match_need saved_needs[2] = { w.needs[7][0], w.needs[7][1] };
    const char *saved_lang = w.langs[7][0];
    for (int change = 0; change <= 9; change++) {
        switch (change) {
        case 1: w.needs[7][0].code = "M.04"; break;       /* catalogue code -> another */
        case 2: w.needs[7][0].code = "T.sector-b"; break; /* catalogue code -> T.<sector> */
        case 3: w.needs[7][1].code = "T.sector-b"; break; /* T.<sector> -> another */
        case 4: w.needs[7][1].code = "M.02"; break;       /* T.<sector> -> catalogue code */
        case 5: w.needs[7][0].current = 2; break;         /* a level */
        case 6: m->province = strcmp(m->province, "31") ? "31" : "32"; break;
        case 7: m->position_class = strcmp(m->position_class, "pelaksana") ? "pelaksana" : "pengawas"; break;
        case 8: m->agency = strcmp(m->agency, "bkn") ? "bkn" : "kemenkeu"; break;
        case 9: w.langs[7][0] = strcmp(w.langs[7][0], "jv") ? "jv" : "en"; break;
        default: break; /* 0: nothing changed */
        }
        match_run_result *b = run_ok(&in);
        assert_true(b->stats.warm);
        if (b->stats.warm_mentees != w.nm - (change ? 1u : 0u))
            fail_msg("change %d: %u mentees reused of %zu", change, b->stats.warm_mentees, w.nm);
        match_run_free(b);
        *m = saved;
        w.needs[7][0] = saved_needs[0];
        w.needs[7][1] = saved_needs[1];
        w.langs[7][0] = saved_lang;
    }
    match_run_free(a);
    match_warm_free(st);
}

/* The sort by id takes a guess first (the input order, or the previous
 * run's order from a warm state) and checks it: a re-run whose input comes
 * in another order (reversed here, mentees and coaches), or with a
 * duplicate id where the guess nearly holds, must still sort, reuse the
 * state and give the cold result, or name the duplicate. */
static void test_run_sort_guesses(void **state) {
    (void)state;
    static world w, rev;
    rng_state = 23;
    for (int round = 0; round < 10; round++) {
        random_world(&w, 30 + rnd(30), 10 + rnd(20), 1);
        match_policy p;
        match_policy_default(&p);
        match_run_input in = world_input(&w, &p);
        in.keep_warm = 1;
        in.check_bounds = 1;
        match_run_result *a = run_ok(&in);
        assert_int_equal(a->stats.bound_errors, 0);
        match_warm *st = match_run_take_warm(a);
        assert_non_null(st);
        rev = w;
        for (size_t i = 0; i < w.nm; i++) {
            rev.m[i] = w.m[w.nm - 1 - i];
            rev.waitlist[i] = w.waitlist[w.nm - 1 - i];
        }
        for (size_t j = 0; j < w.nc; j++) rev.c[j] = w.c[w.nc - 1 - j];
        match_run_input rin = world_input(&rev, &p);
        rin.warm = st;
        match_run_result *b = run_ok(&rin);
        assert_true(b->stats.warm);
        assert_int_equal(b->stats.warm_mentees + b->stats.pinned, w.nm); /* every free one */
        in.keep_warm = 0;
        match_run_result *c = run_ok(&in); /* cold, original order */
        assert_int_equal(b->stats.objective, c->stats.objective);
        assert_int_equal(b->n_pairs, c->n_pairs);
        for (size_t k = 0; k < b->n_pairs; k++) { /* same pairs: ids, in id order */
            assert_string_equal(b->pairs[k].mentee_id, c->pairs[k].mentee_id);
            assert_string_equal(b->pairs[k].coach_id, c->pairs[k].coach_id);
        }
        /* the original order with the last id repeated: the first guess
         * fails at the end only, the warm state's (same order) too */
        const char *last = w.m[w.nm - 1].id;
        w.m[w.nm - 1].id = w.m[w.nm - 2].id;
        in.warm = st;
        match_run_result *bad = NULL;
        match_err err = { 0 };
        assert_int_equal(match_run(cat, &in, &bad, &err), MATCH_ERR);
        assert_null(bad);
        assert_non_null(strstr(err.msg, "duplicate mentee id"));
        w.m[w.nm - 1].id = last;
        in.warm = NULL;
        match_run_free(a);
        match_run_free(b);
        match_run_free(c);
        match_warm_free(st);
    }
}

/* A warm re-run on a market of ties (every pair scores alike, three
 * mentees a seat) after two coaches changed: every reused mentee takes
 * some changed coaches at its own level as candidates, spread over them,
 * so that the first solve prices them; were they left without edges (as
 * when a reused mentee kept only changed coaches above its old bound),
 * they would come out free, and the first pricing round would rescan every
 * unmatched mentee.  The result is the cold run's. */
static void test_run_warm_ties_spread(void **state) {
    (void)state;
    enum { NM = 300, NC = 100 };
    static match_mentee ms[NM];
    static match_coach cs[NC];
    static char mid[NM][16], cid[NC][16];
    for (int i = 0; i < NM; i++) {
        ms[i] = base_mentee();
        snprintf(mid[i], sizeof(mid[i]), "m%03d", i);
        ms[i].id = mid[i];
    }
    for (int j = 0; j < NC; j++) {
        cs[j] = base_coach();
        snprintf(cid[j], sizeof(cid[j]), "c%03d", j);
        cs[j].id = cid[j];
        cs[j].capacity = 1;
    }
    match_policy p;
    match_policy_default(&p);
    match_run_input in = { .mentees = ms, .n_mentees = NM, .coaches = cs, .n_coaches = NC, .policy = &p };
    in.threads = 1;
    in.keep_warm = 1;
    in.check_bounds = 1;
    match_run_result *a = run_ok(&in);
    assert_int_equal(a->stats.bound_errors, 0);
    match_warm *st = match_run_take_warm(a);
    assert_non_null(st);
    cs[10].organization = "lan"; /* a new fingerprint, the same scores */
    cs[60].organization = "lan";
    in.keep_warm = 0;
    in.warm = st;
    match_run_result *b = run_ok(&in);
    in.warm = NULL;
    match_run_result *c = run_ok(&in);
    assert_true(b->stats.warm);
    assert_int_equal(b->stats.warm_coaches, NC - 2);
    assert_true(b->stats.certified);
    assert_int_equal(b->stats.objective, c->stats.objective);
    assert_int_equal(b->stats.matched, NC);
    assert_true(b->stats.rescanned < NM / 10);
    match_run_free(a);
    match_run_free(b);
    match_run_free(c);
    match_warm_free(st);
}

/* ---- stable mode ---------------------------------------------------------------------- */

static void check_no_blocking_pair(world *w, const match_policy *p, const match_run_result *r) {
    int mc[RMAX_M], ms[RMAX_M];
    int used[RMAX_C] = { 0 }, worst[RMAX_C];
    for (size_t i = 0; i < w->nm; i++) mc[i] = -1, ms[i] = -1;
    for (size_t j = 0; j < w->nc; j++) worst[j] = 1 << 30;
    for (size_t i = 0; i < r->n_pairs; i++) {
        const match_proposal *pp = &r->pairs[i];
        mc[pp->mentee] = (int)pp->coach;
        ms[pp->mentee] = pp->score;
        used[pp->coach]++;
        if (pp->score < worst[pp->coach]) worst[pp->coach] = pp->score;
    }
    for (size_t i = 0; i < w->nm; i++)
        for (size_t j = 0; j < w->nc; j++) {
            match_explain ex = explain(&w->m[i], &w->c[j], p, 0);
            if (!ex.feasible || mc[i] == (int)j) continue;
            int fc = w->c[j].capacity > w->c[j].load ? w->c[j].capacity - w->c[j].load : 0;
            int mentee_wants = mc[i] < 0 || ex.score > ms[i];
            int coach_wants = used[j] < fc || (used[j] > 0 && ex.score > worst[j]);
            if (mentee_wants && coach_wants) fail_msg("blocking pair %s-%s (score %d)", w->mid[i], w->cid[j], ex.score);
        }
}

static void test_stable_no_blocking_pair(void **state) {
    (void)state;
    static world w;
    rng_state = 21;
    for (int round = 0; round < 200; round++) {
        random_world(&w, 1 + rnd(40), 1 + rnd(12), 0);
        match_policy p;
        match_policy_default(&p);
        p.mode = MATCH_MODE_STABLE;
        match_run_input in = world_input(&w, &p);
        in.candidates = 1 + (int)rnd(3); /* forces rescans */
        match_run_result *r = run_ok(&in);
        check_no_blocking_pair(&w, &p, r);
        assert_true(r->stats.certified);
        match_run_free(r);
    }
}

/* ---- determinism, edge cases, pins, cancellation -------------------------------------- */

static int same_result(const match_run_result *a, const match_run_result *b) {
    if (a->n_pairs != b->n_pairs || a->n_unmatched != b->n_unmatched) return 0;
    for (size_t i = 0; i < a->n_pairs; i++)
        if (strcmp(a->pairs[i].mentee_id, b->pairs[i].mentee_id) ||
            strcmp(a->pairs[i].coach_id, b->pairs[i].coach_id) || a->pairs[i].score != b->pairs[i].score)
            return 0;
    for (size_t i = 0; i < a->n_unmatched; i++)
        if (strcmp(a->unmatched[i].mentee_id, b->unmatched[i].mentee_id) ||
            a->unmatched[i].reason != b->unmatched[i].reason)
            return 0;
    return a->stats.total_score == b->stats.total_score;
}

/* Preparation (validation, the mentee copies, their codes) runs in parts
 * on several threads once a run has at least two parts' worth of mentees
 * or coaches (RUN_PART_MIN, 8,192, in run.c).  A market of 20,000 mentees
 * in an order that is not their ids' gives the same result on 1, 2 and 4
 * threads; an invalid profile is named as a serial check would name it,
 * the first in input order, wherever the parts split. */
#define PAR_NM 20000
#define PAR_NC 17000

/* five kinds of coach, each strong in other competencies: the mentees'
 * scores differ by kind, so the best kinds fill up and pricing has work */
static const match_skill par_skills[5][2] = { { { "M.01", 5 }, { "M.04", 3 } },
                                              { { "M.02", 4 }, { "SK.1", 5 } },
                                              { { "M.04", 5 }, { "T.digital", 4 } },
                                              { { "SK.1", 3 }, { "M.01", 4 } },
                                              { { "T.digital", 5 }, { "M.02", 3 } } };

static void par_market(match_mentee *ms, char (*mid)[16], match_need (*needs)[3], size_t nm) {
    static const char *const comps[] = { "M.01", "M.02", "M.04", "SK.1", "T.digital" };
    static const char *const provs[] = { "31", "32", "11", "73" };
    static const char *const ag[] = { "kemenkeu", "bkn", "pemprov-31", "kemenpupr" };
    for (size_t i = 0; i < nm; i++) {
        snprintf(mid[i], sizeof(mid[i]), "M%06zu", (i * 7919) % nm); /* a permutation: 7919 is prime */
        for (int k = 0; k < 3; k++)
            needs[i][k] = (match_need){ comps[(i / 3 + (size_t)k * 2) % 5], (int)(i % 3), 3 + (int)(i % 2) };
        ms[i] = base_mentee();
        ms[i].id = mid[i];
        ms[i].agency = ag[i % 4];
        ms[i].province = provs[(i / 7) % 4];
        ms[i].competencies = needs[i];
        ms[i].n_competencies = 3;
    }
}

static void expect_run_error(const match_run_input *in, const char *field, const char *msg_part) {
    match_run_result *r = NULL;
    match_err err = { 0 };
    assert_int_equal(match_run(cat, in, &r, &err), MATCH_ERR);
    assert_null(r);
    assert_string_equal(err.field, field);
    if (!strstr(err.msg, msg_part)) fail_msg("error \"%s\" does not name %s", err.msg, msg_part);
}

/* The steps of a run that also run in parts with two parts' worth of
 * items: the profiles' fingerprints (taken in validation), the graph's
 * first rows, which mentees a pricing round scans (20,000), and the
 * result's scores (20,000 pairs).  A cold run keeping its state, 1 % of the
 * profiles changed, and the warm re-run from the state the other thread
 * count kept: 1 and 2 threads give the same results and reuse the same
 * coaches (a fingerprint taken in the wrong part would drop some), and the
 * warm result is the cold one's. */
static void par_warm(match_run_input *in, match_need (*needs)[3], match_coach *cs) {
    in->n_mentees = PAR_NM;
    in->n_coaches = PAR_NC;
    match_run_result *cold[2];
    match_warm *w[2];
    in->candidates = 1; /* pricing finds most edges: its scans in parts matter */
    in->no_classes = 1; /* and warm states, which a run by class keeps none of */
    for (int t = 0; t < 2; t++) {
        in->threads = t + 1;
        in->keep_warm = 1;
        cold[t] = run_ok(in);
        assert_true(cold[t]->stats.certified);
        assert_true(cold[t]->n_pairs >= 2 * 8192); /* the scores in two parts */
        assert_true(cold[t]->stats.rescanned > 0);
        assert_non_null(w[t] = match_run_take_warm(cold[t]));
    }
    assert_true(same_result(cold[0], cold[1]));
    assert_true(cold[0]->stats.mean_gap_coverage == cold[1]->stats.mean_gap_coverage);
    size_t changed = 0;
    for (size_t j = 0; j < PAR_NC; j += 100, changed++) cs[j].rank = cs[j].rank == 5 ? 4 : cs[j].rank + 1;
    for (size_t i = 0; i < PAR_NM; i += 100) needs[i][0].current = needs[i][0].current ? 0 : 1;
    in->keep_warm = 0;
    match_run_result *warm[2];
    for (int t = 0; t < 2; t++) {
        in->threads = t + 1;
        in->warm = w[1 - t]; /* the other thread count's state */
        warm[t] = run_ok(in);
        assert_true(warm[t]->stats.certified);
        assert_int_equal(warm[t]->stats.warm, 1);
        assert_int_equal(warm[t]->stats.warm_coaches, PAR_NC - changed);
        assert_int_equal(warm[t]->stats.warm_mentees, PAR_NM - PAR_NM / 100);
    }
    in->warm = NULL;
    match_run_result *again = run_ok(in);
    assert_true(same_result(warm[0], warm[1]));
    assert_int_equal(warm[0]->stats.objective, again->stats.objective);
    assert_int_equal(warm[1]->stats.objective, again->stats.objective);
    match_run_free(again);
    for (int t = 0; t < 2; t++) {
        match_run_free(cold[t]);
        match_run_free(warm[t]);
        match_warm_free(w[t]);
    }
}

static void test_run_parallel_prepare(void **state) {
    (void)state;
    match_mentee *ms = calloc(PAR_NM, sizeof(*ms));
    char(*mid)[16] = calloc(PAR_NM, sizeof(*mid));
    match_need(*needs)[3] = calloc(PAR_NM, sizeof(*needs));
    match_coach *cs = calloc(PAR_NC, sizeof(*cs));
    char(*cid)[16] = calloc(PAR_NC, sizeof(*cid));
    assert_true(ms && mid && needs && cs && cid);
    par_market(ms, mid, needs, PAR_NM);
    for (size_t j = 0; j < PAR_NC; j++) {
        snprintf(cid[j], sizeof(cid[j]), "C%05zu", (j * 7919) % PAR_NC);
        cs[j] = base_coach();
        cs[j].id = cid[j];
        cs[j].capacity = 1 + (int)(j % 3);
        cs[j].rank = 3 + (int)(j % 3);
        cs[j].competencies = par_skills[j % 5];
    }
    match_policy p;
    match_policy_default(&p);
    /* 20,000 mentees x 40 coaches: a whole run, optimal and certified */
    match_run_input in = { .mentees = ms, .n_mentees = PAR_NM, .coaches = cs, .n_coaches = 40, .policy = &p };
    in.threads = 1;
    match_run_result *a = run_ok(&in);
    assert_true(a->stats.certified);
    assert_true(a->n_pairs > 0 && a->n_unmatched > 0);
    for (int t = 2; t <= 4; t += 2) {
        in.threads = t;
        match_run_result *b = run_ok(&in);
        assert_true(same_result(a, b));
        assert_int_equal(a->stats.objective, b->stats.objective);
        match_run_free(b);
    }
    match_run_free(a);
    /* the first invalid mentee in input order, in either part or both */
    in.threads = 2;
    ms[15000].province = "99";
    expect_run_error(&in, "mentees[15000].province", "mentees[15000]");
    needs[12000][1].code = "X.1";
    expect_run_error(&in, "mentees[12000].competencies[1].code", "mentees[12000]");
    ms[3].agency = "bad agency";
    expect_run_error(&in, "mentees[3].agency", "mentees[3]");
    ms[3].agency = "kemenkeu";
    needs[12000][1].code = "M.02";
    ms[15000].province = "32";
    /* and coaches: 17,000 of them, two parts */
    in.n_coaches = PAR_NC;
    in.n_mentees = 10;
    cs[16999].rank = 0;
    expect_run_error(&in, "coaches[16999].rank", "coaches[16999]");
    cs[9000].capacity = -1;
    expect_run_error(&in, "coaches[9000].capacity", "coaches[9000]");
    cs[16999].rank = 4;
    cs[9000].capacity = 1;
    match_run_result *c = run_ok(&in);
    assert_true(c->stats.certified);
    match_run_free(c);
    par_warm(&in, needs, cs);
    free(ms);
    free(mid);
    free(needs);
    free(cs);
    free(cid);
}

static void test_determinism(void **state) {
    (void)state;
    static world w, rev;
    rng_state = 31;
    for (int round = 0; round < 40; round++) {
        random_world(&w, 30 + rnd(30), 5 + rnd(40), 1);
        match_policy p;
        match_policy_default(&p);
        p.mode = round % 2 ? MATCH_MODE_STABLE : MATCH_MODE_OPTIMAL;
        match_run_input in = world_input(&w, &p);
        in.candidates = 2;
        in.threads = 2;
        match_run_result *a = run_ok(&in);
        in.threads = 1;
        match_run_result *b = run_ok(&in);
        assert_true(same_result(a, b));
        /* reversed input order: same pairs by id */
        rev = w;
        for (size_t i = 0; i < w.nm; i++) {
            rev.m[i] = w.m[w.nm - 1 - i];
            rev.waitlist[i] = w.waitlist[w.nm - 1 - i];
        }
        for (size_t j = 0; j < w.nc; j++) rev.c[j] = w.c[w.nc - 1 - j];
        match_run_input in2 = world_input(&rev, &p);
        in2.candidates = 2;
        match_run_result *c = run_ok(&in2);
        assert_true(same_result(a, c));
        match_run_free(a);
        match_run_free(b);
        match_run_free(c);
    }
}

static void assert_same_explain(const match_explain *a, const match_explain *b) {
    assert_int_equal(a->score, b->score);
    assert_int_equal(a->feasible, b->feasible);
    assert_int_equal(a->reason, b->reason);
    assert_int_equal(a->gap_num, b->gap_num);
    assert_int_equal(a->gap_den, b->gap_den);
    assert_int_equal(a->common_slots, b->common_slots);
    assert_int_equal(a->n_competencies, b->n_competencies);
    for (size_t k = 0; k < a->n_competencies; k++) {
        assert_string_equal(a->competencies[k].code, b->competencies[k].code);
        assert_int_equal(a->competencies[k].gap, b->competencies[k].gap);
        assert_int_equal(a->competencies[k].coach_level, b->competencies[k].coach_level);
        assert_int_equal(a->competencies[k].covered, b->competencies[k].covered);
        assert_int_equal(a->competencies[k].weight, b->competencies[k].weight);
    }
}

/* Coach classes (run.c): coaches identical in everything a score reads are
 * solved as one coach of their summed capacity.  Against the exhaustive
 * optimum on small worlds of copies of one coach, and against the run by
 * coach (input.no_classes) on a market of 16 profiles with agencies that
 * split classes or not, programs, waitlists, pins and forbidden pairs:
 * the same certified optimum, every proposal an allowed pair at its score,
 * no coach over its capacity, the same result on 1 and 2 threads.  A
 * class's mentees are dealt evenly over equal coaches; a run by class
 * neither keeps a warm state nor starts from one. */
static void test_run_classes(void **state) {
    (void)state;
    check_run_vs_brute(MATCH_OBJ_PARTICIPATION, 0, 21, 120, 1);
    check_run_vs_brute(MATCH_OBJ_QUALITY, 0, 22, 120, 1);

    enum { NM = 600, NC = 320 };
    static match_mentee ms[NM];
    static match_coach cs[NC];
    static char mid[NM][16], cid[NC][16];
    static uint32_t wait[NM];
    static match_need needs[3][3] = { { { "M.01", 1, 4 }, { "M.02", 2, 4 }, { "M.03", 1, 3 } },
                                      { { "M.01", 3, 4 }, { "M.02", 1, 5 }, { "M.03", 2, 3 } },
                                      { { "M.01", 0, 5 }, { "M.02", 2, 3 }, { "M.03", 3, 4 } } };
    static match_skill tiers[2][3] = { { { "M.01", 4 }, { "M.02", 4 }, { "M.03", 4 } },
                                       { { "M.01", 5 }, { "M.02", 5 }, { "M.03", 5 } } };
    static const char *const other_prog[] = { "p-other" };
    static const char *const kinds[] = { "widyaiswara", "pkn1_alumni", "corporate_leader" };
    for (int i = 0; i < NM; i++) {
        ms[i] = base_mentee();
        snprintf(mid[i], sizeof(mid[i]), "m%03d", (i * 37) % NM);
        ms[i].id = mid[i];
        ms[i].competencies = needs[i % 3];
        ms[i].province = i % 2 ? "32" : "33";
        ms[i].agency = i % 5 ? "kemenkeu" : "bkn";
        wait[i] = i % 7 == 0 ? 2 : 0;
    }
    for (int j = 0; j < NC; j++) {
        cs[j] = base_coach();
        snprintf(cid[j], sizeof(cid[j]), "c%03d", (j * 101) % NC);
        cs[j].id = cid[j];
        cs[j].kind = kinds[j % 3];
        cs[j].competencies = tiers[j % 2];
        cs[j].n_competencies = 3;
        cs[j].province = (j / 2) % 2 ? "32" : "33";
        /* kemenkeu meets mentees' agencies (its own classes); two others
         * do not and share theirs */
        cs[j].organization = (j / 4) % 2 ? "kemenkeu" : j % 3 ? "pt-swasta" : "bappenas";
        if ((j / 8) % 4 == 0) {
            cs[j].programs = other_prog;
            cs[j].n_programs = 1;
        }
        cs[j].capacity = 1 + j % 3;
        cs[j].load = j % 11 == 0;
    }
    match_pair_ref pins[] = { { mid[3], cid[5] }, { mid[40], cid[6] }, { mid[41], cid[6] } };
    match_pair_ref forbids[] = { { mid[10], cid[1] }, { mid[11], cid[2] }, { mid[12], cid[3] } };
    for (int obj = 0; obj < 2; obj++) {
        match_policy p;
        match_policy_default(&p);
        p.objective = obj ? MATCH_OBJ_QUALITY : MATCH_OBJ_PARTICIPATION;
        match_run_input in = { .mentees = ms, .n_mentees = NM, .coaches = cs, .n_coaches = NC, .policy = &p };
        in.waitlist = wait;
        in.pinned = pins;
        in.n_pinned = 3;
        in.forbidden = forbids;
        in.n_forbidden = 3;
        in.threads = 1;
        in.no_classes = 1;
        match_run_result *ref = run_ok(&in);
        assert_int_equal(ref->stats.coach_classes, 0);
        in.no_classes = 0;
        match_run_result *a = run_ok(&in);
        in.threads = 2;
        match_run_result *b = run_ok(&in);
        assert_true(ref->stats.certified && a->stats.certified);
        assert_true(a->stats.coach_classes > 0 && a->stats.coach_classes <= NC / 8);
        assert_int_equal(a->stats.objective, ref->stats.objective);
        assert_int_equal(a->stats.objective_score, ref->stats.objective_score);
        assert_int_equal(a->stats.matched, ref->stats.matched);
        assert_int_equal(a->stats.pinned, 2); /* c006 has one seat for two pins */
        assert_int_equal(a->stats.pins_skipped, 1);
        assert_int_equal(a->stats.coaches, NC);
        assert_true(same_result(a, b));
        assert_true(a->n_unmatched > 0 || a->stats.matched == NM);
        /* every proposal an allowed pair at its score, capacities kept */
        static int32_t gain[NC], cap[NC];
        int used[NC] = { 0 };
        for (size_t i = 0; i < a->n_pairs; i++) {
            const match_proposal *pp = &a->pairs[i];
            assert_int_equal(match_run_problem(a, pp->mentee, gain, cap), MATCH_OK);
            match_explain ex;
            assert_int_equal(match_run_explain(a, i, &ex), MATCH_OK);
            assert_int_equal(ex.score, pp->score);
            assert_true(ex.feasible || pp->pinned);
            if (pp->pinned) continue;
            used[pp->coach]++;
            assert_int_equal(gain[pp->coach], pp->score + p.waitlist_bonus * (int)wait[pp->mentee]);
        }
        for (int j = 0; j < NC; j++) assert_true(used[j] <= cap[j]);
        match_run_free(ref);
        match_run_free(a);
        match_run_free(b);
    }

    /* 40 equal mentees, two of them pinned, over 16 coaches of 3 seats
     * in two classes: 8 that every mentee prefers, 8 less good.  The
     * first class has 22 seats after the pins, and each of its coaches
     * ends full; the other 16 mentees are dealt 2 to each coach of the
     * second.  No warm state kept, none used. */
    static match_skill top[] = { { "M.01", 5 }, { "M.02", 5 }, { "M.03", 5 } };
    match_policy p;
    match_policy_default(&p);
    for (int j = 0; j < 16; j++) {
        cs[j] = base_coach();
        cs[j].id = cid[j];
        cs[j].capacity = 3;
        if (j < 8) {
            cs[j].competencies = top;
            cs[j].n_competencies = 3;
        }
    }
    for (int i = 0; i < 40; i++) {
        ms[i] = base_mentee();
        ms[i].id = mid[i];
    }
    match_pair_ref pin2[] = { { mid[0], cid[0] }, { mid[1], cid[1] } };
    match_run_input in = { .mentees = ms, .n_mentees = 40, .coaches = cs, .n_coaches = 16, .policy = &p };
    in.pinned = pin2;
    in.n_pinned = 2;
    in.keep_warm = 1;
    match_run_result *a = run_ok(&in);
    assert_int_equal(a->stats.coach_classes, 2);
    assert_int_equal(a->stats.matched, 40);
    assert_int_equal(a->stats.pinned, 2);
    assert_null(match_run_take_warm(a));
    int load[16] = { 0 };
    for (size_t i = 0; i < a->n_pairs; i++) load[a->pairs[i].coach]++;
    for (int j = 0; j < 16; j++) assert_int_equal(load[j], j < 8 ? 3 : 2);
    in.no_classes = 1;
    match_run_result *b = run_ok(&in);
    match_warm *w = match_run_take_warm(b);
    assert_non_null(w);
    in.no_classes = 0;
    in.keep_warm = 0;
    in.warm = w;
    match_run_result *c = run_ok(&in);
    assert_int_equal(c->stats.warm, 0);
    assert_int_equal(c->stats.coach_classes, 2);
    assert_int_equal(c->stats.objective, b->stats.objective);
    assert_true(same_result(a, c));
    match_warm_free(w);
    match_run_free(a);
    match_run_free(b);
    match_run_free(c);
}

/* match_run_input.borrow: a run that borrows the mentees' profiles gives
 * the copying run's result, explanations and problem rows (both modes,
 * several threads), and owns its ids: scribbling over the input's ids
 * afterwards leaves the result's as they were. */
static void test_run_borrow(void **state) {
    (void)state;
    static world w;
    rng_state = 47;
    for (int round = 0; round < 30; round++) {
        random_world(&w, 20 + rnd(40), 5 + rnd(30), round % 3 == 0);
        match_policy p;
        match_policy_default(&p);
        p.mode = round % 2 ? MATCH_MODE_STABLE : MATCH_MODE_OPTIMAL;
        match_run_input in = world_input(&w, &p);
        in.candidates = 1 + (int)rnd(3);
        in.threads = 1 + (int)rnd(2);
        match_run_result *a = run_ok(&in);
        in.borrow = 1;
        match_run_result *b = run_ok(&in);
        assert_true(same_result(a, b));
        for (size_t i = 0; i < a->n_pairs; i++) {
            match_explain ea, eb;
            assert_int_equal(match_run_explain(a, i, &ea), MATCH_OK);
            assert_int_equal(match_run_explain(b, i, &eb), MATCH_OK);
            assert_same_explain(&ea, &eb);
        }
        int32_t ga[RMAX_C], gb[RMAX_C], ca[RMAX_C], cb[RMAX_C];
        for (size_t i = 0; i < w.nm; i++) {
            assert_int_equal(match_run_problem(a, i, ga, ca), MATCH_OK);
            assert_int_equal(match_run_problem(b, i, gb, cb), MATCH_OK);
            assert_memory_equal(ga, gb, w.nc * sizeof(*ga));
            assert_memory_equal(ca, cb, w.nc * sizeof(*ca));
        }
        for (size_t i = 0; i < w.nm; i++) memset(w.mid[i], 'X', strlen(w.mid[i]));
        assert_true(same_result(a, b));
        match_run_free(a);
        match_run_free(b);
    }
}

/* Overflow languages in runs (both modes, pricing with K = 1): the
 * problem's rows allow exactly the coaches sharing a language, every
 * mentee speaking only a rare language gets its coach, and the result does
 * not depend on threads or input order. */
static void test_overflow_languages_run(void **state) {
    (void)state;
    static match_coach cs[NLANG + 1], rc[NLANG + 1];
    overflow_coaches(cs);
    static const char *const ml[][2] = {
        { "l77", NULL }, { "l70", NULL }, { "l05", "l79" }, { "zz", NULL }, { "l63", NULL }, { "l71", "l78" },
    };
    enum { NM = sizeof(ml) / sizeof(ml[0]) };
    static char mid[NM][16];
    match_mentee ms[NM];
    for (size_t i = 0; i < NM; i++) {
        snprintf(mid[i], sizeof(mid[i]), "M%zu", i);
        ms[i] = base_mentee();
        ms[i].id = mid[i];
        ms[i].languages = ml[i];
        ms[i].n_languages = ml[i][1] ? 2 : 1;
    }
    for (int mode = 0; mode < 2; mode++) {
        match_policy p;
        match_policy_default(&p);
        p.mode = mode ? MATCH_MODE_STABLE : MATCH_MODE_OPTIMAL;
        match_run_input in = { .mentees = ms,
                               .n_mentees = NM,
                               .coaches = cs,
                               .n_coaches = NLANG + 1,
                               .policy = &p,
                               .candidates = 1,
                               .threads = 2 };
        match_run_result *a = run_ok(&in);
        int32_t gain[NLANG + 1];
        for (size_t i = 0; i < NM; i++) {
            assert_int_equal(match_run_problem(a, i, gain, NULL), MATCH_OK);
            for (size_t j = 0; j <= NLANG; j++) {
                int speaks = 0;
                for (size_t k = 0; k < cs[j].n_languages; k++)
                    for (size_t l = 0; l < ms[i].n_languages; l++)
                        speaks |= strcmp(cs[j].languages[k], ms[i].languages[l]) == 0;
                if ((gain[j] >= 0) != speaks) fail_msg("mentee %zu coach %s: gain %d", i, cs[j].id, (int)gain[j]);
            }
        }
        /* every mentee but M3 (zz) is matched to a coach it shares a
         * language with (checked by the rows above and by explain) */
        assert_int_equal(a->n_pairs, NM - 1);
        assert_int_equal(a->n_unmatched, 1);
        assert_string_equal(a->unmatched[0].mentee_id, "M3");
        assert_int_equal(a->unmatched[0].reason, MATCH_UNMATCHED_NO_FEASIBLE_COACH);
        for (size_t i = 0; i < a->n_pairs; i++) {
            match_explain ex;
            assert_int_equal(match_run_explain(a, i, &ex), MATCH_OK);
            assert_true(ex.feasible);
        }
        assert_string_equal(a->pairs[0].mentee_id, "M0");
        assert_string_equal(a->pairs[0].coach_id, "C77");
        assert_string_equal(a->pairs[3].mentee_id, "M4");
        assert_string_equal(a->pairs[3].coach_id, "C63");
        /* determinism: one thread, and coaches in reverse order */
        in.threads = 1;
        match_run_result *b = run_ok(&in);
        assert_true(same_result(a, b));
        for (size_t j = 0; j <= NLANG; j++) rc[j] = cs[NLANG - j];
        in.coaches = rc;
        match_run_result *c = run_ok(&in);
        assert_true(same_result(a, c));
        match_run_free(a);
        match_run_free(b);
        match_run_free(c);
    }
}

static void test_edge_cases(void **state) {
    (void)state;
    match_mentee ms[3];
    char ids[3][16];
    for (int i = 0; i < 3; i++) {
        ms[i] = base_mentee();
        snprintf(ids[i], sizeof(ids[i]), "m%d", i);
        ms[i].id = ids[i];
    }
    match_coach c = base_coach();
    match_run_input in = { .mentees = ms, .n_mentees = 3 };
    /* no coaches */
    match_run_result *r = run_ok(&in);
    assert_int_equal(r->n_pairs, 0);
    assert_int_equal(r->n_unmatched, 3);
    assert_int_equal(r->stats.unmatched[MATCH_UNMATCHED_NO_FEASIBLE_COACH], 3);
    assert_true(r->stats.certified);
    assert_true(r->stats.mean_score == 0.0);
    match_run_free(r);
    /* no mentees */
    match_run_input none = { .coaches = &c, .n_coaches = 1 };
    r = run_ok(&none);
    assert_int_equal(r->n_pairs + r->n_unmatched, 0);
    match_run_free(r);
    /* all capacities 0 -> capacity */
    c.capacity = 0;
    in.coaches = &c;
    in.n_coaches = 1;
    r = run_ok(&in);
    assert_int_equal(r->stats.unmatched[MATCH_UNMATCHED_CAPACITY], 3);
    match_run_free(r);
    /* one seat: one matched (m0, by id on the tie), two capacity */
    c.capacity = 1;
    r = run_ok(&in);
    assert_int_equal(r->n_pairs, 1);
    assert_string_equal(r->pairs[0].mentee_id, "m0");
    assert_int_equal(r->pairs[0].score, 7167);
    assert_int_equal(r->stats.unmatched[MATCH_UNMATCHED_CAPACITY], 2);
    assert_int_equal(r->stats.total_score, 7167);
    match_explain ex;
    assert_int_equal(match_run_explain(r, 0, &ex), MATCH_OK);
    assert_int_equal(ex.score, 7167);
    assert_int_equal(ex.competencies[0].covered, 1);
    assert_int_equal(match_run_explain(r, 1, &ex), MATCH_ERR);
    match_run_free(r);
    /* every pair infeasible */
    c.capacity = 5;
    c.organization = "kemenkeu";
    r = run_ok(&in);
    assert_int_equal(r->stats.unmatched[MATCH_UNMATCHED_NO_FEASIBLE_COACH], 3);
    match_run_free(r);
    /* below min score */
    c.organization = "bappenas";
    match_policy p;
    match_policy_default(&p);
    p.min_score = 9000;
    in.policy = &p;
    r = run_ok(&in);
    assert_int_equal(r->stats.unmatched[MATCH_UNMATCHED_BELOW_MIN_SCORE], 3);
    match_run_free(r);
    /* a mentee with no gaps still gets matched (score from location and
     * availability) */
    match_need nogap[] = { { "M.01", 3, 3 } };
    ms[1].competencies = nogap;
    ms[1].n_competencies = 1;
    p.min_score = 0;
    r = run_ok(&in);
    assert_int_equal(r->n_pairs, 3);
    assert_int_equal(r->pairs[1].score, 2167);
    assert_true(r->stats.mean_gap_coverage > 0.4444 && r->stats.mean_gap_coverage < 0.4445);
    match_run_free(r);
    /* duplicate ids */
    ms[2].id = "m0";
    match_run_result *bad = NULL;
    match_err err = { 0 };
    assert_int_equal(match_run(cat, &in, &bad, &err), MATCH_ERR);
    assert_null(bad);
    assert_non_null(strstr(err.msg, "duplicate mentee id m0"));
    ms[2].id = ids[2];
    /* duplicate coach ids: in sorted order and not (a guess of the order
     * that holds proves the ids distinct; only a sort compares neighbours) */
    match_coach two[3] = { c, c, c };
    two[0].id = "C-1";
    two[1].id = "C-1";
    two[2].id = "C-2";
    in.coaches = two;
    in.n_coaches = 3;
    for (int k = 0; k < 2; k++) {
        assert_int_equal(match_run(cat, &in, &bad, &err), MATCH_ERR);
        assert_null(bad);
        assert_string_equal(err.field, "coaches");
        assert_non_null(strstr(err.msg, "duplicate coach id C-1"));
        two[0].id = "C-2"; /* C-2, C-1, C-1: not in order */
        two[2].id = "C-1";
    }
    in.coaches = &c;
    in.n_coaches = 1;
    /* invalid profile: field named with its index */
    ms[1].province = "00";
    assert_int_equal(match_run(cat, &in, &bad, &err), MATCH_ERR);
    assert_string_equal(err.field, "mentees[1].province");
    ms[1].province = "32";
    in.candidates = 201;
    assert_int_equal(match_run(cat, &in, &bad, &err), MATCH_ERR);
    assert_string_equal(err.field, "candidates");
    in.candidates = 0;
    c.rank = 0;
    assert_int_equal(match_run(cat, &in, &bad, &err), MATCH_ERR);
    assert_string_equal(err.field, "coaches[0].rank");
    c.rank = 3;
    /* a NULL array with a count: named before any profile is read (the
     * profile checks used to come first and read through it) */
    in.mentees = NULL;
    assert_int_equal(match_run(cat, &in, &bad, &err), MATCH_ERR);
    assert_null(bad);
    assert_non_null(strstr(err.msg, "an array is NULL but its count is not 0"));
    in.mentees = ms;
    /* a count beyond the engine's: refused before anything is read or
     * allocated for it (the check came after the profile checks, which
     * read every mentee the count names, far past this array) */
    size_t n = in.n_mentees;
    in.n_mentees = (size_t)INT32_MAX / 2 + 1;
    assert_int_equal(match_run(cat, &in, &bad, &err), MATCH_ERR);
    assert_null(bad);
    assert_non_null(strstr(err.msg, "too many mentees or coaches"));
    in.n_mentees = n;
}

/* Ties: equal scores are broken by mentee id then coach id, in both modes. */
static void test_ties(void **state) {
    (void)state;
    match_mentee ms[2] = { base_mentee(), base_mentee() };
    ms[0].id = "b";
    ms[1].id = "a";
    match_coach cs[2] = { base_coach(), base_coach() };
    cs[0].id = "y";
    cs[1].id = "x";
    cs[0].capacity = cs[1].capacity = 1;
    match_policy p;
    match_policy_default(&p);
    for (int mode = 0; mode < 2; mode++) {
        p.mode = mode ? MATCH_MODE_STABLE : MATCH_MODE_OPTIMAL;
        match_run_input in = { .mentees = ms, .n_mentees = 2, .coaches = cs, .n_coaches = 2, .policy = &p };
        match_run_result *r = run_ok(&in);
        assert_int_equal(r->n_pairs, 2);
        assert_string_equal(r->pairs[0].mentee_id, "a");
        assert_int_equal(r->pairs[0].mentee, 1); /* input index */
        assert_string_equal(r->pairs[1].mentee_id, "b");
        if (mode) { /* greedy: a takes x first */
            assert_string_equal(r->pairs[0].coach_id, "x");
            assert_int_equal(r->pairs[0].coach, 1);
        }
        match_run_free(r);
    }
}

static void test_pins_and_forbidden(void **state) {
    (void)state;
    match_mentee ms[3] = { base_mentee(), base_mentee(), base_mentee() };
    ms[0].id = "m0";
    ms[1].id = "m1";
    ms[2].id = "m2";
    match_coach cs[2] = { base_coach(), base_coach() };
    cs[0].id = "c0";
    cs[1].id = "c1";
    cs[0].capacity = 1;
    cs[1].capacity = 1;
    cs[1].availability = 0x7; /* c1 scores 7500 for everyone */
    match_pair_ref pins[] = { { "m2", "c0" }, { "m1", "c0" }, { "ghost", "c0" } };
    match_pair_ref forb[] = { { "m0", "c1" } };
    match_run_input in = { .mentees = ms,
                           .n_mentees = 3,
                           .coaches = cs,
                           .n_coaches = 2,
                           .pinned = pins,
                           .n_pinned = 3,
                           .forbidden = forb,
                           .n_forbidden = 1 };
    match_run_result *r = run_ok(&in);
    /* m1 pinned to c0 (m1 < m2 by id); m2's pin skipped (c0 full), ghost
     * skipped; m0 cannot take c1 (forbidden), so c1 goes to m2. */
    assert_int_equal(r->stats.pinned, 1);
    assert_int_equal(r->stats.pins_skipped, 2);
    assert_int_equal(r->n_pairs, 2);
    assert_string_equal(r->pairs[0].mentee_id, "m1");
    assert_string_equal(r->pairs[0].coach_id, "c0");
    assert_true(r->pairs[0].pinned);
    assert_string_equal(r->pairs[1].mentee_id, "m2");
    assert_string_equal(r->pairs[1].coach_id, "c1");
    assert_false(r->pairs[1].pinned);
    assert_int_equal(r->n_unmatched, 1);
    assert_string_equal(r->unmatched[0].mentee_id, "m0");
    assert_int_equal(r->unmatched[0].reason, MATCH_UNMATCHED_CAPACITY);
    match_run_free(r);
}

/* The waitlist bonus counts in the objective only: a waitlisted mentee wins
 * a seat over a better-scoring one when the bonus exceeds the difference,
 * but the reported scores stay the pair scores. */
static void test_waitlist_bonus(void **state) {
    (void)state;
    match_mentee ms[2] = { base_mentee(), base_mentee() };
    ms[0].id = "a";
    ms[1].id = "b";
    match_coach c = base_coach();
    c.capacity = 1;
    c.availability = 0x7; /* a: 7500 */
    match_need weaker[] = { { "M.01", 1, 3 }, { "M.02", 2, 3 }, { "M.05", 0, 4 } };
    ms[1].competencies = weaker; /* b: G = 2/7 -> lower score */
    ms[1].n_competencies = 3;
    int sa = score_of(&ms[0], &c, NULL), sb = score_of(&ms[1], &c, NULL);
    assert_true(sa > sb);
    uint32_t wl[2] = { 0, 0 };
    match_policy p;
    match_policy_default(&p);
    p.objective = MATCH_OBJ_QUALITY;
    match_run_input in = { .mentees = ms, .n_mentees = 2, .coaches = &c, .n_coaches = 1, .waitlist = wl, .policy = &p };
    match_run_result *r = run_ok(&in);
    assert_string_equal(r->pairs[0].mentee_id, "a");
    match_run_free(r);
    /* b waitlisted: bonus enough to outweigh the difference */
    wl[1] = (uint32_t)((sa - sb) / p.waitlist_bonus + 1);
    r = run_ok(&in);
    assert_int_equal(r->n_pairs, 1);
    assert_string_equal(r->pairs[0].mentee_id, "b");
    assert_int_equal(r->pairs[0].score, sb);
    assert_int_equal(r->stats.total_score, sb);
    assert_int_equal(r->stats.objective_score, sb + (int64_t)wl[1] * p.waitlist_bonus);
    assert_int_equal(r->unmatched[0].reason, MATCH_UNMATCHED_CAPACITY);
    match_run_free(r);
    /* participation the same; bonus 0 restores a */
    p.objective = MATCH_OBJ_PARTICIPATION;
    r = run_ok(&in);
    assert_string_equal(r->pairs[0].mentee_id, "b");
    match_run_free(r);
    p.waitlist_bonus = 0;
    r = run_ok(&in);
    assert_string_equal(r->pairs[0].mentee_id, "a");
    match_run_free(r);
    /* stable mode ignores the bonus */
    p.waitlist_bonus = 500;
    p.mode = MATCH_MODE_STABLE;
    r = run_ok(&in);
    assert_string_equal(r->pairs[0].mentee_id, "a");
    match_run_free(r);
}

/* Stable mode with pins, forbidden pairs and min_score. */
static void test_stable_pins_forbidden(void **state) {
    (void)state;
    static world w;
    rng_state = 51;
    for (int round = 0; round < 60; round++) {
        random_world(&w, 1 + rnd(30), 1 + rnd(10), 1);
        match_policy p;
        match_policy_default(&p);
        p.mode = MATCH_MODE_STABLE;
        p.min_score = round % 2 ? 5000 : 0;
        match_run_input in = world_input(&w, &p);
        in.candidates = 1 + (int)rnd(2);
        match_run_result *r = run_ok(&in);
        /* no proposal is forbidden or infeasible unless pinned */
        for (size_t i = 0; i < r->n_pairs; i++) {
            const match_proposal *pp = &r->pairs[i];
            if (pp->pinned) continue;
            int forb = 0;
            for (size_t f = 0; f < w.n_forbids; f++)
                if (!strcmp(w.forbids[f].mentee_id, pp->mentee_id) && !strcmp(w.forbids[f].coach_id, pp->coach_id))
                    forb = 1;
            match_explain ex = explain(&w.m[pp->mentee], &w.c[pp->coach], &p, forb);
            assert_true(ex.feasible);
            assert_true(ex.score >= p.min_score);
        }
        assert_int_equal(r->n_pairs + r->n_unmatched, w.nm);
        match_run_free(r);
    }
}

typedef struct prog_log {
    int calls, cancel_at;
    char phases[256];
} prog_log;

static int on_progress(void *ud, const char *phase, uint64_t done, uint64_t total) {
    prog_log *l = ud;
    assert_true(done <= total);
    if (!strstr(l->phases, phase) && strlen(l->phases) + strlen(phase) + 2 < sizeof(l->phases)) {
        strcat(l->phases, phase);
        strcat(l->phases, ",");
    }
    return ++l->calls == l->cancel_at;
}

static void test_progress_and_cancel(void **state) {
    (void)state;
    static world w;
    rng_state = 41;
    random_world(&w, 60, 30, 0);
    prog_log log = { 0 };
    match_run_input in = world_input(&w, NULL);
    in.progress = on_progress;
    in.progress_ud = &log;
    match_run_result *r = run_ok(&in);
    assert_non_null(strstr(log.phases, "prepare,"));
    assert_non_null(strstr(log.phases, "score,"));
    assert_non_null(strstr(log.phases, "finish,"));
    match_run_free(r);
    /* the callback cancels */
    memset(&log, 0, sizeof(log));
    log.cancel_at = 3;
    match_err err = { 0 };
    assert_int_equal(match_run(cat, &in, &r, &err), MATCH_ECANCELLED);
    assert_null(r);
    assert_non_null(strstr(err.msg, "cancel"));
    /* the flag cancels */
    atomic_int flag;
    atomic_init(&flag, 1);
    in.progress = NULL;
    in.cancel = &flag;
    assert_int_equal(match_run(cat, &in, &r, &err), MATCH_ECANCELLED);
    atomic_store(&flag, 0);
    r = run_ok(&in);
    match_run_free(r);
}

static int cancel_in_phase(void *ud, const char *phase, uint64_t done, uint64_t total) {
    (void)done;
    (void)total;
    return strcmp(phase, (const char *)ud) == 0;
}

/* Cancelling inside the solver and inside pricing; progress comes only from
 * the calling thread, so a non-thread-safe callback is fine. */
static void test_cancel_in_solve_and_price(void **state) {
    (void)state;
    static world w;
    rng_state = 43;
    random_world(&w, 64, 40, 0);
    const char *phases[] = { "solve", "price", "score", "finish" };
    for (int i = 0; i < 4; i++) {
        match_run_input in = world_input(&w, NULL);
        in.candidates = 1;
        in.threads = 2;
        in.progress = cancel_in_phase;
        in.progress_ud = (void *)phases[i];
        match_run_result *r = NULL;
        match_err err = { 0 };
        int rc = match_run(cat, &in, &r, &err);
        if (rc != MATCH_ECANCELLED) fail_msg("phase %s: rc %d", phases[i], rc);
        assert_null(r);
    }
}

/* match_run_problem: the rows the optimiser saw. */
static void test_run_problem(void **state) {
    (void)state;
    static world w;
    rng_state = 44;
    random_world(&w, 7, 5, 1);
    match_policy p;
    match_policy_default(&p);
    match_run_input in = world_input(&w, &p);
    match_run_result *r = run_ok(&in);
    brute b;
    static world w2;
    w2 = w;
    brute_force(&w2, &p, &b);
    int32_t gain[RMAX_C], cap[RMAX_C];
    for (size_t i = 0; i < w.nm; i++) {
        assert_int_equal(match_run_problem(r, i, gain, cap), MATCH_OK);
        for (size_t j = 0; j < w.nc; j++) {
            int want = b.fixed[i] >= 0 || !b.feas[i][j] ? -1 : (int)(b.score[i][j] + b.bonus[i]);
            assert_int_equal(gain[j], want);
            assert_int_equal(cap[j], b.cap[j]);
        }
    }
    assert_int_equal(match_run_problem(r, w.nm, gain, cap), MATCH_ERR);
    match_run_free(r);
}

/* ---- the worked example of docs/matching.md --------------------------------------------- */

static void test_worked_example(void **state) {
    (void)state;
    /* docs/matching.md, "A worked example": mentee Dewi (administrator,
     * Jawa Barat), coaches Budi (Jawa Barat) and Sari (Jawa Tengah). */
    match_need dn[] = { { "M.04", 1, 3 }, { "M.06", 2, 3 }, { "T.digital", 1, 4 }, { "M.01", 3, 3 } };
    match_mentee dewi = base_mentee();
    dewi.competencies = dn;
    dewi.n_competencies = 4;
    dewi.availability = 0x1C0; /* Wednesday (day 2) morning..evening */
    match_skill bs[] = { { "M.04", 4 }, { "M.06", 3 }, { "T.digital", 2 } };
    match_skill ss[] = { { "M.04", 2 }, { "M.06", 5 }, { "T.digital", 5 } };
    match_coach budi = base_coach(), sari = base_coach();
    budi.id = "C-budi";
    budi.competencies = bs;
    budi.n_competencies = 3;
    budi.availability = 0x40; /* Wednesday morning */
    sari.id = "C-sari";
    sari.province = "33";
    sari.competencies = ss;
    sari.n_competencies = 3;
    sari.availability = 0x1C0;
    /* Budi: G = (2+1+1)/(2+1+3) = 4/6; loc 1; av 1/3
     *   10000*(0.75*4/6 + 0.15 + 0.1/3) = 6833.33 -> 6833
     * Sari: G = (1+1+3)/6 = 5/6; loc 0.5; av 1
     *   10000*(0.75*5/6 + 0.075 + 0.1) = 8000 */
    match_explain b = explain(&dewi, &budi, NULL, 0);
    match_explain s = explain(&dewi, &sari, NULL, 0);
    assert_int_equal(b.score, 6833);
    assert_int_equal(b.gap_num, 4000);
    assert_int_equal(b.gap_den, 6000);
    assert_int_equal(s.score, 8000);
    assert_int_equal(s.gap_num, 5000);
    /* T.digital weighs 2: Budi (4+1+2)/(4+1+6)... see the doc */
    match_policy p;
    match_policy_default(&p);
    match_comp_weight cw[] = { { "T.digital", 2000 } };
    p.comp_weights = cw;
    p.n_comp_weights = 1;
    /* Budi: (2+1+2*1)/(2+1+2*3) = 5/9: 10000*(0.75*5/9+0.15+0.1/3) = 5999.99.. -> 6000
     * Sari: (1+1+2*3)/9 = 8/9: 10000*(0.75*8/9+0.075+0.1) = 8416.67 -> 8417 */
    assert_int_equal(explain(&dewi, &budi, &p, 0).score, 6000);
    assert_int_equal(explain(&dewi, &sari, &p, 0).score, 8417);

    /* The run of the example: Dewi and Eko, Budi and Sari with one seat
     * each.  Eko (pengawas, Jawa Tengah, Wednesday): M.04 1->2, T.digital
     * 2->3.  Eko-Budi: G = 1/2, loc 0.5, av 1/3 -> 4833; Eko-Sari: G = 1,
     * loc 1, av 1 -> 10000.  Participation: BIG = 1 + 10000 + 10000 = 20001;
     * {Dewi-Budi, Eko-Sari} = 2*20001 + 16833 = 56835 beats {Dewi-Sari,
     * Eko-Budi} = 2*20001 + 12833. */
    match_need en[] = { { "M.04", 1, 2 }, { "T.digital", 2, 3 } };
    match_mentee eko = base_mentee();
    eko.id = "199505052020121002";
    eko.position_class = "pengawas";
    eko.province = "33";
    eko.competencies = en;
    eko.n_competencies = 2;
    eko.availability = 0x1C0;
    assert_int_equal(explain(&eko, &budi, NULL, 0).score, 4833);
    assert_int_equal(explain(&eko, &sari, NULL, 0).score, 10000);
    dewi.id = "199001012020011001";
    match_mentee ms[2] = { dewi, eko };
    budi.capacity = sari.capacity = 1;
    match_coach cs[2] = { budi, sari };
    match_run_input in = { .mentees = ms, .n_mentees = 2, .coaches = cs, .n_coaches = 2 };
    match_run_result *r = run_ok(&in);
    assert_int_equal(r->stats.big, 20001);
    assert_int_equal(r->stats.objective, 56835);
    assert_int_equal(r->stats.total_score, 16833);
    assert_string_equal(r->pairs[0].coach_id, "C-budi");
    assert_string_equal(r->pairs[1].coach_id, "C-sari");
    assert_true(r->stats.certified);
    match_run_free(r);
    /* quality: MULT = R + 1 = 3, BIG = 1: 3*16833 + 2 = 50501 */
    match_policy q;
    match_policy_default(&q);
    q.objective = MATCH_OBJ_QUALITY;
    in.policy = &q;
    r = run_ok(&in);
    assert_int_equal(r->stats.mult, 3);
    assert_int_equal(r->stats.objective, 50501);
    match_run_free(r);
    /* stable: Eko-Sari (10000) first, then Dewi-Budi (6833) */
    q.mode = MATCH_MODE_STABLE;
    r = run_ok(&in);
    assert_int_equal(r->stats.total_score, 16833);
    assert_string_equal(r->pairs[1].coach_id, "C-sari");
    match_run_free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catalog_loads),
        cmocka_unit_test(test_catalog_errors),
        cmocka_unit_test(test_catalog_garbage),
        cmocka_unit_test(test_map_ops),
        cmocka_unit_test(test_score_base),
        cmocka_unit_test(test_score_location),
        cmocka_unit_test(test_score_availability),
        cmocka_unit_test(test_score_gap),
        cmocka_unit_test(test_score_weights),
        cmocka_unit_test(test_score_rounding),
        cmocka_unit_test(test_hard_constraints),
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_kernel_matches_explain),
        cmocka_unit_test(test_suggest_order),
        cmocka_unit_test(test_index_slot_reuse),
        cmocka_unit_test(test_index_sweep),
        cmocka_unit_test(test_many_languages),
        cmocka_unit_test(test_overflow_languages_run),
        cmocka_unit_test(test_run_exhaustive_participation),
        cmocka_unit_test(test_run_exhaustive_quality),
        cmocka_unit_test(test_run_pricing_small_k),
        cmocka_unit_test(test_run_pricing_medium),
        cmocka_unit_test(test_run_pricing_ties_wide),
        cmocka_unit_test(test_run_pricing_hub_wide),
        cmocka_unit_test(test_run_coach_bounds),
        cmocka_unit_test(test_run_id_order),
        cmocka_unit_test(test_top_merge),
        cmocka_unit_test(test_gain_offers),
        cmocka_unit_test(test_key_next),
        cmocka_unit_test(test_run_portable),
        cmocka_unit_test(test_run_estimate),
        cmocka_unit_test(test_run_estimate_progress),
        cmocka_unit_test(test_run_warm_medium),
        cmocka_unit_test(test_run_sort_guesses),
        cmocka_unit_test(test_run_warm_ties_spread),
        cmocka_unit_test(test_run_warm_fingerprints),
        cmocka_unit_test(test_run_classes),
        cmocka_unit_test(test_stable_no_blocking_pair),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_run_borrow),
        cmocka_unit_test(test_run_parallel_prepare),
        cmocka_unit_test(test_edge_cases),
        cmocka_unit_test(test_ties),
        cmocka_unit_test(test_pins_and_forbidden),
        cmocka_unit_test(test_waitlist_bonus),
        cmocka_unit_test(test_stable_pins_forbidden),
        cmocka_unit_test(test_progress_and_cancel),
        cmocka_unit_test(test_cancel_in_solve_and_price),
        cmocka_unit_test(test_run_problem),
        cmocka_unit_test(test_worked_example),
    };
    return cmocka_run_group_tests(tests, setup_cat, teardown_cat);
}
