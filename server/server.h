/* server.h — module-private interface shared by the files of coachnetd.
 *
 *   srv.c      listener, TLS, connections, framing, dispatch, notifications
 *   store.c    Redis (hiredis async)            config.c  configuration
 *   auth.c     password hashes, tokens, roles   log.c     logging
 *   methods*.c the method handlers              keys.c    Redis key names
 *   coachidx.c the in-memory coach index (suggest/explain), pub/sub sync
 *   runs.c     match.run on a worker thread     catalog.c vocabulary adapter
 *   main.c     command line, signals, --add-user
 *
 * Lifetimes.  A connection (srv_conn) lives in a slot table and is found
 * by its 64-bit id; everything that outlives one callback (requests,
 * Redis commands, runs) holds the id, never the pointer, so a reply for a
 * connection that has gone is dropped.  A connection is freed only from
 * the reaper event, never inside a nested callback.
 */
#ifndef COACHNET_SERVER_SERVER_H
#define COACHNET_SERVER_SERVER_H

#include <msgpack.h>
#include <stdint.h>

#include "matcher/matcher.h"
#include "proto/proto.h"
#include "server/auth.h"
#include "server/config.h"
#include "server/store.h"

struct event_base;
struct event;
struct evconnlistener;
struct bufferevent;
typedef struct ssl_ctx_st SSL_CTX;

typedef enum { CONN_HANDSHAKE, CONN_OPEN, CONN_CLOSING } srv_conn_state;

/* Who a session speaks for (empty login = not authenticated). */
typedef struct srv_session {
    char login[AUTH_LOGIN_MAX + 1];
    auth_role role;
    char subject[PROTO_ID_MAX + 1];
    char programs[PROTO_PROGRAMS_MAX * (PROTO_CODE_MAX + 1) + 1];  /* csv */
    char tokhash[AUTH_SHA_HEX];
    int64_t expires;            /* CLOCK_MONOTONIC seconds: the token's end */
} srv_session;

typedef struct srv_conn {
    uint64_t id;
    struct server *srv;
    struct bufferevent *bev;
    struct event *deadline;     /* handshake deadline, then idle deadline */
    srv_conn_state state;
    int inflight;
    int holds;                  /* background jobs reporting here (runs) */
    int paused;                 /* frames wait: max-inflight reached */
    int read_off;               /* reading paused: too much input waiting */
    int draining;               /* close once in-flight and output are done */
    int is_unix;
    int buried;                 /* on the reaper's list */
    int flushing;               /* closing, writing its last bytes */
    char peer[64];
    srv_session sess;
    struct srv_conn *prev, *next;   /* live list, or flushers once closing */
    struct srv_conn *next_dead;
} srv_conn;

/* One request in flight.  Owns the decoded message (params stay valid) and
 * a copy of the session at the time it arrived. */
typedef struct srv_req {
    struct server *srv;
    uint64_t conn_id;
    uint32_t msgid;
    const struct method_def *m;
    proto_msg msg;
    srv_session sess;
    msgpack_sbuffer sb;         /* the response being built */
    msgpack_packer pk;
    size_t frame_at;
    void *st;                   /* the handler's state */
    void (*st_free)(void *);
    sargs args;                 /* the command in flight (mcmd) */
    store_cb *cb;               /* its handler callback */
    int retried;                /* resent as EVAL after NOSCRIPT */
} srv_req;

typedef struct srv_catalog {
    match_catalog *cat;
    proto_vocab vocab;
    char **lists[3];            /* sorted copies for the vocab */
} srv_catalog;

typedef struct server {
    cfg *cfg;
    struct event_base *base;
    SSL_CTX *ssl_ctx;
    struct evconnlistener *tls_l, *unix_l;
    store *st;
    proto_limits lim;
    srv_catalog catalog;
    struct coachidx *cidx;
    struct runs *runs;
    struct hashq *hq;           /* PBKDF2 on worker threads (hashq.h) */
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
    int jobs;                   /* background jobs (runs) not finished */
    int flushing;               /* closing connections still writing */
    srv_conn *flushers;         /* ... linked through prev/next */
    char instance[33];          /* random id: tags our pub/sub messages */
} server;

/* ---- srv.c ---- */
int srv_init(server *s, cfg *c, struct event_base *base, char *err, size_t errlen);
int srv_reload_tls(server *s, char *err, size_t errlen);
/* Stop accepting, finish in-flight requests, then leave the loop. */
void srv_shutdown(server *s);
void srv_free(server *s);
srv_conn *srv_conn_find(server *s, uint64_t id);
/* CLOCK_MONOTONIC in whole seconds (session expiry). */
int64_t srv_now_s(void);

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
/* Background jobs (match runs): a job holds the connection it reports to
 * (delta +1 / -1; a gone connection is ignored) and the server (jobs), so
 * a graceful shutdown waits for it to end and deliver its last
 * notification before closing that connection and leaving the loop. */
void srv_job(server *s, uint64_t conn_id, int delta);
/* Update the connection's session (login/resume/logout) if it is alive. */
void srv_req_set_session(srv_req *r, const srv_session *sess);

/* Notifications: pack into a one-shot packer and send to sessions. */
typedef void srv_pack_fn(msgpack_packer *pk, void *ud);
void srv_notify_conn(server *s, uint64_t conn_id, const char *method, srv_pack_fn *fn, void *ud);
/* Every session whose role is `role` and subject is `subject`. */
void srv_notify_subject(server *s, auth_role role, const char *subject, const char *method,
                        srv_pack_fn *fn, void *ud);
/* Log out every session of a login (user disabled). */
void srv_logout_login(server *s, const char *login);

/* ---- methods.c ---- */
typedef struct method_def {
    const char *name;
    unsigned roles;             /* ROLE_* mask; 0 = anyone, even unauthenticated */
    void (*fn)(srv_req *r);
} method_def;

const method_def *methods_find(const char *name);

/* ---- catalog.c ---- */
int srv_catalog_load(srv_catalog *c, const char *dir, char *err, size_t errlen);
void srv_catalog_free(srv_catalog *c);

#endif
