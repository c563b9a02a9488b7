/* bench_assign.c — time the exact assignment solver (matcher/assign.c) alone
 * on a synthetic sparse candidate graph shaped like coachnet's: rows
 * (mentees) spread over regions, most candidates in their own region, column
 * (coach) popularity skewed, weights BIG + score (participation objective) or
 * score alone (quality).
 *
 *   bench_assign [rows] [cols] [degree] [quality] [seed] [start]
 *
 * Every row gets `degree` pairs.  With start > 0 the solver starts from each
 * row's best `start` pairs only, and a price callback (a scan of all stored
 * pairs) adds back every pair the duals say could improve the solution, the
 * way the engine prices pruned pairs.  Prints the solve time, pricing
 * rounds, objective, matched count and peak RSS.  The whole
 * engine (scoring, candidate generation, pricing) is timed by the
 * matcher-core benchmark (bench/matcher/bench_matcher).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/resource.h>

#include "matcher/assign.h"

static uint64_t rng_state = 1;

static uint64_t rng_next(void) {
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define REGIONS 38

typedef struct pairs {
    int nr, deg;
    int32_t *col; /* nr x deg, sorted by weight descending per row */
    int64_t *w;
    size_t priced;
} pairs;

static int price_all(void *ud, const int64_t *u, const int64_t *v, assign_graph *g, size_t *added) {
    pairs *p = ud;
    *added = 0;
    for (int r = 0; r < p->nr; r++)
        for (int k = 0; k < p->deg; k++) {
            size_t i = (size_t)r * (size_t)p->deg + (size_t)k;
            if (p->w[i] > u[r] + v[p->col[i]]) {
                if (assign_graph_add(g, r, p->col[i], p->w[i]) != ASSIGN_OK) return ASSIGN_ERR;
                (*added)++;
            }
        }
    p->priced += *added;
    return ASSIGN_OK;
}

static int64_t *sort_w;
static int by_weight_desc(const void *a, const void *b) {
    int64_t x = sort_w[*(const int *)a], y = sort_w[*(const int *)b];
    return (x < y) - (x > y);
}

int main(int argc, char **argv) {
    int nr = argc > 1 ? atoi(argv[1]) : 100000;
    int nc = argc > 2 ? atoi(argv[2]) : 20000;
    int deg = argc > 3 ? atoi(argv[3]) : 20;
    int quality = argc > 4 ? atoi(argv[4]) : 0;
    rng_state = argc > 5 ? strtoull(argv[5], NULL, 10) : 1;
    int start = argc > 6 ? atoi(argv[6]) : 0;
    if (nr < 1 || nc < REGIONS || deg < 1 || deg > 1000 || start < 0) {
        fprintf(stderr,
                "usage: bench_assign [rows] [cols>=%d] [degree] [quality 0/1] "
                "[seed] [start]\n",
                REGIONS);
        return 2;
    }
    if (start == 0 || start > deg) start = deg;
    int64_t big = quality ? 0 : (int64_t)10001 * nr;
    int32_t *cap = malloc((size_t)nc * sizeof(int32_t));
    int32_t *qual = malloc((size_t)nc * sizeof(int32_t));
    pairs p = { nr, deg, malloc((size_t)nr * deg * sizeof(int32_t)), malloc((size_t)nr * deg * sizeof(int64_t)), 0 };
    if (!cap || !qual || !p.col || !p.w) return 1;
    for (int c = 0; c < nc; c++) {
        cap[c] = 1 + (int32_t)(rng_next() % 5);
        qual[c] = (int32_t)(rng_next() % 4000);
    }
    int per_region = nc / REGIONS;
    int idx[1000];
    int32_t tc[1000];
    int64_t tw[1000];
    for (int r = 0; r < nr; r++) {
        int region = (int)(rng_next() % REGIONS);
        for (int k = 0; k < deg; k++) {
            int c;
            if (rng_next() % 10 < 8)
                c = region * per_region + (int)(rng_next() % (uint64_t)per_region);
            else
                c = (int)(rng_next() % (uint64_t)nc);
            tc[k] = c;
            tw[k] = big + 2000 + qual[c] + (int64_t)(rng_next() % 4000);
            idx[k] = k;
        }
        sort_w = tw;
        qsort(idx, (size_t)deg, sizeof(int), by_weight_desc);
        for (int k = 0; k < deg; k++) {
            p.col[(size_t)r * deg + k] = tc[idx[k]];
            p.w[(size_t)r * deg + k] = tw[idx[k]];
        }
    }
    double t0 = now();
    assign_graph *g = assign_graph_new(nr, nc);
    if (!g) return 1;
    for (int r = 0; r < nr; r++)
        for (int k = 0; k < start; k++)
            if (assign_graph_add(g, r, p.col[(size_t)r * deg + k], p.w[(size_t)r * deg + k]) != ASSIGN_OK) return 1;
    double t1 = now();
    assign_result res;
    int rc = assign_solve(g, cap, start < deg ? price_all : NULL, &p, NULL, NULL, &res);
    double t2 = now();
    if (rc != ASSIGN_OK) {
        fprintf(stderr, "solve failed: %d\n", rc);
        return 1;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    long long slots = 0;
    for (int c = 0; c < nc; c++) slots += cap[c];
    printf("rows %d cols %d slots %lld pairs %lld start %d/row %s: build %.3f s, "
           "solve %.3f s (incl. pricing scans and certificate check), rounds %d, "
           "pairs priced in %zu, certified %d, matched %d, objective %lld, peak RSS %ld MiB\n",
           nr, nc, slots, (long long)nr * deg, start, quality ? "quality" : "participation", t1 - t0, t2 - t1,
           res.pricing_rounds, p.priced, res.certified, res.matched, (long long)res.objective, ru.ru_maxrss / 1024);
    assign_result_free(&res);
    assign_graph_free(g);
    free(cap);
    free(qual);
    free(p.col);
    free(p.w);
    return 0;
}
