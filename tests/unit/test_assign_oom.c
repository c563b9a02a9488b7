/* test_assign_oom.c — every allocation failure inside the solver
 * (matcher/assign.c) is reported as ASSIGN_ERR (or a NULL graph), leaves
 * nothing allocated and no half-filled result.
 *
 * Linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc (tests/module.mk):
 * the allocation calls of this binary's own objects go through the wrappers
 * below, which fail the n-th call after being armed.  Each scenario is run
 * with n = 1, 2, ... until it succeeds without reaching the failure; under
 * `make check SANITIZE=1` ASan's leak checker then proves every error path
 * frees what it took.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "matcher/assign.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);

static long countdown = -1; /* < 0: disarmed; 0: fail now */
static int failed;

static int should_fail(void) {
    if (countdown < 0) return 0;
    if (countdown-- == 0) {
        failed = 1;
        countdown = -1; /* one failure per run: the error path must cope */
        return 1;
    }
    return 0;
}

void *__wrap_malloc(size_t n) { return should_fail() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t size) { return should_fail() ? NULL : __real_calloc(n, size); }
void *__wrap_realloc(void *p, size_t n) { return should_fail() ? NULL : __real_realloc(p, n); }

static void arm(long n) {
    failed = 0;
    countdown = n;
}

static void disarm(void) { countdown = -1; }

/* A small instance where the first solve works on the column side (fewer
 * slots than rows), pricing adds violating pairs (so warm starts, column
 * repairs and restarts run), and rows grow past the short-row scan. */
#define NR 60
#define NC 12

static int64_t weight(int r, int c) { return 1 + (r * 7919 + c * 104729) % 1000; }

static int price_all(void *ud, const int64_t *u, const int64_t *v, assign_graph *g, size_t *added) {
    (void)ud;
    *added = 0;
    for (int r = 0; r < NR; r++)
        for (int c = 0; c < NC; c++)
            if ((r + c) % 3 != 0 && weight(r, c) > u[r] + v[c]) {
                if (assign_graph_add(g, r, c, weight(r, c)) != ASSIGN_OK) return ASSIGN_ERR;
                (*added)++;
            }
    return ASSIGN_OK;
}

/* The graph's first edges: one call per edge, or one per row (which puts
 * them in the graph's shared slabs; pricing then moves rows out). */
static int add_first(assign_graph *g, int wide, int by_row) {
    for (int r = 0; r < NR; r++) {
        int32_t cols[NC];
        int64_t ws[NC];
        int32_t n = 0;
        for (int c = 0; c < NC; c++)
            if ((r + c) % 3 != 0 && (c < 2 || r % 5 == 0 || wide)) {
                if (!by_row && assign_graph_add(g, r, c, weight(r, c)) != ASSIGN_OK) return ASSIGN_ERR;
                cols[n] = c;
                ws[n++] = weight(r, c);
            }
        if (by_row && assign_graph_add_row(g, r, cols, ws, n) != ASSIGN_OK) return ASSIGN_ERR;
    }
    return ASSIGN_OK;
}

/* One scenario under failure n: returns 1 when no failure was hit. */
static int scenario(long n, int wide, int by_row) {
    int32_t cap[NC];
    for (int c = 0; c < NC; c++) cap[c] = wide ? 8 : 1 + c % 3;
    arm(n);
    assign_graph *g = assign_graph_new(NR, NC);
    if (!g) {
        disarm();
        assert_true(failed);
        return 0;
    }
    int rc = add_first(g, wide, by_row);
    assign_result res;
    if (rc == ASSIGN_OK) {
        rc = assign_solve(g, cap, price_all, NULL, NULL, NULL, &res);
        if (rc == ASSIGN_OK) {
            assert_int_equal(res.certified, 1);
            assign_result_free(&res);
        } else {
            assert_int_equal(rc, ASSIGN_ERR);
            assert_null(res.row_col);
            assert_null(res.u);
            assert_null(res.v);
        }
    }
    disarm();
    assign_graph_free(g);
    assert_true(rc == ASSIGN_OK || failed);
    return !failed;
}

static void run_all(int wide, int by_row) {
    long n = 0;
    while (!scenario(n, wide, by_row)) {
        n++;
        assert_true(n < 100000);
    }
    assert_true(n > 10); /* the scenario does allocate */
}

static void test_oom_column_side(void **state) {
    (void)state;
    run_all(0, 0);
}

static void test_oom_row_side(void **state) {
    (void)state;
    run_all(1, 0);
}

static void test_oom_rows_in_slabs(void **state) {
    (void)state;
    run_all(0, 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oom_column_side),
        cmocka_unit_test(test_oom_row_side),
        cmocka_unit_test(test_oom_rows_in_slabs),
    };
    return cmocka_run_group_tests_name("assign_oom", tests, NULL, NULL);
}
