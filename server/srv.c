/* srv.c — listeners (TLS over TCP, plaintext unix socket), connections,
 * framing, dispatch and notifications.  See server.h for lifetimes.
 *
 * Connection states: HANDSHAKE (TLS not done; handshake timeout) -> OPEN
 * (frames are read; idle timeout) -> CLOSING (no more reading; freed by the
 * reaper once the last response is flushed or immediately on error).
 *
 * Limits: a frame header above max-frame is refused before its body is
 * read; at most max-inflight requests per connection are in flight (beyond
 * that the connection simply stops reading until a response goes out:
 * back-pressure, not an error); a connection whose output grows beyond
 * max-output (a client that does not read) is closed.  Per design.md §8 no
 * read watermarks are set on OpenSSL bufferevents: every complete frame is
 * processed in a loop in the read callback.
 */
#include "server/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "server/dispatch.h"
#include "server/log.h"

#define SRV_CLOSE_FLUSH_MS 5000   /* longest wait to flush a last error */
#define SRV_DRAIN_MS 10000        /* SIGTERM: longest wait for requests */

static void conn_read_cb(struct bufferevent *bev, void *arg);
static void conn_event_cb(struct bufferevent *bev, short what, void *arg);
static void maybe_finish_drain(server *s);
static void conn_arm(srv_conn *c, int ms);

/* ---------------------------------------------------------------- TLS */

static SSL_CTX *tls_ctx_new(const cfg *c, char *err, size_t errlen) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) { snprintf(err, errlen, "SSL_CTX_new failed"); return NULL; }
    SSL_CTX_set_min_proto_version(ctx, c->tls_min_version == 13 ? TLS1_3_VERSION : TLS1_2_VERSION);
    long opts = SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION |
                SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION;
    if (!c->tls_session_tickets) {
        opts |= SSL_OP_NO_TICKET;
        SSL_CTX_set_num_tickets(ctx, 0);
    }
    SSL_CTX_set_options(ctx, opts);
    SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"coachnetd", 9);
    if (SSL_CTX_use_certificate_chain_file(ctx, c->tls_cert_file) != 1) {
        snprintf(err, errlen, "cannot load tls-cert-file %s: %s", c->tls_cert_file,
                 ERR_reason_error_string(ERR_get_error()));
        goto fail;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, c->tls_key_file, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
        snprintf(err, errlen, "cannot load tls-key-file %s (or it does not match the certificate): %s",
                 c->tls_key_file, ERR_reason_error_string(ERR_get_error()));
        goto fail;
    }
    if (c->tls_ca_file[0]) {
        if (SSL_CTX_load_verify_locations(ctx, c->tls_ca_file, NULL) != 1) {
            snprintf(err, errlen, "cannot load tls-ca-file %s: %s", c->tls_ca_file,
                     ERR_reason_error_string(ERR_get_error()));
            goto fail;
        }
        if (c->tls_auth_clients) {
            STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(c->tls_ca_file);
            if (names) SSL_CTX_set_client_CA_list(ctx, names);
            SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
        }
    }
    ERR_clear_error();
    return ctx;
fail:
    ERR_clear_error();
    SSL_CTX_free(ctx);
    return NULL;
}

int srv_reload_tls(server *s, char *err, size_t errlen) {
    if (s->cfg->port == 0) return 0;
    SSL_CTX *ctx = tls_ctx_new(s->cfg, err, errlen);
    if (!ctx) return -1;
    /* Connections hold their own reference through their SSL. */
    SSL_CTX_free(s->ssl_ctx);
    s->ssl_ctx = ctx;
    return 0;
}

/* -------------------------------------------------------- connections */

int64_t srv_now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec;
}

srv_conn *srv_conn_find(server *s, uint64_t id) {
    uint32_t slot = (uint32_t)(id & 0xffffffffu);
    if (slot >= s->nslots) return NULL;
    srv_conn *c = s->slots[slot];
    return c && c->id == id ? c : NULL;
}

static void reaper_cb(evutil_socket_t fd, short what, void *arg) {
    (void)fd; (void)what;
    server *s = arg;
    while (s->dead) {
        srv_conn *c = s->dead;
        s->dead = c->next_dead;
        if (c->bev) {
            SSL *ssl = bufferevent_openssl_get_ssl(c->bev);
            if (ssl && SSL_is_init_finished(ssl)) SSL_shutdown(ssl);   /* close_notify */
            ERR_clear_error();
            bufferevent_free(c->bev);
        }
        if (c->deadline) event_free(c->deadline);
        free(c);
    }
    maybe_finish_drain(s);
}

/* Queue c for the reaper (once). */
static void conn_bury(srv_conn *c) {
    server *s = c->srv;
    if (c->buried) return;
    c->buried = 1;
    if (c->flushing) {
        c->flushing = 0;
        s->flushing--;
        if (c->prev) c->prev->next = c->next; else s->flushers = c->next;
        if (c->next) c->next->prev = c->prev;
        c->prev = c->next = NULL;
    }
    bufferevent_disable(c->bev, EV_READ | EV_WRITE);
    c->next_dead = s->dead;
    s->dead = c;
    event_active(s->reaper, EV_TIMEOUT, 0);
}

/* Take c out of every table now (so replies and notifications skip it) and
 * free it from the reaper.  flush: first wait (at most SRV_CLOSE_FLUSH_MS)
 * until the output buffer is written, e.g. a last error response.  Calling
 * it again without flush escalates a flushing close. */
static void conn_close(srv_conn *c, int flush) {
    server *s = c->srv;
    if (c->state == CONN_CLOSING) {
        if (!flush) conn_bury(c);
        return;
    }
    c->state = CONN_CLOSING;
    if (c->deadline) evtimer_del(c->deadline);
    uint32_t slot = (uint32_t)(c->id & 0xffffffffu);
    s->slots[slot] = NULL;
    s->free_slots[s->nfree++] = slot;
    if (c->prev) c->prev->next = c->next; else s->live = c->next;
    if (c->next) c->next->prev = c->prev;
    s->nconns--;
    bufferevent_disable(c->bev, EV_READ);
    if (flush && evbuffer_get_length(bufferevent_get_output(c->bev)) > 0) {
        struct timeval tv = {SRV_CLOSE_FLUSH_MS / 1000, 0};
        bufferevent_set_timeouts(c->bev, NULL, &tv);
        bufferevent_enable(c->bev, EV_WRITE);
        c->flushing = 1;
        s->flushing++;
        c->prev = NULL;
        c->next = s->flushers;
        if (s->flushers) s->flushers->prev = c;
        s->flushers = c;
        return;   /* conn_write_cb / conn_event_cb bury it */
    }
    conn_bury(c);
}

static void conn_write_cb(struct bufferevent *bev, void *arg) {
    (void)bev;
    srv_conn *c = arg;
    if (c->state == CONN_CLOSING) conn_bury(c);
    else if (c->draining && c->inflight == 0 && c->holds == 0) conn_close(c, 0);
}

/* (Re)arm the connection's deadline ms from now.  The deadlines are
 * absolute: bytes trickling in do not move them (a bufferevent read
 * timeout would be re-armed by every byte).  Only the end of the TLS
 * handshake and a complete frame count as activity. */
static void conn_arm(srv_conn *c, int ms) {
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    evtimer_add(c->deadline, &tv);
}

/* Output that cannot be written for idle-timeout-ms closes the connection:
 * a client that stops reading must not hold its buffers (and, with OpenSSL,
 * a blocked write can also hold up reading) forever.  libevent's write
 * timeout only runs while output is pending. */
static void conn_write_deadline(srv_conn *c) {
    int ms = c->srv->cfg->idle_timeout_ms;
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    bufferevent_set_timeouts(c->bev, NULL, &tv);
}

static void conn_deadline_cb(evutil_socket_t fd, short what, void *arg) {
    (void)fd; (void)what;
    srv_conn *c = arg;
    if (c->state == CONN_CLOSING) return;
    if (c->state == CONN_OPEN && (c->inflight > 0 || c->paused)) {
        conn_arm(c, c->srv->cfg->idle_timeout_ms);    /* waiting on us, not idle */
        return;
    }
    log_info("conn %s: %s timeout", c->peer, c->state == CONN_HANDSHAKE ? "handshake" : "idle");
    conn_close(c, 0);
}

static void conn_event_cb(struct bufferevent *bev, short what, void *arg) {
    srv_conn *c = arg;
    server *s = c->srv;
    if (what & BEV_EVENT_CONNECTED) {
        if (c->state != CONN_HANDSHAKE) return;
        c->state = CONN_OPEN;
        conn_arm(c, s->cfg->idle_timeout_ms);
        conn_write_deadline(c);
        log_debug("conn %s: TLS established (%s)", c->peer,
                  SSL_get_version(bufferevent_openssl_get_ssl(bev)));
        return;
    }
    if (c->state == CONN_CLOSING) { conn_bury(c); return; }
    if (what & BEV_EVENT_TIMEOUT) {
        log_warn("conn %s: %zu output bytes not written for %d ms (a client that does not read; "
                 "max-output / idle-timeout-ms policy): closing", c->peer,
                 evbuffer_get_length(bufferevent_get_output(bev)), s->cfg->idle_timeout_ms);
        conn_close(c, 0);
        return;
    }
    if (what & BEV_EVENT_ERROR) {
        unsigned long e;
        char buf[256] = "";
        while ((e = bufferevent_get_openssl_error(bev)) != 0) ERR_error_string_n(e, buf, sizeof buf);
        if (c->state == CONN_HANDSHAKE)
            log_info("conn %s: TLS handshake failed%s%s", c->peer, buf[0] ? ": " : "", buf);
        else
            log_debug("conn %s: error %s %s", c->peer, evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()), buf);
    }
    conn_close(c, 0);
}

/* Build and queue a frame on c; on output overflow close c. */
static void conn_send(srv_conn *c, const char *data, size_t len) {
    if (c->state == CONN_CLOSING && !c->draining) return;
    struct evbuffer *out = bufferevent_get_output(c->bev);
    if (evbuffer_get_length(out) + len > (size_t)c->srv->cfg->max_output) {
        log_warn("conn %s: output buffer above max-output (%d bytes): closing", c->peer,
                 c->srv->cfg->max_output);
        conn_close(c, 0);
        return;
    }
    evbuffer_add(out, data, len);
}

/* ------------------------------------------------------------ requests */

static srv_req *req_new(srv_conn *c) {
    srv_req *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->srv = c->srv;
    r->conn_id = c->id;
    r->sess = c->sess;
    msgpack_sbuffer_init(&r->sb);
    msgpack_packer_init(&r->pk, &r->sb, msgpack_sbuffer_write);
    c->inflight++;
    return r;
}

static void process_input(srv_conn *c);

static void req_end(srv_req *r) {
    srv_conn *c = srv_conn_find(r->srv, r->conn_id);
    if (c) {
        if (r->sb.size) conn_send(c, r->sb.data, r->sb.size);
        c->inflight--;
        if (c->state == CONN_OPEN && c->paused && c->inflight < c->srv->cfg->max_inflight) {
            /* frames wait in the input buffer: process them from a deferred
             * read callback (never nested in this request's call chain) */
            c->paused = 0;
            if (!c->draining)
                bufferevent_trigger(c->bev, EV_READ, BEV_TRIG_IGNORE_WATERMARKS | BEV_TRIG_DEFER_CALLBACKS);
        }
        if (c->draining && c->inflight == 0 && c->holds == 0 && c->state == CONN_OPEN) {
            if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0) conn_close(c, 0);
            else conn_close(c, 1);
        }
    }
    if (r->st_free) r->st_free(r->st);
    dispatch_params_free(r);
    proto_msg_destroy(&r->msg);
    msgpack_sbuffer_destroy(&r->sb);
    free(r);
}

msgpack_packer *srv_req_ok(srv_req *r) {
    r->sb.size = 0;
    r->frame_at = proto_frame_begin(&r->sb);
    proto_pack_response_ok(&r->pk, r->msgid);
    return &r->pk;
}

void srv_req_fail_err(srv_req *r, const proto_error *e) {
    r->sb.size = 0;
    size_t at = proto_frame_begin(&r->sb);
    proto_pack_response_error(&r->pk, r->msgid, e);
    proto_error fe;
    if (proto_frame_end(&r->sb, at, &r->srv->lim, &fe) != PROTO_OK) r->sb.size = 0;
    if (e->code == PROTO_E_INTERNAL || e->code == PROTO_E_UNAVAILABLE)
        log_warn("%s: %s: %s", r->m ? r->m->name : "request", proto_errcode_name(e->code), e->message);
    req_end(r);
}

void srv_req_done(srv_req *r) {
    proto_error e;
    if (proto_frame_end(&r->sb, r->frame_at, &r->srv->lim, &e) != PROTO_OK) {
        proto_error_set(&e, PROTO_E_TOO_LARGE, NULL, "the result is larger than max-frame");
        srv_req_fail_err(r, &e);
        return;
    }
    req_end(r);
}

void srv_req_fail(srv_req *r, proto_errcode code, const char *field, const char *fmt, ...) {
    proto_error e;
    proto_error_clear(&e);
    e.code = code;
    if (field) snprintf(e.field, sizeof e.field, "%s", field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.message, sizeof e.message, fmt, ap);
    va_end(ap);
    srv_req_fail_err(r, &e);
}

void srv_req_unavailable(srv_req *r) {
    srv_req_fail(r, PROTO_E_UNAVAILABLE, NULL, "the store is unavailable; retry later");
}

void srv_job(server *s, uint64_t conn_id, int delta) {
    s->jobs += delta;
    if (s->jobs < 0) s->jobs = 0;
    srv_conn *c = srv_conn_find(s, conn_id);
    if (c) {
        c->holds += delta;
        if (c->holds < 0) c->holds = 0;
        if (c->draining && c->inflight == 0 && c->holds == 0 && c->state == CONN_OPEN) conn_close(c, 1);
    }
    maybe_finish_drain(s);
}

void srv_req_set_session(srv_req *r, const srv_session *sess) {
    srv_conn *c = srv_conn_find(r->srv, r->conn_id);
    if (c) c->sess = *sess;
    r->sess = *sess;
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
    conn_close(c, 1);
}

static void handle_frame(srv_conn *c, const char *body, size_t len) {
    server *s = c->srv;
    conn_arm(c, s->cfg->idle_timeout_ms);
    srv_req *r = req_new(c);
    if (!r) { proto_error e; proto_error_set(&e, PROTO_E_INTERNAL, NULL, "out of memory"); conn_fatal(c, &e); return; }
    proto_error e;
    if (proto_msg_decode(&r->msg, body, len, &s->lim, PROTO_KIND_BIT(PROTO_REQUEST), &e) != PROTO_OK) {
        if (e.code == PROTO_E_BAD_FRAME) {
            c->inflight--;
            proto_msg_destroy(&r->msg);
            msgpack_sbuffer_destroy(&r->sb);
            free(r);
            conn_fatal(c, &e);
            return;
        }
        r->msgid = r->msg.has_msgid ? r->msg.msgid : 0;
        srv_req_fail_err(r, &e);
        return;
    }
    r->msgid = r->msg.msgid;
    const method_def *m = methods_find(r->msg.method);
    if (!m) {
        srv_req_fail(r, PROTO_E_UNKNOWN_METHOD, "method", "unknown method '%s'", r->msg.method);
        return;
    }
    r->m = m;
    if (c->sess.login[0] && srv_now_s() >= c->sess.expires) {
        /* the token's TTL ran out in Redis: so does the session here */
        log_info("conn %s: session of %s expired", c->peer, c->sess.login);
        memset(&c->sess, 0, sizeof c->sess);
        memset(&r->sess, 0, sizeof r->sess);
    }
    if (m->roles) {
        if (!r->sess.login[0]) {
            srv_req_fail(r, PROTO_E_UNAUTHENTICATED, NULL, "%s needs a session: call auth.login first", m->name);
            return;
        }
        if (!(m->roles & (unsigned)r->sess.role)) {
            srv_req_fail(r, PROTO_E_FORBIDDEN, NULL, "role %s may not call %s",
                         auth_role_name(r->sess.role), m->name);
            return;
        }
    }
    log_debug("conn %s: %s msgid %u", c->peer, m->name, r->msgid);
    dispatch_call(r);
}

/* Input buffered beyond the requests in flight: two maximal frames. */
static size_t srv_input_max(const server *s) {
    return 2 * ((size_t)s->cfg->max_frame + PROTO_FRAME_HEADER);
}

static void process_input(srv_conn *c) {
    server *s = c->srv;
    struct evbuffer *in = bufferevent_get_input(c->bev);
    while (c->state == CONN_OPEN && !c->draining) {
        if (c->inflight >= s->cfg->max_inflight) {
            c->paused = 1;      /* see conn_read_cb for why reading goes on */
            return;
        }
        size_t avail = evbuffer_get_length(in);
        if (c->read_off && avail < srv_input_max(s) / 2) {
            c->read_off = 0;
            bufferevent_enable(c->bev, EV_READ);
        }
        if (avail < PROTO_FRAME_HEADER) return;
        unsigned char hdr[PROTO_FRAME_HEADER];
        evbuffer_copyout(in, hdr, sizeof hdr);
        uint32_t n;
        proto_error e;
        if (proto_frame_header(hdr, &s->lim, &n, &e) != PROTO_OK) {
            conn_fatal(c, &e);
            return;
        }
        if (avail < PROTO_FRAME_HEADER + (size_t)n) return;
        unsigned char *p = evbuffer_pullup(in, PROTO_FRAME_HEADER + (ssize_t)n);
        if (!p) {
            proto_error_set(&e, PROTO_E_INTERNAL, NULL, "out of memory");
            conn_fatal(c, &e);
            return;
        }
        handle_frame(c, (const char *)p + PROTO_FRAME_HEADER, n);
        evbuffer_drain(in, PROTO_FRAME_HEADER + (size_t)n);
    }
}

static void conn_read_cb(struct bufferevent *bev, void *arg) {
    (void)bev;
    srv_conn *c = arg;
    if (c->state == CONN_HANDSHAKE) {    /* unix socket: no handshake event */
        c->state = CONN_OPEN;
    }
    process_input(c);
    /* Beyond max-inflight the frames wait in the input buffer.  Back-pressure
     * on a flood: above srv_input_max() bytes of waiting input, reading from
     * the socket stops; process_input() resumes it once half of that is
     * processed, i.e. while frames are still being worked through (DESIGN 8:
     * no read watermarks on OpenSSL bufferevents, so this is done by hand).
     * A flooding client that does not read its answers is then cut off by
     * max-output or by the write deadline. */
    if (c->state == CONN_OPEN && !c->read_off &&
        evbuffer_get_length(bufferevent_get_input(c->bev)) > srv_input_max(c->srv)) {
        log_debug("conn %s: more than %zu bytes of input waiting: reading paused", c->peer, srv_input_max(c->srv));
        c->read_off = 1;
        bufferevent_disable(c->bev, EV_READ);
    }
}

static srv_conn *conn_new(server *s, struct bufferevent *bev, const char *peer, int is_unix) {
    if (s->nfree == 0) return NULL;
    srv_conn *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->deadline = evtimer_new(s->base, conn_deadline_cb, c);
    if (!c->deadline) { free(c); return NULL; }
    uint32_t slot = s->free_slots[--s->nfree];
    s->gen++;
    c->id = ((uint64_t)s->gen << 32) | slot;
    c->srv = s;
    c->bev = bev;
    c->state = CONN_HANDSHAKE;
    c->is_unix = is_unix;
    snprintf(c->peer, sizeof c->peer, "%s", peer);
    s->slots[slot] = c;
    c->next = s->live;
    if (s->live) s->live->prev = c;
    s->live = c;
    s->nconns++;
    return c;
}

static void peer_name(const struct sockaddr *sa, char *out, size_t outlen) {
    char ip[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        inet_ntop(AF_INET, &in->sin_addr, ip, sizeof ip);
        port = ntohs(in->sin_port);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof ip);
        port = ntohs(in6->sin6_port);
    } else {
        snprintf(out, outlen, "unix");
        return;
    }
    snprintf(out, outlen, "%s:%d", ip, port);
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
                      int salen, void *arg) {
    (void)salen;
    server *s = arg;
    int is_unix = l == s->unix_l;
    char peer[64];
    peer_name(sa, peer, sizeof peer);
    if (s->stopping || s->nconns >= (size_t)s->cfg->maxclients || s->nfree == 0) {
        log_warn("refusing connection from %s: maxclients (%d) reached", peer, s->cfg->maxclients);
        evutil_closesocket(fd);
        return;
    }
    if (!is_unix) {
        /* small responses must not wait for the peer's delayed ACK (Nagle) */
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    struct bufferevent *bev;
    if (is_unix) {
        bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
    } else {
        SSL *ssl = SSL_new(s->ssl_ctx);
        if (!ssl) { evutil_closesocket(fd); return; }
        bev = bufferevent_openssl_socket_new(s->base, fd, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                             BEV_OPT_CLOSE_ON_FREE);
        if (!bev) SSL_free(ssl);
        else bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
    }
    if (!bev) { evutil_closesocket(fd); return; }
    srv_conn *c = conn_new(s, bev, peer, is_unix);
    if (!c) { bufferevent_free(bev); return; }
    bufferevent_setcb(bev, conn_read_cb, conn_write_cb, conn_event_cb, c);
    conn_arm(c, is_unix ? s->cfg->idle_timeout_ms : s->cfg->handshake_timeout_ms);
    if (is_unix) {
        c->state = CONN_OPEN;
        conn_write_deadline(c);
    }
    bufferevent_enable(bev, EV_READ | EV_WRITE);
    log_debug("conn %s: accepted", peer);
}

static void accept_error_cb(struct evconnlistener *l, void *arg) {
    (void)l; (void)arg;
    log_warn("accept: %s", evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
}

/* ------------------------------------------------------- notifications */

static void notify_pack(msgpack_sbuffer *sb, const char *method, srv_pack_fn *fn, void *ud,
                        const proto_limits *lim) {
    msgpack_packer pk;
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    size_t at = proto_frame_begin(sb);
    proto_pack_notification(&pk, method);
    fn(&pk, ud);
    proto_error e;
    if (proto_frame_end(sb, at, lim, &e) != PROTO_OK) sb->size = 0;
}

void srv_notify_conn(server *s, uint64_t conn_id, const char *method, srv_pack_fn *fn, void *ud) {
    srv_conn *c = srv_conn_find(s, conn_id);
    if (!c || c->state != CONN_OPEN) return;
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    notify_pack(&sb, method, fn, ud, &s->lim);
    if (sb.size) conn_send(c, sb.data, sb.size);
    msgpack_sbuffer_destroy(&sb);
}

void srv_notify_subject(server *s, auth_role role, const char *subject, const char *method,
                        srv_pack_fn *fn, void *ud) {
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    srv_conn *next;
    for (srv_conn *c = s->live; c; c = next) {
        next = c->next;    /* conn_send may close c (and unlink it) */
        if (c->state != CONN_OPEN || c->sess.role != role || strcmp(c->sess.subject, subject)) continue;
        if (!sb.size) notify_pack(&sb, method, fn, ud, &s->lim);
        if (sb.size) conn_send(c, sb.data, sb.size);
    }
    msgpack_sbuffer_destroy(&sb);
}

void srv_logout_login(server *s, const char *login) {
    for (srv_conn *c = s->live; c; c = c->next)
        if (!strcmp(c->sess.login, login)) memset(&c->sess, 0, sizeof c->sess);
}

/* ------------------------------------------------------ init, shutdown */

static int listen_unix(server *s, char *err, size_t errlen) {
    struct sockaddr_un sun;
    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    if (strlen(s->cfg->unixsocket) >= sizeof sun.sun_path) {
        snprintf(err, errlen, "unixsocket path too long");
        return -1;
    }
    strcpy(sun.sun_path, s->cfg->unixsocket);
    unlink(sun.sun_path);
    mode_t old = umask(0077);   /* owner only: the socket is for local admins */
    s->unix_l = evconnlistener_new_bind(s->base, accept_cb, s, LEV_OPT_CLOSE_ON_FREE, 128,
                                        (struct sockaddr *)&sun, sizeof sun);
    umask(old);
    if (!s->unix_l) {
        snprintf(err, errlen, "cannot listen on unix socket %s: %s", sun.sun_path, strerror(errno));
        return -1;
    }
    evconnlistener_set_error_cb(s->unix_l, accept_error_cb);
    return 0;
}

static int listen_tcp(server *s, char *err, size_t errlen) {
    struct sockaddr_storage ss;
    int sslen = sizeof ss;
    char addr[128];
    snprintf(addr, sizeof addr, strchr(s->cfg->bind, ':') ? "[%s]:%d" : "%s:%d", s->cfg->bind, s->cfg->port);
    memset(&ss, 0, sizeof ss);
    if (evutil_parse_sockaddr_port(addr, (struct sockaddr *)&ss, &sslen) != 0) {
        snprintf(err, errlen, "bind: '%s' is not an IP address", s->cfg->bind);
        return -1;
    }
    s->tls_l = evconnlistener_new_bind(s->base, accept_cb, s,
                                       LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 511,
                                       (struct sockaddr *)&ss, sslen);
    if (!s->tls_l) {
        snprintf(err, errlen, "cannot listen on %s: %s", addr, strerror(errno));
        return -1;
    }
    evconnlistener_set_error_cb(s->tls_l, accept_error_cb);
    return 0;
}

int srv_init(server *s, cfg *c, struct event_base *base, char *err, size_t errlen) {
    s->cfg = c;
    s->base = base;
    proto_limits_default(&s->lim);
    s->lim.max_frame = (uint32_t)c->max_frame;
    s->nslots = (uint32_t)c->maxclients;
    s->slots = calloc(s->nslots, sizeof *s->slots);
    s->free_slots = malloc(s->nslots * sizeof *s->free_slots);
    s->reaper = event_new(base, -1, 0, reaper_cb, s);
    if (!s->slots || !s->free_slots || !s->reaper) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (uint32_t i = 0; i < s->nslots; i++) s->free_slots[i] = s->nslots - 1 - i;
    s->nfree = s->nslots;
    if (c->port != 0) {
        s->ssl_ctx = tls_ctx_new(c, err, errlen);
        if (!s->ssl_ctx) return -1;
        if (listen_tcp(s, err, errlen)) return -1;
    }
    if (c->unixsocket[0] && listen_unix(s, err, errlen)) return -1;
    return 0;
}

static void drain_timeout_cb(evutil_socket_t fd, short what, void *arg) {
    (void)fd; (void)what;
    server *s = arg;
    log_warn("shutdown: %zu connection(s), %d job(s) still busy after %d ms: closing them", s->nconns, s->jobs,
             SRV_DRAIN_MS);
    while (s->live) conn_close(s->live, 0);
    s->jobs = 0;          /* their replies will find no connection */
    event_base_loopexit(s->base, NULL);   /* flushing ones included */
}

static void maybe_finish_drain(server *s) {
    if (!s->stopping || s->live || s->dead || s->jobs > 0 || s->flushing > 0) return;
    event_base_loopexit(s->base, NULL);
}

void srv_shutdown(server *s) {
    if (s->stopping) return;
    s->stopping = 1;
    if (s->tls_l) { evconnlistener_free(s->tls_l); s->tls_l = NULL; }
    if (s->unix_l) {
        evconnlistener_free(s->unix_l);
        s->unix_l = NULL;
        unlink(s->cfg->unixsocket);
    }
    srv_conn *next;
    for (srv_conn *c = s->live; c; c = next) {
        next = c->next;
        c->draining = 1;
        bufferevent_disable(c->bev, EV_READ);
        if ((c->inflight == 0 && c->holds == 0) || c->state != CONN_OPEN) conn_close(c, c->state == CONN_OPEN);
    }
    s->drain_timer = evtimer_new(s->base, drain_timeout_cb, s);
    struct timeval tv = {SRV_DRAIN_MS / 1000, 0};
    if (s->drain_timer) evtimer_add(s->drain_timer, &tv);
    event_active(s->reaper, EV_TIMEOUT, 0);
}

void srv_free(server *s) {
    while (s->live) conn_close(s->live, 0);
    while (s->flushers) conn_bury(s->flushers);
    if (s->reaper) reaper_cb(-1, 0, s);
    if (s->tls_l) evconnlistener_free(s->tls_l);
    if (s->unix_l) evconnlistener_free(s->unix_l);
    if (s->reaper) event_free(s->reaper);
    if (s->drain_timer) event_free(s->drain_timer);
    SSL_CTX_free(s->ssl_ctx);
    free(s->slots);
    free(s->free_slots);
}
