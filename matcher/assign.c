/* assign.c — exact maximum-weight capacitated bipartite assignment (b-matching
 * with row capacity 1 and column capacity cap[c]) on a sparse candidate graph,
 * with an LP-duality certificate and pricing of pruned pairs.
 *
 * The problem and its dual
 * ------------------------
 *   max  sum w(r,c) x(r,c)            min  sum_r u[r] + sum_c cap[c] v[c]
 *   s.t. sum_c x(r,c) <= 1  (u[r])     s.t. u[r] + v[c] >= w(r,c)  every edge
 *        sum_r x(r,c) <= cap[c] (v[c])      u >= 0, v >= 0
 *
 * A matching and duals are both optimal when they satisfy complementary
 * slackness: matched edges are tight (u + v == w), unmatched rows have
 * u == 0, columns with free capacity have v == 0.
 *
 * Algorithm: successive shortest augmenting paths (the Hungarian method in
 * its Dijkstra form, as in Jonker-Volgenant), directly on the capacitated
 * graph — column c keeps a list of the rows it holds instead of being
 * expanded into cap[c] copies.  Rows are added one at a time; after each row
 * the invariants below hold for the set of "active" rows:
 *
 *   (I1) u[r] + v[c] >= w(r,c) on every edge of an active row;
 *   (I2) equality on matched edges;
 *   (I3) u[r] >= 0, and u[r] == 0 when r is unmatched;
 *   (I4) v[c] >= 0, and v[c] == 0 when column c has free capacity.
 *
 * Adding row r0 ("row search") grows a Hungarian tree from r0: lowering the
 * duals of tree rows and raising those of tree columns at the same rate until
 * either a free column is reached by a tight edge (r0 gets a place, rows along
 * the path shift), or a tree row's dual reaches zero (that row drops out and
 * the path shifts into its place; it may be r0 itself, which then stays
 * unmatched).  Dijkstra computes the order in which this happens: the distance
 * of a column is the amount of dual change after which it joins the tree, and
 * every search stops at the first "sink".  All arithmetic is on int64, so the
 * result is exact.
 *
 * Auction first: a row search costs a walk through the market up to the
 * nearest free place, which at the end of a tight market (as many seats as
 * rows, every row ranking the same few columns first) is most of the graph.
 * So when rows are to be added (the first solve on the row side, the rows a
 * pricing round or a warm start re-adds) they first bid in an auction
 * (auction(): Jonker-Volgenant's augmenting row reduction with epsilon = 0,
 * Bertsekas' auction, on the capacitated graph with a price per column
 * slot): each takes its best column at the price of its cheapest slot and
 * raises that slot's price by the difference to its second best, kicking out
 * the slot's holder, which bids in turn, for a bounded number of bids.  Then
 * v[c] becomes the price of c's cheapest slot and every row that took part
 * gets the smallest covering u; the rows matched on a tight edge are active
 * again with (I1)-(I3) restored exactly, the rest (ties the auction cannot
 * break, bids run out) get row searches.  Correctness never depends on the
 * auction: what it leaves is checked against the invariants, and the row
 * and column searches do the rest.  On tight at 100,000 x 20,000 (seats =
 * mentees) the first solve took 13.1 s of row searches before; the auction
 * places two thirds of the rows in 0.7 s and the searches of the rest take
 * 1.9 s.  What it does not remove: the searches of rows it leaves late in a
 * tight market, and the column searches, still walk far (README of
 * bench/matcher, "Solver: an auction before the row searches").
 *
 * Pricing and warm start: when the price callback adds edges, the duals stay
 * valid on every old edge.  A row with a new edge violating (I1) is taken out
 * (made inactive; its column loses it) and added again (auction, then a row
 * search if the auction left it).  A
 * column that loses a row while v > 0 breaks (I4) for a while: row searches
 * treat it as a sink like any column with free capacity (usually the row
 * comes back to it), and any left deficient afterwards gets a "column search"
 * (the mirror image: lower the column's dual, raise those of tree rows) that
 * either pulls a row into it along a path or lowers its dual to zero.
 * Everything else of the previous solution is kept, so a pricing round costs
 * a few searches rather than a new solve.
 *
 * Columns with cap 0 get v = ASSIGN_MAX_WEIGHT: no edge to them can ever be
 * violated (weights are at most that), they contribute nothing to the dual
 * objective, and searches never enter them.
 *
 * Determinism: each row's edges are sorted by column before solving, rows
 * (or columns) are added in index order (the auction's bidders in a FIFO
 * started in index order, ties to the first column in column order), and
 * ties in Dijkstra are broken by heap order, which depends only on the
 * (deterministic) sequence of operations.
 *
 * Memory: the graph (16 bytes per edge), O(rows + columns + sum cap) for the
 * solver (the auction's slot prices: 8 bytes per row and per column), and
 * from the first column search on (a column-side first solve, repairs) a
 * column-major copy of the edges (12 bytes per edge), kept until the solve
 * ends, with the edges added since in per-column lists.
 */
#include "matcher/assign.h"
#include "matcher/par.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How often (in settled nodes plus processed rows) the tick callback runs. */
#define ASSIGN_TICK_WORK 65536

#define DIST_INF INT64_MAX

/* ------------------------------------------------------------------------ */
/* Candidate graph                                                          */
/* ------------------------------------------------------------------------ */

typedef struct assign_edge {
    int64_t w;
    int32_t col;
} assign_edge;

/* Edges of one row, in insertion order until the solver sorts them by
 * column (sorted stays 1 while they happen to arrive in column order, the
 * usual case, so that sort costs nothing then). */
typedef struct assign_row {
    assign_edge *e;
    int32_t len, alloc;
    int32_t seen; /* edges the solver has taken in: e[seen..len) are new */
    uint8_t sorted;
    uint8_t dirty; /* 1 while listed in graph->dirty */
    uint8_t slab;  /* e lies in one of graph->slabs (not its own allocation) */
} assign_row;

/* Duplicate detection: a short row is scanned; for a longer one, mark[c]
 * holds the row whose columns were last marked (mark_row), so a run of
 * additions to one row — how callers add edges — costs O(1) each after one
 * O(row) marking pass. */
#define ROW_SCAN_MAX 16

struct assign_graph {
    int32_t n_rows, n_cols;
    assign_row *rows;
    size_t n_edges;
    int threads;    /* the bulk passes' (assign_graph_threads) */
    int32_t *dirty; /* rows with edges added since the last solve round */
    int32_t n_dirty;
    int32_t *mark; /* per column: see ROW_SCAN_MAX */
    int32_t mark_row;
    /* Storage of the rows' first edges (slab_take): a graph is built a row
     * at a time, each row's first edges at once (assign_graph_add_row), and
     * an allocation per row made up most of the graph's free (10^5 rows:
     * 7-10 ms of a warm run) and a good part of its construction.  A row
     * that grows later moves to an allocation of its own. */
    assign_edge **slabs;
    size_t n_slabs, cap_slabs;
    size_t slab_used, slab_size; /* edges used and held in the last slab */
};

/* Edges per slab: 1 MiB; a longer row takes a slab of its own length. */
#define SLAB_EDGES ((size_t)1 << 16)

static int edge_cmp(const void *a, const void *b) {
    int32_t x = ((const assign_edge *)a)->col, y = ((const assign_edge *)b)->col;
    return (x > y) - (x < y);
}

/* Sort a row by column.  Edges are only ever appended and each sort
 * covers the whole row, so e[0..seen) is sorted already: a pricing round
 * appends a few edges to a row of tens, and inserting those costs far less
 * than sorting the row again (qsort was 7 % of a warm re-run).  A long
 * unsorted tail (a row's first sort, with its candidates in score order)
 * still goes to qsort. */
#define ROW_INSERT_MAX 32
static void row_sort(assign_row *row) {
    if (row->sorted) return;
    row->sorted = 1;
    if (row->len - row->seen > ROW_INSERT_MAX) {
        qsort(row->e, (size_t)row->len, sizeof(assign_edge), edge_cmp);
        return;
    }
    for (int32_t i = row->seen > 0 ? row->seen : 1; i < row->len; i++) {
        assign_edge x = row->e[i];
        int32_t k = i;
        for (; k > 0 && row->e[k - 1].col > x.col; k--) row->e[k] = row->e[k - 1];
        row->e[k] = x;
    }
}

assign_graph *assign_graph_new(int32_t n_rows, int32_t n_cols) {
    if (n_rows < 0 || n_cols < 0 || n_rows > ASSIGN_MAX_ROWS || n_cols > ASSIGN_MAX_COLS) return NULL;
    assign_graph *g = calloc(1, sizeof(*g));
    if (!g) return NULL;
    g->n_rows = n_rows;
    g->n_cols = n_cols;
    g->rows = calloc((size_t)n_rows + 1, sizeof(assign_row));
    g->dirty = malloc(((size_t)n_rows + 1) * sizeof(int32_t));
    g->mark = malloc(((size_t)n_cols + 1) * sizeof(int32_t));
    if (!g->rows || !g->dirty || !g->mark) {
        assign_graph_free(g);
        return NULL;
    }
    for (int32_t r = 0; r < n_rows; r++) g->rows[r].sorted = 1;
    for (int32_t c = 0; c < n_cols; c++) g->mark[c] = -1;
    g->mark_row = -1;
    g->threads = 1;
    return g;
}

void assign_graph_threads(assign_graph *g, int threads) { g->threads = threads < 1 ? 1 : threads; }

void assign_graph_free(assign_graph *g) {
    if (!g) return;
    if (g->rows)
        for (int32_t r = 0; r < g->n_rows; r++)
            if (!g->rows[r].slab) free(g->rows[r].e);
    for (size_t i = 0; i < g->n_slabs; i++) free(g->slabs[i]);
    free(g->slabs);
    free(g->rows);
    free(g->dirty);
    free(g->mark);
    free(g);
}

/* n edges of slab storage for a row's first edges; NULL without memory. */
static assign_edge *slab_take(assign_graph *g, size_t n) {
    if (g->slab_used + n > g->slab_size) {
        if (g->n_slabs == g->cap_slabs) {
            size_t nc = g->cap_slabs ? g->cap_slabs * 2 : 16;
            assign_edge **ns = realloc(g->slabs, nc * sizeof(*ns));
            if (!ns) return NULL;
            g->slabs = ns;
            g->cap_slabs = nc;
        }
        size_t size = n > SLAB_EDGES ? n : SLAB_EDGES;
        if (!(g->slabs[g->n_slabs] = malloc(size * sizeof(assign_edge)))) return NULL;
        g->n_slabs++;
        g->slab_used = 0;
        g->slab_size = size;
    }
    assign_edge *e = g->slabs[g->n_slabs - 1] + g->slab_used;
    g->slab_used += n;
    return e;
}

/* Room for na edges in a row: realloc, or a move out of its slab. */
static int row_grow(assign_row *rw, int32_t na) {
    if (!rw->slab) {
        assign_edge *ne = realloc(rw->e, (size_t)na * sizeof(assign_edge));
        if (!ne) return ASSIGN_ERR;
        rw->e = ne;
    } else {
        assign_edge *ne = malloc((size_t)na * sizeof(assign_edge));
        if (!ne) return ASSIGN_ERR;
        memcpy(ne, rw->e, (size_t)rw->len * sizeof(assign_edge));
        rw->e = ne;
        rw->slab = 0;
    }
    rw->alloc = na;
    return ASSIGN_OK;
}

static int row_has(assign_graph *g, int32_t row, int32_t col) {
    const assign_row *rw = &g->rows[row];
    if (g->mark_row != row) {
        if (rw->len <= ROW_SCAN_MAX) {
            for (int32_t i = 0; i < rw->len; i++)
                if (rw->e[i].col == col) return 1;
            return 0;
        }
        for (int32_t i = 0; i < rw->len; i++) g->mark[rw->e[i].col] = row;
        g->mark_row = row;
    }
    return g->mark[col] == row;
}

int assign_graph_add(assign_graph *g, int32_t row, int32_t col, int64_t w) {
    if (!g || row < 0 || row >= g->n_rows || col < 0 || col >= g->n_cols || w <= 0 || w > ASSIGN_MAX_WEIGHT)
        return ASSIGN_ERR;
    assign_row *rw = &g->rows[row];
    if (row_has(g, row, col)) return ASSIGN_OK;
    if (rw->len == rw->alloc) {
        int32_t na = rw->alloc ? rw->alloc * 2 : 8;
        if (na > g->n_cols) na = g->n_cols;
        if (row_grow(rw, na) != ASSIGN_OK) return ASSIGN_ERR;
    }
    if (rw->len > 0 && rw->e[rw->len - 1].col > col) rw->sorted = 0;
    rw->e[rw->len].w = w;
    rw->e[rw->len].col = col;
    rw->len++;
    if (g->mark_row == row) g->mark[col] = row;
    g->n_edges++;
    if (!rw->dirty) {
        rw->dirty = 1;
        g->dirty[g->n_dirty++] = row;
    }
    return ASSIGN_OK;
}

int assign_graph_add_row(assign_graph *g, int32_t row, const int32_t *cols, const int64_t *w, int32_t n) {
    if (!g || row < 0 || row >= g->n_rows || n < 0 || n > g->n_cols) return ASSIGN_ERR;
    for (int32_t i = 0; i < n; i++)
        if (cols[i] < 0 || cols[i] >= g->n_cols || w[i] <= 0 || w[i] > ASSIGN_MAX_WEIGHT) return ASSIGN_ERR;
    if (n == 0) return ASSIGN_OK;
    assign_row *rw = &g->rows[row];
    if (rw->alloc == 0) {
        if (!(rw->e = slab_take(g, (size_t)n))) return ASSIGN_ERR;
        rw->alloc = n;
        rw->slab = 1;
    } else if (rw->len + n > rw->alloc && row_grow(rw, rw->len + n) != ASSIGN_OK) {
        return ASSIGN_ERR;
    }
    for (int32_t i = 0; i < n; i++) {
        int32_t c = cols[i];
        if ((rw->len > 0 && rw->e[rw->len - 1].col > c)) rw->sorted = 0;
        rw->e[rw->len].w = w[i];
        rw->e[rw->len].col = c;
        rw->len++;
        if (g->mark_row == row) g->mark[c] = row;
    }
    g->n_edges += (size_t)n;
    if (!rw->dirty) {
        rw->dirty = 1;
        g->dirty[g->n_dirty++] = row;
    }
    return ASSIGN_OK;
}

int assign_graph_reserve(assign_graph *g, int32_t row, int32_t n) {
    if (!g || row < 0 || row >= g->n_rows || n < 0 || n > g->n_cols || g->rows[row].alloc) return ASSIGN_ERR;
    if (n == 0) return ASSIGN_OK;
    assign_row *rw = &g->rows[row];
    if (!(rw->e = slab_take(g, (size_t)n))) return ASSIGN_ERR;
    rw->alloc = n;
    rw->slab = 1;
    return ASSIGN_OK;
}

int assign_graph_fill_row(assign_graph *g, int32_t row, const int32_t *cols, const int64_t *w, int32_t n) {
    if (!g || row < 0 || row >= g->n_rows || n < 0 || g->rows[row].len || n > g->rows[row].alloc) return ASSIGN_ERR;
    for (int32_t i = 0; i < n; i++)
        if (cols[i] < 0 || cols[i] >= g->n_cols || w[i] <= 0 || w[i] > ASSIGN_MAX_WEIGHT) return ASSIGN_ERR;
    assign_row *rw = &g->rows[row];
    int sorted = 1;
    for (int32_t i = 0; i < n; i++) {
        rw->e[rw->len].w = w[i];
        rw->e[rw->len].col = cols[i];
        rw->len++;
        sorted &= i == 0 || cols[i - 1] < cols[i];
    }
    rw->sorted = sorted;
    row_sort(rw); /* here, in the caller's thread, not in the solver's */
    return ASSIGN_OK;
}

void assign_graph_filled(assign_graph *g, const int32_t *rows, size_t n_rows) {
    for (size_t i = 0; g && i < n_rows; i++) {
        if (rows[i] < 0 || rows[i] >= g->n_rows) continue;
        assign_row *rw = &g->rows[rows[i]];
        if (rw->len == rw->seen || rw->dirty) continue;
        g->n_edges += (size_t)(rw->len - rw->seen);
        rw->dirty = 1;
        g->dirty[g->n_dirty++] = rows[i];
    }
}

size_t assign_graph_edges(const assign_graph *g) { return g ? g->n_edges : 0; }

int32_t assign_graph_row_len(const assign_graph *g, int32_t row) { return g->rows[row].len; }

void assign_graph_row_edge(const assign_graph *g, int32_t row, int32_t i, int32_t *col, int64_t *w) {
    *col = g->rows[row].e[i].col;
    *w = g->rows[row].e[i].w;
}

/* Weight of edge (row, col), or 0 when absent. */
static int64_t graph_weight(const assign_graph *g, int32_t row, int32_t col) {
    const assign_row *rw = &g->rows[row];
    for (int32_t i = 0; i < rw->len; i++)
        if (rw->e[i].col == col) return rw->e[i].w;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Indexed binary min-heap over node ids, keyed by an external dist array   */
/* ------------------------------------------------------------------------ */

typedef struct heap {
    int32_t *a;   /* heap array of ids */
    int32_t *pos; /* position of id in a, or -1 */
    const int64_t *key;
    int32_t n;
} heap;

static void heap_place(heap *h, int32_t i, int32_t id) {
    h->a[i] = id;
    h->pos[id] = i;
}

static void heap_up(heap *h, int32_t i) {
    int32_t id = h->a[i];
    int64_t k = h->key[id];
    while (i > 0) {
        int32_t p = (i - 1) / 2;
        if (h->key[h->a[p]] <= k) break;
        heap_place(h, i, h->a[p]);
        i = p;
    }
    heap_place(h, i, id);
}

static void heap_down(heap *h, int32_t i) {
    int32_t id = h->a[i];
    int64_t k = h->key[id];
    for (;;) {
        int32_t c = 2 * i + 1;
        if (c >= h->n) break;
        if (c + 1 < h->n && h->key[h->a[c + 1]] < h->key[h->a[c]]) c++;
        if (h->key[h->a[c]] >= k) break;
        heap_place(h, i, h->a[c]);
        i = c;
    }
    heap_place(h, i, id);
}

/* Insert id, or restore order after its key decreased. */
static void heap_push(heap *h, int32_t id) {
    if (h->pos[id] < 0) {
        heap_place(h, h->n, id);
        h->n++;
    }
    heap_up(h, h->pos[id]);
}

static int32_t heap_pop(heap *h) {
    int32_t id = h->a[0];
    h->pos[id] = -1;
    h->n--;
    if (h->n > 0) {
        heap_place(h, 0, h->a[h->n]);
        heap_down(h, 0);
    }
    return id;
}

static void heap_clear(heap *h) {
    for (int32_t i = 0; i < h->n; i++) h->pos[h->a[i]] = -1;
    h->n = 0;
}

/* ------------------------------------------------------------------------ */
/* Solver state                                                             */
/* ------------------------------------------------------------------------ */

enum { NODE_FREE = 0, NODE_LABELED = 1, NODE_SETTLED = 2 };

typedef struct solver {
    assign_graph *g;
    const int32_t *cap;
    int32_t nr, nc;

    /* matching */
    int32_t *row_col;  /* column of a row, or -1 */
    int32_t *row_slot; /* index of the row in its column's slot list */
    int32_t *col_load;
    int64_t *col_off; /* slot list of c: slot_row[col_off[c] .. + load) */
    int32_t *slot_row;
    uint8_t *active; /* row is part of the current solution */

    int64_t *u, *v;

    /* search scratch, reset through the touched lists after each search */
    int64_t *dr, *dc;
    uint8_t *sr, *sc; /* NODE_* state */
    int32_t *pcol;    /* row search: row that reached column c;
                           column search: matched row that brought c in */
    int32_t *prow;    /* column search: column that reached row r */
    int32_t *tr, *tc; /* touched rows / columns */
    int32_t ntr, ntc;
    heap hc, hr;

    /* Column-major copy of the edges, for column searches.  Built when
     * first needed and kept across pricing rounds: the edges a round adds
     * wait in per-column lists (pend_*, linked through pend_next, -1 ends)
     * until they are more than 1/CSC_REBUILD_DIV of the copy, and only then
     * is it built again (at 2 x 10^6 edges a build costs about 40 ms, and
     * late rounds repair a handful of columns).  An edge of the copy is one
     * word, its weight above its row (csc_pack): the build writes each edge
     * to one place out of n_cols, and one word there instead of two (a row
     * and a weight array) took about a third off it (1.9 x 10^6 edges: a
     * median of 22 -> 15 ms), and a third off the copy's memory. */
    int64_t *csc_off;
    uint64_t *csc_e;
    size_t csc_edges;
    int32_t *pend_head, *pend_next, *pend_row;
    int64_t *pend_w;
    size_t n_pend, cap_pend;

    int64_t slots; /* sum of min(cap, rows) */

    /* auction phase (see auction()): the price of the slot each matched row
     * holds, each column's cheapest slot, a FIFO of bidding rows and the
     * rows taking part */
    int64_t *bid, *cmin;
    int32_t *aq;
    uint8_t *inauc;
    uint64_t auction_bids, auction_kicks, row_searches;

    assign_tick_fn tick;
    void *tick_ud;
    uint64_t work, next_tick, done, total;
    int cancelled;
} solver;

static void solver_free(solver *s) {
    free(s->row_col);
    free(s->row_slot);
    free(s->col_load);
    free(s->col_off);
    free(s->slot_row);
    free(s->active);
    free(s->u);
    free(s->v);
    free(s->dr);
    free(s->dc);
    free(s->sr);
    free(s->sc);
    free(s->pcol);
    free(s->prow);
    free(s->tr);
    free(s->tc);
    free(s->hc.a);
    free(s->hc.pos);
    free(s->hr.a);
    free(s->hr.pos);
    free(s->csc_off);
    free(s->csc_e);
    free(s->pend_head);
    free(s->pend_next);
    free(s->pend_row);
    free(s->pend_w);
    free(s->bid);
    free(s->cmin);
    free(s->aq);
    free(s->inauc);
}

static int solver_init(solver *s, assign_graph *g, const int32_t *cap) {
    memset(s, 0, sizeof(*s));
    s->g = g;
    s->cap = cap;
    s->nr = g->n_rows;
    s->nc = g->n_cols;
    size_t nr = (size_t)s->nr + 1, nc = (size_t)s->nc + 1;
    int64_t slots = 0;
    for (int32_t c = 0; c < s->nc; c++) {
        if (cap[c] < 0) return ASSIGN_ERR;
        slots += cap[c] < s->nr ? cap[c] : s->nr; /* more is never usable */
    }
    s->row_col = malloc(nr * sizeof(int32_t));
    s->row_slot = malloc(nr * sizeof(int32_t));
    s->col_load = calloc(nc, sizeof(int32_t));
    s->col_off = malloc(nc * sizeof(int64_t));
    s->slots = slots;
    s->slot_row = malloc(((size_t)slots + 1) * sizeof(int32_t));
    s->active = calloc(nr, 1);
    s->u = calloc(nr, sizeof(int64_t));
    s->v = calloc(nc, sizeof(int64_t));
    s->dr = malloc(nr * sizeof(int64_t));
    s->dc = malloc(nc * sizeof(int64_t));
    s->sr = calloc(nr, 1);
    s->sc = calloc(nc, 1);
    s->pcol = malloc(nc * sizeof(int32_t));
    s->prow = malloc(nr * sizeof(int32_t));
    s->tr = malloc(nr * sizeof(int32_t));
    s->tc = malloc(nc * sizeof(int32_t));
    s->hc.a = malloc(nc * sizeof(int32_t));
    s->hc.pos = malloc(nc * sizeof(int32_t));
    s->hr.a = malloc(nr * sizeof(int32_t));
    s->hr.pos = malloc(nr * sizeof(int32_t));
    s->bid = malloc(nr * sizeof(int64_t));
    s->cmin = malloc(nc * sizeof(int64_t));
    s->aq = malloc(nr * sizeof(int32_t));
    s->inauc = calloc(nr, 1);
    if (!s->bid || !s->cmin || !s->aq || !s->inauc) return ASSIGN_ERR;
    if (!s->row_col || !s->row_slot || !s->col_load || !s->col_off || !s->slot_row || !s->active || !s->u || !s->v ||
        !s->dr || !s->dc || !s->sr || !s->sc || !s->pcol || !s->prow || !s->tr || !s->tc || !s->hc.a || !s->hc.pos ||
        !s->hr.a || !s->hr.pos)
        return ASSIGN_ERR;
    int64_t off = 0;
    for (int32_t c = 0; c < s->nc; c++) {
        s->col_off[c] = off;
        off += cap[c] < s->nr ? cap[c] : s->nr;
        s->dc[c] = DIST_INF;
        s->hc.pos[c] = -1;
        if (cap[c] == 0) s->v[c] = ASSIGN_MAX_WEIGHT;
    }
    for (int32_t r = 0; r < s->nr; r++) {
        s->row_col[r] = -1;
        s->dr[r] = DIST_INF;
        s->hr.pos[r] = -1;
    }
    s->hc.key = s->dc;
    s->hr.key = s->dr;
    return ASSIGN_OK;
}

static void match_add(solver *s, int32_t r, int32_t c) {
    int32_t k = s->col_load[c]++;
    s->slot_row[s->col_off[c] + k] = r;
    s->row_col[r] = c;
    s->row_slot[r] = k;
}

static void match_remove(solver *s, int32_t r) {
    int32_t c = s->row_col[r], k = s->row_slot[r];
    int32_t last = --s->col_load[c];
    int32_t moved = s->slot_row[s->col_off[c] + last];
    s->slot_row[s->col_off[c] + k] = moved;
    s->row_slot[moved] = k;
    s->row_col[r] = -1;
}

static int col_free(const solver *s, int32_t c) { return s->col_load[c] < s->cap[c]; }

/* Count work and run the tick callback now and then; returns 1 to cancel. */
static int solver_work(solver *s, uint64_t units) {
    s->work += units;
    if (s->work < s->next_tick) return 0;
    s->next_tick = s->work + ASSIGN_TICK_WORK;
    if (s->tick && s->tick(s->tick_ud, s->done, s->total)) s->cancelled = 1;
    return s->cancelled;
}

/* Report the end of a phase (done == total) at once. */
static int solver_tick_now(solver *s) {
    s->next_tick = s->work;
    return solver_work(s, 0);
}

static void touch_row(solver *s, int32_t r) {
    if (s->sr[r] == NODE_FREE) s->tr[s->ntr++] = r;
}

static void touch_col(solver *s, int32_t c) {
    if (s->sc[c] == NODE_FREE) s->tc[s->ntc++] = c;
}

/* After a search that ended at distance D: move the duals of settled nodes
 * (tree rows down, tree columns up for a row search; the reverse for a column
 * search) and reset the scratch arrays. */
static void search_finish(solver *s, int64_t D, int row_search) {
    for (int32_t i = 0; i < s->ntr; i++) {
        int32_t r = s->tr[i];
        if (s->sr[r] == NODE_SETTLED) {
            int64_t delta = D - s->dr[r];
            s->u[r] += row_search ? -delta : delta;
        }
        s->sr[r] = NODE_FREE;
        s->dr[r] = DIST_INF;
    }
    for (int32_t i = 0; i < s->ntc; i++) {
        int32_t c = s->tc[i];
        if (s->sc[c] == NODE_SETTLED) {
            int64_t delta = D - s->dc[c];
            s->v[c] += row_search ? delta : -delta;
        }
        s->sc[c] = NODE_FREE;
        s->dc[c] = DIST_INF;
    }
    s->ntr = s->ntc = 0;
    heap_clear(&s->hc);
    heap_clear(&s->hr);
}

/* ------------------------------------------------------------------------ */
/* Row search: add active row r0 to an optimal solution of the others.      */
/* ------------------------------------------------------------------------ */

typedef struct sink {
    int64_t d;
    int32_t row; /* a row whose dual reaches 0 (it drops out) */
    int32_t col; /* or a free column, reached from row `pred` */
    int32_t pred;
} sink;

/* Settle row r at distance d: offer its drop-out as a sink, relax its edges. */
static void row_settle(solver *s, int32_t r, int64_t d, sink *best) {
    touch_row(s, r);
    s->sr[r] = NODE_SETTLED;
    s->dr[r] = d;
    if (d + s->u[r] < best->d) {
        best->d = d + s->u[r];
        best->row = r;
        best->col = -1;
    }
    const assign_row *rw = &s->g->rows[r];
    int64_t base = d + s->u[r];
    for (int32_t i = 0; i < rw->len; i++) {
        int32_t c = rw->e[i].col;
        if (s->sc[c] == NODE_SETTLED) continue;
        int64_t nd = base + s->v[c] - rw->e[i].w;
        if (nd >= best->d) continue;
        if (col_free(s, c)) {
            best->d = nd;
            best->row = -1;
            best->col = c;
            best->pred = r;
        } else if (nd < s->dc[c]) {
            touch_col(s, c);
            s->sc[c] = NODE_LABELED;
            s->dc[c] = nd;
            s->pcol[c] = r;
            heap_push(&s->hc, c);
        }
    }
}

/* Add the inactive row r0.  Requires (I1)-(I3) for the active rows; columns
 * with free capacity are sinks whatever their v (see the warm start).  r0
 * starts with the smallest u covering its edges; the Dijkstra tree grows
 * until the nearest sink, the duals move by the distances, and the path is
 * shifted.  Afterwards r0 is active and (I1)-(I3) hold again.  Returns
 * ASSIGN_OK or ASSIGN_CANCELLED (the solution is consistent either way). */
static int row_search(solver *s, int32_t r0) {
    const assign_row *rw = &s->g->rows[r0];
    int64_t u0 = 0;
    for (int32_t i = 0; i < rw->len; i++) {
        int64_t t = rw->e[i].w - s->v[rw->e[i].col];
        if (t > u0) u0 = t;
    }
    s->active[r0] = 1;
    s->u[r0] = u0;
    if (u0 == 0) return ASSIGN_OK; /* nothing worth taking: stays unmatched */

    sink best = { u0, r0, -1, -1 };
    uint64_t settled = 1;
    row_settle(s, r0, 0, &best);
    while (s->hc.n > 0 && s->dc[s->hc.a[0]] < best.d) {
        int32_t c = heap_pop(&s->hc);
        int64_t d = s->dc[c];
        s->sc[c] = NODE_SETTLED;
        const int32_t *slot = s->slot_row + s->col_off[c];
        for (int32_t k = 0; k < s->col_load[c]; k++) row_settle(s, slot[k], d, &best);
        settled += 1 + (uint64_t)s->col_load[c];
    }
    search_finish(s, best.d, 1);

    /* Shift along the path: each row takes the column that reached it... */
    int32_t c, r;
    if (best.col >= 0) {
        c = best.col;
        r = best.pred;
    } else if (best.row == r0) {
        return solver_work(s, settled) ? ASSIGN_CANCELLED : ASSIGN_OK;
    } else {
        c = s->row_col[best.row];
        match_remove(s, best.row);
        r = s->pcol[c];
    }
    for (;;) {
        int32_t prev = s->row_col[r];
        if (prev >= 0) match_remove(s, r);
        match_add(s, r, c);
        if (r == r0) break;
        c = prev;
        r = s->pcol[c];
    }
    return solver_work(s, settled) ? ASSIGN_CANCELLED : ASSIGN_OK;
}

/* ------------------------------------------------------------------------ */
/* Column search: repair column c0 that has free capacity and v > 0.        */
/* ------------------------------------------------------------------------ */

#define CSC_REBUILD_DIV 4
#define CSC_ROW_BITS    22

/* w <= ASSIGN_MAX_WEIGHT = 2^40 and r < ASSIGN_MAX_ROWS = 2^22: 63 bits. */
_Static_assert(ASSIGN_MAX_ROWS <= (1 << CSC_ROW_BITS), "a row must fit in CSC_ROW_BITS");
_Static_assert(ASSIGN_MAX_WEIGHT <= (INT64_MAX >> CSC_ROW_BITS), "a weight must fit above the row");

static inline uint64_t csc_pack(int32_t r, int64_t w) { return (uint64_t)w << CSC_ROW_BITS | (uint64_t)r; }
static inline int32_t csc_row(uint64_t e) { return (int32_t)(e & ((UINT64_C(1) << CSC_ROW_BITS) - 1)); }
static inline int64_t csc_w(uint64_t e) { return (int64_t)(e >> CSC_ROW_BITS); }

static void csc_free(solver *s) {
    free(s->csc_off);
    free(s->csc_e);
    s->csc_off = NULL;
    s->csc_e = NULL;
    s->n_pend = 0;
}

/* The copy is made in parts of rows (par.h): each part counts its rows'
 * edges per column, the offsets put part p's edges of a column after
 * those of the parts before it, and each part then fills its own places,
 * rows in increasing order: the copy a single pass would make.  At 10^5
 * rows and 2 x 10^6 edges it took 12 ms on one thread, in every solve. */
#define CSC_PART_MIN 16384 /* rows a part takes at least */

typedef struct csc_job {
    solver *s;
    int64_t *at[MT_PAR_MAX]; /* per part: counts per column, then cursors */
} csc_job;

static int csc_count(void *ctx, size_t r0, size_t r1, int part) {
    csc_job *j = ctx;
    int64_t *cnt = j->at[part];
    for (size_t r = r0; r < r1; r++) {
        const assign_row *rw = &j->s->g->rows[r];
        for (int32_t i = 0; i < rw->len; i++) cnt[rw->e[i].col]++;
    }
    return 0;
}

static int csc_fill(void *ctx, size_t r0, size_t r1, int part) {
    csc_job *j = ctx;
    int64_t *cur = j->at[part];
    uint64_t *e = j->s->csc_e;
    for (size_t r = r0; r < r1; r++) {
        const assign_row *rw = &j->s->g->rows[r];
        for (int32_t i = 0; i < rw->len; i++) e[cur[rw->e[i].col]++] = csc_pack((int32_t)r, rw->e[i].w);
    }
    return 0;
}

static int csc_build(solver *s) {
    csc_free(s);
    s->csc_off = calloc((size_t)s->nc + 1, sizeof(int64_t));
    if (!s->pend_head) s->pend_head = malloc(((size_t)s->nc + 1) * sizeof(int32_t));
    int parts = mt_par_count(s->g->threads, (size_t)s->nr, CSC_PART_MIN);
    csc_job j = { s, { NULL } };
    int ok = s->csc_off && s->pend_head;
    for (int p = 0; p < parts && ok; p++) ok = (j.at[p] = calloc((size_t)s->nc + 1, sizeof(int64_t))) != NULL;
    if (ok) {
        for (int32_t c = 0; c < s->nc; c++) s->pend_head[c] = -1;
        mt_par_parts(s->g->threads, (size_t)s->nr, CSC_PART_MIN, csc_count, &j);
        /* column c's edges: part 0's rows, then part 1's, ... */
        int64_t off = 0;
        for (int32_t c = 0; c < s->nc; c++) {
            s->csc_off[c] = off;
            for (int p = 0; p < parts; p++) {
                int64_t n = j.at[p][c];
                j.at[p][c] = off;
                off += n;
            }
        }
        s->csc_off[s->nc] = off;
        /* sized by the edges counted, the ones it is filled with */
        ok = (s->csc_e = malloc(((size_t)off + 1) * sizeof(uint64_t))) != NULL;
        if (ok) mt_par_parts(s->g->threads, (size_t)s->nr, CSC_PART_MIN, csc_fill, &j);
        s->csc_edges = (size_t)off;
    }
    for (int p = 0; p < parts; p++) free(j.at[p]);
    if (!ok) {
        csc_free(s);
        return ASSIGN_ERR;
    }
    return ASSIGN_OK;
}

/* The copy, up to date: built if absent or if too much waits beside it. */
static int csc_ensure(solver *s) {
    if (s->csc_off && s->n_pend <= s->csc_edges / CSC_REBUILD_DIV) return ASSIGN_OK;
    return csc_build(s);
}

/* A new edge (r, c, w) for a live copy.  Without memory for it the copy is
 * dropped (csc_ensure builds it again), so this cannot fail. */
static void csc_pend(solver *s, int32_t r, int32_t c, int64_t w) {
    if (!s->csc_off) return;
    if (s->n_pend == s->cap_pend) {
        size_t n = s->cap_pend ? s->cap_pend * 2 : 1024;
        int32_t *nx = realloc(s->pend_next, n * sizeof(int32_t));
        if (nx) s->pend_next = nx;
        int32_t *rw = realloc(s->pend_row, n * sizeof(int32_t));
        if (rw) s->pend_row = rw;
        int64_t *ww = realloc(s->pend_w, n * sizeof(int64_t));
        if (ww) s->pend_w = ww;
        if (!nx || !rw || !ww || n > INT32_MAX) {
            csc_free(s);
            return;
        }
        s->cap_pend = n;
    }
    int32_t k = (int32_t)s->n_pend++;
    s->pend_row[k] = r;
    s->pend_w[k] = w;
    s->pend_next[k] = s->pend_head[c];
    s->pend_head[c] = k;
}

/* Column c, settled with base = its distance + v[c], reaches row r over an
 * edge of weight w. */
static inline void col_relax(solver *s, int32_t c, int32_t r, int64_t w, int64_t base, sink *best) {
    if (!s->active[r] || s->sr[r] == NODE_SETTLED) return;
    int64_t nd = base + s->u[r] - w;
    if (nd >= best->d) return;
    if (s->row_col[r] < 0) {
        best->d = nd;
        best->row = r;
        best->col = -1;
        best->pred = c;
    } else if (nd < s->dr[r]) {
        touch_row(s, r);
        s->sr[r] = NODE_LABELED;
        s->dr[r] = nd;
        s->prow[r] = c;
        heap_push(&s->hr, r);
    }
}

/* Settle column c at distance d: offer lowering v[c] to 0 (c gives up one
 * row) as a sink, and relax the edges of active rows not held by c.  Every
 * row c holds joins the tree at d as well: v[c] goes down from here on, so
 * their u must go up with it to keep the matched edges tight. */
static void col_settle(solver *s, int32_t c, int64_t d, sink *best) {
    touch_col(s, c);
    s->sc[c] = NODE_SETTLED;
    s->dc[c] = d;
    const int32_t *slot = s->slot_row + s->col_off[c];
    for (int32_t k = 0; k < s->col_load[c]; k++) {
        int32_t r = slot[k];
        if (s->sr[r] == NODE_SETTLED) continue;
        touch_row(s, r);
        s->sr[r] = NODE_SETTLED;
        s->dr[r] = d;
        if (s->hr.pos[r] >= 0) heap_push(&s->hr, r); /* key decreased */
    }
    if (d + s->v[c] < best->d) {
        best->d = d + s->v[c];
        best->col = c;
        best->row = -1;
    }
    int64_t base = d + s->v[c];
    for (int64_t k = s->csc_off[c]; k < s->csc_off[c + 1]; k++)
        col_relax(s, c, csc_row(s->csc_e[k]), csc_w(s->csc_e[k]), base, best);
    for (int32_t k = s->pend_head[c]; k >= 0; k = s->pend_next[k])
        col_relax(s, c, s->pend_row[k], s->pend_w[k], base, best);
}

/* One step of repairing column c0 (free capacity, v > 0; needs the
 * column-major copy).  The tree grows from c0 over unmatched-edge / matched-
 * edge alternations until the nearest sink: an unmatched active row that can
 * join (the path shifts one row into c0), a tree column whose v reaches 0
 * (it gives up one row, the path shifts into c0), or c0's own v reaching 0.
 * Keeps (I1)-(I3); the caller repeats while c0 is still deficient.  Returns
 * ASSIGN_OK or ASSIGN_CANCELLED. */
static int col_search(solver *s, int32_t c0) {
    sink best = { s->v[c0], -1, c0, -1 };
    uint64_t settled = 1;
    col_settle(s, c0, 0, &best);
    while (s->hr.n > 0 && s->dr[s->hr.a[0]] < best.d) {
        int32_t r = heap_pop(&s->hr);
        if (s->sr[r] == NODE_SETTLED) continue; /* came in with its column */
        int32_t c = s->row_col[r];
        s->pcol[c] = r;
        col_settle(s, c, s->dr[r], &best);
        settled += 1 + (uint64_t)s->col_load[c];
    }
    search_finish(s, best.d, 0);

    /* Each moving row goes to the column that reached it, until c0; a column
     * on the way first gives up the row that brought it into the tree. */
    int32_t r;
    if (best.row >= 0) {
        r = best.row;
        s->prow[r] = best.pred;
    } else if (best.col == c0) {
        return solver_work(s, settled) ? ASSIGN_CANCELLED : ASSIGN_OK;
    } else {
        r = s->pcol[best.col];
        match_remove(s, r);
    }
    for (;;) {
        int32_t to = s->prow[r];
        if (to == c0) {
            match_add(s, r, to);
            break;
        }
        int32_t next = s->pcol[to];
        match_remove(s, next);
        match_add(s, r, to);
        r = next;
    }
    return solver_work(s, settled) ? ASSIGN_CANCELLED : ASSIGN_OK;
}

/* ------------------------------------------------------------------------ */
/* Auction phase: a cheap start for many rows at once                       */
/* ------------------------------------------------------------------------ */

static int int32_cmp(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Sort ascending; a list that is sorted already (the dirty rows of a
 * round usually arrive in row order) costs one pass, not a merge sort. */
static void int32_sort(int32_t *a, int32_t n) {
    int32_t i = 1;
    while (i < n && a[i - 1] <= a[i]) i++;
    if (i < n) qsort(a, (size_t)n, sizeof(int32_t), int32_cmp);
}

/* Bids per listed row before the auction gives up on the rest (they go to
 * row searches).  A bid costs a scan of the row's edges, a row search up to
 * a walk through the market: on tight at 100,000 x 20,000, 4 bids a row
 * left 35 % of the rows to searches (4.6 s of them), 16 left 34 % but
 * cheaper ones (1.9 s); on a price war (ties) more bids place few more
 * rows. */
#define AUCTION_BIDS_PER_ROW 16

/* The cheapest slot of column c: the lowest bid among its rows, or its dual
 * when it has a slot nobody holds (free slots stay at the dual they started
 * from). */
static void auction_cmin(solver *s, int32_t c) {
    int64_t m = s->v[c];
    if (!col_free(s, c)) {
        const int32_t *slot = s->slot_row + s->col_off[c];
        m = s->bid[slot[0]];
        for (int32_t k = 1; k < s->col_load[c]; k++)
            if (s->bid[slot[k]] < m) m = s->bid[slot[k]];
    }
    s->cmin[c] = m;
}

/* One bid of unmatched row r at the current slot prices (cmin).  Returns the
 * row it kicked out (to bid again) or -1.  r may end unmatched: when no
 * column is worth more than 0 to it (it stays so, with u = 0), or when its
 * best columns tie and are all full (a bid without a price rise could
 * cycle; a row search places it). */
static int32_t auction_bid(solver *s, int32_t r) {
    const assign_row *rw = &s->g->rows[r];
    int64_t b1 = 0, b2 = 0;   /* best and second best value; 0 = stay unmatched */
    int32_t c1 = -1, cf = -1; /* best column; a free one among the tied best */
    for (int32_t i = 0; i < rw->len; i++) {
        int32_t c = rw->e[i].col;
        int64_t val = rw->e[i].w - s->cmin[c];
        if (val <= 0) continue;
        if (val > b1) {
            b2 = b1;
            b1 = val;
            c1 = c;
            cf = col_free(s, c) ? c : -1;
        } else if (val == b1) {
            b2 = val;
            if (cf < 0 && col_free(s, c)) cf = c;
        } else if (val > b2) {
            b2 = val;
        }
    }
    s->auction_bids++;
    if (c1 < 0 || (b1 == b2 && cf < 0)) return -1;
    int32_t c = b1 > b2 ? c1 : cf, kicked = -1;
    int64_t price = s->cmin[c] + (b1 - b2);
    if (!col_free(s, c)) {
        /* The holder of the cheapest slot (the first in slot order among
         * equal bids) gives it up. */
        const int32_t *slot = s->slot_row + s->col_off[c];
        kicked = slot[0];
        for (int32_t k = 1; k < s->col_load[c]; k++)
            if (s->bid[slot[k]] < s->bid[kicked]) kicked = slot[k];
        match_remove(s, kicked);
        s->auction_kicks++;
    }
    match_add(s, r, c);
    s->bid[r] = price;
    auction_cmin(s, c);
    return kicked;
}

/* Auction over the inactive rows rows[0..n) (ascending), before their row
 * searches (JV's "augmenting row reduction" with epsilon = 0, on the
 * capacitated graph; correctness never depends on it, it only gives the row
 * searches a better start).
 *
 * Each column c is seen as min(cap[c], rows) slots with a price each: a slot
 * held by a row before the phase, or never held, is priced v[c]; a bid
 * prices the slot it takes.  An unmatched row bids for its best column by
 * value w - (price of the column's cheapest slot), against its second best
 * (0 for staying unmatched): it takes the cheapest slot and prices it up by
 * the difference, so its value there equals its second best; the holder of a
 * taken slot (the weakest one, an active row possibly) is out and bids
 * again.  A tie between best columns goes to one with a free slot; a tie
 * with none is left to a row search (a bid without a price rise could
 * cycle), as is every row still unmatched when the bids run out.
 *
 * Afterwards v[c] becomes the price of c's cheapest slot (unchanged for a
 * column with a free slot or holding a row that did not take part: prices
 * never fall and such a slot kept v[c]).  Each row that took part gets the
 * smallest u covering its edges.  Why that restores (I1)-(I3): prices only
 * rose, so a row's value elsewhere only fell; a bidder's value at its
 * column is at least its second best when it bid (its slot's price is at
 * least the column's cheapest), so its column is still its best and the
 * edge is tight.  This is checked, not trusted: a row that took part and is
 * matched on a non-tight edge, or unmatched with u > 0, becomes inactive and
 * is returned for a row search.  Rows that did not take part keep their
 * duals and matches, which stay valid as v only rose and not at their
 * columns.  A column left with free capacity and v > 0 (only possible after
 * such a correction) is added to fix[] (*nfix, no duplicates, sorted).
 *
 * Returns the number of rows left for row searches, written to rows[]
 * ascending. */
static int32_t auction(solver *s, int32_t *rows, int32_t n, int32_t *fix, int32_t *nfix) {
    for (int32_t c = 0; c < s->nc; c++) s->cmin[c] = s->v[c];
    for (int32_t r = 0; r < s->nr; r++)
        if (s->row_col[r] >= 0) s->bid[r] = s->v[s->row_col[r]];
    /* FIFO of unmatched bidders: a row is in it at most once (a queued row
     * holds no slot, so nobody can kick it out again), so nr slots do. */
    int32_t head = 0, tail = 0, qn = 0, nleft = 0;
    int32_t *part = s->tr; /* rows that took part (the searches' scratch list, idle now) */
    int32_t npart = 0;
    for (int32_t i = 0; i < n; i++) {
        s->aq[tail] = rows[i];
        tail = tail + 1 == s->nr ? 0 : tail + 1;
        qn++;
        s->inauc[rows[i]] = 1;
        part[npart++] = rows[i];
    }
    uint64_t budget = (uint64_t)n * AUCTION_BIDS_PER_ROW;
    while (qn > 0 && budget > 0) {
        int32_t r = s->aq[head];
        head = head + 1 == s->nr ? 0 : head + 1;
        qn--;
        budget--;
        int32_t k = auction_bid(s, r);
        solver_work(s, 1); /* ticks; a cancel takes effect in place_rows */
        if (k < 0) continue;
        if (!s->inauc[k]) { /* an active row, out of its slot */
            s->inauc[k] = 1;
            s->active[k] = 0;
            part[npart++] = k;
        }
        s->aq[tail] = k;
        tail = tail + 1 == s->nr ? 0 : tail + 1;
        qn++;
    }
    /* Columns the bids filled take the price of their cheapest slot. */
    for (int32_t i = 0; i < npart; i++) {
        int32_t c = s->row_col[part[i]];
        if (c >= 0) s->v[c] = s->cmin[c];
    }
    /* Rows that took part: the smallest covering u, and the check above;
     * the unmatched ones with u > 0 (ties left, bids run out, corrections)
     * go to the row searches. */
    for (int32_t i = 0; i < *nfix; i++) s->sc[fix[i]] = NODE_LABELED; /* dedupe marks, cleared below */
    for (int32_t i = 0; i < npart; i++) {
        int32_t r = part[i];
        s->inauc[r] = 0;
        const assign_row *rw = &s->g->rows[r];
        int64_t u0 = 0, wm = 0;
        int32_t c = s->row_col[r];
        for (int32_t k = 0; k < rw->len; k++) {
            int64_t t = rw->e[k].w - s->v[rw->e[k].col];
            if (t > u0) u0 = t;
            if (rw->e[k].col == c) wm = rw->e[k].w;
        }
        if (c >= 0 && wm - s->v[c] != u0) {
            match_remove(s, r);
            if (s->v[c] > 0 && s->sc[c] == NODE_FREE) {
                s->sc[c] = NODE_LABELED;
                fix[(*nfix)++] = c;
            }
            c = -1;
        }
        if (c < 0 && u0 > 0) {
            s->active[r] = 0;
            s->u[r] = 0;
            rows[nleft++] = r;
        } else {
            s->active[r] = 1;
            s->u[r] = u0;
        }
    }
    for (int32_t i = 0; i < *nfix; i++) s->sc[fix[i]] = NODE_FREE;
    qsort(fix, (size_t)*nfix, sizeof(int32_t), int32_cmp);
    qsort(rows, (size_t)nleft, sizeof(int32_t), int32_cmp);
    return nleft;
}

/* ------------------------------------------------------------------------ */
/* Driver: solve, price, warm-start, repeat                                 */
/* ------------------------------------------------------------------------ */

/* Add the inactive rows rows[0..n) (ascending): an auction first, then a
 * row search for each row it left.  fix[] (*nfix) lists
 * columns that may need a column search afterwards; the auction may add
 * some.  Progress counts the n rows, those the auction placed first. */
static int place_rows(solver *s, int32_t *rows, int32_t n, int32_t *fix, int32_t *nfix) {
    int32_t left = auction(s, rows, n, fix, nfix);
    s->done = (uint64_t)(n - left);
    s->total = (uint64_t)n;
    for (int32_t i = 0; i < left; i++) {
        int rc = row_search(s, rows[i]);
        if (rc != ASSIGN_OK) return rc;
        s->row_searches++;
        s->done++;
        if (solver_work(s, 1)) return ASSIGN_CANCELLED;
    }
    return solver_tick_now(s) ? ASSIGN_CANCELLED : ASSIGN_OK;
}

/* Sort the rows that received edges since the last call and collect, into
 * redo[], the active rows with an edge that violates dual feasibility.  Those
 * leave the solution; a column left with free capacity and v > 0 is listed
 * in fix[].  Returns the number of rows in redo[]; *nfix gets fix's size. */
static int32_t take_violators(solver *s, int32_t *redo, int32_t *fix, int32_t *nfix) {
    assign_graph *g = s->g;
    int32_t n = 0;
    *nfix = 0;
    int32_sort(g->dirty, g->n_dirty);
    for (int32_t i = 0; i < g->n_dirty; i++) {
        int32_t r = g->dirty[i];
        assign_row *rw = &g->rows[r];
        rw->dirty = 0;
        for (int32_t k = rw->seen; k < rw->len; k++) csc_pend(s, r, rw->e[k].col, rw->e[k].w);
        row_sort(rw);
        rw->seen = rw->len;
        if (!s->active[r]) continue;
        int violated = 0;
        for (int32_t k = 0; k < rw->len && !violated; k++) violated = rw->e[k].w > s->u[r] + s->v[rw->e[k].col];
        if (!violated) continue;
        int32_t c = s->row_col[r];
        if (c >= 0) {
            match_remove(s, r);
            if (s->v[c] > 0 && s->sc[c] == NODE_FREE) {
                s->sc[c] = NODE_LABELED; /* dedupe mark, cleared below */
                fix[(*nfix)++] = c;
            }
        }
        s->active[r] = 0;
        s->u[r] = 0;
        redo[n++] = r;
    }
    g->n_dirty = 0;
    for (int32_t i = 0; i < *nfix; i++) s->sc[fix[i]] = NODE_FREE;
    qsort(fix, (size_t)*nfix, sizeof(int32_t), int32_cmp);
    return n;
}

/* Column searches for the listed columns still left with free capacity and
 * v > 0 (a row search may have filled some of them already). */
static int repair_columns(solver *s, int32_t *fix, int32_t nfix) {
    int32_t n = 0;
    for (int32_t i = 0; i < nfix; i++)
        if (col_free(s, fix[i]) && s->v[fix[i]] > 0) fix[n++] = fix[i];
    if (n == 0) return ASSIGN_OK;
    if (csc_ensure(s) != ASSIGN_OK) return ASSIGN_ERR;
    s->done = 0;
    s->total = (uint64_t)n;
    for (int32_t i = 0; i < n; i++) {
        int32_t c = fix[i];
        while (col_free(s, c) && s->v[c] > 0) {
            int rc = col_search(s, c);
            if (rc != ASSIGN_OK) return rc;
        }
        s->done++;
    }
    return solver_tick_now(s) ? ASSIGN_CANCELLED : ASSIGN_OK;
}

/* First solve.  Either side can be built up one node at a time; the cheap
 * side is the one whose searches end soon.  With fewer column slots than rows
 * (the usual case: many more mentees than coach places), adding columns is
 * cheap because unmatched rows — the sinks of a column search — stay
 * plentiful to the end, whereas adding rows would make every late row search
 * through most of the graph for the last free places.  With more slots than
 * rows it is the other way round. */
static int first_round(solver *s, int32_t *rows, int32_t *fix) {
    if (s->slots >= s->nr) {
        int32_t nfix = 0;
        for (int32_t r = 0; r < s->nr; r++) rows[r] = r;
        int rc = place_rows(s, rows, s->nr, fix, &nfix);
        if (rc == ASSIGN_OK) rc = repair_columns(s, fix, nfix);
        return rc;
    }
    /* Column side: every row starts active and unmatched (u = 0), which
     * satisfies (I1)-(I4) for the empty set of columns; a column joins with
     * the smallest v that covers its edges and is then filled by column
     * searches until it is full or its v reaches 0.  (v0 reads the copy
     * only: it must hold every edge.) */
    if ((s->n_pend || !s->csc_off) && csc_build(s) != ASSIGN_OK) return ASSIGN_ERR;
    memset(s->active, 1, (size_t)s->nr);
    s->done = 0;
    s->total = (uint64_t)s->nc;
    for (int32_t c = 0; c < s->nc; c++) {
        if (s->cap[c] > 0) {
            int64_t v0 = 0;
            for (int64_t k = s->csc_off[c]; k < s->csc_off[c + 1]; k++) {
                int64_t t = csc_w(s->csc_e[k]) - s->u[csc_row(s->csc_e[k])];
                if (t > v0) v0 = t;
            }
            s->v[c] = v0;
            while (col_free(s, c) && s->v[c] > 0) {
                int rc = col_search(s, c);
                if (rc != ASSIGN_OK) return rc;
            }
        }
        s->done++;
        if (solver_work(s, 1)) return ASSIGN_CANCELLED;
    }
    return solver_tick_now(s) ? ASSIGN_CANCELLED : ASSIGN_OK;
}

/* Warm start or start again?  Re-adding rows costs little while they are a
 * few: measured on 100k x 20k (60k slots), 16k rows re-added in 0.07 s.  But
 * when most rows must be re-added in a market with fewer slots than rows,
 * row searches alone degenerate into a row-side solve from scratch (95k
 * rows: 14 s), whereas a column-side first round on the same graph takes
 * 0.3 s.  So with fewer slots than rows and more than an eighth of the rows
 * to re-add, the current graph is solved afresh -- up to
 * ASSIGN_RESTART_MAX_ROWS rows.  The auction (above) now re-adds most rows
 * without a search, and a column-side solve grows faster than the rows:
 * 0.3-1 s at 100,000 rows, 11-12 s at 1,000,000 x 50,000 (150,000 slots),
 * where 967,000 re-added rows took 4 s with the auction, and the run 58 s
 * instead of 69-73 s; at 100,000 x 20,000 the restart is still about 8 %
 * faster.  The crossover between the two is not measured: 2^18 rows is a
 * guess between them, and either side only changes the time, not the
 * optimum. */
#define ASSIGN_RESTART_MAX_ROWS (1 << 18)

static int restart_is_cheaper(const solver *s, int32_t nredo) {
    return nredo > s->nr / 8 && s->slots < s->nr && s->nr <= ASSIGN_RESTART_MAX_ROWS;
}

static void solver_reset(solver *s) {
    for (int32_t r = 0; r < s->nr; r++) {
        s->row_col[r] = -1;
        s->u[r] = 0;
    }
    memset(s->active, 0, (size_t)s->nr);
    for (int32_t c = 0; c < s->nc; c++) {
        s->col_load[c] = 0;
        s->v[c] = s->cap[c] == 0 ? ASSIGN_MAX_WEIGHT : 0;
    }
}

static int fill_result(solver *s, assign_result *out) {
    size_t nr = (size_t)s->nr + 1, nc = (size_t)s->nc + 1;
    out->row_col = malloc(nr * sizeof(int32_t));
    out->u = malloc(nr * sizeof(int64_t));
    out->v = malloc(nc * sizeof(int64_t));
    if (!out->row_col || !out->u || !out->v) return ASSIGN_ERR;
    memcpy(out->row_col, s->row_col, (size_t)s->nr * sizeof(int32_t));
    memcpy(out->u, s->u, (size_t)s->nr * sizeof(int64_t));
    memcpy(out->v, s->v, (size_t)s->nc * sizeof(int64_t));
    out->objective = 0;
    out->matched = 0;
    for (int32_t r = 0; r < s->nr; r++) {
        if (s->row_col[r] < 0) continue;
        out->matched++;
        out->objective += s->u[r] + s->v[s->row_col[r]]; /* tight edge */
    }
    return ASSIGN_OK;
}

/* Warm first round (assign_start): column duals from the hint, each row the
 * smallest u covering its edges, kept on its preferred column when that edge
 * is tight and the column has room; the other rows with u > 0 leave (they
 * are re-added by row searches) and columns left with room and v > 0 are
 * repaired, exactly as after a pricing round.  rows[] is scratch (n_rows),
 * fix[] too (n_cols). */
static int warm_round(solver *s, const assign_start *start, int32_t *rows, int32_t *fix) {
    for (int32_t c = 0; c < s->nc; c++) {
        if (s->cap[c] == 0 || !start->v) continue;
        int64_t v = start->v[c];
        s->v[c] = v < 0 ? 0 : v > ASSIGN_MAX_WEIGHT ? ASSIGN_MAX_WEIGHT : v;
    }
    int32_t nredo = 0, nfix = 0;
    for (int32_t r = 0; r < s->nr; r++) {
        const assign_row *rw = &s->g->rows[r];
        int64_t u0 = 0, wh = 0;
        int32_t h = start->row_col ? start->row_col[r] : -1;
        for (int32_t i = 0; i < rw->len; i++) {
            int64_t t = rw->e[i].w - s->v[rw->e[i].col];
            if (t > u0) u0 = t;
            if (rw->e[i].col == h) wh = rw->e[i].w;
        }
        s->active[r] = 1;
        s->u[r] = u0;
        if (wh > 0 && wh - s->v[h] == u0 && col_free(s, h)) {
            match_add(s, r, h);
        } else if (u0 > 0) {
            s->active[r] = 0;
            s->u[r] = 0;
            rows[nredo++] = r;
        }
    }
    for (int32_t c = 0; c < s->nc; c++)
        if (s->cap[c] > 0 && s->v[c] > 0 && col_free(s, c)) fix[nfix++] = c;
    if (restart_is_cheaper(s, nredo)) {
        solver_reset(s);
        for (int32_t r = 0; r < s->nr; r++) rows[r] = r;
        return first_round(s, rows, fix);
    }
    int rc = place_rows(s, rows, nredo, fix, &nfix);
    if (rc == ASSIGN_OK) rc = repair_columns(s, fix, nfix);
    return rc;
}

int assign_solve(assign_graph *g, const int32_t *cap, assign_price_fn price, void *price_ud, assign_tick_fn tick,
                 void *tick_ud, assign_result *out) {
    return assign_solve_warm(g, cap, NULL, price, price_ud, tick, tick_ud, out);
}

int assign_solve_warm(assign_graph *g, const int32_t *cap, const assign_start *start, assign_price_fn price,
                      void *price_ud, assign_tick_fn tick, void *tick_ud, assign_result *out) {
    if (!out) return ASSIGN_ERR;
    memset(out, 0, sizeof(*out));
    if (!g || (!cap && g->n_cols > 0)) return ASSIGN_ERR;
    solver s;
    int rc = solver_init(&s, g, cap);
    int32_t *redo = malloc(((size_t)g->n_rows + 1) * sizeof(int32_t));
    int32_t *fix = malloc(((size_t)g->n_cols + 1) * sizeof(int32_t));
    if (!redo || !fix) rc = ASSIGN_ERR;
    s.tick = tick;
    s.tick_ud = tick_ud;
    s.next_tick = 0;

    if (rc == ASSIGN_OK) {
        int32_t nfix;
        take_violators(&s, redo, fix, &nfix); /* sorts rows; none active */
        rc = start ? warm_round(&s, start, redo, fix) : first_round(&s, redo, fix);
    }
    while (rc == ASSIGN_OK) {
        out->pricing_rounds++;
        if (!price) {
            out->certified = 1;
            break;
        }
        size_t before = g->n_edges, added = 0;
        if (price(price_ud, s.u, s.v, g, &added) != ASSIGN_OK) {
            rc = ASSIGN_ERR;
            break;
        }
        if (g->n_edges == before) { /* nothing new: the duals certify */
            out->certified = 1;
            break;
        }
        int32_t nfix;
        int32_t nredo = take_violators(&s, redo, fix, &nfix);
        if (restart_is_cheaper(&s, nredo)) {
            solver_reset(&s);
            rc = first_round(&s, redo, fix);
        } else {
            /* Rows first: a column a violating row left is a sink of the
             * row searches like any column with free capacity (its v > 0
             * does not matter to a search that ends there), and the row
             * usually finds its way back to it within the few units its new
             * edge gained — whereas repairing a first would pull some other
             * row in from far away and leave the row to search the whole
             * market for a place.  Columns still deficient afterwards get
             * their column searches. */
            rc = place_rows(&s, redo, nredo, fix, &nfix);
            if (rc == ASSIGN_OK) rc = repair_columns(&s, fix, nfix);
        }
    }
    if (rc == ASSIGN_OK) rc = fill_result(&s, out);
    out->auction_bids = s.auction_bids;
    out->auction_kicks = s.auction_kicks;
    out->row_searches = s.row_searches;
    if (rc == ASSIGN_OK) {
        /* The certificate is checked, not trusted: O(edges), cheap next to
         * the solve, and a failure here is a solver bug. */
        char err[160];
        if (assign_check(g, cap, out, err, sizeof(err)) != ASSIGN_OK) {
            fprintf(stderr, "assign: internal certificate check failed: %s\n", err);
            rc = ASSIGN_ERR;
        }
    }
    if (rc != ASSIGN_OK) {
        int p = out->pricing_rounds;
        assign_result_free(out);
        out->pricing_rounds = p;
    }
    free(redo);
    free(fix);
    solver_free(&s);
    return rc;
}

void assign_result_free(assign_result *r) {
    if (!r) return;
    free(r->row_col);
    free(r->u);
    free(r->v);
    memset(r, 0, sizeof(*r));
}

/* ------------------------------------------------------------------------ */
/* Certificate check                                                        */
/* ------------------------------------------------------------------------ */

#define CHECK_FAIL(...)                                                                                                \
    do {                                                                                                               \
        if (err && errlen) snprintf(err, errlen, __VA_ARGS__);                                                         \
        free(load);                                                                                                    \
        return ASSIGN_ERR;                                                                                             \
    } while (0)

/* Dual feasibility, u_r + v_c >= w on every edge, in parts of rows (par.h;
 * 10 ms of a warm re-run on one thread): each part stops at its first
 * violated edge and names it in bad[part]. */
#define CHECK_PART_MIN 16384

typedef struct edge_bad {
    int32_t r, c;
    int64_t uv, w; /* w > 0: this part found one */
} edge_bad;

typedef struct edge_check {
    const assign_graph *g;
    const assign_result *res;
    edge_bad bad[MT_PAR_MAX];
} edge_check;

static int check_edges(void *ctx, size_t r0, size_t r1, int part) {
    edge_check *ec = ctx;
    const int64_t *u = ec->res->u, *v = ec->res->v;
    for (size_t r = r0; r < r1; r++) {
        const assign_row *rw = &ec->g->rows[r];
        for (int32_t i = 0; i < rw->len; i++) {
            int32_t c = rw->e[i].col;
            if (u[r] + v[c] < rw->e[i].w) {
                ec->bad[part] = (edge_bad){ (int32_t)r, c, u[r] + v[c], rw->e[i].w };
                return 1;
            }
        }
    }
    return 0;
}

int assign_check(const assign_graph *g, const int32_t *cap, const assign_result *res, char *err, size_t errlen) {
    int32_t *load = NULL;
    if (!g || !res || (!cap && g->n_cols > 0)) CHECK_FAIL("null argument");
    if (!res->row_col || !res->u || !res->v) CHECK_FAIL("empty result");
    load = calloc((size_t)g->n_cols + 1, sizeof(int32_t));
    if (!load) CHECK_FAIL("out of memory");
    int64_t obj = 0, dual = 0;
    int32_t matched = 0;
    for (int32_t c = 0; c < g->n_cols; c++)
        if (res->v[c] < 0) CHECK_FAIL("col %d: v < 0", (int)c);
    for (int32_t r = 0; r < g->n_rows; r++) {
        int32_t c = res->row_col[r];
        int64_t u = res->u[r];
        if (u < 0) CHECK_FAIL("row %d: u = %lld < 0", (int)r, (long long)u);
        dual += u;
        if (c < 0) {
            if (c != -1) CHECK_FAIL("row %d: bad column %d", (int)r, (int)c);
            if (u != 0) CHECK_FAIL("row %d: unmatched but u = %lld", (int)r, (long long)u);
            continue;
        }
        if (c >= g->n_cols) CHECK_FAIL("row %d: bad column %d", (int)r, (int)c);
        int64_t w = graph_weight(g, r, c);
        if (w == 0) CHECK_FAIL("row %d: matched to %d, not an edge", (int)r, (int)c);
        if (u + res->v[c] != w)
            CHECK_FAIL("row %d col %d: matched edge not tight (%lld + %lld != %lld)", (int)r, (int)c, (long long)u,
                       (long long)res->v[c], (long long)w);
        load[c]++;
        matched++;
        obj += w;
    }
    for (int32_t c = 0; c < g->n_cols; c++) {
        if (load[c] > cap[c]) CHECK_FAIL("col %d: load %d > cap %d", (int)c, (int)load[c], (int)cap[c]);
        if (load[c] < cap[c] && res->v[c] != 0)
            CHECK_FAIL("col %d: free capacity but v = %lld", (int)c, (long long)res->v[c]);
        dual += (int64_t)cap[c] * res->v[c];
    }
    edge_check ec = { g, res, { { 0 } } };
    if (mt_par_parts(g->threads, (size_t)g->n_rows, CHECK_PART_MIN, check_edges, &ec)) {
        const edge_bad *b = &ec.bad[0];
        for (int p = 1; p < MT_PAR_MAX && !b->w; p++) b = &ec.bad[p]; /* the first failed part */
        CHECK_FAIL("edge (%d,%d): u + v = %lld < w = %lld", (int)b->r, (int)b->c, (long long)b->uv, (long long)b->w);
    }
    if (obj != res->objective)
        CHECK_FAIL("objective %lld, matched weights sum to %lld", (long long)res->objective, (long long)obj);
    if (matched != res->matched) CHECK_FAIL("matched %d, counted %d", (int)res->matched, (int)matched);
    if (dual != obj) CHECK_FAIL("dual objective %lld != primal %lld", (long long)dual, (long long)obj);
    free(load);
    return ASSIGN_OK;
}
