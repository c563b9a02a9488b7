/*
 * libcoachnet.c -- the client connection: request encoding, the response
 * loop, notifications, results and errors.
 *
 * One struct per connection with an explicit state.  Framing and message
 * validation are libproto's (proto_reader, proto_msg_decode); this file only
 * decides what each decoded message means for the caller.
 *
 * The response loop (read_message) is the only place that reads: it feeds
 * the bytes to the proto_reader, and for each complete frame decodes a
 * message.  Notifications go to the callback right there; a response is
 * handed back to the caller.  Any failure that desynchronises the stream
 * moves the client to CN_CONN_CLOSED and closes the socket.
 */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>

#include <openssl/crypto.h>

#include "clients/libcoachnet_private.h"
#include "proto/proto.h"

#define CN_READ_CHUNK 16384

typedef enum cn_conn_state {
    CN_CONN_OPEN = 0, /* usable */
    CN_CONN_CLOSED    /* broken or closed: every call fails with E_CLOSED */
} cn_conn_state;

struct cn_client {
    cn_net net;
    cn_conn_state state;
    char closed_reason[CN_CLIENT_MESSAGE_LEN];
    uint32_t next_msgid;
    size_t pending; /* pipelined requests not yet answered */
    int timeout_ms;
    proto_limits limits; /* applied to frames from the server */
    proto_reader *reader;
    msgpack_sbuffer wbuf; /* the request being built; wiped once written */
    msgpack_packer wpk;   /* packs into wbuf */
    size_t req_at;        /* the frame's start in wbuf (proto_frame_begin) */
    uint32_t req_id;      /* the msgid of the request in wbuf */
    cn_client_notify_fn *notify;
    void *notify_priv;
    int in_notify; /* inside the callback: calls are refused */
};

struct cn_client_result {
    proto_msg msg;
};

static void wbuf_wipe(cn_client *c);

static const char *const errkind_names[] = {
    "none", "usage", "nomem", "connect", "io", "timeout", "protocol", "closed", "server",
};

const char *cn_client_errkind_name(cn_client_errkind kind) {
    if ((unsigned)kind >= sizeof(errkind_names) / sizeof(errkind_names[0])) return "unknown";
    return errkind_names[kind];
}

void cn_client_options_init(cn_client_options *o) {
    memset(o, 0, sizeof(*o));
    o->host = CN_CLIENT_DEFAULT_HOST;
    o->port = CN_CLIENT_DEFAULT_PORT;
    o->connect_timeout_ms = CN_CLIENT_DEFAULT_CONNECT_TIMEOUT_MS;
    o->timeout_ms = CN_CLIENT_DEFAULT_TIMEOUT_MS;
    o->max_frame = CN_CLIENT_DEFAULT_MAX_FRAME;
}

/* ---------------------------------------------------------------------- */
/* Connection life cycle                                                   */
/* ---------------------------------------------------------------------- */

/* Allocate a client with its reader and limits; the transport is set by the caller. */
static cn_client *client_new(const cn_client_options *o, cn_client_error *err) {
    cn_client *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        cn_seterr(err, CN_CLIENT_E_NOMEM, "out of memory");
        return NULL;
    }
    c->net = (cn_net)CN_NET_INIT;
    c->next_msgid = 1;
    c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : CN_CLIENT_DEFAULT_TIMEOUT_MS;
    proto_limits_default(&c->limits);
    size_t mf = o->max_frame ? o->max_frame : CN_CLIENT_DEFAULT_MAX_FRAME;
    if (mf > PROTO_MAX_FRAME_CEILING) mf = PROTO_MAX_FRAME_CEILING;
    c->limits.max_frame = (uint32_t)mf;
    /* Results are lists of up to a few thousand items of a dozen keys. */
    c->limits.max_array = 1u << 20;
    msgpack_sbuffer_init(&c->wbuf);
    msgpack_packer_init(&c->wpk, &c->wbuf, msgpack_sbuffer_write);
    c->reader = proto_reader_new(&c->limits);
    if (c->reader == NULL) {
        cn_client_free(c);
        cn_seterr(err, CN_CLIENT_E_NOMEM, "out of memory");
        return NULL;
    }
    c->state = CN_CONN_OPEN;
    return c;
}

int cn_client_connect(const cn_client_options *o, cn_client **out, cn_client_error *err) {
    *out = NULL;
    if (o == NULL || (o->unix_path == NULL && (o->host == NULL || o->port == 0)))
        return cn_seterr(err, CN_CLIENT_E_USAGE, "connect: host and port are required");
    cn_client *c = client_new(o, err);
    if (c == NULL) return CN_CLIENT_ERR;
    int ct = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : CN_CLIENT_DEFAULT_CONNECT_TIMEOUT_MS;
    if (cn_net_connect(&c->net, o, cn_now_ms() + ct, err) != CN_CLIENT_OK) {
        cn_client_free(c);
        return CN_CLIENT_ERR;
    }
    *out = c;
    return CN_CLIENT_OK;
}

int cn_client_adopt_fd(int fd, const cn_client_options *o, cn_client **out, cn_client_error *err) {
    *out = NULL;
    cn_client *c = client_new(o, err);
    if (c == NULL) return CN_CLIENT_ERR;
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
        cn_client_free(c);
        return cn_seterr(err, CN_CLIENT_E_USAGE, "adopt: bad descriptor");
    }
    c->net.fd = fd;
    *out = c;
    return CN_CLIENT_OK;
}

void cn_client_free(cn_client *c) {
    if (c == NULL) return;
    cn_net_close(&c->net);
    proto_reader_free(c->reader);
    wbuf_wipe(c);
    msgpack_sbuffer_destroy(&c->wbuf);
    free(c);
}

void cn_client_set_timeout(cn_client *c, int timeout_ms) {
    if (timeout_ms > 0) c->timeout_ms = timeout_ms;
}

int cn_client_is_connected(const cn_client *c) { return c != NULL && c->state == CN_CONN_OPEN; }

void cn_client_set_notify(cn_client *c, cn_client_notify_fn *fn, void *privdata) {
    c->notify = fn;
    c->notify_priv = privdata;
}

size_t cn_client_pending(const cn_client *c) { return c->pending; }

/* Close the connection after a failure that leaves the stream unusable; the
 * error already in *err (if any) is remembered for later calls. */
static int fail_closed(cn_client *c, cn_client_error *err) {
    if (c->state != CN_CONN_CLOSED) {
        snprintf(c->closed_reason, sizeof(c->closed_reason), "%s",
                 err && err->message[0] ? err->message : "connection failed");
        c->state = CN_CONN_CLOSED;
        cn_net_close(&c->net);
    }
    return CN_CLIENT_ERR;
}

static int check_open(cn_client *c, cn_client_error *err) {
    if (c == NULL) return cn_seterr(err, CN_CLIENT_E_USAGE, "no client");
    if (c->state == CN_CONN_CLOSED)
        return cn_seterr(err, CN_CLIENT_E_CLOSED, "connection closed: %s", c->closed_reason);
    if (c->in_notify) return cn_seterr(err, CN_CLIENT_E_USAGE, "call from inside the notification callback");
    return CN_CLIENT_OK;
}

/* ---------------------------------------------------------------------- */
/* Results and msgpack helpers                                             */
/* ---------------------------------------------------------------------- */

const msgpack_object *cn_client_result_obj(const cn_client_result *r) { return r ? r->msg.result : NULL; }

void cn_client_result_free(cn_client_result *r) {
    if (r == NULL) return;
    proto_msg_destroy(&r->msg);
    free(r);
}

const msgpack_object *cn_client_map_get(const msgpack_object *map, const char *key) {
    if (map == NULL || map->type != MSGPACK_OBJECT_MAP || key == NULL) return NULL;
    size_t kl = strlen(key);
    for (uint32_t i = 0; i < map->via.map.size; i++) {
        const msgpack_object *k = &map->via.map.ptr[i].key;
        if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == kl && memcmp(k->via.str.ptr, key, kl) == 0)
            return &map->via.map.ptr[i].val;
    }
    return NULL;
}

int cn_client_obj_str(const msgpack_object *o, char *buf, size_t len) {
    if (o == NULL || o->type != MSGPACK_OBJECT_STR || len == 0) return CN_CLIENT_ERR;
    size_t n = o->via.str.size < len - 1 ? o->via.str.size : len - 1;
    memcpy(buf, o->via.str.ptr, n);
    buf[n] = '\0';
    return CN_CLIENT_OK;
}

int cn_client_obj_int(const msgpack_object *o, int64_t *v) {
    if (o == NULL) return CN_CLIENT_ERR;
    switch (o->type) {
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        if (o->via.u64 > (uint64_t)INT64_MAX) return CN_CLIENT_ERR;
        *v = (int64_t)o->via.u64;
        return CN_CLIENT_OK;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER: *v = o->via.i64; return CN_CLIENT_OK;
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
        if (o->via.f64 != o->via.f64 || o->via.f64 < -9.2e18 || o->via.f64 > 9.2e18 ||
            (double)(int64_t)o->via.f64 != o->via.f64)
            return CN_CLIENT_ERR;
        *v = (int64_t)o->via.f64;
        return CN_CLIENT_OK;
    default: return CN_CLIENT_ERR;
    }
}

int cn_client_obj_num(const msgpack_object *o, double *v) {
    if (o == NULL) return CN_CLIENT_ERR;
    switch (o->type) {
    case MSGPACK_OBJECT_POSITIVE_INTEGER: *v = (double)o->via.u64; return CN_CLIENT_OK;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER: *v = (double)o->via.i64; return CN_CLIENT_OK;
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64: *v = o->via.f64; return CN_CLIENT_OK;
    default: return CN_CLIENT_ERR;
    }
}

/* ---------------------------------------------------------------------- */
/* Sending                                                                 */
/* ---------------------------------------------------------------------- */

/* Forget the request in c->wbuf: its bytes are overwritten with
 * OPENSSL_cleanse (which the compiler may not drop as a dead store), so
 * that a password sent in it (auth.login, auth.change_password,
 * user.create, user.set_password) does not stay in the client's memory for
 * the connection's life; a large buffer (an import row's) is given back.
 * The requests are packed in c->wbuf itself (cn_client_request), never in
 * a buffer of their own, so this is the one place to wipe.  A request
 * larger than the buffer moves it (realloc), which leaves the old block
 * unwiped: the buffer starts at 8 KiB and a password's requests are far
 * smaller. */
static void wbuf_wipe(cn_client *c) {
    if (c->wbuf.size) OPENSSL_cleanse(c->wbuf.data, c->wbuf.size);
    c->wbuf.size = 0;
    if (c->wbuf.alloc > 1u << 20) {
        msgpack_sbuffer_destroy(&c->wbuf);
        msgpack_sbuffer_init(&c->wbuf);
    }
}

msgpack_packer *cn_client_request(cn_client *c, const char *method) {
    if (c == NULL) return NULL;
    wbuf_wipe(c);
    c->req_id = c->next_msgid; /* taken when the request is sent (request_send) */
    c->req_at = proto_frame_begin(&c->wbuf);
    proto_pack_request(&c->wpk, c->req_id, method ? method : "");
    return &c->wpk;
}

int cn_client_wbuf_holds(const cn_client *c, const void *needle, size_t n) {
    for (size_t i = 0; c->wbuf.data && n && i + n <= c->wbuf.alloc; i++)
        if (memcmp(c->wbuf.data + i, needle, n) == 0) return 1;
    return 0;
}

/* CN_CLIENT_OK if a request of method may be sent on c now: open, not in
 * the notification callback, a valid method name, and (unless pending_ok:
 * a pipelined send) no pipelined request waiting for its answer. */
static int request_usable(cn_client *c, const char *method, int pending_ok, cn_client_error *err) {
    if (check_open(c, err) != CN_CLIENT_OK) return CN_CLIENT_ERR;
    if (!pending_ok && c->pending != 0)
        return cn_seterr(err, CN_CLIENT_E_USAGE, "%s: blocking call while %zu pipelined requests are pending",
                         method ? method : "", c->pending);
    if (method == NULL || method[0] == '\0' || strlen(method) > PROTO_METHOD_MAX)
        return cn_seterr(err, CN_CLIENT_E_USAGE, "bad method name");
    return CN_CLIENT_OK;
}

/* Send the request cn_client_request started (its params packed): end its
 * frame and write it.  The buffer is wiped whatever happens.  A failed
 * write closes the connection (part of a frame may have gone). */
static int request_send(cn_client *c, const char *method, int pending_ok, uint32_t *msgid, int64_t deadline,
                        cn_client_error *err) {
    int rc = CN_CLIENT_ERR;
    proto_error pe;
    proto_limits out = c->limits;
    out.max_frame = PROTO_DEFAULT_MAX_FRAME; /* the server's default limit */
    if (request_usable(c, method, pending_ok, err) != CN_CLIENT_OK) goto done;
    if (proto_frame_end(&c->wbuf, c->req_at, &out, &pe) != PROTO_OK) {
        cn_seterr(err, CN_CLIENT_E_USAGE, "%s: request too large (%s)", method, pe.message);
        goto done;
    }
    if (cn_net_write(&c->net, c->wbuf.data, c->wbuf.size, deadline, err) != CN_CLIENT_OK) {
        fail_closed(c, err);
        goto done;
    }
    *msgid = c->req_id;
    if (++c->next_msgid == 0) c->next_msgid = 1; /* 0 is the server's "no msgid" */
    rc = CN_CLIENT_OK;
done:
    wbuf_wipe(c);
    return rc;
}

/* 1 if b starts a msgpack map (fixmap, map16, map32). */
static int is_map_header(unsigned char b) { return (b & 0xf0) == 0x80 || b == 0xde || b == 0xdf; }

/* Build request [0, msgid, method, [params]] from params' msgpack bytes
 * (one map; NULL: an empty map) and send it. */
static int send_request(cn_client *c, const char *method, const char *params, size_t len, int pending_ok,
                        uint32_t *msgid, int64_t deadline, cn_client_error *err) {
    if (request_usable(c, method, pending_ok, err) != CN_CLIENT_OK) return CN_CLIENT_ERR;
    if (params != NULL && (len == 0 || !is_map_header((unsigned char)params[0])))
        return cn_seterr(err, CN_CLIENT_E_USAGE, "%s: params must be a msgpack map", method);
    cn_client_request(c, method);
    if (params == NULL) {
        msgpack_pack_map(&c->wpk, 0);
    } else {
        msgpack_sbuffer_write(&c->wbuf, params, len);
    }
    return request_send(c, method, pending_ok, msgid, deadline, err);
}

/* ---------------------------------------------------------------------- */
/* Receiving                                                               */
/* ---------------------------------------------------------------------- */

/* Copy a server error object into *err.  A malformed one is a protocol
 * error (the caller closes). */
static int server_error(const msgpack_object *eobj, cn_client_error *err) {
    proto_error pe, perr;
    if (proto_error_decode(eobj, "error", &pe, &perr) != PROTO_OK)
        return cn_seterr(err, CN_CLIENT_E_PROTOCOL, "malformed error object from the server: %s", perr.message);
    if (err) {
        err->kind = CN_CLIENT_E_SERVER;
        snprintf(err->code, sizeof(err->code), "%s", proto_errcode_name(pe.code));
        snprintf(err->message, sizeof(err->message), "%s", pe.message);
        snprintf(err->field, sizeof(err->field), "%s", pe.field);
    }
    return CN_CLIENT_OK;
}

typedef enum read_outcome {
    READ_RESPONSE = 0, /* *m holds a response */
    READ_NOTIFIED,     /* a notification was delivered (only with stop_on_notify) */
    READ_TIMEOUT,      /* deadline passed, nothing broken */
    READ_FAILED        /* err set, connection closed */
} read_outcome;

/* Read until a response arrives (returned in *m, to destroy by the caller)
 * or, if stop_on_notify, until a notification was delivered.  Notifications
 * are handed to the callback as they come. */
static read_outcome read_message(cn_client *c, proto_msg *m, int stop_on_notify, int64_t deadline,
                                 cn_client_error *err) {
    char buf[CN_READ_CHUNK];
    for (;;) {
        const char *body;
        size_t blen;
        int r = proto_reader_next(c->reader, &body, &blen);
        if (r == PROTO_ERR) {
            const proto_error *pe = proto_reader_error(c->reader);
            cn_seterr(err, CN_CLIENT_E_PROTOCOL, "bad frame from the server: %s", pe->message);
            fail_closed(c, err);
            return READ_FAILED;
        }
        if (r == 1) {
            proto_error pe;
            unsigned kinds = PROTO_KIND_BIT(PROTO_RESPONSE) | PROTO_KIND_BIT(PROTO_NOTIFICATION);
            if (proto_msg_decode(m, body, blen, &c->limits, kinds, &pe) != PROTO_OK) {
                proto_msg_destroy(m);
                cn_seterr(err, CN_CLIENT_E_PROTOCOL, "bad message from the server: %s%s%s", pe.message,
                          pe.field[0] ? " at " : "", pe.field);
                fail_closed(c, err);
                return READ_FAILED;
            }
            if (m->kind == PROTO_RESPONSE) return READ_RESPONSE;
            if (c->notify) {
                c->in_notify = 1;
                c->notify(c->notify_priv, m->method, m->params);
                c->in_notify = 0;
            }
            proto_msg_destroy(m);
            if (stop_on_notify) return READ_NOTIFIED;
            continue;
        }
        ssize_t n = cn_net_read(&c->net, buf, sizeof(buf), deadline, err);
        if (n == 0) return READ_TIMEOUT;
        if (n < 0) {
            fail_closed(c, err);
            return READ_FAILED;
        }
        if (proto_reader_feed(c->reader, buf, (size_t)n) != PROTO_OK) {
            const proto_error *pe = proto_reader_error(c->reader);
            cn_seterr(err, CN_CLIENT_E_PROTOCOL, "bad frame from the server: %s", pe->message);
            fail_closed(c, err);
            return READ_FAILED;
        }
    }
}

/* Turn a response into the caller's result or error; takes ownership of r
 * (decoded in place: a proto_msg may point into itself, so it never moves).
 * A response with msgid 0 carrying an error is the server's answer to a
 * stream it could not parse: the server closes after it, so do we. */
static int finish_response(cn_client *c, cn_client_result *r, cn_client_result **res, cn_client_error *err) {
    proto_msg *m = &r->msg;
    if (m->error != NULL && m->error->type != MSGPACK_OBJECT_NIL) {
        int ok = server_error(m->error, err);
        int fatal = m->msgid == 0;
        cn_client_result_free(r);
        if (ok != CN_CLIENT_OK || fatal) fail_closed(c, err);
        return CN_CLIENT_ERR;
    }
    if (res == NULL) {
        cn_client_result_free(r);
    } else {
        *res = r;
    }
    return CN_CLIENT_OK;
}

/* Read the next response into a new result handle (NULL on failure, err
 * set; a timeout closes the connection since a late answer would be
 * taken for the next request's). */
static cn_client_result *read_response(cn_client *c, const char *what, int64_t deadline, cn_client_error *err) {
    cn_client_result *r = malloc(sizeof(*r));
    if (r == NULL) {
        cn_seterr(err, CN_CLIENT_E_NOMEM, "out of memory");
        fail_closed(c, err);
        return NULL;
    }
    switch (read_message(c, &r->msg, 0, deadline, err)) {
    case READ_RESPONSE: return r;
    case READ_TIMEOUT:
        cn_seterr(err, CN_CLIENT_E_TIMEOUT, "%s: no response within %d ms", what, c->timeout_ms);
        fail_closed(c, err);
        break;
    default: break;
    }
    free(r);
    return NULL;
}

int cn_client_recv(cn_client *c, uint32_t *msgid, cn_client_result **res, cn_client_error *err) {
    if (res) *res = NULL;
    if (check_open(c, err) != CN_CLIENT_OK) return CN_CLIENT_ERR;
    if (c->pending == 0) return cn_seterr(err, CN_CLIENT_E_USAGE, "no request pending");
    cn_client_result *r = read_response(c, "recv", cn_now_ms() + c->timeout_ms, err);
    if (r == NULL) return CN_CLIENT_ERR;
    c->pending--;
    if (msgid) *msgid = r->msg.msgid;
    return finish_response(c, r, res, err);
}

int cn_client_send_raw(cn_client *c, const char *method, const char *params, size_t len, uint32_t *msgid,
                       cn_client_error *err) {
    if (check_open(c, err) != CN_CLIENT_OK) return CN_CLIENT_ERR;
    uint32_t id;
    if (send_request(c, method, params, len, 1, &id, cn_now_ms() + c->timeout_ms, err) != CN_CLIENT_OK)
        return CN_CLIENT_ERR;
    c->pending++;
    if (msgid) *msgid = id;
    return CN_CLIENT_OK;
}

/* Wait for the answer to the blocking call id just sent. */
static int await_answer(cn_client *c, const char *method, uint32_t id, int64_t deadline, cn_client_result **res,
                        cn_client_error *err) {
    cn_client_result *r = read_response(c, method, deadline, err);
    if (r == NULL) return CN_CLIENT_ERR;
    /* msgid 0 is the server's answer to what it could not read: an error,
     * never a result (one would be taken for this call's) */
    int has_error = r->msg.error != NULL && r->msg.error->type != MSGPACK_OBJECT_NIL;
    if (r->msg.msgid != id && !(r->msg.msgid == 0 && has_error)) {
        cn_seterr(err, CN_CLIENT_E_PROTOCOL, "%s: response to unknown request %u", method, (unsigned)r->msg.msgid);
        cn_client_result_free(r);
        return fail_closed(c, err);
    }
    return finish_response(c, r, res, err);
}

int cn_client_call_raw(cn_client *c, const char *method, const char *params, size_t len, cn_client_result **res,
                       cn_client_error *err) {
    if (res) *res = NULL;
    int64_t deadline = cn_now_ms() + (c ? c->timeout_ms : 0);
    uint32_t id;
    if (send_request(c, method, params, len, 0, &id, deadline, err) != CN_CLIENT_OK) return CN_CLIENT_ERR;
    return await_answer(c, method, id, deadline, res, err);
}

int cn_client_call_packed(cn_client *c, const char *method, cn_client_result **res, cn_client_error *err) {
    if (res) *res = NULL;
    if (c == NULL) return check_open(c, err);
    int64_t deadline = cn_now_ms() + c->timeout_ms;
    uint32_t id;
    if (request_send(c, method, 0, &id, deadline, err) != CN_CLIENT_OK) return CN_CLIENT_ERR;
    return await_answer(c, method, id, deadline, res, err);
}

int cn_client_call(cn_client *c, const char *method, const msgpack_object *params, cn_client_result **res,
                   cn_client_error *err) {
    if (res) *res = NULL;
    if (params == NULL) return cn_client_call_raw(c, method, NULL, 0, res, err);
    if (params->type != MSGPACK_OBJECT_MAP)
        return cn_seterr(err, CN_CLIENT_E_USAGE, "%s: params must be a map", method);
    if (request_usable(c, method, 0, err) != CN_CLIENT_OK) return CN_CLIENT_ERR;
    msgpack_pack_object(cn_client_request(c, method), *params);
    return cn_client_call_packed(c, method, res, err);
}

int cn_client_wait(cn_client *c, int timeout_ms, int *delivered, cn_client_error *err) {
    if (delivered) *delivered = 0;
    if (check_open(c, err) != CN_CLIENT_OK) return CN_CLIENT_ERR;
    if (c->pending != 0) return cn_seterr(err, CN_CLIENT_E_USAGE, "wait while pipelined requests are pending");
    proto_msg m;
    switch (read_message(c, &m, 1, cn_now_ms() + (timeout_ms > 0 ? timeout_ms : 0), err)) {
    case READ_NOTIFIED:
        if (delivered) *delivered = 1;
        return CN_CLIENT_OK;
    case READ_TIMEOUT: return CN_CLIENT_OK;
    case READ_RESPONSE:
        cn_seterr(err, CN_CLIENT_E_PROTOCOL, "response %u without a request", (unsigned)m.msgid);
        proto_msg_destroy(&m);
        return fail_closed(c, err);
    default: return CN_CLIENT_ERR;
    }
}
