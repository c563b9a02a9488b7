/* conn.c — one connection from accept to free: its state machine, framing,
 * output, deadlines and back-pressure; notifications to sessions.  See
 * server.h for lifetimes and who calls whom.
 *
 * States (conn_state), memcached style.  conn_set_state() is the only
 * place a state changes: it asserts that the transition is legal, logs it
 * at debug level and runs what entering the state means.  conn_drive() is
 * the one place that decides, from the state, the requests in flight, the
 * jobs held and the output left, whether a connection goes on, resumes or
 * closes; every event ends with it (libevent callbacks, a request's end, a
 * job's end, a notification, shutdown).
 *
 *   HANDSHAKE  TLS handshake running (handshake deadline)
 *       |  TLS done (the unix socket starts OPEN)
 *       v
 *   OPEN  <-->  PAUSED   frames are read and dispatched (idle deadline);
 *       |          |     PAUSED: max-inflight requests in flight, further
 *       |          |     frames wait in the input buffer (back-pressure,
 *       |          |     not an error); back to OPEN when one ends
 *       v          v
 *   DRAINING             shutdown: no more frames; waits for the requests
 *       |                in flight and the jobs (runs) it holds
 *       v
 *   FLUSHING             out of the tables (replies and notifications skip
 *       |                it); writes its last bytes, at most
 *       |                SRV_CLOSE_FLUSH_MS (a frame-level error response,
 *       |                a drained connection's last answers)
 *       v
 *   CLOSING              decided: conn_drive() buries it (errors, timeouts,
 *       |                max-output and the end of the above)
 *       v
 *   CLOSED               on the reaper's list: freed by the reaper event,
 *                        never inside a nested callback
 *
 * Any live state may go to CLOSING (an error, a timeout, a client that
 * does not read), OPEN/PAUSED to FLUSHING (a frame-level error).  Counters
 * stay counters: inflight (requests), holds (jobs).  Reading from the
 * socket being off (more than srv_input_max() bytes waiting while PAUSED,
 * until half of it is processed) is no state of its own: libevent's EV_READ
 * bit of the bufferevent is its one record.
 *
 * Transports.  A connection speaks the binary protocol (length-prefixed
 * frames) or HTTP, decided once from ALPN or its first byte
 * (conn_kind_decide).  HTTP goes through the pure hws layer (hws.h): plain
 * requests are answered by web.c, and a WebSocket's binary messages are
 * frame bodies, handed to conn_frame like frames; the states above are the
 * same for both (the layer's own state only says when to flush and close).
 *
 * Limits: a frame header above the connection's frame limit (max-frame
 * once it has a session, max-frame-unauth before) is refused before its
 * body is read; the partial frames of all connections together hold at
 * most max-input-total bytes (see conn_input_charge); at most max-inflight
 * requests per connection are in flight; a connection whose output grows
 * beyond max-output (a client that does not read) is closed.  Per DESIGN
 * §8 no read watermarks are set on OpenSSL bufferevents: every complete
 * frame is processed in a loop in the read callback.
 */
#include "server/conn.h"

#include <assert.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "server/hws.h"
#include "server/log.h"
#include "server/tokset.h"
#include "server/web.h"

#define SRV_CLOSE_FLUSH_MS 5000  /* longest wait to flush a last error */
#define SRV_DRAIN_MS       10000 /* SIGTERM: longest wait for requests */

typedef enum {
    CONN_HANDSHAKE,
    CONN_OPEN,
    CONN_PAUSED,
    CONN_DRAINING,
    CONN_FLUSHING,
    CONN_CLOSING,
    CONN_CLOSED,
    CONN__COUNT
} conn_state;

static const char *const conn_state_names[CONN__COUNT] = {
    "handshake", "open", "paused", "draining", "flushing", "closing", "closed",
};
_Static_assert(CONN__COUNT == MX_CONN_STATES, "metrics.h: MX_CONN_STATES is conn.c's state count");

#define CONN_BIT(st) (1u << (st))
/* The legal transitions: conn_next[from] has the bit of every `to`. */
static const unsigned conn_next[CONN__COUNT] = {
    [CONN_HANDSHAKE] = CONN_BIT(CONN_OPEN) | CONN_BIT(CONN_CLOSING),
    [CONN_OPEN] = CONN_BIT(CONN_PAUSED) | CONN_BIT(CONN_DRAINING) | CONN_BIT(CONN_FLUSHING) | CONN_BIT(CONN_CLOSING),
    [CONN_PAUSED] = CONN_BIT(CONN_OPEN) | CONN_BIT(CONN_DRAINING) | CONN_BIT(CONN_FLUSHING) | CONN_BIT(CONN_CLOSING),
    [CONN_DRAINING] = CONN_BIT(CONN_FLUSHING) | CONN_BIT(CONN_CLOSING),
    [CONN_FLUSHING] = CONN_BIT(CONN_CLOSING),
    [CONN_CLOSING] = CONN_BIT(CONN_CLOSED),
    [CONN_CLOSED] = 0,
};

/* What a connection speaks, decided by its first byte (or ALPN): see
 * conn_kind_decide. */
typedef enum { KIND_UNKNOWN, KIND_BINARY, KIND_HTTP } conn_kind;

struct srv_conn {
    uint64_t id;
    server *srv;
    struct bufferevent *bev;
    struct event *deadline; /* handshake deadline, then idle deadline */
    conn_state state;
    conn_kind kind;
    mx_transport transport; /* its metrics label (server.mx.conns) */
    hws *web;               /* KIND_HTTP: the HTTP/WebSocket layer */
    struct event *ping;     /* a WebSocket's keepalive (hws_tick) */
    int inflight;           /* requests not answered yet */
    int holds;              /* background jobs reporting here (runs) */
    char peer[64];
    srv_session sess;
    /* its partial frame's share of max-input-total */
    size_t in_charged;
    struct srv_conn *prev, *next; /* live list, or flushers while FLUSHING */
    struct srv_conn *next_dead;   /* the reaper's list, once CLOSED */
};

static void conn_read_cb(struct bufferevent *bev, void *arg);
static void conn_write_cb(struct bufferevent *bev, void *arg);
static void conn_event_cb(struct bufferevent *bev, short what, void *arg);
static void conn_deadline_cb(evutil_socket_t fd, short what, void *arg);
static void maybe_finish_drain(server *s);
static void conn_input_uncharge(srv_conn *c);

int64_t srv_now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec;
}

/* In the slot table and the live list: found by id. */
static int conn_in_table(conn_state st) { return st <= CONN_DRAINING; }
/* Its session speaks: answers and notifications are written. */
static int conn_is_open(conn_state st) { return st == CONN_OPEN || st == CONN_PAUSED || st == CONN_DRAINING; }

static srv_conn *srv_conn_find(server *s, uint64_t id) {
    uint32_t slot = (uint32_t)(id & 0xffffffffu);
    if (slot >= s->nslots) return NULL;
    srv_conn *c = s->slots[slot];
    return c && c->id == id ? c : NULL;
}

static size_t conn_output_left(const srv_conn *c) { return evbuffer_get_length(bufferevent_get_output(c->bev)); }

/* Reading from the socket is on (off: input back-pressure, see the top). */
static int conn_reading(const srv_conn *c) { return (bufferevent_get_enabled(c->bev) & EV_READ) != 0; }

/* (Re)arm the connection's deadline ms from now.  The deadlines are
 * absolute: bytes trickling in do not move them (a bufferevent read
 * timeout would be re-armed by every byte).  Only the end of the TLS
 * handshake and a complete frame count as activity. */
static void conn_arm(srv_conn *c, int ms) {
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
    evtimer_add(c->deadline, &tv);
}

/* Output that cannot be written for idle-timeout-ms closes the connection:
 * a client that stops reading must not hold its buffers (and, with OpenSSL,
 * a blocked write can also hold up reading) forever.  libevent's write
 * timeout only runs while output is pending. */
static void conn_write_deadline(srv_conn *c) {
    int ms = c->srv->cfg->idle_timeout_ms;
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
    bufferevent_set_timeouts(c->bev, NULL, &tv);
}

/* Take c out of the slot table and the live list (replies and
 * notifications skip it from now on) and stop reading. */
static void conn_unlink(srv_conn *c) {
    server *s = c->srv;
    evtimer_del(c->deadline);
    if (c->ping) evtimer_del(c->ping);
    uint32_t slot = (uint32_t)(c->id & 0xffffffffu);
    s->slots[slot] = NULL;
    s->free_slots[s->nfree++] = slot;
    if (c->prev)
        c->prev->next = c->next;
    else
        s->live = c->next;
    if (c->next) c->next->prev = c->prev;
    c->prev = c->next = NULL;
    s->nconns--;
    bufferevent_disable(c->bev, EV_READ);
}

/* The only place a connection's state changes.  Asserts the transition,
 * logs it, and does what entering the new state means. */
static void conn_set_state(srv_conn *c, conn_state to) {
    server *s = c->srv;
    conn_state from = c->state;
    assert(conn_next[from] & CONN_BIT(to));
    log_debug("conn %s: %s -> %s", c->peer, conn_state_names[from], conn_state_names[to]);
    c->state = to;
    s->mx.conns[c->transport][from]--;
    s->mx.conns[c->transport][to]++;
    if (from == CONN_HANDSHAKE && c->transport != MX_T_UNIX) {
        s->mx.tls_handshakes++;
        if (to != CONN_OPEN) s->mx.tls_handshakes_failed++;
    }
    if (conn_in_table(from) && !conn_in_table(to)) conn_unlink(c);
    switch (to) {
    case CONN_OPEN:
        if (from == CONN_HANDSHAKE) {
            conn_arm(c, s->cfg->idle_timeout_ms);
            conn_write_deadline(c);
        } else {
            /* from PAUSED: frames wait in the input buffer; process them
             * from a deferred read callback (never nested in the call
             * chain of the request that just ended) */
            bufferevent_trigger(c->bev, EV_READ, BEV_TRIG_IGNORE_WATERMARKS | BEV_TRIG_DEFER_CALLBACKS);
        }
        break;
    case CONN_DRAINING: bufferevent_disable(c->bev, EV_READ); break;
    case CONN_FLUSHING: {
        struct timeval tv = { SRV_CLOSE_FLUSH_MS / 1000, 0 };
        bufferevent_set_timeouts(c->bev, NULL, &tv);
        bufferevent_enable(c->bev, EV_WRITE);
        c->next = s->flushers;
        if (s->flushers) s->flushers->prev = c;
        s->flushers = c;
        break;
    }
    case CONN_CLOSING:
        if (from == CONN_FLUSHING) {
            if (c->prev)
                c->prev->next = c->next;
            else
                s->flushers = c->next;
            if (c->next) c->next->prev = c->prev;
            c->prev = c->next = NULL;
        }
        break;
    case CONN_CLOSED:
        bufferevent_disable(c->bev, EV_READ | EV_WRITE);
        c->next_dead = s->dead;
        s->dead = c;
        event_active(s->reaper, EV_TIMEOUT, 0);
        break;
    default: break;
    }
}

/* c is carried by t from now on (the connections gauge moves with it). */
static void conn_set_transport(srv_conn *c, mx_transport t) {
    c->srv->mx.conns[c->transport][c->state]--;
    c->transport = t;
    c->srv->mx.conns[t][c->state]++;
}

/* Ask for c to close: now (its output is dropped), or once its output is
 * written (flush).  conn_drive() carries it out.  A flushing close asked
 * again without flush closes now; a closing connection stays as it is. */
static void conn_close(srv_conn *c, int flush) {
    if (c->state == CONN_FLUSHING) {
        if (!flush) conn_set_state(c, CONN_CLOSING);
    } else if (conn_in_table(c->state)) {
        conn_set_state(c, flush && c->state != CONN_HANDSHAKE ? CONN_FLUSHING : CONN_CLOSING);
    }
}

/* The connection's machine, run after every event: the one place that
 * decides from the state, the requests in flight, the jobs held and the
 * output left whether c resumes reading or closes, and that buries it. */
static void conn_drive(srv_conn *c) {
    for (;;) {
        switch (c->state) {
        case CONN_PAUSED:
            if (c->inflight < c->srv->cfg->max_inflight) conn_set_state(c, CONN_OPEN);
            return;
        case CONN_DRAINING:
            if (c->inflight > 0 || c->holds > 0) return;
            if (c->web) hws_close(c->web, HWS_CLOSE_GOING_AWAY, "server shutting down");
            conn_set_state(c, conn_output_left(c) ? CONN_FLUSHING : CONN_CLOSING);
            break;
        case CONN_FLUSHING:
            if (conn_output_left(c)) return; /* conn_write_cb drives it again */
            conn_set_state(c, CONN_CLOSING);
            break;
        case CONN_CLOSING: conn_set_state(c, CONN_CLOSED); return;
        default: /* HANDSHAKE, OPEN: events move them; CLOSED: the reaper */ return;
        }
    }
}

static void reaper_cb(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    server *s = arg;
    while (s->dead) {
        srv_conn *c = s->dead;
        s->dead = c->next_dead;
        SSL *ssl = bufferevent_openssl_get_ssl(c->bev);
        if (ssl && SSL_is_init_finished(ssl)) SSL_shutdown(ssl); /* close_notify */
        ERR_clear_error();
        conn_input_uncharge(c);
        s->mx.conns[c->transport][c->state]--;
        bufferevent_free(c->bev);
        event_free(c->deadline);
        if (c->ping) event_free(c->ping);
        hws_free(c->web);
        free(c);
    }
    maybe_finish_drain(s);
}

/* Whether len more bytes would take c's output past max-output; if so, c
 * is asked to close (a client that does not read must not hold memory). */
static int conn_output_over(srv_conn *c, size_t len) {
    if (evbuffer_get_length(bufferevent_get_output(c->bev)) + len <= (size_t)c->srv->cfg->max_output) return 0;
    log_warn("conn %s: output buffer above max-output (%d bytes): closing", c->peer, c->srv->cfg->max_output);
    conn_close(c, 0);
    return 1;
}

/* Queue a frame on c; on output overflow ask to close c.  On a WebSocket
 * the frame's body goes out as one binary message (no length prefix);
 * an HTTP connection that is not one has no session and gets nothing. */
static void conn_send(srv_conn *c, const char *data, size_t len) {
    if (!conn_in_table(c->state) || conn_output_over(c, len)) return;
    if (!c->web)
        evbuffer_add(bufferevent_get_output(c->bev), data, len);
    else if (len >= PROTO_FRAME_HEADER && hws_send(c->web, data + PROTO_FRAME_HEADER, len - PROTO_FRAME_HEADER) &&
             !hws_closing(c->web))
        conn_close(c, 0); /* out of memory; a closing WebSocket just sends nothing more */
}

/* The WebSocket close code of a frame-level error. */
static uint16_t conn_ws_close_code(proto_errcode code) {
    switch (code) {
    case PROTO_E_TOO_LARGE: return HWS_CLOSE_TOO_BIG;
    case PROTO_E_UNAVAILABLE: return HWS_CLOSE_TRY_LATER;
    default: return HWS_CLOSE_PROTOCOL;
    }
}

/* A frame-level error: one response with msgid 0, then close. */
static void conn_fatal(srv_conn *c, const proto_error *e) {
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    size_t at = proto_frame_begin(&sb);
    proto_pack_response_error(&pk, 0, e);
    proto_error fe;
    if (proto_frame_end(&sb, at, &c->srv->lim, &fe) == PROTO_OK) conn_send(c, sb.data, sb.size);
    msgpack_sbuffer_destroy(&sb);
    log_info("conn %s: %s: %s; closing", c->peer, proto_errcode_name(e->code), e->message);
    if (c->web) hws_close(c->web, conn_ws_close_code(e->code), proto_errcode_name(e->code));
    conn_close(c, 1);
}

/* ---------------------------------------------------------------- input */

/* Whether c has a session now: one whose token's TTL has run out (in
 * Redis too, which expires the token key at the same time) ends here.
 * Everything that acts for c's session asks this first: a request, and a
 * push about its subject. */
static bool conn_has_session(srv_conn *c) {
    if (!c->sess.login[0]) return false;
    if (srv_now_s() < c->sess.expires) return true;
    log_info("conn %s: session of %s expired", c->peer, c->sess.login);
    memset(&c->sess, 0, sizeof c->sess);
    return false;
}

/* A complete frame: activity; the session ends here if its token's TTL
 * ran out; then up to the dispatcher as one request in flight. */
static void conn_frame(srv_conn *c, const char *body, size_t len) {
    server *s = c->srv;
    conn_arm(c, s->cfg->idle_timeout_ms);
    (void)conn_has_session(c);
    srv_frame f = { c->id, c->peer, &c->sess, body, len };
    proto_error e;
    c->inflight++; /* before the call: the request may end inside it */
    if (s->dispatch(s, &f, &e) != 0) {
        c->inflight--;
        conn_fatal(c, &e);
    }
}

/* The largest frame body c may send now: max-frame once it has a session;
 * before, max-frame-unauth (at most max-frame), so that a connection
 * nobody vouches for cannot make the server buffer a large frame. */
static uint32_t conn_frame_limit(const srv_conn *c) {
    const cfg *k = c->srv->cfg;
    return (uint32_t)(c->sess.login[0] || k->max_frame_unauth > k->max_frame ? k->max_frame : k->max_frame_unauth);
}

/* Input buffered beyond the requests in flight: two frames of c's limit. */
static size_t srv_input_max(const srv_conn *c) { return 2 * ((size_t)conn_frame_limit(c) + PROTO_FRAME_HEADER); }

/* max-input-total.  A connection whose next frame is not complete yet is
 * charged the frame's declared body size (what its input buffer grows to)
 * until the frame is complete or the connection is freed: the sum over all
 * connections stays within the budget, and a frame that would take it
 * above is refused (-1) before its body is buffered.  A frame that arrives
 * whole is processed at once and never charged. */
static int conn_input_charge(srv_conn *c, size_t n) {
    server *s = c->srv;
    size_t others = s->input_charged - c->in_charged;
    if (others + n > (size_t)s->cfg->max_input_total) return -1;
    s->input_charged = others + n;
    c->in_charged = n;
    return 0;
}

static void conn_input_uncharge(srv_conn *c) {
    c->srv->input_charged -= c->in_charged;
    c->in_charged = 0;
}

/* The frame header n of c is not above its frame limit, or c is answered
 * too_large (msgid 0) and closed: -1. */
static int conn_frame_allowed(srv_conn *c, uint32_t n) {
    uint32_t lim = conn_frame_limit(c);
    if (n <= lim) return 0;
    proto_error e;
    proto_error_set(&e, PROTO_E_TOO_LARGE, NULL,
                    "frame length %u above the limit of %u bytes before authentication (max-frame-unauth)", n, lim);
    conn_fatal(c, &e);
    return -1;
}

/* The rest of a frame of n body bytes is still to come: charge it, or
 * answer unavailable (msgid 0) and close c: -1. */
static int conn_frame_wait(srv_conn *c, uint32_t n) {
    static log_limit ll;
    if (conn_input_charge(c, n) == 0) return 0;
    log_limited(&ll, CFG_LOG_WARNING, "partial frames of all connections at max-input-total (%d bytes): refusing more",
                c->srv->cfg->max_input_total);
    proto_error e;
    proto_error_set(&e, PROTO_E_UNAVAILABLE, NULL,
                    "the server's input buffers are full (max-input-total); retry later");
    conn_fatal(c, &e);
    return -1;
}

/* ------------------------------------------------ HTTP and WebSocket */

/* The HTTP side (DESIGN §11): conn.c drives the pure hws layer (hws.h)
 * with the bytes of the input buffer and gives it these callbacks; web.c
 * answers plain requests.  A WebSocket message is a frame body: it goes
 * through conn_frame like a binary frame (same dispatch, session, limits,
 * max-inflight), and answers and notifications come back through
 * conn_send as binary messages. */

static int64_t conn_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The bytes hws has for the socket.  A WebSocket's count against
 * max-output like conn_send's frames: wslay answers every ping itself,
 * so a peer that pings and never reads grew the output (and coachnetd's
 * memory) without limit.  An HTTP response is not cut (a static file may
 * be larger than max-output): process_web holds the next request until
 * the output is below it. */
static void conn_web_write(void *ud, const void *data, size_t len) {
    srv_conn *c = ud;
    if (c->state >= CONN_CLOSING) return; /* closing without a flush: nothing more goes out */
    if (conn_in_table(c->state) && hws_get_state(c->web) == HWS_WS && conn_output_over(c, len)) return;
    evbuffer_add(bufferevent_get_output(c->bev), data, len);
}

static void conn_web_request(void *ud, const hws_request *rq) {
    srv_conn *c = ud;
    conn_arm(c, c->srv->cfg->idle_timeout_ms); /* a request is activity */
    web_request(c->srv, c->web, rq);
}

/* Keepalive: hws_tick pings and says when to call it again. */
static void conn_ping_arm(srv_conn *c) {
    int64_t ms = hws_tick(c->web, conn_now_ms());
    if (ms < 0) return;
    struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };
    evtimer_add(c->ping, &tv);
}

static void conn_ping_cb(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    srv_conn *c = arg;
    if (!conn_in_table(c->state)) return;
    conn_ping_arm(c);
    if (hws_get_state(c->web) == HWS_CLOSED) {
        log_info("conn %s: %s: closing", c->peer, hws_why(c->web));
        conn_close(c, 0);
    } else if (hws_closing(c->web)) {
        conn_close(c, 1);
    }
    conn_drive(c);
}

static void conn_web_open(void *ud) {
    srv_conn *c = ud;
    log_debug("conn %s: WebSocket open", c->peer);
    conn_set_transport(c, MX_T_WEBSOCKET);
    conn_arm(c, c->srv->cfg->idle_timeout_ms);
    c->ping = evtimer_new(c->srv->base, conn_ping_cb, c);
    if (!c->ping) {
        hws_close(c->web, HWS_CLOSE_TRY_LATER, "out of memory");
        return;
    }
    conn_ping_arm(c);
}

/* A binary message: a frame body.  Pauses the layer at max-inflight, or
 * once c stops taking frames (a frame-level error). */
static int conn_web_message(void *ud, const uint8_t *data, size_t len) {
    srv_conn *c = ud;
    if (c->state != CONN_OPEN) return 1;
    conn_frame(c, (const char *)data, len);
    return c->state != CONN_OPEN || c->inflight >= c->srv->cfg->max_inflight;
}

/* c speaks HTTP from now on; -1 (and c closes) when out of memory. */
static int conn_web_start(srv_conn *c) {
    const cfg *k = c->srv->cfg;
    hws_config hc = {
        .header_bytes = (size_t)k->http_max_header_bytes,
        .headers = (unsigned)k->http_max_headers,
        .message_bytes = conn_frame_limit(c),
        .ping_interval_ms = k->ws_ping_interval_ms,
        .pong_timeout_ms = k->ws_pong_timeout_ms,
        .ws_path = WEB_RPC_PATH,
        .origins = k->allowed_origins,
    };
    static const hws_callbacks cbs = {
        .write = conn_web_write,
        .request = conn_web_request,
        .open = conn_web_open,
        .message = conn_web_message,
    };
    c->web = hws_new(&hc, &cbs, c);
    if (!c->web) {
        log_warn("conn %s: out of memory", c->peer);
        conn_close(c, 0);
        return -1;
    }
    c->kind = KIND_HTTP;
    conn_set_transport(c, MX_T_HTTP);
    return 0;
}

/* Tell HTTP from the binary protocol, once, before the first byte is
 * used: ALPN "http/1.1" when the client offered it (srv.c selects it),
 * else the first byte.  A binary frame starts with its 4-byte big-endian
 * length, at most max-frame (64 MiB at most, first byte 0..4); every HTTP
 * method starts with an upper-case letter (0x41..0x5a), which as a length
 * would be above 1 GiB.  The two cannot be confused.  -1: not decided
 * (no byte yet) or c closes. */
static int conn_kind_decide(srv_conn *c) {
    SSL *ssl = bufferevent_openssl_get_ssl(c->bev);
    if (ssl) {
        const unsigned char *alpn = NULL;
        unsigned alen = 0;
        SSL_get0_alpn_selected(ssl, &alpn, &alen);
        if (alen == 8 && !memcmp(alpn, "http/1.1", 8)) return conn_web_start(c);
    }
    unsigned char b;
    if (evbuffer_copyout(bufferevent_get_input(c->bev), &b, 1) != 1) return -1;
    if (b >= 'A' && b <= 'Z') return conn_web_start(c);
    c->kind = KIND_BINARY;
    if (c->transport == MX_T_PENDING) conn_set_transport(c, MX_T_BINARY);
    return 0;
}

/* Feed the input buffer to the hws layer, as much as it takes.  It stops
 * taking when a message paused it (max-inflight: PAUSED, and the messages
 * it already holds are delivered by hws_resume once c is OPEN again) or
 * when it is HWS_CLOSED (c flushes what was written and closes).  Plain
 * HTTP requests are read only while the answers not yet written stay
 * within max-output (pipelined requests for large files must not pile up
 * answers): conn_write_cb comes back here once the output is written.
 * Reading from the socket resumes as in process_input. */
static void process_web(srv_conn *c) {
    struct evbuffer *in = bufferevent_get_input(c->bev);
    while (c->state == CONN_OPEN) {
        /* before hws_resume too: the layer may hold messages completed from
         * input it took whole, and each it delivers is one more in flight */
        if (c->inflight >= c->srv->cfg->max_inflight) {
            conn_set_state(c, CONN_PAUSED);
            return;
        }
        if (!conn_reading(c) && evbuffer_get_length(in) < srv_input_max(c) / 2) bufferevent_enable(c->bev, EV_READ);
        if (hws_get_state(c->web) == HWS_HTTP && conn_output_left(c) > (size_t)c->srv->cfg->max_output) return;
        if (hws_resume(c->web)) {
            if (c->state == CONN_OPEN) conn_set_state(c, CONN_PAUSED);
            return;
        }
        hws_set_max_message(c->web, conn_frame_limit(c));
        struct evbuffer_iovec v;
        if (evbuffer_peek(in, -1, NULL, &v, 1) < 1 || v.iov_len == 0) break;
        size_t used = hws_feed(c->web, v.iov_base, v.iov_len);
        evbuffer_drain(in, used);
        if (hws_closing(c->web)) {
            /* our close frame (or the last HTTP answer) is written: flush
             * it and close, without waiting for the peer's close reply */
            log_debug("conn %s: %s", c->peer, hws_get_state(c->web) == HWS_CLOSED ? hws_why(c->web) : "closing");
            conn_close(c, 1);
            return;
        }
    }
}

static void process_input(srv_conn *c) {
    server *s = c->srv;
    struct evbuffer *in = bufferevent_get_input(c->bev);
    if (c->kind == KIND_UNKNOWN && conn_kind_decide(c)) return;
    if (c->kind == KIND_HTTP) {
        process_web(c);
        return;
    }
    while (c->state == CONN_OPEN) {
        if (c->inflight >= s->cfg->max_inflight) {
            conn_set_state(c, CONN_PAUSED); /* see conn_read_cb for why reading goes on */
            return;
        }
        size_t avail = evbuffer_get_length(in);
        if (!conn_reading(c) && avail < srv_input_max(c) / 2) bufferevent_enable(c->bev, EV_READ);
        if (avail < PROTO_FRAME_HEADER) return;
        unsigned char hdr[PROTO_FRAME_HEADER];
        evbuffer_copyout(in, hdr, sizeof hdr);
        uint32_t n;
        proto_error e;
        if (proto_frame_header(hdr, &s->lim, &n, &e) != PROTO_OK) {
            conn_fatal(c, &e);
            return;
        }
        if (conn_frame_allowed(c, n)) return;
        if (avail < PROTO_FRAME_HEADER + (size_t)n) {
            conn_frame_wait(c, n);
            return;
        }
        conn_input_uncharge(c);
        unsigned char *p = evbuffer_pullup(in, PROTO_FRAME_HEADER + (ssize_t)n);
        if (!p) {
            proto_error_set(&e, PROTO_E_INTERNAL, NULL, "out of memory");
            conn_fatal(c, &e);
            return;
        }
        conn_frame(c, (const char *)p + PROTO_FRAME_HEADER, n);
        evbuffer_drain(in, PROTO_FRAME_HEADER + (size_t)n);
    }
}

/* ------------------------------------------------------ libevent events */

static void conn_read_cb(struct bufferevent *bev, void *arg) {
    (void)bev;
    srv_conn *c = arg;
    if (c->state == CONN_HANDSHAKE) conn_set_state(c, CONN_OPEN); /* TLS data before the CONNECTED event */
    /* paused, a WebSocket's input waits unparsed, its pongs with it */
    if (c->state == CONN_PAUSED && c->web) hws_heard(c->web);
    process_input(c);
    /* PAUSED, the frames wait in the input buffer.  Back-pressure on a
     * flood: above srv_input_max() bytes of waiting input, reading from the
     * socket stops; process_input() resumes it once half of that is
     * processed, i.e. while frames are still being worked through (DESIGN
     * 8: no read watermarks on OpenSSL bufferevents, so this is done by
     * hand).  A flooding client that does not read its answers is then cut
     * off by max-output or by the write deadline. */
    if ((c->state == CONN_OPEN || c->state == CONN_PAUSED) && conn_reading(c) &&
        evbuffer_get_length(bufferevent_get_input(c->bev)) > srv_input_max(c)) {
        log_debug("conn %s: more than %zu bytes of input waiting: reading paused", c->peer, srv_input_max(c));
        bufferevent_disable(c->bev, EV_READ);
    }
    conn_drive(c);
}

static void conn_write_cb(struct bufferevent *bev, void *arg) {
    srv_conn *c = arg;
    /* HTTP requests held back by their answers' size (process_web) */
    if (c->web && c->state == CONN_OPEN && hws_get_state(c->web) == HWS_HTTP &&
        evbuffer_get_length(bufferevent_get_input(bev)))
        process_input(c);
    conn_drive(c);
}

static void conn_deadline_cb(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    srv_conn *c = arg;
    if (!conn_in_table(c->state)) return;
    if (c->state != CONN_HANDSHAKE &&
        (c->inflight > 0 || c->holds > 0 || c->state == CONN_PAUSED || conn_output_left(c) > 0)) {
        /* not idle: a request, a run reporting here (a run of 1,000,000
         * mentees outlasts idle-timeout-ms), or output the peer is still
         * reading (a large file on a slow link: cut here, it came with its
         * full Content-Length and a truncated body).  Output the peer does
         * not read at all has its own deadline (conn_write_deadline). */
        conn_arm(c, c->srv->cfg->idle_timeout_ms);
        return;
    }
    if (c->web && c->ping && c->sess.login[0]) {
        /* a session's WebSocket waits for notifications: the keepalive
         * (hws_tick), not the idle timeout, ends it when the peer is gone */
        conn_arm(c, c->srv->cfg->idle_timeout_ms);
        return;
    }
    log_info("conn %s: %s timeout", c->peer, c->state == CONN_HANDSHAKE ? "handshake" : "idle");
    conn_close(c, 0);
    conn_drive(c);
}

static void conn_event_cb(struct bufferevent *bev, short what, void *arg) {
    srv_conn *c = arg;
    server *s = c->srv;
    if (what & BEV_EVENT_CONNECTED) {
        if (c->state != CONN_HANDSHAKE) return;
        conn_set_state(c, CONN_OPEN);
        log_debug("conn %s: TLS established (%s)", c->peer, SSL_get_version(bufferevent_openssl_get_ssl(bev)));
        return;
    }
    if (!conn_in_table(c->state)) {
        /* flushing: the peer is gone or the flush timed out */
    } else if (what & BEV_EVENT_TIMEOUT) {
        log_warn("conn %s: %zu output bytes not written for %d ms (a client that does not read; "
                 "max-output / idle-timeout-ms policy): closing",
                 c->peer, evbuffer_get_length(bufferevent_get_output(bev)), s->cfg->idle_timeout_ms);
    } else if (what & BEV_EVENT_ERROR) {
        unsigned long e;
        char buf[256] = "";
        while ((e = bufferevent_get_openssl_error(bev)) != 0) ERR_error_string_n(e, buf, sizeof buf);
        if (c->state == CONN_HANDSHAKE)
            log_info("conn %s: TLS handshake failed%s%s", c->peer, buf[0] ? ": " : "", buf);
        else
            log_debug("conn %s: error %s %s", c->peer, evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()), buf);
    }
    conn_close(c, 0);
    conn_drive(c);
}

/* ------------------------------------------------------- the table */

static srv_conn *conn_new(server *s, struct bufferevent *bev, const char *peer, mx_transport t) {
    if (s->nfree == 0) return NULL;
    srv_conn *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->deadline = evtimer_new(s->base, conn_deadline_cb, c);
    if (!c->deadline) {
        free(c);
        return NULL;
    }
    uint32_t slot = s->free_slots[--s->nfree];
    s->gen++;
    c->id = ((uint64_t)s->gen << 32) | slot;
    c->srv = s;
    c->bev = bev;
    c->state = CONN_HANDSHAKE;
    c->transport = t;
    s->mx.conns[t][CONN_HANDSHAKE]++;
    snprintf(c->peer, sizeof c->peer, "%s", peer);
    s->slots[slot] = c;
    c->next = s->live;
    if (s->live) s->live->prev = c;
    s->live = c;
    s->nconns++;
    return c;
}

void conn_accept(server *s, evutil_socket_t fd, const char *peer, int tls) {
    if (s->stopping || s->nconns >= (size_t)s->cfg->maxclients || s->nfree == 0) {
        log_warn("refusing connection from %s: maxclients (%d) reached", peer, s->cfg->maxclients);
        evutil_closesocket(fd);
        return;
    }
    struct bufferevent *bev;
    if (tls) {
        /* small responses must not wait for the peer's delayed ACK (Nagle) */
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        SSL *ssl = SSL_new(s->ssl_ctx);
        if (!ssl) {
            evutil_closesocket(fd);
            return;
        }
        bev = bufferevent_openssl_socket_new(s->base, fd, ssl, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
        if (!bev)
            SSL_free(ssl);
        else
            bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
    } else {
        bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
    }
    if (!bev) {
        evutil_closesocket(fd);
        return;
    }
    srv_conn *c = conn_new(s, bev, peer, tls ? MX_T_PENDING : MX_T_UNIX);
    if (!c) {
        bufferevent_free(bev);
        return;
    }
    bufferevent_setcb(bev, conn_read_cb, conn_write_cb, conn_event_cb, c);
    if (tls)
        conn_arm(c, s->cfg->handshake_timeout_ms);
    else
        conn_set_state(c, CONN_OPEN); /* no handshake on the unix socket */
    bufferevent_enable(bev, EV_READ | EV_WRITE);
    log_debug("conn %s: accepted", peer);
}

int conn_table_init(server *s) {
    s->nslots = (uint32_t)s->cfg->maxclients;
    s->mx.conn_state_names = conn_state_names;
    s->slots = calloc(s->nslots, sizeof *s->slots);
    s->free_slots = malloc(s->nslots * sizeof *s->free_slots);
    s->reaper = event_new(s->base, -1, 0, reaper_cb, s);
    if (!s->slots || !s->free_slots || !s->reaper) return -1;
    for (uint32_t i = 0; i < s->nslots; i++) s->free_slots[i] = s->nslots - 1 - i;
    s->nfree = s->nslots;
    return 0;
}

/* Close every connection of the live list now. */
static void conn_close_live(server *s) {
    while (s->live) {
        srv_conn *c = s->live; /* leaves the list as it closes */
        conn_close(c, 0);
        conn_drive(c);
    }
}

static void drain_timeout_cb(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    server *s = arg;
    log_warn("shutdown: %zu connection(s), %d job(s) still busy after %d ms: closing them", s->nconns, s->jobs,
             SRV_DRAIN_MS);
    conn_close_live(s);
    s->jobs = 0;                        /* their replies will find no connection */
    event_base_loopexit(s->base, NULL); /* flushing ones included */
}

static void maybe_finish_drain(server *s) {
    if (!s->stopping || s->live || s->dead || s->jobs > 0 || s->flushers) return;
    event_base_loopexit(s->base, NULL);
}

void conn_shutdown(server *s) {
    srv_conn *next;
    for (srv_conn *c = s->live; c; c = next) {
        next = c->next;
        if (c->state == CONN_HANDSHAKE)
            conn_close(c, 0);
        else
            conn_set_state(c, CONN_DRAINING);
        conn_drive(c);
    }
    s->drain_timer = evtimer_new(s->base, drain_timeout_cb, s);
    struct timeval tv = { SRV_DRAIN_MS / 1000, 0 };
    if (s->drain_timer) evtimer_add(s->drain_timer, &tv);
    event_active(s->reaper, EV_TIMEOUT, 0);
}

void conn_table_free(server *s) {
    conn_close_live(s);
    while (s->flushers) {
        srv_conn *c = s->flushers;
        conn_close(c, 0);
        conn_drive(c);
    }
    if (s->reaper) {
        reaper_cb(-1, 0, s);
        event_free(s->reaper);
    }
    if (s->drain_timer) event_free(s->drain_timer);
    free(s->slots);
    free(s->free_slots);
}

/* ------------------------------------------- requests, jobs, sessions */

void srv_conn_reply(server *s, uint64_t conn_id, const char *data, size_t len) {
    srv_conn *c = srv_conn_find(s, conn_id);
    if (!c) return;
    if (len) conn_send(c, data, len);
    c->inflight--;
    conn_drive(c);
}

void srv_conn_set_session(server *s, uint64_t conn_id, const srv_session *sess) {
    srv_conn *c = srv_conn_find(s, conn_id);
    if (c) c->sess = *sess;
}

void srv_job(server *s, uint64_t conn_id, int delta) {
    s->jobs += delta;
    if (s->jobs < 0) s->jobs = 0;
    srv_conn *c = srv_conn_find(s, conn_id);
    if (c) {
        c->holds += delta;
        if (c->holds < 0) c->holds = 0;
        conn_drive(c);
    }
    maybe_finish_drain(s);
}

uint64_t srv_conn_last(const server *s) { return s->live ? s->live->id : 0; }

int srv_conn_inflight(server *s, uint64_t conn_id) {
    const srv_conn *c = srv_conn_find(s, conn_id);
    return c ? c->inflight : -1;
}

/* ------------------------------------------------------- notifications */

static void notify_pack(msgpack_sbuffer *sb, const char *method, srv_pack_fn *fn, void *ud, const proto_limits *lim) {
    msgpack_packer pk;
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    size_t at = proto_frame_begin(sb);
    proto_pack_notification(&pk, method);
    fn(&pk, ud);
    proto_error e;
    if (proto_frame_end(sb, at, lim, &e) != PROTO_OK) sb->size = 0;
}

void srv_notify_conn(server *s, uint64_t conn_id, const char *tokhash, const char *method, srv_pack_fn *fn, void *ud) {
    srv_conn *c = srv_conn_find(s, conn_id);
    if (!c || !conn_is_open(c->state)) return;
    if (tokhash && (!conn_has_session(c) || strcmp(c->sess.tokhash, tokhash))) return;
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    notify_pack(&sb, method, fn, ud, &s->lim);
    if (sb.size) conn_send(c, sb.data, sb.size);
    msgpack_sbuffer_destroy(&sb);
    conn_drive(c);
}

void srv_notify_subject(server *s, auth_role role, const char *subject, const char *method, srv_pack_fn *fn, void *ud) {
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    srv_conn *next;
    for (srv_conn *c = s->live; c; c = next) {
        next = c->next; /* a send may close c (and unlink it) */
        if (!conn_is_open(c->state) || !conn_has_session(c) || c->sess.role != role || strcmp(c->sess.subject, subject))
            continue;
        if (!sb.size) notify_pack(&sb, method, fn, ud, &s->lim);
        if (sb.size) conn_send(c, sb.data, sb.size);
        conn_drive(c);
    }
    msgpack_sbuffer_destroy(&sb);
}

/* ------------------------------------------------------------- sessions */

/* End c's session: c is unauthenticated from its next request on (the
 * client learns it from that request's `unauthenticated`; requests already
 * in flight finish with the session they started with).  The one place a
 * session ends for a reason outside its connection: a revoked token, a
 * disabled user, the periodic check against Redis. */
static void conn_end_session(srv_conn *c, const char *why) {
    log_info("conn %s: session of %s ended (%s)", c->peer, c->sess.login, why);
    memset(&c->sess, 0, sizeof c->sess);
}

void srv_logout_login(server *s, const char *login, const char *keep, const char *why) {
    for (srv_conn *c = s->live; c; c = c->next)
        if (c->sess.login[0] && !strcmp(c->sess.login, login) && !(keep && !strcmp(c->sess.tokhash, keep)))
            conn_end_session(c, why);
}

void srv_end_sessions(server *s, const tokset *ths, const char *why) {
    if (!ths->n) return;
    for (srv_conn *c = s->live; c; c = c->next)
        if (c->sess.login[0] && tokset_has(ths, c->sess.tokhash)) conn_end_session(c, why);
}

int srv_session_tokens(server *s, tokset *out) {
    for (const srv_conn *c = s->live; c; c = c->next)
        if (c->sess.login[0] && tokset_add(out, c->sess.tokhash, strlen(c->sess.tokhash))) return -1;
    return 0;
}
