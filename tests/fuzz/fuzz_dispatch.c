/* fuzz_dispatch.c — libFuzzer target: request bytes through coachnetd's
 * whole dispatch path, against a fake store.
 *
 * What runs is the real server code (all of server/ but main.c, with
 * libproto and libmatcher): a server made by srv_init() listening on a
 * plaintext unix socket (the local administration listener, so no TLS
 * handshake per input), its connection state machine, framing, message
 * decoding, method lookup, role checks, parameter and profile validation,
 * the handlers and their reply handling.  Per input the target connects,
 * sets the connection's session (role chosen by the input: the seam is
 * server.h's srv_conn_last / srv_conn_set_session), writes the
 * request bytes and runs the event loop until the server is idle, then
 * closes and runs the loop until the connection is freed.
 *
 * The seam for the store is the linker: store_new/store_free/
 * store_connected/store_sub_connected/store_cmda are wrapped
 * (-Wl,--wrap=...; server/store.c's sargs_* helpers stay real) by an
 * in-memory fake that answers every command later, from a zero-timeout
 * event (store.h's contract: never from inside store_cmda), with a reply
 * the input chooses: the shapes the Lua scripts return ({'ok', ...},
 * {'not_found', msg}, ...), Redis error replies (NOSCRIPT and LOADING
 * among them: scripts are sent as EVALSHA, so the resend as EVAL and the
 * reloading of scripts.c run too), nil, integers, or STORE_UNAVAILABLE --
 * a broken or hostile Redis is fuzzed too.
 *
 * Input layout:
 *   byte 0        session role: 0 none, 1 admin, 2 coordinator, 3 mentee, 4 coach
 *   byte 1        R, length of the reply program
 *   R bytes       reply program: one byte per store command (cycled)
 *   2 bytes       P, big-endian, length of the string pool
 *   P bytes       pool: string elements of replies are sliced from it
 *   the rest      bytes written to the server's socket
 *
 * The catalogues come from COACHNET_DATA (default "data": run it from the
 * repository root, as tests/fuzz/run-fuzzers does).
 */
#include <errno.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "server/coachidx.h"
#include "server/hashq.h"
#include "server/log.h"
#include "server/loginrl.h"
#include "server/methods.h"
#include "server/runs.h"
#include "server/server.h"

#define FZ_MAX_PENDING 4096
#define FZ_LOOP_MAX    2000 /* loop iterations per phase */
#define FZ_MAX_STREAM  (64 * 1024)
/* Replies per input before the fake store goes "down" (every later command
 * gets STORE_UNAVAILABLE): a paging loop (a match run's snapshot) fed a
 * cursor that never ends would otherwise never finish. */
#define FZ_MAX_REPLIES 256

/* ------------------------------------------------------------ fake store */

typedef struct fz_cmd {
    store_cb *cb;
    void *ud;
} fz_cmd;

struct store {
    struct event_base *base;
    struct event *ev;
    fz_cmd q[FZ_MAX_PENDING];
    size_t head, n;
    /* the current input's reply program and pool */
    const uint8_t *prog, *pool;
    size_t nprog, npool, kprog, kpool;
    size_t replies;
};

static store *FZ_STORE; /* the one fake (libFuzzer entry points take no context) */

static uint8_t prog_byte(store *s) {
    if (!s->nprog) return 0;
    return s->prog[s->kprog++ % s->nprog];
}

static redisReply *r_new(int type) {
    redisReply *r = calloc(1, sizeof *r);
    if (!r) abort();
    r->type = type;
    return r;
}

static redisReply *r_str(int type, const char *p, size_t n) {
    redisReply *r = r_new(type);
    r->str = malloc(n + 1);
    if (!r->str) abort();
    memcpy(r->str, p, n);
    r->str[n] = 0;
    r->len = n;
    return r;
}

static redisReply *r_pool(store *s) {
    size_t n = prog_byte(s);
    if (s->npool == 0) return r_str(REDIS_REPLY_STRING, "", 0);
    if (n == 255) n = s->npool; /* the whole pool: room for a profile blob */
    size_t at = s->kpool % s->npool;
    if (n > s->npool - at) n = s->npool - at;
    s->kpool += n ? n : 1;
    return r_str(REDIS_REPLY_STRING, (const char *)s->pool + at, n);
}

static redisReply *r_arr(size_t n) {
    redisReply *r = r_new(REDIS_REPLY_ARRAY);
    r->elements = n;
    r->element = calloc(n ? n : 1, sizeof *r->element);
    if (!r->element) abort();
    return r;
}

static redisReply *r_any(store *s, int depth) {
    uint8_t b = prog_byte(s);
    switch (b % 5) {
    case 0: return r_pool(s);
    case 1: {
        redisReply *r = r_new(REDIS_REPLY_INTEGER);
        r->integer = (long long)(int8_t)prog_byte(s) * 1000;
        return r;
    }
    case 2: return r_new(REDIS_REPLY_NIL);
    case 3:
        if (depth < 3) {
            size_t n = b / 5 % 6;
            redisReply *r = r_arr(n);
            for (size_t i = 0; i < n; i++) r->element[i] = r_any(s, depth + 1);
            return r;
        }
        return r_new(REDIS_REPLY_NIL);
    default: return r_str(REDIS_REPLY_STATUS, "OK", 2);
    }
}

static const char *const status_words[] = { "ok",           "not_found",     "forbidden",
                                            "conflict",     "capacity_full", "invalid_params",
                                            "rate_limited", "bogus" };

/* The reply for the next command; NULL means STORE_UNAVAILABLE. */
static redisReply *make_reply(store *s) {
    if (++s->replies > FZ_MAX_REPLIES) return NULL;
    uint8_t op = prog_byte(s);
    switch (op % 8) {
    case 0: { /* the profile-get shape: ok, blob, version, program, load */
        redisReply *r = r_arr(5);
        r->element[0] = r_str(REDIS_REPLY_STRING, "ok", 2);
        r->element[1] = r_pool(s);
        r->element[2] = r_new(REDIS_REPLY_INTEGER);
        r->element[2]->integer = 1 + prog_byte(s);
        r->element[3] = r_pool(s);
        r->element[4] = r_new(REDIS_REPLY_INTEGER);
        return r;
    }
    case 1: return NULL;
    case 2: {
        static const char *const errors[] = { "ERR fuzz", "NOSCRIPT fuzz", "LOADING fuzz", "BUSY fuzz" };
        const char *e = errors[(op >> 3) % 4];
        return r_str(REDIS_REPLY_ERROR, e, strlen(e));
    }
    case 3: { /* a script status with a message and maybe a field */
        size_t n = 2 + (op >> 3) % 2;
        redisReply *r = r_arr(n);
        const char *w = status_words[(op >> 4) % 8];
        r->element[0] = r_str(REDIS_REPLY_STRING, w, strlen(w));
        r->element[1] = r_str(REDIS_REPLY_STRING, "fuzz message", 12);
        if (n == 3) r->element[2] = r_pool(s);
        return r;
    }
    case 4: return r_new(REDIS_REPLY_NIL);
    case 5: {
        redisReply *r = r_new(REDIS_REPLY_INTEGER);
        r->integer = (int8_t)prog_byte(s);
        return r;
    }
    default: { /* {'ok', anything...} */
        size_t n = 1 + (op >> 3) % 12;
        redisReply *r = r_arr(n);
        r->element[0] = r_str(REDIS_REPLY_STRING, "ok", 2);
        for (size_t i = 1; i < n; i++) r->element[i] = r_any(s, 1);
        return r;
    }
    }
}

static void r_free(redisReply *r) {
    if (!r) return;
    for (size_t i = 0; i < r->elements; i++) r_free(r->element[i]);
    free(r->element);
    free(r->str);
    free(r);
}

/* Answer every queued command (and those they queue) from the event loop. */
static void fz_store_cb(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    store *s = arg;
    size_t n = s->n; /* only those queued before this round */
    while (n-- > 0 && s->n > 0) {
        fz_cmd c = s->q[s->head];
        s->head = (s->head + 1) % FZ_MAX_PENDING;
        s->n--;
        redisReply *r = make_reply(s);
        c.cb(c.ud, r, r ? STORE_OK : STORE_UNAVAILABLE);
        r_free(r);
    }
    if (s->n) event_active(s->ev, EV_TIMEOUT, 0);
}

store *__wrap_store_new(struct event_base *base, const store_conf *conf, store_msg_cb *on_msg, void *msg_ud);
void __wrap_store_free(store *s);
int __wrap_store_connected(const store *s);
int __wrap_store_sub_connected(const store *s);
int __wrap_store_cmda(store *s, store_cb *cb, void *ud, const sargs *a);
int __wrap_store_cmda_durable(store *s, store_cb *cb, void *ud, const sargs *a);

store *__wrap_store_new(struct event_base *base, const store_conf *conf, store_msg_cb *on_msg, void *msg_ud) {
    (void)conf;
    (void)on_msg;
    (void)msg_ud;
    store *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->base = base;
    s->ev = event_new(base, -1, 0, fz_store_cb, s);
    return s;
}

void __wrap_store_free(store *s) {
    if (!s) return;
    while (s->n) { /* contract: pending callbacks get STORE_UNAVAILABLE */
        fz_cmd c = s->q[s->head];
        s->head = (s->head + 1) % FZ_MAX_PENDING;
        s->n--;
        c.cb(c.ud, NULL, STORE_UNAVAILABLE);
    }
    event_free(s->ev);
    free(s);
}

int __wrap_store_connected(const store *s) {
    (void)s;
    return 1;
}

/* /metrics asks (an HTTP request on the fuzzed connection). */
int __wrap_store_sub_connected(const store *s) {
    (void)s;
    return 1;
}

int __wrap_store_cmda(store *s, store_cb *cb, void *ud, const sargs *a) {
    if (a->oom || a->argc < 1) return STORE_UNAVAILABLE;
    if (s->n >= FZ_MAX_PENDING) return STORE_UNAVAILABLE;
    s->q[(s->head + s->n) % FZ_MAX_PENDING] = (fz_cmd){ cb, ud };
    s->n++;
    event_active(s->ev, EV_TIMEOUT, 0);
    return STORE_OK;
}

/* A durable write (WAIT after it) is answered like any command here. */
int __wrap_store_cmda_durable(store *s, store_cb *cb, void *ud, const sargs *a) {
    return __wrap_store_cmda(s, cb, ud, a);
}

/* ------------------------------------------------------------ the server */

typedef struct fz {
    cfg c;
    server s;
    struct event_base *base;
    char sock_path[108];
} fz;

static fz *FZ;

static void fz_init(void) {
    FZ = calloc(1, sizeof *FZ);
    if (!FZ) abort();
    fz *f = FZ;
    char err[512];
    if (cfg_init(&f->c)) abort();
    snprintf(f->sock_path, sizeof f->sock_path, "/tmp/coachnet-fuzz-dispatch-%d.sock", (int)getpid());
    const char *data = getenv("COACHNET_DATA");
    if (cfg_set(&f->c, "port", "0", err, sizeof err) || cfg_set(&f->c, "unixsocket", f->sock_path, err, sizeof err) ||
        cfg_set(&f->c, "data-dir", data ? data : "data", err, sizeof err) ||
        cfg_set(&f->c, "max-inflight", "16", err, sizeof err) ||
        cfg_set(&f->c, "login-attempts-per-minute", "1000000", err, sizeof err)) {
        fprintf(stderr, "fuzz_dispatch: config: %s\n", err);
        abort();
    }
    log_open(CFG_LOG_ERROR + 1, ""); /* silent: the fuzzer logs enough */
    scripts_init();                  /* as coachnetd: scripts go as EVALSHA */
    server *s = &f->s;
    if (srv_catalog_load(&s->catalog, f->c.data_dir, err, sizeof err)) {
        fprintf(stderr, "fuzz_dispatch: %s (set COACHNET_DATA to the repository's data/)\n", err);
        abort();
    }
    /* match.run's worker thread wakes the loop with event_active(): as in
     * coachnetd's main(), libevent must be made thread-aware before the
     * base exists, or the two threads race on the base's queues (seen as
     * lost accepts and a loop that never returns). */
    if (evthread_use_pthreads()) abort();
    signal(SIGPIPE, SIG_IGN); /* as coachnetd: a reply may reach a client that has gone */
    f->base = event_base_new();
    if (!f->base || srv_init(s, &f->c, f->base, dispatch_frame, err, sizeof err)) {
        fprintf(stderr, "fuzz_dispatch: srv_init: %s\n", err);
        abort();
    }
    s->cidx = coachidx_new(s);
    s->runs = runs_new(s);
    s->hq = hashq_new(f->base, 1);
    s->lrl = loginrl_new((size_t)f->c.login_address_slots, f->c.login_attempts_per_address, 1);
    s->st = FZ_STORE = __wrap_store_new(f->base, NULL, NULL, NULL);
    if (!s->cidx || !s->runs || !s->hq || !s->lrl || !s->st) abort();
    /* As coachnetd does once subscribed, load the coach index (the fake
     * store's first reply ends the scan: an empty index), so that
     * match.suggest / match.explain get past coachidx_ready(). */
    coachidx_resync(s->cidx);
    for (int i = 0; i < FZ_LOOP_MAX && !coachidx_ready(s->cidx); i++) event_base_loop(f->base, EVLOOP_NONBLOCK);
    if (!coachidx_ready(s->cidx)) {
        fprintf(stderr, "fuzz_dispatch: the coach index did not load from the fake store\n");
        abort();
    }
}

static int connect_unix(const char *path) {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct sockaddr_un sun;
    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
    if (connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    int big = 1 << 20;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    return fd;
}

/* One turn of the loop; while a password is being hashed on hashq's
 * thread, wait for it (its result wakes the loop) rather than spin past it,
 * so that logins reach their next step within the input. */
static void fz_turn(fz *f) { event_base_loop(f->base, hashq_pending(f->s.hq) ? EVLOOP_ONCE : EVLOOP_NONBLOCK); }

static void drain_client(int fd) {
    char buf[65536];
    while (read(fd, buf, sizeof buf) > 0) {}
}

static const auth_role roles[] = { ROLE_NONE, ROLE_ADMIN, ROLE_COORDINATOR, ROLE_MENTEE, ROLE_COACH };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!FZ) fz_init();
    fz *f = FZ;
    server *s = &f->s;
    if (size < 4) return 0;
    uint8_t role = data[0] % 5;
    size_t nprog = data[1];
    if (2 + nprog + 2 > size) return 0;
    store *st = FZ_STORE;
    st->prog = data + 2;
    st->nprog = nprog;
    st->kprog = st->kpool = st->replies = 0;
    size_t at = 2 + nprog;
    size_t npool = ((size_t)data[at] << 8) | data[at + 1];
    at += 2;
    if (npool > size - at) npool = size - at;
    st->pool = data + at;
    st->npool = npool;
    at += npool;
    const uint8_t *stream = data + at;
    size_t nstream = size - at;
    if (nstream > FZ_MAX_STREAM) nstream = FZ_MAX_STREAM;

    int fd = connect_unix(f->sock_path);
    if (fd < 0) abort();
    /* accept */
    for (int i = 0; i < FZ_LOOP_MAX && s->nconns == 0; i++) event_base_loop(f->base, EVLOOP_NONBLOCK);
    if (s->nconns != 1 || !s->live) {
        fprintf(stderr,
                "fuzz_dispatch: the connection was not accepted (nconns %zu, stopping %d, free slots %u, jobs %d)\n",
                s->nconns, s->stopping, (unsigned)s->nfree, s->jobs);
        abort();
    }
    uint64_t conn_id = srv_conn_last(s);
    if (role) {
        srv_session sess;
        memset(&sess, 0, sizeof sess);
        snprintf(sess.login, sizeof sess.login, "fuzzer");
        sess.role = roles[role];
        snprintf(sess.subject, sizeof sess.subject, "199001012015011001");
        snprintf(sess.programs, sizeof sess.programs, "p1,pkn2-2026");
        sess.expires = INT64_MAX; /* the token never runs out here */
        srv_conn_set_session(s, conn_id, &sess);
    }
    size_t off = 0;
    for (int i = 0; i < FZ_LOOP_MAX; i++) {
        if (off < nstream) {
            ssize_t w = write(fd, stream + off, nstream - off);
            if (w > 0)
                off += (size_t)w;
            else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
                break; /* server closed */
        }
        fz_turn(f);
        drain_client(fd);
        if (off >= nstream && st->n == 0 && srv_conn_inflight(s, conn_id) <= 0) break;
    }
    close(fd);
    for (int i = 0; i < FZ_LOOP_MAX && (s->live || s->dead || st->n || hashq_pending(s->hq)); i++) fz_turn(f);
    if (s->live || s->dead) {
        fprintf(stderr, "fuzz_dispatch: connection not freed after close (inflight %d)\n",
                srv_conn_inflight(s, conn_id));
        abort();
    }
    return 0;
}
