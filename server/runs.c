/* runs.c — match.run.
 *
 * A run goes through these steps, each driven by a callback on the event
 * loop except the solve:
 *   1. lock     SCRIPT_RUN_LOCK: SET lock:run:<program> NX PX (one run per
 *               program across every coachnetd) and a new run id; the
 *               coordinator gets {run_id} right away.  Then SCRIPT_RUN_OWN:
 *               the run is this call's unless a repeat of its request_id
 *               took it up first.  A repeat (r->replayed: the lock script
 *               answered from its kept answer) asks the same, and takes
 *               the run up when no call has: the first call may have
 *               answered `unavailable` while Redis applied its lock, and
 *               then nobody would run it (run_own.lua).
 *   2. snapshot page through the program's mentees without a live match
 *               (with their waitlist counts), its coaches (with their
 *               load), its pins and forbidden pairs; profiles are decoded
 *               and copied compactly into the run's arena.
 *   3. solve    libmatcher's match_run on a worker thread.  Progress goes
 *               to the loop through a mutex-protected slot and
 *               event_active() (thread-safe: evthread_use_pthreads), and
 *               is sent as run.progress, at most every RUN_PROGRESS_MS per
 *               phase.  The worker also packs every proposal's
 *               explanation, so the loop only forwards bytes.
 *               An optimal-mode run starts from the program's warm state
 *               in this instance's cache (warmcache.h: a reference taken
 *               before the worker starts, given back once it is joined)
 *               and, when it succeeds, leaves its own there.
 *   4. store    SCRIPT_RUN_STORE in chunks, one at a time, each sized
 *               to run-chunk-us ("Pacing" below): proposals and
 *               unmatched mentees (with their reasons, for
 *               run.unmatched) are staged under the run (the run is
 *               `staged` from step 1, so no reader shows its matches and
 *               no one can review them; see match.lua's visible()).  A
 *               chunk that fails stops the sending and ends the run
 *               failed.
 *   5. publish  SCRIPT_RUN_PUBLISH, the switch, in one script: the staged
 *               proposals become the program's `proposed` matches
 *               (superseding its unreviewed proposals of earlier runs, in
 *               O(1): they read as cancelled from then on, run.lua)
 *               and the run records its stats.  A draft run stops before
 *               this: SCRIPT_RUN_FINISH records it `done`, still staged
 *               (its proposals shown by match.list {run_id} only, no
 *               waitlist moved); run.publish does this step and the next
 *               later (methods_run.c), if its inputs are unchanged.
 *   6. settle   SCRIPT_RUN_WAITLIST in paced chunks, still under the
 *               lock: the proposals the switch superseded rewritten as
 *               cancelled, at most run-settle-chunk a script, then +1 on
 *               the waitlist of every unmatched mentee; the last chunk
 *               marks the run done and releases the lock.  Then run.done
 *               to the coordinator's connection (if it is still there:
 *               the run continues without it).
 * A failure at any step ends the run as "failed" through SCRIPT_RUN_FINISH
 * (the lock then expires by itself if it could not be released; a draft
 * whose `done` could not be recorded is reported failed, as the sweep
 * will record it); SIGTERM cancels every run, one whose lock is granted
 * after it included.  Nothing a failed run staged was ever visible.
 *
 * Failover (DESIGN §13).  Steps 4-6 and the end are durable writes
 * (script_cmd_durable: with redis-min-replicas, WAIT follows each), so a
 * chunk counts as stored only once a replica has it, and the switch is
 * sent only after every chunk is on a replica: a new primary never holds
 * a published run whose proposals stayed on the old one.  A switch whose
 * WAIT failed may still have been applied (and replicated): the run is
 * then ended `failed`, which run_finish.lua refuses for a published run
 * (it only releases the lock, and the sweep settles it as done).
 *
 * Orphans.  Every coachnetd runs SCRIPT_RUN_SWEEP every third of
 * run-lock-ttl-ms: of the runs whose lock is gone (their process died), a
 * staged one still `running` is marked failed, a published one is settled
 * (its superseded proposals, run-settle-chunk per call, then its waitlist);
 * the staged keys of failed and cancelled runs are deleted,
 * RUN_SWEEP_CHUNK proposals (or mentees) per call.
 */
#include "server/runs.h"

#include <event2/event.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server/db.h"
#include "server/log.h"
#include "server/methods.h"
#include "server/pack.h"
#include "server/warmcache.h"

/* The run lock lives run-lock-ttl-ms and its owner renews it every third
 * of that (run_renew_ms): if the process dies the program is free again
 * within the TTL, and the next sweep (as often, on every coachnetd) or
 * match.run of the program marks the orphaned run failed. */
#define RUN_SWEEP_CHUNK 1000
#define RUN_TOKEN_BYTES 12 /* random bytes of a call's claim on its run (run_own.lua) */
#define RUN_PROGRESS_MS 100

/* Pacing.  Redis runs one script at a time, and coachnetd's commands
 * share one connection: every mentee.get (any client's command) sent while
 * a run's chunk runs waits for it, and for every chunk sent before it.  So
 * the snapshot pages, the store chunks and the settle chunks go one at a
 * time, and each is sized to hold Redis about run-chunk-us (0.5 ms by
 * default): a pacer (run_pace) scales the chunk after every answer by
 * run-chunk-us / the time the previous one took (by half to twice at a
 * step, so one slow chunk does not collapse it), between one item and the
 * RUN_PACE_MAX_* below.  A fixed size cannot do this: a proposal costs
 * Redis 0.1 ms at 100,000 mentees and 0.2-0.3 ms at 1,000,000 (the match
 * hash and a dozen index entries, match.lua's newmatches), a superseded
 * one 55 us, an unmatched mentee 10 us, a profile of the snapshot 10-20 us
 * in Redis and as long again to decode on the loop; with 25 proposals a
 * chunk, two in flight, mentee.get had p99 34-47 ms during the store at
 * 1,000,000 (bench/e2e/README.md).  The cost: Redis idles for a round trip
 * between chunks, which is what lets a mentee.get in.  At 100,000 x
 * 20,000 the store's p99 went from 22-53 ms to 3-11 ms at 0.5 ms (7-14 ms
 * at 1 ms), its wall time about the same (bench/e2e/README.md).
 * Measured time: the store and settle scripts report their own run time
 * (Redis' TIME at their start and end), which neither the AOF's fsync nor
 * a replica's WAIT (script_cmd_durable) inflates; a snapshot page is timed
 * from its request to its answer's callback, which spans both the page's
 * Redis time and the loop decoding the page before it (the next page is
 * asked for first), the two things a mentee.get waits for in that phase. */
#define RUN_PACE_MAX_PAGE      1000         /* profiles per snapshot page */
#define RUN_PACE_MAX_PROPOSALS 200          /* proposals per store chunk */
#define RUN_PACE_MAX_MENTEES   2000         /* unmatched mentees per store or settle chunk */
#define RUN_PACE_MIN           (1.0 / 4096) /* the smallest share, and the first */

/* With appendfsync always, every Redis loop turn that wrote ends with an
 * fsync that each reply of that turn waits for: on a disk whose fsync is
 * slow, that, not the chunk, sets the wait (bench/e2e/README.md). */

#define ARENA_BLOCK (256 * 1024)

/* --------------------------------------------------------------- arena */

typedef struct arena_blk {
    struct arena_blk *next;
    size_t used;
    char data[];
} arena_blk;
typedef struct arena {
    arena_blk *head;
} arena;

static void *arena_alloc(arena *a, size_t n) {
    n = (n + 15) & ~(size_t)15;
    if (!a->head || a->head->used + n > ARENA_BLOCK) {
        size_t sz = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        arena_blk *b = malloc(sizeof *b + sz);
        if (!b) return NULL;
        b->next = a->head;
        b->used = 0;
        a->head = b;
    }
    void *p = a->head->data + a->head->used;
    a->head->used += n;
    return p;
}

static const char *arena_str(arena *a, const char *s) {
    size_t n = strlen(s) + 1;
    char *p = arena_alloc(a, n);
    if (p) memcpy(p, s, n);
    return p;
}

static void arena_free(arena *a) {
    while (a->head) {
        arena_blk *n = a->head->next;
        free(a->head);
        a->head = n;
    }
}

/* ---------------------------------------------------------------- run */

typedef struct vec {
    void *p;
    size_t n, cap, elem;
} vec;

static void *vec_push(vec *v) {
    if (v->n == v->cap) {
        size_t nc = v->cap ? v->cap * 2 : 256;
        void *np = realloc(v->p, nc * v->elem);
        if (!np) return NULL;
        v->p = np;
        v->cap = nc;
    }
    return (char *)v->p + v->elem * v->n++;
}

/* A chunk size that follows the Redis time of the chunks before it (see
 * "Pacing" above): share is the part of a chunk's maximum to send next. */
typedef struct run_pace {
    double share;
    struct timespec sent; /* when the chunk in flight was sent (snapshot pages) */
} run_pace;

/* A phase starts from one item (or the smallest share) and doubles from
 * there while its chunks stay short: whatever the cost of an item, no
 * chunk holds Redis much longer than twice run-chunk-us. */
static void pace_start(run_pace *p) { p->share = RUN_PACE_MIN; }

/* Items for the next chunk, of at most max: at least one. */
static size_t pace_n(const run_pace *p, size_t max) {
    size_t n = (size_t)(p->share * (double)max);
    return n < 1 ? 1 : n > max ? max : n;
}

/* A chunk took us microseconds (0 or less: too short to measure): scale
 * the next one towards run-chunk-us. */
static void pace_took(run_pace *p, long long us, int target_us) {
    double f = us > 0 ? (double)target_us / (double)us : 2.0;
    if (f < 0.5) f = 0.5;
    if (f > 2.0) f = 2.0;
    p->share *= f;
    if (p->share < RUN_PACE_MIN) p->share = RUN_PACE_MIN;
    if (p->share > 1.0) p->share = 1.0;
}

typedef struct run {
    runs *rs;
    server *s;
    char id[PROTO_OBJID_MAX + 1];
    char program[PROTO_CODE_MAX + 1];
    char by[AUTH_LOGIN_MAX + 1];
    char token[2 * RUN_TOKEN_BYTES + 1]; /* run_own.lua's: this call's claim on the run */
    uint64_t conn_id;
    char tokhash[AUTH_SHA_HEX]; /* its session's: notified only while that session holds conn_id */
    proto_policy ppol;
    madapt_policy pol; /* points into ppol */
    struct timespec t0;

    /* snapshot */
    int stage; /* 0 mentees, 1 coaches, 2 pairs */
    char cursor[PROTO_ID_MAX + 2];
    arena ar;
    vec mentees;       /* match_mentee */
    vec waitlist;      /* uint32_t */
    vec coaches;       /* match_coach */
    vec pins, forbids; /* match_pair_ref */
    bool snapshot_oom; /* a page could not be kept: the next reply fails the run */
    proto_mentee tmp_m;
    proto_coach tmp_c;

    /* solve */
    pthread_t th;
    int th_started, th_joined;
    atomic_int cancel;
    pthread_mutex_t mu;
    char phase[16];
    uint64_t done, total;
    int progress_dirty;
    struct timespec last_sent;
    char last_phase[16];
    struct event *ev_progress, *ev_done;
    struct event *ev_renew;
    int renew_pending; /* a renew command is in flight */
    int zombie;        /* finished; destroy on the renew reply */
    int job;           /* counted in srv_job() */
    int rc;
    run_pace pace; /* the snapshot's pages, then the store's and the settle's chunks */
    match_err err;
    match_run_result *res;
    const match_warm *warm;   /* taken from s->warm for the worker (released on the loop) */
    int keep_warm;            /* optimal mode with warm starts on: keep the run's state */
    msgpack_sbuffer explains; /* every proposal's explain, back to back */
    size_t *explain_off;      /* n_pairs + 1 offsets */

    /* store: what is sent (store_pairs, store_unmatched), whether a chunk
     * is in flight (one at a time: "Pacing"), how many chunks answered;
     * store_failed stops the sending */
    size_t store_pairs, store_unmatched;
    bool store_inflight;
    size_t store_acked;
    bool store_failed;
    const char *status;  /* final status */
    bool draft;          /* stop after the store (run.publish switches it on) */
    int64_t recorded_ms; /* elapsed_ms of the stats in the record; -1 before */
    struct run *next;
} run;

struct runs {
    server *s;
    run *list;
    struct event *ev_sweep;
    int sweep_pending; /* a sweep command is in flight */
    pthread_t reaper;  /* frees the last ended run's result (run_reap) */
    bool reaper_started;
};

/* A third of the lock's lifetime: how often the owner renews it and every
 * instance sweeps. */
static long run_renew_ms(const server *s) { return s->cfg->run_lock_ttl_ms / 3; }

static struct timeval ms_tv(long ms) { return (struct timeval){ ms / 1000, (ms % 1000) * 1000 }; }

static int run_snapshot_next(run *rn);
static void run_store_next(run *rn);
static void run_finish(run *rn, const char *status);

static long elapsed_ms(const struct timespec *t0) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static long long elapsed_us(const struct timespec *t0) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)(t.tv_sec - t0->tv_sec) * 1000000 + (t.tv_nsec - t0->tv_nsec) / 1000;
}

/* What a run's end leaves to free: the engine's result (its state for the
 * explanations, the proposals) and the packed explanations.  Freeing them
 * takes 25 ms at 100,000 mentees and about ten times that at 1,000,000
 * (millions of blocks; bench/e2e/README.md), during which the loop would
 * answer no one: run_reap() hands them to a thread of their own. */
typedef struct run_garbage {
    match_run_result *res;
    msgpack_sbuffer explains;
    size_t *explain_off;
} run_garbage;

static void garbage_clear(run_garbage *g) {
    match_run_free(g->res);
    msgpack_sbuffer_destroy(&g->explains);
    free(g->explain_off);
}

static void *reaper_main(void *arg) {
    garbage_clear(arg);
    free(arg);
    return NULL;
}

/* Wait for the reaper thread, if one was started (it has long finished
 * unless two runs ended within a fraction of a second). */
static void runs_reaper_join(runs *rs) {
    if (!rs->reaper_started) return;
    pthread_join(rs->reaper, NULL);
    rs->reaper_started = false;
}

/* Free the run's result and explanations on the reaper thread (here when
 * no thread can be started); they are gone from rn either way. */
static void run_reap(run *rn) {
    runs *rs = rn->rs;
    run_garbage now = { rn->res, rn->explains, rn->explain_off };
    run_garbage *g = rn->res ? malloc(sizeof *g) : NULL;
    if (!g) { /* no result (nothing big), or out of memory */
        garbage_clear(&now);
    } else {
        *g = now;
        runs_reaper_join(rs);
        if (pthread_create(&rs->reaper, NULL, reaper_main, g) == 0)
            rs->reaper_started = true;
        else
            reaper_main(g);
    }
    rn->res = NULL;
    msgpack_sbuffer_init(&rn->explains);
    rn->explain_off = NULL;
}

static void run_destroy(run *rn) {
    if (rn->th_started && !rn->th_joined) pthread_join(rn->th, NULL);
    if (rn->ev_progress) event_free(rn->ev_progress);
    if (rn->ev_done) event_free(rn->ev_done);
    if (rn->ev_renew) event_free(rn->ev_renew);
    pthread_mutex_destroy(&rn->mu);
    if (rn->warm) wc_release(rn->s->warm, rn->warm); /* the worker never reached on_done (shutdown) */
    run_reap(rn);
    free(rn->mentees.p);
    free(rn->waitlist.p);
    free(rn->coaches.p);
    free(rn->pins.p);
    free(rn->forbids.p);
    arena_free(&rn->ar);
    free(rn);
}

/* Unlink the run; destroy it now, or when its lock-renew reply (the only
 * command that can still be in flight) comes back. */
static void run_free(run *rn) {
    runs *rs = rn->rs;
    for (run **pp = &rs->list; *pp; pp = &(*pp)->next)
        if (*pp == rn) {
            *pp = rn->next;
            break;
        }
    if (rn->ev_renew) evtimer_del(rn->ev_renew);
    if (rn->job) {
        rn->job = 0;
        srv_job(rn->s, rn->conn_id, -1);
    }
    if (rn->renew_pending) {
        rn->zombie = 1;
        return;
    }
    run_destroy(rn);
}

/* ---- notifications ---- */

/* A phase proto does not know (a newer libmatcher) is not reported. */
static void send_progress(run *rn, const char *phase, uint64_t done, uint64_t total) {
    proto_run_progress p;
    int k = pack_name_index(proto_run_phase_names, phase, strlen(phase));
    if (k < 0) {
        log_debug("run %s: phase %s is not in the protocol", rn->id, phase);
        return;
    }
    memcpy(p.run_id, rn->id, sizeof p.run_id);
    p.phase = (proto_run_phase)k;
    p.done = (int64_t)done;
    p.total = (int64_t)total;
    srv_notify_conn(rn->s, rn->conn_id, rn->tokhash, "run.progress", pack_run_progress, &p);
}

/* The run's stats; elapsed_ms is frozen once recorded (pack_stats), so
 * that run.done says what run.get shows. */
static void stats_from(proto_run_stats *ps, const run *rn) {
    madapt_run_stats(ps, rn->res ? &rn->res->stats : NULL, (uint32_t)rn->mentees.n, (uint32_t)rn->coaches.n,
                     rn->recorded_ms >= 0 ? rn->recorded_ms : elapsed_ms(&rn->t0));
}

/* ---- finish ---- */

/* The run has ended as rn->status and its end is recorded (or could not
 * be): run.done to the coordinator, the log line, and the run is freed. */
static void run_ended(run *rn) {
    proto_run_done d;
    memcpy(d.run_id, rn->id, sizeof d.run_id);
    int k = pack_name_index(proto_run_status_names, rn->status, strlen(rn->status));
    d.status = (proto_run_status)k;
    stats_from(&d.stats, rn);
    const proto_run_stats ps = d.stats;
    if (k >= 0 && k < PROTO_RUN_STATUS__COUNT) rn->s->mx.runs_finished[k]++;
    mx_observe(&rn->s->mx.run_seconds, (double)ps.elapsed_ms / 1000);
    srv_notify_conn(rn->s, rn->conn_id, rn->tokhash, "run.done", pack_run_done, &d);
    rn->job = 0;
    srv_job(rn->s, rn->conn_id, -1);
    log_info("run %s (%s): %s, %u mentees, %u coaches, %u matched, %s, %lld ms", rn->id, rn->program, rn->status,
             ps.mentees, ps.coaches, ps.matched, ps.certified ? "certified" : "not certified",
             (long long)ps.elapsed_ms);
    run_free(rn);
}

static void finish_cb(void *ud, redisReply *reply, int status) {
    run *rn = ud;
    if (status != STORE_OK || !reply || reply->type != REDIS_REPLY_ARRAY) {
        log_warn("run %s: could not record its end (the lock expires by itself)", rn->id);
        /* A draft is done only once recorded: unrecorded, it stays `running`
         * until the sweep marks it failed (and deletes what it staged), so
         * run.done must not say done (design.md §6: a client hears of a
         * write only after Redis confirmed it). */
        if (!strcmp(rn->status, "done")) rn->status = "failed";
    } else if (mel_strs(reply, 1, 2)) {
        /* the status its record has: another's verdict when the run was no
         * longer running (run_finish.lua), which run.done reports too */
        const redisReply *st = reply->element[1];
        int k = pack_name_index(proto_run_status_names, st->str, st->len);
        if (k >= 0) rn->status = proto_run_status_names[k];
    }
    run_ended(rn);
}

/* The run's stats, packed into sb (initialised here; the caller destroys it). */
static void pack_stats(run *rn, msgpack_sbuffer *sb) {
    proto_run_stats ps;
    rn->recorded_ms = -1;
    stats_from(&ps, rn);
    rn->recorded_ms = ps.elapsed_ms;
    msgpack_packer pk;
    msgpack_sbuffer_init(sb);
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    proto_run_stats_pack(&pk, &ps);
}

/* End the run as failed or cancelled (what it staged stays invisible and
 * the sweep deletes it), or a draft run as done (what it staged stays for
 * match.list {run_id} and run.publish).  A run a sweep already marked
 * failed (its lock expired while this process stalled) keeps that status,
 * and run.done reports it (finish_cb). */
static void run_finish(run *rn, const char *status) {
    rn->status = status;
    msgpack_sbuffer sb;
    pack_stats(rn, &sb);
    sargs a;
    sargs_init(&a);
    script_args(&a, SCRIPT_RUN_FINISH, rn->s->cfg->redis_prefix);
    sargs_adds(&a, rn->id);
    sargs_adds(&a, rn->program);
    sargs_adds(&a, status);
    sargs_add(&a, sb.data, sb.size);
    sargs_addll(&a, (long long)time(NULL));
    int rc = script_cmd_durable(rn->s->st, finish_cb, rn, &a);
    msgpack_sbuffer_destroy(&sb);
    if (rc != STORE_OK) finish_cb(rn, NULL, STORE_UNAVAILABLE);
}

/* ---- publish and settle ---- */

static const char *reply_why(const redisReply *reply) {
    return mel_strs(reply, 1, 2)                       ? reply->element[1]->str
           : reply && reply->type == REDIS_REPLY_ERROR ? reply->str
                                                       : "store unavailable";
}

static void run_settle_next(run *rn);

/* The run is published: it ends done whatever happens to its waitlist (a
 * chunk that fails is settled by a sweep once the lock has expired). */
static void settle_cb(void *ud, redisReply *reply, int status) {
    run *rn = ud;
    if (status != STORE_OK || !mel_strs(reply, 0, 1) || strcmp(reply->element[0]->str, "ok")) {
        log_warn("run %s: its waitlist is left to the sweep: %s", rn->id, reply_why(reply));
        run_ended(rn);
        return;
    }
    if (mel_ll(reply, 1, 0)) {
        pace_took(&rn->pace, mel_ll(reply, 2, 0), rn->s->cfg->run_chunk_us);
        run_settle_next(rn);
    } else {
        run_ended(rn);
    }
}

/* One settle chunk, paced: at most run-settle-chunk superseded proposals or
 * RUN_PACE_MAX_MENTEES waitlisted mentees, the same share of each. */
static void run_settle_next(run *rn) {
    sargs a;
    sargs_init(&a);
    script_args(&a, SCRIPT_RUN_WAITLIST, rn->s->cfg->redis_prefix);
    sargs_adds(&a, rn->id);
    sargs_adds(&a, rn->program);
    sargs_addll(&a, (long long)time(NULL));
    sargs_addll(&a, (long long)pace_n(&rn->pace, RUN_PACE_MAX_MENTEES));
    sargs_addll(&a, (long long)pace_n(&rn->pace, (size_t)rn->s->cfg->run_settle_chunk));
    sargs_addll(&a, rn->s->cfg->run_lock_ttl_ms);
    if (script_cmd_durable(rn->s->st, settle_cb, rn, &a) != STORE_OK) settle_cb(rn, NULL, STORE_UNAVAILABLE);
}

static void publish_cb(void *ud, redisReply *reply, int status) {
    run *rn = ud;
    if (status != STORE_OK || !mel_strs(reply, 0, 1) || strcmp(reply->element[0]->str, "ok")) {
        log_warn("run %s: publishing its proposals failed: %s", rn->id, reply_why(reply));
        run_finish(rn, "failed");
        return;
    }
    rn->status = "done";
    pace_start(&rn->pace);
    run_settle_next(rn);
}

/* Every proposal and unmatched mentee is staged: switch the proposals on
 * (the run is published), then settle the waitlist. */
static void run_publish(run *rn) {
    msgpack_sbuffer sb;
    pack_stats(rn, &sb);
    sargs a;
    sargs_init(&a);
    script_args(&a, SCRIPT_RUN_PUBLISH, rn->s->cfg->redis_prefix);
    sargs_adds(&a, rn->id);
    sargs_adds(&a, rn->program);
    sargs_add(&a, sb.data, sb.size);
    sargs_addll(&a, (long long)time(NULL));
    int rc = script_cmd_durable(rn->s->st, publish_cb, rn, &a);
    msgpack_sbuffer_destroy(&sb);
    if (rc != STORE_OK) run_finish(rn, "failed");
}

/* ---- store ---- */

/* A chunk answered (or could not be sent: cb never comes, sent == false).
 * The one place where the store decides what comes next: the next chunk,
 * the end (failed once the chunk in flight has answered, so that no reply
 * comes back to a freed run), or the switch. */
static void run_store_settled(run *rn, bool ok, bool sent) {
    if (sent) {
        rn->store_inflight = false;
        rn->store_acked++;
    }
    if (!ok) rn->store_failed = true;
    if (rn->store_failed) {
        if (!rn->store_inflight) run_finish(rn, "failed");
        return;
    }
    run_store_next(rn);
}

static void run_store_cb(void *ud, redisReply *reply, int status) {
    run *rn = ud;
    bool ok = status == STORE_OK && mel_strs(reply, 0, 1) && !strcmp(reply->element[0]->str, "ok");
    if (!ok && !rn->store_failed) log_warn("run %s: storing proposals failed: %s", rn->id, reply_why(reply));
    if (ok) pace_took(&rn->pace, mel_ll(reply, 1, 0), rn->s->cfg->run_chunk_us);
    run_store_settled(rn, ok, true);
}

/* Send one chunk, paced: the next proposals (at most
 * RUN_PACE_MAX_PROPOSALS), then, with the last of them and after,
 * unmatched mentees (at most RUN_PACE_MAX_MENTEES), the same share of
 * each. */
static int run_store_send(run *rn) {
    const match_run_result *res = rn->res;
    sargs a;
    sargs_init(&a);
    script_args(&a, SCRIPT_RUN_STORE, rn->s->cfg->redis_prefix);
    sargs_adds(&a, rn->id);
    sargs_adds(&a, rn->program);
    sargs_addll(&a, (long long)time(NULL));
    size_t np = res->n_pairs - rn->store_pairs, maxp = pace_n(&rn->pace, RUN_PACE_MAX_PROPOSALS);
    if (np > maxp) np = maxp;
    sargs_addll(&a, (long long)np);
    for (size_t i = rn->store_pairs; i < rn->store_pairs + np; i++) {
        const match_proposal *p = &res->pairs[i];
        sargs_adds(&a, p->mentee_id);
        sargs_adds(&a, p->coach_id);
        sargs_addll(&a, p->score);
        sargs_add(&a, rn->explains.data + rn->explain_off[i], rn->explain_off[i + 1] - rn->explain_off[i]);
    }
    rn->store_pairs += np;
    if (rn->store_pairs >= res->n_pairs) {
        size_t nu = res->n_unmatched - rn->store_unmatched, maxu = pace_n(&rn->pace, RUN_PACE_MAX_MENTEES);
        if (nu > maxu) nu = maxu;
        for (size_t i = rn->store_unmatched; i < rn->store_unmatched + nu; i++) {
            sargs_adds(&a, res->unmatched[i].mentee_id);
            sargs_adds(&a, match_unmatched_name(res->unmatched[i].reason));
        }
        rn->store_unmatched += nu;
    }
    return script_cmd_durable(rn->s->st, run_store_cb, rn, &a);
}

/* Send the next chunk until everything is sent (one in flight); once the
 * last one has answered, switch the run on (a draft: record it done).
 * Progress counts the proposals of the chunks answered: at the start, at
 * most every RUN_PROGRESS_MS, and at the end. */
static void run_store_next(run *rn) {
    const match_run_result *res = rn->res;
    size_t stored = rn->store_pairs; /* every chunk sent has answered */
    if (rn->store_pairs < res->n_pairs || rn->store_unmatched < res->n_unmatched) {
        if (run_store_send(rn) != STORE_OK) {
            run_store_settled(rn, false, false);
            return;
        }
        rn->store_inflight = true;
    }
    if (rn->store_acked == 0 || !rn->store_inflight || elapsed_ms(&rn->last_sent) >= RUN_PROGRESS_MS) {
        clock_gettime(CLOCK_MONOTONIC, &rn->last_sent);
        send_progress(rn, "store", stored, res->n_pairs);
    }
    if (rn->store_inflight) return;
    if (rn->draft)
        run_finish(rn, "done");
    else
        run_publish(rn);
}

/* ---- solve (worker thread) ---- */

static int progress_fn(void *ud, const char *phase, uint64_t done, uint64_t total) {
    run *rn = ud;
    pthread_mutex_lock(&rn->mu);
    snprintf(rn->phase, sizeof rn->phase, "%s", phase);
    rn->done = done;
    rn->total = total;
    int post = !rn->progress_dirty;
    rn->progress_dirty = 1;
    pthread_mutex_unlock(&rn->mu);
    if (post) event_active(rn->ev_progress, EV_READ, 0);
    return atomic_load(&rn->cancel);
}

/* The snapshot is no longer needed once the explanations are packed: the
 * run borrows the mentees' profiles only until then (match_run_input.
 * borrow: a deep copy of each was a fifth of a warm re-run's preparation),
 * its result owns its ids, and the run's stats keep only the counts.
 * Freed on the worker, so that the store does not hold it (1,000,000
 * mentees: about 600 MB). */
static void run_drop_input(run *rn) {
    free(rn->mentees.p);
    free(rn->waitlist.p);
    free(rn->coaches.p);
    free(rn->pins.p);
    free(rn->forbids.p);
    rn->mentees.p = rn->waitlist.p = rn->coaches.p = rn->pins.p = rn->forbids.p = NULL;
    arena_free(&rn->ar);
}

static void *worker(void *arg) {
    run *rn = arg;
    match_run_input in;
    memset(&in, 0, sizeof in);
    in.mentees = rn->mentees.p;
    in.n_mentees = rn->mentees.n;
    in.waitlist = rn->waitlist.p;
    in.coaches = rn->coaches.p;
    in.n_coaches = rn->coaches.n;
    in.pinned = rn->pins.p;
    in.n_pinned = rn->pins.n;
    in.forbidden = rn->forbids.p;
    in.n_forbidden = rn->forbids.n;
    in.policy = &rn->pol.p;
    in.progress = progress_fn;
    in.progress_ud = rn;
    in.cancel = &rn->cancel;
    in.threads = rn->s->cfg->run_threads; /* run-threads: 1 leaves a core to the loop */
    in.warm = rn->warm;
    in.keep_warm = rn->keep_warm;
    in.borrow = 1; /* until run_drop_input, after the explanations */
    rn->rc = match_run(rn->s->catalog.cat, &in, &rn->res, &rn->err);
    if (rn->rc == MATCH_OK) {
        rn->explain_off = malloc((rn->res->n_pairs + 1) * sizeof *rn->explain_off);
        if (!rn->explain_off) {
            rn->rc = MATCH_ENOMEM;
        } else {
            for (size_t i = 0; i < rn->res->n_pairs; i++) {
                match_explain ex;
                rn->explain_off[i] = rn->explains.size;
                /* none stored when it cannot be made or is out of range */
                if (match_run_explain(rn->res, i, &ex) == MATCH_OK) pack_explain_blob(&rn->explains, &ex);
            }
            rn->explain_off[rn->res->n_pairs] = rn->explains.size;
        }
    }
    run_drop_input(rn);
    event_active(rn->ev_done, EV_READ, 0);
    return NULL;
}

static void on_progress(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    run *rn = arg;
    char phase[16];
    uint64_t done, total;
    pthread_mutex_lock(&rn->mu);
    memcpy(phase, rn->phase, sizeof phase);
    done = rn->done;
    total = rn->total;
    rn->progress_dirty = 0;
    pthread_mutex_unlock(&rn->mu);
    if (strcmp(phase, rn->last_phase) == 0 && elapsed_ms(&rn->last_sent) < RUN_PROGRESS_MS && done < total) return;
    memcpy(rn->last_phase, phase, sizeof phase);
    clock_gettime(CLOCK_MONOTONIC, &rn->last_sent);
    send_progress(rn, phase, done, total);
}

/* CLOCK_MONOTONIC in milliseconds: the warm states' ages. */
static int64_t mono_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* The worker is joined: give back the state it started from, and make the
 * state a successful solve left the program's (draft or not, and whatever
 * the store steps do next: it describes the inputs the engine saw, and the
 * engine checks every profile against it).  A failed or cancelled run
 * leaves the program's state as it was. */
static void warm_done(run *rn) {
    wc_cache *wc = rn->s->warm;
    if (rn->warm) {
        wc_release(wc, rn->warm);
        rn->warm = NULL;
    }
    if (rn->rc != MATCH_OK || !rn->keep_warm) return;
    if (rn->res->stats.warm) rn->s->mx.runs_warm++;
    log_debug("run %s: %s, %u mentees and %u coaches reused, %u coach classes", rn->id,
              rn->res->stats.warm ? "warm" : "cold", rn->res->stats.warm_mentees, rn->res->stats.warm_coaches,
              rn->res->stats.coach_classes);
    match_warm *w = match_run_take_warm(rn->res);
    if (w)
        wc_put(wc, rn->program, w, mono_ms());
    else /* out of memory, or a run by coach class (which keeps no state):
          * the older state goes too */
        wc_drop(wc, rn->program);
}

static void on_done(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    run *rn = arg;
    pthread_join(rn->th, NULL);
    rn->th_joined = 1;
    warm_done(rn);
    if (rn->rc == MATCH_ECANCELLED) {
        run_finish(rn, "cancelled");
        return;
    }
    if (rn->rc != MATCH_OK) {
        log_warn("run %s: matcher failed (%d): %s %s", rn->id, rn->rc, rn->err.field, rn->err.msg);
        run_finish(rn, "failed");
        return;
    }
    pace_start(&rn->pace);
    run_store_next(rn);
}

static void run_solve(run *rn) {
    /* optimal mode only: a stable run neither uses nor leaves a state */
    if (rn->s->warm && wc_enabled(rn->s->warm) && rn->pol.p.mode == MATCH_MODE_OPTIMAL) {
        rn->keep_warm = 1;
        rn->warm = wc_take(rn->s->warm, rn->program, mono_ms());
    }
    rn->ev_progress = event_new(rn->s->base, -1, 0, on_progress, rn);
    rn->ev_done = event_new(rn->s->base, -1, 0, on_done, rn);
    if (!rn->ev_progress || !rn->ev_done || atomic_load(&rn->cancel) ||
        pthread_create(&rn->th, NULL, worker, rn) != 0) {
        run_finish(rn, atomic_load(&rn->cancel) ? "cancelled" : "failed");
        return;
    }
    rn->th_started = 1;
}

/* ---- snapshot ---- */

/* Deep copies of the adapter's views (adapt.h) into the run's arena: the
 * proto struct they point into is reused for the next profile. */
static const char **arena_strs(arena *a, const char *const *src, size_t n) {
    const char **out = arena_alloc(a, (n + 1) * sizeof *out);
    if (!out) return NULL;
    for (size_t i = 0; i < n; i++)
        if (!(out[i] = arena_str(a, src[i]))) return NULL;
    return out;
}

static int arena_mentee(arena *a, match_mentee *m, const match_mentee *v) {
    *m = *v;
    match_need *needs = arena_alloc(a, (v->n_competencies + 1) * sizeof *needs);
    if (!needs) return -1;
    for (size_t i = 0; i < v->n_competencies; i++) {
        needs[i] = v->competencies[i];
        if (!(needs[i].code = arena_str(a, v->competencies[i].code))) return -1;
    }
    m->competencies = needs;
    m->languages = arena_strs(a, v->languages, v->n_languages);
    m->id = arena_str(a, v->id);
    m->agency = arena_str(a, v->agency);
    m->position_class = arena_str(a, v->position_class);
    m->province = arena_str(a, v->province);
    m->program = arena_str(a, v->program);
    return m->languages && m->id && m->agency && m->position_class && m->province && m->program ? 0 : -1;
}

static int arena_coach(arena *a, match_coach *c, const match_coach *v) {
    *c = *v; /* kind: one of proto_coach_kind_names */
    match_skill *sk = arena_alloc(a, (v->n_competencies + 1) * sizeof *sk);
    if (!sk) return -1;
    for (size_t i = 0; i < v->n_competencies; i++) {
        sk[i] = v->competencies[i];
        if (!(sk[i].code = arena_str(a, v->competencies[i].code))) return -1;
    }
    c->competencies = sk;
    c->languages = arena_strs(a, v->languages, v->n_languages);
    c->programs = arena_strs(a, v->programs, v->n_programs);
    c->id = arena_str(a, v->id);
    c->organization = arena_str(a, v->organization);
    c->province = arena_str(a, v->province);
    return c->languages && c->programs && c->id && c->organization && c->province ? 0 : -1;
}

static int add_mentee(run *rn, const char *blob, size_t len, uint32_t wait) {
    if (mblob_mentee(rn->s, blob, len, &rn->tmp_m)) return 0; /* skip an undecodable profile */
    match_mentee *m = vec_push(&rn->mentees);
    uint32_t *w = vec_push(&rn->waitlist);
    if (!m || !w) return -1;
    *w = wait > MATCH_WAITLIST_MAX ? MATCH_WAITLIST_MAX : wait;
    madapt_mentee v;
    madapt_mentee_init(&v, &rn->tmp_m);
    return arena_mentee(&rn->ar, m, &v.m);
}

static int add_coach(run *rn, const char *blob, size_t len, int load) {
    if (mblob_coach(rn->s, blob, len, &rn->tmp_c)) return 0;
    match_coach *c = vec_push(&rn->coaches);
    if (!c) return -1;
    madapt_coach v;
    madapt_coach_init(&v, &rn->tmp_c, load);
    return arena_coach(&rn->ar, c, &v.c);
}

static int add_pair(run *rn, vec *v, const redisReply *a, const redisReply *b) {
    if (a->type != REDIS_REPLY_STRING || b->type != REDIS_REPLY_STRING) return 0; /* not a pair: skip */
    match_pair_ref *pr = vec_push(v);
    if (!pr) return -1;
    pr->mentee_id = arena_str(&rn->ar, a->str);
    pr->coach_id = arena_str(&rn->ar, b->str);
    return pr->mentee_id && pr->coach_id ? 0 : -1;
}

static void snapshot_cb(void *ud, redisReply *reply, int status) {
    run *rn = ud;
    if (status != STORE_OK || !mel_strs(reply, 0, 1) || reply->elements < 2 || strcmp(reply->element[0]->str, "ok")) {
        log_warn("run %s: snapshot failed", rn->id);
        run_finish(rn, "failed");
        return;
    }
    if (rn->snapshot_oom) { /* the page before this one ran out of memory */
        log_warn("run %s: out of memory", rn->id);
        run_finish(rn, "failed");
        return;
    }
    if (atomic_load(&rn->cancel)) {
        run_finish(rn, "cancelled");
        return;
    }
    int oom = 0;
    if (rn->stage == 2) {
        size_t npins = (size_t)mel_ll(reply, 1, 0);
        for (size_t i = 2; i + 1 < reply->elements && !oom; i += 2)
            oom = add_pair(rn, (i - 2) / 2 < npins ? &rn->pins : &rn->forbids, reply->element[i],
                           reply->element[i + 1]) != 0;
        if (oom) {
            run_finish(rn, "failed");
            return;
        }
        send_progress(rn, "snapshot", rn->mentees.n + rn->coaches.n, rn->mentees.n + rn->coaches.n);
        run_solve(rn);
        return;
    }
    /* The next page first: Redis computes it while this one is decoded,
     * sized by the time this one took from its request to here ("Pacing").
     * From here one command is in flight, so running out of memory only
     * sets snapshot_oom, and its reply ends the run. */
    pace_took(&rn->pace, elapsed_us(&rn->pace.sent), rn->s->cfg->run_chunk_us);
    int stage = rn->stage;
    const redisReply *cur = reply->element[1];
    if (cur->type == REDIS_REPLY_STRING && cur->len > 0 && cur->len <= PROTO_ID_MAX) {
        memcpy(rn->cursor, cur->str, cur->len);
        rn->cursor[cur->len] = '\0';
    } else {
        rn->cursor[0] = '\0';
        rn->stage++;
    }
    if (run_snapshot_next(rn) != STORE_OK) {
        run_finish(rn, "failed");
        return;
    }
    for (size_t i = 2; i + 1 < reply->elements && !oom; i += 2) {
        const redisReply *b = reply->element[i];
        if (b->type != REDIS_REPLY_STRING) continue;
        long long n = mel_ll(reply, i + 1, 0);
        oom = (stage == 0 ? add_mentee(rn, b->str, b->len, (uint32_t)n) : add_coach(rn, b->str, b->len, (int)n)) != 0;
    }
    rn->snapshot_oom = oom;
}

/* Ask for the page at rn->stage and rn->cursor, paced (at most
 * RUN_PACE_MAX_PAGE profiles); STORE_OK or not sent. */
static int run_snapshot_next(run *rn) {
    static const char *const what[] = { "mentees", "coaches", "pairs" };
    sargs a;
    sargs_init(&a);
    script_args(&a, SCRIPT_RUN_SNAPSHOT, rn->s->cfg->redis_prefix);
    sargs_adds(&a, what[rn->stage]);
    sargs_adds(&a, rn->program);
    sargs_adds(&a, rn->cursor);
    sargs_addll(&a, (long long)pace_n(&rn->pace, RUN_PACE_MAX_PAGE));
    clock_gettime(CLOCK_MONOTONIC, &rn->pace.sent);
    return script_cmd(rn->s->st, snapshot_cb, rn, &a);
}

/* ---- start ---- */

static void renew_reply(void *ud, redisReply *reply, int status) {
    run *rn = ud;
    rn->renew_pending = 0;
    if (rn->zombie) {
        run_destroy(rn);
        return;
    }
    if (status == STORE_OK && reply && reply->type == REDIS_REPLY_ARRAY && mel_ll(reply, 1, 1) == 0) {
        log_warn("run %s lost its lock on %s: cancelling", rn->id, rn->program);
        atomic_store(&rn->cancel, 1);
    }
}

static void renew_cb(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    run *rn = arg;
    if (!rn->renew_pending) {
        sargs a;
        sargs_init(&a);
        script_args(&a, SCRIPT_RUN_RENEW, rn->s->cfg->redis_prefix);
        sargs_adds(&a, rn->program);
        sargs_adds(&a, rn->id);
        sargs_addll(&a, rn->s->cfg->run_lock_ttl_ms);
        if (script_cmd(rn->s->st, renew_reply, rn, &a) == STORE_OK) rn->renew_pending = 1;
    }
    struct timeval tv = ms_tv(run_renew_ms(rn->s));
    evtimer_add(rn->ev_renew, &tv);
}

/* The run (its id known) leaves the request r for the registry: r is
 * answered {run_id}, run.progress and run.done go to r's connection, and
 * the lock's renewal starts. */
static void run_register(srv_req *r, run *rn) {
    r->st = NULL;
    r->st_free = NULL;
    rn->next = rn->rs->list;
    rn->rs->list = rn;
    rn->job = 1;
    srv_job(rn->s, rn->conn_id, +1);
    rn->s->mx.runs_started++;
    pack_run_id(srv_req_ok(r), rn->id);
    srv_req_done(r);
    rn->ev_renew = evtimer_new(rn->s->base, renew_cb, rn);
    if (rn->ev_renew) {
        struct timeval tv = ms_tv(run_renew_ms(rn->s));
        evtimer_add(rn->ev_renew, &tv);
    }
}

/* A registered run that owns itself (run_own.lua) goes to its snapshot. */
static void run_go(run *rn) {
    /* SIGTERM came while the lock was on its way (runs_cancel_all did not
     * know this run yet): it ends cancelled like the runs it found */
    if (rn->s->stopping) atomic_store(&rn->cancel, 1);
    if (atomic_load(&rn->cancel)) {
        run_finish(rn, "cancelled");
        return;
    }
    pace_start(&rn->pace);
    if (run_snapshot_next(rn) != STORE_OK) run_finish(rn, "failed");
}

/* run_own.lua's verdict in a reply: "mine", "other" or "ended"; NULL when
 * the reply is not one. */
static const char *own_verdict(const redisReply *reply) {
    if (!mel_strs(reply, 0, 2) || strcmp(reply->element[0]->str, "ok")) return NULL;
    const char *v = reply->element[1]->str;
    return !strcmp(v, "mine") || !strcmp(v, "other") || !strcmp(v, "ended") ? v : NULL;
}

static void own_args(sargs *a, const run *rn) {
    sargs_init(a);
    script_args(a, SCRIPT_RUN_OWN, rn->s->cfg->redis_prefix);
    sargs_adds(a, rn->program);
    sargs_adds(a, rn->id);
    sargs_adds(a, rn->token);
}

/* The first call's run asked whether it is its own: a retry of its
 * request may have taken it up first (that call's process runs it, and
 * this one leaves it without a trace in Redis).  A run no longer running
 * under its lock (a sweep marked it failed, its lock expired) ends here as
 * it would have at its end: run_finish keeps the record's verdict, and
 * run.done reports it. */
static void own_cb(void *ud, redisReply *reply, int status) {
    run *rn = ud;
    const char *v = status == STORE_OK ? own_verdict(reply) : NULL;
    if (!v) {
        log_warn("run %s: could not take it up", rn->id);
        run_finish(rn, "failed");
    } else if (!strcmp(v, "other")) {
        log_notice("run %s (%s): a retry of its request runs it: left to it", rn->id, rn->program);
        run_free(rn);
    } else if (!strcmp(v, "ended")) {
        log_warn("run %s (%s): lost its lock before its snapshot", rn->id, rn->program);
        run_finish(rn, "failed");
    } else
        run_go(rn);
}

/* A repeated request_id (r->replayed) whose run nobody may be running
 * (its first call heard `unavailable` while Redis applied the lock): the
 * retry takes it up if no call has (run_own.lua), and runs it as the first
 * call would have; else it only answers the run's id. */
static void own_replay_cb(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    run *rn = r->st;
    if (mreply_ok(r, reply, status)) return;
    const char *v = own_verdict(reply);
    if (!v) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "unexpected store reply");
        return;
    }
    if (strcmp(v, "mine")) {
        pack_run_id(srv_req_ok(r), rn->id);
        srv_req_done(r);
        return;
    }
    run_register(r, rn);
    log_info("run %s (%s) taken up by a retry of its request by %s (its first call did not start it)", rn->id,
             rn->program, rn->by);
    run_go(rn);
}

static void lock_cb(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    run *rn = r->st;
    if (mreply_ok(r, reply, status) || mscript_status(r, reply)) return;
    const redisReply *id = mel(reply, 1);
    if (!id || id->type != REDIS_REPLY_STRING || id->len > PROTO_OBJID_MAX) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "unexpected store reply");
        return;
    }
    memcpy(rn->id, id->str, id->len);
    rn->id[id->len] = '\0';
    sargs a;
    own_args(&a, rn);
    if (r->replayed) { /* the first call's run: taken up here if no call runs it */
        mcmd(r, own_replay_cb, &a);
        return;
    }
    run_register(r, rn);
    log_info("run %s (%s) started by %s", rn->id, rn->program, rn->by);
    /* durable as the repeat's (mcmd: match.run writes): a claim a failover
     * lost would let a repeat take the run up while this call runs it */
    if (script_cmd_durable(rn->s->st, own_cb, rn, &a) != STORE_OK) own_cb(rn, NULL, STORE_UNAVAILABLE);
}

/* A token no other call has: random, or (RAND_bytes failed) this
 * process's pid, time and address of the run. */
static void run_token(run *rn) {
    unsigned char b[RUN_TOKEN_BYTES];
    if (RAND_bytes(b, sizeof b) == 1) {
        for (size_t i = 0; i < sizeof b; i++) snprintf(rn->token + 2 * i, 3, "%02x", b[i]);
        return;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(rn->token, sizeof rn->token, "%x.%lx.%lx", (unsigned)getpid(), (unsigned long)ts.tv_nsec,
             (unsigned long)(uintptr_t)rn);
}

static void run_free_unstarted(void *p) {
    run *rn = p;
    pthread_mutex_destroy(&rn->mu);
    free(rn);
}

void runs_start(runs *rs, srv_req *r, const char *program, const proto_policy *policy, bool draft) {
    run *rn = calloc(1, sizeof *rn);
    if (!rn) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "out of memory");
        return;
    }
    rn->rs = rs;
    rn->s = rs->s;
    pthread_mutex_init(&rn->mu, NULL);
    msgpack_sbuffer_init(&rn->explains);
    rn->mentees.elem = sizeof(match_mentee);
    rn->waitlist.elem = sizeof(uint32_t);
    rn->coaches.elem = sizeof(match_coach);
    rn->pins.elem = rn->forbids.elem = sizeof(match_pair_ref);
    snprintf(rn->program, sizeof rn->program, "%s", program);
    snprintf(rn->by, sizeof rn->by, "%s", r->sess.login);
    rn->conn_id = r->conn_id;
    snprintf(rn->tokhash, sizeof rn->tokhash, "%s", r->sess.tokhash);
    rn->recorded_ms = -1;
    run_token(rn);
    rn->draft = draft;
    rn->ppol = *policy;
    clock_gettime(CLOCK_MONOTONIC, &rn->t0);
    r->st = rn;
    r->st_free = run_free_unstarted;
    char field[PROTO_PATH_MAX], msg[256];
    if (madapt_policy_init(&rn->pol, &rn->ppol, rs->s->catalog.cat, field, sizeof field, msg, sizeof msg)) {
        srv_req_fail(r, PROTO_E_INVALID_PARAMS, field, "%s", msg);
        return;
    }
    msgpack_sbuffer psb; /* the policy as run.get shows it */
    msgpack_packer pk;
    msgpack_sbuffer_init(&psb);
    msgpack_packer_init(&pk, &psb, msgpack_sbuffer_write);
    proto_policy_pack(&pk, &rn->ppol);
    sargs a;
    sargs_init(&a);
    script_args(&a, SCRIPT_RUN_LOCK, rs->s->cfg->redis_prefix);
    sargs_adds(&a, program);
    sargs_adds(&a, r->sess.login);
    sargs_addll(&a, (long long)time(NULL));
    sargs_addll(&a, rs->s->cfg->run_lock_ttl_ms);
    sargs_add(&a, psb.data, psb.size);
    sargs_adds(&a, draft ? "1" : "0");
    db_idem_args(r, &a);
    mcmd(r, lock_cb, &a);
    msgpack_sbuffer_destroy(&psb);
}

/* ---- sweep ---- */

static void sweep_send(runs *rs);

static void sweep_cb(void *ud, redisReply *reply, int status) {
    static log_limit ll;
    runs *rs = ud;
    rs->sweep_pending = 0;
    if (status != STORE_OK || !mel_strs(reply, 0, 1) || strcmp(reply->element[0]->str, "ok")) {
        log_limited(&ll, CFG_LOG_WARNING, "run sweep failed (%s): tried again in %ld ms",
                    status == STORE_OK ? "unexpected reply" : "store unavailable", run_renew_ms(rs->s));
        return;
    }
    long long failed = mel_ll(reply, 1, 0);
    if (failed > 0) log_info("run sweep: %lld orphaned run(s) marked failed (their process is gone)", failed);
    if (mel_ll(reply, 2, 0)) sweep_send(rs); /* more to delete or settle */
}

static void sweep_send(runs *rs) {
    if (rs->sweep_pending || !rs->s->st || !store_connected(rs->s->st)) return;
    sargs a;
    sargs_init(&a);
    script_args(&a, SCRIPT_RUN_SWEEP, rs->s->cfg->redis_prefix);
    sargs_addll(&a, (long long)time(NULL));
    sargs_addll(&a, RUN_SWEEP_CHUNK);
    sargs_addll(&a, rs->s->cfg->run_settle_chunk);
    if (script_cmd(rs->s->st, sweep_cb, rs, &a) == STORE_OK) rs->sweep_pending = 1;
}

static void sweep_timer(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    runs *rs = arg;
    sweep_send(rs);
    if (rs->s->warm) wc_sweep(rs->s->warm, mono_ms());
    struct timeval tv = ms_tv(run_renew_ms(rs->s));
    evtimer_add(rs->ev_sweep, &tv);
}

runs *runs_new(server *s) {
    runs *rs = calloc(1, sizeof *rs);
    if (!rs) return NULL;
    rs->s = s;
    rs->ev_sweep = evtimer_new(s->base, sweep_timer, rs);
    if (!rs->ev_sweep) {
        free(rs);
        return NULL;
    }
    struct timeval tv = ms_tv(run_renew_ms(s));
    evtimer_add(rs->ev_sweep, &tv);
    return rs;
}

void runs_cancel_all(runs *rs) {
    if (!rs) return;
    for (run *rn = rs->list; rn; rn = rn->next) atomic_store(&rn->cancel, 1);
}

void runs_join_all(runs *rs) {
    if (!rs) return;
    runs_reaper_join(rs);
    for (run *rn = rs->list; rn; rn = rn->next)
        if (rn->th_started && !rn->th_joined) {
            pthread_join(rn->th, NULL);
            rn->th_joined = 1;
        }
}

void runs_free(runs *rs) {
    if (!rs) return;
    while (rs->list) run_free(rs->list);
    runs_reaper_join(rs); /* the runs freed just now */
    if (rs->ev_sweep) event_free(rs->ev_sweep);
    free(rs);
}
