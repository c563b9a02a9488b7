/* estimate.c — coach prices estimated from small sub-markets (module-private).
 *
 * A cold run's first pass keeps each mentee's K best coaches and a bound on
 * the rest.  By score alone, on a market where a few coaches outscore the
 * others for everyone (hub coaches, seats as many as mentees), the bound
 * says little until pricing has learnt the prices, and pricing then scans
 * nearly every mentee over thousands of coaches round after round.  With
 * prices known roughly in advance, the first pass also keeps the K best by
 * score minus price, and that list's bound holds until a price falls below
 * its estimate by more than the mentee's margin (run.c, "Estimated
 * prices"): on those markets the run certifies in far fewer passes.
 *
 * Sub-market 0 runs first, alone: a market whose sub-market certifies in
 * about one pass prices itself from the scores, and the others are not
 * run (mt_estimate).
 *
 * The estimate: split the run into G sub-markets, each with every G-th
 * mentee (in id order) and coaches dealt in snake order by free capacity,
 * so that each holds nearly the same seats per mentee as the whole; run
 * each exactly (match_run, one thread each, the G runs spread over the
 * run's threads); a coach's estimate is its price in its sub-market minus
 * that sub-market's median price (a sub-market's price level is arbitrary
 * up to a common shift; only differences between coaches matter).  A split
 * at random does not work: the seats of a few hundred coaches of capacity
 * 1-50 swing far from the mentees' count, and a sub-market with spare
 * seats prices its free coaches at nothing (bench/matcher/README.md,
 * "Prices estimated before the first pass").
 *
 * Progress and cancelling: only the run's calling thread may report
 * (match_progress_fn), so the sub-markets it solves itself report through
 * the caller's tick, and a tick that cancels raises a flag that the
 * sub-markets of the other threads read in their own progress callbacks,
 * as they read the run's cancel flag.
 *
 * Nothing here touches exactness: a wrong estimate costs pricing rounds,
 * never the certificate. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "matcher/internal.h"

typedef struct est_job {
    const match_catalog *cat;
    const match_run_input *in;
    const size_t *m_in, *c_in;
    const int32_t *cap;
    size_t nm, nc;
    int groups, threads;
    const size_t *c_order; /* listed coaches, snake-dealt: group of i = est_group(i) */
    mt_est *out;
    uint64_t *pairs, *all; /* per group: pair scorings, mentees x coaches */
    int *rc;               /* per group */
    mt_est_tick tick;      /* the calling thread's */
    void *tick_ud;
    uint64_t total;   /* sub-markets to solve: 1 (the probe), then groups */
    atomic_uint done; /* sub-markets solved */
    atomic_int stop;  /* tick cancelled */
} est_job;

/* Group of the i-th coach in capacity order: 0..G-1, then G-1..0, ... */
static int est_group(size_t i, int g) {
    size_t r = i / (size_t)g, k = i % (size_t)g;
    return (int)(r % 2 == 0 ? k : (size_t)g - 1 - k);
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* A sub-market's progress on the calling thread: the estimate's, to tick. */
static int est_progress_caller(void *ud, const char *phase, uint64_t done, uint64_t total) {
    est_job *j = ud;
    (void)phase;
    (void)done;
    (void)total;
    if (j->tick(j->tick_ud, atomic_load(&j->done), j->total)) atomic_store(&j->stop, 1);
    return atomic_load(&j->stop);
}

/* ... on another thread: only whether to stop. */
static int est_progress_worker(void *ud, const char *phase, uint64_t done, uint64_t total) {
    est_job *j = ud;
    (void)phase;
    (void)done;
    (void)total;
    return atomic_load(&j->stop) || (j->in->cancel && atomic_load(j->in->cancel));
}

/* Sub-market g: build its input, run it, store its centred prices.  caller:
 * on the run's calling thread. */
static int est_one(est_job *j, int g, int caller) {
    const match_run_input *in = j->in;
    size_t nm = 0, nc = 0;
    for (size_t i = (size_t)g; i < j->nm; i += (size_t)j->groups) nm++;
    for (size_t i = 0; i < j->nc; i++) nc += est_group(i, j->groups) == g;
    match_mentee *ms = malloc(nm * sizeof(*ms) + 1);
    uint32_t *wl = in->waitlist ? malloc(nm * sizeof(*wl) + 1) : NULL;
    match_coach *cs = malloc(nc * sizeof(*cs) + 1);
    size_t *back = malloc(nc * sizeof(*back) + 1); /* sub-market coach -> listed index */
    int64_t *pi = malloc(nc * sizeof(*pi) + 1), *sorted = malloc(nc * sizeof(*sorted) + 1);
    int rc = ms && cs && back && pi && sorted && (wl || !in->waitlist) ? MATCH_OK : MATCH_ENOMEM;
    size_t a = 0, b = 0;
    for (size_t i = (size_t)g; rc == MATCH_OK && i < j->nm; i += (size_t)j->groups, a++) {
        ms[a] = in->mentees[j->m_in[i]];
        if (wl) wl[a] = in->waitlist[j->m_in[i]];
    }
    for (size_t i = 0; rc == MATCH_OK && i < j->nc; i++) {
        if (est_group(i, j->groups) != g) continue;
        size_t c = j->c_order[i];
        cs[b] = in->coaches[j->c_in[c]];
        cs[b].capacity = j->cap[c];
        cs[b].load = 0;
        back[b++] = c;
    }
    match_run_input sub = {
        .mentees = ms,
        .n_mentees = nm,
        .waitlist = wl,
        .coaches = cs,
        .n_coaches = nc,
        .policy = in->policy,
        .cancel = in->cancel,
        .progress = caller ? est_progress_caller : est_progress_worker,
        .progress_ud = j,
        .threads = 1,
        .candidates = in->candidates,
        .no_estimate = 1, /* a sub-market of 8,192 mentees would probe one of its own */
        .no_coach_bounds = in->no_coach_bounds,
        .borrow = 1, /* ms outlives r, which is only asked for its prices */
    };
    match_run_result *r = NULL;
    match_err err = { 0 };
    if (rc == MATCH_OK) rc = match_run(j->cat, &sub, &r, &err);
    if (rc == MATCH_OK) {
        j->pairs[g] = r->stats.pairs_scored;
        j->all[g] = (uint64_t)nm * nc;
        if (mt_run_prices(r, pi) == MATCH_OK && nc) {
            memcpy(sorted, pi, nc * sizeof(*pi));
            qsort(sorted, nc, sizeof(*sorted), cmp_i64);
            int64_t med = sorted[nc / 2];
            for (size_t i = 0; i < nc; i++) {
                int64_t x = pi[i] - med;
                x = x < -MT_EST_CLAMP ? -MT_EST_CLAMP : x;
                j->out->price[back[i]] = (int32_t)(x > MT_EST_CLAMP - 1 ? MT_EST_CLAMP - 1 : x);
            }
        }
    } else if (rc == MATCH_ERR) {
        rc = MATCH_OK; /* no estimate for this sub-market (its coaches keep MT_EST_CLAMP) */
    }
    match_run_free(r);
    free(ms);
    free(wl);
    free(cs);
    free(back);
    free(pi);
    free(sorted);
    return rc;
}

typedef struct est_worker {
    est_job *j;
    int tid, started;
    int caller; /* runs on the calling thread (set before it starts) */
    pthread_t th;
} est_worker;

static void *est_worker_main(void *arg) {
    est_worker *w = arg;
    /* group 0, the probe, has run; a worker that did not start runs on the
     * calling thread */
    for (int g = 1 + w->tid; g < w->j->groups && !atomic_load(&w->j->stop); g += w->j->threads) {
        w->j->rc[g] = est_one(w->j, g, w->caller);
        atomic_fetch_add(&w->j->done, 1);
    }
    return NULL;
}

typedef struct cap_ix {
    int32_t cap;
    size_t i;
} cap_ix;

/* By free capacity, descending; ties in listed order. */
static int cmp_cap(const void *a, const void *b) {
    const cap_ix *x = a, *y = b;
    if (x->cap != y->cap) return x->cap > y->cap ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

int mt_estimate(const match_catalog *cat, const match_run_input *in, const size_t *m_in, size_t nm, const size_t *c_in,
                const int32_t *cap, size_t nc, int threads, mt_est_tick tick, void *tick_ud, mt_est *out) {
    memset(out, 0, sizeof(*out));
    size_t g = nc / MT_EST_GROUP_COACHES;
    g = g > MT_EST_MAX_GROUPS ? MT_EST_MAX_GROUPS : g;
    if (g < MT_EST_MIN_GROUPS || nm < MT_EST_MIN_MENTEES) return MATCH_OK;
    out->price = malloc(nc * sizeof(*out->price) + 1);
    size_t *order = malloc(nc * sizeof(*order) + 1);
    cap_ix *ci = malloc(nc * sizeof(*ci) + 1);
    uint64_t *pairs = calloc(2 * g, sizeof(*pairs));
    int *rcs = calloc(g, sizeof(*rcs));
    est_worker *ws = calloc((size_t)threads, sizeof(*ws));
    int rc = out->price && order && ci && pairs && rcs && ws ? MATCH_OK : MATCH_ENOMEM;
    if (rc == MATCH_OK) {
        for (size_t i = 0; i < nc; i++) {
            out->price[i] = MT_EST_CLAMP;
            ci[i] = (cap_ix){ cap[i], i };
        }
        qsort(ci, nc, sizeof(*ci), cmp_cap);
        for (size_t i = 0; i < nc; i++) order[i] = ci[i].i;
        est_job j = { .cat = cat,
                      .in = in,
                      .m_in = m_in,
                      .c_in = c_in,
                      .cap = cap,
                      .nm = nm,
                      .nc = nc,
                      .groups = (int)g,
                      .threads = threads,
                      .c_order = order,
                      .out = out,
                      .pairs = pairs,
                      .all = pairs + g,
                      .rc = rcs,
                      .tick = tick,
                      .tick_ud = tick_ud,
                      .total = 1 };
        atomic_init(&j.done, 0);
        atomic_init(&j.stop, tick(tick_ud, 0, 1));
        /* The probe: sub-market 0 alone.  If it certified in under
         * MT_EST_HARD_PCT % of a pass over its pairs beyond the first, the
         * market prices itself from the scores alone (the broad market of
         * bench/matcher: 1.05 passes), and the estimate would cost more
         * than the rounds it saves. */
        rc = rcs[0] = atomic_load(&j.stop) ? MATCH_ECANCELLED : est_one(&j, 0, 1);
        atomic_store(&j.done, 1);
        out->groups = 1;
        out->pairs = pairs[0];
        /* pairs[g] == 0: the probe gave no result (est_one) */
        int hard = pairs[g] && pairs[0] * 100 >= pairs[g] * (100 + MT_EST_HARD_PCT);
        if (hard) j.total = g;
        /* Thread t runs groups 1 + t, 1 + t + threads, ...; a thread that
         * cannot start has its groups run here. */
        for (int t = 0; rc == MATCH_OK && hard && t < threads; t++) {
            ws[t] = (est_worker){ .j = &j, .tid = t };
            ws[t].started = t > 0 && pthread_create(&ws[t].th, NULL, est_worker_main, &ws[t]) == 0;
        }
        for (int t = 0; rc == MATCH_OK && hard && t < threads; t++)
            if (!ws[t].started) {
                ws[t].caller = 1;
                est_worker_main(&ws[t]);
            }
        for (int t = 0; rc == MATCH_OK && hard && t < threads; t++)
            if (ws[t].started) pthread_join(ws[t].th, NULL);
        for (size_t i = 1; rc == MATCH_OK && hard && i < g; i++) {
            if (rcs[i] != MATCH_OK && rc == MATCH_OK) rc = rcs[i];
            out->pairs += pairs[i];
        }
        if (hard) out->groups = (int)g;
        if (rc == MATCH_OK && tick(tick_ud, j.total, j.total)) atomic_store(&j.stop, 1);
        if (rc == MATCH_OK && atomic_load(&j.stop)) rc = MATCH_ECANCELLED;
    }
    free(order);
    free(ci);
    free(pairs);
    free(rcs);
    free(ws);
    if (rc != MATCH_OK || out->groups < 2) {
        free(out->price);
        out->price = NULL;
    }
    if (rc != MATCH_OK) memset(out, 0, sizeof(*out));
    return rc;
}
