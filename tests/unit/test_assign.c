/* test_assign.c — the exact capacitated assignment solver (matcher/assign.c).
 *
 * Optimality is checked three ways: against an exhaustive search (dynamic
 * programming over column loads) on small instances, through the LP-duality
 * certificate (assign_check, recomputed here by hand as well), and by
 * comparing pricing from a sparse or empty graph with a solve on the full one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matcher/assign.h"

/* ---- deterministic random numbers (splitmix64) ---- */

static uint64_t rng_state;

static uint64_t rng_next(void) {
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int64_t rng_range(int64_t lo, int64_t hi) { /* inclusive */
    return lo + (int64_t)(rng_next() % (uint64_t)(hi - lo + 1));
}

/* ---- a dense test instance: w[r][c] == 0 means "no pair" ---- */

#define MAXR 8
#define MAXC 5

typedef struct inst {
    int nr, nc;
    int32_t cap[MAXC];
    int64_t w[MAXR][MAXC];
} inst;

static void inst_random(inst *in, int64_t wmax) {
    in->nr = (int)rng_range(0, MAXR);
    in->nc = (int)rng_range(0, MAXC);
    for (int c = 0; c < in->nc; c++) in->cap[c] = (int32_t)rng_range(0, 3);
    int density = (int)rng_range(30, 100);
    for (int r = 0; r < in->nr; r++)
        for (int c = 0; c < in->nc; c++) in->w[r][c] = rng_range(1, 100) <= density ? rng_range(1, wmax) : 0;
}

/* Exhaustive optimum: DP over rows with the vector of column loads as state
 * (at most 4^5 states). */
static int64_t brute_force(const inst *in) {
    int radix[MAXC], nstates = 1;
    for (int c = 0; c < in->nc; c++) {
        radix[c] = in->cap[c] + 1;
        nstates *= radix[c];
    }
    int64_t *cur = malloc((size_t)nstates * sizeof(int64_t));
    int64_t *nxt = malloc((size_t)nstates * sizeof(int64_t));
    assert_non_null(cur);
    assert_non_null(nxt);
    for (int s = 0; s < nstates; s++) cur[s] = -1;
    cur[0] = 0;
    for (int r = 0; r < in->nr; r++) {
        memcpy(nxt, cur, (size_t)nstates * sizeof(int64_t)); /* row unmatched */
        for (int s = 0; s < nstates; s++) {
            if (cur[s] < 0) continue;
            int rest = s, mul = 1;
            for (int c = 0; c < in->nc; c++) {
                int load = rest % radix[c];
                rest /= radix[c];
                if (in->w[r][c] > 0 && load < in->cap[c]) {
                    int t = s + mul;
                    if (cur[s] + in->w[r][c] > nxt[t]) nxt[t] = cur[s] + in->w[r][c];
                }
                mul *= radix[c];
            }
        }
        int64_t *tmp = cur;
        cur = nxt;
        nxt = tmp;
    }
    int64_t best = 0;
    for (int s = 0; s < nstates; s++)
        if (cur[s] > best) best = cur[s];
    free(cur);
    free(nxt);
    return best;
}

static assign_graph *graph_of(const inst *in) {
    assign_graph *g = assign_graph_new(in->nr, in->nc);
    assert_non_null(g);
    for (int r = 0; r < in->nr; r++)
        for (int c = 0; c < in->nc; c++)
            if (in->w[r][c] > 0) assert_int_equal(assign_graph_add(g, r, c, in->w[r][c]), ASSIGN_OK);
    return g;
}

/* The certificate recomputed independently of assign_check, against the
 * dense weights (so pairs missing from a pricing graph count too). */
static void check_certificate(const inst *in, const assign_result *res) {
    int load[MAXC] = { 0 };
    int64_t primal = 0, dual = 0;
    for (int r = 0; r < in->nr; r++) {
        int32_t c = res->row_col[r];
        assert_true(res->u[r] >= 0);
        dual += res->u[r];
        if (c < 0) {
            assert_int_equal(res->u[r], 0);
            continue;
        }
        assert_true(c < in->nc);
        assert_true(in->w[r][c] > 0);
        assert_int_equal(res->u[r] + res->v[c], in->w[r][c]);
        load[c]++;
        primal += in->w[r][c];
    }
    for (int c = 0; c < in->nc; c++) {
        assert_true(res->v[c] >= 0);
        assert_true(load[c] <= in->cap[c]);
        if (load[c] < in->cap[c]) assert_int_equal(res->v[c], 0);
        dual += (int64_t)in->cap[c] * res->v[c];
    }
    for (int r = 0; r < in->nr; r++)
        for (int c = 0; c < in->nc; c++)
            if (in->w[r][c] > 0) assert_true(res->u[r] + res->v[c] >= in->w[r][c]);
    assert_int_equal(primal, res->objective);
    assert_int_equal(dual, primal);
}

/* ---- pricing callback over a dense weight table ---- */

typedef struct dense_pricer {
    int nr, nc;
    const int64_t *w; /* nr x nc, 0 = no pair */
    int calls;
    int extra;   /* also add this many non-violating pairs per call */
    int fail_at; /* return ASSIGN_ERR on this call (0 = never) */
    int one;     /* add only the first violating pair (the minimum
                           the contract asks for) */
} dense_pricer;

static int dense_price(void *ud, const int64_t *u, const int64_t *v, assign_graph *g, size_t *added) {
    dense_pricer *p = ud;
    p->calls++;
    *added = 0;
    if (p->fail_at && p->calls == p->fail_at) return ASSIGN_ERR;
    int extra = p->extra;
    for (int r = 0; r < p->nr; r++)
        for (int c = 0; c < p->nc; c++) {
            int64_t w = p->w[(size_t)r * (size_t)p->nc + (size_t)c];
            if (w <= 0) continue;
            if (w > u[r] + v[c] || (extra > 0 && rng_range(0, 9) == 0)) {
                size_t before = assign_graph_edges(g);
                if (assign_graph_add(g, r, c, w) != ASSIGN_OK) return ASSIGN_ERR;
                if (assign_graph_edges(g) > before) {
                    (*added)++;
                    if (w <= u[r] + v[c])
                        extra--;
                    else if (p->one)
                        return ASSIGN_OK;
                }
            }
        }
    return ASSIGN_OK;
}

/* ---- tests ---- */

static void test_random_small_vs_brute_force(void **state) {
    (void)state;
    rng_state = 20261124;
    for (int it = 0; it < 1500; it++) {
        inst in;
        inst_random(&in, it % 3 == 0 ? 5 : 10000); /* few distinct weights: ties */
        assign_graph *g = graph_of(&in);
        assign_result res;
        assert_int_equal(assign_solve(g, in.cap, NULL, NULL, NULL, NULL, &res), ASSIGN_OK);
        assert_int_equal(res.objective, brute_force(&in));
        assert_int_equal(res.certified, 1);
        assert_int_equal(res.pricing_rounds, 1);
        check_certificate(&in, &res);
        char err[128];
        assert_int_equal(assign_check(g, in.cap, &res, err, sizeof(err)), ASSIGN_OK);
        assign_result_free(&res);
        assign_graph_free(g);
    }
}

/* Pricing from an empty graph, and from a random partial one, reaches the
 * exhaustive optimum with a certificate valid over every pair. */
static void test_random_small_pricing(void **state) {
    (void)state;
    rng_state = 777;
    for (int it = 0; it < 1000; it++) {
        inst in;
        inst_random(&in, it % 2 ? 20 : 10000);
        assign_graph *g = assign_graph_new(in.nr, in.nc);
        assert_non_null(g);
        if (it % 2)
            for (int r = 0; r < in.nr; r++)
                for (int c = 0; c < in.nc; c++)
                    if (in.w[r][c] > 0 && rng_range(0, 2) == 0)
                        assert_int_equal(assign_graph_add(g, r, c, in.w[r][c]), ASSIGN_OK);
        int64_t flat[MAXR * MAXC];
        for (int r = 0; r < in.nr; r++)
            for (int c = 0; c < in.nc; c++) flat[r * in.nc + c] = in.w[r][c];
        dense_pricer p = { in.nr, in.nc, flat, 0, it % 3 == 0 ? 2 : 0, 0, it % 5 == 1 };
        assign_result res;
        assert_int_equal(assign_solve(g, in.cap, dense_price, &p, NULL, NULL, &res), ASSIGN_OK);
        assert_int_equal(res.certified, 1);
        assert_int_equal(res.pricing_rounds, p.calls);
        assert_int_equal(res.objective, brute_force(&in));
        check_certificate(&in, &res);
        assign_result_free(&res);
        assign_graph_free(g);
    }
}

/* Warm starts (assign_solve_warm) from any hint reach the exhaustive
 * optimum with a valid certificate: random column duals and preferred
 * columns (nonsense included: negative, huge, columns without an edge),
 * and the result of a cold solve of a perturbed instance (the use: a re-run
 * after a few profiles changed), with and without pricing.  From its own
 * cold result, a warm solve returns the same matching. */
static void test_warm_start_any_hint(void **state) {
    (void)state;
    rng_state = 20261203;
    for (int it = 0; it < 3000; it++) {
        inst in, old;
        inst_random(&in, it % 3 == 0 ? 6 : 10000);
        old = in;
        for (int r = 0; r < in.nr; r++) /* the previous problem: a few pairs differ */
            for (int c = 0; c < in.nc; c++)
                if (rng_range(0, 9) == 0) old.w[r][c] = rng_range(0, 2) ? rng_range(1, 10000) : 0;
        int64_t v[MAXC];
        int32_t rc[MAXR];
        assign_result prev;
        memset(&prev, 0, sizeof(prev));
        int mode = it % 3;
        if (mode == 0) { /* random, partly nonsense */
            for (int c = 0; c < in.nc; c++)
                v[c] = rng_range(0, 3) == 0   ? -rng_range(0, 50)
                       : rng_range(0, 3) == 0 ? INT64_MAX
                                              : rng_range(0, 20000);
            for (int r = 0; r < in.nr; r++) rc[r] = (int32_t)rng_range(-1, in.nc ? in.nc - 1 : -1);
        } else {
            assign_graph *og = graph_of(mode == 1 ? &old : &in);
            assert_int_equal(assign_solve(og, old.cap, NULL, NULL, NULL, NULL, &prev), ASSIGN_OK);
            assign_graph_free(og);
            memcpy(v, prev.v, (size_t)in.nc * sizeof(int64_t));
            memcpy(rc, prev.row_col, (size_t)in.nr * sizeof(int32_t));
        }
        assign_start st = { it % 7 == 3 ? NULL : v, it % 5 == 4 ? NULL : rc };
        int64_t flat[MAXR * MAXC];
        for (int r = 0; r < in.nr; r++)
            for (int c = 0; c < in.nc; c++) flat[r * in.nc + c] = in.w[r][c];
        int pricing = it % 2;
        assign_graph *g = pricing ? assign_graph_new(in.nr, in.nc) : graph_of(&in);
        assert_non_null(g);
        if (pricing) /* half of the pairs known, the rest priced */
            for (int r = 0; r < in.nr; r++)
                for (int c = 0; c < in.nc; c++)
                    if (in.w[r][c] > 0 && rng_range(0, 1) == 0)
                        assert_int_equal(assign_graph_add(g, r, c, in.w[r][c]), ASSIGN_OK);
        dense_pricer p = { in.nr, in.nc, flat, 0, 0, 0, 0 };
        assign_result res;
        assert_int_equal(assign_solve_warm(g, in.cap, &st, pricing ? dense_price : NULL, &p, NULL, NULL, &res),
                         ASSIGN_OK);
        assert_int_equal(res.certified, 1);
        assert_int_equal(res.objective, brute_force(&in));
        check_certificate(&in, &res);
        if (mode == 2 && !pricing && st.v && st.row_col) /* its own result: kept as it is */
            assert_memory_equal(res.row_col, prev.row_col, (size_t)in.nr * sizeof(int32_t));
        assign_result_free(&res);
        assign_result_free(&prev);
        assign_graph_free(g);
    }
}

/* Larger instances, where warm starts take whole chains of rows out and
 * column searches have real work: pricing from the best two pairs per row
 * must reach the objective of a solve on the full graph. */
static int run_medium(int nr, int nc, int64_t big, uint64_t seed, int one) {
    rng_state = seed;
    int32_t *cap = malloc((size_t)nc * sizeof(int32_t));
    int64_t *w = calloc((size_t)nr * (size_t)nc, sizeof(int64_t));
    assert_non_null(cap);
    assert_non_null(w);
    for (int c = 0; c < nc; c++) cap[c] = (int32_t)rng_range(0, 5);
    for (int r = 0; r < nr; r++)
        for (int c = 0; c < nc; c++)
            if (rng_range(0, 3) != 0) w[(size_t)r * nc + c] = big + rng_range(1, 10000);
    assign_graph *full = assign_graph_new(nr, nc), *part = assign_graph_new(nr, nc);
    assert_non_null(full);
    assert_non_null(part);
    for (int r = 0; r < nr; r++) {
        int best[2] = { -1, -1 };
        for (int c = 0; c < nc; c++) {
            int64_t x = w[(size_t)r * nc + c];
            if (x == 0) continue;
            assert_int_equal(assign_graph_add(full, r, c, x), ASSIGN_OK);
            if (best[0] < 0 || x > w[(size_t)r * nc + best[0]]) {
                best[1] = best[0];
                best[0] = c;
            } else if (best[1] < 0 || x > w[(size_t)r * nc + best[1]]) {
                best[1] = c;
            }
        }
        for (int k = 0; k < 2; k++)
            if (best[k] >= 0)
                assert_int_equal(assign_graph_add(part, r, best[k], w[(size_t)r * nc + best[k]]), ASSIGN_OK);
    }
    assign_result a, b;
    assert_int_equal(assign_solve(full, cap, NULL, NULL, NULL, NULL, &a), ASSIGN_OK);
    dense_pricer p = { nr, nc, w, 0, 0, 0, one };
    assert_int_equal(assign_solve(part, cap, dense_price, &p, NULL, NULL, &b), ASSIGN_OK);
    assert_int_equal(b.certified, 1);
    int rounds = b.pricing_rounds;
    assert_int_equal(a.objective, b.objective);
    assert_int_equal(a.matched, b.matched);
    /* b's duals certify against every pair, not only those in its graph */
    assert_int_equal(assign_check(full, cap, &b, NULL, 0), ASSIGN_OK);
    assign_result_free(&a);
    assign_result_free(&b);
    assign_graph_free(full);
    assign_graph_free(part);
    free(w);
    free(cap);
    return rounds;
}

static void test_medium_pricing_matches_full(void **state) {
    (void)state;
    /* the first three need pricing (more than one round) */
    assert_true(run_medium(300, 40, 0, 1, 0) >= 2);         /* quality-like */
    assert_true(run_medium(300, 40, 100000000, 2, 0) >= 2); /* BIG + score */
    assert_true(run_medium(80, 120, 0, 3, 0) >= 2);         /* more columns */
    assert_true(run_medium(400, 10, 1000000, 4, 0) >= 1);   /* heavy competition */
    /* a pricer that adds a single violating pair per round */
    assert_true(run_medium(120, 30, 0, 5, 1) >= 2);
    assert_true(run_medium(150, 20, 100000000, 6, 1) >= 2);
}

/* The auction phase (assign.c, auction()) on instances made to strain it:
 * few distinct weights (ties everywhere, also on a large constant as the
 * participation objective adds), capacities 1-3 and more rows than some
 * columns can take, so that bids kick earlier holders out.  Half have at
 * least as many slots as rows (the first solve adds rows: auction, then row
 * searches), half start from an empty graph and are priced (re-solves add
 * rows through it).  Each reaches the exhaustive optimum with a valid
 * certificate, and the counters show the phase ran: bids were made, holders
 * were kicked out, and some instances needed fewer row searches than rows. */
static void test_auction_ties_vs_brute_force(void **state) {
    (void)state;
    rng_state = 20261203;
    uint64_t bids = 0, kicks = 0;
    int fewer_searches = 0;
    for (int it = 0; it < 3000; it++) {
        inst in;
        in.nc = (int)rng_range(1, MAXC);
        int slots = 0;
        for (int c = 0; c < in.nc; c++) slots += in.cap[c] = (int32_t)rng_range(1, 3);
        in.nr = (int)rng_range(1, it % 2 == 0 && slots < MAXR ? slots : MAXR);
        int64_t base = it % 4 < 2 ? 0 : 1000000;
        for (int r = 0; r < in.nr; r++)
            for (int c = 0; c < in.nc; c++) in.w[r][c] = rng_range(0, 9) < 7 ? base + rng_range(1, 3) : 0;
        int64_t flat[MAXR * MAXC];
        for (int r = 0; r < in.nr; r++)
            for (int c = 0; c < in.nc; c++) flat[r * in.nc + c] = in.w[r][c];
        int pricing = it % 2;
        assign_graph *g = pricing ? assign_graph_new(in.nr, in.nc) : graph_of(&in);
        assert_non_null(g);
        dense_pricer p = { in.nr, in.nc, flat, 0, 0, 0, 0 };
        assign_result res;
        assert_int_equal(assign_solve(g, in.cap, pricing ? dense_price : NULL, &p, NULL, NULL, &res), ASSIGN_OK);
        assert_int_equal(res.certified, 1);
        assert_int_equal(res.objective, brute_force(&in));
        check_certificate(&in, &res);
        bids += res.auction_bids;
        kicks += res.auction_kicks;
        if (!pricing && res.row_searches < (uint64_t)in.nr) fewer_searches++;
        assign_result_free(&res);
        assign_graph_free(g);
    }
    assert_true(bids > 0);
    assert_true(kicks > 0);
    assert_true(fewer_searches > 100);
}

/* At a size where it matters: 400 rows on 150 columns of capacity 2-4 (more
 * slots than rows), each row with 10 edges of a large constant plus 0-3 —
 * a market of ties.  The auction places most rows (far fewer row searches
 * than rows), and the solve still certifies (assign_solve checks the
 * certificate on the graph) with the same objective as a priced solve. */
static void test_auction_places_most_rows(void **state) {
    (void)state;
    enum { NR = 400, NC = 150 };
    rng_state = 16;
    int32_t cap[NC];
    int slots = 0;
    for (int c = 0; c < NC; c++) slots += cap[c] = (int32_t)rng_range(2, 4);
    assert_true(slots >= NR);
    int64_t *w = calloc((size_t)NR * NC, sizeof(int64_t));
    assert_non_null(w);
    assign_graph *g = assign_graph_new(NR, NC);
    assert_non_null(g);
    for (int r = 0; r < NR; r++)
        for (int k = 0; k < 10; k++) {
            int32_t c = (int32_t)rng_range(0, NC - 1);
            if (w[(size_t)r * NC + c]) continue;
            w[(size_t)r * NC + c] = 100000000 + rng_range(0, 3);
            assert_int_equal(assign_graph_add(g, r, c, w[(size_t)r * NC + c]), ASSIGN_OK);
        }
    assign_result a, b;
    assert_int_equal(assign_solve(g, cap, NULL, NULL, NULL, NULL, &a), ASSIGN_OK);
    assert_int_equal(a.certified, 1);
    assert_true(a.auction_bids >= NR);
    assert_true(a.auction_kicks > 0);
    assert_true(a.row_searches < NR / 4);
    /* from an empty graph, every pair priced in: the same optimum */
    assign_graph *pg = assign_graph_new(NR, NC);
    assert_non_null(pg);
    dense_pricer p = { NR, NC, w, 0, 0, 0, 0 };
    assert_int_equal(assign_solve(pg, cap, dense_price, &p, NULL, NULL, &b), ASSIGN_OK);
    assert_int_equal(b.certified, 1);
    assert_int_equal(b.objective, a.objective);
    assert_int_equal(b.matched, a.matched);
    assert_int_equal(assign_check(g, cap, &b, NULL, 0), ASSIGN_OK);
    assign_result_free(&a);
    assign_result_free(&b);
    assign_graph_free(g);
    assign_graph_free(pg);
    free(w);
}

/* Same input, edges added in a different order: identical output. */
static void test_determinism(void **state) {
    (void)state;
    const int nr = 200, nc = 30;
    int32_t cap[30];
    rng_state = 99;
    for (int c = 0; c < nc; c++) cap[c] = (int32_t)rng_range(0, 4);
    int64_t *w = calloc((size_t)nr * nc, sizeof(int64_t));
    assert_non_null(w);
    for (int i = 0; i < nr * nc; i++) w[i] = rng_range(0, 2) ? rng_range(1, 50) : 0;
    assign_graph *g1 = assign_graph_new(nr, nc), *g2 = assign_graph_new(nr, nc);
    for (int i = 0; i < nr * nc; i++)
        if (w[i]) assert_int_equal(assign_graph_add(g1, i / nc, i % nc, w[i]), ASSIGN_OK);
    for (int i = nr * nc - 1; i >= 0; i--)
        if (w[i]) {
            assert_int_equal(assign_graph_add(g2, i / nc, i % nc, w[i]), ASSIGN_OK);
            assert_int_equal(assign_graph_add(g2, i / nc, i % nc, w[i] + 7), ASSIGN_OK);
        }
    assert_int_equal(assign_graph_edges(g1), assign_graph_edges(g2));
    assign_result a, b, c;
    assert_int_equal(assign_solve(g1, cap, NULL, NULL, NULL, NULL, &a), ASSIGN_OK);
    assert_int_equal(assign_solve(g2, cap, NULL, NULL, NULL, NULL, &b), ASSIGN_OK);
    assert_int_equal(assign_solve(g1, cap, NULL, NULL, NULL, NULL, &c), ASSIGN_OK);
    assert_memory_equal(a.row_col, b.row_col, nr * sizeof(int32_t));
    assert_memory_equal(a.u, b.u, nr * sizeof(int64_t));
    assert_memory_equal(a.v, b.v, nc * sizeof(int64_t));
    assert_memory_equal(a.row_col, c.row_col, nr * sizeof(int32_t));
    assert_memory_equal(a.u, c.u, nr * sizeof(int64_t));
    assert_int_equal(a.objective, b.objective);
    assign_result_free(&a);
    assign_result_free(&b);
    assign_result_free(&c);
    assign_graph_free(g1);
    assign_graph_free(g2);
    free(w);
}

static void solve_expect(assign_graph *g, const int32_t *cap, int64_t obj, int32_t matched) {
    assign_result res;
    assert_int_equal(assign_solve(g, cap, NULL, NULL, NULL, NULL, &res), ASSIGN_OK);
    assert_int_equal(res.objective, obj);
    assert_int_equal(res.matched, matched);
    assert_int_equal(res.certified, 1);
    assign_result_free(&res);
}

static void test_edge_cases(void **state) {
    (void)state;
    /* no rows, no columns */
    assign_graph *g = assign_graph_new(0, 0);
    assert_non_null(g);
    solve_expect(g, NULL, 0, 0);
    assign_graph_free(g);

    /* rows but no columns */
    g = assign_graph_new(5, 0);
    solve_expect(g, NULL, 0, 0);
    assert_int_equal(assign_graph_add(g, 0, 0, 1), ASSIGN_ERR);
    assign_graph_free(g);

    /* no edges */
    int32_t cap3[3] = { 1, 2, 3 };
    g = assign_graph_new(4, 3);
    solve_expect(g, cap3, 0, 0);
    assign_graph_free(g);

    /* all capacities 0: nothing matched; v saturates so pricing adds nothing */
    int32_t zero[3] = { 0, 0, 0 };
    g = assign_graph_new(4, 3);
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 3; c++) assert_int_equal(assign_graph_add(g, r, c, 50), ASSIGN_OK);
    assign_result res;
    assert_int_equal(assign_solve(g, zero, NULL, NULL, NULL, NULL, &res), ASSIGN_OK);
    assert_int_equal(res.matched, 0);
    assert_int_equal(res.objective, 0);
    for (int c = 0; c < 3; c++) assert_int_equal(res.v[c], ASSIGN_MAX_WEIGHT);
    for (int r = 0; r < 4; r++) {
        assert_int_equal(res.row_col[r], -1);
        assert_int_equal(res.u[r], 0);
    }
    assign_result_free(&res);
    assign_graph_free(g);

    /* ties: 6 rows, every weight 10, capacity 4 in total */
    int32_t cap2[2] = { 1, 3 };
    g = assign_graph_new(6, 2);
    for (int r = 0; r < 6; r++)
        for (int c = 0; c < 2; c++) assert_int_equal(assign_graph_add(g, r, c, 10), ASSIGN_OK);
    solve_expect(g, cap2, 40, 4);
    assign_graph_free(g);

    /* capacity larger than the number of rows */
    int32_t big[1] = { 1000000 };
    g = assign_graph_new(3, 1);
    for (int r = 0; r < 3; r++) assert_int_equal(assign_graph_add(g, r, 0, 5 + r), ASSIGN_OK);
    solve_expect(g, big, 18, 3);
    assign_graph_free(g);

    /* the optimum is not greedy: row 0 must give way */
    int32_t cap1[2] = { 1, 1 };
    g = assign_graph_new(2, 2);
    assert_int_equal(assign_graph_add(g, 0, 0, 10), ASSIGN_OK);
    assert_int_equal(assign_graph_add(g, 0, 1, 9), ASSIGN_OK);
    assert_int_equal(assign_graph_add(g, 1, 0, 8), ASSIGN_OK);
    solve_expect(g, cap1, 17, 2);
    assign_graph_free(g);

    /* largest weight */
    g = assign_graph_new(2, 1);
    int32_t one[1] = { 1 };
    assert_int_equal(assign_graph_add(g, 0, 0, ASSIGN_MAX_WEIGHT), ASSIGN_OK);
    assert_int_equal(assign_graph_add(g, 1, 0, ASSIGN_MAX_WEIGHT - 1), ASSIGN_OK);
    solve_expect(g, one, ASSIGN_MAX_WEIGHT, 1);
    assign_graph_free(g);
}

static void test_graph_errors(void **state) {
    (void)state;
    assert_null(assign_graph_new(-1, 3));
    assert_null(assign_graph_new(3, -1));
    assert_null(assign_graph_new(ASSIGN_MAX_ROWS + 1, 3));
    assert_null(assign_graph_new(3, ASSIGN_MAX_COLS + 1));
    assign_graph *g = assign_graph_new(2, 2);
    assert_non_null(g);
    assert_int_equal(assign_graph_add(g, -1, 0, 1), ASSIGN_ERR);
    assert_int_equal(assign_graph_add(g, 2, 0, 1), ASSIGN_ERR);
    assert_int_equal(assign_graph_add(g, 0, -1, 1), ASSIGN_ERR);
    assert_int_equal(assign_graph_add(g, 0, 2, 1), ASSIGN_ERR);
    assert_int_equal(assign_graph_add(g, 0, 0, 0), ASSIGN_ERR);
    assert_int_equal(assign_graph_add(g, 0, 0, -5), ASSIGN_ERR);
    assert_int_equal(assign_graph_add(g, 0, 0, ASSIGN_MAX_WEIGHT + 1), ASSIGN_ERR);
    assert_int_equal(assign_graph_add(NULL, 0, 0, 1), ASSIGN_ERR);
    assert_int_equal(assign_graph_edges(g), 0);
    assert_int_equal(assign_graph_add(g, 0, 1, 3), ASSIGN_OK);
    assert_int_equal(assign_graph_add(g, 0, 1, 4), ASSIGN_OK); /* duplicate: ignored */
    assert_int_equal(assign_graph_edges(g), 1);
    assert_int_equal(assign_graph_edges(NULL), 0);

    /* a row filling every column, added in scrambled order with duplicates */
    assign_graph *h = assign_graph_new(1, 1000);
    for (int i = 0; i < 3000; i++) assert_int_equal(assign_graph_add(h, 0, (i * 7919) % 1000, 1 + i % 1000), ASSIGN_OK);
    assert_int_equal(assign_graph_edges(h), 1000);
    assign_graph_free(h);

    /* additions alternating between long rows, then every pair again */
    h = assign_graph_new(3, 100);
    for (int pass = 0; pass < 2; pass++)
        for (int c = 0; c < 100; c++)
            for (int r = 0; r < 3; r++)
                if ((c + r) % 2 == 0) assert_int_equal(assign_graph_add(h, r, (c * 37) % 100, 5), ASSIGN_OK);
    assert_int_equal(assign_graph_edges(h), 150);
    assign_graph_free(h);

    /* negative capacity */
    int32_t bad[2] = { 1, -1 };
    assign_result res;
    assert_int_equal(assign_solve(g, bad, NULL, NULL, NULL, NULL, &res), ASSIGN_ERR);
    assert_null(res.row_col);
    assert_int_equal(assign_solve(NULL, bad, NULL, NULL, NULL, NULL, &res), ASSIGN_ERR);
    assert_int_equal(assign_solve(g, NULL, NULL, NULL, NULL, NULL, &res), ASSIGN_ERR);
    assert_int_equal(assign_solve(g, bad, NULL, NULL, NULL, NULL, NULL), ASSIGN_ERR);
    assign_graph_free(g);
    assign_graph_free(NULL);
    assign_result_free(NULL);
}

/* Row r's edges of the instance, columns in a scrambled order (the solver
 * or the fill sorts them): their count, into cols/w. */
static int32_t row_scrambled(const inst *in, int r, int32_t *cols, int64_t *w) {
    int32_t n = 0;
    for (int k = 0; k < in->nc; k++) {
        int c = (in->nc - 1 - k + r) % in->nc;
        if (in->w[r][c] > 0) {
            cols[n] = c;
            w[n++] = in->w[r][c];
        }
    }
    return n;
}

/* g, built from in, solves to the brute-force optimum with a valid
 * certificate; g is freed. */
static void expect_brute_optimum(assign_graph *g, inst *in) {
    assign_result res;
    assert_int_equal(assign_solve(g, in->cap, NULL, NULL, NULL, NULL, &res), ASSIGN_OK);
    assert_int_equal(res.objective, brute_force(in));
    check_certificate(in, &res);
    assign_result_free(&res);
    assign_graph_free(g);
}

/* assign_graph_add_row: bad input is refused whole (nothing added), and a
 * graph built row by row in scrambled column order solves like one built
 * edge by edge, to the exhaustive optimum. */
static void test_graph_add_row(void **state) {
    (void)state;
    assign_graph *g = assign_graph_new(2, 3);
    assert_non_null(g);
    int32_t cols[3] = { 2, 0, 1 }, bad_col[2] = { 0, 3 };
    int64_t w[3] = { 5, 6, 7 }, bad_w[2] = { 1, 0 }, big_w[1] = { ASSIGN_MAX_WEIGHT + 1 };
    assert_int_equal(assign_graph_add_row(NULL, 0, cols, w, 3), ASSIGN_ERR);
    assert_int_equal(assign_graph_add_row(g, 2, cols, w, 3), ASSIGN_ERR);
    assert_int_equal(assign_graph_add_row(g, -1, cols, w, 3), ASSIGN_ERR);
    assert_int_equal(assign_graph_add_row(g, 0, cols, w, -1), ASSIGN_ERR);
    assert_int_equal(assign_graph_add_row(g, 0, cols, w, 4), ASSIGN_ERR);
    assert_int_equal(assign_graph_add_row(g, 0, bad_col, w, 2), ASSIGN_ERR);
    assert_int_equal(assign_graph_add_row(g, 0, cols, bad_w, 2), ASSIGN_ERR);
    assert_int_equal(assign_graph_add_row(g, 0, cols, big_w, 1), ASSIGN_ERR);
    assert_int_equal(assign_graph_edges(g), 0);
    assert_int_equal(assign_graph_add_row(g, 0, cols, w, 0), ASSIGN_OK);
    assert_int_equal(assign_graph_add_row(g, 0, cols, w, 3), ASSIGN_OK);
    assert_int_equal(assign_graph_edges(g), 3);
    assert_int_equal(assign_graph_add(g, 0, 1, 9), ASSIGN_OK); /* present: ignored */
    assert_int_equal(assign_graph_edges(g), 3);
    assign_graph_free(g);

    rng_state = 77;
    for (int it = 0; it < 2000; it++) {
        inst in;
        inst_random(&in, it % 2 ? 1000 : 4);
        g = assign_graph_new(in.nr, in.nc);
        assert_non_null(g);
        for (int r = 0; r < in.nr; r++) {
            int32_t rc[MAXC];
            int64_t rw[MAXC];
            int32_t n = row_scrambled(&in, r, rc, rw);
            /* in two calls, so that a row grows */
            assert_int_equal(assign_graph_add_row(g, r, rc, rw, n / 2), ASSIGN_OK);
            assert_int_equal(assign_graph_add_row(g, r, rc + n / 2, rw + n / 2, n - n / 2), ASSIGN_OK);
        }
        expect_brute_optimum(g, &in);
    }
}

/* A row's edges are in increasing column order. */
static void expect_row_sorted(const assign_graph *g, int32_t r) {
    int32_t prev = -1;
    for (int32_t i = 0; i < assign_graph_row_len(g, r); i++) {
        int32_t c;
        int64_t w;
        assign_graph_row_edge(g, r, i, &c, &w);
        if (c <= prev) fail_msg("row %d: column %d after %d", (int)r, (int)c, (int)prev);
        prev = c;
    }
}

/* Rows reserved, filled and handed over (assign_graph_reserve, fill_row,
 * filled): the errors the contract names; a row longer than the insertion
 * sort takes comes out sorted; then random instances built that way (rows
 * filled in a scrambled order, some short of their room, others grown out
 * of it afterwards) have every row sorted and solve to the brute-force
 * optimum. */
static void test_graph_fill_rows(void **state) {
    (void)state;
    assign_graph *g = assign_graph_new(3, 3);
    int32_t cols[3] = { 2, 0, 1 }, bad_col[1] = { 3 };
    int64_t w[3] = { 5, 6, 7 }, bad_w[1] = { 0 };
    assert_int_equal(assign_graph_reserve(NULL, 0, 1), ASSIGN_ERR);
    assert_int_equal(assign_graph_reserve(g, 3, 1), ASSIGN_ERR);
    assert_int_equal(assign_graph_reserve(g, 0, 4), ASSIGN_ERR); /* more than the columns */
    assert_int_equal(assign_graph_reserve(g, 0, -1), ASSIGN_ERR);
    assert_int_equal(assign_graph_reserve(g, 0, 2), ASSIGN_OK);
    assert_int_equal(assign_graph_reserve(g, 0, 2), ASSIGN_ERR);           /* reserved already */
    assert_int_equal(assign_graph_fill_row(g, 0, cols, w, 3), ASSIGN_ERR); /* more than reserved */
    assert_int_equal(assign_graph_fill_row(g, 1, cols, w, 1), ASSIGN_ERR); /* not reserved */
    assert_int_equal(assign_graph_fill_row(g, 0, bad_col, w, 1), ASSIGN_ERR);
    assert_int_equal(assign_graph_fill_row(g, 0, cols, bad_w, 1), ASSIGN_ERR);
    assert_int_equal(assign_graph_fill_row(g, 0, cols, w, 1), ASSIGN_OK);
    assert_int_equal(assign_graph_fill_row(g, 0, cols + 1, w + 1, 1), ASSIGN_ERR); /* filled already */
    assign_graph_free(g);
    g = assign_graph_new(3, 3);
    assert_int_equal(assign_graph_reserve(g, 0, 2), ASSIGN_OK);
    assert_int_equal(assign_graph_fill_row(g, 0, cols, w, 2), ASSIGN_OK);
    assert_int_equal(assign_graph_add_row(g, 2, cols + 2, w + 2, 1), ASSIGN_OK); /* the usual way, beside */
    assert_int_equal(assign_graph_edges(g), 1);                                  /* row 0 not handed over yet */
    int32_t rows[1] = { 0 };
    assign_graph_filled(g, rows, 1);
    assign_graph_filled(g, rows, 1); /* twice: counted once */
    assert_int_equal(assign_graph_edges(g), 3);
    int32_t c0, c1;
    int64_t w0, w1;
    assign_graph_row_edge(g, 0, 0, &c0, &w0); /* sorted by column */
    assign_graph_row_edge(g, 0, 1, &c1, &w1);
    assert_int_equal(c0, 0);
    assert_int_equal(w0, 6);
    assert_int_equal(c1, 2);
    assert_int_equal(w1, 5);
    assert_int_equal(assign_graph_add(g, 0, 0, 9), ASSIGN_OK); /* present: ignored */
    assert_int_equal(assign_graph_edges(g), 3);
    assign_graph_free(g);

    enum { LONG = 100 }; /* > ROW_INSERT_MAX: qsort's branch */
    g = assign_graph_new(1, LONG);
    int32_t lc[LONG];
    int64_t lw[LONG];
    for (int i = 0; i < LONG; i++) {
        lc[i] = (int32_t)((i * 37) % LONG); /* 37 is prime to 100: a permutation */
        lw[i] = lc[i] + 1;
    }
    assert_int_equal(assign_graph_reserve(g, 0, LONG), ASSIGN_OK);
    assert_int_equal(assign_graph_fill_row(g, 0, lc, lw, LONG), ASSIGN_OK);
    int32_t row0[1] = { 0 };
    assign_graph_filled(g, row0, 1);
    assert_int_equal(assign_graph_row_len(g, 0), LONG);
    expect_row_sorted(g, 0);
    for (int32_t i = 0; i < LONG; i++) {
        int32_t c;
        int64_t wc;
        assign_graph_row_edge(g, 0, i, &c, &wc);
        assert_int_equal(wc, c + 1); /* each weight stayed with its column */
    }
    assign_graph_free(g);

    rng_state = 78;
    for (int it = 0; it < 2000; it++) {
        inst in;
        inst_random(&in, it % 2 ? 1000 : 4);
        g = assign_graph_new(in.nr, in.nc);
        int32_t order[MAXR], rc[MAXR][MAXC], n[MAXR], held[MAXR];
        int64_t rw[MAXR][MAXC];
        for (int r = 0; r < in.nr; r++) {
            order[r] = r;
            n[r] = row_scrambled(&in, r, rc[r], rw[r]);
            /* every other row's last edge comes later, by assign_graph_add:
             * the row grows out of its room; some others get room to spare */
            held[r] = r % 2 && n[r] > 0;
            n[r] -= held[r];
            int32_t room = n[r] + (!held[r] && r % 3 == 0 && n[r] < in.nc);
            assert_int_equal(assign_graph_reserve(g, r, room), ASSIGN_OK);
        }
        for (int r = in.nr - 1; r > 0; r--) { /* filled in a scrambled order */
            int k = (int)rng_range(0, r), t = order[r];
            order[r] = order[k];
            order[k] = t;
        }
        for (int i = 0; i < in.nr; i++)
            assert_int_equal(assign_graph_fill_row(g, order[i], rc[order[i]], rw[order[i]], n[order[i]]), ASSIGN_OK);
        assign_graph_filled(g, order, (size_t)in.nr);
        for (int r = 0; r < in.nr; r++) {
            expect_row_sorted(g, r);
            if (held[r]) assert_int_equal(assign_graph_add(g, r, rc[r][n[r]], rw[r][n[r]]), ASSIGN_OK);
        }
        expect_brute_optimum(g, &in);
    }
}

/* Rows' first edges come from shared slabs (assign_graph_add_row on an
 * empty row); a row that grows moves out of its slab.  A graph built that
 * way, over several slabs and with a row longer than a slab, with rows
 * grown afterwards by both calls, holds exactly the edges added, in the
 * order added, and solves exactly like the same graph built edge by edge. */
#define SLAB_NR 2000
#define SLAB_NC 70000 /* > the 65,536 edges of a slab: row 0 takes one alone */
static void test_graph_slabs(void **state) {
    (void)state;
    int32_t *cols = malloc(SLAB_NC * sizeof(*cols)), *len = calloc(SLAB_NR, sizeof(*len));
    int64_t *ws = malloc(SLAB_NC * sizeof(*ws));
    int32_t(*ec)[64] = malloc(SLAB_NR * sizeof(*ec)); /* rows 1.. : their edges, in order */
    int64_t(*ew)[64] = malloc(SLAB_NR * sizeof(*ew));
    int32_t *cap = malloc(SLAB_NC * sizeof(*cap));
    assert_true(cols && len && ws && ec && ew && cap);
    for (int c = 0; c < SLAB_NC; c++) cap[c] = 1;
    assign_graph *g = assign_graph_new(SLAB_NR, SLAB_NC), *h = assign_graph_new(SLAB_NR, SLAB_NC);
    assert_non_null(g);
    assert_non_null(h);
    rng_state = 4242;
    for (int c = 0; c < SLAB_NC; c++) {
        cols[c] = (c * 7919) % SLAB_NC;
        ws[c] = rng_range(1, 1000);
    }
    assert_int_equal(assign_graph_add_row(g, 0, cols, ws, SLAB_NC), ASSIGN_OK);
    for (int c = 0; c < SLAB_NC; c++) assert_int_equal(assign_graph_add(h, 0, cols[c], ws[c]), ASSIGN_OK);
    size_t edges = SLAB_NC;
    /* rows 1..: 40 edges each (about 80,000: a second slab), then a third
     * of them grown edge by edge and a fifth by a second row call */
    for (int step = 0; step < 3; step++) {
        for (int r = 1; r < SLAB_NR; r++) {
            int n = step == 0 ? 40 : step == 1 && r % 3 == 0 ? 9 : step == 2 && r % 5 == 0 ? 15 : 0;
            for (int i = 0; i < n; i++) {
                int32_t c = (int32_t)((r * 131 + (len[r] + i) * 1009) % SLAB_NC); /* distinct within the row */
                ec[r][len[r] + i] = c;
                ew[r][len[r] + i] = rng_range(1, 1000);
                assert_int_equal(assign_graph_add(h, r, c, ew[r][len[r] + i]), ASSIGN_OK);
                if (step == 1) assert_int_equal(assign_graph_add(g, r, c, ew[r][len[r] + i]), ASSIGN_OK);
            }
            if (n && step != 1)
                assert_int_equal(assign_graph_add_row(g, r, ec[r] + len[r], ew[r] + len[r], n), ASSIGN_OK);
            len[r] += n;
            edges += (size_t)n;
        }
    }
    assert_int_equal(assign_graph_edges(g), edges);
    assert_int_equal(assign_graph_edges(h), edges);
    assert_int_equal(assign_graph_row_len(g, 0), SLAB_NC);
    for (int32_t i = 0; i < SLAB_NC; i += 997) {
        int32_t c;
        int64_t w;
        assign_graph_row_edge(g, 0, i, &c, &w);
        assert_int_equal(c, cols[i]);
        assert_int_equal(w, ws[i]);
    }
    for (int r = 1; r < SLAB_NR; r++) {
        assert_int_equal(assign_graph_row_len(g, r), len[r]);
        for (int32_t i = 0; i < len[r]; i++) {
            int32_t c;
            int64_t w;
            assign_graph_row_edge(g, r, i, &c, &w);
            assert_int_equal(c, ec[r][i]);
            assert_int_equal(w, ew[r][i]);
        }
    }
    assign_result a, b;
    assert_int_equal(assign_solve(g, cap, NULL, NULL, NULL, NULL, &a), ASSIGN_OK);
    assert_int_equal(assign_solve(h, cap, NULL, NULL, NULL, NULL, &b), ASSIGN_OK);
    assert_int_equal(a.objective, b.objective);
    assert_memory_equal(a.row_col, b.row_col, SLAB_NR * sizeof(int32_t));
    assign_result_free(&a);
    assign_result_free(&b);
    assign_graph_free(g);
    assign_graph_free(h);
    free(cols);
    free(len);
    free(ws);
    free(ec);
    free(ew);
    free(cap);
}

static void test_price_callback_failure(void **state) {
    (void)state;
    int64_t w[4] = { 5, 6, 7, 8 };
    int32_t cap[2] = { 1, 1 };
    assign_graph *g = assign_graph_new(2, 2);
    dense_pricer p = { 2, 2, w, 0, 0, 2, 0 }; /* fails on the second call */
    assign_result res;
    assert_int_equal(assign_solve(g, cap, dense_price, &p, NULL, NULL, &res), ASSIGN_ERR);
    assert_int_equal(p.calls, 2);
    assert_null(res.row_col);
    assert_int_equal(res.certified, 0);
    assign_graph_free(g);
}

typedef struct ticker {
    int calls;
    int cancel_at;
    uint64_t last_done, last_total;
} ticker;

static int count_tick(void *ud, uint64_t done, uint64_t total) {
    ticker *t = ud;
    t->calls++;
    assert_true(done <= total);
    t->last_done = done;
    t->last_total = total;
    return t->cancel_at && t->calls >= t->cancel_at;
}

static assign_graph *big_random(int nr, int nc, int deg, int32_t *cap) {
    assign_graph *g = assign_graph_new(nr, nc);
    for (int c = 0; c < nc; c++) cap[c] = (int32_t)rng_range(1, 3);
    for (int r = 0; r < nr; r++)
        for (int k = 0; k < deg; k++)
            assert_int_equal(assign_graph_add(g, r, (int32_t)rng_range(0, nc - 1), rng_range(1, 10000)), ASSIGN_OK);
    return g;
}

static void test_ticks_and_cancel(void **state) {
    (void)state;
    rng_state = 5;
    int32_t cap[500];
    assign_graph *g = big_random(20000, 500, 8, cap);
    ticker t = { 0, 0, 0, 0 };
    assign_result res;
    assert_int_equal(assign_solve(g, cap, NULL, NULL, count_tick, &t, &res), ASSIGN_OK);
    assert_true(t.calls >= 1);
    /* fewer slots (<= 1500) than rows: the first solve adds columns */
    assert_int_equal(t.last_total, 500);
    assert_int_equal(t.last_done, 500);
    assign_result_free(&res);

    /* more slots than rows: the first solve adds rows */
    ticker t2 = { 0, 0, 0, 0 };
    int32_t cap2[500];
    assign_graph *g2 = big_random(1000, 500, 8, cap2);
    assert_int_equal(assign_solve(g2, cap2, NULL, NULL, count_tick, &t2, &res), ASSIGN_OK);
    assert_true(t2.calls >= 1);
    assert_int_equal(t2.last_total, 1000);
    assign_result_free(&res);
    assign_graph_free(g2);

    ticker c = { 0, 1, 0, 0 };
    assert_int_equal(assign_solve(g, cap, NULL, NULL, count_tick, &c, &res), ASSIGN_CANCELLED);
    assert_int_equal(c.calls, 1);
    assert_null(res.row_col);
    assign_graph_free(g);

    /* Cancelled at every tick of a run with pricing rounds (warm starts,
     * column repairs, restarts): CANCELLED, nothing returned, nothing
     * leaked (ASan); with no cancellation the run completes. */
    enum { NR = 300, NC = 40 };
    int64_t *w = calloc((size_t)NR * NC, sizeof(int64_t));
    int32_t cap3[NC];
    assert_non_null(w);
    for (int c2 = 0; c2 < NC; c2++) cap3[c2] = (int32_t)rng_range(0, 4);
    for (int i = 0; i < NR * NC; i++) w[i] = rng_range(0, 2) ? rng_range(1, 1000) : 0;
    int completed = 0;
    for (int at = 1; !completed; at++) {
        assign_graph *pg = assign_graph_new(NR, NC);
        for (int r = 0; r < NR; r++)
            if (w[r * NC + r % NC]) assert_int_equal(assign_graph_add(pg, r, r % NC, w[r * NC + r % NC]), ASSIGN_OK);
        dense_pricer p = { NR, NC, w, 0, 0, 0, 0 };
        ticker t3 = { 0, at, 0, 0 };
        int rc = assign_solve(pg, cap3, dense_price, &p, count_tick, &t3, &res);
        if (rc == ASSIGN_OK) {
            completed = 1;
            assert_true(res.pricing_rounds >= 2);
            assign_result_free(&res);
        } else {
            assert_int_equal(rc, ASSIGN_CANCELLED);
            assert_int_equal(t3.calls, at);
            assert_null(res.row_col);
        }
        assign_graph_free(pg);
        assert_true(at < 1000);
    }
    free(w);
}

/* assign_check must catch every kind of broken certificate. */
static void test_checker_rejects(void **state) {
    (void)state;
    /* Unique optimum 16: row 0 -> col 1 (4), row 1 -> col 0 (9), row 2 ->
     * col 1 (3), row 3 unmatched (its only pair, to col 0, is worth 1). */
    int32_t cap[2] = { 1, 2 };
    assign_graph *g = assign_graph_new(4, 2);
    assert_int_equal(assign_graph_add(g, 0, 0, 10), ASSIGN_OK);
    assert_int_equal(assign_graph_add(g, 0, 1, 4), ASSIGN_OK);
    assert_int_equal(assign_graph_add(g, 1, 0, 9), ASSIGN_OK);
    assert_int_equal(assign_graph_add(g, 2, 1, 3), ASSIGN_OK);
    assert_int_equal(assign_graph_add(g, 3, 0, 1), ASSIGN_OK);
    assign_result res;
    assert_int_equal(assign_solve(g, cap, NULL, NULL, NULL, NULL, &res), ASSIGN_OK);
    assert_int_equal(res.objective, 16);
    assert_int_equal(res.row_col[0], 1);
    assert_int_equal(res.row_col[1], 0);
    assert_int_equal(res.row_col[2], 1);
    assert_int_equal(res.row_col[3], -1);
    char err[160];
    assert_int_equal(assign_check(g, cap, &res, err, sizeof(err)), ASSIGN_OK);

    struct {
        int kind;
        const char *needle;
    } cases[] = {
        { 0, "u = " },          { 1, "not tight" },  { 2, "v < 0" },          { 3, "u + v" },
        { 4, "objective" },     { 5, "matched" },    { 6, "not an edge" },    { 7, "load" },
        { 8, "unmatched but" }, { 9, "bad column" }, { 10, "free capacity" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assign_result m;
        m.row_col = malloc(4 * sizeof(int32_t));
        m.u = malloc(4 * sizeof(int64_t));
        m.v = malloc(2 * sizeof(int64_t));
        memcpy(m.row_col, res.row_col, 4 * sizeof(int32_t));
        memcpy(m.u, res.u, 4 * sizeof(int64_t));
        memcpy(m.v, res.v, 2 * sizeof(int64_t));
        m.objective = res.objective;
        m.matched = res.matched;
        switch (cases[i].kind) {
        case 0: m.u[0] = -1; break;
        case 1: m.u[0] += 1; break;
        case 2: m.v[1] = -1; break;
        case 3:
            m.v[0] = 0;
            m.u[1] = 9;
            break; /* (3,0) violated */
        case 4: m.objective += 1; break;
        case 5: m.matched += 1; break;
        case 6: m.row_col[2] = 0; break; /* (2,0) no edge */
        case 7:
            m.row_col[0] = 0;
            m.u[0] = 10 - m.v[0];
            break; /* col 0 twice */
        case 8: m.u[3] = 1; break;
        case 9: m.row_col[0] = 7; break;
        case 10:
            m.row_col[2] = -1;
            m.u[2] = 0;
            m.v[1] = 1;
            m.u[0] = 3;
            m.objective -= 3;
            m.matched--;
            break;
        }
        err[0] = 0;
        assert_int_equal(assign_check(g, cap, &m, err, sizeof(err)), ASSIGN_ERR);
        if (!strstr(err, cases[i].needle))
            fail_msg("case %d: '%s' does not mention '%s'", cases[i].kind, err, cases[i].needle);
        assign_result_free(&m);
    }
    assign_result empty = { 0 };
    assert_int_equal(assign_check(g, cap, &empty, NULL, 0), ASSIGN_ERR);
    assign_result_free(&res);
    assign_graph_free(g);
}

/* A column of row r that has no edge to it (the row has fewer than nc). */
static int32_t col_not_in(const assign_graph *g, int32_t r, int32_t nc) {
    for (int32_t c = 0; c < nc; c++) {
        int in = 0;
        for (int32_t i = 0; i < assign_graph_row_len(g, r) && !in; i++) {
            int32_t col;
            int64_t w;
            assign_graph_row_edge(g, r, i, &col, &w);
            in = col == c;
        }
        if (!in) return c;
    }
    return -1;
}

/* The passes over every edge in parts (assign_graph_threads): over three
 * parts of rows, the same result as on one thread; and the certificate
 * check finds a violated edge in any part, naming the first in row order. */
static void test_threads_same_result(void **state) {
    (void)state;
    const int nr = 50000, nc = 2000; /* 50,000 rows: three parts of >= 16,384 */
    int32_t cap[2000], cap3[2000];
    rng_state = 11;
    assign_graph *g1 = big_random(nr, nc, 6, cap);
    rng_state = 11;
    assign_graph *g3 = big_random(nr, nc, 6, cap3);
    assign_graph_threads(g3, 3);
    assign_result a, b;
    assert_int_equal(assign_solve(g1, cap, NULL, NULL, NULL, NULL, &a), ASSIGN_OK);
    assert_int_equal(assign_solve(g3, cap3, NULL, NULL, NULL, NULL, &b), ASSIGN_OK);
    assert_int_equal(a.objective, b.objective);
    assert_memory_equal(a.row_col, b.row_col, nr * sizeof(int32_t));
    assert_memory_equal(a.u, b.u, nr * sizeof(int64_t));
    assert_memory_equal(a.v, b.v, nc * sizeof(int64_t));
    char err[160];
    assert_int_equal(assign_check(g3, cap3, &b, err, sizeof(err)), ASSIGN_OK);
    /* an edge above u + v in the last part, then one in the second */
    int32_t rows[2] = { nr - 3, nr / 2 };
    for (int k = 0; k < 2; k++) {
        int32_t r = rows[k], c = col_not_in(g3, r, nc);
        assert_true(c >= 0);
        assert_int_equal(assign_graph_add(g3, r, c, b.u[r] + b.v[c] + 1), ASSIGN_OK);
        char want[64];
        snprintf(want, sizeof(want), "edge (%d,%d)", (int)r, (int)c);
        err[0] = 0;
        assert_int_equal(assign_check(g3, cap3, &b, err, sizeof(err)), ASSIGN_ERR);
        if (!strstr(err, want)) fail_msg("'%s' does not name %s", err, want);
    }
    assign_result_free(&a);
    assign_result_free(&b);
    assign_graph_free(g1);
    assign_graph_free(g3);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_small_vs_brute_force),
        cmocka_unit_test(test_random_small_pricing),
        cmocka_unit_test(test_warm_start_any_hint),
        cmocka_unit_test(test_medium_pricing_matches_full),
        cmocka_unit_test(test_auction_ties_vs_brute_force),
        cmocka_unit_test(test_auction_places_most_rows),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_edge_cases),
        cmocka_unit_test(test_graph_errors),
        cmocka_unit_test(test_graph_add_row),
        cmocka_unit_test(test_graph_slabs),
        cmocka_unit_test(test_price_callback_failure),
        cmocka_unit_test(test_ticks_and_cancel),
        cmocka_unit_test(test_checker_rejects),
        cmocka_unit_test(test_threads_same_result),
        cmocka_unit_test(test_graph_fill_rows),
    };
    return cmocka_run_group_tests_name("assign", tests, NULL, NULL);
}
