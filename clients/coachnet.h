/*
 * coachnet.h -- libcoachnet, the C client library of coachnetd.
 *
 * libcoachnet speaks the coachnet wire protocol (design.md §2: 4-byte length-
 * prefixed frames carrying msgpack-RPC messages) over TLS 1.2/1.3 to a
 * coachnetd server, or in plaintext over a local unix socket.  Every call is
 * blocking with a deadline: the socket is non-blocking inside and waited on
 * with poll(2), so a dead server costs at most the configured timeout.
 *
 * Typical use:
 *
 *     cn_client_options o;
 *     cn_client_options_init(&o);
 *     o.host = "127.0.0.1"; o.port = 7400; o.ca_file = "ca.pem";
 *     cn_client *c; cn_client_error err;
 *     if (cn_client_connect(&o, &c, &err) != CN_CLIENT_OK) { report(&err); }
 *     cn_client_session s;
 *     if (cn_client_login(c, "budi", "secret", &s, &err) != CN_CLIENT_OK) ...
 *     cn_client_result *r;
 *     if (cn_client_match_mine(c, &r, &err) == CN_CLIENT_OK) {
 *         const msgpack_object *items = cn_client_map_get(cn_client_result_obj(r), "items");
 *         ...
 *         cn_client_result_free(r);
 *     }
 *     cn_client_free(c);
 *
 * Conventions:
 *  - Every function that can fail returns CN_CLIENT_OK (0) or CN_CLIENT_ERR
 *    (-1) and, on failure, fills the caller's cn_client_error (which may be
 *    NULL when the caller does not care).  err->kind tells whether the server
 *    answered with an error object (CN_CLIENT_E_SERVER; code/message/field
 *    are the server's) or the failure was local or on the connection.
 *  - Results that are more than a few scalars come back as a
 *    cn_client_result: a handle that owns the decoded msgpack object (the
 *    "result" element of the response) and the bytes it points into.  The
 *    object is valid until cn_client_result_free().
 *  - Notifications the server pushes (match.updated, run.progress, run.done)
 *    are delivered to the callback set with cn_client_set_notify() while the
 *    library waits for a response, or while the application waits for them
 *    with cn_client_wait().
 *  - A connection whose stream broke (I/O error, timeout, protocol error, a
 *    framing error answered by the server) is closed: every later call fails
 *    with CN_CLIENT_E_CLOSED.  Server errors on a request (invalid_params,
 *    not_found, ...) leave it usable.
 *  - A client is not thread-safe: use one per thread.
 *  - Writing to a connection the server closed is an error (CN_CLIENT_E_IO),
 *    never a SIGPIPE: the library blocks SIGPIPE in the calling thread
 *    around each TLS read and write and discards the one it caused, without
 *    touching the application's signal dispositions.
 *
 * Link with `pkg-config --libs libcoachnet` (libcoachnet.a includes libproto;
 * it needs OpenSSL and msgpack-c).
 */
#ifndef COACHNET_H
#define COACHNET_H

#include <stddef.h>
#include <stdint.h>
#include <msgpack.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CN_CLIENT_OK  0
#define CN_CLIENT_ERR (-1)

#define CN_CLIENT_VERSION "0.1.0"

/* Defaults and limits of the client side. */
#define CN_CLIENT_DEFAULT_HOST               "127.0.0.1"
#define CN_CLIENT_DEFAULT_PORT               7400
#define CN_CLIENT_DEFAULT_CONNECT_TIMEOUT_MS 10000
#define CN_CLIENT_DEFAULT_TIMEOUT_MS         30000
#define CN_CLIENT_DEFAULT_MAX_FRAME          (8u * 1024 * 1024) /* largest response accepted */

/* Sizes of the fixed buffers of the structs below (NUL included). */
#define CN_CLIENT_CODE_LEN    32
#define CN_CLIENT_MESSAGE_LEN 512
#define CN_CLIENT_FIELD_LEN   128
#define CN_CLIENT_TOKEN_LEN   128
#define CN_CLIENT_NAME_LEN    96

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */
/* ------------------------------------------------------------------------ */

typedef enum cn_client_errkind {
    CN_CLIENT_E_NONE = 0,
    CN_CLIENT_E_USAGE,    /* a bad argument given to the library */
    CN_CLIENT_E_NOMEM,    /* out of memory */
    CN_CLIENT_E_CONNECT,  /* resolve, TCP connect, TLS handshake or certificate check failed */
    CN_CLIENT_E_IO,       /* the connection failed or the server closed it */
    CN_CLIENT_E_TIMEOUT,  /* the deadline passed; the connection is closed */
    CN_CLIENT_E_PROTOCOL, /* the server sent bytes that are not the protocol */
    CN_CLIENT_E_CLOSED,   /* the connection was closed by an earlier failure */
    CN_CLIENT_E_SERVER    /* the server answered the request with an error object */
} cn_client_errkind;

typedef struct cn_client_error {
    cn_client_errkind kind;
    char code[CN_CLIENT_CODE_LEN];       /* server error code ("invalid_params", ...); "" if local */
    char message[CN_CLIENT_MESSAGE_LEN]; /* human-readable, always set on failure */
    char field[CN_CLIENT_FIELD_LEN];     /* the offending param/field if the server named one, else "" */
} cn_client_error;

/* A static string naming an error kind ("connect", "server", ...). */
const char *cn_client_errkind_name(cn_client_errkind kind);

/* ------------------------------------------------------------------------ */
/* Connection                                                                */
/* ------------------------------------------------------------------------ */

typedef struct cn_client cn_client;

typedef struct cn_client_options {
    const char *host;       /* name or IP literal; default CN_CLIENT_DEFAULT_HOST */
    uint16_t port;          /* default CN_CLIENT_DEFAULT_PORT */
    const char *ca_file;    /* PEM file of the CAs that sign the server; NULL: system store */
    const char *cert_file;  /* client certificate (PEM) for mutual TLS; NULL: none */
    const char *key_file;   /* its private key; NULL: taken from cert_file */
    const char *sni;        /* name sent as SNI and checked against the certificate;
                              NULL: host (an IP literal is checked as an IP address) */
    const char *unix_path;  /* if set: plaintext over this unix socket, no TLS */
    int connect_timeout_ms; /* TCP + TLS handshake; default CN_CLIENT_DEFAULT_CONNECT_TIMEOUT_MS */
    int timeout_ms;         /* each call; default CN_CLIENT_DEFAULT_TIMEOUT_MS */
    size_t max_frame;       /* largest frame accepted from the server */
} cn_client_options;

/* Fill *o with the defaults above. */
void cn_client_options_init(cn_client_options *o);

/* Connect, handshake and verify the server.  On success *out is a new client
 * to release with cn_client_free(). */
int cn_client_connect(const cn_client_options *o, cn_client **out, cn_client_error *err);

/* Close the connection (sending TLS close_notify if possible) and free. NULL is a no-op. */
void cn_client_free(cn_client *c);

/* Change the per-call timeout (milliseconds, > 0). */
void cn_client_set_timeout(cn_client *c, int timeout_ms);

/* 1 while the connection is usable, 0 once it was closed by a failure. */
int cn_client_is_connected(const cn_client *c);

/* ------------------------------------------------------------------------ */
/* Results and msgpack helpers                                               */
/* ------------------------------------------------------------------------ */

typedef struct cn_client_result cn_client_result;

/* The "result" object of the response; valid until cn_client_result_free(). */
const msgpack_object *cn_client_result_obj(const cn_client_result *r);
void cn_client_result_free(cn_client_result *r);

/* Value of the str key `key` in a map object, or NULL (not a map, no such key). */
const msgpack_object *cn_client_map_get(const msgpack_object *map, const char *key);

/* Copy a str object into buf (NUL-terminated, truncated to len-1).  Returns
 * CN_CLIENT_OK, or CN_CLIENT_ERR if o is NULL or not a str. */
int cn_client_obj_str(const msgpack_object *o, char *buf, size_t len);

/* Read an integer (or a float that is integral) into *v.  CN_CLIENT_ERR otherwise. */
int cn_client_obj_int(const msgpack_object *o, int64_t *v);

/* Read a number (int or float) as a double.  CN_CLIENT_ERR otherwise. */
int cn_client_obj_num(const msgpack_object *o, double *v);

/* ------------------------------------------------------------------------ */
/* Notifications                                                             */
/* ------------------------------------------------------------------------ */

/* Called for each notification, with its method ("run.progress", ...) and its
 * params map.  Both are only valid during the call.  The callback runs inside
 * a call of the library on the same client: calls on that client from the
 * callback fail with CN_CLIENT_E_USAGE (copy what you need and act after
 * the call returns); never free it there. */
typedef void cn_client_notify_fn(void *privdata, const char *method, const msgpack_object *params);

/* Set (or clear with NULL) the notification callback.  Without one,
 * notifications are read and dropped. */
void cn_client_set_notify(cn_client *c, cn_client_notify_fn *fn, void *privdata);

/* Wait up to timeout_ms for a notification and deliver it to the callback,
 * returning as soon as one was delivered (others already received stay
 * buffered for the next call).  Returns CN_CLIENT_OK with *delivered = 1, or
 * 0 when the time ran out: that is not an error, and the connection stays
 * open.  timeout_ms <= 0 only takes what has already arrived.  Not while
 * pipelined requests are pending (CN_CLIENT_E_USAGE). */
int cn_client_wait(cn_client *c, int timeout_ms, int *delivered, cn_client_error *err);

/* ------------------------------------------------------------------------ */
/* Generic calls                                                             */
/* ------------------------------------------------------------------------ */

/* Call `method` with `params` (a msgpack map object; NULL means {}).  On
 * success *res holds the result.  On a server error returns CN_CLIENT_ERR
 * with err->kind == CN_CLIENT_E_SERVER. */
int cn_client_call(cn_client *c, const char *method, const msgpack_object *params, cn_client_result **res,
                   cn_client_error *err);

/* The same with params given as the msgpack encoding of a map. */
int cn_client_call_raw(cn_client *c, const char *method, const char *params, size_t len, cn_client_result **res,
                       cn_client_error *err);

/* Pipelining: send a request without waiting (its msgid in *msgid), then
 * collect responses with cn_client_recv(), which returns the next response
 * in the order the server sends them (it may reorder).  A server error is
 * returned as CN_CLIENT_ERR with kind CN_CLIENT_E_SERVER and *msgid set; the
 * connection stays usable.  Do not mix with blocking calls while requests
 * are outstanding (CN_CLIENT_E_USAGE). */
int cn_client_send_raw(cn_client *c, const char *method, const char *params, size_t len, uint32_t *msgid,
                       cn_client_error *err);
int cn_client_recv(cn_client *c, uint32_t *msgid, cn_client_result **res, cn_client_error *err);

/* Requests sent with cn_client_send_raw() whose response has not been received. */
size_t cn_client_pending(const cn_client *c);

/* ------------------------------------------------------------------------ */
/* Typed calls (design.md §3)                                                   */
/* ------------------------------------------------------------------------ */

typedef struct cn_client_session {
    char token[CN_CLIENT_TOKEN_LEN];  /* login only; "" after resume */
    char login[CN_CLIENT_NAME_LEN];   /* resume only (login: the caller knows it) */
    char role[16];                    /* admin, coordinator, mentee, coach */
    char subject[CN_CLIENT_NAME_LEN]; /* mentee/coach id a user speaks for; "" if none */
    int64_t expires_in;               /* seconds; login only, else 0 */
} cn_client_session;

/* auth.login / auth.resume / auth.logout */
int cn_client_login(cn_client *c, const char *login, const char *password, cn_client_session *s, cn_client_error *err);
int cn_client_resume(cn_client *c, const char *token, cn_client_session *s, cn_client_error *err);
int cn_client_logout(cn_client *c, cn_client_error *err);

/* user.create: subject may be NULL; programs may be NULL with nprograms 0. */
typedef struct cn_client_user_spec {
    const char *login;
    const char *password;
    const char *role;
    const char *subject;
    const char *const *programs;
    size_t nprograms;
} cn_client_user_spec;
int cn_client_user_create(cn_client *c, const cn_client_user_spec *u, cn_client_error *err);
int cn_client_user_disable(cn_client *c, const char *login, cn_client_error *err);

/* The two kinds of profiles. */
typedef enum cn_client_kind { CN_CLIENT_MENTEE = 0, CN_CLIENT_COACH = 1 } cn_client_kind;

/* "mentee" / "coach" */
const char *cn_client_kind_name(cn_client_kind k);

/* mentee.put / coach.put: profile is a map object (design.md §4).  if_version < 0
 * means an unconditional write.  On success the stored id (copied into id,
 * truncated to idlen) and the new version. */
int cn_client_profile_put(cn_client *c, cn_client_kind kind, const msgpack_object *profile, int64_t if_version,
                          char *id, size_t idlen, int64_t *version, cn_client_error *err);
/* The same with the profile already msgpack-encoded. */
int cn_client_profile_put_raw(cn_client *c, cn_client_kind kind, const char *profile, size_t len, int64_t if_version,
                              char *id, size_t idlen, int64_t *version, cn_client_error *err);

/* mentee.get / coach.get -> {profile, version} */
int cn_client_profile_get(cn_client *c, cn_client_kind kind, const char *id, cn_client_result **res,
                          cn_client_error *err);

/* mentee.list / coach.list -> {items, cursor}; NULL / 0 fields are left out. */
typedef struct cn_client_list_opts {
    const char *program;
    const char *province;
    const char *cursor;
    int64_t limit;
} cn_client_list_opts;
int cn_client_profile_list(cn_client *c, cn_client_kind kind, const cn_client_list_opts *o, cn_client_result **res,
                           cn_client_error *err);

/* match.suggest -> {items: [{coach_id, score, explain}]}; limit 0: server default. */
int cn_client_match_suggest(cn_client *c, const char *mentee_id, int64_t limit, cn_client_result **res,
                            cn_client_error *err);

/* match.request -> {match} */
int cn_client_match_request(cn_client *c, const char *coach_id, cn_client_result **res, cn_client_error *err);

/* match.run: policy is a map object or NULL (server defaults).  The run id is
 * copied into run_id; progress then arrives as run.progress / run.done
 * notifications (see cn_client_wait()). */
int cn_client_match_run(cn_client *c, const char *program, const msgpack_object *policy, char *run_id,
                        size_t run_id_len, cn_client_error *err);

/* match.list -> {items, cursor}.  NULL / negative fields are left out. */
typedef struct cn_client_match_filter {
    const char *run_id;
    const char *program;
    const char *status;
    int64_t min_score; /* < 0: none */
    const char *cursor;
    int64_t limit;         /* <= 0: server default */
    const char *sort;      /* score (default), mentee_name, coach_name, updated_at */
    const char *coach_id;  /* only this coach's matches */
    const char *mentee_id; /* only this mentee's */
} cn_client_match_filter;
int cn_client_match_list(cn_client *c, const cn_client_match_filter *f, cn_client_result **res, cn_client_error *err);

/* match.explain -> {explain} */
int cn_client_match_explain(cn_client *c, const char *mentee_id, const char *coach_id, cn_client_result **res,
                            cn_client_error *err);

/* match.review -> {results: [{id, status} or {id, error: {code, message}}]}:
 * decision "approve" or "reject" (coordinators; the server may accept more,
 * e.g. "cancel", "complete"); note may be NULL.  One result per id: a
 * refused id does not fail the call. */
int cn_client_match_review(cn_client *c, const char *const *match_ids, size_t n, const char *decision, const char *note,
                           cn_client_result **res, cn_client_error *err);

/* match.pin / match.forbid -> {} */
int cn_client_match_pin(cn_client *c, const char *program, const char *mentee_id, const char *coach_id,
                        cn_client_error *err);
int cn_client_match_forbid(cn_client *c, const char *program, const char *mentee_id, const char *coach_id,
                           cn_client_error *err);

/* match.mine -> {items} */
int cn_client_match_mine(cn_client *c, cn_client_result **res, cn_client_error *err);

/* match.respond -> {match}; note may be NULL. */
int cn_client_match_respond(cn_client *c, const char *match_id, int accept, const char *note, cn_client_result **res,
                            cn_client_error *err);

/* meeting.log's answer.  A match has one meeting per date: the side that
 * logs a date first creates it; the other side logging the same date
 * confirms it (confirmed = 1; the first side's minutes stay, JP do not
 * change).  JP are minutes / 45 rounded to one decimal by the server:
 * print them with "%.1f". */
typedef struct cn_client_meeting {
    char meeting_id[65];   /* id of the meeting of that date */
    int confirmed;         /* 1: this call confirmed the other side's record */
    int64_t minutes;       /* of the meeting (the first side's) */
    double jp;             /* of the meeting */
    int year;              /* of the date */
    int64_t minutes_total; /* the mentee's minutes in that year, all its matches */
    double jp_total;       /* the mentee's JP in that year */
    int64_t jp_target;     /* the program's yearly JP target */
} cn_client_meeting;

/* meeting.log: date "YYYY-MM-DD" (not in the future, not before the match
 * was accepted, in the server's time zone); topic may be NULL; out may be
 * NULL.  A side logging a date again is CN_CLIENT_E_SERVER "conflict". */
int cn_client_meeting_log(cn_client *c, const char *match_id, const char *date, int64_t minutes, const char *topic,
                          cn_client_meeting *out, cn_client_error *err);

/* feedback.put: rating 1..5; comment may be NULL. */
int cn_client_feedback_put(cn_client *c, const char *match_id, int rating, const char *comment, cn_client_error *err);

/* stats.get -> counts, coverage, utilisation, unmatched reasons, JP logged */
int cn_client_stats_get(cn_client *c, const char *program, cn_client_result **res, cn_client_error *err);

#ifdef __cplusplus
}
#endif
/* One typed stub per method of the API schema (generated: scripts/gen-api). */
#include "coachnet_api.gen.h"

#endif /* COACHNET_H */
