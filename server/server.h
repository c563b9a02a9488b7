/* server.h — module-private interface shared by the files of coachnetd.
 *
 * Files, one job each:
 *   srv.c       the listeners: TLS context, TCP and unix sockets, accept;
 *               start, graceful stop, free
 *   conn.c      a connection from accept to free: its state machine,
 *               framing, output, deadlines, back-pressure; notifications
 *   dispatch.c  a complete frame -> decoded request -> method -> roles ->
 *               handler
 *   req.c       a request in flight and its one answer (srv_req_*)
 *   dispatch.gen.c the method table (generated from the API schema, api/)
 *   methods.c   the helpers shared by the handlers
 *   methods_*.c the method handlers          runs.c   match.run (worker thread)
 *   events.c    the pub/sub event channel    coachidx.c the coach index
 *   sesscheck.c sessions checked against Redis  tokset.c token hash sets
 *   adapt.c     libproto <-> libmatcher      catalog.c  vocabulary adapter
 *   db.c        the typed store API: the handlers' Redis operations and
 *               their replies (db.gen.c: the senders, generated)
 *   store.c     Redis (hiredis async)        scripts.c  the Lua scripts
 *   auth.c      passwords, tokens, roles     hashq.c    hashing on threads
 *   loginrl.c   auth.login's per-address limit
 *   warmcache.c the warm states of match runs, per program (pure)
 *   config.c    configuration   log.c logging   util.c small pure helpers
 *   hws.c       HTTP/1.1 + WebSocket layer (pure)  web.c HTTP routes, files
 *   metrics.c   Prometheus counters and their text rendering (pure)
 *   main.c      command line, signals, --add-user; wires the rest together
 *
 * Who calls whom.  An arrow means "calls functions of"; every arrow points
 * one way, no file calls back into a file that calls it:
 *
 *   main ──> srv ──> conn ──> hws, web (the browser transport; web ──>
 *                                        store, coachidx for /readyz,
 *                                        hashq and metrics for /metrics)
 *   conn ─ ─ frame hook (server.dispatch, given to srv_init by main) ─ ─> dispatch
 *   dispatch ──> dispatch.gen.c table ─ ─> methods_*.c handlers
 *   dispatch, handlers, methods, runs ──> req ──> conn (srv_conn_reply,
 *                                                      srv_conn_set_session)
 *   handlers ──> db ──> scripts, store (the handlers' every Redis command)
 *   handlers ──> coachidx, runs, adapt, hashq, methods (helpers),
 *                conn (srv_now_s, srv_logout_login, srv_end_sessions)
 *   runs ──> conn (srv_job, srv_notify_conn), adapt, methods, scripts, store,
 *            warmcache
 *   store ─ ─ message callback (given to store_new by main) ─ ─> events
 *   events ──> coachidx, sesscheck, conn (srv_notify_subject,
 *              srv_end_sessions), adapt, pack
 *   sesscheck ──> scripts, store, conn (srv_session_tokens, srv_end_sessions)
 *   coachidx ──> adapt (mblob_coach, madapt_coach_init), scripts, store
 *
 * conn.c names nothing above it: frames go up through the one hook and
 * answers come down through req.c.  The generated table (dispatch.gen.c)
 * points at the handlers; the handlers (and runs.c, which match.run
 * starts) call methods.c's helpers, and nothing below calls a handler.
 * The coach index, the event channel, adapt.c, pack.c, req.c, conn.c and
 * srv.c are all below the handlers.
 *
 * Lifetimes.  A connection (srv_conn, opaque outside conn.c) lives in a
 * slot table and is found by its 64-bit id; everything that outlives one
 * callback (requests, Redis commands, runs) holds the id, never the
 * pointer, so a reply for a connection that has gone is dropped.  A
 * connection is freed only from the reaper event, never inside a nested
 * callback (conn.c: its states).
 */
#ifndef COACHNET_SERVER_SERVER_H
#define COACHNET_SERVER_SERVER_H

#include <msgpack.h>
#include <stdint.h>

#include "matcher/matcher.h"
#include "proto/proto.h"
#include "server/auth.h"
#include "server/config.h"
#include "server/metrics.h"
#include "server/store.h"

struct event_base;
struct event;
struct evconnlistener;
struct bufferevent;
typedef struct ssl_ctx_st SSL_CTX;

/* coachnetd's release (--version, the ready line, server.info). */
#define COACHNETD_VERSION "0.1.0"

/* Who a session speaks for (empty login = not authenticated). */
typedef struct srv_session {
    char login[AUTH_LOGIN_MAX + 1];
    auth_role role;
    char subject[PROTO_ID_MAX + 1];
    char programs[PROTO_PROGRAMS_MAX * (PROTO_CODE_MAX + 1) + 1]; /* csv */
    char tokhash[AUTH_SHA_HEX];
    int64_t expires; /* CLOCK_MONOTONIC seconds: the token's end */
} srv_session;

/* A connection: opaque outside conn.c (found by id, see Lifetimes). */
typedef struct srv_conn srv_conn;

/* One request in flight.  Owns the decoded message (params stay valid) and
 * a copy of the session at the time it arrived. */
typedef struct srv_req {
    struct server *srv;
    uint64_t conn_id;
    uint32_t msgid;
    const struct method_def *m;
    void *params;       /* the checked params (dispatch.h) */
    void (*dbfn)(void); /* the handler's callback of a store operation (db.h) */
    proto_msg msg;
    srv_session sess;
    msgpack_sbuffer sb; /* the response being built */
    msgpack_packer pk;
    size_t frame_at;
    char peer[64]; /* the connection's peer (srv_frame.peer): auth.login's per-address limit */
    void *st;      /* the handler's state */
    void (*st_free)(void *);
    /* request_id (DESIGN §14), set by dispatch for a state-changing method
     * called with one: the key '<login>:<request_id>' and the fingerprint
     * '<method> <sha256 of the params>' its idempotent script is sent with
     * (db_idem_args); replayed once a script answered from a kept answer. */
    char idem_key[AUTH_LOGIN_MAX + 1 + API_REQUEST_ID_MAX + 1];
    char idem_fp[PROTO_METHOD_MAX + 1 + AUTH_SHA_HEX];
    bool replayed;
    double t0; /* mx_now() at dispatch: the latency metric (req.c) */
    /* the code of the answer (PROTO_E_NONE: a result), set before st_free
     * runs: a handler's state may tell from it how the request ended */
    proto_errcode answered;
} srv_req;

typedef struct srv_catalog {
    match_catalog *cat;
    proto_vocab vocab;
    char **lists[3]; /* sorted copies for the vocab */
} srv_catalog;

/* A complete request frame of a connection, handed up by conn.c to the
 * hook given to srv_init (dispatch_frame).  The hook returns 0 when a
 * request took the frame (it ends with srv_conn_reply, from req.c), or -1
 * with a frame-level error in *fatal: conn.c then answers it with msgid 0
 * and closes the connection. */
typedef struct srv_frame {
    uint64_t conn_id;
    const char *peer;        /* for logs */
    const srv_session *sess; /* the connection's session now */
    const char *body;        /* valid during the call only */
    size_t len;
} srv_frame;
typedef int srv_frame_fn(struct server *s, const srv_frame *f, proto_error *fatal);

typedef struct server {
    cfg *cfg;
    struct event_base *base;
    SSL_CTX *ssl_ctx;
    struct evconnlistener *tls_l, *unix_l;
    unsigned long long unix_dev, unix_ino; /* the socket file we bound (srv.c: removed only if still ours) */
    store *st;
    proto_limits lim;
    srv_catalog catalog;
    struct coachidx *cidx;
    struct runs *runs;
    struct wc_cache *warm;  /* warm states of match runs (warmcache.h) */
    struct sesscheck *sck;  /* the periodic session check (sesscheck.h) */
    struct mxpoll *mxp;     /* the metrics read from Redis (mxpoll.h) */
    struct hashq *hq;       /* password hashing on worker threads (hashq.h) */
    struct loginrl *lrl;    /* auth.login's per-address limit (loginrl.h) */
    srv_frame_fn *dispatch; /* where conn.c hands complete frames */
    /* the connection table: conn.c's */
    srv_conn **slots;
    uint32_t nslots;
    uint32_t *free_slots, nfree;
    uint32_t gen;
    srv_conn *live;
    size_t nconns;
    srv_conn *dead;
    struct event *reaper;
    struct event *drain_timer;
    int stopping;
    int jobs;           /* background jobs (runs) not finished */
    srv_conn *flushers; /* closing connections still writing */
    /* bytes of partial frames, at most max-input-total (conn.c) */
    size_t input_charged;
    metrics mx; /* /metrics (metrics.h): counted by req, conn, runs, store */
} server;

/* ---- srv.c ---- */
/* Listen as c says; complete frames of every connection go to dispatch. */
int srv_init(server *s, cfg *c, struct event_base *base, srv_frame_fn *dispatch, char *err, size_t errlen);
int srv_reload_tls(server *s, char *err, size_t errlen);
/* Stop accepting, finish in-flight requests, then leave the loop. */
void srv_shutdown(server *s);
void srv_free(server *s);

/* ---- conn.c ---- */
/* CLOCK_MONOTONIC in whole seconds (session expiry). */
int64_t srv_now_s(void);
/* A request of the connection ended: queue its answer (len 0: none) and
 * count it out.  A gone connection is ignored. */
void srv_conn_reply(server *s, uint64_t conn_id, const char *data, size_t len);
/* Set the connection's session (login/resume/logout) if it is alive. */
void srv_conn_set_session(server *s, uint64_t conn_id, const srv_session *sess);
/* Background jobs (match runs): a job holds the connection it reports to
 * (delta +1 / -1; a gone connection is ignored) and the server (jobs), so
 * a graceful shutdown waits for it to end and deliver its last
 * notification before closing that connection and leaving the loop. */
void srv_job(server *s, uint64_t conn_id, int delta);

/* Notifications: pack into a one-shot packer and send to sessions. */
typedef void srv_pack_fn(msgpack_packer *pk, void *ud);
/* The connection conn_id, while the session of token hash tokhash holds it
 * (NULL: whoever does): a session ended (logout, user.disable, a password
 * set) or replaced by another login on that connection gets no more of
 * what was meant for it (a run's run.progress and run.done). */
void srv_notify_conn(server *s, uint64_t conn_id, const char *tokhash, const char *method, srv_pack_fn *fn, void *ud);
/* Every session whose role is `role` and subject is `subject`. */
void srv_notify_subject(server *s, auth_role role, const char *subject, const char *method, srv_pack_fn *fn, void *ud);
/* Sessions (design.md §14): end every session of a login but the one of
 * token hash keep (NULL: all; user.disable, user.set_password and
 * auth.change_password on this instance), or every session whose token
 * hash is in ths (a sealed
 * tokset.h set: the `revoke` event, auth.logout, the periodic check).  An
 * ended session's connection is unauthenticated from its next request on;
 * why goes to the log. */
void srv_logout_login(server *s, const char *login, const char *keep, const char *why);
struct tokset;
void srv_end_sessions(server *s, const struct tokset *ths, const char *why);
/* Add the token hash of every authenticated connection to out (unsealed);
 * -1 when memory ran out. */
int srv_session_tokens(server *s, struct tokset *out);

/* For a test that drives one connection (tests/fuzz/fuzz_dispatch.c): the
 * id of the connection accepted last (0: none open) and its requests in
 * flight (-1: gone). */
uint64_t srv_conn_last(const server *s);
int srv_conn_inflight(server *s, uint64_t conn_id);

/* ---- req.c ---- */
/* Responding: either srv_req_ok() then pack exactly one result object into
 * the returned packer then srv_req_done(), or srv_req_fail() alone.  Both
 * end the request and free it. */
msgpack_packer *srv_req_ok(srv_req *r);
void srv_req_done(srv_req *r);
void srv_req_fail(srv_req *r, proto_errcode code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void srv_req_fail_err(srv_req *r, const proto_error *e);
/* Store failure helper: unavailable. */
void srv_req_unavailable(srv_req *r);
/* Update the connection's session (login/resume/logout) if it is alive. */
void srv_req_set_session(srv_req *r, const srv_session *sess);
/* For dispatch.c: a new request of a connection (counted in its in-flight
 * requests by conn.c), or NULL when out of memory; and freeing one that
 * is not answered (a frame-level error: conn.c answers and closes). */
srv_req *srv_req_new(server *s, uint64_t conn_id, const srv_session *sess);
void srv_req_drop(srv_req *r);

/* ---- dispatch.c ---- */
/* The frame hook (srv_frame_fn) coachnetd gives srv_init: decode the
 * request, find its method, check the session's role, call the handler. */
int dispatch_frame(server *s, const srv_frame *f, proto_error *fatal);

/* ---- methods.c ---- */

/* ---- catalog.c ---- */
int srv_catalog_load(srv_catalog *c, const char *dir, char *err, size_t errlen);
void srv_catalog_free(srv_catalog *c);

#endif
