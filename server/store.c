/* store.c — see store.h.  The only file that includes the hiredis libevent
 * adapter (it defines static functions). */
#include "server/store.h"

#include <event2/event.h>
#include <hiredis/async.h>
#include <hiredis/adapters/libevent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/log.h"

/* One command awaiting its reply.  Freed when its `refs` holders are done
 * with it: hiredis, until it called back for the command (always: the
 * reply, or NULL when the context goes away), and for a durable write its
 * WAIT group (below).  `done` is set once the user callback ran, either
 * from the reply, from the WAIT or from the timer.  A durable write's reply
 * is copied into `held` until its WAIT answers. */
typedef struct pending {
    store *s;
    store_cb *cb;
    void *ud;
    struct event *timer;
    int done;
    int refs;
    int nowait; /* a durable write without a WAIT group (out of memory) */
    redisReply *held;
    double t0; /* mx_now() when sent (the latency histogram) */
    struct pending *prev, *next;
} pending;

typedef struct link {
    redisAsyncContext *ac;
    int connected; /* usable: connected, and with Sentinels ROLE said master */
    int backoff_ms;
    struct event *retry; /* reconnect timer */
    struct event *drop;  /* tears the link down from the loop, never inside hiredis */
    struct event *check; /* the ROLE check's timer (Sentinel mode) */
    int resolving;       /* waiting for the Sentinels' answer (command link) */
    int is_sub;
    char host[sizeof(((cfg_hostport *)0)->host)];
    int port;
} link;

/* The Sentinels: the list (its order changes: the one that answered goes
 * first), the resolution in progress and the +switch-master link. */
typedef struct sentinels {
    cfg_hostport *list;
    size_t n;
    char *master_name;
    int timeout_ms;
    /* resolution: one Sentinel asked at a time, list[idx] */
    int busy;
    size_t idx;
    int answered, idontknow; /* some Sentinel answered / said IDONTKNOW */
    redisAsyncContext *ac;
    struct event *timer, *step;
    int outcome; /* of list[idx]: 0 pending, 1 an address, -1 no address */
    cfg_hostport found;
    int unreachable;
    /* +switch-master */
    redisAsyncContext *hint;
    size_t hint_idx;      /* the next listener's Sentinel in list */
    cfg_hostport hint_at; /* the listener's Sentinel (list is reordered under it) */
    int hint_fails, hint_backoff_ms;
    struct event *hint_retry;
    struct event *hint_check; /* its SUBSCRIBE's deadline (hint_check_cb) */
} sentinels;

/* Durable writes sent on one command-link context, and then the one WAIT
 * that covers them all (WAIT counts the replicas that have everything the
 * connection wrote before it).  A group is closed and its WAIT sent at the
 * end of a loop turn, or, while a WAIT is in flight on the context, when
 * that one answers: Redis blocks the connection while WAIT waits, so the
 * writes sent meanwhile run after it anyway, and one WAIT each would make
 * every one of them wait for its own round trip to the replicas.  The
 * group thus grows with the replicas' latency. */
typedef struct wgroup {
    struct store *s;
    unsigned gen; /* the context they went on (store.cmd_gen) */
    struct pending **p;
    size_t n, cap;
} wgroup;

struct store {
    struct event_base *base;
    char *host;
    int port;
    int timeout_ms;
    int min_replicas, wait_timeout_ms;
    char *channel;
    store_msg_cb *on_msg;
    void *msg_ud;
    store_connect_cb *on_cmd_connect;
    void *connect_ud;
    link cmd, sub;
    pending *head;        /* commands whose user callback is due */
    unsigned cmd_gen;     /* counts the command link's contexts */
    struct wgroup *wg;    /* durable writes sent since the last WAIT */
    struct event *wflush; /* sends wg's WAIT at the end of the loop turn */
    int wait_inflight;    /* a WAIT sent on context wait_gen has not answered */
    unsigned wait_gen;
    sentinels sen;        /* n == 0: no Sentinel */
    cfg_hostport primary; /* the last primary ROLE confirmed (port 0: none yet) */
    int closing;
    mx_hist *latency; /* NULL: not measured (store_set_latency) */
};

static void link_connect(store *s, link *l);
static void resolve_start(store *s);
static void hint_connect(store *s);

static store *link_store(link *l) {
    return l->is_sub ? (store *)((char *)l - offsetof(store, sub)) : (store *)((char *)l - offsetof(store, cmd));
}

static const char *link_name(const link *l) { return l->is_sub ? "pub/sub" : "command"; }

static void schedule_retry(store *s, link *l) {
    if (s->closing || evtimer_pending(l->retry, NULL)) return;
    struct timeval tv = { l->backoff_ms / 1000, (l->backoff_ms % 1000) * 1000 };
    evtimer_add(l->retry, &tv);
    l->backoff_ms *= 2;
    if (l->backoff_ms > STORE_BACKOFF_MAX_MS) l->backoff_ms = STORE_BACKOFF_MAX_MS;
}

/* Reconnect l now rather than at its backoff (a new primary is known). */
static void link_kick(store *s, link *l) {
    if (s->closing || l->ac || l->resolving) return;
    struct timeval now = { 0, 0 };
    evtimer_del(l->retry);
    evtimer_add(l->retry, &now);
}

/* Tear l down on the next loop turn (safe from inside a hiredis callback). */
static void link_drop(link *l) {
    if (l->ac) event_active(l->drop, EV_TIMEOUT, 0);
}

static int link_at(const link *l, const char *host, int port) { return l->port == port && !strcmp(l->host, host); }

/* The link is usable: for the command link run the connect hook and make
 * the pub/sub link follow its primary.  Its backoff is reset only by a
 * good answer on it (link_answered), not by the connect: a Redis at
 * maxclients, or a proxy without a backend, accepts and closes at once,
 * and a reset here had both links reconnect every STORE_BACKOFF_MIN_MS
 * for as long as that lasted (the scripts loaded again each time). */
static void link_ready(store *s, link *l) {
    l->connected = 1;
    if (l->check) evtimer_del(l->check);
    log_info("redis %s link connected to %s:%d%s", link_name(l), l->host, l->port,
             s->sen.n ? " (the primary, by Sentinel and ROLE)" : "");
    if (l->is_sub) return;
    if (s->sen.n) {
        if (s->primary.port && !link_at(l, s->primary.host, s->primary.port))
            log_notice("redis primary is now %s:%d (was %s:%d)", l->host, l->port, s->primary.host, s->primary.port);
        snprintf(s->primary.host, sizeof s->primary.host, "%s", l->host);
        s->primary.port = l->port;
        if (s->sub.ac && !link_at(&s->sub, l->host, l->port))
            link_drop(&s->sub);
        else
            link_kick(s, &s->sub);
    }
    if (s->on_cmd_connect) s->on_cmd_connect(s->connect_ud, s);
}

/* A reply that is not an error came on l: the server there works. */
static void link_answered(link *l, const redisReply *r) {
    if (r && r->type != REDIS_REPLY_ERROR) l->backoff_ms = STORE_BACKOFF_MIN_MS;
}

/* Subscription replies: ["subscribe", ch, n] once, then ["message", ch, payload]. */
static void on_sub(redisAsyncContext *ac, void *r, void *privdata) {
    (void)ac;
    store *s = privdata;
    redisReply *rep = r;
    if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements != 3) return;
    redisReply *kind = rep->element[0];
    if (kind->type != REDIS_REPLY_STRING) return;
    if (!strcmp(kind->str, "subscribe")) {
        link_answered(&s->sub, rep);
        s->on_msg(s->msg_ud, NULL, 0);
    } else if (!strcmp(kind->str, "message") && rep->element[2]->type == REDIS_REPLY_STRING) {
        s->on_msg(s->msg_ud, rep->element[2]->str, rep->element[2]->len);
    }
}

static void link_subscribe(store *s, link *l) { redisAsyncCommand(l->ac, on_sub, s, "SUBSCRIBE %s", s->channel); }

/* ROLE's answer on a new link (Sentinel mode): only a master is kept. */
static void on_role(redisAsyncContext *ac, void *r, void *privdata) {
    link *l = privdata;
    store *s = link_store(l);
    redisReply *rep = r;
    if (!rep || l->ac != ac) return; /* the link went meanwhile */
    const redisReply *role = mel(rep, 0);
    if (role && role->type == REDIS_REPLY_STRING && !strcmp(role->str, "master")) {
        link_answered(l, rep);
        if (l->is_sub) link_subscribe(s, l);
        link_ready(s, l);
        return;
    }
    log_warn("redis %s link: %s:%d is not the primary (ROLE %s): asking the Sentinels again", link_name(l), l->host,
             l->port, role && role->type == REDIS_REPLY_STRING ? role->str : "failed");
    if (l->check) evtimer_del(l->check);
    link_drop(l);
}

/* l->check: a link not usable within redis-timeout-ms of its connect
 * (link_arm_check), or of its ROLE, is dropped and retried (with
 * Sentinels: they are asked again).  hiredis has no connect timeout of its
 * own: a connect to a host that is gone (no RST: powered off, partitioned)
 * sat in SYN-SENT for the kernel's ~2 minutes, and the retry waited. */
static void check_cb(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    link *l = arg;
    store *s = link_store(l);
    if (!l->ac || l->connected) return;
    if (!(l->ac->c.flags & REDIS_CONNECTED))
        log_warn("redis %s link: connect to %s:%d timed out after %d ms%s", link_name(l), l->host, l->port,
                 s->timeout_ms, s->sen.n ? ": asking the Sentinels again" : "");
    else
        log_warn("redis %s link: %s:%d did not answer ROLE in time: asking the Sentinels again", link_name(l), l->host,
                 l->port);
    link_drop(l);
}

static void link_arm_check(store *s, link *l) {
    struct timeval tv = { s->timeout_ms / 1000, (s->timeout_ms % 1000) * 1000 };
    evtimer_add(l->check, &tv);
}

static void on_connect(const redisAsyncContext *ac, int status) {
    link *l = ac->data;
    store *s = link_store(l);
    if (l->ac != ac) return; /* a context dropped while connecting */
    if (status != REDIS_OK) {
        log_warn("redis %s link: connect to %s:%d failed: %s", link_name(l), l->host, l->port, ac->errstr);
        l->ac = NULL; /* hiredis frees the context itself */
        l->connected = 0;
        evtimer_del(l->check);
        schedule_retry(s, l);
        return;
    }
    if (s->sen.n) { /* not usable before ROLE says master */
        link_arm_check(s, l);
        redisAsyncCommand(l->ac, on_role, l, "ROLE");
        return;
    }
    if (l->is_sub) link_subscribe(s, l);
    link_ready(s, l);
}

static void on_disconnect(const redisAsyncContext *ac, int status) {
    link *l = ac->data;
    store *s = link_store(l);
    if (l->ac != ac) return; /* a context this store dropped itself */
    if (!s->closing) log_warn("redis %s link lost (%s)", link_name(l), status == REDIS_OK ? "closed" : ac->errstr);
    l->ac = NULL;
    l->connected = 0;
    if (l->check) evtimer_del(l->check);
    schedule_retry(s, l);
}

/* Connect l to host:port (an IP literal). */
static void link_connect_to(store *s, link *l, const char *host, int port) {
    snprintf(l->host, sizeof l->host, "%s", host);
    l->port = port;
    redisAsyncContext *ac = redisAsyncConnect(host, port);
    if (!ac) {
        schedule_retry(s, l);
        return;
    }
    if (ac->err) {
        log_warn("redis connect to %s:%d: %s", host, port, ac->errstr);
        redisAsyncFree(ac);
        schedule_retry(s, l);
        return;
    }
    ac->data = l;
    if (redisLibeventAttach(ac, s->base) != REDIS_OK) {
        redisAsyncFree(ac);
        schedule_retry(s, l);
        return;
    }
    redisAsyncSetConnectCallback(ac, on_connect);
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
    l->ac = ac;
    link_arm_check(s, l);
    if (!l->is_sub) s->cmd_gen++;
}

/* (Re)connect l.  Without Sentinels: the configured address.  With them
 * the command link asks them first, every time (the guidelines: never
 * reuse a resolved address), and the pub/sub link waits for the primary
 * the command link accepted. */
static void link_connect(store *s, link *l) {
    if (!s->sen.n) {
        link_connect_to(s, l, s->host, s->port);
    } else if (!l->is_sub) {
        l->resolving = 1;
        resolve_start(s);
    } else if (store_connected(s)) {
        link_connect_to(s, l, s->cmd.host, s->cmd.port);
    } else {
        schedule_retry(s, l); /* link_ready() of the command link kicks it */
    }
}

static void retry_cb(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    link *l = arg;
    store *s = link_store(l);
    if (!l->ac && !l->resolving) link_connect(s, l);
}

/* Drop a link (our own event callback, never inside hiredis): its pending
 * replies get NULL, and it reconnects from its timer. */
static void drop_cb(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    link *l = arg;
    store *s = link_store(l);
    redisAsyncContext *ac = l->ac;
    if (!ac) return;
    l->ac = NULL;
    l->connected = 0;
    if (l->check) evtimer_del(l->check);
    redisAsyncFree(ac); /* pending replies -> NULL; on_disconnect ignores it */
    schedule_retry(s, l);
}

/* ---------------------------------------------------------- Sentinels */

void store_sentinel_promote(cfg_hostport *list, size_t n, size_t i) {
    if (i == 0 || i >= n) return;
    cfg_hostport first = list[i];
    memmove(list + 1, list, i * sizeof *list);
    list[0] = first;
}

static void set_unreachable(store *s, int v) {
    sentinels *sn = &s->sen;
    if (v == sn->unreachable) return;
    sn->unreachable = v;
    if (v && s->primary.port)
        log_warn("no Sentinel answers: serving from the last known primary %s:%d", s->primary.host, s->primary.port);
    else if (v)
        log_warn("no Sentinel answers, and no primary is known yet");
    else
        log_notice("the Sentinels answer again");
}

/* The resolution is over: connect the command link to the address found,
 * or, when no Sentinel gave one, to the last primary ROLE confirmed. */
static void resolve_done(store *s, int ok) {
    static log_limit ll_unknown;
    sentinels *sn = &s->sen;
    sn->busy = 0;
    if (ok) {
        set_unreachable(s, 0);
    } else if (!sn->answered) {
        set_unreachable(s, 1);
    } else {
        set_unreachable(s, 0);
        log_limited(&ll_unknown, CFG_LOG_ERROR,
                    sn->idontknow ? "the Sentinels do not know the address of master %s yet (IDONTKNOW)"
                                  : "no Sentinel knows a master named %s (redis-master-name)",
                    sn->master_name);
    }
    if (!s->cmd.resolving) return;
    s->cmd.resolving = 0;
    const cfg_hostport *to = ok ? &sn->found : s->primary.port ? &s->primary : NULL;
    if (to)
        link_connect_to(s, &s->cmd, to->host, to->port);
    else
        schedule_retry(s, &s->cmd);
}

/* Ask list[idx]; every outcome (an answer, a failure, the timer) sets
 * sn->outcome and activates sn->step, which goes on from the loop. */
static void ask_next(store *s);

static void ask_reply(redisAsyncContext *ac, void *r, void *privdata) {
    store *s = privdata;
    sentinels *sn = &s->sen;
    redisReply *rep = r;
    if (!rep || ac != sn->ac || sn->outcome) return;
    sn->answered = 1;
    sn->outcome = -1;
    if (mel_strs(rep, 0, 2) && rep->elements == 2) {
        const char *host = rep->element[0]->str;
        long port = strtol(rep->element[1]->str, NULL, 10);
        if (strlen(host) < sizeof sn->found.host && port > 0 && port <= 65535) {
            snprintf(sn->found.host, sizeof sn->found.host, "%s", host);
            sn->found.port = (int)port;
            sn->outcome = 1;
        }
    } else if (rep->type == REDIS_REPLY_ERROR && !strncmp(rep->str, "IDONTKNOW", 9)) {
        sn->idontknow = 1;
    }
    event_active(sn->step, EV_TIMEOUT, 0);
}

static void ask_connected(const redisAsyncContext *ac, int status) {
    store *s = ac->data;
    sentinels *sn = &s->sen;
    if (ac != sn->ac || status == REDIS_OK) return;
    sn->ac = NULL; /* hiredis frees it */
    if (!sn->outcome) sn->outcome = -1;
    event_active(sn->step, EV_TIMEOUT, 0);
}

static void ask_disconnected(const redisAsyncContext *ac, int status) {
    (void)status;
    store *s = ac->data;
    sentinels *sn = &s->sen;
    if (ac != sn->ac) return;
    sn->ac = NULL;
    if (!sn->outcome) sn->outcome = -1;
    event_active(sn->step, EV_TIMEOUT, 0);
}

static void ask_timeout(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    store *s = arg;
    if (!s->sen.outcome) s->sen.outcome = -1;
    event_active(s->sen.step, EV_TIMEOUT, 0);
}

static void ask_close(sentinels *sn) {
    evtimer_del(sn->timer);
    redisAsyncContext *ac = sn->ac;
    sn->ac = NULL;
    if (ac) redisAsyncFree(ac);
}

static void ask_step(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    store *s = arg;
    sentinels *sn = &s->sen;
    if (!sn->busy || !sn->outcome) return;
    ask_close(sn);
    if (sn->outcome > 0) {
        store_sentinel_promote(sn->list, sn->n, sn->idx);
        resolve_done(s, 1);
        return;
    }
    sn->idx++;
    ask_next(s);
}

static void ask_next(store *s) {
    sentinels *sn = &s->sen;
    for (; sn->idx < sn->n; sn->idx++) {
        const cfg_hostport *at = &sn->list[sn->idx];
        redisAsyncContext *ac = redisAsyncConnect(at->host, at->port);
        if (!ac) continue;
        if (ac->err || redisLibeventAttach(ac, s->base) != REDIS_OK) {
            redisAsyncFree(ac);
            continue;
        }
        ac->data = s;
        redisAsyncSetConnectCallback(ac, ask_connected);
        redisAsyncSetDisconnectCallback(ac, ask_disconnected);
        sn->ac = ac;
        sn->outcome = 0;
        redisAsyncCommand(ac, ask_reply, s, "SENTINEL get-master-addr-by-name %s", sn->master_name);
        struct timeval tv = { sn->timeout_ms / 1000, (sn->timeout_ms % 1000) * 1000 };
        evtimer_add(sn->timer, &tv);
        return;
    }
    resolve_done(s, 0);
}

static void resolve_start(store *s) {
    sentinels *sn = &s->sen;
    if (sn->busy) return;
    sn->busy = 1;
    sn->idx = 0;
    sn->answered = sn->idontknow = 0;
    ask_next(s);
}

/* ---- +switch-master: a hint ---- */

/* The listener on sn->hint_at failed: the next one listens on the Sentinel
 * after it.  After it in the list as it is now: the command link moves the
 * Sentinel that answered it to the front (store_sentinel_promote), so the
 * index the listener had may now hold another (the one that failed came
 * round again at once). */
static void hint_failed(store *s) {
    sentinels *sn = &s->sen;
    size_t at = sn->hint_idx;
    for (size_t i = 0; i < sn->n; i++)
        if (sn->list[i].port == sn->hint_at.port && !strcmp(sn->list[i].host, sn->hint_at.host)) at = i;
    sn->hint_idx = (at + 1) % sn->n;
    if (++sn->hint_fails >= (int)sn->n) set_unreachable(s, 1);
    if (s->closing || evtimer_pending(sn->hint_retry, NULL)) return;
    struct timeval tv = { sn->hint_backoff_ms / 1000, (sn->hint_backoff_ms % 1000) * 1000 };
    evtimer_add(sn->hint_retry, &tv);
    sn->hint_backoff_ms *= 2;
    if (sn->hint_backoff_ms > STORE_BACKOFF_MAX_MS) sn->hint_backoff_ms = STORE_BACKOFF_MAX_MS;
}

/* "+switch-master": "<name> <old ip> <old port> <new ip> <new port>".  A
 * link on another address than the new one is dropped (it reconnects
 * through the Sentinels); a link waiting for its backoff goes now. */
static void hint_msg(redisAsyncContext *ac, void *r, void *privdata) {
    store *s = privdata;
    sentinels *sn = &s->sen;
    redisReply *rep = r;
    if (!rep || ac != sn->hint || !mel_strs(rep, 0, 1) || rep->elements != 3) return;
    if (!strcmp(rep->element[0]->str, "subscribe")) {
        evtimer_del(sn->hint_check);
        sn->hint_fails = 0;
        sn->hint_backoff_ms = STORE_BACKOFF_MIN_MS;
        set_unreachable(s, 0);
        log_info("Sentinel %s:%d: listening for +switch-master", sn->hint_at.host, sn->hint_at.port);
        return;
    }
    if (strcmp(rep->element[0]->str, "message") || rep->element[2]->type != REDIS_REPLY_STRING) return;
    char name[256], oldh[64], newh[64];
    int oldp, newp;
    if (sscanf(rep->element[2]->str, "%255s %63s %d %63s %d", name, oldh, &oldp, newh, &newp) != 5 ||
        strcmp(name, sn->master_name))
        return;
    log_notice("Sentinel: +switch-master %s from %s:%d to %s:%d", name, oldh, oldp, newh, newp);
    link *links[2] = { &s->cmd, &s->sub };
    for (int i = 0; i < 2; i++) {
        link *l = links[i];
        if (l->ac && !link_at(l, newh, newp))
            link_drop(l);
        else if (!l->ac && !l->is_sub)
            link_kick(s, l);
    }
}

static void hint_connected(const redisAsyncContext *ac, int status) {
    store *s = ac->data;
    if (ac != s->sen.hint || status == REDIS_OK) return;
    s->sen.hint = NULL; /* hiredis frees it */
    evtimer_del(s->sen.hint_check);
    hint_failed(s);
}

static void hint_disconnected(const redisAsyncContext *ac, int status) {
    (void)status;
    store *s = ac->data;
    if (ac != s->sen.hint) return;
    s->sen.hint = NULL;
    evtimer_del(s->sen.hint_check);
    if (!s->closing) hint_failed(s);
}

/* sn->hint_check: a listener not subscribed within redis-timeout-ms of its
 * connect moves on to the next Sentinel, as a command link does
 * (check_cb): the connect to a Sentinel whose host is gone without a RST
 * sat in SYN-SENT for the kernel's ~2 minutes, and no +switch-master came
 * meanwhile.  Not inside a hiredis callback: the context is freed here. */
static void hint_check_cb(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    store *s = arg;
    sentinels *sn = &s->sen;
    redisAsyncContext *ac = sn->hint;
    if (!ac) return;
    log_warn("Sentinel %s:%d: no SUBSCRIBE answer within %d ms: trying the next", sn->hint_at.host, sn->hint_at.port,
             s->timeout_ms);
    sn->hint = NULL; /* its disconnect callback then leaves it alone */
    redisAsyncFree(ac);
    hint_failed(s);
}

static void hint_connect(store *s) {
    sentinels *sn = &s->sen;
    sn->hint_at = sn->list[sn->hint_idx];
    const cfg_hostport *at = &sn->hint_at;
    redisAsyncContext *ac = redisAsyncConnect(at->host, at->port);
    if (!ac || ac->err || redisLibeventAttach(ac, s->base) != REDIS_OK) {
        if (ac) redisAsyncFree(ac);
        hint_failed(s);
        return;
    }
    ac->data = s;
    redisAsyncSetConnectCallback(ac, hint_connected);
    redisAsyncSetDisconnectCallback(ac, hint_disconnected);
    /* It only listens: until its SUBSCRIBE is answered hint_check ends it
     * when its Sentinel's host is gone without a RST, and from then on TCP
     * keepalive does (hiredis: idle 15 s, then probes), so that
     * hint_failed moves on to the next Sentinel. */
    redisEnableKeepAlive(&ac->c);
    sn->hint = ac;
    redisAsyncCommand(ac, hint_msg, s, "SUBSCRIBE +switch-master");
    struct timeval tv = { s->timeout_ms / 1000, (s->timeout_ms % 1000) * 1000 };
    evtimer_add(sn->hint_check, &tv);
}

static void hint_retry_cb(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    store *s = arg;
    if (!s->sen.hint && !s->closing) hint_connect(s);
}

int store_sentinels_unreachable(const store *s) { return s->sen.n && s->sen.unreachable; }

void store_primary(const store *s, char *host, size_t hostsz, int *port) {
    int up = store_connected(s);
    snprintf(host, hostsz, "%s", up ? s->cmd.host : "");
    *port = up ? s->cmd.port : 0;
}

/* --------------------------------------------------------- commands */

static void pending_unlink(store *s, pending *p) {
    if (p->prev)
        p->prev->next = p->next;
    else
        s->head = p->next;
    if (p->next) p->next->prev = p->prev;
    p->prev = p->next = NULL;
}

/* Run the user callback once. */
static void pending_finish(pending *p, redisReply *r, int status) {
    if (p->done) return;
    p->done = 1;
    if (p->s->latency) mx_observe(p->s->latency, mx_now() - p->t0);
    if (p->timer) evtimer_del(p->timer);
    pending_unlink(p->s, p);
    p->cb(p->ud, r, status);
}

static void reply_free(redisReply *r) {
    if (!r) return;
    if (r->type == REDIS_REPLY_ARRAY)
        for (size_t i = 0; i < r->elements; i++) reply_free(r->element[i]);
    free(r->element);
    free(r->str);
    free(r);
}

/* A deep copy of r (NULL when out of memory), freed with reply_free. */
static redisReply *reply_dup(const redisReply *r) {
    redisReply *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->type = r->type;
    c->integer = r->integer;
    if (r->str) {
        c->str = malloc(r->len + 1);
        if (!c->str) goto oom;
        memcpy(c->str, r->str, r->len);
        c->str[r->len] = '\0';
        c->len = r->len;
    }
    if (r->type == REDIS_REPLY_ARRAY && r->elements) {
        c->element = calloc(r->elements, sizeof *c->element);
        if (!c->element) goto oom;
        c->elements = r->elements;
        for (size_t i = 0; i < r->elements; i++)
            if (!(c->element[i] = reply_dup(r->element[i]))) goto oom;
    }
    return c;
oom:
    reply_free(c);
    return NULL;
}

static void pending_release(pending *p) {
    if (--p->refs > 0) return;
    reply_free(p->held);
    if (p->timer) event_free(p->timer);
    free(p);
}

/* READONLY: the link is on a replica (a demoted primary whose clients
 * Sentinel did not disconnect): drop it, so that it asks again. */
static void check_readonly(store *s, const redisReply *r) {
    if (s->sen.n && r && r->type == REDIS_REPLY_ERROR && r->str && !strncmp(r->str, "READONLY", 8) && s->cmd.ac) {
        log_warn("redis %s:%d answered READONLY: asking the Sentinels again", s->cmd.host, s->cmd.port);
        link_drop(&s->cmd);
    }
}

static void cmd_timeout(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    pending *p = arg;
    store *s = p->s;
    pending_finish(p, NULL, STORE_UNAVAILABLE);
    if (s->cmd.ac) {
        log_warn("redis command timed out after %d ms: reconnecting", s->timeout_ms);
        link_drop(&s->cmd);
    }
}

static void cmd_reply(redisAsyncContext *ac, void *r, void *privdata) {
    (void)ac;
    pending *p = privdata;
    link_answered(&p->s->cmd, r);
    check_readonly(p->s, r);
    pending_finish(p, r, r ? STORE_OK : STORE_UNAVAILABLE);
    pending_release(p);
}

/* A durable write's own reply: kept until its WAIT answers. */
static void cmd_reply_held(redisAsyncContext *ac, void *r, void *privdata) {
    (void)ac;
    pending *p = privdata;
    link_answered(&p->s->cmd, r);
    check_readonly(p->s, r);
    if (!r || p->nowait)
        pending_finish(p, NULL, STORE_UNAVAILABLE);
    else if (!p->done && !(p->held = reply_dup(r)))
        pending_finish(p, NULL, STORE_UNAVAILABLE);
    pending_release(p);
}

/* Answer every write of g: with its held reply when the WAIT reply counts
 * enough replicas, else unavailable; then free g. */
static void wgroup_end(store *s, wgroup *g, const redisReply *rep) {
    static log_limit ll_short;
    int ok = rep && rep->type == REDIS_REPLY_INTEGER && rep->integer >= s->min_replicas;
    if (rep && !ok)
        log_limited(&ll_short, CFG_LOG_WARNING,
                    "redis WAIT: %lld of %d replicas confirmed %zu write(s) within %d ms: answered unavailable",
                    rep->type == REDIS_REPLY_INTEGER ? rep->integer : -1LL, s->min_replicas, g->n, s->wait_timeout_ms);
    for (size_t i = 0; i < g->n; i++) {
        pending *p = g->p[i];
        if (ok && p->held)
            pending_finish(p, p->held, STORE_OK);
        else
            pending_finish(p, NULL, STORE_UNAVAILABLE);
        pending_release(p);
    }
    free(g->p);
    free(g);
}

static void wait_reply(redisAsyncContext *ac, void *r, void *privdata) {
    (void)ac;
    wgroup *g = privdata;
    store *s = g->s;
    if (s->wait_gen == g->gen) s->wait_inflight = 0;
    if (s->wg) event_active(s->wflush, EV_TIMEOUT, 0); /* the writes sent meanwhile */
    wgroup_end(s, g, r);
}

/* End of the loop turn: one WAIT behind the turn's durable writes, on the
 * context they went on.  If that context is gone, their replies were NULL
 * (answered unavailable already): the group only lets go of them. */
static void wflush_cb(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    store *s = arg;
    wgroup *g = s->wg;
    if (!g) return;
    if (g->gen == s->cmd_gen && s->cmd.ac && s->wait_inflight && s->wait_gen == g->gen)
        return; /* sent when the WAIT in flight answers (wait_reply) */
    s->wg = NULL;
    if (g->gen != s->cmd_gen || !s->cmd.ac ||
        redisAsyncCommand(s->cmd.ac, wait_reply, g, "WAIT %d %d", s->min_replicas, s->wait_timeout_ms) != REDIS_OK) {
        wgroup_end(s, g, NULL);
        return;
    }
    s->wait_inflight = 1;
    s->wait_gen = g->gen;
}

/* Add p (just sent) to this turn's WAIT group; -1 when out of memory. */
static int wgroup_add(store *s, pending *p) {
    if (s->wg && s->wg->gen != s->cmd_gen) { /* the context changed within the turn */
        wgroup_end(s, s->wg, NULL);
        s->wg = NULL;
    }
    if (!s->wg) {
        s->wg = calloc(1, sizeof *s->wg);
        if (!s->wg) return -1;
        s->wg->s = s;
        s->wg->gen = s->cmd_gen;
        event_active(s->wflush, EV_TIMEOUT, 0);
    }
    wgroup *g = s->wg;
    if (g->n == g->cap) {
        size_t ncap = g->cap ? 2 * g->cap : 16;
        pending **np = realloc(g->p, ncap * sizeof *np);
        if (!np) return -1;
        g->p = np;
        g->cap = ncap;
    }
    g->p[g->n++] = p;
    p->refs++;
    return 0;
}

store *store_new(struct event_base *base, const store_conf *conf, store_msg_cb *on_msg, void *msg_ud) {
    store *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->base = base;
    s->host = strdup(conf->host);
    s->channel = strdup(conf->channel);
    s->port = conf->port;
    s->timeout_ms = conf->timeout_ms;
    s->min_replicas = conf->min_replicas;
    s->wait_timeout_ms = conf->wait_timeout_ms;
    s->on_msg = on_msg;
    s->msg_ud = msg_ud;
    s->sub.is_sub = 1;
    s->cmd.backoff_ms = s->sub.backoff_ms = STORE_BACKOFF_MIN_MS;
    link *links[2] = { &s->cmd, &s->sub };
    int ok = s->host && s->channel;
    for (int i = 0; i < 2; i++) {
        links[i]->retry = evtimer_new(base, retry_cb, links[i]);
        links[i]->drop = event_new(base, -1, 0, drop_cb, links[i]);
        links[i]->check = evtimer_new(base, check_cb, links[i]);
        ok = ok && links[i]->retry && links[i]->drop && links[i]->check;
    }
    s->wflush = event_new(base, -1, 0, wflush_cb, s);
    ok = ok && s->wflush;
    sentinels *sn = &s->sen;
    if (ok && conf->n_sentinels) {
        sn->list = malloc(conf->n_sentinels * sizeof *sn->list);
        sn->master_name = strdup(conf->master_name);
        sn->timer = evtimer_new(base, ask_timeout, s);
        sn->step = event_new(base, -1, 0, ask_step, s);
        sn->hint_retry = evtimer_new(base, hint_retry_cb, s);
        sn->hint_check = evtimer_new(base, hint_check_cb, s);
        sn->timeout_ms = conf->sentinel_timeout_ms;
        sn->hint_backoff_ms = STORE_BACKOFF_MIN_MS;
        ok = sn->list && sn->master_name && sn->timer && sn->step && sn->hint_retry && sn->hint_check;
        if (sn->list) memcpy(sn->list, conf->sentinels, conf->n_sentinels * sizeof *sn->list);
        if (ok) sn->n = conf->n_sentinels;
    }
    if (!ok) {
        store_free(s);
        return NULL;
    }
    link_connect(s, &s->cmd);
    link_connect(s, &s->sub);
    if (sn->n) hint_connect(s);
    return s;
}

void store_on_connect(store *s, store_connect_cb *cb, void *ud) {
    s->on_cmd_connect = cb;
    s->connect_ud = ud;
}

void store_free(store *s) {
    if (!s) return;
    s->closing = 1;
    redisAsyncContext *c = s->cmd.ac, *u = s->sub.ac, *q = s->sen.ac, *h = s->sen.hint;
    s->cmd.ac = s->sub.ac = s->sen.ac = s->sen.hint = NULL;
    s->cmd.connected = s->sub.connected = 0;
    if (c) redisAsyncFree(c);
    if (u) redisAsyncFree(u);
    if (q) redisAsyncFree(q);
    if (h) redisAsyncFree(h);
    /* Commands never handed to a context cannot exist: store_cmd only
     * accepts while connected, and redisAsyncFree answered the rest; a
     * WAIT group not sent yet only lets go of them. */
    if (s->wg) wgroup_end(s, s->wg, NULL);
    s->wg = NULL;
    if (s->wflush) event_free(s->wflush);
    link *links[2] = { &s->cmd, &s->sub };
    for (int i = 0; i < 2; i++) {
        if (links[i]->retry) event_free(links[i]->retry);
        if (links[i]->drop) event_free(links[i]->drop);
        if (links[i]->check) event_free(links[i]->check);
    }
    if (s->sen.timer) event_free(s->sen.timer);
    if (s->sen.step) event_free(s->sen.step);
    if (s->sen.hint_retry) event_free(s->sen.hint_retry);
    if (s->sen.hint_check) event_free(s->sen.hint_check);
    free(s->sen.list);
    free(s->sen.master_name);
    free(s->host);
    free(s->channel);
    free(s);
}

int store_connected(const store *s) { return s->cmd.connected && s->cmd.ac != NULL; }

int store_sub_connected(const store *s) { return s->sub.connected && s->sub.ac != NULL; }

void store_set_latency(store *s, mx_hist *h) { s->latency = h; }

static int send_cmd(store *s, store_cb *cb, void *ud, int argc, const char **argv, const size_t *argvlen, int durable) {
    if (!store_connected(s) || s->closing) return STORE_UNAVAILABLE;
    pending *p = calloc(1, sizeof *p);
    if (!p) return STORE_UNAVAILABLE;
    p->s = s;
    p->cb = cb;
    p->ud = ud;
    p->refs = 1;
    p->t0 = mx_now();
    p->timer = evtimer_new(s->base, cmd_timeout, p);
    if (!p->timer) {
        free(p);
        return STORE_UNAVAILABLE;
    }
    int ms = s->timeout_ms;
    if (!durable) {
        if (redisAsyncCommandArgv(s->cmd.ac, cmd_reply, p, argc, argv, argvlen) != REDIS_OK) {
            event_free(p->timer);
            free(p);
            return STORE_UNAVAILABLE;
        }
    } else {
        if (redisAsyncCommandArgv(s->cmd.ac, cmd_reply_held, p, argc, argv, argvlen) != REDIS_OK) {
            event_free(p->timer);
            free(p);
            return STORE_UNAVAILABLE;
        }
        /* Behind it on the same connection: the WAIT of its group (wgroup). */
        if (wgroup_add(s, p)) p->nowait = 1; /* out of memory: the write's reply answers unavailable */
        ms += 2 * s->wait_timeout_ms;        /* the WAIT in flight, then its own */
    }
    p->next = s->head;
    if (s->head) s->head->prev = p;
    s->head = p;
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
    evtimer_add(p->timer, &tv);
    return STORE_OK;
}

int store_cmd(store *s, store_cb *cb, void *ud, int argc, const char **argv, const size_t *argvlen) {
    return send_cmd(s, cb, ud, argc, argv, argvlen, 0);
}

int store_cmd_durable(store *s, store_cb *cb, void *ud, int argc, const char **argv, const size_t *argvlen) {
    return send_cmd(s, cb, ud, argc, argv, argvlen, s->min_replicas > 0);
}

/* ---- argument vectors ---- */

void sargs_init(sargs *a) { memset(a, 0, sizeof *a); }

static int sargs_grow(sargs *a) {
    if (a->oom) return -1;
    if (a->argc < a->cap) return 0;
    int ncap = a->cap ? a->cap * 2 : 16;
    const char **nv = realloc(a->argv, (size_t)ncap * sizeof *nv);
    if (nv) a->argv = nv;
    size_t *nl = realloc(a->len, (size_t)ncap * sizeof *nl);
    if (nl) a->len = nl;
    char **no = realloc(a->owned, (size_t)ncap * sizeof *no);
    if (no) a->owned = no;
    if (!nv || !nl || !no) {
        a->oom = 1;
        return -1;
    }
    a->cap = ncap;
    return 0;
}

void sargs_add(sargs *a, const void *p, size_t len) {
    if (sargs_grow(a)) return;
    a->argv[a->argc] = p ? p : "";
    a->len[a->argc] = len;
    a->owned[a->argc] = NULL;
    a->argc++;
}

void sargs_adds(sargs *a, const char *s) { sargs_add(a, s, strlen(s)); }

void sargs_addf(sargs *a, const char *fmt, ...) {
    if (sargs_grow(a)) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!buf) {
        a->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(buf, (size_t)n + 1, fmt, ap);
    va_end(ap);
    a->argv[a->argc] = buf;
    a->len[a->argc] = (size_t)n;
    a->owned[a->argc] = buf;
    a->argc++;
}

void sargs_addll(sargs *a, long long v) { sargs_addf(a, "%lld", v); }

void sargs_add_copy(sargs *a, const char *s) { sargs_addf(a, "%s", s); }

void sargs_own(sargs *a, int from) {
    for (int i = from; i < a->argc && !a->oom; i++) {
        if (a->owned[i]) continue;
        char *p = malloc(a->len[i] + 1);
        if (!p) {
            a->oom = 1;
            return;
        }
        memcpy(p, a->argv[i], a->len[i]);
        p[a->len[i]] = '\0';
        a->argv[i] = p;
        a->owned[i] = p;
    }
}

void sargs_free(sargs *a) {
    for (int i = 0; i < a->argc; i++) free(a->owned[i]);
    free(a->argv);
    free(a->len);
    free(a->owned);
    memset(a, 0, sizeof *a);
}

int store_cmda(store *s, store_cb *cb, void *ud, const sargs *a) {
    if (a->oom) return STORE_UNAVAILABLE;
    return store_cmd(s, cb, ud, a->argc, a->argv, a->len);
}

int store_cmda_durable(store *s, store_cb *cb, void *ud, const sargs *a) {
    if (a->oom) return STORE_UNAVAILABLE;
    return store_cmd_durable(s, cb, ud, a->argc, a->argv, a->len);
}

/* ------------------------------------------------------------ replies */

int mel_strs(const redisReply *r, size_t from, size_t to) {
    if (!r || r->type != REDIS_REPLY_ARRAY || to > r->elements) return 0;
    for (size_t i = from; i < to; i++)
        if (r->element[i]->type != REDIS_REPLY_STRING) return 0;
    return 1;
}

const redisReply *mel(const redisReply *r, size_t i) {
    if (!r || r->type != REDIS_REPLY_ARRAY || i >= r->elements) return NULL;
    return r->element[i];
}

long long mel_ll(const redisReply *r, size_t i, long long dflt) {
    const redisReply *e = mel(r, i);
    if (!e) return dflt;
    if (e->type == REDIS_REPLY_INTEGER) return e->integer;
    if (e->type == REDIS_REPLY_STRING) return strtoll(e->str, NULL, 10);
    return dflt;
}
