/* coachidx.c — see coachidx.h. */
#include "server/coachidx.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "server/adapt.h"
#include "server/log.h"
#include "server/methods.h"

#define COACHIDX_PAGE      500
#define COACHIDX_DIRTY_MAX 4096 /* coaches an event changed while a page was on its way */

/* A resync page and the events race: the page comes on the command link,
 * the events on the pub/sub link, and nothing orders the two.  An event
 * published after the page ran in Redis can be applied before it (a page
 * of 500 profiles is read over several loop turns, an event in one); the
 * page then put the older profile or load back, and no later event
 * corrected it (a full coach suggested as free, until its next change).
 * So the ids that events change while a page is on its way are kept
 * (dirty), and the page leaves those coaches as the events left them.  An
 * event older than the page but applied after it does no harm: events
 * come in order, and any change after it has an event of its own.  Past
 * COACHIDX_DIRTY_MAX ids the page is asked for again instead.
 *
 * A load event for a coach the index does not have yet (the first load of
 * a starting instance) has nothing to leave as it is: its load is kept
 * with the id, and the page's profile goes in with that load.
 *
 * A full resync is also a mark and sweep (match_index_unmark at its start,
 * match_index_sweep at its end): a coach no page brought and no event put
 * is not in Redis any more (a failover that lost its write, a flush), and
 * leaves the index instead of being suggested until restart. */
typedef struct dirty_coach {
    char *id;
    int load; /* the last load event's; -1: none (a profile event) */
} dirty_coach;

struct coachidx {
    server *srv;
    match_index *idx;
    int loading;
    int again; /* a resync was asked for during a load */
    int ready;
    char cursor[PROTO_ID_MAX + 2];
    struct event *retry;
    dirty_coach *dirty; /* changed by events since the page in flight was asked for */
    size_t n_dirty, cap_dirty;
    int dirty_over; /* more than COACHIDX_DIRTY_MAX: the page is asked for again */
};

static void scan_next(coachidx *ci);

static void dirty_clear(coachidx *ci) {
    for (size_t i = 0; i < ci->n_dirty; i++) free(ci->dirty[i].id);
    ci->n_dirty = 0;
    ci->dirty_over = 0;
}

static dirty_coach *dirty_find(const coachidx *ci, const char *id) {
    for (size_t i = 0; i < ci->n_dirty; i++)
        if (!strcmp(ci->dirty[i].id, id)) return &ci->dirty[i];
    return NULL;
}

/* An event changed coach id (load: its new load, -1 for a profile): kept
 * while a page is on its way. */
static void dirty_add(coachidx *ci, const char *id, int load) {
    if (!ci->loading || ci->dirty_over) return;
    dirty_coach *d = dirty_find(ci, id);
    if (d) {
        if (load >= 0) d->load = load;
        return;
    }
    if (ci->n_dirty == COACHIDX_DIRTY_MAX) {
        ci->dirty_over = 1;
        return;
    }
    if (ci->n_dirty == ci->cap_dirty) {
        size_t cap = ci->cap_dirty ? 2 * ci->cap_dirty : 16;
        dirty_coach *nd = realloc(ci->dirty, cap * sizeof *nd);
        if (!nd) {
            ci->dirty_over = 1; /* cannot keep it: the page is asked for again */
            return;
        }
        ci->dirty = nd;
        ci->cap_dirty = cap;
    }
    char *copy = strdup(id);
    if (!copy) {
        ci->dirty_over = 1;
        return;
    }
    ci->dirty[ci->n_dirty++] = (dirty_coach){ copy, load };
}

/* A profile blob with its load into the index: from an event (noted as
 * dirty while a page is on its way), or from a page (left alone when
 * dirty and indexed, with the events' load when dirty and not). */
static void put_blob(coachidx *ci, const char *blob, size_t len, int load, int from_page) {
    proto_coach *pc = malloc(sizeof *pc);
    if (!pc) return;
    if (mblob_coach(ci->srv, blob, len, pc) == 0) {
        const dirty_coach *d = from_page ? dirty_find(ci, pc->id) : NULL;
        if (d && match_index_mark(ci->idx, pc->id) == MATCH_OK) {
            free(pc);
            return;
        }
        if (d && d->load >= 0) load = d->load;
        if (!from_page) dirty_add(ci, pc->id, -1);
        madapt_coach a;
        madapt_coach_init(&a, pc, load);
        match_err me;
        if (match_index_upsert(ci->idx, &a.c, &me) != MATCH_OK)
            log_warn("coach index: cannot index coach %s: %s %s", pc->id, me.field, me.msg);
    } else {
        log_warn("coach index: undecodable coach profile (%zu bytes)", len);
    }
    free(pc);
}

void coachidx_put_blob(coachidx *ci, const char *blob, size_t len, int load) { put_blob(ci, blob, len, load, 0); }

void coachidx_set_load(coachidx *ci, const char *coach_id, int load) {
    if (load < 0) load = 0;
    dirty_add(ci, coach_id, load);
    match_index_set_load(ci->idx, coach_id, load);
}

/* Reply of SCRIPT_COACH_SCAN: {'ok', next-cursor, blob1, load1, ...}. */
static void scan_cb(void *ud, redisReply *reply, int status) {
    coachidx *ci = ud;
    if (status != STORE_OK || !reply || reply->type != REDIS_REPLY_ARRAY || reply->elements < 2 ||
        reply->element[1]->type != REDIS_REPLY_STRING) {
        log_warn("coach index: resync interrupted; will retry");
        ci->loading = 0;
        dirty_clear(ci);
        struct timeval tv = { 1, 0 };
        evtimer_add(ci->retry, &tv);
        return;
    }
    if (ci->dirty_over) { /* too many changes to track: the same page again */
        scan_next(ci);
        return;
    }
    for (size_t i = 2; i + 1 < reply->elements; i += 2) {
        const redisReply *b = reply->element[i];
        if (b->type == REDIS_REPLY_STRING) put_blob(ci, b->str, b->len, (int)mel_ll(reply, i + 1, 0), 1);
    }
    const redisReply *cur = reply->element[1];
    if (cur->len == 0 || cur->len > PROTO_ID_MAX) {
        ci->loading = 0;
        dirty_clear(ci);
        ci->ready = 1;
        size_t gone = match_index_sweep(ci->idx);
        log_info("coach index: %zu coaches loaded, %zu no longer in Redis removed", match_index_size(ci->idx), gone);
        if (ci->again) {
            ci->again = 0;
            coachidx_resync(ci);
        }
        return;
    }
    memcpy(ci->cursor, cur->str, cur->len);
    ci->cursor[cur->len] = '\0';
    scan_next(ci);
}

/* Ask for the page after ci->cursor; the events from now on are newer or
 * older than it, and the coaches they change are kept as they leave them. */
static void scan_next(coachidx *ci) {
    dirty_clear(ci);
    sargs a;
    sargs_init(&a);
    script_args(&a, SCRIPT_COACH_SCAN, ci->srv->cfg->redis_prefix);
    sargs_adds(&a, ci->cursor);
    sargs_addll(&a, COACHIDX_PAGE);
    int rc = script_cmd(ci->srv->st, scan_cb, ci, &a);
    if (rc != STORE_OK) {
        ci->loading = 0;
        dirty_clear(ci);
        struct timeval tv = { 1, 0 };
        evtimer_add(ci->retry, &tv);
    }
}

static void retry_cb(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    coachidx_resync(arg);
}

void coachidx_resync(coachidx *ci) {
    if (ci->loading) {
        ci->again = 1;
        return;
    }
    ci->loading = 1;
    ci->cursor[0] = '\0';
    match_index_unmark(ci->idx);
    scan_next(ci);
}

coachidx *coachidx_new(server *s) {
    coachidx *ci = calloc(1, sizeof *ci);
    if (!ci) return NULL;
    ci->srv = s;
    ci->idx = match_index_new(s->catalog.cat);
    ci->retry = evtimer_new(s->base, retry_cb, ci);
    if (!ci->idx || !ci->retry) {
        coachidx_free(ci);
        return NULL;
    }
    return ci;
}

void coachidx_free(coachidx *ci) {
    if (!ci) return;
    dirty_clear(ci);
    free(ci->dirty);
    if (ci->retry) event_free(ci->retry);
    match_index_free(ci->idx);
    free(ci);
}

const match_index *coachidx_index(const coachidx *ci) { return ci->idx; }
int coachidx_ready(const coachidx *ci) { return ci->ready; }
