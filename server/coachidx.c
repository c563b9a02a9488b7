/* coachidx.c — see coachidx.h. */
#include "server/coachidx.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "server/adapt.h"
#include "server/log.h"
#include "server/methods.h"

#define COACHIDX_PAGE 500

struct coachidx {
    server *srv;
    match_index *idx;
    int loading;
    int again; /* a resync was asked for during a load */
    int ready;
    char cursor[PROTO_ID_MAX + 2];
    struct event *retry;
};

static void scan_next(coachidx *ci);

void coachidx_put_blob(coachidx *ci, const char *blob, size_t len, int load) {
    proto_coach *pc = malloc(sizeof *pc);
    if (!pc) return;
    if (mblob_coach(ci->srv, blob, len, pc) == 0) {
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

void coachidx_set_load(coachidx *ci, const char *coach_id, int load) {
    match_index_set_load(ci->idx, coach_id, load < 0 ? 0 : load);
}

/* Reply of SCRIPT_COACH_SCAN: {'ok', next-cursor, blob1, load1, ...}. */
static void scan_cb(void *ud, redisReply *reply, int status) {
    coachidx *ci = ud;
    if (status != STORE_OK || !reply || reply->type != REDIS_REPLY_ARRAY || reply->elements < 2 ||
        reply->element[1]->type != REDIS_REPLY_STRING) {
        log_warn("coach index: resync interrupted; will retry");
        ci->loading = 0;
        struct timeval tv = { 1, 0 };
        evtimer_add(ci->retry, &tv);
        return;
    }
    for (size_t i = 2; i + 1 < reply->elements; i += 2) {
        const redisReply *b = reply->element[i];
        if (b->type == REDIS_REPLY_STRING) coachidx_put_blob(ci, b->str, b->len, (int)mel_ll(reply, i + 1, 0));
    }
    const redisReply *cur = reply->element[1];
    if (cur->len == 0 || cur->len > PROTO_ID_MAX) {
        ci->loading = 0;
        ci->ready = 1;
        log_info("coach index: %zu coaches loaded", match_index_size(ci->idx));
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

static void scan_next(coachidx *ci) {
    sargs a;
    sargs_init(&a);
    script_args(&a, SCRIPT_COACH_SCAN, ci->srv->cfg->redis_prefix);
    sargs_adds(&a, ci->cursor);
    sargs_addll(&a, COACHIDX_PAGE);
    int rc = script_cmd(ci->srv->st, scan_cb, ci, &a);
    if (rc != STORE_OK) {
        ci->loading = 0;
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
    if (ci->retry) event_free(ci->retry);
    match_index_free(ci->idx);
    free(ci);
}

const match_index *coachidx_index(const coachidx *ci) { return ci->idx; }
int coachidx_ready(const coachidx *ci) { return ci->ready; }
