/* bench_matcher — time and peak memory of libmatcher on an instance file.
 *
 *   bench_matcher --instance FILE [--data DIR] [--objective O] [--mode M]
 *                 [--threads N] [--k K] [--dump-weights FILE]
 *                 [--suggest Q] [--no-run] [--verbose] [--check-bounds]
 *                 [--no-estimate] [--no-classes] [--no-coach-bounds] [--copy]
 *                 [--portable]
 *                 [--warm-change PCT [--seed S] [--repeat N]]
 *
 * --verbose prints to stderr a `progress ...` line at each phase change and,
 * after the run, a `round ...` line per pricing round (scans, those that
 * found a violator or stopped early, pair scorings, edges added, scans that
 * waited for a later round); with --warm-change, after the first (cold) run
 * and the last warm re-run.  --check-bounds has every run check each pricing
 * round's bounds against every pair (match_run_input.check_bounds: a full
 * pass per round, for tests, not counted in pairs_scored); the `run` lines'
 * bound_errors counts the pairs a bound did not cover, and the program exits
 * 1 when one is not 0.  --no-estimate runs cold without the price estimate
 * (match_run_input.no_estimate; the `run` line's est_groups and est_pairs
 * say what it did otherwise); --no-classes never solves identical coaches as
 * one class (match_run_input.no_classes; the `run` line's coach_classes
 * says how many classes a run found and used, 0 none); --no-coach-bounds
 * keeps the coach-side lists short and certifies no coach by its bound
 * where seats are scarce (match_run_input.no_coach_bounds; the `round`
 * lines' cert says how many coaches a round certified so).  Runs lend the
 * engine the instance's mentees (match_run_input.borrow), as coachnetd
 * does; --copy has them copied.  --portable runs only the kernel's portable
 * paths, as on a CPU without AVX-512 (match_run_input.portable).
 *
 * Prints one `run ...` line of key=value pairs (README.md) with the engine's
 * elapsed time (match_run only: catalogue and file loading excluded) and the
 * process's peak RSS (getrusage ru_maxrss, which includes the loaded
 * instance).  --suggest Q builds a coach index of the instance's coaches and
 * times Q suggest calls (limit 10) for mentees of the instance, printing a
 * `suggest ...` line.  --dump-weights writes the CNW1 weight matrix of the
 * run for the reference solvers.  --warm-change PCT measures a re-run: the
 * first run keeps its warm state, then PCT % of the mentees and PCT % of the
 * coaches (drawn with --seed) change one competency level and their
 * availability, and the changed instance is run warm and then cold, N times
 * (--repeat, default 1, alternating); the `warm` line gives both times
 * (medians over the N pairs, and the first pair's), their ratio, the minor
 * page faults each run took (medians, and the first warm run's; see
 * minor_faults) and whether every pair's two certified optima are equal
 * (the program exits 1 when they are not). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench/matcher/bench_matcher_instance.h"
#include "matcher/matcher.h"

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double cpu_ms(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

/* Minor page faults so far: a run that touches memory the heap just
 * returned to the kernel pays one for every 4 KiB page of it, about 12 us
 * each on the VM of README.md's "fifth round" of warm re-runs. */
static double minor_faults(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_minflt;
}

static long peak_rss_kb(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static int dump_weights(const char *path, const instance *in, const match_run_result *r) {
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        return -1;
    }
    uint32_t hdr[3] = { (uint32_t)in->n_mentees, (uint32_t)in->n_coaches, in->policy.objective == MATCH_OBJ_QUALITY };
    int64_t h64[3] = { r->stats.mult, r->stats.big, r->stats.objective };
    int32_t *gain = malloc((in->n_coaches + 1) * sizeof(*gain));
    int32_t *cap = malloc((in->n_coaches + 1) * sizeof(*cap));
    int rc = gain && cap ? 0 : -1;
    /* little-endian host assumed (x86-64, arm64) */
    if (!rc) {
        fwrite("CNW1", 1, 4, f);
        fwrite(hdr, sizeof(hdr[0]), 3, f);
        fwrite(h64, sizeof(h64[0]), 3, f);
    }
    for (size_t m = 0; !rc && m < in->n_mentees; m++) {
        if (match_run_problem(r, m, gain, m == 0 ? cap : NULL) != MATCH_OK) rc = -1;
        if (!rc && m == 0) fwrite(cap, sizeof(*cap), in->n_coaches, f);
        if (!rc) fwrite(gain, sizeof(*gain), in->n_coaches, f);
    }
    if (!rc && in->n_mentees == 0) {
        /* caps still needed: no mentee row to ask, so write the profiles' */
        for (size_t c = 0; c < in->n_coaches; c++) {
            int32_t v = in->coaches[c].capacity - in->coaches[c].load;
            v = v < 0 ? 0 : v;
            fwrite(&v, sizeof(v), 1, f);
        }
    }
    if (ferror(f)) rc = -1;
    if (fclose(f) != 0) rc = -1;
    free(gain);
    free(cap);
    if (rc) fprintf(stderr, "bench_matcher: writing %s failed\n", path);
    return rc;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int bench_suggest(const match_catalog *cat, const instance *in, long q, const match_policy *pol) {
    match_index *idx = match_index_new(cat);
    match_err err;
    if (!idx) return -1;
    double t0 = now_ms();
    for (size_t c = 0; c < in->n_coaches; c++)
        if (match_index_upsert(idx, &in->coaches[c], &err) != MATCH_OK) {
            fprintf(stderr, "bench_matcher: upsert %s: %s\n", in->coaches[c].id, err.msg);
            match_index_free(idx);
            return -1;
        }
    double build = now_ms() - t0;
    double *lat = malloc((size_t)q * sizeof(*lat));
    if (!lat || in->n_mentees == 0) {
        free(lat);
        match_index_free(idx);
        return -1;
    }
    long found = 0;
    for (long i = 0; i < q; i++) {
        const match_mentee *m = &in->mentees[(size_t)(i * 7919) % in->n_mentees];
        match_query qy = { .mentee = m, .policy = pol };
        match_suggestion s[10];
        size_t n;
        double t = now_ms();
        if (match_suggest(idx, &qy, 10, s, &n, &err) != MATCH_OK) {
            fprintf(stderr, "bench_matcher: suggest: %s\n", err.msg);
            break;
        }
        lat[i] = (now_ms() - t) * 1000.0;
        found += (long)n;
    }
    qsort(lat, (size_t)q, sizeof(*lat), cmp_double);
    double sum = 0;
    for (long i = 0; i < q; i++) sum += lat[i];
    printf("suggest coaches=%zu queries=%ld index_build_ms=%.1f mean_us=%.1f "
           "min_us=%.1f p50_us=%.1f p99_us=%.1f max_us=%.1f mean_found=%.2f\n",
           in->n_coaches, q, build, sum / q, lat[0], lat[q / 2], lat[q * 99 / 100], lat[q - 1], (double)found / q);
    free(lat);
    match_index_free(idx);
    return 0;
}

/* Pair scorings in units of the whole mentees x coaches matrix: 1.00 is one
 * full pass, what a certificate needs in principle (issue 16 asks for at
 * most 2 on any instance).  Pinned mentees count in the matrix though they
 * are never scored. */
static double passes(const match_stats *s) {
    double all = (double)s->mentees * s->coaches;
    return all > 0 ? (double)s->pairs_scored / all : 0;
}

/* --verbose: one line per phase change, with the time since the run began. */
static int on_progress(void *ud, const char *phase, uint64_t done, uint64_t total) {
    static const char *last;
    static double t0;
    int *verbose = ud;
    if (!t0) t0 = now_ms();
    if (*verbose && (!last || strcmp(last, phase) != 0 || done == total || !strcmp(phase, "prepare")))
        fprintf(stderr, "progress t=%.0fms cpu=%.0fms %s %llu/%llu\n", now_ms() - t0, cpu_ms(), phase,
                (unsigned long long)done, (unsigned long long)total);
    last = phase;
    return 0;
}

/* --verbose: one line per pricing round (match_stats.rounds): its scans,
 * those that found a violator or stopped early, its pair scorings (and in
 * passes over all pairs), the edges it added. */
static void print_rounds(const match_stats *s) {
    double all = (double)s->mentees * s->coaches;
    int n = s->pricing_rounds < MATCH_ROUNDS_KEPT ? s->pricing_rounds : MATCH_ROUNDS_KEPT;
    for (int k = 0; k < n; k++) {
        const match_round_stats *rs = &s->rounds[k];
        fprintf(stderr, "round k=%d scans=%u found=%u stopped=%u pairs=%llu passes=%.3f added=%u waited=%u cert=%u\n",
                k, rs->scans, rs->found, rs->stopped, (unsigned long long)rs->pairs,
                all > 0 ? (double)rs->pairs / all : 0.0, rs->added, rs->waited, rs->cert);
    }
}

/* --check-bounds: bound errors over every run of the process (main exits 1
 * when there are any). */
static unsigned long bound_errors_total;

static void note_bounds(const match_stats *s) { bound_errors_total += s->bound_errors; }

static void print_run(const char *label, const instance *in, const match_stats *s, double cpu, double load_ms,
                      long rss_loaded) {
    printf("%s mentees=%u coaches=%u objective_kind=%s mode=%s matched=%u "
           "pinned=%u unmatched_capacity=%u unmatched_no_feasible=%u "
           "unmatched_below_min=%u total_score=%lld mean_score=%.1f "
           "mean_gap_coverage=%.4f objective=%lld mult=%lld big=%lld "
           "certified=%d elapsed_ms=%.1f cpu_ms=%.0f pricing_rounds=%d rescanned=%u "
           "candidate_edges=%llu pairs_scored=%llu passes=%.2f warm=%d warm_mentees=%u warm_coaches=%u load_ms=%.0f "
           "rss_loaded_kb=%ld peak_rss_kb=%ld bound_errors=%u est_groups=%u est_pairs=%llu coach_classes=%u\n",
           label, s->mentees, s->coaches, match_objective_name(in->policy.objective), match_mode_name(in->policy.mode),
           s->matched, s->pinned, s->unmatched[MATCH_UNMATCHED_CAPACITY],
           s->unmatched[MATCH_UNMATCHED_NO_FEASIBLE_COACH], s->unmatched[MATCH_UNMATCHED_BELOW_MIN_SCORE],
           (long long)s->total_score, s->mean_score, s->mean_gap_coverage, (long long)s->objective, (long long)s->mult,
           (long long)s->big, s->certified, s->elapsed_ms, cpu, s->pricing_rounds, s->rescanned,
           (unsigned long long)s->candidate_edges, (unsigned long long)s->pairs_scored, passes(s), s->warm,
           s->warm_mentees, s->warm_coaches, load_ms, rss_loaded, peak_rss_kb(), s->bound_errors, s->est_groups,
           (unsigned long long)s->est_pairs, s->coach_classes);
    fflush(stdout);
}

/* splitmix64, for --warm-change */
static uint64_t mix_state;
static uint64_t mix_next(void) {
    uint64_t z = (mix_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Change pct % of the mentees and of the coaches: a new availability mask
 * and one competency level moved by one (within 1..5; a mentee's current
 * level within 0..required).  The new arrays are kept in *keep (freed by
 * the caller); the profiles stay valid. */
static int perturb(instance *in, double pct, void ***keep, size_t *n_keep) {
    size_t nm = (size_t)((double)in->n_mentees * pct / 100.0), nc = (size_t)((double)in->n_coaches * pct / 100.0);
    *keep = calloc(nm + nc + 1, sizeof(void *));
    if (!*keep) return -1;
    for (size_t i = 0; i < nm; i++) {
        match_mentee *m = &in->mentees[mix_next() % in->n_mentees];
        m->availability = (uint32_t)(mix_next() & 0x1FFFFF) | 1u;
        if (!m->n_competencies) continue;
        match_need *n = malloc(m->n_competencies * sizeof(*n));
        if (!n) return -1;
        memcpy(n, m->competencies, m->n_competencies * sizeof(*n));
        match_need *x = &n[mix_next() % m->n_competencies];
        x->current = x->current > 0 ? x->current - 1 : (x->current < x->required - 1 ? x->current + 1 : x->current);
        m->competencies = n;
        (*keep)[(*n_keep)++] = n;
    }
    for (size_t i = 0; i < nc; i++) {
        match_coach *c = &in->coaches[mix_next() % in->n_coaches];
        c->availability = (uint32_t)(mix_next() & 0x1FFFFF) | 1u;
        if (!c->n_competencies) continue;
        match_skill *k = malloc(c->n_competencies * sizeof(*k));
        if (!k) return -1;
        memcpy(k, c->competencies, c->n_competencies * sizeof(*k));
        match_skill *x = &k[mix_next() % c->n_competencies];
        x->level = x->level < 5 ? x->level + 1 : x->level - 1;
        c->competencies = k;
        (*keep)[(*n_keep)++] = k;
    }
    return 0;
}

/* Median of n values (sorts v). */
static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#define WARM_MAX_REPEAT 32

/* A re-run and the cold run of the same input, --repeat times, one after
 * the other (warm, cold, warm, cold, ...): the first pair runs in a heap
 * just left by the first (cold) run, the later ones in the heap the pairs
 * before them left, as in a server that runs again and again.  Every pair
 * must reach the same certified optimum. */
static int warm_pairs(const match_catalog *cat, const instance *in, match_run_input *ri, match_warm *w, int repeat,
                      double load_ms, long rss_loaded, double pct, int verbose) {
    double wm[WARM_MAX_REPEAT], cm[WARM_MAX_REPEAT], wc[WARM_MAX_REPEAT], cc[WARM_MAX_REPEAT];
    double wf[WARM_MAX_REPEAT], cf[WARM_MAX_REPEAT];
    match_stats last_w = { 0 }, last_c = { 0 };
    int same = 1;
    for (int i = 0; i < repeat; i++) {
        match_err err = { 0 };
        match_run_result *rw = NULL, *rc = NULL;
        ri->warm = w;
        double c0 = cpu_ms(), f0 = minor_faults();
        int bad = match_run(cat, ri, &rw, &err) != MATCH_OK;
        wc[i] = cpu_ms() - c0;
        wf[i] = minor_faults() - f0;
        ri->warm = NULL;
        c0 = cpu_ms();
        f0 = minor_faults();
        bad = bad || match_run(cat, ri, &rc, &err) != MATCH_OK;
        cc[i] = cpu_ms() - c0;
        cf[i] = minor_faults() - f0;
        if (bad) {
            fprintf(stderr, "bench_matcher: warm re-run: %s\n", err.msg[0] ? err.msg : "out of memory");
            match_run_free(rw);
            match_run_free(rc);
            return 1;
        }
        const match_stats *a = &rw->stats, *b = &rc->stats;
        note_bounds(a);
        note_bounds(b);
        /* The optimum is the objective (and the gain it encodes); among
         * optimal matchings the plain score total may differ (a waitlisted
         * mentee's bonus can stand in for score). */
        same = same && a->objective == b->objective && a->matched == b->matched &&
               a->objective_score == b->objective_score && a->certified && b->certified;
        wm[i] = a->elapsed_ms;
        cm[i] = b->elapsed_ms;
        last_w = *a;
        last_c = *b;
        match_run_free(rw);
        match_run_free(rc);
    }
    print_run("rerun_warm", in, &last_w, wc[repeat - 1], load_ms, rss_loaded);
    if (verbose) print_rounds(&last_w);
    print_run("rerun_cold", in, &last_c, cc[repeat - 1], load_ms, rss_loaded);
    double w_first = wm[0], c_first = cm[0], wf_first = wf[0];
    /* median() sorts: then [0] and [repeat - 1] are the extremes */
    double w_ms = median(wm, repeat), c_ms = median(cm, repeat);
    double w_lo = wm[0], w_hi = wm[repeat - 1], c_lo = cm[0], c_hi = cm[repeat - 1];
    printf("warm change_pct=%.2f repeat=%d warm_ms=%.1f cold_ms=%.1f cold_over_warm=%.2f warm_cpu_ms=%.0f "
           "cold_cpu_ms=%.0f warm_ms_first=%.1f cold_ms_first=%.1f warm_ms_range=%.1f-%.1f "
           "cold_ms_range=%.1f-%.1f warm_faults=%.0f warm_faults_first=%.0f cold_faults=%.0f warm_pairs=%llu "
           "cold_pairs=%llu same_optimum=%d state_mb=%.1f\n",
           pct, repeat, w_ms, c_ms, c_ms / w_ms, median(wc, repeat), median(cc, repeat), w_first, c_first, w_lo, w_hi,
           c_lo, c_hi, median(wf, repeat), wf_first, median(cf, repeat), (unsigned long long)last_w.pairs_scored,
           (unsigned long long)last_c.pairs_scored, same, (double)match_warm_bytes(w) / 1048576.0);
    return same ? 0 : 1;
}

/* --warm-change: cold run keeping its state, perturb, then warm_pairs. */
static int bench_warm(const match_catalog *cat, instance *in, match_run_input *ri, double pct, int repeat,
                      double load_ms, long rss_loaded, int verbose) {
    match_err err = { 0 };
    match_run_result *r0 = NULL;
    ri->keep_warm = 1;
    double c0 = cpu_ms();
    if (match_run(cat, ri, &r0, &err) != MATCH_OK) {
        fprintf(stderr, "bench_matcher: run: %s\n", err.msg);
        return 1;
    }
    print_run("run", in, &r0->stats, cpu_ms() - c0, load_ms, rss_loaded);
    note_bounds(&r0->stats);
    if (verbose) print_rounds(&r0->stats);
    match_warm *w = match_run_take_warm(r0);
    match_run_free(r0);
    ri->keep_warm = 0;
    if (!w) {
        fprintf(stderr, "bench_matcher: no warm state\n");
        return 1;
    }
    void **keep = NULL;
    size_t n_keep = 0;
    int rc = perturb(in, pct, &keep, &n_keep);
    if (!rc) rc = warm_pairs(cat, in, ri, w, repeat, load_ms, rss_loaded, pct, verbose);
    match_warm_free(w);
    for (size_t i = 0; i < n_keep; i++) free(keep[i]);
    free(keep);
    return rc;
}

int main(int argc, char **argv) {
    static const struct option opts[] = { { "instance", required_argument, NULL, 'i' },
                                          { "data", required_argument, NULL, 'd' },
                                          { "objective", required_argument, NULL, 'O' },
                                          { "mode", required_argument, NULL, 'M' },
                                          { "threads", required_argument, NULL, 't' },
                                          { "k", required_argument, NULL, 'k' },
                                          { "dump-weights", required_argument, NULL, 'w' },
                                          { "suggest", required_argument, NULL, 's' },
                                          { "no-run", no_argument, NULL, 'n' },
                                          { "verbose", no_argument, NULL, 'v' },
                                          { "warm-change", required_argument, NULL, 'W' },
                                          { "seed", required_argument, NULL, 'S' },
                                          { "repeat", required_argument, NULL, 'R' },
                                          { "check-bounds", no_argument, NULL, 'b' },
                                          { "no-estimate", no_argument, NULL, 'E' },
                                          { "copy", no_argument, NULL, 'C' },
                                          { "no-classes", no_argument, NULL, 'K' },
                                          { "no-coach-bounds", no_argument, NULL, 'B' },
                                          { "portable", no_argument, NULL, 'P' },
                                          { NULL, 0, NULL, 0 } };
    const char *path = NULL, *data = "data", *dump = NULL, *obj = NULL, *mode = NULL;
    int threads = 0, k = 0, no_run = 0, verbose = 0, check_bounds = 0, no_estimate = 0, copy = 0, no_classes = 0,
        no_cb = 0, portable = 0;
    long suggest = 0;
    double warm_pct = 0;
    int ch, repeat = 1;
    mix_state = 1;
    while ((ch = getopt_long(argc, argv, "i:d:O:M:t:k:w:s:nvW:S:R:bECKBP", opts, NULL)) != -1) {
        switch (ch) {
        case 'i': path = optarg; break;
        case 'd': data = optarg; break;
        case 'O': obj = optarg; break;
        case 'M': mode = optarg; break;
        case 't': threads = atoi(optarg); break;
        case 'k': k = atoi(optarg); break;
        case 'w': dump = optarg; break;
        case 's': suggest = atol(optarg); break;
        case 'n': no_run = 1; break;
        case 'v': verbose = 1; break;
        case 'W': warm_pct = atof(optarg); break;
        case 'S': mix_state = strtoull(optarg, NULL, 10); break;
        case 'R': repeat = atoi(optarg); break;
        case 'b': check_bounds = 1; break;
        case 'E': no_estimate = 1; break;
        case 'C': copy = 1; break;
        case 'K': no_classes = 1; break;
        case 'B': no_cb = 1; break;
        case 'P': portable = 1; break;
        default: fprintf(stderr, "usage: bench_matcher --instance FILE [options]\n"); return 2;
        }
    }
    if (!path || repeat < 1 || repeat > WARM_MAX_REPEAT) {
        fprintf(stderr, "usage: bench_matcher --instance FILE [options] (--repeat: 1..%d)\n", WARM_MAX_REPEAT);
        return 2;
    }
    match_catalog *cat;
    match_err err = { 0 };
    if (match_catalog_load(data, &cat, &err) != MATCH_OK) {
        fprintf(stderr, "bench_matcher: %s\n", err.msg);
        return 1;
    }
    instance in;
    char msg[512];
    double t0 = now_ms();
    if (instance_read(path, &in, msg, sizeof(msg)) != 0) {
        fprintf(stderr, "bench_matcher: %s\n", msg);
        match_catalog_free(cat);
        return 1;
    }
    double load_ms = now_ms() - t0;
    if ((obj && match_objective_parse(obj, &in.policy.objective) != MATCH_OK) ||
        (mode && match_mode_parse(mode, &in.policy.mode) != MATCH_OK)) {
        fprintf(stderr, "bench_matcher: bad --objective or --mode\n");
        return 2;
    }
    long rss_loaded = peak_rss_kb();
    int rc = 0;
    if (!no_run) {
        match_run_input ri = {
            .mentees = in.mentees,
            .n_mentees = in.n_mentees,
            .waitlist = in.waitlist,
            .coaches = in.coaches,
            .n_coaches = in.n_coaches,
            .pinned = in.pinned,
            .n_pinned = in.n_pinned,
            .forbidden = in.forbidden,
            .n_forbidden = in.n_forbidden,
            .policy = &in.policy,
            .threads = threads,
            .candidates = k,
            .progress = on_progress,
            .progress_ud = &verbose,
            .check_bounds = check_bounds,
            .no_estimate = no_estimate,
            .no_classes = no_classes,
            .no_coach_bounds = no_cb,
            .portable = portable,
            .borrow = !copy,
        };
        match_run_result *r = NULL;
        double cpu0 = cpu_ms();
        int mrc = warm_pct > 0 ? MATCH_OK : match_run(cat, &ri, &r, &err);
        double cpu = cpu_ms() - cpu0;
        if (warm_pct > 0) {
            rc = bench_warm(cat, &in, &ri, warm_pct, repeat, load_ms, rss_loaded, verbose);
        } else if (mrc != MATCH_OK) {
            fprintf(stderr, "bench_matcher: run: %s\n", err.msg);
            rc = 1;
        } else {
            print_run("run", &in, &r->stats, cpu, load_ms, rss_loaded);
            note_bounds(&r->stats);
            if (verbose) print_rounds(&r->stats);
            if (dump && dump_weights(dump, &in, r) != 0) rc = 1;
            match_run_free(r);
        }
    }
    if (bound_errors_total) {
        fprintf(stderr, "bench_matcher: %lu pairs not covered by a pricing bound\n", bound_errors_total);
        rc = 1;
    }
    if (!rc && suggest > 0 && bench_suggest(cat, &in, suggest, &in.policy) != 0) rc = 1;
    instance_free(&in);
    match_catalog_free(cat);
    return rc;
}
