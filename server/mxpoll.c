/* mxpoll.c -- the /metrics values that live in Redis (mxpoll.h). */
#include "server/mxpoll.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "server/keys.h"
#include "server/server.h"
#include "server/store.h"

struct mxpoll {
    server *srv;
    struct event *timer; /* persistent, MXPOLL_INTERVAL_MS */
    int inflight;        /* commands of the last poll not answered yet */
    char k_count[128], k_outbox[128];
};

/* HGETALL count:match -> matches by status (statuses unknown to this
 * version are skipped; a status with no field is 0). */
static void counts_cb(void *ud, redisReply *r, int status) {
    mxpoll *p = ud;
    metrics *m = &p->srv->mx;
    p->inflight--;
    if (status != STORE_OK || !r || r->type != REDIS_REPLY_ARRAY) return;
    int64_t got[PROTO_MATCH_STATUS__COUNT] = { 0 };
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
        const redisReply *k = r->element[i], *v = r->element[i + 1];
        if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING) continue;
        for (int st = 0; st < PROTO_MATCH_STATUS__COUNT; st++)
            if (strcmp(k->str, proto_match_status_names[st]) == 0) got[st] = strtoll(v->str, NULL, 10);
    }
    memcpy(m->matches, got, sizeof got);
    m->have_matches = 1;
}

static void outbox_cb(void *ud, redisReply *r, int status) {
    mxpoll *p = ud;
    p->inflight--;
    if (status != STORE_OK || !r || r->type != REDIS_REPLY_INTEGER) return;
    p->srv->mx.outbox_depth = r->integer;
    p->srv->mx.have_outbox = 1;
}

static void poll_cb(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    mxpoll *p = arg;
    store *st = p->srv->st;
    if (p->inflight || !st || !store_connected(st)) return; /* the last poll still out, or no Redis */
    const char *hget[] = { "HGETALL", p->k_count }, *xlen[] = { "XLEN", p->k_outbox };
    if (store_cmd(st, counts_cb, p, 2, hget, NULL) == STORE_OK) p->inflight++;
    if (store_cmd(st, outbox_cb, p, 2, xlen, NULL) == STORE_OK) p->inflight++;
}

mxpoll *mxpoll_new(server *s) {
    mxpoll *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->srv = s;
    const char *prefix = s->cfg->redis_prefix;
    if (keys_name(p->k_count, sizeof p->k_count, prefix, KEY_COUNT_MATCH, NULL) < 0 ||
        keys_name(p->k_outbox, sizeof p->k_outbox, prefix, KEY_OUTBOX, NULL) < 0) {
        free(p);
        return NULL;
    }
    p->timer = event_new(s->base, -1, EV_PERSIST, poll_cb, p);
    if (!p->timer) {
        free(p);
        return NULL;
    }
    struct timeval tv = { MXPOLL_INTERVAL_MS / 1000, (MXPOLL_INTERVAL_MS % 1000) * 1000 };
    evtimer_add(p->timer, &tv);
    return p;
}

void mxpoll_free(mxpoll *p) {
    if (!p) return;
    event_free(p->timer);
    free(p);
}
