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

/* One command awaiting its reply.  Owned by hiredis (privdata) until
 * hiredis calls cmd_reply, which always happens (reply, or NULL when the
 * context goes away).  `done` is set once the user callback ran, either
 * from the reply or from the timer. */
typedef struct pending {
    store *s;
    store_cb *cb;
    void *ud;
    struct event *timer;
    int done;
    double t0; /* mx_now() when sent (the latency histogram) */
    struct pending *prev, *next;
} pending;

typedef struct link {
    redisAsyncContext *ac;
    int connected;
    int backoff_ms;
    struct event *retry; /* reconnect timer */
    int is_sub;
} link;

struct store {
    struct event_base *base;
    char *host;
    int port;
    int timeout_ms;
    char *channel;
    store_msg_cb *on_msg;
    void *msg_ud;
    store_connect_cb *on_cmd_connect;
    void *connect_ud;
    link cmd, sub;
    pending *head;      /* commands whose user callback is due */
    struct event *kill; /* tears the command link down after a timeout */
    int closing;
    mx_hist *latency; /* NULL: not measured (store_set_latency) */
};

static void link_connect(store *s, link *l);

static store *link_store(link *l) {
    return l->is_sub ? (store *)((char *)l - offsetof(store, sub)) : (store *)((char *)l - offsetof(store, cmd));
}

static void schedule_retry(store *s, link *l) {
    if (s->closing || evtimer_pending(l->retry, NULL)) return;
    struct timeval tv = { l->backoff_ms / 1000, (l->backoff_ms % 1000) * 1000 };
    evtimer_add(l->retry, &tv);
    l->backoff_ms *= 2;
    if (l->backoff_ms > STORE_BACKOFF_MAX_MS) l->backoff_ms = STORE_BACKOFF_MAX_MS;
}

static void on_connect(const redisAsyncContext *ac, int status) {
    link *l = ac->data;
    store *s = link_store(l);
    if (status != REDIS_OK) {
        log_warn("redis %s link: connect to %s:%d failed: %s", l->is_sub ? "pub/sub" : "command", s->host, s->port,
                 ac->errstr);
        l->ac = NULL; /* hiredis frees the context itself */
        l->connected = 0;
        schedule_retry(s, l);
        return;
    }
    l->connected = 1;
    l->backoff_ms = STORE_BACKOFF_MIN_MS;
    log_info("redis %s link connected to %s:%d", l->is_sub ? "pub/sub" : "command", s->host, s->port);
    if (!l->is_sub && s->on_cmd_connect) s->on_cmd_connect(s->connect_ud, s);
}

static void on_disconnect(const redisAsyncContext *ac, int status) {
    link *l = ac->data;
    store *s = link_store(l);
    if (!s->closing)
        log_warn("redis %s link lost (%s)", l->is_sub ? "pub/sub" : "command",
                 status == REDIS_OK ? "closed" : ac->errstr);
    l->ac = NULL;
    l->connected = 0;
    schedule_retry(s, l);
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
        s->on_msg(s->msg_ud, NULL, 0);
    } else if (!strcmp(kind->str, "message") && rep->element[2]->type == REDIS_REPLY_STRING) {
        s->on_msg(s->msg_ud, rep->element[2]->str, rep->element[2]->len);
    }
}

static void sub_connected(const redisAsyncContext *ac, int status) {
    on_connect(ac, status);
    if (status != REDIS_OK) return;
    link *l = ac->data;
    store *s = link_store(l);
    redisAsyncCommand(l->ac, on_sub, s, "SUBSCRIBE %s", s->channel);
}

static void link_connect(store *s, link *l) {
    redisAsyncContext *ac = redisAsyncConnect(s->host, s->port);
    if (!ac) {
        schedule_retry(s, l);
        return;
    }
    if (ac->err) {
        log_warn("redis connect to %s:%d: %s", s->host, s->port, ac->errstr);
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
    redisAsyncSetConnectCallback(ac, l->is_sub ? sub_connected : on_connect);
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
    l->ac = ac;
}

static void retry_cb(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    link *l = arg;
    store *s = link_store(l);
    if (!l->ac) link_connect(s, l);
}

/* Drop the command link (our own timer callback, never inside hiredis). */
static void kill_cb(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    store *s = arg;
    if (s->cmd.ac) {
        log_warn("redis command timed out after %d ms: reconnecting", s->timeout_ms);
        redisAsyncContext *ac = s->cmd.ac;
        s->cmd.ac = NULL;
        s->cmd.connected = 0;
        redisAsyncFree(ac); /* pending replies -> NULL, then on_disconnect */
        schedule_retry(s, &s->cmd);
    }
}

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

static void cmd_timeout(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    pending *p = arg;
    store *s = p->s;
    pending_finish(p, NULL, STORE_UNAVAILABLE);
    event_active(s->kill, EV_TIMEOUT, 0);
}

static void cmd_reply(redisAsyncContext *ac, void *r, void *privdata) {
    (void)ac;
    pending *p = privdata;
    pending_finish(p, r, r ? STORE_OK : STORE_UNAVAILABLE);
    if (p->timer) event_free(p->timer);
    free(p);
}

store *store_new(struct event_base *base, const char *host, int port, int timeout_ms, const char *channel,
                 store_msg_cb *on_msg, void *msg_ud) {
    store *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->base = base;
    s->host = strdup(host);
    s->channel = strdup(channel);
    s->port = port;
    s->timeout_ms = timeout_ms;
    s->on_msg = on_msg;
    s->msg_ud = msg_ud;
    s->sub.is_sub = 1;
    s->cmd.backoff_ms = s->sub.backoff_ms = STORE_BACKOFF_MIN_MS;
    s->cmd.retry = evtimer_new(base, retry_cb, &s->cmd);
    s->sub.retry = evtimer_new(base, retry_cb, &s->sub);
    s->kill = evtimer_new(base, kill_cb, s);
    if (!s->host || !s->channel || !s->cmd.retry || !s->sub.retry || !s->kill) {
        store_free(s);
        return NULL;
    }
    link_connect(s, &s->cmd);
    link_connect(s, &s->sub);
    return s;
}

void store_on_connect(store *s, store_connect_cb *cb, void *ud) {
    s->on_cmd_connect = cb;
    s->connect_ud = ud;
}

void store_free(store *s) {
    if (!s) return;
    s->closing = 1;
    redisAsyncContext *c = s->cmd.ac, *u = s->sub.ac;
    s->cmd.ac = s->sub.ac = NULL;
    s->cmd.connected = s->sub.connected = 0;
    if (c) redisAsyncFree(c);
    if (u) redisAsyncFree(u);
    /* Commands never handed to a context cannot exist: store_cmd only
     * accepts while connected, and redisAsyncFree answered the rest. */
    if (s->cmd.retry) event_free(s->cmd.retry);
    if (s->sub.retry) event_free(s->sub.retry);
    if (s->kill) event_free(s->kill);
    free(s->host);
    free(s->channel);
    free(s);
}

int store_connected(const store *s) { return s->cmd.connected && s->cmd.ac != NULL; }

int store_sub_connected(const store *s) { return s->sub.connected && s->sub.ac != NULL; }

void store_set_latency(store *s, mx_hist *h) { s->latency = h; }

int store_cmd(store *s, store_cb *cb, void *ud, int argc, const char **argv, const size_t *argvlen) {
    if (!store_connected(s) || s->closing) return STORE_UNAVAILABLE;
    pending *p = calloc(1, sizeof *p);
    if (!p) return STORE_UNAVAILABLE;
    p->s = s;
    p->cb = cb;
    p->ud = ud;
    p->t0 = mx_now();
    p->timer = evtimer_new(s->base, cmd_timeout, p);
    if (!p->timer) {
        free(p);
        return STORE_UNAVAILABLE;
    }
    if (redisAsyncCommandArgv(s->cmd.ac, cmd_reply, p, argc, argv, argvlen) != REDIS_OK) {
        event_free(p->timer);
        free(p);
        return STORE_UNAVAILABLE;
    }
    p->next = s->head;
    if (s->head) s->head->prev = p;
    s->head = p;
    struct timeval tv = { s->timeout_ms / 1000, (s->timeout_ms % 1000) * 1000 };
    evtimer_add(p->timer, &tv);
    return STORE_OK;
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
