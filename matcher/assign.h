/* assign.h — module-private interface of matcher/: exact maximum-weight
 * capacitated bipartite assignment with an LP-duality certificate.
 *
 * Rows are mentees (each matched at most once), columns are coaches (column c
 * matched at most cap[c] times, cap[c] >= 0).  Only pairs present in the
 * candidate graph may be chosen; every weight is a positive int64.  The
 * solver maximises the sum of the weights of the chosen pairs.
 *
 * The whole pair set (100k x 20k) is too large to hold, so the caller keeps
 * only a sparse candidate graph and supplies a pricing callback.  After each
 * solve the solver hands the callback dual values u[row] >= 0 and
 * v[col] >= 0 that satisfy u[r] + v[c] >= w(r,c) on every candidate edge and
 * complementary slackness on the solution.  The callback must add to the
 * graph every pair (r,c) outside it with w(r,c) > u[r] + v[c] (it may add
 * more) and report how many it added.  The solver repeats solve -> price
 * until no pair is added: then the duals prove the solution optimal over all
 * pairs, and result->certified is set.
 *
 * Results are deterministic for the same input (no dependence on thread
 * timing or addresses): ties are broken by row and column index.
 *
 * Owner: the solver (assign.c).  Callers: matcher.c (orchestration).
 */
#ifndef COACHNET_MATCHER_ASSIGN_H
#define COACHNET_MATCHER_ASSIGN_H

#include <stddef.h>
#include <stdint.h>

#define ASSIGN_OK 0
#define ASSIGN_ERR -1
#define ASSIGN_CANCELLED -2

/* Growable candidate graph, edges grouped by row.  Adding an edge that is
 * already present is allowed and ignored. */
typedef struct assign_graph assign_graph;

assign_graph *assign_graph_new(int32_t n_rows, int32_t n_cols);
void assign_graph_free(assign_graph *g);
/* Returns ASSIGN_OK, or ASSIGN_ERR on allocation failure. */
int assign_graph_add(assign_graph *g, int32_t row, int32_t col, int64_t w);
size_t assign_graph_edges(const assign_graph *g);

/* Pricing callback: see the contract above.  Returns ASSIGN_OK or
 * ASSIGN_ERR; *added receives the number of edges added. */
typedef int (*assign_price_fn)(void *ud, const int64_t *u, const int64_t *v,
                               assign_graph *g, size_t *added);

/* Progress / cancellation: called now and then; a non-zero return cancels
 * the solve (assign_solve then returns ASSIGN_CANCELLED). */
typedef int (*assign_tick_fn)(void *ud, uint64_t done, uint64_t total);

typedef struct assign_result {
    int32_t *row_col;     /* n_rows entries: matched column or -1 */
    int64_t *u;           /* n_rows row duals */
    int64_t *v;           /* n_cols column duals */
    int64_t objective;    /* sum of the chosen weights */
    int32_t matched;      /* number of matched rows */
    int certified;        /* 1 when pricing found no improving pair */
    int pricing_rounds;   /* solve -> price iterations */
} assign_result;

/* Solve.  cap has n_cols entries.  price may be NULL when the graph already
 * holds every allowed pair (then the result is certified directly).  The
 * arrays of *out are allocated by the solver; free them with
 * assign_result_free().  Returns ASSIGN_OK, ASSIGN_ERR (allocation) or
 * ASSIGN_CANCELLED. */
int assign_solve(assign_graph *g, const int32_t *cap,
                 assign_price_fn price, void *price_ud,
                 assign_tick_fn tick, void *tick_ud,
                 assign_result *out);
void assign_result_free(assign_result *r);

#endif
