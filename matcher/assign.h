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
 * complementary slackness on the solution.  A pair (r,c) outside the graph
 * with w(r,c) > u[r] + v[c] "violates" the duals.  Whenever any pair
 * violates, the callback must add at least one violating pair to the graph
 * (it may add all of them, the most violating ones per row or column, and
 * non-violating pairs too); it adds nothing only when no pair outside the
 * graph violates.  The solver counts the pairs that are new to the graph and
 * repeats solve -> price until a round adds none: then the duals are feasible
 * for every pair and prove the solution optimal over all pairs, and
 * result->certified is set.  Warm start: each round re-solves from the
 * previous solution (only rows with a violating new edge are re-added, by an
 * auction and then shortest-path searches), or from scratch when most rows
 * would have to be re-added anyway.
 *
 * Results are deterministic for the same input (no dependence on thread
 * timing or addresses): ties are broken by the order of processing, which
 * follows row and column indices.
 *
 * Owner: the solver (assign.c).  Callers: run.c (orchestration); tests and
 * benchmarks (tests/unit/test_assign*.c, bench/matcher/).
 */
#ifndef COACHNET_MATCHER_ASSIGN_H
#define COACHNET_MATCHER_ASSIGN_H

#include <stddef.h>
#include <stdint.h>

#define ASSIGN_OK        0
#define ASSIGN_ERR       -1
#define ASSIGN_CANCELLED -2

/* Largest accepted edge weight and graph dimensions.  Together they keep
 * every sum the solver forms (duals, distances, the objective over at most
 * 2^22 rows) inside int64. */
#define ASSIGN_MAX_WEIGHT (INT64_C(1) << 40)
#define ASSIGN_MAX_ROWS   (1 << 22)
#define ASSIGN_MAX_COLS   (1 << 22)

/* Growable candidate graph, edges grouped by row.  Adding an edge that is
 * already present is allowed and ignored (the first weight stays).  The
 * solver sorts each row's edges by column, so the result does not depend on
 * the order in which edges were added. */
typedef struct assign_graph assign_graph;

/* NULL on allocation failure or dimensions outside 0..ASSIGN_MAX_ROWS/COLS. */
assign_graph *assign_graph_new(int32_t n_rows, int32_t n_cols);
void assign_graph_free(assign_graph *g);
/* Returns ASSIGN_OK, or ASSIGN_ERR on allocation failure or bad input (row or
 * column out of range, w <= 0 or w > ASSIGN_MAX_WEIGHT). */
int assign_graph_add(assign_graph *g, int32_t row, int32_t col, int64_t w);
/* Bulk form for building a graph: appends n edges (cols[i], w[i]) to the
 * row in one allocation.  The caller guarantees that the columns are
 * distinct and none is in the row yet (no duplicate check: at 10^5 rows
 * and 2 x 10^6 edges the per-edge check was a third of a warm run's graph
 * building).  Same return values as assign_graph_add. */
int assign_graph_add_row(assign_graph *g, int32_t row, const int32_t *cols, const int64_t *w, int32_t n);
/* Rows built in parallel, in three steps.  assign_graph_reserve (one thread)
 * gives a row without edges or room room for at most n edges.
 * assign_graph_fill_row then writes a reserved row's edges, once (distinct
 * columns, as for add_row; at most the n reserved), and sorts them by
 * column; it touches nothing but that row, so calls for distinct rows may
 * run at once.  assign_graph_filled (one thread, after them) counts the
 * filled rows' edges and hands them to the solver; until then the graph
 * must not be used otherwise.  Return values as assign_graph_add; reserve
 * also refuses a row that has edges or room, fill_row a row not reserved,
 * already filled, or given more edges than reserved. */
int assign_graph_reserve(assign_graph *g, int32_t row, int32_t n);
int assign_graph_fill_row(assign_graph *g, int32_t row, const int32_t *cols, const int64_t *w, int32_t n);
void assign_graph_filled(assign_graph *g, const int32_t *rows, size_t n_rows);
size_t assign_graph_edges(const assign_graph *g);
/* The threads the solver's bulk passes over every edge (its column-major
 * copy, the certificate check) may use; 1 unless set.  The results do not
 * depend on it. */
void assign_graph_threads(assign_graph *g, int threads);
/* Edges of a row, for callers that keep the graph beyond a solve (a warm
 * start of the next run): assign_graph_row_len() of them, the i-th by
 * assign_graph_row_edge(), in column order once the graph has been solved. */
int32_t assign_graph_row_len(const assign_graph *g, int32_t row);
void assign_graph_row_edge(const assign_graph *g, int32_t row, int32_t i, int32_t *col, int64_t *w);

/* Pricing callback: see the contract above.  Returns ASSIGN_OK or
 * ASSIGN_ERR; *added receives the number of edges added (informational: the
 * solver counts new edges itself, so duplicates do not keep it looping). */
typedef int (*assign_price_fn)(void *ud, const int64_t *u, const int64_t *v, assign_graph *g, size_t *added);

/* Progress / cancellation: called now and then; a non-zero return cancels
 * the solve (assign_solve then returns ASSIGN_CANCELLED). */
typedef int (*assign_tick_fn)(void *ud, uint64_t done, uint64_t total);

typedef struct assign_result {
    int32_t *row_col;   /* n_rows entries: matched column or -1 */
    int64_t *u;         /* n_rows row duals */
    int64_t *v;         /* n_cols column duals */
    int64_t objective;  /* sum of the chosen weights */
    int32_t matched;    /* number of matched rows */
    int certified;      /* 1 when pricing found no improving pair */
    int pricing_rounds; /* solve -> price iterations */
    /* Work of the solve, over all rounds (informational, for tests and
     * benchmarks): bids of the auction phase, rows they kicked out of a
     * column, and row searches. */
    uint64_t auction_bids, auction_kicks, row_searches;
} assign_result;

/* Solve.  cap has n_cols entries.  price may be NULL when the graph already
 * holds every allowed pair (then the result is certified directly).  The
 * arrays of *out are allocated by the solver; free them with
 * assign_result_free().  Returns ASSIGN_OK, ASSIGN_ERR (allocation, a
 * negative capacity, the price callback failing, or — a bug — the final
 * certificate check failing) or ASSIGN_CANCELLED; on any error *out is left
 * empty (nothing to free).  A column with cap 0 gets v = ASSIGN_MAX_WEIGHT,
 * so pricing never offers pairs with it. */
int assign_solve(assign_graph *g, const int32_t *cap, assign_price_fn price, void *price_ud, assign_tick_fn tick,
                 void *tick_ud, assign_result *out);
void assign_result_free(assign_result *r);

/* A warm start: where an earlier solve of a similar problem ended.  Both
 * arrays are hints, and any values are accepted: v (n_cols column duals;
 * negative ones count as 0) and row_col (n_rows preferred columns, -1 for
 * none), either may be NULL.  The solver starts from these column duals,
 * gives each row the smallest u that covers its edges, keeps the rows whose
 * preferred column is a tight edge with room left (in row order) and
 * re-adds the others (an auction, then row searches); columns left with
 * room and v > 0 get column searches.  The result is the same certified optimum as a cold
 * solve; among optima of equal weight it tends to keep the preferred pairs.
 * The cost is that of the searches the differences need: a few when the
 * problem changed a little, a cold solve (it switches to one) when most
 * rows must be re-added. */
typedef struct assign_start {
    const int64_t *v;
    const int32_t *row_col;
} assign_start;

/* assign_solve() from a warm start (start NULL: cold, as assign_solve()). */
int assign_solve_warm(assign_graph *g, const int32_t *cap, const assign_start *start, assign_price_fn price,
                      void *price_ud, assign_tick_fn tick, void *tick_ud, assign_result *out);

/* Verify a result against the graph: a valid matching of graph edges within
 * the capacities, u >= 0, v >= 0, u + v >= w on every edge, complementary
 * slackness (tight matched edges, u = 0 on unmatched rows, v = 0 on columns
 * with free capacity), objective/matched consistent, and dual objective
 * sum u + sum cap*v equal to the primal one — together a proof that the
 * matching is optimal on the graph.  Returns ASSIGN_OK, or ASSIGN_ERR with a
 * message naming the first failure in err (errlen bytes; err may be NULL).
 * assign_solve runs it on every result it returns. */
int assign_check(const assign_graph *g, const int32_t *cap, const assign_result *res, char *err, size_t errlen);

#endif
