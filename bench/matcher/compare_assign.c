/* compare_assign.c — coachnet's solver (matcher/assign.c) on a CNW1 weight
 * dump, for bench/matcher/compare.sh: the same input, the same graph and the
 * same output line as the reference solvers (lemon_ns.cpp, scipy_lsa.py).
 *
 *   compare_assign DUMP
 *
 * Every feasible pair of the dump becomes an edge of weight
 * MULT * gain + BIG; the solve runs on that full graph (no pricing needed).
 * Prints objective, matched, gain (sum of score + bonus over matched pairs),
 * solve_ms (assign_solve only, which includes its O(edges) certificate
 * check; reading the file and building the graph are not timed), build_ms
 * and edges.  Exits 1 if the solver's optimum differs from the one stored in
 * the dump by the engine.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "matcher/assign.h"

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int read_exact(FILE *f, void *p, size_t n) { return fread(p, 1, n, f) == n; }

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: compare_assign DUMP\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        fprintf(stderr, "compare_assign: cannot open %s\n", argv[1]);
        return 1;
    }
    char magic[4];
    uint32_t rows, cols, kind;
    int64_t mult, big, optimum;
    if (!read_exact(f, magic, 4) || memcmp(magic, "CNW1", 4) != 0 || !read_exact(f, &rows, 4) ||
        !read_exact(f, &cols, 4) || !read_exact(f, &kind, 4) || !read_exact(f, &mult, 8) || !read_exact(f, &big, 8) ||
        !read_exact(f, &optimum, 8) || rows > INT32_MAX || cols > INT32_MAX) {
        fprintf(stderr, "compare_assign: %s is not a CNW1 dump\n", argv[1]);
        fclose(f);
        return 1;
    }
    int32_t *cap = malloc(((size_t)cols + 1) * sizeof(int32_t));
    int32_t *gain = malloc(((size_t)cols + 1) * sizeof(int32_t)); /* one row */
    assign_graph *g = assign_graph_new((int32_t)rows, (int32_t)cols);
    if (!cap || !gain || !g || !read_exact(f, cap, (size_t)cols * 4)) {
        fprintf(stderr, "compare_assign: out of memory or truncated dump\n");
        return 1;
    }
    for (uint32_t c = 0; c < cols; c++)
        if (cap[c] < 0) cap[c] = 0;
    /* Keep the gains to decode the result: R x C int32, like the dump. */
    int32_t *all = malloc((size_t)rows * cols * sizeof(int32_t) + 4);
    if (!all) return 1;
    double build = 0;
    for (uint32_t r = 0; r < rows; r++) {
        if (!read_exact(f, gain, (size_t)cols * 4)) {
            fprintf(stderr, "compare_assign: truncated dump\n");
            return 1;
        }
        memcpy(all + (size_t)r * cols, gain, (size_t)cols * 4);
        double t = now_ms();
        for (uint32_t c = 0; c < cols; c++)
            if (gain[c] >= 0 && assign_graph_add(g, (int32_t)r, (int32_t)c, mult * gain[c] + big) != ASSIGN_OK) {
                fprintf(stderr, "compare_assign: bad weight at (%u,%u)\n", r, c);
                return 1;
            }
        build += now_ms() - t;
    }
    fclose(f);
    assign_result res;
    double t0 = now_ms();
    int rc = assign_solve(g, cap, NULL, NULL, NULL, NULL, &res);
    double solve = now_ms() - t0;
    if (rc != ASSIGN_OK) {
        fprintf(stderr, "compare_assign: assign_solve failed (%d)\n", rc);
        return 1;
    }
    int64_t total_gain = 0;
    for (uint32_t r = 0; r < rows; r++)
        if (res.row_col[r] >= 0) total_gain += all[(size_t)r * cols + (size_t)res.row_col[r]];
    printf("assign rows=%" PRIu32 " cols=%" PRIu32 " edges=%zu objective=%" PRId64 " matched=%d gain=%" PRId64
           " build_ms=%.1f solve_ms=%.1f\n",
           rows, cols, assign_graph_edges(g), res.objective, res.matched, total_gain, build, solve);
    int ok = res.objective == optimum;
    if (!ok)
        fprintf(stderr, "compare_assign: optimum %" PRId64 " differs from the dump's %" PRId64 "\n", res.objective,
                optimum);
    assign_result_free(&res);
    assign_graph_free(g);
    free(all);
    free(gain);
    free(cap);
    return ok ? 0 : 1;
}
